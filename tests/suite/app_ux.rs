//! Issue 13: the app as a new user finds it — editing that keeps the focus, feedback where the user
//! acted, panels that cannot hide the canvas, keyboard use. Driven headless with egui_kittest, with
//! the helpers of [`super::app_ui`].

use cutover::app::{CutoverApp, Message};
use cutover::plan::{Id, ObjectRef};
use egui::accesskit::Role;
use egui::{Event, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _, by};

use super::app_ui::{
    click_at, click_button, ctrl, harness_sized, has_dependency, menu, meridian, node_pos, starter,
};

/// Types `text` one key at a time, as a keyboard does: a key press (when the character has a key)
/// and the character it types, one frame each.
fn type_keys(h: &mut Harness<'_, CutoverApp>, text: &str) {
    for c in text.chars() {
        let key = egui::Key::from_name(&c.to_string());
        if let Some(key) = key {
            h.event(Event::Key {
                key,
                physical_key: None,
                pressed: true,
                repeat: false,
                modifiers: Modifiers::NONE,
            });
        }
        h.event(Event::Text(c.to_string()));
        if let Some(key) = key {
            h.event(Event::Key {
                key,
                physical_key: None,
                pressed: false,
                repeat: false,
                modifiers: Modifiers::NONE,
            });
        }
        h.run_steps(1);
    }
}

fn press(h: &mut Harness<'_, CutoverApp>, key: egui::Key) {
    h.key_press(key);
    h.run_steps(2);
}

/// Selects all of a text field's text, ready to be typed over.
fn focus_and_select_all(h: &mut Harness<'_, CutoverApp>, label: &str) {
    h.get_by_role_and_label(Role::TextInput, label).focus();
    h.run_steps(1);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::A);
    h.run_steps(1);
}

fn selected(h: &Harness<'_, CutoverApp>) -> Option<ObjectRef> {
    h.state().selection().clone()
}

// ---------------------------------------------------------------------------------------------
// 1. Typing an id keeps the field, commits as a whole, and fires no shortcut.

#[test]
fn an_id_is_edited_as_a_whole_and_typing_never_reaches_the_canvas() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    let positions: Vec<_> = h
        .state()
        .document()
        .plan()
        .services
        .iter()
        .map(|s| s.position)
        .collect();
    focus_and_select_all(&mut h, "Id");
    // "a", "c" and "l" are the Add service, Connect and Auto-layout shortcuts.
    type_keys(&mut h, "orders-acl");
    let plan = h.state().document().plan();
    assert!(
        plan.service(&Id::new("api")).is_some(),
        "nothing is renamed while the id is typed"
    );
    assert_eq!(plan.services.len(), 3, "no shortcut added a service");
    let now: Vec<_> = plan.services.iter().map(|s| s.position).collect();
    assert_eq!(now, positions, "no shortcut laid the services out");
    assert!(h.state().canvas().connecting_from().is_none());
    assert!(
        h.get_by_role_and_label(Role::TextInput, "Id").is_focused(),
        "the field keeps the keyboard"
    );
    assert_eq!(selected(&h), Some(ObjectRef::Service(Id::new("api"))));

    // A taken id is refused as it is typed, and Enter does not commit it.
    focus_and_select_all(&mut h, "Id");
    type_keys(&mut h, "db");
    assert!(h.query_by_label_contains("is already used").is_some());
    press(&mut h, egui::Key::Enter);
    assert!(
        h.state()
            .document()
            .plan()
            .service(&Id::new("api"))
            .is_some()
    );

    // Enter commits a valid id as one step; references follow, and so does the selection.
    focus_and_select_all(&mut h, "Id");
    type_keys(&mut h, "orders");
    press(&mut h, egui::Key::Enter);
    let plan = h.state().document().plan();
    assert!(plan.service(&Id::new("api")).is_none());
    assert!(plan.service(&Id::new("orders")).is_some());
    assert!(has_dependency(plan, "web", "orders"));
    assert!(has_dependency(plan, "orders", "db"));
    assert_eq!(plan.runbooks[0].services, vec![Id::new("orders")]);
    assert_eq!(selected(&h), Some(ObjectRef::Service(Id::new("orders"))));
    assert!(
        h.query_by_label("The selected object is no longer in the plan.")
            .is_none()
    );
    ctrl(&mut h, egui::Key::Z);
    let plan = h.state().document().plan();
    assert!(plan.service(&Id::new("api")).is_some(), "one undo step");
    assert!(has_dependency(plan, "web", "api"));
    assert_eq!(selected(&h), Some(ObjectRef::Service(Id::new("api"))));

    // Leaving the field commits too.
    focus_and_select_all(&mut h, "Id");
    type_keys(&mut h, "billing");
    h.get_by_label("Plan settings").click();
    h.run_steps(2);
    assert!(
        h.state()
            .document()
            .plan()
            .service(&Id::new("billing"))
            .is_some()
    );
}

#[test]
fn an_id_half_typed_when_another_plan_opens_renames_nothing_there() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    focus_and_select_all(&mut h, "Id");
    type_keys(&mut h, "zzz");
    ctrl(&mut h, egui::Key::N);
    h.get_by_label("Plan settings").click();
    h.run_steps(3);
    let plan = h.state().document().plan();
    assert!(plan.service(&Id::new("api")).is_some());
    assert!(plan.service(&Id::new("zzz")).is_none());
}

#[test]
fn shortcuts_stay_off_after_a_text_field_vanishes_under_the_keyboard() {
    let mut h = starter();
    h.get_by_label("API hotfix").click();
    h.run_steps(2);
    focus_and_select_all(&mut h, "Incident bridge");
    type_keys(&mut h, "war");
    // Something takes the field away while the user types (here the selection is cleared, as an
    // edit elsewhere could); the rest of the word must not run canvas shortcuts.
    let ctx = h.ctx.clone();
    h.state_mut().execute(&ctx, Message::Select(None));
    h.run_steps(1);
    let before = h.state().document().plan().clone();
    type_keys(&mut h, "-acl");
    let plan = h.state().document().plan();
    assert_eq!(plan.services, before.services, "no service added or moved");
    assert!(h.state().canvas().connecting_from().is_none());
    // A click is a deliberate act: shortcuts work again.
    h.get_by_label("Plan settings").click();
    h.run_steps(2);
    press(&mut h, egui::Key::A);
    assert_eq!(h.state().document().plan().services.len(), 4);
}

// ---------------------------------------------------------------------------------------------
// 3. Feedback by the canvas, in glyphs the fonts have, cleared by the next action.

/// Every accessible label on screen that the app's proportional font cannot draw.
fn undrawable_labels(h: &Harness<'_, CutoverApp>) -> Vec<String> {
    let font = egui::FontId::proportional(14.0);
    let labels: Vec<String> = h
        .query_all(by().predicate(|_| true))
        .filter_map(|node| node.accesskit_node().label())
        .collect();
    labels
        .into_iter()
        .filter(|label| {
            !h.ctx.fonts_mut(|f| {
                label
                    .chars()
                    .all(|c| cutover::app::style::can_draw(f, &font, c))
            })
        })
        .collect()
}

#[test]
fn a_refused_dependency_is_shown_by_the_canvas_in_drawable_glyphs_until_the_next_action() {
    let mut h = starter();
    h.get_by_label("Database").click();
    h.run_steps(2);
    click_button(&mut h, "Connect");
    let web = node_pos(&h, "web");
    click_at(&mut h, web);
    assert!(!has_dependency(h.state().document().plan(), "db", "web"));
    let canvas = h.state().canvas().screen_rect();
    let notes: Vec<egui::Rect> = h
        .query_all_by_label_contains("would close a cycle")
        .map(|n| n.rect())
        .collect();
    assert!(
        notes.iter().any(|r| canvas.contains_rect(*r)),
        "the refusal is shown on the canvas, where the user acted: {notes:?} vs {canvas:?}"
    );
    assert_eq!(undrawable_labels(&h), Vec::<String>::new());
    // Help's shortcut list is drawable too.
    menu(&mut h, "Help", "Keyboard shortcuts");
    assert_eq!(undrawable_labels(&h), Vec::<String>::new());
    press(&mut h, egui::Key::Escape);
    // The next action that succeeds clears the refusal, on the canvas and in the status bar.
    click_button(&mut h, "Add service");
    assert!(h.query_by_label_contains("would close a cycle").is_none());
    let status = h
        .state()
        .status()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(!status.contains("cycle"), "{status}");
}

// ---------------------------------------------------------------------------------------------
// 4. Adding and naming.

#[test]
fn a_service_added_from_the_toolbar_is_in_view_selected_and_named_as_its_id() {
    let mut h = meridian();
    for _ in 0..3 {
        click_button(&mut h, "Zoom in");
    }
    click_button(&mut h, "Add service");
    h.run_steps(2);
    let plan = h.state().document().plan();
    let added = plan.services.last().expect("a service").clone();
    assert_eq!(added.id, Id::new("service-5"));
    assert_eq!(added.name, "Service 5");
    assert_eq!(selected(&h), Some(ObjectRef::Service(added.id.clone())));
    let canvas = h.state().canvas().screen_rect();
    let node = h
        .state()
        .canvas()
        .node_screen_rect(&h.ctx, &added.id)
        .expect("on the canvas");
    assert!(canvas.contains_rect(node), "{node:?} is in {canvas:?}");
    // Its name is ready to type over.
    assert!(
        h.get_by_role_and_label(Role::TextInput, "Name")
            .is_focused()
    );
    type_keys(&mut h, "Billing");
    press(&mut h, egui::Key::Enter);
    let plan = h.state().document().plan();
    assert_eq!(
        plan.services.last().map(|s| s.name.as_str()),
        Some("Billing")
    );
    // The id is still the default one: the inspector offers the name's.
    click_button(&mut h, "Set id to `billing`");
    let plan = h.state().document().plan();
    assert_eq!(plan.services.last().map(|s| s.id.as_str()), Some("billing"));
    assert_eq!(selected(&h), Some(ObjectRef::Service(Id::new("billing"))));
    assert!(h.query_by_label("Set id to `billing`").is_none());
}

#[test]
fn pickers_and_problems_name_services_with_their_ids_beside() {
    let mut h = starter();
    h.get_by_label("Web").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Depends on")
        .click();
    h.run_steps(4);
    assert!(h.query_by_label("Database (db)").is_some());
    h.key_press(egui::Key::Escape);
    h.run_steps(3);
    // A problem about the API names it.
    h.get_by_label("API").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("API (api)").is_some(),
        "the Problems panel names the service"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Panels keep the canvas usable.

/// The narrowest canvas the panels may leave in a 1,440 × 900 window (a third of it, less the
/// splitters).
const USABLE_CANVAS: f32 = 470.0;

#[test]
fn a_long_name_and_the_preview_leave_the_canvas_usable_and_names_truncate() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    let long = "Claims adjudication and settlement orchestration API for every region "
        .repeat(3)
        .trim_end()
        .to_owned();
    focus_and_select_all(&mut h, "Name");
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text(&long);
    h.run_steps(1);
    press(&mut h, egui::Key::Enter);
    assert_eq!(h.state().document().plan().services[1].name, long);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, egui::Key::Y);
    h.run_steps(6);
    assert!(h.state().settings().show_preview);
    let canvas = h.state().canvas().screen_rect();
    assert!(
        canvas.width() >= USABLE_CANVAS,
        "the canvas keeps {USABLE_CANVAS} px: {canvas:?}"
    );
    // The outline's row for the long name stops at the outline's edge.
    let rows: Vec<egui::Rect> = h
        .query_all_by_label_contains("Claims adjudication")
        .map(|n| n.rect())
        .filter(|r| r.left() < canvas.left() && r.top() < canvas.bottom())
        .collect();
    assert!(!rows.is_empty(), "the outline lists the service");
    for row in rows {
        assert!(row.right() <= canvas.left() + 1.0, "{row:?} vs {canvas:?}");
    }
    // On the canvas the name is cut short in its box, and shown whole on hover.
    let node = node_pos(&h, "api");
    h.event(Event::PointerMoved(node));
    h.run_steps(4);
    assert!(
        h.query_by_label(&format!("{long} (api)")).is_some(),
        "the whole name on hover"
    );
    // The inspector and the preview do not overlap: the inspector's fields end where the canvas
    // and preview leave room.
    let field = h.get_by_role_and_label(Role::TextInput, "Name").rect();
    assert!(
        field.left() >= canvas.right() - 1.0,
        "{field:?} vs {canvas:?}"
    );
}

#[test]
fn a_remembered_layout_is_clamped_to_the_window() {
    let mut h = starter();
    for (panel, width) in [("outline", 1_300.0), ("inspector", 1_200.0)] {
        let state = egui::PanelState {
            outer_rect: egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(width, 800.0)),
        };
        h.ctx
            .data_mut(|d| d.insert_persisted(egui::Id::new(panel), state));
    }
    h.run_steps(4);
    let canvas = h.state().canvas().screen_rect();
    assert!(canvas.width() >= USABLE_CANVAS, "{canvas:?}");
}

#[test]
fn the_outline_splitter_is_grabbed_where_it_is_drawn() {
    let mut h = starter();
    let before = h.state().canvas().screen_rect();
    // The outline's splitter is drawn at the canvas's left edge.
    let edge = egui::pos2(before.left() - 1.0, before.center().y);
    super::app_ui::drag(&mut h, edge, edge + egui::vec2(80.0, 0.0), Modifiers::NONE);
    let after = h.state().canvas().screen_rect();
    assert!(
        (after.left() - before.left() - 80.0).abs() < 4.0,
        "{before:?} → {after:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 8. The preview leaves the canvas usable, and can be detached.

#[test]
fn the_preview_opens_leaving_the_canvas_usable_and_can_be_detached() {
    let mut h = meridian();
    let alone = h.state().canvas().screen_rect().width();
    click_button(&mut h, "Preview");
    h.run_steps(6);
    let beside = h.state().canvas().screen_rect().width();
    assert!(beside >= USABLE_CANVAS, "the canvas keeps {beside} px");
    click_button(&mut h, "Detach preview");
    h.run_steps(6);
    assert!(h.state().settings().show_preview);
    let detached = h.state().canvas().screen_rect().width();
    assert!(
        detached > beside + 250.0 && detached > alone - 40.0,
        "{alone} alone, {beside} beside the preview, {detached} detached"
    );
    // The generated files are still shown, in their own window; Dock puts it back.
    assert!(h.query_by_label("Dock preview").is_some());
    click_button(&mut h, "Dock preview");
    h.run_steps(6);
    assert!(h.state().canvas().screen_rect().width() < alone - 100.0);
}

/// A window `width` pixels wide (800 high) on the plan at `plan`.
fn narrow_window(width: f32, plan: std::path::PathBuf) -> Harness<'static, CutoverApp> {
    let startup = cutover::app::Startup {
        plan: Some(plan),
        ..cutover::app::Startup::default()
    };
    harness_sized(startup, egui::vec2(width, 800.0), 0.25)
}

/// Every combo box as "label: choice", and its place on the screen.
fn combo_boxes(h: &Harness<'_, CutoverApp>) -> Vec<(String, egui::Rect)> {
    h.query_all(by().role(Role::ComboBox))
        .map(|n| {
            let node = n.accesskit_node();
            let label = node.label().unwrap_or_default();
            let choice = node.value().unwrap_or_default();
            (format!("{label}: {choice}"), n.rect())
        })
        .collect()
}

fn northwind() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/northwind-commerce.ron")
}

#[test]
fn long_choices_and_problems_are_cut_short_at_the_window_s_edge() {
    // A 1,280-pixel window on Northwind: its rollout policy's failure action and its one problem
    // are wider than what the inspector and the Problems panel leave them.
    let edge = 1_280.0;
    let mut h = narrow_window(edge, northwind());
    h.get_by_label("Rollout policy").click();
    h.run_steps(2);
    let choices = combo_boxes(&h);
    assert!(
        choices
            .iter()
            .any(|(label, _)| label.starts_with("On failure: ")),
        "{choices:?}"
    );
    for (label, choice) in &choices {
        assert!(choice.right() <= edge, "{label}: {choice:?}");
    }
    let problem = "the approval asks for 2 approvers";
    let rows: Vec<egui::Rect> = h
        .query_all_by_label_contains(problem)
        .map(|n| n.rect())
        .collect();
    assert!(!rows.is_empty(), "the Problems panel lists it");
    for row in &rows {
        assert!(row.right() <= edge, "{row:?}");
    }
    // Cut short, the row shows all of it with its hint on hover.
    h.event(Event::PointerMoved(rows[0].center()));
    h.run_steps(4);
    assert!(
        h.query_by_label_contains("Hint: the setup scripts and the runbooks say so")
            .is_some(),
        "the whole problem and its hint on hover"
    );
}

#[test]
fn a_long_fault_chosen_in_the_rehearse_window_is_cut_short() {
    // Northwind with the ids of West Europe, staging and the platform as long as ids go: the first
    // fault offered is named by all three.
    let long = "west-europe-primary-region-for-the-shop-and-the-partner-api-001";
    let text = std::fs::read_to_string(northwind())
        .expect("Northwind")
        .replace("\"westeurope\"", &format!("\"{long}\""))
        .replace(&format!("location: \"{long}\""), "location: \"westeurope\"")
        .replace("\"staging\"", &format!("\"{}eu\"", "staging-".repeat(7)))
        .replace(
            "\"platform-infra\"",
            &format!("\"{}core\"", "platform-".repeat(6)),
        );
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("northwind-long.ron");
    std::fs::write(&plan, text).expect("plan written");
    let edge = 1_280.0;
    let mut h = narrow_window(edge, plan);
    ctrl(&mut h, egui::Key::R);
    assert!(h.state().rehearse_panel().is_open());
    let (_, fault) = combo_boxes(&h)
        .into_iter()
        .find(|(label, _)| label.contains("happy path"))
        .expect("the fault choice");
    click_at(&mut h, fault.center());
    h.run_steps(2);
    let option = h
        .query_all_by_label_contains(long)
        .find(|n| n.accesskit_node().role() == Role::Button)
        .map(|n| n.rect())
        .expect("a fault in the long-named region");
    click_at(&mut h, option.center());
    h.run_steps(4);
    let choices = combo_boxes(&h);
    assert!(
        choices.iter().any(|(label, _)| label.contains(long)),
        "{choices:?}"
    );
    for (label, choice) in &choices {
        assert!(choice.right() <= edge, "{label}: {choice:?}");
    }
    // And the button beside it stays in the window.
    let run = h
        .get_by_role_and_label(Role::Button, "Run rehearsal")
        .rect();
    assert!(run.right() <= edge, "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// 5. The inspector does not jump; a new migration knows its consumers.

#[test]
fn the_selected_objects_problems_do_not_push_its_fields_down() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    let tier = h.get_by_role_and_label(Role::ComboBox, "Tier").rect();
    h.get_by_role_and_label(Role::CheckBox, "Health check")
        .click();
    h.run_steps(2);
    assert!(h.query_all_by_label_contains("no health check").count() > 0);
    let after = h.get_by_role_and_label(Role::ComboBox, "Tier").rect();
    assert_eq!(tier, after, "the fields stay where they were");
}

#[test]
fn a_new_migration_starts_with_the_databases_dependents_as_consumers() {
    let mut h = starter();
    menu(&mut h, "Insert", "Migration");
    let plan = h.state().document().plan();
    let migration = plan.migrations.last().expect("a migration");
    assert_eq!(migration.database, Id::new("db"));
    assert_eq!(migration.consumers, vec![Id::new("api")]);
}

// ---------------------------------------------------------------------------------------------
// 7. Keyboard.

#[test]
fn enter_and_escape_close_dialogs_and_a_typed_path_survives_a_failed_save() {
    let mut h = starter();
    menu(&mut h, "File", "Save as path…");
    let bad = "/nonexistent-cutover-folder/sub/plan.ron";
    focus_and_select_all(&mut h, "File path");
    h.get_by_role_and_label(Role::TextInput, "File path")
        .type_text(bad);
    h.run_steps(1);
    press(&mut h, egui::Key::Enter);
    h.run_steps(2);
    assert!(h.query_by_label("Something went wrong").is_some());
    // Enter closes the error, and the path asked for again keeps what was typed.
    press(&mut h, egui::Key::Enter);
    h.run_steps(2);
    assert!(h.query_by_label("Something went wrong").is_none());
    let field = h.get_by_role_and_label(Role::TextInput, "File path");
    assert_eq!(field.value().as_deref(), Some(bad));
    // Escape cancels the path.
    press(&mut h, egui::Key::Escape);
    h.run_steps(2);
    assert!(
        h.query_by_role_and_label(Role::TextInput, "File path")
            .is_none()
    );
    // And closes the Rehearse window.
    ctrl(&mut h, egui::Key::R);
    assert!(h.state().rehearse_panel().is_open());
    press(&mut h, egui::Key::Escape);
    assert!(!h.state().rehearse_panel().is_open());
}

#[test]
fn a_dropdown_moves_with_the_arrow_keys_and_closes_on_enter() {
    let mut h = starter();
    h.get_by_label("API").click();
    h.run_steps(2);
    let before = h.state().document().plan().services[1].tier;
    h.get_by_role_and_label(Role::ComboBox, "Tier").click();
    h.run_steps(4);
    press(&mut h, egui::Key::ArrowDown);
    press(&mut h, egui::Key::Enter);
    h.run_steps(4);
    let after = h.state().document().plan().services[1].tier;
    assert_ne!(after, before, "the arrow chose the next tier");
    let index = |t| cutover::plan::Tier::ALL.iter().position(|x| *x == t);
    assert_eq!(index(after), index(before).map(|i| i + 1));
    // The list closed on Enter.
    assert!(h.query_by_label("worker").is_none());
    // "+ Add" lists work the same way: Web gets the one service it does not depend on yet.
    h.get_by_label("Web").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::ComboBox, "Depends on")
        .click();
    h.run_steps(4);
    press(&mut h, egui::Key::ArrowDown);
    press(&mut h, egui::Key::Enter);
    h.run_steps(2);
    assert!(has_dependency(h.state().document().plan(), "web", "db"));
}

#[test]
fn the_canvas_is_navigated_with_the_keyboard() {
    let mut h = starter();
    // A click on empty canvas gives it the keyboard.
    let db = node_pos(&h, "db");
    click_at(&mut h, db + egui::vec2(300.0, 0.0));
    assert_eq!(selected(&h), None);
    press(&mut h, egui::Key::Tab);
    let first = selected(&h).expect("Tab selects a service");
    press(&mut h, egui::Key::ArrowRight);
    let second = selected(&h).expect("an arrow moves to another");
    assert_ne!(first, second);
    press(&mut h, egui::Key::Enter);
    assert!(
        h.get_by_role_and_label(Role::TextInput, "Name")
            .is_focused(),
        "Enter inspects: the name is ready to edit"
    );
}

#[test]
fn a_service_is_added_named_and_connected_without_the_mouse() {
    let mut h = starter();
    press(&mut h, egui::Key::A);
    type_keys(&mut h, "Billing");
    press(&mut h, egui::Key::Enter);
    press(&mut h, egui::Key::C);
    assert_eq!(
        h.state().canvas().connecting_from(),
        Some(&Id::new("service-4"))
    );
    press(&mut h, egui::Key::Tab);
    press(&mut h, egui::Key::Enter);
    let plan = h.state().document().plan();
    assert_eq!(plan.services[3].name, "Billing");
    assert!(
        has_dependency(plan, "service-4", "web"),
        "{:?}",
        plan.dependencies
    );
}

#[test]
fn help_lists_the_shortcuts_and_links_the_readme() {
    let mut h = starter();
    click_button(&mut h, "Help");
    h.run_steps(4);
    assert!(h.query_by_label_contains("Keyboard shortcuts").is_some());
    let sections: Vec<String> = h
        .query_all_by_label_contains("README: ")
        .filter_map(|n| n.accesskit_node().label())
        .collect();
    assert!(
        sections.iter().any(|l| l == "README: The app"),
        "Help lists the README's sections: {sections:?}"
    );
    // A section opens the README at its heading.
    h.get_by_label("README: The app").click();
    h.step();
    let opened: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::OpenUrl(open) => Some(open.url.clone()),
            _ => None,
        })
        .collect();
    assert!(
        opened.iter().any(|url| url.ends_with("README.md#the-app")),
        "{opened:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Recovery opens the right plan; one recovery file per plan.

#[test]
fn after_a_crash_the_plan_being_edited_opens_under_the_offer_and_plans_do_not_share_a_recovery() {
    use cutover::app::{Settings, Startup};
    use std::path::Path;
    let dir = tempfile::tempdir().expect("temp dir");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let (a, b) = (dir.path().join("a.ron"), dir.path().join("b.ron"));
    std::fs::copy(examples.join("meridian-claims.ron"), &a).expect("copied");
    std::fs::copy(examples.join("meridian-claims.ron"), &b).expect("copied");
    let recovery = dir.path().join("state").join("recovery.ron");
    let start = |plan: Option<&Path>, last: &Path| Startup {
        plan: plan.map(Path::to_path_buf),
        recovery_path: Some(recovery.clone()),
        settings: Settings {
            last_plan: Some(last.to_path_buf()),
            ..Settings::default()
        },
    };
    // Two windows, one on each plan, both with unsaved work.
    let mut one = super::app_ui::harness(start(Some(&a), &a));
    let mut two = super::app_ui::harness(start(Some(&b), &b));
    click_button(&mut one, "Add service");
    click_button(&mut two, "Add service");
    click_button(&mut two, "Add service");
    one.state_mut().autosave_now();
    two.state_mut().autosave_now();
    one.run_steps(2);
    two.run_steps(2);
    drop(one);
    drop(two);
    // The last plan remembered is b, but a's window crashed too: starting on a offers a's work.
    let mut h = super::app_ui::harness(start(Some(&a), &b));
    h.run_steps(4);
    assert!(h.query_by_label("Restore unsaved work?").is_some());
    click_button(&mut h, "Restore");
    assert_eq!(h.state().document().path(), Some(a.as_path()));
    assert_eq!(h.state().document().plan().services.len(), 5);
    ctrl(&mut h, egui::Key::S);
    assert!(!h.state().document().is_dirty());
    drop(h);
    // Starting with no plan named opens the plan whose work is offered, not another recent one.
    let mut h = super::app_ui::harness(start(None, &a));
    h.run_steps(4);
    assert!(h.query_by_label("Restore unsaved work?").is_some());
    click_button(&mut h, "Restore");
    assert_eq!(h.state().document().path(), Some(b.as_path()));
    assert_eq!(h.state().document().plan().services.len(), 6);
    drop(h);
    // A recovery file that cannot be read is reported, and left for the user to rescue.
    let broken = recovery.with_file_name("recovery-broken.ron");
    std::fs::write(&broken, "(").expect("written");
    let h = super::app_ui::harness(start(None, &a));
    let status = h
        .state()
        .status()
        .map(|s| s.text.clone())
        .unwrap_or_default();
    assert!(status.contains("could not be read"), "{status}");
    assert!(broken.exists());
}
