//! The outline: every object of the plan in a list by kind, to select, add and remove.

use std::borrow::Cow;

use egui::RichText;

use super::commands::Command;
use super::message::Message;
use super::selection::Selection;
use crate::analysis::Severity;
use crate::plan::{Collection, ObjectRef};
use crate::plan::{Id, Plan};

/// Draws the outline and collects what the user did as commands.
pub fn outline_ui(
    ui: &mut egui::Ui,
    plan: &Plan,
    worst: &[Option<Severity>],
    selection: &Selection,
    out: &mut Vec<Message>,
) {
    egui::ScrollArea::vertical()
        .id_salt("outline")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.add(egui::Label::new(RichText::new(&plan.name).heading()).truncate());
            for (label, target) in [
                ("Plan settings", Some(ObjectRef::Plan)),
                ("Platforms", Some(ObjectRef::Platforms)),
                ("Rollout policy", Some(ObjectRef::Rollout)),
            ] {
                if ui.selectable_label(*selection == target, label).clicked() {
                    out.push(Message::Select(target));
                }
            }
            ui.separator();
            let mut sections = Sections { selection, out };
            sections.show(
                ui,
                "Services",
                Collection::Service,
                plan.services.len(),
                Message::Command(Command::AddService),
                |index| {
                    let service = &plan.services[index];
                    let text = match worst.get(index).copied().flatten() {
                        Some(severity) => {
                            let icon = super::style::severity_icon(severity);
                            Cow::Owned(format!("{icon} {}", service.name))
                        }
                        None => Cow::Borrowed(service.name.as_str()),
                    };
                    (text, &service.id)
                },
            );
            sections.objects(
                ui,
                "Migrations",
                Collection::Migration,
                &plan.migrations,
                |m| (&m.id, &m.name),
            );
            sections.objects(ui, "Runbooks", Collection::Runbook, &plan.runbooks, |r| {
                (&r.id, &r.name)
            });
            sections.objects(
                ui,
                "Environments",
                Collection::Environment,
                &plan.environments,
                |e| (&e.id, &e.name),
            );
            sections.objects(ui, "Regions", Collection::Region, &plan.regions, |r| {
                (&r.id, &r.name)
            });
        });
}

/// The tallest a section's list grows before it scrolls within itself, so that the sections below
/// a long one stay in reach.
const SECTION_HEIGHT: f32 = 320.0;

/// The outline's sections, one per kind of object, and where what the user does in them goes.
struct Sections<'s> {
    selection: &'s Selection,
    out: &'s mut Vec<Message>,
}

impl Sections<'_> {
    /// A section of the objects in `items`, each shown by the name `id_and_name` gives.
    fn objects<'p, T>(
        &mut self,
        ui: &mut egui::Ui,
        title: &str,
        kind: Collection,
        items: &'p [T],
        id_and_name: impl Fn(&'p T) -> (&'p Id, &'p String),
    ) {
        let add = Message::AddObject(kind);
        self.show(ui, title, kind, items.len(), add, |index| {
            let (id, name) = id_and_name(&items[index]);
            (Cow::Borrowed(name.as_str()), id)
        });
    }

    /// A section of `len` objects of `kind`: its header (with `add` behind its "+"), then, while it
    /// is open, a row per object with the text and id `item` gives. However many objects there are,
    /// only the rows in view are laid out.
    fn show<'p>(
        &mut self,
        ui: &mut egui::Ui,
        title: &str,
        kind: Collection,
        len: usize,
        add: Message,
        item: impl Fn(usize) -> (Cow<'p, str>, &'p Id),
    ) {
        let add_label = format!("Add {}", kind.name());
        if !section_header(ui, title, len, &add_label, add, self.out) {
            return;
        }
        let row_height = ui.spacing().interact_size.y;
        egui::ScrollArea::vertical()
            .id_salt(("outline-section", title))
            .max_height(SECTION_HEIGHT)
            .auto_shrink([false, true])
            .show_rows(ui, row_height, len, |ui, rows| {
                for index in rows {
                    let (text, id) = item(index);
                    row(ui, &text, id, kind, index, self.selection, self.out);
                }
            });
    }
}

fn section_header(
    ui: &mut egui::Ui,
    title: &str,
    count: usize,
    add_label: &str,
    add: Message,
    out: &mut Vec<Message>,
) -> bool {
    let id = ui.make_persistent_id(("outline-section", title));
    let mut open = ui.data_mut(|d| *d.get_persisted_mut_or(id, true));
    ui.horizontal(|ui| {
        let arrow = if open { "⏷" } else { "⏵" };
        if ui
            .add(
                egui::Button::new(RichText::new(format!("{arrow} {title} ({count})")).strong())
                    .frame(false),
            )
            .clicked()
        {
            open = !open;
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.small_button("+").on_hover_text(add_label).clicked() {
                out.push(add);
            }
        });
    });
    ui.data_mut(|d| d.insert_persisted(id, open));
    open
}

fn row(
    ui: &mut egui::Ui,
    text: &str,
    id: &Id,
    kind: Collection,
    index: usize,
    selection: &Selection,
    out: &mut Vec<Message>,
) {
    let target = ObjectRef::with_id(kind, id.clone());
    ui.horizontal(|ui| {
        ui.add_space(12.0);
        // Right to left: the remove button keeps its place, and a long name is cut short before
        // it (in full on hover) rather than widening the outline.
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .small_button("🗑")
                .on_hover_ui(|ui| {
                    ui.label(format!("Remove {} `{id}`", kind.name()));
                })
                .clicked()
            {
                out.push(Message::Remove(kind, index));
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                let selected = *selection == target;
                if ui
                    .add(egui::Button::selectable(selected, text).truncate())
                    .on_hover_ui(|ui| {
                        ui.label(format!("{text}\n{} `{id}`", kind.name()));
                    })
                    .clicked()
                {
                    // A service out of view is also centred on the canvas, however big the plan.
                    out.push(match target {
                        Some(service) if kind == Collection::Service => Message::Locate(service),
                        other => Message::Select(other),
                    });
                }
            });
        });
    });
}
