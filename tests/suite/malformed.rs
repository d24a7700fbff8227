//! Files that are not usable plans: `check` and `order` exit 2 and name the file, line and column on
//! standard error, without panicking and without touching the file.

use std::path::Path;

use crate::common::{cutover, examples_dir};

fn meridian() -> String {
    std::fs::read_to_string(examples_dir().join("meridian-claims.ron")).expect("meridian reads")
}

/// Replaces the one occurrence of `from` in Meridian with `to`.
fn meridian_with(from: &str, to: &str) -> String {
    let text = meridian();
    assert_eq!(text.matches(from).count(), 1, "`{from}` is not unique");
    text.replace(from, to)
}

/// The line and column `stderr` gives for `path`, from `error: PATH:LINE:COL: …`.
fn reported_position(stderr: &str, path: &Path) -> (usize, usize) {
    let prefix = format!("error: {}:", path.display());
    let rest = stderr
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("stderr does not start with `{prefix}`:\n{stderr}"));
    let mut numbers = rest.splitn(3, ':');
    let mut number = || -> usize {
        numbers
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no LINE:COL after the file name:\n{stderr}"))
    };
    (number(), number())
}

/// Writes `bytes` to a file, runs `check` and `order` on it, and asserts both exit 2 with the same
/// located error on stderr, print nothing on stdout, and leave the file as it was. Returns the position.
fn assert_unreadable(name: &str, bytes: &[u8]) -> ((usize, usize), String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("written");
    let mut seen = None;
    for command in ["check", "order"] {
        let run = cutover([command.as_ref(), path.as_os_str()]);
        assert_eq!(run.code, Some(2), "{command} {name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{command} {name}: {}", run.stdout);
        let position = reported_position(&run.stderr, &path);
        assert!(position.0 >= 1 && position.1 >= 1, "{position:?}");
        seen = Some((position, run.stderr));
    }
    assert_eq!(
        std::fs::read(&path).expect("read back"),
        bytes,
        "{name} changed"
    );
    seen.expect("two runs")
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let text = meridian_with("name: \"Claims API\",", "name: \"Claims API\" \"oops\",");
    let ((line, column), _) = assert_unreadable("syntax.ron", text.as_bytes());
    assert_eq!((line, column), (43, 32));
}

#[test]
fn a_wrong_type_points_at_the_value() {
    let text = meridian_with("validation_minutes: 10", "validation_minutes: \"ten\"");
    let ((line, _), stderr) = assert_unreadable("type.ron", text.as_bytes());
    assert_eq!(line, 163);
    assert!(stderr.contains("integer"), "{stderr}");
}

#[test]
fn an_unknown_field_is_named_with_its_line() {
    let text = meridian_with("websockets: true", "web_sockets: true");
    let ((line, column), stderr) = assert_unreadable("unknown.ron", text.as_bytes());
    assert_eq!((line, column), (84, 13));
    assert!(stderr.contains("`web_sockets`"), "{stderr}");
}

#[test]
fn a_missing_field_is_reported() {
    let text = meridian();
    let start = text.find("    rollout:").expect("rollout");
    let end = text.find("    runbooks:").expect("runbooks");
    let text = format!("{}{}", &text[..start], &text[end..]);
    let (_, stderr) = assert_unreadable("missing.ron", text.as_bytes());
    assert!(stderr.contains("`rollout`"), "{stderr}");
}

#[test]
fn a_newer_version_says_so_and_points_at_the_version() {
    let text = meridian_with("version: 2,", "version: 99,");
    let ((line, column), stderr) = assert_unreadable("newer.ron", text.as_bytes());
    assert_eq!((line, column), (4, 5));
    assert!(stderr.contains("newer Cutover"), "{stderr}");
}

#[test]
fn an_empty_file_is_not_a_plan() {
    let ((line, column), _) = assert_unreadable("empty.ron", b"");
    assert_eq!((line, column), (1, 1));
}

#[test]
fn a_truncated_plan_is_reported() {
    let text = meridian();
    assert_unreadable("truncated.ron", &text.as_bytes()[..text.len() / 2]);
}

#[test]
fn other_ron_values_and_text_are_not_plans() {
    for (name, text) in [
        ("list.ron", "[1, 2, 3]"),
        ("other.ron", "Config(version: 1, name: \"x\")"),
        ("prose.ron", "This is a release plan.\nHonest.\n"),
        (
            "deep.ron",
            &format!("Plan(version: 1, name: {})", "[".repeat(10_000)),
        ),
        ("control.ron", "\u{7}\u{1b}[31m\u{0}Plan("),
    ] {
        assert_unreadable(name, text.as_bytes());
    }
}

#[test]
fn random_bytes_and_invalid_utf8_are_located() {
    let ((line, column), stderr) = assert_unreadable("binary.ron", &[0xff, 0xfe, 0x00, 0x9c, 0x80]);
    assert_eq!((line, column), (1, 1));
    assert!(stderr.contains("UTF-8"), "{stderr}");

    let text = meridian();
    let at = text.find("Claims Portal\",").expect("portal");
    let mut bytes = text.as_bytes().to_vec();
    bytes.insert(at, 0xe9); // Latin-1 "é"
    let line = text[..at].lines().count();
    let column = at - text[..at].rfind('\n').expect("a newline");
    let (position, _) = assert_unreadable("latin1.ron", &bytes);
    assert_eq!(position, (line, column));
}

#[test]
fn files_of_random_bytes_are_located() {
    let mut rng = cutover::synth::rng::SplitMix64::new(0x5eed);
    for n in 0..12 {
        let length = 1 + rng.below(400);
        // Half any bytes (almost never UTF-8), half printable ASCII (UTF-8, but not RON).
        let bytes: Vec<u8> = (0..length)
            .map(|_| {
                let byte = rng.next_u64() as u8;
                if n % 2 == 0 { byte } else { b' ' + byte % 95 }
            })
            .collect();
        assert_unreadable(&format!("random-{n}.ron"), &bytes);
    }
}

#[test]
fn a_missing_file_exits_2_and_names_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nowhere.ron");
    for command in ["check", "order"] {
        let run = cutover([command.as_ref(), path.as_os_str()]);
        assert_eq!(run.code, Some(2));
        assert!(run.stderr.contains("nowhere.ron"), "{}", run.stderr);
    }
}
