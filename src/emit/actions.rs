//! The GitHub Actions the workflows use, pinned to full commit SHAs (a tag can be moved; a commit
//! cannot), with the version each SHA is in a comment beside it. This table is the only place pins live.
//!
//! Refreshing a pin: fetch the action's repository, list its tags (`git tag | sort -V | tail`), take the
//! newest release of the major version wanted, and read its peeled commit with
//! `git rev-parse 'vX.Y.Z^{commit}'` (`^{commit}` matters for annotated tags, as Azure/login's are).
//! Check the action's `action.yml` at that tag (its `runs.using` must be a Node version GitHub's runners
//! still have: `node24` since Node 20 left them in September 2026), update the row, regenerate the
//! golden exports and run zizmor. A test checks that every pin is a full 40-hex-digit SHA.

/// One action at one pinned commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinnedAction {
    /// `owner/repository`.
    pub name: &'static str,
    /// The release the commit is, for the comment beside the pin.
    pub version: &'static str,
    /// The full commit SHA.
    pub sha: &'static str,
}

impl PinnedAction {
    /// The `uses:` value: the action at its commit.
    pub fn uses(self) -> String {
        format!("{}@{}", self.name, self.sha)
    }
}

/// Checks out the repository.
pub const CHECKOUT: PinnedAction = PinnedAction {
    name: "actions/checkout",
    version: "v5.1.0",
    sha: "fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09",
};

/// Uploads the build artifact.
pub const UPLOAD_ARTIFACT: PinnedAction = PinnedAction {
    name: "actions/upload-artifact",
    version: "v6.0.0",
    sha: "b7c566a772e6b6bfb58ed0dc250532a479d7789f",
};

/// Downloads the build artifact.
pub const DOWNLOAD_ARTIFACT: PinnedAction = PinnedAction {
    name: "actions/download-artifact",
    version: "v7.0.0",
    sha: "37930b1c2abaa49bbe596cd826c3c89aef350131",
};

/// Signs in to Azure with OpenID Connect.
pub const AZURE_LOGIN: PinnedAction = PinnedAction {
    name: "azure/login",
    version: "v3.0.1",
    sha: "f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca",
};

/// Every pinned action.
pub const ALL: [PinnedAction; 4] = [CHECKOUT, UPLOAD_ARTIFACT, DOWNLOAD_ARTIFACT, AZURE_LOGIN];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pin_is_a_full_commit_sha_with_a_version() {
        for action in ALL {
            assert_eq!(action.sha.len(), 40, "{action:?}");
            assert!(
                action
                    .sha
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "{action:?}"
            );
            assert!(action.version.starts_with('v'), "{action:?}");
        }
    }
}
