//! Inline suppressions: `# gomodfix: ignore[GM003]` on the line before an instruction (or at the
//! end of the comment block above it), `# gomodfix: ignore` for every code, and
//! `# gomodfix: ignore-file[GM004]` in the comment block at the top of the file. hadolint's
//! `# hadolint ignore=` comments are neither read nor touched.

use std::ops::Range;

use tree_sitter::{QueryCursor, StreamingIterator};

use crate::syntax::{Dockerfile, queries};

/// One suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The codes it names; empty means every code.
    pub codes: Vec<String>,
    /// Whole file (`ignore-file`) or the next instruction.
    pub file: bool,
    /// The comment's own byte range (without its newline).
    pub range: Range<usize>,
    /// The instruction range it covers (`None` for file suppressions).
    pub target: Option<Range<usize>>,
}

impl Suppression {
    pub fn covers(&self, code: &str, at: usize) -> bool {
        (self.codes.is_empty() || self.codes.iter().any(|c| c.eq_ignore_ascii_case(code)))
            && (self.file
                || self
                    .target
                    .as_ref()
                    .is_some_and(|t| t.contains(&at) || t.start == at))
    }
}

/// Parse `gomodfix: ignore[...]` from a comment's text; `None` when it is not one.
fn parse_comment(text: &str) -> Option<(bool, Vec<String>)> {
    let body = text.trim().strip_prefix('#')?.trim();
    let rest = body.strip_prefix("gomodfix:")?.trim();
    let (file, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
        (true, r)
    } else {
        (false, rest.strip_prefix("ignore")?)
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return Some((file, Vec::new()));
    }
    let inner = rest.strip_prefix('[')?.split(']').next()?;
    let codes = inner
        .split(',')
        .map(|c| c.trim().to_ascii_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    Some((file, codes))
}

/// Every suppression comment of a file.
pub fn suppressions(df: &Dockerfile) -> Vec<Suppression> {
    if !df.source.contains("gomodfix:") {
        return Vec::new();
    }
    let q = queries::queries();
    let mut cursor = QueryCursor::new();
    cursor.set_max_start_depth(Some(0));
    let mut out = Vec::new();
    let first_instruction = df
        .instructions
        .first()
        .map_or(usize::MAX, |i| i.range.start);
    let mut matches = cursor.matches(&q.comments, df.tree.root_node(), df.source.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures {
            let range = c.node.byte_range();
            let text = df.source[range.clone()].trim_end_matches(['\r', '\n']);
            let Some((file, codes)) = parse_comment(text) else {
                continue;
            };
            let range = range.start..range.start + text.len();
            let target = if file {
                None
            } else {
                // The next instruction, with only comments (and blank lines) between.
                df.instructions
                    .iter()
                    .find(|i| i.range.start > range.start)
                    .filter(|i| {
                        df.source[range.end..i.range.start]
                            .lines()
                            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
                    })
                    .map(|i| i.range.clone())
            };
            // ignore-file only in the leading comment block.
            if file && range.start > first_instruction {
                continue;
            }
            out.push(Suppression {
                codes,
                file,
                range,
                target,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!(
            parse_comment("# gomodfix: ignore[GM003, gm004]"),
            Some((false, vec!["GM003".into(), "GM004".into()]))
        );
        assert_eq!(parse_comment("#gomodfix: ignore"), Some((false, vec![])));
        assert_eq!(
            parse_comment("# gomodfix: ignore-file[GM004]"),
            Some((true, vec!["GM004".into()]))
        );
        assert_eq!(parse_comment("# hadolint ignore=DL3008"), None);
        assert_eq!(parse_comment("# gomodfix is great"), None);
    }

    #[test]
    fn targets_the_next_instruction_through_a_comment_block() {
        let df = Dockerfile::parse(
            "# gomodfix: ignore-file[GM004]\nFROM golang:1.22\n# gomodfix: ignore[GM003]\n# hadolint ignore=DL3003\nRUN go build\n# gomodfix: ignore\n\nRUN go test\n",
        );
        let s = suppressions(&df);
        assert_eq!(s.len(), 3);
        assert!(s[0].file);
        assert!(s[1].covers("GM003", df.instructions[1].range.start));
        assert!(!s[1].covers("GM001", df.instructions[1].range.start));
        assert!(s[2].covers("GM001", df.instructions[2].range.start));
    }
}
