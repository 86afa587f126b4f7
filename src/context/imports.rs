//! The import paths of Go source files: what a build of a package compiles next. Read on
//! demand — only when `.dockerignore` hides Go packages of a module — from the context on disk,
//! or from the files of an in-memory context.

/// How much of a file is read: imports come right after the package clause.
const HEAD_BYTES: usize = 64 * 1024;

/// What a Go source file says about its build: its imports, and the build constraint before its
/// package clause (`//go:build …` or `// +build …`), when it has one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GoFile {
    pub imports: Vec<String>,
    pub constraint: Option<String>,
}

impl GoFile {
    /// Whether a build whose satisfied tags `is_true` names compiles the file: no constraint, or
    /// one that evaluates to true (`//go:build` syntax; `// +build` lines are rewritten to it).
    /// A constraint that does not parse counts as satisfied.
    pub fn builds_with(&self, is_true: &dyn Fn(&str) -> bool) -> bool {
        match &self.constraint {
            None => true,
            Some(c) => {
                let tokens = tokenize(c);
                let mut at = 0;
                match eval_or(&tokens, &mut at, is_true) {
                    Some(v) if at == tokens.len() => v,
                    _ => true,
                }
            }
        }
    }
}

/// The tokens of a `//go:build` expression: names, `!`, `&&`, `||`, `(`, `)`.
fn tokenize(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => {}
            '!' | '(' | ')' => out.push(c.to_string()),
            '&' | '|' => {
                if chars.peek() == Some(&c) {
                    chars.next();
                }
                out.push(format!("{c}{c}"));
            }
            _ => {
                let mut name = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '.' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(name);
            }
        }
    }
    out
}

fn eval_or(t: &[String], at: &mut usize, is_true: &dyn Fn(&str) -> bool) -> Option<bool> {
    let mut v = eval_and(t, at, is_true)?;
    while t.get(*at).is_some_and(|x| x == "||") {
        *at += 1;
        v |= eval_and(t, at, is_true)?;
    }
    Some(v)
}

fn eval_and(t: &[String], at: &mut usize, is_true: &dyn Fn(&str) -> bool) -> Option<bool> {
    let mut v = eval_not(t, at, is_true)?;
    while t.get(*at).is_some_and(|x| x == "&&") {
        *at += 1;
        v &= eval_not(t, at, is_true)?;
    }
    Some(v)
}

fn eval_not(t: &[String], at: &mut usize, is_true: &dyn Fn(&str) -> bool) -> Option<bool> {
    let tok = t.get(*at)?;
    *at += 1;
    match tok.as_str() {
        "!" => eval_not(t, at, is_true).map(|v| !v),
        "(" => {
            let v = eval_or(t, at, is_true)?;
            if t.get(*at)? != ")" {
                return None;
            }
            *at += 1;
            Some(v)
        }
        ")" | "&&" | "||" => None,
        name => Some(is_true(name)),
    }
}

/// A `// +build a,b !c` line in `//go:build` syntax: spaces are ORs, commas ANDs.
fn plus_build(expr: &str) -> String {
    expr.split_whitespace()
        .map(|term| format!("({})", term.split(',').collect::<Vec<_>>().join(" && ")))
        .collect::<Vec<_>>()
        .join(" || ")
}

/// The imports and build constraint of one Go source file.
pub fn parse_file(src: &str) -> GoFile {
    let mut file = GoFile::default();
    let mut lex = Lexer { s: src, at: 0 };
    let mut before_package = true;
    while let Some(tok) = lex.next() {
        match tok {
            Tok::Constraint(c) if before_package => {
                file.constraint.get_or_insert(c);
            }
            Tok::Ident("package") => before_package = false,
            Tok::Ident("import") => match lex.next() {
                Some(Tok::Open) => loop {
                    match lex.next() {
                        Some(Tok::Str(p)) => file.imports.push(p),
                        Some(Tok::Close) | None => break,
                        _ => {}
                    }
                },
                Some(Tok::Str(p)) => file.imports.push(p),
                Some(Tok::Ident(_) | Tok::Other) => {
                    if let Some(Tok::Str(p)) = lex.next() {
                        file.imports.push(p);
                    }
                }
                _ => {}
            },
            Tok::Ident("func" | "type" | "var" | "const") => break,
            _ => {}
        }
    }
    file
}

/// The import paths of one Go source file; empty for a file excluded from every build
/// (`//go:build ignore`).
pub fn parse_imports(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lex = Lexer { s: src, at: 0 };
    while let Some(tok) = lex.next() {
        match tok {
            Tok::Constraint(c) if is_ignore(&c) => return Vec::new(),
            Tok::Ident("import") => match lex.next() {
                Some(Tok::Open) => loop {
                    match lex.next() {
                        Some(Tok::Str(p)) => out.push(p),
                        Some(Tok::Close) | None => break,
                        _ => {}
                    }
                },
                Some(Tok::Str(p)) => out.push(p),
                // `import name "path"`, `import _ "path"`, `import . "path"`.
                Some(Tok::Ident(_) | Tok::Other) => {
                    if let Some(Tok::Str(p)) = lex.next() {
                        out.push(p);
                    }
                }
                _ => {}
            },
            Tok::Ident("func" | "type" | "var" | "const") => break,
            _ => {}
        }
    }
    out
}

/// Reads the start of a file for [`parse_imports`].
pub fn read_head(path: &std::path::Path) -> Option<String> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut buf)
        .ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

enum Tok<'a> {
    Ident(&'a str),
    Str(String),
    Open,
    Close,
    /// A `//go:build …` or `// +build …` line: the expression.
    Constraint(String),
    Other,
}

fn is_ignore(constraint: &str) -> bool {
    tokenize(constraint).iter().any(|w| w == "ignore")
}

struct Lexer<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<Tok<'a>> {
        let b = self.s.as_bytes();
        loop {
            while self.at < b.len() && b[self.at].is_ascii_whitespace() {
                self.at += 1;
            }
            let rest = &self.s[self.at..];
            if let Some(line) = rest.strip_prefix("//") {
                let end = line.find('\n').map_or(rest.len(), |p| p + 3);
                let comment = &rest[..end];
                self.at += end;
                let c = comment.trim_start_matches('/').trim();
                if let Some(expr) = c.strip_prefix("go:build") {
                    return Some(Tok::Constraint(expr.trim().to_string()));
                }
                if let Some(expr) = c.strip_prefix("+build") {
                    return Some(Tok::Constraint(plus_build(expr)));
                }
                continue;
            }
            if rest.starts_with("/*") {
                self.at += rest.find("*/").map_or(rest.len(), |p| p + 2);
                continue;
            }
            break;
        }
        let rest = &self.s[self.at..];
        let c = rest.chars().next()?;
        if c == '"' || c == '`' {
            let body = &rest[1..];
            let end = body.find(c).unwrap_or(body.len());
            self.at += end + 2;
            return Some(Tok::Str(body[..end].to_string()));
        }
        if c.is_alphabetic() || c == '_' {
            let len = rest
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(rest.len());
            self.at += len;
            return Some(Tok::Ident(&rest[..len]));
        }
        self.at += c.len_utf8();
        Some(match c {
            '(' => Tok::Open,
            ')' => Tok::Close,
            _ => Tok::Other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse_imports;

    #[test]
    fn single_grouped_named_and_comments() {
        let src = "// Package main.\npackage main // x\n\nimport \"fmt\"\nimport (\n\t// comment \"no\"\n\tu \"example.com/app/pkg/util\"\n\t_ `example.com/app/internal/db`\n\t. \"strings\"\n)\n\nfunc main() { _ = \"example.com/app/late\" }\n";
        assert_eq!(
            parse_imports(src),
            [
                "fmt",
                "example.com/app/pkg/util",
                "example.com/app/internal/db",
                "strings"
            ]
        );
    }

    #[test]
    fn build_ignore_files_import_nothing() {
        assert!(
            parse_imports("//go:build ignore\n\npackage main\n\nimport \"example.com/x\"\n")
                .is_empty()
        );
        assert_eq!(
            parse_imports("//go:build linux\n\npackage main\n\nimport \"example.com/x\"\n"),
            ["example.com/x"]
        );
    }

    #[test]
    fn constraints_and_the_default_linux_build() {
        use super::parse_file;
        let linux_amd64 = |t: &str| matches!(t, "linux" | "unix" | "amd64" | "gc");
        let tagged = parse_file(
            "//go:build sqlite3\n\npackage db\n\nimport _ \"github.com/mattn/go-sqlite3\"\n",
        );
        assert_eq!(tagged.constraint.as_deref(), Some("sqlite3"));
        assert!(!tagged.builds_with(&linux_amd64));
        assert!(tagged.builds_with(&|t| t == "sqlite3"));
        let linux = parse_file("//go:build linux && (amd64 || arm64)\n\npackage x\n");
        assert!(linux.builds_with(&linux_amd64));
        assert!(!parse_file("//go:build !linux\n\npackage x\n").builds_with(&linux_amd64));
        assert!(
            parse_file("//go:build !windows && !integration\n\npackage x\n")
                .builds_with(&linux_amd64)
        );
        let old = parse_file("// +build linux,cgo darwin\n\npackage x\n");
        assert_eq!(
            old.constraint.as_deref(),
            Some("(linux && cgo) || (darwin)")
        );
        assert!(!old.builds_with(&linux_amd64));
        assert!(old.builds_with(&|t| t == "linux" || t == "cgo"));
        let plain = parse_file("// Package x does y.\npackage x\n\nimport \"a/b\"\n");
        assert_eq!(plain.constraint, None);
        assert!(plain.builds_with(&linux_amd64));
        assert_eq!(plain.imports, ["a/b"]);
    }

    #[test]
    fn block_comments_and_cgo_preamble() {
        let src = "package main\n\n/*\n#include <stdio.h>\nimport \"no\"\n*/\nimport \"C\"\nimport \"example.com/a\"\n";
        assert_eq!(parse_imports(src), ["C", "example.com/a"]);
    }
}
