//! The platform APIs the environment setup scripts call: Azure DevOps environments, identities and
//! check configurations (through `curl`), and GitHub users, teams, environments and branch policies
//! (through `gh api`). What they configure becomes the estate's environment protections.

use serde_json::{Value as Json, json};

use super::super::estate::Protection;
use super::Context;

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of a query parameter of a URL.
fn query<'a>(url: &'a str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair: &'a str| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| decode(v))
}

/// An Azure DevOps REST call: (status, body).
pub fn devops(
    method: &str,
    url: &str,
    data: Option<&str>,
    user: Option<&str>,
    ctx: &mut Context,
) -> (u16, String) {
    if user.is_none_or(|u| u.trim_start_matches(':').is_empty()) {
        return (
            401,
            "{\"message\": \"TF400813: The user is not authorized to access this resource.\"}"
                .into(),
        );
    }
    let path = url
        .split_once("://")
        .map_or(url, |(_, r)| r)
        .split('?')
        .next()
        .unwrap_or_default();
    let body: Option<Json> = data.and_then(|d| serde_json::from_str(d).ok());
    let api = &mut ctx.estate.api;
    let answer = if path.ends_with("/_apis/distributedtask/environments") {
        match method {
            "GET" => {
                let name = query(url, "name").unwrap_or_default();
                let found: Vec<Json> = api
                    .devops_environments
                    .iter()
                    .filter(|(_, n)| **n == name)
                    .map(|(id, n)| json!({"id": id, "name": n}))
                    .collect();
                Some(json!({"count": found.len(), "value": found}))
            }
            "POST" => body
                .as_ref()
                .and_then(|b| b.get("name"))
                .and_then(Json::as_str)
                .map(|name| {
                    api.next_id += 1;
                    api.devops_environments.insert(api.next_id, name.to_owned());
                    json!({"id": api.next_id, "name": name})
                }),
            _ => None,
        }
    } else if path.ends_with("/_apis/identities") && method == "GET" {
        let name = query(url, "filterValue").unwrap_or_default();
        Some(json!({"count": 1, "value": [{"id": format!("identity:{name}")}]}))
    } else if path.ends_with("/_apis/pipelines/checks/configurations") {
        match method {
            "GET" => {
                let resource: Option<u32> = query(url, "resourceId").and_then(|r| r.parse().ok());
                let found: Vec<Json> = api
                    .devops_checks
                    .iter()
                    .filter(|(_, (env, _))| Some(*env) == resource)
                    .map(|(id, (_, c))| {
                        let mut c = c.clone();
                        c["id"] = json!(id);
                        c
                    })
                    .collect();
                Some(json!({"count": found.len(), "value": found}))
            }
            "POST" => body.and_then(|b| {
                let env: u32 = b
                    .pointer("/resource/id")
                    .and_then(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .or_else(|| v.as_u64().map(|n| n.to_string()))
                    })
                    .and_then(|s| s.parse().ok())?;
                api.next_id += 1;
                api.devops_checks.insert(api.next_id, (env, b));
                Some(json!({"id": api.next_id}))
            }),
            _ => None,
        }
    } else if let Some((_, id)) = path.rsplit_once("/_apis/pipelines/checks/configurations/") {
        (method == "DELETE").then(|| {
            if let Ok(id) = id.parse::<u32>() {
                api.devops_checks.remove(&id);
            }
            Json::Null
        })
    } else {
        None
    };
    match answer {
        Some(Json::Null) => (204, String::new()),
        Some(body) => (200, body.to_string()),
        None => (
            404,
            format!("{{\"message\": \"rehearsal: {method} {path} is not simulated\"}}"),
        ),
    }
}

/// The protections the Azure DevOps checks configure, by environment name.
pub fn devops_protections(estate: &super::super::estate::Estate) -> Vec<(String, Protection)> {
    let api = &estate.api;
    api.devops_environments
        .iter()
        .map(|(id, name)| {
            let mut protection = Protection::default();
            for (env, check) in api.devops_checks.values() {
                if env != id {
                    continue;
                }
                match check.pointer("/type/name").and_then(Json::as_str) {
                    Some("Approval") => {
                        protection.reviewers = check
                            .pointer("/settings/approvers")
                            .and_then(Json::as_array)
                            .map(|a| {
                                a.iter()
                                    .filter_map(|p| p.get("id").and_then(Json::as_str))
                                    .map(|s| s.trim_start_matches("identity:").to_owned())
                                    .collect()
                            })
                            .unwrap_or_default();
                        protection.approval_timeout_minutes = check
                            .get("timeout")
                            .and_then(Json::as_u64)
                            .and_then(|t| u32::try_from(t).ok());
                    }
                    Some("Task Check") => {
                        protection.branches = check
                            .pointer("/settings/inputs/allowedBranches")
                            .and_then(Json::as_str)
                            .map(|b| {
                                b.split(',')
                                    .map(|p| p.trim().trim_start_matches("refs/heads/").to_owned())
                                    .filter(|p| !p.is_empty())
                                    .collect()
                            })
                            .unwrap_or_default();
                    }
                    _ => {}
                }
            }
            (name.clone(), protection)
        })
        .collect()
}

/// A GitHub REST call through `gh api`: (status, body).
pub fn github(
    method: &str,
    endpoint: &str,
    fields: &[(String, String)],
    input: Option<&str>,
    ctx: &mut Context,
) -> (u16, Json) {
    let parts: Vec<&str> = endpoint.trim_start_matches('/').split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["repos", owner, name]) => (
            200,
            json!({"full_name": format!("{owner}/{name}"), "private": false}),
        ),
        ("PUT", ["repos", _, _, "actions", "permissions", "workflow"]) => {
            let field = |name: &str| {
                fields
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str())
            };
            if let Some(allowed) = field("can_approve_pull_request_reviews") {
                ctx.estate.api.actions_open_pull_requests = allowed == "true";
            }
            (204, Json::Null)
        }
        ("GET", ["users", name]) => (200, json!({"login": name, "id": stable_id(name)})),
        ("GET", ["orgs", org, "teams", slug]) => (
            200,
            json!({"slug": slug, "id": stable_id(&format!("{org}/{slug}"))}),
        ),
        ("PUT", ["repos", _, _, "environments", name]) => {
            let body: Json = input
                .and_then(|i| serde_json::from_str(i).ok())
                .unwrap_or_else(|| json!({}));
            let protection = ctx
                .estate
                .environments
                .entry((*name).to_owned())
                .or_default();
            protection.reviewers = body
                .get("reviewers")
                .and_then(Json::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|p| p.get("id"))
                        .map(Json::to_string)
                        .collect()
                })
                .unwrap_or_default();
            protection.wait_minutes = body
                .get("wait_timer")
                .and_then(Json::as_u64)
                .and_then(|w| u32::try_from(w).ok())
                .unwrap_or(0);
            (200, json!({"name": name}))
        }
        (
            "POST",
            [
                "repos",
                _,
                _,
                "environments",
                name,
                "deployment-branch-policies",
            ],
        ) => {
            let pattern = fields
                .iter()
                .find(|(k, _)| k == "name")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let protection = ctx
                .estate
                .environments
                .entry((*name).to_owned())
                .or_default();
            protection.branches.push(pattern.clone());
            (200, json!({"name": pattern}))
        }
        _ => (
            404,
            json!({"message": format!("rehearsal: {method} {endpoint} is not simulated")}),
        ),
    }
}

fn stable_id(text: &str) -> u64 {
    text.bytes().fold(1_000u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b)) % 1_000_000_007
    })
}
