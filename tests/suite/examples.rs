//! The example plans: each passes `check` and has a deployment order, in text and JSON, that keeps
//! every promise of the plan; Meridian's order is the one the design notes describe.

use crate::common::{assert_order_respects_plan, cutover, examples_dir, ron_files};
use cutover::analysis::analyse;
use cutover::storage::load_plan;
use serde_json::{Value, json};

#[test]
fn there_are_the_examples_the_issue_asks_for() {
    let names: Vec<String> = ron_files(&examples_dir())
        .iter()
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"meridian-claims.ron".to_owned()),
        "{names:?}"
    );
    let multi_region = ron_files(&examples_dir())
        .iter()
        .map(|path| load_plan(path).expect("example loads"))
        .any(|plan| {
            plan.services.len() >= 10
                && plan.regions.len() >= 3
                && plan.migrations.len() >= 2
                && plan.runbooks.len() >= 2
        });
    assert!(
        multi_region,
        "no multi-region example with 10 services, 2 migrations and 2 runbooks"
    );
}

#[test]
fn every_example_passes_check_without_errors_or_warnings() {
    for path in ron_files(&examples_dir()) {
        let text = cutover(["check".as_ref(), path.as_os_str()]);
        assert_eq!(text.code, Some(0), "{}:\n{}", path.display(), text.stdout);
        assert!(
            text.stdout.contains("0 errors, 0 warnings"),
            "{}",
            text.stdout
        );
        let json = cutover([
            "check".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(json.code, Some(0));
        let diagnostics = json.json();
        let severities: Vec<&Value> = diagnostics
            .as_array()
            .expect("an array")
            .iter()
            .map(|d| &d["severity"])
            .collect();
        assert!(
            severities.iter().all(|s| *s == "info"),
            "{}: {diagnostics:#}",
            path.display()
        );
    }
}

#[test]
fn every_example_has_an_order_that_keeps_the_plans_promises() {
    for path in ron_files(&examples_dir()) {
        let plan = load_plan(&path).expect("example loads");
        let order = analyse(&plan).order.expect("an example has an order");
        assert_order_respects_plan(&plan, &order);

        let text = cutover(["order".as_ref(), path.as_os_str()]);
        assert_eq!(text.code, Some(0), "{}", text.stderr);
        let text_waves = text
            .stdout
            .lines()
            .filter(|l| l.starts_with("wave "))
            .count();
        assert_eq!(text_waves, order.waves.len(), "{}", text.stdout);

        let json = cutover([
            "order".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(json.code, Some(0), "{}", json.stderr);
        let waves = json.json()["waves"].as_array().expect("waves").clone();
        assert_eq!(waves.len(), order.waves.len());
        for (json_wave, wave) in waves.iter().zip(&order.waves) {
            assert_eq!(
                json_wave.as_array().expect("a wave is an array").len(),
                wave.steps.len()
            );
        }
    }
}

/// One wave of the JSON order as (kind, name) pairs, sorted so steps that run side by side compare as
/// a set.
fn wave_summary(wave: &Value) -> Vec<(String, String, String)> {
    let mut steps: Vec<(String, String, String)> = wave
        .as_array()
        .expect("a wave is an array")
        .iter()
        .map(|step| {
            let text = |key: &str| step[key].as_str().unwrap_or_default().to_owned();
            let name = match text("kind").as_str() {
                "expand" | "contract" => text("migration"),
                "deploy" => text("service"),
                _ => String::new(),
            };
            (text("kind"), name, text("region"))
        })
        .collect();
    steps.sort();
    steps
}

#[test]
fn meridian_deploys_bottom_up_between_expand_and_contract() {
    let path = examples_dir().join("meridian-claims.ron");
    let run = cutover([
        "order".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let order = run.json();
    let waves: Vec<_> = order["waves"]
        .as_array()
        .expect("waves")
        .iter()
        .map(wave_summary)
        .collect();
    let step = |kind: &str, name: &str, region: &str| (kind.into(), name.into(), region.into());
    assert_eq!(
        waves,
        vec![
            vec![step("expand", "Claim status column", "East US")],
            vec![step("deploy", "SQL Database", "East US")],
            vec![
                step("deploy", "Claims API", "East US"),
                step("deploy", "Notification Service", "East US"),
            ],
            vec![step("deploy", "Claims Portal", "East US")],
            vec![step("validate", "", "East US")],
            vec![step("contract", "Claim status column", "East US")],
        ]
    );
    assert_eq!(order["waves"][4][0]["minutes"], json!(10));
}

#[test]
fn meridian_text_order_names_the_waves_in_words() {
    let path = examples_dir().join("meridian-claims.ron");
    let run = cutover(["order".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, Some(0));
    let expected = "\
wave 1
  expand    Claim status column [East US]
wave 2
  deploy    SQL Database [East US]
wave 3
  deploy    Claims API [East US]
  deploy    Notification Service [East US]
wave 4
  deploy    Claims Portal [East US]
wave 5
  validate  East US for 10 min
wave 6
  contract  Claim status column [East US]
";
    assert_eq!(run.stdout, expected);
}
