use super::{
    Diagnostic, FixAvailability, Rule, RuleContext, RuleMeta, Severity, with_leading_space,
};
use crate::fix::{Applicability, Edit, Fix};
use crate::syntax::RunForm;

pub struct GoGetInstall;

static META: RuleMeta = RuleMeta {
    code: "GM020",
    name: "go-get-install",
    summary: "`go get` used to install a tool",
    severity: Severity::Error,
    fix: FixAvailability::Mixed,
    doc: r#"## What it does
Finds `go get pkg` used to install a program and rewrites it to `go install pkg@VERSION`. The
version comes from go.mod when the module requires the package's module (safe); a version
already given (`go get pkg@v1.2.3`) is kept (safe); otherwise `@latest` is used (unsafe: it
picks whatever is newest on the day of the build). `-u` is dropped. `go get -d`, and `go get`
of the main module's own packages (`.`, `./...`), are left alone.

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
};

impl Rule for GoGetInstall {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            let go_mod = cx.main_module(stage).and_then(|m| m.go_mod);
            for (_, ins, go) in cx.go_commands(stage) {
                if go.sub != "get" || ins.run.as_ref().is_some_and(|r| r.form == RunForm::Exec) {
                    continue;
                }
                let rest = go.rest();
                if rest.iter().any(|w| w.text == "-d") {
                    continue;
                }
                let pkgs: Vec<_> = rest.iter().filter(|w| !w.text.starts_with('-')).collect();
                if pkgs.is_empty()
                    || pkgs
                        .iter()
                        .any(|w| w.text.starts_with('.') || w.text.contains('$'))
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
                let mut d = cx.diagnostic(
                    &META,
                    ins.range.clone(),
                    "`go get` no longer installs programs (Go ≥ 1.18): use `go install pkg@version`".into(),
                );
                if !ins.near_error {
                    d.fix = Some(Fix {
                        title: "Use `go install pkg@version`".into(),
                        applicability,
                        edits,
                        alone: false,
                    });
                }
                out.push(d);
            }
        }
    }
}
