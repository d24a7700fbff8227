//! Benchmark: rehearsing what `cutover export` writes (criterion).
//!
//! `cargo bench --bench rehearse` measures
//! - `meridian/happy-path`: one scenario of the Meridian example, the happy path of its release and
//!   its hotfix on both platforms — what `cutover rehearse examples/meridian-claims.ron` does after
//!   exporting;
//! - `meridian/health-fault`: one fault scenario (`health:claims-api@eastus:after=1`, a slot that
//!   passes its check and fails in production after the swap), both platforms;
//! - `northwind/all-single-faults`: the happy path and every single-fault scenario of the Northwind
//!   example, both platforms (`--all-single-faults`; over 400 scenario runs).
//!
//! Before timing, each rehearsal runs once and must hold every verdict, so the figures are of full,
//! passing rehearsals. The rehearsal uses one bash worker per core (`CUTOVER_THREADS` overrides).

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use cutover::export::{Target, export};
use cutover::plan::Plan;
use cutover::rehearse::{self, Options, Repository, Selection};
use cutover::storage::load_plan;

fn example(name: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.ron"));
    load_plan(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The plan's export, as `cutover export` writes it.
fn exported(plan: &Plan) -> Repository {
    Repository::from_export(&export(plan, Target::All).expect("the plan exports"))
}

fn options(selection: Selection) -> Options {
    Options {
        selection,
        ..Options::default()
    }
}

/// Rehearses once and insists that every verdict held.
fn rehearse_checked(plan: &Plan, repo: &Repository, options: &Options) -> usize {
    let rehearsal = rehearse::rehearse(plan, repo, options).expect("rehearses");
    let failed = rehearsal
        .results
        .iter()
        .flat_map(|r| r.verdicts.iter())
        .chain(rehearsal.parity.iter().map(|(_, _, v)| v))
        .filter(|v| !v.holds)
        .count();
    assert_eq!(failed, 0, "{}: {failed} verdicts failed", plan.name);
    rehearsal.results.len()
}

fn meridian(c: &mut Criterion) {
    let plan = example("meridian-claims");
    let repo = exported(&plan);
    let happy = options(Selection::HappyPath);
    let fault = rehearse::scenario::parse("health:claims-api@eastus:after=1", &plan)
        .expect("a fault of the plan");
    let faulty = options(Selection::Faults(vec![fault]));
    rehearse_checked(&plan, &repo, &happy);
    rehearse_checked(&plan, &repo, &faulty);
    let mut group = c.benchmark_group("meridian");
    group.sample_size(20);
    group.bench_function("happy-path", |b| {
        b.iter(|| rehearse::rehearse(&plan, &repo, &happy).expect("rehearses"));
    });
    group.bench_function("health-fault", |b| {
        b.iter(|| rehearse::rehearse(&plan, &repo, &faulty).expect("rehearses"));
    });
    group.finish();
}

fn northwind(c: &mut Criterion) {
    let plan = example("northwind-commerce");
    let repo = exported(&plan);
    let all = options(Selection::AllSingleFaults);
    let runs = rehearse_checked(&plan, &repo, &all);
    eprintln!("northwind: {runs} scenario runs per rehearsal");
    let mut group = c.benchmark_group("northwind");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    group.bench_function("all-single-faults", |b| {
        b.iter(|| rehearse::rehearse(&plan, &repo, &all).expect("rehearses"));
    });
    group.finish();
}

criterion_group!(benches, meridian, northwind);
criterion_main!(benches);
