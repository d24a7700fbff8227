//! The form widgets the inspector is built from: one labelled row per field, with the label tied to
//! the widget for screen readers (and for the UI tests, which find widgets by label).

use std::borrow::Cow;
use std::collections::HashSet;

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
    let current = options.iter().position(|(option, _)| option == value);
    let current_text = current.map_or("?", |index| options[index].1).to_owned();
    let text_of = |index: usize| Cow::Borrowed(options[index].1);
    let (response, picked) = choose(ui, label, options.len(), current, current_text, text_of);
    if let Some(index) = picked {
        *value = options[index].0.clone();
    }
    response
}

/// A choice among `len` options in a row labelled `label`. The field shows `current_text`; its open
/// list shows each option whole (`text_of`) with `current` marked. A click, or the arrow keys, pick
/// another; Enter closes the list. Returns the field's response, marked changed when another option
/// was picked, and that option.
fn choose<'t>(
    ui: &mut Ui,
    label: &str,
    len: usize,
    current: Option<usize>,
    current_text: String,
    text_of: impl Fn(usize) -> Cow<'t, str>,
) -> (Response, Option<usize>) {
    let mut picked = None;
    let mut response = row(ui, label, |ui| {
        // As wide as the field column, the choice cut short rather than running past the
        // panel's edge (the list shows it whole).
        egui::ComboBox::from_id_salt(("choice", label))
            .width(ui.available_width())
            .truncate()
            .selected_text(current_text)
            .show_ui(ui, |ui| {
                let keys = ListKeys::take(ui);
                let moved = keys.moved(current, len);
                let clicked = option_rows(ui, len, moved.or(current), moved.is_some(), &text_of);
                picked = clicked.or(moved).filter(|index| Some(*index) != current);
                if keys.enter {
                    ui.close();
                }
            })
            .response
    });
    if picked.is_some() {
        response.mark_changed();
    }
    (response, picked)
}

/// The arrow keys and Enter pressed this frame while a list is open, taken from the input so that
/// nothing else acts on them.
struct ListKeys {
    down: bool,
    up: bool,
    enter: bool,
}

impl ListKeys {
    fn take(ui: &mut Ui) -> Self {
        use egui::{Key, Modifiers};
        ui.input_mut(|i| Self {
            down: i.consume_key(Modifiers::NONE, Key::ArrowDown),
            up: i.consume_key(Modifiers::NONE, Key::ArrowUp),
            enter: i.consume_key(Modifiers::NONE, Key::Enter),
        })
    }

    /// The row of a list of `len` that the arrow keys move to from `from` (the first row when none
    /// is marked), or `None` when no arrow was pressed.
    fn moved(&self, from: Option<usize>, len: usize) -> Option<usize> {
        if len == 0 || self.down == self.up {
            return None;
        }
        Some(match (from, self.down) {
            (None, _) => 0,
            (Some(index), true) => (index + 1).min(len - 1),
            (Some(index), false) => index.saturating_sub(1),
        })
    }
}

/// The rows of an open list of `len` options, with `marked` shown selected, and scrolled to it
/// when the list opens or when `reveal` is set. Only the rows in view are laid out, so choosing
/// among every service of a big plan costs what choosing among a dozen does. Returns the row
/// clicked.
fn option_rows<'t>(
    ui: &mut Ui,
    len: usize,
    marked: Option<usize>,
    reveal: bool,
    text_of: impl Fn(usize) -> Cow<'t, str>,
) -> Option<usize> {
    // The list opened this frame unless it was drawn the frame before.
    let shown_key = ui.make_persistent_id("options-shown");
    let pass = ui.ctx().cumulative_pass_nr();
    let opened = ui
        .data(|d| d.get_temp::<u64>(shown_key))
        .is_none_or(|last| last + 1 < pass);
    ui.data_mut(|d| d.insert_temp(shown_key, pass));
    let reveal = reveal || opened;
    let row_height = ui.spacing().interact_size.y;
    let step = row_height + ui.spacing().item_spacing.y;
    let height = ui.spacing().combo_height;
    let mut area = egui::ScrollArea::vertical()
        .id_salt("options")
        .max_height(height);
    if let Some(index) = marked.filter(|_| reveal) {
        // The marked row in the middle of the list, or as near as the list's ends allow.
        area = area.vertical_scroll_offset((index as f32 * step - (height - step) / 2.0).max(0.0));
    }
    let mut clicked = None;
    area.show_rows(ui, row_height, len, |ui, rows| {
        for index in rows {
            if ui
                .selectable_label(marked == Some(index), text_of(index))
                .clicked()
            {
                clicked = Some(index);
            }
        }
    });
    clicked
}

/// An object a reference can point at: its id and name, shown in pickers as the name with the id
/// beside it ("API (api)").
#[derive(Clone, Copy)]
pub struct Choice<'a> {
    /// The object's id.
    pub id: &'a Id,
    /// The object's name.
    name: &'a str,
}

impl<'a> Choice<'a> {
    /// The choice of `id` named `name`.
    pub fn named(id: &'a Id, name: &'a str) -> Self {
        Self { id, name }
    }

    /// How pickers show it: "name (id)", or the id alone when the name is empty or the same.
    pub fn text(&self) -> Cow<'a, str> {
        crate::app::diagnostics::name_and_id(self.name, self.id)
    }
}

/// How `id` reads among `choices`: its choice's text, or `None` when no choice has it.
fn choice_text<'a>(choices: &[Choice<'a>], id: &Id) -> Option<Cow<'a, str>> {
    choices.iter().find(|c| c.id == id).map(Choice::text)
}

/// How a reference to `id` reads when no object has it.
fn missing_text(id: &Id) -> String {
    if id.as_str().is_empty() {
        "(none)".to_owned()
    } else {
        format!("{id} (missing)")
    }
}

/// A reference to another object: a choice among the objects that exist, shown by name with the
/// id beside it (a dangling id stays shown, as the list's first option).
pub fn reference(ui: &mut Ui, label: &str, value: &mut Id, choices: &[Choice]) -> Response {
    let found = choices.iter().position(|c| c.id == value);
    let dangling = usize::from(found.is_none());
    let missing = missing_text(value);
    let current_text = found.map_or_else(|| missing.clone(), |i| choices[i].text().into_owned());
    let text_of = |index: usize| match index.checked_sub(dangling) {
        Some(index) => choices[index].text(),
        None => Cow::Borrowed(missing.as_str()),
    };
    let current = Some(found.unwrap_or(0));
    let len = choices.len() + dangling;
    let (response, picked) = choose(ui, label, len, current, current_text, text_of);
    if let Some(index) = picked.and_then(|index| index.checked_sub(dangling)) {
        *value = choices[index].id.clone();
    }
    response
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
                        ui.label(text.as_ref());
                    } else {
                        ui.label(RichText::new(format!("{item} (missing)")).italics());
                    }
                });
            }
            if let Some(index) = remove {
                items.remove(index);
            }
            let listed: HashSet<&Id> = items.iter().collect();
            let available: Vec<&Choice> =
                choices.iter().filter(|c| !listed.contains(c.id)).collect();
            if !available.is_empty() {
                let text = format!("+ Add to {}", label.to_lowercase());
                let text_of = |index: usize| available[index].text();
                if let Some(index) = add_menu(ui, "add", &text, heading, available.len(), text_of) {
                    let id = available[index].id.clone();
                    items.push(id);
                }
            }
        });
    });
}

/// A "+ Add…" choice among `len` options (each shown by `text_of`), labelled by `heading`: a click
/// on an option, or the arrow keys then Enter, picks it; returns the option picked this frame.
pub fn add_menu<'t>(
    ui: &mut Ui,
    salt: &str,
    text: &str,
    heading: egui::Id,
    len: usize,
    text_of: impl Fn(usize) -> Cow<'t, str>,
) -> Option<usize> {
    let key = ui.make_persistent_id(("add-menu-highlight", salt));
    let mut chosen = None;
    egui::ComboBox::from_id_salt(salt)
        .selected_text(text)
        .show_ui(ui, |ui| {
            let mut highlight: Option<usize> =
                ui.data(|d| d.get_temp::<Option<usize>>(key)).flatten();
            let keys = ListKeys::take(ui);
            let moved = keys.moved(highlight, len);
            highlight = moved.or(highlight);
            chosen = option_rows(ui, len, highlight, moved.is_some(), &text_of);
            if keys.enter {
                chosen = chosen.or(highlight.filter(|index| *index < len));
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
