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

/// The key under which a field label waits to be given the keyboard.
fn focus_key() -> egui::Id {
    egui::Id::new("cutover-inspector-focus-field")
}

/// Gives the keyboard, with its text selected, to the next text field labelled `label` the
/// inspector draws (the name of an object just added).
pub fn focus_field(ctx: &egui::Context, label: &str) {
    ctx.data_mut(|d| d.insert_temp(focus_key(), label.to_owned()));
}

/// A one-line text field.
pub fn text(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    let response = row(ui, label, |ui| {
        ui.add(egui::TextEdit::singleline(value).desired_width(f32::INFINITY))
    });
    let wanted = ui.data(|d| d.get_temp::<String>(focus_key()));
    if wanted.as_deref() == Some(label) {
        ui.data_mut(|d| d.remove_temp::<String>(focus_key()));
        response.request_focus();
        let mut state = egui::TextEdit::load_state(ui.ctx(), response.id).unwrap_or_default();
        let all = egui::text::CCursorRange::two(
            egui::text::CCursor::new(0),
            egui::text::CCursor::new(value.chars().count()),
        );
        state.cursor.set_char_range(Some(all));
        state.store(ui.ctx(), response.id);
    }
    response
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

/// A yes/no field, its box in the field column; a long label starts further left rather than
/// running past the panel's edge.
pub fn check(ui: &mut Ui, label: &str, value: &mut bool) -> Response {
    ui.horizontal(|ui| {
        let text = egui::WidgetText::from(label).into_galley(
            ui,
            Some(egui::TextWrapMode::Extend),
            f32::INFINITY,
            egui::TextStyle::Button,
        );
        let needed = text.size().x + ui.spacing().icon_width + ui.spacing().icon_spacing + 4.0;
        let column = LABEL_WIDTH + ui.spacing().item_spacing.x;
        ui.add_space(column.min((ui.available_width() - needed).max(0.0)));
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
        // As wide as the field column, the choice cut short rather than running past the
        // panel's edge (the list shows it whole).
        let mut response = egui::ComboBox::from_id_salt(("choice", label))
            .width(ui.available_width())
            .truncate()
            .selected_text(current)
            .show_ui(ui, |ui| {
                let mut changed = arrow_keys_choose(ui, value, options);
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

/// An object a reference can point at: its id, and how pickers show it (its name with the id
/// beside it, "API (api)").
pub struct Choice<'a> {
    /// The object's id.
    pub id: &'a Id,
    /// The text a picker shows.
    pub text: String,
}

impl<'a> Choice<'a> {
    /// The choice of `id` named `name`: "name (id)", or the id alone when the name is empty or
    /// the same.
    pub fn named(id: &'a Id, name: &str) -> Self {
        let text = if name.is_empty() || name == id.as_str() {
            id.to_string()
        } else {
            format!("{name} ({id})")
        };
        Self { id, text }
    }
}

/// How `id` reads among `choices`: its choice's text, or the id marked missing.
fn choice_text(choices: &[Choice], id: &Id) -> Option<String> {
    choices.iter().find(|c| c.id == id).map(|c| c.text.clone())
}

/// While a choice's list is open, the arrow keys move to the next or previous option and Enter
/// (or Escape) closes the list; returns whether the value changed.
fn arrow_keys_choose<T: PartialEq + Clone>(
    ui: &mut Ui,
    value: &mut T,
    options: &[(T, &str)],
) -> bool {
    use egui::{Key, Modifiers};
    let (down, up, enter) = ui.input_mut(|i| {
        (
            i.consume_key(Modifiers::NONE, Key::ArrowDown),
            i.consume_key(Modifiers::NONE, Key::ArrowUp),
            i.consume_key(Modifiers::NONE, Key::Enter),
        )
    });
    let mut changed = false;
    if down || up {
        let current = options.iter().position(|(o, _)| o == value);
        let next = match (current, down) {
            (None, _) => 0,
            (Some(i), true) => (i + 1).min(options.len().saturating_sub(1)),
            (Some(i), false) => i.saturating_sub(1),
        };
        if let Some((option, _)) = options.get(next)
            && option != value
        {
            *value = option.clone();
            changed = true;
        }
    }
    if enter {
        ui.close();
    }
    changed
}

/// A reference to another object: a choice among the objects that exist, shown by name with the
/// id beside it (a dangling id stays shown).
pub fn reference(ui: &mut Ui, label: &str, value: &mut Id, choices: &[Choice]) -> Response {
    let mut options: Vec<(Id, String)> = choices
        .iter()
        .map(|c| (c.id.clone(), c.text.clone()))
        .collect();
    if choice_text(choices, value).is_none() {
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
    let add = format!("+ Add to {}", label.to_lowercase());
    editable_list(
        ui,
        label,
        "list",
        items,
        &add,
        |_| new_item.to_owned(),
        |ui, item| {
            ui.add(egui::TextEdit::singleline(item).desired_width(f32::INFINITY));
        },
    );
}

/// A list of percentages (traffic steps) with remove and `+ Add step`, which appends `next` of the
/// list as it is.
pub fn percent_list(ui: &mut Ui, label: &str, items: &mut Vec<u32>, next: impl Fn(&[u32]) -> u32) {
    editable_list(
        ui,
        label,
        "percents",
        items,
        "+ Add step",
        next,
        |ui, item| {
            ui.add(egui::DragValue::new(item).range(0..=100).suffix("%"));
        },
    );
}

/// The list under a heading: each item edited by `row` beside a remove button, then a button
/// labelled `add` that appends `new_item` of the list as it is. `kind` keeps the ids of lists of
/// different kinds under the same heading apart.
fn editable_list<T>(
    ui: &mut Ui,
    label: &str,
    kind: &str,
    items: &mut Vec<T>,
    add: &str,
    new_item: impl Fn(&[T]) -> T,
    mut row: impl FnMut(&mut Ui, &mut T),
) {
    list_heading(ui, label);
    ui.push_id((kind, label), |ui| {
        ui.indent("items", |ui| {
            let mut remove = None;
            for (index, item) in items.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    if ui
                        .small_button(crate::app::style::REMOVE_ICON)
                        .on_hover_text("Remove")
                        .clicked()
                    {
                        remove = Some(index);
                    }
                    row(ui, item);
                });
            }
            if let Some(index) = remove {
                items.remove(index);
            }
            if ui.small_button(add).clicked() {
                let item = new_item(items);
                items.push(item);
            }
        });
    });
}

/// A list of references to existing objects, with remove, and an add choice (labelled by the list's
/// heading) of those not yet listed.
pub fn reference_list(ui: &mut Ui, label: &str, items: &mut Vec<Id>, choices: &[Choice]) {
    let heading = list_heading(ui, label);
    ui.push_id(("references", label), |ui| {
        ui.indent("items", |ui| {
            let mut remove = None;
            for (index, item) in items.iter().enumerate() {
                ui.horizontal(|ui| {
                    if ui
                        .small_button(crate::app::style::REMOVE_ICON)
                        .on_hover_text("Remove")
                        .clicked()
                    {
                        remove = Some(index);
                    }
                    if let Some(text) = choice_text(choices, item) {
                        ui.label(text);
                    } else {
                        ui.label(RichText::new(format!("{item} (missing)")).italics());
                    }
                });
            }
            if let Some(index) = remove {
                items.remove(index);
            }
            let available: Vec<(Id, String)> = choices
                .iter()
                .filter(|c| !items.contains(c.id))
                .map(|c| (c.id.clone(), c.text.clone()))
                .collect();
            if !available.is_empty() {
                let text = format!("+ Add to {}", label.to_lowercase());
                if let Some(id) = add_menu(ui, "add", &text, heading, &available) {
                    items.push(id);
                }
            }
        });
    });
}

/// A "+ Add…" choice labelled by `heading`: a click on an option, or the arrow keys then Enter,
/// picks it; returns the option picked this frame.
pub fn add_menu<T: Clone>(
    ui: &mut Ui,
    salt: &str,
    text: &str,
    heading: egui::Id,
    options: &[(T, String)],
) -> Option<T> {
    use egui::{Key, Modifiers};
    let key = ui.make_persistent_id(("add-menu-highlight", salt));
    let mut chosen = None;
    egui::ComboBox::from_id_salt(salt)
        .selected_text(text)
        .show_ui(ui, |ui| {
            let mut highlight: Option<usize> =
                ui.data(|d| d.get_temp::<Option<usize>>(key)).flatten();
            let (down, up, enter) = ui.input_mut(|i| {
                (
                    i.consume_key(Modifiers::NONE, Key::ArrowDown),
                    i.consume_key(Modifiers::NONE, Key::ArrowUp),
                    i.consume_key(Modifiers::NONE, Key::Enter),
                )
            });
            let last = options.len().saturating_sub(1);
            if down {
                highlight = Some(highlight.map_or(0, |i| (i + 1).min(last)));
            }
            if up {
                highlight = Some(highlight.map_or(0, |i| i.saturating_sub(1)));
            }
            for (index, (value, label)) in options.iter().enumerate() {
                if ui
                    .selectable_label(highlight == Some(index), label)
                    .clicked()
                {
                    chosen = Some(value.clone());
                }
            }
            if enter {
                if let Some((value, _)) = highlight.and_then(|i| options.get(i)) {
                    chosen = Some(value.clone());
                }
                ui.close();
            }
            if chosen.is_some() {
                highlight = None;
            }
            ui.data_mut(|d| d.insert_temp(key, highlight));
        })
        .response
        .labelled_by(heading);
    chosen
}

/// A heading over a list or group of fields; returns its id, to label the list's controls.
pub fn list_heading(ui: &mut Ui, label: &str) -> egui::Id {
    ui.add_space(4.0);
    ui.label(RichText::new(label).strong()).id
}

/// What the user did with an [`id_field`].
#[derive(Debug, Default, PartialEq)]
pub struct IdEdit {
    /// The valid new id typed so far (`None` while the copy is the id, or is not valid).
    pub draft: Option<Id>,
    /// Whether the offered id was taken up.
    pub offer_taken: bool,
}

/// An id field: edits a copy of the id and says as it is typed what is wrong with it (empty,
/// taken). The caller gives the object the new id only when the keyboard leaves the field (Enter,
/// Tab, a click elsewhere), so the object keeps its name — and the selection and the keyboard keep
/// it — while the user types. Escape puts the id back. `offer`, an id the object's name suggests,
/// is offered with a button. The line under the field is always there, so nothing below moves
/// when a note comes or goes.
pub fn id_field(
    ui: &mut Ui,
    label: &str,
    current: &Id,
    offer: Option<&Id>,
    taken: impl Fn(&Id) -> bool,
) -> IdEdit {
    let key = ui.make_persistent_id(("id-field", label));
    let (mut original, mut buffer) = ui
        .data_mut(|d| d.get_temp::<(String, String)>(key))
        .unwrap_or_default();
    if original != current.as_str() {
        original = current.to_string();
        buffer = current.to_string();
    }
    let response = text(ui, label, &mut buffer);
    if (response.has_focus() || response.lost_focus())
        && ui.input(|i| i.key_pressed(egui::Key::Escape))
    {
        buffer = current.to_string();
    }
    let candidate = Id::new(buffer.trim());
    let (draft, problem) = if candidate.as_str().is_empty() {
        (None, Some("an id is needed".to_owned()))
    } else if &candidate == current {
        (None, None)
    } else if taken(&candidate) {
        (None, Some(format!("`{candidate}` is already used")))
    } else {
        (Some(candidate), None)
    };
    let mut offer_taken = false;
    ui.horizontal(|ui| {
        ui.set_min_height(ui.spacing().interact_size.y);
        ui.add_space(LABEL_WIDTH + ui.spacing().item_spacing.x);
        if let Some(problem) = problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        } else if draft.is_some() {
            ui.weak("Enter renames it everywhere; Esc keeps the old id");
        } else if let Some(offer) = offer {
            offer_taken = ui
                .small_button(format!("Set id to `{offer}`"))
                .on_hover_text("Give it the id its name suggests; references follow")
                .clicked();
        }
    });
    ui.data_mut(|d| d.insert_temp(key, (original, buffer)));
    IdEdit { draft, offer_taken }
}
