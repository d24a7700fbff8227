//! Ids: unique within their kind, and still unique after sanitising for pipeline identifiers.

use std::collections::BTreeMap;

use super::Context;
use crate::analysis::{Code, Diagnostic, Subject, SubjectKind};
use crate::plan::Id;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    check_kind(
        SubjectKind::Service,
        plan.services.iter().map(|s| &s.id),
        out,
    );
    check_kind(
        SubjectKind::Migration,
        plan.migrations.iter().map(|m| &m.id),
        out,
    );
    check_kind(
        SubjectKind::Environment,
        plan.environments.iter().map(|e| &e.id),
        out,
    );
    check_kind(SubjectKind::Region, plan.regions.iter().map(|r| &r.id), out);
    check_kind(
        SubjectKind::Runbook,
        plan.runbooks.iter().map(|r| &r.id),
        out,
    );
}

fn check_kind<'a>(kind: SubjectKind, ids: impl Iterator<Item = &'a Id>, out: &mut Vec<Diagnostic>) {
    let mut by_sanitised: BTreeMap<String, Vec<&Id>> = BTreeMap::new();
    for id in ids {
        by_sanitised.entry(id.sanitised()).or_default().push(id);
    }
    for (sanitised, ids) in by_sanitised {
        let Some((first, rest)) = ids.split_first() else {
            continue;
        };
        for other in rest {
            if other == first {
                out.push(Diagnostic::new(
                    Code::DuplicateId,
                    Subject::new(kind, other),
                    format!("two {}s have the id `{other}`", kind.as_str()),
                    "give each one its own id",
                ));
            } else {
                out.push(Diagnostic::new(
                    Code::IdCollision,
                    Subject::new(kind, other),
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
        assert_eq!(d.subject.id, "api");
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
