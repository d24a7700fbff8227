//! What the analysis says about a plan: a problem with a stable code, a severity, the object it points
//! at (an [`ObjectRef`]), a one-line message and a hint.

use std::fmt;

use serde::Serialize;

use crate::plan::ObjectRef;

/// How serious a diagnostic is. Export refuses a plan with any error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The plan would deploy wrongly or unsafely; nothing is exported.
    Error,
    /// Probably a mistake, or a risk the release manager should accept knowingly.
    Warning,
    /// Worth knowing; nothing to fix.
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// Every rule the analysis checks. The code string is stable across releases: scripts may match on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(
                #[doc = $title]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in code order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable code, such as `CUT001`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),* }
            }

            /// The severity diagnostics of this code have.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity),* }
            }

            /// What the rule checks, in a few words (the README's table).
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),* }
            }
        }
    };
}

codes! {
    DependencyCycle = "CUT001", Error, "Services depend on each other in a cycle, so no order can deploy them.";
    MissingReference = "CUT002", Error, "A reference names a service, environment or other object the plan does not have.";
    DuplicateId = "CUT003", Error, "Two objects of the same kind share an id.";
    IdCollision = "CUT004", Error, "Two ids become the same pipeline identifier after sanitising to [A-Za-z_][A-Za-z0-9_]*.";
    PipelineExpressionInText = "CUT005", Error, "Plan text contains pipeline expression syntax (${{ anywhere; $( or $[ outside commands) that a platform would evaluate.";
    TierInversion = "CUT010", Warning, "A lower tier depends on a higher one (a database on an API, a worker on a frontend).";
    ContractBeforeConsumers = "CUT020", Error, "A service uses the migrated database but is not a consumer, so contract could run before it runs the new version.";
    MigrationNotOnDatabase = "CUT021", Error, "A migration's database is not a database-tier service.";
    MigrationWithoutConsumers = "CUT022", Warning, "A migration lists no consumers, so nothing proves its contract phase is safe.";
    HotfixWithoutApproval = "CUT030", Error, "A hotfix runbook has no approval (hotfix is not skip everything).";
    HotfixWithoutTests = "CUT031", Error, "A hotfix runbook runs no critical tests.";
    HotfixWithoutScan = "CUT032", Error, "A hotfix runbook runs no security scan.";
    HotfixMergeBackIncomplete = "CUT033", Error, "A hotfix runbook does not merge back to every branch its branching model requires.";
    HotfixWithoutBackfill = "CUT034", Error, "A hotfix runbook has no post-incident backfill suite.";
    HotfixSkipsWithoutProductionLike = "CUT035", Error, "A hotfix skips lower environments without a production-like hotfix environment.";
    HotfixCheckSkippedAndKept = "CUT036", Error, "A hotfix runbook both skips and keeps the same check.";
    HotfixWithoutServices = "CUT037", Error, "A hotfix runbook deploys no service.";
    MissingHealthCheck = "CUT040", Error, "A production service has no health check, so its stage cannot be gated.";
    WebSocketWithoutDraining = "CUT041", Warning, "A WebSocket service is swapped, rolled or switched between regions by a traffic route without connection draining.";
    CanaryIncrementsInvalid = "CUT042", Error, "Canary increments do not rise strictly to 100.";
    StrategyTargetMismatch = "CUT043", Error, "The deployment strategy cannot be carried out on the service's target.";
    RollingBatchInvalid = "CUT044", Error, "A rolling update's batch is zero, or a percentage outside 1-100.";
    NoRollbackPath = "CUT045", Error, "A production service has no rollback path (App Service without a slot, or a script without a rollback command).";
    ApprovalWithoutTimeout = "CUT050", Warning, "An approval has no timeout, so a stale deployment can sit waiting forever.";
    TooManyReviewers = "CUT051", Error, "An approval names more than the 6 reviewers a GitHub environment allows.";
    WaitTimerTooLong = "CUT052", Error, "A wait timer or approval timeout exceeds the 43,200 minutes (30 days) the platforms allow.";
    ApprovalUnsatisfiable = "CUT053", Error, "An approval requires no approvals, or more than it has approvers.";
    ProductionWithoutApproval = "CUT054", Error, "The release deploys to production (and runs contract migrations) with no approval.";
    ZeroValidationWindow = "CUT060", Warning, "A region is followed by the next with no validation (soak) window.";
    RetryWithoutBackoff = "CUT061", Warning, "Retries have no delay or no growing backoff, so they hammer a throttled service.";
    RetryLimitExceeded = "CUT062", Error, "Retry attempts are zero, or exceed what the platforms allow (Azure caps task retries at 10).";
    NoRegions = "CUT063", Info, "The plan has no regions; it rolls out to a single unnamed region.";
    EmptyPlan = "CUT064", Info, "The plan has no services yet.";
    RegionPlaceholderWithoutRegion = "CUT070", Error, "A `{region}` placeholder is used where there is no region to stand for (a plan without regions, or a global database).";
    SharedPerRegionDatabase = "CUT071", Error, "A database deployed per region names no `{region}`, so every region's migrations would run against one database.";
    GlobalDependsOnRegional = "CUT072", Error, "A global database depends on a service deployed per region.";
    HealthCheckWithoutUrl = "CUT073", Error, "A health check has no base URL and its target has none to derive, so no step could run it.";
    EmptyTargetField = "CUT074", Error, "A field the deployment needs is empty (an app, a resource group, a cluster, a deployment, a manifest, a command...).";
    EnvironmentsShareTargets = "CUT075", Error, "Two environments a pipeline deploys to in turn would deploy to the same resources (no `{environment}` in the target's names).";
    UnusedEnvironment = "CUT076", Warning, "An environment no pipeline deploys to: its protection is never used.";
    PromotionPathInvalid = "CUT077", Error, "The promotion path names an environment twice, or names the rollout environment before it ends there.";
    ApprovalNotEnforceable = "CUT078", Info, "An approval asks for what a platform cannot enforce (several approvers, an expiry on GitHub); the setup scripts and runbooks say so.";
    JobTimeLimitExceeded = "CUT079", Error, "A soak, monitoring window or command budget is longer than the 6 hours a GitHub-hosted job may run.";
    ControlCharacter = "CUT090", Error, "Text holds a control character (NUL, BEL, ESC, DEL...), which no pipeline file can carry safely.";
    LineBreakInName = "CUT091", Error, "A one-line field holds a line break (including U+0085, U+2028 and U+2029, which YAML reads as line breaks).";
    InvisibleCharacter = "CUT092", Error, "Text holds a bidirectional override or a zero-width character, so what is shown is not what runs.";
    TextTooLong = "CUT093", Error, "Text is longer than its field allows.";
    NumberOutOfRange = "CUT094", Error, "A number is outside the range its field allows.";
    IdCharacters = "CUT095", Error, "An id uses characters other than ASCII letters, digits, `-`, `_` and `.` (ids are substituted into names, paths and pipeline ids).";
    InvalidGitRef = "CUT096", Error, "A branch name, branch pattern or git ref is not one git and the platforms accept.";
    InvalidVariableName = "CUT097", Error, "A secret or variable name is not an identifier ([A-Za-z_][A-Za-z0-9_]*).";
    LoggingCommandInText = "CUT098", Error, "Text holds `##vso[` or `##[`, which Azure Pipelines runs as a logging command when a step prints it.";
    InvalidSetting = "CUT099", Error, "A platform setting (runner label, agent pool, service connection, repository...) is not one the platform accepts.";
    OutputFileCollision = "CUT100", Error, "Two runbooks would write the same generated files (ids that differ only in case or punctuation).";
    AlertGateIncomplete = "CUT110", Error, "An Azure Monitor alert gate names no alert rule, or no scope to read alerts under.";
    GateTimingInvalid = "CUT111", Error, "A quality gate's timeout is zero or longer than a job can wait (340 minutes of GitHub's 6 hours), or its poll interval is zero or longer than its timeout.";
    GateSettingInvalid = "CUT112", Error, "A quality gate's URL is not an http(s) URL, or a SonarQube gate lacks its project key or token secret.";
    GateJsonPathInvalid = "CUT113", Error, "A REST gate's JSON path is not dot-separated keys and indexes, or it expects a value without saying where.";
    TrafficRouteUnplaced = "CUT120", Error, "A traffic route fronts an environment the release does not deploy to, or one with fewer than two regions, so no region keeps the old version to switch back to.";
    TrafficEndpointsMismatch = "CUT121", Error, "A traffic route does not name exactly one endpoint for each region of its environment, or names one endpoint for two regions.";
    TrafficStepsInvalid = "CUT122", Error, "A weighted traffic route names no steps, steps that do not increase from 1 to 99 %, or a step soak that is zero or longer than a job can wait.";
    TrafficRouterSettingInvalid = "CUT123", Error, "A traffic switch waits longer than a job can (the DNS TTL plus the longest connection draining), or an endpoint's weight is outside the router's 1–1,000.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem the analysis found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that found it.
    pub code: Code,
    /// How serious it is (always the code's severity).
    pub severity: Severity,
    /// The object it points at.
    pub subject: ObjectRef,
    /// What is wrong, in one line.
    pub message: String,
    /// How to fix it, in one line.
    pub hint: String,
}

impl Diagnostic {
    /// A diagnostic of `code` about `subject`.
    pub fn new(
        code: Code,
        subject: ObjectRef,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: code.severity(),
            subject,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}: {}",
            self.severity, self.code, self.subject, self.message
        )
    }
}
