//! Scenarios: the faults a rehearsal injects, their command-line spelling (`--fault SPEC`), and the
//! list of every single-fault scenario a plan allows.

use std::fmt;

use crate::plan::{DeployTarget, Plan, Strategy};

/// The forms a fault spec takes, for error messages and help.
pub const FAULT_FORMS: &str =
    "health:SERVICE@REGION[:after=N]  (the new build's health checks fail, after N good ones)
deploy:SERVICE@REGION            (the deploy command fails on every try)
transient:SERVICE@REGION[:tries=K]  (the deploy command fails K times, then works; default 1)
approval:N|ENVIRONMENT:reject|timeout  (the N-th approval of the run, or the one of ENVIRONMENT)
expand:MIGRATION | contract:MIGRATION  (the migration phase's first step fails)
(@REGION is left out when the plan has no regions)";

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// A service's new build answers its health checks unhealthy in a region, after `after` good ones.
    Health {
        /// The service id.
        service: String,
        /// The region id.
        region: Option<String>,
        /// Good answers before failing.
        after: u32,
    },
    /// The service's deploy command fails in a region: on every try, or on the first `tries`.
    Deploy {
        /// The service id.
        service: String,
        /// The region id.
        region: Option<String>,
        /// `None`: every try; `Some(k)`: a transient failure that clears after k tries.
        tries: Option<u32>,
    },
    /// An approval is rejected or times out.
    Approval {
        /// Which approval.
        which: crate::rehearse::engine::ApprovalRef,
        /// `true` for a timeout, `false` for a rejection.
        timeout: bool,
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
        let at = |service: &str, region: &Option<String>| match region {
            Some(r) => format!("{service}@{r}"),
            None => service.to_owned(),
        };
        match self {
            Fault::Health {
                service,
                region,
                after: 0,
            } => write!(f, "health:{}", at(service, region)),
            Fault::Health {
                service,
                region,
                after,
            } => write!(f, "health:{}:after={after}", at(service, region)),
            Fault::Deploy {
                service,
                region,
                tries: None,
            } => write!(f, "deploy:{}", at(service, region)),
            Fault::Deploy {
                service,
                region,
                tries: Some(k),
            } => write!(f, "transient:{}:tries={k}", at(service, region)),
            Fault::Approval { which, timeout } => {
                let which = match which {
                    crate::rehearse::engine::ApprovalRef::Ordinal(n) => n.to_string(),
                    crate::rehearse::engine::ApprovalRef::Name(n) => n.clone(),
                };
                write!(
                    f,
                    "approval:{which}:{}",
                    if *timeout { "timeout" } else { "reject" }
                )
            }
            Fault::Migration { migration, phase } => write!(f, "{phase}:{migration}"),
        }
    }
}

/// A named set of faults (none: the happy path).
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

    /// Whether a fault makes a deployment fail for good (not absorbed by retries).
    pub fn fails_deployment(&self) -> Option<(&str, Option<&str>)> {
        self.faults.iter().find_map(|f| match f {
            Fault::Health {
                service, region, ..
            }
            | Fault::Deploy {
                service,
                region,
                tries: None,
            } => Some((service.as_str(), region.as_deref())),
            _ => None,
        })
    }
}

fn bad(spec: &str, why: &str) -> String {
    format!("bad fault `{spec}`: {why}; the forms are:\n{FAULT_FORMS}")
}

/// Parses a fault spec against the plan (its services, regions and migrations).
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
            let (service, region) = service_region(spec, subject, plan)?;
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
                    service,
                    region,
                    after: number("after", 0)?,
                },
                "transient" => Fault::Deploy {
                    service,
                    region,
                    tries: Some(number("tries", 1)?.max(1)),
                },
                _ if option.is_some() => return Err(bad(spec, "deploy takes no option")),
                _ => Fault::Deploy {
                    service,
                    region,
                    tries: None,
                },
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
                Ok(n) => crate::rehearse::engine::ApprovalRef::Ordinal(n),
                Err(_) => crate::rehearse::engine::ApprovalRef::Name(subject.to_owned()),
            };
            Ok(Fault::Approval { which, timeout })
        }
        "expand" | "contract" => {
            if option.is_some() {
                return Err(bad(spec, "a migration fault takes no option"));
            }
            let migration = plan
                .migrations
                .iter()
                .find(|m| m.id.as_str() == subject)
                .ok_or_else(|| bad(spec, &format!("the plan has no migration `{subject}`")))?;
            let phase = if kind == "expand" {
                "expand"
            } else {
                "contract"
            };
            if (phase == "expand" && migration.expand.is_empty())
                || (phase == "contract" && migration.contract.is_empty())
            {
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
        _ => Err(bad(spec, &format!("`{kind}` is not a kind of fault"))),
    }
}

fn service_region(
    spec: &str,
    subject: &str,
    plan: &Plan,
) -> Result<(String, Option<String>), String> {
    let (service, region) = match subject.split_once('@') {
        Some((s, r)) => (s, Some(r)),
        None => (subject, None),
    };
    if plan.service(&service.into()).is_none() {
        return Err(bad(spec, &format!("the plan has no service `{service}`")));
    }
    match (region, plan.regions.is_empty()) {
        (None, true) => Ok((service.to_owned(), None)),
        (None, false) => Err(bad(spec, "name the region (SERVICE@REGION)")),
        (Some(r), _) if plan.region(&r.into()).is_some() => {
            Ok((service.to_owned(), Some(r.to_owned())))
        }
        (Some(r), _) => Err(bad(spec, &format!("the plan has no region `{r}`"))),
    }
}

/// Every single-fault scenario of a pipeline that deploys `services` (and runs the migrations when
/// `migrations`), which asked `approvals` approvals on its happy path.
pub fn single_faults(
    plan: &Plan,
    services: &[String],
    migrations: bool,
    approvals: usize,
) -> Vec<Scenario> {
    let regions: Vec<Option<String>> = if plan.regions.is_empty() {
        vec![None]
    } else {
        plan.regions
            .iter()
            .map(|r| Some(r.id.as_str().to_owned()))
            .collect()
    };
    let attempts = plan.rollout.retry.attempts;
    let mut faults = Vec::new();
    for service in plan
        .services
        .iter()
        .filter(|s| services.contains(&s.id.as_str().to_owned()))
    {
        let id = service.id.as_str().to_owned();
        let slot_swap = matches!(
            service.target,
            DeployTarget::AppService { slot: Some(_), .. }
        ) && matches!(
            service.strategy,
            Strategy::SlotSwap | Strategy::BlueGreen | Strategy::Canary { .. }
        );
        for region in &regions {
            if service.health_check.is_some() {
                faults.push(Fault::Health {
                    service: id.clone(),
                    region: region.clone(),
                    after: 0,
                });
                if slot_swap {
                    faults.push(Fault::Health {
                        service: id.clone(),
                        region: region.clone(),
                        after: 1,
                    });
                }
            }
            faults.push(Fault::Deploy {
                service: id.clone(),
                region: region.clone(),
                tries: None,
            });
            if attempts > 1 {
                faults.push(Fault::Deploy {
                    service: id.clone(),
                    region: region.clone(),
                    tries: Some(attempts - 1),
                });
            }
        }
    }
    for n in 1..=approvals {
        for timeout in [false, true] {
            faults.push(Fault::Approval {
                which: crate::rehearse::engine::ApprovalRef::Ordinal(n),
                timeout,
            });
        }
    }
    if migrations {
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
            "health:claims-api@eastus:after=1",
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
        let all = single_faults(&plan, &services, true, 2);
        assert!(all.iter().all(|s| s.faults.len() == 1));
        assert!(
            all.iter()
                .any(|s| s.name() == "health:claims-api@eastus:after=1")
        );
        assert!(all.iter().any(|s| s.name() == "contract:claim-status"));
        assert!(all.iter().any(|s| s.name() == "approval:2:timeout"));
    }
}
