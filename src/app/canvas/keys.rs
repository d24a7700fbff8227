//! The canvas with the keyboard: Tab and the arrow keys step through the services, Enter inspects,
//! and in connect mode they choose what the service being connected depends on.

use egui::{Stroke, StrokeKind, Vec2};

use super::super::document::Document;
use super::super::message::Message;
use super::super::selection::{Selection, selected_service};
use super::Canvas;
use crate::plan::{Id, ObjectRef};

impl Canvas {
    /// The canvas takes the keyboard when clicked: Tab and Shift+Tab step through the services
    /// (top to bottom, left to right), the arrow keys go to the nearest service that way, Enter
    /// inspects the selected one, Escape or a click elsewhere gives the keyboard back.
    pub(super) fn keyboard(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        document: &Document,
        selection: &Selection,
        out: &mut Vec<Message>,
    ) {
        use egui::{Key, Modifiers};
        if response.clicked() || response.drag_started() || response.secondary_clicked() {
            self.has_keyboard = true;
        } else if (ui.input(|i| i.pointer.any_pressed()) && !response.hovered())
            || ui.input(|i| i.key_pressed(Key::Escape))
            || ui.ctx().text_edit_focused()
        {
            self.has_keyboard = false;
        }
        if !self.has_keyboard {
            return;
        }
        let step = ui.input_mut(|i| {
            if i.consume_key(Modifiers::SHIFT, Key::Tab) {
                Some(Step::Previous)
            } else if i.consume_key(Modifiers::NONE, Key::Tab) {
                Some(Step::Next)
            } else {
                [
                    (Key::ArrowLeft, Vec2::new(-1.0, 0.0)),
                    (Key::ArrowRight, Vec2::new(1.0, 0.0)),
                    (Key::ArrowUp, Vec2::new(0.0, -1.0)),
                    (Key::ArrowDown, Vec2::new(0.0, 1.0)),
                ]
                .into_iter()
                .find(|(key, _)| i.consume_key(Modifiers::NONE, *key))
                .map(|(_, towards)| Step::Towards(towards))
            }
        });
        if step.is_some() {
            // egui moves the keyboard to the next widget on Tab when none has it: the canvas keeps it.
            let focused = ui.ctx().memory(|m| m.focused());
            if let Some(focused) = focused {
                ui.ctx().memory_mut(|m| m.surrender_focus(focused));
            }
        }
        if let Some(from) = self.connect_from.clone() {
            self.keyboard_connect(ui, document, &from, step, out);
            return;
        }
        let current = selected_service(selection);
        if let Some(step) = step
            && let Some(next) = step_from(document.plan(), current, step)
        {
            if let Some(service) = document.plan().service(&next) {
                self.request_reveal(service.position);
            }
            out.push(Message::Select(Some(ObjectRef::Service(next))));
        }
        if current.is_some() && ui.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Enter)) {
            out.push(Message::Inspect);
        }
    }

    /// In connect mode with the keyboard: `step` moves the choice of what `from` will depend on
    /// (never `from` itself), Enter connects.
    fn keyboard_connect(
        &mut self,
        ui: &egui::Ui,
        document: &Document,
        from: &Id,
        step: Option<Step>,
        out: &mut Vec<Message>,
    ) {
        let plan = document.plan();
        if let Some(step) = step {
            // From the first service in reading order, skipping the one being connected.
            let mut target = step_from(plan, self.connect_target.as_ref(), step);
            if target.as_ref() == Some(from) {
                target = step_from(plan, target.as_ref(), step);
            }
            if let Some(service) = target.as_ref().and_then(|id| plan.service(id)) {
                self.request_reveal(service.position);
            }
            self.connect_target = target.filter(|t| t != from);
        }
        if let Some(target) = &self.connect_target {
            if let Some(rect) = self.node_screen_rect(ui.ctx(), target) {
                let colour = ui.visuals().selection.stroke.color;
                ui.painter_at(self.rect).rect_stroke(
                    rect.expand(4.0),
                    6.0,
                    Stroke::new(2.5, colour),
                    StrokeKind::Outside,
                );
            }
            if ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Enter)) {
                out.push(Message::Connect {
                    service: from.clone(),
                    on: target.clone(),
                });
                self.connect_from = None;
                self.connect_target = None;
            }
        }
    }
}

/// A move of the keyboard selection on the canvas.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// The next service in reading order (top to bottom, left to right).
    Next,
    /// The previous one.
    Previous,
    /// The nearest service in this direction (screen coordinates), else the next or previous.
    Towards(Vec2),
}

/// The service a keyboard step from `current` lands on.
fn step_from(plan: &crate::plan::Plan, current: Option<&Id>, step: Step) -> Option<Id> {
    let mut order: Vec<&crate::plan::Service> = plan.services.iter().collect();
    order.sort_by(|a, b| {
        (a.position.y, a.position.x)
            .partial_cmp(&(b.position.y, b.position.x))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let at = current.and_then(|id| order.iter().position(|s| &s.id == id));
    let Some(at) = at else {
        return order.first().map(|s| s.id.clone());
    };
    let next = |forward: bool| {
        let n = order.len();
        let index = if forward {
            (at + 1) % n
        } else {
            (at + n - 1) % n
        };
        order.get(index).map(|s| s.id.clone())
    };
    match step {
        Step::Next => next(true),
        Step::Previous => next(false),
        Step::Towards(towards) => {
            let from = order[at].position;
            let nearest = order
                .iter()
                .filter_map(|s| {
                    let d = Vec2::new(s.position.x - from.x, s.position.y - from.y);
                    let along = d.dot(towards);
                    let across = (d - towards * along).length();
                    (along > 0.0 && across <= along).then_some((d.length(), s))
                })
                .min_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
            match nearest {
                Some((_, s)) => Some(s.id.clone()),
                None => next(towards.x + towards.y > 0.0),
            }
        }
    }
}
