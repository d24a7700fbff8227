//! The inspector: edits every field of the selected object. It edits a copy and, when the copy
//! differs, issues one edit command; the analysis then validates the plan and the object's problems
//! show at the top while the user types.

mod gates;
mod objects;
mod service;
mod traffic;
mod widgets;

use std::collections::HashSet;
use std::hash::{Hash as _, Hasher as _};

use egui::Ui;

use super::diagnostics::{DiagnosticList, Rows, service_text};
use super::message::{IdDraft, Message};
use super::selection::Selection;
use crate::analysis::Analysis;
use crate::edit::{Edit, Object, defaults};
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
            let Some(selected) = selection else {
                ui.heading("Inspector");
                ui.label(
                    "Select a service on the canvas, or anything in the outline, to edit it here.",
                );
                return;
            };
            // The lists a reference field chooses from, made only when something is selected.
            let mut editor = Editor {
                plan,
                out,
                choices: Choices {
                    services: plan
                        .services
                        .iter()
                        .map(|s| widgets::Choice::named(&s.id, &s.name))
                        .collect(),
                    environments: plan
                        .environments
                        .iter()
                        .map(|e| widgets::Choice::named(&e.id, &e.name))
                        .collect(),
                    regions: plan
                        .regions
                        .iter()
                        .map(|r| widgets::Choice::named(&r.id, &r.name))
                        .collect(),
                },
            };
            match selected {
                ObjectRef::Plan => editor.plan_ui(ui, analysis),
                ObjectRef::Platforms => editor.platforms_ui(ui),
                ObjectRef::Rollout => editor.rollout_ui(ui, analysis),
                ObjectRef::Dependency { service, on } => {
                    editor.dependency_ui(ui, analysis, service, on);
                }
                other => match other.locate(plan) {
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
        objects::rollout_ui(ui, self.plan, &mut rollout, &self.choices);
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
        // Right to left: the Remove button keeps its place and a long heading is cut short.
        ui.horizontal(|ui| {
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(format!("Remove {}", kind.name())).clicked() {
                    self.out.push(Message::Remove(kind, index));
                }
                ui.with_layout(egui::Layout::left_to_right(egui::Align::Center), |ui| {
                    let heading = format!("{} {}", capitalised(kind.name()), id);
                    ui.add(egui::Label::new(egui::RichText::new(heading).heading()).truncate());
                });
            });
        });
        if let Some(reference) = ObjectRef::with_id(kind, id.clone()) {
            problems_of(ui, analysis, &reference, self.out);
        }
        let Some(original) = Object::at(plan, kind, index) else {
            return;
        };
        let taken = |candidate: &Id| kind.index_of(plan, candidate).is_some();
        let offer = offered_id(&original).filter(|offer| !taken(offer));
        let edit = widgets::id_field(ui, "Id", &id, offer.as_ref(), taken);
        self.out
            .push(Message::IdDraft(edit.draft.map(|new| IdDraft {
                kind,
                old: id.clone(),
                new,
            })));
        if edit.offer_taken
            && let Some(new) = offer
        {
            self.out.push(Message::ChangeId(IdDraft {
                kind,
                old: id.clone(),
                new,
            }));
        }
        let mut object = original.clone();
        match &mut object {
            Object::Service(service) => {
                service::identity_ui(ui, service);
                self.dependencies_ui(ui, &id);
                service::details_ui(ui, service);
            }
            Object::Migration(migration) => objects::migration_ui(ui, migration, &self.choices),
            Object::Environment(environment) => objects::environment_ui(ui, environment),
            Object::Region(region) => objects::region_ui(ui, region),
            Object::Runbook(runbook) => objects::runbook_ui(ui, runbook, &self.choices),
            Object::Dependency(_) => {}
        }
        if object != original {
            let edit = Edit::Set { index, object };
            self.push(ui, edit, &format!("Edit {}", kind.name()), (kind, index));
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
                        .small_button(crate::app::style::REMOVE_ICON)
                        .on_hover_text("Remove dependency")
                        .clicked()
                    {
                        self.out
                            .push(Message::Remove(Collection::Dependency, index));
                    }
                    if ui.link(service_text(plan, &dependency.on)).clicked() {
                        self.out.push(Message::Select(Some(ObjectRef::Service(
                            dependency.on.clone(),
                        ))));
                    }
                });
            }
            // Every service it does not depend on yet: one pass over the dependencies, one over
            // the services (a quadratic filter cost whole frames at 2,000 services).
            let already: HashSet<&Id> = plan
                .dependencies
                .iter()
                .filter(|d| &d.service == id)
                .map(|d| &d.on)
                .collect();
            let candidates: Vec<&widgets::Choice> = self
                .choices
                .services
                .iter()
                .filter(|c| c.id != id && !already.contains(c.id))
                .collect();
            if !candidates.is_empty() {
                let text_of = |index: usize| candidates[index].text();
                let len = candidates.len();
                if let Some(index) = widgets::add_menu(
                    ui,
                    "add-dependency",
                    "+ Add dependency",
                    heading,
                    len,
                    text_of,
                ) {
                    self.out.push(Message::Connect {
                        service: id.clone(),
                        on: candidates[index].id.clone(),
                    });
                }
            }
        });
        widgets::list_heading(ui, "Depended on by");
        ui.indent("dependents", |ui| {
            let mut any = false;
            for dependency in plan.dependencies.iter().filter(|d| &d.on == id) {
                any = true;
                if ui.link(service_text(plan, &dependency.service)).clicked() {
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

/// How many rows of problems the inspector shows before scrolling them.
const PROBLEM_ROWS: f32 = 3.0;

/// The diagnostics about `subject`, in a box of fixed height above its fields (scrolled when there
/// are more than fit), so the fields never move when a problem comes or goes; a click brings the
/// object into view.
fn problems_of(ui: &mut Ui, analysis: &Analysis, subject: &ObjectRef, out: &mut Vec<Message>) {
    let about: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| &d.subject == subject)
        .collect();
    let height = PROBLEM_ROWS * (ui.spacing().interact_size.y + ui.spacing().item_spacing.y);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::hover(),
    );
    let mut inside = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    inside.set_clip_rect(rect.intersect(ui.clip_rect()));
    egui::ScrollArea::vertical()
        .id_salt(("object-problems", subject.key()))
        .max_height(height)
        .auto_shrink([false, false])
        .show(&mut inside, |ui| {
            if about.is_empty() {
                ui.weak("No problems with this one.");
            } else {
                DiagnosticList::new(Rows::OfObject, about).show(ui, out);
            }
        });
    ui.separator();
}

/// Gives the keyboard, with its text selected, to the inspector's next text field labelled `label`.
pub fn focus_field(ctx: &egui::Context, label: &str) {
    widgets::focus_field(ctx, label);
}

/// The id to offer an object whose id is still the one the app made up: the one its name suggests,
/// when that differs.
fn offered_id(object: &Object) -> Option<Id> {
    let (id, name) = match object {
        Object::Service(o) => (&o.id, &o.name),
        Object::Migration(o) => (&o.id, &o.name),
        Object::Environment(o) => (&o.id, &o.name),
        Object::Region(o) => (&o.id, &o.name),
        Object::Runbook(o) => (&o.id, &o.name),
        Object::Dependency(_) => return None,
    };
    let stem = defaults::stem(object.kind())?;
    if !defaults::is_numbered_default(id, stem) {
        return None;
    }
    defaults::id_from_name(name)
        .filter(|new| new != id && !defaults::is_numbered_default(new, stem))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
