//! The outline: every object of the plan in a list by kind, to select, add and remove.

use egui::RichText;

use super::commands::Command;
use super::message::Message;
use super::selection::Selection;
use crate::analysis::Severity;
use crate::plan::{Collection, ObjectRef};
use crate::plan::{Id, Plan};

/// A titled list of one kind of object: `(id, name)` per object.
type Section<'a> = (&'a str, Collection, Vec<(&'a Id, &'a str)>);

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
            services_section(ui, plan, worst, selection, out);
            let sections: [Section; 4] = [
                (
                    "Migrations",
                    Collection::Migration,
                    plan.migrations
                        .iter()
                        .map(|o| (&o.id, o.name.as_str()))
                        .collect(),
                ),
                (
                    "Runbooks",
                    Collection::Runbook,
                    plan.runbooks
                        .iter()
                        .map(|o| (&o.id, o.name.as_str()))
                        .collect(),
                ),
                (
                    "Environments",
                    Collection::Environment,
                    plan.environments
                        .iter()
                        .map(|o| (&o.id, o.name.as_str()))
                        .collect(),
                ),
                (
                    "Regions",
                    Collection::Region,
                    plan.regions
                        .iter()
                        .map(|o| (&o.id, o.name.as_str()))
                        .collect(),
                ),
            ];
            for (title, kind, items) in sections {
                section(ui, title, kind, &items, selection, out);
            }
        });
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

fn services_section(
    ui: &mut egui::Ui,
    plan: &Plan,
    worst: &[Option<Severity>],
    selection: &Selection,
    out: &mut Vec<Message>,
) {
    let open = section_header(
        ui,
        "Services",
        plan.services.len(),
        "Add service",
        Message::Command(Command::AddService),
        out,
    );
    if !open {
        return;
    }
    let row_height = ui.spacing().interact_size.y;
    // Big plans: only the visible rows are laid out.
    egui::ScrollArea::vertical()
        .id_salt("outline-services")
        .max_height(320.0)
        .auto_shrink([false, true])
        .show_rows(ui, row_height, plan.services.len(), |ui, rows| {
            for index in rows {
                let service = &plan.services[index];
                let marker = match worst.get(index).copied().flatten() {
                    Some(severity) => format!("{} ", super::style::severity_icon(severity)),
                    None => String::new(),
                };
                row(
                    ui,
                    &format!("{marker}{}", service.name),
                    &service.id,
                    Collection::Service,
                    index,
                    selection,
                    out,
                );
            }
        });
}

fn section(
    ui: &mut egui::Ui,
    title: &str,
    kind: Collection,
    items: &[(&Id, &str)],
    selection: &Selection,
    out: &mut Vec<Message>,
) {
    let add_label = format!("Add {}", kind.name());
    if !section_header(
        ui,
        title,
        items.len(),
        &add_label,
        Message::AddObject(kind),
        out,
    ) {
        return;
    }
    for (index, (id, name)) in items.iter().enumerate() {
        row(ui, name, id, kind, index, selection, out);
    }
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
                .on_hover_text(format!("Remove {} `{id}`", kind.name()))
                .clicked()
            {
                out.push(Message::Remove(kind, index));
            }
            ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                let selected = *selection == target;
                if ui
                    .add(egui::Button::selectable(selected, text).truncate())
                    .on_hover_text(format!("{text}\n{} `{id}`", kind.name()))
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
