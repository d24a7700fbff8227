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
    Ok(parse_plan(&text, &name)?)
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
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp_path = path.with_file_name(temp_name);
    let result = (|| {
        let mut file = fs::File::create(&temp_path)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp_path, path)
    })();
    if result.is_err() {
        // The temporary file is ours and useless now; failing to remove it changes nothing for the user.
        fs::remove_file(&temp_path).ok();
    }
    result.map_err(io_error)
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

    #[test]
    fn save_then_load_gives_the_same_plan_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plan.ron");
        let plan = templates::starter("shop");
        save_plan(&path, &plan).expect("saved");
        save_plan(&path, &plan).expect("saved over");
        assert_eq!(load_plan(&path).expect("loaded"), plan);
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("listed")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("plan.ron")]);
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
