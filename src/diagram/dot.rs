//! Graphviz `dot` source: the services as boxes in their tier colours (labelled with name and id) and
//! each dependency as an edge from the dependent to what it depends on, so `dot` draws dependencies
//! below their dependents, as Cutover does. Positions are left to Graphviz.

use super::{Diagram, printable, tier_rgb};

/// Writes `diagram` as a `dot` digraph.
pub fn render(diagram: &Diagram) -> String {
    let mut text = format!(
        "digraph {} {{\n  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];\n",
        quoted(&diagram.title)
    );
    for node in &diagram.nodes {
        let [r, g, b] = tier_rgb(node.tier);
        let wave = node
            .wave
            .map_or_else(String::new, |w| format!("\\nwave {}", w + 1));
        text.push_str(&format!(
            "  {} [label={}, color=\"#{r:02x}{g:02x}{b:02x}\", fillcolor=\"#{r:02x}{g:02x}{b:02x}40\"];\n",
            quoted(&node.id),
            label(&[&node.name, &node.id], &wave),
        ));
    }
    for &(dependent, dependency) in &diagram.edges {
        if let (Some(from), Some(to)) =
            (diagram.nodes.get(dependent), diagram.nodes.get(dependency))
        {
            text.push_str(&format!("  {} -> {};\n", quoted(&from.id), quoted(&to.id)));
        }
    }
    text.push_str("}\n");
    text
}

/// A double-quoted `dot` string holding `text` literally.
fn quoted(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

/// A label of `lines` (each escaped, so a line break inside one is not a `dot` line break) followed
/// by `suffix`, already escaped.
fn label(lines: &[&str], suffix: &str) -> String {
    let lines: Vec<String> = lines.iter().map(|line| escape(line)).collect();
    format!("\"{}{suffix}\"", lines.join("\\n"))
}

/// `text` escaped for a `dot` string: backslashes and quotes, and nothing unprintable.
fn escape(text: &str) -> String {
    printable(text).replace('\\', "\\\\").replace('"', "\\\"")
}
