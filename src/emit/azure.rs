//! Azure Pipelines: translates a release IR pipeline into a YAML pipeline file.
//!
//! Schema type traps (Microsoft's schema): job and deployment `timeoutInMinutes` are strings, task
//! `timeoutInMinutes` and `retryCountOnTaskFailure` are integers, script-step timeouts are strings,
//! `Delay@1` minutes are strings, boolean task inputs are booleans.

use super::shell::{expression_string, open_pull_request_function, with_prelude};
use super::yaml::Yaml;
use crate::plan::{AgentPool, PlatformSettings, TimeoutAction};
use crate::release::{EnvValue, Gate, Job, Phase, Pipeline, ShellStep, Stage, Work};

/// The pipeline artifact every run publishes and deploys.
const ARTIFACT: &str = "release";
/// A server job may wait at most 30 days; the task's own timeout must stay below the job's.
const MAX_SERVER_JOB_MINUTES: u32 = 43_200;

/// The YAML document of `pipeline`.
pub fn pipeline_document(pipeline: &Pipeline, settings: &PlatformSettings) -> Yaml {
    let emitter = Emitter { settings, pipeline };
    let mut root = Yaml::map().with("trigger", "none").with("pr", "none");
    if !pipeline.inputs.is_empty() {
        let parameters = pipeline
            .inputs
            .iter()
            .map(|input| {
                Yaml::map()
                    .with("name", &input.name)
                    .with("displayName", &input.description)
                    .with("type", "string")
                    .with("default", "")
            })
            .collect::<Vec<_>>();
        root = root.with("parameters", parameters);
    }
    let stages: Vec<Yaml> = pipeline
        .stages
        .iter()
        .flat_map(|stage| emitter.stage(stage))
        .collect();
    root.with("stages", stages)
}

struct Emitter<'a> {
    settings: &'a PlatformSettings,
    pipeline: &'a Pipeline,
}

impl Emitter<'_> {
    /// The stage, plus a separate rollback stage when the rollback waits for a person.
    fn stage(&self, stage: &Stage) -> Vec<Yaml> {
        let mut yaml = Yaml::map()
            .with("stage", &stage.id)
            .with("displayName", &stage.title)
            .with(
                "dependsOn",
                Yaml::Seq(stage.depends_on.iter().map(Yaml::from).collect()),
            );
        if stage.depends_on.is_empty()
            && let Some(pattern) = &self.pipeline.branch_guard
        {
            yaml = yaml.with("condition", branch_condition(pattern));
        }
        let jobs = match &stage.work {
            Work::Build {
                steps,
                artifacts_dir,
            } => vec![self.build_job(steps, artifacts_dir)],
            Work::Gate(gate) => self.gate_jobs(gate),
            Work::Job(job) => vec![self.job(job)],
            Work::Soak { minutes } => vec![delay_job(
                "soak",
                &format!("Soak for {minutes} min"),
                *minutes,
                None,
            )],
        };
        let mut out = vec![yaml.with("jobs", jobs)];
        if let Work::Job(Job {
            rollback: Some(rollback),
            environment: Some(_),
            ..
        }) = &stage.work
            && let Some(environment) = &rollback.approval_environment
        {
            let steps = self.steps(&rollback.steps, false);
            let job = Yaml::map()
                .with("deployment", "rollback")
                .with(
                    "displayName",
                    format!("Roll back after approval ({environment})"),
                )
                .with("environment", environment)
                .with("pool", self.pool())
                .with("timeoutInMinutes", "60")
                .with("strategy", run_once(vec![("deploy", steps)]));
            out.push(
                Yaml::map()
                    .with("stage", &rollback.id)
                    .with("displayName", format!("Roll back: {}", stage.title))
                    .with("dependsOn", vec![Yaml::from(&stage.id)])
                    .with("condition", format!("failed('{}')", stage.id))
                    .with("jobs", vec![job]),
            );
        }
        out
    }

    fn pool(&self) -> Yaml {
        match &self.settings.azure.agent_pool {
            AgentPool::VmImage(image) => Yaml::map().with("vmImage", image),
            AgentPool::Named(name) => Yaml::map().with("name", name),
        }
    }

    fn build_job(&self, steps: &[ShellStep], artifacts_dir: &str) -> Yaml {
        let mut all = vec![Yaml::map().with("checkout", "self")];
        all.extend(self.steps(steps, false));
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

    fn gate_jobs(&self, gate: &Gate) -> Vec<Yaml> {
        let approval = &gate.approval;
        let first = if gate.in_pipeline {
            let timeout = approval
                .timeout_minutes
                .unwrap_or(MAX_SERVER_JOB_MINUTES)
                .clamp(1, MAX_SERVER_JOB_MINUTES - 60);
            let people = approval.approvers.join(",");
            let instructions = if approval.instructions.trim().is_empty() {
                format!("Approve: {}", self.pipeline.title)
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
        } else {
            let steps = vec![
                Yaml::map()
                    .with(
                        "bash",
                        Yaml::Block(
                            "echo \"approved through the environment's approval check\"\n".into(),
                        ),
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

    fn job(&self, job: &Job) -> Yaml {
        let checkout = if job.opens_pull_requests {
            Yaml::map()
                .with("checkout", "self")
                .with("fetchDepth", "0")
                .with("persistCredentials", "true")
        } else {
            Yaml::map().with("checkout", "self")
        };
        let mut deploy_steps = vec![];
        if job.environment.is_some() {
            // Deployment jobs download every artifact on their own; the explicit task below retries instead.
            deploy_steps.push(Yaml::map().with("download", "none"));
        }
        deploy_steps.push(checkout);
        if job.needs_artifact {
            deploy_steps.push(self.download_artifact(job.transient_retries));
        }
        let phase_steps = |phase: Phase| -> Vec<ShellStep> {
            job.steps
                .iter()
                .filter(|s| s.phase == phase)
                .cloned()
                .collect()
        };
        deploy_steps.extend(self.steps(&phase_steps(Phase::Deploy), job.uses_azure));
        let Some(environment) = &job.environment else {
            let yaml = Yaml::map()
                .with("job", "run")
                .with("displayName", "Run")
                .with("pool", self.pool())
                .with("timeoutInMinutes", job.timeout_minutes.to_string());
            return yaml.with("steps", deploy_steps);
        };
        let mut hooks = vec![("deploy", deploy_steps)];
        let route = phase_steps(Phase::RouteTraffic);
        if !route.is_empty() {
            hooks.push(("routeTraffic", self.steps(&route, job.uses_azure)));
        }
        let post = phase_steps(Phase::PostRouteTraffic);
        if !post.is_empty() {
            hooks.push(("postRouteTraffic", self.steps(&post, job.uses_azure)));
        }
        let mut strategy = run_once(hooks);
        if let Some(rollback) = &job.rollback
            && rollback.approval_environment.is_none()
            && let Yaml::Map(entries) = &mut strategy
            && let Some((_, Yaml::Map(run_once))) = entries.first_mut()
        {
            let failure = Yaml::map().with("steps", self.steps(&rollback.steps, job.uses_azure));
            run_once.push(("on".to_owned(), Yaml::map().with("failure", failure)));
        }
        Yaml::map()
            .with("deployment", "deployment")
            .with("displayName", "Deploy")
            .with("environment", environment)
            .with("pool", self.pool())
            .with("timeoutInMinutes", job.timeout_minutes.to_string())
            .with("strategy", strategy)
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

    fn steps(&self, steps: &[ShellStep], uses_azure: bool) -> Vec<Yaml> {
        steps
            .iter()
            .map(|step| self.step(step, uses_azure))
            .collect()
    }

    fn step(&self, step: &ShellStep, uses_azure: bool) -> Yaml {
        let opens_pull_requests = step.opens_pull_requests;
        let script = if opens_pull_requests {
            with_prelude(
                &step.script,
                &open_pull_request_function(AZURE_PULL_REQUEST),
            )
        } else {
            step.script.clone()
        };
        let mut env: Vec<(String, Yaml)> = step
            .env
            .iter()
            .map(|(name, value)| (name.clone(), env_value(value)))
            .collect();
        if opens_pull_requests {
            env.push((
                "AZURE_DEVOPS_EXT_PAT".to_owned(),
                Yaml::str("$(System.AccessToken)"),
            ));
        }
        let yaml = if uses_azure {
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
                    .with("scriptLocation", "inlineScript")
                    .with("inlineScript", Yaml::Block(script)),
            )
        } else {
            let mut bash = Yaml::map()
                .with("bash", Yaml::Block(script))
                .with("displayName", &step.name);
            if let Some(minutes) = step.timeout_minutes {
                bash = bash.with("timeoutInMinutes", minutes.to_string());
            }
            bash
        };
        if env.is_empty() {
            yaml
        } else {
            yaml.with("env", Yaml::Map(env))
        }
    }
}

/// Opens an Azure Repos pull request with the build's own token.
const AZURE_PULL_REQUEST: &str = r#"az repos pr create --organization "$SYSTEM_COLLECTIONURI" --project "$SYSTEM_TEAMPROJECT" --repository "$BUILD_REPOSITORY_NAME" --target-branch "$1" --source-branch "$2" --title "$3" --output none"#;

fn env_value(value: &EnvValue) -> Yaml {
    match value {
        EnvValue::Text(text) => Yaml::str(text),
        EnvValue::RunId => Yaml::str("$(Build.BuildId)"),
        EnvValue::SourceBranch => Yaml::str("$(Build.SourceBranch)"),
        EnvValue::Input(name) => Yaml::str(format!("${{{{ parameters.{name} }}}}")),
        EnvValue::RepositoryToken => Yaml::str("$(System.AccessToken)"),
    }
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
            (minutes + 10).min(MAX_SERVER_JOB_MINUTES).to_string(),
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
