//! The preview panel: a tab per generated file, grouped by platform and kind, and the selected file
//! coloured, with Copy and Find. When the plan has errors the panel lists them instead of showing
//! pipelines that no longer match the plan.
//!
//! Only the lines on screen are coloured and laid out, so a file of a quarter of a million lines
//! (a 1,000-service plan's release pipeline) scrolls as easily as a short one.

use std::ops::Range;

use egui::{Label, RichText, TextStyle, Ui};

use super::{Outcome, Preview, PreviewFile};
use crate::analysis::{Analysis, Severity};
use crate::app::diagnostics::{DiagnosticList, Rows};
use crate::app::document::Document;
use crate::app::highlight::{Palette, layout_line, tokenize_line};
use crate::app::message::Message;
use crate::export::FileKind;

/// The tab groups, in order, with their names.
const GROUPS: [(FileKind, &str); 4] = [
    (FileKind::AzurePipeline, "Azure Pipelines"),
    (FileKind::GitHubWorkflow, "GitHub Actions"),
    (FileKind::EnvironmentSetup, "Environment setup"),
    (FileKind::Runbook, "Runbooks"),
];

/// The width of the tab groups' names.
const GROUP_WIDTH: f32 = 120.0;

/// How many errors the panel lists before pointing to the Problems panel for the rest.
const LISTED_ERRORS: usize = 50;

/// Lines kept above a found line when scrolling to it.
const FIND_MARGIN: usize = 4;

/// What the panel remembers between frames: the selected tab and the find field.
#[derive(Debug, Default)]
pub struct PanelState {
    /// The path of the selected file.
    selected: Option<String>,
    find: String,
    /// The line (from 0) of the current match.
    found: Option<usize>,
    /// Scroll to this line in the next frame.
    scroll_to: Option<usize>,
    /// The file and generation the current match was searched in.
    searched: Option<(String, u64)>,
}

impl PanelState {
    /// The selected file, or the first one.
    pub(super) fn selected_file<'a>(&self, files: &'a [PreviewFile]) -> Option<&'a PreviewFile> {
        self.selected
            .as_ref()
            .and_then(|path| files.iter().find(|f| &f.path == path))
            .or_else(|| files.first())
    }

    /// Selects the file at `path` and finds `text` in it from its first line, in the next frame.
    pub(super) fn reveal(&mut self, path: &str, text: &str) {
        self.selected = Some(path.to_owned());
        self.find = text.to_owned();
        self.found = None;
        self.searched = None;
    }

    /// The text of the find field.
    pub(super) fn find_text(&self) -> &str {
        &self.find
    }

    /// Moves the match to the first line at or after `from` (wrapping around) that contains the find
    /// text, and scrolls there.
    fn search(&mut self, file: &PreviewFile, from: usize) {
        let count = file.line_count();
        let from = if count == 0 { 0 } else { from % count };
        self.found = (from..count)
            .chain(0..from)
            .find(|&i| find_in(file.line(i), &self.find).is_some());
        self.scroll_to = self.found;
    }
}

impl Preview {
    /// Draws the panel for `document`; clicks on listed errors become [`Message::Reveal`].
    pub fn ui(&mut self, ui: &mut Ui, document: &Document, out: &mut Vec<Message>) {
        let revision = document.content_revision();
        let analysis = document.current_analysis();
        let updating = !analysis.has_errors() && !self.is_current(revision);
        ui.horizontal(|ui| {
            ui.strong("Export preview");
            if updating {
                ui.spinner();
                ui.weak("updating…");
            }
        });
        ui.separator();
        if analysis.has_errors() {
            errors_ui(ui, document.plan(), analysis, out);
            return;
        }
        // A preview of another document is not shown, even as a stale one.
        let shown = self
            .shown
            .as_ref()
            .filter(|g| g.revision.document == revision.document);
        match shown.map(|g| &g.outcome) {
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Generating the pipelines…");
                });
            }
            Some(Outcome::Failed(message)) => {
                ui.label(RichText::new(message).color(ui.visuals().error_fg_color));
            }
            Some(Outcome::Files(files)) => self.panel.files_ui(ui, files, self.generations),
        }
    }
}

impl PanelState {
    fn files_ui(&mut self, ui: &mut Ui, files: &[PreviewFile], generation: u64) {
        let selected = self.selected_file(files).map(|f| f.path.clone());
        for (kind, group) in GROUPS {
            if !files.iter().any(|f| f.kind == kind) {
                continue;
            }
            ui.horizontal_top(|ui| {
                let height = ui.spacing().interact_size.y;
                ui.allocate_ui_with_layout(
                    egui::vec2(GROUP_WIDTH, height),
                    egui::Layout::left_to_right(egui::Align::Center),
                    |ui| {
                        ui.set_min_width(GROUP_WIDTH);
                        ui.label(RichText::new(group).weak());
                    },
                );
                ui.horizontal_wrapped(|ui| {
                    for file in files.iter().filter(|f| f.kind == kind) {
                        let on = selected.as_ref() == Some(&file.path);
                        if ui
                            .selectable_label(on, &file.label)
                            .on_hover_text(&file.path)
                            .clicked()
                            && !on
                        {
                            self.selected = Some(file.path.clone());
                            self.found = None;
                            self.searched = None;
                        }
                    }
                });
            });
        }
        let Some(file) = self.selected_file(files) else {
            ui.label("The export writes no files.");
            return;
        };
        ui.separator();
        ui.horizontal(|ui| {
            ui.scope(|ui| {
                // Leave room for the line count and Copy; a long path is cut short.
                ui.set_max_width((ui.available_width() - 150.0).max(60.0));
                ui.add(Label::new(RichText::new(&file.path).monospace()).truncate())
                    .on_hover_text(&file.path);
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("Copy")
                    .on_hover_text("Copy the whole file to the clipboard")
                    .clicked()
                {
                    ui.ctx().copy_text(file.text.clone());
                }
                ui.weak(format!("{} lines", file.line_count()));
            });
        });
        self.find_ui(ui, file, generation);
        ui.separator();
        self.text_ui(ui, file);
    }

    fn find_ui(&mut self, ui: &mut Ui, file: &PreviewFile, generation: u64) {
        ui.horizontal(|ui| {
            let label = ui.label("Find");
            let field = ui
                .add(
                    egui::TextEdit::singleline(&mut self.find)
                        .desired_width(220.0)
                        .hint_text("text in this file"),
                )
                .labelled_by(label.id);
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let next = ui
                .button("Next")
                .on_hover_text("Find the next match (Enter)");
            let key = (file.path.clone(), generation);
            if field.changed() {
                self.search(file, 0);
            } else if entered || next.clicked() {
                self.search(file, self.found.map_or(0, |line| line + 1));
                if entered {
                    field.request_focus();
                }
            } else if !self.find.is_empty() && self.searched.as_ref() != Some(&key) {
                // Another tab or a regenerated file: look again from where the match was.
                let before = self.found;
                self.search(file, before.unwrap_or(0));
                if self.found == before {
                    self.scroll_to = None;
                }
            }
            self.searched = Some(key);
            if self.find.is_empty() {
                self.found = None;
            } else if let Some(line) = self.found {
                ui.weak(format!("line {}", line + 1));
            } else {
                ui.label(RichText::new("no match").color(ui.visuals().error_fg_color));
            }
        });
    }

    fn text_ui(&mut self, ui: &mut Ui, file: &PreviewFile) {
        let palette = Palette::for_visuals(ui.visuals());
        let font = TextStyle::Monospace.resolve(ui.style());
        let number_colour = ui.visuals().weak_text_color();
        let digits = file.line_count().max(1).to_string().len();
        let found = self.found;
        let find = self.find.as_str();
        let scroll_to = self.scroll_to.take();
        ui.scope(|ui| {
            let row_height = ui.text_style_height(&TextStyle::Monospace);
            ui.spacing_mut().item_spacing.y = 1.0;
            ui.spacing_mut().interact_size.y = row_height;
            let mut area = egui::ScrollArea::both()
                .id_salt(("preview-file", &file.path))
                .auto_shrink([false, false]);
            if let Some(line) = scroll_to {
                let offset = line.saturating_sub(FIND_MARGIN) as f32 * (row_height + 1.0);
                area = area.vertical_scroll_offset(offset);
            }
            area.show_rows(ui, row_height, file.line_count(), |ui, rows| {
                for index in rows {
                    let line = file.line(index);
                    let (tokens, _) = tokenize_line(file.language(), file.state(index), line);
                    let highlight = if found == Some(index) {
                        find_in(line, find)
                    } else {
                        None
                    };
                    let job = layout_line(line, &tokens, &palette, &font, highlight);
                    ui.horizontal(|ui| {
                        ui.add(
                            Label::new(
                                RichText::new(format!("{:>digits$}", index + 1))
                                    .font(font.clone())
                                    .color(number_colour),
                            )
                            .selectable(false),
                        );
                        ui.add(Label::new(job).extend());
                    });
                }
            });
        });
    }
}

/// The plan's errors, in place of the pipelines; clicking one reveals its object.
fn errors_ui(ui: &mut Ui, plan: &crate::plan::Plan, analysis: &Analysis, out: &mut Vec<Message>) {
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let message = match errors.len() {
        1 => "The plan has 1 error; fix it to see the pipelines.".to_owned(),
        n => format!("The plan has {n} errors; fix them to see the pipelines."),
    };
    ui.label(
        RichText::new(message)
            .strong()
            .color(ui.visuals().error_fg_color),
    );
    ui.weak("They are in the Problems panel too. Click one to select what it is about.");
    ui.add_space(4.0);
    egui::ScrollArea::vertical()
        .id_salt("preview-errors")
        .auto_shrink([false, true])
        .show(ui, |ui| {
            DiagnosticList::new(Rows::Inline, errors)
                .named(plan)
                .limit(LISTED_ERRORS)
                .show(ui, out);
        });
}

/// Where `needle` first occurs in `line`, ignoring ASCII case.
fn find_in(line: &str, needle: &str) -> Option<Range<usize>> {
    let (hay, pattern) = (line.as_bytes(), needle.as_bytes());
    if pattern.is_empty() || pattern.len() > hay.len() {
        return None;
    }
    (0..=hay.len() - pattern.len())
        .find(|&i| {
            hay[i..i + pattern.len()].eq_ignore_ascii_case(pattern)
                && line.is_char_boundary(i)
                && line.is_char_boundary(i + pattern.len())
        })
        .map(|i| i..i + pattern.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::GeneratedFile;

    #[test]
    fn find_ignores_case_and_respects_characters() {
        assert_eq!(find_in("Deploy Claims API", "claims api"), Some(7..17));
        assert_eq!(find_in("é claims", "claims"), Some(3..9));
        assert_eq!(find_in("short", "longer than the line"), None);
        assert_eq!(find_in("anything", ""), None);
    }

    #[test]
    fn search_wraps_around_from_the_given_line() {
        let file = PreviewFile::new(
            GeneratedFile {
                path: "a.md".to_owned(),
                kind: FileKind::Runbook,
                contents: "alpha\nbeta\nalpha again\n".to_owned(),
            },
            "plan",
        );
        let mut state = PanelState {
            find: "ALPHA".to_owned(),
            ..PanelState::default()
        };
        state.search(&file, 1);
        assert_eq!(state.found, Some(2));
        state.search(&file, 3);
        assert_eq!(state.found, Some(0));
        assert_eq!(state.scroll_to, Some(0));
        state.find = "gamma".to_owned();
        state.search(&file, 0);
        assert_eq!(state.found, None);
    }
}
