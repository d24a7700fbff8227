//! Everything around the services of a synthetic plan: migrations on the databases (with every real
//! consumer listed), environments with approvals, regions with validation windows, the rollout policy,
//! hotfix runbooks and platform settings.

use super::names;
use super::rng::SplitMix64;
use crate::plan::{
    Approval, BranchingModel, Environment, EnvironmentKind, FailureAction, GateCheck, GateFailure,
    GateScope, HotfixRunbook, Id, IncidentSeverity, Migration, MigrationStep, QualityGate, Region,
    RegionEndpoint, ReleaseCheck, RetryPolicy, RolloutPolicy, Service, Tier, TimedCommand,
    TimeoutAction, TrafficRoute, TrafficRouter, TrafficShift,
};

/// The id of the environment standard releases deploy to.
pub const PRODUCTION: &str = "production";
/// The id of the production-like environment hotfixes are proven in.
pub const HOTFIX: &str = "hotfix";
/// The id of the pre-production environment.
pub const STAGING: &str = "staging";

/// At most this many hotfix runbooks, however large the system.
const MAX_RUNBOOKS: usize = 6;

/// One migration for most databases that something uses: expand adds a column (and sometimes backfills
/// it), contract drops the old one. Every service that depends directly on the database is a consumer, so
/// contract waits for all of them. Databases nothing depends on get no migration.
pub fn migrations(
    services: &[Service],
    edges: &[(usize, usize)],
    rng: &mut SplitMix64,
) -> Vec<Migration> {
    let mut migrations = Vec::new();
    for (index, database) in services.iter().enumerate() {
        if database.tier != Tier::Database {
            continue;
        }
        let consumers: Vec<Id> = edges
            .iter()
            .filter(|&&(_, on)| on == index)
            .map(|&(user, _)| services[user].id.clone())
            .collect();
        let first = migrations.is_empty();
        if consumers.is_empty() || !(first || rng.chance(60)) {
            continue;
        }
        let (old, new, what) = names::SCHEMA_CHANGES[rng.below(names::SCHEMA_CHANGES.len())];
        let table = database.name.trim_end_matches(" Database");
        let number = rng.between(10, 899);
        let step = |phase: &str, offset: u32, description: String| MigrationStep {
            description,
            command: format!(
                "./db/{}/migrate.sh {phase} {:04}",
                database.id,
                number + offset
            ),
        };
        let mut expand = vec![step(
            "expand",
            0,
            format!("Add nullable column {table}.{new}"),
        )];
        if rng.chance(50) {
            expand.push(step(
                "expand",
                1,
                format!("Backfill {table}.{new} from {old}"),
            ));
        }
        let contract = if rng.chance(85) {
            vec![step("contract", 2, format!("Drop column {table}.{old}"))]
        } else {
            Vec::new()
        };
        let slug = what.replace(' ', "-");
        migrations.push(Migration {
            id: Id::new(format!("{}-{slug}", database.id)),
            name: format!("{table}: {what}"),
            database: database.id.clone(),
            expand,
            contract,
            consumers,
        });
    }
    migrations
}

fn approval(approvers: Vec<String>, required: u32, timeout_minutes: u32, why: &str) -> Approval {
    Approval {
        approvers,
        github_approvers: Vec::new(),
        azure_approvers: Vec::new(),
        required,
        timeout_minutes: Some(timeout_minutes),
        on_timeout: TimeoutAction::Reject,
        prevent_self_review: true,
        instructions: why.to_owned(),
    }
}

/// The single, audited approver of a hotfix.
fn on_call_approval(rng: &mut SplitMix64) -> Approval {
    approval(
        vec!["synth/oncall-leads".to_owned()],
        1,
        *rng.choose(&[30, 45, 60]).unwrap_or(&60),
        "Single approver: confirm the incident number, the diff and the rollback plan.",
    )
}

/// Staging (no approval), a production-like hotfix environment with a single approver, and production
/// with an approval of one or two of several reviewers and sometimes a wait timer.
pub fn environments(rng: &mut SplitMix64) -> Vec<Environment> {
    let reviewers: Vec<String> = ["release-managers", "sre", "product-owners", "security"]
        .iter()
        .take(rng.between(2, 4) as usize)
        .map(|team| format!("synth/{team}"))
        .collect();
    let required = rng.between(1, 2);
    vec![
        Environment {
            id: Id::new(STAGING),
            name: "Staging".to_owned(),
            kind: EnvironmentKind::Staging,
            production_like: false,
            approval: None,
            wait_timer_minutes: 0,
            allowed_branches: vec![
                "main".to_owned(),
                "develop".to_owned(),
                "release/*".to_owned(),
            ],
            regions: Vec::new(),
        },
        Environment {
            id: Id::new(HOTFIX),
            name: "Hotfix".to_owned(),
            kind: EnvironmentKind::Hotfix,
            production_like: true,
            approval: Some(on_call_approval(rng)),
            wait_timer_minutes: 0,
            allowed_branches: vec!["hotfix/*".to_owned()],
            regions: Vec::new(),
        },
        Environment {
            id: Id::new(PRODUCTION),
            name: "Production".to_owned(),
            kind: EnvironmentKind::Production,
            production_like: true,
            approval: Some(approval(
                reviewers,
                required,
                *rng.choose(&[240, 720, 1440]).unwrap_or(&720),
                "Check the release notes, the staging soak and the error budget.",
            )),
            wait_timer_minutes: *rng.choose(&[0, 0, 10, 30]).unwrap_or(&0),
            allowed_branches: vec![
                "main".to_owned(),
                "release/*".to_owned(),
                "hotfix/*".to_owned(),
            ],
            regions: Vec::new(),
        },
    ]
}

/// `count` regions from a seeded starting point in the list of Azure regions, each with a validation
/// window; past the end of the list, region names repeat with a number.
pub fn regions(count: usize, rng: &mut SplitMix64) -> Vec<Region> {
    let all = names::REGIONS.len();
    let start = rng.below(all);
    (0..count)
        .map(|n| {
            let (location, name) = names::REGIONS[(start + n) % all];
            let (id, name) = match n / all {
                0 => (location.to_owned(), name.to_owned()),
                round => (
                    format!("{location}-{}", round + 1),
                    format!("{name} {}", round + 1),
                ),
            };
            Region {
                id: Id::new(id),
                name,
                location: location.to_owned(),
                validation_minutes: *rng.choose(&[10, 15, 20, 30]).unwrap_or(&10),
            }
        })
        .collect()
}

/// A traffic route in front of production when it runs in two regions or more: Front Door moving users
/// in weighted steps, or Traffic Manager switching blue-green.
pub fn traffic(regions: &[Region], rng: &mut SplitMix64) -> Vec<TrafficRoute> {
    if regions.len() < 2 {
        return Vec::new();
    }
    let endpoints = regions
        .iter()
        .map(|r| RegionEndpoint {
            region: r.id.clone(),
            endpoint: format!("app-{}", r.id),
            weight: 1,
        })
        .collect();
    let (router, shift) = if rng.chance(50) {
        (
            TrafficRouter::FrontDoor {
                resource_group: "rg-edge".into(),
                profile: "synth-fd".into(),
                origin_group: "app".into(),
            },
            TrafficShift::Weighted {
                steps: rng
                    .choose(&[vec![10, 50], vec![25], vec![5, 25, 50]])
                    .cloned()
                    .unwrap_or_default(),
                soak_minutes: *rng.choose(&[5, 10, 15]).unwrap_or(&10),
            },
        )
    } else {
        (
            TrafficRouter::TrafficManager {
                resource_group: "rg-edge".into(),
                profile: "synth-tm".into(),
                dns_ttl_seconds: *rng.choose(&[30, 60, 300]).unwrap_or(&60),
            },
            TrafficShift::BlueGreen,
        )
    };
    vec![TrafficRoute {
        id: Id::new("edge"),
        name: "Edge".into(),
        environment: Id::new(PRODUCTION),
        router,
        endpoints,
        shift,
    }]
}

/// Quality gates: an alert gate on the whole release; often a REST probe of the first region and a
/// SonarQube gate on one API.
pub fn gates(services: &[Service], regions: &[Region], rng: &mut SplitMix64) -> Vec<QualityGate> {
    let in_region = if regions.is_empty() { "" } else { "-{region}" };
    let mut gates = vec![QualityGate {
        id: Id::new("error-alerts"),
        name: "No error alerts".into(),
        applies_to: GateScope::Release,
        check: GateCheck::AzureMonitorAlerts {
            scope: format!(
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring-{{environment}}{in_region}"
            ),
            alert_rules: vec!["http-5xx-rate".into(), "latency-p95".into()],
        },
        timeout_minutes: *rng.choose(&[10, 15, 20]).unwrap_or(&10),
        interval_seconds: 60,
        on_failure: GateFailure::RollBack,
    }];
    if let Some(first) = regions.first()
        && rng.chance(50)
    {
        gates.push(QualityGate {
            id: Id::new("smoke-probe"),
            name: "Smoke probe".into(),
            applies_to: GateScope::Region(first.id.clone()),
            check: GateCheck::Rest {
                url: "https://probes.synth.example/{environment}/{region}/smoke".into(),
                expected_status: 200,
                json_path: "result.state".into(),
                json_equals: "pass".into(),
            },
            timeout_minutes: 10,
            interval_seconds: 30,
            on_failure: if rng.chance(50) {
                GateFailure::RollBack
            } else {
                GateFailure::Stop
            },
        });
    }
    let apis: Vec<&Service> = services.iter().filter(|s| s.tier == Tier::Api).collect();
    if let Some(api) = rng.choose(&apis)
        && rng.chance(50)
    {
        gates.push(QualityGate {
            id: Id::new(format!("{}-quality", api.id)),
            name: format!("{} quality gate", api.name),
            applies_to: GateScope::Service(api.id.clone()),
            check: GateCheck::SonarQube {
                server_url: "https://sonarcloud.io".into(),
                project_key: format!("synth_{}", api.id),
                token_secret: "SONAR_TOKEN".into(),
            },
            timeout_minutes: 10,
            interval_seconds: 30,
            on_failure: GateFailure::Stop,
        });
    }
    gates
}

/// Retries with exponential backoff within the platforms' limits, to production.
pub fn rollout(rng: &mut SplitMix64) -> RolloutPolicy {
    RolloutPolicy {
        environment: Id::new(PRODUCTION),
        promote_through: Vec::new(),
        retry: RetryPolicy {
            attempts: rng.between(3, 5),
            initial_delay_seconds: *rng.choose(&[10, 20, 30, 60]).unwrap_or(&30),
            backoff_factor: *rng.choose(&[1.5, 2.0, 3.0]).unwrap_or(&2.0),
            max_delay_seconds: *rng.choose(&[300, 600, 900]).unwrap_or(&600),
        },
        on_failure: if rng.chance(70) {
            FailureAction::RollbackRegion
        } else {
            FailureAction::HaltWave
        },
        gates: Vec::new(),
        traffic: Vec::new(),
    }
}

/// One hotfix runbook per 25 services (at least one, at most [`MAX_RUNBOOKS`]), each for a different
/// user-facing service and a few of its neighbours, cycling through the branching models.
pub fn runbooks(services: &[Service], rng: &mut SplitMix64) -> Vec<HotfixRunbook> {
    let mut candidates: Vec<usize> = (0..services.len())
        .filter(|&i| matches!(services[i].tier, Tier::Api | Tier::Gateway | Tier::Frontend))
        .collect();
    if candidates.is_empty() {
        candidates = (0..services.len()).collect();
    }
    rng.shuffle(&mut candidates);
    let count = (1 + services.len() / 25)
        .min(MAX_RUNBOOKS)
        .min(candidates.len());
    let models = [
        BranchingModel::GitFlow,
        BranchingModel::TrunkBased,
        BranchingModel::ReleaseBranch,
    ];
    let first_model = rng.below(models.len());
    (0..count)
        .map(|n| {
            let primary = &services[candidates[n]];
            let mut deployed = vec![primary.id.clone()];
            for _ in 0..rng.below(3) {
                if let Some(&other) = rng.choose(&candidates)
                    && !deployed.contains(&services[other].id)
                {
                    deployed.push(services[other].id.clone());
                }
            }
            let branching = models[(first_model + n) % models.len()];
            let release = format!("release/2025.{}", rng.between(1, 12));
            let (source_ref, merge_back) = match branching {
                BranchingModel::GitFlow => (
                    "main".to_owned(),
                    vec!["main".to_owned(), "develop".to_owned()],
                ),
                BranchingModel::TrunkBased => ("main".to_owned(), vec!["main".to_owned()]),
                BranchingModel::ReleaseBranch => {
                    (release.clone(), vec![release, "main".to_owned()])
                }
            };
            let mut skips = vec![
                ReleaseCheck::FullRegression,
                ReleaseCheck::StagingSoak,
                ReleaseCheck::LowerEnvironments,
            ];
            if rng.chance(50) {
                skips.push(ReleaseCheck::PerformanceTests);
            }
            HotfixRunbook {
                id: Id::new(format!("{}-hotfix", primary.id)),
                name: format!("{} hotfix", primary.name),
                severity: if rng.chance(40) {
                    IncidentSeverity::P0
                } else {
                    IncidentSeverity::P1
                },
                branching,
                source_ref,
                branch_pattern: "hotfix/*".to_owned(),
                services: deployed,
                critical_tests: Some(TimedCommand {
                    command: format!("make test-critical SERVICE={}", primary.id),
                    budget_minutes: 2,
                }),
                security_scan: Some(TimedCommand {
                    command: "make security-scan".to_owned(),
                    budget_minutes: 1,
                }),
                approval: Some(on_call_approval(rng)),
                environment: Id::new(HOTFIX),
                skips,
                keeps: vec![ReleaseCheck::SmokeTests],
                monitoring_minutes: *rng.choose(&[60, 120, 180]).unwrap_or(&60),
                incident_bridge: format!("#inc-{}", primary.id),
                merge_back,
                backfill: Some(TimedCommand {
                    command: "make test-full".to_owned(),
                    budget_minutes: rng.between(30, 90),
                }),
            }
        })
        .collect()
}
