//! The last step, on the drawing itself: two services next to each other in a layer trade places
//! when that makes fewer of the straight lines between connected services cross (a greedy switch,
//! counted exactly on the final coordinates). The ordering works on a proxy, the layers with their
//! virtual nodes; this step sees what a reader sees, staggered rows and long edges included.
//! Deterministic, and bounded by a number of segment tests rather than by time.
//!
//! A switch turned down is remembered with what it depended on, and weighed again in a later
//! pass only when a switch made since moved a line whose crossings with its edges changed: the
//! same result as weighing every switch in every pass, with fewer segment tests.

use crate::diagram::segments_cross;

/// How many segment-pair tests the refinement may make in all: enough for several passes over a
/// plan of a few hundred services, a part of one over the largest.
const BUDGET: usize = 3_000_000;
/// How many passes over every layer it makes at most.
const PASSES: usize = 3;

/// A point of the drawing.
type Point = (f64, f64);

/// Lets neighbours in each of `layers` (real nodes, in order) trade places in `at` while that
/// lowers the crossings of the straight `edges`; `rank` is each node's layer. The layers are
/// reordered to match.
pub fn refine(
    layers: &mut [Vec<usize>],
    rank: &[usize],
    edges: &[(usize, usize)],
    at: &mut [Point],
) {
    switch_neighbours(layers, rank, edges, at, Memory::Refusals);
}

/// Whether switches turned down are remembered (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Memory {
    /// Remembered, and weighed again only when something they depend on moved.
    Refusals,
    /// Every switch weighed in every pass: the plain greedy, for checking the other against.
    #[cfg(test)]
    None,
}

/// [`refine`], remembering switches turned down or not; how many segment tests it made.
pub(super) fn switch_neighbours(
    layers: &mut [Vec<usize>],
    rank: &[usize],
    edges: &[(usize, usize)],
    at: &mut [Point],
    memory: Memory,
) -> usize {
    let rows: Vec<bool> = layers
        .iter()
        .map(|layer| layer.iter().any(|&n| at[n].1 != at[layer[0]].1))
        .collect();
    let mut lines = Lines::new(rank, edges, &rows, at);
    // For each slot of each layer, the switch last turned down there, if it still stands.
    let mut refused: Vec<Vec<Option<Refusal>>> =
        layers.iter().map(|layer| vec![None; layer.len()]).collect();
    for _ in 0..PASSES {
        let mut improved = false;
        for (layer, refused) in layers.iter_mut().zip(&mut refused) {
            for i in 1..layer.len() {
                if lines.tests > BUDGET {
                    return lines.tests;
                }
                let (u, w) = (layer[i - 1], layer[i]);
                if lines.incident[u].is_empty() && lines.incident[w].is_empty() {
                    continue;
                }
                if refused[i]
                    .as_ref()
                    .is_some_and(|refusal| lines.still_holds(refusal, u, w))
                {
                    continue;
                }
                let tests_before = lines.tests;
                let (before, after) = lines.crossings_if_swapped(u, w, at);
                if after < before {
                    lines.swap(u, w, at);
                    layer.swap(i - 1, i);
                    refused[i] = None;
                    improved = true;
                } else if memory == Memory::Refusals {
                    refused[i] = Some(lines.refusal(u, w, (lines.tests - tests_before) / 2));
                }
            }
        }
        if !improved {
            break;
        }
    }
    lines.tests
}

/// A switch of two neighbours turned down, and what the count depended on.
#[derive(Clone)]
struct Refusal {
    /// The two nodes, left first.
    nodes: (usize, usize),
    /// How many lines had moved when it was weighed (an index into [`Lines::moved`]).
    moved_before: usize,
    /// Each of their edges in both placements.
    weighed: Vec<Weighed>,
    /// How many other edges weighing it tested.
    cost: usize,
}

/// An edge in two placements: as it stood and as it stands (a line moved by a switch), or as it
/// stands and as it would with two nodes switched (an edge of a switch weighed).
#[derive(Clone, Copy)]
struct Weighed {
    edge: usize,
    /// The first and the last slice it spans (see [`Lines::by_slice`]).
    slices: (usize, usize),
    first: Segment,
    second: Segment,
    /// Its extent in x over both placements.
    lo: f64,
    hi: f64,
}

impl Weighed {
    fn new(edge: usize, slices: (usize, usize), first: Segment, second: Segment) -> Self {
        Self {
            edge,
            slices,
            first,
            second,
            lo: first.lo.min(second.lo),
            hi: first.hi.max(second.hi),
        }
    }
}

/// The edges, and where to look for the edges each could cross.
struct Lines {
    /// Every edge as it is drawn now, kept current as nodes trade places.
    segments: Vec<Segment>,
    /// The edges at each node.
    incident: Vec<Vec<usize>>,
    /// Whether each layer's services stand in several rows.
    rows: Vec<bool>,
    /// The edges in each horizontal slice of the drawing: slice `2 l` is layer `l`'s band (kept
    /// only when its services stand in several rows), slice `2 l + 1` the gap above it. Only edges
    /// that share a slice can cross.
    by_slice: Vec<Vec<usize>>,
    /// The first and the last slice each edge spans (it spans every gap between, and the bands
    /// kept).
    slices: Vec<(usize, usize)>,
    /// For each edge, once it has been weighed, every other edge that shares a slice with it (each
    /// once): the only edges it can cross, wherever their nodes stand in their layers.
    rivals: Vec<Option<Vec<usize>>>,
    /// Work stamps for collecting rivals, so an edge met in several slices is listed once.
    seen: Vec<usize>,
    stamp: usize,
    /// The edges at the two nodes being weighed are those whose `pair` is the current one; each
    /// with its first index in `mine`.
    pair: Vec<(usize, usize)>,
    current_pair: usize,
    /// The segment tests made so far, each candidate pair counting once per placement tried.
    tests: usize,
    /// The edges at the two nodes being weighed (reused between switches).
    mine: Vec<usize>,
    /// The edges of the two nodes last weighed, as they stand and switched.
    weighed: Vec<Weighed>,
    /// Every line a switch has moved, in order, as it stood and as it stands.
    moved: Vec<Weighed>,
}

/// Where an edge's ends stand, and its extent in x.
#[derive(Clone, Copy)]
struct Segment {
    ends: (usize, usize),
    from: Point,
    to: Point,
    lo: f64,
    hi: f64,
}

impl Segment {
    fn new(ends: (usize, usize), from: Point, to: Point) -> Self {
        Self {
            ends,
            from,
            to,
            lo: from.0.min(to.0),
            hi: from.0.max(to.0),
        }
    }

    /// The edge `ends` as it is drawn with its nodes at `at`.
    fn of(ends: (usize, usize), at: &[Point]) -> Self {
        Self::new(ends, at[ends.0], at[ends.1])
    }

    /// The same edge with the nodes `u` and `w` trading places.
    fn swapped(&self, u: usize, w: usize, at: &[Point]) -> Self {
        let place = |node: usize| {
            if node == u {
                at[w]
            } else if node == w {
                at[u]
            } else {
                at[node]
            }
        };
        Self::new(self.ends, place(self.ends.0), place(self.ends.1))
    }

    /// Whether the two segments cross (edges that share a node never do). Without branches, like
    /// [`segments_cross`]; callers compare the extents in x first, which settles most pairs.
    fn crosses(&self, other: &Self) -> bool {
        let (a1, b1) = self.ends;
        let (a2, b2) = other.ends;
        let shares_a_node = (a1 == a2) | (a1 == b2) | (b1 == a2) | (b1 == b2);
        !shares_a_node & segments_cross(self.from, self.to, other.from, other.to)
    }
}

impl Lines {
    /// The lines of `edges` between nodes of layer `rank` drawn at `at`; `rows[l]` is whether
    /// layer `l` has several rows.
    fn new(rank: &[usize], edges: &[(usize, usize)], rows: &[bool], at: &[Point]) -> Self {
        let mut incident = vec![Vec::new(); rank.len()];
        let mut by_slice = vec![Vec::new(); 2 * rows.len()];
        let mut slices = Vec::with_capacity(edges.len());
        for (id, &(a, b)) in edges.iter().enumerate() {
            incident[a].push(id);
            incident[b].push(id);
            let (lo, hi) = (rank[a].min(rank[b]), rank[a].max(rank[b]));
            for slice in (2 * lo..=2 * hi).filter(|&slice| slice % 2 == 1 || rows[slice / 2]) {
                by_slice[slice].push(id);
            }
            slices.push((2 * lo, 2 * hi));
        }
        Self {
            segments: edges.iter().map(|&edge| Segment::of(edge, at)).collect(),
            incident,
            rows: rows.to_vec(),
            by_slice,
            slices,
            rivals: vec![None; edges.len()],
            seen: vec![0; edges.len()],
            stamp: 0,
            pair: vec![(0, 0); edges.len()],
            current_pair: 0,
            tests: 0,
            mine: Vec::new(),
            weighed: Vec::new(),
            moved: Vec::new(),
        }
    }

    /// Whether an edge spanning the slices `a` and one spanning `b` share a slice: any gap, or
    /// a single band kept.
    fn share_a_slice(&self, a: (usize, usize), b: (usize, usize)) -> bool {
        let (first, last) = (a.0.max(b.0), a.1.min(b.1));
        // Ranges run from band to band, so an overlap of more than one slice holds a gap.
        first < last || (first == last && self.rows[first / 2])
    }

    /// Collects the rivals of `edge` the first time it is weighed.
    fn collect_rivals(&mut self, edge: usize) {
        if self.rivals[edge].is_some() {
            return;
        }
        self.stamp += 1;
        self.seen[edge] = self.stamp;
        let mut rivals = Vec::new();
        let (first, last) = self.slices[edge];
        for slice in first..=last {
            for &other in &self.by_slice[slice] {
                if self.seen[other] != self.stamp {
                    self.seen[other] = self.stamp;
                    rivals.push(other);
                }
            }
        }
        self.rivals[edge] = Some(rivals);
    }

    /// How many pairs cross among the edges at `u` or `w` and all edges, each pair once: as the
    /// nodes stand in `at`, and with `u` and `w` trading places. One walk over the rivals weighs
    /// both placements. Leaves those edges in both placements in [`Self::weighed`].
    fn crossings_if_swapped(&mut self, u: usize, w: usize, at: &[Point]) -> (usize, usize) {
        let mut mine = std::mem::take(&mut self.mine);
        mine.clear();
        mine.extend(self.incident[u].iter().chain(&self.incident[w]).copied());
        self.current_pair += 1;
        let current = self.current_pair;
        for (index, &edge) in mine.iter().enumerate() {
            self.collect_rivals(edge);
            if self.pair[edge].0 != current {
                self.pair[edge] = (current, index);
            }
        }
        self.weighed.clear();
        let (mut before, mut after) = (0, 0);
        for (i, &edge) in mine.iter().enumerate() {
            let now = self.segments[edge];
            let then = now.swapped(u, w, at);
            let weighed = Weighed::new(edge, self.slices[edge], now, then);
            // Other edges that overlap neither placement in x cross neither.
            let (lo, hi) = (weighed.lo, weighed.hi);
            self.weighed.push(weighed);
            let Some(rivals) = &self.rivals[edge] else {
                continue;
            };
            for &other in rivals {
                let (pair, first) = self.pair[other];
                if pair == current {
                    // Pairs within `mine` are counted once, from their first member.
                    if first <= i {
                        continue;
                    }
                    self.tests += 2;
                    let other_now = &self.segments[other];
                    // Only an edge at `u` or `w` is moved by the switch.
                    before += usize::from(now.crosses(other_now));
                    after += usize::from(then.crosses(&other_now.swapped(u, w, at)));
                    continue;
                }
                self.tests += 2;
                let other_now = &self.segments[other];
                if other_now.lo < hi && other_now.hi > lo {
                    before += usize::from(now.crosses(other_now));
                    after += usize::from(then.crosses(other_now));
                }
            }
        }
        self.mine = mine;
        (before, after)
    }

    /// The switch of `u` and `w` just weighed, turned down, which tested `cost` other edges.
    fn refusal(&self, u: usize, w: usize, cost: usize) -> Refusal {
        Refusal {
            nodes: (u, w),
            moved_before: self.moved.len(),
            weighed: self.weighed.clone(),
            cost,
        }
    }

    /// Whether weighing the switch of `u` and `w` again would turn it down again because nothing
    /// it was counted on has changed: it is the same switch, none of its edges moved (a line moved
    /// at `u`, `w` or the far end of one of their edges is one of them), and no other line moved
    /// since crosses one of its edges, in either placement, where it did not cross it before the
    /// move or the other way round. A moved line that shares no slice with an edge, or overlaps
    /// it in x neither before nor after, is settled without a segment test. When more lines moved
    /// than weighing again would cost, the switch is weighed again.
    fn still_holds(&self, refusal: &Refusal, u: usize, w: usize) -> bool {
        let since = &self.moved[refusal.moved_before..];
        if refusal.nodes != (u, w) || since.len() * refusal.weighed.len() > refusal.cost {
            return false;
        }
        since.iter().all(|line| {
            refusal.weighed.iter().all(|mine| {
                if line.edge == mine.edge {
                    return false;
                }
                if !self.share_a_slice(line.slices, mine.slices)
                    || line.lo >= mine.hi
                    || line.hi <= mine.lo
                {
                    return true;
                }
                mine.first.crosses(&line.first) == mine.first.crosses(&line.second)
                    && mine.second.crosses(&line.first) == mine.second.crosses(&line.second)
            })
        })
    }

    /// Switches `u` and `w` in `at`, redraws their edges and records the lines moved.
    fn swap(&mut self, u: usize, w: usize, at: &mut [Point]) {
        at.swap(u, w);
        for &edge in self.incident[u].iter().chain(&self.incident[w]) {
            let before = self.segments[edge];
            let after = Segment::of(before.ends, at);
            self.segments[edge] = after;
            self.moved
                .push(Weighed::new(edge, self.slices[edge], before, after));
        }
    }
}
