use super::cgo::{alpine_builder, builds_with_cgo, cgo_requirements, is_minimal_image, needs_cgo};
use super::{Diagnostic, FixAvailability, Rule, RuleContext, RuleMeta, Severity};
use crate::fix::Fix;

pub struct CgoBinaryInMinimalImage;

static META: RuleMeta = RuleMeta {
    code: "GM017",
    name: "cgo-binary-in-minimal-image",
    summary: "A cgo-linked binary from a Debian golang stage is copied into scratch/distroless/alpine/busybox",
    severity: Severity::Error,
    fix: FixAvailability::Safe,
    doc: r#"## What it does
Finds binaries built in a Debian-based golang stage without `CGO_ENABLED=0` and copied into a
final image without glibc (`scratch`, `distroless/static`, `distroless/base-nossl`, `alpine`,
`busybox`), and adds `ENV CGO_ENABLED=0` to the build stage. When the build clearly needs cgo
(it sets `CGO_ENABLED=1`, installs gcc or musl-dev, links with `-linkmode external`, or go.mod
requires a cgo-only module such as github.com/mattn/go-sqlite3), it reports only.

## Why is this bad?
Debian-based golang images have gcc, so `CGO_ENABLED` defaults to 1 and a program that imports
`net` or `os/user` links against glibc. In an image without glibc the kernel cannot find the
dynamic loader and the container fails at start with `exec /app: no such file or directory`.

## Example
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .

FROM scratch
COPY --from=build /app /app
```

## Use instead
```dockerfile
FROM golang:1.22 AS build
ENV CGO_ENABLED=0
WORKDIR /src
COPY . .
RUN go build -o /app .

FROM scratch
COPY --from=build /app /app
```

## Fix safety
Safe: the binary would not start in that image; a pure-Go build does.

## Context needed
None beyond the Dockerfile (go.mod is read, when available, to spot cgo-only modules)."#,
};

impl Rule for CgoBinaryInMinimalImage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = cx.final_stage() else {
            return;
        };
        let base = match final_stage.parent {
            Some(_) => return,
            None => final_stage.image.expanded.as_deref(),
        };
        let Some(base) = base.filter(|b| is_minimal_image(b)) else {
            return;
        };
        let mut reported = Vec::new();
        for idx in final_stage.body.clone() {
            let ins = &cx.df.instructions[idx];
            let Some(from) = ins.copy.as_ref().and_then(|c| c.from.as_deref()) else {
                continue;
            };
            let Some(src) = cx.df.stage_by_ref(from, final_stage.index) else {
                continue;
            };
            if reported.contains(&src) {
                continue;
            }
            let stage = &cx.df.stages[src];
            if !stage.golang
                || alpine_builder(cx, stage)
                || builds_with_cgo(cx, stage) != Some(true)
            {
                continue;
            }
            reported.push(src);
            let cgo_modules = cx
                .main_module(stage)
                .and_then(|m| m.go_mod)
                .map(cgo_requirements)
                .unwrap_or_default();
            let mut d = cx.diagnostic(
                &META,
                ins.range.clone(),
                format!(
                    "this binary is built with cgo on a Debian golang image and linked against glibc; in `{}` it fails with `exec …: no such file or directory`",
                    crate::syntax::image_name(base)
                ),
            );
            if !cgo_modules.is_empty() || needs_cgo(cx, stage) {
                d.message.push_str(" (the build needs cgo: use a final image with glibc, e.g. distroless/base or debian-slim)");
            } else if !cx.df.instructions[stage.from].near_error {
                d.fix = Some(Fix::safe(
                    "Add `ENV CGO_ENABLED=0` to the build stage",
                    vec![cx.add_env_to_stage(stage, "CGO_ENABLED", "0")],
                ));
            }
            out.push(d);
        }
    }
}
