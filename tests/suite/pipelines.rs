//! Reading exported pipelines as a platform would run them, for tests: Azure stage templates expanded
//! into the stages they stand for, and GitHub reusable-workflow calls expanded into the jobs they run,
//! with every parameter and input substituted. Tests then check semantics on one flat view, whatever
//! file a piece of it lives in.

use serde_json::{Map, Value};

use cutover::export::Export;

/// The parsed YAML of the exported file at `path`.
pub fn document(export: &Export, path: &str) -> Value {
    let file = export
        .files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no file {path}"));
    serde_saphyr::from_str(&file.contents).expect("generated YAML parses")
}

/// A string list (`dependsOn`, `needs`), from a single string or a sequence.
pub fn list(value: &Value) -> Vec<String> {
    match value {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

/// Replaces `${{ PREFIX.name }}` in every string of `value` with the value of `name` in `values`; a
/// string that is only such an expression becomes the value itself (a list stays a list). An array
/// element `${{ if ne(PREFIX.name, '') }}: [items]` is replaced by its items when `name` is not empty.
fn substitute(value: &Value, prefix: &str, values: &Map<String, Value>) -> Value {
    match value {
        Value::String(text) => {
            for (name, replacement) in values {
                let expression = format!("${{{{ {prefix}.{name} }}}}");
                if *text == expression {
                    return replacement.clone();
                }
            }
            let mut text = text.clone();
            for (name, replacement) in values {
                let expression = format!("${{{{ {prefix}.{name} }}}}");
                let plain = match replacement {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                text = text.replace(&expression, &plain);
            }
            Value::String(text)
        }
        Value::Array(items) => {
            let mut out = Vec::new();
            for item in items {
                if let Some(map) = item.as_object()
                    && map.len() == 1
                    && let Some((key, inserted)) = map.iter().next()
                    && let Some(name) = key
                        .strip_prefix(&format!("${{{{ if ne({prefix}."))
                        .and_then(|rest| rest.strip_suffix(", '') }}"))
                {
                    let set = values.get(name).is_some_and(|v| v.as_str() != Some(""));
                    if set {
                        for inner in inserted.as_array().into_iter().flatten() {
                            out.push(substitute(inner, prefix, values));
                        }
                    }
                    continue;
                }
                out.push(substitute(item, prefix, values));
            }
            Value::Array(out)
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, prefix, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Every stage of the Azure pipeline at `path`, with template inclusions expanded.
pub fn azure_stages(export: &Export, path: &str) -> Vec<Value> {
    let pipeline = document(export, path);
    let folder = path.rsplit_once('/').map_or("", |(f, _)| f);
    let mut stages = Vec::new();
    for stage in pipeline["stages"].as_array().expect("stages") {
        let Some(template) = stage["template"].as_str() else {
            stages.push(stage.clone());
            continue;
        };
        let body = document(export, &format!("{folder}/{template}"));
        let mut values = Map::new();
        for parameter in body["parameters"].as_array().expect("parameters") {
            if let Some(default) = parameter.get("default") {
                values.insert(
                    parameter["name"].as_str().expect("name").to_owned(),
                    default.clone(),
                );
            }
        }
        for (name, value) in stage["parameters"].as_object().expect("parameters") {
            values.insert(name.clone(), value.clone());
        }
        let expanded = substitute(&body["stages"], "parameters", &values);
        stages.extend(expanded.as_array().expect("stages").iter().cloned());
    }
    stages
}

/// The Azure stage `id` among `stages`.
pub fn azure_stage<'a>(stages: &'a [Value], id: &str) -> &'a Value {
    stages
        .iter()
        .find(|s| s["stage"] == id)
        .unwrap_or_else(|| panic!("no stage {id}"))
}

/// Every job of the GitHub workflow at `path`, with reusable-workflow calls expanded: a call `X`
/// becomes the called workflow's `deploy` job as `X` (with the caller's `needs` and `if`), and its
/// `rollback` job as `X.rollback` (needing `X`, its condition rewritten to name `X`).
pub fn github_jobs(export: &Export, path: &str) -> Map<String, Value> {
    let workflow = document(export, path);
    let mut jobs = Map::new();
    for (id, job) in workflow["jobs"].as_object().expect("jobs") {
        let Some(uses) = job["uses"].as_str() else {
            jobs.insert(id.clone(), job.clone());
            continue;
        };
        let called = document(export, uses.trim_start_matches("./"));
        let mut values = Map::new();
        for (name, input) in called["on"]["workflow_call"]["inputs"]
            .as_object()
            .expect("inputs")
        {
            if let Some(default) = input.get("default") {
                values.insert(name.clone(), default.clone());
            }
        }
        for (name, value) in job["with"].as_object().into_iter().flatten() {
            values.insert(name.clone(), value.clone());
        }
        for (called_id, called_job) in called["jobs"].as_object().expect("jobs") {
            let mut expanded = substitute(called_job, "inputs", &values);
            let map = expanded.as_object_mut().expect("job");
            if called_id == "deploy" {
                map.insert("needs".into(), job["needs"].clone());
                map.insert("uses".into(), Value::String(uses.to_owned()));
                jobs.insert(id.clone(), expanded);
            } else {
                map.insert(
                    "needs".into(),
                    Value::Array(vec![Value::String(id.clone())]),
                );
                if let Some(condition) = map.get("if").and_then(Value::as_str) {
                    let condition = condition.replace("needs.deploy.", &format!("needs.{id}."));
                    map.insert("if".into(), Value::String(condition));
                }
                jobs.insert(format!("{id}.{called_id}"), expanded);
            }
        }
    }
    jobs
}

/// The GitHub job `id` among `jobs`.
pub fn github_job<'a>(jobs: &'a Map<String, Value>, id: &str) -> &'a Value {
    jobs.get(id).unwrap_or_else(|| panic!("no job {id}"))
}

/// The names of a GitHub job's steps, in order.
pub fn step_names(job: &Value) -> Vec<String> {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The step of a GitHub job with this name.
pub fn github_step<'a>(job: &'a Value, name: &str) -> &'a Value {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {job}"))
}

/// Whether `from` waits for `to`, directly or through other jobs, in `nodes` (id → what it waits for).
pub fn waits_for(
    nodes: &std::collections::BTreeMap<String, Vec<String>>,
    from: &str,
    to: &str,
) -> bool {
    let mut stack = vec![from.to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(next) = stack.pop() {
        for dependency in nodes.get(&next).into_iter().flatten() {
            if dependency == to {
                return true;
            }
            if seen.insert(dependency.clone()) {
                stack.push(dependency.clone());
            }
        }
    }
    false
}

/// The graph of the GitHub jobs: id → needs.
pub fn github_graph(jobs: &Map<String, Value>) -> std::collections::BTreeMap<String, Vec<String>> {
    jobs.iter()
        .map(|(id, job)| (id.clone(), list(&job["needs"])))
        .collect()
}

/// The graph of the Azure stages: id → dependsOn.
pub fn azure_graph(stages: &[Value]) -> std::collections::BTreeMap<String, Vec<String>> {
    stages
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().expect("id").to_owned(),
                list(&s["dependsOn"]),
            )
        })
        .collect()
}

/// Which platform's files to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// `.github/workflows`.
    GitHub,
    /// `azure-pipelines`.
    Azure,
}

/// The release of an export as one graph (stage or job id → what it waits for), across the parts of a
/// chained release: each part's own `chain_start` and `chain_next` become `chain_start@K` and
/// `chain_next@K`, and a part's `chain_start` waits for the whole part before it (GitHub: the part's
/// `chain_next` job, which needs all of it; Azure: every stage, as the part completes before the next
/// is triggered). Template calls are not expanded. Returns the graph and the number of parts.
pub fn release_graph(
    export: &Export,
    platform: Platform,
    stem: &str,
) -> (std::collections::BTreeMap<String, Vec<String>>, usize) {
    let folder = match platform {
        Platform::GitHub => ".github/workflows",
        Platform::Azure => "azure-pipelines",
    };
    let mut graph = std::collections::BTreeMap::new();
    let mut previous: Vec<String> = Vec::new();
    let mut part = 1;
    loop {
        let path = if part == 1 {
            format!("{folder}/{stem}-release.yml")
        } else {
            format!("{folder}/{stem}-release-part-{part}.yml")
        };
        if !export.files.iter().any(|f| f.path == path) {
            return (graph, part - 1);
        }
        let document = document(export, &path);
        let rename = |id: &str| {
            if id == "chain_start" || id == "chain_next" {
                format!("{id}@{part}")
            } else {
                id.to_owned()
            }
        };
        let nodes: Vec<(String, Vec<String>)> = match platform {
            Platform::GitHub => document["jobs"]
                .as_object()
                .expect("jobs")
                .iter()
                .map(|(id, job)| (id.clone(), list(&job["needs"])))
                .collect(),
            Platform::Azure => document["stages"]
                .as_array()
                .expect("stages")
                .iter()
                .map(|stage| match stage["template"].as_str() {
                    Some(_) => (
                        stage["parameters"]["stage"]
                            .as_str()
                            .expect("id")
                            .to_owned(),
                        list(&stage["parameters"]["dependsOn"]),
                    ),
                    None => (
                        stage["stage"].as_str().expect("id").to_owned(),
                        list(&stage["dependsOn"]),
                    ),
                })
                .collect(),
        };
        let mut this_part = Vec::new();
        for (id, waits) in nodes {
            let id = rename(&id);
            let mut waits: Vec<String> = waits.iter().map(|w| rename(w)).collect();
            if id == format!("chain_start@{part}") {
                waits.extend(previous.iter().cloned());
            }
            assert!(
                graph.insert(id.clone(), waits).is_none(),
                "`{id}` is in two parts"
            );
            this_part.push(id);
        }
        previous = match platform {
            Platform::GitHub => vec![format!("chain_next@{part}")],
            Platform::Azure => this_part,
        };
        part += 1;
    }
}

/// For each node of `graph`, every node it waits for directly or indirectly, as one bit per node in
/// the order of `graph`'s keys. Panics on a cycle.
pub fn ancestors(
    graph: &std::collections::BTreeMap<String, Vec<String>>,
) -> (std::collections::BTreeMap<&str, usize>, Vec<Vec<u64>>) {
    let index: std::collections::BTreeMap<&str, usize> = graph
        .keys()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let words = graph.len().div_ceil(64);
    let mut bits: Vec<Option<Vec<u64>>> = vec![None; graph.len()];
    let ids: Vec<&String> = graph.keys().collect();
    for start in 0..graph.len() {
        let mut stack = vec![(start, false)];
        let mut on_path = std::collections::BTreeSet::new();
        while let Some((node, expanded)) = stack.pop() {
            if bits[node].is_some() {
                continue;
            }
            let waits: Vec<usize> = graph[ids[node]]
                .iter()
                .map(|w| {
                    *index
                        .get(w.as_str())
                        .unwrap_or_else(|| panic!("`{w}` does not exist"))
                })
                .collect();
            if expanded {
                let mut mine = vec![0u64; words];
                for &w in &waits {
                    mine[w / 64] |= 1 << (w % 64);
                    for (m, theirs) in mine.iter_mut().zip(bits[w].as_ref().expect("done")) {
                        *m |= theirs;
                    }
                }
                bits[node] = Some(mine);
                on_path.remove(&node);
                continue;
            }
            assert!(on_path.insert(node), "a cycle through `{}`", ids[node]);
            stack.push((node, true));
            stack.extend(
                waits
                    .into_iter()
                    .filter(|w| bits[*w].is_none())
                    .map(|w| (w, false)),
            );
        }
    }
    (
        index,
        bits.into_iter()
            .map(|b| b.expect("every node done"))
            .collect(),
    )
}
