//! What the user has selected: nothing, or one object of the plan named by its typed reference.

use crate::plan::{Id, ObjectRef};

/// The selected object, if any. Objects are named by id, so a selection survives edits that move them.
pub type Selection = Option<ObjectRef>;

/// The selected service's id, if a service is selected.
pub fn selected_service(selection: &Selection) -> Option<&Id> {
    match selection {
        Some(ObjectRef::Service(id)) => Some(id),
        _ => None,
    }
}
