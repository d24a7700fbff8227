//! The edge where plans meet the file system: loading, atomic saving, and creating new files.
//!
//! This is the only module of the core that touches files; everything it reads is handed to the pure
//! parser in [`crate::plan`].

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::plan::{FormatError, Plan, TextPosition, parse_plan, plan_to_ron};

/// Why a plan file could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// The file was read but is not a usable plan.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A new file was asked for where one already exists.
    #[error("{path}: already exists; refusing to overwrite it")]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
}

/// Reads and parses a plan file. Errors name the file, and for bad content the line and column.
pub fn load_plan(path: &Path) -> Result<Plan, StorageError> {
    let bytes = fs::read(path).map_err(|source| StorageError::Io {
        path: path.to_owned(),
        source,
    })?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        FormatError::NotAPlan {
            source_name: name.clone(),
            position: TextPosition { line, column },
            message: "the file is not UTF-8 text".to_owned(),
        }
    })?;
    // Some Windows editors start UTF-8 files with a byte-order mark; it is not part of the plan, and
    // editors do not show it, so positions are counted without it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(parse_plan(text, &name)?)
}

/// Saves a plan atomically: the text goes to a temporary file beside the target, is flushed to disk,
/// and then renamed over the target, so a crash leaves either the old file or the new one, never half.
pub fn save_plan(path: &Path, plan: &Plan) -> Result<(), StorageError> {
    write_atomically(path, plan_to_ron(plan).as_bytes())
}

/// Writes a plan to a file that must not exist yet (`cutover new`).
pub fn create_plan_file(path: &Path, plan: &Plan) -> Result<(), StorageError> {
    let io_error = |source| StorageError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == io::ErrorKind::AlreadyExists {
                StorageError::AlreadyExists {
                    path: path.to_owned(),
                }
            } else {
                io_error(e)
            }
        })?;
    file.write_all(plan_to_ron(plan).as_bytes())
        .map_err(io_error)?;
    file.sync_all().map_err(io_error)
}

/// Flushes the directory holding `path`, so the rename that put it there survives a power cut. Best
/// effort: some platforms cannot open a directory for syncing, and the data itself is already on disk.
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = fs::File::open(parent)
    {
        dir.sync_all().ok();
    }
}

/// Replaces `path` with `bytes` through a temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let io_error = |source| StorageError::Io {
        path: path.to_owned(),
        source,
    };
    let file_name = path.file_name().ok_or_else(|| {
        io_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path names no file",
        ))
    })?;
    // The process id and a per-process counter keep two saves at once (an autosave and a save) apart.
    static SAVES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let save = SAVES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}-{save}.tmp", std::process::id()));
    let temp_path = path.with_file_name(temp_name);
    let result = (|| {
        let mut file = fs::File::create(&temp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp_path, path)?;
        sync_parent(path);
        Ok(())
    })();
    if result.is_err() {
        // The temporary file is ours and useless now; failing to remove it changes nothing for the user.
        fs::remove_file(&temp_path).ok();
    }
    result.map_err(io_error)
}

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

/// The first line of a recovery file names the file the plan was autosaved for.
const RECOVERY_HEADER: &str = "// cutover recovery of: ";
/// The first line of a recovery file of a plan that was never saved.
const RECOVERY_UNSAVED: &str = "// cutover recovery of an unsaved plan";

/// A plan found in a recovery file: unsaved work autosaved before the app stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    /// The plan as it was last autosaved.
    pub plan: Plan,
    /// The file the plan belongs to, or `None` if it was never saved.
    pub origin: Option<PathBuf>,
}

/// Autosaves `plan` to the recovery file at `recovery`, atomically, noting the file it belongs to.
/// Creates the recovery file's folder if needed.
pub fn write_recovery(
    recovery: &Path,
    plan: &Plan,
    origin: Option<&Path>,
) -> Result<(), StorageError> {
    if let Some(folder) = recovery.parent()
        && !folder.as_os_str().is_empty()
    {
        fs::create_dir_all(folder).map_err(|source| StorageError::Io {
            path: folder.to_owned(),
            source,
        })?;
    }
    let header = match origin {
        // A newline in a path would end the comment early; such a path is not worth keeping.
        Some(path) if !path.to_string_lossy().contains('\n') => {
            format!("{RECOVERY_HEADER}{}", path.to_string_lossy())
        }
        _ => RECOVERY_UNSAVED.to_owned(),
    };
    write_atomically(
        recovery,
        format!("{header}\n{}", plan_to_ron(plan)).as_bytes(),
    )
}

/// Reads the recovery file at `recovery`: `Ok(None)` when there is none (the last session ended
/// cleanly), an error when it exists but cannot be read or parsed.
pub fn read_recovery(recovery: &Path) -> Result<Option<Recovered>, StorageError> {
    if !recovery.exists() {
        return Ok(None);
    }
    let plan = load_plan(recovery)?;
    let text = fs::read_to_string(recovery).map_err(|source| StorageError::Io {
        path: recovery.to_owned(),
        source,
    })?;
    let origin = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix(RECOVERY_HEADER))
        .map(PathBuf::from);
    Ok(Some(Recovered { plan, origin }))
}

/// Removes the recovery file after a clean save or a deliberate discard; a missing file is fine.
pub fn remove_recovery(recovery: &Path) -> Result<(), StorageError> {
    match fs::remove_file(recovery) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StorageError::Io {
            path: recovery.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::templates;

    /// The sorted names of the entries of `dir`.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("listed")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn save_then_load_gives_the_same_plan_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plan.ron");
        let plan = templates::starter("shop");
        save_plan(&path, &plan).expect("saved");
        save_plan(&path, &plan).expect("saved over");
        assert_eq!(load_plan(&path).expect("loaded"), plan);
        assert_eq!(names_in(dir.path()), ["plan.ron"]);
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plan.ron");
        fs::write(&path, "keep me").expect("written");
        let err = create_plan_file(&path, &templates::starter("x")).unwrap_err();
        assert!(matches!(err, StorageError::AlreadyExists { .. }));
        assert_eq!(fs::read_to_string(&path).expect("read"), "keep me");
    }

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

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_plan() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bom.ron");
        let plan = templates::starter("bom");
        let mut bytes = "\u{feff}".as_bytes().to_vec();
        bytes.extend(plan_to_ron(&plan).into_bytes());
        fs::write(&path, &bytes).expect("written");
        assert_eq!(load_plan(&path).expect("loaded"), plan);

        fs::write(&path, "\u{feff}Plan(version: 1, nmae: \"x\")").expect("written");
        let StorageError::Format(error) = load_plan(&path).unwrap_err() else {
            panic!("expected a format error")
        };
        assert_eq!(
            error.position(),
            TextPosition {
                line: 1,
                column: 18
            }
        );
    }

    #[test]
    fn invalid_utf8_is_located() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bad.ron");
        fs::write(&path, b"Plan(\n  name: \"\xff\"").expect("written");
        let err = load_plan(&path).unwrap_err();
        let StorageError::Format(format) = err else {
            panic!("expected a format error, got {err}")
        };
        assert_eq!(
            format.position(),
            TextPosition {
                line: 2,
                column: 10
            }
        );
    }

    #[test]
    fn recovery_round_trips_with_its_origin_and_is_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let recovery = dir.path().join("state").join("recovery.ron");
        assert_eq!(read_recovery(&recovery).expect("no file is fine"), None);
        let plan = templates::starter("shop");
        let origin = dir.path().join("shop.ron");
        write_recovery(&recovery, &plan, Some(&origin)).expect("written");
        let found = read_recovery(&recovery).expect("read").expect("present");
        assert_eq!(found.plan, plan);
        assert_eq!(found.origin.as_deref(), Some(origin.as_path()));
        write_recovery(&recovery, &plan, None).expect("written");
        assert_eq!(
            read_recovery(&recovery)
                .expect("read")
                .expect("present")
                .origin,
            None
        );
        remove_recovery(&recovery).expect("removed");
        remove_recovery(&recovery).expect("removing twice is fine");
        assert!(!recovery.exists());
    }
}
