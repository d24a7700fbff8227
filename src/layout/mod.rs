//! Layered auto-layout of the service graph: dependencies below their dependents, lower tiers lower on
//! the screen, the order inside each layer chosen to reduce crossing arrows ([`order`]: long edges
//! cut into virtual nodes, weighted-median sweeps and transpositions), and coordinates that keep long
//! edges straight and wrap wide layers without adding crossings ([`place`]).
//!
//! Pure: it reads a plan and returns positions; the app writes them back through an edit so the
//! layout can be undone. Screen coordinates grow downwards, so "lower on screen" is a larger `y`.

use crate::plan::{Plan, Position, Tier};

/// Spacing of the layout, in canvas units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spacing {
    /// Vertical distance between layers.
    pub layer_gap: f32,
    /// Horizontal distance between neighbours in a layer.
    pub node_gap: f32,
    /// Vertical distance between the rows of a layer too wide for one row.
    pub row_gap: f32,
}

impl Default for Spacing {
    fn default() -> Self {
        Self {
            layer_gap: 150.0,
            node_gap: 220.0,
            row_gap: 80.0,
        }
    }
}

mod incremental;
mod order;
mod place;
mod refine;
mod sift;

pub use incremental::relayout;

/// Positions for every service of `plan`, by plan index.
pub fn layout_plan(plan: &Plan, spacing: Spacing) -> Vec<Position> {
    let edges = dependency_edges(plan);
    let tiers: Vec<Tier> = plan.services.iter().map(|s| s.tier).collect();
    layout(&tiers, &edges, spacing)
}

/// Positions for every service of `plan` after a small edit: each service for which `keep` is true
/// stays at its position in the plan, and only the others are placed (see [`relayout`]). For the
/// app's auto-layout of a plan that already has a layout, with `keep` false for the services added
/// (or connected) since, so one edit moves no other service.
pub fn relayout_plan(plan: &Plan, keep: &[bool], spacing: Spacing) -> Vec<Position> {
    let edges = dependency_edges(plan);
    let tiers: Vec<Tier> = plan.services.iter().map(|s| s.tier).collect();
    let previous: Vec<Option<Position>> = plan
        .services
        .iter()
        .enumerate()
        .map(|(i, s)| keep.get(i).copied().unwrap_or(false).then_some(s.position))
        .collect();
    relayout(&tiers, &edges, &previous, spacing)
}

/// The plan's dependencies as `(dependent, dependency)` pairs of service indices (the first service
/// with an id, should two share one); dependencies naming an unknown service are left out.
pub fn dependency_edges(plan: &Plan) -> Vec<(usize, usize)> {
    let index_of: std::collections::HashMap<&crate::plan::Id, usize> = plan
        .services
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (&s.id, i))
        .collect();
    plan.dependencies
        .iter()
        .filter_map(|d| Some((*index_of.get(&d.service)?, *index_of.get(&d.on)?)))
        .collect()
}

/// Whether the plan's services have no layout yet: more than one service, all at the origin (as in
/// generated plans).
pub fn needs_layout(plan: &Plan) -> bool {
    plan.services.len() > 1
        && plan
            .services
            .iter()
            .all(|s| s.position == Position::default())
}

/// The spot nearest `near` where a box of `size` (centred on the spot) overlaps no service's box of
/// the same size, with a margin: `near` itself when it is free, else the first free spot on rings
/// around it. Used to place a new service where the user is looking without covering another.
pub fn free_spot(plan: &Plan, near: Position, size: [f32; 2]) -> Position {
    let (w, h) = ((size[0] * 1.15).ceil(), (size[1] * 1.4).ceil());
    let free = |p: Position| {
        plan.services
            .iter()
            .all(|s| (s.position.x - p.x).abs() >= w - 1.0 || (s.position.y - p.y).abs() >= h - 1.0)
    };
    for ring in 0..64_i32 {
        // Within a ring: beside first (right, then left), then above and below.
        let mut steps: Vec<(i32, i32)> = (-ring..=ring)
            .flat_map(|dy| (-ring..=ring).map(move |dx| (dx, dy)))
            .filter(|(dx, dy)| dx.abs().max(dy.abs()) == ring)
            .collect();
        steps.sort_by_key(|&(dx, dy)| (dy.abs(), dx.abs(), dx < 0, dy < 0));
        for (dx, dy) in steps {
            let spot = Position {
                x: (near.x + dx as f32 * w).round(),
                y: (near.y + dy as f32 * h).round(),
            };
            if free(spot) {
                return spot;
            }
        }
    }
    near
}

/// Lays out nodes with these tiers and `(dependent, dependency)` edges; returns a position per node.
/// A layer wider than [`row_width`] is staggered over several rows, so a big plan stays roughly as
/// wide as it is tall instead of becoming a thin strip.
pub fn layout(tiers: &[Tier], edges: &[(usize, usize)], spacing: Spacing) -> Vec<Position> {
    draw(tiers, edges, spacing).positions
}

/// A layout with its edges: where each node goes, and the points each edge bends at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Drawing {
    /// The centre of every node, by index.
    pub positions: Vec<Position>,
    /// For every edge given, in the same order: the points between its two ends that it is drawn
    /// through, from the dependent down to the dependency, one per layer it passes. Empty for an
    /// edge between adjacent layers, and for one left out of the layout (a self-loop, an unknown
    /// node, an edge closing a cycle).
    pub routes: Vec<Vec<Position>>,
}

/// [`layout_plan`] with the bend points of every dependency, in the order of
/// [`dependency_edges`].
pub fn draw_plan(plan: &Plan, spacing: Spacing) -> Drawing {
    let edges = dependency_edges(plan);
    let tiers: Vec<Tier> = plan.services.iter().map(|s| s.tier).collect();
    draw(&tiers, &edges, spacing)
}

/// [`layout`] with the bend points of every edge: long edges pass their layers where their virtual
/// nodes were placed, so they go around the boxes between their ends instead of behind them.
pub fn draw(tiers: &[Tier], edges: &[(usize, usize)], spacing: Spacing) -> Drawing {
    solve(tiers, edges, spacing).0
}

/// A drawing before its last step: the graph, its proper form, the layers of real nodes in order
/// and the centre of every node (real and virtual), as the refinement receives them.
struct Unrefined {
    graph: Adjacency,
    proper: order::Proper,
    /// The layers (lowest first) of real nodes, each in left-to-right order.
    layers: Vec<Vec<usize>>,
    at: Vec<(f64, f64)>,
}

/// Everything up to the refinement: ranks, order, placement and coordinates.
fn unrefined(tiers: &[Tier], edges: &[(usize, usize)], spacing: Spacing) -> Unrefined {
    let graph = Adjacency::new(tiers.len(), edges);
    let proper = order::Proper::new(&ranks(tiers, &graph), &graph.edges);
    let layers = order::order(&proper);
    let placement = place::place(&proper, &layers, spacing, row_width(tiers.len(), spacing));
    let at = coordinates(&proper, &layers, &placement, spacing);
    let layers = layers
        .iter()
        .map(|layer| layer.iter().copied().filter(|&n| n < tiers.len()).collect())
        .collect();
    Unrefined {
        graph,
        proper,
        layers,
        at,
    }
}

/// The drawing, and the layers (lowest first) of real nodes in their final left-to-right order.
fn solve(tiers: &[Tier], edges: &[(usize, usize)], spacing: Spacing) -> (Drawing, Vec<Vec<usize>>) {
    let Unrefined {
        graph,
        proper,
        layers: mut real_layers,
        mut at,
    } = unrefined(tiers, edges, spacing);
    refine::refine(
        &mut real_layers,
        &proper.rank[..tiers.len()],
        &graph.edges,
        &mut at,
    );
    let point = |node: usize| Position {
        x: at[node].0 as f32,
        y: at[node].1 as f32,
    };
    let mut routes = vec![Vec::new(); edges.len()];
    for (chain, &original) in proper.chains.iter().zip(&graph.kept) {
        routes[original] = chain.iter().map(|&node| point(node)).collect();
    }
    let drawing = Drawing {
        positions: (0..tiers.len()).map(point).collect(),
        routes,
    };
    (drawing, real_layers)
}

/// The centre of every node of `graph` (real and virtual), the drawing centred on x = 0 and its top
/// layer at y = 0; a virtual node stands in the middle of its layer's rows.
fn coordinates(
    graph: &order::Proper,
    layers: &[Vec<usize>],
    placement: &place::Placement,
    spacing: Spacing,
) -> Vec<(f64, f64)> {
    let (min_x, max_x) = (0..graph.real)
        .map(|node| placement.x[node])
        .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
    let centre = if graph.real == 0 {
        0.0
    } else {
        (min_x + max_x) / 2.0
    };
    let mut at = vec![(0.0, 0.0); graph.rank.len()];
    let (row_gap, mut y) = (f64::from(spacing.row_gap), 0.0);
    // From the top layer down.
    for (layer, &rows) in layers.iter().zip(&placement.rows).rev() {
        for &node in layer {
            let row = if graph.is_virtual(node) {
                (rows - 1) as f64 / 2.0
            } else {
                placement.row[node] as f64
            };
            // Rounded as the positions are stored, so the refinement counts what is drawn.
            let x = f64::from((placement.x[node] - centre) as f32);
            at[node] = (x, f64::from((y + row * row_gap) as f32));
        }
        y += (rows - 1) as f64 * row_gap + f64::from(spacing.layer_gap);
    }
    at
}

/// The most nodes one row of a layer holds for a graph of `node_count` nodes: at least 12, and
/// enough that a big graph comes out about twice as wide as it is tall.
pub fn row_width(node_count: usize, spacing: Spacing) -> usize {
    let balanced = (2.0 * node_count as f32 * spacing.row_gap / spacing.node_gap.max(1.0)).sqrt();
    balanced.ceil().max(12.0) as usize
}

/// The layers, lowest (rank 0, deployed first) first, each in left-to-right order (services only;
/// the virtual nodes of long edges are left out), as [`layout`] draws them with the default
/// spacing.
pub fn order_layers(tiers: &[Tier], edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    solve(tiers, edges, Spacing::default()).1
}

/// The number of crossing pairs among edges between adjacent layers (longer edges are not counted).
pub fn crossings(layers: &[Vec<usize>], edges: &[(usize, usize)]) -> usize {
    let node_count = layers.iter().map(Vec::len).sum::<usize>();
    let mut rank = vec![usize::MAX; node_count];
    let mut slot = vec![0usize; node_count];
    for (r, layer) in layers.iter().enumerate() {
        for (s, &node) in layer.iter().enumerate() {
            if node < node_count {
                rank[node] = r;
                slot[node] = s;
            }
        }
    }
    let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); layers.len()];
    for &(upper, lower) in edges {
        let (Some(&ru), Some(&rl)) = (rank.get(upper), rank.get(lower)) else {
            continue;
        };
        if ru != usize::MAX && rl != usize::MAX && ru == rl + 1 {
            by_layer[rl].push((slot[lower], slot[upper]));
        }
    }
    by_layer
        .iter()
        .map(|pairs| {
            let mut count = 0;
            for (i, a) in pairs.iter().enumerate() {
                for b in &pairs[i + 1..] {
                    if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                        count += 1;
                    }
                }
            }
            count
        })
        .sum()
}

/// Each node's dependencies, and the edges kept (no self-loops, no unknown nodes).
struct Adjacency {
    dependencies: Vec<Vec<usize>>,
    edges: Vec<(usize, usize)>,
    /// The index among the edges given of each edge kept.
    kept: Vec<usize>,
}

impl Adjacency {
    fn new(node_count: usize, edges: &[(usize, usize)]) -> Self {
        let mut dependencies = vec![Vec::new(); node_count];
        let (mut kept_edges, mut kept) = (Vec::new(), Vec::new());
        for (index, &(from, to)) in edges.iter().enumerate() {
            if from < node_count && to < node_count && from != to {
                dependencies[from].push(to);
                kept_edges.push((from, to));
                kept.push(index);
            }
        }
        Self {
            dependencies,
            edges: kept_edges,
            kept,
        }
    }
}

/// Each node's layer: at least one above everything it depends on, and at least the band of its tier
/// (the tiers present, lowest first), so unrelated services still sit bottom-up. Edges that close a
/// cycle are ignored, so a plan with a cycle still gets a layout.
fn ranks(tiers: &[Tier], graph: &Adjacency) -> Vec<usize> {
    let mut present: Vec<Tier> = tiers.to_vec();
    present.sort();
    present.dedup();
    let floor = |tier: Tier| present.iter().position(|&t| t == tier).unwrap_or(0);

    const UNSEEN: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNSEEN; tiers.len()];
    let mut rank = vec![0usize; tiers.len()];
    for start in 0..tiers.len() {
        if state[start] != UNSEEN {
            continue;
        }
        // Iterative depth-first search: (node, next dependency to look at).
        let mut stack = vec![(start, 0usize)];
        state[start] = OPEN;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dependency) = graph.dependencies[node].get(*next) {
                *next += 1;
                if state[dependency] == UNSEEN {
                    state[dependency] = OPEN;
                    stack.push((dependency, 0));
                }
                continue;
            }
            let above_dependencies = graph.dependencies[node]
                .iter()
                .filter(|&&d| state[d] == DONE)
                .map(|&d| rank[d] + 1)
                .max()
                .unwrap_or(0);
            rank[node] = above_dependencies.max(floor(tiers[node]));
            state[node] = DONE;
            stack.pop();
        }
    }
    // Close gaps: empty layers between bands add nothing but distance.
    let mut used: Vec<usize> = rank.clone();
    used.sort_unstable();
    used.dedup();
    rank.iter()
        .map(|r| used.binary_search(r).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests;
