//! What a check produces, and nothing else: [`Diagnostic`] with its [`Severity`], and the [`Fix`]
//! (with its [`Applicability`]) made of [`Edit`]s. A leaf module, as ruff keeps
//! `ruff_diagnostics`: rules produce these, the fix loop applies them, renderers print them,
//! and none of those needs another for it.

use std::ops::Range;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A finding.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Byte range in the Dockerfile.
    pub range: Range<usize>,
    pub fix: Option<Fix>,
}

/// A replacement of `range` (bytes of the current text) by `text`, in the Dockerfile or, with
/// `file`, in another file of the build context (its context-relative path: `.dockerignore`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
            file: None,
        }
    }
    pub fn delete(range: Range<usize>) -> Edit {
        Edit::replace(range, "")
    }
    /// An edit of another file of the build context.
    pub fn in_file(file: impl Into<String>, range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            text: text.into(),
            file: Some(file.into()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the build's meaning; applied by default.
    Safe,
    /// May change what the build does; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// A set of edits that together repair one diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    /// The fix moves where files land (a WORKDIR): other fixes computed on the same text would
    /// be computed for the old layout, so it is applied alone, before them.
    #[serde(skip)]
    pub alone: bool,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
            alone: false,
        }
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
            alone: false,
        }
    }
    /// This fix is applied in a pass of its own (see [`Fix::alone`]).
    pub fn alone(mut self) -> Fix {
        self.alone = true;
        self
    }
}
