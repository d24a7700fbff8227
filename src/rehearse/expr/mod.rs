//! The two expression languages the rehearsal evaluates: GitHub's `${{ }}` (with operators and the
//! status functions `success() failure() always() cancelled()`) and Azure's function-call expressions
//! (runtime conditions with `succeeded() failed() …` and compile-time `${{ }}`). Values are JSON.
//! Anything outside the supported subset is an error, which callers report with file and line.

pub mod azure;
pub mod github;
pub mod syntax;

use serde_json::Value as Json;

pub use syntax::{Expr, parse};

/// Truthiness, the same on both platforms: `false`, `0`, `''` and null are false, everything else
/// (arrays and objects included) is true.
pub fn truthy(value: &Json) -> bool {
    match value {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(_) | Json::Object(_) => true,
    }
}

/// What an expression can read: its contexts (or variables) and the status functions.
pub trait Scope {
    /// The value of a top-level name (`needs`, `inputs`, `github`, `variables`, `dependencies`,
    /// `parameters`…); `None` when the name is unknown here.
    fn context(&self, name: &str) -> Option<Json>;

    /// The result of a status function (`success()`, `succeeded('A')`…), given its arguments;
    /// `None` when status functions cannot be used here (compile-time expressions, env values).
    fn status(&self, function: &str, args: &[Json]) -> Option<Result<bool, String>>;
}

/// A scope with a fixed set of contexts and no status functions.
#[derive(Debug, Default, Clone)]
pub struct MapScope {
    /// The contexts by (lower-case) name.
    pub contexts: Vec<(String, Json)>,
}

impl MapScope {
    /// Adds a context.
    pub fn with(mut self, name: &str, value: Json) -> Self {
        self.contexts.push((name.to_ascii_lowercase(), value));
        self
    }
}

impl Scope for MapScope {
    fn context(&self, name: &str) -> Option<Json> {
        let name = name.to_ascii_lowercase();
        self.contexts
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }

    fn status(&self, _function: &str, _args: &[Json]) -> Option<Result<bool, String>> {
        None
    }
}

/// A property of an object, found case-insensitively (both platforms ignore case in names).
pub fn property<'a>(object: &'a Json, name: &str) -> Option<&'a Json> {
    let map = object.as_object()?;
    map.get(name).or_else(|| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A `${{ … }}` part of a text: the byte range of the whole, and of its inside.
pub type TemplatePart = (std::ops::Range<usize>, std::ops::Range<usize>);

/// Finds the `${{ … }}` parts of `text`: byte ranges of each whole `${{ … }}` and of its inside.
/// A `}}` inside a quoted string does not close it.
pub fn template_parts(text: &str) -> Result<Vec<TemplatePart>, String> {
    let bytes = text.as_bytes();
    let mut parts = Vec::new();
    let mut at = 0;
    while let Some(found) = text[at..].find("${{") {
        let start = at + found;
        let inner = start + 3;
        let mut i = inner;
        let mut quoted = false;
        let end = loop {
            if i + 1 >= bytes.len() {
                return Err("`${{` is not closed by `}}`".into());
            }
            match bytes[i] {
                b'\'' => quoted = !quoted,
                b'}' if !quoted && bytes[i + 1] == b'}' => break i,
                _ => {}
            }
            i += 1;
        };
        parts.push((start..end + 2, inner..end));
        at = end + 2;
    }
    Ok(parts)
}

/// Applies property accesses shared by both languages; `index` turns an index value into a key.
fn walk(
    mut value: Json,
    segments: &[syntax::Segment],
    index: &dyn Fn(&syntax::Expr) -> Result<Json, String>,
) -> Result<Json, String> {
    let mut spread = false;
    for segment in segments {
        let step = |v: &Json| -> Result<Json, String> {
            Ok(match segment {
                syntax::Segment::Field(name) => property(v, name).cloned().unwrap_or(Json::Null),
                syntax::Segment::Index(expr) => match (v, index(expr)?) {
                    (Json::Array(items), key) => key
                        .as_f64()
                        .and_then(|n| items.get(n as usize))
                        .cloned()
                        .unwrap_or(Json::Null),
                    (Json::Object(_), Json::String(key)) => {
                        property(v, &key).cloned().unwrap_or(Json::Null)
                    }
                    _ => Json::Null,
                },
                syntax::Segment::Star => match v {
                    Json::Array(items) => Json::Array(items.clone()),
                    Json::Object(map) => Json::Array(map.values().cloned().collect()),
                    _ => Json::Array(Vec::new()),
                },
            })
        };
        if spread {
            let Json::Array(items) = value else {
                return Ok(Json::Null);
            };
            let mapped: Result<Vec<Json>, String> = items.iter().map(step).collect();
            value = Json::Array(mapped?);
        } else {
            value = step(&value)?;
        }
        if matches!(segment, syntax::Segment::Star) {
            spread = true;
        }
    }
    Ok(value)
}

/// `format('{0} and {1}', a, b)`, with `{{` and `}}` for literal braces; `text` turns a value into
/// the language's string form.
fn format(template: &str, args: &[Json], text: &dyn Fn(&Json) -> String) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    digits.push(d);
                }
                let index: usize = digits
                    .parse()
                    .map_err(|_| format!("format: `{{{digits}}}` is not an argument index"))?;
                let arg = args
                    .get(index)
                    .ok_or_else(|| format!("format: no argument {index}"))?;
                out.push_str(&text(arg));
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parts_skip_braces_in_strings() {
        let text = "a ${{ format('}}{0}', x) }} b ${{ y }}";
        let parts = template_parts(text).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(&text[parts[0].1.clone()], " format('}}{0}', x) ");
        assert_eq!(&text[parts[1].0.clone()], "${{ y }}");
        assert!(template_parts("${{ open").is_err());
    }

    #[test]
    fn properties_ignore_case() {
        let v = serde_json::json!({"Build": 1});
        assert_eq!(property(&v, "build"), Some(&serde_json::json!(1)));
    }
}
