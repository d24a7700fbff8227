//! The analysis of a plan: its problems (diagnostics) and its deployment order (waves).
//!
//! Pure functions over [`Plan`]: the CLI, the exporters and the app all call [`analyse`].

mod diagnostic;
mod graph;
mod order;
mod rules;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use graph::{DependencyEnds, ServiceGraph};
pub use order::{DeploymentOrder, Step, Wave, deployment_order};

use crate::plan::Plan;

/// Everything the analysis knows about a plan.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The problems found, errors first, then by code and subject.
    pub diagnostics: Vec<Diagnostic>,
    /// The deployment order, or `None` when the dependencies form a cycle.
    pub order: Option<DeploymentOrder>,
}

impl Analysis {
    /// Whether any diagnostic is an error (export refuses such a plan).
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// How many diagnostics have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Checks every rule and computes the deployment order.
pub fn analyse(plan: &Plan) -> Analysis {
    let graph = ServiceGraph::new(plan);
    let mut diagnostics = rules::check_all(plan, &graph);
    diagnostics
        .sort_by(|a, b| (a.severity, a.code, &a.subject).cmp(&(b.severity, b.code, &b.subject)));
    let order = deployment_order(plan, &graph);
    Analysis { diagnostics, order }
}
