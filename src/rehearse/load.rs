//! Reads an export folder from disk into a [`Repository`]: the pipeline and setup files a rehearsal
//! runs (`.github/`, `azure-pipelines/`, `cutover/`), hand edits included.

use std::path::Path;

use super::{RehearseError, Repository};

/// The folders of a repository the rehearsal reads.
const FOLDERS: [&str; 3] = [".github", "azure-pipelines", "cutover"];

/// Reads the rehearsal's folders of the repository at `root`.
pub fn read_export(root: &Path) -> Result<Repository, RehearseError> {
    if !root.is_dir() {
        return Err(RehearseError::MissingFile(format!(
            "{} (not a folder)",
            root.display()
        )));
    }
    let mut repo = Repository::default();
    for folder in FOLDERS {
        let dir = root.join(folder);
        if dir.is_dir() {
            read_tree(root, &dir, &mut repo)?;
        }
    }
    Ok(repo)
}

fn read_tree(root: &Path, dir: &Path, repo: &mut Repository) -> Result<(), RehearseError> {
    let error = |e: std::io::Error| RehearseError::Sandbox(format!("{}: {e}", dir.display()));
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(error)?
        .collect::<Result<_, _>>()
        .map_err(error)?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            read_tree(root, &path, repo)?;
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            repo.insert(&relative, &text);
        }
    }
    Ok(())
}
