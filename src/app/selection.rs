//! What the user has selected: one object of the plan, or one of its plan-wide settings.

use crate::analysis::{Subject, SubjectKind};
use crate::edit::Kind;
use crate::plan::{Id, Plan};

/// The selected object. Objects are named by id, so a selection survives edits that move them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selection {
    /// Nothing.
    #[default]
    None,
    /// The plan's name and description.
    Plan,
    /// The platform settings.
    Platforms,
    /// The rollout policy.
    Rollout,
    /// A service.
    Service(Id),
    /// A dependency: `service` depends on `on`.
    Dependency {
        /// The dependent.
        service: Id,
        /// What it depends on.
        on: Id,
    },
    /// A migration.
    Migration(Id),
    /// An environment.
    Environment(Id),
    /// A region.
    Region(Id),
    /// A hotfix runbook.
    Runbook(Id),
}

impl Selection {
    /// The selection for an object of `kind` with `id`.
    pub fn of(kind: Kind, id: Id) -> Self {
        match kind {
            Kind::Service => Selection::Service(id),
            Kind::Migration => Selection::Migration(id),
            Kind::Environment => Selection::Environment(id),
            Kind::Region => Selection::Region(id),
            Kind::Runbook => Selection::Runbook(id),
            Kind::Dependency => Selection::None,
        }
    }

    /// The object a diagnostic points at.
    pub fn from_subject(subject: &Subject) -> Self {
        let id = || Id::new(subject.id.clone());
        match subject.kind {
            SubjectKind::Plan => Selection::Plan,
            SubjectKind::Rollout => Selection::Rollout,
            SubjectKind::Service => Selection::Service(id()),
            SubjectKind::Migration => Selection::Migration(id()),
            SubjectKind::Environment => Selection::Environment(id()),
            SubjectKind::Region => Selection::Region(id()),
            SubjectKind::Runbook => Selection::Runbook(id()),
            SubjectKind::Dependency => match subject.id.split_once("->") {
                Some((service, on)) => Selection::Dependency {
                    service: Id::new(service),
                    on: Id::new(on),
                },
                None => Selection::None,
            },
        }
    }

    /// The collection and index of the selected object in `plan`, if it is a collection object that
    /// still exists.
    pub fn locate(&self, plan: &Plan) -> Option<(Kind, usize)> {
        let find = |kind: Kind, id: &Id| kind.index_of(plan, id).map(|i| (kind, i));
        match self {
            Selection::Service(id) => find(Kind::Service, id),
            Selection::Migration(id) => find(Kind::Migration, id),
            Selection::Environment(id) => find(Kind::Environment, id),
            Selection::Region(id) => find(Kind::Region, id),
            Selection::Runbook(id) => find(Kind::Runbook, id),
            Selection::Dependency { service, on } => plan
                .dependencies
                .iter()
                .position(|d| &d.service == service && &d.on == on)
                .map(|i| (Kind::Dependency, i)),
            Selection::None | Selection::Plan | Selection::Platforms | Selection::Rollout => None,
        }
    }

    /// The selected service's id, if a service is selected.
    pub fn service(&self) -> Option<&Id> {
        match self {
            Selection::Service(id) => Some(id),
            _ => None,
        }
    }
}
