//! The Rehearse… window: choose a fault (or none) among the plan's services, places, approvals and
//! migrations, rehearse a fresh export of the plan on a worker thread, and see, per pipeline,
//! platform and scenario, a Gantt-style timeline grouped by region (the wave jobs among them) with
//! the failing job and the rollback path highlighted, the final estate, and the verdicts. Clicking a
//! bar shows that job in the export preview.
//!
//! The rehearsal itself is [`crate::rehearse`]; the window only chooses what to run, runs it off the
//! UI thread (a rehearsal takes seconds) and shows the result.

use std::sync::mpsc::{self, Receiver, TryRecvError};

use egui::{Color32, RichText, Sense, Ui};

use super::document::{Document, Revision};
use super::message::Message;
use crate::export::{Target, export};
use crate::plan::Plan;
use crate::rehearse::engine::{Entry, Outcome};
use crate::rehearse::model::Platform;
use crate::rehearse::scenario::{self, Fault};
use crate::rehearse::{self, Options, Rehearsal, Repository, ScenarioResult};

/// Width of the job names in front of the bars.
const NAME_WIDTH: f32 = 300.0;
/// The room the fault choice leaves on its row for the Run button and the progress beside it.
const BESIDE_THE_FAULT: f32 = 240.0;
/// Height of one bar.
const BAR_HEIGHT: f32 = 14.0;
/// Colour of a job that succeeded.
const SUCCEEDED: Color32 = Color32::from_rgb(70, 150, 95);
/// Colour of the failing job.
const FAILED: Color32 = Color32::from_rgb(210, 70, 60);
/// Colour of the rollback path.
const ROLLBACK: Color32 = Color32::from_rgb(225, 150, 30);
/// Colour of a job that did not run.
const SKIPPED: Color32 = Color32::from_rgb(140, 140, 140);

/// What a rehearsal on the worker thread sends back.
type Answer = Result<Rehearsal, String>;

/// The state of the Rehearse… window.
#[derive(Default)]
pub struct RehearsePanel {
    open: bool,
    /// The fault chosen: an index into [`fault_choices`], `None` for the happy path.
    choice: Option<usize>,
    /// The choices, for the plan they were made for.
    choices: Vec<Fault>,
    choices_for: Option<Revision>,
    job: Option<Receiver<Answer>>,
    answer: Option<Answer>,
    /// The scenario result shown.
    shown: usize,
    /// The job clicked last.
    clicked: Option<String>,
}

/// Every single fault the plan's release allows, to choose from: health, deploy and transient
/// faults of each service at each place, the approvals of the release, each migration phase.
pub fn fault_choices(plan: &Plan) -> Vec<Fault> {
    let Some(release) = rehearse::pipelines(plan).into_iter().next() else {
        return Vec::new();
    };
    let approvals = plan
        .promotion_path()
        .iter()
        .filter(|e| e.approval.is_some())
        .count()
        + usize::from(plan.migrations.iter().any(|m| !m.contract.is_empty()));
    scenario::single_faults(plan, &release.services, &release.places, true, approvals)
        .into_iter()
        .filter_map(|s| s.faults.into_iter().next())
        .collect()
}

/// Exports `plan` and rehearses the export in the scenario `fault` (or the happy path), on both
/// platforms.
fn rehearse_plan(plan: &Plan, fault: Option<Fault>) -> Answer {
    let export = export(plan, Target::All).map_err(|e| e.to_string())?;
    let repo = Repository::from_export(&export);
    let selection = match fault {
        None => rehearse::Selection::HappyPath,
        Some(fault) => rehearse::Selection::Faults(vec![fault]),
    };
    let options = Options {
        selection,
        ..Options::default()
    };
    rehearse::rehearse(plan, &repo, &options).map_err(|e| e.to_string())
}

impl RehearsePanel {
    /// Opens the window.
    pub fn open(&mut self) {
        self.open = true;
    }

    /// Whether the window is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Whether a rehearsal is running.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The last rehearsal, or why it could not run.
    pub fn answer(&self) -> Option<&Answer> {
        self.answer.as_ref()
    }

    /// Chooses the fault whose spec is `name` (`health:claims-api@production/eastus`); `None` or an
    /// unknown name chooses the happy path. The choices are those of the document's plan.
    pub fn choose(&mut self, document: &Document, name: Option<&str>) {
        self.refresh_choices(document);
        self.choice = name.and_then(|n| self.choices.iter().position(|f| f.to_string() == n));
    }

    /// Starts a rehearsal of the document's plan in the chosen scenario on a worker thread.
    pub fn start(&mut self, ctx: &egui::Context, document: &Document) {
        self.refresh_choices(document);
        let plan = document.plan();
        let fault = self.choice.and_then(|i| self.choices.get(i).cloned());
        let (sender, receiver) = mpsc::channel();
        let copy = plan.clone();
        let wake = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("cutover-rehearse".to_owned())
            .spawn(move || {
                // The receiver is gone only if the app closed; then nobody needs the result.
                sender.send(rehearse_plan(&copy, fault)).ok();
                wake.request_repaint();
            });
        match spawned {
            Ok(_) => self.job = Some(receiver),
            Err(_) => {
                // No thread to be had: rehearse here rather than not at all.
                let fault = self.choice.and_then(|i| self.choices.get(i).cloned());
                self.install(rehearse_plan(plan, fault));
            }
        }
    }

    fn install(&mut self, answer: Answer) {
        self.answer = Some(answer);
        self.shown = 0;
        self.clicked = None;
    }

    /// The choices of the document's plan, made again when its content changed (keeping the chosen
    /// fault when the new plan still allows it).
    fn refresh_choices(&mut self, document: &Document) {
        let revision = document.content_revision();
        if self.choices_for != Some(revision) {
            let chosen = self.choice.and_then(|i| self.choices.get(i)).cloned();
            self.choices = fault_choices(document.plan());
            self.choices_for = Some(revision);
            self.choice = chosen.and_then(|f| self.choices.iter().position(|c| *c == f));
        }
    }

    fn collect(&mut self) {
        let Some(receiver) = &self.job else {
            return;
        };
        match receiver.try_recv() {
            Ok(answer) => {
                self.job = None;
                self.install(answer);
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                self.job = None;
                self.install(Err(
                    "The rehearsal stopped unexpectedly (a bug in Cutover).".to_owned(),
                ));
            }
        }
    }

    /// Draws the window while it is open; a click on a bar becomes [`Message::RevealJob`].
    pub fn ui(&mut self, ctx: &egui::Context, document: &Document, out: &mut Vec<Message>) {
        self.collect();
        if !self.open {
            return;
        }
        let plan = document.plan();
        let mut open = true;
        let mut start = false;
        egui::Window::new("Rehearse")
            .open(&mut open)
            .default_size([960.0, 640.0])
            .vscroll(true)
            .show(ctx, |ui| {
                start = self.controls_ui(ui, document);
                ui.separator();
                self.result_ui(ui, plan, out);
            });
        // Escape closes it, as it does every other window (unless a field is being typed in).
        let escape = ctx.input(|i| i.key_pressed(egui::Key::Escape)) && !ctx.text_edit_focused();
        self.open = open && !escape;
        if start {
            self.start(ctx, document);
        }
    }

    /// The fault choice and the Run button; `true` when Run was clicked.
    fn controls_ui(&mut self, ui: &mut Ui, document: &Document) -> bool {
        self.refresh_choices(document);
        let mut run = false;
        ui.horizontal(|ui| {
            ui.label("Fault");
            let chosen = self
                .choice
                .and_then(|i| self.choices.get(i))
                .map_or_else(|| "none (happy path)".to_owned(), ToString::to_string);
            // A fault named by long ids is cut short (the list shows it whole), leaving room for
            // the button and the progress beside it.
            ui.scope(|ui| {
                ui.set_max_width((ui.available_width() - BESIDE_THE_FAULT).max(120.0));
                egui::ComboBox::from_id_salt("rehearse-fault")
                    .selected_text(chosen)
                    .width(360.0_f32.min(ui.available_width()))
                    .truncate()
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.choice, None, "none (happy path)");
                        for (index, fault) in self.choices.iter().enumerate() {
                            ui.selectable_value(&mut self.choice, Some(index), fault.to_string());
                        }
                    });
            });
            let button = ui.add_enabled(!self.is_running(), egui::Button::new("Run rehearsal"));
            run = button
                .on_hover_text("Export the plan and rehearse it on both platforms")
                .clicked();
            if self.is_running() {
                ui.spinner();
                ui.label("rehearsing…");
            }
        });
        run
    }

    fn result_ui(&mut self, ui: &mut Ui, plan: &Plan, out: &mut Vec<Message>) {
        let rehearsal = match &self.answer {
            None => {
                ui.weak("Choose a fault, or none, and run the rehearsal.");
                return;
            }
            Some(Err(error)) => {
                ui.colored_label(ui.visuals().error_fg_color, error);
                return;
            }
            Some(Ok(rehearsal)) => rehearsal,
        };
        if rehearsal.results.is_empty() {
            ui.label("No pipeline runs in this scenario.");
            return;
        }
        let failed = rehearsal
            .results
            .iter()
            .flat_map(|r| &r.verdicts)
            .chain(rehearsal.parity.iter().map(|(_, _, v)| v))
            .filter(|v| !v.holds)
            .count();
        ui.label(format!(
            "{} runs; {}",
            rehearsal.results.len(),
            if failed == 0 {
                "every verdict holds".to_owned()
            } else {
                format!("{failed} verdicts fail")
            }
        ));
        let shown = self.shown.min(rehearsal.results.len() - 1);
        egui::ComboBox::from_id_salt("rehearse-run")
            .selected_text(run_title(&rehearsal.results[shown]))
            .width(480.0_f32.min(ui.available_width()))
            .truncate()
            .show_ui(ui, |ui| {
                for (index, result) in rehearsal.results.iter().enumerate() {
                    ui.selectable_value(&mut self.shown, index, run_title(result));
                }
            });
        let result = &rehearsal.results[self.shown.min(rehearsal.results.len() - 1)];
        ui.heading("Timeline");
        if let Some(path) = gantt_ui(ui, plan, result, self.clicked.as_deref()) {
            out.push(reveal(plan, result, &path));
            self.clicked = Some(path);
        }
        ui.heading("Estate");
        estate_ui(ui, result);
        ui.heading("Verdicts");
        verdicts_ui(ui, rehearsal, result);
    }
}

/// "release · GitHub · happy path", and whether its verdicts hold.
fn run_title(result: &ScenarioResult) -> String {
    let holds = result.verdicts.iter().all(|v| v.holds);
    format!(
        "{} · {} · {} — {}",
        result.pipeline,
        result.platform.name(),
        result.scenario.name(),
        if holds { "ok" } else { "FAIL" }
    )
}

/// The message that shows the job at `path` of `result` in the preview: the pipeline's file, found
/// at the job's (GitHub) or stage's (Azure) definition.
fn reveal(plan: &Plan, result: &ScenarioResult, path: &str) -> Message {
    let top = path.split('/').next().unwrap_or(path);
    let file = rehearse::pipelines(plan)
        .into_iter()
        .find(|p| p.name == result.pipeline)
        .map(|p| p.file(result.platform))
        .unwrap_or_default();
    let find = match result.platform {
        Platform::GitHub => format!("  {top}:"),
        Platform::Azure => format!("stage: {top}"),
    };
    Message::RevealJob { file, find }
}

/// The region a job belongs to: the first region of the plan its path names, or `None`.
fn region_of<'p>(plan: &'p Plan, path: &str) -> Option<&'p str> {
    plan.regions
        .iter()
        .map(|r| r.id.as_str())
        .find(|id| path.contains(&id.replace('-', "_")))
}

/// Whether a job is on the rollback path.
fn is_rollback(entry: &Entry) -> bool {
    entry.path.contains("rollback")
}

/// The timeline's jobs grouped by region in rollout order (jobs of no region first), each group in
/// start order with the jobs that did not run last.
fn gantt_groups<'r>(plan: &Plan, result: &'r ScenarioResult) -> Vec<(String, Vec<&'r Entry>)> {
    let mut groups: Vec<(String, Vec<&Entry>)> = Vec::new();
    let names = std::iter::once(None).chain(plan.regions.iter().map(|r| Some(r.id.as_str())));
    for region in names {
        let mut entries: Vec<&Entry> = result
            .rehearsed
            .timeline
            .iter()
            .filter(|e| e.job && region_of(plan, &e.path) == region)
            .collect();
        entries.sort_by_key(|e| (e.start.is_none(), e.start, e.end));
        if !entries.is_empty() {
            groups.push((region.unwrap_or("pipeline").to_owned(), entries));
        }
    }
    groups
}

/// Draws the Gantt chart; returns the path of a job whose bar was clicked.
fn gantt_ui(
    ui: &mut Ui,
    plan: &Plan,
    result: &ScenarioResult,
    clicked: Option<&str>,
) -> Option<String> {
    let total = result
        .rehearsed
        .timeline
        .iter()
        .filter_map(|e| e.end)
        .max()
        .unwrap_or(0)
        .max(60) as f32;
    ui.weak(format!(
        "{:.0} virtual minutes; red: failed, orange: rollback path, grey: did not run. Click a bar to see the job in the preview.",
        total / 60.0
    ));
    let mut hit = None;
    for (region, entries) in gantt_groups(plan, result) {
        ui.label(RichText::new(region).strong());
        for entry in entries {
            if bar_ui(ui, entry, total, clicked == Some(entry.path.as_str())) {
                hit = Some(entry.path.clone());
            }
        }
    }
    hit
}

/// One row: the job's name and its bar; `true` when clicked.
fn bar_ui(ui: &mut Ui, entry: &Entry, total: f32, selected: bool) -> bool {
    let width = (ui.available_width() - NAME_WIDTH).max(120.0);
    let (row, response) = ui.allocate_exact_size(
        egui::vec2(NAME_WIDTH + width, BAR_HEIGHT + 2.0),
        Sense::click(),
    );
    let colour = match entry.outcome {
        _ if is_rollback(entry) && entry.start.is_some() => ROLLBACK,
        Outcome::Failed | Outcome::Canceled => FAILED,
        Outcome::Skipped => SKIPPED,
        _ if is_rollback(entry) => ROLLBACK,
        _ => SUCCEEDED,
    };
    let painter = ui.painter_at(row);
    let text_colour = ui.visuals().text_color();
    painter.text(
        row.left_center(),
        egui::Align2::LEFT_CENTER,
        &entry.path,
        egui::FontId::proportional(12.0),
        text_colour,
    );
    let x = |seconds: u64| row.left() + NAME_WIDTH + seconds as f32 / total * width;
    let bar = match (entry.start, entry.end) {
        (Some(start), Some(end)) => egui::Rect::from_min_max(
            egui::pos2(x(start), row.top() + 1.0),
            egui::pos2(x(end).max(x(start) + 3.0), row.bottom() - 1.0),
        ),
        _ => egui::Rect::from_min_size(
            egui::pos2(row.left() + NAME_WIDTH, row.center().y - 1.0),
            egui::vec2(width, 2.0),
        ),
    };
    painter.rect_filled(bar, 2.0, colour);
    if selected {
        painter.rect_stroke(
            bar.expand(1.5),
            2.0,
            egui::Stroke::new(2.0, text_colour),
            egui::StrokeKind::Outside,
        );
    }
    let mut tip = format!("{} — {:?}", entry.path, entry.outcome);
    if let (Some(start), Some(end)) = (entry.start, entry.end) {
        tip.push_str(&format!(
            ", {:.1} to {:.1} min",
            start as f32 / 60.0,
            end as f32 / 60.0
        ));
    }
    if !entry.note.is_empty() {
        tip.push_str(&format!("\n{}", entry.note));
    }
    let label = entry.path.clone();
    response.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Button, true, &label));
    response.on_hover_text(tip).clicked()
}

fn estate_ui(ui: &mut Ui, result: &ScenarioResult) {
    egui::Grid::new("rehearse-estate")
        .striped(true)
        .show(ui, |ui| {
            ui.strong("service × place");
            ui.strong("ends on");
            ui.end_row();
            for row in rehearse::report::estate_rows(&result.rehearsed.estate, &result.places) {
                ui.monospace(row.label);
                ui.label(row.state);
                ui.end_row();
            }
        });
}

fn verdicts_ui(ui: &mut Ui, rehearsal: &Rehearsal, result: &ScenarioResult) {
    let parity = rehearsal
        .parity
        .iter()
        .filter(|(pipeline, scenario, _)| {
            *pipeline == result.pipeline && *scenario == result.scenario.name()
        })
        .map(|(_, _, v)| v);
    for verdict in result.verdicts.iter().chain(parity) {
        ui.horizontal_wrapped(|ui| {
            let (word, colour) = if verdict.holds {
                ("ok", SUCCEEDED)
            } else {
                ("FAIL", FAILED)
            };
            ui.label(RichText::new(word).strong().color(colour));
            ui.monospace(verdict.name);
            ui.label(&verdict.detail);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choices_cover_services_places_approvals_and_migrations() {
        let plan = crate::plan::templates::by_name("meridian", "meridian-claims")
            .unwrap()
            .unwrap();
        let names: Vec<String> = fault_choices(&plan)
            .iter()
            .map(ToString::to_string)
            .collect();
        for expected in [
            "health:claims-api@production/eastus",
            "deploy:claims-portal@production/eastus",
            "approval:1:reject",
            "approval:2:timeout",
            "expand:claim-status",
            "contract:claim-status",
        ] {
            assert!(
                names.iter().any(|n| n == expected),
                "{expected} in {names:?}"
            );
        }
    }
}
