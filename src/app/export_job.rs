//! The export review made on a worker thread: generating every file and comparing it with the folder
//! takes long on a large plan (a third of a second at 1,000 services), so the Export… window shows
//! that it is preparing while the UI goes on, and the worker wakes the UI when it is done.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::document::Revision;
use super::export_dialog::ExportDialog;
use super::export_review;
use crate::export::{ExportError, Target, export};
use crate::plan::Plan;

/// A review being prepared.
pub struct ReviewJob {
    revision: Revision,
    folder: PathBuf,
    receiver: Receiver<ExportDialog>,
}

impl ReviewJob {
    /// Starts preparing the review of exporting `plan` (at `revision`) into `folder`; the worker
    /// asks `ctx` for a frame when it is done. Without a thread to be had, the review is made here
    /// and returned at once.
    pub fn spawn(
        ctx: &egui::Context,
        plan: &Plan,
        revision: Revision,
        folder: PathBuf,
    ) -> Result<ReviewJob, Box<ExportDialog>> {
        let (sender, receiver) = mpsc::channel();
        let copy = plan.clone();
        let wake = ctx.clone();
        let target = folder.clone();
        let started = std::thread::Builder::new()
            .name("cutover-export-review".to_owned())
            .spawn(move || {
                // The receiver is gone only if the window closed; then nobody needs the review.
                sender.send(prepare(&copy, revision, target)).ok();
                wake.request_repaint();
            });
        match started {
            Ok(_) => Ok(ReviewJob {
                revision,
                folder,
                receiver,
            }),
            Err(_) => Err(Box::new(prepare(plan, revision, folder))),
        }
    }

    /// Whether this job reviews exporting the plan at `revision` into `folder`.
    pub fn is_for(&self, revision: Revision, folder: &std::path::Path) -> bool {
        self.revision == revision && self.folder == folder
    }

    /// The finished review, if the worker is done (a worker that died gives a window saying so).
    pub fn poll(&self, plan_name: &str) -> Option<ExportDialog> {
        match self.receiver.try_recv() {
            Ok(dialog) => Some(dialog),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(ExportDialog::unavailable(
                plan_name.to_owned(),
                self.revision,
                self.folder.clone(),
                "The review stopped unexpectedly (a bug in Cutover); nothing was written."
                    .to_owned(),
            )),
        }
    }
}

/// Exports `plan` and reviews what writing it into `folder` would do, as the window to show.
pub fn prepare(plan: &Plan, revision: Revision, folder: PathBuf) -> ExportDialog {
    let name = plan.name.clone();
    match export(plan, Target::All) {
        Err(ExportError::PlanHasErrors(errors)) => ExportDialog::refused(name, revision, errors),
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
    }
}
