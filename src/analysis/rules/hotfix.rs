//! Hotfix runbooks: hotfix is not "skip everything". Critical tests, a security scan and an approval
//! stay; the fix is merged back as the branching model requires and backfilled with the full suite; lower
//! environments are skipped only with a production-like hotfix environment.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::ObjectRef;
use crate::plan::{
    BranchingModel, EnvironmentKind, HotfixRunbook, Plan, ReleaseCheck, TimedCommand,
};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for runbook in &cx.plan.runbooks {
        check_runbook(cx.plan, runbook, out);
    }
}

fn check_runbook(plan: &Plan, runbook: &HotfixRunbook, out: &mut Vec<Diagnostic>) {
    let subject = || ObjectRef::Runbook(runbook.id.clone());
    let mut report = |code: Code, message: String, hint: &str| {
        out.push(Diagnostic::new(code, subject(), message, hint))
    };
    let id = &runbook.id;
    if runbook.approval.is_none() {
        report(
            Code::HotfixWithoutApproval,
            format!("hotfix `{id}` deploys without an approval"),
            "add a single, audited approver (the on-call lead)",
        );
    }
    if !has_command(runbook.critical_tests.as_ref()) {
        report(
            Code::HotfixWithoutTests,
            format!("hotfix `{id}` runs no critical tests"),
            "add the critical unit tests (about 2 minutes) that must pass before any hotfix",
        );
    }
    if !has_command(runbook.security_scan.as_ref()) {
        report(
            Code::HotfixWithoutScan,
            format!("hotfix `{id}` runs no security scan"),
            "add the security scan (about 1 minute)",
        );
    }
    if !has_command(runbook.backfill.as_ref()) {
        report(
            Code::HotfixWithoutBackfill,
            format!("hotfix `{id}` has no post-incident backfill"),
            "add the full regression suite to run on the hotfix branch afterwards",
        );
    }
    let missing: Vec<String> = required_merge_back(plan, runbook.branching)
        .into_iter()
        .filter(|branch| !runbook.merge_back.contains(branch))
        .collect();
    if !missing.is_empty() {
        report(
            Code::HotfixMergeBackIncomplete,
            format!(
                "hotfix `{id}` ({}) does not merge back to {}",
                runbook.branching.label(),
                missing
                    .iter()
                    .map(|b| format!("`{b}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            "merge (or cherry-pick) the fix back so the next release does not regress",
        );
    }
    if skips_lower_environments(plan, runbook)
        && !has_production_like_hotfix_environment(plan, runbook)
    {
        report(
            Code::HotfixSkipsWithoutProductionLike,
            format!(
                "hotfix `{id}` skips lower environments but no production-like hotfix environment proves it"
            ),
            "deploy to a hotfix environment marked production-like, or keep the lower environments",
        );
    }
    for check in &runbook.skips {
        if runbook.keeps.contains(check) {
            report(
                Code::HotfixCheckSkippedAndKept,
                format!("hotfix `{id}` both skips and keeps {}", check.label()),
                "remove the check from one of the two lists",
            );
        }
    }
    if runbook.services.is_empty() {
        report(
            Code::HotfixWithoutServices,
            format!("hotfix `{id}` deploys no service"),
            "list the services the fix touches",
        );
    }
}

fn has_command(command: Option<&TimedCommand>) -> bool {
    command.is_some_and(|c| !c.command.trim().is_empty())
}

/// The branches a fix must reach under each branching model.
pub(crate) fn required_merge_back(plan: &Plan, model: BranchingModel) -> Vec<String> {
    let repository = &plan.platforms.repository;
    match model {
        BranchingModel::GitFlow => {
            vec![
                repository.main_branch.clone(),
                repository
                    .develop_branch
                    .clone()
                    .unwrap_or_else(|| "develop".into()),
            ]
        }
        BranchingModel::TrunkBased | BranchingModel::ReleaseBranch => {
            vec![repository.main_branch.clone()]
        }
    }
}

fn skips_lower_environments(plan: &Plan, runbook: &HotfixRunbook) -> bool {
    runbook.skips.contains(&ReleaseCheck::LowerEnvironments)
        || plan.environment(&runbook.environment).is_some_and(|e| {
            matches!(
                e.kind,
                EnvironmentKind::Hotfix | EnvironmentKind::Production
            )
        })
}

fn has_production_like_hotfix_environment(plan: &Plan, runbook: &HotfixRunbook) -> bool {
    match plan.environment(&runbook.environment) {
        Some(target) if target.kind == EnvironmentKind::Hotfix => target.production_like,
        _ => plan
            .environments
            .iter()
            .any(|e| e.kind == EnvironmentKind::Hotfix && e.production_like),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{BranchingModel, EnvironmentKind, Id, ReleaseCheck};

    #[test]
    fn hotfix_is_not_skip_everything() {
        let mut plan = clean_plan();
        plan.runbooks[0].approval = None;
        single(&plan, Code::HotfixWithoutApproval);
        plan.runbooks[0].critical_tests = None;
        single(&plan, Code::HotfixWithoutTests);
        plan.runbooks[0]
            .security_scan
            .as_mut()
            .expect("scan")
            .command = "  ".into();
        single(&plan, Code::HotfixWithoutScan);
        plan.runbooks[0].backfill = None;
        single(&plan, Code::HotfixWithoutBackfill);
        for code in [
            Code::HotfixWithoutApproval,
            Code::HotfixWithoutTests,
            Code::HotfixWithoutScan,
            Code::HotfixWithoutBackfill,
        ] {
            none(&clean_plan(), code);
        }
    }

    #[test]
    fn git_flow_merges_back_to_main_and_develop() {
        let mut plan = clean_plan();
        plan.runbooks[0].merge_back = vec!["main".into()];
        assert!(
            single(&plan, Code::HotfixMergeBackIncomplete)
                .message
                .ends_with("`develop`")
        );
        plan.runbooks[0].branching = BranchingModel::TrunkBased;
        none(&plan, Code::HotfixMergeBackIncomplete);
        plan.runbooks[0].merge_back.clear();
        single(&plan, Code::HotfixMergeBackIncomplete);
        none(&clean_plan(), Code::HotfixMergeBackIncomplete);
    }

    #[test]
    fn skipping_lower_environments_needs_a_production_like_hotfix_environment() {
        let mut plan = clean_plan();
        plan.environments[0].production_like = false;
        single(&plan, Code::HotfixSkipsWithoutProductionLike);
        // Straight to production is fine only when a production-like hotfix environment exists.
        plan.runbooks[0].environment = Id::new("production");
        single(&plan, Code::HotfixSkipsWithoutProductionLike);
        plan.environments[0].production_like = true;
        none(&plan, Code::HotfixSkipsWithoutProductionLike);
        // Keeping the lower environments (deploying to staging) needs no hotfix environment.
        let mut plan = clean_plan();
        plan.environments[0].kind = EnvironmentKind::Staging;
        plan.environments[0].production_like = false;
        plan.runbooks[0]
            .skips
            .retain(|c| *c != ReleaseCheck::LowerEnvironments);
        none(&plan, Code::HotfixSkipsWithoutProductionLike);
    }

    #[test]
    fn a_check_cannot_be_both_skipped_and_kept() {
        let mut plan = clean_plan();
        plan.runbooks[0].keeps.push(ReleaseCheck::StagingSoak);
        single(&plan, Code::HotfixCheckSkippedAndKept);
        none(&clean_plan(), Code::HotfixCheckSkippedAndKept);
    }

    #[test]
    fn a_hotfix_deploys_something() {
        let mut plan = clean_plan();
        plan.runbooks[0].services.clear();
        single(&plan, Code::HotfixWithoutServices);
        none(&clean_plan(), Code::HotfixWithoutServices);
    }
}
