//! Traffic routes: each fronts an environment the release deploys to, with at least two regions (so
//! there is an old side to switch back to), one endpoint per region, weighted steps that increase,
//! and waits and weights the router and a job allow. WebSocket services behind a switch need
//! connection draining, as behind a slot swap.

use std::collections::BTreeSet;

use super::environments::MAX_WINDOW_MINUTES;
use super::{Context, with_article};
use crate::analysis::{Code, Diagnostic};
use crate::plan::{ObjectRef, Plan, TrafficRoute, TrafficShift};

/// The weights Traffic Manager and Front Door accept for an endpoint or origin.
pub(crate) const WEIGHTS: std::ops::RangeInclusive<u32> = 1..=1_000;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for route in &plan.rollout.traffic {
        let mut report = |code: Code, message: String, fix: &str| {
            out.push(Diagnostic::new(
                code,
                ObjectRef::Rollout,
                format!("traffic route `{}`: {message}", route.id),
                fix,
            ));
        };
        placement(plan, route, &mut report);
        shift(route, &mut report);
        router(plan, route, &mut report);
        websockets(plan, route, &mut report);
    }
}

/// The route's environment is one the release deploys to, with two regions or more, each with one
/// endpoint.
fn placement(plan: &Plan, route: &TrafficRoute, report: &mut impl FnMut(Code, String, &str)) {
    let Some(environment) = plan.environment(&route.environment) else {
        report(
            Code::MissingReference,
            format!(
                "fronts environment `{}`, which the plan does not have",
                route.environment
            ),
            "choose one of the plan's environments",
        );
        return;
    };
    if !plan.promotion_path().iter().any(|e| e.id == environment.id) {
        report(
            Code::TrafficRouteUnplaced,
            format!(
                "fronts `{}`, which the release does not deploy to",
                environment.id
            ),
            "choose the rollout environment or one it promotes through",
        );
        return;
    }
    let regions = plan.regions_of(environment);
    if regions.len() < 2 {
        report(
            Code::TrafficRouteUnplaced,
            format!(
                "`{}` runs in {} region(s): switching traffic between regions needs two, so one keeps the old version",
                environment.id,
                regions.len()
            ),
            "give the environment a second region, or remove the route",
        );
        return;
    }
    for region in &regions {
        let count = route
            .endpoints
            .iter()
            .filter(|e| e.region == region.id)
            .count();
        if count != 1 {
            report(
                Code::TrafficEndpointsMismatch,
                format!(
                    "names {count} endpoints for region `{}`, which needs exactly one",
                    region.id
                ),
                "give each of the environment's regions one endpoint or origin",
            );
        }
    }
    for endpoint in &route.endpoints {
        if !regions.iter().any(|r| r.id == endpoint.region) {
            report(
                Code::TrafficEndpointsMismatch,
                format!(
                    "names an endpoint for region `{}`, which `{}` does not run in",
                    endpoint.region, environment.id
                ),
                "remove the endpoint, or add the region to the environment",
            );
        }
    }
    let mut names = BTreeSet::new();
    for endpoint in &route.endpoints {
        if !names.insert(endpoint.endpoint.to_ascii_lowercase()) {
            report(
                Code::TrafficEndpointsMismatch,
                format!(
                    "names endpoint `{}` for more than one region",
                    endpoint.endpoint
                ),
                "give each region its own endpoint or origin",
            );
        }
    }
}

/// Weighted steps increase within 1–99 % and each is held for a time a job can wait.
fn shift(route: &TrafficRoute, report: &mut impl FnMut(Code, String, &str)) {
    let TrafficShift::Weighted {
        steps,
        soak_minutes,
    } = &route.shift
    else {
        return;
    };
    if steps.is_empty() {
        report(
            Code::TrafficStepsInvalid,
            "moves traffic in weighted steps but names none".to_owned(),
            "list the lead region's shares before it takes all users, such as [10, 50], or switch blue-green",
        );
    }
    if steps.iter().any(|p| !(1..=99).contains(p)) || steps.windows(2).any(|w| w[0] >= w[1]) {
        report(
            Code::TrafficStepsInvalid,
            format!("steps {steps:?} are not increasing shares from 1 to 99 %"),
            "list increasing percentages below 100; the release gives the region all users after the last one",
        );
    }
    if *soak_minutes == 0 || *soak_minutes > MAX_WINDOW_MINUTES {
        report(
            Code::TrafficStepsInvalid,
            format!("holds each step {soak_minutes} minutes, outside 1–{MAX_WINDOW_MINUTES}"),
            "hold each step long enough to see the new version under load, within one job's time",
        );
    }
}

/// The DNS TTL and draining fit in one job, and weights are ones the router accepts.
fn router(plan: &Plan, route: &TrafficRoute, report: &mut impl FnMut(Code, String, &str)) {
    let wait_minutes = route.switch_wait_seconds(&plan.services).div_ceil(60);
    if wait_minutes > MAX_WINDOW_MINUTES {
        report(
            Code::TrafficRouterSettingInvalid,
            format!(
                "each switch waits {wait_minutes} minutes (the DNS TTL and the longest connection draining), more than a job can wait ({MAX_WINDOW_MINUTES})"
            ),
            "lower the profile's DNS TTL (Traffic Manager allows 0 and up) or the services' draining timeouts",
        );
    }
    for endpoint in &route.endpoints {
        if !WEIGHTS.contains(&endpoint.weight) {
            report(
                Code::TrafficRouterSettingInvalid,
                format!(
                    "endpoint `{}` has weight {}, outside the router's 1–1,000",
                    endpoint.endpoint, endpoint.weight
                ),
                "give every endpoint a weight from 1 to 1,000",
            );
        }
    }
}

/// WebSocket services deployed per region behind the route keep their connections on a region the
/// router no longer sends users to, and lose them when that region is deployed: they need draining.
fn websockets(plan: &Plan, route: &TrafficRoute, report: &mut impl FnMut(Code, String, &str)) {
    for service in &plan.services {
        if service.websockets
            && !service.is_global()
            && service.draining_timeout_seconds.unwrap_or(0) == 0
        {
            report(
                Code::WebSocketWithoutDraining,
                format!(
                    "`{}` serves WebSockets behind {} switch with no connection draining: connections on a region taken out of rotation are cut when it is deployed",
                    service.id,
                    with_article(route.router.label())
                ),
                "set a draining timeout, so the release waits for connections to move before deploying, and make sure clients reconnect with backoff",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{clean_plan, findings, none, single};
    use crate::analysis::Code;
    use crate::plan::{
        Id, Plan, Region, RegionEndpoint, TrafficRoute, TrafficRouter, TrafficShift,
    };

    /// The clean plan with two regions and a blue-green Traffic Manager route in production.
    fn routed() -> Plan {
        let mut plan = clean_plan();
        plan.regions.push(Region {
            id: Id::new("westus"),
            name: "West US".to_owned(),
            location: "westus".to_owned(),
            validation_minutes: 15,
        });
        let endpoints = plan
            .regions
            .iter()
            .map(|r| RegionEndpoint {
                region: r.id.clone(),
                endpoint: format!("app-{}", r.id),
                weight: 1,
            })
            .collect();
        plan.rollout.traffic.push(TrafficRoute {
            id: Id::new("edge"),
            name: "Edge".to_owned(),
            environment: Id::new("production"),
            router: TrafficRouter::TrafficManager {
                resource_group: "rg-edge".to_owned(),
                profile: "edge".to_owned(),
                dns_ttl_seconds: 60,
            },
            endpoints,
            shift: TrafficShift::BlueGreen,
        });
        plan
    }

    #[test]
    fn a_route_over_two_regions_with_an_endpoint_each_is_clean() {
        let plan = routed();
        for code in [
            Code::TrafficRouteUnplaced,
            Code::TrafficEndpointsMismatch,
            Code::TrafficStepsInvalid,
            Code::TrafficRouterSettingInvalid,
            Code::MissingReference,
            Code::InvalidSetting,
        ] {
            none(&plan, code);
        }
    }

    #[test]
    fn a_route_needs_an_environment_the_release_reaches_with_two_regions() {
        let mut plan = routed();
        plan.regions.pop();
        plan.rollout.traffic[0].endpoints.pop();
        single(&plan, Code::TrafficRouteUnplaced);
        let mut plan = routed();
        plan.rollout.traffic[0].environment = Id::new("hotfix");
        single(&plan, Code::TrafficRouteUnplaced);
        let mut plan = routed();
        plan.rollout.traffic[0].environment = Id::new("nowhere");
        single(&plan, Code::MissingReference);
    }

    #[test]
    fn every_region_needs_exactly_one_endpoint_of_its_own() {
        let mut plan = routed();
        plan.rollout.traffic[0].endpoints.pop();
        single(&plan, Code::TrafficEndpointsMismatch);
        let mut plan = routed();
        let extra = RegionEndpoint {
            region: Id::new("mars"),
            endpoint: "app-mars".to_owned(),
            weight: 1,
        };
        plan.rollout.traffic[0].endpoints.push(extra);
        single(&plan, Code::TrafficEndpointsMismatch);
        let mut plan = routed();
        plan.rollout.traffic[0].endpoints[1].endpoint = "APP-EASTUS".to_owned();
        single(&plan, Code::TrafficEndpointsMismatch);
    }

    #[test]
    fn weighted_steps_increase_below_one_hundred_and_soak_within_a_job() {
        let with = |steps: Vec<u32>, soak_minutes: u32| {
            let mut plan = routed();
            plan.rollout.traffic[0].shift = TrafficShift::Weighted {
                steps,
                soak_minutes,
            };
            findings(&plan, Code::TrafficStepsInvalid).len()
        };
        assert_eq!(with(vec![10, 50], 15), 0);
        assert_eq!(with(vec![99], 340), 0);
        assert_eq!(with(Vec::new(), 15), 1);
        assert_eq!(with(vec![50, 10], 15), 1);
        assert_eq!(with(vec![10, 10], 15), 1);
        assert_eq!(with(vec![10, 100], 15), 1);
        assert_eq!(with(vec![0], 15), 1);
        assert_eq!(with(vec![10], 0), 1);
        assert_eq!(with(vec![10], 341), 1);
    }

    #[test]
    fn a_switch_waits_within_a_job_and_weights_are_the_routers() {
        let mut plan = routed();
        let draining = plan
            .services
            .iter()
            .filter_map(|s| s.draining_timeout_seconds)
            .max()
            .unwrap_or(0);
        plan.rollout.traffic[0].router = TrafficRouter::TrafficManager {
            resource_group: "rg".to_owned(),
            profile: "p".to_owned(),
            dns_ttl_seconds: 340 * 60 - draining,
        };
        none(&plan, Code::TrafficRouterSettingInvalid);
        for service in &mut plan.services {
            service.draining_timeout_seconds = Some(draining + 1);
        }
        single(&plan, Code::TrafficRouterSettingInvalid);
        let mut plan = routed();
        plan.rollout.traffic[0].endpoints[0].weight = 0;
        plan.rollout.traffic[0].endpoints[1].weight = 1_001;
        assert_eq!(findings(&plan, Code::TrafficRouterSettingInvalid).len(), 2);
    }

    #[test]
    fn router_names_are_plain_azure_names() {
        let mut plan = routed();
        plan.rollout.traffic[0].endpoints[0].endpoint = "app {region}".to_owned();
        single(&plan, Code::InvalidSetting);
        let mut plan = routed();
        plan.rollout.traffic[0].router = TrafficRouter::FrontDoor {
            resource_group: "rg".to_owned(),
            profile: "fd".to_owned(),
            origin_group: "-bad".to_owned(),
        };
        single(&plan, Code::InvalidSetting);
    }

    #[test]
    fn websocket_services_behind_a_switch_need_draining() {
        let mut plan = routed();
        let api = plan
            .services
            .iter()
            .position(|s| s.id.as_str() == "api")
            .expect("the starter has an api");
        plan.services[api].websockets = true;
        plan.services[api].draining_timeout_seconds = None;
        let found = findings(&plan, Code::WebSocketWithoutDraining);
        assert!(
            found.iter().any(|d| d.message.contains("traffic route")),
            "{found:#?}"
        );
        plan.services[api].draining_timeout_seconds = Some(30);
        none(&plan, Code::WebSocketWithoutDraining);
    }
}
