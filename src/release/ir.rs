//! The platform-neutral release IR: pipelines of stages with dependencies, gates, waits and shell
//! steps. Everything that decides release semantics (ordering, gates, retries, rollback) is settled
//! here; the Azure and GitHub emitters only translate it.

use crate::plan::{Approval, BranchingModel, Id, IncidentSeverity, PlatformSettings, ReleaseCheck};

/// Every pipeline of a plan, and the environments they name.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseIr {
    /// The plan's name, for headers and file names.
    pub plan_name: String,
    /// What the pipelines need of the platforms (connection, pool, runner, credentials, artifacts).
    pub platforms: PlatformSettings,
    /// The standard release.
    pub release: Pipeline,
    /// One hotfix pipeline per runbook, in plan order.
    pub hotfixes: Vec<Pipeline>,
    /// Every environment any pipeline names, with the protection the platform must enforce.
    pub environments: Vec<EnvironmentSpec>,
}

/// One pipeline (an Azure pipeline file, a GitHub workflow file).
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// The file stem: `<plan>-release` or `<plan>-hotfix-<runbook>`.
    pub file_stem: String,
    /// The name shown in the platform's UI.
    pub title: String,
    /// Release or hotfix.
    pub kind: PipelineKind,
    /// Inputs a person gives when starting the pipeline (every pipeline is started by hand).
    pub inputs: Vec<PipelineInput>,
    /// Only refs matching this pattern may run the pipeline (checked by the first stages).
    pub branch_guard: Option<String>,
    /// The stages, in dependency order.
    pub stages: Vec<Stage>,
}

/// What a pipeline is for.
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineKind {
    /// The standard release.
    Release,
    /// The hotfix path of a runbook, with what its runbook document says.
    Hotfix(Box<HotfixSpec>),
}

/// What a hotfix pipeline does, in the terms its runbook document uses: written once by the lowering,
/// so the runbook describes exactly what the pipeline runs.
#[derive(Debug, Clone, PartialEq)]
pub struct HotfixSpec {
    /// The runbook's id.
    pub runbook: Id,
    /// The runbook's name.
    pub name: String,
    /// The incidents it is for.
    pub severity: IncidentSeverity,
    /// How the team branches.
    pub branching: BranchingModel,
    /// The ref the hotfix branch starts from.
    pub source_ref: String,
    /// The branch pattern runs are restricted to.
    pub branch_pattern: String,
    /// The names of the services it deploys.
    pub services: Vec<String>,
    /// The name of the environment it deploys to.
    pub environment: String,
    /// Where the incident is coordinated.
    pub incident_bridge: String,
    /// The runbook's own approval (`None`: the plan gives none, which the analysis refuses).
    pub approval: Option<Approval>,
    /// The commands the pipeline runs besides deployments, in the order the runbook lists them.
    pub commands: Vec<HotfixCommand>,
    /// The checks of the standard release this path skips.
    pub skips: Vec<ReleaseCheck>,
    /// The checks of the standard release this path keeps, with the pipeline stages that run them.
    pub keeps: Vec<KeptCheck>,
    /// Minutes of enhanced monitoring after the deploy.
    pub monitoring_minutes: u32,
    /// Branches the fix is merged or cherry-picked back into.
    pub merge_back: Vec<String>,
    /// The backfill's budget in minutes, when the runbook has a backfill.
    pub backfill_minutes: Option<u32>,
}

/// A command a hotfix pipeline runs, shown in its runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotfixCommand {
    /// What it is ("Critical tests").
    pub title: String,
    /// The command.
    pub command: String,
    /// Minutes it may take.
    pub budget_minutes: u32,
}

/// A check of the standard release that a hotfix keeps, and what in the pipeline runs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptCheck {
    /// The check.
    pub check: ReleaseCheck,
    /// How the pipeline carries it out; `None` when no stage does (a person must).
    pub enforced_by: Option<String>,
}

/// A text input of a manually started pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineInput {
    /// The input's identifier (`[a-z_]+`).
    pub name: String,
    /// What to type.
    pub description: String,
    /// Whether the run cannot start without it.
    pub required: bool,
}

/// A unit of the pipeline graph: an Azure stage, a GitHub job (plus its rollback job).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The identifier, unique in its pipeline and matching `^[A-Za-z_][A-Za-z0-9_]*$`.
    pub id: String,
    /// The name shown in the platform's UI.
    pub title: String,
    /// Stages that must succeed before this one starts.
    pub depends_on: Vec<String>,
    /// The service and region this stage deploys, if it is a deployment (for the self-check).
    pub deploys: Option<(Id, Option<Id>)>,
    /// The migration whose contract phase this stage runs, if any (for the self-check).
    pub contract_of: Option<Id>,
    /// What the stage is for in the release, for readers of the IR (runbooks, the self-check).
    pub role: StageRole,
    /// What the stage does.
    pub work: Work,
}

/// What a stage is for in the release. Emitters never need it; runbooks and the self-check do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageRole {
    /// Builds and publishes the artifact.
    Build,
    /// Waits for a human approval.
    Approval,
    /// A hotfix's critical tests.
    CriticalTests,
    /// A hotfix's security scan.
    SecurityScan,
    /// A migration's expand phase.
    Expand,
    /// A service's deployment in a region.
    Deploy,
    /// A region's validation window.
    Validate,
    /// A migration's contract phase.
    Contract,
    /// A hotfix's enhanced monitoring.
    Monitor,
    /// A hotfix's merge-back.
    MergeBack,
    /// A hotfix's post-incident backfill suite.
    Backfill,
}

/// What a stage does.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// Builds the release artifact once and publishes it.
    Build {
        /// The shell steps that build.
        steps: Vec<ShellStep>,
        /// The folder published as the artifact.
        artifacts_dir: String,
    },
    /// Waits for a human approval (and then a wait timer, if any).
    Gate(Gate),
    /// Runs shell steps in an environment: migrations, deployments, tests, merge-back, monitoring.
    Job(Job),
    /// Waits a fixed time with no agent (a region's validation window).
    Soak {
        /// How long.
        minutes: u32,
    },
}

/// A human approval between stages.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// The environment that carries the approval on the platforms that approve through environments.
    pub environment: String,
    /// Who approves, how many, and how long the approval stays open.
    pub approval: Approval,
    /// Whether the approval belongs to this pipeline (a runbook's approver) rather than to an
    /// environment; Azure then asks in the pipeline itself (`ManualValidation@1`).
    pub in_pipeline: bool,
    /// Minutes to wait after the approval (the environment's wait timer).
    pub wait_minutes: u32,
}

/// Shell steps run on an agent, optionally in a deployment environment, with an optional rollback.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The environment the job deploys to (its name on the platform); `None` for plain jobs.
    pub environment: Option<String>,
    /// Whether the job deploys to a production environment (and so must be able to roll back).
    pub production: bool,
    /// Whether the steps use the Azure CLI (so the job signs in to Azure first).
    pub uses_azure: bool,
    /// Whether the job needs the build artifact.
    pub needs_artifact: bool,
    /// The steps, in order.
    pub steps: Vec<ShellStep>,
    /// How a failed job is undone; `None` where nothing needs undoing.
    pub rollback: Option<Rollback>,
    /// Minutes the whole job may take.
    pub timeout_minutes: u32,
    /// Whether the job pushes branches and opens pull requests (merge-back): it then checks out the
    /// full history and gets write permissions.
    pub opens_pull_requests: bool,
    /// Whether the job ends with a health gate on what it deployed.
    pub health_gated: bool,
    /// Retries (at most 10) for platform tasks whose failures are transient, such as downloading the
    /// artifact; shell steps retry through their own backoff loop instead.
    pub transient_retries: u32,
}

/// How a failed deployment is undone. The steps are guarded: they change nothing unless the new
/// build actually reached production.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollback {
    /// The identifier of the rollback (a GitHub job, an Azure stage when it waits for approval).
    pub id: String,
    /// The guarded steps that restore the previous version.
    pub steps: Vec<ShellStep>,
    /// `None`: runs automatically (roll back the failing region). `Some(environment)`: waits for a
    /// person to approve through that environment (halt the wave and let a person decide).
    pub approval_environment: Option<String>,
}

/// Which lifecycle phase of a deployment a step belongs to (Azure's `runOnce` hooks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Put the new version in place without routing production traffic to it.
    Deploy,
    /// Move production traffic to the new version.
    RouteTraffic,
    /// Check production after the traffic moved.
    PostRouteTraffic,
}

/// One bash step. Plan text reaches it only through `env`; the script refers to `"$NAME"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShellStep {
    /// The name shown in the platform's UI.
    pub name: String,
    /// The deployment phase.
    pub phase: Phase,
    /// Environment variables, in order.
    pub env: Vec<(String, EnvValue)>,
    /// The bash script (fixed text written by Cutover, never plan text).
    pub script: String,
    /// Minutes the step may take, if limited.
    pub timeout_minutes: Option<u32>,
    /// Whether the script calls `open_pull_request TARGET SOURCE TITLE`, a shell function each emitter
    /// defines with its platform's tool (and gives the token it needs).
    pub opens_pull_requests: bool,
}

/// The value of a step's environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// Text from the plan, passed verbatim.
    Text(String),
    /// The id of this pipeline run (Azure `$(Build.BuildId)`, GitHub `github.run_id`).
    RunId,
    /// The branch the run was started from.
    SourceBranch,
    /// A pipeline input given when the run was started.
    Input(String),
    /// A token allowed to open pull requests (Azure `System.AccessToken`, GitHub `github.token`).
    RepositoryToken,
}

/// An environment a pipeline names, and the protection the platform must enforce on it.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentSpec {
    /// The environment's name on the platforms.
    pub name: String,
    /// Why it exists, for the setup summary.
    pub purpose: String,
    /// Required reviewers, if any.
    pub approval: Option<Approval>,
    /// Minutes a job waits before it starts (GitHub wait timer).
    pub wait_timer_minutes: u32,
    /// Branch patterns allowed to deploy; empty allows any branch.
    pub branches: Vec<String>,
}

impl Pipeline {
    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.id == id)
    }
}

impl ShellStep {
    /// A step with text-valued environment variables.
    pub fn new(
        name: impl Into<String>,
        phase: Phase,
        env: Vec<(&str, EnvValue)>,
        script: &str,
    ) -> Self {
        Self {
            name: name.into(),
            phase,
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            script: script.to_owned(),
            timeout_minutes: None,
            opens_pull_requests: false,
        }
    }
}

impl ReleaseIr {
    /// Every pipeline: the release, then the hotfixes in plan order.
    pub fn pipelines(&self) -> impl Iterator<Item = &Pipeline> {
        std::iter::once(&self.release).chain(&self.hotfixes)
    }
}
