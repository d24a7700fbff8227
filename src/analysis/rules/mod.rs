//! The rules, one module per family. Each adds its diagnostics to a shared list.

mod approvals;
mod dependencies;
mod hotfix;
mod identity;
mod migrations;
mod references;
mod rollout;
mod services;
mod text;

use super::diagnostic::Diagnostic;
use super::graph::ServiceGraph;
use crate::plan::Plan;

/// What every rule may look at.
struct Context<'a> {
    plan: &'a Plan,
    graph: &'a ServiceGraph,
}

/// Runs every rule family over `plan`.
pub(super) fn check_all(plan: &Plan, graph: &ServiceGraph) -> Vec<Diagnostic> {
    let cx = Context { plan, graph };
    let mut out = Vec::new();
    for family in [
        identity::check,
        references::check,
        dependencies::check,
        migrations::check,
        services::check,
        approvals::check,
        rollout::check,
        hotfix::check,
        text::check,
    ] {
        family(&cx, &mut out);
    }
    out
}

#[cfg(test)]
mod test_support;
