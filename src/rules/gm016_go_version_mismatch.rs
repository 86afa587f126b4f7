use super::golang_image::{ImageGo, go_of_tag, split_tag, tag_of};
use super::{Diagnostic, RuleContext, Severity, effective_env};
use crate::context::gomod::go_version;
use crate::fix::{Edit, Fix};
use crate::syntax::{Kind, Stage};

declare_rule! {
    pub struct GoVersionMismatch;
    code: "GM016",
    name: "go-version-mismatch",
    summary: "The golang image is older than the Go version go.mod requires",
    severity: Error,
    fix: Mixed,
    doc: r#"## What it does
Compares the Go version of a stage's `golang:` image tag with go.mod's `go` line (the
requirement; the `toolchain` line is only a preference, which `GOTOOLCHAIN=local` ignores) and
raises the tag to the required version when the image is older, keeping the variant
suffix (`-alpine3.20`, `-bookworm`). When the tag comes from an ARG (`FROM golang:${GO_VERSION}`)
the ARG's default is raised instead. A digest-pinned image (`golang:1.21@sha256:…`) is reported
only: a new digest cannot be invented. Floating tags (`golang:1`, `1-alpine`, `latest`) are the
newest release and never reported.

Images before Go 1.21 are judged by what those versions really do: they cannot parse a
`toolchain` line (`unknown directive: toolchain`) or a three-part go line (`invalid go version
'1.22.0': must match format 1.23`), both errors; a newer two-part go line is not enforced there,
so the build fails only where the code needs the newer Go (a warning). A Dockerfile that sets
`GOTOOLCHAIN` to something other than `local` lets the go command fetch the toolchain: silent.

## Why is this bad?
Since Go 1.21 the `go` line is a minimum, and the official images set `GOTOOLCHAIN=local`, so the
build stops at once:

    go: go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)

It is the most common cause of failed Go builds in Docker in public bug reports.

## Example
```dockerfile
# go.mod says: go 1.23
FROM golang:1.22-alpine AS build
WORKDIR /src
COPY . .
RUN go build -o /app .
```

## Use instead
```dockerfile
# go.mod says: go 1.23
FROM golang:1.23-alpine AS build
WORKDIR /src
COPY . .
RUN go build -o /app .
```

## Fix safety
Safe: the old image cannot build the module at all. Unsafe when the tag's variant pins a
distribution release (`-alpine3.19`, `-bullseye`): the golang image of the new version may not be
published for it. The new tag keeps the old one's precision (a
tag with a patch version gets go.mod's full version).

Go commands the container runs when it starts (`CMD ["go", "run", "."]` in a dev image) count
where no RUN builds a module: the build succeeds and the container fails at start.

## Context needed
The go.mod of the module the stage builds; the image tag must be a literal or an ARG with a
literal default. Silent for `latest`, `1` and other tags without a minor version."#,
}

impl GoVersionMismatch {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            if stage.parent.is_some() || !stage.golang {
                continue;
            }
            let found = match cx.main_module(stage) {
                Some(m) => m.go_mod.map(|g| {
                    let toolchain = effective_env(m.ins, m.go, "GOTOOLCHAIN");
                    (g, toolchain, None)
                }),
                None => module_at_start(cx, stage),
            };
            let Some((go_mod, toolchain, at_start)) = found else {
                continue;
            };
            let len = out.len();
            check_stage(cx, stage, go_mod, toolchain, out);
            if let (Some(what), Some(d)) = (at_start, out.get_mut(len)) {
                d.message.push_str(&format!(
                    "; the container fails when it starts (`{what}` in CMD/ENTRYPOINT)"
                ));
            }
        }
    }
}

/// The module a stage's container builds when it starts (`CMD ["go", "run", "."]`) where no
/// RUN builds one: its go.mod, the GOTOOLCHAIN the container has, and the go command.
fn module_at_start<'a>(
    cx: &RuleContext<'a>,
    stage: &'a Stage,
) -> Option<(&'a crate::context::GoMod, Option<String>, Option<String>)> {
    let ctx = cx.ctx?;
    let files = cx.files(stage, ctx);
    stage
        .runtime_go
        .iter()
        .filter(|g| g.needs_module())
        .find_map(|g| {
            let workdir = g.workdir(stage.end_state.workdir.as_deref())?;
            let (dir, _) = files.module_for(ctx, &workdir, stage.body.end)?;
            let go_mod = ctx.go_mod(&dir)?;
            let toolchain = g
                .assignments
                .iter()
                .rev()
                .find(|a| a.name == "GOTOOLCHAIN")
                .map(|a| a.value.clone())
                .or_else(|| stage.end_state.env.get("GOTOOLCHAIN").cloned());
            Some((go_mod, toolchain, Some(format!("go {}", g.sub))))
        })
}

fn check_stage(
    cx: &RuleContext,
    stage: &Stage,
    go_mod: &crate::context::GoMod,
    toolchain: Option<String>,
    out: &mut Vec<Diagnostic>,
) {
    let from = &cx.df.instructions[stage.from];
    if from.near_error {
        return;
    }
    let Some(expanded) = stage.image.expanded.as_deref() else {
        return;
    };
    let Some(tag) = tag_of(expanded) else {
        return;
    };
    // Floating tags (`1`, `1-alpine`, `latest`) are the newest release: never too old.
    let ImageGo::Version {
        version: have,
        has_patch,
    } = go_of_tag(Some(tag))
    else {
        return;
    };
    let (version, variant) = split_tag(tag);
    let enforces = (have.0, have.1) >= (1, 21);
    // Before Go 1.21 the go command cannot read a `toolchain` line at all.
    if !enforces && go_mod.toolchain.is_some() {
        out.push(cx.diagnostic(
            &META,
            from.range.clone(),
            format!(
                "go.mod has a `toolchain` line, which Go {version} (before 1.21) cannot read (`go: errors parsing go.mod: unknown directive: toolchain`)"
            ),
        ));
        return;
    }
    // The `go` line is the requirement; the `toolchain` line only a preference, which
    // GOTOOLCHAIN=local (the golang images' setting) ignores.
    let Some(need_text) = go_mod
        .go
        .as_deref()
        .map(|v| v.trim_start_matches("go").to_string())
    else {
        return;
    };
    let Some(need) = go_version(&need_text) else {
        return;
    };
    // `golang:1.22` is the newest 1.22.x: compare minor versions only.
    let too_old = if has_patch {
        have < need
    } else {
        (have.0, have.1) < (need.0, need.1)
    };
    if !too_old {
        return;
    }
    // A Dockerfile that lets the go command fetch a newer toolchain does not stop.
    if enforces && toolchain.is_some_and(|v| v != "local") {
        return;
    }
    let need_has_patch = need_text.matches('.').count() >= 2;
    let new_version = if has_patch && need_has_patch {
        need_text.clone()
    } else {
        format!("{}.{}", need.0, need.1)
    };
    let mut d = if enforces {
        cx.diagnostic(
            &META,
            from.range.clone(),
            format!(
                "go.mod requires go >= {need_text}, but this stage's image has Go {version} (GOTOOLCHAIN=local stops the build)"
            ),
        )
    } else if need_has_patch {
        cx.diagnostic(
            &META,
            from.range.clone(),
            format!(
                "go.mod says `go {need_text}`, which Go {version} (before 1.21) cannot parse (`invalid go version '{need_text}': must match format 1.23`)"
            ),
        )
    } else {
        // Go before 1.21 builds a module with a newer go line, and fails only when the code
        // uses what the newer Go added (`note: module requires Go …`).
        if (have.0, have.1) < (1, 17) && (need.0, need.1) >= (1, 17) {
            // Go 1.17 prunes the module graph: go.sum of a go >= 1.17 module lacks what an older
            // go command needs, and the build stops.
            cx.diagnostic(
                &META,
                from.range.clone(),
                format!(
                    "go.mod says `go {need_text}`, but this stage's image has Go {version}: the module's pruned go.sum (Go 1.17+) lacks what this Go needs (`missing go.sum entry`)"
                ),
            )
        } else {
            let mut d = cx.diagnostic(
                &META,
                from.range.clone(),
                format!(
                    "go.mod says `go {need_text}`, but this stage's image has Go {version}: Go before 1.21 does not enforce the go line, and the build fails where the code needs Go {need_text} (`note: module requires Go {need_text}`)"
                ),
            );
            d.severity = Severity::Warning;
            d
        }
    };
    if stage.image.digest.is_some() || expanded.contains('@') {
        d.message
            .push_str("; the image is pinned by digest: update tag and digest together");
        out.push(d);
        return;
    }
    let new_tag = format!("{new_version}{variant}");
    // A variant pinned to a distribution release (`-alpine3.19`, `-bullseye`, `-buster`) may not
    // be published for the new Go: the raised tag is then unsafe, to be checked by hand.
    let pinned_distro = variant.contains("alpine3")
        || ["-bullseye", "-buster", "-stretch", "-jessie"]
            .iter()
            .any(|v| variant.starts_with(v));
    let make = |title: String, edits: Vec<Edit>| {
        if pinned_distro {
            Fix::unsafe_(
                format!("{title} (check that the `{variant}` variant exists for it)"),
                edits,
            )
        } else {
            Fix::safe(title, edits)
        }
    };
    let raw_tag = stage.image.tag.as_deref().unwrap_or("");
    if raw_tag == tag {
        if let Some(r) = stage.image.tag_range.clone() {
            d.fix = Some(make(
                format!("Use golang:{new_tag}"),
                vec![Edit::replace(r, new_tag)],
            ));
        }
    } else if let Some(edit) = arg_default_edit(cx, raw_tag, version, &new_version) {
        d.fix = Some(make(
            format!("Raise the Go version ARG default to {new_version}"),
            vec![edit],
        ));
    }
    out.push(d);
}

/// The tag is `${NAME}…`: edit the default of the global `ARG NAME` when its value is the
/// version itself.
fn arg_default_edit(
    cx: &RuleContext,
    raw_tag: &str,
    version: &str,
    new_version: &str,
) -> Option<Edit> {
    let name = raw_tag
        .strip_prefix("${")
        .and_then(|r| r.split(['}', ':', '-']).next())
        .or_else(|| {
            raw_tag.strip_prefix('$').map(|r| {
                r.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or(r)
            })
        })?;
    let ins = cx
        .df
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Arg && i.stage.is_none() && !i.near_error)
        .rev()
        .find(|i| i.pairs.iter().any(|p| p.name == name))?;
    let pair = ins.pairs.iter().find(|p| p.name == name)?;
    let value = pair.value.as_deref()?;
    let (arg_version, _) = split_tag(value);
    if arg_version != version {
        return None;
    }
    let range = pair.value_range.clone()?;
    let raw = &cx.df.source[range.clone()];
    let start = range.start + raw.find(arg_version)?;
    Some(Edit::replace(start..start + arg_version.len(), new_version))
}
