use super::{Diagnostic, RuleContext, RuleMeta, Violation, copy_line, mod_mode, relative_dest};
use crate::context::join_rel;
use crate::fix::Edit;
use crate::image_fs::is_module_file;
use crate::syntax::Kind;

declare_rule! {
    pub struct ModuleFilesFirst;
    code: "GM001",
    name: "module-files-first",
    summary: "Sources are copied before go.mod/go.sum are copied and downloaded",
    severity: Warning,
    fix: Safe,
    doc: r#"## What it does
Finds build stages that copy Go sources (`COPY . .`, `COPY ./cmd ./cmd`) before the module files
are copied and `go mod download` has run, and inserts

    COPY go.mod go.sum ./
    RUN go mod download

in front of the first source COPY. Only module files that exist in the build context and that
`.dockerignore` lets through are copied, with paths relative to the context (a module in
`services/api/` becomes `COPY services/api/go.mod services/api/go.sum ./`). When the module files
are already copied first but nothing downloads before the sources arrive, only the
`RUN go mod download` is inserted. A build that runs only under a condition (`if [ ! -f app ];
then go build …; fi`, for a context that may hold a prebuilt binary instead) is left alone: the
inserted download would run on every build, and such a context may have no go.mod to copy. When
the file makes a setting the download needs only after the sources are copied (`ARG GOPROXY`,
`ENV GOPRIVATE`, `go env -w GOPROXY=…`, a `git config` credential rewrite), the finding comes
without a fix: a download moved above it would run without it.

## Why is this bad?
Docker caches a layer until one of its inputs changes. When the sources are copied before the
dependencies are downloaded, every change to any source file invalidates the download layer and
every build downloads every module again. Copying only go.mod and go.sum first keeps the
download cached until the dependencies really change.

## Example
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/server
```

## Use instead
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app ./cmd/server
```

## Fix safety
Safe: the same files end up in the same places; the build only gains a cached layer.

## Context needed
The build context (to know that go.mod exists, whether go.sum exists and whether .dockerignore
hides them). Silent when the context is unknown, when the module has no requirements (nothing to
download), when the stage is vendored (vendor/ reaches it, `go mod vendor` runs, or `-mod=vendor` is forced), and in workspace builds
(go.work, see GM015)."#,
}

/// GM001's findings.
enum Finding {
    /// go.mod (and go.sum) come first, but nothing downloads before the sources arrive.
    /// Fixtures: `pos_module_files_first_without_download`.
    NoDownloadBeforeSources,
    /// The sources come before the module files; the fix inserts `copy` and `run_line` (and
    /// moves a later `go mod download` of its own up, `moves_download`). Fixtures:
    /// `pos_copy_all_first`, `pos_later_download_moves_up`, `pos_module_in_subfolder`,
    /// `pos_go_sum_hidden_by_dockerignore`, `pos_backtick_escape` (no fix), and the other `pos_*`.
    SourcesBeforeModuleFiles {
        copy: String,
        run_line: String,
        moves_download: bool,
    },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::NoDownloadBeforeSources => "sources are copied before `go mod download` runs: every source change downloads all modules again".into(),
            Finding::SourcesBeforeModuleFiles { .. } => "sources are copied before go.mod and go.sum: every source change downloads all modules again".into(),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(match self {
            Finding::NoDownloadBeforeSources => {
                "Run `go mod download` before copying the sources".into()
            }
            Finding::SourcesBeforeModuleFiles {
                copy,
                run_line,
                moves_download: true,
            } => format!(
                "Insert `{copy}` and `{run_line}` before the source COPY (moving the later download up)"
            ),
            Finding::SourcesBeforeModuleFiles { copy, run_line, .. } => {
                format!("Insert `{copy}` and `{run_line}` before the source COPY")
            }
        })
    }
}

impl ModuleFilesFirst {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        for stage in &cx.df.stages {
            let gos = cx.go_commands(stage);
            let Some(module) = cx.main_module(stage) else {
                continue;
            };
            // A build that runs only under a condition (`if [ ! -f app ]; then go build …`,
            // prebuilt binaries otherwise) would download on every build after the fix, and a
            // context made for the prebuilt case may have no go.mod to copy.
            if gos
                .iter()
                .filter(|(_, _, g)| g.needs_module())
                .all(|(_, _, g)| g.conditional)
            {
                continue;
            }
            let (first_go, mod_dir, image_dir) = (module.go_idx, module.dir, module.image_dir);
            let files = cx.files(stage, ctx);
            let Some(go_mod) = module.go_mod else {
                continue;
            };
            // Vendored builds download nothing: vendor/ copied in, made by `go mod vendor`, or
            // forced with -mod=vendor (GM005 reports it when vendor/ is missing).
            let vendored = gos.iter().any(|(_, ins, g)| {
                g.sub == "mod vendor" || mod_mode(ins, g).as_deref() == Some("vendor")
            });
            if vendored
                || !go_mod.has_requirements()
                || files
                    .landing(ctx, &join_rel(&mod_dir, "vendor/modules.txt"), first_go)
                    .is_some()
                || ctx
                    .tree
                    .works
                    .keys()
                    .any(|w| mod_dir.starts_with(w.as_str()))
            {
                continue;
            }
            // A local `replace` target must be in the image before anything downloads: moving the
            // download above the sources would break the build (GM025 handles copying it).
            if go_mod.replaces.iter().any(|r| r.path.is_some()) {
                continue;
            }
            // With the module cache mounted, a source change finds every module in the cache:
            // nothing downloads again.
            let modcache_mounted = gos.iter().any(|(_, ins, _)| {
                ins.state.gomodcache().is_some_and(|c| {
                    ins.mounts.iter().any(|m| {
                        m.kind() == "cache"
                            && m.target()
                                .and_then(|t| ins.state.expand(t))
                                .is_some_and(|t| {
                                    let t = t.trim_end_matches('/');
                                    c == t || c.starts_with(&format!("{t}/"))
                                })
                    })
                })
            });
            // Modules copied in from another stage (`COPY --from=deps /go/pkg/mod /go/pkg/mod`)
            // are there before the sources: nothing downloads again either.
            let modcache_copied = module.ins.state.gomodcache().is_some_and(|c| {
                cx.df.stage_chain(stage).any(|st| {
                    cx.df.instructions[st.body.clone()].iter().any(|ins| {
                        ins.copy
                            .as_ref()
                            .and_then(|cp| cp.dest.as_ref())
                            .is_some_and(|d| {
                                let dest = crate::syntax::join_path(
                                    ins.state.workdir.as_deref().unwrap_or("/"),
                                    &d.text,
                                );
                                let dest = dest.trim_end_matches('/');
                                ins.copy.as_ref().is_some_and(|cp| cp.from.is_some())
                                    && (c == dest || c.starts_with(&format!("{dest}/")))
                                    && !dest.is_empty()
                            })
                    })
                })
            });
            if modcache_mounted || modcache_copied {
                continue;
            }
            // A download behind a wrapper the shell reading cannot see into (`retry.sh -- go mod
            // download`): the stage does download first; the rule cannot tell where.
            let wrapped_download = cx.df.instructions[stage.body.clone()].iter().any(|i| {
                i.run.as_ref().is_some_and(|r| {
                    !r.go.iter().any(|g| g.sub == "mod download")
                        && cx.df.source[i.range.clone()].contains("mod download")
                })
            });
            if wrapped_download {
                continue;
            }
            // The first COPY of this stage that brings sources, before the first go command.
            let Some(source_copy) = files.first_source_copy(stage.body.start..first_go) else {
                continue;
            };
            let copy_idx = source_copy.instruction;
            let copy_ins = &cx.df.instructions[copy_idx];
            if copy_ins.near_error {
                continue;
            }
            let Some(copy_workdir) = copy_ins.state.workdir.as_deref() else {
                continue;
            };
            let go_mod_rel = join_rel(&mod_dir, "go.mod");
            let early = files.landing(ctx, &go_mod_rel, copy_idx);
            let downloads_between = |from: usize| {
                (from..copy_idx).any(|i| {
                    let ins = &cx.df.instructions[i];
                    ins.kind == Kind::Run
                        && ins.run.as_ref().is_some_and(|r| {
                            r.go.iter()
                                .any(|g| g.sub == "mod download" || g.needs_module())
                        })
                })
            };
            // Settings the download needs that the file makes only after the sources are copied
            // (`ARG GOPROXY`, `ENV GOPRIVATE`, a RUN with `go env -w GOPROXY=…` or a git
            // credential rewrite): a download inserted above them would run without them.
            let settings_later = (copy_idx..=first_go.min(stage.body.end.saturating_sub(1)))
                .any(|i| download_setting(&cx.df.instructions[i]));
            let run_line = if image_dir == copy_workdir {
                "RUN go mod download".to_string()
            } else {
                format!("RUN cd {image_dir} && go mod download")
            };
            match early {
                Some((early_idx, _)) if early_idx < copy_idx => {
                    // Module files come first, but nothing downloads before the sources.
                    if early_idx < stage.body.start || downloads_between(early_idx) {
                        continue;
                    }
                    let finding = Finding::NoDownloadBeforeSources;
                    let mut d = cx.report(&finding, copy_ins.range.clone());
                    if !settings_later {
                        d.fix = Some(
                            finding.safe_fix(vec![cx.insert_lines_before(copy_ins, &[run_line])]),
                        );
                    }
                    out.push(d);
                }
                _ => {
                    // A `go mod download` of its own after the sources moves up with the fix; one
                    // inside a chain (`go mod download && go build`) cannot: report only.
                    let later_download = (copy_idx..first_go + 1).find(|&i| {
                        cx.df.instructions[i]
                            .run
                            .as_ref()
                            .is_some_and(|r| r.go.iter().any(|g| g.sub == "mod download"))
                    });
                    let mut sources = vec![go_mod_rel.clone()];
                    let go_sum = join_rel(&mod_dir, "go.sum");
                    if ctx.sends(&go_sum) {
                        sources.push(go_sum);
                    }
                    if sources.iter().any(|s| !is_module_file(s)) {
                        continue;
                    }
                    let dest = relative_dest(copy_workdir, &image_dir);
                    let copy = copy_line(&sources, &dest);
                    let finding = Finding::SourcesBeforeModuleFiles {
                        copy: copy.clone(),
                        run_line: run_line.clone(),
                        moves_download: later_download.is_some(),
                    };
                    let mut d = cx.report(&finding, copy_ins.range.clone());
                    if settings_later {
                        out.push(d);
                        continue;
                    }
                    let mut edits =
                        vec![cx.insert_lines_before(copy_ins, &[copy.clone(), run_line.clone()])];
                    match later_download {
                        None => {}
                        Some(i) => {
                            let ins = &cx.df.instructions[i];
                            let sole = ins
                                .run
                                .as_ref()
                                .is_some_and(|r| r.commands.len() == 1 && r.go.len() == 1);
                            if !sole || ins.near_error {
                                out.push(d);
                                continue;
                            }
                            edits.push(Edit::delete(cx.whole_lines(ins)));
                        }
                    }
                    d.fix = Some(finding.safe_fix(edits));
                    out.push(d);
                }
            }
        }
    }
}

/// Whether an instruction sets something a module download depends on: an ARG or ENV of a
/// `GO…` download setting (GOPROXY, GOPRIVATE, GOFLAGS, GONOSUMDB…), a proxy or a credential,
/// or a RUN that runs `go env -w`/`-u` or `git config` (an `insteadOf` credential rewrite).
fn download_setting(ins: &crate::syntax::Instruction) -> bool {
    let setting = |name: &str| {
        let n = name.to_ascii_uppercase();
        (n.starts_with("GO")
            && !matches!(
                n.as_str(),
                "GOOS"
                    | "GOARCH"
                    | "GOAMD64"
                    | "GOARM"
                    | "GOARM64"
                    | "GO_VERSION"
                    | "GOLANG_VERSION"
            ))
            || n.contains("PROXY")
            || n.contains("NETRC")
            || n.contains("TOKEN")
    };
    match ins.kind {
        Kind::Arg | Kind::Env => ins.pairs.iter().any(|p| setting(&p.name)),
        Kind::Run => ins.run.as_ref().is_some_and(|r| {
            r.go.iter().any(|g| {
                g.sub == "env" && g.rest().iter().any(|w| w.text == "-w" || w.text == "-u")
            }) || r.commands.iter().any(|c| {
                c.words.first().is_some_and(|w| w.text == "git")
                    && c.words.get(1).is_some_and(|w| w.text == "config")
            })
        }),
        _ => false,
    }
}
