//! Exports at scale: synthetic plans up to 5,000 services in 3 regions export files every platform
//! accepts — each GitHub workflow at most 500 KB and calling at most 50 reusable workflows, each Azure
//! pipeline at most 1 MB with the templates it includes and including at most 100 — and a release too
//! large for one file becomes a chain of pipelines that still deploys every service once, in order.

use std::collections::{BTreeMap, BTreeSet};

use cutover::export::{Export, FileKind, Target, export, render};
use cutover::release::lower;
use cutover::synth::{SynthOptions, generate};

use crate::pipelines::{Platform, ancestors, document, release_graph};

/// GitHub does not start a workflow whose file is larger than 500 KB.
const GITHUB_WORKFLOW_BYTES: usize = 500_000;
/// GitHub calls at most 50 distinct reusable workflows from one workflow run.
const GITHUB_REUSABLE_WORKFLOWS: usize = 50;
/// Cutover keeps each Azure pipeline, with its templates, under 1 MB on disk.
const AZURE_PIPELINE_BYTES: usize = 1_000_000;
/// Azure includes at most 100 template files in one pipeline.
const AZURE_TEMPLATES: usize = 100;

fn synthetic(services: usize) -> cutover::plan::Plan {
    generate(&SynthOptions {
        services,
        regions: 3,
        seed: 1,
    })
}

/// Checks every pipeline file of `export` against the platforms' limits, reading what each refers to
/// from the files themselves; returns the number of release parts on GitHub and on Azure.
fn assert_within_limits(export: &Export, label: &str) -> (usize, usize) {
    let size = |path: &str| {
        export
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{label}: `{path}` is referred to but not exported"))
            .contents
            .len()
    };
    let mut parts = (0, 0);
    for file in &export.files {
        match file.kind {
            FileKind::GitHubWorkflow => {
                assert!(
                    file.contents.len() <= GITHUB_WORKFLOW_BYTES,
                    "{label}: {} is {} bytes",
                    file.path,
                    file.contents.len()
                );
                let called: BTreeSet<String> = document(export, &file.path)["jobs"]
                    .as_object()
                    .expect("jobs")
                    .values()
                    .filter_map(|job| job["uses"].as_str().map(str::to_owned))
                    .collect();
                assert!(
                    called.len() <= GITHUB_REUSABLE_WORKFLOWS,
                    "{label}: {}",
                    file.path
                );
                for uses in &called {
                    size(uses.trim_start_matches("./"));
                }
                parts.0 += usize::from(file.path.contains("-release"));
            }
            FileKind::AzurePipeline => {
                let included: BTreeSet<String> = document(export, &file.path)["stages"]
                    .as_array()
                    .expect("stages")
                    .iter()
                    .filter_map(|stage| stage["template"].as_str())
                    .map(|template| format!("azure-pipelines/{template}"))
                    .collect();
                assert!(included.len() <= AZURE_TEMPLATES, "{label}: {}", file.path);
                let total = file.contents.len() + included.iter().map(|t| size(t)).sum::<usize>();
                assert!(
                    total <= AZURE_PIPELINE_BYTES,
                    "{label}: {} is {total} bytes with its templates",
                    file.path
                );
                parts.1 += usize::from(file.path.contains("-release"));
            }
            _ => {}
        }
    }
    parts
}

#[test]
fn every_pipeline_fits_its_platform_up_to_5000_services_in_3_regions() {
    for services in [60, 1000, 5000] {
        let plan = synthetic(services);
        let export = render(&plan, Target::All).expect("synthetic plans export");
        let label = format!("{services} services");
        let (github, azure) = assert_within_limits(&export, &label);
        if services >= 1000 {
            assert!(
                github > 1 && azure > 1,
                "{label}: a release this large is a chain ({github} GitHub part(s), {azure} Azure)"
            );
        }
    }
}

#[test]
fn a_chained_release_deploys_every_service_once_after_what_it_depends_on() {
    let plan = synthetic(1000);
    // The full export reads every part back (the self-check) before this test reads it again.
    let export = export(&plan, Target::All).expect("synthetic plans export");
    let ir = lower(&plan).expect("lowers");
    let stem = ir.release.file_stem.trim_end_matches("-release");
    // Each deployment of the lowered release, by where it deploys.
    let stage_of: BTreeMap<_, &str> = ir
        .release
        .stages
        .iter()
        .filter_map(|s| s.deploys.as_ref().map(|p| (p.clone(), s.id.as_str())))
        .collect();
    for platform in [Platform::GitHub, Platform::Azure] {
        let (graph, parts) = release_graph(&export, platform, stem);
        assert!(parts > 1, "{platform:?}: the release is chained");
        for stage in stage_of.values() {
            assert!(
                graph.contains_key(*stage),
                "{platform:?}: `{stage}` is deployed"
            );
        }
        let (index, reach) = ancestors(&graph);
        let waits = |from: &str, to: &str| {
            let (from, to) = (index[from], index[to]);
            reach[from][to / 64] & (1 << (to % 64)) != 0
        };
        let mut checked = 0;
        for dependency in &plan.dependencies {
            let on = plan.service(&dependency.on).expect("exists");
            for (placement, stage) in &stage_of {
                if placement.service != dependency.service {
                    continue;
                }
                let mut target = placement.clone();
                target.service = on.id.clone();
                if on.is_global() {
                    target.region = None;
                }
                if let Some(before) = stage_of.get(&target) {
                    assert!(
                        waits(stage, before),
                        "{platform:?}: `{stage}` starts before `{before}`, which it depends on"
                    );
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 1000,
            "{platform:?}: only {checked} dependencies checked"
        );
    }
}
