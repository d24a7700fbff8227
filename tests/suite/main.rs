//! The integration tests: one test crate, so the suite links once. Each module covers one area; shared
//! helpers (running the binary, finding the examples) live in [`common`].
//!
//! Run one area with `cargo test --test suite AREA::` (for example `cargo test --test suite golden::`).

mod common;

// The desktop app's tests; a CLI-only build (`--no-default-features`) has no app to drive.
#[cfg(feature = "gui")]
mod app_canvas;
#[cfg(feature = "gui")]
mod app_export;
#[cfg(feature = "gui")]
mod app_large_plans;
#[cfg(feature = "gui")]
mod app_ui;
#[cfg(feature = "gui")]
mod app_ux;
mod broken_examples;
mod examples;
mod export_cli;
mod export_crash;
mod export_safety;
mod export_semantics;
mod format_properties;
mod golden;
mod graph_command;
mod hostile_text;
mod json_shapes;
mod malformed;
mod new_command;
mod packaging;
mod pipelines;
mod readme;
mod rehearse;
mod scale;
mod synth_properties;
