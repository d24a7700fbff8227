//! The deployment details of synthetic services: a target and strategy that fit the tier (and that the
//! analysis accepts together), a health check on everything but databases, probes on Kubernetes, and
//! connection draining wherever WebSockets are cut by a swap or a rolling update.

use super::rng::SplitMix64;
use super::topology::Skeleton;
use crate::plan::{
    BatchSize, DatabaseEngine, DeployTarget, HealthCheck, Id, Position, Probe, Probes, Service,
    Strategy, Tier,
};

/// Canary traffic steps the generator picks from; each rises strictly to 100.
const CANARY_STEPS: &[&[u32]] = &[
    &[10, 50, 100],
    &[5, 25, 50, 100],
    &[20, 100],
    &[1, 10, 50, 100],
];

/// The resource group a service of `tier` lives in, per region.
fn resource_group(tier: Tier) -> &'static str {
    match tier {
        Tier::Infrastructure => "rg-synth-platform-{region}",
        Tier::Database => "rg-synth-data-{region}",
        Tier::Frontend | Tier::Other => "rg-synth-web-{region}",
        Tier::Worker | Tier::Api | Tier::Gateway => "rg-synth-apps-{region}",
    }
}

/// How a service is hosted, before the strategy is chosen.
enum Hosting {
    Script,
    Database,
    StaticSite,
    AppService,
    Kubernetes,
}

/// A complete service for `skeleton`, at `position`.
pub fn service(skeleton: &Skeleton, position: Position, rng: &mut SplitMix64) -> Service {
    let hosting = match skeleton.tier {
        Tier::Infrastructure => Hosting::Script,
        Tier::Database => Hosting::Database,
        Tier::Worker => Hosting::Kubernetes,
        Tier::Api | Tier::Gateway if rng.chance(50) => Hosting::AppService,
        Tier::Api | Tier::Gateway => Hosting::Kubernetes,
        Tier::Frontend if rng.chance(60) => Hosting::StaticSite,
        Tier::Frontend => Hosting::AppService,
        Tier::Other if rng.chance(50) => Hosting::StaticSite,
        Tier::Other => Hosting::Script,
    };
    let id = &skeleton.id;
    let (target, strategy) = target_and_strategy(skeleton, hosting, rng);
    let kubernetes = matches!(target, DeployTarget::Kubernetes { .. });
    let websockets = matches!(skeleton.tier, Tier::Gateway | Tier::Api) && rng.chance(15);
    // WebSocket connections need draining behind any switch, a router's as much as a slot swap's.
    let draining_timeout_seconds = match &strategy {
        _ if websockets => Some(rng.between(30, 120)),
        Strategy::RunOnce => None,
        _ => rng.chance(60).then(|| rng.between(10, 60)),
    };
    Service {
        id: Id::new(id.clone()),
        name: skeleton.name.clone(),
        tier: skeleton.tier,
        health_check: (skeleton.tier != Tier::Database).then(|| health_check(id, &target, rng)),
        probes: if kubernetes {
            probes(rng)
        } else {
            Probes::default()
        },
        target,
        strategy,
        draining_timeout_seconds,
        websockets,
        position,
    }
}

/// Where and how a service of `hosting` deploys: a target and a strategy the analysis accepts together.
fn target_and_strategy(
    skeleton: &Skeleton,
    hosting: Hosting,
    rng: &mut SplitMix64,
) -> (DeployTarget, Strategy) {
    let id = &skeleton.id;
    let group = resource_group(skeleton.tier).to_owned();
    match hosting {
        Hosting::Script => (
            DeployTarget::Script {
                command: format!(
                    "./deploy/{id}.sh --environment {{environment}} --region {{region}}"
                ),
                rollback_command: Some(format!(
                    "./deploy/{id}.sh --rollback --environment {{environment}} --region {{region}}"
                )),
            },
            Strategy::RunOnce,
        ),
        Hosting::Database => (
            DeployTarget::Database {
                engine: *rng
                    .choose(&[
                        DatabaseEngine::AzureSql,
                        DatabaseEngine::PostgreSql,
                        DatabaseEngine::MySql,
                    ])
                    .unwrap_or(&DatabaseEngine::AzureSql),
                server: format!("sql-synth-{id}-{{environment}}-{{region}}"),
                database: id.trim_end_matches("-db").to_owned(),
                resource_group: group,
                global: false,
            },
            Strategy::RunOnce,
        ),
        Hosting::StaticSite => (
            DeployTarget::StaticSite {
                storage_account: format!("st{}{{environment}}{{region}}", storage_stem(id)),
                resource_group: group,
                source_dir: format!("web/{id}/dist"),
            },
            Strategy::RunOnce,
        ),
        Hosting::AppService => {
            let strategy = match rng.below(3) {
                0 => Strategy::SlotSwap,
                1 => Strategy::BlueGreen,
                _ => canary(rng),
            };
            let slot = if strategy == Strategy::SlotSwap {
                "staging"
            } else {
                "green"
            };
            (
                DeployTarget::AppService {
                    app: format!("app-synth-{id}-{{environment}}-{{region}}"),
                    resource_group: group,
                    slot: Some(slot.to_owned()),
                },
                strategy,
            )
        }
        Hosting::Kubernetes => {
            // Kubernetes rolls (canary and blue-green are App Service slot strategies in Cutover).
            let strategy = match rng.below(5) {
                0 => Strategy::RunOnce,
                _ => Strategy::Rolling {
                    batch: if rng.chance(50) {
                        BatchSize::Percent(*rng.choose(&[20, 25, 34, 50]).unwrap_or(&25))
                    } else {
                        BatchSize::Instances(rng.between(1, 3))
                    },
                },
            };
            (
                DeployTarget::Kubernetes {
                    cluster: "aks-synth-{environment}-{region}".to_owned(),
                    resource_group: group,
                    namespace: namespace(skeleton),
                    deployment: id.clone(),
                    manifests: vec![format!("deploy/k8s/{id}.yaml")],
                },
                strategy,
            )
        }
    }
}

/// Up to 12 lowercase letters and digits of `id`, as Azure storage account names allow.
fn storage_stem(id: &str) -> String {
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn canary(rng: &mut SplitMix64) -> Strategy {
    Strategy::Canary {
        increments: rng.choose(CANARY_STEPS).copied().unwrap_or(&[100]).to_vec(),
    }
}

/// The Kubernetes namespace: the service's domain for domain services, its tier otherwise.
fn namespace(skeleton: &Skeleton) -> String {
    match skeleton.tier {
        Tier::Worker | Tier::Api => skeleton
            .id
            .rsplit_once('-')
            .map_or_else(|| skeleton.id.clone(), |(stem, _)| stem.to_owned()),
        Tier::Gateway => "edge".to_owned(),
        _ => "web".to_owned(),
    }
}

/// A health check that fits the target: App Service apps answer on their default host name; everything
/// else names its base URL.
fn health_check(id: &str, target: &DeployTarget, rng: &mut SplitMix64) -> HealthCheck {
    let (path, base_url) = match target {
        DeployTarget::AppService { .. } => ("/health".to_owned(), None),
        DeployTarget::StaticSite {
            storage_account, ..
        } => (
            "/".to_owned(),
            Some(format!("https://{storage_account}.z6.web.core.windows.net")),
        ),
        DeployTarget::Kubernetes { deployment, .. } => (
            format!("/{deployment}/healthz"),
            Some("https://ops-{environment}-{region}.synth.example".to_owned()),
        ),
        DeployTarget::Script { .. } | DeployTarget::Database { .. } => (
            format!("/{id}/status"),
            Some("https://platform-{environment}-{region}.synth.example".to_owned()),
        ),
    };
    HealthCheck {
        path,
        base_url,
        expected_status: 200,
        timeout_seconds: *rng.choose(&[5, 10, 15]).unwrap_or(&10),
        retries: rng.between(5, 12),
        interval_seconds: *rng.choose(&[10, 15, 20]).unwrap_or(&15),
    }
}

/// Readiness and liveness probes, and a startup probe for some slow starters.
fn probes(rng: &mut SplitMix64) -> Probes {
    let probe = |path: &str, initial_delay_seconds, period_seconds, failure_threshold| Probe {
        path: path.to_owned(),
        port: 8080,
        initial_delay_seconds,
        period_seconds,
        failure_threshold,
    };
    Probes {
        readiness: Some(probe("/healthz/ready", rng.between(2, 10), 10, 3)),
        liveness: Some(probe("/healthz/live", 0, 15, 3)),
        startup: rng
            .chance(30)
            .then(|| probe("/healthz/live", 0, 5, rng.between(12, 60))),
    }
}
