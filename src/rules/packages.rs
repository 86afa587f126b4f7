//! The packages of a stage's module that its go commands compile: the packages they name, and
//! what those import within the module, followed through the Go files the context sends and a
//! linux build compiles (its `-tags`, its CGO_ENABLED; build constraints and `_GOOS.go` file
//! names are honoured). GM014 asks which of them `.dockerignore` hides, GM027 which modules
//! they import.
//!
//! Files are read (their first 64 KiB: the import block) only when a rule asks, which the rules
//! do only in rare situations (a hidden Go package, a cgo-only requirement built without cgo).

use std::collections::{BTreeMap, BTreeSet};

use super::{RuleContext, effective_env};
use crate::context::imports::GoFile;
use crate::context::{join_rel, resolve_in_context, split_dir};
use crate::syntax::{GoCommand, Instruction, Stage};

/// Flags of `go build`/`install`/`run`/`test` whose value may be the next word.
const VALUE_FLAGS: &[&str] = &[
    "-o",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-tags",
    "-mod",
    "-modfile",
    "-p",
    "-pkgdir",
    "-buildmode",
    "-compiler",
    "-installsuffix",
    "-overlay",
    "-pgo",
    "-toolexec",
    "-exec",
    "-run",
    "-bench",
    "-coverpkg",
    "-coverprofile",
    "-covermode",
    "-timeout",
    "-count",
    "-cpu",
    "-parallel",
    "-C",
    "-skip",
    "-shuffle",
    "-benchtime",
    "-outputdir",
];

/// Operating systems whose `_GOOS.go` files a linux build leaves out.
const OTHER_OS: &[&str] = &[
    "windows",
    "darwin",
    "freebsd",
    "openbsd",
    "netbsd",
    "solaris",
    "plan9",
    "js",
    "wasip1",
    "ios",
    "android",
    "aix",
    "dragonfly",
    "illumos",
];

/// What the stage's go commands compile of its module.
#[derive(Debug, Default)]
pub struct Compiled {
    /// Package folders (context paths) compiled.
    pub dirs: BTreeSet<String>,
    /// Package folders the build needs whose Go files the context does not send, each with a
    /// file that imports it.
    pub hidden: Vec<(String, String)>,
    /// Every import path of the compiled files.
    pub imports: BTreeSet<String>,
}

/// The packages the go commands of `stage` that `which` accepts compile, within the stage's
/// main module. `None` when that cannot be known: no module, a package argument that is not
/// literal, a truncated context listing.
pub fn compiled_packages(
    cx: &RuleContext,
    stage: &Stage,
    which: &dyn Fn(&Instruction, &GoCommand) -> bool,
) -> Option<Compiled> {
    let ctx = cx.ctx?;
    if !ctx.complete() {
        return None;
    }
    let module = cx.main_module(stage)?;
    let path = module.go_mod.and_then(|m| m.module.clone())?;
    let files = cx.files(stage, ctx);
    let mut out = Compiled::default();
    let mut any = false;
    for (idx, ins, go) in cx.go_commands(stage) {
        if !matches!(go.sub.as_str(), "build" | "install" | "run" | "test")
            || go.runtime
            || !which(ins, go)
        {
            continue;
        }
        let workdir = go.workdir(ins.state.workdir.as_deref())?;
        // The go command's directory as a context path, inside this module.
        let Some((mod_dir, image_dir)) = files.module_for(ctx, &workdir, idx) else {
            continue;
        };
        if mod_dir != module.dir {
            continue;
        }
        let below = workdir
            .strip_prefix(image_dir.trim_end_matches('/'))
            .unwrap_or("")
            .trim_start_matches('/');
        let here = join_rel(&module.dir, below);
        let (args, tags) = package_args(go)?;
        let cgo = effective_env(ins, go, "CGO_ENABLED").as_deref() != Some("0");
        let builds = |f: &GoFile| {
            ["amd64", "arm64"].iter().any(|arch| {
                f.builds_with(&|t: &str| {
                    matches!(t, "linux" | "unix" | "gc")
                        || t == *arch
                        || (t == "cgo" && cgo)
                        || t.starts_with("go1.")
                        || tags.iter().any(|g| g == t)
                })
            })
        };
        let mut queue = Vec::new();
        for a in &args {
            let (a, all) = match a.strip_suffix("/...") {
                Some(base) => (base, true),
                None => (a.as_str(), a == "..."),
            };
            let a = if a == "..." { "." } else { a };
            let dir = if a.starts_with('.') {
                let rel = if a.ends_with(".go") {
                    split_dir(a).0
                } else {
                    a
                };
                let rel = if rel.is_empty() { "." } else { rel };
                match resolve_in_context(&here, rel) {
                    Some(d) => d,
                    None => continue,
                }
            } else if let Some(rest) = a.strip_prefix(&format!("{path}/")) {
                join_rel(&module.dir, rest)
            } else if a == path {
                module.dir.clone()
            } else {
                continue;
            };
            if all {
                // A pattern matches what is there: hidden packages below it are not compiled.
                let dirs: BTreeSet<String> = ctx
                    .tree
                    .below(&dir)
                    .filter(|(p, _)| source_file(p, &module.dir) && ctx.sends(p))
                    .map(|(p, _)| split_dir(p).0.to_string())
                    .collect();
                queue.extend(dirs);
            } else {
                queue.push(dir);
            }
        }
        any = true;
        let mut importer: BTreeMap<String, String> = BTreeMap::new();
        let mut seen = BTreeSet::new();
        while let Some(dir) = queue.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            let sources: Vec<&str> = ctx
                .tree
                .below(&dir)
                .map(|(p, _)| p)
                .filter(|p| {
                    source_file(p, &module.dir)
                        && !p[dir.len()..].trim_start_matches('/').contains('/')
                })
                .collect();
            let sent: Vec<&str> = sources.iter().copied().filter(|p| ctx.sends(p)).collect();
            if sent.is_empty() {
                if !sources.is_empty()
                    && let Some(by) = importer.get(&dir)
                    && !out.hidden.iter().any(|(d, _)| *d == dir)
                {
                    out.hidden.push((dir.clone(), by.clone()));
                }
                continue;
            }
            out.dirs.insert(dir.clone());
            for f in sent {
                let Some(file) = ctx.tree.go_file(f) else {
                    continue;
                };
                if !builds(&file) {
                    continue;
                }
                for imp in file.imports {
                    if let Some(rest) = imp.strip_prefix(&format!("{path}/")) {
                        let target = join_rel(&module.dir, rest);
                        // A nested module is not this module's package.
                        let nested = ctx.tree.modules.keys().any(|m| {
                            m.len() > module.dir.len()
                                && (target == *m || target.starts_with(&format!("{m}/")))
                        });
                        if !nested {
                            importer
                                .entry(target.clone())
                                .or_insert_with(|| f.to_string());
                            queue.push(target);
                        }
                    }
                    out.imports.insert(imp);
                }
            }
        }
    }
    out.hidden.sort();
    any.then_some(out)
}

/// The package arguments of a go command (`.` when none) and its `-tags`; `None` when an
/// argument or the tags are not literal.
fn package_args(go: &GoCommand) -> Option<(Vec<String>, Vec<String>)> {
    let mut args = Vec::new();
    let mut tags = Vec::new();
    let rest = go.rest();
    let mut i = 0;
    while i < rest.len() {
        let t = rest[i].text.as_str();
        i += 1;
        if let Some(flag) = t.strip_prefix('-') {
            let flag = flag.trim_start_matches('-');
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            let value = match value {
                Some(v) => Some(v),
                None if VALUE_FLAGS.contains(&format!("-{name}").as_str()) => {
                    i += 1;
                    rest.get(i - 1).map(|w| w.text.clone())
                }
                None => None,
            };
            if name == "tags" {
                let v = value?;
                if v.contains(['$', '`']) {
                    return None;
                }
                tags.extend(
                    v.split([',', ' '])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                );
            }
            continue;
        }
        if go.sub == "run" && !args.is_empty() {
            break; // program arguments
        }
        args.push(t.to_string());
    }
    if args.iter().any(|a| a.contains(['$', '`', '*'])) {
        return None;
    }
    if args.is_empty() {
        args.push(".".into());
    }
    Some((args, tags))
}

/// A Go source file of the module in `module_dir` that a linux build may compile: not a test,
/// not in vendor/, testdata/ or a `.`/`_` folder, not another OS's `_GOOS.go` file.
pub fn source_file(p: &str, module_dir: &str) -> bool {
    let rel = if module_dir.is_empty() {
        p
    } else {
        match p.strip_prefix(&format!("{module_dir}/")) {
            Some(r) => r,
            None => return false,
        }
    };
    let stem = rel.rsplit('/').next().unwrap_or(rel);
    p.ends_with(".go")
        && !p.ends_with("_test.go")
        && !rel
            .split('/')
            .any(|c| c == "vendor" || c == "testdata" || c.starts_with(['.', '_']))
        && !OTHER_OS.iter().any(|os| {
            let stem = stem.trim_end_matches(".go");
            stem.ends_with(&format!("_{os}")) || stem.contains(&format!("_{os}_"))
        })
}
