//! Cutover: a release planner. The plan document, its analysis, its edits and layout, the release IR
//! and the exporters, the headless commands and the desktop app.
//!
//! The core modules ([`plan`], [`analysis`], [`edit`], [`layout`], [`diagram`], [`release`], [`emit`],
//! [`export`])
//! are pure: they never touch files, the clock or a GUI. [`storage`] is the one module that reads and
//! writes plan and export files; [`cli`] is the headless shell over them and `app` the desktop one
//! (behind the default `gui` feature, so a CLI-only build has no GUI crate at all).
//! [`rehearse`] runs the exported pipelines under a simulator of each platform, with real bash and fake
//! tools in a temporary sandbox (its own side effects, kept in its `sandbox`, `workers` and `load`
//! modules). [`synth`] generates realistic plans of any size for benchmarks and property tests.

pub mod analysis;
#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod diagram;
pub mod edit;
pub mod emit;
pub mod export;
pub mod layout;
pub mod plan;
pub mod rehearse;
pub mod release;
pub mod storage;
pub mod synth;
