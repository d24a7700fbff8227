//! Starter plans for `cutover new` and the app's New command. Each passes `cutover check`.

use super::format::{FORMAT_VERSION, FormatError, parse_plan};
use super::id::Id;
use super::model::{
    Approval, BranchingModel, DatabaseEngine, Dependency, DeployTarget, Environment,
    EnvironmentKind, FailureAction, HealthCheck, HotfixRunbook, IncidentSeverity, Plan,
    PlatformSettings, Position, Probes, Region, ReleaseCheck, RetryPolicy, RolloutPolicy, Service,
    Strategy, Tier, TimedCommand, TimeoutAction,
};

/// The names of the templates, with a one-line description each.
pub const TEMPLATES: [(&str, &str); 2] = [
    (
        "starter",
        "a database, an API and a frontend in one region, with a production approval",
    ),
    (
        "meridian",
        "the Meridian claims system from the design notes, with a migration and a hotfix runbook",
    ),
];

const MERIDIAN: &str = include_str!("../../examples/meridian-claims.ron");

/// The template of this name, if there is one.
pub fn by_name(name: &str, plan_name: &str) -> Option<Result<Plan, FormatError>> {
    match name {
        "starter" => Some(Ok(starter(plan_name))),
        "meridian" => Some(parse_plan(MERIDIAN, "template meridian").map(|mut plan| {
            plan.name = plan_name.to_owned();
            plan
        })),
        _ => None,
    }
}

/// A small plan that passes the analysis: database → API → frontend, one region, production with an
/// approval, and a hotfix runbook.
pub fn starter(plan_name: &str) -> Plan {
    let health = |path: &str| HealthCheck {
        path: path.to_owned(),
        base_url: None,
        expected_status: 200,
        timeout_seconds: 10,
        retries: 10,
        interval_seconds: 15,
    };
    let approval = |who: &str| Approval {
        approvers: vec![who.to_owned()],
        github_approvers: Vec::new(),
        azure_approvers: Vec::new(),
        required: 1,
        timeout_minutes: Some(240),
        on_timeout: TimeoutAction::Reject,
        prevent_self_review: true,
        instructions: "Check the release notes and the dashboards before approving.".to_owned(),
    };
    Plan {
        version: FORMAT_VERSION,
        name: plan_name.to_owned(),
        description: "A starter plan: replace the names with your own.".to_owned(),
        platforms: PlatformSettings::default(),
        services: vec![
            Service {
                id: Id::new("db"),
                name: "Database".to_owned(),
                tier: Tier::Database,
                target: DeployTarget::Database {
                    engine: DatabaseEngine::AzureSql,
                    server: "sql-app-{environment}-{region}".to_owned(),
                    database: "app".to_owned(),
                    resource_group: "rg-app-{region}".to_owned(),
                    global: false,
                },
                strategy: Strategy::RunOnce,
                health_check: None,
                probes: Probes::default(),
                draining_timeout_seconds: None,
                websockets: false,
                position: Position { x: 0.0, y: 300.0 },
            },
            Service {
                id: Id::new("api"),
                name: "API".to_owned(),
                tier: Tier::Api,
                target: DeployTarget::AppService {
                    app: "app-api-{environment}-{region}".to_owned(),
                    resource_group: "rg-app-{region}".to_owned(),
                    slot: Some("staging".to_owned()),
                },
                strategy: Strategy::SlotSwap,
                health_check: Some(health("/health")),
                probes: Probes::default(),
                draining_timeout_seconds: Some(30),
                websockets: false,
                position: Position { x: 0.0, y: 150.0 },
            },
            Service {
                id: Id::new("web"),
                name: "Web".to_owned(),
                tier: Tier::Frontend,
                target: DeployTarget::StaticSite {
                    storage_account: "stappweb{environment}{region}".to_owned(),
                    resource_group: "rg-app-{region}".to_owned(),
                    source_dir: "web/dist".to_owned(),
                },
                strategy: Strategy::RunOnce,
                health_check: Some(HealthCheck {
                    base_url: Some(
                        "https://stappweb{environment}{region}.z13.web.core.windows.net".to_owned(),
                    ),
                    ..health("/")
                }),
                probes: Probes::default(),
                draining_timeout_seconds: None,
                websockets: false,
                position: Position { x: 0.0, y: 0.0 },
            },
        ],
        dependencies: vec![
            Dependency {
                service: Id::new("api"),
                on: Id::new("db"),
            },
            Dependency {
                service: Id::new("web"),
                on: Id::new("api"),
            },
        ],
        migrations: Vec::new(),
        environments: vec![
            Environment {
                id: Id::new("hotfix"),
                name: "Hotfix".to_owned(),
                kind: EnvironmentKind::Hotfix,
                production_like: true,
                approval: Some(approval("on-call-lead")),
                wait_timer_minutes: 0,
                allowed_branches: vec!["hotfix/*".to_owned()],
                regions: Vec::new(),
            },
            Environment {
                id: Id::new("production"),
                name: "Production".to_owned(),
                kind: EnvironmentKind::Production,
                production_like: true,
                approval: Some(approval("release-managers")),
                wait_timer_minutes: 0,
                allowed_branches: vec!["main".to_owned(), "hotfix/*".to_owned()],
                regions: Vec::new(),
            },
        ],
        regions: vec![Region {
            id: Id::new("eastus"),
            name: "East US".to_owned(),
            location: "eastus".to_owned(),
            validation_minutes: 10,
        }],
        rollout: RolloutPolicy {
            environment: Id::new("production"),
            promote_through: Vec::new(),
            retry: RetryPolicy {
                attempts: 3,
                initial_delay_seconds: 30,
                backoff_factor: 2.0,
                max_delay_seconds: 300,
            },
            on_failure: FailureAction::RollbackRegion,
            gates: Vec::new(),
            traffic: Vec::new(),
        },
        runbooks: vec![HotfixRunbook {
            id: Id::new("api-hotfix"),
            name: "API hotfix".to_owned(),
            severity: IncidentSeverity::P1,
            branching: BranchingModel::GitFlow,
            source_ref: "main".to_owned(),
            branch_pattern: "hotfix/*".to_owned(),
            services: vec![Id::new("api")],
            critical_tests: Some(TimedCommand {
                command: "make test-critical".to_owned(),
                budget_minutes: 2,
            }),
            security_scan: Some(TimedCommand {
                command: "make security-scan".to_owned(),
                budget_minutes: 1,
            }),
            approval: Some(approval("on-call-lead")),
            environment: Id::new("hotfix"),
            skips: vec![
                ReleaseCheck::FullRegression,
                ReleaseCheck::StagingSoak,
                ReleaseCheck::LowerEnvironments,
            ],
            keeps: vec![ReleaseCheck::SmokeTests],
            monitoring_minutes: 60,
            incident_bridge: "#incident-bridge".to_owned(),
            merge_back: vec!["main".to_owned(), "develop".to_owned()],
            backfill: Some(TimedCommand {
                command: "make test-full".to_owned(),
                budget_minutes: 45,
            }),
        }],
    }
}
