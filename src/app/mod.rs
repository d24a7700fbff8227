//! The desktop app: an eframe shell around the plan, its edits and its analysis.
//!
//! Panels draw from the document and push [`AppCommand`]s; [`CutoverApp::ui`] executes them at the
//! end of the frame. Panels hold no release rules: edits come from [`crate::edit`], checks from
//! [`crate::analysis`], layout from [`crate::layout`], files from [`crate::storage`].
//!
//! Not here yet: the YAML preview panel and the Export… dialog, which come with the exporters.

pub mod canvas;
pub mod commands;
pub mod document;
pub mod files;
mod inspector;
mod outline;
mod problems;
pub mod selection;
pub mod settings;
mod style;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use egui::{RichText, Ui};

pub use canvas::Canvas;
pub use commands::AppCommand;
pub use document::Document;
pub use selection::Selection;
pub use settings::Settings;

use crate::analysis::SubjectKind;
use crate::edit::{Edit, Kind, Object, defaults};
use crate::layout;
use crate::plan::{Plan, Position, templates};
use crate::storage;
use files::{Answer, Dialogs, PathPurpose, Pending};

/// Seconds between autosaves while there are unsaved changes.
const AUTOSAVE_SECONDS: f64 = 3.0;

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    /// The plan named on the command line.
    pub plan: Option<PathBuf>,
    /// Where unsaved work is autosaved; `None` turns autosave off.
    pub recovery_path: Option<PathBuf>,
    /// The remembered settings.
    pub settings: Settings,
}

/// A message in the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// The text.
    pub text: String,
    /// Whether it reports a refusal or failure.
    pub is_error: bool,
}

/// The whole app.
pub struct CutoverApp {
    document: Document,
    selection: Selection,
    canvas: Canvas,
    settings: Settings,
    dialogs: Dialogs,
    status: Option<Status>,
    recovery_path: Option<PathBuf>,
    autosaved_revision: Option<document::Revision>,
    last_autosave: f64,
    /// Runs after the next successful save (Save in the unsaved-changes question).
    after_save: Option<Pending>,
    title: String,
    quitting: bool,
    last_focus: Option<egui::Id>,
}

impl CutoverApp {
    /// The app with the plan `startup` names, else the last plan, else the starter template; offers
    /// to restore autosaved work if the last run stopped with unsaved changes.
    pub fn new(startup: Startup) -> Self {
        let mut app = Self {
            document: Document::new(templates::starter("untitled"), None),
            selection: Selection::None,
            canvas: Canvas::default(),
            settings: startup.settings,
            dialogs: Dialogs::default(),
            status: None,
            recovery_path: startup.recovery_path,
            autosaved_revision: None,
            last_autosave: 0.0,
            after_save: None,
            title: String::new(),
            quitting: false,
            last_focus: None,
        };
        let explicit = startup.plan.is_some();
        let chosen = startup
            .plan
            .or_else(|| app.settings.last_plan.clone().filter(|p| p.exists()));
        if let Some(path) = chosen {
            let opened = app.open_now(&path);
            if !opened && !explicit {
                app.dialogs.error = None;
                app.status = None;
            }
        } else {
            app.laid_out_if_needed();
        }
        if let Some(recovery) = &app.recovery_path {
            match storage::read_recovery(recovery) {
                Ok(found) => app.dialogs.recovery = found,
                Err(error) => {
                    app.set_status(
                        format!("The autosaved plan could not be read: {error}"),
                        true,
                    );
                }
            }
        }
        app
    }

    /// The app inside eframe: settings from eframe's storage, autosave in eframe's data folder.
    pub fn from_creation(cc: &eframe::CreationContext<'_>, plan: Option<PathBuf>) -> Self {
        Self::new(Startup {
            plan,
            recovery_path: eframe::storage_dir("cutover").map(|d| d.join("recovery.ron")),
            settings: Settings::load(cc.storage),
        })
    }

    /// The open document.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The current selection.
    pub fn selection(&self) -> &Selection {
        &self.selection
    }

    /// The canvas.
    pub fn canvas(&self) -> &Canvas {
        &self.canvas
    }

    /// The status bar's message.
    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// The remembered settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The window title the app wants.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Draws one frame and executes what the user asked for during it.
    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.document.refresh();
        self.seal_on_focus_change(&ctx);
        let mut commands = if self.dialogs.any_open() {
            Vec::new()
        } else {
            commands::pressed(&ctx)
        };

        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| self.menu_ui(ui, &mut commands));
        });
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui, &mut commands));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        if self.settings.show_problems {
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(170.0)
                .min_size(80.0)
                .show(ui, |ui| {
                    problems::problems_ui(ui, self.document.current_analysis(), &mut commands);
                });
        }
        if self.settings.show_outline {
            egui::Panel::left("outline")
                .resizable(true)
                .default_size(230.0)
                .show(ui, |ui| {
                    outline::outline_ui(
                        ui,
                        self.document.plan(),
                        self.document.worst_severity(),
                        &self.selection,
                        &mut commands,
                    );
                });
        }
        if self.settings.show_inspector {
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(380.0)
                .show(ui, |ui| {
                    inspector::inspector_ui(
                        ui,
                        self.document.plan(),
                        self.document.current_analysis(),
                        &self.selection,
                        &mut commands,
                    );
                });
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::central_panel(ui.style()).inner_margin(0.0))
            .show(ui, |ui| {
                self.canvas
                    .ui(ui, &self.document, &self.selection, &mut commands);
            });

        if let Some(answer) = self.dialogs.ui(&ctx) {
            self.answer(&ctx, answer);
        }
        self.handle_close_request(&ctx);
        for command in commands {
            self.execute(&ctx, command);
        }
        self.document.refresh();
        self.autosave(&ctx);
        self.update_title(&ctx);
    }

    /// Executes one command.
    pub fn execute(&mut self, ctx: &egui::Context, command: AppCommand) {
        match command {
            AppCommand::New(template) => self.guard(ctx, Pending::New(template)),
            AppCommand::OpenDialog => self.guard(ctx, Pending::OpenDialog),
            AppCommand::OpenTypedPath => self.guard(ctx, Pending::OpenTypedPath),
            AppCommand::Open(path) => self.guard(ctx, Pending::Open(path)),
            AppCommand::Quit => self.guard(ctx, Pending::Quit),
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
            AppCommand::StartConnect => match self.selection.service() {
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
                if let Some((kind, index)) = self.selection.locate(self.document.plan()) {
                    self.remove(kind, index);
                }
            }
            AppCommand::RenameSelection => {
                if let Some(service) = self
                    .selection
                    .service()
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
                self.selection = Selection::from_subject(&subject);
                let service = match subject.kind {
                    SubjectKind::Service => Some(subject.id.clone()),
                    SubjectKind::Dependency => subject.id.split("->").next().map(str::to_owned),
                    _ => None,
                };
                if let Some(position) = service
                    .and_then(|id| self.document.plan().service(&crate::plan::Id::new(id)))
                    .map(|s| s.position)
                {
                    self.canvas.request_centre(position);
                }
            }
            AppCommand::Fit => self.canvas.request_fit(),
            AppCommand::Zoom(factor) => self.canvas.request_zoom(factor),
            AppCommand::AutoLayout => self.auto_layout("Auto-layout"),
            AppCommand::RestoreRecovery => self.answer(ctx, Answer::Restore),
            AppCommand::DiscardRecovery => self.answer(ctx, Answer::DiscardRecovery),
        }
    }

    fn set_status(&mut self, text: impl Into<String>, is_error: bool) {
        self.status = Some(Status {
            text: text.into(),
            is_error,
        });
    }

    /// Applies an edit; a refusal is reported in the status bar. Returns whether it applied.
    fn apply(&mut self, edit: Edit, label: &str, group: Option<u64>) -> bool {
        match self.document.apply(edit, label, group) {
            Ok(()) => true,
            Err(error) => {
                self.set_status(format!("Refused: {error}"), true);
                false
            }
        }
    }

    fn seal_on_focus_change(&mut self, ctx: &egui::Context) {
        let focus = ctx.memory(|m| m.focused());
        if focus != self.last_focus {
            self.document.seal();
            self.last_focus = focus;
        }
    }

    fn add_service(&mut self, at: Option<Position>) {
        let plan = self.document.plan();
        let position = at.unwrap_or_else(|| beside_the_others(plan));
        let service = defaults::new_service(plan, position);
        let id = service.id.clone();
        let edit = Edit::append(plan, Object::Service(service));
        if self.apply(edit, "Add service", None) {
            self.selection = Selection::Service(id);
        }
    }

    fn add_object(&mut self, kind: Kind) {
        let plan = self.document.plan();
        let object = match kind {
            Kind::Service => return self.add_service(None),
            Kind::Migration => Object::Migration(defaults::new_migration(plan)),
            Kind::Environment => Object::Environment(defaults::new_environment(plan)),
            Kind::Region => Object::Region(defaults::new_region(plan)),
            Kind::Runbook => Object::Runbook(defaults::new_runbook(plan)),
            Kind::Dependency => return,
        };
        let id = object.id().cloned();
        let edit = Edit::append(plan, object);
        if self.apply(edit, &format!("Add {}", kind.name()), None)
            && let Some(id) = id
        {
            self.selection = Selection::of(kind, id);
        }
    }

    fn remove(&mut self, kind: Kind, index: usize) {
        let plan = self.document.plan();
        let edit = match kind {
            Kind::Service => Edit::remove_service(plan, index),
            _ => Edit::Remove { kind, index },
        };
        if self.apply(edit, &format!("Remove {}", kind.name()), None)
            && self.selection.locate(self.document.plan()).is_none()
        {
            self.selection = Selection::None;
        }
    }

    /// Writes an auto-layout into the plan as one undoable step.
    fn auto_layout(&mut self, label: &str) {
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

    fn laid_out_if_needed(&mut self) {
        if layout::needs_layout(self.document.plan()) {
            self.auto_layout("Auto-layout of a plan without positions");
        }
        self.canvas.request_fit();
    }

    /// Runs `pending` now, or first asks about unsaved changes.
    fn guard(&mut self, ctx: &egui::Context, pending: Pending) {
        if self.document.is_dirty() {
            self.dialogs.unsaved = Some(pending);
        } else {
            self.proceed(ctx, pending);
        }
    }

    fn proceed(&mut self, ctx: &egui::Context, pending: Pending) {
        match pending {
            Pending::New(template) => {
                match templates::by_name(template, "untitled") {
                    Some(Ok(plan)) => self.replace_document(Document::new(plan, None)),
                    Some(Err(error)) => self.dialogs.error = Some(error.to_string()),
                    None => self.dialogs.error = Some(format!("There is no template `{template}`")),
                }
                self.laid_out_if_needed();
            }
            Pending::Open(path) => {
                self.open_now(&path);
            }
            Pending::OpenDialog => match files::pick_plan_to_open() {
                Ok(Some(path)) => {
                    self.open_now(&path);
                }
                Ok(None) => {}
                Err(files::NoDialog) => self.ask_open_path(),
            },
            Pending::OpenTypedPath => self.ask_open_path(),
            Pending::Quit => {
                self.forget_recovery();
                self.quitting = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn ask_open_path(&mut self) {
        let initial = self
            .document
            .path()
            .and_then(Path::parent)
            .map(|p| format!("{}/", p.display()))
            .unwrap_or_default();
        self.dialogs.ask_path(PathPurpose::Open, initial);
    }

    fn ask_save_path(&mut self) {
        let initial = self.document.path().map_or_else(
            || format!("{}.ron", self.document.plan().name),
            |p| p.display().to_string(),
        );
        self.dialogs.ask_path(PathPurpose::SaveAs, initial);
    }

    /// Opens `path` as the document; reports failure and keeps the current document.
    fn open_now(&mut self, path: &Path) -> bool {
        match storage::load_plan(path) {
            Ok(plan) => {
                self.replace_document(Document::new(plan, Some(path.to_path_buf())));
                self.settings.remember(path);
                self.laid_out_if_needed();
                self.set_status(format!("Opened {}", path.display()), false);
                true
            }
            Err(error) => {
                self.dialogs.error = Some(format!("Could not open the plan.\n\n{error}"));
                false
            }
        }
    }

    fn replace_document(&mut self, document: Document) {
        self.document = document;
        self.selection = Selection::None;
        self.autosaved_revision = None;
        self.forget_recovery();
    }

    fn save(&mut self) {
        match self.document.path().map(Path::to_path_buf) {
            Some(path) => {
                self.save_to(&path);
            }
            None => self.save_as_dialog(),
        }
    }

    fn save_as_dialog(&mut self) {
        let name = format!("{}.ron", self.document.plan().name);
        match files::pick_plan_to_save(&name) {
            Ok(Some(path)) => {
                self.save_to(&path);
            }
            Ok(None) => self.after_save = None,
            Err(files::NoDialog) => self.ask_save_path(),
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match storage::save_plan(path, self.document.plan()) {
            Ok(()) => {
                self.document.mark_saved(path.to_path_buf());
                self.settings.remember(path);
                self.forget_recovery();
                self.set_status(format!("Saved {}", path.display()), false);
                true
            }
            Err(error) => {
                self.after_save = None;
                self.dialogs.error = Some(format!("Could not save the plan.\n\n{error}"));
                false
            }
        }
    }

    fn answer(&mut self, ctx: &egui::Context, answer: Answer) {
        match answer {
            Answer::Path(PathPurpose::Open, path) => {
                self.open_now(&path);
            }
            Answer::Path(PathPurpose::SaveAs, path) => {
                if self.save_to(&path)
                    && let Some(pending) = self.after_save.take()
                {
                    self.proceed(ctx, pending);
                }
            }
            Answer::SaveFirst(pending) => {
                self.after_save = Some(pending);
                self.save();
                if !self.document.is_dirty()
                    && let Some(pending) = self.after_save.take()
                {
                    self.proceed(ctx, pending);
                }
            }
            Answer::Discard(pending) => {
                self.forget_recovery();
                // The changes are given up: the document counts as clean so the action does not ask again.
                let plan = self.document.plan().clone();
                let path = self.document.path().map(Path::to_path_buf);
                self.document = Document::new(plan, path);
                self.proceed(ctx, pending);
            }
            Answer::Restore => {
                if let Some(recovery) = &self.recovery_path {
                    match storage::read_recovery(recovery) {
                        Ok(Some(found)) => {
                            let mut document = Document::new(found.plan, found.origin);
                            document.mark_unsaved();
                            self.document = document;
                            self.selection = Selection::None;
                            self.canvas.request_fit();
                            self.set_status(
                                "Restored the autosaved plan; save it to keep it",
                                false,
                            );
                        }
                        Ok(None) => self.set_status("The autosaved plan is gone", true),
                        Err(error) => self.dialogs.error = Some(error.to_string()),
                    }
                }
            }
            Answer::DiscardRecovery => self.forget_recovery(),
            Answer::Rename(id, name) => {
                let plan = self.document.plan();
                if let Some(index) = Kind::Service.index_of(plan, &id) {
                    let mut service = plan.services[index].clone();
                    service.name = name;
                    let edit = Edit::Set {
                        index,
                        object: Object::Service(service),
                    };
                    self.apply(edit, "Rename service", None);
                }
            }
        }
    }

    fn forget_recovery(&mut self) {
        if let Some(recovery) = &self.recovery_path
            && self.dialogs.recovery.is_none()
            && let Err(error) = storage::remove_recovery(recovery)
        {
            self.set_status(format!("Could not remove the autosave: {error}"), true);
        }
        self.autosaved_revision = None;
    }

    fn autosave(&mut self, ctx: &egui::Context) {
        let Some(recovery) = &self.recovery_path else {
            return;
        };
        // While the offer to restore is open, the autosave on disk is the user's only copy.
        if self.dialogs.recovery.is_some() || !self.document.is_dirty() {
            return;
        }
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_SECONDS));
        let now = ctx.input(|i| i.time);
        if self.autosaved_revision == Some(self.document.revision())
            || now - self.last_autosave < AUTOSAVE_SECONDS
        {
            return;
        }
        match storage::write_recovery(recovery, self.document.plan(), self.document.path()) {
            Ok(()) => {
                self.autosaved_revision = Some(self.document.revision());
                self.last_autosave = now;
            }
            Err(error) => {
                self.last_autosave = now;
                self.set_status(format!("Autosave failed: {error}"), true);
            }
        }
    }

    /// Writes the autosave now if there are unsaved changes (tests, and before a risky operation).
    pub fn autosave_now(&mut self) {
        self.last_autosave = f64::NEG_INFINITY;
        self.autosaved_revision = None;
    }

    fn handle_close_request(&mut self, ctx: &egui::Context) {
        if ctx.input(|i| i.viewport().close_requested()) && !self.quitting {
            if self.document.is_dirty() {
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                self.dialogs.unsaved = Some(Pending::Quit);
            } else {
                self.forget_recovery();
            }
        }
    }

    fn update_title(&mut self, ctx: &egui::Context) {
        let marker = if self.document.is_dirty() { "● " } else { "" };
        let title = format!("{marker}{} — Cutover", self.document.display_name());
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        let ctx = ui.ctx().clone();
        let item =
            |ui: &mut Ui, text: &str, command: AppCommand, commands: &mut Vec<AppCommand>| {
                let mut button = egui::Button::new(text);
                if let Some(keys) = commands::shortcut_text(&ctx, &command) {
                    button = button.shortcut_text(keys);
                }
                if ui.add(button).clicked() {
                    commands.push(command);
                }
            };
        ui.menu_button("File", |ui| {
            ui.menu_button("New from template", |ui| {
                for (name, help) in templates::TEMPLATES {
                    if ui.button(name).on_hover_text(help).clicked() {
                        commands.push(AppCommand::New(name));
                    }
                }
            });
            item(ui, "Open…", AppCommand::OpenDialog, commands);
            item(ui, "Open path…", AppCommand::OpenTypedPath, commands);
            ui.menu_button("Open recent", |ui| {
                if self.settings.recent.is_empty() {
                    ui.weak("No recent plans");
                }
                for path in &self.settings.recent {
                    if ui.button(path.display().to_string()).clicked() {
                        commands.push(AppCommand::Open(path.clone()));
                    }
                }
            });
            ui.separator();
            item(ui, "Save", AppCommand::Save, commands);
            item(ui, "Save As…", AppCommand::SaveAsDialog, commands);
            item(ui, "Save as path…", AppCommand::SaveAsTypedPath, commands);
            ui.separator();
            item(ui, "Quit", AppCommand::Quit, commands);
        });
        ui.menu_button("Edit", |ui| {
            let undo = self
                .document
                .undo_label()
                .map_or_else(|| "Undo".to_owned(), |l| format!("Undo {l}"));
            let redo = self
                .document
                .redo_label()
                .map_or_else(|| "Redo".to_owned(), |l| format!("Redo {l}"));
            ui.add_enabled_ui(self.document.undo_label().is_some(), |ui| {
                item(ui, &undo, AppCommand::Undo, commands);
            });
            ui.add_enabled_ui(self.document.redo_label().is_some(), |ui| {
                item(ui, &redo, AppCommand::Redo, commands);
            });
            ui.separator();
            item(ui, "Rename service…", AppCommand::RenameSelection, commands);
            item(ui, "Delete", AppCommand::DeleteSelection, commands);
        });
        ui.menu_button("Insert", |ui| {
            item(ui, "Service", AppCommand::AddService(None), commands);
            item(
                ui,
                "Dependency (connect)",
                AppCommand::StartConnect,
                commands,
            );
            for kind in [
                Kind::Migration,
                Kind::Runbook,
                Kind::Environment,
                Kind::Region,
            ] {
                if ui.button(style_name(kind)).clicked() {
                    commands.push(AppCommand::AddObject(kind));
                }
            }
        });
        ui.menu_button("View", |ui| {
            item(ui, "Fit to view", AppCommand::Fit, commands);
            item(ui, "Auto-layout", AppCommand::AutoLayout, commands);
            if ui.button("Zoom in").clicked() {
                commands.push(AppCommand::Zoom(1.25));
            }
            if ui.button("Zoom out").clicked() {
                commands.push(AppCommand::Zoom(0.8));
            }
            ui.separator();
            ui.checkbox(&mut self.settings.show_outline, "Outline");
            ui.checkbox(&mut self.settings.show_inspector, "Inspector");
            ui.checkbox(&mut self.settings.show_problems, "Problems");
            ui.separator();
            let mut theme = ui.ctx().options(|o| o.theme_preference);
            ui.label("Theme");
            let changed = ui
                .radio_value(
                    &mut theme,
                    egui::ThemePreference::System,
                    "Follow the system",
                )
                .changed()
                | ui.radio_value(&mut theme, egui::ThemePreference::Light, "Light")
                    .changed()
                | ui.radio_value(&mut theme, egui::ThemePreference::Dark, "Dark")
                    .changed();
            if changed {
                ui.ctx().set_theme(theme);
            }
        });
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        ui.horizontal(|ui| {
            let mut button = |ui: &mut Ui, text: &str, tip: &str, command: AppCommand| {
                let tip = match commands::shortcut_text(ui.ctx(), &command) {
                    Some(keys) => format!("{tip} ({keys})"),
                    None => tip.to_owned(),
                };
                if ui.button(text).on_hover_text(tip).clicked() {
                    commands.push(command);
                }
            };
            button(
                ui,
                "Add service",
                "Add a service to the canvas",
                AppCommand::AddService(None),
            );
            button(
                ui,
                "Connect",
                "Make the selected service depend on the next one you click",
                AppCommand::StartConnect,
            );
            button(
                ui,
                "Delete",
                "Delete the selected object",
                AppCommand::DeleteSelection,
            );
            ui.separator();
            button(ui, "Undo", "Undo the last change", AppCommand::Undo);
            button(ui, "Redo", "Redo the last undone change", AppCommand::Redo);
            ui.separator();
            button(ui, "Fit", "Show every service", AppCommand::Fit);
            button(ui, "Zoom in", "Zoom in", AppCommand::Zoom(1.25));
            button(ui, "Zoom out", "Zoom out", AppCommand::Zoom(0.8));
            button(
                ui,
                "Auto-layout",
                "Lay the services out in layers, bottom-up",
                AppCommand::AutoLayout,
            );
        });
    }

    fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let path = self
                .document
                .path()
                .map_or_else(|| "not saved yet".to_owned(), |p| p.display().to_string());
            ui.weak(path);
            if self.document.is_dirty() {
                ui.label(RichText::new("unsaved changes").strong());
            }
            ui.separator();
            if let Some(status) = &self.status {
                let text = RichText::new(&status.text);
                if status.is_error {
                    ui.label(text.color(ui.visuals().error_fg_color));
                } else {
                    ui.label(text);
                }
            }
        });
    }
}

fn style_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Migration => "Migration",
        Kind::Runbook => "Hotfix runbook",
        Kind::Environment => "Environment",
        Kind::Region => "Region",
        Kind::Service => "Service",
        Kind::Dependency => "Dependency",
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

impl eframe::App for CutoverApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        CutoverApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(path) = self.document.path() {
            self.settings.last_plan = Some(path.to_path_buf());
        }
        self.settings.save(storage);
    }
}

/// Runs the desktop app on `plan` (or the last plan, or the starter template).
pub fn run(plan: Option<PathBuf>) -> ExitCode {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Cutover")
            .with_app_id("cutover")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([800.0, 500.0]),
        renderer: eframe::Renderer::Glow,
        persist_window: true,
        ..Default::default()
    };
    let result = eframe::run_native(
        "cutover",
        options,
        Box::new(move |cc| Ok(Box::new(CutoverApp::from_creation(cc, plan)))),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: the window could not be opened: {error}");
            ExitCode::from(1)
        }
    }
}
