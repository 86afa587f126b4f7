//! Unified diffs with `a/` and `b/` file headers that `git apply -p1` and `patch -p1` accept.

use similar::TextDiff;

/// A unified diff of `old` → `new` for `path` (relative to where the patch is applied), empty when
/// nothing changed.
pub fn unified(path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    out.push_str(&format!("--- a/{path}\n+++ b/{path}\n"));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.header().to_string());
        out.push('\n');
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
            };
            out.push(sign);
            out.push_str(change.value());
            if change.missing_newline() {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// Colour a diff for a terminal: removed lines red, added green, hunk headers cyan.
pub fn colorize(diff: &str) -> String {
    let mut out = String::with_capacity(diff.len() + 256);
    for line in diff.split_inclusive('\n') {
        let color = if line.starts_with("+++") || line.starts_with("---") {
            "\x1b[1m"
        } else if line.starts_with('+') {
            "\x1b[32m"
        } else if line.starts_with('-') {
            "\x1b[31m"
        } else if line.starts_with("@@") {
            "\x1b[36m"
        } else {
            ""
        };
        if color.is_empty() {
            out.push_str(line);
        } else {
            let body = line.trim_end_matches('\n');
            out.push_str(color);
            out.push_str(body);
            out.push_str("\x1b[0m");
            out.push_str(&line[body.len()..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_missing_newline() {
        let d = unified("x/Dockerfile", "FROM a\nRUN b", "FROM a\nENV X=1\nRUN b");
        assert!(d.starts_with("--- a/x/Dockerfile\n+++ b/x/Dockerfile\n@@ -1,2 +1,3 @@\n"));
        assert!(d.contains("+ENV X=1\n"));
        assert!(d.ends_with(" RUN b\n\\ No newline at end of file\n"));
        assert_eq!(unified("p", "same", "same"), "");
    }
}
