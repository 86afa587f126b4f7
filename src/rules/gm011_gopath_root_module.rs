use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation};
use crate::syntax::Kind;

/// The WORKDIR the fix inserts unless the config's `rules.module-workdir` says otherwise.
pub const MODULE_WORKDIR: &str = "/src";

declare_rule! {
    pub struct GopathRootModule;
    code: "GM011",
    name: "gopath-root-module",
    summary: "The module is copied to the golang image's GOPATH root (/go)",
    severity: Warning,
    fix: Mixed,
    doc: r#"## What it does
Finds build stages on a golang image that copy the module into the image's default working
directory `/go` (no WORKDIR of their own), which is GOPATH itself, and inserts `WORKDIR /src`
before the first COPY of the stage.

## Why is this bad?
A go.mod at `$GOPATH/go.mod` is an error for older Go (`$GOPATH/go.mod exists but should not`);
current Go prints `go: warning: ignoring go.mod in $GOPATH /go` on every command and mixes the
module's files with GOPATH's `bin/`, `pkg/` and `src/` (a package directory named `pkg` or `bin`
collides with the module cache and installed binaries).

## Example
```dockerfile
FROM golang:1.22 AS build
COPY . .
RUN go build -o app .

FROM scratch
COPY --from=build /go/bin/app /app
```

## Use instead
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o app .
```

## Fix safety
Safe when nothing refers to files of the stage by a `/go/…` path outside `/go/bin` and
`/go/pkg`; unsafe when a later `COPY --from=<stage> /go/app …` or similar depends on the old
location (the output moves to `/src/app`).

## Context needed
None beyond the Dockerfile: the stage must be on a known golang image and run the go command."#,
}

/// GM011's finding: the module is copied into /go; the fix adds `WORKDIR {workdir}`, unsafely
/// when later paths depend on /go (`later_paths`).
/// Fixtures: `pos_copy_into_gopath_root`, `pos_relative_workdir_after_copy`,
/// `pos_later_path_depends_unsafe`; before Go 1.21 (an error): `pos_go120_gopath_root_fails`.
struct ModuleInGopathRoot {
    /// Go before 1.21: go.mod in $GOPATH stops the build.
    fails: bool,
    workdir: String,
    later_paths: bool,
}

impl Violation for ModuleInGopathRoot {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        if self.fails {
            "the module is copied into /go, the image's GOPATH: this Go stops with `$GOPATH/go.mod exists but should not`".into()
        } else {
            "the module is copied into /go, the image's GOPATH: Go warns `ignoring go.mod in $GOPATH` (before Go 1.21 it stops with `$GOPATH/go.mod exists but should not`)".into()
        }
    }

    fn fix_title(&self) -> Option<String> {
        let workdir = &self.workdir;
        Some(if self.later_paths {
            format!("Add `WORKDIR {workdir}` (later paths under /go must follow)")
        } else {
            format!("Add `WORKDIR {workdir}` before the first COPY")
        })
    }
}

impl GopathRootModule {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            if stage.parent.is_some() || !stage.golang {
                continue;
            }
            // A dev image whose container runs `go run .` when it starts loads the module there.
            let gos = cx.module_go_commands(stage);
            let Some(&(_, go_ins, _)) = gos.iter().find(|(_, _, g)| g.needs_module()) else {
                continue;
            };
            let gopath = go_ins.state.env.get("GOPATH").map(String::as_str);
            // With a context: the module really lands at GOPATH. Without: the go command runs
            // in /go and the first COPY below puts the sources there.
            let at_gopath = match cx.ctx {
                Some(_) => cx
                    .built_module(stage)
                    .is_some_and(|m| Some(m.image_dir.as_str()) == gopath),
                None => go_ins.state.workdir.as_deref() == Some("/go") && gopath == Some("/go"),
            };
            if !at_gopath {
                continue;
            }
            // The first COPY from the context, with no WORKDIR before it in this stage.
            let body = &cx.df.instructions[stage.body.clone()];
            let Some(first_copy) = body.iter().find(|i| {
                matches!(i.kind, Kind::Copy | Kind::Add)
                    && i.copy.as_ref().is_some_and(|c| c.from.is_none())
            }) else {
                continue;
            };
            if body
                .iter()
                .take_while(|i| !std::ptr::eq(*i, first_copy))
                .any(|i| i.kind == Kind::Workdir)
                || first_copy.state.workdir.as_deref() != Some("/go")
                || first_copy.near_error
            {
                continue;
            }
            let dest_relative = first_copy
                .copy
                .as_ref()
                .and_then(|c| c.dest.as_ref())
                .is_some_and(|d| !d.text.starts_with('/'));
            if !dest_relative {
                continue;
            }
            let image = super::golang_image::stage_go(cx.df, stage);
            let workdir = cx
                .settings
                .module_workdir
                .as_deref()
                .unwrap_or(MODULE_WORKDIR);
            let finding = ModuleInGopathRoot {
                fails: image.older_than(1, 21),
                workdir: workdir.to_string(),
                later_paths: depends_on_gopath_paths(cx, stage.index),
            };
            let mut d = cx.report(&finding, first_copy.range.clone());
            if image.older_than(1, 21) {
                d.severity = Severity::Error;
            }
            let edit = cx.insert_lines_before(first_copy, &[format!("WORKDIR {workdir}")]);
            d.fix = Some(
                if finding.later_paths {
                    finding.unsafe_fix(vec![edit])
                } else {
                    finding.safe_fix(vec![edit])
                }
                .alone(),
            );
            out.push(d);
        }
    }
}

/// Whether another stage copies `/go/…` paths (other than bin/ and pkg/) out of this stage.
fn depends_on_gopath_paths(cx: &RuleContext, stage: usize) -> bool {
    cx.df.instructions.iter().any(|i| {
        let Some(copy) = &i.copy else { return false };
        let Some(from) = &copy.from else { return false };
        let later = i.stage.unwrap_or(0);
        if cx.df.stage_by_ref(from, later) != Some(stage) {
            return false;
        }
        copy.sources.iter().any(|s| {
            s.text.starts_with("/go/")
                && !s.text.starts_with("/go/bin/")
                && !s.text.starts_with("/go/pkg/")
        })
    }) || cx.df.stages.iter().any(|s| s.parent == Some(stage))
}
