//! Typed references to the objects of a plan. One type names what a diagnostic points at, what the app
//! has selected and which object an edit touches, so a reference is never formatted into text and
//! parsed back (ids may contain any text, including `->`).

use std::fmt;

use serde::Serialize;

use super::id::Id;
use super::model::Plan;

/// One object of a plan, or one of its plan-wide sections. Objects are named by id rather than by
/// position, so a reference survives edits that move them.
///
/// The variant order is the order diagnostics are listed in (after severity and code).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectRef {
    /// The plan as a whole: its name and description.
    Plan,
    /// The platform settings (build, repository, Azure, GitHub).
    Platforms,
    /// A service.
    Service(Id),
    /// A dependency: `service` depends on `on`.
    Dependency {
        /// The dependent service.
        service: Id,
        /// The service it depends on.
        on: Id,
    },
    /// A migration.
    Migration(Id),
    /// An environment.
    Environment(Id),
    /// A region.
    Region(Id),
    /// The rollout policy.
    Rollout,
    /// A hotfix runbook.
    Runbook(Id),
}

/// What kind of object a reference names: the `subject_kind` of the JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    /// The plan as a whole.
    Plan,
    /// The platform settings.
    Platforms,
    /// A service.
    Service,
    /// A dependency edge.
    Dependency,
    /// A migration.
    Migration,
    /// An environment.
    Environment,
    /// A region.
    Region,
    /// The rollout policy.
    Rollout,
    /// A hotfix runbook.
    Runbook,
}

impl ObjectKind {
    /// The lowercase name used in text and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Plan => "plan",
            ObjectKind::Platforms => "platforms",
            ObjectKind::Service => "service",
            ObjectKind::Dependency => "dependency",
            ObjectKind::Migration => "migration",
            ObjectKind::Environment => "environment",
            ObjectKind::Region => "region",
            ObjectKind::Rollout => "rollout",
            ObjectKind::Runbook => "runbook",
        }
    }
}

/// The collections of a plan whose objects can be added, removed and replaced one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Collection {
    /// `plan.services`.
    Service,
    /// `plan.dependencies`.
    Dependency,
    /// `plan.migrations`.
    Migration,
    /// `plan.environments`.
    Environment,
    /// `plan.regions`.
    Region,
    /// `plan.runbooks`.
    Runbook,
}

impl Collection {
    /// The kind of object the collection holds.
    pub fn kind(self) -> ObjectKind {
        match self {
            Collection::Service => ObjectKind::Service,
            Collection::Dependency => ObjectKind::Dependency,
            Collection::Migration => ObjectKind::Migration,
            Collection::Environment => ObjectKind::Environment,
            Collection::Region => ObjectKind::Region,
            Collection::Runbook => ObjectKind::Runbook,
        }
    }

    /// The kind's name in messages.
    pub fn name(self) -> &'static str {
        self.kind().as_str()
    }

    /// How many objects `plan` has in this collection.
    pub fn len(self, plan: &Plan) -> usize {
        match self {
            Collection::Service => plan.services.len(),
            Collection::Dependency => plan.dependencies.len(),
            Collection::Migration => plan.migrations.len(),
            Collection::Environment => plan.environments.len(),
            Collection::Region => plan.regions.len(),
            Collection::Runbook => plan.runbooks.len(),
        }
    }

    /// The id of the object at `index`, for collections whose objects have ids.
    pub fn id_at(self, plan: &Plan, index: usize) -> Option<&Id> {
        match self {
            Collection::Service => plan.services.get(index).map(|o| &o.id),
            Collection::Dependency => None,
            Collection::Migration => plan.migrations.get(index).map(|o| &o.id),
            Collection::Environment => plan.environments.get(index).map(|o| &o.id),
            Collection::Region => plan.regions.get(index).map(|o| &o.id),
            Collection::Runbook => plan.runbooks.get(index).map(|o| &o.id),
        }
    }

    /// The index of the object of this collection with `id`.
    pub fn index_of(self, plan: &Plan, id: &Id) -> Option<usize> {
        (0..self.len(plan)).find(|&i| self.id_at(plan, i) == Some(id))
    }

    /// The reference to the object at `index` of this collection in `plan`, if there is one.
    pub fn reference_at(self, plan: &Plan, index: usize) -> Option<ObjectRef> {
        let id = |id: &Id| id.clone();
        Some(match self {
            Collection::Service => ObjectRef::Service(id(&plan.services.get(index)?.id)),
            Collection::Dependency => {
                let dependency = plan.dependencies.get(index)?;
                ObjectRef::Dependency {
                    service: dependency.service.clone(),
                    on: dependency.on.clone(),
                }
            }
            Collection::Migration => ObjectRef::Migration(id(&plan.migrations.get(index)?.id)),
            Collection::Environment => {
                ObjectRef::Environment(id(&plan.environments.get(index)?.id))
            }
            Collection::Region => ObjectRef::Region(id(&plan.regions.get(index)?.id)),
            Collection::Runbook => ObjectRef::Runbook(id(&plan.runbooks.get(index)?.id)),
        })
    }
}

impl ObjectRef {
    /// What kind of object this is.
    pub fn kind(&self) -> ObjectKind {
        match self {
            ObjectRef::Plan => ObjectKind::Plan,
            ObjectRef::Platforms => ObjectKind::Platforms,
            ObjectRef::Service(_) => ObjectKind::Service,
            ObjectRef::Dependency { .. } => ObjectKind::Dependency,
            ObjectRef::Migration(_) => ObjectKind::Migration,
            ObjectRef::Environment(_) => ObjectKind::Environment,
            ObjectRef::Region(_) => ObjectKind::Region,
            ObjectRef::Rollout => ObjectKind::Rollout,
            ObjectRef::Runbook(_) => ObjectKind::Runbook,
        }
    }

    /// The collection the object lives in; `None` for the plan-wide sections.
    pub fn collection(&self) -> Option<Collection> {
        match self {
            ObjectRef::Plan | ObjectRef::Platforms | ObjectRef::Rollout => None,
            ObjectRef::Service(_) => Some(Collection::Service),
            ObjectRef::Dependency { .. } => Some(Collection::Dependency),
            ObjectRef::Migration(_) => Some(Collection::Migration),
            ObjectRef::Environment(_) => Some(Collection::Environment),
            ObjectRef::Region(_) => Some(Collection::Region),
            ObjectRef::Runbook(_) => Some(Collection::Runbook),
        }
    }

    /// The reference to the object of `collection` with `id` (dependencies have no id: `None`).
    pub fn with_id(collection: Collection, id: Id) -> Option<Self> {
        Some(match collection {
            Collection::Service => ObjectRef::Service(id),
            Collection::Dependency => return None,
            Collection::Migration => ObjectRef::Migration(id),
            Collection::Environment => ObjectRef::Environment(id),
            Collection::Region => ObjectRef::Region(id),
            Collection::Runbook => ObjectRef::Runbook(id),
        })
    }

    /// The object's own id, for objects that have one.
    pub fn id(&self) -> Option<&Id> {
        match self {
            ObjectRef::Service(id)
            | ObjectRef::Migration(id)
            | ObjectRef::Environment(id)
            | ObjectRef::Region(id)
            | ObjectRef::Runbook(id) => Some(id),
            ObjectRef::Plan
            | ObjectRef::Platforms
            | ObjectRef::Rollout
            | ObjectRef::Dependency { .. } => None,
        }
    }

    /// The services the object is drawn as on the canvas: a service itself, or both ends of a
    /// dependency.
    pub fn services(&self) -> Vec<&Id> {
        match self {
            ObjectRef::Service(id) => vec![id],
            ObjectRef::Dependency { service, on } => vec![service, on],
            _ => Vec::new(),
        }
    }

    /// The object's key in machine-readable output: its id, `SERVICE->ON` for a dependency, and empty
    /// for the plan-wide sections. Only ever written, never parsed back.
    pub fn key(&self) -> String {
        match self {
            ObjectRef::Dependency { service, on } => format!("{service}->{on}"),
            other => other.id().map(Id::to_string).unwrap_or_default(),
        }
    }

    /// Where the object is in its collection of `plan`, if it is a collection object that exists.
    pub fn locate(&self, plan: &Plan) -> Option<(Collection, usize)> {
        let collection = self.collection()?;
        let index = match self {
            ObjectRef::Dependency { service, on } => plan
                .dependencies
                .iter()
                .position(|d| &d.service == service && &d.on == on),
            ObjectRef::Service(id) => plan.services.iter().position(|o| &o.id == id),
            ObjectRef::Migration(id) => plan.migrations.iter().position(|o| &o.id == id),
            ObjectRef::Environment(id) => plan.environments.iter().position(|o| &o.id == id),
            ObjectRef::Region(id) => plan.regions.iter().position(|o| &o.id == id),
            ObjectRef::Runbook(id) => plan.runbooks.iter().position(|o| &o.id == id),
            ObjectRef::Plan | ObjectRef::Platforms | ObjectRef::Rollout => None,
        }?;
        Some((collection, index))
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind().as_str();
        match self {
            ObjectRef::Plan | ObjectRef::Platforms | ObjectRef::Rollout => f.write_str(kind),
            ObjectRef::Dependency { service, on } => write!(f, "{kind} `{service}->{on}`"),
            other => write!(f, "{kind} `{}`", other.key()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::templates;

    #[test]
    fn ids_with_arrows_stay_whole() {
        let reference = ObjectRef::Dependency {
            service: Id::new("a->b"),
            on: Id::new("c"),
        };
        assert_eq!(reference.services(), [&Id::new("a->b"), &Id::new("c")]);
        assert_eq!(reference.to_string(), "dependency `a->b->c`");
    }

    #[test]
    fn every_collection_object_is_located_by_its_reference() {
        let plan = templates::by_name("meridian", "meridian")
            .expect("a template")
            .expect("it parses");
        for collection in [
            Collection::Service,
            Collection::Dependency,
            Collection::Migration,
            Collection::Environment,
            Collection::Region,
            Collection::Runbook,
        ] {
            let mut index = 0;
            while let Some(reference) = collection.reference_at(&plan, index) {
                assert_eq!(reference.locate(&plan), Some((collection, index)));
                assert_eq!(reference.kind(), collection.kind());
                index += 1;
            }
            assert!(index > 0, "Meridian has a {}", collection.name());
        }
        assert_eq!(ObjectRef::Rollout.locate(&plan), None);
    }
}
