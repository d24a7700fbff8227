//! Helpers for the rule tests: a clean plan to start from, and assertions on the codes found.

use crate::analysis::{Code, Diagnostic, ServiceGraph};
use crate::plan::{Plan, templates};

/// A plan with no diagnostics at all, to break one rule at a time.
pub(super) fn clean_plan() -> Plan {
    templates::starter("test")
}

/// The diagnostics of `code` that `plan` gets.
pub(super) fn findings(plan: &Plan, code: Code) -> Vec<Diagnostic> {
    let graph = ServiceGraph::new(plan);
    super::check_all(plan, &graph)
        .into_iter()
        .filter(|d| d.code == code)
        .collect()
}

/// Asserts that `plan` gets exactly one diagnostic of `code`, and returns it.
pub(super) fn single(plan: &Plan, code: Code) -> Diagnostic {
    let mut found = findings(plan, code);
    assert_eq!(found.len(), 1, "expected one {code}, got {found:#?}");
    found.remove(0)
}

/// Asserts that `plan` gets no diagnostic of `code`.
pub(super) fn none(plan: &Plan, code: Code) {
    let found = findings(plan, code);
    assert!(found.is_empty(), "expected no {code}, got {found:#?}");
}

#[test]
fn the_clean_plan_has_no_diagnostics() {
    let plan = clean_plan();
    let graph = ServiceGraph::new(&plan);
    assert_eq!(super::check_all(&plan, &graph), Vec::new());
}
