//! The open document: the plan, its file, its undo history, and its analysis, recomputed only when
//! the plan changes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::analysis::{Analysis, Severity, analyse};
use crate::edit::{Edit, EditError, History};
use crate::plan::{Id, Plan};

/// Identifies one state of one document: views compare it with what they last showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// Which document (every document opened or created gets its own number).
    pub document: u64,
    /// How many changes that document has seen.
    pub change: u64,
}

/// Numbers the documents of this run.
static NEXT_DOCUMENT: AtomicU64 = AtomicU64::new(1);

/// From this many services, the plan is not analysed again on every keystroke while the user types
/// into a field ([`Document::refresh_between_keystrokes`]): at 2,000 services the analysis takes
/// about 6 ms, and with the rest of the frame it held each keystroke back past the next frame
/// (`BENCHMARKS.md`, "Real frames"). A count, not a timing, so the app behaves the same on every run.
pub const SLOW_TO_ANALYSE: usize = 1_500;

/// How long typing pauses before an analysis put off while typing runs.
pub const TYPING_PAUSE: Duration = Duration::from_millis(250);

/// One plan being edited.
pub struct Document {
    id: u64,
    plan: Plan,
    path: Option<PathBuf>,
    history: History,
    /// The history state when the plan was last saved or opened; `None` if it never was saved.
    saved_state: Option<u64>,
    /// Bumped by every change of the plan, including positions.
    revision: u64,
    /// Bumped by changes other than positions: what the analysis depends on.
    content_revision: u64,
    analysis: Analysis,
    analysed_revision: u64,
    /// When the plan last changed by typing (an edit joined to a group), while its last change is one.
    typed_at: Option<Instant>,
    waves: Vec<Option<usize>>,
    worst: Vec<Option<Severity>>,
    /// Each time the services were laid out, the plan state (history id) and the services present
    /// then, oldest first: the plan as opened (unless it had no layout at all) and each auto-layout
    /// since. Auto-layout keeps the services of the latest mark on the way to the current state, so
    /// undoing a layout undoes its mark too.
    laid_out: Vec<(u64, HashSet<Id>)>,
}

impl Document {
    /// A document for `plan`, read from `path` (or never saved when `None`; such a document counts as
    /// saved until it is edited, since there is nothing to lose).
    pub fn new(plan: Plan, path: Option<PathBuf>) -> Self {
        let analysis = analyse(&plan);
        let mut document = Self {
            id: NEXT_DOCUMENT.fetch_add(1, Ordering::Relaxed),
            plan,
            path,
            history: History::default(),
            saved_state: Some(0),
            revision: 0,
            content_revision: 0,
            analysis,
            analysed_revision: 0,
            typed_at: None,
            waves: Vec::new(),
            worst: Vec::new(),
            laid_out: Vec::new(),
        };
        if !crate::layout::needs_layout(&document.plan) {
            document.mark_laid_out();
        }
        document.derive_service_facts();
        document
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The file the plan is saved in.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The name shown in the title: the file name, or the plan's name when it has no file.
    pub fn display_name(&self) -> String {
        self.path.as_deref().and_then(Path::file_name).map_or_else(
            || format!("{} (unsaved)", self.plan.name),
            |n| n.to_string_lossy().into_owned(),
        )
    }

    /// Whether the plan differs from the file (or is new and edited).
    pub fn is_dirty(&self) -> bool {
        self.saved_state != Some(self.history.state_id())
    }

    /// Records that the plan was just written to `path`.
    pub fn mark_saved(&mut self, path: PathBuf) {
        self.path = Some(path);
        self.saved_state = Some(self.history.state_id());
    }

    /// Marks the document as having unsaved changes (a recovered plan).
    pub fn mark_unsaved(&mut self) {
        self.saved_state = None;
    }

    /// Changes every time the plan changes, and differs between documents; views rebuild when it
    /// differs from what they showed.
    pub fn revision(&self) -> Revision {
        Revision {
            document: self.id,
            change: self.revision,
        }
    }

    /// Changes when the plan's content changes, but not when services only move: what the analysis
    /// and the export depend on, so their caches compare it.
    pub fn content_revision(&self) -> Revision {
        Revision {
            document: self.id,
            change: self.content_revision,
        }
    }

    /// Applies an edit as one undoable step (joining the previous step of the same `group`).
    pub fn apply(
        &mut self,
        edit: Edit,
        label: impl Into<String>,
        group: Option<u64>,
    ) -> Result<(), EditError> {
        let layout_only = edit.is_layout_only();
        self.history.apply(&mut self.plan, edit, label, group)?;
        self.changed(layout_only);
        if !layout_only {
            self.typed_at = group.map(|_| Instant::now());
        }
        Ok(())
    }

    /// Ends the current typing group, so the next edit is its own step.
    pub fn seal(&mut self) {
        self.history.seal();
    }

    /// Undoes the last step; returns its label.
    pub fn undo(&mut self) -> Option<String> {
        let label = self.history.undo(&mut self.plan)?;
        self.typed_at = None;
        self.changed(false);
        Some(label)
    }

    /// Redoes the last undone step; returns its label.
    pub fn redo(&mut self) -> Option<String> {
        let label = self.history.redo(&mut self.plan)?;
        self.typed_at = None;
        self.changed(false);
        Some(label)
    }

    /// What undo would take back.
    pub fn undo_label(&self) -> Option<&str> {
        self.history.undo_label()
    }

    /// What redo would re-apply.
    pub fn redo_label(&self) -> Option<&str> {
        self.history.redo_label()
    }

    /// The plan's analysis, recomputed if the plan's content changed since it was last computed.
    pub fn analysis(&mut self) -> &Analysis {
        self.refresh();
        &self.analysis
    }

    /// The analysis as last computed (call [`Document::refresh`] once per frame first).
    pub fn current_analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Re-analyses the plan if its content changed. Cheap when nothing changed.
    pub fn refresh(&mut self) {
        if self.analysed_revision != self.content_revision {
            self.analysis = analyse(&self.plan);
            self.analysed_revision = self.content_revision;
            self.derive_service_facts();
        }
    }

    /// Re-analyses the plan if its content changed, as [`Document::refresh`] does, except while the
    /// user types into a field of a plan of [`SLOW_TO_ANALYSE`] services or more: then the analysis
    /// waits until [`TYPING_PAUSE`] after the last keystroke, so that each keystroke shows in the
    /// next frame and the problems follow when the typing pauses. Returns how long after `now` a
    /// put-off analysis is due.
    pub fn refresh_between_keystrokes(&mut self, now: Instant) -> Option<Duration> {
        if let Some(typed_at) = self.typed_at
            && self.analysis_pending()
            && self.plan.services.len() >= SLOW_TO_ANALYSE
        {
            let due = typed_at + TYPING_PAUSE;
            if now < due {
                return Some(due - now);
            }
        }
        self.refresh();
        None
    }

    /// The content revision the current analysis was computed for: views that show what the
    /// analysis found (waves, problem markers) follow it, since the analysis can catch up with the
    /// plan without a change of its own ([`Document::refresh_between_keystrokes`]).
    pub fn analysed_revision(&self) -> Revision {
        Revision {
            document: self.id,
            change: self.analysed_revision,
        }
    }

    /// Whether the plan changed since its analysis was computed (the analysis waits for a pause in
    /// the typing: [`Document::refresh_between_keystrokes`]).
    pub fn analysis_pending(&self) -> bool {
        self.analysed_revision != self.content_revision
    }

    /// For each service (by plan index), whether it had its place at the last layout, so that
    /// auto-layout leaves it there: the services of the plan as opened, and those present after each
    /// auto-layout since that has not been undone.
    pub fn laid_out(&self) -> Vec<bool> {
        let mark = self.history.lineage().find_map(|state| {
            self.laid_out
                .iter()
                .rev()
                .find(|(marked, _)| *marked == state)
                .map(|(_, services)| services)
        });
        self.plan
            .services
            .iter()
            .map(|s| mark.is_some_and(|services| services.contains(&s.id)))
            .collect()
    }

    /// Records that every service of the plan now has its place (after an auto-layout).
    pub fn mark_laid_out(&mut self) {
        let state = self.history.state_id();
        let services = self.plan.services.iter().map(|s| s.id.clone()).collect();
        self.laid_out.retain(|(marked, _)| *marked != state);
        self.laid_out.push((state, services));
    }

    /// The wave in which each service (by plan index) first deploys.
    pub fn waves(&self) -> &[Option<usize>] {
        &self.waves
    }

    /// The most serious diagnostic about each service (by plan index).
    pub fn worst_severity(&self) -> &[Option<Severity>] {
        &self.worst
    }

    fn changed(&mut self, layout_only: bool) {
        self.revision += 1;
        if !layout_only {
            self.content_revision += 1;
        }
    }

    fn derive_service_facts(&mut self) {
        let plan = &self.plan;
        self.waves = self.analysis.order.as_ref().map_or_else(
            || vec![None; plan.services.len()],
            |o| o.first_deploy_waves(plan),
        );
        let index_of: std::collections::HashMap<&str, usize> = plan
            .services
            .iter()
            .enumerate()
            .rev()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut worst: Vec<Option<Severity>> = vec![None; plan.services.len()];
        for diagnostic in &self.analysis.diagnostics {
            for id in diagnostic
                .subject
                .services()
                .into_iter()
                .map(|id| id.as_str())
            {
                if let Some(&i) = index_of.get(id) {
                    let slot = &mut worst[i];
                    if slot.is_none_or(|s| diagnostic.severity < s) {
                        *slot = Some(diagnostic.severity);
                    }
                }
            }
        }
        self.worst = worst;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Object;
    use crate::synth::{SynthOptions, generate};

    fn document(services: usize) -> Document {
        let plan = generate(&SynthOptions {
            services,
            regions: 1,
            seed: 1,
        });
        Document::new(plan, None)
    }

    /// Service 0 renamed to `name`, as the inspector's name field sends it.
    fn rename(document: &Document, name: &str) -> Edit {
        let mut service = document.plan().services[0].clone();
        service.name = name.to_owned();
        Edit::Set {
            index: 0,
            object: Object::Service(service),
        }
    }

    fn type_name(document: &mut Document, name: &str, group: Option<u64>) -> Instant {
        let edit = rename(document, name);
        let before = Instant::now();
        document
            .apply(edit, "Rename service", group)
            .expect("renamed");
        before
    }

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn typing_into_a_large_plan_is_analysed_when_the_typing_pauses() {
        let mut document = document(SLOW_TO_ANALYSE);
        let typed = type_name(&mut document, "Typed", Some(1));
        // The frames while typing go on: the analysis waits, and says for how long at most.
        let wait = document.refresh_between_keystrokes(typed + 10 * MS);
        assert!(wait.is_some_and(|w| w <= TYPING_PAUSE), "{wait:?}");
        assert!(document.analysis_pending());
        // The pause: the next frame analyses.
        let later = Instant::now() + TYPING_PAUSE;
        assert_eq!(document.refresh_between_keystrokes(later), None);
        assert!(!document.analysis_pending());
        // Whoever asks for the analysis itself (export, the graph's SVG) gets it up to date.
        type_name(&mut document, "Typed more", Some(1));
        document.refresh_between_keystrokes(Instant::now());
        assert!(document.analysis_pending());
        document.analysis();
        assert!(!document.analysis_pending());
    }

    #[test]
    fn anything_but_typing_into_a_large_plan_is_analysed_at_once() {
        // A smaller plan, typing.
        let mut small = document(SLOW_TO_ANALYSE - 1);
        type_name(&mut small, "Typed", Some(1));
        assert_eq!(small.refresh_between_keystrokes(Instant::now()), None);
        assert!(!small.analysis_pending());
        // A large plan: an edit that is not typing (no group), then an undo of typing.
        let mut large = document(SLOW_TO_ANALYSE);
        type_name(&mut large, "Chosen", None);
        assert_eq!(large.refresh_between_keystrokes(Instant::now()), None);
        assert!(!large.analysis_pending());
        type_name(&mut large, "Typed", Some(2));
        large.undo().expect("undone");
        assert_eq!(large.refresh_between_keystrokes(Instant::now()), None);
        assert!(!large.analysis_pending());
    }
}
