//! `examples/broken/`: one plan per error code, each failing `check` with exactly that error.

use std::path::PathBuf;

use crate::common::{cutover, examples_dir, ron_files};
use cutover::analysis::{Code, Severity};

fn broken_files() -> Vec<PathBuf> {
    ron_files(&examples_dir().join("broken"))
}

/// The code a broken example is named after: `CUT001-dependency-cycle.ron` → `CUT001`.
fn code_in_name(path: &std::path::Path) -> String {
    let name = path.file_name().expect("a file name").to_string_lossy();
    name.split('-').next().expect("a code prefix").to_owned()
}

#[test]
fn every_broken_example_fails_check_with_the_error_it_is_named_after_and_no_other() {
    let files = broken_files();
    assert!(!files.is_empty());
    for path in files {
        let code = code_in_name(&path);
        let run = cutover([
            "check".as_ref(),
            path.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        assert_eq!(run.code, Some(1), "{}: {}", path.display(), run.stdout);
        let diagnostics = run.json();
        let errors: Vec<&str> = diagnostics
            .as_array()
            .expect("an array")
            .iter()
            .filter(|d| d["severity"] == "error")
            .map(|d| d["code"].as_str().expect("a code"))
            .collect();
        assert!(
            !errors.is_empty() && errors.iter().all(|c| *c == code),
            "{} gives errors {errors:?}",
            path.display()
        );

        let text = cutover(["check".as_ref(), path.as_os_str()]);
        assert_eq!(text.code, Some(1));
        assert!(
            text.stdout.contains(&format!("error[{code}]")),
            "{}",
            text.stdout
        );
    }
}

#[test]
fn every_error_code_has_a_broken_example() {
    let named: Vec<String> = broken_files().iter().map(|p| code_in_name(p)).collect();
    for code in Code::ALL {
        if code.severity() == Severity::Error {
            assert!(
                named.iter().any(|n| n == code.as_str()),
                "no example in examples/broken/ for {code} ({})",
                code.title()
            );
        }
    }
    for name in &named {
        let code = Code::ALL
            .iter()
            .find(|c| c.as_str() == name)
            .unwrap_or_else(|| panic!("{name} is not a code"));
        assert_eq!(code.severity(), Severity::Error, "{name} is not an error");
    }
}

#[test]
fn a_plan_with_a_cycle_has_no_order() {
    let path = examples_dir()
        .join("broken")
        .join("CUT001-dependency-cycle.ron");
    let run = cutover(["order".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout
            .contains("orders-api → payments-api → orders-api"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("no deployment order exists"));
}
