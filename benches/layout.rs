//! Benchmark: Cutover's layered layout side by side with Graphviz `dot` on the same synthetic service
//! graphs, both measured by the same code: each layout's crossings (every edge drawn as the straight
//! line between its services' centres, `diagram::straight_crossings`; dot's read back from its
//! `plain` output) and its time (ours in process, the median of repeated runs; dot's as the whole
//! `dot -Tplain` process, which is what a user would run). Ours is also counted as drawn, each long
//! edge through its bend points (`diagram::drawn_crossings`).
//!
//! `cargo bench --bench layout` (optionally `-- SERVICES...`, default 100 1000 2000). Needs `dot`
//! (Debian package `graphviz`) for the comparison; without it, only Cutover's figures are printed.

use std::io::Write as _;
use std::process::{Command, Stdio};
mod support;

use std::time::{Duration, Instant};

use cutover::analysis::analyse;
use cutover::diagram::{Diagram, Format, drawn_crossings, plain, straight_crossings};
use cutover::layout::{Spacing, draw_plan, layout_plan};
use cutover::synth::{SynthOptions, generate};

/// Runs `dot -Tplain` on `source`; its wall time and crossings, or `None` without Graphviz.
fn dot_layout(source: &str) -> Option<(Duration, usize)> {
    let start = Instant::now();
    let mut child = Command::new("dot")
        .arg("-Tplain")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(source.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    let elapsed = start.elapsed();
    let layout = plain::parse(&String::from_utf8_lossy(&output.stdout)).ok()?;
    let (centres, edges) = layout.indexed();
    Some((elapsed, straight_crossings(&centres, &edges)))
}

fn main() {
    let sizes = support::sizes(&[100, 1000, 2000]);
    println!(
        "{:>8} {:>6} | {:>10} {:>10} {:>10} | {:>10} {:>10} | {:>9} {:>9}",
        "services", "edges", "ours", "crossings", "drawn", "dot", "crossings", "crossings", "time"
    );
    println!(
        "{:>8} {:>6} | {:>32} | {:>21} | {:>9} {:>9}",
        "", "", "Cutover", "Graphviz dot", "ours/dot", "ours/dot"
    );
    for services in sizes {
        let plan = generate(&SynthOptions {
            services,
            regions: 1,
            seed: 7,
        });
        let runs = if services > 1000 { 5 } else { 11 };
        let ours = support::measure(runs, || {
            std::hint::black_box(layout_plan(&plan, Spacing::default()));
        });
        let drawing = draw_plan(&plan, Spacing::default());
        let diagram = Diagram::of_drawing(&plan, &drawing, analyse(&plan).order.as_ref());
        let centres: Vec<(f64, f64)> = diagram
            .nodes
            .iter()
            .map(|n| (f64::from(n.centre.x), f64::from(n.centre.y)))
            .collect();
        let our_crossings = straight_crossings(&centres, &diagram.edges);
        let drawn = drawn_crossings(&diagram.polylines());
        let (dot_time, dot_crossings) = match dot_layout(&diagram.render(Format::Dot)) {
            Some((time, crossings)) => (
                format!("{:.3} s", time.as_secs_f64()),
                Some((time, crossings)),
            ),
            None => ("no dot".to_owned(), None),
        };
        let (dot_count, crossing_ratio, time_ratio) = dot_crossings.map_or_else(
            || ("-".to_owned(), "-".to_owned(), "-".to_owned()),
            |(time, crossings)| {
                (
                    crossings.to_string(),
                    format!("{:.2}", our_crossings as f64 / crossings.max(1) as f64),
                    format!("{:.3}", ours.as_secs_f64() / time.as_secs_f64()),
                )
            },
        );
        println!(
            "{services:>8} {:>6} | {:>7.1} ms {our_crossings:>10} {drawn:>10} | {dot_time:>10} {dot_count:>10} | {crossing_ratio:>9} {time_ratio:>9}",
            diagram.edges.len(),
            ours.as_secs_f64() * 1000.0,
        );
    }
}
