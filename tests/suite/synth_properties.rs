//! Property tests over synthetic plans of any size, region count and seed: they are clean, they
//! survive the file format unchanged, and their deployment order keeps every promise of the plan.

use crate::common::assert_order_respects_plan;
use cutover::analysis::{Severity, analyse};
use cutover::plan::{Plan, parse_plan, plan_to_ron};
use cutover::synth::{SynthOptions, generate};
use proptest::prelude::*;

fn options() -> impl Strategy<Value = SynthOptions> {
    (1usize..=45, 0usize..=24, any::<u64>()).prop_map(|(services, regions, seed)| SynthOptions {
        services,
        regions,
        seed,
    })
}

/// Asserts the structure the generator promises: dependencies only to a strictly lower tier, a few
/// per service, and every direct dependent of a migrated database listed as a consumer.
fn assert_realistic(plan: &Plan) {
    for service in &plan.services {
        let dependencies: Vec<_> = plan
            .dependencies
            .iter()
            .filter(|d| d.service == service.id)
            .collect();
        assert!(
            dependencies.len() <= 10,
            "{} depends on {}",
            service.id,
            dependencies.len()
        );
        for dependency in dependencies {
            let on = plan.service(&dependency.on).expect("dependency exists");
            assert!(on.tier < service.tier, "{} -> {}", service.id, on.id);
        }
    }
    for migration in &plan.migrations {
        let users: Vec<_> = plan
            .dependencies
            .iter()
            .filter(|d| d.on == migration.database)
            .map(|d| d.service.clone())
            .collect();
        assert!(!users.is_empty(), "{} has no consumers", migration.id);
        assert_eq!(migration.consumers, users, "{}", migration.id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn synthetic_plans_have_no_errors_or_warnings(options in options()) {
        let plan = generate(&options);
        prop_assert_eq!(plan.services.len(), options.services);
        prop_assert_eq!(plan.regions.len(), options.regions);
        let analysis = analyse(&plan);
        let problems: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        prop_assert!(problems.is_empty(), "{:?}: {:#?}", options, problems);
        assert_realistic(&plan);
    }

    #[test]
    fn synthetic_plans_survive_the_file_format_unchanged(options in options()) {
        let plan = generate(&options);
        let text = plan_to_ron(&plan);
        let again = parse_plan(&text, "synth.ron").expect("a synthetic plan parses");
        prop_assert_eq!(&again, &plan);
        prop_assert_eq!(plan_to_ron(&again), text);
    }

    #[test]
    fn the_order_of_a_synthetic_plan_keeps_its_promises(options in options()) {
        let plan = generate(&options);
        let order = analyse(&plan).order.expect("a synthetic plan has no cycle");
        assert_order_respects_plan(&plan, &order);
    }

    #[test]
    fn the_same_options_write_the_same_text(options in options()) {
        prop_assert_eq!(plan_to_ron(&generate(&options)), plan_to_ron(&generate(&options)));
    }
}

#[test]
fn large_synthetic_plans_are_clean_and_ordered() {
    for (services, regions, seed) in [(400, 5, 1), (250, 30, u64::MAX)] {
        let plan = generate(&SynthOptions {
            services,
            regions,
            seed,
        });
        let analysis = analyse(&plan);
        assert_eq!(
            analysis.count(Severity::Error) + analysis.count(Severity::Warning),
            0,
            "{:#?}",
            analysis.diagnostics
        );
        assert_realistic(&plan);
        assert_order_respects_plan(&plan, analysis.order.as_ref().expect("an order"));
    }
}

#[test]
fn a_synthetic_file_is_stable_byte_for_byte() {
    // Pins the generator's output: a change here means every stored synthetic plan changes, so make it
    // on purpose. FNV-1a over the text keeps the expectation short.
    let text = plan_to_ron(&generate(&SynthOptions {
        services: 25,
        regions: 3,
        seed: 2024,
    }));
    let digest = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    assert_eq!(format!("{digest:016x}"), PINNED_DIGEST, "{text}");
}

const PINNED_DIGEST: &str = "71c33126e8b9efda";
