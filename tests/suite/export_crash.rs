//! Killing `cutover export` for real: whenever the process dies, the next `export --check` leaves the
//! folder holding exactly the old set of generated files or exactly the new set, with no temporary or
//! journal file, and the next `export` then writes the new set.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cutover::storage::save_plan;
use cutover::synth::{SynthOptions, generate};

use crate::common::cutover;

/// Every entry under a folder: a file's bytes and whether it is executable, or `None` for a folder.
type Tree = BTreeMap<String, Option<(Vec<u8>, bool)>>;

fn entries(dir: &Path, read: bool) -> Tree {
    let mut found = Tree::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(listing) = std::fs::read_dir(&folder) else {
            // Renamed or removed while a live export was being watched.
            continue;
        };
        for entry in listing.flatten() {
            let path = entry.path();
            let name = path
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            let Ok(metadata) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if metadata.is_dir() {
                found.insert(name, None);
                stack.push(path);
            } else if read {
                let bytes = std::fs::read(&path).expect("read");
                found.insert(name, Some((bytes, executable(&metadata))));
            } else {
                found.insert(name, Some((Vec::new(), false)));
            }
        }
    }
    found
}

fn tree(dir: &Path) -> Tree {
    entries(dir, true)
}

/// The names under `dir`, cheap enough to poll while an export runs.
fn names(dir: &Path) -> BTreeSet<String> {
    entries(dir, false).into_keys().collect()
}

fn executable(metadata: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        metadata.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        false
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("made");
    for (name, entry) in tree(from) {
        let path = to.join(&name);
        match entry {
            None => std::fs::create_dir_all(&path).expect("made"),
            Some((bytes, executable)) => {
                std::fs::write(&path, bytes).expect("written");
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt as _;
                    let mode = if executable { 0o755 } else { 0o644 };
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
                        .expect("chmod");
                }
                #[cfg(not(unix))]
                let _ = executable;
            }
        }
    }
}

/// How the two trees differ, for a failure message.
fn difference(found: &Tree, expected: &Tree) -> String {
    let keys: BTreeSet<&String> = found.keys().chain(expected.keys()).collect();
    keys.into_iter()
        .filter(|k| found.get(*k) != expected.get(*k))
        .map(|k| {
            let state = |t: &Tree| match t.get(k) {
                None => "absent",
                Some(None) => "folder",
                Some(Some(_)) => "file",
            };
            format!("  {k}: {} (expected {})", state(found), state(expected))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn export(plan: &Path, dir: &Path, check: bool) -> crate::common::Run {
    let mut args = vec![
        "export".as_ref(),
        plan.as_os_str(),
        "--out".as_ref(),
        dir.as_os_str(),
    ];
    if check {
        args.push("--check".as_ref());
    }
    cutover(args)
}

/// When a trial kills the export.
#[derive(Debug, Clone, Copy)]
enum Kill {
    /// This long after it started (most likely still generating, before any file is touched).
    AfterStart(Duration),
    /// This long after the folder first changed (inside the transaction).
    AfterFirstChange(Duration),
}

/// Waits until it is time to `kill` the export `child` writing into `dir`, which held `before`.
fn wait_for(kill: Kill, child: &mut std::process::Child, dir: &Path, before: &BTreeSet<String>) {
    match kill {
        Kill::AfterStart(delay) => std::thread::sleep(delay),
        Kill::AfterFirstChange(delay) => {
            let deadline = Instant::now() + Duration::from_secs(120);
            while names(dir) == *before
                && child.try_wait().expect("waited").is_none()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_micros(200));
            }
            std::thread::sleep(delay);
        }
    }
}

#[test]
fn killing_an_export_at_any_moment_leaves_a_folder_the_next_run_recovers() {
    let work = tempfile::tempdir().expect("temp dir");
    let old_plan = generate(&SynthOptions {
        services: 120,
        regions: 3,
        seed: 1,
    });
    // The new plan changes every pipeline (another build command) and drops a runbook, whose files
    // the export then removes as strays.
    let mut new_plan = old_plan.clone();
    new_plan.platforms.build.command = "./build-v2.sh".to_owned();
    new_plan.runbooks.pop();
    let old_path = work.path().join("old.ron");
    let new_path = work.path().join("new.ron");
    save_plan(&old_path, &old_plan).expect("saved");
    save_plan(&new_path, &new_plan).expect("saved");

    // The old set and the new set, each as an uninterrupted export leaves it.
    let old_dir = work.path().join("old");
    let run = export(&old_path, &old_dir, false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let old = tree(&old_dir);
    let new_dir = work.path().join("new");
    copy_tree(&old_dir, &new_dir);
    let run = export(&new_path, &new_dir, false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let new = tree(&new_dir);
    assert_ne!(old, new);

    let trials = [
        Kill::AfterStart(Duration::from_millis(300)),
        Kill::AfterFirstChange(Duration::ZERO),
        Kill::AfterFirstChange(Duration::from_millis(5)),
        Kill::AfterFirstChange(Duration::from_millis(30)),
    ];
    let mut interrupted = 0;
    for (index, kill) in trials.into_iter().enumerate() {
        let dir = work.path().join(format!("trial-{index}"));
        copy_tree(&old_dir, &dir);
        let before = names(&dir);
        let mut child = Command::new(env!("CARGO_BIN_EXE_cutover"))
            .arg("export")
            .arg(&new_path)
            .arg("--out")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cutover starts");
        wait_for(kill, &mut child, &dir, &before);
        // SIGKILL on Unix: no chance to clean up. An export that already finished is fine too.
        child.kill().ok();
        let status = child.wait().expect("waited");
        let killed = tree(&dir);
        if killed != old && killed != new {
            interrupted += 1;
        }

        let check = export(&new_path, &dir, true);
        let recovered = tree(&dir);
        let outcome = if recovered == new {
            "new"
        } else if recovered == old {
            "old"
        } else {
            panic!(
                "{kill:?} ({status}): after `export --check` the folder is neither the old set nor \
                 the new one:\n{}\n--check said:\n{}{}",
                difference(&recovered, &old),
                check.stdout,
                check.stderr
            );
        };
        eprintln!(
            "{kill:?}: {} files and folders changed by the kill; recovered to the {outcome} set",
            difference(&killed, &old).lines().count()
        );
        let expected_code = if outcome == "new" { 0 } else { 1 };
        assert_eq!(
            check.code,
            Some(expected_code),
            "{kill:?}: --check on the {outcome} set\n{}{}",
            check.stdout,
            check.stderr
        );
        let run = export(&new_path, &dir, false);
        assert_eq!(run.code, Some(0), "{kill:?}: {}{}", run.stdout, run.stderr);
        assert!(
            tree(&dir) == new,
            "{kill:?}: the next export did not leave the new set:\n{}",
            difference(&tree(&dir), &new)
        );
    }
    assert!(
        interrupted > 0,
        "no kill landed inside an export's writing, so nothing was recovered; the test proved nothing"
    );
}
