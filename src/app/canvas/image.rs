//! The zoomed-out canvas as one image: the arrows and boxes in view drawn on the CPU ([`Raster`])
//! into a texture, kept while nothing it shows changes. A frame caused by the pointer moving then
//! draws one textured rectangle and the outline of the box under the pointer, however large the plan
//! (see `BENCHMARKS.md`, "Real frames").
//!
//! The image follows the same looks as the shapes drawn closer up ([`edge_look`], [`box_look`]), so
//! zooming across the switch changes how a box is drawn, not what it shows.

use egui::{Color32, ColorImage, Painter, Pos2, Rect, Stroke, TextureHandle, TextureOptions, Vec2};

use super::lens::Highlight;
use super::paint::{Look, box_look, edge_look, in_view};
use super::raster::Raster;
use super::scene::NodeData;
use super::view::View;
use crate::analysis::Severity;
use crate::plan::Tier;

/// Everything the scene's image depends on: when any of it differs, the image is drawn again. The
/// scene is compared by what the image shows of it (places, tiers, problems, arrows), not by its
/// revision, so an edit that changes only text (a rename, a note) draws no new image.
#[derive(Clone, PartialEq)]
struct Shown {
    nodes: Vec<(Pos2, Tier, Option<Severity>)>,
    edges: Vec<(usize, usize)>,
    view: View,
    rect: Rect,
    pixels_per_point: f32,
    highlight: Highlight,
    selected: Vec<usize>,
    selected_edge: Option<usize>,
    /// The nodes being dragged, which the image leaves out (they are drawn over it).
    moving: Vec<usize>,
    dark: bool,
    colours: [Color32; 3],
}

/// What the image shows of one node.
fn node_shown(node: &NodeData) -> (Pos2, Tier, Option<Severity>) {
    (node.centre, node.tier, node.problem)
}

impl Shown {
    fn of(look: &Look<'_>, pixels_per_point: f32) -> Shown {
        Shown {
            nodes: look.scene.nodes.iter().map(node_shown).collect(),
            edges: look.scene.edges.clone(),
            view: look.view,
            rect: look.rect,
            pixels_per_point,
            highlight: look.highlight.clone(),
            selected: look.selected.to_vec(),
            selected_edge: look.selected_edge,
            moving: look.moving.0.to_vec(),
            dark: look.dark,
            colours: [look.accent, look.strong, look.weak],
        }
    }

    /// Whether this is what `look` shows, compared without copying it (every frame does this).
    fn is_of(&self, look: &Look<'_>, pixels_per_point: f32) -> bool {
        self.view == look.view
            && self.rect == look.rect
            && self.pixels_per_point == pixels_per_point
            && self.selected == look.selected
            && self.selected_edge == look.selected_edge
            && self.moving == look.moving.0
            && self.dark == look.dark
            && self.colours == [look.accent, look.strong, look.weak]
            && self.highlight == *look.highlight
            && self.edges == look.scene.edges
            && self.nodes.len() == look.scene.nodes.len()
            && self
                .nodes
                .iter()
                .zip(&look.scene.nodes)
                .all(|(shown, node)| *shown == node_shown(node))
    }
}

/// An image drawn on the CPU into a texture, kept while what it shows (`K`) stays the same.
pub struct CachedImage<K> {
    /// The texture's name, for egui's texture list.
    name: &'static str,
    /// What the image shows.
    shown: Option<K>,
    /// The image, once one has been drawn.
    texture: Option<TextureHandle>,
    /// Where the image goes on the screen: nothing when nothing was drawn.
    area: Rect,
    /// How many times an image has been drawn.
    drawn: u64,
}

impl<K> CachedImage<K> {
    /// No image yet; `name` names its texture.
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            shown: None,
            texture: None,
            area: Rect::NOTHING,
            drawn: 0,
        }
    }

    /// How many times an image has been drawn: frames that show it again do not count.
    pub fn times_drawn(&self) -> u64 {
        self.drawn
    }

    /// Shows the image, first drawing it again with `draw` unless `is_current` says the one drawn
    /// for what it was drawn for (`K`) is still current; `shown` gives what the new one is drawn
    /// for. `draw` returns the image and where its top-left corner goes, in pixels from `origin` (a
    /// point on the screen), or `None` when there is nothing to show.
    pub fn show(
        &mut self,
        painter: &Painter,
        origin: Pos2,
        is_current: impl FnOnce(&K) -> bool,
        shown: impl FnOnce() -> K,
        draw: impl FnOnce() -> Option<(ColorImage, Vec2)>,
    ) {
        if !self.shown.as_ref().is_some_and(is_current) {
            self.drawn += 1;
            self.area = Rect::NOTHING;
            if let Some((image, offset)) = draw() {
                let pixels_per_point = painter.ctx().pixels_per_point();
                // One texel to a pixel.
                let size = Vec2::new(image.size[0] as f32, image.size[1] as f32);
                self.area = Rect::from_min_size(
                    origin + offset / pixels_per_point,
                    size / pixels_per_point,
                );
                match &mut self.texture {
                    Some(texture) => texture.set(image, TextureOptions::NEAREST),
                    None => {
                        self.texture = Some(painter.ctx().load_texture(
                            self.name,
                            image,
                            TextureOptions::NEAREST,
                        ));
                    }
                }
            }
            self.shown = Some(shown());
        }
        if let Some(texture) = &self.texture
            && self.area.is_positive()
        {
            let whole = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
            painter.image(texture.id(), self.area, whole, Color32::WHITE);
        }
    }
}

/// The canvas's zoomed-out arrows and boxes as one image.
pub struct SceneImage(CachedImage<Shown>);

impl Default for SceneImage {
    fn default() -> Self {
        Self(CachedImage::new("canvas-scene"))
    }
}

impl SceneImage {
    /// How many times an image has been drawn: frames that show it again do not count.
    pub fn times_drawn(&self) -> u64 {
        self.0.times_drawn()
    }

    /// Draws the arrows and boxes of `look` that are in `visible` (canvas units) as one image,
    /// drawing the image again only if what it shows changed. The nodes being dragged and their
    /// arrows are left out, for the caller to draw over it: a drag then draws no new image.
    pub fn paint(&mut self, painter: &Painter, look: &Look<'_>, visible: Rect) {
        let pixels_per_point = painter.ctx().pixels_per_point();
        let size = look.rect.size() * pixels_per_point;
        let (width, height) = (size.x.round() as usize, size.y.round() as usize);
        self.0.show(
            painter,
            look.rect.min,
            |shown| shown.is_of(look, pixels_per_point),
            || Shown::of(look, pixels_per_point),
            || rasterise(look, [width, height], pixels_per_point, visible),
        );
    }
}

/// The arrows, then the boxes, of `look` in `visible`, drawn over the canvas area at `size` pixels:
/// the image of the part of it they cover (often a small part of a zoomed-out plan, and every pixel
/// of the image is painted again each frame), and where that part starts, in pixels; `None` when
/// they cover none of it.
fn rasterise(
    look: &Look<'_>,
    size: [usize; 2],
    pixels_per_point: f32,
    visible: Rect,
) -> Option<(ColorImage, Vec2)> {
    let origin = look.rect.min;
    let to_pixels = |p: Pos2| ((p - origin) * pixels_per_point).to_pos2();
    let still = |node: &usize| !look.moving.0.contains(node);
    let edges: Vec<_> = (0..look.scene.edges.len())
        .filter(|&i| {
            let (from, to) = look.scene.edges[i];
            still(&from) && still(&to)
        })
        .filter_map(|i| edge_look(look, i, visible))
        .collect();
    let boxes: Vec<_> = in_view(look, visible)
        .filter(still)
        .map(|node| box_look(look, node, false))
        .collect();
    // What the shapes cover, in points, with room for outlines and markers.
    let mut covered = Rect::NOTHING;
    for edge in &edges {
        covered = covered.union(Rect::from_two_pos(edge.start, edge.end).expand(edge.stroke.width));
    }
    for drawn in &boxes {
        let outline = drawn.stroke.width
            + drawn.found.map_or(0.0, |(ring, _, stroke)| {
                (ring.width() - drawn.rect.width()) / 2.0 + stroke.width
            });
        covered = covered.union(drawn.rect.expand(outline));
        if let Some((centre, radius, _)) = drawn.marker {
            covered = covered.union(Rect::from_center_size(centre, Vec2::splat(2.0 * radius)));
        }
    }
    let whole = Rect::from_min_size(Pos2::ZERO, Vec2::new(size[0] as f32, size[1] as f32));
    let part = Rect::from_min_max(to_pixels(covered.min), to_pixels(covered.max))
        .expand(1.0)
        .intersect(whole);
    let (min, max) = (part.min.floor(), part.max.ceil());
    if !(min.x < max.x && min.y < max.y) {
        return None;
    }
    let mut raster = Raster::new((max.x - min.x) as usize, (max.y - min.y) as usize);
    let pixel = |p: Pos2| to_pixels(p) - min.to_vec2();
    let pixels = |r: Rect| Rect::from_min_max(pixel(r.min), pixel(r.max));
    for edge in &edges {
        // Arrow heads are only drawn from a size this zoom never reaches (see `paint`).
        raster.line(
            pixel(edge.start),
            pixel(edge.end),
            edge.stroke.width * pixels_per_point,
            edge.stroke.color,
        );
    }
    for drawn in &boxes {
        let rect = pixels(drawn.rect);
        raster.fill_rect(rect, drawn.fill);
        if drawn.stroke != Stroke::NONE {
            raster.stroke_rect_outside(
                rect,
                drawn.stroke.width * pixels_per_point,
                drawn.stroke.color,
            );
        }
        if let Some((ring, _, stroke)) = drawn.found {
            raster.stroke_rect_outside(pixels(ring), stroke.width * pixels_per_point, stroke.color);
        }
        if let Some((centre, radius, colour)) = drawn.marker {
            raster.disc(pixel(centre), radius * pixels_per_point, colour);
        }
    }
    Some((raster.into_image(), min.to_vec2()))
}
