//! The import paths of Go source files: what a build of a package compiles next. Read on
//! demand — only when `.dockerignore` hides Go packages of a module — from the context on disk,
//! or from the files of an in-memory context.

/// How much of a file is read: imports come right after the package clause.
const HEAD_BYTES: usize = 64 * 1024;

/// The import paths of one Go source file; empty for a file excluded from every build
/// (`//go:build ignore`).
pub fn parse_imports(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lex = Lexer { s: src, at: 0 };
    while let Some(tok) = lex.next() {
        match tok {
            Tok::BuildIgnore => return Vec::new(),
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
    BuildIgnore,
    Other,
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
                let words = |prefix: &str| {
                    c.strip_prefix(prefix)
                        .is_some_and(|r| r.split_whitespace().any(|w| w == "ignore"))
                };
                if words("go:build") || words("+build") {
                    return Some(Tok::BuildIgnore);
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
    fn block_comments_and_cgo_preamble() {
        let src = "package main\n\n/*\n#include <stdio.h>\nimport \"no\"\n*/\nimport \"C\"\nimport \"example.com/a\"\n";
        assert_eq!(parse_imports(src), ["C", "example.com/a"]);
    }
}
