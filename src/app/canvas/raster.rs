//! Drawing a zoomed-out scene into an image on the CPU.
//!
//! Zoomed out, a large plan is thousands of boxes a few pixels high and thousands of hair-thin
//! arrows. As egui shapes, each is a feathered mesh that a software renderer (Mesa's llvmpipe, the
//! only GL on many desktops and every CI machine) sets up and fills again on every frame, pointer
//! moves included: at 2,000 services that was most of a 100–200 ms frame. Drawn once into an image
//! instead, they cost one textured rectangle per frame, and the image is drawn again only when what
//! it shows changes (the plan, the view, the highlight, the selection).
//!
//! Coordinates are in the image's pixels, with pixel `(x, y)` covering `[x, x + 1) × [y, y + 1)`.
//! Colours are egui's (premultiplied, gamma space) and blend as egui's painter does (source over, in
//! gamma space), each scaled by how much of the pixel the shape covers.

use egui::{Color32, ColorImage, Pos2, Rect};

/// An image being drawn: transparent where nothing is.
pub struct Raster {
    width: usize,
    height: usize,
    pixels: Vec<Color32>,
}

/// How much of the unit interval `[i, i + 1)` lies within `[from, to]`.
fn overlap(i: usize, from: f32, to: f32) -> f32 {
    let i = i as f32;
    ((i + 1.0).min(to) - i.max(from)).clamp(0.0, 1.0)
}

/// The pixel indices `[first, last)` that `[from, to]` touches, within `0..limit`.
fn span(from: f32, to: f32, limit: usize) -> std::ops::Range<usize> {
    // Float-to-integer `as` truncates and saturates (NaN becomes 0), which is the floor of a
    // non-negative number; far-off or broken coordinates give an empty or clamped range, never a
    // huge loop. (No `floor`/`ceil`: without SSE4.1 they are library calls, and this is called per
    // pixel column of every line.)
    let first = from.max(0.0) as usize;
    let to = to.max(0.0);
    let whole = to as usize;
    let last = if (whole as f32) < to {
        whole.saturating_add(1)
    } else {
        whole
    };
    let last = last.min(limit);
    first.min(last)..last
}

impl Raster {
    /// A transparent image of `width` × `height` pixels.
    pub fn new(width: usize, height: usize) -> Raster {
        Raster {
            width,
            height,
            pixels: vec![Color32::TRANSPARENT; width * height],
        }
    }

    /// The pixel at `(x, y)`, transparent outside the image.
    #[cfg(test)]
    pub fn pixel(&self, x: usize, y: usize) -> Color32 {
        if x < self.width && y < self.height {
            self.pixels[y * self.width + x]
        } else {
            Color32::TRANSPARENT
        }
    }

    /// Lays `colour` over pixel `(x, y)`, scaled by `coverage` (0 to 1): source over, in gamma space
    /// and premultiplied, as egui blends, in integers.
    fn blend(&mut self, x: usize, y: usize, colour: Color32, coverage: f32) {
        if x >= self.width || y >= self.height {
            return;
        }
        let cover = (coverage.min(1.0) * 255.0 + 0.5) as u32;
        if cover == 0 {
            return;
        }
        let scale = |value: u8, by: u32| (u32::from(value) * by + 127) / 255;
        let [r, g, b, a] = colour.to_array();
        let source = [
            scale(r, cover),
            scale(g, cover),
            scale(b, cover),
            scale(a, cover),
        ];
        let keep = 255 - source[3];
        let pixel = &mut self.pixels[y * self.width + x];
        let [dr, dg, db, da] = pixel.to_array();
        let mix = |below: u8, over: u32| (scale(below, keep) + over).min(255) as u8;
        *pixel = Color32::from_rgba_premultiplied(
            mix(dr, source[0]),
            mix(dg, source[1]),
            mix(db, source[2]),
            mix(da, source[3]),
        );
    }

    /// Fills `rect`, its partly covered border pixels in proportion.
    pub fn fill_rect(&mut self, rect: Rect, colour: Color32) {
        for y in span(rect.min.y, rect.max.y, self.height) {
            let rows = overlap(y, rect.min.y, rect.max.y);
            for x in span(rect.min.x, rect.max.x, self.width) {
                self.blend(x, y, colour, rows * overlap(x, rect.min.x, rect.max.x));
            }
        }
    }

    /// A frame `width` thick just outside `rect`.
    pub fn stroke_rect_outside(&mut self, rect: Rect, width: f32, colour: Color32) {
        let outer = rect.expand(width);
        let bands = [
            Rect::from_x_y_ranges(outer.x_range(), outer.top()..=rect.top()),
            Rect::from_x_y_ranges(outer.x_range(), rect.bottom()..=outer.bottom()),
            Rect::from_x_y_ranges(outer.left()..=rect.left(), rect.y_range()),
            Rect::from_x_y_ranges(rect.right()..=outer.right(), rect.y_range()),
        ];
        for band in bands {
            self.fill_rect(band, colour);
        }
    }

    /// A straight line `width` thick from `a` to `b`: along its longer axis, each pixel column (or
    /// row) is covered where the line crosses it, so thin lines come out smooth, not stepped.
    pub fn line(&mut self, a: Pos2, b: Pos2, width: f32, colour: Color32) {
        if !(a.is_finite() && b.is_finite() && width > 0.0) {
            return;
        }
        let steep = (b.y - a.y).abs() > (b.x - a.x).abs();
        // Work in (major, minor) coordinates: x and y, or y and x for a steep line.
        let (mut start, mut end) = if steep {
            ((a.y, a.x), (b.y, b.x))
        } else {
            ((a.x, a.y), (b.x, b.y))
        };
        if start.0 > end.0 {
            std::mem::swap(&mut start, &mut end);
        }
        // Along the longer axis, so only a line of no length has no run: it draws nothing.
        let run = end.0 - start.0;
        if run <= 0.0 {
            return;
        }
        let slope = (end.1 - start.1) / run;
        // The line's extent across one major step.
        let thickness = width * (1.0 + slope * slope).sqrt();
        let (major_limit, minor_limit) = if steep {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        };
        for major in span(start.0, end.0, major_limit) {
            let along = overlap(major, start.0, end.0);
            let at = (major as f32 + 0.5).clamp(start.0, end.0);
            let centre = start.1 + (at - start.0) * slope;
            let (from, to) = (centre - thickness / 2.0, centre + thickness / 2.0);
            for minor in span(from, to, minor_limit) {
                let coverage = along * overlap(minor, from, to);
                if steep {
                    self.blend(minor, major, colour, coverage);
                } else {
                    self.blend(major, minor, colour, coverage);
                }
            }
        }
    }

    /// A filled circle, its rim smoothed over a pixel.
    pub fn disc(&mut self, centre: Pos2, radius: f32, colour: Color32) {
        if !(centre.is_finite() && radius > 0.0) {
            return;
        }
        for y in span(
            centre.y - radius - 1.0,
            centre.y + radius + 1.0,
            self.height,
        ) {
            for x in span(centre.x - radius - 1.0, centre.x + radius + 1.0, self.width) {
                let distance = Pos2::new(x as f32 + 0.5, y as f32 + 0.5).distance(centre);
                self.blend(x, y, colour, radius + 0.5 - distance);
            }
        }
    }

    /// The finished image, for a texture.
    pub fn into_image(self) -> ColorImage {
        ColorImage::new([self.width, self.height], self.pixels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: Color32 = Color32::from_rgb(200, 0, 0);

    fn alpha(raster: &Raster, x: usize, y: usize) -> u8 {
        raster.pixel(x, y).a()
    }

    #[test]
    fn a_rect_on_pixel_edges_fills_exactly_its_pixels() {
        let mut raster = Raster::new(10, 10);
        raster.fill_rect(
            Rect::from_min_max(Pos2::new(2.0, 3.0), Pos2::new(5.0, 4.0)),
            RED,
        );
        for y in 0..10 {
            for x in 0..10 {
                let inside = (2..5).contains(&x) && y == 3;
                assert_eq!(
                    raster.pixel(x, y),
                    if inside { RED } else { Color32::TRANSPARENT }
                );
            }
        }
    }

    #[test]
    fn a_rect_covering_half_a_pixel_paints_it_half() {
        let mut raster = Raster::new(4, 4);
        raster.fill_rect(
            Rect::from_min_max(Pos2::new(1.0, 1.0), Pos2::new(1.5, 2.0)),
            RED,
        );
        assert_eq!(alpha(&raster, 1, 1), 128);
        assert_eq!(
            alpha(&raster, 0, 1) + alpha(&raster, 2, 1) + alpha(&raster, 1, 0),
            0
        );
    }

    #[test]
    fn a_frame_outside_leaves_the_inside_clear() {
        let mut raster = Raster::new(10, 10);
        raster.stroke_rect_outside(
            Rect::from_min_max(Pos2::new(3.0, 3.0), Pos2::new(6.0, 6.0)),
            1.0,
            RED,
        );
        assert_eq!(alpha(&raster, 4, 4), 0);
        for (x, y) in [(2, 2), (4, 2), (6, 4), (4, 6), (6, 6), (2, 5)] {
            assert_eq!(raster.pixel(x, y), RED, "({x}, {y})");
        }
        assert_eq!(alpha(&raster, 1, 1) + alpha(&raster, 7, 7), 0);
    }

    #[test]
    fn a_line_covers_each_column_it_crosses_with_its_width() {
        let mut raster = Raster::new(20, 20);
        // A shallow line half a pixel wide: every column between its ends holds half a pixel of
        // it in all, spread over the rows it crosses.
        raster.line(
            Pos2::new(2.0, 5.0),
            Pos2::new(18.0, 9.0),
            0.5,
            Color32::WHITE,
        );
        for x in 2..18 {
            let column: u32 = (0..20).map(|y| u32::from(alpha(&raster, x, y))).sum();
            let expected = 255.0 * 0.5 * (1.0f32 + 0.25 * 0.25).sqrt();
            assert!(
                (column as f32 - expected).abs() <= 4.0,
                "column {x} holds {column}, not about {expected}"
            );
        }
        assert_eq!((0..20).map(|y| alpha(&raster, 0, y)).sum::<u8>(), 0);
        assert_eq!((0..20).map(|y| alpha(&raster, 19, y)).sum::<u8>(), 0);
    }

    #[test]
    fn a_steep_line_covers_rows_and_ends_where_it_ends() {
        let mut raster = Raster::new(20, 20);
        raster.line(Pos2::new(10.5, 18.0), Pos2::new(10.5, 2.0), 1.0, RED);
        for y in 2..18 {
            assert_eq!(raster.pixel(10, y), RED, "row {y}");
            assert_eq!(alpha(&raster, 9, y) + alpha(&raster, 11, y), 0);
        }
        assert_eq!(alpha(&raster, 10, 1) + alpha(&raster, 10, 18), 0);
    }

    #[test]
    fn shapes_far_outside_or_broken_draw_nothing_and_do_not_panic() {
        let mut raster = Raster::new(8, 8);
        raster.line(Pos2::new(-1e30, 4.0), Pos2::new(1e30, 4.0), 1.0, RED);
        raster.line(Pos2::new(f32::NAN, 0.0), Pos2::new(3.0, 3.0), 1.0, RED);
        raster.line(Pos2::new(2.0, 2.0), Pos2::new(2.0, 2.0), 1.0, RED);
        raster.fill_rect(
            Rect::from_min_max(Pos2::new(50.0, 50.0), Pos2::new(60.0, 60.0)),
            RED,
        );
        raster.fill_rect(Rect::NOTHING, RED);
        raster.disc(Pos2::new(-40.0, -40.0), 3.0, RED);
        raster.disc(Pos2::new(f32::INFINITY, 1.0), 3.0, RED);
        // Only the one line across the middle is drawn.
        for y in 0..8 {
            for x in 0..8 {
                let expected = if y == 3 || y == 4 { 128 } else { 0 };
                assert_eq!(alpha(&raster, x, y), expected, "({x}, {y})");
            }
        }
    }

    #[test]
    fn a_disc_is_round_and_blends_over_what_is_below() {
        let mut raster = Raster::new(12, 12);
        raster.fill_rect(
            Rect::from_min_max(Pos2::ZERO, Pos2::new(12.0, 12.0)),
            Color32::BLUE,
        );
        raster.disc(Pos2::new(6.0, 6.0), 3.0, RED);
        assert_eq!(raster.pixel(5, 5), RED);
        assert_eq!(raster.pixel(0, 0), Color32::BLUE);
        // On the rim, a mix of both.
        let rim = raster.pixel(8, 4);
        assert!(rim.r() > 0 && rim.b() > 0, "{rim:?}");
        assert_eq!(raster.into_image().size, [12, 12]);
    }
}
