//! The fake `curl`: the estate's health endpoints (production and App Service slots, answering
//! unhealthy when a fault says so) and the Azure DevOps REST API the environment setup script calls.
//! Any other host cannot be resolved: the rehearsal never uses the network.

use super::super::estate::{EventKind, Kind, PREVIOUS};
use super::surface::Parsed;
use super::{Call, Context, Reply, api};

/// A request after the options are read.
struct Request<'a> {
    url: &'a str,
    method: String,
    data: Option<String>,
    user: Option<&'a str>,
}

/// Runs a parsed `curl` command.
pub fn handle(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let Some(url) = parsed.positionals.first() else {
        return Reply::fail(2, "curl: no URL specified");
    };
    let data = match parsed.value(&["--data", "-d"]) {
        Some("@-") => call.stdin.clone(),
        Some(other) if other.starts_with('@') => ctx.files.read(&call.cwd, &other[1..]),
        Some(other) => Some(other.to_owned()),
        None => None,
    };
    let method = parsed
        .value(&["--request", "-X"])
        .map(str::to_owned)
        .unwrap_or_else(|| {
            if data.is_some() {
                "POST".into()
            } else {
                "GET".into()
            }
        });
    let request = Request {
        url,
        method,
        data,
        user: parsed.value(&["--user", "-u"]),
    };
    let host = host_of(url);
    let (status, body) = if host.ends_with("dev.azure.com") {
        api::devops(
            &request.method,
            request.url,
            request.data.as_deref(),
            request.user,
            ctx,
        )
    } else if let Some(answer) =
        super::gates::http(request.url, &parsed.values(&["--data-urlencode"]), ctx)
    {
        answer
    } else {
        match health(request.url, ctx) {
            Some(answer) => answer,
            None => return Reply::fail(6, format!("curl: (6) Could not resolve host: {host}")),
        }
    };
    respond(call, parsed, ctx, status, &body)
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', ':']).next().unwrap_or_default()
}

/// Writes the body and the `--write-out` text, and fails as `--fail` asks.
fn respond(call: &Call, parsed: &Parsed, ctx: &mut Context, status: u16, body: &str) -> Reply {
    let fail = parsed.has(&["--fail", "-f"]);
    let fail_with_body = parsed.has(&["--fail-with-body"]);
    let failed = status >= 400 && (fail || fail_with_body);
    let mut stdout = String::new();
    if !failed || fail_with_body {
        match parsed.value(&["--output", "-o"]) {
            Some("/dev/null") => {}
            Some(file) => {
                if let Err(e) = ctx.files.write(&call.cwd, file, body) {
                    return Reply::fail(
                        23,
                        format!("curl: (23) Failure writing output to destination: {e}"),
                    );
                }
            }
            None => stdout.push_str(body),
        }
    }
    if let Some(format) = parsed.value(&["--write-out", "-w"]) {
        stdout.push_str(
            &format
                .replace("%{http_code}", &status.to_string())
                .replace("%{response_code}", &status.to_string())
                .replace("\\n", "\n"),
        );
    }
    if failed {
        let mut reply = Reply::fail(
            22,
            if parsed.has(&["--show-error", "-S"]) {
                format!("curl: (22) The requested URL returned error: {status}")
            } else {
                String::new()
            },
        );
        reply.stdout = stdout;
        return reply;
    }
    Reply::ok(stdout)
}

/// The path of a URL (without query), with no trailing slash.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split('?')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
}

/// The target (and slot) a health URL reaches: a production health URL of the plan, or an App
/// Service's own host name (`APP.azurewebsites.net`, `APP-SLOT.azurewebsites.net`) with its health
/// path.
fn health_target(url: &str, ctx: &Context) -> Option<(usize, Option<String>, u16)> {
    let url = url.trim_end_matches('/');
    let host = host_of(url);
    for (index, target) in ctx.estate.targets.iter().enumerate() {
        let Some((production, expected)) = &target.health else {
            continue;
        };
        if production.trim_end_matches('/') == url {
            return Some((index, None, *expected));
        }
        if let Kind::App(app) = &target.kind
            && path_of(production) == path_of(url)
        {
            if host == format!("{}.azurewebsites.net", app.name) {
                return Some((index, None, *expected));
            }
            if let Some(slot) = app
                .slots
                .keys()
                .find(|slot| host == format!("{}-{slot}.azurewebsites.net", app.name))
            {
                return Some((index, Some(slot.clone()), *expected));
            }
        }
    }
    None
}

/// The answer of a health endpoint of the estate: (status, body), or `None` for an unknown host.
fn health(url: &str, ctx: &mut Context) -> Option<(u16, String)> {
    let Some((index, slot, expected)) = health_target(url, ctx) else {
        let host = host_of(url);
        let known = ctx.estate.targets.iter().any(|t| {
            t.health.as_ref().is_some_and(|(u, _)| host_of(u) == host)
                || matches!(&t.kind, Kind::App(app) if host.starts_with(&app.name) && host.ends_with(".azurewebsites.net"))
        });
        return known.then(|| (404, "Not Found".to_owned()));
    };
    let build = match (&ctx.estate.targets[index].kind, &slot) {
        (Kind::App(app), Some(slot)) => app
            .slots
            .get(slot)
            .map(|s| s.build.clone())
            .unwrap_or_default(),
        _ => ctx.estate.serving(index),
    };
    let target = &mut ctx.estate.targets[index];
    let mut healthy =
        build != "empty" && !build.contains("package of") && build != "unknown package";
    if build != PREVIOUS && healthy {
        target.checks += 1;
        if let Some(after) = target.unhealthy_after {
            healthy = target.checks <= after;
        }
    }
    ctx.log(EventKind::Health {
        target: index,
        slot,
        build,
        healthy,
    });
    Some(if healthy {
        (expected, "Healthy".to_owned())
    } else {
        (503, "Service Unavailable".to_owned())
    })
}
