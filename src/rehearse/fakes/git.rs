//! The fake `git` for the merge-back: `config`, `fetch`, `switch --create`, `rev-list`, `rev-parse`,
//! `merge-base`, `cherry-pick` and `push` against a simulated remote whose branches the estate holds.
//! It needs a checkout; to push, a checkout that kept its credentials or an authorization header
//! with a token (`git -c http.extraheader=...`).

use super::surface::Parsed;
use super::{Context, Reply};

/// Runs a parsed `git` command, with the global `-c NAME=VALUE` options before it.
pub fn handle(config: &[String], parsed: &Parsed, ctx: &mut Context) -> Reply {
    let command = parsed.command();
    if command != "config" && !ctx.job.checked_out {
        return Reply::fail(
            128,
            "fatal: not a git repository (or any of the parent directories): .git",
        );
    }
    match command.as_str() {
        "config" | "switch" | "cherry-pick" => Reply::ok(""),
        "rev-parse" | "merge-base" => Reply::ok("c0ffee0000000000000000000000000000000000\n"),
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
            let can_push = (ctx.job.git_credentials || config.iter().any(|c| authorizes(c)))
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

/// Whether a `-c` option is an `http.extraheader` that carries a token: `AUTHORIZATION: bearer
/// TOKEN`, or `basic` with the Base64 of `x-access-token:TOKEN`.
fn authorizes(option: &str) -> bool {
    let Some((name, header)) = option.split_once('=') else {
        return false;
    };
    if !name.eq_ignore_ascii_case("http.extraheader") {
        return false;
    }
    let Some((scheme, credential)) = header
        .strip_prefix("AUTHORIZATION:")
        .and_then(|rest| rest.trim().split_once(' '))
    else {
        return false;
    };
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" => !credential.trim().is_empty(),
        "basic" => base64_decode(credential.trim())
            .and_then(|d| String::from_utf8(d).ok())
            .and_then(|d| d.strip_prefix("x-access-token:").map(|t| !t.is_empty()))
            .unwrap_or(false),
        _ => false,
    }
}

/// Standard Base64 (with padding) decoded, or `None` when the text is not Base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let bytes = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for &c in bytes {
        buffer = (buffer << 6) | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_authorizes_only_with_a_token() {
        // "x-access-token:abc" and "x-access-token:" in Base64.
        assert!(authorizes(
            "http.extraheader=AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46YWJj"
        ));
        assert!(!authorizes(
            "http.extraheader=AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46"
        ));
        assert!(authorizes("http.extraheader=AUTHORIZATION: bearer t0ken"));
        assert!(!authorizes("http.extraheader=AUTHORIZATION: bearer "));
        assert!(!authorizes("user.name=someone"));
    }
}
