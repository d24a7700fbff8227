//! Writing an export: generated files compared with a folder and written into it, all or nothing.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use super::StorageError;

/// What writing an export would do to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The file does not exist yet.
    Created,
    /// The file exists with other contents.
    Changed,
    /// The file exists with these contents.
    Unchanged,
}

/// Compares generated files (paths relative to `dir`) with what `dir` holds.
pub fn compare_files(
    dir: &Path,
    files: &[(String, String)],
) -> Result<Vec<FileStatus>, StorageError> {
    files
        .iter()
        .map(|(relative, contents)| {
            let path = dir.join(relative);
            match fs::read(&path) {
                Ok(existing) if existing == contents.as_bytes() => Ok(FileStatus::Unchanged),
                Ok(_) => Ok(FileStatus::Changed),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(FileStatus::Created),
                Err(source) => Err(StorageError::Io { path, source }),
            }
        })
        .collect()
}

/// Writes generated files under `dir`, all or nothing: every new text is first written and flushed
/// beside its target, and only when all of them are on disk are they renamed into place. If anything
/// fails, the files already replaced are restored and the temporary files removed. Unchanged files are
/// not touched. Returns what happened to each file.
pub fn write_files(
    dir: &Path,
    files: &[(String, String)],
) -> Result<Vec<FileStatus>, StorageError> {
    for (relative, _) in files {
        let path = Path::new(relative);
        if path.is_absolute()
            || path
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(StorageError::Io {
                path: path.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "generated paths must stay inside the output folder",
                ),
            });
        }
    }
    let statuses = compare_files(dir, files)?;
    let pending: Vec<(PathBuf, &str)> = files
        .iter()
        .zip(&statuses)
        .filter(|(_, status)| **status != FileStatus::Unchanged)
        .map(|((relative, contents), _)| (dir.join(relative), contents.as_str()))
        .collect();
    let side_path = |path: &Path, suffix: &str| {
        let mut name = std::ffi::OsString::from(".");
        name.push(path.file_name().unwrap_or_default());
        name.push(format!(".{}.{suffix}", std::process::id()));
        path.with_file_name(name)
    };
    let mut staged: Vec<PathBuf> = Vec::new();
    let stage = |staged: &mut Vec<PathBuf>| -> Result<(), StorageError> {
        for (path, contents) in &pending {
            let temp = side_path(path, "new");
            let io_error = |source| StorageError::Io {
                path: path.clone(),
                source,
            };
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(io_error)?;
            }
            let mut file = fs::File::create(&temp).map_err(io_error)?;
            staged.push(temp);
            file.write_all(contents.as_bytes()).map_err(io_error)?;
            file.sync_all().map_err(io_error)?;
        }
        Ok(())
    };
    if let Err(e) = stage(&mut staged) {
        for temp in &staged {
            fs::remove_file(temp).ok();
        }
        return Err(e);
    }
    // Everything is on disk; now swap the files in, keeping the old ones until all renames succeeded.
    let mut committed: Vec<(&PathBuf, Option<PathBuf>)> = Vec::new();
    let mut failure = None;
    for (path, _) in &pending {
        let backup = side_path(path, "old");
        let had_old = path.exists();
        let result = (|| {
            if had_old {
                fs::rename(path, &backup)?;
            }
            fs::rename(side_path(path, "new"), path)
        })();
        match result {
            Ok(()) => committed.push((path, had_old.then_some(backup))),
            Err(source) => {
                if had_old && !path.exists() {
                    fs::rename(&backup, path).ok();
                }
                failure = Some(StorageError::Io {
                    path: path.clone(),
                    source,
                });
                break;
            }
        }
    }
    if let Some(error) = failure {
        for (path, backup) in committed.iter().rev() {
            match backup {
                Some(backup) => fs::rename(backup, path).ok(),
                None => fs::remove_file(path).ok(),
            };
        }
        for (path, _) in &pending {
            fs::remove_file(side_path(path, "new")).ok();
        }
        return Err(error);
    }
    for (_, backup) in committed {
        if let Some(backup) = backup {
            fs::remove_file(backup).ok();
        }
    }
    Ok(statuses)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_support::names_in;

    #[test]
    fn writing_files_reports_what_changed_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = vec![
            ("a/b.txt".to_owned(), "one".to_owned()),
            ("c.txt".to_owned(), "two".to_owned()),
        ];
        assert_eq!(
            write_files(dir.path(), &files).expect("written"),
            vec![FileStatus::Created, FileStatus::Created]
        );
        let changed = vec![
            ("a/b.txt".to_owned(), "one".to_owned()),
            ("c.txt".to_owned(), "three".to_owned()),
        ];
        assert_eq!(
            write_files(dir.path(), &changed).expect("written"),
            vec![FileStatus::Unchanged, FileStatus::Changed]
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("c.txt")).expect("read"),
            "three"
        );
        assert_eq!(names_in(dir.path()), ["a", "c.txt"]);
    }

    #[test]
    fn a_failed_export_changes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("keep.txt"), "old").expect("written");
        // "blocker" is a file, so nothing can be created beneath it: staging fails after keep.txt was staged.
        fs::write(dir.path().join("blocker"), "").expect("written");
        let files = vec![
            ("keep.txt".to_owned(), "new".to_owned()),
            ("blocker/x.txt".to_owned(), "x".to_owned()),
        ];
        assert!(write_files(dir.path(), &files).is_err());
        assert_eq!(
            fs::read_to_string(dir.path().join("keep.txt")).expect("read"),
            "old"
        );
        assert_eq!(names_in(dir.path()), ["blocker", "keep.txt"]);
    }

    #[test]
    fn generated_paths_cannot_escape_the_folder() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(write_files(dir.path(), &[("../x".to_owned(), String::new())]).is_err());
    }
}
