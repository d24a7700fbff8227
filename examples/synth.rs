//! Writes a synthetic, realistic plan for benchmarks and property tests.
//!
//! ```text
//! cargo run --release --example synth -- --services 200 --regions 4 --seed 7 --out /tmp/synth.ron
//! ```
//!
//! The same arguments always write the same bytes. An existing file at `--out` is replaced atomically.
//! The plan itself comes from [`cutover::synth::generate`], which the property tests call directly.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cutover::analysis::{Severity, analyse};
use cutover::synth::{SynthOptions, generate};

/// Generate a synthetic Cutover plan.
#[derive(Debug, Parser)]
#[command(name = "synth", about, long_about = None)]
struct Args {
    /// How many services (1 to 100000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    services: u32,
    /// How many regions (0 to 1000; 0 rolls out to one unnamed region).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=1000))]
    regions: u32,
    /// The seed: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the plan (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let options = SynthOptions {
        services: args.services as usize,
        regions: args.regions as usize,
        seed: args.seed,
    };
    let plan = generate(&options);
    if let Err(error) = cutover::storage::save_plan(&args.out, &plan) {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    let analysis = analyse(&plan);
    println!(
        "wrote {}: {} services, {} dependencies, {} regions, {} migrations, {} runbooks; {} errors, {} warnings",
        args.out.display(),
        plan.services.len(),
        plan.dependencies.len(),
        plan.regions.len(),
        plan.migrations.len(),
        plan.runbooks.len(),
        analysis.count(Severity::Error),
        analysis.count(Severity::Warning),
    );
    ExitCode::SUCCESS
}
