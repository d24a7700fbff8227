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

/// The recovery file of one plan beside `base` (the app's recovery path, `…/recovery.ron`): one
/// file per plan file, so two windows on two plans never overwrite each other's unsaved work; a
/// plan never saved gets a file of its own window (`session`, unique to the running app).
pub fn recovery_file(base: &Path, plan: Option<&Path>, session: &str) -> PathBuf {
    use std::hash::{Hash as _, Hasher as _};
    let stem = base.file_stem().map_or_else(
        || "recovery".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let name = match plan {
        Some(plan) => {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            plan.hash(&mut hasher);
            let file = plan
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let file: String = file
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .take(40)
                .collect();
            format!("{stem}-{file}-{:016x}.ron", hasher.finish())
        }
        None => format!("{stem}-unsaved-{session}.ron"),
    };
    base.with_file_name(name)
}

/// What the recovery files beside a recovery path hold.
#[derive(Debug, Default)]
pub struct Recoveries {
    /// The readable ones, newest first: each file and the plan it holds.
    pub found: Vec<(PathBuf, Recovered)>,
    /// The ones that exist but cannot be read or parsed (left in place, for the user to rescue).
    pub unreadable: Vec<(PathBuf, StorageError)>,
}

/// Every recovery file beside `base` (the app's recovery path, and the per-plan files
/// [`recovery_file`] names), newest first, with what each holds.
pub fn find_recoveries(base: &Path) -> Recoveries {
    let mut recoveries = Recoveries::default();
    let Some(folder) = base.parent() else {
        return recoveries;
    };
    let stem = base.file_stem().map_or_else(
        || "recovery".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let Ok(entries) = fs::read_dir(folder) else {
        return recoveries;
    };
    let mut found: Vec<(std::time::SystemTime, PathBuf, Recovered)> = Vec::new();
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ours = name.ends_with(".ron")
            && (name == format!("{stem}.ron") || name.starts_with(&format!("{stem}-")));
        if !ours {
            continue;
        }
        match read_recovery(&path) {
            Ok(Some(recovered)) => {
                let modified = fs::metadata(&path)
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
                found.push((modified, path, recovered));
            }
            Ok(None) => {}
            Err(error) => recoveries.unreadable.push((path, error)),
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    recoveries.found = found.into_iter().map(|(_, path, r)| (path, r)).collect();
    recoveries
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

    #[test]
    fn each_plan_has_its_own_recovery_file_and_all_are_found() {
        let dir = tempfile::tempdir().expect("temp dir");
        let base = dir.path().join("state").join("recovery.ron");
        let (a, b) = (dir.path().join("a.ron"), dir.path().join("b.ron"));
        let (file_a, file_b) = (
            recovery_file(&base, Some(&a), "1"),
            recovery_file(&base, Some(&b), "1"),
        );
        assert_ne!(file_a, file_b);
        assert_eq!(file_a, recovery_file(&base, Some(&a), "2"));
        assert_ne!(
            recovery_file(&base, None, "1"),
            recovery_file(&base, None, "2")
        );
        let plan = templates::starter("shop");
        write_recovery(&file_a, &plan, Some(&a)).expect("written");
        write_recovery(&file_b, &plan, Some(&b)).expect("written");
        std::fs::write(base.with_file_name("unrelated.ron"), "()").expect("written");
        std::fs::write(base.with_file_name("recovery-broken.ron"), "(").expect("written");
        let recoveries = find_recoveries(&base);
        let mut origins: Vec<_> = recoveries
            .found
            .iter()
            .filter_map(|(_, r)| r.origin.clone())
            .collect();
        origins.sort();
        assert_eq!(origins, vec![a, b]);
        assert_eq!(
            recoveries.unreadable.len(),
            1,
            "a broken one is reported, not skipped"
        );
    }
}
