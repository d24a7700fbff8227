//! The canvas at scale (issue 12): the app goes idle, find, focus and filters, box-select, the
//! minimap and the level of detail, driven headless through the real app.

use cutover::app::CutoverApp;
use egui::{Event, Modifiers};
use egui_kittest::Harness;

use super::app_ui::{meridian, node_pos};

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
    super::app_ui::click_at(&mut h, api);
    assert!(settle(&mut h) <= 2);
}

#[test]
fn wheel_zoom_stops_when_the_wheel_stops() {
    let mut h = meridian();
    settle(&mut h);
    let portal = node_pos(&h, "claims-portal");
    let before = h.state().canvas().zoom(&h.ctx);
    h.event(Event::PointerMoved(portal));
    h.event(Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 120.0),
        phase: egui::TouchPhase::Move,
        modifiers: Modifiers::NONE,
    });
    // egui smooths the wheel over a few frames; then the zoom holds and the frames stop.
    settle(&mut h);
    let zoomed = h.state().canvas().zoom(&h.ctx);
    assert!(zoomed > before, "{before} → {zoomed}");
    assert_eq!(settle(&mut h), 1);
    assert_eq!(h.state().canvas().zoom(&h.ctx), zoomed);
}
