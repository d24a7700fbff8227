//! The plan document: every object a release plan holds, as serde types.
//!
//! Collections are `Vec`s in the order the user wrote them (never hash maps), so a saved plan is stable
//! and diff-friendly. Objects refer to each other by [`Id`]; the analysis reports references that do not
//! resolve. Times carry their unit in the field name (`_minutes`, `_seconds`).

use serde::{Deserialize, Serialize};

use super::id::Id;

/// A whole release plan: the services and their dependencies, the migrations, environments, regions,
/// rollout policy, hotfix runbooks and the platform settings needed to emit real pipelines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The file-format version this plan was written in (see [`super::FORMAT_VERSION`]).
    pub version: u32,
    /// The plan's name; generated files are named after it.
    pub name: String,
    /// Free text shown to readers of the plan and the runbooks.
    #[serde(default)]
    pub description: String,
    /// Settings for the pipeline platforms (service connection, agent pool, runner, credentials).
    #[serde(default)]
    pub platforms: PlatformSettings,
    /// The services that make up the system, each deployed once per region.
    #[serde(default)]
    pub services: Vec<Service>,
    /// "A depends on B" edges between services.
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
    /// Expand–contract database migrations shipped with this release.
    #[serde(default)]
    pub migrations: Vec<Migration>,
    /// The environments pipelines deploy to, with their protection rules.
    #[serde(default)]
    pub environments: Vec<Environment>,
    /// The regions, in rollout order.
    #[serde(default)]
    pub regions: Vec<Region>,
    /// How the standard release rolls out and reacts to failure.
    pub rollout: RolloutPolicy,
    /// Hotfix runbooks written before the incident.
    #[serde(default)]
    pub runbooks: Vec<HotfixRunbook>,
}

/// One deployable service of the system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service's id, used by dependencies, migrations and runbooks.
    pub id: Id,
    /// The name shown on the canvas, in pipelines and runbooks.
    pub name: String,
    /// Which layer of the system the service belongs to; decides order where the graph leaves freedom.
    pub tier: Tier,
    /// Where and how the service is deployed.
    pub target: DeployTarget,
    /// How a new version replaces the old one.
    pub strategy: Strategy,
    /// The endpoint that gates the service's stage; without one the service cannot be gated.
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
    /// Readiness, liveness and startup probes as configured on the platform.
    #[serde(default)]
    pub probes: Probes,
    /// Seconds in-flight requests get to finish before traffic moves (connection draining); `None` is off.
    #[serde(default)]
    pub draining_timeout_seconds: Option<u32>,
    /// Whether the service holds WebSocket connections, which a swap or rolling update severs.
    #[serde(default)]
    pub websockets: bool,
    /// Where the service sits on the canvas, in canvas units.
    #[serde(default)]
    pub position: Position,
}

/// A point on the canvas.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Position {
    /// Horizontal canvas coordinate.
    pub x: f32,
    /// Vertical canvas coordinate.
    pub y: f32,
}

/// The layer a service belongs to. Lower layers deploy first (bottom-up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Tier {
    /// Shared infrastructure (networks, key vaults, message brokers): deployed before anything else.
    Infrastructure,
    /// Databases and their schema.
    Database,
    /// Background services and workers.
    Worker,
    /// Backend APIs.
    Api,
    /// API gateways and backends-for-frontends.
    Gateway,
    /// User-facing frontends.
    Frontend,
    /// Anything else; deployed after the frontends where the graph leaves freedom, and never reported as
    /// a tier inversion.
    Other,
}

impl Tier {
    /// Every tier, lowest first.
    pub const ALL: [Tier; 7] = [
        Tier::Infrastructure,
        Tier::Database,
        Tier::Worker,
        Tier::Api,
        Tier::Gateway,
        Tier::Frontend,
        Tier::Other,
    ];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Infrastructure => "infrastructure",
            Tier::Database => "database",
            Tier::Worker => "worker",
            Tier::Api => "API",
            Tier::Gateway => "gateway/BFF",
            Tier::Frontend => "frontend",
            Tier::Other => "other",
        }
    }
}

/// Where a service is deployed. Text fields may contain `{region}`, replaced by each region's id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum DeployTarget {
    /// An Azure App Service web app.
    AppService {
        /// The web app's name.
        app: String,
        /// The resource group holding the app.
        resource_group: String,
        /// The deployment slot new versions go to before a swap (`staging`); `None` deploys in place.
        slot: Option<String>,
    },
    /// A Kubernetes deployment.
    Kubernetes {
        /// The AKS cluster's name.
        cluster: String,
        /// The resource group holding the cluster.
        resource_group: String,
        /// The namespace of the deployment.
        namespace: String,
        /// The deployment's name.
        deployment: String,
        /// The manifest files applied, relative to the repository root.
        manifests: Vec<String>,
    },
    /// A static web site (single-page app) served from storage.
    StaticSite {
        /// The storage account serving the site.
        storage_account: String,
        /// The resource group holding the storage account.
        resource_group: String,
        /// The folder of built files to upload, relative to the repository root.
        source_dir: String,
    },
    /// A database server and database; its schema changes come from [`Migration`]s.
    Database {
        /// The database engine, which decides the reachability check and the connection details the
        /// migration commands get (Azure SQL when left out, as in plans written before engines).
        #[serde(default)]
        engine: DatabaseEngine,
        /// The database server's name (a Cosmos DB account's name).
        server: String,
        /// The database's name.
        database: String,
        /// The resource group holding the server.
        resource_group: String,
        /// Whether one instance serves every region (geo-replicated): its migrations then run once,
        /// before any region, instead of in each region's own database.
        #[serde(default)]
        global: bool,
    },
    /// A custom deployment command run from the repository root.
    Script {
        /// The command that deploys the service; `{region}` is replaced by the region id.
        command: String,
        /// The command that restores the previous version; without one the service has no rollback path.
        #[serde(default)]
        rollback_command: Option<String>,
    },
}

/// The engine of a database target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DatabaseEngine {
    /// Azure SQL Database (`az sql`).
    #[default]
    AzureSql,
    /// Azure Database for PostgreSQL, flexible server (`az postgres flexible-server`).
    PostgreSql,
    /// Azure Database for MySQL, flexible server (`az mysql flexible-server`).
    MySql,
    /// Azure Cosmos DB (`az cosmosdb`): the server is the account's name.
    CosmosDb,
    /// Any other database, changed only through the migration commands: no cloud check.
    Script,
}

impl DatabaseEngine {
    /// Every engine, in the order pickers show them.
    pub const ALL: [DatabaseEngine; 5] = [
        DatabaseEngine::AzureSql,
        DatabaseEngine::PostgreSql,
        DatabaseEngine::MySql,
        DatabaseEngine::CosmosDb,
        DatabaseEngine::Script,
    ];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            DatabaseEngine::AzureSql => "Azure SQL",
            DatabaseEngine::PostgreSql => "PostgreSQL (flexible server)",
            DatabaseEngine::MySql => "MySQL (flexible server)",
            DatabaseEngine::CosmosDb => "Cosmos DB",
            DatabaseEngine::Script => "script",
        }
    }
}

impl DeployTarget {
    /// A short human label for the kind of target.
    pub fn kind_label(&self) -> &'static str {
        match self {
            DeployTarget::AppService { .. } => "App Service",
            DeployTarget::Kubernetes { .. } => "Kubernetes",
            DeployTarget::StaticSite { .. } => "static site",
            DeployTarget::Database { .. } => "database",
            DeployTarget::Script { .. } => "script",
        }
    }
}

/// How a new version of a service replaces the old one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Strategy {
    /// Deploy to a staging slot, check it, swap it into production (App Service).
    SlotSwap,
    /// Replace instances in batches behind the load balancer.
    Rolling {
        /// How many instances (or what share of them) are replaced at a time.
        batch: BatchSize,
    },
    /// Stand up the new version beside the old one, then move all traffic at once.
    BlueGreen,
    /// Move traffic to the new version in rising percentages.
    Canary {
        /// Traffic percentages, rising, ending at 100.
        increments: Vec<u32>,
    },
    /// Deploy once in place (databases, scripts, static sites).
    RunOnce,
}

impl Strategy {
    /// A short human label.
    pub fn label(&self) -> &'static str {
        match self {
            Strategy::SlotSwap => "slot swap",
            Strategy::Rolling { .. } => "rolling",
            Strategy::BlueGreen => "blue-green",
            Strategy::Canary { .. } => "canary",
            Strategy::RunOnce => "run once",
        }
    }
}

/// The size of one batch of a rolling update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchSize {
    /// A number of instances.
    Instances(u32),
    /// A percentage of the instances (1–100).
    Percent(u32),
}

/// The HTTP check that gates a service's stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// The path requested, such as `/health`.
    pub path: String,
    /// The base URL the service answers on; `None` derives it from the target (App Service:
    /// `https://APP.azurewebsites.net`). May contain `{region}`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The HTTP status a healthy service answers with.
    #[serde(default = "default_expected_status")]
    pub expected_status: u16,
    /// Seconds one request may take.
    #[serde(default = "default_health_timeout")]
    pub timeout_seconds: u32,
    /// How many more times a failed check is tried before the stage fails.
    #[serde(default = "default_health_retries")]
    pub retries: u32,
    /// Seconds between tries.
    #[serde(default = "default_health_interval")]
    pub interval_seconds: u32,
}

fn default_expected_status() -> u16 {
    200
}
fn default_health_timeout() -> u32 {
    10
}
fn default_health_retries() -> u32 {
    10
}
fn default_health_interval() -> u32 {
    15
}

/// The probes a platform uses to route traffic to and restart instances.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    /// Gates when traffic starts flowing to a new instance.
    #[serde(default)]
    pub readiness: Option<Probe>,
    /// Restarts instances that stop answering.
    #[serde(default)]
    pub liveness: Option<Probe>,
    /// Holds off the liveness probe until the app has started.
    #[serde(default)]
    pub startup: Option<Probe>,
}

/// One HTTP probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// The path probed.
    pub path: String,
    /// The container port probed.
    pub port: u16,
    /// Seconds before the first probe.
    pub initial_delay_seconds: u32,
    /// Seconds between probes.
    pub period_seconds: u32,
    /// Consecutive failures before the probe counts as failed.
    pub failure_threshold: u32,
}

/// "`service` depends on `on`": `service` deploys only after `on` is deployed and healthy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The dependent service.
    pub service: Id,
    /// The service it depends on.
    pub on: Id,
}

/// An expand–contract schema change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    /// The migration's id.
    pub id: Id,
    /// The name shown in pipelines and runbooks.
    pub name: String,
    /// The database service whose schema changes.
    pub database: Id,
    /// Steps that add to the schema so old and new code both work; run before any service deploys.
    pub expand: Vec<MigrationStep>,
    /// Steps that remove what old code needed; run only after every consumer, in every region, runs the
    /// new version.
    pub contract: Vec<MigrationStep>,
    /// The services that read or write the changed schema.
    pub consumers: Vec<Id>,
}

/// One step of a migration phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationStep {
    /// What the step does, in words.
    pub description: String,
    /// The command that performs it, run from the repository root.
    pub command: String,
}

/// A deployment environment and its protection rules (which live outside the pipeline YAML).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The environment's id; also its name on the platforms.
    pub id: Id,
    /// The name shown to people.
    pub name: String,
    /// What the environment is for.
    pub kind: EnvironmentKind,
    /// Whether its configuration matches production (required for a hotfix that skips lower environments).
    #[serde(default)]
    pub production_like: bool,
    /// The approval a deployment needs; `None` deploys without one.
    #[serde(default)]
    pub approval: Option<Approval>,
    /// Minutes a deployment waits before it starts (0 = no wait).
    #[serde(default)]
    pub wait_timer_minutes: u32,
    /// Branch name patterns allowed to deploy here (`main`, `hotfix/*`); empty allows any branch.
    #[serde(default)]
    pub allowed_branches: Vec<String>,
    /// The regions this environment runs in, in rollout order; empty means every region of the plan.
    #[serde(default)]
    pub regions: Vec<Id>,
}

/// What an environment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvironmentKind {
    /// Developer integration.
    Development,
    /// Automated and manual testing.
    Test,
    /// Pre-production.
    Staging,
    /// Where hotfixes are proven before production.
    Hotfix,
    /// Production.
    Production,
}

/// A human approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Users or groups who may approve, by the same name on both platforms.
    pub approvers: Vec<String>,
    /// The approvers on GitHub (users, or teams as `org/team`) when their names differ from
    /// `approvers`; empty uses `approvers`.
    #[serde(default)]
    pub github_approvers: Vec<String>,
    /// The approvers on Azure DevOps (users by e-mail, groups as `[project]\group`) when their names
    /// differ from `approvers`; empty uses `approvers`.
    #[serde(default)]
    pub azure_approvers: Vec<String>,
    /// How many of them must approve.
    pub required: u32,
    /// Minutes the approval stays open; `None` waits forever (stale deployments sit in the pipeline).
    pub timeout_minutes: Option<u32>,
    /// What happens when the approval times out.
    #[serde(default)]
    pub on_timeout: TimeoutAction,
    /// Whether the person who started the run may not approve it.
    #[serde(default = "default_true")]
    pub prevent_self_review: bool,
    /// What the approver is asked to check.
    #[serde(default)]
    pub instructions: String,
}

fn default_true() -> bool {
    true
}

/// What an approval does when nobody answers in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TimeoutAction {
    /// The deployment is rejected.
    #[default]
    Reject,
    /// The deployment continues.
    Resume,
}

/// A region of the rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// The region's id, used in `{region}` placeholders and pipeline ids.
    pub id: Id,
    /// The name shown to people.
    pub name: String,
    /// The cloud location (`eastus`).
    pub location: String,
    /// Minutes the new version soaks in this region before the next region starts.
    pub validation_minutes: u32,
}

/// How the standard release rolls out and reacts to failure. Healthy regions are never rolled back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutPolicy {
    /// The environment the release deploys to in the end (production).
    pub environment: Id,
    /// The environments the release passes through first, in order (`["staging"]`): each gets every
    /// service, its own approvals and validation windows before the next one starts.
    #[serde(default)]
    pub promote_through: Vec<Id>,
    /// Retries for transient failures (throttling, network blips, agent loss).
    pub retry: RetryPolicy,
    /// What a non-transient failure in a region does.
    pub on_failure: FailureAction,
    /// Quality gates the release waits on besides health checks: monitoring alerts, a code-quality
    /// service's verdict, a custom REST check. Each is checked at the end of every environment and
    /// region it applies to, beside the region's validation window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gates: Vec<QualityGate>,
    /// Routers in front of an environment's regions (Azure Traffic Manager or Front Door), and how the
    /// release moves users onto each region it has deployed and verified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traffic: Vec<TrafficRoute>,
}

/// A router in front of one environment's regions, and how the release moves users between them.
///
/// The first region the release deploys in the environment (its lead) is taken out of rotation,
/// deployed and verified with no users on it, then given the traffic: all at once ([`TrafficShift::
/// BlueGreen`]) or in soaked, gated steps ([`TrafficShift::Weighted`]). The other regions keep the old
/// version, out of rotation, so switching back is one router change. Each later region is deployed
/// while out of rotation and put back once verified. A failed traffic step, or a failed gate of a
/// region that took traffic, switches back before anything is rolled back, and no later region starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficRoute {
    /// The route's id, unique among the routes; part of pipeline ids and of `--fault traffic:ID`.
    pub id: Id,
    /// The name shown to people.
    pub name: String,
    /// The environment whose regions the router fronts.
    pub environment: Id,
    /// The router.
    pub router: TrafficRouter,
    /// The router's endpoint (Traffic Manager) or origin (Front Door) of each of the environment's
    /// regions.
    pub endpoints: Vec<RegionEndpoint>,
    /// How users move onto the lead region.
    pub shift: TrafficShift,
}

impl TrafficRoute {
    /// Seconds every change of the route waits after telling the router: the DNS TTL (clients keep a
    /// previous answer that long), then the longest connection draining of the services deployed per
    /// region among `services`, so requests and connections on a region leaving rotation can finish.
    pub fn switch_wait_seconds(&self, services: &[Service]) -> u32 {
        let draining = services
            .iter()
            .filter(|s| !s.is_global())
            .filter_map(|s| s.draining_timeout_seconds)
            .max()
            .unwrap_or(0);
        self.router.dns_ttl_seconds().saturating_add(draining)
    }
}

/// The Azure service that routes users between regions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrafficRouter {
    /// An Azure Traffic Manager profile: DNS-based, so clients keep a previous answer for the DNS TTL,
    /// which every switch waits out.
    TrafficManager {
        /// The profile's resource group.
        resource_group: String,
        /// The profile's name.
        profile: String,
        /// The profile's DNS time-to-live in seconds; the pipeline refuses to switch when the
        /// profile's own TTL is longer.
        dns_ttl_seconds: u32,
    },
    /// An Azure Front Door (Standard or Premium) origin group: each region is one origin.
    FrontDoor {
        /// The profile's resource group.
        resource_group: String,
        /// The Front Door profile's name.
        profile: String,
        /// The origin group holding the regions' origins.
        origin_group: String,
    },
}

impl TrafficRouter {
    /// A short human label of the kind of router.
    pub fn label(&self) -> &'static str {
        match self {
            TrafficRouter::TrafficManager { .. } => "Azure Traffic Manager",
            TrafficRouter::FrontDoor { .. } => "Azure Front Door",
        }
    }

    /// Seconds clients may keep reaching a region after the router stops sending them there.
    pub fn dns_ttl_seconds(&self) -> u32 {
        match self {
            TrafficRouter::TrafficManager {
                dns_ttl_seconds, ..
            } => *dns_ttl_seconds,
            TrafficRouter::FrontDoor { .. } => 0,
        }
    }
}

/// One region's endpoint or origin in a router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionEndpoint {
    /// The region.
    pub region: Id,
    /// The Traffic Manager endpoint's or Front Door origin's name.
    pub endpoint: String,
    /// The weight (1–1,000) the endpoint carries when the release is not moving traffic; every
    /// switch back restores it.
    #[serde(default = "default_endpoint_weight")]
    pub weight: u32,
}

/// The weight of an endpoint whose plan gives none: all endpoints equal.
fn default_endpoint_weight() -> u32 {
    1
}

/// How users move onto a route's lead region once it is deployed and verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrafficShift {
    /// All users at once: the lead region is put in rotation and the others are taken out.
    BlueGreen,
    /// In weighted steps: the lead region takes each share of users in turn (`[10, 50]` percent),
    /// each held for `soak_minutes` while the region's gates are checked, then all users. One step
    /// held for a fixed time is an A/B comparison of the two versions.
    Weighted {
        /// The lead region's shares before it takes all users, in percent, increasing, each 1–99.
        steps: Vec<u32>,
        /// Minutes each step is held (after the DNS TTL) before the next.
        soak_minutes: u32,
    },
}

impl TrafficShift {
    /// A short human label.
    pub fn label(&self) -> &'static str {
        match self {
            TrafficShift::BlueGreen => "Blue-green",
            TrafficShift::Weighted { .. } => "Weighted steps",
        }
    }
}

/// A signal the release waits on between stages. It is checked where [`GateScope`] says, polled every
/// `interval_seconds` for at most `timeout_minutes`; when it fails, [`GateFailure`] says what happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityGate {
    /// The gate's id, unique among the gates; part of pipeline ids and of `--fault gate:ID`.
    pub id: Id,
    /// The name shown to people.
    pub name: String,
    /// Where the gate is checked.
    pub applies_to: GateScope,
    /// What is checked.
    pub check: GateCheck,
    /// Alerts: the window watched, in minutes. Other checks: how long to wait for a pass.
    pub timeout_minutes: u32,
    /// Seconds between two polls.
    pub interval_seconds: u32,
    /// What a failed gate does.
    pub on_failure: GateFailure,
}

/// Where a quality gate is checked: at the end of each environment (and region) of the release it
/// applies to, once that part of the release has deployed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateScope {
    /// At the end of every environment and region.
    Release,
    /// At the end of every environment and region the service is deployed in.
    Service(Id),
    /// At the end of this region (in every environment that deploys to it), beside its validation
    /// window.
    Region(Id),
}

/// What a quality gate checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GateCheck {
    /// No alert of the named Azure Monitor alert rules fires during the window.
    AzureMonitorAlerts {
        /// The Azure resource id the alerts are read under (`/subscriptions/…/resourceGroups/…`);
        /// may hold placeholders.
        scope: String,
        /// The alert rules' names; an alert of any other rule does not fail the gate.
        alert_rules: Vec<String>,
    },
    /// A SonarQube (or SonarCloud) project's quality gate is passed.
    SonarQube {
        /// The server's URL (`https://sonarcloud.io`).
        server_url: String,
        /// The project's key.
        project_key: String,
        /// The name of the secret (GitHub) or secret variable (Azure) holding the token.
        token_secret: String,
    },
    /// A URL answers the expected status, and optionally a JSON field of its answer has a value.
    Rest {
        /// The URL; may hold placeholders.
        url: String,
        /// The HTTP status a passing answer has.
        expected_status: u16,
        /// A dotted path into the JSON answer (`status.overall`, `checks.0.state`); empty: the
        /// status alone decides.
        #[serde(default)]
        json_path: String,
        /// The text the field at `json_path` must equal.
        #[serde(default)]
        json_equals: String,
    },
}

impl GateCheck {
    /// Which kind of check this is.
    pub fn kind(&self) -> GateCheckKind {
        match self {
            GateCheck::AzureMonitorAlerts { .. } => GateCheckKind::AzureMonitorAlerts,
            GateCheck::SonarQube { .. } => GateCheckKind::SonarQube,
            GateCheck::Rest { .. } => GateCheckKind::Rest,
        }
    }

    /// A short human label of the kind of check.
    pub fn label(&self) -> &'static str {
        self.kind().label()
    }
}

/// The kinds of check a quality gate can make, without their settings (for choosing one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateCheckKind {
    /// [`GateCheck::AzureMonitorAlerts`].
    AzureMonitorAlerts,
    /// [`GateCheck::SonarQube`].
    SonarQube,
    /// [`GateCheck::Rest`].
    Rest,
}

impl GateCheckKind {
    /// Every kind, in the order pickers show them.
    pub const ALL: [GateCheckKind; 3] = [
        GateCheckKind::AzureMonitorAlerts,
        GateCheckKind::SonarQube,
        GateCheckKind::Rest,
    ];

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            GateCheckKind::AzureMonitorAlerts => "Azure Monitor alerts",
            GateCheckKind::SonarQube => "SonarQube quality gate",
            GateCheckKind::Rest => "REST check",
        }
    }
}

/// One step of a REST gate's JSON path: an object's key or an array's index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonPathSegment {
    /// An object's key.
    Key(String),
    /// An array's index, from 0.
    Index(u32),
}

/// The segments of a REST gate's JSON path (`status.checks.0.state`): keys of ASCII letters, digits,
/// `_` and `-`, and whole numbers as array indexes. `None` when the path is empty or not of that form.
pub fn json_path_segments(path: &str) -> Option<Vec<JsonPathSegment>> {
    if path.is_empty() {
        return None;
    }
    path.split('.')
        .map(|part| {
            if part.is_empty()
                || !part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                None
            } else if let Ok(index) = part.parse::<u32>() {
                Some(JsonPathSegment::Index(index))
            } else {
                Some(JsonPathSegment::Key(part.to_owned()))
            }
        })
        .collect()
}

/// What a failed quality gate does. Either way the stage fails, so no later region or environment
/// starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateFailure {
    /// Roll back what the environment or region deployed, as the rollout's failure action says
    /// (automatically, or once a person approves when the rollout halts the wave).
    RollBack,
    /// Stop the release and leave what is deployed for a person to decide.
    Stop,
}

/// Exponential backoff for transient failures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// How many attempts in all (1 = no retry).
    pub attempts: u32,
    /// Seconds before the first retry.
    pub initial_delay_seconds: u32,
    /// Each delay is the previous one times this factor.
    pub backoff_factor: f64,
    /// The longest delay, in seconds.
    pub max_delay_seconds: u32,
}

/// What a non-transient failure in a region does. Earlier, healthy regions are kept either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureAction {
    /// Roll the failing region back to the previous version, and stop the wave.
    RollbackRegion,
    /// Stop the wave and leave the failing region for a person to decide.
    HaltWave,
}

/// A hotfix path, written before the incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HotfixRunbook {
    /// The runbook's id; names its pipelines and Markdown file.
    pub id: Id,
    /// The name shown to people.
    pub name: String,
    /// The incident severity this path is for.
    pub severity: IncidentSeverity,
    /// How the team branches, which decides where the fix is merged back.
    pub branching: BranchingModel,
    /// The ref the hotfix branch starts from (`main`, `release/2.4`, a tag).
    pub source_ref: String,
    /// The branch pattern hotfix runs are restricted to (`hotfix/*`).
    pub branch_pattern: String,
    /// The services the hotfix deploys.
    pub services: Vec<Id>,
    /// The critical tests that still run (~2 minutes).
    pub critical_tests: Option<TimedCommand>,
    /// The security scan that still runs (~1 minute).
    pub security_scan: Option<TimedCommand>,
    /// The approval before deploying: a single audited approver by default.
    pub approval: Option<Approval>,
    /// The environment the hotfix deploys to.
    pub environment: Id,
    /// The checks of the standard release this path skips.
    #[serde(default)]
    pub skips: Vec<ReleaseCheck>,
    /// The checks of the standard release this path keeps besides tests, scan and approval.
    #[serde(default)]
    pub keeps: Vec<ReleaseCheck>,
    /// Minutes of enhanced monitoring after the deploy.
    pub monitoring_minutes: u32,
    /// Where the incident is coordinated (a call link or a channel).
    pub incident_bridge: String,
    /// Branches the fix is merged (or cherry-picked) back into.
    pub merge_back: Vec<String>,
    /// The full suite run on the hotfix branch afterwards, before a standard release includes the fix.
    pub backfill: Option<TimedCommand>,
}

/// A command with the time it is allowed to take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedCommand {
    /// The command, run from the repository root.
    pub command: String,
    /// Minutes it may take.
    pub budget_minutes: u32,
}

/// The severity of the incident a runbook answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IncidentSeverity {
    /// Production down.
    P0,
    /// Major feature broken.
    P1,
}

/// How the team branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BranchingModel {
    /// `hotfix/*` from main, merged back into main and develop.
    GitFlow,
    /// The fix lands on main (or is cherry-picked there) and deploys from it.
    TrunkBased,
    /// The fix lands on the release branch and is cherry-picked to main.
    ReleaseBranch,
}

impl BranchingModel {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            BranchingModel::GitFlow => "Git Flow",
            BranchingModel::TrunkBased => "trunk-based",
            BranchingModel::ReleaseBranch => "release branch",
        }
    }
}

/// A check of the standard release that a hotfix may skip or keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ReleaseCheck {
    /// The full regression suite.
    FullRegression,
    /// Soaking in staging.
    StagingSoak,
    /// Deploying through the lower environments first.
    LowerEnvironments,
    /// User acceptance testing.
    Uat,
    /// Performance tests.
    PerformanceTests,
    /// Smoke tests against the deployed service.
    SmokeTests,
}

impl ReleaseCheck {
    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            ReleaseCheck::FullRegression => "full regression",
            ReleaseCheck::StagingSoak => "staging soak",
            ReleaseCheck::LowerEnvironments => "lower environments",
            ReleaseCheck::Uat => "user acceptance testing",
            ReleaseCheck::PerformanceTests => "performance tests",
            ReleaseCheck::SmokeTests => "smoke tests",
        }
    }
}

/// What the pipeline platforms need to run real deployments. Holds names of credentials, never secrets.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformSettings {
    /// The Azure cloud every sign-in and endpoint uses.
    #[serde(default)]
    pub cloud: AzureCloud,
    /// How the release artifact is built.
    #[serde(default)]
    pub build: BuildSettings,
    /// The repository's branch names.
    #[serde(default)]
    pub repository: RepositorySettings,
    /// Azure Pipelines settings.
    #[serde(default)]
    pub azure: AzureSettings,
    /// GitHub Actions settings.
    #[serde(default)]
    pub github: GitHubSettings,
}

/// Which Azure cloud the resources live in: sign-ins, endpoints and host names follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AzureCloud {
    /// Azure's public cloud.
    #[default]
    Public,
    /// Azure Government (United States).
    UsGovernment,
    /// Azure operated by 21Vianet (China).
    China,
}

impl AzureCloud {
    /// The Azure CLI's and `azure/login`'s name for the cloud.
    pub fn cli_name(self) -> &'static str {
        match self {
            AzureCloud::Public => "AzureCloud",
            AzureCloud::UsGovernment => "AzureUSGovernment",
            AzureCloud::China => "AzureChinaCloud",
        }
    }

    /// The suffix of App Service host names (`APP.SUFFIX`).
    pub fn app_service_suffix(self) -> &'static str {
        match self {
            AzureCloud::Public => "azurewebsites.net",
            AzureCloud::UsGovernment => "azurewebsites.us",
            AzureCloud::China => "chinacloudsites.cn",
        }
    }
}

/// How pipelines build the artifact they deploy: once per run, published, then downloaded by every
/// deployment (App Service packages are `ARTIFACTS_DIR/SERVICE_ID.zip`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSettings {
    /// The command that builds everything, run from the repository root.
    pub command: String,
    /// The folder the command leaves the artifact in, relative to the repository root.
    pub artifacts_dir: String,
}

impl Default for BuildSettings {
    fn default() -> Self {
        Self {
            command: "./build.sh".into(),
            artifacts_dir: "artifacts".into(),
        }
    }
}

/// The repository's long-lived branches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepositorySettings {
    /// The production branch.
    pub main_branch: String,
    /// The integration branch of Git Flow, if the team has one.
    pub develop_branch: Option<String>,
}

impl Default for RepositorySettings {
    fn default() -> Self {
        Self {
            main_branch: "main".into(),
            develop_branch: Some("develop".into()),
        }
    }
}

/// Azure Pipelines settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AzureSettings {
    /// The Azure Resource Manager service connection's name.
    pub service_connection: String,
    /// The agents that run jobs.
    pub agent_pool: AgentPool,
    /// The Azure DevOps organisation URL, used by the environment setup commands.
    #[serde(default)]
    pub organization: String,
    /// The Azure DevOps project, used by the environment setup commands.
    #[serde(default)]
    pub project: String,
}

impl Default for AzureSettings {
    fn default() -> Self {
        Self {
            service_connection: "azure-production".into(),
            agent_pool: AgentPool::VmImage("ubuntu-latest".into()),
            organization: String::new(),
            project: String::new(),
        }
    }
}

/// Which agents run Azure jobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AgentPool {
    /// A Microsoft-hosted image (`ubuntu-latest`).
    VmImage(String),
    /// A self-hosted pool, by name.
    Named(String),
}

/// GitHub Actions settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubSettings {
    /// The runner label jobs run on.
    pub runner: String,
    /// The repository (`owner/name`) the environment setup targets.
    #[serde(default)]
    pub repository: String,
    /// How jobs sign in to Azure.
    pub credentials: GitHubCredentials,
}

impl Default for GitHubSettings {
    fn default() -> Self {
        Self {
            runner: "ubuntu-latest".into(),
            repository: String::new(),
            credentials: GitHubCredentials::default(),
        }
    }
}

/// OpenID Connect sign-in to Azure: the names of the repository variables holding the ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubCredentials {
    /// Variable holding the client id of the federated identity.
    pub client_id_variable: String,
    /// Variable holding the tenant id.
    pub tenant_id_variable: String,
    /// Variable holding the subscription id.
    pub subscription_id_variable: String,
}

impl Default for GitHubCredentials {
    fn default() -> Self {
        Self {
            client_id_variable: "AZURE_CLIENT_ID".into(),
            tenant_id_variable: "AZURE_TENANT_ID".into(),
            subscription_id_variable: "AZURE_SUBSCRIPTION_ID".into(),
        }
    }
}

impl Plan {
    /// The service with this id, if any.
    pub fn service(&self, id: &Id) -> Option<&Service> {
        self.services.iter().find(|s| &s.id == id)
    }

    /// The environment with this id, if any.
    pub fn environment(&self, id: &Id) -> Option<&Environment> {
        self.environments.iter().find(|e| &e.id == id)
    }

    /// The region with this id, if any.
    pub fn region(&self, id: &Id) -> Option<&Region> {
        self.regions.iter().find(|r| &r.id == id)
    }

    /// The migration with this id, if any.
    pub fn migration(&self, id: &Id) -> Option<&Migration> {
        self.migrations.iter().find(|m| &m.id == id)
    }
}

impl Plan {
    /// The environments the release deploys to, in order: those it promotes through, then the rollout
    /// environment. Ids that name no environment are left out (the analysis reports them).
    pub fn promotion_path(&self) -> Vec<&Environment> {
        self.rollout
            .promote_through
            .iter()
            .chain(std::iter::once(&self.rollout.environment))
            .filter_map(|id| self.environment(id))
            .collect()
    }

    /// The regions `environment` runs in, in rollout order: its own list, or every region of the plan.
    /// Ids that name no region are left out (the analysis reports them).
    pub fn regions_of(&self, environment: &Environment) -> Vec<&Region> {
        if environment.regions.is_empty() {
            self.regions.iter().collect()
        } else {
            environment
                .regions
                .iter()
                .filter_map(|id| self.region(id))
                .collect()
        }
    }
}

impl Service {
    /// Whether one instance of the service serves every region (a global, geo-replicated database):
    /// it deploys, and its migrations run, once per environment rather than once per region.
    pub fn is_global(&self) -> bool {
        matches!(self.target, DeployTarget::Database { global: true, .. })
    }
}
