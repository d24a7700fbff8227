//! One step: its condition, its environment, and what it does — a bash script run by a worker, or a
//! simulated action (checkout, artifacts, Azure sign-in, a delay, an in-pipeline approval).

use std::path::{Path, PathBuf};

use super::super::RehearseError;
use super::super::estate::EventKind;
use super::super::expr::{azure as az, github as gh};
use super::super::model::{Action as StepAction, Platform, Script, Step};
use super::super::sandbox::{copy_tree, quote};
use super::scope::UnitScope;
use super::{APPROVAL_SECONDS, Action, Decision, Engine, Process};

/// Lines of a failed script's standard error kept for the report.
const FAILURE_LINES: usize = 6;

impl Engine<'_, '_> {
    /// Evaluates text in a scope: GitHub `${{ }}`, Azure `$(macros)`.
    pub(super) fn interpolate(&self, scope: &UnitScope, text: &str) -> Result<String, String> {
        match self.platform {
            Platform::GitHub => gh::interpolate(text, scope),
            Platform::Azure => {
                let variables = scope.variables();
                Ok(az::expand_macros(text, &|name| {
                    variables
                        .iter()
                        .rev()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.clone())
                }))
            }
        }
    }

    fn step_error(step: &Step, message: String) -> RehearseError {
        RehearseError::Unsupported {
            loc: step.loc.clone(),
            message,
        }
    }

    /// Whether a step runs: its condition, or by default only while its job has not failed.
    fn step_runs(
        &self,
        scope: &UnitScope,
        run: usize,
        unit: usize,
        step: &Step,
    ) -> Result<bool, RehearseError> {
        match &step.condition {
            None => Ok(!self.job(run, unit).is_some_and(|j| match self.platform {
                Platform::GitHub => j.failed || j.timed_out,
                Platform::Azure => j.hook_failed || j.timed_out,
            })),
            Some(condition) => {
                let value = match self.platform {
                    Platform::GitHub => gh::eval(&condition.expr, scope).map(|v| gh::truthy(&v)),
                    Platform::Azure => az::eval(&condition.expr, scope).map(|v| az::truthy(&v)),
                };
                value.map_err(|e| RehearseError::Unsupported {
                    loc: condition.loc.clone(),
                    message: format!("`{}`: {e}", condition.text),
                })
            }
        }
    }

    /// A step's values after interpolation in its scope.
    fn resolve_step(&self, scope: &UnitScope, step: &Step) -> Result<Resolved, RehearseError> {
        let text = |t: &str| {
            self.interpolate(scope, t)
                .map_err(|e| Self::step_error(step, e))
        };
        Ok(match &step.action {
            StepAction::Script(script) => Resolved::Script(
                text(&script.text)?,
                script.working_directory.as_deref().map(text).transpose()?,
            ),
            StepAction::Delay { minutes } => {
                let value = text(minutes)?;
                let minutes: f64 = value.trim().parse().map_err(|_| {
                    Self::step_error(step, format!("`delayForMinutes: {value}` is not a number"))
                })?;
                Resolved::Delay(minutes)
            }
            StepAction::UploadArtifact { path, .. } | StepAction::DownloadArtifact { path, .. } => {
                Resolved::Path(text(path)?)
            }
            StepAction::AzureLogin { inputs } => {
                Resolved::Inputs(self.evaluate_pairs(scope, inputs, &step.loc)?)
            }
            _ => Resolved::Nothing,
        })
    }

    /// Starts a step; `true` when it ended at once (simulated), `false` when it is pending.
    pub(super) fn start_step(
        &mut self,
        run: usize,
        unit: usize,
        step: &Step,
    ) -> Result<bool, RehearseError> {
        let scope = UnitScope::new(self, run, unit, true);
        if !self.step_runs(&scope, run, unit, step)? {
            if let Some(job) = self.job_mut(run, unit) {
                if let Some(id) = &step.id {
                    job.steps.insert(id.clone(), serde_json::json!({"outcome": "skipped", "conclusion": "skipped", "outputs": {}}));
                }
                job.step += 1;
                job.serial += 1;
            }
            return Ok(true);
        }
        let env = self.evaluate_pairs(&scope, &step.env, &step.loc)?;
        let resolved = self.resolve_step(&scope, step)?;
        let serial = self.job(run, unit).map_or(0, |j| j.serial);
        if let Some(minutes) = step.timeout_minutes {
            self.later(
                (minutes * 60.0) as u64,
                Action::Deadline {
                    run,
                    unit,
                    serial,
                    job: false,
                },
            );
        }
        let outcome = match (&step.action, resolved) {
            (StepAction::Script(script), Resolved::Script(text, dir)) => {
                return self
                    .start_script(run, unit, step, script, text, dir, env)
                    .map(|()| false);
            }
            (_, Resolved::Delay(minutes)) => {
                self.later(
                    (minutes * 60.0) as u64,
                    Action::StepEnded {
                        run,
                        unit,
                        serial,
                        ok: true,
                        note: String::new(),
                    },
                );
                return Ok(false);
            }
            (StepAction::ManualValidation { on_timeout, .. }, _) => {
                self.manual_validation(run, unit, step, on_timeout, serial);
                return Ok(false);
            }
            (
                StepAction::Checkout {
                    persist_credentials,
                },
                _,
            ) => self.checkout(run, unit, *persist_credentials),
            (
                StepAction::UploadArtifact {
                    name,
                    error_if_empty,
                    ..
                },
                Resolved::Path(path),
            ) => self.upload(run, unit, name, &path, *error_if_empty),
            (StepAction::DownloadArtifact { name, .. }, Resolved::Path(path)) => {
                self.download(run, unit, name.as_deref(), &path)
            }
            (StepAction::AzureLogin { .. }, Resolved::Inputs(inputs)) => {
                self.azure_login(run, unit, &inputs)
            }
            _ => Ok(()),
        };
        let (ok, note) = match outcome {
            Ok(()) => (true, String::new()),
            Err(message) => (false, format!("{}: {message}", step.name)),
        };
        self.step_finished(run, unit, ok, &note)?;
        // step_finished queued the continuation.
        Ok(false)
    }

    fn manual_validation(
        &mut self,
        run: usize,
        unit: usize,
        step: &Step,
        on_timeout: &str,
        serial: u64,
    ) {
        let path = self.runs[run].pipeline.units[unit].path.clone();
        let decision = self.approval_decision(run, unit, &path);
        let ordinal = self.runs[run].approvals;
        let limit = step
            .timeout_minutes
            .or_else(|| self.definition_timeout(run, unit))
            .unwrap_or(60.0);
        let resume = on_timeout.eq_ignore_ascii_case("resume");
        let (seconds, ok, word) = match decision {
            Decision::Approve => (APPROVAL_SECONDS, true, "approved".to_owned()),
            Decision::Reject => (APPROVAL_SECONDS, false, "rejected".to_owned()),
            Decision::Timeout => (
                (limit * 60.0) as u64,
                resume,
                format!("timed out ({})", if resume { "resume" } else { "reject" }),
            ),
        };
        self.log_at(
            run,
            unit,
            EventKind::Approval {
                name: path.clone(),
                decision: word.clone(),
                ordinal,
            },
            seconds,
        );
        let note = if ok {
            String::new()
        } else {
            format!("the approval in `{path}` was {word}")
        };
        self.later(
            seconds,
            Action::StepEnded {
                run,
                unit,
                serial,
                ok,
                note,
            },
        );
    }

    fn definition_timeout(&self, run: usize, unit: usize) -> Option<f64> {
        match &self.runs[run].pipeline.units[unit].kind {
            super::super::model::UnitKind::Job(job) => Some(job.timeout_minutes),
            _ => None,
        }
    }

    fn checkout(&mut self, run: usize, unit: usize, persist: bool) -> Result<(), String> {
        let repo = self.station.sandbox.repo();
        let Some(job) = self.job_mut(run, unit) else {
            return Ok(());
        };
        job.flags.checked_out = true;
        job.flags.git_credentials = persist;
        let workdir = job.workdir.clone();
        copy_tree(&repo, &workdir, true).map_err(|e| e.to_string())
    }

    fn resolve(&self, run: usize, unit: usize, path: &str) -> PathBuf {
        let base = self
            .job(run, unit)
            .map(|j| j.workdir.clone())
            .unwrap_or_default();
        let path = Path::new(path);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.join(path)
        }
    }

    fn upload(
        &mut self,
        run: usize,
        unit: usize,
        name: &str,
        path: &str,
        error_if_empty: bool,
    ) -> Result<(), String> {
        let from = self.resolve(run, unit, path);
        let empty = std::fs::read_dir(&from)
            .map(|mut d| d.next().is_none())
            .unwrap_or(true);
        if empty && !from.is_file() {
            return if error_if_empty {
                Err(format!(
                    "no files were found with the provided path: {path}"
                ))
            } else {
                Ok(())
            };
        }
        let to = self.runs[run].artifacts.join(name);
        if to.exists() {
            return Err(format!("an artifact named `{name}` already exists"));
        }
        copy_tree(&from, &to, false).map_err(|e| e.to_string())
    }

    fn download(
        &mut self,
        run: usize,
        unit: usize,
        name: Option<&str>,
        path: &str,
    ) -> Result<(), String> {
        let store = self.runs[run].artifacts.clone();
        let to = self.resolve(run, unit, path);
        match name {
            Some(name) => {
                let from = store.join(name);
                if !from.exists() {
                    return Err(format!(
                        "unable to find an artifact named `{name}` in this run"
                    ));
                }
                copy_tree(&from, &to, true).map_err(|e| e.to_string())
            }
            None => copy_tree(&store, &to, true).map_err(|e| e.to_string()),
        }
    }

    fn azure_login(
        &mut self,
        run: usize,
        unit: usize,
        inputs: &[(String, String)],
    ) -> Result<(), String> {
        let value = |key: &str| {
            inputs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or_default()
        };
        for key in ["client-id", "tenant-id"] {
            if value(key).is_empty() {
                return Err(format!(
                    "Login failed: `{key}` is empty (is the secret passed to this job?)"
                ));
            }
        }
        if value("subscription-id").is_empty() && value("allow-no-subscriptions") != "true" {
            return Err("Login failed: `subscription-id` is empty".into());
        }
        let Some(job) = self.job_mut(run, unit) else {
            return Ok(());
        };
        if !job
            .flags
            .token_scopes
            .as_ref()
            .is_none_or(|p| p.allows("id-token", "write"))
        {
            return Err(
                "Login failed: OIDC needs `permissions: id-token: write` for this job".into(),
            );
        }
        job.flags.azure_signed_in = true;
        Ok(())
    }

    /// The environment variables of a script step, platform defaults first.
    fn script_env(
        &self,
        run: usize,
        unit: usize,
        step_env: Vec<(String, String)>,
        files: &StepFiles,
    ) -> Vec<(String, String)> {
        let scope = UnitScope::new(self, run, unit, true);
        let mut env: Vec<(String, String)> = Vec::new();
        let job = self.job(run, unit);
        let tmp = job.map(|j| j.tmp.display().to_string()).unwrap_or_default();
        env.push(("TMPDIR".into(), tmp.clone()));
        env.push(("CI".into(), "true".into()));
        match self.platform {
            Platform::GitHub => {
                let github =
                    super::super::expr::Scope::context(&scope, "github").unwrap_or_default();
                let text = |k: &str| {
                    github
                        .get(k)
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                };
                for (name, key) in [
                    ("GITHUB_REF", "ref"),
                    ("GITHUB_REF_NAME", "ref_name"),
                    ("GITHUB_SHA", "sha"),
                    ("GITHUB_RUN_ID", "run_id"),
                    ("GITHUB_RUN_NUMBER", "run_number"),
                    ("GITHUB_RUN_ATTEMPT", "run_attempt"),
                    ("GITHUB_REPOSITORY", "repository"),
                    ("GITHUB_REPOSITORY_OWNER", "repository_owner"),
                    ("GITHUB_ACTOR", "actor"),
                    ("GITHUB_EVENT_NAME", "event_name"),
                    ("GITHUB_WORKFLOW", "workflow"),
                    ("GITHUB_JOB", "job"),
                    ("GITHUB_SERVER_URL", "server_url"),
                    ("GITHUB_API_URL", "api_url"),
                    ("GITHUB_WORKSPACE", "workspace"),
                ] {
                    env.push((name.into(), text(key)));
                }
                env.push(("GITHUB_ACTIONS".into(), "true".into()));
                env.push(("RUNNER_OS".into(), "Linux".into()));
                env.push(("RUNNER_TEMP".into(), tmp));
                env.push(("GITHUB_OUTPUT".into(), files.output.display().to_string()));
                env.push(("GITHUB_ENV".into(), files.env.display().to_string()));
                env.push((
                    "GITHUB_STEP_SUMMARY".into(),
                    files.summary.display().to_string(),
                ));
                env.push(("GITHUB_PATH".into(), files.path.display().to_string()));
                env.extend(
                    self.runs[run]
                        .pipeline
                        .variables
                        .iter()
                        .map(|(k, v)| (k.clone(), self.interpolate(&scope, v).unwrap_or_default())),
                );
                if let Some(job) = job {
                    env.extend(job.env.iter().cloned());
                    env.extend(job.added_env.iter().cloned());
                }
            }
            Platform::Azure => {
                env.push(("TF_BUILD".into(), "True".into()));
                for (name, value) in scope.variables() {
                    if name.eq_ignore_ascii_case("System.AccessToken") {
                        continue;
                    }
                    env.push((name.to_ascii_uppercase().replace(['.', ' '], "_"), value));
                }
            }
        }
        env.extend(step_env);
        env
    }

    #[allow(clippy::too_many_arguments)]
    fn start_script(
        &mut self,
        run: usize,
        unit: usize,
        step: &Step,
        script: &Script,
        text: String,
        working_directory: Option<String>,
        step_env: Vec<(String, String)>,
    ) -> Result<(), RehearseError> {
        let handle = self.processes.len();
        let dir = self.station.sandbox.root().join("runs").join("steps");
        std::fs::create_dir_all(&dir).map_err(|e| RehearseError::Sandbox(e.to_string()))?;
        let files = StepFiles::new(&dir, handle);
        let env = self.script_env(run, unit, step_env, &files);
        let workdir = match &working_directory {
            Some(dir) => self.resolve(run, unit, dir),
            None => self
                .job(run, unit)
                .map(|j| j.workdir.clone())
                .unwrap_or_default(),
        };
        let mut program = format!(
            "exec >{} 2>{}\ncd -- {} || exit 1\nexport CUTOVER_STEP={handle} CUTOVER_PORT={} CUTOVER_TOKEN={}\n",
            quote(&files.stdout.display().to_string()),
            quote(&files.stderr.display().to_string()),
            quote(&workdir.display().to_string()),
            self.station_port(),
            quote(&self.token),
        );
        for (name, value) in &env {
            if is_name(name) {
                program.push_str(&format!("export {name}={}\n", quote(value)));
            }
        }
        for option in script.options.split_whitespace() {
            program.push_str(match option {
                "-e" | "-eo" => "set -e\n",
                "pipefail" => "set -o pipefail\n",
                _ => "",
            });
        }
        // The script itself, inline: the worker sources the whole program in a subshell.
        program.push_str(&text);
        program.push('\n');
        let worker = self
            .station
            .pool
            .run(&self.station.sandbox, &program)
            .map_err(|e| RehearseError::Sandbox(format!("cannot start bash: {e}")))?;
        let serial = self.job(run, unit).map_or(0, |j| j.serial);
        self.processes.push(Process {
            run,
            unit,
            worker,
            alive: true,
            serial,
            files: Some(files),
            step: step.name.clone(),
            step_id: step.id.clone(),
            azure: script.azure_connection.is_some(),
        });
        self.active = Some(handle);
        self.scripts += 1;
        Ok(())
    }

    fn station_port(&self) -> u16 {
        self.station.port()
    }

    /// A script step's process ended with `status`.
    pub(super) fn script_finished(
        &mut self,
        run: usize,
        unit: usize,
        status: i32,
        handle: usize,
    ) -> Result<(), RehearseError> {
        let files = self.processes[handle].files.take();
        let (name, id) = (
            self.processes[handle].step.clone(),
            self.processes[handle].step_id.clone(),
        );
        let mut ok = status == 0;
        let mut note = String::new();
        if let Some(files) = files {
            ok &= self.read_step_files(run, unit, &files, id.as_deref());
            if !ok {
                let stderr = std::fs::read_to_string(&files.stderr).unwrap_or_default();
                let tail: Vec<&str> = stderr.lines().rev().take(FAILURE_LINES).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                let path = self.runs[run].pipeline.units[unit].path.clone();
                self.failures.push((path, name.clone(), tail.join("\n")));
                note = match tail.last() {
                    Some(last) => format!("step `{name}` failed (exit {status}): {last}"),
                    None => format!("step `{name}` failed (exit {status})"),
                };
            }
        }
        self.step_finished(run, unit, ok, &note)
    }

    /// Reads what a script step left for the platform: outputs, environment, Azure logging
    /// commands; `false` when a logging command failed the task.
    fn read_step_files(
        &mut self,
        run: usize,
        unit: usize,
        files: &StepFiles,
        id: Option<&str>,
    ) -> bool {
        let platform = self.platform;
        let stdout = std::fs::read_to_string(&files.stdout).unwrap_or_default();
        let outputs = parse_key_values(&std::fs::read_to_string(&files.output).unwrap_or_default());
        let added = parse_key_values(&std::fs::read_to_string(&files.env).unwrap_or_default());
        let mut ok = true;
        let mut set = Vec::new();
        let mut unit_outputs = Vec::new();
        if platform == Platform::Azure {
            for line in stdout.lines() {
                if let Some(rest) = line.trim().strip_prefix("##vso[task.setvariable ") {
                    if let Some((props, value)) = rest.split_once(']') {
                        let prop = |key: &str| {
                            props
                                .split(';')
                                .find_map(|p| p.trim().strip_prefix(&format!("{key}=")))
                                .map(str::to_owned)
                        };
                        if let Some(variable) = prop("variable") {
                            if prop("isOutput").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                                unit_outputs.push((
                                    format!("{}.{variable}", id.unwrap_or_default()),
                                    value.to_owned(),
                                ));
                            }
                            set.push((variable, value.to_owned()));
                        }
                    }
                } else if line.contains("##vso[task.complete result=Failed") {
                    ok = false;
                }
            }
        }
        if let Some(job) = self.job_mut(run, unit) {
            job.added_env.extend(added);
            job.variables.extend(set);
            if let Some(id) = id {
                let entry = job
                    .steps
                    .entry(id.to_owned())
                    .or_insert_with(|| serde_json::json!({"outputs": {}}));
                for (k, v) in &outputs {
                    entry["outputs"][k] = serde_json::Value::String(v.clone());
                }
            }
        }
        let state = &mut self.runs[run].units[unit];
        for (k, v) in unit_outputs {
            state.outputs.insert(k, serde_json::Value::String(v));
        }
        ok
    }
}

/// A step's values after interpolation.
enum Resolved {
    Script(String, Option<String>),
    Delay(f64),
    Path(String),
    Inputs(Vec<(String, String)>),
    Nothing,
}

/// The files of one script step.
#[derive(Clone)]
pub(super) struct StepFiles {
    stdout: PathBuf,
    stderr: PathBuf,
    output: PathBuf,
    env: PathBuf,
    summary: PathBuf,
    path: PathBuf,
}

impl StepFiles {
    /// The files of step `handle`, in `dir` (created only when something writes them).
    fn new(dir: &Path, handle: usize) -> Self {
        let file = |suffix: &str| dir.join(format!("{handle}.{suffix}"));
        StepFiles {
            stdout: file("out"),
            stderr: file("err"),
            output: file("output"),
            env: file("env"),
            summary: file("summary"),
            path: file("path"),
        }
    }
}

fn is_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `KEY=value` lines and `KEY<<DELIMITER` blocks (`$GITHUB_OUTPUT`, `$GITHUB_ENV`).
fn parse_key_values(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((key, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.push((key.to_owned(), value.join("\n")));
        } else if let Some((key, value)) = line.split_once('=') {
            out.push((key.to_owned(), value.to_owned()));
        }
    }
    out
}
