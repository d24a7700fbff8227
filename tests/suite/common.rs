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

/// Checks everything a deployment order promises about `plan`, and panics with the reason if it breaks
/// a promise:
///
/// - every service deploys exactly once in every region (once, without a region, when there are none);
/// - within a region, a service deploys in a later wave than everything it depends on;
/// - regions go in plan order: every deploy of a region comes after the previous region's validation
///   window, which comes after all of that region's deploys;
/// - expand steps, one per migration with expand steps, come before everything else, and contract steps,
///   one per migration with contract steps, after everything else;
/// - no wave is empty, and each wave holds one kind of step.
pub fn assert_order_respects_plan(plan: &Plan, order: &DeploymentOrder) {
    let regions: Vec<Option<Id>> = if plan.regions.is_empty() {
        vec![None]
    } else {
        plan.regions.iter().map(|r| Some(r.id.clone())).collect()
    };
    let mut deploy_wave: BTreeMap<(Id, Option<Id>), usize> = BTreeMap::new();
    let mut validate_wave: BTreeMap<Id, usize> = BTreeMap::new();
    let mut expand_waves = Vec::new();
    let mut contract_waves = Vec::new();
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
                Step::Expand { migration } => expand_waves.push((migration.clone(), index)),
                Step::Contract { migration } => contract_waves.push((migration.clone(), index)),
                Step::Deploy { service, region } => {
                    let earlier = deploy_wave.insert((service.clone(), region.clone()), index);
                    assert!(earlier.is_none(), "{service} deploys twice in {region:?}");
                }
                Step::Validate { region, minutes } => {
                    let declared = plan.region(region).expect("validated region exists");
                    assert_eq!(*minutes, declared.validation_minutes, "{region}");
                    assert!(*minutes > 0, "a zero window is no step at all");
                    assert!(validate_wave.insert(region.clone(), index).is_none());
                }
            }
        }
    }
    // Every service in every region, exactly once.
    for service in &plan.services {
        for region in &regions {
            assert!(
                deploy_wave.contains_key(&(service.id.clone(), region.clone())),
                "{} never deploys in {region:?}",
                service.id
            );
        }
    }
    assert_eq!(deploy_wave.len(), plan.services.len() * regions.len());
    // Dependencies first, per region.
    for dependency in &plan.dependencies {
        for region in &regions {
            let dependent = deploy_wave[&(dependency.service.clone(), region.clone())];
            let prerequisite = deploy_wave[&(dependency.on.clone(), region.clone())];
            assert!(
                prerequisite < dependent,
                "{} (wave {dependent}) is not after {} (wave {prerequisite}) in {region:?}",
                dependency.service,
                dependency.on
            );
        }
    }
    // Regions in order, each validated before the next starts.
    let waves_of = |region: &Option<Id>| -> (usize, usize) {
        let waves: Vec<usize> = deploy_wave
            .iter()
            .filter(|((_, r), _)| r == region)
            .map(|(_, &w)| w)
            .collect();
        (
            waves.iter().copied().min().unwrap_or(0),
            waves.iter().copied().max().unwrap_or(0),
        )
    };
    for (index, region) in plan.regions.iter().enumerate() {
        let (_, last_deploy) = waves_of(&Some(region.id.clone()));
        let validation = validate_wave.get(&region.id).copied();
        assert_eq!(
            validation.is_some(),
            region.validation_minutes > 0,
            "region {} validation",
            region.id
        );
        if let Some(validation) = validation {
            assert!(
                validation > last_deploy,
                "{} validated too early",
                region.id
            );
        }
        if let Some(next) = plan.regions.get(index + 1) {
            let (next_first, _) = waves_of(&Some(next.id.clone()));
            assert!(
                next_first > validation.unwrap_or(last_deploy),
                "{} starts before {} is done",
                next.id,
                region.id
            );
        }
    }
    // Expand first, contract last, one step per migration with such steps.
    let expected = |has_steps: fn(&cutover::plan::Migration) -> bool| -> Vec<Id> {
        plan.migrations
            .iter()
            .filter(|m| has_steps(m))
            .map(|m| m.id.clone())
            .collect()
    };
    let ids = |steps: &[(Id, usize)]| steps.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&expand_waves), expected(|m| !m.expand.is_empty()));
    assert_eq!(ids(&contract_waves), expected(|m| !m.contract.is_empty()));
    let first_other = deploy_wave
        .values()
        .chain(validate_wave.values())
        .copied()
        .min();
    let last_other = deploy_wave
        .values()
        .chain(validate_wave.values())
        .copied()
        .max();
    for (migration, wave) in &expand_waves {
        assert!(
            first_other.is_none_or(|first| *wave < first),
            "expand {migration} is not first"
        );
    }
    for (migration, wave) in &contract_waves {
        assert!(
            last_other.is_none_or(|last| *wave > last),
            "contract {migration} is not last"
        );
    }
}
