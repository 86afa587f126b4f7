//! The crate's layering, drawn from the source: which top-level module of `src/` names which
//! (`crate::x`, `use crate::{x, …}`, `super::x` that climbs to the crate root), comments and
//! string literals left out. The front ends (cli, lsp, bot) stand on the engine and never on each
//! other; the renderers know nothing of the rules; diagnostics know nothing else.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

/// Source text without comments and with string and char literals emptied.
fn code_only(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while i < b.len() {
        let rest = &src[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if rest.starts_with("/*") {
            // Block comments nest in Rust.
            let mut depth = 0;
            while i < b.len() {
                if src[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if src[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if let Some(hashes) = raw_string_start(rest) {
            // r"…", r#"…"#, br"…": up to the quote followed by as many hashes.
            let open = rest.find('"').expect("raw string quote") + 1;
            let close = format!("\"{}", "#".repeat(hashes));
            let end = rest[open..]
                .find(&close)
                .map_or(rest.len(), |e| open + e + close.len());
            out.push_str("\"\"");
            i += end;
        } else if b[i] == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == b'\'' {
            // A char literal ('x', '\n', '\u{..}', '"'), else a lifetime.
            let len = if rest[1..].starts_with('\\') {
                rest[2..].find('\'').map(|e| e + 3)
            } else {
                rest[1..]
                    .chars()
                    .next()
                    .filter(|c| rest[1 + c.len_utf8()..].starts_with('\''))
                    .map(|c| c.len_utf8() + 2)
            };
            match len {
                Some(n) => {
                    out.push_str("' '");
                    i += n;
                }
                None => {
                    out.push('\'');
                    i += 1;
                }
            }
        } else {
            let c = rest.chars().next().expect("not at the end");
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The number of `#` of a raw string literal starting here (preceded by no identifier char).
fn raw_string_start(rest: &str) -> Option<usize> {
    let r = rest.strip_prefix("br").or_else(|| rest.strip_prefix('r'))?;
    let hashes = r.len() - r.trim_start_matches('#').len();
    r[hashes..].starts_with('"').then_some(hashes)
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The top-level names a `use crate::{…}` group names (`{a::b, c}` → a, c).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut start = true;
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && (c.is_alphanumeric() || c == '_') => {
                heads.push(ident_at(&group[i..]).to_string());
                start = false;
            }
            c if !c.is_whitespace() => start = false,
            _ => {}
        }
    }
    heads
}

/// The crate-root names one file refers to; `depth` is how far below `src/` its module is
/// (`src/x.rs` and `src/x/mod.rs`: 1; `src/x/y.rs`: 2).
fn names_in(code: &str, depth: usize) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let word_start = |i: usize| {
        i == 0 || {
            let c = code[..i].chars().next_back().unwrap();
            !(c.is_alphanumeric() || c == '_' || c == '$')
        }
    };
    let mut after_root = |rest: &str| {
        let rest = rest.trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            names.extend(group_heads(&group[..end]));
        } else {
            names.insert(ident_at(rest).to_string());
        }
    };
    for (i, _) in code.match_indices("crate::") {
        if word_start(i) {
            after_root(&code[i + "crate::".len()..]);
        }
    }
    for (i, _) in code.match_indices("super::") {
        // Only the first `super` of a chain, and only a chain that climbs to the root.
        if !word_start(i) || code[..i].ends_with("super::") {
            continue;
        }
        let mut rest = &code[i..];
        let mut climbs = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            climbs += 1;
            rest = r.trim_start();
        }
        if climbs >= depth {
            after_root(rest);
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Module → the other top-level modules it names.
fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for e in fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            let mut list = Vec::new();
            rust_files(&p, &mut list);
            files.insert(name, list);
        } else if p.extension().is_some_and(|x| x == "rs") && name != "lib" && name != "main" {
            files.insert(name, vec![p]);
        }
    }
    let modules: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(m, list)| {
            let mut deps = BTreeSet::new();
            for f in list {
                let rel = f.strip_prefix(&src).unwrap();
                let mut depth = rel.components().count();
                if rel.file_name().is_some_and(|n| n == "mod.rs") {
                    depth -= 1;
                }
                let code = code_only(&fs::read_to_string(f).unwrap());
                deps.extend(
                    names_in(&code, depth)
                        .into_iter()
                        .filter(|n| modules.contains(n) && n != m),
                );
            }
            (m.clone(), deps)
        })
        .collect()
}

fn draw(g: &Graph) -> String {
    g.iter()
        .map(|(m, deps)| {
            let d: Vec<&str> = deps.iter().map(String::as_str).collect();
            format!("{m} -> {}\n", d.join(", "))
        })
        .collect()
}

/// A cycle through the given modules (edges among them only), if there is one.
fn cycle(g: &Graph, among: &[&str]) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        among: &[&str],
        m: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut c = path[i..].to_vec();
            c.push(m.to_string());
            return Some(c);
        }
        if !done.insert(m.to_string()) {
            return None;
        }
        path.push(m.to_string());
        for d in g.get(m).into_iter().flatten() {
            if among.contains(&d.as_str())
                && let Some(c) = visit(g, among, d, path, done)
            {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    among
        .iter()
        .find_map(|m| visit(g, among, m, &mut Vec::new(), &mut done))
}

#[test]
fn the_scanner_reads_paths_not_comments_or_strings() {
    let code = code_only(
        "// crate::a\nuse crate::{b::x, c};\nlet s = \"crate::d\"; let r = r#\"crate::e\"#;\n\
         /* crate::f /* nested */ crate::g */ let c = '\"'; fn f<'a>() { crate::h::y() }\n",
    );
    let names: Vec<String> = names_in(&code, 2).into_iter().collect();
    assert_eq!(names, ["b", "c", "h"]);
    let names: Vec<String> = names_in("use super::x; use super::super::y::z;", 2)
        .into_iter()
        .collect();
    assert_eq!(names, ["y"]);
}

#[test]
fn front_ends_stand_on_the_engine_and_not_on_each_other() {
    let g = graph();
    let drawn = draw(&g);
    println!("{drawn}");
    let front_ends = ["cli", "lsp", "bot"];
    for f in front_ends {
        let deps = &g[f];
        assert!(deps.contains("engine"), "{f} does not use engine:\n{drawn}");
        for other in front_ends.iter().filter(|o| **o != f) {
            assert!(!deps.contains(*other), "{f} depends on {other}:\n{drawn}");
        }
    }
    for m in ["cli", "lsp", "bot", "app", "diagnose"] {
        assert!(
            !g["engine"].contains(m),
            "engine depends on the front end {m}:\n{drawn}"
        );
    }
    for (m, deps) in &g {
        assert!(
            m == "app" || !deps.contains("app"),
            "{m} depends on app, which only main.rs uses:\n{drawn}"
        );
    }
    assert!(
        !g["render"].contains("rules"),
        "render depends on rules:\n{drawn}"
    );
    assert!(
        g["diagnostics"].is_empty(),
        "diagnostics depends on other modules:\n{drawn}"
    );
    // No loop anywhere among the top-level modules: the model (syntax) depends on nothing,
    // context on the model, and so on up to the front ends.
    assert!(
        g["syntax"].is_empty(),
        "syntax depends on other modules:\n{drawn}"
    );
    let all: Vec<&str> = g.keys().map(String::as_str).collect();
    if let Some(c) = cycle(&g, &all) {
        panic!("cycle {}:\n{drawn}", c.join(" -> "));
    }
}
