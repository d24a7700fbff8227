//! New objects as the app creates them: unique ids, and defaults that already follow the plan's rules
//! where they can (a health-checked service, a hotfix runbook that keeps tests, a scan and an approval).

use crate::plan::Collection;
use crate::plan::{
    Approval, BatchSize, BranchingModel, DeployTarget, Environment, EnvironmentKind, HealthCheck,
    HotfixRunbook, Id, IncidentSeverity, Migration, Plan, Position, Probe, Probes, Region,
    ReleaseCheck, Service, Strategy, Tier, TimedCommand, TimeoutAction,
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

/// A new API service at `position`: an App Service with a staging slot, swapped in, health-checked.
pub fn new_service(plan: &Plan, position: Position) -> Service {
    let id = unique_id(plan, Collection::Service, "service");
    Service {
        name: format!("Service {}", plan.services.len() + 1),
        tier: Tier::Api,
        target: DeployTarget::AppService {
            app: format!("{}-{{region}}", id),
            resource_group: "rg-{region}".to_owned(),
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
/// contract step to fill in.
pub fn new_migration(plan: &Plan) -> Migration {
    let database = plan
        .services
        .iter()
        .find(|s| s.tier == Tier::Database)
        .map_or_else(|| Id::new(""), |s| s.id.clone());
    Migration {
        id: unique_id(plan, Collection::Migration, "migration"),
        name: "New migration".to_owned(),
        database,
        expand: vec![crate::plan::MigrationStep {
            description: "Add the new schema beside the old".to_owned(),
            command: "./db/migrate.sh expand".to_owned(),
        }],
        contract: vec![crate::plan::MigrationStep {
            description: "Drop what old code needed".to_owned(),
            command: "./db/migrate.sh contract".to_owned(),
        }],
        consumers: Vec::new(),
    }
}

/// A new test environment without protection rules.
pub fn new_environment(plan: &Plan) -> Environment {
    Environment {
        id: unique_id(plan, Collection::Environment, "environment"),
        name: "New environment".to_owned(),
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
    let id = unique_id(plan, Collection::Region, "region");
    Region {
        name: "New region".to_owned(),
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
    HotfixRunbook {
        id: unique_id(plan, Collection::Runbook, "hotfix"),
        name: "New hotfix".to_owned(),
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
        assert_eq!(plan.services[5].id, Id::new("service-3"));
    }

    #[test]
    fn new_objects_add_no_errors_to_a_clean_plan() {
        let mut plan = templates::starter("s");
        plan.services.push(new_service(&plan, Position::default()));
        plan.runbooks.push(new_runbook(&plan));
        plan.regions.push(new_region(&plan));
        plan.environments.push(new_environment(&plan));
        let mut migration = new_migration(&plan);
        migration.consumers = vec![Id::new("api")];
        plan.migrations.push(migration);
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
