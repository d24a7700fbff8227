//! Generated file names: every runbook's files have names of their own. Runbook ids become file names
//! (lowercase, with punctuation folded to `-`), so ids that differ only in case or punctuation would
//! write the same files and one runbook's pipelines would silently replace the other's.

use std::collections::BTreeMap;

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::{ObjectRef, file_stem, gates_runbook_stem};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let mut by_stem: BTreeMap<String, &crate::plan::Id> = BTreeMap::new();
    let gates_runbook =
        (!cx.plan.rollout.gates.is_empty()).then(|| gates_runbook_stem(&file_stem(&cx.plan.name)));
    for runbook in &cx.plan.runbooks {
        let stem = file_stem(runbook.id.as_str());
        if gates_runbook.as_ref() == Some(&stem) {
            out.push(Diagnostic::new(
                Code::OutputFileCollision,
                ObjectRef::Runbook(runbook.id.clone()),
                format!(
                    "runbook `{}` would write docs/runbooks/{stem}.md, the release's quality-gate runbook",
                    runbook.id
                ),
                "give the runbook another id",
            ));
            continue;
        }
        match by_stem.get(&stem) {
            Some(first) if *first != &runbook.id => out.push(Diagnostic::new(
                Code::OutputFileCollision,
                ObjectRef::Runbook(runbook.id.clone()),
                format!(
                    "runbooks `{first}` and `{}` would both write docs/runbooks/{stem}.md and the same hotfix pipelines",
                    runbook.id
                ),
                "give one of them an id that differs in letters or digits, not only in case or punctuation",
            )),
            _ => {
                by_stem.insert(stem, &runbook.id);
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
    fn runbooks_whose_files_would_collide_are_refused() {
        let mut plan = clean_plan();
        none(&plan, Code::OutputFileCollision);
        let mut twin = plan.runbooks[0].clone();
        twin.id = Id::new("API--Hotfix");
        plan.runbooks.push(twin);
        single(&plan, Code::OutputFileCollision);
    }

    #[test]
    fn a_runbook_named_like_the_quality_gate_runbook_is_refused_once_the_plan_has_gates() {
        let mut plan = clean_plan();
        plan.runbooks[0].id = Id::new(crate::plan::gates_runbook_stem(&crate::plan::file_stem(
            &plan.name,
        )));
        none(&plan, Code::OutputFileCollision);
        plan.rollout
            .gates
            .push(crate::edit::defaults::quality_gate(&plan));
        single(&plan, Code::OutputFileCollision);
    }
}
