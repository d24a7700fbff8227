//! Editing the rollout's traffic routes: add and remove routes, the environment each fronts, its
//! router (Traffic Manager or Front Door) and settings, each region's endpoint and weight, and how
//! users move onto the lead region (blue-green, or weighted steps with their soak).

use egui::Ui;

use super::objects::Choices;
use super::widgets as w;
use crate::edit::defaults;
use crate::plan::{Id, Plan, RegionEndpoint, TrafficRoute, TrafficRouter, TrafficShift};

/// Edits `routes` (the rollout's) in place; `plan` gives new routes unique ids and their regions.
pub fn traffic_ui(ui: &mut Ui, plan: &Plan, routes: &mut Vec<TrafficRoute>, choices: &Choices) {
    w::list_heading(ui, "Traffic routes");
    ui.push_id("traffic-routes", |ui| {
        ui.indent("routes", |ui| {
            let mut remove = None;
            for (index, route) in routes.iter_mut().enumerate() {
                ui.push_id(index, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(format!("Route {}", index + 1)).strong());
                        if ui
                            .small_button(crate::app::style::REMOVE_ICON)
                            .on_hover_text("Remove route")
                            .clicked()
                        {
                            remove = Some(index);
                        }
                    });
                    route_ui(ui, route, choices);
                });
                ui.separator();
            }
            if let Some(index) = remove {
                routes.remove(index);
            }
            if ui.small_button("+ Add traffic route").clicked() {
                routes.push(defaults::traffic_route(plan));
            }
        });
    });
}

/// Edits one route.
fn route_ui(ui: &mut Ui, route: &mut TrafficRoute, choices: &Choices) {
    let mut id = route.id.as_str().to_owned();
    if w::text(ui, "Id", &mut id).changed() {
        route.id = Id::new(id);
    }
    w::text(ui, "Name", &mut route.name);
    w::reference(
        ui,
        "Environment",
        &mut route.environment,
        &choices.environments,
    );
    router_ui(ui, &mut route.router);
    endpoints_ui(ui, &mut route.endpoints, choices);
    shift_ui(ui, &mut route.shift);
}

/// The router: its kind, then its names (and Traffic Manager's DNS TTL).
fn router_ui(ui: &mut Ui, router: &mut TrafficRouter) {
    let front_door = matches!(router, TrafficRouter::FrontDoor { .. });
    let mut chosen = front_door;
    w::choice(
        ui,
        "Router",
        &mut chosen,
        &[(false, "Azure Traffic Manager"), (true, "Azure Front Door")],
    );
    if chosen != front_door {
        *router = defaults::traffic_router(chosen);
    }
    match router {
        TrafficRouter::TrafficManager {
            resource_group,
            profile,
            dns_ttl_seconds,
        } => {
            w::text(ui, "Resource group", resource_group);
            w::text(ui, "Profile", profile);
            w::number(ui, "DNS TTL", dns_ttl_seconds, " s", 0..=86_400);
        }
        TrafficRouter::FrontDoor {
            resource_group,
            profile,
            origin_group,
        } => {
            w::text(ui, "Resource group", resource_group);
            w::text(ui, "Profile", profile);
            w::text(ui, "Origin group", origin_group);
        }
    }
}

/// Each region's endpoint or origin: the region, the name, the weight outside a release.
fn endpoints_ui(ui: &mut Ui, endpoints: &mut Vec<RegionEndpoint>, choices: &Choices) {
    w::list_heading(ui, "Endpoints");
    ui.push_id("endpoints", |ui| {
        ui.indent("endpoints", |ui| {
            let mut remove = None;
            for (index, endpoint) in endpoints.iter_mut().enumerate() {
                ui.push_id(index, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(format!("Endpoint {}", index + 1));
                        if ui
                            .small_button(crate::app::style::REMOVE_ICON)
                            .on_hover_text("Remove endpoint")
                            .clicked()
                        {
                            remove = Some(index);
                        }
                    });
                    w::reference(ui, "Region", &mut endpoint.region, &choices.regions);
                    w::text(ui, "Endpoint name", &mut endpoint.endpoint);
                    w::number(ui, "Weight", &mut endpoint.weight, "", 0..=1_000);
                });
            }
            if let Some(index) = remove {
                endpoints.remove(index);
            }
            if ui.small_button("+ Add endpoint").clicked() {
                let region = choices
                    .regions
                    .iter()
                    .find(|c| !endpoints.iter().any(|e| e.region == *c.id))
                    .or(choices.regions.first())
                    .map_or_else(|| Id::new(""), |c| c.id.clone());
                endpoints.push(defaults::traffic_endpoint(&region));
            }
        });
    });
}

/// How users move onto the lead region: blue-green, or weighted steps with their soak.
fn shift_ui(ui: &mut Ui, shift: &mut TrafficShift) {
    let weighted = matches!(shift, TrafficShift::Weighted { .. });
    let mut chosen = weighted;
    w::choice(
        ui,
        "Users move",
        &mut chosen,
        &[
            (false, "all at once (blue-green)"),
            (true, "in weighted steps"),
        ],
    );
    if chosen != weighted {
        *shift = if chosen {
            TrafficShift::Weighted {
                steps: vec![10, 50],
                soak_minutes: 10,
            }
        } else {
            TrafficShift::BlueGreen
        };
    }
    if let TrafficShift::Weighted {
        steps,
        soak_minutes,
    } = shift
    {
        w::number(ui, "Hold each step", soak_minutes, " min", 0..=360);
        w::percent_list(ui, "Lead region's shares", steps, |steps| {
            steps.last().map_or(10, |last| (last + 10).min(99))
        });
    }
}
