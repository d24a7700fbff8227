//! The desktop app driven through its UI, headless, with egui_kittest: buttons and fields are found
//! by their accessible labels; the canvas (one painted widget, invisible to AccessKit) is driven with
//! pointer events at the positions of its nodes.

use std::path::Path;

use cutover::analysis::Code;
use cutover::app::{CutoverApp, Startup};
use cutover::plan::{Dependency, Id, ObjectRef, Plan, Position, templates};
use cutover::storage;
use egui::accesskit::Role;
use egui::{Event, Modifiers, PointerButton, Pos2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

pub(super) fn harness(startup: Startup) -> Harness<'static, CutoverApp> {
    harness_stepping(startup, 0.25)
}

/// A harness whose frames are `step` seconds apart (a double click needs two clicks within 0.3 s).
pub(super) fn harness_stepping(startup: Startup, step: f32) -> Harness<'static, CutoverApp> {
    harness_sized(startup, egui::vec2(1440.0, 900.0), step)
}

/// A harness in a window of `size`, its frames `step` seconds apart.
pub(super) fn harness_sized(
    startup: Startup,
    size: egui::Vec2,
    step: f32,
) -> Harness<'static, CutoverApp> {
    let mut harness = Harness::builder()
        .with_size(size)
        .with_step_dt(step)
        .build_ui_state(
            |ui, app: &mut CutoverApp| app.ui(ui),
            CutoverApp::new(startup),
        );
    // The window's style as the app sets it when it opens one.
    cutover::app::style::panels_without_fill(&harness.ctx);
    // Never run(): the canvas asks for a repaint every frame.
    harness.run_steps(3);
    harness
}

pub(super) fn starter() -> Harness<'static, CutoverApp> {
    harness(Startup::default())
}

pub(super) fn has_dependency(plan: &Plan, service: &str, on: &str) -> bool {
    plan.dependencies.contains(&Dependency {
        service: Id::new(service),
        on: Id::new(on),
    })
}

/// The screen position of a service's box on the canvas.
pub(super) fn node_pos(harness: &Harness<'_, CutoverApp>, id: &str) -> Pos2 {
    harness
        .state()
        .canvas()
        .screen_pos_of(&harness.ctx, &Id::new(id))
        .unwrap_or_else(|| panic!("service `{id}` is on the canvas"))
}

pub(super) fn click_at(harness: &mut Harness<'_, CutoverApp>, pos: Pos2) {
    harness.event(Event::PointerMoved(pos));
    harness.run_steps(1);
    for pressed in [true, false] {
        harness.event(Event::PointerButton {
            pos,
            button: PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    harness.run_steps(2);
}

pub(super) fn drag(
    harness: &mut Harness<'_, CutoverApp>,
    from: Pos2,
    to: Pos2,
    modifiers: Modifiers,
) {
    harness.event(Event::ModifiersChanged(modifiers));
    harness.event(Event::PointerMoved(from));
    harness.run_steps(1);
    harness.event(Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers,
    });
    harness.run_steps(1);
    for step in 1..=6 {
        let t = step as f32 / 6.0;
        harness.event(Event::PointerMoved(from + (to - from) * t));
        harness.run_steps(1);
    }
    harness.event(Event::PointerButton {
        pos: to,
        button: PointerButton::Primary,
        pressed: false,
        modifiers,
    });
    harness.run_steps(1);
    harness.event(Event::ModifiersChanged(Modifiers::NONE));
    harness.run_steps(2);
}

/// One turn of the mouse wheel by `delta` points (positive: up), wherever the pointer is.
pub(super) fn wheel(harness: &mut Harness<'_, CutoverApp>, delta: f32) {
    harness.event(Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, delta),
        phase: egui::TouchPhase::Move,
        modifiers: Modifiers::NONE,
    });
}

pub(super) fn ctrl(harness: &mut Harness<'_, CutoverApp>, key: egui::Key) {
    harness.key_press_modifiers(Modifiers::COMMAND, key);
    harness.run_steps(2);
}

pub(super) fn click_button(harness: &mut Harness<'_, CutoverApp>, label: &str) {
    harness.get_by_role_and_label(Role::Button, label).click();
    harness.run_steps(2);
}

pub(super) fn problem_shown(harness: &Harness<'_, CutoverApp>, code: Code) -> bool {
    harness.query_by_label(code.as_str()).is_some()
}

#[test]
fn add_connect_watch_a_problem_come_and_go_undo_and_redo() {
    let mut h = starter();
    assert_eq!(h.state().document().plan().services.len(), 3);

    // Add a service from the toolbar; it is selected and in the inspector.
    click_button(&mut h, "Add service");
    let plan = h.state().document().plan();
    assert_eq!(plan.services.len(), 4);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Service(Id::new("service-4")))
    );
    assert!(!problem_shown(&h, Code::MissingHealthCheck));

    // Turn its health check off in the inspector: the problem appears; back on: it goes.
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    assert!(
        h.state().document().plan().services[3]
            .health_check
            .is_none()
    );
    assert!(problem_shown(&h, Code::MissingHealthCheck));
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    assert!(!problem_shown(&h, Code::MissingHealthCheck));

    // Connect with the Connect command: the selected service depends on the next one clicked.
    click_button(&mut h, "Connect");
    let db = node_pos(&h, "db");
    click_at(&mut h, db);
    assert!(has_dependency(
        h.state().document().plan(),
        "service-4",
        "db"
    ));

    // Connect with the gesture: Shift-drag from web to the new service.
    let (web, new) = (node_pos(&h, "web"), node_pos(&h, "service-4"));
    drag(&mut h, web, new, Modifiers::SHIFT);
    assert!(has_dependency(
        h.state().document().plan(),
        "web",
        "service-4"
    ));

    // Undo both connections, then redo one.
    ctrl(&mut h, egui::Key::Z);
    assert!(!has_dependency(
        h.state().document().plan(),
        "web",
        "service-4"
    ));
    ctrl(&mut h, egui::Key::Z);
    assert!(!has_dependency(
        h.state().document().plan(),
        "service-4",
        "db"
    ));
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::Z);
    h.run_steps(2);
    assert!(has_dependency(
        h.state().document().plan(),
        "service-4",
        "db"
    ));
    ctrl(&mut h, egui::Key::Y);
    assert!(has_dependency(
        h.state().document().plan(),
        "web",
        "service-4"
    ));
}

#[test]
fn a_dependency_that_would_close_a_cycle_is_refused_and_the_reason_shown() {
    let mut h = starter();
    // web → api → db; make db depend on web.
    h.get_by_label("Database").click();
    h.run_steps(2);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Service(Id::new("db")))
    );
    click_button(&mut h, "Connect");
    let web = node_pos(&h, "web");
    click_at(&mut h, web);
    let plan = h.state().document().plan();
    assert!(!has_dependency(plan, "db", "web"));
    assert_eq!(plan.dependencies.len(), 2);
    let status = h.state().status().expect("a status message").clone();
    assert!(status.is_error);
    assert!(
        status.text.contains("would close a cycle"),
        "{}",
        status.text
    );
    assert!(status.text.contains("web → api → db"), "{}", status.text);
    assert!(
        h.query_all_by_label_contains("would close a cycle")
            .next()
            .is_some()
    );
    // The gesture is refused the same way.
    let (db, web) = (node_pos(&h, "db"), node_pos(&h, "web"));
    drag(&mut h, db, web, Modifiers::SHIFT);
    assert_eq!(h.state().document().plan().dependencies.len(), 2);
    // And so is the inspector's "Depends on" choice; an acyclic one from there is accepted.
    h.get_by_role_and_label(Role::ComboBox, "Depends on")
        .click();
    h.run_steps(4);
    h.get_by_label("Web (web)").click();
    h.run_steps(3);
    assert_eq!(h.state().document().plan().dependencies.len(), 2);
    h.get_by_label("Web").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Depends on")
        .click();
    h.run_steps(4);
    h.get_by_label("Database (db)").click();
    h.run_steps(3);
    assert!(has_dependency(h.state().document().plan(), "web", "db"));
}

#[test]
fn a_runbook_field_is_edited_in_the_inspector_and_undone_in_one_step() {
    let mut h = starter();
    h.get_by_label("API hotfix").click();
    h.run_steps(2);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Runbook(Id::new("api-hotfix")))
    );
    let field = h.get_by_role_and_label(Role::TextInput, "Incident bridge");
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Incident bridge")
        .type_text("#claims-war-room");
    h.run_steps(2);
    assert_eq!(
        h.state().document().plan().runbooks[0].incident_bridge,
        "#claims-war-room"
    );
    // Leave the field, then undo: the whole word goes in one step.
    h.get_by_label("Plan settings").click();
    h.run_steps(2);
    ctrl(&mut h, egui::Key::Z);
    assert_eq!(
        h.state().document().plan().runbooks[0].incident_bridge,
        "#incident-bridge"
    );
}

#[test]
fn clicking_a_problem_selects_its_object() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    h.get_by_label("Plan settings").click();
    h.run_steps(2);
    assert_eq!(h.state().selection(), &Some(ObjectRef::Plan));
    h.get_by_label_contains("deploys to production with no health check")
        .click();
    h.run_steps(2);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Service(Id::new("api")))
    );
}

pub(super) fn type_path(h: &mut Harness<'_, CutoverApp>, path: &Path, button: &str) {
    let field = h.get_by_role_and_label(Role::TextInput, "File path");
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "File path")
        .type_text(&path.display().to_string());
    h.run_steps(1);
    click_button(h, button);
}

/// Opens a menu and clicks an item; waits for what it opens (menus and modal windows fade in and
/// take clicks only once they are in).
pub(super) fn menu(h: &mut Harness<'_, CutoverApp>, menu: &str, item: &str) {
    click_button(h, menu);
    h.run_steps(4);
    click_button(h, item);
    h.run_steps(4);
}

#[test]
fn save_then_reopen_through_typed_paths_with_title_and_unsaved_prompt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shop.ron");
    let mut h = starter();
    click_button(&mut h, "Add service");
    assert!(h.state().document().is_dirty());
    assert!(h.state().title().starts_with('●'), "{}", h.state().title());

    menu(&mut h, "File", "Save as path…");
    type_path(&mut h, &path, "Save");
    assert!(!h.state().document().is_dirty());
    assert_eq!(h.state().title(), "shop.ron — Cutover");
    let saved = storage::load_plan(&path).expect("the saved plan loads");
    assert_eq!(&saved, h.state().document().plan());
    assert_eq!(h.state().settings().recent.first(), Some(&path));

    // Change it, then open over the change: the app asks; Discard, then type the path.
    h.press_delete_on_selection();
    assert_eq!(h.state().document().plan().services.len(), 3);
    menu(&mut h, "File", "Open path…");
    assert!(h.query_by_label("Save changes?").is_some());
    click_button(&mut h, "Discard");
    h.run_steps(4);
    type_path(&mut h, &path, "Open");
    assert_eq!(h.state().document().plan(), &saved);
    assert!(!h.state().document().is_dirty());
    assert_eq!(h.state().document().path(), Some(path.as_path()));
}

pub(super) trait DeleteKey {
    fn press_delete_on_selection(&mut self);
}

impl DeleteKey for Harness<'_, CutoverApp> {
    fn press_delete_on_selection(&mut self) {
        self.key_press(egui::Key::Delete);
        self.run_steps(2);
    }
}

#[test]
fn quitting_with_unsaved_changes_asks_first() {
    let mut h = starter();
    click_button(&mut h, "Add service");
    menu(&mut h, "File", "Quit");
    assert!(h.query_by_label("Save changes?").is_some());
    click_button(&mut h, "Cancel");
    assert!(h.query_by_label("Save changes?").is_none());
    assert_eq!(h.state().document().plan().services.len(), 4);
}

#[test]
fn dragging_a_service_moves_it_in_one_undo_step() {
    let mut h = starter();
    let before = h.state().document().plan().services[1].position;
    let from = node_pos(&h, "api");
    // A click off the centre selects without moving.
    click_at(&mut h, from + egui::vec2(40.0, 12.0));
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Service(Id::new("api")))
    );
    assert_eq!(h.state().document().plan().services[1].position, before);
    assert_eq!(h.state().document().undo_label(), None);
    drag(
        &mut h,
        from,
        from + egui::vec2(120.0, 40.0),
        Modifiers::NONE,
    );
    let after = h.state().document().plan().services[1].position;
    assert_ne!(after, before);
    assert!(after.x > before.x);
    assert_eq!(h.state().document().undo_label(), Some("Move service"));
    ctrl(&mut h, egui::Key::Z);
    assert_eq!(h.state().document().plan().services[1].position, before);
}

#[test]
fn double_click_on_empty_canvas_adds_a_service_there_and_a_adds_one_too() {
    let mut h = harness_stepping(Startup::default(), 1.0 / 60.0);
    let db = node_pos(&h, "db");
    let empty = db + egui::vec2(300.0, 0.0);
    h.event(Event::PointerMoved(empty));
    h.run_steps(1);
    for _ in 0..2 {
        for pressed in [true, false] {
            h.event(Event::PointerButton {
                pos: empty,
                button: PointerButton::Primary,
                pressed,
                modifiers: Modifiers::NONE,
            });
        }
        h.run_steps(1);
    }
    h.run_steps(2);
    assert_eq!(h.state().document().plan().services.len(), 4);
    let added = h.state().document().plan().services[3].position;
    let db_position = h.state().document().plan().services[0].position;
    assert!(added.x > db_position.x + 100.0, "{added:?}");
    // The A shortcut adds another.
    h.get_by_label("Plan settings").click();
    h.run_steps(1);
    h.key_press(egui::Key::A);
    h.run_steps(2);
    assert_eq!(h.state().document().plan().services.len(), 5);
}

pub(super) fn meridian() -> Harness<'static, CutoverApp> {
    harness(Startup {
        plan: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/meridian-claims.ron")),
        ..Startup::default()
    })
}

fn positions(h: &Harness<'_, CutoverApp>) -> Vec<Position> {
    h.state()
        .document()
        .plan()
        .services
        .iter()
        .map(|s| s.position)
        .collect()
}

#[test]
fn fresh_layout_is_one_undoable_step() {
    let mut h = meridian();
    let before = positions(&h);
    // Every service of the plan as opened has its place: auto-layout leaves them all there.
    click_button(&mut h, "Auto-layout");
    assert_eq!(positions(&h), before);
    assert_eq!(h.state().document().undo_label(), None);
    menu(&mut h, "View", "Fresh layout");
    let after = positions(&h);
    assert_ne!(after, before);
    // sql-database below the two APIs (side by side), below the portal.
    assert!(after[0].y > after[1].y);
    assert_eq!(after[1].y, after[2].y);
    assert_ne!(after[1].x, after[2].x);
    assert!(after[1].y > after[3].y);
    assert_eq!(h.state().document().undo_label(), Some("Fresh layout"));
    h.key_press(egui::Key::L);
    h.run_steps(2);
    assert_eq!(positions(&h), after, "a second auto-layout changes nothing");
    ctrl(&mut h, egui::Key::Z);
    assert_eq!(positions(&h), before);
}

#[test]
fn rename_and_delete_a_service() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    h.key_press(egui::Key::F2);
    h.run_steps(6);
    let field = h.get_by_role_and_label(Role::TextInput, "New name");
    field.focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "New name")
        .type_text("Orders API");
    h.run_steps(1);
    click_button(&mut h, "Rename");
    assert_eq!(h.state().document().plan().services[1].name, "Orders API");
    h.press_delete_on_selection();
    let plan = h.state().document().plan();
    assert!(plan.service(&Id::new("api")).is_none());
    assert!(
        plan.dependencies.is_empty(),
        "its dependencies went with it"
    );
    assert!(plan.runbooks[0].services.is_empty());
}

#[test]
fn unsaved_work_is_autosaved_and_offered_back_after_a_crash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recovery = dir.path().join("state").join("recovery.ron");
    let startup = Startup {
        recovery_path: Some(recovery.clone()),
        ..Startup::default()
    };
    let mut h = harness(startup.clone());
    click_button(&mut h, "Add service");
    h.state_mut().autosave_now();
    h.run_steps(2);
    let found = storage::find_recoveries(&recovery).found;
    let (_, autosaved) = found
        .first()
        .expect("an autosave exists while there are unsaved changes");
    assert_eq!(autosaved.plan.services.len(), 4);
    // "Crash": drop the app without saving, and start again, even on a plan named on the command
    // line: the autosave is offered, not cleared by opening the plan.
    drop(h);
    let meridian = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/meridian-claims.ron");
    let mut h = harness(Startup {
        plan: Some(meridian),
        ..startup.clone()
    });
    h.run_steps(4);
    assert!(h.query_by_label("Restore unsaved work?").is_some());
    click_button(&mut h, "Restore");
    assert_eq!(h.state().document().plan().services.len(), 4);
    assert!(h.state().document().is_dirty());
    // A clean save removes the autosave.
    let path = dir.path().join("kept.ron");
    menu(&mut h, "File", "Save as path…");
    type_path(&mut h, &path, "Save");
    assert!(storage::find_recoveries(&recovery).found.is_empty());
    // And with nothing autosaved, nothing is offered.
    drop(h);
    let h = harness(startup);
    assert!(h.query_by_label("Restore unsaved work?").is_none());
}

#[test]
fn new_from_a_template_and_add_every_kind_of_object_from_the_outline() {
    let mut h = starter();
    ctrl(&mut h, egui::Key::N);
    assert_eq!(h.state().document().plan().name, "untitled");
    // The outline's add buttons are the "+" buttons, in section order: services, migrations,
    // runbooks, environments, regions.
    let counts = |plan: &Plan| {
        [
            plan.services.len(),
            plan.migrations.len(),
            plan.runbooks.len(),
            plan.environments.len(),
            plan.regions.len(),
        ]
    };
    let before = counts(h.state().document().plan());
    for index in 0..5 {
        let buttons: Vec<_> = h.get_all_by_role_and_label(Role::Button, "+").collect();
        assert_eq!(buttons.len(), 5);
        buttons[index].click();
        h.run_steps(2);
    }
    let after = counts(h.state().document().plan());
    for (b, a) in before.iter().zip(after) {
        assert_eq!(a, b + 1);
    }
    assert!(
        !cutover::analysis::analyse(h.state().document().plan())
            .diagnostics
            .iter()
            .any(|d| d.code == Code::MissingReference),
    );
}

#[test]
fn a_plan_without_positions_is_laid_out_on_open_and_a_big_plan_is_built_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.ron");
    let plan = big_plan(1_000);
    storage::save_plan(&path, &plan).expect("saved");
    let mut h = harness(Startup {
        plan: Some(path.clone()),
        ..Startup::default()
    });
    let opened = h.state().document().plan();
    assert_eq!(opened.services.len(), 1_000);
    assert!(!cutover::layout::needs_layout(opened), "laid out on open");
    assert_eq!(
        h.state().document().undo_label(),
        Some("Auto-layout of a plan without positions")
    );
    assert_eq!(
        h.state().canvas().graph_size(),
        (1_000, plan.dependencies.len())
    );
    // The view graph is built from the plan once, not every frame…
    let built = h.state().canvas().built_revision();
    h.run_steps(5);
    assert_eq!(h.state().canvas().built_revision(), built);
    // …and again after a change.
    click_button(&mut h, "Add service");
    assert_ne!(h.state().canvas().built_revision(), built);
    assert_eq!(h.state().canvas().graph_size().0, 1_001);
}

/// A plan of `count` services, all at the origin, as a generator would write it: copies of the
/// Meridian services, each tier depending on the one below within its group of four.
fn big_plan(count: usize) -> Plan {
    let mut plan = match templates::by_name("meridian", "big") {
        Some(Ok(plan)) => plan,
        other => panic!("{other:?}"),
    };
    let originals = plan.services.clone();
    plan.services.clear();
    plan.dependencies.clear();
    plan.migrations.clear();
    plan.runbooks.clear();
    for i in 0..count {
        let mut service = originals[i % originals.len()].clone();
        service.id = Id::new(format!("{}-{}", service.id, i / originals.len()));
        service.position = Position::default();
        plan.services.push(service);
    }
    for group in 0..count / 4 {
        let id = |k: usize| plan.services[group * 4 + k].id.clone();
        let edges = [(1, 0), (2, 0), (3, 1), (3, 2)];
        let new: Vec<Dependency> = edges
            .iter()
            .map(|&(a, b)| Dependency {
                service: id(a),
                on: id(b),
            })
            .collect();
        plan.dependencies.extend(new);
    }
    plan
}

#[test]
fn the_command_line_opens_the_app_without_a_subcommand_and_keeps_the_headless_ones() {
    use clap::Parser as _;
    use cutover::cli::{Cli, Command};
    let app = Cli::try_parse_from(["cutover"]).expect("parses");
    assert!(app.command.is_none() && app.plan.is_none());
    let app = Cli::try_parse_from(["cutover", "plan.ron"]).expect("parses");
    assert_eq!(app.plan.as_deref(), Some(Path::new("plan.ron")));
    let check = Cli::try_parse_from(["cutover", "check", "plan.ron"]).expect("parses");
    assert!(matches!(check.command, Some(Command::Check { .. })));
    assert!(Cli::try_parse_from(["cutover", "order", "a.ron", "b.ron"]).is_err());
}

#[test]
fn zoom_with_the_toolbar_and_the_wheel_and_fit_back() {
    let mut h = meridian();
    click_button(&mut h, "Fit");
    let fitted = h.state().canvas().zoom(&h.ctx);
    click_button(&mut h, "Zoom in");
    let zoomed = h.state().canvas().zoom(&h.ctx);
    assert!((zoomed / fitted - 1.25).abs() < 0.01, "{fitted} → {zoomed}");
    let portal = node_pos(&h, "claims-portal");
    h.event(Event::PointerMoved(portal));
    wheel(&mut h, -200.0);
    h.run_steps(6);
    assert!(
        h.state().canvas().zoom(&h.ctx) < zoomed,
        "the wheel zooms out"
    );
    let after = node_pos(&h, "claims-portal");
    assert!(
        portal.distance(after) < 2.0,
        "the point under the pointer stays put"
    );
    h.key_press(egui::Key::F);
    h.run_steps(2);
    assert!((h.state().canvas().zoom(&h.ctx) - fitted).abs() < 0.01);
}

#[test]
fn opening_another_plan_shows_it_on_the_canvas_and_an_edge_click_selects_the_dependency() {
    let mut h = starter();
    assert_eq!(h.state().canvas().graph_size(), (3, 2));
    menu(&mut h, "File", "Open path…");
    let meridian = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/meridian-claims.ron");
    type_path(&mut h, &meridian, "Open");
    assert_eq!(h.state().document().plan().name, "meridian-claims");
    assert_eq!(h.state().canvas().graph_size(), (4, 4));
    // Click the middle of the arrow from the portal to the API: the dependency is selected, and Del
    // removes it.
    let (portal, api) = (node_pos(&h, "claims-portal"), node_pos(&h, "claims-api"));
    click_at(&mut h, portal + (api - portal) * 0.5);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Dependency {
            service: Id::new("claims-portal"),
            on: Id::new("claims-api"),
        })
    );
    h.press_delete_on_selection();
    assert!(!has_dependency(
        h.state().document().plan(),
        "claims-portal",
        "claims-api"
    ));
}

#[test]
fn a_migration_is_added_and_its_problems_fixed_with_the_inspector_choices() {
    let mut h = starter();
    menu(&mut h, "Insert", "Migration");
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Migration(Id::new("migration-1")))
    );
    // It starts with the database's dependents as consumers; without them, its contract could drop
    // schema `api` still uses: the panel says so.
    assert_eq!(
        h.state().document().plan().migrations[0].consumers,
        vec![Id::new("api")]
    );
    assert!(!problem_shown(&h, Code::ContractBeforeConsumers));
    h.get_all_by_role_and_label(Role::Button, cutover::app::style::REMOVE_ICON)
        .last()
        .expect("the consumer's remove button")
        .click();
    h.run_steps(3);
    assert!(problem_shown(&h, Code::ContractBeforeConsumers));
    assert!(problem_shown(&h, Code::MigrationWithoutConsumers));
    h.get_by_role_and_label(Role::ComboBox, "Consumers").click();
    h.run_steps(4);
    h.get_by_label("API (api)").click();
    h.run_steps(3);
    assert_eq!(
        h.state().document().plan().migrations[0].consumers,
        vec![Id::new("api")]
    );
    assert!(!problem_shown(&h, Code::ContractBeforeConsumers));
    assert!(!problem_shown(&h, Code::MigrationWithoutConsumers));
    // Point it at the API instead of the database through the reference choice: refused by the rules.
    h.get_by_role_and_label(Role::ComboBox, "Database").click();
    h.run_steps(4);
    h.get_all_by_label("API (api)")
        .last()
        .expect("the api option")
        .click();
    h.run_steps(3);
    assert_eq!(
        h.state().document().plan().migrations[0].database,
        Id::new("api")
    );
    assert!(problem_shown(&h, Code::MigrationNotOnDatabase));
    ctrl(&mut h, egui::Key::Z);
    assert_eq!(
        h.state().document().plan().migrations[0].database,
        Id::new("db")
    );
    assert!(!problem_shown(&h, Code::MigrationNotOnDatabase));
}

#[test]
fn nodes_show_their_wave_and_a_problem_marker() {
    use cutover::analysis::Severity;
    let mut h = meridian();
    let node = |h: &Harness<'_, CutoverApp>, id: &str| {
        h.state()
            .canvas()
            .node_data(&Id::new(id))
            .cloned()
            .expect("node")
    };
    // Wave 1 is the expand migration; the database deploys in wave 2, the APIs in 3, the portal in 4.
    assert_eq!(node(&h, "sql-database").wave, Some(1));
    assert_eq!(node(&h, "claims-api").wave, Some(2));
    assert_eq!(node(&h, "claims-portal").wave, Some(3));
    assert_eq!(node(&h, "claims-api").problem, None);
    h.get_by_label("Claims API").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    assert_eq!(node(&h, "claims-api").problem, Some(Severity::Error));
    assert_eq!(node(&h, "notification-service").problem, None);
}

#[test]
fn the_canvas_context_menu_deletes_a_service_and_adds_one_at_the_spot() {
    let mut h = starter();
    let web = node_pos(&h, "web");
    let right_click = |h: &mut Harness<'_, CutoverApp>, pos: Pos2| {
        h.event(Event::PointerMoved(pos));
        h.run_steps(1);
        for pressed in [true, false] {
            h.event(Event::PointerButton {
                pos,
                button: PointerButton::Secondary,
                pressed,
                modifiers: Modifiers::NONE,
            });
        }
        h.run_steps(4);
    };
    right_click(&mut h, web);
    assert!(h.query_by_label("Service `web`").is_some());
    click_button(&mut h, "Delete service");
    assert!(
        h.state()
            .document()
            .plan()
            .service(&Id::new("web"))
            .is_none()
    );
    let empty = web + egui::vec2(350.0, 0.0);
    right_click(&mut h, empty);
    click_button(&mut h, "Add service here");
    let plan = h.state().document().plan();
    assert_eq!(plan.services.len(), 3);
    assert!(
        plan.services[2].position.x > 100.0,
        "{:?}",
        plan.services[2].position
    );
}

#[test]
fn save_from_the_unsaved_changes_question_writes_the_file_before_quitting() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("meridian.ron");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/meridian-claims.ron"),
        &path,
    )
    .expect("copied");
    let mut h = harness(Startup {
        plan: Some(path.clone()),
        ..Startup::default()
    });
    click_button(&mut h, "Add service");
    menu(&mut h, "File", "Quit");
    click_button(&mut h, "Save");
    assert!(!h.state().document().is_dirty());
    assert_eq!(storage::load_plan(&path).expect("saved").services.len(), 5);
}

/// How many widgets carry exactly this label.
pub(super) fn count(h: &Harness<'_, CutoverApp>, label: &str) -> usize {
    h.query_all_by_label(label).count()
}

#[test]
fn help_lists_every_keyboard_shortcut_from_the_command_table() {
    use cutover::app::commands::with_shortcuts;
    let mut h = starter();
    let rows: Vec<(String, String)> = with_shortcuts()
        .into_iter()
        .map(|(command, shortcut)| {
            let keys: Vec<String> = shortcut
                .all_keys()
                .map(|keys| h.ctx.format_shortcut(&keys))
                .collect();
            (
                keys.join(" or "),
                cutover::app::style::drawable(&h.ctx, &command.menu_path()),
            )
        })
        .collect();
    assert!(
        rows.iter()
            .any(|(keys, _)| keys == "Ctrl+Shift+Z or Ctrl+Y")
    );
    let before: Vec<(usize, usize)> = rows
        .iter()
        .map(|(keys, path)| (count(&h, keys), count(&h, path)))
        .collect();
    menu(&mut h, "Help", "Keyboard shortcuts");
    for ((keys, path), (keys_before, path_before)) in rows.iter().zip(&before) {
        assert_eq!(count(&h, keys), keys_before + 1, "{keys}");
        assert_eq!(count(&h, path), path_before + 1, "{path}");
    }
    // Escape closes the list.
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    let (keys, _) = &rows[0];
    assert_eq!(count(&h, keys), before[0].0);
}

#[test]
fn every_menu_holds_its_commands_and_view_settings_change_through_them() {
    use cutover::app::commands::{Command, ItemKind, Menu};
    let mut h = starter();
    for menu in Menu::ALL {
        // A plain item's accessible label ends with its shortcut ("Save Ctrl+S").
        let labels: Vec<String> = Command::ALL
            .iter()
            .filter(|c| c.menu().menu == menu)
            .map(|c| match (c.kind(), c.shortcut()) {
                (ItemKind::Action, Some(shortcut)) => {
                    format!("{} {}", c.label(), h.ctx.format_shortcut(&shortcut.keys))
                }
                _ => c.label().to_owned(),
            })
            .collect();
        let before: Vec<usize> = labels.iter().map(|l| count(&h, l)).collect();
        click_button(&mut h, menu.title());
        h.run_steps(4);
        for (label, before) in labels.iter().zip(before) {
            assert_eq!(count(&h, label), before + 1, "{label} in {}", menu.title());
        }
        click_button(&mut h, menu.title());
        h.run_steps(4);
    }
    // Panels and the theme are settings the View menu changes through commands.
    let view_item = |h: &mut Harness<'_, CutoverApp>, role: Role, label: &str| {
        click_button(h, "View");
        h.run_steps(4);
        h.get_by_role_and_label(role, label).click();
        h.run_steps(4);
        h.key_press(egui::Key::Escape);
        h.run_steps(4);
    };
    assert!(h.state().settings().show_problems);
    view_item(&mut h, Role::CheckBox, "Problems");
    assert!(!h.state().settings().show_problems);
    view_item(&mut h, Role::RadioButton, "Dark theme");
    assert_eq!(
        h.ctx.options(|o| o.theme_preference),
        egui::ThemePreference::Dark
    );
}

#[test]
fn single_keys_and_undo_go_to_a_focused_text_field_and_ctrl_shortcuts_still_work() {
    let mut h = starter();
    click_button(&mut h, "Add service");
    h.get_by_label("API hotfix").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::TextInput, "Incident bridge")
        .focus();
    h.run_steps(1);
    let before = h.state().document().plan().clone();
    for key in [
        egui::Key::A,
        egui::Key::C,
        egui::Key::F,
        egui::Key::L,
        egui::Key::F2,
        egui::Key::Delete,
    ] {
        h.key_press(key);
        h.run_steps(2);
    }
    let plan = h.state().document().plan();
    assert_eq!(plan.services, before.services, "no service added or moved");
    assert_eq!(plan.runbooks.len(), 1, "the runbook is not deleted");
    assert!(h.query_by_label("New name").is_none(), "no rename window");
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Runbook(Id::new("api-hotfix")))
    );
    // Ctrl+Z and Ctrl+Y are the field's: the added service stays. Ctrl+Shift+Y works meanwhile.
    ctrl(&mut h, egui::Key::Z);
    ctrl(&mut h, egui::Key::Y);
    assert_eq!(h.state().document().plan().services.len(), 4);
    assert!(!h.state().settings().show_preview);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::Y);
    h.run_steps(2);
    assert!(h.state().settings().show_preview);
}

#[test]
fn the_readme_shortcut_table_is_the_one_the_commands_make() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md reads");
    let expected = cutover::app::commands::shortcut_table();
    let header = expected.lines().next().expect("a header");
    let table: String = readme
        .lines()
        .skip_while(|line| *line != header)
        .take_while(|line| line.starts_with('|'))
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(
        table == expected,
        "README.md's shortcut table is stale; it should be:\n\n{expected}"
    );
}

#[test]
fn the_inspector_lists_the_objects_problems_and_a_click_brings_it_into_view() {
    let mut h = meridian();
    h.get_by_label("Claims API").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    let message = cutover::analysis::analyse(h.state().document().plan())
        .diagnostics
        .into_iter()
        .find(|d| d.code == Code::MissingHealthCheck && d.subject.key() == "claims-api")
        .expect("the missing health check is reported")
        .message;
    // Zoom in until the service is away from the centre, then click its problem in the inspector.
    for _ in 0..3 {
        click_button(&mut h, "Zoom in");
    }
    let centre = h.state().canvas().screen_rect().center();
    assert!(node_pos(&h, "claims-api").distance(centre) > 50.0);
    h.get_by_label(&message).click();
    h.run_steps(3);
    assert_eq!(
        h.state().selection(),
        &Some(ObjectRef::Service(Id::new("claims-api")))
    );
    assert!(node_pos(&h, "claims-api").distance(centre) < 2.0);
}

#[test]
fn the_rehearse_window_runs_a_rehearsal_and_a_bar_shows_its_job_in_the_preview() {
    let mut h = meridian();
    ctrl(&mut h, egui::Key::R);
    assert!(h.state().rehearse_panel().is_open());
    {
        let (panel, document) = h.state_mut().rehearse_panel_mut();
        panel.choose(
            document,
            Some("health:claims-api@production/eastus:after=1"),
        );
    }
    click_button(&mut h, "Run rehearsal");
    assert!(h.state().rehearse_panel().is_running());
    // The rehearsal runs on a worker thread; the window keeps drawing meanwhile.
    for _ in 0..1200 {
        if !h.state().rehearse_panel().is_running() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.run_steps(1);
    }
    h.run_steps(2);
    let rehearsal = match h.state().rehearse_panel().answer() {
        Some(Ok(rehearsal)) => rehearsal.clone(),
        other => panic!("no rehearsal: {:?}", other.map(|a| a.as_ref().err())),
    };
    let release = &rehearsal.results[0];
    assert_eq!(release.pipeline, "release");
    assert_eq!(
        release.scenario.name(),
        "health:claims-api@production/eastus:after=1"
    );
    // The verdicts and the estate of the first run are on screen.
    for verdict in &release.verdicts {
        assert!(
            h.query_by_label(verdict.name).is_some(),
            "the {} verdict is shown",
            verdict.name
        );
    }
    assert!(h.query_by_label("claims-api@production/eastus").is_some());
    // A bar opens its job in the preview.
    let job = release
        .rehearsed
        .timeline
        .iter()
        .find(|e| e.job && e.path.starts_with("expand_"))
        .expect("the expand job is on the timeline")
        .path
        .clone();
    h.get_by_label(&job).click();
    h.run_steps(3);
    assert!(h.state().settings().show_preview);
    assert_eq!(h.state().preview().find_text(), format!("  {job}:"));
    let shown = h
        .state()
        .preview()
        .selected_text()
        .expect("a file is shown");
    assert!(
        shown.contains(&format!("\n  {job}:\n")),
        "the release workflow is shown"
    );
}

#[test]
fn a_quality_gate_is_added_and_every_field_edited_in_the_rollout_inspector() {
    use cutover::plan::{GateCheck, GateFailure, GateScope};
    let mut h = starter();
    h.get_by_label("Rollout policy").click();
    h.run_steps(2);
    assert_eq!(h.state().selection(), &Some(ObjectRef::Rollout));
    click_button(&mut h, "+ Add quality gate");
    assert_eq!(h.state().document().plan().rollout.gates.len(), 1);

    // Type into a text field: select all, type, leave.
    let retype = |h: &mut Harness<'_, CutoverApp>, label: &str, text: &str| {
        h.get_by_role_and_label(Role::TextInput, label).focus();
        h.run_steps(1);
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
        h.run_steps(1);
        h.get_by_role_and_label(Role::TextInput, label)
            .type_text(text);
        h.run_steps(2);
    };
    retype(&mut h, "Name", "Checkout probe");
    retype(
        &mut h,
        "URL",
        "https://probes.example.com/{environment}/checkout",
    );
    retype(&mut h, "JSON path", "summary.state");
    retype(&mut h, "JSON value", "passing");
    let gate = h.state().document().plan().rollout.gates[0].clone();
    assert_eq!(gate.name, "Checkout probe");
    assert_eq!(
        gate.check,
        GateCheck::Rest {
            url: "https://probes.example.com/{environment}/checkout".to_owned(),
            expected_status: 200,
            json_path: "summary.state".to_owned(),
            json_equals: "passing".to_owned(),
        }
    );

    // Choose where it applies and what a failure does, with the dropdowns.
    let choose = |h: &mut Harness<'_, CutoverApp>, label: &str, option: &str| {
        h.get_by_label(label).click();
        h.run_steps(2);
        h.get_by_label(option).click();
        h.run_steps(2);
    };
    choose(&mut h, "Applies to", "a service");
    assert!(matches!(
        h.state().document().plan().rollout.gates[0].applies_to,
        GateScope::Service(_)
    ));
    choose(&mut h, "When it fails", "fail and stop");
    assert_eq!(
        h.state().document().plan().rollout.gates[0].on_failure,
        GateFailure::Stop
    );
    // Another kind of check starts from its own settings, which the inspector then edits.
    choose(&mut h, "Check", "SonarQube quality gate");
    retype(&mut h, "Project key", "shop_api");
    retype(&mut h, "Token secret", "SONAR_SHOP");
    assert!(matches!(
        &h.state().document().plan().rollout.gates[0].check,
        GateCheck::SonarQube { project_key, token_secret, .. }
            if project_key == "shop_api" && token_secret == "SONAR_SHOP"
    ));
    choose(&mut h, "Check", "Azure Monitor alerts");
    retype(
        &mut h,
        "Alerts scope",
        "/subscriptions/1/resourceGroups/rg-shop",
    );
    assert!(matches!(
        &h.state().document().plan().rollout.gates[0].check,
        GateCheck::AzureMonitorAlerts { scope, alert_rules }
            if scope == "/subscriptions/1/resourceGroups/rg-shop" && alert_rules.len() == 1
    ));

    // The edited gate is a plan the analysis accepts, and undo takes the gate back out step by step.
    assert!(!problem_shown(&h, Code::AlertGateIncomplete));
    h.get_by_label("Plan settings").click();
    h.run_steps(2);
    for _ in 0..20 {
        ctrl(&mut h, egui::Key::Z);
    }
    assert!(h.state().document().plan().rollout.gates.is_empty());
}

#[test]
fn a_traffic_route_is_added_and_every_field_edited_in_the_rollout_inspector() {
    use cutover::plan::{TrafficRouter, TrafficShift};
    // The starter plan with a second production region, saved where the app opens it.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("two-regions.ron");
    let mut plan = cutover::plan::templates::starter("two-regions");
    let mut west = plan.regions[0].clone();
    west.id = Id::new("westus");
    west.name = "West US".to_owned();
    west.location = "westus".to_owned();
    plan.regions.push(west);
    cutover::storage::save_plan(&path, &plan).expect("saved");
    // A tall window, so the whole rollout inspector (gates, then routes) is on screen to click.
    let mut h = Harness::builder()
        .with_size(egui::vec2(1440.0, 2400.0))
        .with_step_dt(0.25)
        .build_ui_state(
            |ui, app: &mut CutoverApp| app.ui(ui),
            CutoverApp::new(Startup {
                plan: Some(path),
                ..Startup::default()
            }),
        );
    h.run_steps(3);
    h.get_by_label("Rollout policy").click();
    h.run_steps(2);
    click_button(&mut h, "+ Add traffic route");
    let route = h.state().document().plan().rollout.traffic[0].clone();
    assert_eq!(route.environment.as_str(), "production");
    assert_eq!(route.endpoints.len(), 2, "one endpoint per region");
    assert!(!problem_shown(&h, Code::TrafficRouteUnplaced));

    let retype = |h: &mut Harness<'_, CutoverApp>, label: &str, text: &str| {
        h.get_all_by_role_and_label(Role::TextInput, label)
            .next()
            .expect("the field is shown")
            .focus();
        h.run_steps(1);
        h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
        h.run_steps(1);
        h.get_all_by_role_and_label(Role::TextInput, label)
            .next()
            .expect("the field is shown")
            .type_text(text);
        h.run_steps(2);
    };
    let choose = |h: &mut Harness<'_, CutoverApp>, label: &str, option: &str| {
        h.get_by_label(label).click();
        h.run_steps(2);
        h.get_by_label(option).click();
        h.run_steps(2);
    };
    retype(&mut h, "Profile", "tm-shop");
    retype(&mut h, "Endpoint name", "shop-eastus");
    let route = h.state().document().plan().rollout.traffic[0].clone();
    assert!(
        matches!(&route.router, TrafficRouter::TrafficManager { profile, .. } if profile == "tm-shop")
    );
    assert_eq!(route.endpoints[0].endpoint, "shop-eastus");

    // Front Door, in weighted steps: the router and the shift start from their own settings.
    choose(&mut h, "Router", "Azure Front Door");
    retype(&mut h, "Origin group", "storefront");
    choose(&mut h, "Users move", "in weighted steps");
    click_button(&mut h, "+ Add step");
    let route = h.state().document().plan().rollout.traffic[0].clone();
    assert!(
        matches!(&route.router, TrafficRouter::FrontDoor { origin_group, .. } if origin_group == "storefront")
    );
    assert_eq!(
        route.shift,
        TrafficShift::Weighted {
            steps: vec![10, 50, 60],
            soak_minutes: 10
        }
    );
    assert!(!problem_shown(&h, Code::TrafficStepsInvalid));

    // Naming the second region's origin like the first's is refused, and undo takes it all back.
    let second = |h: &Harness<'_, CutoverApp>| {
        h.get_all_by_role_and_label(Role::TextInput, "Endpoint name")
            .nth(1)
            .expect("a name field per endpoint")
            .focus();
    };
    second(&h);
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
    h.get_all_by_role_and_label(Role::TextInput, "Endpoint name")
        .nth(1)
        .expect("a name field per endpoint")
        .type_text("SHOP-EASTUS");
    h.run_steps(2);
    assert_eq!(
        h.state().document().plan().rollout.traffic[0].endpoints[1].endpoint,
        "SHOP-EASTUS"
    );
    assert!(problem_shown(&h, Code::TrafficEndpointsMismatch));
    h.get_by_label("Plan settings").click();
    h.run_steps(2);
    for _ in 0..30 {
        ctrl(&mut h, egui::Key::Z);
    }
    assert!(h.state().document().plan().rollout.traffic.is_empty());
}
