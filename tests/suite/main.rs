//! The integration tests: one test crate, so the suite links once. Each module covers one area; shared
//! helpers (running the binary, finding the examples) live in [`common`].
//!
//! Run one area with `cargo test --test suite AREA::` (for example `cargo test --test suite golden::`).

mod common;

mod app_export;
mod app_ui;
mod app_ux;
mod broken_examples;
mod examples;
mod export_cli;
mod export_crash;
mod export_safety;
mod export_semantics;
mod format_properties;
mod golden;
mod hostile_text;
mod json_shapes;
mod malformed;
mod new_command;
mod pipelines;
mod readme;
mod rehearse;
mod scale;
mod synth_properties;
