//! The self-check after emitting: each pipeline file is parsed back with the templates and reusable
//! workflows it calls, its stage (job) graph extracted, and the release invariants verified on what was
//! actually written, not on what the emitter meant to write. A failure here is a bug in Cutover, and
//! fails the export loudly.
//!
//! Checked: every `dependsOn`/`needs` target and every called template exists; each call passes every
//! required parameter and no unknown one; the graph is acyclic; every plan dependency holds between the
//! deployments of each environment and region; regions and environments run in order; every production
//! deployment can roll back; every step that calls the Azure CLI runs signed in; contract waits for
//! every consumer everywhere, behind its own approval; every hotfix deployment waits for the tests, the
//! scan and the approval.

mod reach;
mod read;

pub use read::Platform;

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::ServiceGraph;
use crate::plan::{DeployTarget, EnvironmentKind, Id, Plan};
use crate::release::{Pipeline, PipelineKind, Placement, StageRole};
use reach::Reachability;
use read::{Files, ReadBack, read_azure, read_github};

/// Checks the pipeline file at `path` (on `platform`), with the other exported files it refers to in
/// `files`, against the plan and the IR pipeline it came from.
pub fn check(
    files: &BTreeMap<&str, &str>,
    path: &str,
    platform: Platform,
    pipeline: &Pipeline,
    plan: &Plan,
) -> Result<(), String> {
    let mut files = Files::new(files);
    let read = match platform {
        Platform::Azure => read_azure(&mut files, path)?,
        Platform::GitHub => read_github(&mut files, path)?,
    };
    for (id, waits_for) in &read.nodes {
        if let Some(target) = waits_for.iter().find(|t| !read.nodes.contains_key(*t)) {
            return Err(format!("`{id}` waits for `{target}`, which does not exist"));
        }
    }
    let reach = Reachability::new(&read.nodes)?;
    let names = reach.names();
    let deploy_stage: BTreeMap<&Placement, &str> = pipeline
        .stages
        .iter()
        .filter_map(|s| s.deploys.as_ref().map(|p| (p, s.id.as_str())))
        .collect();
    if let Some(stage) = deploy_stage
        .values()
        .find(|stage| !read.nodes.contains_key(**stage))
    {
        return Err(format!("the deployment stage `{stage}` is missing"));
    }
    let checker = Checker {
        plan,
        pipeline,
        read: &read,
        reach: &reach,
        names: &names,
        deploy_stage: &deploy_stage,
    };
    checker.dependencies()?;
    checker.rollbacks()?;
    checker.order()?;
    match &pipeline.kind {
        PipelineKind::Release => checker.contracts(),
        PipelineKind::Hotfix(hotfix) => checker.hotfix(&hotfix.runbook),
    }
}

/// The deployment stages of one region (`None`: without regions, or a global service), in order.
type RegionStages<'a> = (Option<&'a Id>, Vec<&'a str>);

/// What the invariants are checked on.
struct Checker<'a> {
    plan: &'a Plan,
    pipeline: &'a Pipeline,
    read: &'a ReadBack,
    reach: &'a Reachability<'a>,
    names: &'a [&'a str],
    deploy_stage: &'a BTreeMap<&'a Placement, &'a str>,
}

impl Checker<'_> {
    /// Every plan dependency is kept, transitively, between the deployments of each environment and
    /// region (a global service's one deployment serves every region).
    fn dependencies(&self) -> Result<(), String> {
        let graph = ServiceGraph::new(self.plan);
        for (placement, stage) in self.deploy_stage {
            let Some(index) = graph.index_of(&placement.service) else {
                continue;
            };
            for dependency in transitive_dependencies(&graph, index) {
                let service = &self.plan.services[dependency];
                let key = Placement {
                    service: service.id.clone(),
                    environment: placement.environment.clone(),
                    region: if service.is_global() {
                        None
                    } else {
                        placement.region.clone()
                    },
                };
                if let Some(dependency_stage) = self.deploy_stage.get(&key)
                    && !self.reach.reaches(stage, dependency_stage)
                {
                    return Err(format!(
                        "`{stage}` does not wait for `{dependency_stage}`, which it depends on"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every production deployment that changes a running service can be rolled back.
    fn rollbacks(&self) -> Result<(), String> {
        for (placement, stage) in self.deploy_stage {
            let production = self
                .plan
                .environment(&placement.environment)
                .is_some_and(|e| e.kind == EnvironmentKind::Production);
            let target = self.plan.service(&placement.service).map(|s| &s.target);
            if production
                && !matches!(target, Some(DeployTarget::Database { .. }))
                && !self.read.rolled_back.contains(*stage)
            {
                return Err(format!("the deployment `{stage}` has no rollback path"));
            }
        }
        Ok(())
    }

    /// Within an environment, each region's deployments wait for every deployment of the region before;
    /// each environment's deployments wait for every deployment of the environment before.
    fn order(&self) -> Result<(), String> {
        let mut by_environment: Vec<(&Id, Vec<RegionStages<'_>>)> = Vec::new();
        for stage in &self.pipeline.stages {
            let Some(placement) = &stage.deploys else {
                continue;
            };
            if by_environment
                .last()
                .is_none_or(|(e, _)| *e != &placement.environment)
            {
                by_environment.push((&placement.environment, Vec::new()));
            }
            let Some((_, regions)) = by_environment.last_mut() else {
                continue;
            };
            let region = placement.region.as_ref();
            if region.is_some() && regions.last().is_none_or(|(r, _)| *r != region) {
                regions.push((region, Vec::new()));
            }
            match regions.iter_mut().rev().find(|(r, _)| *r == region) {
                Some((_, stages)) => stages.push(&stage.id),
                None => regions.push((region, vec![&stage.id])),
            }
        }
        for (_, regions) in &by_environment {
            for window in regions.windows(2) {
                self.all_wait(&window[1].1, &window[0].1, "the previous region")?;
            }
        }
        for window in by_environment.windows(2) {
            let earlier: Vec<&str> = window[0].1.iter().flat_map(|(_, s)| s.clone()).collect();
            let later: Vec<&str> = window[1].1.iter().flat_map(|(_, s)| s.clone()).collect();
            self.all_wait(&later, &earlier, "the previous environment")?;
        }
        Ok(())
    }

    /// Fails unless every stage of `later` waits for every stage of `earlier`.
    fn all_wait(&self, later: &[&str], earlier: &[&str], what: &str) -> Result<(), String> {
        let set = self.reach.set(earlier.iter().copied());
        for stage in later {
            if let Some(before) = self.reach.missing_from(stage, &set, self.names) {
                return Err(format!(
                    "`{stage}` starts before `{before}` of {what} finished"
                ));
            }
        }
        Ok(())
    }

    /// Every contract stage waits for every deployment of its migration's consumers, everywhere, and
    /// (when the plan gives the release an approval) for an approval after them.
    fn contracts(&self) -> Result<(), String> {
        let approval_configured = self
            .plan
            .environment(&self.plan.rollout.environment)
            .is_some_and(|e| e.approval.is_some());
        let all_deploys = self.reach.set(self.deploy_stage.values().copied());
        for migration in self
            .plan
            .migrations
            .iter()
            .filter(|m| !m.contract.is_empty())
        {
            let contracts: Vec<&str> = self
                .pipeline
                .stages
                .iter()
                .filter(|s| s.contract_of.as_ref() == Some(&migration.id))
                .map(|s| s.id.as_str())
                .collect();
            if contracts.is_empty() {
                return Err(format!(
                    "the contract stage of migration `{}` is missing",
                    migration.id
                ));
            }
            let consumers: Vec<&str> = self
                .deploy_stage
                .iter()
                .filter(|(p, _)| migration.consumers.contains(&p.service))
                .map(|(_, s)| *s)
                .collect();
            self.all_wait(&contracts, &consumers, "the consumers")?;
            for contract in contracts {
                let gated = self.pipeline.stages.iter().any(|s| {
                    s.role == StageRole::Approval
                        && self.reach.reaches(contract, &s.id)
                        && self
                            .reach
                            .missing_from(&s.id, &all_deploys, self.names)
                            .is_none()
                });
                if approval_configured && !gated {
                    return Err(format!(
                        "contract `{contract}` is not behind its own approval"
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every hotfix deployment waits for the critical tests, the security scan and the approval.
    fn hotfix(&self, runbook: &Id) -> Result<(), String> {
        let find = |role: StageRole| {
            self.pipeline
                .stages
                .iter()
                .find(|s| s.role == role)
                .map(|s| s.id.as_str())
        };
        let tests = find(StageRole::CriticalTests)
            .ok_or_else(|| format!("hotfix `{runbook}` has no critical tests"))?;
        let scan = find(StageRole::SecurityScan)
            .ok_or_else(|| format!("hotfix `{runbook}` has no security scan"))?;
        let approval = self
            .read
            .approvals
            .iter()
            .next()
            .ok_or_else(|| format!("hotfix `{runbook}` has no approval"))?;
        for required in [tests, scan, approval.as_str()] {
            if !self.read.nodes.contains_key(required) {
                return Err(format!("hotfix `{runbook}` lost its `{required}` stage"));
            }
            for stage in self.deploy_stage.values() {
                if !self.reach.reaches(stage, required) {
                    return Err(format!(
                        "hotfix deployment `{stage}` does not wait for `{required}`"
                    ));
                }
            }
        }
        Ok(())
    }
}

fn transitive_dependencies(graph: &ServiceGraph, service: usize) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = graph.dependencies_of(service).collect();
    while let Some(next) = stack.pop() {
        if seen.insert(next) {
            stack.extend(graph.dependencies_of(next));
        }
    }
    seen
}
