//! `--output-format json`: a documented, versioned schema (README, "JSON output").

use serde::Serialize;

use super::{FileResult, Position, rule_url};
use crate::diagnostics::Severity;
use crate::fix::Applicability;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    url: String,
    start: Position,
    end: Position,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    /// `null` for the Dockerfile itself, else a context-relative path (`.dockerignore`).
    file: Option<&'a str>,
    /// Positions in the Dockerfile; for other files only the byte offsets are meaningful.
    start: Position,
    end: Position,
    content: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

pub fn render(files: &[FileResult]) -> String {
    let mut out = Output {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: "gomodfix",
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics: Vec::new(),
        errors: Vec::new(),
    };
    for f in files {
        if let Some(e) = f.error {
            out.errors.push(JsonError {
                path: f.path,
                message: e,
            });
        }
        let index = crate::syntax::LineIndex::new(f.source);
        for d in f.diagnostics {
            out.diagnostics.push(JsonDiagnostic {
                path: f.path,
                code: d.code,
                name: d.name,
                severity: d.severity,
                message: &d.message,
                url: rule_url(d.code),
                start: Position::indexed(&index, f.source, d.range.start),
                end: Position::indexed(&index, f.source, d.range.end),
                fix: d.fix.as_ref().map(|fix| JsonFix {
                    title: &fix.title,
                    applicability: fix.applicability,
                    edits: fix
                        .edits
                        .iter()
                        .map(|e| {
                            let pos = |o: usize| match &e.file {
                                None => Position::indexed(&index, f.source, o),
                                Some(_) => Position {
                                    line: 0,
                                    column: 0,
                                    offset: o,
                                },
                            };
                            JsonEdit {
                                file: e.file.as_deref(),
                                start: pos(e.range.start),
                                end: pos(e.range.end),
                                content: &e.text,
                            }
                        })
                        .collect(),
                }),
            });
        }
    }
    let mut s = serde_json::to_string_pretty(&out).expect("serialisable");
    s.push('\n');
    s
}
