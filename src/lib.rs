//! Cutover: a release planner. The plan document, its analysis, its edits and layout, the release IR
//! and the exporters, the headless commands and the desktop app.
//!
//! The core modules ([`plan`], [`analysis`], [`edit`], [`layout`], [`release`], [`emit`], [`export`])
//! are pure: they never touch files, the clock or a GUI. [`storage`] is the one module that reads and
//! writes files; [`cli`] is the headless shell over them and [`app`] the desktop one. [`synth`] generates
//! realistic plans of any size for benchmarks and property tests.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod edit;
pub mod emit;
pub mod export;
pub mod layout;
pub mod plan;
pub mod rehearse;
pub mod release;
pub mod storage;
pub mod synth;
