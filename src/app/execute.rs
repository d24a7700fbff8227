//! Executing messages and commands: edits through the document's history, selection, view requests.

use super::commands::{Command, NEW_PLAN_TEMPLATE, ZOOM_STEP};
use super::files::Pending;
use super::message::Message;
use super::selection::selected_service;
use super::{CutoverApp, Status};
use crate::edit::{Edit, Object, defaults};
use crate::layout;
use crate::plan::{Collection, Id, ObjectRef, Plan, Position};

/// How far right of the rightmost service a service added without a position goes.
const BESIDE_GAP: f32 = 220.0;

impl CutoverApp {
    /// Executes one message: a command, or a request with data.
    pub fn execute(&mut self, ctx: &egui::Context, message: Message) {
        match message {
            Message::Command(command) => self.run(ctx, command),
            Message::New(template) => self.guard(ctx, Pending::New(template)),
            Message::Open(path) => self.guard(ctx, Pending::Open(path)),
            Message::SaveTo(path) => {
                self.save_to(&path);
            }
            Message::Edit { edit, label, group } => {
                self.apply(*edit, &label, group);
            }
            Message::AddServiceAt(at) => self.add_service(Some(at)),
            Message::AddObject(kind) => self.add_object(kind),
            Message::Remove(kind, index) => self.remove(kind, index),
            Message::Connect { service, on } => self.connect(service, on),
            Message::Select(selection) => {
                self.document.seal();
                self.selection = selection;
            }
            Message::Reveal(subject) => self.reveal(&subject),
            Message::WriteExport => self.write_export(),
            Message::CloseExport => self.export = None,
            Message::RevealJob { file, find } => {
                self.settings.show_preview = true;
                self.preview.reveal(&file, &find);
            }
        }
    }

    /// Runs one command.
    pub fn run(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::New => self.guard(ctx, Pending::New(NEW_PLAN_TEMPLATE)),
            Command::Open => self.guard(ctx, Pending::OpenDialog),
            Command::OpenTypedPath => self.guard(ctx, Pending::OpenTypedPath),
            Command::Save => self.save(),
            Command::SaveAs => self.save_as_dialog(),
            Command::SaveAsTypedPath => self.ask_save_path(),
            Command::Export => self.show_export(false),
            Command::ExportTypedPath => self.show_export(true),
            Command::Rehearse => self.rehearse.open(),
            Command::Quit => self.guard(ctx, Pending::Quit),
            Command::AddService => self.add_service(None),
            Command::StartConnect => self.start_connect(),
            Command::AddMigration => self.add_object(Collection::Migration),
            Command::AddRunbook => self.add_object(Collection::Runbook),
            Command::AddEnvironment => self.add_object(Collection::Environment),
            Command::AddRegion => self.add_object(Collection::Region),
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::RenameSelection => self.rename_selection(),
            Command::DeleteSelection => {
                if let Some((kind, index)) = self
                    .selection
                    .as_ref()
                    .and_then(|selected| selected.locate(self.document.plan()))
                {
                    self.remove(kind, index);
                }
            }
            Command::Fit => self.canvas.request_fit(),
            Command::ZoomIn => self.canvas.request_zoom(ZOOM_STEP),
            Command::ZoomOut => self.canvas.request_zoom(1.0 / ZOOM_STEP),
            Command::AutoLayout => self.auto_layout("Auto-layout"),
            Command::ToggleOutline => toggle(&mut self.settings.show_outline),
            Command::ToggleInspector => toggle(&mut self.settings.show_inspector),
            Command::ToggleProblems => toggle(&mut self.settings.show_problems),
            Command::TogglePreview => toggle(&mut self.settings.show_preview),
            Command::ThemeSystem => ctx.set_theme(egui::ThemePreference::System),
            Command::ThemeLight => ctx.set_theme(egui::ThemePreference::Light),
            Command::ThemeDark => ctx.set_theme(egui::ThemePreference::Dark),
            Command::ShowShortcuts => self.shortcuts_shown = true,
        }
    }

    /// Shows `text` in the status bar, as an error or not.
    pub(super) fn set_status(&mut self, text: impl Into<String>, is_error: bool) {
        self.status = Some(Status {
            text: text.into(),
            is_error,
        });
    }

    /// Applies an edit; a refusal is reported in the status bar. Returns whether it applied.
    pub(super) fn apply(&mut self, edit: Edit, label: &str, group: Option<u64>) -> bool {
        match self.document.apply(edit, label, group) {
            Ok(()) => true,
            Err(error) => {
                self.set_status(format!("Refused: {error}"), true);
                false
            }
        }
    }

    /// Ends the current undo group when the keyboard focus moves, so edits of two fields are two steps.
    pub(super) fn seal_on_focus_change(&mut self, ctx: &egui::Context) {
        let focus = ctx.memory(|m| m.focused());
        if focus != self.last_focus {
            self.document.seal();
            self.last_focus = focus;
        }
    }

    /// Undoes the last step and says which in the status bar.
    fn undo(&mut self) {
        match self.document.undo() {
            Some(label) => self.set_status(format!("Undid {label}"), false),
            None => self.set_status("Nothing to undo", false),
        }
    }

    /// Redoes the last undone step and says which in the status bar.
    fn redo(&mut self) {
        match self.document.redo() {
            Some(label) => self.set_status(format!("Redid {label}"), false),
            None => self.set_status("Nothing to redo", false),
        }
    }

    /// Makes `service` depend on `on`, or reports why not (a cycle, an unknown service).
    fn connect(&mut self, service: Id, on: Id) {
        let edit = Edit::add_dependency(self.document.plan(), service.clone(), on.clone());
        if self.apply(edit, "Connect services", None) {
            self.set_status(format!("`{service}` now depends on `{on}`"), false);
        }
    }

    /// Starts connect mode from the selected service, or says to select one first.
    fn start_connect(&mut self) {
        match selected_service(&self.selection) {
            Some(id) => {
                self.canvas.start_connect(id.clone());
                self.set_status(format!("Click the service `{id}` depends on"), false);
            }
            None => self.set_status(
                "Select the service that depends on another first, then Connect",
                true,
            ),
        }
    }

    /// Asks for a new name for the selected service.
    fn rename_selection(&mut self) {
        if let Some(service) =
            selected_service(&self.selection).and_then(|id| self.document.plan().service(id))
        {
            self.dialogs.rename = Some((service.id.clone(), service.name.clone()));
        }
    }

    /// Selects the object a diagnostic names and centres the canvas on it when it is on the canvas.
    fn reveal(&mut self, subject: &ObjectRef) {
        if let Some(position) = subject
            .services()
            .first()
            .and_then(|id| self.document.plan().service(id))
            .map(|s| s.position)
        {
            self.canvas.request_centre(position);
        }
        self.selection = Some(subject.clone());
    }

    /// Adds a service at `at`, or beside the others, and selects it.
    pub(super) fn add_service(&mut self, at: Option<Position>) {
        let plan = self.document.plan();
        let position = at.unwrap_or_else(|| beside_the_others(plan));
        let service = defaults::new_service(plan, position);
        let id = service.id.clone();
        let edit = Edit::append(plan, Object::Service(service));
        if self.apply(edit, "Add service", None) {
            self.selection = Some(ObjectRef::Service(id));
        }
    }

    /// Adds a new object of `kind` with default fields and selects it.
    pub(super) fn add_object(&mut self, kind: Collection) {
        let plan = self.document.plan();
        let object = match kind {
            Collection::Service => return self.add_service(None),
            Collection::Migration => Object::Migration(defaults::new_migration(plan)),
            Collection::Environment => Object::Environment(defaults::new_environment(plan)),
            Collection::Region => Object::Region(defaults::new_region(plan)),
            Collection::Runbook => Object::Runbook(defaults::new_runbook(plan)),
            Collection::Dependency => return,
        };
        let id = object.id().cloned();
        let edit = Edit::append(plan, object);
        if self.apply(edit, &format!("Add {}", kind.name()), None)
            && let Some(id) = id
        {
            self.selection = ObjectRef::with_id(kind, id);
        }
    }

    /// Removes the object at `index` of `kind`'s collection; the selection goes if its object went.
    pub(super) fn remove(&mut self, kind: Collection, index: usize) {
        let plan = self.document.plan();
        let edit = match kind {
            Collection::Service => Edit::remove_service(plan, index),
            _ => Edit::Remove { kind, index },
        };
        if self.apply(edit, &format!("Remove {}", kind.name()), None)
            && self
                .selection
                .as_ref()
                .and_then(|selected| selected.locate(self.document.plan()))
                .is_none()
        {
            self.selection = None;
        }
    }

    /// Writes an auto-layout into the plan as one undoable step.
    pub(super) fn auto_layout(&mut self, label: &str) {
        let plan = self.document.plan();
        let positions = layout::layout_plan(plan, layout::Spacing::default());
        let moves: Vec<(usize, Position)> = positions
            .into_iter()
            .enumerate()
            .filter(|(i, p)| plan.services[*i].position != *p)
            .collect();
        if moves.is_empty() {
            self.set_status("The layout is already tidy", false);
        } else if self.apply(Edit::SetPositions(moves), label, None) {
            self.canvas.request_fit();
        }
    }

    /// Lays out a plan whose services have no positions yet, then fits the view.
    pub(super) fn laid_out_if_needed(&mut self) {
        if layout::needs_layout(self.document.plan()) {
            self.auto_layout("Auto-layout of a plan without positions");
        }
        self.canvas.request_fit();
    }
}

/// Flips a setting on or off.
fn toggle(setting: &mut bool) {
    *setting = !*setting;
}

/// Where a service added without a position goes: right of the rightmost service, level with the
/// topmost one.
fn beside_the_others(plan: &Plan) -> Position {
    let right = plan
        .services
        .iter()
        .map(|s| s.position.x)
        .fold(f32::NEG_INFINITY, f32::max);
    let top = plan
        .services
        .iter()
        .map(|s| s.position.y)
        .fold(f32::INFINITY, f32::min);
    if right.is_finite() && top.is_finite() {
        Position {
            x: right + BESIDE_GAP,
            y: top,
        }
    } else {
        Position::default()
    }
}
