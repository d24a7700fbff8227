//! The rehearsal: runs the exported pipeline files themselves — read back from the repository, never
//! the release IR — under a simulator of each platform's semantics, against a simulated estate, with
//! injected faults, and judges what happened.
//!
//! Pure parts: [`yaml`], [`expr`], [`github`], [`azure`] and [`template`] read the files into the
//! platform-neutral [`model`]; [`estate`], [`fakes`], [`scenario`], [`verdict`] and [`report`] are
//! data and functions over it. Side effects are confined to [`sandbox`] (a temporary folder) and
//! [`workers`]/[`server`] (bash processes and the localhost socket the fake tools call back on);
//! [`engine`] schedules over them. [`load`] reads an export folder from disk.

pub mod azure;
mod azure_steps;
pub mod engine;
pub mod estate;
pub mod expr;
pub mod facts;
pub mod fakes;
pub mod github;
mod graph;
pub mod load;
pub mod model;
mod reader;
pub mod report;
pub mod sandbox;
pub mod scenario;
pub mod server;
pub mod template;
pub mod verdict;
pub mod workers;
pub mod yaml;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Map, Value as Json};

use crate::plan::Plan;
use engine::{Catalog, Decision, Faults, Rehearsed, Request, Shared, Station};
use estate::Estate;
use facts::Facts;
use fakes::Surface;
use model::{Loc, Pipeline, Platform};
use scenario::{Fault, Scenario};
use verdict::Verdict;

/// The files of a repository, by path relative to its root (with `/`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repository {
    files: BTreeMap<String, String>,
}

impl Repository {
    /// Adds (or replaces) a file.
    pub fn insert(&mut self, path: &str, text: &str) {
        self.files
            .insert(path.trim_start_matches("./").to_owned(), text.to_owned());
    }

    /// A file's text.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files
            .get(path.trim_start_matches("./"))
            .map(String::as_str)
    }

    /// Every file, by path.
    pub fn files(&self) -> impl Iterator<Item = (&String, &String)> {
        self.files.iter()
    }

    /// The files of a fresh export.
    pub fn from_export(export: &crate::export::Export) -> Self {
        let mut repo = Repository::default();
        for file in &export.files {
            repo.insert(&file.path, &file.contents);
        }
        repo
    }
}

/// Why a rehearsal could not be carried out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RehearseError {
    /// The export holds something the rehearsal does not understand (or that is wrong).
    #[error("{loc}: {message}")]
    Unsupported {
        /// Where.
        loc: Loc,
        /// What.
        message: String,
    },
    /// A file the rehearsal needs is not in the repository.
    #[error("{0}: no such file in the repository")]
    MissingFile(String),
    /// A file is not valid YAML.
    #[error("{file}: {message}")]
    Yaml {
        /// The file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// The environment setup script failed against the fake APIs.
    #[error("{file}: the environment setup script failed: {message}")]
    Setup {
        /// The script.
        file: String,
        /// Its last lines of standard error.
        message: String,
    },
    /// A fault spec is wrong.
    #[error("{0}")]
    Fault(String),
    /// The sandbox or its processes failed.
    #[error("the rehearsal's sandbox failed: {0}")]
    Sandbox(String),
    /// The release is a chain of pipelines (a plan too large for one file per platform), which the
    /// rehearsal does not run yet: the named file is the chain's second part.
    #[error(
        "{0}: the release is a chain of pipelines (each part starts the next), which the rehearsal does not support yet; rehearse a plan whose release fits one file per platform"
    )]
    Chained(String),
}

/// Loads one pipeline file of a platform into the run model.
pub fn load_pipeline(
    repo: &Repository,
    platform: Platform,
    file: &str,
    inputs: &Map<String, Json>,
    variables: &Json,
) -> Result<Pipeline, RehearseError> {
    match platform {
        Platform::GitHub => github::load(repo, file),
        Platform::Azure => azure::load(repo, file, inputs, variables),
    }
}

/// Which scenarios to rehearse.
#[derive(Debug, Clone)]
pub enum Selection {
    /// The happy path only.
    HappyPath,
    /// One scenario with these faults (on every pipeline they apply to).
    Faults(Vec<Fault>),
    /// The happy path and every single fault the plan allows.
    AllSingleFaults,
    /// The happy path and the single faults the plan allows that this function keeps (a sample
    /// chosen by the caller; each resumes from the happy path's checkpoints like the full list).
    SingleFaultsWhere(fn(&Fault) -> bool),
}

impl Selection {
    /// Whether it runs single-fault scenarios after the happy path.
    fn single_faults(&self) -> bool {
        matches!(
            self,
            Selection::AllSingleFaults | Selection::SingleFaultsWhere(_)
        )
    }
}

/// What to rehearse and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The platforms.
    pub platforms: Vec<Platform>,
    /// The scenarios.
    pub selection: Selection,
    /// Scenarios run side by side (one sandbox each); 0 for one per core.
    pub threads: usize,
    /// Folders to treat as committed to the repository (with a placeholder file), e.g. a static
    /// site's built files that an export expects to find in a fresh checkout.
    pub committed: Vec<String>,
    /// Whether fault scenarios resume from checkpoints of the happy path (same results, faster).
    pub checkpoints: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platforms: Platform::BOTH.to_vec(),
            selection: Selection::HappyPath,
            threads: 0,
            committed: Vec::new(),
            checkpoints: true,
        }
    }
}

/// A pipeline of the plan: the release or a runbook's hotfix.
#[derive(Debug, Clone)]
pub struct PipelineRef {
    /// `release` or `hotfix RUNBOOK`.
    pub name: String,
    /// The runbook id, for a hotfix.
    pub runbook: Option<String>,
    /// The file stem (`meridian-claims-release`).
    pub stem: String,
    /// The services it deploys.
    pub services: Vec<String>,
    /// Where it deploys them, in rollout order: (environment, region).
    pub places: Vec<(String, Option<String>)>,
    /// The environment it deploys to last, which fault spots without one refer to.
    pub environment: String,
    /// The branch runs start from.
    pub branch: String,
}

impl PipelineRef {
    /// Its file on a platform.
    pub fn file(&self, platform: Platform) -> String {
        match platform {
            Platform::GitHub => format!(".github/workflows/{}.yml", self.stem),
            Platform::Azure => format!("azure-pipelines/{}.yml", self.stem),
        }
    }
}

/// The environments a hotfix deploys to, in order (as the release IR's lowering decides).
fn hotfix_path<'p>(
    plan: &'p Plan,
    runbook: &'p crate::plan::HotfixRunbook,
) -> Vec<&'p crate::plan::Id> {
    let mut path = vec![&runbook.environment];
    if runbook.environment != plan.rollout.environment {
        path.push(&plan.rollout.environment);
    }
    path
}

/// The places (environment, region) of the environments `ids`, in rollout order.
fn places_of(plan: &Plan, ids: &[&crate::plan::Id]) -> Vec<(String, Option<String>)> {
    let mut places = Vec::new();
    for id in ids {
        let Some(environment) = plan.environment(id) else {
            continue;
        };
        let regions = plan.regions_of(environment);
        if regions.is_empty() {
            places.push((id.as_str().to_owned(), None));
        }
        for region in regions {
            places.push((id.as_str().to_owned(), Some(region.id.as_str().to_owned())));
        }
    }
    places
}

/// The release and the hotfix pipelines of a plan.
pub fn pipelines(plan: &Plan) -> Vec<PipelineRef> {
    let stem = crate::release::file_stem(&plan.name);
    let path: Vec<&crate::plan::Id> = plan
        .rollout
        .promote_through
        .iter()
        .chain(std::iter::once(&plan.rollout.environment))
        .collect();
    let mut out = vec![PipelineRef {
        name: "release".into(),
        runbook: None,
        stem: format!("{stem}-release"),
        services: plan
            .services
            .iter()
            .map(|s| s.id.as_str().to_owned())
            .collect(),
        places: places_of(plan, &path),
        environment: plan.rollout.environment.as_str().to_owned(),
        branch: plan.platforms.repository.main_branch.clone(),
    }];
    for runbook in &plan.runbooks {
        out.push(PipelineRef {
            name: format!("hotfix {}", runbook.id),
            runbook: Some(runbook.id.as_str().to_owned()),
            stem: format!(
                "{stem}-hotfix-{}",
                crate::release::file_stem(runbook.id.as_str())
            ),
            services: runbook
                .services
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect(),
            // The runbook's environment, then production when that is another one: a
            // production-like hotfix environment proves the fix before production gets it.
            places: places_of(plan, &hotfix_path(plan, runbook)),
            environment: hotfix_path(plan, runbook)
                .last()
                .map_or_else(String::new, |e| e.as_str().to_owned()),
            branch: runbook.branch_pattern.replace('*', "rehearsal"),
        });
    }
    out
}

/// One scenario of one pipeline on one platform, with its verdicts.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The pipeline (`release`, `hotfix RUNBOOK`).
    pub pipeline: String,
    /// The platform.
    pub platform: Platform,
    /// Where the pipeline deploys, in rollout order: (environment, region).
    pub places: Vec<(String, Option<String>)>,
    /// The scenario.
    pub scenario: Scenario,
    /// What happened.
    pub rehearsed: Rehearsed,
    /// The verdicts.
    pub verdicts: Vec<Verdict>,
}

/// A whole rehearsal.
#[derive(Debug, Clone)]
pub struct Rehearsal {
    /// The plan's name.
    pub plan: String,
    /// Every scenario result, in a stable order.
    pub results: Vec<ScenarioResult>,
    /// Parity per pipeline and scenario rehearsed on both platforms.
    pub parity: Vec<(String, String, Verdict)>,
    /// Counts and time.
    pub stats: Stats,
}

/// How much work a rehearsal did.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Scenario runs.
    pub scenarios: usize,
    /// Script steps run as bash.
    pub scripts: usize,
    /// Fake-tool calls answered.
    pub calls: usize,
    /// Bash worker processes started.
    pub workers: usize,
    /// Real seconds taken.
    pub seconds: f64,
}

impl Rehearsal {
    /// Whether every verdict holds.
    pub fn holds(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.verdicts.iter().all(|v| v.holds))
            && self.parity.iter().all(|(_, _, v)| v.holds)
    }
}

/// One unit of work: a pipeline, a platform, a scenario.
#[derive(Debug, Clone)]
struct Task {
    pipeline: usize,
    platform: Platform,
    scenario: Scenario,
    /// Save checkpoints (a happy path that fault scenarios resume from).
    record: bool,
    /// Resume from this checkpoint.
    resume: Option<std::sync::Arc<engine::Checkpoint>>,
    /// End as this happy path once back on it.
    converge: Option<std::sync::Arc<engine::Convergence>>,
}

/// The repository the rehearsal runs in: `repo`, with the files a repository of the plan holds
/// besides the export (manifests) and the folders the options say are committed.
fn prepared(repo: &Repository, facts: &Facts, options: &Options) -> Repository {
    let mut repo = repo.clone();
    for (path, text) in &facts.repository_files {
        if repo.get(path).is_none() {
            repo.insert(path, text);
        }
    }
    for folder in &options.committed {
        repo.insert(
            &format!("{}/index.html", folder.trim_end_matches('/')),
            "<html>committed</html>\n",
        );
    }
    repo
}

/// The happy path of every pipeline on every platform.
fn happy_tasks(pipelines: usize, platforms: &[Platform], record: bool) -> Vec<Task> {
    (0..pipelines)
        .flat_map(|i| {
            platforms.iter().map(move |p| Task {
                pipeline: i,
                platform: *p,
                scenario: Scenario::default(),
                record,
                resume: None,
                converge: None,
            })
        })
        .collect()
}

/// Rehearses the pipelines of `plan` found in `repo`.
pub fn rehearse(
    plan: &Plan,
    repo: &Repository,
    options: &Options,
) -> Result<Rehearsal, RehearseError> {
    let started = Instant::now();
    let facts = Facts::of(plan);
    let repo = prepared(repo, &facts, options);
    let surface = Surface::builtin();
    let catalog = Catalog::default();
    let jq = Mutex::new(std::collections::HashMap::new());
    let record = options.checkpoints && options.selection.single_faults();
    let store = if record {
        Some(engine::Store::create().map_err(|e| RehearseError::Sandbox(e.to_string()))?)
    } else {
        None
    };
    let shared = Shared {
        repo: &repo,
        facts: &facts,
        catalog: &catalog,
        surface: &surface,
        jq: &jq,
        store: store.as_ref(),
    };
    let pipelines: Vec<PipelineRef> = pipelines(plan)
        .into_iter()
        .filter(|p| {
            p.runbook.is_none()
                || options
                    .platforms
                    .iter()
                    .any(|pl| repo.get(&p.file(*pl)).is_some())
        })
        .collect();
    for pipeline in pipelines.iter().filter(|p| p.runbook.is_none()) {
        for platform in &options.platforms {
            let part = pipeline.file(*platform).replace(
                &pipeline.stem,
                &crate::release::chain::part_stem(&pipeline.stem, 2),
            );
            if repo.get(&part).is_some() {
                return Err(RehearseError::Chained(part));
            }
        }
    }
    let threads = match options.threads {
        0 => std::env::var("CUTOVER_THREADS")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        n => n,
    };
    let mut stations: Vec<Station> = (0..threads.max(1))
        .map(|_| Station::new(&repo))
        .collect::<Result<_, _>>()?;
    let mut bases = BTreeMap::new();
    for platform in &options.platforms {
        let base = engine::setup(
            &shared,
            &mut stations[0],
            *platform,
            Estate::from_plan(plan),
        )?;
        bases.insert(*platform, base);
    }
    let happy = happy_tasks(pipelines.len(), &options.platforms, record);
    let (mut results, more) = match &options.selection {
        Selection::Faults(faults) => (Vec::new(), fault_tasks(plan, &pipelines, options, faults)?),
        Selection::HappyPath => (
            run_tasks(plan, &shared, &pipelines, &bases, &mut stations, happy)?,
            Vec::new(),
        ),
        Selection::AllSingleFaults | Selection::SingleFaultsWhere(_) => {
            let results = run_tasks(plan, &shared, &pipelines, &bases, &mut stations, happy)?;
            let more = single_fault_tasks(plan, &pipelines, options, &results, &bases);
            (results, more)
        }
    };
    results.extend(run_tasks(
        plan,
        &shared,
        &pipelines,
        &bases,
        &mut stations,
        more,
    )?);
    let parity = parity(&results);
    let stats = Stats {
        scenarios: results.len(),
        scripts: results.iter().map(|r| r.rehearsed.scripts).sum(),
        calls: results.iter().map(|r| r.rehearsed.calls).sum(),
        workers: stations.iter().map(Station::workers_started).sum(),
        seconds: started.elapsed().as_secs_f64(),
    };
    Ok(Rehearsal {
        plan: plan.name.clone(),
        results,
        parity,
        stats,
    })
}

fn fault_tasks(
    plan: &Plan,
    pipelines: &[PipelineRef],
    options: &Options,
    faults: &[Fault],
) -> Result<Vec<Task>, RehearseError> {
    let mut tasks = Vec::new();
    for (index, pipeline) in pipelines.iter().enumerate() {
        let applies = faults.iter().any(|f| match f {
            Fault::Health { spot, .. } | Fault::Deploy { spot, .. } => {
                pipeline.services.contains(&spot.service)
                    && spot
                        .environment
                        .as_ref()
                        .is_none_or(|e| pipeline.places.iter().any(|(pe, _)| pe == e))
            }
            Fault::Migration { .. } | Fault::Gate { .. } | Fault::Traffic { .. } => {
                pipeline.runbook.is_none()
            }
            Fault::Approval { .. } => true,
        });
        if applies {
            for platform in &options.platforms {
                tasks.push(Task {
                    pipeline: index,
                    platform: *platform,
                    scenario: Scenario {
                        faults: faults.to_vec(),
                    },
                    record: false,
                    resume: None,
                    converge: None,
                });
            }
        }
    }
    if tasks.is_empty() {
        return Err(RehearseError::Fault(format!(
            "no pipeline of {} deploys what the faults name",
            plan.name
        )));
    }
    Ok(tasks)
}

fn single_fault_tasks(
    plan: &Plan,
    pipelines: &[PipelineRef],
    options: &Options,
    happy: &[ScenarioResult],
    bases: &BTreeMap<Platform, Estate>,
) -> Vec<Task> {
    let mut tasks = Vec::new();
    for (index, pipeline) in pipelines.iter().enumerate() {
        let approvals = happy
            .iter()
            .filter(|r| r.pipeline == pipeline.name)
            .map(|r| {
                r.rehearsed
                    .estate
                    .log
                    .iter()
                    .filter(|e| matches!(e.kind, estate::EventKind::Approval { .. }))
                    .count()
            })
            .max()
            .unwrap_or(0);
        for scenario in scenario::single_faults(
            plan,
            &pipeline.services,
            &pipeline.places,
            pipeline.runbook.is_none(),
            approvals,
        ) {
            if let Selection::SingleFaultsWhere(keep) = options.selection
                && !scenario.faults.iter().all(keep)
            {
                continue;
            }
            for platform in &options.platforms {
                let recorded = happy
                    .iter()
                    .find(|r| r.pipeline == pipeline.name && r.platform == *platform);
                let checkpoints = recorded
                    .map(|r| r.rehearsed.checkpoints.as_slice())
                    .unwrap_or_default();
                let converge = recorded.and_then(|r| r.rehearsed.convergence.clone());
                let resume = bases
                    .get(platform)
                    .and_then(|base| {
                        engine::latest(checkpoints, &resolve(&scenario, base, pipeline))
                    })
                    .cloned();
                tasks.push(Task {
                    pipeline: index,
                    platform: *platform,
                    scenario: scenario.clone(),
                    record: false,
                    resume,
                    converge,
                });
            }
        }
    }
    tasks
}

/// Runs tasks on the stations side by side, in a stable order of results.
fn run_tasks(
    plan: &Plan,
    shared: &Shared,
    pipelines: &[PipelineRef],
    bases: &BTreeMap<Platform, Estate>,
    stations: &mut [Station],
    tasks: Vec<Task>,
) -> Result<Vec<ScenarioResult>, RehearseError> {
    let count = tasks.len();
    let queue = Mutex::new(tasks.into_iter().enumerate().collect::<VecDeque<_>>());
    let done: Mutex<Vec<Option<Result<ScenarioResult, RehearseError>>>> =
        Mutex::new(vec![None; count]);
    std::thread::scope(|scope| {
        for station in stations.iter_mut() {
            let (queue, done) = (&queue, &done);
            scope.spawn(move || {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                    let Some((index, task)) = next else { break };
                    let result = run_task(plan, shared, pipelines, bases, station, &task);
                    if let Ok(mut done) = done.lock() {
                        done[index] = Some(result);
                    }
                }
            });
        }
    });
    let done = done
        .into_inner()
        .map_err(|_| RehearseError::Sandbox("a rehearsal thread panicked".into()))?;
    done.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(RehearseError::Sandbox("a scenario was not run".into()))))
        .collect()
}

/// The value a person starting a run gives each input it requires without a default (the hotfix's
/// incident): `REHEARSAL` for text, the first allowed value of a choice. A file that does not parse
/// gets no inputs here; loading it reports the error with its line.
fn entry_inputs(repo: &Repository, platform: Platform, file: &str) -> Map<String, Json> {
    let mut inputs = Map::new();
    let Some(root) = repo.get(file).and_then(|text| yaml::parse(text).ok()) else {
        return inputs;
    };
    let value = |spec: &yaml::Node| match spec.get("options").or_else(|| spec.get("values")) {
        Some(choices) => choices
            .items()
            .and_then(|c| c.first())
            .map_or(Json::String("REHEARSAL".into()), yaml::Node::to_json),
        None => Json::String("REHEARSAL".into()),
    };
    match platform {
        Platform::Azure => {
            for spec in root
                .get("parameters")
                .and_then(yaml::Node::items)
                .unwrap_or_default()
            {
                if spec.get("default").is_none()
                    && let Some(name) = spec.get("name").and_then(yaml::Node::scalar)
                {
                    inputs.insert(name, value(spec));
                }
            }
        }
        Platform::GitHub => {
            let declared = root
                .get("on")
                .and_then(|on| on.get("workflow_dispatch"))
                .and_then(|d| d.get("inputs"))
                .and_then(yaml::Node::entries)
                .unwrap_or_default();
            for entry in declared {
                let required = entry
                    .value
                    .get("required")
                    .and_then(yaml::Node::scalar)
                    .is_some_and(|r| r == "true");
                if required && entry.value.get("default").is_none() {
                    inputs.insert(entry.key.clone(), value(&entry.value));
                }
            }
        }
    }
    inputs
}

fn run_task(
    plan: &Plan,
    shared: &Shared,
    pipelines: &[PipelineRef],
    bases: &BTreeMap<Platform, Estate>,
    station: &mut Station,
    task: &Task,
) -> Result<ScenarioResult, RehearseError> {
    let pipeline = &pipelines[task.pipeline];
    let estate = bases
        .get(&task.platform)
        .cloned()
        .unwrap_or_else(|| Estate::from_plan(plan));
    let faults = resolve(&task.scenario, &estate, pipeline);
    let request = Request {
        platform: task.platform,
        entry: pipeline.file(task.platform),
        branch: pipeline.branch.clone(),
        inputs: entry_inputs(shared.repo, task.platform, &pipeline.file(task.platform)),
        faults,
        record: task.record,
        resume: task.resume.clone(),
        converge: task.converge.clone(),
    };
    let rehearsed = engine::rehearse(shared, station, &request, estate)?;
    let hotfix = pipeline
        .runbook
        .as_ref()
        .and_then(|id| plan.runbooks.iter().find(|r| r.id.as_str() == id));
    let subject = verdict::Subject {
        plan,
        services: &pipeline.services,
        places: &pipeline.places,
        environment: &pipeline.environment,
        hotfix,
        migrations: pipeline.runbook.is_none(),
        scenario: &task.scenario,
        rehearsed: &rehearsed,
    };
    let verdicts = verdict::judge(&subject);
    Ok(ScenarioResult {
        pipeline: pipeline.name.clone(),
        platform: task.platform,
        places: pipeline.places.clone(),
        scenario: task.scenario.clone(),
        rehearsed,
        verdicts,
    })
}

/// The scenario's faults on the estate's targets.
fn resolve(scenario: &Scenario, estate: &Estate, pipeline: &PipelineRef) -> Faults {
    let target = |spot: &scenario::Spot| {
        let environment = spot.environment.as_deref().unwrap_or(&pipeline.environment);
        estate.target_of(&spot.service, environment, spot.region.as_deref())
    };
    let mut faults = Faults::default();
    for fault in &scenario.faults {
        match fault {
            Fault::Health { spot, after } => {
                faults.health.extend(target(spot).map(|t| (t, *after)))
            }
            Fault::Deploy { spot, tries } => {
                faults.deploy.extend(target(spot).map(|t| (t, *tries)))
            }
            Fault::Approval { which, timeout } => {
                let decision = if *timeout {
                    Decision::Timeout
                } else {
                    Decision::Reject
                };
                faults.approvals.push((which.clone(), decision));
            }
            Fault::Migration { migration, phase } => faults
                .migrations
                .push((migration.clone(), (*phase).to_owned())),
            Fault::Gate {
                gate,
                environment,
                region,
            } => faults.gates.extend(estate.gate_signal(
                gate,
                environment.as_deref(),
                region.as_deref(),
            )),
            Fault::Traffic { route, region } => {
                let lead = estate.routers.iter().find(|r| r.route == *route);
                let region = region.as_deref().or(lead.map(|r| r.lead.as_str()));
                if let Some(region) = region {
                    faults.traffic.extend(estate.router_endpoint(route, region));
                }
            }
        }
    }
    faults
}

fn parity(results: &[ScenarioResult]) -> Vec<(String, String, Verdict)> {
    let mut out = Vec::new();
    for a in results.iter().filter(|r| r.platform == Platform::GitHub) {
        if let Some(b) = results.iter().find(|r| {
            r.platform == Platform::Azure && r.pipeline == a.pipeline && r.scenario == a.scenario
        }) {
            out.push((
                a.pipeline.clone(),
                a.scenario.name(),
                verdict::parity(&a.rehearsed, &b.rehearsed),
            ));
        }
    }
    out
}
