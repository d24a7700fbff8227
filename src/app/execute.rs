//! Executing messages and commands: edits through the document's history, selection, view requests.

use super::commands::{Command, NEW_PLAN_TEMPLATE, ZOOM_STEP};
use super::files::Pending;
use super::message::Message;
use super::selection::selected_service;
use super::{Canvas, CutoverApp, Status, inspector};
use crate::edit::{Edit, Object, defaults};
use crate::layout;
use crate::plan::{Collection, Id, ObjectRef, Position};

impl CutoverApp {
    /// Executes one message: a command, or a request with data.
    pub fn execute(&mut self, ctx: &egui::Context, message: Message) {
        let about_objects = matches!(
            message,
            Message::Edit { .. }
                | Message::Remove(..)
                | Message::Connect { .. }
                | Message::IdDraft(_)
                | Message::ChangeId(_)
        );
        if about_objects && self.drawn_serial != self.document_serial {
            // Drawn for the document that was open when this frame began; another has replaced
            // it since, and its indices and ids mean other objects there.
            return;
        }
        if !matches!(message, Message::IdDraft(_)) {
            // A new action: the last refusal has been seen.
            self.clear_refusal();
        }
        match message {
            Message::Command(command) => self.run(ctx, command),
            Message::New(template) => self.guard(ctx, Pending::New(template)),
            Message::Open(path) => self.guard(ctx, Pending::Open(path)),
            Message::SaveTo(path) => {
                self.save_to(&path);
            }
            Message::Edit { edit, label, group } => {
                let before = self.selected_place();
                if self.apply(*edit, &label, group) {
                    self.follow_selection(before);
                }
            }
            Message::IdDraft(draft) => self.id_draft = draft,
            Message::AddServiceAt(at) => self.add_service(ctx, Some(at)),
            Message::AddObject(kind) => self.add_object(ctx, kind),
            Message::ChangeId(draft) => {
                self.id_draft = Some(draft);
                self.commit_id_draft();
            }
            Message::Remove(kind, index) => self.remove(kind, index),
            Message::Connect { service, on } => self.connect(service, on),
            Message::Select(selection) => {
                self.document.seal();
                self.selection = selection;
            }
            Message::Reveal(subject) => self.reveal(&subject),
            Message::Locate(subject) => {
                if let Some(service) = subject
                    .services()
                    .first()
                    .and_then(|id| self.document.plan().service(id))
                {
                    self.canvas.request_locate(service.position);
                }
                self.document.seal();
                self.selection = Some(subject);
            }
            Message::Inspect => {
                self.settings.show_inspector = true;
                inspector::focus_field(ctx, "Name");
            }
            Message::WriteExport => self.write_export(ctx),
            Message::CloseExport => {
                self.export = None;
                self.export_job = None;
            }
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
            Command::SaveGraph => self.save_graph(false),
            Command::SaveGraphTypedPath => self.save_graph(true),
            Command::Export => self.show_export(ctx, false),
            Command::ExportTypedPath => self.show_export(ctx, true),
            Command::Rehearse => self.rehearse.open(),
            Command::Quit => self.guard(ctx, Pending::Quit),
            Command::AddService => self.add_service(ctx, None),
            Command::StartConnect => self.start_connect(),
            Command::AddMigration => self.add_object(ctx, Collection::Migration),
            Command::AddRunbook => self.add_object(ctx, Collection::Runbook),
            Command::AddEnvironment => self.add_object(ctx, Collection::Environment),
            Command::AddRegion => self.add_object(ctx, Collection::Region),
            Command::Undo => self.undo(),
            Command::Redo => self.redo(),
            Command::RenameSelection => self.rename_selection(),
            Command::DeleteSelection if self.canvas.group().len() > 1 => self.delete_group(),
            Command::DeleteSelection => {
                if let Some((kind, index)) = self
                    .selection
                    .as_ref()
                    .and_then(|selected| selected.locate(self.document.plan()))
                {
                    self.remove(kind, index);
                }
            }
            Command::Find => self.canvas.start_find(),
            Command::ToggleFocus => toggle(&mut self.canvas.lens_mut().focus),
            Command::Fit => self.canvas.request_fit(),
            Command::ZoomIn => self.canvas.request_zoom(ZOOM_STEP),
            Command::ZoomOut => self.canvas.request_zoom(1.0 / ZOOM_STEP),
            Command::AutoLayout => self.auto_layout("Auto-layout", false),
            Command::FreshLayout => self.auto_layout("Fresh layout", true),
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

    /// Shows `text` in the status bar, as an error or not; an error is also shown on the canvas.
    pub(super) fn set_status(&mut self, text: impl Into<String>, is_error: bool) {
        let text = text.into();
        if is_error {
            self.notice = Some(text.clone());
        }
        self.status = Some(Status { text, is_error });
    }

    /// Takes away the last refusal, from the canvas and the status bar.
    fn clear_refusal(&mut self) {
        self.notice = None;
        if self.status.as_ref().is_some_and(|s| s.is_error) {
            self.status = None;
        }
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

    /// Ends the current undo group when the keyboard focus moves, so edits of two fields are two
    /// steps; an id typed into the field the keyboard left is given to its object then.
    pub(super) fn seal_on_focus_change(&mut self, ctx: &egui::Context) {
        let focus = ctx.memory(|m| m.focused());
        if focus != self.last_focus {
            self.document.seal();
            self.last_focus = focus;
            self.commit_id_draft();
        }
    }

    /// Gives the object the id typed for it, as one step that also updates every reference; the
    /// selection follows the object.
    fn commit_id_draft(&mut self) {
        let Some(draft) = self.id_draft.take() else {
            return;
        };
        let plan = self.document.plan();
        let Some(index) = draft.kind.index_of(plan, &draft.old) else {
            return;
        };
        if draft.kind.index_of(plan, &draft.new).is_some() {
            self.set_status(
                format!("Refused: the id `{}` is already used", draft.new),
                true,
            );
            return;
        }
        let Some(object) =
            Object::at(plan, draft.kind, index).map(|o| o.with_id(draft.new.clone()))
        else {
            return;
        };
        let edit = Edit::replace_renaming_references(plan, index, object);
        let before = self.selected_place();
        if self.apply(edit, &format!("Change {} id", draft.kind.name()), None) {
            self.follow_selection(before);
            self.set_status(
                format!("Renamed `{}` to `{}` everywhere", draft.old, draft.new),
                false,
            );
        }
    }

    /// Where the selected object is in the plan: its collection and index.
    pub(super) fn selected_place(&self) -> Option<(Collection, usize)> {
        self.selection
            .as_ref()
            .and_then(|selected| selected.locate(self.document.plan()))
    }

    /// After a step that may have renamed the selected object (its id, or a service a selected
    /// dependency names), selects it under its new name; `before` is where it was.
    pub(super) fn follow_selection(&mut self, before: Option<(Collection, usize)>) {
        if self.selected_place().is_some() {
            return;
        }
        if let Some((kind, index)) = before
            && let Some(found) = kind.reference_at(self.document.plan(), index)
        {
            self.selection = Some(found);
        }
    }

    /// Undoes the last step and says which in the status bar.
    fn undo(&mut self) {
        let before = self.selected_place();
        match self.document.undo() {
            Some(label) => {
                self.follow_selection(before);
                self.set_status(format!("Undid {label}"), false);
            }
            None => self.set_status("Nothing to undo", false),
        }
    }

    /// Redoes the last undone step and says which in the status bar.
    fn redo(&mut self) {
        let before = self.selected_place();
        match self.document.redo() {
            Some(label) => {
                self.follow_selection(before);
                self.set_status(format!("Redid {label}"), false);
            }
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

    /// Adds a service at `at`, or where the user is looking (the middle of the canvas's view, moved
    /// off any service there), selects it and puts the keyboard in its name, ready to type.
    pub(super) fn add_service(&mut self, ctx: &egui::Context, at: Option<Position>) {
        let plan = self.document.plan();
        let position = at.unwrap_or_else(|| {
            layout::free_spot(plan, self.canvas.view_centre(ctx), Canvas::node_size())
        });
        let service = defaults::new_service(plan, position);
        let id = service.id.clone();
        let edit = Edit::append(plan, Object::Service(service));
        if self.apply(edit, "Add service", None) {
            self.selection = Some(ObjectRef::Service(id));
            self.canvas.request_reveal(position);
            inspector::focus_field(ctx, "Name");
        }
    }

    /// Adds a new object of `kind` with default fields, selects it and puts the keyboard in its
    /// name.
    pub(super) fn add_object(&mut self, ctx: &egui::Context, kind: Collection) {
        let plan = self.document.plan();
        let object = match kind {
            Collection::Service => return self.add_service(ctx, None),
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
            inspector::focus_field(ctx, "Name");
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

    /// Deletes every service selected together, and their dependencies, as one undoable step.
    fn delete_group(&mut self) {
        let ids = self.canvas.group().to_vec();
        let Some(edit) = Edit::remove_services(self.document.plan(), &ids) else {
            return;
        };
        if self.apply(edit, &format!("Remove {} services", ids.len()), None) {
            self.canvas.clear_group();
            self.selection = None;
            self.set_status(format!("Removed {} services", ids.len()), false);
        }
    }

    /// Writes a layout into the plan as one undoable step: `fresh`, every service laid out again
    /// (and the view fitted to it); otherwise only the services added since the last layout are
    /// placed, between the others, which stay where they are ([`layout::relayout_plan`]).
    pub(super) fn auto_layout(&mut self, label: &str, fresh: bool) {
        let plan = self.document.plan();
        let spacing = layout::Spacing::default();
        let positions = if fresh {
            layout::layout_plan(plan, spacing)
        } else {
            layout::relayout_plan(plan, &self.document.laid_out(), spacing)
        };
        let moves: Vec<(usize, Position)> = positions
            .into_iter()
            .enumerate()
            .filter(|(i, p)| plan.services[*i].position != *p)
            .collect();
        if moves.is_empty() {
            self.document.mark_laid_out();
            let status = if fresh {
                "The layout is already tidy"
            } else {
                "Every service has its place (View → Fresh layout lays them all out again)"
            };
            self.set_status(status, false);
        } else if self.apply(Edit::SetPositions(moves), label, None) {
            self.document.mark_laid_out();
            if fresh {
                self.canvas.request_fit();
            }
        }
    }

    /// Lays out a plan whose services have no positions yet, then fits the view.
    pub(super) fn laid_out_if_needed(&mut self) {
        if layout::needs_layout(self.document.plan()) {
            self.auto_layout("Auto-layout of a plan without positions", true);
        }
        self.canvas.request_fit();
    }
}

/// Flips a setting on or off.
fn toggle(setting: &mut bool) {
    *setting = !*setting;
}
