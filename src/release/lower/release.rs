//! The standard release pipeline, stage for stage from the deployment order: build; then, for each
//! environment of the promotion path, its approval and its waves (expand, deployments region by
//! region, validation windows); then the contract approval and the contract phases.

use super::gates::{BlockEnd, GateIds, gate_stages, gates_at, rollback_stage};
use super::migrations::{MigrationPhase, migration_job};
use super::templates::{CallSite, TemplateSet};
use super::traffic::{self, PlaceTraffic, RouteAt};
use super::{EnvironmentSet, LowerError, Stages, environment_name, file_stem};
use crate::analysis::{DeploymentOrder, ServiceGraph, Step as OrderStep, Wave};
use crate::plan::placeholder::Place;
use crate::plan::{Approval, Environment, FailureAction, Id, Plan};
use crate::release::ir::{
    EnvironmentSpec, Gate, Pipeline, PipelineKind, PlaceRollback, Placement, StageRole, Work,
};

/// What the release needs of one environment of its promotion path.
struct EnvironmentPlan<'a> {
    environment: &'a Environment,
    /// The deployment environment every job names.
    deployments: String,
    /// The environment carrying the approval, and the approval, when the environment has one.
    gate: Option<(String, Approval)>,
    /// The environment a halted region's rollback waits on (`HaltWave`).
    rollback: Option<String>,
}

/// The release pipeline, with what its quality gates need beside it.
pub(super) struct LoweredRelease {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// What each place undoes after a failed quality gate.
    pub place_rollbacks: Vec<PlaceRollback>,
    /// Each quality gate's id with a place it is checked at, in order.
    pub gate_places: Vec<(Id, String)>,
}

/// The release pipeline of `plan`, following `order`.
pub(super) fn release_pipeline(
    plan: &Plan,
    graph: &ServiceGraph,
    order: &DeploymentOrder,
    environments: &mut EnvironmentSet,
    templates: &mut TemplateSet<'_>,
) -> Result<LoweredRelease, LowerError> {
    let path = promotion(plan, environments)?;
    let last = path.last().ok_or(LowerError::NoEnvironment)?;
    let mut stages = Stages::default();
    let build = stages.build(plan, Vec::new());
    let mut wait = vec![build];
    let mut entered: Option<&Id> = None;
    let mut block = Block::default();
    let (contracts, waves): (Vec<&Wave>, Vec<&Wave>) = order
        .waves
        .iter()
        .partition(|wave| matches!(wave.steps.first(), Some(OrderStep::Contract { .. })));
    // The environments the release has deployed a region of: the next region there is not the lead.
    let mut led: Vec<Id> = Vec::new();
    for (index, wave) in waves.iter().enumerate() {
        let here = wave_environment(plan, wave, &path, last);
        if entered != Some(&here.environment.id) {
            let first = entered.is_none();
            entered = Some(&here.environment.id);
            if let Some(gate) = &here.gate {
                // The first environment's approval runs beside the build; later ones ask once the
                // environment before them has finished.
                if first {
                    let id = approval_stage(&mut stages, here, gate, Vec::new(), "release");
                    wait.push(id);
                } else {
                    wait = vec![approval_stage(&mut stages, here, gate, wait, "release")];
                }
            }
        }
        if block.is_new() {
            let site = WaveSite::new(here, path.len() > 1, &wait, graph);
            wait = block.start(plan, wave, &site, &mut led, &mut stages);
        }
        let ends_block = waves
            .get(index + 1)
            .is_none_or(|next| block.ends_before(next, &here.environment.id, plan, &path, last));
        let is_validation = matches!(wave.steps.first(), Some(OrderStep::Validate { .. }));
        if ends_block && is_validation {
            // Users move onto the region before its validation window, which then watches them.
            let site = WaveSite::new(here, path.len() > 1, &wait, graph);
            wait = block.shift(plan, &site, wait.clone(), &mut stages);
        }
        let site = WaveSite::new(here, path.len() > 1, &wait, graph);
        let ids = wave_stages(plan, wave, &site, &mut stages, templates);
        block.record(wave, &ids, &stages);
        if !ends_block {
            wait = finish_wave(&mut stages, index + 1, ids);
            continue;
        }
        wait = block.close(
            plan,
            &site,
            index + 1,
            ids,
            is_validation,
            &mut stages,
            templates,
        );
        block = Block::default();
    }
    let has_contracts = contracts.iter().any(|wave| !wave.steps.is_empty());
    let mut contract_wait = wait;
    if has_contracts && let Some(gate) = &last.gate {
        contract_wait = vec![approval_stage(
            &mut stages,
            last,
            gate,
            contract_wait,
            "contract",
        )];
    }
    for wave in contracts {
        for step in &wave.steps {
            contract_stage(plan, step, &path, &contract_wait, &mut stages);
        }
    }
    let pipeline = Pipeline {
        file_stem: format!("{}-release", file_stem(&plan.name)),
        title: format!("{} release", plan.name),
        kind: PipelineKind::Release,
        inputs: Vec::new(),
        branch_guard: None,
        stages: stages.stages,
        chain: None,
    };
    Ok(LoweredRelease {
        pipeline,
        place_rollbacks: stages.place_rollbacks,
        gate_places: stages.gate_places,
    })
}

/// The environments of the promotion path, with the platform environments each one needs.
fn promotion<'a>(
    plan: &'a Plan,
    environments: &mut EnvironmentSet,
) -> Result<Vec<EnvironmentPlan<'a>>, LowerError> {
    let path = plan.promotion_path();
    let mut out = Vec::with_capacity(path.len());
    for environment in path {
        let name = environment_name(environment.id.as_str());
        let deployments = environments.deployments(environment)?;
        let gate = match &environment.approval {
            Some(approval) => Some((
                environments.add(EnvironmentSpec {
                    name: format!("{name}-approval"),
                    purpose: format!(
                        "{}: the approval before the release deploys there and before contract",
                        environment.name
                    ),
                    approval: Some(approval.clone()),
                    wait_timer_minutes: environment.wait_timer_minutes,
                    branches: environment.allowed_branches.clone(),
                })?,
                approval.clone(),
            )),
            None => None,
        };
        let rollback = match plan.rollout.on_failure {
            FailureAction::HaltWave => Some(environments.add(EnvironmentSpec {
                name: format!("{name}-rollback"),
                purpose: format!(
                    "{}: a person approves rolling back a halted region",
                    environment.name
                ),
                approval: environment.approval.clone(),
                wait_timer_minutes: 0,
                branches: environment.allowed_branches.clone(),
            })?),
            FailureAction::RollbackRegion => None,
        };
        out.push(EnvironmentPlan {
            environment,
            deployments,
            gate,
            rollback,
        });
    }
    Ok(out)
}

/// The environment a wave's steps run in (the rollout environment when the plan does not promote).
fn wave_environment<'p, 'a>(
    plan: &Plan,
    wave: &Wave,
    path: &'p [EnvironmentPlan<'a>],
    last: &'p EnvironmentPlan<'a>,
) -> &'p EnvironmentPlan<'a> {
    let named = wave.steps.first().and_then(|step| match step {
        OrderStep::Expand { environment, .. }
        | OrderStep::Deploy { environment, .. }
        | OrderStep::Validate { environment, .. }
        | OrderStep::Contract { environment, .. } => environment.as_ref(),
    });
    let id = named.unwrap_or(&plan.rollout.environment);
    path.iter()
        .find(|e| &e.environment.id == id)
        .unwrap_or(last)
}

/// An approval gate of `here`, waiting for `depends_on`; `purpose` names it (`release`, `contract`).
fn approval_stage(
    stages: &mut Stages,
    here: &EnvironmentPlan<'_>,
    (gate, approval): &(String, Approval),
    depends_on: Vec<String>,
    purpose: &str,
) -> String {
    let environment = here.environment;
    let title = match purpose {
        "contract" => "Approve the contract phase".to_owned(),
        _ => format!("Approve the release to {}", environment.name),
    };
    stages.push(
        StageRole::Approval,
        &["approve", purpose, environment.id.as_str()],
        title,
        depends_on,
        Work::Gate(Gate {
            environment: gate.clone(),
            approval: approval.clone(),
            in_pipeline: false,
            wait_minutes: if purpose == "contract" {
                0
            } else {
                environment.wait_timer_minutes
            },
        }),
    )
}

/// Where the stages of one wave go: the environment, whether the release promotes (then ids and titles
/// name the environment), and what the wave waits for.
struct WaveSite<'w, 'p> {
    here: &'w EnvironmentPlan<'p>,
    promoting: bool,
    wait: &'w [String],
    graph: &'w ServiceGraph,
}

impl<'w, 'p> WaveSite<'w, 'p> {
    /// Where the stages of a wave of `here` go, waiting for `wait`.
    fn new(
        here: &'w EnvironmentPlan<'p>,
        promoting: bool,
        wait: &'w [String],
        graph: &'w ServiceGraph,
    ) -> Self {
        Self {
            here,
            promoting,
            wait,
            graph,
        }
    }

    /// The environment's part of a stage id (empty when the release does not promote).
    fn id_part(&self) -> &str {
        if self.promoting {
            self.here.environment.id.as_str()
        } else {
            ""
        }
    }

    /// `title`, naming the environment when the release promotes.
    fn title(&self, title: String) -> String {
        if self.promoting {
            format!("{title} — {}", self.here.environment.name)
        } else {
            title
        }
    }

    fn place<'a>(&'a self, region: Option<&'a Id>) -> Place<'a> {
        Place {
            environment: &self.here.environment.id,
            region,
        }
    }
}

/// The stages of one wave, each waiting for what `site` says; returns their ids.
fn wave_stages(
    plan: &Plan,
    wave: &Wave,
    site: &WaveSite<'_, '_>,
    stages: &mut Stages,
    templates: &mut TemplateSet<'_>,
) -> Vec<String> {
    let wait = site.wait;
    wave.steps
        .iter()
        .filter_map(|step| match step {
            OrderStep::Expand {
                migration, region, ..
            } => expand_stage(plan, site, migration, region.as_ref(), stages),
            OrderStep::Deploy {
                service, region, ..
            } => deploy_stage(plan, site, service, region.as_ref(), stages, templates),
            OrderStep::Validate {
                region, minutes, ..
            } => {
                let name = plan.region(region).map_or(region.as_str(), |r| &r.name);
                Some(stages.push(
                    StageRole::Validate,
                    &["validate", site.id_part(), region.as_str()],
                    site.title(format!("Validate {name} for {minutes} min")),
                    wait.to_vec(),
                    Work::Soak { minutes: *minutes },
                ))
            }
            OrderStep::Contract { .. } => None,
        })
        .collect()
}

/// The stage running a migration's expand phase against the database of `region`.
fn expand_stage(
    plan: &Plan,
    site: &WaveSite<'_, '_>,
    migration: &Id,
    region: Option<&Id>,
    stages: &mut Stages,
) -> Option<String> {
    let migration = plan.migration(migration)?;
    let job = migration_job(
        plan,
        migration,
        MigrationPhase::Expand,
        &site.here.deployments,
        site.place(region),
    );
    Some(stages.push(
        StageRole::Expand,
        &[
            "expand",
            migration.id.as_str(),
            site.id_part(),
            region.map_or("", Id::as_str),
        ],
        site.title(format!(
            "Expand: {}{}",
            migration.name,
            region_name(plan, region)
        )),
        site.wait.to_vec(),
        Work::Job(job),
    ))
}

/// The stage deploying `service` in `region`: a call of its deployment template.
fn deploy_stage(
    plan: &Plan,
    site: &WaveSite<'_, '_>,
    service: &Id,
    region: Option<&Id>,
    stages: &mut Stages,
    templates: &mut TemplateSet<'_>,
) -> Option<String> {
    let service = site.graph.service(plan, service)?;
    let call = templates.call(
        service,
        &CallSite {
            place: site.place(region),
            environment: &site.here.deployments,
            rollback_environment: site.here.rollback.as_deref(),
        },
    );
    let id = stages.push(
        StageRole::Deploy,
        &[
            "deploy",
            service.id.as_str(),
            site.id_part(),
            region.map_or("", Id::as_str),
        ],
        site.title(format!(
            "Deploy {}{}",
            service.name,
            region_name(plan, region)
        )),
        site.wait.to_vec(),
        Work::Deploy(call),
    );
    if let Some(stage) = stages.last_mut() {
        stage.deploys = Some(Placement {
            service: service.id.clone(),
            environment: site.here.environment.id.clone(),
            region: region.cloned(),
        });
    }
    Some(id)
}

/// The part of the release between two places where quality gates are checked: one environment, or
/// one region of it when the plan has regions.
#[derive(Default)]
struct Block<'p> {
    /// Whether no wave of the block has been lowered yet.
    started: bool,
    /// The block's region, named by its first wave.
    region: Option<Id>,
    /// The services it deployed.
    services: Vec<Id>,
    /// Its deployment stages, in order, by their index in the pipeline's stages.
    deploy_stages: Vec<usize>,
    /// The traffic routes in front of the block's region.
    routes: Vec<RouteAt<'p>>,
    /// What the block's traffic stages added.
    traffic: PlaceTraffic,
    /// The gate stages at the block's end.
    gates: GateIds,
}

impl<'p> Block<'p> {
    /// Whether the block has no wave yet (the next wave starts it).
    fn is_new(&mut self) -> bool {
        !std::mem::replace(&mut self.started, true)
    }

    /// Starts the block with its first wave, `wave`: its region, and the routes in front of it (the
    /// region is the lead when `led` holds no region of the environment yet). The lead leaves
    /// rotation before anything is deployed to it. Returns what the wave waits for.
    fn start(
        &mut self,
        plan: &'p Plan,
        wave: &Wave,
        site: &WaveSite<'_, '_>,
        led: &mut Vec<Id>,
        stages: &mut Stages,
    ) -> Vec<String> {
        let environment = &site.here.environment.id;
        self.region = wave_region(wave).cloned();
        let lead = self.region.is_some() && !led.contains(environment);
        if self.region.is_some() {
            led.push(environment.clone());
        }
        self.routes = traffic::routes_at(plan, environment, self.region.as_ref(), lead);
        let mut wait = site.wait.to_vec();
        for at in self.routes.iter().filter(|at| at.lead) {
            let drained = traffic::drain_stage(plan, *at, &self.end(plan, site), wait, stages);
            wait = vec![drained];
        }
        wait
    }

    /// The block as the gates and traffic stages see it, in `site`'s environment.
    fn end<'a>(&'a self, plan: &Plan, site: &'a WaveSite<'_, '_>) -> BlockEnd<'a> {
        let region = self.region.as_ref();
        BlockEnd {
            place: site.place(region),
            id_parts: [site.id_part(), region.map_or("", Id::as_str)],
            title_suffix: site.title(String::new()) + &region_name(plan, region),
            deployments: &site.here.deployments,
            rollback_environment: site.here.rollback.as_deref(),
            services: &self.services,
            deploy_stages: &self.deploy_stages,
        }
    }

    /// The stages moving users onto the block's region, the first waiting for `wait`, with the
    /// region's gates beside each weighted step; returns what comes next waits for (`wait` itself
    /// when no route fronts the region).
    fn shift(
        &mut self,
        plan: &Plan,
        site: &WaveSite<'_, '_>,
        wait: Vec<String>,
        stages: &mut Stages,
    ) -> Vec<String> {
        let mut wait = wait;
        let routes = self.routes.clone();
        let mut traffic = std::mem::take(&mut self.traffic);
        for at in routes {
            let end = self.end(plan, site);
            let gates = gates_at(plan, &end);
            let mut step_gates = |stages: &mut Stages, wait: &[String], suffix: &str| {
                gate_stages(plan, &gates, &end, wait, stages, suffix)
            };
            wait = traffic::shift_stages(
                plan,
                at,
                &end,
                wait.clone(),
                stages,
                &mut traffic,
                &mut step_gates,
            );
        }
        self.traffic = traffic;
        wait
    }

    /// Ends the block after its last wave, the `number`-th, whose stages are `ids`: its gates (beside
    /// the wave when it is the validation window, which has the traffic changes before it; else
    /// after the wave and the traffic changes), then the switches back and the rollback. Returns
    /// what the next block waits for.
    #[allow(clippy::too_many_arguments)]
    fn close(
        &mut self,
        plan: &Plan,
        site: &WaveSite<'_, '_>,
        number: usize,
        ids: Vec<String>,
        is_validation: bool,
        stages: &mut Stages,
        templates: &TemplateSet<'_>,
    ) -> Vec<String> {
        let wait = if is_validation {
            // The gates are checked during the region's validation window, beside it.
            let mut ids = ids;
            ids.extend(self.gates(plan, site, site.wait, stages));
            finish_wave(stages, number, ids)
        } else {
            let wave_end = finish_wave(stages, number, ids);
            let shifted = self.shift(plan, site, wave_end, stages);
            let gate_ids = self.gates(plan, site, &shifted, stages);
            if gate_ids.is_empty() {
                shifted
            } else {
                finish_gates(stages, site, self.region.as_ref(), gate_ids)
            }
        };
        self.finish(plan, site, stages, templates);
        wait
    }

    /// The stages after the block's last check: the switches back and the rollback, each running only
    /// when a check or traffic change of the block failed.
    fn finish(
        &self,
        plan: &Plan,
        site: &WaveSite<'_, '_>,
        stages: &mut Stages,
        templates: &TemplateSet<'_>,
    ) {
        let end = self.end(plan, site);
        let mut reverts = Vec::new();
        if !self.traffic.changes.is_empty() {
            let mut failed = self.traffic.changes.clone();
            failed.extend(self.traffic.step_gates.iter().cloned());
            failed.extend(self.gates.all.iter().cloned());
            for at in self.routes.iter().rev() {
                reverts.push(traffic::revert_stage(
                    plan,
                    *at,
                    &end,
                    failed.clone(),
                    stages,
                ));
            }
        }
        let mut rolling_back = self.traffic.changes.clone();
        rolling_back.extend(self.traffic.step_gates_rolling_back.iter().cloned());
        rolling_back.extend(self.gates.rolling_back.iter().cloned());
        rollback_stage(&end, rolling_back, reverts, stages, templates);
    }

    /// Adds what `wave` (whose stages are `ids`) deployed.
    fn record(&mut self, wave: &Wave, ids: &[String], stages: &Stages) {
        for step in &wave.steps {
            if let OrderStep::Deploy { service, .. } = step {
                self.services.push(service.clone());
            }
        }
        // The wave's stages are the last ones added, one per id.
        let first = stages.stages.len() - ids.len();
        self.deploy_stages.extend(
            (first..stages.stages.len()).filter(|&i| stages.stages[i].role == StageRole::Deploy),
        );
    }

    /// Whether the block ends before `next`: it starts another environment, or another region.
    fn ends_before(
        &self,
        next: &Wave,
        environment: &Id,
        plan: &Plan,
        path: &[EnvironmentPlan<'_>],
        last: &EnvironmentPlan<'_>,
    ) -> bool {
        let next_environment = &wave_environment(plan, next, path, last).environment.id;
        next_environment != environment
            || matches!(
                (&self.region, wave_region(next)),
                (Some(here), Some(there)) if here != there
            )
    }

    /// The stages of the gates that apply at the end of this block, waiting for `wait`; returns their
    /// ids (what comes next waits for) and keeps them for [`Block::finish`].
    fn gates(
        &mut self,
        plan: &Plan,
        site: &WaveSite<'_, '_>,
        wait: &[String],
        stages: &mut Stages,
    ) -> Vec<String> {
        let end = self.end(plan, site);
        let gates = gates_at(plan, &end);
        let ids = gate_stages(plan, &gates, &end, wait, stages, "");
        let all = ids.all.clone();
        self.gates = ids;
        all
    }
}

/// The region the steps of `wave` run in, if any names one.
fn wave_region(wave: &Wave) -> Option<&Id> {
    wave.steps.iter().find_map(|step| match step {
        OrderStep::Expand { region, .. }
        | OrderStep::Deploy { region, .. }
        | OrderStep::Contract { region, .. } => region.as_ref(),
        OrderStep::Validate { region, .. } => Some(region),
    })
}

/// What follows a block's gates waits for: its one gate, or a barrier after its several gates.
fn finish_gates(
    stages: &mut Stages,
    site: &WaveSite<'_, '_>,
    region: Option<&Id>,
    ids: Vec<String>,
) -> Vec<String> {
    if ids.len() <= 1 {
        return ids;
    }
    vec![stages.push(
        StageRole::WaveComplete,
        &[
            "gates",
            site.id_part(),
            region.map_or("", Id::as_str),
            "complete",
        ],
        site.title("Quality gates complete".to_owned()),
        ids,
        Work::Barrier,
    )]
}

/// What the next wave waits for: the wave's one stage, or a barrier after its several stages.
fn finish_wave(stages: &mut Stages, number: usize, ids: Vec<String>) -> Vec<String> {
    if ids.len() <= 1 {
        return ids;
    }
    let number = number.to_string();
    vec![stages.push(
        StageRole::WaveComplete,
        &["wave", &number, "complete"],
        format!("Wave {number} complete"),
        ids,
        Work::Barrier,
    )]
}

/// The contract stage of one contract step, waiting for `wait`.
fn contract_stage(
    plan: &Plan,
    step: &OrderStep,
    path: &[EnvironmentPlan<'_>],
    wait: &[String],
    stages: &mut Stages,
) {
    let OrderStep::Contract {
        migration,
        environment,
        region,
    } = step
    else {
        return;
    };
    let Some(migration) = plan.migration(migration) else {
        return;
    };
    let environment_id = environment.as_ref().unwrap_or(&plan.rollout.environment);
    let Some(here) = path.iter().find(|e| &e.environment.id == environment_id) else {
        return;
    };
    let place = Place {
        environment: environment_id,
        region: region.as_ref(),
    };
    let job = migration_job(
        plan,
        migration,
        MigrationPhase::Contract,
        &here.deployments,
        place,
    );
    let env_part = environment.as_ref().map_or("", Id::as_str);
    let env_title = environment
        .as_ref()
        .map(|_| format!(" — {}", here.environment.name))
        .unwrap_or_default();
    stages.push(
        StageRole::Contract,
        &[
            "contract",
            migration.id.as_str(),
            env_part,
            region.as_ref().map_or("", Id::as_str),
        ],
        format!(
            "Contract: {}{}{env_title}",
            migration.name,
            region_name(plan, region.as_ref())
        ),
        wait.to_vec(),
        Work::Job(job),
    );
    if let Some(stage) = stages.last_mut() {
        stage.contract_of = Some(migration.id.clone());
    }
}

/// ` (Region name)`, or nothing without a region.
fn region_name(plan: &Plan, region: Option<&Id>) -> String {
    region
        .map(|id| {
            format!(
                " ({})",
                plan.region(id).map_or(id.as_str(), |r| r.name.as_str())
            )
        })
        .unwrap_or_default()
}
