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
    let path = plan.promotion_path();
    let promoting = path.len() > 1;
    let mut deploy_wave: BTreeMap<(Id, Spot), usize> = BTreeMap::new();
    let mut validate_wave: BTreeMap<Spot, usize> = BTreeMap::new();
    let mut expand_wave: BTreeMap<(Id, Spot), usize> = BTreeMap::new();
    let mut contract_waves: Vec<usize> = Vec::new();
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
            match step {
                Step::Expand {
                    migration,
                    environment,
                    region,
                } => {
                    let earlier = expand_wave.insert(
                        (migration.clone(), (environment.clone(), region.clone())),
                        index,
                    );
                    assert!(
                        earlier.is_none(),
                        "{migration} expands twice in {environment:?} {region:?}"
                    );
                }
                Step::Contract { .. } => contract_waves.push(index),
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
                    let earlier = deploy_wave.insert(
                        (service.clone(), (environment.clone(), region.clone())),
                        index,
                    );
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
                    assert!(
                        validate_wave
                            .insert((environment.clone(), Some(region.clone())), index)
                            .is_none()
                    );
                }
            }
        }
    }
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
        let at = |service: &cutover::plan::Service, region: &Option<Id>| -> Spot {
            (
                env.clone(),
                if service.is_global() {
                    None
                } else {
                    region.clone()
                },
            )
        };
        let mut environment_waves = Vec::new();
        for service in &plan.services {
            let spots: Vec<Spot> = if service.is_global() {
                vec![(env.clone(), None)]
            } else {
                regions.iter().map(|r| (env.clone(), r.clone())).collect()
            };
            for spot in spots {
                let wave = deploy_wave.get(&(service.id.clone(), spot.clone()));
                assert!(wave.is_some(), "{} never deploys in {spot:?}", service.id);
                environment_waves.extend(wave.copied());
                expected_deploys += 1;
            }
        }
        // Dependencies first.
        for dependency in &plan.dependencies {
            let (Some(dependent), Some(on)) = (
                plan.service(&dependency.service),
                plan.service(&dependency.on),
            ) else {
                continue;
            };
            for region in &regions {
                let after = deploy_wave[&(dependent.id.clone(), at(dependent, region))];
                let before = deploy_wave[&(on.id.clone(), at(on, region))];
                assert!(
                    before < after,
                    "{} (wave {after}) is not after {} (wave {before}) in {region:?}",
                    dependent.id,
                    on.id
                );
            }
        }
        // Regions in order, each validated before the next starts.
        let region_span = |region: &Option<Id>| -> (usize, usize) {
            let waves: Vec<usize> = plan
                .services
                .iter()
                .filter(|s| !s.is_global())
                .filter_map(|s| {
                    deploy_wave
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
            let (first, last) = region_span(region);
            let validation = validate_wave.get(&(env.clone(), region.clone())).copied();
            if let Some(validation) = validation {
                assert!(validation > last, "{region:?} validated too early");
            }
            // Expand before anything deploys here.
            for migration in plan.migrations.iter().filter(|m| !m.expand.is_empty()) {
                let global = plan
                    .service(&migration.database)
                    .is_some_and(|d| d.is_global());
                let spot = (env.clone(), if global { None } else { region.clone() });
                let expand = expand_wave.get(&(migration.id.clone(), spot.clone()));
                assert!(
                    expand.is_some(),
                    "{} never expands in {spot:?}",
                    migration.id
                );
                let expand = expand.copied().unwrap_or(0);
                assert!(
                    expand < first,
                    "{} expands after deploys in {spot:?}",
                    migration.id
                );
            }
            if let Some(next) = regions.get(index + 1) {
                let (next_first, _) = region_span(next);
                assert!(
                    next_first > validation.unwrap_or(last),
                    "{next:?} starts before {region:?} is done"
                );
            }
        }
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
        deploy_wave.len(),
        expected_deploys,
        "deploys outside the promotion path"
    );
    // Contract last.
    let last_other = deploy_wave
        .values()
        .chain(validate_wave.values())
        .chain(expand_wave.values())
        .copied()
        .max();
    for wave in contract_waves {
        assert!(
            last_other.is_none_or(|last| wave > last),
            "a contract is not last"
        );
    }
}
