//! The JSON that scripts rely on: `check --format json` is an array of diagnostics with `code`,
//! `severity`, `message` and `subject`; `order --format json` is `{"waves": [[step, …], …]}` with each
//! step's `kind` and the display names of what it deploys.

use std::path::{Path, PathBuf};

use crate::common::{cutover, examples_dir, ron_files};
use cutover::analysis::Code;
use cutover::storage::load_plan;
use serde_json::Value;

fn json_of(command: &str, path: &Path) -> Value {
    let run = cutover([
        command.as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert!(matches!(run.code, Some(0 | 1)), "{}", run.stderr);
    run.json()
}

fn all_examples() -> Vec<PathBuf> {
    let mut files = ron_files(&examples_dir());
    files.extend(ron_files(&examples_dir().join("broken")));
    files
}

#[test]
fn check_json_is_an_array_of_diagnostics() {
    let mut seen = 0;
    for path in all_examples() {
        let value = json_of("check", &path);
        for diagnostic in value.as_array().expect("an array") {
            let object = diagnostic
                .as_object()
                .expect("each diagnostic is an object");
            let code = object["code"].as_str().expect("code is a string");
            let known = Code::ALL
                .iter()
                .find(|c| c.as_str() == code)
                .unwrap_or_else(|| panic!("unknown code {code}"));
            assert_eq!(
                object["severity"].as_str(),
                Some(known.severity().to_string().as_str())
            );
            assert!(!object["message"].as_str().expect("message").is_empty());
            let subject = object["subject"].as_str().expect("subject is a string");
            let kind = object["subject_kind"].as_str().expect("subject_kind");
            assert!(subject.starts_with(kind), "{subject} vs {kind}");
            seen += 1;
        }
    }
    assert!(seen >= Code::ALL.len() / 2, "only {seen} diagnostics seen");
}

#[test]
fn order_json_is_waves_of_steps_with_display_names() {
    for path in ron_files(&examples_dir()) {
        let plan = load_plan(&path).expect("loads");
        let value = json_of("order", &path);
        let object = value.as_object().expect("an object");
        assert_eq!(object.keys().collect::<Vec<_>>(), vec!["waves"]);
        let waves = object["waves"].as_array().expect("waves is an array");
        assert!(!waves.is_empty());
        let service_names: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        let region_names: Vec<&str> = plan.regions.iter().map(|r| r.name.as_str()).collect();
        let migration_names: Vec<&str> = plan.migrations.iter().map(|m| m.name.as_str()).collect();
        for wave in waves {
            for step in wave.as_array().expect("a wave is an array") {
                let text = |key: &str| {
                    step[key]
                        .as_str()
                        .unwrap_or_else(|| panic!("`{key}` missing in {step}"))
                };
                match text("kind") {
                    "expand" | "contract" => {
                        assert!(migration_names.contains(&text("migration")), "{step}");
                        if let Some(region) = step.get("region") {
                            assert!(
                                region_names.contains(&region.as_str().expect("a name")),
                                "{step}"
                            );
                        }
                    }
                    "deploy" => {
                        assert!(service_names.contains(&text("service")), "{step}");
                        assert!(region_names.contains(&text("region")), "{step}");
                    }
                    "validate" => {
                        assert!(region_names.contains(&text("region")), "{step}");
                        assert!(step["minutes"].as_u64().is_some_and(|m| m > 0), "{step}");
                    }
                    other => panic!("unknown kind {other}"),
                }
            }
        }
    }
}

#[test]
fn a_plan_without_regions_deploys_without_a_region_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = cutover::plan::templates::starter("regionless");
    plan.regions.clear();
    let path = dir.path().join("regionless.ron");
    cutover::storage::save_plan(&path, &plan).expect("saved");
    let value = json_of("order", &path);
    let steps: Vec<&Value> = value["waves"]
        .as_array()
        .expect("waves")
        .iter()
        .flat_map(|w| w.as_array().expect("wave").iter())
        .collect();
    assert_eq!(steps.len(), plan.services.len());
    for step in steps {
        assert_eq!(step["kind"], "deploy");
        assert!(step.get("region").is_none(), "{step}");
    }
}
