//! The canvas's zoom and pan: where a point of the plan appears in the canvas's area, and the few
//! ways the view moves (fit, centre, reveal, zoom around a point). Pure arithmetic, so it is tested
//! without a window.
//!
//! Positions are in canvas units (the plan's `position`); "local" points are relative to the top-left
//! corner of the area the graph is drawn in.

use egui::{Pos2, Rect, Vec2};

/// The zoom range's bottom.
pub const MIN_ZOOM: f32 = 0.02;
/// The zoom range's top.
pub const MAX_ZOOM: f32 = 8.0;
/// How far inside the area's edge a revealed box is brought.
const REVEAL_MARGIN: f32 = 24.0;
/// Room left around the services when fitting them, as a share of their extent.
const FIT_PADDING: f32 = 0.15;

/// Zoom and pan: `local = pan + canvas × zoom`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Screen points per canvas unit.
    pub zoom: f32,
    /// Where the canvas origin is, in local points.
    pub pan: Vec2,
}

impl Default for View {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            pan: Vec2::ZERO,
        }
    }
}

impl View {
    /// The local point where canvas point `p` appears.
    pub fn to_local(&self, p: Pos2) -> Pos2 {
        (p.to_vec2() * self.zoom + self.pan).to_pos2()
    }

    /// The canvas point shown at local point `local`.
    pub fn to_canvas(&self, local: Pos2) -> Pos2 {
        ((local.to_vec2() - self.pan) / self.zoom).to_pos2()
    }

    /// The part of the canvas an area of `size` shows.
    pub fn visible(&self, size: Vec2) -> Rect {
        Rect::from_min_max(self.to_canvas(Pos2::ZERO), self.to_canvas(size.to_pos2()))
    }

    /// The view that shows all of `bounds` (canvas units) in an area of `size`, centred; with no
    /// bounds, the origin centred at zoom 1.
    pub fn fit(bounds: Option<Rect>, size: Vec2) -> View {
        let Some(bounds) = bounds.filter(|b| b.is_finite()) else {
            return View {
                zoom: 1.0,
                pan: size / 2.0,
            };
        };
        let extent = bounds.size() * (1.0 + FIT_PADDING);
        let zoom = (size.x / extent.x).min(size.y / extent.y);
        let zoom = if zoom.is_finite() {
            zoom.clamp(MIN_ZOOM, MAX_ZOOM)
        } else {
            1.0
        };
        View {
            zoom,
            pan: size / 2.0 - bounds.center().to_vec2() * zoom,
        }
    }

    /// Puts canvas point `p` in the middle of an area of `size`.
    pub fn centre_on(&mut self, p: Pos2, size: Vec2) {
        self.pan = size / 2.0 - p.to_vec2() * self.zoom;
    }

    /// Pans as little as brings a box of `box_size` (canvas units) centred on `p` into an area of
    /// `size`, with a margin, so the rest of the view stays in place.
    pub fn reveal(&mut self, p: Pos2, box_size: Vec2, size: Vec2) {
        let node = Rect::from_center_size(self.to_local(p), box_size * self.zoom);
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
        self.pan += Vec2::new(
            shift(node.min.x, node.max.x, view.min.x, view.max.x),
            shift(node.min.y, node.max.y, view.min.y, view.max.y),
        );
    }

    /// Zooms by `factor` keeping the canvas point under local point `anchor` where it is.
    pub fn zoom_around(&mut self, anchor: Pos2, factor: f32) {
        let under = self.to_canvas(anchor);
        self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
        self.pan = anchor.to_vec2() - under.to_vec2() * self.zoom;
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_ZOOM, View};
    use egui::{Pos2, Rect, Vec2};

    #[test]
    fn fit_shows_every_box_centred_and_zoom_keeps_the_anchor() {
        let bounds = Rect::from_min_max(Pos2::new(-100.0, 0.0), Pos2::new(300.0, 200.0));
        let size = Vec2::new(800.0, 400.0);
        let view = View::fit(Some(bounds), size);
        assert!(
            Rect::from_min_size(Pos2::ZERO, size).contains_rect(Rect::from_min_max(
                view.to_local(bounds.min),
                view.to_local(bounds.max)
            ))
        );
        assert!((view.to_local(bounds.center()) - (size / 2.0).to_pos2()).length() < 0.01);
        let mut zoomed = view;
        let anchor = Pos2::new(100.0, 50.0);
        let under = view.to_canvas(anchor);
        zoomed.zoom_around(anchor, 2.0);
        assert!((zoomed.to_local(under) - anchor).length() < 0.01);
        zoomed.zoom_around(anchor, 1e9);
        assert_eq!(zoomed.zoom, MAX_ZOOM);
        assert_eq!(
            View::fit(None, size).to_local(Pos2::ZERO),
            Pos2::new(400.0, 200.0)
        );
    }

    #[test]
    fn reveal_moves_only_as_far_as_needed() {
        let size = Vec2::new(400.0, 300.0);
        let mut view = View::default();
        view.reveal(Pos2::new(200.0, 150.0), Vec2::new(100.0, 40.0), size);
        assert_eq!(view.pan, Vec2::ZERO, "already in view");
        view.reveal(Pos2::new(1000.0, 150.0), Vec2::new(100.0, 40.0), size);
        let right = view.to_local(Pos2::new(1050.0, 150.0)).x;
        assert!((right - (400.0 - 24.0)).abs() < 0.01, "{right}");
    }
}
