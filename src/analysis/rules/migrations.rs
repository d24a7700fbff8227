//! Expand–contract migrations: on a database, with every user of that database listed as a consumer,
//! because contract runs only after every consumer, in every region, runs the new version.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::ObjectRef;
use crate::plan::Tier;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for migration in &plan.migrations {
        let subject = || ObjectRef::Migration(migration.id.clone());
        let Some(database) = cx.graph.index_of(&migration.database) else {
            continue;
        };
        let database_service = &plan.services[database];
        if database_service.tier != Tier::Database {
            out.push(Diagnostic::new(
                Code::MigrationNotOnDatabase,
                subject(),
                format!(
                    "the migration's database `{}` is {} service, not a database",
                    database_service.id,
                    super::with_article(database_service.tier.label())
                ),
                "point the migration at the database service whose schema changes",
            ));
        }
        if migration.consumers.is_empty() {
            out.push(Diagnostic::new(
                Code::MigrationWithoutConsumers,
                subject(),
                "the migration lists no consumers, so nothing holds its contract phase back",
                "list every service that reads or writes the changed schema",
            ));
        }
        if migration.contract.is_empty() {
            continue;
        }
        for user in cx.graph.dependents_of(database) {
            let user = &plan.services[user];
            if !migration.consumers.contains(&user.id) {
                out.push(Diagnostic::new(
                    Code::ContractBeforeConsumers,
                    subject(),
                    format!(
                        "`{}` depends on `{}` but is not a consumer: contract could drop schema it still uses",
                        user.id, database_service.id
                    ),
                    format!("add `{}` to the migration's consumers so contract waits for it in every region", user.id),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{Id, Migration, MigrationStep, Plan};

    fn with_migration(consumers: &[&str]) -> Plan {
        let mut plan = clean_plan();
        let step = |what: &str| MigrationStep {
            description: what.into(),
            command: format!("./migrate {what}"),
        };
        plan.migrations.push(Migration {
            id: Id::new("status"),
            name: "Claim status".into(),
            database: Id::new("db"),
            expand: vec![step("add-column")],
            contract: vec![step("drop-column")],
            consumers: consumers.iter().map(|&c| Id::new(c)).collect(),
        });
        plan
    }

    #[test]
    fn an_unlisted_user_of_the_database_means_contract_may_come_too_early() {
        let d = single(&with_migration(&["web"]), Code::ContractBeforeConsumers);
        assert!(
            d.message.starts_with("`api` depends on `db`"),
            "{}",
            d.message
        );
        none(&with_migration(&["api"]), Code::ContractBeforeConsumers);
    }

    #[test]
    fn an_expand_only_migration_has_no_contract_to_hold_back() {
        let mut plan = with_migration(&["web"]);
        plan.migrations[0].contract.clear();
        none(&plan, Code::ContractBeforeConsumers);
    }

    #[test]
    fn a_migration_must_target_a_database() {
        let mut plan = with_migration(&["web"]);
        plan.migrations[0].database = Id::new("api");
        assert_eq!(
            single(&plan, Code::MigrationNotOnDatabase).message,
            "the migration's database `api` is an API service, not a database"
        );
        none(&with_migration(&["api"]), Code::MigrationNotOnDatabase);
    }

    #[test]
    fn a_migration_without_consumers_is_a_warning() {
        single(&with_migration(&[]), Code::MigrationWithoutConsumers);
        none(&with_migration(&["api"]), Code::MigrationWithoutConsumers);
    }
}
