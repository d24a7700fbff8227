//! The generated YAML read back as a plain tree, straight from the parser's events: strings, the
//! booleans `true` and `false`, sequences and mappings in file order (a repeated key is kept, so the
//! checks can see it). Nothing else is needed to check a pipeline, and building only this is several
//! times faster than a general deserializer, which matters when a release runs to megabytes.

use granit_parser::{Event, Parser, ScalarStyle};

/// A YAML node.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    /// A scalar other than a plain boolean or null.
    String(String),
    /// A plain `true` or `false`.
    Bool(bool),
    /// A plain `null` or `~`, or nothing.
    Null,
    /// A sequence.
    Array(Vec<Node>),
    /// A mapping.
    Object(Map),
}

/// A mapping's entries, in file order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Map(Vec<(String, Node)>);

impl Map {
    /// The value of the first entry `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every entry, in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Whether some entry is `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    /// Every value, in file order.
    pub fn values(&self) -> impl Iterator<Item = &Node> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Every key, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }
}

impl<'m> IntoIterator for &'m Map {
    type Item = (&'m String, &'m Node);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'m, (String, Node)>,
        fn(&'m (String, Node)) -> (&'m String, &'m Node),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(map) => map.get(key),
            _ => None,
        }
    }

    /// The node at a `/`-separated path of mapping keys (`/on/workflow_call/inputs`).
    pub fn pointer(&self, path: &str) -> Option<&Node> {
        path.split('/')
            .filter(|part| !part.is_empty())
            .try_fold(self, |node, key| node.get(key))
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(text) => Some(text),
            _ => None,
        }
    }

    /// The value of a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// The items of a sequence.
    pub fn as_array(&self) -> Option<&Vec<Node>> {
        match self {
            Node::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The entries of a mapping.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Node::Object(map) => Some(map),
            _ => None,
        }
    }
}

/// A collection being read.
enum Open {
    Array(Vec<Node>),
    Object(Vec<(String, Node)>, Option<String>),
}

/// Parses one YAML document. Anchors, aliases and tags are refused: Cutover never writes them.
pub(super) fn parse(text: &str) -> Result<Node, String> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let node = match event {
            Event::StreamStart | Event::DocumentStart(..) | Event::DocumentEnd => continue,
            Event::StreamEnd => break,
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return Err(format!("an anchor or tag at {}", span.start.line()));
                }
                scalar(value.into_owned(), style)
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag)
                if anchor != 0 || tag.is_some() =>
            {
                return Err(format!("an anchor or tag at {}", span.start.line()));
            }
            Event::SequenceStart(..) => {
                stack.push(Open::Array(Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Open::Object(Vec::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open::Array(items)) => Node::Array(items),
                Some(Open::Object(entries, None)) => Node::Object(Map(entries)),
                Some(Open::Object(_, Some(key))) => {
                    return Err(format!("the key `{key}` has no value"));
                }
                None => return Err("a collection ends that never started".to_owned()),
            },
            Event::Alias(..) | Event::Anchor(..) | Event::UnresolvedAlias(..) => {
                return Err(format!("an alias at {}", span.start.line()));
            }
            // Comments, and whatever else a later parser reports that carries no data.
            _ => continue,
        };
        match stack.last_mut() {
            None => {
                if root.replace(node).is_some() {
                    return Err("more than one document".to_owned());
                }
            }
            Some(Open::Array(items)) => items.push(node),
            Some(Open::Object(entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => match node {
                    Node::String(key) => *pending = Some(key),
                    Node::Bool(flag) => *pending = Some(flag.to_string()),
                    Node::Null => *pending = Some(String::new()),
                    _ => return Err("a mapping key that is not a scalar".to_owned()),
                },
            },
        }
    }
    Ok(root.unwrap_or(Node::Null))
}

/// A scalar's node: plain `true`/`false` are booleans, plain `null`, `~` and nothing are null, the
/// rest is text.
fn scalar(value: String, style: ScalarStyle) -> Node {
    if style != ScalarStyle::Plain {
        return Node::String(value);
    }
    match value.as_str() {
        "true" => Node::Bool(true),
        "false" => Node::Bool(false),
        "null" | "~" | "" => Node::Null,
        _ => Node::String(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_read_back_as_written() {
        let text =
            "a: 'x: y'\nb: [1, c]\nc: {d: true, e: 'true'}\nf:\n  - g: ~\n    h: |\n      run\n";
        let node = parse(text).expect("parses");
        assert_eq!(node.get("a").and_then(Node::as_str), Some("x: y"));
        assert_eq!(node.pointer("/c/d").and_then(Node::as_bool), Some(true));
        assert_eq!(node.pointer("/c/e").and_then(Node::as_str), Some("true"));
        let items = node.get("b").and_then(Node::as_array).expect("a list");
        assert_eq!(items[1].as_str(), Some("c"));
        let f = &node.get("f").and_then(Node::as_array).expect("a list")[0];
        assert_eq!(f.get("g"), Some(&Node::Null));
        assert_eq!(f.get("h").and_then(Node::as_str), Some("run\n"));
    }

    #[test]
    fn repeated_keys_are_kept_and_anchors_refused() {
        let node = parse("jobs:\n  a: 1\n  a: 2\n").expect("parses");
        assert_eq!(
            node.get("jobs")
                .and_then(Node::as_object)
                .map(|m| m.keys().count()),
            Some(2)
        );
        assert!(parse("a: &x 1\nb: *x\n").is_err());
        assert!(parse("a: !!str 1\n").is_err());
        assert!(parse("a: [1\n").is_err());
    }
}
