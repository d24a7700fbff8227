//! The last line of defence between generated names and the file system: a generated path must stay
//! inside the output folder, be a name every platform can hold, and never pass through a link.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::StorageError;

/// The longest file or folder name common file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;
/// The longest path Linux accepts, in bytes.
const MAX_PATH_BYTES: usize = 4096;

/// Device names Windows reserves in every folder, whatever the extension and case.
const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Checks a generated path (relative to the output folder, `/` between folders) before anything is
/// written: no `..`, not absolute, no empty part, no part longer than 255 bytes, at most 4096 bytes in
/// all, and no part that Windows reserves for a device (`con`, `nul.yml`, `LPT1.md`…).
pub(super) fn check_generated_path(relative: &str) -> Result<(), StorageError> {
    let refuse = |reason: String| {
        Err(StorageError::UnsafePath {
            path: PathBuf::from(relative),
            reason,
        })
    };
    let path = Path::new(relative);
    if relative.is_empty()
        || path.is_absolute()
        || path
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
    {
        return refuse("generated paths must stay inside the output folder".to_owned());
    }
    if relative.len() > MAX_PATH_BYTES {
        return refuse(format!(
            "the path is longer than {MAX_PATH_BYTES} bytes ({})",
            relative.len()
        ));
    }
    for name in relative.split('/') {
        if name.is_empty() {
            return refuse("the path has an empty folder name".to_owned());
        }
        if name.len() > MAX_NAME_BYTES {
            return refuse(format!(
                "a name in the path is longer than {MAX_NAME_BYTES} bytes ({})",
                name.len()
            ));
        }
        if is_windows_device(name) {
            return refuse(format!(
                "`{name}` is a device name on Windows, where no file can have it"
            ));
        }
    }
    Ok(())
}

/// Whether Windows reads `name` as a device: the part before the first dot, without trailing spaces,
/// is a reserved name in any case.
fn is_windows_device(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    WINDOWS_DEVICES
        .iter()
        .any(|device| stem.eq_ignore_ascii_case(device))
}

/// Walks `relative` under `dir` without following anything: refuses a symbolic link at any existing
/// part (it could lead out of the folder) and a file where a folder is needed. Returns what the last
/// part is, or `None` if it (or a folder above it) does not exist yet.
pub(super) fn refuse_links(
    dir: &Path,
    relative: &str,
) -> Result<Option<fs::FileType>, StorageError> {
    let names: Vec<&str> = relative.split('/').filter(|n| !n.is_empty()).collect();
    let mut path = dir.to_path_buf();
    let mut last = None;
    for (index, name) in names.iter().enumerate() {
        path.push(name);
        let metadata = match fs::symlink_metadata(&path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(StorageError::Io { path, source }),
        };
        let kind = metadata.file_type();
        if kind.is_symlink() {
            return Err(StorageError::Symlink { path });
        }
        if index + 1 < names.len() && !kind.is_dir() {
            return Err(StorageError::UnsafePath {
                path,
                reason: "is a file where the export needs a folder".to_owned(),
            });
        }
        last = Some(kind);
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(relative: &str) -> String {
        match check_generated_path(relative) {
            Err(StorageError::UnsafePath { path, reason }) => {
                assert_eq!(path, Path::new(relative), "the error names the path");
                reason
            }
            other => panic!("{relative}: expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn ordinary_generated_paths_pass() {
        for path in [
            ".github/workflows/shop-release.yml",
            "docs/runbooks/console-hotfix.md",
            "azure-pipelines/environments/connect-setup.sh",
            "a/conn.yml",
            "a/com10.yml",
            "a/lpt.md",
        ] {
            check_generated_path(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        }
    }

    #[test]
    fn paths_outside_the_folder_or_empty_parts_are_refused() {
        for path in ["../x", "a/../../x", "/etc/passwd", "./a", "", "a//b", "a/"] {
            reason(path);
        }
    }

    #[test]
    fn windows_device_names_are_refused_with_any_extension_and_case() {
        for path in [
            "con",
            "a/CON.yml",
            "a/nul.tar.gz",
            "docs/Aux.md",
            "prn/x.yml",
            "a/com1.yml",
            "a/COM9",
            "a/lpt1.sh",
            "a/Lpt9.yml",
            "a/con .yml",
        ] {
            assert!(reason(path).contains("device name"), "{path}");
        }
    }

    #[test]
    fn over_long_names_and_paths_are_refused() {
        let long_name = "n".repeat(256);
        assert!(reason(&format!("a/{long_name}.yml")).contains("255 bytes"));
        // Multi-byte characters count in bytes: 128 two-byte characters are 256 bytes.
        assert!(reason(&"é".repeat(128)).contains("255 bytes"));
        check_generated_path(&format!("a/{}", "n".repeat(255))).expect("255 bytes is fine");
        let deep = vec!["f".repeat(200); 21].join("/");
        assert!(deep.len() > 4096);
        assert!(reason(&deep).contains("4096 bytes"));
    }
}
