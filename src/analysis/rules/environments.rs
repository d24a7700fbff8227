//! Environments and the platforms' own limits: every environment is deployed to by some pipeline,
//! the promotion path is a path, approvals ask only for what the platforms enforce, and no job is
//! asked to run longer than a hosted job may.

use std::collections::BTreeSet;

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::{Approval, Id, ObjectRef, Plan};

/// Minutes a job may run on GitHub-hosted runners (six hours), less the margin Cutover's jobs add
/// around a window or budget (<https://docs.github.com/en/actions/reference/limits>).
pub(super) const MAX_WINDOW_MINUTES: u32 = 340;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    promotion_path(plan, out);
    unused(plan, out);
    approvals(plan, out);
    windows(plan, out);
}

fn promotion_path(plan: &Plan, out: &mut Vec<Diagnostic>) {
    let mut seen = BTreeSet::new();
    for id in &plan.rollout.promote_through {
        if id == &plan.rollout.environment || !seen.insert(id) {
            out.push(Diagnostic::new(
                Code::PromotionPathInvalid,
                ObjectRef::Rollout,
                format!("the promotion path names `{id}` twice"),
                "list each environment the release passes through once, before the rollout environment",
            ));
        }
    }
}

/// The environments some pipeline deploys to.
fn used(plan: &Plan) -> BTreeSet<&Id> {
    let mut used: BTreeSet<&Id> = plan.rollout.promote_through.iter().collect();
    used.insert(&plan.rollout.environment);
    used.extend(plan.runbooks.iter().map(|r| &r.environment));
    used
}

fn unused(plan: &Plan, out: &mut Vec<Diagnostic>) {
    let used = used(plan);
    for environment in &plan.environments {
        if !used.contains(&environment.id) {
            out.push(Diagnostic::new(
                Code::UnusedEnvironment,
                ObjectRef::Environment(environment.id.clone()),
                format!(
                    "no pipeline deploys to `{}`, so its approvals and branch rules protect nothing",
                    environment.id
                ),
                "add it to the rollout's promote_through, make it a runbook's environment, or remove it",
            ));
        }
    }
}

fn approvals(plan: &Plan, out: &mut Vec<Diagnostic>) {
    for environment in &plan.environments {
        if let Some(approval) = &environment.approval {
            several_approvers(
                approval,
                ObjectRef::Environment(environment.id.clone()),
                "GitHub needs one reviewer of the environment (Azure's environment check enforces the number)",
                out,
            );
        }
    }
    for runbook in &plan.runbooks {
        if let Some(approval) = &runbook.approval {
            several_approvers(
                approval,
                ObjectRef::Runbook(runbook.id.clone()),
                "GitHub needs one reviewer, and Azure's in-pipeline approval completes with the first",
                out,
            );
        }
    }
}

fn several_approvers(
    approval: &Approval,
    subject: ObjectRef,
    platforms: &str,
    out: &mut Vec<Diagnostic>,
) {
    if approval.required > 1 {
        out.push(Diagnostic::new(
            Code::ApprovalNotEnforceable,
            subject,
            format!(
                "the approval asks for {} approvers, which the platforms cannot fully enforce: {platforms}",
                approval.required
            ),
            "the setup scripts and the runbooks say so; agree the other approvals on the incident bridge or in the review",
        ));
    }
}

/// Soaks, monitoring windows and command budgets run inside one job each.
fn windows(plan: &Plan, out: &mut Vec<Diagnostic>) {
    let mut too_long = |subject: ObjectRef, what: String, minutes: u32| {
        if minutes > MAX_WINDOW_MINUTES {
            out.push(Diagnostic::new(
                Code::JobTimeLimitExceeded,
                subject,
                format!("{what} is {minutes} min; a GitHub-hosted job stops after 6 hours"),
                format!("keep it at most {MAX_WINDOW_MINUTES} min (split a long soak into regions' windows)"),
            ));
        }
    };
    for region in &plan.regions {
        too_long(
            ObjectRef::Region(region.id.clone()),
            "the validation window".to_owned(),
            region.validation_minutes,
        );
    }
    for runbook in &plan.runbooks {
        let subject = || ObjectRef::Runbook(runbook.id.clone());
        too_long(
            subject(),
            "the monitoring window".to_owned(),
            runbook.monitoring_minutes,
        );
        for (what, command) in [
            ("the critical tests' budget", &runbook.critical_tests),
            ("the security scan's budget", &runbook.security_scan),
            ("the backfill's budget", &runbook.backfill),
        ] {
            if let Some(command) = command {
                too_long(subject(), what.to_owned(), command.budget_minutes);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::Id;

    #[test]
    fn an_environment_nothing_deploys_to_is_a_warning() {
        let mut plan = clean_plan();
        none(&plan, Code::UnusedEnvironment);
        plan.runbooks[0].environment = Id::new("production");
        assert_eq!(
            single(&plan, Code::UnusedEnvironment).subject.key(),
            "hotfix"
        );
    }

    #[test]
    fn a_promotion_path_names_each_environment_once() {
        let mut plan = clean_plan();
        plan.rollout.promote_through = vec![Id::new("production")];
        single(&plan, Code::PromotionPathInvalid);
    }

    #[test]
    fn windows_longer_than_a_hosted_job_are_refused() {
        let mut plan = clean_plan();
        plan.regions[0].validation_minutes = 400;
        single(&plan, Code::JobTimeLimitExceeded);
        let mut plan = clean_plan();
        plan.runbooks[0].monitoring_minutes = 341;
        single(&plan, Code::JobTimeLimitExceeded);
    }

    #[test]
    fn several_required_approvers_get_a_note() {
        let mut plan = clean_plan();
        let approval = plan.environments[1].approval.as_mut().expect("approval");
        approval.approvers.push("sre".into());
        approval.required = 2;
        single(&plan, Code::ApprovalNotEnforceable);
    }
}
