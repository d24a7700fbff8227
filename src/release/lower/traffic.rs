//! Traffic between regions: the stages that move users with Azure Traffic Manager or Front Door as
//! the release reaches each region of a routed environment.
//!
//! The environment's lead region (the first the release deploys there) is taken out of rotation
//! before anything is deployed to it, then, once deployed, given the users: in weighted steps, each
//! held for its soak with the region's quality gates checked beside it, and then all at once (the
//! other regions, still on the old version, leave rotation and wait as the way back). Every later
//! region is deployed while out of rotation and put back in once deployed. Each change waits out the
//! router's DNS TTL and the longest connection draining, so the validation window that follows sees
//! users on the new side. When a change or a gate of a region fails, a last stage switches back —
//! the old side in, the failed region out — before the region's deployments are rolled back.

use super::gates::{BlockEnd, GateIds};
use super::{Stages, plain_job, retry_backoff_minutes, retry_env, text};
use crate::plan::{Id, Plan, RegionEndpoint, TrafficRoute, TrafficRouter, TrafficShift};
use crate::release::ir::{Job, RunsWhen, StageRole, Step, Value, Work};
use crate::release::library::LibraryCommand;

/// Minutes a traffic change may wait for the router to see the endpoints it enabled as healthy.
pub const ROUTER_HEALTH_MINUTES: u32 = 10;
/// Minutes a traffic job takes beyond its waits (sign-in, the router's calls and their retries).
const TRAFFIC_JOB_SLACK_MINUTES: u32 = 10;
/// The largest weight Traffic Manager and Front Door accept.
const MAX_WEIGHT: f64 = 1_000.0;

/// One router's part at one place: the route, and whether the place is the environment's lead.
#[derive(Clone, Copy)]
pub(super) struct RouteAt<'p> {
    /// The route.
    pub route: &'p TrafficRoute,
    /// The place's region, which the route has an endpoint for.
    pub region: &'p Id,
    /// Whether this is the first region the release deploys in the route's environment.
    pub lead: bool,
}

/// The routes in front of `region` of `environment`; `lead` says whether the release has deployed no
/// other region of the environment yet.
pub(super) fn routes_at<'p>(
    plan: &'p Plan,
    environment: &Id,
    region: Option<&Id>,
    lead: bool,
) -> Vec<RouteAt<'p>> {
    let Some(region) = region else {
        return Vec::new();
    };
    plan.rollout
        .traffic
        .iter()
        .filter(|route| &route.environment == environment)
        .filter_map(|route| {
            let endpoint = route.endpoints.iter().find(|e| &e.region == region)?;
            Some(RouteAt {
                route,
                region: &endpoint.region,
                lead,
            })
        })
        .collect()
}

/// One endpoint's new state in a change: in rotation with a weight (or its weight left alone), or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rotation {
    /// In rotation; `Some(weight)` also sets its weight.
    In(Option<u32>),
    /// Out of rotation.
    Out,
}

/// One change of the router: endpoints in the order the router is told (those put in rotation first,
/// so users always have a region to go to).
struct Change<'p> {
    endpoints: Vec<(&'p RegionEndpoint, Rotation)>,
}

impl Change<'_> {
    /// The change as the library reads it: one `NAME in|out WEIGHT` line per endpoint (`-` leaves the
    /// weight). Endpoint names are plain Azure names (CUT099), so a line splits on spaces.
    fn lines(&self) -> String {
        self.endpoints
            .iter()
            .map(|(endpoint, rotation)| match rotation {
                Rotation::In(Some(weight)) => format!("{} in {weight}", endpoint.endpoint),
                Rotation::In(None) => format!("{} in -", endpoint.endpoint),
                Rotation::Out => format!("{} out -", endpoint.endpoint),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What the traffic stages of one place added, for the switch back and the rollback after them.
#[derive(Default)]
pub(super) struct PlaceTraffic {
    /// The stages that moved users onto the place (weighted steps and switches): their failure
    /// switches back and rolls the place back.
    pub changes: Vec<String>,
    /// The gates checked beside the weighted steps' soaks.
    pub step_gates: Vec<String>,
    /// The step gates whose failure rolls the place back.
    pub step_gates_rolling_back: Vec<String>,
}

/// The stage taking `at`'s region out of rotation before anything is deployed to it, waiting for
/// `wait`; only the lead region needs it (the lead's switch takes the others out).
pub(super) fn drain_stage(
    plan: &Plan,
    at: RouteAt<'_>,
    block: &BlockEnd<'_>,
    wait: Vec<String>,
    stages: &mut Stages,
) -> String {
    let route = at.route;
    let change = old_side_only(route, at.region);
    let title = format!(
        "Traffic: take {} out of {} before deploying it",
        region_title(plan, at.region),
        route.name
    );
    push(
        plan,
        route,
        &change,
        TrafficStage {
            role: StageRole::TrafficDrain,
            parts: &["traffic", "drain", route.id.as_str()],
            title,
        },
        block,
        wait,
        stages,
    )
}

/// Adds the region's gates beside one weighted step's soak, each waiting for the step (`wait`); the
/// step's number is the suffix of their ids.
pub(super) type StepGates<'a> = dyn FnMut(&mut Stages, &[String], &str) -> GateIds + 'a;

/// The stages moving users onto `at`'s region once it is deployed, the first waiting for `wait`;
/// returns what the validation window and the region's gates wait for.
pub(super) fn shift_stages(
    plan: &Plan,
    at: RouteAt<'_>,
    block: &BlockEnd<'_>,
    wait: Vec<String>,
    stages: &mut Stages,
    traffic: &mut PlaceTraffic,
    step_gates: &mut StepGates<'_>,
) -> Vec<String> {
    let route = at.route;
    let region = region_title(plan, at.region);
    let mut wait = wait;
    if at.lead
        && let TrafficShift::Weighted {
            steps,
            soak_minutes,
        } = &route.shift
    {
        for (index, percent) in steps.iter().enumerate() {
            let step = WeightedStep {
                number: index + 1,
                percent: *percent,
                soak_minutes: *soak_minutes,
            };
            wait = weighted_step(plan, at, &step, block, wait, stages, traffic, step_gates);
        }
    }
    let own_in = own(route, at.region).map(|e| at_home(route, e));
    let (change, title) = if at.lead {
        let others_out = others(route, at.region).map(|e| (e, Rotation::Out));
        (
            Change {
                endpoints: own_in.chain(others_out).collect(),
            },
            format!("Traffic: switch {} to {region}", route.name),
        )
    } else {
        (
            Change {
                endpoints: own_in.collect(),
            },
            format!("Traffic: put {region} back in {}", route.name),
        )
    };
    let switch = push(
        plan,
        route,
        &change,
        TrafficStage {
            role: StageRole::TrafficShift,
            parts: &["traffic", route.id.as_str(), "switch"],
            title,
        },
        block,
        wait,
        stages,
    );
    traffic.changes.push(switch.clone());
    vec![switch]
}

/// One weighted step of a route's lead region.
struct WeightedStep {
    /// Its number, from 1.
    number: usize,
    /// The lead region's share, in percent.
    percent: u32,
    /// Minutes it is held.
    soak_minutes: u32,
}

/// The stages of one weighted step, the first waiting for `wait`: the change of weights, then its
/// soak with the region's gates beside it, then a barrier (returned) the next step waits for.
#[allow(clippy::too_many_arguments)]
fn weighted_step(
    plan: &Plan,
    at: RouteAt<'_>,
    step: &WeightedStep,
    block: &BlockEnd<'_>,
    wait: Vec<String>,
    stages: &mut Stages,
    traffic: &mut PlaceTraffic,
    step_gates: &mut StepGates<'_>,
) -> Vec<String> {
    let route = at.route;
    let region = region_title(plan, at.region);
    let number = step.number.to_string();
    let percent = step.percent;
    let change = step_change(route, at.region, percent);
    let changed = push(
        plan,
        route,
        &change,
        TrafficStage {
            role: StageRole::TrafficShift,
            parts: &["traffic", route.id.as_str(), "step", &number],
            title: format!("Traffic: {percent} % of {} to {region}", route.name),
        },
        block,
        wait,
        stages,
    );
    traffic.changes.push(changed.clone());
    let [environment, region_part] = block.id_parts;
    let soak = stages.push(
        StageRole::Validate,
        &["soak", route.id.as_str(), &number, environment, region_part],
        format!(
            "Hold {percent} % of {} on {region} for {} min{}",
            route.name, step.soak_minutes, block.title_suffix
        ),
        vec![changed.clone()],
        Work::Soak {
            minutes: step.soak_minutes,
        },
    );
    let gates = step_gates(
        stages,
        std::slice::from_ref(&changed),
        &format!("step{number}"),
    );
    traffic.step_gates.extend(gates.all.iter().cloned());
    traffic.step_gates_rolling_back.extend(gates.rolling_back);
    let mut held = vec![soak];
    held.extend(gates.all);
    vec![stages.push(
        StageRole::WaveComplete,
        &[
            "traffic",
            route.id.as_str(),
            "step",
            &number,
            environment,
            region_part,
            "held",
        ],
        format!("{percent} % of {} held{}", route.name, block.title_suffix),
        held,
        Work::Barrier,
    )]
}

/// The stage switching `at` back when any of `failed` failed: for the lead, the old side back in
/// rotation at its weights and the lead out; for a later region, that region out. Returns its id.
pub(super) fn revert_stage(
    plan: &Plan,
    at: RouteAt<'_>,
    block: &BlockEnd<'_>,
    failed: Vec<String>,
    stages: &mut Stages,
) -> String {
    let route = at.route;
    let change = if at.lead {
        old_side_only(route, at.region)
    } else {
        Change {
            endpoints: own(route, at.region).map(|e| (e, Rotation::Out)).collect(),
        }
    };
    let id = push(
        plan,
        route,
        &change,
        TrafficStage {
            role: StageRole::TrafficRevert,
            parts: &["traffic", "back", route.id.as_str()],
            title: format!(
                "Traffic: switch {} back from {}",
                route.name,
                region_title(plan, at.region)
            ),
        },
        block,
        failed.clone(),
        stages,
    );
    if let Some(stage) = stages.last_mut() {
        stage.runs_when = RunsWhen::AnyFailed(failed);
    }
    id
}

/// A traffic stage's role, the parts of its id before the place's, and its title before the place's.
struct TrafficStage<'a> {
    role: StageRole,
    parts: &'a [&'a str],
    title: String,
}

/// Adds a stage applying `change` to `route`'s router, waiting for `wait`.
fn push(
    plan: &Plan,
    route: &TrafficRoute,
    change: &Change<'_>,
    stage: TrafficStage<'_>,
    block: &BlockEnd<'_>,
    wait: Vec<String>,
    stages: &mut Stages,
) -> String {
    let [environment, region] = block.id_parts;
    let mut parts = stage.parts.to_vec();
    parts.extend([environment, region]);
    let job = traffic_job(plan, route, change, &stage.title, block);
    stages.push(
        stage.role,
        &parts,
        format!("{}{}", stage.title, block.title_suffix),
        wait,
        Work::Job(job),
    )
}

/// The job of one change: the library's `traffic-set` with the router, the change, and the wait.
fn traffic_job(
    plan: &Plan,
    route: &TrafficRoute,
    change: &Change<'_>,
    title: &str,
    block: &BlockEnd<'_>,
) -> Job {
    let wait_seconds = route.switch_wait_seconds(&plan.services);
    let mut env: Vec<(&'static str, Value)> = vec![("TRAFFIC_ROUTE", text(&route.name))];
    match &route.router {
        TrafficRouter::TrafficManager {
            resource_group,
            profile,
            dns_ttl_seconds,
        } => {
            env.push(("TRAFFIC_ROUTER", text("traffic-manager")));
            env.push(("TRAFFIC_RESOURCE_GROUP", text(resource_group)));
            env.push(("TRAFFIC_PROFILE", text(profile)));
            env.push(("TRAFFIC_DNS_TTL_SECONDS", text(dns_ttl_seconds.to_string())));
        }
        TrafficRouter::FrontDoor {
            resource_group,
            profile,
            origin_group,
        } => {
            env.push(("TRAFFIC_ROUTER", text("front-door")));
            env.push(("TRAFFIC_RESOURCE_GROUP", text(resource_group)));
            env.push(("TRAFFIC_PROFILE", text(profile)));
            env.push(("TRAFFIC_ORIGIN_GROUP", text(origin_group)));
        }
    }
    env.push((
        "TRAFFIC_WEIGHTED",
        text(if weighted(route) { "true" } else { "false" }),
    ));
    env.push(("TRAFFIC_CHANGES", text(change.lines())));
    env.push(("TRAFFIC_WAIT_SECONDS", text(wait_seconds.to_string())));
    env.push((
        "TRAFFIC_HEALTH_MINUTES",
        text(ROUTER_HEALTH_MINUTES.to_string()),
    ));
    env.extend(retry_env(&plan.rollout.retry));
    let step = Step::new(
        title.to_owned(),
        crate::release::Phase::Deploy,
        env,
        LibraryCommand::TrafficSet,
    );
    let minutes = wait_seconds
        .div_ceil(60)
        .saturating_add(ROUTER_HEALTH_MINUTES)
        .saturating_add(retry_backoff_minutes(&plan.rollout.retry))
        .saturating_add(TRAFFIC_JOB_SLACK_MINUTES);
    let mut job = plain_job(vec![step], minutes);
    job.environment = Some(text(block.deployments));
    job
}

/// The change of one weighted step: every other region in rotation at its own weight, and the lead
/// region at the weight that gives it `percent` of the users. Weights are scaled so the largest is
/// the router's 1,000, which keeps the shares within a tenth of a percent.
fn step_change<'p>(route: &'p TrafficRoute, region: &Id, percent: u32) -> Change<'p> {
    let others: Vec<&RegionEndpoint> = others(route, region).collect();
    let total: f64 = others.iter().map(|e| f64::from(e.weight)).sum();
    let share = f64::from(percent.min(99));
    let lead = share * total / (100.0 - share);
    let largest = others
        .iter()
        .map(|e| f64::from(e.weight))
        .fold(lead, f64::max);
    let scale = if largest > 0.0 {
        MAX_WEIGHT / largest
    } else {
        1.0
    };
    let weight = |w: f64| (w * scale).round().clamp(1.0, MAX_WEIGHT) as u32;
    let mut endpoints: Vec<(&RegionEndpoint, Rotation)> = others
        .iter()
        .map(|e| (*e, Rotation::In(Some(weight(f64::from(e.weight))))))
        .collect();
    endpoints.extend(own(route, region).map(|e| (e, Rotation::In(Some(weight(lead))))));
    Change { endpoints }
}

/// The change leaving users on the old side only: every region but `region` in rotation at its home
/// weight (first), `region` out. It drains the lead before deployment and switches back from it.
fn old_side_only<'p>(route: &'p TrafficRoute, region: &Id) -> Change<'p> {
    Change {
        endpoints: others(route, region)
            .map(|e| at_home(route, e))
            .chain(own(route, region).map(|e| (e, Rotation::Out)))
            .collect(),
    }
}

/// `endpoint` in rotation at its home weight (weights are set only when the route moves users by
/// weight).
fn at_home<'p>(
    route: &TrafficRoute,
    endpoint: &'p RegionEndpoint,
) -> (&'p RegionEndpoint, Rotation) {
    (
        endpoint,
        Rotation::In(weighted(route).then_some(endpoint.weight)),
    )
}

/// Whether `route` moves users by weight (so changes set weights, and the router must route by them).
fn weighted(route: &TrafficRoute) -> bool {
    matches!(route.shift, TrafficShift::Weighted { .. })
}

/// `route`'s endpoint of `region`.
fn own<'p>(route: &'p TrafficRoute, region: &Id) -> impl Iterator<Item = &'p RegionEndpoint> {
    route.endpoints.iter().filter(move |e| &e.region == region)
}

/// `route`'s endpoints of every region but `region`.
fn others<'p>(route: &'p TrafficRoute, region: &Id) -> impl Iterator<Item = &'p RegionEndpoint> {
    route.endpoints.iter().filter(move |e| &e.region != region)
}

/// The region's name, for titles.
fn region_title(plan: &Plan, region: &Id) -> String {
    plan.region(region)
        .map_or_else(|| region.to_string(), |r| r.name.clone())
}

#[cfg(test)]
mod tests {
    use super::{Rotation, step_change};
    use crate::plan::{Id, RegionEndpoint, TrafficRoute, TrafficRouter, TrafficShift};

    fn route(weights: &[u32]) -> TrafficRoute {
        TrafficRoute {
            id: Id::new("edge"),
            name: "Edge".to_owned(),
            environment: Id::new("production"),
            router: TrafficRouter::FrontDoor {
                resource_group: "rg".to_owned(),
                profile: "fd".to_owned(),
                origin_group: "og".to_owned(),
            },
            endpoints: weights
                .iter()
                .enumerate()
                .map(|(i, w)| RegionEndpoint {
                    region: Id::new(format!("r{i}")),
                    endpoint: format!("o{i}"),
                    weight: *w,
                })
                .collect(),
            shift: TrafficShift::Weighted {
                steps: vec![10, 50],
                soak_minutes: 10,
            },
        }
    }

    /// The lead's share of users under the change's weights.
    fn lead_share(weights: &[u32], percent: u32) -> f64 {
        let route = route(weights);
        let change = step_change(&route, &Id::new("r0"), percent);
        let weight = |name: &str| {
            change
                .endpoints
                .iter()
                .find(|(e, _)| e.endpoint == name)
                .map(|(_, r)| match r {
                    Rotation::In(Some(w)) => f64::from(*w),
                    other => panic!("{name} is {other:?}"),
                })
                .expect("every endpoint is set")
        };
        let all: f64 = (0..weights.len()).map(|i| weight(&format!("o{i}"))).sum();
        weight("o0") / all
    }

    #[test]
    fn each_weighted_step_gives_the_lead_its_share_within_the_routers_weights() {
        for weights in [
            [1, 1].as_slice(),
            &[1, 1, 1],
            &[5, 1, 3],
            &[1000, 1000],
            &[1, 999],
        ] {
            for percent in [1, 10, 33, 50, 90, 99] {
                let share = lead_share(weights, percent);
                assert!(
                    (share * 100.0 - f64::from(percent)).abs() < 0.2,
                    "{weights:?} at {percent} %: {share}"
                );
            }
        }
    }

    #[test]
    fn a_step_puts_the_old_side_in_rotation_before_the_lead() {
        let route = route(&[1, 1, 1]);
        let change = step_change(&route, &Id::new("r0"), 10);
        let names: Vec<&str> = change
            .endpoints
            .iter()
            .map(|(e, _)| e.endpoint.as_str())
            .collect();
        assert_eq!(names, ["o1", "o2", "o0"]);
    }

    mod northwind {
        use super::super::super::test_support::{ids, northwind, waits_for};
        use crate::release::{Pipeline, RunsWhen, StageRole};

        fn release() -> Pipeline {
            northwind().release
        }

        #[test]
        fn only_the_lead_region_leaves_rotation_and_before_anything_deploys_there() {
            let release = release();
            let drains = ids(&release, StageRole::TrafficDrain);
            assert_eq!(
                drains,
                [
                    "traffic_drain_shop_edge_production_westeurope",
                    "traffic_drain_partner_dns_production_westeurope"
                ]
            );
            for deploy in ids(&release, StageRole::Deploy)
                .into_iter()
                .chain(ids(&release, StageRole::Expand))
                .filter(|id| id.ends_with("production_westeurope"))
            {
                for drain in &drains {
                    assert!(
                        waits_for(&release, deploy, drain),
                        "{deploy} before {drain}"
                    );
                }
            }
        }

        #[test]
        fn a_later_region_waits_for_every_traffic_change_and_step_gate_of_the_one_before() {
            let release = release();
            let before: Vec<&str> = ids(&release, StageRole::TrafficShift)
                .into_iter()
                .chain(ids(&release, StageRole::QualityGate))
                .filter(|id| id.ends_with("production_westeurope"))
                .collect();
            assert!(before.iter().any(|id| id.contains("_step")), "{before:?}");
            for stage in before {
                assert!(
                    waits_for(
                        &release,
                        "deploy_platform_infra_production_northeurope",
                        stage
                    ),
                    "North Europe starts without waiting for {stage}"
                );
            }
        }

        #[test]
        fn every_traffic_change_is_switched_back_and_rolled_back_when_it_fails() {
            let release = release();
            let failure_stages: Vec<(&str, StageRole, &Vec<String>)> = release
                .stages
                .iter()
                .filter_map(|s| match &s.runs_when {
                    RunsWhen::AnyFailed(ids) => Some((s.id.as_str(), s.role, ids)),
                    RunsWhen::AllSucceeded => None,
                })
                .collect();
            for change in ids(&release, StageRole::TrafficShift) {
                for role in [StageRole::TrafficRevert, StageRole::GateRollback] {
                    let handled = failure_stages
                        .iter()
                        .filter(|(_, r, _)| *r == role)
                        .any(|(_, _, failed)| failed.iter().any(|id| id == change));
                    assert!(handled, "no {role:?} runs when {change} fails");
                }
            }
            // A rollback waits for the switches back of its place, so users leave first.
            for (id, role, _) in &failure_stages {
                if *role == StageRole::GateRollback && id.ends_with("production_westeurope") {
                    let stage = release.stage(id).expect("listed");
                    assert!(
                        stage
                            .depends_on
                            .iter()
                            .any(|d| d.starts_with("traffic_back_")),
                        "{id} does not wait for the switch back"
                    );
                }
            }
        }
    }
}
