//! The human-readable report: `path:line:col: CODE severity: message [*]`.

use crate::fix::Applicability;
use crate::rules::{Diagnostic, Severity};

/// ANSI styling that is a no-op without colour.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    pub fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// ` [*]` for a safe fix, ` [unsafe fix]` for an unsafe one, as ruff marks them.
pub fn fix_marker(d: &Diagnostic) -> &'static str {
    match d.fix.as_ref().map(|f| f.applicability) {
        Some(Applicability::Safe) => " [*]",
        Some(Applicability::Unsafe) => " [unsafe fix]",
        None => "",
    }
}

/// One diagnostic line; `source` is the text the diagnostic's range refers to.
pub fn diagnostic_line(style: Style, shown: &str, source: &str, d: &Diagnostic) -> String {
    let (line, col) = crate::syntax::line_col(source, d.range.start);
    let sev = match d.severity {
        Severity::Error => style.paint("31", "error"),
        Severity::Warning => style.paint("33", "warning"),
        Severity::Info => style.paint("34", "info"),
    };
    format!(
        "{}:{line}:{col}: {} {sev}: {}{}\n",
        style.paint("1", shown),
        style.paint("1;31", d.code),
        d.message,
        fix_marker(d)
    )
}
