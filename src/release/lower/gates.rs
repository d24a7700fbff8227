//! Quality gates in the release: at the end of each environment (and, with regions, each region) the
//! gates that apply there are checked, one stage per gate, beside the region's validation window.
//! What comes next waits for them, so a failed gate never lets a later region or environment start.
//! When a gate that rolls back fails, one more stage undoes what that environment or region deployed,
//! newest first, with each deployment template's own guarded rollback steps (after switching traffic
//! back, when the place took users: see [`super::traffic`]).

use serde_json::Value as Json;

use super::templates::TemplateSet;
use super::{Stages, plain_job, retry_env, text};
use crate::plan::placeholder::{Place, resolve};
use crate::plan::{
    GateCheck, GateFailure, GateScope, Id, JsonPathSegment, Plan, QualityGate, json_path_segments,
};
use crate::release::ir::{
    GateSummary, Job, PlaceRollback, RollbackStep, RunsWhen, StageRole, Step, Value, Work,
};
use crate::release::library::LibraryCommand;

/// Minutes a gate's job may take beyond the gate's own timeout (sign-in, the last poll).
const GATE_JOB_SLACK_MINUTES: u32 = 10;
/// Minutes a rollback after a failed gate may take.
const ROLLBACK_MINUTES: u32 = 60;

/// One environment's (or one region's) end, where its gates are checked.
pub(super) struct BlockEnd<'a> {
    /// The environment and region, for placeholders.
    pub place: Place<'a>,
    /// The environment's and region's part of stage ids.
    pub id_parts: [&'a str; 2],
    /// ` — Production (West Europe)`, for titles.
    pub title_suffix: String,
    /// The deployment environment every job of the environment names.
    pub deployments: &'a str,
    /// The environment a rollback waits on for a person's approval (`HaltWave`).
    pub rollback_environment: Option<&'a str>,
    /// The services the block deployed.
    pub services: &'a [Id],
    /// The block's deployment stages, by their index in the pipeline's stages, in order.
    pub deploy_stages: &'a [usize],
}

/// The gates of `plan` that apply at `block`.
pub(super) fn gates_at<'p>(plan: &'p Plan, block: &BlockEnd<'_>) -> Vec<&'p QualityGate> {
    plan.rollout
        .gates
        .iter()
        .filter(|gate| match &gate.applies_to {
            GateScope::Release => true,
            GateScope::Service(service) => block.services.contains(service),
            GateScope::Region(region) => block.place.region == Some(region),
        })
        .collect()
}

/// The stages of a place's gates: all of them, and those whose failure rolls the place back.
#[derive(Default)]
pub(super) struct GateIds {
    /// Every gate stage.
    pub all: Vec<String>,
    /// The gate stages whose failure rolls the place back.
    pub rolling_back: Vec<String>,
}

/// Adds a stage per gate of `gates`, each waiting for `wait`; `suffix` tells apart the gates a place
/// checks more than once (beside each weighted traffic step), and is empty for the place's last
/// check, the one the runbook lists.
pub(super) fn gate_stages(
    plan: &Plan,
    gates: &[&QualityGate],
    block: &BlockEnd<'_>,
    wait: &[String],
    stages: &mut Stages,
    suffix: &str,
) -> GateIds {
    let mut ids = GateIds::default();
    for gate in gates {
        let [environment, region] = block.id_parts;
        let id = stages.push(
            StageRole::QualityGate,
            &["gate", gate.id.as_str(), suffix, environment, region],
            format!("Gate: {}{}", gate.name, block.title_suffix),
            wait.to_vec(),
            Work::Job(gate_job(plan, gate, block)),
        );
        if gate.on_failure == GateFailure::RollBack {
            ids.rolling_back.push(id.clone());
        }
        if suffix.is_empty() {
            stages
                .gate_places
                .push((gate.id.clone(), block.place_key()));
        }
        ids.all.push(id);
    }
    ids
}

/// The runbook's description of each gate of `plan`, with the places `gate_places` says it is
/// checked at.
pub(super) fn summaries(plan: &Plan, gate_places: &[(Id, String)]) -> Vec<GateSummary> {
    plan.rollout
        .gates
        .iter()
        .map(|gate| {
            let (check, secret) = match &gate.check {
                GateCheck::AzureMonitorAlerts { scope, alert_rules } => (
                    format!(
                        "{}: no alert of {} fires under {scope}",
                        gate.check.label(),
                        alert_rules.join(", ")
                    ),
                    None,
                ),
                GateCheck::SonarQube {
                    server_url,
                    project_key,
                    token_secret,
                } => (
                    format!(
                        "{}: project {project_key} on {server_url} passes",
                        gate.check.label()
                    ),
                    Some(token_secret.clone()),
                ),
                GateCheck::Rest {
                    url,
                    expected_status,
                    json_path,
                    json_equals,
                } => {
                    let field = if json_path.is_empty() {
                        String::new()
                    } else {
                        format!(" with {json_path} = {json_equals}")
                    };
                    (
                        format!(
                            "{}: {url} answers {expected_status}{field}",
                            gate.check.label()
                        ),
                        None,
                    )
                }
            };
            GateSummary {
                name: gate.name.clone(),
                check,
                places: gate_places
                    .iter()
                    .filter(|(id, _)| *id == gate.id)
                    .map(|(_, place)| place.clone())
                    .collect(),
                timeout_minutes: gate.timeout_minutes,
                interval_seconds: gate.interval_seconds,
                rolls_back: gate.on_failure == GateFailure::RollBack,
                secret,
            }
        })
        .collect()
}

/// The job checking `gate` at `block`.
fn gate_job(plan: &Plan, gate: &QualityGate, block: &BlockEnd<'_>) -> Job {
    let place = block.place;
    let mut env = vec![
        ("GATE_NAME", text(&gate.name)),
        (
            "GATE_TIMEOUT_MINUTES",
            text(gate.timeout_minutes.to_string()),
        ),
        (
            "GATE_INTERVAL_SECONDS",
            text(gate.interval_seconds.to_string()),
        ),
    ];
    let command = match &gate.check {
        GateCheck::AzureMonitorAlerts { scope, alert_rules } => {
            env.push(("ALERT_SCOPE", text(resolve(scope, place))));
            env.push(("ALERT_RULES", text(alert_rules.join("\n"))));
            env.extend(retry_env(&plan.rollout.retry));
            LibraryCommand::AlertsGate
        }
        GateCheck::SonarQube {
            server_url,
            project_key,
            token_secret,
        } => {
            env.push(("SONAR_URL", text(resolve(server_url, place))));
            env.push(("SONAR_PROJECT", text(project_key)));
            env.push(("SONAR_TOKEN", Value::Secret(token_secret.clone())));
            LibraryCommand::SonarQubeGate
        }
        GateCheck::Rest {
            url,
            expected_status,
            json_path,
            json_equals,
        } => {
            env.push(("GATE_URL", text(resolve(url, place))));
            env.push(("GATE_EXPECTED_STATUS", text(expected_status.to_string())));
            env.push(("GATE_JSON_PATH", text(json_path_array(json_path))));
            env.push(("GATE_JSON_EQUALS", text(json_equals)));
            LibraryCommand::RestGate
        }
    };
    let step = Step::new(
        format!("Check the gate: {}", gate.name),
        crate::release::Phase::PostRouteTraffic,
        env,
        command,
    );
    // `plain_job` caps the timeout at the longest job the platforms run.
    let mut job = plain_job(
        vec![step],
        gate.timeout_minutes.saturating_add(GATE_JOB_SLACK_MINUTES),
    );
    job.environment = Some(text(block.deployments));
    job
}

/// A REST gate's JSON path as the JSON array of keys and indexes `jq`'s `getpath` follows; empty
/// when the gate has no path (the analysis refuses a path it cannot read).
fn json_path_array(path: &str) -> String {
    let Some(segments) = json_path_segments(path) else {
        return String::new();
    };
    let array: Vec<Json> = segments
        .into_iter()
        .map(|segment| match segment {
            JsonPathSegment::Key(key) => Json::String(key),
            JsonPathSegment::Index(index) => Json::from(index),
        })
        .collect();
    Json::Array(array).to_string()
}

/// The stage undoing `block`'s deployments, newest first, when any of `failed` (gates and traffic
/// changes) failed, once `after` (the switches back) have run: one step of the library's
/// `rollback-place`, which reads what to undo from the rollback data (each deployment template's own
/// guarded rollback steps, with the call's values), so the stage stays one short job however many
/// services the place has.
pub(super) fn rollback_stage(
    block: &BlockEnd<'_>,
    failed: Vec<String>,
    after: Vec<String>,
    stages: &mut Stages,
    templates: &TemplateSet<'_>,
) {
    if failed.is_empty() {
        return;
    }
    let mut job_env: Vec<(String, Value)> = Vec::new();
    let mut steps = Vec::new();
    for stage in block.deploy_stages.iter().rev().map(|&i| &stages.stages[i]) {
        let Work::Deploy(call) = &*stage.work else {
            continue;
        };
        for step in templates.rollback_steps(call) {
            let mut env = Vec::with_capacity(step.env.len());
            for (name, value) in step.env {
                match value {
                    Value::Text(text) => env.push((name, text)),
                    Value::Number(number) => env.push((name, number.to_string())),
                    // The run's own values (its build id) come from the job.
                    other => {
                        if !job_env.iter().any(|(n, _)| *n == name) {
                            job_env.push((name, other));
                        }
                    }
                }
            }
            steps.push(RollbackStep {
                title: format!("{}: {}", stage.title, step.name),
                command: step.command,
                env,
            });
        }
    }
    if steps.is_empty() {
        return;
    }
    let signs_in = steps.iter().any(|s| s.command.signs_in());
    let place = block.place_key();
    let mut step = Step::new(
        format!("Roll back what {place} deployed"),
        crate::release::Phase::Deploy,
        vec![("ROLLBACK_PLACE", text(&place))],
        LibraryCommand::RollbackPlace,
    );
    step.env.extend(job_env);
    stages.place_rollbacks.push(PlaceRollback { place, steps });
    let mut job = plain_job(vec![step], ROLLBACK_MINUTES);
    job.signs_in = signs_in;
    job.environment = Some(text(
        block.rollback_environment.unwrap_or(block.deployments),
    ));
    let [environment, region] = block.id_parts;
    let cause = if after.is_empty() {
        "a failed gate"
    } else {
        "a failed gate or traffic change"
    };
    let mut depends_on = failed.clone();
    depends_on.extend(after);
    stages.push(
        StageRole::GateRollback,
        &["rollback", environment, region],
        format!("Roll back after {cause}{}", block.title_suffix),
        depends_on,
        Work::Job(job),
    );
    if let Some(stage) = stages.last_mut() {
        stage.runs_when = RunsWhen::AnyFailed(failed);
    }
}

impl BlockEnd<'_> {
    /// The key of the block's place in the rollback data: `ENVIRONMENT` or `ENVIRONMENT/REGION`.
    pub(super) fn place_key(&self) -> String {
        match self.place.region {
            Some(region) => format!("{}/{region}", self.place.environment),
            None => self.place.environment.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ids as roles, northwind, waits_for};
    use crate::plan::{GateFailure, parse_plan};
    use crate::release::library::ROLLBACK_COMMANDS;
    use crate::release::{RunsWhen, StageRole};

    #[test]
    fn each_place_checks_the_gates_that_apply_there() {
        let ir = northwind();
        let gates: Vec<&str> = roles(&ir.release, StageRole::QualityGate)
            .into_iter()
            .filter(|g| !g.contains("_step"))
            .collect();
        // The release's alert gate and the Orders API's gate everywhere (staging in one region,
        // production in three); the probe only in West Europe (staging and production).
        assert_eq!(gates.len(), 4 + 4 + 2, "{gates:?}");
        assert!(gates.contains(&"gate_checkout_probe_production_westeurope"));
        assert!(!gates.contains(&"gate_checkout_probe_production_northeurope"));
    }

    #[test]
    fn a_later_place_waits_for_every_gate_of_the_place_before_it() {
        let ir = northwind();
        let release = &ir.release;
        for gate in roles(release, StageRole::QualityGate)
            .into_iter()
            .filter(|g| g.ends_with("production_westeurope"))
        {
            assert!(
                waits_for(
                    release,
                    "deploy_platform_infra_production_northeurope",
                    gate
                ),
                "North Europe starts without waiting for {gate}"
            );
        }
    }

    #[test]
    fn only_gates_that_roll_back_start_the_place_rollback_and_it_runs_only_on_their_failure() {
        let ir = northwind();
        let release = &ir.release;
        for stage in release
            .stages
            .iter()
            .filter(|s| s.role == StageRole::GateRollback)
        {
            let RunsWhen::AnyFailed(failed) = &stage.runs_when else {
                panic!("{} runs without a failed gate", stage.id);
            };
            assert!(failed.iter().all(|id| stage.depends_on.contains(id)));
            for gate in failed.iter().filter(|id| id.starts_with("gate_")) {
                assert!(
                    gate.starts_with("gate_error_alerts")
                        || gate.starts_with("gate_checkout_probe")
                );
            }
        }
        let stop = ir
            .release
            .stages
            .iter()
            .filter(|s| s.role == StageRole::GateRollback)
            .flat_map(|s| match &s.runs_when {
                RunsWhen::AnyFailed(ids) => ids.clone(),
                RunsWhen::AllSucceeded => Vec::new(),
            })
            .any(|id| id.starts_with("gate_orders_quality"));
        assert!(!stop, "a gate that stops must not roll back");
        assert!(matches!(
            parse_plan(
                include_str!("../../../examples/northwind-commerce.ron"),
                "n"
            )
            .expect("parses")
            .rollout
            .gates
            .iter()
            .find(|g| g.id.as_str() == "orders-quality")
            .map(|g| g.on_failure),
            Some(GateFailure::Stop)
        ));
    }

    #[test]
    fn a_place_rollback_undoes_every_deployment_there_newest_first_with_rollback_commands_only() {
        let ir = northwind();
        let place = ir
            .place_rollbacks
            .iter()
            .find(|p| p.place == "production/northeurope")
            .expect("North Europe's rollback");
        assert!(
            place
                .steps
                .iter()
                .all(|s| ROLLBACK_COMMANDS.contains(&s.command)),
            "{:?}",
            place.steps.iter().map(|s| s.command).collect::<Vec<_>>()
        );
        let position = |title: &str| {
            place
                .steps
                .iter()
                .position(|s| s.title.starts_with(title))
                .unwrap_or_else(|| panic!("no rollback of {title}"))
        };
        // The storefront deployed after the orders API, so it is undone first.
        assert!(
            position("Deploy Storefront (North Europe)")
                < position("Deploy Orders API (North Europe)")
        );
        assert!(
            place
                .steps
                .iter()
                .all(|s| s.env.iter().all(|(name, _)| name != "BUILD_ID")),
            "the build id is the run's, not data"
        );
    }
}
