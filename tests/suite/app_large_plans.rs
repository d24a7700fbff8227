//! The panels with a large plan (issue 12): the outline's sections and the inspector's lists of
//! services lay out only the rows in view, so a frame costs about the same at 1,000 services as at
//! ten, and they still scroll, choose and add like any other list.

use cutover::app::CutoverApp;
use cutover::plan::{Id, ObjectRef, Plan, Service};
use egui::accesskit::Role;
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::app_canvas::synthetic;
use super::app_ui::wheel;

/// The most rows a list shows at once (at most 320 points of rows 22 points apart), with room.
const IN_VIEW: usize = 30;

fn press(h: &mut Harness<'_, CutoverApp>, key: Key) {
    h.key_press(key);
    h.run_steps(2);
}

/// Whether anything on the screen (or in the accessibility tree) is labelled `label`.
fn laid_out(h: &Harness<'_, CutoverApp>, label: &str) -> bool {
    h.query_all_by_label(label).next().is_some()
}

/// How pickers show a service: "name (id)", or its id when the name adds nothing.
fn choice_text(service: &Service) -> String {
    if service.name.is_empty() || service.name == service.id.as_str() {
        service.id.to_string()
    } else {
        format!("{} ({})", service.name, service.id)
    }
}

/// How many of the plan's services are laid out as options of an open list.
fn service_options(h: &Harness<'_, CutoverApp>, plan: &Plan) -> usize {
    plan.services
        .iter()
        .filter(|s| laid_out(h, &choice_text(s)))
        .count()
}

fn plan(h: &Harness<'_, CutoverApp>) -> Plan {
    h.state().document().plan().clone()
}

#[test]
fn a_long_outline_section_lays_out_only_the_rows_in_view_and_scrolls_to_its_last() {
    let (_dir, mut h) = synthetic(1_000);
    let plan = plan(&h);
    let migrations = &plan.migrations;
    assert!(
        migrations.len() > 2 * IN_VIEW,
        "{} migrations",
        migrations.len()
    );
    let shown = migrations.iter().filter(|m| laid_out(&h, &m.name)).count();
    assert!(
        (1..=IN_VIEW).contains(&shown),
        "{shown} of {} laid out",
        migrations.len()
    );
    // The wheel over the section scrolls it (not the outline) down to its last row, which selects.
    let first = h
        .get_all_by_label(&migrations[0].name)
        .next()
        .expect("the first migration's row")
        .rect()
        .center();
    h.event(Event::PointerMoved(first));
    for _ in 0..10 {
        wheel(&mut h, -2_000.0);
        h.run_steps(2);
    }
    h.run_steps(10);
    let last = migrations.last().expect("migrations");
    h.get_all_by_label(&last.name)
        .last()
        .expect("the last migration's row, scrolled into view")
        .click();
    h.run_steps(2);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Migration(last.id.clone()))
    );
    assert!(
        !laid_out(&h, &migrations[0].name),
        "the first row scrolled out"
    );
}

#[test]
fn a_choice_among_every_service_lays_out_only_the_options_in_view() {
    let (_dir, mut h) = synthetic(1_000);
    let plan = plan(&h);
    let index = |id: &Id| plan.services.iter().position(|s| &s.id == id);
    // A migration whose database is far down the list of services.
    let (number, migration) = plan
        .migrations
        .iter()
        .enumerate()
        .find(|(_, m)| index(&m.database).is_some_and(|i| i > 2 * IN_VIEW))
        .expect("a database past the first rows");
    h.get_all_by_label(&migration.name)
        .next()
        .expect("the migration's row")
        .click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Database").click();
    h.run_steps(4);
    let options = service_options(&h, &plan);
    // The list opens at the service chosen now.
    let database = plan.service(&migration.database).expect("the database");
    assert!(
        laid_out(&h, &choice_text(database)),
        "the current choice in view"
    );
    assert!(
        (1..=IN_VIEW).contains(&options),
        "{options} of 1,000 laid out"
    );
    // The arrow keys still move through the whole list: the next service, then Enter.
    press(&mut h, Key::ArrowDown);
    press(&mut h, Key::Enter);
    h.run_steps(2);
    let chosen = &h.state().document().plan().migrations[number].database;
    assert_eq!(index(chosen), index(&migration.database).map(|i| i + 1));
}

#[test]
fn adding_a_dependency_among_every_service_lays_out_only_the_options_in_view() {
    let (_dir, mut h) = synthetic(1_000);
    let plan = plan(&h);
    // A service nothing depends on: any dependency added to it is accepted (no cycle).
    let top = plan
        .services
        .iter()
        .find(|s| !plan.dependencies.iter().any(|d| d.on == s.id))
        .expect("a service nothing depends on");
    h.event(Event::Key {
        key: Key::F,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: Modifiers::COMMAND,
    });
    h.run_steps(2);
    h.event(Event::Text(top.id.to_string()));
    h.run_steps(2);
    press(&mut h, Key::Enter);
    h.run_steps(2);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Service(top.id.clone()))
    );
    h.get_by_role_and_label(Role::ComboBox, "Depends on")
        .click();
    h.run_steps(4);
    let options = service_options(&h, &plan);
    assert!(
        (1..=IN_VIEW).contains(&options),
        "{options} of 1,000 laid out"
    );
    let before = plan.dependencies.len();
    press(&mut h, Key::ArrowDown);
    press(&mut h, Key::Enter);
    h.run_steps(2);
    let after = h.state().document().plan();
    assert_eq!(after.dependencies.len(), before + 1);
    assert!(
        after
            .dependencies
            .iter()
            .any(|d| d.service == top.id && !plan.dependencies.contains(d))
    );
}

#[test]
fn typing_into_a_large_plan_shows_its_problem_on_the_canvas_once_the_typing_pauses() {
    use cutover::app::document::{SLOW_TO_ANALYSE, TYPING_PAUSE};
    let (_dir, mut h) = synthetic(SLOW_TO_ANALYSE);
    let first = plan(&h).services[0].clone();
    h.get_all_by_label(&first.name)
        .next()
        .expect("the service's row in the outline")
        .click();
    h.run_steps(2);
    let problem = |h: &Harness<'_, CutoverApp>| {
        h.state()
            .canvas()
            .node_data(&first.id)
            .expect("drawn")
            .problem
    };
    assert_eq!(problem(&h), None);
    h.get_by_role_and_label(Role::TextInput, "Name").focus();
    h.run_steps(1);
    // A logging command in the name: a problem, found once the typing pauses.
    h.event(Event::Text("##vso[".to_owned()));
    h.run_steps(2);
    assert!(
        h.state().document().plan().services[0]
            .name
            .ends_with("##vso[")
    );
    assert!(
        h.state().document().analysis_pending(),
        "analysed on a keystroke"
    );
    std::thread::sleep(TYPING_PAUSE + TYPING_PAUSE / 5);
    h.run_steps(2);
    assert!(!h.state().document().analysis_pending());
    assert!(
        problem(&h).is_some(),
        "the canvas shows what the analysis found"
    );
}
