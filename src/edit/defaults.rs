//! New objects as the app creates them: unique ids, and defaults that already follow the plan's rules
//! where they can (a health-checked service, a hotfix runbook that keeps tests, a scan and an approval).

use crate::plan::Collection;
use crate::plan::{
    Approval, BatchSize, BranchingModel, DeployTarget, Environment, EnvironmentKind, GateCheck,
    GateCheckKind, GateFailure, GateScope, HealthCheck, HotfixRunbook, Id, IncidentSeverity,
    Migration, Plan, Position, Probe, Probes, QualityGate, Region, RegionEndpoint, ReleaseCheck,
    Service, Strategy, Tier, TimedCommand, TimeoutAction, TrafficRoute, TrafficRouter,
    TrafficShift,
};

/// A health check of `/health` expecting 200, retried for a few minutes.
pub fn health_check() -> HealthCheck {
    HealthCheck {
        path: "/health".to_owned(),
        base_url: None,
        expected_status: 200,
        timeout_seconds: 10,
        retries: 10,
        interval_seconds: 15,
    }
}

/// An HTTP probe of `/health` on port 8080.
pub fn probe() -> Probe {
    Probe {
        path: "/health".to_owned(),
        port: 8080,
        initial_delay_seconds: 0,
        period_seconds: 10,
        failure_threshold: 3,
    }
}

/// A single audited approval by `approver` that times out (and rejects) after `timeout_minutes`.
pub fn approval(approver: &str, timeout_minutes: u32) -> Approval {
    Approval {
        approvers: vec![approver.to_owned()],
        github_approvers: Vec::new(),
        azure_approvers: Vec::new(),
        required: 1,
        timeout_minutes: Some(timeout_minutes),
        on_timeout: TimeoutAction::Reject,
        prevent_self_review: true,
        instructions: String::new(),
    }
}

/// A new traffic route of `plan`'s rollout: a blue-green Traffic Manager profile in front of the
/// rollout environment's regions, one endpoint each, with an id no other route has.
pub fn traffic_route(plan: &Plan) -> TrafficRoute {
    let taken = |id: &str| plan.rollout.traffic.iter().any(|r| r.id.as_str() == id);
    let id = (1..)
        .map(|n| {
            if n == 1 {
                "edge".to_owned()
            } else {
                format!("edge-{n}")
            }
        })
        .find(|id| !taken(id))
        .unwrap_or_default();
    let environment = plan.rollout.environment.clone();
    let endpoints = plan
        .environment(&environment)
        .map(|e| plan.regions_of(e))
        .unwrap_or_default()
        .into_iter()
        .map(|region| traffic_endpoint(&region.id))
        .collect();
    TrafficRoute {
        name: "Edge".to_owned(),
        environment,
        router: traffic_router(false),
        endpoints,
        shift: TrafficShift::BlueGreen,
        id: Id::new(id),
    }
}

/// A new endpoint of a route for `region`, at the default weight.
pub fn traffic_endpoint(region: &Id) -> RegionEndpoint {
    RegionEndpoint {
        region: region.clone(),
        endpoint: format!("app-{region}"),
        weight: 1,
    }
}

/// A router with placeholder names to fill in: Front Door when `front_door`, else Traffic Manager with
/// a one-minute DNS TTL.
pub fn traffic_router(front_door: bool) -> TrafficRouter {
    if front_door {
        TrafficRouter::FrontDoor {
            resource_group: "rg-edge".to_owned(),
            profile: "fd-edge".to_owned(),
            origin_group: "app".to_owned(),
        }
    } else {
        TrafficRouter::TrafficManager {
            resource_group: "rg-edge".to_owned(),
            profile: "tm-edge".to_owned(),
            dns_ttl_seconds: 60,
        }
    }
}

/// A new quality gate of `plan`'s rollout: a REST check on the whole release, polled every minute for
/// ten minutes, rolling back on failure, with an id no other gate has.
pub fn quality_gate(plan: &Plan) -> QualityGate {
    let taken = |id: &str| plan.rollout.gates.iter().any(|g| g.id.as_str() == id);
    let id = (1..)
        .map(|n| {
            if n == 1 {
                "gate".to_owned()
            } else {
                format!("gate-{n}")
            }
        })
        .find(|id| !taken(id))
        .unwrap_or_default();
    QualityGate {
        id: Id::new(id),
        name: "Quality gate".to_owned(),
        applies_to: GateScope::Release,
        check: gate_check(GateCheckKind::Rest),
        timeout_minutes: 10,
        interval_seconds: 60,
        on_failure: GateFailure::RollBack,
    }
}

/// A check of `kind` with placeholder settings to fill in.
pub fn gate_check(kind: GateCheckKind) -> GateCheck {
    match kind {
        GateCheckKind::AzureMonitorAlerts => GateCheck::AzureMonitorAlerts {
            scope: "/subscriptions/SUBSCRIPTION-ID/resourceGroups/rg-{environment}".to_owned(),
            alert_rules: vec!["http-5xx-rate".to_owned()],
        },
        GateCheckKind::SonarQube => GateCheck::SonarQube {
            server_url: "https://sonarcloud.io".to_owned(),
            project_key: "project-key".to_owned(),
            token_secret: "SONAR_TOKEN".to_owned(),
        },
        GateCheckKind::Rest => GateCheck::Rest {
            url: "https://status.example.com/{environment}/health".to_owned(),
            expected_status: 200,
            json_path: String::new(),
            json_equals: String::new(),
        },
    }
}

/// The critical tests a hotfix keeps (about 2 minutes).
pub fn critical_tests() -> TimedCommand {
    TimedCommand {
        command: "make test-critical".to_owned(),
        budget_minutes: 2,
    }
}

/// The security scan a hotfix keeps (about 1 minute).
pub fn security_scan() -> TimedCommand {
    TimedCommand {
        command: "make security-scan".to_owned(),
        budget_minutes: 1,
    }
}

/// The full suite run on the hotfix branch after the incident.
pub fn backfill() -> TimedCommand {
    TimedCommand {
        command: "make test-full".to_owned(),
        budget_minutes: 45,
    }
}

/// A rolling update a quarter of the instances at a time.
pub fn rolling() -> Strategy {
    Strategy::Rolling {
        batch: BatchSize::Percent(25),
    }
}

/// A canary that moves 10 %, then 50 %, then all traffic.
pub fn canary() -> Strategy {
    Strategy::Canary {
        increments: vec![10, 50, 100],
    }
}

/// `base`, or `base-2`, `base-3`, … : the first that no object of `kind` in `plan` uses.
pub fn unique_id(plan: &Plan, kind: Collection, base: &str) -> Id {
    let taken = |id: &Id| kind.index_of(plan, id).is_some();
    let first = Id::new(base);
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| Id::new(format!("{base}-{n}")))
        .find(|id| !taken(id))
        .unwrap_or(first)
}

/// A numbered id and name that match, as the app gives new objects: `service-5` and "Service 5",
/// numbered after the objects of `kind` already in `plan` (and past any number already used).
pub fn numbered(plan: &Plan, kind: Collection, stem: &str, label: &str) -> (Id, String) {
    let taken = |id: &Id| kind.index_of(plan, id).is_some();
    let first = kind.len(plan) + 1;
    let n = (first..)
        .find(|n| !taken(&Id::new(format!("{stem}-{n}"))))
        .unwrap_or(first);
    (Id::new(format!("{stem}-{n}")), format!("{label} {n}"))
}

/// The stem of the ids the app makes up for new objects of `kind` (`service` in `service-5`).
pub fn stem(kind: Collection) -> Option<&'static str> {
    match kind {
        Collection::Service => Some("service"),
        Collection::Migration => Some("migration"),
        Collection::Environment => Some("environment"),
        Collection::Region => Some("region"),
        Collection::Runbook => Some("hotfix"),
        Collection::Dependency => None,
    }
}

/// Whether `id` is one the app made up for a new object of `stem` (`service`, `service-5`): a user
/// who renames the object is offered an id that matches the new name.
pub fn is_numbered_default(id: &Id, stem: &str) -> bool {
    match id.as_str().strip_prefix(stem) {
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('-')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
        None => false,
    }
}

/// The id a display name suggests: lower case, words joined by `-`, only ASCII letters and digits
/// ("Orders API" → `orders-api`); `None` when the name has none.
pub fn id_from_name(name: &str) -> Option<Id> {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    (!id.is_empty()).then(|| Id::new(id))
}

/// A new API service at `position`: an App Service with a staging slot, swapped in, health-checked.
/// Its app and resource group name the environment as well as the region, so a plan that rolls out
/// through several environments never sends two of them to the same resources (CUT075).
pub fn new_service(plan: &Plan, position: Position) -> Service {
    let (id, name) = numbered(plan, Collection::Service, "service", "Service");
    Service {
        name,
        tier: Tier::Api,
        target: DeployTarget::AppService {
            app: format!("{}-{{environment}}-{{region}}", id),
            resource_group: "rg-{environment}-{region}".to_owned(),
            slot: Some("staging".to_owned()),
        },
        strategy: Strategy::SlotSwap,
        health_check: Some(health_check()),
        probes: Probes::default(),
        draining_timeout_seconds: Some(30),
        websockets: false,
        position,
        id,
    }
}

/// A new migration on the plan's first database-tier service (or none yet), with one expand and one
/// contract step to fill in; its consumers are the services that depend on that database (they
/// must run the new code before the contract phase).
pub fn new_migration(plan: &Plan) -> Migration {
    let database = plan
        .services
        .iter()
        .find(|s| s.tier == Tier::Database)
        .map_or_else(|| Id::new(""), |s| s.id.clone());
    let mut consumers: Vec<Id> = Vec::new();
    for dependency in plan.dependencies.iter().filter(|d| d.on == database) {
        if !consumers.contains(&dependency.service) {
            consumers.push(dependency.service.clone());
        }
    }
    let (id, name) = numbered(plan, Collection::Migration, "migration", "Migration");
    Migration {
        id,
        name,
        database,
        expand: vec![crate::plan::MigrationStep {
            description: "Add the new schema beside the old".to_owned(),
            command: "./db/migrate.sh expand".to_owned(),
        }],
        contract: vec![crate::plan::MigrationStep {
            description: "Drop what old code needed".to_owned(),
            command: "./db/migrate.sh contract".to_owned(),
        }],
        consumers,
    }
}

/// A new test environment without protection rules.
pub fn new_environment(plan: &Plan) -> Environment {
    let (id, name) = numbered(plan, Collection::Environment, "environment", "Environment");
    Environment {
        id,
        name,
        kind: EnvironmentKind::Test,
        production_like: false,
        approval: None,
        wait_timer_minutes: 0,
        allowed_branches: Vec::new(),
        regions: Vec::new(),
    }
}

/// A new region with a 10-minute validation window.
pub fn new_region(plan: &Plan) -> Region {
    let (id, name) = numbered(plan, Collection::Region, "region", "Region");
    Region {
        name,
        location: id.to_string(),
        validation_minutes: 10,
        id,
    }
}

/// A new hotfix runbook that keeps critical tests, a security scan and a single approval, merges back
/// to the repository's branches and is backfilled by the full suite.
pub fn new_runbook(plan: &Plan) -> HotfixRunbook {
    let repository = &plan.platforms.repository;
    let mut merge_back = vec![repository.main_branch.clone()];
    merge_back.extend(repository.develop_branch.clone());
    let environment = plan
        .environments
        .iter()
        .find(|e| e.kind == EnvironmentKind::Hotfix)
        .or_else(|| plan.environments.first())
        .map_or_else(|| Id::new("hotfix"), |e| e.id.clone());
    let (id, name) = numbered(plan, Collection::Runbook, "hotfix", "Hotfix");
    HotfixRunbook {
        id,
        name,
        severity: IncidentSeverity::P1,
        branching: BranchingModel::GitFlow,
        source_ref: repository.main_branch.clone(),
        branch_pattern: "hotfix/*".to_owned(),
        services: plan
            .services
            .first()
            .map(|s| s.id.clone())
            .into_iter()
            .collect(),
        critical_tests: Some(critical_tests()),
        security_scan: Some(security_scan()),
        approval: Some(approval("on-call-lead", 60)),
        environment,
        skips: vec![ReleaseCheck::FullRegression, ReleaseCheck::StagingSoak],
        keeps: vec![ReleaseCheck::SmokeTests],
        monitoring_minutes: 60,
        incident_bridge: String::new(),
        merge_back,
        backfill: Some(backfill()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Code, analyse};
    use crate::plan::templates;

    #[test]
    fn new_ids_are_unique() {
        let mut plan = templates::starter("s");
        for _ in 0..3 {
            let service = new_service(&plan, Position::default());
            assert!(plan.service(&service.id).is_none());
            plan.services.push(service);
        }
        assert_eq!(plan.services[5].id, Id::new("service-6"));
        assert_eq!(plan.services[5].name, "Service 6");
    }

    #[test]
    fn default_ids_are_recognised_and_names_suggest_ids() {
        assert!(is_numbered_default(&Id::new("service-12"), "service"));
        assert!(is_numbered_default(&Id::new("service"), "service"));
        assert!(!is_numbered_default(&Id::new("service-x"), "service"));
        assert!(!is_numbered_default(&Id::new("services"), "service"));
        assert_eq!(id_from_name("Orders API"), Some(Id::new("orders-api")));
        assert_eq!(id_from_name("  Ünïcode & co. "), Some(Id::new("n-code-co")));
        assert_eq!(id_from_name("→"), None);
    }

    #[test]
    fn a_new_migration_lists_the_databases_dependents_as_consumers() {
        let plan = templates::starter("s");
        let migration = new_migration(&plan);
        assert_eq!(migration.database, Id::new("db"));
        assert_eq!(migration.consumers, vec![Id::new("api")]);
    }

    #[test]
    fn a_new_service_adds_no_error_to_a_plan_with_several_environments() {
        // Northwind rolls out through staging and production: a target without `{environment}`
        // would send both to the same resources.
        let text = include_str!("../../examples/northwind-commerce.ron");
        let mut plan = crate::plan::parse_plan(text, "northwind").expect("the example parses");
        let before = analyse(&plan).diagnostics.len();
        plan.services.push(new_service(&plan, Position::default()));
        let analysis = analyse(&plan);
        assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
        assert!(
            analysis.diagnostics.len() <= before + 1,
            "{:#?}",
            analysis.diagnostics
        );
    }

    #[test]
    fn new_objects_add_no_errors_to_a_clean_plan() {
        let mut plan = templates::starter("s");
        plan.services.push(new_service(&plan, Position::default()));
        plan.runbooks.push(new_runbook(&plan));
        plan.regions.push(new_region(&plan));
        plan.environments.push(new_environment(&plan));
        plan.migrations.push(new_migration(&plan));
        let analysis = analyse(&plan);
        assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
        assert!(
            analysis
                .diagnostics
                .iter()
                .all(|d| d.code != Code::MissingReference)
        );
    }
}
