//! What the canvas draws, built from the plan once per revision: a node per service, an edge per
//! dependency, the services' extent and each tier's band, and the neighbours of each service (for
//! focus). Hit tests and the reading order of the services work on it, never on the plan directly.

use std::collections::HashMap;

use egui::{Pos2, Rect, Vec2};

use super::super::document::Document;
use crate::analysis::Severity;
use crate::plan::{Id, Tier};

/// A service box's size in canvas units.
pub const NODE_SIZE: Vec2 = Vec2::new(176.0, 56.0);

/// What a node shows about its service.
#[derive(Debug, Clone)]
pub struct NodeData {
    /// The service's plan index.
    pub index: usize,
    /// The service's id.
    pub id: Id,
    /// The service's name.
    pub name: String,
    /// Its tier.
    pub tier: Tier,
    /// The wave it first deploys in (from the analysis), if it has an order.
    pub wave: Option<usize>,
    /// The most serious problem about it.
    pub problem: Option<Severity>,
    /// Its centre, in canvas units.
    pub centre: Pos2,
    /// `name` and `id` in lower case, for find and the text filter.
    pub(super) search: String,
}

impl NodeData {
    /// The node's box, in canvas units.
    pub fn rect(&self) -> Rect {
        Rect::from_center_size(self.centre, NODE_SIZE)
    }
}

/// The drawn graph of one revision of the plan.
#[derive(Debug, Default)]
pub struct Scene {
    /// One node per service (the first of services sharing an id), in plan order.
    pub nodes: Vec<NodeData>,
    /// `(dependent, dependency)` node numbers, one per dependency between drawn services.
    pub edges: Vec<(usize, usize)>,
    /// The extent of every box, if there are services.
    pub bounds: Option<Rect>,
    /// Per tier that has services: the vertical extent of its boxes (top, bottom).
    pub bands: Vec<(Tier, f32, f32)>,
    node_of: HashMap<Id, usize>,
    /// Per node: the nodes it depends on.
    depends_on: Vec<Vec<usize>>,
    /// Per node: the nodes that depend on it.
    dependents: Vec<Vec<usize>>,
}

/// `name` and `id` in lower case on two lines: what find and the text filter match. The same text
/// as lowering `"{name}\n{id}"` (the line break ends any word, so each half lowers alike alone),
/// in one allocation for the usual ASCII id.
fn search_text(name: &str, id: &Id) -> String {
    let id = id.as_str();
    let mut text = name.to_lowercase();
    text.reserve(1 + id.len());
    text.push('\n');
    if id.is_ascii() {
        text.extend(id.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        text.push_str(&id.to_lowercase());
    }
    text
}

impl Scene {
    /// The scene of the document's plan as it is now.
    pub fn build(document: &Document) -> Scene {
        let plan = document.plan();
        let mut scene = Scene {
            nodes: Vec::with_capacity(plan.services.len()),
            edges: Vec::with_capacity(plan.dependencies.len()),
            node_of: HashMap::with_capacity(plan.services.len()),
            ..Scene::default()
        };
        for (index, service) in plan.services.iter().enumerate() {
            if scene.node_of.contains_key(&service.id) {
                continue; // A duplicate id: the analysis reports it; draw the first only.
            }
            scene.node_of.insert(service.id.clone(), scene.nodes.len());
            scene.nodes.push(NodeData {
                index,
                id: service.id.clone(),
                name: service.name.clone(),
                tier: service.tier,
                wave: document.waves().get(index).copied().flatten(),
                problem: document.worst_severity().get(index).copied().flatten(),
                centre: Pos2::new(service.position.x, service.position.y),
                search: search_text(&service.name, &service.id),
            });
        }
        let n = scene.nodes.len();
        scene.depends_on = vec![Vec::new(); n];
        scene.dependents = vec![Vec::new(); n];
        for dependency in &plan.dependencies {
            if let (Some(&from), Some(&to)) = (
                scene.node_of.get(&dependency.service),
                scene.node_of.get(&dependency.on),
            ) {
                scene.edges.push((from, to));
                scene.depends_on[from].push(to);
                scene.dependents[to].push(from);
            }
        }
        scene.bounds = scene
            .nodes
            .iter()
            .map(NodeData::rect)
            .filter(|r| r.is_finite())
            .reduce(|a, b| a.union(b));
        for tier in Tier::ALL {
            let span = scene
                .nodes
                .iter()
                .filter(|n| n.tier == tier && n.centre.y.is_finite())
                .fold(None, |span: Option<(f32, f32)>, n| {
                    let (top, bottom) = (n.rect().top(), n.rect().bottom());
                    Some(span.map_or((top, bottom), |(t, b)| (t.min(top), b.max(bottom))))
                });
            if let Some((top, bottom)) = span {
                scene.bands.push((tier, top, bottom));
            }
        }
        scene
    }

    /// Whether `other` has the same boxes in the same places and tiers (names aside): what the
    /// minimap shows.
    pub fn same_places(&self, other: &Scene) -> bool {
        self.nodes.len() == other.nodes.len()
            && self
                .nodes
                .iter()
                .zip(&other.nodes)
                .all(|(a, b)| a.centre == b.centre && a.tier == b.tier)
    }

    /// The node number of a service.
    pub fn node_of(&self, id: &Id) -> Option<usize> {
        self.node_of.get(id).copied()
    }

    /// The node of a service.
    pub fn node(&self, id: &Id) -> Option<&NodeData> {
        self.node_of(id).and_then(|n| self.nodes.get(n))
    }

    /// The topmost node whose box contains canvas point `p` (later nodes are drawn over earlier ones).
    pub fn node_at(&self, p: Pos2) -> Option<usize> {
        self.nodes.iter().rposition(|n| n.rect().contains(p))
    }

    /// The edge drawn within `tolerance` canvas units of `p`, the nearest if several are.
    pub fn edge_at(&self, p: Pos2, tolerance: f32) -> Option<usize> {
        self.edges
            .iter()
            .enumerate()
            .filter_map(|(i, &(from, to))| {
                let (a, b) = self.edge_ends(from, to)?;
                let d = distance_to_segment(p, a, b);
                (d <= tolerance).then_some((d, i))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, i)| i)
    }

    /// Where the arrow of an edge starts and ends: on the boxes' borders, along the line between
    /// their centres (`None` when the boxes overlap).
    pub fn edge_ends(&self, from: usize, to: usize) -> Option<(Pos2, Pos2)> {
        arrow_ends(self.nodes.get(from)?.centre, self.nodes.get(to)?.centre)
    }

    /// The nodes in reading order: top to bottom, left to right.
    pub fn reading_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.nodes.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (self.nodes[a].centre, self.nodes[b].centre);
            a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x))
        });
        order
    }

    /// The node `start` with what it depends on and what depends on it, each up to `depth` steps
    /// away (dependencies of dependencies, dependents of dependents; not sideways).
    pub fn neighbourhood(&self, start: usize, depth: usize) -> Vec<bool> {
        let mut inside = vec![false; self.nodes.len()];
        if start >= self.nodes.len() {
            return inside;
        }
        inside[start] = true;
        for links in [&self.depends_on, &self.dependents] {
            let mut frontier = vec![start];
            for _ in 0..depth {
                let mut next = Vec::new();
                for node in frontier {
                    for &other in &links[node] {
                        if !inside[other] {
                            inside[other] = true;
                            next.push(other);
                        }
                    }
                }
                frontier = next;
            }
        }
        inside
    }
}

/// Where an arrow between boxes centred at `a` and `b` starts and ends: on their borders, along the
/// line between the centres (`None` when the boxes overlap).
pub fn arrow_ends(a: Pos2, b: Pos2) -> Option<(Pos2, Pos2)> {
    let dir = b - a;
    let (start, end) = (a + border(dir), b - border(dir));
    ((end - start).dot(dir) > 0.0).then_some((start, end))
}

/// From a box's centre to its border along `dir`.
fn border(dir: Vec2) -> Vec2 {
    let half = NODE_SIZE / 2.0;
    if dir == Vec2::ZERO {
        return Vec2::ZERO;
    }
    let sx = if dir.x == 0.0 {
        f32::INFINITY
    } else {
        half.x / dir.x.abs()
    };
    let sy = if dir.y == 0.0 {
        f32::INFINITY
    } else {
        half.y / dir.y.abs()
    };
    dir * sx.min(sy)
}

/// The distance from `p` to the segment from `a` to `b`.
fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(a + ab * t)
}

#[cfg(test)]
mod tests {
    use super::{Scene, distance_to_segment, search_text};
    use crate::app::document::Document;
    use crate::plan::{Dependency, Id, templates};
    use egui::Pos2;

    #[test]
    fn the_search_text_is_the_name_and_id_lowered_together() {
        for (name, id) in [
            ("Orders API", "orders-api"),
            ("ΟΔΟΣ Σ", "ΟΔΟΣ-Σ"),
            ("İstanbul ǅ", "x"),
            ("", "ÅNGSTRÖM"),
        ] {
            let together = format!("{name}\n{id}").to_lowercase();
            assert_eq!(search_text(name, &Id::new(id)), together, "{name} / {id}");
        }
    }

    fn chain() -> Scene {
        // a ← b ← c ← d, and e beside: "b depends on a", and so on.
        let mut plan = templates::starter("t");
        let mut base = plan.services[0].clone();
        plan.services.clear();
        plan.dependencies.clear();
        for (i, id) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            base.id = Id::new(*id);
            base.position.x = i as f32 * 300.0;
            base.position.y = 100.0 - i as f32 * 100.0;
            plan.services.push(base.clone());
        }
        for (service, on) in [("b", "a"), ("c", "b"), ("d", "c")] {
            plan.dependencies.push(Dependency {
                service: Id::new(service),
                on: Id::new(on),
            });
        }
        Scene::build(&Document::new(plan, None))
    }

    #[test]
    fn the_neighbourhood_goes_both_ways_as_deep_as_asked() {
        let scene = chain();
        let b = scene.node_of(&Id::new("b")).expect("b");
        assert_eq!(scene.neighbourhood(b, 1), [true, true, true, false, false]);
        assert_eq!(scene.neighbourhood(b, 2), [true, true, true, true, false]);
        assert_eq!(scene.neighbourhood(99, 2), [false; 5]);
    }

    #[test]
    fn hit_tests_find_boxes_and_arrows_and_reading_order_is_top_down() {
        let scene = chain();
        assert_eq!(scene.node_at(Pos2::new(300.0, 0.0)), Some(1));
        assert_eq!(scene.node_at(Pos2::new(150.0, 500.0)), None);
        let (start, end) = scene.edge_ends(1, 0).expect("apart");
        let middle = start + (end - start) / 2.0;
        assert_eq!(scene.edge_at(middle, 4.0), Some(0));
        assert_eq!(scene.reading_order(), [4, 3, 2, 1, 0]);
        assert!(
            (distance_to_segment(Pos2::new(0.0, 1.0), Pos2::ZERO, Pos2::ZERO) - 1.0).abs() < 1e-6
        );
    }
}
