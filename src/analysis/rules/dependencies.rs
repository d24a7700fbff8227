//! The dependency graph: no cycles, and no lower tier depending on a higher one.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::ObjectRef;
use crate::plan::Tier;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for cycle in cx.graph.cycles() {
        let mut names: Vec<&str> = cycle
            .iter()
            .map(|&i| plan.services[i].id.as_str())
            .collect();
        names.push(names[0]);
        out.push(Diagnostic::new(
            Code::DependencyCycle,
            ObjectRef::Service(plan.services[cycle[0]].id.clone()),
            format!("dependency cycle: {}", names.join(" → ")),
            "remove one of these dependencies; a service graph must be acyclic to have a deployment order",
        ));
    }
    for index in 0..plan.dependencies.len() {
        let Some((service, on)) = cx.dependency_services(index) else {
            continue;
        };
        if service.tier != Tier::Other && on.tier != Tier::Other && service.tier < on.tier {
            out.push(Diagnostic::new(
                Code::TierInversion,
                ObjectRef::Dependency {
                    service: service.id.clone(),
                    on: on.id.clone(),
                },
                format!(
                    "{} `{}` depends on {} `{}`: a lower tier waits for a higher one",
                    service.tier.label(),
                    service.id,
                    on.tier.label(),
                    on.id
                ),
                "check the dependency's direction, or the tiers of the two services",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{Dependency, Id, Tier};

    #[test]
    fn a_cycle_is_named_in_dependency_order() {
        let mut plan = clean_plan();
        plan.dependencies.push(Dependency {
            service: Id::new("db"),
            on: Id::new("web"),
        });
        let d = single(&plan, Code::DependencyCycle);
        assert_eq!(d.message, "dependency cycle: db → web → api → db");
        none(&clean_plan(), Code::DependencyCycle);
    }

    #[test]
    fn a_self_dependency_is_a_cycle() {
        let mut plan = clean_plan();
        plan.dependencies.push(Dependency {
            service: Id::new("api"),
            on: Id::new("api"),
        });
        assert_eq!(
            single(&plan, Code::DependencyCycle).message,
            "dependency cycle: api → api"
        );
    }

    #[test]
    fn a_database_depending_on_an_api_is_a_tier_inversion() {
        let mut plan = clean_plan();
        plan.dependencies = vec![Dependency {
            service: Id::new("db"),
            on: Id::new("api"),
        }];
        let d = single(&plan, Code::TierInversion);
        assert_eq!(d.subject.key(), "db->api");
        none(&clean_plan(), Code::TierInversion);
    }

    #[test]
    fn other_tier_is_never_inverted() {
        let mut plan = clean_plan();
        plan.services[1].tier = Tier::Other;
        plan.dependencies = vec![Dependency {
            service: Id::new("db"),
            on: Id::new("api"),
        }];
        none(&plan, Code::TierInversion);
    }
}
