//! Rehearsals of what `cutover export` writes: every example and synthetic plans of three small sizes,
//! on both platforms, on the happy path and under single faults, with every verdict holding; exports
//! tampered with in the ways people break pipelines, each failing the verdict that guards against it;
//! and a chained release, which is refused by name.
//!
//! Every Meridian and synthetic single fault runs here. Northwind's full list (over 400 scenario runs)
//! belongs to `cargo bench --bench rehearse`; here it runs its happy path and a sample that still
//! covers every kind of fault and every containment case: all faults in its middle production region
//! (earlier regions must stay untouched, later ones never start), every approval and migration fault,
//! and the faults of its staging environment's front end.

use cutover::export::{Target, export};
use cutover::plan::Plan;
use cutover::rehearse::model::Platform;
use cutover::rehearse::scenario::{Fault, Spot};
use cutover::rehearse::{self, Options, Rehearsal, Repository, Selection};
use cutover::storage::load_plan;
use cutover::synth::{SynthOptions, generate};

use crate::common::examples_dir;

fn example(name: &str) -> Plan {
    load_plan(&examples_dir().join(format!("{name}.ron"))).expect("example loads")
}

/// The plan's export, as `cutover export` writes it.
fn exported(plan: &Plan) -> Repository {
    Repository::from_export(&export(plan, Target::All).expect("the plan exports"))
}

fn options(selection: Selection) -> Options {
    Options {
        platforms: Platform::BOTH.to_vec(),
        selection,
        ..Options::default()
    }
}

fn run(plan: &Plan, repo: &Repository, options: &Options) -> Rehearsal {
    rehearse::rehearse(plan, repo, options).unwrap_or_else(|e| panic!("{}: {e}", plan.name))
}

/// Every verdict of every scenario and every parity check holds.
fn assert_all_hold(rehearsal: &Rehearsal) {
    let mut failed = Vec::new();
    for result in &rehearsal.results {
        for verdict in result.verdicts.iter().filter(|v| !v.holds) {
            failed.push(format!(
                "{} · {:?} · {}: {} — {}",
                result.pipeline,
                result.platform,
                result.scenario.name(),
                verdict.name,
                verdict.detail
            ));
        }
    }
    for (pipeline, scenario, verdict) in rehearsal.parity.iter().filter(|(_, _, v)| !v.holds) {
        failed.push(format!(
            "{pipeline} · {scenario}: parity — {}",
            verdict.detail
        ));
    }
    assert!(
        failed.is_empty(),
        "{}: {} verdicts failed:\n{}",
        rehearsal.plan,
        failed.len(),
        failed.join("\n")
    );
}

/// The names of the verdicts that failed in scenarios named `scenario` (all when empty).
fn failed_verdicts(rehearsal: &Rehearsal, platform: Platform, scenario: &str) -> Vec<String> {
    rehearsal
        .results
        .iter()
        .filter(|r| r.platform == platform && r.pipeline == "release")
        .filter(|r| scenario.is_empty() || r.scenario.name() == scenario)
        .flat_map(|r| r.verdicts.iter().filter(|v| !v.holds))
        .map(|v| format!("{}: {}", v.name, v.detail))
        .collect()
}

fn assert_fails(rehearsal: &Rehearsal, platform: Platform, scenario: &str, verdict: &str) {
    let failed = failed_verdicts(rehearsal, platform, scenario);
    assert!(
        failed.iter().any(|f| f.starts_with(&format!("{verdict}:"))),
        "{platform:?} {scenario}: expected the {verdict} verdict to fail; failed: {failed:?}"
    );
}

/// `repo` with `from` replaced by `to` in `path`, which must hold `from`.
fn tampered(repo: &Repository, path: &str, from: &str, to: &str) -> Repository {
    let text = repo
        .get(path)
        .unwrap_or_else(|| panic!("{path} is exported"));
    assert!(text.contains(from), "{path} no longer holds {from:?}");
    let mut repo = repo.clone();
    repo.insert(path, &text.replacen(from, to, 1));
    repo
}

/// A health fault that lets `after` checks pass (with a slot swap, one passes the slot's check and
/// fails production's after the swap).
fn health_fault(service: &str, environment: &str, region: &str, after: u32) -> Fault {
    Fault::Health {
        spot: Spot {
            service: service.into(),
            environment: Some(environment.into()),
            region: Some(region.into()),
        },
        after,
    }
}

#[test]
fn meridian_holds_every_verdict_under_every_single_fault() {
    let plan = example("meridian-claims");
    let rehearsal = run(
        &plan,
        &exported(&plan),
        &options(Selection::AllSingleFaults),
    );
    assert!(
        rehearsal.results.len() > 40,
        "{} runs",
        rehearsal.results.len()
    );
    assert_all_hold(&rehearsal);
}

/// Northwind's sample (see the module's documentation).
fn northwind_sample(fault: &Fault) -> bool {
    match fault {
        Fault::Health { spot, .. } | Fault::Deploy { spot, .. } => {
            let middle = spot.environment.as_deref() == Some("production")
                && spot.region.as_deref() == Some("northeurope");
            let staging_front = spot.environment.as_deref() == Some("staging")
                && matches!(spot.service.as_str(), "storefront" | "storefront-bff");
            middle || staging_front
        }
        Fault::Approval { .. }
        | Fault::Migration { .. }
        | Fault::Gate { .. }
        | Fault::Traffic { .. } => true,
    }
}

#[test]
fn northwind_holds_every_verdict_on_the_happy_path_and_a_sample_of_single_faults() {
    let plan = example("northwind-commerce");
    let rehearsal = run(
        &plan,
        &exported(&plan),
        &options(Selection::SingleFaultsWhere(northwind_sample)),
    );
    let faults = |kind: &str| {
        rehearsal
            .results
            .iter()
            .filter(|r| r.scenario.name().starts_with(kind))
            .count()
    };
    for kind in [
        "health:",
        "deploy:",
        "transient:",
        "approval:",
        "expand:",
        "contract:",
        "gate:",
    ] {
        assert!(faults(kind) > 0, "the sample has no {kind} fault");
    }
    assert_all_hold(&rehearsal);
}

#[test]
fn synthetic_plans_of_three_sizes_hold_every_verdict_under_every_single_fault() {
    for (services, regions) in [(3, 0), (6, 1), (8, 2)] {
        let plan = generate(&SynthOptions {
            services,
            regions,
            seed: 7,
        });
        let rehearsal = run(
            &plan,
            &exported(&plan),
            &options(Selection::AllSingleFaults),
        );
        assert_all_hold(&rehearsal);
    }
}

// ---- tampered exports fail the verdict that guards against the mistake

/// A transient deploy fault that the retry policy absorbs (four failed tries of five, with 60 s,
/// 180 s, 300 s and 300 s between them) must also fit the job's timeout: before jobs allowed for the
/// backoff, this one ran out of time on both platforms and Azure skipped its rollback.
#[test]
fn a_transient_fault_within_the_retry_budget_fits_the_jobs_timeout() {
    let plan = generate(&SynthOptions {
        services: 10,
        regions: 2,
        seed: 7,
    });
    assert_eq!(plan.rollout.retry.attempts, 5, "the synthetic plan changed");
    let fault = Fault::Deploy {
        spot: Spot {
            service: "status-page".into(),
            environment: Some("production".into()),
            region: Some("eastasia".into()),
        },
        tries: Some(4),
    };
    let rehearsal = run(
        &plan,
        &exported(&plan),
        &options(Selection::Faults(vec![fault])),
    );
    assert_all_hold(&rehearsal);
}

#[test]
fn a_dropped_dependency_fails_the_order_verdict() {
    let plan = example("meridian-claims");
    let repo = exported(&plan);
    // The portal waits for the wave before it (the API and the notification service); dropping
    // that leaves only the build.
    let repo = tampered(
        &repo,
        ".github/workflows/meridian-claims-release.yml",
        "needs: [wave_3_complete]",
        "needs: [build]",
    );
    let repo = tampered(
        &repo,
        "azure-pipelines/meridian-claims-release.yml",
        "dependsOn: [wave_3_complete]",
        "dependsOn: [build]",
    );
    let rehearsal = run(&plan, &repo, &options(Selection::HappyPath));
    for platform in Platform::BOTH {
        assert_fails(&rehearsal, platform, "happy path", "order");
    }
}

#[test]
fn an_inverted_rollback_condition_fails_containment() {
    let plan = example("meridian-claims");
    let repo = exported(&plan);
    let repo = tampered(
        &repo,
        ".github/workflows/meridian-claims-deploy-app-service-slot.yml",
        "if: '${{ failure() && needs.deploy.result == ''failure'' }}'",
        "if: '${{ !(failure() && needs.deploy.result == ''failure'') }}'",
    );
    let repo = tampered(
        &repo,
        "azure-pipelines/templates/meridian-claims-deploy-app-service-slot.yml",
        "'on':\n              failure:",
        "'on':\n              success:",
    );
    let fault = health_fault("claims-api", "production", "eastus", 1);
    let rehearsal = run(&plan, &repo, &options(Selection::Faults(vec![fault])));
    for platform in Platform::BOTH {
        assert_fails(
            &rehearsal,
            platform,
            "health:claims-api@production/eastus:after=1",
            "containment",
        );
    }
}

fn gate_fault(gate: &str, environment: &str, region: &str) -> Fault {
    Fault::Gate {
        gate: gate.into(),
        environment: Some(environment.into()),
        region: Some(region.into()),
    }
}

/// With North Europe's alert gate failing, the gate verdict fails on both platforms.
fn assert_north_europe_alerts_fail_the_gate_verdict(plan: &Plan, repo: &Repository) {
    let fault = gate_fault("error-alerts", "production", "northeurope");
    let rehearsal = run(plan, repo, &options(Selection::Faults(vec![fault])));
    for platform in Platform::BOTH {
        assert_fails(
            &rehearsal,
            platform,
            "gate:error-alerts@production/northeurope",
            "gate",
        );
    }
}

#[test]
fn emptied_rollback_data_fails_the_gate_verdict() {
    let plan = example("northwind-commerce");
    let repo = exported(&plan);
    let path = "cutover/northwind-commerce-rollbacks.jsonl";
    let text = repo.get(path).expect("the rollback data is exported");
    let header: String = text
        .lines()
        .filter(|line| line.starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect();
    let mut repo = repo.clone();
    repo.insert(path, &header);
    assert_north_europe_alerts_fail_the_gate_verdict(&plan, &repo);
}

#[test]
fn a_later_region_that_ignores_its_gates_fails_the_gate_verdict() {
    let plan = example("northwind-commerce");
    let repo = exported(&plan);
    // East US 2 starts after the end of North Europe's last wave, which waits for its validation
    // window and its gates; drop the gates from it.
    let gates = "\n      - gate_error_alerts_production_northeurope\n      - gate_orders_quality_production_northeurope";
    let repo = tampered(
        &repo,
        ".github/workflows/northwind-commerce-release.yml",
        &format!("needs:\n      - validate_production_northeurope{gates}"),
        "needs:\n      - validate_production_northeurope",
    );
    let repo = tampered(
        &repo,
        "azure-pipelines/northwind-commerce-release.yml",
        &format!("dependsOn:\n      - validate_production_northeurope{gates}"),
        "dependsOn:\n      - validate_production_northeurope",
    );
    assert_north_europe_alerts_fail_the_gate_verdict(&plan, &repo);
}

#[test]
fn a_removed_sign_in_fails_the_outcome_verdict() {
    let plan = example("meridian-claims");
    let repo = exported(&plan);
    let path = ".github/workflows/meridian-claims-deploy-app-service-slot.yml";
    let text = repo.get(path).expect("exported").to_owned();
    let start = text
        .find("      - name: Sign in to Azure (OIDC)\n")
        .expect("a sign-in step");
    let end = start
        + text[start..]
            .find("      - name: Deploy to the slot")
            .expect("the deploy step");
    let mut repo = repo.clone();
    repo.insert(path, &format!("{}{}", &text[..start], &text[end..]));
    let options = Options {
        platforms: vec![Platform::GitHub],
        ..options(Selection::HappyPath)
    };
    let rehearsal = run(&plan, &repo, &options);
    assert_fails(&rehearsal, Platform::GitHub, "happy path", "outcome");
    let detail = failed_verdicts(&rehearsal, Platform::GitHub, "happy path").join("\n");
    assert!(detail.contains("Deploy to the slot"), "{detail}");
}

#[test]
fn a_misspelled_flag_fails_the_outcome_verdict() {
    let plan = example("meridian-claims");
    let repo = tampered(
        &exported(&plan),
        "cutover/meridian-claims.sh",
        "--target-slot production --action swap",
        "--target-slots production --action swap",
    );
    let rehearsal = run(&plan, &repo, &options(Selection::HappyPath));
    for platform in Platform::BOTH {
        assert_fails(&rehearsal, platform, "happy path", "outcome");
    }
}

#[test]
fn a_chained_release_is_refused_naming_its_second_part() {
    let plan = generate(&SynthOptions {
        services: 150,
        regions: 3,
        seed: 1,
    });
    let export = export(&plan, Target::All).expect("exports");
    assert!(
        export
            .files
            .iter()
            .any(|f| f.path.contains("-release-part-2.")),
        "the plan is large enough to chain"
    );
    let error = rehearse::rehearse(
        &plan,
        &Repository::from_export(&export),
        &Options::default(),
    )
    .expect_err("a chain is not rehearsed");
    assert!(
        matches!(&error, rehearse::RehearseError::Chained(file) if file.ends_with("-release-part-2.yml")),
        "{error}"
    );
    assert!(error.to_string().contains("not support"), "{error}");
}

/// The release files of Northwind on each platform.
const NORTHWIND_RELEASES: [&str; 2] = [
    ".github/workflows/northwind-commerce-release.yml",
    "azure-pipelines/northwind-commerce-release.yml",
];

/// `repo` with the first `from` after `anchor` in `path` replaced by `to`.
fn tampered_after(repo: &Repository, path: &str, anchor: &str, from: &str, to: &str) -> Repository {
    let text = repo
        .get(path)
        .unwrap_or_else(|| panic!("{path} is exported"));
    let start = text
        .find(anchor)
        .unwrap_or_else(|| panic!("{path} no longer holds {anchor:?}"));
    let at = start
        + text[start..]
            .find(from)
            .unwrap_or_else(|| panic!("{path} holds no {from:?} after {anchor:?}"));
    let mut changed = text.to_owned();
    changed.replace_range(at..at + from.len(), to);
    let mut repo = repo.clone();
    repo.insert(path, &changed);
    repo
}

#[test]
fn a_drain_that_leaves_the_lead_region_in_rotation_fails_the_traffic_verdict() {
    let plan = example("northwind-commerce");
    let mut repo = exported(&plan);
    // The first change of the shop's router is the drain of West Europe, the lead.
    for path in NORTHWIND_RELEASES {
        repo = tampered(
            &repo,
            path,
            "storefront-westeurope out -\"",
            "storefront-westeurope in -\"",
        );
    }
    let rehearsal = run(&plan, &repo, &options(Selection::HappyPath));
    for platform in Platform::BOTH {
        assert_fails(&rehearsal, platform, "happy path", "traffic");
    }
}

#[test]
fn a_switch_back_that_keeps_the_failed_region_fails_the_traffic_verdict() {
    let plan = example("northwind-commerce");
    let mut repo = exported(&plan);
    for path in NORTHWIND_RELEASES {
        repo = tampered_after(
            &repo,
            path,
            "traffic_back_shop_edge_production_westeurope",
            "storefront-westeurope out -\"",
            "storefront-westeurope in -\"",
        );
    }
    let fault = rehearse::scenario::parse("traffic:shop-edge", &plan).expect("a fault of the plan");
    let rehearsal = run(&plan, &repo, &options(Selection::Faults(vec![fault])));
    for platform in Platform::BOTH {
        assert_fails(&rehearsal, platform, "traffic:shop-edge", "traffic");
    }
}

#[test]
fn runbooks_whose_checks_run_the_same_command_each_pass_the_hotfix_gates_verdict() {
    let mut plan = example("northwind-commerce");
    assert!(plan.runbooks.len() >= 2, "Northwind has two runbooks");
    // The fakes know a command by its text: with one scan shared by both runbooks, each hotfix
    // pipeline's scan is logged under the first runbook; each must still count as scanned.
    let shared = plan.runbooks[0].security_scan.clone();
    assert!(shared.is_some(), "the first runbook scans");
    for runbook in &mut plan.runbooks {
        runbook.security_scan = shared.clone();
    }
    let rehearsal = run(&plan, &exported(&plan), &options(Selection::HappyPath));
    assert_all_hold(&rehearsal);
}
