//! The `cutover` binary: subcommands run headless.

use std::process::ExitCode;

fn main() -> ExitCode {
    cutover::cli::run_from_args()
}
