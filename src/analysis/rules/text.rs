//! Plan text that reaches generated pipelines must not be evaluated there. GitHub expands `${{ … }}`
//! anywhere in a workflow, and Azure expands `$( … )` macros and `$[ … ]` runtime expressions in names,
//! inputs and environment values. Commands are shell by intent, so `$(…)` is allowed in them, but no
//! text may contain `${{`.

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::{TextKind, visit_texts};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    visit_texts(cx.plan, &mut |item| {
        let command = item.kind == TextKind::Command;
        let evaluated = if command {
            item.text.contains("${{")
        } else {
            ["${{", "$(", "$["]
                .iter()
                .any(|syntax| item.text.contains(syntax))
        };
        if evaluated {
            let allowed = if command {
                "commands may use `$(…)` but not `${{`"
            } else {
                "names and settings may not use `${{`, `$(` or `$[`"
            };
            out.push(Diagnostic::new(
                Code::PipelineExpressionInText,
                item.owner.clone(),
                format!(
                    "{} contains pipeline expression syntax the platforms would evaluate",
                    item.field
                ),
                format!(
                    "remove it ({allowed}); pass values to commands through the environment instead"
                ),
            ));
        }
    });
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
                single(&plan, Code::PipelineExpressionInText).subject.key(),
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
