//! The canvas at scale (issue 12): the app goes idle, find, focus and filters, box-select, the
//! minimap and the level of detail, driven headless through the real app.

use cutover::app::CutoverApp;
use cutover::plan::{Id, ObjectRef};
use egui::accesskit::Role;
use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

use super::app_ui::{
    DeleteKey as _, click_at, click_button, ctrl, drag, menu, meridian, node_pos, starter, wheel,
};

/// Runs frames until the app stops asking for one at once, and says how many that took; panics if
/// it still asks after 40 frames (ten seconds of the harness's time). A tooltip waiting for its delay
/// asks for a few.
fn settle(h: &mut Harness<'_, CutoverApp>) -> u64 {
    let mut steps = 0;
    for _ in 0..10 {
        match h.try_run() {
            Ok(n) => return steps + n,
            Err(error) => steps += error.max_steps,
        }
    }
    panic!("the app never goes idle: {:?}", h.ctx.repaint_causes());
}

#[test]
fn with_no_input_the_app_draws_no_more_frames() {
    let mut h = meridian();
    // A few frames after the plan opened, nothing asks for another frame…
    let steps = settle(&mut h);
    assert!(steps <= 4, "settled after {steps} frames");
    // …and a frame with no input asks for none either.
    assert_eq!(settle(&mut h), 1);
    // A click on a service, then nothing: idle again within a frame or two.
    let api = node_pos(&h, "claims-api");
    click_at(&mut h, api);
    assert!(settle(&mut h) <= 2);
}

#[test]
fn wheel_zoom_stops_when_the_wheel_stops() {
    let mut h = meridian();
    settle(&mut h);
    let portal = node_pos(&h, "claims-portal");
    let before = h.state().canvas().zoom(&h.ctx);
    h.event(Event::PointerMoved(portal));
    wheel(&mut h, 120.0);
    // egui smooths the wheel over a few frames; then the zoom holds and the frames stop.
    settle(&mut h);
    let zoomed = h.state().canvas().zoom(&h.ctx);
    assert!(zoomed > before, "{before} → {zoomed}");
    assert_eq!(settle(&mut h), 1);
    assert_eq!(h.state().canvas().zoom(&h.ctx), zoomed);
}

/// The app on a synthetic plan of `services` services (laid out as the generator places them).
pub(super) fn synthetic(services: usize) -> (tempfile::TempDir, Harness<'static, CutoverApp>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("big.ron");
    let plan = cutover::synth::generate(&cutover::synth::SynthOptions {
        services,
        regions: 1,
        seed: 3,
    });
    cutover::storage::save_plan(&path, &plan).expect("saved");
    let h = super::app_ui::harness(cutover::app::Startup {
        plan: Some(path),
        ..cutover::app::Startup::default()
    });
    (dir, h)
}

/// The app on a synthetic plan of `services` services, fitted (`F`), and the graph's area.
fn fitted(services: usize) -> (tempfile::TempDir, Harness<'static, CutoverApp>, egui::Rect) {
    let (dir, mut h) = synthetic(services);
    h.key_press(Key::F);
    h.run_steps(2);
    let canvas = h.state().canvas().screen_rect();
    (dir, h, canvas)
}

fn selected(h: &Harness<'_, CutoverApp>) -> Option<ObjectRef> {
    h.state().selection().clone()
}

fn service(id: &str) -> Option<ObjectRef> {
    Some(ObjectRef::Service(Id::new(id)))
}

/// How far a service's box is from the middle of the graph's area.
fn off_centre(h: &Harness<'_, CutoverApp>, id: &str) -> f32 {
    node_pos(h, id).distance(h.state().canvas().screen_rect().center())
}

#[test]
fn ctrl_f_finds_by_name_or_id_and_enter_selects_and_centres_each_match() {
    let mut h = meridian();
    ctrl(&mut h, Key::F);
    // The keyboard is in the find field: typing goes there, not to the single-key shortcuts.
    h.event(Event::Text("CLAIMS".to_owned()));
    h.run_steps(2);
    assert_eq!(h.state().canvas().lens().find, "CLAIMS");
    let found = h.state().canvas().matches();
    assert_eq!(
        found,
        [Id::new("claims-portal"), Id::new("claims-api")],
        "by name, any case, in reading order"
    );
    assert_eq!(
        h.state().document().plan().services.len(),
        4,
        "no `A` added a service"
    );
    h.key_press(Key::Enter);
    h.run_steps(3);
    assert_eq!(selected(&h), service("claims-portal"));
    assert!(off_centre(&h, "claims-portal") < 2.0);
    // Enter again: the next match, centred; the field keeps the keyboard.
    h.key_press(Key::Enter);
    h.run_steps(3);
    assert_eq!(selected(&h), service("claims-api"));
    assert!(off_centre(&h, "claims-api") < 2.0);
    assert!(h.query_by_label("2 of 2").is_some());
    // By id too.
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.event(Event::Text("sql-data".to_owned()));
    h.run_steps(2);
    assert_eq!(h.state().canvas().matches(), [Id::new("sql-database")]);
}

#[test]
fn selecting_in_the_outline_or_the_problems_centres_a_service_out_of_view() {
    let (_dir, mut h) = synthetic(300);
    h.key_press(Key::F);
    h.run_steps(2);
    for _ in 0..6 {
        click_button(&mut h, "Zoom in");
    }
    let plan = h.state().document().plan().clone();
    // The service listed in the outline (the list's top is in view) farthest from the view's
    // middle is out of view at this zoom.
    let far = plan
        .services
        .iter()
        .filter(|s| h.query_by_label(&s.name).is_some())
        .max_by(|a, b| off_centre(&h, a.id.as_str()).total_cmp(&off_centre(&h, b.id.as_str())))
        .expect("services in the outline")
        .clone();
    let canvas = h.state().canvas().screen_rect();
    assert!(!canvas.contains(node_pos(&h, far.id.as_str())));
    h.get_by_label(&far.name).click();
    h.run_steps(3);
    assert_eq!(selected(&h), Some(ObjectRef::Service(far.id.clone())));
    assert!(off_centre(&h, far.id.as_str()) < 2.0);
}

#[test]
fn focus_fades_all_but_the_neighbourhood_and_filters_fade_by_problem_and_text() {
    let mut h = meridian();
    h.get_by_label("Claims API").click();
    h.run_steps(2);
    let faded = |h: &Harness<'_, CutoverApp>, id: &str| h.state().canvas().is_faded(&Id::new(id));
    assert!(!faded(&h, "notification-service"));
    h.get_by_role_and_label(Role::CheckBox, "Focus").click();
    h.run_steps(2);
    // The API, what it depends on and what depends on it; not the database's other dependent.
    for id in ["claims-portal", "claims-api", "sql-database"] {
        assert!(!faded(&h, id), "{id}");
    }
    assert!(faded(&h, "notification-service"));
    // The View menu turns it off again.
    click_button(&mut h, "View");
    h.run_steps(4);
    h.get_by_role_and_label(Role::CheckBox, "Focus on selection")
        .click();
    h.run_steps(4);
    assert!(!h.state().canvas().lens().focus);
    assert!(!faded(&h, "notification-service"));
    // Only services with problems.
    h.get_by_role_and_label(Role::CheckBox, "With problems")
        .click();
    h.run_steps(2);
    let plan = h.state().document().plan().clone();
    for service in &plan.services {
        let problem = h
            .state()
            .canvas()
            .node_data(&service.id)
            .and_then(|n| n.problem);
        assert_eq!(
            faded(&h, service.id.as_str()),
            problem.is_none(),
            "{}",
            service.id
        );
    }
    click_button(&mut h, "Clear filters");
    // By text.
    h.get_by_role_and_label(Role::TextInput, "Filter").focus();
    h.run_steps(1);
    h.get_by_role_and_label(Role::TextInput, "Filter")
        .type_text("notif");
    h.run_steps(2);
    assert!(!faded(&h, "notification-service"));
    assert!(faded(&h, "claims-portal"));
}

#[test]
fn shift_drag_on_empty_space_selects_a_box_moved_and_deleted_in_one_step_each() {
    let mut h = starter();
    let canvas = h.state().canvas().screen_rect();
    let (web, api) = (node_pos(&h, "web"), node_pos(&h, "api"));
    // From empty space left of the boxes, between the web and the API, to the bottom right.
    let from = egui::pos2(canvas.left() + 4.0, (web.y + api.y) / 2.0);
    drag(
        &mut h,
        from,
        canvas.right_bottom() - egui::vec2(4.0, 4.0),
        Modifiers::SHIFT,
    );
    assert_eq!(h.state().canvas().group(), [Id::new("api"), Id::new("db")]);
    assert_eq!(selected(&h), service("api"));
    assert_eq!(
        h.state().document().undo_label(),
        None,
        "selecting changes nothing"
    );
    // Dragging one moves both, as one step.
    let before = h.state().document().plan().clone();
    drag(&mut h, api, api + egui::vec2(90.0, 0.0), Modifiers::NONE);
    let after = h.state().document().plan().clone();
    assert_eq!(h.state().document().undo_label(), Some("Move services"));
    let x = |plan: &cutover::plan::Plan, id: &str| {
        plan.service(&Id::new(id))
            .map(|s| s.position.x)
            .unwrap_or_default()
    };
    for id in ["api", "db"] {
        assert!(x(&after, id) > x(&before, id) + 10.0, "{id} moved");
    }
    assert_eq!(x(&after, "web"), x(&before, "web"));
    // Delete removes both and their dependencies; one undo brings everything back.
    h.press_delete_on_selection();
    let plan = h.state().document().plan();
    assert_eq!(plan.services.len(), 1);
    assert!(plan.dependencies.is_empty());
    assert_eq!(h.state().document().undo_label(), Some("Remove 2 services"));
    ctrl(&mut h, Key::Z);
    assert_eq!(h.state().document().plan(), &after);
}

#[test]
fn ctrl_click_adds_to_the_selection_and_a_plain_click_starts_again() {
    let mut h = starter();
    let (web, db) = (node_pos(&h, "web"), node_pos(&h, "db"));
    click_at(&mut h, web);
    h.event(Event::ModifiersChanged(Modifiers::COMMAND));
    h.event(Event::PointerMoved(db));
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos: db,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::COMMAND,
        });
    }
    h.event(Event::ModifiersChanged(Modifiers::NONE));
    h.run_steps(2);
    assert_eq!(h.state().canvas().group(), [Id::new("web"), Id::new("db")]);
    click_at(&mut h, web);
    assert!(h.state().canvas().group().is_empty());
    assert_eq!(selected(&h), service("web"));
}

/// The text the last frame drew inside `area`, with its size.
fn texts_in(h: &Harness<'_, CutoverApp>, area: egui::Rect) -> Vec<(String, f32)> {
    h.output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::Shape::Text(text) if area.contains(text.pos) => Some(text),
            _ => None,
        })
        .map(|text| {
            let job = &text.galley.job;
            let smallest = job
                .sections
                .iter()
                .map(|s| s.format.font_id.size)
                .fold(f32::INFINITY, f32::min);
            (job.text.clone(), smallest)
        })
        .collect()
}

#[test]
fn a_thousand_services_fit_without_unreadable_text_and_overlays_cover_none() {
    let (_dir, mut h, canvas) = fitted(1_000);
    let texts = texts_in(&h, canvas);
    assert!(
        texts.iter().all(|(_, size)| *size >= 6.0),
        "no text under 6 points on the graph: {texts:?}"
    );
    let plan = h.state().document().plan().clone();
    let is_name = |text: &str| plan.services.iter().any(|s| s.name == text);
    assert!(
        !texts.iter().any(|(t, _)| is_name(t)),
        "no names at this zoom"
    );
    // Every box is inside the graph's area, and the minimap is outside it.
    for s in &plan.services {
        let node = h
            .state()
            .canvas()
            .node_screen_rect(&h.ctx, &s.id)
            .expect("drawn");
        assert!(
            canvas.expand(0.5).contains_rect(node),
            "{} at {node:?}",
            s.id
        );
    }
    let minimap = h.state().canvas().minimap_rect();
    assert!(
        minimap.is_positive() && !minimap.intersects(canvas),
        "{minimap:?} {canvas:?}"
    );
    // Zoomed out that far, the tiers' bands are named instead.
    assert!(texts.iter().any(|(t, _)| t == "frontend"), "{texts:?}");
    // A found service, and with focus on what it depends on and what depends on it, keep a
    // readable name.
    let (found, dependency) = plan
        .dependencies
        .first()
        .map(|d| (d.service.clone(), d.on.clone()))
        .expect("dependencies");
    ctrl(&mut h, Key::F);
    h.event(Event::Text(found.as_str().to_owned()));
    h.run_steps(2);
    h.key_press(Key::Enter);
    h.run_steps(3);
    h.get_by_role_and_label(Role::CheckBox, "Focus").click();
    h.run_steps(2);
    let name = |id: &Id| plan.service(id).map(|s| s.name.clone()).unwrap_or_default();
    let texts = texts_in(&h, canvas);
    for id in [&found, &dependency] {
        assert!(
            texts.iter().any(|(t, size)| *t == name(id) && *size >= 6.0),
            "{id} is named: {texts:?}"
        );
    }
    click_button(&mut h, "Fit");
    // Zoomed in, the names are back, and the bands' names gone.
    for _ in 0..16 {
        click_button(&mut h, "Zoom in");
    }
    let texts = texts_in(&h, canvas);
    assert!(texts.iter().any(|(t, _)| is_name(t)), "{texts:?}");
    assert!(!texts.iter().any(|(t, _)| t == "frontend"));
}

#[test]
fn zoomed_out_the_tiers_are_named_in_a_strip_and_not_tinted_across_the_canvas() {
    let (_dir, h, canvas) = fitted(1_000);
    // Every fill over the graph's area: what a software renderer fills again on every frame.
    let filled: f32 = h
        .output()
        .shapes
        .iter()
        .filter_map(|clipped| match &clipped.shape {
            egui::Shape::Rect(rect) if rect.fill.a() > 0 => Some(rect.rect.intersect(canvas)),
            _ => None,
        })
        .filter(|rect| rect.is_positive())
        .map(|rect| rect.area())
        .sum();
    assert!(
        filled < 0.2 * canvas.area(),
        "fills cover {:.0} % of the graph's area",
        100.0 * filled / canvas.area()
    );
    let texts = texts_in(&h, canvas);
    for tier in ["infrastructure", "database", "API", "frontend"] {
        assert!(texts.iter().any(|(t, _)| t == tier), "{tier}: {texts:?}");
    }
}

#[test]
fn a_zoomed_out_plan_is_drawn_once_as_an_image_and_the_pointer_moving_over_it_draws_none() {
    let (_dir, mut h) = synthetic(300);
    settle(&mut h);
    let drawn = |h: &Harness<'_, CutoverApp>| h.state().canvas().images_drawn();
    let fitted = drawn(&h);
    assert!(fitted >= 1, "the fitted plan is drawn as an image");
    // The pointer crossing boxes outlines each in turn, over the same image.
    let ids: Vec<Id> = h
        .state()
        .document()
        .plan()
        .services
        .iter()
        .take(12)
        .map(|s| s.id.clone())
        .collect();
    for id in &ids {
        h.event(Event::PointerMoved(node_pos(&h, id.as_str())));
        h.run_steps(1);
    }
    assert_eq!(drawn(&h), fitted, "hovering draws no new image");
    // Selecting a service changes what the image shows: it is drawn once more, and only once.
    let pick = node_pos(&h, ids[3].as_str());
    click_at(&mut h, pick);
    settle(&mut h);
    assert_eq!(selected(&h), service(ids[3].as_str()));
    assert_eq!(drawn(&h), fitted + 1);
    // Close up, boxes are shapes again: zooming and moving draw no image.
    for _ in 0..16 {
        click_button(&mut h, "Zoom in");
    }
    let close = drawn(&h);
    let centre = h.state().canvas().screen_rect().center();
    for step in 0..6 {
        h.event(Event::PointerMoved(
            centre + egui::vec2(step as f32 * 20.0, 0.0),
        ));
        h.run_steps(1);
    }
    click_button(&mut h, "Zoom in");
    assert_eq!(drawn(&h), close, "no image close up");
}

#[test]
fn typing_a_service_s_name_draws_neither_the_canvas_image_nor_the_minimap_again() {
    let (_dir, mut h) = synthetic(300);
    settle(&mut h);
    let first = h.state().document().plan().services[0].clone();
    h.get_all_by_label(&first.name)
        .next()
        .expect("the service's row in the outline")
        .click();
    settle(&mut h);
    assert_eq!(selected(&h), service(first.id.as_str()));
    let canvas = |h: &Harness<'_, CutoverApp>| {
        let canvas = h.state().canvas();
        (canvas.images_drawn(), canvas.minimap_images_drawn())
    };
    let before = canvas(&h);
    let field = h.get_by_role_and_label(Role::TextInput, "Name");
    field.focus();
    h.run_steps(1);
    for key in ["x", "y", "z"] {
        h.event(Event::Text(key.to_owned()));
        h.run_steps(2);
    }
    settle(&mut h);
    let renamed = &h.state().document().plan().services[0].name;
    assert_eq!(renamed, &format!("{}xyz", first.name));
    assert_eq!(canvas(&h), before, "(canvas image, minimap) drawn again");
    // Moving services changes the map: it is drawn again.
    menu(&mut h, "View", "Fresh layout");
    settle(&mut h);
    assert!(canvas(&h).1 > before.1, "the map follows the layout");
}

#[test]
fn a_click_on_the_minimap_moves_the_view_there() {
    let (_dir, mut h) = synthetic(300);
    for _ in 0..6 {
        click_button(&mut h, "Zoom in");
    }
    let before = h.state().canvas().view_centre(&h.ctx);
    let minimap = h.state().canvas().minimap_rect();
    click_at(&mut h, minimap.left_top() + egui::vec2(12.0, 12.0));
    let after = h.state().canvas().view_centre(&h.ctx);
    assert!(
        after.x < before.x - 100.0 && after.y < before.y - 100.0,
        "{before:?} → {after:?}"
    );
    assert_eq!(settle(&mut h), 1, "idle after");
}

#[test]
fn the_readme_lists_every_canvas_gesture_help_shows() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    for (keys, what) in cutover::app::canvas::GESTURES {
        let row = format!("| {keys} | {what} |");
        assert!(readme.contains(&row), "README.md lacks the row `{row}`");
    }
    let mut h = meridian();
    super::app_ui::menu(&mut h, "Help", "Keyboard shortcuts");
    assert!(
        h.query_by_label("Select every service in the box")
            .is_some()
    );
}

/// Every service's position, by plan index.
fn positions(h: &Harness<'_, CutoverApp>) -> Vec<cutover::plan::Position> {
    let plan = h.state().document().plan();
    plan.services.iter().map(|s| s.position).collect()
}

#[test]
fn auto_layout_places_an_added_service_and_moves_no_other_in_one_undo_step() {
    let (_dir, mut h) = synthetic(60);
    let opened = positions(&h);
    // Add a service and connect it to the plan's first database, as the user would.
    click_button(&mut h, "Add service");
    let plan = h.state().document().plan().clone();
    let added = plan.services.len() - 1;
    let database = plan
        .services
        .iter()
        .find(|s| s.tier == cutover::plan::Tier::Database)
        .expect("a database")
        .id
        .clone();
    let connect =
        cutover::edit::Edit::add_dependency(&plan, plan.services[added].id.clone(), database);
    let ctx = h.ctx.clone();
    h.state_mut().execute(
        &ctx,
        cutover::app::Message::Edit {
            edit: Box::new(connect),
            label: "Connect".to_owned(),
            group: None,
        },
    );
    h.run_steps(2);
    let before = positions(&h);
    assert_eq!(before[..added], opened[..], "adding moved nothing");

    click_button(&mut h, "Auto-layout");
    let after = positions(&h);
    assert_eq!(after[..added], before[..added], "every other service stays");
    assert_ne!(after[added], before[added], "the added service is placed");
    // In a free spot: its box overlaps no other (boxes are about 180 × 50).
    for (i, other) in after[..added].iter().enumerate() {
        let (dx, dy) = (
            (other.x - after[added].x).abs(),
            (other.y - after[added].y).abs(),
        );
        assert!(
            dx >= 200.0 || dy >= 60.0,
            "on top of service {i}: {other:?}"
        );
    }
    // One undo step takes it back, the next undoes the connection.
    assert_eq!(h.state().document().undo_label(), Some("Auto-layout"));
    ctrl(&mut h, Key::Z);
    assert_eq!(positions(&h), before);
    // Undone for auto-layout too: the service is not counted as placed, and is placed again.
    click_button(&mut h, "Auto-layout");
    assert_eq!(positions(&h), after, "placed again after the undo");
    ctrl(&mut h, Key::Z);
    assert_eq!(positions(&h), before);
    assert_eq!(h.state().document().undo_label(), Some("Connect"));
    ctrl(&mut h, Key::Z);
    ctrl(&mut h, Key::Y);
    ctrl(&mut h, Key::Y);
    assert_eq!(
        positions(&h),
        after,
        "redo brings the layout back as one step"
    );

    // Auto-layout again places nothing; a fresh layout lays out everything, as one step too.
    click_button(&mut h, "Auto-layout");
    assert_eq!(positions(&h), after);
    assert_eq!(h.state().document().undo_label(), Some("Auto-layout"));
    menu(&mut h, "View", "Fresh layout");
    let fresh = positions(&h);
    let moved = fresh.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert!(moved > after.len() / 2, "a fresh layout moved only {moved}");
    assert_eq!(h.state().document().undo_label(), Some("Fresh layout"));
    ctrl(&mut h, Key::Z);
    assert_eq!(positions(&h), after);
}
