//! `--output-format github`: GitHub Actions workflow commands, one per finding.

use super::{FileResult, Position};
use crate::diagnostics::Severity;

/// Escape a workflow command's message.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a workflow command's property value.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(files: &[FileResult]) -> String {
    let mut out = String::new();
    for f in files {
        if let Some(e) = f.error {
            out.push_str(&format!(
                "::error file={},title=gomodfix::{}\n",
                property(f.path),
                data(e)
            ));
        }
        let index = crate::syntax::LineIndex::new(f.source);
        for d in f.diagnostics {
            let start = Position::indexed(&index, f.source, d.range.start);
            let end = Position::indexed(&index, f.source, d.range.end);
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            out.push_str(&format!(
                "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{} {}\n",
                property(f.path),
                start.line,
                start.column,
                end.line,
                end.column,
                property(&format!("gomodfix {} ({})", d.code, d.name)),
                d.code,
                data(&d.message)
            ));
        }
    }
    out
}
