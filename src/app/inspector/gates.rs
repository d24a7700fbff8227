//! Editing the rollout's quality gates: add and remove gates, where each applies, what it checks
//! (Azure Monitor alerts, a SonarQube quality gate, a REST check), its timing and what a failure does.

use egui::Ui;

use super::objects::Choices;
use super::widgets as w;
use crate::edit::defaults;
use crate::plan::{GateCheck, GateCheckKind, GateFailure, GateScope, Id, Plan, QualityGate};

/// Edits `gates` (the rollout's) in place; `plan` gives new gates unique ids.
pub fn gates_ui(ui: &mut Ui, plan: &Plan, gates: &mut Vec<QualityGate>, choices: &Choices) {
    w::list_heading(ui, "Quality gates");
    ui.push_id("quality-gates", |ui| {
        ui.indent("gates", |ui| {
            let mut remove = None;
            for (index, gate) in gates.iter_mut().enumerate() {
                ui.push_id(index, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(format!("Gate {}", index + 1)).strong());
                        if ui
                            .small_button(crate::app::style::REMOVE_ICON)
                            .on_hover_text("Remove gate")
                            .clicked()
                        {
                            remove = Some(index);
                        }
                    });
                    gate_ui(ui, gate, choices);
                });
                ui.separator();
            }
            if let Some(index) = remove {
                gates.remove(index);
            }
            if ui.small_button("+ Add quality gate").clicked() {
                gates.push(defaults::quality_gate(plan));
            }
        });
    });
}

/// Edits one gate.
fn gate_ui(ui: &mut Ui, gate: &mut QualityGate, choices: &Choices) {
    let mut id = gate.id.as_str().to_owned();
    if w::text(ui, "Id", &mut id).changed() {
        gate.id = Id::new(id);
    }
    w::text(ui, "Name", &mut gate.name);
    scope_ui(ui, &mut gate.applies_to, choices);
    check_ui(ui, &mut gate.check);
    w::number(ui, "Timeout", &mut gate.timeout_minutes, " min", 0..=360);
    w::number(ui, "Poll every", &mut gate.interval_seconds, " s", 0..=3600);
    w::choice(
        ui,
        "When it fails",
        &mut gate.on_failure,
        &[
            (GateFailure::RollBack, "fail and roll back"),
            (GateFailure::Stop, "fail and stop"),
        ],
    );
}

/// The kinds of scope, for the picker.
#[derive(Clone, Copy, PartialEq)]
enum ScopeKind {
    Release,
    Service,
    Region,
}

/// Where the gate applies: the kind of scope, then the service or region.
fn scope_ui(ui: &mut Ui, scope: &mut GateScope, choices: &Choices) {
    let kind = match scope {
        GateScope::Release => ScopeKind::Release,
        GateScope::Service(_) => ScopeKind::Service,
        GateScope::Region(_) => ScopeKind::Region,
    };
    let mut chosen = kind;
    w::choice(
        ui,
        "Applies to",
        &mut chosen,
        &[
            (ScopeKind::Release, "the whole release"),
            (ScopeKind::Service, "a service"),
            (ScopeKind::Region, "a region"),
        ],
    );
    if chosen != kind {
        let first = |list: &[w::Choice]| list.first().map_or_else(|| Id::new(""), |c| c.id.clone());
        *scope = match chosen {
            ScopeKind::Service => GateScope::Service(first(&choices.services)),
            ScopeKind::Region => GateScope::Region(first(&choices.regions)),
            ScopeKind::Release => GateScope::Release,
        };
    }
    match scope {
        GateScope::Release => {}
        GateScope::Service(service) => {
            w::reference(ui, "Service", service, &choices.services);
        }
        GateScope::Region(region) => {
            w::reference(ui, "Region", region, &choices.regions);
        }
    }
}

/// What the gate checks: the kind of check, then its settings.
fn check_ui(ui: &mut Ui, check: &mut GateCheck) {
    let kind = check.kind();
    let mut chosen = kind;
    let options = GateCheckKind::ALL.map(|k| (k, k.label()));
    w::choice(ui, "Check", &mut chosen, &options);
    if chosen != kind {
        *check = defaults::gate_check(chosen);
    }
    match check {
        GateCheck::AzureMonitorAlerts { scope, alert_rules } => {
            w::text(ui, "Alerts scope", scope);
            w::string_list(ui, "Alert rules", alert_rules, "alert-rule");
        }
        GateCheck::SonarQube {
            server_url,
            project_key,
            token_secret,
        } => {
            w::text(ui, "Server URL", server_url);
            w::text(ui, "Project key", project_key);
            w::text(ui, "Token secret", token_secret);
        }
        GateCheck::Rest {
            url,
            expected_status,
            json_path,
            json_equals,
        } => {
            w::text(ui, "URL", url);
            w::number(ui, "Expected status", expected_status, "", 100..=599);
            w::text(ui, "JSON path", json_path);
            w::text(ui, "JSON value", json_equals);
        }
    }
}
