//! Editing the other objects: environments (with approvals), regions, migrations, runbooks, and the
//! plan-wide settings (platforms, rollout policy).

use egui::Ui;

use super::widgets as w;
use crate::edit::defaults;
use crate::plan::{
    AgentPool, Approval, BranchingModel, Environment, EnvironmentKind, FailureAction,
    HotfixRunbook, IncidentSeverity, Migration, MigrationStep, Plan, PlatformSettings, Region,
    ReleaseCheck, RolloutPolicy, TimedCommand, TimeoutAction,
};

/// The objects a reference field can choose from.
pub struct Choices<'a> {
    /// The services.
    pub services: Vec<w::Choice<'a>>,
    /// The environments.
    pub environments: Vec<w::Choice<'a>>,
    /// The regions.
    pub regions: Vec<w::Choice<'a>>,
}

/// Edits an environment (not its id).
pub fn environment_ui(ui: &mut Ui, environment: &mut Environment) {
    w::text(ui, "Name", &mut environment.name);
    w::choice(
        ui,
        "Collection",
        &mut environment.kind,
        &[
            (EnvironmentKind::Development, "development"),
            (EnvironmentKind::Test, "test"),
            (EnvironmentKind::Staging, "staging"),
            (EnvironmentKind::Hotfix, "hotfix"),
            (EnvironmentKind::Production, "production"),
        ],
    );
    w::check(
        ui,
        "Production-like configuration",
        &mut environment.production_like,
    );
    w::number(
        ui,
        "Wait timer",
        &mut environment.wait_timer_minutes,
        " min",
        0..=100_000,
    );
    w::optional(
        ui,
        "Requires approval",
        &mut environment.approval,
        || defaults::approval("release-managers", 240),
        approval_ui,
    );
    w::string_list(
        ui,
        "Allowed branches",
        &mut environment.allowed_branches,
        "main",
    );
}

/// Edits an approval.
pub fn approval_ui(ui: &mut Ui, approval: &mut Approval) {
    w::string_list(ui, "Approvers", &mut approval.approvers, "approver");
    w::number(ui, "Approvals required", &mut approval.required, "", 0..=50);
    w::optional(
        ui,
        "Times out",
        &mut approval.timeout_minutes,
        || 240,
        |ui, minutes| {
            w::number(ui, "Timeout", minutes, " min", 1..=100_000);
        },
    );
    w::choice(
        ui,
        "On timeout",
        &mut approval.on_timeout,
        &[
            (TimeoutAction::Reject, "reject"),
            (TimeoutAction::Resume, "resume"),
        ],
    );
    w::check(
        ui,
        "Starter may not approve",
        &mut approval.prevent_self_review,
    );
    w::multiline(ui, "Instructions", &mut approval.instructions);
}

/// Edits a region (not its id).
pub fn region_ui(ui: &mut Ui, region: &mut Region) {
    w::text(ui, "Name", &mut region.name);
    w::text(ui, "Location", &mut region.location);
    w::number(
        ui,
        "Validation window",
        &mut region.validation_minutes,
        " min",
        0..=10_000,
    );
}

/// Edits a migration (not its id).
pub fn migration_ui(ui: &mut Ui, migration: &mut Migration, choices: &Choices) {
    w::text(ui, "Name", &mut migration.name);
    w::reference(ui, "Database", &mut migration.database, &choices.services);
    steps_ui(ui, "Expand steps", &mut migration.expand);
    steps_ui(ui, "Contract steps", &mut migration.contract);
    w::reference_list(ui, "Consumers", &mut migration.consumers, &choices.services);
}

fn steps_ui(ui: &mut Ui, label: &str, steps: &mut Vec<MigrationStep>) {
    w::list_heading(ui, label);
    ui.push_id(label, |ui| {
        ui.indent("steps", |ui| {
            let mut remove = None;
            for (index, step) in steps.iter_mut().enumerate() {
                ui.push_id(index, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(format!("Step {}", index + 1));
                        if ui
                            .small_button(crate::app::style::REMOVE_ICON)
                            .on_hover_text("Remove step")
                            .clicked()
                        {
                            remove = Some(index);
                        }
                    });
                    w::text(ui, "Description", &mut step.description);
                    w::text(ui, "Command", &mut step.command);
                });
            }
            if let Some(index) = remove {
                steps.remove(index);
            }
            if ui.small_button("+ Add step").clicked() {
                steps.push(MigrationStep {
                    description: String::new(),
                    command: String::new(),
                });
            }
        });
    });
}

/// Edits a hotfix runbook (not its id).
pub fn runbook_ui(ui: &mut Ui, runbook: &mut HotfixRunbook, choices: &Choices) {
    w::text(ui, "Name", &mut runbook.name);
    w::choice(
        ui,
        "Severity",
        &mut runbook.severity,
        &[
            (IncidentSeverity::P0, "P0 — production down"),
            (IncidentSeverity::P1, "P1 — major feature broken"),
        ],
    );
    w::choice(
        ui,
        "Branching model",
        &mut runbook.branching,
        &[
            (BranchingModel::GitFlow, BranchingModel::GitFlow.label()),
            (
                BranchingModel::TrunkBased,
                BranchingModel::TrunkBased.label(),
            ),
            (
                BranchingModel::ReleaseBranch,
                BranchingModel::ReleaseBranch.label(),
            ),
        ],
    );
    w::text(ui, "Starts from", &mut runbook.source_ref);
    w::text(ui, "Branch pattern", &mut runbook.branch_pattern);
    w::reference(
        ui,
        "Environment",
        &mut runbook.environment,
        &choices.environments,
    );
    w::reference_list(ui, "Services", &mut runbook.services, &choices.services);

    w::list_heading(ui, "Gates that stay");
    timed(
        ui,
        "Critical tests",
        &mut runbook.critical_tests,
        defaults::critical_tests,
    );
    timed(
        ui,
        "Security scan",
        &mut runbook.security_scan,
        defaults::security_scan,
    );
    w::optional(
        ui,
        "Approval",
        &mut runbook.approval,
        || defaults::approval("on-call-lead", 60),
        approval_ui,
    );

    checks_ui(ui, "Skips", &mut runbook.skips);
    checks_ui(ui, "Keeps", &mut runbook.keeps);

    w::list_heading(ui, "After the deploy");
    w::number(
        ui,
        "Enhanced monitoring",
        &mut runbook.monitoring_minutes,
        " min",
        0..=10_000,
    );
    w::text(ui, "Incident bridge", &mut runbook.incident_bridge);
    w::string_list(ui, "Merge back to", &mut runbook.merge_back, "main");
    timed(
        ui,
        "Backfill suite",
        &mut runbook.backfill,
        defaults::backfill,
    );
}

fn timed(ui: &mut Ui, label: &str, value: &mut Option<TimedCommand>, make: fn() -> TimedCommand) {
    w::optional(ui, label, value, make, |ui, timed| {
        w::text(ui, "Command", &mut timed.command);
        w::number(
            ui,
            "Time budget",
            &mut timed.budget_minutes,
            " min",
            0..=10_000,
        );
    });
}

const CHECKS: [ReleaseCheck; 6] = [
    ReleaseCheck::FullRegression,
    ReleaseCheck::StagingSoak,
    ReleaseCheck::LowerEnvironments,
    ReleaseCheck::Uat,
    ReleaseCheck::PerformanceTests,
    ReleaseCheck::SmokeTests,
];

fn checks_ui(ui: &mut Ui, label: &str, list: &mut Vec<ReleaseCheck>) {
    w::list_heading(ui, &format!("{label} of the standard release"));
    ui.push_id(label, |ui| {
        for check in CHECKS {
            let mut on = list.contains(&check);
            if w::check(ui, &format!("{label} {}", check.label()), &mut on).changed() {
                if on {
                    list.push(check);
                } else {
                    list.retain(|c| *c != check);
                }
            }
        }
    });
}

/// Edits the platform settings.
pub fn platforms_ui(ui: &mut Ui, settings: &mut PlatformSettings) {
    w::list_heading(ui, "Build");
    w::text(ui, "Build command", &mut settings.build.command);
    w::text(ui, "Artifacts folder", &mut settings.build.artifacts_dir);
    w::list_heading(ui, "Repository");
    w::text(ui, "Main branch", &mut settings.repository.main_branch);
    w::optional(
        ui,
        "Has a develop branch",
        &mut settings.repository.develop_branch,
        || "develop".to_owned(),
        |ui, branch| {
            w::text(ui, "Develop branch", branch);
        },
    );

    w::list_heading(ui, "Azure Pipelines");
    let azure = &mut settings.azure;
    w::text(ui, "Service connection", &mut azure.service_connection);
    let (mut named, mut pool) = match &azure.agent_pool {
        AgentPool::VmImage(image) => (false, image.clone()),
        AgentPool::Named(name) => (true, name.clone()),
    };
    w::choice(
        ui,
        "Agents",
        &mut named,
        &[
            (false, "Microsoft-hosted image"),
            (true, "self-hosted pool"),
        ],
    );
    w::text(ui, if named { "Pool name" } else { "VM image" }, &mut pool);
    azure.agent_pool = if named {
        AgentPool::Named(pool)
    } else {
        AgentPool::VmImage(pool)
    };
    w::text(ui, "Organisation URL", &mut azure.organization);
    w::text(ui, "Project", &mut azure.project);

    w::list_heading(ui, "GitHub Actions");
    let github = &mut settings.github;
    w::text(ui, "Runner", &mut github.runner);
    w::text(ui, "Repository (owner/name)", &mut github.repository);
    w::text(
        ui,
        "Client id variable",
        &mut github.credentials.client_id_variable,
    );
    w::text(
        ui,
        "Tenant id variable",
        &mut github.credentials.tenant_id_variable,
    );
    w::text(
        ui,
        "Subscription id variable",
        &mut github.credentials.subscription_id_variable,
    );
}

/// Edits the rollout policy of `plan` (a copy of which is `rollout`).
pub fn rollout_ui(ui: &mut Ui, plan: &Plan, rollout: &mut RolloutPolicy, choices: &Choices) {
    w::reference(
        ui,
        "Environment",
        &mut rollout.environment,
        &choices.environments,
    );
    w::list_heading(ui, "Retries of transient failures");
    let retry = &mut rollout.retry;
    w::number(ui, "Attempts", &mut retry.attempts, "", 0..=50);
    w::number(
        ui,
        "First delay",
        &mut retry.initial_delay_seconds,
        " s",
        0..=3600,
    );
    w::number(
        ui,
        "Backoff factor",
        &mut retry.backoff_factor,
        "×",
        0.0..=10.0,
    );
    w::number(
        ui,
        "Longest delay",
        &mut retry.max_delay_seconds,
        " s",
        0..=86_400,
    );
    w::choice(
        ui,
        "On failure",
        &mut rollout.on_failure,
        &[
            (
                FailureAction::RollbackRegion,
                "roll the region back, stop the wave",
            ),
            (FailureAction::HaltWave, "stop the wave, leave the region"),
        ],
    );
    super::gates::gates_ui(ui, plan, &mut rollout.gates, choices);
    super::traffic::traffic_ui(ui, plan, &mut rollout.traffic, choices);
}
