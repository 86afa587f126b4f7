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
`data/cgo_modules.txt`), as a direct requirement that the module's code imports in what a
linux build compiles (the packages the go command names and what they import, with its
`-tags`): a package imported only behind a build tag (`//go:build sqlite3`) the build does not
set, or in another OS's file, is not built, and the rule stays silent.

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
            if needs.is_empty() {
                continue;
            }
            // And the packages a CGO_ENABLED=0 build compiles import one of them (not only a
            // package behind a build tag such as `sqlite3` that this build does not set).
            let cgo_off = |ins: &crate::syntax::Instruction, go: &crate::syntax::GoCommand| {
                effective_env(ins, go, "CGO_ENABLED").as_deref() == Some("0")
            };
            let Some(compiled) = super::packages::compiled_packages(cx, stage, &cgo_off) else {
                continue;
            };
            let needs: Vec<&str> = needs
                .into_iter()
                .filter(|m| {
                    compiled
                        .imports
                        .iter()
                        .any(|i| i == m || i.starts_with(&format!("{m}/")))
                })
                .collect();
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
