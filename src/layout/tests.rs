//! The layered layout: bottom-up layers, tier bands, fewer crossings, and robustness.

use super::*;
use crate::plan::{Plan, templates};

fn y(positions: &[Position], node: usize) -> f32 {
    positions[node].y
}

#[test]
fn dependencies_sit_below_their_dependents() {
    // web → api → db
    let tiers = [Tier::Database, Tier::Api, Tier::Frontend];
    let positions = layout(&tiers, &[(1, 0), (2, 1)], Spacing::default());
    assert!(y(&positions, 0) > y(&positions, 1));
    assert!(y(&positions, 1) > y(&positions, 2));
    assert_eq!(y(&positions, 2), 0.0, "the top layer is at y = 0");
}

#[test]
fn unrelated_services_are_banded_by_tier_lowest_at_the_bottom() {
    let tiers = [Tier::Frontend, Tier::Database, Tier::Worker, Tier::Database];
    let positions = layout(&tiers, &[], Spacing::default());
    assert!(y(&positions, 1) > y(&positions, 2));
    assert!(y(&positions, 2) > y(&positions, 0));
    assert_eq!(y(&positions, 1), y(&positions, 3));
    assert_ne!(
        positions[1].x, positions[3].x,
        "a layer's nodes do not overlap"
    );
}

#[test]
fn a_dependency_outranks_the_tier_bands() {
    // A database that depends on an API (a tier inversion) still sits above that API.
    let tiers = [Tier::Database, Tier::Api];
    let positions = layout(&tiers, &[(0, 1)], Spacing::default());
    assert!(y(&positions, 0) < y(&positions, 1));
}

#[test]
fn barycentre_ordering_removes_an_avoidable_crossing() {
    // Bottom layer a(0) b(1); top layer c(2) d(3); c depends on b, d depends on a: in plan order the two
    // arrows cross.
    let tiers = [Tier::Database, Tier::Database, Tier::Api, Tier::Api];
    let edges = [(2, 1), (3, 0)];
    assert_eq!(crossings(&[vec![0, 1], vec![2, 3]], &edges), 1);
    let layers = order_layers(&tiers, &edges);
    assert_eq!(crossings(&layers, &edges), 0, "{layers:?}");
}

#[test]
fn crossing_reduction_never_makes_things_worse_on_a_bigger_graph() {
    // Three layers of six with a scrambled set of edges.
    let tiers: Vec<Tier> = (0..18)
        .map(|i| [Tier::Database, Tier::Api, Tier::Frontend][i / 6])
        .collect();
    let mut edges = Vec::new();
    for i in 0..6 {
        edges.push((6 + i, (i * 5 + 3) % 6));
        edges.push((6 + i, (i * 7 + 1) % 6));
        edges.push((12 + i, 6 + (i * 5 + 2) % 6));
    }
    let plan_order: Vec<Vec<usize>> = (0..3).map(|l| (l * 6..l * 6 + 6).collect()).collect();
    let before = crossings(&plan_order, &edges);
    let after = crossings(&order_layers(&tiers, &edges), &edges);
    assert!(after < before, "{after} crossings after, {before} before");
}

#[test]
fn a_cycle_still_gets_a_layout() {
    let tiers = [Tier::Api, Tier::Api, Tier::Api];
    let positions = layout(
        &tiers,
        &[(0, 1), (1, 2), (2, 0), (1, 1)],
        Spacing::default(),
    );
    assert_eq!(positions.len(), 3);
    assert!(positions.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
    let mut distinct = positions.to_vec();
    distinct.dedup();
    assert_eq!(distinct.len(), 3);
}

#[test]
fn the_meridian_plan_lays_out_bottom_up_and_deterministically() {
    let plan = match templates::by_name("meridian", "m") {
        Some(Ok(plan)) => plan,
        other => panic!("{other:?}"),
    };
    let positions = layout_plan(&plan, Spacing::default());
    assert_eq!(positions, layout_plan(&plan, Spacing::default()));
    let at = |id: &str| {
        positions[plan
            .services
            .iter()
            .position(|s| s.id.as_str() == id)
            .expect("service")]
    };
    assert!(at("sql-database").y > at("claims-api").y);
    assert_eq!(at("claims-api").y, at("notification-service").y);
    assert!(at("claims-api").y > at("claims-portal").y);
}

#[test]
fn only_plans_with_every_service_at_the_origin_need_a_layout() {
    let mut plan = templates::starter("s");
    assert!(!needs_layout(&plan));
    for service in &mut plan.services {
        service.position = Position::default();
    }
    assert!(needs_layout(&plan));
    plan.services.truncate(1);
    assert!(!needs_layout(&plan), "a single service needs no layout");
}

#[test]
fn a_thousand_services_are_laid_out_without_overlap() {
    let count = 1_000;
    let tiers: Vec<Tier> = (0..count).map(|i| Tier::ALL[i % 6]).collect();
    let mut edges = Vec::new();
    for i in 6..count {
        edges.push((i, i - 6));
        edges.push((i, (i * 7) % i));
    }
    let positions = layout(&tiers, &edges, Spacing::default());
    let mut keys: Vec<(i64, i64)> = positions.iter().map(|p| (p.x as i64, p.y as i64)).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), count);
}

#[test]
fn a_very_wide_layer_wraps_onto_rows() {
    let count = 1_000;
    let tiers: Vec<Tier> = (0..count).map(|i| Tier::ALL[i % 5]).collect();
    let positions = layout(&tiers, &[], Spacing::default());
    let (min_x, max_x) = positions.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
        (lo.min(p.x), hi.max(p.x))
    });
    let (min_y, max_y) = positions.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
        (lo.min(p.y), hi.max(p.y))
    });
    let (width, height) = (max_x - min_x, max_y - min_y);
    assert!(width / height < 6.0, "{width} × {height}");
    // Still bottom-up: every database below every frontend.
    let lowest_frontend = (0..count)
        .filter(|&i| tiers[i] == Tier::Frontend)
        .map(|i| positions[i].y)
        .fold(f32::MIN, f32::max);
    let highest_database = (0..count)
        .filter(|&i| tiers[i] == Tier::Database)
        .map(|i| positions[i].y)
        .fold(f32::MAX, f32::min);
    assert!(highest_database > lowest_frontend);
}

fn synthetic(services: usize) -> Plan {
    crate::synth::generate(&crate::synth::SynthOptions {
        services,
        regions: 1,
        seed: 7,
    })
}

fn straight_crossings_of(plan: &Plan, positions: &[Position]) -> usize {
    let centres: Vec<(f64, f64)> = positions
        .iter()
        .map(|p| (f64::from(p.x), f64::from(p.y)))
        .collect();
    let diagram = crate::diagram::Diagram::of_plan(plan, positions, None);
    crate::diagram::straight_crossings(&centres, &diagram.edges)
}

#[test]
fn sifting_and_the_final_switches_cut_the_crossings_of_a_synthetic_plan() {
    // 100 synthetic services: the barycentre-only layout drew 1,350 crossings, median sweeps with
    // transpositions 651, sifting and the switches on the drawing 560 (Graphviz dot: 533).
    let plan = synthetic(100);
    let crossings = straight_crossings_of(&plan, &layout_plan(&plan, Spacing::default()));
    assert!(crossings <= 580, "{crossings} crossings");
}

#[test]
fn pair_crossings_are_counted_exactly() {
    // Brute force over small sorted lists, with ties (equal slots never cross).
    let lists: [&[u32]; 5] = [&[], &[0], &[1, 3], &[0, 2, 2, 5], &[2, 3, 4]];
    for a in lists {
        for b in lists {
            let left = a
                .iter()
                .map(|x| b.iter().filter(|y| *y < x).count() as u64)
                .sum();
            let right = a
                .iter()
                .map(|x| b.iter().filter(|y| *y > x).count() as u64)
                .sum();
            assert_eq!(sift::merge_count(a, b), (left, right), "{a:?} {b:?}");
        }
    }
}

#[test]
fn a_long_edge_bends_once_per_layer_it_passes_and_short_ones_never() {
    // frontend → database passes the API layer; frontend → API does not pass any.
    let tiers = [Tier::Frontend, Tier::Api, Tier::Database];
    let edges = [(0, 2), (0, 1), (1, 1), (0, 9)];
    let drawing = draw(&tiers, &edges, Spacing::default());
    assert_eq!(
        drawing.routes.len(),
        edges.len(),
        "a route for every edge given"
    );
    let [bend] = drawing.routes[0][..] else {
        panic!("{:?}", drawing.routes);
    };
    let (top, middle, bottom) = (
        drawing.positions[0],
        drawing.positions[1],
        drawing.positions[2],
    );
    assert_eq!(bend.y, middle.y, "it bends in the API layer");
    assert!(top.y < bend.y && bend.y < bottom.y);
    assert!(
        (bend.x - middle.x).abs() > crate::diagram::NODE_SIZE.0 / 2.0,
        "beside the API service, not behind it"
    );
    assert!(drawing.routes[1..].iter().all(Vec::is_empty));
}

#[test]
fn the_layout_of_a_large_plan_is_deterministic() {
    let plan = synthetic(300);
    assert_eq!(
        draw_plan(&plan, Spacing::default()),
        draw_plan(&plan, Spacing::default())
    );
}

#[test]
fn a_long_edge_alone_is_drawn_straight_down() {
    // frontend → database across the API layer, which holds an unrelated service; the barycentre
    // layout centred each layer and drew this edge 110 units askew.
    let tiers = [Tier::Frontend, Tier::Api, Tier::Database, Tier::Api];
    let positions = layout(&tiers, &[(0, 2), (1, 3)], Spacing::default());
    assert!(
        (positions[0].x - positions[2].x).abs() < 5.0,
        "{positions:?}"
    );
}

#[test]
fn a_wrapped_layer_keeps_its_order_and_its_rows_do_not_overlap() {
    let plan = synthetic(400);
    let spacing = Spacing::default();
    let positions = layout_plan(&plan, spacing);
    let tiers: Vec<Tier> = plan.services.iter().map(|s| s.tier).collect();
    let edges = dependency_edges(&plan);
    let layers = order_layers(&tiers, &edges);
    let mut wrapped = false;
    for layer in &layers {
        // Left to right in the layer's order, whatever row each service is in.
        for pair in layer.windows(2) {
            assert!(positions[pair[0]].x < positions[pair[1]].x);
        }
        let mut rows: std::collections::BTreeMap<i64, Vec<f32>> = Default::default();
        for &node in layer {
            rows.entry(positions[node].y as i64)
                .or_default()
                .push(positions[node].x);
        }
        wrapped |= rows.len() > 1;
        for xs in rows.values() {
            for pair in xs.windows(2) {
                assert!(pair[1] - pair[0] >= spacing.node_gap - 0.01, "{pair:?}");
            }
        }
    }
    assert!(wrapped, "400 services make a layer wider than a row");
}

#[test]
fn a_free_spot_is_the_one_asked_for_or_the_nearest_beside_it() {
    let mut plan = crate::plan::templates::starter("s");
    let size = [176.0, 56.0];
    let taken = plan.services[1].position;
    let spot = free_spot(&plan, taken, size);
    assert_ne!(spot, taken);
    assert_eq!(spot.y, taken.y, "beside, on the same row");
    assert!(spot.x > taken.x, "to the right first");
    plan.services.clear();
    assert_eq!(free_spot(&plan, taken, size), taken, "a free spot is kept");
}

/// A laid-out synthetic plan of `services`, its positions written into it.
fn laid_out(services: usize) -> Plan {
    let mut plan = synthetic(services);
    let positions = layout_plan(&plan, Spacing::default());
    for (service, position) in plan.services.iter_mut().zip(positions) {
        service.position = position;
    }
    plan
}

/// How many services of `before` (by id) stand elsewhere in `after`, whose positions are `positions`.
fn moved(before: &Plan, after: &Plan, positions: &[Position]) -> usize {
    after
        .services
        .iter()
        .zip(positions)
        .filter(|(service, position)| {
            before
                .services
                .iter()
                .find(|old| old.id == service.id)
                .is_some_and(|old| old.position != **position)
        })
        .count()
}

/// `plan` with a new API service that depends on the first two databases and that the first
/// gateway depends on.
fn with_new_api(plan: &Plan) -> Plan {
    let mut plan = plan.clone();
    let of_tier = |tier: Tier| {
        plan.services
            .iter()
            .filter(|s| s.tier == tier)
            .map(|s| s.id.clone())
            .collect::<Vec<_>>()
    };
    let (databases, gateways) = (of_tier(Tier::Database), of_tier(Tier::Gateway));
    let mut service = plan.services[0].clone();
    service.id = crate::plan::Id::new("brand-new-api");
    service.name = "Brand new API".to_owned();
    service.tier = Tier::Api;
    service.position = Position::default();
    let id = service.id.clone();
    plan.services.push(service);
    for on in &databases[..2] {
        plan.dependencies.push(crate::plan::Dependency {
            service: id.clone(),
            on: on.clone(),
        });
    }
    plan.dependencies.push(crate::plan::Dependency {
        service: gateways[0].clone(),
        on: id,
    });
    plan
}

#[test]
fn adding_removing_or_connecting_a_service_moves_no_other() {
    // On 200 synthetic services. Laying the edited plan out afresh with `layout_plan` (what the
    // app's auto-layout does) moved every other service in each of the three cases: 200 of 200
    // for the added one, 199 of 199 for a removed one, 200 of 200 for one new dependency.
    let before = laid_out(200);
    let spacing = Spacing::default();
    let keep_all_but = |plan: &Plan, id: &str| -> Vec<bool> {
        plan.services.iter().map(|s| s.id.as_str() != id).collect()
    };

    let added = with_new_api(&before);
    let positions = relayout_plan(&added, &keep_all_but(&added, "brand-new-api"), spacing);
    assert_eq!(moved(&before, &added, &positions), 0);
    let new = positions[added.services.len() - 1];
    assert!(
        before
            .services
            .iter()
            .any(|s| s.tier == Tier::Api && s.position.y == new.y),
        "the new API stands in a row of the API band"
    );
    assert!(
        before
            .services
            .iter()
            .all(|s| (s.position.x - new.x).abs() >= spacing.node_gap
                || (s.position.y - new.y).abs() >= spacing.row_gap),
        "and covers no other service"
    );

    let mut removed = before.clone();
    let gone = removed.services.remove(3).id;
    removed
        .dependencies
        .retain(|d| d.service != gone && d.on != gone);
    let positions = relayout_plan(&removed, &vec![true; removed.services.len()], spacing);
    assert_eq!(moved(&before, &removed, &positions), 0);

    // A frontend gains a dependency: it is placed again, near what it now depends on.
    let mut connected = before.clone();
    let frontend = connected
        .services
        .iter()
        .find(|s| s.tier == Tier::Frontend)
        .map(|s| s.id.clone())
        .expect("a frontend");
    let gateway = connected
        .services
        .iter()
        .rev()
        .find(|s| s.tier == Tier::Gateway)
        .map(|s| s.id.clone())
        .expect("a gateway");
    connected.dependencies.push(crate::plan::Dependency {
        service: frontend.clone(),
        on: gateway,
    });
    let keep = keep_all_but(&connected, frontend.as_str());
    let positions = relayout_plan(&connected, &keep, spacing);
    assert_eq!(
        moved(&before, &connected, &positions),
        1,
        "only the frontend moves"
    );
}

#[test]
fn relayout_without_previous_positions_is_the_fresh_layout() {
    let plan = synthetic(50);
    let keep = vec![false; plan.services.len()];
    assert_eq!(
        relayout_plan(&plan, &keep, Spacing::default()),
        layout_plan(&plan, Spacing::default())
    );
}

#[test]
fn remembering_refused_switches_gives_the_same_drawing_with_fewer_tests() {
    let mut fewer = 0;
    for (services, seed) in [(40, 1), (100, 7), (100, 3), (250, 2)] {
        let plan = crate::synth::generate(&crate::synth::SynthOptions {
            services,
            regions: 1,
            seed,
        });
        let tiers: Vec<Tier> = plan.services.iter().map(|s| s.tier).collect();
        let before = unrefined(&tiers, &dependency_edges(&plan), Spacing::default());
        let rank = &before.proper.rank[..tiers.len()];
        let switched = |memory| {
            let (mut layers, mut at) = (before.layers.clone(), before.at.clone());
            let tests =
                refine::switch_neighbours(&mut layers, rank, &before.graph.edges, &mut at, memory);
            (layers, at, tests)
        };
        let (plain_layers, plain_at, every) = switched(refine::Memory::None);
        let (kept_layers, kept_at, remembering) = switched(refine::Memory::Refusals);
        assert_eq!(
            kept_layers, plain_layers,
            "{services} services, seed {seed}"
        );
        assert_eq!(kept_at, plain_at, "{services} services, seed {seed}");
        assert!(remembering <= every, "{remembering} > {every} tests");
        fewer += usize::from(remembering < every);
    }
    assert!(fewer >= 2, "remembering saved tests on {fewer} plans");
}
