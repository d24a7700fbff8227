//! A YAML document as a tree of nodes that remember their line, so that anything the rehearsal does
//! not understand can be reported as `FILE:LINE`. Parsed with serde-saphyr (YAML 1.2: only `true` and
//! `false` are booleans), each node wrapped in [`serde_saphyr::Spanned`] to keep its location.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One YAML node and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The file the node comes from, as an index the caller assigns ([`Node::set_file`]).
    pub file: u16,
    /// The line the node starts on.
    pub line: u32,
    /// What the node holds.
    pub value: Value,
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (quoted or plain).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// One key of a mapping with its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key (scalars of other types are turned into their text).
    pub key: String,
    /// The file of the key (see [`Node::file`]).
    pub file: u16,
    /// The line of the key.
    pub line: u32,
    /// The value.
    pub value: Node,
}

/// Parses a whole document. The error is serde-saphyr's message, which names line and column.
pub fn parse(text: &str) -> Result<Node, String> {
    let mut options = serde_saphyr::Options::default();
    options.budget = None;
    let root: Spanned<Inner> =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| e.to_string())?;
    Ok(Node {
        file: 0,
        line: line_of(&root.referenced).max(1),
        value: root.value.0,
    })
}

impl Node {
    /// A node with no location (built by the rehearsal itself, e.g. template defaults).
    pub fn synthetic(value: Value) -> Self {
        Self {
            file: 0,
            line: 0,
            value,
        }
    }

    /// Marks this node and everything under it as coming from file `file`.
    pub fn set_file(&mut self, file: u16) {
        self.file = file;
        match &mut self.value {
            Value::Seq(items) => items.iter_mut().for_each(|n| n.set_file(file)),
            Value::Map(entries) => entries.iter_mut().for_each(|e| {
                e.file = file;
                e.value.set_file(file);
            }),
            _ => {}
        }
    }

    /// The value of `key` when this node is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The entries when this node is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items when this node is a sequence.
    pub fn items(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The text of a scalar: strings as they are, numbers and booleans as YAML writes them;
    /// `None` for null, sequences and mappings.
    pub fn scalar(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(format_float(*f)),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// Whether the node is null.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The node as a JSON value (for expression contexts and inputs).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
        }
    }

    /// A node made from a JSON value, every part at `file` and `line`.
    pub fn from_json(value: &serde_json::Value, file: u16, line: u32) -> Self {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => Value::Seq(
                items
                    .iter()
                    .map(|v| Node::from_json(v, file, line))
                    .collect(),
            ),
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Entry {
                        key: k.clone(),
                        file,
                        line,
                        value: Node::from_json(v, file, line),
                    })
                    .collect(),
            ),
        };
        Node { file, line, value }
    }
}

fn line_of(location: &serde_saphyr::Location) -> u32 {
    u32::try_from(location.line()).unwrap_or(u32::MAX)
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// The deserialised value of a node, without its location (the caller wraps it in `Spanned`).
struct Inner(Value);

/// A mapping key: any scalar, as text.
struct Key(String);

impl<'de> Deserialize<'de> for Inner {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Inner;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML node")
    }
    fn visit_unit<E>(self) -> Result<Inner, E> {
        Ok(Inner(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Inner, E> {
        Ok(Inner(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Inner, D::Error> {
        Inner::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Inner, E> {
        Ok(Inner(Value::Bool(b)))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Inner, E> {
        Ok(Inner(Value::Int(i)))
    }
    fn visit_u64<E>(self, u: u64) -> Result<Inner, E> {
        Ok(Inner(
            i64::try_from(u).map_or(Value::Float(u as f64), Value::Int),
        ))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Inner, E> {
        Ok(Inner(Value::Float(f)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Inner, E> {
        Ok(Inner(Value::Str(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Inner, E> {
        Ok(Inner(Value::Str(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Inner, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Inner>>()? {
            items.push(Node {
                file: 0,
                line: line_of(&item.referenced),
                value: item.value.0,
            });
        }
        Ok(Inner(Value::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Inner, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let value = map.next_value::<Spanned<Inner>>()?;
            entries.push(Entry {
                key: key.value.0,
                file: 0,
                line: line_of(&key.referenced),
                value: Node {
                    file: 0,
                    line: line_of(&value.referenced),
                    value: value.value.0,
                },
            });
        }
        Ok(Inner(Value::Map(entries)))
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let inner = Inner::deserialize(deserializer)?;
        let node = Node::synthetic(inner.0);
        Ok(Key(node.scalar().unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_keep_their_lines_and_types() {
        let text = "'on':\n  push: {}\na: 1\nb: '1'\nrun: |\n  echo hi\nlist:\n  - x\n  - k: v\n";
        let root = parse(text).unwrap();
        let on = root.entries().unwrap();
        assert_eq!(on[0].key, "on");
        assert_eq!(on[0].line, 1);
        assert_eq!(root.get("a").unwrap().value, Value::Int(1));
        assert_eq!(root.get("b").unwrap().value, Value::Str("1".into()));
        assert_eq!(root.get("run").unwrap().scalar().unwrap(), "echo hi\n");
        let list = root.get("list").unwrap().items().unwrap();
        assert_eq!(list[1].line, 9);
        assert_eq!(list[1].get("k").unwrap().line, 9);
    }

    #[test]
    fn a_syntax_error_names_the_line() {
        let error = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.contains("line"), "{error}");
    }
}
