//! Graphviz's `plain` layout format, written and read: `graph scale width height`, a `node` line per
//! node (name, centre, size, label, style, shape, colours), an `edge` line per edge (tail, head and
//! its spline's points), then `stop`. Inches, with y growing upwards. Reading it back lets a layout
//! made by `dot -Tplain` be measured by the same code as Cutover's.

use super::{Diagram, Edge, NODE_SIZE, Point, printable, tier_rgb};

/// Canvas units per inch (Graphviz's points).
const UNITS_PER_INCH: f64 = 72.0;

/// Writes `diagram` in the `plain` format.
pub fn render(diagram: &Diagram) -> String {
    let (half_w, half_h) = (f64::from(NODE_SIZE.0) / 2.0, f64::from(NODE_SIZE.1) / 2.0);
    let xs = diagram.nodes.iter().map(|n| f64::from(n.centre.x));
    let ys = diagram.nodes.iter().map(|n| f64::from(n.centre.y));
    let (min_x, max_x) = bounds(xs);
    let (min_y, max_y) = bounds(ys);
    let inches = |units: f64| units / UNITS_PER_INCH;
    // Flip y (Graphviz's grows upwards) and move the picture's corner to the origin.
    let point = |x: f32, y: f32| {
        (
            inches(f64::from(x) - min_x + half_w),
            inches(max_y - f64::from(y) + half_h),
        )
    };
    let mut text = format!(
        "graph 1 {:.3} {:.3}\n",
        inches(max_x - min_x + 2.0 * half_w),
        inches(max_y - min_y + 2.0 * half_h)
    );
    for node in &diagram.nodes {
        let (x, y) = point(node.centre.x, node.centre.y);
        let [r, g, b] = tier_rgb(node.tier);
        text.push_str(&format!(
            "node {} {x:.3} {y:.3} {:.3} {:.3} {} solid box black \"#{r:02x}{g:02x}{b:02x}\"\n",
            quoted(&node.id),
            inches(2.0 * half_w),
            inches(2.0 * half_h),
            quoted(&node.name),
        ));
    }
    for &(dependent, dependency) in &diagram.edges {
        let (Some(from), Some(to)) = (diagram.nodes.get(dependent), diagram.nodes.get(dependency))
        else {
            continue;
        };
        let (a, b) = (
            point(from.centre.x, from.centre.y),
            point(to.centre.x, to.centre.y),
        );
        let along = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
        let points: Vec<String> = [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]
            .iter()
            .map(|&t| {
                let (x, y) = along(t);
                format!("{x:.3} {y:.3}")
            })
            .collect();
        text.push_str(&format!(
            "edge {} {} 4 {} solid black\n",
            quoted(&from.id),
            quoted(&to.id),
            points.join(" ")
        ));
    }
    text.push_str("stop\n");
    text
}

/// The smallest and largest of `values` (0 and 0 when there are none).
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .fold(None, |acc: Option<(f64, f64)>, v| {
            Some(acc.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))))
        })
        .unwrap_or((0.0, 0.0))
}

/// A name or label as Graphviz writes it: bare when it is a plain identifier, else double-quoted.
fn quoted(text: &str) -> String {
    let text = printable(text);
    let bare = !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if bare {
        text
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A layout read from the `plain` format: node centres (inches, y upwards) and edges by node name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlainLayout {
    /// Each node's name and centre.
    pub nodes: Vec<(String, Point)>,
    /// Each edge's tail and head names.
    pub edges: Vec<(String, String)>,
}

impl PlainLayout {
    /// The node centres by index, and the edges as index pairs (edges naming an unknown node are
    /// left out), for [`super::straight_crossings`].
    pub fn indexed(&self) -> (Vec<Point>, Vec<Edge>) {
        let index: std::collections::HashMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        let centres = self.nodes.iter().map(|(_, centre)| *centre).collect();
        let edges = self
            .edges
            .iter()
            .filter_map(|(tail, head)| {
                Some((*index.get(tail.as_str())?, *index.get(head.as_str())?))
            })
            .collect();
        (centres, edges)
    }
}

/// Why a text is not in the `plain` format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PlainError {
    /// The 1-based line.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

/// Reads a layout in the `plain` format (as `dot -Tplain` writes it, or [`render`]).
pub fn parse(text: &str) -> Result<PlainLayout, PlainError> {
    let mut layout = PlainLayout::default();
    for (number, line) in text.lines().enumerate() {
        let error = |message: &str| PlainError {
            line: number + 1,
            message: message.to_owned(),
        };
        let words = split_words(line).ok_or_else(|| error("an unterminated quoted string"))?;
        let number_at = |i: usize| -> Result<f64, PlainError> {
            words
                .get(i)
                .and_then(|w| w.parse().ok())
                .ok_or_else(|| error("a number is missing"))
        };
        match words.first().map(String::as_str) {
            Some("node") => {
                let name = words.get(1).ok_or_else(|| error("a node without a name"))?;
                layout
                    .nodes
                    .push((name.clone(), (number_at(2)?, number_at(3)?)));
            }
            Some("edge") => {
                let (Some(tail), Some(head)) = (words.get(1), words.get(2)) else {
                    return Err(error("an edge without both ends"));
                };
                layout.edges.push((tail.clone(), head.clone()));
            }
            Some("stop") => return Ok(layout),
            Some("graph") | None => {}
            Some(other) => return Err(error(&format!("an unknown statement `{other}`"))),
        }
    }
    Err(PlainError {
        line: text.lines().count(),
        message: "the layout does not end with `stop`".to_owned(),
    })
}

/// The words of a line: bare words split at spaces, double-quoted words with `\"` and `\\` escapes.
/// `None` when a quote is not closed.
fn split_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(first) = chars.next() else {
            return Some(words);
        };
        let mut word = String::new();
        if first == '"' {
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => word.push(chars.next()?),
                    c => word.push(c),
                }
            }
        } else {
            word.push(first);
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                word.push(c);
            }
        }
        words.push(word);
    }
}
