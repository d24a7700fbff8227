//! What the app remembers between runs (through eframe's storage): recent files, the last plan,
//! which panels are shown, and the folder each plan was last exported into. Window size and panel
//! widths are kept by eframe and egui themselves (the app clamps the widths to the window each
//! frame: see `panels`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The key the settings are stored under.
const KEY: &str = "cutover-settings";
/// How many recent files the File menu lists.
const RECENT: usize = 8;
/// How many plans' export folders are remembered.
const EXPORT_FOLDERS: usize = 32;

/// The folder a plan was last exported into.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportFolder {
    /// The plan file.
    pub plan: PathBuf,
    /// The repository folder.
    pub folder: PathBuf,
}

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
    /// Whether the export preview panel is shown.
    pub show_preview: bool,
    /// Whether the export preview is in a window of its own rather than beside the canvas.
    pub preview_detached: bool,
    /// The folder each plan was last exported into, newest first.
    pub export_folders: Vec<ExportFolder>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            recent: Vec::new(),
            last_plan: None,
            show_outline: true,
            show_inspector: true,
            show_problems: true,
            show_preview: false,
            preview_detached: false,
            export_folders: Vec::new(),
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

    /// The folder the plan at `plan` was last exported into.
    pub fn export_folder(&self, plan: &Path) -> Option<&Path> {
        self.export_folders
            .iter()
            .find(|e| e.plan == plan)
            .map(|e| e.folder.as_path())
    }

    /// Remembers that the plan at `plan` was exported into `folder`.
    pub fn remember_export_folder(&mut self, plan: &Path, folder: &Path) {
        self.export_folders.retain(|e| e.plan != plan);
        self.export_folders.insert(
            0,
            ExportFolder {
                plan: plan.to_path_buf(),
                folder: folder.to_path_buf(),
            },
        );
        self.export_folders.truncate(EXPORT_FOLDERS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_folders_are_remembered_per_plan_newest_first() {
        let mut settings = Settings::default();
        let (a, b) = (Path::new("/plans/a.ron"), Path::new("/plans/b.ron"));
        settings.remember_export_folder(a, Path::new("/repos/one"));
        settings.remember_export_folder(b, Path::new("/repos/two"));
        settings.remember_export_folder(a, Path::new("/repos/three"));
        assert_eq!(settings.export_folder(a), Some(Path::new("/repos/three")));
        assert_eq!(settings.export_folder(b), Some(Path::new("/repos/two")));
        assert_eq!(settings.export_folders.len(), 2);
        assert_eq!(settings.export_folders[0].plan, a);
        assert_eq!(settings.export_folder(Path::new("/plans/c.ron")), None);
    }

    #[test]
    fn the_preview_and_export_folders_survive_a_round_trip_and_old_settings_still_load() {
        let mut settings = Settings {
            show_preview: true,
            ..Settings::default()
        };
        settings.remember_export_folder(Path::new("/p.ron"), Path::new("/repo"));
        let text = ron::to_string(&settings).expect("serialised");
        let back: Settings = ron::from_str(&text).expect("read back");
        assert_eq!(back, settings);
        // Settings written before the preview existed: the panel starts hidden.
        let old: Settings =
            ron::from_str("(recent: [], show_problems: false)").expect("old settings load");
        assert!(!old.show_preview && !old.show_problems && old.export_folders.is_empty());
    }
}
