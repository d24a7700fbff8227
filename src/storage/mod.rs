//! The edge where Cutover meets the file system: loading, atomic saving and creating plan files, the
//! app's autosave, and writing exports. One job per file: `plan_files`, `autosave`, `output` (comparing and
//! writing an export), `paths` (which generated paths may be written at all), `transaction` (the
//! journaled steps of an export) and `recovery` (completing or undoing an interrupted one).
//!
//! This is the only module of the core that touches files; everything it reads is handed to the pure
//! parser in [`crate::plan`].

mod autosave;
mod output;
mod paths;
mod plan_files;
mod recovery;
mod transaction;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::plan::FormatError;

pub use autosave::{
    Recovered, Recoveries, find_recoveries, read_recovery, recovery_file, remove_recovery,
    write_recovery,
};
pub use output::{
    ExportCheck, ExportReport, FileStatus, OutputFile, Ownership, check_export, write_export,
};
pub use plan_files::{
    PLAN_FILE_ENDING, create_plan_file, load_plan, plan_file_name, plan_name_for_file, save_plan,
    write_atomically,
};
pub use recovery::{Recovery, recover_export};

/// Why a file could not be loaded, saved or exported.
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
    /// A generated path that is not safe to write: outside the output folder, or a name some platform
    /// cannot hold. Nothing was written.
    #[error("{path}: {reason}; nothing was written")]
    UnsafePath {
        /// The path, as generated (or as found in the output folder).
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A symbolic link where the export would read or write. Links are never followed, because they
    /// could lead out of the output folder.
    #[error(
        "{path}: is a symbolic link; the export does not write through links, which could lead out of the output folder"
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// The journal an interrupted export left in the output folder cannot be used; nothing was
    /// changed. Restore the folder from version control and delete the journal.
    #[error("{path}: {reason}; restore the folder from version control and delete this file")]
    Journal {
        /// The journal.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A new file was asked for where one already exists.
    #[error("{path}: already exists; refusing to overwrite it")]
    AlreadyExists {
        /// The existing file.
        path: PathBuf,
    },
}

/// Flushes the directory holding `path`, so the rename that put it there survives a power cut. Best
/// effort: some platforms cannot open a directory for syncing, and the data itself is already on disk.
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent);
    }
}

/// Flushes a directory, so the renames and removals in it survive a power cut. Best effort, as for
/// [`sync_parent`].
fn sync_dir(dir: &Path) {
    if let Ok(dir) = fs::File::open(dir) {
        dir.sync_all().ok();
    }
}

#[cfg(test)]
mod test_support {
    use std::fs;
    use std::path::Path;

    /// The sorted names of the entries of `dir`.
    pub fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("listed")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}
