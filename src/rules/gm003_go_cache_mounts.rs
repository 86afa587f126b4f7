use super::golang_image::runs_go_at_start;
use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::fix::Edit;
use crate::syntax::{Instruction, RunForm, Stage};

declare_rule! {
    pub struct GoCacheMounts;
    code: "GM003",
    name: "go-cache-mounts",
    summary: "A RUN that downloads or builds Go code has no BuildKit cache mounts",
    severity: Warning,
    fix: Safe,
    doc: r#"## What it does
Finds RUN instructions that run `go mod download`, `go mod vendor`, `go build`, `go install`,
`go test` or `go generate` without BuildKit cache mounts for the module cache (GOMODCACHE) and the
build cache (GOCACHE), and adds the missing ones to **every** go RUN of the stage and of the
stages built FROM it, together, as one fix (a cache one RUN fills is invisible to a RUN without
the mount):

    RUN --mount=type=cache,target=/go/pkg/mod \
        --mount=type=cache,target=/root/.cache/go-build \
        go build -o /app .

Targets follow the stage: GOMODCACHE, else `$GOPATH/pkg/mod`; GOCACHE, else
`$XDG_CACHE_HOME/go-build`, else `$HOME/.cache/go-build`. A RUN that only downloads or vendors
modules compiles nothing, so it gets the module cache only, as Docker's own Go guide writes it.
Mounts the RUN already has are kept; a mount on a folder above the target (`/root/.cache`)
already covers it. A short one-line RUN gets the mounts inline; a RUN that spans lines, or would
pass 100 columns, gets each mount on a continuation line of its own, indented like its
neighbours. For a numeric non-root `USER uid[:gid]` the mounts get `uid=`/`gid=`.

It stays **silent** where a mount would change what the image contains or where the work
happens: the cache folder is copied out of the stage later (`COPY --from=deps /go/pkg/mod …`) or
into it, the image runs go at container start (`CMD ["go", "test", "./..."]`), a RUN runs go
through something the rule cannot follow (`make`, a script, `xx-go`, `retry.sh -- go …`), a RUN
names the cache folder or moves it (`export GOPATH=…`), `go clean -modcache`/`-cache` runs in the
stage, or the image that is run downloads modules without building anything (a test runner
whose module cache is the point). A vendored build (`-mod=vendor`) gets the build cache only,
and `go build -a` (which rebuilds every package without reading the build cache) the module cache
only.

## Why is this bad?
Without cache mounts every build recompiles the standard library and every dependency, and every
change to go.mod downloads every module again. Cache mounts keep both caches between builds on the
same builder. They are not part of the image, so a download cached in a mount is invisible to a
later RUN without the mount: that RUN downloads again. That is why every go RUN of the stage
needs the same mounts.

## Example
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app .
```

## Use instead
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .
```

## Fix safety
Safe: the build produces the same files; only where downloads and compiled packages are kept
changes. BuildKit (Docker ≥ 18.09 with BuildKit, the default since 23.0), Podman and Buildah accept
the syntax. A `# syntax=` line is not added.

## Context needed
No build context; the stage's image must be known (an official `golang` image, a stage of the same
file, or an ENV that sets GOMODCACHE/GOPATH and GOCACHE/HOME). Silent otherwise. For a named
non-root USER whose uid is unknown, the finding has no fix."#,
}

/// GM003's finding: a go RUN without cache mounts for `names` (the module and/or build cache),
/// `sub` its first go command; the fix mounts them on all `runs` go RUNs of the stage at once.
/// Fixtures: `pos_every_go_run`, `pos_existing_mount_kept`, `pos_custom_gopath_and_cache`,
/// `pos_vendored_build_gets_build_cache_only`, and the other `pos_*`; without a fix:
/// `pos_named_user_no_fix` ([`NoFix::UnknownUid`]), `pos_one_run_unfixable_no_fix` (both).
struct MissingCacheMounts {
    sub: String,
    names: String,
    runs: usize,
    no_fix: Option<NoFix>,
}

/// Why a [`MissingCacheMounts`] has no fix.
enum NoFix {
    /// A named USER: the mounts need its uid.
    UnknownUid,
    /// Another go RUN of the stage cannot get the mounts.
    OtherRun,
}

impl Violation for MissingCacheMounts {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let mut message = format!(
            "`go {}` runs without a cache mount for {}",
            self.sub, self.names
        );
        match self.no_fix {
            None => {}
            Some(NoFix::UnknownUid) => message
                .push_str(" (no fix: the USER's uid is unknown, add `uid=` to the mounts by hand)"),
            Some(NoFix::OtherRun) => message.push_str(
                " (no fix: another go RUN of the stage cannot get the same mounts, and a cache one RUN fills is invisible to the others)",
            ),
        }
        message
    }

    fn fix_title(&self) -> Option<String> {
        if self.no_fix.is_some() {
            None
        } else if self.runs > 1 {
            Some(format!(
                "Add cache mounts to the {} go RUNs of the stage",
                self.runs
            ))
        } else {
            Some(format!("Add cache mounts for {}", self.names))
        }
    }
}

impl GoCacheMounts {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        // Stages are judged by family: a stage and every stage built FROM it share the image's
        // module cache, so their go RUNs get mounts together or not at all.
        for root in cx.df.stages.iter().filter(|s| s.parent.is_none()) {
            let family: Vec<&Stage> = cx
                .df
                .stages
                .iter()
                .filter(|s| cx.df.stage_chain(s).last().map(|r| r.index) == Some(root.index))
                .collect();
            check_family(cx, &family, out);
        }
    }
}

/// One RUN of a family that wants cache mounts: the mounts it lacks and the edit adding them.
struct Wanted<'a> {
    ins: &'a Instruction,
    sub: String,
    missing: Vec<String>,
    edit: Option<Edit>,
    /// It runs a command the rule reports (`mod download`, `build`, …); other go RUNs that
    /// read the module cache (`go run`, `go mod tidy`) get the mounts with them, unreported.
    report: bool,
}

fn check_family(cx: &RuleContext, family: &[&Stage], out: &mut Vec<Diagnostic>) {
    let mut wanted: Vec<Wanted> = Vec::new();
    let mut caches: Vec<String> = Vec::new();
    for stage in family {
        // What the stage's module needs from the module cache: nothing when go.mod requires
        // nothing, or when Go 1.14+ builds from the vendor/ that reaches the stage by itself.
        let module = cx.main_module(stage);
        // No go.mod from the context on an image before Go 1.16: GOPATH mode, where the module
        // cache is never used (and the builders of that era often lack BuildKit). A module that
        // comes another way (`git clone`, `go mod init` in the image) on a newer Go still counts.
        if cx.ctx.is_some()
            && module.is_none()
            && crate::rules::golang_image::stage_go(cx.df, stage).older_than(1, 16)
            && !cx.go_commands(stage).is_empty()
        {
            let installs_only = cx
                .go_commands(stage)
                .iter()
                .all(|(_, _, g)| g.is_install_at_version() || !g.needs_module());
            if !installs_only {
                return;
            }
        }
        let module_needs_cache = match (&module, cx.ctx) {
            (Some(m), Some(ctx)) => {
                let requires = m.go_mod.is_none_or(|g| g.has_requirements());
                let auto_vendor = m
                    .go_mod
                    .and_then(|g| g.go.as_deref())
                    .and_then(crate::context::gomod::go_version)
                    .is_some_and(|v| (v.0, v.1) >= (1, 14))
                    && cx
                        .files(stage, ctx)
                        .landing(
                            ctx,
                            &crate::context::join_rel(&m.dir, "vendor/modules.txt"),
                            m.go_idx,
                        )
                        .is_some();
                requires && !auto_vendor
            }
            _ => true,
        };
        let mut seen = None;
        for (idx, ins, go) in cx.go_commands(stage) {
            if seen == Some(idx) || !(go.wants_cache() || go.needs_module()) {
                continue;
            }
            seen = Some(idx);
            let modcache = cx
                .settings
                .module_cache
                .clone()
                .or_else(|| ins.state.gomodcache());
            let gocache = cx
                .settings
                .build_cache
                .clone()
                .or_else(|| ins.state.gocache());
            let (Some(modcache), Some(gocache)) = (modcache, gocache) else {
                return;
            };
            let env_says =
                ins.state.env.contains_key("GOMODCACHE") || ins.state.env.contains_key("GOPATH");
            if !(stage.golang || env_says) {
                return;
            }
            // A RUN that only downloads modules never compiles: the build cache is no use there;
            // nor for `go build -a`, which rebuilds every package without reading it.
            let run = ins.run.as_ref().expect("go commands come from RUNs");
            let compiles = run.go.iter().any(|g| {
                g.wants_cache()
                    && !g.sub.starts_with("mod ")
                    && !g
                        .rest()
                        .iter()
                        .any(|w| w.text == "-a" || w.text == "-a=true")
            });
            // Vendored builds (`-mod=vendor`) never read the module cache.
            let module_gos: Vec<_> = run.go.iter().filter(|g| g.needs_module()).collect();
            let vendored = !module_gos.is_empty()
                && run.go.iter().all(|g| {
                    !(g.needs_module() || g.wants_cache())
                        || super::mod_mode(ins, g).as_deref() == Some("vendor")
                });
            let mut want = Vec::new();
            let installs_at_version = run.go.iter().any(|g| g.is_install_at_version());
            if !vendored && (module_needs_cache || installs_at_version) {
                want.push(modcache.clone());
            }
            if compiles {
                want.push(gocache.clone());
            }
            for c in [&modcache, &gocache] {
                if !caches.contains(c) {
                    caches.push(c.clone());
                }
            }
            let missing: Vec<String> = want
                .into_iter()
                .filter(|t| !has_mount_over(ins, t))
                .collect();
            let first_go = run
                .go
                .iter()
                .find(|g| g.wants_cache())
                .or_else(|| run.go.iter().find(|g| g.needs_module()));
            let edit = (!ins.near_error)
                .then(|| owner_options(ins))
                .flatten()
                .map(|owner| mount_edit(cx, ins, &missing, &owner));
            wanted.push(Wanted {
                ins,
                sub: first_go.map_or_else(|| go.sub.clone(), |g| g.sub.clone()),
                missing,
                edit,
                report: run.go.iter().any(|g| g.wants_cache()),
            });
        }
    }
    if wanted.iter().all(|w| w.missing.is_empty() || !w.report) {
        return;
    }
    // Where the caches are read from the image later, or by something the rule cannot follow,
    // a mount would change what the image contains or where the work happens: silent.
    if cache_read_elsewhere(cx, family, &caches) {
        return;
    }
    let fixable = wanted
        .iter()
        .all(|w| w.missing.is_empty() || w.edit.is_some());
    let edits: Vec<Edit> = wanted
        .iter()
        .filter(|w| !w.missing.is_empty())
        .filter_map(|w| w.edit.clone())
        .collect();
    let runs = edits.len();
    // Every finding carries the family's one fix, so that an editor offers it on each RUN;
    // past this many RUNs only the first does (each copy holds every RUN's edit: memory would
    // grow with the square of the RUNs).
    const SHARED_FIX_MAX_RUNS: usize = 32;
    let mut first = true;
    for w in wanted.iter().filter(|w| !w.missing.is_empty() && w.report) {
        let names = w.missing.join(" and ");
        let no_fix = if fixable {
            None
        } else if w.edit.is_none() && !w.ins.near_error {
            Some(NoFix::UnknownUid)
        } else {
            Some(NoFix::OtherRun)
        };
        let finding = MissingCacheMounts {
            sub: w.sub.clone(),
            names,
            runs,
            no_fix,
        };
        let mut d = cx.report(&finding, w.ins.range.clone());
        if fixable && (first || runs <= SHARED_FIX_MAX_RUNS) {
            d.fix = Some(finding.safe_fix(edits.clone()));
        }
        first = false;
        out.push(d);
    }
}

/// Whether a mount of the RUN already covers `target` (the same folder or one above it, of any
/// type: a mount under an existing one would be nested inside it).
fn has_mount_over(ins: &Instruction, target: &str) -> bool {
    let target = target.trim_end_matches('/');
    ins.mounts.iter().any(|m| {
        m.target()
            .and_then(|t| ins.state.expand(t))
            .is_some_and(|t| {
                let t = t.trim_end_matches('/');
                t.is_empty() || target == t || target.starts_with(&format!("{t}/"))
            })
    })
}

/// Whether the module or build cache of a family's image is read somewhere a mount would hide
/// it from: a later `COPY --from` of the cache folder, files copied into it, a go command at container start, a RUN
/// that runs go through something the rule cannot follow (make, a script, `xx-go`), a RUN that
/// names the cache folder, or `go clean -modcache`/`-cache`, which a mount would turn into
/// wiping the shared cache at every build.
fn cache_read_elsewhere(cx: &RuleContext, family: &[&Stage], caches: &[String]) -> bool {
    let df = cx.df;
    let in_family = |i: usize| family.iter().any(|s| s.index == i);
    let overlaps = |path: &str| {
        let p = path.trim_end_matches('/');
        caches.iter().any(|c| {
            p.is_empty()
                || c == p
                || c.starts_with(&format!("{p}/"))
                || p.starts_with(&format!("{c}/"))
        })
    };
    for stage in family {
        if runs_go_at_start(df, stage) {
            return true;
        }
        for ins in &df.instructions[stage.body.clone()] {
            // Files copied into a cache folder are what a mount there would hide.
            if let Some(copy) = &ins.copy
                && let Some(dest) = &copy.dest
                && let Some(dest) = ins.state.expand(&dest.text)
                && overlaps(&crate::syntax::join_path(
                    ins.state.workdir.as_deref().unwrap_or("/"),
                    &dest,
                ))
            {
                return true;
            }
            let Some(run) = &ins.run else { continue };
            let text = &df.source[ins.range.clone()];
            if run.go.iter().any(|g| {
                g.sub == "clean"
                    && g.rest()
                        .iter()
                        .any(|w| w.text == "-modcache" || w.text == "-cache")
            }) {
                return true;
            }
            if caches.iter().any(|c| text.contains(c.as_str())) && ins.mounts.is_empty() {
                return true;
            }
            if run.go.is_empty() && may_run_go(text) {
                return true;
            }
            // The RUN moves the caches itself (`export GOPATH=/root/gocode && go install …`):
            // the stage's ENV says nothing about where they are.
            if ["GOPATH", "GOMODCACHE", "GOCACHE", "XDG_CACHE_HOME", "HOME"]
                .iter()
                .any(|v| {
                    text.contains(&format!("export {v}="))
                        || run
                            .go
                            .iter()
                            .any(|g| g.assignments.iter().any(|a| a.name == *v))
                })
            {
                return true;
            }
        }
    }
    // The image that is run downloads modules but builds nothing: a test runner or a dev image
    // whose module cache is the point (compose's `command: go test ./...`).
    let final_index = cx.final_stage().map(|s| s.index);
    if family.iter().any(|s| Some(s.index) == final_index) {
        let gos: Vec<_> = family.iter().flat_map(|s| cx.go_commands(s)).collect();
        let downloads = gos.iter().any(|(_, _, g)| g.sub == "mod download");
        let builds = gos.iter().any(|(_, _, g)| {
            matches!(g.sub.as_str(), "build" | "install") && !g.is_install_at_version()
        });
        if downloads && !builds {
            return true;
        }
    }
    // COPY --from=<a stage of the family> of a cache folder, anywhere later in the file.
    for ins in &df.instructions {
        let (Some(copy), Some(at)) = (&ins.copy, ins.stage) else {
            continue;
        };
        let Some(from) = &copy.from else { continue };
        let Some(src_stage) = df.stage_by_ref(from, at) else {
            continue;
        };
        if in_family(src_stage) && copy.sources.iter().any(|s| overlaps(&s.text)) {
            return true;
        }
    }
    false
}

/// A RUN without a recognised go command that may still run one: the go command behind a
/// wrapper (`retry -- go …`, `xx-go build`), a build tool (make, mage, task, goreleaser) or a
/// script from the context.
fn may_run_go(text: &str) -> bool {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '"' | '\'')
    })
    .any(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        matches!(
            base,
            "go" | "make"
                | "gmake"
                | "mage"
                | "task"
                | "just"
                | "goreleaser"
                | "ko"
                | "xx-go"
                | "gox"
                | "bazel"
                | "bazelisk"
        ) || base.ends_with(".sh")
            || (w.starts_with("./") && w.len() > 2)
    })
}

/// The edit adding `missing` cache mounts to a RUN: inline after `RUN` and its flags on a short
/// one-line RUN; each mount on a continuation line of its own, indented like the RUN's other
/// lines, on a RUN that already spans lines or would grow past 100 columns.
fn mount_edit(cx: &RuleContext, ins: &Instruction, missing: &[String], owner: &str) -> Edit {
    let mounts: Vec<String> = missing
        .iter()
        .map(|t| format!("--mount=type=cache,target={t}{owner}"))
        .collect();
    let at = super::flags_end(ins);
    let src = &cx.df.source;
    let esc = cx.df.escape;
    let nl = cx.df.newline;
    let first_line_end = src[ins.range.start..]
        .find('\n')
        .map_or(src.len(), |p| ins.range.start + p);
    let first_line = src[ins.range.start..first_line_end].trim_end_matches('\r');
    let continued = first_line.trim_end().ends_with(esc);
    let added: usize = mounts.iter().map(|m| m.len() + 1).sum();
    let heredoc = ins.run.as_ref().is_some_and(|r| r.form == RunForm::Heredoc);
    if heredoc || (!continued && first_line.len() + added <= 100) {
        let text: String = mounts.iter().map(|m| format!(" {m}")).collect();
        return Edit::insert(at, text);
    }
    // The indentation of the RUN's continuation lines, else four spaces past its own.
    let indent = if continued {
        src[first_line_end + 1..]
            .split('\n')
            .next()
            .map(|l| {
                let t = l.trim_start_matches([' ', '\t']);
                l[..l.len() - t.len()].to_string()
            })
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| format!("{}    ", cx.df.indent_at(ins.range.start)))
    } else {
        format!("{}    ", cx.df.indent_at(ins.range.start))
    };
    let rest = &src[at..];
    let ws = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let after_ws = &rest[ws..];
    if after_ws.starts_with(esc)
        && after_ws[esc.len_utf8()..]
            .trim_start_matches([' ', '\t'])
            .starts_with(['\n', '\r'])
    {
        // `RUN \` with the command on the next line: each mount on a line of its own before it.
        let text: String = mounts
            .iter()
            .map(|m| format!(" {esc}{nl}{indent}{m}"))
            .collect();
        return Edit::insert(at, text);
    }
    // After existing flags, the first new mount starts a line of its own too.
    let has_flags = !ins.flags.is_empty() || !ins.mounts.is_empty();
    let mut text = String::new();
    if has_flags {
        text.push(' ');
        text.push(esc);
        text.push_str(nl);
    }
    for m in &mounts {
        if text.is_empty() {
            text.push(' ');
        } else {
            text.push_str(&indent);
        }
        text.push_str(m);
        text.push(' ');
        text.push(esc);
        text.push_str(nl);
    }
    text.push_str(&indent);
    Edit::replace(at..at + ws, text)
}

/// `,uid=…,gid=…` for a numeric non-root USER; empty for root; `None` when unknown.
fn owner_options(ins: &Instruction) -> Option<String> {
    if ins.state.is_root() {
        return Some(String::new());
    }
    let user = ins.state.user.as_deref()?;
    let (uid, gid) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    if !uid.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut s = format!(",uid={uid}");
    if let Some(g) = gid.filter(|g| g.chars().all(|c| c.is_ascii_digit())) {
        s.push_str(&format!(",gid={g}"));
    }
    Some(s)
}
