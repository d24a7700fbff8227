//! The rehearsal's report, as text for people and JSON for scripts: per pipeline, platform and
//! scenario the timeline (each job's start and end in virtual minutes, and its outcome), the final
//! estate (service × region → build) and the verdicts; then parity and a summary.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use super::engine::{Entry, Outcome};
use super::estate::{Estate, Kind, PREVIOUS};
use super::model::Platform;
use super::{Rehearsal, ScenarioResult};

fn minutes(seconds: Option<u64>) -> String {
    seconds.map_or_else(|| "-".to_owned(), |s| format!("{:.1}", s as f64 / 60.0))
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Succeeded => "success",
        Outcome::SucceededWithIssues => "issues",
        Outcome::Failed => "failure",
        Outcome::Canceled => "cancelled",
        Outcome::Skipped => "skipped",
    }
}

/// One row of the final estate: a target and what it ends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstateRow {
    /// The service id.
    pub service: String,
    /// The environment id.
    pub environment: String,
    /// The region id, if any.
    pub region: Option<String>,
    /// `service@environment/region`.
    pub label: String,
    /// What it ends on: `new (1001)`, `previous`, or a database's schema.
    pub state: String,
}

/// The targets at `places` (every target when `places` is empty) and what each ends on.
pub fn estate_rows(estate: &Estate, places: &[(String, Option<String>)]) -> Vec<EstateRow> {
    estate
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            places.is_empty()
                || places
                    .iter()
                    .any(|(e, r)| *e == t.environment && (t.region.is_none() || *r == t.region))
        })
        .map(|(index, t)| {
            let state = match &t.kind {
                Kind::Database(db) if db.schema.is_empty() => "schema unchanged".to_owned(),
                Kind::Database(db) => format!("schema {}", db.schema.join(", ")),
                _ => match estate.serving(index) {
                    build if build == PREVIOUS => "previous".to_owned(),
                    build if build.chars().all(|c| c.is_ascii_digit()) => format!("new ({build})"),
                    build => build,
                },
            };
            EstateRow {
                service: t.service.clone(),
                environment: t.environment.clone(),
                region: t.region.clone(),
                label: estate.label(index),
                state,
            }
        })
        .collect()
}

fn run_line(result: &ScenarioResult) -> String {
    let ok = result.verdicts.iter().all(|v| v.holds);
    let end = result
        .rehearsed
        .timeline
        .iter()
        .filter_map(|e| e.end)
        .max()
        .unwrap_or(0);
    let runs: Vec<&str> = result
        .rehearsed
        .runs
        .iter()
        .map(|(_, o)| outcome_name(*o))
        .collect();
    format!(
        "{} {} · {} · {}: run {}, {} min{}",
        if ok { "ok  " } else { "FAIL" },
        result.pipeline,
        result.platform.name(),
        result.scenario.name(),
        runs.join(" then "),
        end / 60,
        if ok {
            String::new()
        } else {
            format!(
                " — {}",
                result
                    .verdicts
                    .iter()
                    .filter(|v| !v.holds)
                    .map(|v| format!("{}: {}", v.name, v.detail))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        },
    )
}

fn timeline_text(entries: &[Entry], out: &mut String) {
    for e in entries.iter().filter(|e| e.job) {
        let note = if e.note.is_empty() {
            String::new()
        } else {
            format!("  ({})", e.note)
        };
        let _ = writeln!(
            out,
            "    {:>7} → {:>7}  {:<9} {}{}",
            minutes(e.start),
            minutes(e.end),
            outcome_name(e.outcome),
            e.path,
            note
        );
    }
}

fn detailed(result: &ScenarioResult, out: &mut String) {
    let _ = writeln!(
        out,
        "== {} · {} · {}",
        result.pipeline,
        result.platform.name(),
        result.scenario.name()
    );
    let _ = writeln!(out, "  timeline (virtual minutes):");
    timeline_text(&result.rehearsed.timeline, out);
    let _ = writeln!(out, "  estate:");
    for row in estate_rows(&result.rehearsed.estate, &result.places) {
        let _ = writeln!(out, "    {:<44} {}", row.label, row.state);
    }
    for (unit, step, text) in &result.rehearsed.failures {
        let _ = writeln!(out, "  failed step `{step}` in {unit}:");
        for line in text.lines() {
            let _ = writeln!(out, "    | {line}");
        }
    }
    let _ = writeln!(out, "  verdicts:");
    for v in &result.verdicts {
        let _ = writeln!(
            out,
            "    {} {:<16} {}",
            if v.holds { "ok  " } else { "FAIL" },
            v.name,
            v.detail
        );
    }
}

/// The report as text.
pub fn text(rehearsal: &Rehearsal) -> String {
    let mut out = String::new();
    let per_pair = rehearsal.results.len()
        / rehearsal
            .results
            .iter()
            .map(|r| (&r.pipeline, r.platform))
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            .max(1);
    if per_pair <= 1 {
        for result in &rehearsal.results {
            detailed(result, &mut out);
        }
    } else {
        for result in &rehearsal.results {
            let _ = writeln!(out, "{}", run_line(result));
        }
    }
    for (pipeline, scenario, v) in &rehearsal.parity {
        if !v.holds || per_pair <= 1 {
            let _ = writeln!(
                out,
                "{} parity · {pipeline} · {scenario}: {}",
                if v.holds { "ok  " } else { "FAIL" },
                v.detail
            );
        }
    }
    let failed = rehearsal
        .results
        .iter()
        .flat_map(|r| &r.verdicts)
        .filter(|v| !v.holds)
        .count()
        + rehearsal.parity.iter().filter(|(_, _, v)| !v.holds).count();
    let s = &rehearsal.stats;
    let _ = writeln!(
        out,
        "{}: {} scenario runs, {} verdicts failed ({} bash steps, {} fake-tool calls, {} bash workers, {:.1} s)",
        rehearsal.plan, s.scenarios, failed, s.scripts, s.calls, s.workers, s.seconds
    );
    out
}

fn result_json(result: &ScenarioResult) -> Json {
    json!({
        "pipeline": result.pipeline,
        "platform": result.platform.name(),
        "scenario": result.scenario.name(),
        "faults": result.scenario.faults.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "runs": result.rehearsed.runs.iter().map(|(file, o)| json!({"file": file, "outcome": outcome_name(*o)})).collect::<Vec<_>>(),
        "timeline": result.rehearsed.timeline.iter().filter(|e| e.job).map(|e| json!({
            "run": e.run,
            "job": e.path,
            "name": e.name,
            "start_minute": e.start.map(|s| s as f64 / 60.0),
            "end_minute": e.end.map(|s| s as f64 / 60.0),
            "outcome": outcome_name(e.outcome),
            "note": e.note,
        })).collect::<Vec<_>>(),
        "estate": estate_rows(&result.rehearsed.estate, &result.places).into_iter().map(|row| json!({"service": row.service, "environment": row.environment, "region": row.region, "state": row.state})).collect::<Vec<_>>(),
        "verdicts": result.verdicts.iter().map(|v| json!({"name": v.name, "holds": v.holds, "detail": v.detail})).collect::<Vec<_>>(),
        "resumed_at_minute": result.rehearsed.resumed_at.map(|s| s as f64 / 60.0),
        "bash_steps": result.rehearsed.scripts,
        "real_seconds": result.rehearsed.real_seconds,
    })
}

/// The report as JSON.
pub fn json(rehearsal: &Rehearsal) -> Json {
    json!({
        "plan": rehearsal.plan,
        "holds": rehearsal.holds(),
        "results": rehearsal.results.iter().map(result_json).collect::<Vec<_>>(),
        "parity": rehearsal.parity.iter().map(|(p, s, v)| json!({"pipeline": p, "scenario": s, "holds": v.holds, "detail": v.detail})).collect::<Vec<_>>(),
        "stats": {
            "scenarios": rehearsal.stats.scenarios,
            "bash_steps": rehearsal.stats.scripts,
            "fake_calls": rehearsal.stats.calls,
            "bash_workers": rehearsal.stats.workers,
            "seconds": rehearsal.stats.seconds,
        },
    })
}

/// The platforms' names, for messages.
pub fn platform_names(platforms: &[Platform]) -> String {
    platforms
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}
