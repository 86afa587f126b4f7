use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::fix::Edit;
use crate::syntax::RunForm;

declare_rule! {
    pub struct GoEnvWrite;
    code: "GM019",
    name: "go-env-write",
    summary: "`RUN go env -w K=V` instead of `ENV K=V`",
    severity: Warning,
    fix: Mixed,
    doc: r#"## What it does
Finds `go env -w K=V …` in RUN instructions and replaces it with `ENV K=V …`. When the RUN does
nothing else the whole instruction becomes an ENV (safe); when it is part of a longer command
chain, the unsafe fix removes it from the chain and puts an ENV before the RUN.

A value with shell expansion (`go env -w GOBIN=$(pwd)/bin`, `GOFLAGS=$FLAGS`) is left alone:
ENV cannot run a command, so there is nothing equivalent to offer.

## Why is this bad?
`go env -w` writes the file named by `go env GOENV` (by default `$HOME/.config/go/env`). The
setting then holds only for later RUNs with the same HOME in the same stage, is invisible in
the image's configuration (`docker inspect` does not show it), is ignored when `GOENV=off`, and
silently follows the image into every go command its users run. `ENV` says the same thing
explicitly.

## Example
```dockerfile
RUN go env -w GOPROXY=https://goproxy.io,direct GOFLAGS=-trimpath
```

## Use instead
```dockerfile
ENV GOPROXY=https://goproxy.io,direct GOFLAGS=-trimpath
```

## Fix safety
Safe when the RUN only runs `go env -w`. Unsafe when other commands share the RUN: their order
relative to the setting changes.

## Context needed
None."#,
}

fn env_value(v: &str) -> String {
    if v.is_empty() || v.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
        serde_json::to_string(v).unwrap_or_default()
    } else {
        v.to_string()
    }
}

/// GM019's finding: `go env -w`, better as `env_line`. Fixtures: `pos_sole_go_env_w`
/// ([`EnvFix::Replace`]), `pos_in_chain_unsafe` ([`EnvFix::Move`]).
struct HiddenGoEnv {
    env_line: String,
    fix: EnvFix,
}

/// How a [`HiddenGoEnv`] is fixed.
enum EnvFix {
    None,
    /// The RUN is the `go env -w` alone: replaced with ENV.
    Replace,
    /// Cut out of a chain, as an ENV before the RUN.
    Move,
}

impl Violation for HiddenGoEnv {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        format!(
            "`go env -w` hides settings in a file; use `{}`",
            self.env_line
        )
    }

    fn fix_title(&self) -> Option<String> {
        match self.fix {
            EnvFix::None => None,
            EnvFix::Replace => Some("Replace with ENV".into()),
            EnvFix::Move => Some("Move the setting into an ENV before the RUN".into()),
        }
    }
}

impl GoEnvWrite {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            for (_, ins, go) in cx.go_commands(stage) {
                if go.sub != "env" || go.rest().first().is_none_or(|w| w.text != "-w") {
                    continue;
                }
                let pairs: Vec<(String, String)> = go.rest()[1..]
                    .iter()
                    .filter_map(|w| {
                        w.text
                            .split_once('=')
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                    })
                    .collect();
                if pairs.is_empty() {
                    continue;
                }
                // A value the shell computes (`$(go env GOPATH)/bin`, `` `cat x` ``, `$HOME`)
                // has no ENV equivalent: ENV cannot run commands and sees another environment.
                let raw = &cx.df.source[go.range.clone()];
                if raw.contains('$') || raw.contains('`') {
                    continue;
                }
                let env_line = format!(
                    "ENV {}",
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{k}={}", env_value(v)))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                // The finding, and the same finding with the fix it gets.
                let finding = |fix| HiddenGoEnv {
                    env_line: env_line.clone(),
                    fix,
                };
                let mut d = cx.report(&finding(EnvFix::None), ins.range.clone());
                let run = ins.run.as_ref().expect("go commands come from RUNs");
                if run.form == RunForm::Shell && ins.mounts.is_empty() && ins.flags.is_empty() {
                    let idx = run.commands.iter().position(|c| c.range == go.range);
                    if run.commands.len() == 1 {
                        let start = cx.df.line_start(ins.range.start)
                            + cx.df.indent_at(ins.range.start).len();
                        d.fix = Some(
                            finding(EnvFix::Replace)
                                .safe_fix(vec![Edit::replace(start..ins.range.end, env_line)]),
                        );
                    } else if let Some(i) = idx {
                        // Cut the command and its `&&`/`;` joint out of the chain.
                        let src = &cx.df.source;
                        let cut = if i + 1 < run.commands.len() {
                            let joint =
                                &src[run.commands[i].range.end..run.commands[i + 1].range.start];
                            (joint.contains("&&") || joint.contains(';')).then(|| {
                                run.commands[i].range.start..run.commands[i + 1].range.start
                            })
                        } else {
                            let joint =
                                &src[run.commands[i - 1].range.end..run.commands[i].range.start];
                            (joint.contains("&&") || joint.contains(';'))
                                .then(|| run.commands[i - 1].range.end..run.commands[i].range.end)
                        };
                        if let Some(cut) = cut {
                            d.fix = Some(finding(EnvFix::Move).unsafe_fix(vec![
                                cx.insert_lines_before(ins, std::slice::from_ref(&env_line)),
                                Edit::delete(cut),
                            ]));
                        }
                    }
                }
                out.push(d);
            }
        }
    }
}
