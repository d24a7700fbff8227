//! The strip below the graph: the tier legend, the hint of what to do next, the plan's size and
//! zoom, and the minimap of the whole plan with the part in view (a click or drag there moves the
//! view). It has its own strip, so none of it ever covers a service.

use egui::{Color32, FontId, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2};

use super::super::style;
use super::image::CachedImage;
use super::raster::Raster;
use super::scene::{NODE_SIZE, Scene};
use super::view::View;
use crate::plan::Tier;

/// The strip's height.
pub const FOOT_HEIGHT: f32 = 76.0;
/// The minimap's size.
const MINIMAP: Vec2 = Vec2::new(168.0, 68.0);

/// The minimap's dots as an image, drawn again when the boxes' places or tiers (the canvas's places
/// serial), the map's place or the extent it shows change.
pub type MinimapImage = CachedImage<(u64, Rect, Rect, f32)>;

/// What the strip shows this frame.
pub struct FootText<'a> {
    /// What the user can do next.
    pub hint: &'a str,
    /// Whether the hint is an instruction the user is in the middle of (connect mode).
    pub urgent: bool,
    /// The size of the plan, the zoom, and what is faded or selected.
    pub stats: String,
}

/// Draws the strip; returns where the minimap is and the canvas point the user clicked or dragged to
/// on it.
pub fn foot_ui(
    ui: &mut egui::Ui,
    scene: (&Scene, u64),
    map: &mut MinimapImage,
    view: View,
    graph: Rect,
    text: &FootText<'_>,
) -> (Rect, Option<Pos2>) {
    let area = ui.available_rect_before_wrap();
    let visuals = ui.visuals().clone();
    let weak = visuals.weak_text_color();
    let minimap_rect = Rect::from_min_size(
        Pos2::new(area.right() - MINIMAP.x - 4.0, area.top() + 4.0),
        MINIMAP,
    );
    let painter = ui.painter_at(area);
    // Legend, left, wrapped into rows.
    let legend_right = minimap_rect.left() - 12.0;
    let mut at = Pos2::new(area.left() + 8.0, area.top() + 6.0);
    for tier in Tier::ALL {
        let galley =
            painter.layout_no_wrap(tier.label().to_owned(), FontId::proportional(12.0), weak);
        let width = 12.0 + 5.0 + galley.size().x + 12.0;
        if at.x + width > legend_right && at.x > area.left() + 8.0 {
            at = Pos2::new(area.left() + 8.0, at.y + 17.0);
        }
        let swatch = Rect::from_min_size(at, Vec2::splat(12.0));
        painter.rect_filled(swatch, 3.0, style::tier_colour(tier, visuals.dark_mode));
        painter.rect_stroke(
            swatch,
            3.0,
            Stroke::new(1.0, style::tier_accent(tier)),
            StrokeKind::Inside,
        );
        painter.galley(
            Pos2::new(
                swatch.right() + 5.0,
                swatch.center().y - galley.size().y / 2.0,
            ),
            galley,
            weak,
        );
        at.x += width;
    }
    let width = (legend_right - area.left() - 8.0).max(40.0);
    let line = |y: f32, text: &str, colour: Color32| {
        let mut job = egui::text::LayoutJob::simple_singleline(
            text.to_owned(),
            FontId::proportional(12.0),
            colour,
        );
        job.wrap = egui::text::TextWrapping::truncate_at_width(width);
        let galley = painter.layout_job(job);
        painter.galley(Pos2::new(area.left() + 8.0, y), galley, colour);
    };
    let hint_colour = if text.urgent {
        visuals.strong_text_color()
    } else {
        weak
    };
    line(at.y + 19.0, text.hint, hint_colour);
    line(at.y + 36.0, &text.stats, weak);
    (
        minimap_rect,
        minimap(ui, scene, map, view, graph, minimap_rect),
    )
}

/// The whole plan in small, the part in view outlined; a click or drag centres the view there.
fn minimap(
    ui: &mut egui::Ui,
    (scene, places): (&Scene, u64),
    image: &mut MinimapImage,
    view: View,
    graph: Rect,
    rect: Rect,
) -> Option<Pos2> {
    let response = ui
        .interact(
            rect,
            egui::Id::new("canvas-minimap"),
            Sense::click_and_drag(),
        )
        .on_hover_text("The whole plan: click or drag to move the view there");
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    painter.rect_filled(rect, 4.0, visuals.extreme_bg_color);
    painter.rect_stroke(
        rect,
        4.0,
        visuals.widgets.noninteractive.bg_stroke,
        StrokeKind::Inside,
    );
    let bounds = scene.bounds?;
    let shown = view.visible(graph.size());
    let world = bounds.union(shown);
    let inner = rect.shrink(4.0);
    let scale = (inner.width() / world.width()).min(inner.height() / world.height());
    if !scale.is_finite() || scale <= 0.0 {
        return None;
    }
    let offset = inner.center() - world.center().to_vec2() * scale;
    let to_map = |p: Pos2| (p.to_vec2() * scale + offset.to_vec2()).to_pos2();
    let dot = (NODE_SIZE * scale).max(Vec2::splat(1.5));
    // Thousands of dots are one image, drawn again only when the plan or the map's extent changes.
    let pixels_per_point = ui.ctx().pixels_per_point();
    let drawn_for = (places, inner, world, pixels_per_point);
    image.show(
        &painter,
        inner.min,
        |was| *was == drawn_for,
        || drawn_for,
        || {
            let size = inner.size() * pixels_per_point;
            let mut raster = Raster::new(size.x.round() as usize, size.y.round() as usize);
            for node in &scene.nodes {
                let dot = Rect::from_center_size(to_map(node.centre), dot);
                let pixels = Rect::from_min_max(
                    ((dot.min - inner.min) * pixels_per_point).to_pos2(),
                    ((dot.max - inner.min) * pixels_per_point).to_pos2(),
                );
                raster.fill_rect(pixels, style::tier_accent(node.tier));
            }
            Some((raster.into_image(), Vec2::ZERO))
        },
    );
    let frame = Rect::from_min_max(to_map(shown.min), to_map(shown.max)).intersect(rect);
    painter.rect_stroke(
        frame,
        1.0,
        Stroke::new(1.5, visuals.selection.stroke.color),
        StrokeKind::Inside,
    );
    let pointer = response.interact_pointer_pos()?;
    (response.clicked() || response.dragged())
        .then(|| ((pointer.to_vec2() - offset.to_vec2()) / scale).to_pos2())
}

// The minimap fits in the strip, with a margin.
const _: () = assert!(FOOT_HEIGHT >= MINIMAP.y + 8.0);
