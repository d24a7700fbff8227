//! Every piece of text a plan holds, visited exhaustively.
//!
//! Rules about text (pipeline expressions, control characters, lengths, quoting) must see every text
//! field, including fields added later. [`visit_texts`] destructures every model type without `..`,
//! so adding a field to the model does not compile until the visitor says what kind of text it is.

use super::id::Id;
use super::model::{
    AgentPool, Approval, AzureSettings, BatchSize, BuildSettings, Dependency, DeployTarget,
    Environment, GateCheck, GateScope, GitHubCredentials, GitHubSettings, HealthCheck,
    HotfixRunbook, Migration, MigrationStep, Plan, PlatformSettings, Position, Probe, Probes,
    QualityGate, Region, RegionEndpoint, RepositorySettings, RetryPolicy, RolloutPolicy, Service,
    Strategy, TimedCommand, TrafficRoute, TrafficRouter, TrafficShift,
};
use super::reference::ObjectRef;

/// What a piece of plan text is for, which decides the rules it must follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TextKind {
    /// An object's own id.
    Id,
    /// An id naming another object.
    Reference,
    /// A one-line name shown to people.
    Name,
    /// Free text that may span lines (descriptions, approval instructions).
    Prose,
    /// A shell command run from the repository root.
    Command,
    /// The name of a cloud resource (app, resource group, slot, cluster, server…); may hold placeholders.
    ResourceName,
    /// The name of a traffic router's resource, or of one of its endpoints or origins: a plain name
    /// of letters, digits, `-`, `_` and `.` (no placeholders), passed to the Azure CLI as one argument.
    RouterName,
    /// A URL (a health check's base URL); may hold placeholders.
    Url,
    /// The path part of a URL (a health check's path).
    UrlPath,
    /// A path relative to the repository root (manifests, the artifacts folder, a site's source folder).
    RepositoryPath,
    /// A git branch name.
    Branch,
    /// A git branch-name pattern (`hotfix/*`).
    BranchPattern,
    /// A git ref: a branch, a tag or a commit.
    GitRef,
    /// A person or group who may approve.
    Approver,
    /// A GitHub runner label.
    RunnerLabel,
    /// An Azure agent pool's name or a hosted image's name.
    AgentPool,
    /// An Azure service connection's name.
    ServiceConnection,
    /// An Azure DevOps organisation URL.
    OrganizationUrl,
    /// An Azure DevOps project's name.
    ProjectName,
    /// A GitHub repository, `owner/name`.
    RepositoryName,
    /// An Azure location (`eastus`).
    Location,
    /// The name of a secret or variable on the platform.
    VariableName,
}

/// One piece of text of a plan: the object it belongs to, the field it is in, and what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextField<'a> {
    /// The object holding the text.
    pub owner: &'a ObjectRef,
    /// The field, in words ("the app name"), for messages.
    pub field: &'static str,
    /// What the text is for.
    pub kind: TextKind,
    /// The text itself.
    pub text: &'a str,
}

/// Calls `visit` with every piece of text in `plan`, in plan order.
pub fn visit_texts(plan: &Plan, visit: &mut dyn FnMut(TextField<'_>)) {
    let Plan {
        version: _,
        name,
        description,
        platforms,
        services,
        dependencies,
        migrations,
        environments,
        regions,
        rollout,
        runbooks,
    } = plan;
    let mut owner = Visitor {
        owner: ObjectRef::Plan,
        visit,
    };
    owner.text("the plan name", TextKind::Name, name);
    owner.text("the plan description", TextKind::Prose, description);
    owner.owner = ObjectRef::Platforms;
    owner.platforms(platforms);
    for service in services {
        owner.owner = ObjectRef::Service(service.id.clone());
        owner.service(service);
    }
    for dependency in dependencies {
        let Dependency { service, on } = dependency;
        owner.owner = ObjectRef::Dependency {
            service: service.clone(),
            on: on.clone(),
        };
        owner.id("the dependent service", TextKind::Reference, service);
        owner.id("the service depended on", TextKind::Reference, on);
    }
    for migration in migrations {
        owner.owner = ObjectRef::Migration(migration.id.clone());
        owner.migration(migration);
    }
    for environment in environments {
        owner.owner = ObjectRef::Environment(environment.id.clone());
        owner.environment(environment);
    }
    for region in regions {
        owner.owner = ObjectRef::Region(region.id.clone());
        let Region {
            id,
            name,
            location,
            validation_minutes: _,
        } = region;
        owner.id("the id", TextKind::Id, id);
        owner.text("the name", TextKind::Name, name);
        owner.text("the location", TextKind::Location, location);
    }
    owner.owner = ObjectRef::Rollout;
    let RolloutPolicy {
        environment,
        promote_through,
        retry,
        on_failure: _,
        gates,
        traffic,
    } = rollout;
    let RetryPolicy {
        attempts: _,
        initial_delay_seconds: _,
        backoff_factor: _,
        max_delay_seconds: _,
    } = retry;
    owner.id("the environment", TextKind::Reference, environment);
    for stage in promote_through {
        owner.id(
            "an environment promoted through",
            TextKind::Reference,
            stage,
        );
    }
    for gate in gates {
        owner.gate(gate);
    }
    for route in traffic {
        owner.route(route);
    }
    for runbook in runbooks {
        owner.owner = ObjectRef::Runbook(runbook.id.clone());
        owner.runbook(runbook);
    }
}

/// Walks the model on behalf of [`visit_texts`], remembering which object owns the text.
struct Visitor<'v> {
    owner: ObjectRef,
    visit: &'v mut dyn FnMut(TextField<'_>),
}

impl Visitor<'_> {
    fn text(&mut self, field: &'static str, kind: TextKind, text: &str) {
        (self.visit)(TextField {
            owner: &self.owner,
            field,
            kind,
            text,
        });
    }

    fn id(&mut self, field: &'static str, kind: TextKind, id: &Id) {
        self.text(field, kind, id.as_str());
    }

    fn platforms(&mut self, platforms: &PlatformSettings) {
        let PlatformSettings {
            cloud: _,
            build,
            repository,
            azure,
            github,
        } = platforms;
        let BuildSettings {
            command,
            artifacts_dir,
        } = build;
        self.text("the build command", TextKind::Command, command);
        self.text(
            "the artifacts folder",
            TextKind::RepositoryPath,
            artifacts_dir,
        );
        let RepositorySettings {
            main_branch,
            develop_branch,
        } = repository;
        self.text("the main branch", TextKind::Branch, main_branch);
        if let Some(develop) = develop_branch {
            self.text("the develop branch", TextKind::Branch, develop);
        }
        let AzureSettings {
            service_connection,
            agent_pool,
            organization,
            project,
        } = azure;
        self.text(
            "the Azure service connection",
            TextKind::ServiceConnection,
            service_connection,
        );
        self.text(
            "the Azure organization",
            TextKind::OrganizationUrl,
            organization,
        );
        self.text("the Azure project", TextKind::ProjectName, project);
        match agent_pool {
            AgentPool::VmImage(name) | AgentPool::Named(name) => {
                self.text("the agent pool", TextKind::AgentPool, name);
            }
        }
        let GitHubSettings {
            runner,
            repository,
            credentials,
        } = github;
        self.text("the GitHub runner", TextKind::RunnerLabel, runner);
        self.text(
            "the GitHub repository",
            TextKind::RepositoryName,
            repository,
        );
        let GitHubCredentials {
            client_id_variable,
            tenant_id_variable,
            subscription_id_variable,
        } = credentials;
        for variable in [
            client_id_variable,
            tenant_id_variable,
            subscription_id_variable,
        ] {
            self.text("a credential variable", TextKind::VariableName, variable);
        }
    }

    fn service(&mut self, service: &Service) {
        let Service {
            id,
            name,
            tier: _,
            target,
            strategy,
            health_check,
            probes,
            draining_timeout_seconds: _,
            websockets: _,
            position,
        } = service;
        let Position { x: _, y: _ } = position;
        self.id("the id", TextKind::Id, id);
        self.text("the name", TextKind::Name, name);
        self.target(target);
        match strategy {
            Strategy::SlotSwap | Strategy::BlueGreen | Strategy::RunOnce => {}
            Strategy::Rolling { batch } => match batch {
                BatchSize::Instances(_) | BatchSize::Percent(_) => {}
            },
            Strategy::Canary { increments: _ } => {}
        }
        if let Some(check) = health_check {
            let HealthCheck {
                path,
                base_url,
                expected_status: _,
                timeout_seconds: _,
                retries: _,
                interval_seconds: _,
            } = check;
            self.text("the health check path", TextKind::UrlPath, path);
            if let Some(base_url) = base_url {
                self.text("the health check URL", TextKind::Url, base_url);
            }
        }
        let Probes {
            readiness,
            liveness,
            startup,
        } = probes;
        for probe in [readiness, liveness, startup].into_iter().flatten() {
            let Probe {
                path,
                port: _,
                initial_delay_seconds: _,
                period_seconds: _,
                failure_threshold: _,
            } = probe;
            self.text("a probe path", TextKind::UrlPath, path);
        }
    }

    fn target(&mut self, target: &DeployTarget) {
        let resource = TextKind::ResourceName;
        match target {
            DeployTarget::AppService {
                app,
                resource_group,
                slot,
            } => {
                self.text("the app name", resource, app);
                self.text("the resource group", resource, resource_group);
                if let Some(slot) = slot {
                    self.text("the slot", resource, slot);
                }
            }
            DeployTarget::Kubernetes {
                cluster,
                resource_group,
                namespace,
                deployment,
                manifests,
            } => {
                self.text("the cluster", resource, cluster);
                self.text("the resource group", resource, resource_group);
                self.text("the namespace", resource, namespace);
                self.text("the deployment", resource, deployment);
                for manifest in manifests {
                    self.text("a manifest path", TextKind::RepositoryPath, manifest);
                }
            }
            DeployTarget::StaticSite {
                storage_account,
                resource_group,
                source_dir,
            } => {
                self.text("the storage account", resource, storage_account);
                self.text("the resource group", resource, resource_group);
                self.text("the source folder", TextKind::RepositoryPath, source_dir);
            }
            DeployTarget::Database {
                engine: _,
                server,
                database,
                resource_group,
                global: _,
            } => {
                self.text("the server", resource, server);
                self.text("the database", resource, database);
                self.text("the resource group", resource, resource_group);
            }
            DeployTarget::Script {
                command,
                rollback_command,
            } => {
                self.text("the deploy command", TextKind::Command, command);
                if let Some(rollback) = rollback_command {
                    self.text("the rollback command", TextKind::Command, rollback);
                }
            }
        }
    }

    fn migration(&mut self, migration: &Migration) {
        let Migration {
            id,
            name,
            database,
            expand,
            contract,
            consumers,
        } = migration;
        self.id("the id", TextKind::Id, id);
        self.text("the name", TextKind::Name, name);
        self.id("the database", TextKind::Reference, database);
        for step in expand.iter().chain(contract) {
            let MigrationStep {
                description,
                command,
            } = step;
            self.text("a step description", TextKind::Name, description);
            self.text("a step command", TextKind::Command, command);
        }
        for consumer in consumers {
            self.id("a consumer", TextKind::Reference, consumer);
        }
    }

    fn environment(&mut self, environment: &Environment) {
        let Environment {
            id,
            name,
            kind: _,
            production_like: _,
            approval,
            wait_timer_minutes: _,
            allowed_branches,
            regions,
        } = environment;
        self.id("the id", TextKind::Id, id);
        self.text("the name", TextKind::Name, name);
        for branch in allowed_branches {
            self.text("an allowed branch", TextKind::BranchPattern, branch);
        }
        if let Some(approval) = approval {
            self.approval(approval);
        }
        for region in regions {
            self.id("a region", TextKind::Reference, region);
        }
    }

    fn route(&mut self, route: &TrafficRoute) {
        let TrafficRoute {
            id,
            name,
            environment,
            router,
            endpoints,
            shift,
        } = route;
        self.id("a traffic route's id", TextKind::Id, id);
        self.text("a traffic route's name", TextKind::Name, name);
        self.id(
            "a traffic route's environment",
            TextKind::Reference,
            environment,
        );
        match router {
            TrafficRouter::TrafficManager {
                resource_group,
                profile,
                dns_ttl_seconds: _,
            } => {
                self.text(
                    "a traffic route's resource group",
                    TextKind::RouterName,
                    resource_group,
                );
                self.text("a traffic route's profile", TextKind::RouterName, profile);
            }
            TrafficRouter::FrontDoor {
                resource_group,
                profile,
                origin_group,
            } => {
                self.text(
                    "a traffic route's resource group",
                    TextKind::RouterName,
                    resource_group,
                );
                self.text("a traffic route's profile", TextKind::RouterName, profile);
                self.text(
                    "a traffic route's origin group",
                    TextKind::RouterName,
                    origin_group,
                );
            }
        }
        for endpoint in endpoints {
            let RegionEndpoint {
                region,
                endpoint,
                weight: _,
            } = endpoint;
            self.id("a traffic endpoint's region", TextKind::Reference, region);
            self.text("a traffic endpoint's name", TextKind::RouterName, endpoint);
        }
        match shift {
            TrafficShift::BlueGreen => {}
            TrafficShift::Weighted {
                steps: _,
                soak_minutes: _,
            } => {}
        }
    }

    fn gate(&mut self, gate: &QualityGate) {
        let QualityGate {
            id,
            name,
            applies_to,
            check,
            timeout_minutes: _,
            interval_seconds: _,
            on_failure: _,
        } = gate;
        self.id("a quality gate's id", TextKind::Id, id);
        self.text("a quality gate's name", TextKind::Name, name);
        match applies_to {
            GateScope::Release => {}
            GateScope::Service(service) => {
                self.id("a quality gate's service", TextKind::Reference, service)
            }
            GateScope::Region(region) => {
                self.id("a quality gate's region", TextKind::Reference, region)
            }
        }
        match check {
            GateCheck::AzureMonitorAlerts { scope, alert_rules } => {
                self.text("an alert gate's scope", TextKind::ResourceName, scope);
                for rule in alert_rules {
                    self.text("an alert gate's rule", TextKind::ResourceName, rule);
                }
            }
            GateCheck::SonarQube {
                server_url,
                project_key,
                token_secret,
            } => {
                self.text("a SonarQube gate's server URL", TextKind::Url, server_url);
                self.text(
                    "a SonarQube gate's project key",
                    TextKind::ResourceName,
                    project_key,
                );
                self.text(
                    "a SonarQube gate's token secret",
                    TextKind::VariableName,
                    token_secret,
                );
            }
            GateCheck::Rest {
                url,
                expected_status: _,
                json_path,
                json_equals,
            } => {
                self.text("a REST gate's URL", TextKind::Url, url);
                self.text("a REST gate's JSON path", TextKind::Name, json_path);
                self.text("a REST gate's expected value", TextKind::Name, json_equals);
            }
        }
    }

    fn approval(&mut self, approval: &Approval) {
        let Approval {
            approvers,
            github_approvers,
            azure_approvers,
            required: _,
            timeout_minutes: _,
            on_timeout: _,
            prevent_self_review: _,
            instructions,
        } = approval;
        for approver in approvers {
            self.text("an approver", TextKind::Approver, approver);
        }
        for approver in github_approvers {
            self.text("a GitHub approver", TextKind::Approver, approver);
        }
        for approver in azure_approvers {
            self.text("an Azure DevOps approver", TextKind::Approver, approver);
        }
        self.text("the approval instructions", TextKind::Prose, instructions);
    }

    fn runbook(&mut self, runbook: &HotfixRunbook) {
        let HotfixRunbook {
            id,
            name,
            severity: _,
            branching: _,
            source_ref,
            branch_pattern,
            services,
            critical_tests,
            security_scan,
            approval,
            environment,
            skips: _,
            keeps: _,
            monitoring_minutes: _,
            incident_bridge,
            merge_back,
            backfill,
        } = runbook;
        self.id("the id", TextKind::Id, id);
        self.text("the name", TextKind::Name, name);
        self.text("the source ref", TextKind::GitRef, source_ref);
        self.text(
            "the branch pattern",
            TextKind::BranchPattern,
            branch_pattern,
        );
        self.text("the incident bridge", TextKind::Name, incident_bridge);
        for branch in merge_back {
            self.text("a merge-back branch", TextKind::Branch, branch);
        }
        for timed in [critical_tests, security_scan, backfill]
            .into_iter()
            .flatten()
        {
            let TimedCommand {
                command,
                budget_minutes: _,
            } = timed;
            self.text("a command", TextKind::Command, command);
        }
        if let Some(approval) = approval {
            self.approval(approval);
        }
        for service in services {
            self.id("a service", TextKind::Reference, service);
        }
        self.id("the environment", TextKind::Reference, environment);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{parse_plan, templates};

    /// The README's complete example, which sets every field of the format.
    fn readme_example() -> Plan {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```ron\nPlan(")
            .expect("the README has a complete example");
        let text = &readme[start + "```ron\n".len()..];
        let end = text.find("```").expect("the example ends");
        parse_plan(&text[..end], "README.md").expect("the example parses")
    }

    /// The paths (as JSON pointers) of every string in `value`.
    fn string_paths(value: &serde_json::Value, path: String, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(_) => out.push(path),
            serde_json::Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    string_paths(item, format!("{path}/{index}"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    string_paths(item, format!("{path}/{key}"), out);
                }
            }
            _ => {}
        }
    }

    /// Every string of the serialised plan that is free text (the plan still reads back when it is
    /// replaced, unlike an enum variant's name) is seen by the visitor: found generically, so a new
    /// field the visitor forgot fails here.
    #[test]
    fn every_text_of_a_plan_is_visited() {
        for plan in [readme_example(), templates::starter("shop")] {
            let value = serde_json::to_value(&plan).expect("serialises");
            let mut paths = Vec::new();
            string_paths(&value, String::new(), &mut paths);
            let mut free_text = 0;
            for path in paths {
                let mut marked = value.clone();
                let marker = format!("marker at {path}");
                *marked.pointer_mut(&path).expect("the path exists") =
                    serde_json::Value::String(marker.clone());
                let Ok(marked) = serde_json::from_value::<Plan>(marked) else {
                    continue; // an enum variant's name, not text
                };
                free_text += 1;
                let mut seen = false;
                visit_texts(&marked, &mut |field| seen |= field.text == marker);
                assert!(seen, "the visitor does not see the text at {path}");
            }
            assert!(free_text > 20, "only {free_text} texts found");
        }
    }
}
