//! go.mod and go.work, read with the Go module file grammar: directives, `( … )` blocks,
//! `//` comments and quoted strings.
//!
//! Written here rather than taken from a crate: the one crate available (gomod-rs 0.1) silently
//! stops at directives newer than it (`tool`, `ignore`), dropping every line after them.

/// A `replace` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    pub module: String,
    /// Local directory target (`=> ./lib`), as written.
    pub path: Option<String>,
}

/// What gomodfix needs from a go.mod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    pub module: Option<String>,
    pub go: Option<String>,
    pub toolchain: Option<String>,
    /// `(module path, version, indirect)`.
    pub requires: Vec<(String, String, bool)>,
    pub replaces: Vec<Replace>,
}

impl GoMod {
    pub fn has_requirements(&self) -> bool {
        !self.requires.is_empty()
    }
    /// The local-directory `replace`s the go command reads, with their target as written: those
    /// of modules go.mod requires. A replacement of a module outside the build list is never
    /// read (with go < 1.17 a transitive requirement may be missing from go.mod: then the
    /// replacement is left out too, to be silent rather than wrong).
    pub fn local_replaces(&self) -> impl Iterator<Item = (&Replace, &str)> {
        self.replaces.iter().filter_map(|r| {
            let path = r.path.as_deref()?;
            self.requires_module(&r.module).map(|_| (r, path))
        })
    }
    pub fn requires_module(&self, path: &str) -> Option<&str> {
        self.requires
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, v, _)| v.as_str())
    }
}

/// What gomodfix needs from a go.work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoWork {
    pub go: Option<String>,
    /// `use` directories as written.
    pub uses: Vec<String>,
}

/// A parse error with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ModError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One logical line: a directive verb and its arguments, with a trailing `// indirect` noted.
struct Line {
    number: usize,
    verb: String,
    args: Vec<String>,
    comment: String,
}

fn tokenize(line: &str, number: usize) -> Result<(Vec<String>, String), ModError> {
    let mut tokens = Vec::new();
    let mut chars = line.char_indices().peekable();
    let mut comment = String::new();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if line[i..].starts_with("//") {
            comment = line[i + 2..].trim().to_string();
            break;
        } else if c == '"' || c == '`' {
            chars.next();
            let mut s = String::new();
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == c {
                    closed = true;
                    break;
                }
                if d == '\\' && c == '"' {
                    if let Some((_, e)) = chars.next() {
                        s.push(e);
                    }
                    continue;
                }
                s.push(d);
            }
            if !closed {
                return Err(ModError {
                    line: number,
                    message: "unterminated quoted string".into(),
                });
            }
            tokens.push(s);
        } else if c == '(' || c == ')' {
            chars.next();
            tokens.push(c.to_string());
        } else {
            let mut s = String::new();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_whitespace() || d == '(' || d == ')' || line[j..].starts_with("//") {
                    break;
                }
                s.push(d);
                chars.next();
            }
            tokens.push(s);
        }
    }
    Ok((tokens, comment))
}

fn lines(text: &str) -> Result<Vec<Line>, ModError> {
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for (idx, raw) in text.lines().enumerate() {
        let number = idx + 1;
        let (tokens, comment) = tokenize(raw, number)?;
        if tokens.is_empty() {
            continue;
        }
        match (&block, tokens.as_slice()) {
            (Some(_), [close]) if close == ")" => block = None,
            (Some(verb), _) => out.push(Line {
                number,
                verb: verb.clone(),
                args: tokens,
                comment,
            }),
            (None, [verb, open]) if open == "(" => block = Some(verb.clone()),
            (None, [verb, rest @ ..]) => {
                if rest.iter().any(|t| t == "(" || t == ")") {
                    return Err(ModError {
                        line: number,
                        message: format!("unexpected parenthesis in `{verb}` directive"),
                    });
                }
                out.push(Line {
                    number,
                    verb: verb.clone(),
                    args: rest.to_vec(),
                    comment,
                })
            }
            (None, []) => {}
        }
    }
    if let Some(verb) = block {
        return Err(ModError {
            line: text.lines().count(),
            message: format!("`{verb} (` block is not closed"),
        });
    }
    Ok(out)
}

fn expect_args(line: &Line, n: usize) -> Result<(), ModError> {
    if line.args.len() < n {
        return Err(ModError {
            line: line.number,
            message: format!("`{}` needs {} argument(s)", line.verb, n),
        });
    }
    Ok(())
}

pub fn parse_go_mod(text: &str) -> Result<GoMod, ModError> {
    let mut m = GoMod::default();
    for line in lines(text)? {
        match line.verb.as_str() {
            "module" => {
                expect_args(&line, 1)?;
                m.module = Some(line.args[0].clone());
            }
            "go" => {
                expect_args(&line, 1)?;
                m.go = Some(line.args[0].clone());
            }
            "toolchain" => {
                expect_args(&line, 1)?;
                m.toolchain = Some(line.args[0].clone());
            }
            "require" => {
                expect_args(&line, 2)?;
                m.requires.push((
                    line.args[0].clone(),
                    line.args[1].clone(),
                    line.comment.split(';').any(|c| c.trim() == "indirect"),
                ));
            }
            "replace" => {
                let Some(arrow) = line.args.iter().position(|a| a == "=>") else {
                    return Err(ModError {
                        line: line.number,
                        message: "`replace` without `=>`".into(),
                    });
                };
                let target = line.args.get(arrow + 1).ok_or(ModError {
                    line: line.number,
                    message: "`replace` without a target".into(),
                })?;
                let local = target.starts_with("./")
                    || target.starts_with("../")
                    || target.starts_with('/')
                    || target == "."
                    || target == "..";
                m.replaces.push(Replace {
                    module: line.args[0].clone(),
                    path: local.then(|| target.clone()),
                });
            }
            // exclude, retract, tool, ignore, godebug and future directives carry nothing
            // gomodfix needs.
            _ => {}
        }
    }
    Ok(m)
}

pub fn parse_go_work(text: &str) -> Result<GoWork, ModError> {
    let mut w = GoWork::default();
    for line in lines(text)? {
        match line.verb.as_str() {
            "go" => {
                expect_args(&line, 1)?;
                w.go = Some(line.args[0].clone());
            }
            "use" => {
                expect_args(&line, 1)?;
                w.uses.push(line.args[0].clone());
            }
            _ => {}
        }
    }
    Ok(w)
}

/// What `vendor/modules.txt` records: each vendored module (`# path version`, the version
/// before any `=>` replacement) and whether it is marked `## explicit` (Go 1.14+ writes the mark
/// for every module go.mod requires).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorList {
    pub modules: Vec<VendoredModule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendoredModule {
    pub path: String,
    pub version: String,
    pub explicit: bool,
}

/// Read a `vendor/modules.txt`.
pub fn parse_modules_txt(text: &str) -> VendorList {
    let mut list = VendorList::default();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("## ") {
            if rest.split(';').any(|p| p.trim() == "explicit")
                && let Some(last) = list.modules.last_mut()
            {
                last.explicit = true;
            }
        } else if let Some(rest) = line.strip_prefix("# ") {
            let head = rest.split("=>").next().unwrap_or(rest);
            let mut words = head.split_whitespace();
            if let Some(path) = words.next() {
                list.modules.push(VendoredModule {
                    path: path.to_string(),
                    version: words.next().unwrap_or("").to_string(),
                    explicit: false,
                });
            }
        }
    }
    list
}

/// Go versions as `(major, minor, patch)` for comparison: `1.22`, `1.22.5`, `go1.23.4`,
/// `1.21rc2` (release candidates sort before the release).
pub fn go_version(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim().trim_start_matches("go");
    let mut parts = v.splitn(3, '.');
    let major = parts.next()?.parse().ok()?;
    let minor_raw = parts.next().unwrap_or("0");
    let digits: String = minor_raw.chars().take_while(char::is_ascii_digit).collect();
    let minor = digits.parse().ok()?;
    let patch = match parts.next() {
        Some(p) => p
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(0),
        None => 0,
    };
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOD: &str = "module example.com/app // the app

go 1.23.0

toolchain go1.23.4

require (
\tgithub.com/google/uuid v1.6.0
\tgolang.org/x/text v0.14.0 // indirect
)

require github.com/mattn/go-sqlite3 v1.14.22

replace example.com/lib => ./lib
replace (
\texample.com/other v1.0.0 => example.com/fork v1.0.1
)

tool golang.org/x/tools/cmd/stringer
ignore ./node_modules
godebug default=go1.21
";

    #[test]
    fn reads_everything_past_newer_directives() {
        let m = parse_go_mod(MOD).unwrap();
        assert_eq!(m.module.as_deref(), Some("example.com/app"));
        assert_eq!(m.go.as_deref(), Some("1.23.0"));
        assert_eq!(m.toolchain.as_deref(), Some("go1.23.4"));
        assert_eq!(m.requires.len(), 3);
        assert!(m.requires[1].2);
        assert_eq!(
            m.requires_module("github.com/mattn/go-sqlite3"),
            Some("v1.14.22")
        );
        assert_eq!(m.replaces[0].path.as_deref(), Some("./lib"));
        assert_eq!(m.replaces[1].path, None);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_go_mod("module x\nrequire (\n a v1\n").unwrap_err();
        assert!(e.message.contains("not closed"), "{e}");
        let e = parse_go_mod("module x\nreplace a b\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn go_work_uses() {
        let w = parse_go_work("go 1.22\nuse (\n\t./api\n\t./tools\n)\nuse ./lib\n").unwrap();
        assert_eq!(w.uses, ["./api", "./tools", "./lib"]);
    }

    #[test]
    fn modules_txt() {
        let v = parse_modules_txt(
            "# github.com/a/b v1.2.0\n## explicit; go 1.17\ngithub.com/a/b\n# github.com/c/d v0.1.0 => ../d\ngithub.com/c/d\n# github.com/e/f v1.0.0\n## explicit\n",
        );
        assert_eq!(v.modules.len(), 3);
        assert!(v.modules[0].explicit && !v.modules[1].explicit && v.modules[2].explicit);
        assert_eq!(v.modules[1].version, "v0.1.0");
    }

    #[test]
    fn versions_compare() {
        assert!(go_version("1.22.10") < go_version("1.23"));
        assert_eq!(go_version("go1.21rc2"), Some((1, 21, 0)));
        assert_eq!(go_version("alpine"), None);
    }
}
