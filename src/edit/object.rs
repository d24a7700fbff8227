//! The objects a plan holds in its collections, as one type, so edits can insert, remove and replace
//! any of them the same way.

use crate::plan::{Dependency, Environment, HotfixRunbook, Id, Migration, Plan, Region, Service};

/// Which collection of the plan an object lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
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

macro_rules! each_collection {
    ($kind:expr, $plan:expr, |$list:ident| $body:expr) => {
        match $kind {
            Kind::Service => {
                let $list = &$plan.services;
                $body
            }
            Kind::Dependency => {
                let $list = &$plan.dependencies;
                $body
            }
            Kind::Migration => {
                let $list = &$plan.migrations;
                $body
            }
            Kind::Environment => {
                let $list = &$plan.environments;
                $body
            }
            Kind::Region => {
                let $list = &$plan.regions;
                $body
            }
            Kind::Runbook => {
                let $list = &$plan.runbooks;
                $body
            }
        }
    };
}

impl Kind {
    /// The kind's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Service => "service",
            Kind::Dependency => "dependency",
            Kind::Migration => "migration",
            Kind::Environment => "environment",
            Kind::Region => "region",
            Kind::Runbook => "runbook",
        }
    }

    /// How many objects of this kind `plan` has.
    pub fn len(self, plan: &Plan) -> usize {
        each_collection!(self, plan, |list| list.len())
    }

    /// The id of the object at `index`, for kinds that have ids.
    pub fn id_at(self, plan: &Plan, index: usize) -> Option<&Id> {
        match self {
            Kind::Service => plan.services.get(index).map(|o| &o.id),
            Kind::Dependency => None,
            Kind::Migration => plan.migrations.get(index).map(|o| &o.id),
            Kind::Environment => plan.environments.get(index).map(|o| &o.id),
            Kind::Region => plan.regions.get(index).map(|o| &o.id),
            Kind::Runbook => plan.runbooks.get(index).map(|o| &o.id),
        }
    }

    /// The index of the object of this kind with `id`.
    pub fn index_of(self, plan: &Plan, id: &Id) -> Option<usize> {
        (0..self.len(plan)).find(|&i| self.id_at(plan, i) == Some(id))
    }

    /// Removes and returns the object at `index`, if there is one.
    pub(super) fn remove_from(self, plan: &mut Plan, index: usize) -> Option<Object> {
        if index >= self.len(plan) {
            return None;
        }
        Some(match self {
            Kind::Service => Object::Service(plan.services.remove(index)),
            Kind::Dependency => Object::Dependency(plan.dependencies.remove(index)),
            Kind::Migration => Object::Migration(plan.migrations.remove(index)),
            Kind::Environment => Object::Environment(plan.environments.remove(index)),
            Kind::Region => Object::Region(plan.regions.remove(index)),
            Kind::Runbook => Object::Runbook(plan.runbooks.remove(index)),
        })
    }
}

impl Object {
    /// The collection the object belongs to.
    pub fn kind(&self) -> Kind {
        match self {
            Object::Service(_) => Kind::Service,
            Object::Dependency(_) => Kind::Dependency,
            Object::Migration(_) => Kind::Migration,
            Object::Environment(_) => Kind::Environment,
            Object::Region(_) => Kind::Region,
            Object::Runbook(_) => Kind::Runbook,
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
