//! Reading a build log and normalising it to plain lines: CI prefixes (GitHub Actions and GitLab
//! timestamps, `##[group]`, GitLab section markers), ANSI escapes, CRLF and tty redraws (`\r`),
//! and BuildKit's `--progress=rawjson` (JSON lines of SolveStatus) turned into the lines
//! `--progress=plain` would have printed (`#N [stage i/n] …`, `#N output`, `#N ERROR: …`).

use std::collections::HashMap;

/// The most of a log that is read (the end matters: the error is at the bottom).
pub const MAX_LOG_BYTES: usize = 64 * 1024 * 1024;

/// Decode a log's bytes (invalid UTF-8 replaced) and normalise it.
pub fn normalise(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut raw = RawJson::default();
    let mut out = Vec::new();
    for line in text.split('\n') {
        let line = clean_line(line);
        if line.is_empty() {
            continue;
        }
        if line.starts_with('{') && raw.feed(&line, &mut out) {
            continue;
        }
        out.push(line);
    }
    out
}

/// One physical line of a log as text: the part a terminal would show last, without escapes and
/// CI prefixes.
pub fn clean_line(line: &str) -> String {
    let line = line.strip_suffix('\r').unwrap_or(line);
    // A carriage return inside a line: the terminal shows what came after the last one (tty
    // progress, GitLab `section_start:…\r\e[0K`).
    let line = match line.rfind('\r') {
        Some(i) if !strip_ansi(&line[i + 1..]).trim().is_empty() => &line[i + 1..],
        Some(i) => &line[..i],
        None => line,
    };
    let line = strip_ansi(line);
    let line = strip_ci_prefix(&line);
    let line = line.trim_end();
    if line.starts_with("##[endgroup]") || line.starts_with("::endgroup::") {
        return String::new();
    }
    let line = line
        .strip_prefix("##[group]")
        .or_else(|| line.strip_prefix("::group::"))
        .unwrap_or(line);
    if line.starts_with("section_start:") || line.starts_with("section_end:") {
        return String::new();
    }
    line.to_string()
}

/// Remove ANSI escape sequences (CSI `ESC [ … final`, OSC `ESC ] … BEL|ST`, two-byte `ESC x`).
pub fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                // Parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Strip a CI log prefix: an RFC 3339 timestamp (GitHub Actions `2024-01-01T00:00:00.0000000Z `,
/// GitLab `2024-01-01T00:00:00.000000Z 00O `), GitLab's stream marker after it.
fn strip_ci_prefix(line: &str) -> &str {
    let b = line.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let is_ts = b.len() > 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !is_ts {
        return line;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if b.get(i) == Some(&b'Z') {
        i += 1;
    } else if matches!(b.get(i), Some(b'+' | b'-')) && digits(i + 1..i + 3) {
        i += 6; // +00:00
    } else {
        return line;
    }
    if b.get(i) != Some(&b' ') && i != b.len() {
        return line;
    }
    let rest = line.get(i + 1..).unwrap_or("");
    // GitLab: `00O ` / `01E+` (stream number, O|E, `+` for a continued line).
    let r = rest.as_bytes();
    if r.len() >= 4
        && r[0].is_ascii_digit()
        && r[1].is_ascii_digit()
        && matches!(r[2], b'O' | b'E')
        && matches!(r[3], b' ' | b'+')
    {
        return &rest[4..];
    }
    rest
}

/// `--progress=rawjson`: vertexes get the numbers plain progress would give them, in the order
/// they first appear.
#[derive(Default)]
struct RawJson {
    numbers: HashMap<String, usize>,
    named: HashMap<usize, String>,
    errored: HashMap<usize, String>,
    /// Output not yet ended by a newline, per vertex.
    partial: HashMap<usize, String>,
}

impl RawJson {
    fn number(&mut self, digest: &str) -> usize {
        let n = self.numbers.len() + 1;
        *self.numbers.entry(digest.to_string()).or_insert(n)
    }

    /// Feed one line; false when it is not a SolveStatus object.
    fn feed(&mut self, line: &str, out: &mut Vec<String>) -> bool {
        let Ok(serde_json::Value::Object(obj)) = serde_json::from_str::<serde_json::Value>(line)
        else {
            return false;
        };
        if !["vertexes", "statuses", "logs", "warnings"]
            .iter()
            .any(|k| obj.contains_key(*k))
        {
            return false;
        }
        let list = |k: &str| {
            obj.get(k)
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default()
        };
        for v in list("vertexes") {
            let Some(digest) = v.get("digest").and_then(|d| d.as_str()) else {
                continue;
            };
            let n = self.number(digest);
            if let Some(name) = v.get("name").and_then(|x| x.as_str())
                && !self.named.contains_key(&n)
            {
                self.named.insert(n, name.to_string());
                out.push(format!("#{n} {name}"));
            }
            if let Some(err) = v.get("error").and_then(|x| x.as_str())
                && !err.is_empty()
                && !self.errored.contains_key(&n)
            {
                self.flush(n, out);
                self.errored.insert(n, err.to_string());
                out.push(format!("#{n} ERROR: {err}"));
            }
        }
        for l in list("logs") {
            use base64::Engine;
            let Some(digest) = l.get("vertex").and_then(|d| d.as_str()) else {
                continue;
            };
            let n = self.number(digest);
            let data = l
                .get("data")
                .and_then(|d| d.as_str())
                .and_then(|d| base64::engine::general_purpose::STANDARD.decode(d).ok())
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&data);
            let buf = self.partial.entry(n).or_default();
            buf.push_str(&text);
            while let Some(i) = buf.find('\n') {
                let piece: String = buf.drain(..=i).collect();
                let piece = clean_line(piece.trim_end_matches('\n'));
                if !piece.is_empty() {
                    out.push(format!("#{n} {piece}"));
                }
            }
        }
        true
    }

    fn flush(&mut self, n: usize, out: &mut Vec<String>) {
        if let Some(rest) = self.partial.remove(&n) {
            let rest = clean_line(&rest);
            if !rest.is_empty() {
                out.push(format!("#{n} {rest}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_github_actions_prefixes_and_colours() {
        let log = "2024-01-01T00:00:00.0000000Z ##[group]Run docker build .\r\n\
                   2024-01-01T00:00:01.1234567Z \u{1b}[36m#8 [build 4/4] RUN go build -o /app .\u{1b}[0m\r\n\
                   2024-01-01T00:00:01.2Z ##[endgroup]\r\n";
        assert_eq!(
            normalise(log.as_bytes()),
            vec![
                "Run docker build .",
                "#8 [build 4/4] RUN go build -o /app ."
            ]
        );
    }

    #[test]
    fn strips_gitlab_sections_and_stream_markers() {
        let log = "section_start:1700000000:build_script\r\u{1b}[0K\u{1b}[0K\u{1b}[36;1mExecuting \"step_script\"\u{1b}[0;m\n\
                   2024-03-05T10:05:08.153734Z 01E #5 ERROR: boom\n\
                   section_end:1700000001:build_script\r\u{1b}[0K\n";
        assert_eq!(
            normalise(log.as_bytes()),
            vec!["Executing \"step_script\"", "#5 ERROR: boom"]
        );
    }

    #[test]
    fn rawjson_becomes_plain_lines() {
        use base64::Engine;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let log = format!(
            "{{\"vertexes\":[{{\"digest\":\"sha256:aa\",\"name\":\"[build 4/4] RUN go build -o /app .\",\"started\":\"2024-01-01T00:00:00Z\"}}]}}\n\
             {{\"logs\":[{{\"vertex\":\"sha256:aa\",\"stream\":2,\"data\":\"{}\",\"timestamp\":\"2024-01-01T00:00:00Z\"}}]}}\n\
             {{\"logs\":[{{\"vertex\":\"sha256:aa\",\"stream\":2,\"data\":\"{}\",\"timestamp\":\"2024-01-01T00:00:00Z\"}}]}}\n\
             {{\"vertexes\":[{{\"digest\":\"sha256:aa\",\"name\":\"[build 4/4] RUN go build -o /app .\",\"error\":\"process did not complete successfully: exit code: 1\"}}]}}\n",
            b64("go: go.mod file not found in current "),
            b64("directory or any parent directory; see 'go help modules'\n"),
        );
        assert_eq!(
            normalise(log.as_bytes()),
            vec![
                "#1 [build 4/4] RUN go build -o /app .",
                "#1 go: go.mod file not found in current directory or any parent directory; see 'go help modules'",
                "#1 ERROR: process did not complete successfully: exit code: 1",
            ]
        );
    }

    #[test]
    fn tty_redraws_keep_the_last_text() {
        assert_eq!(clean_line("old text\r\u{1b}[2Knew text\r"), "new text");
        assert_eq!(clean_line("kept\r\u{1b}[0K"), "kept");
    }

    #[test]
    fn json_that_is_not_progress_stays_text() {
        assert_eq!(normalise(b"{\"a\": 1}\n"), vec!["{\"a\": 1}"]);
    }
}
