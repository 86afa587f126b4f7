use super::{Diagnostic, RuleContext, RuleMeta, Violation, with_leading_space};
use crate::fix::Edit;
use crate::syntax::Kind;

declare_rule! {
    pub struct GorootOverride;
    code: "GM022",
    name: "goroot-override",
    summary: "`ENV GOROOT=…` overrides where the go command finds itself",
    severity: Warning,
    fix: Unsafe,
    doc: r#"## What it does
Reports `ENV GOROOT=…` and offers to remove it.

## Why is this bad?
The go command finds its own root from where its binary is. A GOROOT that points elsewhere (a
copied tutorial value, an old image layout) mixes the standard library of one Go version with
the compiler of another, or finds none: `package fmt is not in std`, or `compile: version
"go1.21" does not match go tool version "go1.22"`.

## Example
```dockerfile
FROM golang:1.22
ENV GOROOT=/usr/lib/go
RUN go build -o /app .
```

## Use instead
Leave GOROOT unset:

```dockerfile
FROM golang:1.22
RUN go build -o /app .
```

## Fix safety
Unsafe: an image with Go installed in an unusual place may rely on it.

## Context needed
None."#,
}

/// GM022's finding: GOROOT set. Fixtures: `pos_goroot`.
struct GorootSet;

impl Violation for GorootSet {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        "`GOROOT` is set: the go command finds its own root, a wrong value breaks the standard library".into()
    }

    fn fix_title(&self) -> Option<String> {
        Some("Remove GOROOT".into())
    }
}

impl GorootOverride {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        if !cx.df.runs_go() {
            return;
        }
        for ins in &cx.df.instructions {
            if ins.kind != Kind::Env {
                continue;
            }
            let Some(pair) = ins.pairs.iter().find(|p| p.name == "GOROOT") else {
                continue;
            };
            // A GOROOT the Dockerfile itself reads (`ENV PATH=$PATH:$GOROOT/bin`, a Go installed
            // from a tarball) or that names the golang image's own root is deliberate.
            let read_later = cx.df.instructions.iter().any(|i| {
                i.range.start > ins.range.end && {
                    let t = &cx.df.source[i.range.clone()];
                    t.contains("$GOROOT") || t.contains("${GOROOT")
                }
            });
            let image_root = pair.value.as_deref() == Some("/usr/local/go")
                && ins
                    .stage
                    .is_some_and(|st| cx.df.stage_chain(&cx.df.stages[st]).any(|s| s.golang));
            if read_later || image_root {
                continue;
            }
            let mut d = cx.report(&GorootSet, ins.range.clone());
            if !ins.near_error {
                let edit = if ins.pairs.len() == 1 {
                    Edit::delete(cx.whole_lines(ins))
                } else {
                    Edit::delete(with_leading_space(&cx.df.source, pair.range.clone()))
                };
                d.fix = Some(GorootSet.unsafe_fix(vec![edit]));
            }
            out.push(d);
        }
    }
}
