//! The desktop app: an eframe shell around the plan, its edits and its analysis.
//!
//! Panels draw from the document and push [`Message`]s (a user [`Command`] from the menus, the
//! toolbar or a shortcut, or a request with data such as an edit); [`CutoverApp::ui`] executes them
//! at the end of the frame. Panels hold no release rules: edits come from [`crate::edit`], checks from
//! [`crate::analysis`], layout from [`crate::layout`], files from [`crate::storage`], the generated
//! pipelines (the preview panel and the Export… window) from [`crate::emit`].

pub mod canvas;
mod chrome;
pub mod commands;
mod diagnostics;
pub mod document;
mod execute;
pub mod export_dialog;
mod export_flow;
pub mod export_review;
mod file_flow;
pub mod files;
pub mod highlight;
mod inspector;
pub mod message;
mod outline;
pub mod preview;
mod problems;
pub mod rehearse_panel;
pub mod selection;
pub mod settings;
mod style;

use std::path::PathBuf;
use std::process::ExitCode;

use egui::Ui;

pub use canvas::Canvas;
pub use commands::Command;
pub use document::Document;
pub use export_dialog::ExportDialog;
pub use message::Message;
pub use preview::Preview;
pub use rehearse_panel::RehearsePanel;
pub use selection::Selection;
pub use settings::Settings;

use crate::plan::templates;
use crate::storage;
use files::{Dialogs, Pending};

/// The desktop id: the window's Wayland app id and X11 class, the name of the `.desktop` file, the
/// AppStream component and the icon installed from `dist/`.
pub const APP_ID: &str = "dev.cutover.Cutover";

/// The folder name the settings and the recovery file are kept under (eframe's storage folder).
const STORAGE_NAME: &str = "cutover";

/// The window icon, rendered from `assets/icon/cutover.svg`. 128 pixels: a 256-pixel icon does not fit
/// in one X11 property request, and winit then leaves the window without one.
const WINDOW_ICON_PNG: &[u8] = include_bytes!("../../assets/icon/cutover-128.png");

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
    /// The generated files, kept per content revision while the preview panel is shown.
    preview: Preview,
    /// The Export… window, while it is open.
    export: Option<ExportDialog>,
    /// The last folder exported into in this run (for plans that have no file yet).
    session_export_folder: Option<PathBuf>,
    /// Whether the preview panel was drawn last frame (the canvas refits when that changes).
    preview_drawn: bool,
    /// Whether the Help → Keyboard shortcuts window is open.
    shortcuts_shown: bool,
    /// The Rehearse… window.
    rehearse: RehearsePanel,
}

impl CutoverApp {
    /// The app with the plan `startup` names, else the last plan, else the starter template; offers
    /// to restore autosaved work if the last run stopped with unsaved changes.
    pub fn new(startup: Startup) -> Self {
        let mut app = Self {
            document: Document::new(templates::starter("untitled"), None),
            selection: None,
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
            preview: Preview::default(),
            export: None,
            session_export_folder: None,
            preview_drawn: false,
            shortcuts_shown: false,
            rehearse: RehearsePanel::default(),
        };
        // Look for autosaved work first: opening a plan clears the recovery file unless an offer to
        // restore it is pending.
        let mut recovery_problem = None;
        if let Some(recovery) = &app.recovery_path {
            match storage::read_recovery(recovery) {
                Ok(found) => app.dialogs.recovery = found,
                Err(error) => recovery_problem = Some(error),
            }
        }
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
        if let Some(error) = recovery_problem {
            app.set_status(
                format!("The autosaved plan could not be read: {error}"),
                true,
            );
        }
        app
    }

    /// The app inside eframe: settings from eframe's storage, autosave in eframe's data folder.
    pub fn from_creation(cc: &eframe::CreationContext<'_>, plan: Option<PathBuf>) -> Self {
        Self::new(Startup {
            plan,
            recovery_path: eframe::storage_dir(STORAGE_NAME).map(|d| d.join("recovery.ron")),
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

    /// The export preview.
    pub fn preview(&self) -> &Preview {
        &self.preview
    }

    /// The export preview, to tune it (see [`Preview::set_slow_limit`]).
    pub fn preview_mut(&mut self) -> &mut Preview {
        &mut self.preview
    }

    /// The Export… window, while it is open.
    pub fn export_dialog(&self) -> Option<&ExportDialog> {
        self.export.as_ref()
    }

    /// The Rehearse… window.
    pub fn rehearse_panel(&self) -> &RehearsePanel {
        &self.rehearse
    }

    /// The Rehearse… window, to choose a fault or start a rehearsal without the mouse.
    pub fn rehearse_panel_mut(&mut self) -> (&mut RehearsePanel, &Document) {
        (&mut self.rehearse, &self.document)
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
        if self.settings.show_preview {
            self.preview.update(&ctx, &self.document);
        }
        let mut messages: Vec<Message> = if self.dialogs.any_open() || self.export.is_some() {
            Vec::new()
        } else {
            commands::pressed(&ctx)
                .into_iter()
                .map(Message::from)
                .collect()
        };
        egui::Panel::top("menu").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| self.menu_bar_ui(ui, &mut messages));
        });
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui, &mut messages));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        self.panels_ui(ui, &mut messages);
        egui::CentralPanel::default()
            .frame(egui::Frame::central_panel(ui.style()).inner_margin(0.0))
            .show(ui, |ui| {
                self.canvas
                    .ui(ui, &self.document, &self.selection, &mut messages);
            });
        if self.preview_drawn != self.settings.show_preview {
            // The preview takes or gives back much of the canvas's width: once this frame has laid
            // the panels out, fit the services into the canvas's new size.
            self.preview_drawn = self.settings.show_preview;
            self.canvas.request_fit();
        }
        self.shortcuts_ui(&ctx);
        self.rehearse.ui(&ctx, &self.document, &mut messages);
        if let Some(export) = &mut self.export {
            export.ui(&ctx, &mut messages);
        }
        if let Some(answer) = self.dialogs.ui(&ctx) {
            self.answer(&ctx, answer);
        }
        self.handle_close_request(&ctx);
        for message in messages {
            self.execute(&ctx, message);
        }
        self.document.refresh();
        self.autosave(&ctx);
        self.update_title(&ctx);
    }

    /// The side and bottom panels the settings show: problems, outline, preview and inspector.
    fn panels_ui(&mut self, ui: &mut Ui, messages: &mut Vec<Message>) {
        if self.settings.show_problems {
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(170.0)
                .min_size(80.0)
                .show(ui, |ui| {
                    problems::problems_ui(ui, self.document.current_analysis(), messages);
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
                        messages,
                    );
                });
        }
        if self.settings.show_preview {
            egui::Panel::right("preview")
                .resizable(true)
                .default_size(560.0)
                .min_size(280.0)
                .show(ui, |ui| {
                    self.preview.ui(ui, &self.document, messages);
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
                        messages,
                    );
                });
        }
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
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Cutover")
        .with_app_id(APP_ID)
        .with_inner_size([1440.0, 900.0])
        .with_min_inner_size([800.0, 500.0]);
    match eframe::icon_data::from_png_bytes(WINDOW_ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(error) => eprintln!("warning: the window icon could not be read: {error}"),
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        persist_window: true,
        // The settings stay where they were before the app had a desktop id, so upgrading keeps them.
        persistence_path: eframe::storage_dir(STORAGE_NAME).map(|dir| dir.join("app.ron")),
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
