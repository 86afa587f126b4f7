use super::{Diagnostic, RuleContext, RuleMeta, Violation};

declare_rule! {
    pub struct ModuleMutationInBuild;
    code: "GM021",
    name: "module-mutation-in-build",
    summary: "`go mod init` or `go mod tidy` runs inside the image build",
    severity: Warning,
    fix: None,
    doc: r#"## What it does
Reports `go mod init` and `go mod tidy` in RUN instructions.

Not reported in a generator stage whose go.mod or go.sum a later stage copies out (bake and
Makefile targets such as `mod-tidy`/`vendor-update` that export the result).

## Why is this bad?
`go mod init` in a Dockerfile invents a module on the fly and hides a missing go.mod: every
dependency then resolves to whatever is newest on the day of the build. `go mod tidy` rewrites
go.mod and go.sum at build time, needs the network, and makes the image depend on the day it was
built rather than on the repository; run before the sources are copied it even removes every
requirement. Both belong in the repository, run by a developer, with the result committed.

## Example
```dockerfile
COPY . .
RUN go mod init example.com/app && go mod tidy && go build -o /app .
```

## Use instead
```dockerfile
# go.mod and go.sum committed to the repository
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app .
```

## Fix safety
No fix: the repository has to change.

## Context needed
None."#,
}

/// GM021's findings. Fixtures: `pos_mod_init_and_tidy` (both).
enum Finding {
    /// `go mod init` in the build.
    ModInit,
    /// `go mod tidy` in the build.
    ModTidy,
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::ModInit => "`go mod init` in the build invents a module and hides a missing go.mod: commit go.mod instead",
            Finding::ModTidy => "`go mod tidy` rewrites go.mod at build time, needs the network and makes builds irreproducible: run it in the repository",
        }
        .into()
    }
}

impl ModuleMutationInBuild {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            // A generator stage whose go.mod/go.sum are exported (`COPY --from=tidy /src/go.mod
            // …`, as bake's `vendor-update`/`mod-tidy` targets do) runs tidy on purpose.
            if exports_module_files(cx, stage.index) {
                continue;
            }
            for (_, ins, go) in cx.go_commands(stage) {
                // The RUN keeps the result (`go mod tidy && cp go.mod go.sum /out`): a generator.
                let text = &cx.df.source[ins.range.clone()];
                if text.contains("cp ") && (text.contains("go.mod") || text.contains("go.sum")) {
                    continue;
                }
                let finding = match go.sub.as_str() {
                    "mod init" => Finding::ModInit,
                    "mod tidy" => Finding::ModTidy,
                    _ => continue,
                };
                out.push(cx.report(&finding, ins.range.clone()));
            }
        }
    }
}

/// Whether a later `COPY --from=<stage>` (or from a stage built FROM it) takes go.mod or go.sum,
/// or takes anything into a `scratch` stage (an export target of `--output`).
fn exports_module_files(cx: &RuleContext, stage: usize) -> bool {
    cx.df.instructions.iter().any(|ins| {
        let (Some(copy), Some(at)) = (&ins.copy, ins.stage) else {
            return false;
        };
        let Some(from) = copy.from.as_deref() else {
            return false;
        };
        let Some(src) = cx.df.stage_by_ref(from, at) else {
            return false;
        };
        cx.df
            .stage_chain(&cx.df.stages[src])
            .any(|s| s.index == stage)
            && copy.sources.iter().any(|w| {
                let name = w
                    .text
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or("");
                name == "go.mod" || name == "go.sum" || name.starts_with("go.*")
            })
    })
}
