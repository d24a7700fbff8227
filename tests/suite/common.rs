//! Helpers shared by the integration tests: running the `cutover` binary, finding the examples, and
//! checking a deployment order against its plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cutover::analysis::{DeploymentOrder, Step};
use cutover::plan::{Id, Plan};

/// What one run of the binary produced.
pub struct Run {
    /// The exit code (`None` if killed by a signal, which a panic-free binary never is).
    pub code: Option<i32>,
    /// Standard output, as text.
    pub stdout: String,
    /// Standard error, as text.
    pub stderr: String,
}

impl Run {
    /// Standard output parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `cutover` with `args` and collects what it printed.
pub fn cutover<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .output()
        .expect("the cutover binary runs");
    let run = Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "cutover panicked:\n{}",
        run.stderr
    );
    run
}

/// The repository's `examples/` folder.
pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The `.ron` files directly in `dir`, sorted by name.
pub fn ron_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "ron"))
        .collect();
    files.sort();
    files
}

/// Where a step happens: its environment (when the plan promotes through several) and its region.
type Spot = (Option<Id>, Option<Id>);

/// Checks everything a deployment order promises about `plan`, and panics with the reason if it breaks
/// a promise:
///
/// - every service deploys exactly once in every region of every environment of the promotion path
///   (once per environment, without a region, for a global database or a plan without regions);
/// - within an environment and region, a service deploys in a later wave than everything it depends on
///   (a global dependency in its environment);
/// - regions go in the environment's order, each validated before the next starts; environments go in
///   the path's order;
/// - a migration's expand runs before anything deploys where its database is, and its contract after
///   everything; no wave is empty, and each wave holds one kind of step.
pub fn assert_order_respects_plan(plan: &Plan, order: &DeploymentOrder) {
    let waves = OrderWaves::of(plan, order);
    let path = plan.promotion_path();
    let promoting = path.len() > 1;
    let mut expected_deploys = 0;
    let mut previous_environment_last: Option<usize> = None;
    for environment in &path {
        let env = promoting.then(|| environment.id.clone());
        let regions: Vec<Option<Id>> = if plan.regions.is_empty() {
            vec![None]
        } else {
            plan.regions_of(environment)
                .iter()
                .map(|r| Some(r.id.clone()))
                .collect()
        };
        let environment_waves = waves.every_service_deploys(plan, &env, &regions);
        expected_deploys += environment_waves.len();
        waves.dependencies_first(plan, &env, &regions);
        waves.regions_in_order(plan, &env, &regions);
        let first = environment_waves.iter().copied().min().unwrap_or(0);
        if let Some(previous) = previous_environment_last {
            assert!(
                first > previous,
                "{} starts before the environment before it is done",
                environment.id
            );
        }
        previous_environment_last = environment_waves.iter().copied().max();
    }
    assert_eq!(
        waves.deploy.len(),
        expected_deploys,
        "deploys outside the promotion path"
    );
    let last_other = waves
        .deploy
        .values()
        .chain(waves.validate.values())
        .chain(waves.expand.values())
        .copied()
        .max();
    for wave in &waves.contract {
        assert!(
            last_other.is_none_or(|last| *wave > last),
            "a contract is not last"
        );
    }
}

/// The wave of every step of an order, by what it acts on and where.
struct OrderWaves {
    deploy: BTreeMap<(Id, Spot), usize>,
    validate: BTreeMap<Spot, usize>,
    expand: BTreeMap<(Id, Spot), usize>,
    contract: Vec<usize>,
}

impl OrderWaves {
    /// Reads `order`, checking that no wave is empty or mixed and no step repeats.
    fn of(plan: &Plan, order: &DeploymentOrder) -> Self {
        let promoting = plan.promotion_path().len() > 1;
        let mut waves = OrderWaves {
            deploy: BTreeMap::new(),
            validate: BTreeMap::new(),
            expand: BTreeMap::new(),
            contract: Vec::new(),
        };
        for (index, wave) in order.waves.iter().enumerate() {
            assert!(!wave.steps.is_empty(), "wave {index} is empty");
            let kinds: std::collections::HashSet<_> =
                wave.steps.iter().map(std::mem::discriminant).collect();
            assert_eq!(
                kinds.len(),
                1,
                "wave {index} mixes kinds of steps: {wave:?}"
            );
            for step in &wave.steps {
                waves.add(plan, promoting, step, index);
            }
        }
        waves
    }

    fn add(&mut self, plan: &Plan, promoting: bool, step: &Step, index: usize) {
        match step {
            Step::Expand {
                migration,
                environment,
                region,
            } => {
                let spot = (environment.clone(), region.clone());
                let earlier = self.expand.insert((migration.clone(), spot), index);
                assert!(
                    earlier.is_none(),
                    "{migration} expands twice in {environment:?} {region:?}"
                );
            }
            Step::Contract { .. } => self.contract.push(index),
            Step::Deploy {
                service,
                environment,
                region,
            } => {
                assert_eq!(
                    environment.is_some(),
                    promoting,
                    "{service}: environment given only when promoting"
                );
                let spot = (environment.clone(), region.clone());
                let earlier = self.deploy.insert((service.clone(), spot), index);
                assert!(
                    earlier.is_none(),
                    "{service} deploys twice in {environment:?} {region:?}"
                );
            }
            Step::Validate {
                region,
                environment,
                minutes,
            } => {
                let declared = plan.region(region).expect("validated region exists");
                assert_eq!(*minutes, declared.validation_minutes, "{region}");
                assert!(*minutes > 0, "a zero window is no step at all");
                let spot = (environment.clone(), Some(region.clone()));
                assert!(self.validate.insert(spot, index).is_none());
            }
        }
    }

    /// Every service deploys once in every region of the environment (once for a global one); returns
    /// the waves it deploys in.
    fn every_service_deploys(
        &self,
        plan: &Plan,
        env: &Option<Id>,
        regions: &[Option<Id>],
    ) -> Vec<usize> {
        let mut waves = Vec::new();
        for service in &plan.services {
            let spots: Vec<Spot> = if service.is_global() {
                vec![(env.clone(), None)]
            } else {
                regions.iter().map(|r| (env.clone(), r.clone())).collect()
            };
            for spot in spots {
                let wave = self.deploy.get(&(service.id.clone(), spot.clone()));
                assert!(wave.is_some(), "{} never deploys in {spot:?}", service.id);
                waves.extend(wave.copied());
            }
        }
        waves
    }

    fn at(service: &cutover::plan::Service, env: &Option<Id>, region: &Option<Id>) -> Spot {
        (
            env.clone(),
            if service.is_global() {
                None
            } else {
                region.clone()
            },
        )
    }

    /// Within each region, a service deploys after everything it depends on.
    fn dependencies_first(&self, plan: &Plan, env: &Option<Id>, regions: &[Option<Id>]) {
        for dependency in &plan.dependencies {
            let (Some(dependent), Some(on)) = (
                plan.service(&dependency.service),
                plan.service(&dependency.on),
            ) else {
                continue;
            };
            for region in regions {
                let after = self.deploy[&(dependent.id.clone(), Self::at(dependent, env, region))];
                let before = self.deploy[&(on.id.clone(), Self::at(on, env, region))];
                assert!(
                    before < after,
                    "{} (wave {after}) is not after {} (wave {before}) in {region:?}",
                    dependent.id,
                    on.id
                );
            }
        }
    }

    /// Regions go in order, each validated before the next starts, each after its expands.
    fn regions_in_order(&self, plan: &Plan, env: &Option<Id>, regions: &[Option<Id>]) {
        let span = |region: &Option<Id>| -> (usize, usize) {
            let waves: Vec<usize> = plan
                .services
                .iter()
                .filter(|s| !s.is_global())
                .filter_map(|s| {
                    self.deploy
                        .get(&(s.id.clone(), (env.clone(), region.clone())))
                        .copied()
                })
                .collect();
            (
                waves.iter().copied().min().unwrap_or(0),
                waves.iter().copied().max().unwrap_or(0),
            )
        };
        for (index, region) in regions.iter().enumerate() {
            let (first, last) = span(region);
            let validation = self.validate.get(&(env.clone(), region.clone())).copied();
            if let Some(validation) = validation {
                assert!(validation > last, "{region:?} validated too early");
            }
            for migration in plan.migrations.iter().filter(|m| !m.expand.is_empty()) {
                let global = plan
                    .service(&migration.database)
                    .is_some_and(|d| d.is_global());
                let spot = (env.clone(), if global { None } else { region.clone() });
                let expand = self.expand.get(&(migration.id.clone(), spot.clone()));
                assert!(
                    expand.is_some(),
                    "{} never expands in {spot:?}",
                    migration.id
                );
                assert!(
                    expand.copied().unwrap_or(0) < first,
                    "{} expands after deploys in {spot:?}",
                    migration.id
                );
            }
            if let Some(next) = regions.get(index + 1) {
                let (next_first, _) = span(next);
                assert!(
                    next_first > validation.unwrap_or(last),
                    "{next:?} starts before {region:?} is done"
                );
            }
        }
    }
}
