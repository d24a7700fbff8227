//! Each release semantic of the export, checked by reading the emitted YAML back (not the IR).

use cutover::export::{Export, FileKind, Target, export};
use cutover::plan::*;
use serde_json::Value;

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

fn document(export: &Export, path: &str) -> Value {
    let file = export
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no file {path}"));
    serde_saphyr::from_str(&file.contents).expect("generated YAML parses")
}

fn azure_stages(doc: &Value) -> Vec<Value> {
    doc["stages"].as_array().expect("stages").clone()
}

fn azure_stage<'a>(stages: &'a [Value], id: &str) -> &'a Value {
    stages
        .iter()
        .find(|s| s["stage"] == id)
        .unwrap_or_else(|| panic!("no stage {id}"))
}

fn list(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

fn github_job<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["jobs"].get(id).unwrap_or_else(|| panic!("no job {id}"))
}

/// The names of a GitHub job's steps, in order.
fn step_names(job: &Value) -> Vec<String> {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

const AZURE_RELEASE: &str = "azure-pipelines/shop-release.yml";
const GITHUB_RELEASE: &str = ".github/workflows/shop-release.yml";

#[test]
fn one_stage_per_service_per_region_plus_expand_contract_and_validation() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
    let ids: Vec<&str> = stages
        .iter()
        .map(|s| s["stage"].as_str().expect("id"))
        .collect();
    for service in ["db", "api", "web", "worker", "search"] {
        for region in ["eastus", "westeurope"] {
            assert!(
                ids.contains(&format!("deploy_{service}_{region}").as_str()),
                "{service} {region} in {ids:?}"
            );
        }
    }
    for id in [
        "expand_order_status",
        "contract_order_status",
        "validate_eastus",
        "validate_westeurope",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    let github = document(&export, GITHUB_RELEASE);
    for id in &ids {
        assert!(github["jobs"].get(*id).is_some(), "GitHub has job {id}");
    }
}

#[test]
fn depends_on_and_needs_mirror_the_plan_within_each_region() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
    let github = document(&export, GITHUB_RELEASE);
    for region in ["eastus", "westeurope"] {
        let web = format!("deploy_web_{region}");
        let expected = vec![
            format!("deploy_api_{region}"),
            format!("deploy_search_{region}"),
        ];
        let mut azure = list(&azure_stage(&stages, &web)["dependsOn"]);
        let mut needs = list(&github_job(&github, &web)["needs"]);
        azure.sort();
        needs.sort();
        assert_eq!(azure, expected);
        assert_eq!(needs, expected);
    }
}

#[test]
fn expand_runs_first_and_the_next_region_waits_for_the_validation_window() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
    assert_eq!(
        list(&azure_stage(&stages, "deploy_db_eastus")["dependsOn"]),
        vec!["expand_order_status"]
    );
    assert_eq!(
        list(&azure_stage(&stages, "deploy_db_westeurope")["dependsOn"]),
        vec!["validate_eastus"]
    );
    let mut validate = list(&azure_stage(&stages, "validate_eastus")["dependsOn"]);
    validate.sort();
    assert_eq!(
        validate,
        vec!["deploy_web_eastus", "deploy_worker_eastus"],
        "the region's last deployments"
    );
    let github = document(&export, GITHUB_RELEASE);
    assert_eq!(
        list(&github_job(&github, "deploy_db_westeurope")["needs"]),
        vec!["validate_eastus"]
    );
}

#[test]
fn contract_waits_for_every_consumer_in_every_region_behind_its_own_approval() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
    let contract = list(&azure_stage(&stages, "contract_order_status")["dependsOn"]);
    assert!(contract.contains(&"approve_contract".to_owned()));
    for consumer in ["api", "worker", "search"] {
        for region in ["eastus", "westeurope"] {
            assert!(
                contract.contains(&format!("deploy_{consumer}_{region}")),
                "{consumer} {region} in {contract:?}"
            );
        }
    }
    let gate = azure_stage(&stages, "approve_contract");
    assert_eq!(list(&gate["dependsOn"]), vec!["validate_westeurope"]);
    assert_eq!(gate["jobs"][0]["environment"], "production-approval");
    let github = document(&export, GITHUB_RELEASE);
    assert_eq!(
        github_job(&github, "approve_contract")["environment"],
        "production-approval"
    );
}

#[test]
fn a_slot_swap_deploys_checks_the_slot_swaps_checks_production_and_swaps_back_on_failure() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
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
        ["Deploy to the staging slot", "Health gate (staging slot)"]
    );
    assert_eq!(
        names(&run_once["routeTraffic"]),
        ["Swap staging into production"]
    );
    assert_eq!(
        names(&run_once["postRouteTraffic"]),
        ["Health gate (production)"]
    );
    let rollback = &run_once["on"]["failure"]["steps"][0];
    let script = rollback["inputs"]["inlineScript"].as_str().expect("script");
    let guard = script
        .find("if [ \"$running\" != \"$BUILD_ID\" ]")
        .expect("guard");
    let swap = script.rfind("slot swap").expect("swap back");
    assert!(guard < swap, "the swap back is guarded by the build check");
    assert_eq!(rollback["env"]["BUILD_ID"], "$(Build.BuildId)");

    let github = document(&export, GITHUB_RELEASE);
    let job = github_job(&github, "deploy_api_eastus");
    let steps = step_names(job);
    let order = [
        "Deploy to the staging slot",
        "Health gate (staging slot)",
        "Swap staging into production",
        "Health gate (production)",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|n| steps.iter().position(|s| s == n).expect(n))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{steps:?}");
    let rollback = github_job(&github, "rollback_api_eastus");
    assert_eq!(list(&rollback["needs"]), vec!["deploy_api_eastus"]);
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
    let github = document(&export, GITHUB_RELEASE);
    let swap = &github_job(&github, "deploy_api_eastus")["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == "Swap staging into production")
        .expect("swap step")
        .clone();
    assert_eq!(swap["env"]["DRAIN_SECONDS"], "30");
    let script = swap["run"].as_str().expect("script");
    assert!(
        script.find("--action preview").expect("preview")
            < script.find("sleep \"$DRAIN_SECONDS\"").expect("hold")
    );
}

#[test]
fn canary_increments_and_rolling_batches_reach_the_scripts() {
    let export = exported(&rich_plan());
    let github = document(&export, GITHUB_RELEASE);
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
    let github = document(&export, GITHUB_RELEASE);
    let deploy = &github_job(&github, "deploy_api_westeurope")["steps"][3]["env"];
    assert_eq!(deploy["RETRY_ATTEMPTS"], "5");
    assert_eq!(deploy["RETRY_DELAY_SECONDS"], "15");
    assert_eq!(deploy["RETRY_BACKOFF"], "1.5");
    assert_eq!(deploy["RETRY_MAX_DELAY_SECONDS"], "240");
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
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
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
    let rollback = azure_stage(&stages, "rollback_api_eastus");
    assert_eq!(rollback["condition"], "failed('deploy_api_eastus')");
    assert_eq!(rollback["jobs"][0]["environment"], "production-rollback");
    assert!(
        azure_stage(&stages, "deploy_api_eastus")["jobs"][0]["strategy"]["runOnce"]
            .get("on")
            .is_none()
    );
    let github = document(&export, GITHUB_RELEASE);
    assert_eq!(
        github_job(&github, "rollback_api_eastus")["environment"],
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
    let github = document(&export, GITHUB_RELEASE);
    for (id, job) in github["jobs"].as_object().expect("jobs") {
        if id.starts_with("rollback_") {
            let needs = list(&job["needs"]);
            assert_eq!(needs.len(), 1, "{id} depends on its own deployment only");
            assert!(
                job["if"]
                    .as_str()
                    .expect("if")
                    .contains(&format!("needs.{}.result == 'failure'", needs[0]))
            );
        }
    }
}

#[test]
fn every_deployment_job_names_its_environment_and_production_is_approved_first() {
    let export = exported(&rich_plan());
    let github = document(&export, GITHUB_RELEASE);
    for (id, job) in github["jobs"].as_object().expect("jobs") {
        if id.starts_with("deploy_") || id.starts_with("expand_") || id.starts_with("contract_") {
            assert_eq!(job["environment"], "production", "{id}");
        }
    }
    assert_eq!(
        github_job(&github, "approve_release")["environment"],
        "production-approval"
    );
    assert_eq!(
        list(&github_job(&github, "expand_order_status")["needs"]),
        vec!["build", "approve_release"]
    );
}

#[test]
fn soak_is_a_server_delay_on_azure_and_a_wait_job_on_github() {
    let export = exported(&rich_plan());
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
    let job = &azure_stage(&stages, "validate_eastus")["jobs"][0];
    assert_eq!(job["pool"], "server");
    assert_eq!(job["steps"][0]["task"], "Delay@1");
    assert_eq!(job["steps"][0]["inputs"]["delayForMinutes"], "10");
    assert_eq!(job["timeoutInMinutes"], "20");
    let github = document(&export, GITHUB_RELEASE);
    let wait = github_job(&github, "validate_westeurope");
    assert_eq!(wait["steps"][0]["env"]["SOAK_MINUTES"], "5");
    assert_eq!(wait["timeout-minutes"], 15);
}

#[test]
fn hotfix_pipelines_are_manual_branch_restricted_tested_scanned_and_approved() {
    let export = exported(&rich_plan());
    let azure = document(&export, "azure-pipelines/shop-hotfix-api-hotfix.yml");
    assert_eq!(azure["trigger"], "none");
    assert_eq!(azure["parameters"][0]["name"], "incident");
    let stages = azure_stages(&azure);
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
        list(&azure_stage(&stages, "deploy_api_eastus")["dependsOn"]),
        vec!["approve_hotfix"]
    );
    assert_eq!(
        azure_stage(&stages, "deploy_api_eastus")["jobs"][0]["environment"],
        "hotfix"
    );

    let github = document(&export, ".github/workflows/shop-hotfix-api-hotfix.yml");
    assert_eq!(
        github["on"]["workflow_dispatch"]["inputs"]["incident"]["required"],
        true
    );
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
        tests["steps"][1]["timeout-minutes"], 2,
        "the critical tests keep their budget"
    );
}

#[test]
fn hotfix_services_deploy_in_dependency_order_then_monitor_merge_back_and_backfill() {
    let export = exported(&rich_plan());
    let github = document(&export, ".github/workflows/shop-hotfix-web-hotfix.yml");
    assert_eq!(
        list(&github_job(&github, "deploy_db_eastus")["needs"]),
        vec!["approve_hotfix"]
    );
    assert_eq!(
        list(&github_job(&github, "deploy_web_eastus")["needs"]),
        vec!["deploy_db_eastus"],
        "through services outside the hotfix"
    );
    assert_eq!(
        list(&github_job(&github, "deploy_db_westeurope")["needs"]),
        vec!["deploy_web_eastus"]
    );
    for id in ["monitor", "merge_back", "backfill"] {
        assert_eq!(
            list(&github_job(&github, id)["needs"]),
            vec!["deploy_web_westeurope"],
            "{id}"
        );
    }
    let merge = github_job(&github, "merge_back");
    assert_eq!(
        merge["steps"][1]["env"]["MERGE_METHOD"], "cherry-pick",
        "trunk-based cherry-picks"
    );
    assert_eq!(merge["steps"][1]["env"]["MERGE_TARGETS"], "main");
    assert_eq!(merge["permissions"]["pull-requests"], "write");
    let gitflow = document(&export, ".github/workflows/shop-hotfix-api-hotfix.yml");
    let merge = github_job(&gitflow, "merge_back");
    assert_eq!(merge["steps"][1]["env"]["MERGE_METHOD"], "merge");
    assert_eq!(merge["steps"][1]["env"]["MERGE_TARGETS"], "main\ndevelop");
    let monitor = github_job(&gitflow, "monitor");
    assert_eq!(monitor["steps"][1]["env"]["MONITOR_MINUTES"], "60");
    assert_eq!(
        monitor["steps"][1]["env"]["INCIDENT"], "${{ inputs.incident }}",
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
        .filter(|f| matches!(f.kind, FileKind::GitHubWorkflow))
    {
        let doc: Value = serde_saphyr::from_str(&file.contents).expect("parses");
        for job in doc["jobs"].as_object().expect("jobs").values() {
            if let Some(environment) = job["environment"].as_str() {
                named.insert(environment.to_owned());
            }
        }
    }
    let github_setup = export
        .files
        .iter()
        .find(|f| f.path == ".github/environments/shop-setup.sh")
        .expect("setup");
    let azure_setup = export
        .files
        .iter()
        .find(|f| f.path == "azure-pipelines/environments/shop-setup.sh")
        .expect("setup");
    for environment in &named {
        assert!(
            github_setup
                .contents
                .contains(&format!("configure '{environment}' ")),
            "GitHub creates {environment}"
        );
        assert!(
            azure_setup
                .contents
                .contains(&format!("environment_id '{environment}' ")),
            "Azure creates {environment}"
        );
    }
    assert!(named.contains("production-approval") && named.contains("api-hotfix-approval"));
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
    let export = exported(&plan);
    let stages = azure_stages(&document(&export, AZURE_RELEASE));
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
    let github = document(&export, GITHUB_RELEASE);
    let worker = github_job(&github, "deploy_worker")["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find_map(|s| s["env"].get("CLUSTER").and_then(Value::as_str))
        .expect("cluster")
        .to_owned();
    assert_eq!(
        worker, "aks-shop-",
        "{{region}} becomes empty without regions"
    );
}
