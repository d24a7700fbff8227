//! Incremental layout: after a small edit, every service that has a position keeps it, and only the
//! services without one (new, or given up by the caller to be placed again) are placed: in a row
//! of their layer's band, in a free gap, where their edges cross fewest of the lines already drawn,
//! and among those as near the middle of their neighbours as possible. Nothing else moves, so an
//! edit never reshuffles the picture a reader has learnt.

use super::{Adjacency, Spacing, ranks};
use crate::diagram::segments_cross;
use crate::plan::{Position, Tier};

/// How many free gaps on each side of the wished-for spot are tried in each row.
const GAPS_TRIED: usize = 4;

/// Positions for nodes with these tiers and `(dependent, dependency)` edges, keeping every node
/// whose `previous` position is `Some` exactly there and placing the others (see the module
/// documentation). With no previous position at all, the fresh [`super::layout`].
pub fn relayout(
    tiers: &[Tier],
    edges: &[(usize, usize)],
    previous: &[Option<Position>],
    spacing: Spacing,
) -> Vec<Position> {
    let kept = |node: usize| previous.get(node).copied().flatten();
    if (0..tiers.len()).all(|node| kept(node).is_none()) {
        return super::layout(tiers, edges, spacing);
    }
    let graph = Adjacency::new(tiers.len(), edges);
    let rank = ranks(tiers, &graph);
    let mut placed: Vec<Option<Position>> = (0..tiers.len()).map(kept).collect();
    for node in 0..tiers.len() {
        if placed[node].is_none() {
            placed[node] = Some(place_one(node, &rank, &graph.edges, &placed, spacing));
        }
    }
    placed.into_iter().map(Option::unwrap_or_default).collect()
}

/// The spot for `node` among the nodes `placed` so far.
fn place_one(
    node: usize,
    rank: &[usize],
    edges: &[(usize, usize)],
    placed: &[Option<Position>],
    spacing: Spacing,
) -> Position {
    let neighbours: Vec<Position> = edges
        .iter()
        .filter_map(|&(a, b)| match (a == node, b == node) {
            (true, false) => placed[b],
            (false, true) => placed[a],
            _ => None,
        })
        .collect();
    let rows = rows_of(rank[node], rank, placed, spacing);
    let target = wished_x(rank[node], rank, placed, &neighbours, spacing);
    let mut best: Option<((usize, f32), Position)> = None;
    for y in rows {
        for x in free_spots(y, target, placed, spacing) {
            let spot = Position { x, y };
            let cost = (
                crossings_from(spot, &neighbours, node, edges, placed),
                (x - target).abs(),
            );
            if best.as_ref().is_none_or(|(fewest, _)| cost < *fewest) {
                best = Some((cost, spot));
            }
        }
    }
    best.map_or(Position { x: target, y: 0.0 }, |(_, spot)| spot)
}

/// The y of each row of layer `layer` (the rows its placed nodes stand in), or, for a layer with no
/// node placed yet, one row between the layers around it.
fn rows_of(
    layer: usize,
    rank: &[usize],
    placed: &[Option<Position>],
    spacing: Spacing,
) -> Vec<f32> {
    let ys_at = |r: usize| -> Vec<f32> {
        let mut ys: Vec<f32> = (0..rank.len())
            .filter(|&n| rank[n] == r)
            .filter_map(|n| placed[n].map(|p| p.y))
            .collect();
        ys.sort_by(f32::total_cmp);
        ys.dedup();
        ys
    };
    let own = ys_at(layer);
    if !own.is_empty() {
        return own;
    }
    let top = rank.iter().copied().max().unwrap_or(0);
    // Lower layers are lower on screen (larger y).
    let below = (0..layer).rev().map(ys_at).find(|ys| !ys.is_empty());
    let above = (layer + 1..=top).map(ys_at).find(|ys| !ys.is_empty());
    let y = match (below, above) {
        (Some(below), Some(above)) => (below[0] + above[above.len() - 1]) / 2.0,
        (Some(below), None) => below[0] - spacing.layer_gap,
        (None, Some(above)) => above[above.len() - 1] + spacing.layer_gap,
        (None, None) => 0.0,
    };
    vec![y]
}

/// Where `node` would like to be in x: the median of its placed neighbours, or, without any, just
/// right of its layer.
fn wished_x(
    layer: usize,
    rank: &[usize],
    placed: &[Option<Position>],
    neighbours: &[Position],
    spacing: Spacing,
) -> f32 {
    let mut xs: Vec<f32> = neighbours.iter().map(|p| p.x).collect();
    xs.sort_by(f32::total_cmp);
    if !xs.is_empty() {
        return xs[xs.len() / 2];
    }
    (0..rank.len())
        .filter(|&n| rank[n] == layer)
        .filter_map(|n| placed[n].map(|p| p.x))
        .fold(None, |right: Option<f32>, x| {
            Some(right.map_or(x, |r| r.max(x)))
        })
        .map_or(0.0, |right| right + spacing.node_gap)
}

/// Candidate x in the row at `y` where a node keeps a whole gap from every placed node in that row:
/// in each of the free gaps nearest `target`, the point of the gap nearest it.
fn free_spots(y: f32, target: f32, placed: &[Option<Position>], spacing: Spacing) -> Vec<f32> {
    let gap = spacing.node_gap;
    let mut xs: Vec<f32> = placed
        .iter()
        .flatten()
        .filter(|p| (p.y - y).abs() < spacing.row_gap)
        .map(|p| p.x)
        .collect();
    xs.sort_by(f32::total_cmp);
    let mut intervals: Vec<(f32, f32)> = Vec::new();
    match (xs.first(), xs.last()) {
        (Some(&first), Some(&last)) => {
            intervals.push((f32::MIN, first - gap));
            for pair in xs.windows(2) {
                if pair[1] - pair[0] >= 2.0 * gap {
                    intervals.push((pair[0] + gap, pair[1] - gap));
                }
            }
            intervals.push((last + gap, f32::MAX));
        }
        _ => intervals.push((f32::MIN, f32::MAX)),
    }
    let mut spots: Vec<f32> = intervals
        .iter()
        .map(|&(lo, hi)| target.clamp(lo, hi))
        .collect();
    spots.sort_by(|a, b| (a - target).abs().total_cmp(&(b - target).abs()));
    spots.truncate(2 * GAPS_TRIED);
    spots
}

/// How many placed edges the straight lines from `spot` to `neighbours` would cross.
fn crossings_from(
    spot: Position,
    neighbours: &[Position],
    node: usize,
    edges: &[(usize, usize)],
    placed: &[Option<Position>],
) -> usize {
    let point = |p: Position| (f64::from(p.x), f64::from(p.y));
    let lines: Vec<((f64, f64), (f64, f64))> = edges
        .iter()
        .filter(|&&(a, b)| a != node && b != node)
        .filter_map(|&(a, b)| Some((point(placed[a]?), point(placed[b]?))))
        .collect();
    neighbours
        .iter()
        .map(|&n| {
            lines
                .iter()
                .filter(|&&(p, q)| segments_cross(point(spot), point(n), p, q))
                .count()
        })
        .sum()
}
