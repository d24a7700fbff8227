//! The release's quality-gate runbook: every gate, what it checks, where and for how long, what a
//! failure does, and the secrets to create before the first run, for the release manager and on-call.

use std::fmt::Write as _;

use super::runbook::{RunbookPipelines, code, html_header, inline};
use crate::release::GateSummary;

/// The runbook's Markdown text for the release of `plan_name` with `gates`, run from `paths`.
pub fn gates_runbook_markdown(
    plan_name: &str,
    gates: &[GateSummary],
    paths: &RunbookPipelines,
) -> String {
    let mut md = String::new();
    // Writing to a String cannot fail.
    let mut line = |text: String| {
        md.push_str(&text);
        md.push('\n');
    };
    line(html_header(plan_name));
    line(format!(
        "# Release runbook: quality gates of {}\n",
        inline(plan_name)
    ));
    line(
        "The release waits on these gates at the end of each environment and region, beside the validation window. Nothing after a place starts until all its gates pass.\n"
            .to_owned(),
    );
    let pipelines: Vec<String> = [&paths.github, &paths.azure]
        .into_iter()
        .flatten()
        .map(|path| format!("`{}`", code(path)))
        .collect();
    if !pipelines.is_empty() {
        line(format!("- **Pipelines:** {}\n", pipelines.join(", ")));
    }
    line("## Gates\n".to_owned());
    line("| gate | checks | where | waits | polls | when it fails |".to_owned());
    line("| --- | --- | --- | --- | --- | --- |".to_owned());
    for gate in gates {
        let places = if gate.places.is_empty() {
            "nowhere (it applies to nothing the release deploys)".to_owned()
        } else {
            gate.places
                .iter()
                .map(|p| format!("`{}`", code(p)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let fails = if gate.rolls_back {
            "the place is rolled back; the release stops"
        } else {
            "the release stops; the place is left for a person"
        };
        line(format!(
            "| {} | {} | {places} | {} min | every {} s | {fails} |",
            inline(&gate.name),
            inline(&gate.check),
            gate.timeout_minutes,
            gate.interval_seconds
        ));
    }
    let secrets: Vec<&str> = gates
        .iter()
        .filter_map(|g| g.secret.as_deref())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    line("\n## Before the first run\n".to_owned());
    if secrets.is_empty() {
        line("No gate reads a secret.".to_owned());
    } else {
        let mut text = String::from(
            "Create these secrets (GitHub: repository or environment secrets; Azure: secret pipeline variables):",
        );
        for secret in secrets {
            write!(text, " `{}`", code(secret)).ok();
        }
        line(text);
    }
    line("\n## When a gate fails\n".to_owned());
    line(
        "1. The gate's job fails with the reason in its log (the alert rules that fired, the quality-gate status, the last answer).\n2. A gate that rolls back starts the place's `rollback_…` stage: it undoes that place's deployments, newest first, each only if it still runs this build. With a halted wave it waits for the rollback environment's approval.\n3. No later region or environment starts. Fix the cause, then run the release again.\n"
            .to_owned(),
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gate_is_listed_with_its_places_and_secrets_once() {
        let gate = |name: &str, secret: Option<&str>| GateSummary {
            name: name.to_owned(),
            check: "REST check: https://x answers 200".to_owned(),
            places: vec!["production/eastus".to_owned()],
            timeout_minutes: 10,
            interval_seconds: 60,
            rolls_back: true,
            secret: secret.map(str::to_owned),
        };
        let text = gates_runbook_markdown(
            "shop",
            &[
                gate("Probe | one", Some("TOKEN")),
                gate("Probe two", Some("TOKEN")),
            ],
            &RunbookPipelines {
                github: Some(".github/workflows/shop-release.yml".to_owned()),
                azure: None,
            },
        );
        assert!(text.contains("| Probe \\| one |"), "{text}");
        assert!(text.contains("| Probe two |"));
        assert!(text.contains("`production/eastus`"));
        assert_eq!(text.matches("`TOKEN`").count(), 1, "{text}");
    }
}
