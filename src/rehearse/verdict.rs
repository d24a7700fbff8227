//! The verdicts: checks over the estate's event log of a scenario, stating what the plan promises.
//! Order (nothing deploys before what it depends on is healthy at the same place), expand–contract,
//! the run's result, a complete estate after a success, containment of a failure (earlier places
//! untouched, the failing service back on its previous build or waiting for an approved rollback,
//! later places never started, no contract), approvals that stop what is behind them, hotfix gates,
//! traffic between regions ([`traffic`]), and parity of the platforms.

mod traffic;

use std::collections::BTreeSet;

use super::engine::{Outcome, Rehearsed};
use super::estate::{Estate, Event, EventKind, Kind, PREVIOUS};
use super::scenario::{Fault, Scenario, Spot};
use crate::plan::{FailureAction, GateFailure, HotfixRunbook, Plan};

/// One verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Its name (`order`, `expand-contract`, `outcome`…).
    pub name: &'static str,
    /// Whether it holds.
    pub holds: bool,
    /// What was checked, or what is wrong.
    pub detail: String,
}

fn verdict(name: &'static str, problems: Vec<String>, checked: String) -> Verdict {
    match problems.first() {
        None => Verdict {
            name,
            holds: true,
            detail: checked,
        },
        Some(first) => {
            let more = if problems.len() > 1 {
                format!(" (and {} more)", problems.len() - 1)
            } else {
                String::new()
            };
            Verdict {
                name,
                holds: false,
                detail: format!("{first}{more}"),
            }
        }
    }
}

/// What is judged: a pipeline's rehearsal in a scenario.
pub struct Subject<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The services the pipeline deploys.
    pub services: &'a [String],
    /// Where it deploys them, in rollout order: (environment, region).
    pub places: &'a [(String, Option<String>)],
    /// The environment faults without one refer to (the pipeline's last).
    pub environment: &'a str,
    /// The runbook, for a hotfix pipeline.
    pub hotfix: Option<&'a HotfixRunbook>,
    /// Whether the pipeline runs the migrations (the release).
    pub migrations: bool,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// What happened.
    pub rehearsed: &'a Rehearsed,
}

impl Subject<'_> {
    fn estate(&self) -> &Estate {
        &self.rehearsed.estate
    }

    fn log(&self) -> &[Event] {
        &self.rehearsed.estate.log
    }

    fn is_new(&self, build: &str) -> bool {
        let builds: BTreeSet<String> = (0..self.rehearsed.runs.len())
            .map(|i| format!("{}", 1001 + i))
            .collect();
        builds.contains(build)
    }

    fn label(&self, target: usize) -> String {
        self.estate().label(target)
    }

    /// The target a fault's spot names.
    fn spot_target(&self, spot: &Spot) -> Option<usize> {
        let environment = spot.environment.as_deref().unwrap_or(self.environment);
        self.estate()
            .target_of(&spot.service, environment, spot.region.as_deref())
    }

    /// The position of a target's place in the rollout (a global target: its environment's first).
    fn place_index(&self, target: usize) -> Option<usize> {
        let t = &self.estate().targets[target];
        self.places
            .iter()
            .position(|(e, r)| *e == t.environment && (t.region.is_none() || *r == t.region))
    }

    fn in_pipeline(&self, target: usize) -> bool {
        self.services
            .contains(&self.estate().targets[target].service)
            && self.place_index(target).is_some()
    }

    /// When a target's new build was first ready: healthy in production, or checked (databases),
    /// or serving (targets without a health endpoint).
    fn ready_at(&self, target: usize) -> Option<u64> {
        let has_health = self.estate().targets[target].health.is_some();
        self.log().iter().find_map(|e| match &e.kind {
            EventKind::Health {
                target: t,
                slot: None,
                build,
                healthy: true,
            } if *t == target && self.is_new(build) => Some(e.time),
            EventKind::DatabaseChecked {
                target: t,
                ok: true,
            } if *t == target && !has_health => Some(e.time),
            EventKind::Serving {
                target: t, build, ..
            } if *t == target && !has_health && self.is_new(build) => Some(e.time),
            _ => None,
        })
    }

    /// Events that put a new build somewhere (deployments), with their target.
    fn deployments(&self) -> impl Iterator<Item = (usize, &Event)> {
        self.log().iter().filter_map(move |e| match &e.kind {
            EventKind::Staged { target, build } | EventKind::Serving { target, build, .. }
                if self.is_new(build) =>
            {
                Some((*target, e))
            }
            _ => None,
        })
    }

    /// Whether the scenario's faults made something fail for good, so the run must fail.
    fn expect_failure(&self) -> bool {
        let attempts = self.plan.rollout.retry.attempts;
        self.scenario.faults.iter().any(|fault| match fault {
            Fault::Health { spot, .. } => self.spot_target(spot).is_some_and(|t| {
                self.log().iter().any(|e| matches!(&e.kind, EventKind::Health { target, healthy: false, .. } if *target == t))
            }),
            Fault::Deploy { spot, tries } => {
                tries.is_none_or(|k| k >= attempts)
                    && self.spot_target(spot).is_some_and(|t| {
                        self.log().iter().any(|e| matches!(&e.kind, EventKind::Fault { target: Some(x), .. } if *x == t))
                    })
            }
            Fault::Approval { .. } => self.refused().is_some(),
            Fault::Migration { migration, phase } => self.log().iter().any(|e| {
                matches!(&e.kind, EventKind::Migration { migration: m, phase: p, ok: false, .. } if m == migration && p == phase)
            }),
            Fault::Gate { .. } => self.failed_gate().is_some(),
            Fault::Traffic { .. } => self.log().iter().any(|e| {
                matches!(&e.kind, EventKind::RouterHealth { healthy: false, .. })
            }),
        })
    }

    /// The first failing answer of a quality gate: the event, and the gate's signal.
    fn failed_gate(&self) -> Option<(&Event, usize)> {
        self.log().iter().find_map(|e| match &e.kind {
            EventKind::Gate {
                signal,
                passing: false,
            } => Some((e, *signal)),
            _ => None,
        })
    }

    /// The first approval refused (rejected, or timed out without resuming).
    fn refused(&self) -> Option<&Event> {
        self.log().iter().find(|e| matches!(&e.kind, EventKind::Approval { decision, .. } if decision != "approved" && !decision.ends_with("(resume)")))
    }
}

/// Every verdict that applies to a rehearsal.
pub fn judge(subject: &Subject) -> Vec<Verdict> {
    let mut verdicts = vec![outcome(subject), order(subject)];
    if subject.migrations && !subject.plan.migrations.is_empty() {
        verdicts.push(expand_contract(subject));
    }
    if !subject.expect_failure() {
        verdicts.push(complete(subject));
    }
    if let Some(v) = containment(subject) {
        verdicts.push(v);
    }
    if let Some(v) = gate_containment(subject) {
        verdicts.push(v);
    }
    if let Some(v) = traffic::traffic(subject) {
        verdicts.push(v);
    }
    if let Some(v) = approval_stops(subject) {
        verdicts.push(v);
    }
    if subject.hotfix.is_some() {
        verdicts.push(hotfix_gates(subject));
    }
    verdicts
}

fn outcome(s: &Subject) -> Verdict {
    let expect_failure = s.expect_failure();
    let failed = s
        .rehearsed
        .runs
        .iter()
        .any(|(_, o)| !o.ok() && *o != Outcome::Skipped);
    let problems = match (expect_failure, failed) {
        (true, false) => {
            vec!["the scenario's fault made nothing fail: the run reports success".to_owned()]
        }
        (false, true) => {
            let why = s
                .rehearsed
                .timeline
                .iter()
                .find(|e| e.job && e.outcome == Outcome::Failed)
                .map(|e| format!("{}: {}", e.path, e.note))
                .unwrap_or_default();
            vec![format!(
                "the run failed without a fault that should fail it ({why})"
            )]
        }
        _ => Vec::new(),
    };
    let expected = if expect_failure {
        "fails, as the fault demands"
    } else {
        "succeeds"
    };
    verdict("outcome", problems, format!("the run {expected}"))
}

fn order(s: &Subject) -> Verdict {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (target, event) in s.deployments() {
        let t = &s.estate().targets[target];
        for dependency in s
            .plan
            .dependencies
            .iter()
            .filter(|d| d.service.as_str() == t.service)
        {
            if !s.services.contains(&dependency.on.as_str().to_owned()) {
                continue;
            }
            let Some(dep) =
                s.estate()
                    .target_of(dependency.on.as_str(), &t.environment, t.region.as_deref())
            else {
                continue;
            };
            checked += 1;
            match s.ready_at(dep) {
                Some(ready) if ready <= event.time => {}
                Some(ready) => problems.push(format!(
                    "{} deployed at {} before {} was healthy (at {})",
                    s.label(target),
                    minutes(event.time),
                    s.label(dep),
                    minutes(ready)
                )),
                None => problems.push(format!(
                    "{} deployed at {} but {} never became healthy",
                    s.label(target),
                    minutes(event.time),
                    s.label(dep)
                )),
            }
        }
    }
    verdict(
        "order",
        problems,
        format!(
            "every deployment came after what it depends on was healthy at its place ({checked} checks)"
        ),
    )
}

fn expand_contract(s: &Subject) -> Verdict {
    let mut problems = Vec::new();
    for migration in &s.plan.migrations {
        let id = migration.id.as_str();
        let consumers = |environment: &str| -> Vec<usize> {
            (0..s.estate().targets.len())
                .filter(|t| {
                    let target = &s.estate().targets[*t];
                    target.environment == environment
                        && migration
                            .consumers
                            .iter()
                            .any(|c| c.as_str() == target.service)
                })
                .collect()
        };
        for (target, event) in s.deployments() {
            let t = &s.estate().targets[target];
            if migration.expand.is_empty()
                || !migration.consumers.iter().any(|c| c.as_str() == t.service)
            {
                continue;
            }
            let Some(database) = s.estate().target_of(
                migration.database.as_str(),
                &t.environment,
                t.region.as_deref(),
            ) else {
                continue;
            };
            let expanded = s.log().iter().find_map(|e| match &e.kind {
                EventKind::Migration {
                    migration: m,
                    phase,
                    ok: true,
                    target: Some(d),
                    ..
                } if m == id && phase == "expand" && *d == database => Some(e.time),
                _ => None,
            });
            if expanded.is_none_or(|done| done > event.time) {
                problems.push(format!(
                    "{} ran new code at {} before the expand of {id} on {} was done",
                    s.label(target),
                    minutes(event.time),
                    s.label(database)
                ));
            }
        }
        for e in s.log() {
            let EventKind::Migration {
                migration: m,
                phase,
                target: Some(database),
                started,
                ..
            } = &e.kind
            else {
                continue;
            };
            if m != id || phase != "contract" {
                continue;
            }
            let environment = s.estate().targets[*database].environment.clone();
            for consumer in consumers(&environment) {
                let runs_new = s
                    .log()
                    .iter()
                    .filter(|x| x.time <= *started)
                    .rev()
                    .find_map(|x| match &x.kind {
                        EventKind::Serving { target, build, .. } if *target == consumer => {
                            Some(s.is_new(build))
                        }
                        _ => None,
                    })
                    .unwrap_or(false);
                if !runs_new {
                    problems.push(format!("the contract of {id} on {} started at {} while {} did not run the new version", s.label(*database), minutes(*started), s.label(consumer)));
                }
            }
        }
    }
    problems.dedup();
    verdict("expand-contract", problems, "expand came before any new code, contract only after every consumer ran the new version everywhere".into())
}

fn complete(s: &Subject) -> Verdict {
    let mut problems = Vec::new();
    for (index, target) in s.estate().targets.iter().enumerate() {
        if !s.in_pipeline(index) {
            continue;
        }
        if let Kind::Database(db) = &target.kind {
            if s.migrations {
                for migration in s
                    .plan
                    .migrations
                    .iter()
                    .filter(|m| m.database.as_str() == target.service)
                {
                    for (phase, steps) in [
                        ("expand", &migration.expand),
                        ("contract", &migration.contract),
                    ] {
                        let mark = format!("{}:{phase}", migration.id);
                        if !steps.is_empty() && !db.schema.contains(&mark) {
                            problems.push(format!(
                                "{} is missing the {phase} of {}",
                                s.label(index),
                                migration.id
                            ));
                        }
                    }
                }
            }
            continue;
        }
        let serving = s.estate().serving(index);
        if !s.is_new(&serving) {
            problems.push(format!(
                "{} ends on build {serving}, not the new one",
                s.label(index)
            ));
        }
    }
    verdict(
        "complete",
        problems,
        "every service runs the new build at every place".into(),
    )
}

fn containment(s: &Subject) -> Option<Verdict> {
    if !s.expect_failure() {
        return None;
    }
    let mut problems = Vec::new();
    let attempts = s.plan.rollout.retry.attempts;
    if let Some(failing) = s
        .scenario
        .failing_spot(attempts)
        .and_then(|spot| s.spot_target(spot))
    {
        let k = s.place_index(failing).unwrap_or(0);
        for (index, target) in s.estate().targets.iter().enumerate() {
            if !s.in_pipeline(index) || matches!(target.kind, Kind::Database(_)) {
                continue;
            }
            let place = s.place_index(index).unwrap_or(0);
            if place < k && !s.is_new(&s.estate().serving(index)) {
                problems.push(format!(
                    "{} at an earlier place was touched: it ends on {}",
                    s.label(index),
                    s.estate().serving(index)
                ));
            }
            if place > k && s.log().iter().any(|e| matches!(&e.kind, EventKind::Staged { target, .. } | EventKind::Serving { target, .. } if *target == index)) {
                problems.push(format!("{} at a later place was deployed", s.label(index)));
            }
        }
        let serving = s.estate().serving(failing);
        if serving != PREVIOUS && !matches!(s.estate().targets[failing].kind, Kind::Database(_)) {
            problems.push(format!(
                "{} ends on {serving}, not on its previous build",
                s.label(failing)
            ));
        }
        if s.plan.rollout.on_failure == FailureAction::HaltWave {
            problems.extend(halt_wave_waited(s, failing));
        }
    }
    let contract_fault = s.scenario.faults.iter().any(|f| {
        matches!(
            f,
            Fault::Migration {
                phase: "contract",
                ..
            }
        )
    });
    if !contract_fault
        && s.log()
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Migration { phase, .. } if phase == "contract"))
    {
        problems.push("the contract phase ran after a failure".into());
    }
    Some(verdict("containment", problems, "earlier places untouched, the failing service back on its previous build, later places never started, no contract".into()))
}

/// After a failed quality gate: earlier places keep the new build, later places never start, and
/// the place whose gate failed is rolled back to the previous build (after a person approved it, when
/// the rollout halts the wave) or, for a gate that stops, left as it is.
fn gate_containment(s: &Subject) -> Option<Verdict> {
    let (failed, signal) = s.failed_gate()?;
    let estate = s.estate();
    let signal = estate.gates.get(signal)?;
    let gate = s
        .plan
        .rollout
        .gates
        .iter()
        .find(|g| g.id.as_str() == signal.gate)?;
    let k = s
        .places
        .iter()
        .position(|(e, r)| *e == signal.environment && *r == signal.region)?;
    let rolls_back = gate.on_failure == GateFailure::RollBack;
    let mut problems = Vec::new();
    for (index, target) in estate.targets.iter().enumerate() {
        if !s.in_pipeline(index) || matches!(target.kind, Kind::Database(_)) {
            continue;
        }
        let global = target.region.is_none() && signal.region.is_some();
        let place = s.place_index(index).unwrap_or(0);
        let serving = estate.serving(index);
        if place < k && !s.is_new(&serving) && !(global && target.environment == signal.environment)
        {
            problems.push(format!(
                "{} at an earlier place was touched: it ends on {serving}",
                s.label(index)
            ));
        }
        let deployed_later = s
            .deployments()
            .any(|(t, e)| t == index && e.time > failed.time);
        if place > k && deployed_later {
            problems.push(format!("{} at a later place was deployed", s.label(index)));
        }
        if place == k && !global {
            match (rolls_back, serving == PREVIOUS) {
                (true, false) => problems.push(format!(
                    "{} ends on {serving}: the failed gate `{}` did not roll it back",
                    s.label(index),
                    gate.id
                )),
                (false, true) => problems.push(format!(
                    "{} was rolled back, but the gate `{}` only stops the release",
                    s.label(index),
                    gate.id
                )),
                _ => {}
            }
        }
    }
    if rolls_back && s.plan.rollout.on_failure == FailureAction::HaltWave {
        let restored = s.log().iter().find(|e| {
            e.time >= failed.time
                && matches!(&e.kind, EventKind::Serving { build, .. } if build == PREVIOUS)
        });
        let approved = s.log().iter().any(|e| {
            e.time >= failed.time
                && restored.is_none_or(|r| e.time <= r.time)
                && matches!(&e.kind, EventKind::Approval { decision, .. } if decision == "approved")
        });
        if restored.is_some() && !approved {
            problems.push("the rollback ran without a person's approval (HaltWave)".into());
        }
    }
    let place = match &signal.region {
        Some(region) => format!("{}/{region}", signal.environment),
        None => signal.environment.clone(),
    };
    let what = if rolls_back {
        "rolled back"
    } else {
        "left for a person"
    };
    Some(verdict(
        "gate",
        problems,
        format!(
            "the gate `{}` failed at {place} at {}: earlier places kept, {place} {what}, later places never started",
            gate.id,
            minutes(failed.time)
        ),
    ))
}

/// With `HaltWave`, the failing service is restored only after a person approved the rollback.
fn halt_wave_waited(s: &Subject, failing: usize) -> Vec<String> {
    let restored = s.log().iter().find(|e| matches!(&e.kind, EventKind::Serving { target, build, .. } if *target == failing && build == PREVIOUS));
    let failed_at = s
        .log()
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Health { target, healthy: false, .. } if *target == failing) || matches!(&e.kind, EventKind::Fault { target: Some(t), .. } if *t == failing))
        .map(|e| e.time);
    match (restored, failed_at) {
        (Some(restore), Some(fail)) => {
            let approved = s.log().iter().any(|e| {
                matches!(&e.kind, EventKind::Approval { decision, .. } if decision == "approved")
                    && e.time >= fail
                    && e.time <= restore.time
            });
            if approved {
                Vec::new()
            } else {
                vec![format!(
                    "{} was rolled back without an approved rollback (HaltWave)",
                    s.label(failing)
                )]
            }
        }
        _ => Vec::new(),
    }
}

fn approval_stops(s: &Subject) -> Option<Verdict> {
    let stopped = s.refused()?;
    let mut problems = Vec::new();
    for e in s
        .log()
        .iter()
        .filter(|e| e.time > stopped.time && e.run == stopped.run)
    {
        let what = match &e.kind {
            EventKind::Staged { target, .. } | EventKind::Serving { target, .. } => {
                Some(format!("{} changed", s.label(*target)))
            }
            EventKind::Migration {
                migration, phase, ..
            } => Some(format!("the {phase} of {migration} ran")),
            EventKind::PullRequest { base, .. } => {
                Some(format!("a pull request into {base} was opened"))
            }
            _ => None,
        };
        if let Some(what) = what {
            problems.push(format!(
                "{what} at {} after the approval was refused at {}",
                minutes(e.time),
                minutes(stopped.time)
            ));
        }
    }
    Some(verdict(
        "approval-stops",
        problems,
        "a refused approval stopped everything behind it".into(),
    ))
}

fn hotfix_gates(s: &Subject) -> Verdict {
    let Some(runbook) = s.hotfix else {
        return verdict("hotfix-gates", Vec::new(), String::new());
    };
    // A check's command is known by its text alone, so a runbook whose check runs the same command
    // as another runbook's is logged under whichever the fakes found first: either one counts.
    let command = |runbook: &HotfixRunbook, what: &str| {
        match what {
            "critical tests" => runbook.critical_tests.as_ref(),
            _ => runbook.security_scan.as_ref(),
        }
        .map(|c| c.command.clone())
    };
    let passed = |what: &str| {
        let own = command(runbook, what);
        let same = |logged: &str| {
            logged == runbook.id.as_str()
                || s.plan
                    .runbooks
                    .iter()
                    .any(|r| r.id.as_str() == logged && own.is_some() && command(r, what) == own)
        };
        s.log().iter().find_map(|e| match &e.kind {
            EventKind::PlanCommand {
                what: w, ok: true, ..
            } => w
                .strip_prefix(what)
                .and_then(|rest| rest.strip_prefix(" of "))
                .filter(|logged| same(logged))
                .map(|_| e.time),
            _ => None,
        })
    };
    let approved = s.log().iter().find_map(|e| {
        matches!(&e.kind, EventKind::Approval { decision, .. } if decision == "approved")
            .then_some(e.time)
    });
    let mut problems = Vec::new();
    if let Some((target, first)) = s.deployments().next() {
        for (gate, at) in [
            ("the critical tests", passed("critical tests")),
            ("the security scan", passed("security scan")),
            ("the approval", approved),
        ] {
            match at {
                Some(t) if t <= first.time => {}
                _ => problems.push(format!(
                    "{} deployed at {} before {gate} passed",
                    s.label(target),
                    minutes(first.time)
                )),
            }
        }
    }
    if s.rehearsed.runs.iter().all(|(_, o)| o.ok()) {
        for branch in &runbook.merge_back {
            let opened = s
                .log()
                .iter()
                .any(|e| matches!(&e.kind, EventKind::PullRequest { base, .. } if base == branch));
            if !opened {
                problems.push(format!(
                    "no pull request brought the fix back into {branch}"
                ));
            }
        }
    }
    verdict(
        "hotfix-gates",
        problems,
        "the hotfix deployed only after its tests, scan and approval, and merged back".into(),
    )
}

/// Parity: both platforms leave the same estate in the same scenario.
pub fn parity(a: &Rehearsed, b: &Rehearsed) -> Verdict {
    let mut problems = Vec::new();
    for index in 0..a.estate.targets.len().min(b.estate.targets.len()) {
        let (x, y) = (a.estate.serving(index), b.estate.serving(index));
        let label = a.estate.label(index);
        if x != y {
            problems.push(format!("{label}: {x} on GitHub, {y} on Azure"));
        }
        if a.estate.schema(index) != b.estate.schema(index) {
            problems.push(format!(
                "{label}: the schema differs ({:?} on GitHub, {:?} on Azure)",
                a.estate.schema(index),
                b.estate.schema(index)
            ));
        }
    }
    let outcomes = |r: &Rehearsed| r.runs.iter().map(|(_, o)| o.ok()).collect::<Vec<_>>();
    if outcomes(a) != outcomes(b) {
        problems.push("the runs end differently on the two platforms".into());
    }
    verdict(
        "parity",
        problems,
        "both platforms reach the same estate".into(),
    )
}

/// Virtual seconds as minutes for messages.
pub fn minutes(seconds: u64) -> String {
    format!("{:.1} min", seconds as f64 / 60.0)
}
