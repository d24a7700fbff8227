//! The scheduler: runs pipeline runs over virtual time. Units (stages, calls, jobs) start when what
//! they wait for has finished and their condition holds; jobs pass their environment's protection
//! (branch rules, approvals, wait timers), then run their steps one at a time. Only one step process
//! runs at any moment; a step that sleeps (or runs a slow command) blocks until the clock reaches its
//! wake-up time, so the same scenario always gives the same timeline. Platform rules live in
//! [`scope`] (expressions and variables) and [`graph`] (default conditions and results).

mod calls;
mod checkpoint;
mod converge;
mod graph;
mod job;
mod scope;
mod step;

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Map, Value as Json};

use super::RehearseError;
use super::estate::Estate;
use super::facts::Facts;
use super::fakes::{DeployFaults, JobFlags, Surface};
use super::model::{Pipeline, Platform};
use super::sandbox::Sandbox;
use super::server::Server;
use super::workers::{Message, Pool};
use super::{Repository, load_pipeline};
pub use checkpoint::{Checkpoint, Store, latest};
pub use converge::Convergence;

/// How long a step may run without any call before it counts as hung (real time).
const HUNG_AFTER: Duration = Duration::from_secs(60);
/// Virtual seconds a person takes to answer an approval.
pub const APPROVAL_SECONDS: u64 = 120;
/// How long a GitHub environment approval waits before the run fails (30 days).
pub const GITHUB_APPROVAL_LIMIT_MINUTES: u32 = 43_200;

/// How a unit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// It succeeded.
    Succeeded,
    /// It succeeded, with a step that failed and was allowed to.
    SucceededWithIssues,
    /// It failed.
    Failed,
    /// It was cancelled (a timeout).
    Canceled,
    /// It did not run.
    Skipped,
}

impl Outcome {
    /// The result as the platform names it (`needs.X.result`, `dependencies.X.result`).
    pub fn name(self, platform: Platform) -> &'static str {
        match (platform, self) {
            (Platform::GitHub, Outcome::Succeeded | Outcome::SucceededWithIssues) => "success",
            (Platform::GitHub, Outcome::Failed) => "failure",
            (Platform::GitHub, Outcome::Canceled) => "cancelled",
            (Platform::GitHub, Outcome::Skipped) => "skipped",
            (Platform::Azure, Outcome::Succeeded) => "Succeeded",
            (Platform::Azure, Outcome::SucceededWithIssues) => "SucceededWithIssues",
            (Platform::Azure, Outcome::Failed) => "Failed",
            (Platform::Azure, Outcome::Canceled) => "Canceled",
            (Platform::Azure, Outcome::Skipped) => "Skipped",
        }
    }

    /// Whether it counts as succeeded.
    pub fn ok(self) -> bool {
        matches!(self, Outcome::Succeeded | Outcome::SucceededWithIssues)
    }
}

/// One line of the timeline: a unit of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The run (0 for the first).
    pub run: usize,
    /// The unit's path.
    pub path: String,
    /// Its display name.
    pub name: String,
    /// Whether it is a job (else a stage or a call).
    pub job: bool,
    /// Virtual seconds when it started (after any approval), if it ran.
    pub start: Option<u64>,
    /// Virtual seconds when it ended.
    pub end: Option<u64>,
    /// How it ended.
    pub outcome: Outcome,
    /// Why, when it did not simply succeed (approval rejected, condition false, timed out…).
    pub note: String,
}

/// How an approval is answered in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Approved after [`APPROVAL_SECONDS`].
    Approve,
    /// Rejected after [`APPROVAL_SECONDS`].
    Reject,
    /// Nobody answers until the approval times out.
    Timeout,
}

/// Which approval a fault answers: by its ordinal in the run (1-based) or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalRef {
    /// The n-th approval asked.
    Ordinal(usize),
    /// The approval of this environment (or in-pipeline approval job).
    Name(String),
}

/// The faults of a scenario, resolved to the estate.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Health faults: (target, checks answered healthy before failing).
    pub health: Vec<(usize, u32)>,
    /// Deploy-command faults: (target, failing tries; `None` for every try).
    pub deploy: Vec<(usize, Option<u32>)>,
    /// Migration phases whose first step fails: (migration, phase).
    pub migrations: Vec<(String, String)>,
    /// Approvals answered otherwise than approved.
    pub approvals: Vec<(ApprovalRef, Decision)>,
    /// Quality-gate signals answering failing (indices into the estate's gates).
    pub gates: Vec<usize>,
    /// Router endpoints seen unhealthy on the new version: (router, endpoint) in the estate.
    pub traffic: Vec<(usize, usize)>,
}

/// What to rehearse: one pipeline on one platform from one estate.
#[derive(Debug, Clone)]
pub struct Request {
    /// The platform.
    pub platform: Platform,
    /// The pipeline file to start.
    pub entry: String,
    /// The branch the run starts from (`main`, `hotfix/x`).
    pub branch: String,
    /// The run's inputs (dispatch inputs, parameters).
    pub inputs: Map<String, Json>,
    /// The faults.
    pub faults: Faults,
    /// Whether to save checkpoints for fault scenarios to resume from.
    pub record: bool,
    /// A checkpoint to resume from instead of starting the run.
    pub resume: Option<Arc<Checkpoint>>,
    /// The recorded happy path to end as, once the scenario reaches one of its states.
    pub converge: Option<Arc<Convergence>>,
}

/// What a rehearsal of one request produced.
#[derive(Debug, Clone)]
pub struct Rehearsed {
    /// The timeline, in start order.
    pub timeline: Vec<Entry>,
    /// The estate at the end, with its event log.
    pub estate: Estate,
    /// Each run's pipeline file and result.
    pub runs: Vec<(String, Outcome)>,
    /// The steps that ran as bash.
    pub scripts: usize,
    /// The fake-tool calls answered.
    pub calls: usize,
    /// The last lines of standard error of each failed script step: (unit path, step, text).
    pub failures: Vec<(String, String, String)>,
    /// Checkpoints saved (when recording).
    pub checkpoints: Vec<Arc<Checkpoint>>,
    /// The virtual time it resumed from, when it started at a checkpoint.
    pub resumed_at: Option<u64>,
    /// Real seconds it took.
    pub real_seconds: f64,
    /// What a recorded happy path leaves for scenarios that converge to it.
    pub convergence: Option<Arc<Convergence>>,
    /// The virtual time it converged to the happy path at, if it did.
    pub converged_at: Option<u64>,
}

/// Pipelines loaded once per rehearsal and shared by its threads.
#[derive(Default)]
pub struct Catalog {
    loaded: Mutex<Vec<Loaded>>,
}

/// A loaded pipeline: its platform, file, inputs, and what was read.
type Loaded = (Platform, String, Map<String, Json>, Arc<Pipeline>);

impl Catalog {
    /// The pipeline `file` for `platform` with these inputs (Azure parameters change templates).
    pub fn get(
        &self,
        repo: &Repository,
        platform: Platform,
        file: &str,
        inputs: &Map<String, Json>,
        variables: &Json,
    ) -> Result<Arc<Pipeline>, RehearseError> {
        let key_inputs = if platform == Platform::Azure {
            inputs.clone()
        } else {
            Map::new()
        };
        let mut loaded = self
            .loaded
            .lock()
            .map_err(|_| RehearseError::Sandbox("a rehearsal thread panicked".into()))?;
        if let Some((.., p)) = loaded
            .iter()
            .find(|(pl, f, i, _)| *pl == platform && f == file && *i == key_inputs)
        {
            return Ok(Arc::clone(p));
        }
        let pipeline = Arc::new(load_pipeline(repo, platform, file, &key_inputs, variables)?);
        loaded.push((platform, file.to_owned(), key_inputs, Arc::clone(&pipeline)));
        Ok(pipeline)
    }
}

/// What one scheduler thread keeps between scenarios: its sandbox, bash workers and fake server.
pub struct Station {
    /// The sandbox.
    pub sandbox: Sandbox,
    pool: Pool,
    server: Server,
    rx: Receiver<Message>,
    _tx: Sender<Message>,
    tokens: u64,
}

impl Station {
    /// The fake server's port.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Creates the sandbox (with the repository and the plan's repository files), the server and an
    /// empty worker pool.
    pub fn new(repo: &Repository) -> Result<Self, RehearseError> {
        let sandbox = Sandbox::create(repo)
            .map_err(|e| RehearseError::Sandbox(format!("cannot create the sandbox: {e}")))?;
        let (tx, rx) = channel();
        let server = Server::start(tx.clone())
            .map_err(|e| RehearseError::Sandbox(format!("cannot listen on localhost: {e}")))?;
        Ok(Station {
            sandbox,
            pool: Pool::new(tx.clone()),
            server,
            rx,
            _tx: tx,
            tokens: 0,
        })
    }

    /// How many bash workers this station started.
    pub fn workers_started(&self) -> usize {
        self.pool.spawned()
    }
}

/// Everything shared by the scenarios of a rehearsal.
pub struct Shared<'a> {
    /// The repository (export).
    pub repo: &'a Repository,
    /// The plan's facts.
    pub facts: &'a Facts,
    /// The loaded pipelines.
    pub catalog: &'a Catalog,
    /// The fakes' command surface.
    pub surface: &'a Surface,
    /// Answers of the real jq already computed, by arguments and input.
    pub jq: &'a Mutex<std::collections::HashMap<String, super::fakes::Reply>>,
    /// Where checkpoints keep their files (`None`: no checkpoints).
    pub store: Option<&'a Store>,
}

/// A running pipeline.
#[derive(Clone)]
struct Run {
    pipeline: Arc<Pipeline>,
    inputs: Json,
    branch: String,
    build: String,
    artifacts: PathBuf,
    units: Vec<UnitState>,
    approvals: usize,
}

/// Where a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pending,
    Waiting,
    Running,
    Done,
}

#[derive(Clone)]
struct UnitState {
    status: Status,
    outcome: Option<Outcome>,
    start: Option<u64>,
    end: Option<u64>,
    note: String,
    /// A call's evaluated inputs and secrets.
    inputs: Option<Json>,
    secrets: Option<Json>,
    outputs: Map<String, Json>,
    job: Option<job::JobRun>,
}

/// Something to do now.
#[derive(Clone)]
enum Action {
    /// Run (or continue with) the next step of a job.
    Continue { run: usize, unit: usize },
    /// Answer a blocked call (its connection is in `Engine::streams`); its step runs again.
    Reply {
        handle: usize,
        call: usize,
        code: String,
    },
    /// A simulated step (delay, approval) ended.
    StepEnded {
        run: usize,
        unit: usize,
        serial: u64,
        ok: bool,
        note: String,
    },
    /// An environment's approval (and wait timer) passed or failed.
    EnvironmentDecided {
        run: usize,
        unit: usize,
        ok: bool,
        note: String,
    },
    /// A job's or step's time limit.
    Deadline {
        run: usize,
        unit: usize,
        serial: u64,
        job: bool,
    },
}

/// A bash step process.
#[derive(Clone)]
struct Process {
    run: usize,
    unit: usize,
    worker: usize,
    alive: bool,
    serial: u64,
    files: Option<step::StepFiles>,
    step: String,
    step_id: Option<String>,
    /// Whether the step runs signed in to Azure (`AzureCLI@2`).
    azure: bool,
}

/// The scheduler of one request.
struct Engine<'a, 's> {
    shared: &'a Shared<'s>,
    station: &'a mut Station,
    platform: Platform,
    faults: Faults,
    deploy_faults: DeployFaults,
    estate: Estate,
    now: u64,
    seq: u64,
    token: String,
    runs: Vec<Run>,
    timers: BinaryHeap<Reverse<(u64, u64)>>,
    pending: Vec<(u64, Action)>,
    ready: VecDeque<Action>,
    dirty: bool,
    active: Option<usize>,
    processes: Vec<Process>,
    scripts: usize,
    calls: usize,
    failures: Vec<(String, String, String)>,
    setup_status: Option<i32>,
    /// Connections of blocked calls, by call number.
    streams: std::collections::HashMap<usize, TcpStream>,
    /// Checkpoints taken (when recording).
    checkpoints: Vec<Arc<checkpoint::Checkpoint>>,
    recording: bool,
    /// Fingerprints of quiet moments (when recording): time, log length, failures length.
    points: std::collections::HashMap<String, (u64, usize, usize)>,
    /// The happy path this scenario may converge to, and the log length last compared.
    converge: Option<(Arc<Convergence>, usize)>,
}

/// The run index of the environment setup script's process.
const SETUP: usize = usize::MAX;

impl<'a, 's> Engine<'a, 's> {
    fn new(
        shared: &'a Shared<'s>,
        station: &'a mut Station,
        platform: Platform,
        faults: Faults,
        estate: Estate,
    ) -> Result<Self, RehearseError> {
        station.tokens += 1;
        let token = format!("{}-{}", std::process::id(), station.tokens);
        station
            .sandbox
            .clear_runs()
            .map_err(|e| RehearseError::Sandbox(e.to_string()))?;
        while station.rx.try_recv().is_ok() {}
        Ok(Engine {
            shared,
            station,
            platform,
            deploy_faults: DeployFaults {
                targets: faults.deploy.iter().map(|(t, k)| (*t, (*k, 0))).collect(),
            },
            faults,
            estate,
            now: 0,
            seq: 0,
            token,
            runs: Vec::new(),
            timers: BinaryHeap::new(),
            pending: Vec::new(),
            ready: VecDeque::new(),
            dirty: true,
            active: None,
            processes: Vec::new(),
            scripts: 0,
            calls: 0,
            failures: Vec::new(),
            setup_status: None,
            streams: std::collections::HashMap::new(),
            checkpoints: Vec::new(),
            recording: false,
            points: std::collections::HashMap::new(),
            converge: None,
        })
    }
}

/// Runs the platform's environment setup script of the export (if it has one) against the fake
/// APIs, and returns the estate with the environment protections it configured.
pub fn setup(
    shared: &Shared,
    station: &mut Station,
    platform: Platform,
    estate: Estate,
) -> Result<Estate, RehearseError> {
    let folder = match platform {
        Platform::GitHub => ".github/environments/",
        Platform::Azure => "azure-pipelines/environments/",
    };
    let Some(script) = shared
        .repo
        .files()
        .map(|(p, _)| p.clone())
        .find(|p| p.starts_with(folder) && p.ends_with("-setup.sh"))
    else {
        return Ok(estate);
    };
    let mut engine = Engine::new(shared, station, platform, Faults::default(), estate)?;
    let dir = engine
        .station
        .sandbox
        .fresh("setup")
        .map_err(|e| RehearseError::Sandbox(e.to_string()))?;
    let stderr = dir.join("stderr");
    let program = format!(
        "exec >/dev/null 2>{}\ncd -- {} || exit 1\nexport CUTOVER_STEP=0 CUTOVER_PORT={} CUTOVER_TOKEN={} GH_TOKEN=rehearsal AZURE_DEVOPS_EXT_PAT=rehearsal\nbash {}\n",
        super::sandbox::quote(&stderr.display().to_string()),
        super::sandbox::quote(&engine.station.sandbox.repo().display().to_string()),
        engine.station.port(),
        super::sandbox::quote(&engine.token),
        super::sandbox::quote(&script),
    );
    let worker = engine
        .station
        .pool
        .run(&engine.station.sandbox, &program)
        .map_err(|e| RehearseError::Sandbox(e.to_string()))?;
    engine.processes.push(Process {
        run: SETUP,
        unit: 0,
        worker,
        alive: true,
        serial: 0,
        files: None,
        step: script.clone(),
        step_id: None,
        azure: true,
    });
    engine.active = Some(0);
    engine.dirty = false;
    engine.run_loop()?;
    if engine.setup_status != Some(0) {
        let text = std::fs::read_to_string(&stderr).unwrap_or_default();
        return Err(RehearseError::Setup {
            file: script,
            message: text
                .lines()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n"),
        });
    }
    let mut estate = engine.estate;
    if platform == Platform::Azure {
        for (name, protection) in super::fakes::api::devops_protections(&estate) {
            estate.environments.insert(name, protection);
        }
    }
    estate.log.clear();
    Ok(estate)
}

/// Rehearses one request on a station, from `estate`.
pub fn rehearse(
    shared: &Shared,
    station: &mut Station,
    request: &Request,
    estate: Estate,
) -> Result<Rehearsed, RehearseError> {
    let started = std::time::Instant::now();
    let mut engine = Engine::new(
        shared,
        station,
        request.platform,
        request.faults.clone(),
        estate,
    )?;
    engine.recording = request.record;
    match &request.resume {
        Some(checkpoint) => engine.resume(checkpoint)?,
        None => {
            engine.start_run(&request.entry, &request.branch, request.inputs.clone())?;
        }
    }
    for (target, after) in &engine.faults.health {
        if let Some(t) = engine.estate.targets.get_mut(*target) {
            t.unhealthy_after = Some(*after);
        }
    }
    for signal in &engine.faults.gates {
        if let Some(s) = engine.estate.gates.get_mut(*signal) {
            s.failing = true;
        }
    }
    for (router, endpoint) in &engine.faults.traffic {
        if let Some(e) = engine
            .estate
            .routers
            .get_mut(*router)
            .and_then(|r| r.endpoints.get_mut(*endpoint))
        {
            e.faulty = true;
        }
    }
    engine.converge = request.converge.clone().map(|c| (c, 0));
    let (scripts, calls) = (engine.scripts, engine.calls);
    let converged = engine.run_loop()?;
    let mut rehearsed = match (converged, request.converge.as_ref()) {
        (Some(point), Some(convergence)) => {
            let at = engine.now;
            let mut spliced = engine.splice(convergence, point);
            spliced.converged_at = Some(at);
            spliced
        }
        _ => {
            let points = std::mem::take(&mut engine.points);
            let unsorted = engine.estate.log.clone();
            let recording = engine.recording;
            let mut done = engine.finish();
            if recording {
                done.convergence = Some(Arc::new(converge::convergence(points, &done, unsorted)));
            }
            done
        }
    };
    rehearsed.scripts -= scripts;
    rehearsed.calls -= calls;
    rehearsed.resumed_at = request.resume.as_ref().map(|c| c.time());
    rehearsed.real_seconds = started.elapsed().as_secs_f64();
    Ok(rehearsed)
}

impl Engine<'_, '_> {
    /// Runs until nothing is left to do; returns the happy path's point when the scenario
    /// converged to it.
    fn run_loop(&mut self) -> Result<Option<(u64, usize, usize)>, RehearseError> {
        loop {
            // One process at a time: nothing else starts while a step runs.
            if self.active.is_some() {
                self.wait_message()?;
            } else if let Some(action) = self.ready.pop_front() {
                self.perform(action)?;
            } else {
                // Nothing runs and nothing is ready: a quiet moment to save a checkpoint, or to
                // notice that the scenario is back on the happy path.
                self.maybe_checkpoint()?;
                if let Some(point) = self.check_convergence() {
                    return Ok(Some(point));
                }
                if self.dirty {
                    self.dirty = false;
                    self.schedule()?;
                } else if let Some(Reverse((time, seq))) = self.timers.pop() {
                    self.now = self.now.max(time);
                    if let Some(index) = self.pending.iter().position(|(s, _)| *s == seq) {
                        let (_, action) = self.pending.swap_remove(index);
                        self.ready.push_back(action);
                    }
                } else {
                    return Ok(None);
                }
            }
        }
    }

    fn check_convergence(&mut self) -> Option<(u64, usize, usize)> {
        if self.recording && self.processes.iter().all(|p| !p.alive) {
            let mut points = std::mem::take(&mut self.points);
            self.record_point(&mut points);
            self.points = points;
        }
        let (convergence, checked) = self.converge.as_ref()?;
        if *checked == self.estate.log.len() || self.processes.iter().any(|p| p.alive) {
            return None;
        }
        let convergence = Arc::clone(convergence);
        let length = self.estate.log.len();
        if let Some((_, checked)) = self.converge.as_mut() {
            *checked = length;
        }
        self.converged(&convergence)
    }

    /// Schedules `action` after `seconds` of virtual time.
    fn later(&mut self, seconds: u64, action: Action) {
        self.seq += 1;
        self.timers.push(Reverse((self.now + seconds, self.seq)));
        self.pending.push((self.seq, action));
    }

    fn perform(&mut self, action: Action) -> Result<(), RehearseError> {
        match action {
            Action::Continue { run, unit } => self.continue_job(run, unit),
            Action::Reply { handle, call, code } => {
                if let Some(mut stream) = self.streams.remove(&call)
                    && self.processes.get(handle).is_some_and(|p| p.alive)
                {
                    let _ = stream.write_all(code.as_bytes());
                    self.active = Some(handle);
                }
                Ok(())
            }
            Action::StepEnded {
                run,
                unit,
                serial,
                ok,
                note,
            } => {
                if self.job(run, unit).is_some_and(|j| j.serial == serial) {
                    self.step_finished(run, unit, ok, &note)?;
                }
                Ok(())
            }
            Action::EnvironmentDecided {
                run,
                unit,
                ok,
                note,
            } => self.environment_decided(run, unit, ok, note),
            Action::Deadline {
                run,
                unit,
                serial,
                job,
            } => self.deadline(run, unit, serial, job),
        }
    }

    fn wait_message(&mut self) -> Result<(), RehearseError> {
        let message = match self.station.rx.recv_timeout(HUNG_AFTER) {
            Ok(message) => message,
            Err(_) => {
                if let Some(handle) = self.active {
                    let worker = self.processes[handle].worker;
                    self.station.pool.kill(worker);
                    let (run, unit) = (self.processes[handle].run, self.processes[handle].unit);
                    if let Some(job) = self.job_mut(run, unit) {
                        job.note =
                            "a step made no progress for 60 s of real time and was stopped".into();
                    }
                }
                return Ok(());
            }
        };
        match message {
            Message::Call(request, stream) => self.call(request, stream),
            Message::Started { worker, pid } => {
                self.station.pool.started(worker, pid);
                Ok(())
            }
            Message::Done { worker, status } => self.process_done(worker, status),
            Message::Gone { worker } => Err(RehearseError::Sandbox(format!(
                "bash worker {worker} ended unexpectedly"
            ))),
        }
    }

    fn process_done(&mut self, worker: usize, status: i32) -> Result<(), RehearseError> {
        self.station.pool.done(worker);
        let Some(handle) = self
            .processes
            .iter()
            .position(|p| p.alive && p.worker == worker)
        else {
            return Ok(());
        };
        self.processes[handle].alive = false;
        if self.active == Some(handle) {
            self.active = None;
        }
        if self.processes[handle].run == SETUP {
            self.setup_status = Some(status);
            return Ok(());
        }
        let (run, unit, serial) = (
            self.processes[handle].run,
            self.processes[handle].unit,
            self.processes[handle].serial,
        );
        if self.job(run, unit).is_some_and(|j| j.serial == serial) {
            self.script_finished(run, unit, status, handle)?;
        }
        Ok(())
    }

    fn job(&self, run: usize, unit: usize) -> Option<&job::JobRun> {
        self.runs.get(run)?.units.get(unit)?.job.as_ref()
    }

    fn job_mut(&mut self, run: usize, unit: usize) -> Option<&mut job::JobRun> {
        self.runs.get_mut(run)?.units.get_mut(unit)?.job.as_mut()
    }

    /// The timeline of every unit of every run, in start order.
    fn finish_timeline(&self) -> Vec<Entry> {
        let mut timeline = Vec::new();
        for (index, run) in self.runs.iter().enumerate() {
            for (u, state) in run.units.iter().enumerate() {
                let unit = &run.pipeline.units[u];
                timeline.push(Entry {
                    run: index,
                    path: unit.path.clone(),
                    name: unit.name.clone(),
                    job: matches!(unit.kind, super::model::UnitKind::Job(_)),
                    start: state.start,
                    end: state.end,
                    outcome: state.outcome.unwrap_or(Outcome::Skipped),
                    note: state.note.clone(),
                });
            }
        }
        timeline.sort_by_key(|e| (e.start.is_none(), e.start, e.run));
        timeline
    }

    fn finish(self) -> Rehearsed {
        let timeline = self.finish_timeline();
        let runs = self
            .runs
            .iter()
            .map(|r| (r.pipeline.file.clone(), graph::run_outcome(r)))
            .collect();
        let mut estate = self.estate;
        estate.log.sort_by_key(|e| e.time);
        Rehearsed {
            timeline,
            estate,
            runs,
            scripts: self.scripts,
            calls: self.calls,
            failures: self.failures,
            checkpoints: self.checkpoints,
            resumed_at: None,
            real_seconds: 0.0,
            convergence: None,
            converged_at: None,
        }
    }
}

/// The flags of a fresh job.
fn fresh_flags(platform: Platform, permissions: Option<super::model::Permissions>) -> JobFlags {
    JobFlags {
        token_scopes: (platform == Platform::GitHub).then(|| permissions.unwrap_or_default()),
        ..JobFlags::default()
    }
}
