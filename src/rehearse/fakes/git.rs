//! The fake `git` for the merge-back: `config`, `fetch`, `switch --create`, `rev-list`,
//! `cherry-pick` and `push` against a simulated remote whose branches the estate holds. It needs a
//! checkout, and a checkout that kept its credentials to push.

use super::surface::Parsed;
use super::{Call, Context, Reply};

/// Runs a parsed `git` command.
pub fn handle(_call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let command = parsed.command();
    if command != "config" && !ctx.job.checked_out {
        return Reply::fail(
            128,
            "fatal: not a git repository (or any of the parent directories): .git",
        );
    }
    match command.as_str() {
        "config" | "switch" | "cherry-pick" => Reply::ok(""),
        "fetch" => {
            let reference = parsed
                .positionals
                .get(1)
                .map(String::as_str)
                .unwrap_or_default();
            let branch = reference.trim_start_matches("refs/heads/");
            if ctx.estate.branches.contains(branch) {
                Reply::ok("")
            } else {
                Reply::fail(128, format!("fatal: couldn't find remote ref {reference}"))
            }
        }
        "rev-list" => Reply::ok("c0ffee0000000000000000000000000000000001\n"),
        "push" => {
            let can_push = ctx.job.git_credentials
                && ctx
                    .job
                    .token_scopes
                    .as_ref()
                    .is_none_or(|p| p.allows("contents", "write"));
            if !can_push {
                return Reply::fail(
                    128,
                    "fatal: could not read Username for 'https://github.com': No such device or address",
                );
            }
            let branch = parsed.positionals.get(1).cloned().unwrap_or_default();
            ctx.estate.branches.insert(branch);
            Reply::ok("")
        }
        other => Reply::fail(1, format!("rehearsal: git {other} is not simulated")),
    }
}
