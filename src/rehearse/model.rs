//! The platform-neutral run model that the scheduler executes. The GitHub and Azure loaders build it
//! from the YAML; what differs between the platforms at run time (conditions, interpolation, defaults)
//! stays in the strings and expressions it holds, evaluated by [`super::semantics`].

use std::fmt;

use super::expr::Expr;

/// Which platform a pipeline is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Platform {
    /// GitHub Actions.
    GitHub,
    /// Azure Pipelines.
    Azure,
}

impl Platform {
    /// Both platforms, GitHub first.
    pub const BOTH: [Platform; 2] = [Platform::GitHub, Platform::Azure];

    /// The name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Platform::GitHub => "github",
            Platform::Azure => "azure",
        }
    }
}

/// Where something is written: a repository path and a line (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// The file, relative to the repository root.
    pub file: String,
    /// The line.
    pub line: u32,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A parsed condition with the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The expression (GitHub: with the implicit `success() &&` already added).
    pub expr: Expr,
    /// The text as written.
    pub text: String,
    /// Where it is written.
    pub loc: Loc,
}

/// One pipeline (a workflow file, or an Azure pipeline after template expansion).
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The platform.
    pub platform: Platform,
    /// The entry file, relative to the repository root.
    pub file: String,
    /// The name shown in the platform's UI.
    pub name: String,
    /// The inputs a run is started with (GitHub `workflow_dispatch` inputs, Azure parameters).
    pub inputs: Vec<Input>,
    /// Pipeline-wide variables (Azure `variables`, GitHub workflow `env`), unevaluated.
    pub variables: Vec<(String, String)>,
    /// The workflow's `permissions` (GitHub); `None` when not written.
    pub permissions: Option<Permissions>,
    /// Every stage, job and reusable-workflow call, parents before children.
    pub units: Vec<Unit>,
}

/// An input of a pipeline or of a reusable workflow.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// Its name.
    pub name: String,
    /// Its default, when it has one.
    pub default: Option<serde_json::Value>,
    /// Whether a run must give it.
    pub required: bool,
}

/// GitHub token permissions: scope → `read`, `write` or `none`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Permissions {
    /// The scopes written; a scope not listed is `none` once any is listed.
    pub scopes: Vec<(String, String)>,
}

impl Permissions {
    /// Whether `scope` is granted at least `level` (`read` or `write`).
    pub fn allows(&self, scope: &str, level: &str) -> bool {
        self.scopes
            .iter()
            .any(|(s, l)| s == scope && (l == "write" || (level == "read" && l == "read")))
    }
}

/// A node of the run graph: an Azure stage, a GitHub reusable-workflow call, or a job.
#[derive(Debug, Clone)]
pub struct Unit {
    /// The id as written (job or stage id).
    pub id: String,
    /// A unique path for reports: `stage/job`, `caller/job`.
    pub path: String,
    /// The display name.
    pub name: String,
    /// Where it is written.
    pub loc: Loc,
    /// The enclosing stage or call.
    pub parent: Option<usize>,
    /// The units (siblings) it waits for.
    pub needs: Vec<usize>,
    /// Its condition; `None` is the platform's default.
    pub condition: Option<Condition>,
    /// What it is.
    pub kind: UnitKind,
}

/// What a unit is.
#[derive(Debug, Clone)]
pub enum UnitKind {
    /// An Azure stage; its jobs are the units whose parent it is.
    Stage,
    /// A GitHub job calling a reusable workflow; the called jobs are its children.
    Call(Call),
    /// A job.
    Job(Box<Job>),
}

/// A reusable-workflow call.
#[derive(Debug, Clone)]
pub struct Call {
    /// The called file.
    pub file: String,
    /// The `with:` values, unevaluated.
    pub with: Vec<(String, String)>,
    /// The called workflow's declared inputs.
    pub inputs: Vec<Input>,
    /// The caller's `permissions`, if written.
    pub permissions: Option<Permissions>,
    /// `secrets: inherit`: the called jobs see every secret of the caller.
    pub secrets_inherit: bool,
    /// Secrets passed by name, unevaluated.
    pub secrets: Vec<(String, String)>,
}

/// A job: agent, agentless (`pool: server`) or deployment job.
#[derive(Debug, Clone)]
pub struct Job {
    /// The environment it deploys to (unevaluated; GitHub may write `${{ inputs.environment }}`).
    pub environment: Option<String>,
    /// The job's time limit in minutes.
    pub timeout_minutes: f64,
    /// A time limit written as an expression (a called workflow's `${{ inputs.timeout_minutes }}`),
    /// evaluated when the job starts; it replaces `timeout_minutes`.
    pub timeout_expression: Option<String>,
    /// Job-level environment variables or variables, unevaluated.
    pub env: Vec<(String, String)>,
    /// The job's `permissions` (GitHub), if written.
    pub permissions: Option<Permissions>,
    /// The phases: one for plain jobs; the lifecycle hooks of a deployment job.
    pub hooks: Vec<Hook>,
    /// GitHub job outputs, unevaluated.
    pub outputs: Vec<(String, String)>,
    /// Whether the job's failure does not fail the run (`continue-on-error`).
    pub continue_on_error: bool,
}

/// A phase of a job with its steps.
#[derive(Debug, Clone)]
pub struct Hook {
    /// The phase.
    pub kind: HookKind,
    /// Whether it runs without an agent (`pool: server`).
    pub server: bool,
    /// Whether a deployment hook downloads the pipeline's artifacts first (Azure, `deploy` only,
    /// unless `download: none`).
    pub auto_download: bool,
    /// The steps.
    pub steps: Vec<Step>,
}

/// Which phase a hook is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    /// The steps of a plain job.
    Steps,
    /// A deployment lifecycle hook that runs in order (`preDeploy`, `deploy`, `routeTraffic`,
    /// `postRouteTraffic`).
    Lifecycle(&'static str),
    /// `on: failure`: runs when a lifecycle hook failed.
    OnFailure,
    /// `on: success`: runs when every lifecycle hook succeeded.
    OnSuccess,
}

impl HookKind {
    /// The name shown in timelines.
    pub fn name(self) -> &'static str {
        match self {
            HookKind::Steps => "steps",
            HookKind::Lifecycle(name) => name,
            HookKind::OnFailure => "on.failure",
            HookKind::OnSuccess => "on.success",
        }
    }
}

/// One step.
#[derive(Debug, Clone)]
pub struct Step {
    /// The display name.
    pub name: String,
    /// The step id (GitHub `id`, Azure `name`), for outputs.
    pub id: Option<String>,
    /// Where it is written.
    pub loc: Loc,
    /// Its condition; `None` is the default (nothing failed so far).
    pub condition: Option<Condition>,
    /// Environment variables, unevaluated.
    pub env: Vec<(String, String)>,
    /// The step's time limit in minutes.
    pub timeout_minutes: Option<f64>,
    /// Whether a failure lets the job go on (`continue-on-error`, `continueOnError`).
    pub continue_on_error: bool,
    /// Retries of a failed task (Azure `retryCountOnTaskFailure`).
    pub retries: u32,
    /// What it does.
    pub action: Action,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A bash script (GitHub `run`, Azure `bash`/`script`, the script of `AzureCLI@2`).
    Script(Script),
    /// Checks out the repository into the workspace.
    Checkout {
        /// Whether git credentials stay in the checkout (for pushes).
        persist_credentials: bool,
    },
    /// Publishes a folder of the workspace as a named artifact.
    UploadArtifact {
        /// The artifact's name.
        name: String,
        /// The folder, relative to the workspace.
        path: String,
        /// Whether a missing or empty folder fails the step.
        error_if_empty: bool,
    },
    /// Downloads an artifact into a folder of the workspace.
    DownloadArtifact {
        /// The artifact's name; `None` for all of them.
        name: Option<String>,
        /// The folder, unevaluated.
        path: String,
    },
    /// GitHub `azure/login`: signs the job in to Azure with OIDC.
    AzureLogin {
        /// The `with:` values (`client-id`, `tenant-id`, `subscription-id`), unevaluated.
        inputs: Vec<(String, String)>,
    },
    /// Azure `Delay@1`: waits (agentless).
    Delay {
        /// Minutes, unevaluated.
        minutes: String,
    },
    /// Azure `ManualValidation@1`: waits for a person (agentless).
    ManualValidation {
        /// Who may approve.
        approvers: String,
        /// What happens when nobody answers in time: `resume` or `reject`.
        on_timeout: String,
    },
    /// Does nothing (`download: none`, `checkout: none`).
    Nothing,
}

/// A bash script step.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// The script text, unevaluated (GitHub `${{ }}`, Azure `$(macro)`).
    pub text: String,
    /// Bash options the platform runs it with (`-e`, `-o pipefail`).
    pub options: &'static str,
    /// The working directory, unevaluated, relative to the workspace.
    pub working_directory: Option<String>,
    /// Whether the script runs signed in to Azure (`AzureCLI@2`) through this service connection.
    pub azure_connection: Option<String>,
}

impl Pipeline {
    /// The children of unit `parent` (or the top-level units for `None`), in file order.
    pub fn children(&self, parent: Option<usize>) -> impl Iterator<Item = usize> + '_ {
        self.units
            .iter()
            .enumerate()
            .filter(move |(_, u)| u.parent == parent)
            .map(|(i, _)| i)
    }
}
