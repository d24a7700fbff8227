//! Targets: every value a deployment needs is there and resolves where it is used — `{region}` only
//! where there is a region, a per-region database in each region's own database, a global database
//! that depends only on global services, a health check a step can run, and environments that do not
//! deploy on top of each other.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::placeholder::{ENVIRONMENT, REGION};
use crate::plan::{DeployTarget, Environment, ObjectRef, Plan, Service};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for service in &plan.services {
        let subject = || ObjectRef::Service(service.id.clone());
        let names = target_texts(&service.target);
        if let Some(empty) = names.iter().find(|(_, text)| text.trim().is_empty()) {
            out.push(Diagnostic::new(
                Code::EmptyTargetField,
                subject(),
                format!("`{}` has an empty {}", service.id, empty.0),
                "fill it in: the deployment cannot run without it",
            ));
        }
        if let DeployTarget::Kubernetes { manifests, .. } = &service.target
            && manifests.is_empty()
        {
            out.push(Diagnostic::new(
                Code::EmptyTargetField,
                subject(),
                format!("`{}` applies no Kubernetes manifest", service.id),
                "list the manifest files the rollout applies",
            ));
        }
        let uses_region = names.iter().any(|(_, text)| text.contains(REGION))
            || health_base(service).is_some_and(|url| url.contains(REGION));
        region_placeholders(plan, service, uses_region, out);
        per_region_database(plan, service, out);
        if let Some(check) = &service.health_check
            && check.base_url.is_none()
            && !matches!(service.target, DeployTarget::AppService { .. })
        {
            out.push(Diagnostic::new(
                Code::HealthCheckWithoutUrl,
                subject(),
                format!(
                    "`{}` has a health check but no base URL, and {} has none to derive",
                    service.id,
                    super::with_article(service.target.kind_label())
                ),
                "give the health check a base_url (it may hold {region} and {environment})",
            ));
        }
    }
    global_dependencies(cx, out);
    shared_targets(plan, out);
}

/// The named text fields of a target (commands included), for emptiness and placeholder checks.
fn target_texts(target: &DeployTarget) -> Vec<(&'static str, &str)> {
    match target {
        DeployTarget::AppService {
            app,
            resource_group,
            slot,
        } => {
            let mut texts = vec![
                ("app name", app.as_str()),
                ("resource group", resource_group.as_str()),
            ];
            texts.extend(slot.as_deref().map(|slot| ("slot", slot)));
            texts
        }
        DeployTarget::Kubernetes {
            cluster,
            resource_group,
            namespace,
            deployment,
            manifests,
        } => {
            let mut texts = vec![
                ("cluster", cluster.as_str()),
                ("resource group", resource_group.as_str()),
                ("namespace", namespace.as_str()),
                ("deployment", deployment.as_str()),
            ];
            texts.extend(manifests.iter().map(|m| ("manifest path", m.as_str())));
            texts
        }
        DeployTarget::StaticSite {
            storage_account,
            resource_group,
            source_dir,
        } => vec![
            ("storage account", storage_account.as_str()),
            ("resource group", resource_group.as_str()),
            ("source folder", source_dir.as_str()),
        ],
        DeployTarget::Database {
            server,
            database,
            resource_group,
            ..
        } => vec![
            ("server", server.as_str()),
            ("database", database.as_str()),
            ("resource group", resource_group.as_str()),
        ],
        DeployTarget::Script {
            command,
            rollback_command,
        } => {
            let mut texts = vec![("deploy command", command.as_str())];
            texts.extend(
                rollback_command
                    .as_deref()
                    .map(|rollback| ("rollback command", rollback)),
            );
            texts
        }
    }
}

fn health_base(service: &Service) -> Option<&str> {
    service.health_check.as_ref()?.base_url.as_deref()
}

/// `{region}` where it has nothing to stand for, and per-region databases without it.
fn region_placeholders(
    plan: &Plan,
    service: &Service,
    uses_region: bool,
    out: &mut Vec<Diagnostic>,
) {
    let subject = || ObjectRef::Service(service.id.clone());
    if uses_region && plan.regions.is_empty() {
        out.push(Diagnostic::new(
            Code::RegionPlaceholderWithoutRegion,
            subject(),
            format!(
                "`{}` names `{{region}}`, but the plan has no regions",
                service.id
            ),
            "add the plan's regions, or write the names without {region}",
        ));
    } else if uses_region && service.is_global() {
        out.push(Diagnostic::new(
            Code::RegionPlaceholderWithoutRegion,
            subject(),
            format!(
                "`{}` is one global database but its names hold `{{region}}`",
                service.id
            ),
            "write the global instance's names without {region}, or deploy it per region",
        ));
    }
}

/// A database deployed in each region must have a server of its own in each region.
fn per_region_database(plan: &Plan, service: &Service, out: &mut Vec<Diagnostic>) {
    if let DeployTarget::Database {
        server,
        global: false,
        ..
    } = &service.target
        && plan.regions.len() > 1
        && !server.contains(REGION)
    {
        out.push(Diagnostic::new(
            Code::SharedPerRegionDatabase,
            ObjectRef::Service(service.id.clone()),
            format!(
                "`{}` is deployed in each of {} regions but its server names no `{{region}}`: every region's migrations would run against one database",
                service.id,
                plan.regions.len()
            ),
            "add {region} to the server's name, or mark the database global: true if one geo-replicated instance serves every region",
        ));
    }
}

/// A global database deploys once, before any region: it may not wait for a per-region service.
fn global_dependencies(cx: &Context, out: &mut Vec<Diagnostic>) {
    let plan = cx.plan;
    for index in 0..plan.dependencies.len() {
        let Some((service, on)) = cx.dependency_services(index) else {
            continue;
        };
        if service.is_global() && !on.is_global() {
            out.push(Diagnostic::new(
                Code::GlobalDependsOnRegional,
                ObjectRef::Dependency {
                    service: service.id.clone(),
                    on: on.id.clone(),
                },
                format!(
                    "`{}` is one global database, but it depends on `{}`, which is deployed per region",
                    service.id, on.id
                ),
                "deploy the database per region, or remove the dependency",
            ));
        }
    }
}

/// When a pipeline deploys to several environments in turn (promotion, or a hotfix environment before
/// production), each service's target must name `{environment}`, or both would change the same
/// resources.
fn shared_targets(plan: &Plan, out: &mut Vec<Diagnostic>) {
    let mut seen = std::collections::BTreeSet::new();
    let release: Vec<&Environment> = plan
        .promotion_path()
        .into_iter()
        .filter(|e| seen.insert(&e.id))
        .collect();
    let mut paths: Vec<(ObjectRef, Vec<&Environment>)> = vec![(ObjectRef::Rollout, release)];
    for runbook in &plan.runbooks {
        if runbook.environment != plan.rollout.environment
            && let (Some(first), Some(production)) = (
                plan.environment(&runbook.environment),
                plan.environment(&plan.rollout.environment),
            )
        {
            paths.push((
                ObjectRef::Runbook(runbook.id.clone()),
                vec![first, production],
            ));
        }
    }
    for (subject, path) in paths {
        if path.len() < 2 {
            continue;
        }
        let deployed: Vec<&Service> = match &subject {
            ObjectRef::Runbook(id) => plan
                .runbooks
                .iter()
                .find(|r| &r.id == id)
                .map(|r| r.services.iter().filter_map(|s| plan.service(s)).collect())
                .unwrap_or_default(),
            _ => plan.services.iter().collect(),
        };
        let names: Vec<String> = path.iter().map(|e| format!("`{}`", e.id)).collect();
        for service in deployed {
            let distinct = target_texts(&service.target)
                .iter()
                .any(|(_, text)| text.contains(ENVIRONMENT));
            if !distinct {
                out.push(Diagnostic::new(
                    Code::EnvironmentsShareTargets,
                    subject.clone(),
                    format!(
                        "{subject} deploys `{}` to {} in turn, but its target names no `{{environment}}`, so both would change the same resources",
                        service.id,
                        names.join(" and ")
                    ),
                    "add {environment} to the target's names (app-{environment}-{region}), so each environment has its own",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{DatabaseEngine, DeployTarget, Id, Region};

    #[test]
    fn region_placeholders_need_a_region() {
        let mut plan = clean_plan();
        plan.regions.clear();
        assert!(!findings(&plan, Code::RegionPlaceholderWithoutRegion).is_empty());
        let mut plan = clean_plan();
        plan.services[0].target = DeployTarget::Database {
            engine: DatabaseEngine::PostgreSql,
            server: "pg-{region}".into(),
            database: "app".into(),
            resource_group: "rg".into(),
            global: true,
        };
        single(&plan, Code::RegionPlaceholderWithoutRegion);
    }

    #[test]
    fn a_database_per_region_needs_its_own_name_in_each_region() {
        let mut plan = clean_plan();
        plan.regions.push(Region {
            id: Id::new("westus"),
            name: "West US".into(),
            location: "westus".into(),
            validation_minutes: 10,
        });
        none(&plan, Code::SharedPerRegionDatabase);
        if let DeployTarget::Database { server, .. } = &mut plan.services[0].target {
            *server = "sql-app".into();
        }
        single(&plan, Code::SharedPerRegionDatabase);
    }

    #[test]
    fn a_health_check_needs_a_url_a_step_can_call() {
        let mut plan = clean_plan();
        plan.services[2].target = DeployTarget::Script {
            command: "./deploy.sh".into(),
            rollback_command: Some("./rollback.sh".into()),
        };
        if let Some(check) = &mut plan.services[2].health_check {
            check.base_url = None;
        }
        single(&plan, Code::HealthCheckWithoutUrl);
    }

    #[test]
    fn environments_deployed_in_turn_need_their_own_targets() {
        let mut plan = clean_plan();
        plan.runbooks[0].environment = Id::new("hotfix");
        if let DeployTarget::AppService { app, .. } = &mut plan.services[1].target {
            *app = "app-api-{region}".into();
        }
        let found = findings(&plan, Code::EnvironmentsShareTargets);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].message.contains("`api`"), "{found:#?}");
        if let DeployTarget::AppService { app, .. } = &mut plan.services[1].target {
            *app = "app-api-{environment}-{region}".into();
        }
        none(&plan, Code::EnvironmentsShareTargets);
    }
}
