use super::plain::{self, PlainLayout};
use super::*;
use crate::analysis::analyse;
use crate::layout::{Spacing, layout_plan};
use crate::plan::templates;

#[test]
fn crossing_lines_count_once_and_lines_that_share_a_node_never() {
    let square = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0), (10.0, 10.0)];
    // The two diagonals of a square cross; its sides do not.
    assert_eq!(straight_crossings(&square, &[(0, 3), (1, 2)]), 1);
    assert_eq!(straight_crossings(&square, &[(0, 1), (2, 3)]), 0);
    // Lines that meet at a shared node are not a crossing.
    assert_eq!(straight_crossings(&square, &[(0, 3), (0, 2), (0, 1)]), 0);
    // A line touching another's end is not a crossing either.
    let touching = [(0.0, 0.0), (10.0, 0.0), (5.0, 0.0), (5.0, 10.0)];
    assert_eq!(straight_crossings(&touching, &[(0, 1), (2, 3)]), 0);
}

fn meridian_diagram() -> Diagram {
    let plan = templates::by_name("meridian", "meridian")
        .expect("a template")
        .expect("it parses");
    let analysis = analyse(&plan);
    let positions = layout_plan(&plan, Spacing::default());
    Diagram::of_plan(&plan, &positions, analysis.order.as_ref())
}

#[test]
fn the_plain_format_reads_back_as_the_same_layout() {
    let diagram = meridian_diagram();
    let layout: PlainLayout = plain::parse(&diagram.render(Format::Plain)).expect("parses");
    assert_eq!(layout.nodes.len(), diagram.nodes.len());
    assert_eq!(layout.edges.len(), diagram.edges.len());
    for (node, (name, _)) in diagram.nodes.iter().zip(&layout.nodes) {
        assert_eq!(&node.id, name);
    }
    let (centres, edges) = layout.indexed();
    assert_eq!(edges, diagram.edges);
    let original: Vec<(f64, f64)> = diagram
        .nodes
        .iter()
        .map(|n| (f64::from(n.centre.x), f64::from(n.centre.y)))
        .collect();
    assert_eq!(
        straight_crossings(&centres, &edges),
        straight_crossings(&original, &diagram.edges)
    );
}

#[test]
fn dot_plain_output_with_quoted_names_and_splines_is_read() {
    let text = "graph 1 3.5 2\nnode \"claims-api\" 1.5 0.5 1 0.5 \"Claims \\\"API\\\"\" solid box black lightgrey\n\
                node db 1.5 1.5 1 0.5 db solid box black lightgrey\n\
                edge \"claims-api\" db 4 1.5 0.7 1.5 0.9 1.5 1.1 1.5 1.3 solid black\nstop\n";
    let layout = plain::parse(text).expect("parses");
    assert_eq!(layout.nodes[0], ("claims-api".to_owned(), (1.5, 0.5)));
    assert_eq!(layout.edges, [("claims-api".to_owned(), "db".to_owned())]);
    assert!(plain::parse("node a 1\nstop\n").is_err());
    assert!(plain::parse("graph 1 1 1\n").is_err());
    assert!(plain::parse("node \"a 1 1\nstop\n").is_err());
}

#[test]
fn hostile_names_are_escaped_in_every_format() {
    let mut diagram = meridian_diagram();
    diagram.title = "t</title><script>alert(1)</script>".to_owned();
    diagram.nodes[0].name = "a\"b<c>&d'e\u{202E}f\ng\u{7}".to_owned();
    let svg = diagram.render(Format::Svg);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(svg.contains("a&quot;b&lt;c&gt;&amp;d&apos;e\u{FFFD}f\u{FFFD}g\u{FFFD}"));
    assert!(!svg.contains('\u{202E}') && !svg.contains('\u{7}'));
    let dot = diagram.render(Format::Dot);
    assert!(
        dot.contains("a\\\"b<c>&d'e\u{FFFD}f\u{FFFD}g\u{FFFD}"),
        "{dot}"
    );
    let plain_text = diagram.render(Format::Plain);
    let layout = plain::parse(&plain_text).expect("hostile labels still parse");
    assert_eq!(layout.nodes.len(), diagram.nodes.len());
}

#[test]
fn svg_shows_every_service_its_wave_and_every_dependency() {
    let diagram = meridian_diagram();
    let svg = diagram.render(Format::Svg);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(svg.matches("<line ").count(), diagram.edges.len());
    for node in &diagram.nodes {
        let wave = node.wave.expect("Meridian has an order") + 1;
        assert!(
            svg.contains(&format!(">{} · wave {wave}</text>", node.id)),
            "{}",
            node.id
        );
    }
}
