//! Line diffs between a file on disk and what an export would write, for the export preview.
//!
//! The diff itself is the `similar` crate's (Myers with a deadline, so a pathological pair of files
//! degrades to a coarser diff instead of taking unbounded time); this module only turns it into lines.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// Present in both.
    Same(String),
    /// Only in the old text.
    Removed(String),
    /// Only in the new text.
    Added(String),
}

/// How long the diff may search for the smallest edit before settling for a larger one.
const DIFF_DEADLINE: Duration = Duration::from_millis(500);

/// The line diff turning `old` into `new`.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .timeout(DIFF_DEADLINE)
        .diff_lines(old, new);
    diff.iter_all_changes()
        .map(|change| {
            let line = change.value().trim_end_matches(['\n', '\r']).to_owned();
            match change.tag() {
                ChangeTag::Equal => DiffLine::Same(line),
                ChangeTag::Delete => DiffLine::Removed(line),
                ChangeTag::Insert => DiffLine::Added(line),
            }
        })
        .collect()
}

/// How many lines a diff adds and removes.
pub fn diff_counts(diff: &[DiffLine]) -> (usize, usize) {
    diff.iter()
        .fold((0, 0), |(added, removed), line| match line {
            DiffLine::Added(_) => (added + 1, removed),
            DiffLine::Removed(_) => (added, removed + 1),
            DiffLine::Same(_) => (added, removed),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(diff: &[DiffLine]) -> String {
        diff.iter()
            .map(|line| match line {
                DiffLine::Same(l) => format!(" {l}"),
                DiffLine::Removed(l) => format!("-{l}"),
                DiffLine::Added(l) => format!("+{l}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_changed_line_is_removed_then_added_between_shared_lines() {
        let diff = line_diff("a\nb\nc\nd\n", "a\nB\nc\nd\ne\n");
        assert_eq!(render(&diff), " a\n-b\n+B\n c\n d\n+e");
        assert_eq!(diff_counts(&diff), (2, 1));
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let diff = line_diff("x\ny\n", "x\ny\n");
        assert_eq!(diff_counts(&diff), (0, 0));
        assert_eq!(diff.len(), 2);
    }

    #[test]
    fn applying_the_diff_gives_both_texts_back() {
        let old = "one\ntwo\nthree\nfour\nfive";
        let new = "zero\none\nthree\nfour\n4.5\nfive";
        let diff = line_diff(old, new);
        let keep_old: Vec<&str> = diff
            .iter()
            .filter_map(|l| match l {
                DiffLine::Same(t) | DiffLine::Removed(t) => Some(t.as_str()),
                DiffLine::Added(_) => None,
            })
            .collect();
        let keep_new: Vec<&str> = diff
            .iter()
            .filter_map(|l| match l {
                DiffLine::Same(t) | DiffLine::Added(t) => Some(t.as_str()),
                DiffLine::Removed(_) => None,
            })
            .collect();
        assert_eq!(keep_old.join("\n"), old);
        assert_eq!(keep_new.join("\n"), new);
        assert_eq!(diff_counts(&diff), (2, 1), "{}", render(&diff));
    }

    #[test]
    fn changes_far_apart_in_a_large_file_are_only_those_changes() {
        let old: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 100\n", "line one hundred\n")
            .replace("line 19900\n", "line nineteen thousand nine hundred\n");
        let diff = line_diff(&old, &new);
        assert_eq!(diff_counts(&diff), (2, 2));
        assert_eq!(diff.len(), 20_002);
    }
}
