//! The rules, one module per family. Each adds its diagnostics to a shared list.

mod approvals;
mod dependencies;
mod environments;
mod files;
mod gates;
mod hotfix;
mod identity;
mod limits;
mod migrations;
mod references;
mod rollout;
mod services;
mod targets;
mod text;
mod traffic;

use super::diagnostic::Diagnostic;
use super::graph::ServiceGraph;
use crate::plan::Plan;

/// What every rule may look at.
struct Context<'a> {
    plan: &'a Plan,
    graph: &'a ServiceGraph,
}

impl Context<'_> {
    /// The service with this id, found through the graph's index.
    fn service(&self, id: &crate::plan::Id) -> Option<&crate::plan::Service> {
        self.graph.service(self.plan, id)
    }

    /// The two services `plan.dependencies[dependency]` names, when both exist: the dependent and
    /// what it depends on, as [`Context::service`] finds them.
    fn dependency_services(
        &self,
        dependency: usize,
    ) -> Option<(&crate::plan::Service, &crate::plan::Service)> {
        let ends = self.graph.dependency_ends(dependency);
        Some((
            self.plan.services.get(ends.service?)?,
            self.plan.services.get(ends.on?)?,
        ))
    }
}

/// `noun` with its indefinite article: "an API", "a database", "an App Service target".
fn with_article(noun: &str) -> String {
    let vowel = noun
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

/// Runs every rule family over `plan`.
pub(super) fn check_all(plan: &Plan, graph: &ServiceGraph) -> Vec<Diagnostic> {
    let cx = Context { plan, graph };
    let mut out = Vec::new();
    for family in [
        identity::check,
        references::check,
        dependencies::check,
        migrations::check,
        services::check,
        approvals::check,
        rollout::check,
        gates::check,
        traffic::check,
        hotfix::check,
        text::check,
        targets::check,
        environments::check,
        limits::check,
        files::check,
    ] {
        family(&cx, &mut out);
    }
    out
}

#[cfg(test)]
mod test_support;

#[cfg(test)]
mod tests {
    #[test]
    fn nouns_get_the_article_they_are_read_with() {
        assert_eq!(super::with_article("API"), "an API");
        assert_eq!(super::with_article("environment"), "an environment");
        assert_eq!(
            super::with_article("App Service target"),
            "an App Service target"
        );
        assert_eq!(super::with_article("database"), "a database");
        assert_eq!(
            super::with_article("Kubernetes target"),
            "a Kubernetes target"
        );
    }
}
