//! The traffic verdict: what a route promises, replayed from the router changes in the event log.
//!
//! - No region of a routed environment is deployed (or rolled back) while users are sent to it.
//! - A region is put in rotation only untouched (the old side) or wholly on a new build that is
//!   ready there: never half deployed.
//! - After a failure, each router still sends users somewhere, only to regions that are untouched or
//!   wholly new and ready; a region the router saw unhealthy is out of rotation and rolled back, and
//!   no later place was deployed after it.
//! - After a success, every region is in rotation at the weight the plan gives it, and a weighted
//!   route gave its lead region each step's share in turn, then all users.

use super::{Subject, Verdict, minutes, verdict};
use crate::plan::TrafficShift;
use crate::rehearse::estate::{EventKind, Kind, PREVIOUS};

/// The verdict, when the subject is a release through a routed environment.
pub(super) fn traffic(s: &Subject) -> Option<Verdict> {
    if !s.migrations {
        return None;
    }
    let estate = s.estate();
    let routed: Vec<usize> = (0..estate.routers.len())
        .filter(|r| {
            s.places
                .iter()
                .any(|(e, _)| *e == estate.routers[*r].environment)
        })
        .collect();
    if routed.is_empty() {
        return None;
    }
    let times = Times::of(s);
    let Replay {
        state,
        shares,
        first_unhealthy,
        changes,
        mut problems,
    } = replay(s, &times, &routed);
    for &router in &routed {
        problems.extend(ending(s, &times, router, &state[router], &shares[router]));
    }
    if let Some((time, router, endpoint)) = first_unhealthy {
        problems.extend(contained(s, &times, time, router, endpoint, &state[router]));
    }
    let failure = first_unhealthy.map_or(String::new(), |(time, router, endpoint)| {
        format!(
            "; {} saw {} unhealthy at {}: switched back, rolled back, later places never started",
            estate.routers[router].route,
            estate.routers[router].endpoints[endpoint].region,
            minutes(time)
        )
    });
    Some(verdict(
        "traffic",
        problems,
        format!(
            "{changes} router changes: no region deployed while it took users, none put in rotation half deployed{failure}"
        ),
    ))
}

/// What the checks ask of the log for every target, read once: when this run first and last deployed
/// it, when its new build was first ready, and whether the scenario must fail.
struct Times {
    deployed: Vec<Option<(u64, u64)>>,
    ready: Vec<Option<u64>>,
    failed: bool,
}

impl Times {
    fn of(s: &Subject) -> Times {
        let targets = s.estate().targets.len();
        let mut deployed: Vec<Option<(u64, u64)>> = vec![None; targets];
        for (target, event) in s.deployments() {
            let span = &mut deployed[target];
            *span = Some(span.map_or((event.time, event.time), |(first, _)| (first, event.time)));
        }
        Times {
            deployed,
            ready: (0..targets).map(|t| s.ready_at(t)).collect(),
            failed: s.expect_failure(),
        }
    }
}

/// What replaying the event log found: each router's state at the end ((in rotation, weight) per
/// endpoint), the lead's shares after each change, the first unhealthy reading (time, router,
/// endpoint), the number of changes, and the problems seen on the way.
struct Replay {
    state: Vec<Vec<(bool, u32)>>,
    shares: Vec<Vec<f64>>,
    first_unhealthy: Option<(u64, usize, usize)>,
    changes: usize,
    problems: Vec<String>,
}

/// Replays the log: router changes, router health readings, and deployments in routed regions.
fn replay(s: &Subject, times: &Times, routed: &[usize]) -> Replay {
    let estate = s.estate();
    let mut problems = Vec::new();
    // The routers' state as the log replays it: (in rotation, weight) per endpoint.
    let mut state: Vec<Vec<(bool, u32)>> = estate
        .routers
        .iter()
        .map(|r| r.endpoints.iter().map(|e| (true, e.home_weight)).collect())
        .collect();
    let mut shares: Vec<Vec<f64>> = vec![Vec::new(); estate.routers.len()];
    let mut first_unhealthy: Option<(u64, usize, usize)> = None;
    let mut changes = 0;
    for event in s.log() {
        match &event.kind {
            EventKind::Traffic {
                router,
                endpoint,
                in_rotation,
                weight,
            } => {
                changes += 1;
                state[*router][*endpoint] = (*in_rotation, *weight);
                if *in_rotation
                    && let Some(problem) = half_deployed(s, times, *router, *endpoint, event.time)
                {
                    problems.push(problem);
                }
                if let Some(share) = lead_share(s, *router, &state[*router]) {
                    shares[*router].push(share);
                }
            }
            EventKind::RouterHealth {
                router,
                endpoint,
                healthy: false,
            } if first_unhealthy.is_none() => {
                first_unhealthy = Some((event.time, *router, *endpoint));
            }
            EventKind::Staged { target, .. } | EventKind::Serving { target, .. } => {
                let t = &estate.targets[*target];
                for &router in routed {
                    let r = &estate.routers[router];
                    let serving_users =
                        r.endpoints.iter().zip(&state[router]).any(|(e, (on, _))| {
                            *on && r.environment == t.environment
                                && Some(&e.region) == t.region.as_ref()
                        });
                    if serving_users && s.in_pipeline(*target) {
                        problems.push(format!(
                            "{} changed at {} while {} sent users to its region",
                            s.label(*target),
                            minutes(event.time),
                            r.route
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    Replay {
        state,
        shares,
        first_unhealthy,
        changes,
        problems,
    }
}

/// The problems of one router's state at the end of the run (`end`), with the lead's shares.
fn ending(
    s: &Subject,
    times: &Times,
    router: usize,
    end: &[(bool, u32)],
    shares: &[f64],
) -> Vec<String> {
    let estate = s.estate();
    let mut problems = Vec::new();
    let r = &estate.routers[router];
    if !end.iter().any(|(on, _)| *on) {
        problems.push(format!("{} ends sending users nowhere", r.route));
    }
    for (index, (on, weight)) in end.iter().enumerate() {
        let endpoint = &r.endpoints[index];
        if *on && let Some(problem) = half_deployed(s, times, router, index, u64::MAX) {
            problems.push(format!("at the end: {problem}"));
        }
        if !times.failed && (!*on || *weight != endpoint.home_weight) {
            problems.push(format!(
                "{} ends with {} {} at weight {weight}, not in rotation at {}",
                r.route,
                endpoint.region,
                if *on {
                    "in rotation"
                } else {
                    "out of rotation"
                },
                endpoint.home_weight
            ));
        }
    }
    if !times.failed
        && let Some(expected) = expected_shares(s, router)
        && !reached_in_turn(shares, &expected)
    {
        problems.push(format!(
            "{} gave its lead region shares {:?} %, not {expected:?} % in turn",
            r.route,
            shares.iter().map(|p| p.round() as u32).collect::<Vec<_>>()
        ));
    }
    problems
}

/// A problem when `endpoint`'s region is half deployed at `time` (some targets new, or new but not
/// ready): a router must send users only to the old side or to a wholly new, ready region.
fn half_deployed(
    s: &Subject,
    times: &Times,
    router: usize,
    endpoint: usize,
    time: u64,
) -> Option<String> {
    let estate = s.estate();
    let r = &estate.routers[router];
    let region = &r.endpoints[endpoint].region;
    let targets: Vec<usize> = (0..estate.targets.len())
        .filter(|t| {
            let target = &estate.targets[*t];
            target.environment == r.environment
                && target.region.as_ref() == Some(region)
                && s.in_pipeline(*t)
                && !matches!(target.kind, Kind::Database(_))
        })
        .collect();
    let touched = |t: usize| times.deployed[t].is_some_and(|(first, _)| first <= time);
    let new_and_ready = |t: usize| {
        times.ready[t].is_some_and(|at| at <= time)
            && (time != u64::MAX || estate.serving(t) != PREVIOUS)
    };
    let untouched = targets.iter().all(|t| !touched(*t));
    let ready = targets.iter().all(|t| new_and_ready(*t));
    if untouched || ready {
        return None;
    }
    let when = if time == u64::MAX {
        "at the end".to_owned()
    } else {
        minutes(time)
    };
    Some(format!(
        "{} sent users to {region} half deployed ({when})",
        r.route
    ))
}

/// The lead region's share of users, in percent, when it is in rotation.
fn lead_share(s: &Subject, router: usize, state: &[(bool, u32)]) -> Option<f64> {
    let r = &s.estate().routers[router];
    let lead = r.endpoints.iter().position(|e| e.region == r.lead)?;
    if !state[lead].0 {
        return None;
    }
    let total: u32 = state.iter().filter(|(on, _)| *on).map(|(_, w)| w).sum();
    Some(100.0 * f64::from(state[lead].1) / f64::from(total.max(1)))
}

/// The lead shares a successful release gives, in order: each weighted step, then all users.
fn expected_shares(s: &Subject, router: usize) -> Option<Vec<u32>> {
    let r = &s.estate().routers[router];
    let route = s
        .plan
        .rollout
        .traffic
        .iter()
        .find(|t| t.id.as_str() == r.route)?;
    let mut expected = match &route.shift {
        TrafficShift::Weighted { steps, .. } => steps.clone(),
        TrafficShift::BlueGreen => Vec::new(),
    };
    expected.push(100);
    Some(expected)
}

/// Whether `observed` shares reach each of `expected` in turn (within a percent).
fn reached_in_turn(observed: &[f64], expected: &[u32]) -> bool {
    let mut rest = observed.iter();
    expected
        .iter()
        .all(|want| rest.any(|got| (got - f64::from(*want)).abs() < 1.0))
}

/// What a router seeing `endpoint` unhealthy at `time` must have led to: the region out of rotation
/// and rolled back, and no later place deployed.
fn contained(
    s: &Subject,
    times: &Times,
    time: u64,
    router: usize,
    endpoint: usize,
    end: &[(bool, u32)],
) -> Vec<String> {
    let estate = s.estate();
    let r = &estate.routers[router];
    let region = &r.endpoints[endpoint].region;
    let mut problems = Vec::new();
    if end[endpoint].0 {
        problems.push(format!(
            "{} still sends users to {region}, which it saw unhealthy",
            r.route
        ));
    }
    let Some(k) = s
        .places
        .iter()
        .position(|(e, g)| *e == r.environment && g.as_ref() == Some(region))
    else {
        return problems;
    };
    for (index, target) in estate.targets.iter().enumerate() {
        if !s.in_pipeline(index) {
            continue;
        }
        let place = s.place_index(index).unwrap_or(0);
        if place > k && times.deployed[index].is_some_and(|(_, last)| last > time) {
            problems.push(format!("{} at a later place was deployed", s.label(index)));
        }
        let rolled_back = estate.serving(index) == PREVIOUS;
        if place == k
            && target.region.as_ref() == Some(region)
            && !rolled_back
            && !matches!(target.kind, Kind::Database(_))
        {
            problems.push(format!(
                "{} ends on {}: the failed traffic change did not roll it back",
                s.label(index),
                estate.serving(index)
            ));
        }
    }
    problems
}
