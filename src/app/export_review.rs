//! What an export would do to a repository folder, before anything is written: for each generated
//! file, whether it would be created, changed or left unchanged, and for a changed file the line diff
//! against the text the folder holds, cut down to the changed lines and a little context.
//!
//! The statuses and the stray files come from [`storage::check_export`] (which first completes or
//! undoes an export interrupted there); the old text of a changed file is read here only to diff it.
//! Writing is [`storage::write_export`], all or nothing, run by the app's Export command.

use std::path::Path;

use crate::export::diff::{DiffLine, diff_counts, line_diff};
use crate::export::{self, GeneratedFile, Target};
use crate::storage::{self, FileStatus, OutputFile, Ownership, Recovery, StorageError};

/// Unchanged lines shown around each change.
pub const CONTEXT_LINES: usize = 3;

/// What exporting into a folder would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Each generated file, in export order.
    pub files: Vec<FileReview>,
    /// Files an earlier export of this plan wrote that this one no longer produces; exporting
    /// removes them.
    pub strays: Vec<String>,
    /// An interrupted export found in the folder and completed or undone before the review.
    pub recovered: Option<Recovery>,
}

/// One row of a diff as the dialog shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffRow {
    /// A line in both texts, near a change.
    Same(String),
    /// A line only in the folder's file.
    Removed(String),
    /// A line only in the new file.
    Added(String),
    /// This many unchanged lines, not shown.
    Skipped(usize),
}

/// What exporting would do to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReview {
    /// The file, relative to the folder.
    pub path: String,
    /// Created, changed or unchanged.
    pub status: FileStatus,
    /// The text the export would write.
    pub contents: String,
    /// Whether it is written as a program (the setup scripts).
    pub executable: bool,
    /// Lines added and removed (changed files only).
    pub added: usize,
    /// Lines removed.
    pub removed: usize,
    /// The diff against the folder's file, with context (changed files only).
    pub rows: Vec<DiffRow>,
}

/// Writes `files`, the export of the plan named `plan_name` for every platform, into `folder`, all or
/// nothing, removing the files an earlier export of it wrote that this one no longer produces.
pub fn write(
    folder: &Path,
    plan_name: &str,
    files: &[OutputFile],
) -> Result<storage::ExportReport, StorageError> {
    with_ownership(plan_name, |ownership| {
        storage::write_export(folder, files, ownership)
    })
}

/// Runs `work` with the ownership rule of an export of the plan named `plan_name` for every platform:
/// the files its header marks, in the folders an export writes.
fn with_ownership<T>(plan_name: &str, work: impl FnOnce(&Ownership) -> T) -> T {
    let folders = export::paths::owned_folders(Target::All);
    let owns = |head: &str| export::generated_from(plan_name, head);
    work(&Ownership {
        folders: &folders,
        owns: &owns,
    })
}

/// Compares `files` (the export of the plan named `plan_name` for every platform) with what `folder`
/// holds, and diffs the ones that would change.
pub fn review(
    folder: &Path,
    plan_name: &str,
    files: Vec<GeneratedFile>,
) -> Result<Review, StorageError> {
    let files: Vec<OutputFile> = files.into_iter().map(OutputFile::from).collect();
    let check = with_ownership(plan_name, |ownership| {
        storage::check_export(folder, &files, ownership)
    })?;
    let reviews = files
        .into_iter()
        .zip(check.statuses)
        .map(|(file, status)| {
            let OutputFile {
                path,
                contents,
                executable,
            } = file;
            let (mut added, mut removed, mut rows) = (0, 0, Vec::new());
            if status == FileStatus::Changed {
                let full = folder.join(&path);
                let old = std::fs::read(&full).map_err(|source| StorageError::Io {
                    path: full.clone(),
                    source,
                })?;
                let diff = line_diff(&String::from_utf8_lossy(&old), &contents);
                (added, removed) = diff_counts(&diff);
                rows = hunks(diff, CONTEXT_LINES);
            }
            Ok(FileReview {
                path,
                status,
                contents,
                executable,
                added,
                removed,
                rows,
            })
        })
        .collect::<Result<_, StorageError>>()?;
    Ok(Review {
        files: reviews,
        strays: check.strays,
        recovered: check.recovered,
    })
}

/// The diff with only the unchanged lines within `context` lines of a change; longer unchanged runs
/// become one [`DiffRow::Skipped`].
pub fn hunks(diff: Vec<DiffLine>, context: usize) -> Vec<DiffRow> {
    let changed: Vec<bool> = diff
        .iter()
        .map(|line| !matches!(line, DiffLine::Same(_)))
        .collect();
    // The distance from each line to the nearest change (before or after it).
    let n = diff.len();
    let mut near = vec![usize::MAX; n];
    let mut last = None;
    for i in 0..n {
        if changed[i] {
            last = Some(i);
        }
        if let Some(c) = last {
            near[i] = i - c;
        }
    }
    let mut next = None;
    for i in (0..n).rev() {
        if changed[i] {
            next = Some(i);
        }
        if let Some(c) = next {
            near[i] = near[i].min(c - i);
        }
    }
    let mut rows = Vec::new();
    let mut skipped = 0;
    for (line, distance) in diff.into_iter().zip(near) {
        let row = match line {
            DiffLine::Same(_) if distance > context => {
                skipped += 1;
                continue;
            }
            DiffLine::Same(text) => DiffRow::Same(text),
            DiffLine::Removed(text) => DiffRow::Removed(text),
            DiffLine::Added(text) => DiffRow::Added(text),
        };
        if skipped > 0 {
            rows.push(DiffRow::Skipped(skipped));
            skipped = 0;
        }
        rows.push(row);
    }
    if skipped > 0 {
        rows.push(DiffRow::Skipped(skipped));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::FileKind;

    fn same(text: &str) -> DiffLine {
        DiffLine::Same(text.to_owned())
    }

    #[test]
    fn hunks_keep_context_around_changes_and_count_what_they_skip() {
        let mut diff: Vec<DiffLine> = (1..=10).map(|i| same(&i.to_string())).collect();
        diff.insert(5, DiffLine::Added("new".to_owned()));
        let rows = hunks(diff, 2);
        assert_eq!(
            rows,
            vec![
                DiffRow::Skipped(3),
                DiffRow::Same("4".to_owned()),
                DiffRow::Same("5".to_owned()),
                DiffRow::Added("new".to_owned()),
                DiffRow::Same("6".to_owned()),
                DiffRow::Same("7".to_owned()),
                DiffRow::Skipped(3),
            ]
        );
        assert_eq!(hunks(vec![same("a")], 3), vec![DiffRow::Skipped(1)]);
        assert!(hunks(Vec::new(), 3).is_empty());
    }

    #[test]
    fn a_review_reads_the_folder_without_writing_to_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("docs")).expect("dir");
        std::fs::write(dir.path().join("docs/same.md"), "same\n").expect("write");
        std::fs::write(dir.path().join("docs/old.md"), "a\nb\nc\n").expect("write");
        let file = |path: &str, contents: &str| GeneratedFile {
            path: path.to_owned(),
            kind: FileKind::Runbook,
            contents: contents.to_owned(),
        };
        let files = vec![
            file("docs/same.md", "same\n"),
            file("docs/old.md", "a\nB\nc\n"),
            file("docs/new.md", "new\n"),
        ];
        let reviews = review(dir.path(), "plan", files).expect("reviewed").files;
        let statuses: Vec<FileStatus> = reviews.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            [
                FileStatus::Unchanged,
                FileStatus::Changed,
                FileStatus::Created
            ]
        );
        assert_eq!((reviews[1].added, reviews[1].removed), (1, 1));
        assert!(reviews[1].rows.contains(&DiffRow::Added("B".to_owned())));
        assert!(reviews[0].rows.is_empty() && reviews[2].rows.is_empty());
        assert!(!dir.path().join("docs/new.md").exists());
    }
}
