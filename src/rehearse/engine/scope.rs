//! What expressions see: GitHub contexts (`github`, `inputs`, `needs`, `secrets`, `env`, `steps`,
//! `job`, `runner`, `vars`) and Azure variables (predefined, pipeline, stage, job and set by steps) and
//! `dependencies`, with each platform's status functions at unit and at step level.

use serde_json::{Map, Value as Json, json};

use super::super::expr::{Scope, github as gh};
use super::super::facts::Facts;
use super::super::model::{Call, Platform, UnitKind};
use super::{Engine, Outcome};

/// The scope of a unit (its condition) or of its current step.
pub(super) struct UnitScope<'e, 'a, 's> {
    engine: &'e Engine<'a, 's>,
    run: usize,
    unit: usize,
    step_level: bool,
}

/// Compile-time variables of an Azure pipeline (what templates may read).
pub(super) fn compile_variables(facts: &Facts, branch: &str, build: &str) -> Json {
    json!({
        "Build.SourceBranch": format!("refs/heads/{branch}"),
        "Build.SourceBranchName": branch.rsplit('/').next().unwrap_or(branch),
        "Build.Reason": "Manual",
        "Build.BuildId": build,
        "System.TeamProject": facts.project,
    })
}

impl<'e, 'a, 's> UnitScope<'e, 'a, 's> {
    /// The scope of `unit` of `run`; `step_level` for its current step.
    pub(super) fn new(
        engine: &'e Engine<'a, 's>,
        run: usize,
        unit: usize,
        step_level: bool,
    ) -> Self {
        UnitScope {
            engine,
            run,
            unit,
            step_level,
        }
    }

    fn units(&self) -> &[super::super::model::Unit] {
        &self.engine.runs[self.run].pipeline.units
    }

    fn outcome(&self, unit: usize) -> Outcome {
        self.engine.runs[self.run].units[unit]
            .outcome
            .unwrap_or(Outcome::Skipped)
    }

    /// Whether every unit this one waits for (directly or not) succeeded: the default condition.
    pub(super) fn ancestors_ok(&self) -> bool {
        super::super::graph::ancestors(self.units(), self.unit)
            .into_iter()
            .all(|a| self.outcome(a).ok())
    }

    fn named(&self, args: &[Json]) -> Result<Vec<usize>, String> {
        let parent = self.units()[self.unit].parent;
        args.iter()
            .map(|a| {
                let name = a.as_str().unwrap_or_default();
                self.units()
                    .iter()
                    .position(|u| u.parent == parent && u.id.eq_ignore_ascii_case(name))
                    .ok_or_else(|| format!("`{name}` is not a stage or job here"))
            })
            .collect()
    }

    /// The nearest enclosing call, if any.
    fn call(&self) -> Option<usize> {
        let mut at = self.units()[self.unit].parent;
        while let Some(p) = at {
            if matches!(self.units()[p].kind, UnitKind::Call(_)) {
                return Some(p);
            }
            at = self.units()[p].parent;
        }
        None
    }

    fn inputs(&self) -> Json {
        match self.call() {
            Some(call) => self.engine.runs[self.run].units[call]
                .inputs
                .clone()
                .unwrap_or_else(|| json!({})),
            None => self.engine.runs[self.run].inputs.clone(),
        }
    }

    fn secrets(&self) -> Json {
        match self.call() {
            Some(call) => self.engine.runs[self.run].units[call]
                .secrets
                .clone()
                .unwrap_or_else(|| json!({})),
            None => run_secrets(),
        }
    }

    /// The secrets a call passes to the workflow it calls.
    pub(super) fn secrets_for_call(&self, call: &Call) -> Json {
        if call.secrets_inherit {
            return self.secrets();
        }
        let mut out = Map::new();
        for (name, text) in &call.secrets {
            out.insert(
                name.clone(),
                Json::String(gh::interpolate(text, self).unwrap_or_default()),
            );
        }
        Json::Object(out)
    }

    fn dependencies(&self) -> Json {
        let platform = self.engine.platform;
        let mut out = Map::new();
        for &need in &self.units()[self.unit].needs {
            let state = &self.engine.runs[self.run].units[need];
            out.insert(
                self.units()[need].id.clone(),
                json!({"result": self.outcome(need).name(platform), "outputs": state.outputs}),
            );
        }
        Json::Object(out)
    }

    fn github(&self) -> Json {
        let run = &self.engine.runs[self.run];
        let facts = self.engine.shared.facts;
        let workspace = run.units[self.unit]
            .job
            .as_ref()
            .map(|j| j.workdir.display().to_string())
            .unwrap_or_default();
        json!({
            "ref": format!("refs/heads/{}", run.branch),
            "ref_name": run.branch,
            "ref_type": "branch",
            "sha": "c0ffee0000000000000000000000000000000000",
            "run_id": run.build,
            "run_number": run.build,
            "run_attempt": "1",
            "repository": facts.repository,
            "repository_owner": facts.repository.split('/').next().unwrap_or_default(),
            "actor": "rehearsal",
            "triggering_actor": "rehearsal",
            "event_name": "workflow_dispatch",
            "event": {"inputs": run.inputs},
            "workflow": run.pipeline.name,
            "job": self.units()[self.unit].id,
            "token": "rehearsal-github-token",
            "server_url": "https://github.com",
            "api_url": "https://api.github.com",
            "workspace": workspace,
        })
    }

    /// GitHub's `env` context: the workflow's, the job's and what steps added.
    pub(super) fn env(&self) -> Json {
        let run = &self.engine.runs[self.run];
        let mut out = Map::new();
        for (k, v) in &run.pipeline.variables {
            out.insert(k.clone(), Json::String(v.clone()));
        }
        if let Some(job) = &run.units[self.unit].job {
            for (k, v) in job.env.iter().chain(&job.added_env) {
                out.insert(k.clone(), Json::String(v.clone()));
            }
        }
        Json::Object(out)
    }

    /// Azure's variables for this unit: predefined, pipeline, stage, job and set by steps.
    pub(super) fn variables(&self) -> Vec<(String, String)> {
        let run = &self.engine.runs[self.run];
        let facts = self.engine.shared.facts;
        let job = run.units[self.unit].job.as_ref();
        let path =
            |p: Option<&std::path::PathBuf>| p.map(|p| p.display().to_string()).unwrap_or_default();
        let root = job.map(|j| &j.root);
        let workdir = job.map(|j| &j.workdir);
        let stage = self.units()[self.unit]
            .parent
            .map(|p| self.units()[p].id.clone())
            .unwrap_or_default();
        let collection = format!("{}/", facts.organization.trim_end_matches('/'));
        let mut vars: Vec<(String, String)> = [
            ("Build.BuildId", run.build.clone()),
            ("Build.BuildNumber", run.build.clone()),
            ("Build.SourceBranch", format!("refs/heads/{}", run.branch)),
            (
                "Build.SourceBranchName",
                run.branch.rsplit('/').next().unwrap_or_default().to_owned(),
            ),
            (
                "Build.SourceVersion",
                "c0ffee0000000000000000000000000000000000".to_owned(),
            ),
            (
                "Build.Repository.Name",
                facts
                    .repository
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            ("Build.DefinitionName", run.pipeline.name.clone()),
            ("Build.Reason", "Manual".to_owned()),
            ("Build.SourcesDirectory", path(workdir)),
            (
                "Build.ArtifactStagingDirectory",
                root.map(|r| r.join("a").display().to_string())
                    .unwrap_or_default(),
            ),
            ("System.DefaultWorkingDirectory", path(workdir)),
            ("System.CollectionUri", collection.clone()),
            ("System.TeamFoundationCollectionUri", collection),
            ("System.TeamProject", facts.project.clone()),
            (
                "System.AccessToken",
                "rehearsal-azure-devops-token".to_owned(),
            ),
            ("System.StageName", stage),
            ("System.JobName", self.units()[self.unit].id.clone()),
            ("Pipeline.Workspace", path(root)),
            ("Agent.BuildDirectory", path(root)),
            (
                "Agent.TempDirectory",
                job.map(|j| j.tmp.display().to_string()).unwrap_or_default(),
            ),
            ("Agent.OS", "Linux".to_owned()),
            (
                "Environment.Name",
                job.and_then(|j| j.environment.clone()).unwrap_or_default(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        vars.extend(run.pipeline.variables.iter().cloned());
        if let Some(job) = job {
            vars.extend(job.env.iter().cloned());
            vars.extend(job.variables.iter().cloned());
        }
        vars
    }

    fn status_unit(&self, function: &str, args: &[Json]) -> Result<bool, String> {
        let platform = self.engine.platform;
        let ancestors = || super::super::graph::ancestors(self.units(), self.unit);
        let chosen = if args.is_empty() {
            ancestors()
        } else {
            self.named(args)?
        };
        Ok(match (platform, function) {
            (_, "always") => true,
            (_, "cancelled" | "canceled") => false,
            (Platform::GitHub, "success") | (Platform::Azure, "succeeded") => {
                chosen.iter().all(|a| self.outcome(*a).ok())
            }
            (Platform::GitHub, "failure") | (Platform::Azure, "failed") => {
                chosen.iter().any(|a| self.outcome(*a) == Outcome::Failed)
            }
            (Platform::Azure, "succeededorfailed") => {
                chosen.iter().all(|a| self.outcome(*a) != Outcome::Canceled)
            }
            (_, other) => {
                return Err(format!(
                    "{other}() is not a status function of this platform"
                ));
            }
        })
    }

    fn status_step(&self, function: &str, args: &[Json]) -> Result<bool, String> {
        if !args.is_empty() {
            return Err(format!("{function}() takes no names in a step condition"));
        }
        let job = self.engine.runs[self.run].units[self.unit]
            .job
            .as_ref()
            .ok_or("no job is running")?;
        let failed = match self.engine.platform {
            Platform::GitHub => job.failed,
            Platform::Azure => job.hook_failed,
        };
        Ok(match function {
            "always" | "succeededorfailed" => true,
            "cancelled" | "canceled" => job.timed_out,
            "success" | "succeeded" => !failed && !job.timed_out,
            "failure" | "failed" => failed,
            other => return Err(format!("{other}() is not a status function")),
        })
    }
}

/// The secrets of a run: only the automatic `GITHUB_TOKEN`; the plan's credential ids are
/// repository variables, not secrets (a workflow reading them from `secrets` gets nothing, as on
/// GitHub).
pub(super) fn run_secrets() -> Json {
    json!({"GITHUB_TOKEN": "rehearsal-github-token"})
}

/// The repository variables of a run (`vars`): the plan's credential names, with placeholder values.
pub(super) fn run_variables(facts: &Facts) -> Json {
    Json::Object(
        facts
            .secrets
            .iter()
            .map(|s| {
                (
                    s.clone(),
                    Json::String(format!("rehearsal-secret-{}", s.to_lowercase())),
                )
            })
            .collect(),
    )
}

impl Scope for UnitScope<'_, '_, '_> {
    fn context(&self, name: &str) -> Option<Json> {
        let lower = name.to_ascii_lowercase();
        let run = &self.engine.runs[self.run];
        match (self.engine.platform, lower.as_str()) {
            (Platform::GitHub, "github") => Some(self.github()),
            (Platform::GitHub, "inputs") => Some(self.inputs()),
            (Platform::GitHub, "needs") => Some(self.dependencies()),
            (Platform::GitHub, "secrets") => Some(self.secrets()),
            (Platform::GitHub, "vars") => Some(run_variables(self.engine.shared.facts)),
            (Platform::GitHub, "env") => Some(self.env()),
            (Platform::GitHub, "runner") => Some(
                json!({"os": "Linux", "arch": "X64", "name": "rehearsal", "temp": run.units[self.unit].job.as_ref().map(|j| j.tmp.display().to_string())}),
            ),
            (Platform::GitHub, "job") => Some(
                json!({"status": if run.units[self.unit].job.as_ref().is_some_and(|j| j.failed) { "failure" } else { "success" }}),
            ),
            (Platform::GitHub, "steps") => Some(Json::Object(
                run.units[self.unit]
                    .job
                    .as_ref()
                    .map(|j| j.steps.clone())
                    .unwrap_or_default(),
            )),
            (Platform::Azure, "variables") => Some(Json::Object(
                self.variables()
                    .into_iter()
                    .map(|(k, v)| (k, Json::String(v)))
                    .collect(),
            )),
            (Platform::Azure, "dependencies") => Some(self.dependencies()),
            (Platform::Azure, "parameters") => Some(run.inputs.clone()),
            _ => None,
        }
    }

    fn status(&self, function: &str, args: &[Json]) -> Option<Result<bool, String>> {
        Some(if self.step_level {
            self.status_step(function, args)
        } else {
            self.status_unit(function, args)
        })
    }
}
