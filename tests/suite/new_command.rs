//! `cutover new`: starter plans that pass `check`, and never an overwritten file.

use crate::common::cutover;
use cutover::plan::templates::TEMPLATES;
use cutover::storage::load_plan;

#[test]
fn every_template_writes_a_plan_that_passes_check_named_after_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (template, _) in TEMPLATES {
        let path = dir.path().join(format!("shop-{template}.ron"));
        let run = cutover([
            "new".as_ref(),
            "--template".as_ref(),
            template.as_ref(),
            path.as_os_str(),
        ]);
        assert_eq!(run.code, Some(0), "{template}: {}", run.stderr);
        assert!(
            run.stdout.contains(&format!("template `{template}`")),
            "{}",
            run.stdout
        );
        let plan = load_plan(&path).expect("the new plan loads");
        assert_eq!(plan.name, format!("shop-{template}"));
        assert!(!plan.services.is_empty());

        let check = cutover(["check".as_ref(), path.as_os_str()]);
        assert_eq!(check.code, Some(0), "{template}:\n{}", check.stdout);
        assert!(check.stdout.contains(" 0 errors"), "{}", check.stdout);
        let order = cutover(["order".as_ref(), path.as_os_str()]);
        assert_eq!(order.code, Some(0));
        assert!(order.stdout.starts_with("wave 1\n"), "{}", order.stdout);
    }
}

#[test]
fn the_default_template_is_the_starter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.ron");
    let run = cutover(["new".as_ref(), path.as_os_str()]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("template `starter`"), "{}", run.stdout);
    assert_eq!(cutover(["check".as_ref(), path.as_os_str()]).code, Some(0));
}

#[test]
fn the_meridian_template_is_the_meridian_example_under_a_new_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("claims.ron");
    let run = cutover([
        "new".as_ref(),
        "--template".as_ref(),
        "meridian".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let mut written = load_plan(&path).expect("loads");
    let example = load_plan(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/meridian-claims.ron"),
    )
    .expect("example loads");
    assert_eq!(written.name, "claims");
    written.name = example.name.clone();
    assert_eq!(written, example);
}

#[test]
fn new_refuses_to_overwrite_an_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("precious.ron");
    std::fs::write(&path, "my own notes, not a plan").expect("written");
    for template in ["starter", "meridian"] {
        let run = cutover([
            "new".as_ref(),
            "--template".as_ref(),
            template.as_ref(),
            path.as_os_str(),
        ]);
        assert_eq!(run.code, Some(1), "{}", run.stderr);
        assert!(run.stderr.contains("already exists"), "{}", run.stderr);
        assert_eq!(
            std::fs::read_to_string(&path).expect("still there"),
            "my own notes, not a plan"
        );
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listed")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names.len(), 1, "no stray files: {names:?}");
}

#[test]
fn an_unknown_template_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.ron");
    let run = cutover([
        "new".as_ref(),
        "--template".as_ref(),
        "nope".as_ref(),
        path.as_os_str(),
    ]);
    assert_ne!(run.code, Some(0));
    assert!(run.stderr.contains("nope"), "{}", run.stderr);
    assert!(!path.exists());
}

/// A full disk (here a file-size limit of zero, which makes every write fail with EFBIG) leaves no
/// empty or partial plan behind, and no temporary file either.
#[cfg(unix)]
#[test]
fn new_on_a_full_disk_leaves_no_file_behind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.ron");
    // `trap '' XFSZ`: an ignored signal stays ignored across exec, so the write fails with EFBIG
    // instead of the kernel killing the process.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" new \"$1\"")
        .arg(env!("CARGO_BIN_EXE_cutover"))
        .arg(&path)
        .output()
        .expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("plan.ron"),
        "the error names the file: {stderr}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listed")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(names.is_empty(), "nothing left behind: {names:?}");
}
