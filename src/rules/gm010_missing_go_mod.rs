use super::{Diagnostic, RuleContext, RuleMeta, Violation, copy_line, relative_dest};
use crate::context::{join_rel, split_dir};
use crate::fix::Edit;
use crate::syntax::Stage;

declare_rule! {
    pub struct MissingGoMod;
    code: "GM010",
    name: "missing-go-mod",
    summary: "A go command runs where go.mod (or go.sum) never reached the image",
    severity: Error,
    fix: Safe,
    doc: r#"## What it does
Finds go commands that run where no go.mod was copied into their working directory or a parent
(`COPY *.go ./` or `COPY main.go .` followed by `go build`), and inserts the COPY of the module
files in front of the source COPY, with context-relative paths. Also finds a go.sum that exists
in the build context but never reaches the stage, and adds it to the COPY that brings go.mod.

A go command the container runs when it starts (`CMD ["go", "run", "."]` in a dev image) is
checked the same way where no RUN builds the module: it fails at start instead of during the
build.

A go command that names `.go` files (`go run gen.go`, `go build main.go`) is not reported: the
files build without a go.mod when they import only the standard library.

## Why is this bad?
Without go.mod the go command stops with
`go: go.mod file not found in current directory or any parent directory; see 'go help modules'`
(or, on old images, falls back to GOPATH mode and fails with `cannot find package`). Without
go.sum every import of a dependency fails with
`missing go.sum entry for module providing package …`.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY *.go ./
RUN go build -o /app .
```

## Use instead
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY go.mod go.sum ./
COPY *.go ./
RUN go build -o /app .
```

## Fix safety
Safe: the build cannot succeed without these files, and they are copied where the sources are.

## Context needed
The build context listing. Silent when a COPY cannot be resolved, when go.mod lands in another
directory of the image (that is GM012), or when the context has no go.mod for the copied sources
(reported only when the image's Go defaults to module mode). When the Dockerfile sits in a
folder without go.mod and a folder above has go.mod and its COPY sources, the context is wrong,
not the Dockerfile: GM028 reports that instead."#,
}

/// GM010's findings; `sub` is the go command's subcommand.
enum Finding {
    /// No go.mod in the context for the copied sources. Fixtures: `pos_no_go_mod_at_all`.
    NoGoModInContext { sub: String },
    /// go.mod exists next to the sources but is never copied; the fix inserts `copy`. Fixtures:
    /// `pos_copy_go_files_only`, `pos_copy_main_go`.
    GoModNotCopied { sub: String, copy: String },
    /// go.mod (`go_mod`) is hidden by .dockerignore. Fixtures: `pos_go_mod_hidden_by_dockerignore`.
    GoModHidden { sub: String, go_mod: String },
    /// The module root (`mod_dir`) is above the copied sources. Fixtures:
    /// `pos_module_root_above_copied_sources`.
    ModuleRootAbove { sub: String, mod_dir: String },
    /// go.sum (`go_sum`) never reaches the stage. Fixtures: `pos_go_sum_not_copied`
    /// ([`GoSumFix::WithGoMod`]), `pos_go_sum_missing_file_destination`
    /// ([`GoSumFix::NextToGoMod`]).
    GoSumNotCopied { go_sum: String, fix: GoSumFix },
}

/// How [`Finding::GoSumNotCopied`] is fixed.
enum GoSumFix {
    None,
    /// Added to go.mod's COPY.
    WithGoMod,
    /// A COPY of its own after go.mod's (the line).
    NextToGoMod(String),
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let not_copied = |sub: &str| {
            format!(
                "`go {sub}` runs where no go.mod was copied: the build fails with `go.mod file not found`"
            )
        };
        match self {
            Finding::NoGoModInContext { sub } => format!(
                "`go {sub}` needs a go.mod, and the build context has none for the copied sources: the build fails with `go.mod file not found`"
            ),
            Finding::GoModNotCopied { sub, .. } => not_copied(sub),
            Finding::GoModHidden { sub, go_mod } => format!(
                "{} ({go_mod} is hidden by .dockerignore, see GM014)",
                not_copied(sub)
            ),
            Finding::ModuleRootAbove { sub, mod_dir } => format!(
                "{} (the module root is {}/, above the copied sources)",
                not_copied(sub),
                if mod_dir.is_empty() { "." } else { mod_dir }
            ),
            Finding::GoSumNotCopied { go_sum, .. } => format!(
                "{go_sum} exists in the build context but never reaches the stage: `missing go.sum entry` errors follow"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::GoModNotCopied { copy, .. } => Some(format!("Insert `{copy}`")),
            Finding::GoSumNotCopied {
                go_sum,
                fix: GoSumFix::WithGoMod,
            } => Some(format!("Copy {go_sum} with go.mod")),
            Finding::GoSumNotCopied {
                go_sum,
                fix: GoSumFix::NextToGoMod(line),
            } => Some(format!("Copy {go_sum} next to go.mod (`{line}`)")),
            _ => None,
        }
    }
}

impl MissingGoMod {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        if !ctx.complete() {
            return;
        }
        for stage in &cx.df.stages {
            // A module a RUN builds, else one the container builds when it starts.
            if let Some(module) = cx.built_module(stage) {
                missing_go_sum(cx, stage, &module, out);
                continue;
            }
            missing_go_mod(cx, stage, out);
        }
    }
}

fn missing_go_mod(cx: &RuleContext, stage: &Stage, out: &mut Vec<Diagnostic>) {
    let ctx = cx.ctx.expect("checked by caller");
    // The Dockerfile is meant for a folder above, which has go.mod: GM028 says so.
    if ctx.better_context.is_some() {
        return;
    }
    // A dev image whose container runs `go run .` when it starts fails there the same way.
    let gos = cx.module_go_commands(stage);
    let Some(&(go_idx, go_ins, go)) = gos
        .iter()
        .find(|(_, _, g)| g.needs_module() && g.sub != "get")
    else {
        return;
    };
    if gos.iter().any(|(_, _, g)| g.sub == "mod init")
        || super::effective_env(go_ins, go, "GO111MODULE").is_some_and(|v| v == "off")
    {
        return;
    }
    // `go run main.go` / `go build tool.go` name files: without a go.mod they build as
    // `command-line-arguments`, which works for files that import only the standard library.
    let args: Vec<&str> = go
        .rest()
        .iter()
        .map(|w| w.text.as_str())
        .filter(|t| !t.starts_with('-'))
        .collect();
    if matches!(go.sub.as_str(), "run" | "build" | "vet")
        && args.first().is_some_and(|a| a.ends_with(".go"))
    {
        return;
    }
    let files = cx.files(stage, ctx);
    if files.uncertain {
        return;
    }
    // go.mod copied somewhere else in the image: GM012's finding.
    if brings_a_go_mod(files, ctx, go_idx) {
        return;
    }
    let Some(source) = files.first_source_copy(stage.body.start..go_idx) else {
        return;
    };
    let copy_ins = &cx.df.instructions[source.instruction];
    if copy_ins.near_error {
        return;
    }
    // The module of the copied sources: the nearest go.mod at or above them.
    let src_dir = if source.dir {
        source.context_path.as_str()
    } else {
        split_dir(&source.context_path).0
    };
    let mut dir = src_dir.to_string();
    let mod_dir = loop {
        if ctx.tree.modules.contains_key(&dir) {
            break Some(dir);
        }
        if dir.is_empty() {
            break None;
        }
        dir = split_dir(&dir).0.to_string();
    };
    let Some(mod_dir) = mod_dir else {
        // No go.mod in the context at all for these sources.
        if image_defaults_to_modules(stage, cx) {
            out.push(cx.report(
                &Finding::NoGoModInContext {
                    sub: go.sub.clone(),
                },
                go_ins.range.clone(),
            ));
        }
        return;
    };
    let go_mod = join_rel(&mod_dir, "go.mod");
    let sub = go.sub.clone();
    if !ctx.sends(&go_mod) {
        let finding = Finding::GoModHidden { sub, go_mod };
        out.push(cx.report(&finding, go_ins.range.clone()));
        return;
    }
    if mod_dir != src_dir {
        // The module root is above the copied folder: the layout itself needs a decision.
        let finding = Finding::ModuleRootAbove { sub, mod_dir };
        out.push(cx.report(&finding, go_ins.range.clone()));
        return;
    }
    let Some(copy_workdir) = copy_ins.state.workdir.as_deref() else {
        return;
    };
    let image_dir = if source.dir {
        source.image_path.clone()
    } else {
        split_dir(&source.image_path).0.to_string()
    };
    let image_dir = if image_dir.is_empty() {
        "/".to_string()
    } else {
        image_dir
    };
    let mut sources = vec![go_mod];
    let go_sum = join_rel(&mod_dir, "go.sum");
    if ctx.sends(&go_sum) {
        sources.push(go_sum);
    }
    let line = copy_line(&sources, &relative_dest(copy_workdir, &image_dir));
    let finding = Finding::GoModNotCopied {
        sub,
        copy: line.clone(),
    };
    let mut d = cx.report(&finding, go_ins.range.clone());
    d.fix = Some(finding.safe_fix(vec![cx.insert_lines_before(copy_ins, &[line])]));
    out.push(d);
}

/// Go ≥ 1.16 (or an unknown golang version) runs in module mode without go.mod.
fn image_defaults_to_modules(stage: &Stage, cx: &RuleContext) -> bool {
    let s = cx.df.stage_chain(stage).last().unwrap_or(stage);
    if !s.golang {
        return false;
    }
    let tag = s
        .image
        .expanded
        .as_deref()
        .and_then(|e| e.rsplit_once(':'))
        .map(|(_, t)| t);
    match tag.and_then(|t| crate::context::gomod::go_version(t.split('-').next().unwrap_or(t))) {
        Some(v) => v >= (1, 16, 0),
        None => true,
    }
}

fn missing_go_sum(
    cx: &RuleContext,
    stage: &Stage,
    module: &super::StageModule,
    out: &mut Vec<Diagnostic>,
) {
    let ctx = cx.ctx.expect("checked by caller");
    let Some(go_mod) = module.go_mod else { return };
    if !go_mod.has_requirements() {
        return;
    }
    let go_sum = join_rel(&module.dir, "go.sum");
    if !ctx.sends(&go_sum) {
        return;
    }
    let files = cx.files(stage, ctx);
    // go.sum must be there by the last go command that loads modules: a pre-download run with
    // go.mod alone works (it records the sums), and `COPY . .` brings go.sum before the build.
    let last_go = cx
        .module_go_commands(stage)
        .into_iter()
        .filter(|(_, _, g)| g.needs_module())
        .map(|(i, _, _)| i)
        .max()
        .unwrap_or(module.go_idx);
    if files.uncertain || files.landing(ctx, &go_sum, last_go).is_some() {
        return;
    }
    let go_mod_rel = join_rel(&module.dir, "go.mod");
    let Some((copy_idx, _)) = files.landing(ctx, &go_mod_rel, module.go_idx) else {
        return;
    };
    let copy_ins = &cx.df.instructions[copy_idx];
    // The finding, and the same finding with the fix it gets.
    let finding = |fix| Finding::GoSumNotCopied {
        go_sum: go_sum.clone(),
        fix,
    };
    let mut d = cx.report(&finding(GoSumFix::None), copy_ins.range.clone());
    if copy_ins.near_error || copy_idx < stage.body.start {
        out.push(d);
        return;
    }
    // Add go.sum next to the go.mod source word of a shell-form COPY.
    let word = copy_ins.copy.as_ref().and_then(|c| {
        c.sources
            .iter()
            .find(|w| crate::context::context_rel(&w.text) == go_mod_rel)
    });
    // A destination that names a file (`COPY go.mod /src/go.mod`) would receive every source
    // on that one path: go.sum then goes in a COPY of its own, into go.mod's folder.
    let dest_is_dir = copy_ins
        .copy
        .as_ref()
        .and_then(|c| c.dest.as_ref())
        .is_some_and(|d| d.text.ends_with('/') || d.text == "." || d.text == "..");
    if let Some(w) = word
        && !cx.df.source[w.range.clone()].starts_with('"')
        && dest_is_dir
    {
        d.fix = Some(
            finding(GoSumFix::WithGoMod)
                .safe_fix(vec![Edit::insert(w.range.end, format!(" {}", go_sum))]),
        );
    } else if let Some(workdir) = copy_ins.state.workdir.as_deref() {
        let line = copy_line(
            std::slice::from_ref(&go_sum),
            &relative_dest(workdir, &module.image_dir),
        );
        let edit = cx.insert_lines_after(copy_ins, std::slice::from_ref(&line));
        d.fix = Some(finding(GoSumFix::NextToGoMod(line)).safe_fix(vec![edit]));
    }
    out.push(d);
}

/// Whether any COPY before `before` (or a bind mount of that RUN) brings some go.mod of the
/// context into the image.
pub fn brings_a_go_mod(
    files: &crate::image_fs::StageFiles,
    ctx: &crate::context::Context,
    before: usize,
) -> bool {
    files
        .mappings
        .iter()
        .filter(|m| m.visible_at(before))
        .any(|m| {
            if !m.dir {
                return m.context_path.ends_with("go.mod") && ctx.sends(&m.context_path);
            }
            ctx.tree.modules.keys().any(|d| {
                let inside = m.context_path.is_empty()
                    || d == &m.context_path
                    || d.starts_with(&format!("{}/", m.context_path));
                inside && ctx.sends(&join_rel(d, "go.mod"))
            })
        })
}
