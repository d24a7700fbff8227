//! SVG of the service graph with the diagram's positions: a box per service in its tier's colours,
//! labelled with its name, id and deployment wave, an arrow from each dependent to what it depends
//! on (a smooth curve through its bend points when the layout gave it some, so long edges go around
//! the boxes between their ends), and a legend of the tiers. Every plan text is escaped for XML.

use std::fmt::Write as _;

use super::{Diagram, NODE_SIZE, printable, tier_rgb};
use crate::plan::Tier;

/// Space around the drawing, in canvas units.
const MARGIN: f32 = 40.0;
/// Height of the legend row under the drawing.
const LEGEND_HEIGHT: f32 = 40.0;

/// Writes `diagram` as a standalone SVG document.
pub fn render(diagram: &Diagram) -> String {
    let (half_w, half_h) = (NODE_SIZE.0 / 2.0, NODE_SIZE.1 / 2.0);
    let (min_x, max_x, min_y, max_y) = diagram.nodes.iter().fold(
        (f32::MAX, f32::MIN, f32::MAX, f32::MIN),
        |(x0, x1, y0, y1), n| {
            (
                x0.min(n.centre.x),
                x1.max(n.centre.x),
                y0.min(n.centre.y),
                y1.max(n.centre.y),
            )
        },
    );
    let (min_x, max_x, min_y, max_y) = if diagram.nodes.is_empty() {
        (0.0, 0.0, 0.0, 0.0)
    } else {
        (min_x, max_x, min_y, max_y)
    };
    let left = min_x - half_w - MARGIN;
    let top = min_y - half_h - MARGIN;
    let width = (max_x - min_x + 2.0 * (half_w + MARGIN)).max(560.0);
    let drawing_height = max_y - min_y + 2.0 * (half_h + MARGIN);
    let height = drawing_height + LEGEND_HEIGHT;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{left:.1} {top:.1} {width:.1} {height:.1}\" \
         width=\"{width:.0}\" height=\"{height:.0}\" font-family=\"sans-serif\">"
    );
    let _ = writeln!(svg, "<title>{}</title>", xml(&diagram.title));
    svg.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" \
         markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" \
         fill=\"#6b7280\"/></marker></defs>\n",
    );
    let _ = writeln!(
        svg,
        "<rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" fill=\"#ffffff\"/>"
    );
    svg.push_str("<g stroke=\"#6b7280\" stroke-width=\"1.5\" fill=\"none\">\n");
    for (index, &(dependent, dependency)) in diagram.edges.iter().enumerate() {
        let (Some(from), Some(to)) = (diagram.nodes.get(dependent), diagram.nodes.get(dependency))
        else {
            continue;
        };
        let bends = diagram.routes.get(index).map_or(&[][..], Vec::as_slice);
        let (a, b) = (from.centre, to.centre);
        // Towards the first bend (or the other end), from box edge to box edge, so the arrowhead
        // shows.
        let (first, last) = match (bends.first(), bends.last()) {
            (Some(first), Some(last)) => (*first, *last),
            _ => (b, a),
        };
        let start = box_exit(a.x, a.y, first.x, first.y, half_w, half_h);
        let end = box_exit(b.x, b.y, last.x, last.y, half_w, half_h);
        if bends.is_empty() {
            let _ = writeln!(
                svg,
                "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" marker-end=\"url(#arrow)\"/>",
                start.0, start.1, end.0, end.1
            );
        } else {
            let _ = writeln!(
                svg,
                "<path d=\"{}\" marker-end=\"url(#arrow)\"/>",
                curve(start, bends, end)
            );
        }
    }
    svg.push_str("</g>\n");
    for node in &diagram.nodes {
        let [r, g, b] = tier_rgb(node.tier);
        let (x, y) = (node.centre.x - half_w, node.centre.y - half_h);
        let wave = node
            .wave
            .map_or_else(String::new, |w| format!(" · wave {}", w + 1));
        let _ = writeln!(
            svg,
            "<g><title>{full_name} ({id})</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.0}\" height=\"{h:.0}\" rx=\"8\" \
             fill=\"rgb({fr},{fg},{fb})\" stroke=\"rgb({r},{g},{b})\" stroke-width=\"2\"/>\
             <text x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#111827\">{name}</text>\
             <text x=\"{cx:.1}\" y=\"{sy:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#374151\">{id}{wave}</text></g>",
            id = xml(&node.id),
            full_name = xml(&node.name),
            w = NODE_SIZE.0,
            h = NODE_SIZE.1,
            fr = lighten(r),
            fg = lighten(g),
            fb = lighten(b),
            cx = node.centre.x,
            ty = node.centre.y - 4.0,
            sy = node.centre.y + 14.0,
            name = xml(&shorten(&node.name, 22)),
        );
    }
    legend(
        &mut svg,
        left + MARGIN,
        top + drawing_height + LEGEND_HEIGHT / 2.0,
    );
    svg.push_str("</svg>\n");
    svg
}

/// A row of tier swatches and names at `(x, y)`.
fn legend(svg: &mut String, mut x: f32, y: f32) {
    for tier in Tier::ALL {
        let [r, g, b] = tier_rgb(tier);
        let name = format!("{tier:?}");
        let _ = writeln!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"14\" height=\"14\" rx=\"3\" fill=\"rgb({r},{g},{b})\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#374151\">{name}</text>",
            y - 7.0,
            x + 20.0,
            y + 5.0,
        );
        x += 30.0 + 8.0 * name.len() as f32;
    }
}

/// The point where the line from the centre `(x, y)` towards `(tx, ty)` leaves a box of half-size
/// `(hw, hh)` centred there.
fn box_exit(x: f32, y: f32, tx: f32, ty: f32, hw: f32, hh: f32) -> (f32, f32) {
    let (dx, dy) = (tx - x, ty - y);
    if dx == 0.0 && dy == 0.0 {
        return (x, y);
    }
    let scale = (hw / dx.abs()).min(hh / dy.abs());
    (x + dx * scale, y + dy * scale)
}

/// SVG path data for a smooth curve from `start` through every bend to `end`: a cubic piece
/// between each two points, leaving and reaching each point vertically (as layered drawings run
/// top to bottom), so the curve passes every bend where the layout made room for it.
fn curve(start: (f32, f32), bends: &[crate::plan::Position], end: (f32, f32)) -> String {
    let mut points = vec![start];
    points.extend(bends.iter().map(|p| (p.x, p.y)));
    points.push(end);
    let mut data = format!("M {:.1} {:.1}", start.0, start.1);
    for pair in points.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let middle = (y0 + y1) / 2.0;
        let _ = write!(
            data,
            " C {x0:.1} {middle:.1} {x1:.1} {middle:.1} {x1:.1} {y1:.1}"
        );
    }
    data
}

/// A fill colour: the accent mixed with white, so dark text stays readable.
fn lighten(channel: u8) -> u8 {
    (u16::from(channel) * 2 / 5 + 153) as u8
}

/// `text` cut to `max` characters with an ellipsis (the box's tooltip has the full name).
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// `text` escaped for XML character data and attribute values.
fn xml(text: &str) -> String {
    printable(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
