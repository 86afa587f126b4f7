//! Shell-word splitting of RUN bodies, enough to find the commands a RUN invokes.
//!
//! This is not a shell parser: it splits a script into simple commands at `&&`, `||`, `;`, `|`,
//! `&`, parentheses and newlines, removes quoting from words, keeps `$(…)`, `${…}` and backticks
//! inside the word they belong to, and records the source byte range of every word so that rules
//! can edit the original text. Dockerfile line continuations (with the file's escape character)
//! and the comment lines Docker drops inside a continued instruction are skipped.

use std::ops::Range;

/// One shell word: its text with quotes removed, and where it stands in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub range: Range<usize>,
}

/// `NAME=value` in front of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    pub value: String,
    /// The whole `NAME=value` word.
    pub range: Range<usize>,
}

/// A simple command: the words between two separators, with leading `K=V` assignments and
/// shell keywords (`if`, `then`, `do`, …) split off.
#[derive(Debug, Clone, Default)]
pub struct Command {
    pub assignments: Vec<Assignment>,
    pub words: Vec<Word>,
    /// Range covering the whole command including its assignments.
    pub range: Range<usize>,
}

/// How line continuations look in the text being split.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// A shell-form RUN: the Dockerfile's escape character continues lines, and comment lines
    /// inside the continuation are removed by Docker before the shell sees them.
    Dockerfile { escape: char },
    /// A heredoc body: a plain shell script, backslash-newline continues.
    Script,
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
    "exec", "sudo", "command", "nohup",
];

/// Split `src[range]` into simple commands.
pub fn split_commands(src: &str, range: Range<usize>, mode: Mode) -> Vec<Command> {
    let lexer = Lexer {
        src,
        bytes: src.as_bytes(),
        end: range.end.min(src.len()),
        mode,
    };
    let mut commands = Vec::new();
    let mut current: Vec<Word> = Vec::new();
    let mut i = range.start;
    let flush = |current: &mut Vec<Word>, commands: &mut Vec<Command>| {
        if !current.is_empty() {
            commands.push(make_command(std::mem::take(current)));
        }
    };
    while i < lexer.end {
        if let Some(next) = lexer.continuation(i) {
            i = next;
            continue;
        }
        let c = lexer.bytes[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\n' => {
                flush(&mut current, &mut commands);
                i += 1;
            }
            b'#' => {
                // A comment runs to the end of the line.
                while i < lexer.end && lexer.bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b';' | b'&' | b'|' | b'(' | b')' => {
                flush(&mut current, &mut commands);
                i += 1;
            }
            _ => {
                let (word, next) = lexer.word(i);
                current.push(word);
                i = next;
            }
        }
    }
    flush(&mut current, &mut commands);
    commands
}

fn make_command(words: Vec<Word>) -> Command {
    let range = words[0].range.start..words[words.len() - 1].range.end;
    let mut assignments = Vec::new();
    let mut rest = words.as_slice();
    while let Some(first) = rest.first() {
        if KEYWORDS.contains(&first.text.as_str()) || first.text == "env" {
            rest = &rest[1..];
        } else if let Some((k, v)) = assignment(&first.text) {
            assignments.push(Assignment {
                name: k.to_string(),
                value: v.to_string(),
                range: first.range.clone(),
            });
            rest = &rest[1..];
        } else {
            break;
        }
    }
    Command {
        assignments,
        words: rest.to_vec(),
        range,
    }
}

/// `NAME=value` where NAME is a shell identifier.
pub fn assignment(word: &str) -> Option<(&str, &str)> {
    let (k, v) = word.split_once('=')?;
    let mut chars = k.chars();
    let first = chars.next()?;
    if (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        Some((k, v))
    } else {
        None
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    end: usize,
    mode: Mode,
}

impl Lexer<'_> {
    /// If a line continuation starts at `i`, the index just after it (and after any comment or
    /// empty lines Docker drops inside a continued instruction).
    fn continuation(&self, i: usize) -> Option<usize> {
        let cont = match self.mode {
            Mode::Dockerfile { escape } => escape as u8,
            Mode::Script => b'\\',
        };
        if self.bytes[i] != cont {
            return None;
        }
        let mut j = i + 1;
        while j < self.end && matches!(self.bytes[j], b' ' | b'\t' | b'\r') {
            j += 1;
        }
        if j >= self.end {
            // The escape character ends the instruction text: nothing follows.
            return (j > i + 1 || j == self.end).then_some(self.end);
        }
        if self.bytes[j] != b'\n' {
            return None;
        }
        j += 1;
        if let Mode::Dockerfile { .. } = self.mode {
            // Skip comment lines and empty lines inside the continuation.
            loop {
                let line_start = j;
                let mut k = j;
                while k < self.end && matches!(self.bytes[k], b' ' | b'\t') {
                    k += 1;
                }
                let line_end = self.bytes[k..self.end]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map(|p| k + p);
                let is_comment = k < self.end && self.bytes[k] == b'#';
                let is_empty = k < self.end && (self.bytes[k] == b'\n' || self.bytes[k] == b'\r');
                match (is_comment || is_empty, line_end) {
                    (true, Some(e)) => j = e + 1,
                    _ => {
                        j = line_start;
                        break;
                    }
                }
            }
        }
        Some(j)
    }

    fn push_char(&self, i: usize, out: &mut String) -> usize {
        let ch = self.src[i..].chars().next().unwrap_or('\u{fffd}');
        out.push(ch);
        i + ch.len_utf8().max(1)
    }

    /// Read one word starting at `start`.
    fn word(&self, start: usize) -> (Word, usize) {
        let mut text = String::new();
        let mut i = start;
        let mut last = start;
        while i < self.end {
            if let Some(next) = self.continuation(i) {
                i = next;
                continue;
            }
            let c = self.bytes[i];
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' => break,
                b'\'' => {
                    i += 1;
                    while i < self.end && self.bytes[i] != b'\'' {
                        i = self.push_char(i, &mut text);
                    }
                    i = (i + 1).min(self.end);
                }
                b'"' => {
                    i += 1;
                    while i < self.end && self.bytes[i] != b'"' {
                        if let Some(next) = self.continuation(i) {
                            i = next;
                        } else if self.bytes[i] == b'\\'
                            && i + 1 < self.end
                            && matches!(self.bytes[i + 1], b'"' | b'\\' | b'$' | b'`')
                        {
                            i = self.push_char(i + 1, &mut text);
                        } else {
                            i = self.push_char(i, &mut text);
                        }
                    }
                    i = (i + 1).min(self.end);
                }
                b'\\' if i + 1 < self.end => {
                    i = self.push_char(i + 1, &mut text);
                }
                b'$' if i + 1 < self.end && matches!(self.bytes[i + 1], b'(' | b'{') => {
                    let (open, close) = if self.bytes[i + 1] == b'(' {
                        (b'(', b')')
                    } else {
                        (b'{', b'}')
                    };
                    let from = i;
                    let mut depth = 0usize;
                    i += 1;
                    while i < self.end {
                        let b = self.bytes[i];
                        if b == open {
                            depth += 1;
                        } else if b == close {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        i += 1;
                    }
                    text.push_str(&self.src[from..i]);
                }
                b'`' => {
                    let from = i;
                    i += 1;
                    while i < self.end && self.bytes[i] != b'`' {
                        i += 1;
                    }
                    i = (i + 1).min(self.end);
                    text.push_str(&self.src[from..i]);
                }
                _ => i = self.push_char(i, &mut text),
            }
            last = i;
        }
        (
            Word {
                text,
                range: start..last,
            },
            i,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str, mode: Mode) -> Vec<Vec<String>> {
        split_commands(src, 0..src.len(), mode)
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.text).collect())
            .collect()
    }

    const DF: Mode = Mode::Dockerfile { escape: '\\' };

    #[test]
    fn splits_chains_and_keeps_ranges() {
        let src = "go mod download && CGO_ENABLED=0 go build -o /app ./cmd/x; echo ok";
        let cmds = split_commands(src, 0..src.len(), DF);
        assert_eq!(cmds.len(), 3);
        assert_eq!(cmds[1].assignments[0].name, "CGO_ENABLED");
        assert_eq!(&src[cmds[1].assignments[0].range.clone()], "CGO_ENABLED=0");
        assert_eq!(cmds[1].words[0].text, "go");
        assert_eq!(&src[cmds[1].words[1].range.clone()], "build");
    }

    #[test]
    fn continuation_and_comment_lines_are_skipped() {
        let src = "apk add git \\\n  # a comment\n  && go build \\  \n   -o /app .";
        assert_eq!(
            words(src, DF),
            vec![
                vec!["apk", "add", "git"],
                vec!["go", "build", "-o", "/app", "."]
            ]
        );
    }

    #[test]
    fn backtick_escape_continues_lines() {
        let src = "go mod download && `\r\n    go build .";
        assert_eq!(
            words(src, Mode::Dockerfile { escape: '`' }),
            vec![vec!["go", "mod", "download"], vec!["go", "build", "."]]
        );
    }

    #[test]
    fn quotes_are_removed_and_substitutions_kept() {
        let src = r#"go build -ldflags "-X main.v=$(git describe) -s" -o 'my app' ${OUT:-x}"#;
        assert_eq!(
            words(src, DF),
            vec![vec![
                "go",
                "build",
                "-ldflags",
                "-X main.v=$(git describe) -s",
                "-o",
                "my app",
                "${OUT:-x}"
            ]]
        );
    }

    #[test]
    fn keywords_and_test_brackets() {
        let src = "if [ \"$X\" = 1 ]; then go build .; fi";
        let w = words(src, DF);
        assert_eq!(w[0], vec!["[", "$X", "=", "1", "]"]);
        assert_eq!(w[1], vec!["go", "build", "."]);
    }

    #[test]
    fn script_mode_splits_lines_and_comments() {
        let src = "set -e\n# build it\ngo build \\\n  ./...\n";
        assert_eq!(
            words(src, Mode::Script),
            vec![vec!["set", "-e"], vec!["go", "build", "./..."]]
        );
    }
}
