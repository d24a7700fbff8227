//! The one clickable list of diagnostics, used by the Problems panel, the inspector (the selected
//! object's problems), the preview (the errors that stop it) and the Export… window (the errors that
//! refuse an export). Each row shows the severity's icon and colour, its hint on hover, and a click
//! reveals the object it is about.

use egui::{RichText, Ui};

use super::message::Message;
use super::style;
use crate::analysis::Diagnostic;

/// How each row of a [`DiagnosticList`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// The Problems panel: the code in a column of its own, then the object and the message, one
    /// line each; only the rows in view are laid out.
    Table,
    /// A list inside a message (the preview, the export refusal): "CODE object: message", wrapped.
    Inline,
    /// About the object the list is shown with (the inspector): the message, wrapped; the code and
    /// the hint on hover.
    OfObject,
}

/// A list of diagnostics whose rows reveal their object when clicked.
pub struct DiagnosticList<'a> {
    diagnostics: Vec<&'a Diagnostic>,
    rows: Rows,
    limit: usize,
}

impl<'a> DiagnosticList<'a> {
    /// A list of `diagnostics`, each row read as `rows` says.
    pub fn new(rows: Rows, diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Self {
        Self {
            diagnostics: diagnostics.into_iter().collect(),
            rows,
            limit: usize::MAX,
        }
    }

    /// Lists at most `limit` rows, then says how many more the Problems panel has.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Draws the rows into `ui`; a click pushes [`Message::Reveal`]. Returns whether a row was
    /// clicked.
    pub fn show(self, ui: &mut Ui, out: &mut Vec<Message>) -> bool {
        let mut clicked = false;
        for diagnostic in self.diagnostics.iter().take(self.limit) {
            clicked |= row(ui, self.rows, diagnostic, out);
        }
        if self.diagnostics.len() > self.limit {
            ui.weak(format!(
                "… and {} more in the Problems panel",
                self.diagnostics.len() - self.limit
            ));
        }
        clicked
    }

    /// Draws every row in a vertical scroll area that fills `ui`, laying out only the rows in view
    /// (so thousands of problems stay responsive); for [`Rows::Table`], whose rows are one line
    /// high. Returns whether a row was clicked.
    pub fn show_scrolled(self, ui: &mut Ui, id_salt: &str, out: &mut Vec<Message>) -> bool {
        let mut clicked = false;
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical()
            .id_salt(id_salt)
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.diagnostics.len(), |ui, range| {
                for diagnostic in &self.diagnostics[range] {
                    clicked |= row(ui, self.rows, diagnostic, out);
                }
            });
        clicked
    }
}

/// One row; returns whether it was clicked.
fn row(ui: &mut Ui, rows: Rows, diagnostic: &Diagnostic, out: &mut Vec<Message>) -> bool {
    let icon = |ui: &mut Ui| {
        ui.label(
            RichText::new(style::severity_icon(diagnostic.severity))
                .color(style::severity_colour(diagnostic.severity)),
        );
    };
    let hint = format!("Hint: {}", diagnostic.hint);
    let response = match rows {
        Rows::Table => {
            ui.horizontal(|ui| {
                icon(ui);
                ui.monospace(diagnostic.code.as_str());
                let text = format!("{}: {}", diagnostic.subject, diagnostic.message);
                ui.selectable_label(false, text).on_hover_text(hint)
            })
            .inner
        }
        Rows::Inline => {
            ui.horizontal_wrapped(|ui| {
                icon(ui);
                let text = format!(
                    "{} {}: {}",
                    diagnostic.code.as_str(),
                    diagnostic.subject,
                    diagnostic.message
                );
                ui.selectable_label(false, text).on_hover_text(hint)
            })
            .inner
        }
        Rows::OfObject => {
            ui.horizontal_wrapped(|ui| {
                icon(ui);
                ui.selectable_label(false, &diagnostic.message)
                    .on_hover_text(format!("{}. {hint}", diagnostic.code.as_str()))
            })
            .inner
        }
    };
    let clicked = response.clicked();
    if clicked {
        out.push(Message::Reveal(diagnostic.subject.clone()));
    }
    clicked
}
