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

mod deploy;
mod hotfix;
mod release;

use deploy::{deployment_job, production_health};
use hotfix::hotfix_pipeline;
use release::{fallback_environment, release_pipeline};

use std::collections::{BTreeMap, BTreeSet};

use super::ir::*;
use super::scripts;
use crate::analysis::ServiceGraph;
use crate::plan::{
    Approval, BatchSize, BranchingModel, DeployTarget, Environment, EnvironmentKind, FailureAction,
    HealthCheck, HotfixRunbook, Migration, Plan, Region, RetryPolicy, Service, Strategy,
    sanitise_identifier,
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
    #[error(
        "environment name `{0}` is needed twice with different protection; rename one environment or runbook"
    )]
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
    Ok(ReleaseIr {
        plan_name: plan.name.clone(),
        platforms: plan.platforms.clone(),
        release,
        hotfixes,
        environments: environments.specs,
    })
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

/// A name safe as a file stem: lowercase letters, digits and `-`.
pub fn file_stem(text: &str) -> String {
    let stem: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        "plan".to_owned()
    } else {
        stem
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

/// What every pipeline's stages share while being built.
struct Builder<'a> {
    plan: &'a Plan,
    graph: &'a ServiceGraph,
    ids: StageIds,
    stages: Vec<Stage>,
}

impl<'a> Builder<'a> {
    fn new(plan: &'a Plan, graph: &'a ServiceGraph) -> Self {
        Self {
            plan,
            graph,
            ids: StageIds::default(),
            stages: Vec::new(),
        }
    }

    fn push(
        &mut self,
        role: StageRole,
        id: String,
        title: String,
        depends_on: Vec<String>,
        work: Work,
    ) -> String {
        self.stages.push(Stage {
            id: id.clone(),
            title,
            depends_on,
            deploys: None,
            contract_of: None,
            role,
            work,
        });
        id
    }

    fn build_stage(&mut self) -> String {
        let build = &self.plan.platforms.build;
        let id = self.ids.allocate(&["build"]);
        let step = ShellStep::new(
            "Build the release artifact",
            Phase::Deploy,
            vec![("COMMAND", text(&build.command))],
            &scripts::run_command(),
        );
        self.push(
            StageRole::Build,
            id,
            "Build".to_owned(),
            Vec::new(),
            Work::Build {
                steps: vec![step],
                artifacts_dir: build.artifacts_dir.clone(),
            },
        )
    }

    fn gate_stage(
        &mut self,
        id_parts: &[&str],
        title: String,
        depends_on: Vec<String>,
        gate: Gate,
    ) -> String {
        let id = self.ids.allocate(id_parts);
        self.push(StageRole::Approval, id, title, depends_on, Work::Gate(gate))
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
        let regions: Vec<Option<&Region>> = if self.plan.regions.is_empty() {
            vec![None]
        } else {
            self.plan.regions.iter().map(Some).collect()
        };
        let included: BTreeSet<usize> = services.iter().copied().collect();
        let dependencies: BTreeMap<usize, Vec<usize>> = services
            .iter()
            .map(|&s| (s, nearest_included_dependencies(self.graph, s, &included)))
            .collect();
        let has_dependents: BTreeSet<usize> = dependencies.values().flatten().copied().collect();
        let services = dependency_order(services, &dependencies);
        let mut wait = first_wait;
        let mut stage_of: BTreeMap<(usize, usize), String> = BTreeMap::new();
        for (region_index, region) in regions.iter().enumerate() {
            for &service in &services {
                let service_ref = &self.plan.services[service];
                let region_part = region.map_or("", |r| r.id.as_str());
                let id = self
                    .ids
                    .allocate(&["deploy", service_ref.id.as_str(), region_part]);
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
                let rollback_id =
                    self.ids
                        .allocate(&["rollback", service_ref.id.as_str(), region_part]);
                let job = deployment_job(
                    self.plan,
                    service_ref,
                    *region,
                    environment_name,
                    rollback_environment,
                    rollback_id,
                );
                let job = Job { production, ..job };
                let id = self.push(StageRole::Deploy, id, title, depends_on, Work::Job(job));
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
                    let title = format!(
                        "Validate {} for {} min",
                        region.name, region.validation_minutes
                    );
                    vec![self.push(
                        StageRole::Validate,
                        id,
                        title,
                        sinks,
                        Work::Soak {
                            minutes: region.validation_minutes,
                        },
                    )]
                }
                _ => sinks,
            };
        }
        DeployedRegions {
            stage_of,
            last_wait: wait,
        }
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
        health_gated: false,
        transient_retries: 0,
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
            if !placed.contains(&service)
                && dependencies[&service].iter().all(|d| placed.contains(d))
            {
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
fn nearest_included_dependencies(
    graph: &ServiceGraph,
    service: usize,
    included: &BTreeSet<usize>,
) -> Vec<usize> {
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
