//! `gomodfix lsp` over its real stdio: initialize, diagnostics, code actions whose edits give the
//! CLI's `--write` output, hover, change/close, watched files, bad input, shutdown.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};
mod common;
use common::{BROKEN, project};

struct Client {
    child: Child,
    stdin: ChildStdin,
    inbox: mpsc::Receiver<Value>,
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(root: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gomodfix"))
            .arg("lsp")
            .current_dir(root)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, inbox) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse().unwrap();
                    }
                }
                let mut buf = vec![0; len];
                r.read_exact(&mut buf).unwrap();
                if tx.send(serde_json::from_slice(&buf).unwrap()).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            inbox,
            pending: Vec::new(),
            next_id: 1,
        }
    }

    fn raw(&mut self, payload: &str) {
        write!(
            self.stdin,
            "Content-Length: {}\r\n\r\n{payload}",
            payload.len()
        )
        .unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        let text = msg.to_string();
        self.raw(&text);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        self.inbox
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers")
    }

    /// The next message that is an error answer with a `null` id (a parse error).
    fn parse_error(&mut self) -> Value {
        loop {
            let m = self.next();
            if m.get("error").is_some() && m["id"].is_null() {
                return m;
            }
            self.pending.push(m);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.next();
            if m["id"] == json!(id) && m.get("method").is_none() {
                return m;
            }
            self.pending.push(m);
        }
    }

    /// The next publishDiagnostics for a URI.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.pending.iter().position(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        }) {
            return self.pending.remove(i)["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .clone();
        }
        loop {
            let m = self.next();
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push(m);
        }
    }

    fn initialize(&mut self, options: Value) {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}, "initializationOptions": options}),
        );
        assert!(
            r["result"]["capabilities"]["codeActionProvider"].is_object(),
            "{r}"
        );
        self.notify("initialized", json!({}));
    }

    fn shutdown(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let status = wait(&mut self.child);
        assert_eq!(status, Some(0));
    }
}

fn wait(child: &mut Child) -> Option<i32> {
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    None
}

fn uri(path: &Path) -> String {
    gomodfix::lsp::path_to_uri(&path.canonicalize().unwrap())
}

fn open(c: &mut Client, uri: &str, text: &str) {
    c.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}}));
}

/// Apply LSP TextEdits (non-overlapping) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let pos = |p: &Value| {
                gomodfix::lsp::position_to_offset(
                    text,
                    lsp_types::Position::new(
                        p["line"].as_u64().unwrap() as u32,
                        p["character"].as_u64().unwrap() as u32,
                    ),
                )
            };
            (
                pos(&e["range"]["start"]),
                pos(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, &t);
    }
    out
}

fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

#[test]
fn diagnostics_and_fix_all_match_the_cli() {
    let dir = project(BROKEN);
    let df = dir.path().join("Dockerfile");
    let u = uri(&df);
    let mut c = Client::start(dir.path());
    c.initialize(json!({}));
    open(&mut c, &u, BROKEN);
    let diags = c.diagnostics(&u);
    assert_eq!(codes(&diags), ["GM001", "GM003", "GM017"]);
    let gm001 = diags.iter().find(|d| d["code"] == "GM001").unwrap();
    assert_eq!(gm001["range"]["start"], json!({"line": 2, "character": 0}));
    assert_eq!(gm001["severity"], 2);
    assert!(
        gm001["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("GM001.md")
    );

    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 7, "character": 0}}, "context": {"diagnostics": [], "only": ["source.fixAll.gomodfix"]}}),
    );
    let actions = r["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{r}");
    assert_eq!(actions[0]["kind"], "source.fixAll.gomodfix");
    let edits = actions[0]["edit"]["changes"][&u].as_array().unwrap();
    let fixed_by_lsp = apply(BROKEN, edits);

    // The CLI's --write on the same file gives the same text.
    let status = Command::new(env!("CARGO_BIN_EXE_gomodfix"))
        .arg("--write")
        .arg(&df)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(status.code().is_some());
    assert_eq!(fixed_by_lsp, fs::read_to_string(&df).unwrap());
    c.shutdown();
}

#[test]
fn quick_fixes_suppressions_and_hover() {
    let text =
        "FROM golang:1.22\nENV GO111MODULE=off\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";
    let dir = project(text);
    let u = uri(&dir.path().join("Dockerfile"));
    let mut c = Client::start(dir.path());
    c.initialize(json!({"select": ["GM002", "GM003"]}));
    open(&mut c, &u, text);
    let diags = c.diagnostics(&u);
    assert_eq!(
        codes(&diags),
        ["GM002", "GM003"],
        "initializationOptions select"
    );
    let gm002 = diags.iter().find(|d| d["code"] == "GM002").unwrap().clone();
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": gm002["range"], "context": {"diagnostics": [gm002]}}),
    );
    let actions = r["result"].as_array().unwrap();
    let unsafe_fix = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("unsafe"))
        .expect("the unsafe fix is offered");
    assert_eq!(unsafe_fix["kind"], "quickfix");
    assert_eq!(unsafe_fix["isPreferred"], false);
    let fixed = apply(text, unsafe_fix["edit"]["changes"][&u].as_array().unwrap());
    assert!(fixed.contains("ENV GO111MODULE=on\n"), "{fixed}");
    let suppress = actions
        .iter()
        .find(|a| a["title"] == "Suppress GM002 for this instruction")
        .unwrap();
    let suppressed = apply(text, suppress["edit"]["changes"][&u].as_array().unwrap());
    assert!(
        suppressed.contains("FROM golang:1.22\n# gomodfix: ignore[GM002]\nENV GO111MODULE=off\n"),
        "{suppressed}"
    );
    // After applying it, the finding is gone.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": u, "version": 2}, "contentChanges": [{"text": suppressed}]}),
    );
    assert_eq!(codes(&c.diagnostics(&u)), ["GM003"]);
    // Hover on the GM003 RUN shows the rule's explanation.
    let h = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": u}, "position": {"line": 5, "character": 4}}),
    );
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("GM003 go-cache-mounts") && value.contains("## Why is this bad?"),
        "{value}"
    );
    // Configuration change: ignore GM003 too.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"gomodfix": {"ignore": ["GM003"], "select": ["GM002", "GM003"]}}}),
    );
    assert!(c.diagnostics(&u).is_empty());
    // Close clears.
    c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    assert!(c.diagnostics(&u).is_empty());
    c.shutdown();
}

#[test]
fn watched_file_changes_recheck_open_documents() {
    let dir = project(BROKEN);
    fs::write(dir.path().join(".dockerignore"), "*.sum\n").unwrap();
    let u = uri(&dir.path().join("Dockerfile"));
    let mut c = Client::start(dir.path());
    c.initialize(json!({"select": ["GM014"]}));
    // The server asks to watch go.mod, .dockerignore, compose files…
    let reg = loop {
        let m = c.next();
        if m["method"] == "client/registerCapability" {
            break m;
        }
        c.pending.push(m);
    };
    let globs: Vec<&str> = reg["params"]["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert!(globs.contains(&"**/.dockerignore") && globs.contains(&"**/go.mod"));
    // …and the CI, make and script files that name build contexts and platforms.
    assert!(globs.contains(&"**/.github/workflows/*.y*ml") && globs.contains(&"**/Makefile"));
    c.send(json!({"jsonrpc": "2.0", "id": reg["id"], "result": null}));
    open(&mut c, &u, BROKEN);
    assert_eq!(codes(&c.diagnostics(&u)), ["GM014"]);
    fs::write(dir.path().join(".dockerignore"), "*.sum\n!go.sum\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join(".dockerignore")), "type": 2}]}),
    );
    assert!(c.diagnostics(&u).is_empty());
    c.shutdown();
}

#[test]
fn bad_input_does_not_take_the_server_down() {
    let dir = project(BROKEN);
    let u = uri(&dir.path().join("Dockerfile"));
    let mut c = Client::start(dir.path());
    c.initialize(json!({}));
    // Not JSON at all, and JSON that is no JSON-RPC message.
    c.raw("{this is not json");
    let e = c.parse_error();
    assert_eq!(e["error"]["code"], -32700, "{e}");
    c.raw("[1,2,3]");
    assert_eq!(c.parse_error()["error"]["code"], -32700);
    // Unknown method: an error answer, not a crash.
    let r = c.request("gomodfix/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    // Bad params.
    let r = c.request("textDocument/codeAction", json!({"nonsense": true}));
    assert_eq!(r["error"]["code"], -32602);
    // A document that is binary junk gets a diagnostic, not a crash.
    open(&mut c, &u, "FROM \u{0}\u{1}\u{2} junk");
    let d = c.diagnostics(&u);
    assert!(
        d.iter()
            .any(|d| d["message"].as_str().unwrap().contains("binary")),
        "{d:?}"
    );
    // Still serving.
    open(&mut c, &u, BROKEN);
    assert!(!c.diagnostics(&u).is_empty());
    c.shutdown();
}
