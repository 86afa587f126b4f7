//! JSON-RPC over stdin/stdout that survives bad input: a frame whose payload is not a JSON-RPC
//! message is answered with a parse error (id `null`) and the server keeps reading, where
//! lsp-server's own stdio transport would stop.

use std::io::{BufReader, Write};
use std::sync::mpsc;
use std::thread::JoinHandle;

use lsp_server::{Connection, Message};

pub struct Io {
    forwarder: JoinHandle<()>,
    writer: JoinHandle<()>,
    frames: mpsc::Sender<Vec<u8>>,
}

impl Io {
    /// Write out everything the server sent, then stop the writer. (The reader may still be
    /// blocked on stdin; the process exits without waiting for it.)
    pub fn finish(self) {
        let _ = self.forwarder.join();
        let _ = self.frames.send(Vec::new());
        let _ = self.writer.join();
    }
}

fn frame(payload: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{payload}", payload.len()).into_bytes()
}

pub fn stdio() -> (Connection, Io) {
    let (server, client) = Connection::memory();
    let (frames, frames_rx) = mpsc::channel::<Vec<u8>>();

    let to_server = client.sender.clone();
    let errors = frames.clone();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut input = BufReader::new(stdin.lock());
        loop {
            match Message::read(&mut input) {
                Ok(Some(msg)) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if to_server.send(msg).is_err() || exit {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    eprintln!("gomodfix lsp: ignoring a malformed message: {e}");
                    let reply = serde_json::json!({
                        "jsonrpc": "2.0",
                        "id": null,
                        "error": { "code": -32700, "message": format!("malformed message: {e}") },
                    });
                    let _ = errors.send(frame(&reply.to_string()));
                }
                Err(e) => {
                    eprintln!("gomodfix lsp: stdin: {e}");
                    break;
                }
            }
        }
    });

    let out = frames.clone();
    let forwarder = std::thread::spawn(move || {
        for msg in client.receiver {
            let mut buf = Vec::new();
            if msg.write(&mut buf).is_ok() && out.send(buf).is_err() {
                break;
            }
        }
    });

    let writer = std::thread::spawn(move || {
        let stdout = std::io::stdout();
        let mut stdout = stdout.lock();
        for bytes in frames_rx {
            if bytes.is_empty() {
                break;
            }
            if stdout
                .write_all(&bytes)
                .and_then(|_| stdout.flush())
                .is_err()
            {
                break;
            }
        }
    });

    (
        server,
        Io {
            forwarder,
            writer,
            frames,
        },
    )
}
