//! The release IR: the plan lowered once to platform-neutral pipelines (stages, dependencies, gates,
//! waits, retries, rollback) and the deployment templates they call, which every emitter translates;
//! and the script library every pipeline step runs.

pub mod chain;
mod ir;
mod library;
mod lower;

pub use ir::*;
pub use library::{LibraryCommand, library_body};
pub use lower::{CANARY_OBSERVE_SECONDS, LowerError, environment_name, file_stem, lower};
