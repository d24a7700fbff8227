//! The standard release pipeline: build, approval, expand, the services region by region, contract.

use super::*;

pub(super) fn release_pipeline(
    plan: &Plan,
    graph: &ServiceGraph,
    environments: &mut EnvironmentSet,
) -> Result<Pipeline, LowerError> {
    let mut builder = Builder::new(plan, graph);
    let environment = plan
        .environment(&plan.rollout.environment)
        .cloned()
        .unwrap_or_else(|| fallback_environment(plan));
    let deploy_environment = environments.add(EnvironmentSpec {
        name: environment_name(environment.id.as_str()),
        purpose: format!(
            "{}: every deployment job of the release names it",
            environment.name
        ),
        approval: None,
        wait_timer_minutes: 0,
        branches: environment.allowed_branches.clone(),
    })?;
    let gate_environment = match &environment.approval {
        Some(approval) => Some((
            environments.add(EnvironmentSpec {
                name: format!("{}-approval", environment_name(environment.id.as_str())),
                purpose: format!(
                    "{}: the approval before the release and before contract",
                    environment.name
                ),
                approval: Some(approval.clone()),
                wait_timer_minutes: environment.wait_timer_minutes,
                branches: environment.allowed_branches.clone(),
            })?,
            approval.clone(),
        )),
        None => None,
    };
    let rollback_environment = match (plan.rollout.on_failure, &environment.approval) {
        (FailureAction::HaltWave, approval) => Some(environments.add(EnvironmentSpec {
            name: format!("{}-rollback", environment_name(environment.id.as_str())),
            purpose: format!(
                "{}: a person approves rolling back a halted region",
                environment.name
            ),
            approval: approval.clone(),
            wait_timer_minutes: 0,
            branches: environment.allowed_branches.clone(),
        })?),
        (FailureAction::RollbackRegion, _) => None,
    };

    let build = builder.build_stage();
    let mut start = vec![build];
    if let Some((gate_environment, approval)) = &gate_environment {
        let gate = Gate {
            environment: gate_environment.clone(),
            approval: approval.clone(),
            in_pipeline: false,
            wait_minutes: environment.wait_timer_minutes,
        };
        start.push(builder.gate_stage(
            &["approve", "release"],
            format!("Approve the release to {}", environment.name),
            Vec::new(),
            gate,
        ));
    }
    let mut expands = Vec::new();
    for migration in plan.migrations.iter().filter(|m| !m.expand.is_empty()) {
        let job = migration_job(plan, migration, MigrationPhase::Expand, &deploy_environment);
        let id = builder.ids.allocate(&["expand", migration.id.as_str()]);
        expands.push(builder.push(
            StageRole::Expand,
            id,
            format!("Expand: {}", migration.name),
            start.clone(),
            Work::Job(job),
        ));
    }
    let before_services = if expands.is_empty() { start } else { expands };

    let services: Vec<usize> = graph.services().collect();
    let deployed = builder.deploy_regions(
        &services,
        &deploy_environment,
        environment.kind == EnvironmentKind::Production,
        rollback_environment.as_deref(),
        before_services,
        true,
    );

    let contracts: Vec<&Migration> = plan
        .migrations
        .iter()
        .filter(|m| !m.contract.is_empty())
        .collect();
    if !contracts.is_empty() {
        let contract_wait = match &gate_environment {
            Some((gate_environment, approval)) => {
                let gate = Gate {
                    environment: gate_environment.clone(),
                    approval: approval.clone(),
                    in_pipeline: false,
                    wait_minutes: 0,
                };
                vec![builder.gate_stage(
                    &["approve", "contract"],
                    "Approve the contract phase".to_owned(),
                    deployed.last_wait.clone(),
                    gate,
                )]
            }
            None => deployed.last_wait.clone(),
        };
        let region_count = plan.regions.len().max(1);
        for migration in contracts {
            let mut depends_on = contract_wait.clone();
            for consumer in &migration.consumers {
                if let Some(service) = graph.index_of(consumer) {
                    depends_on.extend(
                        (0..region_count)
                            .filter_map(|r| deployed.stage_of.get(&(service, r)).cloned()),
                    );
                }
            }
            let job = migration_job(
                plan,
                migration,
                MigrationPhase::Contract,
                &deploy_environment,
            );
            let id = builder.ids.allocate(&["contract", migration.id.as_str()]);
            builder.push(
                StageRole::Contract,
                id,
                format!("Contract: {}", migration.name),
                depends_on,
                Work::Job(job),
            );
            if let Some(stage) = builder.stages.last_mut() {
                stage.contract_of = Some(migration.id.clone());
            }
        }
    }
    Ok(Pipeline {
        file_stem: format!("{}-release", file_stem(&plan.name)),
        title: format!("{} release", plan.name),
        kind: PipelineKind::Release,
        inputs: Vec::new(),
        branch_guard: None,
        stages: builder.stages,
    })
}

/// The environment used when the rollout names none (the analysis reports that as an error first).
pub(super) fn fallback_environment(plan: &Plan) -> Environment {
    Environment {
        id: plan.rollout.environment.clone(),
        name: plan.rollout.environment.to_string(),
        kind: EnvironmentKind::Production,
        production_like: true,
        approval: None,
        wait_timer_minutes: 0,
        allowed_branches: Vec::new(),
    }
}

#[derive(Clone, Copy)]
enum MigrationPhase {
    Expand,
    Contract,
}

fn migration_job(
    plan: &Plan,
    migration: &Migration,
    phase: MigrationPhase,
    environment: &str,
) -> Job {
    let (steps, verb) = match phase {
        MigrationPhase::Expand => (&migration.expand, "expand"),
        MigrationPhase::Contract => (&migration.contract, "contract"),
    };
    let database_env: Vec<(&str, EnvValue)> =
        match plan.service(&migration.database).map(|s| &s.target) {
            Some(DeployTarget::Database {
                server,
                database,
                resource_group,
            }) => vec![
                ("DATABASE_SERVER", text(server.replace("{region}", ""))),
                ("DATABASE_NAME", text(database.replace("{region}", ""))),
                (
                    "RESOURCE_GROUP",
                    text(resource_group.replace("{region}", "")),
                ),
            ],
            _ => Vec::new(),
        };
    let steps = steps
        .iter()
        .map(|step| {
            let mut env = database_env.clone();
            env.push(("MIGRATION_PHASE", text(verb)));
            env.push(("COMMAND", text(&step.command)));
            ShellStep::new(
                format!("{verb}: {}", step.description),
                Phase::Deploy,
                env,
                &scripts::run_command(),
            )
        })
        .collect();
    Job {
        production: false,
        environment: Some(environment.to_owned()),
        uses_azure: true,
        needs_artifact: false,
        steps,
        rollback: None,
        timeout_minutes: 60,
        opens_pull_requests: false,
        health_gated: false,
        transient_retries: 0,
    }
}
