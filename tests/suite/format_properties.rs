//! Property tests of the file format: no text, however broken, panics the parser, and every error
//! points at a real line and column. Texts that do parse can be analysed and written back.

use cutover::analysis::analyse;
use cutover::plan::{FormatError, parse_plan, plan_to_ron};
use cutover::storage::{StorageError, load_plan};
use proptest::prelude::*;

const MERIDIAN: &str = include_str!("../../examples/meridian-claims.ron");
const NORTHWIND: &str = include_str!("../../examples/northwind-commerce.ron");

/// Asserts that `error` points inside `text`: line and column from 1, the line at most one past the
/// last, and the message starting with the source name and that position.
fn assert_located(error: &FormatError, text: &str, source: &str) {
    let position = error.position();
    assert!(position.line >= 1 && position.column >= 1, "{error}");
    let lines = text.split('\n').count();
    assert!(
        position.line <= lines + 1,
        "line {} of {lines}: {error}",
        position.line
    );
    assert!(
        error
            .to_string()
            .starts_with(&format!("{source}:{position}: ")),
        "{error}"
    );
}

/// Parses `text`; a plan must survive analysis and a write–read cycle, an error must be located.
fn parse_and_use(text: &str) {
    match parse_plan(text, "fuzz.ron") {
        Ok(plan) => {
            let analysis = analyse(&plan);
            assert!(analysis.order.is_some() || analysis.has_errors());
            let written = plan_to_ron(&plan);
            let again = parse_plan(&written, "again.ron")
                .unwrap_or_else(|e| panic!("a written plan does not parse: {e}\n{written}"));
            assert_eq!(plan_to_ron(&again), written);
        }
        Err(error) => assert_located(&error, text, "fuzz.ron"),
    }
}

/// One edit of a plan's text: at a relative position, delete some characters and insert others.
#[derive(Debug, Clone)]
struct Mutation {
    at: f64,
    delete: usize,
    insert: String,
}

/// Fragments that make edits interesting to a RON parser: delimiters, quotes, numbers out of range,
/// other versions, other variants, non-ASCII and control characters.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "(",
            ")",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "//",
            "/*",
            "\n",
            " ",
            "Some(",
            "None",
            "true",
            "version: 2,",
            "version: 0,",
            "NaN",
            "-1",
            "1e40",
            "99999999999999999999",
            "0.5",
            "Database",
            "Canary(increments: [])",
            "id: \"x\",",
            "é",
            "\u{0}",
            "\u{feff}",
            "r#\"",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,8}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    (0.0..1.0f64, 0usize..40, fragment()).prop_map(|(at, delete, insert)| Mutation {
        at,
        delete,
        insert,
    })
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for mutation in mutations {
        let at = ((chars.len() as f64) * mutation.at) as usize;
        let at = at.min(chars.len());
        let end = (at + mutation.delete).min(chars.len());
        chars.splice(at..end, mutation.insert.chars());
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_is_a_plan_or_a_located_error(text in "\\PC{0,200}") {
        parse_and_use(&text);
    }

    #[test]
    fn text_that_starts_like_a_plan_is_a_plan_or_a_located_error(tail in "[ -~\n]{0,200}") {
        parse_and_use(&format!("Plan(version: 1, {tail}"));
    }

    #[test]
    fn mutated_examples_are_plans_or_located_errors(
        northwind in any::<bool>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let original = if northwind { NORTHWIND } else { MERIDIAN };
        parse_and_use(&apply(original, &mutations));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_in_a_file_are_a_plan_or_a_located_error(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bytes.ron");
        std::fs::write(&path, &bytes).expect("written");
        match load_plan(&path) {
            Ok(plan) => {
                analyse(&plan);
            }
            Err(StorageError::Format(error)) => {
                assert_located(&error, &String::from_utf8_lossy(&bytes), &path.display().to_string());
            }
            Err(other) => panic!("a readable file gave {other}"),
        }
        prop_assert_eq!(std::fs::read(&path).expect("read back"), bytes);
    }
}
