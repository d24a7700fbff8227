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
mod export_job;
pub mod export_review;
mod file_flow;
pub mod files;
mod graph_file;
pub mod highlight;
mod inspector;
pub mod message;
mod outline;
mod panels;
pub mod preview;
mod problems;
pub mod rehearse_panel;
pub mod selection;
pub mod settings;
pub mod style;
mod typing;

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
    /// Where unsaved work is autosaved: the base name of the recovery files, one per plan beside it
    /// (see [`storage::recovery_file`]); `None` turns autosave off.
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
    /// The recovery file this window autosaves the open plan to, once it has one.
    recovery_file: Option<PathBuf>,
    /// The recovery file offered to restore at start, while the offer is open.
    offered_recovery: Option<PathBuf>,
    /// Tells this window's recovery file of a never-saved plan from other windows'.
    session: String,
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
    /// The worker preparing the Export… window's review.
    export_job: Option<export_job::ReviewJob>,
    /// The last folder exported into in this run (for plans that have no file yet).
    session_export_folder: Option<PathBuf>,
    /// Whether the preview panel was drawn beside the canvas last frame (the canvas refits when
    /// that changes).
    preview_drawn: bool,
    /// Whether the Help → Keyboard shortcuts window is open.
    shortcuts_shown: bool,
    /// The Rehearse… window.
    rehearse: RehearsePanel,
    /// Keeps single-key shortcuts away from text fields.
    typing: typing::TypingGuard,
    /// An id typed into an Id field, given to its object when the keyboard leaves the field.
    id_draft: Option<message::IdDraft>,
    /// A refusal or failure shown on the canvas, where the user acted, until the next action.
    notice: Option<String>,
    /// Counts the documents this window has shown (each open, new or restore is one more).
    document_serial: u64,
    /// The document the panels drew this frame: their id edits are for it alone.
    drawn_serial: u64,
    /// Frames drawn in the window so far, when `CUTOVER_FRAME_STATS` is set (see [`FRAME_STATS`]).
    frame_stats: Option<u64>,
}

/// Set this environment variable to have the window print, for every frame it draws, the frame's
/// number, the CPU time eframe measured for the one before and how many times the zoomed-out canvas
/// has been drawn as an image so far (`frame 12: 3.41 ms, canvas images drawn 2`) on standard error:
/// to count frames while the app is idle, and to time real frames with the painting included.
pub const FRAME_STATS: &str = "CUTOVER_FRAME_STATS";

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
            recovery_file: None,
            offered_recovery: None,
            session: session_name(),
            autosaved_revision: None,
            last_autosave: 0.0,
            after_save: None,
            title: String::new(),
            quitting: false,
            last_focus: None,
            preview: Preview::default(),
            export: None,
            export_job: None,
            session_export_folder: None,
            preview_drawn: false,
            shortcuts_shown: false,
            rehearse: RehearsePanel::default(),
            typing: typing::TypingGuard::default(),
            id_draft: None,
            notice: None,
            document_serial: 0,
            drawn_serial: 0,
            frame_stats: None,
        };
        // Look for autosaved work first: the plan it belongs to is the one to open under the offer.
        let recoveries = app
            .recovery_path
            .as_deref()
            .map(storage::find_recoveries)
            .unwrap_or_default();
        let unreadable = recoveries.unreadable;
        let offered = pick_recovery(
            recoveries.found,
            startup.plan.as_deref(),
            app.settings.last_plan.as_deref(),
        );
        let mut recovered_origin = None;
        if let Some((file, found)) = offered {
            recovered_origin = found.origin.clone().filter(|p| p.exists());
            app.offered_recovery = Some(file);
            app.dialogs.recovery = Some(found);
        }
        let explicit = startup.plan.is_some();
        let chosen = startup
            .plan
            .or(recovered_origin)
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
        if let Some((path, error)) = unreadable.first() {
            app.set_status(
                format!(
                    "An autosaved plan could not be read ({}): {error}",
                    path.display()
                ),
                true,
            );
        }
        app
    }

    /// The app inside eframe: settings from eframe's storage, autosave in eframe's data folder.
    pub fn from_creation(cc: &eframe::CreationContext<'_>, plan: Option<PathBuf>) -> Self {
        let mut app = Self::new(Startup {
            plan,
            recovery_path: eframe::storage_dir(STORAGE_NAME).map(|d| d.join("recovery.ron")),
            settings: Settings::load(cc.storage),
        });
        app.frame_stats = std::env::var_os(FRAME_STATS).map(|_| 0);
        style::panels_without_fill(&cc.egui_ctx);
        app
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

    /// The refusal or failure shown on the canvas, if any.
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
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

    /// Brings the analysis up to date with the plan, or, while the user types into a field of a
    /// plan slow to analyse, comes back for it when the typing pauses.
    fn refresh_analysis(&mut self, ctx: &egui::Context) {
        if let Some(due) = self
            .document
            .refresh_between_keystrokes(std::time::Instant::now())
        {
            ctx.request_repaint_after(due);
        }
    }

    /// Draws one frame and executes what the user asked for during it.
    pub fn ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.drawn_serial = self.document_serial;
        self.refresh_analysis(&ctx);
        self.seal_on_focus_change(&ctx);
        if self.settings.show_preview {
            self.preview.update(&ctx, &self.document);
        }
        let typing = self.typing.keys_belong_to_text(&ctx);
        let mut messages: Vec<Message> = if self.dialogs.any_open() || self.export.is_some() {
            Vec::new()
        } else {
            commands::pressed(&ctx, typing)
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
        self.notice_ui(&ctx);
        let docked = self.settings.show_preview && !self.settings.preview_detached;
        if self.preview_drawn != docked {
            // The preview takes or gives back much of the canvas's width: once this frame has laid
            // the panels out, fit the services into the canvas's new size.
            self.preview_drawn = docked;
            self.canvas.request_fit();
        }
        self.detached_preview_ui(&ctx, &mut messages);
        self.shortcuts_ui(&ctx);
        self.rehearse.ui(&ctx, &self.document, &mut messages);
        self.collect_review();
        if let Some(export) = &mut self.export {
            export.ui(&ctx, &mut messages);
        }
        if let Some(answer) = self.dialogs.ui(&ctx) {
            self.answer(&ctx, answer);
        }
        self.handle_close_request(&ctx);
        // Nothing asks for frames continuously: what the user did this frame changes the state
        // after the panels drew, so one more frame shows it (then the app is idle again). The
        // inspector reports the id being typed every frame; that alone changes nothing on screen.
        if messages.iter().any(|m| !matches!(m, Message::IdDraft(_))) {
            ctx.request_repaint();
        }
        for message in messages {
            self.execute(&ctx, message);
        }
        if self.canvas.wants_frame() {
            ctx.request_repaint();
        }
        self.refresh_analysis(&ctx);
        self.autosave(&ctx);
        self.update_title(&ctx);
        self.typing.end_frame(&ctx);
    }

    /// The side and bottom panels the settings show: problems, outline, preview and inspector. Each
    /// side panel's width is kept between a minimum and a maximum worked out from the window, so
    /// neither a long name, the preview nor a layout remembered from a bigger window can leave the
    /// canvas less than [`panels::MIN_CANVAS_SHARE`] of the window.
    fn panels_ui(&mut self, ui: &mut Ui, messages: &mut Vec<Message>) {
        if self.settings.show_problems {
            let height = ui.available_height();
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(170.0)
                .size_range(80.0..=(height * 0.45).max(80.0))
                .show(ui, |ui| {
                    problems::problems_ui(
                        ui,
                        self.document.plan(),
                        self.document.current_analysis(),
                        messages,
                    );
                });
        }
        let mut budget = panels::PanelBudget::new(ui.available_width());
        if self.settings.show_outline {
            let (min, default, max) = budget.range(panels::OUTLINE);
            let shown = egui::Panel::left("outline")
                .resizable(true)
                .default_size(default)
                .size_range(min..=max)
                .show(ui, |ui| {
                    panels::contained(ui, |ui| {
                        outline::outline_ui(
                            ui,
                            self.document.plan(),
                            self.document.worst_severity(),
                            &self.selection,
                            messages,
                        );
                    });
                });
            budget.take(shown.response.rect.width());
        }
        if self.settings.show_inspector {
            budget.keep(panels::INSPECTOR.min);
        }
        if self.settings.show_preview && !self.settings.preview_detached {
            let (min, default, max) = budget.range(panels::PREVIEW);
            let shown = egui::Panel::right("preview")
                .resizable(true)
                .default_size(default)
                .size_range(min..=max)
                .show(ui, |ui| {
                    panels::contained(ui, |ui| {
                        if panels::dock_button(ui, false) {
                            self.settings.preview_detached = true;
                        }
                        self.preview.ui(ui, &self.document, messages);
                    });
                });
            budget.take(shown.response.rect.width());
        }
        if self.settings.show_inspector {
            budget.keep(0.0);
            let (min, default, max) = budget.range(panels::INSPECTOR);
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(default)
                .size_range(min..=max)
                .show(ui, |ui| {
                    panels::contained(ui, |ui| {
                        inspector::inspector_ui(
                            ui,
                            self.document.plan(),
                            self.document.current_analysis(),
                            &self.selection,
                            messages,
                        );
                    });
                });
        }
    }

    /// The export preview in a window of its own, when it is detached.
    fn detached_preview_ui(&mut self, ctx: &egui::Context, messages: &mut Vec<Message>) {
        if !(self.settings.show_preview && self.settings.preview_detached) {
            return;
        }
        let mut open = true;
        let mut dock = false;
        egui::Window::new("Export preview")
            .id(egui::Id::new("detached-preview"))
            .open(&mut open)
            .default_size([640.0, 640.0])
            .show(ctx, |ui| {
                dock = panels::dock_button(ui, true);
                self.preview.ui(ui, &self.document, messages);
            });
        if dock {
            self.settings.preview_detached = false;
        }
        if !open {
            self.settings.show_preview = false;
        }
    }
}

impl eframe::App for CutoverApp {
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        style::window_background(visuals).to_normalized_gamma_f32()
    }

    fn ui(&mut self, ui: &mut Ui, frame: &mut eframe::Frame) {
        if let Some(count) = &mut self.frame_stats {
            *count += 1;
            let previous = frame.info().cpu_usage.unwrap_or_default() * 1e3;
            let images = self.canvas.images_drawn();
            eprintln!("frame {count}: {previous:.2} ms, canvas images drawn {images}");
        }
        CutoverApp::ui(self, ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Some(path) = self.document.path() {
            self.settings.last_plan = Some(path.to_path_buf());
        }
        self.settings.save(storage);
    }
}

/// The autosave to offer at start among `found` (newest first): the named plan's, else a never-saved
/// plan's; with no plan named, the last plan's, else the newest.
fn pick_recovery(
    found: Vec<(PathBuf, storage::Recovered)>,
    named: Option<&std::path::Path>,
    last: Option<&std::path::Path>,
) -> Option<(PathBuf, storage::Recovered)> {
    let same = |a: &std::path::Path, b: &std::path::Path| {
        a == b
            || (a.canonicalize().ok().is_some() && a.canonicalize().ok() == b.canonicalize().ok())
    };
    let of = |path: &std::path::Path| {
        found
            .iter()
            .position(|(_, r)| r.origin.as_deref().is_some_and(|o| same(o, path)))
    };
    let index = match named {
        Some(plan) => of(plan).or_else(|| found.iter().position(|(_, r)| r.origin.is_none())),
        None => last.and_then(of).or((!found.is_empty()).then_some(0)),
    }?;
    found.into_iter().nth(index)
}

/// A name for this run of the app, unique enough to keep two windows' recovery files apart.
fn session_name() -> String {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("{}-{started}", std::process::id())
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
        // Dithering hides banding in gradients, which Cutover does not draw; with a software
        // renderer it costs every pixel of every frame (`BENCHMARKS.md`, "Real frames").
        dithering: false,
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
