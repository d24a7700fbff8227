//! The form widgets the inspector is built from: one labelled row per field, with the label tied to
//! the widget for screen readers (and for the UI tests, which find widgets by label).

use egui::{Response, RichText, Ui};

use crate::plan::Id;

/// The width of the label column.
const LABEL_WIDTH: f32 = 150.0;

/// A row: a label on the left, the widget `add` makes on the right, labelled by the label.
pub fn row(ui: &mut Ui, label: &str, add: impl FnOnce(&mut Ui) -> Response) -> Response {
    ui.horizontal(|ui| {
        let label_response = ui.add_sized(
            [LABEL_WIDTH, ui.spacing().interact_size.y],
            egui::Label::new(label).truncate(),
        );
        add(ui).labelled_by(label_response.id)
    })
    .inner
}

/// A one-line text field.
pub fn text(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    row(ui, label, |ui| {
        ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
    })
}

/// A text field for longer text.
pub fn multiline(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    row(ui, label, |ui| {
        ui.add(
            egui::TextEdit::multiline(value)
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
    })
}

/// A number with its unit shown after it (" min", " s", "%").
pub fn number<N: egui::emath::Numeric>(
    ui: &mut Ui,
    label: &str,
    value: &mut N,
    unit: &str,
    range: std::ops::RangeInclusive<N>,
) -> Response {
    row(ui, label, |ui| {
        ui.add(
            egui::DragValue::new(value)
                .range(range)
                .suffix(unit)
                .speed(0.2),
        )
    })
}

/// A yes/no field.
pub fn check(ui: &mut Ui, label: &str, value: &mut bool) -> Response {
    ui.horizontal(|ui| {
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        ui.checkbox(value, label)
    })
    .inner
}

/// One of a fixed set of choices.
pub fn choice<T: PartialEq + Clone>(
    ui: &mut Ui,
    label: &str,
    value: &mut T,
    options: &[(T, &str)],
) -> Response {
    let current = options
        .iter()
        .find(|(o, _)| o == value)
        .map_or("?", |(_, text)| *text)
        .to_owned();
    row(ui, label, |ui| {
        let mut response = egui::ComboBox::from_id_salt(("choice", label))
            .selected_text(current)
            .show_ui(ui, |ui| {
                let mut changed = false;
                for (option, text) in options {
                    changed |= ui.selectable_value(value, option.clone(), *text).changed();
                }
                changed
            });
        if response.inner == Some(true) {
            response.response.mark_changed();
        }
        response.response
    })
}

/// A reference to another object: a choice among the ids that exist (a dangling id stays shown).
pub fn reference(ui: &mut Ui, label: &str, value: &mut Id, choices: &[&Id]) -> Response {
    let mut options: Vec<(Id, String)> = choices
        .iter()
        .map(|id| ((*id).clone(), id.to_string()))
        .collect();
    if !choices.contains(&&*value) {
        let text = if value.as_str().is_empty() {
            "(none)".to_owned()
        } else {
            format!("{value} (missing)")
        };
        options.insert(0, (value.clone(), text));
    }
    let borrowed: Vec<(Id, &str)> = options
        .iter()
        .map(|(id, text)| (id.clone(), text.as_str()))
        .collect();
    choice(ui, label, value, &borrowed)
}

/// An optional value: a checkbox turns it on (with `make` giving the starting value) and off; the
/// editor shows, indented, while it is on.
pub fn optional<T>(
    ui: &mut Ui,
    label: &str,
    value: &mut Option<T>,
    make: impl FnOnce() -> T,
    editor: impl FnOnce(&mut Ui, &mut T),
) {
    let mut on = value.is_some();
    if check(ui, label, &mut on).changed() {
        *value = if on { Some(make()) } else { None };
    }
    if let Some(inner) = value {
        ui.indent(("optional", label), |ui| {
            ui.push_id(label, |ui| editor(ui, inner));
        });
    }
}

/// A list of text items with add and remove.
pub fn string_list(ui: &mut Ui, label: &str, items: &mut Vec<String>, new_item: &str) {
    list_heading(ui, label);
    ui.push_id(("list", label), |ui| {
        ui.indent("items", |ui| {
            let mut remove = None;
            for (index, item) in items.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    if ui.small_button("✖").on_hover_text("Remove").clicked() {
                        remove = Some(index);
                    }
                    ui.add(egui::TextEdit::singleline(item).desired_width(f32::INFINITY));
                });
            }
            if let Some(index) = remove {
                items.remove(index);
            }
            if ui
                .small_button(format!("+ Add to {}", label.to_lowercase()))
                .clicked()
            {
                items.push(new_item.to_owned());
            }
        });
    });
}

/// A list of references to existing objects, with remove, and an add choice (labelled by the list's
/// heading) of those not yet listed.
pub fn reference_list(ui: &mut Ui, label: &str, items: &mut Vec<Id>, choices: &[&Id]) {
    let heading = list_heading(ui, label);
    ui.push_id(("references", label), |ui| {
        ui.indent("items", |ui| {
            let mut remove = None;
            for (index, item) in items.iter().enumerate() {
                ui.horizontal(|ui| {
                    if ui.small_button("✖").on_hover_text("Remove").clicked() {
                        remove = Some(index);
                    }
                    if choices.contains(&item) {
                        ui.label(item.as_str());
                    } else {
                        ui.label(RichText::new(format!("{item} (missing)")).italics());
                    }
                });
            }
            if let Some(index) = remove {
                items.remove(index);
            }
            let available: Vec<&&Id> = choices.iter().filter(|c| !items.contains(c)).collect();
            if !available.is_empty() {
                egui::ComboBox::from_id_salt("add")
                    .selected_text(format!("+ Add to {}", label.to_lowercase()))
                    .show_ui(ui, |ui| {
                        for id in available {
                            if ui.selectable_label(false, id.as_str()).clicked() {
                                items.push((**id).clone());
                            }
                        }
                    })
                    .response
                    .labelled_by(heading);
            }
        });
    });
}

/// A heading over a list or group of fields; returns its id, to label the list's controls.
pub fn list_heading(ui: &mut Ui, label: &str) -> egui::Id {
    ui.add_space(4.0);
    ui.label(RichText::new(label).strong()).id
}

/// An id field: edits a copy and hands back the new id only when it is valid (not empty, not taken);
/// otherwise it says what is wrong, so the plan never holds a half-typed duplicate.
pub fn id_field(ui: &mut Ui, label: &str, current: &Id, taken: impl Fn(&Id) -> bool) -> Option<Id> {
    let key = ui.make_persistent_id(("id-field", label));
    let (mut original, mut buffer) = ui
        .data_mut(|d| d.get_temp::<(String, String)>(key))
        .unwrap_or_default();
    if original != current.as_str() {
        original = current.to_string();
        buffer = current.to_string();
    }
    text(ui, label, &mut buffer);
    let candidate = Id::new(buffer.trim());
    let mut result = None;
    let problem = if candidate.as_str().is_empty() {
        Some("an id is needed".to_owned())
    } else if &candidate != current && taken(&candidate) {
        Some(format!("`{candidate}` is already used"))
    } else {
        if &candidate != current {
            result = Some(candidate.clone());
            original = candidate.to_string();
        }
        None
    };
    if let Some(problem) = problem {
        ui.horizontal(|ui| {
            ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
            ui.colored_label(ui.visuals().error_fg_color, problem);
        });
    }
    ui.data_mut(|d| d.insert_temp(key, (original, buffer)));
    result
}
