//! The file side of the app: new, open, save, unsaved-changes questions, autosave and recovery, the
//! window title and closing.

use std::path::Path;

use super::document::Document;
use super::files::{self, Answer, PathPurpose, Pending};
use super::{AUTOSAVE_SECONDS, CutoverApp};
use crate::edit::{Edit, Object};
use crate::plan::Collection;
use crate::plan::templates;
use crate::storage;

impl CutoverApp {
    /// Runs `pending` now, or first asks about unsaved changes.
    pub(super) fn guard(&mut self, ctx: &egui::Context, pending: Pending) {
        if self.document.is_dirty() {
            self.dialogs.unsaved = Some(pending);
        } else {
            self.proceed(ctx, pending);
        }
    }

    /// Runs `pending` now that unsaved changes are dealt with.
    pub(super) fn proceed(&mut self, ctx: &egui::Context, pending: Pending) {
        match pending {
            Pending::New(template) => {
                match templates::by_name(template, "untitled") {
                    Some(Ok(plan)) => self.replace_document(Document::new(plan, None)),
                    Some(Err(error)) => self.dialogs.error = Some(error.to_string()),
                    None => self.dialogs.error = Some(format!("There is no template `{template}`")),
                }
                self.laid_out_if_needed();
            }
            Pending::Open(path) => {
                self.open_now(&path);
            }
            Pending::OpenDialog => match files::pick_plan_to_open() {
                Ok(Some(path)) => {
                    self.open_now(&path);
                }
                Ok(None) => {}
                Err(files::NoDialog) => self.ask_open_path(),
            },
            Pending::OpenTypedPath => self.ask_open_path(),
            Pending::Quit => {
                self.forget_recovery();
                self.quitting = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    /// Asks for a path to open, starting in the plan's folder.
    pub(super) fn ask_open_path(&mut self) {
        let initial = self
            .document
            .path()
            .and_then(Path::parent)
            .map(|p| format!("{}/", p.display()))
            .unwrap_or_default();
        self.dialogs.ask_path(PathPurpose::Open, initial);
    }

    /// Asks for a path to save to, prefilled with the plan's file or name.
    pub(super) fn ask_save_path(&mut self) {
        let initial = self.document.path().map_or_else(
            || storage::plan_file_name(&self.document.plan().name),
            |p| p.display().to_string(),
        );
        self.dialogs.ask_path(PathPurpose::SaveAs, initial);
    }

    /// Opens `path` as the document; reports failure and keeps the current document.
    pub(super) fn open_now(&mut self, path: &Path) -> bool {
        match storage::load_plan(path) {
            Ok(plan) => {
                self.replace_document(Document::new(plan, Some(path.to_path_buf())));
                self.settings.remember(path);
                self.laid_out_if_needed();
                self.set_status(format!("Opened {}", path.display()), false);
                true
            }
            Err(error) => {
                self.dialogs.error = Some(format!("Could not open the plan.\n\n{error}"));
                false
            }
        }
    }

    /// Makes `document` the open one, with nothing selected and no autosave.
    pub(super) fn replace_document(&mut self, document: Document) {
        self.document = document;
        self.selection = None;
        // An id half typed for an object of the old plan must not rename one of the new plan's.
        self.id_draft = None;
        self.document_serial += 1;
        self.autosaved_revision = None;
        self.forget_recovery();
    }

    /// Saves to the document's file, or asks where when it has none.
    pub(super) fn save(&mut self) {
        match self.document.path().map(Path::to_path_buf) {
            Some(path) => {
                self.save_to(&path);
            }
            None => self.save_as_dialog(),
        }
    }

    /// Asks where to save with the native dialog, or by a typed path where there is none.
    pub(super) fn save_as_dialog(&mut self) {
        let name = storage::plan_file_name(&self.document.plan().name);
        match files::pick_plan_to_save(&name) {
            Ok(Some(path)) => {
                self.save_to(&path);
            }
            Ok(None) => self.after_save = None,
            Err(files::NoDialog) => self.ask_save_path(),
        }
    }

    /// Saves the plan to `path`; returns whether it was written.
    pub(super) fn save_to(&mut self, path: &Path) -> bool {
        match storage::save_plan(path, self.document.plan()) {
            Ok(()) => {
                self.document.mark_saved(path.to_path_buf());
                self.settings.remember(path);
                self.forget_recovery();
                self.set_status(format!("Saved {}", path.display()), false);
                true
            }
            Err(error) => {
                self.after_save = None;
                self.dialogs.error = Some(format!("Could not save the plan.\n\n{error}"));
                false
            }
        }
    }

    /// Acts on the answer to a modal question.
    pub(super) fn answer(&mut self, ctx: &egui::Context, answer: Answer) {
        match answer {
            Answer::Path(PathPurpose::Open, path) => {
                self.open_now(&path);
            }
            Answer::Path(PathPurpose::SaveAs, path) => {
                let pending = self.after_save.take();
                if self.save_to(&path) {
                    if let Some(pending) = pending {
                        self.proceed(ctx, pending);
                    }
                } else {
                    // Ask again once the error is read, with what was typed, to correct it.
                    self.after_save = pending;
                    self.dialogs
                        .ask_path(PathPurpose::SaveAs, path.display().to_string());
                }
            }
            Answer::Path(PathPurpose::ExportInto, folder) => self.review_export(ctx, folder),
            Answer::Path(PathPurpose::SaveGraph, path) => self.write_graph(&path),
            Answer::PathCancelled => self.after_save = None,
            Answer::SaveFirst(pending) => {
                self.after_save = Some(pending);
                self.save();
                if !self.document.is_dirty()
                    && let Some(pending) = self.after_save.take()
                {
                    self.proceed(ctx, pending);
                }
            }
            Answer::Discard(pending) => {
                self.forget_recovery();
                // The changes are given up: the document counts as clean so the action does not ask again.
                let plan = self.document.plan().clone();
                let path = self.document.path().map(Path::to_path_buf);
                self.document = Document::new(plan, path);
                self.proceed(ctx, pending);
            }
            Answer::Restore => {
                if let Some(offered) = self.offered_recovery.take() {
                    match storage::read_recovery(&offered) {
                        Ok(Some(found)) => {
                            let mut document = Document::new(found.plan, found.origin);
                            document.mark_unsaved();
                            self.document = document;
                            self.selection = None;
                            self.id_draft = None;
                            self.document_serial += 1;
                            // This window carries on autosaving into the file it restored.
                            self.recovery_file = Some(offered);
                            self.canvas.request_fit();
                            self.set_status(
                                "Restored the autosaved plan; save it to keep it",
                                false,
                            );
                        }
                        Ok(None) => self.set_status("The autosaved plan is gone", true),
                        Err(error) => self.dialogs.error = Some(error.to_string()),
                    }
                }
            }
            Answer::DiscardRecovery => {
                if let Some(offered) = self.offered_recovery.take()
                    && let Err(error) = storage::remove_recovery(&offered)
                {
                    self.set_status(format!("Could not remove the autosave: {error}"), true);
                }
            }
            Answer::Rename(id, name) => {
                let plan = self.document.plan();
                if let Some(index) = Collection::Service.index_of(plan, &id) {
                    let mut service = plan.services[index].clone();
                    service.name = name;
                    let edit = Edit::Set {
                        index,
                        object: Object::Service(service),
                    };
                    self.apply(edit, "Rename service", None);
                }
            }
        }
    }

    /// Removes this window's autosave (after a clean save, a discard, or opening another plan);
    /// the one offered at start stays until the offer is answered.
    pub(super) fn forget_recovery(&mut self) {
        if let Some(file) = self.recovery_file.take()
            && let Err(error) = storage::remove_recovery(&file)
        {
            self.set_status(format!("Could not remove the autosave: {error}"), true);
        }
        self.autosaved_revision = None;
    }

    /// Writes the autosave every few seconds while there are unsaved changes, into the open plan's
    /// own recovery file.
    pub(super) fn autosave(&mut self, ctx: &egui::Context) {
        let Some(base) = &self.recovery_path else {
            return;
        };
        // While the offer to restore is open, the autosave on disk is the user's only copy.
        if self.dialogs.recovery.is_some() || !self.document.is_dirty() {
            return;
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_SECONDS));
        let now = ctx.input(|i| i.time);
        if self.autosaved_revision == Some(self.document.revision())
            || now - self.last_autosave < AUTOSAVE_SECONDS
        {
            return;
        }
        let file = self
            .recovery_file
            .get_or_insert_with(|| {
                storage::recovery_file(base, self.document.path(), &self.session)
            })
            .clone();
        match storage::write_recovery(&file, self.document.plan(), self.document.path()) {
            Ok(()) => {
                self.autosaved_revision = Some(self.document.revision());
                self.last_autosave = now;
            }
            Err(error) => {
                self.last_autosave = now;
                self.set_status(format!("Autosave failed: {error}"), true);
            }
        }
    }

    /// Writes the autosave now if there are unsaved changes (tests, and before a risky operation).
    pub fn autosave_now(&mut self) {
        self.last_autosave = f64::NEG_INFINITY;
        self.autosaved_revision = None;
    }

    /// Asks about unsaved changes before the window closes.
    pub(super) fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.quitting {
            if self.document.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.dialogs.unsaved = Some(Pending::Quit);
            } else {
                self.forget_recovery();
            }
        }
    }

    /// Sets the window title: the file name, with a marker while there are unsaved changes.
    pub(super) fn update_title(&mut self, ctx: &egui::Context) {
        let marker = if self.document.is_dirty() { "● " } else { "" };
        let title = format!("{marker}{} — Cutover", self.document.display_name());
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}
