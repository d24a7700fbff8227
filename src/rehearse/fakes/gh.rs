//! The fake `gh`: `pr create` (merge-back pull requests), `api` (the calls of the environment setup
//! script) and `workflow run` (a pipeline starting the next part of a release). It needs a token
//! (`GH_TOKEN` or `GITHUB_TOKEN`) with the permissions the job was given.

use serde_json::Value as Json;

use super::super::estate::EventKind;
use super::super::model::Platform;
use super::surface::Parsed;
use super::{Call, Context, Reply, api};

/// Runs a parsed `gh` command.
pub fn handle(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    if call.env("GH_TOKEN").is_none() && call.env("GITHUB_TOKEN").is_none() {
        return Reply::fail(
            4,
            "To use GitHub CLI in a GitHub Actions workflow, set the GH_TOKEN environment variable. Example:\n  env:\n    GH_TOKEN: ${{ github.token }}",
        );
    }
    match parsed.command().as_str() {
        "pr create" => pr_create(parsed, ctx),
        "api" => api_call(call, parsed, ctx),
        "workflow run" => workflow_run(parsed, ctx),
        other => Reply::fail(1, format!("rehearsal: gh {other} is not simulated")),
    }
}

/// Whether the job's token may `level` (`read`/`write`) on `scope`; always on Azure.
fn allowed(ctx: &Context, scope: &str, level: &str) -> bool {
    ctx.job
        .token_scopes
        .as_ref()
        .is_none_or(|p| p.allows(scope, level))
}

fn pr_create(parsed: &Parsed, ctx: &mut Context) -> Reply {
    if !allowed(ctx, "pull-requests", "write") {
        return Reply::fail(
            1,
            "pull request create failed: GraphQL: Resource not accessible by integration (createPullRequest)",
        );
    }
    if ctx.platform == Platform::GitHub && !ctx.estate.api.actions_open_pull_requests {
        return Reply::fail(
            1,
            "pull request create failed: GraphQL: GitHub Actions is not permitted to create or approve pull requests. (createPullRequest)",
        );
    }
    let (Some(base), Some(head)) = (parsed.value(&["--base"]), parsed.value(&["--head"])) else {
        return Reply::fail(
            1,
            "rehearsal: gh pr create needs --base and --head (it cannot prompt)",
        );
    };
    for branch in [base, head] {
        if !ctx.estate.branches.contains(branch) {
            return Reply::fail(
                1,
                format!(
                    "pull request create failed: GraphQL: Head sha can't be blank, Base sha can't be blank, No commits between {base} and {head}, Head ref must be a branch ({branch} does not exist)"
                ),
            );
        }
    }
    let (base, head) = (base.to_owned(), head.to_owned());
    ctx.log(EventKind::PullRequest {
        base: base.clone(),
        head,
    });
    Reply::ok(format!(
        "https://github.com/rehearsal/repository/pull/1 (into {base})\n"
    ))
}

fn fields(parsed: &Parsed) -> Vec<(String, String)> {
    parsed
        .values(&["-f", "-F", "--field", "--raw-field"])
        .iter()
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn api_call(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let Some(endpoint) = parsed.positionals.first() else {
        return Reply::fail(1, "accepts 1 arg(s), received 0");
    };
    let fields = fields(parsed);
    let input = match parsed.value(&["--input"]) {
        Some("-") => call.stdin.clone(),
        Some(file) => ctx.files.read(&call.cwd, file),
        None => None,
    };
    let default_method = if fields.is_empty() && input.is_none() {
        "GET"
    } else {
        "POST"
    };
    let method = parsed
        .value(&["--method", "-X"])
        .unwrap_or(default_method)
        .to_ascii_uppercase();
    let (status, body) = api::github(&method, endpoint, &fields, input.as_deref(), ctx);
    if status >= 400 {
        let message = body
            .get("message")
            .and_then(Json::as_str)
            .unwrap_or("error");
        return Reply::fail(1, format!("gh: {message} (HTTP {status})"));
    }
    match parsed.value(&["--jq"]) {
        Some(path) => match simple_jq(path, &body) {
            Some(text) => Reply::ok(text),
            None => Reply::fail(
                1,
                format!("rehearsal: gh --jq `{path}` is not simulated (simple paths like .id are)"),
            ),
        },
        None => Reply::ok(super::json_text(&body)),
    }
}

/// `.a.b` paths of `--jq`, printing strings raw as gh does.
fn simple_jq(path: &str, value: &Json) -> Option<String> {
    let mut current = value;
    for field in path.strip_prefix('.')?.split('.').filter(|f| !f.is_empty()) {
        current = current.get(field)?;
    }
    Some(match current {
        Json::String(s) => format!("{s}\n"),
        other => format!("{other}\n"),
    })
}

fn workflow_run(parsed: &Parsed, ctx: &mut Context) -> Reply {
    if !allowed(ctx, "actions", "write") {
        return Reply::fail(
            1,
            "could not create workflow dispatch event: HTTP 403: Resource not accessible by integration",
        );
    }
    let Some(workflow) = parsed.positionals.first() else {
        return Reply::fail(1, "rehearsal: gh workflow run needs a workflow");
    };
    let file = if workflow.contains('/') {
        workflow.clone()
    } else {
        format!(".github/workflows/{workflow}")
    };
    ctx.dispatched.push((file.clone(), fields(parsed)));
    ctx.log(EventKind::Dispatched { file });
    Reply::ok(format!(
        "✓ Created workflow_dispatch event for {workflow}\n"
    ))
}
