//! The hotfix pipeline of one runbook: checks, one approval, the affected services, then monitoring,
//! merge-back and the backfill.

use super::*;
use crate::plan::ReleaseCheck;

pub(super) fn hotfix_pipeline(
    plan: &Plan,
    graph: &ServiceGraph,
    runbook: &HotfixRunbook,
    environments: &mut EnvironmentSet,
) -> Result<Pipeline, LowerError> {
    let mut builder = Builder::new(plan, graph);
    let environment = plan
        .environment(&runbook.environment)
        .cloned()
        .unwrap_or_else(|| fallback_environment(plan));
    let branches = vec![runbook.branch_pattern.clone()];
    let deploy_environment = environments.add(EnvironmentSpec {
        name: environment_name(environment.id.as_str()),
        purpose: format!("{}: deployments of hotfixes", environment.name),
        approval: None,
        wait_timer_minutes: 0,
        branches: environment.allowed_branches.clone(),
    })?;
    let approval = runbook.approval.clone().unwrap_or_else(|| Approval {
        approvers: Vec::new(),
        required: 1,
        timeout_minutes: None,
        on_timeout: crate::plan::TimeoutAction::Reject,
        prevent_self_review: true,
        instructions: String::new(),
    });
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
            branches: branches.clone(),
        })?),
        FailureAction::RollbackRegion => None,
    };

    let build = builder.build_stage();
    let mut checks = vec![build];
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
        let mut step = ShellStep::new(
            title,
            Phase::Deploy,
            vec![("COMMAND", text(&command.command))],
            &scripts::run_command(),
        );
        step.timeout_minutes = Some(command.budget_minutes.max(1));
        let job = plain_job(vec![step], command.budget_minutes + 10);
        let id = builder.ids.allocate(&parts);
        checks.push(builder.push(
            role,
            id,
            format!("{title} (budget {} min)", command.budget_minutes),
            Vec::new(),
            Work::Job(job),
        ));
    }
    let gate = Gate {
        environment: gate_environment,
        approval,
        in_pipeline: true,
        wait_minutes: 0,
    };
    let approve = builder.gate_stage(
        &["approve", "hotfix"],
        format!("Approve hotfix {}", runbook.name),
        checks,
        gate,
    );

    let services: Vec<usize> = runbook
        .services
        .iter()
        .filter_map(|id| graph.index_of(id))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let deployed = builder.deploy_regions(
        &services,
        &deploy_environment,
        environment.kind == EnvironmentKind::Production,
        rollback_environment.as_deref(),
        vec![approve],
        false,
    );
    let after_deploy = deployed.last_wait;

    let health_targets: Vec<String> = plan
        .regions
        .iter()
        .map(Some)
        .chain(plan.regions.is_empty().then_some(None))
        .flat_map(|region| {
            services
                .iter()
                .filter_map(move |&s| production_health(&plan.services[s], region))
        })
        .map(|(status, url)| format!("{status} {url}"))
        .collect();
    let mut monitor = ShellStep::new(
        "Enhanced monitoring",
        Phase::Deploy,
        vec![
            (
                "MONITOR_MINUTES",
                text(runbook.monitoring_minutes.to_string()),
            ),
            ("INCIDENT_BRIDGE", text(&runbook.incident_bridge)),
            ("INCIDENT", EnvValue::Input("incident".into())),
            ("HEALTH_TARGETS", text(health_targets.join("\n"))),
            ("HEALTH_EXPECTED_STATUS", text("200")),
            ("HEALTH_TIMEOUT_SECONDS", text("10")),
            ("HEALTH_RETRIES", text("3")),
            ("HEALTH_INTERVAL_SECONDS", text("20")),
        ],
        &scripts::enhanced_monitoring(),
    );
    monitor.timeout_minutes = Some(runbook.monitoring_minutes + 10);
    let id = builder.ids.allocate(&["monitor"]);
    builder.push(
        StageRole::Monitor,
        id,
        format!("Enhanced monitoring ({} min)", runbook.monitoring_minutes),
        after_deploy.clone(),
        Work::Job(plain_job(vec![monitor], runbook.monitoring_minutes + 20)),
    );

    let method = match runbook.branching {
        BranchingModel::GitFlow => "merge",
        BranchingModel::TrunkBased | BranchingModel::ReleaseBranch => "cherry-pick",
    };
    let mut merge = ShellStep::new(
        "Merge the fix back",
        Phase::Deploy,
        vec![
            ("MERGE_TARGETS", text(runbook.merge_back.join("\n"))),
            ("MERGE_METHOD", text(method)),
            ("SOURCE_BRANCH", EnvValue::SourceBranch),
        ],
        &scripts::merge_back(),
    );
    merge.opens_pull_requests = true;
    let mut merge_job = plain_job(vec![merge], 20);
    merge_job.opens_pull_requests = true;
    let id = builder.ids.allocate(&["merge", "back"]);
    builder.push(
        StageRole::MergeBack,
        id,
        format!("Merge back ({method})"),
        after_deploy.clone(),
        Work::Job(merge_job),
    );

    if let Some(backfill) = &runbook.backfill {
        let mut step = ShellStep::new(
            "Backfill: full suite on the hotfix branch",
            Phase::Deploy,
            vec![("COMMAND", text(&backfill.command))],
            &scripts::run_command(),
        );
        step.timeout_minutes = Some(backfill.budget_minutes.max(1));
        let id = builder.ids.allocate(&["backfill"]);
        builder.push(
            StageRole::Backfill,
            id,
            format!(
                "Post-incident backfill (budget {} min)",
                backfill.budget_minutes
            ),
            after_deploy,
            Work::Job(plain_job(vec![step], backfill.budget_minutes + 15)),
        );
    }

    Ok(Pipeline {
        file_stem: format!(
            "{}-hotfix-{}",
            file_stem(&plan.name),
            file_stem(runbook.id.as_str())
        ),
        title: format!("{} hotfix: {}", plan.name, runbook.name),
        kind: PipelineKind::Hotfix(Box::new(hotfix_spec(
            plan,
            runbook,
            &environment,
            &builder.stages,
        ))),
        inputs: vec![PipelineInput {
            name: "incident".into(),
            description: "Incident id or link (for the audit trail)".into(),
            required: true,
        }],
        branch_guard: Some(runbook.branch_pattern.clone()),
        stages: builder.stages,
    })
}

/// What the runbook document of `runbook` says, from the stages its pipeline has.
fn hotfix_spec(
    plan: &Plan,
    runbook: &HotfixRunbook,
    environment: &Environment,
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
            enforced_by: enforcement(check, stages),
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
        environment: environment.name.clone(),
        incident_bridge: runbook.incident_bridge.clone(),
        approval: runbook.approval.clone(),
        commands,
        skips: runbook.skips.clone(),
        keeps,
        monitoring_minutes: runbook.monitoring_minutes,
        merge_back: runbook.merge_back.clone(),
        backfill_minutes: runbook.backfill.as_ref().map(|b| b.budget_minutes),
    }
}

/// What in the pipeline carries out a kept check, if anything does: smoke tests are the health gates
/// when every deployment has one; the other checks have no stage in a hotfix pipeline.
fn enforcement(check: ReleaseCheck, stages: &[Stage]) -> Option<String> {
    match check {
        ReleaseCheck::SmokeTests => {
            let mut deployments = stages
                .iter()
                .filter(|s| s.role == StageRole::Deploy)
                .peekable();
            let any = deployments.peek().is_some();
            let all_gated =
                deployments.all(|s| matches!(&s.work, Work::Job(job) if job.health_gated));
            (any && all_gated).then(|| "the health gate after every deployment".to_owned())
        }
        ReleaseCheck::FullRegression
        | ReleaseCheck::StagingSoak
        | ReleaseCheck::LowerEnvironments
        | ReleaseCheck::Uat
        | ReleaseCheck::PerformanceTests => None,
    }
}
