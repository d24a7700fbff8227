//! The canvas with the mouse: click to select (Ctrl+click to add to the selection), drag a service to
//! move it (or every selected service), drag empty space to pan, Shift+drag from a service to another
//! to connect them, Shift+drag on empty space to select every service in a box, the wheel to zoom,
//! double-click to rename or add, right-click for a menu.

use egui::{Modifiers, Pos2, Rect, Stroke, StrokeKind, Vec2};

use super::super::commands::Command;
use super::super::document::Document;
use super::super::message::Message;
use super::Canvas;
use crate::edit::Edit;
use crate::plan::{Id, ObjectRef, Position};

/// How far (screen points) a press may move and still count as a click, not a move.
const CLICK_SLOP: f32 = 4.0;
/// How close (screen points) a click must be to an arrow to select it.
const EDGE_TOLERANCE: f32 = 6.0;

/// A drag in progress on the canvas.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Gesture {
    /// Moving these nodes; where the press was.
    Move {
        /// The nodes moved together.
        nodes: Vec<usize>,
        /// Where the pointer pressed (screen).
        origin: Pos2,
    },
    /// Panning the view from `pan` when the press was at `origin`.
    Pan {
        /// The pan when the drag started.
        pan: Vec2,
        /// Where the pointer pressed (screen).
        origin: Pos2,
    },
    /// Selecting the services inside the box from `origin` to the pointer.
    Select {
        /// Where the pointer pressed (screen).
        origin: Pos2,
    },
}

impl Canvas {
    /// Handles the pointer over the graph area this frame.
    pub(super) fn pointer(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        document: &Document,
        out: &mut Vec<Message>,
    ) {
        let (latest, origin, modifiers) = ui.input(|i| {
            (
                i.pointer.latest_pos(),
                i.pointer.press_origin(),
                i.modifiers,
            )
        });
        self.hovered = response
            .hover_pos()
            .and_then(|p| self.scene.node_at(self.to_canvas(p)));
        if response.drag_started_by(egui::PointerButton::Primary)
            || response.drag_started_by(egui::PointerButton::Middle)
        {
            self.start_gesture(origin.or(latest), modifiers);
        }
        if let Some(pointer) = latest {
            self.follow_gesture(ui, pointer);
        }
        if response.drag_stopped()
            || (self.gesture.is_some() && !ui.input(|i| i.pointer.any_down()))
        {
            if let (Some(gesture), Some(pointer)) = (self.gesture.take(), latest) {
                self.finish_gesture(gesture, pointer, document, out);
            }
            self.moving = None;
        }
        if response.double_clicked() {
            self.double_click(response, out);
        } else if response.clicked() {
            self.click(response, modifiers, out);
        }
        self.wheel(ui, response);
        self.link_gesture(ui, response, out);
        self.context_menu(response, out);
    }

    fn start_gesture(&mut self, origin: Option<Pos2>, modifiers: Modifiers) {
        let Some(origin) = origin else { return };
        let under = self.scene.node_at(self.to_canvas(origin));
        self.gesture = match (under, modifiers.shift) {
            // Shift+drag from a service connects (see `link_gesture`).
            (Some(_), true) => None,
            (None, true) => Some(Gesture::Select { origin }),
            (Some(node), false) => {
                let id = &self.scene.nodes[node].id;
                let nodes = if self.group.contains(id) {
                    self.group
                        .iter()
                        .filter_map(|id| self.scene.node_of(id))
                        .collect()
                } else {
                    vec![node]
                };
                Some(Gesture::Move { nodes, origin })
            }
            (None, false) => Some(Gesture::Pan {
                pan: self.view.pan,
                origin,
            }),
        };
    }

    fn follow_gesture(&mut self, ui: &egui::Ui, pointer: Pos2) {
        match &self.gesture {
            Some(Gesture::Move { nodes, origin }) => {
                self.moving = Some((nodes.clone(), (pointer - *origin) / self.view.zoom));
            }
            Some(Gesture::Pan { pan, origin }) => self.view.pan = *pan + (pointer - *origin),
            Some(Gesture::Select { origin }) => {
                let colour = ui.visuals().selection.stroke.color;
                let painter = ui.painter_at(self.rect);
                let area = Rect::from_two_pos(*origin, pointer);
                painter.rect_filled(area, 0.0, colour.gamma_multiply(0.12));
                painter.rect_stroke(area, 0.0, Stroke::new(1.0, colour), StrokeKind::Inside);
            }
            None => {}
        }
    }

    fn finish_gesture(
        &mut self,
        gesture: Gesture,
        pointer: Pos2,
        document: &Document,
        out: &mut Vec<Message>,
    ) {
        match gesture {
            Gesture::Move { nodes, origin } => {
                if pointer.distance(origin) < CLICK_SLOP {
                    return;
                }
                let by = (pointer - origin) / self.view.zoom;
                let moves: Vec<(usize, Position)> = nodes
                    .iter()
                    .filter_map(|&n| self.scene.nodes.get(n))
                    .map(|n| {
                        let at = n.centre + by;
                        (
                            n.index,
                            Position {
                                x: at.x.round(),
                                y: at.y.round(),
                            },
                        )
                    })
                    .filter(|(i, p)| {
                        document
                            .plan()
                            .services
                            .get(*i)
                            .is_some_and(|s| s.position != *p)
                    })
                    .collect();
                if !moves.is_empty() {
                    let label = if moves.len() == 1 {
                        "Move service"
                    } else {
                        "Move services"
                    };
                    out.push(Message::Edit {
                        edit: Box::new(Edit::SetPositions(moves)),
                        label: label.to_owned(),
                        group: None,
                    });
                }
            }
            Gesture::Pan { .. } => {}
            Gesture::Select { origin } => {
                let area = Rect::from_two_pos(self.to_canvas(origin), self.to_canvas(pointer));
                let inside: Vec<Id> = self
                    .scene
                    .reading_order()
                    .into_iter()
                    .map(|n| &self.scene.nodes[n])
                    .filter(|n| area.contains(n.centre))
                    .map(|n| n.id.clone())
                    .collect();
                out.push(Message::Select(
                    inside.first().cloned().map(ObjectRef::Service),
                ));
                self.group = if inside.len() > 1 { inside } else { Vec::new() };
            }
        }
    }

    fn click(&mut self, response: &egui::Response, modifiers: Modifiers, out: &mut Vec<Message>) {
        let Some(pointer) = response.interact_pointer_pos() else {
            return;
        };
        let at = self.to_canvas(pointer);
        if let Some(node) = self.scene.node_at(at) {
            let id = self.scene.nodes[node].id.clone();
            if let Some(from) = self.connect_from.take() {
                out.push(Message::Connect {
                    service: from,
                    on: id,
                });
            } else if modifiers.command {
                self.toggle_in_group(id, out);
            } else {
                self.group.clear();
                out.push(Message::Select(Some(ObjectRef::Service(id))));
            }
        } else if let Some(edge) = self.scene.edge_at(at, EDGE_TOLERANCE / self.view.zoom) {
            let (from, to) = self.scene.edges[edge];
            self.group.clear();
            out.push(Message::Select(Some(ObjectRef::Dependency {
                service: self.scene.nodes[from].id.clone(),
                on: self.scene.nodes[to].id.clone(),
            })));
        } else {
            self.connect_from = None;
            self.group.clear();
            out.push(Message::Select(None));
        }
    }

    /// Ctrl+click: adds a service to the selection, or takes it out.
    fn toggle_in_group(&mut self, id: Id, out: &mut Vec<Message>) {
        if self.group.is_empty()
            && let Some(primary) = self.primary.clone()
        {
            self.group.push(primary);
        }
        if let Some(at) = self.group.iter().position(|g| *g == id) {
            self.group.remove(at);
        } else {
            self.group.push(id.clone());
        }
        let primary = if self.group.contains(&id) {
            Some(id)
        } else {
            self.group.first().cloned()
        };
        if self.group.len() < 2 {
            self.group.clear();
        }
        out.push(Message::Select(primary.map(ObjectRef::Service)));
    }

    fn double_click(&mut self, response: &egui::Response, out: &mut Vec<Message>) {
        let Some(pointer) = response.interact_pointer_pos() else {
            return;
        };
        let at = self.to_canvas(pointer);
        if let Some(node) = self.scene.node_at(at) {
            self.group.clear();
            let id = self.scene.nodes[node].id.clone();
            out.push(Message::Select(Some(ObjectRef::Service(id))));
            out.push(Message::Command(Command::RenameSelection));
        } else if self
            .scene
            .edge_at(at, EDGE_TOLERANCE / self.view.zoom)
            .is_none()
        {
            out.push(Message::AddServiceAt(Position {
                x: at.x.round(),
                y: at.y.round(),
            }));
        }
    }

    /// The wheel zooms around the pointer; so do Ctrl+wheel and a pinch. Nothing keeps zooming once
    /// the wheel stops (egui's smoothing of the wheel ends by itself).
    fn wheel(&mut self, ui: &egui::Ui, response: &egui::Response) {
        let Some(pointer) = response.hover_pos() else {
            return;
        };
        let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let factor = (scroll * 0.002).exp() * pinch;
        if factor != 1.0 && factor.is_finite() {
            self.view
                .zoom_around(pointer - self.rect.min.to_vec2(), factor);
        }
    }

    /// Shift+drag from one service to another: "the first depends on the second".
    fn link_gesture(&mut self, ui: &egui::Ui, response: &egui::Response, out: &mut Vec<Message>) {
        let shift = ui.input(|i| i.modifiers.shift);
        if response.drag_started() && shift {
            let origin = ui.input(|i| i.pointer.press_origin());
            self.link_from = origin.and_then(|p| self.service_at(p));
        }
        let Some(from) = self.link_from.clone() else {
            return;
        };
        let pointer = ui.input(|i| i.pointer.latest_pos());
        if let (Some(start), Some(end)) = (self.screen_pos(&from), pointer) {
            let colour = ui.visuals().selection.stroke.color;
            ui.painter_at(self.rect)
                .arrow(start, end - start, Stroke::new(2.5, colour));
        }
        let released = ui.input(|i| i.pointer.any_released()) || response.drag_stopped();
        if released {
            self.link_from = None;
            if let Some(to) = pointer.and_then(|p| self.service_at(p))
                && to != from
            {
                out.push(Message::Connect {
                    service: from,
                    on: to,
                });
            }
        }
    }

    /// Right-click: what can be done to the service under the pointer, or at that spot.
    fn context_menu(&mut self, response: &egui::Response, out: &mut Vec<Message>) {
        if response.secondary_clicked()
            && let Some(pointer) = response.interact_pointer_pos()
        {
            let at = self.to_canvas(pointer);
            self.context = Some((
                self.service_at(pointer),
                Position {
                    x: at.x.round(),
                    y: at.y.round(),
                },
            ));
        }
        let Some((service, at)) = self.context.clone() else {
            return;
        };
        let group = self.group.len();
        response.context_menu(|ui| match &service {
            Some(id) if group > 1 && self.group.contains(id) => {
                ui.label(egui::RichText::new(format!("{group} services")).strong());
                if ui.button(format!("Delete {group} services")).clicked() {
                    out.push(Message::Command(Command::DeleteSelection));
                    ui.close();
                }
            }
            Some(id) => {
                ui.label(egui::RichText::new(format!("Service `{id}`")).strong());
                let select = Message::Select(Some(ObjectRef::Service(id.clone())));
                for (text, command) in [
                    ("Rename…", Message::Command(Command::RenameSelection)),
                    ("Connect to…", Message::Command(Command::StartConnect)),
                    ("Delete service", Message::Command(Command::DeleteSelection)),
                ] {
                    if ui.button(text).clicked() {
                        self.group.clear();
                        out.push(select.clone());
                        out.push(command);
                        ui.close();
                    }
                }
            }
            None => {
                if ui.button("Add service here").clicked() {
                    out.push(Message::AddServiceAt(at));
                    ui.close();
                }
                for command in [Command::Fit, Command::AutoLayout, Command::FreshLayout] {
                    if ui.button(command.label()).clicked() {
                        out.push(command.into());
                        ui.close();
                    }
                }
            }
        });
    }

    /// The whole name and the id of the service under the pointer, as a tooltip (a long name is cut
    /// short in its box).
    pub(super) fn name_on_hover(&self, ui: &egui::Ui, response: &egui::Response) {
        if ui.input(|i| i.pointer.any_down()) || self.link_from.is_some() {
            return;
        }
        if let Some(node) = self.hovered.and_then(|n| self.scene.nodes.get(n)) {
            response
                .clone()
                .on_hover_text_at_pointer(format!("{} ({})", node.name, node.id));
        }
    }

    /// The service whose box is at screen point `screen`.
    pub(super) fn service_at(&self, screen: Pos2) -> Option<Id> {
        let node = self.scene.node_at(self.to_canvas(screen))?;
        Some(self.scene.nodes[node].id.clone())
    }
}
