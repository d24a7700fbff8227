//! Identifiers of plan objects, and their sanitised form for pipeline ids.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The identifier a plan gives one of its objects (a service, migration, environment, region or runbook).
///
/// Ids are written by people (`claims-api`, `eu.west`), so any non-empty text is accepted in the file;
/// [`Id::sanitised`] turns it into the form both pipeline platforms accept, and the analysis reports ids
/// whose sanitised forms collide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Id(pub String);

impl Id {
    /// Wraps text as an id.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The id as written in the plan.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id rewritten to match `^[A-Za-z_][A-Za-z0-9_]*$`, the rule for Azure stage and job ids, which
    /// GitHub job ids also accept.
    pub fn sanitised(&self) -> String {
        sanitise_identifier(&self.0)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for Id {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// Rewrites any text into an identifier matching `^[A-Za-z_][A-Za-z0-9_]*$`: every character outside
/// `[A-Za-z0-9_]` becomes `_`, and a leading digit (or empty text) gets a `_` in front.
pub fn sanitise_identifier(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.chars().next().is_none_or(|c| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// The longest file stem Cutover writes; longer stems end in a short hash of the whole text.
const MAX_FILE_STEM: usize = 80;

/// Names Windows reserves for devices: a file with one of these stems cannot be checked out there.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// The file stem of the release's quality-gate runbook, for the plan with file stem `plan_stem`; a
/// hotfix runbook whose file stem equals it would write the same file (CUT100).
pub fn gates_runbook_stem(plan_stem: &str) -> String {
    format!("{plan_stem}-quality-gates")
}

/// A name safe as a file stem on every platform: lowercase ASCII letters, digits and single `-`, at most
/// 80 characters (a longer name keeps its start and ends in a stable hash of the whole text), never a
/// name Windows reserves (`con`, `nul`...).
pub fn file_stem(text: &str) -> String {
    let mut stem: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        stem = "plan".to_owned();
    }
    if stem.len() > MAX_FILE_STEM {
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        stem.truncate(MAX_FILE_STEM - 9);
        stem = format!("{}-{:08x}", stem.trim_end_matches('-'), hash as u32);
    }
    if WINDOWS_RESERVED.contains(&stem.as_str()) {
        stem.push_str("-plan");
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_short_portable_and_stable() {
        assert_eq!(file_stem("Meridian Claims"), "meridian-claims");
        assert_eq!(file_stem("con"), "con-plan");
        assert_eq!(file_stem("NUL"), "nul-plan");
        let long = "x".repeat(10_000);
        let stem = file_stem(&long);
        assert!(stem.len() <= 80, "{stem}");
        assert_eq!(stem, file_stem(&long), "stable");
        assert_ne!(stem, file_stem(&"x".repeat(9_999)), "distinct");
        assert_eq!(file_stem("¡¿"), "plan");
    }

    #[test]
    fn sanitised_ids_match_the_platform_rule() {
        assert_eq!(sanitise_identifier("claims-api"), "claims_api");
        assert_eq!(sanitise_identifier("eu.west 1"), "eu_west_1");
        assert_eq!(sanitise_identifier("1st"), "_1st");
        assert_eq!(sanitise_identifier(""), "_");
        assert_eq!(sanitise_identifier("Ünïcode"), "_n_code");
        assert_eq!(sanitise_identifier("ok_Name9"), "ok_Name9");
    }
}
