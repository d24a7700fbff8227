//! What the canvas brings forward and what it fades: the services matching the find text, the
//! neighbourhood of the focused service, and the filters by tier, by problems and by text.

use super::scene::Scene;
use crate::plan::Tier;

/// How deep focus goes by default: dependencies of dependencies, dependents of dependents.
pub const DEFAULT_DEPTH: usize = 2;
/// The deepest focus offered.
pub const MAX_DEPTH: usize = 9;

/// The find text, focus and filters the user set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lens {
    /// Find: services whose name or id contain this (any case) are highlighted.
    pub find: String,
    /// Whether the selected service's neighbourhood is shown and the rest faded.
    pub focus: bool,
    /// How many steps of dependencies and of dependents focus shows.
    pub depth: usize,
    /// Show only this tier's services (the rest faded).
    pub tier: Option<Tier>,
    /// Show only services that have a problem.
    pub problems_only: bool,
    /// Show only services whose name or id contain this (any case).
    pub filter: String,
}

impl Default for Lens {
    fn default() -> Self {
        Self {
            find: String::new(),
            focus: false,
            depth: DEFAULT_DEPTH,
            tier: None,
            problems_only: false,
            filter: String::new(),
        }
    }
}

/// What a [`Lens`] makes of one scene.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Highlight {
    /// Per node: drawn in full (`true`) or faded.
    pub lit: Vec<bool>,
    /// The nodes matching the find text, in reading order (empty when there is no find text).
    pub matches: Vec<usize>,
    /// Whether anything is faded.
    pub fading: bool,
}

impl Lens {
    /// Whether any filter is set (focus aside).
    pub fn filtering(&self) -> bool {
        self.tier.is_some() || self.problems_only || !self.filter.trim().is_empty()
    }

    /// Which nodes of `scene` are lit and which match, with `focused` the selected service's node.
    pub fn apply(&self, scene: &Scene, focused: Option<usize>) -> Highlight {
        let needle = self.find.trim().to_lowercase();
        let matches = if needle.is_empty() {
            Vec::new()
        } else {
            scene
                .reading_order()
                .into_iter()
                .filter(|&n| scene.nodes[n].search.contains(&needle))
                .collect()
        };
        let filter = self.filter.trim().to_lowercase();
        let mut lit: Vec<bool> = scene
            .nodes
            .iter()
            .map(|n| {
                self.tier.is_none_or(|t| n.tier == t)
                    && (!self.problems_only || n.problem.is_some())
                    && (filter.is_empty() || n.search.contains(&filter))
            })
            .collect();
        if self.focus
            && let Some(start) = focused
        {
            let near = scene.neighbourhood(start, self.depth);
            for (lit, near) in lit.iter_mut().zip(near) {
                *lit &= near;
            }
            // The focused service itself always shows, whatever the filters say.
            if let Some(lit) = lit.get_mut(start) {
                *lit = true;
            }
        }
        let fading = lit.iter().any(|l| !l);
        Highlight {
            lit,
            matches,
            fading,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lens;
    use crate::app::canvas::scene::Scene;
    use crate::app::document::Document;
    use crate::plan::{Tier, templates};

    #[test]
    fn find_matches_names_and_ids_and_filters_fade_the_rest() {
        // The starter plan: web → api → db.
        let scene = Scene::build(&Document::new(templates::starter("t"), None));
        let lens = Lens {
            find: "AP".to_owned(),
            ..Lens::default()
        };
        let api = scene.node_of(&crate::plan::Id::new("api")).expect("api");
        let shown = lens.apply(&scene, None);
        assert_eq!(shown.matches, [api]);
        assert!(!shown.fading);
        let tier = Lens {
            tier: Some(Tier::Database),
            ..Lens::default()
        };
        let shown = tier.apply(&scene, None);
        assert_eq!(shown.lit.iter().filter(|l| **l).count(), 1);
        assert!(shown.fading);
        let focus = Lens {
            focus: true,
            depth: 1,
            ..Lens::default()
        };
        let db = scene.node_of(&crate::plan::Id::new("db")).expect("db");
        let shown = focus.apply(&scene, Some(db));
        assert!(shown.lit[db] && shown.lit[api]);
        assert_eq!(
            shown.lit.iter().filter(|l| **l).count(),
            2,
            "web is two steps away"
        );
        assert!(!focus.apply(&scene, None).fading, "no selection, no focus");
    }
}
