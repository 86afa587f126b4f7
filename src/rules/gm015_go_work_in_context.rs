use super::{Diagnostic, RuleContext, RuleMeta, Violation, copy_line, effective_env};
use crate::context::{join_rel, resolve_in_context, split_dir};
use crate::syntax::{Stage, join_path};

declare_rule! {
    pub struct GoWorkInContext;
    code: "GM015",
    name: "go-work-in-context",
    summary: "A go.work reaches a stage that builds one module, or a workspace build misses members",
    severity: Error,
    fix: Safe,
    doc: r#"## What it does
Finds a `go.work` that reaches a stage (copied into the go command's directory or above it):

- a go.work that git ignores (a developer's local file) but .dockerignore does not: adds
  `go.work` and `go.work.sum` to .dockerignore;
- a stage that builds one module (not every `use` member is in the image): adds
  `ENV GOWORK=off` to the stage;
- a stage that really builds the workspace (every member is copied): the pre-download step must
  see go.work, go.work.sum and every member's go.mod/go.sum; the missing COPYs are added before
  the first `go mod download`. A member outside the build context is reported.

## Why is this bad?
A go.work in the context puts the go command in workspace mode. Every `use` directory must then
be in the image, else: `go: cannot load module tools listed in go.work file: open tools/go.mod:
no such file or directory`. A pre-download step that only copies one module's go.mod downloads
the wrong set of modules.

## Example
```dockerfile
# go.work: use ./api ./tools
FROM golang:1.22
WORKDIR /src
COPY go.work api/ ./
RUN go build -o /app ./api
```

## Use instead
```dockerfile
FROM golang:1.22
ENV GOWORK=off
WORKDIR /src/api
COPY api/ ./
RUN go build -o /app .
```

## Fix safety
Safe: a build that cannot load its workspace fails; GOWORK=off builds the module on its own, and
ignoring a git-ignored go.work makes the image match what CI checks out.

## Context needed
The context's go.work, .gitignore and .dockerignore."#,
}

/// GM015's findings; `work_file` is the go.work's context path.
enum Finding {
    /// A go.work that git ignores (a developer's local file) reaches the image; the fix adds it
    /// (and its go.work.sum, `ignore`) to .dockerignore. No fixture: a fixture's go.work is
    /// tracked by this repository's git, so it is never a local file; tests/cli.rs
    /// `git_ignored_go_work_is_local_until_git_tracks_it` shows it.
    GitIgnoredWorkFile {
        work_file: String,
        ignore: Vec<String>,
    },
    /// A `use` directory (`member`, as go.work writes it) outside the build context. Fixtures:
    /// `pos_member_outside_context`.
    MemberOutsideContext { work_file: String, member: String },
    /// `go {sub}` runs in workspace mode but members are not in the image; the fix adds
    /// `ENV GOWORK=off`. Fixtures: `pos_member_missing_gowork_off`,
    /// `pos_member_hidden_after_module_download`.
    MembersMissing {
        work_file: String,
        sub: String,
        missing: Vec<MissingMember>,
    },
    /// The same where the Dockerfile sets GOWORK itself: report only. Fixtures:
    /// `pos_explicit_gowork_member_missing_report_only`.
    MembersMissingGoworkSet {
        work_file: String,
        sub: String,
        missing: Vec<MissingMember>,
    },
    /// A workspace build's `go mod download` runs before these module files (`names`) are
    /// copied; the fix copies them before it. Fixtures: `pos_workspace_download_misses_members`.
    DownloadBeforeModuleFiles { names: String },
}

/// A `use` member not in the image: its context path, and whether .dockerignore hides it.
struct MissingMember {
    dir: String,
    hidden: bool,
}

impl std::fmt::Display for MissingMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.dir)?;
        if self.hidden {
            f.write_str(" (hidden by .dockerignore)")?;
        }
        Ok(())
    }
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let not_in_image = |work_file: &str, sub: &str, missing: &[MissingMember]| {
            let missing: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
            format!(
                "{work_file} puts `go {sub}` in workspace mode, but its members {} are not in the image: `cannot load module … listed in go.work file`",
                missing.join(", ")
            )
        };
        match self {
            Finding::GitIgnoredWorkFile { work_file, .. } => format!(
                "{work_file} is ignored by git (a local file) but reaches the image and switches the build to workspace mode"
            ),
            Finding::MemberOutsideContext { work_file, member } => format!(
                "{work_file} uses {member}, which is outside the build context: the workspace cannot be built from this context"
            ),
            Finding::MembersMissing {
                work_file,
                sub,
                missing,
            } => not_in_image(work_file, sub, missing),
            Finding::MembersMissingGoworkSet {
                work_file,
                sub,
                missing,
            } => format!(
                "{} (GOWORK is set in the Dockerfile: copy the members, or set it to off)",
                not_in_image(work_file, sub, missing)
            ),
            Finding::DownloadBeforeModuleFiles { names } => {
                format!("the workspace's `go mod download` runs before {names} are copied")
            }
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::GitIgnoredWorkFile { ignore, .. } => {
                Some(format!("Add {} to .dockerignore", ignore.join(" and ")))
            }
            Finding::MembersMissing { .. } => {
                Some("Add `ENV GOWORK=off` to the stage (it builds one module)".into())
            }
            Finding::DownloadBeforeModuleFiles { .. } => {
                Some("Copy the workspace's module files before the download".into())
            }
            Finding::MemberOutsideContext { .. } | Finding::MembersMissingGoworkSet { .. } => None,
        }
    }
}

impl GoWorkInContext {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        for (work_dir, work) in &ctx.tree.works {
            let Ok(work) = work else { continue };
            let work_file = join_rel(work_dir, "go.work");
            for stage in &cx.df.stages {
                check_stage(cx, stage, work_dir, &work_file, work, out);
            }
        }
    }
}

fn check_stage(
    cx: &RuleContext,
    stage: &Stage,
    work_dir: &str,
    work_file: &str,
    work: &crate::context::GoWork,
    out: &mut Vec<Diagnostic>,
) {
    let ctx = cx.ctx.expect("checked by caller");
    // A dev image whose container runs `go run .` when it starts loads the workspace there.
    let gos = cx.module_go_commands(stage);
    let files = cx.files(stage, ctx);
    // The first go command that runs under the go.work: one that needs a module, with go.work
    // landed by then in its directory or above. A pre-download done in module mode (only
    // go.mod copied) does not count; the build after `COPY . .` does.
    let Some((go_idx, go_ins, go, copy_idx, work_image_dir)) = gos
        .iter()
        .filter(|(_, _, g)| g.needs_module())
        .find_map(|&(go_idx, go_ins, go)| {
            let (copy_idx, work_image) = files.landing(ctx, work_file, go_idx)?;
            let workdir = go.workdir(go_ins.state.workdir.as_deref())?;
            let dir = match split_dir(&work_image).0 {
                "" => "/".to_string(),
                d => d.to_string(),
            };
            let above =
                workdir == dir || workdir.starts_with(&format!("{}/", dir.trim_end_matches('/')));
            above.then_some((go_idx, go_ins, go, copy_idx, dir))
        })
    else {
        return;
    };
    if effective_env(go_ins, go, "GOWORK").is_some_and(|v| v == "off") {
        return;
    }
    let work_image_dir = work_image_dir.as_str();
    let copy_ins = &cx.df.instructions[copy_idx];
    // A developer's local go.work, ignored by git but sent to the builder. Not when the
    // Dockerfile copies it by name: the author wants it there, and ignoring it would make that
    // COPY fail.
    let copied_by_name = cx.df.instructions.iter().any(|i| {
        i.copy.as_ref().is_some_and(|c| {
            c.from.is_none()
                && c.sources
                    .iter()
                    .any(|s| s.text.trim_end_matches('/').rsplit('/').next() == Some("go.work"))
        })
    });
    if ctx.tree.git_ignored.contains(work_file) && !copied_by_name {
        let mut lines = vec![work_file.to_string()];
        if !ctx.excluded(&format!("{work_file}.sum")) {
            lines.push(format!("{work_file}.sum"));
        }
        let edit = cx.append_to_dockerignore(ctx, &lines);
        let finding = Finding::GitIgnoredWorkFile {
            work_file: work_file.to_string(),
            ignore: lines,
        };
        let mut d = cx.report(&finding, copy_ins.range.clone());
        d.fix = Some(finding.safe_fix(vec![edit]));
        out.push(d);
        return;
    }
    // Members as context paths and where they should be in the image.
    let mut members: Vec<(String, String)> = Vec::new();
    for u in &work.uses {
        match resolve_in_context(work_dir, u) {
            Some(rel) => members.push((rel, join_path(work_image_dir, u))),
            None => out.push(cx.report(
                &Finding::MemberOutsideContext {
                    work_file: work_file.to_string(),
                    member: u.clone(),
                },
                copy_ins.range.clone(),
            )),
        }
    }
    // A workspace build has every member in the image by its last go command.
    let last_go = gos
        .iter()
        .filter(|(_, _, g)| g.needs_module())
        .map(|(i, _, _)| *i)
        .max()
        .unwrap_or(go_idx);
    let present: Vec<bool> = members
        .iter()
        .map(|(rel, _)| {
            files
                .landing(ctx, &join_rel(rel, "go.mod"), last_go)
                .is_some()
        })
        .collect();
    if !present.iter().all(|p| *p) {
        let missing: Vec<MissingMember> = members
            .iter()
            .zip(&present)
            .filter(|(_, p)| !**p)
            .map(|((rel, _), _)| MissingMember {
                dir: rel.clone(),
                // In the context but not sent: say where the member went.
                hidden: ctx.tree.modules.contains_key(rel.as_str())
                    && !ctx.sends(&join_rel(rel, "go.mod")),
            })
            .collect();
        let (work_file, sub) = (work_file.to_string(), go.sub.clone());
        // A GOWORK the Dockerfile sets itself points at the workspace on purpose (and would
        // override an ENV added after FROM): report only.
        let explicit = effective_env(go_ins, go, "GOWORK").is_some_and(|v| !v.is_empty());
        if explicit {
            let finding = Finding::MembersMissingGoworkSet {
                work_file,
                sub,
                missing,
            };
            out.push(cx.report(&finding, go_ins.range.clone()));
            return;
        }
        let finding = Finding::MembersMissing {
            work_file,
            sub,
            missing,
        };
        let mut d = cx.report(&finding, go_ins.range.clone());
        if !cx.df.instructions[stage.from].near_error {
            d.fix = Some(finding.safe_fix(vec![cx.add_env_to_stage(stage, "GOWORK", "off")]));
        }
        out.push(d);
        return;
    }
    // A workspace build: the pre-download step must see every member's module files.
    let Some(&(dl_idx, dl_ins, _)) = gos.iter().find(|(_, _, g)| g.sub == "mod download") else {
        return;
    };
    let mut needed: Vec<(String, String)> = Vec::new();
    for f in [work_file.to_string(), format!("{work_file}.sum")] {
        if ctx.sends(&f) && files.landing(ctx, &f, dl_idx).is_none() {
            needed.push((f, work_image_dir.to_string()));
        }
    }
    for (rel, image) in &members {
        for name in ["go.mod", "go.sum"] {
            let f = join_rel(rel, name);
            let expected = join_path(image, name);
            if ctx.sends(&f)
                && files
                    .landing(ctx, &f, dl_idx)
                    .is_none_or(|(_, at)| at != expected)
            {
                needed.push((f, image.clone()));
            }
        }
    }
    if needed.is_empty() || dl_ins.near_error {
        return;
    }
    let Some(dl_workdir) = dl_ins.state.workdir.as_deref() else {
        return;
    };
    let names: Vec<&str> = needed.iter().map(|(f, _)| f.as_str()).collect();
    let finding = Finding::DownloadBeforeModuleFiles {
        names: names.join(", "),
    };
    let mut d = cx.report(&finding, dl_ins.range.clone());
    // One COPY line per destination directory.
    let mut lines: Vec<String> = Vec::new();
    let mut dests: Vec<&String> = needed.iter().map(|(_, d)| d).collect();
    dests.dedup();
    for dest in dests {
        let sources: Vec<String> = needed
            .iter()
            .filter(|(_, d)| d == dest)
            .map(|(f, _)| f.clone())
            .collect();
        lines.push(copy_line(&sources, &super::relative_dest(dl_workdir, dest)));
    }
    d.fix = Some(finding.safe_fix(vec![cx.insert_lines_before(dl_ins, &lines)]));
    out.push(d);
}
