//! The shape of a synthetic system: how many services each tier gets, what they are called, what each
//! depends on (always a strictly lower tier, so the graph can have no cycle), and where each sits on the
//! canvas (one band per tier, lower tiers lower on screen).

use super::names;
use super::rng::SplitMix64;
use crate::plan::{Position, Tier};

/// The tiers a small system gets first: a lone service is an API, two are an API and its database, and
/// so on up to one of each of the six layers.
const SMALL_SYSTEM_TIERS: [Tier; 6] = [
    Tier::Api,
    Tier::Database,
    Tier::Frontend,
    Tier::Worker,
    Tier::Gateway,
    Tier::Infrastructure,
];

/// The share of services each tier gets in a larger system, in per cent, in [`Tier::ALL`] order.
const TIER_SHARE_PERCENT: [usize; 7] = [5, 12, 15, 33, 10, 20, 5];

/// Services per row of the canvas before a tier's band wraps.
const SERVICES_PER_ROW: usize = 12;
/// Canvas units between neighbouring services in a row.
const COLUMN_WIDTH: f32 = 220.0;
/// Canvas units between rows of services.
const ROW_HEIGHT: f32 = 120.0;
/// Extra canvas units between the bands of two tiers.
const BAND_GAP: f32 = 60.0;

/// A service before its deployment details are chosen: who it is and where it sits in the system.
#[derive(Debug, Clone)]
pub struct Skeleton {
    /// The service's id.
    pub id: String,
    /// The service's display name.
    pub name: String,
    /// The service's tier.
    pub tier: Tier,
    /// The business domain the service belongs to (its index into [`names::DOMAINS`], counting rounds),
    /// for databases, workers and APIs.
    pub domain: Option<usize>,
}

/// How many services of each tier a system of `total` services has, in [`Tier::ALL`] order.
pub fn tier_counts(total: usize) -> [usize; 7] {
    let mut counts = [0; 7];
    if total <= SMALL_SYSTEM_TIERS.len() {
        for tier in &SMALL_SYSTEM_TIERS[..total] {
            counts[tier_index(*tier)] += 1;
        }
        return counts;
    }
    // Every layer but "other" gets at least one service, then each its share, rounded down.
    for (index, share) in TIER_SHARE_PERCENT.iter().enumerate() {
        let floor = if Tier::ALL[index] == Tier::Other {
            0
        } else {
            1
        };
        counts[index] = (total * share / 100).max(floor);
    }
    // Hand out what rounding left over (or take back what the floors added) where the shares are
    // furthest from their targets.
    let deficit = |counts: &[usize; 7], index: usize| {
        (total * TIER_SHARE_PERCENT[index]) as i64 - 100 * counts[index] as i64
    };
    while counts.iter().sum::<usize>() < total {
        let neediest = (0..7)
            .max_by_key(|&i| (deficit(&counts, i), i))
            .unwrap_or(3);
        counts[neediest] += 1;
    }
    while counts.iter().sum::<usize>() > total {
        let fullest = (0..7)
            .filter(|&i| counts[i] > 1)
            .min_by_key(|&i| (deficit(&counts, i), i))
            .unwrap_or(3);
        counts[fullest] -= 1;
    }
    counts
}

/// The position of `tier` in [`Tier::ALL`].
pub fn tier_index(tier: Tier) -> usize {
    Tier::ALL.iter().position(|&t| t == tier).unwrap_or(0)
}

/// Names every service of a system with these tier counts, lowest tier first.
pub fn skeletons(counts: &[usize; 7]) -> Vec<Skeleton> {
    let mut services = Vec::with_capacity(counts.iter().sum());
    for (index, &tier) in Tier::ALL.iter().enumerate() {
        for n in 0..counts[index] {
            let (list, suffix) = match tier {
                Tier::Infrastructure => (names::INFRASTRUCTURE, None),
                Tier::Database => (names::DOMAINS, Some(("db", "Database"))),
                Tier::Worker => (names::DOMAINS, Some(("worker", "Worker"))),
                Tier::Api => (names::DOMAINS, Some(("api", "API"))),
                Tier::Gateway => (names::GATEWAYS, None),
                Tier::Frontend => (names::FRONTENDS, None),
                Tier::Other => (names::OTHERS, None),
            };
            let (stem, word) = names::nth(list, n);
            let (id, name) = match suffix {
                Some((id_suffix, name_suffix)) => (
                    format!("{stem}-{id_suffix}"),
                    format!("{word} {name_suffix}"),
                ),
                None => (stem, word),
            };
            services.push(Skeleton {
                id,
                name,
                tier,
                domain: suffix.map(|_| n),
            });
        }
    }
    services
}

/// The dependencies of every service, as (dependent, dependency) indices into `services`. Each service
/// depends only on services of a strictly lower tier, on a few of them, and in a way real systems do:
/// databases on infrastructure, workers and APIs on their domain's database, gateways on APIs,
/// frontends on a gateway.
pub fn dependencies(services: &[Skeleton], rng: &mut SplitMix64) -> Vec<(usize, usize)> {
    let by_tier: Vec<Vec<usize>> = Tier::ALL
        .iter()
        .map(|&tier| {
            (0..services.len())
                .filter(|&i| services[i].tier == tier)
                .collect()
        })
        .collect();
    let of = |tier: Tier| &by_tier[tier_index(tier)];
    // The n-th service of its tier, used to spread dependencies evenly over the tier below.
    let mut rank_in_tier = vec![0; services.len()];
    for members in &by_tier {
        for (rank, &service) in members.iter().enumerate() {
            rank_in_tier[service] = rank;
        }
    }
    let mut edges = Vec::new();
    for (index, service) in services.iter().enumerate() {
        let nth = rank_in_tier[index];
        let round_robin = |candidates: &[usize]| {
            (!candidates.is_empty()).then(|| candidates[nth % candidates.len()])
        };
        match service.tier {
            Tier::Infrastructure => {}
            Tier::Database => add(&mut edges, index, round_robin(of(Tier::Infrastructure))),
            Tier::Worker | Tier::Api => {
                let databases = of(Tier::Database);
                // The domain's own database, or a shared one once the domains outnumber the databases.
                let database = service.domain.and_then(|domain| {
                    (!databases.is_empty()).then(|| databases[domain % databases.len()])
                });
                add(&mut edges, index, database);
                let second_database_chance = if service.tier == Tier::Api { 30 } else { 10 };
                if rng.chance(second_database_chance) {
                    add(&mut edges, index, rng.choose(databases).copied());
                }
                let infrastructure_chance = if database.is_none() { 100 } else { 40 };
                if rng.chance(infrastructure_chance) {
                    add(
                        &mut edges,
                        index,
                        rng.choose(of(Tier::Infrastructure)).copied(),
                    );
                }
            }
            Tier::Gateway => {
                let apis = of(Tier::Api);
                if apis.is_empty() {
                    add(
                        &mut edges,
                        index,
                        nearest_below(&by_tier, service.tier, rng),
                    );
                } else {
                    // Every API behind at least one gateway, and each gateway in front of a few.
                    let gateways = of(Tier::Gateway).len().max(1);
                    for &api in apis.iter().skip(nth).step_by(gateways) {
                        add(&mut edges, index, Some(api));
                    }
                    for _ in 0..rng.between(1, 2) {
                        add(&mut edges, index, rng.choose(apis).copied());
                    }
                }
            }
            Tier::Frontend => {
                let gateway = round_robin(of(Tier::Gateway));
                if gateway.is_some() {
                    add(&mut edges, index, gateway);
                    if rng.chance(20) {
                        add(&mut edges, index, rng.choose(of(Tier::Api)).copied());
                    }
                } else {
                    add(
                        &mut edges,
                        index,
                        nearest_below(&by_tier, service.tier, rng),
                    );
                }
            }
            Tier::Other => {
                add(
                    &mut edges,
                    index,
                    nearest_below(&by_tier, service.tier, rng),
                );
            }
        }
    }
    edges
}

/// Adds the edge `from → to` unless there is no `to` or the edge is already there. Edges are added one
/// service at a time, so only the last run of edges (those from `from`) can repeat it.
fn add(edges: &mut Vec<(usize, usize)>, from: usize, to: Option<usize>) {
    let already_there = |to| {
        edges
            .iter()
            .rev()
            .take_while(|&&(f, _)| f == from)
            .any(|&(_, t)| t == to)
    };
    if let Some(to) = to
        && !already_there(to)
    {
        edges.push((from, to));
    }
}

/// A random service of the nearest lower tier that has any, or `None` when no lower tier has services.
fn nearest_below(by_tier: &[Vec<usize>], tier: Tier, rng: &mut SplitMix64) -> Option<usize> {
    by_tier[..tier_index(tier)]
        .iter()
        .rev()
        .find(|candidates| !candidates.is_empty())
        .and_then(|candidates| rng.choose(candidates).copied())
}

/// Canvas positions: one band per tier, the highest tier at the top (smallest `y`), each band as many
/// centred rows of at most [`SERVICES_PER_ROW`] services as it needs.
pub fn positions(services: &[Skeleton]) -> Vec<Position> {
    let mut positions = vec![Position::default(); services.len()];
    let mut band_top = 0.0;
    for &tier in Tier::ALL.iter().rev() {
        let members: Vec<usize> = (0..services.len())
            .filter(|&i| services[i].tier == tier)
            .collect();
        if members.is_empty() {
            continue;
        }
        for (row, chunk) in members.chunks(SERVICES_PER_ROW).enumerate() {
            let row_width = (chunk.len() - 1) as f32 * COLUMN_WIDTH;
            for (column, &service) in chunk.iter().enumerate() {
                positions[service] = Position {
                    x: column as f32 * COLUMN_WIDTH - row_width / 2.0,
                    y: band_top + row as f32 * ROW_HEIGHT,
                };
            }
        }
        let rows = members.len().div_ceil(SERVICES_PER_ROW);
        band_top += rows as f32 * ROW_HEIGHT + BAND_GAP;
    }
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_systems_grow_one_layer_at_a_time() {
        assert_eq!(tier_counts(1), [0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(tier_counts(2), [0, 1, 0, 1, 0, 0, 0]);
        assert_eq!(tier_counts(6), [1, 1, 1, 1, 1, 1, 0]);
    }

    #[test]
    fn larger_systems_follow_the_shares_and_add_up() {
        for total in 7..300 {
            let counts = tier_counts(total);
            assert_eq!(counts.iter().sum::<usize>(), total, "{total}: {counts:?}");
            assert!(counts[..6].iter().all(|&c| c >= 1), "{total}: {counts:?}");
        }
        assert_eq!(tier_counts(100), [5, 12, 15, 33, 10, 20, 5]);
    }

    #[test]
    fn dependencies_point_strictly_down() {
        let services = skeletons(&tier_counts(80));
        let edges = dependencies(&services, &mut SplitMix64::new(3));
        assert!(!edges.is_empty());
        for (from, to) in edges {
            assert!(services[to].tier < services[from].tier, "{from} -> {to}");
        }
    }

    #[test]
    fn lower_tiers_sit_lower_on_the_canvas() {
        let services = skeletons(&tier_counts(40));
        let positions = positions(&services);
        for a in 0..services.len() {
            for b in 0..services.len() {
                if services[a].tier < services[b].tier {
                    assert!(positions[a].y > positions[b].y, "{a} vs {b}");
                }
            }
        }
    }
}
