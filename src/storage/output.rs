//! Writing an export: generated files compared with a folder and written into it, all or nothing.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use super::StorageError;
use super::paths::{check_generated_path, refuse_links};
use super::recovery::{Recovery, recover_export};
use super::transaction::{JOURNAL, NEW_SUFFIX, OLD_SUFFIX, Transaction, parent_of};

/// One generated file as storage receives it: where it goes, its text, and whether it is a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Where the file goes, relative to the output folder, with `/` between folders.
    pub path: String,
    /// The whole text.
    pub contents: String,
    /// Whether the file is a script to run: written with mode 0755 on Unix, other files 0644.
    pub executable: bool,
}

impl From<crate::export::GeneratedFile> for OutputFile {
    fn from(file: crate::export::GeneratedFile) -> Self {
        Self {
            executable: file.kind.executable(),
            path: file.path,
            contents: file.contents,
        }
    }
}

/// What writing an export would do to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    /// The file does not exist yet.
    Created,
    /// The file exists with other contents (or, on Unix, without the executable bit it should have, or
    /// with one it should not have). Contents that differ only in CRLF versus LF line endings are the
    /// same.
    Changed,
    /// The file exists with these contents.
    Unchanged,
}

/// Which existing files belong to the export, so that the ones it no longer produces (a renamed
/// runbook's pipeline, say) are found and removed. The caller supplies the test, because the header
/// that marks a generated file belongs to the emitters.
#[derive(Clone, Copy)]
pub struct Ownership<'a> {
    /// Folders (relative to the output folder, `/` between parts) searched, with their subfolders,
    /// for stray files, besides the folders the export's own files are in. The output folder itself
    /// is never searched.
    pub folders: &'a [&'a str],
    /// Whether a file belongs to this export, given the start of its text (its first kilobyte, read
    /// as UTF-8 with any invalid bytes replaced).
    pub owns: &'a dyn Fn(&str) -> bool,
}

impl Ownership<'static> {
    /// Claims no file, so nothing is ever stray.
    pub const NONE: Self = Self {
        folders: &[],
        owns: &owns_nothing,
    };
}

impl std::fmt::Debug for Ownership<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ownership")
            .field("folders", &self.folders)
            .finish_non_exhaustive()
    }
}

fn owns_nothing(_: &str) -> bool {
    false
}

/// How much of a file the ownership test sees.
const HEAD_BYTES: u64 = 1024;

/// What [`check_export`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportCheck {
    /// An interrupted export that was completed or undone first, if there was one.
    pub recovered: Option<Recovery>,
    /// For each generated file, in order, what writing it would do.
    pub statuses: Vec<FileStatus>,
    /// Generated files the export no longer produces, which writing it would remove (relative paths,
    /// sorted).
    pub strays: Vec<String>,
}

/// What [`write_export`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// An interrupted export that was completed or undone first, if there was one.
    pub recovered: Option<Recovery>,
    /// For each generated file, in order, what happened to it.
    pub statuses: Vec<FileStatus>,
    /// The stray generated files removed (relative paths, sorted).
    pub removed: Vec<String>,
}

/// Compares generated files (paths relative to `dir`) with what `dir` holds, after completing or
/// undoing an interrupted export there (the one change it may make). Refuses paths that are not safe
/// to write, and symbolic links, as [`write_export`] does; finds stray files as it does.
pub fn check_export(
    dir: &Path,
    files: &[OutputFile],
    ownership: &Ownership,
) -> Result<ExportCheck, StorageError> {
    check_paths(files)?;
    let recovered = recover_export(dir)?;
    Ok(ExportCheck {
        recovered,
        statuses: statuses(dir, files)?,
        strays: strays(dir, files, ownership)?,
    })
}

/// Writes generated files under `dir`, all or nothing, and safe to kill at any moment.
///
/// An interrupted earlier export is completed or undone first ([`recover_export`]). Then a journal
/// listing every change is written, the missing folders are created, every new text is staged and
/// flushed beside its target, the old files are moved aside and the new ones renamed into place, and
/// only then is the journal marked committed and the old files deleted. If a step fails, everything is
/// undone at once; if the process is killed, the next export (or `--check`) completes or undoes it.
/// Either way `dir` ends up with the complete old set or the complete new set, no temporary file and
/// no folder the export created in vain. Unchanged files are not touched. Scripts are written with mode
/// 0755 and the rest 0644 (Unix).
///
/// Stray files are removed in the same transaction (so an undone export puts them back): files under
/// the folders the export writes to and `ownership.folders`, that `ownership.owns` claims, but that
/// are not among `files`. Links are never followed, read or removed there.
///
/// Generated paths are checked first, and nothing is written if one is unsafe: it must stay inside
/// `dir` (relative, no `..`), have no part longer than 255 bytes nor be longer than 4096 bytes, no
/// part may be a Windows device name (`con`, `nul.yml`…), and no two paths may differ only in case.
/// Nor is anything written, or read, through a symbolic link: a link at any part of a generated path
/// (a linked `.github` or `.github/workflows`, or a linked file) is refused, because it could lead out
/// of `dir`.
pub fn write_export(
    dir: &Path,
    files: &[OutputFile],
    ownership: &Ownership,
) -> Result<ExportReport, StorageError> {
    check_paths(files)?;
    let recovered = recover_export(dir)?;
    let statuses = statuses(dir, files)?;
    let removed = strays(dir, files, ownership)?;
    let writes: Vec<(&OutputFile, bool)> = files
        .iter()
        .zip(&statuses)
        .filter(|(_, status)| **status != FileStatus::Unchanged)
        .map(|(file, status)| (file, *status == FileStatus::Changed))
        .collect();
    if writes.is_empty() && removed.is_empty() {
        return Ok(ExportReport {
            recovered,
            statuses,
            removed,
        });
    }
    let created = create_output_folder(dir)?;
    let result =
        Transaction::plan(dir, &writes, &removed).and_then(|transaction| transaction.run());
    if result.is_err() {
        for folder in created.iter().rev() {
            fs::remove_dir(folder).ok();
        }
    }
    result.map(|()| ExportReport {
        recovered,
        statuses,
        removed,
    })
}

/// Checks every generated path, and that no two name the same file on a case-insensitive file system.
fn check_paths(files: &[OutputFile]) -> Result<(), StorageError> {
    let mut seen = std::collections::HashSet::new();
    for file in files {
        check_generated_path(&file.path)?;
        if !seen.insert(file.path.to_lowercase()) {
            return Err(StorageError::UnsafePath {
                path: PathBuf::from(&file.path),
                reason: "the export names this file twice (perhaps in another case, which \
                         Windows and macOS cannot tell apart)"
                    .to_owned(),
            });
        }
    }
    Ok(())
}

/// What writing each file into `dir` would do, refusing links and folders where files go.
fn statuses(dir: &Path, files: &[OutputFile]) -> Result<Vec<FileStatus>, StorageError> {
    for file in files {
        if refuse_links(dir, &file.path)?.is_some_and(|kind| kind.is_dir()) {
            return Err(StorageError::UnsafePath {
                path: dir.join(&file.path),
                reason: "is a folder where the export writes a file".to_owned(),
            });
        }
    }
    files.iter().map(|file| status_of(dir, file)).collect()
}

/// The stray generated files in `dir`: see [`write_export`]. Only names the export could have written
/// count (see [`check_generated_path`]); the export's own side files and journal never do.
fn strays(
    dir: &Path,
    files: &[OutputFile],
    ownership: &Ownership,
) -> Result<Vec<String>, StorageError> {
    let wanted: HashSet<String> = files.iter().map(|f| f.path.to_lowercase()).collect();
    let mut roots: BTreeSet<&str> = ownership
        .folders
        .iter()
        .map(|folder| folder.trim_matches('/'))
        .collect();
    roots.extend(files.iter().map(|f| parent_of(&f.path)));
    roots.remove("");
    let mut found = BTreeSet::new();
    for root in roots {
        check_generated_path(root)?;
        if !refuse_links(dir, root)?.is_some_and(|kind| kind.is_dir()) {
            continue;
        }
        let mut pending = vec![root.to_owned()];
        while let Some(folder) = pending.pop() {
            let path = dir.join(&folder);
            let io_error = |source| StorageError::Io {
                path: path.clone(),
                source,
            };
            for entry in fs::read_dir(&path).map_err(io_error)? {
                let entry = entry.map_err(io_error)?;
                let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let relative = format!("{folder}/{name}");
                let kind = entry.file_type().map_err(io_error)?;
                if kind.is_dir() {
                    pending.push(relative);
                } else if kind.is_file()
                    && !is_side_file(&name)
                    && !wanted.contains(&relative.to_lowercase())
                    && check_generated_path(&relative).is_ok()
                    && (ownership.owns)(&head_of(&dir.join(&relative))?)
                {
                    found.insert(relative);
                }
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Whether `name` is one of the export's temporary, backup or journal files.
fn is_side_file(name: &str) -> bool {
    name.starts_with('.')
        && (name.ends_with(NEW_SUFFIX) || name.ends_with(OLD_SUFFIX) || name == JOURNAL)
}

/// The first kilobyte of a file, as text.
fn head_of(path: &Path) -> Result<String, StorageError> {
    let mut head = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(HEAD_BYTES).read_to_end(&mut head))
        .map_err(|source| StorageError::Io {
            path: path.to_owned(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&head).into_owned())
}

/// Creates the output folder if it is missing, and returns the folders created, outermost first, so
/// that a failed export can remove them again.
fn create_output_folder(dir: &Path) -> Result<Vec<PathBuf>, StorageError> {
    let mut missing = Vec::new();
    let mut next = Some(dir);
    while let Some(folder) =
        next.filter(|f| !f.as_os_str().is_empty() && fs::symlink_metadata(f).is_err())
    {
        missing.push(folder.to_path_buf());
        next = folder.parent();
    }
    missing.reverse();
    for folder in &missing {
        if let Err(source) = fs::create_dir(folder)
            && source.kind() != io::ErrorKind::AlreadyExists
        {
            return Err(StorageError::Io {
                path: folder.clone(),
                source,
            });
        }
    }
    Ok(missing)
}

/// What writing `file` into `dir` would do.
fn status_of(dir: &Path, file: &OutputFile) -> Result<FileStatus, StorageError> {
    let path = dir.join(&file.path);
    let io_error = |source| StorageError::Io {
        path: path.clone(),
        source,
    };
    let existing = match fs::read(&path) {
        Ok(existing) => existing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(FileStatus::Created),
        Err(e) => return Err(io_error(e)),
    };
    let metadata = fs::metadata(&path).map_err(io_error)?;
    Ok(
        if same_text(&existing, file.contents.as_bytes())
            && mode_matches(&metadata, file.executable)
        {
            FileStatus::Unchanged
        } else {
            FileStatus::Changed
        },
    )
}

/// Whether two texts are the same apart from CRLF versus LF line endings: a Windows checkout
/// (`core.autocrlf`) turns every LF into CRLF, and that is not drift.
fn same_text(a: &[u8], b: &[u8]) -> bool {
    a == b || lf_endings(a).eq(lf_endings(b))
}

/// The bytes of `text` with every CRLF as LF.
fn lf_endings(text: &[u8]) -> impl Iterator<Item = u8> + '_ {
    text.iter()
        .enumerate()
        .filter(|&(i, &byte)| !(byte == b'\r' && text.get(i + 1) == Some(&b'\n')))
        .map(|(_, &byte)| byte)
}

/// Whether a file's executable bit is as wanted; always true where files have no such bit.
fn mode_matches(metadata: &fs::Metadata, executable: bool) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        (metadata.permissions().mode() & 0o100 != 0) == executable
    }
    #[cfg(not(unix))]
    {
        let _ = (metadata, executable);
        true
    }
}

/// Gives a file being written the mode its kind calls for: 0755 for scripts, 0644 for the rest. Set
/// explicitly rather than left to the umask, so the result is the same on every machine.
pub(super) fn set_mode(file: &fs::File, executable: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = if executable { 0o755 } else { 0o644 };
        file.set_permissions(fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, executable);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::test_support::names_in;

    /// Files given as (path, text) pairs, for callers that do not say which files are programs: a file
    /// keeps the executable bit it has in `dir`, and a new one is not executable.
    fn from_pairs(dir: &Path, files: &[(String, String)]) -> Vec<OutputFile> {
        files
            .iter()
            .map(|(path, contents)| OutputFile {
                path: path.clone(),
                contents: contents.clone(),
                executable: fs::symlink_metadata(dir.join(path))
                    .is_ok_and(|metadata| metadata.is_file() && !mode_matches(&metadata, false)),
            })
            .collect()
    }

    /// [`write_export`] for (path, text) pairs, removing no stray files; each file keeps its current
    /// mode, and new ones are not executable.
    fn write_files(
        dir: &Path,
        files: &[(String, String)],
    ) -> Result<Vec<FileStatus>, StorageError> {
        write_export(dir, &from_pairs(dir, files), &Ownership::NONE).map(|report| report.statuses)
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
        // "blocker" is a file, so nothing can be created beneath it.
        fs::write(dir.path().join("blocker"), "").expect("written");
        let files = vec![
            ("new/deep/a.txt".to_owned(), "a".to_owned()),
            ("keep.txt".to_owned(), "new".to_owned()),
            ("blocker/x.txt".to_owned(), "x".to_owned()),
        ];
        assert!(write_files(dir.path(), &files).is_err());
        // No folder created for new/deep/a.txt is left behind.
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
    fn one_unsafe_name_refuses_the_whole_export() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = |path: &str| OutputFile {
            path: path.to_owned(),
            contents: "x".to_owned(),
            executable: false,
        };
        let long = format!("a/{}.yml", "n".repeat(300));
        for bad in ["a/nul.yml", "a/COM1.md", long.as_str(), "a/OK.yml"] {
            let files = [file("a/ok.yml"), file(bad)];
            for error in [
                write_export(dir.path(), &files, &Ownership::NONE).unwrap_err(),
                check_export(dir.path(), &files, &Ownership::NONE).unwrap_err(),
            ] {
                let StorageError::UnsafePath { path, .. } = &error else {
                    panic!("{bad}: expected a refusal, got {error}")
                };
                assert_eq!(path, Path::new(bad));
            }
            assert!(names_in(dir.path()).is_empty(), "nothing was written");
        }
    }

    #[cfg(unix)]
    #[test]
    fn scripts_are_written_executable_and_other_files_not() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let mode = |name: &str| {
            fs::metadata(dir.path().join(name))
                .expect("written")
                .permissions()
                .mode()
                & 0o777
        };
        let file = |path: &str, executable| OutputFile {
            path: path.to_owned(),
            contents: "echo hi\n".to_owned(),
            executable,
        };
        let files = [file("setup.sh", true), file("a/pipeline.yml", false)];
        write_export(dir.path(), &files, &Ownership::NONE).expect("written");
        assert_eq!((mode("setup.sh"), mode("a/pipeline.yml")), (0o755, 0o644));
        assert_eq!(
            check_export(dir.path(), &files, &Ownership::NONE)
                .expect("compared")
                .statuses,
            [FileStatus::Unchanged, FileStatus::Unchanged]
        );

        // A script that lost its executable bit (say, written by an older Cutover) is out of date,
        // and writing fixes it.
        fs::set_permissions(
            dir.path().join("setup.sh"),
            fs::Permissions::from_mode(0o644),
        )
        .expect("chmod");
        assert_eq!(
            write_export(dir.path(), &files, &Ownership::NONE)
                .expect("written")
                .statuses,
            [FileStatus::Changed, FileStatus::Unchanged]
        );
        assert_eq!(mode("setup.sh"), 0o755);

        // Callers that pass bare (path, text) pairs keep each file's mode.
        let pairs = [("setup.sh".to_owned(), "echo bye\n".to_owned())];
        write_files(dir.path(), &pairs).expect("written");
        assert_eq!(mode("setup.sh"), 0o755);
    }

    /// A folder outside the output folder, and the output folder holding `link` pointing at it; the
    /// export is refused naming the link, and neither folder changes.
    #[cfg(unix)]
    fn assert_link_refused(link: &str, points_to_file: bool) {
        let outside = tempfile::tempdir().expect("temp dir");
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join(".github/workflows")).expect("made");
        let victim = outside.path().join("shop-release.yml");
        fs::write(&victim, "precious").expect("written");
        let link_path = dir.path().join(link);
        if fs::symlink_metadata(&link_path).is_ok_and(|m| m.is_dir()) {
            fs::remove_dir_all(&link_path).expect("removed");
        }
        let pointee = if points_to_file {
            victim.clone()
        } else {
            outside.path().to_path_buf()
        };
        std::os::unix::fs::symlink(&pointee, &link_path).expect("linked");
        let before = names_in(dir.path());
        let files = [OutputFile {
            path: ".github/workflows/shop-release.yml".to_owned(),
            contents: "generated".to_owned(),
            executable: false,
        }];
        for error in [
            write_export(dir.path(), &files, &Ownership::NONE).unwrap_err(),
            check_export(dir.path(), &files, &Ownership::NONE).unwrap_err(),
        ] {
            let StorageError::Symlink { path } = &error else {
                panic!("{link}: expected a link refusal, got {error}")
            };
            assert_eq!(path, &link_path);
            assert!(error.to_string().contains(link), "{error}");
        }
        assert_eq!(fs::read_to_string(&victim).expect("read"), "precious");
        assert_eq!(names_in(outside.path()), ["shop-release.yml"]);
        assert_eq!(names_in(dir.path()), before);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_github_folder_is_refused() {
        assert_link_refused(".github", false);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_workflows_folder_is_refused() {
        assert_link_refused(".github/workflows", false);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_target_file_is_refused() {
        assert_link_refused(".github/workflows/shop-release.yml", true);
    }

    #[test]
    fn crlf_line_endings_are_not_drift_and_are_left_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.yml");
        fs::write(&path, "one\r\ntwo\r\n").expect("written");
        let same = [OutputFile {
            path: "a.yml".to_owned(),
            contents: "one\ntwo\n".to_owned(),
            executable: false,
        }];
        assert_eq!(
            check_export(dir.path(), &same, &Ownership::NONE)
                .expect("compared")
                .statuses,
            [FileStatus::Unchanged]
        );
        write_export(dir.path(), &same, &Ownership::NONE).expect("written");
        assert_eq!(fs::read(&path).expect("read"), b"one\r\ntwo\r\n");
        // A lone CR, or a real change, is still a difference.
        for other in ["one\rtwo\n", "one\ntwo\nthree\n"] {
            let files = [OutputFile {
                contents: other.to_owned(),
                ..same[0].clone()
            }];
            assert_eq!(
                check_export(dir.path(), &files, &Ownership::NONE)
                    .expect("compared")
                    .statuses,
                [FileStatus::Changed],
                "{other:?}"
            );
        }
    }

    #[test]
    fn stray_generated_files_are_reported_removed_and_the_rest_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("made");
            fs::write(path, text).expect("written");
        };
        let ours = "# Generated for shop\nname: x\n";
        write("ci/shop-release.yml", ours);
        write("ci/shop-hotfix-old.yml", ours);
        write("ci/nested/shop-hotfix-older.yml", ours);
        write("ci/hand-written.yml", "name: mine\n");
        write("ci/other-plan.yml", "# Generated for billing\n");
        write("docs/runbooks/old.md", ours);
        write("docs/notes/old.md", ours);
        write("top.yml", ours);
        write("ci/.shop-hotfix-old.yml.cutover-old", ours);
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            dir.path().join("ci/shop-hotfix-old.yml"),
            dir.path().join("ci/linked.yml"),
        )
        .expect("linked");
        let files = [OutputFile {
            path: "ci/shop-release.yml".to_owned(),
            contents: ours.to_owned(),
            executable: false,
        }];
        let owns = |head: &str| head.starts_with("# Generated for shop\n");
        let ownership = Ownership {
            folders: &["docs/runbooks"],
            owns: &owns,
        };
        let expected = [
            "ci/nested/shop-hotfix-older.yml",
            "ci/shop-hotfix-old.yml",
            "docs/runbooks/old.md",
        ];
        let check = check_export(dir.path(), &files, &ownership).expect("compared");
        assert_eq!(check.statuses, [FileStatus::Unchanged]);
        assert_eq!(check.strays, expected);
        let report = write_export(dir.path(), &files, &ownership).expect("written");
        assert_eq!(report.removed, expected);
        for path in expected {
            assert!(!dir.path().join(path).exists(), "{path} removed");
        }
        for kept in [
            "ci/shop-release.yml",
            "ci/hand-written.yml",
            "ci/other-plan.yml",
            "docs/notes/old.md",
            "top.yml",
        ] {
            assert!(dir.path().join(kept).exists(), "{kept} kept");
        }
        assert!(
            check_export(dir.path(), &files, &ownership)
                .expect("compared")
                .strays
                .is_empty()
        );
    }
}
