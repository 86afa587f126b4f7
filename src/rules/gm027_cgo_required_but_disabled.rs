use super::cgo::cgo_requirements;
use super::{Diagnostic, RuleContext, RuleMeta, Violation, effective_env};

declare_rule! {
    pub struct CgoRequiredButDisabled;
    code: "GM027",
    name: "cgo-required-but-disabled",
    summary: "go.mod requires a cgo-only module but the build sets CGO_ENABLED=0",
    severity: Error,
    fix: None,
    doc: r#"## What it does
Reports go build/install commands that run with `CGO_ENABLED=0` in a module that requires a
module which only works with cgo (github.com/mattn/go-sqlite3 and others; the list is in
`data/cgo_modules.txt`), as a direct requirement that a Go file of the module imports in a
default linux build: a package imported only behind a build tag (`//go:build sqlite3`) or in
another OS's file is not built, and the rule stays silent.

## Why is this bad?
The build succeeds, but the package is compiled without its C part: go-sqlite3, for one, then
fails at run time with `Binary was compiled with 'CGO_ENABLED=0', go-sqlite3 requires cgo to
work. This is a stub`.

There are two ways out:
1. build with cgo: keep `CGO_ENABLED=1`, have a C toolchain in the build stage (the Debian
   golang image has gcc; on alpine `apk add gcc musl-dev`), and use a final image with a matching
   libc (`gcr.io/distroless/base-debian12`, `debian:bookworm-slim`, or alpine for an alpine
   build);
2. switch to a pure-Go alternative (for SQLite: modernc.org/sqlite) and keep `CGO_ENABLED=0`.

## Example
```dockerfile
# go.mod requires github.com/mattn/go-sqlite3
RUN CGO_ENABLED=0 go build -o /app .
```

## Use instead
```dockerfile
RUN CGO_ENABLED=1 go build -o /app .
# … and a final image with glibc
```

## Fix safety
No fix: which way out is right is a design decision.

## Context needed
The module's go.mod and the import lines of its Go files (read only when a cgo-only module is
required and the build sets CGO_ENABLED=0)."#,
}

/// GM027's finding: go.mod requires modules that need cgo (`modules`) and the build sets
/// CGO_ENABLED=0. Fixtures: `pos_sqlite_with_cgo_off`.
struct CgoModuleWithoutCgo {
    modules: String,
}

impl Violation for CgoModuleWithoutCgo {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        format!(
            "go.mod requires {}, which only works with cgo, but this build sets CGO_ENABLED=0: the binary fails at run time",
            self.modules
        )
    }
}

impl CgoRequiredButDisabled {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            let Some(module) = cx.main_module(stage) else {
                continue;
            };
            let Some(go_mod) = module.go_mod else {
                continue;
            };
            // Only direct requirements: an `// indirect` one is there for a dependency, whose
            // packages that need cgo may never be built.
            let needs: Vec<&str> = cgo_requirements(go_mod)
                .into_iter()
                .filter(|m| {
                    go_mod
                        .requires
                        .iter()
                        .any(|(p, _, indirect)| p == m && !indirect)
                })
                .collect();
            // And a file of the module a default linux build compiles imports one of them
            // (not only a file behind a build tag such as `sqlite3`).
            let needs: Vec<&str> = match cx.ctx {
                Some(ctx) => needs
                    .into_iter()
                    .filter(|m| imported_in_build(ctx, &module.dir, m))
                    .collect(),
                None => needs,
            };
            if needs.is_empty() {
                continue;
            }
            for (_, ins, go) in cx.go_commands(stage) {
                if (go.sub == "build" || go.sub == "install")
                    && effective_env(ins, go, "CGO_ENABLED").as_deref() == Some("0")
                {
                    let finding = CgoModuleWithoutCgo {
                        modules: needs.join(", "),
                    };
                    out.push(cx.report(&finding, ins.range.clone()));
                }
            }
        }
    }
}

/// Most Go files read when looking for an import: past that, stay silent.
const MAX_FILES: usize = 5000;

/// Whether a Go file of the module in `dir` that the context sends and a default linux build
/// compiles (no test file, no other OS's file, no build tag) imports a package of `module`.
/// `false` when unsure (a truncated listing, too many files).
fn imported_in_build(ctx: &crate::context::Context, dir: &str, module: &str) -> bool {
    if !ctx.complete() {
        return false;
    }
    let nested = |p: &str| {
        ctx.tree
            .modules
            .keys()
            .any(|m| m.len() > dir.len() && p.starts_with(&format!("{m}/")))
    };
    let other_os = |p: &str| {
        let stem = p.rsplit('/').next().unwrap_or(p).trim_end_matches(".go");
        [
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
        ]
        .iter()
        .any(|os| stem.ends_with(&format!("_{os}")) || stem.contains(&format!("_{os}_")))
    };
    let files = ctx
        .tree
        .below(dir)
        .map(|(p, _)| p)
        .filter(|p| {
            p.ends_with(".go")
                && !p.ends_with("_test.go")
                && !p[dir.len()..]
                    .split('/')
                    .any(|c| c == "vendor" || c == "testdata" || c.starts_with(['.', '_']))
                && !nested(p)
                && !other_os(p)
                && ctx.sends(p)
        })
        .take(MAX_FILES);
    files.into_iter().any(|p| {
        ctx.tree.go_file(p).is_some_and(|f| {
            f.in_default_linux_build()
                && f.imports
                    .iter()
                    .any(|i| i == module || i.starts_with(&format!("{module}/")))
        })
    })
}
