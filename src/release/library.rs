//! The script library: the bash every pipeline step runs, written once and committed with the export
//! (`cutover/PLAN.sh`). A step runs `bash cutover/PLAN.sh COMMAND` with its inputs in environment
//! variables, so the workflows stay short and every piece of logic has one copy to review.
//!
//! Everything here is fixed text: values from the plan arrive only as environment variables and are
//! always used double-quoted, so no plan text is ever parsed by a shell or a pipeline expression. The
//! plan's own commands run through `bash -c "$COMMAND"`, which is where the plan author asked for shell.

/// One command of the library: what a pipeline step asks the library to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LibraryCommand {
    /// Runs `COMMAND` (plan text) once.
    RunPlanCommand,
    /// Runs `COMMAND` (plan text), retrying transient failures with the plan's backoff.
    RunPlanCommandWithRetry,
    /// Polls `HEALTH_URL` until it answers `HEALTH_EXPECTED_STATUS`.
    HealthGate,
    /// Deploys `PACKAGE` to slot `SLOT` of App Service `APP` and marks the slot with `BUILD_ID`.
    AppServiceDeployToSlot,
    /// Deploys `PACKAGE` to App Service `APP` in place.
    AppServiceDeployInPlace,
    /// Swaps `SLOT` into production, holding a preview for `DRAIN_SECONDS` first.
    AppServiceSwap,
    /// Routes `CANARY_INCREMENTS` of traffic to `SLOT` in turn, checking production, then swaps.
    AppServiceCanary,
    /// Undoes an App Service deployment, only if production runs `BUILD_ID`.
    AppServiceRollback,
    /// Fetches the credentials of AKS cluster `CLUSTER`.
    KubernetesConnect,
    /// Applies `MANIFESTS` with the rollout paused, sets batch, grace period and build, and waits.
    KubernetesDeploy,
    /// Undoes a Kubernetes rollout, only if the deployment runs `BUILD_ID`.
    KubernetesRollback,
    /// Uploads `SOURCE_DIR` to storage account `STORAGE_ACCOUNT`, keeping the previous files.
    StaticSiteDeploy,
    /// Restores the previous static site, only if the live site is `BUILD_ID`.
    StaticSiteRollback,
    /// Checks that database `DATABASE_NAME` of engine `DATABASE_ENGINE` answers.
    DatabaseCheck,
    /// Runs one migration step's `COMMAND` with the database's connection details.
    Migrate,
    /// Waits `SOAK_MINUTES` minutes (a validation window).
    Soak,
    /// Polls every `HEALTH_TARGETS` line each minute for `MONITOR_MINUTES` minutes.
    Monitor,
    /// Merges or cherry-picks the hotfix branch back into every `MERGE_TARGETS` branch.
    MergeBack,
    /// Refuses to go on when the pipeline input `INPUT_VALUE` (named `INPUT_NAME`) is empty.
    RequireInput,
    /// Marks the end of a wave: every step of the wave before it has finished.
    WaveComplete,
    /// Checks that this run of a later part of a chained release continues the part before it, for
    /// the commit the first part built.
    ChainContinue,
    /// Starts the next part of a chained release (GitHub: a `workflow_dispatch` of its workflow).
    ChainNext,
    /// Copies each folder of `SITE_DIRS` (one per line, the static sites' built files) under
    /// `ARTIFACTS_DIR/site-files/`, so the deployments, which start from a fresh checkout, find them in
    /// the artifact.
    KeepSiteFiles,
    /// Watches for `GATE_TIMEOUT_MINUTES` minutes that no alert of the `ALERT_RULES` (one per line)
    /// fires under the Azure resource `ALERT_SCOPE`, polling every `GATE_INTERVAL_SECONDS`.
    AlertsGate,
    /// Waits until SonarQube at `SONAR_URL` reports project `SONAR_PROJECT`'s quality gate passed
    /// (token `SONAR_TOKEN`); fails at once on a failed gate, or when `GATE_TIMEOUT_MINUTES` pass.
    SonarQubeGate,
    /// Waits until `GATE_URL` answers `GATE_EXPECTED_STATUS` and, when `GATE_JSON_PATH` (a JSON array of
    /// keys and indexes) is not empty, the field there equals `GATE_JSON_EQUALS`.
    RestGate,
    /// Undoes the deployments of place `ROLLBACK_PLACE`, newest first, as the library's rollback data
    /// file beside it lists them (`cutover/PLAN-rollbacks.jsonl`: JSON lines after `#` comments).
    RollbackPlace,
    /// Applies `TRAFFIC_CHANGES` (lines `ENDPOINT in|out WEIGHT|-`) to the Traffic Manager profile or
    /// Front Door origin group `TRAFFIC_PROFILE`, in order; waits until the router sees every endpoint
    /// put in rotation as healthy, then `TRAFFIC_WAIT_SECONDS` (DNS TTL and draining).
    TrafficSet,
}

impl LibraryCommand {
    /// Every command, in the library's order.
    pub const ALL: [LibraryCommand; 28] = [
        LibraryCommand::RunPlanCommand,
        LibraryCommand::RunPlanCommandWithRetry,
        LibraryCommand::HealthGate,
        LibraryCommand::AppServiceDeployToSlot,
        LibraryCommand::AppServiceDeployInPlace,
        LibraryCommand::AppServiceSwap,
        LibraryCommand::AppServiceCanary,
        LibraryCommand::AppServiceRollback,
        LibraryCommand::KubernetesConnect,
        LibraryCommand::KubernetesDeploy,
        LibraryCommand::KubernetesRollback,
        LibraryCommand::StaticSiteDeploy,
        LibraryCommand::StaticSiteRollback,
        LibraryCommand::DatabaseCheck,
        LibraryCommand::Migrate,
        LibraryCommand::Soak,
        LibraryCommand::Monitor,
        LibraryCommand::MergeBack,
        LibraryCommand::RequireInput,
        LibraryCommand::WaveComplete,
        LibraryCommand::ChainContinue,
        LibraryCommand::ChainNext,
        LibraryCommand::KeepSiteFiles,
        LibraryCommand::AlertsGate,
        LibraryCommand::SonarQubeGate,
        LibraryCommand::RestGate,
        LibraryCommand::RollbackPlace,
        LibraryCommand::TrafficSet,
    ];

    /// The command's name on the library's command line (`bash cutover/PLAN.sh NAME`).
    pub fn name(self) -> &'static str {
        match self {
            LibraryCommand::RunPlanCommand => "run-plan-command",
            LibraryCommand::RunPlanCommandWithRetry => "run-plan-command-with-retry",
            LibraryCommand::HealthGate => "health-gate",
            LibraryCommand::AppServiceDeployToSlot => "app-service-deploy-to-slot",
            LibraryCommand::AppServiceDeployInPlace => "app-service-deploy-in-place",
            LibraryCommand::AppServiceSwap => "app-service-swap",
            LibraryCommand::AppServiceCanary => "app-service-canary",
            LibraryCommand::AppServiceRollback => "app-service-rollback",
            LibraryCommand::KubernetesConnect => "kubernetes-connect",
            LibraryCommand::KubernetesDeploy => "kubernetes-deploy",
            LibraryCommand::KubernetesRollback => "kubernetes-rollback",
            LibraryCommand::StaticSiteDeploy => "static-site-deploy",
            LibraryCommand::StaticSiteRollback => "static-site-rollback",
            LibraryCommand::DatabaseCheck => "database-check",
            LibraryCommand::Migrate => "migrate",
            LibraryCommand::Soak => "soak",
            LibraryCommand::Monitor => "monitor",
            LibraryCommand::MergeBack => "merge-back",
            LibraryCommand::RequireInput => "require-input",
            LibraryCommand::WaveComplete => "wave-complete",
            LibraryCommand::ChainContinue => "chain-continue",
            LibraryCommand::ChainNext => "chain-next",
            LibraryCommand::KeepSiteFiles => "keep-site-files",
            LibraryCommand::AlertsGate => "alerts-gate",
            LibraryCommand::SonarQubeGate => "sonarqube-gate",
            LibraryCommand::RestGate => "rest-gate",
            LibraryCommand::RollbackPlace => "rollback-place",
            LibraryCommand::TrafficSet => "traffic-set",
        }
    }

    /// The shell function that carries the command out.
    fn function(self) -> String {
        self.name().replace('-', "_")
    }

    /// Whether the command calls the Azure CLI (or `kubectl` through it), so its job must sign in.
    pub fn signs_in(self) -> bool {
        match self {
            LibraryCommand::AppServiceDeployToSlot
            | LibraryCommand::AppServiceDeployInPlace
            | LibraryCommand::AppServiceSwap
            | LibraryCommand::AppServiceCanary
            | LibraryCommand::AppServiceRollback
            | LibraryCommand::KubernetesConnect
            | LibraryCommand::KubernetesDeploy
            | LibraryCommand::KubernetesRollback
            | LibraryCommand::StaticSiteDeploy
            | LibraryCommand::StaticSiteRollback
            | LibraryCommand::DatabaseCheck
            | LibraryCommand::Migrate
            | LibraryCommand::AlertsGate
            | LibraryCommand::RollbackPlace
            | LibraryCommand::TrafficSet => true,
            LibraryCommand::RunPlanCommand
            | LibraryCommand::RunPlanCommandWithRetry
            | LibraryCommand::HealthGate
            | LibraryCommand::Soak
            | LibraryCommand::Monitor
            | LibraryCommand::MergeBack
            | LibraryCommand::RequireInput
            | LibraryCommand::WaveComplete
            | LibraryCommand::ChainContinue
            | LibraryCommand::ChainNext
            | LibraryCommand::KeepSiteFiles
            | LibraryCommand::SonarQubeGate
            | LibraryCommand::RestGate => false,
        }
    }

    /// The function's body.
    fn body(self) -> &'static str {
        match self {
            LibraryCommand::RunPlanCommand => RUN_PLAN_COMMAND,
            LibraryCommand::RunPlanCommandWithRetry => RUN_PLAN_COMMAND_WITH_RETRY,
            LibraryCommand::HealthGate => HEALTH_GATE,
            LibraryCommand::AppServiceDeployToSlot => APP_SERVICE_DEPLOY_TO_SLOT,
            LibraryCommand::AppServiceDeployInPlace => APP_SERVICE_DEPLOY_IN_PLACE,
            LibraryCommand::AppServiceSwap => APP_SERVICE_SWAP,
            LibraryCommand::AppServiceCanary => APP_SERVICE_CANARY,
            LibraryCommand::AppServiceRollback => APP_SERVICE_ROLLBACK,
            LibraryCommand::KubernetesConnect => KUBERNETES_CONNECT,
            LibraryCommand::KubernetesDeploy => KUBERNETES_DEPLOY,
            LibraryCommand::KubernetesRollback => KUBERNETES_ROLLBACK,
            LibraryCommand::StaticSiteDeploy => STATIC_SITE_DEPLOY,
            LibraryCommand::StaticSiteRollback => STATIC_SITE_ROLLBACK,
            LibraryCommand::DatabaseCheck => DATABASE_CHECK,
            LibraryCommand::Migrate => MIGRATE,
            LibraryCommand::Soak => SOAK,
            LibraryCommand::Monitor => MONITOR,
            LibraryCommand::MergeBack => MERGE_BACK,
            LibraryCommand::RequireInput => REQUIRE_INPUT,
            LibraryCommand::WaveComplete => WAVE_COMPLETE,
            LibraryCommand::ChainContinue => CHAIN_CONTINUE,
            LibraryCommand::ChainNext => CHAIN_NEXT,
            LibraryCommand::KeepSiteFiles => KEEP_SITE_FILES,
            LibraryCommand::AlertsGate => ALERTS_GATE,
            LibraryCommand::SonarQubeGate => SONARQUBE_GATE,
            LibraryCommand::RestGate => REST_GATE,
            LibraryCommand::RollbackPlace => ROLLBACK_PLACE,
            LibraryCommand::TrafficSet => TRAFFIC_SET,
        }
    }
}

/// The library's text after its header: the shared helpers, one function per command, and the
/// dispatch on the command line's first word.
pub fn library_body() -> String {
    let mut text = String::from(PREAMBLE);
    for command in LibraryCommand::ALL {
        text.push('\n');
        text.push_str(&format!("{}() {{\n", command.function()));
        text.push_str(command.body());
        text.push_str("}\n");
    }
    text.push_str("\ncommand=\"${1:-}\"\ncase \"$command\" in\n");
    for command in LibraryCommand::ALL {
        text.push_str(&format!(
            "  {}) {} ;;\n",
            command.name(),
            command.function()
        ));
    }
    text.push_str(
        "  *)\n    echo \"usage: $0 COMMAND (one of the commands above); got '$command'\" >&2\n    exit 2\n    ;;\nesac\n",
    );
    text
}

/// Strict mode and the helpers every command shares.
const PREAMBLE: &str = r#"# The shared steps of the generated pipelines. Each step runs `bash THIS_FILE COMMAND` with its inputs
# in environment variables; plan text arrives only there and is always used double-quoted.
set -euo pipefail

# retry CMD...: runs a command, retrying transient failures with exponential backoff taken from
# RETRY_ATTEMPTS, RETRY_DELAY_SECONDS, RETRY_BACKOFF and RETRY_MAX_DELAY_SECONDS.
retry() {
  local attempt=1
  local delay="$RETRY_DELAY_SECONDS"
  until "$@"; do
    if [ "$attempt" -ge "$RETRY_ATTEMPTS" ]; then
      echo "failed after $attempt attempts: $*" >&2
      return 1
    fi
    echo "attempt $attempt failed (transient?); retrying in ${delay}s" >&2
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$(awk -v d="$delay" -v f="$RETRY_BACKOFF" -v m="$RETRY_MAX_DELAY_SECONDS" 'BEGIN { n = d * f; if (n > m) n = m; printf "%d", n }')
  done
}

# health_check URL [STATUS]: polls URL until it answers STATUS (default HEALTH_EXPECTED_STATUS), at most
# HEALTH_RETRIES more times, HEALTH_INTERVAL_SECONDS apart, each request limited to HEALTH_TIMEOUT_SECONDS.
health_check() {
  local url="$1"
  local expected="${2:-$HEALTH_EXPECTED_STATUS}"
  local try=0
  local status
  while :; do
    status=$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time "$HEALTH_TIMEOUT_SECONDS" "$url" || true)
    if [ "$status" = "$expected" ]; then
      echo "healthy: $url answered $status"
      return 0
    fi
    try=$((try + 1))
    if [ "$try" -gt "$HEALTH_RETRIES" ]; then
      echo "unhealthy: $url answered ${status:-nothing}, expected $expected" >&2
      return 1
    fi
    echo "waiting for $url (answered ${status:-nothing}, try $try of $HEALTH_RETRIES)"
    sleep "$HEALTH_INTERVAL_SECONDS"
  done
}

# git_with_token ARGS...: runs git authenticated with REPOSITORY_TOKEN (checkouts keep no credentials).
git_with_token() {
  local header
  case "$PLATFORM" in
    github) header="AUTHORIZATION: basic $(printf 'x-access-token:%s' "$REPOSITORY_TOKEN" | base64 --wrap=0)" ;;
    azure) header="AUTHORIZATION: bearer $REPOSITORY_TOKEN" ;;
    *)
      echo "unknown platform '$PLATFORM'" >&2
      return 2
      ;;
  esac
  git -c "http.extraheader=$header" "$@"
}

# open_pull_request TARGET SOURCE TITLE: opens a pull request with the platform's tool.
open_pull_request() {
  case "$PLATFORM" in
    github)
      GH_TOKEN="$REPOSITORY_TOKEN" gh pr create --base "$1" --head "$2" --title "$3" --body "Opened by the hotfix pipeline (Cutover)."
      ;;
    azure)
      AZURE_DEVOPS_EXT_PAT="$REPOSITORY_TOKEN" az repos pr create --organization "$SYSTEM_COLLECTIONURI" --project "$SYSTEM_TEAMPROJECT" --repository "$BUILD_REPOSITORY_NAME" --target-branch "$1" --source-branch "$2" --title "$3" --output none
      ;;
    *)
      echo "unknown platform '$PLATFORM'" >&2
      return 2
      ;;
  esac
}

# swap_into_production: swaps SLOT of APP into production, holding a preview for DRAIN_SECONDS first so
# in-flight requests finish (connection draining) when the plan asks for it.
swap_into_production() {
  if [ "$DRAIN_SECONDS" -gt 0 ]; then
    retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production --action preview
    echo "draining: holding ${DRAIN_SECONDS}s so in-flight requests finish before the swap completes"
    sleep "$DRAIN_SECONDS"
    retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production --action swap
  else
    retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production
  fi
}
"#;

const RUN_PLAN_COMMAND: &str = r#"  bash -c "$COMMAND"
"#;

const RUN_PLAN_COMMAND_WITH_RETRY: &str = r#"  retry bash -c "$COMMAND"
"#;

const HEALTH_GATE: &str = r#"  health_check "$HEALTH_URL"
"#;

const APP_SERVICE_DEPLOY_TO_SLOT: &str = r#"  retry az webapp deploy --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --src-path "$PACKAGE" --type zip
  retry az webapp config appsettings set --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --settings "CUTOVER_BUILD=$BUILD_ID" --output none
"#;

const APP_SERVICE_DEPLOY_IN_PLACE: &str = r#"  retry az webapp deploy --resource-group "$RESOURCE_GROUP" --name "$APP" --src-path "$PACKAGE" --type zip
"#;

const APP_SERVICE_SWAP: &str = r#"  swap_into_production
"#;

const APP_SERVICE_CANARY: &str = r#"  local percent
  local increments
  read -ra increments <<< "$CANARY_INCREMENTS"
  for percent in "${increments[@]}"; do
    if [ "$percent" -ge 100 ]; then
      break
    fi
    retry az webapp traffic-routing set --resource-group "$RESOURCE_GROUP" --name "$APP" --distribution "$SLOT=$percent"
    echo "canary: ${percent}% of traffic on $SLOT; observing for ${CANARY_OBSERVE_SECONDS}s"
    sleep "$CANARY_OBSERVE_SECONDS"
    if [ -n "$HEALTH_URL" ]; then
      health_check "$HEALTH_URL"
    fi
  done
  retry az webapp traffic-routing clear --resource-group "$RESOURCE_GROUP" --name "$APP"
  swap_into_production
"#;

const APP_SERVICE_ROLLBACK: &str = r#"  local running
  az webapp traffic-routing clear --resource-group "$RESOURCE_GROUP" --name "$APP" || true
  az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production --action reset || true
  running=$(az webapp config appsettings list --resource-group "$RESOURCE_GROUP" --name "$APP" --query "[?name=='CUTOVER_BUILD'].value | [0]" --output tsv)
  if [ "$running" != "$BUILD_ID" ]; then
    echo "production does not run build $BUILD_ID: the new version never reached it; nothing to swap back"
    return 0
  fi
  retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production
  if [ -n "$HEALTH_URL" ]; then
    health_check "$HEALTH_URL"
  fi
"#;

const KUBERNETES_CONNECT: &str = r#"  retry az aks get-credentials --resource-group "$RESOURCE_GROUP" --name "$CLUSTER" --overwrite-existing
"#;

const KUBERNETES_DEPLOY: &str = r#"  local manifest
  local patch
  kubectl --namespace "$NAMESPACE" rollout pause deployment "$DEPLOYMENT" || true
  while IFS= read -r manifest; do
    if [ -n "$manifest" ]; then
      retry kubectl --namespace "$NAMESPACE" apply --filename "$manifest"
    fi
  done <<< "$MANIFESTS"
  patch=$(jq --null-input --arg build "$BUILD_ID" --arg unavailable "$MAX_UNAVAILABLE" --argjson grace "$DRAIN_SECONDS" '
    {spec: {template: {metadata: {annotations: {"cutover-build": $build}}}}}
    | if $grace > 0 then .spec.template.spec.terminationGracePeriodSeconds = $grace else . end
    | if $unavailable != "" then .spec.strategy = {type: "RollingUpdate", rollingUpdate: {maxSurge: 1, maxUnavailable: (if ($unavailable | endswith("%")) then $unavailable else ($unavailable | tonumber) end)}} else . end')
  retry kubectl --namespace "$NAMESPACE" patch deployment "$DEPLOYMENT" --type merge --patch "$patch"
  kubectl --namespace "$NAMESPACE" rollout resume deployment "$DEPLOYMENT"
  kubectl --namespace "$NAMESPACE" rollout status deployment "$DEPLOYMENT" --timeout "${ROLLOUT_TIMEOUT_SECONDS}s"
"#;

const KUBERNETES_ROLLBACK: &str = r#"  local running
  kubectl --namespace "$NAMESPACE" rollout resume deployment "$DEPLOYMENT" || true
  running=$(kubectl --namespace "$NAMESPACE" get deployment "$DEPLOYMENT" --output json | jq --raw-output '.spec.template.metadata.annotations["cutover-build"] // ""')
  if [ "$running" != "$BUILD_ID" ]; then
    echo "the deployment does not run build $BUILD_ID; nothing to undo"
    return 0
  fi
  retry kubectl --namespace "$NAMESPACE" rollout undo deployment "$DEPLOYMENT"
  kubectl --namespace "$NAMESPACE" rollout status deployment "$DEPLOYMENT" --timeout "${ROLLOUT_TIMEOUT_SECONDS}s"
"#;

const STATIC_SITE_DEPLOY: &str = r#"  local marker
  retry az storage container create --account-name "$STORAGE_ACCOUNT" --name cutover-previous --auth-mode login --output none
  retry az storage blob delete-batch --account-name "$STORAGE_ACCOUNT" --source cutover-previous --auth-mode login --output none
  retry az storage blob copy start-batch --account-name "$STORAGE_ACCOUNT" --source-account-name "$STORAGE_ACCOUNT" --source-container '$web' --destination-container cutover-previous --auth-mode login --output none
  retry az storage blob upload-batch --account-name "$STORAGE_ACCOUNT" --destination '$web' --source "$SOURCE_DIR" --overwrite --auth-mode login --output none
  marker=$(mktemp)
  printf '%s' "$BUILD_ID" > "$marker"
  retry az storage blob upload --account-name "$STORAGE_ACCOUNT" --container-name '$web' --name cutover-build.txt --file "$marker" --overwrite --auth-mode login --output none
"#;

const STATIC_SITE_ROLLBACK: &str = r#"  local marker
  local running=""
  marker=$(mktemp)
  if az storage blob download --account-name "$STORAGE_ACCOUNT" --container-name '$web' --name cutover-build.txt --file "$marker" --auth-mode login --output none; then
    running=$(cat "$marker")
  fi
  if [ "$running" != "$BUILD_ID" ]; then
    echo "the live site is not build $BUILD_ID; nothing to restore"
    return 0
  fi
  retry az storage blob delete-batch --account-name "$STORAGE_ACCOUNT" --source '$web' --auth-mode login --output none
  retry az storage blob copy start-batch --account-name "$STORAGE_ACCOUNT" --source-account-name "$STORAGE_ACCOUNT" --source-container cutover-previous --destination-container '$web' --auth-mode login --output none
  if [ -n "$HEALTH_URL" ]; then
    health_check "$HEALTH_URL"
  fi
"#;

const DATABASE_CHECK: &str = r#"  case "$DATABASE_ENGINE" in
    azure-sql)
      retry az sql db show --resource-group "$RESOURCE_GROUP" --server "$DATABASE_SERVER" --name "$DATABASE_NAME" --output none
      ;;
    postgresql)
      retry az postgres flexible-server db show --resource-group "$RESOURCE_GROUP" --server-name "$DATABASE_SERVER" --name "$DATABASE_NAME" --output none
      ;;
    mysql)
      retry az mysql flexible-server db show --resource-group "$RESOURCE_GROUP" --server-name "$DATABASE_SERVER" --database-name "$DATABASE_NAME" --output none
      ;;
    cosmos-db)
      retry az cosmosdb sql database show --resource-group "$RESOURCE_GROUP" --account-name "$DATABASE_SERVER" --name "$DATABASE_NAME" --output none
      ;;
    script)
      echo "database $DATABASE_NAME changes only through its migration commands; nothing to check in the cloud"
      return 0
      ;;
    *)
      echo "unknown database engine '$DATABASE_ENGINE'" >&2
      return 2
      ;;
  esac
  echo "database $DATABASE_NAME on $DATABASE_SERVER is reachable; schema changes run in the expand and contract stages"
"#;

const MIGRATE: &str = r#"  local token=""
  case "$DATABASE_ENGINE" in
    azure-sql)
      token=$(retry az account get-access-token --resource "$DATABASE_TOKEN_RESOURCE" --query accessToken --output tsv)
      ;;
    postgresql | mysql)
      token=$(retry az account get-access-token --resource-type oss-rdbms --query accessToken --output tsv)
      ;;
  esac
  echo "$MIGRATION_PHASE on $DATABASE_NAME at $DATABASE_HOST"
  DATABASE_ACCESS_TOKEN="$token" bash -c "$COMMAND"
"#;

const TRAFFIC_SET: &str = r#"  local line name rotation weight kind status deadline subscription=""
  local -a lines enabled=()
  mapfile -t lines <<< "$TRAFFIC_CHANGES"
  # front_door_origin NAME: the Azure resource path of Front Door origin NAME; `az rest` puts the
  # current cloud's Resource Manager host before it.
  front_door_origin() {
    printf '/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Cdn/profiles/%s/originGroups/%s/origins/%s?api-version=2024-09-01' \
      "$subscription" "$TRAFFIC_RESOURCE_GROUP" "$TRAFFIC_PROFILE" "$TRAFFIC_ORIGIN_GROUP" "$1"
  }
  if [ "$TRAFFIC_ROUTER" = front-door ]; then
    subscription=$(retry az account show --query id --output tsv)
  fi
  if [ "$TRAFFIC_ROUTER" = traffic-manager ]; then
    local profile ttl method
    profile=$(retry az network traffic-manager profile show --resource-group "$TRAFFIC_RESOURCE_GROUP" --name "$TRAFFIC_PROFILE" --output json)
    ttl=$(jq --raw-output '.dnsConfig.ttl // 0' <<< "$profile")
    method=$(jq --raw-output '.trafficRoutingMethod // ""' <<< "$profile")
    if [ "$ttl" -gt "$TRAFFIC_DNS_TTL_SECONDS" ]; then
      echo "traffic '$TRAFFIC_ROUTE': the profile's DNS TTL is ${ttl}s, longer than the ${TRAFFIC_DNS_TTL_SECONDS}s the plan waits; refusing to switch" >&2
      return 1
    fi
    if [ "$TRAFFIC_WEIGHTED" = true ] && [ "$method" != Weighted ]; then
      echo "traffic '$TRAFFIC_ROUTE': the profile routes by '$method', not by weight; refusing weighted steps" >&2
      return 1
    fi
  fi
  for line in "${lines[@]}"; do
    [ -n "$line" ] || continue
    read -r name rotation weight <<< "$line"
    if [ "$weight" != - ] && ! [[ "$weight" =~ ^[0-9]+$ ]]; then
      echo "traffic '$TRAFFIC_ROUTE': weight '$weight' of $name is not a number" >&2
      return 1
    fi
    local -a weight_args=()
    if [ "$weight" != - ]; then
      weight_args=(--weight "$weight")
    fi
    if [ "$TRAFFIC_ROUTER" = traffic-manager ]; then
      local state=Disabled
      [ "$rotation" = in ] && state=Enabled
      kind=$(retry az network traffic-manager endpoint list --resource-group "$TRAFFIC_RESOURCE_GROUP" --profile-name "$TRAFFIC_PROFILE" --output json \
        | jq --raw-output --arg name "$name" '[.[] | select(.name == $name) | .type | split("/") | last] | first // ""')
      if [ -z "$kind" ]; then
        echo "traffic '$TRAFFIC_ROUTE': profile $TRAFFIC_PROFILE has no endpoint '$name'" >&2
        return 1
      fi
      echo "traffic '$TRAFFIC_ROUTE': endpoint $name $state ${weight_args[*]}"
      retry az network traffic-manager endpoint update --resource-group "$TRAFFIC_RESOURCE_GROUP" --profile-name "$TRAFFIC_PROFILE" --name "$name" --type "$kind" --endpoint-status "$state" "${weight_args[@]}" --output none
      [ "$rotation" = in ] && enabled+=("$name:$kind")
    else
      local state=Disabled body
      [ "$rotation" = in ] && state=Enabled
      if [ "$weight" = - ]; then
        body=$(jq --null-input --compact-output --arg state "$state" '{properties: {enabledState: $state}}')
      else
        body=$(jq --null-input --compact-output --arg state "$state" --argjson weight "$weight" '{properties: {enabledState: $state, weight: $weight}}')
      fi
      echo "traffic '$TRAFFIC_ROUTE': origin $name $state ${weight_args[*]}"
      retry az rest --method patch --url "$(front_door_origin "$name")" --body "$body" --output none
      [ "$rotation" = in ] && enabled+=("$name:origin")
    fi
  done
  deadline=$(( $(date +%s) + TRAFFIC_HEALTH_MINUTES * 60 ))
  for line in "${enabled[@]}"; do
    name="${line%%:*}"
    kind="${line#*:}"
    while :; do
      if [ "$TRAFFIC_ROUTER" = traffic-manager ]; then
        status=$(retry az network traffic-manager endpoint show --resource-group "$TRAFFIC_RESOURCE_GROUP" --profile-name "$TRAFFIC_PROFILE" --name "$name" --type "$kind" --output json | jq --raw-output '.endpointMonitorStatus // ""')
        [ "$status" = Online ] && break
      else
        status=$(retry az rest --method get --url "$(front_door_origin "$name")" --output json | jq --raw-output '.properties.provisioningState // ""')
        [ "$status" = Succeeded ] && break
      fi
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "traffic '$TRAFFIC_ROUTE': $name is '$status' after $TRAFFIC_HEALTH_MINUTES minutes in rotation; failing so the release switches back" >&2
        return 1
      fi
      echo "traffic '$TRAFFIC_ROUTE': $name is '$status'; waiting"
      sleep 15
    done
    echo "traffic '$TRAFFIC_ROUTE': $name is $status"
  done
  echo "traffic '$TRAFFIC_ROUTE': waiting ${TRAFFIC_WAIT_SECONDS}s for cached DNS answers to expire and connections to drain"
  sleep "$TRAFFIC_WAIT_SECONDS"
"#;
const SOAK: &str = r#"  echo "soaking for $SOAK_MINUTES minutes before the next step"
  sleep $((SOAK_MINUTES * 60))
"#;

const MONITOR: &str = r#"  local deadline
  local expected
  local url
  echo "enhanced monitoring for $MONITOR_MINUTES minutes; incident bridge: $INCIDENT_BRIDGE; incident: ${INCIDENT:-not given}"
  deadline=$(( $(date +%s) + MONITOR_MINUTES * 60 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    while read -r expected url; do
      if [ -n "$url" ]; then
        health_check "$url" "$expected"
      fi
    done <<< "$HEALTH_TARGETS"
    sleep 60
  done
  echo "monitoring window over: all services stayed healthy"
"#;

const MERGE_BACK: &str = r#"  local source_branch="${SOURCE_BRANCH#refs/heads/}"
  local target
  local base
  local pick_branch
  local commits
  git config user.name "Cutover hotfix"
  git config user.email "cutover-hotfix@users.noreply.localhost"
  local source_ref_commit
  git_with_token fetch origin "$SOURCE_REF"
  source_ref_commit=$(git rev-parse FETCH_HEAD)
  git_with_token fetch origin "$source_branch"
  # The fix is what the hotfix branch added since it left its source ref, and nothing else.
  base=$(git merge-base "origin/$source_branch" "$source_ref_commit")
  while IFS= read -r target; do
    if [ -z "$target" ]; then
      continue
    fi
    git_with_token fetch origin "$target"
    if [ "$MERGE_METHOD" = "cherry-pick" ]; then
      pick_branch="cherry-pick/${source_branch}-to-${target}"
      git switch --create "$pick_branch" "origin/$target"
      mapfile -t commits < <(git rev-list --reverse --no-merges "$base..origin/$source_branch")
      if [ "${#commits[@]}" -gt 0 ]; then
        git cherry-pick -x "${commits[@]}"
      fi
      git_with_token push origin "$pick_branch"
      open_pull_request "$target" "$pick_branch" "Cherry-pick hotfix $source_branch into $target"
    else
      open_pull_request "$target" "$source_branch" "Merge hotfix $source_branch back into $target"
    fi
  done <<< "$MERGE_TARGETS"
"#;

const REQUIRE_INPUT: &str = r#"  if [ -z "${INPUT_VALUE//[[:space:]]/}" ]; then
    echo "the pipeline needs its '$INPUT_NAME' input; start it again and give one" >&2
    return 1
  fi
  echo "$INPUT_NAME: $INPUT_VALUE"
"#;

/// The folder under the artifacts where the build keeps the static sites' built files.
pub const SITE_FILES: &str = "site-files";

const KEEP_SITE_FILES: &str = r#"  local dir
  while IFS= read -r dir; do
    [ -n "$dir" ] || continue
    if [ ! -d "$dir" ]; then
      echo "the build left no folder $dir for a static site" >&2
      return 1
    fi
    mkdir -p "$ARTIFACTS_DIR/site-files/$dir"
    cp -R "$dir/." "$ARTIFACTS_DIR/site-files/$dir/"
    echo "kept $dir in the artifact"
  done <<< "$SITE_DIRS"
"#;

// The alerts of the last day under the scope, from the Alerts Management API; an alert counts when it
// fired at or after the gate started and its rule's name is one of ALERT_RULES.
const ALERTS_GATE: &str = r#"  local started deadline fired
  started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  deadline=$(( $(date +%s) + GATE_TIMEOUT_MINUTES * 60 ))
  echo "gate '$GATE_NAME': watching alert rules for $GATE_TIMEOUT_MINUTES minutes from $started"
  while :; do
    fired=$(retry az rest --method get --url "${ALERT_SCOPE}/providers/Microsoft.AlertsManagement/alerts?api-version=2019-05-05-preview&timeRange=1d&monitorCondition=Fired" --output json \
      | jq --raw-output --arg since "$started" --arg rules "$ALERT_RULES" '
          ($rules | split("\n") | map(select(length > 0))) as $names
          | [.value[]?.properties.essentials
             | select((.startDateTime // "") >= $since)
             | select((.alertRule // "" | split("/") | last) as $rule | any($names[]; . == $rule))
             | .alertRule | split("/") | last]
          | unique | join(", ")')
    if [ -n "$fired" ]; then
      echo "gate '$GATE_NAME' failed: alert rules fired: $fired" >&2
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "gate '$GATE_NAME' passed: no watched alert fired in $GATE_TIMEOUT_MINUTES minutes"
      return 0
    fi
    sleep "$GATE_INTERVAL_SECONDS"
  done
"#;

const SONARQUBE_GATE: &str = r#"  local deadline answer status
  deadline=$(( $(date +%s) + GATE_TIMEOUT_MINUTES * 60 ))
  while :; do
    answer=$(curl --silent --show-error --fail --max-time 30 --user "$SONAR_TOKEN:" --get --data-urlencode "projectKey=$SONAR_PROJECT" "${SONAR_URL%/}/api/qualitygates/project_status" || true)
    status=$(printf '%s' "$answer" | jq --raw-output '.projectStatus.status // "NONE"' 2>/dev/null || true)
    status="${status:-NONE}"
    case "$status" in
      OK | WARN)
        echo "gate '$GATE_NAME' passed: the quality gate of $SONAR_PROJECT is $status"
        return 0
        ;;
      ERROR)
        echo "gate '$GATE_NAME' failed: the quality gate of $SONAR_PROJECT is ERROR" >&2
        return 1
        ;;
    esac
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "gate '$GATE_NAME' failed: no quality-gate verdict for $SONAR_PROJECT in $GATE_TIMEOUT_MINUTES minutes (last: $status)" >&2
      return 1
    fi
    echo "waiting for the quality gate of $SONAR_PROJECT (status $status)"
    sleep "$GATE_INTERVAL_SECONDS"
  done
"#;

const REST_GATE: &str = r#"  local deadline body status value
  deadline=$(( $(date +%s) + GATE_TIMEOUT_MINUTES * 60 ))
  body=$(mktemp)
  while :; do
    status=$(curl --silent --output "$body" --write-out '%{http_code}' --max-time 30 "$GATE_URL" || true)
    if [ "$status" = "$GATE_EXPECTED_STATUS" ]; then
      if [ -z "$GATE_JSON_PATH" ]; then
        echo "gate '$GATE_NAME' passed: $GATE_URL answered $status"
        return 0
      fi
      value=$(jq --raw-output --argjson path "$GATE_JSON_PATH" 'getpath($path) // "" | tostring' "$body" 2>/dev/null || true)
      if [ "$value" = "$GATE_JSON_EQUALS" ]; then
        echo "gate '$GATE_NAME' passed: $GATE_URL answered $status with '$value'"
        return 0
      fi
      echo "gate '$GATE_NAME': the answer holds '$value', waiting for '$GATE_JSON_EQUALS'"
    else
      echo "gate '$GATE_NAME': $GATE_URL answered ${status:-nothing}, waiting for $GATE_EXPECTED_STATUS"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "gate '$GATE_NAME' failed: no passing answer from $GATE_URL in $GATE_TIMEOUT_MINUTES minutes" >&2
      return 1
    fi
    sleep "$GATE_INTERVAL_SECONDS"
  done
"#;

/// The commands a place's rollback data may name (the deployment templates' rollback steps): what
/// `rollback-place` dispatches, checked by the tests.
#[cfg(test)]
pub(crate) const ROLLBACK_COMMANDS: [LibraryCommand; 6] = [
    LibraryCommand::AppServiceRollback,
    LibraryCommand::KubernetesConnect,
    LibraryCommand::KubernetesRollback,
    LibraryCommand::StaticSiteRollback,
    LibraryCommand::RunPlanCommand,
    LibraryCommand::RunPlanCommandWithRetry,
];

// Each entry runs in a subshell with its own environment, decoded from base64 so that no value is
// ever read as code; only the rollback commands above may run.
const ROLLBACK_PLACE: &str = r#"  local entries entry command title
  local data="${0%.sh}-rollbacks.jsonl"
  mapfile -t entries < <(grep --invert-match '^#' "$data" | jq --compact-output --arg place "$ROLLBACK_PLACE" 'select(.place == $place)')
  if [ "${#entries[@]}" -eq 0 ]; then
    echo "nothing to roll back at $ROLLBACK_PLACE"
    return 0
  fi
  for entry in "${entries[@]}"; do
    command=$(jq --raw-output '.command' <<< "$entry")
    title=$(jq --raw-output '.title' <<< "$entry")
    echo "rolling back: $title"
    (
      local name value
      while IFS='=' read -r name value; do
        export "$name=$(printf '%s' "$value" | base64 --decode)"
      done < <(jq --raw-output '.env | to_entries[] | "\(.key)=\(.value | @base64)"' <<< "$entry")
      case "$command" in
        app-service-rollback) app_service_rollback ;;
        kubernetes-connect) kubernetes_connect ;;
        kubernetes-rollback) kubernetes_rollback ;;
        static-site-rollback) static_site_rollback ;;
        run-plan-command) run_plan_command ;;
        run-plan-command-with-retry) run_plan_command_with_retry ;;
        *)
          echo "'$command' is not a rollback command" >&2
          exit 2
          ;;
      esac
    )
  done
"#;

const WAVE_COMPLETE: &str = r#"  echo "every step of the wave before $WAVE has finished"
"#;

// GitHub: PREVIOUS_RUN must be a successful run of PREVIOUS_WORKFLOW that continues the same release
// (the build run BUILD_RUN of commit RELEASE_SHA), and the release files must be the same at this run's
// commit as at RELEASE_SHA. Azure: the run must have been started by the previous part's completion
// (a pipeline resource trigger), for the same commit.
const CHAIN_CONTINUE: &str = r#"  local run status conclusion workflow title head files waited=0
  case "$PLATFORM" in
    github)
      if ! [[ "$BUILD_RUN" =~ ^[0-9]+$ && "$PREVIOUS_RUN" =~ ^[0-9]+$ && "$RELEASE_SHA" =~ ^[0-9a-f]{40}$ ]]; then
        echo "this part is started by the part before it, with a build run id, a commit and its own run id as inputs" >&2
        return 1
      fi
      while :; do
        run=$(retry gh api "repos/$GITHUB_REPOSITORY/actions/runs/$PREVIOUS_RUN")
        status=$(jq --raw-output '.status' <<< "$run")
        if [ "$status" = completed ]; then
          break
        fi
        if [ "$waited" -ge "$CHAIN_WAIT_SECONDS" ]; then
          echo "run $PREVIOUS_RUN has not finished after ${waited}s" >&2
          return 1
        fi
        sleep 10
        waited=$((waited + 10))
      done
      conclusion=$(jq --raw-output '.conclusion' <<< "$run")
      workflow=$(jq --raw-output '.path' <<< "$run")
      title=$(jq --raw-output '.display_title' <<< "$run")
      head=$(jq --raw-output '.head_sha' <<< "$run")
      if [ "$workflow" != "$PREVIOUS_WORKFLOW" ] || [ "$conclusion" != success ]; then
        echo "run $PREVIOUS_RUN is a $conclusion run of $workflow, not a successful run of $PREVIOUS_WORKFLOW" >&2
        return 1
      fi
      if [ "$PREVIOUS_IS_FIRST" = true ]; then
        if [ "$PREVIOUS_RUN" != "$BUILD_RUN" ] || [ "$head" != "$RELEASE_SHA" ]; then
          echo "run $PREVIOUS_RUN built $head, not build $BUILD_RUN of $RELEASE_SHA" >&2
          return 1
        fi
      elif [[ "$title" != *"build $BUILD_RUN of $RELEASE_SHA"* ]]; then
        echo "run $PREVIOUS_RUN ('$title') continued another release than build $BUILD_RUN of $RELEASE_SHA" >&2
        return 1
      fi
      if [ "$GITHUB_SHA" != "$RELEASE_SHA" ]; then
        files=$(retry gh api "repos/$GITHUB_REPOSITORY/compare/$RELEASE_SHA...$GITHUB_SHA" --jq '.files | length')
        if [ "$files" -ge 300 ] || retry gh api "repos/$GITHUB_REPOSITORY/compare/$RELEASE_SHA...$GITHUB_SHA" --jq '.files[].filename' | grep --quiet --extended-regexp '^(\.github/workflows|cutover)/'; then
          echo "the workflows or the script library changed between $RELEASE_SHA and $GITHUB_SHA; run this part from a branch or tag at $RELEASE_SHA with the same inputs" >&2
          return 1
        fi
      fi
      echo "continuing build $BUILD_RUN of $RELEASE_SHA after run $PREVIOUS_RUN of $PREVIOUS_WORKFLOW"
      ;;
    azure)
      if [ "$BUILD_REASON" != ResourceTrigger ]; then
        echo "this part starts when $PREVIOUS_PIPELINE finishes; this run was started by $BUILD_REASON" >&2
        return 1
      fi
      if [ "$PREVIOUS_COMMIT" != "$THIS_COMMIT" ]; then
        echo "$PREVIOUS_PIPELINE ran $PREVIOUS_COMMIT, this run $THIS_COMMIT" >&2
        return 1
      fi
      echo "continuing the release of $THIS_COMMIT after $PREVIOUS_PIPELINE"
      ;;
    *)
      echo "unknown platform '$PLATFORM'" >&2
      return 2
      ;;
  esac
"#;

const CHAIN_NEXT: &str = r#"  retry gh workflow run "$NEXT_WORKFLOW" --repo "$GITHUB_REPOSITORY" --ref "$RELEASE_REF" --raw-field "build_run=$BUILD_RUN" --raw-field "release_sha=$RELEASE_SHA" --raw-field "previous_run=$THIS_RUN"
  echo "started $NEXT_WORKFLOW: it continues build $BUILD_RUN of $RELEASE_SHA once this run has finished"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_place_rollback_dispatches_exactly_the_rollback_commands() {
        let dispatched: Vec<&str> = ROLLBACK_PLACE
            .lines()
            .filter_map(|line| line.trim().split_once(") "))
            .filter(|(name, _)| !name.contains('*'))
            .map(|(name, _)| name)
            .collect();
        let expected: Vec<&str> = ROLLBACK_COMMANDS.iter().map(|c| c.name()).collect();
        assert_eq!(dispatched, expected);
    }

    #[test]
    fn no_command_names_one_cloud_s_resource_manager() {
        // `az rest` puts the current cloud's Resource Manager host before a resource path, so the
        // same library works in the public, US Government and China clouds.
        let script = library_body();
        for host in [
            "management.azure.com",
            "management.usgovcloudapi.net",
            "management.chinacloudapi.cn",
        ] {
            assert!(!script.contains(host), "the library names {host}");
        }
    }

    #[test]
    fn every_command_has_a_function_and_a_case() {
        let script = library_body();
        for command in LibraryCommand::ALL {
            assert!(
                script.contains(&format!("\n{}() {{\n", command.function())),
                "{command:?}"
            );
            assert!(
                script.contains(&format!(
                    "  {}) {} ;;\n",
                    command.name(),
                    command.function()
                )),
                "{command:?}"
            );
        }
    }
}
