//! File → Save graph as SVG: the service graph as the canvas shows it (the plan's positions, tier
//! colours, wave labels), drawn by [`crate::diagram`] — the same picture `cutover graph --format svg`
//! writes — and written atomically by [`crate::storage`].

use std::path::{Path, PathBuf};

use super::CutoverApp;
use super::files::{self, PathPurpose};
use crate::diagram::{Diagram, Format};
use crate::storage;

impl CutoverApp {
    /// Asks where to save the picture (the native dialog, or a typed path where there is none, or
    /// when `typed`), suggesting a name beside the plan's file.
    pub(super) fn save_graph(&mut self, typed: bool) {
        let suggestion = self.graph_file_suggestion();
        if !typed {
            let name = suggestion
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            match files::pick_graph_to_save(&name) {
                Ok(Some(path)) => return self.write_graph(&path),
                Ok(None) => return,
                Err(files::NoDialog) => {}
            }
        }
        self.dialogs
            .ask_path(PathPurpose::SaveGraph, suggestion.display().to_string());
    }

    /// Writes the service graph's SVG to `path`, and says so (or why not) in the status bar.
    pub(super) fn write_graph(&mut self, path: &Path) {
        self.document.refresh();
        let plan = self.document.plan();
        let positions: Vec<_> = plan.services.iter().map(|s| s.position).collect();
        let order = self.document.current_analysis().order.as_ref();
        let svg = Diagram::of_plan(plan, &positions, order).render(Format::Svg);
        match storage::write_atomically(path, svg.as_bytes()) {
            Ok(()) => self.set_status(
                format!("Saved the service graph to {}", path.display()),
                false,
            ),
            Err(error) => {
                self.set_status(format!("The graph could not be saved: {error}"), true);
            }
        }
    }

    /// `<plan>-graph.svg` beside the plan's file, or in the current folder for a plan never saved.
    fn graph_file_suggestion(&self) -> PathBuf {
        let stem = storage::plan_name_for_file(
            self.document
                .path()
                .unwrap_or_else(|| Path::new(&self.document.plan().name)),
        );
        let name = format!("{stem}-graph.svg");
        match self.document.path().and_then(Path::parent) {
            Some(folder) if !folder.as_os_str().is_empty() => folder.join(name),
            _ => PathBuf::from(name),
        }
    }
}
