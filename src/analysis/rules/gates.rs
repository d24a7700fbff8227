//! Quality gates: each one can be checked as written — it applies to a service or region the plan has,
//! an alert gate names rules and a scope, URLs
//! are http(s), a SonarQube gate has its project and token, a JSON path can be followed, and every
//! gate polls at least once within a timeout a job can wait.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::placeholder::REGION;
use crate::plan::{GateCheck, GateScope, ObjectRef, QualityGate, json_path_segments};

/// A gate waits at most as long as any window inside one job: its job adds sign-in and a last poll,
/// and a GitHub-hosted job stops after six hours.
const MAX_GATE_MINUTES: u32 = super::environments::MAX_WINDOW_MINUTES;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for gate in &cx.plan.rollout.gates {
        let mut report = |code: Code, message: String, fix: &str| {
            out.push(Diagnostic::new(
                code,
                ObjectRef::Rollout,
                format!("quality gate `{}`: {message}", gate.id),
                fix,
            ));
        };
        match &gate.applies_to {
            GateScope::Service(service) if cx.service(service).is_none() => report(
                Code::MissingReference,
                format!("applies to service `{service}`, which the plan does not have"),
                "choose one of the plan's services, or apply the gate to the whole release",
            ),
            GateScope::Region(region) if cx.plan.region(region).is_none() => report(
                Code::MissingReference,
                format!("applies to region `{region}`, which the plan does not have"),
                "choose one of the plan's regions, or apply the gate to the whole release",
            ),
            _ => {}
        }
        timing(gate, &mut report);
        settings(gate, &mut report);
        if cx.plan.regions.is_empty() && texts(gate).iter().any(|t| t.contains(REGION)) {
            report(
                Code::RegionPlaceholderWithoutRegion,
                "names `{region}`, but the plan has no regions".to_owned(),
                "add the plan's regions, or write the gate without {region}",
            );
        }
    }
}

/// The gate's texts that may hold placeholders.
fn texts(gate: &QualityGate) -> Vec<&str> {
    match &gate.check {
        GateCheck::AzureMonitorAlerts { scope, .. } => vec![scope],
        GateCheck::SonarQube { server_url, .. } => vec![server_url],
        GateCheck::Rest { url, .. } => vec![url],
    }
}

fn timing(gate: &QualityGate, report: &mut impl FnMut(Code, String, &str)) {
    if gate.timeout_minutes == 0 || gate.timeout_minutes > MAX_GATE_MINUTES {
        report(
            Code::GateTimingInvalid,
            format!(
                "a timeout of {} minutes: a gate waits between 1 and {MAX_GATE_MINUTES} minutes",
                gate.timeout_minutes
            ),
            "give the gate a timeout of at least a minute and at most 340 minutes (a job runs at most 6 hours)",
        );
    } else if gate.interval_seconds == 0
        || u64::from(gate.interval_seconds) > u64::from(gate.timeout_minutes) * 60
    {
        report(
            Code::GateTimingInvalid,
            format!(
                "polls every {} s within {} minutes, so it would never poll (or never stop)",
                gate.interval_seconds, gate.timeout_minutes
            ),
            "poll at least every few seconds and at least once within the timeout (60 s is common)",
        );
    }
}

fn settings(gate: &QualityGate, report: &mut impl FnMut(Code, String, &str)) {
    match &gate.check {
        GateCheck::AzureMonitorAlerts { scope, alert_rules } => {
            if scope.trim().is_empty() || alert_rules.iter().all(|r| r.trim().is_empty()) {
                report(
                    Code::AlertGateIncomplete,
                    "needs a scope and at least one alert rule".to_owned(),
                    "give the resource id the alerts live under (/subscriptions/…/resourceGroups/…) and the rules' names",
                );
            } else if !scope.starts_with("/subscriptions/") {
                report(
                    Code::AlertGateIncomplete,
                    format!("the scope `{scope}` is not an Azure resource id"),
                    "write the scope as /subscriptions/ID or /subscriptions/ID/resourceGroups/NAME",
                );
            }
        }
        GateCheck::SonarQube {
            server_url,
            project_key,
            token_secret,
        } => {
            if !is_http_url(server_url) {
                report(
                    Code::GateSettingInvalid,
                    format!("the server `{server_url}` is not an http(s) URL"),
                    "write the server as https://HOST (https://sonarcloud.io)",
                );
            }
            if project_key.trim().is_empty() || token_secret.trim().is_empty() {
                report(
                    Code::GateSettingInvalid,
                    "needs the project key and the name of the secret holding the token".to_owned(),
                    "give the project's key and the secret's name (SONAR_TOKEN)",
                );
            }
        }
        GateCheck::Rest {
            url,
            expected_status,
            json_path,
            json_equals,
        } => {
            if !is_http_url(url) {
                report(
                    Code::GateSettingInvalid,
                    format!("`{url}` is not an http(s) URL"),
                    "write the URL as https://HOST/PATH",
                );
            }
            if !(100..=599).contains(expected_status) {
                report(
                    Code::NumberOutOfRange,
                    format!("expects HTTP status {expected_status}, which is not 100–599"),
                    "expect a real HTTP status (200 is common)",
                );
            }
            if !json_path.is_empty() && json_path_segments(json_path).is_none() {
                report(
                    Code::GateJsonPathInvalid,
                    format!("the JSON path `{json_path}` is not dot-separated keys and indexes"),
                    "write the path as keys and indexes joined by dots (status.checks.0.state)",
                );
            } else if json_path.is_empty() && !json_equals.is_empty() {
                report(
                    Code::GateJsonPathInvalid,
                    format!("expects `{json_equals}` but names no JSON path to read it at"),
                    "give the path of the field to compare, or leave the expected value empty",
                );
            }
        }
    }
}

/// Whether `url` starts like an http(s) URL with a host.
fn is_http_url(url: &str) -> bool {
    ["https://", "http://"].iter().any(|scheme| {
        url.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::edit::defaults;
    use crate::plan::{GateCheck, GateScope, Id, Plan};

    fn with_gate(change: impl FnOnce(&mut crate::plan::QualityGate)) -> Plan {
        let mut plan = clean_plan();
        let mut gate = defaults::quality_gate(&plan);
        gate.check = GateCheck::Rest {
            url: "https://status.example.com/health".to_owned(),
            expected_status: 200,
            json_path: String::new(),
            json_equals: String::new(),
        };
        change(&mut gate);
        plan.rollout.gates.push(gate);
        plan
    }

    #[test]
    fn a_gate_as_the_app_adds_it_with_its_url_filled_in_is_clean() {
        let plan = with_gate(|_| {});
        for code in [
            Code::AlertGateIncomplete,
            Code::GateTimingInvalid,
            Code::GateSettingInvalid,
            Code::GateJsonPathInvalid,
            Code::MissingReference,
        ] {
            none(&plan, code);
        }
    }

    #[test]
    fn a_gate_on_a_service_or_region_the_plan_lacks_is_a_missing_reference() {
        let plan = with_gate(|g| g.applies_to = GateScope::Service(Id::new("ghost")));
        assert!(
            single(&plan, Code::MissingReference)
                .message
                .contains("ghost")
        );
        let plan = with_gate(|g| g.applies_to = GateScope::Region(Id::new("mars")));
        assert!(
            single(&plan, Code::MissingReference)
                .message
                .contains("mars")
        );
    }

    #[test]
    fn a_timeout_a_job_cannot_wait_or_a_poll_past_it_is_refused() {
        single(
            &with_gate(|g| g.timeout_minutes = 0),
            Code::GateTimingInvalid,
        );
        single(
            &with_gate(|g| g.timeout_minutes = super::MAX_GATE_MINUTES + 1),
            Code::GateTimingInvalid,
        );
        none(
            &with_gate(|g| g.timeout_minutes = super::MAX_GATE_MINUTES),
            Code::GateTimingInvalid,
        );
        single(
            &with_gate(|g| g.interval_seconds = 0),
            Code::GateTimingInvalid,
        );
        single(
            &with_gate(|g| {
                g.timeout_minutes = 1;
                g.interval_seconds = 61;
            }),
            Code::GateTimingInvalid,
        );
        none(
            &with_gate(|g| {
                g.timeout_minutes = 1;
                g.interval_seconds = 60;
            }),
            Code::GateTimingInvalid,
        );
    }

    #[test]
    fn json_paths_are_keys_and_indexes_and_a_value_needs_a_path() {
        let rest = |path: &str, equals: &str| {
            let (path, equals) = (path.to_owned(), equals.to_owned());
            with_gate(move |g| {
                g.check = GateCheck::Rest {
                    url: "https://status.example.com/health".to_owned(),
                    expected_status: 200,
                    json_path: path,
                    json_equals: equals,
                }
            })
        };
        none(&rest("checks.0.state", "ok"), Code::GateJsonPathInvalid);
        single(&rest("checks[0].state", "ok"), Code::GateJsonPathInvalid);
        single(&rest("a..b", "ok"), Code::GateJsonPathInvalid);
        single(&rest("", "ok"), Code::GateJsonPathInvalid);
    }

    #[test]
    fn a_region_placeholder_in_a_gate_of_a_plan_without_regions_is_refused() {
        let mut plan = with_gate(|g| {
            g.check = GateCheck::Rest {
                url: "https://status.example.com/{region}".to_owned(),
                expected_status: 200,
                json_path: String::new(),
                json_equals: String::new(),
            }
        });
        plan.regions.clear();
        for environment in &mut plan.environments {
            environment.regions.clear();
        }
        assert!(
            findings(&plan, Code::RegionPlaceholderWithoutRegion)
                .iter()
                .any(|d| d.message.contains("quality gate"))
        );
    }
}
