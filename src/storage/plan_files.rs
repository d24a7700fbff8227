//! Plan files: loading, atomic saving, and creating a new file without overwriting one.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

use super::{StorageError, sync_parent};
use crate::plan::{FormatError, Plan, TextPosition, parse_plan, plan_to_ron};

/// The ending Cutover gives plan files. The desktop file type (`dist/dev.cutover.Cutover.mime.xml`)
/// matches it, so a file manager opens such files in Cutover; a plain `.ron` file still opens.
pub const PLAN_FILE_ENDING: &str = ".cutover.ron";

/// The file name a plan called `plan_name` is first saved under: the name with [`PLAN_FILE_ENDING`].
pub fn plan_file_name(plan_name: &str) -> String {
    format!("{plan_name}{PLAN_FILE_ENDING}")
}

/// The plan name a new file suggests: its file name without [`PLAN_FILE_ENDING`] (or, for another
/// name, without its last extension); `plan` when the path has no file name.
pub fn plan_name_for_file(path: &Path) -> String {
    let Some(file_name) = path.file_name().map(|name| name.to_string_lossy()) else {
        return "plan".to_owned();
    };
    match file_name.strip_suffix(PLAN_FILE_ENDING) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => path.file_stem().map_or_else(
            || "plan".to_owned(),
            |stem| stem.to_string_lossy().into_owned(),
        ),
    }
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
///
/// The text goes to a temporary file beside the target and is flushed to disk; only then is it linked
/// into place, which fails rather than overwrite a file that appeared meanwhile. So a full disk or a
/// crash leaves no empty or partial plan behind, and an existing file is never touched.
pub fn create_plan_file(path: &Path, plan: &Plan) -> Result<(), StorageError> {
    let io_error = |source| StorageError::Io {
        path: path.to_owned(),
        source,
    };
    if fs::symlink_metadata(path).is_ok() {
        return Err(StorageError::AlreadyExists {
            path: path.to_owned(),
        });
    }
    let text = plan_to_ron(plan);
    let temp_path = temp_path_for(path).map_err(io_error)?;
    let linked = write_new(&temp_path, text.as_bytes()).and_then(|()| {
        match fs::hard_link(&temp_path, path) {
            // File systems without hard links (FAT, some network shares): write in place instead;
            // the text has just fitted on this disk, and a failure removes what was written.
            Err(e) if e.kind() != io::ErrorKind::AlreadyExists => write_new(path, text.as_bytes()),
            linked => linked,
        }
    });
    // The temporary file is ours: removed whether or not the link succeeded.
    fs::remove_file(&temp_path).ok();
    match linked {
        Ok(()) => {
            sync_parent(path);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(StorageError::AlreadyExists {
            path: path.to_owned(),
        }),
        Err(e) => Err(io_error(e)),
    }
}

/// Creates `path`, which must not exist, with `bytes`, flushed to disk. On failure the file is removed,
/// so nothing partial stays behind.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if written.is_err() {
        drop(file);
        fs::remove_file(path).ok();
    }
    written
}

/// A fresh temporary name beside `path`: hidden, with the process id and a per-process counter, so
/// two writes at once (an autosave and a save) never share one.
fn temp_path_for(path: &Path) -> io::Result<std::path::PathBuf> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    static TEMPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = TEMPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}-{count}.tmp", std::process::id()));
    Ok(path.with_file_name(temp_name))
}

/// Replaces `path` with `bytes` through a temporary file and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StorageError> {
    let io_error = |source| StorageError::Io {
        path: path.to_owned(),
        source,
    };
    let temp_path = temp_path_for(path).map_err(io_error)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::templates;
    use crate::storage::test_support::names_in;

    #[test]
    fn plan_names_come_from_the_file_name_without_its_ending() {
        let name = |p: &str| plan_name_for_file(Path::new(p));
        assert_eq!(name("plans/claims.cutover.ron"), "claims");
        assert_eq!(name("claims.ron"), "claims");
        assert_eq!(name("claims"), "claims");
        assert_eq!(name(".cutover.ron"), ".cutover");
        assert_eq!(name("/"), "plan");
        assert_eq!(
            plan_file_name("Meridian Claims"),
            "Meridian Claims.cutover.ron"
        );
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
}
