//! Path and line utilities: joining image paths, byte offset → line and column ([`LineIndex`]),
//! and the line arithmetic edits need (whole lines, indentation, logical lines).

use std::ops::Range;

use super::model::Dockerfile;

/// Join an absolute or relative path onto a directory, normalising `.` and `..`.
pub fn join_path(base: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

impl Dockerfile {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, offset)
    }

    /// Start of the line containing `offset`.
    pub fn line_start(&self, offset: usize) -> usize {
        line_start(&self.source, offset)
    }

    /// Just after the line ending of the line containing `offset` (or the end of the file).
    pub fn next_line_start(&self, offset: usize) -> usize {
        self.source[offset..]
            .find('\n')
            .map_or(self.source.len(), |p| offset + p + 1)
    }

    /// The whole lines `range` lies on, line ending included: what to delete to remove them. On
    /// the last line of a file without a final newline, the newline before it goes instead (and
    /// any blank lines before that), so the file keeps ending the way it did.
    pub fn whole_lines(&self, range: Range<usize>) -> Range<usize> {
        let start = self.line_start(range.start);
        let end = self.next_line_start(range.end);
        if end == self.source.len() && !self.source.ends_with('\n') && start > 0 {
            let mut from = start;
            loop {
                let before = &self.source[..from];
                let newline = if before.ends_with("\r\n") {
                    2
                } else if before.ends_with('\n') {
                    1
                } else {
                    break;
                };
                from -= newline;
                // Stop once the text before is a line with content (or the file's start).
                if from == 0 || !self.source[..from].ends_with('\n') {
                    break;
                }
            }
            return from..end;
        }
        start..end
    }

    /// The indentation in front of the instruction at `offset`.
    pub fn indent_at(&self, offset: usize) -> &str {
        let start = self.line_start(offset);
        let line = &self.source[start..offset];
        let trimmed = line.len() - line.trim_start().len();
        &line[..trimmed]
    }
}

/// The end of the logical line that starts at `start`: lines ending in the escape character
/// continue, and comment or blank lines inside a continuation are skipped (as Docker does).
pub(super) fn logical_line_end(src: &str, start: usize, escape: char) -> usize {
    let mut pos = start;
    let mut continued = false;
    loop {
        let line_end = src[pos..].find('\n').map_or(src.len(), |p| pos + p);
        let line = src[pos..line_end].trim_end_matches('\r');
        let trimmed = line.trim();
        let skip = continued && (trimmed.is_empty() || trimmed.starts_with('#'));
        if !skip {
            continued = line.trim_end().ends_with(escape);
            if !continued {
                return line_end;
            }
        }
        if line_end >= src.len() {
            return src.len();
        }
        pos = line_end + 1;
    }
}

/// 1-based line and column (in characters) of a byte offset. Scans the text up to `offset`: for
/// many lookups in one text, build a [`LineIndex`] once.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    (
        line_number(source, offset),
        column(source, line_start(source, offset), offset),
    )
}

/// 1-based line of a byte offset (scanning the text up to it, like [`line_col`]).
pub fn line_number(source: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    source[..offset].matches('\n').count() + 1
}

/// Start of the line containing `offset` (an offset past the end or inside a character is
/// taken back to the nearest boundary).
pub fn line_start(source: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    source[..offset].rfind('\n').map_or(0, |p| p + 1)
}

/// 1-based column (in characters) of `offset` on the line starting at `line_start`.
fn column(source: &str, line_start: usize, offset: usize) -> usize {
    source[line_start..offset].chars().count() + 1
}

/// The line starts of one text, for many line/column lookups in it. It belongs to the text it
/// was built from (the caller keeps the two together; nothing is cached behind their back).
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(source: &str) -> LineIndex {
        LineIndex {
            starts: std::iter::once(0)
                .chain(source.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        }
    }

    /// 1-based line and column (in characters) of `offset` in `source`, the text this index was
    /// built from.
    pub fn line_col(&self, source: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(source, offset.min(source.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, column(source, self.starts[line - 1], offset))
    }
}

/// The largest char boundary at or before `offset` (an offset inside a UTF-8 character would
/// panic when slicing).
pub fn floor_char_boundary(source: &str, mut offset: usize) -> usize {
    while offset > 0 && !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
