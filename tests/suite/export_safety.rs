//! `cutover export` and the file system: modes of the files it writes, links it must not follow,
//! names it must not write, and drift that matters (stray files) or does not (line endings).

use std::path::Path;

use crate::common::{Run, cutover, examples_dir};

fn meridian() -> String {
    examples_dir()
        .join("meridian-claims.ron")
        .display()
        .to_string()
}

fn export(dir: &Path, check: bool) -> Run {
    let mut args = vec![
        "export".to_owned(),
        meridian(),
        "--out".to_owned(),
        dir.display().to_string(),
    ];
    if check {
        args.push("--check".to_owned());
    }
    cutover(args)
}

#[cfg(unix)]
#[test]
fn setup_scripts_are_executable_and_the_other_files_are_not() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let run = export(dir.path(), false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let mode = |path: &str| {
        std::fs::metadata(dir.path().join(path))
            .expect("written")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(".github/environments/meridian-claims-setup.sh"), 0o755);
    assert_eq!(
        mode("azure-pipelines/environments/meridian-claims-setup.sh"),
        0o755
    );
    assert_eq!(mode(".github/workflows/meridian-claims-release.yml"), 0o644);
    assert_eq!(mode("docs/runbooks/claims-api-hotfix.md"), 0o644);
}

/// A `.github/workflows` that links out of the repository: the export stops with exit 2 naming the
/// link, and writes nothing anywhere.
#[cfg(unix)]
#[test]
fn a_symlinked_workflows_folder_is_refused_and_nothing_changes() {
    let outside = tempfile::tempdir().expect("temp dir");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join(".github")).expect("made");
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".github/workflows"))
        .expect("linked");
    for check in [false, true] {
        let run = export(dir.path(), check);
        assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains(".github/workflows") && run.stderr.contains("symbolic link"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(outside.path()).expect("listed").count(),
        0,
        "nothing written through the link"
    );
    let mut inside: Vec<_> = std::fs::read_dir(dir.path())
        .expect("listed")
        .map(|e| e.expect("entry").file_name())
        .collect();
    inside.sort();
    assert_eq!(inside, [".github"], "no other folder was created");
}

/// A Windows checkout turns every LF into CRLF; `--check` must not call that drift, and `export` leaves
/// such files alone.
#[test]
fn crlf_line_endings_are_not_drift() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(export(dir.path(), false).code, Some(0));
    let workflow = dir
        .path()
        .join(".github/workflows/meridian-claims-release.yml");
    let runbook = dir.path().join("docs/runbooks/claims-api-hotfix.md");
    for path in [&workflow, &runbook] {
        let text = std::fs::read_to_string(path).expect("read");
        std::fs::write(path, text.replace('\n', "\r\n")).expect("written");
    }
    let check = export(dir.path(), true);
    assert_eq!(check.code, Some(0), "{}{}", check.stdout, check.stderr);
    let run = export(dir.path(), false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("unchanged .github/workflows/meridian-claims-release.yml"),
        "{}",
        run.stdout
    );
    assert!(
        std::fs::read_to_string(&workflow)
            .expect("read")
            .contains("\r\n"),
        "the checkout's line endings stay"
    );

    // A real edit is still drift.
    let mut text = std::fs::read_to_string(&runbook).expect("read");
    text.push_str("a hand edit\r\n");
    std::fs::write(&runbook, text).expect("written");
    let check = export(dir.path(), true);
    assert_eq!(check.code, Some(1), "{}", check.stdout);
    assert!(
        check.stdout.contains("differs: ") && check.stdout.contains("claims-api-hotfix.md"),
        "{}",
        check.stdout
    );
}

/// Files this plan generated that it no longer produces (a renamed runbook's pipelines and runbook, an
/// old setup script) are drift: `--check` names them and `export` removes them. Files without this
/// plan's header, or outside the export's folders, are not touched.
#[test]
fn stray_generated_files_are_reported_and_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(export(dir.path(), false).code, Some(0));
    let copy = |from: &str, to: &str| {
        std::fs::copy(dir.path().join(from), dir.path().join(to)).expect("copied");
    };
    let hotfix = "meridian-claims-hotfix-claims-api-hotfix.yml";
    let strays = [
        ".github/workflows/meridian-claims-hotfix-old-name.yml",
        "azure-pipelines/meridian-claims-hotfix-old-name.yml",
        "docs/runbooks/old-name.md",
        ".github/environments/old-setup.sh",
        "cutover/old-stem.sh",
        "azure-pipelines/templates/meridian-claims-deploy-old.yml",
        ".github/workflows/meridian-claims-deploy-old.yml",
    ];
    copy(&format!(".github/workflows/{hotfix}"), strays[0]);
    copy(&format!("azure-pipelines/{hotfix}"), strays[1]);
    copy("docs/runbooks/claims-api-hotfix.md", strays[2]);
    copy(".github/environments/meridian-claims-setup.sh", strays[3]);
    copy("cutover/meridian-claims.sh", strays[4]);
    copy(
        "azure-pipelines/templates/meridian-claims-deploy-database.yml",
        strays[5],
    );
    copy(
        ".github/workflows/meridian-claims-deploy-database.yml",
        strays[6],
    );
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("made");
        std::fs::write(path, text).expect("written");
    };
    let kept = [
        ".github/workflows/hand-written.yml",
        ".github/workflows/other-plan.yml",
        "docs/other/old-name.md",
    ];
    write(kept[0], "name: mine\non: push\n");
    write(
        kept[1],
        "# Generated by Cutover from plan \"northwind\". Do not edit by hand:\n",
    );
    std::fs::create_dir_all(dir.path().join("docs/other")).expect("made");
    copy("docs/runbooks/claims-api-hotfix.md", kept[2]);

    let check = export(dir.path(), true);
    assert_eq!(check.code, Some(1), "{}{}", check.stdout, check.stderr);
    for stray in strays {
        assert!(
            check
                .stdout
                .contains(&format!("stray: {}", dir.path().join(stray).display())),
            "{stray}:\n{}",
            check.stdout
        );
    }
    assert_eq!(
        check.stdout.matches("stray: ").count(),
        strays.len(),
        "{}",
        check.stdout
    );
    assert!(!check.stdout.contains("differs: "), "{}", check.stdout);

    let run = export(dir.path(), false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    for stray in strays {
        assert!(
            run.stdout.contains(&format!("removed   {stray}")),
            "{stray}:\n{}",
            run.stdout
        );
        assert!(!dir.path().join(stray).exists(), "{stray} removed");
    }
    for path in kept {
        assert!(dir.path().join(path).exists(), "{path} kept");
    }
    let check = export(dir.path(), true);
    assert_eq!(check.code, Some(0), "{}{}", check.stdout, check.stderr);
}
