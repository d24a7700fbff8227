//! Numbers within range: every duration, count and budget of a plan has a documented upper bound, so
//! no arithmetic on it can overflow and no pipeline is asked for a timeout a platform would refuse. The
//! bounds (the README's "Limits" table lists them):
//!
//! | field | range |
//! | --- | --- |
//! | health check `expected_status` | 100–599 |
//! | health check `timeout_seconds` | 1–300 |
//! | health check `retries` | 0–100 |
//! | health check `interval_seconds` | 0–3,600 |
//! | probe `port` | 1–65,535 |
//! | probe `initial_delay_seconds`, `period_seconds` | 0–3,600 (period at least 1) |
//! | probe `failure_threshold` | 1–100 |
//! | `draining_timeout_seconds` | 0–3,600 |
//! | rolling batch `Instances` | 1–1,000 |
//! | canary increments | at most 20 steps |
//! | retry delays | 0–3,600 seconds; backoff factor 1–10 |
//! | canvas positions | finite, within ±1,000,000 |

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::{BatchSize, ObjectRef, Probe, Service, Strategy};

/// A number and the range it must be in.
struct Bound {
    what: &'static str,
    value: f64,
    low: f64,
    high: f64,
}

fn bound(
    what: &'static str,
    value: impl Into<f64>,
    low: impl Into<f64>,
    high: impl Into<f64>,
) -> Bound {
    Bound {
        what,
        value: value.into(),
        low: low.into(),
        high: high.into(),
    }
}

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for service in &plan.services {
        report(
            ObjectRef::Service(service.id.clone()),
            &service_bounds(service),
            out,
        );
    }
    let retry = &plan.rollout.retry;
    report(
        ObjectRef::Rollout,
        &[
            bound(
                "the first retry delay",
                retry.initial_delay_seconds,
                0,
                3_600,
            ),
            bound("the longest retry delay", retry.max_delay_seconds, 0, 3_600),
            bound("the backoff factor", retry.backoff_factor, 1, 10),
        ],
        out,
    );
}

fn service_bounds(service: &Service) -> Vec<Bound> {
    let mut bounds = vec![
        bound("the canvas x position", service.position.x, -1e6, 1e6),
        bound("the canvas y position", service.position.y, -1e6, 1e6),
        bound(
            "the draining timeout",
            service.draining_timeout_seconds.unwrap_or(0),
            0,
            3_600,
        ),
    ];
    if let Some(check) = &service.health_check {
        bounds.extend([
            bound("the expected status", check.expected_status, 100, 599),
            bound("the health check timeout", check.timeout_seconds, 1, 300),
            bound("the health check retries", check.retries, 0, 100),
            bound(
                "the health check interval",
                check.interval_seconds,
                0,
                3_600,
            ),
        ]);
    }
    let probes = &service.probes;
    for probe in [&probes.readiness, &probes.liveness, &probes.startup]
        .into_iter()
        .flatten()
    {
        bounds.extend(probe_bounds(probe));
    }
    match &service.strategy {
        Strategy::Rolling {
            batch: BatchSize::Instances(count),
        } => bounds.push(bound("the rolling batch", *count, 1, 1_000)),
        Strategy::Canary { increments } => bounds.push(bound(
            "the number of canary steps",
            u32::try_from(increments.len()).unwrap_or(u32::MAX),
            1,
            20,
        )),
        _ => {}
    }
    bounds
}

fn probe_bounds(probe: &Probe) -> [Bound; 4] {
    [
        bound("a probe's port", probe.port, 1, 65_535),
        bound(
            "a probe's initial delay",
            probe.initial_delay_seconds,
            0,
            3_600,
        ),
        bound("a probe's period", probe.period_seconds, 1, 3_600),
        bound(
            "a probe's failure threshold",
            probe.failure_threshold,
            1,
            100,
        ),
    ]
}

fn report(subject: ObjectRef, bounds: &[Bound], out: &mut Vec<Diagnostic>) {
    for b in bounds {
        if !(b.value.is_finite() && b.value >= b.low && b.value <= b.high) {
            out.push(Diagnostic::new(
                Code::NumberOutOfRange,
                subject.clone(),
                format!(
                    "{} is {}; it must be from {} to {}",
                    b.what, b.value, b.low, b.high
                ),
                "use a value within the range (the README's Limits table lists every bound)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;

    #[test]
    fn out_of_range_numbers_are_refused_and_in_range_ones_are_not() {
        none(&clean_plan(), Code::NumberOutOfRange);
        let mut plan = clean_plan();
        plan.services[1].position.x = f32::NAN;
        single(&plan, Code::NumberOutOfRange);
        let mut plan = clean_plan();
        plan.services[1]
            .health_check
            .as_mut()
            .expect("check")
            .timeout_seconds = u32::MAX;
        single(&plan, Code::NumberOutOfRange);
        let mut plan = clean_plan();
        plan.rollout.retry.backoff_factor = f64::INFINITY;
        single(&plan, Code::NumberOutOfRange);
    }
}
