//! The Markdown runbook of a hotfix path, for a tired on-call engineer at 3 a.m.: who does what, the
//! steps in order with their time budgets, the exact commands, and what to do when a step fails. It
//! is written from the hotfix pipeline's IR, so it says what the pipeline does and no more; where a
//! platform cannot enforce what the plan asks, it says so.
//!
//! Plan text in a copy-paste shell block is a single-quoted shell word; in running text it is
//! Markdown-escaped; in a code span it cannot close the span.

use std::fmt::Write as _;

use super::setup::shell_word;
use crate::plan::{Approval, BranchingModel, IncidentSeverity, ReleaseCheck};
use crate::release::{HotfixSpec, Pipeline, StageRole, Value, Work};

/// Where the generated pipelines of one runbook live, for the "run it" section.
pub struct RunbookPipelines {
    /// The GitHub workflow file, if GitHub was exported.
    pub github: Option<String>,
    /// The Azure pipeline file, if Azure was exported.
    pub azure: Option<String>,
}

/// The runbook's Markdown text.
pub fn runbook_markdown(
    plan_name: &str,
    pipeline: &Pipeline,
    runbook: &HotfixSpec,
    paths: &RunbookPipelines,
) -> String {
    let mut writer = Writer {
        md: String::new(),
        pipeline,
        runbook,
    };
    writer.summary(plan_name);
    writer.roles();
    writer.before_you_start();
    writer.run_it(paths);
    writer.steps();
    writer.commands();
    writer.skips_and_keeps();
    writer.after_the_deploy();
    writer.md
}

/// The document being written, and what it describes.
struct Writer<'a> {
    md: String,
    pipeline: &'a Pipeline,
    runbook: &'a HotfixSpec,
}

impl Writer<'_> {
    fn line(&mut self, text: &str) {
        self.md.push_str(text);
        self.md.push('\n');
    }

    /// A fenced code block long enough that `text` cannot close it.
    fn fenced(&mut self, language: &str, text: &str) {
        let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        // Writing to a String cannot fail.
        writeln!(self.md, "{fence}{language}\n{text}\n{fence}").ok();
    }

    fn summary(&mut self, plan_name: &str) {
        let runbook = self.runbook;
        self.line(&html_header(plan_name));
        self.line(&format!("# Hotfix runbook: {}\n", inline(&runbook.name)));
        let severity = match runbook.severity {
            IncidentSeverity::P0 => "P0 (production down)",
            IncidentSeverity::P1 => "P1 (major feature broken)",
        };
        self.line(&format!(
            "- **For:** {severity} incidents in {}",
            joined(&runbook.services, ", ")
        ));
        self.line(&format!(
            "- **Branching:** {} — start from `{}`, branch name `{}`",
            runbook.branching.label(),
            code(&runbook.source_ref),
            code(&runbook.branch_pattern)
        ));
        self.line(&format!(
            "- **Deploys to:** {}",
            joined(&runbook.environments, ", then ")
        ));
        self.line(&format!(
            "- **Incident bridge:** {}",
            inline(&runbook.incident_bridge)
        ));
        self.line(
            "\nHotfix is not \"skip everything\": critical tests, a security scan and one audited approval stay. Decide nothing new at 3 a.m.: follow the steps.\n",
        );
    }

    fn roles(&mut self) {
        self.line("## Roles\n");
        self.line(
            "- **On-call engineer** — creates the hotfix branch, starts the pipeline, watches it, opens the incident bridge.",
        );
        match &self.runbook.approval {
            Some(approval) => self.approver(approval),
            None => self
                .line("- **Approver** — none configured: fix the plan before using this runbook."),
        }
        self.line(
            "- **Incident commander** — keeps the bridge open until monitoring ends and the backfill passes.\n",
        );
    }

    fn approver(&mut self, approval: &Approval) {
        let who = approval
            .approvers
            .iter()
            .map(|a| inline(a))
            .collect::<Vec<_>>()
            .join(", ");
        self.line(&format!(
            "- **Approver** — {who}; the approval is recorded in the pipeline run."
        ));
        if approval.prevent_self_review {
            self.line("- The person who starts the run cannot approve it.");
        }
        // What each platform actually enforces, so nobody relies on a guarantee it does not give.
        if approval.required > 1 {
            self.line(&format!(
                "- The plan asks for {} approvals, but neither platform can require that many for this step: GitHub needs one reviewer of the environment, and Azure's in-pipeline approval (`ManualValidation@1`) completes with the first approver. Get the others' agreement on the bridge before approving.",
                approval.required
            ));
        }
        if let Some(minutes) = approval.timeout_minutes {
            self.line(&format!(
                "- On Azure the approval is rejected after {minutes} min. GitHub approvals do not expire: the run waits up to 30 days, so cancel a stale run by hand."
            ));
        }
    }

    fn before_you_start(&mut self) {
        let runbook = self.runbook;
        self.line("## Before you start\n");
        self.line("1. Join the incident bridge and say you are starting the hotfix path.");
        self.line("2. Create the hotfix branch and commit the fix:\n");
        let start = format!(
            "git fetch origin\ngit switch --create {} {}\n# commit the fix, then:\ngit push --set-upstream origin HEAD",
            shell_word(&example_branch(&runbook.branch_pattern)),
            shell_word(&format!("origin/{}", runbook.source_ref))
        );
        self.fenced("sh", &start);
        self.line("");
    }

    fn run_it(&mut self, paths: &RunbookPipelines) {
        let branch = shell_word(&example_branch(&self.runbook.branch_pattern));
        self.line("## Run the pipeline\n");
        if let Some(path) = &paths.github {
            let file = path.rsplit('/').next().unwrap_or(path);
            self.line(&format!(
                "**GitHub Actions** (`{}`): Actions → *{}* → Run workflow, pick the hotfix branch, give the incident id. Or:\n",
                code(path),
                inline(&self.pipeline.title)
            ));
            self.fenced(
                "sh",
                &format!(
                    "gh workflow run {} --ref {branch} -f incident=INC-1234",
                    shell_word(file)
                ),
            );
            self.line("");
        }
        if let Some(path) = &paths.azure {
            self.line(&format!(
                "**Azure Pipelines** (`{}`): Pipelines → the pipeline created from this file → Run pipeline, pick the hotfix branch, give the incident id (the run does not start without one). Or:\n",
                code(path)
            ));
            self.fenced(
                "sh",
                &format!(
                    "az pipelines run --name {} --branch {branch} --parameters incident=INC-1234",
                    shell_word(&self.pipeline.file_stem)
                ),
            );
            self.line("");
        }
        self.line(&format!(
            "The pipeline refuses to run from any branch that does not match `{}`.\n",
            code(&self.runbook.branch_pattern)
        ));
    }

    fn steps(&mut self) {
        self.line("## Steps, in order\n");
        self.line("| # | Step | Budget | If it fails |");
        self.line("|---|------|--------|-------------|");
        for (index, stage) in self.pipeline.stages.iter().enumerate() {
            let (budget, failure) = step_notes(self.runbook, &stage.work, stage.role);
            self.line(&format!(
                "| {} | {} | {budget} | {failure} |",
                index + 1,
                inline(&stage.title)
            ));
        }
        self.line("");
        self.line(
            "The tests, the scan and the build start together; nothing deploys before all three pass and the approver approves.\n",
        );
    }

    fn commands(&mut self) {
        self.line("## The exact commands\n");
        for command in &self.runbook.commands {
            self.line(&format!(
                "**{}** — budget {} min:\n",
                command.title, command.budget_minutes
            ));
            self.fenced("sh", &command.command);
            self.line("");
        }
    }

    fn skips_and_keeps(&mut self) {
        let runbook = self.runbook;
        self.line("## What this path skips, and why\n");
        if runbook.skips.is_empty() {
            self.line("Nothing of the standard release is skipped.");
        }
        for check in &runbook.skips {
            self.line(&format!(
                "- **{}** — {}",
                check.label(),
                skip_reason(*check)
            ));
        }
        let rollback = if runbook.automatic_rollback {
            "automatic rollback"
        } else {
            "a rollback a person approves"
        };
        let mut kept = vec![format!(
            "critical tests, the security scan, one audited approval, health gates and {rollback} on every deployment"
        )];
        kept.extend(
            runbook
                .keeps
                .iter()
                .filter(|k| k.enforced_by.is_some())
                .map(|k| k.check.label().to_owned()),
        );
        self.line(&format!("\nIt keeps: {}.\n", kept.join(", and ")));
        let manual: Vec<&str> = runbook
            .keeps
            .iter()
            .filter(|k| k.enforced_by.is_none())
            .map(|k| k.check.label())
            .collect();
        if !manual.is_empty() {
            self.line(&format!(
                "The plan also keeps {}, but no step of the pipeline runs it: the approver confirms it was done by hand before approving.\n",
                manual.join(", ")
            ));
        }
    }

    fn after_the_deploy(&mut self) {
        let runbook = self.runbook;
        self.line("## Monitoring\n");
        self.line(&format!(
            "For {} minutes after the deploy the pipeline checks every affected service's health endpoint each minute and fails loudly on the first bad answer. Keep the incident bridge ({}) open for that window, watch dashboards and error rates, and page the service owners if anything moves.\n",
            runbook.monitoring_minutes,
            inline(&runbook.incident_bridge)
        ));
        self.line("## If a deployment fails\n");
        self.line(if runbook.automatic_rollback {
            "Each deployment has a health gate; when it fails, the pipeline rolls that service back in that region only if the new build reached production (it never promotes a build that did not), and stops before anything that depends on it. Regions already healthy are not rolled back. Re-run the failed stage once for a transient error (throttling, timeouts); if it fails again, the fix itself is wrong: go back to the branch.\n"
        } else {
            "Each deployment has a health gate; when it fails, the pipeline stops before anything that depends on it and waits for the approver to approve the rollback of that service in that region (which acts only if the new build reached production: it never promotes a build that did not). Regions already healthy are not rolled back. Re-run the failed stage once for a transient error (throttling, timeouts); if it fails again, the fix itself is wrong: go back to the branch.\n"
        });
        self.merge_back();
        self.line("## Backfill (non-negotiable)\n");
        match runbook.backfill_minutes {
            Some(minutes) => self.line(&format!(
                "The pipeline's last step runs the full suite on the hotfix branch (budget {minutes} min). Then ship a standard release that includes the fix with complete testing, and close the incident.\n"
            )),
            None => self.line("No backfill suite is configured: fix the plan.\n"),
        }
    }

    fn merge_back(&mut self) {
        let runbook = self.runbook;
        self.line("## Merge back\n");
        let targets = runbook
            .merge_back
            .iter()
            .map(|b| format!("`{}`", code(b)))
            .collect::<Vec<_>>()
            .join(" and ");
        self.line(&match runbook.branching {
            BranchingModel::GitFlow => format!(
                "The pipeline opens pull requests merging the hotfix branch into {targets}. Merge them today, or the next release regresses."
            ),
            BranchingModel::TrunkBased | BranchingModel::ReleaseBranch => format!(
                "The pipeline cherry-picks the fix — the commits the hotfix branch added since `{}`, and nothing else — onto {targets} and opens pull requests. Merge them today, or the next release regresses.",
                code(&runbook.source_ref)
            ),
        });
        self.line(
            "\nPull requests the pipeline opens with its own token do not start your CI (GitHub and Azure DevOps both refuse to trigger runs from them): push an empty commit or re-run the checks on each pull request before merging. On GitHub the repository must allow Actions to create pull requests (the setup script turns it on).\n",
        );
    }
}

fn step_notes(runbook: &HotfixSpec, work: &Work, role: StageRole) -> (String, &'static str) {
    match work {
        Work::Build { .. } => ("—".into(), "fix the build on the branch and re-run"),
        Work::Gate(_) => (
            runbook
                .approval
                .as_ref()
                .and_then(|a| a.timeout_minutes)
                .map_or_else(|| "—".into(), |m| format!("≤ {m} min")),
            "rejected or timed out: nothing was deployed; talk to the approver",
        ),
        Work::Soak { minutes } => (format!("{minutes} min"), "—"),
        Work::Barrier | Work::ChainStart { .. } => ("—".into(), "—"),
        Work::Deploy(call) => {
            let budget = call
                .argument("timeout_minutes")
                .map_or_else(|| "—".to_owned(), |minutes| format!("≤ {minutes} min"));
            let failure = if runbook.automatic_rollback {
                "rolled back automatically where it reached production; see below"
            } else {
                "the rollback waits for the approver; see below"
            };
            (budget, failure)
        }
        Work::Job(job) => {
            let budget = job.steps.iter().filter_map(|s| s.timeout_minutes).max();
            let limit = match &job.timeout_minutes {
                Value::Number(minutes) => minutes.to_string(),
                _ => "—".to_owned(),
            };
            let budget = budget.map_or_else(|| format!("≤ {limit} min"), |m| format!("{m} min"));
            (budget, job_failure(role))
        }
    }
}

/// What to do when a job of this role fails.
fn job_failure(role: StageRole) -> &'static str {
    match role {
        StageRole::CriticalTests | StageRole::SecurityScan => {
            "stop: the fix is not safe to ship; fix it on the branch"
        }
        StageRole::Monitor => {
            "the fix may be hurting production: consider rolling back, tell the bridge"
        }
        StageRole::MergeBack => "merge by hand today",
        _ => "open a ticket; the standard release must include a passing suite",
    }
}

fn skip_reason(check: ReleaseCheck) -> &'static str {
    match check {
        ReleaseCheck::FullRegression => {
            "too slow for an outage; it runs afterwards as the backfill"
        }
        ReleaseCheck::StagingSoak => {
            "production is already broken; enhanced monitoring replaces the soak"
        }
        ReleaseCheck::LowerEnvironments => {
            "the hotfix environment is production-like, so it proves the fix"
        }
        ReleaseCheck::Uat => {
            "users are already affected; acceptance happens in the follow-up release"
        }
        ReleaseCheck::PerformanceTests => "the follow-up standard release runs them",
        ReleaseCheck::SmokeTests => "health gates still check every deployment",
    }
}

/// The names in `items`, Markdown-escaped, joined with `separator`.
fn joined(items: &[String], separator: &str) -> String {
    items
        .iter()
        .map(|item| inline(item))
        .collect::<Vec<_>>()
        .join(separator)
}

fn example_branch(pattern: &str) -> String {
    pattern.replace('*', "short-description")
}

/// Plan text in running Markdown: on one line, with the characters Markdown acts on escaped.
pub(super) fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if super::comment::needs_escape(c) => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Plan text inside a code span: backticks cannot be escaped there, so they become quotes.
pub(super) fn code(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '`' => '\''.to_string(),
            c if super::comment::needs_escape(c) => format!("\\u{{{:x}}}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

/// Plan text inside an HTML comment: `--` cannot appear, and it stays on one line.
/// A runbook's first line: the generated-file header as an HTML comment.
pub(super) fn html_header(plan_name: &str) -> String {
    format!(
        "<!-- Generated by Cutover from plan \"{}\". Do not edit by hand: change the plan and run `cutover export`. -->",
        html_comment(plan_name)
    )
}

fn html_comment(text: &str) -> String {
    super::comment::comment_text(text)
        .replace("--", "- -")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_text_cannot_close_a_comment_a_span_or_a_line() {
        assert!(!html_comment("a -->\nb").contains("-->"));
        assert!(!html_comment("a -->\nb").contains('\n'));
        assert!(!code("x`y\u{2028}z").contains(['`', '\u{2028}']));
        assert_eq!(inline("a|b"), "a\\|b");
    }
}
