//! The preview of what an export writes: the generated files of the open plan, kept per content
//! revision of the document (like the document's cached analysis) and regenerated only when the
//! plan's content changed, and only while the panel is shown.
//!
//! A small plan regenerates at once, in the frame after the edit (so does the first export, before
//! any has been timed). A large one is slow to export (a 1,000-service plan takes about 0.7 s in a
//! release build), so once an export has taken longer than
//! [`SLOW_EXPORT`] the preview waits until edits pause for [`DEBOUNCE_SECONDS`], then regenerates on
//! a worker thread; meanwhile the panel shows the last preview marked "updating…". The worker gets
//! a copy of the plan and sends the prepared files back, so the UI thread never waits for it.

mod panel;

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{Duration, Instant};

use super::document::{Document, Revision};
use super::highlight::{Language, LineState, line_states};
use crate::export::{ExportError, FileKind, GeneratedFile, Target, render};
use crate::plan::Plan;
use crate::release::file_stem;

use panel::PanelState;

/// An export slower than this is regenerated after a pause and off the UI thread.
pub const SLOW_EXPORT: Duration = Duration::from_millis(50);
/// How long edits must pause before a slow export is regenerated.
pub const DEBOUNCE_SECONDS: f64 = 0.3;

/// One generated file, ready to show: its text, where its lines start, and the colouring state each
/// line starts in.
pub struct PreviewFile {
    /// Where the file goes, relative to the repository.
    pub path: String,
    /// What it is.
    pub kind: FileKind,
    /// Its tab's label within its group ("Release", "Hotfix: claims-api-hotfix", "GitHub").
    pub label: String,
    /// The whole text.
    pub text: String,
    language: Language,
    line_starts: Vec<usize>,
    states: Vec<LineState>,
}

impl PreviewFile {
    /// Prepares a generated file of the plan whose file stem is `plan_stem` for the panel (one pass
    /// over its text).
    pub fn new(file: GeneratedFile, plan_stem: &str) -> Self {
        let language = Language::of(file.kind);
        let mut line_starts = Vec::new();
        let mut at = 0;
        for line in file.contents.split_inclusive('\n') {
            line_starts.push(at);
            at += line.len();
        }
        let states = line_states(language, &file.contents);
        Self {
            label: tab_label(&file.path, file.kind, plan_stem),
            path: file.path,
            kind: file.kind,
            text: file.contents,
            language,
            line_starts,
            states,
        }
    }

    /// How many lines the file has.
    pub fn line_count(&self) -> usize {
        self.line_starts.len().min(self.states.len())
    }

    /// Line `index` (from 0), without its line break.
    pub fn line(&self, index: usize) -> &str {
        let start = self
            .line_starts
            .get(index)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(index + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r'])
    }

    /// The colouring state line `index` starts in.
    pub fn state(&self, index: usize) -> LineState {
        self.states.get(index).copied().unwrap_or_default()
    }

    /// The file's language.
    pub fn language(&self) -> Language {
        self.language
    }
}

/// What a regeneration produced.
pub enum Outcome {
    /// The files, in the panel's tab order.
    Files(Vec<PreviewFile>),
    /// Why there are none (a plan Cutover cannot lower, or a failed self-check).
    Failed(String),
}

/// A regeneration for one revision.
struct Generated {
    revision: Revision,
    outcome: Outcome,
}

/// A regeneration running on a worker thread.
struct Job {
    revision: Revision,
    receiver: Receiver<(Outcome, Duration)>,
}

/// What to do about a preview that is out of date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Regenerate now, in this frame.
    Now,
    /// Look again after this many seconds.
    Wait(f64),
    /// Regenerate on a worker thread.
    Background,
}

/// The decision, given how long the last export took, how long the plan has been unchanged, and
/// whether a worker is still busy. Fast exports run at once; slow ones wait for a pause in the edits.
pub fn next_step(
    last_duration: Option<Duration>,
    slow_limit: Duration,
    quiet_for: f64,
    worker_busy: bool,
) -> Step {
    if worker_busy {
        return Step::Wait(DEBOUNCE_SECONDS);
    }
    if last_duration.is_none_or(|d| d <= slow_limit) {
        return Step::Now;
    }
    if quiet_for >= DEBOUNCE_SECONDS {
        Step::Background
    } else {
        Step::Wait(DEBOUNCE_SECONDS - quiet_for)
    }
}

/// The preview's cache and the panel's state.
pub struct Preview {
    shown: Option<Generated>,
    job: Option<Job>,
    /// The revision waiting to be previewed, and when (egui time) it was first seen.
    waiting: Option<(Revision, f64)>,
    last_duration: Option<Duration>,
    slow_limit: Duration,
    generations: u64,
    panel: PanelState,
}

impl Default for Preview {
    fn default() -> Self {
        Self {
            shown: None,
            job: None,
            waiting: None,
            last_duration: None,
            slow_limit: SLOW_EXPORT,
            generations: 0,
            panel: PanelState::default(),
        }
    }
}

impl Preview {
    /// Brings the preview up to date with `document` as far as this frame allows: collects a
    /// finished worker, and regenerates now, later or in the background (see [`next_step`]). Does
    /// nothing when the plan has errors (the panel lists them instead), while its analysis waits for
    /// a pause in the typing, or when the preview is current.
    pub fn update(&mut self, ctx: &egui::Context, document: &Document) {
        self.collect();
        let revision = document.content_revision();
        if document.analysis_pending()
            || document.current_analysis().has_errors()
            || self.is_current(revision)
        {
            self.waiting = None;
            return;
        }
        let now = ctx.input(|i| i.time);
        let since = match self.waiting {
            Some((waiting, since)) if waiting == revision => since,
            _ => {
                self.waiting = Some((revision, now));
                now
            }
        };
        let step = next_step(
            self.last_duration,
            self.slow_limit,
            now - since,
            self.job.is_some(),
        );
        match step {
            Step::Now => {
                let (outcome, took) = generate(document.plan());
                self.install(revision, outcome, took);
            }
            Step::Wait(seconds) => ctx.request_repaint_after(Duration::from_secs_f64(seconds)),
            Step::Background => self.spawn(ctx, document.plan(), revision),
        }
    }

    /// Whether the preview shows `revision`.
    pub fn is_current(&self, revision: Revision) -> bool {
        self.shown.as_ref().is_some_and(|g| g.revision == revision)
    }

    /// Shows the file at `path` and finds `text` in it (a rehearsed job's definition).
    pub fn reveal(&mut self, path: &str, text: &str) {
        self.panel.reveal(path, text);
    }

    /// The text of the find field.
    pub fn find_text(&self) -> &str {
        self.panel.find_text()
    }

    /// How many times the preview was regenerated (tests check it is not every frame).
    pub fn generations(&self) -> u64 {
        self.generations
    }

    /// Whether a worker thread is regenerating the preview.
    pub fn is_working(&self) -> bool {
        self.job.is_some()
    }

    /// How long the last regeneration took.
    pub fn last_duration(&self) -> Option<Duration> {
        self.last_duration
    }

    /// Sets how long an export may take before regenerations wait for a pause and move off the UI
    /// thread (default [`SLOW_EXPORT`]).
    pub fn set_slow_limit(&mut self, limit: Duration) {
        self.slow_limit = limit;
    }

    /// The text of the file the panel shows, if it shows one.
    pub fn selected_text(&self) -> Option<&str> {
        let Some(Generated {
            outcome: Outcome::Files(files),
            ..
        }) = &self.shown
        else {
            return None;
        };
        self.panel.selected_file(files).map(|f| f.text.as_str())
    }

    fn collect(&mut self) {
        let Some(job) = &self.job else {
            return;
        };
        match job.receiver.try_recv() {
            Ok((outcome, took)) => {
                let revision = job.revision;
                self.job = None;
                self.install(revision, outcome, took);
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                let revision = job.revision;
                self.job = None;
                let outcome = Outcome::Failed(
                    "The preview generator stopped unexpectedly (a bug in Cutover).".to_owned(),
                );
                self.install(revision, outcome, Duration::ZERO);
            }
        }
    }

    fn install(&mut self, revision: Revision, outcome: Outcome, took: Duration) {
        self.shown = Some(Generated { revision, outcome });
        self.last_duration = Some(took);
        self.generations += 1;
    }

    fn spawn(&mut self, ctx: &egui::Context, plan: &Plan, revision: Revision) {
        let (sender, receiver) = mpsc::channel();
        let copy = plan.clone();
        let wake = ctx.clone();
        let started = std::thread::Builder::new()
            .name("cutover-preview".to_owned())
            .spawn(move || {
                // The receiver is gone only if the app closed; then nobody needs the result.
                sender.send(generate(&copy)).ok();
                wake.request_repaint();
            });
        match started {
            Ok(_) => self.job = Some(Job { revision, receiver }),
            Err(_) => {
                // No thread to be had: do the work here rather than show nothing.
                let (outcome, took) = generate(plan);
                self.install(revision, outcome, took);
            }
        }
    }
}

/// Renders the plan's files (the export without its read-back self-check, which only writing needs)
/// and prepares them for the panel; reports how long that took.
fn generate(plan: &Plan) -> (Outcome, Duration) {
    let started = Instant::now();
    let outcome = match render(plan, Target::All) {
        Ok(export) => {
            let mut files: Vec<GeneratedFile> = export.files;
            files.sort_by_key(|f| tab_order(f.kind));
            let stem = file_stem(&plan.name);
            Outcome::Files(
                files
                    .into_iter()
                    .map(|f| PreviewFile::new(f, &stem))
                    .collect(),
            )
        }
        Err(ExportError::PlanHasErrors(errors)) => Outcome::Failed(format!(
            "The plan has {} error(s); fix them to see the pipelines.",
            errors.len()
        )),
        Err(error) => Outcome::Failed(format!("The pipelines could not be generated: {error}")),
    };
    (outcome, started.elapsed())
}

/// A short tab label for a file: the part of its name after the plan's stem, or the platform of a
/// setup script. Only a label: the path is shown beside the text.
fn tab_label(path: &str, kind: FileKind, plan_stem: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let bare = name.rsplit_once('.').map_or(name, |(bare, _)| bare);
    match kind {
        FileKind::AzurePipeline
        | FileKind::GitHubWorkflow
        | FileKind::AzureTemplate
        | FileKind::GitHubReusableWorkflow => {
            let rest = bare
                .strip_prefix(plan_stem)
                .and_then(|r| r.strip_prefix('-'))
                .unwrap_or(bare);
            if rest == "release" {
                "Release".to_owned()
            } else if let Some(runbook) = rest.strip_prefix("hotfix-") {
                format!("Hotfix: {runbook}")
            } else if let Some(template) = rest.strip_prefix("deploy-") {
                format!("Template: {template}")
            } else {
                rest.to_owned()
            }
        }
        FileKind::EnvironmentSetup if path.starts_with(".github/") => "GitHub".to_owned(),
        FileKind::EnvironmentSetup if path.starts_with("azure-pipelines/") => "Azure".to_owned(),
        FileKind::ScriptLibrary => "Script library".to_owned(),
        FileKind::RollbackData => "Rollback data".to_owned(),
        FileKind::EnvironmentSetup | FileKind::Runbook => bare.to_owned(),
    }
}

/// Azure first, then GitHub, the templates, the script library, the setup scripts, the runbooks (a
/// stable sort keeps the export's order within each).
fn tab_order(kind: FileKind) -> u8 {
    match kind {
        FileKind::AzurePipeline => 0,
        FileKind::GitHubWorkflow => 1,
        FileKind::AzureTemplate => 2,
        FileKind::GitHubReusableWorkflow => 3,
        FileKind::ScriptLibrary => 4,
        FileKind::RollbackData => 5,
        FileKind::EnvironmentSetup => 6,
        FileKind::Runbook => 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn fast_or_unmeasured_exports_run_at_once() {
        assert_eq!(next_step(None, SLOW_EXPORT, 0.0, false), Step::Now);
        assert_eq!(next_step(Some(9 * MS), SLOW_EXPORT, 0.0, false), Step::Now);
    }

    #[test]
    fn slow_exports_wait_for_a_pause_then_run_in_the_background() {
        let slow = Some(700 * MS);
        match next_step(slow, SLOW_EXPORT, 0.1, false) {
            Step::Wait(seconds) => assert!((seconds - 0.2).abs() < 1e-9),
            other => panic!("{other:?}"),
        }
        assert_eq!(next_step(slow, SLOW_EXPORT, 0.3, false), Step::Background);
    }

    #[test]
    fn nothing_starts_while_the_worker_is_busy() {
        assert!(matches!(
            next_step(None, SLOW_EXPORT, 10.0, true),
            Step::Wait(_)
        ));
    }

    #[test]
    fn tabs_are_labelled_by_what_follows_the_plan_name() {
        let label = |path: &str, kind| tab_label(path, kind, "meridian-claims");
        assert_eq!(
            label(
                "azure-pipelines/meridian-claims-release.yml",
                FileKind::AzurePipeline
            ),
            "Release"
        );
        assert_eq!(
            label(
                ".github/workflows/meridian-claims-hotfix-api-fix.yml",
                FileKind::GitHubWorkflow
            ),
            "Hotfix: api-fix"
        );
        assert_eq!(
            label(
                ".github/environments/meridian-claims-setup.sh",
                FileKind::EnvironmentSetup
            ),
            "GitHub"
        );
        assert_eq!(
            label("docs/runbooks/api-fix.md", FileKind::Runbook),
            "api-fix"
        );
        assert_eq!(label("odd", FileKind::AzurePipeline), "odd");
    }

    #[test]
    fn a_prepared_file_splits_lines_and_knows_their_states() {
        let file = PreviewFile::new(
            GeneratedFile {
                path: "a.yml".to_owned(),
                kind: FileKind::GitHubWorkflow,
                contents: "run: |\n  echo: hi\nname: x\n".to_owned(),
            },
            "plan",
        );
        assert_eq!(file.line_count(), 3);
        assert_eq!(file.line(1), "  echo: hi");
        assert_eq!(file.line(3), "");
        assert_eq!(file.state(1), LineState::BlockScalar { parent_indent: 0 });
        assert_eq!(file.state(2), LineState::BlockScalar { parent_indent: 0 });
        assert_eq!(file.state(99), LineState::Normal);
    }
}
