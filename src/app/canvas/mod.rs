//! The canvas: services as boxes coloured by tier, dependencies as arrows, drawn with egui_graphs.
//!
//! The plan is the source of truth. The view graph is rebuilt from it only when the document's
//! revision changes, positions come from the plan (a no-op layout keeps egui_graphs from moving
//! anything), and every change the user makes here (move, add, connect) goes out as a command.

use std::collections::HashMap;

use egui::{Align2, FontId, Pos2, Rect, Stroke, StrokeKind, Vec2};
use egui_graphs::{
    DefaultEdgeShape, Graph, GraphChange, GraphView, MetadataFrame, SettingsInteraction,
    SettingsNavigation, SettingsStyle,
};
use petgraph::Directed;
use petgraph::stable_graph::{DefaultIx, NodeIndex};

use super::commands::Command;
use super::document::{Document, Revision};
use super::message::Message;
use super::selection::{Selection, selected_service};
use super::style;
use crate::edit::Edit;
use crate::plan::{Id, ObjectRef, Position, Tier};

mod shape;

pub use shape::{FixedLayout, FixedState, NodeData, ServiceShape};

/// The id egui_graphs keeps the canvas's zoom and pan under.
const VIEW_ID: &str = "cutover-canvas";

type ViewGraph = Graph<NodeData, (), Directed, DefaultIx, ServiceShape, DefaultEdgeShape>;

/// A pending change of zoom and pan, applied before the next draw.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ViewRequest {
    Fit,
    Centre(Position),
    /// Centre on the position only if a service box there would not be fully in view.
    Reveal(Position),
    Zoom(f32),
}

/// The canvas panel and the view graph it draws.
pub struct Canvas {
    graph: ViewGraph,
    built_revision: Option<Revision>,
    node_of: HashMap<Id, NodeIndex>,
    shown_selection: Option<NodeIndex>,
    shown_edge: Option<petgraph::stable_graph::EdgeIndex>,
    rect: Rect,
    view_request: Option<ViewRequest>,
    /// Connect mode: the next service clicked becomes what this one depends on.
    connect_from: Option<Id>,
    /// A Shift-drag from this service, to connect it to the one it is dropped on.
    link_from: Option<Id>,
    /// What the open context menu is about: the service right-clicked (if any) and the spot.
    context: Option<(Option<Id>, Position)>,
    /// The node being dragged, where it was, and where the pointer pressed it.
    drag_start: Option<(NodeIndex, Pos2, Option<Pos2>)>,
    /// Whether the canvas has the keyboard (since it was last clicked).
    has_keyboard: bool,
    /// In connect mode, the service chosen with the keyboard so far.
    connect_target: Option<Id>,
}

impl Default for Canvas {
    fn default() -> Self {
        Self {
            graph: ViewGraph::new(),
            built_revision: None,
            node_of: HashMap::new(),
            shown_selection: None,
            shown_edge: None,
            rect: Rect::from_min_size(Pos2::ZERO, Vec2::new(800.0, 600.0)),
            view_request: None,
            connect_from: None,
            link_from: None,
            drag_start: None,
            context: None,
            has_keyboard: false,
            connect_target: None,
        }
    }
}

impl Canvas {
    /// Zoom and pan so every service is visible, on the next frame.
    pub fn request_fit(&mut self) {
        self.view_request = Some(ViewRequest::Fit);
    }

    /// Centre the view on a canvas position, on the next frame.
    pub fn request_centre(&mut self, position: Position) {
        self.view_request = Some(ViewRequest::Centre(position));
    }

    /// Bring a service box at `position` into view on the next frame, if it is not in view already.
    pub fn request_reveal(&mut self, position: Position) {
        self.view_request = Some(ViewRequest::Reveal(position));
    }

    /// Zoom by `factor` around the view's centre, on the next frame.
    pub fn request_zoom(&mut self, factor: f32) {
        self.view_request = Some(ViewRequest::Zoom(factor));
    }

    /// Enter connect mode from `service`: the next service clicked is what it depends on. The
    /// canvas takes the keyboard, so Tab or the arrows and Enter can choose it too.
    pub fn start_connect(&mut self, service: Id) {
        self.connect_from = Some(service);
        self.connect_target = None;
        self.has_keyboard = true;
    }

    /// The service connect mode starts from, if it is on.
    pub fn connecting_from(&self) -> Option<&Id> {
        self.connect_from.as_ref()
    }

    /// How many nodes and edges the view graph holds (for tests and the status bar).
    pub fn graph_size(&self) -> (usize, usize) {
        (self.graph.g().node_count(), self.graph.g().edge_count())
    }

    /// What the node of a service shows (name, tier, wave, problem marker).
    pub fn node_data(&self, id: &Id) -> Option<&NodeData> {
        self.graph.node(*self.node_of.get(id)?).map(|n| n.payload())
    }

    /// The canvas's zoom factor now.
    pub fn zoom(&self, ctx: &egui::Context) -> f32 {
        load_meta(ctx).zoom
    }

    /// The document revision the view graph was last built from.
    pub fn built_revision(&self) -> Option<Revision> {
        self.built_revision
    }

    /// Where a service's centre is on the screen now, from the last drawn frame.
    pub fn screen_pos_of(&self, ctx: &egui::Context, id: &Id) -> Option<Pos2> {
        let node = self.graph.node(*self.node_of.get(id)?)?;
        let meta = load_meta(ctx);
        Some(meta.canvas_to_screen_pos(node.location()) + self.rect.min.to_vec2())
    }

    /// Where a service's box is on the screen now, from the last drawn frame.
    pub fn node_screen_rect(&self, ctx: &egui::Context, id: &Id) -> Option<Rect> {
        let centre = self.screen_pos_of(ctx, id)?;
        Some(Rect::from_center_size(
            centre,
            shape::NODE_SIZE * load_meta(ctx).zoom,
        ))
    }

    /// The canvas position at the centre of the view, from the last drawn frame.
    pub fn view_centre(&self, ctx: &egui::Context) -> Position {
        let meta = load_meta(ctx);
        let at = meta.screen_to_canvas_pos((self.rect.size() / 2.0).to_pos2());
        Position {
            x: at.x.round(),
            y: at.y.round(),
        }
    }

    /// A service box's size in canvas units.
    pub fn node_size() -> [f32; 2] {
        [shape::NODE_SIZE.x, shape::NODE_SIZE.y]
    }

    /// The canvas's area on the screen, from the last drawn frame.
    pub fn screen_rect(&self) -> Rect {
        self.rect
    }

    /// Draws the canvas and collects what the user did as commands.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        document: &Document,
        selection: &Selection,
        out: &mut Vec<Message>,
    ) {
        if self.built_revision != Some(document.revision()) {
            self.rebuild(document);
        }
        self.show_selection(selection);
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.connect_from = None;
            self.connect_target = None;
            self.link_from = None;
        }

        let linking = ui.input(|i| i.modifiers.shift) || self.link_from.is_some();
        let fit = self.view_request == Some(ViewRequest::Fit);
        self.apply_view_request(ui, document);

        let interactions = SettingsInteraction::new()
            .with_dragging_enabled(!linking)
            .with_node_clicking_enabled(true)
            .with_edge_clicking_enabled(true)
            .with_hover_enabled(true);
        // egui_graphs' own fit-to-screen counts every node as wide as it is tall, so wide boxes
        // spill out of a narrow canvas; the canvas fits to the boxes' real extent instead.
        let navigation = SettingsNavigation::new()
            .with_fit_to_screen_enabled(false)
            .with_zoom_and_pan_enabled(!linking);
        let styles = SettingsStyle::new().with_labels_always(false);
        let response = GraphView::<FixedState, FixedLayout>::new()
            .with_id(Some(VIEW_ID.to_owned()))
            .with_interactions(&interactions)
            .with_navigations(&navigation)
            .with_styles(&styles)
            .show(ui, &mut self.graph);
        self.rect = response.response.rect;
        if fit {
            // Again in this frame's size (and over egui_graphs' fit on its very first frame).
            let mut meta = load_meta(ui.ctx());
            fit_boxes(&mut meta, document.plan(), self.rect.size());
            ui.ctx().data_mut(|d| d.insert_persisted(meta_key(), meta));
        }

        let pointer = ui.input(|i| i.pointer.latest_pos());
        for change in &response.changes {
            self.handle_change(change, pointer, document, out);
        }
        self.handle_wheel_zoom(ui, &response.response);
        self.handle_empty_space(ui, &response.response, out);
        self.handle_link_gesture(ui, &response.response, out);
        self.context_menu(ui, &response.response, out);
        self.keyboard(ui, &response.response, document, selection, out);
        self.name_on_hover(ui, &response.response, document);
        self.paint_overlay(ui, document);
    }

    /// The canvas takes the keyboard when clicked: Tab and Shift+Tab step through the services
    /// (top to bottom, left to right), the arrow keys go to the nearest service that way, Enter
    /// inspects the selected one, Escape or a click elsewhere gives the keyboard back.
    fn keyboard(
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

    /// The whole name and the id of the service under the pointer, as a tooltip (a long name is cut
    /// short in its box).
    fn name_on_hover(&self, ui: &egui::Ui, response: &egui::Response, document: &Document) {
        let Some(pointer) = response.hover_pos() else {
            return;
        };
        if ui.input(|i| i.pointer.any_down()) || self.link_from.is_some() {
            return;
        }
        if let Some(service) = self
            .service_at(ui.ctx(), pointer)
            .and_then(|id| document.plan().service(&id))
        {
            response
                .clone()
                .on_hover_text_at_pointer(format!("{} ({})", service.name, service.id));
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

    fn rebuild(&mut self, document: &Document) {
        let plan = document.plan();
        let mut graph = ViewGraph::new();
        let mut node_of = HashMap::with_capacity(plan.services.len());
        for (index, service) in plan.services.iter().enumerate() {
            if node_of.contains_key(&service.id) {
                continue; // A duplicate id: the analysis reports it; draw the first only.
            }
            let data = NodeData {
                index,
                id: service.id.clone(),
                name: service.name.clone(),
                tier: service.tier,
                wave: document.waves().get(index).copied().flatten(),
                problem: document.worst_severity().get(index).copied().flatten(),
            };
            let location = Pos2::new(service.position.x, service.position.y);
            let node = graph.add_node_custom(data, |n| n.set_location(location));
            node_of.insert(service.id.clone(), node);
        }
        for dependency in &plan.dependencies {
            if let (Some(&from), Some(&to)) = (
                node_of.get(&dependency.service),
                node_of.get(&dependency.on),
            ) {
                graph.add_edge(from, to, ());
            }
        }
        self.graph = graph;
        self.node_of = node_of;
        self.shown_selection = None;
        self.shown_edge = None;
        self.built_revision = Some(document.revision());
    }

    fn show_selection(&mut self, selection: &Selection) {
        let wanted = selected_service(selection)
            .and_then(|id| self.node_of.get(id))
            .copied();
        if wanted == self.shown_selection {
            return;
        }
        if let Some(node) = self.shown_selection.and_then(|n| self.graph.node_mut(n)) {
            node.set_selected(false);
        }
        if let Some(node) = wanted.and_then(|n| self.graph.node_mut(n)) {
            node.set_selected(true);
        }
        self.shown_selection = wanted;
    }

    fn apply_view_request(&mut self, ui: &egui::Ui, document: &Document) {
        let Some(request) = self.view_request.take() else {
            return;
        };
        let mut meta = load_meta(ui.ctx());
        let size = self.rect.size();
        match request {
            ViewRequest::Fit => fit_boxes(&mut meta, document.plan(), size),
            ViewRequest::Centre(p) => {
                meta.pan = size / 2.0 - Vec2::new(p.x, p.y) * meta.zoom;
            }
            ViewRequest::Reveal(p) => {
                // Pan as little as brings the box in, with a margin, so the rest stays in place.
                let centre = meta.canvas_to_screen_pos(Pos2::new(p.x, p.y));
                let node = Rect::from_center_size(centre, shape::NODE_SIZE * meta.zoom);
                let view = Rect::from_min_size(Pos2::ZERO, size).shrink(REVEAL_MARGIN);
                let shift = |low: f32, high: f32, min: f32, max: f32| {
                    if high - low > max - min {
                        (min + max) / 2.0 - (low + high) / 2.0
                    } else if low < min {
                        min - low
                    } else if high > max {
                        max - high
                    } else {
                        0.0
                    }
                };
                meta.pan += Vec2::new(
                    shift(node.min.x, node.max.x, view.min.x, view.max.x),
                    shift(node.min.y, node.max.y, view.min.y, view.max.y),
                );
            }
            ViewRequest::Zoom(factor) => {
                let centre_canvas = (size / 2.0 - meta.pan) / meta.zoom;
                meta.zoom = (meta.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
                meta.pan = size / 2.0 - centre_canvas * meta.zoom;
            }
        }
        ui.ctx().data_mut(|d| d.insert_persisted(meta_key(), meta));
    }

    fn handle_change(
        &mut self,
        change: &GraphChange<DefaultIx>,
        pointer: Option<Pos2>,
        document: &Document,
        out: &mut Vec<Message>,
    ) {
        let id_of = |node: &NodeIndex| self.graph.node(*node).map(|n| n.payload().id.clone());
        match change {
            GraphChange::NodeClicked { node } => {
                let Some(id) = id_of(node) else { return };
                if let Some(from) = self.connect_from.take() {
                    out.push(Message::Connect {
                        service: from,
                        on: id,
                    });
                } else {
                    out.push(Message::Select(Some(ObjectRef::Service(id))));
                }
            }
            GraphChange::EdgeClicked { edge } => {
                let ends = self
                    .graph
                    .edge_endpoints(*edge)
                    .and_then(|(from, to)| Some((id_of(&from)?, id_of(&to)?)));
                if let Some((service, on)) = ends {
                    out.push(Message::Select(Some(ObjectRef::Dependency { service, on })));
                }
            }
            GraphChange::NodeDoubleClicked { node } => {
                if let Some(id) = id_of(node) {
                    out.push(Message::Select(Some(ObjectRef::Service(id))));
                    out.push(Message::Command(Command::RenameSelection));
                }
            }
            GraphChange::NodeDragStarted { node } => {
                self.drag_start = self
                    .graph
                    .node(*node)
                    .map(|n| (*node, n.location(), pointer));
            }
            GraphChange::NodeDragEnded { node } => {
                // egui_graphs centres a pressed node under the pointer; a click that barely moved
                // is a click, not a move.
                if let Some((started, location, Some(from))) = self.drag_start.take()
                    && started == *node
                    && pointer.is_some_and(|p| p.distance(from) < 4.0)
                {
                    if let Some(view) = self.graph.node_mut(*node) {
                        view.set_location(location);
                    }
                    return;
                }
                let Some(view) = self.graph.node(*node) else {
                    return;
                };
                let index = view.payload().index;
                let location = view.location();
                let moved = Position {
                    x: location.x.round(),
                    y: location.y.round(),
                };
                let unchanged = document
                    .plan()
                    .services
                    .get(index)
                    .is_some_and(|s| s.position == moved);
                if !unchanged {
                    out.push(Message::Edit {
                        edit: Box::new(Edit::SetPositions(vec![(index, moved)])),
                        label: "Move service".to_owned(),
                        group: None,
                    });
                }
            }
            _ => {}
        }
    }

    /// Right-click: what can be done to the service under the pointer, or at that spot.
    fn context_menu(&mut self, ui: &egui::Ui, response: &egui::Response, out: &mut Vec<Message>) {
        if response.secondary_clicked()
            && let Some(pointer) = response.interact_pointer_pos()
        {
            let meta = load_meta(ui.ctx());
            let at = meta.screen_to_canvas_pos(pointer - self.rect.min.to_vec2());
            self.context = Some((
                self.service_at(ui.ctx(), pointer),
                Position {
                    x: at.x.round(),
                    y: at.y.round(),
                },
            ));
        }
        let Some((service, at)) = self.context.clone() else {
            return;
        };
        response.context_menu(|ui| match &service {
            Some(id) => {
                ui.label(egui::RichText::new(format!("Service `{id}`")).strong());
                let select = Message::Select(Some(ObjectRef::Service(id.clone())));
                for (text, command) in [
                    ("Rename…", Message::Command(Command::RenameSelection)),
                    ("Connect to…", Message::Command(Command::StartConnect)),
                    ("Delete service", Message::Command(Command::DeleteSelection)),
                ] {
                    if ui.button(text).clicked() {
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
                for command in [Command::Fit, Command::AutoLayout] {
                    if ui.button(command.label()).clicked() {
                        out.push(command.into());
                        ui.close();
                    }
                }
            }
        });
    }

    /// The mouse wheel zooms around the pointer (egui_graphs itself zooms only with Ctrl held).
    fn handle_wheel_zoom(&self, ui: &egui::Ui, response: &egui::Response) {
        let (scroll, ctrl) = ui.input(|i| (i.smooth_scroll_delta.y, i.modifiers.command));
        let Some(pointer) = response.hover_pos() else {
            return;
        };
        if scroll == 0.0 || ctrl {
            return;
        }
        let mut meta = load_meta(ui.ctx());
        let local = pointer - self.rect.min;
        let under_pointer = (local - meta.pan) / meta.zoom;
        meta.zoom = (meta.zoom * (scroll * 0.002).exp()).clamp(MIN_ZOOM, MAX_ZOOM);
        meta.pan = local - under_pointer * meta.zoom;
        ui.ctx().data_mut(|d| d.insert_persisted(meta_key(), meta));
    }

    fn handle_empty_space(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        out: &mut Vec<Message>,
    ) {
        let Some(pointer) = response.interact_pointer_pos() else {
            return;
        };
        let meta = load_meta(ui.ctx());
        let local = pointer - self.rect.min.to_vec2();
        if self.graph.node_by_screen_pos(&meta, local).is_some()
            || self.graph.edge_by_screen_pos(&meta, local).is_some()
        {
            return;
        }
        if response.double_clicked() {
            let at = meta.screen_to_canvas_pos(local);
            out.push(Message::AddServiceAt(Position {
                x: at.x.round(),
                y: at.y.round(),
            }));
        } else if response.clicked() {
            self.connect_from = None;
            out.push(Message::Select(None));
        }
    }

    /// Shift-drag from one service to another: "the first depends on the second".
    fn handle_link_gesture(
        &mut self,
        ui: &egui::Ui,
        response: &egui::Response,
        out: &mut Vec<Message>,
    ) {
        let shift = ui.input(|i| i.modifiers.shift);
        if response.drag_started() && shift {
            let origin = ui.input(|i| i.pointer.press_origin());
            self.link_from = origin.and_then(|p| self.service_at(ui.ctx(), p));
        }
        let Some(from) = self.link_from.clone() else {
            return;
        };
        let pointer = ui.input(|i| i.pointer.latest_pos());
        if let (Some(start), Some(end)) = (self.screen_pos_of(ui.ctx(), &from), pointer) {
            let colour = ui.visuals().selection.stroke.color;
            let painter = ui.painter_at(self.rect);
            painter.arrow(start, end - start, Stroke::new(2.5, colour));
        }
        let released = ui.input(|i| i.pointer.any_released()) || response.drag_stopped();
        if released {
            self.link_from = None;
            if let Some(to) = pointer.and_then(|p| self.service_at(ui.ctx(), p))
                && to != from
            {
                out.push(Message::Connect {
                    service: from,
                    on: to,
                });
            }
        }
    }

    fn service_at(&self, ctx: &egui::Context, screen: Pos2) -> Option<Id> {
        let meta = load_meta(ctx);
        let node = self
            .graph
            .node_by_screen_pos(&meta, screen - self.rect.min.to_vec2())?;
        self.graph.node(node).map(|n| n.payload().id.clone())
    }

    fn paint_overlay(&self, ui: &egui::Ui, document: &Document) {
        let painter = ui.painter_at(self.rect);
        let visuals = ui.visuals();
        let weak = visuals.weak_text_color();
        let hint = if let Some(from) = &self.connect_from {
            format!(
                "Click the service `{from}` should depend on (or Tab to it and press Enter) · Esc cancels"
            )
        } else if document.plan().services.is_empty() {
            "Double-click to add a service, or press A".to_owned()
        } else {
            "Drag to move · Shift-drag from a service to another to add a dependency · double-click empty space to add"
                .to_owned()
        };
        painter.text(
            self.rect.left_top() + Vec2::new(10.0, 8.0),
            Align2::LEFT_TOP,
            hint,
            FontId::proportional(12.5),
            if self.connect_from.is_some() {
                visuals.strong_text_color()
            } else {
                weak
            },
        );
        // Tier legend, bottom left.
        let mut y = self.rect.bottom() - 10.0;
        for tier in Tier::ALL.iter().rev() {
            let swatch = Rect::from_min_size(
                Pos2::new(self.rect.left() + 10.0, y - 12.0),
                Vec2::splat(12.0),
            );
            painter.rect_filled(swatch, 3.0, style::tier_colour(*tier, visuals.dark_mode));
            painter.rect_stroke(
                swatch,
                3.0,
                Stroke::new(1.0, style::tier_accent(*tier)),
                StrokeKind::Inside,
            );
            painter.text(
                Pos2::new(swatch.right() + 6.0, swatch.center().y),
                Align2::LEFT_CENTER,
                tier.label(),
                FontId::proportional(12.0),
                weak,
            );
            y -= 17.0;
        }
        let (nodes, edges) = self.graph_size();
        let meta = load_meta(ui.ctx());
        painter.text(
            self.rect.right_bottom() + Vec2::new(-10.0, -8.0),
            Align2::RIGHT_BOTTOM,
            format!(
                "{nodes} services · {edges} dependencies · zoom {:.0}% · drawn in {:.2} ms",
                meta.zoom * 100.0,
                meta.last_draw_time_ms
            ),
            FontId::proportional(12.0),
            weak,
        );
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

/// The key egui_graphs stores the canvas's zoom and pan under (it hashes its own id once more).
/// The zoom range of the canvas.
const MIN_ZOOM: f32 = 0.02;
/// The zoom range's top.
const MAX_ZOOM: f32 = 8.0;

/// How far inside the canvas's edge a revealed service's box is brought.
const REVEAL_MARGIN: f32 = 24.0;

/// Room left around the services when fitting them into the canvas, as a share of their extent.
const FIT_PADDING: f32 = 0.15;

/// Sets zoom and pan so that every service's box fits in a canvas of `size`, centred; with no
/// services, the origin is centred at zoom 1.
fn fit_boxes(meta: &mut MetadataFrame, plan: &crate::plan::Plan, size: Vec2) {
    let half = shape::NODE_SIZE / 2.0;
    let bounds = plan.services.iter().fold(None, |bounds: Option<Rect>, s| {
        let centre = Pos2::new(s.position.x, s.position.y);
        let node = Rect::from_center_size(centre, half * 2.0);
        Some(bounds.map_or(node, |b| b.union(node)))
    });
    let Some(bounds) = bounds.filter(|b| b.is_finite()) else {
        meta.zoom = 1.0;
        meta.pan = size / 2.0;
        return;
    };
    let extent = bounds.size() * (1.0 + FIT_PADDING);
    let zoom = (size.x / extent.x).min(size.y / extent.y);
    meta.zoom = if zoom.is_finite() {
        zoom.clamp(MIN_ZOOM, MAX_ZOOM)
    } else {
        1.0
    };
    meta.pan = size / 2.0 - bounds.center().to_vec2() * meta.zoom;
}

fn meta_key() -> egui::Id {
    egui::Id::new(MetadataFrame::new(Some(VIEW_ID.to_owned())).get_id())
}

/// The zoom and pan egui_graphs keeps for the canvas.
fn load_meta(ctx: &egui::Context) -> MetadataFrame {
    ctx.data_mut(|d| d.get_persisted::<MetadataFrame>(meta_key()))
        .unwrap_or_else(|| MetadataFrame::new(Some(VIEW_ID.to_owned())))
}
