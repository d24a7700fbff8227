//! Reachability in a pipeline's stage graph: which stages each stage waits for, directly or through
//! others, as one bit per stage per stage, so "waits for all of these" is a few word operations.

use std::collections::BTreeMap;

/// Which nodes each node waits for, directly or indirectly.
pub(super) struct Reachability<'a> {
    index: BTreeMap<&'a str, usize>,
    words: usize,
    bits: Vec<u64>,
}

/// A set of nodes of one [`Reachability`].
pub(super) struct NodeSet {
    bits: Vec<u64>,
}

impl<'a> Reachability<'a> {
    /// Computes the closure of `nodes` (each node with what it waits for) in dependency order. Fails on
    /// a cycle, naming a node on it.
    pub fn new(nodes: &'a BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let index: BTreeMap<&str, usize> = nodes
            .keys()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let edges: Vec<Vec<usize>> = nodes
            .values()
            .map(|targets| {
                targets
                    .iter()
                    .filter_map(|t| index.get(t.as_str()).copied())
                    .collect()
            })
            .collect();
        let words = nodes.len().div_ceil(64);
        let mut bits = vec![0u64; words * nodes.len()];
        // 0 = not visited, 1 = on the current path, 2 = done.
        let mut state = vec![0u8; nodes.len()];
        let ids: Vec<&str> = nodes.keys().map(String::as_str).collect();
        for start in 0..nodes.len() {
            if state[start] != 0 {
                continue;
            }
            // Iterative depth-first search: (node, next edge to look at).
            let mut stack = vec![(start, 0usize)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                if let Some(&target) = edges[node].get(*next) {
                    *next += 1;
                    match state[target] {
                        0 => {
                            state[target] = 1;
                            stack.push((target, 0));
                        }
                        1 => {
                            return Err(format!(
                                "the stage graph has a cycle through `{}`",
                                ids[target]
                            ));
                        }
                        _ => {}
                    }
                    continue;
                }
                stack.pop();
                state[node] = 2;
                for &target in &edges[node] {
                    bits[node * words + target / 64] |= 1 << (target % 64);
                    for word in 0..words {
                        let inherited = bits[target * words + word];
                        bits[node * words + word] |= inherited;
                    }
                }
            }
        }
        Ok(Self { index, words, bits })
    }

    /// Whether `from` waits, directly or indirectly, for `to`.
    pub fn reaches(&self, from: &str, to: &str) -> bool {
        match (self.index.get(from), self.index.get(to)) {
            (Some(&from), Some(&to)) => {
                self.bits[from * self.words + to / 64] & (1 << (to % 64)) != 0
            }
            _ => false,
        }
    }

    /// The set of these nodes (unknown ids are left out).
    pub fn set<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> NodeSet {
        let mut bits = vec![0u64; self.words];
        for id in ids {
            if let Some(&i) = self.index.get(id) {
                bits[i / 64] |= 1 << (i % 64);
            }
        }
        NodeSet { bits }
    }

    /// Whether `from` waits for every node of `set`; if not, one it does not wait for.
    pub fn missing_from<'n>(
        &self,
        from: &str,
        set: &NodeSet,
        names: &'n [&'a str],
    ) -> Option<&'n str> {
        let from = *self.index.get(from)?;
        let reach = &self.bits[from * self.words..(from + 1) * self.words];
        for (word, (&wanted, &have)) in set.bits.iter().zip(reach).enumerate() {
            let missing = wanted & !have;
            if missing != 0 {
                let bit = word * 64 + missing.trailing_zeros() as usize;
                return names.get(bit).copied();
            }
        }
        None
    }

    /// The node names in index order, for [`Reachability::missing_from`]'s answers.
    pub fn names(&self) -> Vec<&'a str> {
        self.index.keys().copied().collect()
    }
}
