//! Each release semantic of the export, checked by reading the emitted YAML back (not the IR), with
//! templates and reusable workflows expanded as the platforms would ([`crate::pipelines`]).

use cutover::export::{Export, FileKind, Target, export};
use cutover::plan::*;
use serde_json::Value;

use crate::pipelines::{
    azure_graph, azure_stage, azure_stages, document, github_graph, github_job, github_jobs,
    github_step, list, step_names, waits_for,
};

/// A two-region plan with every target kind: a database with a migration, an App Service API behind a
/// slot swap with draining, a canary App Service, a Kubernetes worker rolled in 25 % batches, and a
/// static site; two runbooks with different branching models.
fn rich_plan() -> Plan {
    let mut plan = templates::starter("shop");
    plan.regions = vec![
        Region {
            id: Id::new("eastus"),
            name: "East US".into(),
            location: "eastus".into(),
            validation_minutes: 10,
        },
        Region {
            id: Id::new("westeurope"),
            name: "West Europe".into(),
            location: "westeurope".into(),
            validation_minutes: 5,
        },
    ];
    let health = plan.services[1].health_check.clone();
    plan.services[1].websockets = true;
    plan.services.push(Service {
        id: Id::new("worker"),
        name: "Order worker".into(),
        tier: Tier::Worker,
        target: DeployTarget::Kubernetes {
            cluster: "aks-shop-{region}".into(),
            resource_group: "rg-shop-{region}".into(),
            namespace: "orders".into(),
            deployment: "order-worker".into(),
            manifests: vec!["k8s/worker.yaml".into()],
        },
        strategy: Strategy::Rolling {
            batch: BatchSize::Percent(25),
        },
        health_check: Some(HealthCheck {
            base_url: Some("https://worker-{region}.shop.example".into()),
            ..health.clone().expect("health")
        }),
        probes: Probes::default(),
        draining_timeout_seconds: Some(20),
        websockets: false,
        position: Position::default(),
    });
    plan.services.push(Service {
        id: Id::new("search"),
        name: "Search API".into(),
        tier: Tier::Api,
        target: DeployTarget::AppService {
            app: "shop-search-{region}".into(),
            resource_group: "rg-shop-{region}".into(),
            slot: Some("staging".into()),
        },
        strategy: Strategy::Canary {
            increments: vec![10, 50, 100],
        },
        health_check: health,
        probes: Probes::default(),
        draining_timeout_seconds: None,
        websockets: false,
        position: Position::default(),
    });
    plan.dependencies.push(Dependency {
        service: Id::new("worker"),
        on: Id::new("db"),
    });
    plan.dependencies.push(Dependency {
        service: Id::new("search"),
        on: Id::new("db"),
    });
    plan.dependencies.push(Dependency {
        service: Id::new("web"),
        on: Id::new("search"),
    });
    let step = |what: &str| MigrationStep {
        description: what.into(),
        command: format!("./db/migrate.sh {what}"),
    };
    plan.migrations.push(Migration {
        id: Id::new("order-status"),
        name: "Order status".into(),
        database: Id::new("db"),
        expand: vec![step("add-status")],
        contract: vec![step("drop-old-status")],
        consumers: vec![Id::new("api"), Id::new("worker"), Id::new("search")],
    });
    let mut trunk = plan.runbooks[0].clone();
    trunk.id = Id::new("web-hotfix");
    trunk.name = "Web hotfix".into();
    trunk.branching = BranchingModel::TrunkBased;
    trunk.merge_back = vec!["main".into()];
    trunk.services = vec![Id::new("web"), Id::new("db")];
    plan.runbooks.push(trunk);
    plan
}

fn exported(plan: &Plan) -> Export {
    let analysis = cutover::analysis::analyse(plan);
    assert!(
        !analysis.has_errors(),
        "test plan has errors: {:#?}",
        analysis.diagnostics
    );
    export(plan, Target::All).expect("export succeeds")
}

/// The text of the exported file at `path`.
fn text<'a>(export: &'a Export, path: &str) -> &'a str {
    &export
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no file {path}"))
        .contents
}

const AZURE_RELEASE: &str = "azure-pipelines/shop-release.yml";
const GITHUB_RELEASE: &str = ".github/workflows/shop-release.yml";
const LIBRARY: &str = "cutover/shop.sh";

#[test]
fn one_stage_per_service_per_region_plus_expand_contract_and_validation() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&export, AZURE_RELEASE);
    let ids: Vec<&str> = stages
        .iter()
        .map(|s| s["stage"].as_str().expect("id"))
        .collect();
    for region in ["eastus", "westeurope"] {
        for service in ["db", "api", "web", "worker", "search"] {
            assert!(
                ids.contains(&format!("deploy_{service}_{region}").as_str()),
                "{service} {region} in {ids:?}"
            );
        }
        for id in [
            format!("expand_order_status_{region}"),
            format!("contract_order_status_{region}"),
            format!("validate_{region}"),
        ] {
            assert!(ids.contains(&id.as_str()), "{id} in {ids:?}");
        }
    }
    let github = github_jobs(&export, GITHUB_RELEASE);
    for id in &ids {
        if !id.ends_with("_rollback") {
            assert!(github.contains_key(*id), "GitHub has job {id}");
        }
    }
}

#[test]
fn every_deployment_waits_for_what_it_depends_on_within_its_region() {
    let export = exported(&rich_plan());
    let azure = azure_graph(&azure_stages(&export, AZURE_RELEASE));
    let github = github_graph(&github_jobs(&export, GITHUB_RELEASE));
    for graph in [&azure, &github] {
        for region in ["eastus", "westeurope"] {
            let web = format!("deploy_web_{region}");
            for on in ["api", "search", "db"] {
                assert!(
                    waits_for(graph, &web, &format!("deploy_{on}_{region}")),
                    "{web} waits for {on}"
                );
            }
            assert!(!waits_for(
                graph,
                &format!("deploy_db_{region}"),
                &format!("deploy_web_{region}")
            ));
        }
    }
}

#[test]
fn waves_are_what_cutover_order_prints() {
    let plan = rich_plan();
    let export = exported(&plan);
    let graph = github_graph(&github_jobs(&export, GITHUB_RELEASE));
    // A wave of several stages ends in one barrier job the next wave waits for.
    let web =
        list(&github_job(&github_jobs(&export, GITHUB_RELEASE), "deploy_web_eastus")["needs"]);
    assert_eq!(web.len(), 1, "{web:?}");
    assert!(web[0].starts_with("wave_"), "{web:?}");
    let barrier = &graph[&web[0]];
    assert!(barrier.contains(&"deploy_api_eastus".to_owned()));
    assert!(barrier.contains(&"deploy_search_eastus".to_owned()));
}

#[test]
fn expand_runs_in_each_region_before_its_code_and_the_next_region_waits_for_the_window() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&export, AZURE_RELEASE);
    let graph = azure_graph(&stages);
    assert_eq!(
        list(&azure_stage(&stages, "deploy_db_eastus")["dependsOn"]),
        vec!["expand_order_status_eastus"]
    );
    assert_eq!(
        list(&azure_stage(&stages, "expand_order_status_westeurope")["dependsOn"]),
        vec!["validate_eastus"]
    );
    assert!(waits_for(&graph, "validate_eastus", "deploy_web_eastus"));
    assert!(waits_for(&graph, "validate_eastus", "deploy_worker_eastus"));
    let expand = azure_stage(&stages, "expand_order_status_westeurope");
    let server =
        &expand["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"][2]["env"]["DATABASE_SERVER"];
    assert_eq!(
        server, "sql-app-production-westeurope",
        "each region's own database"
    );
}

#[test]
fn contract_waits_for_every_consumer_in_every_region_behind_its_own_approval() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&export, AZURE_RELEASE);
    let graph = azure_graph(&stages);
    for region in ["eastus", "westeurope"] {
        let contract = format!("contract_order_status_{region}");
        assert_eq!(
            list(&azure_stage(&stages, &contract)["dependsOn"]),
            vec!["approve_contract_production"]
        );
        for consumer in ["api", "worker", "search"] {
            for deployed in ["eastus", "westeurope"] {
                assert!(
                    waits_for(&graph, &contract, &format!("deploy_{consumer}_{deployed}")),
                    "{contract} waits for {consumer} in {deployed}"
                );
            }
        }
    }
    let gate = azure_stage(&stages, "approve_contract_production");
    assert_eq!(list(&gate["dependsOn"]), vec!["validate_westeurope"]);
    assert_eq!(gate["jobs"][0]["environment"], "production-approval");
    let github = github_jobs(&export, GITHUB_RELEASE);
    assert_eq!(
        github_job(&github, "approve_contract_production")["environment"],
        "production-approval"
    );
}

#[test]
fn a_slot_swap_deploys_checks_the_slot_swaps_checks_production_and_swaps_back_on_failure() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&export, AZURE_RELEASE);
    let run_once = &azure_stage(&stages, "deploy_api_eastus")["jobs"][0]["strategy"]["runOnce"];
    let names = |hook: &Value| -> Vec<String> {
        hook["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["displayName"].as_str().map(str::to_owned))
            .collect()
    };
    let deploy = names(&run_once["deploy"]);
    assert_eq!(
        &deploy[deploy.len() - 2..],
        ["Deploy to the slot", "Health gate (slot)"]
    );
    assert_eq!(
        names(&run_once["routeTraffic"]),
        ["Swap the slot into production"]
    );
    assert_eq!(
        names(&run_once["postRouteTraffic"]),
        ["Health gate (production)"]
    );
    let rollback = &run_once["on"]["failure"]["steps"][1];
    assert_eq!(rollback["inputs"]["arguments"], "app-service-rollback");
    assert_eq!(rollback["env"]["BUILD_ID"], "$(Build.BuildId)");
    assert_eq!(rollback["env"]["APP"], "app-api-production-eastus");
    let library = text(&export, LIBRARY);
    let rollback_function = &library[library.find("app_service_rollback() {").expect("rollback")..];
    let guard = rollback_function
        .find("if [ \"$running\" != \"$BUILD_ID\" ]")
        .expect("guard");
    let swap = rollback_function
        .find("retry az webapp deployment slot swap")
        .expect("swap back");
    assert!(guard < swap, "the swap back is guarded by the build check");

    let github = github_jobs(&export, GITHUB_RELEASE);
    let job = github_job(&github, "deploy_api_eastus");
    let steps = step_names(job);
    let order = [
        "Deploy to the slot",
        "Health gate (slot)",
        "Swap the slot into production",
        "Health gate (production)",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|n| steps.iter().position(|s| s == n).expect(n))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
    let rollback = github_job(&github, "deploy_api_eastus.rollback");
    assert_eq!(
        rollback["if"],
        "${{ failure() && needs.deploy_api_eastus.result == 'failure' }}"
    );
    assert_eq!(
        rollback["environment"], "production",
        "automatic rollback does not wait for a reviewer"
    );
}

#[test]
fn draining_holds_a_swap_preview_before_completing() {
    let export = exported(&rich_plan());
    let github = github_jobs(&export, GITHUB_RELEASE);
    let swap = github_step(
        github_job(&github, "deploy_api_eastus"),
        "Swap the slot into production",
    );
    assert_eq!(swap["env"]["DRAIN_SECONDS"], "30");
    assert_eq!(swap["run"], "bash cutover/shop.sh app-service-swap");
    let library = text(&export, LIBRARY);
    assert!(
        library.find("--action preview").expect("preview")
            < library.find("sleep \"$DRAIN_SECONDS\"").expect("hold")
    );
}

#[test]
fn canary_increments_and_rolling_batches_reach_the_steps() {
    let export = exported(&rich_plan());
    let github = github_jobs(&export, GITHUB_RELEASE);
    let find_env = |job: &str, key: &str| -> String {
        github_job(&github, job)["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .find_map(|s| s["env"].get(key).and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| panic!("{key} in {job}"))
    };
    assert_eq!(
        find_env("deploy_search_eastus", "CANARY_INCREMENTS"),
        "10 50 100"
    );
    assert_eq!(find_env("deploy_worker_eastus", "MAX_UNAVAILABLE"), "25%");
    assert_eq!(
        find_env("deploy_worker_eastus", "CLUSTER"),
        "aks-shop-eastus",
        "{{region}} is replaced"
    );
    assert_eq!(
        find_env("deploy_worker_westeurope", "CLUSTER"),
        "aks-shop-westeurope"
    );
}

#[test]
fn retries_follow_the_rollout_policy_on_both_platforms() {
    let mut plan = rich_plan();
    plan.rollout.retry = RetryPolicy {
        attempts: 5,
        initial_delay_seconds: 15,
        backoff_factor: 1.5,
        max_delay_seconds: 240,
    };
    let export = exported(&plan);
    let github = github_jobs(&export, GITHUB_RELEASE);
    let deploy = &github_step(
        github_job(&github, "deploy_api_westeurope"),
        "Deploy to the slot",
    )["env"];
    assert_eq!(deploy["RETRY_ATTEMPTS"], "5");
    assert_eq!(deploy["RETRY_DELAY_SECONDS"], "15");
    assert_eq!(deploy["RETRY_BACKOFF"], "1.5");
    assert_eq!(deploy["RETRY_MAX_DELAY_SECONDS"], "240");
    let stages = azure_stages(&export, AZURE_RELEASE);
    let steps = &azure_stage(&stages, "deploy_api_westeurope")["jobs"][0]["strategy"]["runOnce"]["deploy"]
        ["steps"];
    let download = steps
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["task"] == "DownloadPipelineArtifact@2")
        .expect("download");
    assert_eq!(
        download["retryCountOnTaskFailure"], 4,
        "task retries where they apply: attempts - 1"
    );
}

#[test]
fn halting_the_wave_leaves_the_rollback_to_an_approved_person() {
    let mut plan = rich_plan();
    plan.rollout.on_failure = FailureAction::HaltWave;
    let export = exported(&plan);
    let stages = azure_stages(&export, AZURE_RELEASE);
    let rollback = azure_stage(&stages, "deploy_api_eastus_rollback");
    assert_eq!(rollback["condition"], "failed('deploy_api_eastus')");
    assert_eq!(rollback["jobs"][0]["environment"], "production-rollback");
    let rollback_steps = &rollback["jobs"][0]["strategy"]["runOnce"]["deploy"]["steps"];
    assert_eq!(
        rollback_steps[1]["task"], "AzureCLI@2",
        "the approved rollback signs in too"
    );
    assert!(
        azure_stage(&stages, "deploy_api_eastus")["jobs"][0]["strategy"]["runOnce"]
            .get("on")
            .is_none()
    );
    let github = github_jobs(&export, GITHUB_RELEASE);
    assert_eq!(
        github_job(&github, "deploy_api_eastus.rollback")["environment"],
        "production-rollback"
    );
    assert!(
        export
            .environments
            .iter()
            .any(|e| e.name == "production-rollback" && e.approval.is_some())
    );
}

#[test]
fn healthy_earlier_regions_are_never_rolled_back() {
    let export = exported(&rich_plan());
    let github = github_jobs(&export, GITHUB_RELEASE);
    for (id, job) in &github {
        if let Some(deploy) = id.strip_suffix(".rollback") {
            assert_eq!(
                list(&job["needs"]),
                vec![deploy.to_owned()],
                "{id} depends on its own deployment only"
            );
            assert!(
                job["if"]
                    .as_str()
                    .expect("if")
                    .contains(&format!("needs.{deploy}.result == 'failure'"))
            );
        }
    }
}

#[test]
fn every_deployment_job_names_its_environment_and_production_is_approved_first() {
    let export = exported(&rich_plan());
    let github = github_jobs(&export, GITHUB_RELEASE);
    for (id, job) in &github {
        if (id.starts_with("deploy_") || id.starts_with("expand_") || id.starts_with("contract_"))
            && !id.ends_with(".rollback")
        {
            assert_eq!(job["environment"], "production", "{id}");
        }
    }
    assert_eq!(
        github_job(&github, "approve_release_production")["environment"],
        "production-approval"
    );
    assert_eq!(
        list(&github_job(&github, "expand_order_status_eastus")["needs"]),
        vec!["build", "approve_release_production"]
    );
}

#[test]
fn every_job_that_calls_azure_signs_in_first() {
    let export = exported(&rich_plan());
    for path in [
        GITHUB_RELEASE,
        ".github/workflows/shop-hotfix-api-hotfix.yml",
    ] {
        for (id, job) in &github_jobs(&export, path) {
            let mut signed_in = false;
            for step in job["steps"].as_array().into_iter().flatten() {
                signed_in |= step["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("azure/login@"));
                let run = step["run"].as_str().unwrap_or("");
                let calls_azure = cutover::release::LibraryCommand::ALL
                    .iter()
                    .any(|c| c.signs_in() && run.ends_with(&format!(" {}", c.name())));
                assert!(
                    !calls_azure || signed_in,
                    "{path}: {id} runs `{run}` before signing in"
                );
            }
        }
    }
}

#[test]
fn soak_is_a_server_delay_on_azure_and_a_wait_job_on_github() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&export, AZURE_RELEASE);
    let job = &azure_stage(&stages, "validate_eastus")["jobs"][0];
    assert_eq!(job["pool"], "server");
    assert_eq!(job["steps"][0]["task"], "Delay@1");
    assert_eq!(job["steps"][0]["inputs"]["delayForMinutes"], "10");
    assert_eq!(job["timeoutInMinutes"], "20");
    let github = github_jobs(&export, GITHUB_RELEASE);
    let wait = github_job(&github, "validate_westeurope");
    assert_eq!(wait["steps"][0]["env"]["SOAK_MINUTES"], "5");
    assert_eq!(wait["timeout-minutes"], 15);
}

#[test]
fn hotfix_pipelines_are_manual_branch_restricted_tested_scanned_and_approved() {
    let export = exported(&rich_plan());
    let path = "azure-pipelines/shop-hotfix-api-hotfix.yml";
    let azure = document(&export, path);
    assert_eq!(azure["trigger"], "none");
    assert_eq!(azure["parameters"][0]["name"], "incident");
    assert!(
        azure["parameters"][0].get("default").is_none(),
        "the incident is required on Azure too"
    );
    let stages = azure_stages(&export, path);
    for id in ["build", "critical_tests", "security_scan"] {
        let stage = azure_stage(&stages, id);
        assert_eq!(
            list(&stage["dependsOn"]),
            Vec::<String>::new(),
            "{id} starts at once, in parallel"
        );
        assert_eq!(
            stage["condition"],
            "startsWith(variables['Build.SourceBranch'], 'refs/heads/hotfix/')"
        );
    }
    let approve = azure_stage(&stages, "approve_hotfix");
    assert_eq!(
        list(&approve["dependsOn"]),
        vec!["build", "critical_tests", "security_scan"]
    );
    let job = &approve["jobs"][0];
    assert_eq!(job["pool"], "server");
    let task = &job["steps"][0];
    assert_eq!(task["task"], "ManualValidation@1");
    let job_timeout: u32 = job["timeoutInMinutes"]
        .as_str()
        .expect("string")
        .parse()
        .expect("number");
    assert!(job_timeout > task["timeoutInMinutes"].as_u64().expect("integer") as u32);
    assert_eq!(task["inputs"]["approvers"], "on-call-lead");
    assert_eq!(
        list(&azure_stage(&stages, "deploy_api_hotfix_eastus")["dependsOn"]),
        vec!["approve_hotfix"]
    );
    assert_eq!(
        azure_stage(&stages, "deploy_api_hotfix_eastus")["jobs"][0]["environment"],
        "hotfix"
    );
    assert_eq!(
        azure_stage(&stages, "deploy_api_production_eastus")["jobs"][0]["environment"],
        "production",
        "after the hotfix environment, production"
    );

    let github_path = ".github/workflows/shop-hotfix-api-hotfix.yml";
    let workflow = document(&export, github_path);
    assert_eq!(
        workflow["on"]["workflow_dispatch"]["inputs"]["incident"]["required"],
        true
    );
    let github = github_jobs(&export, github_path);
    for id in ["build", "critical_tests", "security_scan"] {
        assert_eq!(
            github_job(&github, id)["if"],
            "${{ startsWith(github.ref, 'refs/heads/hotfix/') }}"
        );
    }
    assert_eq!(
        github_job(&github, "approve_hotfix")["environment"],
        "api-hotfix-approval"
    );
    let tests = github_job(&github, "critical_tests");
    assert_eq!(
        github_step(tests, "Critical tests")["timeout-minutes"],
        2,
        "the critical tests keep their budget"
    );
    let build = github_job(&github, "build");
    assert_eq!(
        github_step(build, "Check the incident input")["env"]["INPUT_VALUE"],
        "${{ inputs.incident }}"
    );
}

#[test]
fn hotfix_services_deploy_in_dependency_order_then_monitor_merge_back_and_backfill() {
    let export = exported(&rich_plan());
    let path = ".github/workflows/shop-hotfix-web-hotfix.yml";
    let github = github_jobs(&export, path);
    assert_eq!(
        list(&github_job(&github, "deploy_db_hotfix_eastus")["needs"]),
        vec!["approve_hotfix"]
    );
    assert_eq!(
        list(&github_job(&github, "deploy_web_hotfix_eastus")["needs"]),
        vec!["deploy_db_hotfix_eastus"],
        "through services outside the hotfix"
    );
    assert_eq!(
        list(&github_job(&github, "deploy_db_hotfix_westeurope")["needs"]),
        vec!["deploy_web_hotfix_eastus"]
    );
    for id in ["monitor", "merge_back", "backfill"] {
        assert_eq!(
            list(&github_job(&github, id)["needs"]),
            vec!["deploy_web_production_westeurope"],
            "{id}"
        );
    }
    let merge = github_job(&github, "merge_back");
    let step = github_step(merge, "Merge the fix back");
    assert_eq!(
        step["env"]["MERGE_METHOD"], "cherry-pick",
        "trunk-based cherry-picks"
    );
    assert_eq!(step["env"]["MERGE_TARGETS"], "main");
    assert_eq!(step["env"]["SOURCE_REF"], "main");
    assert_eq!(merge["permissions"]["pull-requests"], "write");
    let gitflow = github_jobs(&export, ".github/workflows/shop-hotfix-api-hotfix.yml");
    let step = github_step(github_job(&gitflow, "merge_back"), "Merge the fix back");
    assert_eq!(step["env"]["MERGE_METHOD"], "merge");
    assert_eq!(step["env"]["MERGE_TARGETS"], "main\ndevelop");
    let monitor = github_step(github_job(&gitflow, "monitor"), "Enhanced monitoring");
    assert_eq!(monitor["env"]["MONITOR_MINUTES"], "60");
    assert_eq!(
        monitor["env"]["INCIDENT"], "${{ inputs.incident }}",
        "inputs reach scripts only through env"
    );
}

#[test]
fn every_file_starts_with_a_generated_header_and_the_runbook_names_its_pipelines() {
    let export = exported(&rich_plan());
    for file in &export.files {
        let first = file
            .contents
            .lines()
            .find(|l| !l.starts_with("#!"))
            .expect("a line");
        assert!(
            first.contains("Generated by Cutover from plan \"shop\""),
            "{}: {first}",
            file.path
        );
    }
    let runbook = export
        .files
        .iter()
        .find(|f| f.kind == FileKind::Runbook && f.path == "docs/runbooks/api-hotfix.md")
        .expect("runbook");
    for needle in [
        ".github/workflows/shop-hotfix-api-hotfix.yml",
        "azure-pipelines/shop-hotfix-api-hotfix.yml",
        "make test-critical",
        "make security-scan",
        "make test-full",
        "on-call-lead",
        "## Merge back",
        "## Backfill",
        "full regression",
    ] {
        assert!(
            runbook.contents.contains(needle),
            "runbook mentions {needle}"
        );
    }
}

#[test]
fn environment_setup_creates_every_environment_the_yaml_names() {
    let export = exported(&rich_plan());
    let mut named = std::collections::BTreeSet::new();
    for file in export
        .files
        .iter()
        .filter(|f| f.kind == FileKind::GitHubWorkflow)
    {
        for job in github_jobs(&export, &file.path).values() {
            if let Some(environment) = job["environment"].as_str() {
                named.insert(environment.to_owned());
            }
        }
    }
    let github_setup = text(&export, ".github/environments/shop-setup.sh");
    let azure_setup = text(&export, "azure-pipelines/environments/shop-setup.sh");
    for environment in &named {
        assert!(
            github_setup.contains(&format!("configure '{environment}' ")),
            "GitHub creates {environment}"
        );
        assert!(
            azure_setup.contains(&format!("environment_id '{environment}' ")),
            "Azure creates {environment}"
        );
    }
    assert!(named.contains("production-approval") && named.contains("api-hotfix-approval"));
    assert!(named.contains("production") && named.contains("hotfix"));
}

#[test]
fn a_plan_with_errors_exports_nothing() {
    let mut plan = rich_plan();
    plan.runbooks[0].approval = None;
    match export(&plan, Target::All) {
        Err(cutover::export::ExportError::PlanHasErrors(errors)) => assert!(!errors.is_empty()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_plan_without_regions_deploys_once_with_plain_stage_ids() {
    let mut plan = rich_plan();
    plan.regions.clear();
    let plan = without_region_placeholders(&plan);
    let export = exported(&plan);
    let stages = azure_stages(&export, AZURE_RELEASE);
    let ids: Vec<&str> = stages
        .iter()
        .map(|s| s["stage"].as_str().expect("id"))
        .collect();
    assert!(
        ids.contains(&"deploy_api") && ids.contains(&"deploy_web"),
        "{ids:?}"
    );
    assert!(
        !ids.iter().any(|id| id.starts_with("validate")),
        "no regions, no soak: {ids:?}"
    );
}

/// `plan` with every `{region}` placeholder taken out of its text.
fn without_region_placeholders(plan: &Plan) -> Plan {
    fn strip(value: &mut Value) {
        match value {
            Value::String(text) => *text = text.replace("-{region}", "").replace("{region}", ""),
            Value::Array(items) => items.iter_mut().for_each(strip),
            Value::Object(map) => map.values_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(plan).expect("serialises");
    strip(&mut value);
    serde_json::from_value(value).expect("still a plan")
}

/// Found by rehearsing the exports: a migration's token request retries through the library's
/// `retry`, which reads the policy under `set -u`; a job must outlast its commands' backoff; a static
/// site's built files must travel in the artifact, since its deployment starts from a fresh checkout.
#[test]
fn migrations_retry_jobs_outlast_the_backoff_and_static_sites_ship_in_the_artifact() {
    let mut plan = rich_plan();
    plan.rollout.retry = RetryPolicy {
        attempts: 4,
        initial_delay_seconds: 600,
        backoff_factor: 1.0,
        max_delay_seconds: 600,
    };
    let backoff_minutes = 30;
    let export = exported(&plan);
    let github = github_jobs(&export, GITHUB_RELEASE);
    let (mut migrations, mut sites) = (0, 0);
    for (id, job) in &github {
        for step in job["steps"].as_array().into_iter().flatten() {
            let run = step["run"].as_str().unwrap_or("");
            let env = &step["env"];
            let timeout = job["timeout-minutes"].as_u64().unwrap_or(0);
            if run.ends_with(" migrate") {
                migrations += 1;
                for name in [
                    "RETRY_ATTEMPTS",
                    "RETRY_DELAY_SECONDS",
                    "RETRY_BACKOFF",
                    "RETRY_MAX_DELAY_SECONDS",
                ] {
                    assert!(env.get(name).is_some(), "{id}: {name} is not set");
                }
            }
            if run.contains("deploy") || run.ends_with(" migrate") {
                assert!(
                    timeout > backoff_minutes,
                    "{id}: {timeout} min leaves no time for {backoff_minutes} min of backoff"
                );
            }
            if run.ends_with(" static-site-deploy") {
                sites += 1;
                let source = env["SOURCE_DIR"].as_str().expect("a source folder");
                assert!(
                    source.starts_with("artifacts/site-files/"),
                    "{id}: {source}"
                );
            }
        }
    }
    assert!(
        migrations > 0 && sites > 0,
        "the plan migrates and has a site"
    );
    let build = github_job(&github, "build");
    let keep = github_step(build, "Keep the static sites' built files in the artifact");
    assert!(
        keep["env"]["SITE_DIRS"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    let names = step_names(build);
    let position = |name: &str| names.iter().position(|n| n == name).expect(name);
    assert!(
        position("Keep the static sites' built files in the artifact")
            < position("Upload the release artifact")
    );
}
