//! Splitting a release too large for one pipeline file into a chain of pipelines, run one after
//! another: each part starts when the part before it has finished successfully, runs the commit the
//! first part built, and deploys the artifact the first part built.
//!
//! A part boundary keeps every guarantee of the single pipeline: the stages are in dependency order,
//! so everything a stage waits for is in its own part or an earlier one, and an earlier part has
//! finished (successfully) before a later one starts. A dependency on a stage of an earlier part is
//! therefore dropped; a stage left waiting for nothing waits for the part's [`Work::ChainStart`]
//! stage instead. Cuts fall after the end of a wave where that keeps parts reasonably full, so a wave
//! stays in one part and its deployments run side by side.

use std::collections::HashSet;

use super::ir::{ChainLink, Pipeline, RunsWhen, Stage, StageRole, Work};

/// The id of the first stage of every later part.
pub const CHAIN_START: &str = "chain_start";
/// The id of the job that starts the next part, on platforms where a part starts the next one itself
/// (GitHub); Azure starts it through a pipeline completion trigger.
pub const CHAIN_NEXT: &str = "chain_next";
/// The inputs a later part is started with, on platforms that pass them (GitHub): the run that built
/// the artifact, the commit it built, and the run of the part before.
pub const INPUT_BUILD_RUN: &str = "build_run";
/// See [`INPUT_BUILD_RUN`].
pub const INPUT_RELEASE_SHA: &str = "release_sha";
/// See [`INPUT_BUILD_RUN`].
pub const INPUT_PREVIOUS_RUN: &str = "previous_run";
/// Seconds a later part waits for the run of the part before to finish (it starts the later part as
/// its last step, so this is short unless the platform is slow).
pub const WAIT_FOR_PREVIOUS_SECONDS: u32 = 1800;
/// The retry policy of the chain's own calls to the platform (starting a part, reading a run).
pub const RETRY: [(&str, &str); 4] = [
    ("RETRY_ATTEMPTS", "5"),
    ("RETRY_DELAY_SECONDS", "10"),
    ("RETRY_BACKOFF", "2"),
    ("RETRY_MAX_DELAY_SECONDS", "120"),
];

/// A stage too large for any part on its own.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the stage `{stage}` alone takes {bytes} bytes, more than the {budget} bytes a pipeline part may hold"
)]
pub struct StageTooLarge {
    /// The stage.
    pub stage: String,
    /// Its size.
    pub bytes: usize,
    /// What a part may hold.
    pub budget: usize,
}

/// The file stem of part `part` (from 1) of the release whose first part has the stem `first`.
pub fn part_stem(first: &str, part: usize) -> String {
    if part <= 1 {
        first.to_owned()
    } else {
        format!("{first}-part-{part}")
    }
}

/// Where to cut `stages` into parts: the indices of the stages that start a new part, in order.
/// `costs[i]` is the size of stage `i`, and no part may hold more than `budget`. A cut goes after
/// the last end of a wave in the part when the part is at least half full there, else right before
/// the stage that does not fit.
pub fn cut_points(
    stages: &[Stage],
    costs: &[usize],
    budget: usize,
) -> Result<Vec<usize>, StageTooLarge> {
    let earliest = earliest_named_from(stages);
    let mut cuts = Vec::new();
    let mut start = 0;
    let mut used = 0;
    // The last index after a wave's end in the current part, with the size up to it.
    let mut boundary: Option<(usize, usize)> = None;
    let mut index = 0;
    while index < stages.len() {
        let cost = costs[index];
        if cost > budget {
            return Err(StageTooLarge {
                stage: stages[index].id.clone(),
                bytes: cost,
                budget,
            });
        }
        if used + cost <= budget {
            used += cost;
            index += 1;
            if stages[index - 1].role == StageRole::WaveComplete && index < stages.len() {
                boundary = Some((index, used));
            }
            continue;
        }
        let mut cut = match boundary.take() {
            Some((at, size)) if at > start && size * 2 >= budget => at,
            _ => index,
        };
        // A rollback after failed gates stays in the part of the gates it follows, and a stage that
        // runs on a failure stays in the part of every stage its condition names.
        while cut > start + 1
            && matches!(
                stages[cut].role,
                StageRole::QualityGate | StageRole::GateRollback
            )
        {
            cut -= 1;
        }
        while cut > start + 1 && earliest[cut] < cut {
            cut = earliest[cut].max(start + 1);
        }
        cuts.push(cut);
        start = cut;
        index = cut;
        used = 0;
    }
    Ok(cuts)
}

/// For each index `i`, the smallest index of a stage named by the failure condition of a stage at `i`
/// or later (`usize::MAX` when none is): a cut at `i` is sound only when this is at least `i`.
fn earliest_named_from(stages: &[Stage]) -> Vec<usize> {
    let index: std::collections::HashMap<&str, usize> = stages
        .iter()
        .enumerate()
        .map(|(i, stage)| (stage.id.as_str(), i))
        .collect();
    let mut earliest = vec![usize::MAX; stages.len() + 1];
    for (i, stage) in stages.iter().enumerate().rev() {
        let named = match &stage.runs_when {
            RunsWhen::AnyFailed(ids) => ids
                .iter()
                .filter_map(|id| index.get(id.as_str()).copied())
                .min()
                .unwrap_or(usize::MAX),
            RunsWhen::AllSucceeded => usize::MAX,
        };
        earliest[i] = named.min(earliest[i + 1]);
    }
    earliest
}

/// Splits `release` before each stage index of `cuts` (as [`cut_points`] returns them) into a chain
/// of pipelines. Without cuts, the release is returned whole, unchained.
pub fn split(release: &Pipeline, cuts: &[usize]) -> Vec<Pipeline> {
    if cuts.is_empty() {
        return vec![release.clone()];
    }
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0);
    bounds.extend(cuts.iter().copied());
    bounds.push(release.stages.len());
    let parts = bounds.len() - 1;
    (0..parts)
        .map(|k| {
            let number = k + 1;
            let mut stages: Vec<Stage> = release.stages[bounds[k]..bounds[k + 1]].to_vec();
            let here: HashSet<String> = stages.iter().map(|s| s.id.clone()).collect();
            for stage in &mut stages {
                stage.depends_on.retain(|id| here.contains(id));
            }
            let previous = (number > 1).then(|| part_stem(&release.file_stem, number - 1));
            if let Some(previous) = &previous {
                for stage in &mut stages {
                    if stage.depends_on.is_empty() {
                        stage.depends_on.push(CHAIN_START.to_owned());
                    }
                }
                stages.insert(0, start_stage(previous, number));
            }
            Pipeline {
                file_stem: part_stem(&release.file_stem, number),
                title: format!("{} (part {number} of {parts})", release.title),
                kind: release.kind.clone(),
                inputs: release.inputs.clone(),
                branch_guard: release.branch_guard.clone(),
                stages,
                chain: Some(ChainLink {
                    part: number,
                    parts,
                    previous,
                    next: (number < parts).then(|| part_stem(&release.file_stem, number + 1)),
                }),
            }
        })
        .collect()
}

impl ChainLink {
    /// Whether this is a later part: started by the part before it, not by a person.
    pub fn is_continuation(&self) -> bool {
        self.previous.is_some()
    }
}

/// The first stage of part `part` (from 2), which continues the part with file stem `previous`.
pub fn start_stage(previous: &str, part: usize) -> Stage {
    Stage {
        id: CHAIN_START.to_owned(),
        title: format!("Continue from part {}", part.saturating_sub(1)),
        depends_on: Vec::new(),
        role: StageRole::ChainStart,
        deploys: None,
        contract_of: None,
        runs_when: Default::default(),
        work: std::sync::Arc::new(Work::ChainStart {
            previous: previous.to_owned(),
            previous_is_first: part == 2,
        }),
    }
}

/// The stages of `pipeline` that no other stage of it waits for: what must have finished before the
/// pipeline has.
pub fn last_stages(pipeline: &Pipeline) -> Vec<&str> {
    let awaited: HashSet<&str> = pipeline
        .stages
        .iter()
        .flat_map(|s| s.depends_on.iter().map(String::as_str))
        .collect();
    pipeline
        .stages
        .iter()
        .filter(|s| s.runs_when == super::ir::RunsWhen::AllSucceeded)
        .map(|s| s.id.as_str())
        .filter(|id| !awaited.contains(id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::PipelineKind;

    fn stage(id: &str, role: StageRole, depends_on: &[&str]) -> Stage {
        Stage {
            id: id.to_owned(),
            title: id.to_owned(),
            depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
            role,
            deploys: None,
            contract_of: None,
            runs_when: Default::default(),
            work: std::sync::Arc::new(Work::Barrier),
        }
    }

    /// build; wave 1: a, b; wave_1; wave 2: c, d; wave_2; e.
    fn release() -> Pipeline {
        use StageRole::{Build, Deploy, WaveComplete};
        Pipeline {
            file_stem: "p-release".to_owned(),
            title: "p release".to_owned(),
            kind: PipelineKind::Release,
            inputs: Vec::new(),
            branch_guard: None,
            stages: vec![
                stage("build", Build, &[]),
                stage("a", Deploy, &["build"]),
                stage("b", Deploy, &["build"]),
                stage("wave_1", WaveComplete, &["a", "b"]),
                stage("c", Deploy, &["wave_1"]),
                stage("d", Deploy, &["wave_1"]),
                stage("wave_2", WaveComplete, &["c", "d"]),
                stage("e", Deploy, &["wave_2"]),
            ],
            chain: None,
        }
    }

    #[test]
    fn parts_are_cut_after_a_wave_when_that_keeps_them_half_full() {
        let pipeline = release();
        let costs = vec![10; pipeline.stages.len()];
        // 40 fits build, a, b, wave_1; c does not fit, and the wave's end is a good place to cut.
        assert_eq!(cut_points(&pipeline.stages, &costs, 40), Ok(vec![4]));
        // 50 would fit c too, but cutting after wave_1 keeps the second wave together.
        assert_eq!(cut_points(&pipeline.stages, &costs, 50), Ok(vec![4]));
        // 20 fits two stages: no wave end is half full, so the cuts fall where the space runs out.
        assert_eq!(cut_points(&pipeline.stages, &costs, 20), Ok(vec![2, 4, 6]));
        assert_eq!(cut_points(&pipeline.stages, &costs, 1000), Ok(Vec::new()));
    }

    #[test]
    fn a_stage_larger_than_a_part_is_refused_with_its_size() {
        let pipeline = release();
        let mut costs = vec![1; pipeline.stages.len()];
        costs[5] = 9;
        assert_eq!(
            cut_points(&pipeline.stages, &costs, 8),
            Err(StageTooLarge {
                stage: "d".to_owned(),
                bytes: 9,
                budget: 8
            })
        );
    }

    #[test]
    fn a_split_release_keeps_each_stage_once_and_chains_the_parts() {
        let pipeline = release();
        let parts = split(&pipeline, &[4, 7]);
        assert_eq!(parts.len(), 3);
        let stems: Vec<&str> = parts.iter().map(|p| p.file_stem.as_str()).collect();
        assert_eq!(stems, ["p-release", "p-release-part-2", "p-release-part-3"]);
        let mut seen: Vec<&str> = parts
            .iter()
            .flat_map(|p| &p.stages)
            .filter(|s| s.role != StageRole::ChainStart)
            .map(|s| s.id.as_str())
            .collect();
        seen.sort_unstable();
        let mut all: Vec<&str> = pipeline.stages.iter().map(|s| s.id.as_str()).collect();
        all.sort_unstable();
        assert_eq!(seen, all);
        // Dependencies on earlier parts become the wait for the chain start.
        let c = parts[1].stage("c").expect("c in part 2");
        assert_eq!(c.depends_on, [CHAIN_START]);
        assert_eq!(parts[1].stages[0].role, StageRole::ChainStart);
        assert!(parts[0].stage(CHAIN_START).is_none());
        let link = |k: usize| parts[k].chain.clone().expect("chained");
        assert_eq!(link(0).next.as_deref(), Some("p-release-part-2"));
        assert_eq!(link(1).previous.as_deref(), Some("p-release"));
        assert_eq!(link(2).next, None);
        assert_eq!(last_stages(&parts[0]), ["wave_1"]);
        assert_eq!(last_stages(&parts[1]), ["wave_2"]);
        // Without cuts the release stays one pipeline.
        assert_eq!(split(&pipeline, &[]), vec![pipeline]);
    }
}
