//! Answers the calls of step processes: the fake tools (through [`super::super::fakes`]) and the
//! intercepted plan commands, which never run: they are recognised by their text, their effect on the
//! estate is simulated, and they succeed or fail as the scenario says.

use std::io::Write;
use std::net::TcpStream;

use serde_json::Map;

use super::super::RehearseError;
use super::super::estate::{EventKind, Kind, PREVIOUS};
use super::super::facts::CommandKind;
use super::super::fakes::{self, Call, Context, JobFlags, Reply};
use super::super::sandbox::SandboxFiles;
use super::super::server::{Request, reply_code};
use super::{Action, Engine};

impl Engine<'_, '_> {
    /// A call arrived from a step process.
    pub(super) fn call(
        &mut self,
        request: Request,
        mut stream: TcpStream,
    ) -> Result<(), RehearseError> {
        let handle: Option<usize> = request.step.parse().ok();
        let owner = handle
            .and_then(|h| self.processes.get(h))
            .filter(|p| p.alive)
            .map(|p| (p.run, p.unit, p.azure));
        let (Some(handle), Some((run, unit, azure)), true) =
            (handle, owner, request.token == self.token)
        else {
            let _ = stream.write_all(
                reply_code(&Reply::fail(
                    125,
                    "rehearsal: a call from outside the rehearsal's steps",
                ))
                .as_bytes(),
            );
            return Ok(());
        };
        self.calls += 1;
        let reply = match (request.call.tool.as_str(), run == super::SETUP) {
            ("__plan_command", true) => {
                Reply::fail(127, "rehearsal: the environment setup runs no plan command")
            }
            ("__plan_command", false) => self.plan_command(&request.call, run, unit),
            ("jq" | "jq:stdin", _) => self.jq(&request.call),
            _ => self.fake(&request.call, run, unit, azure)?,
        };
        let code = reply_code(&reply);
        if reply.seconds > 0 || reply.sleep {
            self.active = None;
            let call = self.calls;
            self.streams.insert(call, stream);
            self.later(reply.seconds, Action::Reply { handle, call, code });
        } else {
            let _ = stream.write_all(code.as_bytes());
        }
        Ok(())
    }

    fn fake(
        &mut self,
        call: &Call,
        run: usize,
        unit: usize,
        azure_step: bool,
    ) -> Result<Reply, RehearseError> {
        let root = self.station.sandbox.root().to_path_buf();
        let mut files = SandboxFiles { root: &root };
        let setup = run == super::SETUP;
        let (path, build, mut flags) = if setup {
            ("environment setup".to_owned(), String::new(), setup_flags())
        } else {
            let flags = self
                .job(run, unit)
                .map(|j| j.flags.clone())
                .unwrap_or_default();
            (
                self.runs[run].pipeline.units[unit].path.clone(),
                self.runs[run].build.clone(),
                flags,
            )
        };
        let signed_in = azure_step || flags.azure_signed_in;
        let mut ctx = Context {
            estate: &mut self.estate,
            job: &mut flags,
            signed_in,
            faults: &mut self.deploy_faults,
            files: &mut files,
            surface: self.shared.surface,
            platform: self.platform,
            build,
            now: self.now,
            run,
            job_path: path,
            dispatched: Vec::new(),
        };
        let mut reply = fakes::handle(call, &mut ctx);
        let dispatched = std::mem::take(&mut ctx.dispatched);
        if setup {
            return Ok(reply);
        }
        if let Some(job) = self.job_mut(run, unit) {
            job.flags = flags;
        }
        for (file, fields) in dispatched {
            let branch = self.runs[run].branch.clone();
            let inputs: Map<String, serde_json::Value> = fields
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect();
            if let Err(e) = self.start_run(&file, &branch, inputs) {
                reply = Reply::fail(
                    1,
                    format!("could not create workflow dispatch event: HTTP 404: {e}"),
                );
            }
        }
        Ok(reply)
    }

    /// The real jq, run by the rehearsal and remembered: jq takes tens of milliseconds to start,
    /// and scripts call it with the same arguments in every scenario. Only calls whose output
    /// depends on nothing but their arguments and input (no file arguments) are remembered.
    fn jq(&self, call: &Call) -> Reply {
        let key = format!(
            "{}\0\0{}",
            call.args.join("\0"),
            call.stdin.as_deref().unwrap_or_default()
        );
        if let Some(reply) = self
            .shared
            .jq
            .lock()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
        {
            return reply;
        }
        let Some(jq) = super::super::sandbox::jq_path() else {
            return Reply::fail(127, "jq: command not found (install the jq package)");
        };
        let mut command = std::process::Command::new(jq);
        command
            .args(&call.args)
            .current_dir(&call.cwd)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let output = command.spawn().and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(call.stdin.as_deref().unwrap_or_default().as_bytes());
            }
            child.wait_with_output()
        });
        let reply = match output {
            Ok(out) => Reply {
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                status: out.status.code().unwrap_or(1),
                ..Reply::default()
            },
            Err(e) => Reply::fail(127, format!("jq: {e}")),
        };
        if jq_is_pure(&call.args)
            && let Ok(mut cache) = self.shared.jq.lock()
        {
            cache.insert(key, reply.clone());
        }
        reply
    }

    /// An intercepted `bash -c "$COMMAND"`.
    fn plan_command(&mut self, call: &Call, run: usize, unit: usize) -> Reply {
        let text = call.env.get("COMMAND").cloned().unwrap_or_default();
        let environment = self.job(run, unit).and_then(|j| j.environment.clone());
        let region = call.env("REGION").map(str::to_owned);
        let found = self
            .shared
            .facts
            .command(&text, environment.as_deref(), region.as_deref())
            .cloned();
        let Some(command) = found else {
            return Reply::fail(
                127,
                format!(
                    "rehearsal: `{text}` is not a command of the plan; the rehearsal runs none but the plan's own, and those only simulated"
                ),
            );
        };
        let build = self.runs[run].build.clone();
        let (place_env, place_region) = match &command.place {
            Some((e, r)) => (Some(e.clone()), r.clone()),
            None => (environment, region),
        };
        let (ok, what) = match &command.kind {
            CommandKind::Build => (self.simulate_build(call, &build), "build".to_owned()),
            CommandKind::Migration { migration, phase } => (
                self.migrate(call, run, unit, migration, phase, command.seconds),
                format!("{phase} {migration}"),
            ),
            CommandKind::ScriptDeploy { service } => {
                let target = place_env
                    .as_deref()
                    .and_then(|e| self.estate.target_of(service, e, place_region.as_deref()));
                (
                    target.is_some_and(|t| self.script_deploy(run, unit, t, &build)),
                    format!("deploy {service}"),
                )
            }
            CommandKind::ScriptRollback { service } => {
                let target = place_env
                    .as_deref()
                    .and_then(|e| self.estate.target_of(service, e, place_region.as_deref()));
                (
                    target.is_some_and(|t| self.script_rollback(run, unit, t)),
                    format!("roll back {service}"),
                )
            }
            CommandKind::Check { what, runbook } => (true, format!("{what} of {runbook}")),
        };
        let started = self.now;
        self.log_at(
            run,
            unit,
            EventKind::PlanCommand {
                what: what.clone(),
                ok,
                started,
            },
            command.seconds,
        );
        let reply = if ok {
            Reply::ok(format!(
                "rehearsal: simulated the plan's command ({what}): {text}\n"
            ))
        } else {
            Reply::fail(
                1,
                format!("rehearsal: the plan's command ({what}) fails in this scenario: {text}"),
            )
        };
        reply.taking(command.seconds)
    }

    /// A migration step against the database the call's `DATABASE_SERVER` and `DATABASE_NAME`
    /// name; the first step of a phase the scenario fails, fails.
    fn migrate(
        &mut self,
        call: &Call,
        run: usize,
        unit: usize,
        migration: &str,
        phase: &str,
        seconds: u64,
    ) -> bool {
        let (server, name) = (
            call.env("DATABASE_SERVER").unwrap_or_default(),
            call.env("DATABASE_NAME").unwrap_or_default(),
        );
        let target = self.estate.targets.iter().position(
            |t| matches!(&t.kind, Kind::Database(db) if db.server == server && db.name == name),
        );
        let failing = self
            .faults
            .migrations
            .iter()
            .any(|(m, p)| m == migration && p == phase);
        let first = !self.estate.log.iter().any(|e| matches!(&e.kind, EventKind::Migration { migration: m, phase: p, .. } if m == migration && p == phase));
        let ok = target.is_some() && !(failing && first);
        let started = self.now;
        let kind = EventKind::Migration {
            migration: migration.to_owned(),
            phase: phase.to_owned(),
            ok,
            target,
            started,
        };
        self.log_at(run, unit, kind, seconds);
        if let (true, Some(target)) = (ok, target)
            && let Kind::Database(db) = &mut self.estate.targets[target].kind
        {
            let mark = format!("{migration}:{phase}");
            if !db.schema.contains(&mark) {
                db.schema.push(mark);
            }
        }
        ok
    }

    fn log(&mut self, run: usize, unit: usize, kind: EventKind) {
        self.log_at(run, unit, kind, 0);
    }

    /// The build's outputs: a package per App Service in the artifacts folder, and the static
    /// sites' built files, in the build's own workspace.
    fn simulate_build(&mut self, call: &Call, build: &str) -> bool {
        let root = self.station.sandbox.root().to_path_buf();
        let cwd = std::path::Path::new(&call.cwd);
        if !cwd.starts_with(&root) {
            return false;
        }
        let write = |relative: &str, text: String| -> std::io::Result<()> {
            let path = cwd.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, text)
        };
        let mut ok = true;
        for (path, service) in &self.shared.facts.packages {
            ok &= write(
                path,
                format!("cutover-rehearsal-package {service} {build}\n"),
            )
            .is_ok();
        }
        for folder in &self.shared.facts.built_folders {
            ok &= write(
                &format!("{folder}/index.html"),
                format!("<html>build {build}</html>\n"),
            )
            .is_ok();
        }
        ok
    }

    fn script_deploy(&mut self, run: usize, unit: usize, target: usize, build: &str) -> bool {
        if self.deploy_faults.try_fails(target) {
            let what = format!("the deploy command of {} failed", self.estate.label(target));
            self.log(
                run,
                unit,
                EventKind::Fault {
                    target: Some(target),
                    what,
                },
            );
            return false;
        }
        if let Kind::Script(script) = &mut self.estate.targets[target].kind {
            script.builds.push(build.to_owned());
        }
        self.log(
            run,
            unit,
            EventKind::Serving {
                target,
                build: build.to_owned(),
                how: "deploy".into(),
            },
        );
        true
    }

    fn script_rollback(&mut self, run: usize, unit: usize, target: usize) -> bool {
        let restored = match &mut self.estate.targets[target].kind {
            Kind::Script(script) if script.builds.len() > 1 => {
                script.builds.pop();
                script
                    .builds
                    .last()
                    .cloned()
                    .unwrap_or_else(|| PREVIOUS.to_owned())
            }
            _ => return true,
        };
        self.log(
            run,
            unit,
            EventKind::Serving {
                target,
                build: restored,
                how: "rollback".into(),
            },
        );
        true
    }
}

/// Whether a jq call reads nothing but its arguments and input: no file arguments.
fn jq_is_pure(args: &[String]) -> bool {
    let mut positional = 0;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--arg" | "--argjson" => i += 3,
            "--slurpfile" | "--rawfile" | "-f" | "--from-file" | "-L" | "--args" | "--jsonargs" => {
                return false;
            }
            "--indent" => i += 2,
            option if option.starts_with('-') && option.len() > 1 => i += 1,
            _ => {
                positional += 1;
                i += 1;
            }
        }
    }
    positional == 1
}

/// The flags of the environment setup script's "job": signed in, with a token.
pub(super) fn setup_flags() -> JobFlags {
    JobFlags {
        azure_signed_in: true,
        checked_out: true,
        git_credentials: true,
        ..JobFlags::default()
    }
}
