//! Golden files: the full export of every example, reviewed by a person whenever it changes.
//!
//! A difference fails the test with the first differing line. To accept a change on purpose, run
//! `UPDATE_GOLDEN=1 cargo test --test golden` and review the diff of `tests/golden/` before committing.

use std::path::{Path, PathBuf};

use cutover::emit::{Target, export};
use cutover::storage::load_plan;

fn golden_dir(example: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(example)
}

fn check_example(name: &str) {
    let plan_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.ron"));
    let plan = load_plan(&plan_path).expect("example loads");
    let export = export(&plan, Target::All).expect("example exports");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let root = golden_dir(name);
    let mut expected_files = Vec::new();
    for file in &export.files {
        let path = root.join(&file.path);
        expected_files.push(file.path.clone());
        if update {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("golden folder");
            std::fs::write(&path, &file.contents).expect("golden written");
            continue;
        }
        let golden = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "no golden file {}: run UPDATE_GOLDEN=1 cargo test --test golden",
                path.display()
            )
        });
        if golden != file.contents {
            let line = golden
                .lines()
                .zip(file.contents.lines())
                .position(|(a, b)| a != b)
                .map_or_else(
                    || golden.lines().count().min(file.contents.lines().count()) + 1,
                    |index| index + 1,
                );
            panic!(
                "{} differs from its golden file at line {line}:\n  golden: {:?}\n  now:    {:?}\nreview, then UPDATE_GOLDEN=1",
                file.path,
                golden.lines().nth(line - 1).unwrap_or(""),
                file.contents.lines().nth(line - 1).unwrap_or("")
            );
        }
    }
    let mut stored = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("golden folder lists") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                stored.push(
                    path.strip_prefix(&root)
                        .expect("inside")
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    stored.sort();
    expected_files.sort();
    assert_eq!(
        stored, expected_files,
        "golden files without an export (or the reverse): delete stale ones"
    );
}

#[test]
fn meridian_claims_matches_its_golden_files() {
    check_example("meridian-claims");
}

#[test]
fn northwind_commerce_matches_its_golden_files() {
    check_example("northwind-commerce");
}
