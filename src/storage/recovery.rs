//! Recovering an interrupted export: the journal it left says whether it had committed; recovery then
//! finishes it (the new set stays) or undoes it (the old set comes back), and removes every temporary,
//! backup and journal file. Recovery is idempotent, so a crash during recovery is recovered the same way.

use std::fs;
use std::io;
use std::path::Path;

use super::StorageError;
use super::paths::{check_generated_path, refuse_links};
use super::sync_dir;
use super::transaction::{
    JOURNAL, JOURNAL_FORMAT, JOURNAL_TEMP, Journal, NEW_SUFFIX, OLD_SUFFIX, parent_of,
    remove_if_present,
};

/// What recovering an interrupted export did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// The export had committed: its leftovers are removed, and the folder holds its new files.
    Completed,
    /// The export had not committed: its changes are undone, and the folder holds the old files.
    Undone,
}

/// Completes or undoes an export into `dir` that was interrupted (killed, or the machine lost power),
/// so that `dir` holds the complete old set of generated files or the complete new one, and no
/// temporary, backup or journal file. Returns `None` when no export was interrupted there.
///
/// Refuses, changing nothing, a journal that cannot be read or that names paths outside `dir` or
/// through a symbolic link.
pub fn recover_export(dir: &Path) -> Result<Option<Recovery>, StorageError> {
    let journal_path = dir.join(JOURNAL);
    let journal_error = |reason: String| StorageError::Journal {
        path: journal_path.clone(),
        reason,
    };
    let text = match refuse_links(dir, JOURNAL)? {
        None => {
            // Killed while writing the journal, before anything else changed: only its temporary
            // file is left.
            if fs::symlink_metadata(dir.join(JOURNAL_TEMP)).is_ok() {
                remove_if_present(&dir.join(JOURNAL_TEMP))?;
                return Ok(Some(Recovery::Undone));
            }
            return Ok(None);
        }
        Some(kind) if !kind.is_file() => {
            return Err(journal_error("is not a file".to_owned()));
        }
        Some(_) => fs::read_to_string(&journal_path).map_err(|source| StorageError::Io {
            path: journal_path.clone(),
            source,
        })?,
    };
    let journal: Journal =
        serde_json::from_str(&text).map_err(|e| journal_error(format!("cannot be read ({e})")))?;
    if journal.format != JOURNAL_FORMAT {
        return Err(journal_error(format!(
            "was written in format {} by another version of Cutover; this one reads format {JOURNAL_FORMAT}",
            journal.format
        )));
    }
    check_journal(dir, &journal)?;
    let recovery = if journal.committed {
        finish(dir, &journal)?;
        Recovery::Completed
    } else {
        undo(dir, &journal)?;
        Recovery::Undone
    };
    remove_if_present(&dir.join(JOURNAL_TEMP))?;
    remove_if_present(&journal_path)?;
    sync_dir(dir);
    Ok(Some(recovery))
}

/// Checks that a journal only names safe paths inside `dir`, with no link on the way, and side files
/// that are recognisably the export's own, beside their targets. A journal is read from the folder, so
/// it is not trusted further than that.
fn check_journal(dir: &Path, journal: &Journal) -> Result<(), StorageError> {
    let side_ok = |target: &str, side: &Option<String>, suffix: &str| {
        side.as_deref().is_none_or(|side| {
            let name = side.rsplit('/').next().unwrap_or(side);
            parent_of(side) == parent_of(target)
                && name.starts_with('.')
                && name.ends_with(suffix)
                && check_generated_path(side).is_ok()
        })
    };
    for folder in &journal.folders {
        check_generated_path(folder)?;
        refuse_links(dir, folder)?;
    }
    for file in &journal.files {
        check_generated_path(&file.target)?;
        refuse_links(dir, &file.target)?;
        if !side_ok(&file.target, &file.temp, NEW_SUFFIX)
            || !side_ok(&file.target, &file.backup, OLD_SUFFIX)
        {
            return Err(StorageError::Journal {
                path: dir.join(JOURNAL),
                reason: format!("names unexpected side files for {}", file.target),
            });
        }
    }
    Ok(())
}

/// The export committed: remove what is left of its backups and temporary files.
fn finish(dir: &Path, journal: &Journal) -> Result<(), StorageError> {
    for file in &journal.files {
        for side in [&file.backup, &file.temp].into_iter().flatten() {
            remove_if_present(&dir.join(side))?;
        }
    }
    Ok(())
}

/// The export did not commit: put every old file back, remove every new file and temporary file, and
/// the folders it created if they are empty again.
fn undo(dir: &Path, journal: &Journal) -> Result<(), StorageError> {
    for file in journal.files.iter().rev() {
        let target = dir.join(&file.target);
        if let Some(temp) = &file.temp {
            remove_if_present(&dir.join(temp))?;
        }
        match &file.backup {
            Some(backup) => {
                let backup = dir.join(backup);
                // No backup means the old file was never moved, so it is still in place.
                if fs::symlink_metadata(&backup).is_ok_and(|m| m.is_file()) {
                    fs::rename(&backup, &target).map_err(|source| StorageError::Io {
                        path: target,
                        source,
                    })?;
                }
            }
            // The target did not exist before; if it does now, the export put it there.
            None => remove_if_present(&target)?,
        }
    }
    for folder in journal.folders.iter().rev() {
        let folder = dir.join(folder);
        // A folder that is gone already is fine, and one that is not empty holds something else now,
        // so it stays.
        if let Err(source) = fs::remove_dir(&folder)
            && source.kind() != io::ErrorKind::NotFound
            && fs::read_dir(&folder).is_ok_and(|mut entries| entries.next().is_none())
        {
            return Err(StorageError::Io {
                path: folder,
                source,
            });
        }
    }
    let mut folders: Vec<&str> = journal.files.iter().map(|f| parent_of(&f.target)).collect();
    folders.dedup();
    for folder in folders {
        sync_dir(&dir.join(folder));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_support::names_in;
    use crate::storage::transaction::{JournalFile, write_journal};

    fn journal(target: &str, temp: Option<&str>, backup: Option<&str>) -> Journal {
        Journal {
            format: JOURNAL_FORMAT,
            committed: false,
            folders: Vec::new(),
            files: vec![JournalFile {
                target: target.to_owned(),
                temp: temp.map(str::to_owned),
                backup: backup.map(str::to_owned),
            }],
        }
    }

    #[test]
    fn a_journal_pointing_outside_the_folder_or_at_other_files_is_refused() {
        let parent = tempfile::tempdir().expect("temp dir");
        let dir = parent.path().join("repo");
        fs::create_dir(&dir).expect("made");
        fs::write(parent.path().join("outside.txt"), "keep").expect("written");
        fs::write(dir.join("notes.txt"), "mine").expect("written");
        for bad in [
            journal("../outside.txt", Some("../.outside.txt.cutover-new"), None),
            // An undone export removes the new targets it created: not the user's notes through a
            // made-up journal whose side files are not the export's own.
            journal("notes.txt", Some("notes.txt"), None),
            journal("x.yml", Some("a/.x.yml.cutover-new"), None),
            journal("x.yml", None, Some(".x.yml.cutover-new")),
        ] {
            write_journal(&dir, &bad).expect("written");
            let error = recover_export(&dir).unwrap_err();
            assert!(
                matches!(
                    error,
                    StorageError::Journal { .. } | StorageError::UnsafePath { .. }
                ),
                "{error}"
            );
            assert_eq!(
                fs::read_to_string(dir.join("notes.txt")).expect("read"),
                "mine"
            );
            assert_eq!(
                fs::read_to_string(parent.path().join("outside.txt")).expect("read"),
                "keep"
            );
        }
        fs::write(dir.join(JOURNAL), "{ not json").expect("written");
        let error = recover_export(&dir).unwrap_err();
        assert!(error.to_string().contains(JOURNAL), "{error}");
        assert_eq!(names_in(&dir), [JOURNAL, "notes.txt"]);
    }

    #[test]
    fn a_kill_while_the_journal_was_written_leaves_only_its_temporary_file_which_is_removed() {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::write(dir.path().join("notes.txt"), "mine").expect("written");
        fs::write(dir.path().join(JOURNAL_TEMP), "{ half a jou").expect("written");
        assert_eq!(
            recover_export(dir.path()).expect("recovered"),
            Some(Recovery::Undone)
        );
        assert_eq!(names_in(dir.path()), ["notes.txt"]);
        assert_eq!(recover_export(dir.path()).expect("nothing to do"), None);
    }
}
