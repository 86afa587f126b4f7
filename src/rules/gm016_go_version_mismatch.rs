use super::golang_image::{ImageGo, go_of_tag, split_tag, tag_of};
use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation, effective_env};
use crate::context::gomod::go_version;
use crate::fix::Edit;
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
published for it. An Alpine release pin in the tag is dropped (`1.25.0-alpine`, published for
every release, rather than a `1.25.0-alpine3.19` that does not exist); a Debian one is kept, to be
checked. The new tag keeps the old one's precision (a
tag with a patch version gets go.mod's full version).

Go commands the container runs when it starts (`CMD ["go", "run", "."]` in a dev image) count
where no RUN builds a module: the build succeeds and the container fails at start.

## Context needed
The go.mod of the module the stage builds; the image tag must be a literal or an ARG with a
literal default. Silent for `latest`, `1` and other tags without a minor version."#,
}

/// GM016's finding: the stage's image cannot build the module (`kind` says why).
struct ImageTooOld {
    kind: Mismatch,
    /// The image is pinned by digest: reported without a fix (a new digest cannot be invented).
    /// Fixtures: `pos_digest_pinned_report_only`.
    digest_pinned: bool,
    /// The go command the container runs when it starts (`go run` in CMD/ENTRYPOINT), where no
    /// RUN builds the module. Fixtures: `pos_go_run_at_container_start`.
    at_start: Option<String>,
    /// How the fix raises the Go version, when there is one.
    raise: Option<Raise>,
}

/// Why the image's Go (`image_go`, as its tag says) cannot build go.mod (`need`, its go line).
enum Mismatch {
    /// go.mod has a `toolchain` line, which Go before 1.21 cannot read. Fixtures:
    /// `pos_toolchain_line_before_go121`.
    ToolchainLine { image_go: String },
    /// Go 1.21+ enforces the go line (GOTOOLCHAIN=local). Fixtures:
    /// `pos_image_older_than_go_mod`, `pos_arg_default`, `pos_pinned_alpine_release_unsafe`,
    /// `pos_via_make`, `pos_via_script`, `pos_go_run_at_container_start`.
    Enforced { need: String, image_go: String },
    /// A three-part go line, which Go before 1.21 cannot parse. Fixtures:
    /// `pos_pre121_three_part_go_line`.
    Unparsable { need: String, image_go: String },
    /// A go ≥ 1.17 module (pruned go.sum) on Go before 1.17. Fixtures:
    /// `pos_go116_image_pruned_go_sum`.
    PrunedGoSum { need: String, image_go: String },
    /// A newer two-part go line on Go before 1.21, which does not enforce it (a warning).
    /// Fixtures: `pos_pre121_two_part_go_line_warning`, `pos_digest_pinned_report_only`.
    NotEnforced { need: String, image_go: String },
}

/// The fix's new Go version: in the FROM tag, or in the default of the ARG the tag comes from.
/// `variant_check` is the tag's variant when it pins a distribution release (the fix is then
/// unsafe). Fixtures: `pos_image_older_than_go_mod` (tag), `pos_arg_default` (ARG),
/// `pos_pinned_alpine_release_unsafe` (variant check).
struct Raise {
    to: RaiseTo,
    variant_check: Option<String>,
}

enum RaiseTo {
    Tag { tag: String },
    ArgDefault { version: String },
}

impl Violation for ImageTooOld {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let mut message = match &self.kind {
            Mismatch::ToolchainLine { image_go } => format!(
                "go.mod has a `toolchain` line, which Go {image_go} (before 1.21) cannot read (`go: errors parsing go.mod: unknown directive: toolchain`)"
            ),
            Mismatch::Enforced { need, image_go } => format!(
                "go.mod requires go >= {need}, but this stage's image has Go {image_go} (GOTOOLCHAIN=local stops the build)"
            ),
            Mismatch::Unparsable { need, image_go } => format!(
                "go.mod says `go {need}`, which Go {image_go} (before 1.21) cannot parse (`invalid go version '{need}': must match format 1.23`)"
            ),
            Mismatch::PrunedGoSum { need, image_go } => format!(
                "go.mod says `go {need}`, but this stage's image has Go {image_go}: the module's pruned go.sum (Go 1.17+) lacks what this Go needs (`missing go.sum entry`)"
            ),
            Mismatch::NotEnforced { need, image_go } => format!(
                "go.mod says `go {need}`, but this stage's image has Go {image_go}: Go before 1.21 does not enforce the go line, and the build fails where the code needs Go {need} (`note: module requires Go {need}`)"
            ),
        };
        if self.digest_pinned {
            message.push_str("; the image is pinned by digest: update tag and digest together");
        }
        if let Some(what) = &self.at_start {
            message.push_str(&format!(
                "; the container fails when it starts (`{what}` in CMD/ENTRYPOINT)"
            ));
        }
        message
    }

    fn fix_title(&self) -> Option<String> {
        let raise = self.raise.as_ref()?;
        let title = match &raise.to {
            RaiseTo::Tag { tag } => format!("Use golang:{tag}"),
            RaiseTo::ArgDefault { version } => {
                format!("Raise the Go version ARG default to {version}")
            }
        };
        Some(match (&raise.variant_check, &raise.to) {
            (Some(variant), RaiseTo::Tag { tag }) if tag.ends_with("-alpine") => format!(
                "{title} (the `{variant}` release pin dropped: golang images are not published for every Alpine release)"
            ),
            (Some(variant), _) => {
                format!("{title} (check that the `{variant}` variant exists for it)")
            }
            (None, _) => title,
        })
    }
}

impl GoVersionMismatch {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            if stage.parent.is_some() || !stage.golang {
                continue;
            }
            let Some(module) = cx.built_module(stage) else {
                continue;
            };
            let Some(go_mod) = module.go_mod else {
                continue;
            };
            let toolchain = effective_env(module.ins, module.go, "GOTOOLCHAIN");
            // A go command the container runs when it starts: the build succeeds, the start fails.
            let at_start = module.go.runtime.then(|| format!("go {}", module.go.sub));
            check_stage(cx, stage, go_mod, toolchain, at_start, out);
        }
    }
}

fn check_stage(
    cx: &RuleContext,
    stage: &Stage,
    go_mod: &crate::context::GoMod,
    toolchain: Option<String>,
    at_start: Option<String>,
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
        let finding = ImageTooOld {
            kind: Mismatch::ToolchainLine {
                image_go: version.to_string(),
            },
            // No fix either way: said only where the go line is the problem.
            digest_pinned: false,
            at_start,
            raise: None,
        };
        out.push(cx.report(&finding, from.range.clone()));
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
    let (go_line, image_go) = (need_text.clone(), version.to_string());
    let kind = if enforces {
        Mismatch::Enforced {
            need: go_line,
            image_go,
        }
    } else if need_has_patch {
        Mismatch::Unparsable {
            need: go_line,
            image_go,
        }
    } else if (have.0, have.1) < (1, 17) && (need.0, need.1) >= (1, 17) {
        // Go before 1.21 builds a module with a newer go line, and fails only when the code
        // uses what the newer Go added (`note: module requires Go …`). But Go 1.17 prunes the
        // module graph: go.sum of a go >= 1.17 module lacks what an older go command needs, and
        // the build stops.
        Mismatch::PrunedGoSum {
            need: go_line,
            image_go,
        }
    } else {
        Mismatch::NotEnforced {
            need: go_line,
            image_go,
        }
    };
    let digest_pinned = stage.image.digest.is_some() || expanded.contains('@');
    // The fix, unless the image is pinned by digest.
    let mut raise: Option<(Raise, Edit)> = None;
    if !digest_pinned {
        // A variant pinned to a distribution release (`-alpine3.19`, `-bullseye`, `-buster`)
        // may not be published for the new Go: the raised tag is then unsafe, to be checked by
        // hand. An Alpine release pin is dropped (`-alpine` is published for every Go release,
        // `-alpine3.19` only for those of its time).
        let alpine_pin = variant.starts_with("-alpine3");
        let new_tag = if alpine_pin {
            format!("{new_version}-alpine")
        } else {
            format!("{new_version}{variant}")
        };
        let pinned_distro = variant.contains("alpine3")
            || ["-bullseye", "-buster", "-stretch", "-jessie"]
                .iter()
                .any(|v| variant.starts_with(v));
        let variant_check = pinned_distro.then(|| variant.to_string());
        let raw_tag = stage.image.tag.as_deref().unwrap_or("");
        if raw_tag == tag {
            raise = stage.image.tag_range.clone().map(|r| {
                let to = RaiseTo::Tag {
                    tag: new_tag.clone(),
                };
                (Raise { to, variant_check }, Edit::replace(r, new_tag))
            });
        } else {
            raise = arg_default_edit(cx, raw_tag, version, &new_version).map(|edit| {
                let to = RaiseTo::ArgDefault {
                    version: new_version.clone(),
                };
                (Raise { to, variant_check }, edit)
            });
        }
    }
    let (raise, edit) = raise.unzip();
    let finding = ImageTooOld {
        kind,
        digest_pinned,
        at_start,
        raise,
    };
    let mut d = cx.report(&finding, from.range.clone());
    if matches!(finding.kind, Mismatch::NotEnforced { .. }) {
        d.severity = Severity::Warning;
    }
    if let Some(edit) = edit {
        // Unsafe when the variant pins a distribution release.
        let pinned_distro = finding
            .raise
            .as_ref()
            .is_some_and(|r| r.variant_check.is_some());
        d.fix = Some(if pinned_distro {
            finding.unsafe_fix(vec![edit])
        } else {
            finding.safe_fix(vec![edit])
        });
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
