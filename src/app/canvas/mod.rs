//! The canvas: services as boxes coloured by tier, dependencies as arrows, drawn with egui's painter.
//!
//! The plan is the source of truth. What is drawn (the [`scene::Scene`]) is rebuilt from it only
//! when the document's revision changes; positions come from the plan, and every change the user
//! makes here (move, add, connect) goes out as a message. The canvas draws only what is in view, at
//! the detail that can be read, and asks for no frame of its own: with no input the app is idle.
//!
//! Around the graph, in strips of their own so they never cover a service: the find, focus and
//! filter bar above ([`bar`]) and the legend, hint, figures and minimap below ([`foot`]).

use egui::{Pos2, Rect, Sense, Vec2};

use super::document::{Document, Revision};
use super::message::Message;
use super::selection::{Selection, selected_service};
use crate::plan::{Id, ObjectRef, Position};

mod bar;
mod foot;
mod image;
mod keys;
pub mod lens;
mod paint;
mod pointer;
mod raster;
pub mod scene;
pub mod view;

pub use lens::Lens;
pub use scene::NodeData;

use lens::Highlight;
use pointer::Gesture;
use scene::{NODE_SIZE, Scene};
use view::View;

/// What the mouse and keys do on the canvas, for Help → Keyboard shortcuts and the README.
pub const GESTURES: [(&str, &str); 12] = [
    ("Click", "Select a service or a dependency"),
    (
        "Ctrl+click",
        "Add a service to the selection, or take it out",
    ),
    (
        "Drag a service",
        "Move it, or every selected service together (one undo step)",
    ),
    ("Drag empty space", "Pan"),
    (
        "Shift+drag from a service to another",
        "The first depends on the second",
    ),
    (
        "Shift+drag on empty space",
        "Select every service in the box",
    ),
    ("Wheel or Ctrl+wheel", "Zoom around the pointer"),
    (
        "Double-click",
        "Rename a service; on empty space, add one there",
    ),
    (
        "Tab, Shift+Tab, arrow keys",
        "Step through the services (after a click on the canvas)",
    ),
    (
        "Ctrl+F, then Enter",
        "Find by name or id; Enter selects and centres the next match",
    ),
    (
        "Focus, Depth",
        "Fade all but the selection's dependencies and dependents",
    ),
    ("Minimap", "Click or drag to move the view there"),
];

/// A pending change of zoom and pan, applied before the next draw.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ViewRequest {
    Fit,
    Centre(Position),
    /// Pan as little as brings a service box there into view.
    Reveal(Position),
    /// Centre on the position only if a service box there is not fully in view.
    Locate(Position),
    Zoom(f32),
}

/// The plan revision and the analysed revision a scene was built from: what it shows follows both.
type SceneKey = (Revision, Revision);

/// The scene key of `document` as it is now.
fn scene_key(document: &Document) -> SceneKey {
    (document.revision(), document.analysed_revision())
}

/// The canvas panel and what it draws.
pub struct Canvas {
    scene: Scene,
    /// The plan and the analysis the scene was built from.
    built: Option<SceneKey>,
    /// Counts the scenes whose boxes were placed or coloured differently from the scene before:
    /// what the minimap shows, which a rename leaves as it is.
    places_serial: u64,
    view: View,
    /// The graph's area on the screen, from the last drawn frame.
    rect: Rect,
    view_request: Option<ViewRequest>,
    /// Connect mode: the next service clicked becomes what this one depends on.
    connect_from: Option<Id>,
    /// A Shift-drag from this service, to connect it to the one it is dropped on.
    link_from: Option<Id>,
    /// What the open context menu is about: the service right-clicked (if any) and the spot.
    context: Option<(Option<Id>, Position)>,
    /// Whether the canvas has the keyboard (since it was last clicked).
    has_keyboard: bool,
    /// In connect mode, the service chosen with the keyboard so far.
    connect_target: Option<Id>,
    /// The drag in progress.
    gesture: Option<Gesture>,
    /// The nodes being dragged and how far, in canvas units.
    moving: Option<(Vec<usize>, Vec2)>,
    /// The node under the pointer.
    hovered: Option<usize>,
    /// The services selected together (box-select, Ctrl+click); empty when one or none is.
    group: Vec<Id>,
    /// The selected service, as of this frame.
    primary: Option<Id>,
    /// Find, focus and filters.
    lens: Lens,
    /// What the lens made of the scene, and for which scene, lens and focused node.
    highlight: Option<(SceneKey, Lens, Option<usize>, Highlight)>,
    /// Give the find field the keyboard on the next frame.
    find_requested: bool,
    /// The minimap's area on the screen, from the last drawn frame.
    minimap: Rect,
    /// The zoomed-out arrows and boxes, drawn once as an image.
    image: image::SceneImage,
    /// The minimap's dots, drawn once as an image.
    minimap_image: foot::MinimapImage,
}

impl Default for Canvas {
    fn default() -> Self {
        Self {
            scene: Scene::default(),
            built: None,
            places_serial: 0,
            view: View::default(),
            rect: Rect::from_min_size(Pos2::ZERO, Vec2::new(800.0, 600.0)),
            view_request: None,
            connect_from: None,
            link_from: None,
            context: None,
            has_keyboard: false,
            connect_target: None,
            gesture: None,
            moving: None,
            hovered: None,
            group: Vec::new(),
            primary: None,
            lens: Lens::default(),
            highlight: None,
            find_requested: false,
            minimap: Rect::NOTHING,
            image: image::SceneImage::default(),
            minimap_image: foot::MinimapImage::new("canvas-minimap"),
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

    /// Centre the view on a service box at `position` on the next frame, unless it is fully in view
    /// already.
    pub fn request_locate(&mut self, position: Position) {
        self.view_request = Some(ViewRequest::Locate(position));
    }

    /// Zoom by `factor` around the view's centre, on the next frame.
    pub fn request_zoom(&mut self, factor: f32) {
        self.view_request = Some(ViewRequest::Zoom(factor));
    }

    /// Whether the canvas has a change of view or of the keyboard waiting for the next frame (the
    /// app then asks for one).
    pub fn wants_frame(&self) -> bool {
        self.view_request.is_some() || self.find_requested
    }

    /// Give the find field the keyboard (Ctrl+F).
    pub fn start_find(&mut self) {
        self.find_requested = true;
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

    /// How many services and dependencies are drawn (for tests and the figures under the graph).
    pub fn graph_size(&self) -> (usize, usize) {
        (self.scene.nodes.len(), self.scene.edges.len())
    }

    /// What the node of a service shows (name, tier, wave, problem marker).
    pub fn node_data(&self, id: &Id) -> Option<&NodeData> {
        self.scene.node(id)
    }

    /// The canvas's zoom factor now.
    pub fn zoom(&self, _ctx: &egui::Context) -> f32 {
        self.view.zoom
    }

    /// The document revision the scene was last built from.
    pub fn built_revision(&self) -> Option<Revision> {
        self.built.map(|(plan, _)| plan)
    }

    /// How many times the zoomed-out canvas has been drawn as an image: frames that only show it
    /// again do not count.
    pub fn images_drawn(&self) -> u64 {
        self.image.times_drawn()
    }

    /// How many times the minimap's dots have been drawn as an image.
    pub fn minimap_images_drawn(&self) -> u64 {
        self.minimap_image.times_drawn()
    }

    /// The services selected together (by a box or Ctrl+click); empty when at most one is.
    pub fn group(&self) -> &[Id] {
        &self.group
    }

    /// Forgets the services selected together (after they were deleted, say).
    pub fn clear_group(&mut self) {
        self.group.clear();
    }

    /// Find, focus and filters as the user set them.
    pub fn lens(&self) -> &Lens {
        &self.lens
    }

    /// Find, focus and filters, to set them (the View menu's focus toggle).
    pub fn lens_mut(&mut self) -> &mut Lens {
        &mut self.lens
    }

    /// The services that match the find text, in reading order, as of the last drawn frame.
    pub fn matches(&self) -> Vec<Id> {
        self.highlight.as_ref().map_or_else(Vec::new, |(.., h)| {
            h.matches
                .iter()
                .filter_map(|&n| self.scene.nodes.get(n).map(|n| n.id.clone()))
                .collect()
        })
    }

    /// Whether a service is faded by focus or a filter, as of the last drawn frame.
    pub fn is_faded(&self, id: &Id) -> bool {
        let Some((.., highlight)) = &self.highlight else {
            return false;
        };
        self.scene
            .node_of(id)
            .is_some_and(|n| !highlight.lit.get(n).copied().unwrap_or(true))
    }

    /// The minimap's area on the screen, from the last drawn frame.
    pub fn minimap_rect(&self) -> Rect {
        self.minimap
    }

    /// Where a service's centre is on the screen now, from the last drawn frame.
    pub fn screen_pos_of(&self, _ctx: &egui::Context, id: &Id) -> Option<Pos2> {
        self.screen_pos(id)
    }

    fn screen_pos(&self, id: &Id) -> Option<Pos2> {
        let node = self.scene.node(id)?;
        Some(self.view.to_local(node.centre) + self.rect.min.to_vec2())
    }

    /// Where a service's box is on the screen now, from the last drawn frame.
    pub fn node_screen_rect(&self, _ctx: &egui::Context, id: &Id) -> Option<Rect> {
        let centre = self.screen_pos(id)?;
        Some(Rect::from_center_size(centre, NODE_SIZE * self.view.zoom))
    }

    /// The canvas position at the centre of the view, from the last drawn frame.
    pub fn view_centre(&self, _ctx: &egui::Context) -> Position {
        let at = self.view.to_canvas((self.rect.size() / 2.0).to_pos2());
        Position {
            x: at.x.round(),
            y: at.y.round(),
        }
    }

    /// A service box's size in canvas units.
    pub fn node_size() -> [f32; 2] {
        [NODE_SIZE.x, NODE_SIZE.y]
    }

    /// The graph's area on the screen, from the last drawn frame.
    pub fn screen_rect(&self) -> Rect {
        self.rect
    }

    fn to_canvas(&self, screen: Pos2) -> Pos2 {
        self.view.to_canvas(screen - self.rect.min.to_vec2())
    }

    /// Draws the canvas and collects what the user did as messages.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        document: &Document,
        selection: &Selection,
        out: &mut Vec<Message>,
    ) {
        let key = scene_key(document);
        if self.built != Some(key) {
            let scene = Scene::build(document);
            if !scene.same_places(&self.scene) {
                self.places_serial += 1;
            }
            self.scene = scene;
            self.built = Some(key);
            self.group.retain(|id| self.scene.node_of(id).is_some());
        }
        self.primary = selected_service(selection).cloned();
        if self
            .primary
            .as_ref()
            .is_none_or(|p| !self.group.contains(p))
        {
            self.group.clear();
        }
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.connect_from = None;
            self.connect_target = None;
            self.link_from = None;
        }
        let highlight = self.highlight(document);
        let current = self
            .primary
            .as_ref()
            .and_then(|p| self.scene.node_of(p))
            .and_then(|n| highlight.matches.iter().position(|m| *m == n));
        egui::Panel::top("canvas-bar").show(ui, |ui| {
            if std::mem::take(&mut self.find_requested) {
                ui.memory_mut(|m| m.request_focus(bar::find_field_id()));
            }
            if let Some(bar::BarAction::Step { forward }) =
                bar::bar_ui(ui, &mut self.lens, &highlight, current)
            {
                self.step_match(&highlight, current, forward, out);
            }
        });
        let stats = self.stats(&highlight);
        let hint = self.hint(document);
        let (minimap, minimap_click) = egui::Panel::bottom("canvas-foot")
            .exact_size(foot::FOOT_HEIGHT)
            .show(ui, |ui| {
                let text = foot::FootText {
                    hint: &hint,
                    urgent: self.connect_from.is_some(),
                    stats,
                };
                foot::foot_ui(
                    ui,
                    (&self.scene, self.places_serial),
                    &mut self.minimap_image,
                    self.view,
                    self.rect,
                    &text,
                )
            })
            .inner;
        self.minimap = minimap;
        if let Some(at) = minimap_click {
            self.view.centre_on(at, self.rect.size());
        }
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        self.rect = rect;
        self.apply_view_request();
        self.pointer(ui, &response, document, out);
        self.keyboard(ui, &response, document, selection, out);
        self.draw(ui, selection, &highlight);
        self.name_on_hover(ui, &response);
    }

    /// The lens applied to the scene, recomputed only when the scene, the lens or the focused
    /// service changed.
    fn highlight(&mut self, document: &Document) -> Highlight {
        let focused = self.primary.as_ref().and_then(|p| self.scene.node_of(p));
        let revision = scene_key(document);
        if let Some((r, lens, f, highlight)) = &self.highlight
            && *r == revision
            && *lens == self.lens
            && *f == focused
        {
            return highlight.clone();
        }
        let highlight = self.lens.apply(&self.scene, focused);
        self.highlight = Some((revision, self.lens.clone(), focused, highlight.clone()));
        highlight
    }

    /// Selects and centres the next (or previous) service found.
    fn step_match(
        &mut self,
        highlight: &Highlight,
        current: Option<usize>,
        forward: bool,
        out: &mut Vec<Message>,
    ) {
        let count = highlight.matches.len();
        if count == 0 {
            return;
        }
        let next = match current {
            Some(at) if forward => (at + 1) % count,
            Some(at) => (at + count - 1) % count,
            None if forward => 0,
            None => count - 1,
        };
        let Some((id, centre)) = highlight
            .matches
            .get(next)
            .and_then(|&n| self.scene.nodes.get(n))
            .map(|n| (n.id.clone(), n.centre))
        else {
            return;
        };
        self.group.clear();
        self.request_centre(Position {
            x: centre.x,
            y: centre.y,
        });
        out.push(Message::Select(Some(ObjectRef::Service(id))));
    }

    fn draw(&mut self, ui: &egui::Ui, selection: &Selection, highlight: &Highlight) {
        let mut selected: Vec<usize> = self
            .group
            .iter()
            .filter_map(|id| self.scene.node_of(id))
            .collect();
        selected.extend(self.primary.as_ref().and_then(|p| self.scene.node_of(p)));
        let selected_edge = match selection {
            Some(ObjectRef::Dependency { service, on }) => {
                let ends = (self.scene.node_of(service), self.scene.node_of(on));
                self.scene
                    .edges
                    .iter()
                    .position(|&(a, b)| (Some(a), Some(b)) == ends)
            }
            _ => None,
        };
        let visuals = ui.visuals();
        let (moving, by) = self
            .moving
            .as_ref()
            .map_or((&[][..], Vec2::ZERO), |(n, by)| (n.as_slice(), *by));
        let look = paint::Look {
            scene: &self.scene,
            view: self.view,
            rect: self.rect,
            highlight,
            selected: &selected,
            hovered: self.hovered,
            selected_edge,
            moving: (moving, by),
            dark: visuals.dark_mode,
            accent: visuals.selection.stroke.color,
            strong: visuals.strong_text_color(),
            weak: visuals.weak_text_color(),
        };
        paint::paint(&ui.painter_at(self.rect), &look, &mut self.image);
    }

    /// What the user can do next, in a line under the graph.
    fn hint(&self, document: &Document) -> String {
        if let Some(from) = &self.connect_from {
            format!(
                "Click the service `{from}` should depend on (or Tab to it and press Enter) · Esc cancels"
            )
        } else if document.plan().services.is_empty() {
            "Double-click to add a service, or press A".to_owned()
        } else {
            "Drag to move · Shift-drag from a service to another to add a dependency · Shift-drag on empty space to select several · Ctrl+F to find"
                .to_owned()
        }
    }

    /// The plan's size, the zoom and what is faded or selected, in a line under the graph.
    fn stats(&self, highlight: &Highlight) -> String {
        let (nodes, edges) = self.graph_size();
        let mut text = format!(
            "{nodes} services · {edges} dependencies · zoom {:.0}%",
            self.view.zoom * 100.0
        );
        let faded = highlight.lit.iter().filter(|l| !**l).count();
        if faded > 0 {
            text.push_str(&format!(" · {faded} faded"));
        }
        if self.group.len() > 1 {
            text.push_str(&format!(" · {} selected", self.group.len()));
        }
        text
    }

    fn apply_view_request(&mut self) {
        let Some(request) = self.view_request.take() else {
            return;
        };
        let size = self.rect.size();
        match request {
            ViewRequest::Fit => self.view = View::fit(self.scene.bounds, size),
            ViewRequest::Centre(p) => self.view.centre_on(Pos2::new(p.x, p.y), size),
            ViewRequest::Reveal(p) => self.view.reveal(Pos2::new(p.x, p.y), NODE_SIZE, size),
            ViewRequest::Locate(p) => {
                let at = Pos2::new(p.x, p.y);
                let shown = Rect::from_min_size(Pos2::ZERO, size);
                if !shown.contains_rect(Rect::from_center_size(
                    self.view.to_local(at),
                    NODE_SIZE * self.view.zoom,
                )) {
                    self.view.centre_on(at, size);
                }
            }
            ViewRequest::Zoom(factor) => self.view.zoom_around((size / 2.0).to_pos2(), factor),
        }
    }
}
