//! `gomodfix lsp`: a Language Server Protocol server over stdio. It runs exactly the engine's
//! check and fixes ([`crate::engine::process_source`]), with the client's settings as the
//! engine's options, so an editor sees what `gomodfix` prints.

mod position;
mod transport;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::str::FromStr;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    FileSystemWatcher, GlobPattern, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, MarkupContent, MarkupKind, NumberOrString, PublishDiagnosticsParams,
    Registration, RegistrationParams, SaveOptions, ServerCapabilities, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri,
    WorkspaceEdit,
};
use serde::Deserialize;

pub use position::{offset_to_position, path_to_uri, position_to_offset, uri_to_path};

use crate::engine::{
    ContextCache, FileReport, Fixes, MAX_FILE_BYTES, Options, Overrides, decode, process_source,
};
use crate::fix::{Applicability, Edit};
use crate::rules;

/// The code-action kind of "fix all safe problems", for fix-on-save.
pub const FIX_ALL_KIND: &str = "source.fixAll.gomodfix";

/// Settings a client may send (initializationOptions or workspace/didChangeConfiguration, bare
/// or under a `gomodfix` key).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientSettings {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    unsafe_fixes: bool,
    /// The hardening profile (`--hardening`).
    #[serde(default)]
    hardening: bool,
}

impl ClientSettings {
    fn from_value(v: &serde_json::Value) -> ClientSettings {
        let v = v.get("gomodfix").unwrap_or(v);
        serde_json::from_value(v.clone()).unwrap_or_default()
    }
}

struct Document {
    text: String,
    /// The last check of this text.
    report: FileReport,
}

struct Server {
    conn: Connection,
    documents: HashMap<String, Document>,
    cache: ContextCache,
    settings: ClientSettings,
    next_id: i32,
}

/// Run the server on stdin/stdout until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (conn, io) = transport::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::new(FIX_ALL_KIND),
            ]),
            ..Default::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..Default::default()
    };
    let init = conn
        .initialize(serde_json::to_value(capabilities).expect("serialisable"))
        .map_err(|e| e.to_string())?;
    let params: InitializeParams = serde_json::from_value(init).unwrap_or_default();
    let dynamic_watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut server = Server {
        conn,
        documents: HashMap::new(),
        cache: ContextCache::default(),
        settings: params
            .initialization_options
            .as_ref()
            .map(ClientSettings::from_value)
            .unwrap_or_default(),
        next_id: 1,
    };
    if dynamic_watch {
        server.register_watchers();
    }
    server.main_loop();
    drop(server);
    io.finish();
    Ok(())
}

impl Server {
    fn main_loop(&mut self) {
        while let Ok(msg) = self.conn.receiver.recv() {
            match msg {
                Message::Request(req) => {
                    match self.conn.handle_shutdown(&req) {
                        Ok(true) => return,
                        Ok(false) => {}
                        Err(e) => {
                            eprintln!("gomodfix lsp: {e}");
                            return;
                        }
                    }
                    let id = req.id.clone();
                    let method = req.method.clone();
                    let result = catch_unwind(AssertUnwindSafe(|| self.handle_request(req)));
                    let response = match result {
                        Ok(r) => r,
                        Err(_) => {
                            eprintln!("gomodfix lsp: internal error while handling {method}");
                            Response::new_err(
                                id,
                                ErrorCode::InternalError as i32,
                                format!("internal error in {method}"),
                            )
                        }
                    };
                    self.send(Message::Response(response));
                }
                Message::Notification(note) => {
                    let method = note.method.clone();
                    if method == "exit" {
                        return;
                    }
                    if catch_unwind(AssertUnwindSafe(|| self.handle_notification(note))).is_err() {
                        eprintln!("gomodfix lsp: internal error while handling {method}");
                    }
                }
                Message::Response(_) => {}
            }
        }
    }

    fn send(&self, msg: Message) {
        if self.conn.sender.send(msg).is_err() {
            eprintln!("gomodfix lsp: the client is gone");
        }
    }

    fn register_watchers(&mut self) {
        let globs = [
            "**/go.mod",
            "**/go.sum",
            "**/go.work",
            "**/go.work.sum",
            "**/vendor/modules.txt",
            "**/.dockerignore",
            "**/*.dockerignore",
            "**/compose.y*ml",
            "**/docker-compose*.y*ml",
            "**/docker-bake.hcl",
            "**/docker-bake.json",
            "**/.env",
            "**/.github/workflows/*.y*ml",
            "**/.gitlab-ci.yml",
            "**/*goreleaser.y*ml",
            "**/Makefile",
            "**/GNUmakefile",
            "**/*.mk",
            "**/scripts/*.sh",
            "**/hack/*.sh",
            "**/build/*.sh",
            "**/.gomodfix.y*ml",
        ];
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: globs
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String(g.to_string()),
                    kind: None,
                })
                .collect(),
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "gomodfix-watch".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(serde_json::to_value(options).expect("serialisable")),
            }],
        };
        let id = RequestId::from(format!("gomodfix-{}", self.next_id));
        self.next_id += 1;
        self.send(Message::Request(Request::new(
            id,
            RegisterCapability::METHOD.into(),
            params,
        )));
    }

    fn handle_request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        match req.method.as_str() {
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(req.params) {
                    Ok(p) => Response::new_ok(id, self.code_actions(&p)),
                    Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
                }
            }
            HoverRequest::METHOD => match serde_json::from_value::<HoverParams>(req.params) {
                Ok(p) => Response::new_ok(id, self.hover(&p)),
                Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
            },
            other => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unknown method {other}"),
            ),
        }
    }

    fn handle_notification(&mut self, note: Notification) {
        match note.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(note.params) {
                    self.update(&p.text_document.uri, p.text_document.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(note.params)
                    && let Some(change) = p.content_changes.into_iter().last()
                {
                    self.update(&p.text_document.uri, change.text);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(note.params) {
                    let key = p.text_document.uri.as_str().to_string();
                    let text = p
                        .text
                        .or_else(|| self.documents.get(&key).map(|d| d.text.clone()));
                    if let Some(text) = text {
                        self.update(&p.text_document.uri, text);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(note.params) {
                    self.documents.remove(p.text_document.uri.as_str());
                    self.publish(&p.text_document.uri, Vec::new());
                }
            }
            DidChangeWatchedFiles::METHOD => {
                // go.mod, .dockerignore, compose… changed: read contexts afresh, check again.
                self.cache = ContextCache::default();
                self.recheck_all();
            }
            DidChangeConfiguration::METHOD => {
                if let Some(s) = note.params.get("settings") {
                    self.settings = ClientSettings::from_value(s);
                }
                self.cache = ContextCache::default();
                self.recheck_all();
            }
            _ => {}
        }
    }

    fn recheck_all(&mut self) {
        let uris: Vec<String> = self.documents.keys().cloned().collect();
        for u in uris {
            if let (Ok(uri), Some(text)) = (
                Uri::from_str(&u),
                self.documents.get(&u).map(|d| d.text.clone()),
            ) {
                self.update(&uri, text);
            }
        }
    }

    /// The client's settings as the engine's options (fixes computed, none written).
    fn options(&self) -> Options {
        Options {
            overrides: Overrides {
                select: self.settings.select.clone(),
                ignore: self.settings.ignore.clone(),
                unsafe_fixes: self.settings.unsafe_fixes,
                hardening: self.settings.hardening,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// Check a document's text and publish its diagnostics.
    fn update(&mut self, uri: &Uri, text: String) {
        let path = uri_to_path(uri.as_str()).unwrap_or_else(|| PathBuf::from("Dockerfile"));
        // Diagnostics on every keystroke; the whole-file fix is computed when it is asked for.
        let mut options = self.options();
        options.fixes = Fixes::None;
        let report = lint(&path, &text, &options, &self.cache);
        let diagnostics = to_lsp_diagnostics(&text, &report);
        self.documents
            .insert(uri.as_str().to_string(), Document { text, report });
        self.publish(uri, diagnostics);
    }

    fn publish(&self, uri: &Uri, diagnostics: Vec<Diagnostic>) {
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics,
            version: None,
        };
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.into(),
            params,
        )));
    }

    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &p.text_document.uri;
        let Some(doc) = self.documents.get(uri.as_str()) else {
            return Vec::new();
        };
        let wants = |kind: &str| {
            p.context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
        };
        let start = position_to_offset(&doc.text, p.range.start);
        let end = position_to_offset(&doc.text, p.range.end);
        let mut actions = Vec::new();
        for d in &doc.report.diagnostics {
            if d.range.start > end || d.range.end < start {
                continue;
            }
            let lsp_diag = to_lsp_diagnostic(&doc.text, d);
            // Unsafe fixes are offered too, marked in the title and never preferred.
            if let Some(fix) = &d.fix
                && wants(CodeActionKind::QUICKFIX.as_str())
            {
                let unsafe_ = fix.applicability == Applicability::Unsafe;
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: if unsafe_ {
                        format!("{} (unsafe: {})", fix.title, d.code)
                    } else {
                        format!("{} ({})", fix.title, d.code)
                    },
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![lsp_diag.clone()]),
                    edit: Some(workspace_edit(uri, &doc.text, &doc.report, &fix.edits)),
                    is_preferred: Some(!unsafe_),
                    ..Default::default()
                }));
            }
            if wants(CodeActionKind::QUICKFIX.as_str()) {
                actions.push(CodeActionOrCommand::CodeAction(suppress_action(
                    uri, &doc.text, d, lsp_diag,
                )));
            }
        }
        // The whole-file fix is a source action: computed only when the client asks for source
        // actions (fix-on-save, "Fix all"), not on every cursor move.
        let asks_source = p
            .context
            .only
            .as_ref()
            .is_some_and(|only| only.iter().any(|k| FIX_ALL_KIND.starts_with(k.as_str())));
        let fixed = asks_source.then(|| {
            let path = uri_to_path(uri.as_str()).unwrap_or_else(|| PathBuf::from("Dockerfile"));
            lint(&path, &doc.text, &self.options(), &self.cache)
        });
        if let Some(outcome) = fixed.as_ref().and_then(|r| r.fixed.as_ref())
            && (outcome.output != doc.text || !outcome.side_files.is_empty())
        {
            let mut edits = vec![Edit::replace(0..doc.text.len(), outcome.output.clone())];
            for (file, (old, new)) in &outcome.side_files {
                edits.push(Edit::in_file(file.clone(), 0..old.len(), new.clone()));
            }
            let report = fixed.as_ref().expect("computed above");
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safe gomodfix problems".into(),
                kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                edit: Some(workspace_edit(uri, &doc.text, report, &edits)),
                ..Default::default()
            }));
        }
        actions
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let doc = self
            .documents
            .get(p.text_document_position_params.text_document.uri.as_str())?;
        let at = position_to_offset(&doc.text, p.text_document_position_params.position);
        let d = doc
            .report
            .diagnostics
            .iter()
            .find(|d| d.range.start <= at && at <= d.range.end)?;
        let meta = rules::find(d.code)?.meta();
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: format!(
                    "**{} {}**: {}\n\n{}",
                    meta.code, meta.name, d.message, meta.doc
                ),
            }),
            range: Some(lsp_types::Range {
                start: offset_to_position(&doc.text, d.range.start),
                end: offset_to_position(&doc.text, d.range.end),
            }),
        })
    }
}

/// Check text as the CLI would, with the safe fixes only for "fix all".
fn lint(path: &std::path::Path, text: &str, options: &Options, cache: &ContextCache) -> FileReport {
    let mut options = options.clone();
    options.overrides.unsafe_fixes = false;
    // The same refusals as for files on disk (binary text, too large).
    let (source, bom) = match decode(text.as_bytes().to_vec()) {
        Ok(_) if text.len() as u64 > MAX_FILE_BYTES => {
            let mut r = process_source(path, String::new(), false, &options, cache);
            r.diagnostics.clear();
            r.error = Some(format!("larger than the {} byte limit", MAX_FILE_BYTES));
            return r;
        }
        Ok(decoded) => decoded,
        Err(e) => {
            let mut r = process_source(path, String::new(), false, &options, cache);
            r.diagnostics.clear();
            r.fixed = None;
            r.error = Some(e);
            return r;
        }
    };
    let mut report = process_source(path, source, bom, &options, cache);
    if bom {
        // Offsets in the report are for the text without the BOM; the editor's text has it.
        shift(&mut report, 3);
    }
    report
}

/// Move every range of a report by `by` bytes.
fn shift(report: &mut FileReport, by: usize) {
    let fixed = report.fixed.as_mut();
    let fixed_diagnostics = fixed.map(|o| {
        o.output = format!("\u{feff}{}", o.output);
        &mut o.diagnostics
    });
    for d in report
        .diagnostics
        .iter_mut()
        .chain(fixed_diagnostics.into_iter().flatten())
    {
        d.range = d.range.start + by..d.range.end + by;
        if let Some(f) = &mut d.fix {
            for e in f.edits.iter_mut().filter(|e| e.file.is_none()) {
                e.range = e.range.start + by..e.range.end + by;
            }
        }
    }
}

fn severity(s: crate::diagnostics::Severity) -> DiagnosticSeverity {
    match s {
        crate::diagnostics::Severity::Error => DiagnosticSeverity::ERROR,
        crate::diagnostics::Severity::Warning => DiagnosticSeverity::WARNING,
        crate::diagnostics::Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

fn to_lsp_diagnostic(text: &str, d: &rules::Diagnostic) -> Diagnostic {
    Diagnostic {
        range: lsp_types::Range {
            start: offset_to_position(text, d.range.start),
            end: offset_to_position(text, d.range.end),
        },
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: Uri::from_str(&crate::render::rule_url(d.code))
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("gomodfix".into()),
        message: d.message.clone(),
        tags: (d.code == "GM100").then(|| vec![lsp_types::DiagnosticTag::UNNECESSARY]),
        ..Default::default()
    }
}

fn to_lsp_diagnostics(text: &str, report: &FileReport) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = report
        .diagnostics
        .iter()
        .map(|d| to_lsp_diagnostic(text, d))
        .collect();
    if let Some(e) = &report.error {
        out.push(Diagnostic {
            range: lsp_types::Range::default(),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("gomodfix".into()),
            message: e.clone(),
            ..Default::default()
        });
    }
    out
}

/// Our edits as an LSP WorkspaceEdit: Dockerfile edits on the document, context-file edits
/// (.dockerignore) on that file.
// lsp_types::Uri caches its parse internally; its hash never changes, and WorkspaceEdit's map is
// keyed by it.
#[allow(clippy::mutable_key_type)]
fn workspace_edit(uri: &Uri, text: &str, report: &FileReport, edits: &[Edit]) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for e in edits {
        match &e.file {
            None => changes.entry(uri.clone()).or_default().push(TextEdit {
                range: lsp_types::Range {
                    start: offset_to_position(text, e.range.start),
                    end: offset_to_position(text, e.range.end),
                },
                new_text: e.text.clone(),
            }),
            Some(file) => {
                let Some(root) = &report.context_root else {
                    continue;
                };
                let path = root.join(file);
                let current = std::fs::read_to_string(&path).unwrap_or_default();
                let Ok(file_uri) = Uri::from_str(&path_to_uri(&path)) else {
                    continue;
                };
                changes.entry(file_uri).or_default().push(TextEdit {
                    range: lsp_types::Range {
                        start: offset_to_position(&current, e.range.start.min(current.len())),
                        end: offset_to_position(&current, e.range.end.min(current.len())),
                    },
                    new_text: e.text.clone(),
                });
            }
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

/// "Suppress CODE here": a `# gomodfix: ignore[CODE]` line above the finding's line.
#[allow(clippy::mutable_key_type)] // see workspace_edit
fn suppress_action(uri: &Uri, text: &str, d: &rules::Diagnostic, diag: Diagnostic) -> CodeAction {
    let line_start = crate::syntax::line_start(text, d.range.start);
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let pos = offset_to_position(text, line_start);
    let mut changes = HashMap::new();
    changes.insert(
        uri.clone(),
        vec![TextEdit {
            range: lsp_types::Range {
                start: pos,
                end: pos,
            },
            new_text: format!("{indent}# gomodfix: ignore[{}]{newline}", d.code),
        }],
    );
    CodeAction {
        title: format!("Suppress {} for this instruction", d.code),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..Default::default()
        }),
        is_preferred: Some(false),
        ..Default::default()
    }
}
