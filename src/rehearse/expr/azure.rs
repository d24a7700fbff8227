//! Azure Pipelines expressions: runtime conditions (`succeeded() failed() succeededOrFailed()
//! always() canceled()`, `and or not xor eq ne gt ge lt le in notIn contains startsWith endsWith`,
//! `variables['X']`, `dependencies.X.result`), compile-time `${{ }}` and `$(macro)` substitution.
//! Comparisons convert the right operand to the type of the left and ignore case in strings.

use std::cmp::Ordering;

use serde_json::Value as Json;

use super::syntax::{Expr, parse, parse_number};
pub use super::truthy;
use super::{Scope, template_parts, walk};

/// The status functions of Azure Pipelines.
pub const STATUS_FUNCTIONS: [&str; 5] = [
    "succeeded",
    "failed",
    "succeededorfailed",
    "always",
    "canceled",
];

/// Evaluates an expression.
pub fn eval(expr: &Expr, scope: &dyn Scope) -> Result<Json, String> {
    match expr {
        Expr::Literal(v) => Ok(v.clone()),
        Expr::Path(root, segments) => {
            let value = scope
                .context(root)
                .ok_or_else(|| format!("unknown name `{root}`"))?;
            walk(value, segments, &|e| eval(e, scope))
        }
        Expr::Call(name, args) => call(name, args, scope),
        Expr::Not(_) | Expr::And(..) | Expr::Or(..) | Expr::Compare(..) => {
            Err("operators are not Azure syntax".into())
        }
    }
}

fn call(name: &str, args: &[Expr], scope: &dyn Scope) -> Result<Json, String> {
    let lower = name.to_ascii_lowercase();
    if STATUS_FUNCTIONS.contains(&lower.as_str()) {
        let values: Vec<Json> = args
            .iter()
            .map(|a| eval(a, scope))
            .collect::<Result<_, _>>()?;
        return match scope.status(&lower, &values) {
            Some(result) => result.map(Json::Bool),
            None => Err(format!("{name}() cannot be used here")),
        };
    }
    // and/or short-circuit, so they evaluate their arguments themselves.
    match lower.as_str() {
        "and" | "or" => {
            if args.len() < 2 {
                return Err(format!("{name}() takes at least 2 arguments"));
            }
            let want = lower == "or";
            for arg in args {
                if truthy(&eval(arg, scope)?) == want {
                    return Ok(Json::Bool(want));
                }
            }
            return Ok(Json::Bool(!want));
        }
        "iif" => {
            let [test, yes, no] = args else {
                return Err("iif() takes 3 arguments".into());
            };
            return eval(if truthy(&eval(test, scope)?) { yes } else { no }, scope);
        }
        _ => {}
    }
    let values: Vec<Json> = args
        .iter()
        .map(|a| eval(a, scope))
        .collect::<Result<_, _>>()?;
    function(name, &lower, &values)
}

fn function(name: &str, lower: &str, values: &[Json]) -> Result<Json, String> {
    let arity = |n: usize| {
        if values.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{name}() takes {n} argument(s), not {}",
                values.len()
            ))
        }
    };
    let ordering = || compare(&values[0], &values[1]);
    Ok(Json::Bool(match lower {
        "not" => {
            arity(1)?;
            !truthy(&values[0])
        }
        "xor" => {
            arity(2)?;
            truthy(&values[0]) != truthy(&values[1])
        }
        "eq" | "ne" | "gt" | "ge" | "lt" | "le" => {
            arity(2)?;
            let o = ordering();
            match lower {
                "eq" => o == Some(Ordering::Equal),
                "ne" => o != Some(Ordering::Equal),
                "gt" => o == Some(Ordering::Greater),
                "ge" => matches!(o, Some(Ordering::Greater | Ordering::Equal)),
                "lt" => o == Some(Ordering::Less),
                _ => matches!(o, Some(Ordering::Less | Ordering::Equal)),
            }
        }
        "in" | "notin" => {
            let Some((first, rest)) = values.split_first() else {
                return Err(format!("{name}() needs arguments"));
            };
            let found = rest
                .iter()
                .any(|v| compare(first, v) == Some(Ordering::Equal));
            found == (lower == "in")
        }
        "contains" | "startswith" | "endswith" => {
            arity(2)?;
            let (a, b) = (
                text(&values[0]).to_lowercase(),
                text(&values[1]).to_lowercase(),
            );
            match lower {
                "contains" => a.contains(&b),
                "startswith" => a.starts_with(&b),
                _ => a.ends_with(&b),
            }
        }
        "containsvalue" => {
            arity(2)?;
            let items: Vec<&Json> = match &values[0] {
                Json::Array(items) => items.iter().collect(),
                Json::Object(map) => map.values().collect(),
                _ => Vec::new(),
            };
            items
                .iter()
                .any(|v| compare(v, &values[1]) == Some(Ordering::Equal))
        }
        _ => return other_function(name, lower, values),
    }))
}

fn other_function(name: &str, lower: &str, values: &[Json]) -> Result<Json, String> {
    match lower {
        "format" => {
            let Some((template, rest)) = values.split_first() else {
                return Err("format() needs a format string".into());
            };
            super::format(&text(template), rest, &text).map(Json::String)
        }
        "lower" | "upper" => {
            let t = text(values.first().unwrap_or(&Json::Null));
            Ok(Json::String(if lower == "lower" {
                t.to_lowercase()
            } else {
                t.to_uppercase()
            }))
        }
        "coalesce" => Ok(values
            .iter()
            .find(|v| !matches!(v, Json::Null) && *v != &Json::String(String::new()))
            .cloned()
            .unwrap_or(Json::Null)),
        "length" => Ok(Json::from(match values.first() {
            Some(Json::Array(items)) => items.len(),
            Some(Json::Object(map)) => map.len(),
            Some(other) => text(other).chars().count(),
            None => 0,
        })),
        "replace" => match values {
            [a, b, c] => Ok(Json::String(text(a).replace(&text(b), &text(c)))),
            _ => Err("replace() takes 3 arguments".into()),
        },
        "join" => match values {
            [separator, Json::Array(items)] => Ok(Json::String(
                items
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
                    .join(&text(separator)),
            )),
            _ => Err("join() takes a separator and an array".into()),
        },
        _ => Err(format!(
            "the function {name}() is not supported by the rehearsal"
        )),
    }
}

/// A value as Azure writes it into a string (`True`/`False` for booleans).
pub fn text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::Bool(true) => "True".into(),
        Json::Bool(false) => "False".into(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares after converting `b` to the type of `a`; `None` when the conversion fails.
pub fn compare(a: &Json, b: &Json) -> Option<Ordering> {
    match a {
        Json::Bool(x) => Some(x.cmp(&truthy(b))),
        Json::Number(x) => {
            let y = match b {
                Json::Number(n) => n.as_f64()?,
                Json::String(s) => parse_number(s)?,
                Json::Bool(v) => f64::from(u8::from(*v)),
                Json::Null => 0.0,
                _ => return None,
            };
            x.as_f64()?.partial_cmp(&y)
        }
        Json::String(x) => Some(x.to_lowercase().cmp(&text(b).to_lowercase())),
        Json::Null => match b {
            Json::Null => Some(Ordering::Equal),
            Json::String(s) if s.is_empty() => Some(Ordering::Equal),
            _ => Some(Ordering::Less),
        },
        Json::Array(_) | Json::Object(_) => (a == b).then_some(Ordering::Equal),
    }
}

/// Parses a runtime `condition:` (no implicit status function: a custom condition replaces the
/// default `succeeded()`).
pub fn condition(text: &str) -> Result<Expr, String> {
    let trimmed = text.trim();
    if trimmed.starts_with("$[") || trimmed.contains("${{") {
        return Err("a condition must be a plain runtime expression here".into());
    }
    parse(trimmed, false)
}

/// The value of a string that is exactly one `${{ … }}` (keeping its type), else the string with
/// each `${{ … }}` replaced by its text.
pub fn compile_value(text_in: &str, scope: &dyn Scope) -> Result<Json, String> {
    let parts = template_parts(text_in)?;
    if parts.is_empty() {
        return Ok(Json::String(text_in.to_owned()));
    }
    if let [(whole, inner)] = parts.as_slice()
        && whole.start == 0
        && whole.end == text_in.len()
    {
        return eval(&parse(&text_in[inner.clone()], false)?, scope);
    }
    let mut out = String::new();
    let mut at = 0;
    for (whole, inner) in parts {
        out.push_str(&text_in[at..whole.start]);
        out.push_str(&text(&eval(&parse(&text_in[inner], false)?, scope)?));
        at = whole.end;
    }
    out.push_str(&text_in[at..]);
    Ok(Json::String(out))
}

/// Replaces `$(name)` macros whose name `lookup` knows; unknown names (and shell command
/// substitutions such as `$(date +%s)`) stay as they are, as on the platform.
pub fn expand_macros(text_in: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text_in.len());
    let mut rest = text_in;
    while let Some(start) = rest.find("$(") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let name_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .unwrap_or(after.len());
        let value = (after[name_end..].starts_with(')') && name_end > 0)
            .then(|| lookup(&after[..name_end]))
            .flatten();
        match value {
            Some(value) => {
                out.push_str(&value);
                rest = &after[name_end + 1..];
            }
            None => {
                out.push_str("$(");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rehearse::expr::MapScope;
    use serde_json::json;

    fn scope() -> MapScope {
        MapScope::default()
            .with(
                "variables",
                json!({"Build.SourceBranch": "refs/heads/hotfix/x"}),
            )
            .with(
                "parameters",
                json!({"environment": "production", "count": 3, "flag": true}),
            )
    }

    fn holds(text: &str) -> bool {
        truthy(&eval(&condition(text).unwrap(), &scope()).unwrap())
    }

    #[test]
    fn the_branch_guard_of_the_exports() {
        assert!(holds(
            "startsWith(variables['Build.SourceBranch'], 'refs/heads/hotfix/')"
        ));
        assert!(holds(
            "startsWith(variables['build.sourcebranch'], 'REFS/heads/hotfix/')"
        ));
        assert!(!holds(
            "startsWith(variables['Build.SourceBranch'], 'refs/heads/main')"
        ));
    }

    #[test]
    fn comparisons_convert_the_right_side() {
        assert!(holds("eq(3, '3')"));
        assert!(holds("eq('True', true)"));
        assert!(holds("and(eq(1, 1), ne('a', 'b'), in('b', 'a', 'b'))"));
        assert!(holds("not(eq('a', 'b'))"));
        assert!(holds("or(eq(1, 2), xor(true, false))"));
    }

    #[test]
    fn compile_time_values_keep_their_type() {
        assert_eq!(
            compile_value("${{ parameters.count }}", &scope()).unwrap(),
            json!(3)
        );
        assert_eq!(
            compile_value(
                "env-${{ parameters.environment }}-${{ parameters.flag }}",
                &scope()
            )
            .unwrap(),
            json!("env-production-True")
        );
        assert_eq!(
            compile_value("${{ eq(parameters.environment, 'production') }}", &scope()).unwrap(),
            json!(true)
        );
    }

    #[test]
    fn macros_replace_only_known_variables() {
        let lookup =
            |name: &str| (name.eq_ignore_ascii_case("Build.BuildId")).then(|| "42".to_owned());
        assert_eq!(
            expand_macros(
                "id=$(Build.BuildId) now=$(date +%s) t=$(mktemp) $(",
                &lookup
            ),
            "id=42 now=$(date +%s) t=$(mktemp) $("
        );
    }

    #[test]
    fn unknown_functions_and_operators_are_errors() {
        assert!(eval(&parse("counter('a', 1)", false).unwrap(), &scope()).is_err());
        assert!(condition("a && b").is_err());
        assert!(condition("$[ eq(1, 1) ]").is_err());
    }
}
