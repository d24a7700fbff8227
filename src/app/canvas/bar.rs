//! The strip above the graph: find (Ctrl+F), focus on the selected service and its depth, and the
//! filters by tier, by problems and by text. Real widgets, so they take the keyboard and are read by
//! screen readers; the graph below is never covered by them.

use egui::{Key, Modifiers};

use super::lens::{Highlight, Lens, MAX_DEPTH};
use crate::plan::Tier;

/// The find field's id, to give it the keyboard on Ctrl+F.
pub fn find_field_id() -> egui::Id {
    egui::Id::new("canvas-find")
}

/// What the user asked of the bar this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BarAction {
    /// Go to the next match (Enter in the find field or the button), or the previous (Shift+Enter).
    Step {
        /// Forwards in reading order.
        forward: bool,
    },
}

/// Draws the bar; `current` is the position of the selected service among the matches.
pub fn bar_ui(
    ui: &mut egui::Ui,
    lens: &mut Lens,
    highlight: &Highlight,
    current: Option<usize>,
) -> Option<BarAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Find service");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut lens.find)
                    .id(find_field_id())
                    .hint_text("name or id (Ctrl+F)")
                    .desired_width(150.0),
            )
            .labelled_by(label.id);
        if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
            let back = ui.input(|i| i.modifiers.matches_logically(Modifiers::SHIFT));
            action = Some(BarAction::Step { forward: !back });
            // Keep typing and pressing Enter without clicking back into the field.
            field.request_focus();
        }
        if !lens.find.trim().is_empty() {
            let count = highlight.matches.len();
            ui.label(match (count, current) {
                (0, _) => "no match".to_owned(),
                (n, Some(at)) => format!("{} of {n}", at + 1),
                (n, None) => format!("{n} found"),
            });
            if ui
                .add_enabled(count > 0, egui::Button::new("Next match"))
                .on_hover_text("Select and centre the next service found (Enter)")
                .clicked()
            {
                action = Some(BarAction::Step { forward: true });
            }
        }
        ui.separator();
        ui.checkbox(&mut lens.focus, "Focus").on_hover_text(
            "Show the selected service's dependencies and dependents; fade the rest",
        );
        let depth_label = ui.label("Depth");
        ui.add_enabled(
            lens.focus,
            egui::DragValue::new(&mut lens.depth).range(1..=MAX_DEPTH),
        )
        .labelled_by(depth_label.id)
        .on_hover_text("How many steps of dependencies and dependents focus shows");
        ui.separator();
        let tier_label = ui.label("Show tier");
        egui::ComboBox::from_id_salt("canvas-tier")
            .selected_text(lens.tier.map_or("All tiers", Tier::label))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut lens.tier, None, "All tiers");
                for tier in Tier::ALL {
                    ui.selectable_value(&mut lens.tier, Some(tier), tier.label());
                }
            })
            .response
            .labelled_by(tier_label.id);
        ui.checkbox(&mut lens.problems_only, "With problems")
            .on_hover_text("Fade the services that have no problem");
        let filter_label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut lens.filter)
                .hint_text("name or id")
                .desired_width(110.0),
        )
        .labelled_by(filter_label.id);
        if lens.filtering() && ui.button("Clear filters").clicked() {
            lens.tier = None;
            lens.problems_only = false;
            lens.filter.clear();
        }
    });
    action
}
