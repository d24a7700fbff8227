//! Scenarios: the faults a rehearsal injects, their command-line spelling (`--fault SPEC`), and the
//! list of every single-fault scenario a pipeline allows.

use std::fmt;

use crate::plan::{DeployTarget, Plan, Strategy};
use crate::rehearse::engine::ApprovalRef;

/// The forms a fault spec takes, for error messages and help.
pub const FAULT_FORMS: &str =
    "health:SERVICE@PLACE[:after=N]     the new build's health checks fail (after N good ones)
deploy:SERVICE@PLACE               the deploy command fails on every try
transient:SERVICE@PLACE[:tries=K]  the deploy command fails K times, then works (default 1)
approval:N|NAME:reject|timeout     the N-th approval of the run, or that of environment NAME
expand:MIGRATION | contract:MIGRATION   the first step of the migration's phase fails
gate:GATE[@PLACE]                  the quality gate answers failing there (default: where it is first
                                   checked; a gate whose endpoint names no placeholder fails everywhere)
traffic:ROUTE[@REGION]             the route's router sees REGION (default: the lead, the first region of
                                   the route's environment) unhealthy once it runs the new version
PLACE is REGION (in the pipeline's last environment), ENVIRONMENT/REGION, or ENVIRONMENT alone
for a plan without regions or a global database; `@PLACE` is left out when neither is needed";

/// Where a fault strikes: a service in an environment and region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Spot {
    /// The service id.
    pub service: String,
    /// The environment id; `None` for the pipeline's last environment.
    pub environment: Option<String>,
    /// The region id; `None` when the plan has none (or the service is global).
    pub region: Option<String>,
}

impl fmt::Display for Spot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.environment, &self.region) {
            (Some(e), Some(r)) => write!(f, "{}@{e}/{r}", self.service),
            (None, Some(r)) => write!(f, "{}@{r}", self.service),
            (Some(e), None) => write!(f, "{}@{e}", self.service),
            (None, None) => write!(f, "{}", self.service),
        }
    }
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A service's new build answers its health checks unhealthy, after `after` good answers.
    Health {
        /// Where.
        spot: Spot,
        /// Good answers before failing.
        after: u32,
    },
    /// The service's deploy command fails: on every try, or on the first `tries` (transient).
    Deploy {
        /// Where.
        spot: Spot,
        /// `None`: every try; `Some(k)`: a transient failure that clears after k tries.
        tries: Option<u32>,
    },
    /// An approval is rejected or times out.
    Approval {
        /// Which approval.
        which: ApprovalRef,
        /// `true` for a timeout, `false` for a rejection.
        timeout: bool,
    },
    /// A quality gate's signal answers failing.
    Gate {
        /// The gate id.
        gate: String,
        /// The environment id; `None`: the first environment that checks the gate.
        environment: Option<String>,
        /// The region id; `None`: the first region that checks the gate.
        region: Option<String>,
    },
    /// A traffic router sees a region unhealthy once it runs the new version.
    Traffic {
        /// The route id.
        route: String,
        /// The region id; `None`: the route's lead region.
        region: Option<String>,
    },
    /// A migration phase's first step fails.
    Migration {
        /// The migration id.
        migration: String,
        /// `expand` or `contract`.
        phase: &'static str,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Health { spot, after: 0 } => write!(f, "health:{spot}"),
            Fault::Health { spot, after } => write!(f, "health:{spot}:after={after}"),
            Fault::Deploy { spot, tries: None } => write!(f, "deploy:{spot}"),
            Fault::Deploy {
                spot,
                tries: Some(k),
            } => write!(f, "transient:{spot}:tries={k}"),
            Fault::Approval { which, timeout } => {
                let which = match which {
                    ApprovalRef::Ordinal(n) => n.to_string(),
                    ApprovalRef::Name(n) => n.clone(),
                };
                let answer = if *timeout { "timeout" } else { "reject" };
                write!(f, "approval:{which}:{answer}")
            }
            Fault::Migration { migration, phase } => write!(f, "{phase}:{migration}"),
            Fault::Traffic {
                route,
                region: Some(region),
            } => write!(f, "traffic:{route}@{region}"),
            Fault::Traffic {
                route,
                region: None,
            } => write!(f, "traffic:{route}"),
            Fault::Gate {
                gate,
                environment,
                region,
            } => match (environment, region) {
                (Some(e), Some(r)) => write!(f, "gate:{gate}@{e}/{r}"),
                (None, Some(r)) => write!(f, "gate:{gate}@{r}"),
                (Some(e), None) => write!(f, "gate:{gate}@{e}"),
                (None, None) => write!(f, "gate:{gate}"),
            },
        }
    }
}

impl Fault {
    /// The spot of a health or deploy fault.
    pub fn spot(&self) -> Option<&Spot> {
        match self {
            Fault::Health { spot, .. } | Fault::Deploy { spot, .. } => Some(spot),
            _ => None,
        }
    }
}

/// A set of faults (none: the happy path).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scenario {
    /// The faults.
    pub faults: Vec<Fault>,
}

impl Scenario {
    /// The scenario's name: `happy path`, or its faults' specs.
    pub fn name(&self) -> String {
        if self.faults.is_empty() {
            "happy path".into()
        } else {
            self.faults
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" + ")
        }
    }

    /// The spot of the first fault that fails a deployment for good (not absorbed by retries).
    pub fn failing_spot(&self, attempts: u32) -> Option<&Spot> {
        self.faults.iter().find_map(|f| match f {
            Fault::Health { spot, .. } => Some(spot),
            Fault::Deploy { spot, tries } if tries.is_none_or(|k| k >= attempts) => Some(spot),
            _ => None,
        })
    }
}

fn bad(spec: &str, why: &str) -> String {
    format!("bad fault `{spec}`: {why}; the forms are:\n{FAULT_FORMS}")
}

/// Parses a fault spec against the plan (its services, environments, regions and migrations).
pub fn parse(spec: &str, plan: &Plan) -> Result<Fault, String> {
    let mut parts = spec.split(':');
    let kind = parts.next().unwrap_or_default();
    let subject = parts.next().ok_or_else(|| bad(spec, "it names nothing"))?;
    let option = parts.next();
    if parts.next().is_some() {
        return Err(bad(spec, "too many `:`"));
    }
    match kind {
        "health" | "deploy" | "transient" => {
            let spot = spot(spec, subject, plan)?;
            let number = |key: &str, default: u32| -> Result<u32, String> {
                match option {
                    None => Ok(default),
                    Some(o) => o
                        .strip_prefix(key)
                        .and_then(|n| n.strip_prefix('='))
                        .and_then(|n| n.parse().ok())
                        .ok_or_else(|| bad(spec, &format!("expected `{key}=N` after the service"))),
                }
            };
            Ok(match kind {
                "health" => Fault::Health {
                    spot,
                    after: number("after", 0)?,
                },
                "transient" => Fault::Deploy {
                    spot,
                    tries: Some(number("tries", 1)?.max(1)),
                },
                _ if option.is_some() => return Err(bad(spec, "deploy takes no option")),
                _ => Fault::Deploy { spot, tries: None },
            })
        }
        "approval" => {
            let timeout = match option {
                Some("reject") => false,
                Some("timeout") => true,
                _ => return Err(bad(spec, "an approval is answered `reject` or `timeout`")),
            };
            let which = match subject.parse::<usize>() {
                Ok(0) => return Err(bad(spec, "approvals count from 1")),
                Ok(n) => ApprovalRef::Ordinal(n),
                Err(_) => ApprovalRef::Name(subject.to_owned()),
            };
            Ok(Fault::Approval { which, timeout })
        }
        "expand" | "contract" => migration(spec, kind, subject, option, plan),
        "gate" => {
            if option.is_some() {
                return Err(bad(spec, "a gate fault takes no option"));
            }
            let (gate, place) = match subject.split_once('@') {
                Some((g, p)) => (g, Some(p)),
                None => (subject, None),
            };
            if !plan.rollout.gates.iter().any(|g| g.id.as_str() == gate) {
                return Err(bad(spec, &format!("the plan has no quality gate `{gate}`")));
            }
            let (environment, region) = match place {
                Some(p) => place_of(spec, p, plan)?,
                None => (None, None),
            };
            Ok(Fault::Gate {
                gate: gate.to_owned(),
                environment: environment.map(str::to_owned),
                region: region.map(str::to_owned),
            })
        }
        "traffic" => {
            if option.is_some() {
                return Err(bad(spec, "a traffic fault takes no option"));
            }
            let (route, region) = match subject.split_once('@') {
                Some((r, region)) => (r, Some(region)),
                None => (subject, None),
            };
            let Some(found) = plan.rollout.traffic.iter().find(|r| r.id.as_str() == route) else {
                return Err(bad(
                    spec,
                    &format!("the plan has no traffic route `{route}`"),
                ));
            };
            if let Some(region) = region
                && !found.endpoints.iter().any(|e| e.region.as_str() == region)
            {
                return Err(bad(
                    spec,
                    &format!("traffic route `{route}` has no endpoint in region `{region}`"),
                ));
            }
            Ok(Fault::Traffic {
                route: route.to_owned(),
                region: region.map(str::to_owned),
            })
        }
        _ => Err(bad(spec, &format!("`{kind}` is not a kind of fault"))),
    }
}

fn migration(
    spec: &str,
    kind: &str,
    subject: &str,
    option: Option<&str>,
    plan: &Plan,
) -> Result<Fault, String> {
    if option.is_some() {
        return Err(bad(spec, "a migration fault takes no option"));
    }
    let Some(migration) = plan.migrations.iter().find(|m| m.id.as_str() == subject) else {
        return Err(bad(spec, &format!("the plan has no migration `{subject}`")));
    };
    let (phase, steps) = if kind == "expand" {
        ("expand", &migration.expand)
    } else {
        ("contract", &migration.contract)
    };
    if steps.is_empty() {
        return Err(bad(
            spec,
            &format!("the migration `{subject}` has no {phase} steps"),
        ));
    }
    Ok(Fault::Migration {
        migration: subject.to_owned(),
        phase,
    })
}

fn spot(spec: &str, subject: &str, plan: &Plan) -> Result<Spot, String> {
    let (service, place) = match subject.split_once('@') {
        Some((s, p)) => (s, Some(p)),
        None => (subject, None),
    };
    if plan.service(&service.into()).is_none() {
        return Err(bad(spec, &format!("the plan has no service `{service}`")));
    }
    let (environment, region) = match place {
        None => (None, None),
        Some(p) => place_of(spec, p, plan)?,
    };
    let global = plan
        .service(&service.into())
        .is_some_and(crate::plan::Service::is_global);
    if region.is_none() && !plan.regions.is_empty() && !global {
        return Err(bad(
            spec,
            "name the region (SERVICE@REGION or SERVICE@ENVIRONMENT/REGION)",
        ));
    }
    Ok(Spot {
        service: service.to_owned(),
        environment: environment.map(str::to_owned),
        region: region.map(str::to_owned),
    })
}

/// The environment and region a PLACE of a fault spec names: `REGION`, `ENVIRONMENT/REGION` or
/// `ENVIRONMENT`.
fn place_of<'s>(
    spec: &str,
    place: &'s str,
    plan: &Plan,
) -> Result<(Option<&'s str>, Option<&'s str>), String> {
    let is_region = |r: &str| plan.region(&r.into()).is_some();
    let is_environment = |e: &str| plan.environment(&e.into()).is_some();
    match place.split_once('/') {
        Some((e, r)) if is_environment(e) && is_region(r) => Ok((Some(e), Some(r))),
        Some((e, r)) => Err(bad(
            spec,
            &format!("`{e}/{r}` is not ENVIRONMENT/REGION of the plan"),
        )),
        None if is_region(place) => Ok((None, Some(place))),
        None if is_environment(place) => Ok((Some(place), None)),
        None => Err(bad(
            spec,
            &format!("the plan has no region or environment `{place}`"),
        )),
    }
}

/// A route's lead region failing once users move onto it (back to the old side), and its last region
/// failing once put back in rotation (out again; the others keep the users), where the pipeline goes.
fn traffic_faults(plan: &Plan, places: &[(String, Option<String>)]) -> Vec<Fault> {
    let mut faults = Vec::new();
    for route in &plan.rollout.traffic {
        faults.push(Fault::Traffic {
            route: route.id.as_str().to_owned(),
            region: None,
        });
        let last = plan
            .environment(&route.environment)
            .and_then(|e| plan.regions_of(e).last().map(|r| r.id.as_str().to_owned()));
        if let Some(last) = last
            && places
                .iter()
                .any(|(e, r)| *e == route.environment.as_str() && r.as_deref() == Some(&last))
        {
            faults.push(Fault::Traffic {
                route: route.id.as_str().to_owned(),
                region: Some(last),
            });
        }
    }
    faults
}

/// Every single-fault scenario of a pipeline that deploys `services` at `places` (environment,
/// region) and runs the migrations when `migrations`, which asked `approvals` approvals on its
/// happy path.
pub fn single_faults(
    plan: &Plan,
    services: &[String],
    places: &[(String, Option<String>)],
    migrations: bool,
    approvals: usize,
) -> Vec<Scenario> {
    let attempts = plan.rollout.retry.attempts;
    let mut faults = Vec::new();
    for service in plan
        .services
        .iter()
        .filter(|s| services.contains(&s.id.as_str().to_owned()))
    {
        let slot_swap = matches!(
            service.target,
            DeployTarget::AppService { slot: Some(_), .. }
        ) && matches!(
            service.strategy,
            Strategy::SlotSwap | Strategy::BlueGreen | Strategy::Canary { .. }
        );
        let mut seen: Vec<(String, Option<String>)> = Vec::new();
        for (environment, region) in places {
            let region = if service.is_global() {
                None
            } else {
                region.clone()
            };
            if seen.contains(&(environment.clone(), region.clone())) {
                continue;
            }
            seen.push((environment.clone(), region.clone()));
            let spot = Spot {
                service: service.id.as_str().to_owned(),
                environment: Some(environment.clone()),
                region,
            };
            if service.health_check.is_some() {
                faults.push(Fault::Health {
                    spot: spot.clone(),
                    after: 0,
                });
                if slot_swap {
                    faults.push(Fault::Health {
                        spot: spot.clone(),
                        after: 1,
                    });
                }
            }
            faults.push(Fault::Deploy {
                spot: spot.clone(),
                tries: None,
            });
            if attempts > 1 {
                faults.push(Fault::Deploy {
                    spot,
                    tries: Some(attempts - 1),
                });
            }
        }
    }
    for n in 1..=approvals {
        for timeout in [false, true] {
            faults.push(Fault::Approval {
                which: ApprovalRef::Ordinal(n),
                timeout,
            });
        }
    }
    if migrations {
        // A failing gate where it is first checked: the release stops there (and rolls back).
        for gate in &plan.rollout.gates {
            faults.push(Fault::Gate {
                gate: gate.id.as_str().to_owned(),
                environment: None,
                region: None,
            });
        }
        faults.extend(traffic_faults(plan, places));
        for migration in &plan.migrations {
            for (phase, steps) in [
                ("expand", &migration.expand),
                ("contract", &migration.contract),
            ] {
                if !steps.is_empty() {
                    faults.push(Fault::Migration {
                        migration: migration.id.as_str().to_owned(),
                        phase,
                    });
                }
            }
        }
    }
    faults
        .into_iter()
        .map(|f| Scenario { faults: vec![f] })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        crate::plan::templates::by_name("meridian", "meridian-claims")
            .unwrap()
            .unwrap()
    }

    #[test]
    fn specs_round_trip() {
        let plan = plan();
        for spec in [
            "health:claims-api@eastus",
            "health:claims-api@production/eastus:after=1",
            "deploy:claims-api@eastus",
            "transient:claims-api@eastus:tries=2",
            "approval:1:reject",
            "approval:production-approval:timeout",
            "expand:claim-status",
            "contract:claim-status",
        ] {
            assert_eq!(parse(spec, &plan).unwrap().to_string(), spec);
        }
    }

    #[test]
    fn bad_specs_list_the_forms() {
        let plan = plan();
        for spec in [
            "",
            "health",
            "health:nope@eastus",
            "health:claims-api",
            "health:claims-api@mars",
            "health:claims-api@mars/eastus",
            "deploy:claims-api@eastus:x",
            "approval:1:maybe",
            "approval:0:reject",
            "expand:nope",
            "explode:claims-api@eastus",
        ] {
            let error = parse(spec, &plan).unwrap_err();
            assert!(error.contains("the forms are"), "{spec}: {error}");
        }
    }

    #[test]
    fn every_single_fault_of_meridian() {
        let plan = plan();
        let services: Vec<String> = plan
            .services
            .iter()
            .map(|s| s.id.as_str().to_owned())
            .collect();
        let places = vec![("production".to_owned(), Some("eastus".to_owned()))];
        let all = single_faults(&plan, &services, &places, true, 2);
        assert!(all.iter().all(|s| s.faults.len() == 1));
        assert!(
            all.iter()
                .any(|s| s.name() == "health:claims-api@production/eastus:after=1")
        );
        assert!(all.iter().any(|s| s.name() == "contract:claim-status"));
        assert!(all.iter().any(|s| s.name() == "approval:2:timeout"));
    }
}
