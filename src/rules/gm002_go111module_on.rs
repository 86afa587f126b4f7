use super::golang_image::{ImageGo, stage_go};
use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation};
use crate::fix::Edit;
use crate::syntax::Kind;

declare_rule! {
    pub struct Go111ModuleOn;
    code: "GM002",
    name: "go111module-on",
    summary: "A stage builds a module where module mode is not on (GOPATH mode ignores go.mod)",
    severity: Warning,
    fix: Mixed,
    doc: r#"## What it does
Finds build stages that run the go command on a module (go.mod is in the build context) where
module mode is **not** on, and adds `ENV GO111MODULE=on` right after the stage's FROM (merged
into an ENV that directly follows FROM, when there is one). By default it reports only where the
setting changes what happens, checked against Go's release notes:

- Go 1.11 and 1.12 default to `GO111MODULE=auto`, which is GOPATH mode when the go command runs
  inside `$GOPATH/src` (the golang images' `/go/src/…`): reported.
- Go 1.13 to 1.15: `auto` turns module mode on wherever a go.mod is found in the working directory
  or above it: not reported (the go.mod is there).
- Go 1.16 and later default to `on`: not reported. Floating tags (`golang:1`, `latest`) are new.
- A Go version that cannot be known (a non-golang base that installs Go, a tag from an ARG
  without a default): silent by default (on real repositories such images were all modern Go);
  reported as info under the hardening profile.
- An explicit `GO111MODULE=off` (ENV, ARG, build arg or a `GO111MODULE=… go build` prefix) is
  reported at any version; `auto` only where it means GOPATH mode (as above). Both are changed to
  `on` only as an unsafe fix.

With the hardening profile (`--hardening`, or `hardening: true` in `.gomodfix.yaml`), every
module stage without an explicit `on` is reported, as the explicit-settings recommendation asks.

## Why is this bad?
In GOPATH mode go.mod is ignored and imports of third-party packages fail with
`cannot find package "…" in any of: /usr/local/go/src/… ($GOROOT) /go/src/… ($GOPATH)`.

## Example
```dockerfile
FROM golang:1.12
WORKDIR /go/src/github.com/acme/app
COPY . .
RUN go build -o /app .
```

## Use instead
```dockerfile
FROM golang:1.12
ENV GO111MODULE=on
WORKDIR /go/src/github.com/acme/app
COPY . .
RUN go build -o /app .
```

## Fix safety
Adding the variable is safe: with a go.mod in the context, module mode is what the build needs.
Changing an explicit `off`/`auto` is unsafe: someone may have meant GOPATH mode.

## Context needed
The build context must contain the module's go.mod; without it (a GOPATH project, or an unknown
context) the rule is silent, because forcing module mode would break a GOPATH build. The image's
Go version comes from the `golang:` tag."#,
}

/// GM002's findings. `place` says where an explicit value is set: "for this go command" (a
/// prefix) or "where the go command builds a module" (the stage's ENV/ARG).
enum Finding {
    /// `GO111MODULE=off`. Fixtures: `pos_prefix_off`, `pos_explicit_off_is_unsafe`.
    ExplicitOff { place: &'static str },
    /// `auto` (or another value) on Go 1.11/1.12 inside GOPATH. Fixtures:
    /// `pos_auto_go111_inside_gopath`.
    ExplicitGopathMode {
        value: String,
        version: String,
        place: &'static str,
    },
    /// `auto` where the image's Go version is unknown (hardening). Fixtures:
    /// `pos_hardening_auto_unknown_go_version`.
    ExplicitUnknownVersion { value: String, place: &'static str },
    /// `auto` where module mode is on anyway (hardening). Fixtures:
    /// `pos_hardening_prefix_off_unsafe`.
    ExplicitHardening { value: String, place: &'static str },
    /// Unset on Go 1.11/1.12 inside GOPATH. Fixtures: `pos_go112_inside_gopath`.
    UnsetGopathMode { version: String, workdir: String },
    /// Unset and the image's Go version unknown (reported as info). Fixtures:
    /// `pos_hardening_unknown_go_version`.
    UnsetUnknownVersion,
    /// Unset where module mode is the default (hardening). Fixtures: `pos_hardening_missing`,
    /// `pos_hardening_child_stage_inherits`, `pos_hardening_merge_into_env_after_from`.
    UnsetHardening,
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::ExplicitOff { place } => {
                format!("`GO111MODULE=off` turns module mode off {place}: go.mod is ignored")
            }
            Finding::ExplicitGopathMode {
                value,
                version,
                place,
            } => format!(
                "`GO111MODULE={value}` means GOPATH mode on Go {version} inside GOPATH ({place}): go.mod is ignored"
            ),
            Finding::ExplicitUnknownVersion { value, place } => format!(
                "`GO111MODULE={value}` is set {place} and the Go version cannot be known: before Go 1.13 it means GOPATH mode inside GOPATH"
            ),
            Finding::ExplicitHardening { value, place } => format!(
                "`GO111MODULE={value}` is set {place} (hardening: module mode is on here, but only `on` says so whatever the image)"
            ),
            Finding::UnsetGopathMode { version, workdir } => format!(
                "Go {version} builds in GOPATH mode inside GOPATH ({workdir}) unless `GO111MODULE=on`: go.mod is ignored"
            ),
            Finding::UnsetUnknownVersion => "this stage's Go version cannot be known; before Go 1.13 the go command ignores go.mod inside GOPATH unless `GO111MODULE=on`".to_string(),
            Finding::UnsetHardening => "this stage runs the go command without `GO111MODULE=on` (hardening: module mode is already the default here)".to_string(),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(match self {
            Finding::UnsetGopathMode { .. }
            | Finding::UnsetUnknownVersion
            | Finding::UnsetHardening => "Add `ENV GO111MODULE=on` to the stage".into(),
            _ => "Set GO111MODULE=on".into(),
        })
    }
}

impl Go111ModuleOn {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        if cx.ctx.is_none() {
            return;
        }
        let hardening = cx.settings.hardening;
        for stage in &cx.df.stages {
            let gos = cx.go_commands(stage);
            // Only where the go command really builds a module (go.mod in the image).
            let Some(module) = cx.main_module(stage) else {
                continue;
            };
            let (first_idx, first_ins) = (module.go_idx, module.ins);
            let mode = ModuleMode::of(cx, stage, &module);
            // An explicit non-`on` value in a command prefix.
            let mut explicit = false;
            for (_, _, go) in &gos {
                if let Some(a) = go.assignments.iter().find(|a| a.name == "GO111MODULE") {
                    explicit = true;
                    if a.value != "on" && mode.value_turns_modules_off(&a.value, hardening) {
                        let finding = mode.explicit_finding(&a.value, "for this go command");
                        let mut d = cx.report(&finding, go.range.clone());
                        d.fix = Some(
                            finding
                                .unsafe_fix(vec![Edit::replace(a.range.clone(), "GO111MODULE=on")]),
                        );
                        out.push(d);
                    }
                }
            }
            let stage_value = first_ins.state.env.get("GO111MODULE").or_else(|| {
                first_ins
                    .state
                    .args
                    .get("GO111MODULE")
                    .and_then(|v| v.as_ref())
            });
            match stage_value {
                Some(v) if v == "on" => {}
                Some(v) if !mode.value_turns_modules_off(v, hardening) => {}
                Some(v) => {
                    // Point at (and fix) the ENV/ARG of this stage that sets it last, if there
                    // is one: the one in effect (an earlier one would change nothing).
                    let setter = (stage.body.start..first_idx).rev().find_map(|i| {
                        let ins = &cx.df.instructions[i];
                        if !matches!(ins.kind, Kind::Env | Kind::Arg) {
                            return None;
                        }
                        ins.pairs
                            .iter()
                            .rfind(|p| p.name == "GO111MODULE")
                            .map(|p| (ins, p))
                    });
                    let range =
                        setter.map_or(first_ins.range.clone(), |(ins, _)| ins.range.clone());
                    let finding = mode.explicit_finding(v, "where the go command builds a module");
                    let mut d = cx.report(&finding, range);
                    if let Some((ins, pair)) = setter
                        && !ins.near_error
                        && let Some(r) = pair.value_range.clone()
                    {
                        d.fix = Some(finding.unsafe_fix(vec![Edit::replace(r, "on")]));
                    }
                    out.push(d);
                }
                None if !explicit
                    && !cx.ancestor_runs_go(stage)
                    && (hardening || mode.default_is_gopath()) =>
                {
                    let from = &cx.df.instructions[stage.from];
                    if from.near_error {
                        continue;
                    }
                    let finding = match mode.image {
                        _ if mode.default_is_gopath() => Finding::UnsetGopathMode {
                            version: mode.version_text(),
                            workdir: mode.workdir.clone().unwrap_or_default(),
                        },
                        ImageGo::Unknown => Finding::UnsetUnknownVersion,
                        _ => Finding::UnsetHardening,
                    };
                    let mut d = cx.report(&finding, from.range.clone());
                    if matches!(mode.image, ImageGo::Unknown) && !mode.default_is_gopath() {
                        d.severity = Severity::Info;
                    }
                    d.fix = Some(finding.safe_fix(vec![cx.add_env_to_stage(
                        stage,
                        "GO111MODULE",
                        "on",
                    )]));
                    out.push(d);
                }
                None => {}
            }
        }
    }
}

/// Whether module mode is on where a stage's first go command runs, per Go's release notes:
/// Go 1.11 and 1.12 default to `auto`, which means GOPATH mode inside `$GOPATH/src`; Go 1.13 to
/// 1.15 turn modules on under `auto` wherever a go.mod is found above the working directory;
/// Go 1.16 and later default to `on`. `off` is GOPATH mode at every version.
struct ModuleMode {
    image: ImageGo,
    /// The first go command's working directory.
    workdir: Option<String>,
    /// That directory is inside `$GOPATH/src`.
    in_gopath: bool,
}

impl ModuleMode {
    fn of(cx: &RuleContext, stage: &crate::syntax::Stage, module: &super::StageModule) -> Self {
        let image = stage_go(cx.df, stage);
        let workdir = module.go.workdir(module.ins.state.workdir.as_deref());
        let gopath = module
            .ins
            .state
            .env
            .get("GOPATH")
            .and_then(|p| p.split(':').next())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .or_else(|| module.ins.state.home().map(|h| format!("{h}/go")));
        let in_gopath = match (&workdir, gopath) {
            (Some(w), Some(g)) => {
                let src = format!("{}/src", g.trim_end_matches('/'));
                w == &src || w.starts_with(&format!("{src}/"))
            }
            _ => false,
        };
        ModuleMode {
            image,
            workdir,
            in_gopath,
        }
    }

    /// The default (`auto` before Go 1.16) is GOPATH mode here: Go 1.11/1.12 inside GOPATH.
    fn default_is_gopath(&self) -> bool {
        self.image.older_than(1, 13) && self.in_gopath
    }

    /// An explicit value other than `on` that means GOPATH mode here (or may, or the hardening
    /// profile asks for `on` everywhere). `auto` on Go 1.13+ with a go.mod is module mode.
    fn value_turns_modules_off(&self, value: &str, hardening: bool) -> bool {
        match value {
            "on" => false,
            "off" => true,
            _ => hardening || self.default_is_gopath(),
        }
    }

    /// The finding for an explicit value other than `on`.
    fn explicit_finding(&self, value: &str, place: &'static str) -> Finding {
        let value = value.to_string();
        if value == "off" {
            Finding::ExplicitOff { place }
        } else if self.default_is_gopath() {
            Finding::ExplicitGopathMode {
                value,
                version: self.version_text(),
                place,
            }
        } else if self.image == ImageGo::Unknown {
            Finding::ExplicitUnknownVersion { value, place }
        } else {
            Finding::ExplicitHardening { value, place }
        }
    }

    fn version_text(&self) -> String {
        match self.image {
            ImageGo::Version { version, .. } => format!("{}.{}", version.0, version.1),
            _ => "before 1.13".into(),
        }
    }
}
