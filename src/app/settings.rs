//! What the app remembers between runs (through eframe's storage): recent files, the last plan, and
//! which panels are shown. Window size and panel widths are kept by eframe and egui themselves.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The key the settings are stored under.
const KEY: &str = "cutover-settings";
/// How many recent files the File menu lists.
const RECENT: usize = 8;

/// The remembered settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Recently opened or saved plans, newest first.
    pub recent: Vec<PathBuf>,
    /// The plan open when the app last closed.
    pub last_plan: Option<PathBuf>,
    /// Whether the outline panel is shown.
    pub show_outline: bool,
    /// Whether the inspector panel is shown.
    pub show_inspector: bool,
    /// Whether the problems panel is shown.
    pub show_problems: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            last_plan: None,
            show_outline: true,
            show_inspector: true,
            show_problems: true,
        }
    }
}

impl Settings {
    /// The stored settings, or the defaults.
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Self {
        storage
            .and_then(|s| eframe::get_value(s, KEY))
            .unwrap_or_default()
    }

    /// Stores the settings.
    pub fn save(&self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, KEY, self);
    }

    /// Puts `path` first in the recent files and makes it the last plan.
    pub fn remember(&mut self, path: &Path) {
        let path = path.to_path_buf();
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path.clone());
        self.recent.truncate(RECENT);
        self.last_plan = Some(path);
    }
}
