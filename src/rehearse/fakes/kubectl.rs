//! The fake `kubectl`: deployments with revisions; `apply` of a service's manifests (a new pod
//! template of this run's build), `rollout pause|resume|status|undo`, `patch` (JSON merge) and
//! `get deployment -o json`. It needs the credentials of the cluster (`az aks get-credentials`).

use serde_json::{Value as Json, json};

use super::super::estate::{EventKind, Kind, Kube, PodTemplate};
use super::surface::Parsed;
use super::{Call, Context, Reply};

/// Virtual seconds a rollout takes to finish.
const ROLLOUT_SECONDS: u64 = 45;

/// Runs a parsed `kubectl` command.
pub fn handle(call: &Call, parsed: &Parsed, ctx: &mut Context) -> Reply {
    let Some(cluster) = ctx.job.kube_context.clone() else {
        return Reply::fail(
            1,
            "The connection to the server localhost:8080 was refused - did you specify the right host or port?",
        );
    };
    let namespace = parsed
        .value(&["--namespace", "-n"])
        .unwrap_or("default")
        .to_owned();
    let command = parsed.command();
    if command == "apply" {
        return apply(call, parsed, ctx, &cluster, &namespace);
    }
    let Some(name) = parsed.positionals.first().cloned() else {
        return Reply::fail(1, "error: you must specify the deployment");
    };
    let found = ctx.estate.targets.iter().position(|t| {
        matches!(&t.kind, Kind::Kube(k) if k.cluster == cluster && k.namespace == namespace && k.deployment == name)
    });
    let Some(index) = found else {
        return Reply::fail(
            1,
            format!("Error from server (NotFound): deployments.apps \"{name}\" not found"),
        );
    };
    let build = ctx.build.clone();
    let Kind::Kube(kube) = &mut ctx.estate.targets[index].kind else {
        return Reply::fail(1, "rehearsal: not a deployment");
    };
    let result = match command.as_str() {
        "rollout pause deployment" => {
            kube.paused = true;
            Ok((format!("deployment.apps/{name} paused\n"), None, 0))
        }
        "rollout resume deployment" => {
            kube.paused = false;
            let served = kube.pending.take().map(|t| {
                let build = t.build.clone();
                kube.revisions.push(t);
                build
            });
            Ok((
                format!("deployment.apps/{name} resumed\n"),
                served.map(|b| (b, "rollout")),
                0,
            ))
        }
        "rollout status deployment" => {
            if kube.paused {
                Err(format!(
                    "error: deployment \"{name}\" is paused; resume it to finish the rollout"
                ))
            } else {
                Ok((
                    format!("deployment \"{name}\" successfully rolled out\n"),
                    None,
                    ROLLOUT_SECONDS,
                ))
            }
        }
        "rollout undo deployment" => {
            if kube.revisions.len() < 2 {
                Err(format!(
                    "error: no rollout history found for deployment \"{name}\""
                ))
            } else {
                kube.revisions.pop();
                kube.pending = None;
                let build = kube
                    .revisions
                    .last()
                    .map(|r| r.build.clone())
                    .unwrap_or_default();
                Ok((
                    format!("deployment.apps/{name} rolled back\n"),
                    Some((build, "undo")),
                    0,
                ))
            }
        }
        "patch deployment" => patch(kube, parsed, &name, &build),
        "get deployment" => get(kube, parsed, &name),
        other => Err(format!("rehearsal: kubectl {other} is not simulated")),
    };
    match result {
        Ok((stdout, served, seconds)) => {
            if let Some((build, how)) = served {
                ctx.log(EventKind::Serving {
                    target: index,
                    build,
                    how: how.into(),
                });
            }
            Reply::ok(stdout).taking(seconds)
        }
        Err(message) => Reply::fail(1, message),
    }
}

type Outcome = Result<(String, Option<(String, &'static str)>, u64), String>;

fn patch(kube: &mut Kube, parsed: &Parsed, name: &str, _build: &str) -> Outcome {
    if parsed.value(&["--type"]).is_some_and(|t| t != "merge") {
        return Err("rehearsal: only `--type merge` patches are simulated".into());
    }
    let text = parsed
        .value(&["--patch"])
        .ok_or("error: --patch is required")?;
    let patch: Json = serde_json::from_str(text)
        .map_err(|e| format!("error: unable to parse \"{text}\": {e}"))?;
    let current = kube
        .revisions
        .last()
        .cloned()
        .ok_or("error: the deployment has no revision")?;
    let template = if kube.paused {
        kube.pending.get_or_insert(current)
    } else {
        kube.revisions.push(current);
        kube.revisions.last_mut().ok_or("error: no revision")?
    };
    merge(&mut template.spec, &patch);
    if let Some(annotations) = patch
        .pointer("/spec/template/metadata/annotations")
        .and_then(Json::as_object)
    {
        for (key, value) in annotations {
            template.annotations.insert(
                key.clone(),
                value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_owned),
            );
        }
    }
    let served = (!kube.paused).then(|| {
        (
            kube.revisions
                .last()
                .map(|r| r.build.clone())
                .unwrap_or_default(),
            "patch",
        )
    });
    Ok((format!("deployment.apps/{name} patched\n"), served, 0))
}

fn get(kube: &Kube, parsed: &Parsed, name: &str) -> Outcome {
    let template = kube
        .pending
        .as_ref()
        .or(kube.revisions.last())
        .ok_or("error: no revision")?;
    let mut spec = template
        .spec
        .get("spec")
        .cloned()
        .unwrap_or_else(|| json!({}));
    merge(
        &mut spec,
        &json!({"template": {"metadata": {"annotations": template.annotations}}}),
    );
    let document = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": kube.namespace},
        "spec": spec,
        "status": {"observedGeneration": kube.revisions.len()}
    });
    match parsed.value(&["--output", "-o"]) {
        Some("json") => Ok((super::json_text(&document), None, 0)),
        Some(other) => Err(format!(
            "rehearsal: kubectl -o {other} is not simulated (json is)"
        )),
        None => Ok((format!("NAME READY\n{name} 1/1\n"), None, 0)),
    }
}

/// A JSON merge patch (RFC 7386).
fn merge(target: &mut Json, patch: &Json) {
    let Json::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    if let Json::Object(map) = target {
        for (key, value) in patch {
            if value.is_null() {
                map.remove(key);
            } else {
                merge(map.entry(key.clone()).or_insert(Json::Null), value);
            }
        }
    }
}

fn apply(call: &Call, parsed: &Parsed, ctx: &mut Context, cluster: &str, namespace: &str) -> Reply {
    let Some(file) = parsed.value(&["--filename"]).map(str::to_owned) else {
        return Reply::fail(1, "error: must specify one of -f and -k");
    };
    if ctx.files.read(&call.cwd, &file).is_none() {
        return Reply::fail(1, format!("error: the path \"{file}\" does not exist"));
    }
    let normalized = file.trim_start_matches("./").to_owned();
    let found = ctx.estate.targets.iter().position(|t| {
        matches!(&t.kind, Kind::Kube(k) if k.cluster == cluster && k.namespace == namespace && k.manifests.iter().any(|m| m.trim_start_matches("./") == normalized))
    });
    let Some(index) = found else {
        return Reply::ok(format!(
            "configured (no deployment of the plan in {file})\n"
        ));
    };
    if ctx.deploy_fails(index, "kubectl apply") {
        return Reply::fail(
            1,
            "Error from server (ServiceUnavailable): the server is currently unable to handle the request (rehearsal fault)",
        );
    }
    let build = ctx.build.clone();
    let Kind::Kube(kube) = &mut ctx.estate.targets[index].kind else {
        return Reply::fail(1, "rehearsal: not a deployment");
    };
    let mut template = kube
        .pending
        .clone()
        .or_else(|| kube.revisions.last().cloned())
        .unwrap_or(PodTemplate {
            build: String::new(),
            annotations: Default::default(),
            spec: json!({}),
        });
    template.build = build.clone();
    let name = kube.deployment.clone();
    let event = if kube.paused {
        kube.pending = Some(template);
        EventKind::Staged {
            target: index,
            build,
        }
    } else {
        kube.revisions.push(template);
        EventKind::Serving {
            target: index,
            build,
            how: "apply".into(),
        }
    };
    ctx.log(event);
    Reply::ok(format!("deployment.apps/{name} configured\n"))
}
