//! Cutover: a release planner. The plan document, its analysis, and the headless commands.
//!
//! The core modules ([`plan`], [`analysis`]) are pure: they never touch files, the clock or a GUI.
//! [`storage`] is the one module that reads and writes files; [`cli`] is the headless shell over both.

pub mod analysis;
pub mod app;
pub mod cli;
pub mod edit;
pub mod layout;
pub mod plan;
pub mod storage;
