//! Benchmark: every step from a plan file to checked pipelines, on synthetic plans, side by side with
//! parsing the plan file, so the figures read as ratios that survive a noisy shared machine.
//!
//! `cargo bench --bench export` (optionally `-- SERVICES...`, default 100 1000 5000 10000; regions are
//! always 3). For each size it prints the median of repeated runs of: parsing the plan file (RON),
//! analysing it (what `cutover check` does after parsing), lowering it to the release IR, emitting
//! every file without the self-check (the app's preview), and the whole export with its self-check
//! (what `cutover export` does before writing); each also as a multiple of parsing. Then the files'
//! total size, the largest GitHub workflow and the largest Azure pipeline, and the release's parts.

mod support;

use std::time::Duration;

use cutover::analysis::analyse;
use cutover::export::{FileKind, Target, export, render};
use cutover::plan::{parse_plan, plan_to_ron};
use cutover::release::lower;
use cutover::synth::{SynthOptions, generate};

fn main() {
    let sizes = support::sizes(&[100, 1000, 5000, 10_000]);
    println!(
        "{:>8} {:>10} {:>16} {:>16} {:>16} {:>16} {:>9} {:>10} {:>10} {:>6}",
        "services",
        "parse",
        "analyse",
        "lower",
        "render",
        "export+check",
        "MB",
        "max GH KB",
        "max AZ KB",
        "parts"
    );
    for services in sizes {
        let plan = generate(&SynthOptions {
            services,
            regions: 3,
            seed: 1,
        });
        let text = plan_to_ron(&plan);
        let runs = match services {
            0..=999 => 21,
            1000..=4999 => 7,
            _ => 3,
        };
        let parse = support::measure(runs, || {
            std::hint::black_box(
                parse_plan(&text, "synthetic.ron").expect("synthetic plans parse"),
            );
        });
        let analysis = support::measure(runs, || {
            std::hint::black_box(analyse(&plan));
        });
        let lowered = support::measure(runs, || {
            std::hint::black_box(lower(&plan).expect("synthetic plans lower"));
        });
        let rendered = support::measure(runs, || {
            std::hint::black_box(render(&plan, Target::All).expect("synthetic plans render"));
        });
        let exported = export(&plan, Target::All).expect("synthetic plans export");
        let checked = support::measure(runs, || {
            std::hint::black_box(export(&plan, Target::All).expect("synthetic plans export"));
        });
        let bytes: usize = exported.files.iter().map(|f| f.contents.len()).sum();
        let largest = |kind: FileKind| {
            exported
                .files
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| f.contents.len())
                .max()
                .unwrap_or(0)
        };
        let parts = exported
            .files
            .iter()
            .filter(|f| f.kind == FileKind::GitHubWorkflow && f.path.contains("-release"))
            .count();
        let ratio = |d: Duration| {
            format!(
                "{d:>8.1?} ({:>4.1}×)",
                d.as_secs_f64() / parse.as_secs_f64()
            )
        };
        println!(
            "{services:>8} {parse:>10.1?} {:>16} {:>16} {:>16} {:>16} {:>9.2} {:>10} {:>10} {parts:>6}",
            ratio(analysis),
            ratio(lowered),
            ratio(rendered),
            ratio(checked),
            bytes as f64 / 1e6,
            largest(FileKind::GitHubWorkflow) / 1000,
            largest(FileKind::AzurePipeline) / 1000,
        );
    }
}
