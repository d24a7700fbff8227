//! Plan text that reaches generated files must stay data there. These rules see every text field of the
//! plan ([`visit_texts`]), each checked by what it is ([`TextKind`]):
//!
//! - pipeline expressions (CUT005): GitHub expands `${{ … }}` anywhere in a workflow, and Azure expands
//!   `$( … )` macros and `$[ … ]` runtime expressions in names, inputs and environment values. Commands
//!   are shell by intent, so they may use `$(…)` — but not `${{`, nor `$(NAME)`, which Azure reads as a
//!   pipeline variable. Values with `{region}`/`{environment}` are checked as emitted, after every
//!   substitution;
//! - characters no file can carry safely: control characters (CUT090), line breaks in one-line fields
//!   (CUT091), bidirectional overrides and zero-width characters (CUT092), Azure logging commands
//!   (CUT098);
//! - shapes: lengths (CUT093), id characters (CUT095), git refs and branch patterns (CUT096), variable
//!   names (CUT097) and platform settings (CUT099).

use super::Context;
use crate::analysis::{Code, Diagnostic};
use crate::plan::placeholder::{Place, has_placeholder, resolve};
use crate::plan::{Id, Plan, TextField, TextKind, visit_texts};

pub(super) fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let places = Places::of(cx.plan);
    visit_texts(cx.plan, &mut |field| check_field(&field, &places, out));
}

fn check_field(field: &TextField<'_>, places: &Places, out: &mut Vec<Diagnostic>) {
    let mut report = |code: Code, message: String, hint: &str| {
        out.push(Diagnostic::new(
            code,
            field.owner.clone(),
            message,
            hint.to_owned(),
        ));
    };
    if let Some(problem) = characters(field) {
        report(problem.0, problem.1, problem.2);
        return;
    }
    let limit = max_length(field.kind);
    // A text of at most `limit` bytes has at most `limit` characters: only longer ones are counted.
    if field.text.len() > limit && field.text.chars().count() > limit {
        report(
            Code::TextTooLong,
            format!(
                "{} is {} characters long; at most {limit} are allowed",
                field.field,
                field.text.chars().count()
            ),
            "shorten it",
        );
        return;
    }
    if let Some(problem) = shape(field) {
        report(problem.0, problem.1, problem.2);
        return;
    }
    if has_logging_command(field.text) {
        report(
            Code::LoggingCommandInText,
            format!(
                "{} holds an Azure Pipelines logging command (`##vso[` or `##[`)",
                field.field
            ),
            "remove it: Azure runs it as a command when a step prints the text",
        );
        return;
    }
    if let Some(value) = places.first_evaluated(field.text, field.kind) {
        let (allowed, after) = if field.kind == TextKind::Command {
            (
                "commands may use shell `$( … )` but not `${{`, nor `$(NAME)`, which Azure reads as a pipeline variable",
                "",
            )
        } else {
            ("names and settings may not use `${{`, `$(` or `$[`", "")
        };
        let shown = if value == field.text {
            String::new()
        } else {
            format!(" once its placeholders are replaced (`{value}`){after}")
        };
        report(
            Code::PipelineExpressionInText,
            format!(
                "{}{shown} contains pipeline expression syntax the platforms would evaluate",
                field.field
            ),
            &format!(
                "remove it ({allowed}); pass values to commands through the environment instead"
            ),
        );
    }
}

/// The places a value is substituted for: every environment a pipeline deploys to, with every region.
struct Places {
    environments: Vec<Id>,
    regions: Vec<Option<Id>>,
    /// Whether an environment's or a region's id holds a `$`, so that substituting it could make an
    /// expression of a text that has none.
    ids_hold_dollar: bool,
}

impl Places {
    fn of(plan: &Plan) -> Self {
        let mut environments: Vec<Id> = plan.environments.iter().map(|e| e.id.clone()).collect();
        if environments.is_empty() {
            environments.push(plan.rollout.environment.clone());
        }
        Self::of_ids(
            environments,
            plan.regions.iter().map(|r| r.id.clone()).collect(),
        )
    }

    /// The places of these environments (at least one) and regions; every value is also used
    /// without a region (a global database's).
    fn of_ids(environments: Vec<Id>, regions: Vec<Id>) -> Self {
        let mut regions: Vec<Option<Id>> = regions.into_iter().map(Some).collect();
        regions.push(None);
        let ids_hold_dollar = environments.iter().any(|e| e.as_str().contains('$'))
            || regions.iter().flatten().any(|r| r.as_str().contains('$'));
        Self {
            environments,
            regions,
            ids_hold_dollar,
        }
    }

    /// The first value `text` becomes (itself when it has no placeholder, else each substitution,
    /// environment by environment and region by region) that a platform would evaluate as an
    /// expression ([`evaluated`]).
    ///
    /// Every expression starts with `$`, and substitution only adds ids, so when neither the text nor
    /// any id holds a `$` no value can be one, and none is built.
    fn first_evaluated(&self, text: &str, kind: TextKind) -> Option<String> {
        let dollar = text.contains('$');
        if !dollar && !self.ids_hold_dollar {
            return None;
        }
        if !has_placeholder(text) {
            return (dollar && evaluated(text, kind)).then(|| text.to_owned());
        }
        self.environments.iter().find_map(|environment| {
            self.regions.iter().find_map(|region| {
                let value = resolve(
                    text,
                    Place {
                        environment,
                        region: region.as_ref(),
                    },
                );
                evaluated(&value, kind).then_some(value)
            })
        })
    }
}

/// Whether `text` holds an Azure Pipelines logging command: `##vso[` in any case, or `##[`.
fn has_logging_command(text: &str) -> bool {
    text.contains('#')
        && (text.contains("##[")
            || text
                .as_bytes()
                .windows(b"##vso[".len())
                .any(|window| window.eq_ignore_ascii_case(b"##vso[")))
}

/// Whether a platform would evaluate part of `value` as an expression.
fn evaluated(value: &str, kind: TextKind) -> bool {
    if value.contains("${{") {
        return true;
    }
    if kind == TextKind::Command {
        return has_azure_macro(value);
    }
    value.contains("$(") || value.contains("$[")
}

/// Whether `text` holds `$(NAME)`, Azure's macro syntax for a pipeline variable.
fn has_azure_macro(text: &str) -> bool {
    text.match_indices("$(").any(|(start, _)| {
        let rest = &text[start + 2..];
        let name_length = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        name_length > 0
            && rest[name_length..].starts_with(')')
            && rest
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    })
}

/// A diagnostic's code, message and hint.
type Problem = (Code, String, &'static str);

/// Characters no field may hold, and line breaks in fields of one line.
fn characters(field: &TextField<'_>) -> Option<Problem> {
    // Printable ASCII is never a line break, a control or an invisible character: most text is only
    // that, and is passed over without decoding it.
    if field.text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return None;
    }
    let multi_line = matches!(field.kind, TextKind::Prose | TextKind::Command);
    for c in field.text.chars() {
        let line_break = matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
            || (!multi_line && matches!(c, '\n' | '\r'));
        if line_break {
            return Some((
                Code::LineBreakInName,
                format!(
                    "{} holds a line break (U+{:04X})",
                    field.field,
                    u32::from(c)
                ),
                "keep it on one line",
            ));
        }
        let allowed_control = multi_line && matches!(c, '\n' | '\t');
        if c.is_control() && !allowed_control {
            return Some((
                Code::ControlCharacter,
                format!(
                    "{} holds the control character U+{:04X}",
                    field.field,
                    u32::from(c)
                ),
                "remove it",
            ));
        }
        if invisible(c) {
            return Some((
                Code::InvisibleCharacter,
                format!(
                    "{} holds the invisible character U+{:04X}, so it is not what it looks like",
                    field.field,
                    u32::from(c)
                ),
                "remove it, so the text shown is the text used",
            ));
        }
    }
    None
}

/// Bidirectional overrides and isolates, directional marks and zero-width characters.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
    )
}

/// The longest text each kind of field may hold, in characters.
fn max_length(kind: TextKind) -> usize {
    match kind {
        TextKind::Id | TextKind::Reference => MAX_ID_LENGTH,
        TextKind::Name | TextKind::UrlPath => 200,
        TextKind::Prose | TextKind::Command => 4_000,
        TextKind::ResourceName | TextKind::Approver => 256,
        TextKind::Url | TextKind::RepositoryPath | TextKind::OrganizationUrl => 2_000,
        TextKind::Branch | TextKind::BranchPattern | TextKind::GitRef => 250,
        TextKind::RouterName => 90,
        TextKind::RunnerLabel
        | TextKind::AgentPool
        | TextKind::ServiceConnection
        | TextKind::ProjectName
        | TextKind::RepositoryName
        | TextKind::Location
        | TextKind::VariableName => 100,
    }
}

/// The runner labels the GitHub jobs may name: GitHub's hosted Ubuntu images (the scripts need bash,
/// jq and the Azure CLI, which those images carry) and `self-hosted`, the label every self-hosted
/// runner has. A custom label is unknown to actionlint without a configuration file in the
/// repository, so it is refused rather than exported with a finding.
const RUNNER_LABELS: &[&str] = &[
    "ubuntu-latest",
    "ubuntu-24.04",
    "ubuntu-22.04",
    "ubuntu-24.04-arm",
    "ubuntu-22.04-arm",
    "ubuntu-latest-4-cores",
    "ubuntu-latest-8-cores",
    "ubuntu-latest-16-cores",
    "self-hosted",
];

/// The longest id: ids become parts of file names and pipeline ids.
const MAX_ID_LENGTH: usize = 64;

/// What each kind of field must look like.
fn shape(field: &TextField<'_>) -> Option<Problem> {
    let text = field.text;
    let ok = |allowed: fn(char) -> bool| text.chars().all(allowed);
    let (valid, code, what, hint) = match field.kind {
        TextKind::Id => (
            !text.is_empty()
                && text.starts_with(|c: char| c.is_ascii_alphanumeric())
                && ok(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            Code::IdCharacters,
            "an id",
            "use ASCII letters, digits, `-`, `_` and `.`, starting with a letter or digit",
        ),
        TextKind::Branch | TextKind::GitRef => (
            git_ref(text, false),
            Code::InvalidGitRef,
            "a git branch or ref",
            "use letters, digits, `.`, `_`, `-` and `/`, with no `..`, no leading or trailing `/` or `.`, and no `.lock` ending",
        ),
        TextKind::BranchPattern => (
            git_ref(text, true),
            Code::InvalidGitRef,
            "a branch pattern",
            "use letters, digits, `.`, `_`, `-`, `/` and `*`, with no `..`, no leading or trailing `/` or `.`",
        ),
        TextKind::VariableName => (
            text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && ok(|c| c.is_ascii_alphanumeric() || c == '_'),
            Code::InvalidVariableName,
            "a variable name",
            "use letters, digits and `_`, not starting with a digit; Cutover does not rewrite names",
        ),
        TextKind::RunnerLabel => (
            RUNNER_LABELS.contains(&text),
            Code::InvalidSetting,
            "a runner label Cutover's jobs can run on",
            "use a GitHub-hosted Ubuntu label (ubuntu-latest, ubuntu-24.04, ubuntu-22.04, their -arm and -N-cores sizes) or `self-hosted`; the jobs need bash and the Azure CLI, and a custom label would fail actionlint",
        ),
        TextKind::Location => (
            !text.is_empty() && ok(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            Code::InvalidSetting,
            "a label",
            "use ASCII letters, digits, `-`, `_` and `.`",
        ),
        TextKind::RouterName => (
            text.starts_with(|c: char| c.is_ascii_alphanumeric())
                && ok(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            Code::InvalidSetting,
            "an Azure resource name",
            "use ASCII letters, digits, `-`, `_` and `.`, starting with a letter or digit (no placeholders: a route names one environment's router)",
        ),
        TextKind::AgentPool | TextKind::ServiceConnection | TextKind::ProjectName => (
            (field.kind == TextKind::ProjectName && text.is_empty())
                || (!text.trim().is_empty()
                    && ok(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')')
                    })),
            Code::InvalidSetting,
            "a name on Azure DevOps",
            "use ASCII letters, digits, spaces, `-`, `_`, `.` and parentheses",
        ),
        TextKind::RepositoryName => (
            text.is_empty() || repository(text),
            Code::InvalidSetting,
            "a GitHub repository",
            "write it as OWNER/NAME, with letters, digits, `-`, `_` and `.`",
        ),
        TextKind::OrganizationUrl => (
            text.is_empty()
                || (text.starts_with("https://")
                    && ok(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '.' | '-' | '_')
                    })),
            Code::InvalidSetting,
            "an Azure DevOps organization URL",
            "write it as https://dev.azure.com/ORGANIZATION",
        ),
        _ => return None,
    };
    if valid {
        return None;
    }
    Some((
        code,
        format!(
            "{} `{text}` is not {what} the platforms accept",
            field.field
        ),
        hint,
    ))
}

/// Whether `text` is a git ref name the platforms and shells take as data: letters, digits, `.`, `_`,
/// `-`, `/` (and `*` in a pattern), and git's own rules on dots and slashes.
fn git_ref(text: &str, pattern: bool) -> bool {
    let allowed = |c: char| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/') || (pattern && c == '*')
    };
    !text.is_empty()
        && text.chars().all(allowed)
        && !text.contains("..")
        && !text.contains("//")
        && !text.starts_with(['/', '.', '-'])
        && !text.ends_with(['/', '.'])
        && !text.ends_with(".lock")
        && !text.split('/').any(|part| part.starts_with('.'))
}

/// Whether `text` is `OWNER/NAME`.
fn repository(text: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    matches!(text.split_once('/'), Some((owner, name)) if part(owner) && part(name))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::analysis::Code;
    use crate::plan::{DeployTarget, Id, Region};

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
    fn commands_may_use_shell_substitution_but_not_expressions_or_azure_variables() {
        let mut plan = clean_plan();
        plan.runbooks[0]
            .critical_tests
            .as_mut()
            .expect("tests")
            .command = "make test TAG=$(git rev-parse HEAD)".into();
        none(&plan, Code::PipelineExpressionInText);
        for hostile in ["echo ${{ github.token }}", "echo $(System.AccessToken)"] {
            plan.services[1].target = DeployTarget::Script {
                command: hostile.into(),
                rollback_command: None,
            };
            single(&plan, Code::PipelineExpressionInText);
        }
    }

    #[test]
    fn runner_labels_outside_the_ones_the_jobs_can_run_on_are_refused() {
        let mut plan = clean_plan();
        for label in ["ubuntu-latest", "ubuntu-24.04-arm", "self-hosted"] {
            plan.platforms.github.runner = label.into();
            none(&plan, Code::InvalidSetting);
        }
        for label in ["0755j", "windows-latest", "macos-14", "gpu-box", ""] {
            plan.platforms.github.runner = label.into();
            single(&plan, Code::InvalidSetting);
        }
    }

    #[test]
    fn values_are_checked_after_their_placeholders_are_replaced() {
        let mut plan = clean_plan();
        plan.regions.push(Region {
            id: Id::new("System"),
            name: "System".into(),
            location: "westus".into(),
            validation_minutes: 0,
        });
        plan.services[1].target = DeployTarget::Script {
            command: "./deploy.sh $({region}.AccessToken)".into(),
            rollback_command: None,
        };
        let found = single(&plan, Code::PipelineExpressionInText);
        assert!(found.message.contains(".AccessToken)`"), "{found:?}");
    }

    #[test]
    fn line_breaks_of_every_kind_controls_and_invisible_characters_are_refused() {
        for (text, code) in [
            ("a\u{2028}env: x", Code::LineBreakInName),
            ("a\u{85}b", Code::LineBreakInName),
            ("a\nb", Code::LineBreakInName),
            ("bell\u{7}", Code::ControlCharacter),
            ("nul\u{0}", Code::ControlCharacter),
            ("evil\u{202e}txt", Code::InvisibleCharacter),
            ("zero\u{200b}width", Code::InvisibleCharacter),
        ] {
            let mut plan = clean_plan();
            plan.name = text.into();
            single(&plan, code);
        }
        let mut plan = clean_plan();
        plan.description = "two\nlines\tand a tab".into();
        none(&plan, Code::LineBreakInName);
        none(&plan, Code::ControlCharacter);
    }

    #[test]
    fn ids_refs_and_names_have_their_shapes() {
        let mut plan = clean_plan();
        plan.regions[0].id = Id::new("east us");
        plan.services[0].target = DeployTarget::Database {
            engine: crate::plan::DatabaseEngine::AzureSql,
            server: "sql-app".into(),
            database: "app".into(),
            resource_group: "rg-app".into(),
            global: false,
        };
        assert!(!findings(&plan, Code::IdCharacters).is_empty());
        let mut plan = clean_plan();
        plan.runbooks[0].source_ref = "main; rm -rf /".into();
        single(&plan, Code::InvalidGitRef);
        let mut plan = clean_plan();
        plan.environments[1].allowed_branches = vec!["main,*".into()];
        single(&plan, Code::InvalidGitRef);
        let mut plan = clean_plan();
        plan.platforms.github.credentials.client_id_variable = "X }} ${{ Y".into();
        single(&plan, Code::InvalidVariableName);
        let mut plan = clean_plan();
        plan.services[1].name = "##vso[task.setvariable variable=x]y".into();
        single(&plan, Code::LoggingCommandInText);
        let mut plan = clean_plan();
        plan.name = "x".repeat(5_000);
        single(&plan, Code::TextTooLong);
    }

    /// The search before it was made lazy: every distinct value built, then the first evaluated one.
    fn every_value_then_first_evaluated(
        places: &super::Places,
        text: &str,
        kind: TextKind,
    ) -> Option<String> {
        use crate::plan::placeholder::{Place, has_placeholder, resolve};
        let mut values: Vec<String> = Vec::new();
        if has_placeholder(text) {
            for environment in &places.environments {
                for region in &places.regions {
                    let value = resolve(
                        text,
                        Place {
                            environment,
                            region: region.as_ref(),
                        },
                    );
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
            }
        } else {
            values.push(text.to_owned());
        }
        values
            .into_iter()
            .find(|value| super::evaluated(value, kind))
    }

    /// Text made of the pieces that matter here: `$`, brackets, placeholders, logging commands.
    fn pieces(count: usize) -> impl proptest::strategy::Strategy<Value = String> {
        const PIECES: &[&str] = &[
            "$",
            "(",
            ")",
            "[",
            "{",
            "}",
            "{{",
            "$(",
            "${{",
            "$[",
            "{region}",
            "{environment}",
            "{reg",
            "ion}",
            "a",
            "Z_9",
            ".",
            " ",
            "#",
            "##",
            "##vso[",
            "##VsO[",
            "##[",
            "vso[",
            "é",
            "İ",
        ];
        proptest::collection::vec(proptest::sample::select(PIECES), 0..count)
            .prop_map(|pieces| pieces.concat())
    }

    use crate::plan::TextKind;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_lazy_search_finds_the_value_the_full_search_found(
            text in pieces(8),
            environments in proptest::collection::vec(pieces(3), 1..3),
            regions in proptest::collection::vec(pieces(3), 0..3),
            command in any::<bool>(),
        ) {
            let places = super::Places::of_ids(
                environments.iter().map(|e| Id::new(e.as_str())).collect(),
                regions.iter().map(|r| Id::new(r.as_str())).collect(),
            );
            let kind = if command { TextKind::Command } else { TextKind::Name };
            prop_assert_eq!(
                places.first_evaluated(&text, kind),
                every_value_then_first_evaluated(&places, &text, kind)
            );
        }

        #[test]
        fn logging_commands_are_found_without_lowering_the_text(text in pieces(8)) {
            prop_assert_eq!(
                super::has_logging_command(&text),
                text.to_ascii_lowercase().contains("##vso[") || text.contains("##[")
            );
        }
    }
}
