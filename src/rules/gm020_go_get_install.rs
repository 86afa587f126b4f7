use super::golang_image::stage_go;
use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation, with_leading_space};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::{RunForm, Stage};

declare_rule! {
    pub struct GoGetInstall;
    code: "GM020",
    name: "go-get-install",
    summary: "`go get` used to install a tool",
    severity: Error,
    fix: Mixed,
    doc: r#"## What it does
Finds `go get pkg` used to install a program and rewrites it to `go install pkg@VERSION`. The
version comes from go.mod when the module requires the package's module (safe); a version
already given (`go get pkg@v1.2.3`) is kept (safe); otherwise `@latest` is used (unsafe: it
picks whatever is newest on the day of the build). `-u` is dropped. `go get -d`, and `go get`
of the main module's own packages (`.`, `./...`), are left alone. A version through a variable
(`go get pkg@${VERSION}`) counts as given. A GOPATH-era stage that fetches a package with
`go get` and then builds it in place (`WORKDIR $GOPATH/src/…`, nothing copied from the context)
is reported without a fix: `go install` brings no sources, so the stage needs migrating as a
whole (`go install pkg@version`, the binary copied from `$GOPATH/bin`).

## Why is this bad?
Installing with `go get` was deprecated in Go 1.17 and removed in Go 1.18: since then `go get`
only edits go.mod, so the tool is never built (`go: 'go get' is no longer supported outside a
module`, or the binary simply is not there).

## Example
```dockerfile
RUN go get github.com/swaggo/swag/cmd/swag
```

## Use instead
```dockerfile
RUN go install github.com/swaggo/swag/cmd/swag@v1.16.3
```

## Fix safety
Safe with a version from go.mod or the command line; unsafe with `@latest`.

## Context needed
go.mod, for the version (optional)."#,
}

/// GM020's findings (the fix's applicability is the rule's to decide: safe when the version is
/// known).
enum Finding {
    /// `go get` in a module: it only adds a requirement. Fixtures: `pos_version_from_go_mod`.
    GetInModule,
    /// `go get` outside a module: it fails (an error). Fixtures: `pos_latest_unsafe`.
    GetOutsideModule,
    /// `go get` fetching sources a later go command builds in `$GOPATH/src` (`build_dir`):
    /// no one-line fix. Fixtures: `pos_fetch_then_build_in_gopath_needs_migration`.
    FetchThenBuildInGopath { build_dir: String },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::GetInModule => "`go get` no longer installs programs (Go ≥ 1.18), it only adds a requirement: the binary this Dockerfile runs later is never built; use `go install pkg@version`".into(),
            Finding::GetOutsideModule => "`go get` outside a module fails on Go ≥ 1.18 (`'go get' is no longer supported outside a module`): use `go install pkg@version`".into(),
            Finding::FetchThenBuildInGopath { build_dir } => format!(
                "`go get` no longer fetches sources into $GOPATH/src (Go ≥ 1.18), and a later go command builds them in {build_dir}: this stage needs manual migration (`go install pkg@version`, then copy the binary from $GOPATH/bin)"
            ),
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::FetchThenBuildInGopath { .. } => None,
            _ => Some("Use `go install pkg@version`".into()),
        }
    }
}

impl GoGetInstall {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        for stage in &cx.df.stages {
            // Before Go 1.18 `go get` still installs (1.16 and 1.17 only warn), and before 1.16
            // `go install pkg@version` does not exist: silent unless the image is known newer.
            if !stage_go(cx.df, stage).at_least(1, 18) {
                continue;
            }
            let go_mod = cx.main_module(stage).and_then(|m| m.go_mod);
            let files = cx.files(stage, ctx);
            for (idx, ins, go) in cx.go_commands(stage) {
                if go.sub != "get" || ins.run.as_ref().is_some_and(|r| r.form == RunForm::Exec) {
                    continue;
                }
                // Inside a module `go get pkg` adds a requirement (a library is a normal use):
                // only a package whose binary the Dockerfile then runs is a tool install.
                let Some(workdir) = go.workdir(ins.state.workdir.as_deref()) else {
                    continue;
                };
                let in_module = files.module_for(ctx, &workdir, idx).is_some();
                let rest = go.rest();
                if rest.iter().any(|w| w.text == "-d") {
                    continue;
                }
                let pkgs: Vec<_> = rest.iter().filter(|w| !w.text.starts_with('-')).collect();
                if pkgs.is_empty()
                    || pkgs
                        .iter()
                        .any(|w| w.text.starts_with('.') || pkg_path(&w.text).contains('$'))
                {
                    continue;
                }
                if in_module
                    && !pkgs
                        .iter()
                        .any(|p| binary_used_later(cx, stage, idx, &p.text))
                {
                    continue;
                }
                let mut edits = vec![Edit::replace(go.words[1].range.clone(), "install")];
                let mut applicability = Applicability::Safe;
                for w in rest
                    .iter()
                    .filter(|w| w.text == "-u" || w.text.starts_with("-u="))
                {
                    edits.push(Edit::delete(with_leading_space(
                        &cx.df.source,
                        w.range.clone(),
                    )));
                }
                for p in &pkgs {
                    if p.text.contains('@') {
                        continue;
                    }
                    let version = go_mod.and_then(|m| {
                        m.requires
                            .iter()
                            .filter(|(path, _, _)| {
                                p.text == *path || p.text.starts_with(&format!("{path}/"))
                            })
                            .max_by_key(|(path, _, _)| path.len())
                            .map(|(_, v, _)| v.clone())
                    });
                    let v = version.unwrap_or_else(|| {
                        applicability = Applicability::Unsafe;
                        "latest".into()
                    });
                    edits.push(Edit::insert(p.range.end, format!("@{v}")));
                }
                // `go get` that fetches sources into $GOPATH/src for a later go command to build
                // there (GOPATH mode): `go install` brings no sources, so a one-line patch would
                // leave that build in an empty folder. The stage needs migrating as a whole.
                if let Some(build_dir) = builds_fetched_sources(cx, stage, idx, &pkgs) {
                    let finding = Finding::FetchThenBuildInGopath { build_dir };
                    let mut d = cx.report(&finding, ins.range.clone());
                    d.severity = Severity::Error;
                    out.push(d);
                    continue;
                }
                let finding = if in_module {
                    Finding::GetInModule
                } else {
                    Finding::GetOutsideModule
                };
                let mut d = cx.report(&finding, ins.range.clone());
                if !in_module {
                    d.severity = Severity::Error;
                }
                if !ins.near_error {
                    d.fix = Some(Fix {
                        applicability,
                        ..finding.safe_fix(edits)
                    });
                }
                out.push(d);
            }
        }
    }
}

/// The package path of a `go get` argument: before `@version`. A version may come from a
/// variable (`pkg@${VERSION}`): the shell expands it for `go install` just as for `go get`.
fn pkg_path(arg: &str) -> &str {
    arg.split('@').next().unwrap_or(arg)
}

/// Whether the binary of `pkg` (its last path element, without a `/vN` suffix or `@version`) is
/// run by a later instruction of the stage family: a RUN word, or CMD/ENTRYPOINT text.
fn binary_used_later(cx: &RuleContext, stage: &Stage, after: usize, pkg: &str) -> bool {
    let path = pkg
        .split('@')
        .next()
        .unwrap_or(pkg)
        .trim_end_matches("/...");
    let mut parts = path.rsplit('/');
    let mut name = parts.next().unwrap_or(path);
    if name.len() > 1 && name.starts_with('v') && name[1..].chars().all(|c| c.is_ascii_digit()) {
        name = parts.next().unwrap_or(name);
    }
    if name.is_empty() {
        return false;
    }
    let end = cx
        .df
        .stages
        .get(stage.index + 1)
        .map_or(cx.df.source.len(), |s| {
            cx.df.instructions[s.from].range.start
        });
    let start = cx.df.instructions[after].range.end;
    cx.df.source[start..end.max(start)]
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | '[' | ']' | ',' | ';' | '&' | '|')
        })
        .any(|w| w == name || w.ends_with(&format!("/{name}")))
}

/// The working directory of a later go command of the stage that lies in `$GOPATH/src/` under
/// a package `go get` fetched (the GOPATH-era "fetch, then build in place" shape).
fn builds_fetched_sources(
    cx: &RuleContext,
    stage: &Stage,
    after: usize,
    pkgs: &[&crate::syntax::Word],
) -> Option<String> {
    let ins = &cx.df.instructions[after];
    let gopath = ins
        .state
        .env
        .get("GOPATH")
        .cloned()
        .unwrap_or_else(|| "/go".into());
    let fetched: Vec<String> = pkgs
        .iter()
        .map(|p| {
            let path = pkg_path(&p.text).trim_end_matches("/...");
            format!("{}/src/{path}", gopath.trim_end_matches('/'))
        })
        .collect();
    let src = format!("{}/src/", gopath.trim_end_matches('/'));
    let ctx = cx.ctx?;
    let files = cx.files(stage, ctx);
    cx.go_commands(stage)
        .into_iter()
        .filter(|(i, _, g)| *i > after && g.needs_module())
        .find_map(|(idx, later, g)| {
            let dir = g.workdir(later.state.workdir.as_deref())?;
            let dir = dir.trim_end_matches('/').to_string();
            // Below $GOPATH/src/host/owner, and nothing of the context copied before the
            // build: it can only build what `go get` fetched.
            let deep = dir
                .strip_prefix(&src)
                .is_some_and(|rest| rest.split('/').count() >= 2);
            if !deep || files.first_source_copy(stage.body.start..idx).is_some() {
                return None;
            }
            fetched
                .iter()
                .any(|f| {
                    // The build folder is the fetched package or inside its repository.
                    dir == *f
                        || dir.starts_with(&format!("{f}/"))
                        || f.starts_with(&format!("{dir}/"))
                })
                .then_some(dir)
        })
}
