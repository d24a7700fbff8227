//! Lowering a checked plan to the release IR: the one place where stage order, gates, waits, retries
//! and rollback are decided.
//!
//! Release: `build` and the production approval gate run first; expand migrations follow; then, region
//! by region, one stage per service whose `depends_on` mirrors the plan's dependencies, each region's
//! first stages waiting for the previous region's validation window; then the contract approval and
//! the contract migrations, which wait for every consumer's stage in every region.
//!
//! Hotfix: build, critical tests and security scan side by side (restricted to the runbook's branch),
//! then the runbook's approver, then the affected services in dependency order, region by region, with
//! health gates and rollback; then enhanced monitoring, merge-back and the backfill suite.

use std::collections::{BTreeMap, BTreeSet};

use super::ir::*;
use super::scripts;
use crate::analysis::ServiceGraph;
use crate::plan::{
    Approval, BatchSize, BranchingModel, DeployTarget, Environment, EnvironmentKind, FailureAction, HealthCheck, HotfixRunbook,
    Migration, Plan, Region, RetryPolicy, Service, Strategy, sanitise_identifier,
};

/// Seconds a canary observes each traffic increment before the health check.
pub const CANARY_OBSERVE_SECONDS: u32 = 120;
/// Hosted runners stop a job after six hours; no generated job asks for more.
const MAX_JOB_MINUTES: u32 = 360;

/// Why a plan could not be lowered. Analysis errors are reported before lowering; these are the
/// collisions only visible in generated names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// Two environments the pipelines need share a name but differ in protection.
    #[error("environment name `{0}` is needed twice with different protection; rename one environment or runbook")]
    EnvironmentCollision(String),
    /// The dependencies form a cycle, so no pipeline order exists.
    #[error("the plan's dependencies form a cycle")]
    Cycle,
}

/// Lowers `plan` (which must have no analysis errors) to the IR.
pub fn lower(plan: &Plan) -> Result<ReleaseIr, LowerError> {
    let graph = ServiceGraph::new(plan);
    if !graph.cycles().is_empty() {
        return Err(LowerError::Cycle);
    }
    let mut environments = EnvironmentSet::default();
    let release = release_pipeline(plan, &graph, &mut environments)?;
    let hotfixes = plan
        .runbooks
        .iter()
        .map(|runbook| hotfix_pipeline(plan, &graph, runbook, &mut environments))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ReleaseIr { plan_name: plan.name.clone(), release, hotfixes, environments: environments.specs })
}

/// A name safe as an environment name on both platforms: letters, digits, `-` and `_`.
pub fn environment_name(text: &str) -> String {
    let name: String = text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if name.is_empty() { "_".to_owned() } else { name }
}

/// A name safe as a file stem: lowercase letters, digits and `-`.
pub fn file_stem(text: &str) -> String {
    let stem: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() { "plan".to_owned() } else { stem }
}

/// The environments the pipelines need, deduplicated by name.
#[derive(Default)]
struct EnvironmentSet {
    specs: Vec<EnvironmentSpec>,
}

impl EnvironmentSet {
    fn add(&mut self, spec: EnvironmentSpec) -> Result<String, LowerError> {
        if let Some(existing) = self.specs.iter().find(|s| s.name.eq_ignore_ascii_case(&spec.name)) {
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
}

/// Hands out stage ids that are unique (case-insensitively, as GitHub compares job ids).
#[derive(Default)]
struct StageIds {
    taken: BTreeSet<String>,
}

impl StageIds {
    fn allocate(&mut self, parts: &[&str]) -> String {
        let base = sanitise_identifier(&parts.join("_"));
        let mut candidate = base.clone();
        let mut counter = 2;
        while !self.taken.insert(candidate.to_ascii_lowercase()) {
            candidate = format!("{base}_{counter}");
            counter += 1;
        }
        candidate
    }
}

/// What every pipeline's stages share while being built.
struct Builder<'a> {
    plan: &'a Plan,
    graph: &'a ServiceGraph,
    ids: StageIds,
    stages: Vec<Stage>,
}

impl<'a> Builder<'a> {
    fn new(plan: &'a Plan, graph: &'a ServiceGraph) -> Self {
        Self { plan, graph, ids: StageIds::default(), stages: Vec::new() }
    }

    fn push(&mut self, id: String, title: String, depends_on: Vec<String>, work: Work) -> String {
        self.stages.push(Stage { id: id.clone(), title, depends_on, deploys: None, contract_of: None, work });
        id
    }

    fn build_stage(&mut self) -> String {
        let build = &self.plan.platforms.build;
        let id = self.ids.allocate(&["build"]);
        let step =
            ShellStep::new("Build the release artifact", Phase::Deploy, vec![("COMMAND", text(&build.command))], &scripts::run_command());
        self.push(
            id,
            "Build".to_owned(),
            Vec::new(),
            Work::Build { steps: vec![step], artifacts_dir: build.artifacts_dir.clone() },
        )
    }

    fn gate_stage(&mut self, id_parts: &[&str], title: String, depends_on: Vec<String>, gate: Gate) -> String {
        let id = self.ids.allocate(id_parts);
        self.push(id, title, depends_on, Work::Gate(gate))
    }

    /// Deploys `services` (plan indices) region by region; returns the stages each region ends with.
    /// `first_wait` is what the first region's root stages wait for; each later region waits for the
    /// previous region's end (its soak stage when `soak` is set and the region has a window).
    fn deploy_regions(
        &mut self,
        services: &[usize],
        environment_name: &str,
        production: bool,
        rollback_environment: Option<&str>,
        first_wait: Vec<String>,
        soak: bool,
    ) -> DeployedRegions {
        let regions: Vec<Option<&Region>> =
            if self.plan.regions.is_empty() { vec![None] } else { self.plan.regions.iter().map(Some).collect() };
        let included: BTreeSet<usize> = services.iter().copied().collect();
        let dependencies: BTreeMap<usize, Vec<usize>> =
            services.iter().map(|&s| (s, nearest_included_dependencies(self.graph, s, &included))).collect();
        let has_dependents: BTreeSet<usize> = dependencies.values().flatten().copied().collect();
        let services = dependency_order(services, &dependencies);
        let mut wait = first_wait;
        let mut stage_of: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for (region_index, region) in regions.iter().enumerate() {
            for &service in &services {
                let service_ref = &self.plan.services[service];
                let region_part = region.map_or("", |r| r.id.as_str());
                let id = self.ids.allocate(&["deploy", service_ref.id.as_str(), region_part]);
                let mut depends_on: Vec<String> = dependencies[&service]
                    .iter()
                    .filter_map(|d| stage_of.get(&(*d, region_index)).cloned())
                    .collect();
                if depends_on.is_empty() {
                    depends_on = wait.clone();
                }
                let title = match region {
                    Some(region) => format!("Deploy {} ({})", service_ref.name, region.name),
                    None => format!("Deploy {}", service_ref.name),
                };
                let rollback_id = self.ids.allocate(&["rollback", service_ref.id.as_str(), region_part]);
                let job = deployment_job(
                    self.plan,
                    service_ref,
                    *region,
                    environment_name,
                    rollback_environment,
                    rollback_id,
                );
                let job = Job { production, ..job };
                let id = self.push(id, title, depends_on, Work::Job(job));
                if let Some(stage) = self.stages.last_mut() {
                    stage.deploys = Some((service_ref.id.clone(), region.map(|r| r.id.clone())));
                }
                stage_of.insert((service, region_index), id);
            }
            let sinks: Vec<String> = services
                .iter()
                .filter(|s| !has_dependents.contains(s))
                .map(|&s| stage_of[&(s, region_index)].clone())
                .collect();
            wait = match region {
                Some(region) if soak && region.validation_minutes > 0 => {
                    let id = self.ids.allocate(&["validate", region.id.as_str()]);
                    let title = format!("Validate {} for {} min", region.name, region.validation_minutes);
                    vec![self.push(id, title, sinks, Work::Soak { minutes: region.validation_minutes })]
                }
                _ => sinks,
            };
        }
        DeployedRegions { stage_of, last_wait: wait }
    }
}

/// The stages a set of deployments produced.
struct DeployedRegions {
    /// The stage deploying each (service, region index).
    stage_of: BTreeMap<(usize, usize), String>,
    /// What follows the last region waits for.
    last_wait: Vec<String>,
}

fn text(value: impl Into<String>) -> EnvValue {
    EnvValue::Text(value.into())
}

fn release_pipeline(plan: &Plan, graph: &ServiceGraph, environments: &mut EnvironmentSet) -> Result<Pipeline, LowerError> {
    let mut builder = Builder::new(plan, graph);
    let environment = plan.environment(&plan.rollout.environment).cloned().unwrap_or_else(|| fallback_environment(plan));
    let deploy_environment = environments.add(EnvironmentSpec {
        name: environment_name(environment.id.as_str()),
        purpose: format!("{}: every deployment job of the release names it", environment.name),
        approval: None,
        wait_timer_minutes: 0,
        branches: environment.allowed_branches.clone(),
    })?;
    let gate_environment = match &environment.approval {
        Some(approval) => Some((
            environments.add(EnvironmentSpec {
                name: format!("{}-approval", environment_name(environment.id.as_str())),
                purpose: format!("{}: the approval before the release and before contract", environment.name),
                approval: Some(approval.clone()),
                wait_timer_minutes: environment.wait_timer_minutes,
                branches: environment.allowed_branches.clone(),
            })?,
            approval.clone(),
        )),
        None => None,
    };
    let rollback_environment = match (plan.rollout.on_failure, &environment.approval) {
        (FailureAction::HaltWave, approval) => Some(environments.add(EnvironmentSpec {
            name: format!("{}-rollback", environment_name(environment.id.as_str())),
            purpose: format!("{}: a person approves rolling back a halted region", environment.name),
            approval: approval.clone(),
            wait_timer_minutes: 0,
            branches: environment.allowed_branches.clone(),
        })?),
        (FailureAction::RollbackRegion, _) => None,
    };

    let build = builder.build_stage();
    let mut start = vec![build];
    if let Some((gate_environment, approval)) = &gate_environment {
        let gate = Gate {
            environment: gate_environment.clone(),
            approval: approval.clone(),
            in_pipeline: false,
            wait_minutes: environment.wait_timer_minutes,
        };
        start.push(builder.gate_stage(&["approve", "release"], format!("Approve the release to {}", environment.name), Vec::new(), gate));
    }
    let mut expands = Vec::new();
    for migration in plan.migrations.iter().filter(|m| !m.expand.is_empty()) {
        let job = migration_job(plan, migration, MigrationPhase::Expand, &deploy_environment);
        let id = builder.ids.allocate(&["expand", migration.id.as_str()]);
        expands.push(builder.push(id, format!("Expand: {}", migration.name), start.clone(), Work::Job(job)));
    }
    let before_services = if expands.is_empty() { start } else { expands };

    let services: Vec<usize> = graph.services().collect();
    let deployed = builder.deploy_regions(
        &services,
        &deploy_environment,
        environment.kind == EnvironmentKind::Production,
        rollback_environment.as_deref(),
        before_services,
        true,
    );

    let contracts: Vec<&Migration> = plan.migrations.iter().filter(|m| !m.contract.is_empty()).collect();
    if !contracts.is_empty() {
        let contract_wait = match &gate_environment {
            Some((gate_environment, approval)) => {
                let gate = Gate { environment: gate_environment.clone(), approval: approval.clone(), in_pipeline: false, wait_minutes: 0 };
                vec![builder.gate_stage(
                    &["approve", "contract"],
                    "Approve the contract phase".to_owned(),
                    deployed.last_wait.clone(),
                    gate,
                )]
            }
            None => deployed.last_wait.clone(),
        };
        let region_count = plan.regions.len().max(1);
        for migration in contracts {
            let mut depends_on = contract_wait.clone();
            for consumer in &migration.consumers {
                if let Some(service) = graph.index_of(consumer) {
                    depends_on.extend((0..region_count).filter_map(|r| deployed.stage_of.get(&(service, r)).cloned()));
                }
            }
            let job = migration_job(plan, migration, MigrationPhase::Contract, &deploy_environment);
            let id = builder.ids.allocate(&["contract", migration.id.as_str()]);
            builder.push(id, format!("Contract: {}", migration.name), depends_on, Work::Job(job));
            if let Some(stage) = builder.stages.last_mut() {
                stage.contract_of = Some(migration.id.clone());
            }
        }
    }
    Ok(Pipeline {
        file_stem: format!("{}-release", file_stem(&plan.name)),
        title: format!("{} release", plan.name),
        kind: PipelineKind::Release,
        inputs: Vec::new(),
        branch_guard: None,
        stages: builder.stages,
    })
}

/// The environment used when the rollout names none (the analysis reports that as an error first).
fn fallback_environment(plan: &Plan) -> Environment {
    Environment {
        id: plan.rollout.environment.clone(),
        name: plan.rollout.environment.to_string(),
        kind: EnvironmentKind::Production,
        production_like: true,
        approval: None,
        wait_timer_minutes: 0,
        allowed_branches: Vec::new(),
    }
}

fn hotfix_pipeline(
    plan: &Plan,
    graph: &ServiceGraph,
    runbook: &HotfixRunbook,
    environments: &mut EnvironmentSet,
) -> Result<Pipeline, LowerError> {
    let mut builder = Builder::new(plan, graph);
    let environment = plan.environment(&runbook.environment).cloned().unwrap_or_else(|| fallback_environment(plan));
    let branches = vec![runbook.branch_pattern.clone()];
    let deploy_environment = environments.add(EnvironmentSpec {
        name: environment_name(environment.id.as_str()),
        purpose: format!("{}: deployments of hotfixes", environment.name),
        approval: None,
        wait_timer_minutes: 0,
        branches: environment.allowed_branches.clone(),
    })?;
    let approval = runbook.approval.clone().unwrap_or_else(|| Approval {
        approvers: Vec::new(),
        required: 1,
        timeout_minutes: None,
        on_timeout: crate::plan::TimeoutAction::Reject,
        prevent_self_review: true,
        instructions: String::new(),
    });
    let gate_environment = environments.add(EnvironmentSpec {
        name: format!("{}-approval", environment_name(runbook.id.as_str())),
        purpose: format!("{}: the single audited approval of the hotfix", runbook.name),
        approval: Some(approval.clone()),
        wait_timer_minutes: 0,
        branches: branches.clone(),
    })?;
    let rollback_environment = match plan.rollout.on_failure {
        FailureAction::HaltWave => Some(environments.add(EnvironmentSpec {
            name: format!("{}-rollback", environment_name(runbook.id.as_str())),
            purpose: format!("{}: a person approves rolling back a failed hotfix", runbook.name),
            approval: Some(approval.clone()),
            wait_timer_minutes: 0,
            branches: branches.clone(),
        })?),
        FailureAction::RollbackRegion => None,
    };

    let build = builder.build_stage();
    let mut checks = vec![build];
    for (parts, title, command) in [
        (["critical", "tests"], "Critical tests", &runbook.critical_tests),
        (["security", "scan"], "Security scan", &runbook.security_scan),
    ] {
        let Some(command) = command else { continue };
        let mut step = ShellStep::new(title, Phase::Deploy, vec![("COMMAND", text(&command.command))], &scripts::run_command());
        step.timeout_minutes = Some(command.budget_minutes.max(1));
        let job = plain_job(vec![step], command.budget_minutes + 10);
        let id = builder.ids.allocate(&parts);
        checks.push(builder.push(id, format!("{title} (budget {} min)", command.budget_minutes), Vec::new(), Work::Job(job)));
    }
    let gate = Gate { environment: gate_environment, approval, in_pipeline: true, wait_minutes: 0 };
    let approve = builder.gate_stage(&["approve", "hotfix"], format!("Approve hotfix {}", runbook.name), checks, gate);

    let services: Vec<usize> = runbook.services.iter().filter_map(|id| graph.index_of(id)).collect::<BTreeSet<_>>().into_iter().collect();
    let deployed = builder.deploy_regions(
        &services,
        &deploy_environment,
        environment.kind == EnvironmentKind::Production,
        rollback_environment.as_deref(),
        vec![approve],
        false,
    );
    let after_deploy = deployed.last_wait;

    let health_targets: Vec<String> = plan
        .regions
        .iter()
        .map(Some)
        .chain(plan.regions.is_empty().then_some(None))
        .flat_map(|region| services.iter().filter_map(move |&s| production_health(&plan.services[s], region)))
        .map(|(status, url)| format!("{status} {url}"))
        .collect();
    let mut monitor = ShellStep::new(
        "Enhanced monitoring",
        Phase::Deploy,
        vec![
            ("MONITOR_MINUTES", text(runbook.monitoring_minutes.to_string())),
            ("INCIDENT_BRIDGE", text(&runbook.incident_bridge)),
            ("INCIDENT", EnvValue::Input("incident".into())),
            ("HEALTH_TARGETS", text(health_targets.join("\n"))),
            ("HEALTH_EXPECTED_STATUS", text("200")),
            ("HEALTH_TIMEOUT_SECONDS", text("10")),
            ("HEALTH_RETRIES", text("3")),
            ("HEALTH_INTERVAL_SECONDS", text("20")),
        ],
        &scripts::enhanced_monitoring(),
    );
    monitor.timeout_minutes = Some(runbook.monitoring_minutes + 10);
    let id = builder.ids.allocate(&["monitor"]);
    builder.push(
        id,
        format!("Enhanced monitoring ({} min)", runbook.monitoring_minutes),
        after_deploy.clone(),
        Work::Job(plain_job(vec![monitor], runbook.monitoring_minutes + 20)),
    );

    let method = match runbook.branching {
        BranchingModel::GitFlow => "merge",
        BranchingModel::TrunkBased | BranchingModel::ReleaseBranch => "cherry-pick",
    };
    let merge = ShellStep::new(
        "Merge the fix back",
        Phase::Deploy,
        vec![
            ("MERGE_TARGETS", text(runbook.merge_back.join("\n"))),
            ("MERGE_METHOD", text(method)),
            ("SOURCE_BRANCH", EnvValue::SourceBranch),
        ],
        &scripts::merge_back(),
    );
    let mut merge_job = plain_job(vec![merge], 20);
    merge_job.opens_pull_requests = true;
    let id = builder.ids.allocate(&["merge", "back"]);
    builder.push(id, format!("Merge back ({method})"), after_deploy.clone(), Work::Job(merge_job));

    if let Some(backfill) = &runbook.backfill {
        let mut step = ShellStep::new("Backfill: full suite on the hotfix branch", Phase::Deploy, vec![("COMMAND", text(&backfill.command))], &scripts::run_command());
        step.timeout_minutes = Some(backfill.budget_minutes.max(1));
        let id = builder.ids.allocate(&["backfill"]);
        builder.push(
            id,
            format!("Post-incident backfill (budget {} min)", backfill.budget_minutes),
            after_deploy,
            Work::Job(plain_job(vec![step], backfill.budget_minutes + 15)),
        );
    }

    Ok(Pipeline {
        file_stem: format!("{}-hotfix-{}", file_stem(&plan.name), file_stem(runbook.id.as_str())),
        title: format!("{} hotfix: {}", plan.name, runbook.name),
        kind: PipelineKind::Hotfix { runbook: runbook.id.clone() },
        inputs: vec![PipelineInput {
            name: "incident".into(),
            description: "Incident id or link (for the audit trail)".into(),
            required: true,
        }],
        branch_guard: Some(runbook.branch_pattern.clone()),
        stages: builder.stages,
    })
}

fn plain_job(steps: Vec<ShellStep>, timeout_minutes: u32) -> Job {
    Job {
        production: false,
        environment: None,
        uses_azure: false,
        needs_artifact: false,
        steps,
        rollback: None,
        timeout_minutes: timeout_minutes.min(MAX_JOB_MINUTES),
        opens_pull_requests: false,
        transient_retries: 0,
        continue_on_error: false,
    }
}

/// `services` reordered so each comes after everything it depends on (plan order among equals). The
/// graph is acyclic, so every service is placed.
fn dependency_order(services: &[usize], dependencies: &BTreeMap<usize, Vec<usize>>) -> Vec<usize> {
    let mut placed = BTreeSet::new();
    let mut order = Vec::with_capacity(services.len());
    while order.len() < services.len() {
        let before = order.len();
        for &service in services {
            if !placed.contains(&service) && dependencies[&service].iter().all(|d| placed.contains(d)) {
                placed.insert(service);
                order.push(service);
            }
        }
        if order.len() == before {
            break;
        }
    }
    order
}

/// The services `service` must wait for among `included`: the nearest included ones along every
/// dependency path (a dependency outside the set is looked through).
fn nearest_included_dependencies(graph: &ServiceGraph, service: usize, included: &BTreeSet<usize>) -> Vec<usize> {
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = graph.dependencies_of(service).collect();
    while let Some(next) = stack.pop() {
        if !seen.insert(next) {
            continue;
        }
        if included.contains(&next) {
            found.insert(next);
        } else {
            stack.extend(graph.dependencies_of(next));
        }
    }
    found.into_iter().collect()
}

#[derive(Clone, Copy)]
enum MigrationPhase {
    Expand,
    Contract,
}

fn migration_job(plan: &Plan, migration: &Migration, phase: MigrationPhase, environment: &str) -> Job {
    let (steps, verb) = match phase {
        MigrationPhase::Expand => (&migration.expand, "expand"),
        MigrationPhase::Contract => (&migration.contract, "contract"),
    };
    let database_env: Vec<(&str, EnvValue)> = match plan.service(&migration.database).map(|s| &s.target) {
        Some(DeployTarget::Database { server, database, resource_group }) => vec![
            ("DATABASE_SERVER", text(server.replace("{region}", ""))),
            ("DATABASE_NAME", text(database.replace("{region}", ""))),
            ("RESOURCE_GROUP", text(resource_group.replace("{region}", ""))),
        ],
        _ => Vec::new(),
    };
    let steps = steps
        .iter()
        .map(|step| {
            let mut env = database_env.clone();
            env.push(("MIGRATION_PHASE", text(verb)));
            env.push(("COMMAND", text(&step.command)));
            ShellStep::new(format!("{verb}: {}", step.description), Phase::Deploy, env, &scripts::run_command())
        })
        .collect();
    Job {
        production: false,
        environment: Some(environment.to_owned()),
        uses_azure: true,
        needs_artifact: false,
        steps,
        rollback: None,
        timeout_minutes: 60,
        opens_pull_requests: false,
        transient_retries: 0,
        continue_on_error: false,
    }
}

fn retry_env(policy: &RetryPolicy) -> Vec<(&'static str, EnvValue)> {
    vec![
        ("RETRY_ATTEMPTS", text(policy.attempts.max(1).to_string())),
        ("RETRY_DELAY_SECONDS", text(policy.initial_delay_seconds.to_string())),
        ("RETRY_BACKOFF", text(format_factor(policy.backoff_factor))),
        ("RETRY_MAX_DELAY_SECONDS", text(policy.max_delay_seconds.max(policy.initial_delay_seconds).to_string())),
    ]
}

fn format_factor(factor: f64) -> String {
    let factor = if factor.is_finite() && factor >= 1.0 { factor } else { 1.0 };
    let text = format!("{factor:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn health_env(check: &HealthCheck, url: String) -> Vec<(&'static str, EnvValue)> {
    vec![
        ("HEALTH_URL", text(url)),
        ("HEALTH_EXPECTED_STATUS", text(check.expected_status.to_string())),
        ("HEALTH_TIMEOUT_SECONDS", text(check.timeout_seconds.max(1).to_string())),
        ("HEALTH_RETRIES", text(check.retries.to_string())),
        ("HEALTH_INTERVAL_SECONDS", text(check.interval_seconds.to_string())),
    ]
}

/// Minutes a health check may take at worst.
fn health_minutes(check: &HealthCheck) -> u32 {
    let seconds = (check.retries + 1) * (check.timeout_seconds + check.interval_seconds);
    seconds.div_ceil(60)
}

fn in_region(text: &str, region: Option<&Region>) -> String {
    text.replace("{region}", region.map_or("", |r| r.id.as_str()))
}

/// The production health URL of a service in a region, with the status it answers when healthy.
fn production_health(service: &Service, region: Option<&Region>) -> Option<(u16, String)> {
    let check = service.health_check.as_ref()?;
    let base = match (&check.base_url, &service.target) {
        (Some(base), _) => in_region(base, region),
        (None, DeployTarget::AppService { app, .. }) => format!("https://{}.azurewebsites.net", in_region(app, region)),
        (None, _) => return None,
    };
    Some((check.expected_status, join_url(&base, &check.path)))
}

/// Where the build leaves an App Service package: `ARTIFACTS_DIR/SERVICE_ID.zip`.
fn package_path(plan: &Plan, service: &Service) -> String {
    format!("{}/{}.zip", plan.platforms.build.artifacts_dir.trim_end_matches('/'), service.id)
}

fn join_url(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// The deployment job of one service in one region: steps per target and strategy, health gates, and
/// the guarded rollback the rollout policy asks for.
fn deployment_job(
    plan: &Plan,
    service: &Service,
    region: Option<&Region>,
    environment_name: &str,
    rollback_environment: Option<&str>,
    rollback_id: String,
) -> Job {
    let retry = retry_env(&plan.rollout.retry);
    let drain = service.draining_timeout_seconds.unwrap_or(0);
    let health = service.health_check.as_ref();
    let production_url = production_health(service, region).map(|(_, url)| url);
    let health_vars: Vec<(&str, EnvValue)> = match (health, &production_url) {
        (Some(check), Some(url)) => health_env(check, url.clone()),
        _ => Vec::new(),
    };
    let mut minutes = 20 + drain.div_ceil(60) + health.map_or(0, |c| 2 * health_minutes(c));
    let with = |extra: &[(&'static str, EnvValue)], more: &[(&'static str, EnvValue)]| -> Vec<(&'static str, EnvValue)> {
        extra.iter().chain(more).cloned().collect()
    };
    let build_id = ("BUILD_ID", EnvValue::RunId);
    let (steps, rollback_steps): (Vec<ShellStep>, Vec<ShellStep>) = match &service.target {
        DeployTarget::AppService { app, resource_group, slot: None } => {
            let env = vec![
                ("APP", text(in_region(app, region))),
                ("RESOURCE_GROUP", text(in_region(resource_group, region))),
                ("PACKAGE", text(package_path(plan, service))),
            ]
            .into_iter()
            .chain(retry.iter().cloned())
            .collect();
            let mut steps = vec![ShellStep::new("Deploy in place", Phase::Deploy, env, &scripts::app_service_deploy_in_place())];
            if !health_vars.is_empty() {
                steps.push(ShellStep::new("Health gate", Phase::PostRouteTraffic, health_vars.clone(), &scripts::health_gate()));
            }
            // No slot, no previous version to return to: the analysis refuses this in production.
            (steps, Vec::new())
        }
        DeployTarget::AppService { app, resource_group, slot: Some(slot) } => {
            let app = in_region(app, region);
            let slot = slot.clone();
            let target = vec![
                ("APP", text(&app)),
                ("RESOURCE_GROUP", text(in_region(resource_group, region))),
                ("SLOT", text(&slot)),
            ];
            let package = package_path(plan, service);
            let mut steps = vec![ShellStep::new(
                format!("Deploy to the {slot} slot"),
                Phase::Deploy,
                with(&target, &[("PACKAGE", text(package)), build_id.clone()])
                    .into_iter()
                    .chain(retry.iter().cloned())
                    .collect(),
                &scripts::app_service_deploy_to_slot(),
            )];
            if let Some(check) = health {
                let slot_url = join_url(&format!("https://{app}-{slot}.azurewebsites.net"), &check.path);
                steps.push(ShellStep::new(
                    format!("Health gate ({slot} slot)"),
                    Phase::Deploy,
                    health_env(check, slot_url),
                    &scripts::health_gate(),
                ));
            }
            let mut traffic_env = with(&target, &[("DRAIN_SECONDS", text(drain.to_string()))]);
            traffic_env.extend(retry.iter().cloned());
            match &service.strategy {
                Strategy::Canary { increments } => {
                    traffic_env.push(("CANARY_INCREMENTS", text(increments.iter().map(u32::to_string).collect::<Vec<_>>().join(" "))));
                    traffic_env.push(("CANARY_OBSERVE_SECONDS", text(CANARY_OBSERVE_SECONDS.to_string())));
                    traffic_env.extend(health_vars.iter().cloned());
                    minutes += increments.len() as u32 * (CANARY_OBSERVE_SECONDS / 60 + health.map_or(0, health_minutes));
                    steps.push(ShellStep::new(
                        format!("Canary {increments:?} % then swap"),
                        Phase::RouteTraffic,
                        traffic_env,
                        &scripts::app_service_canary(),
                    ));
                }
                _ => steps.push(ShellStep::new(
                    format!("Swap {slot} into production"),
                    Phase::RouteTraffic,
                    traffic_env,
                    &scripts::app_service_swap(),
                )),
            }
            if !health_vars.is_empty() {
                steps.push(ShellStep::new("Health gate (production)", Phase::PostRouteTraffic, health_vars.clone(), &scripts::health_gate()));
            }
            let mut rollback_env = with(&target, &[build_id.clone()]);
            rollback_env.extend(retry.iter().cloned());
            rollback_env.append(&mut health_fallback(&health_vars));
            let rollback = vec![ShellStep::new(
                "Swap back if production runs this build",
                Phase::Deploy,
                rollback_env,
                &scripts::app_service_rollback(),
            )];
            (steps, rollback)
        }
        DeployTarget::Kubernetes { cluster, resource_group, namespace, deployment, manifests } => {
            let target = vec![
                ("CLUSTER", text(in_region(cluster, region))),
                ("RESOURCE_GROUP", text(in_region(resource_group, region))),
                ("NAMESPACE", text(in_region(namespace, region))),
                ("DEPLOYMENT", text(in_region(deployment, region))),
            ];
            let rollout_seconds = 600;
            let max_unavailable = match &service.strategy {
                Strategy::Rolling { batch: BatchSize::Instances(count) } => count.to_string(),
                Strategy::Rolling { batch: BatchSize::Percent(percent) } => format!("{percent}%"),
                _ => String::new(),
            };
            let connect = ShellStep::new(
                "Connect to the cluster",
                Phase::Deploy,
                target.iter().cloned().chain(retry.iter().cloned()).collect(),
                &scripts::kubernetes_connect(),
            );
            let mut deploy_env = with(
                &target,
                &[
                    ("MANIFESTS", text(manifests.iter().map(|m| in_region(m, region)).collect::<Vec<_>>().join("\n"))),
                    ("MAX_UNAVAILABLE", text(max_unavailable)),
                    ("DRAIN_SECONDS", text(drain.to_string())),
                    ("ROLLOUT_TIMEOUT_SECONDS", text(rollout_seconds.to_string())),
                    build_id.clone(),
                ],
            );
            deploy_env.extend(retry.iter().cloned());
            let mut steps = vec![
                connect.clone(),
                ShellStep::new(format!("Roll out ({})", service.strategy.label()), Phase::Deploy, deploy_env, &scripts::kubernetes_deploy()),
            ];
            minutes += rollout_seconds / 60;
            if !health_vars.is_empty() {
                steps.push(ShellStep::new("Health gate", Phase::PostRouteTraffic, health_vars.clone(), &scripts::health_gate()));
            }
            let mut rollback_env =
                with(&target, &[("ROLLOUT_TIMEOUT_SECONDS", text(rollout_seconds.to_string())), build_id.clone()]);
            rollback_env.extend(retry.iter().cloned());
            let rollback = vec![
                connect,
                ShellStep::new("Undo the rollout if it is this build", Phase::Deploy, rollback_env, &scripts::kubernetes_rollback()),
            ];
            (steps, rollback)
        }
        DeployTarget::StaticSite { storage_account, resource_group: _, source_dir } => {
            let target = vec![("STORAGE_ACCOUNT", text(in_region(storage_account, region)))];
            let mut deploy_env = with(&target, &[("SOURCE_DIR", text(in_region(source_dir, region))), build_id.clone()]);
            deploy_env.extend(retry.iter().cloned());
            let mut steps = vec![ShellStep::new("Upload the site (keeping the previous copy)", Phase::Deploy, deploy_env, &scripts::static_site_deploy())];
            if !health_vars.is_empty() {
                steps.push(ShellStep::new("Health gate", Phase::PostRouteTraffic, health_vars.clone(), &scripts::health_gate()));
            }
            let mut rollback_env = with(&target, &[build_id.clone()]);
            rollback_env.extend(retry.iter().cloned());
            rollback_env.append(&mut health_fallback(&health_vars));
            let rollback = vec![ShellStep::new("Restore the previous site if it is this build", Phase::Deploy, rollback_env, &scripts::static_site_rollback())];
            (steps, rollback)
        }
        DeployTarget::Database { server, database, resource_group } => {
            let mut env = vec![
                ("SERVER", text(in_region(server, region))),
                ("DATABASE", text(in_region(database, region))),
                ("RESOURCE_GROUP", text(in_region(resource_group, region))),
            ];
            env.extend(retry.iter().cloned());
            // Nothing to roll back: the expand phase keeps the old schema working, and contract has not run.
            (vec![ShellStep::new("Check the database", Phase::Deploy, env, &scripts::database_check())], Vec::new())
        }
        DeployTarget::Script { command, rollback_command } => {
            let region_id = region.map_or_else(String::new, |r| r.id.to_string());
            let mut env = vec![("COMMAND", text(in_region(command, region))), ("REGION", text(&region_id))];
            env.extend(retry.iter().cloned());
            let mut steps = vec![ShellStep::new("Deploy (custom command)", Phase::Deploy, env, &scripts::run_command_with_retry())];
            if !health_vars.is_empty() {
                steps.push(ShellStep::new("Health gate", Phase::PostRouteTraffic, health_vars.clone(), &scripts::health_gate()));
            }
            let rollback = match rollback_command {
                Some(rollback) if !rollback.trim().is_empty() => {
                    let mut env = vec![("COMMAND", text(in_region(rollback, region))), ("REGION", text(region_id))];
                    env.extend(retry.iter().cloned());
                    vec![ShellStep::new("Roll back (custom command)", Phase::Deploy, env, &scripts::run_command_with_retry())]
                }
                _ => Vec::new(),
            };
            (steps, rollback)
        }
    };
    let rollback = (!rollback_steps.is_empty()).then(|| Rollback {
        id: rollback_id,
        steps: rollback_steps,
        approval_environment: rollback_environment.map(str::to_owned),
    });
    let needs_artifact = matches!(service.target, DeployTarget::AppService { .. } | DeployTarget::StaticSite { .. });
    Job {
        production: false,
        environment: Some(environment_name.to_owned()),
        uses_azure: !matches!(service.target, DeployTarget::Script { .. }),
        needs_artifact,
        steps,
        rollback,
        timeout_minutes: minutes.min(MAX_JOB_MINUTES),
        opens_pull_requests: false,
        transient_retries: plan.rollout.retry.attempts.saturating_sub(1).min(10),
        continue_on_error: false,
    }
}

/// Health variables for a rollback script that checks production afterwards; scripts without a health
/// check get a check of nothing skipped by an empty URL guard.
fn health_fallback(health_vars: &[(&'static str, EnvValue)]) -> Vec<(&'static str, EnvValue)> {
    if health_vars.is_empty() {
        vec![
            ("HEALTH_URL", text("")),
            ("HEALTH_EXPECTED_STATUS", text("200")),
            ("HEALTH_TIMEOUT_SECONDS", text("10")),
            ("HEALTH_RETRIES", text("0")),
            ("HEALTH_INTERVAL_SECONDS", text("0")),
        ]
    } else {
        health_vars.to_vec()
    }
}
