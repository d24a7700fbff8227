//! Services: gated by a health check in production, a strategy the target can carry out, canaries that
//! reach 100 %, sane rolling batches, and draining for WebSocket services.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::ObjectRef;
use crate::plan::{BatchSize, DeployTarget, EnvironmentKind, Service, Strategy};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    let to_production = plan
        .environment(&plan.rollout.environment)
        .is_none_or(|e| e.kind == EnvironmentKind::Production);
    for service in &plan.services {
        let subject = || ObjectRef::Service(service.id.clone());
        let is_database = matches!(service.target, DeployTarget::Database { .. });
        if to_production && !is_database && service.health_check.is_none() {
            out.push(Diagnostic::new(
                Code::MissingHealthCheck,
                subject(),
                format!("`{}` deploys to production with no health check, so its stage cannot be gated", service.id),
                "add a health check (path and expected status) so dependents wait until it is healthy",
            ));
        }
        if to_production && !has_rollback_path(&service.target) {
            out.push(Diagnostic::new(
                Code::NoRollbackPath,
                subject(),
                format!(
                    "`{}` deploys to production with no way back: it is {}",
                    service.id,
                    super::with_article(&target_description(service))
                ),
                "give an App Service target a staging slot, or a script target a rollback command",
            ));
        }
        if !target_supports(&service.target, &service.strategy) {
            out.push(Diagnostic::new(
                Code::StrategyTargetMismatch,
                subject(),
                format!("{} cannot be deployed with {}", super::with_article(&target_description(service)), service.strategy.label()),
                "App Service with a slot: slot swap, blue-green or canary; Kubernetes: rolling; anything: run once",
            ));
        }
        match &service.strategy {
            Strategy::Canary { increments } if !rises_to_100(increments) => out.push(Diagnostic::new(
                Code::CanaryIncrementsInvalid,
                subject(),
                format!("canary increments {increments:?} do not rise strictly to 100"),
                "list rising percentages between 1 and 100 that end at 100, such as [10, 50, 100]",
            )),
            Strategy::Rolling { batch } if !batch_is_valid(*batch) => out.push(Diagnostic::new(
                Code::RollingBatchInvalid,
                subject(),
                format!("rolling batch {batch:?} replaces no instances or more than all of them"),
                "use at least one instance, or a percentage from 1 to 100",
            )),
            _ => {}
        }
        let severs_connections = matches!(
            service.strategy,
            Strategy::SlotSwap | Strategy::Rolling { .. } | Strategy::BlueGreen
        );
        if service.websockets
            && severs_connections
            && service.draining_timeout_seconds.unwrap_or(0) == 0
        {
            out.push(Diagnostic::new(
                Code::WebSocketWithoutDraining,
                subject(),
                format!(
                    "`{}` serves WebSockets behind a {} with no connection draining: every connection is cut at once",
                    service.id,
                    service.strategy.label()
                ),
                "set a draining timeout, and make sure clients reconnect with backoff",
            ));
        }
    }
}

fn target_supports(target: &DeployTarget, strategy: &Strategy) -> bool {
    let app_service_with_slot = matches!(target, DeployTarget::AppService { slot: Some(_), .. });
    let kubernetes = matches!(target, DeployTarget::Kubernetes { .. });
    match strategy {
        Strategy::RunOnce => true,
        Strategy::SlotSwap => app_service_with_slot,
        Strategy::BlueGreen | Strategy::Canary { .. } => app_service_with_slot,
        Strategy::Rolling { .. } => kubernetes,
    }
}

/// Whether a failed deployment to this target can be undone automatically. Databases need none: the
/// expand phase keeps the old schema working and contract has not run.
fn has_rollback_path(target: &DeployTarget) -> bool {
    match target {
        DeployTarget::AppService { slot, .. } => slot.is_some(),
        DeployTarget::Script {
            rollback_command, ..
        } => rollback_command
            .as_ref()
            .is_some_and(|c| !c.trim().is_empty()),
        DeployTarget::Kubernetes { .. }
        | DeployTarget::StaticSite { .. }
        | DeployTarget::Database { .. } => true,
    }
}

fn target_description(service: &Service) -> String {
    match &service.target {
        DeployTarget::AppService { slot: None, .. } => {
            "App Service target without a slot".to_owned()
        }
        DeployTarget::Script {
            rollback_command: None,
            ..
        } => "script target without a rollback command".to_owned(),
        target => format!("{} target", target.kind_label()),
    }
}

fn rises_to_100(increments: &[u32]) -> bool {
    increments.last() == Some(&100)
        && increments.first().is_some_and(|&first| first >= 1)
        && increments.windows(2).all(|pair| pair[0] < pair[1])
}

fn batch_is_valid(batch: BatchSize) -> bool {
    match batch {
        BatchSize::Instances(count) => count >= 1,
        BatchSize::Percent(percent) => (1..=100).contains(&percent),
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{BatchSize, DeployTarget, EnvironmentKind, Strategy};

    #[test]
    fn a_production_service_without_health_check_cannot_be_gated() {
        let mut plan = clean_plan();
        plan.services[1].health_check = None;
        assert_eq!(single(&plan, Code::MissingHealthCheck).subject.key(), "api");
        none(&clean_plan(), Code::MissingHealthCheck);
    }

    #[test]
    fn health_checks_are_required_only_for_production_and_not_for_databases() {
        let mut plan = clean_plan();
        plan.services[1].health_check = None;
        plan.environments[1].kind = EnvironmentKind::Staging;
        none(&plan, Code::MissingHealthCheck);
        assert!(
            clean_plan().services[0].health_check.is_none(),
            "the database has none and is not reported"
        );
    }

    #[test]
    fn websockets_behind_a_swap_need_draining() {
        let mut plan = clean_plan();
        plan.services[1].websockets = true;
        plan.services[1].draining_timeout_seconds = None;
        single(&plan, Code::WebSocketWithoutDraining);
        plan.services[1].draining_timeout_seconds = Some(30);
        none(&plan, Code::WebSocketWithoutDraining);
    }

    #[test]
    fn canary_increments_must_rise_to_100() {
        let mut plan = clean_plan();
        for bad in [
            vec![10, 50],
            vec![50, 10, 100],
            vec![0, 100],
            vec![],
            vec![10, 10, 100],
        ] {
            plan.services[1].strategy = Strategy::Canary {
                increments: bad.clone(),
            };
            assert_eq!(
                findings(&plan, Code::CanaryIncrementsInvalid).len(),
                1,
                "{bad:?}"
            );
        }
        plan.services[1].strategy = Strategy::Canary {
            increments: vec![10, 50, 100],
        };
        none(&plan, Code::CanaryIncrementsInvalid);
    }

    #[test]
    fn strategies_must_fit_their_target() {
        let mut plan = clean_plan();
        plan.services[1].strategy = Strategy::Rolling {
            batch: BatchSize::Instances(1),
        };
        assert_eq!(
            single(&plan, Code::StrategyTargetMismatch).message,
            "an App Service target cannot be deployed with rolling"
        );
        let mut plan = clean_plan();
        if let DeployTarget::AppService { slot, .. } = &mut plan.services[1].target {
            *slot = None;
        }
        assert!(
            single(&plan, Code::StrategyTargetMismatch)
                .message
                .contains("without a slot")
        );
        none(&clean_plan(), Code::StrategyTargetMismatch);
    }

    #[test]
    fn production_services_need_a_rollback_path() {
        let mut plan = clean_plan();
        plan.services[1].target = DeployTarget::Script {
            command: "./deploy.sh".into(),
            rollback_command: None,
        };
        plan.services[1].strategy = Strategy::RunOnce;
        assert_eq!(single(&plan, Code::NoRollbackPath).subject.key(), "api");
        plan.services[1].target = DeployTarget::Script {
            command: "./deploy.sh".into(),
            rollback_command: Some("./undo.sh".into()),
        };
        none(&plan, Code::NoRollbackPath);
        plan.services[1].target = DeployTarget::AppService {
            app: "a".into(),
            resource_group: "rg".into(),
            slot: None,
        };
        single(&plan, Code::NoRollbackPath);
        plan.environments[1].kind = EnvironmentKind::Staging;
        none(&plan, Code::NoRollbackPath);
        none(&clean_plan(), Code::NoRollbackPath);
    }

    #[test]
    fn kubernetes_cannot_canary_or_blue_green() {
        let mut plan = clean_plan();
        plan.services[1].target = DeployTarget::Kubernetes {
            cluster: "aks".into(),
            resource_group: "rg".into(),
            namespace: "ns".into(),
            deployment: "api".into(),
            manifests: vec![],
        };
        for strategy in [
            Strategy::BlueGreen,
            Strategy::Canary {
                increments: vec![50, 100],
            },
        ] {
            plan.services[1].strategy = strategy;
            single(&plan, Code::StrategyTargetMismatch);
        }
    }

    #[test]
    fn rolling_batches_must_replace_something() {
        let mut plan = clean_plan();
        plan.services[1].target = DeployTarget::Kubernetes {
            cluster: "aks".into(),
            resource_group: "rg".into(),
            namespace: "ns".into(),
            deployment: "api".into(),
            manifests: vec!["k8s/api.yaml".into()],
        };
        plan.services[1].strategy = Strategy::Rolling {
            batch: BatchSize::Percent(0),
        };
        single(&plan, Code::RollingBatchInvalid);
        plan.services[1].strategy = Strategy::Rolling {
            batch: BatchSize::Percent(25),
        };
        none(&plan, Code::RollingBatchInvalid);
        none(&plan, Code::StrategyTargetMismatch);
    }
}
