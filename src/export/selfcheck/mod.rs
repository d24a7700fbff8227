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
mod tree;

pub use read::Platform;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::analysis::ServiceGraph;
use crate::plan::{DeployTarget, EnvironmentKind, Id, Plan};
use crate::release::chain::{CHAIN_NEXT, CHAIN_START};
use crate::release::{Pipeline, PipelineKind, Placement, Stage, StageRole};
use reach::{ChainReach, Reachability};
use read::{Files, ReadBack, StartedBy, read_azure, read_github};

/// Checks the pipeline files at `paths` (on `platform`) — one pipeline, or the parts of a chained
/// release in order — with the other exported files they refer to in `files`, against the plan and
/// the IR pipelines they came from (`pipelines`, one per path).
pub fn check(
    files: &BTreeMap<&str, &str>,
    paths: &[String],
    platform: Platform,
    pipelines: &[Pipeline],
    plan: &Plan,
) -> Result<(), String> {
    let (Some(first), true) = (pipelines.first(), paths.len() == pipelines.len()) else {
        return Err("nothing to check".to_owned());
    };
    let mut files = Files::new(files);
    let reads = paths
        .iter()
        .map(|path| match platform {
            Platform::Azure => read_azure(&mut files, path),
            Platform::GitHub => read_github(&mut files, path),
        })
        .collect::<Result<Vec<ReadBack>, String>>()?;
    for read in &reads {
        for (id, waits_for) in &read.nodes {
            if let Some(target) = waits_for.iter().find(|t| !read.nodes.contains_key(*t)) {
                return Err(format!("`{id}` waits for `{target}`, which does not exist"));
            }
        }
    }
    let parts = reads
        .iter()
        .map(|read| Reachability::new(&read.nodes))
        .collect::<Result<Vec<_>, String>>()?;
    check_chain(&reads, &parts, paths, platform)?;
    let reach = ChainReach::new(parts, &[CHAIN_START, CHAIN_NEXT])?;
    let stages: Vec<&Stage> = pipelines.iter().flat_map(|p| &p.stages).collect();
    let deploy_stage: BTreeMap<&Placement, &str> = stages
        .iter()
        .filter_map(|s| s.deploys.as_ref().map(|p| (p, s.id.as_str())))
        .collect();
    if let Some(stage) = deploy_stage.values().find(|stage| !reach.contains(stage)) {
        return Err(format!("the deployment stage `{stage}` is missing"));
    }
    let checker = Checker {
        plan,
        stages: &stages,
        rolled_back: reads
            .iter()
            .flat_map(|r| r.rolled_back.iter().map(String::as_str))
            .collect(),
        approvals: reads
            .iter()
            .flat_map(|r| r.approvals.iter().map(String::as_str))
            .collect(),
        graph: ServiceGraph::new(plan),
        reach: &reach,
        deploy_stage: &deploy_stage,
        on_failure: reads
            .iter()
            .flat_map(|r| {
                r.on_failure
                    .iter()
                    .map(|(id, named)| (id.as_str(), named.as_slice()))
            })
            .collect(),
    };
    checker.dependencies()?;
    checker.rollbacks()?;
    checker.order()?;
    checker.checkpoints()?;
    match &first.kind {
        PipelineKind::Release => checker.contracts(),
        PipelineKind::Hotfix(hotfix) => checker.hotfix(&hotfix.runbook),
    }
}

/// The chain between the parts of a release: each later part is started only by the part before it
/// (GitHub: that part's last job starts it with the release's inputs; Azure: its completion triggers
/// it), and each part waits for its own first stage, which checks that, and (GitHub) starts the next
/// only after all of its stages. A single pipeline must not claim to continue anything.
fn check_chain(
    reads: &[ReadBack],
    parts: &[Reachability<'_>],
    paths: &[String],
    platform: Platform,
) -> Result<(), String> {
    let stem = |path: &str| {
        let file = path.rsplit('/').next().unwrap_or(path);
        file.strip_suffix(".yml").unwrap_or(file).to_owned()
    };
    for (k, (read, reach)) in reads.iter().zip(parts).enumerate() {
        let path = &paths[k];
        let names = reach.names();
        if k == 0 {
            if read.continues.is_some() || matches!(read.started_by, StartedBy::Completion(_)) {
                return Err(format!("{path} is the first part but continues another"));
            }
        } else {
            let previous = &paths[k - 1];
            let named = match platform {
                Platform::GitHub => previous.clone(),
                Platform::Azure => stem(previous),
            };
            match &read.continues {
                Some((stage, named_previous))
                    if stage == CHAIN_START && *named_previous == named => {}
                other => {
                    return Err(format!(
                        "{path} does not check that it continues {named} (found {other:?})"
                    ));
                }
            }
            let started = match (&read.started_by, platform) {
                (StartedBy::Completion(source), Platform::Azure) => *source == named,
                (StartedBy::Dispatch(inputs), Platform::GitHub) => {
                    use crate::release::chain::{
                        INPUT_BUILD_RUN, INPUT_PREVIOUS_RUN, INPUT_RELEASE_SHA,
                    };
                    [INPUT_BUILD_RUN, INPUT_PREVIOUS_RUN, INPUT_RELEASE_SHA]
                        .iter()
                        .all(|input| inputs.contains(*input))
                }
                _ => false,
            };
            if !started {
                return Err(format!("{path} is not started by {named}"));
            }
            if let Some(early) = names
                .iter()
                .find(|id| **id != CHAIN_START && !reach.reaches(id, CHAIN_START))
            {
                return Err(format!("`{early}` in {path} starts before `{CHAIN_START}`"));
            }
        }
        let next = paths.get(k + 1);
        match (platform, next, &read.starts) {
            (Platform::GitHub, Some(next), Some((job, started))) => {
                let next_file = next.rsplit('/').next().unwrap_or(next);
                if started != next_file {
                    return Err(format!("{path} starts {started}, not {next_file}"));
                }
                let all = reach.set(
                    names
                        .iter()
                        .copied()
                        .filter(|id| id != job && !read.on_failure.contains_key(*id)),
                );
                if let Some(early) = reach.missing_from(job, &all, &names) {
                    return Err(format!(
                        "`{job}` in {path} starts the next part before `{early}` finished"
                    ));
                }
            }
            (Platform::GitHub, Some(_), None) => {
                return Err(format!("{path} does not start the next part"));
            }
            (_, None, Some(_)) => {
                return Err(format!("{path} is the last part but starts another"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The deployment stages of one region (`None`: without regions, or a global service), in order.
type RegionStages<'a> = (Option<&'a Id>, Vec<&'a str>);

/// What the invariants are checked on: the plan, the IR stages of every part in order, and what
/// was read back.
struct Checker<'a> {
    plan: &'a Plan,
    stages: &'a [&'a Stage],
    rolled_back: BTreeSet<&'a str>,
    approvals: BTreeSet<&'a str>,
    graph: ServiceGraph,
    reach: &'a ChainReach<'a>,
    deploy_stage: &'a BTreeMap<&'a Placement, &'a str>,
    /// Each failure-only stage read back, with the stages its condition names.
    on_failure: BTreeMap<&'a str, &'a [String]>,
}

impl Checker<'_> {
    /// Every plan dependency is kept, transitively, between the deployments of each environment and
    /// region (a global service's one deployment serves every region).
    fn dependencies(&self) -> Result<(), String> {
        type Spot<'p> = (&'p Id, &'p Id, Option<&'p Id>);
        let graph = &self.graph;
        let stage_at: HashMap<Spot<'_>, &str> = self
            .deploy_stage
            .iter()
            .map(|(p, stage)| ((&p.service, &p.environment, p.region.as_ref()), *stage))
            .collect();
        for (placement, stage) in self.deploy_stage {
            let Some(index) = graph.index_of(&placement.service) else {
                continue;
            };
            // Walk the dependencies; one deployed here is checked and its own dependencies are left to
            // its own check (waiting is transitive); through one not deployed here, walk on.
            let mut seen = BTreeSet::new();
            let mut pending: Vec<usize> = graph.dependencies_of(index).collect();
            while let Some(dependency) = pending.pop() {
                if !seen.insert(dependency) {
                    continue;
                }
                let service = &self.plan.services[dependency];
                let region = if service.is_global() {
                    None
                } else {
                    placement.region.as_ref()
                };
                match stage_at.get(&(&service.id, &placement.environment, region)) {
                    Some(dependency_stage) if !self.reach.reaches(stage, dependency_stage) => {
                        return Err(format!(
                            "`{stage}` does not wait for `{dependency_stage}`, which it depends on"
                        ));
                    }
                    Some(_) => {}
                    None => pending.extend(graph.dependencies_of(dependency)),
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
            let target = self
                .graph
                .service(self.plan, &placement.service)
                .map(|s| &s.target);
            if production
                && !matches!(target, Some(DeployTarget::Database { .. }))
                && !self.rolled_back.contains(*stage)
            {
                return Err(format!("the deployment `{stage}` has no rollback path"));
            }
        }
        Ok(())
    }

    /// A quality gate or traffic change is a checkpoint: every deployment after it waits for it, so a
    /// failed one never lets a later region start; and a failed traffic change switches the router
    /// back (a switch back's condition, as written, names it).
    fn checkpoints(&self) -> Result<(), String> {
        let roles = [
            StageRole::QualityGate,
            StageRole::TrafficDrain,
            StageRole::TrafficShift,
        ];
        let role_of: HashMap<&str, StageRole> = self
            .stages
            .iter()
            .map(|s| (s.id.as_str(), s.role))
            .collect();
        let named_by = |id: &str, role: StageRole| {
            self.on_failure.iter().any(|(stage, named)| {
                role_of.get(stage) == Some(&role) && named.iter().any(|n| n == id)
            })
        };
        for (index, checkpoint) in self.stages.iter().enumerate() {
            if !roles.contains(&checkpoint.role) {
                continue;
            }
            if let Some(later) = self.stages[index + 1..]
                .iter()
                .filter(|s| s.deploys.is_some())
                .find(|s| !self.reach.reaches(&s.id, &checkpoint.id))
            {
                return Err(format!(
                    "`{}` deploys without waiting for `{}` before it",
                    later.id, checkpoint.id
                ));
            }
            if checkpoint.role == StageRole::TrafficShift
                && !named_by(&checkpoint.id, StageRole::TrafficRevert)
            {
                return Err(format!(
                    "nothing switches the router back when the traffic change `{}` fails",
                    checkpoint.id
                ));
            }
        }
        Ok(())
    }

    /// Within an environment, each region's deployments wait for every deployment of the region before;
    /// each environment's deployments wait for every deployment of the environment before.
    fn order(&self) -> Result<(), String> {
        let mut by_environment: Vec<(&Id, Vec<RegionStages<'_>>)> = Vec::new();
        for stage in self.stages {
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
            if let Some(before) = self.reach.missing_from(stage, &set) {
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
        // The approvals after every deployment, which a contract may wait behind.
        let final_approvals: Vec<&str> = self
            .stages
            .iter()
            .filter(|s| s.role == StageRole::Approval)
            .map(|s| s.id.as_str())
            .filter(|id| self.reach.missing_from(id, &all_deploys).is_none())
            .collect();
        let mut contracts_of: HashMap<&Id, Vec<&str>> = HashMap::new();
        for stage in self.stages {
            if let Some(migration) = &stage.contract_of {
                contracts_of.entry(migration).or_default().push(&stage.id);
            }
        }
        let mut deploys_of: HashMap<&Id, Vec<&str>> = HashMap::new();
        for (placement, stage) in self.deploy_stage {
            deploys_of
                .entry(&placement.service)
                .or_default()
                .push(stage);
        }
        for migration in self
            .plan
            .migrations
            .iter()
            .filter(|m| !m.contract.is_empty())
        {
            let Some(contracts) = contracts_of.get(&migration.id) else {
                return Err(format!(
                    "the contract stage of migration `{}` is missing",
                    migration.id
                ));
            };
            let consumers: Vec<&str> = migration
                .consumers
                .iter()
                .filter_map(|consumer| deploys_of.get(consumer))
                .flatten()
                .copied()
                .collect();
            self.all_wait(contracts, &consumers, "the consumers")?;
            for contract in contracts {
                let gated = final_approvals
                    .iter()
                    .any(|approval| self.reach.reaches(contract, approval));
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
            self.stages
                .iter()
                .find(|s| s.role == role)
                .map(|s| s.id.as_str())
        };
        let tests = find(StageRole::CriticalTests)
            .ok_or_else(|| format!("hotfix `{runbook}` has no critical tests"))?;
        let scan = find(StageRole::SecurityScan)
            .ok_or_else(|| format!("hotfix `{runbook}` has no security scan"))?;
        let approval = self
            .approvals
            .iter()
            .next()
            .ok_or_else(|| format!("hotfix `{runbook}` has no approval"))?;
        for required in [tests, scan, *approval] {
            if !self.reach.contains(required) {
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

#[cfg(test)]
mod tests;
