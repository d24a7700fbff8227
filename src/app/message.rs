//! What panels hand the app while they draw: a [`Command`], or a request that carries data (an edit,
//! a click on an object, a path). The app executes them at the end of the frame, so no panel changes
//! the document in the middle of another panel's drawing.

use std::path::PathBuf;

use super::commands::Command;
use super::selection::Selection;
use crate::edit::Edit;
use crate::plan::{Collection, Id, ObjectRef, Position};

/// Something the user asked for, executed at the end of the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// A command from a menu, the toolbar, a shortcut or a button that runs one.
    Command(Command),
    /// Start a new plan from the named template (asks about unsaved changes first).
    New(&'static str),
    /// Open this file (asks about unsaved changes first).
    Open(PathBuf),
    /// Save to this file.
    SaveTo(PathBuf),
    /// Apply an edit to the plan as one undoable step named `label`; edits with the same `group`
    /// in a row (typing into one field) join into one step.
    Edit {
        /// The change (boxed: a whole rollout policy or platform settings is large).
        edit: Box<Edit>,
        /// Its name in the Edit menu.
        label: String,
        /// Joins consecutive edits into one step.
        group: Option<u64>,
    },
    /// Add a service at this canvas position.
    AddServiceAt(Position),
    /// Add a new object of this kind.
    AddObject(Collection),
    /// Remove the object at this index of its collection.
    Remove(Collection, usize),
    /// "`service` depends on `on`"; refused with a reason if it would close a cycle.
    Connect {
        /// The dependent.
        service: Id,
        /// What it depends on.
        on: Id,
    },
    /// An id being typed into an object's Id field: committed as one step (references updated)
    /// when the keyboard leaves the field, dropped by `None` (the text is the id again, or Escape).
    IdDraft(Option<IdDraft>),
    /// Give an object another id now, as one step that updates every reference.
    ChangeId(IdDraft),
    /// Select an object.
    Select(Selection),
    /// Show the selected object in the inspector with the keyboard in its name.
    Inspect,
    /// Select the object a diagnostic names and bring it into view.
    Reveal(ObjectRef),
    /// Select an object from a list (the outline) and, if its service is out of view, centre the
    /// canvas on it; a service already in view stays where it is.
    Locate(ObjectRef),
    /// Export: write the reviewed files, all or nothing.
    WriteExport,
    /// Close the Export… window.
    CloseExport,
    /// Show a job of a rehearsal in the export preview: open `file`'s tab and find `find` there.
    RevealJob {
        /// The generated file's path.
        file: String,
        /// The text that starts the job's definition.
        find: String,
    },
}

/// A new id typed for an object, not yet given to it (see [`Message::IdDraft`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdDraft {
    /// The object's collection.
    pub kind: Collection,
    /// Its id now.
    pub old: Id,
    /// The valid id typed for it.
    pub new: Id,
}

impl From<Command> for Message {
    fn from(command: Command) -> Self {
        Message::Command(command)
    }
}
