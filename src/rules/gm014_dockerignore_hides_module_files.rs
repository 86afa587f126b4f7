use super::{Diagnostic, RuleContext, RuleMeta, Violation, mod_mode};
use crate::context::{join_rel, resolve_in_context};

declare_rule! {
    pub struct DockerignoreHidesModuleFiles;
    code: "GM014",
    name: "dockerignore-hides-module-files",
    summary: ".dockerignore excludes go.mod, go.sum, vendor/ or a replace target the build needs",
    severity: Error,
    fix: Safe,
    doc: r#"## What it does
Finds module files that a stage's COPY instructions would bring in but `.dockerignore` (or
`<Dockerfile>.dockerignore`) excludes: the main module's go.mod and go.sum, the go.mod and go.sum
of local `replace` targets, vendor/modules.txt when the build forces `-mod=vendor`, and the
module's own packages the build compiles (the packages its go commands name and what their sent
files import within the module, e.g. an ignored `internal/` or `pkg/`: re-including vendor/
alone would leave that build failing). The fix
appends `!path` re-includes at the end of `.dockerignore` (the last matching line wins), in the
file's own line-ending style. The diff shows both files; `--write` writes both.

## Why is this bad?
A COPY of an excluded file fails (`"/go.sum": not found`), and a `COPY . .` silently leaves it out:
the build then stops with `missing go.sum entry`, `go.mod file not found`, or
`inconsistent vendoring`. Broad patterns such as `*`, `*.sum` or `vendor` are the usual cause.

## Example
```text
# .dockerignore
*
!*.go
```
with `COPY go.mod go.sum ./` in the Dockerfile.

## Use instead
```text
# .dockerignore
*
!*.go
!go.mod
!go.sum
```

## Fix safety
Safe: the files are needed by the build, and re-including exactly them sends nothing else.

## Context needed
The build context listing and its .dockerignore; for hidden packages, the import lines of the
module's Go files the context sends (read only when .dockerignore hides a Go package)."#,
}

/// GM014's finding: `ignore_file` hides `file` (by `pattern`); the fix (on the first finding of
/// a Dockerfile) re-includes every hidden file (`reincludes`). Fixtures:
/// `pos_star_without_reincludes`, `pos_bind_mount_hidden_go_sum`,
/// `pos_dockerfile_specific_ignore`, `pos_vendor_ignored_with_mod_vendor`.
struct HiddenModuleFile {
    ignore_file: String,
    file: String,
    pattern: String,
    reincludes: String,
    /// For a package of the module the build compiles: a file that imports it. Fixture:
    /// `pos_package_hidden_with_mod_vendor`.
    imported_by: Option<String>,
}

impl Violation for HiddenModuleFile {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match &self.imported_by {
            None => format!(
                "{} hides {} (pattern `{}`), which this build needs",
                self.ignore_file, self.file, self.pattern
            ),
            Some(by) => format!(
                "{} hides {} (pattern `{}`): a package the build compiles (imported by {by})",
                self.ignore_file, self.file, self.pattern
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!(
            "Re-include {} in {}",
            self.reincludes, self.ignore_file
        ))
    }
}

impl DockerignoreHidesModuleFiles {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        let Some(ignore) = &ctx.dockerignore else {
            return;
        };
        let mut hidden: Vec<(String, String, std::ops::Range<usize>, Option<String>)> = Vec::new();
        for stage in &cx.df.stages {
            // The module a RUN builds, else one the container builds when it starts.
            let Some((dir, go_idx)) = cx
                .intended_module(stage)
                .or_else(|| cx.start_module(stage).map(|m| (m.dir, m.go_idx)))
            else {
                continue;
            };
            let mut needed = vec![join_rel(&dir, "go.mod"), join_rel(&dir, "go.sum")];
            if let Some(m) = ctx.go_mod(&dir) {
                for (_, path) in m.local_replaces() {
                    if let Some(target) = resolve_in_context(&dir, path) {
                        needed.push(join_rel(&target, "go.mod"));
                        needed.push(join_rel(&target, "go.sum"));
                    }
                }
            }
            let forces_vendor = cx.go_commands(stage).iter().any(|(_, ins, g)| {
                g.takes_mod_flag() && mod_mode(ins, g).as_deref() == Some("vendor")
            });
            if forces_vendor {
                needed.push(join_rel(&dir, "vendor/modules.txt"));
            }
            let files = cx.files(stage, ctx);
            let packages = hidden_packages(cx, stage);
            let mut why: Vec<(String, String)> = Vec::new();
            for (pkg, importer) in packages {
                why.push((pkg.clone(), importer));
                needed.push(pkg);
            }
            for f in needed {
                // A hidden package's folder may itself match no pattern (`**/*.go`).
                let package = why.iter().any(|(p, _)| *p == f);
                if ctx.tree.kind(&f).is_none()
                    || (!ctx.excluded(&f) && !package)
                    || hidden.iter().any(|(h, _, _, _)| h == &f)
                {
                    continue;
                }
                // A COPY of this stage (before the go command), or its bind mount, that would
                // bring it.
                let by = files.mappings.iter().find(|m| {
                    m.visible_at(go_idx)
                        && (m.context_path == f
                            || (m.dir
                                && (m.context_path.is_empty()
                                    || f.starts_with(&format!("{}/", m.context_path)))))
                });
                let Some(m) = by else { continue };
                let pattern = ignore
                    .excluding_pattern(&f)
                    .or_else(|| {
                        let first = ctx.tree.below(&f).find(|(p, _)| ctx.excluded(p))?;
                        ignore.excluding_pattern(first.0)
                    })
                    .unwrap_or("?")
                    .to_string();
                let note = why.iter().find(|(p, _)| *p == f).map(|(_, by)| by.clone());
                hidden.push((
                    f,
                    pattern,
                    cx.df.instructions[m.instruction].range.clone(),
                    note,
                ));
            }
        }
        // A folder re-included last (`!mcp`) brings everything below it back too: `mcp/client`
        // needs no finding or line of its own.
        let folders: Vec<String> = hidden.iter().map(|(f, ..)| format!("{f}/")).collect();
        hidden.retain(|(f, ..)| !folders.iter().any(|d| f.starts_with(d.as_str())));
        if hidden.is_empty() {
            return;
        }
        let lines: Vec<String> = hidden
            .iter()
            .map(|(f, _, _, _)| match f.strip_suffix("/modules.txt") {
                Some(vendor) => format!("!{vendor}"),
                None => format!("!{f}"),
            })
            .collect();
        let edit = cx.append_to_dockerignore(ctx, &lines);
        for (i, (f, pattern, range, imported_by)) in hidden.into_iter().enumerate() {
            let finding = HiddenModuleFile {
                ignore_file: ignore.file.to_string(),
                file: f,
                pattern,
                reincludes: lines.join(" "),
                imported_by,
            };
            let mut d = cx.report(&finding, range);
            // One fix re-includes everything; it rides on the first finding.
            if i == 0 {
                d.fix = Some(finding.safe_fix(vec![edit.clone()]));
            }
            out.push(d);
        }
    }
}

/// Packages of the stage's module that its builds compile but `.dockerignore` hides, each with
/// a file that imports it ([`super::packages`]). Sources are read only when some Go file of the
/// module is hidden.
fn hidden_packages(cx: &RuleContext, stage: &crate::syntax::Stage) -> Vec<(String, String)> {
    let (Some(ctx), Some(module)) = (cx.ctx, cx.main_module(stage)) else {
        return Vec::new();
    };
    let any_hidden = ctx
        .tree
        .below(&module.dir)
        .any(|(p, _)| super::packages::source_file(p, &module.dir) && ctx.excluded(p));
    if !any_hidden {
        return Vec::new();
    }
    super::packages::compiled_packages(cx, stage, &|_, _| true)
        .map(|c| c.hidden)
        .unwrap_or_default()
}
