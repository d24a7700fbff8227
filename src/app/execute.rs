//! Executing commands: edits through the document's history, selection, view requests.

use super::*;

impl CutoverApp {
    /// Executes one command.
    pub fn execute(&mut self, ctx: &egui::Context, command: AppCommand) {
        match command {
            AppCommand::New(template) => self.guard(ctx, Pending::New(template)),
            AppCommand::OpenDialog => self.guard(ctx, Pending::OpenDialog),
            AppCommand::OpenTypedPath => self.guard(ctx, Pending::OpenTypedPath),
            AppCommand::Open(path) => self.guard(ctx, Pending::Open(path)),
            AppCommand::Quit => self.guard(ctx, Pending::Quit),
            AppCommand::ShowExport => self.show_export(false),
            AppCommand::ExportTypedPath => self.show_export(true),
            AppCommand::WriteExport => self.write_export(),
            AppCommand::CloseExport => self.export = None,
            AppCommand::TogglePreview => {
                self.settings.show_preview = !self.settings.show_preview;
            }
            AppCommand::Save => self.save(),
            AppCommand::SaveAsDialog => self.save_as_dialog(),
            AppCommand::SaveAsTypedPath => self.ask_save_path(),
            AppCommand::SaveTo(path) => {
                self.save_to(&path);
            }
            AppCommand::Edit { edit, label, group } => {
                self.apply(*edit, &label, group);
            }
            AppCommand::Undo => match self.document.undo() {
                Some(label) => self.set_status(format!("Undid {label}"), false),
                None => self.set_status("Nothing to undo", false),
            },
            AppCommand::Redo => match self.document.redo() {
                Some(label) => self.set_status(format!("Redid {label}"), false),
                None => self.set_status("Nothing to redo", false),
            },
            AppCommand::AddService(at) => self.add_service(at),
            AppCommand::AddObject(kind) => self.add_object(kind),
            AppCommand::Remove(kind, index) => self.remove(kind, index),
            AppCommand::Connect { service, on } => {
                let edit = Edit::add_dependency(self.document.plan(), service.clone(), on.clone());
                if self.apply(edit, "Connect services", None) {
                    self.set_status(format!("`{service}` now depends on `{on}`"), false);
                }
            }
            AppCommand::StartConnect => match selected_service(&self.selection) {
                Some(id) => {
                    self.canvas.start_connect(id.clone());
                    self.set_status(format!("Click the service `{id}` depends on"), false);
                }
                None => self.set_status(
                    "Select the service that depends on another first, then Connect",
                    true,
                ),
            },
            AppCommand::DeleteSelection => {
                if let Some((kind, index)) = self
                    .selection
                    .as_ref()
                    .and_then(|selected| selected.locate(self.document.plan()))
                {
                    self.remove(kind, index);
                }
            }
            AppCommand::RenameSelection => {
                if let Some(service) = selected_service(&self.selection)
                    .and_then(|id| self.document.plan().service(id))
                {
                    self.dialogs.rename = Some((service.id.clone(), service.name.clone()));
                }
            }
            AppCommand::Select(selection) => {
                self.document.seal();
                self.selection = selection;
            }
            AppCommand::Reveal(subject) => {
                if let Some(position) = subject
                    .services()
                    .first()
                    .and_then(|id| self.document.plan().service(id))
                    .map(|s| s.position)
                {
                    self.canvas.request_centre(position);
                }
                self.selection = Some(subject);
            }
            AppCommand::Fit => self.canvas.request_fit(),
            AppCommand::Zoom(factor) => self.canvas.request_zoom(factor),
            AppCommand::AutoLayout => self.auto_layout("Auto-layout"),
            AppCommand::RestoreRecovery => self.answer(ctx, Answer::Restore),
            AppCommand::DiscardRecovery => self.answer(ctx, Answer::DiscardRecovery),
        }
    }

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

    pub(super) fn seal_on_focus_change(&mut self, ctx: &egui::Context) {
        let focus = ctx.memory(|m| m.focused());
        if focus != self.last_focus {
            self.document.seal();
            self.last_focus = focus;
        }
    }

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

    pub(super) fn laid_out_if_needed(&mut self) {
        if layout::needs_layout(self.document.plan()) {
            self.auto_layout("Auto-layout of a plan without positions");
        }
        self.canvas.request_fit();
    }
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
            x: right + 220.0,
            y: top,
        }
    } else {
        Position::default()
    }
}
