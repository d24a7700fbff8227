//! The quality gates' endpoints in the estate: a REST check's URL, a SonarQube server's quality-gate
//! status, and the Azure Alerts Management API. Each answers passing unless a fault makes the gate's
//! signal fail; every answer is logged, so the verdicts know when a gate failed and where.

use serde_json::{Value as Json, json};

use super::super::estate::{EventKind, GateEndpoint};
use super::Context;
use crate::plan::JsonPathSegment;

/// SonarQube's web API path of a project's quality-gate status.
const SONAR_STATUS: &str = "/api/qualitygates/project_status";
/// The Azure Resource Manager host.
const MANAGEMENT: &str = "https://management.azure.com";
/// The Alerts Management API's path after a scope.
const ALERTS: &str = "/providers/Microsoft.AlertsManagement/alerts";

/// The answer (status, body) of a gate endpoint at `url`, with the form fields of a `--get` request
/// in `query`; `None` when no gate asks this URL.
pub fn http(url: &str, query: &[&str], ctx: &mut Context) -> Option<(u16, String)> {
    let url = url.trim_end_matches('/');
    if let Some(server) = url.strip_suffix(SONAR_STATUS) {
        let project = query
            .iter()
            .find_map(|field| field.strip_prefix("projectKey="))?;
        let (signal, passing) = ctx.estate.gate_answer(|endpoint| {
            matches!(endpoint, GateEndpoint::Sonar { server: s, project: p } if s == server && p == project)
        })?;
        ctx.log(EventKind::Gate { signal, passing });
        let status = if passing { "OK" } else { "ERROR" };
        return Some((
            200,
            json!({"projectStatus": {"status": status}}).to_string(),
        ));
    }
    let (signal, passing) = ctx.estate.gate_answer(
        |endpoint| matches!(endpoint, GateEndpoint::Rest { url: u, .. } if u.trim_end_matches('/') == url),
    )?;
    ctx.log(EventKind::Gate { signal, passing });
    let GateEndpoint::Rest {
        status,
        path,
        equals,
        ..
    } = &ctx.estate.gates[signal].endpoint
    else {
        return None;
    };
    if path.is_empty() {
        return Some(if passing {
            (*status, "passing".to_owned())
        } else {
            (503, "failing".to_owned())
        });
    }
    let value = if passing {
        equals.clone()
    } else {
        format!("not {equals}")
    };
    Some((*status, nested(path, Json::String(value)).to_string()))
}

/// `value` placed at `path` in otherwise empty objects and arrays.
fn nested(path: &[JsonPathSegment], value: Json) -> Json {
    path.iter()
        .rev()
        .fold(value, |inner, segment| match segment {
            JsonPathSegment::Key(key) => json!({ key.clone(): inner }),
            JsonPathSegment::Index(index) => {
                let mut items = vec![Json::Null; *index as usize];
                items.push(inner);
                Json::Array(items)
            }
        })
}

/// The Alerts Management API's answer for `url` (`az rest --method get --url URL`): the alerts fired
/// under the scope, one per watched rule of a failing signal, started now. `None` when the URL is
/// not an alerts query of a gate's scope.
pub fn alerts(url: &str, ctx: &mut Context) -> Option<Json> {
    // `az rest` takes a resource path and puts the cloud's Resource Manager host before it.
    let path = url.strip_prefix(MANAGEMENT).unwrap_or(url);
    if !path.starts_with('/') {
        return None;
    }
    let scope = path
        .split_once('?')
        .map_or(path, |(p, _)| p)
        .strip_suffix(ALERTS)?;
    let (signal, passing) = ctx.estate.gate_answer(
        |endpoint| matches!(endpoint, GateEndpoint::Alerts { scope: s, .. } if s == scope),
    )?;
    ctx.log(EventKind::Gate { signal, passing });
    let GateEndpoint::Alerts { rules, .. } = &ctx.estate.gates[signal].endpoint else {
        return None;
    };
    let started = super::clock::iso_time(ctx.now);
    let value: Vec<Json> = if passing {
        Vec::new()
    } else {
        rules
            .iter()
            .map(|rule| {
                json!({"properties": {"essentials": {
                    "alertRule": format!("{scope}/providers/Microsoft.Insights/metricAlerts/{rule}"),
                    "monitorCondition": "Fired",
                    "startDateTime": started,
                }}})
            })
            .collect()
    };
    Some(json!({ "value": value }))
}
