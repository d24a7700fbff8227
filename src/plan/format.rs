//! The plan file format: RON text to [`Plan`] and back, with format versions and located errors.
//!
//! Pure text in, text out: reading and writing files is [`crate::storage`]'s job.

use std::fmt;

use serde::Deserialize;

use super::model::Plan;

/// The plan file-format version this build writes. It reads every version from 1 up to this one:
///
/// - 1: the first format.
/// - 2: adds database engines and global databases, the Azure cloud, promotion through environments,
///   per-environment regions and per-platform approvers. Every new field has a default, so a version 1
///   file reads as the same plan; saving it writes version 2.
/// - 3: adds quality gates to the rollout (`gates`), with a default (none), so a version 2 file reads
///   as the same plan; saving it writes version 3. A plan without gates is written without the field.
/// - 4: adds traffic routes to the rollout (`traffic`), with a default (none), so a version 3 file
///   reads as the same plan; saving it writes version 4. A plan without routes is written without it.
pub const FORMAT_VERSION: u32 = 4;

/// The oldest plan file-format version this build reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

/// A line and column in a plan file, both counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPosition {
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl fmt::Display for TextPosition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Why a text is not a plan this build can use. Every variant says where in the file it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The text is not RON, or not shaped like a plan at all.
    #[error("{source_name}:{position}: not a Cutover plan: {message}")]
    NotAPlan {
        /// The file (or other source) the text came from.
        source_name: String,
        /// Where the problem is.
        position: TextPosition,
        /// What the parser found.
        message: String,
    },
    /// The text is a plan of a format version this build does not know.
    #[error(
        "{source_name}:{position}: plan format version {found} is not supported (this build reads versions {OLDEST_FORMAT_VERSION} to {supported}){hint}",
        hint = if *found > *supported { "; the file was written by a newer Cutover" } else { "" }
    )]
    UnsupportedVersion {
        /// The file the text came from.
        source_name: String,
        /// Where the version field is (the start of the file when unknown).
        position: TextPosition,
        /// The version the file declares.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// The text is a plan of the right version but a field is wrong (a typo, a wrong type, a missing field).
    #[error("{source_name}:{position}: invalid plan: {message}")]
    Invalid {
        /// The file the text came from.
        source_name: String,
        /// Where the problem is.
        position: TextPosition,
        /// What is wrong.
        message: String,
    },
}

impl FormatError {
    /// Where in the file the problem is.
    pub fn position(&self) -> TextPosition {
        match self {
            FormatError::NotAPlan { position, .. }
            | FormatError::UnsupportedVersion { position, .. }
            | FormatError::Invalid { position, .. } => *position,
        }
    }
}

/// Only the version of a plan, read before the rest so that a newer file is reported as newer rather
/// than as full of unknown fields.
#[derive(Deserialize)]
#[serde(rename = "Plan")]
struct VersionProbe {
    /// Zero when the field is missing: no format has version 0.
    #[serde(default)]
    version: u32,
}

/// Parses plan text. `source_name` (usually the file path) is used only in error messages.
pub fn parse_plan(text: &str, source_name: &str) -> Result<Plan, FormatError> {
    let start = TextPosition { line: 1, column: 1 };
    let probe: VersionProbe = ron::from_str(text).map_err(|e| {
        let (source_name, position, message) =
            (source_name.to_owned(), position_of(&e), e.code.to_string());
        // A file that starts as a plan and breaks later is an invalid plan (a syntax error), not some
        // other kind of file.
        if starts_like_a_plan(text) {
            FormatError::Invalid {
                source_name,
                position,
                message,
            }
        } else {
            FormatError::NotAPlan {
                source_name,
                position,
                message,
            }
        }
    })?;
    let version = probe.version;
    if version == 0 {
        return Err(FormatError::NotAPlan {
            source_name: source_name.to_owned(),
            position: start,
            message: "it has no `version` field".to_owned(),
        });
    }
    if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
        return Err(FormatError::UnsupportedVersion {
            source_name: source_name.to_owned(),
            position: find_version_field(text).unwrap_or(start),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let mut plan: Plan = ron::from_str(text).map_err(|e| FormatError::Invalid {
        source_name: source_name.to_owned(),
        position: position_of(&e),
        message: e.code.to_string(),
    })?;
    // Older files read as the same plan in today's format, which is what saving writes.
    plan.version = FORMAT_VERSION;
    Ok(plan)
}

/// Writes a plan as pretty RON: struct names on, four-space indents, fields in declaration order, so the
/// same plan always gives the same text and a change gives a small diff.
pub fn plan_to_ron(plan: &Plan) -> String {
    let config = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .indentor("    ")
        .depth_limit(64)
        .separate_tuple_members(false)
        .enumerate_arrays(false);
    let mut text = ron::ser::to_string_pretty(plan, config)
        // The plan holds only strings, numbers, enums, options and vectors, all of which RON can write.
        .unwrap_or_else(|e| unreachable!("a Plan always serialises to RON: {e}"));
    text.push('\n');
    text
}

/// Whether the text, past whitespace and comments, opens with `Plan(`.
fn starts_like_a_plan(text: &str) -> bool {
    let mut rest = text.trim_start_matches('\u{feff}');
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.split_once('\n').map_or("", |(_, next)| next);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, next)| next);
        } else {
            break;
        }
    }
    rest.strip_prefix("Plan")
        .is_some_and(|after| after.trim_start().starts_with('('))
}

fn position_of(error: &ron::error::SpannedError) -> TextPosition {
    TextPosition {
        line: error.span.start.line.max(1),
        column: error.span.start.col.max(1),
    }
}

/// Finds the line and column of the `version` field, to point an unsupported-version error at it.
fn find_version_field(text: &str) -> Option<TextPosition> {
    text.lines().enumerate().find_map(|(index, line)| {
        let column = line.find("version")?;
        line[column + "version".len()..]
            .trim_start()
            .starts_with(':')
            .then_some(TextPosition {
                line: index + 1,
                column: column + 1,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"Plan(
    version: 1,
    name: "tiny",
    rollout: RolloutPolicy(
        environment: "production",
        retry: RetryPolicy(attempts: 3, initial_delay_seconds: 10, backoff_factor: 2.0, max_delay_seconds: 120),
        on_failure: RollbackRegion,
    ),
)"#;

    #[test]
    fn a_minimal_plan_parses_and_round_trips() {
        let plan = parse_plan(MINIMAL, "tiny.ron").expect("minimal plan parses");
        assert_eq!(plan.name, "tiny");
        let again = parse_plan(&plan_to_ron(&plan), "again.ron").expect("written plan parses");
        assert_eq!(plan, again);
        assert_eq!(plan_to_ron(&plan), plan_to_ron(&again), "writing is stable");
    }

    #[test]
    fn a_newer_version_is_reported_as_such_with_its_line() {
        let text = MINIMAL
            .replace("version: 1", "version: 7")
            .replace("name:", "future_field: 1,\n    name:");
        let err = parse_plan(&text, "new.ron").unwrap_err();
        assert!(
            matches!(err, FormatError::UnsupportedVersion { found: 7, .. }),
            "{err}"
        );
        assert_eq!(err.position(), TextPosition { line: 2, column: 5 });
        assert!(err.to_string().contains("newer Cutover"), "{err}");
    }

    #[test]
    fn a_typo_names_the_line_and_column() {
        let text = MINIMAL.replace("name:", "nmae:");
        let err = parse_plan(&text, "typo.ron").unwrap_err();
        assert!(matches!(err, FormatError::Invalid { .. }), "{err}");
        assert_eq!(err.position().line, 3);
        assert!(err.to_string().starts_with("typo.ron:3:"), "{err}");
    }

    #[test]
    fn a_syntax_error_in_a_plan_is_an_invalid_plan_with_its_position() {
        let text = MINIMAL.replace("name: \"tiny\",", "name: \"tiny\"");
        let err = parse_plan(&format!("// a comment\n{text}"), "plan.ron").unwrap_err();
        assert!(matches!(err, FormatError::Invalid { .. }), "{err}");
        assert_eq!(err.position().line, 5, "{err}");
    }

    #[test]
    fn something_else_is_not_a_plan() {
        for text in [
            "[1, 2, 3]",
            "Config(version: 1)",
            "",
            "\u{0}\u{1}garbage(",
            "Plan(name: \"x\")",
        ] {
            let err = parse_plan(text, "other.ron").unwrap_err();
            assert!(
                matches!(err, FormatError::NotAPlan { .. }),
                "{text:?} gave {err}"
            );
        }
    }
}
