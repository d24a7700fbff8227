//! The problems panel: the live diagnostics of the plan; clicking one reveals its object.

use egui::RichText;

use super::message::Message;
use super::style;
use crate::analysis::{Analysis, Severity};

/// Draws the diagnostics as a list and collects clicks as commands.
pub fn problems_ui(ui: &mut egui::Ui, analysis: &Analysis, out: &mut Vec<Message>) {
    ui.horizontal(|ui| {
        ui.strong("Problems");
        for severity in [Severity::Error, Severity::Warning, Severity::Info] {
            let count = analysis.count(severity);
            ui.label(
                RichText::new(format!("{} {count}", style::severity_icon(severity)))
                    .color(style::severity_colour(severity)),
            );
        }
        if analysis.order.is_none() {
            ui.label(RichText::new("no deployment order (dependency cycle)").italics());
        }
    });
    ui.separator();
    if analysis.diagnostics.is_empty() {
        ui.label("No problems: the plan is ready to export.");
        return;
    }
    let row_height = ui.spacing().interact_size.y;
    // Only the visible rows are laid out, so a plan with thousands of problems stays responsive.
    egui::ScrollArea::vertical()
        .id_salt("problems")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, analysis.diagnostics.len(), |ui, rows| {
            for diagnostic in &analysis.diagnostics[rows] {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(style::severity_icon(diagnostic.severity))
                            .color(style::severity_colour(diagnostic.severity)),
                    );
                    ui.monospace(diagnostic.code.as_str());
                    let text = format!("{}: {}", diagnostic.subject, diagnostic.message);
                    let response = ui
                        .selectable_label(false, text)
                        .on_hover_text(format!("Hint: {}", diagnostic.hint));
                    if response.clicked() {
                        out.push(Message::Reveal(diagnostic.subject.clone()));
                    }
                });
            }
        });
}
