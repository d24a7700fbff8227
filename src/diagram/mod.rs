//! Pictures of the service graph for design documents, pull requests and layout comparisons: SVG drawn
//! with Cutover's own layout (tier colours, wave labels), Graphviz `dot` for Graphviz users, and
//! Graphviz's `plain` layout format, so that any layout, Cutover's or dot's, can be read back and
//! measured by the same code ([`straight_crossings`]).
//!
//! Pure: a [`Diagram`] is built from a plan and positions, and rendered to text.

mod dot;
pub mod plain;
mod svg;

use crate::analysis::DeploymentOrder;
use crate::plan::{Plan, Position, Tier};

/// The size of a service's box, in canvas units (the app draws the same size).
pub const NODE_SIZE: (f32, f32) = (176.0, 56.0);

/// A text format of the diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SVG, drawn with the diagram's positions.
    Svg,
    /// Graphviz `dot` source: the graph without positions, for Graphviz to lay out.
    Dot,
    /// Graphviz's `plain` layout format: the diagram's positions in inches, y upwards.
    Plain,
}

/// One service in the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The service's id.
    pub id: String,
    /// The service's display name.
    pub name: String,
    /// Its tier, which gives its colour.
    pub tier: Tier,
    /// The deployment wave it first deploys in (0-based), if the plan has an order.
    pub wave: Option<usize>,
    /// The centre of its box, in canvas units (y grows downwards).
    pub centre: Position,
}

/// The service graph with a position for every service.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The plan's name (the picture's title).
    pub title: String,
    /// The services.
    pub nodes: Vec<Node>,
    /// `(dependent, dependency)` pairs of node indices.
    pub edges: Vec<(usize, usize)>,
    /// For each edge (same order), the points it bends at between its ends, from the dependent
    /// down; an edge with none, or missing here, is drawn straight.
    pub routes: Vec<Vec<Position>>,
}

impl Diagram {
    /// The diagram of `plan` with `positions` (one per service, by plan index) and the waves of
    /// `order`, if the plan has one.
    pub fn of_plan(plan: &Plan, positions: &[Position], order: Option<&DeploymentOrder>) -> Self {
        let waves = order.map(|order| order.first_deploy_waves(plan));
        let nodes = plan
            .services
            .iter()
            .enumerate()
            .map(|(index, service)| Node {
                id: service.id.to_string(),
                name: service.name.clone(),
                tier: service.tier,
                wave: waves.as_ref().and_then(|w| w.get(index).copied().flatten()),
                centre: positions.get(index).copied().unwrap_or(service.position),
            })
            .collect();
        let edges = crate::layout::dependency_edges(plan);
        Self {
            title: plan.name.clone(),
            nodes,
            edges,
            routes: Vec::new(),
        }
    }

    /// The diagram of `plan` laid out by `drawing` (from [`crate::layout::draw_plan`]): its
    /// positions, and its edges drawn through their bend points.
    pub fn of_drawing(
        plan: &Plan,
        drawing: &crate::layout::Drawing,
        order: Option<&DeploymentOrder>,
    ) -> Self {
        Self {
            routes: drawing.routes.clone(),
            ..Self::of_plan(plan, &drawing.positions, order)
        }
    }

    /// Every edge as the points it is drawn through: its dependent's centre, its bend points, its
    /// dependency's centre (edges naming a missing node are left out).
    pub fn polylines(&self) -> Vec<(Edge, Vec<Point>)> {
        let point = |p: Position| (f64::from(p.x), f64::from(p.y));
        self.edges
            .iter()
            .enumerate()
            .filter_map(|(index, &(a, b))| {
                let (from, to) = (self.nodes.get(a)?, self.nodes.get(b)?);
                let bends = self.routes.get(index).map_or(&[][..], Vec::as_slice);
                let mut points = vec![point(from.centre)];
                points.extend(bends.iter().map(|&p| point(p)));
                points.push(point(to.centre));
                Some(((a, b), points))
            })
            .collect()
    }

    /// The diagram as text in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Svg => svg::render(self),
            Format::Dot => dot::render(self),
            Format::Plain => plain::render(self),
        }
    }
}

/// The accent colour of a tier (box borders, legend swatches), as RGB; the app uses the same.
pub fn tier_rgb(tier: Tier) -> [u8; 3] {
    match tier {
        Tier::Infrastructure => [120, 120, 140],
        Tier::Database => [70, 130, 200],
        Tier::Worker => [150, 100, 200],
        Tier::Api => [60, 160, 120],
        Tier::Gateway => [210, 150, 50],
        Tier::Frontend => [220, 100, 90],
        Tier::Other => [140, 140, 140],
    }
}

/// Plan text with every character a picture format cannot hold (controls, and the bidi and
/// zero-width marks that would make a label read differently than it is) replaced by U+FFFD.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            let bidi_or_invisible = matches!(c,
                '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                | '\u{2028}' | '\u{2029}' | '\u{FEFF}');
            if c.is_control() || bidi_or_invisible {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// A point of a layout (any unit, either direction of y).
pub type Point = (f64, f64);

/// An edge between two nodes, by index.
pub type Edge = (usize, usize);

/// How many pairs of edges cross, each edge drawn as the straight line between its nodes' centres:
/// one measure for any layout (Cutover's, or Graphviz's read back from `plain`), however it draws
/// its edges. Edges that share a node never count as crossing.
pub fn straight_crossings(centres: &[Point], edges: &[Edge]) -> usize {
    let segments: Vec<(Edge, Point, Point)> = edges
        .iter()
        .filter(|&&(a, b)| a != b)
        .filter_map(|&(a, b)| {
            let (p, q) = (*centres.get(a)?, *centres.get(b)?);
            Some(if p.0 <= q.0 {
                ((a, b), p, q)
            } else {
                ((b, a), q, p)
            })
        })
        .collect();
    crossing_pieces(segments)
}

/// How many pairs of edges cross where they are drawn: each edge as the polyline through its bend
/// points (a pair whose polylines cross several times counts each time). Edges that share a node
/// never count as crossing.
pub fn drawn_crossings(polylines: &[(Edge, Vec<Point>)]) -> usize {
    // Every piece of every polyline, left end first.
    let pieces: Vec<(Edge, Point, Point)> = polylines
        .iter()
        .filter(|((a, b), _)| a != b)
        .flat_map(|&(edge, ref points)| {
            points.windows(2).map(move |w| {
                if w[0].0 <= w[1].0 {
                    (edge, w[0], w[1])
                } else {
                    (edge, w[1], w[0])
                }
            })
        })
        .collect();
    crossing_pieces(pieces)
}

/// How many pairs of `pieces` (segments of edges, each left end first) cross, leaving out pairs of
/// edges that share a node. Sorted by left end, so the inner loop stops at the first piece that
/// starts right of this one's end.
fn crossing_pieces(mut pieces: Vec<(Edge, Point, Point)>) -> usize {
    pieces.sort_by(|x, y| x.1.0.total_cmp(&y.1.0));
    let mut count = 0;
    for (i, &((a1, b1), p1, q1)) in pieces.iter().enumerate() {
        for &((a2, b2), p2, q2) in &pieces[i + 1..] {
            if p2.0 > q1.0 {
                break;
            }
            let shares_a_node = a1 == a2 || a1 == b2 || b1 == a2 || b1 == b2;
            if !shares_a_node && segments_cross(p1, q1, p2, q2) {
                count += 1;
            }
        }
    }
    count
}

/// Whether the segments `p1 q1` and `p2 q2` cross at a point inside both.
pub(crate) fn segments_cross(p1: Point, q1: Point, p2: Point, q2: Point) -> bool {
    // Without branches: the layout's refinement makes this test millions of times, and which way
    // it goes is too irregular for branches to be predicted.
    let orientation = |a: Point, b: Point, c: Point| {
        let value = (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
        i8::from(value > 1e-9) - i8::from(value < -1e-9)
    };
    let (o1, o2) = (orientation(p1, q1, p2), orientation(p1, q1, q2));
    let (o3, o4) = (orientation(p2, q2, p1), orientation(p2, q2, q1));
    (o1 * o2 < 0) & (o3 * o4 < 0)
}

#[cfg(test)]
mod tests;
