//! The simulated estate the fake CLIs act on: every service of the plan in every region, as the
//! resource its target names (an App Service with slots and settings, a Kubernetes deployment with
//! revisions, a storage account serving a static site, a database with its schema, a scripted
//! deployment), its health endpoints, the git remote, the environment protections that the setup
//! scripts configure, and the event log the verdicts read.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::placeholder::{Place, resolve};
use crate::plan::{
    DeployTarget, GateCheck, GateScope, Id, JsonPathSegment, Plan, Region, Service, TrafficRouter,
    TrafficShift, json_path_segments,
};

/// The build every service runs before the rehearsal.
pub const PREVIOUS: &str = "previous";

/// The whole simulated world of one rehearsal run.
#[derive(Debug, Clone, Default)]
pub struct Estate {
    /// One target per service and region, in plan order (services, then regions).
    pub targets: Vec<Target>,
    /// What happened, in order.
    pub log: Vec<Event>,
    /// Branches of the repository's remote.
    pub branches: BTreeSet<String>,
    /// The protection of each environment the setup scripts configured, by name.
    pub environments: BTreeMap<String, Protection>,
    /// State of the Azure DevOps and GitHub APIs the setup scripts call.
    pub api: ApiState,
    /// The suffix of App Service host names in the plan's cloud (`azurewebsites.net`).
    pub app_suffix: String,
    /// The quality gates' signals: one per gate and place it can be checked at.
    pub gates: Vec<GateSignal>,
    /// The traffic routers in front of routed environments' regions, one per route.
    pub routers: Vec<Router>,
}

/// A traffic router of the estate (a Traffic Manager profile, or a Front Door origin group) with the
/// state of each region's endpoint. Every endpoint starts in rotation at its home weight.
#[derive(Debug, Clone)]
pub struct Router {
    /// The route's id.
    pub route: String,
    /// The environment whose regions it fronts.
    pub environment: String,
    /// The environment's first region: the release's lead there.
    pub lead: String,
    /// The resource group.
    pub resource_group: String,
    /// The Traffic Manager or Front Door profile.
    pub profile: String,
    /// Front Door's origin group; `None` for Traffic Manager.
    pub origin_group: Option<String>,
    /// The profile's DNS TTL (Traffic Manager).
    pub dns_ttl_seconds: u32,
    /// Whether the profile routes by weight.
    pub weighted: bool,
    /// The regions' endpoints.
    pub endpoints: Vec<RouterEndpoint>,
}

/// One region's endpoint (or origin) in a [`Router`].
#[derive(Debug, Clone)]
pub struct RouterEndpoint {
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Whether users are sent to it.
    pub in_rotation: bool,
    /// Its weight.
    pub weight: u32,
    /// The weight the plan gives it outside a release.
    pub home_weight: u32,
    /// Whether a fault makes it unhealthy, as the router sees it, once it serves the new version.
    pub faulty: bool,
}

/// What a quality gate reads at one place: the endpoint answering it, and whether a fault makes it
/// answer failing.
#[derive(Debug, Clone)]
pub struct GateSignal {
    /// The gate's id.
    pub gate: String,
    /// The environment id.
    pub environment: String,
    /// The region id, when the plan has regions.
    pub region: Option<String>,
    /// Where the answer comes from.
    pub endpoint: GateEndpoint,
    /// Whether the signal answers failing (an injected fault).
    pub failing: bool,
}

/// The endpoint a quality gate asks, with its placeholders filled in for the signal's place.
#[derive(Debug, Clone, PartialEq)]
pub enum GateEndpoint {
    /// A URL answering a status and, optionally, a JSON field.
    Rest {
        /// The URL.
        url: String,
        /// The status of a passing answer.
        status: u16,
        /// Where the field is in the answer.
        path: Vec<JsonPathSegment>,
        /// The field's value when passing.
        equals: String,
    },
    /// A SonarQube server's quality-gate status of a project.
    Sonar {
        /// The server URL.
        server: String,
        /// The project key.
        project: String,
    },
    /// Azure Monitor alerts under a resource id.
    Alerts {
        /// The resource id.
        scope: String,
        /// The watched rules' names.
        rules: Vec<String>,
    },
}

/// A service in a region.
#[derive(Debug, Clone)]
pub struct Target {
    /// The plan's service id.
    pub service: String,
    /// The environment id.
    pub environment: String,
    /// The region id (`None` when the plan has no regions).
    pub region: Option<String>,
    /// The production health URL and the status it answers when healthy.
    pub health: Option<(String, u16)>,
    /// What the target is.
    pub kind: Kind,
    /// Faults that make the new build unhealthy: the checks answered well before failing.
    pub unhealthy_after: Option<u32>,
    /// Health checks of the new build answered so far.
    pub checks: u32,
}

/// The kinds of target.
#[derive(Debug, Clone)]
pub enum Kind {
    /// An App Service.
    App(App),
    /// A Kubernetes deployment.
    Kube(Kube),
    /// A static site in a storage account.
    Static(StaticSite),
    /// A database.
    Database(Database),
    /// A deployment by the plan's own script.
    Script(ScriptTarget),
}

/// An App Service web app.
#[derive(Debug, Clone)]
pub struct App {
    /// The app's name.
    pub name: String,
    /// Its resource group.
    pub resource_group: String,
    /// The slot new versions go to, if any.
    pub slot: Option<String>,
    /// What production runs.
    pub production: Site,
    /// What each slot runs.
    pub slots: BTreeMap<String, Site>,
    /// The slot in a swap preview (settings applied, swap not completed).
    pub preview: Option<String>,
    /// Traffic routed to slots, in percent.
    pub routing: Vec<(String, u32)>,
}

/// The contents of an App Service slot.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// The build it runs.
    pub build: String,
    /// Its app settings.
    pub settings: BTreeMap<String, String>,
}

/// A Kubernetes deployment.
#[derive(Debug, Clone)]
pub struct Kube {
    /// The AKS cluster.
    pub cluster: String,
    /// Its resource group.
    pub resource_group: String,
    /// The namespace.
    pub namespace: String,
    /// The deployment's name.
    pub deployment: String,
    /// The manifests that describe it.
    pub manifests: Vec<String>,
    /// Pod templates rolled out, oldest first; the last is what runs.
    pub revisions: Vec<PodTemplate>,
    /// A template applied while the rollout is paused.
    pub pending: Option<PodTemplate>,
    /// Whether the rollout is paused.
    pub paused: bool,
}

/// A pod template.
#[derive(Debug, Clone, PartialEq)]
pub struct PodTemplate {
    /// The build its image is.
    pub build: String,
    /// Its annotations.
    pub annotations: BTreeMap<String, String>,
    /// The patch applied to the deployment's spec (JSON merge patches, in order).
    pub spec: serde_json::Value,
}

/// A static site served from a storage account's `$web` container.
#[derive(Debug, Clone)]
pub struct StaticSite {
    /// The storage account.
    pub account: String,
    /// The folder of built files, relative to the repository root.
    pub source_dir: String,
    /// Containers: name → blob name → (contents, build that wrote it).
    pub containers: BTreeMap<String, BTreeMap<String, (String, String)>>,
}

/// A database.
#[derive(Debug, Clone)]
pub struct Database {
    /// The server.
    pub server: String,
    /// The database.
    pub name: String,
    /// The resource group.
    pub resource_group: String,
    /// Migration phases applied (`ID:expand`, `ID:contract`).
    pub schema: Vec<String>,
}

/// A service deployed by the plan's command.
#[derive(Debug, Clone)]
pub struct ScriptTarget {
    /// The deploy command, with the region filled in.
    pub command: String,
    /// The rollback command, with the region filled in.
    pub rollback: Option<String>,
    /// Builds it has run, oldest first.
    pub builds: Vec<String>,
}

/// What protects an environment (from the setup scripts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Protection {
    /// People or teams who must approve; empty for none.
    pub reviewers: Vec<String>,
    /// Minutes to wait after approval.
    pub wait_minutes: u32,
    /// Branch patterns allowed to deploy (`refs/heads/` left out); empty for any.
    pub branches: Vec<String>,
    /// Minutes an approval stays open (`None`: the platform's limit).
    pub approval_timeout_minutes: Option<u32>,
}

/// The API objects the setup scripts create.
#[derive(Debug, Clone, Default)]
pub struct ApiState {
    /// Azure DevOps environments: id → name.
    pub devops_environments: BTreeMap<u32, String>,
    /// Azure DevOps check configurations: id → (environment id, JSON).
    pub devops_checks: BTreeMap<u32, (u32, serde_json::Value)>,
    /// The next id to hand out.
    pub next_id: u32,
    /// Whether the GitHub repository lets GitHub Actions' token open pull requests (a repository
    /// setting, off by default, that the environment setup script turns on).
    pub actions_open_pull_requests: bool,
}

/// One thing that happened, at a virtual time.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Virtual seconds since the rehearsal started.
    pub time: u64,
    /// The run (0 for the first pipeline run, 1 for a run it started…).
    pub run: usize,
    /// The job (unit path) it happened in; empty when none.
    pub job: String,
    /// What happened.
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// A target started serving a build in production.
    Serving {
        /// The target's index.
        target: usize,
        /// The build.
        build: String,
        /// How (`swap`, `rollout`, `upload`, `deploy`, `undo`, `restore`…).
        how: String,
    },
    /// A new build was put beside production (a slot, a paused rollout) without serving it.
    Staged {
        /// The target's index.
        target: usize,
        /// The build.
        build: String,
    },
    /// A health endpoint answered.
    Health {
        /// The target's index.
        target: usize,
        /// `None` for production, else the slot.
        slot: Option<String>,
        /// The build that answered.
        build: String,
        /// Whether it answered healthy.
        healthy: bool,
    },
    /// A database answered its check.
    DatabaseChecked {
        /// The target's index.
        target: usize,
        /// Whether it answered.
        ok: bool,
    },
    /// A plan command ran (simulated, never executed); logged when it ended.
    PlanCommand {
        /// What it is (`build`, `expand claim-status`, `critical tests of api-hotfix`…).
        what: String,
        /// Whether it succeeded.
        ok: bool,
        /// When it started.
        started: u64,
    },
    /// A migration phase step ran (logged when it ended).
    Migration {
        /// The migration id.
        migration: String,
        /// `expand` or `contract`.
        phase: String,
        /// Whether it succeeded.
        ok: bool,
        /// The database target it ran against.
        target: Option<usize>,
        /// When it started.
        started: u64,
    },
    /// An approval was asked and answered.
    Approval {
        /// The environment (or in-pipeline approval) name.
        name: String,
        /// `approved`, `rejected`, `timed out (reject)`, `timed out (resume)`.
        decision: String,
        /// Its ordinal in the run (1-based).
        ordinal: usize,
    },
    /// A pull request was opened.
    PullRequest {
        /// The branch it merges into.
        base: String,
        /// The branch it merges from.
        head: String,
    },
    /// A pipeline run was started by another.
    Dispatched {
        /// The pipeline file.
        file: String,
    },
    /// A router's endpoint was put in or out of rotation, or given a weight.
    Traffic {
        /// The router's index (in [`Estate::routers`]).
        router: usize,
        /// The endpoint's index in the router.
        endpoint: usize,
        /// Whether users are sent to it now.
        in_rotation: bool,
        /// Its weight now.
        weight: u32,
    },
    /// A router reported an endpoint's health.
    RouterHealth {
        /// The router's index.
        router: usize,
        /// The endpoint's index in the router.
        endpoint: usize,
        /// Whether the router sees it healthy.
        healthy: bool,
    },
    /// A quality gate's endpoint answered.
    Gate {
        /// The index of the signal that answered (in [`Estate::gates`]).
        signal: usize,
        /// Whether the answer passes the gate.
        passing: bool,
    },
    /// An injected fault made something fail.
    Fault {
        /// The target it hit, if any.
        target: Option<usize>,
        /// What failed.
        what: String,
    },
}

impl Estate {
    /// The estate a plan describes: every service in every region of every environment a pipeline
    /// deploys to (the release's promotion path and the runbooks' environments), on [`PREVIOUS`].
    pub fn from_plan(plan: &Plan) -> Self {
        let mut targets = Vec::new();
        for environment in deployment_environments(plan) {
            let regions: Vec<Option<&Region>> = match plan.regions_of(environment) {
                regions if regions.is_empty() => vec![None],
                regions => regions.into_iter().map(Some).collect(),
            };
            for service in &plan.services {
                let places: Vec<Option<&Region>> = if service.is_global() {
                    vec![None]
                } else {
                    regions.clone()
                };
                for region in places {
                    let place = Place {
                        environment: &environment.id,
                        region: region.map(|r| &r.id),
                    };
                    targets.push(target(
                        service,
                        place,
                        plan.platforms.cloud.app_service_suffix(),
                    ));
                }
            }
        }
        let mut branches = BTreeSet::new();
        branches.insert(plan.platforms.repository.main_branch.clone());
        if let Some(develop) = &plan.platforms.repository.develop_branch {
            branches.insert(develop.clone());
        }
        for runbook in &plan.runbooks {
            branches.insert(runbook.source_ref.clone());
        }
        Estate {
            targets,
            branches,
            app_suffix: plan.platforms.cloud.app_service_suffix().to_owned(),
            gates: gate_signals(plan),
            routers: routers(plan),
            ..Estate::default()
        }
    }

    /// Whether some target at `environment`'s `region` serves or stages a build of this rehearsal
    /// (not the previous one): the region runs the new version, wholly or in part.
    pub fn region_is_new(&self, environment: &str, region: &str) -> bool {
        self.targets.iter().enumerate().any(|(index, target)| {
            target.environment == environment
                && target.region.as_deref() == Some(region)
                && self.serving(index) != PREVIOUS
        })
    }

    /// The router of route `route` and the index of its endpoint in `region`.
    pub fn router_endpoint(&self, route: &str, region: &str) -> Option<(usize, usize)> {
        let router = self.routers.iter().position(|r| r.route == route)?;
        let endpoint = self.routers[router]
            .endpoints
            .iter()
            .position(|e| e.region == region)?;
        Some((router, endpoint))
    }

    /// The answer of the gate signals whose endpoint `matches`: the signal answering (the first in
    /// rollout order) and whether the answer passes. It fails when any of them is failing: a gate
    /// whose endpoint names no placeholder answers alike everywhere. `None` when none matches.
    pub fn gate_answer(&self, matches: impl Fn(&GateEndpoint) -> bool) -> Option<(usize, bool)> {
        let found: Vec<usize> = (0..self.gates.len())
            .filter(|i| matches(&self.gates[*i].endpoint))
            .collect();
        // Signals sharing an endpoint are asked in rollout order, so the first is where it is asked.
        let first = *found.first()?;
        Some((first, !found.iter().any(|i| self.gates[*i].failing)))
    }

    /// The signal of gate `gate` at `environment` and `region`; a place left out is the first one,
    /// in rollout order, where the gate is checked.
    pub fn gate_signal(
        &self,
        gate: &str,
        environment: Option<&str>,
        region: Option<&str>,
    ) -> Option<usize> {
        self.gates.iter().position(|s| {
            s.gate == gate
                && environment.is_none_or(|e| s.environment == e)
                && region.is_none_or(|r| s.region.as_deref() == Some(r))
        })
    }

    /// The index of the target of `service` in `environment` and `region` (a global database's
    /// target, with no region, answers for every region).
    pub fn target_of(
        &self,
        service: &str,
        environment: &str,
        region: Option<&str>,
    ) -> Option<usize> {
        let found = |r: Option<&str>| {
            self.targets.iter().position(|t| {
                t.service == service && t.environment == environment && t.region.as_deref() == r
            })
        };
        found(region).or_else(|| found(None))
    }

    /// A target as `service@environment/region`.
    pub fn label(&self, target: usize) -> String {
        let t = &self.targets[target];
        match &t.region {
            Some(r) => format!("{}@{}/{r}", t.service, t.environment),
            None => format!("{}@{}", t.service, t.environment),
        }
    }

    /// The build a target serves in production.
    pub fn serving(&self, target: usize) -> String {
        match &self.targets[target].kind {
            Kind::App(app) => app.production.build.clone(),
            Kind::Kube(kube) => kube
                .revisions
                .last()
                .map_or_else(String::new, |r| r.build.clone()),
            Kind::Static(site) => site.serving(),
            Kind::Database(_) => PREVIOUS.to_owned(),
            Kind::Script(script) => script.builds.last().cloned().unwrap_or_default(),
        }
    }

    /// The schema phases a database target has applied.
    pub fn schema(&self, target: usize) -> Option<&[String]> {
        match &self.targets[target].kind {
            Kind::Database(db) => Some(&db.schema),
            _ => None,
        }
    }
}

impl StaticSite {
    /// The build the site's files come from (`empty` with none, `mixed` when they disagree).
    pub fn serving(&self) -> String {
        let builds: BTreeSet<&str> = self
            .containers
            .get("$web")
            .into_iter()
            .flat_map(|blobs| blobs.iter())
            .filter(|(name, _)| name.as_str() != "cutover-build.txt")
            .map(|(_, (_, build))| build.as_str())
            .collect();
        match builds.len() {
            0 => "empty".into(),
            1 => builds
                .iter()
                .next()
                .map(|b| (*b).to_owned())
                .unwrap_or_default(),
            _ => "mixed".into(),
        }
    }
}

/// A signal per quality gate and place of the release's promotion path (every region of each
/// environment, or the environment alone without regions).
fn gate_signals(plan: &Plan) -> Vec<GateSignal> {
    let mut signals = Vec::new();
    for environment in plan.promotion_path() {
        let regions: Vec<Option<&Id>> = match plan.regions_of(environment) {
            regions if regions.is_empty() => vec![None],
            regions => regions.into_iter().map(|r| Some(&r.id)).collect(),
        };
        for region in regions {
            let place = Place {
                environment: &environment.id,
                region,
            };
            for gate in &plan.rollout.gates {
                if matches!(&gate.applies_to, GateScope::Region(r) if Some(r) != region) {
                    continue;
                }
                let endpoint = match &gate.check {
                    GateCheck::Rest {
                        url,
                        expected_status,
                        json_path,
                        json_equals,
                    } => GateEndpoint::Rest {
                        url: resolve(url, place),
                        status: *expected_status,
                        path: json_path_segments(json_path).unwrap_or_default(),
                        equals: json_equals.clone(),
                    },
                    GateCheck::SonarQube {
                        server_url,
                        project_key,
                        ..
                    } => GateEndpoint::Sonar {
                        server: resolve(server_url, place).trim_end_matches('/').to_owned(),
                        project: project_key.clone(),
                    },
                    GateCheck::AzureMonitorAlerts { scope, alert_rules } => GateEndpoint::Alerts {
                        scope: resolve(scope, place),
                        rules: alert_rules.clone(),
                    },
                };
                signals.push(GateSignal {
                    gate: gate.id.as_str().to_owned(),
                    environment: environment.id.as_str().to_owned(),
                    region: region.map(|r| r.as_str().to_owned()),
                    endpoint,
                    failing: false,
                });
            }
        }
    }
    signals
}

/// The estate's routers: one per traffic route of the plan, every endpoint in rotation at its weight.
fn routers(plan: &Plan) -> Vec<Router> {
    plan.rollout
        .traffic
        .iter()
        .map(|route| {
            let (resource_group, profile, origin_group) = match &route.router {
                TrafficRouter::TrafficManager {
                    resource_group,
                    profile,
                    ..
                } => (resource_group, profile, None),
                TrafficRouter::FrontDoor {
                    resource_group,
                    profile,
                    origin_group,
                } => (resource_group, profile, Some(origin_group.clone())),
            };
            let lead = plan
                .environment(&route.environment)
                .and_then(|e| plan.regions_of(e).first().map(|r| r.id.as_str().to_owned()))
                .unwrap_or_default();
            Router {
                route: route.id.as_str().to_owned(),
                environment: route.environment.as_str().to_owned(),
                lead,
                resource_group: resource_group.clone(),
                profile: profile.clone(),
                origin_group,
                dns_ttl_seconds: route.router.dns_ttl_seconds(),
                weighted: matches!(route.shift, TrafficShift::Weighted { .. }),
                endpoints: route
                    .endpoints
                    .iter()
                    .map(|e| RouterEndpoint {
                        name: e.endpoint.clone(),
                        region: e.region.as_str().to_owned(),
                        in_rotation: true,
                        weight: e.weight,
                        home_weight: e.weight,
                        faulty: false,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The environments pipelines deploy to: the release's promotion path, then the runbooks'.
pub fn deployment_environments(plan: &Plan) -> Vec<&crate::plan::Environment> {
    let mut out: Vec<&crate::plan::Environment> = plan.promotion_path();
    for runbook in &plan.runbooks {
        if let Some(environment) = plan.environment(&runbook.environment)
            && !out.iter().any(|e| e.id == environment.id)
        {
            out.push(environment);
        }
    }
    out
}

fn target(service: &Service, place: Place<'_>, suffix: &str) -> Target {
    let in_region = |text: &str| resolve(text, place);
    let previous = || Site {
        build: PREVIOUS.into(),
        settings: BTreeMap::from([("CUTOVER_BUILD".to_owned(), PREVIOUS.to_owned())]),
    };
    let kind = match &service.target {
        DeployTarget::AppService {
            app,
            resource_group,
            slot,
        } => Kind::App(App {
            name: in_region(app),
            resource_group: in_region(resource_group),
            slot: slot.clone(),
            production: previous(),
            slots: slot.iter().map(|s| (s.clone(), previous())).collect(),
            preview: None,
            routing: Vec::new(),
        }),
        DeployTarget::Kubernetes {
            cluster,
            resource_group,
            namespace,
            deployment,
            manifests,
        } => Kind::Kube(Kube {
            cluster: in_region(cluster),
            resource_group: in_region(resource_group),
            namespace: in_region(namespace),
            deployment: in_region(deployment),
            manifests: manifests.iter().map(|m| in_region(m)).collect(),
            revisions: vec![PodTemplate {
                build: PREVIOUS.into(),
                annotations: BTreeMap::from([("cutover-build".to_owned(), PREVIOUS.to_owned())]),
                spec: serde_json::json!({}),
            }],
            pending: None,
            paused: false,
        }),
        DeployTarget::StaticSite {
            storage_account,
            source_dir,
            ..
        } => Kind::Static(StaticSite {
            account: in_region(storage_account),
            source_dir: in_region(source_dir),
            containers: BTreeMap::from([(
                "$web".to_owned(),
                BTreeMap::from([
                    (
                        "index.html".to_owned(),
                        ("<html>previous</html>".to_owned(), PREVIOUS.to_owned()),
                    ),
                    (
                        "cutover-build.txt".to_owned(),
                        (PREVIOUS.to_owned(), PREVIOUS.to_owned()),
                    ),
                ]),
            )]),
        }),
        DeployTarget::Database {
            server,
            database,
            resource_group,
            ..
        } => Kind::Database(Database {
            server: in_region(server),
            name: in_region(database),
            resource_group: in_region(resource_group),
            schema: Vec::new(),
        }),
        DeployTarget::Script {
            command,
            rollback_command,
        } => Kind::Script(ScriptTarget {
            command: in_region(command),
            rollback: rollback_command.as_ref().map(|c| in_region(c)),
            builds: vec![PREVIOUS.into()],
        }),
    };
    Target {
        service: service.id.as_str().to_owned(),
        environment: place.environment.as_str().to_owned(),
        region: place.region.map(|r| r.as_str().to_owned()),
        health: health_url(service, place, suffix),
        kind,
        unhealthy_after: None,
        checks: 0,
    }
}

/// The production health URL of a service at a place: its `base_url`, or for an App Service
/// `https://APP.SUFFIX` (the cloud's host name suffix), joined with its path.
fn health_url(service: &Service, place: Place<'_>, suffix: &str) -> Option<(String, u16)> {
    let check = service.health_check.as_ref()?;
    let base = match (&check.base_url, &service.target) {
        (Some(base), _) => resolve(base, place),
        (None, DeployTarget::AppService { app, .. }) => {
            format!("https://{}.{suffix}", resolve(app, place))
        }
        (None, _) => return None,
    };
    Some((join_url(&base, &check.path), check.expected_status))
}

/// `base` and `path` joined with one slash.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estate_has_every_service_at_every_place_it_deploys_to() {
        let plan = crate::plan::templates::by_name("meridian", "meridian-claims")
            .unwrap()
            .unwrap();
        let estate = Estate::from_plan(&plan);
        let environments = deployment_environments(&plan);
        assert!(
            environments.len() > 1,
            "the release and the hotfix deploy to different environments"
        );
        let mut expected = 0;
        for environment in &environments {
            let regions = plan.regions_of(environment).len().max(1);
            for service in &plan.services {
                let places = if service.is_global() { 1 } else { regions };
                expected += places;
                for region in plan.regions_of(environment) {
                    let region = (!service.is_global()).then_some(region.id.as_str());
                    assert!(
                        estate
                            .target_of(service.id.as_str(), environment.id.as_str(), region)
                            .is_some(),
                        "{} at {}/{region:?}",
                        service.id,
                        environment.id
                    );
                }
            }
        }
        assert_eq!(estate.targets.len(), expected);
        for index in 0..estate.targets.len() {
            assert_eq!(estate.serving(index), PREVIOUS);
        }
    }
}
