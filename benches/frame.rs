//! Benchmark: the whole app's frame, headless, on synthetic plans, and the latency of one edit.
//!
//! `cargo bench --bench frame` (optionally `-- SERVICES...`, default 100 1000 2000; one region, seed
//! 1). The app runs in egui's `Context::run_ui` in a 1440×900 window with the default panels
//! (outline, inspector, problems) and no painting backend; every frame is timed with the
//! tessellation of what it drew (the CPU side of a real frame; the GPU's share is not measured).
//! For each size it prints the median of:
//!
//! - `hover`: a frame caused by the pointer moving over the canvas (what any input costs);
//! - `selected`: the same with a service selected, so the inspector shows it: its fields, its
//!   dependencies both ways, and the lists to choose a service from;
//! - `drag`: a frame of dragging a service;
//! - `edit frame`: the frame right after a service was renamed (re-analysis, problems, canvas);
//! - `edit core`: the rename alone, as the document does it: apply the edit and re-analyse.
//!
//! Goals (issue 12): a frame ≤ 16 ms at 2,000 services; an edit ≤ 5 ms at 1,000.

mod support;

use std::time::{Duration, Instant};

use cutover::app::{CutoverApp, Document, Message, Settings, Startup};
use cutover::edit::{Edit, Object};
use cutover::plan::ObjectRef;
use cutover::synth::{SynthOptions, generate};
use egui::{Event, PointerButton, Pos2, RawInput, Rect, Vec2};

/// The window's size in points.
const WINDOW: Vec2 = Vec2::new(1440.0, 900.0);

/// The app on a plan file, and the egui context it draws into.
struct Bench {
    app: CutoverApp,
    ctx: egui::Context,
    time: f64,
}

impl Bench {
    fn new(path: std::path::PathBuf) -> Self {
        let app = CutoverApp::new(Startup {
            plan: Some(path),
            recovery_path: None,
            settings: Settings::default(),
        });
        let mut bench = Self {
            app,
            ctx: egui::Context::default(),
            time: 0.0,
        };
        for _ in 0..5 {
            bench.frame(Vec::new());
        }
        bench
    }

    /// One frame with these input events; returns how long it took, tessellation included.
    fn frame(&mut self, events: Vec<Event>) -> Duration {
        self.time += 1.0 / 60.0;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, WINDOW)),
            time: Some(self.time),
            events,
            ..RawInput::default()
        };
        let start = Instant::now();
        let app = &mut self.app;
        let output = self.ctx.run_ui(input, |ui| app.ui(ui));
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let took = start.elapsed();
        std::hint::black_box(primitives);
        took
    }

    /// The middle of the window, over the canvas.
    fn centre() -> Pos2 {
        (WINDOW / 2.0).to_pos2()
    }
}

fn hover(bench: &mut Bench, runs: usize) -> Duration {
    let samples = (0..runs)
        .map(|i| {
            let at = Bench::centre() + Vec2::new((i % 40) as f32 * 3.0, 0.0);
            bench.frame(vec![Event::PointerMoved(at)])
        })
        .collect();
    support::median(samples)
}

/// Hover frames with a service in the middle of the plan (one that depends on another) selected.
fn hover_selected(bench: &mut Bench, runs: usize) -> Duration {
    let plan = bench.app.document().plan();
    let middle = &plan.services[plan.services.len() / 2..];
    let Some(service) = middle
        .iter()
        .find(|s| plan.dependencies.iter().any(|d| d.service == s.id))
    else {
        return Duration::ZERO;
    };
    let select = Message::Select(Some(ObjectRef::Service(service.id.clone())));
    let ctx = bench.ctx.clone();
    bench.app.execute(&ctx, select);
    bench.frame(Vec::new());
    let took = hover(bench, runs);
    bench.app.execute(&ctx, Message::Select(None));
    took
}

fn drag(bench: &mut Bench, runs: usize) -> Duration {
    // Press on the first service's box (wherever it is drawn) and move.
    let id = bench.app.document().plan().services[0].id.clone();
    let Some(from) = bench.app.canvas().screen_pos_of(&bench.ctx, &id) else {
        return Duration::ZERO;
    };
    bench.frame(vec![Event::PointerMoved(from)]);
    bench.frame(vec![Event::PointerButton {
        pos: from,
        button: PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    }]);
    let samples = (0..runs)
        .map(|i| {
            bench.frame(vec![Event::PointerMoved(
                from + Vec2::new(i as f32 * 2.0, 1.0),
            )])
        })
        .collect();
    let end = from + Vec2::new(runs as f32 * 2.0, 1.0);
    bench.frame(vec![Event::PointerButton {
        pos: end,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    }]);
    support::median(samples)
}

/// Renames service `index` to `name`, as the inspector's name field does.
fn rename(document: &Document, index: usize, name: String) -> Message {
    let mut service = document.plan().services[index].clone();
    service.name = name;
    Message::Edit {
        edit: Box::new(Edit::Set {
            index,
            object: Object::Service(service),
        }),
        label: "Rename service".to_owned(),
        group: None,
    }
}

fn edit_frame(bench: &mut Bench, runs: usize) -> Duration {
    let samples = (0..runs)
        .map(|i| {
            let message = rename(bench.app.document(), i % 7, format!("Renamed {i}"));
            let ctx = bench.ctx.clone();
            let start = Instant::now();
            bench.app.execute(&ctx, message);
            start.elapsed() + bench.frame(Vec::new())
        })
        .collect();
    support::median(samples)
}

fn edit_core(plan: &cutover::plan::Plan, runs: usize) -> Duration {
    let mut document = Document::new(plan.clone(), None);
    let samples = (0..runs)
        .map(|i| {
            let mut service = document.plan().services[i % 7].clone();
            service.name = format!("Renamed {i}");
            let edit = Edit::Set {
                index: i % 7,
                object: Object::Service(service),
            };
            let start = Instant::now();
            document
                .apply(edit, "Rename service", None)
                .expect("a rename applies");
            document.refresh();
            start.elapsed()
        })
        .collect();
    support::median(samples)
}

fn main() {
    let sizes = support::sizes(&[100, 1000, 2000]);
    let dir = std::env::temp_dir().join(format!("cutover-frame-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    println!(
        "{:>8} {:>12} {:>12} {:>12} {:>12} {:>12}",
        "services", "hover", "selected", "drag", "edit frame", "edit core"
    );
    for services in sizes {
        let plan = generate(&SynthOptions {
            services,
            regions: 1,
            seed: 1,
        });
        let path = dir.join(format!("synthetic-{services}.ron"));
        cutover::storage::save_plan(&path, &plan).expect("the plan is written");
        let runs = if services <= 100 { 61 } else { 21 };
        let mut bench = Bench::new(path);
        let hover = hover(&mut bench, runs);
        let selected = hover_selected(&mut bench, runs);
        let drag = drag(&mut bench, runs);
        let edit = edit_frame(&mut bench, runs);
        let core = edit_core(&plan, runs);
        println!(
            "{services:>8} {:>12} {:>12} {:>12} {:>12} {:>12}",
            format!("{:.2} ms", hover.as_secs_f64() * 1e3),
            format!("{:.2} ms", selected.as_secs_f64() * 1e3),
            format!("{:.2} ms", drag.as_secs_f64() * 1e3),
            format!("{:.2} ms", edit.as_secs_f64() * 1e3),
            format!("{:.2} ms", core.as_secs_f64() * 1e3),
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}
