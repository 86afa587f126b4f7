use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::fix::Edit;
use crate::syntax::Kind;

declare_rule! {
    pub struct HardcodedTargetPlatform;
    code: "GM026",
    name: "hardcoded-target-platform",
    summary: "GOOS/GOARCH literals in a cross-compiling or multi-platform build",
    severity: Warning,
    fix: Mixed,
    doc: r#"## What it does
Finds `GOOS=linux`/`GOARCH=amd64` literals on go commands (or in the stage's ENV) in a stage whose
FROM uses `--platform=$BUILDPLATFORM`, or in a Dockerfile built for several platforms (bake or
compose `platforms`, `platforms:` of docker/build-push-action, `--platform a,b` of a
`docker build` in CI, a Makefile or a script, goreleaser's `dockers`), and offers
`GOOS=$TARGETOS GOARCH=$TARGETARCH` with `ARG TARGETOS TARGETARCH` declared in the stage. A
literal that is right for every known platform is left alone, and `GOOS=linux` is only reported
when a known platform is not Linux (container images nearly always are).
`ARG TARGETOS=linux` / `ARG TARGETARCH=amd64` with defaults lose their defaults (safe); the
message names the file that asks for which platforms. In a `--platform=$BUILDPLATFORM` stage, `GOARCH=$TARGETARCH` without
`ARG TARGETARCH` in that stage is reported too: BuildKit fills the automatic platform args only
in stages that declare them, so the variable is empty and the build is native; the safe fix
declares the missing args after FROM. A GOOS/GOARCH set by a shell command in an earlier RUN
is reported (shell variables do not survive between RUNs), and so is one saved to a file without
`export` (`echo "GOARCH=arm64" > /tmp/env`) and sourced by a later RUN: sourcing sets a shell
variable the go command does not see; the unsafe fix writes `export GOARCH=…` into the file
(unsafe: the build then really cross-compiles, which a cgo build may not be ready for).

## Why is this bad?
With `--platform=$BUILDPLATFORM` the build stage runs on the builder's own platform and must
cross-compile for the target. A literal GOARCH builds an amd64 binary into the arm64 image too;
it fails at start with `exec format error`. A default on an automatic TARGET* arg declared in a
stage is kept over the value BuildKit would fill in, so every image of a multi-platform build
gets the default's binary; builders that do not fill them in are pinned too.

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
Platforms from compose/bake files, CI workflows, Makefiles, scripts and goreleaser, when any."#,
}

/// GM026's findings. `built_for` says which platforms the file is built for and by what
/// ("built for linux/amd64,linux/arm64 by .github/workflows/release.yml:14 (…)").
enum Finding {
    /// `ARG TARGETARCH=…` (or another automatic platform ARG, `name`) with a default, where the
    /// platforms are not known. Fixtures: `pos_target_arg_defaults`.
    ArgDefault { name: String },
    /// The same where the file is built for platforms the default does not match. Fixtures:
    /// `pos_workflow_platforms_arg_default`.
    ArgDefaultBuiltFor {
        name: String,
        default: String,
        built_for: String,
    },
    /// `GOOS`/`GOARCH` literals (`names`, `GOARCH=amd64 …`) in a `--platform=$BUILDPLATFORM`
    /// stage. Fixtures: `pos_buildplatform_literals`.
    FixedInCrossStage { names: String },
    /// The same where the file is built for several platforms. Fixtures:
    /// `pos_goarch_fixed_workflow_platforms`.
    FixedBuiltFor { names: String, built_for: String },
    /// `$TARGETOS`/`$TARGETARCH`/… (`missing`) used on a go build in a stage that does not
    /// declare them. Fixtures: `pos_target_args_not_declared`.
    UndeclaredTargetArgs { missing: Vec<&'static str> },
    /// GOOS/GOARCH (`name`) set by a shell command in an earlier RUN (at `line`). Fixtures:
    /// `pos_goarch_from_earlier_run`.
    ShellVariableAcrossRuns { name: String, line: usize },
    /// GOOS/GOARCH (`name`) saved to `file` (by the RUN at `line`) without `export` and sourced.
    /// Fixtures: `pos_goarch_saved_to_file_without_export`.
    SourcedWithoutExport {
        name: &'static str,
        file: String,
        line: usize,
    },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::ArgDefault { name } => {
                format!(
                    "`ARG {name}` with a default pins the platform in builders that do not set it"
                )
            }
            Finding::ArgDefaultBuiltFor {
                name,
                default,
                built_for,
            } => format!(
                "`ARG {name}={default}`: BuildKit keeps a stage ARG's default over the automatic value, so every image gets {default}, but the file is {built_for}"
            ),
            Finding::FixedInCrossStage { names } => format!(
                "`{names}` is fixed in a `--platform=$BUILDPLATFORM` stage: images for any other target get the wrong binary"
            ),
            Finding::FixedBuiltFor { names, built_for } => format!(
                "`{names}` is fixed but the file is {built_for}: the other images get the wrong binary"
            ),
            Finding::UndeclaredTargetArgs { missing } => format!(
                "{} used without `ARG {}` in this stage: {} to nothing, so the binary is built for the build platform (`exec format error` on the others)",
                missing
                    .iter()
                    .map(|n| format!("${n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                missing.join(" "),
                if missing.len() == 1 {
                    "it expands"
                } else {
                    "they expand"
                }
            ),
            Finding::ShellVariableAcrossRuns { name, line } => format!(
                "{name} is set by a shell command in an earlier RUN (line {line}): shell variables do not survive between RUNs, so this build ignores it"
            ),
            Finding::SourcedWithoutExport { name, file, line } => format!(
                "{name} is saved to {file} (line {line}) without `export`: sourcing it sets a shell variable the go command does not see, so this build is for the builder's platform"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::ArgDefault { name } | Finding::ArgDefaultBuiltFor { name, .. } => {
                Some(format!("Drop the default of {name}"))
            }
            Finding::FixedInCrossStage { .. } | Finding::FixedBuiltFor { .. } => {
                Some("Use $TARGETOS/$TARGETARCH".into())
            }
            Finding::UndeclaredTargetArgs { missing } => {
                Some(format!("Declare `ARG {}` in the stage", missing.join(" ")))
            }
            Finding::ShellVariableAcrossRuns { .. } => None,
            Finding::SourcedWithoutExport { name, file, .. } => {
                Some(format!("Write `export {name}=…` to {file}"))
            }
        }
    }
}

impl HardcodedTargetPlatform {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        // Platform advice for Go builds only (a .NET or Node Dockerfile's TARGETARCH is theirs).
        if !cx.df.runs_go() {
            return;
        }
        shell_variables_across_runs(cx, out);
        sourced_without_export(cx, out);
        let platforms: &[String] = cx.ctx.map_or(&[], |c| c.platforms.as_slice());
        let multi = platforms.len() > 1;
        // "built for linux/amd64,linux/arm64 by .github/workflows/release.yml:42"
        let built_for = cx.ctx.filter(|_| !platforms.is_empty()).map(|c| {
            let by = c
                .platforms_from
                .as_deref()
                .map(|f| format!(" by {f}"))
                .unwrap_or_default();
            format!("built for {}{by}", platforms.join(","))
        });
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
                    if !matches!(
                        p.name.as_str(),
                        "TARGETOS" | "TARGETARCH" | "TARGETPLATFORM" | "TARGETVARIANT"
                    ) {
                        continue;
                    }
                    let Some(r) = &p.value_range else { continue };
                    let default = cx.df.source[r.clone()].trim_matches(['"', '\'']);
                    // An empty default (`ARG TARGETVARIANT=""`) pins nothing, and neither does one
                    // that nothing after it in the stage (or a stage built FROM it) reads.
                    if default.is_empty() || !arg_read_after(cx, stage, ins.range.end, &p.name) {
                        continue;
                    }
                    let finding = match &built_for {
                        // Known platforms that all agree with the default: harmless.
                        Some(_)
                            if platforms
                                .iter()
                                .all(|pl| platform_part(pl, &p.name) == default) =>
                        {
                            continue;
                        }
                        Some(built) => Finding::ArgDefaultBuiltFor {
                            name: p.name.clone(),
                            default: default.to_string(),
                            built_for: built.clone(),
                        },
                        None => Finding::ArgDefault {
                            name: p.name.clone(),
                        },
                    };
                    let mut d = cx.report(&finding, ins.range.clone());
                    // Remove `=value`.
                    let eq = p.range.start + p.name.len();
                    d.fix = Some(finding.safe_fix(vec![Edit::delete(eq..r.end)]));
                    out.push(d);
                }
            }
            if cross {
                undeclared_target_args(cx, stage, out);
            }
            let mut edits = Vec::new();
            let mut names = Vec::new();
            let mut at = None;
            // Builds for several architectures named one by one (`GOARCH=amd64 go build -o
            // app_amd64 && GOARCH=arm64 go build -o app_arm64`, the final stage copying
            // `app_${TARGETARCH}`) are deliberate: every image picks its own binary.
            let arches: std::collections::BTreeSet<&str> = cx
                .go_commands(stage)
                .into_iter()
                .filter(|(_, _, g)| g.sub == "build" || g.sub == "install")
                .flat_map(|(_, _, g)| g.assignments.iter())
                .filter(|a| a.name == "GOARCH" && !a.value.contains('$'))
                .map(|a| a.value.as_str())
                .collect();
            if arches.len() > 1 {
                continue;
            }
            for (_, ins, go) in cx.go_commands(stage) {
                if !(go.sub == "build" || go.sub == "install") || ins.near_error {
                    continue;
                }
                for a in &go.assignments {
                    let (target, part) = match a.name.as_str() {
                        "GOOS" => ("$TARGETOS", "TARGETOS"),
                        "GOARCH" => ("$TARGETARCH", "TARGETARCH"),
                        _ => continue,
                    };
                    if a.value.contains('$') {
                        continue;
                    }
                    // `GOOS=linux` is right for Linux images, which is nearly every image: only
                    // a known non-Linux platform makes it wrong.
                    if a.name == "GOOS"
                        && a.value == "linux"
                        && platforms
                            .iter()
                            .all(|pl| platform_part(pl, part) == "linux")
                    {
                        continue;
                    }
                    // Right for every platform the file is built for (`GOOS=linux` when all
                    // are linux): nothing to change.
                    if !platforms.is_empty()
                        && platforms
                            .iter()
                            .all(|pl| platform_part(pl, part) == a.value)
                    {
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
            let names = names.join(" ");
            // Without known platforms (`built_for`) only a cross stage gets here: several
            // platforms are always known, and named.
            let finding = match &built_for {
                Some(built) => Finding::FixedBuiltFor {
                    names,
                    built_for: built.clone(),
                },
                None => Finding::FixedInCrossStage { names },
            };
            let mut d = cx.report(&finding, range);
            d.fix = Some(finding.unsafe_fix(edits));
            out.push(d);
        }
    }
}

/// The part of `os/arch[/variant]` an automatic platform arg holds.
fn platform_part<'a>(platform: &'a str, arg: &str) -> &'a str {
    let mut parts = platform.split('/');
    let os = parts.next().unwrap_or("");
    let arch = parts.next().unwrap_or("");
    let variant = parts.next().unwrap_or("");
    match arg {
        "TARGETOS" => os,
        "TARGETARCH" => arch,
        "TARGETVARIANT" => variant,
        _ => platform,
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
    let line = format!("ARG {}", missing.join(" "));
    let finding = Finding::UndeclaredTargetArgs { missing };
    let mut d = cx.report(&finding, ins.range.clone());
    if !from.near_error {
        d.fix = Some(finding.safe_fix(vec![cx.insert_lines_after(from, &[line])]));
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
                    let finding = Finding::ShellVariableAcrossRuns {
                        name: name.clone(),
                        line: cx.df.line_col(cx.df.instructions[*set_idx].range.start).0,
                    };
                    out.push(cx.report(&finding, ins.range.clone()));
                    set_in = None;
                    break;
                }
            }
        }
    }
}

/// `echo "GOARCH=arm64" > /tmp/env` in one RUN and `. /tmp/env && go build` in a later one:
/// sourcing sets a shell variable, but only exported variables reach the go command, so the
/// build is for the builder's own platform. The fix writes `export GOARCH=…` into the file.
fn sourced_without_export(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stage in &cx.df.stages {
        // (file, variable, RUN index, range of `GOARCH=` inside the echoed word)
        let mut saved: Vec<(String, &'static str, usize, usize)> = Vec::new();
        for idx in stage.body.clone() {
            let ins = &cx.df.instructions[idx];
            let Some(run) = &ins.run else { continue };
            let mut sourced: Vec<(String, &'static str, usize, usize)> = Vec::new();
            let all_export = run.commands.iter().any(|c| {
                c.words.first().is_some_and(|w| w.text == "set")
                    && c.words
                        .iter()
                        .skip(1)
                        .any(|w| w.text == "-a" || w.text == "allexport")
            });
            for c in &run.commands {
                let first = c.words.first().map(|w| w.text.as_str());
                if matches!(first, Some("echo" | "printf")) {
                    let Some(file) = redirect_target(&cx.df.source, c.range.end) else {
                        continue;
                    };
                    for w in c.words.iter().skip(1) {
                        for name in ["GOARCH", "GOOS"] {
                            let raw = &cx.df.source[w.range.clone()];
                            let Some(at) = raw.find(&format!("{name}=")) else {
                                continue;
                            };
                            // `NAME=` starts a word of the text, and no `export ` before it.
                            let boundary = matches!(
                                raw[..at].chars().last(),
                                None | Some('"' | '\'' | ' ' | ';' | '\n')
                            );
                            let exported =
                                raw[..at].trim_end_matches(['"', '\'']).ends_with("export ");
                            if !boundary || exported {
                                continue;
                            }
                            saved.push((file.clone(), name, idx, w.range.start + at));
                        }
                    }
                } else if matches!(first, Some("." | "source")) {
                    if let Some(f) = c.words.get(1) {
                        sourced.extend(
                            saved
                                .iter()
                                .filter(|s| s.0 == f.text && s.2 != idx)
                                .cloned(),
                        );
                    }
                } else if first == Some("export")
                    && c.words
                        .iter()
                        .skip(1)
                        .any(|w| w.text == "GOARCH" || w.text == "GOOS")
                {
                    sourced.clear();
                }
            }
            if sourced.is_empty() || all_export {
                continue;
            }
            for go in &run.go {
                if go.sub != "build" && go.sub != "install" {
                    continue;
                }
                let Some((file, name, set_idx, _)) = sourced
                    .iter()
                    // A variable already in the environment (ENV, a declared ARG) stays
                    // exported when the file assigns it.
                    .find(|s| {
                        super::effective_env(ins, go, s.1).is_none()
                            && !ins.state.args.contains_key(s.1)
                    })
                else {
                    continue;
                };
                let finding = Finding::SourcedWithoutExport {
                    name,
                    file: file.clone(),
                    line: cx.df.line_col(cx.df.instructions[*set_idx].range.start).0,
                };
                let mut d = cx.report(&finding, ins.range.clone());
                if !cx.df.instructions[*set_idx].near_error {
                    d.fix = Some(
                        finding.unsafe_fix(
                            saved
                                .iter()
                                .filter(|s| s.0 == *file && s.1 == *name && s.2 <= *set_idx)
                                .map(|s| Edit::insert(s.3, "export "))
                                .collect(),
                        ),
                    );
                }
                out.push(d);
                break;
            }
        }
    }
}

/// The file a command's output goes to: `> FILE` or `>> FILE` right after the command.
fn redirect_target(src: &str, end: usize) -> Option<String> {
    let rest = src[end..].trim_start_matches([' ', '\t']);
    let rest = rest.strip_prefix(">>").or_else(|| rest.strip_prefix('>'))?;
    let file: String = rest
        .trim_start_matches([' ', '\t'])
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|' | ')'))
        .collect();
    let file = file.trim_matches(['"', '\'']).to_string();
    (!file.is_empty()).then_some(file)
}

/// Whether `$NAME`/`${NAME…}` is read after `from` in the stage or in a stage built FROM it.
fn arg_read_after(cx: &RuleContext, stage: &crate::syntax::Stage, from: usize, name: &str) -> bool {
    let plain = format!("${name}");
    let braced = format!("${{{name}");
    cx.df.stages.iter().any(|st| {
        cx.df.stage_chain(st).any(|s| s.index == stage.index)
            && cx.df.instructions[st.body.clone()].iter().any(|i| {
                let text = &cx.df.source[i.range.clone()];
                i.range.start >= from
                    && (text.contains(&braced)
                        || text.match_indices(&plain).any(|(at, _)| {
                            !text[at + plain.len()..]
                                .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                        }))
            })
    })
}
