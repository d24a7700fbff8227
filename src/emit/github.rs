//! GitHub Actions: translates a release IR pipeline into a workflow file, and each deployment template
//! into a reusable workflow (`on: workflow_call`) that the pipelines call.
//!
//! Every stage becomes a job (`needs` mirrors `depends_on`); a deployment is a call of its template's
//! reusable workflow, whose `rollback` job runs only when its own `deploy` job failed. Approvals are
//! environments with required reviewers (configured by the environment setup). Validation windows are
//! explicit wait jobs: environment wait timers are unavailable to private repositories on GitHub's Free,
//! Pro and Team plans, and a wait job shows the soak in the run graph with its length from the plan.
//!
//! Hardening (GitHub's and OpenSSF's guidance, as zizmor audits it): actions pinned to commit SHAs
//! ([`super::actions`]), checkouts that keep no credentials, least-privilege permissions per job
//! (`id-token: write` only where a job signs in), and no expression inside a script: values reach
//! steps only through `env`.

use super::actions::{AZURE_LOGIN, CHECKOUT, DOWNLOAD_ARTIFACT, PinnedAction, UPLOAD_ARTIFACT};
use super::shell::expression_string;
use super::yaml::Yaml;
use crate::plan::{AzureCloud, PlatformSettings, sanitise_identifier};
use crate::release::chain::{
    self, CHAIN_NEXT, INPUT_BUILD_RUN, INPUT_PREVIOUS_RUN, INPUT_RELEASE_SHA,
};
use crate::release::{
    DeployCall, DeployTemplate, Gate, Job, LibraryCommand, Pipeline, PipelineKind, RunsWhen, Stage,
    Step, Value, Work,
};

/// The artifact every run uploads and deploys.
const ARTIFACT: &str = "release";

/// What every workflow of one export shares: the platform settings and where the files are.
pub struct GitHub<'a> {
    /// The plan's platform settings.
    pub settings: &'a PlatformSettings,
    /// The script library's path in the repository (`cutover/PLAN.sh`).
    pub library: &'a str,
    /// How a pipeline refers to the reusable workflow of a template, by the template's name.
    pub template_reference: &'a (dyn Fn(&str) -> String + Sync),
    /// The path of the workflow of a pipeline, by its file stem (for the parts of a chained release).
    pub workflow_path: &'a (dyn Fn(&str) -> String + Sync),
}

/// The `inputs` expression of the commit a later part of a chained release runs.
fn release_sha() -> String {
    format!("${{{{ inputs.{INPUT_RELEASE_SHA} }}}}")
}

/// The commit a release job checks out: the one part 1 built, in every part of a chained release. A
/// later part is started with it as an input (which a reusable workflow reads from the event, as it
/// cannot see its caller's inputs); anywhere else the input does not exist and the run's own commit
/// is checked out. The same text in every part, so a job reads the same wherever a split puts it.
fn release_commit() -> String {
    format!("${{{{ github.event.inputs.{INPUT_RELEASE_SHA} || github.sha }}}}")
}

/// The workflow-level variable holding the commit a release workflow's own jobs check out.
const RELEASE_SHA_VARIABLE: &str = "CUTOVER_RELEASE_SHA";

/// The commit the jobs of a release workflow check out: the same text in every part of a chained
/// release (so a job reads the same wherever a split puts it), set once per workflow in `env`.
fn release_workflow_commit() -> String {
    format!("${{{{ env.{RELEASE_SHA_VARIABLE} }}}}")
}

/// Whether `pipeline` is a later part of a chained release.
fn continues(pipeline: &Pipeline) -> bool {
    pipeline
        .chain
        .as_ref()
        .is_some_and(|link| link.is_continuation())
}

impl GitHub<'_> {
    /// The workflow document of `pipeline`.
    pub fn workflow(&self, pipeline: &Pipeline) -> Yaml {
        let mut inputs: Vec<(String, Yaml)> = pipeline
            .inputs
            .iter()
            .map(|input| {
                (
                    input.name.clone(),
                    dispatch_input(&input.description, input.required),
                )
            })
            .collect();
        if continues(pipeline) {
            inputs.extend([
                (
                    INPUT_BUILD_RUN.to_owned(),
                    dispatch_input(
                        "The id of the run of part 1, which built the artifact",
                        true,
                    ),
                ),
                (
                    INPUT_RELEASE_SHA.to_owned(),
                    dispatch_input("The commit part 1 built", true),
                ),
                (
                    INPUT_PREVIOUS_RUN.to_owned(),
                    dispatch_input("The id of the run of the part before this one", true),
                ),
            ]);
        }
        let dispatch = if inputs.is_empty() {
            Yaml::map()
        } else {
            Yaml::map().with("inputs", Yaml::Map(inputs))
        };
        let mut jobs: Vec<(String, Yaml)> = pipeline
            .stages
            .iter()
            .map(|stage| (stage.id.clone(), self.job(pipeline, stage)))
            .collect();
        if let Some(next) = pipeline.chain.as_ref().and_then(|c| c.next.as_deref()) {
            jobs.push((CHAIN_NEXT.to_owned(), self.chain_next(pipeline, next)));
        }
        let mut root = Yaml::map().with("name", &pipeline.title);
        if continues(pipeline) {
            // The next part checks the run it continues by this title.
            root = root.with(
                "run-name",
                format!(
                    "{} — build ${{{{ inputs.{INPUT_BUILD_RUN} }}}} of {}",
                    pipeline.title,
                    release_sha()
                ),
            );
        }
        root = root
            .with("on", Yaml::map().with("workflow_dispatch", dispatch))
            .with("permissions", Yaml::map().with("contents", "read"))
            .with(
                "concurrency",
                Yaml::map()
                    .with("group", pipeline.file_stem.as_str())
                    .with("cancel-in-progress", false),
            );
        if matches!(pipeline.kind, PipelineKind::Release) {
            let commit = if continues(pipeline) {
                release_sha()
            } else {
                "${{ github.sha }}".to_owned()
            };
            root = root.with("env", Yaml::map().with(RELEASE_SHA_VARIABLE, commit));
        }
        root.with("jobs", Yaml::Map(jobs))
    }

    /// The reusable workflow of `template`.
    pub fn reusable_workflow(&self, template: &DeployTemplate) -> Yaml {
        let inputs = template
            .parameters
            .iter()
            .fold(Yaml::map(), |inputs, parameter| {
                let mut input = Yaml::map()
                    .with("description", &parameter.description)
                    .with("required", parameter.default.is_none())
                    .with("type", if parameter.number { "number" } else { "string" });
                if let Some(default) = &parameter.default {
                    input = input.with("default", default.as_str());
                }
                inputs.with(&parameter.name, input)
            });
        let job = &template.job;
        let reference = release_commit();
        let mut jobs = vec![("deploy".to_owned(), self.deploy_job(job, &reference))];
        if let Some(rollback) = &job.rollback {
            let environment = rollback
                .approval_environment
                .as_ref()
                .or(job.environment.as_ref());
            let mut yaml = Yaml::map()
                .with("name", "Roll back")
                .with("needs", vec![Yaml::from("deploy")])
                .with("if", "${{ failure() && needs.deploy.result == 'failure' }}")
                .with("runs-on", self.settings.github.runner.as_str());
            if let Some(environment) = environment {
                yaml = yaml.with("environment", value(environment));
            }
            let mut steps = vec![checkout(false, Some(&reference))];
            steps.push(self.azure_login());
            steps.extend(rollback.steps.iter().map(|s| self.step(s)));
            jobs.push((
                "rollback".to_owned(),
                yaml.with("timeout-minutes", 60u32)
                    .with("permissions", permissions(true, false))
                    .with("steps", steps),
            ));
        }
        Yaml::map()
            .with("name", &template.title)
            .with(
                "on",
                Yaml::map().with("workflow_call", Yaml::map().with("inputs", inputs)),
            )
            .with("permissions", Yaml::map().with("contents", "read"))
            .with("jobs", Yaml::Map(jobs))
    }

    fn deploy_job(&self, job: &Job, reference: &str) -> Yaml {
        let mut yaml = Yaml::map()
            .with("name", "Deploy")
            .with("runs-on", self.settings.github.runner.as_str());
        if let Some(environment) = &job.environment {
            yaml = yaml.with("environment", value(environment));
        }
        yaml.with("timeout-minutes", value_yaml(&job.timeout_minutes))
            .with("permissions", permissions(job.signs_in, false))
            .with("steps", self.job_steps(job, Some(reference)))
    }

    fn job_head(&self, pipeline: &Pipeline, stage: &Stage) -> Yaml {
        let mut yaml = Yaml::map().with("name", &stage.title);
        if !stage.depends_on.is_empty() {
            yaml = yaml.with(
                "needs",
                Yaml::Seq(stage.depends_on.iter().map(Yaml::from).collect()),
            );
        } else if let Some(pattern) = &pipeline.branch_guard {
            yaml = yaml.with("if", branch_condition(pattern));
        }
        if let RunsWhen::AnyFailed(stages) = &stage.runs_when {
            yaml = yaml.with("if", any_failed(stages));
        }
        yaml
    }

    /// The job of `stage` in the workflow of `pipeline`.
    pub fn job(&self, pipeline: &Pipeline, stage: &Stage) -> Yaml {
        let head = self.job_head(pipeline, stage);
        let reference =
            matches!(pipeline.kind, PipelineKind::Release).then(release_workflow_commit);
        let reference = reference.as_deref();
        match &*stage.work {
            Work::Deploy(call) => self.call(head, call),
            Work::ChainStart {
                previous,
                previous_is_first,
            } => self.chain_start(head, previous, *previous_is_first),
            Work::Build {
                steps,
                artifacts_dir,
            } => {
                let mut all = vec![checkout(false, None)];
                all.extend(steps.iter().map(|s| self.step(s)));
                all.push(
                    action("Upload the release artifact", UPLOAD_ARTIFACT).with(
                        "with",
                        Yaml::map()
                            .with("name", ARTIFACT)
                            .with("path", artifacts_dir.as_str())
                            .with("if-no-files-found", "error"),
                    ),
                );
                self.runs_on(head)
                    .with("timeout-minutes", 60u32)
                    .with("steps", all)
            }
            Work::Gate(gate) => self.gate(self.runs_on(head), gate),
            Work::Job(job) => self.agent_job(self.runs_on(head), job, reference),
            Work::Soak { minutes } => self.runs_on(head)
                .with("timeout-minutes", minutes.saturating_add(10))
                .with(
                    "steps",
                    vec![Yaml::map()
                        .with("name", format!("Soak for {minutes} min"))
                        .with("env", Yaml::map().with("SOAK_MINUTES", minutes.to_string()))
                        .with(
                            "run",
                            Yaml::Block(
                                "echo \"soaking for $SOAK_MINUTES minutes before the next wave\"\nsleep $((SOAK_MINUTES * 60))\n"
                                    .into(),
                            ),
                        )],
                ),
            Work::Barrier => self.runs_on(head).with("timeout-minutes", 5u32).with(
                "steps",
                vec![Yaml::map()
                    .with("name", "Every job of the wave has finished")
                    .with("run", "echo \"wave complete\"")],
            ),
        }
    }

    fn runs_on(&self, head: Yaml) -> Yaml {
        head.with("runs-on", self.settings.github.runner.as_str())
    }

    /// A call of a reusable workflow: the job grants the permissions the called jobs need.
    fn call(&self, head: Yaml, call: &DeployCall) -> Yaml {
        let with = call
            .arguments
            .iter()
            .fold(Yaml::map(), |with, (name, argument)| {
                with.with(name, value_yaml(argument))
            });
        head.with("uses", (self.template_reference)(&call.template))
            .with("permissions", permissions(true, false))
            .with("with", with)
    }

    fn gate(&self, head: Yaml, gate: &Gate) -> Yaml {
        head.with("environment", gate.environment.as_str())
            .with("timeout-minutes", 10u32)
            .with(
                "steps",
                vec![Yaml::map().with("name", "Record the approval").with(
                    "run",
                    "echo \"approved by a required reviewer of this job's environment\"",
                )],
            )
    }

    /// The first job of a later part of a chained release: checks that the run continues the part
    /// before it (`previous`, the first part when `previous_is_first`) for the same commit, then brings part 1's artifact into this run.
    fn chain_start(&self, head: Yaml, previous: &str, previous_is_first: bool) -> Yaml {
        let mut env = vec![
            ("PLATFORM", "github".to_owned()),
            ("BUILD_RUN", format!("${{{{ inputs.{INPUT_BUILD_RUN} }}}}")),
            ("RELEASE_SHA", release_sha()),
            (
                "PREVIOUS_RUN",
                format!("${{{{ inputs.{INPUT_PREVIOUS_RUN} }}}}"),
            ),
            ("PREVIOUS_WORKFLOW", (self.workflow_path)(previous)),
            ("PREVIOUS_IS_FIRST", previous_is_first.to_string()),
            (
                "CHAIN_WAIT_SECONDS",
                chain::WAIT_FOR_PREVIOUS_SECONDS.to_string(),
            ),
            ("GH_TOKEN", "${{ github.token }}".to_owned()),
        ];
        env.extend(chain::RETRY.map(|(name, value)| (name, value.to_owned())));
        let artifacts = self.settings.build.artifacts_dir.as_str();
        let steps = vec![
            checkout(false, Some(&release_workflow_commit())),
            library_step(
                "Check that this run continues the part before it",
                env,
                self.library,
                LibraryCommand::ChainContinue,
            ),
            action("Download part 1's artifact", DOWNLOAD_ARTIFACT).with(
                "with",
                Yaml::map()
                    .with("name", ARTIFACT)
                    .with("path", artifacts)
                    .with("run-id", format!("${{{{ inputs.{INPUT_BUILD_RUN} }}}}"))
                    .with("github-token", "${{ github.token }}"),
            ),
            action("Make it this run's artifact", UPLOAD_ARTIFACT).with(
                "with",
                Yaml::map()
                    .with("name", ARTIFACT)
                    .with("path", artifacts)
                    .with("if-no-files-found", "error"),
            ),
        ];
        self.runs_on(head)
            .with("timeout-minutes", 45u32)
            .with(
                "permissions",
                Yaml::map().with("contents", "read").with("actions", "read"),
            )
            .with("steps", steps)
    }

    /// The last job of a part of a chained release that has a next part (`next`): once every other
    /// job of the part has succeeded, it starts the next part's workflow.
    pub fn chain_next(&self, pipeline: &Pipeline, next: &str) -> Yaml {
        let continuing = continues(pipeline);
        let from_inputs = |input: &str, own: &str| {
            if continuing {
                format!("${{{{ inputs.{input} }}}}")
            } else {
                own.to_owned()
            }
        };
        let next_workflow = (self.workflow_path)(next);
        let next_file = next_workflow
            .rsplit('/')
            .next()
            .unwrap_or(&next_workflow)
            .to_owned();
        let mut env = vec![
            ("NEXT_WORKFLOW", next_file),
            (
                "BUILD_RUN",
                from_inputs(INPUT_BUILD_RUN, "${{ github.run_id }}"),
            ),
            (
                "RELEASE_SHA",
                from_inputs(INPUT_RELEASE_SHA, "${{ github.sha }}"),
            ),
            ("THIS_RUN", "${{ github.run_id }}".to_owned()),
            ("RELEASE_REF", "${{ github.ref_name }}".to_owned()),
            ("GH_TOKEN", "${{ github.token }}".to_owned()),
        ];
        env.extend(chain::RETRY.map(|(name, value)| (name, value.to_owned())));
        let next_part = pipeline.chain.as_ref().map_or(2, |c| c.part + 1);
        Yaml::map()
            .with("name", format!("Start part {next_part}"))
            .with(
                "needs",
                chain::last_stages(pipeline)
                    .into_iter()
                    .map(Yaml::from)
                    .collect::<Vec<_>>(),
            )
            .with("runs-on", self.settings.github.runner.as_str())
            .with("timeout-minutes", 15u32)
            .with(
                "permissions",
                Yaml::map()
                    .with("contents", "read")
                    .with("actions", "write"),
            )
            .with(
                "steps",
                vec![
                    checkout(false, Some(&release_workflow_commit())),
                    library_step(
                        "Start the next part of the release",
                        env,
                        self.library,
                        LibraryCommand::ChainNext,
                    ),
                ],
            )
    }

    fn agent_job(&self, mut head: Yaml, job: &Job, reference: Option<&str>) -> Yaml {
        if let Some(environment) = &job.environment {
            head = head.with("environment", value(environment));
        }
        head.with("timeout-minutes", value_yaml(&job.timeout_minutes))
            .with(
                "permissions",
                permissions(job.signs_in, job.opens_pull_requests),
            )
            .with("steps", self.job_steps(job, reference))
    }

    /// Check out (`reference`: the commit to check out instead of the run's), download the artifact if
    /// needed, sign in if needed, then the job's steps.
    fn job_steps(&self, job: &Job, reference: Option<&str>) -> Vec<Yaml> {
        let mut steps = vec![checkout(job.opens_pull_requests, reference)];
        if job.needs_artifact {
            steps.push(
                action("Download the release artifact", DOWNLOAD_ARTIFACT).with(
                    "with",
                    Yaml::map()
                        .with("name", ARTIFACT)
                        .with("path", self.settings.build.artifacts_dir.as_str()),
                ),
            );
        }
        if job.signs_in {
            steps.push(self.azure_login());
        }
        steps.extend(job.steps.iter().map(|s| self.step(s)));
        steps
    }

    fn azure_login(&self) -> Yaml {
        let credentials = &self.settings.github.credentials;
        let var = |name: &str| format!("${{{{ vars.{} }}}}", sanitise_identifier(name));
        let mut with = Yaml::map()
            .with("client-id", var(&credentials.client_id_variable))
            .with("tenant-id", var(&credentials.tenant_id_variable))
            .with(
                "subscription-id",
                var(&credentials.subscription_id_variable),
            );
        if let Some((environment, audience)) = cloud_login(self.settings.cloud) {
            with = with
                .with("environment", environment)
                .with("audience", audience);
        }
        action("Sign in to Azure (OIDC)", AZURE_LOGIN).with("with", with)
    }

    fn step(&self, step: &Step) -> Yaml {
        let env: Vec<(String, Yaml)> = step
            .env
            .iter()
            .map(|(name, value)| (name.clone(), Yaml::str(expression(value))))
            .collect();
        let mut yaml = Yaml::map().with("name", &step.name);
        if let Some(parameter) = &step.only_if_set {
            yaml = yaml.with("if", format!("inputs.{parameter} != ''"));
        }
        if let Some(minutes) = step.timeout_minutes {
            yaml = yaml.with("timeout-minutes", minutes);
        }
        if !env.is_empty() {
            yaml = yaml.with("env", Yaml::Map(env));
        }
        yaml.with("shell", "bash").with(
            "run",
            format!("bash {} {}", self.library, step.command.name()),
        )
    }
}

/// The `environment` and `audience` inputs of `azure/login` for a sovereign cloud.
fn cloud_login(cloud: AzureCloud) -> Option<(&'static str, &'static str)> {
    match cloud {
        AzureCloud::Public => None,
        AzureCloud::UsGovernment => Some(("azureusgovernment", "api://AzureADTokenExchangeUSGov")),
        AzureCloud::China => Some(("azurechinacloud", "api://AzureADTokenExchangeChina")),
    }
}

/// A job's permissions: read the repository; mint an OIDC token when it signs in; push and open pull
/// requests when it merges back.
fn permissions(signs_in: bool, opens_pull_requests: bool) -> Yaml {
    let contents = if opens_pull_requests { "write" } else { "read" };
    let mut yaml = Yaml::map().with("contents", contents);
    if signs_in {
        yaml = yaml.with("id-token", "write");
    }
    if opens_pull_requests {
        yaml = yaml.with("pull-requests", "write");
    }
    yaml
}

fn action(name: &str, action: PinnedAction) -> Yaml {
    Yaml::map()
        .with("name", name)
        .with("uses", Yaml::Commented(action.uses(), action.version))
}

/// The checkout step: never keeps credentials (jobs that push authenticate each git call themselves);
/// the full history when the job merges back; `reference` instead of the run's commit when given.
fn checkout(full_history: bool, reference: Option<&str>) -> Yaml {
    let mut with = Yaml::map().with("persist-credentials", false);
    if full_history {
        with = with.with("fetch-depth", 0u32);
    }
    action("Check out", CHECKOUT).with("with", with.with_some("ref", reference))
}

/// A step running the library command `command` with `env`, outside the IR (the chain's own steps).
fn library_step(
    name: &str,
    env: Vec<(&str, String)>,
    library: &str,
    command: LibraryCommand,
) -> Yaml {
    let env: Vec<(String, Yaml)> = env
        .into_iter()
        .map(|(key, value)| (key.to_owned(), Yaml::str(value)))
        .collect();
    Yaml::map()
        .with("name", name)
        .with("env", Yaml::Map(env))
        .with("shell", "bash")
        .with("run", format!("bash {library} {}", command.name()))
}

/// An input of a manually started workflow.
fn dispatch_input(description: &str, required: bool) -> Yaml {
    Yaml::map()
        .with("description", description)
        .with("required", required)
        .with("type", "string")
}

/// The job condition that runs a job only when one of `stages` (all among its `needs`) failed.
fn any_failed(stages: &[String]) -> String {
    let failed: Vec<String> = stages
        .iter()
        .map(|id| format!("needs.{id}.result == 'failure'"))
        .collect();
    format!("${{{{ failure() && ({}) }}}}", failed.join(" || "))
}

/// A value as the text of a workflow field.
fn expression(value: &Value) -> String {
    match value {
        Value::Text(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Parameter(name) => format!("${{{{ inputs.{name} }}}}"),
        Value::RunId => "${{ github.run_id }}".to_owned(),
        Value::SourceBranch => "${{ github.ref }}".to_owned(),
        Value::Input(name) => format!("${{{{ inputs.{name} }}}}"),
        Value::RepositoryToken => "${{ github.token }}".to_owned(),
        Value::Platform => "github".to_owned(),
        Value::Secret(name) => format!("${{{{ secrets.{name} }}}}"),
    }
}

fn value(value: &Value) -> Yaml {
    Yaml::str(expression(value))
}

/// A number field: a YAML number when it is one, else its expression.
fn value_yaml(value: &Value) -> Yaml {
    match value {
        Value::Number(number) => Yaml::from(*number),
        other => Yaml::str(expression(other)),
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
