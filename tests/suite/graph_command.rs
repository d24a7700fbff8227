//! `cutover graph`: the service graph as SVG, Graphviz dot and Graphviz plain, with Cutover's layout
//! or the positions saved in the plan.

use cutover::diagram::plain;
use cutover::storage::load_plan;

use crate::common::{cutover, examples_dir};

#[test]
fn graph_writes_svg_to_a_file_and_dot_and_plain_to_standard_output() {
    let plan = examples_dir().join("meridian-claims.ron");
    let dir = tempfile::tempdir().expect("temp dir");
    let svg = dir.path().join("meridian.svg");
    let run = cutover([
        "graph".as_ref(),
        plan.as_os_str(),
        "--out".as_ref(),
        svg.as_os_str(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = std::fs::read_to_string(&svg).expect("the SVG was written");
    assert!(text.starts_with("<svg ") && text.ends_with("</svg>\n"));

    let dot = cutover([
        "graph".as_ref(),
        plan.as_os_str(),
        "--format".as_ref(),
        "dot".as_ref(),
    ]);
    assert_eq!(dot.code, Some(0));
    let services = load_plan(&plan).expect("the example loads");
    for dependency in &services.dependencies {
        let edge = format!("\"{}\" -> \"{}\";", dependency.service, dependency.on);
        assert!(dot.stdout.contains(&edge), "{edge}");
    }

    let plain_run = cutover([
        "graph".as_ref(),
        plan.as_os_str(),
        "--format".as_ref(),
        "plain".as_ref(),
    ]);
    let layout = plain::parse(&plain_run.stdout).expect("plain output reads back");
    assert_eq!(layout.nodes.len(), services.services.len());
}

#[test]
fn the_saved_layout_draws_the_positions_arranged_in_the_app() {
    let path = examples_dir().join("meridian-claims.ron");
    let plan = load_plan(&path).expect("the example loads");
    let run = cutover([
        "graph".as_ref(),
        path.as_os_str(),
        "--format".as_ref(),
        "plain".as_ref(),
        "--layout".as_ref(),
        "saved".as_ref(),
    ]);
    let layout = plain::parse(&run.stdout).expect("plain output reads back");
    // Plain is in inches with y upwards: 72 canvas units an inch, y flipped, the corner at the origin.
    let first = &plan.services[0].position;
    let (_, (x0, y0)) = &layout.nodes[0];
    for (service, (_, (x, y))) in plan.services.iter().zip(&layout.nodes) {
        let dx = f64::from(service.position.x - first.x) / 72.0;
        let dy = f64::from(first.y - service.position.y) / 72.0;
        assert!(
            (x - x0 - dx).abs() < 0.01 && (y - y0 - dy).abs() < 0.01,
            "{}",
            service.id
        );
    }
}

#[test]
fn an_unreadable_plan_is_refused_with_exit_2() {
    let run = cutover(["graph", "no-such-plan.ron"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("no-such-plan.ron"));
}
