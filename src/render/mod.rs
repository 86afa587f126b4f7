//! Renderers: unified diffs, the human-readable report and the machine formats (JSON, SARIF,
//! GitHub workflow commands, Checkstyle). All of them read the same diagnostics and fix edits.

pub mod checkstyle;
pub mod diff;
pub mod github;
pub mod json;
pub mod sarif;
pub mod text;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Severity};

/// What the renderers need of one checked file.
pub struct FileResult<'a> {
    /// Path as shown to the user (relative to the current directory).
    pub path: &'a str,
    /// The text the diagnostics' ranges refer to.
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
    /// Why the file could not be checked.
    pub error: Option<&'a str>,
}

/// What a machine format says of a rule (SARIF lists every rule): given by the caller, so that
/// rendering needs nothing of the rules themselves.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// One line: what the rule finds.
    pub summary: &'a str,
    /// Its documentation (Markdown).
    pub doc: &'a str,
    pub severity: Severity,
}

/// A 1-based line and column (in characters), plus the byte offset.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

impl Position {
    pub fn at(source: &str, offset: usize) -> Position {
        let (line, column) = crate::syntax::line_col(source, offset);
        Position {
            line,
            column,
            offset,
        }
    }

    /// [`Position::at`] through a [`crate::syntax::LineIndex`] of `source` (many lookups).
    pub fn indexed(index: &crate::syntax::LineIndex, source: &str, offset: usize) -> Position {
        let (line, column) = index.line_col(source, offset);
        Position {
            line,
            column,
            offset,
        }
    }
}

/// Documentation address of a rule (SARIF `helpUri`, JSON, PR bodies).
pub use crate::project::rule_url;
