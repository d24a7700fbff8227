//! Editing a service: identity and tier, then target, strategy, health check, probes, draining,
//! position.

use egui::Ui;

use super::widgets as w;
use crate::edit::defaults;
use crate::plan::{
    BatchSize, DatabaseEngine, DeployTarget, HealthCheck, Probes, Service, Strategy, Tier,
};

/// Edits what a service is: its name and tier (the caller handles its id, and shows its
/// dependencies next, before [`details_ui`]).
pub fn identity_ui(ui: &mut Ui, service: &mut Service) {
    w::text(ui, "Name", &mut service.name);
    let tiers: Vec<(Tier, &str)> = Tier::ALL.iter().map(|t| (*t, t.label())).collect();
    w::choice(ui, "Tier", &mut service.tier, &tiers);
}

/// Edits how a service deploys: target, strategy, health, traffic and its canvas position.
pub fn details_ui(ui: &mut Ui, service: &mut Service) {
    w::list_heading(ui, "Deployment target");
    target_ui(ui, &mut service.target);

    w::list_heading(ui, "Strategy");
    strategy_ui(ui, &mut service.strategy);

    w::list_heading(ui, "Health");
    w::optional(
        ui,
        "Health check",
        &mut service.health_check,
        defaults::health_check,
        health_check_ui,
    );
    probes_ui(ui, &mut service.probes);

    w::list_heading(ui, "Traffic");
    w::optional(
        ui,
        "Connection draining",
        &mut service.draining_timeout_seconds,
        || 30,
        |ui, seconds| {
            w::number(ui, "Draining timeout", seconds, " s", 0..=3600);
        },
    );
    w::check(ui, "Holds WebSocket connections", &mut service.websockets);

    w::list_heading(ui, "Canvas position");
    w::number(ui, "X", &mut service.position.x, "", -1.0e6..=1.0e6);
    w::number(ui, "Y", &mut service.position.y, "", -1.0e6..=1.0e6);
}

#[derive(Clone, Copy, PartialEq)]
enum TargetKind {
    AppService,
    Kubernetes,
    StaticSite,
    Database,
    Script,
}

fn target_ui(ui: &mut Ui, target: &mut DeployTarget) {
    let kind = match target {
        DeployTarget::AppService { .. } => TargetKind::AppService,
        DeployTarget::Kubernetes { .. } => TargetKind::Kubernetes,
        DeployTarget::StaticSite { .. } => TargetKind::StaticSite,
        DeployTarget::Database { .. } => TargetKind::Database,
        DeployTarget::Script { .. } => TargetKind::Script,
    };
    let mut chosen = kind;
    w::choice(
        ui,
        "Collection",
        &mut chosen,
        &[
            (TargetKind::AppService, "App Service"),
            (TargetKind::Kubernetes, "Kubernetes"),
            (TargetKind::StaticSite, "static site"),
            (TargetKind::Database, "database"),
            (TargetKind::Script, "script"),
        ],
    );
    if chosen != kind {
        *target = switch_target(target, chosen);
    }
    match target {
        DeployTarget::AppService {
            app,
            resource_group,
            slot,
        } => {
            w::text(ui, "App", app);
            w::text(ui, "Resource group", resource_group);
            w::optional(
                ui,
                "Deployment slot",
                slot,
                || "staging".to_owned(),
                |ui, slot| {
                    w::text(ui, "Slot", slot);
                },
            );
        }
        DeployTarget::Kubernetes {
            cluster,
            resource_group,
            namespace,
            deployment,
            manifests,
        } => {
            w::text(ui, "Cluster", cluster);
            w::text(ui, "Resource group", resource_group);
            w::text(ui, "Namespace", namespace);
            w::text(ui, "Deployment", deployment);
            w::string_list(ui, "Manifests", manifests, "k8s/deployment.yaml");
        }
        DeployTarget::StaticSite {
            storage_account,
            resource_group,
            source_dir,
        } => {
            w::text(ui, "Storage account", storage_account);
            w::text(ui, "Resource group", resource_group);
            w::text(ui, "Source folder", source_dir);
        }
        DeployTarget::Database {
            engine,
            server,
            database,
            resource_group,
            global,
        } => {
            let engines: Vec<(DatabaseEngine, &str)> = DatabaseEngine::ALL
                .iter()
                .map(|e| (*e, e.label()))
                .collect();
            w::choice(ui, "Engine", engine, &engines);
            w::text(ui, "Server", server);
            w::text(ui, "Database", database);
            w::text(ui, "Resource group", resource_group);
            w::check(ui, "One global (geo-replicated) instance", global);
        }
        DeployTarget::Script {
            command,
            rollback_command,
        } => {
            w::text(ui, "Command", command);
            w::optional(
                ui,
                "Rollback command",
                rollback_command,
                String::new,
                |ui, rollback| {
                    w::text(ui, "Rollback", rollback);
                },
            );
        }
    }
}

/// A target of another kind, keeping the resource group where both kinds have one.
fn switch_target(old: &DeployTarget, kind: TargetKind) -> DeployTarget {
    let group = match old {
        DeployTarget::AppService { resource_group, .. }
        | DeployTarget::Kubernetes { resource_group, .. }
        | DeployTarget::StaticSite { resource_group, .. }
        | DeployTarget::Database { resource_group, .. } => resource_group.clone(),
        DeployTarget::Script { .. } => "rg-{environment}-{region}".to_owned(),
    };
    match kind {
        TargetKind::AppService => DeployTarget::AppService {
            app: String::new(),
            resource_group: group,
            slot: Some("staging".to_owned()),
        },
        TargetKind::Kubernetes => DeployTarget::Kubernetes {
            cluster: String::new(),
            resource_group: group,
            namespace: "default".to_owned(),
            deployment: String::new(),
            manifests: Vec::new(),
        },
        TargetKind::StaticSite => DeployTarget::StaticSite {
            storage_account: String::new(),
            resource_group: group,
            source_dir: "dist".to_owned(),
        },
        TargetKind::Database => DeployTarget::Database {
            engine: DatabaseEngine::AzureSql,
            server: String::new(),
            database: String::new(),
            resource_group: group,
            global: false,
        },
        TargetKind::Script => DeployTarget::Script {
            command: String::new(),
            rollback_command: None,
        },
    }
}

#[derive(Clone, Copy, PartialEq)]
enum StrategyKind {
    SlotSwap,
    Rolling,
    BlueGreen,
    Canary,
    RunOnce,
}

fn strategy_ui(ui: &mut Ui, strategy: &mut Strategy) {
    let kind = match strategy {
        Strategy::SlotSwap => StrategyKind::SlotSwap,
        Strategy::Rolling { .. } => StrategyKind::Rolling,
        Strategy::BlueGreen => StrategyKind::BlueGreen,
        Strategy::Canary { .. } => StrategyKind::Canary,
        Strategy::RunOnce => StrategyKind::RunOnce,
    };
    let mut chosen = kind;
    w::choice(
        ui,
        "Strategy",
        &mut chosen,
        &[
            (StrategyKind::SlotSwap, "slot swap"),
            (StrategyKind::Rolling, "rolling"),
            (StrategyKind::BlueGreen, "blue-green"),
            (StrategyKind::Canary, "canary"),
            (StrategyKind::RunOnce, "run once"),
        ],
    );
    if chosen != kind {
        *strategy = match chosen {
            StrategyKind::SlotSwap => Strategy::SlotSwap,
            StrategyKind::Rolling => defaults::rolling(),
            StrategyKind::BlueGreen => Strategy::BlueGreen,
            StrategyKind::Canary => defaults::canary(),
            StrategyKind::RunOnce => Strategy::RunOnce,
        };
    }
    match strategy {
        Strategy::Rolling { batch } => {
            let (mut percent, mut amount) = match *batch {
                BatchSize::Instances(n) => (false, n),
                BatchSize::Percent(p) => (true, p),
            };
            w::choice(
                ui,
                "Batch counted in",
                &mut percent,
                &[(false, "instances"), (true, "percent")],
            );
            let unit = if percent { "%" } else { " instances" };
            w::number(ui, "Batch size", &mut amount, unit, 0..=10_000);
            *batch = if percent {
                BatchSize::Percent(amount)
            } else {
                BatchSize::Instances(amount)
            };
        }
        Strategy::Canary { increments } => {
            w::percent_list(ui, "Traffic steps", increments, |_| 100);
        }
        Strategy::SlotSwap | Strategy::BlueGreen | Strategy::RunOnce => {}
    }
}

fn health_check_ui(ui: &mut Ui, check: &mut HealthCheck) {
    w::text(ui, "Path", &mut check.path);
    w::optional(
        ui,
        "Explicit base URL",
        &mut check.base_url,
        || "https://".to_owned(),
        |ui, url| {
            w::text(ui, "Base URL", url);
        },
    );
    w::number(
        ui,
        "Expected status",
        &mut check.expected_status,
        "",
        100..=599,
    );
    w::number(ui, "Timeout", &mut check.timeout_seconds, " s", 1..=600);
    w::number(ui, "Retries", &mut check.retries, "", 0..=100);
    w::number(ui, "Interval", &mut check.interval_seconds, " s", 1..=600);
}

fn probes_ui(ui: &mut Ui, probes: &mut Probes) {
    for (label, slot) in [
        ("Readiness probe", &mut probes.readiness),
        ("Liveness probe", &mut probes.liveness),
        ("Startup probe", &mut probes.startup),
    ] {
        w::optional(ui, label, slot, defaults::probe, |ui, probe| {
            w::text(ui, "Path", &mut probe.path);
            w::number(ui, "Port", &mut probe.port, "", 1..=65_535);
            w::number(
                ui,
                "Initial delay",
                &mut probe.initial_delay_seconds,
                " s",
                0..=3600,
            );
            w::number(ui, "Period", &mut probe.period_seconds, " s", 1..=3600);
            w::number(
                ui,
                "Failure threshold",
                &mut probe.failure_threshold,
                "",
                1..=100,
            );
        });
    }
}
