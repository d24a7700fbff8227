//! GitHub Actions expressions: `${{ }}` interpolation, `if:` conditions with the implicit
//! `success() &&`, loose equality (numbers after coercion, strings ignoring case) and the functions
//! `startsWith endsWith contains format join toJSON fromJSON` besides the status functions.

use serde_json::Value as Json;

use super::syntax::{Comparison, Expr, parse};
pub use super::truthy;
use super::{Scope, template_parts, walk};

/// The status functions of GitHub Actions.
pub const STATUS_FUNCTIONS: [&str; 4] = ["success", "failure", "always", "cancelled"];

/// Evaluates an expression.
pub fn eval(expr: &Expr, scope: &dyn Scope) -> Result<Json, String> {
    match expr {
        Expr::Literal(v) => Ok(v.clone()),
        Expr::Path(root, segments) => {
            let value = scope
                .context(root)
                .ok_or_else(|| format!("unknown context `{root}`"))?;
            walk(value, segments, &|e| eval(e, scope))
        }
        Expr::Not(inner) => Ok(Json::Bool(!truthy(&eval(inner, scope)?))),
        Expr::And(a, b) => {
            let left = eval(a, scope)?;
            if truthy(&left) {
                eval(b, scope)
            } else {
                Ok(left)
            }
        }
        Expr::Or(a, b) => {
            let left = eval(a, scope)?;
            if truthy(&left) {
                Ok(left)
            } else {
                eval(b, scope)
            }
        }
        Expr::Compare(op, a, b) => Ok(Json::Bool(compare(*op, &eval(a, scope)?, &eval(b, scope)?))),
        Expr::Call(name, args) => call(name, args, scope),
    }
}

fn call(name: &str, args: &[Expr], scope: &dyn Scope) -> Result<Json, String> {
    let lower = name.to_ascii_lowercase();
    let values: Vec<Json> = args
        .iter()
        .map(|a| eval(a, scope))
        .collect::<Result<_, _>>()?;
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
    if STATUS_FUNCTIONS.contains(&lower.as_str()) {
        arity(0)?;
        return match scope.status(&lower, &values) {
            Some(result) => result.map(Json::Bool),
            None => Err(format!("{name}() cannot be used here")),
        };
    }
    match lower.as_str() {
        "startswith" | "endswith" => {
            arity(2)?;
            let (text, part) = (
                text(&values[0]).to_lowercase(),
                text(&values[1]).to_lowercase(),
            );
            Ok(Json::Bool(if lower == "startswith" {
                text.starts_with(&part)
            } else {
                text.ends_with(&part)
            }))
        }
        "contains" => {
            arity(2)?;
            Ok(Json::Bool(match &values[0] {
                Json::Array(items) => items.iter().any(|i| compare(Comparison::Eq, i, &values[1])),
                other => text(other)
                    .to_lowercase()
                    .contains(&text(&values[1]).to_lowercase()),
            }))
        }
        "format" => {
            let Some((template, rest)) = values.split_first() else {
                return Err("format() needs a format string".into());
            };
            super::format(&text(template), rest, &text).map(Json::String)
        }
        "join" => {
            let separator = values.get(1).map_or_else(|| ",".to_owned(), text);
            Ok(Json::String(match values.first() {
                Some(Json::Array(items)) => {
                    items.iter().map(text).collect::<Vec<_>>().join(&separator)
                }
                Some(other) => text(other),
                None => return Err("join() needs an array".into()),
            }))
        }
        "tojson" => {
            arity(1)?;
            serde_json::to_string_pretty(&values[0])
                .map(Json::String)
                .map_err(|e| e.to_string())
        }
        "fromjson" => {
            arity(1)?;
            serde_json::from_str(&text(&values[0])).map_err(|e| format!("fromJSON: {e}"))
        }
        _ => Err(format!(
            "the function {name}() is not supported by the rehearsal"
        )),
    }
}

/// A value as GitHub writes it into a string.
pub fn text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => n.to_string(),
        Json::String(s) => s.clone(),
        Json::Array(_) => "Array".into(),
        Json::Object(_) => "Object".into(),
    }
}

fn as_number(value: &Json) -> f64 {
    match value {
        Json::Null => 0.0,
        Json::Bool(b) => f64::from(u8::from(*b)),
        Json::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Json::String(s) if s.trim().is_empty() => 0.0,
        Json::String(s) => super::syntax::parse_number(s).unwrap_or(f64::NAN),
        Json::Array(_) | Json::Object(_) => f64::NAN,
    }
}

/// Compares loosely: strings ignoring case, other mixes as numbers.
pub fn compare(op: Comparison, a: &Json, b: &Json) -> bool {
    let ordering = match (a, b) {
        (Json::String(x), Json::String(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (Json::Array(_) | Json::Object(_), _) | (_, Json::Array(_) | Json::Object(_)) => {
            return match op {
                Comparison::Eq => a == b,
                Comparison::Ne => a != b,
                _ => false,
            };
        }
        _ => as_number(a).partial_cmp(&as_number(b)),
    };
    let Some(ordering) = ordering else {
        return op == Comparison::Ne;
    };
    match op {
        Comparison::Eq => ordering.is_eq(),
        Comparison::Ne => !ordering.is_eq(),
        Comparison::Lt => ordering.is_lt(),
        Comparison::Le => ordering.is_le(),
        Comparison::Gt => ordering.is_gt(),
        Comparison::Ge => ordering.is_ge(),
    }
}

/// Replaces every `${{ … }}` in `text` by its value.
pub fn interpolate(text: &str, scope: &dyn Scope) -> Result<String, String> {
    let parts = template_parts(text)?;
    if parts.is_empty() {
        return Ok(text.to_owned());
    }
    let mut out = String::new();
    let mut at = 0;
    for (whole, inner) in parts {
        out.push_str(&text[at..whole.start]);
        let expr = parse(&text[inner], true)?;
        out.push_str(&self::text(&eval(&expr, scope)?));
        at = whole.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// The value of a string that is exactly one `${{ … }}` (keeping its type), else its interpolation.
pub fn value_of(text: &str, scope: &dyn Scope) -> Result<Json, String> {
    let parts = template_parts(text)?;
    if let [(whole, inner)] = parts.as_slice()
        && whole.start == 0
        && whole.end == text.len()
    {
        return eval(&parse(&text[inner.clone()], true)?, scope);
    }
    interpolate(text, scope).map(Json::String)
}

/// Parses an `if:` condition (with or without `${{ }}`), adding GitHub's implicit `success() &&`
/// when it calls no status function.
pub fn condition(text: &str) -> Result<Expr, String> {
    let trimmed = text.trim();
    let inner = match template_parts(trimmed)?.as_slice() {
        [] => trimmed.to_owned(),
        [(whole, inner)] if whole.start == 0 && whole.end == trimmed.len() => {
            trimmed[inner.clone()].to_owned()
        }
        _ => return Err("an `if:` must be one expression, not text around `${{ }}`".into()),
    };
    let expr = parse(&inner, true)?;
    if calls_status(&expr) {
        Ok(expr)
    } else {
        Ok(Expr::And(
            Box::new(Expr::Call("success".into(), Vec::new())),
            Box::new(expr),
        ))
    }
}

fn calls_status(expr: &Expr) -> bool {
    match expr {
        Expr::Literal(_) => false,
        Expr::Path(_, segments) => segments.iter().any(|s| match s {
            super::syntax::Segment::Index(e) => calls_status(e),
            _ => false,
        }),
        Expr::Call(name, args) => {
            STATUS_FUNCTIONS.contains(&name.to_ascii_lowercase().as_str())
                || args.iter().any(calls_status)
        }
        Expr::Not(e) => calls_status(e),
        Expr::And(a, b) | Expr::Or(a, b) | Expr::Compare(_, a, b) => {
            calls_status(a) || calls_status(b)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rehearse::expr::MapScope;
    use serde_json::json;

    struct Status(bool);
    impl Scope for Status {
        fn context(&self, name: &str) -> Option<Json> {
            match name {
                "needs" => Some(json!({"deploy": {"result": "failure"}})),
                "github" => Some(json!({"ref": "refs/heads/hotfix/x", "run_id": 42})),
                _ => None,
            }
        }
        fn status(&self, function: &str, _: &[Json]) -> Option<Result<bool, String>> {
            Some(Ok(match function {
                "success" => !self.0,
                "failure" => self.0,
                "always" => true,
                _ => false,
            }))
        }
    }

    fn holds(condition_text: &str, failed: bool) -> bool {
        truthy(&eval(&condition(condition_text).unwrap(), &Status(failed)).unwrap())
    }

    #[test]
    fn the_rollback_condition_of_the_exports() {
        let text = "${{ failure() && needs.deploy.result == 'failure' }}";
        assert!(holds(text, true));
        assert!(!holds(text, false));
    }

    #[test]
    fn conditions_without_status_functions_need_success() {
        let text = "${{ startsWith(github.ref, 'refs/heads/hotfix/') }}";
        assert!(holds(text, false));
        assert!(
            !holds(text, true),
            "an implicit success() stops it after a failure"
        );
        assert!(holds("always() && github.ref != ''", true));
    }

    #[test]
    fn equality_is_loose() {
        let scope = MapScope::default();
        let check = |t: &str| truthy(&eval(&parse(t, true).unwrap(), &scope).unwrap());
        assert!(check("'ABC' == 'abc'"));
        assert!(check("1 == '1'"));
        assert!(check("null == 0"));
        assert!(check("true == 1"));
        assert!(!check("'a' == 1"));
        assert!(check("!(1 < 0)"));
    }

    #[test]
    fn interpolation_and_typed_values() {
        let scope = Status(false);
        assert_eq!(
            interpolate("run ${{ github.run_id }}!", &scope).unwrap(),
            "run 42!"
        );
        assert_eq!(value_of("${{ github.run_id }}", &scope).unwrap(), json!(42));
        assert_eq!(
            interpolate("${{ format('{0}-{1}', 'a', github.run_id) }}", &scope).unwrap(),
            "a-42"
        );
    }

    #[test]
    fn unknown_things_are_errors() {
        let scope = Status(false);
        assert!(eval(&parse("hashFiles('x')", true).unwrap(), &scope).is_err());
        assert!(eval(&parse("matrix.os", true).unwrap(), &scope).is_err());
        assert!(condition("a ${{ b }}").is_err());
    }
}
