//! The README stays true: its table of diagnostic codes is the analysis's, its complete plan example
//! passes `check`, and the command output it shows is what the commands print.

use crate::common::{cutover, examples_dir};
use cutover::analysis::{Code, Severity, analyse};
use cutover::plan::parse_plan;

fn readme() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md reads")
}

#[test]
fn the_code_table_lists_every_code_with_its_severity_and_title() {
    let readme = readme();
    let rows: Vec<(String, String, String)> = readme
        .lines()
        .filter(|line| line.starts_with("| `CUT"))
        .map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split(" | ")
                .map(|cell| cell.trim().replace('`', ""))
                .collect();
            assert_eq!(cells.len(), 3, "a code row has three cells: {line}");
            (cells[0].clone(), cells[1].clone(), cells[2].clone())
        })
        .collect();
    let expected: Vec<(String, String, String)> = Code::ALL
        .iter()
        .map(|code| {
            (
                code.as_str().to_owned(),
                code.severity().to_string(),
                code.title().replace('`', ""),
            )
        })
        .collect();
    assert_eq!(rows, expected);
}

/// The fenced blocks of `language` in the README, in order.
fn code_blocks(readme: &str, language: &str) -> Vec<String> {
    let opening = format!("```{language}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim_end() == opening => current = Some(String::new()),
            Some(block) if line.trim_end() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn the_complete_example_is_a_clean_plan() {
    let blocks = code_blocks(&readme(), "ron");
    assert_eq!(blocks.len(), 1, "one RON example");
    let plan = parse_plan(&blocks[0], "README.md").unwrap_or_else(|e| panic!("{e}"));
    let analysis = analyse(&plan);
    assert_eq!(
        analysis.count(Severity::Error) + analysis.count(Severity::Warning),
        0,
        "{:#?}",
        analysis.diagnostics
    );
    // It shows every target and every tier but Other.
    let targets: std::collections::BTreeSet<_> = plan
        .services
        .iter()
        .map(|s| s.target.kind_label())
        .collect();
    assert_eq!(targets.len(), 5, "{targets:?}");
}

#[test]
fn the_output_shown_is_the_output_printed() {
    let readme = readme();
    let order = cutover([
        "order".as_ref(),
        examples_dir().join("meridian-claims.ron").as_os_str(),
    ]);
    assert!(
        readme.contains(&order.stdout),
        "README's order output is stale:\n{}",
        order.stdout
    );

    // Paths relative to the repository, as the README shows them.
    let broken = "examples/broken/CUT033-hotfix-merge-back-incomplete.ron";
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", broken])
        .output()
        .expect("runs");
    let text = String::from_utf8(check.stdout).expect("UTF-8");
    assert!(
        readme.contains(&text),
        "README's check output is stale:\n{text}"
    );

    let json = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", broken, "--format", "json"])
        .output()
        .expect("runs");
    let json = String::from_utf8(json.stdout).expect("UTF-8");
    assert!(
        readme.contains(&json),
        "README's JSON output is stale:\n{json}"
    );
}

#[test]
fn the_rehearsal_output_shown_is_the_output_printed() {
    let readme = readme();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_cutover"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["rehearse", "examples/meridian-claims.ron"])
        .output()
        .expect("runs");
    let text = String::from_utf8(run.stdout).expect("UTF-8");
    // The last line counts the work and the real seconds it took, which vary from run to run.
    let (report, summary) = text
        .trim_end()
        .rsplit_once('\n')
        .expect("a report and a summary");
    assert!(summary.starts_with("meridian-claims: "), "{summary}");
    assert!(
        readme.contains(report),
        "README's rehearsal output is stale:\n{text}"
    );
}
