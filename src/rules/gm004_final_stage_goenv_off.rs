use super::golang_image::{runs_go_at_start, stage_has_go};
use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::fix::Edit;
use crate::syntax::Kind;

declare_rule! {
    pub struct FinalStageGoenvOff;
    code: "GM004",
    name: "final-stage-goenv-off",
    summary: "A final image that can run the go command does not set GOENV=off",
    severity: Info,
    fix: Mixed,
    doc: r#"## What it does
Checks that a final stage (the last one, or the one named by `--target`) **that can run the go
command** sets `ENV GOENV=off`, and adds it right after the final stage's FROM (merged into an
ENV that directly follows FROM, when there is one). A final stage can run the go command when its
image is a golang image, it installs Go (`apk add go`, a Go tarball), runs go in a RUN, or starts
the container with go (`CMD ["go", "test", "./..."]`).

**Not in the default selection.** It runs with the hardening profile (`--hardening`, or
`hardening: true` in `.gomodfix.yaml`), where every final stage of a Dockerfile that builds Go
code is reported, including `scratch`/distroless images that only hold a binary, as the
explicit-settings recommendation asks; or when selected by its code (`--select GM004`), then
only where the final image can run the go command. On three samples of real repositories none of
its findings was a problem that broke or slowed a build. A stage that runs `go env -w` (or is
FROM one that does) is never reported: with `GOENV=off` that command fails (`cannot find go env
config`).

## Why is this bad?
`go env -w` writes settings into a per-user file (`$HOME/.config/go/env`, see `go env GOENV`) that
later go commands read silently. An image whose users or scripts run the go command should not
pick up such a file from a base image or a mounted home directory: `GOENV=off` makes every go
command in the final image ignore it, so what the image does is what its ENV says.

What it does **not** do: it has no effect on a compiled Go program that does not run the go
command. A server binary in a `scratch` or distroless image behaves exactly the same with or
without it, which is why the default check is silent there. It is not a security control and
does not change how the binary was built.

## Example
```dockerfile
FROM golang:1.22
WORKDIR /src
COPY . .
CMD ["go", "test", "./..."]
```

## Use instead
```dockerfile
FROM golang:1.22
ENV GOENV=off
WORKDIR /src
COPY . .
CMD ["go", "test", "./..."]
```

## Fix safety
Adding the line is safe: it only changes where a go command in the final image reads settings
from. Replacing a different explicit `GOENV=` value is unsafe (someone pointed it somewhere on
purpose).

## Context needed
None. Silent in Dockerfiles that never run the go command (images that copy a prebuilt binary)
and, by default, in final images without Go."#,
}

/// GM004's findings.
enum Finding {
    /// The final stage sets GOENV to a file (`value`). Fixtures: `pos_other_value_unsafe`.
    OtherValue { value: String },
    /// The final stage does not set GOENV. Fixtures: `pos_go_test_at_start`,
    /// `pos_hardening_scratch_final`, `pos_hardening_merge_into_env`,
    /// `pos_hardening_legacy_env_not_merged`.
    Unset,
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::OtherValue { value } => format!(
                "the final stage sets `GOENV={value}`; go commands in the image read that file"
            ),
            Finding::Unset => "the final stage does not set `GOENV=off`".into(),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(match self {
            Finding::OtherValue { .. } => "Set GOENV=off".into(),
            Finding::Unset => "Add `ENV GOENV=off` to the final stage".into(),
        })
    }
}

impl FinalStageGoenvOff {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(stage) = cx.final_stage().filter(|s| !s.windows) else {
            return;
        };
        if !cx.df.runs_go() && !runs_go_at_start(cx.df, stage) {
            return;
        }
        // Hardening, or selected by its code: on three samples of real repositories (tuning,
        // two held-out) none of its findings was a problem that broke or slowed a build. Then,
        // without hardening, only where a go command can run in the image.
        if !cx.settings.hardening
            && (!cx.settings.explicitly_selected(META.code)
                || (!stage_has_go(cx.df, stage) && !runs_go_at_start(cx.df, stage)))
        {
            return;
        }
        // `go env -w` in the image (a RUN of the stage or a stage it is FROM, or at start)
        // fails with GOENV=off (`cannot find go env config`): the setting is the image's own.
        let writes_go_env = cx
            .df
            .stage_chain(stage)
            .flat_map(|s| cx.go_commands(s).into_iter().chain(cx.start_go_commands(s)))
            .any(|(_, _, g)| {
                g.sub == "env" && g.rest().iter().any(|w| w.text == "-w" || w.text == "-u")
            });
        if writes_go_env {
            return;
        }
        let from = &cx.df.instructions[stage.from];
        if from.near_error {
            return;
        }
        match stage.end_state.env.get("GOENV") {
            Some(v) if v == "off" => {}
            Some(v) => {
                let setter = stage.body.clone().rev().find_map(|i| {
                    let ins = &cx.df.instructions[i];
                    (ins.kind == Kind::Env && !ins.near_error)
                        .then(|| ins.pairs.iter().find(|p| p.name == "GOENV"))
                        .flatten()
                        .map(|p| (ins, p))
                });
                let range = setter.map_or(from.range.clone(), |(ins, _)| ins.range.clone());
                let finding = Finding::OtherValue { value: v.clone() };
                let mut d = cx.report(&finding, range);
                if let Some((_, p)) = setter
                    && let Some(r) = p.value_range.clone()
                {
                    d.fix = Some(finding.unsafe_fix(vec![Edit::replace(r, "off")]));
                }
                out.push(d);
            }
            None => {
                let finding = Finding::Unset;
                let mut d = cx.report(&finding, from.range.clone());
                d.fix = Some(finding.safe_fix(vec![cx.add_env_to_stage(stage, "GOENV", "off")]));
                out.push(d);
            }
        }
    }
}
