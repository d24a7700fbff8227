//! `cutover export` through the real binary: what it writes, the drift check, refusals, targets.

use std::path::Path;
use std::process::{Command, Output};

fn cutover(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cutover"))
        .args(args)
        .output()
        .expect("cutover runs")
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(&next).expect("listed") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(
                    path.strip_prefix(dir)
                        .expect("inside")
                        .display()
                        .to_string(),
                );
            }
        }
    }
    found.sort();
    found
}

#[test]
fn meridian_exports_pipelines_setup_and_runbook_for_both_platforms() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let output = cutover(&["export", &example("meridian-claims.ron"), "--out", out]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        files_under(dir.path()),
        [
            ".github/environments/meridian-claims-setup.sh",
            ".github/workflows/meridian-claims-deploy-app-service-slot.yml",
            ".github/workflows/meridian-claims-deploy-database.yml",
            ".github/workflows/meridian-claims-deploy-static-site.yml",
            ".github/workflows/meridian-claims-hotfix-claims-api-hotfix.yml",
            ".github/workflows/meridian-claims-release.yml",
            "azure-pipelines/environments/meridian-claims-setup.sh",
            "azure-pipelines/meridian-claims-hotfix-claims-api-hotfix.yml",
            "azure-pipelines/meridian-claims-release.yml",
            "azure-pipelines/templates/meridian-claims-deploy-app-service-slot.yml",
            "azure-pipelines/templates/meridian-claims-deploy-database.yml",
            "azure-pipelines/templates/meridian-claims-deploy-static-site.yml",
            "cutover/meridian-claims.sh",
            "docs/runbooks/claims-api-hotfix.md",
        ]
    );
    let summary = stdout(&output);
    assert!(
        summary.contains("production-approval"),
        "the summary lists the environments:\n{summary}"
    );
    assert!(summary.contains("claims-api-hotfix-approval"), "{summary}");
}

#[test]
fn the_drift_check_names_missing_and_changed_files_and_passes_when_up_to_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let plan = example("meridian-claims.ron");
    let before = cutover(&["export", &plan, "--out", out, "--check"]);
    assert_eq!(before.status.code(), Some(1));
    assert!(stdout(&before).contains("missing: "), "{}", stdout(&before));
    assert!(files_under(dir.path()).is_empty(), "--check writes nothing");

    assert_eq!(
        cutover(&["export", &plan, "--out", out]).status.code(),
        Some(0)
    );
    let clean = cutover(&["export", &plan, "--out", out, "--check"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));

    let edited = dir
        .path()
        .join(".github/workflows/meridian-claims-release.yml");
    let mut text = std::fs::read_to_string(&edited).expect("read");
    text.push_str("# a hand edit\n");
    std::fs::write(&edited, text).expect("written");
    let drift = cutover(&["export", &plan, "--out", out, "--check"]);
    assert_eq!(drift.status.code(), Some(1));
    let report = stdout(&drift);
    assert!(
        report.contains("differs: ") && report.contains("meridian-claims-release.yml"),
        "{report}"
    );
    assert_eq!(
        report.matches("differs: ").count(),
        1,
        "only the edited file differs:\n{report}"
    );
}

#[test]
fn a_plan_with_errors_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let output = cutover(&[
        "export",
        &example("broken/CUT030-hotfix-without-approval.ron"),
        "--out",
        out,
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("CUT030"), "{}", stdout(&output));
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn a_single_target_writes_only_its_platform_the_library_its_data_and_the_runbooks() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let output = cutover(&[
        "export",
        &example("northwind-commerce.ron"),
        "--out",
        out,
        "--target",
        "azure",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let files = files_under(dir.path());
    assert!(
        files.iter().all(|f| f.starts_with("azure-pipelines/")
            || f.starts_with("docs/runbooks/")
            || f == "cutover/northwind-commerce.sh"
            || f == "cutover/northwind-commerce-rollbacks.jsonl"),
        "{files:?}"
    );
    assert!(files.iter().any(|f| f.starts_with("docs/runbooks/")));
}

#[test]
fn an_unreadable_plan_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let output = cutover(&["export", "/nonexistent/plan.ron", "--out", out]);
    assert_eq!(output.status.code(), Some(2));
}
