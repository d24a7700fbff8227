//! Drawing the scene with egui's painter, only what is in view and only as much detail as can be
//! read: below a few pixels text is skipped, tiny boxes lose their outline and arrows their heads,
//! and when zoomed out the tiers' bands are named instead.

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2};

use super::super::style;
use super::image::SceneImage;
use super::lens::Highlight;
use super::scene::{NODE_SIZE, Scene, arrow_ends};
use super::view::View;

/// The smallest text drawn, in points: anything smaller cannot be read.
pub const MIN_TEXT: f32 = 6.0;
/// A service name's size in canvas units.
const NAME_SIZE: f32 = 15.0;
/// The tier-and-wave line's size in canvas units.
const DETAIL_SIZE: f32 = 11.5;
/// How many labels are drawn at a readable size over a zoomed-out view (selection, matches, and
/// what focus or a filter leaves lit).
const MAX_CALLOUTS: usize = 40;
/// How much a faded service keeps of its colour.
const FADED: f32 = 0.18;

/// What is drawn how, this frame.
pub struct Look<'a> {
    /// The scene.
    pub scene: &'a Scene,
    /// The view.
    pub view: View,
    /// The graph area on the screen.
    pub rect: Rect,
    /// Faded and found services.
    pub highlight: &'a Highlight,
    /// The selected nodes.
    pub selected: &'a [usize],
    /// The node under the pointer.
    pub hovered: Option<usize>,
    /// The selected edge.
    pub selected_edge: Option<usize>,
    /// Nodes being dragged and by how much (canvas units).
    pub moving: (&'a [usize], Vec2),
    /// Whether the theme is dark.
    pub dark: bool,
    /// The selection colour.
    pub accent: Color32,
    /// Strong text colour.
    pub strong: Color32,
    /// Weak text colour.
    pub weak: Color32,
}

impl Look<'_> {
    /// Where a node's centre is in canvas units now (moved while dragged).
    pub fn centre(&self, node: usize) -> Pos2 {
        let centre = self.scene.nodes[node].centre;
        if self.moving.0.contains(&node) {
            centre + self.moving.1
        } else {
            centre
        }
    }

    /// Where canvas point `p` is on the screen.
    pub fn screen(&self, p: Pos2) -> Pos2 {
        self.view.to_local(p) + self.rect.min.to_vec2()
    }

    /// Whether node `node` is drawn in full (not faded).
    pub fn lit(&self, node: usize) -> bool {
        self.highlight.lit.get(node).copied().unwrap_or(true)
    }
}

/// Below this height on the screen (points), service boxes have square corners and no text, and
/// the arrows and boxes are drawn as one image ([`SceneImage`]) instead of a shape each.
pub const IMAGE_BELOW: f32 = 12.0;

/// An arrow head's length in canvas units.
const HEAD_SIZE: f32 = 9.0;
/// The shortest arrow head drawn, in points.
const MIN_HEAD: f32 = 3.0;
// The image has no arrow heads: at the zooms drawn as an image, they are too small to draw.
const _: () = assert!(HEAD_SIZE * IMAGE_BELOW / NODE_SIZE.y < MIN_HEAD);

/// Whether a view at `zoom` draws the arrows and boxes as one image.
pub fn drawn_as_image(zoom: f32) -> bool {
    NODE_SIZE.y * zoom < IMAGE_BELOW
}

/// Draws the bands, the arrows and the boxes that are in view, then the names of the services that
/// stand out when the boxes are too small to hold them.
pub fn paint(painter: &Painter, look: &Look<'_>, image: &mut SceneImage) {
    let visible = look.view.visible(look.rect.size()).expand2(NODE_SIZE);
    let mut shapes = Vec::new();
    bands(painter, look, &mut shapes);
    if drawn_as_image(look.view.zoom) {
        painter.extend(std::mem::take(&mut shapes));
        image.paint(painter, look, visible);
        // What moves more often than anything else changes is drawn over the image, which stays as
        // it is: the services being dragged with their arrows, and the outline of the box under the
        // pointer.
        let moving = look.moving.0;
        let touches_moving = |&i: &usize| {
            let (from, to) = look.scene.edges[i];
            moving.contains(&from) || moving.contains(&to)
        };
        let edges = (0..look.scene.edges.len()).filter(touches_moving);
        let nodes = in_view(look, visible).filter(|node| moving.contains(node));
        shapes_of(painter, look, edges, nodes, visible, &mut shapes);
        if let Some(node) = look
            .hovered
            .filter(|n| !look.selected.contains(n) && !moving.contains(n))
        {
            let hovered = box_look(look, node, true);
            shapes.push(Shape::rect_stroke(
                hovered.rect,
                hovered.radius,
                hovered.stroke,
                StrokeKind::Outside,
            ));
        }
    } else {
        let edges = 0..look.scene.edges.len();
        shapes_of(
            painter,
            look,
            edges,
            in_view(look, visible),
            visible,
            &mut shapes,
        );
    }
    painter.extend(shapes);
    callouts(painter, look, visible);
}

/// The shapes of arrows `edges` (those in `visible`) and then of boxes `nodes`.
fn shapes_of(
    painter: &Painter,
    look: &Look<'_>,
    edges: impl Iterator<Item = usize>,
    nodes: impl Iterator<Item = usize>,
    visible: Rect,
    shapes: &mut Vec<Shape>,
) {
    for edge in edges.filter_map(|i| edge_look(look, i, visible)) {
        shapes.push(Shape::line_segment([edge.start, edge.end], edge.stroke));
        if let Some(head) = edge.head {
            shapes.push(Shape::convex_polygon(
                head.to_vec(),
                edge.stroke.color,
                Stroke::NONE,
            ));
        }
    }
    for node in nodes {
        let hovered = look.hovered == Some(node);
        box_shapes(painter, look, &box_look(look, node, hovered), shapes);
    }
}

/// The nodes whose centres are in `visible` (canvas units).
pub(super) fn in_view<'a>(look: &'a Look<'_>, visible: Rect) -> impl Iterator<Item = usize> + 'a {
    (0..look.scene.nodes.len()).filter(move |&node| visible.contains(look.centre(node)))
}

/// Zoomed out, the services that stand out keep a readable name over their box: the selected ones,
/// the ones found, and those focus or a filter leaves lit.
fn callouts(painter: &Painter, look: &Look<'_>, visible: Rect) {
    let zoom = look.view.zoom;
    if NAME_SIZE * zoom >= MIN_TEXT {
        return;
    }
    let stands_out = |node: &usize| {
        look.selected.contains(node)
            || look.highlight.matches.contains(node)
            || (look.highlight.fading && look.lit(*node))
    };
    for node in in_view(look, visible).filter(stands_out).take(MAX_CALLOUTS) {
        let centre = look.centre(node);
        let top = look.screen(centre) - Vec2::new(0.0, NODE_SIZE.y * zoom / 2.0 + 2.0);
        let text = &look.scene.nodes[node].name;
        let galley = painter.layout_no_wrap(text.clone(), FontId::proportional(12.0), look.strong);
        let rect = Align2::CENTER_BOTTOM
            .anchor_size(top, galley.size())
            .expand(2.0);
        painter.rect_filled(
            rect,
            3.0,
            painter.ctx().global_style().visuals.extreme_bg_color,
        );
        painter.galley(rect.min + Vec2::splat(2.0), galley, look.strong);
    }
}

/// The tiers' bands, when zoomed out too far to read the services' names: each tier's rows are
/// bounded by a hairline in its colour across the canvas and named in a tinted strip at the canvas's
/// left edge. Only the strip is filled: a tint over the whole canvas was the largest area Mesa's
/// software renderer filled on every frame, about a third of the frame's work at 2,000 services
/// (`BENCHMARKS.md`, "Real frames").
fn bands(painter: &Painter, look: &Look<'_>, shapes: &mut Vec<Shape>) {
    if NAME_SIZE * look.view.zoom >= MIN_TEXT {
        return;
    }
    let canvas = look.rect;
    let labels: Vec<_> = look
        .scene
        .bands
        .iter()
        .map(|&(tier, top, bottom)| {
            let (top, bottom) = (
                look.screen(Pos2::new(0.0, top)).y,
                look.screen(Pos2::new(0.0, bottom)).y,
            );
            let galley = painter.layout_no_wrap(
                tier.label().to_owned(),
                FontId::proportional(12.0),
                look.weak,
            );
            (tier, top, bottom, galley)
        })
        .filter(|(_, top, bottom, _)| *top <= canvas.bottom() && *bottom >= canvas.top())
        .collect();
    let strip = labels
        .iter()
        .map(|(.., galley)| galley.size().x)
        .fold(0.0, f32::max)
        + 2.0 * BAND_LABEL_MARGIN;
    for (tier, top, bottom, galley) in labels {
        let colour = style::tier_colour(tier, look.dark);
        let band = Rect::from_x_y_ranges(canvas.left()..=canvas.left() + strip, top..=bottom);
        shapes.push(Shape::rect_filled(band, 0.0, colour.gamma_multiply(0.18)));
        let edge = Stroke::new(1.0, colour.gamma_multiply(0.5));
        for y in [top, bottom] {
            if canvas.y_range().contains(y) {
                shapes.push(Shape::hline(canvas.x_range(), y, edge));
            }
        }
        let at = Pos2::new(
            canvas.left() + BAND_LABEL_MARGIN,
            band.center()
                .y
                .clamp(canvas.top() + 8.0, canvas.bottom() - 8.0),
        );
        shapes.push(Shape::galley(
            Align2::LEFT_CENTER.anchor_size(at, galley.size()).min,
            galley,
            look.weak,
        ));
    }
}

/// The room on either side of a tier's name in its band's strip, in points.
const BAND_LABEL_MARGIN: f32 = 6.0;

/// How one arrow is drawn: on the screen, from a dependent to what it depends on.
pub(super) struct EdgeLook {
    /// Where it leaves the dependent's box.
    pub start: Pos2,
    /// Where it meets the dependency's box.
    pub end: Pos2,
    /// Its width and colour.
    pub stroke: Stroke,
    /// Its head, when big enough to see.
    pub head: Option<[Pos2; 3]>,
}

/// How arrow `edge` is drawn, if any of it is in `visible` (canvas units) and the boxes do not
/// overlap.
pub(super) fn edge_look(look: &Look<'_>, edge: usize, visible: Rect) -> Option<EdgeLook> {
    let (from, to) = *look.scene.edges.get(edge)?;
    let (a, b) = (look.centre(from), look.centre(to));
    if !Rect::from_two_pos(a, b).intersects(visible) {
        return None;
    }
    let (start, end) = arrow_ends(a, b)?;
    let zoom = look.view.zoom;
    let width = (1.5 * zoom).clamp(0.5, 2.0);
    let base = look.weak.gamma_multiply(0.9);
    let stroke = if look.selected_edge == Some(edge) {
        Stroke::new(width + 1.5, look.accent)
    } else if look.lit(from) && look.lit(to) {
        Stroke::new(width, base)
    } else {
        Stroke::new(width, base.gamma_multiply(FADED))
    };
    let (start, end) = (look.screen(start), look.screen(end));
    let size = HEAD_SIZE * zoom;
    let head = (size >= MIN_HEAD).then(|| {
        let back = (start - end).normalized() * size;
        let side = back.rot90() * 0.5;
        [end, end + back + side, end + back - side]
    });
    Some(EdgeLook {
        start,
        end,
        stroke,
        head,
    })
}

/// How one service's box is drawn, on the screen.
pub(super) struct BoxLook {
    /// The node.
    pub node: usize,
    /// The box.
    pub rect: Rect,
    /// Its corners' radius.
    pub radius: f32,
    /// Its fill.
    pub fill: Color32,
    /// Its outline, just outside it.
    pub stroke: Stroke,
    /// The ring around a service that find matched, and its corners' radius.
    pub found: Option<(Rect, f32, Stroke)>,
    /// The problem marker's centre, radius and colour.
    pub marker: Option<(Pos2, f32, Color32)>,
    /// The colour of its text.
    pub text: Color32,
}

/// How node `node`'s box is drawn; `hovered` says whether to outline it as under the pointer.
pub(super) fn box_look(look: &Look<'_>, node: usize, hovered: bool) -> BoxLook {
    let data = &look.scene.nodes[node];
    let zoom = look.view.zoom;
    let rect = Rect::from_center_size(look.screen(look.centre(node)), NODE_SIZE * zoom);
    let fade = |c: Color32| {
        if look.lit(node) {
            c
        } else {
            c.gamma_multiply(FADED)
        }
    };
    let selected = look.selected.contains(&node);
    // Rounded corners cost a fan of vertices each; on a box a few points high nobody sees them, and
    // thousands of them make a software-rendered frame slow.
    let radius = if rect.height() >= IMAGE_BELOW {
        (8.0 * zoom).min(8.0)
    } else {
        0.0
    };
    let stroke = if selected {
        Stroke::new(3.0, look.accent)
    } else if hovered {
        Stroke::new(2.0, look.strong)
    } else if rect.height() >= 6.0 {
        Stroke::new(1.5, fade(style::tier_accent(data.tier)))
    } else {
        Stroke::NONE
    };
    let found = look.highlight.matches.contains(&node).then(|| {
        (
            rect.expand(3.0 + if selected { 3.0 } else { 0.0 }),
            radius + 3.0,
            Stroke::new(2.5, style::FIND_COLOUR),
        )
    });
    let marker = data.problem.map(|severity| {
        (
            rect.right_top() + Vec2::new(-2.0, 2.0) * zoom,
            (9.0 * zoom).max(2.0),
            fade(style::severity_colour(severity)),
        )
    });
    BoxLook {
        node,
        rect,
        radius,
        fill: fade(style::tier_colour(data.tier, look.dark)),
        stroke,
        found,
        marker,
        text: fade(if look.dark {
            Color32::from_gray(235)
        } else {
            Color32::from_gray(20)
        }),
    }
}

/// One service's box as shapes: fill and outline, its name and detail when readable, a problem
/// marker.
fn box_shapes(painter: &Painter, look: &Look<'_>, drawn: &BoxLook, shapes: &mut Vec<Shape>) {
    let data = &look.scene.nodes[drawn.node];
    let zoom = look.view.zoom;
    let (rect, radius, text) = (drawn.rect, drawn.radius, drawn.text);
    shapes.push(Shape::rect_filled(rect, radius, drawn.fill));
    if drawn.stroke != Stroke::NONE {
        shapes.push(Shape::rect_stroke(
            rect,
            radius,
            drawn.stroke,
            StrokeKind::Outside,
        ));
    }
    if let Some((ring, radius, stroke)) = drawn.found {
        shapes.push(Shape::rect_stroke(
            ring,
            radius,
            stroke,
            StrokeKind::Outside,
        ));
    }
    if NAME_SIZE * zoom >= MIN_TEXT {
        let mut job = egui::text::LayoutJob::simple_singleline(
            data.name.clone(),
            FontId::proportional(NAME_SIZE * zoom),
            text,
        );
        // A long name is cut short inside its box ("…"); the canvas shows it whole on hover.
        job.wrap = egui::text::TextWrapping::truncate_at_width(rect.width() - 14.0 * zoom);
        let name = painter.layout_job(job);
        let detail_readable = DETAIL_SIZE * zoom >= MIN_TEXT;
        let lift = if detail_readable { 9.0 * zoom } else { 0.0 };
        let at = rect.center() - Vec2::new(0.0, lift) - name.size() / 2.0;
        shapes.push(Shape::galley(at, name, text));
        if detail_readable {
            let wave = data
                .wave
                .map_or_else(|| "no wave".to_owned(), |w| format!("wave {}", w + 1));
            let detail = painter.layout_no_wrap(
                format!("{} · {wave}", data.tier.label()),
                FontId::proportional(DETAIL_SIZE * zoom),
                text.gamma_multiply(0.8),
            );
            let at = rect.center() + Vec2::new(0.0, 12.0 * zoom) - detail.size() / 2.0;
            shapes.push(Shape::galley(at, detail, text));
        }
    }
    if let Some((marker, size, colour)) = drawn.marker {
        shapes.push(Shape::circle_filled(marker, size, colour));
        if 13.0 * zoom >= MIN_TEXT {
            let bang = painter.layout_no_wrap(
                "!".to_owned(),
                FontId::proportional(13.0 * zoom),
                Color32::WHITE,
            );
            shapes.push(Shape::galley(
                marker - bang.size() / 2.0,
                bang,
                Color32::WHITE,
            ));
        }
    }
}
