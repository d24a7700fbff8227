//! Undo and redo: a stack of applied edits with their inverses.

use super::{Edit, EditError};
use crate::plan::Plan;

/// One undoable step: what was done and how to take it back.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Names the step in the Edit menu ("Undo Move service").
    pub label: String,
    /// The edit as applied (re-applied by redo).
    pub edit: Edit,
    /// The edit that takes it back (applied by undo).
    pub inverse: Edit,
    /// Consecutive edits with the same group (typing into one field) merge into one step.
    group: Option<u64>,
    /// Identifies the plan state right after this step, for "is the document saved?".
    id: u64,
}

/// The undo and redo stacks of one document.
#[derive(Debug, Clone)]
pub struct History {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
    /// The oldest steps are forgotten beyond this many.
    limit: usize,
    next_id: u64,
    /// Set by [`History::seal`]: the next edit starts a new step even in the same group.
    sealed: bool,
}

impl Default for History {
    fn default() -> Self {
        Self::new(1_000)
    }
}

impl History {
    /// An empty history that keeps at most `limit` steps.
    pub fn new(limit: usize) -> Self {
        Self {
            undo: Vec::new(),
            redo: Vec::new(),
            limit: limit.max(1),
            next_id: 1,
            sealed: false,
        }
    }

    /// Applies `edit` to `plan` and records it as a step named `label`. With a `group` equal to the
    /// previous step's (and no [`History::seal`] between), the edit joins that step instead, so typing
    /// a word is undone at once. A refused edit records nothing and leaves the plan untouched.
    pub fn apply(
        &mut self,
        plan: &mut Plan,
        edit: Edit,
        label: impl Into<String>,
        group: Option<u64>,
    ) -> Result<(), EditError> {
        let inverse = edit.apply(plan)?;
        self.redo.clear();
        let id = self.fresh_id();
        let joins = !self.sealed
            && group.is_some()
            && self.undo.last().is_some_and(|top| top.group == group);
        self.sealed = false;
        if joins && let Some(top) = self.undo.last_mut() {
            top.id = id;
            match (&top.edit, &edit) {
                (
                    Edit::Set {
                        index: a,
                        object: old,
                    },
                    Edit::Set {
                        index: b,
                        object: new,
                    },
                ) if a == b && old.kind() == new.kind() => {
                    // The newer value supersedes the older; the first inverse still restores the start.
                    top.edit = edit;
                }
                _ => {
                    top.edit = Edit::Batch(vec![top.edit.clone(), edit]);
                    top.inverse = Edit::Batch(vec![inverse, top.inverse.clone()]);
                }
            }
            return Ok(());
        }
        self.undo.push(Entry {
            label: label.into(),
            edit,
            inverse,
            group,
            id,
        });
        if self.undo.len() > self.limit {
            self.undo.remove(0);
        }
        Ok(())
    }

    /// Ends the current group: the next edit is a new step.
    pub fn seal(&mut self) {
        self.sealed = true;
    }

    /// Takes back the last step; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self, plan: &mut Plan) -> Option<String> {
        let entry = self.undo.pop()?;
        if entry.inverse.apply_inverse(plan).is_err() {
            // Cannot happen for inverses computed by `apply`; drop the broken step rather than loop.
            return None;
        }
        self.sealed = true;
        let label = entry.label.clone();
        self.redo.push(entry);
        Some(label)
    }

    /// Re-applies the last undone step; returns its label, or `None` when there is nothing to redo.
    pub fn redo(&mut self, plan: &mut Plan) -> Option<String> {
        let entry = self.redo.pop()?;
        if entry.edit.apply(plan).is_err() {
            return None;
        }
        self.sealed = true;
        let label = entry.label.clone();
        self.undo.push(entry);
        Some(label)
    }

    /// The label of the step undo would take back.
    pub fn undo_label(&self) -> Option<&str> {
        self.undo.last().map(|e| e.label.as_str())
    }

    /// The label of the step redo would re-apply.
    pub fn redo_label(&self) -> Option<&str> {
        self.redo.last().map(|e| e.label.as_str())
    }

    /// Identifies the current plan state: equal before and after a save only if nothing changed, and
    /// equal again after undoing back to it. `0` is the state the document was opened in.
    pub fn state_id(&self) -> u64 {
        self.undo.last().map_or(0, |e| e.id)
    }

    /// The states the current one was reached through, newest first: the current state, each state
    /// undo would return to, and last the opened state `0` (those of steps forgotten beyond the limit
    /// left out).
    pub fn lineage(&self) -> impl Iterator<Item = u64> + '_ {
        self.undo
            .iter()
            .rev()
            .map(|e| e.id)
            .chain(std::iter::once(0))
    }

    /// How many steps can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    fn fresh_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}
