//! Environment setup: approvals, wait timers and branch rules live outside YAML on both platforms, and a
//! pipeline naming an environment that does not exist silently runs unprotected. These scripts create
//! every environment the generated pipelines name, with its protection, idempotently.
//!
//! Plan text reaches the scripts only as single-quoted shell words ([`shell_word`]); JSON bodies are
//! built by `jq` from those words, never by pasting text into JSON.

use super::comment::comment_text;
use crate::plan::{Approval, PlatformSettings};
use crate::release::EnvironmentSpec;

/// Azure DevOps' built-in "Approval" check type.
const AZURE_APPROVAL_CHECK_TYPE: &str = "8c6f20a7-a545-4486-9777-f762fafe0d4d";
/// Azure DevOps' "Branch control" task check.
const AZURE_BRANCH_CONTROL_TASK: &str = "86b05a0c-73e6-4f7d-b3cf-e38f3b39a75b";

/// `text` as one single-quoted shell word.
pub fn shell_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn words(items: &[String]) -> String {
    items
        .iter()
        .map(|item| shell_word(item))
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the pipelines need of the repository besides their environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetupNeeds {
    /// Some job opens pull requests with the pipeline's own token (merge-back).
    pub pull_requests: bool,
}

/// The GitHub setup script: `gh api` calls to the environments REST API, and the repository settings
/// the workflows rely on.
pub fn github_script(
    header_lines: &[String],
    settings: &PlatformSettings,
    environments: &[EnvironmentSpec],
    needs: SetupNeeds,
) -> String {
    let mut text = super::script_file(header_lines, "");
    text.push_str(&format!(
        r#"# Creates every GitHub environment the workflows name, with its reviewers, wait timer and branch rules.
# Needs the GitHub CLI signed in as a repository admin, and jq.
# Usage: bash THIS_FILE [OWNER/REPO]
set -euo pipefail
default_repository={repository}
repository="${{1:-$default_repository}}"
if [ -z "$repository" ]; then
  echo "usage: $0 OWNER/REPO" >&2
  exit 2
fi

# Prints TEXT percent-encoded for one segment of a URL path.
uri() {{
  jq --raw-output --null-input --arg text "$1" '$text | @uri'
}}

# Prints the reviewer object for a user login, or for a team written ORG/TEAM-SLUG.
reviewer() {{
  local name="$1"
  local id
  if [[ "$name" == */* ]]; then
    id=$(gh api "orgs/$(uri "${{name%%/*}}")/teams/$(uri "${{name#*/}}")" --jq .id)
    jq --null-input --argjson id "$id" '{{type: "Team", id: $id}}'
  else
    id=$(gh api "users/$(uri "$name")" --jq .id)
    jq --null-input --argjson id "$id" '{{type: "User", id: $id}}'
  fi
}}

# configure NAME WAIT_TIMER PREVENT_SELF_REVIEW BRANCH_COUNT BRANCH... REVIEWER...
configure() {{
  local name="$1" wait_timer="$2" prevent_self_review="$3" branch_count="$4"
  shift 4
  local branches=("${{@:1:$branch_count}}")
  shift "$branch_count"
  local reviewers="[]"
  if [ "$#" -gt 0 ]; then
    reviewers=$(for person in "$@"; do reviewer "$person"; done | jq --slurp .)
  fi
  jq --null-input \
    --argjson wait_timer "$wait_timer" \
    --argjson prevent_self_review "$prevent_self_review" \
    --argjson reviewers "$reviewers" \
    --argjson custom_branches "$([ "$branch_count" -gt 0 ] && echo true || echo false)" \
    '{{wait_timer: $wait_timer, prevent_self_review: $prevent_self_review, reviewers: $reviewers,
      deployment_branch_policy: (if $custom_branches then {{protected_branches: false, custom_branch_policies: true}} else null end)}}' \
    | gh api --method PUT "repos/$repository/environments/$(uri "$name")" --input - > /dev/null
  local pattern
  for pattern in "${{branches[@]}}"; do
    if ! gh api --method POST "repos/$repository/environments/$(uri "$name")/deployment-branch-policies" \
      -f name="$pattern" -f type=branch > /dev/null 2>&1; then
      echo "  branch rule $pattern on $name exists already"
    fi
  done
  echo "configured environment $name"
}}

"#,
        repository = shell_word(&settings.github.repository),
    ));
    text.push_str(GITHUB_VISIBILITY_CHECK);
    for environment in environments {
        text.push_str(&github_environment(environment));
    }
    if needs.pull_requests {
        text.push_str(GITHUB_PULL_REQUESTS);
    }
    text
}

/// Warns when the repository's plan gives environments no protection rules (private repositories on
/// GitHub Free, Pro and Team get no required reviewers and no wait timers).
const GITHUB_VISIBILITY_CHECK: &str = r#"if [ "$(gh api "repos/$repository" --jq .private)" = "true" ]; then
  echo "warning: $repository is private; required reviewers and wait timers on its environments work only on GitHub Enterprise (Free, Pro and Team plans ignore them, and the approvals below would not stop a deployment)" >&2
fi

"#;

/// Lets the workflows' own token open the merge-back pull requests.
const GITHUB_PULL_REQUESTS: &str = r#"# The hotfix workflows open merge-back pull requests with their own token: allow GitHub Actions to
# create pull requests. (Pull requests opened with that token do not start other workflows; the runbooks
# say how to run the checks on them.)
gh api --method PUT "repos/$repository/actions/permissions/workflow" \
  -f default_workflow_permissions=read -F can_approve_pull_request_reviews=true > /dev/null
echo "allowed GitHub Actions to open pull requests in $repository"
"#;

/// The lines configuring one GitHub environment.
fn github_environment(environment: &EnvironmentSpec) -> String {
    let mut text = format!("# {}\n", comment_text(&environment.purpose));
    let (approvers, prevent_self_review) = match &environment.approval {
        Some(approval) => (
            for_platform(&approval.github_approvers, &approval.approvers),
            approval.prevent_self_review,
        ),
        None => (&[][..], false),
    };
    if let Some(approval) = &environment.approval {
        if approval.required > 1 {
            text.push_str(&format!(
                "# The plan asks for {} approvals; a GitHub environment needs one of its reviewers.\n",
                approval.required
            ));
        }
        if approval.timeout_minutes.is_some() {
            text.push_str("# GitHub approvals do not expire: a waiting run waits up to 30 days.\n");
        }
    }
    text.push_str(&format!(
        "configure {} {} {} {} {} {}\n\n",
        shell_word(&environment.name),
        environment.wait_timer_minutes,
        prevent_self_review,
        environment.branches.len(),
        words(&environment.branches),
        words(approvers),
    ));
    text
}

/// `specific` when the plan names approvers for this platform, else the shared `approvers`.
fn for_platform<'a>(specific: &'a [String], approvers: &'a [String]) -> &'a [String] {
    if specific.is_empty() {
        approvers
    } else {
        specific
    }
}

/// The Azure DevOps setup script: creates each environment through the REST API and configures its
/// approval check and branch control (the check-configuration payloads are built inline by `jq`).
pub fn azure_script(
    header_lines: &[String],
    settings: &PlatformSettings,
    environments: &[EnvironmentSpec],
    needs: SetupNeeds,
    chain: &[ChainedPipeline],
) -> String {
    let mut text = super::script_file(header_lines, "");
    text.push_str(&azure_helpers(settings));
    for environment in environments {
        text.push_str(&azure_environment(environment));
    }
    if needs.pull_requests {
        text.push_str(AZURE_PULL_REQUESTS);
    }
    if !chain.is_empty() {
        text.push_str(AZURE_CHAIN);
        for part in chain {
            text.push_str(&format!(
                "pipeline {} {}\n",
                shell_word(&part.name),
                shell_word(&part.path)
            ));
        }
    }
    text
}

/// One pipeline of a release split into a chain, which Azure DevOps must know by exactly this name:
/// the next part names it as the pipeline whose completion triggers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedPipeline {
    /// The pipeline's name in Azure DevOps.
    pub name: String,
    /// Its YAML file, relative to the repository root.
    pub path: String,
}

/// Creating the pipelines of a chained release.
const AZURE_CHAIN: &str = r#"# The release is too large for one pipeline, so it is a chain: each part runs when the part before it
# completes, found by its pipeline name. Each part must exist as a YAML pipeline with exactly the name
# below; this creates the missing ones from the Azure Repos repository REPOSITORY (the third argument,
# by default the project's name). The token also needs "Build (Read & execute)" and "Code (Read)".
repository="${3:-$project}"

# pipeline NAME PATH: creates the YAML pipeline NAME from PATH unless a pipeline of that name exists.
pipeline() {
  local name="$1" path="$2" count repository_id
  count=$(request GET "$organization/$project/_apis/build/definitions?name=$(jq --raw-output --null-input --arg n "$name" '$n | @uri')&api-version=7.1" | jq --raw-output '.count')
  if [ "$count" != 0 ]; then
    echo "pipeline $name exists"
    return 0
  fi
  repository_id=$(request GET "$organization/$project/_apis/git/repositories/$(jq --raw-output --null-input --arg n "$repository" '$n | @uri')?api-version=7.1" | jq --raw-output '.id')
  request POST "$organization/$project/_apis/pipelines?api-version=7.1" \
    "$(jq --null-input --arg name "$name" --arg path "$path" --arg id "$repository_id" \
      '{name: $name, folder: "\\", configuration: {type: "yaml", path: $path, repository: {id: $id, type: "azureReposGit"}}}')" > /dev/null
  echo "created pipeline $name from $path"
}

"#;

/// The Azure setup's defaults and helper functions: REST requests, environments, identities, checks.
fn azure_helpers(settings: &PlatformSettings) -> String {
    format!(
        r#"# Creates every Azure DevOps environment the pipelines name, with its approval and branch-control checks.
# Needs curl, jq, and AZURE_DEVOPS_EXT_PAT: a token with "Environment (Read & manage)" scope.
# Usage: bash THIS_FILE [ORGANIZATION_URL PROJECT]
set -euo pipefail
default_organization={organization}
default_project={project}
organization="${{1:-$default_organization}}"
project="${{2:-$default_project}}"
: "${{AZURE_DEVOPS_EXT_PAT:?set AZURE_DEVOPS_EXT_PAT to a personal access token}}"
if [ -z "$organization" ] || [ -z "$project" ]; then
  echo "usage: $0 ORGANIZATION_URL PROJECT" >&2
  exit 2
fi
organization="${{organization%/}}"

# request METHOD URL [JSON_BODY]
request() {{
  if [ "$#" -gt 2 ]; then
    curl --fail-with-body --silent --show-error --user ":$AZURE_DEVOPS_EXT_PAT" \
      --header "Content-Type: application/json" --request "$1" --data "$3" "$2"
  else
    curl --fail-with-body --silent --show-error --user ":$AZURE_DEVOPS_EXT_PAT" --request "$1" "$2"
  fi
}}

# Prints the id of environment NAME, creating it first when it does not exist.
environment_id() {{
  local name="$1" description="$2" id
  id=$(request GET "$organization/$project/_apis/distributedtask/environments?name=$(jq --raw-output --null-input --arg n "$name" '$n | @uri')&api-version=7.1" | jq --raw-output '.value[0].id // empty')
  if [ -z "$id" ]; then
    id=$(request POST "$organization/$project/_apis/distributedtask/environments?api-version=7.1" \
      "$(jq --null-input --arg name "$name" --arg description "$description" '{{name: $name, description: $description}}')" | jq --raw-output .id)
  fi
  echo "$id"
}}

# Prints the identity id of a user (e-mail) or group ([project]\group) for approver lists.
identity_id() {{
  local vssps="${{organization/dev.azure.com/vssps.dev.azure.com}}"
  request GET "$vssps/_apis/identities?searchFilter=General&filterValue=$(jq --raw-output --null-input --arg n "$1" '$n | @uri')&api-version=7.1" \
    | jq --raw-output '.value[0].id // empty'
}}

# Removes the checks of TYPE_NAME on environment ID, so running the script again replaces them.
remove_checks() {{
  local id="$1" type_name="$2" check
  for check in $(request GET "$organization/$project/_apis/pipelines/checks/configurations?resourceType=environment&resourceId=$id&api-version=7.1-preview.1" \
    | jq --raw-output --arg type "$type_name" '.value[] | select(.type.name == $type) | .id'); do
    request DELETE "$organization/$project/_apis/pipelines/checks/configurations/$check?api-version=7.1-preview.1" > /dev/null
  done
}}

add_check() {{
  request POST "$organization/$project/_apis/pipelines/checks/configurations?api-version=7.1-preview.1" "$1" > /dev/null
}}

# approval ENVIRONMENT_ID TIMEOUT_MINUTES MIN_APPROVERS REQUESTER_CANNOT_APPROVE INSTRUCTIONS APPROVER...
approval() {{
  local id="$1" timeout="$2" minimum="$3" requester_cannot_approve="$4" instructions="$5"
  shift 5
  local approvers person identity
  approvers=$(for person in "$@"; do
    identity=$(identity_id "$person")
    if [ -z "$identity" ]; then
      echo "no Azure DevOps identity named $person" >&2
      exit 1
    fi
    jq --null-input --arg id "$identity" '{{id: $id}}'
  done | jq --slurp .)
  remove_checks "$id" Approval
  add_check "$(jq --null-input --arg id "$id" --argjson approvers "$approvers" --argjson minimum "$minimum" \
    --argjson requester_cannot_approve "$requester_cannot_approve" --arg instructions "$instructions" --argjson timeout "$timeout" \
    '{{type: {{id: "{approval_type}", name: "Approval"}},
      settings: {{approvers: $approvers, minRequiredApprovers: $minimum, requesterCannotBeApprover: $requester_cannot_approve,
                 instructions: $instructions, executionOrder: "anyOrder"}},
      resource: {{type: "environment", id: $id}}, timeout: $timeout}}')"
}}

# branch_control ENVIRONMENT_ID PATTERN...
branch_control() {{
  local id="$1"
  shift
  local allowed
  allowed=$(printf 'refs/heads/%s\n' "$@" | paste --serial --delimiters=, -)
  remove_checks "$id" "Task Check"
  add_check "$(jq --null-input --arg id "$id" --arg allowed "$allowed" \
    '{{type: {{name: "Task Check"}},
      settings: {{definitionRef: {{id: "{branch_task}", name: "evaluatebranchProtection", version: "0.0.1"}},
                 displayName: "Branch control", inputs: {{allowedBranches: $allowed, ensureProtectionOfBranch: "false"}},
                 retryInterval: 5}},
      resource: {{type: "environment", id: $id}}, timeout: 1440}}')"
}}

"#,
        organization = shell_word(&settings.azure.organization),
        project = shell_word(&settings.azure.project),
        approval_type = AZURE_APPROVAL_CHECK_TYPE,
        branch_task = AZURE_BRANCH_CONTROL_TASK,
    )
}

/// What the merge-back needs on Azure DevOps, which the script cannot grant safely by itself.
const AZURE_PULL_REQUESTS: &str = r#"# The hotfix pipelines push a branch and open merge-back pull requests with the build's own identity
# (System.AccessToken). Grant "<project> Build Service" the "Contribute" and "Contribute to pull
# requests" permissions on the repository (Project settings > Repositories > Security). Pull requests it
# opens do not run branch policies' build validation by themselves; the runbooks say how to run them.
echo "remember: the project's Build Service needs Contribute and Contribute to pull requests on the repository"
"#;

/// The lines configuring one Azure DevOps environment.
fn azure_environment(environment: &EnvironmentSpec) -> String {
    let mut text = format!("# {}\n", comment_text(&environment.purpose));
    text.push_str(&format!(
        "id=$(environment_id {} {})\n",
        shell_word(&environment.name),
        shell_word(&environment.purpose)
    ));
    if let Some(approval) = &environment.approval {
        if approval.required > 1 {
            text.push_str(&format!(
                "# {} approvals required: the environment's Approval check enforces it (an in-pipeline ManualValidation@1 could not).\n",
                approval.required
            ));
        }
        text.push_str(&azure_approval_line(approval));
    }
    if !environment.branches.is_empty() {
        text.push_str(&format!(
            "branch_control \"$id\" {}\n",
            words(&environment.branches)
        ));
    }
    if environment.wait_timer_minutes > 0 {
        text.push_str(&format!(
            "# Wait timer ({} min): Azure has no environment wait timer; the pipeline waits with Delay@1 after the approval.\n",
            environment.wait_timer_minutes
        ));
    }
    text.push_str(&format!(
        "echo {}\n\n",
        shell_word(&format!("configured environment {}", environment.name))
    ));
    text
}

fn azure_approval_line(approval: &Approval) -> String {
    format!(
        "approval \"$id\" {} {} {} {} {}\n",
        approval.timeout_minutes.unwrap_or(43_200),
        approval.required.max(1),
        approval.prevent_self_review,
        shell_word(&approval.instructions),
        words(for_platform(&approval.azure_approvers, &approval.approvers)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_survive_quotes_and_expansions() {
        assert_eq!(
            shell_word("it's $(rm -rf /) `x` \"y\""),
            r#"'it'\''s $(rm -rf /) `x` "y"'"#
        );
    }
}
