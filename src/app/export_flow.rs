//! The Export… flow: refuse a plan with errors, ask for the repository folder (the native folder
//! dialog, or a typed path where there is none), review what would change there, then write all the
//! files or none and report what happened. The export itself is [`crate::export::export`]; the app only
//! decides when to run it and shows the result.

use std::path::{Path, PathBuf};

use super::CutoverApp;
use super::export_dialog::ExportDialog;
use super::export_job::ReviewJob;
use super::export_review;
use super::files::{self, PathPurpose};
use crate::analysis::Severity;

impl CutoverApp {
    /// Starts an export: a refusal for a plan with errors, else the folder question.
    pub(super) fn show_export(&mut self, ctx: &egui::Context, typed: bool) {
        self.export = None;
        let analysis = self.document.analysis();
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
                Ok(Some(folder)) => return self.review_export(ctx, folder),
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

    /// Shows the Export… window preparing the review of writing the plan into `folder`, and starts
    /// the worker that prepares it.
    pub(super) fn review_export(&mut self, ctx: &egui::Context, folder: PathBuf) {
        let plan = self.document.plan();
        let revision = self.document.content_revision();
        match ReviewJob::spawn(ctx, plan, revision, folder.clone()) {
            Ok(job) => {
                self.export = Some(ExportDialog::preparing(plan.name.clone(), revision, folder));
                self.export_job = Some(job);
            }
            Err(dialog) => {
                self.export = Some(*dialog);
                self.export_job = None;
            }
        }
    }

    /// Shows the review once its worker is done (unless the window was closed or another review
    /// started meanwhile).
    pub(super) fn collect_review(&mut self) {
        let Some(job) = &self.export_job else {
            return;
        };
        let Some(dialog) = job.poll(&self.document.plan().name) else {
            return;
        };
        let waiting = self.export.as_ref().is_some_and(|d| {
            d.is_preparing() && d.folder().is_some_and(|f| job.is_for(d.revision(), f))
        });
        if waiting {
            self.export = Some(dialog);
        }
        self.export_job = None;
    }

    /// Writes the reviewed files, all or nothing, and shows what happened.
    pub(super) fn write_export(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &self.export else {
            return;
        };
        if dialog.revision() != self.document.content_revision() {
            // The plan changed since the review: show the new review rather than write unseen files.
            if let Some(folder) = dialog.folder().map(Path::to_path_buf) {
                self.review_export(ctx, folder);
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
