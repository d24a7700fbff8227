//! The problems panel: the live diagnostics of the plan; clicking one reveals its object.

use egui::RichText;

use super::diagnostics::{DiagnosticList, Rows};
use super::message::Message;
use super::style;
use crate::analysis::{Analysis, Severity};
use crate::plan::Plan;

/// Draws the diagnostics as a list and collects clicks as messages.
pub fn problems_ui(ui: &mut egui::Ui, plan: &Plan, analysis: &Analysis, out: &mut Vec<Message>) {
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
    DiagnosticList::new(Rows::Table, &analysis.diagnostics)
        .named(plan)
        .show_scrolled(ui, "problems", out);
}
