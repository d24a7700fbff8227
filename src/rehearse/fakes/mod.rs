//! The fake command-line tools steps call: `az`, `kubectl`, `curl`, `gh`, `git`, database clients,
//! `sleep` and `date`. Each parses its arguments against the declared surface ([`surface`]), then acts
//! on the simulated [`Estate`]; the answer is what the tool prints, its exit status and how long it
//! takes in virtual time. Pure: no files or processes, except reading and writing the files a
//! command names (packages, manifests, downloaded blobs) through [`Files`].

pub mod api;
pub mod az;
pub mod clock;
pub mod curl;
pub mod gates;
pub mod gh;
pub mod git;
pub mod kubectl;
pub mod query;
pub mod surface;
pub mod traffic;

use std::collections::BTreeMap;

use super::estate::{Estate, Event, EventKind};
use super::model::Platform;
pub use surface::Surface;

/// Environment variables the fakes may read, sent with every call (in this order).
pub const ENV_NAMES: [&str; 10] = [
    "COMMAND",
    "REGION",
    "MIGRATION_PHASE",
    "GH_TOKEN",
    "GITHUB_TOKEN",
    "AZURE_DEVOPS_EXT_PAT",
    "KUBECONFIG",
    "DATABASE_SERVER",
    "DATABASE_NAME",
    "GITHUB_REPOSITORY",
];

/// One call of a fake tool.
#[derive(Debug, Clone, Default)]
pub struct Call {
    /// The tool (`az`, `curl`…).
    pub tool: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// The caller's working directory.
    pub cwd: String,
    /// The variables of [`ENV_NAMES`] that are set (empty ones too).
    pub env: BTreeMap<String, String>,
    /// Standard input, when an argument asked for it (`-`, `@-`).
    pub stdin: Option<String>,
}

impl Call {
    /// The value of an environment variable, if set and not empty.
    pub fn env(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// What a fake answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub status: i32,
    /// Virtual seconds the command takes.
    pub seconds: u64,
    /// For `sleep`: the caller blocks until then (the scheduler decides when).
    pub sleep: bool,
}

impl Reply {
    /// Success with this output.
    pub fn ok(stdout: impl Into<String>) -> Self {
        Self {
            stdout: stdout.into(),
            ..Self::default()
        }
    }

    /// Failure with this message on standard error.
    pub fn fail(status: i32, stderr: impl Into<String>) -> Self {
        let mut stderr = stderr.into();
        if !stderr.ends_with('\n') {
            stderr.push('\n');
        }
        Self {
            stderr,
            status,
            ..Self::default()
        }
    }

    /// The same reply taking `seconds` of virtual time.
    pub fn taking(mut self, seconds: u64) -> Self {
        self.seconds = seconds;
        self
    }
}

/// Reads and writes the files a command names, relative to the caller's directory.
pub trait Files {
    /// The contents of a file.
    fn read(&self, cwd: &str, path: &str) -> Option<String>;
    /// Writes a file.
    fn write(&mut self, cwd: &str, path: &str, contents: &str) -> Result<(), String>;
    /// The files under a folder, recursively: (relative name, contents); `None` if no folder.
    fn list(&self, cwd: &str, dir: &str) -> Option<Vec<(String, String)>>;
}

/// What a job has done that later commands depend on.
#[derive(Debug, Clone, Default)]
pub struct JobFlags {
    /// Signed in to Azure (GitHub `azure/login`).
    pub azure_signed_in: bool,
    /// The AKS cluster kubectl talks to (`az aks get-credentials`).
    pub kube_context: Option<String>,
    /// The repository is checked out.
    pub checked_out: bool,
    /// The checkout keeps credentials for `git push`.
    pub git_credentials: bool,
    /// The permissions of the job's GitHub token (`None` on Azure).
    pub token_scopes: Option<super::model::Permissions>,
}

/// Per-target deploy faults: tries so far and how many fail (`None`: every try).
#[derive(Debug, Clone, Default)]
pub struct DeployFaults {
    /// Target index → (failing tries, `None` for all; tries so far).
    pub targets: BTreeMap<usize, (Option<u32>, u32)>,
}

impl DeployFaults {
    /// Counts a try of the deploy command of `target`; `true` when this try fails.
    pub fn try_fails(&mut self, target: usize) -> bool {
        let Some((failing, tries)) = self.targets.get_mut(&target) else {
            return false;
        };
        *tries += 1;
        failing.is_none_or(|k| *tries <= k)
    }
}

/// Everything a fake may look at or change.
pub struct Context<'a> {
    /// The estate.
    pub estate: &'a mut Estate,
    /// The calling job's flags.
    pub job: &'a mut JobFlags,
    /// Whether the calling step runs signed in to Azure (`AzureCLI@2`, or after `azure/login`).
    pub signed_in: bool,
    /// Deploy-command faults.
    pub faults: &'a mut DeployFaults,
    /// Files of the sandbox.
    pub files: &'a mut dyn Files,
    /// The command surface.
    pub surface: &'a Surface,
    /// The platform of the run.
    pub platform: Platform,
    /// This run's build id.
    pub build: String,
    /// Virtual seconds now.
    pub now: u64,
    /// The run index.
    pub run: usize,
    /// The job's path.
    pub job_path: String,
    /// Workflows or pipelines started by this call (`gh workflow run`): (file, inputs).
    pub dispatched: Vec<(String, Vec<(String, String)>)>,
}

impl Context<'_> {
    /// Counts a try of the deploy command of `target`; when the scenario makes it fail, logs the
    /// fault and returns `true`.
    pub fn deploy_fails(&mut self, target: usize, what: &str) -> bool {
        if !self.faults.try_fails(target) {
            return false;
        }
        self.log(EventKind::Fault {
            target: Some(target),
            what: format!("{what} failed (injected)"),
        });
        true
    }

    /// Adds an event to the log at the current time.
    pub fn log(&mut self, kind: EventKind) {
        self.estate.log.push(Event {
            time: self.now,
            run: self.run,
            job: self.job_path.clone(),
            kind,
        });
    }
}

/// Runs one call of a fake tool.
pub fn handle(call: &Call, ctx: &mut Context) -> Reply {
    // git's global options (`git -c http.extraheader=... fetch`) stand before the command.
    let mut args: &[String] = &call.args;
    let mut config = Vec::new();
    while call.tool == "git" && args.len() >= 2 && args[0] == "-c" {
        config.push(args[1].clone());
        args = &args[2..];
    }
    let parsed = match ctx.surface.parse_args(&call.tool, args) {
        Ok(parsed) => parsed,
        Err(message) => return Reply::fail(2, format!("rehearsal: {message}")),
    };
    let (mut reply, least) = match call.tool.as_str() {
        "az" => (az::handle(call, &parsed, ctx), 2),
        "kubectl" => (kubectl::handle(call, &parsed, ctx), 1),
        "curl" => (curl::handle(call, &parsed, ctx), 1),
        "gh" => (gh::handle(call, &parsed, ctx), 1),
        "git" => (git::handle(&config, &parsed, ctx), 0),
        "sleep" | "date" => (clock::handle(call, &parsed, ctx), 0),
        "psql" | "pg_isready" | "mysql" | "mysqladmin" | "sqlcmd" => (Reply::ok("1\n"), 1),
        other => (
            Reply::fail(127, format!("rehearsal: {other}: not simulated")),
            0,
        ),
    };
    // Every call to a service takes a little virtual time, so work that should wait for it cannot
    // happen at the same instant unnoticed.
    if !reply.sleep {
        reply.seconds = reply.seconds.max(least);
    }
    reply
}

/// JSON as the tools print it (pretty, with a newline).
pub fn json_text(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}
