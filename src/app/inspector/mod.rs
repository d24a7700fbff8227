//! The inspector: edits every field of the selected object. It edits a copy and, when the copy
//! differs, issues one edit command; the analysis then validates the plan and the object's problems
//! show at the top while the user types.

mod objects;
mod service;
mod widgets;

use std::hash::{Hash as _, Hasher as _};

use egui::Ui;

use super::diagnostics::{DiagnosticList, Rows};
use super::message::Message;
use super::selection::Selection;
use crate::analysis::Analysis;
use crate::edit::{Edit, Object};
use crate::plan::{Collection, Id, ObjectRef, Plan};
use objects::Choices;

/// Draws the inspector for `selection` and collects the edits made as commands.
pub fn inspector_ui(
    ui: &mut Ui,
    plan: &Plan,
    analysis: &Analysis,
    selection: &Selection,
    out: &mut Vec<Message>,
) {
    egui::ScrollArea::vertical()
        .id_salt("inspector")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let mut editor = Editor {
                plan,
                out,
                choices: Choices {
                    services: plan.services.iter().map(|s| &s.id).collect(),
                    environments: plan.environments.iter().map(|e| &e.id).collect(),
                },
            };
            match selection {
                None => {
                    ui.heading("Inspector");
                    ui.label("Select a service on the canvas, or anything in the outline, to edit it here.");
                }
                Some(ObjectRef::Plan) => editor.plan_ui(ui, analysis),
                Some(ObjectRef::Platforms) => editor.platforms_ui(ui),
                Some(ObjectRef::Rollout) => editor.rollout_ui(ui, analysis),
                Some(ObjectRef::Dependency { service, on }) => {
                    editor.dependency_ui(ui, analysis, service, on);
                }
                Some(other) => match other.locate(plan) {
                    Some((kind, index)) => editor.object_ui(ui, analysis, kind, index),
                    None => {
                        ui.heading("Inspector");
                        ui.label("The selected object is no longer in the plan.");
                    }
                },
            }
        });
}

/// Edits made while the pointer is held (dragging a number) or a text field has focus join into one
/// undo step per field.
fn edit_group(ui: &Ui, salt: impl std::hash::Hash) -> Option<u64> {
    let focused = ui.ctx().memory(|m| m.focused());
    let dragging = ui.input(|i| i.pointer.any_down());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    salt.hash(&mut hasher);
    match (focused, dragging) {
        (Some(id), _) if ui.ctx().egui_wants_keyboard_input() => id.hash(&mut hasher),
        (_, true) => ("drag", ui.ctx().dragged_id()).hash(&mut hasher),
        _ => return None,
    }
    Some(hasher.finish())
}

struct Editor<'a> {
    plan: &'a Plan,
    out: &'a mut Vec<Message>,
    choices: Choices<'a>,
}

impl Editor<'_> {
    fn push(&mut self, ui: &Ui, edit: Edit, label: &str, salt: impl std::hash::Hash) {
        self.out.push(Message::Edit {
            edit: Box::new(edit),
            label: label.to_owned(),
            group: edit_group(ui, salt),
        });
    }

    fn plan_ui(&mut self, ui: &mut Ui, analysis: &Analysis) {
        ui.heading("Plan");
        problems_of(ui, analysis, &ObjectRef::Plan, self.out);
        let mut name = self.plan.name.clone();
        widgets::text(ui, "Plan name", &mut name);
        if name != self.plan.name {
            self.push(ui, Edit::SetName(name), "Rename plan", "plan-name");
        }
        let mut description = self.plan.description.clone();
        widgets::multiline(ui, "Description", &mut description);
        if description != self.plan.description {
            self.push(
                ui,
                Edit::SetDescription(description),
                "Describe plan",
                "plan-description",
            );
        }
    }

    fn platforms_ui(&mut self, ui: &mut Ui) {
        ui.heading("Platforms");
        let mut settings = self.plan.platforms.clone();
        objects::platforms_ui(ui, &mut settings);
        if settings != self.plan.platforms {
            self.push(
                ui,
                Edit::SetPlatforms(settings),
                "Edit platform settings",
                "platforms",
            );
        }
    }

    fn rollout_ui(&mut self, ui: &mut Ui, analysis: &Analysis) {
        ui.heading("Rollout policy");
        problems_of(ui, analysis, &ObjectRef::Rollout, self.out);
        let mut rollout = self.plan.rollout.clone();
        objects::rollout_ui(ui, &mut rollout, &self.choices);
        if rollout != self.plan.rollout {
            self.push(
                ui,
                Edit::SetRollout(rollout),
                "Edit rollout policy",
                "rollout",
            );
        }
    }

    fn dependency_ui(&mut self, ui: &mut Ui, analysis: &Analysis, service: &Id, on: &Id) {
        ui.heading("Dependency");
        let reference = ObjectRef::Dependency {
            service: service.clone(),
            on: on.clone(),
        };
        let Some((_, index)) = reference.locate(self.plan) else {
            ui.label("The selected dependency is no longer in the plan.");
            return;
        };
        problems_of(ui, analysis, &reference, self.out);
        let original = &self.plan.dependencies[index];
        let mut dependency = original.clone();
        widgets::reference(
            ui,
            "Service",
            &mut dependency.service,
            &self.choices.services,
        );
        widgets::reference(ui, "Depends on", &mut dependency.on, &self.choices.services);
        if &dependency != original {
            self.push(
                ui,
                Edit::Set {
                    index,
                    object: Object::Dependency(dependency),
                },
                "Change dependency",
                ("dependency", index),
            );
        }
        if ui.button("Remove dependency").clicked() {
            self.out
                .push(Message::Remove(Collection::Dependency, index));
        }
    }

    fn object_ui(&mut self, ui: &mut Ui, analysis: &Analysis, kind: Collection, index: usize) {
        let plan = self.plan;
        let Some(id) = kind.id_at(plan, index).cloned() else {
            return;
        };
        ui.horizontal(|ui| {
            ui.heading(format!("{} {}", capitalised(kind.name()), id));
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(format!("Remove {}", kind.name())).clicked() {
                    self.out.push(Message::Remove(kind, index));
                }
            });
        });
        if let Some(reference) = ObjectRef::with_id(kind, id.clone()) {
            problems_of(ui, analysis, &reference, self.out);
        }
        let new_id = widgets::id_field(ui, "Id", &id, |candidate| {
            kind.index_of(plan, candidate).is_some()
        });
        let mut object = match kind {
            Collection::Service => Object::Service(plan.services[index].clone()),
            Collection::Migration => Object::Migration(plan.migrations[index].clone()),
            Collection::Environment => Object::Environment(plan.environments[index].clone()),
            Collection::Region => Object::Region(plan.regions[index].clone()),
            Collection::Runbook => Object::Runbook(plan.runbooks[index].clone()),
            Collection::Dependency => return,
        };
        match &mut object {
            Object::Service(service) => {
                if let Some(new_id) = &new_id {
                    service.id = new_id.clone();
                }
                service::service_ui(ui, service);
            }
            Object::Migration(migration) => {
                if let Some(new_id) = &new_id {
                    migration.id = new_id.clone();
                }
                objects::migration_ui(ui, migration, &self.choices);
            }
            Object::Environment(environment) => {
                if let Some(new_id) = &new_id {
                    environment.id = new_id.clone();
                }
                objects::environment_ui(ui, environment);
            }
            Object::Region(region) => {
                if let Some(new_id) = &new_id {
                    region.id = new_id.clone();
                }
                objects::region_ui(ui, region);
            }
            Object::Runbook(runbook) => {
                if let Some(new_id) = &new_id {
                    runbook.id = new_id.clone();
                }
                objects::runbook_ui(ui, runbook, &self.choices);
            }
            Object::Dependency(_) => {}
        }
        let unchanged = match &object {
            Object::Service(o) => o == &plan.services[index],
            Object::Migration(o) => o == &plan.migrations[index],
            Object::Environment(o) => o == &plan.environments[index],
            Object::Region(o) => o == &plan.regions[index],
            Object::Runbook(o) => o == &plan.runbooks[index],
            Object::Dependency(_) => true,
        };
        if !unchanged {
            let edit = Edit::replace_renaming_references(plan, index, object);
            self.push(ui, edit, &format!("Edit {}", kind.name()), (kind, index));
        }
        if kind == Collection::Service {
            self.dependencies_ui(ui, &id);
        }
    }

    /// A service's dependencies in both directions, with remove, and an add choice.
    fn dependencies_ui(&mut self, ui: &mut Ui, id: &Id) {
        let heading = widgets::list_heading(ui, "Depends on");
        let plan = self.plan;
        ui.indent("depends-on", |ui| {
            for (index, dependency) in plan.dependencies.iter().enumerate() {
                if &dependency.service != id {
                    continue;
                }
                ui.horizontal(|ui| {
                    if ui
                        .small_button("✖")
                        .on_hover_text("Remove dependency")
                        .clicked()
                    {
                        self.out
                            .push(Message::Remove(Collection::Dependency, index));
                    }
                    if ui.link(dependency.on.as_str()).clicked() {
                        self.out.push(Message::Select(Some(ObjectRef::Service(
                            dependency.on.clone(),
                        ))));
                    }
                });
            }
            let candidates: Vec<&Id> = plan
                .services
                .iter()
                .map(|s| &s.id)
                .filter(|c| {
                    *c != id
                        && !plan
                            .dependencies
                            .iter()
                            .any(|d| &d.service == id && &d.on == *c)
                })
                .collect();
            if !candidates.is_empty() {
                egui::ComboBox::from_id_salt("add-dependency")
                    .selected_text("+ Add dependency")
                    .show_ui(ui, |ui| {
                        for candidate in candidates {
                            if ui.selectable_label(false, candidate.as_str()).clicked() {
                                self.out.push(Message::Connect {
                                    service: id.clone(),
                                    on: candidate.clone(),
                                });
                            }
                        }
                    })
                    .response
                    .labelled_by(heading);
            }
        });
        widgets::list_heading(ui, "Depended on by");
        ui.indent("dependents", |ui| {
            let mut any = false;
            for dependency in plan.dependencies.iter().filter(|d| &d.on == id) {
                any = true;
                if ui.link(dependency.service.as_str()).clicked() {
                    self.out.push(Message::Select(Some(ObjectRef::Service(
                        dependency.service.clone(),
                    ))));
                }
            }
            if !any {
                ui.weak("nothing");
            }
        });
    }
}

/// The diagnostics about `subject`, shown above its fields; a click brings the object into view.
fn problems_of(ui: &mut Ui, analysis: &Analysis, subject: &ObjectRef, out: &mut Vec<Message>) {
    let about = analysis
        .diagnostics
        .iter()
        .filter(|d| &d.subject == subject);
    DiagnosticList::new(Rows::OfObject, about).show(ui, out);
    ui.separator();
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
