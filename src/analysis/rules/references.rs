//! References: every id a plan object names must exist, and be of the right kind.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::Id;
use crate::plan::{ObjectKind, ObjectRef};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    let mut missing = |subject: ObjectRef, what: &str, id: &Id, wanted: ObjectKind| {
        out.push(Diagnostic::new(
            Code::MissingReference,
            subject,
            format!(
                "{what} names {} `{id}`, which the plan does not have",
                wanted.as_str()
            ),
            format!(
                "add {} with id `{id}`, or fix the reference",
                super::with_article(wanted.as_str())
            ),
        ));
    };
    for (index, dependency) in plan.dependencies.iter().enumerate() {
        let subject = || ObjectRef::Dependency {
            service: dependency.service.clone(),
            on: dependency.on.clone(),
        };
        let ends = cx.graph.dependency_ends(index);
        for (id, found) in [
            (&dependency.service, ends.service),
            (&dependency.on, ends.on),
        ] {
            if found.is_none() {
                missing(subject(), "the dependency", id, ObjectKind::Service);
            }
        }
    }
    for migration in &plan.migrations {
        let subject = || ObjectRef::Migration(migration.id.clone());
        if cx.service(&migration.database).is_none() {
            missing(
                subject(),
                "its database",
                &migration.database,
                ObjectKind::Service,
            );
        }
        for consumer in &migration.consumers {
            if cx.service(consumer).is_none() {
                missing(
                    subject(),
                    "its consumer list",
                    consumer,
                    ObjectKind::Service,
                );
            }
        }
    }
    for runbook in &plan.runbooks {
        let subject = || ObjectRef::Runbook(runbook.id.clone());
        for service in &runbook.services {
            if cx.service(service).is_none() {
                missing(subject(), "its service list", service, ObjectKind::Service);
            }
        }
        if plan.environment(&runbook.environment).is_none() {
            missing(
                subject(),
                "its target",
                &runbook.environment,
                ObjectKind::Environment,
            );
        }
    }
    if plan.environment(&plan.rollout.environment).is_none() {
        missing(
            ObjectRef::Rollout,
            "the rollout policy",
            &plan.rollout.environment,
            ObjectKind::Environment,
        );
    }
    for id in &plan.rollout.promote_through {
        if plan.environment(id).is_none() {
            missing(
                ObjectRef::Rollout,
                "the promotion path",
                id,
                ObjectKind::Environment,
            );
        }
    }
    for environment in &plan.environments {
        for region in &environment.regions {
            if plan.region(region).is_none() {
                missing(
                    ObjectRef::Environment(environment.id.clone()),
                    "its region list",
                    region,
                    ObjectKind::Region,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{Dependency, Id};

    #[test]
    fn a_dependency_on_an_unknown_service_is_reported() {
        let mut plan = clean_plan();
        plan.dependencies.push(Dependency {
            service: Id::new("web"),
            on: Id::new("cache"),
        });
        let d = single(&plan, Code::MissingReference);
        assert_eq!(d.subject.key(), "web->cache");
        assert!(d.message.contains("`cache`"));
        none(&clean_plan(), Code::MissingReference);
    }

    #[test]
    fn unknown_environments_and_runbook_services_are_reported() {
        let mut plan = clean_plan();
        plan.rollout.environment = Id::new("prod");
        plan.runbooks[0].services.push(Id::new("ghost"));
        let found = findings(&plan, Code::MissingReference);
        assert_eq!(found.len(), 2);
        assert!(
            found
                .iter()
                .any(|d| d.hint == "add an environment with id `prod`, or fix the reference"),
            "{found:#?}"
        );
    }
}
