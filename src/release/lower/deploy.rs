//! The deployment job of one service in one region: its steps per target and strategy, its health
//! gates, and the guarded rollback.

use super::*;

fn retry_env(policy: &RetryPolicy) -> Vec<(&'static str, EnvValue)> {
    vec![
        ("RETRY_ATTEMPTS", text(policy.attempts.max(1).to_string())),
        (
            "RETRY_DELAY_SECONDS",
            text(policy.initial_delay_seconds.to_string()),
        ),
        ("RETRY_BACKOFF", text(format_factor(policy.backoff_factor))),
        (
            "RETRY_MAX_DELAY_SECONDS",
            text(
                policy
                    .max_delay_seconds
                    .max(policy.initial_delay_seconds)
                    .to_string(),
            ),
        ),
    ]
}

fn format_factor(factor: f64) -> String {
    let factor = if factor.is_finite() && factor >= 1.0 {
        factor
    } else {
        1.0
    };
    let text = format!("{factor:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn health_env(check: &HealthCheck, url: String) -> Vec<(&'static str, EnvValue)> {
    vec![
        ("HEALTH_URL", text(url)),
        (
            "HEALTH_EXPECTED_STATUS",
            text(check.expected_status.to_string()),
        ),
        (
            "HEALTH_TIMEOUT_SECONDS",
            text(check.timeout_seconds.max(1).to_string()),
        ),
        ("HEALTH_RETRIES", text(check.retries.to_string())),
        (
            "HEALTH_INTERVAL_SECONDS",
            text(check.interval_seconds.to_string()),
        ),
    ]
}

/// Minutes a health check may take at worst.
fn health_minutes(check: &HealthCheck) -> u32 {
    let seconds = (check.retries + 1) * (check.timeout_seconds + check.interval_seconds);
    seconds.div_ceil(60)
}

fn in_region(text: &str, region: Option<&Region>) -> String {
    text.replace("{region}", region.map_or("", |r| r.id.as_str()))
}

/// The production health URL of a service in a region, with the status it answers when healthy.
pub(super) fn production_health(
    service: &Service,
    region: Option<&Region>,
) -> Option<(u16, String)> {
    let check = service.health_check.as_ref()?;
    let base = match (&check.base_url, &service.target) {
        (Some(base), _) => in_region(base, region),
        (None, DeployTarget::AppService { app, .. }) => {
            format!("https://{}.azurewebsites.net", in_region(app, region))
        }
        (None, _) => return None,
    };
    Some((check.expected_status, join_url(&base, &check.path)))
}

/// Where the build leaves an App Service package: `ARTIFACTS_DIR/SERVICE_ID.zip`.
fn package_path(plan: &Plan, service: &Service) -> String {
    format!(
        "{}/{}.zip",
        plan.platforms.build.artifacts_dir.trim_end_matches('/'),
        service.id
    )
}

fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

type Env = Vec<(&'static str, EnvValue)>;

/// Steps of one deployment, its guarded rollback steps (empty where nothing needs undoing), and the
/// minutes its strategy adds to the job's timeout.
struct Plays {
    steps: Vec<ShellStep>,
    rollback: Vec<ShellStep>,
    extra_minutes: u32,
}

/// What every target's steps share: where they deploy, the retry policy, the production health check.
struct Deployment<'a> {
    plan: &'a Plan,
    service: &'a Service,
    region: Option<&'a Region>,
    retry: Env,
    /// The production health check's variables; empty when the service has none.
    health: Env,
}

/// The variable every guarded rollback compares with what production runs.
fn build_id() -> (&'static str, EnvValue) {
    ("BUILD_ID", EnvValue::RunId)
}

fn joined(parts: &[&Env]) -> Env {
    parts.iter().flat_map(|part| part.iter().cloned()).collect()
}

/// The deployment job of one service in one region: steps per target and strategy, health gates, and
/// the guarded rollback the rollout policy asks for.
pub(super) fn deployment_job(
    plan: &Plan,
    service: &Service,
    region: Option<&Region>,
    environment_name: &str,
    rollback_environment: Option<&str>,
    rollback_id: String,
) -> Job {
    let health = match (&service.health_check, production_health(service, region)) {
        (Some(check), Some((_, url))) => health_env(check, url),
        _ => Vec::new(),
    };
    let health_gated = !health.is_empty();
    let deployment = Deployment {
        plan,
        service,
        region,
        retry: retry_env(&plan.rollout.retry),
        health,
    };
    let plays = match &service.target {
        DeployTarget::AppService {
            app,
            resource_group,
            slot: None,
        } => deployment.app_service_in_place(app, resource_group),
        DeployTarget::AppService {
            app,
            resource_group,
            slot: Some(slot),
        } => deployment.app_service_slot(app, resource_group, slot),
        DeployTarget::Kubernetes {
            cluster,
            resource_group,
            namespace,
            deployment: name,
            manifests,
        } => deployment.kubernetes(&[cluster, resource_group, namespace, name], manifests),
        DeployTarget::StaticSite {
            storage_account,
            source_dir,
            ..
        } => deployment.static_site(storage_account, source_dir),
        DeployTarget::Database {
            server,
            database,
            resource_group,
        } => deployment.database(server, database, resource_group),
        DeployTarget::Script {
            command,
            rollback_command,
        } => deployment.script(command, rollback_command.as_deref()),
    };
    let drain = service.draining_timeout_seconds.unwrap_or(0);
    let health_minutes = service
        .health_check
        .as_ref()
        .map_or(0, |c| 2 * health_minutes(c));
    let minutes = 20 + drain.div_ceil(60) + health_minutes + plays.extra_minutes;
    let rollback = (!plays.rollback.is_empty()).then(|| Rollback {
        id: rollback_id,
        steps: plays.rollback,
        approval_environment: rollback_environment.map(str::to_owned),
    });
    Job {
        production: false,
        environment: Some(environment_name.to_owned()),
        uses_azure: !matches!(service.target, DeployTarget::Script { .. }),
        needs_artifact: matches!(
            service.target,
            DeployTarget::AppService { .. } | DeployTarget::StaticSite { .. }
        ),
        steps: plays.steps,
        rollback,
        timeout_minutes: minutes.min(MAX_JOB_MINUTES),
        opens_pull_requests: false,
        health_gated,
        transient_retries: plan.rollout.retry.attempts.saturating_sub(1).min(10),
    }
}

impl Deployment<'_> {
    fn here(&self, text_in_plan: &str) -> EnvValue {
        text(in_region(text_in_plan, self.region))
    }

    fn drain_seconds(&self) -> EnvValue {
        text(
            self.service
                .draining_timeout_seconds
                .unwrap_or(0)
                .to_string(),
        )
    }

    /// The production health gate after the deployment, when the service has a health check.
    fn health_gate(&self, steps: &mut Vec<ShellStep>, name: &str) {
        if !self.health.is_empty() {
            steps.push(ShellStep::new(
                name,
                Phase::PostRouteTraffic,
                self.health.clone(),
                &scripts::health_gate(),
            ));
        }
    }

    /// Health variables for a rollback that checks production afterwards; with no health check the
    /// script skips the check on its empty URL.
    fn rollback_health(&self) -> Env {
        if !self.health.is_empty() {
            return self.health.clone();
        }
        vec![
            ("HEALTH_URL", text("")),
            ("HEALTH_EXPECTED_STATUS", text("200")),
            ("HEALTH_TIMEOUT_SECONDS", text("10")),
            ("HEALTH_RETRIES", text("0")),
            ("HEALTH_INTERVAL_SECONDS", text("0")),
        ]
    }

    fn app_service_in_place(&self, app: &str, resource_group: &str) -> Plays {
        let target = vec![
            ("APP", self.here(app)),
            ("RESOURCE_GROUP", self.here(resource_group)),
            ("PACKAGE", text(package_path(self.plan, self.service))),
        ];
        let mut steps = vec![ShellStep::new(
            "Deploy in place",
            Phase::Deploy,
            joined(&[&target, &self.retry]),
            &scripts::app_service_deploy_in_place(),
        )];
        self.health_gate(&mut steps, "Health gate");
        // No slot, no previous version to return to: the analysis refuses this in production.
        Plays {
            steps,
            rollback: Vec::new(),
            extra_minutes: 0,
        }
    }

    /// Slot swap, blue-green and canary: deploy to the slot, check it, move traffic, check production;
    /// the rollback swaps back only if production runs this build.
    fn app_service_slot(&self, app: &str, resource_group: &str, slot: &str) -> Plays {
        let app = in_region(app, self.region);
        let target = vec![
            ("APP", text(&app)),
            ("RESOURCE_GROUP", self.here(resource_group)),
            ("SLOT", text(slot)),
        ];
        let package = vec![
            ("PACKAGE", text(package_path(self.plan, self.service))),
            build_id(),
        ];
        let mut steps = vec![ShellStep::new(
            format!("Deploy to the {slot} slot"),
            Phase::Deploy,
            joined(&[&target, &package, &self.retry]),
            &scripts::app_service_deploy_to_slot(),
        )];
        if let Some(check) = &self.service.health_check {
            let slot_url = join_url(
                &format!("https://{app}-{slot}.azurewebsites.net"),
                &check.path,
            );
            steps.push(ShellStep::new(
                format!("Health gate ({slot} slot)"),
                Phase::Deploy,
                health_env(check, slot_url),
                &scripts::health_gate(),
            ));
        }
        let drain = vec![("DRAIN_SECONDS", self.drain_seconds())];
        let mut extra_minutes = 0;
        match &self.service.strategy {
            Strategy::Canary { increments } => {
                let canary = vec![
                    (
                        "CANARY_INCREMENTS",
                        text(
                            increments
                                .iter()
                                .map(u32::to_string)
                                .collect::<Vec<_>>()
                                .join(" "),
                        ),
                    ),
                    (
                        "CANARY_OBSERVE_SECONDS",
                        text(CANARY_OBSERVE_SECONDS.to_string()),
                    ),
                ];
                let per_step = CANARY_OBSERVE_SECONDS / 60
                    + self.service.health_check.as_ref().map_or(0, health_minutes);
                extra_minutes = u32::try_from(increments.len())
                    .unwrap_or(u32::MAX)
                    .saturating_mul(per_step);
                steps.push(ShellStep::new(
                    format!("Canary {increments:?} % then swap"),
                    Phase::RouteTraffic,
                    joined(&[&target, &drain, &self.retry, &canary, &self.health]),
                    &scripts::app_service_canary(),
                ));
            }
            _ => steps.push(ShellStep::new(
                format!("Swap {slot} into production"),
                Phase::RouteTraffic,
                joined(&[&target, &drain, &self.retry]),
                &scripts::app_service_swap(),
            )),
        }
        self.health_gate(&mut steps, "Health gate (production)");
        let rollback = vec![ShellStep::new(
            "Swap back if production runs this build",
            Phase::Deploy,
            joined(&[
                &target,
                &vec![build_id()],
                &self.retry,
                &self.rollback_health(),
            ]),
            &scripts::app_service_rollback(),
        )];
        Plays {
            steps,
            rollback,
            extra_minutes,
        }
    }

    /// Rolling (or run-once) on Kubernetes: apply with the rollout paused, set the batch, the grace
    /// period and the build annotation, resume and wait; the rollback undoes only this build's rollout.
    fn kubernetes(
        &self,
        [cluster, resource_group, namespace, name]: &[&String; 4],
        manifests: &[String],
    ) -> Plays {
        const ROLLOUT_SECONDS: u32 = 600;
        let target = vec![
            ("CLUSTER", self.here(cluster)),
            ("RESOURCE_GROUP", self.here(resource_group)),
            ("NAMESPACE", self.here(namespace)),
            ("DEPLOYMENT", self.here(name)),
        ];
        let max_unavailable = match &self.service.strategy {
            Strategy::Rolling {
                batch: BatchSize::Instances(count),
            } => count.to_string(),
            Strategy::Rolling {
                batch: BatchSize::Percent(percent),
            } => format!("{percent}%"),
            _ => String::new(),
        };
        let timeout = vec![
            ("ROLLOUT_TIMEOUT_SECONDS", text(ROLLOUT_SECONDS.to_string())),
            build_id(),
        ];
        let connect = ShellStep::new(
            "Connect to the cluster",
            Phase::Deploy,
            joined(&[&target, &self.retry]),
            &scripts::kubernetes_connect(),
        );
        let rollout = vec![
            (
                "MANIFESTS",
                text(
                    manifests
                        .iter()
                        .map(|m| in_region(m, self.region))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            ),
            ("MAX_UNAVAILABLE", text(max_unavailable)),
            ("DRAIN_SECONDS", self.drain_seconds()),
        ];
        let mut steps = vec![
            connect.clone(),
            ShellStep::new(
                format!("Roll out ({})", self.service.strategy.label()),
                Phase::Deploy,
                joined(&[&target, &rollout, &timeout, &self.retry]),
                &scripts::kubernetes_deploy(),
            ),
        ];
        self.health_gate(&mut steps, "Health gate");
        let rollback = vec![
            connect,
            ShellStep::new(
                "Undo the rollout if it is this build",
                Phase::Deploy,
                joined(&[&target, &timeout, &self.retry]),
                &scripts::kubernetes_rollback(),
            ),
        ];
        Plays {
            steps,
            rollback,
            extra_minutes: ROLLOUT_SECONDS / 60,
        }
    }

    /// A static site: keep the live files, upload, mark the build; the rollback restores the kept files
    /// only if the live site is this build.
    fn static_site(&self, storage_account: &str, source_dir: &str) -> Plays {
        let target = vec![("STORAGE_ACCOUNT", self.here(storage_account))];
        let upload = vec![("SOURCE_DIR", self.here(source_dir)), build_id()];
        let mut steps = vec![ShellStep::new(
            "Upload the site (keeping the previous copy)",
            Phase::Deploy,
            joined(&[&target, &upload, &self.retry]),
            &scripts::static_site_deploy(),
        )];
        self.health_gate(&mut steps, "Health gate");
        let rollback = vec![ShellStep::new(
            "Restore the previous site if it is this build",
            Phase::Deploy,
            joined(&[
                &target,
                &vec![build_id()],
                &self.retry,
                &self.rollback_health(),
            ]),
            &scripts::static_site_rollback(),
        )];
        Plays {
            steps,
            rollback,
            extra_minutes: 0,
        }
    }

    /// A database service: check it answers. Nothing to roll back: the expand phase keeps the old schema
    /// working, and contract has not run.
    fn database(&self, server: &str, database: &str, resource_group: &str) -> Plays {
        let target = vec![
            ("SERVER", self.here(server)),
            ("DATABASE", self.here(database)),
            ("RESOURCE_GROUP", self.here(resource_group)),
        ];
        let steps = vec![ShellStep::new(
            "Check the database",
            Phase::Deploy,
            joined(&[&target, &self.retry]),
            &scripts::database_check(),
        )];
        Plays {
            steps,
            rollback: Vec::new(),
            extra_minutes: 0,
        }
    }

    /// A custom command, with the plan's rollback command (if any) as the rollback.
    fn script(&self, command: &str, rollback_command: Option<&str>) -> Plays {
        let region = (
            "REGION",
            text(self.region.map_or_else(String::new, |r| r.id.to_string())),
        );
        let deploy = vec![("COMMAND", self.here(command)), region.clone()];
        let mut steps = vec![ShellStep::new(
            "Deploy (custom command)",
            Phase::Deploy,
            joined(&[&deploy, &self.retry]),
            &scripts::run_command_with_retry(),
        )];
        self.health_gate(&mut steps, "Health gate");
        let rollback = match rollback_command {
            Some(rollback) if !rollback.trim().is_empty() => {
                let undo = vec![("COMMAND", self.here(rollback)), region];
                vec![ShellStep::new(
                    "Roll back (custom command)",
                    Phase::Deploy,
                    joined(&[&undo, &self.retry]),
                    &scripts::run_command_with_retry(),
                )]
            }
            _ => Vec::new(),
        };
        Plays {
            steps,
            rollback,
            extra_minutes: 0,
        }
    }
}
