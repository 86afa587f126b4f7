//! The simple commands of a RUN body or a shell script, found with the tree-sitter bash grammar.
//!
//! The text is first turned into what the shell sees: Dockerfile line continuations (with the
//! file's escape character) and the comment lines Docker drops inside a continued instruction
//! are removed, and the string of an exec-form `["sh", "-c", "…"]` is JSON-decoded, keeping for
//! every byte of the result the offset it came from. tree-sitter-bash parses that text; each
//! `command` (also inside `if`, loops, `{ }`, subshells and pipelines) becomes a [`Command`] of
//! unquoted words with byte ranges back into the original text, so that rules can edit it. The
//! commands inside `$(…)` and backticks stay part of the word they belong to.

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::{Node, Parser};

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

/// A simple command: its words, with leading `K=V` assignments and the wrappers `exec`, `sudo`,
/// `env`, `nohup`, `time`, `command` split off.
#[derive(Debug, Clone, Default)]
pub struct Command {
    pub assignments: Vec<Assignment>,
    pub words: Vec<Word>,
    /// Range covering the whole command including its assignments.
    pub range: Range<usize>,
    /// The command runs only under a condition: inside `if`/`case`/a loop, or after `||`.
    pub conditional: bool,
}

/// How the text being split is written.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// A shell-form RUN: the Dockerfile's escape character continues lines, and comment lines
    /// inside the continuation are removed by Docker before the shell sees them.
    Dockerfile { escape: char },
    /// A heredoc body or a script file: a plain shell script, backslash-newline continues.
    Script,
    /// The inside of a JSON string (exec form `["sh", "-c", "…"]`): JSON escapes are decoded.
    Json,
}

const WRAPPERS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
    "exec", "sudo", "command", "nohup",
];

thread_local! {
    static BASH: RefCell<Parser> = RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_bash::LANGUAGE.into())
            .expect("tree-sitter-bash matches the tree-sitter version");
        p
    });
}

/// The text the shell sees, and for each of its bytes the range in the original text it came
/// from (a decoded JSON escape: the whole escape).
struct Cleaned {
    text: String,
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// The original offset just past the text.
    end: usize,
}

impl Cleaned {
    /// Original range of a range of the cleaned text: from its first byte to just after its last.
    fn range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.starts.get(r.start).copied().unwrap_or(self.end);
        if r.end <= r.start {
            return start..start;
        }
        start..self.ends[r.end - 1].max(start)
    }
}

fn clean(src: &str, range: Range<usize>, mode: Mode) -> Cleaned {
    let end = range.end.min(src.len());
    let bytes = src.as_bytes();
    let cap = end.saturating_sub(range.start);
    let mut out = Cleaned {
        text: String::with_capacity(cap),
        starts: Vec::with_capacity(cap),
        ends: Vec::with_capacity(cap),
        end,
    };
    let mut i = range.start;
    let lexer = Lexer { bytes, end, mode };
    while i < end {
        if !matches!(mode, Mode::Json)
            && let Some(next) = lexer.continuation(i)
        {
            i = next;
            continue;
        }
        let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
        let len = ch.len_utf8();
        if matches!(mode, Mode::Json) && ch == '\\' && i + 1 < end {
            let (decoded, elen) = match bytes[i + 1] {
                b'n' => ('\n', 2),
                b't' => ('\t', 2),
                b'r' => ('\r', 2),
                b'b' => ('\u{8}', 2),
                b'f' => ('\u{c}', 2),
                b'u' if i + 6 <= end && src.is_char_boundary(i + 6) => (
                    u32::from_str_radix(&src[i + 2..i + 6], 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or('\u{fffd}'),
                    6,
                ),
                b if b.is_ascii() => (b as char, 2),
                _ => ('\\', 1),
            };
            let mut buf = [0u8; 4];
            let s = decoded.encode_utf8(&mut buf);
            out.text.push_str(s);
            for _ in 0..s.len() {
                out.starts.push(i);
                out.ends.push(i + elen);
            }
            i += elen;
            continue;
        }
        out.text.push_str(&src[i..i + len]);
        for k in 0..len {
            out.starts.push(i + k);
            out.ends.push(i + k + 1);
        }
        i += len;
    }
    out
}

/// Whether `src[range]` parses as shell without errors.
pub fn parses_cleanly(src: &str, range: Range<usize>, mode: Mode) -> bool {
    let cleaned = clean(src, range, mode);
    !parse_cached(&cleaned.text).has_error
}

/// Split `src[range]` into simple commands.
pub fn split_commands(src: &str, range: Range<usize>, mode: Mode) -> Vec<Command> {
    let cleaned = clean(src, range, mode);
    if cleaned.text.trim().is_empty() {
        return Vec::new();
    }
    let parsed = parse_cached(&cleaned.text);
    parsed
        .commands
        .iter()
        .map(|(words, conditional)| {
            let mut c = make_command(
                words
                    .iter()
                    .map(|w| Word {
                        text: w.text.clone(),
                        range: cleaned.range(w.range.clone()),
                    })
                    .collect(),
            );
            c.conditional = *conditional;
            c
        })
        .collect()
}

/// The words of each command of a shell text, with ranges into that text, and whether it runs
/// only under a condition.
struct Parsed {
    commands: Vec<(Vec<Word>, bool)>,
    has_error: bool,
}

thread_local! {
    /// Shell texts already parsed on this thread: the fix loop parses the same RUNs again after
    /// each round of edits, and the RUNs of a monorepo's Dockerfiles repeat.
    static CACHE: RefCell<std::collections::HashMap<String, std::rc::Rc<Parsed>>> =
        RefCell::new(std::collections::HashMap::new());
}

fn parse_cached(text: &str) -> std::rc::Rc<Parsed> {
    if let Some(p) = CACHE.with(|c| c.borrow().get(text).cloned()) {
        return p;
    }
    let parsed = std::rc::Rc::new(parse_text(text));
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 4096 {
            c.clear();
        }
        c.insert(text.to_string(), parsed.clone());
    });
    parsed
}

fn parse_text(text: &str) -> Parsed {
    let Some(tree) = BASH.with(|p| p.borrow_mut().parse(text, None)) else {
        return Parsed {
            commands: Vec::new(),
            has_error: true,
        };
    };
    let mut commands = Vec::new();
    let walker = Walker { text };
    // Depth-first, children in order: commands come out in source order.
    // With each node: whether it runs only under a condition (inside `if`, `case`, a loop, or
    // on the right of `||`), passed down as the walk goes.
    let mut stack = vec![(tree.root_node(), false)];
    let mut cursor = tree.walk();
    while let Some((node, cond)) = stack.pop() {
        match node.kind() {
            "command" => {
                let words = walker.command_words(node);
                if !words.is_empty() {
                    commands.push((words, cond));
                }
                // `(cd x && go build)` as a command's child is not a thing in bash, but
                // subshells can appear as children after errors: look inside them.
                let mut c = node.walk();
                let subs: Vec<(Node, bool)> = node
                    .named_children(&mut c)
                    .filter(|n| n.kind() == "subshell")
                    .map(|n| (n, cond))
                    .collect();
                stack.extend(subs.into_iter().rev());
            }
            "declaration_command" | "unset_command" => {
                let mut words = Vec::new();
                if let Some(kw) = node.child(0) {
                    words.push(walker.word(kw));
                }
                let mut c = node.walk();
                words.extend(node.named_children(&mut c).map(|n| walker.word(n)));
                if !words.is_empty() {
                    commands.push((words, cond));
                }
            }
            "variable_assignment" => commands.push((vec![walker.word(node)], cond)),
            "variable_assignments" => {
                let mut c = node.walk();
                let words: Vec<Word> = node
                    .named_children(&mut c)
                    .filter(|n| n.kind() == "variable_assignment")
                    .map(|n| walker.word(n))
                    .collect();
                if !words.is_empty() {
                    commands.push((words, cond));
                }
            }
            // Not commands of the RUN: `[ … ]`/`[[ … ]]` tests, comments, heredoc bodies,
            // and the words of substitutions outside a command.
            "test_command"
            | "comment"
            | "heredoc_body"
            | "heredoc_redirect"
            | "command_substitution"
            | "process_substitution"
            | "string"
            | "raw_string"
            | "word"
            | "expansion"
            | "simple_expansion"
            | "arithmetic_expansion" => {}
            kind => {
                let under = cond
                    || matches!(
                        kind,
                        "if_statement"
                            | "case_statement"
                            | "while_statement"
                            | "for_statement"
                            | "c_style_for_statement"
                    );
                // `a || b`: b runs only when a fails.
                let mut after_or = false;
                let kids: Vec<(Node, bool)> = node
                    .children(&mut cursor)
                    .filter_map(|k| {
                        if kind == "list" && k.kind() == "||" {
                            after_or = true;
                        }
                        k.is_named().then_some((k, under || after_or))
                    })
                    .collect();
                stack.extend(kids.into_iter().rev());
            }
        }
    }
    Parsed {
        commands,
        has_error: tree.root_node().has_error(),
    }
}

struct Walker<'a> {
    text: &'a str,
}

impl Walker<'_> {
    /// The words of a `command` node: assignments in front, the name, the arguments
    /// (redirections left out).
    fn command_words(&self, node: Node) -> Vec<Word> {
        let mut words = Vec::new();
        let mut c = node.walk();
        if !c.goto_first_child() {
            return words;
        }
        loop {
            let child = c.node();
            let field = c.field_name();
            match (field, child.kind()) {
                (Some("redirect"), _) => {}
                (_, "variable_assignment") => words.push(self.word(child)),
                (_, "command_name") => words.push(self.word(child)),
                (Some("argument"), _) => words.push(self.word(child)),
                _ => {}
            }
            if !c.goto_next_sibling() {
                break;
            }
        }
        words
    }

    /// A word node as the command receives it: quotes and backslashes removed, expansions and
    /// substitutions kept as written.
    fn word(&self, node: Node) -> Word {
        let mut text = String::new();
        self.unquote(node, &mut text);
        Word {
            text,
            range: node.byte_range(),
        }
    }

    fn unquote(&self, node: Node, out: &mut String) {
        let raw = &self.text[node.byte_range()];
        match node.kind() {
            "command_name" | "concatenation" | "variable_assignment" => {
                // Children in order, with any text between them (`=` of an assignment) as is.
                let mut pos = node.start_byte();
                let mut c = node.walk();
                for child in node.children(&mut c) {
                    if child.start_byte() > pos {
                        out.push_str(&self.text[pos..child.start_byte()]);
                    }
                    if child.is_named() {
                        self.unquote(child, out);
                    } else {
                        out.push_str(&self.text[child.byte_range()]);
                    }
                    pos = child.end_byte();
                }
                if node.end_byte() > pos {
                    out.push_str(&self.text[pos..node.end_byte()]);
                }
            }
            "word" | "number" => unescape(raw, out),
            "string" => {
                let inner = raw
                    .strip_prefix('"')
                    .map(|r| r.strip_suffix('"').unwrap_or(r))
                    .unwrap_or(raw);
                let mut chars = inner.chars().peekable();
                while let Some(ch) = chars.next() {
                    if ch == '\\'
                        && let Some(&next) = chars.peek()
                        && matches!(next, '"' | '\\' | '$' | '`')
                    {
                        out.push(next);
                        chars.next();
                    } else {
                        out.push(ch);
                    }
                }
            }
            "raw_string" => out.push_str(
                raw.strip_prefix('\'')
                    .map(|r| r.strip_suffix('\'').unwrap_or(r))
                    .unwrap_or(raw),
            ),
            "ansi_c_string" => out.push_str(
                raw.strip_prefix("$'")
                    .map(|r| r.strip_suffix('\'').unwrap_or(r))
                    .unwrap_or(raw),
            ),
            _ => out.push_str(raw),
        }
    }
}

/// Backslash escapes of an unquoted word: `\x` is `x`.
fn unescape(raw: &str, out: &mut String) {
    let mut chars = raw.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(ch);
        }
    }
}

fn make_command(words: Vec<Word>) -> Command {
    let range = words[0].range.start..words[words.len() - 1].range.end;
    let mut assignments = Vec::new();
    let mut rest = words.as_slice();
    while let Some(first) = rest.first() {
        if WRAPPERS.contains(&first.text.as_str()) || first.text == "env" {
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
        conditional: false,
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
            Mode::Script | Mode::Json => b'\\',
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
        // `[ … ]` is a test, not a command the RUN invokes.
        let src = "if [ \"$X\" = 1 ]; then go build .; fi";
        assert_eq!(words(src, DF), vec![vec!["go", "build", "."]]);
    }

    #[test]
    fn backticks_inside_double_quotes_and_nested_substitutions() {
        let src = "go build -ldflags \"-X main.date=`date` -X main.v=$(cat \"x\")\" -o /app . && echo $(echo $(date)) done";
        let cmds = split_commands(src, 0..src.len(), DF);
        let w: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.as_str()).collect())
            .collect();
        assert_eq!(
            w,
            vec![
                vec![
                    "go",
                    "build",
                    "-ldflags",
                    "-X main.date=`date` -X main.v=$(cat \"x\")",
                    "-o",
                    "/app",
                    "."
                ],
                vec!["echo", "$(echo $(date))", "done"],
            ]
        );
        assert_eq!(
            &src[cmds[0].words[3].range.clone()],
            "\"-X main.date=`date` -X main.v=$(cat \"x\")\""
        );
        assert_eq!(
            &src[cmds[0].range.clone()],
            &src[..src.find(" &&").unwrap()]
        );
    }

    #[test]
    fn ranges_map_across_continuations() {
        let src = "CGO_ENABLED=0 \\\n    go build \\\n    -o /app .";
        let cmds = split_commands(src, 0..src.len(), DF);
        assert_eq!(cmds.len(), 1);
        assert_eq!(&src[cmds[0].range.clone()], src);
        assert_eq!(&src[cmds[0].words[2].range.clone()], "-o");
        assert_eq!(&src[cmds[0].assignments[0].range.clone()], "CGO_ENABLED=0");
    }

    #[test]
    fn exports_bare_assignments_wrappers_and_redirects() {
        let src = "export GOOS=linux; GOARCH=arm64; sudo -E true; env A=1 go build . > /dev/null 2>&1 | tee log";
        let cmds = split_commands(src, 0..src.len(), DF);
        assert_eq!(
            cmds[0]
                .words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>(),
            ["export", "GOOS=linux"]
        );
        assert!(cmds[1].words.is_empty());
        assert_eq!(cmds[1].assignments[0].name, "GOARCH");
        assert_eq!(cmds[2].words[0].text, "-E");
        assert_eq!(cmds[3].assignments[0].name, "A");
        assert_eq!(
            cmds[3]
                .words
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>(),
            ["go", "build", "."]
        );
        assert_eq!(cmds[4].words[0].text, "tee");
    }

    #[test]
    fn json_strings_are_decoded_with_ranges_into_the_source() {
        let src = r#"go build -ldflags \"-s -w\" -o /app\u00e9x ."#;
        let cmds = split_commands(src, 0..src.len(), Mode::Json);
        let c = &cmds[0];
        assert_eq!(c.words[3].text, "-s -w");
        assert_eq!(&src[c.words[3].range.clone()], r#"\"-s -w\""#);
        assert_eq!(c.words[5].text, "/appéx");
        assert_eq!(&src[c.words[5].range.clone()], r"/app\u00e9x");
    }

    #[test]
    fn subshells_loops_and_heredocs_in_scripts() {
        let src = "(cd cmd && go build .)\nfor d in a b; do go test ./$d; done\ncat <<EOF > f\ngo build nope\nEOF\n";
        assert_eq!(
            words(src, Mode::Script),
            vec![
                vec!["cd", "cmd"],
                vec!["go", "build", "."],
                vec!["go", "test", "./$d"],
                vec!["cat"],
            ]
        );
    }

    #[test]
    fn script_mode_splits_lines_and_comments() {
        let src = "set -e\n# build it\ngo build \\\n  ./...\n";
        assert_eq!(
            words(src, Mode::Script),
            vec![vec!["set", "-e"], vec!["go", "build", "./..."]]
        );
    }

    #[test]
    fn commands_under_a_condition() {
        let src = "apk add git && if [ ! -f app ]; then go build -o app .; fi; make || go run . ; for f in a b; do go vet $f; done; go test ./...";
        let cmds = split_commands(src, 0..src.len(), Mode::Script);
        let flags: Vec<(String, bool)> = cmds
            .iter()
            .map(|c| {
                (
                    c.words[0].text.clone()
                        + " "
                        + &c.words.get(1).map_or(String::new(), |w| w.text.clone()),
                    c.conditional,
                )
            })
            .collect();
        assert_eq!(
            flags,
            [
                ("apk add".to_string(), false),
                ("go build".to_string(), true),
                ("make ".to_string(), false),
                ("go run".to_string(), true),
                ("go vet".to_string(), true),
                ("go test".to_string(), false),
            ]
        );
    }

    #[test]
    fn wrappers_and_compound_commands() {
        let src = "time go build .; ! go vet ./...; { go test ./...; }; nohup go run . & exec go version; command go env; while false; do go list; done; case x in x) go mod tidy;; esac";
        let firsts: Vec<String> = split_commands(src, 0..src.len(), DF)
            .into_iter()
            .filter(|c| c.words.first().is_some_and(|w| w.text == "go"))
            .map(|c| c.words[1].text.clone())
            .collect();
        assert_eq!(
            firsts,
            [
                "build", "vet", "test", "run", "version", "env", "list", "mod"
            ]
        );
    }
}
