//! Golden files: the full export of every example, as `insta` snapshots reviewed by a person whenever
//! they change.
//!
//! A difference fails the test and writes the new text beside the snapshot (`.snap.new`). To accept a
//! change on purpose, review it with `cargo insta review` (or run the tests with
//! `INSTA_UPDATE=always`) and commit the snapshots with the change that caused them.

use std::collections::BTreeSet;
use std::path::Path;

use cutover::export::{Target, export};
use cutover::storage::load_plan;

/// The snapshot name of one exported file: the example, then the file's path with `/` as `__`.
fn snapshot_name(example: &str, path: &str) -> String {
    format!("{example}__{}", path.replace('/', "__"))
}

fn check_example(name: &str) -> BTreeSet<String> {
    let plan_path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(format!("{name}.ron"));
    let plan = load_plan(&plan_path).expect("example loads");
    let export = export(&plan, Target::All).expect("example exports");
    let mut names = BTreeSet::new();
    for file in &export.files {
        let snapshot = snapshot_name(name, &file.path);
        insta::assert_snapshot!(snapshot.as_str(), file.contents);
        names.insert(snapshot);
    }
    names
}

/// The names of the golden snapshots kept for `example`.
fn stored_snapshots(example: &str) -> BTreeSet<String> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/snapshots");
    let prefix = format!("suite__golden__{example}__");
    std::fs::read_dir(&folder)
        .expect("the snapshot folder lists")
        .filter_map(|entry| {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            let stem = name.strip_suffix(".snap")?;
            stem.strip_prefix("suite__golden__")
                .filter(|_| stem.starts_with(&prefix))
                .map(str::to_owned)
        })
        .collect()
}

fn check(example: &str) {
    let exported = check_example(example);
    assert_eq!(
        stored_snapshots(example),
        exported,
        "golden snapshots without an export (or the reverse): delete stale ones"
    );
}

#[test]
fn meridian_claims() {
    check("meridian-claims");
}

#[test]
fn northwind_commerce() {
    check("northwind-commerce");
}
