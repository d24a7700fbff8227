//! The self-check after emitting: the YAML is parsed back, its stage (job) graph extracted, and the
//! release invariants verified on what was actually written, not on what the emitter meant to write.
//! A failure here is a bug in Cutover, and fails the export loudly.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::analysis::ServiceGraph;
use crate::plan::{DeployTarget, Id, Plan};
use crate::release::{Pipeline, PipelineKind, StageRole, Work};

/// Which platform's YAML is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Azure Pipelines: `stages` with `dependsOn`.
    Azure,
    /// GitHub Actions: `jobs` with `needs`.
    GitHub,
}

/// The graph of a pipeline as read back from its YAML.
struct ReadBack {
    /// Each stage (job) id with what it waits for, in file order.
    nodes: BTreeMap<String, Vec<String>>,
    /// Stages whose failure has an automatic or approved rollback.
    rolled_back: BTreeSet<String>,
    /// Stages that wait for a human approval.
    approvals: BTreeSet<String>,
}

/// Checks one emitted pipeline file against the plan and the IR pipeline it came from.
pub fn check(
    text: &str,
    platform: Platform,
    pipeline: &Pipeline,
    plan: &Plan,
) -> Result<(), String> {
    // Our own output, so no parsing budget: large plans write files of millions of YAML nodes.
    let mut options = serde_saphyr::Options::default();
    options.budget = None;
    let root: Value = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| format!("the YAML does not parse: {e}"))?;
    let read = match platform {
        Platform::Azure => read_azure(&root)?,
        Platform::GitHub => read_github(&root)?,
    };
    for (id, waits_for) in &read.nodes {
        for target in waits_for {
            if !read.nodes.contains_key(target) {
                return Err(format!("`{id}` waits for `{target}`, which does not exist"));
            }
        }
    }
    let reach = Reachability::new(&read.nodes)?;
    let reaches = |from: &str, to: &str| reach.reaches(from, to);

    let deploy_stage: BTreeMap<(Id, Option<Id>), &str> = pipeline
        .stages
        .iter()
        .filter_map(|s| s.deploys.clone().map(|key| (key, s.id.as_str())))
        .collect();
    if let Some(stage) = deploy_stage
        .values()
        .find(|stage| !read.nodes.contains_key(**stage))
    {
        return Err(format!("the deployment stage `{stage}` is missing"));
    }
    // Every plan dependency is kept, transitively, between the deployments of each region.
    let graph = ServiceGraph::new(plan);
    for ((service, region), stage) in &deploy_stage {
        let Some(index) = graph.index_of(service) else {
            continue;
        };
        for dependency in transitive_dependencies(&graph, index) {
            let key = (plan.services[dependency].id.clone(), region.clone());
            if let Some(dependency_stage) = deploy_stage.get(&key)
                && !reaches(stage, dependency_stage)
            {
                return Err(format!(
                    "`{stage}` does not wait for `{dependency_stage}`, which it depends on"
                ));
            }
        }
        // Every production deployment that changes a running service can be rolled back.
        let production = pipeline
            .stage(stage)
            .is_some_and(|s| matches!(&s.work, Work::Job(job) if job.production));
        let target = plan.service(service).map(|s| &s.target);
        if production
            && !matches!(target, Some(DeployTarget::Database { .. }))
            && !read.rolled_back.contains(*stage)
        {
            return Err(format!("the deployment `{stage}` has no rollback path"));
        }
    }
    // Regions run in order: each deployment waits for every deployment of the previous region.
    for window in plan.regions.windows(2) {
        let (earlier, later) = (&window[0].id, &window[1].id);
        for (_, stage) in deploy_stage
            .iter()
            .filter(|((_, r), _)| r.as_ref() == Some(later))
        {
            for (_, before) in deploy_stage
                .iter()
                .filter(|((_, r), _)| r.as_ref() == Some(earlier))
            {
                if !reaches(stage, before) {
                    return Err(format!(
                        "`{stage}` starts before `{before}` of the previous region finished"
                    ));
                }
            }
        }
    }
    match &pipeline.kind {
        PipelineKind::Release => check_contracts(pipeline, plan, &deploy_stage, &reaches),
        PipelineKind::Hotfix(hotfix) => {
            check_hotfix(pipeline, &hotfix.runbook, &read, &deploy_stage, &reaches)
        }
    }
}

fn check_contracts(
    pipeline: &Pipeline,
    plan: &Plan,
    deploy_stage: &BTreeMap<(Id, Option<Id>), &str>,
    reaches: &dyn Fn(&str, &str) -> bool,
) -> Result<(), String> {
    for migration in plan.migrations.iter().filter(|m| !m.contract.is_empty()) {
        let Some(contract) = pipeline
            .stages
            .iter()
            .find(|s| s.contract_of.as_ref() == Some(&migration.id))
        else {
            return Err(format!(
                "the contract stage of migration `{}` is missing",
                migration.id
            ));
        };
        for ((service, _), stage) in deploy_stage {
            if migration.consumers.contains(service) && !reaches(&contract.id, stage) {
                return Err(format!(
                    "contract `{}` runs before consumer deployment `{stage}`",
                    contract.id
                ));
            }
        }
        // The contract's own approval: a gate after every deployment, which the contract waits for.
        let gated = pipeline.stages.iter().any(|s| {
            s.role == StageRole::Approval
                && reaches(&contract.id, &s.id)
                && deploy_stage.values().all(|deploy| reaches(&s.id, deploy))
        });
        let approval_configured = plan
            .environment(&plan.rollout.environment)
            .is_some_and(|e| e.approval.is_some());
        if approval_configured && !gated {
            return Err(format!(
                "contract `{}` is not behind its own approval",
                contract.id
            ));
        }
    }
    Ok(())
}

fn check_hotfix(
    pipeline: &Pipeline,
    runbook: &Id,
    read: &ReadBack,
    deploy_stage: &BTreeMap<(Id, Option<Id>), &str>,
    reaches: &dyn Fn(&str, &str) -> bool,
) -> Result<(), String> {
    let find = |role: StageRole| {
        pipeline
            .stages
            .iter()
            .find(|s| s.role == role)
            .map(|s| s.id.as_str())
    };
    let tests = find(StageRole::CriticalTests)
        .ok_or_else(|| format!("hotfix `{runbook}` has no critical tests"))?;
    let scan = find(StageRole::SecurityScan)
        .ok_or_else(|| format!("hotfix `{runbook}` has no security scan"))?;
    let approval = read
        .approvals
        .iter()
        .next()
        .ok_or_else(|| format!("hotfix `{runbook}` has no approval"))?;
    for required in [tests, scan, approval.as_str()] {
        if !read.nodes.contains_key(required) {
            return Err(format!("hotfix `{runbook}` lost its `{required}` stage"));
        }
        for stage in deploy_stage.values() {
            if !reaches(stage, required) {
                return Err(format!(
                    "hotfix deployment `{stage}` does not wait for `{required}`"
                ));
            }
        }
    }
    Ok(())
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

/// Which nodes each node waits for, directly or indirectly: one bit per node, per node.
struct Reachability<'a> {
    index: BTreeMap<&'a str, usize>,
    words: usize,
    bits: Vec<u64>,
}

impl<'a> Reachability<'a> {
    /// Computes the closure in dependency order. Fails on a cycle.
    fn new(nodes: &'a BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let index: BTreeMap<&str, usize> = nodes
            .keys()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let edges: Vec<Vec<usize>> = nodes
            .values()
            .map(|targets| {
                targets
                    .iter()
                    .filter_map(|t| index.get(t.as_str()).copied())
                    .collect()
            })
            .collect();
        let words = nodes.len().div_ceil(64);
        let mut bits = vec![0u64; words * nodes.len()];
        // 0 = not visited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; nodes.len()];
        let ids: Vec<&str> = nodes.keys().map(String::as_str).collect();
        for start in 0..nodes.len() {
            if state[start] != 0 {
                continue;
            }
            // Iterative depth-first search: (node, next edge to look at).
            let mut stack = vec![(start, 0usize)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&target) = edges[node].get(*next) {
                    *next += 1;
                    match state[target] {
                        0 => {
                            state[target] = 1;
                            stack.push((target, 0));
                        }
                        1 => {
                            return Err(format!(
                                "the stage graph has a cycle through `{}`",
                                ids[target]
                            ));
                        }
                        _ => {}
                    }
                    continue;
                }
                stack.pop();
                state[node] = 2;
                for &target in &edges[node] {
                    bits[node * words + target / 64] |= 1 << (target % 64);
                    for word in 0..words {
                        let inherited = bits[target * words + word];
                        bits[node * words + word] |= inherited;
                    }
                }
            }
        }
        Ok(Self { index, words, bits })
    }

    /// Whether `from` waits, directly or indirectly, for `to`.
    fn reaches(&self, from: &str, to: &str) -> bool {
        match (self.index.get(from), self.index.get(to)) {
            (Some(&from), Some(&to)) => {
                self.bits[from * self.words + to / 64] & (1 << (to % 64)) != 0
            }
            _ => false,
        }
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn read_azure(root: &Value) -> Result<ReadBack, String> {
    let stages = root
        .get("stages")
        .and_then(Value::as_array)
        .ok_or("the pipeline has no `stages` list")?;
    let mut read = ReadBack {
        nodes: BTreeMap::new(),
        rolled_back: BTreeSet::new(),
        approvals: BTreeSet::new(),
    };
    for stage in stages {
        let id = stage
            .get("stage")
            .and_then(Value::as_str)
            .ok_or("a stage has no `stage` id")?
            .to_owned();
        let depends_on = string_list(stage.get("dependsOn"));
        let condition = stage.get("condition").and_then(Value::as_str).unwrap_or("");
        if let [only] = depends_on.as_slice()
            && condition == format!("failed('{only}')")
        {
            read.rolled_back.insert(only.clone());
        }
        for job in stage
            .get("jobs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if job
                .pointer("/strategy/runOnce/on/failure/steps")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty())
            {
                read.rolled_back.insert(id.clone());
            }
            let manual = job
                .get("steps")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|step| step.get("task").and_then(Value::as_str) == Some("ManualValidation@1"));
            let environment_gate = job
                .get("environment")
                .and_then(Value::as_str)
                .is_some_and(|e| e.ends_with("-approval"));
            if manual || environment_gate {
                read.approvals.insert(id.clone());
            }
        }
        if read.nodes.insert(id.clone(), depends_on).is_some() {
            return Err(format!("two stages have the id `{id}`"));
        }
    }
    Ok(read)
}

fn read_github(root: &Value) -> Result<ReadBack, String> {
    let jobs = root
        .get("jobs")
        .and_then(Value::as_object)
        .ok_or("the workflow has no `jobs` mapping")?;
    let mut read = ReadBack {
        nodes: BTreeMap::new(),
        rolled_back: BTreeSet::new(),
        approvals: BTreeSet::new(),
    };
    let mut lowercase = BTreeSet::new();
    for (id, job) in jobs {
        if !lowercase.insert(id.to_ascii_lowercase()) {
            return Err(format!(
                "two jobs have the id `{id}` (GitHub compares job ids case-insensitively)"
            ));
        }
        let needs = string_list(job.get("needs"));
        let condition = job.get("if").and_then(Value::as_str).unwrap_or("");
        if let [only] = needs.as_slice()
            && condition.contains("failure()")
            && condition.contains(&format!("needs.{only}.result == 'failure'"))
        {
            read.rolled_back.insert(only.clone());
        }
        let environment = match job.get("environment") {
            Some(Value::String(name)) => Some(name.as_str()),
            Some(Value::Object(map)) => map.get("name").and_then(Value::as_str),
            _ => None,
        };
        if environment.is_some_and(|e| e.ends_with("-approval")) {
            read.approvals.insert(id.clone());
        }
        read.nodes.insert(id.clone(), needs);
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{FileKind, Target, render};
    use crate::plan::templates;
    use crate::release::lower;

    /// The starter plan's GitHub release workflow, its IR pipeline, and the plan.
    fn github_release() -> (String, Pipeline, Plan) {
        let plan = templates::starter("shop");
        let export = render(&plan, Target::GitHub).expect("renders");
        let file = export
            .files
            .iter()
            .find(|f| f.kind == FileKind::GitHubWorkflow && f.path.ends_with("-release.yml"));
        let text = file.expect("release workflow").contents.clone();
        (text, lower(&plan).expect("lowers").release, plan)
    }

    #[test]
    fn the_workflow_as_written_passes() {
        let (text, pipeline, plan) = github_release();
        assert_eq!(check(&text, Platform::GitHub, &pipeline, &plan), Ok(()));
    }

    #[test]
    fn a_dropped_dependency_is_caught() {
        let (text, pipeline, plan) = github_release();
        let web = "  deploy_web_eastus:\n    name: Deploy Web (East US)\n    needs:\n      - deploy_api_eastus\n";
        let broken = text.replacen(web, &web.replace("- deploy_api_eastus", "- build"), 1);
        assert_ne!(broken, text, "the edit applies");
        let problem = check(&broken, Platform::GitHub, &pipeline, &plan).unwrap_err();
        assert!(
            problem.starts_with("`deploy_web_eastus` does not wait for"),
            "{problem}"
        );
    }

    #[test]
    fn a_missing_target_and_a_cycle_are_caught() {
        let (text, pipeline, plan) = github_release();
        let missing = text.replacen("      - deploy_api_eastus\n", "      - deploy_ghost\n", 1);
        assert!(
            check(&missing, Platform::GitHub, &pipeline, &plan)
                .unwrap_err()
                .contains("does not exist")
        );
        let cycle = text.replacen("  deploy_db_eastus:\n    name: Deploy Database (East US)\n    needs:\n", "  deploy_db_eastus:\n    name: Deploy Database (East US)\n    needs:\n      - deploy_web_eastus\n", 1);
        assert_ne!(cycle, text, "the edit applies");
        assert!(
            check(&cycle, Platform::GitHub, &pipeline, &plan)
                .unwrap_err()
                .contains("cycle")
        );
    }

    #[test]
    fn a_lost_rollback_is_caught() {
        let (text, pipeline, plan) = github_release();
        let broken = text.replace("result == ''failure''", "result == ''success''");
        assert_ne!(broken, text, "the edit applies");
        let problem = check(&broken, Platform::GitHub, &pipeline, &plan).unwrap_err();
        assert!(problem.contains("has no rollback path"), "{problem}");
    }

    #[test]
    fn a_hotfix_without_its_approval_is_caught() {
        let plan = templates::starter("shop");
        let export = render(&plan, Target::Azure).expect("renders");
        let file = export
            .files
            .iter()
            .find(|f| f.path.contains("-hotfix-"))
            .expect("hotfix pipeline");
        let pipeline = lower(&plan).expect("lowers").hotfixes.remove(0);
        assert_eq!(
            check(&file.contents, Platform::Azure, &pipeline, &plan),
            Ok(())
        );
        let broken = file.contents.replace("ManualValidation@1", "Delay@1");
        assert!(
            check(&broken, Platform::Azure, &pipeline, &plan)
                .unwrap_err()
                .contains("no approval")
        );
    }
}
