//! Coordinates for ordered layers. Each node is pulled towards the mean of its neighbours, long
//! edges' virtual nodes most strongly so that long edges come out straight, while every layer keeps
//! its order and its spacing: per layer, the closest such placement is an isotonic regression,
//! solved exactly by pooling adjacent violators. A layer with more services than fit in one row is
//! staggered over several rows: it keeps its left-to-right order, so wrapping adds no crossing.

use super::Spacing;
use super::order::Proper;

/// How many placement passes (alternately downwards and upwards) are made.
const PASSES: usize = 8;
/// How much more a virtual node's pull counts than a service's: long edges straighten first.
const VIRTUAL_WEIGHT: f64 = 16.0;
/// The width a virtual node takes in its layer, as a share of the gap between services: small, so
/// long edges can pass close to where their straight line would (measured: 0.15 drew 3–4 % more
/// crossings).
const VIRTUAL_WIDTH: f64 = 0.05;

/// Where the services go: each node's x, and each real node's row within its layer.
pub struct Placement {
    /// The x of every node (real and virtual).
    pub x: Vec<f64>,
    /// The row of every real node within its layer (0 is the layer's top row).
    pub row: Vec<usize>,
    /// How many rows each layer has.
    pub rows: Vec<usize>,
}

/// Places `layers` (lowest first, in order) of `graph` with `spacing`, at most `per_row` services in
/// a row.
pub fn place(graph: &Proper, layers: &[Vec<usize>], spacing: Spacing, per_row: usize) -> Placement {
    let node_count = graph.rank.len();
    let mut row = vec![0usize; graph.real];
    let mut rows = Vec::with_capacity(layers.len());
    let mut width = vec![0f64; node_count];
    for layer in layers {
        let real: Vec<usize> = layer
            .iter()
            .copied()
            .filter(|&n| !graph.is_virtual(n))
            .collect();
        let count = real.len().div_ceil(per_row.max(1)).max(1);
        rows.push(count);
        for (index, &node) in real.iter().enumerate() {
            row[node] = index % count;
        }
        // Services in one row stay a whole gap apart: `count` neighbours of a staggered layer
        // share it.
        for &node in layer {
            width[node] = if graph.is_virtual(node) {
                f64::from(spacing.node_gap) * VIRTUAL_WIDTH
            } else {
                f64::from(spacing.node_gap) / count as f64
            };
        }
    }

    let mut x = vec![0f64; node_count];
    for layer in layers {
        let mut at = 0.0;
        for (i, &node) in layer.iter().enumerate() {
            if i > 0 {
                at += (width[layer[i - 1]] + width[node]) / 2.0;
            }
            x[node] = at;
        }
        let centre = at / 2.0;
        for &node in layer {
            x[node] -= centre;
        }
    }
    for pass in 0..PASSES {
        let order: Vec<usize> = if pass % 2 == 0 {
            (0..layers.len()).rev().collect()
        } else {
            (0..layers.len()).collect()
        };
        for index in order {
            settle_layer(graph, &layers[index], &width, &mut x);
        }
    }
    Placement { x, row, rows }
}

/// Moves the nodes of `layer` as close as they can get to the mean x of their neighbours (above and
/// below) without changing their order or their spacing.
fn settle_layer(graph: &Proper, layer: &[usize], width: &[f64], x: &mut [f64]) {
    // With offsets o (the packed positions), y = x − o must not decrease along the layer: the
    // weighted least-squares y is the isotonic regression of the wished-for x minus o.
    let mut offset = 0.0;
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(layer.len()); // (weight, mean, size)
    let mut offsets = Vec::with_capacity(layer.len());
    for (i, &node) in layer.iter().enumerate() {
        if i > 0 {
            offset += (width[layer[i - 1]] + width[node]) / 2.0;
        }
        offsets.push(offset);
        let neighbours = graph.below[node].iter().chain(&graph.above[node]);
        let (sum, count) = neighbours.fold((0.0, 0usize), |(s, c), &n| (s + x[n], c + 1));
        let wish = if count == 0 {
            x[node]
        } else {
            sum / count as f64
        };
        let weight = if graph.is_virtual(node) {
            VIRTUAL_WEIGHT
        } else {
            1.0
        };
        let mut block = (weight, wish - offset, 1);
        while let Some(&(w, mean, size)) = blocks.last() {
            if mean <= block.1 {
                break;
            }
            blocks.pop();
            let total = w + block.0;
            block = (
                total,
                (mean * w + block.1 * block.0) / total,
                size + block.2,
            );
        }
        blocks.push(block);
    }
    let mut i = 0;
    for (_, mean, size) in blocks {
        for _ in 0..size {
            x[layer[i]] = mean + offsets[i];
            i += 1;
        }
    }
}
