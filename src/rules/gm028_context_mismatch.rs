use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation};
use crate::context::{Origin, sources::missing_sources};
use crate::syntax::{Copy, Kind};

declare_rule! {
    pub struct ContextMismatch;
    code: "GM028",
    name: "context-mismatch",
    summary: "COPY sources are missing from the build context but exist relative to a folder above it",
    severity: Error,
    fix: None,
    doc: r#"## What it does
Two cases, for Dockerfiles that run go:

- **A named context that lacks COPY sources** (a compose, bake, CI, Makefile or config entry, or
  `--context`): the sources it does not have are named, with the file that names the context;
  the build fails at that COPY (an error).
- **No context named anywhere**, and the Dockerfile's own folder lacks its COPY sources (a
  Dockerfile in a subfolder written for the repository root: `COPY services/api/go.mod .`) or the
  go.mod its go commands need (`deploy/Dockerfile` with `COPY . .`) while a folder above has them
  all: the Dockerfile is **checked in that folder** (`--show-contexts` says "inferred"), and this
  rule says so as information with the `docker build -f … <context>` line. It does not claim the
  build fails: the project may already build it that way from a script gomodfix does not read.
  GM010 and GM013 stay silent about what the Dockerfile's folder lacks, since it is not the
  context.

Nor is one that the Makefile target running the build names in its earlier steps (a
prerequisite `image: build` for a missing `build/`, a recipe line `mkdir -p dist` for `dist/app`):
those steps make it. A missing source that git ignores
(`dist/app` under a `.gitignore`d `dist/`, a `.env`) is not counted: it is made on the host before the build (`make dist/app`, a developer's own file), not
missing from a checkout. GM013 leaves such files alone too (a `vendor/` made by `go mod vendor`
in CI).

## Why is this bad?
`docker build .` next to such a Dockerfile fails at its first COPY with `"/services/api/go.mod":
not found`; the Dockerfile was meant to be built from another folder.

## Example
```text
repo/services/api/Dockerfile:  COPY services/api/go.mod services/api/go.sum ./
built as: docker build services/api
```

## Use instead
```text
docker build -f services/api/Dockerfile .
```
(or name the context in compose.yaml / docker-bake.hcl, or with `gomodfix --context`).

## Fix safety
No edit: the Dockerfile is right for the context it was written for.

## Context needed
The context listing; the folders above the context are probed for the missing sources."#,
}

/// GM028's findings.
enum Finding {
    /// No context named and the Dockerfile's folder cannot build it: checked in `dir`, the
    /// folder above it is written for (info). Fixtures: `pos_subfolder_dockerfile_for_root`,
    /// `pos_subfolder_without_go_mod`.
    WrittenForFolderAbove {
        dir: String,
        lacks: String,
        dockerfile: String,
    },
    /// The Dockerfile's folder has no go.mod, `dir` has it and every COPY source (when it could
    /// not be checked there). No fixture: that folder's context fails to load.
    NoGoModInFolder { dir: String, dockerfile: String },
    /// COPY sources (`names`) missing in the context that `file` (compose, bake) names.
    /// Shown by `tests/contexts.rs` (`bake_targets_with_different_stages_share_one_gm028`).
    MissingInNamedContext { names: String, file: String },
    /// COPY sources missing in the Dockerfile's folder, found in `dir` (when it could not be
    /// checked there). No fixture, as for `NoGoModInFolder`.
    MissingInFolder {
        names: String,
        dir: String,
        dockerfile: String,
    },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::WrittenForFolderAbove {
                dir,
                lacks,
                dockerfile,
            } => format!(
                "written for the build context `{dir}` (the Dockerfile's folder lacks {lacks}), and checked there: build it with `docker build -f {dockerfile} {dir}`"
            ),
            Finding::NoGoModInFolder { dir, dockerfile } => format!(
                "the build context (the Dockerfile's folder) has no go.mod, but `{dir}` has it and every COPY source: build with `docker build -f {dockerfile} {dir}`"
            ),
            Finding::MissingInNamedContext { names, file } => format!(
                "{names} not found in the build context that {file} names; the build fails at this COPY"
            ),
            Finding::MissingInFolder {
                names,
                dir,
                dockerfile,
            } => format!(
                "{names} not found in the build context (the Dockerfile's folder) but found in `{dir}`: build with `docker build -f {dockerfile} {dir}`"
            ),
        }
    }
}

impl ContextMismatch {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        if !ctx.complete() || !cx.df.runs_go() {
            return;
        }
        // Nothing named a context and the Dockerfile's folder could not build it: it was checked
        // in the folder it is written for. Information, not a failure: the project may well
        // build it that way already (a script gomodfix does not read).
        if let Some(inferred) = &ctx.inferred {
            let at = cx
                .df
                .instructions
                .iter()
                .find(|i| i.copy.as_ref().is_some_and(Copy::from_context))
                .map(|i| i.range.clone());
            if let Some(range) = at {
                let lacks = if inferred.missing.is_empty() {
                    "go.mod".to_string()
                } else {
                    let mut seen: Vec<&str> = Vec::new();
                    for m in &inferred.missing {
                        if !seen.contains(&m.as_str()) {
                            seen.push(m);
                        }
                    }
                    seen.join(", ")
                };
                let finding = Finding::WrittenForFolderAbove {
                    dir: inferred.dir.clone(),
                    lacks,
                    dockerfile: inferred.dockerfile.clone(),
                };
                let mut d = cx.report(&finding, range);
                d.severity = Severity::Info;
                out.push(d);
            }
            return;
        }
        // A source a Makefile target's earlier steps name (`image: build` for a missing
        // `build/`, `mkdir -p dist` for `dist/app`) may be made by them.
        let made_first = |source: &str| {
            let path = source.trim_start_matches("./").trim_end_matches('/');
            let top = path.split('/').next().unwrap_or(path);
            ctx.prepared_by.iter().any(|w| {
                let w = w.trim_start_matches("./").trim_end_matches('/');
                w == path || w == top || w.starts_with(&format!("{top}/"))
            })
        };
        let missing: Vec<_> = missing_sources(cx.df, ctx)
            .into_iter()
            .filter(|(_, s)| !made_first(s))
            .collect();
        let Some((first, _)) = missing.first().cloned() else {
            // The first go command that needs a module and works on sources copied from the
            // context before it in its stage (not on a `git clone` or another stage's files).
            let go_on_context_sources = cx.df.stages.iter().find_map(|stage| {
                cx.go_commands(stage)
                    .into_iter()
                    .find(|(idx, ins, g)| {
                        g.needs_module()
                            && !ins.near_error
                            && cx.df.instructions[stage.body.start..*idx].iter().any(|i| {
                                matches!(i.kind, Kind::Copy | Kind::Add)
                                    && i.copy.as_ref().is_some_and(Copy::from_context)
                            })
                    })
                    .map(|(_, ins, _)| ins)
            });
            if let Some(better) = &ctx.better_context
                && better.missing.is_empty()
                && let Some(ins) = go_on_context_sources
            {
                let finding = Finding::NoGoModInFolder {
                    dir: better.dir.clone(),
                    dockerfile: better.dockerfile.clone(),
                };
                out.push(cx.report(&finding, ins.range.clone()));
            }
            return;
        };
        let mut names: Vec<&str> = Vec::new();
        for (_, n) in &missing {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        let finding = match (&ctx.origin, &ctx.better_context) {
            // The file, not its entry: bake targets or CI steps that name the same context
            // get one finding.
            (Origin::File { path, .. }, _) => Finding::MissingInNamedContext {
                names: names.join(", "),
                file: path.display().to_string(),
            },
            (_, Some(better)) => Finding::MissingInFolder {
                names: names.join(", "),
                dir: better.dir.clone(),
                dockerfile: better.dockerfile.clone(),
            },
            _ => return,
        };
        out.push(cx.report(&finding, first));
    }
}
