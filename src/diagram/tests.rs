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
    assert_eq!(
        svg.matches("<line ").count() + curves(&svg),
        diagram.edges.len()
    );
    for node in &diagram.nodes {
        let wave = node.wave.expect("Meridian has an order") + 1;
        assert!(
            svg.contains(&format!(">{} · wave {wave}</text>", node.id)),
            "{}",
            node.id
        );
    }
}

/// How many edges `svg` draws as curves (the arrowhead's path is not one).
fn curves(svg: &str) -> usize {
    svg.lines()
        .filter(|line| line.starts_with("<path d=\"M") && line.contains("marker-end"))
        .count()
}

#[test]
fn long_edges_are_drawn_as_curves_through_their_bends() {
    let plan = crate::synth::generate(&crate::synth::SynthOptions {
        services: 60,
        regions: 1,
        seed: 7,
    });
    let drawing = crate::layout::draw_plan(&plan, Spacing::default());
    let diagram = Diagram::of_drawing(&plan, &drawing, None);
    let long = drawing.routes.iter().filter(|r| !r.is_empty()).count();
    assert!(long > 0, "a synthetic plan has edges that pass a layer");
    let svg = diagram.render(Format::Svg);
    assert_eq!(curves(&svg), long);
    assert_eq!(svg.matches("<line ").count(), diagram.edges.len() - long);
    // Each curve passes through its bends.
    for bends in drawing.routes.iter().filter(|r| !r.is_empty()) {
        for bend in bends {
            assert!(
                svg.contains(&format!(" {:.1} {:.1}", bend.x, bend.y)),
                "{bend:?}"
            );
        }
    }
}

#[test]
fn drawn_crossings_follow_the_bends() {
    // Two edges from the top corners of a square to the opposite bottom corners cross once drawn
    // straight; one bent down the left side and the other round below it, they do not.
    let centres = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0), (10.0, 10.0)];
    let edges = [(0, 3), (1, 2)];
    let straight: Vec<(Edge, Vec<Point>)> = edges
        .iter()
        .map(|&(a, b)| ((a, b), vec![centres[a], centres[b]]))
        .collect();
    assert_eq!(drawn_crossings(&straight), 1);
    assert_eq!(
        drawn_crossings(&straight),
        straight_crossings(&centres, &edges)
    );
    let around = vec![
        ((0, 3), vec![(0.0, 0.0), (0.0, 8.0), (10.0, 10.0)]),
        ((1, 2), vec![(10.0, 0.0), (20.0, 20.0), (0.0, 10.0)]),
    ];
    assert_eq!(drawn_crossings(&around), 0);
}
