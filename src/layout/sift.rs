//! Sifting: each node of a layer in turn is taken out and put back at the slot where its edges to
//! both adjacent layers cross the fewest others, the rest of the layer keeping its order. The
//! crossings of a node with each other node of its layer are counted exactly (a merge of their
//! neighbours' sorted slots), so every move is a real improvement and the total never grows.
//! Large layers are sifted within a window around each node's slot, which keeps the cost near
//! linear in the layer's edges.

use super::order::Proper;

/// How far (in slots, each way) a node of a large layer is tried away from its slot.
const WINDOW: usize = 50;
/// Up to how many pairs of ends two nodes' crossings are counted pair by pair rather than merged.
const SMALL_PRODUCT: usize = 16;

/// The sorted slots of each node's neighbours in the layer below and in the layer above, for the
/// nodes of one layer, all in one buffer: node `i`'s below-ends, then its above-ends.
pub(super) struct Ends {
    slots: Vec<u32>,
    /// Where node `i`'s below-ends start, where its above-ends start, and where they end.
    bounds: Vec<(usize, usize, usize)>,
}

impl Ends {
    /// The sorted neighbour slots of every node of `layer`, for the slots in `slot`.
    pub(super) fn of(graph: &Proper, layer: &[usize], slot: &[usize]) -> Self {
        let ends = layer
            .iter()
            .map(|&node| graph.below[node].len() + graph.above[node].len())
            .sum();
        let mut slots = Vec::with_capacity(ends);
        let mut bounds = Vec::with_capacity(layer.len());
        for &node in layer {
            let start = slots.len();
            slots.extend(graph.below[node].iter().map(|&n| slot[n] as u32));
            let middle = slots.len();
            slots[start..middle].sort_unstable();
            slots.extend(graph.above[node].iter().map(|&n| slot[n] as u32));
            let end = slots.len();
            slots[middle..end].sort_unstable();
            bounds.push((start, middle, end));
        }
        Self { slots, bounds }
    }

    fn below(&self, u: usize) -> &[u32] {
        &self.slots[self.bounds[u].0..self.bounds[u].1]
    }

    fn above(&self, u: usize) -> &[u32] {
        &self.slots[self.bounds[u].1..self.bounds[u].2]
    }

    /// Crossings between the edges of the nodes at `u` and `w` (indices into the layer as it was
    /// when the ends were taken): `(u left of w, w left of u)`.
    pub(super) fn pair(&self, u: usize, w: usize) -> (u64, u64) {
        let (a1, b1) = merge_count(self.below(u), self.below(w));
        let (a2, b2) = merge_count(self.above(u), self.above(w));
        (a1 + a2, b1 + b2)
    }

    fn has_edges(&self, u: usize) -> bool {
        self.bounds[u].0 != self.bounds[u].2
    }
}

/// For sorted `a` (one node's ends) and `b` (another's): how many pairs `(x in a, y in b)` have
/// `y < x` (they cross when a's node stands left of b's) and how many have `x < y` (they cross the
/// other way round).
pub(super) fn merge_count(a: &[u32], b: &[u32]) -> (u64, u64) {
    if a.is_empty() || b.is_empty() {
        return (0, 0);
    }
    if a.len() * b.len() <= SMALL_PRODUCT {
        return pairwise_count(a, b);
    }
    let (mut below, mut at_or_below) = (0usize, 0usize);
    let (mut left_of_w, mut right_of_w) = (0u64, 0u64);
    for &x in a {
        while below < b.len() && b[below] < x {
            below += 1;
        }
        at_or_below = at_or_below.max(below);
        while at_or_below < b.len() && b[at_or_below] <= x {
            at_or_below += 1;
        }
        left_of_w += below as u64;
        right_of_w += (b.len() - at_or_below) as u64;
    }
    (left_of_w, right_of_w)
}

/// [`merge_count`] by comparing every pair: faster than the merge for the few ends most nodes have.
fn pairwise_count(a: &[u32], b: &[u32]) -> (u64, u64) {
    let (mut left_of_w, mut right_of_w) = (0u64, 0u64);
    for &x in a {
        for &y in b {
            left_of_w += u64::from(y < x);
            right_of_w += u64::from(x < y);
        }
    }
    (left_of_w, right_of_w)
}

/// Sifts every layer once, lowest first when `upwards`, else highest first; whether any node moved.
pub fn sift_sweep(
    graph: &Proper,
    layers: &mut [Vec<usize>],
    slot: &mut [usize],
    upwards: bool,
) -> bool {
    let indices: Vec<usize> = if upwards {
        (0..layers.len()).collect()
    } else {
        (0..layers.len()).rev().collect()
    };
    let mut moved = false;
    for index in indices {
        moved |= sift_layer(graph, &mut layers[index], slot);
    }
    moved
}

/// Sifts each node of `layer` once, in the layer's current order; whether any node moved.
fn sift_layer(graph: &Proper, layer: &mut Vec<usize>, slot: &mut [usize]) -> bool {
    let ends = Ends::of(graph, layer, slot);
    let mut balances = Balances::new(&ends, layer.len());
    // Work on indices into the layer as it is now, so the ends stay valid while nodes move.
    let mut order: Vec<usize> = (0..layer.len()).collect();
    let mut moved = false;
    for index in 0..layer.len() {
        if !ends.has_edges(index) {
            continue;
        }
        let Some(from) = order.iter().position(|&i| i == index) else {
            continue;
        };
        let to = best_slot(&mut balances, &order, from);
        if to != from {
            let item = order.remove(from);
            order.insert(to, item);
            moved = true;
        }
    }
    if moved {
        let nodes: Vec<usize> = order.iter().map(|&i| layer[i]).collect();
        *layer = nodes;
        for (s, &node) in layer.iter().enumerate() {
            slot[node] = s;
        }
    }
    moved
}

/// How many more crossings the edges of two nodes of a layer make with the first left of the
/// second than the other way round. The ends stay put while a layer is sifted, so in a layer small
/// enough for every node to be tried against every other, each pair is counted once and
/// remembered; in a larger one it is counted when asked.
struct Balances<'a> {
    ends: &'a Ends,
    nodes: usize,
    /// By `lower index × nodes + higher index`: the balance of the pair, or [`Self::UNKNOWN`].
    known: Vec<i64>,
}

impl<'a> Balances<'a> {
    const UNKNOWN: i64 = i64::MIN;

    fn new(ends: &'a Ends, nodes: usize) -> Self {
        let known = if nodes <= 2 * WINDOW + 1 {
            vec![Self::UNKNOWN; nodes * nodes]
        } else {
            Vec::new()
        };
        Self { ends, nodes, known }
    }

    /// Crossings of `u`'s and `w`'s edges with `u` left of `w`, less those with `w` left of `u`.
    fn of(&mut self, u: usize, w: usize) -> i64 {
        let count = |ends: &Ends, u: usize, w: usize| {
            let (u_left, w_left) = ends.pair(u, w);
            u_left as i64 - w_left as i64
        };
        if self.known.is_empty() {
            return count(self.ends, u, w);
        }
        let (first, second, sign) = if u < w { (u, w, 1) } else { (w, u, -1) };
        let cell = &mut self.known[first * self.nodes + second];
        if *cell == Self::UNKNOWN {
            *cell = count(self.ends, first, second);
        }
        sign * *cell
    }
}

/// The slot (in `order` with the node at `from` taken out and put back there) where that node's
/// edges cross fewest others, within the window; ties keep it nearest its own slot.
fn best_slot(balances: &mut Balances, order: &[usize], from: usize) -> usize {
    let node = order[from];
    let lo = from.saturating_sub(WINDOW);
    let hi = (from + WINDOW).min(order.len() - 1);
    // Relative cost of each slot, the node's current slot being 0: moving it left past a
    // neighbour w changes the count by c(node left of w) − c(w left of node), right the reverse.
    let mut best = (0i64, 0usize, from);
    let mut cost = 0i64;
    for to in (lo..from).rev() {
        cost += balances.of(node, order[to]);
        best = best.min((cost, from - to, to));
    }
    cost = 0;
    for (to, &w) in order.iter().enumerate().take(hi + 1).skip(from + 1) {
        cost += balances.of(w, node);
        best = best.min((cost, to - from, to));
    }
    best.2
}
