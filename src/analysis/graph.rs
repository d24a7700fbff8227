//! The petgraph view of a plan's services and dependencies.

use std::collections::HashMap;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef as _;

use crate::plan::{Id, Plan};

/// The services as a directed graph with an edge from each dependent to what it depends on
/// ("A depends on B" is `A → B`). Dependencies naming unknown services are left out; duplicate service
/// ids resolve to the first service with the id.
pub struct ServiceGraph {
    graph: DiGraph<usize, ()>,
    nodes: HashMap<Id, NodeIndex>,
    /// The node of each service by plan index; `None` for a service whose id repeats an earlier one.
    node_of: Vec<Option<NodeIndex>>,
    /// The plan indices of each dependency's two services, by the dependency's plan index.
    ends: Vec<DependencyEnds>,
}

/// The plan indices of the services a dependency names ("`service` depends on `on`"): each the first
/// service with that id, or `None` when no service has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DependencyEnds {
    /// The dependent.
    pub service: Option<usize>,
    /// What it depends on.
    pub on: Option<usize>,
}

impl ServiceGraph {
    /// Builds the graph of `plan`.
    pub fn new(plan: &Plan) -> Self {
        let mut graph = DiGraph::with_capacity(plan.services.len(), plan.dependencies.len());
        let mut nodes = HashMap::with_capacity(plan.services.len());
        let mut node_of = vec![None; plan.services.len()];
        for (index, service) in plan.services.iter().enumerate() {
            if let std::collections::hash_map::Entry::Vacant(entry) =
                nodes.entry(service.id.clone())
            {
                node_of[index] = Some(*entry.insert(graph.add_node(index)));
            }
        }
        let mut ends = Vec::with_capacity(plan.dependencies.len());
        for dependency in &plan.dependencies {
            let (from, to) = (nodes.get(&dependency.service), nodes.get(&dependency.on));
            if let (Some(&from), Some(&to)) = (from, to) {
                graph.update_edge(from, to, ());
            }
            ends.push(DependencyEnds {
                service: from.map(|&node| graph[node]),
                on: to.map(|&node| graph[node]),
            });
        }
        Self {
            graph,
            nodes,
            node_of,
            ends,
        }
    }

    /// The index into `plan.services` of every service in the graph, in plan order.
    pub fn services(&self) -> impl Iterator<Item = usize> + '_ {
        self.graph.node_weights().copied()
    }

    /// The plan indices of the services `service` depends on directly.
    pub fn dependencies_of(&self, service: usize) -> impl Iterator<Item = usize> + '_ {
        self.node(service)
            .into_iter()
            .flat_map(|node| self.graph.edges(node))
            .map(|edge| self.graph[edge.target()])
    }

    /// The plan indices of the services that depend directly on `service`.
    pub fn dependents_of(&self, service: usize) -> impl Iterator<Item = usize> + '_ {
        self.node(service)
            .into_iter()
            .flat_map(|node| {
                self.graph
                    .edges_directed(node, petgraph::Direction::Incoming)
            })
            .map(|edge| self.graph[edge.source()])
    }

    /// The plan index of the service with this id.
    pub fn index_of(&self, id: &Id) -> Option<usize> {
        self.nodes.get(id).map(|&node| self.graph[node])
    }

    /// The services that `plan.dependencies[dependency]` names (of the plan this graph was built
    /// from), already looked up: what [`ServiceGraph::index_of`] gives for its two ids.
    pub fn dependency_ends(&self, dependency: usize) -> DependencyEnds {
        self.ends
            .get(dependency)
            .copied()
            .unwrap_or(DependencyEnds {
                service: None,
                on: None,
            })
    }

    /// The service of `plan` (the plan this graph was built from) with this id: [`Plan::service`]
    /// without its linear search, for code that looks services up once per dependency or deployment.
    pub fn service<'p>(&self, plan: &'p Plan, id: &Id) -> Option<&'p crate::plan::Service> {
        self.index_of(id).and_then(|index| plan.services.get(index))
    }

    /// Every dependency cycle, each as the plan indices of its services in dependency order, starting
    /// from the earliest service in the plan; the first service is not repeated at the end.
    pub fn cycles(&self) -> Vec<Vec<usize>> {
        let mut cycles: Vec<Vec<usize>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|component| {
                component.len() > 1 || self.graph.contains_edge(component[0], component[0])
            })
            .map(|component| self.walk_cycle(&component))
            .collect();
        cycles.sort();
        cycles
    }

    /// Whether adding "`service` depends on `on`" would close a cycle.
    pub fn would_close_cycle(&self, service: &Id, on: &Id) -> bool {
        match (self.nodes.get(service), self.nodes.get(on)) {
            (Some(&from), Some(&to)) => {
                from == to || petgraph::algo::has_path_connecting(&self.graph, to, from, None)
            }
            _ => false,
        }
    }

    fn node(&self, service: usize) -> Option<NodeIndex> {
        self.node_of.get(service).copied().flatten()
    }

    /// Follows edges inside one strongly connected component until a node repeats, and returns that loop.
    fn walk_cycle(&self, component: &[NodeIndex]) -> Vec<usize> {
        let start = component
            .iter()
            .copied()
            .min_by_key(|&n| self.graph[n])
            .unwrap_or(component[0]);
        let mut path = vec![start];
        loop {
            let current = path[path.len() - 1];
            let next = self
                .graph
                .neighbors(current)
                .filter(|n| component.contains(n))
                .min_by_key(|&n| self.graph[n])
                .unwrap_or(start);
            if let Some(position) = path.iter().position(|&n| n == next) {
                let mut cycle: Vec<usize> =
                    path[position..].iter().map(|&n| self.graph[n]).collect();
                let smallest = cycle
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, v)| **v)
                    .map_or(0, |(i, _)| i);
                cycle.rotate_left(smallest);
                return cycle;
            }
            path.push(next);
        }
    }
}
