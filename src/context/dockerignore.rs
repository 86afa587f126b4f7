//! `.dockerignore` with Docker's semantics: patterns are cleaned paths relative to the context
//! root, `*`/`?`/`[…]` never cross a `/`, `**` spans directories, a pattern also matches
//! everything below a directory it matches, `!` re-includes, and the last matching line wins.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use globset::{GlobBuilder, GlobMatcher};

use crate::syntax::join_path;

#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern, for messages.
    text: String,
    negated: bool,
    /// `None` for a pattern without wildcards, matched by comparing paths.
    matcher: Option<Arc<GlobMatcher>>,
}

impl Pattern {
    fn is_match(&self, path: &str) -> bool {
        match &self.matcher {
            Some(m) => m.is_match(path),
            None => self.text == path,
        }
    }
}

/// Compiled glob patterns, shared by every `.dockerignore` of a run: a monorepo's files repeat
/// the same few patterns, and compiling one is far dearer than matching it.
static COMPILED: LazyLock<Mutex<HashMap<String, Arc<GlobMatcher>>>> =
    LazyLock::new(Default::default);

const MAX_COMPILED: usize = 10_000;

fn compile(pattern: &str) -> Result<Option<Arc<GlobMatcher>>, globset::Error> {
    if !pattern.contains(['*', '?', '[', ']', '{', '}', '\\']) {
        return Ok(None);
    }
    if let Some(m) = COMPILED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(pattern)
    {
        return Ok(Some(m.clone()));
    }
    let m = Arc::new(
        GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()?
            .compile_matcher(),
    );
    let mut compiled = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    // A long-lived language server sees every saved version of a file: stay bounded.
    if compiled.len() >= MAX_COMPILED {
        compiled.clear();
    }
    compiled.insert(pattern.to_string(), m.clone());
    Ok(Some(m))
}

/// A compiled `.dockerignore`.
#[derive(Debug, Clone, Default)]
pub struct DockerIgnore {
    patterns: Vec<Pattern>,
    /// The file's own text, so a fix can append to it in its own style.
    pub text: String,
    /// Context-relative path of the file that was read (`.dockerignore` or
    /// `path/Dockerfile.dockerignore`).
    pub file: String,
}

/// A line that is not a valid pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreError {
    pub line: usize,
    pub message: String,
}

impl DockerIgnore {
    pub fn parse(text: &str, file: &str) -> Result<DockerIgnore, IgnoreError> {
        let mut patterns = Vec::new();
        for (idx, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pat) = match line.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, line),
            };
            if pat.is_empty() {
                return Err(IgnoreError {
                    line: idx + 1,
                    message: "`!` without a pattern".into(),
                });
            }
            // filepath.Clean, then relative to the context root.
            let cleaned = join_path("/", pat).trim_start_matches('/').to_string();
            if cleaned.is_empty() {
                continue;
            }
            let matcher = compile(&cleaned).map_err(|e| IgnoreError {
                line: idx + 1,
                message: format!("bad pattern `{pat}`: {}", e.kind()),
            })?;
            patterns.push(Pattern {
                text: cleaned,
                negated,
                matcher,
            });
        }
        Ok(DockerIgnore {
            patterns,
            text: text.to_string(),
            file: file.to_string(),
        })
    }

    /// Whether a context-relative path is excluded from the build context.
    pub fn excludes(&self, path: &str) -> bool {
        self.deciding_pattern(path).is_some_and(|p| !p.negated)
    }

    /// The pattern that excludes `path`, for messages.
    pub fn excluding_pattern(&self, path: &str) -> Option<&str> {
        self.deciding_pattern(path)
            .filter(|p| !p.negated)
            .map(|p| p.text.as_str())
    }

    fn deciding_pattern(&self, path: &str) -> Option<&Pattern> {
        let path = path.trim_start_matches("./").trim_start_matches('/');
        self.patterns
            .iter()
            .rev()
            .find(|p| matches_or_parent(p, path))
    }
}

fn matches_or_parent(m: &Pattern, path: &str) -> bool {
    if m.is_match(path) {
        return true;
    }
    let mut rest = path;
    while let Some(pos) = rest.rfind('/') {
        rest = &rest[..pos];
        if m.is_match(rest) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn di(text: &str) -> DockerIgnore {
        DockerIgnore::parse(text, ".dockerignore").unwrap()
    }

    #[test]
    fn last_match_wins_and_negation_reincludes() {
        let d = di("*\n!go.mod\n!go.sum\n!cmd\n");
        assert!(!d.excludes("go.mod"));
        assert!(!d.excludes("cmd/app/main.go"));
        assert!(d.excludes("vendor/modules.txt"));
        let d = di("!go.sum\n*.sum\n");
        assert!(d.excludes("go.sum"));
    }

    #[test]
    fn star_does_not_cross_directories_but_double_star_does() {
        let d = di("*.sum\n**/testdata\n");
        assert!(d.excludes("go.sum"));
        assert!(!d.excludes("lib/go.sum"));
        assert!(d.excludes("a/b/testdata/x.txt"));
        assert!(d.excludes("testdata/x.txt"));
    }

    #[test]
    fn directories_exclude_their_contents_and_paths_are_cleaned() {
        let d = di("# comment\n/vendor/\n./bin\n");
        assert!(d.excludes("vendor/modules.txt"));
        assert!(d.excludes("bin/app"));
        assert!(!d.excludes("cmd/vendor.go"));
        assert_eq!(d.excluding_pattern("vendor/x"), Some("vendor"));
    }

    #[test]
    fn bad_lines_are_errors_with_line_numbers() {
        let e = DockerIgnore::parse("ok\n!\n", ".dockerignore").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(DockerIgnore::parse("[a-\n", ".dockerignore").is_err());
    }
}
