//! The deployment order: waves of steps that may run side by side, each wave after the one before.
//!
//! For each environment of the promotion path, region by region: the expand phases of the region's
//! databases, then the services bottom-up by their dependencies (lowest tier first where the graph
//! leaves freedom), then the region's validation window; global databases and their expand phases come
//! before the first region. Contract phases come last, after every consumer in every region and
//! environment runs the new version.

use serde::Serialize;

use std::collections::HashMap;

use super::graph::ServiceGraph;
use crate::plan::{Environment, Id, Migration, Plan, Region, Service};

/// One step of the rollout. `environment` is given only when the release promotes through more than
/// one environment; `region` only when the plan has regions (and never for a global database, which
/// serves them all).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Step {
    /// Run a migration's expand phase against one database: once per region for a per-region database,
    /// once for a global one, before any service of that region deploys.
    Expand {
        /// The migration.
        migration: Id,
        /// The environment.
        environment: Option<Id>,
        /// The region whose database it changes; `None` for a global database.
        region: Option<Id>,
    },
    /// Deploy a service in a region (`None` when the plan has no regions, or the service is global).
    Deploy {
        /// The service.
        service: Id,
        /// The environment.
        environment: Option<Id>,
        /// The region.
        region: Option<Id>,
    },
    /// Let a region soak before the next one starts.
    Validate {
        /// The region.
        region: Id,
        /// The environment.
        environment: Option<Id>,
        /// How long, in minutes.
        minutes: u32,
    },
    /// Run a migration's contract phase against one database, after everything else.
    Contract {
        /// The migration.
        migration: Id,
        /// The environment.
        environment: Option<Id>,
        /// The region whose database it changes; `None` for a global database.
        region: Option<Id>,
    },
}

/// A set of steps that may run side by side; every step's prerequisites are in earlier waves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Wave {
    /// The steps, in plan order.
    pub steps: Vec<Step>,
}

/// The whole rollout as waves. The release pipelines run exactly these groups: a wave starts when the
/// previous one has finished.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct DeploymentOrder {
    /// The waves, first to last.
    pub waves: Vec<Wave>,
}

impl DeploymentOrder {
    /// The index of the wave holding `step`, if it is in the order.
    pub fn wave_of(&self, step: &Step) -> Option<usize> {
        self.waves.iter().position(|wave| wave.steps.contains(step))
    }

    /// The wave index in which each service first deploys, by plan index (`None` if it never does).
    pub fn first_deploy_waves(&self, plan: &Plan) -> Vec<Option<usize>> {
        let index: HashMap<&Id, usize> = plan
            .services
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| (&s.id, i))
            .collect();
        let mut first = vec![None; plan.services.len()];
        for (wave_index, wave) in self.waves.iter().enumerate() {
            for step in &wave.steps {
                if let Step::Deploy { service, .. } = step
                    && let Some(&i) = index.get(service)
                {
                    first[i].get_or_insert(wave_index);
                }
            }
        }
        first
    }
}

/// Computes the waves. Returns `None` when the dependencies form a cycle (no order exists).
///
/// For each environment of the promotion path: the expand phases of migrations on global databases,
/// then the global databases themselves; then region by region, in rollout order, the expand phases of
/// migrations on that region's databases, the region's services bottom-up in layers, and the region's
/// validation window. After every environment, the contract phases of every database.
pub fn deployment_order(plan: &Plan, graph: &ServiceGraph) -> Option<DeploymentOrder> {
    if !graph.cycles().is_empty() {
        return None;
    }
    let global: Vec<bool> = plan.services.iter().map(Service::is_global).collect();
    let global_layers = layers_by_dependency_and_tier(plan, graph, |s| global[s]);
    let regional_layers = layers_by_dependency_and_tier(plan, graph, |s| !global[s]);
    let path = plan.promotion_path();
    let promoting = path.len() > 1;
    let migration_is_global = |m: &Migration| {
        graph
            .service(plan, &m.database)
            .is_some_and(Service::is_global)
    };
    let mut waves = Vec::new();
    let mut push = |steps: Vec<Step>| {
        if !steps.is_empty() {
            waves.push(Wave { steps });
        }
    };
    let ids = |layer: &[usize]| -> Vec<Id> {
        layer.iter().map(|&i| plan.services[i].id.clone()).collect()
    };
    let environments: Vec<Option<&Environment>> = if path.is_empty() {
        vec![None]
    } else {
        path.iter().copied().map(Some).collect()
    };
    for environment in &environments {
        let env = environment.filter(|_| promoting).map(|e| e.id.clone());
        push(expands(plan, |m| migration_is_global(m), &env, None));
        for layer in &global_layers {
            push(deploys(ids(layer), &env, None));
        }
        let regions: Vec<Option<&Region>> = match environment {
            Some(environment) if !plan.regions.is_empty() => {
                plan.regions_of(environment).into_iter().map(Some).collect()
            }
            _ => vec![None],
        };
        for region in regions {
            let region_id = region.map(|r| r.id.clone());
            push(expands(
                plan,
                |m| !migration_is_global(m),
                &env,
                region_id.clone(),
            ));
            for layer in &regional_layers {
                push(deploys(ids(layer), &env, region_id.clone()));
            }
            if let Some(region) = region.filter(|r| r.validation_minutes > 0) {
                push(vec![Step::Validate {
                    region: region.id.clone(),
                    environment: env.clone(),
                    minutes: region.validation_minutes,
                }]);
            }
        }
    }
    let mut contracts = Vec::new();
    for environment in &environments {
        let env = environment.filter(|_| promoting).map(|e| e.id.clone());
        for migration in plan.migrations.iter().filter(|m| !m.contract.is_empty()) {
            let regions: Vec<Option<Id>> = match environment {
                Some(environment)
                    if !migration_is_global(migration) && !plan.regions.is_empty() =>
                {
                    plan.regions_of(environment)
                        .into_iter()
                        .map(|r| Some(r.id.clone()))
                        .collect()
                }
                _ => vec![None],
            };
            for region in regions {
                contracts.push(Step::Contract {
                    migration: migration.id.clone(),
                    environment: env.clone(),
                    region,
                });
            }
        }
    }
    push(contracts);
    Some(DeploymentOrder { waves })
}

/// The expand steps of the migrations `which` selects, in plan order.
fn expands(
    plan: &Plan,
    which: impl Fn(&Migration) -> bool,
    environment: &Option<Id>,
    region: Option<Id>,
) -> Vec<Step> {
    plan.migrations
        .iter()
        .filter(|m| !m.expand.is_empty() && which(m))
        .map(|m| Step::Expand {
            migration: m.id.clone(),
            environment: environment.clone(),
            region: region.clone(),
        })
        .collect()
}

/// Deploy steps for `services` in one environment and region.
fn deploys(services: Vec<Id>, environment: &Option<Id>, region: Option<Id>) -> Vec<Step> {
    services
        .into_iter()
        .map(|service| Step::Deploy {
            service,
            environment: environment.clone(),
            region: region.clone(),
        })
        .collect()
}

/// Groups the services into layers: a service is ready once everything it depends on is in an earlier
/// layer, and of the ready services only those of the lowest tier form the next layer, so unrelated
/// services still deploy bottom-up. The graph must be acyclic.
fn layers_by_dependency_and_tier(
    plan: &Plan,
    graph: &ServiceGraph,
    included: impl Fn(usize) -> bool,
) -> Vec<Vec<usize>> {
    let services: Vec<usize> = graph.services().filter(|&s| included(s)).collect();
    let mut waiting_on: Vec<usize> = vec![0; plan.services.len()];
    for &service in &services {
        waiting_on[service] = graph
            .dependencies_of(service)
            .filter(|&d| included(d))
            .count();
    }
    let mut ready: Vec<usize> = services
        .iter()
        .copied()
        .filter(|&s| waiting_on[s] == 0)
        .collect();
    let mut layers = Vec::new();
    while let Some(lowest) = ready.iter().map(|&s| plan.services[s].tier).min() {
        let (mut layer, rest): (Vec<usize>, Vec<usize>) = ready
            .into_iter()
            .partition(|&s| plan.services[s].tier == lowest);
        ready = rest;
        layer.sort_unstable();
        for &service in &layer {
            for dependent in graph.dependents_of(service).filter(|&d| included(d)) {
                waiting_on[dependent] -= 1;
                if waiting_on[dependent] == 0 {
                    ready.push(dependent);
                }
            }
        }
        layers.push(layer);
    }
    layers
}
