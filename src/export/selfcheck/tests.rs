//! The self-check must fail on every kind of mistake it exists for: each test takes real generated
//! files, breaks one guarantee in the text, and expects the check to name it.

use std::collections::BTreeMap;

use super::{Platform, check};
use crate::emit::{self, Azure, GitHub, yaml};
use crate::export::paths;
use crate::plan::{Plan, parse_plan};
use crate::release::{Pipeline, ReleaseIr, StageRole, chain, library_body, lower};

fn meridian() -> Plan {
    parse_plan(
        include_str!("../../../examples/meridian-claims.ron"),
        "meridian-claims.ron",
    )
    .expect("the example parses")
}

/// Every file of `ir` with its release written as `release` (one pipeline, or a chain's parts).
fn files(ir: &ReleaseIr, release: &[Pipeline]) -> BTreeMap<String, String> {
    let header = emit::header_lines(&ir.plan_name);
    let library = paths::library(&ir.stem);
    let github_reference = |t: &str| paths::github_template_reference(&ir.stem, t);
    let azure_reference = |t: &str| paths::azure_template_reference(&ir.stem, t);
    let github = GitHub {
        settings: &ir.platforms,
        library: &library,
        template_reference: &github_reference,
        workflow_path: &paths::github_workflow_of,
    };
    let azure = Azure {
        settings: &ir.platforms,
        library: &library,
        template_reference: &azure_reference,
    };
    let mut files = BTreeMap::new();
    for pipeline in release.iter().chain(&ir.hotfixes) {
        files.insert(
            paths::github_workflow(pipeline),
            yaml::write_document(&header, &github.workflow(pipeline)),
        );
        files.insert(
            paths::azure_pipeline(pipeline),
            yaml::write_document(&header, &azure.pipeline(pipeline)),
        );
    }
    for template in &ir.templates {
        files.insert(
            paths::github_template(&ir.stem, &template.name),
            yaml::write_document(&header, &github.reusable_workflow(template)),
        );
        files.insert(
            paths::azure_template(&ir.stem, &template.name),
            yaml::write_document(&header, &azure.stage_template(template)),
        );
    }
    files.insert(library, library_body());
    files
}

/// Runs the check of `release` on `platform` over `files`.
fn run(
    files: &BTreeMap<String, String>,
    release: &[Pipeline],
    platform: Platform,
    plan: &Plan,
) -> Result<(), String> {
    let texts: BTreeMap<&str, &str> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    let paths: Vec<String> = release
        .iter()
        .map(|p| match platform {
            Platform::GitHub => paths::github_workflow(p),
            Platform::Azure => paths::azure_pipeline(p),
        })
        .collect();
    check(&texts, &paths, platform, release, plan)
}

/// `files` with the first `from` in the file at `path` replaced by `to` (which must change it).
fn broken(
    files: &BTreeMap<String, String>,
    path: &str,
    from: &str,
    to: &str,
) -> BTreeMap<String, String> {
    let mut files = files.clone();
    let text = files.get_mut(path).expect("the file exists");
    assert!(text.contains(from), "{path} has no `{from}`:\n{text}");
    *text = text.replacen(from, to, 1);
    files
}

fn expect_error(result: Result<(), String>, wanted: &str) {
    match result {
        Err(problem) => assert!(problem.contains(wanted), "{problem}"),
        Ok(()) => panic!("the check passed; expected it to find `{wanted}`"),
    }
}

/// Meridian's release on GitHub: its workflow path and the files.
fn github_release() -> (Plan, ReleaseIr, BTreeMap<String, String>, String) {
    let plan = meridian();
    let ir = lower(&plan).expect("lowers");
    let files = files(&ir, std::slice::from_ref(&ir.release));
    let path = paths::github_workflow(&ir.release);
    (plan, ir, files, path)
}

#[test]
fn the_files_as_written_pass_on_both_platforms() {
    let (plan, ir, files, _) = github_release();
    for platform in [Platform::GitHub, Platform::Azure] {
        run(&files, std::slice::from_ref(&ir.release), platform, &plan).expect("passes");
        for hotfix in &ir.hotfixes {
            run(&files, std::slice::from_ref(hotfix), platform, &plan).expect("passes");
        }
    }
}

#[test]
fn a_dropped_dependency_a_missing_target_and_a_cycle_are_caught() {
    let (plan, ir, files, path) = github_release();
    let release = std::slice::from_ref(&ir.release);
    let dropped = broken(
        &files,
        &path,
        "needs: [deploy_sql_database_eastus]",
        "needs: [build]",
    );
    expect_error(
        run(&dropped, release, Platform::GitHub, &plan),
        "which it depends on",
    );
    let missing = broken(&files, &path, "needs: [build,", "needs: [ghost,");
    expect_error(
        run(&missing, release, Platform::GitHub, &plan),
        "`ghost`, which does not exist",
    );
    let cycle = broken(
        &files,
        &path,
        "needs: [expand_claim_status_eastus]",
        "needs: [expand_claim_status_eastus, deploy_claims_api_eastus]",
    );
    expect_error(run(&cycle, release, Platform::GitHub, &plan), "cycle");
}

#[test]
fn a_lost_rollback_an_unsigned_step_and_an_unknown_argument_are_caught() {
    let (plan, ir, files, path) = github_release();
    let release = std::slice::from_ref(&ir.release);
    let template = paths::github_template(&ir.stem, "deploy-app-service-slot");
    let no_rollback = broken(
        &files,
        &template,
        "needs.deploy.result == ''failure''",
        "needs.deploy.result == ''success''",
    );
    expect_error(
        run(&no_rollback, release, Platform::GitHub, &plan),
        "has no rollback path",
    );
    let unsigned = broken(&files, &template, "azure/login@", "azure/logout@");
    expect_error(
        run(&unsigned, release, Platform::GitHub, &plan),
        "before signing in to Azure",
    );
    let unknown = broken(
        &files,
        &path,
        "      slot: staging\n",
        "      slot: staging\n      slots: staging\n",
    );
    expect_error(
        run(&unknown, release, Platform::GitHub, &plan),
        "which `.github/workflows/meridian-claims-deploy-app-service-slot.yml` does not declare",
    );
}

#[test]
fn a_hotfix_without_its_approval_is_caught() {
    let (plan, ir, files, _) = github_release();
    let hotfix = &ir.hotfixes[0];
    let path = paths::azure_pipeline(hotfix);
    let broken = broken(&files, &path, "ManualValidation@1", "Delay@1");
    expect_error(
        run(
            &broken,
            std::slice::from_ref(hotfix),
            Platform::Azure,
            &plan,
        ),
        "has no approval",
    );
}

/// Meridian's release split after its first wave end: a chain of two parts.
fn chained() -> (Plan, Vec<Pipeline>, BTreeMap<String, String>) {
    let plan = meridian();
    let ir = lower(&plan).expect("lowers");
    let cut = ir
        .release
        .stages
        .iter()
        .position(|s| s.role == StageRole::WaveComplete)
        .expect("a wave end")
        + 1;
    let parts = chain::split(&ir.release, &[cut]);
    let files = files(&ir, &parts);
    (plan, parts, files)
}

#[test]
fn a_chained_release_passes_and_each_link_of_the_chain_is_checked() {
    let (plan, parts, files) = chained();
    run(&files, &parts, Platform::GitHub, &plan).expect("the GitHub chain passes");
    run(&files, &parts, Platform::Azure, &plan).expect("the Azure chain passes");
    let second_github = paths::github_workflow(&parts[1]);
    let second_azure = paths::azure_pipeline(&parts[1]);
    let first_github = paths::github_workflow(&parts[0]);

    let wrong_previous = broken(
        &files,
        &second_github,
        "PREVIOUS_WORKFLOW: '.github/workflows/meridian-claims-release.yml'",
        "PREVIOUS_WORKFLOW: '.github/workflows/other.yml'",
    );
    expect_error(
        run(&wrong_previous, &parts, Platform::GitHub, &plan),
        "does not check that it continues",
    );
    let early = broken(&files, &second_github, "needs: [chain_start]", "needs: []");
    expect_error(
        run(&early, &parts, Platform::GitHub, &plan),
        "starts before `chain_start`",
    );
    // The first part starts the second right after its build, not after all of its stages.
    let mut too_soon = files.clone();
    let text = too_soon.get_mut(&first_github).expect("exists");
    let job = text.find("  chain_next:\n").expect("a chain_next job");
    let needs = job + text[job..].find("    needs: ").expect("its needs");
    let line_end = needs + text[needs..].find('\n').expect("a line end");
    text.replace_range(needs..line_end, "    needs: [build]");
    expect_error(
        run(&too_soon, &parts, Platform::GitHub, &plan),
        "starts the next part before",
    );
    let not_started = broken(
        &files,
        &first_github,
        "NEXT_WORKFLOW: meridian-claims-release-part-2.yml",
        "NEXT_WORKFLOW: meridian-claims-release-part-3.yml",
    );
    expect_error(
        run(&not_started, &parts, Platform::GitHub, &plan),
        "not meridian-claims-release-part-2.yml",
    );
    let wrong_trigger = broken(
        &files,
        &second_azure,
        "source: meridian-claims-release\n",
        "source: meridian-claims-hotfix\n",
    );
    expect_error(
        run(&wrong_trigger, &parts, Platform::Azure, &plan),
        "is not started by",
    );
}

#[test]
fn a_traffic_change_nothing_switches_back_and_a_region_that_skips_a_gate_are_caught() {
    let plan = parse_plan(
        include_str!("../../../examples/northwind-commerce.ron"),
        "northwind-commerce.ron",
    )
    .expect("the example parses");
    let ir = lower(&plan).expect("lowers");
    let release = std::slice::from_ref(&ir.release);
    let files = files(&ir, release);
    for platform in [Platform::GitHub, Platform::Azure] {
        run(&files, release, platform, &plan).expect("the files as written pass");
        let path = match platform {
            Platform::GitHub => paths::github_workflow(&ir.release),
            Platform::Azure => paths::azure_pipeline(&ir.release),
        };
        // The failure conditions stop naming the shop router's switch to West Europe.
        let (from, to) = match platform {
            Platform::GitHub => (
                "needs.traffic_shop_edge_switch_production_westeurope.result",
                "needs.traffic_shop_edge_step_1_production_westeurope.result",
            ),
            Platform::Azure => (
                "'traffic_shop_edge_switch_production_westeurope'",
                "'traffic_shop_edge_step_1_production_westeurope'",
            ),
        };
        let mut unnamed = files.clone();
        let text = unnamed.get_mut(&path).expect("the release");
        assert!(text.contains(from), "{path} has no `{from}`");
        *text = text.replace(from, to);
        expect_error(
            run(&unnamed, release, platform, &plan),
            "nothing switches the router back when the traffic change `traffic_shop_edge_switch_production_westeurope` fails",
        );
    }
    // North Europe's first deployment waits for West Europe's last deployments only: the order of
    // deployments holds, but West Europe's gates and traffic changes are skipped.
    let path = paths::github_workflow(&ir.release);
    let skipping = broken(
        &files,
        &path,
        "    needs: [wave_19_complete]\n    uses: './.github/workflows/northwind-commerce-deploy-script.yml'",
        "    needs: [deploy_storefront_production_westeurope, deploy_back_office_production_westeurope]\n    uses: './.github/workflows/northwind-commerce-deploy-script.yml'",
    );
    expect_error(
        run(&skipping, release, Platform::GitHub, &plan),
        "`deploy_platform_infra_production_northeurope` deploys without waiting for",
    );
}
