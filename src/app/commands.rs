//! The app-level commands. Panels push commands while they draw; the app executes them at the end
//! of the frame, so no panel changes the document in the middle of another panel's drawing.

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers};

use super::selection::Selection;
use crate::edit::Edit;
use crate::plan::{Collection, Id, ObjectRef, Position};

/// Something the user asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum AppCommand {
    /// Start a new plan from the named template (asks about unsaved changes first).
    New(&'static str),
    /// Show the open-file dialog.
    OpenDialog,
    /// Ask for a path to open by typing it.
    OpenTypedPath,
    /// Open this file (asks about unsaved changes first).
    Open(PathBuf),
    /// Save to the document's file, or ask where when it has none.
    Save,
    /// Show the save-as dialog.
    SaveAsDialog,
    /// Ask for a path to save to by typing it.
    SaveAsTypedPath,
    /// Save to this file.
    SaveTo(PathBuf),
    /// Close the window (asks about unsaved changes first).
    Quit,
    /// Export: refuse a plan with errors, else ask for the repository folder (native dialog, or
    /// typed where there is none) and review what would change.
    ShowExport,
    /// Export: ask for the repository folder by typing it.
    ExportTypedPath,
    /// Export: write the reviewed files, all or nothing.
    WriteExport,
    /// Close the Export… window.
    CloseExport,
    /// Show or hide the export preview panel.
    TogglePreview,
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
    /// Undo the last step.
    Undo,
    /// Redo the last undone step.
    Redo,
    /// Add a service, at a canvas position or beside the others.
    AddService(Option<Position>),
    /// Add a new object of this kind (migration, environment, region, runbook).
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
    /// Wait for a click on the service the selected service should depend on.
    StartConnect,
    /// Delete the selected object.
    DeleteSelection,
    /// Ask for a new name for the selected service.
    RenameSelection,
    /// Select an object.
    Select(Selection),
    /// Select the object a diagnostic names and bring it into view.
    Reveal(ObjectRef),
    /// Zoom and pan so every service is visible.
    Fit,
    /// Zoom in or out around the canvas centre by a factor.
    Zoom(f32),
    /// Lay the services out in layers.
    AutoLayout,
    /// Restore the autosaved plan found at start.
    RestoreRecovery,
    /// Throw the autosaved plan away.
    DiscardRecovery,
}

/// A command with a keyboard shortcut, for the menus and the shortcut handler.
pub struct Shortcut {
    /// The keys.
    pub keys: KeyboardShortcut,
    /// The command they run.
    pub command: AppCommand,
    /// Whether the shortcut also works while a text field has keyboard focus.
    pub in_text: bool,
}

const CTRL: Modifiers = Modifiers::COMMAND;
const CTRL_SHIFT: Modifiers = Modifiers {
    alt: false,
    ctrl: false,
    shift: true,
    mac_cmd: false,
    command: true,
};

fn shortcut(modifiers: Modifiers, key: Key, command: AppCommand, in_text: bool) -> Shortcut {
    Shortcut {
        keys: KeyboardShortcut::new(modifiers, key),
        command,
        in_text,
    }
}

/// Every shortcut. Longer combinations come first, so Ctrl+Shift+S is not taken for Ctrl+S.
pub fn shortcuts() -> Vec<Shortcut> {
    vec![
        shortcut(CTRL_SHIFT, Key::S, AppCommand::SaveAsDialog, true),
        shortcut(CTRL_SHIFT, Key::Z, AppCommand::Redo, false),
        shortcut(CTRL_SHIFT, Key::Y, AppCommand::TogglePreview, true),
        shortcut(CTRL, Key::N, AppCommand::New("starter"), true),
        shortcut(CTRL, Key::O, AppCommand::OpenDialog, true),
        shortcut(CTRL, Key::S, AppCommand::Save, true),
        shortcut(CTRL, Key::E, AppCommand::ShowExport, true),
        shortcut(CTRL, Key::Z, AppCommand::Undo, false),
        shortcut(CTRL, Key::Y, AppCommand::Redo, false),
        shortcut(
            Modifiers::NONE,
            Key::Delete,
            AppCommand::DeleteSelection,
            false,
        ),
        shortcut(Modifiers::NONE, Key::A, AppCommand::AddService(None), false),
        shortcut(Modifiers::NONE, Key::C, AppCommand::StartConnect, false),
        shortcut(Modifiers::NONE, Key::F, AppCommand::Fit, false),
        shortcut(Modifiers::NONE, Key::L, AppCommand::AutoLayout, false),
        shortcut(Modifiers::NONE, Key::F2, AppCommand::RenameSelection, false),
    ]
}

/// The shortcut text for a command, for menus ("Ctrl+S").
pub fn shortcut_text(ctx: &egui::Context, command: &AppCommand) -> Option<String> {
    shortcuts()
        .into_iter()
        .find(|s| &s.command == command)
        .map(|s| ctx.format_shortcut(&s.keys))
}

/// The commands whose shortcuts were pressed this frame. Single keys and undo/redo are left to a text
/// field that has keyboard focus (so typing "a" types, and Ctrl+Z undoes typing).
pub fn pressed(ctx: &egui::Context) -> Vec<AppCommand> {
    let typing = ctx.egui_wants_keyboard_input();
    let mut commands = Vec::new();
    ctx.input_mut(|input| {
        for s in shortcuts() {
            if (s.in_text || !typing) && input.consume_shortcut(&s.keys) {
                commands.push(s.command);
            }
        }
    });
    commands
}
