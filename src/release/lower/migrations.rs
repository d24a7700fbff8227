//! Migration jobs: one migration's expand or contract phase against one database — a region's own
//! database, or a global one — with the connection details its engine and the plan's cloud give.

use super::templates::engine_name;
use super::{plain_job, retry_backoff_minutes, retry_env, text};
use crate::plan::placeholder::{Place, resolve};
use crate::plan::{AzureCloud, DatabaseEngine, DeployTarget, Migration, Plan};
use crate::release::ir::{Job, Phase, Step, Value};
use crate::release::library::LibraryCommand;

/// Minutes one migration phase may take.
const MIGRATION_MINUTES: u32 = 60;

/// Which phase of a migration a job runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MigrationPhase {
    /// Add to the schema so old and new code both work.
    Expand,
    /// Remove what old code needed.
    Contract,
}

impl MigrationPhase {
    /// The phase's name in step names and the library's `MIGRATION_PHASE`.
    pub fn verb(self) -> &'static str {
        match self {
            MigrationPhase::Expand => "expand",
            MigrationPhase::Contract => "contract",
        }
    }
}

/// The job running `phase` of `migration` against the database at `place`, in the deployment
/// environment `environment`.
pub(super) fn migration_job(
    plan: &Plan,
    migration: &Migration,
    phase: MigrationPhase,
    environment: &str,
    place: Place<'_>,
) -> Job {
    let steps = match phase {
        MigrationPhase::Expand => &migration.expand,
        MigrationPhase::Contract => &migration.contract,
    };
    let mut database = database_env(plan, migration, place);
    // `migrate` requests its token through the library's `retry`, which reads the policy.
    database.extend(retry_env(&plan.rollout.retry));
    let steps: Vec<Step> = steps
        .iter()
        .map(|step| {
            let mut env = database.clone();
            env.push(("MIGRATION_PHASE", text(phase.verb())));
            env.push(("COMMAND", text(resolve(&step.command, place))));
            Step::new(
                format!("{}: {}", phase.verb(), step.description),
                Phase::Deploy,
                env,
                LibraryCommand::Migrate,
            )
        })
        .collect();
    Job {
        environment: Some(text(environment)),
        signs_in: true,
        ..plain_job(
            steps,
            MIGRATION_MINUTES.saturating_add(retry_backoff_minutes(&plan.rollout.retry)),
        )
    }
}

/// The database's connection details as the library's variables.
fn database_env(
    plan: &Plan,
    migration: &Migration,
    place: Place<'_>,
) -> Vec<(&'static str, Value)> {
    let Some(DeployTarget::Database {
        engine,
        server,
        database,
        resource_group,
        ..
    }) = plan.service(&migration.database).map(|s| &s.target)
    else {
        // The analysis refuses a migration whose database is not a database target.
        return vec![
            ("DATABASE_ENGINE", text(engine_name(DatabaseEngine::Script))),
            ("DATABASE_SERVER", text("")),
            ("DATABASE_NAME", text("")),
            ("DATABASE_HOST", text("")),
            ("RESOURCE_GROUP", text("")),
            ("DATABASE_TOKEN_RESOURCE", text("")),
        ];
    };
    let server = resolve(server, place);
    vec![
        ("DATABASE_ENGINE", text(engine_name(*engine))),
        (
            "DATABASE_HOST",
            text(host(*engine, &server, plan.platforms.cloud)),
        ),
        ("DATABASE_SERVER", text(server)),
        ("DATABASE_NAME", text(resolve(database, place))),
        ("RESOURCE_GROUP", text(resolve(resource_group, place))),
        (
            "DATABASE_TOKEN_RESOURCE",
            text(token_resource(*engine, plan.platforms.cloud)),
        ),
    ]
}

/// The host name clients connect to, in the plan's cloud.
fn host(engine: DatabaseEngine, server: &str, cloud: AzureCloud) -> String {
    let suffix = match (engine, cloud) {
        (DatabaseEngine::AzureSql, AzureCloud::Public) => "database.windows.net",
        (DatabaseEngine::AzureSql, AzureCloud::UsGovernment) => "database.usgovcloudapi.net",
        (DatabaseEngine::AzureSql, AzureCloud::China) => "database.chinacloudapi.cn",
        (DatabaseEngine::PostgreSql, AzureCloud::Public) => "postgres.database.azure.com",
        (DatabaseEngine::PostgreSql, AzureCloud::UsGovernment) => {
            "postgres.database.usgovcloudapi.net"
        }
        (DatabaseEngine::PostgreSql, AzureCloud::China) => "postgres.database.chinacloudapi.cn",
        (DatabaseEngine::MySql, AzureCloud::Public) => "mysql.database.azure.com",
        (DatabaseEngine::MySql, AzureCloud::UsGovernment) => "mysql.database.usgovcloudapi.net",
        (DatabaseEngine::MySql, AzureCloud::China) => "mysql.database.chinacloudapi.cn",
        (DatabaseEngine::CosmosDb, AzureCloud::Public) => "documents.azure.com",
        (DatabaseEngine::CosmosDb, AzureCloud::UsGovernment) => "documents.azure.us",
        (DatabaseEngine::CosmosDb, AzureCloud::China) => "documents.azure.cn",
        (DatabaseEngine::Script, _) => return server.to_owned(),
    };
    format!("{server}.{suffix}")
}

/// The resource an Azure SQL access token is for, in the plan's cloud (other engines need none, or
/// use the CLI's `oss-rdbms` resource type).
fn token_resource(engine: DatabaseEngine, cloud: AzureCloud) -> &'static str {
    match (engine, cloud) {
        (DatabaseEngine::AzureSql, AzureCloud::Public) => "https://database.windows.net/",
        (DatabaseEngine::AzureSql, AzureCloud::UsGovernment) => {
            "https://database.usgovcloudapi.net/"
        }
        (DatabaseEngine::AzureSql, AzureCloud::China) => "https://database.chinacloudapi.cn/",
        _ => "",
    }
}
