//! `--output-format checkstyle`: Checkstyle XML, as CI tools that collect linter reports read it.

use super::{FileResult, Position};
use crate::diagnostics::Severity;

fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

pub fn render(files: &[FileResult]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for f in files {
        out.push_str(&format!("  <file name=\"{}\">\n", attr(f.path)));
        if let Some(e) = f.error {
            out.push_str(&format!(
                "    <error line=\"1\" column=\"1\" severity=\"error\" message=\"{}\" source=\"gomodfix\"/>\n",
                attr(e)
            ));
        }
        let index = crate::syntax::LineIndex::new(f.source);
        for d in f.diagnostics {
            let p = Position::indexed(&index, f.source, d.range.start);
            let sev = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{sev}\" message=\"{}\" source=\"gomodfix.{}.{}\"/>\n",
                p.line,
                p.column,
                attr(&d.message),
                d.code,
                d.name
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
