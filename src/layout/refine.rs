//! The last step, on the drawing itself: two services next to each other in a layer trade places
//! when that makes fewer of the straight lines between connected services cross (a greedy switch,
//! counted exactly on the final coordinates). The ordering works on a proxy, the layers with their
//! virtual nodes; this step sees what a reader sees, staggered rows and long edges included.
//! Deterministic, and bounded by a number of segment tests rather than by time.

use crate::diagram::segments_cross;

/// How many segment-pair tests the refinement may make in all: enough for several passes over a
/// plan of a few hundred services, a part of one over the largest.
const BUDGET: usize = 3_000_000;
/// How many passes over every layer it makes at most.
const PASSES: usize = 3;

/// A point of the drawing.
type Point = (f64, f64);

/// The edges, and where to look for the edges each could cross.
struct Lines<'a> {
    edges: &'a [(usize, usize)],
    /// The edges at each node.
    incident: Vec<Vec<usize>>,
    /// The edges in each horizontal slice of the drawing: slice `2 l` is layer `l`'s band (kept
    /// only when its services stand in several rows), slice `2 l + 1` the gap above it. Only edges
    /// that share a slice can cross.
    by_slice: Vec<Vec<usize>>,
    /// The slices each edge spans.
    slices: Vec<Vec<usize>>,
    /// Each edge's extent in x, kept current as nodes trade places.
    span: Vec<(f64, f64)>,
    /// Work stamps, so an edge met in several gaps is tested once.
    seen: Vec<usize>,
    stamp: usize,
    tests: usize,
}

impl<'a> Lines<'a> {
    /// The lines of `edges` between nodes of layer `rank`; `rows[l]` is whether layer `l` has
    /// several rows.
    fn new(rank: &[usize], edges: &'a [(usize, usize)], rows: &[bool], at: &[Point]) -> Self {
        let mut incident = vec![Vec::new(); rank.len()];
        let mut by_slice = vec![Vec::new(); 2 * rows.len()];
        let mut slices = Vec::with_capacity(edges.len());
        for (id, &(a, b)) in edges.iter().enumerate() {
            incident[a].push(id);
            incident[b].push(id);
            let (lo, hi) = (rank[a].min(rank[b]), rank[a].max(rank[b]));
            let spanned: Vec<usize> = (2 * lo..=2 * hi)
                .filter(|&slice| slice % 2 == 1 || rows[slice / 2])
                .collect();
            for &slice in &spanned {
                by_slice[slice].push(id);
            }
            slices.push(spanned);
        }
        Self {
            edges,
            incident,
            by_slice,
            slices,
            span: edges.iter().map(|&edge| span(edge, at)).collect(),
            seen: vec![0; edges.len()],
            stamp: 0,
            tests: 0,
        }
    }

    /// The edges at `u` or `w`.
    fn at_either(&self, u: usize, w: usize) -> Vec<usize> {
        self.incident[u]
            .iter()
            .chain(&self.incident[w])
            .copied()
            .collect()
    }

    /// Refreshes the extents of `edges` after their nodes moved.
    fn moved(&mut self, edges: &[usize], at: &[Point]) {
        for &edge in edges {
            self.span[edge] = span(self.edges[edge], at);
        }
    }

    /// How many pairs cross among `mine` (the edges at two nodes) and all edges, each pair once.
    fn crossings_of(&mut self, mine: &[usize], at: &[Point]) -> usize {
        let mut count = 0;
        for (i, &edge) in mine.iter().enumerate() {
            let (lo, hi) = self.span[edge];
            self.stamp += 1;
            // Pairs within `mine` are counted once, from their first member.
            for &other in &mine[..=i] {
                self.seen[other] = self.stamp;
            }
            for &slice in &self.slices[edge] {
                for &other in &self.by_slice[slice] {
                    if self.seen[other] == self.stamp {
                        continue;
                    }
                    self.seen[other] = self.stamp;
                    self.tests += 1;
                    let (other_lo, other_hi) = self.span[other];
                    if other_lo >= hi || other_hi <= lo {
                        continue;
                    }
                    count += usize::from(cross(self.edges[edge], self.edges[other], at));
                }
            }
        }
        count
    }
}

/// The extent in x of `edge` drawn straight.
fn span((a, b): (usize, usize), at: &[Point]) -> (f64, f64) {
    (at[a].0.min(at[b].0), at[a].0.max(at[b].0))
}

/// Whether two edges, drawn straight between their nodes' centres, cross (edges that share a node
/// never do).
fn cross((a1, b1): (usize, usize), (a2, b2): (usize, usize), at: &[Point]) -> bool {
    let shares_a_node = a1 == a2 || a1 == b2 || b1 == a2 || b1 == b2;
    !shares_a_node && segments_cross(at[a1], at[b1], at[a2], at[b2])
}

/// Lets neighbours in each of `layers` (real nodes, in order) trade places in `at` while that
/// lowers the crossings of the straight `edges`; `rank` is each node's layer. The layers are
/// reordered to match.
pub fn refine(
    layers: &mut [Vec<usize>],
    rank: &[usize],
    edges: &[(usize, usize)],
    at: &mut [Point],
) {
    let rows: Vec<bool> = layers
        .iter()
        .map(|layer| layer.iter().any(|&n| at[n].1 != at[layer[0]].1))
        .collect();
    let mut lines = Lines::new(rank, edges, &rows, at);
    for _ in 0..PASSES {
        let mut improved = false;
        for layer in layers.iter_mut() {
            for i in 1..layer.len() {
                if lines.tests > BUDGET {
                    return;
                }
                let (u, w) = (layer[i - 1], layer[i]);
                if lines.incident[u].is_empty() && lines.incident[w].is_empty() {
                    continue;
                }
                let mine = lines.at_either(u, w);
                let before = lines.crossings_of(&mine, at);
                at.swap(u, w);
                lines.moved(&mine, at);
                if lines.crossings_of(&mine, at) < before {
                    layer.swap(i - 1, i);
                    improved = true;
                } else {
                    at.swap(u, w);
                    lines.moved(&mine, at);
                }
            }
        }
        if !improved {
            break;
        }
    }
}
