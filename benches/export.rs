//! Benchmark: analysis and full export of synthetic plans, reported as medians.
//!
//! `cargo bench --bench export` (optionally `-- SIZE...`). Each measurement is the median of repeated
//! runs after a warm-up; the figures are for comparing changes on one machine, not absolute claims.

use std::time::{Duration, Instant};

use cutover::analysis::analyse;
use cutover::export::{Target, export, render};
use cutover::synth::{SynthOptions, generate};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(runs: usize, mut work: impl FnMut()) -> Duration {
    work();
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                work();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1000]
    } else {
        sizes
    };
    println!(
        "{:>9} {:>8} {:>12} {:>12} {:>14} {:>12}",
        "services", "regions", "analyse", "render", "export+check", "bytes"
    );
    for services in sizes {
        let plan = generate(&SynthOptions {
            services,
            regions: 3,
            seed: 1,
        });
        let runs = if services >= 1000 { 5 } else { 21 };
        let analysis = measure(runs, || {
            std::hint::black_box(analyse(&plan));
        });
        let rendered = measure(runs, || {
            std::hint::black_box(render(&plan, Target::All).expect("synthetic plans render"));
        });
        let mut bytes = 0;
        let exported = measure(runs, || {
            let export = export(&plan, Target::All).expect("synthetic plans export");
            bytes = export.files.iter().map(|f| f.contents.len()).sum();
        });
        println!(
            "{services:>9} {:>8} {analysis:>12.2?} {rendered:>12.2?} {exported:>14.2?} {bytes:>12}",
            3
        );
    }
}
