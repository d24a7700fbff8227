//! Bash worker processes (the other place with side effects, with [`super::sandbox`]). A worker is a
//! long-lived bash that runs each step it is sent in a forked subshell of its own process group, and
//! reports the subshell's pid and exit status: a fork per step instead of starting bash, so a
//! rehearsal of hundreds of steps stays fast. Steps still run as real bash with the prelude's fakes.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Sender;

use super::sandbox::Sandbox;

/// What the workers and the fake server tell the scheduler.
#[derive(Debug)]
pub enum Message {
    /// A fake tool was called.
    Call(super::server::Request, std::net::TcpStream),
    /// A worker started a step in a subshell with this pid.
    Started {
        /// The worker.
        worker: usize,
        /// The subshell's pid (and process group).
        pid: i32,
    },
    /// A worker's step ended.
    Done {
        /// The worker.
        worker: usize,
        /// The exit status.
        status: i32,
    },
    /// A worker ended (it should not).
    Gone {
        /// The worker.
        worker: usize,
    },
}

/// The script each worker runs. It reads the number of a program file (bash reads pipes a byte at
/// a time, so the program itself is not sent through the pipe) and runs it in a subshell.
const WORKER: &str = r#"set -m
while read -r __cutover_program; do
  ( . "$CUTOVER_PROGRAMS/$__cutover_program" ) </dev/null &
  __cutover_pid=$!
  printf 'started %s\n' "$__cutover_pid"
  wait "$__cutover_pid"
  printf 'done %s\n' "$?"
done
"#;

struct Worker {
    child: Child,
    stdin: ChildStdin,
    pid: Option<i32>,
}

/// The bash workers of one scheduler thread, started as needed and reused.
pub struct Pool {
    workers: Vec<Worker>,
    idle: Vec<usize>,
    tx: Sender<Message>,
    spawned: usize,
    programs: usize,
}

impl Pool {
    /// An empty pool reporting to `tx`.
    pub fn new(tx: Sender<Message>) -> Self {
        Pool {
            workers: Vec::new(),
            idle: Vec::new(),
            tx,
            spawned: 0,
            programs: 0,
        }
    }

    /// How many bash workers were started.
    pub fn spawned(&self) -> usize {
        self.spawned
    }

    fn spawn(&mut self, sandbox: &Sandbox) -> std::io::Result<usize> {
        let mut child = Command::new(super::sandbox::bash_path())
            .arg("--noprofile")
            .arg("--norc")
            .arg("-c")
            .arg(WORKER)
            .env_clear()
            .env("PATH", sandbox.bin())
            .env("HOME", sandbox.root().join("home"))
            .env("LANG", "C.UTF-8")
            .env("BASH_ENV", sandbox.prelude())
            .env("CUTOVER_PROGRAMS", programs_dir(sandbox))
            .current_dir(sandbox.root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| std::io::Error::other("no stdin"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let index = self.workers.len();
        let tx = self.tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let message = match line.split_once(' ') {
                    Some(("started", pid)) => Message::Started {
                        worker: index,
                        pid: pid.trim().parse().unwrap_or(0),
                    },
                    Some(("done", status)) => Message::Done {
                        worker: index,
                        status: status.trim().parse().unwrap_or(1),
                    },
                    _ => continue,
                };
                if tx.send(message).is_err() {
                    return;
                }
            }
            let _ = tx.send(Message::Gone { worker: index });
        });
        self.workers.push(Worker {
            child,
            stdin,
            pid: None,
        });
        self.spawned += 1;
        Ok(index)
    }

    /// Runs a step program on an idle worker (starting one if none is idle); returns the worker.
    pub fn run(&mut self, sandbox: &Sandbox, program: &str) -> std::io::Result<usize> {
        let index = match self.idle.pop() {
            Some(i) => i,
            None => self.spawn(sandbox)?,
        };
        let dir = programs_dir(sandbox);
        std::fs::create_dir_all(&dir)?;
        self.programs += 1;
        std::fs::write(dir.join(self.programs.to_string()), program)?;
        let worker = &mut self.workers[index];
        worker.pid = None;
        worker
            .stdin
            .write_all(format!("{}\n", self.programs).as_bytes())?;
        worker.stdin.flush()?;
        Ok(index)
    }

    /// Records the pid a worker reported.
    pub fn started(&mut self, worker: usize, pid: i32) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.pid = Some(pid);
        }
    }

    /// Marks a worker idle again after its step ended.
    pub fn done(&mut self, worker: usize) {
        if let Some(w) = self.workers.get_mut(worker) {
            w.pid = None;
        }
        if !self.idle.contains(&worker) {
            self.idle.push(worker);
        }
    }

    /// Kills the step a worker runs (its whole process group); the worker then reports it done.
    pub fn kill(&mut self, worker: usize) {
        if let Some(pid) = self
            .workers
            .get(worker)
            .and_then(|w| w.pid)
            .filter(|p| *p > 1)
        {
            // SAFETY: kill(2) with a negative pid signals that process group; no memory is touched.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
}

/// Where step programs are written (cleared with the runs).
fn programs_dir(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.root().join("runs").join("programs")
}

impl Drop for Pool {
    fn drop(&mut self) {
        for worker in &mut self.workers {
            let _ = worker.child.kill();
            let _ = worker.child.wait();
        }
    }
}
