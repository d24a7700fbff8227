//! The deployment order: waves of steps that may run side by side, each wave after the one before.
//!
//! Expand migrations come first; then, region by region, the services bottom-up by their dependencies
//! (lowest tier first where the graph leaves freedom), each region followed by its validation window;
//! contract migrations come last, after every consumer in every region runs the new version.

use serde::Serialize;

use super::graph::ServiceGraph;
use crate::plan::{Id, Plan};

/// One step of the rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Step {
    /// Run a migration's expand phase (once, before any service deploys).
    Expand {
        /// The migration.
        migration: Id,
    },
    /// Deploy a service in a region (`None` when the plan has no regions).
    Deploy {
        /// The service.
        service: Id,
        /// The region.
        region: Option<Id>,
    },
    /// Let a region soak before the next one starts.
    Validate {
        /// The region.
        region: Id,
        /// How long, in minutes.
        minutes: u32,
    },
    /// Run a migration's contract phase (once, after everything else).
    Contract {
        /// The migration.
        migration: Id,
    },
}

/// A set of steps that may run side by side; every step's prerequisites are in earlier waves.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Wave {
    /// The steps, in plan order.
    pub steps: Vec<Step>,
}

/// The whole rollout as waves.
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
        let mut first = vec![None; plan.services.len()];
        for (wave_index, wave) in self.waves.iter().enumerate() {
            for step in &wave.steps {
                if let Step::Deploy { service, .. } = step
                    && let Some(index) = plan.services.iter().position(|s| &s.id == service)
                {
                    first[index].get_or_insert(wave_index);
                }
            }
        }
        first
    }
}

/// Computes the waves. Returns `None` when the dependencies form a cycle (no order exists).
pub fn deployment_order(plan: &Plan, graph: &ServiceGraph) -> Option<DeploymentOrder> {
    if !graph.cycles().is_empty() {
        return None;
    }
    let mut waves = Vec::new();
    let expands: Vec<Step> = plan
        .migrations
        .iter()
        .filter(|m| !m.expand.is_empty())
        .map(|m| Step::Expand {
            migration: m.id.clone(),
        })
        .collect();
    if !expands.is_empty() {
        waves.push(Wave { steps: expands });
    }

    let service_layers = layers_by_dependency_and_tier(plan, graph);
    let regions: Vec<Option<&crate::plan::Region>> = if plan.regions.is_empty() {
        vec![None]
    } else {
        plan.regions.iter().map(Some).collect()
    };
    for region in regions {
        let region_id = region.map(|r| r.id.clone());
        for layer in &service_layers {
            let steps = layer
                .iter()
                .map(|&index| Step::Deploy {
                    service: plan.services[index].id.clone(),
                    region: region_id.clone(),
                })
                .collect();
            waves.push(Wave { steps });
        }
        if let Some(region) = region
            && region.validation_minutes > 0
        {
            waves.push(Wave {
                steps: vec![Step::Validate {
                    region: region.id.clone(),
                    minutes: region.validation_minutes,
                }],
            });
        }
    }

    let contracts: Vec<Step> = plan
        .migrations
        .iter()
        .filter(|m| !m.contract.is_empty())
        .map(|m| Step::Contract {
            migration: m.id.clone(),
        })
        .collect();
    if !contracts.is_empty() {
        waves.push(Wave { steps: contracts });
    }
    Some(DeploymentOrder { waves })
}

/// Groups the services into layers: a service is ready once everything it depends on is in an earlier
/// layer, and of the ready services only those of the lowest tier form the next layer, so unrelated
/// services still deploy bottom-up. The graph must be acyclic.
fn layers_by_dependency_and_tier(plan: &Plan, graph: &ServiceGraph) -> Vec<Vec<usize>> {
    let services: Vec<usize> = graph.services().collect();
    let mut waiting_on: Vec<usize> = vec![0; plan.services.len()];
    for &service in &services {
        waiting_on[service] = graph.dependencies_of(service).count();
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
            for dependent in graph.dependents_of(service) {
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
