//! The plan document: the serde model, ids, and the RON file format with its versions.

mod format;
mod id;
mod model;
pub mod placeholder;
mod reference;
pub mod templates;
mod text;

pub use format::{
    FORMAT_VERSION, FormatError, OLDEST_FORMAT_VERSION, TextPosition, parse_plan, plan_to_ron,
};
pub use id::{Id, file_stem, gates_runbook_stem, sanitise_identifier};
pub use model::*;
pub use reference::{Collection, ObjectKind, ObjectRef};
pub use text::{TextField, TextKind, visit_texts};
