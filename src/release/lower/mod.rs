//! Lowering a checked plan to the release IR: the one place where stage order, gates, waits, retries,
//! sign-in and rollback are decided.
//!
//! Release: the stages follow the analysis' deployment order exactly, wave by wave — a wave starts when
//! the one before it has finished — so `cutover order` prints the groups the pipelines run. Each
//! environment of the promotion path asks for its own approval before its first wave; contract phases
//! come last, behind the approval of the last environment.
//!
//! Hotfix: build, critical tests and security scan side by side (restricted to the runbook's branch),
//! then the runbook's approver, then the affected services in dependency order, environment by
//! environment and region by region, with health gates and rollback; then enhanced monitoring,
//! merge-back and the backfill suite.
//!
//! Deployments are calls of deployment templates ([`templates`]), one per kind of target, written once
//! per plan; migrations run through the script library against each region's database.

mod gates;
mod hotfix;
mod migrations;
mod release;
mod templates;
#[cfg(test)]
mod test_support;
mod traffic;

use std::collections::BTreeSet;

use super::ir::{
    EnvironmentSpec, Job, Pipeline, PlaceRollback, ReleaseIr, Stage, StageRole, Step, Value, Work,
};
use super::library::LibraryCommand;
use crate::analysis::{ServiceGraph, deployment_order};
pub use crate::plan::file_stem;
use crate::plan::{Environment, Id, Plan, RetryPolicy, sanitise_identifier};
use templates::{TemplateKind, TemplateSet};

/// Seconds a canary observes each traffic increment before the health check.
pub const CANARY_OBSERVE_SECONDS: u32 = 120;
/// GitHub-hosted runners stop a job after six hours; no generated job asks for more
/// (<https://docs.github.com/en/actions/reference/limits>).
const MAX_JOB_MINUTES: u32 = 360;

/// Why a plan could not be lowered. Analysis errors are reported before lowering; these are the
/// collisions only visible in generated names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// Two environments the pipelines need share a name but differ in protection.
    #[error(
        "environment name `{0}` is needed twice with different protection; rename one environment or runbook"
    )]
    EnvironmentCollision(String),
    /// The dependencies form a cycle, so no pipeline order exists.
    #[error("the plan's dependencies form a cycle")]
    Cycle,
    /// The rollout names no environment the plan has.
    #[error("the rollout's environment is not in the plan")]
    NoEnvironment,
}

/// Lowers `plan` (which must have no analysis errors) to the IR.
pub fn lower(plan: &Plan) -> Result<ReleaseIr, LowerError> {
    let graph = ServiceGraph::new(plan);
    let order = deployment_order(plan, &graph).ok_or(LowerError::Cycle)?;
    let mut environments = EnvironmentSet::default();
    let mut templates = TemplateSet::new(plan);
    let release::LoweredRelease {
        pipeline: release,
        place_rollbacks,
        gate_places,
    } = release::release_pipeline(plan, &graph, &order, &mut environments, &mut templates)?;
    let hotfixes = plan
        .runbooks
        .iter()
        .map(|runbook| {
            hotfix::hotfix_pipeline(plan, &graph, runbook, &mut environments, &mut templates)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let artifacts_dir = &plan.platforms.build.artifacts_dir;
    let mut release = release;
    let mut hotfixes = hotfixes;
    for pipeline in std::iter::once(&mut release).chain(hotfixes.iter_mut()) {
        keep_site_files(pipeline, artifacts_dir);
    }
    Ok(ReleaseIr {
        plan_name: plan.name.clone(),
        stem: file_stem(&plan.name),
        platforms: plan.platforms.clone(),
        templates: templates.into_templates(),
        release,
        hotfixes,
        environments: environments.specs,
        place_rollbacks,
        gates: gates::summaries(plan, &gate_places),
    })
}

/// Static sites are built into folders of the checkout, but their deployments start from a fresh
/// checkout with only the artifact: the build keeps every folder a deployment of `pipeline` uploads
/// under the artifact's `site-files/`, and each deployment uploads that copy.
fn keep_site_files(pipeline: &mut Pipeline, artifacts_dir: &str) {
    let kept = |dir: &str| {
        format!(
            "{}/{}/{dir}",
            artifacts_dir.trim_end_matches('/'),
            crate::release::library::SITE_FILES
        )
    };
    let mut dirs: Vec<String> = Vec::new();
    for stage in &mut pipeline.stages {
        let Work::Deploy(call) = std::sync::Arc::make_mut(&mut stage.work) else {
            continue;
        };
        if call.template != TemplateKind::StaticSite.name() {
            continue;
        }
        for (name, value) in &mut call.arguments {
            if let (true, Value::Text(dir)) = (name == "source_dir", &mut *value) {
                if !dirs.contains(dir) {
                    dirs.push(dir.clone());
                }
                *dir = kept(dir);
            }
        }
    }
    if dirs.is_empty() {
        return;
    }
    let Some(steps) = pipeline.stages.iter_mut().find_map(|stage| {
        match std::sync::Arc::make_mut(&mut stage.work) {
            Work::Build { steps, .. } => Some(steps),
            _ => None,
        }
    }) else {
        return;
    };
    steps.push(Step::new(
        "Keep the static sites' built files in the artifact",
        crate::release::Phase::Deploy,
        vec![
            ("ARTIFACTS_DIR", text(artifacts_dir)),
            ("SITE_DIRS", text(dirs.join("\n"))),
        ],
        LibraryCommand::KeepSiteFiles,
    ));
}

/// A name safe as an environment name on both platforms: letters, digits, `-` and `_`.
pub fn environment_name(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "_".to_owned()
    } else {
        name
    }
}

/// The environments the pipelines need, deduplicated by name.
#[derive(Default)]
struct EnvironmentSet {
    specs: Vec<EnvironmentSpec>,
}

impl EnvironmentSet {
    fn add(&mut self, spec: EnvironmentSpec) -> Result<String, LowerError> {
        if let Some(existing) = self
            .specs
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&spec.name))
        {
            return if existing.approval == spec.approval
                && existing.wait_timer_minutes == spec.wait_timer_minutes
                && existing.branches == spec.branches
            {
                Ok(existing.name.clone())
            } else {
                Err(LowerError::EnvironmentCollision(spec.name))
            };
        }
        let name = spec.name.clone();
        self.specs.push(spec);
        Ok(name)
    }

    /// The deployment environment of `environment`: every deployment names it, and it carries the
    /// branch rules (approvals live on separate gate environments).
    fn deployments(&mut self, environment: &Environment) -> Result<String, LowerError> {
        self.add(EnvironmentSpec {
            name: environment_name(environment.id.as_str()),
            purpose: format!("{}: every deployment job names it", environment.name),
            approval: None,
            wait_timer_minutes: 0,
            branches: environment.allowed_branches.clone(),
        })
    }
}

/// Hands out stage ids that are unique (case-insensitively, as GitHub compares job ids).
#[derive(Default)]
struct StageIds {
    taken: BTreeSet<String>,
}

impl StageIds {
    fn allocate(&mut self, parts: &[&str]) -> String {
        let named: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|part| !part.is_empty())
            .collect();
        let base = sanitise_identifier(&named.join("_"));
        let mut candidate = base.clone();
        let mut counter = 2;
        while !self.taken.insert(candidate.to_ascii_lowercase()) {
            candidate = format!("{base}_{counter}");
            counter += 1;
        }
        candidate
    }
}

/// The stages of one pipeline while they are built.
#[derive(Default)]
struct Stages {
    ids: StageIds,
    stages: Vec<Stage>,
    /// What each place undoes after a failed quality gate (the release's rollback data).
    place_rollbacks: Vec<PlaceRollback>,
    /// Each quality gate's id with a place it is checked at, in order.
    gate_places: Vec<(Id, String)>,
}

impl Stages {
    /// Adds a stage with a fresh id made of `id_parts`; returns the id.
    fn push(
        &mut self,
        role: StageRole,
        id_parts: &[&str],
        title: String,
        depends_on: Vec<String>,
        work: Work,
    ) -> String {
        let id = self.ids.allocate(id_parts);
        self.stages.push(Stage {
            id: id.clone(),
            title,
            depends_on,
            role,
            deploys: None,
            contract_of: None,
            runs_when: Default::default(),
            work: std::sync::Arc::new(work),
        });
        id
    }

    /// The stage added last.
    fn last_mut(&mut self) -> Option<&mut Stage> {
        self.stages.last_mut()
    }

    /// The build stage: runs the plan's build command once and publishes the artifact. `first_steps`
    /// run before it (checks of the pipeline's inputs).
    fn build(&mut self, plan: &Plan, first_steps: Vec<Step>) -> String {
        let build = &plan.platforms.build;
        let mut steps = first_steps;
        steps.push(Step::new(
            "Build the release artifact",
            crate::release::Phase::Deploy,
            vec![("COMMAND", text(&build.command))],
            LibraryCommand::RunPlanCommand,
        ));
        self.push(
            StageRole::Build,
            &["build"],
            "Build".to_owned(),
            Vec::new(),
            Work::Build {
                steps,
                artifacts_dir: build.artifacts_dir.clone(),
            },
        )
    }
}

fn text(value: impl Into<String>) -> Value {
    Value::Text(value.into())
}

/// A job with plain steps (no environment, no sign-in, no rollback), limited to `timeout_minutes`.
fn plain_job(steps: Vec<Step>, timeout_minutes: u32) -> Job {
    Job {
        environment: None,
        signs_in: steps.iter().any(|s| s.command.signs_in()),
        needs_artifact: false,
        steps,
        rollback: None,
        timeout_minutes: Value::Number(timeout_minutes.min(MAX_JOB_MINUTES)),
        opens_pull_requests: false,
        health_gated: false,
        transient_retries: 0,
    }
}

/// Minutes the library's `retry` may sleep between the tries of one command at worst: the plan's
/// backoff from its first delay, each delay capped, once per retry (the same arithmetic as the
/// library's loop). A job that retries a command must have this time beside its own work.
fn retry_backoff_minutes(policy: &RetryPolicy) -> u32 {
    let cap = f64::from(policy.max_delay_seconds.max(policy.initial_delay_seconds));
    let mut delay = f64::from(policy.initial_delay_seconds);
    let mut total = 0.0;
    for _ in 1..policy.attempts.max(1) {
        total += delay;
        delay = (delay * policy.backoff_factor).min(cap).floor();
    }
    // Bounded by `check` (at most 10 retries of at most an hour), so this fits a u32.
    (total / 60.0).ceil().min(f64::from(u32::MAX)) as u32
}

/// The environment variables of the plan's retry policy, for library commands that retry.
fn retry_env(policy: &RetryPolicy) -> Vec<(&'static str, Value)> {
    vec![
        ("RETRY_ATTEMPTS", text(policy.attempts.max(1).to_string())),
        (
            "RETRY_DELAY_SECONDS",
            text(policy.initial_delay_seconds.to_string()),
        ),
        ("RETRY_BACKOFF", text(format_factor(policy.backoff_factor))),
        (
            "RETRY_MAX_DELAY_SECONDS",
            text(
                policy
                    .max_delay_seconds
                    .max(policy.initial_delay_seconds)
                    .to_string(),
            ),
        ),
    ]
}

fn format_factor(factor: f64) -> String {
    let factor = if factor.is_finite() && factor >= 1.0 {
        factor
    } else {
        1.0
    };
    let text = format!("{factor:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
