//! Plan text that reaches generated pipelines must not be evaluated there. GitHub expands `${{ … }}`
//! anywhere in a workflow, and Azure expands `$( … )` macros and `$[ … ]` runtime expressions in names,
//! inputs and environment values. Commands are shell by intent, so `$(…)` is allowed in them, but no
//! text may contain `${{`.

use super::Context;
use crate::analysis::{Code, Diagnostic, Subject, SubjectKind};
use crate::plan::{Approval, DeployTarget, HealthCheck, Plan, TimedCommand};

/// One piece of plan text, where it lives, and whether it is a shell command.
struct Text<'a> {
    subject: Subject,
    field: &'static str,
    text: &'a str,
    command: bool,
}

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for item in texts(cx.plan) {
        let evaluated = if item.command {
            item.text.contains("${{")
        } else {
            ["${{", "$(", "$["]
                .iter()
                .any(|syntax| item.text.contains(syntax))
        };
        if evaluated {
            let allowed = if item.command {
                "commands may use `$(…)` but not `${{`"
            } else {
                "names and settings may not use `${{`, `$(` or `$[`"
            };
            out.push(Diagnostic::new(
                Code::PipelineExpressionInText,
                item.subject,
                format!(
                    "{} contains pipeline expression syntax the platforms would evaluate",
                    item.field
                ),
                format!(
                    "remove it ({allowed}); pass values to commands through the environment instead"
                ),
            ));
        }
    }
}

fn texts(plan: &Plan) -> Vec<Text<'_>> {
    let mut all = Vec::new();
    let platform = Subject::plan();
    plain(&mut all, &platform, "the plan name", &plan.name);
    command(
        &mut all,
        &platform,
        "the build command",
        &plan.platforms.build.command,
    );
    plain(
        &mut all,
        &platform,
        "the artifacts folder",
        &plan.platforms.build.artifacts_dir,
    );
    plain(
        &mut all,
        &platform,
        "the main branch",
        &plan.platforms.repository.main_branch,
    );
    if let Some(develop) = &plan.platforms.repository.develop_branch {
        plain(&mut all, &platform, "the develop branch", develop);
    }
    plain(
        &mut all,
        &platform,
        "the Azure service connection",
        &plan.platforms.azure.service_connection,
    );
    plain(
        &mut all,
        &platform,
        "the Azure organization",
        &plan.platforms.azure.organization,
    );
    plain(
        &mut all,
        &platform,
        "the Azure project",
        &plan.platforms.azure.project,
    );
    match &plan.platforms.azure.agent_pool {
        crate::plan::AgentPool::VmImage(name) | crate::plan::AgentPool::Named(name) => {
            plain(&mut all, &platform, "the agent pool", name)
        }
    }
    plain(
        &mut all,
        &platform,
        "the GitHub runner",
        &plan.platforms.github.runner,
    );
    plain(
        &mut all,
        &platform,
        "the GitHub repository",
        &plan.platforms.github.repository,
    );
    for service in &plan.services {
        let subject = Subject::new(SubjectKind::Service, &service.id);
        plain(&mut all, &subject, "the id", service.id.as_str());
        plain(&mut all, &subject, "the name", &service.name);
        match &service.target {
            DeployTarget::AppService {
                app,
                resource_group,
                slot,
            } => {
                plain(&mut all, &subject, "the app name", app);
                plain(&mut all, &subject, "the resource group", resource_group);
                if let Some(slot) = slot {
                    plain(&mut all, &subject, "the slot", slot);
                }
            }
            DeployTarget::Kubernetes {
                cluster,
                resource_group,
                namespace,
                deployment,
                manifests,
            } => {
                for (field, text) in [
                    ("the cluster", cluster),
                    ("the resource group", resource_group),
                    ("the namespace", namespace),
                    ("the deployment", deployment),
                ] {
                    plain(&mut all, &subject, field, text);
                }
                for manifest in manifests {
                    plain(&mut all, &subject, "a manifest path", manifest);
                }
            }
            DeployTarget::StaticSite {
                storage_account,
                resource_group,
                source_dir,
            } => {
                for (field, text) in [
                    ("the storage account", storage_account),
                    ("the resource group", resource_group),
                    ("the source folder", source_dir),
                ] {
                    plain(&mut all, &subject, field, text);
                }
            }
            DeployTarget::Database {
                server,
                database,
                resource_group,
            } => {
                for (field, text) in [
                    ("the server", server),
                    ("the database", database),
                    ("the resource group", resource_group),
                ] {
                    plain(&mut all, &subject, field, text);
                }
            }
            DeployTarget::Script {
                command: deploy,
                rollback_command,
            } => {
                command(&mut all, &subject, "the deploy command", deploy);
                if let Some(rollback) = rollback_command {
                    command(&mut all, &subject, "the rollback command", rollback);
                }
            }
        }
        if let Some(HealthCheck { path, base_url, .. }) = &service.health_check {
            plain(&mut all, &subject, "the health check path", path);
            if let Some(base_url) = base_url {
                plain(&mut all, &subject, "the health check URL", base_url);
            }
        }
    }
    for migration in &plan.migrations {
        let subject = Subject::new(SubjectKind::Migration, &migration.id);
        plain(&mut all, &subject, "the id", migration.id.as_str());
        plain(&mut all, &subject, "the name", &migration.name);
        for step in migration.expand.iter().chain(&migration.contract) {
            plain(&mut all, &subject, "a step description", &step.description);
            command(&mut all, &subject, "a step command", &step.command);
        }
    }
    for environment in &plan.environments {
        let subject = Subject::new(SubjectKind::Environment, &environment.id);
        plain(&mut all, &subject, "the id", environment.id.as_str());
        plain(&mut all, &subject, "the name", &environment.name);
        for branch in &environment.allowed_branches {
            plain(&mut all, &subject, "an allowed branch", branch);
        }
        if let Some(approval) = &environment.approval {
            approval_texts(&mut all, &subject, approval);
        }
    }
    for region in &plan.regions {
        let subject = Subject::new(SubjectKind::Region, &region.id);
        plain(&mut all, &subject, "the id", region.id.as_str());
        plain(&mut all, &subject, "the name", &region.name);
        plain(&mut all, &subject, "the location", &region.location);
    }
    for runbook in &plan.runbooks {
        let subject = Subject::new(SubjectKind::Runbook, &runbook.id);
        for (field, text) in [
            ("the id", runbook.id.as_str()),
            ("the name", runbook.name.as_str()),
            ("the source ref", runbook.source_ref.as_str()),
            ("the branch pattern", runbook.branch_pattern.as_str()),
            ("the incident bridge", runbook.incident_bridge.as_str()),
        ] {
            plain(&mut all, &subject, field, text);
        }
        for branch in &runbook.merge_back {
            plain(&mut all, &subject, "a merge-back branch", branch);
        }
        for TimedCommand { command: text, .. } in [
            &runbook.critical_tests,
            &runbook.security_scan,
            &runbook.backfill,
        ]
        .into_iter()
        .flatten()
        {
            command(&mut all, &subject, "a command", text);
        }
        if let Some(approval) = &runbook.approval {
            approval_texts(&mut all, &subject, approval);
        }
    }
    all
}

fn plain<'a>(all: &mut Vec<Text<'a>>, subject: &Subject, field: &'static str, text: &'a str) {
    all.push(Text {
        subject: subject.clone(),
        field,
        text,
        command: false,
    });
}

fn command<'a>(all: &mut Vec<Text<'a>>, subject: &Subject, field: &'static str, text: &'a str) {
    all.push(Text {
        subject: subject.clone(),
        field,
        text,
        command: true,
    });
}

fn approval_texts<'a>(all: &mut Vec<Text<'a>>, subject: &Subject, approval: &'a Approval) {
    for approver in &approval.approvers {
        plain(all, subject, "an approver", approver);
    }
    plain(
        all,
        subject,
        "the approval instructions",
        &approval.instructions,
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::DeployTarget;

    #[test]
    fn expressions_in_names_are_refused() {
        for hostile in [
            "${{ secrets.TOKEN }}",
            "$(System.AccessToken)",
            "$[ variables.x ]",
        ] {
            let mut plan = clean_plan();
            plan.services[1].name = hostile.into();
            assert_eq!(
                single(&plan, Code::PipelineExpressionInText).subject.id,
                "api",
                "{hostile}"
            );
        }
        none(&clean_plan(), Code::PipelineExpressionInText);
    }

    #[test]
    fn commands_may_use_shell_substitution_but_not_github_expressions() {
        let mut plan = clean_plan();
        plan.runbooks[0]
            .critical_tests
            .as_mut()
            .expect("tests")
            .command = "make test TAG=$(git rev-parse HEAD)".into();
        none(&plan, Code::PipelineExpressionInText);
        plan.services[1].target = DeployTarget::Script {
            command: "echo ${{ github.token }}".into(),
            rollback_command: None,
        };
        single(&plan, Code::PipelineExpressionInText);
    }
}
