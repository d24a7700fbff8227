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

#[cfg(test)]
mod tests {
    use super::*;

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
