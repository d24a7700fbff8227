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

/// Reachability across the parts of a chained release (one part for any other pipeline): a part
/// starts only after the part before it has finished, so every stage waits for every stage of every
/// earlier part, and within a part for what its own graph says.
pub(super) struct ChainReach<'a> {
    parts: Vec<Reachability<'a>>,
    names: Vec<Vec<&'a str>>,
    part_of: std::collections::HashMap<&'a str, usize>,
}

/// A set of stages of one [`ChainReach`], per part.
pub(super) struct ChainSet {
    parts: Vec<NodeSet>,
}

impl<'a> ChainReach<'a> {
    /// The reachability of the parts, in chain order. Every part has its own stages named in
    /// `local` (the chain's own), which are left out; fails when another stage id is in two parts.
    pub fn new(parts: Vec<Reachability<'a>>, local: &[&str]) -> Result<Self, String> {
        let names: Vec<Vec<&'a str>> = parts.iter().map(Reachability::names).collect();
        let mut part_of = std::collections::HashMap::new();
        for (part, ids) in names.iter().enumerate() {
            for id in ids.iter().filter(|id| !local.contains(id)) {
                if part_of.insert(*id, part).is_some() {
                    return Err(format!("`{id}` is in two parts of the release"));
                }
            }
        }
        Ok(Self {
            parts,
            names,
            part_of,
        })
    }

    /// Whether the stage `id` exists.
    pub fn contains(&self, id: &str) -> bool {
        self.part_of.contains_key(id)
    }

    /// Whether `from` waits, directly, indirectly or by being in a later part, for `to`.
    pub fn reaches(&self, from: &str, to: &str) -> bool {
        match (self.part_of.get(from), self.part_of.get(to)) {
            (Some(&a), Some(&b)) if a == b => self.parts[a].reaches(from, to),
            (Some(&a), Some(&b)) => a > b,
            _ => false,
        }
    }

    /// The set of these stages (unknown ids are left out).
    pub fn set<'i>(&self, ids: impl IntoIterator<Item = &'i str>) -> ChainSet {
        let mut per_part: Vec<Vec<&str>> = vec![Vec::new(); self.parts.len()];
        for id in ids {
            if let Some(&part) = self.part_of.get(id) {
                per_part[part].push(id);
            }
        }
        ChainSet {
            parts: self
                .parts
                .iter()
                .zip(per_part)
                .map(|(reach, ids)| reach.set(ids))
                .collect(),
        }
    }

    /// Whether `from` waits for every stage of `set`; if not, one it does not wait for.
    pub fn missing_from(&self, from: &str, set: &ChainSet) -> Option<&str> {
        let Some(&part) = self.part_of.get(from) else {
            return set
                .parts
                .iter()
                .zip(&self.names)
                .find_map(|(set, names)| set.first(names));
        };
        if let Some(missing) =
            self.parts[part].missing_from(from, &set.parts[part], &self.names[part])
        {
            return Some(missing);
        }
        set.parts[part + 1..]
            .iter()
            .zip(&self.names[part + 1..])
            .find_map(|(set, names)| set.first(names))
    }
}

impl NodeSet {
    /// The first node of the set, by index, named from `names`.
    fn first<'n>(&self, names: &[&'n str]) -> Option<&'n str> {
        self.bits.iter().enumerate().find_map(|(word, &bits)| {
            (bits != 0).then(|| {
                names
                    .get(word * 64 + bits.trailing_zeros() as usize)
                    .copied()
            })?
        })
    }
}
