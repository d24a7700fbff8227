//! The platform-neutral release IR: pipelines of stages with dependencies, gates, waits and steps,
//! and the deployment templates those stages call. Everything that decides release semantics
//! (ordering, gates, retries, rollback, sign-in) is settled here; the Azure and GitHub emitters only
//! translate it.

use crate::plan::{
    Approval, AzureCloud, BranchingModel, Id, IncidentSeverity, PlatformSettings, ReleaseCheck,
};

use super::library::LibraryCommand;

/// Every pipeline of a plan, the templates they call, and the environments they name.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseIr {
    /// The plan's name, for headers.
    pub plan_name: String,
    /// The plan's file stem: every generated file name starts with it.
    pub stem: String,
    /// What the pipelines need of the platforms (connection, pool, runner, credentials, artifacts).
    pub platforms: PlatformSettings,
    /// The deployment templates the pipelines call, by name.
    pub templates: Vec<DeployTemplate>,
    /// The standard release.
    pub release: Pipeline,
    /// One hotfix pipeline per runbook, in plan order.
    pub hotfixes: Vec<Pipeline>,
    /// Every environment any pipeline names, with the protection the platform must enforce.
    pub environments: Vec<EnvironmentSpec>,
    /// What the release undoes at each place when a quality gate there fails: the data its
    /// `rollback-place` steps read (written once beside the script library, so a place of any size
    /// costs each pipeline one short job).
    pub place_rollbacks: Vec<PlaceRollback>,
    /// The release's quality gates as its runbook lists them.
    pub gates: Vec<GateSummary>,
}

/// A quality gate as the release's runbook describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct GateSummary {
    /// The gate's name.
    pub name: String,
    /// What it checks, in words ("Azure Monitor alerts: http-5xx-rate, latency-p95").
    pub check: String,
    /// The places (`ENVIRONMENT` or `ENVIRONMENT/REGION`) the release checks it at, in order.
    pub places: Vec<String>,
    /// Minutes it waits (alerts: the window watched).
    pub timeout_minutes: u32,
    /// Seconds between polls.
    pub interval_seconds: u32,
    /// Whether a failure rolls the place back (else it stops the release there).
    pub rolls_back: bool,
    /// The secret the gate reads, which the repository or pipeline must have.
    pub secret: Option<String>,
}

/// The deployments to undo at one place (an environment, or a region of it) after a failed quality
/// gate, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceRollback {
    /// The place's key: `ENVIRONMENT` or `ENVIRONMENT/REGION`.
    pub place: String,
    /// The library commands that undo each deployment, in order.
    pub steps: Vec<RollbackStep>,
}

/// One library command of a place's rollback, with its environment: plan text and numbers only (the
/// run's build id comes from the job).
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackStep {
    /// What it undoes, for the log.
    pub title: String,
    /// The command.
    pub command: LibraryCommand,
    /// Its environment variables.
    pub env: Vec<(String, String)>,
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
    /// Where the pipeline stands in a release split into a chain of pipelines (`None`: the release
    /// is one pipeline, or this is a hotfix).
    pub chain: Option<ChainLink>,
}

/// Where one part of a release split into a chain of pipelines stands: each part starts when the one
/// before it has finished successfully, runs the commit the first part built, and deploys the
/// artifact the first part built. See [`super::chain`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainLink {
    /// This part's number, from 1.
    pub part: usize,
    /// How many parts the release has.
    pub parts: usize,
    /// The file stem of the part before this one, which starts it (`None` for the first part).
    pub previous: Option<String>,
    /// The file stem of the part after this one, which it starts once it has finished (`None` for the
    /// last part).
    pub next: Option<String>,
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
    /// The names of the environments it deploys to, in order.
    pub environments: Vec<String>,
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
    /// Whether a failed deployment rolls back by itself (`false`: a person approves the rollback).
    pub automatic_rollback: bool,
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
    /// Whether the run cannot start without it (both platforms refuse a run without it).
    pub required: bool,
}

/// A unit of the pipeline graph: an Azure stage, a GitHub job (or a call of a reusable workflow).
#[derive(Debug, Clone, PartialEq)]
pub struct Stage {
    /// The identifier, unique in its pipeline and matching `^[A-Za-z_][A-Za-z0-9_]*$`.
    pub id: String,
    /// The name shown in the platform's UI.
    pub title: String,
    /// Stages that must succeed before this one starts.
    pub depends_on: Vec<String>,
    /// What the stage is for in the release.
    pub role: StageRole,
    /// The service, environment and region this stage deploys, if it is a deployment.
    pub deploys: Option<Placement>,
    /// The migration whose contract phase this stage runs, if any.
    pub contract_of: Option<Id>,
    /// What the stage does; shared, so that cutting a release into parts copies its stages' order
    /// and dependencies, not their work.
    pub work: std::sync::Arc<Work>,
    /// When the stage runs once what it depends on has finished.
    pub runs_when: RunsWhen,
}

/// When a stage runs, once every stage it depends on has finished.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RunsWhen {
    /// Only when every stage it depends on succeeded (the platforms' default).
    #[default]
    AllSucceeded,
    /// Only when at least one of these stages (all among its dependencies) failed: the rollback
    /// after a failed quality gate.
    AnyFailed(Vec<String>),
}

/// Where a deployment happens: a service in an environment and (when the plan has regions, and the
/// service is not global) a region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Placement {
    /// The service.
    pub service: Id,
    /// The environment.
    pub environment: Id,
    /// The region; `None` without regions or for a global service.
    pub region: Option<Id>,
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
    /// Checks a pipeline input.
    Input,
    /// A migration's expand phase.
    Expand,
    /// A service's deployment in a region.
    Deploy,
    /// The end of a wave of the release: every stage of the wave has finished.
    WaveComplete,
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
    /// The first stage of a later part of a chained release: checks that the run continues the part
    /// before it, for the same commit, and brings over the first part's artifact.
    ChainStart,
    /// Checks one quality gate at the end of an environment or region.
    QualityGate,
    /// Rolls back what an environment or region deployed when one of its quality gates or traffic
    /// changes failed.
    GateRollback,
    /// Takes a region out of a traffic router's rotation before the release deploys to it.
    TrafficDrain,
    /// Moves users onto a deployed region: a weighted step, or the switch.
    TrafficShift,
    /// Switches a router back after a failed traffic change or gate of a region.
    TrafficRevert,
}

/// What a stage does.
#[derive(Debug, Clone, PartialEq)]
pub enum Work {
    /// Builds the release artifact once and publishes it.
    Build {
        /// The steps that build.
        steps: Vec<Step>,
        /// The folder published as the artifact.
        artifacts_dir: String,
    },
    /// Waits for a human approval (and then a wait timer, if any).
    Gate(Gate),
    /// Runs steps on an agent, optionally in a deployment environment.
    Job(Job),
    /// Calls a deployment template with its arguments.
    Deploy(DeployCall),
    /// Waits a fixed time with no agent (a region's validation window).
    Soak {
        /// How long.
        minutes: u32,
    },
    /// Does nothing but wait for what it depends on: the end of a wave of several stages, so the next
    /// wave waits for one stage instead of each of them.
    Barrier,
    /// Checks that this run continues the part of a chained release before it (the part with file
    /// stem `previous`), for the same commit, and makes the first part's artifact this run's.
    ChainStart {
        /// The file stem of the part before.
        previous: String,
        /// Whether the part before is the first, which built the artifact.
        previous_is_first: bool,
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

/// A call of a deployment template: which template, and the value of each of its parameters that the
/// call sets (the others keep their defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployCall {
    /// The template's name (see [`DeployTemplate::name`]).
    pub template: String,
    /// Parameter name → value ([`Value::Text`] or [`Value::Number`]), in the template's parameter
    /// order.
    pub arguments: Vec<(String, Value)>,
}

impl DeployCall {
    /// The text of the argument `name`, if the call sets it.
    pub fn argument(&self, name: &str) -> Option<String> {
        self.arguments
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| match value {
                Value::Text(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                other => format!("{other:?}"),
            })
    }
}

/// A deployment job written once and called by every deployment of its kind: a GitHub reusable
/// workflow, an Azure stage template. Its job's values refer to its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployTemplate {
    /// The name, part of the file name (`deploy-app-service-slot`).
    pub name: String,
    /// What it deploys, for the file's title.
    pub title: String,
    /// The parameters, required ones first.
    pub parameters: Vec<Parameter>,
    /// The deployment job (its environment, steps and rollback refer to the parameters).
    pub job: Job,
}

/// A parameter of a deployment template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name (`[a-z_]+`).
    pub name: String,
    /// What it is.
    pub description: String,
    /// The value when a call leaves it out; `None` makes it required.
    pub default: Option<String>,
    /// Whether the value is a whole number (the job timeout); otherwise text.
    pub number: bool,
}

/// Steps run on an agent, optionally in a deployment environment, with an optional rollback.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// The environment the job deploys to (its name on the platform); `None` for plain jobs.
    pub environment: Option<Value>,
    /// Whether the job signs in to Azure before its steps, because a step calls the Azure CLI (or runs a
    /// plan command that may, such as a script target's deploy).
    pub signs_in: bool,
    /// Whether the job needs the build artifact.
    pub needs_artifact: bool,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// How a failed job is undone; `None` where nothing needs undoing.
    pub rollback: Option<Rollback>,
    /// Minutes the whole job may take.
    pub timeout_minutes: Value,
    /// Whether the job pushes branches and opens pull requests (merge-back): it then checks out the
    /// full history and gets write permissions.
    pub opens_pull_requests: bool,
    /// Whether the job ends with a health gate on what it deployed.
    pub health_gated: bool,
    /// Retries (at most 10) for platform tasks whose failures are transient, such as downloading the
    /// artifact; library steps retry through their own backoff loop instead.
    pub transient_retries: u32,
}

/// How a failed deployment is undone. The steps are guarded: they change nothing unless the new
/// build actually reached production.
#[derive(Debug, Clone, PartialEq)]
pub struct Rollback {
    /// The guarded steps that restore the previous version.
    pub steps: Vec<Step>,
    /// `None`: runs automatically (roll back the failing region). `Some(environment)`: waits for a
    /// person to approve through that environment (halt the wave and let a person decide).
    pub approval_environment: Option<Value>,
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

/// One step: a command of the script library, with its inputs in environment variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The name shown in the platform's UI.
    pub name: String,
    /// The deployment phase.
    pub phase: Phase,
    /// Environment variables, in order.
    pub env: Vec<(String, Value)>,
    /// What the library does.
    pub command: LibraryCommand,
    /// Minutes the step may take, if limited.
    pub timeout_minutes: Option<u32>,
    /// Run only when this template parameter is not empty (an optional health check).
    pub only_if_set: Option<String>,
}

/// A value in a pipeline: plan text, a template parameter, or something the platform supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text from the plan, passed verbatim.
    Text(String),
    /// A whole number.
    Number(u32),
    /// A parameter of the template the value is in.
    Parameter(String),
    /// The id of this pipeline run (Azure `$(Build.BuildId)`, GitHub `github.run_id`).
    RunId,
    /// The branch the run was started from.
    SourceBranch,
    /// A pipeline input given when the run was started.
    Input(String),
    /// A token allowed to push branches and open pull requests (Azure `System.AccessToken`, GitHub
    /// `github.token`).
    RepositoryToken,
    /// Which platform runs the step (`github` or `azure`), for library commands that differ.
    Platform,
    /// A secret of the repository or pipeline, by its name (`[A-Za-z_][A-Za-z0-9_]*`, checked by the
    /// analysis): GitHub `secrets.NAME`, an Azure secret variable `$(NAME)`.
    Secret(String),
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

impl Step {
    /// A step running `command` with these environment variables.
    pub fn new(
        name: impl Into<String>,
        phase: Phase,
        env: Vec<(&str, Value)>,
        command: LibraryCommand,
    ) -> Self {
        Self {
            name: name.into(),
            phase,
            env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            command,
            timeout_minutes: None,
            only_if_set: None,
        }
    }
}

impl ReleaseIr {
    /// Every pipeline: the release, then the hotfixes in plan order.
    pub fn pipelines(&self) -> impl Iterator<Item = &Pipeline> {
        std::iter::once(&self.release).chain(&self.hotfixes)
    }

    /// The template with this name.
    pub fn template(&self, name: &str) -> Option<&DeployTemplate> {
        self.templates.iter().find(|t| t.name == name)
    }

    /// Whether any pipeline opens pull requests (merge-back), which the repository must allow.
    pub fn opens_pull_requests(&self) -> bool {
        self.pipelines()
            .flat_map(|p| &p.stages)
            .any(|s| matches!(&*s.work, Work::Job(job) if job.opens_pull_requests))
    }

    /// The Azure cloud the pipelines sign in to.
    pub fn cloud(&self) -> AzureCloud {
        self.platforms.cloud
    }
}

impl Job {
    /// Every step, then every rollback step.
    pub fn steps_and_rollback(&self) -> impl Iterator<Item = &Step> {
        self.steps
            .iter()
            .chain(self.rollback.iter().flat_map(|r| r.steps.iter()))
    }
}
