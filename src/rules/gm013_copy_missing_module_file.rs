use super::golang_image::stage_go;
use super::{Diagnostic, RuleContext, RuleMeta, Violation, with_leading_space};
use crate::context::{context_rel, join_rel, split_dir};
use crate::fix::Edit;
use crate::syntax::{Instruction, Kind};

declare_rule! {
    pub struct CopyMissingModuleFile;
    code: "GM013",
    name: "copy-missing-module-file",
    summary: "A COPY names go.sum, go.work or vendor/ that the build context does not have",
    severity: Error,
    fix: Mixed,
    doc: r#"## What it does
Finds COPY/ADD instructions that name `go.sum`, `go.work`, `go.work.sum` or `vendor` when the
build context has no such file, and drops that source from the COPY (the whole COPY when it was
the only source). Also reports a go.mod with requirements but no go.sum anywhere in the context:
that is fixed in the repository, with `go mod tidy`, not in the Dockerfile.

Dropping a missing go.sum is offered only when the module has no requirements (then it needs
none); otherwise the finding says to run `go mod tidy` in the repository, since the build would
only move on to `missing go.sum entry`. Dropping a missing vendor/ while a go command says
`-mod=vendor` is unsafe, like GM005's fix that drops the flag: both apply together or not at all.

Other files a Go build copies that a repository commits (dep's `Gopkg.toml`/`Gopkg.lock`,
glide's files, a Makefile, shell scripts) are reported too when the context lacks them. Missing
dep files mean the project moved to Go modules and the Dockerfile predates the move. Where the
stage builds a module of the context on Go ≥ 1.13 (module mode even inside GOPATH) and every
dep step is a RUN of its own (`go get …/dep/cmd/dep`, `dep ensure`, dep's installer piped to
`sh`), the unsafe fix migrates the stage: the dep files leave the COPY and the dep RUNs go; the
other rules then copy go.mod/go.sum first, add cache mounts and turn `go get` tools into
`go install pkg@version`. Otherwise (a RUN that mixes dep with other work, an older image, or
GO111MODULE=off) the finding says the Dockerfile needs manual migration.

## Why is this bad?
A module without dependencies has no go.sum, and a repository that does not vendor has no
vendor/. A COPY of a file the context does not have fails the build at once:
`failed to compute cache key: "/go.sum": not found`.

## Example
```dockerfile
# go.mod has no requirements, so there is no go.sum
COPY go.mod go.sum ./
```

## Use instead
```dockerfile
COPY go.mod ./
```

## Fix safety
Safe: the COPY cannot succeed as written. A file that exists but is hidden by .dockerignore is
not dropped here: GM014 re-includes it. The dep migration is unsafe: the build then takes its
versions from go.mod rather than Gopkg.lock, and a later step that used dep's vendor/ may need
attention.

## Context needed
The complete build context listing."#,
}

/// GM013's findings; `names` are the COPY sources the build context lacks, as written.
enum Finding {
    /// go.sum, go.work, go.work.sum or vendor/ missing: the fix drops them from the COPY (unsafe
    /// when a go command says `-mod=vendor`; none in JSON form). Fixtures:
    /// `pos_go_sum_missing_no_requirements`, `pos_vendor_copy_without_vendor`,
    /// `pos_vendor_dropped_with_mod_vendor_unsafe`.
    ModuleFilesMissing { names: String },
    /// A missing go.sum the module needs (it has requirements): no fix, `go mod tidy` in the
    /// repository. Fixtures: `pos_go_sum_needed_no_fix`.
    NeededGoSumMissing { names: String },
    /// A missing Makefile or script the repository would commit: no fix. Fixtures:
    /// `pos_makefile_missing`.
    BuildFilesMissing { names: String },
    /// Missing dep/glide files, in a stage the unsafe fix migrates to Go modules. Fixtures:
    /// `pos_dep_era_dockerfile_migrated`, `pos_dep_files_gone`.
    DepFilesMigrated { names: String },
    /// Missing dep/glide files, in a stage that needs manual migration. Fixtures:
    /// `pos_dep_mixed_run_needs_manual_migration`.
    DepFilesManual { names: String },
    /// A go.mod (`go_mod`, its context path) with requirements and no go.sum in the context.
    /// Fixtures: `pos_requirements_without_go_sum`, `pos_go_sum_needed_no_fix`.
    RequirementsWithoutGoSum { go_mod: String },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let not_found = |names: &str| {
            format!("the build context has no {names}: this COPY fails with `not found`")
        };
        match self {
            Finding::ModuleFilesMissing { names } | Finding::BuildFilesMissing { names } => {
                not_found(names)
            }
            Finding::NeededGoSumMissing { names } => format!(
                "{} (and the module needs it: run `go mod tidy` in the repository and commit go.sum)",
                not_found(names)
            ),
            Finding::DepFilesMigrated { names } => format!(
                "{} (dep/glide files: the project moved to Go modules; the unsafe fix migrates this Dockerfile: it drops the dep files and the dep steps, and the go commands build from go.mod)",
                not_found(names)
            ),
            Finding::DepFilesManual { names } => format!(
                "{} (dep/glide files: the project moved to Go modules, and this Dockerfile needs manual migration to build from go.mod: `gomodfix explain GM013`)",
                not_found(names)
            ),
            Finding::RequirementsWithoutGoSum { go_mod } => format!(
                "{go_mod} has requirements but the context has no go.sum: run `go mod tidy` in the repository and commit go.sum"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::ModuleFilesMissing { names } => Some(format!("Drop {names} from the COPY")),
            Finding::DepFilesMigrated { .. } => {
                Some("Migrate to Go modules: drop the dep files and the dep steps".into())
            }
            _ => None,
        }
    }
}

const NAMES: &[&str] = &["go.sum", "go.work", "go.work.sum", "vendor"];

/// Files a Go build copies that a repository commits (never build outputs): dep's and glide's
/// manifests, a Makefile, shell scripts. Missing from the context, the COPY fails; there is no
/// fix to offer (dep's files mean the Dockerfile predates modules: a migration, not an edit).
fn committed_build_file(name: &str) -> bool {
    matches!(
        name,
        "Gopkg.toml" | "Gopkg.lock" | "glide.yaml" | "glide.lock" | "Makefile" | "GNUmakefile"
    ) || name.ends_with(".sh")
}

impl CopyMissingModuleFile {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        // In the wrong context everything is missing: GM028 says so; dropping files would hurt.
        if !ctx.complete() || ctx.better_context.is_some() {
            return;
        }
        for ins in &cx.df.instructions {
            if !matches!(ins.kind, Kind::Copy | Kind::Add) || ins.near_error {
                continue;
            }
            let Some(copy) = &ins.copy else { continue };
            if !copy.from_context() {
                continue;
            }
            let missing: Vec<_> = copy
                .sources
                .iter()
                .filter(|w| {
                    let rel = context_rel(w.text.trim_end_matches('/'));
                    NAMES.contains(&split_dir(&rel).1)
                        && !w.text.contains(['$', '*', '?', '[', '{'])
                        && ctx.tree.kind(&rel).is_none()
                        && !ctx.tree.git_ignores(&rel)
                })
                .collect();
            if missing.is_empty() {
                let gone: Vec<&str> = copy
                    .sources
                    .iter()
                    .filter(|w| {
                        let rel = context_rel(w.text.trim_end_matches('/'));
                        committed_build_file(split_dir(&rel).1)
                            && !w.text.contains(['$', '*', '?', '[', '{'])
                            && ctx.tree.kind(&rel).is_none()
                            && !ctx.tree.git_ignores(&rel)
                    })
                    .map(|w| w.text.as_str())
                    .collect();
                if !gone.is_empty() && cx.df.runs_go() {
                    let dep = gone
                        .iter()
                        .any(|g| g.contains("Gopkg") || g.contains("glide"));
                    let names = gone.join(", ");
                    let migration = dep.then(|| dep_migration(cx, ins, &gone)).flatten();
                    let d = match migration {
                        Some(edits) => {
                            let finding = Finding::DepFilesMigrated { names };
                            let mut d = cx.report(&finding, ins.range.clone());
                            d.fix = Some(finding.unsafe_fix(edits));
                            d
                        }
                        None if dep => {
                            cx.report(&Finding::DepFilesManual { names }, ins.range.clone())
                        }
                        None => cx.report(&Finding::BuildFilesMissing { names }, ins.range.clone()),
                    };
                    out.push(d);
                }
                continue;
            }
            let names: Vec<&str> = missing.iter().map(|w| w.text.as_str()).collect();
            let names = names.join(", ");
            let json = cx.df.source[ins.range.clone()].contains('[');
            // Dropping a go.sum the module needs only trades `not found` for `missing go.sum
            // entry`: the repository must run `go mod tidy` (no fix then).
            let needed_go_sum = missing.iter().any(|w| {
                let rel = context_rel(w.text.trim_end_matches('/'));
                let (dir, name) = split_dir(&rel);
                name == "go.sum" && ctx.go_mod(dir).is_none_or(|m| m.has_requirements())
            });
            // Dropping vendor/ while a build says `-mod=vendor` works only together with GM005's
            // unsafe fix that drops the flag: the same applicability, so a safe run never leaves
            // the file half fixed.
            let vendor_mode = missing
                .iter()
                .any(|w| split_dir(&context_rel(w.text.trim_end_matches('/'))).1 == "vendor")
                && cx.df.stages.iter().any(|st| {
                    cx.go_commands(st)
                        .iter()
                        .any(|(_, i, g)| super::mod_mode(i, g).as_deref() == Some("vendor"))
                });
            if needed_go_sum {
                out.push(cx.report(&Finding::NeededGoSumMissing { names }, ins.range.clone()));
                continue;
            }
            let finding = Finding::ModuleFilesMissing { names };
            let mut d = cx.report(&finding, ins.range.clone());
            if !json {
                let edits = if missing.len() == copy.sources.len() {
                    vec![Edit::delete(cx.whole_lines(ins))]
                } else {
                    missing
                        .iter()
                        .map(|w| Edit::delete(with_leading_space(&cx.df.source, w.range.clone())))
                        .collect()
                };
                d.fix = Some(if vendor_mode {
                    finding.unsafe_fix(edits)
                } else {
                    finding.safe_fix(edits)
                });
            }
            out.push(d);
        }
        // go.mod with requirements and no go.sum: a repository problem.
        for (dir, m) in &ctx.tree.modules {
            let Ok(m) = m else { continue };
            let copied = cx
                .df
                .stages
                .iter()
                .any(|s| cx.main_module(s).is_some_and(|mm| &mm.dir == dir));
            if copied && m.has_requirements() && ctx.tree.kind(&join_rel(dir, "go.sum")).is_none() {
                let at = cx
                    .df
                    .stages
                    .iter()
                    .find_map(|s| cx.main_module(s).filter(|mm| &mm.dir == dir))
                    .map(|mm| mm.ins.range.clone());
                if let Some(range) = at {
                    let go_mod = join_rel(dir, "go.mod");
                    out.push(cx.report(&Finding::RequirementsWithoutGoSum { go_mod }, range));
                }
            }
        }
    }
}

/// The edits that migrate a dep/glide-era stage to Go modules, when that is all the COPY at
/// `copy` is missing: the dep files leave the COPY, and every RUN of the stage that only
/// installs or runs dep/glide goes. `None` when the stage does something else with them (a RUN
/// mixing dep with other commands), when the image's Go does not build in module mode inside
/// GOPATH (before 1.13, or GO111MODULE=off), or when the stage builds no module of the context.
fn dep_migration(cx: &RuleContext, copy_ins: &Instruction, gone: &[&str]) -> Option<Vec<Edit>> {
    let copy = copy_ins.copy.as_ref()?;
    let stage = &cx.df.stages[copy_ins.stage?];
    let all_dep = gone.iter().all(|g| is_dep_file(g));
    if !all_dep || !stage_go(cx.df, stage).at_least(1, 13) {
        return None;
    }
    let module = cx.main_module(stage)?;
    if super::effective_env(module.ins, module.go, "GO111MODULE").is_some_and(|v| v == "off") {
        return None;
    }
    let json = cx.df.source[copy_ins.range.clone()].contains('[');
    if json {
        return None;
    }
    let mut edits = if gone.len() == copy.sources.len() {
        vec![Edit::delete(cx.whole_lines(copy_ins))]
    } else {
        copy.sources
            .iter()
            .filter(|w| gone.contains(&w.text.as_str()))
            .map(|w| Edit::delete(with_leading_space(&cx.df.source, w.range.clone())))
            .collect()
    };
    // dep is installed before or after the COPY: every dep step of the stage goes.
    for idx in stage.body.clone() {
        let ins = &cx.df.instructions[idx];
        let Some(run) = &ins.run else { continue };
        let dep_related = |c: &crate::syntax::shell::Command| is_dep_command(c);
        if !run.commands.iter().any(dep_related) {
            continue;
        }
        // Only a RUN that is dep and nothing else goes; `| sh` of dep's installer counts.
        let only_dep = run.commands.iter().all(|c| {
            dep_related(c)
                || (c.words.len() == 1 && matches!(c.words[0].text.as_str(), "sh" | "bash"))
        });
        if !only_dep || ins.near_error || run.form == crate::syntax::RunForm::Exec {
            return None;
        }
        edits.push(Edit::delete(cx.whole_lines(ins)));
    }
    Some(edits)
}

fn is_dep_file(path: &str) -> bool {
    matches!(
        split_dir(&context_rel(path.trim_end_matches('/'))).1,
        "Gopkg.toml" | "Gopkg.lock" | "glide.yaml" | "glide.lock"
    )
}

/// `dep …`, `glide …`, `go get`/`go install` of dep or glide, or a download of dep's installer.
fn is_dep_command(c: &crate::syntax::shell::Command) -> bool {
    let Some(first) = c.words.first() else {
        return false;
    };
    let names_dep = |w: &crate::syntax::Word| {
        w.text.contains("github.com/golang/dep") || w.text.contains("github.com/Masterminds/glide")
    };
    match first.text.as_str() {
        "dep" | "glide" => true,
        "go" => {
            matches!(
                c.words.get(1).map(|w| w.text.as_str()),
                Some("get" | "install")
            ) && c.words.iter().skip(2).any(names_dep)
        }
        "curl" | "wget" => c
            .words
            .iter()
            .skip(1)
            .any(|w| w.text.contains("golang/dep") || w.text.contains("glide.sh")),
        _ => false,
    }
}
