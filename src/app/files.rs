//! File dialogs and the app's modal questions: typing a path, unsaved changes, restoring autosaved
//! work, renaming a service, and error messages.
//!
//! Native dialogs come from rfd. Where none can be shown (no desktop portal and no zenity, as on CI
//! machines and bare window managers) rfd returns nothing at once, just as for Cancel; a dialog that
//! "closed" faster than a person could cancel it is taken as missing, and the path is asked for in a
//! small window instead. The typed-path entries are always in the File menu too.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui::{Key, RichText};

use crate::plan::Id;
use crate::storage::Recovered;

/// Faster than this, a dialog that returned nothing was never shown.
const NO_DIALOG: Duration = Duration::from_millis(250);

/// What a typed path is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPurpose {
    /// Open the file.
    Open,
    /// Save the plan to the file.
    SaveAs,
    /// Export into the folder.
    ExportInto,
    /// Save the service graph as SVG to the file.
    SaveGraph,
}

/// Something to do once unsaved changes are dealt with.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// Start a plan from this template.
    New(&'static str),
    /// Open this file.
    Open(PathBuf),
    /// Show the open dialog.
    OpenDialog,
    /// Ask for a path to open.
    OpenTypedPath,
    /// Close the app.
    Quit,
}

/// The answer to a modal question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A path was typed.
    Path(PathPurpose, PathBuf),
    /// Asking for a path was cancelled.
    PathCancelled,
    /// Save the changes, then go on.
    SaveFirst(Pending),
    /// Throw the changes away, then go on.
    Discard(Pending),
    /// Restore the autosaved plan.
    Restore,
    /// Throw the autosaved plan away.
    DiscardRecovery,
    /// Give the service a new name.
    Rename(Id, String),
}

/// The state of the modal windows.
#[derive(Default)]
pub struct Dialogs {
    /// Asking for a path.
    pub path: Option<(PathPurpose, String)>,
    /// Asking what to do with unsaved changes before `Pending`.
    pub unsaved: Option<Pending>,
    /// Offering autosaved work found at start.
    pub recovery: Option<Recovered>,
    /// Asking for a service's new name.
    pub rename: Option<(Id, String)>,
    /// An error to show.
    pub error: Option<String>,
}

impl Dialogs {
    /// Whether a modal window is open (shortcuts are off meanwhile).
    pub fn any_open(&self) -> bool {
        self.path.is_some()
            || self.unsaved.is_some()
            || self.recovery.is_some()
            || self.rename.is_some()
            || self.error.is_some()
    }

    /// Starts asking for a path, prefilled with `initial`.
    pub fn ask_path(&mut self, purpose: PathPurpose, initial: String) {
        self.path = Some((purpose, initial));
    }

    /// Draws whichever modal is open; returns the answer given this frame.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<Answer> {
        if self.error.is_some() {
            self.error_ui(ctx);
            None
        } else if self.recovery.is_some() {
            self.recovery_ui(ctx)
        } else if self.unsaved.is_some() {
            self.unsaved_ui(ctx)
        } else if self.path.is_some() {
            self.path_ui(ctx)
        } else {
            self.rename_ui(ctx)
        }
    }

    /// The error message, until OK or Escape.
    fn error_ui(&mut self, ctx: &egui::Context) {
        let Some(message) = &self.error else {
            return;
        };
        let mut close = false;
        egui::Modal::new(egui::Id::new("error")).show(ctx, |ui| {
            ui.set_max_width(520.0);
            ui.heading("Something went wrong");
            ui.label(message);
            close = ui.button("OK").clicked() || escape(ui) || enter(ui);
        });
        if close {
            self.error = None;
        }
    }

    /// The offer to restore autosaved work.
    fn recovery_ui(&mut self, ctx: &egui::Context) -> Option<Answer> {
        let recovered = self.recovery.as_ref()?;
        let mut answer = None;
        egui::Modal::new(egui::Id::new("recovery")).show(ctx, |ui| {
            ui.set_max_width(480.0);
            ui.heading("Restore unsaved work?");
            let origin = recovered.origin.as_ref().map_or_else(
                || "a plan that was never saved".to_owned(),
                |p| p.display().to_string(),
            );
            ui.label(format!(
                "Cutover stopped before “{}” ({origin}) was saved. Its autosaved copy can be restored.",
                recovered.plan.name
            ));
            ui.horizontal(|ui| {
                if ui.button("Restore").on_hover_text("Enter").clicked() || enter(ui) {
                    answer = Some(Answer::Restore);
                }
                if ui.button("Discard autosave").clicked() {
                    answer = Some(Answer::DiscardRecovery);
                }
            });
        });
        if answer.is_some() {
            self.recovery = None;
        }
        answer
    }

    /// The question what to do with unsaved changes before the pending action.
    fn unsaved_ui(&mut self, ctx: &egui::Context) -> Option<Answer> {
        let pending = self.unsaved.as_ref()?;
        let mut answer = None;
        let mut cancel = false;
        egui::Modal::new(egui::Id::new("unsaved")).show(ctx, |ui| {
            ui.heading("Save changes?");
            ui.label("The plan has changes that are not saved.");
            ui.horizontal(|ui| {
                if ui.button("Save").on_hover_text("Enter").clicked() || enter(ui) {
                    answer = Some(Answer::SaveFirst(pending.clone()));
                }
                if ui.button("Discard").clicked() {
                    answer = Some(Answer::Discard(pending.clone()));
                }
                cancel = cancelled(ui);
            });
        });
        if answer.is_some() || cancel {
            self.unsaved = None;
        }
        answer
    }

    /// The typed path, for opening, saving or exporting.
    fn path_ui(&mut self, ctx: &egui::Context) -> Option<Answer> {
        let (purpose, text) = self.path.as_mut()?;
        let purpose = *purpose;
        let (heading, label, hint, ok) = purpose.texts();
        let mut answer = None;
        let mut cancel = false;
        egui::Modal::new(egui::Id::new("path")).show(ctx, |ui| {
            ui.set_min_width(480.0);
            ui.heading(heading);
            let label = ui.label(label);
            let field = egui::TextEdit::singleline(text)
                .desired_width(f32::INFINITY)
                .hint_text(hint);
            let entered = focused_field(ui, field, label.id);
            ui.horizontal(|ui| {
                if (ui.button(ok).clicked() || entered) && !text.trim().is_empty() {
                    answer = Some(Answer::Path(purpose, PathBuf::from(text.trim())));
                }
                cancel = cancelled(ui);
            });
        });
        if cancel && answer.is_none() {
            answer = Some(Answer::PathCancelled);
        }
        if answer.is_some() {
            self.path = None;
        }
        answer
    }

    /// The new name for a service.
    fn rename_ui(&mut self, ctx: &egui::Context) -> Option<Answer> {
        let (id, name) = self.rename.as_mut()?;
        let mut answer = None;
        let mut cancel = false;
        egui::Modal::new(egui::Id::new("rename")).show(ctx, |ui| {
            ui.heading(RichText::new(format!("Rename service `{id}`")));
            let label = ui.label("New name");
            let field = egui::TextEdit::singleline(name).desired_width(320.0);
            let entered = focused_field(ui, field, label.id);
            ui.horizontal(|ui| {
                if ui.button("Rename").clicked() || entered {
                    answer = Some(Answer::Rename(id.clone(), name.clone()));
                }
                cancel = cancelled(ui);
            });
        });
        if answer.is_some() || cancel {
            self.rename = None;
        }
        answer
    }
}

impl PathPurpose {
    /// The path window's heading, field label, field hint and button for this purpose.
    fn texts(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            PathPurpose::Open => ("Open plan", "File path", PLAN_PATH_HINT, "Open"),
            PathPurpose::SaveAs => ("Save plan as", "File path", PLAN_PATH_HINT, "Save"),
            PathPurpose::ExportInto => (
                "Export into a repository folder",
                "Folder path",
                "/path/to/repository",
                "Review",
            ),
            PathPurpose::SaveGraph => (
                "Save the service graph as SVG",
                "File path",
                "/path/to/graph.svg",
                "Save",
            ),
        }
    }
}

/// The hint in a plan's path field.
const PLAN_PATH_HINT: &str = "/path/to/plan.ron";

/// Adds a text field labelled by `label` that takes the keyboard focus when shown; returns whether
/// Enter was pressed in it.
fn focused_field(ui: &mut egui::Ui, field: egui::TextEdit<'_>, label: egui::Id) -> bool {
    let field = ui.add(field).labelled_by(label);
    if !field.has_focus() && !field.lost_focus() {
        field.request_focus();
    }
    field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}

/// A Cancel button; returns whether it was clicked or Escape pressed.
fn cancelled(ui: &mut egui::Ui) -> bool {
    ui.button("Cancel").clicked() || escape(ui)
}

/// Whether Escape was pressed this frame.
fn escape(ui: &egui::Ui) -> bool {
    ui.input(|i| i.key_pressed(Key::Escape))
}

/// Whether Enter was pressed this frame (and no text field has the keyboard to take it).
fn enter(ui: &egui::Ui) -> bool {
    !ui.ctx().text_edit_focused() && ui.input(|i| i.key_pressed(Key::Enter))
}

/// No native file dialog could be shown (no desktop portal and no zenity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoDialog;

/// The native open dialog: the file chosen, `None` on Cancel, [`NoDialog`] when none could be shown.
pub fn pick_plan_to_open() -> Result<Option<PathBuf>, NoDialog> {
    let started = Instant::now();
    let picked = rfd::FileDialog::new()
        .set_title("Open plan")
        .add_filter("Cutover plan", &["ron"])
        .pick_file();
    shown_or_missing(picked, started)
}

/// The native save dialog suggesting `file_name`: the file chosen, `None` on Cancel, [`NoDialog`]
/// when none could be shown.
pub fn pick_plan_to_save(file_name: &str) -> Result<Option<PathBuf>, NoDialog> {
    let started = Instant::now();
    let picked = rfd::FileDialog::new()
        .set_title("Save plan as")
        .add_filter("Cutover plan", &["ron"])
        .set_file_name(file_name)
        .save_file();
    shown_or_missing(picked, started)
}

/// The native save dialog for the service graph's picture, suggesting `file_name`: the file chosen,
/// `None` on Cancel, [`NoDialog`] when none could be shown.
pub fn pick_graph_to_save(file_name: &str) -> Result<Option<PathBuf>, NoDialog> {
    let started = Instant::now();
    let picked = rfd::FileDialog::new()
        .set_title("Save the service graph as SVG")
        .add_filter("SVG picture", &["svg"])
        .set_file_name(file_name)
        .save_file();
    shown_or_missing(picked, started)
}

/// The native folder dialog for an export, starting in `start`: the folder chosen, `None` on Cancel,
/// [`NoDialog`] when none could be shown.
pub fn pick_export_folder(start: Option<&Path>) -> Result<Option<PathBuf>, NoDialog> {
    let started = Instant::now();
    let mut dialog = rfd::FileDialog::new().set_title("Export into a repository folder");
    if let Some(start) = start.filter(|p| p.is_dir()) {
        dialog = dialog.set_directory(start);
    }
    shown_or_missing(dialog.pick_folder(), started)
}

/// `picked`, or [`NoDialog`] when nothing was picked faster than a person could cancel.
fn shown_or_missing(
    picked: Option<PathBuf>,
    started: Instant,
) -> Result<Option<PathBuf>, NoDialog> {
    match picked {
        None if started.elapsed() < NO_DIALOG => Err(NoDialog),
        other => Ok(other),
    }
}
