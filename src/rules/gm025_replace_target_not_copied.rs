use super::{Diagnostic, RuleContext, RuleMeta, Violation, copy_line, relative_dest};
use crate::context::{join_rel, resolve_in_context};
use crate::syntax::join_path;

declare_rule! {
    pub struct ReplaceTargetNotCopied;
    code: "GM025",
    name: "replace-target-not-copied",
    summary: "A local `replace` target of go.mod is not copied before the go command needs it",
    severity: Error,
    fix: Safe,
    doc: r#"## What it does
Reads go.mod's `replace X => ./path` directives (local directories) of modules go.mod requires
(the go command never reads the replacement of a module outside the build list, nor any
replacement in a vendored build: vendor/modules.txt in the image and vendor mode in effect) and
checks that
the stage
copies the target's go.mod before the first go command that loads modules (`go mod download`,
`go build`, …), including one the container runs when it starts (`CMD ["go", "run", "."]`).
The fix adds `COPY path/go.mod path/go.sum <module dir>/path/` before that command, or
`COPY path/ <module dir>/path/` when the target's Go sources never land in the stage. A target outside the build context (`=> ../lib`) cannot be copied at all: it is reported
with the context that would contain both. A target that a `COPY --from=…` fills (another stage,
or a named build context: `COPY --from=lib . /monorepo/lib` with
`docker build --build-context lib=../lib`) is not reported: what lands there is not known.

## Why is this bad?
The go command reads the replacement's go.mod before it downloads or builds anything:
`go: example.com/lib@v0.0.0 (replaced by ./lib): reading lib/go.mod: open /src/lib/go.mod: no such
file or directory`. COPY cannot reach above the build context, so a `../lib` target needs a larger
context.

## Example
```dockerfile
# go.mod: replace example.com/lib => ./lib
COPY go.mod go.sum ./
RUN go mod download
COPY . .
```

## Use instead
```dockerfile
COPY go.mod go.sum ./
COPY lib/go.mod lib/go.sum /src/lib/
RUN go mod download
COPY . .
```

## Fix safety
Safe: the download cannot succeed without these files.

## Context needed
The module's go.mod and the build context listing."#,
}

/// GM025's findings, for go.mod's `replace module => path`.
enum Finding {
    /// The target is outside the build context; a context `levels` above contains both.
    /// Fixtures: `pos_replace_outside_context`.
    OutsideContext {
        module: String,
        path: String,
        levels: usize,
    },
    /// The target's go.mod (`target_mod`) is not in the image when the go command runs; the fix
    /// inserts `copy` (none when .dockerignore hides it). Fixtures:
    /// `pos_replace_target_not_copied`.
    NotCopied {
        module: String,
        path: String,
        target_mod: String,
        copy: Option<String>,
    },
    /// … and the build context has no such file. Fixtures: `pos_replace_target_missing`.
    NotInContext {
        module: String,
        path: String,
        target_mod: String,
    },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::OutsideContext {
                module,
                path,
                levels,
            } => format!(
                "go.mod replaces {module} with {path}, outside the build context: only a context {levels} level(s) above this one contains both (`docker build -f <Dockerfile> <that folder>`)"
            ),
            Finding::NotCopied {
                module,
                path,
                target_mod,
                ..
            } => format!(
                "go.mod replaces {module} with {path}, but {target_mod} is not in the image when the go command runs"
            ),
            Finding::NotInContext {
                module,
                path,
                target_mod,
            } => format!(
                "go.mod replaces {module} with {path}, but {target_mod} is not in the image when the go command runs (and the build context has no such file)"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::NotCopied {
                copy: Some(copy), ..
            } => Some(format!("Insert `{copy}` before the go command")),
            _ => None,
        }
    }
}

impl ReplaceTargetNotCopied {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        for stage in &cx.df.stages {
            // A module a RUN builds, else one the container builds when it starts.
            let Some(module) = cx.built_module(stage) else {
                continue;
            };
            let Some(go_mod) = module.go_mod else {
                continue;
            };
            let files = cx.files(stage, ctx);
            // The first go command that loads modules, from the module's go.mod on.
            let first = cx
                .go_commands(stage)
                .into_iter()
                .chain(cx.start_go_commands(stage))
                .find(|(i, _, g)| *i >= module.go_idx && g.needs_module());
            let Some((first_idx, first_ins, first_go)) = first else {
                continue;
            };
            // A vendored build reads replaced modules from vendor/, never from their targets:
            // vendor/modules.txt in the image and vendor mode in effect (`-mod=vendor`, or no
            // -mod with go.mod at go 1.14 or later).
            let vendor_mode = match super::mod_mode(first_ins, first_go).as_deref() {
                Some(m) => m == "vendor",
                None => go_mod
                    .go
                    .as_deref()
                    .and_then(crate::context::gomod::go_version)
                    .is_some_and(|v| (v.0, v.1) >= (1, 14)),
            };
            if vendor_mode
                && files
                    .landing(ctx, &join_rel(&module.dir, "vendor/modules.txt"), first_idx)
                    .is_some()
            {
                continue;
            }
            for (r, path) in go_mod.local_replaces() {
                let path = &path.to_string();
                // Filled by `COPY --from=` (a stage, a named build context): not ours to judge.
                if files.filled_from_elsewhere(&join_path(&module.image_dir, path), first_idx) {
                    continue;
                }
                let Some(target) = resolve_in_context(&module.dir, path) else {
                    let ups = path.split('/').take_while(|p| *p == "..").count();
                    let depth = module.dir.split('/').filter(|p| !p.is_empty()).count();
                    let finding = Finding::OutsideContext {
                        module: r.module.clone(),
                        path: path.clone(),
                        levels: ups.saturating_sub(depth),
                    };
                    out.push(cx.report(&finding, first_ins.range.clone()));
                    continue;
                };
                let target_mod = join_rel(&target, "go.mod");
                if files.landing(ctx, &target_mod, first_idx).is_some() || files.uncertain {
                    continue;
                }
                // The finding, and the same finding with the fix it gets.
                let not_copied = |copy| Finding::NotCopied {
                    module: r.module.clone(),
                    path: path.clone(),
                    target_mod: target_mod.clone(),
                    copy,
                };
                if ctx.tree.kind(&target_mod).is_none() {
                    let finding = Finding::NotInContext {
                        module: r.module.clone(),
                        path: path.clone(),
                        target_mod: target_mod.clone(),
                    };
                    out.push(cx.report(&finding, first_ins.range.clone()));
                    continue;
                }
                let mut d = cx.report(&not_copied(None), first_ins.range.clone());
                if !ctx.sends(&target_mod) || first_ins.near_error {
                    // Hidden by .dockerignore: GM014 re-includes it.
                    out.push(d);
                    continue;
                }
                let Some(workdir) = first_ins.state.workdir.as_deref() else {
                    continue;
                };
                let mut sources = vec![target_mod.clone()];
                let target_sum = join_rel(&target, "go.sum");
                if ctx.sends(&target_sum) {
                    sources.push(target_sum);
                }
                // When the target's Go sources never land in the stage (no later `COPY . .`),
                // its go.mod alone would only move the failure on to the first import of it:
                // copy the whole folder.
                let go_source = ctx
                    .tree
                    .below(&target)
                    .find(|(p, _)| p.ends_with(".go") && ctx.sends(p));
                if let Some((f, _)) = go_source
                    && files.landing(ctx, f, stage.body.end).is_none()
                {
                    sources = vec![format!("{target}/")];
                }
                let dest = relative_dest(workdir, &join_path(&module.image_dir, path));
                let line = copy_line(&sources, &dest);
                let edit = cx.insert_lines_before(first_ins, std::slice::from_ref(&line));
                d.fix = Some(not_copied(Some(line)).safe_fix(vec![edit]));
                out.push(d);
            }
        }
    }
}
