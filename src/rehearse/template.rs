//! Azure's compile-time step: `- template: path` with `parameters` (typed, with defaults and
//! allowed values), `${{ parameters.x }}` and other `${{ }}` values, and the directives
//! `${{ if }}` / `${{ elseif }}` / `${{ else }}` / `${{ each x in … }}` in mappings and lists.
//! The result is plain YAML with runtime expressions and macros left for the run.

use serde_json::{Map, Value as Json};

use super::expr::{MapScope, Scope, azure as az, parse};
use super::reader::Reader;
use super::yaml::{Entry, Node, Value};
use super::{RehearseError, Repository};

/// How deep templates may include each other (Azure allows 100 template files, 20 levels).
const MAX_DEPTH: usize = 20;

/// Expands templates and compile-time expressions, loading included files from `repo`.
pub struct Expander<'a> {
    /// Where template files come from.
    pub repo: &'a Repository,
    /// Every file read so far, indexed as in [`Node::file`].
    pub files: Vec<String>,
}

/// A directive key of a mapping or a one-key list item.
enum Directive {
    If(String),
    ElseIf(String),
    Else,
    Each(String, String),
}

fn directive(key: &str) -> Option<Result<Directive, String>> {
    let inner = key.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let (word, rest) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
    Some(match word {
        "if" => Ok(Directive::If(rest.to_owned())),
        "elseif" => Ok(Directive::ElseIf(rest.to_owned())),
        "else" => Ok(Directive::Else),
        "each" => match rest.split_once(" in ") {
            Some((name, list)) => Ok(Directive::Each(
                name.trim().to_owned(),
                list.trim().to_owned(),
            )),
            None => Err("`${{ each }}` must read `${{ each NAME in EXPRESSION }}`".into()),
        },
        _ => return None,
    })
}

impl Expander<'_> {
    /// Reads and parses a file, marking its nodes with its index.
    pub fn read(&mut self, path: &str) -> Result<Node, RehearseError> {
        let text = self
            .repo
            .get(path)
            .ok_or_else(|| RehearseError::MissingFile(path.to_owned()))?;
        let mut node = super::yaml::parse(text).map_err(|message| RehearseError::Yaml {
            file: path.to_owned(),
            message,
        })?;
        node.set_file(u16::try_from(self.files.len()).unwrap_or(u16::MAX));
        self.files.push(path.to_owned());
        Ok(node)
    }

    fn error(&self, node: &Node, message: impl Into<String>) -> RehearseError {
        Reader { files: &self.files }.error(node, message)
    }

    /// Expands `node` in `scope`.
    pub fn expand(
        &mut self,
        node: &Node,
        scope: &MapScope,
        depth: usize,
    ) -> Result<Node, RehearseError> {
        match &node.value {
            Value::Str(text) => {
                if !text.contains("${{") {
                    return Ok(node.clone());
                }
                let value = az::compile_value(text, scope)
                    .map_err(|e| self.error(node, format!("`{text}`: {e}")))?;
                Ok(match value {
                    Json::String(s) => Node {
                        value: Value::Str(s),
                        ..node.clone()
                    },
                    other => Node::from_json(&other, node.file, node.line),
                })
            }
            Value::Map(entries) => self.expand_map(node, entries, scope, depth),
            Value::Seq(items) => self.expand_seq(node, items, scope, depth),
            _ => Ok(node.clone()),
        }
    }

    fn condition(&self, node: &Node, text: &str, scope: &MapScope) -> Result<bool, RehearseError> {
        let expr = parse(text, false)
            .map_err(|e| self.error(node, format!("`${{{{ if {text} }}}}`: {e}")))?;
        az::eval(&expr, scope)
            .map(|v| az::truthy(&v))
            .map_err(|e| self.error(node, format!("`${{{{ if {text} }}}}`: {e}")))
    }

    /// The scopes of an `each` directive: one per element, binding `name`.
    fn each_scopes(
        &self,
        node: &Node,
        name: &str,
        list: &str,
        scope: &MapScope,
    ) -> Result<Vec<MapScope>, RehearseError> {
        let expr = parse(list, false).map_err(|e| self.error(node, e))?;
        let items: Vec<Json> = match az::eval(&expr, scope).map_err(|e| self.error(node, e))? {
            Json::Array(items) => items,
            Json::Object(map) => map
                .into_iter()
                .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
                .collect(),
            Json::Null => Vec::new(),
            _ => {
                return Err(self.error(
                    node,
                    format!("`{list}` is not a list or mapping to iterate"),
                ));
            }
        };
        Ok(items
            .into_iter()
            .map(|item| scope.clone().with(name, item))
            .collect())
    }

    fn expand_map(
        &mut self,
        node: &Node,
        entries: &[Entry],
        scope: &MapScope,
        depth: usize,
    ) -> Result<Node, RehearseError> {
        let mut out: Vec<Entry> = Vec::new();
        let mut chain: Option<bool> = None; // Some(taken) after an if/elseif
        for entry in entries {
            let Some(found) = directive(&entry.key) else {
                chain = None;
                let key = if entry.key.contains("${{") {
                    let key_node = Node {
                        file: entry.file,
                        line: entry.line,
                        value: Value::Str(entry.key.clone()),
                    };
                    self.expand(&key_node, scope, depth)?
                        .scalar()
                        .unwrap_or_default()
                } else {
                    entry.key.clone()
                };
                let value = self.expand(&entry.value, scope, depth)?;
                out.retain(|e| e.key != key);
                out.push(Entry {
                    key,
                    value,
                    ..entry.clone()
                });
                continue;
            };
            let at = &entry.value;
            let bodies: Vec<MapScope> = match found.map_err(|e| self.error(at, e))? {
                Directive::Each(name, list) => {
                    chain = None;
                    self.each_scopes(at, &name, &list, scope)?
                }
                other => match self.take_branch(at, other, &mut chain, scope)? {
                    true => vec![scope.clone()],
                    false => Vec::new(),
                },
            };
            for body_scope in bodies {
                let body = self.expand(&entry.value, &body_scope, depth)?;
                match body.value {
                    Value::Map(more) => {
                        for e in more {
                            out.retain(|o| o.key != e.key);
                            out.push(e);
                        }
                    }
                    Value::Null => {}
                    _ => return Err(self.error(at, "a directive in a mapping must hold a mapping")),
                }
            }
        }
        Ok(Node {
            value: Value::Map(out),
            ..node.clone()
        })
    }

    /// Decides whether an if/elseif/else branch is taken, keeping the chain's state.
    fn take_branch(
        &self,
        at: &Node,
        directive: Directive,
        chain: &mut Option<bool>,
        scope: &MapScope,
    ) -> Result<bool, RehearseError> {
        let taken = match directive {
            Directive::If(text) => {
                let holds = self.condition(at, &text, scope)?;
                *chain = Some(holds);
                holds
            }
            Directive::ElseIf(text) => match *chain {
                Some(true) => false,
                Some(false) => {
                    let holds = self.condition(at, &text, scope)?;
                    *chain = Some(holds);
                    holds
                }
                None => {
                    return Err(self.error(at, "`${{ elseif }}` without an `${{ if }}` before it"));
                }
            },
            Directive::Else => match chain.take() {
                Some(done) => !done,
                None => {
                    return Err(self.error(at, "`${{ else }}` without an `${{ if }}` before it"));
                }
            },
            Directive::Each(..) => false,
        };
        Ok(taken)
    }

    fn expand_seq(
        &mut self,
        node: &Node,
        items: &[Node],
        scope: &MapScope,
        depth: usize,
    ) -> Result<Node, RehearseError> {
        let mut out = Vec::new();
        let mut chain: Option<bool> = None;
        for item in items {
            let single = item.entries().filter(|e| e.len() == 1).map(|e| &e[0]);
            let found = single.and_then(|e| directive(&e.key).map(|d| (d, e)));
            let Some((found, entry)) = found else {
                chain = None;
                if item.get("template").is_some() {
                    out.extend(self.include(item, scope, depth)?);
                } else {
                    out.push(self.expand(item, scope, depth)?);
                }
                continue;
            };
            let at = &entry.value;
            let bodies = match found.map_err(|e| self.error(at, e))? {
                Directive::Each(name, list) => {
                    chain = None;
                    self.each_scopes(at, &name, &list, scope)?
                }
                other => match self.take_branch(at, other, &mut chain, scope)? {
                    true => vec![scope.clone()],
                    false => Vec::new(),
                },
            };
            for body_scope in bodies {
                let wrapped = match &entry.value.value {
                    Value::Seq(_) => entry.value.clone(),
                    Value::Null => continue,
                    _ => Node {
                        value: Value::Seq(vec![entry.value.clone()]),
                        ..entry.value.clone()
                    },
                };
                if let Value::Seq(expanded) = self.expand(&wrapped, &body_scope, depth)?.value {
                    out.extend(expanded);
                }
            }
        }
        Ok(Node {
            value: Value::Seq(out),
            ..node.clone()
        })
    }

    /// `- template: path` in a list: the items of the template's `stages`, `jobs` or `steps`.
    fn include(
        &mut self,
        item: &Node,
        scope: &MapScope,
        depth: usize,
    ) -> Result<Vec<Node>, RehearseError> {
        let reader_files = self.files.clone();
        let reader = Reader {
            files: &reader_files,
        };
        reader.only(
            reader.map(item, "a template reference")?,
            &["template", "parameters"],
            "a template reference",
        )?;
        let template_node = item
            .get("template")
            .ok_or_else(|| reader.error(item, "`template` is missing"))?;
        let expanded_path = self.expand(template_node, scope, depth)?;
        let path = reader.text(&expanded_path, "`template`")?;
        if path.contains('@') {
            return Err(reader.error(
                template_node,
                format!("`{path}`: templates from other repositories are not rehearsed"),
            ));
        }
        if depth >= MAX_DEPTH {
            return Err(reader.error(template_node, "templates nest too deeply"));
        }
        let including = self
            .files
            .get(usize::from(item.file))
            .cloned()
            .unwrap_or_default();
        let resolved = resolve(&including, &path);
        let root = self.read(&resolved).map_err(|e| match e {
            RehearseError::MissingFile(p) => {
                reader.error(template_node, format!("the template {p} does not exist"))
            }
            other => other,
        })?;
        let given = match item.get("parameters") {
            Some(p) => self.expand(p, scope, depth)?,
            None => Node::synthetic(Value::Map(Vec::new())),
        };
        let parameters = self.parameters(&root, &given, template_node)?;
        let inner = MapScope::default().with("parameters", parameters).with(
            "variables",
            scope
                .context("variables")
                .unwrap_or(Json::Object(Map::new())),
        );
        let body = ["stages", "jobs", "steps"].iter().find_map(|k| root.get(k));
        let Some(body) = body else {
            return Err(self.error(&root, "a template must have `stages`, `jobs` or `steps`"));
        };
        match self.expand(body, &inner, depth + 1)?.value {
            Value::Seq(items) => Ok(items),
            Value::Null => Ok(Vec::new()),
            _ => Err(self.error(body, "the template's list must be a list")),
        }
    }

    /// The parameters of a template: declared ones with their defaults, overridden by the given
    /// values, each converted to its declared type and checked against `values`.
    pub fn parameters(&self, root: &Node, given: &Node, at: &Node) -> Result<Json, RehearseError> {
        let mut out = Map::new();
        let declared: Vec<(String, Node)> = match root.get("parameters") {
            None => Vec::new(),
            Some(node) => match &node.value {
                Value::Seq(items) => items
                    .iter()
                    .map(|p| {
                        let name = p
                            .get("name")
                            .and_then(Node::scalar)
                            .ok_or_else(|| self.error(p, "a parameter needs a `name`"))?;
                        Ok((name, p.clone()))
                    })
                    .collect::<Result<_, RehearseError>>()?,
                Value::Map(entries) => entries
                    .iter()
                    .map(|e| {
                        let spec = Node::synthetic(Value::Map(vec![Entry {
                            key: "default".into(),
                            ..e.clone()
                        }]));
                        (e.key.clone(), spec)
                    })
                    .collect(),
                _ => return Err(self.error(node, "`parameters` must be a list")),
            },
        };
        for entry in given.entries().unwrap_or_default() {
            if !declared.iter().any(|(name, _)| name == &entry.key) {
                return Err(self.error(
                    &entry.value,
                    format!("`{}` is not a parameter of this template", entry.key),
                ));
            }
        }
        for (name, spec) in declared {
            let kind = spec
                .get("type")
                .and_then(Node::scalar)
                .unwrap_or_else(|| "string".into());
            let value = match (given.get(&name), spec.get("default")) {
                (Some(v), _) => v.to_json(),
                (None, Some(d)) => d.to_json(),
                (None, None) => {
                    return Err(
                        self.error(at, format!("the template needs the parameter `{name}`"))
                    );
                }
            };
            let value = typed(&kind, value).map_err(|e| {
                self.error(
                    given.get(&name).unwrap_or(&spec),
                    format!("parameter `{name}`: {e}"),
                )
            })?;
            if let Some(values) = spec.get("values").and_then(Node::items) {
                let allowed: Vec<Json> = values.iter().map(Node::to_json).collect();
                if !allowed
                    .iter()
                    .any(|a| az::compare(a, &value) == Some(std::cmp::Ordering::Equal))
                {
                    return Err(self.error(
                        given.get(&name).unwrap_or(&spec),
                        format!("parameter `{name}`: {value} is not one of its allowed values"),
                    ));
                }
            }
            out.insert(name, value);
        }
        Ok(Json::Object(out))
    }
}

/// Converts a parameter value to its declared type (`'false'` to false for a boolean…).
fn typed(kind: &str, value: Json) -> Result<Json, String> {
    match kind {
        "boolean" => match &value {
            Json::Bool(_) => Ok(value),
            Json::String(s) if s.eq_ignore_ascii_case("true") => Ok(Json::Bool(true)),
            Json::String(s) if s.eq_ignore_ascii_case("false") => Ok(Json::Bool(false)),
            _ => Err(format!("{value} is not a boolean")),
        },
        "number" => match &value {
            Json::Number(_) => Ok(value),
            Json::String(s) => super::expr::syntax::parse_number(s)
                .map(super::expr::syntax::number)
                .ok_or_else(|| format!("`{s}` is not a number")),
            _ => Err(format!("{value} is not a number")),
        },
        "string" => match value {
            Json::Array(_) | Json::Object(_) => {
                Err("a string parameter cannot hold a list or mapping".into())
            }
            other => Ok(Json::String(az::text(&other))),
        },
        "object" | "step" | "stepList" | "job" | "jobList" | "deployment" | "deploymentList"
        | "stage" | "stageList" => Ok(value),
        other => Err(format!("the parameter type `{other}` is unknown")),
    }
}

/// A template path as Azure resolves it: `/x` from the repository root, else beside the file that
/// includes it.
pub fn resolve(including: &str, path: &str) -> String {
    if let Some(root) = path.strip_prefix('/') {
        return root.to_owned();
    }
    let dir = including.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(files: &[(&str, &str)], entry: &str) -> Result<Node, RehearseError> {
        let mut repo = Repository::default();
        for (path, text) in files {
            repo.insert(path, text);
        }
        let mut expander = Expander {
            repo: &repo,
            files: Vec::new(),
        };
        let root = expander.read(entry)?;
        let parameters =
            expander.parameters(&root, &Node::synthetic(Value::Map(Vec::new())), &root)?;
        let scope = MapScope::default()
            .with("parameters", parameters)
            .with("variables", serde_json::json!({}));
        expander.expand(&root, &scope, 0)
    }

    #[test]
    fn templates_take_typed_parameters_and_directives() {
        let main = "stages:\n- template: templates/deploy.yml\n  parameters:\n    service: api\n    swap: 'false'\n";
        let template = "parameters:\n- name: service\n  type: string\n- name: swap\n  type: boolean\n  default: 'true'\n- name: regions\n  type: object\n  default: [a, b]\nstages:\n- ${{ each region in parameters.regions }}:\n  - stage: deploy_${{ parameters.service }}_${{ region }}\n    jobs:\n    - ${{ if parameters.swap }}:\n      - job: swap\n    - ${{ else }}:\n      - job: in_place\n";
        let root = expand(
            &[
                ("azure-pipelines/main.yml", main),
                ("azure-pipelines/templates/deploy.yml", template),
            ],
            "azure-pipelines/main.yml",
        )
        .unwrap();
        let stages = root.get("stages").unwrap().items().unwrap();
        assert_eq!(stages.len(), 2);
        assert_eq!(
            stages[1].get("stage").unwrap().scalar().unwrap(),
            "deploy_api_b"
        );
        let jobs = stages[0].get("jobs").unwrap().items().unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].get("job").unwrap().scalar().unwrap(), "in_place");
        assert_eq!(stages[0].file, 1, "nodes remember the template file");
    }

    #[test]
    fn template_errors_name_the_file_and_line() {
        let main = "steps:\n- template: missing.yml\n";
        let error = expand(&[("p.yml", main)], "p.yml").unwrap_err().to_string();
        assert!(error.starts_with("p.yml:2:"), "{error}");
        let main = "steps:\n- template: t.yml\n  parameters:\n    nope: 1\n";
        let error = expand(&[("p.yml", main), ("t.yml", "steps: []\n")], "p.yml")
            .unwrap_err()
            .to_string();
        assert!(error.contains("`nope` is not a parameter"), "{error}");
    }

    #[test]
    fn paths_resolve_beside_the_including_file() {
        assert_eq!(
            resolve("azure-pipelines/a.yml", "templates/b.yml"),
            "azure-pipelines/templates/b.yml"
        );
        assert_eq!(
            resolve("azure-pipelines/t/a.yml", "../b.yml"),
            "azure-pipelines/b.yml"
        );
        assert_eq!(resolve("azure-pipelines/a.yml", "/x/b.yml"), "x/b.yml");
    }
}
