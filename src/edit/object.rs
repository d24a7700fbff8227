//! The objects a plan holds in its collections, as one type, so edits can insert, remove and replace
//! any of them the same way.

use crate::plan::{
    Collection, Dependency, Environment, HotfixRunbook, Id, Migration, Plan, Region, Service,
};

/// One object of a plan collection.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    /// A service.
    Service(Service),
    /// A dependency edge.
    Dependency(Dependency),
    /// A migration.
    Migration(Migration),
    /// An environment.
    Environment(Environment),
    /// A region.
    Region(Region),
    /// A hotfix runbook.
    Runbook(HotfixRunbook),
}

/// Removes and returns the object at `index` of `collection`, if there is one.
pub(super) fn remove_from(collection: Collection, plan: &mut Plan, index: usize) -> Option<Object> {
    if index >= collection.len(plan) {
        return None;
    }
    Some(match collection {
        Collection::Service => Object::Service(plan.services.remove(index)),
        Collection::Dependency => Object::Dependency(plan.dependencies.remove(index)),
        Collection::Migration => Object::Migration(plan.migrations.remove(index)),
        Collection::Environment => Object::Environment(plan.environments.remove(index)),
        Collection::Region => Object::Region(plan.regions.remove(index)),
        Collection::Runbook => Object::Runbook(plan.runbooks.remove(index)),
    })
}

impl Object {
    /// The collection the object belongs to.
    pub fn kind(&self) -> Collection {
        match self {
            Object::Service(_) => Collection::Service,
            Object::Dependency(_) => Collection::Dependency,
            Object::Migration(_) => Collection::Migration,
            Object::Environment(_) => Collection::Environment,
            Object::Region(_) => Collection::Region,
            Object::Runbook(_) => Collection::Runbook,
        }
    }

    /// The object's id (dependencies have none).
    pub fn id(&self) -> Option<&Id> {
        match self {
            Object::Service(o) => Some(&o.id),
            Object::Dependency(_) => None,
            Object::Migration(o) => Some(&o.id),
            Object::Environment(o) => Some(&o.id),
            Object::Region(o) => Some(&o.id),
            Object::Runbook(o) => Some(&o.id),
        }
    }

    /// A copy of the object at `index` of `collection`, if there is one.
    pub fn at(plan: &Plan, collection: Collection, index: usize) -> Option<Object> {
        Some(match collection {
            Collection::Service => Object::Service(plan.services.get(index)?.clone()),
            Collection::Dependency => Object::Dependency(plan.dependencies.get(index)?.clone()),
            Collection::Migration => Object::Migration(plan.migrations.get(index)?.clone()),
            Collection::Environment => Object::Environment(plan.environments.get(index)?.clone()),
            Collection::Region => Object::Region(plan.regions.get(index)?.clone()),
            Collection::Runbook => Object::Runbook(plan.runbooks.get(index)?.clone()),
        })
    }

    /// The same object under another id (a dependency, which has none, is unchanged).
    pub fn with_id(mut self, id: Id) -> Object {
        match &mut self {
            Object::Service(o) => o.id = id,
            Object::Dependency(_) => {}
            Object::Migration(o) => o.id = id,
            Object::Environment(o) => o.id = id,
            Object::Region(o) => o.id = id,
            Object::Runbook(o) => o.id = id,
        }
        self
    }

    /// Inserts the object at `index` of its collection; the caller has checked the index.
    pub(super) fn insert_into(self, plan: &mut Plan, index: usize) {
        match self {
            Object::Service(o) => plan.services.insert(index, o),
            Object::Dependency(o) => plan.dependencies.insert(index, o),
            Object::Migration(o) => plan.migrations.insert(index, o),
            Object::Environment(o) => plan.environments.insert(index, o),
            Object::Region(o) => plan.regions.insert(index, o),
            Object::Runbook(o) => plan.runbooks.insert(index, o),
        }
    }

    /// Puts the object at `index` of its collection and returns the one it replaces; the caller has
    /// checked the index.
    pub(super) fn replace_in(self, plan: &mut Plan, index: usize) -> Object {
        match self {
            Object::Service(o) => Object::Service(std::mem::replace(&mut plan.services[index], o)),
            Object::Dependency(o) => {
                Object::Dependency(std::mem::replace(&mut plan.dependencies[index], o))
            }
            Object::Migration(o) => {
                Object::Migration(std::mem::replace(&mut plan.migrations[index], o))
            }
            Object::Environment(o) => {
                Object::Environment(std::mem::replace(&mut plan.environments[index], o))
            }
            Object::Region(o) => Object::Region(std::mem::replace(&mut plan.regions[index], o)),
            Object::Runbook(o) => Object::Runbook(std::mem::replace(&mut plan.runbooks[index], o)),
        }
    }
}
