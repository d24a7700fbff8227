//! The small part of JMESPath (`--query`) and of the output formats (`--output json|tsv|none`) that
//! scripts use with `az`: `[?name=='X'].value | [0]`, `field.field`, `[N]`, `[*].field`. Anything
//! else is refused rather than guessed.

use serde_json::Value as Json;

/// Applies a `--query` expression.
pub fn apply(query: &str, value: &Json) -> Result<Json, String> {
    let mut current = value.clone();
    for stage in split_pipes(query) {
        current = stage_value(stage.trim(), &current)?;
    }
    Ok(current)
}

fn split_pipes(query: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in query.char_indices() {
        match c {
            '\'' | '`' | '"' => quoted = !quoted,
            '|' if !quoted => {
                parts.push(&query[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&query[start..]);
    parts
}

fn stage_value(mut stage: &str, value: &Json) -> Result<Json, String> {
    let mut current = value.clone();
    let mut projected = false;
    while !stage.is_empty() {
        if let Some(rest) = stage.strip_prefix("[?") {
            let end = rest.find(']').ok_or_else(|| unsupported(stage))?;
            let (field, literal) = rest[..end]
                .split_once("==")
                .ok_or_else(|| unsupported(stage))?;
            let literal = literal
                .trim()
                .trim_matches(|c| c == '\'' || c == '`' || c == '"');
            let field = field.trim();
            let items = current.as_array().cloned().unwrap_or_default();
            current = Json::Array(
                items
                    .into_iter()
                    .filter(|item| item.get(field).and_then(Json::as_str) == Some(literal))
                    .collect(),
            );
            projected = true;
            stage = &rest[end + 1..];
        } else if let Some(rest) = stage.strip_prefix("[*]") {
            projected = true;
            stage = rest;
        } else if let Some(rest) = stage.strip_prefix('[') {
            let end = rest.find(']').ok_or_else(|| unsupported(stage))?;
            let index: usize = rest[..end].trim().parse().map_err(|_| unsupported(stage))?;
            current = current.get(index).cloned().unwrap_or(Json::Null);
            projected = false;
            stage = &rest[end + 1..];
        } else {
            let rest = stage.strip_prefix('.').unwrap_or(stage);
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            let field = &rest[..end];
            if field.is_empty() || !field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(unsupported(stage));
            }
            current = if projected {
                Json::Array(
                    current
                        .as_array()
                        .map(|items| items.iter().filter_map(|i| i.get(field).cloned()).collect())
                        .unwrap_or_default(),
                )
            } else {
                current.get(field).cloned().unwrap_or(Json::Null)
            };
            stage = &rest[end..];
        }
    }
    Ok(current)
}

fn unsupported(stage: &str) -> String {
    format!("the query `{stage}` is not simulated by the rehearsal")
}

/// Prints a value as `--output` asks (`json` by default, `jsonc`, `tsv`, `none`).
pub fn render(value: &Json, output: Option<&str>) -> Result<String, String> {
    match output.unwrap_or("json") {
        "json" | "jsonc" => Ok(super::json_text(value)),
        "none" => Ok(String::new()),
        "tsv" => Ok(tsv(value)),
        other => Err(format!(
            "--output {other} is not simulated by the rehearsal (json, tsv, none are)"
        )),
    }
}

fn tsv(value: &Json) -> String {
    let cell = |v: &Json| match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    };
    match value {
        Json::Null => String::new(),
        Json::Array(items) => items.iter().map(tsv).collect(),
        Json::Object(map) => format!(
            "{}\n",
            map.values().map(cell).collect::<Vec<_>>().join("\t")
        ),
        other => format!("{}\n", cell(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_rollback_guard_query() {
        let settings =
            json!([{"name": "A", "value": "1"}, {"name": "CUTOVER_BUILD", "value": "42"}]);
        let found = apply("[?name=='CUTOVER_BUILD'].value | [0]", &settings).unwrap();
        assert_eq!(found, json!("42"));
        assert_eq!(render(&found, Some("tsv")).unwrap(), "42\n");
        let none = apply("[?name=='NOPE'].value | [0]", &settings).unwrap();
        assert_eq!(render(&none, Some("tsv")).unwrap(), "");
    }

    #[test]
    fn fields_and_unknown_syntax() {
        let v = json!({"a": {"b": [1, 2]}});
        assert_eq!(apply("a.b[1]", &v).unwrap(), json!(2));
        assert!(apply("length(a)", &v).is_err());
        assert!(render(&v, Some("table")).is_err());
    }
}
