//! LSP positions (line, UTF-16 column) ↔ byte offsets, and file URIs ↔ paths.

use std::path::{Path, PathBuf};

use lsp_types::Position;

use crate::syntax::{floor_char_boundary, line_number, line_start};

/// The LSP position of a byte offset (columns in UTF-16 code units, the protocol's default).
pub fn offset_to_position(text: &str, offset: usize) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let line = line_number(text, offset) - 1;
    let line_start = line_start(text, offset);
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, character as u32)
}

/// The byte offset of an LSP position; positions past a line's end clamp to it.
pub fn position_to_offset(text: &str, pos: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..pos.line {
        match text[line_start..].find('\n') {
            Some(p) => line_start += p + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |p| line_start + p);
    let mut units = 0;
    for (i, c) in text[line_start..line_end].char_indices() {
        if units >= pos.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_end
}

/// `file:///a%20b/Dockerfile` → `/a b/Dockerfile`; `None` for other schemes.
pub fn uri_to_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    Some(PathBuf::from(String::from_utf8(out).ok()?))
}

/// A path as a `file://` URI, percent-encoding what a URI path cannot hold.
pub fn path_to_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_with_utf16_columns() {
        let text = "FROM a\nLABEL x=\"héllo 😀\"\r\nRUN go build";
        for offset in [0, 3, 7, 15, 16, 22, text.len()] {
            let p = offset_to_position(text, offset);
            assert_eq!(position_to_offset(text, p), offset, "{offset} {p:?}");
        }
        // The emoji is two UTF-16 units.
        let after_emoji = text.find("\"\r\n").unwrap();
        assert_eq!(offset_to_position(text, after_emoji), Position::new(1, 17));
        assert_eq!(position_to_offset(text, Position::new(9, 0)), text.len());
        assert_eq!(position_to_offset(text, Position::new(0, 99)), 6);
    }

    #[test]
    fn uris() {
        assert_eq!(
            uri_to_path("file:///tmp/a%20b/Dockerfile"),
            Some(PathBuf::from("/tmp/a b/Dockerfile"))
        );
        assert_eq!(uri_to_path("untitled:Dockerfile"), None);
        assert_eq!(
            path_to_uri(Path::new("/tmp/a b/Dockerfile")),
            "file:///tmp/a%20b/Dockerfile"
        );
    }
}
