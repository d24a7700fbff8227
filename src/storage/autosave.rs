//! The app's autosave: a recovery file holding unsaved work, and the file it belongs to.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{StorageError, load_plan, write_atomically};
use crate::plan::{Plan, plan_to_ron};

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
