//! The traffic routers of the estate behind the fake `az`: Traffic Manager profiles and their
//! endpoints (`az network traffic-manager`), Front Door origins (`az rest` on their resource ids). Each change is
//! logged, and each health reading the router gives, so the verdicts can replay who got users when.
//! An endpoint a fault makes faulty reads unhealthy while it is in rotation on the new version.

use serde_json::{Value as Json, json};

use super::super::estate::{EventKind, Router};
use super::Context;
use super::surface::Parsed;

/// The type Cutover's Traffic Manager endpoints have in the estate.
const ENDPOINT_TYPE: &str = "azureEndpoints";

/// The resource provider path of Front Door profiles in a resource id.
const FRONT_DOOR: &str = "/providers/Microsoft.Cdn/profiles/";

/// Whether `url` (of `az rest`) names a Front Door resource.
pub fn is_front_door(url: &str) -> bool {
    url.contains(FRONT_DOOR)
}

/// Runs `az rest` on a Front Door origin: `get` reads it, `patch` changes its enabled state and
/// weight (`--body '{"properties": {...}}'`).
pub fn front_door(parsed: &Parsed, ctx: &mut Context) -> Result<Json, String> {
    let url = required(parsed, "--url")?;
    let (router, endpoint) = origin(url, ctx)?;
    match parsed.value(&["--method"]).unwrap_or("get") {
        "get" | "GET" => {
            let healthy = health(ctx, router, endpoint);
            Ok(origin_json(&ctx.estate.routers[router], endpoint, healthy))
        }
        "patch" | "PATCH" => {
            let body: Json = serde_json::from_str(required(parsed, "--body")?)
                .map_err(|e| format!("--body is not JSON: {e}"))?;
            let properties = &body["properties"];
            let in_rotation = match properties["enabledState"].as_str() {
                Some("Enabled") => true,
                Some("Disabled") => false,
                other => {
                    return Err(format!(
                        "(BadRequest) enabledState {other:?} is not Enabled or Disabled"
                    ));
                }
            };
            let weight = match &properties["weight"] {
                Json::Null => None,
                value => Some(
                    value
                        .as_u64()
                        .and_then(|w| u32::try_from(w).ok())
                        .ok_or_else(|| format!("(BadRequest) weight {value} is not a number"))?,
                ),
            };
            change(weight, ctx, router, endpoint, in_rotation)?;
            Ok(origin_json(&ctx.estate.routers[router], endpoint, None))
        }
        other => Err(format!(
            "rehearsal: az rest --method {other}: not a method of the estate's Front Door"
        )),
    }
}

/// Runs `az network traffic-manager …`.
pub fn handle(parsed: &Parsed, ctx: &mut Context) -> Result<Json, String> {
    match parsed.command().as_str() {
        "network traffic-manager profile show" => {
            let router = profile(parsed, ctx, "--name")?;
            let r = &ctx.estate.routers[router];
            Ok(json!({
                "name": r.profile,
                "dnsConfig": {"ttl": r.dns_ttl_seconds},
                "trafficRoutingMethod": if r.weighted { "Weighted" } else { "Priority" },
            }))
        }
        "network traffic-manager endpoint list" => {
            let router = profile(parsed, ctx, "--profile-name")?;
            let listed: Vec<Json> = (0..ctx.estate.routers[router].endpoints.len())
                .map(|e| endpoint_json(&ctx.estate.routers[router], e, None))
                .collect();
            Ok(Json::Array(listed))
        }
        "network traffic-manager endpoint update" => {
            let (router, endpoint) = traffic_manager_endpoint(parsed, ctx)?;
            let in_rotation = match required(parsed, "--endpoint-status")? {
                "Enabled" => true,
                "Disabled" => false,
                other => return Err(format!("invalid --endpoint-status '{other}'")),
            };
            let weight = match parsed.value(&["--weight"]) {
                Some(text) => Some(
                    text.parse::<u32>()
                        .map_err(|_| format!("--weight must be a number, not '{text}'"))?,
                ),
                None => None,
            };
            change(weight, ctx, router, endpoint, in_rotation)?;
            Ok(endpoint_json(&ctx.estate.routers[router], endpoint, None))
        }
        "network traffic-manager endpoint show" => {
            let (router, endpoint) = traffic_manager_endpoint(parsed, ctx)?;
            let healthy = health(ctx, router, endpoint);
            Ok(endpoint_json(
                &ctx.estate.routers[router],
                endpoint,
                healthy,
            ))
        }
        other => Err(format!(
            "rehearsal: az {other}: not a command of the estate"
        )),
    }
}

/// Puts an endpoint in or out of rotation, with a new weight when given, and logs it.
fn change(
    weight: Option<u32>,
    ctx: &mut Context,
    router: usize,
    endpoint: usize,
    in_rotation: bool,
) -> Result<(), String> {
    if let Some(weight) = weight
        && !(1..=1_000).contains(&weight)
    {
        return Err(format!(
            "(BadRequest) weight must be from 1 to 1000, not {weight}"
        ));
    }
    let state = &mut ctx.estate.routers[router].endpoints[endpoint];
    state.in_rotation = in_rotation;
    if let Some(weight) = weight {
        state.weight = weight;
    }
    let weight = state.weight;
    ctx.log(EventKind::Traffic {
        router,
        endpoint,
        in_rotation,
        weight,
    });
    Ok(())
}

/// The router's reading of an endpoint in rotation (logged), or `None` when it is out of rotation.
fn health(ctx: &mut Context, router: usize, endpoint: usize) -> Option<bool> {
    let r = &ctx.estate.routers[router];
    let state = &r.endpoints[endpoint];
    if !state.in_rotation {
        return None;
    }
    let new = ctx.estate.region_is_new(&r.environment, &state.region);
    let healthy = !(state.faulty && new);
    ctx.log(EventKind::RouterHealth {
        router,
        endpoint,
        healthy,
    });
    Some(healthy)
}

fn endpoint_json(router: &Router, endpoint: usize, healthy: Option<bool>) -> Json {
    let state = &router.endpoints[endpoint];
    let monitor = match healthy {
        _ if !state.in_rotation => "Disabled",
        Some(false) => "Degraded",
        _ => "Online",
    };
    json!({
        "name": state.name,
        "type": format!("Microsoft.Network/trafficManagerProfiles/{ENDPOINT_TYPE}"),
        "endpointStatus": if state.in_rotation { "Enabled" } else { "Disabled" },
        "endpointMonitorStatus": monitor,
        "weight": state.weight,
    })
}

fn origin_json(router: &Router, endpoint: usize, healthy: Option<bool>) -> Json {
    let state = &router.endpoints[endpoint];
    json!({
        "name": state.name,
        "properties": {
            "enabledState": if state.in_rotation { "Enabled" } else { "Disabled" },
            "provisioningState": if healthy == Some(false) { "Failed" } else { "Succeeded" },
            "weight": state.weight,
        },
    })
}

fn required<'p>(parsed: &'p Parsed, flag: &str) -> Result<&'p str, String> {
    parsed
        .value(&[flag])
        .ok_or_else(|| format!("the following arguments are required: {flag}"))
}

/// The Traffic Manager router named by `--resource-group` and the profile flag `flag`.
fn profile(parsed: &Parsed, ctx: &Context, flag: &str) -> Result<usize, String> {
    let (group, name) = (
        required(parsed, "--resource-group")?,
        required(parsed, flag)?,
    );
    ctx.estate
        .routers
        .iter()
        .position(|r| r.origin_group.is_none() && r.resource_group == group && r.profile == name)
        .ok_or_else(|| format!("(ResourceNotFound) The Traffic Manager profile '{name}' under resource group '{group}' was not found."))
}

/// The Traffic Manager endpoint named by `--name` and `--type` in the profile.
fn traffic_manager_endpoint(parsed: &Parsed, ctx: &Context) -> Result<(usize, usize), String> {
    let router = profile(parsed, ctx, "--profile-name")?;
    let (name, kind) = (required(parsed, "--name")?, required(parsed, "--type")?);
    let endpoint = ctx.estate.routers[router]
        .endpoints
        .iter()
        .position(|e| e.name == name && kind == ENDPOINT_TYPE)
        .ok_or_else(|| format!("(NotFound) The endpoint '{kind}/{name}' was not found."))?;
    Ok((router, endpoint))
}

/// The Front Door origin a resource path names:
/// `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Cdn/profiles/P/originGroups/G/origins/O`.
fn origin(url: &str, ctx: &Context) -> Result<(usize, usize), String> {
    let path = url.split('?').next().unwrap_or_default();
    let parts: Vec<&str> = path.split('/').collect();
    let after = |key: &str| {
        parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case(key))
            .and_then(|i| parts.get(i + 1).copied())
    };
    let (Some(group), Some(profile), Some(origin_group), Some(name)) = (
        after("resourceGroups"),
        after("profiles"),
        after("originGroups"),
        after("origins"),
    ) else {
        return Err(format!(
            "(InvalidResourceId) '{url}' is not a Front Door origin"
        ));
    };
    let router = ctx
        .estate
        .routers
        .iter()
        .position(|r| {
            r.resource_group == group
                && r.profile == profile
                && r.origin_group.as_deref() == Some(origin_group)
        })
        .ok_or_else(|| format!("(ResourceNotFound) The origin group '{origin_group}' of Front Door profile '{profile}' was not found."))?;
    let endpoint = ctx.estate.routers[router]
        .endpoints
        .iter()
        .position(|e| e.name == name)
        .ok_or_else(|| format!("(ResourceNotFound) The origin '{name}' was not found."))?;
    Ok((router, endpoint))
}
