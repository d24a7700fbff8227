//! The bash that pipeline steps run. Every script here is fixed text: values from the plan arrive only
//! as environment variables and are always used double-quoted, so no plan text is ever parsed by a
//! shell or a pipeline expression.

/// Strict mode, first line of every script.
const STRICT: &str = "set -euo pipefail\n";

/// `retry CMD...`: runs a command, retrying transient failures with exponential backoff taken from
/// `RETRY_ATTEMPTS`, `RETRY_DELAY_SECONDS`, `RETRY_BACKOFF` and `RETRY_MAX_DELAY_SECONDS`.
const RETRY_FUNCTION: &str = r#"retry() {
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
"#;

/// `health_check URL [STATUS]`: polls URL until it answers STATUS (default `HEALTH_EXPECTED_STATUS`),
/// at most `HEALTH_RETRIES` more times, `HEALTH_INTERVAL_SECONDS` apart, each request limited to
/// `HEALTH_TIMEOUT_SECONDS`.
const HEALTH_FUNCTION: &str = r#"health_check() {
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
"#;

/// Which helper functions a script needs before its body.
#[derive(Clone, Copy)]
enum Helpers {
    None,
    Retry,
    Health,
    RetryAndHealth,
}

fn script(helpers: Helpers, body: &str) -> String {
    let mut text = String::from(STRICT);
    if matches!(helpers, Helpers::Retry | Helpers::RetryAndHealth) {
        text.push_str(RETRY_FUNCTION);
    }
    if matches!(helpers, Helpers::Health | Helpers::RetryAndHealth) {
        text.push_str(HEALTH_FUNCTION);
    }
    text.push_str(body);
    text
}

/// Runs `COMMAND` (plan text, in the environment) with bash, without retries.
pub fn run_command() -> String {
    script(Helpers::None, "bash -c \"$COMMAND\"\n")
}

/// Runs `COMMAND` with retries for transient failures.
pub fn run_command_with_retry() -> String {
    script(Helpers::Retry, "retry bash -c \"$COMMAND\"\n")
}

/// Checks `HEALTH_URL`.
pub fn health_gate() -> String {
    script(Helpers::Health, "health_check \"$HEALTH_URL\"\n")
}

/// App Service: deploy `PACKAGE` to slot `SLOT` of `APP` and tag the slot with this run's build id, so a
/// rollback can tell whether production runs it.
pub fn app_service_deploy_to_slot() -> String {
    script(
        Helpers::Retry,
        r#"retry az webapp deploy --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --src-path "$PACKAGE" --type zip
retry az webapp config appsettings set --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --settings "CUTOVER_BUILD=$BUILD_ID" --output none
"#,
    )
}

/// App Service without a slot: deploy `PACKAGE` in place (only outside production: there is no way back).
pub fn app_service_deploy_in_place() -> String {
    script(
        Helpers::Retry,
        "retry az webapp deploy --resource-group \"$RESOURCE_GROUP\" --name \"$APP\" --src-path \"$PACKAGE\" --type zip\n",
    )
}

/// App Service: swap `SLOT` into production, first holding a swap preview for `DRAIN_SECONDS` so
/// in-flight requests finish (connection draining) when the plan asks for it.
pub fn app_service_swap() -> String {
    script(Helpers::Retry, SWAP_BODY)
}

const SWAP_BODY: &str = r#"if [ "$DRAIN_SECONDS" -gt 0 ]; then
  retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production --action preview
  echo "draining: holding ${DRAIN_SECONDS}s so in-flight requests finish before the swap completes"
  sleep "$DRAIN_SECONDS"
  retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production --action swap
else
  retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production
fi
"#;

/// App Service canary: route `CANARY_INCREMENTS` percentages of traffic to `SLOT` in turn, observing
/// and health-checking production after each, then swap.
pub fn app_service_canary() -> String {
    let body = format!(
        r#"read -ra increments <<< "$CANARY_INCREMENTS"
for percent in "${{increments[@]}}"; do
  if [ "$percent" -ge 100 ]; then
    break
  fi
  retry az webapp traffic-routing set --resource-group "$RESOURCE_GROUP" --name "$APP" --distribution "$SLOT=$percent"
  echo "canary: ${{percent}}% of traffic on $SLOT; observing for ${{CANARY_OBSERVE_SECONDS}}s"
  sleep "$CANARY_OBSERVE_SECONDS"
  health_check "$HEALTH_URL"
done
retry az webapp traffic-routing clear --resource-group "$RESOURCE_GROUP" --name "$APP"
{SWAP_BODY}"#
    );
    script(Helpers::RetryAndHealth, &body)
}

/// App Service rollback, guarded: clears canary routing, cancels a swap preview, and swaps back only
/// when production runs this run's build (so a build that never reached production is never promoted).
pub fn app_service_rollback() -> String {
    script(
        Helpers::RetryAndHealth,
        r#"az webapp traffic-routing clear --resource-group "$RESOURCE_GROUP" --name "$APP" || true
az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production --action reset || true
running=$(az webapp config appsettings list --resource-group "$RESOURCE_GROUP" --name "$APP" --query "[?name=='CUTOVER_BUILD'].value | [0]" --output tsv)
if [ "$running" != "$BUILD_ID" ]; then
  echo "production does not run build $BUILD_ID: the new version never reached it; nothing to swap back"
  exit 0
fi
retry az webapp deployment slot swap --resource-group "$RESOURCE_GROUP" --name "$APP" --slot "$SLOT" --target-slot production
if [ -n "$HEALTH_URL" ]; then
  health_check "$HEALTH_URL"
fi
"#,
    )
}

/// Kubernetes: fetch credentials for `CLUSTER`.
pub fn kubernetes_connect() -> String {
    script(
        Helpers::Retry,
        "retry az aks get-credentials --resource-group \"$RESOURCE_GROUP\" --name \"$CLUSTER\" --overwrite-existing\n",
    )
}

/// Kubernetes: apply `MANIFESTS` (one path a line) with the rollout paused, then set the rolling batch
/// (`MAX_UNAVAILABLE`, empty for none), the draining grace period and this run's build id on the pod
/// template, resume, and wait for the rollout.
pub fn kubernetes_deploy() -> String {
    script(
        Helpers::Retry,
        r#"kubectl --namespace "$NAMESPACE" rollout pause deployment "$DEPLOYMENT" || true
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
"#,
    )
}

/// Kubernetes rollback, guarded: undoes the rollout only when the pod template carries this run's build.
pub fn kubernetes_rollback() -> String {
    script(
        Helpers::Retry,
        r#"kubectl --namespace "$NAMESPACE" rollout resume deployment "$DEPLOYMENT" || true
running=$(kubectl --namespace "$NAMESPACE" get deployment "$DEPLOYMENT" --output json | jq --raw-output '.spec.template.metadata.annotations["cutover-build"] // ""')
if [ "$running" != "$BUILD_ID" ]; then
  echo "the deployment does not run build $BUILD_ID; nothing to undo"
  exit 0
fi
retry kubectl --namespace "$NAMESPACE" rollout undo deployment "$DEPLOYMENT"
kubectl --namespace "$NAMESPACE" rollout status deployment "$DEPLOYMENT" --timeout "${ROLLOUT_TIMEOUT_SECONDS}s"
"#,
    )
}

/// Static site: keep a copy of the live files in the `cutover-previous` container, upload `SOURCE_DIR`
/// to `$web`, and record this run's build id beside them.
pub fn static_site_deploy() -> String {
    script(
        Helpers::Retry,
        r#"retry az storage container create --account-name "$STORAGE_ACCOUNT" --name cutover-previous --auth-mode login --output none
retry az storage blob delete-batch --account-name "$STORAGE_ACCOUNT" --source cutover-previous --auth-mode login --output none
retry az storage blob copy start-batch --account-name "$STORAGE_ACCOUNT" --source-account-name "$STORAGE_ACCOUNT" --source-container '$web' --destination-container cutover-previous --auth-mode login --output none
retry az storage blob upload-batch --account-name "$STORAGE_ACCOUNT" --destination '$web' --source "$SOURCE_DIR" --overwrite --auth-mode login --output none
marker=$(mktemp)
printf '%s' "$BUILD_ID" > "$marker"
retry az storage blob upload --account-name "$STORAGE_ACCOUNT" --container-name '$web' --name cutover-build.txt --file "$marker" --overwrite --auth-mode login --output none
"#,
    )
}

/// Static site rollback, guarded: restores the saved copy only when the live site is this run's build.
pub fn static_site_rollback() -> String {
    script(
        Helpers::RetryAndHealth,
        r#"marker=$(mktemp)
running=""
if az storage blob download --account-name "$STORAGE_ACCOUNT" --container-name '$web' --name cutover-build.txt --file "$marker" --auth-mode login --output none; then
  running=$(cat "$marker")
fi
if [ "$running" != "$BUILD_ID" ]; then
  echo "the live site is not build $BUILD_ID; nothing to restore"
  exit 0
fi
retry az storage blob delete-batch --account-name "$STORAGE_ACCOUNT" --source '$web' --auth-mode login --output none
retry az storage blob copy start-batch --account-name "$STORAGE_ACCOUNT" --source-account-name "$STORAGE_ACCOUNT" --source-container cutover-previous --destination-container '$web' --auth-mode login --output none
if [ -n "$HEALTH_URL" ]; then
  health_check "$HEALTH_URL"
fi
"#,
    )
}

/// Database service: check the database answers; its schema changes run in the migration stages.
pub fn database_check() -> String {
    script(
        Helpers::Retry,
        r#"retry az sql db show --resource-group "$RESOURCE_GROUP" --server "$SERVER" --name "$DATABASE" --output none
echo "database $DATABASE on $SERVER is reachable; schema changes run in the expand and contract stages"
"#,
    )
}

/// Enhanced monitoring: polls every `HEALTH_TARGETS` line (`STATUS URL`) each minute for
/// `MONITOR_MINUTES`, failing on the first unhealthy answer.
pub fn enhanced_monitoring() -> String {
    script(
        Helpers::Health,
        r#"echo "enhanced monitoring for $MONITOR_MINUTES minutes; incident bridge: $INCIDENT_BRIDGE; incident: ${INCIDENT:-not given}"
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
"#,
    )
}

/// Merge-back: for each `MERGE_TARGETS` line, opens a pull request from the hotfix branch
/// (`MERGE_METHOD=merge`) or from a branch of cherry-picked commits (`MERGE_METHOD=cherry-pick`).
pub fn merge_back() -> String {
    script(
        Helpers::None,
        r#"source_branch="${SOURCE_BRANCH#refs/heads/}"
git config user.name "Cutover hotfix"
git config user.email "cutover-hotfix@users.noreply.localhost"
git fetch origin "$source_branch"
while IFS= read -r target; do
  if [ -z "$target" ]; then
    continue
  fi
  git fetch origin "$target"
  if [ "$MERGE_METHOD" = "cherry-pick" ]; then
    pick_branch="cherry-pick/${source_branch}-to-${target}"
    git switch --create "$pick_branch" "origin/$target"
    mapfile -t commits < <(git rev-list --reverse --no-merges "origin/$target..origin/$source_branch")
    if [ "${#commits[@]}" -gt 0 ]; then
      git cherry-pick -x "${commits[@]}"
    fi
    git push origin "$pick_branch"
    open_pull_request "$target" "$pick_branch" "Cherry-pick hotfix $source_branch into $target"
  else
    open_pull_request "$target" "$source_branch" "Merge hotfix $source_branch back into $target"
  fi
done <<< "$MERGE_TARGETS"
"#,
    )
}
