//! The rollout: a validation window between regions, and retries with backoff within platform limits.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::ObjectRef;

/// Azure's `retryCountOnTaskFailure` accepts at most this many retries.
pub const MAX_RETRIES: u32 = 10;

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    if plan.services.is_empty() {
        out.push(Diagnostic::new(
            Code::EmptyPlan,
            ObjectRef::Plan,
            "the plan has no services yet",
            "add a service",
        ));
    }
    if plan.regions.is_empty() {
        out.push(Diagnostic::new(
            Code::NoRegions,
            ObjectRef::Plan,
            "the plan has no regions: it rolls out to one unnamed region",
            "add regions to roll out in waves",
        ));
    }
    if let Some((_, before_last)) = plan.regions.split_last() {
        for (region, next) in before_last.iter().zip(&plan.regions[1..]) {
            if region.validation_minutes == 0 {
                out.push(Diagnostic::new(
                    Code::ZeroValidationWindow,
                    ObjectRef::Region(region.id.clone()),
                    format!("`{}` has no validation window before `{}` starts", region.id, next.id),
                    "let each region soak (10 minutes is common) so a bad version stops before the next region",
                ));
            }
        }
    }
    let retry = &plan.rollout.retry;
    if retry.attempts == 0 || retry.attempts - 1 > MAX_RETRIES {
        out.push(Diagnostic::new(
            Code::RetryLimitExceeded,
            ObjectRef::Rollout,
            format!(
                "{} attempts: the platforms run at least 1 and retry at most {MAX_RETRIES} times",
                retry.attempts
            ),
            format!("use between 1 and {} attempts", MAX_RETRIES + 1),
        ));
    }
    let backs_off = retry.initial_delay_seconds > 0
        && retry.backoff_factor.is_finite()
        && retry.backoff_factor > 1.0;
    if retry.attempts > 1 && !backs_off {
        out.push(Diagnostic::new(
            Code::RetryWithoutBackoff,
            ObjectRef::Rollout,
            format!(
                "retries wait {} s and grow by {}×: a throttled region is hammered instead of given room",
                retry.initial_delay_seconds, retry.backoff_factor
            ),
            "start with a delay above zero and a backoff factor above 1 (2 doubles each wait)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{Id, Region};

    fn two_regions(first_minutes: u32, last_minutes: u32) -> Vec<Region> {
        let region = |id: &str, minutes| Region {
            id: Id::new(id),
            name: id.to_uppercase(),
            location: id.into(),
            validation_minutes: minutes,
        };
        vec![
            region("eastus", first_minutes),
            region("westeurope", last_minutes),
        ]
    }

    #[test]
    fn a_region_followed_by_another_needs_a_validation_window() {
        let mut plan = clean_plan();
        plan.regions = two_regions(0, 0);
        assert_eq!(
            single(&plan, Code::ZeroValidationWindow).subject.key(),
            "eastus"
        );
        plan.regions = two_regions(10, 0);
        none(&plan, Code::ZeroValidationWindow);
    }

    #[test]
    fn retries_need_a_growing_delay() {
        let mut plan = clean_plan();
        plan.rollout.retry.backoff_factor = 1.0;
        single(&plan, Code::RetryWithoutBackoff);
        plan.rollout.retry.backoff_factor = 2.0;
        plan.rollout.retry.initial_delay_seconds = 0;
        single(&plan, Code::RetryWithoutBackoff);
        plan.rollout.retry.attempts = 1;
        none(&plan, Code::RetryWithoutBackoff);
        none(&clean_plan(), Code::RetryWithoutBackoff);
    }

    #[test]
    fn retries_stay_within_platform_limits() {
        let mut plan = clean_plan();
        plan.rollout.retry.attempts = 12;
        single(&plan, Code::RetryLimitExceeded);
        plan.rollout.retry.attempts = 0;
        single(&plan, Code::RetryLimitExceeded);
        plan.rollout.retry.attempts = 11;
        none(&plan, Code::RetryLimitExceeded);
    }

    #[test]
    fn empty_plans_and_plans_without_regions_get_information() {
        let mut plan = clean_plan();
        plan.regions.clear();
        single(&plan, Code::NoRegions);
        plan.services.clear();
        single(&plan, Code::EmptyPlan);
        none(&clean_plan(), Code::NoRegions);
        none(&clean_plan(), Code::EmptyPlan);
    }
}
