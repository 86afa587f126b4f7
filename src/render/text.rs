//! The human-readable report: `path:line:col: CODE severity: message [*]`.

use crate::diagnostics::{Diagnostic, Severity};
use crate::fix::Applicability;

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

/// The full report of one diagnostic: the header line, then the source with the range
/// underlined (annotate-snippets), then the fix, if any.
pub fn diagnostic_full(style: Style, shown: &str, source: &str, d: &Diagnostic) -> String {
    use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
    let mut out = diagnostic_line(style, shown, source, d);
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    // Underline the first line of the range: instructions can span many lines.
    let end = source[d.range.start..d.range.end.min(source.len())]
        .find('\n')
        .map_or(d.range.end, |p| d.range.start + p);
    let end = end.max(d.range.start).min(source.len());
    let report = &[level.primary_title(d.message.as_str()).id(d.code).element(
        Snippet::source(source)
            .path(shown)
            .annotation(AnnotationKind::Primary.span(d.range.start..end)),
    )];
    let renderer = if style.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered = renderer.render(report);
    // The header is ours; keep the snippet lines only.
    for line in rendered.lines().skip(1) {
        out.push_str(line);
        out.push('\n');
    }
    if let Some(fix) = &d.fix {
        let safety = match fix.applicability {
            Applicability::Safe => "fix",
            Applicability::Unsafe => "unsafe fix (--unsafe-fixes)",
        };
        out.push_str(&format!("  = {safety}: {}\n", fix.title));
    }
    out.push('\n');
    out
}
