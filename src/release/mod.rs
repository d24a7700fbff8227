//! The release IR: the plan lowered once to platform-neutral pipelines (stages, dependencies, gates,
//! waits, retries, rollback), which every emitter translates.

mod ir;
mod lower;
mod scripts;

pub use ir::*;
pub use lower::{CANARY_OBSERVE_SECONDS, LowerError, environment_name, file_stem, lower};
