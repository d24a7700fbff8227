//! Drawing the scene with egui's painter, only what is in view and only as much detail as can be
//! read: below a few pixels text is skipped, tiny boxes lose their outline and arrows their heads,
//! and when zoomed out the tiers' bands are named instead.

use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2};

use super::super::style;
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

    fn screen(&self, p: Pos2) -> Pos2 {
        self.view.to_local(p) + self.rect.min.to_vec2()
    }

    fn lit(&self, node: usize) -> bool {
        self.highlight.lit.get(node).copied().unwrap_or(true)
    }
}

/// Draws the bands, the arrows and the boxes that are in view.
pub fn paint(painter: &Painter, look: &Look<'_>) {
    let mut shapes = Vec::new();
    let visible = look.view.visible(look.rect.size()).expand2(NODE_SIZE);
    bands(painter, look, &mut shapes);
    edges(look, visible, &mut shapes);
    let mut callouts = Vec::new();
    let zoom = look.view.zoom;
    for node in 0..look.scene.nodes.len() {
        let centre = look.centre(node);
        if !visible.contains(centre) {
            continue;
        }
        let selected = look.selected.contains(&node);
        let found = look.highlight.matches.contains(&node);
        box_shapes(painter, look, node, centre, selected, found, &mut shapes);
        // Zoomed out, the services that stand out keep a readable name: the selected ones, the
        // ones found, and those focus or a filter leaves lit.
        let stands_out = selected || found || (look.highlight.fading && look.lit(node));
        if stands_out && NAME_SIZE * zoom < MIN_TEXT && callouts.len() < MAX_CALLOUTS {
            callouts.push((node, centre));
        }
    }
    painter.extend(shapes);
    for (node, centre) in callouts {
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

/// The tiers' bands, named at the canvas's left edge, when the boxes are too small to read.
fn bands(painter: &Painter, look: &Look<'_>, shapes: &mut Vec<Shape>) {
    if NAME_SIZE * look.view.zoom >= MIN_TEXT {
        return;
    }
    for &(tier, top, bottom) in &look.scene.bands {
        let (top, bottom) = (
            look.screen(Pos2::new(0.0, top)).y,
            look.screen(Pos2::new(0.0, bottom)).y,
        );
        let band = Rect::from_x_y_ranges(look.rect.x_range(), top..=bottom);
        if !band.intersects(look.rect) {
            continue;
        }
        shapes.push(Shape::rect_filled(
            band,
            0.0,
            style::tier_colour(tier, look.dark).gamma_multiply(0.12),
        ));
        let at = Pos2::new(
            look.rect.left() + 6.0,
            band.center()
                .y
                .clamp(look.rect.top() + 8.0, look.rect.bottom() - 8.0),
        );
        let galley = painter.layout_no_wrap(
            tier.label().to_owned(),
            FontId::proportional(12.0),
            look.weak,
        );
        shapes.push(Shape::galley(
            Align2::LEFT_CENTER.anchor_size(at, galley.size()).min,
            galley,
            look.weak,
        ));
    }
}

/// The arrows, from a dependent to what it depends on.
fn edges(look: &Look<'_>, visible: Rect, shapes: &mut Vec<Shape>) {
    let zoom = look.view.zoom;
    let width = (1.5 * zoom).clamp(0.5, 2.0);
    let base = look.weak.gamma_multiply(0.9);
    for (i, &(from, to)) in look.scene.edges.iter().enumerate() {
        let (a, b) = (look.centre(from), look.centre(to));
        if !Rect::from_two_pos(a, b).intersects(visible) {
            continue;
        }
        let Some((start, end)) = arrow_ends(a, b) else {
            continue;
        };
        let lit = look.lit(from) && look.lit(to);
        let (colour, w) = if look.selected_edge == Some(i) {
            (look.accent, width + 1.5)
        } else if lit {
            (base, width)
        } else {
            (base.gamma_multiply(FADED), width)
        };
        let (start, end) = (look.screen(start), look.screen(end));
        shapes.push(Shape::line_segment([start, end], Stroke::new(w, colour)));
        let head = 9.0 * zoom;
        if head >= 3.0 {
            let back = (start - end).normalized() * head;
            let side = back.rot90() * 0.5;
            shapes.push(Shape::convex_polygon(
                vec![end, end + back + side, end + back - side],
                colour,
                Stroke::NONE,
            ));
        }
    }
}

/// One service's box: fill and outline, its name and detail when readable, a problem marker.
fn box_shapes(
    painter: &Painter,
    look: &Look<'_>,
    node: usize,
    centre: Pos2,
    selected: bool,
    found: bool,
    shapes: &mut Vec<Shape>,
) {
    let data = &look.scene.nodes[node];
    let zoom = look.view.zoom;
    let rect = Rect::from_center_size(look.screen(centre), NODE_SIZE * zoom);
    let fade = |c: Color32| {
        if look.lit(node) {
            c
        } else {
            c.gamma_multiply(FADED)
        }
    };
    // Rounded corners cost a fan of vertices each; on a box a few points high nobody sees them, and
    // thousands of them make a software-rendered frame slow.
    let radius = if rect.height() >= 12.0 {
        (8.0 * zoom).min(8.0)
    } else {
        0.0
    };
    shapes.push(Shape::rect_filled(
        rect,
        radius,
        fade(style::tier_colour(data.tier, look.dark)),
    ));
    let stroke = if selected {
        Stroke::new(3.0, look.accent)
    } else if look.hovered == Some(node) {
        Stroke::new(2.0, look.strong)
    } else if rect.height() >= 6.0 {
        Stroke::new(1.5, fade(style::tier_accent(data.tier)))
    } else {
        Stroke::NONE
    };
    if stroke != Stroke::NONE {
        shapes.push(Shape::rect_stroke(
            rect,
            radius,
            stroke,
            StrokeKind::Outside,
        ));
    }
    if found {
        shapes.push(Shape::rect_stroke(
            rect.expand(3.0 + if selected { 3.0 } else { 0.0 }),
            radius + 3.0,
            Stroke::new(2.5, style::FIND_COLOUR),
            StrokeKind::Outside,
        ));
    }
    let text = fade(if look.dark {
        Color32::from_gray(235)
    } else {
        Color32::from_gray(20)
    });
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
    if let Some(severity) = data.problem {
        let marker = rect.right_top() + Vec2::new(-2.0, 2.0) * zoom;
        shapes.push(Shape::circle_filled(
            marker,
            (9.0 * zoom).max(2.0),
            fade(style::severity_colour(severity)),
        ));
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
