use super::{Diagnostic, FixAvailability, Rule, RuleContext, RuleMeta, Severity};
use crate::fix::{Edit, Fix};
use crate::syntax::Kind;

pub struct HardcodedTargetPlatform;

static META: RuleMeta = RuleMeta {
    code: "GM026",
    name: "hardcoded-target-platform",
    summary: "GOOS/GOARCH literals in a cross-compiling or multi-platform build",
    severity: Severity::Warning,
    fix: FixAvailability::Mixed,
    doc: r#"## What it does
Finds `GOOS=linux`/`GOARCH=amd64` literals on go commands (or in the stage's ENV) in a stage whose
FROM uses `--platform=$BUILDPLATFORM`, or in a Dockerfile built for several platforms (bake or
compose `platforms`), and offers `GOOS=$TARGETOS GOARCH=$TARGETARCH` with `ARG TARGETOS TARGETARCH`
declared in the stage. `ARG TARGETOS=linux` / `ARG TARGETARCH=amd64` with defaults lose their
defaults (safe). In a `--platform=$BUILDPLATFORM` stage, `GOARCH=$TARGETARCH` without
`ARG TARGETARCH` in that stage is reported too: BuildKit fills the automatic platform args only
in stages that declare them, so the variable is empty and the build is native; the safe fix
declares the missing args after FROM.

## Why is this bad?
With `--platform=$BUILDPLATFORM` the build stage runs on the builder's own platform and must
cross-compile for the target. A literal GOARCH builds an amd64 binary into the arm64 image too;
it fails at start with `exec format error`. Defaults on the automatic TARGET* args pin the
platform in builders that do not fill them in.

## Example
```dockerfile
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
RUN GOOS=linux GOARCH=amd64 go build -o /app .
```

## Use instead
```dockerfile
FROM --platform=$BUILDPLATFORM golang:1.22 AS build
ARG TARGETOS TARGETARCH
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /app .
```

## Fix safety
Replacing literals is unsafe: a Dockerfile may really mean to build for one platform only.
Dropping defaults from TARGET* ARGs is safe.

## Context needed
Platforms from compose/bake files, when any."#,
};

impl Rule for HardcodedTargetPlatform {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        // Platform advice for Go builds only (a .NET or Node Dockerfile's TARGETARCH is theirs).
        if !cx.df.runs_go() {
            return;
        }
        shell_variables_across_runs(cx, out);
        let multi = cx.ctx.is_some_and(|c| c.platforms.len() > 1);
        for stage in &cx.df.stages {
            let cross = stage
                .platform
                .as_deref()
                .is_some_and(|p| p.contains("BUILDPLATFORM"));
            if !(cross || multi) {
                continue;
            }
            // ARG TARGETOS=linux style defaults.
            for ins in &cx.df.instructions[stage.body.clone()] {
                if ins.kind != Kind::Arg || ins.near_error {
                    continue;
                }
                for p in &ins.pairs {
                    if matches!(
                        p.name.as_str(),
                        "TARGETOS" | "TARGETARCH" | "TARGETPLATFORM" | "TARGETVARIANT"
                    ) && let Some(r) = &p.value_range
                        // An empty default (`ARG TARGETVARIANT=""`) pins nothing.
                        && p.value.as_deref().is_some_and(|v| !v.is_empty())
                    {
                        let mut d = cx.diagnostic(
                            &META,
                            ins.range.clone(),
                            format!("`ARG {}` with a default pins the platform in builders that do not set it", p.name),
                        );
                        // Remove `=value`.
                        let eq = p.range.start + p.name.len();
                        d.fix = Some(Fix::safe(
                            format!("Drop the default of {}", p.name),
                            vec![Edit::delete(eq..r.end)],
                        ));
                        out.push(d);
                    }
                }
            }
            if cross {
                undeclared_target_args(cx, stage, out);
            }
            let mut edits = Vec::new();
            let mut names = Vec::new();
            let mut at = None;
            for (_, ins, go) in cx.go_commands(stage) {
                if !(go.sub == "build" || go.sub == "install") || ins.near_error {
                    continue;
                }
                for a in &go.assignments {
                    let target = match a.name.as_str() {
                        "GOOS" => "$TARGETOS",
                        "GOARCH" => "$TARGETARCH",
                        _ => continue,
                    };
                    if a.value.contains('$') {
                        continue;
                    }
                    edits.push(Edit::replace(
                        a.range.clone(),
                        format!("{}={target}", a.name),
                    ));
                    names.push(format!("{}={}", a.name, a.value));
                    at.get_or_insert(ins.range.clone());
                }
            }
            let Some(range) = at else { continue };
            let declared = cx.df.instructions[stage.body.clone()]
                .iter()
                .any(|i| i.kind == Kind::Arg && i.pairs.iter().any(|p| p.name == "TARGETARCH"));
            if !declared {
                edits.push(cx.insert_lines_after(
                    &cx.df.instructions[stage.from],
                    &["ARG TARGETOS TARGETARCH".to_string()],
                ));
            }
            let why = if cross {
                "the stage runs on the build platform (--platform=$BUILDPLATFORM)"
            } else {
                "the file is built for several platforms"
            };
            let mut d = cx.diagnostic(
                &META,
                range,
                format!(
                    "{} hard-codes the target while {why}: other platforms get the wrong binary",
                    names.join(" ")
                ),
            );
            d.fix = Some(Fix::unsafe_("Use $TARGETOS/$TARGETARCH", edits));
            out.push(d);
        }
    }
}

/// `GOARCH=$TARGETARCH` on a go build in a `--platform=$BUILDPLATFORM` stage that does not
/// declare `ARG TARGETARCH`: the automatic platform args exist in a stage only when declared
/// there, so it expands to nothing and the binary is built for the build platform.
fn undeclared_target_args(
    cx: &RuleContext,
    stage: &crate::syntax::Stage,
    out: &mut Vec<Diagnostic>,
) {
    const TARGET_ARGS: [&str; 4] = ["TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT"];
    let mut missing: Vec<&str> = Vec::new();
    let mut first = None;
    for (_, ins, go) in cx.go_commands(stage) {
        if !(go.sub == "build" || go.sub == "install") || ins.near_error {
            continue;
        }
        for a in go
            .assignments
            .iter()
            .filter(|a| a.name == "GOOS" || a.name == "GOARCH" || a.name == "GOARM")
        {
            for name in TARGET_ARGS {
                let used = a.value.contains(&format!("${{{name}}}"))
                    || a.value.contains(&format!("${{{name}:"))
                    || a.value.split('$').skip(1).any(|v| {
                        v.strip_prefix(name).is_some_and(|rest| {
                            !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                        })
                    });
                if used && !ins.state.args.contains_key(name) && !missing.contains(&name) {
                    missing.push(name);
                    first.get_or_insert(ins);
                }
            }
        }
    }
    let Some(ins) = first else { return };
    let from = &cx.df.instructions[stage.from];
    let mut d = cx.diagnostic(
        &META,
        ins.range.clone(),
        format!(
            "{} used without `ARG {}` in this stage: {} to nothing, so the binary is built for the build platform (`exec format error` on the others)",
            missing.iter().map(|n| format!("${n}")).collect::<Vec<_>>().join(", "),
            missing.join(" "),
            if missing.len() == 1 { "it expands" } else { "they expand" }
        ),
    );
    if !from.near_error {
        d.fix = Some(Fix::safe(
            format!("Declare `ARG {}` in the stage", missing.join(" ")),
            vec![cx.insert_lines_after(from, &[format!("ARG {}", missing.join(" "))])],
        ));
    }
    out.push(d);
}

/// `RUN export GOARCH=…` (or `RUN GOARCH=$(…)`) in one RUN and a go build in a later RUN that
/// expects it: shell variables do not survive between RUN instructions.
fn shell_variables_across_runs(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stage in &cx.df.stages {
        let mut set_in: Option<(usize, String)> = None;
        for idx in stage.body.clone() {
            let ins = &cx.df.instructions[idx];
            let Some(run) = &ins.run else { continue };
            for c in &run.commands {
                let exported = c.words.first().is_some_and(|w| w.text == "export")
                    && c.words
                        .iter()
                        .skip(1)
                        .any(|w| w.text.starts_with("GOARCH=") || w.text.starts_with("GOOS="));
                let bare = c.words.is_empty()
                    && c.assignments
                        .iter()
                        .any(|a| a.name == "GOARCH" || a.name == "GOOS");
                if exported || bare {
                    let name = if c.words.iter().any(|w| w.text.starts_with("GOOS="))
                        || c.assignments.iter().any(|a| a.name == "GOOS")
                    {
                        "GOOS"
                    } else {
                        "GOARCH"
                    };
                    set_in = Some((idx, name.to_string()));
                }
            }
            let Some((set_idx, name)) = &set_in else {
                continue;
            };
            if *set_idx == idx {
                continue;
            }
            for go in &run.go {
                if (go.sub == "build" || go.sub == "install")
                    && super::effective_env(ins, go, name).is_none()
                {
                    out.push(cx.diagnostic(
                        &META,
                        ins.range.clone(),
                        format!(
                            "{name} is set by a shell command in an earlier RUN (line {}): shell variables do not survive between RUNs, so this build ignores it",
                            cx.df.line_col(cx.df.instructions[*set_idx].range.start).0
                        ),
                    ));
                    set_in = None;
                    break;
                }
            }
        }
    }
}
