//! Helpers shared by the two loaders: locations, allowed keys, typed scalars, each failure an error
//! that names the file and line.

use super::RehearseError;
use super::model::Loc;
use super::yaml::{Entry, Node, Value};

/// Reads nodes of the files of one pipeline, turning node file indexes into paths.
pub struct Reader<'a> {
    /// The files, by the index set with [`Node::set_file`].
    pub files: &'a [String],
}

impl Reader<'_> {
    /// The location of a node.
    pub fn loc(&self, node: &Node) -> Loc {
        self.at(node.file, node.line)
    }

    /// The location of a mapping key.
    pub fn key_loc(&self, entry: &Entry) -> Loc {
        self.at(entry.file, entry.line)
    }

    fn at(&self, file: u16, line: u32) -> Loc {
        Loc {
            file: self
                .files
                .get(usize::from(file))
                .cloned()
                .unwrap_or_default(),
            line,
        }
    }

    /// An error at `node`.
    pub fn error(&self, node: &Node, message: impl Into<String>) -> RehearseError {
        RehearseError::Unsupported {
            loc: self.loc(node),
            message: message.into(),
        }
    }

    /// The entries of a mapping; an error naming `what` otherwise.
    pub fn map<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Entry], RehearseError> {
        node.entries()
            .ok_or_else(|| self.error(node, format!("{what} must be a mapping")))
    }

    /// The items of a sequence; an error naming `what` otherwise.
    pub fn seq<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], RehearseError> {
        node.items()
            .ok_or_else(|| self.error(node, format!("{what} must be a list")))
    }

    /// Refuses keys outside `allowed`, naming the first unknown one.
    pub fn only(
        &self,
        entries: &[Entry],
        allowed: &[&str],
        what: &str,
    ) -> Result<(), RehearseError> {
        match entries.iter().find(|e| !allowed.contains(&e.key.as_str())) {
            Some(entry) => Err(RehearseError::Unsupported {
                loc: self.key_loc(entry),
                message: format!(
                    "`{}` in {what} is not supported by the rehearsal",
                    entry.key
                ),
            }),
            None => Ok(()),
        }
    }

    /// The text of a scalar; an error naming `what` otherwise.
    pub fn text(&self, node: &Node, what: &str) -> Result<String, RehearseError> {
        node.scalar()
            .ok_or_else(|| self.error(node, format!("{what} must be a single value")))
    }

    /// The text of an optional scalar entry.
    pub fn opt_text(&self, node: &Node, key: &str) -> Result<Option<String>, RehearseError> {
        node.get(key)
            .filter(|n| !n.is_null())
            .map(|n| self.text(n, &format!("`{key}`")))
            .transpose()
    }

    /// A number of minutes (written as a number or a string of one).
    pub fn minutes(&self, node: &Node, what: &str) -> Result<f64, RehearseError> {
        let text = self.text(node, what)?;
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|m| *m >= 0.0)
            .ok_or_else(|| {
                self.error(
                    node,
                    format!("{what} must be a number of minutes, not `{text}`"),
                )
            })
    }

    /// A boolean (YAML boolean or the strings `true`/`false`).
    pub fn boolean(&self, node: &Node, what: &str) -> Result<bool, RehearseError> {
        match &node.value {
            Value::Bool(b) => Ok(*b),
            Value::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Value::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            _ => Err(self.error(node, format!("{what} must be true or false"))),
        }
    }

    /// A mapping of names to scalar values (`env:`, `with:`, `inputs:`), in order.
    pub fn pairs(&self, node: &Node, what: &str) -> Result<Vec<(String, String)>, RehearseError> {
        self.map(node, what)?
            .iter()
            .map(|e| {
                let value = if e.value.is_null() {
                    String::new()
                } else {
                    self.text(&e.value, &format!("`{}` in {what}", e.key))?
                };
                Ok((e.key.clone(), value))
            })
            .collect()
    }

    /// One name or a list of names (`needs`, `dependsOn`).
    pub fn names(&self, node: &Node, what: &str) -> Result<Vec<(String, Loc)>, RehearseError> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .map(|n| Ok((self.text(n, what)?, self.loc(n))))
                .collect(),
            Value::Null => Ok(Vec::new()),
            _ => Ok(vec![(self.text(node, what)?, self.loc(node))]),
        }
    }
}
