//! What the rehearsal takes from the plan (never from the release IR): the plan's own commands, so
//! that an intercepted `bash -c "$COMMAND"` is recognised and simulated; what the build leaves
//! behind; the files a repository of the plan holds (manifests); the credentials and branches that
//! exist; and the names the platforms' predefined variables carry.

use crate::plan::placeholder::{Place, resolve};
use crate::plan::{DeployTarget, Id, Plan};

/// A command of the plan, recognised by its text.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanCommand {
    /// The command text (with `{environment}` and `{region}` filled in).
    pub text: String,
    /// What it is.
    pub kind: CommandKind,
    /// The environment and region it is for, if any.
    pub place: Option<(String, Option<String>)>,
    /// Virtual seconds it takes.
    pub seconds: u64,
}

/// What a plan command does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind {
    /// Builds the release artifact.
    Build,
    /// A step of a migration phase (against the database the call's environment names).
    Migration {
        /// The migration id.
        migration: String,
        /// `expand` or `contract`.
        phase: &'static str,
    },
    /// Deploys a scripted service.
    ScriptDeploy {
        /// The service id.
        service: String,
    },
    /// Rolls back a scripted service.
    ScriptRollback {
        /// The service id.
        service: String,
    },
    /// A hotfix's critical tests, security scan or backfill suite.
    Check {
        /// What it is (`critical tests`, `security scan`, `backfill`).
        what: &'static str,
        /// The runbook id.
        runbook: String,
    },
}

/// Everything the rehearsal reads from the plan.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The plan's name.
    pub name: String,
    /// The plan's commands.
    pub commands: Vec<PlanCommand>,
    /// The App Service packages the build leaves: (path in the workspace, service id).
    pub packages: Vec<(String, String)>,
    /// Folders of built files the build leaves in its own workspace (static sites).
    pub built_folders: Vec<String>,
    /// Files a repository of this plan holds besides the export (manifests), with placeholder text.
    pub repository_files: Vec<(String, String)>,
    /// The OIDC credential names (GitHub repository variables) that exist.
    pub secrets: Vec<String>,
    /// The main branch.
    pub main_branch: String,
    /// The Azure DevOps organization URL.
    pub organization: String,
    /// The Azure DevOps project.
    pub project: String,
    /// The repository (`owner/name`).
    pub repository: String,
}

/// Seconds a step of a migration takes.
const MIGRATION_SECONDS: u64 = 60;
/// Seconds the build takes.
const BUILD_SECONDS: u64 = 240;
/// Seconds a scripted deployment takes.
const SCRIPT_SECONDS: u64 = 120;

/// Every (environment, region) a plan deploys to; a region `None` when the plan has none.
fn places(plan: &Plan) -> Vec<(Id, Option<Id>)> {
    let mut out = Vec::new();
    for environment in super::estate::deployment_environments(plan) {
        let regions = plan.regions_of(environment);
        if regions.is_empty() {
            out.push((environment.id.clone(), None));
        }
        for region in regions {
            out.push((environment.id.clone(), Some(region.id.clone())));
        }
    }
    out
}

fn place_of((environment, region): &(Id, Option<Id>)) -> Place<'_> {
    Place {
        environment,
        region: region.as_ref(),
    }
}

fn owned((environment, region): &(Id, Option<Id>)) -> Option<(String, Option<String>)> {
    Some((
        environment.as_str().to_owned(),
        region.as_ref().map(|r| r.as_str().to_owned()),
    ))
}

impl Facts {
    /// Reads the facts of a plan.
    pub fn of(plan: &Plan) -> Self {
        let places = places(plan);
        let mut facts = Facts {
            name: plan.name.clone(),
            commands: vec![PlanCommand {
                text: plan.platforms.build.command.clone(),
                kind: CommandKind::Build,
                place: None,
                seconds: BUILD_SECONDS,
            }],
            main_branch: plan.platforms.repository.main_branch.clone(),
            organization: plan.platforms.azure.organization.clone(),
            project: plan.platforms.azure.project.clone(),
            repository: if plan.platforms.github.repository.is_empty() {
                format!("rehearsal/{}", plan.name)
            } else {
                plan.platforms.github.repository.clone()
            },
            ..Facts::default()
        };
        let credentials = &plan.platforms.github.credentials;
        facts.secrets = vec![
            credentials.client_id_variable.clone(),
            credentials.tenant_id_variable.clone(),
            credentials.subscription_id_variable.clone(),
        ];
        facts.migrations(plan, &places);
        facts.services(plan, &places);
        facts.runbooks(plan);
        facts.repository_files.sort();
        facts.repository_files.dedup();
        facts.built_folders.sort();
        facts.built_folders.dedup();
        facts
    }

    fn migrations(&mut self, plan: &Plan, places: &[(Id, Option<Id>)]) {
        for migration in &plan.migrations {
            for (phase, steps) in [
                ("expand", &migration.expand),
                ("contract", &migration.contract),
            ] {
                for step in steps {
                    for place in places {
                        self.commands.push(PlanCommand {
                            text: resolve(&step.command, place_of(place)),
                            kind: CommandKind::Migration {
                                migration: migration.id.as_str().to_owned(),
                                phase,
                            },
                            place: owned(place),
                            seconds: MIGRATION_SECONDS,
                        });
                    }
                }
            }
        }
    }

    fn services(&mut self, plan: &Plan, places: &[(Id, Option<Id>)]) {
        let artifacts = plan
            .platforms
            .build
            .artifacts_dir
            .trim_end_matches('/')
            .to_owned();
        for service in &plan.services {
            let id = service.id.as_str().to_owned();
            for place in places {
                let fill = |text: &str| resolve(text, place_of(place));
                match &service.target {
                    DeployTarget::Script {
                        command,
                        rollback_command,
                    } => {
                        let mut push = |text: &str, kind| {
                            self.commands.push(PlanCommand {
                                text: fill(text),
                                kind,
                                place: owned(place),
                                seconds: SCRIPT_SECONDS,
                            })
                        };
                        push(
                            command,
                            CommandKind::ScriptDeploy {
                                service: id.clone(),
                            },
                        );
                        if let Some(rollback) = rollback_command {
                            push(
                                rollback,
                                CommandKind::ScriptRollback {
                                    service: id.clone(),
                                },
                            );
                        }
                    }
                    DeployTarget::Kubernetes {
                        manifests,
                        deployment,
                        ..
                    } => {
                        for manifest in manifests {
                            let text = format!(
                                "# placeholder for the repository's manifest\nkind: Deployment\nmetadata:\n  name: {}\n",
                                fill(deployment)
                            );
                            self.repository_files
                                .push((fill(manifest).trim_start_matches("./").to_owned(), text));
                        }
                    }
                    DeployTarget::StaticSite { source_dir, .. } => {
                        self.built_folders.push(fill(source_dir))
                    }
                    DeployTarget::AppService { .. } | DeployTarget::Database { .. } => {}
                }
            }
            if matches!(service.target, DeployTarget::AppService { .. }) {
                self.packages.push((format!("{artifacts}/{id}.zip"), id));
            }
        }
    }

    fn runbooks(&mut self, plan: &Plan) {
        for runbook in &plan.runbooks {
            let checks = [
                ("critical tests", &runbook.critical_tests),
                ("security scan", &runbook.security_scan),
                ("backfill", &runbook.backfill),
            ];
            for (what, command) in checks {
                if let Some(command) = command {
                    self.commands.push(PlanCommand {
                        text: command.command.clone(),
                        kind: CommandKind::Check {
                            what,
                            runbook: runbook.id.as_str().to_owned(),
                        },
                        place: None,
                        seconds: u64::from(command.budget_minutes.max(1)) * 30,
                    });
                }
            }
        }
    }

    /// The plan command with this text; with several (the same text at several places), the one
    /// for `environment` and `region` when known.
    pub fn command(
        &self,
        text: &str,
        environment: Option<&str>,
        region: Option<&str>,
    ) -> Option<&PlanCommand> {
        let matching = || self.commands.iter().filter(|c| c.text == text);
        let at = |c: &&PlanCommand| match &c.place {
            None => true,
            Some((e, r)) => {
                environment.is_none_or(|x| x == e)
                    && (region.is_none() || r.is_none() || r.as_deref() == region)
            }
        };
        matching().find(at).or_else(|| matching().next())
    }
}
