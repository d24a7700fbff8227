//! Reading an emitted pipeline back: its stage (job) graph, with the deployment templates and reusable
//! workflows it calls resolved among the exported files, and what each node guarantees (a rollback
//! path, a human approval, a sign-in before every step that needs one).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::tree::{self, Node as Value};

use crate::release::LibraryCommand;

/// Which platform's YAML is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Azure Pipelines: `stages` with `dependsOn`, stage templates.
    Azure,
    /// GitHub Actions: `jobs` with `needs`, reusable workflows.
    GitHub,
}

/// A pipeline's graph as read back from its files.
#[derive(Default)]
pub(super) struct ReadBack {
    /// Each stage (job) id with what it waits for.
    pub nodes: BTreeMap<String, Vec<String>>,
    /// Stages whose failure has an automatic or approved rollback.
    pub rolled_back: BTreeSet<String>,
    /// Stages that wait for a human approval.
    pub approvals: BTreeSet<String>,
    /// Stages that run only when one they wait for failed (a switch back or a rollback after failed
    /// quality gates or traffic changes), each with the stages its condition names: the run has
    /// failed by then, so nothing after them needs to wait for them.
    pub on_failure: BTreeMap<String, Vec<String>>,
    /// How the pipeline continues a part of a chained release before it: the stage that checks it,
    /// and the part it names (GitHub: the workflow's path; Azure: the pipeline's name).
    pub continues: Option<(String, String)>,
    /// How the pipeline starts the next part (GitHub): the job that does, and the workflow it starts.
    pub starts: Option<(String, String)>,
    /// What starts the pipeline: the `workflow_dispatch` inputs it requires (GitHub), or the
    /// pipeline whose completion triggers it (Azure).
    pub started_by: StartedBy,
}

/// What starts a pipeline, as read back.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum StartedBy {
    /// A manual start (GitHub `workflow_dispatch`, Azure without triggers), requiring these inputs.
    Dispatch(BTreeSet<String>),
    /// The completion of the pipeline with this name (Azure pipeline resource trigger).
    Completion(String),
}

impl Default for StartedBy {
    fn default() -> Self {
        StartedBy::Dispatch(BTreeSet::new())
    }
}

/// The exported files by path, and the templates already read.
pub(super) struct Files<'a> {
    texts: &'a BTreeMap<&'a str, &'a str>,
    parsed: HashMap<String, Value>,
}

impl<'a> Files<'a> {
    /// Files of one export, by path.
    pub fn new(texts: &'a BTreeMap<&'a str, &'a str>) -> Self {
        Self {
            texts,
            parsed: HashMap::new(),
        }
    }

    /// The text of the file at `path`.
    fn text(&self, path: &str) -> Result<&'a str, String> {
        self.texts
            .get(path)
            .copied()
            .ok_or_else(|| format!("`{path}` is referred to but was not exported"))
    }

    /// The parsed YAML of the file at `path`, parsed once however often it is asked for (templates).
    pub fn yaml(&mut self, path: &str) -> Result<&Value, String> {
        if !self.parsed.contains_key(path) {
            let text = self.text(path)?;
            self.parsed.insert(path.to_owned(), parse(text, path)?);
        }
        self.parsed
            .get(path)
            .ok_or_else(|| format!("`{path}` could not be read"))
    }
}

/// Parses generated YAML (our own output, so with no parse budget: large plans write large files).
pub(super) fn parse(text: &str, path: &str) -> Result<Value, String> {
    tree::parse(text).map_err(|e| format!("`{path}` does not parse: {e}"))
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

/// Whether a step's script runs the library command `command`.
fn runs(script: &str, command: LibraryCommand) -> bool {
    script.split_whitespace().last() == Some(command.name())
}

/// The text of the environment variable `name` of a step.
fn env_text<'v>(step: &'v Value, name: &str) -> Option<&'v str> {
    step.get("env")?.get(name)?.as_str()
}

/// Whether a step's script runs a library command that calls the Azure CLI.
fn needs_sign_in(script: &str) -> bool {
    LibraryCommand::ALL
        .iter()
        .filter(|c| c.signs_in())
        .any(|c| script.split_whitespace().last() == Some(c.name()))
}

/// Checks the arguments of a call against the parameters `declared` (name → has a default).
fn check_arguments(
    caller: &str,
    template: &str,
    declared: &BTreeMap<String, bool>,
    given: &BTreeSet<String>,
) -> Result<(), String> {
    if let Some(missing) = declared
        .iter()
        .find(|(name, has_default)| !**has_default && !given.contains(*name))
    {
        return Err(format!(
            "`{caller}` calls `{template}` without its required `{}`",
            missing.0
        ));
    }
    if let Some(unknown) = given.iter().find(|name| !declared.contains_key(*name)) {
        return Err(format!(
            "`{caller}` passes `{unknown}`, which `{template}` does not declare"
        ));
    }
    Ok(())
}

/// Reads a GitHub workflow at `path`, resolving the reusable workflows its jobs call.
pub(super) fn read_github(files: &mut Files<'_>, path: &str) -> Result<ReadBack, String> {
    let root = parse(files.text(path)?, path)?;
    let jobs = root
        .get("jobs")
        .and_then(Value::as_object)
        .ok_or("the workflow has no `jobs` mapping")?;
    let mut read = ReadBack::default();
    if let Some(inputs) = root
        .pointer("/on/workflow_dispatch/inputs")
        .and_then(Value::as_object)
    {
        read.started_by = StartedBy::Dispatch(
            inputs
                .iter()
                .filter(|(_, input)| input.get("required").and_then(Value::as_bool) == Some(true))
                .map(|(name, _)| name.clone())
                .collect(),
        );
    }
    let mut lowercase = BTreeSet::new();
    for (id, job) in jobs {
        if !lowercase.insert(id.to_ascii_lowercase()) {
            return Err(format!(
                "two jobs have the id `{id}` (GitHub compares job ids case-insensitively)"
            ));
        }
        if let Some(uses) = job.get("uses").and_then(Value::as_str) {
            let template = uses
                .strip_prefix("./")
                .ok_or_else(|| format!("`{id}` calls `{uses}`, which is not in the export"))?;
            let given: BTreeSet<String> = job
                .get("with")
                .and_then(Value::as_object)
                .map(|with| with.keys().cloned().collect())
                .unwrap_or_default();
            let called = files.yaml(template)?;
            let declared: BTreeMap<String, bool> = called
                .pointer("/on/workflow_call/inputs")
                .and_then(Value::as_object)
                .map(|inputs| {
                    inputs
                        .iter()
                        .map(|(name, input)| {
                            let optional = input.get("required").and_then(Value::as_bool)
                                == Some(false)
                                || input.get("default").is_some();
                            (name.clone(), optional)
                        })
                        .collect()
                })
                .unwrap_or_default();
            check_arguments(id, template, &declared, &given)?;
            if github_rolls_back(called) {
                read.rolled_back.insert(id.clone());
            }
            for (job_id, called_job) in called
                .get("jobs")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                check_github_sign_in(&format!("{template}: {job_id}"), called_job)?;
            }
        } else {
            check_github_sign_in(id, job)?;
            read_github_chain(id, job, &mut read);
        }
        let environment = match job.get("environment") {
            Some(Value::String(name)) => Some(name.as_str()),
            Some(Value::Object(map)) => map.get("name").and_then(Value::as_str),
            _ => None,
        };
        if environment.is_some_and(|e| e.ends_with("-approval")) {
            read.approvals.insert(id.clone());
        }
        if let Some(condition) = job.get("if").and_then(Value::as_str)
            && condition.contains("failure() &&")
        {
            // `failure() && (needs.A.result == 'failure' || needs.B.result == 'failure')`
            let named = condition
                .split("needs.")
                .skip(1)
                .filter_map(|part| {
                    part.split_once(".result == 'failure'")
                        .map(|(name, _)| name.to_owned())
                })
                .collect();
            read.on_failure.insert(id.clone(), named);
        }
        read.nodes.insert(id.clone(), string_list(job.get("needs")));
    }
    Ok(read)
}

/// Records the chain steps of the job `id`: continuing the part before, starting the next.
fn read_github_chain(id: &str, job: &Value, read: &mut ReadBack) {
    for step in job
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let script = step.get("run").and_then(Value::as_str).unwrap_or("");
        if runs(script, LibraryCommand::ChainContinue) {
            let previous = env_text(step, "PREVIOUS_WORKFLOW").unwrap_or("");
            read.continues = Some((id.to_owned(), previous.to_owned()));
        }
        if runs(script, LibraryCommand::ChainNext) {
            let next = env_text(step, "NEXT_WORKFLOW").unwrap_or("");
            read.starts = Some((id.to_owned(), next.to_owned()));
        }
    }
}

/// Whether a reusable deployment workflow has a rollback job that runs when, and only when, its
/// deployment job failed.
fn github_rolls_back(workflow: &Value) -> bool {
    let Some(rollback) = workflow.pointer("/jobs/rollback") else {
        return false;
    };
    let needs = string_list(rollback.get("needs"));
    let condition = rollback.get("if").and_then(Value::as_str).unwrap_or("");
    needs == ["deploy"]
        && condition.contains("failure()")
        && condition.contains("needs.deploy.result == 'failure'")
        && rollback
            .get("steps")
            .and_then(Value::as_array)
            .is_some_and(|steps| !steps.is_empty())
}

/// Fails when a step of `job` runs a command that calls the Azure CLI before the job signed in.
fn check_github_sign_in(name: &str, job: &Value) -> Result<(), String> {
    let mut signed_in = false;
    for step in job
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if step
            .get("uses")
            .and_then(Value::as_str)
            .is_some_and(|uses| uses.starts_with("azure/login@"))
        {
            signed_in = true;
        }
        let script = step.get("run").and_then(Value::as_str).unwrap_or("");
        if needs_sign_in(script) && !signed_in {
            return Err(format!(
                "`{name}` runs `{script}` before signing in to Azure"
            ));
        }
    }
    Ok(())
}

/// Reads an Azure pipeline at `path`, expanding the stage templates it includes.
pub(super) fn read_azure(files: &mut Files<'_>, path: &str) -> Result<ReadBack, String> {
    let root = parse(files.text(path)?, path)?;
    let stages = root
        .get("stages")
        .and_then(Value::as_array)
        .ok_or("the pipeline has no `stages` list")?;
    let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
    let mut read = ReadBack::default();
    let triggers: Vec<&str> = root
        .pointer("/resources/pipelines")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| match p.get("trigger") {
            Some(Value::Bool(on)) => *on,
            Some(Value::String(text)) => text == "true",
            _ => false,
        })
        .filter_map(|p| p.get("source").and_then(Value::as_str))
        .collect();
    match triggers.as_slice() {
        [] => {}
        [source] => read.started_by = StartedBy::Completion((*source).to_owned()),
        _ => return Err("the pipeline is triggered by more than one pipeline".to_owned()),
    }
    for stage in stages {
        if let Some(template) = stage.get("template").and_then(Value::as_str) {
            read_azure_call(files, folder, template, stage, &mut read)?;
            continue;
        }
        let id = stage
            .get("stage")
            .and_then(Value::as_str)
            .ok_or("a stage has no `stage` id")?
            .to_owned();
        let depends_on = string_list(stage.get("dependsOn"));
        if let Some(condition) = stage.get("condition").and_then(Value::as_str)
            && let Some(list) = condition
                .strip_prefix("failed(")
                .and_then(|rest| rest.strip_suffix(')'))
        {
            // `failed('a', 'b')`
            let named = list
                .split(',')
                .map(|name| name.trim().trim_matches('\'').to_owned())
                .filter(|name| !name.is_empty())
                .collect();
            read.on_failure.insert(id.clone(), named);
        }
        for job in stage
            .get("jobs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
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
            check_azure_sign_in(&id, job)?;
            for step in job
                .get("steps")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let script = step.get("bash").and_then(Value::as_str).unwrap_or("");
                if runs(script, LibraryCommand::ChainContinue) {
                    let previous = env_text(step, "PREVIOUS_PIPELINE").unwrap_or("");
                    read.continues = Some((id.clone(), previous.to_owned()));
                }
            }
        }
        if read.nodes.insert(id.clone(), depends_on).is_some() {
            return Err(format!("two stages have the id `{id}`"));
        }
    }
    Ok(read)
}

/// Reads one inclusion of a stage template: its stage (and approved-rollback stage) as nodes.
fn read_azure_call(
    files: &mut Files<'_>,
    folder: &str,
    template: &str,
    call: &Value,
    read: &mut ReadBack,
) -> Result<(), String> {
    let parameters = call.get("parameters").and_then(Value::as_object);
    let id = parameters
        .and_then(|p| p.get("stage"))
        .and_then(Value::as_str)
        .ok_or_else(|| format!("an inclusion of `{template}` names no stage"))?
        .to_owned();
    let depends_on = string_list(parameters.and_then(|p| p.get("dependsOn")));
    let path = if folder.is_empty() {
        template.to_owned()
    } else {
        format!("{folder}/{template}")
    };
    let body = files.yaml(&path)?;
    let declared: BTreeMap<String, bool> = body
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?.to_owned();
            Some((name, p.get("default").is_some()))
        })
        .collect();
    let given: BTreeSet<String> = parameters
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    check_arguments(&id, template, &declared, &given)?;
    let template_stages = body
        .get("stages")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("`{template}` has no `stages` list"))?;
    let mut rolled_back = false;
    for stage in template_stages {
        let stage_id = stage.get("stage").and_then(Value::as_str).unwrap_or("");
        let condition = stage.get("condition").and_then(Value::as_str).unwrap_or("");
        for job in stage
            .get("jobs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            check_azure_sign_in(&format!("{template}: {stage_id}"), job)?;
            if job
                .pointer("/strategy/runOnce/on/failure/steps")
                .and_then(Value::as_array)
                .is_some_and(|s| !s.is_empty())
            {
                rolled_back = true;
            }
        }
        if stage_id == "${{ parameters.stage }}_rollback"
            && condition == "failed('${{ parameters.stage }}')"
        {
            rolled_back = true;
            read.nodes
                .insert(format!("{id}_rollback"), vec![id.clone()]);
        }
    }
    if rolled_back {
        read.rolled_back.insert(id.clone());
    }
    if read.nodes.insert(id.clone(), depends_on).is_some() {
        return Err(format!("two stages have the id `{id}`"));
    }
    Ok(())
}

/// Fails when a plain `bash` step of `job` runs a command that calls the Azure CLI (only `AzureCLI@2`
/// steps are signed in, through the service connection).
fn check_azure_sign_in(name: &str, job: &Value) -> Result<(), String> {
    let mut steps: Vec<&Value> = Vec::new();
    collect_steps(job, &mut steps);
    for step in steps {
        if let Some(script) = step.get("bash").and_then(Value::as_str)
            && needs_sign_in(script)
        {
            return Err(format!(
                "`{name}` runs `{script}` without signing in to Azure"
            ));
        }
    }
    Ok(())
}

/// Every step under `value` (jobs, lifecycle hooks, conditional insertions).
fn collect_steps<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("bash") || map.contains_key("task") {
                out.push(value);
                return;
            }
            for item in map.values() {
                collect_steps(item, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_steps(item, out)),
        _ => {}
    }
}
