//! The open document: the plan, its file, its undo history, and its analysis, recomputed only when
//! the plan changes.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

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
        Ok(())
    }

    /// Ends the current typing group, so the next edit is its own step.
    pub fn seal(&mut self) {
        self.history.seal();
    }

    /// Undoes the last step; returns its label.
    pub fn undo(&mut self) -> Option<String> {
        let label = self.history.undo(&mut self.plan)?;
        self.changed(false);
        Some(label)
    }

    /// Redoes the last undone step; returns its label.
    pub fn redo(&mut self) -> Option<String> {
        let label = self.history.redo(&mut self.plan)?;
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
