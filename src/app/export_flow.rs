//! The Export… flow: refuse a plan with errors, ask for the repository folder (the native folder
//! dialog, or a typed path where there is none), review what would change there, then write all the
//! files or none and report what happened. The export itself is [`crate::export::export`]; the app only
//! decides when to run it and shows the result.

use std::path::{Path, PathBuf};

use super::export_dialog::ExportDialog;
use super::files::{self, PathPurpose};
use super::{CutoverApp, export_review};
use crate::analysis::Severity;
use crate::export::{ExportError, Target, export};

impl CutoverApp {
    /// Starts an export: a refusal for a plan with errors, else the folder question.
    pub(super) fn show_export(&mut self, typed: bool) {
        self.export = None;
        let analysis = self.document.current_analysis();
        if analysis.has_errors() {
            let errors = analysis
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .cloned()
                .collect();
            self.export = Some(ExportDialog::refused(
                self.document.plan().name.clone(),
                self.document.content_revision(),
                errors,
            ));
            return;
        }
        let start = self.export_folder_suggestion();
        if !typed {
            match files::pick_export_folder(start.as_deref()) {
                Ok(Some(folder)) => return self.review_export(folder),
                Ok(None) => return,
                Err(files::NoDialog) => {}
            }
        }
        let initial = start.map_or_else(String::new, |folder| {
            let text = folder.display().to_string();
            if text.ends_with('/') {
                text
            } else {
                format!("{text}/")
            }
        });
        self.dialogs.ask_path(PathPurpose::ExportInto, initial);
    }

    /// Exports the plan and shows what writing it into `folder` would do.
    pub(super) fn review_export(&mut self, folder: PathBuf) {
        let plan = self.document.plan();
        let name = plan.name.clone();
        let revision = self.document.content_revision();
        let dialog = match export(plan, Target::All) {
            Err(ExportError::PlanHasErrors(errors)) => {
                ExportDialog::refused(name, revision, errors)
            }
            Err(error) => ExportDialog::unavailable(
                name,
                revision,
                folder,
                format!("The pipelines could not be generated: {error}"),
            ),
            Ok(export) => match export_review::review(&folder, &name, export.files) {
                Ok(review) => ExportDialog::review(name, revision, folder, review),
                Err(error) => ExportDialog::unavailable(
                    name,
                    revision,
                    folder,
                    format!("The folder could not be read: {error}"),
                ),
            },
        };
        self.export = Some(dialog);
    }

    /// Writes the reviewed files, all or nothing, and shows what happened.
    pub(super) fn write_export(&mut self) {
        let Some(dialog) = &self.export else {
            return;
        };
        if dialog.revision() != self.document.content_revision() {
            // The plan changed since the review: show the new review rather than write unseen files.
            if let Some(folder) = dialog.folder().map(Path::to_path_buf) {
                self.review_export(folder);
            }
            return;
        }
        let Some((folder, files)) = dialog.files_to_write() else {
            return;
        };
        let result = export_review::write(&folder, dialog.plan_name(), &files);
        let Some(dialog) = &mut self.export else {
            return;
        };
        match result {
            Ok(report) => {
                let written = files.into_iter().map(|file| file.path).zip(report.statuses);
                dialog.written(written.collect(), report.removed);
                self.remember_export_folder(&folder);
                self.set_status(format!("Exported into {}", folder.display()), false);
            }
            Err(error) => {
                dialog.write_failed(error.to_string());
                self.set_status("The export failed; nothing was written", true);
            }
        }
    }

    /// Where the folder question starts: the folder this plan was last exported into, else this
    /// session's last export folder, else the plan's own folder.
    fn export_folder_suggestion(&self) -> Option<PathBuf> {
        let plan_path = self.document.path();
        plan_path
            .and_then(|p| self.settings.export_folder(p))
            .map(Path::to_path_buf)
            .or_else(|| self.session_export_folder.clone())
            .or_else(|| plan_path.and_then(Path::parent).map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
    }

    /// Remembers `folder` for this plan and for this session.
    fn remember_export_folder(&mut self, folder: &Path) {
        self.session_export_folder = Some(folder.to_path_buf());
        if let Some(plan) = self.document.path().map(Path::to_path_buf) {
            self.settings.remember_export_folder(&plan, folder);
        }
    }
}
