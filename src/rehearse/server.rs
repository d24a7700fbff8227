//! The fakes' server: a TCP listener on localhost that the prelude's `__cutover_call` connects to
//! (bash's `/dev/tcp`), one connection per call. It reads the call and hands it, with the connection
//! to answer on, to the scheduler.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use super::fakes::{Call, ENV_NAMES};
use super::workers::Message;

/// A call as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    /// The token of the rehearsal it belongs to.
    pub token: String,
    /// The step handle (`CUTOVER_STEP`), empty outside steps.
    pub step: String,
    /// The call.
    pub call: Call,
}

/// The listener and its thread.
pub struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Starts listening on a free localhost port.
    pub fn start(tx: Sender<Message>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if let Some(request) = read_request(&stream)
                    && tx.send(Message::Call(request, stream)).is_err()
                {
                    break;
                }
            }
        });
        Ok(Server { port, stop })
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut reader = BufReader::new(stream);
    let mut field = || -> Option<String> {
        let mut bytes = Vec::new();
        reader.read_until(0, &mut bytes).ok()?;
        if bytes.pop() != Some(0) {
            return None;
        }
        Some(String::from_utf8_lossy(&bytes).into_owned())
    };
    let token = field()?;
    let step = field()?;
    let cwd = field()?;
    let argc: usize = field()?.parse().ok()?;
    let mut args = Vec::with_capacity(argc);
    for _ in 0..argc {
        args.push(field()?);
    }
    let mut env = std::collections::BTreeMap::new();
    for name in ENV_NAMES {
        env.insert(name.to_owned(), field()?);
    }
    let has_stdin = field()? == "1";
    let stdin = field()?;
    let mut args = args.into_iter();
    let tool = args.next()?;
    Some(Request {
        token,
        step,
        call: Call {
            tool,
            args: args.collect(),
            cwd,
            env,
            stdin: has_stdin.then_some(stdin),
        },
    })
}

/// The bash code that prints a reply and returns its status.
pub fn reply_code(reply: &super::fakes::Reply) -> String {
    let mut code = String::new();
    if !reply.stdout.is_empty() {
        code.push_str(&format!(
            "printf '%s' {}\n",
            super::sandbox::quote(&reply.stdout)
        ));
    }
    if !reply.stderr.is_empty() {
        code.push_str(&format!(
            "printf '%s' {} >&2\n",
            super::sandbox::quote(&reply.stderr)
        ));
    }
    code.push_str(&format!("return {}\n", reply.status.clamp(0, 255)));
    code
}
