//! Every edit applies and its inverse restores the identical plan; invalid edits are refused.

use super::*;
use crate::plan::{
    BatchSize, Environment, EnvironmentKind, HotfixRunbook, Migration, Region, Service, Strategy,
    Tier, templates,
};

fn meridian() -> Plan {
    match templates::by_name("meridian", "meridian") {
        Some(Ok(plan)) => plan,
        other => panic!("the meridian template loads: {other:?}"),
    }
}

fn service(id: &str) -> Service {
    let mut service = meridian().services[1].clone();
    service.id = Id::new(id);
    service.name = id.to_uppercase();
    service
}

/// Applies `edit`, checks it changed the plan, undoes it and checks the plan is identical again, then
/// redoes it and checks it gives the same result as the first time.
fn round_trip(edit: Edit) -> Plan {
    let original = meridian();
    let mut plan = original.clone();
    let inverse = edit
        .apply(&mut plan)
        .unwrap_or_else(|e| panic!("{edit:?}: {e}"));
    assert_ne!(plan, original, "{edit:?} changed nothing");
    let changed = plan.clone();
    let again = inverse
        .apply_inverse(&mut plan)
        .expect("the inverse applies");
    assert_eq!(plan, original, "undoing {edit:?} gives back the plan");
    again
        .apply(&mut plan)
        .expect("the inverse of the inverse applies as a checked edit");
    assert_eq!(plan, changed, "redoing {edit:?} gives the same plan");
    changed
}

#[test]
fn plan_wide_settings_round_trip() {
    assert_eq!(round_trip(Edit::SetName("other".into())).name, "other");
    round_trip(Edit::SetDescription("new words".into()));
    let mut platforms = meridian().platforms;
    platforms.github.runner = "self-hosted".into();
    round_trip(Edit::SetPlatforms(platforms));
    let mut rollout = meridian().rollout;
    rollout.retry.attempts = 2;
    round_trip(Edit::SetRollout(rollout));
}

fn one_of_each(plan: &Plan) -> Vec<Object> {
    let mut runbook: HotfixRunbook = plan.runbooks[0].clone();
    runbook.id = Id::new("portal-hotfix");
    let mut migration: Migration = plan.migrations[0].clone();
    migration.id = Id::new("second");
    let mut environment: Environment = plan.environments[0].clone();
    environment.id = Id::new("test");
    environment.kind = EnvironmentKind::Test;
    vec![
        Object::Service(service("billing")),
        Object::Dependency(Dependency {
            service: Id::new("claims-portal"),
            on: Id::new("sql-database"),
        }),
        Object::Migration(migration),
        Object::Environment(environment),
        Object::Region(Region {
            id: Id::new("westeurope"),
            name: "West Europe".into(),
            location: "westeurope".into(),
            validation_minutes: 15,
        }),
        Object::Runbook(runbook),
    ]
}

#[test]
fn inserting_each_kind_of_object_round_trips() {
    let plan = meridian();
    for object in one_of_each(&plan) {
        for index in [0, object.kind().len(&plan)] {
            let changed = round_trip(Edit::Insert {
                index,
                object: object.clone(),
            });
            assert_eq!(object.kind().len(&changed), object.kind().len(&plan) + 1);
        }
    }
}

#[test]
fn removing_each_kind_of_object_round_trips() {
    let plan = meridian();
    for kind in [
        Collection::Service,
        Collection::Dependency,
        Collection::Migration,
        Collection::Environment,
        Collection::Region,
        Collection::Runbook,
    ] {
        let changed = round_trip(Edit::Remove { kind, index: 0 });
        assert_eq!(kind.len(&changed), kind.len(&plan) - 1);
    }
}

#[test]
fn replacing_each_kind_of_object_round_trips() {
    let plan = meridian();
    let mut service = plan.services[0].clone();
    service.strategy = Strategy::Rolling {
        batch: BatchSize::Percent(25),
    };
    service.tier = Tier::Worker;
    let mut migration = plan.migrations[0].clone();
    migration.consumers.pop();
    let mut environment = plan.environments[0].clone();
    environment.wait_timer_minutes = 30;
    let mut region = plan.regions[0].clone();
    region.validation_minutes = 20;
    let mut runbook = plan.runbooks[0].clone();
    runbook.incident_bridge = "#claims-war-room".into();
    for object in [
        Object::Service(service),
        Object::Dependency(Dependency {
            service: Id::new("claims-portal"),
            on: Id::new("sql-database"),
        }),
        Object::Migration(migration),
        Object::Environment(environment),
        Object::Region(region),
        Object::Runbook(runbook),
    ] {
        round_trip(Edit::Set { index: 0, object });
    }
}

#[test]
fn moving_services_round_trips_even_when_one_moves_twice() {
    let changed = round_trip(Edit::SetPositions(vec![
        (0, Position { x: 10.0, y: 20.0 }),
        (3, Position { x: -5.0, y: 0.5 }),
        (0, Position { x: 30.0, y: 40.0 }),
    ]));
    assert_eq!(changed.services[0].position, Position { x: 30.0, y: 40.0 });
}

#[test]
fn removing_a_service_takes_its_dependencies_and_list_references_with_it() {
    let plan = meridian();
    let index = Collection::Service
        .index_of(&plan, &Id::new("claims-api"))
        .expect("claims-api");
    let changed = round_trip(Edit::remove_service(&plan, index));
    assert!(changed.service(&Id::new("claims-api")).is_none());
    assert_eq!(changed.dependencies.len(), 2);
    assert!(
        changed
            .dependencies
            .iter()
            .all(|d| d.service != Id::new("claims-api") && d.on != Id::new("claims-api"))
    );
    assert_eq!(
        changed.migrations[0].consumers,
        vec![Id::new("notification-service")]
    );
    assert!(changed.runbooks[0].services.is_empty());
}

#[test]
fn removing_several_services_is_one_batch_that_round_trips() {
    let plan = meridian();
    let ids = [
        Id::new("claims-portal"),
        Id::new("claims-api"),
        Id::new("no-such"),
    ];
    let edit = Edit::remove_services(&plan, &ids).expect("two services to remove");
    assert!(matches!(&edit, Edit::Batch(steps) if steps.len() == 2));
    let changed = round_trip(edit);
    assert_eq!(changed.services.len(), plan.services.len() - 2);
    assert!(
        changed
            .dependencies
            .iter()
            .all(|d| !ids.contains(&d.service) && !ids.contains(&d.on))
    );
    assert!(Edit::remove_services(&plan, &[Id::new("no-such")]).is_none());
}

#[test]
fn changing_an_id_rewrites_every_reference() {
    let plan = meridian();
    let mut renamed = plan.services[0].clone();
    renamed.id = Id::new("claims-db");
    let changed = round_trip(Edit::replace_renaming_references(
        &plan,
        0,
        Object::Service(renamed),
    ));
    assert_eq!(changed.migrations[0].database, Id::new("claims-db"));
    assert_eq!(
        changed
            .dependencies
            .iter()
            .filter(|d| d.on == Id::new("claims-db"))
            .count(),
        2
    );
    assert!(crate::analysis::analyse(&changed).diagnostics.is_empty());

    let index = Collection::Environment
        .index_of(&plan, &Id::new("production"))
        .expect("production");
    let mut environment = plan.environments[index].clone();
    environment.id = Id::new("prod");
    let changed = round_trip(Edit::replace_renaming_references(
        &plan,
        index,
        Object::Environment(environment),
    ));
    assert_eq!(changed.rollout.environment, Id::new("prod"));
}

#[test]
fn a_dependency_that_closes_a_cycle_is_refused_with_the_chain() {
    let mut plan = meridian();
    let before = plan.clone();
    let edit = Edit::add_dependency(&plan, Id::new("sql-database"), Id::new("claims-portal"));
    let error = edit.apply(&mut plan).expect_err("a cycle is refused");
    assert_eq!(plan, before, "a refused edit changes nothing");
    let EditError::WouldCloseCycle { path, .. } = &error else {
        panic!("expected a cycle error, got {error}");
    };
    assert_eq!(path.first(), Some(&Id::new("claims-portal")));
    assert_eq!(path.last(), Some(&Id::new("sql-database")));
    assert_eq!(path.len(), 3);
    let message = error.to_string();
    assert!(
        message.contains("claims-portal` already depends on `sql-database`"),
        "{message}"
    );

    let self_loop = Edit::add_dependency(&plan, Id::new("claims-api"), Id::new("claims-api"));
    let error = self_loop
        .apply(&mut plan)
        .expect_err("a self-dependency is refused");
    assert!(
        error.to_string().contains("cannot depend on itself"),
        "{error}"
    );
}

#[test]
fn replacing_a_dependency_may_reverse_it_without_counting_itself() {
    let mut plan = meridian();
    // Reversing claims-api → sql-database: checked against the plan without the edge it replaces.
    let edit = Edit::Set {
        index: 0,
        object: Object::Dependency(Dependency {
            service: Id::new("sql-database"),
            on: Id::new("claims-api"),
        }),
    };
    edit.apply(&mut plan)
        .expect("reversing an edge closes no cycle");
}

#[test]
fn structural_mistakes_are_refused() {
    let mut plan = meridian();
    let before = plan.clone();
    let refusals = [
        Edit::add_dependency(&plan, Id::new("claims-portal"), Id::new("claims-api")),
        Edit::add_dependency(&plan, Id::new("claims-portal"), Id::new("ghost")),
        Edit::Insert {
            index: 0,
            object: Object::Service(service("claims-api")),
        },
        Edit::Insert {
            index: 0,
            object: Object::Service(service("  ")),
        },
        Edit::Insert {
            index: 99,
            object: Object::Service(service("new")),
        },
        Edit::Remove {
            kind: Collection::Region,
            index: 5,
        },
        Edit::Set {
            index: 1,
            object: Object::Service(service("sql-database")),
        },
        Edit::SetPositions(vec![(0, Position::default()), (42, Position::default())]),
    ];
    for edit in refusals {
        assert!(edit.apply(&mut plan).is_err(), "{edit:?} was accepted");
        assert_eq!(plan, before, "{edit:?} changed the plan although refused");
    }
}

#[test]
fn a_batch_is_all_or_nothing() {
    let mut plan = meridian();
    let before = plan.clone();
    let batch = Edit::Batch(vec![
        Edit::SetName("renamed".into()),
        Edit::Remove {
            kind: Collection::Dependency,
            index: 0,
        },
        Edit::add_dependency(&plan, Id::new("sql-database"), Id::new("claims-portal")),
    ]);
    assert!(batch.apply(&mut plan).is_err());
    assert_eq!(plan, before);
}

#[test]
fn history_undoes_and_redoes_in_order_and_knows_the_saved_state() {
    let mut plan = meridian();
    let original = plan.clone();
    let mut history = History::default();
    assert_eq!(history.state_id(), 0);
    history
        .apply(&mut plan, Edit::SetName("a".into()), "Rename plan", None)
        .expect("applies");
    let after_first = history.state_id();
    let connect = Edit::add_dependency(&plan, Id::new("claims-portal"), Id::new("sql-database"));
    history
        .apply(&mut plan, connect, "Connect", None)
        .expect("applies");
    assert_eq!(history.undo_label(), Some("Connect"));
    assert_eq!(history.undo(&mut plan).as_deref(), Some("Connect"));
    assert_eq!(history.state_id(), after_first);
    assert_eq!(history.undo(&mut plan).as_deref(), Some("Rename plan"));
    assert_eq!(plan, original);
    assert_eq!(history.state_id(), 0);
    assert!(history.undo(&mut plan).is_none());
    assert_eq!(history.redo(&mut plan).as_deref(), Some("Rename plan"));
    assert_eq!(plan.name, "a");
    // A new edit clears what could be redone.
    history
        .apply(&mut plan, Edit::SetName("b".into()), "Rename plan", None)
        .expect("applies");
    assert!(history.redo_label().is_none());
}

#[test]
fn typing_into_one_field_is_one_step_until_sealed() {
    let mut plan = meridian();
    let original = plan.clone();
    let mut history = History::default();
    for name in ["c", "cl", "cla"] {
        let mut renamed = plan.services[0].clone();
        renamed.name = name.into();
        history
            .apply(
                &mut plan,
                Edit::Set {
                    index: 0,
                    object: Object::Service(renamed),
                },
                "Edit service",
                Some(7),
            )
            .expect("applies");
    }
    assert_eq!(history.undo_len(), 1);
    history.seal();
    history
        .apply(
            &mut plan,
            Edit::SetDescription("x".into()),
            "Describe",
            Some(7),
        )
        .expect("applies");
    assert_eq!(history.undo_len(), 2);
    history.undo(&mut plan);
    history.undo(&mut plan);
    assert_eq!(plan, original);
}

#[test]
fn history_forgets_beyond_its_limit() {
    let mut plan = meridian();
    let mut history = History::new(3);
    for i in 0..5 {
        history
            .apply(&mut plan, Edit::SetName(format!("n{i}")), "Rename", None)
            .expect("applies");
    }
    assert_eq!(history.undo_len(), 3);
}
