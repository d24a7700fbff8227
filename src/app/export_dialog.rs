//! The Export… window: which files an export would create, change or leave unchanged in the chosen
//! repository folder, with the diff of each changed one, then what writing did (or why nothing was
//! written). A plan with errors gets a refusal listing them instead.
//!
//! The window only shows state and pushes commands (Export, Cancel, another folder); reviewing and
//! writing happen in the app's command execution.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use egui::{Color32, RichText, Ui};

use super::commands::Command;
use super::diagnostics::{DiagnosticList, Rows};
use super::document::Revision;
use super::export_review::{DiffRow, FileReview, Review};
use super::message::Message;
use crate::analysis::Diagnostic;
use crate::storage::{FileStatus, OutputFile, Recovery};

/// The widest the window gets.
const WIDTH: f32 = 780.0;
/// The tallest a diff gets before it scrolls.
const DIFF_HEIGHT: f32 = 280.0;
/// How many errors a refusal lists.
const LISTED_ERRORS: usize = 20;
/// The width of the status word in front of each file.
const STATUS_WIDTH: f32 = 80.0;
/// The colour of new files and added lines.
const ADDED: Color32 = Color32::from_rgb(60, 160, 90);
/// The colour of changed files.
const CHANGED: Color32 = Color32::from_rgb(215, 150, 30);
/// The colour of removed lines.
const REMOVED: Color32 = Color32::from_rgb(210, 70, 60);

/// Where the export stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// The files are being generated and compared with the folder, on a worker thread.
    Preparing,
    /// The plan has errors; nothing can be exported.
    Refused(Vec<Diagnostic>),
    /// The files could not be generated, or the folder not read.
    Unavailable(String),
    /// What writing would do; `write_error` says why the last attempt wrote nothing.
    Review {
        /// The files, and the stray files of earlier exports that writing removes.
        review: Review,
        /// Whether the folder exists yet (Export creates it).
        folder_exists: bool,
        /// Why the last attempt to write failed (nothing was written).
        write_error: Option<String>,
    },
    /// What writing did, file by file.
    Written {
        /// Each generated file and what happened to it.
        results: Vec<(String, FileStatus)>,
        /// The stray files of earlier exports that were removed.
        removed: Vec<String>,
    },
}

/// The state of the Export… window.
#[derive(Debug, Clone)]
pub struct ExportDialog {
    plan_name: String,
    folder: Option<PathBuf>,
    revision: Revision,
    stage: Stage,
    /// The changed files whose diff is open.
    expanded: BTreeSet<String>,
}

impl ExportDialog {
    /// A refusal: the plan (at `revision`) has these errors.
    pub fn refused(plan_name: String, revision: Revision, errors: Vec<Diagnostic>) -> Self {
        Self::new(plan_name, None, revision, Stage::Refused(errors))
    }

    /// No review could be made for `folder`, for the reason `message`.
    pub fn unavailable(
        plan_name: String,
        revision: Revision,
        folder: PathBuf,
        message: String,
    ) -> Self {
        Self::new(
            plan_name,
            Some(folder),
            revision,
            Stage::Unavailable(message),
        )
    }

    /// The window while the review of `folder` is being prepared from the plan at `revision`.
    pub fn preparing(plan_name: String, revision: Revision, folder: PathBuf) -> Self {
        Self::new(plan_name, Some(folder), revision, Stage::Preparing)
    }

    /// Whether the review is still being prepared.
    pub fn is_preparing(&self) -> bool {
        matches!(self.stage, Stage::Preparing)
    }

    /// The `review` of `folder`, made from the plan at `revision`.
    pub fn review(plan_name: String, revision: Revision, folder: PathBuf, review: Review) -> Self {
        let folder_exists = folder.is_dir();
        Self::new(
            plan_name,
            Some(folder),
            revision,
            Stage::Review {
                review,
                folder_exists,
                write_error: None,
            },
        )
    }

    /// A window for `plan_name` at `revision`, in `stage`, with no diff open.
    fn new(plan_name: String, folder: Option<PathBuf>, revision: Revision, stage: Stage) -> Self {
        Self {
            plan_name,
            folder,
            revision,
            stage,
            expanded: BTreeSet::new(),
        }
    }

    /// The repository folder.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// The plan's name.
    pub fn plan_name(&self) -> &str {
        &self.plan_name
    }

    /// The plan revision the window describes.
    pub fn revision(&self) -> Revision {
        self.revision
    }

    /// Where the export stands.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// The folder and the files to write, when the window shows a review.
    pub fn files_to_write(&self) -> Option<(PathBuf, Vec<OutputFile>)> {
        let (Some(folder), Stage::Review { review, .. }) = (&self.folder, &self.stage) else {
            return None;
        };
        let files = review
            .files
            .iter()
            .map(|f| OutputFile {
                path: f.path.clone(),
                contents: f.contents.clone(),
                executable: f.executable,
            })
            .collect();
        Some((folder.clone(), files))
    }

    /// Records that writing did this to each file, and removed these stray files.
    pub fn written(&mut self, results: Vec<(String, FileStatus)>, removed: Vec<String>) {
        self.stage = Stage::Written { results, removed };
    }

    /// Records that writing failed and wrote nothing; the review stays for another try.
    pub fn write_failed(&mut self, message: String) {
        if let Stage::Review { write_error, .. } = &mut self.stage {
            *write_error = Some(message);
        }
    }

    /// Draws the window; its buttons push commands.
    pub fn ui(&mut self, ctx: &egui::Context, out: &mut Vec<Message>) {
        // Anchored at the top, not centred: when a diff opens the window grows downwards only,
        // instead of jumping up and down while it settles.
        let id = egui::Id::new("export");
        let area = egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, [0.0, 48.0]);
        egui::Modal::new(id).area(area).show(ctx, |ui| {
            ui.set_width(WIDTH.min(ctx.content_rect().width() - 60.0).max(240.0));
            ui.heading(format!("Export “{}”", self.plan_name));
            if let Some(folder) = &self.folder {
                ui.horizontal(|ui| {
                    ui.label("Into");
                    ui.label(RichText::new(folder.display().to_string()).monospace());
                });
            }
            ui.add_space(6.0);
            let max_list = (ctx.content_rect().height() - 300.0).max(160.0);
            match &self.stage {
                Stage::Preparing => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Generating the pipelines and comparing them with the folder…");
                    });
                    ui.add_space(6.0);
                    close(ui, "Cancel", out);
                }
                Stage::Refused(errors) => refused_ui(ui, errors, out),
                Stage::Unavailable(message) => {
                    ui.label(RichText::new(message).color(ui.visuals().error_fg_color));
                    ui.add_space(6.0);
                    ui.horizontal(|ui| {
                        another_folder(ui, out);
                        close(ui, "Close", out);
                    });
                }
                Stage::Review {
                    review,
                    folder_exists,
                    write_error,
                } => {
                    if !folder_exists {
                        ui.weak("The folder does not exist yet; Export creates it.");
                    }
                    if let Some(recovered) = review.recovered {
                        ui.label(recovery_text(recovered));
                    }
                    review_ui(
                        ui,
                        review,
                        write_error.as_deref(),
                        &mut self.expanded,
                        max_list,
                        out,
                    );
                }
                Stage::Written { results, removed } => {
                    written_ui(ui, results, removed, max_list, out);
                }
            }
            // Escape closes the window; so does Enter once there is nothing left to confirm (Enter
            // never writes files: the review's Export button must be clicked).
            let finished = !matches!(self.stage, Stage::Review { .. });
            if ui.input(|i| {
                i.key_pressed(egui::Key::Escape) || (finished && i.key_pressed(egui::Key::Enter))
            }) {
                out.push(Message::CloseExport);
            }
        });
    }
}

/// A button labelled `text` that closes the window.
fn close(ui: &mut Ui, text: &str, out: &mut Vec<Message>) {
    if ui.button(text).clicked() {
        out.push(Message::CloseExport);
    }
}

/// A button that starts the export again with another folder.
fn another_folder(ui: &mut Ui, out: &mut Vec<Message>) {
    if ui.button("Choose another folder…").clicked() {
        out.push(Message::Command(Command::Export));
    }
}

/// The refusal: the plan's errors, each revealing its object (and closing the window) when clicked.
fn refused_ui(ui: &mut Ui, errors: &[Diagnostic], out: &mut Vec<Message>) {
    let message = match errors.len() {
        1 => "The plan has 1 error, so nothing can be exported. Fix it first.".to_owned(),
        n => format!("The plan has {n} errors, so nothing can be exported. Fix them first."),
    };
    ui.label(
        RichText::new(message)
            .strong()
            .color(ui.visuals().error_fg_color),
    );
    ui.weak("Nothing was written. Click an error to select what it is about.");
    if DiagnosticList::new(Rows::Inline, errors)
        .limit(LISTED_ERRORS)
        .show(ui, out)
    {
        out.push(Message::CloseExport);
    }
    ui.add_space(6.0);
    close(ui, "Close", out);
}

/// What the review found of an export that was interrupted in the folder.
fn recovery_text(recovered: Recovery) -> String {
    let what = match recovered {
        Recovery::Completed => "was completed: its new files stay",
        Recovery::Undone => "was undone: the files before it are back",
    };
    format!("An interrupted export into this folder {what}.")
}

/// One row of a file list: a status word in its colour, then the path.
fn file_row(ui: &mut Ui, word: &str, colour: Color32, path: &str) {
    ui.add_sized(
        [STATUS_WIDTH, ui.spacing().interact_size.y],
        egui::Label::new(RichText::new(word).color(colour).strong()),
    );
    ui.label(RichText::new(path).monospace());
}

/// The colour and word of a status before writing.
fn planned(status: FileStatus) -> (&'static str, Color32) {
    match status {
        FileStatus::Created => ("new", ADDED),
        FileStatus::Changed => ("changed", CHANGED),
        FileStatus::Unchanged => ("unchanged", Color32::GRAY),
    }
}

/// The colour and word of a status after writing.
fn done(status: FileStatus) -> (&'static str, Color32) {
    match status {
        FileStatus::Created => ("created", ADDED),
        FileStatus::Changed => ("updated", CHANGED),
        FileStatus::Unchanged => ("unchanged", Color32::GRAY),
    }
}

/// How many of `statuses` are `status`.
fn count(statuses: impl Iterator<Item = FileStatus>, status: FileStatus) -> usize {
    statuses.filter(|s| *s == status).count()
}

/// The review: what writing would do to each file, with diffs, and Export, Cancel and another folder.
fn review_ui(
    ui: &mut Ui,
    review: &Review,
    write_error: Option<&str>,
    expanded: &mut BTreeSet<String>,
    max_height: f32,
    out: &mut Vec<Message>,
) {
    let files = &review.files;
    let statuses = || files.iter().map(|f| f.status);
    let (created, changed, unchanged) = (
        count(statuses(), FileStatus::Created),
        count(statuses(), FileStatus::Changed),
        count(statuses(), FileStatus::Unchanged),
    );
    let removed = match review.strays.len() {
        0 => String::new(),
        n => format!(", {n} to remove (an earlier export wrote them; this plan no longer does)"),
    };
    ui.label(format!(
        "{} files: {created} to create, {changed} to change, {unchanged} unchanged{removed}. Nothing is written until you press Export; then all of it is done, or none.",
        files.len()
    ));
    if let Some(error) = write_error {
        ui.label(
            RichText::new(format!("Nothing was written: {error}"))
                .color(ui.visuals().error_fg_color),
        );
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("export-files")
        .max_height(max_height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for stray in &review.strays {
                ui.horizontal(|ui| file_row(ui, "remove", REMOVED, stray));
            }
            for file in files {
                let (word, colour) = planned(file.status);
                ui.horizontal(|ui| {
                    file_row(ui, word, colour, &file.path);
                    if file.status == FileStatus::Changed {
                        ui.label(RichText::new(format!("+{}", file.added)).color(ADDED));
                        ui.label(RichText::new(format!("-{}", file.removed)).color(REMOVED));
                        let open = expanded.contains(&file.path);
                        let text = if open { "Hide diff" } else { "Show diff" };
                        if ui.small_button(text).on_hover_text(&file.path).clicked() {
                            if open {
                                expanded.remove(&file.path);
                            } else {
                                expanded.insert(file.path.clone());
                            }
                        }
                    }
                });
                if file.status == FileStatus::Changed && expanded.contains(&file.path) {
                    diff_ui(ui, file);
                }
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        if ui
            .button("Export")
            .on_hover_text("Write every new and changed file, or none if any fails")
            .clicked()
        {
            out.push(Message::WriteExport);
        }
        close(ui, "Cancel", out);
        another_folder(ui, out);
    });
}

/// A changed file's diff, scrolled on its own, laying out only the rows on screen.
fn diff_ui(ui: &mut Ui, file: &FileReview) {
    let weak = ui.visuals().weak_text_color();
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
    // A height known before the rows are laid out, so the window does not grow row by row.
    let height =
        (file.rows.len() as f32 * (row_height + ui.spacing().item_spacing.y)).min(DIFF_HEIGHT);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        egui::ScrollArea::both()
            .id_salt(("export-diff", &file.path))
            .min_scrolled_height(height)
            .max_height(height)
            .auto_shrink([false, false])
            .show_rows(ui, row_height, file.rows.len(), |ui, range| {
                for row in &file.rows[range] {
                    let (text, colour) = match row {
                        DiffRow::Same(line) => (format!("  {line}"), weak),
                        DiffRow::Removed(line) => (format!("- {line}"), REMOVED),
                        DiffRow::Added(line) => (format!("+ {line}"), ADDED),
                        DiffRow::Skipped(n) => (format!("… {n} unchanged lines"), weak),
                    };
                    ui.add(
                        egui::Label::new(RichText::new(text).monospace().color(colour)).extend(),
                    );
                }
            });
    });
}

/// What writing did to each file.
fn written_ui(
    ui: &mut Ui,
    results: &[(String, FileStatus)],
    removed: &[String],
    max_height: f32,
    out: &mut Vec<Message>,
) {
    let statuses = || results.iter().map(|(_, s)| *s);
    ui.label(
        RichText::new(format!(
            "Exported {} files: {} created, {} updated, {} unchanged (not touched), {} removed.",
            results.len(),
            count(statuses(), FileStatus::Created),
            count(statuses(), FileStatus::Changed),
            count(statuses(), FileStatus::Unchanged),
            removed.len(),
        ))
        .strong(),
    );
    ui.separator();
    egui::ScrollArea::vertical()
        .id_salt("export-written")
        .max_height(max_height)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for path in removed {
                ui.horizontal(|ui| file_row(ui, "removed", REMOVED, path));
            }
            for (path, status) in results {
                let (word, colour) = done(*status);
                ui.horizontal(|ui| file_row(ui, word, colour, path));
            }
        });
    ui.separator();
    close(ui, "Close", out);
}
