//! Edits: every change the app can make to a plan, as data, each with an exact inverse.
//!
//! The app never changes a [`Plan`] directly: its panels issue [`Edit`]s, [`Edit::apply`] checks and
//! performs them, and [`History`] keeps what is needed to undo and redo. Pure: no egui, no files.
//!
//! # Inverse edits, not snapshots
//!
//! Undo stores the *inverse* of each applied edit rather than a copy of the whole plan. A plan of
//! 1,000 services is hundreds of kilobytes; a snapshot per keystroke or per drag would make memory grow
//! with plan size times history length, while an inverse edit is as big as the object it touches (a
//! position list for a drag or an auto-layout, one service for an inspector change). Every edit's
//! inverse is computed from the plan at the moment it is applied, so undo restores the identical plan;
//! the unit tests check this for every kind of edit.

pub mod defaults;
mod history;
mod object;

pub use history::{Entry, History};
pub use object::Object;

use std::collections::{BTreeMap, VecDeque};

use crate::analysis::ServiceGraph;
use crate::plan::{Collection, Dependency, Id, Plan, PlatformSettings, Position, RolloutPolicy};

/// One change to a plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Change the plan's name.
    SetName(String),
    /// Change the plan's description.
    SetDescription(String),
    /// Replace the platform settings.
    SetPlatforms(PlatformSettings),
    /// Replace the rollout policy.
    SetRollout(RolloutPolicy),
    /// Insert an object into its collection at `index` (`index == len` appends).
    Insert {
        /// Where in the collection.
        index: usize,
        /// The object; its variant names the collection.
        object: Object,
    },
    /// Remove the object at `index` of the collection `kind`.
    Remove {
        /// Which collection.
        kind: Collection,
        /// Where in the collection.
        index: usize,
    },
    /// Replace the object at `index` of its collection.
    Set {
        /// Where in the collection.
        index: usize,
        /// The new value; its variant names the collection.
        object: Object,
    },
    /// Move services on the canvas: `(plan index, new position)` pairs.
    SetPositions(Vec<(usize, Position)>),
    /// Several edits applied together as one step; all or nothing.
    Batch(Vec<Edit>),
}

/// Why an edit was refused. The plan is unchanged when an edit is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// An index does not point into its collection.
    #[error("there is no {kind} number {index}")]
    NoSuchObject {
        /// The collection.
        kind: &'static str,
        /// The index asked for.
        index: usize,
    },
    /// An id is empty or only spaces.
    #[error("a {kind} needs an id")]
    EmptyId {
        /// The kind of object.
        kind: &'static str,
    },
    /// Another object of the same kind already has this id.
    #[error("another {kind} already has the id `{id}`")]
    DuplicateId {
        /// The kind of object.
        kind: &'static str,
        /// The id.
        id: Id,
    },
    /// A dependency names a service the plan does not have.
    #[error("there is no service `{id}`")]
    UnknownService {
        /// The id.
        id: Id,
    },
    /// The dependency is already in the plan.
    #[error("`{service}` already depends on `{on}`")]
    DuplicateDependency {
        /// The dependent.
        service: Id,
        /// What it depends on.
        on: Id,
    },
    /// The dependency would make the services depend on each other in a loop.
    #[error("`{service}` cannot depend on `{on}`: {}", cycle_explanation(.service, .path))]
    WouldCloseCycle {
        /// The would-be dependent.
        service: Id,
        /// What it would depend on.
        on: Id,
        /// The existing chain of dependencies from `on` back to `service` (both included).
        path: Vec<Id>,
    },
}

fn cycle_explanation(service: &Id, path: &[Id]) -> String {
    if path.len() <= 1 {
        return "a service cannot depend on itself".to_owned();
    }
    let chain: Vec<&str> = path.iter().map(Id::as_str).collect();
    format!(
        "`{}` already depends on `{service}` ({}), so this would close a cycle and leave no deployment order",
        chain[0],
        chain.join(" → ")
    )
}

impl Edit {
    /// Checks the edit against `plan` and performs it. Returns the inverse edit: applying it to the
    /// changed plan gives back the plan as it was. A refused edit leaves the plan untouched.
    pub fn apply(&self, plan: &mut Plan) -> Result<Edit, EditError> {
        self.apply_checked(plan, true)
    }

    /// Applies an inverse that [`Edit::apply`] returned (undo). The structural checks are skipped: the
    /// steps of an inverse batch pass through states the checks would refuse (references put back
    /// before the object they name is renamed back), although the whole restores a state that was
    /// valid. Indices are still checked, so a wrong edit is refused rather than a panic.
    pub fn apply_inverse(&self, plan: &mut Plan) -> Result<Edit, EditError> {
        self.apply_checked(plan, false)
    }

    fn apply_checked(&self, plan: &mut Plan, checked: bool) -> Result<Edit, EditError> {
        match self {
            Edit::SetName(name) => Ok(Edit::SetName(std::mem::replace(
                &mut plan.name,
                name.clone(),
            ))),
            Edit::SetDescription(text) => Ok(Edit::SetDescription(std::mem::replace(
                &mut plan.description,
                text.clone(),
            ))),
            Edit::SetPlatforms(settings) => Ok(Edit::SetPlatforms(std::mem::replace(
                &mut plan.platforms,
                settings.clone(),
            ))),
            Edit::SetRollout(policy) => Ok(Edit::SetRollout(std::mem::replace(
                &mut plan.rollout,
                policy.clone(),
            ))),
            Edit::Insert { index, object } => {
                let kind = object.kind();
                let len = kind.len(plan);
                if *index > len {
                    return Err(EditError::NoSuchObject {
                        kind: kind.name(),
                        index: *index,
                    });
                }
                if checked {
                    check_object(plan, object, None)?;
                }
                object.clone().insert_into(plan, *index);
                Ok(Edit::Remove {
                    kind,
                    index: *index,
                })
            }
            Edit::Remove { kind, index } => {
                let removed =
                    object::remove_from(*kind, plan, *index).ok_or(EditError::NoSuchObject {
                        kind: kind.name(),
                        index: *index,
                    })?;
                Ok(Edit::Insert {
                    index: *index,
                    object: removed,
                })
            }
            Edit::Set { index, object } => {
                let kind = object.kind();
                if *index >= kind.len(plan) {
                    return Err(EditError::NoSuchObject {
                        kind: kind.name(),
                        index: *index,
                    });
                }
                if checked {
                    check_object(plan, object, Some(*index))?;
                }
                let old = object.clone().replace_in(plan, *index);
                Ok(Edit::Set {
                    index: *index,
                    object: old,
                })
            }
            Edit::SetPositions(moves) => {
                if let Some(&(index, _)) = moves.iter().find(|(i, _)| *i >= plan.services.len()) {
                    return Err(EditError::NoSuchObject {
                        kind: Collection::Service.name(),
                        index,
                    });
                }
                let mut old = Vec::with_capacity(moves.len());
                for &(index, position) in moves {
                    old.push((index, plan.services[index].position));
                    plan.services[index].position = position;
                }
                old.reverse();
                Ok(Edit::SetPositions(old))
            }
            Edit::Batch(edits) => {
                let mut inverses = Vec::with_capacity(edits.len());
                for edit in edits {
                    match edit.apply_checked(plan, checked) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(error) => {
                            for inverse in inverses.iter().rev() {
                                // Each inverse was computed against the plan it now applies to, so it
                                // cannot be refused; if it somehow were, there is nothing better to do.
                                inverse.apply_inverse(plan).ok();
                            }
                            return Err(error);
                        }
                    }
                }
                inverses.reverse();
                Ok(Edit::Batch(inverses))
            }
        }
    }

    /// Whether the edit changes where services sit on the canvas and nothing else.
    pub fn is_layout_only(&self) -> bool {
        match self {
            Edit::SetPositions(_) => true,
            Edit::Batch(edits) => edits.iter().all(Edit::is_layout_only),
            _ => false,
        }
    }

    /// Appends `object` to its collection.
    pub fn append(plan: &Plan, object: Object) -> Edit {
        Edit::Insert {
            index: object.kind().len(plan),
            object,
        }
    }

    /// "`service` depends on `on`", appended to the plan's dependencies.
    pub fn add_dependency(plan: &Plan, service: Id, on: Id) -> Edit {
        Edit::Insert {
            index: plan.dependencies.len(),
            object: Object::Dependency(Dependency { service, on }),
        }
    }

    /// Removes every service named in `ids` as [`Edit::remove_service`] does, as one batch (one undo
    /// step). Each removal is worked out on the plan as the ones before it leave it, so the indices
    /// hold when the batch is applied in order. `None` when no id names a service.
    pub fn remove_services(plan: &Plan, ids: &[Id]) -> Option<Edit> {
        let mut after = plan.clone();
        let mut edits = Vec::new();
        for id in ids {
            let Some(index) = after.services.iter().position(|s| &s.id == id) else {
                continue;
            };
            let edit = Edit::remove_service(&after, index);
            edit.apply(&mut after).ok()?;
            edits.push(edit);
        }
        (!edits.is_empty()).then_some(Edit::Batch(edits))
    }

    /// Removes the service at `index` together with its dependencies, and takes it out of migration
    /// consumer lists and runbook service lists, so no reference is left dangling where a list allows
    /// removal. (A migration's database is required and stays; the analysis then reports it.)
    pub fn remove_service(plan: &Plan, index: usize) -> Edit {
        let Some(service) = plan.services.get(index) else {
            return Edit::Remove {
                kind: Collection::Service,
                index,
            };
        };
        let id = &service.id;
        let mut edits = Vec::new();
        for (i, migration) in plan.migrations.iter().enumerate() {
            if migration.consumers.contains(id) {
                let mut changed = migration.clone();
                changed.consumers.retain(|c| c != id);
                edits.push(Edit::Set {
                    index: i,
                    object: Object::Migration(changed),
                });
            }
        }
        for (i, runbook) in plan.runbooks.iter().enumerate() {
            if runbook.services.contains(id) {
                let mut changed = runbook.clone();
                changed.services.retain(|s| s != id);
                edits.push(Edit::Set {
                    index: i,
                    object: Object::Runbook(changed),
                });
            }
        }
        // Remove dependencies from the back so earlier indices stay valid.
        for (i, dependency) in plan.dependencies.iter().enumerate().rev() {
            if &dependency.service == id || &dependency.on == id {
                edits.push(Edit::Remove {
                    kind: Collection::Dependency,
                    index: i,
                });
            }
        }
        edits.push(Edit::Remove {
            kind: Collection::Service,
            index,
        });
        Edit::Batch(edits)
    }

    /// Replaces the object at `index` with `object` and, when its id changes, rewrites every reference
    /// to the old id (dependencies, migrations, runbooks, the rollout policy) to the new one.
    pub fn replace_renaming_references(plan: &Plan, index: usize, object: Object) -> Edit {
        let kind = object.kind();
        let old_id = kind.id_at(plan, index).cloned();
        let new_id = object.id().cloned();
        let mut edits = vec![Edit::Set { index, object }];
        if let (Some(old), Some(new)) = (old_id, new_id)
            && old != new
        {
            edits.extend(reference_rewrites(plan, kind, &old, &new));
        }
        if edits.len() == 1 {
            edits.remove(0)
        } else {
            Edit::Batch(edits)
        }
    }
}

/// The edits that point every reference to `old` (an id of `kind`) at `new`.
fn reference_rewrites(plan: &Plan, kind: Collection, old: &Id, new: &Id) -> Vec<Edit> {
    let swap = |id: &mut Id| {
        if id == old {
            *id = new.clone();
        }
    };
    let mut edits = Vec::new();
    match kind {
        Collection::Service => {
            for (index, dependency) in plan.dependencies.iter().enumerate() {
                if &dependency.service == old || &dependency.on == old {
                    let mut changed = dependency.clone();
                    swap(&mut changed.service);
                    swap(&mut changed.on);
                    edits.push(Edit::Set {
                        index,
                        object: Object::Dependency(changed),
                    });
                }
            }
            for (index, migration) in plan.migrations.iter().enumerate() {
                let mut changed = migration.clone();
                swap(&mut changed.database);
                changed.consumers.iter_mut().for_each(swap);
                if &changed != migration {
                    edits.push(Edit::Set {
                        index,
                        object: Object::Migration(changed),
                    });
                }
            }
            for (index, runbook) in plan.runbooks.iter().enumerate() {
                let mut changed = runbook.clone();
                changed.services.iter_mut().for_each(swap);
                if &changed != runbook {
                    edits.push(Edit::Set {
                        index,
                        object: Object::Runbook(changed),
                    });
                }
            }
        }
        Collection::Environment => {
            for (index, runbook) in plan.runbooks.iter().enumerate() {
                if &runbook.environment == old {
                    let mut changed = runbook.clone();
                    changed.environment = new.clone();
                    edits.push(Edit::Set {
                        index,
                        object: Object::Runbook(changed),
                    });
                }
            }
            if &plan.rollout.environment == old {
                let mut rollout = plan.rollout.clone();
                rollout.environment = new.clone();
                edits.push(Edit::SetRollout(rollout));
            }
        }
        Collection::Dependency
        | Collection::Migration
        | Collection::Region
        | Collection::Runbook => {}
    }
    edits
}

/// Refuses objects that would make the plan structurally wrong: empty or duplicate ids, and
/// dependencies that are unknown, repeated, or close a cycle. `replacing` is the index the object
/// replaces (it does not clash with itself).
fn check_object(plan: &Plan, object: &Object, replacing: Option<usize>) -> Result<(), EditError> {
    let kind = object.kind();
    if let Some(id) = object.id() {
        if id.as_str().trim().is_empty() {
            return Err(EditError::EmptyId { kind: kind.name() });
        }
        let clash = (0..kind.len(plan))
            .filter(|&i| Some(i) != replacing)
            .any(|i| kind.id_at(plan, i) == Some(id));
        if clash {
            return Err(EditError::DuplicateId {
                kind: kind.name(),
                id: id.clone(),
            });
        }
    }
    if let Object::Dependency(dependency) = object {
        check_dependency(plan, dependency, replacing)?;
    }
    Ok(())
}

fn check_dependency(
    plan: &Plan,
    dependency: &Dependency,
    replacing: Option<usize>,
) -> Result<(), EditError> {
    for id in [&dependency.service, &dependency.on] {
        if plan.service(id).is_none() {
            return Err(EditError::UnknownService { id: id.clone() });
        }
    }
    let duplicate = plan
        .dependencies
        .iter()
        .enumerate()
        .any(|(i, d)| Some(i) != replacing && d == dependency);
    if duplicate {
        return Err(EditError::DuplicateDependency {
            service: dependency.service.clone(),
            on: dependency.on.clone(),
        });
    }
    // Check against the plan without the dependency being replaced.
    let without;
    let base = match replacing {
        Some(index) => {
            let mut copy = plan.clone();
            copy.dependencies.remove(index);
            without = copy;
            &without
        }
        None => plan,
    };
    if ServiceGraph::new(base).would_close_cycle(&dependency.service, &dependency.on) {
        return Err(EditError::WouldCloseCycle {
            service: dependency.service.clone(),
            on: dependency.on.clone(),
            path: dependency_path(base, &dependency.on, &dependency.service),
        });
    }
    Ok(())
}

/// The shortest chain of existing dependencies leading from `from` to `to`, both included, found
/// breadth-first; just `[from]` when they are the same service.
fn dependency_path(plan: &Plan, from: &Id, to: &Id) -> Vec<Id> {
    if from == to {
        return vec![from.clone()];
    }
    let mut came_from: BTreeMap<&Id, &Id> = BTreeMap::new();
    let mut queue = VecDeque::from([from]);
    while let Some(current) = queue.pop_front() {
        for dependency in plan.dependencies.iter().filter(|d| &d.service == current) {
            let next = &dependency.on;
            if next == from || came_from.contains_key(next) {
                continue;
            }
            came_from.insert(next, current);
            if next == to {
                let mut path = vec![to.clone()];
                let mut step = to;
                while let Some(&previous) = came_from.get(step) {
                    path.push(previous.clone());
                    step = previous;
                }
                path.reverse();
                return path;
            }
            queue.push_back(next);
        }
    }
    vec![from.clone(), to.clone()]
}

#[cfg(test)]
mod tests;
