//! Azure Pipelines: translates a release IR pipeline into a YAML pipeline file, and each deployment
//! template into a stage template with typed parameters that the pipelines include.
//!
//! Schema type traps (Microsoft's schema): job and deployment `timeoutInMinutes` are strings, task
//! `timeoutInMinutes` and `retryCountOnTaskFailure` are integers, script-step timeouts are strings,
//! `Delay@1` minutes are strings, boolean task inputs are booleans.
//!
//! Each lifecycle hook of a deployment job runs as its own job, so every hook checks out the repository
//! before it runs the script library.

use super::yaml::Yaml;
use crate::plan::{AgentPool, PlatformSettings, TimeoutAction};
use crate::release::{
    DeployCall, DeployTemplate, Gate, Job, LibraryCommand, Phase, Pipeline, RunsWhen, Stage, Step,
    Value, Work,
};

use super::shell::expression_string;

/// The pipeline artifact every run publishes and deploys.
const ARTIFACT: &str = "release";
/// The alias of the pipeline resource that is the part before, in a later part of a chained release.
const PREVIOUS: &str = "previous";
/// A server job may wait at most 30 days; the task's own timeout must stay below the job's.
const MAX_SERVER_JOB_MINUTES: u32 = 43_200;

/// What every pipeline of one export shares: the platform settings and where the files are.
pub struct Azure<'a> {
    /// The plan's platform settings.
    pub settings: &'a PlatformSettings,
    /// The script library's path in the repository (`cutover/PLAN.sh`).
    pub library: &'a str,
    /// How a pipeline refers to the stage template of a template, by the template's name.
    pub template_reference: &'a (dyn Fn(&str) -> String + Sync),
}

impl Azure<'_> {
    /// The pipeline document of `pipeline`.
    pub fn pipeline(&self, pipeline: &Pipeline) -> Yaml {
        let mut root = Yaml::map().with("trigger", "none").with("pr", "none");
        if let Some(previous) = pipeline.chain.as_ref().and_then(|c| c.previous.as_deref()) {
            // A later part of a chained release runs when the part before it completes; the
            // pipeline named `previous` must exist with exactly that name (the setup script creates
            // it). Azure runs the triggered pipeline on the commit the part before ran.
            root = root.with(
                "resources",
                Yaml::map().with(
                    "pipelines",
                    vec![
                        Yaml::map()
                            .with("pipeline", PREVIOUS)
                            .with("source", previous)
                            // The schema types this as the string `true` (Azure reads every
                            // scalar as a string).
                            .with("trigger", "true"),
                    ],
                ),
            );
        }
        if !pipeline.inputs.is_empty() {
            let parameters = pipeline
                .inputs
                .iter()
                .map(|input| {
                    let parameter = Yaml::map()
                        .with("name", &input.name)
                        .with("displayName", &input.description)
                        .with("type", "string");
                    // Without a default, Azure asks for the value and refuses to run without one.
                    if input.required {
                        parameter
                    } else {
                        parameter.with("default", "")
                    }
                })
                .collect::<Vec<_>>();
            root = root.with("parameters", parameters);
        }
        let stages: Vec<Yaml> = pipeline
            .stages
            .iter()
            .map(|stage| self.stage(pipeline, stage))
            .collect();
        root.with("stages", stages)
    }

    /// The stage template of `template`.
    pub fn stage_template(&self, template: &DeployTemplate) -> Yaml {
        let mut parameters = vec![
            typed("stage", "string", None),
            typed("displayName", "string", None),
            Yaml::map()
                .with("name", "dependsOn")
                .with("type", "object")
                .with("default", Yaml::Seq(Vec::new())),
        ];
        for parameter in &template.parameters {
            let kind = if parameter.number { "number" } else { "string" };
            parameters.push(typed(&parameter.name, kind, parameter.default.as_deref()));
        }
        let job = &template.job;
        let mut stages = vec![
            Yaml::map()
                .with("stage", "${{ parameters.stage }}")
                .with("displayName", "${{ parameters.displayName }}")
                .with("dependsOn", "${{ parameters.dependsOn }}")
                .with("jobs", vec![self.deployment_job(job)]),
        ];
        if let Some(rollback) = &job.rollback
            && let Some(environment) = &rollback.approval_environment
        {
            let steps = self.hook_steps(&rollback.steps, job.signs_in);
            let rollback_job = Yaml::map()
                .with("deployment", "rollback")
                .with("displayName", "Roll back after approval")
                .with("environment", expression(environment))
                .with("pool", self.pool())
                .with("timeoutInMinutes", "60")
                .with("strategy", run_once(vec![("deploy", steps)]));
            stages.push(
                Yaml::map()
                    .with("stage", "${{ parameters.stage }}_rollback")
                    .with("displayName", "Roll back: ${{ parameters.displayName }}")
                    .with("dependsOn", "${{ parameters.stage }}")
                    .with("condition", "failed('${{ parameters.stage }}')")
                    .with("jobs", vec![rollback_job]),
            );
        }
        Yaml::map()
            .with("parameters", parameters)
            .with("stages", stages)
    }

    /// The stage (or template inclusion) of `stage` in the pipeline of `pipeline`.
    pub fn stage(&self, pipeline: &Pipeline, stage: &Stage) -> Yaml {
        let depends_on = Yaml::Seq(stage.depends_on.iter().map(Yaml::from).collect());
        if let Work::Deploy(call) = &*stage.work {
            return self.call(stage, depends_on, call);
        }
        let mut yaml = Yaml::map()
            .with("stage", &stage.id)
            .with("displayName", &stage.title)
            .with("dependsOn", depends_on);
        if stage.depends_on.is_empty()
            && let Some(pattern) = &pipeline.branch_guard
        {
            yaml = yaml.with("condition", branch_condition(pattern));
        }
        if let RunsWhen::AnyFailed(stages) = &stage.runs_when {
            let quoted: Vec<String> = stages.iter().map(|id| format!("'{id}'")).collect();
            yaml = yaml.with("condition", format!("failed({})", quoted.join(", ")));
        }
        let jobs = match &*stage.work {
            Work::Build {
                steps,
                artifacts_dir,
            } => vec![self.build_job(steps, artifacts_dir)],
            Work::Gate(gate) => self.gate_jobs(pipeline, gate),
            Work::Job(job) => vec![self.job(job)],
            Work::Soak { minutes } => vec![delay_job(
                "soak",
                &format!("Soak for {minutes} min"),
                *minutes,
                None,
            )],
            Work::Barrier => vec![delay_job(
                "wave_complete",
                "Every stage of the wave has finished",
                0,
                None,
            )],
            Work::ChainStart { previous, .. } => vec![self.chain_start_job(previous)],
            Work::Deploy(_) => Vec::new(),
        };
        yaml.with("jobs", jobs)
    }

    /// An inclusion of a deployment template, with the stage's id, name and dependencies.
    fn call(&self, stage: &Stage, depends_on: Yaml, call: &DeployCall) -> Yaml {
        let mut parameters = Yaml::map()
            .with("stage", &stage.id)
            .with("displayName", &stage.title)
            .with("dependsOn", depends_on);
        for (name, argument) in &call.arguments {
            let argument = match argument {
                Value::Number(number) => Yaml::from(*number),
                other => Yaml::str(expression(other)),
            };
            parameters = parameters.with(name, argument);
        }
        Yaml::map()
            .with("template", (self.template_reference)(&call.template))
            .with("parameters", parameters)
    }

    fn pool(&self) -> Yaml {
        match &self.settings.azure.agent_pool {
            AgentPool::VmImage(image) => Yaml::map().with("vmImage", image),
            AgentPool::Named(name) => Yaml::map().with("name", name),
        }
    }

    /// The first job of a later part of a chained release: checks that the run was started by the
    /// completion of the part before it (`previous`) for the same commit, then republishes the
    /// artifact that part had, so this run's deployments download it as their own.
    fn chain_start_job(&self, previous: &str) -> Yaml {
        let env = Yaml::map()
            .with("PLATFORM", "azure")
            .with("BUILD_REASON", "$(Build.Reason)")
            .with("PREVIOUS_PIPELINE", previous)
            .with(
                "PREVIOUS_COMMIT",
                format!("$(resources.pipeline.{PREVIOUS}.sourceCommit)"),
            )
            .with("THIS_COMMIT", "$(Build.SourceVersion)");
        let steps = vec![
            Yaml::map().with("checkout", "self"),
            Yaml::map()
                .with(
                    "bash",
                    format!(
                        "bash {} {}",
                        self.library,
                        LibraryCommand::ChainContinue.name()
                    ),
                )
                .with(
                    "displayName",
                    "Check that this run continues the part before it",
                )
                .with("env", env),
            Yaml::map()
                .with("download", PREVIOUS)
                .with("artifact", ARTIFACT)
                .with("displayName", "Download the artifact of the part before"),
            Yaml::map()
                .with(
                    "publish",
                    format!("$(Pipeline.Workspace)/{PREVIOUS}/{ARTIFACT}"),
                )
                .with("artifact", ARTIFACT)
                .with("displayName", "Make it this run's artifact"),
        ];
        Yaml::map()
            .with("job", "chain_start")
            .with("displayName", "Continue the release")
            .with("pool", self.pool())
            .with("timeoutInMinutes", "30")
            .with("steps", steps)
    }

    fn build_job(&self, steps: &[Step], artifacts_dir: &str) -> Yaml {
        let mut all = vec![Yaml::map().with("checkout", "self")];
        all.extend(steps.iter().map(|s| self.step(s, false)));
        all.push(
            Yaml::map()
                .with("publish", artifacts_dir)
                .with("artifact", ARTIFACT),
        );
        Yaml::map()
            .with("job", "build")
            .with("displayName", "Build")
            .with("pool", self.pool())
            .with("timeoutInMinutes", "60")
            .with("steps", all)
    }

    fn gate_jobs(&self, pipeline: &Pipeline, gate: &Gate) -> Vec<Yaml> {
        let first = if gate.in_pipeline {
            manual_validation(pipeline, gate)
        } else {
            let steps = vec![
                Yaml::map()
                    .with(
                        "bash",
                        "echo \"approved through the environment's approval check\"",
                    )
                    .with("displayName", "Record the approval"),
            ];
            Yaml::map()
                .with("deployment", "approval")
                .with("displayName", format!("Approval ({})", gate.environment))
                .with("environment", &gate.environment)
                .with("pool", self.pool())
                .with("timeoutInMinutes", "30")
                .with("strategy", run_once(vec![("deploy", steps)]))
        };
        let mut jobs = vec![first];
        if gate.wait_minutes > 0 {
            jobs.push(delay_job(
                "wait_timer",
                &format!("Wait timer: {} min", gate.wait_minutes),
                gate.wait_minutes,
                Some("approval"),
            ));
        }
        jobs
    }

    /// A plain job, or a deployment job when it names an environment.
    fn job(&self, job: &Job) -> Yaml {
        if job.environment.is_none() {
            let mut steps = vec![checkout(job)];
            steps.extend(job.steps.iter().map(|s| self.step(s, job.signs_in)));
            return Yaml::map()
                .with("job", "run")
                .with("displayName", "Run")
                .with("pool", self.pool())
                .with("timeoutInMinutes", value_text(&job.timeout_minutes))
                .with("steps", steps);
        }
        self.deployment_job(job)
    }

    /// A deployment job: its steps in the `runOnce` lifecycle hooks, and an automatic rollback in
    /// `on: failure` unless a person approves rollbacks.
    fn deployment_job(&self, job: &Job) -> Yaml {
        // Deployment jobs download every artifact on their own; the explicit task below retries instead.
        let mut deploy = vec![Yaml::map().with("download", "none"), checkout(job)];
        if job.needs_artifact {
            deploy.push(self.download_artifact(job.transient_retries));
        }
        let in_phase = |phase: Phase| -> Vec<Step> {
            job.steps
                .iter()
                .filter(|s| s.phase == phase)
                .cloned()
                .collect()
        };
        deploy.extend(
            in_phase(Phase::Deploy)
                .iter()
                .map(|s| self.step(s, job.signs_in)),
        );
        let mut hooks = vec![("deploy", deploy)];
        for (hook, phase) in [
            ("routeTraffic", Phase::RouteTraffic),
            ("postRouteTraffic", Phase::PostRouteTraffic),
        ] {
            let steps = in_phase(phase);
            if !steps.is_empty() {
                hooks.push((hook, self.hook_steps(&steps, job.signs_in)));
            }
        }
        let mut strategy = run_once(hooks);
        if let Some(rollback) = &job.rollback
            && rollback.approval_environment.is_none()
            && let Yaml::Map(entries) = &mut strategy
            && let Some((_, Yaml::Map(run_once))) = entries.first_mut()
        {
            let failure = Yaml::map().with("steps", self.hook_steps(&rollback.steps, job.signs_in));
            run_once.push(("on".to_owned(), Yaml::map().with("failure", failure)));
        }
        let environment = job
            .environment
            .as_ref()
            .map_or_else(String::new, expression);
        Yaml::map()
            .with("deployment", "deployment")
            .with("displayName", "Deploy")
            .with("environment", environment)
            .with("pool", self.pool())
            .with("timeoutInMinutes", value_text(&job.timeout_minutes))
            .with("strategy", strategy)
    }

    /// The steps of a lifecycle hook other than `deploy`: a hook is a job of its own, so it checks out
    /// the repository (which holds the script library) first.
    fn hook_steps(&self, steps: &[Step], signs_in: bool) -> Vec<Yaml> {
        let mut all = vec![Yaml::map().with("checkout", "self")];
        all.extend(steps.iter().map(|s| self.step(s, signs_in)));
        all
    }

    fn download_artifact(&self, retries: u32) -> Yaml {
        let mut task = Yaml::map()
            .with("task", "DownloadPipelineArtifact@2")
            .with("displayName", "Download the release artifact");
        if retries > 0 {
            task = task.with("retryCountOnTaskFailure", retries);
        }
        task.with(
            "inputs",
            Yaml::map()
                .with("buildType", "current")
                .with("artifactName", ARTIFACT)
                .with(
                    "targetPath",
                    format!(
                        "$(System.DefaultWorkingDirectory)/{}",
                        self.settings.build.artifacts_dir
                    ),
                ),
        )
    }

    /// One library step: through `AzureCLI@2` (signed in with the service connection) when the job
    /// signs in, else a plain bash step. A step only for a set parameter is inserted conditionally.
    fn step(&self, step: &Step, signs_in: bool) -> Yaml {
        let env: Vec<(String, Yaml)> = step
            .env
            .iter()
            .map(|(name, value)| (name.clone(), Yaml::str(expression(value))))
            .collect();
        let command = step.command.name();
        let yaml = if signs_in {
            let mut task = Yaml::map()
                .with("task", "AzureCLI@2")
                .with("displayName", &step.name);
            if let Some(minutes) = step.timeout_minutes {
                task = task.with("timeoutInMinutes", minutes);
            }
            task.with(
                "inputs",
                Yaml::map()
                    .with("azureSubscription", &self.settings.azure.service_connection)
                    .with("scriptType", "bash")
                    .with("scriptLocation", "scriptPath")
                    .with("scriptPath", self.library)
                    .with("arguments", command)
                    .with("addSpnToEnvironment", true),
            )
        } else {
            let mut bash = Yaml::map()
                .with("bash", format!("bash {} {command}", self.library))
                .with("displayName", &step.name);
            if let Some(minutes) = step.timeout_minutes {
                bash = bash.with("timeoutInMinutes", minutes.to_string());
            }
            bash
        };
        let yaml = if env.is_empty() {
            yaml
        } else {
            yaml.with("env", Yaml::Map(env))
        };
        match &step.only_if_set {
            Some(parameter) => Yaml::map().with(
                &format!("${{{{ if ne(parameters.{parameter}, '') }}}}"),
                vec![yaml],
            ),
            None => yaml,
        }
    }
}

/// The checkout of a job: the full history, with the build's token kept for git, when it merges back.
fn checkout(job: &Job) -> Yaml {
    if job.opens_pull_requests {
        Yaml::map().with("checkout", "self").with("fetchDepth", "0")
    } else {
        Yaml::map().with("checkout", "self")
    }
}

/// A runbook's own approver: `ManualValidation@1` in an agentless job whose timeout exceeds the task's.
fn manual_validation(pipeline: &Pipeline, gate: &Gate) -> Yaml {
    let approval = &gate.approval;
    let timeout = approval
        .timeout_minutes
        .unwrap_or(MAX_SERVER_JOB_MINUTES)
        .clamp(1, MAX_SERVER_JOB_MINUTES - 60);
    let approvers = if approval.azure_approvers.is_empty() {
        &approval.approvers
    } else {
        &approval.azure_approvers
    };
    let people = approvers.join(",");
    let instructions = if approval.instructions.trim().is_empty() {
        format!("Approve: {}", pipeline.title)
    } else {
        approval.instructions.clone()
    };
    Yaml::map()
        .with("job", "approval")
        .with("displayName", "Approval")
        .with("pool", "server")
        .with("timeoutInMinutes", (timeout + 60).to_string())
        .with(
            "steps",
            vec![
                Yaml::map()
                    .with("task", "ManualValidation@1")
                    .with("displayName", "Wait for the approver")
                    .with("timeoutInMinutes", timeout)
                    .with(
                        "inputs",
                        Yaml::map()
                            .with("notifyUsers", people.as_str())
                            .with("approvers", people.as_str())
                            .with(
                                "allowApproversToApproveTheirOwnRuns",
                                !approval.prevent_self_review,
                            )
                            .with("instructions", instructions)
                            .with(
                                "onTimeout",
                                match approval.on_timeout {
                                    TimeoutAction::Reject => "reject",
                                    TimeoutAction::Resume => "resume",
                                },
                            ),
                    ),
            ],
        )
}

fn typed(name: &str, kind: &str, default: Option<&str>) -> Yaml {
    let parameter = Yaml::map().with("name", name).with("type", kind);
    match default {
        Some(default) => parameter.with("default", default),
        None => parameter,
    }
}

/// A value as the text of a pipeline field.
fn expression(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Parameter(name) => format!("${{{{ parameters.{name} }}}}"),
        Value::RunId => "$(Build.BuildId)".to_owned(),
        Value::SourceBranch => "$(Build.SourceBranch)".to_owned(),
        Value::Input(name) => format!("${{{{ parameters.{name} }}}}"),
        Value::RepositoryToken => "$(System.AccessToken)".to_owned(),
        Value::Platform => "azure".to_owned(),
        Value::Secret(name) => format!("$({name})"),
    }
}

/// A number field as the schema wants it on jobs: a string.
fn value_text(value: &Value) -> String {
    expression(value)
}

fn run_once(hooks: Vec<(&str, Vec<Yaml>)>) -> Yaml {
    let mut run_once = Yaml::map();
    for (hook, steps) in hooks {
        run_once = run_once.with(hook, Yaml::map().with("steps", steps));
    }
    Yaml::map().with("runOnce", run_once)
}

fn delay_job(id: &str, title: &str, minutes: u32, depends_on: Option<&str>) -> Yaml {
    let mut job = Yaml::map().with("job", id).with("displayName", title);
    if let Some(depends_on) = depends_on {
        job = job.with("dependsOn", depends_on);
    }
    job.with("pool", "server")
        .with(
            "timeoutInMinutes",
            minutes
                .saturating_add(10)
                .min(MAX_SERVER_JOB_MINUTES)
                .to_string(),
        )
        .with(
            "steps",
            vec![
                Yaml::map()
                    .with("task", "Delay@1")
                    .with("displayName", title)
                    .with(
                        "inputs",
                        Yaml::map().with("delayForMinutes", minutes.to_string()),
                    ),
            ],
        )
}

/// The stage condition that restricts a run to branches matching `pattern` (`hotfix/*` is a prefix).
fn branch_condition(pattern: &str) -> String {
    match pattern.split_once('*') {
        Some((prefix, _)) => format!(
            "startsWith(variables['Build.SourceBranch'], {})",
            expression_string(&format!("refs/heads/{prefix}"))
        ),
        None => format!(
            "eq(variables['Build.SourceBranch'], {})",
            expression_string(&format!("refs/heads/{pattern}"))
        ),
    }
}
