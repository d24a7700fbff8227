//! Line diffs between a file on disk and what an export would write, for the export preview.
//!
//! A longest-common-subsequence diff over lines, after trimming the common head and tail (generated
//! files usually change in a few places). Pathological inputs fall back to "replace everything" rather
//! than use quadratic memory.

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

/// The largest middle section (old lines × new lines) diffed line by line; beyond it the middle is
/// shown as removed, then added.
const MAX_CELLS: usize = 4_000_000;

/// The line diff turning `old` into `new`.
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let head = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (old_mid, new_mid) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut out: Vec<DiffLine> = old[..head]
        .iter()
        .map(|l| DiffLine::Same((*l).to_owned()))
        .collect();
    if old_mid.len().saturating_mul(new_mid.len()) > MAX_CELLS {
        out.extend(old_mid.iter().map(|l| DiffLine::Removed((*l).to_owned())));
        out.extend(new_mid.iter().map(|l| DiffLine::Added((*l).to_owned())));
    } else {
        out.extend(lcs_diff(old_mid, new_mid));
    }
    out.extend(
        old[old.len() - tail..]
            .iter()
            .map(|l| DiffLine::Same((*l).to_owned())),
    );
    out
}

fn lcs_diff(old: &[&str], new: &[&str]) -> Vec<DiffLine> {
    let (n, m) = (old.len(), new.len());
    // lengths[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lengths = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lengths[at(i, j)] = if old[i] == new[j] {
                lengths[at(i + 1, j + 1)] + 1
            } else {
                lengths[at(i + 1, j)].max(lengths[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n && j < m {
        if old[i] == new[j] {
            out.push(DiffLine::Same(old[i].to_owned()));
            i += 1;
            j += 1;
        } else if lengths[at(i + 1, j)] >= lengths[at(i, j + 1)] {
            out.push(DiffLine::Removed(old[i].to_owned()));
            i += 1;
        } else {
            out.push(DiffLine::Added(new[j].to_owned()));
            j += 1;
        }
    }
    out.extend(old[i..].iter().map(|l| DiffLine::Removed((*l).to_owned())));
    out.extend(new[j..].iter().map(|l| DiffLine::Added((*l).to_owned())));
    out
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
}
