//! The export transaction: every change an export makes to the output folder, as an explicit list of
//! file-system steps behind a journal, so that a crash after any step can be completed or undone.
//!
//! The steps, in order:
//!
//! 0. remove side files (temporaries, backups) of this export's files left over from elsewhere, so
//!    that every side file present once the journal exists is this export's own;
//! 1. write the journal (atomically: a temporary file, flushed, renamed into place, folder flushed):
//!    the folders to create, and for every file its target, the temporary file that will hold its new
//!    text and the backup its old file will be moved to;
//! 2. create the missing folders, shallowest first;
//! 3. stage every new text in its temporary file beside its target, with its mode, flushed to disk;
//! 4. for every file, move the old file (if any) to its backup, then the temporary file to the target;
//!    a file the export removes is only moved to its backup;
//! 5. flush the folders, then mark the journal committed (atomically): from here on the new set stands;
//! 6. delete the backups, then the journal.
//!
//! The journal is written before anything else changes, so every state a crash can leave is described
//! by it; [`super::recovery`] reads it and finishes step 6 (committed) or undoes steps 2 to 4.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::output::{OutputFile, set_mode};
use super::recovery::{Recovery, recover_export};
use super::{StorageError, sync_dir};

/// The journal's name, in the output folder.
pub(super) const JOURNAL: &str = ".cutover-export.journal";
/// The name the journal is written under before it is renamed into place.
pub(super) const JOURNAL_TEMP: &str = ".cutover-export.journal.cutover-new";
/// How the names of staged new texts end.
pub(super) const NEW_SUFFIX: &str = ".cutover-new";
/// How the names of old files moved aside end.
pub(super) const OLD_SUFFIX: &str = ".cutover-old";
/// The journal format this version writes and reads.
pub(super) const JOURNAL_FORMAT: u32 = 1;
/// The longest file name the side files may have, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// What an export is about to do, written before it does anything. Paths are relative to the output
/// folder, with `/`, so the record survives the folder being moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Journal {
    /// [`JOURNAL_FORMAT`].
    pub format: u32,
    /// Whether every new file is in place: recovery then completes the export, else undoes it.
    pub committed: bool,
    /// The folders the export creates, shallowest first.
    pub folders: Vec<String>,
    /// Every file the export writes or removes.
    pub files: Vec<JournalFile>,
}

/// One file of a [`Journal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct JournalFile {
    /// The file.
    pub target: String,
    /// Where its new text is staged; `None` when the export removes the file.
    pub temp: Option<String>,
    /// Where its old file is moved until the export commits; `None` when there is no old file.
    pub backup: Option<String>,
}

/// One file-system operation of a [`Transaction`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// Remove stray side files of this export's files, before anything refers to them.
    ClearLeftovers,
    /// Write the uncommitted journal, atomically.
    WriteJournal,
    /// Create `folders[i]`.
    CreateFolder(usize),
    /// Write and flush the new text of `files[i]` to its temporary file.
    Stage(usize),
    /// Move `files[i]`'s old file to its backup.
    MoveAside(usize),
    /// Move `files[i]`'s temporary file to its target.
    Install(usize),
    /// Flush a folder (relative; empty for the output folder), so the renames in it survive a power cut.
    SyncFolder(String),
    /// Rewrite the journal as committed, atomically.
    Commit,
    /// Delete `files[i]`'s backup.
    RemoveBackup(usize),
    /// Delete the journal.
    RemoveJournal,
}

/// An export into one folder, planned as a journal and the steps that carry it out.
pub(super) struct Transaction<'a> {
    dir: &'a Path,
    journal: Journal,
    /// The new file for each of `journal.files`; `None` for a removal.
    new: Vec<Option<&'a OutputFile>>,
    steps: Vec<Step>,
}

impl<'a> Transaction<'a> {
    /// Plans writing `writes` (each with whether its target exists now) and removing `removals` in
    /// `dir`. The paths must already be checked: safe, and free of links.
    pub(super) fn plan(
        dir: &'a Path,
        writes: &[(&'a OutputFile, bool)],
        removals: &[String],
    ) -> Result<Self, StorageError> {
        let mut folders: Vec<String> = Vec::new();
        for (file, _) in writes {
            let mut prefix = String::new();
            let parts: Vec<&str> = file.path.split('/').collect();
            for part in &parts[..parts.len() - 1] {
                if !prefix.is_empty() {
                    prefix.push('/');
                }
                prefix.push_str(part);
                if folders.contains(&prefix) {
                    continue;
                }
                let path = dir.join(&prefix);
                match fs::symlink_metadata(&path) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::NotFound => folders.push(prefix.clone()),
                    Err(source) => return Err(StorageError::Io { path, source }),
                }
            }
        }
        let mut files = Vec::new();
        let mut new = Vec::new();
        for (file, exists) in writes {
            let index = files.len();
            files.push(JournalFile {
                target: file.path.clone(),
                temp: Some(side_path(&file.path, index, NEW_SUFFIX)),
                backup: exists.then(|| side_path(&file.path, index, OLD_SUFFIX)),
            });
            new.push(Some(*file));
        }
        for target in removals {
            let index = files.len();
            files.push(JournalFile {
                target: target.clone(),
                temp: None,
                backup: Some(side_path(target, index, OLD_SUFFIX)),
            });
            new.push(None);
        }

        let mut steps = vec![Step::ClearLeftovers, Step::WriteJournal];
        steps.extend((0..folders.len()).map(Step::CreateFolder));
        for (index, file) in files.iter().enumerate() {
            if file.temp.is_some() {
                steps.push(Step::Stage(index));
            }
        }
        let mut touched: Vec<String> = Vec::new();
        for (index, file) in files.iter().enumerate() {
            if file.backup.is_some() {
                steps.push(Step::MoveAside(index));
            }
            if file.temp.is_some() {
                steps.push(Step::Install(index));
            }
            let folder = parent_of(&file.target).to_owned();
            if !touched.contains(&folder) {
                touched.push(folder);
            }
        }
        steps.extend(touched.into_iter().map(Step::SyncFolder));
        steps.push(Step::Commit);
        for (index, file) in files.iter().enumerate() {
            if file.backup.is_some() {
                steps.push(Step::RemoveBackup(index));
            }
        }
        steps.push(Step::RemoveJournal);
        Ok(Self {
            dir,
            journal: Journal {
                format: JOURNAL_FORMAT,
                committed: false,
                folders,
                files,
            },
            new,
            steps,
        })
    }

    /// The steps, in the order [`Transaction::run`] takes them.
    #[cfg(test)]
    pub(super) fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Takes every step. If one fails, the export is undone at once (or, if it had committed,
    /// completed) by [`recover_export`], and the error returned unless the export was completed.
    /// Should even recovery fail, the journal stays, and the next export recovers.
    pub(super) fn run(&self) -> Result<(), StorageError> {
        self.run_with(&|step| self.take(step))
    }

    /// [`Transaction::run`], taking each step with `take`.
    fn run_with(
        &self,
        take: &dyn Fn(&Step) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let Err(error) = self.steps.iter().try_for_each(take) else {
            return Ok(());
        };
        match recover_export(self.dir) {
            Ok(Some(Recovery::Completed)) => Ok(()),
            _ => Err(error),
        }
    }

    /// Takes one step.
    pub(super) fn take(&self, step: &Step) -> Result<(), StorageError> {
        let path = |relative: &str| self.dir.join(relative);
        let file = |index: usize| &self.journal.files[index];
        let side = |side: &Option<String>| path(side.as_deref().unwrap_or_default());
        match step {
            Step::ClearLeftovers => {
                for file in &self.journal.files {
                    for side in [&file.temp, &file.backup].into_iter().flatten() {
                        remove_if_present(&path(side))?;
                    }
                }
                Ok(())
            }
            Step::WriteJournal => write_journal(self.dir, &self.journal),
            Step::CreateFolder(index) => {
                let folder = path(&self.journal.folders[*index]);
                fs::create_dir(&folder).map_err(|source| StorageError::Io {
                    path: folder,
                    source,
                })
            }
            Step::Stage(index) => {
                let temp = side(&file(*index).temp);
                let Some(new) = self.new[*index] else {
                    return Ok(());
                };
                stage(&temp, new.contents.as_bytes(), new.executable).map_err(|source| {
                    StorageError::Io {
                        path: path(&new.path),
                        source,
                    }
                })
            }
            Step::MoveAside(index) => {
                let target = path(&file(*index).target);
                fs::rename(&target, side(&file(*index).backup)).map_err(|source| StorageError::Io {
                    path: target,
                    source,
                })
            }
            Step::Install(index) => {
                let target = path(&file(*index).target);
                fs::rename(side(&file(*index).temp), &target).map_err(|source| StorageError::Io {
                    path: target,
                    source,
                })
            }
            Step::SyncFolder(folder) => {
                sync_dir(&path(folder));
                Ok(())
            }
            Step::Commit => {
                let committed = Journal {
                    committed: true,
                    ..self.journal.clone()
                };
                write_journal(self.dir, &committed)
            }
            Step::RemoveBackup(index) => remove_if_present(&side(&file(*index).backup)),
            Step::RemoveJournal => {
                remove_if_present(&path(JOURNAL))?;
                sync_dir(self.dir);
                Ok(())
            }
        }
    }
}

/// The folder part of a relative path (empty for a file directly in the output folder).
pub(super) fn parent_of(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The name of a side file (a temporary or a backup) beside `target`: `.NAME` + `suffix`, hidden and
/// recognisable. A name too long for that keeps its start and the file's `index` instead.
fn side_path(target: &str, index: usize, suffix: &str) -> String {
    let (folder, name) = match target.rsplit_once('/') {
        Some((folder, name)) => (Some(folder), name),
        None => (None, target),
    };
    let mut side = format!(".{name}{suffix}");
    if side.len() > MAX_NAME_BYTES {
        let tail = format!("~{index}{suffix}");
        let mut keep = MAX_NAME_BYTES - 1 - tail.len();
        while !name.is_char_boundary(keep) {
            keep -= 1;
        }
        side = format!(".{}{tail}", &name[..keep]);
    }
    match folder {
        Some(folder) => format!("{folder}/{side}"),
        None => side,
    }
}

/// Writes `journal` into `dir` atomically: a temporary file, flushed, renamed over the journal, and the
/// folder flushed, so a crash leaves the old journal (or none) or the new one, never half of one.
pub(super) fn write_journal(dir: &Path, journal: &Journal) -> Result<(), StorageError> {
    let path = dir.join(JOURNAL);
    let temp = dir.join(JOURNAL_TEMP);
    let io_error = |source| StorageError::Io {
        path: path.clone(),
        source,
    };
    let text = serde_json::to_string_pretty(journal)
        .map_err(|e| io_error(io::Error::new(io::ErrorKind::InvalidData, e)))?;
    stage(&temp, text.as_bytes(), false).map_err(io_error)?;
    fs::rename(&temp, &path).map_err(io_error)?;
    sync_dir(dir);
    Ok(())
}

/// Writes `bytes` to a new file at `path`, replacing whatever is there without following it (a link
/// left there is removed, not written through), with its mode, flushed to disk.
fn stage(path: &Path, bytes: &[u8], executable: bool) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    set_mode(&file, executable)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Deletes a file; one that is already gone is fine.
pub(super) fn remove_if_present(path: &Path) -> Result<(), StorageError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StorageError::Io {
            path: PathBuf::from(path),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::BTreeMap;

    /// Every entry under a folder: a file's bytes and whether it is executable, or `None` for a folder.
    type Snapshot = BTreeMap<String, Option<(Vec<u8>, bool)>>;

    fn snapshot(dir: &Path) -> Snapshot {
        let mut found = Snapshot::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(folder) = stack.pop() {
            for entry in fs::read_dir(&folder).expect("listed") {
                let path = entry.expect("entry").path();
                let name = path
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned();
                let metadata = fs::symlink_metadata(&path).expect("metadata");
                if metadata.is_dir() {
                    found.insert(name, None);
                    stack.push(path);
                } else {
                    let bytes = fs::read(&path).expect("read");
                    found.insert(name, Some((bytes, executable(&metadata))));
                }
            }
        }
        found
    }

    fn executable(metadata: &fs::Metadata) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            metadata.permissions().mode() & 0o111 != 0
        }
        #[cfg(not(unix))]
        {
            let _ = metadata;
            false
        }
    }

    /// The folder before the export: an unchanged file, a file to change, a generated file to remove,
    /// a file of the user's, and an empty folder.
    fn old_folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("made");
            fs::write(path, text).expect("written");
        };
        write("keep.yml", "same\n");
        write("a/change.yml", "old\n");
        write("a/gone.yml", "# generated, no longer\n");
        write("notes.txt", "mine\n");
        fs::create_dir(dir.path().join("empty")).expect("made");
        dir
    }

    fn output(path: &str, contents: &str, executable: bool) -> OutputFile {
        OutputFile {
            path: path.to_owned(),
            contents: contents.to_owned(),
            executable,
        }
    }

    /// The export: one file changed, two new ones (one a script, in two new folders), one removed.
    fn new_files() -> Vec<OutputFile> {
        vec![
            output("a/change.yml", "new\n", false),
            output("b/c/setup.sh", "echo set up\n", true),
            output("a/added.yml", "added\n", false),
        ]
    }

    fn plan<'a>(dir: &'a Path, files: &'a [OutputFile]) -> Transaction<'a> {
        let writes = [(&files[0], true), (&files[1], false), (&files[2], false)];
        Transaction::plan(dir, &writes, &["a/gone.yml".to_owned()]).expect("planned")
    }

    /// The folder as the old set, the folder as the new set, and the steps with the commit's index.
    fn old_new_and_steps() -> (Snapshot, Snapshot, Vec<Step>, usize) {
        let files = new_files();
        let old = old_folder();
        let before = snapshot(old.path());
        let new = old_folder();
        let transaction = plan(new.path(), &files);
        transaction.run().expect("ran");
        let after = snapshot(new.path());
        assert_ne!(before, after);
        assert!(after.contains_key("b/c/setup.sh") && !after.contains_key("a/gone.yml"));
        let steps = transaction.steps().to_vec();
        let commit = steps
            .iter()
            .position(|s| *s == Step::Commit)
            .expect("commits");
        (before, after, steps, commit)
    }

    #[test]
    fn a_crash_after_any_step_recovers_to_exactly_the_old_or_the_new_set() {
        let (old, new, steps, commit) = old_new_and_steps();
        for crash_after in 0..=steps.len() {
            let files = new_files();
            let dir = old_folder();
            let transaction = plan(dir.path(), &files);
            for step in &transaction.steps()[..crash_after] {
                transaction.take(step).expect("step taken");
            }
            // The crash: nothing else happens until the next run recovers.
            drop(transaction);
            let last = crash_after.checked_sub(1).map(|i| &steps[i]);
            let recovered = recover_export(dir.path()).expect("recovered");
            let (expected, recovery) = if crash_after > commit {
                (&new, Some(Recovery::Completed))
            } else {
                (&old, Some(Recovery::Undone))
            };
            assert_eq!(
                &snapshot(dir.path()),
                expected,
                "crash after {crash_after} steps (the last {last:?})"
            );
            let untouched = crash_after <= 1 || crash_after == steps.len();
            assert_eq!(
                recovered,
                if untouched { None } else { recovery },
                "after {last:?}"
            );
            assert_eq!(recover_export(dir.path()).expect("again"), None);
        }
    }

    #[test]
    fn a_step_that_fails_is_undone_at_once_before_the_commit_and_completed_after_it() {
        let (old, new, steps, commit) = old_new_and_steps();
        for (fail_at, step) in steps.iter().enumerate() {
            let files = new_files();
            let dir = old_folder();
            let transaction = plan(dir.path(), &files);
            let taken = Cell::new(0);
            let result = transaction.run_with(&|step| {
                taken.set(taken.get() + 1);
                if taken.get() - 1 == fail_at {
                    return Err(StorageError::Io {
                        path: PathBuf::from("injected"),
                        source: io::Error::other("injected failure"),
                    });
                }
                transaction.take(step)
            });
            if fail_at > commit {
                result.unwrap_or_else(|e| panic!("{step:?}: {e}"));
                assert_eq!(snapshot(dir.path()), new, "failing {step:?}");
            } else {
                assert!(result.is_err(), "{step:?}");
                assert_eq!(snapshot(dir.path()), old, "failing {step:?}");
            }
        }
    }

    #[test]
    fn leftover_side_files_from_elsewhere_are_not_mistaken_for_backups() {
        let files = new_files();
        let dir = old_folder();
        let before = snapshot(dir.path());
        // A stale backup of a/change.yml: were it taken for this export's, undoing would put it back.
        fs::write(dir.path().join("a/.change.yml.cutover-old"), "stale\n").expect("written");
        let transaction = plan(dir.path(), &files);
        let install = transaction
            .steps()
            .iter()
            .position(|s| matches!(s, Step::MoveAside(_)))
            .expect("moves a file aside");
        for step in &transaction.steps()[..install] {
            transaction.take(step).expect("step taken");
        }
        recover_export(dir.path()).expect("recovered");
        assert_eq!(snapshot(dir.path()), before);
    }

    #[test]
    fn side_files_are_hidden_beside_their_target_and_fit_in_a_name() {
        assert_eq!(
            side_path("a/b/x.yml", 3, NEW_SUFFIX),
            "a/b/.x.yml.cutover-new"
        );
        assert_eq!(side_path("x.yml", 0, OLD_SUFFIX), ".x.yml.cutover-old");
        let long = format!("a/{}", "é".repeat(127));
        let side = side_path(&long, 7, OLD_SUFFIX);
        let name = side.strip_prefix("a/").expect("same folder");
        assert!(name.len() <= MAX_NAME_BYTES, "{}", name.len());
        assert!(
            name.starts_with(".é") && name.ends_with("~7.cutover-old"),
            "{name}"
        );
    }
}
