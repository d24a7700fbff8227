//! Ids: unique within their kind, and still unique after sanitising for pipeline identifiers.

use std::collections::HashMap;

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::Id;
use crate::plan::ObjectRef;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    let services = plan.services.iter().map(|s| &s.id);
    check_kind("service", ObjectRef::Service, services, out);
    let migrations = plan.migrations.iter().map(|m| &m.id);
    check_kind("migration", ObjectRef::Migration, migrations, out);
    let environments = plan.environments.iter().map(|e| &e.id);
    check_kind("environment", ObjectRef::Environment, environments, out);
    let regions = plan.regions.iter().map(|r| &r.id);
    check_kind("region", ObjectRef::Region, regions, out);
    let runbooks = plan.runbooks.iter().map(|r| &r.id);
    check_kind("runbook", ObjectRef::Runbook, runbooks, out);
    let gates = plan.rollout.gates.iter().map(|g| &g.id);
    check_kind("quality gate", |_| ObjectRef::Rollout, gates, out);
    let routes = plan.rollout.traffic.iter().map(|r| &r.id);
    check_kind("traffic route", |_| ObjectRef::Rollout, routes, out);
}

/// Reports duplicate and colliding ids among `ids`, objects of the kind `noun` named by `reference`.
fn check_kind<'a>(
    noun: &str,
    reference: fn(Id) -> ObjectRef,
    ids: impl Iterator<Item = &'a Id>,
    out: &mut Vec<Diagnostic>,
) {
    let mut by_sanitised: HashMap<String, Vec<&Id>> = HashMap::new();
    for id in ids {
        by_sanitised.entry(id.sanitised()).or_default().push(id);
    }
    // Only ids that share their sanitised form are reported, in the order of that form.
    let mut shared: Vec<(String, Vec<&Id>)> = by_sanitised
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .collect();
    shared.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (sanitised, ids) in shared {
        let Some((first, rest)) = ids.split_first() else {
            continue;
        };
        for other in rest {
            if other == first {
                out.push(Diagnostic::new(
                    Code::DuplicateId,
                    reference((*other).clone()),
                    format!("two {}s have the id `{other}`", noun),
                    "give each one its own id",
                ));
            } else {
                out.push(Diagnostic::new(
                    Code::IdCollision,
                    reference((*other).clone()),
                    format!(
                        "`{other}` and `{first}` both become the pipeline identifier `{sanitised}`"
                    ),
                    "rename one of them so they differ in letters, digits or underscores",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::Id;

    #[test]
    fn duplicate_ids_are_reported_once_per_extra_copy() {
        let mut plan = clean_plan();
        let copy = plan.services[1].clone();
        plan.services.push(copy);
        let d = single(&plan, Code::DuplicateId);
        assert_eq!(d.subject.key(), "api");
        none(&clean_plan(), Code::DuplicateId);
    }

    #[test]
    fn ids_that_collide_after_sanitising_are_reported() {
        let mut plan = clean_plan();
        let mut twin = plan.services[1].clone();
        twin.id = Id::new("api.");
        plan.services[1].id = Id::new("api-");
        plan.services.push(twin);
        let d = single(&plan, Code::IdCollision);
        assert!(d.message.contains("`api_`"), "{}", d.message);
        none(&clean_plan(), Code::IdCollision);
    }
}
