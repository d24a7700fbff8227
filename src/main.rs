//! The `cutover` binary: subcommands run headless; without one, the desktop app opens.

use std::process::ExitCode;

fn main() -> ExitCode {
    cutover::cli::run_from_args()
}
