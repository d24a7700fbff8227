//! Checkpoints, so that fault scenarios do not replay the happy path they share. A rehearsal is
//! deterministic, and a fault changes nothing until the first moment it is consulted (the first
//! call that touches its target, its approval, its migration). The happy path's run therefore saves
//! the engine's state at quiet moments (no step process alive: only timers pending), with the files
//! that state refers to (artifacts, the workspaces of jobs waiting on a timer); a fault scenario
//! resumes from the latest checkpoint its fault cannot have influenced, and ends exactly as a run
//! from the start would (a test compares both).

use std::collections::BinaryHeap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::super::RehearseError;
use super::super::estate::{Estate, EventKind};
use super::super::sandbox::copy_tree;
use super::{Action, ApprovalRef, Engine, Faults, Process, Run, Status};

/// At most this many checkpoints per recorded run.
const MAX_CHECKPOINTS: usize = 64;

/// Where checkpoints keep their files; removed when dropped.
pub struct Store {
    root: PathBuf,
    next: AtomicUsize,
}

impl Store {
    /// A store in a new folder beside the sandboxes.
    pub fn create() -> std::io::Result<Self> {
        let base = Path::new("/dev/shm");
        let base = if base.is_dir() {
            base.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let root = base.join(format!(
            "cutover-checkpoints-{}-{}",
            std::process::id(),
            unique()
        ));
        std::fs::create_dir_all(&root)?;
        Ok(Store {
            root,
            next: AtomicUsize::new(0),
        })
    }

    fn fresh(&self) -> PathBuf {
        self.root
            .join(self.next.fetch_add(1, Ordering::Relaxed).to_string())
    }
}

fn unique() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The engine's state at a quiet moment.
#[derive(Clone)]
struct Saved {
    estate: Estate,
    now: u64,
    seq: u64,
    runs: Vec<Run>,
    timers: BinaryHeap<std::cmp::Reverse<(u64, u64)>>,
    pending: Vec<(u64, Action)>,
    processes: Vec<Process>,
    failures: Vec<(String, String, String)>,
    calls: usize,
    counter: u64,
}

/// A saved moment of a rehearsal, from which a fault scenario can resume.
pub struct Checkpoint {
    saved: Saved,
    /// The sandbox root of the engine that saved it.
    root: PathBuf,
    /// Where its files are.
    files: PathBuf,
    /// The folders saved, relative to the sandbox root.
    folders: Vec<PathBuf>,
}

impl std::fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Checkpoint(at {} s, {} events)",
            self.saved.now,
            self.saved.estate.log.len()
        )
    }
}

impl Checkpoint {
    /// Whether a scenario with `faults` would have reached this moment exactly as the recorded run
    /// did: none of its faults was consulted before it.
    pub fn allows(&self, faults: &Faults) -> bool {
        let log = &self.saved.estate.log;
        let touched = |target: usize| {
            log.iter().any(|e| match &e.kind {
                EventKind::Serving { target: t, .. }
                | EventKind::Staged { target: t, .. }
                | EventKind::Health { target: t, .. }
                | EventKind::DatabaseChecked { target: t, .. } => *t == target,
                EventKind::Fault { target: t, .. } => *t == Some(target),
                _ => false,
            })
        };
        let targets = faults
            .health
            .iter()
            .map(|(t, _)| *t)
            .chain(faults.deploy.iter().map(|(t, _)| *t));
        if targets.into_iter().any(touched) {
            return false;
        }
        let migrated = |m: &str, p: &str| {
            log.iter().any(|e| match &e.kind {
                EventKind::Migration {
                    migration, phase, ..
                } => migration == m && phase == p,
                EventKind::PlanCommand { what, .. } => *what == format!("{p} {m}"),
                _ => false,
            })
        };
        if faults.migrations.iter().any(|(m, p)| migrated(m, p)) {
            return false;
        }
        // A gate fault changes every answer of its gate's endpoint: resume only from before the
        // gate was first asked anywhere.
        let gates = &self.saved.estate.gates;
        let asked = |faulted: usize| {
            log.iter().any(|e| {
                matches!(&e.kind, EventKind::Gate { signal, .. }
                if gates.get(*signal).map(|s| &s.gate) == gates.get(faulted).map(|s| &s.gate))
            })
        };
        if faults.gates.iter().any(|g| asked(*g)) {
            return false;
        }
        // A traffic fault changes what the router reports of its endpoint: resume only from before
        // the router was first asked about it.
        let read = |(router, endpoint): (usize, usize)| {
            log.iter().any(|e| {
                matches!(&e.kind, EventKind::RouterHealth { router: r, endpoint: p, .. }
                if *r == router && *p == endpoint)
            })
        };
        if faults.traffic.iter().any(|t| read(*t)) {
            return false;
        }
        faults.approvals.iter().all(|(which, _)| match which {
            ApprovalRef::Ordinal(n) => self.saved.runs.iter().all(|r| r.approvals < *n),
            ApprovalRef::Name(name) => !log
                .iter()
                .any(|e| matches!(&e.kind, EventKind::Approval { name: n, .. } if n == name)),
        })
    }

    /// The virtual time it was taken at.
    pub fn time(&self) -> u64 {
        self.saved.now
    }
}

/// The latest checkpoint a scenario with `faults` may resume from.
pub fn latest<'c>(
    checkpoints: &'c [Arc<Checkpoint>],
    faults: &Faults,
) -> Option<&'c Arc<Checkpoint>> {
    checkpoints.iter().rev().find(|c| c.allows(faults))
}

fn sandbox_error(e: std::io::Error) -> RehearseError {
    RehearseError::Sandbox(format!("checkpoint: {e}"))
}

impl Engine<'_, '_> {
    /// Saves a checkpoint when recording and nothing runs: no step process is alive and only timers
    /// are pending. Called where the loop would otherwise advance the clock.
    pub(super) fn maybe_checkpoint(&mut self) -> Result<(), RehearseError> {
        let Some(store) = self.shared.store else {
            return Ok(());
        };
        let quiet = self.recording
            && self.active.is_none()
            && self.ready.is_empty()
            && self.streams.is_empty()
            && !self.runs.is_empty()
            && self.processes.iter().all(|p| !p.alive);
        let progressed = self
            .checkpoints
            .last()
            .is_none_or(|c| c.saved.estate.log.len() < self.estate.log.len());
        if !quiet || !progressed || self.checkpoints.len() >= MAX_CHECKPOINTS {
            return Ok(());
        }
        let root = self.station.sandbox.root().to_path_buf();
        let mut folders: Vec<PathBuf> = self.runs.iter().map(|r| r.artifacts.clone()).collect();
        for run in &self.runs {
            for state in &run.units {
                if matches!(state.status, Status::Running | Status::Waiting)
                    && let Some(job) = &state.job
                {
                    folders.push(job.root.clone());
                }
            }
        }
        let files = store.fresh();
        let mut relative = Vec::new();
        for folder in folders {
            let Ok(rel) = folder.strip_prefix(&root) else {
                continue;
            };
            if folder.exists() {
                copy_tree(&folder, &files.join(rel), true).map_err(sandbox_error)?;
            }
            relative.push(rel.to_path_buf());
        }
        let saved = Saved {
            estate: self.estate.clone(),
            now: self.now,
            seq: self.seq,
            runs: self.runs.clone(),
            timers: self.timers.clone(),
            pending: self.pending.clone(),
            processes: self.processes.clone(),
            failures: self.failures.clone(),
            calls: self.calls,
            counter: self.station.sandbox.counter(),
        };
        self.checkpoints.push(Arc::new(Checkpoint {
            saved,
            root,
            files,
            folders: relative,
        }));
        Ok(())
    }

    /// Resumes from a checkpoint: its files are linked into this sandbox and its state moved to
    /// this sandbox's root.
    pub(super) fn resume(&mut self, checkpoint: &Checkpoint) -> Result<(), RehearseError> {
        let root = self.station.sandbox.root().to_path_buf();
        for folder in &checkpoint.folders {
            let saved = checkpoint.files.join(folder);
            if saved.exists() {
                copy_tree(&saved, &root.join(folder), true).map_err(sandbox_error)?;
            }
        }
        let from = checkpoint.root.display().to_string();
        let to = root.display().to_string();
        let path = |p: &PathBuf| match p.strip_prefix(&checkpoint.root) {
            Ok(rel) => root.join(rel),
            Err(_) => p.clone(),
        };
        let text = |pairs: &mut Vec<(String, String)>| {
            for (_, v) in pairs.iter_mut() {
                if v.contains(&from) {
                    *v = v.replace(&from, &to);
                }
            }
        };
        let saved = checkpoint.saved.clone();
        self.estate = saved.estate;
        self.now = saved.now;
        self.seq = saved.seq;
        self.timers = saved.timers;
        self.pending = saved.pending;
        self.processes = saved.processes;
        self.failures = saved.failures;
        self.calls = saved.calls;
        self.station.sandbox.set_counter(saved.counter);
        self.runs = saved.runs;
        for run in &mut self.runs {
            run.artifacts = path(&run.artifacts);
            for state in &mut run.units {
                if let Some(job) = &mut state.job {
                    job.root = path(&job.root);
                    job.workdir = path(&job.workdir);
                    job.tmp = path(&job.tmp);
                    text(&mut job.env);
                    text(&mut job.added_env);
                    text(&mut job.variables);
                }
            }
        }
        self.dirty = true;
        Ok(())
    }
}
