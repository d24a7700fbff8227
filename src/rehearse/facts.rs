//! What the rehearsal takes from the plan (never from the release IR): the plan's own commands, so
//! that an intercepted `bash -c "$COMMAND"` is recognised and simulated; what the build leaves
//! behind; the files a repository of the plan holds (manifests); the secrets and branches that exist;
//! and the names the platforms' predefined variables carry.

use crate::plan::{DeployTarget, Plan};

/// A command of the plan, recognised by its text.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanCommand {
    /// The command text (with `{region}` filled in).
    pub text: String,
    /// What it is.
    pub kind: CommandKind,
    /// The region it is for, if any.
    pub region: Option<String>,
    /// Virtual seconds it takes.
    pub seconds: u64,
}

/// What a plan command does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind {
    /// Builds the release artifact.
    Build,
    /// A step of a migration phase.
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
    /// The GitHub secrets that exist (the plan's OIDC credential names).
    pub secrets: Vec<String>,
    /// The main branch.
    pub main_branch: String,
    /// Azure DevOps organization URL and project, and the repository's name.
    pub organization: String,
    /// The Azure DevOps project.
    pub project: String,
    /// The repository (`owner/name`).
    pub repository: String,
    /// Each migration's database service: (migration id, service id).
    pub migration_databases: Vec<(String, String)>,
}

/// Seconds a step of a migration takes.
const MIGRATION_SECONDS: u64 = 60;
/// Seconds the build takes.
const BUILD_SECONDS: u64 = 240;
/// Seconds a scripted deployment takes.
const SCRIPT_SECONDS: u64 = 120;

impl Facts {
    /// Reads the facts of a plan.
    pub fn of(plan: &Plan) -> Self {
        let mut commands = vec![PlanCommand {
            text: plan.platforms.build.command.clone(),
            kind: CommandKind::Build,
            region: None,
            seconds: BUILD_SECONDS,
        }];
        for migration in &plan.migrations {
            for (phase, steps) in [
                ("expand", &migration.expand),
                ("contract", &migration.contract),
            ] {
                for step in steps {
                    commands.push(PlanCommand {
                        text: step.command.clone(),
                        kind: CommandKind::Migration {
                            migration: migration.id.as_str().to_owned(),
                            phase,
                        },
                        region: None,
                        seconds: MIGRATION_SECONDS,
                    });
                }
            }
        }
        let regions: Vec<Option<&str>> = if plan.regions.is_empty() {
            vec![None]
        } else {
            plan.regions.iter().map(|r| Some(r.id.as_str())).collect()
        };
        let artifacts = plan
            .platforms
            .build
            .artifacts_dir
            .trim_end_matches('/')
            .to_owned();
        let mut packages = Vec::new();
        let mut built_folders = Vec::new();
        let mut repository_files = Vec::new();
        for service in &plan.services {
            let id = service.id.as_str().to_owned();
            for region in &regions {
                let fill = |text: &str| text.replace("{region}", region.unwrap_or(""));
                match &service.target {
                    DeployTarget::Script {
                        command,
                        rollback_command,
                    } => {
                        commands.push(PlanCommand {
                            text: fill(command),
                            kind: CommandKind::ScriptDeploy {
                                service: id.clone(),
                            },
                            region: region.map(str::to_owned),
                            seconds: SCRIPT_SECONDS,
                        });
                        if let Some(rollback) = rollback_command {
                            commands.push(PlanCommand {
                                text: fill(rollback),
                                kind: CommandKind::ScriptRollback {
                                    service: id.clone(),
                                },
                                region: region.map(str::to_owned),
                                seconds: SCRIPT_SECONDS,
                            });
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
                            repository_files
                                .push((fill(manifest).trim_start_matches("./").to_owned(), text));
                        }
                    }
                    DeployTarget::StaticSite { source_dir, .. } => {
                        built_folders.push(fill(source_dir))
                    }
                    DeployTarget::AppService { .. } | DeployTarget::Database { .. } => {}
                }
            }
            if matches!(service.target, DeployTarget::AppService { .. }) {
                packages.push((format!("{artifacts}/{id}.zip"), id));
            }
        }
        for runbook in &plan.runbooks {
            let checks = [
                ("critical tests", &runbook.critical_tests),
                ("security scan", &runbook.security_scan),
                ("backfill", &runbook.backfill),
            ];
            for (what, command) in checks {
                if let Some(command) = command {
                    commands.push(PlanCommand {
                        text: command.command.clone(),
                        kind: CommandKind::Check {
                            what,
                            runbook: runbook.id.as_str().to_owned(),
                        },
                        region: None,
                        seconds: u64::from(command.budget_minutes.max(1)) * 30,
                    });
                }
            }
        }
        repository_files.sort();
        repository_files.dedup();
        built_folders.sort();
        built_folders.dedup();
        let credentials = &plan.platforms.github.credentials;
        Facts {
            name: plan.name.clone(),
            commands,
            packages,
            built_folders,
            repository_files,
            secrets: vec![
                credentials.client_id_variable.clone(),
                credentials.tenant_id_variable.clone(),
                credentials.subscription_id_variable.clone(),
            ],
            main_branch: plan.platforms.repository.main_branch.clone(),
            organization: plan.platforms.azure.organization.clone(),
            project: plan.platforms.azure.project.clone(),
            migration_databases: plan
                .migrations
                .iter()
                .map(|m| (m.id.as_str().to_owned(), m.database.as_str().to_owned()))
                .collect(),
            repository: if plan.platforms.github.repository.is_empty() {
                format!("rehearsal/{}", plan.name)
            } else {
                plan.platforms.github.repository.clone()
            },
        }
    }

    /// The plan command with this text; with several (the same command in every region), the one
    /// for `region`.
    pub fn command(&self, text: &str, region: Option<&str>) -> Option<&PlanCommand> {
        let mut found = self.commands.iter().filter(|c| c.text == text);
        let first = found.next()?;
        if first.region.as_deref() == region || region.is_none() {
            return Some(first);
        }
        self.commands
            .iter()
            .filter(|c| c.text == text)
            .find(|c| c.region.as_deref() == region)
            .or(Some(first))
    }
}
