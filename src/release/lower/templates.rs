//! Deployment templates: one deployment job per kind of target, written once per plan and called by
//! every deployment of that kind with its own arguments. A template's steps, health gates and guarded
//! rollback are the same for every service of the kind; what differs (names, URLs, timeouts) is a
//! parameter.

use std::collections::BTreeMap;

use super::{CANARY_OBSERVE_SECONDS, MAX_JOB_MINUTES, retry_backoff_minutes, retry_env, text};
use crate::plan::placeholder::{Place, resolve};
use crate::plan::{
    BatchSize, DatabaseEngine, DeployTarget, FailureAction, HealthCheck, Plan, RetryPolicy,
    Service, Strategy,
};
use crate::release::ir::{
    DeployCall, DeployTemplate, Job, Parameter, Phase, Rollback, Step, Value,
};
use crate::release::library::LibraryCommand;

/// Seconds a Kubernetes rollout may take before it counts as failed.
const ROLLOUT_SECONDS: u32 = 600;
/// Health-check defaults: the values a call leaves out.
const HEALTH_DEFAULTS: [(&str, &str, &str); 4] = [
    ("health_expected_status", "HEALTH_EXPECTED_STATUS", "200"),
    ("health_timeout_seconds", "HEALTH_TIMEOUT_SECONDS", "10"),
    ("health_retries", "HEALTH_RETRIES", "10"),
    ("health_interval_seconds", "HEALTH_INTERVAL_SECONDS", "15"),
];

/// The kinds of deployment, each one template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum TemplateKind {
    AppServiceInPlace,
    AppServiceSlot,
    AppServiceCanary,
    Kubernetes,
    StaticSite,
    Database,
    Script,
    ScriptWithoutRollback,
}

impl TemplateKind {
    fn of(service: &Service) -> Self {
        match (&service.target, &service.strategy) {
            (DeployTarget::AppService { slot: None, .. }, _) => TemplateKind::AppServiceInPlace,
            (DeployTarget::AppService { .. }, Strategy::Canary { .. }) => {
                TemplateKind::AppServiceCanary
            }
            (DeployTarget::AppService { .. }, _) => TemplateKind::AppServiceSlot,
            (DeployTarget::Kubernetes { .. }, _) => TemplateKind::Kubernetes,
            (DeployTarget::StaticSite { .. }, _) => TemplateKind::StaticSite,
            (DeployTarget::Database { .. }, _) => TemplateKind::Database,
            (
                DeployTarget::Script {
                    rollback_command: Some(rollback),
                    ..
                },
                _,
            ) if !rollback.trim().is_empty() => TemplateKind::Script,
            (DeployTarget::Script { .. }, _) => TemplateKind::ScriptWithoutRollback,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            TemplateKind::AppServiceInPlace => "deploy-app-service-in-place",
            TemplateKind::AppServiceSlot => "deploy-app-service-slot",
            TemplateKind::AppServiceCanary => "deploy-app-service-canary",
            TemplateKind::Kubernetes => "deploy-kubernetes",
            TemplateKind::StaticSite => "deploy-static-site",
            TemplateKind::Database => "deploy-database",
            TemplateKind::Script => "deploy-script",
            TemplateKind::ScriptWithoutRollback => "deploy-script-without-rollback",
        }
    }

    fn title(self) -> &'static str {
        match self {
            TemplateKind::AppServiceInPlace => "Deploy an App Service in place",
            TemplateKind::AppServiceSlot => "Deploy an App Service through a slot swap",
            TemplateKind::AppServiceCanary => "Deploy an App Service as a canary, then swap",
            TemplateKind::Kubernetes => "Roll out a Kubernetes deployment",
            TemplateKind::StaticSite => "Deploy a static site",
            TemplateKind::Database => "Check a database",
            TemplateKind::Script => "Deploy with a custom command",
            TemplateKind::ScriptWithoutRollback => {
                "Deploy with a custom command (no rollback command)"
            }
        }
    }

    fn has_rollback(self) -> bool {
        !matches!(
            self,
            TemplateKind::AppServiceInPlace
                | TemplateKind::Database
                | TemplateKind::ScriptWithoutRollback
        )
    }
}

/// Where one deployment goes, beyond its service.
pub(super) struct CallSite<'a> {
    /// The environment and region names are resolved for.
    pub place: Place<'a>,
    /// The deployment environment's name on the platforms.
    pub environment: &'a str,
    /// The environment whose approval a rollback waits for, when a person decides (`HaltWave`).
    pub rollback_environment: Option<&'a str>,
}

/// The templates a plan's pipelines call, built on first use.
pub(super) struct TemplateSet<'a> {
    plan: &'a Plan,
    built: BTreeMap<TemplateKind, DeployTemplate>,
}

impl<'a> TemplateSet<'a> {
    pub fn new(plan: &'a Plan) -> Self {
        Self {
            plan,
            built: BTreeMap::new(),
        }
    }

    /// The call deploying `service` at `site`, building its template if this is the first call.
    pub fn call(&mut self, service: &Service, site: &CallSite<'_>) -> DeployCall {
        let kind = TemplateKind::of(service);
        let template = self
            .built
            .entry(kind)
            .or_insert_with(|| build_template(self.plan, kind));
        let values = arguments(self.plan, service, kind, site);
        let arguments = template
            .parameters
            .iter()
            .filter_map(|parameter| {
                let value = values.get(parameter.name.as_str())?;
                if parameter.default.as_deref() == Some(value.as_str()) {
                    return None;
                }
                let value = match value.parse::<u32>() {
                    Ok(number) if parameter.number => Value::Number(number),
                    _ => Value::Text(value.clone()),
                };
                Some((parameter.name.clone(), value))
            })
            .collect();
        DeployCall {
            template: kind.name().to_owned(),
            arguments,
        }
    }

    /// The rollback steps of `call`'s template with the call's arguments (or the parameters'
    /// defaults) in place of its parameters, so a stage outside the template can undo that one
    /// deployment. Steps for a parameter left empty are dropped, as the template skips them. Empty
    /// when the template has no rollback.
    pub fn rollback_steps(&self, call: &DeployCall) -> Vec<Step> {
        let Some(template) = self.built.values().find(|t| t.name == call.template) else {
            return Vec::new();
        };
        let Some(rollback) = &template.job.rollback else {
            return Vec::new();
        };
        let value_of = |name: &str| -> Value {
            if let Some((_, value)) = call.arguments.iter().find(|(n, _)| n == name) {
                return value.clone();
            }
            let default = template
                .parameters
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.default.clone())
                .unwrap_or_default();
            Value::Text(default)
        };
        let is_empty = |value: &Value| matches!(value, Value::Text(text) if text.is_empty());
        rollback
            .steps
            .iter()
            .filter(|step| {
                step.only_if_set
                    .as_deref()
                    .is_none_or(|name| !is_empty(&value_of(name)))
            })
            .map(|step| {
                let mut step = step.clone();
                step.only_if_set = None;
                for (_, value) in &mut step.env {
                    if let Value::Parameter(name) = value {
                        *value = value_of(name);
                    }
                }
                step
            })
            .collect()
    }

    /// The templates built, in a stable order.
    pub fn into_templates(self) -> Vec<DeployTemplate> {
        self.built.into_values().collect()
    }
}

fn parameter(name: &str, description: &str, default: Option<&str>) -> Parameter {
    Parameter {
        name: name.to_owned(),
        description: description.to_owned(),
        default: default.map(str::to_owned),
        number: false,
    }
}

fn param(name: &str) -> Value {
    Value::Parameter(name.to_owned())
}

/// The template of `kind` for `plan`: its parameters, deployment steps and guarded rollback.
fn build_template(plan: &Plan, kind: TemplateKind) -> DeployTemplate {
    let halt_wave = plan.rollout.on_failure == FailureAction::HaltWave;
    let mut parameters = vec![
        parameter("environment", "The environment the job deploys to", None),
        Parameter {
            number: true,
            ..parameter("timeout_minutes", "Minutes the deployment may take", None)
        },
    ];
    if halt_wave && kind.has_rollback() {
        parameters.push(parameter(
            "rollback_environment",
            "The environment whose approval a rollback waits for",
            None,
        ));
    }
    parameters.extend(kind_parameters(kind));
    parameters.push(parameter(
        "health_url",
        "The production health check's URL; empty for none",
        Some(""),
    ));
    for (name, _, default) in HEALTH_DEFAULTS {
        parameters.push(parameter(name, "Health check setting", Some(default)));
    }
    let retry = retry_env(&plan.rollout.retry);
    let (steps, rollback_steps) = kind_steps(kind, &retry);
    let rollback = kind.has_rollback().then(|| Rollback {
        steps: rollback_steps,
        approval_environment: halt_wave.then(|| param("rollback_environment")),
    });
    DeployTemplate {
        name: kind.name().to_owned(),
        title: kind.title().to_owned(),
        parameters,
        job: Job {
            environment: Some(param("environment")),
            signs_in: true,
            needs_artifact: matches!(
                kind,
                TemplateKind::AppServiceInPlace
                    | TemplateKind::AppServiceSlot
                    | TemplateKind::AppServiceCanary
                    | TemplateKind::StaticSite
            ),
            health_gated: true,
            steps,
            rollback,
            timeout_minutes: param("timeout_minutes"),
            opens_pull_requests: false,
            transient_retries: plan.rollout.retry.attempts.saturating_sub(1).min(10),
        },
    }
}

/// The parameters only `kind` has.
fn kind_parameters(kind: TemplateKind) -> Vec<Parameter> {
    let required = |name: &str, description: &str| parameter(name, description, None);
    match kind {
        TemplateKind::AppServiceInPlace => vec![
            required("app", "The web app"),
            required("resource_group", "The web app's resource group"),
            required("package", "The zip package to deploy"),
        ],
        TemplateKind::AppServiceSlot | TemplateKind::AppServiceCanary => {
            let mut list = vec![
                required("app", "The web app"),
                required("resource_group", "The web app's resource group"),
                required("slot", "The slot new versions go to"),
                required("package", "The zip package to deploy"),
            ];
            if kind == TemplateKind::AppServiceCanary {
                list.push(required(
                    "canary_increments",
                    "Traffic percentages, separated by spaces",
                ));
            }
            list.push(parameter(
                "slot_health_url",
                "The slot's health check URL; empty for none",
                Some(""),
            ));
            list.push(parameter(
                "drain_seconds",
                "Seconds in-flight requests get before the swap",
                Some("0"),
            ));
            list
        }
        TemplateKind::Kubernetes => vec![
            required("cluster", "The AKS cluster"),
            required("resource_group", "The cluster's resource group"),
            required("namespace", "The deployment's namespace"),
            required("deployment", "The deployment"),
            required("manifests", "The manifest files, one per line"),
            parameter(
                "max_unavailable",
                "Instances (or a percentage) replaced at a time; empty keeps the manifest's",
                Some(""),
            ),
            parameter(
                "drain_seconds",
                "Seconds pods get to finish requests",
                Some("0"),
            ),
        ],
        TemplateKind::StaticSite => vec![
            required("storage_account", "The storage account serving the site"),
            required("source_dir", "The folder of built files"),
        ],
        TemplateKind::Database => vec![
            required("engine", "The database engine"),
            required("server", "The database server (a Cosmos DB account)"),
            required("database", "The database"),
            required("resource_group", "The server's resource group"),
        ],
        TemplateKind::Script => vec![
            required("command", "The deploy command"),
            required("rollback_command", "The rollback command"),
            parameter("region", "The region deployed to", Some("")),
        ],
        TemplateKind::ScriptWithoutRollback => vec![
            required("command", "The deploy command"),
            parameter("region", "The region deployed to", Some("")),
        ],
    }
}

/// Environment variables: each name bound to the template parameter of the same name, lowercase.
fn from_parameters(names: &[&'static str]) -> Vec<(&'static str, Value)> {
    names
        .iter()
        .map(|name| (*name, param(&name.to_ascii_lowercase())))
        .collect()
}

/// The health check's variables, reading `url` for the URL.
fn health_env(url: &str) -> Vec<(&'static str, Value)> {
    let mut env = vec![("HEALTH_URL", param(url))];
    env.extend(
        HEALTH_DEFAULTS
            .iter()
            .map(|(parameter, variable, _)| (*variable, param(parameter))),
    );
    env
}

fn joined(parts: &[&[(&'static str, Value)]]) -> Vec<(&'static str, Value)> {
    parts.iter().flat_map(|part| part.iter().cloned()).collect()
}

fn step(
    name: &str,
    phase: Phase,
    env: Vec<(&'static str, Value)>,
    command: LibraryCommand,
) -> Step {
    Step::new(name, phase, env, command)
}

/// A health gate on the URL in `url_parameter`, skipped when the URL is empty.
fn health_gate(name: &str, phase: Phase, url_parameter: &str) -> Step {
    Step {
        only_if_set: Some(url_parameter.to_owned()),
        ..step(
            name,
            phase,
            health_env(url_parameter),
            LibraryCommand::HealthGate,
        )
    }
}

/// The steps of `kind` and its guarded rollback steps (empty where nothing needs undoing).
fn kind_steps(kind: TemplateKind, retry: &[(&'static str, Value)]) -> (Vec<Step>, Vec<Step>) {
    let build = [("BUILD_ID", Value::RunId)];
    match kind {
        TemplateKind::AppServiceInPlace => (in_place_steps(retry), Vec::new()),
        TemplateKind::AppServiceSlot | TemplateKind::AppServiceCanary => {
            app_service_slot_steps(kind, retry, &build)
        }
        TemplateKind::Kubernetes => kubernetes_steps(retry, &build),
        TemplateKind::StaticSite => static_site_steps(retry, &build),
        TemplateKind::Database => (database_steps(retry), Vec::new()),
        TemplateKind::Script | TemplateKind::ScriptWithoutRollback => script_steps(kind, retry),
    }
}

/// App Service without a slot: deploy in place and check; there is no previous version to return to.
fn in_place_steps(retry: &[(&'static str, Value)]) -> Vec<Step> {
    let target = from_parameters(&["APP", "RESOURCE_GROUP", "PACKAGE"]);
    vec![
        step(
            "Deploy in place",
            Phase::Deploy,
            joined(&[&target, retry]),
            LibraryCommand::AppServiceDeployInPlace,
        ),
        health_gate("Health gate", Phase::PostRouteTraffic, "health_url"),
    ]
}

/// Rolling (or run-once) on Kubernetes; the rollback undoes only this build's rollout.
fn kubernetes_steps(
    retry: &[(&'static str, Value)],
    build: &[(&'static str, Value)],
) -> (Vec<Step>, Vec<Step>) {
    let cluster = from_parameters(&["CLUSTER", "RESOURCE_GROUP"]);
    let target = from_parameters(&["NAMESPACE", "DEPLOYMENT"]);
    let rollout = from_parameters(&["MANIFESTS", "MAX_UNAVAILABLE", "DRAIN_SECONDS"]);
    let timeout = [("ROLLOUT_TIMEOUT_SECONDS", text(ROLLOUT_SECONDS.to_string()))];
    let connect = step(
        "Connect to the cluster",
        Phase::Deploy,
        joined(&[&cluster, retry]),
        LibraryCommand::KubernetesConnect,
    );
    let steps = vec![
        connect.clone(),
        step(
            "Roll out",
            Phase::Deploy,
            joined(&[&target, &rollout, &timeout, build, retry]),
            LibraryCommand::KubernetesDeploy,
        ),
        health_gate("Health gate", Phase::PostRouteTraffic, "health_url"),
    ];
    let rollback = vec![
        connect,
        step(
            "Undo the rollout if it is this build",
            Phase::Deploy,
            joined(&[&target, &timeout, build, retry]),
            LibraryCommand::KubernetesRollback,
        ),
    ];
    (steps, rollback)
}

/// A static site: keep the live files, upload, mark the build; the rollback restores the kept files
/// only if the live site is this build.
fn static_site_steps(
    retry: &[(&'static str, Value)],
    build: &[(&'static str, Value)],
) -> (Vec<Step>, Vec<Step>) {
    let target = from_parameters(&["STORAGE_ACCOUNT"]);
    let source = from_parameters(&["SOURCE_DIR"]);
    let steps = vec![
        step(
            "Upload the site (keeping the previous copy)",
            Phase::Deploy,
            joined(&[&target, &source, build, retry]),
            LibraryCommand::StaticSiteDeploy,
        ),
        health_gate("Health gate", Phase::PostRouteTraffic, "health_url"),
    ];
    let rollback = vec![step(
        "Restore the previous site if it is this build",
        Phase::Deploy,
        joined(&[&target, build, retry, &health_env("health_url")]),
        LibraryCommand::StaticSiteRollback,
    )];
    (steps, rollback)
}

/// A database: check it answers. Nothing to roll back: the expand phase keeps the old schema working,
/// and contract has not run.
fn database_steps(retry: &[(&'static str, Value)]) -> Vec<Step> {
    let target = vec![
        ("DATABASE_ENGINE", param("engine")),
        ("DATABASE_SERVER", param("server")),
        ("DATABASE_NAME", param("database")),
        ("RESOURCE_GROUP", param("resource_group")),
    ];
    vec![
        step(
            "Check the database",
            Phase::Deploy,
            joined(&[&target, retry]),
            LibraryCommand::DatabaseCheck,
        ),
        health_gate("Health gate", Phase::PostRouteTraffic, "health_url"),
    ]
}

/// A custom command, with the plan's rollback command (if any) as the rollback.
fn script_steps(kind: TemplateKind, retry: &[(&'static str, Value)]) -> (Vec<Step>, Vec<Step>) {
    let region = [("REGION", param("region"))];
    let steps = vec![
        step(
            "Deploy (custom command)",
            Phase::Deploy,
            joined(&[&[("COMMAND", param("command"))], &region, retry]),
            LibraryCommand::RunPlanCommandWithRetry,
        ),
        health_gate("Health gate", Phase::PostRouteTraffic, "health_url"),
    ];
    let rollback = if kind == TemplateKind::Script {
        vec![step(
            "Roll back (custom command)",
            Phase::Deploy,
            joined(&[&[("COMMAND", param("rollback_command"))], &region, retry]),
            LibraryCommand::RunPlanCommandWithRetry,
        )]
    } else {
        Vec::new()
    };
    (steps, rollback)
}

/// Slot swap, blue-green and canary: deploy to the slot, check it, move traffic, check production; the
/// rollback swaps back only if production runs this build.
fn app_service_slot_steps(
    kind: TemplateKind,
    retry: &[(&'static str, Value)],
    build: &[(&'static str, Value)],
) -> (Vec<Step>, Vec<Step>) {
    let target = from_parameters(&["APP", "RESOURCE_GROUP", "SLOT"]);
    let package = from_parameters(&["PACKAGE"]);
    let drain = from_parameters(&["DRAIN_SECONDS"]);
    let mut steps = vec![
        step(
            "Deploy to the slot",
            Phase::Deploy,
            joined(&[&target, &package, build, retry]),
            LibraryCommand::AppServiceDeployToSlot,
        ),
        health_gate("Health gate (slot)", Phase::Deploy, "slot_health_url"),
    ];
    if kind == TemplateKind::AppServiceCanary {
        let canary = [
            ("CANARY_INCREMENTS", param("canary_increments")),
            (
                "CANARY_OBSERVE_SECONDS",
                text(CANARY_OBSERVE_SECONDS.to_string()),
            ),
        ];
        steps.push(step(
            "Canary, then swap",
            Phase::RouteTraffic,
            joined(&[&target, &drain, retry, &canary, &health_env("health_url")]),
            LibraryCommand::AppServiceCanary,
        ));
    } else {
        steps.push(step(
            "Swap the slot into production",
            Phase::RouteTraffic,
            joined(&[&target, &drain, retry]),
            LibraryCommand::AppServiceSwap,
        ));
    }
    steps.push(health_gate(
        "Health gate (production)",
        Phase::PostRouteTraffic,
        "health_url",
    ));
    let rollback = vec![step(
        "Swap back if production runs this build",
        Phase::Deploy,
        joined(&[&target, build, retry, &health_env("health_url")]),
        LibraryCommand::AppServiceRollback,
    )];
    (steps, rollback)
}

/// The value of every parameter for deploying `service` at `site` (defaults included; the caller
/// leaves out those equal to the default).
fn arguments(
    plan: &Plan,
    service: &Service,
    kind: TemplateKind,
    site: &CallSite<'_>,
) -> BTreeMap<&'static str, String> {
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    values.insert("environment", site.environment.to_owned());
    values.insert(
        "timeout_minutes",
        timeout_minutes(service, kind, &plan.rollout.retry).to_string(),
    );
    if let Some(rollback) = site.rollback_environment {
        values.insert("rollback_environment", rollback.to_owned());
    }
    if let Some((_, url)) = production_health(plan, service, site.place) {
        values.insert("health_url", url);
    }
    if let Some(check) = &service.health_check {
        values.insert("health_expected_status", check.expected_status.to_string());
        values.insert(
            "health_timeout_seconds",
            check.timeout_seconds.max(1).to_string(),
        );
        values.insert("health_retries", check.retries.to_string());
        values.insert(
            "health_interval_seconds",
            check.interval_seconds.to_string(),
        );
    }
    target_arguments(plan, service, site, &mut values);
    values
}

/// The parameters of `service`'s target at `site`.
fn target_arguments(
    plan: &Plan,
    service: &Service,
    site: &CallSite<'_>,
    values: &mut BTreeMap<&'static str, String>,
) {
    let here = |text: &str| resolve(text, site.place);
    let drain = service.draining_timeout_seconds.unwrap_or(0).to_string();
    let package = format!(
        "{}/{}.zip",
        plan.platforms.build.artifacts_dir.trim_end_matches('/'),
        service.id
    );
    match &service.target {
        DeployTarget::AppService {
            app,
            resource_group,
            slot,
        } => {
            let app = here(app);
            values.insert("resource_group", here(resource_group));
            values.insert("package", package);
            if let Some(slot) = slot {
                let slot = here(slot);
                if let Some(check) = &service.health_check {
                    let base = format!(
                        "https://{app}-{slot}.{}",
                        plan.platforms.cloud.app_service_suffix()
                    );
                    values.insert("slot_health_url", join_url(&base, &check.path));
                }
                values.insert("slot", slot);
                values.insert("drain_seconds", drain);
            }
            if let Strategy::Canary { increments } = &service.strategy {
                let list: Vec<String> = increments.iter().map(u32::to_string).collect();
                values.insert("canary_increments", list.join(" "));
            }
            values.insert("app", app);
        }
        DeployTarget::Kubernetes {
            cluster,
            resource_group,
            namespace,
            deployment,
            manifests,
        } => {
            values.insert("cluster", here(cluster));
            values.insert("resource_group", here(resource_group));
            values.insert("namespace", here(namespace));
            values.insert("deployment", here(deployment));
            let manifests: Vec<String> = manifests.iter().map(|m| here(m)).collect();
            values.insert("manifests", manifests.join("\n"));
            values.insert("max_unavailable", max_unavailable(&service.strategy));
            values.insert("drain_seconds", drain);
        }
        DeployTarget::StaticSite {
            storage_account,
            source_dir,
            ..
        } => {
            values.insert("storage_account", here(storage_account));
            values.insert("source_dir", here(source_dir));
        }
        DeployTarget::Database {
            engine,
            server,
            database,
            resource_group,
            ..
        } => {
            values.insert("engine", engine_name(*engine).to_owned());
            values.insert("server", here(server));
            values.insert("database", here(database));
            values.insert("resource_group", here(resource_group));
        }
        DeployTarget::Script {
            command,
            rollback_command,
        } => {
            values.insert("command", here(command));
            if let Some(rollback) = rollback_command {
                values.insert("rollback_command", here(rollback));
            }
            values.insert(
                "region",
                site.place
                    .region
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            );
        }
    }
}

/// A rolling update's batch as Kubernetes' `maxUnavailable`; empty for other strategies.
fn max_unavailable(strategy: &Strategy) -> String {
    match strategy {
        Strategy::Rolling {
            batch: BatchSize::Instances(count),
        } => count.to_string(),
        Strategy::Rolling {
            batch: BatchSize::Percent(percent),
        } => format!("{percent}%"),
        _ => String::new(),
    }
}

/// The library's name for a database engine.
pub(super) fn engine_name(engine: DatabaseEngine) -> &'static str {
    match engine {
        DatabaseEngine::AzureSql => "azure-sql",
        DatabaseEngine::PostgreSql => "postgresql",
        DatabaseEngine::MySql => "mysql",
        DatabaseEngine::CosmosDb => "cosmos-db",
        DatabaseEngine::Script => "script",
    }
}

/// Minutes a deployment of `service` may take: a base, the draining, the health checks at their worst,
/// what its strategy adds, and the retry policy's backoff for one command's transient failures.
fn timeout_minutes(service: &Service, kind: TemplateKind, retry: &RetryPolicy) -> u32 {
    let drain = service.draining_timeout_seconds.unwrap_or(0).div_ceil(60);
    let health = service.health_check.as_ref().map_or(0, health_minutes);
    let extra = match (&service.strategy, kind) {
        (Strategy::Canary { increments }, TemplateKind::AppServiceCanary) => {
            let per_step = CANARY_OBSERVE_SECONDS / 60 + health;
            u32::try_from(increments.len())
                .unwrap_or(u32::MAX)
                .saturating_mul(per_step)
        }
        (_, TemplateKind::Kubernetes) => ROLLOUT_SECONDS / 60,
        _ => 0,
    };
    20u32
        .saturating_add(retry_backoff_minutes(retry))
        .saturating_add(drain)
        .saturating_add(health.saturating_mul(2))
        .saturating_add(extra)
        .min(MAX_JOB_MINUTES)
}

/// Minutes a health check may take at worst.
pub(super) fn health_minutes(check: &HealthCheck) -> u32 {
    let per_try = u64::from(check.timeout_seconds) + u64::from(check.interval_seconds);
    let seconds = (u64::from(check.retries) + 1) * per_try;
    u32::try_from(seconds.div_ceil(60)).unwrap_or(u32::MAX)
}

/// The production health URL of `service` at `place`, with the status it answers when healthy: the
/// check's base URL, or for an App Service its default host name in the plan's cloud.
pub(super) fn production_health(
    plan: &Plan,
    service: &Service,
    place: Place<'_>,
) -> Option<(u16, String)> {
    let check = service.health_check.as_ref()?;
    let base = match (&check.base_url, &service.target) {
        (Some(base), _) => resolve(base, place),
        (None, DeployTarget::AppService { app, .. }) => format!(
            "https://{}.{}",
            resolve(app, place),
            plan.platforms.cloud.app_service_suffix()
        ),
        (None, _) => return None,
    };
    Some((check.expected_status, join_url(&base, &check.path)))
}

fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
