use super::cgo::{alpine_builder, builds_with_cgo, cgo_requirements, is_minimal_image, needs_cgo};
use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::syntax::{Instruction, Stage, join_path};

declare_rule! {
    pub struct CgoBinaryInMinimalImage;
    code: "GM017",
    name: "cgo-binary-in-minimal-image",
    summary: "A cgo-linked binary from a Debian golang stage is copied into scratch/distroless/alpine/busybox",
    severity: Error,
    fix: Safe,
    doc: r#"## What it does
Finds binaries built in a Debian-based golang stage without `CGO_ENABLED=0` and copied into a
final image without glibc (`scratch`, `distroless/static`, `alpine`,
`busybox`), and adds `ENV CGO_ENABLED=0` to the build stage. When the build clearly needs cgo
(it sets `CGO_ENABLED=1`, installs gcc or musl-dev, links with `-linkmode external`, or go.mod
requires a cgo-only module such as github.com/mattn/go-sqlite3), it reports only.

Silent where the binary does not need glibc or the image has it: a build that links statically
(`-ldflags '-extldflags "-static"'`, or the `netgo` and `osusergo` tags together), a final image
with glibc (distroless `base`, `base-nossl`, `cc`, debian, ubuntu), and files copied from the
build stage that are not the binary (a `-o` output, the folder that holds it, `$GOPATH/bin` of
`go install`; config files, certificates and assets are not).

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
}

/// The stage's cgo builds link statically: `-extldflags "-static"` (or `-static-pie`), or the
/// netgo and osusergo tags that replace the glibc-linked resolver and user lookup.
fn links_statically(cx: &RuleContext, stage: &Stage) -> bool {
    // The builds that can make a glibc-linked executable: cgo on, an ordinary executable
    // (`-buildmode=c-archive`/`c-shared`/`plugin` make libraries, not the copied binary).
    let builds: Vec<_> = cx
        .go_commands(stage)
        .into_iter()
        .filter(|(_, ins, g)| {
            (g.sub == "build" || g.sub == "install")
                && super::effective_env(ins, g, "CGO_ENABLED").as_deref() != Some("0")
                && g.flag_value("buildmode")
                    .is_none_or(|(m, _)| m == "exe" || m == "default" || m == "pie")
        })
        .collect();
    !builds.is_empty()
        && builds.iter().all(|(_, ins, g)| {
            let text = &cx.df.source[g.range.clone()];
            let ldflags = g.flag_value("ldflags").map(|(v, _)| v.to_string());
            let tags = g
                .flag_value("tags")
                .map(|(v, _)| v.to_string())
                .or_else(|| {
                    super::effective_env(ins, g, "GOFLAGS").and_then(|f| {
                        f.split_whitespace().find_map(|w| {
                            w.trim_start_matches('-')
                                .strip_prefix("tags=")
                                .map(str::to_string)
                        })
                    })
                })
                .unwrap_or_default();
            // Flags the shell fills in (`-ldflags "${LD_EXTRA}"`) may well link statically.
            let static_ld = ldflags
                .as_deref()
                .is_some_and(|l| l.contains("-static") || l.contains('$'))
                || (text.contains("extldflags") && text.contains("-static"));
            let tag_list: Vec<&str> = tags.split([',', ' ']).collect();
            static_ld || (tag_list.contains(&"netgo") && tag_list.contains(&"osusergo"))
        })
}

/// Whether a `COPY --from=<stage>` copies what the stage's go commands build: a `-o` output (or
/// the folder holding it), `$GOPATH/bin` of `go install`, or, for a build without `-o`, a file
/// without an extension in the build's directory. Config files, certificates and assets copied
/// from the same stage are not the binary.
fn copies_a_go_binary(cx: &RuleContext, stage: &Stage, copy_ins: &Instruction) -> bool {
    let Some(copy) = &copy_ins.copy else {
        return false;
    };
    let mut outputs: Vec<(String, bool)> = Vec::new(); // (path, is a folder that holds it)
    for (_, ins, g) in cx.go_commands(stage) {
        if g.sub != "build" && g.sub != "install" {
            continue;
        }
        let Some(workdir) = g.workdir(ins.state.workdir.as_deref()) else {
            return true;
        };
        if g.sub == "install" {
            let gobin = super::effective_env(ins, g, "GOBIN").or_else(|| {
                ins.state
                    .env
                    .get("GOPATH")
                    .map(|p| format!("{}/bin", p.split(':').next().unwrap_or(p)))
            });
            match gobin {
                Some(b) => outputs.push((b, true)),
                None => return true,
            }
            continue;
        }
        match g.flag_value("o") {
            Some((o, _)) => match ins.state.expand(o) {
                Some(o) => outputs.push((join_path(&workdir, &o), o.ends_with('/'))),
                None => return true,
            },
            None => outputs.push((workdir, true)),
        }
    }
    copy.sources.iter().any(|s| {
        let Some(text) = copy_ins.state.expand(&s.text) else {
            return true;
        };
        if text.contains(['*', '?', '[']) {
            return true;
        }
        // `COPY --from` sources are relative to the stage's root, not its WORKDIR.
        let src = join_path("/", &text);
        outputs.iter().any(|(out, folder)| {
            let out = out.trim_end_matches('/');
            src == out
                || out.starts_with(&format!("{}/", src.trim_end_matches('/')))
                || src == "/"
                || (*folder && src.starts_with(&format!("{out}/")) && {
                    let name = src.rsplit('/').next().unwrap_or("");
                    !name.contains('.')
                })
        })
    })
}

/// GM017's finding: a cgo binary copied into `image`, which has no glibc. Fixtures:
/// `pos_scratch`, `pos_alpine_final`, `pos_copies_output_folder`; when the build needs cgo
/// (`needs_cgo`, no fix): `pos_needs_cgo_report_only`.
struct NoGlibcForCgoBinary {
    image: String,
    needs_cgo: bool,
}

impl Violation for NoGlibcForCgoBinary {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let mut message = format!(
            "this binary is built with cgo on a Debian golang image and linked against glibc; in `{}` it fails with `exec …: no such file or directory`",
            self.image
        );
        if self.needs_cgo {
            message.push_str(" (the build needs cgo: use a final image with glibc, e.g. distroless/base or debian-slim)");
        }
        message
    }

    fn fix_title(&self) -> Option<String> {
        (!self.needs_cgo).then(|| "Add `ENV CGO_ENABLED=0` to the build stage".into())
    }
}

impl CgoBinaryInMinimalImage {
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
                || links_statically(cx, stage)
                || !copies_a_go_binary(cx, stage, ins)
            {
                continue;
            }
            reported.push(src);
            let cgo_modules = cx
                .main_module(stage)
                .and_then(|m| m.go_mod)
                .map(cgo_requirements)
                .unwrap_or_default();
            let finding = NoGlibcForCgoBinary {
                image: crate::syntax::image_name(base).to_string(),
                needs_cgo: !cgo_modules.is_empty() || needs_cgo(cx, stage),
            };
            let mut d = cx.report(&finding, ins.range.clone());
            if !finding.needs_cgo && !cx.df.instructions[stage.from].near_error {
                d.fix =
                    Some(finding.safe_fix(vec![cx.add_env_to_stage(stage, "CGO_ENABLED", "0")]));
            }
            out.push(d);
        }
    }
}
