//! Approvals and environment protection: approvals that can be satisfied and expire, reviewer and
//! wait-timer limits of the platforms, and an approval in front of production.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::ObjectRef;
use crate::plan::{Approval, EnvironmentKind};

/// GitHub environments accept at most this many required reviewers.
pub const MAX_GITHUB_REVIEWERS: usize = 6;
/// Both platforms cap wait timers (GitHub) and manual validations (Azure) at 30 days.
pub const MAX_WAIT_MINUTES: u32 = 43_200;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for environment in &plan.environments {
        let subject = || ObjectRef::Environment(environment.id.clone());
        if let Some(approval) = &environment.approval {
            check_approval(approval, &subject, out);
        }
        if environment.wait_timer_minutes > MAX_WAIT_MINUTES {
            out.push(Diagnostic::new(
                Code::WaitTimerTooLong,
                subject(),
                format!(
                    "wait timer of {} minutes exceeds {MAX_WAIT_MINUTES}",
                    environment.wait_timer_minutes
                ),
                format!("use at most {MAX_WAIT_MINUTES} minutes (30 days)"),
            ));
        }
    }
    for runbook in &plan.runbooks {
        if let Some(approval) = &runbook.approval {
            check_approval(approval, &|| ObjectRef::Runbook(runbook.id.clone()), out);
        }
    }
    if let Some(environment) = plan.environment(&plan.rollout.environment)
        && environment.kind == EnvironmentKind::Production
        && environment.approval.is_none()
    {
        out.push(Diagnostic::new(
            Code::ProductionWithoutApproval,
            ObjectRef::Environment(environment.id.clone()),
            format!(
                "the release deploys to production environment `{}` with no approval",
                environment.id
            ),
            "add an approval to the environment",
        ));
    }
}

fn check_approval(approval: &Approval, subject: &dyn Fn() -> ObjectRef, out: &mut Vec<Diagnostic>) {
    match approval.timeout_minutes {
        None => out.push(Diagnostic::new(
            Code::ApprovalWithoutTimeout,
            subject(),
            "the approval has no timeout: a stale deployment can wait in the pipeline forever",
            "set a timeout and what happens when it passes (reject is the safe choice)",
        )),
        Some(minutes) if minutes > MAX_WAIT_MINUTES => out.push(Diagnostic::new(
            Code::WaitTimerTooLong,
            subject(),
            format!("approval timeout of {minutes} minutes exceeds {MAX_WAIT_MINUTES}"),
            format!("use at most {MAX_WAIT_MINUTES} minutes (30 days)"),
        )),
        Some(_) => {}
    }
    if approval.approvers.len() > MAX_GITHUB_REVIEWERS {
        out.push(Diagnostic::new(
            Code::TooManyReviewers,
            subject(),
            format!(
                "the approval names {} approvers; a GitHub environment takes at most {MAX_GITHUB_REVIEWERS}",
                approval.approvers.len()
            ),
            "name a team instead of its members",
        ));
    }
    let required = approval.required as usize;
    if required == 0 || required > approval.approvers.len() {
        out.push(Diagnostic::new(
            Code::ApprovalUnsatisfiable,
            subject(),
            format!(
                "the approval requires {required} of {} approvers",
                approval.approvers.len()
            ),
            "require at least one approval, and no more than there are approvers",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;

    #[test]
    fn an_approval_without_timeout_is_a_warning_on_environments_and_runbooks() {
        let mut plan = clean_plan();
        plan.environments[1]
            .approval
            .as_mut()
            .expect("production approval")
            .timeout_minutes = None;
        assert_eq!(
            single(&plan, Code::ApprovalWithoutTimeout).subject.key(),
            "production"
        );
        plan.runbooks[0]
            .approval
            .as_mut()
            .expect("runbook approval")
            .timeout_minutes = None;
        assert_eq!(findings(&plan, Code::ApprovalWithoutTimeout).len(), 2);
        none(&clean_plan(), Code::ApprovalWithoutTimeout);
    }

    #[test]
    fn more_than_six_reviewers_is_an_error() {
        let mut plan = clean_plan();
        let approval = plan.environments[1]
            .approval
            .as_mut()
            .expect("production approval");
        approval.approvers = (1..=7).map(|i| format!("person{i}")).collect();
        single(&plan, Code::TooManyReviewers);
        plan.environments[1]
            .approval
            .as_mut()
            .expect("approval")
            .approvers
            .pop();
        none(&plan, Code::TooManyReviewers);
    }

    #[test]
    fn wait_timers_and_approval_timeouts_are_capped_at_30_days() {
        let mut plan = clean_plan();
        plan.environments[0].wait_timer_minutes = 43_201;
        single(&plan, Code::WaitTimerTooLong);
        plan.environments[0].wait_timer_minutes = 43_200;
        none(&plan, Code::WaitTimerTooLong);
        plan.environments[0]
            .approval
            .as_mut()
            .expect("approval")
            .timeout_minutes = Some(50_000);
        single(&plan, Code::WaitTimerTooLong);
    }

    #[test]
    fn an_approval_must_be_satisfiable() {
        let mut plan = clean_plan();
        plan.environments[1]
            .approval
            .as_mut()
            .expect("approval")
            .required = 2;
        single(&plan, Code::ApprovalUnsatisfiable);
        plan.environments[1]
            .approval
            .as_mut()
            .expect("approval")
            .required = 0;
        single(&plan, Code::ApprovalUnsatisfiable);
        none(&clean_plan(), Code::ApprovalUnsatisfiable);
    }

    #[test]
    fn production_without_approval_is_an_error() {
        let mut plan = clean_plan();
        plan.environments[1].approval = None;
        single(&plan, Code::ProductionWithoutApproval);
        none(&clean_plan(), Code::ProductionWithoutApproval);
    }
}
