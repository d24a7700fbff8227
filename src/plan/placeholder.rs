//! The placeholders plan text may hold in a target's names and commands, and their substitution:
//! `{region}` becomes a region's id and `{environment}` an environment's id, so one service describes
//! its deployment in every region and environment. Substitution happens in one place, here, so the
//! analysis checks exactly the values the pipelines will carry.

use super::id::Id;

/// The `{region}` placeholder.
pub const REGION: &str = "{region}";
/// The `{environment}` placeholder.
pub const ENVIRONMENT: &str = "{environment}";

/// Where a value is used: the environment and (when there is one) the region it is substituted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// The environment.
    pub environment: &'a Id,
    /// The region; `None` when the plan has no regions or the value serves them all.
    pub region: Option<&'a Id>,
}

/// `text` with every placeholder replaced for `place`. A `{region}` without a region stays as it is:
/// the analysis refuses such a plan (CUT070) before anything is exported.
pub fn resolve(text: &str, place: Place<'_>) -> String {
    if !text.contains('{') {
        return text.to_owned();
    }
    let text = text.replace(ENVIRONMENT, place.environment.as_str());
    match place.region {
        Some(region) => text.replace(REGION, region.as_str()),
        None => text,
    }
}

/// Whether `text` holds any placeholder.
pub fn has_placeholder(text: &str) -> bool {
    text.contains(REGION) || text.contains(ENVIRONMENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_placeholders_are_replaced_everywhere() {
        let (environment, region) = (Id::new("staging"), Id::new("eastus"));
        let place = Place {
            environment: &environment,
            region: Some(&region),
        };
        assert_eq!(
            resolve("app-{environment}-{region}-{region}", place),
            "app-staging-eastus-eastus"
        );
        let global = Place {
            environment: &environment,
            region: None,
        };
        assert_eq!(resolve("db-{environment}", global), "db-staging");
        assert_eq!(resolve("db-{region}", global), "db-{region}");
    }
}
