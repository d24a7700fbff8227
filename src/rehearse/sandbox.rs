//! The rehearsal's sandbox on disk (one of the two places with side effects, with [`super::workers`]):
//! a temporary folder holding a copy of the repository, a `bin` folder first and only on `PATH`
//! (the fake tools as tiny wrappers, and the few real tools scripts may use), the bash prelude that
//! defines the fakes and intercepts plan commands, and per run the job workspaces, artifacts and logs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::Repository;
use super::fakes::{ENV_NAMES, Files};

/// Real tools a step may run besides the fakes. Anything else is "command not found": the plan's
/// own tools (make, dotnet, npm…) never run, and nothing can reach the network.
const REAL_TOOLS: &[&str] = &[
    "bash",
    "sh",
    "env",
    "cat",
    "echo",
    "printf",
    "mktemp",
    "rm",
    "mkdir",
    "cp",
    "mv",
    "ls",
    "awk",
    "sed",
    "grep",
    "tr",
    "head",
    "tail",
    "cut",
    "sort",
    "uniq",
    "wc",
    "basename",
    "dirname",
    "jq",
    "tee",
    "xargs",
    "seq",
    "test",
    "true",
    "false",
    "paste",
    "find",
    "touch",
    "chmod",
    "readlink",
    "realpath",
    "stat",
    "id",
    "whoami",
    "uname",
    "timeout",
    "base64",
    "sha256sum",
    "md5sum",
    "tac",
    "rev",
    "comm",
    "diff",
    "expr",
    "hostname",
    "gzip",
    "tar",
    "unzip",
    "zip",
];

/// The fake tools (each also a bash function in the prelude, which is faster).
pub const FAKE_TOOLS: &[&str] = &[
    "az",
    "kubectl",
    "curl",
    "gh",
    "git",
    "sleep",
    "date",
    "psql",
    "pg_isready",
    "mysql",
    "mysqladmin",
    "sqlcmd",
];

static NEXT_SANDBOX: AtomicU64 = AtomicU64::new(0);

/// A temporary folder removed when dropped.
#[derive(Debug)]
pub struct Sandbox {
    root: PathBuf,
    next: u64,
}

impl Sandbox {
    /// Creates the sandbox: the repository copy (with extra files the plan says a repository has),
    /// `bin` and the prelude.
    pub fn create(repo: &Repository) -> io::Result<Self> {
        // Memory-backed when possible: a rehearsal creates and deletes thousands of small files.
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() && fs::metadata(shm).is_ok_and(|m| !m.permissions().readonly()) {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let root = loop {
            let n = NEXT_SANDBOX.fetch_add(1, Ordering::Relaxed);
            // Every sandbox root of a process has the same length, so a checkpoint's paths can be
            // moved from one sandbox to another by replacing the root.
            let candidate = base.join(format!("cutover-rehearse-{}-{n:05}", std::process::id()));
            match fs::create_dir(&candidate) {
                Ok(()) => break candidate,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        };
        let sandbox = Sandbox { root, next: 0 };
        for (path, text) in repo.files() {
            let target = sandbox.repo().join(path);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(target, text)?;
        }
        fs::create_dir_all(sandbox.repo())?;
        fs::create_dir_all(sandbox.bin())?;
        fs::create_dir_all(sandbox.root.join("home"))?;
        for tool in REAL_TOOLS {
            if let Some(real) = find_real(tool) {
                std::os::unix::fs::symlink(real, sandbox.bin().join(tool))?;
            }
        }
        for tool in FAKE_TOOLS {
            let wrapper = format!(
                "#!{}\n__cutover_call {tool} \"$@\"\n",
                bash_path().display()
            );
            let path = sandbox.bin().join(tool);
            fs::write(&path, wrapper)?;
            set_executable(&path)?;
        }
        fs::write(sandbox.prelude(), prelude())?;
        Ok(sandbox)
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The repository copy.
    pub fn repo(&self) -> PathBuf {
        self.root.join("repo")
    }

    /// The folder first and only on `PATH`.
    pub fn bin(&self) -> PathBuf {
        self.root.join("bin")
    }

    /// The bash prelude (`BASH_ENV`).
    pub fn prelude(&self) -> PathBuf {
        self.root.join("prelude.sh")
    }

    /// A new empty folder for one purpose (`ws`, `artifacts`, `tmp`…).
    pub fn fresh(&mut self, purpose: &str) -> io::Result<PathBuf> {
        self.next += 1;
        let dir = self
            .root
            .join("runs")
            .join(format!("{purpose}-{}", self.next));
        fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    /// The counter of [`Sandbox::fresh`] folders (saved and restored with checkpoints).
    pub fn counter(&self) -> u64 {
        self.next
    }

    /// Sets the counter of [`Sandbox::fresh`] folders.
    pub fn set_counter(&mut self, next: u64) {
        self.next = next;
    }

    /// Removes every run folder (between scenarios), keeping the repository, `bin` and the prelude.
    pub fn clear_runs(&mut self) -> io::Result<()> {
        let runs = self.root.join("runs");
        if runs.exists() {
            fs::remove_dir_all(runs)?;
        }
        Ok(())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn find_real(tool: &str) -> Option<PathBuf> {
    ["/usr/bin", "/bin", "/usr/local/bin"]
        .iter()
        .map(|dir| Path::new(dir).join(tool))
        .find(|p| p.exists())
}

/// The real jq, if installed.
pub fn jq_path() -> Option<PathBuf> {
    find_real("jq")
}

/// The real bash.
pub fn bash_path() -> PathBuf {
    find_real("bash").unwrap_or_else(|| PathBuf::from("/bin/bash"))
}

fn set_executable(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
}

/// The bash prelude every step shell reads: `__cutover_call` (sends a call to the rehearsal over
/// `/dev/tcp` and evaluates the answer), one function per fake tool, and the interceptor that stops
/// `bash -c "$COMMAND"` from running a plan command and reports it instead.
fn prelude() -> String {
    let env_values: String = ENV_NAMES
        .iter()
        .map(|n| format!(" \"${{{n}-}}\""))
        .collect();
    let functions: String = FAKE_TOOLS
        .iter()
        .map(|t| format!("{t}() {{ __cutover_call {t} \"$@\"; }}\n"))
        .collect();
    format!(
        r#"# The Cutover rehearsal's prelude: fake tools and the plan-command interceptor.
__cutover_call() {{
  local __cutover_fd __cutover_reply __cutover_in= __cutover_has_in=0 __cutover_arg
  for __cutover_arg in "$@"; do
    case "$__cutover_arg" in -|@-|*:stdin) __cutover_has_in=1 ;; esac
  done
  if [ "$__cutover_has_in" = 1 ]; then IFS= read -r -d '' __cutover_in || true; fi
  exec {{__cutover_fd}}<>"/dev/tcp/127.0.0.1/${{CUTOVER_PORT:-0}}" || return 125
  printf '%s\0' "${{CUTOVER_TOKEN-}}" "${{CUTOVER_STEP-}}" "$PWD" "$#" "$@"{env_values} "$__cutover_has_in" "$__cutover_in" >&"$__cutover_fd"
  IFS= read -r -d '' __cutover_reply <&"$__cutover_fd" || true
  exec {{__cutover_fd}}>&-
  eval "$__cutover_reply"
}}
{functions}jq() {{
  case " $* " in
    *" -n "*|*" --null-input "*) __cutover_call jq "$@" ;;
    *) __cutover_call jq:stdin "$@" ;;
  esac
}}
if [ -n "${{COMMAND+x}}" ] && [ "${{BASH_EXECUTION_STRING-}}" = "${{COMMAND}}" ]; then
  __cutover_call __plan_command
  exit $?
fi
"#
    )
}

/// Quotes text for bash (single quotes).
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Copies a folder (hard links where possible, as a checkout is read-mostly).
pub fn copy_tree(from: &Path, to: &Path, link: bool) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target, link)?;
        } else if !link || fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The sandbox's files as the fakes see them, confined to the sandbox.
pub struct SandboxFiles<'a> {
    /// The sandbox root; paths outside it are refused.
    pub root: &'a Path,
}

impl SandboxFiles<'_> {
    fn resolve(&self, cwd: &str, path: &str) -> Option<PathBuf> {
        let joined = Path::new(cwd).join(path);
        let mut clean = PathBuf::new();
        for part in joined.components() {
            match part {
                std::path::Component::ParentDir => {
                    clean.pop();
                }
                std::path::Component::CurDir => {}
                other => clean.push(other),
            }
        }
        (clean.starts_with(self.root) || clean.starts_with("/tmp")).then_some(clean)
    }
}

impl Files for SandboxFiles<'_> {
    fn read(&self, cwd: &str, path: &str) -> Option<String> {
        let path = self.resolve(cwd, path)?;
        fs::read(path)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn write(&mut self, cwd: &str, path: &str, contents: &str) -> Result<(), String> {
        let resolved = self
            .resolve(cwd, path)
            .ok_or_else(|| format!("{path} is outside the sandbox"))?;
        fs::write(&resolved, contents).map_err(|e| format!("{path}: {e}"))
    }

    fn list(&self, cwd: &str, dir: &str) -> Option<Vec<(String, String)>> {
        let root = self.resolve(cwd, dir)?;
        if !root.is_dir() {
            return None;
        }
        let mut out = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(folder) = stack.pop() {
            for entry in fs::read_dir(&folder).ok()?.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(relative) = path.strip_prefix(&root) {
                    let contents = fs::read(&path)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    out.push((relative.to_string_lossy().into_owned(), contents));
                }
            }
        }
        out.sort();
        Some(out)
    }
}
