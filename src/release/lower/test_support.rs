//! What the lowering's tests share: Northwind lowered, and questions about a pipeline's stages.

use crate::plan::parse_plan;
use crate::release::{Pipeline, ReleaseIr, StageRole, lower};

/// The Northwind example, lowered.
pub(super) fn northwind() -> ReleaseIr {
    let text = include_str!("../../../examples/northwind-commerce.ron");
    let plan = parse_plan(text, "northwind-commerce.ron").expect("the example parses");
    lower(&plan).expect("the example lowers")
}

/// The ids of `pipeline`'s stages of `role`, in order.
pub(super) fn ids(pipeline: &Pipeline, role: StageRole) -> Vec<&str> {
    pipeline
        .stages
        .iter()
        .filter(|s| s.role == role)
        .map(|s| s.id.as_str())
        .collect()
}

/// Whether the stage `from` waits, directly or not, for the stage `to`.
pub(super) fn waits_for(pipeline: &Pipeline, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if seen.insert(id)
            && let Some(stage) = pipeline.stage(id)
        {
            stack.extend(stage.depends_on.iter().map(String::as_str));
        }
    }
    false
}
