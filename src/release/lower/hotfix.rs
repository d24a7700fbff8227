//! The hotfix pipeline of one runbook: the input check, build, critical tests and security scan side by
//! side; one approval; the affected services, in the hotfix environment first when the runbook has
//! one and then in production, region by region; then enhanced monitoring, merge-back and the backfill.

use std::collections::{BTreeMap, BTreeSet};

use super::templates::{CallSite, TemplateSet, production_health};
use super::{EnvironmentSet, LowerError, Stages, environment_name, file_stem, plain_job, text};
use crate::analysis::ServiceGraph;
use crate::plan::placeholder::Place;
use crate::plan::{
    Approval, BranchingModel, Environment, FailureAction, HotfixRunbook, Id, Plan, ReleaseCheck,
    TimeoutAction,
};
use crate::release::ir::{
    DeployCall, EnvironmentSpec, Gate, HotfixCommand, HotfixSpec, KeptCheck, Phase, Pipeline,
    PipelineInput, PipelineKind, Placement, Stage, StageRole, Step, Value, Work,
};
use crate::release::library::LibraryCommand;

/// The pipeline input every hotfix run is started with.
const INCIDENT_INPUT: &str = "incident";

/// The hotfix pipeline of `runbook`.
pub(super) fn hotfix_pipeline(
    plan: &Plan,
    graph: &ServiceGraph,
    runbook: &HotfixRunbook,
    environments: &mut EnvironmentSet,
    templates: &mut TemplateSet<'_>,
) -> Result<Pipeline, LowerError> {
    let path = hotfix_path(plan, runbook);
    if path.is_empty() {
        return Err(LowerError::NoEnvironment);
    }
    let approval = runbook.approval.clone().unwrap_or_else(|| Approval {
        approvers: Vec::new(),
        github_approvers: Vec::new(),
        azure_approvers: Vec::new(),
        required: 1,
        timeout_minutes: None,
        on_timeout: TimeoutAction::Reject,
        prevent_self_review: true,
        instructions: String::new(),
    });
    let branches = vec![runbook.branch_pattern.clone()];
    let gate_environment = environments.add(EnvironmentSpec {
        name: format!("{}-approval", environment_name(runbook.id.as_str())),
        purpose: format!(
            "{}: the single audited approval of the hotfix",
            runbook.name
        ),
        approval: Some(approval.clone()),
        wait_timer_minutes: 0,
        branches: branches.clone(),
    })?;
    let rollback_environment = match plan.rollout.on_failure {
        FailureAction::HaltWave => Some(environments.add(EnvironmentSpec {
            name: format!("{}-rollback", environment_name(runbook.id.as_str())),
            purpose: format!(
                "{}: a person approves rolling back a failed hotfix",
                runbook.name
            ),
            approval: Some(approval.clone()),
            wait_timer_minutes: 0,
            branches,
        })?),
        FailureAction::RollbackRegion => None,
    };

    let mut stages = Stages::default();
    let checks = checks(plan, runbook, &mut stages);
    let approve = stages.push(
        StageRole::Approval,
        &["approve", "hotfix"],
        format!("Approve hotfix {}", runbook.name),
        checks,
        Work::Gate(Gate {
            environment: gate_environment,
            approval,
            in_pipeline: true,
            wait_minutes: 0,
        }),
    );
    let mut wait = vec![approve];
    let services = runbook_services(graph, runbook);
    let mut deployed = Vec::new();
    for environment in &path {
        let deployments = environments.deployments(environment)?;
        let site = Site {
            environment,
            deployments: &deployments,
            rollback: rollback_environment.as_deref(),
        };
        wait = deploy_environment(plan, graph, &services, &site, wait, &mut stages, templates);
        deployed.push(environment.name.clone());
    }
    let Some(production) = path.last() else {
        return Err(LowerError::NoEnvironment);
    };
    after_deploy(plan, runbook, production, &services, &wait, &mut stages);
    let spec = hotfix_spec(plan, runbook, deployed, &stages.stages);
    Ok(Pipeline {
        file_stem: format!(
            "{}-hotfix-{}",
            file_stem(&plan.name),
            file_stem(runbook.id.as_str())
        ),
        title: format!("{} hotfix: {}", plan.name, runbook.name),
        kind: PipelineKind::Hotfix(Box::new(spec)),
        inputs: vec![PipelineInput {
            name: INCIDENT_INPUT.into(),
            description: "Incident id or link (for the audit trail)".into(),
            required: true,
        }],
        branch_guard: Some(runbook.branch_pattern.clone()),
        stages: stages.stages,
        chain: None,
    })
}

/// The environments a hotfix deploys to, in order: the runbook's own environment, then production
/// when the runbook's environment is another one (a production-like hotfix environment proves the fix
/// before production gets it).
fn hotfix_path<'a>(plan: &'a Plan, runbook: &HotfixRunbook) -> Vec<&'a Environment> {
    let mut path: Vec<&Environment> = plan.environment(&runbook.environment).into_iter().collect();
    if runbook.environment != plan.rollout.environment
        && let Some(production) = plan.environment(&plan.rollout.environment)
    {
        path.push(production);
    }
    path
}

/// The build (after checking the incident input), the critical tests and the security scan, side by
/// side; returns their stage ids.
fn checks(plan: &Plan, runbook: &HotfixRunbook, stages: &mut Stages) -> Vec<String> {
    let require = Step::new(
        "Check the incident input",
        Phase::Deploy,
        vec![
            ("INPUT_NAME", text(INCIDENT_INPUT)),
            ("INPUT_VALUE", Value::Input(INCIDENT_INPUT.into())),
        ],
        LibraryCommand::RequireInput,
    );
    let mut ids = vec![stages.build(plan, vec![require])];
    for (role, parts, title, command) in [
        (
            StageRole::CriticalTests,
            ["critical", "tests"],
            "Critical tests",
            &runbook.critical_tests,
        ),
        (
            StageRole::SecurityScan,
            ["security", "scan"],
            "Security scan",
            &runbook.security_scan,
        ),
    ] {
        let Some(command) = command else { continue };
        let mut step = Step::new(
            title,
            Phase::Deploy,
            vec![("COMMAND", text(&command.command))],
            LibraryCommand::RunPlanCommand,
        );
        step.timeout_minutes = Some(command.budget_minutes.max(1));
        let job = plain_job(vec![step], command.budget_minutes.saturating_add(10));
        ids.push(stages.push(
            role,
            &parts,
            format!("{title} (budget {} min)", command.budget_minutes),
            Vec::new(),
            Work::Job(job),
        ));
    }
    ids
}

/// The plan indices of the runbook's services, in plan order.
fn runbook_services(graph: &ServiceGraph, runbook: &HotfixRunbook) -> Vec<usize> {
    runbook
        .services
        .iter()
        .filter_map(|id| graph.index_of(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// One environment of the hotfix path, and the platform environments its deployments name.
struct Site<'a> {
    environment: &'a Environment,
    deployments: &'a str,
    rollback: Option<&'a str>,
}

/// Deploys `services` in one environment, region by region in dependency order, each region after the
/// one before; returns what follows waits for.
fn deploy_environment(
    plan: &Plan,
    graph: &ServiceGraph,
    services: &[usize],
    site: &Site<'_>,
    first_wait: Vec<String>,
    stages: &mut Stages,
    templates: &mut TemplateSet<'_>,
) -> Vec<String> {
    let included: BTreeSet<usize> = services.iter().copied().collect();
    let dependencies: BTreeMap<usize, Vec<usize>> = services
        .iter()
        .map(|&s| (s, nearest_included_dependencies(graph, s, &included)))
        .collect();
    let has_dependents: BTreeSet<usize> = dependencies.values().flatten().copied().collect();
    let ordered = dependency_order(services, &dependencies);
    let regions: Vec<Option<&Id>> = if plan.regions.is_empty() {
        vec![None]
    } else {
        plan.regions_of(site.environment)
            .into_iter()
            .map(|r| Some(&r.id))
            .collect()
    };
    let mut wait = first_wait;
    let mut global_stage: BTreeMap<usize, String> = BTreeMap::new();
    for region in regions {
        let mut stage_of: BTreeMap<usize, String> = global_stage.clone();
        for &service in &ordered {
            if stage_of.contains_key(&service) {
                continue;
            }
            let service_ref = &plan.services[service];
            let region = if service_ref.is_global() {
                None
            } else {
                region
            };
            let mut depends_on: Vec<String> = dependencies[&service]
                .iter()
                .filter_map(|d| stage_of.get(d).cloned())
                .collect();
            if depends_on.is_empty() {
                depends_on = wait.clone();
            }
            let call = templates.call(
                service_ref,
                &CallSite {
                    place: Place {
                        environment: &site.environment.id,
                        region,
                    },
                    environment: site.deployments,
                    rollback_environment: site.rollback,
                },
            );
            let id = push_deploy(
                plan,
                stages,
                service_ref,
                site.environment,
                region,
                depends_on,
                call,
            );
            if service_ref.is_global() {
                global_stage.insert(service, id.clone());
            }
            stage_of.insert(service, id);
        }
        wait = ordered
            .iter()
            .filter(|s| !has_dependents.contains(s))
            .filter_map(|s| stage_of.get(s).cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
    }
    wait
}

/// Adds the stage deploying `service` in `environment` and `region`.
fn push_deploy(
    plan: &Plan,
    stages: &mut Stages,
    service: &crate::plan::Service,
    environment: &Environment,
    region: Option<&Id>,
    depends_on: Vec<String>,
    call: DeployCall,
) -> String {
    let region_name = region
        .map(|id| {
            format!(
                " ({})",
                plan.region(id).map_or(id.as_str(), |r| r.name.as_str())
            )
        })
        .unwrap_or_default();
    let id = stages.push(
        StageRole::Deploy,
        &[
            "deploy",
            service.id.as_str(),
            environment.id.as_str(),
            region.map_or("", Id::as_str),
        ],
        format!(
            "Deploy {}{region_name} — {}",
            service.name, environment.name
        ),
        depends_on,
        Work::Deploy(call),
    );
    if let Some(stage) = stages.last_mut() {
        stage.deploys = Some(Placement {
            service: service.id.clone(),
            environment: environment.id.clone(),
            region: region.cloned(),
        });
    }
    id
}

/// Monitoring of production, merge-back and the backfill, each waiting for `wait`.
fn after_deploy(
    plan: &Plan,
    runbook: &HotfixRunbook,
    production: &Environment,
    services: &[usize],
    wait: &[String],
    stages: &mut Stages,
) {
    let regions: Vec<Option<&Id>> = if plan.regions.is_empty() {
        vec![None]
    } else {
        plan.regions_of(production)
            .into_iter()
            .map(|r| Some(&r.id))
            .collect()
    };
    let mut targets: Vec<String> = Vec::new();
    for region in regions {
        for &s in services {
            let service = &plan.services[s];
            let place = Place {
                environment: &production.id,
                region: if service.is_global() { None } else { region },
            };
            if let Some((status, url)) = production_health(plan, service, place) {
                let line = format!("{status} {url}");
                if !targets.contains(&line) {
                    targets.push(line);
                }
            }
        }
    }
    let mut monitor = Step::new(
        "Enhanced monitoring",
        Phase::Deploy,
        vec![
            (
                "MONITOR_MINUTES",
                text(runbook.monitoring_minutes.to_string()),
            ),
            ("INCIDENT_BRIDGE", text(&runbook.incident_bridge)),
            ("INCIDENT", Value::Input(INCIDENT_INPUT.into())),
            ("HEALTH_TARGETS", text(targets.join("\n"))),
            ("HEALTH_EXPECTED_STATUS", text("200")),
            ("HEALTH_TIMEOUT_SECONDS", text("10")),
            ("HEALTH_RETRIES", text("3")),
            ("HEALTH_INTERVAL_SECONDS", text("20")),
        ],
        LibraryCommand::Monitor,
    );
    monitor.timeout_minutes = Some(runbook.monitoring_minutes.saturating_add(10));
    stages.push(
        StageRole::Monitor,
        &["monitor"],
        format!("Enhanced monitoring ({} min)", runbook.monitoring_minutes),
        wait.to_vec(),
        Work::Job(plain_job(
            vec![monitor],
            runbook.monitoring_minutes.saturating_add(20),
        )),
    );
    merge_back_stage(runbook, wait, stages);
    if let Some(backfill) = &runbook.backfill {
        let mut step = Step::new(
            "Backfill: full suite on the hotfix branch",
            Phase::Deploy,
            vec![("COMMAND", text(&backfill.command))],
            LibraryCommand::RunPlanCommand,
        );
        step.timeout_minutes = Some(backfill.budget_minutes.max(1));
        stages.push(
            StageRole::Backfill,
            &["backfill"],
            format!(
                "Post-incident backfill (budget {} min)",
                backfill.budget_minutes
            ),
            wait.to_vec(),
            Work::Job(plain_job(
                vec![step],
                backfill.budget_minutes.saturating_add(15),
            )),
        );
    }
}

/// Merging (Git Flow) or cherry-picking the fix back into every merge-back branch.
fn merge_back_stage(runbook: &HotfixRunbook, wait: &[String], stages: &mut Stages) {
    let method = match runbook.branching {
        BranchingModel::GitFlow => "merge",
        BranchingModel::TrunkBased | BranchingModel::ReleaseBranch => "cherry-pick",
    };
    let merge = Step::new(
        "Merge the fix back",
        Phase::Deploy,
        vec![
            ("MERGE_TARGETS", text(runbook.merge_back.join("\n"))),
            ("MERGE_METHOD", text(method)),
            ("SOURCE_BRANCH", Value::SourceBranch),
            ("SOURCE_REF", text(&runbook.source_ref)),
            ("PLATFORM", Value::Platform),
            ("REPOSITORY_TOKEN", Value::RepositoryToken),
        ],
        LibraryCommand::MergeBack,
    );
    let mut job = plain_job(vec![merge], 20);
    job.opens_pull_requests = true;
    stages.push(
        StageRole::MergeBack,
        &["merge", "back"],
        format!("Merge back ({method})"),
        wait.to_vec(),
        Work::Job(job),
    );
}

/// What the runbook document of `runbook` says, from the stages its pipeline has.
fn hotfix_spec(
    plan: &Plan,
    runbook: &HotfixRunbook,
    environments: Vec<String>,
    stages: &[Stage],
) -> HotfixSpec {
    let commands = [
        ("Critical tests", &runbook.critical_tests),
        ("Security scan", &runbook.security_scan),
        ("Backfill (full suite)", &runbook.backfill),
    ]
    .into_iter()
    .filter_map(|(title, command)| {
        command.as_ref().map(|command| HotfixCommand {
            title: title.to_owned(),
            command: command.command.clone(),
            budget_minutes: command.budget_minutes,
        })
    })
    .collect();
    let keeps = runbook
        .keeps
        .iter()
        .map(|&check| KeptCheck {
            check,
            enforced_by: enforcement(check, stages, environments.len()),
        })
        .collect();
    HotfixSpec {
        runbook: runbook.id.clone(),
        name: runbook.name.clone(),
        severity: runbook.severity,
        branching: runbook.branching,
        source_ref: runbook.source_ref.clone(),
        branch_pattern: runbook.branch_pattern.clone(),
        services: runbook
            .services
            .iter()
            .map(|id| {
                plan.service(id)
                    .map_or_else(|| id.to_string(), |s| s.name.clone())
            })
            .collect(),
        environments,
        incident_bridge: runbook.incident_bridge.clone(),
        approval: runbook.approval.clone(),
        commands,
        skips: runbook.skips.clone(),
        keeps,
        monitoring_minutes: runbook.monitoring_minutes,
        merge_back: runbook.merge_back.clone(),
        backfill_minutes: runbook.backfill.as_ref().map(|b| b.budget_minutes),
        automatic_rollback: plan.rollout.on_failure == FailureAction::RollbackRegion,
    }
}

/// What in the pipeline carries out a kept check, if anything does: smoke tests are the health gates
/// when every deployment has one; lower environments are the hotfix environment deployed before
/// production; the other checks have no stage in a hotfix pipeline.
fn enforcement(check: ReleaseCheck, stages: &[Stage], environments: usize) -> Option<String> {
    match check {
        ReleaseCheck::SmokeTests => {
            let mut deployments = stages
                .iter()
                .filter(|s| s.role == StageRole::Deploy)
                .peekable();
            let any = deployments.peek().is_some();
            let all_gated = deployments.all(|s| {
                matches!(&*s.work, Work::Deploy(call)
                    if call.argument("health_url").is_some_and(|url| !url.is_empty()))
            });
            (any && all_gated).then(|| "the health gate after every deployment".to_owned())
        }
        ReleaseCheck::LowerEnvironments => (environments > 1)
            .then(|| "the deployment to the hotfix environment before production".to_owned()),
        ReleaseCheck::FullRegression
        | ReleaseCheck::StagingSoak
        | ReleaseCheck::Uat
        | ReleaseCheck::PerformanceTests => None,
    }
}

/// `services` reordered so each comes after everything it depends on (plan order among equals). The
/// graph is acyclic, so every service is placed.
fn dependency_order(services: &[usize], dependencies: &BTreeMap<usize, Vec<usize>>) -> Vec<usize> {
    let mut placed = BTreeSet::new();
    let mut order = Vec::with_capacity(services.len());
    while order.len() < services.len() {
        let before = order.len();
        for &service in services {
            if !placed.contains(&service)
                && dependencies[&service].iter().all(|d| placed.contains(d))
            {
                placed.insert(service);
                order.push(service);
            }
        }
        if order.len() == before {
            break;
        }
    }
    order
}

/// The services `service` must wait for among `included`: the nearest included ones along every
/// dependency path (a dependency outside the set is looked through).
fn nearest_included_dependencies(
    graph: &ServiceGraph,
    service: usize,
    included: &BTreeSet<usize>,
) -> Vec<usize> {
    let mut found = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = graph.dependencies_of(service).collect();
    while let Some(next) = stack.pop() {
        if !seen.insert(next) {
            continue;
        }
        if included.contains(&next) {
            found.insert(next);
        } else {
            stack.extend(graph.dependencies_of(next));
        }
    }
    found.into_iter().collect()
}
