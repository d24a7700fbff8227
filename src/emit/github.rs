//! GitHub Actions: translates a release IR pipeline into a workflow file.
//!
//! Every stage becomes a job (`needs` mirrors `depends_on`); a deployment with a rollback gets a
//! rollback job that runs only when its own deployment job failed. Approvals are environments with
//! required reviewers (configured by the environment setup). Validation windows are explicit wait jobs:
//! environment wait timers are unavailable to private repositories on GitHub's Free, Pro and Team
//! plans, and a wait job shows the soak in the run graph with its length taken from the plan.

use super::shell::{expression_string, open_pull_request_function, with_prelude};
use super::yaml::Yaml;
use crate::plan::{PlatformSettings, sanitise_identifier};
use crate::release::{EnvValue, Gate, Job, Pipeline, Rollback, ShellStep, Stage, Work};

/// The artifact every run uploads and deploys.
const ARTIFACT: &str = "release";

/// The YAML document of `pipeline`.
pub fn workflow_document(pipeline: &Pipeline, settings: &PlatformSettings) -> Yaml {
    let emitter = Emitter { settings, pipeline };
    let inputs = pipeline.inputs.iter().fold(Yaml::map(), |inputs, input| {
        inputs.with(
            &input.name,
            Yaml::map()
                .with("description", &input.description)
                .with("required", input.required)
                .with("type", "string"),
        )
    });
    let dispatch = if pipeline.inputs.is_empty() {
        Yaml::map()
    } else {
        Yaml::map().with("inputs", inputs)
    };
    let uses_azure = pipeline
        .stages
        .iter()
        .any(|s| matches!(&s.work, Work::Job(job) if job.uses_azure));
    let mut permissions = Yaml::map().with("contents", "read");
    if uses_azure {
        permissions = permissions.with("id-token", "write");
    }
    let mut jobs = Vec::new();
    for stage in &pipeline.stages {
        jobs.push((stage.id.clone(), emitter.job(stage)));
        if let Work::Job(Job {
            rollback: Some(rollback),
            ..
        }) = &stage.work
        {
            jobs.push((rollback.id.clone(), emitter.rollback_job(stage, rollback)));
        }
    }
    Yaml::map()
        .with("name", &pipeline.title)
        .with("on", Yaml::map().with("workflow_dispatch", dispatch))
        .with("permissions", permissions)
        .with(
            "concurrency",
            Yaml::map()
                .with("group", pipeline.file_stem.as_str())
                .with("cancel-in-progress", false),
        )
        .with("jobs", Yaml::Map(jobs))
}

struct Emitter<'a> {
    settings: &'a PlatformSettings,
    pipeline: &'a Pipeline,
}

impl Emitter<'_> {
    fn job_head(&self, stage: &Stage) -> Yaml {
        let mut yaml = Yaml::map().with("name", &stage.title);
        if !stage.depends_on.is_empty() {
            yaml = yaml.with(
                "needs",
                Yaml::Seq(stage.depends_on.iter().map(Yaml::from).collect()),
            );
        } else if let Some(pattern) = &self.pipeline.branch_guard {
            yaml = yaml.with("if", branch_condition(pattern));
        }
        yaml.with("runs-on", self.settings.github.runner.as_str())
    }

    fn job(&self, stage: &Stage) -> Yaml {
        let head = self.job_head(stage);
        match &stage.work {
            Work::Build { steps, artifacts_dir } => {
                let mut all = vec![checkout(false)];
                all.extend(steps.iter().map(|s| self.step(s)));
                all.push(
                    Yaml::map().with("name", "Upload the release artifact").with("uses", "actions/upload-artifact@v4").with(
                        "with",
                        Yaml::map()
                            .with("name", ARTIFACT)
                            .with("path", artifacts_dir.as_str())
                            .with("if-no-files-found", "error"),
                    ),
                );
                head.with("timeout-minutes", 60u32).with("steps", all)
            }
            Work::Gate(gate) => self.gate(head, gate),
            Work::Job(job) => self.agent_job(head, job),
            Work::Soak { minutes } => head.with("timeout-minutes", minutes + 10).with(
                "steps",
                vec![
                    Yaml::map()
                        .with("name", format!("Soak for {minutes} min"))
                        .with("env", Yaml::map().with("SOAK_MINUTES", minutes.to_string()))
                        .with(
                            "run",
                            Yaml::Block(
                                "echo \"soaking for $SOAK_MINUTES minutes before the next region\"\nsleep $((SOAK_MINUTES * 60))\n"
                                    .into(),
                            ),
                        ),
                ],
            ),
        }
    }

    fn gate(&self, head: Yaml, gate: &Gate) -> Yaml {
        let approvers = gate.approval.approvers.join(", ");
        head.with("environment", gate.environment.as_str()).with("timeout-minutes", 10u32).with(
            "steps",
            vec![
                Yaml::map()
                    .with("name", "Record the approval")
                    .with("env", Yaml::map().with("APPROVERS", approvers))
                    .with("run", Yaml::Block("echo \"approved by a reviewer of this environment ($APPROVERS)\"\n".into())),
            ],
        )
    }

    fn agent_job(&self, mut head: Yaml, job: &Job) -> Yaml {
        if let Some(environment) = &job.environment {
            head = head.with("environment", environment.as_str());
        }
        if job.opens_pull_requests {
            head = head.with(
                "permissions",
                Yaml::map()
                    .with("contents", "write")
                    .with("pull-requests", "write"),
            );
        }
        head = head.with("timeout-minutes", job.timeout_minutes);
        let mut steps = vec![checkout(job.opens_pull_requests)];
        if job.needs_artifact {
            steps.push(
                Yaml::map()
                    .with("name", "Download the release artifact")
                    .with("uses", "actions/download-artifact@v4")
                    .with(
                        "with",
                        Yaml::map()
                            .with("name", ARTIFACT)
                            .with("path", self.settings.build.artifacts_dir.as_str()),
                    ),
            );
        }
        if job.uses_azure {
            steps.push(self.azure_login());
        }
        steps.extend(job.steps.iter().map(|s| self.step(s)));
        head.with("steps", steps)
    }

    fn rollback_job(&self, stage: &Stage, rollback: &Rollback) -> Yaml {
        let Work::Job(job) = &stage.work else {
            return Yaml::map();
        };
        let deploy = &stage.id;
        let mut yaml = Yaml::map()
            .with("name", format!("Roll back: {}", stage.title))
            .with("needs", vec![Yaml::from(deploy)])
            .with(
                "if",
                format!("${{{{ failure() && needs.{deploy}.result == 'failure' }}}}"),
            )
            .with("runs-on", self.settings.github.runner.as_str());
        let environment = rollback
            .approval_environment
            .as_ref()
            .or(job.environment.as_ref());
        if let Some(environment) = environment {
            yaml = yaml.with("environment", environment.as_str());
        }
        let mut steps = vec![];
        if job.uses_azure {
            steps.push(self.azure_login());
        }
        steps.extend(rollback.steps.iter().map(|s| self.step(s)));
        yaml.with("timeout-minutes", 60u32).with("steps", steps)
    }

    fn azure_login(&self) -> Yaml {
        let credentials = &self.settings.github.credentials;
        let var = |name: &str| format!("${{{{ secrets.{} }}}}", sanitise_identifier(name));
        Yaml::map()
            .with("name", "Sign in to Azure (OIDC)")
            .with("uses", "azure/login@v2")
            .with(
                "with",
                Yaml::map()
                    .with("client-id", var(&credentials.client_id_variable))
                    .with("tenant-id", var(&credentials.tenant_id_variable))
                    .with(
                        "subscription-id",
                        var(&credentials.subscription_id_variable),
                    ),
            )
    }

    fn step(&self, step: &ShellStep) -> Yaml {
        let opens_pull_requests = step.opens_pull_requests;
        let script = if opens_pull_requests {
            with_prelude(
                &step.script,
                &open_pull_request_function(GITHUB_PULL_REQUEST),
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
            env.push(("GH_TOKEN".to_owned(), Yaml::str("${{ github.token }}")));
        }
        let mut yaml = Yaml::map().with("name", &step.name);
        if let Some(minutes) = step.timeout_minutes {
            yaml = yaml.with("timeout-minutes", minutes);
        }
        if !env.is_empty() {
            yaml = yaml.with("env", Yaml::Map(env));
        }
        yaml.with("shell", "bash").with("run", Yaml::Block(script))
    }
}

/// Opens a GitHub pull request with the workflow's token.
const GITHUB_PULL_REQUEST: &str = r#"gh pr create --base "$1" --head "$2" --title "$3" --body "Opened by the hotfix workflow (Cutover)""#;

fn checkout(full_history: bool) -> Yaml {
    let step = Yaml::map()
        .with("name", "Check out")
        .with("uses", "actions/checkout@v4");
    if full_history {
        step.with("with", Yaml::map().with("fetch-depth", 0u32))
    } else {
        step
    }
}

fn env_value(value: &EnvValue) -> Yaml {
    match value {
        EnvValue::Text(text) => Yaml::str(text),
        EnvValue::RunId => Yaml::str("${{ github.run_id }}"),
        EnvValue::SourceBranch => Yaml::str("${{ github.ref }}"),
        EnvValue::Input(name) => Yaml::str(format!("${{{{ inputs.{name} }}}}")),
        EnvValue::RepositoryToken => Yaml::str("${{ github.token }}"),
    }
}

/// The job condition that restricts a run to branches matching `pattern` (`hotfix/*` is a prefix).
fn branch_condition(pattern: &str) -> String {
    match pattern.split_once('*') {
        Some((prefix, _)) => {
            format!(
                "${{{{ startsWith(github.ref, {}) }}}}",
                expression_string(&format!("refs/heads/{prefix}"))
            )
        }
        None => format!(
            "${{{{ github.ref == {} }}}}",
            expression_string(&format!("refs/heads/{pattern}"))
        ),
    }
}
