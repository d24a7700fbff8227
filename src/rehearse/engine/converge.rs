//! Convergence, the other half of sharing work with the happy path: a scenario whose fault has been
//! absorbed (a transient failure within the retry budget) may come back to exactly the state the
//! happy path was in at some quiet moment, only later. From there on both evolve identically, so
//! the scenario ends as the happy path did, shifted in time: its remaining timeline, events and
//! final estate are taken from the happy path instead of being run again (a test compares both).
//!
//! "Exactly the state" is a fingerprint of everything that decides what happens next: every
//! target of the estate, every unit's status, outcome and outputs, the runs' inputs and approvals,
//! with no job in progress, no timer pending for a unit that has not ended, and every fault of the
//! scenario already spent.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::super::estate::{Event, EventKind, Target};
use super::{ApprovalRef, Engine, Entry, Outcome, Rehearsed, Status};

/// A quiet moment of the happy path, found again by its fingerprint.
#[derive(Debug, Clone, Copy)]
struct Point {
    time: u64,
    log_len: usize,
    failures_len: usize,
}

/// What a happy-path run leaves for scenarios that converge to it.
#[derive(Debug, Default)]
pub struct Convergence {
    points: HashMap<String, Point>,
    timeline: Vec<Entry>,
    log: Vec<Event>,
    targets: Vec<Target>,
    runs: Vec<(String, Outcome)>,
    failures: Vec<(String, String, String)>,
}

impl Engine<'_, '_> {
    /// The fingerprint of the state, when it is one the future depends on alone: no job running or
    /// waiting, no live timer, every fault spent.
    pub(super) fn fingerprint(&self) -> Option<String> {
        let done = |run: usize, unit: usize| self.runs[run].units[unit].status == Status::Done;
        for run in &self.runs {
            for (unit, state) in run.units.iter().enumerate() {
                let job = matches!(
                    run.pipeline.units[unit].kind,
                    super::super::model::UnitKind::Job(_)
                );
                if job && matches!(state.status, Status::Running | Status::Waiting) {
                    return None;
                }
            }
        }
        let live = |action: &super::Action| match action {
            super::Action::Continue { run, unit }
            | super::Action::StepEnded { run, unit, .. }
            | super::Action::EnvironmentDecided { run, unit, .. }
            | super::Action::Deadline { run, unit, .. } => !done(*run, *unit),
            super::Action::Reply { .. } => true,
        };
        if self.pending.iter().any(|(_, a)| live(a)) || !self.faults_spent() {
            return None;
        }
        let mut text = String::new();
        let _ = write!(
            text,
            "{:?}|{:?}|{:?}|",
            self.estate.targets, self.estate.branches, self.estate.environments
        );
        for run in &self.runs {
            let _ = write!(
                text,
                "run {} {} {} {}|",
                run.pipeline.file, run.build, run.inputs, run.approvals
            );
            for state in &run.units {
                let _ = write!(
                    text,
                    "{:?} {:?} {:?} {:?} {:?};",
                    state.status, state.outcome, state.outputs, state.inputs, state.secrets
                );
            }
        }
        Some(text)
    }

    /// Whether no fault of the scenario can act any more.
    fn faults_spent(&self) -> bool {
        let deploys = self
            .deploy_faults
            .targets
            .values()
            .all(|(failing, tries)| failing.is_some_and(|k| *tries >= k));
        let log = &self.estate.log;
        let migrations = self.faults.migrations.iter().all(|(m, p)| {
            log.iter().any(|e| matches!(&e.kind, EventKind::Migration { migration, phase, .. } if migration == m && phase == p))
        });
        let approvals = self.faults.approvals.iter().all(|(which, _)| match which {
            ApprovalRef::Ordinal(n) => self.runs.iter().any(|r| r.approvals >= *n),
            ApprovalRef::Name(name) => log
                .iter()
                .any(|e| matches!(&e.kind, EventKind::Approval { name: n, .. } if n == name)),
        });
        deploys && migrations && approvals
    }

    /// Records a quiet moment of the happy path.
    pub(super) fn record_point(&mut self, points: &mut HashMap<String, (u64, usize, usize)>) {
        if let Some(fingerprint) = self.fingerprint() {
            points.entry(fingerprint).or_insert((
                self.now,
                self.estate.log.len(),
                self.failures.len(),
            ));
        }
    }

    /// At a quiet moment of a scenario: the happy path's point with the same state, if any.
    pub(super) fn converged(&self, convergence: &Convergence) -> Option<(u64, usize, usize)> {
        let fingerprint = self.fingerprint()?;
        convergence
            .points
            .get(&fingerprint)
            .map(|p| (p.time, p.log_len, p.failures_len))
    }

    /// Ends the scenario as the happy path ended from `point`, shifted to now.
    pub(super) fn splice(self, convergence: &Convergence, point: (u64, usize, usize)) -> Rehearsed {
        let (time, log_len, failures_len) = point;
        let shift = |t: u64| (t + self.now).saturating_sub(time);
        let mut rehearsed = Rehearsed {
            timeline: Vec::new(),
            estate: self.estate.clone(),
            runs: convergence.runs.clone(),
            scripts: self.scripts,
            calls: self.calls,
            failures: self.failures.clone(),
            checkpoints: Vec::new(),
            resumed_at: None,
            real_seconds: 0.0,
            convergence: None,
            converged_at: None,
        };
        let ours = self.finish_timeline();
        let ended = |entry: &Entry| {
            self.runs.get(entry.run).and_then(|r| {
                r.pipeline
                    .units
                    .iter()
                    .position(|u| u.path == entry.path)
                    .map(|u| r.units[u].status == Status::Done)
            })
        };
        for entry in &convergence.timeline {
            let mine = ours
                .iter()
                .find(|e| e.run == entry.run && e.path == entry.path);
            let merged = match mine {
                Some(mine) if ended(mine) == Some(true) => mine.clone(),
                Some(mine) => Entry {
                    start: mine.start.or(entry.start.map(shift)),
                    end: entry.end.map(shift),
                    outcome: entry.outcome,
                    note: entry.note.clone(),
                    ..mine.clone()
                },
                None => Entry {
                    start: entry.start.map(shift),
                    end: entry.end.map(shift),
                    ..entry.clone()
                },
            };
            rehearsed.timeline.push(merged);
        }
        rehearsed
            .timeline
            .sort_by_key(|e| (e.start.is_none(), e.start, e.run));
        rehearsed.estate.targets = convergence.targets.clone();
        rehearsed.estate.log.extend(
            convergence.log[log_len.min(convergence.log.len())..]
                .iter()
                .map(|e| Event {
                    time: shift(e.time),
                    ..e.clone()
                }),
        );
        rehearsed.estate.log.sort_by_key(|e| e.time);
        rehearsed.failures.extend(
            convergence.failures[failures_len.min(convergence.failures.len())..]
                .iter()
                .cloned(),
        );
        rehearsed
    }
}

/// What a happy-path run leaves for converging scenarios (`log`: its event log in the order the
/// events were logged, which the points' lengths refer to).
pub(super) fn convergence(
    points: HashMap<String, (u64, usize, usize)>,
    rehearsed: &Rehearsed,
    log: Vec<Event>,
) -> Convergence {
    Convergence {
        points: points
            .into_iter()
            .map(|(k, (time, log_len, failures_len))| {
                (
                    k,
                    Point {
                        time,
                        log_len,
                        failures_len,
                    },
                )
            })
            .collect(),
        timeline: rehearsed.timeline.clone(),
        log,
        targets: rehearsed.estate.targets.clone(),
        runs: rehearsed.runs.clone(),
        failures: rehearsed.failures.clone(),
    }
}
