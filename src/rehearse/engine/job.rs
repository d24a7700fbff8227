//! A job from start to end: its environment's protection (branch rules, approval, wait timer), its
//! workspace, its hooks (a deployment job's lifecycle with `on: failure` / `on: success`), the
//! sequence of its steps, its time limit and its result.

use std::path::PathBuf;

use serde_json::{Map, Value as Json};

use super::super::RehearseError;
use super::super::estate::{EventKind, Protection};
use super::super::expr::github as gh;
use super::super::fakes::JobFlags;
use super::super::model::{HookKind, Job, Platform, UnitKind};
use super::scope::UnitScope;
use super::{
    APPROVAL_SECONDS, Action, Decision, Engine, GITHUB_APPROVAL_LIMIT_MINUTES, Outcome, Status,
    fresh_flags,
};

/// A job that has started.
#[derive(Clone)]
pub(super) struct JobRun {
    /// The current hook.
    pub hook: usize,
    /// The current step of the hook.
    pub step: usize,
    /// A lifecycle hook failed (Azure deployment jobs).
    pub lifecycle_failed: bool,
    /// A step of the current hook failed.
    pub hook_failed: bool,
    /// The job failed.
    pub failed: bool,
    /// A step failed and was allowed to.
    pub issues: bool,
    /// The job ran out of time.
    pub timed_out: bool,
    /// What the job has done that later steps depend on.
    pub flags: JobFlags,
    /// The agent's folder for this job (or hook).
    pub root: PathBuf,
    /// The working directory of steps (the checkout).
    pub workdir: PathBuf,
    /// A temporary folder.
    pub tmp: PathBuf,
    /// The job's evaluated environment variables (Azure: its variables).
    pub env: Vec<(String, String)>,
    /// Variables added by steps (`$GITHUB_ENV`).
    pub added_env: Vec<(String, String)>,
    /// Variables set by steps (`##vso[task.setvariable]`).
    pub variables: Vec<(String, String)>,
    /// GitHub's `steps` context.
    pub steps: Map<String, Json>,
    /// When the job must end.
    pub deadline: u64,
    /// Changes with each step, so stale timers are ignored.
    pub serial: u64,
    /// The environment it deploys to.
    pub environment: Option<String>,
    /// Why it failed, if it did.
    pub note: String,
    /// Retries left for the current step.
    pub retries_left: Option<u32>,
}

/// Whether `branch` matches a branch pattern (`*` any characters but `/`, `**` any).
pub(super) fn branch_matches(pattern: &str, branch: &str) -> bool {
    fn go(p: &[u8], b: &[u8]) -> bool {
        match p.split_first() {
            None => b.is_empty(),
            Some((b'*', rest)) if rest.first() == Some(&b'*') => {
                (0..=b.len()).any(|i| go(&rest[1..], &b[i..]))
            }
            Some((b'*', rest)) => (0..=b.len())
                .take_while(|i| *i == 0 || b[i - 1] != b'/')
                .any(|i| go(rest, &b[i..])),
            Some((c, rest)) => b.first() == Some(c) && go(rest, &b[1..]),
        }
    }
    go(pattern.as_bytes(), branch.as_bytes())
}

impl Engine<'_, '_> {
    fn definition(&self, run: usize, unit: usize) -> Option<Job> {
        match &self.runs[run].pipeline.units[unit].kind {
            UnitKind::Job(job) => Some((**job).clone()),
            _ => None,
        }
    }

    /// A job's condition held: passes its environment's protection, then begins.
    pub(super) fn start_job(&mut self, run: usize, unit: usize) -> Result<(), RehearseError> {
        let Some(job) = self.definition(run, unit) else {
            return Ok(());
        };
        let environment = match &job.environment {
            Some(text) if self.platform == Platform::GitHub => {
                let scope = UnitScope::new(self, run, unit, false);
                let loc = self.runs[run].pipeline.units[unit].loc.clone();
                Some(
                    gh::interpolate(text, &scope).map_err(|e| RehearseError::Unsupported {
                        loc,
                        message: format!("`environment: {text}`: {e}"),
                    })?,
                )
            }
            other => other.clone(),
        };
        self.runs[run].units[unit].status = Status::Waiting;
        let protection = environment
            .as_ref()
            .and_then(|e| self.estate.environments.get(e))
            .cloned()
            .unwrap_or_default();
        let branch = self.runs[run].branch.clone();
        if !protection.branches.is_empty()
            && !protection
                .branches
                .iter()
                .any(|p| branch_matches(p, &branch))
        {
            let name = environment.unwrap_or_default();
            self.finish_unit(
                run,
                unit,
                Outcome::Failed,
                format!("branch `{branch}` may not deploy to the environment `{name}`"),
            );
            return Ok(());
        }
        self.runs[run].units[unit].job =
            Some(self.new_job(run, unit, &job, environment.clone())?);
        match environment.filter(|_| !protection.reviewers.is_empty()) {
            Some(name) => self.ask_approval(run, unit, &name, &protection),
            None => self.environment_decided(run, unit, true, String::new())?,
        }
        Ok(())
    }

    fn ask_approval(&mut self, run: usize, unit: usize, name: &str, protection: &Protection) {
        let decision = self.approval_decision(run, unit, name);
        let ordinal = self.runs[run].approvals;
        let limit = match self.platform {
            Platform::GitHub => GITHUB_APPROVAL_LIMIT_MINUTES,
            Platform::Azure => protection
                .approval_timeout_minutes
                .unwrap_or(GITHUB_APPROVAL_LIMIT_MINUTES),
        };
        let (seconds, ok, word) = match decision {
            Decision::Approve => (
                APPROVAL_SECONDS + u64::from(protection.wait_minutes) * 60,
                true,
                "approved",
            ),
            Decision::Reject => (APPROVAL_SECONDS, false, "rejected"),
            Decision::Timeout => (u64::from(limit) * 60, false, "timed out"),
        };
        self.log_at(
            run,
            unit,
            EventKind::Approval {
                name: name.to_owned(),
                decision: word.to_owned(),
                ordinal,
            },
            if ok { APPROVAL_SECONDS } else { seconds },
        );
        let note = if ok {
            String::new()
        } else {
            format!("the approval of `{name}` was {word}")
        };
        self.later(
            seconds,
            Action::EnvironmentDecided {
                run,
                unit,
                ok,
                note,
            },
        );
    }

    /// The scenario's answer to the next approval of a run, counting it.
    pub(super) fn approval_decision(&mut self, run: usize, unit: usize, name: &str) -> Decision {
        self.runs[run].approvals += 1;
        let ordinal = self.runs[run].approvals;
        let path = self.runs[run].pipeline.units[unit].path.clone();
        self.faults
            .approvals
            .iter()
            .find(|(r, _)| match r {
                super::ApprovalRef::Ordinal(n) => *n == ordinal,
                super::ApprovalRef::Name(n) => n == name || *n == path,
            })
            .map_or(Decision::Approve, |(_, d)| *d)
    }

    /// Logs an event `delay` seconds from now (approvals are decided later than asked).
    pub(super) fn log_at(&mut self, run: usize, unit: usize, kind: EventKind, delay: u64) {
        let job = self.runs[run].pipeline.units[unit].path.clone();
        self.estate.log.push(super::super::estate::Event {
            time: self.now + delay,
            run,
            job,
            kind,
        });
    }

    fn new_job(
        &mut self,
        run: usize,
        unit: usize,
        job: &Job,
        environment: Option<String>,
    ) -> Result<JobRun, RehearseError> {
        let root = self
            .station
            .sandbox
            .fresh("job")
            .map_err(|e| RehearseError::Sandbox(e.to_string()))?;
        let (workdir, tmp) = self.workspace(&root)?;
        let permissions = job
            .permissions
            .clone()
            .or_else(|| self.call_permissions(run, unit))
            .or_else(|| self.runs[run].pipeline.permissions.clone());
        Ok(JobRun {
            hook: 0,
            step: 0,
            lifecycle_failed: false,
            hook_failed: false,
            failed: false,
            issues: false,
            timed_out: false,
            flags: fresh_flags(self.platform, permissions),
            root,
            workdir,
            tmp,
            env: Vec::new(),
            added_env: Vec::new(),
            variables: Vec::new(),
            steps: Map::new(),
            deadline: 0,
            serial: 0,
            environment,
            note: String::new(),
            retries_left: None,
        })
    }

    /// A called job's permissions are capped by its caller's; the caller's apply when it has none.
    fn call_permissions(
        &self,
        run: usize,
        unit: usize,
    ) -> Option<super::super::model::Permissions> {
        let units = &self.runs[run].pipeline.units;
        let mut at = units[unit].parent;
        while let Some(p) = at {
            if let UnitKind::Call(call) = &units[p].kind
                && call.permissions.is_some()
            {
                return call.permissions.clone();
            }
            at = units[p].parent;
        }
        None
    }

    fn workspace(&self, root: &std::path::Path) -> Result<(PathBuf, PathBuf), RehearseError> {
        let workdir = match self.platform {
            Platform::GitHub => root.join("work"),
            Platform::Azure => root.join("s"),
        };
        let tmp = root.join("tmp");
        let mut dirs = vec![workdir.clone(), tmp.clone()];
        if self.platform == Platform::Azure {
            dirs.extend([root.join("a"), root.join("b")]);
        }
        for dir in &dirs {
            std::fs::create_dir_all(dir).map_err(|e| RehearseError::Sandbox(e.to_string()))?;
        }
        Ok((workdir, tmp))
    }

    /// The environment's approval passed (or there was none), or failed.
    pub(super) fn environment_decided(
        &mut self,
        run: usize,
        unit: usize,
        ok: bool,
        note: String,
    ) -> Result<(), RehearseError> {
        if !ok {
            self.finish_unit(run, unit, Outcome::Failed, note);
            return Ok(());
        }
        let Some(job) = self.definition(run, unit) else {
            return Ok(());
        };
        let scope = UnitScope::new(self, run, unit, false);
        let env =
            self.evaluate_pairs(&scope, &job.env, &self.runs[run].pipeline.units[unit].loc)?;
        let minutes = match &job.timeout_expression {
            None => job.timeout_minutes,
            Some(text) => {
                let loc = &self.runs[run].pipeline.units[unit].loc;
                let value =
                    self.interpolate(&scope, text)
                        .map_err(|e| RehearseError::Unsupported {
                            loc: loc.clone(),
                            message: format!("`timeout-minutes: {text}`: {e}"),
                        })?;
                value
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|m| *m > 0.0)
                    .ok_or_else(|| RehearseError::Unsupported {
                        loc: loc.clone(),
                        message: format!(
                            "`timeout-minutes: {text}` is `{value}`, not a number of minutes"
                        ),
                    })?
            }
        };
        let now = self.now;
        let deadline = now + (minutes * 60.0) as u64;
        let state = &mut self.runs[run].units[unit];
        state.status = Status::Running;
        state.start = Some(now);
        if let Some(j) = state.job.as_mut() {
            j.env = env;
            j.deadline = deadline;
        }
        self.later(
            deadline - now,
            Action::Deadline {
                run,
                unit,
                serial: 0,
                job: true,
            },
        );
        self.enter_hook(run, unit, 0)?;
        self.ready.push_back(Action::Continue { run, unit });
        Ok(())
    }

    /// Evaluates `name: value` pairs (GitHub `${{ }}`, Azure macros).
    pub(super) fn evaluate_pairs(
        &self,
        scope: &UnitScope,
        pairs: &[(String, String)],
        loc: &super::super::model::Loc,
    ) -> Result<Vec<(String, String)>, RehearseError> {
        pairs
            .iter()
            .map(|(k, v)| {
                let value = self
                    .interpolate(scope, v)
                    .map_err(|e| RehearseError::Unsupported {
                        loc: loc.clone(),
                        message: format!("`{k}: {v}`: {e}"),
                    })?;
                Ok((k.clone(), value))
            })
            .collect()
    }

    /// Prepares hook `hook` of a job: on Azure each hook is a fresh agent job.
    fn enter_hook(&mut self, run: usize, unit: usize, hook: usize) -> Result<(), RehearseError> {
        let fresh = self.platform == Platform::Azure && hook > 0;
        if fresh {
            let root = self
                .station
                .sandbox
                .fresh("hook")
                .map_err(|e| RehearseError::Sandbox(e.to_string()))?;
            let (workdir, tmp) = self.workspace(&root)?;
            let platform = self.platform;
            if let Some(job) = self.job_mut(run, unit) {
                job.root = root;
                job.workdir = workdir;
                job.tmp = tmp;
                job.flags = fresh_flags(platform, None);
            }
        }
        let auto_download = self
            .definition(run, unit)
            .is_some_and(|j| j.hooks.get(hook).is_some_and(|h| h.auto_download));
        if let Some(job) = self.job_mut(run, unit) {
            job.hook = hook;
            job.step = 0;
            job.hook_failed = false;
        }
        if auto_download {
            self.download_all(run, unit)?;
        }
        Ok(())
    }

    /// Runs the job's next steps until one is pending (a process or a timer), or ends the job.
    pub(super) fn continue_job(&mut self, run: usize, unit: usize) -> Result<(), RehearseError> {
        loop {
            let Some(definition) = self.definition(run, unit) else {
                return Ok(());
            };
            let Some(job) = self.job(run, unit) else {
                return Ok(());
            };
            if self.runs[run].units[unit].status != Status::Running {
                return Ok(());
            }
            if job.timed_out {
                return self.complete_job(run, unit);
            }
            let (hook, step) = (job.hook, job.step);
            if step < definition.hooks[hook].steps.len() {
                if !self.start_step(run, unit, &definition.hooks[hook].steps[step])? {
                    return Ok(());
                }
                continue;
            }
            let lifecycle = matches!(definition.hooks[hook].kind, HookKind::Lifecycle(_));
            let failed_now = job.hook_failed;
            if lifecycle
                && failed_now
                && let Some(j) = self.job_mut(run, unit)
            {
                j.lifecycle_failed = true;
            }
            let lifecycle_failed = self.job(run, unit).is_some_and(|j| j.lifecycle_failed);
            let next =
                (hook + 1..definition.hooks.len()).find(|h| match definition.hooks[*h].kind {
                    HookKind::Steps | HookKind::Lifecycle(_) => !lifecycle_failed,
                    HookKind::OnFailure => lifecycle_failed,
                    HookKind::OnSuccess => !lifecycle_failed,
                });
            match next {
                Some(h) => self.enter_hook(run, unit, h)?,
                None => return self.complete_job(run, unit),
            }
        }
    }

    fn complete_job(&mut self, run: usize, unit: usize) -> Result<(), RehearseError> {
        let Some(job) = self.job(run, unit) else {
            return Ok(());
        };
        let outcome = if job.failed || job.lifecycle_failed || job.timed_out {
            Outcome::Failed
        } else if job.issues {
            Outcome::SucceededWithIssues
        } else {
            Outcome::Succeeded
        };
        let note = job.note.clone();
        let definition = self.definition(run, unit);
        if let Some(definition) = definition.filter(|d| !d.outputs.is_empty()) {
            let scope = UnitScope::new(self, run, unit, true);
            let outputs = self.evaluate_pairs(
                &scope,
                &definition.outputs,
                &self.runs[run].pipeline.units[unit].loc,
            )?;
            self.runs[run].units[unit].outputs = outputs
                .into_iter()
                .map(|(k, v)| (k, Json::String(v)))
                .collect();
        }
        if let Some(j) = self.job_mut(run, unit) {
            j.serial += 1;
        }
        self.finish_unit(run, unit, outcome, note);
        Ok(())
    }

    /// A step ended: records it and goes on with the job (retrying an Azure task that may retry).
    pub(super) fn step_finished(
        &mut self,
        run: usize,
        unit: usize,
        ok: bool,
        note: &str,
    ) -> Result<(), RehearseError> {
        let Some(definition) = self.definition(run, unit) else {
            return Ok(());
        };
        let Some(job) = self.job(run, unit) else {
            return Ok(());
        };
        let step = &definition.hooks[job.hook].steps[job.step];
        if !ok && !job.timed_out {
            let left = job.retries_left.unwrap_or(step.retries);
            if left > 0 {
                if let Some(j) = self.job_mut(run, unit) {
                    j.retries_left = Some(left - 1);
                    j.serial += 1;
                }
                let attempt = step.retries - left + 1;
                self.later(u64::from(attempt * attempt), Action::Continue { run, unit });
                return Ok(());
            }
        }
        let (id, continue_on_error, name) =
            (step.id.clone(), step.continue_on_error, step.name.clone());
        let Some(job) = self.job_mut(run, unit) else {
            return Ok(());
        };
        job.retries_left = None;
        if !ok {
            if continue_on_error {
                job.issues = true;
            } else {
                job.hook_failed = true;
                job.failed = true;
                if job.note.is_empty() {
                    job.note = if note.is_empty() {
                        format!("step `{name}` failed")
                    } else {
                        note.to_owned()
                    };
                }
            }
        }
        if let Some(id) = id {
            let outcome = if ok { "success" } else { "failure" };
            let entry = job
                .steps
                .entry(id)
                .or_insert_with(|| serde_json::json!({"outputs": {}}));
            entry["outcome"] = Json::String(outcome.into());
            entry["conclusion"] = Json::String(
                if continue_on_error {
                    "success"
                } else {
                    outcome
                }
                .into(),
            );
        }
        job.step += 1;
        job.serial += 1;
        self.ready.push_back(Action::Continue { run, unit });
        Ok(())
    }

    /// A job's or a step's time limit passed.
    pub(super) fn deadline(
        &mut self,
        run: usize,
        unit: usize,
        serial: u64,
        whole_job: bool,
    ) -> Result<(), RehearseError> {
        if self.runs[run].units[unit].status != Status::Running {
            return Ok(());
        }
        let Some(job) = self.job(run, unit) else {
            return Ok(());
        };
        if !whole_job && job.serial != serial {
            return Ok(());
        }
        let process = self
            .processes
            .iter()
            .position(|p| p.alive && p.run == run && p.unit == unit);
        if let Some(j) = self.job_mut(run, unit) {
            if whole_job {
                j.timed_out = true;
                j.note = "the job ran out of time (timeout)".into();
            } else {
                j.note = "a step ran out of time (timeout)".into();
            }
        }
        match process {
            Some(handle) => {
                let worker = self.processes[handle].worker;
                self.station.pool.kill(worker);
                self.active = Some(handle);
                Ok(())
            }
            None if whole_job => self.complete_job(run, unit),
            None => self.step_finished(run, unit, false, "a step ran out of time (timeout)"),
        }
    }

    /// Copies every artifact of the run into the workspace (Azure's automatic download).
    fn download_all(&mut self, run: usize, unit: usize) -> Result<(), RehearseError> {
        let from = self.runs[run].artifacts.clone();
        let Some(job) = self.job(run, unit) else {
            return Ok(());
        };
        let to = job.root.clone();
        super::super::sandbox::copy_tree(&from, &to, false)
            .map_err(|e| RehearseError::Sandbox(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::branch_matches;

    #[test]
    fn branch_patterns() {
        assert!(branch_matches("main", "main"));
        assert!(branch_matches("hotfix/*", "hotfix/x"));
        assert!(!branch_matches("hotfix/*", "hotfix/x/y"));
        assert!(branch_matches("hotfix/**", "hotfix/x/y"));
        assert!(branch_matches(
            "hotfix/catalog-*",
            "hotfix/catalog-rehearsal"
        ));
        assert!(!branch_matches("release/*", "main"));
    }
}
