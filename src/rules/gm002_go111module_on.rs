use super::{Diagnostic, FixAvailability, Rule, RuleContext, RuleMeta, Severity};
use crate::fix::{Edit, Fix};
use crate::syntax::Kind;

pub struct Go111ModuleOn;

static META: RuleMeta = RuleMeta {
    code: "GM002",
    name: "go111module-on",
    summary: "A stage runs the go command without GO111MODULE=on in effect",
    severity: Severity::Warning,
    fix: FixAvailability::Mixed,
    doc: r#"## What it does
Finds build stages that run the go command on a module (go.mod is in the build context) without
`GO111MODULE=on` in effect, and adds `ENV GO111MODULE=on` right after the stage's FROM (merged
into an ENV that directly follows FROM, when there is one). An explicit `GO111MODULE=off` or
`auto` (ENV, ARG or a `GO111MODULE=… go build` prefix) is reported and changed to `on` only as an
unsafe fix.

## Why is this bad?
Go 1.11 to 1.15 default to `auto`, and `GO111MODULE=off` forces GOPATH mode at any version. In
GOPATH mode go.mod is ignored and imports of third-party packages fail with
`cannot find package "…" in any of: /usr/local/go/src/… ($GOROOT) /go/src/… ($GOPATH)`. Setting
`on` explicitly makes the build behave the same on old images and new ones, whatever the
environment of the builder says.

## Example
```dockerfile
FROM golang:1.15 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .
```

## Use instead
```dockerfile
FROM golang:1.15 AS build
ENV GO111MODULE=on
WORKDIR /src
COPY . .
RUN go build -o /app .
```

## Fix safety
Adding the variable is safe: with a go.mod in the context, module mode is what the build needs.
Changing an explicit `off`/`auto` is unsafe: someone may have meant GOPATH mode.

## Context needed
The build context must contain the module's go.mod; without it (a GOPATH project, or an unknown
context) the rule is silent, because forcing module mode would break a GOPATH build."#,
};

impl Rule for Go111ModuleOn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        if cx.ctx.is_none() {
            return;
        }
        for stage in &cx.df.stages {
            let gos = cx.go_commands(stage);
            // Only where the go command really builds a module (go.mod in the image).
            let Some(module) = cx.main_module(stage) else {
                continue;
            };
            let (first_idx, first_ins) = (module.go_idx, module.ins);
            // An explicit non-`on` value in a command prefix.
            let mut explicit = false;
            for (_, _, go) in &gos {
                if let Some(a) = go.assignments.iter().find(|a| a.name == "GO111MODULE") {
                    explicit = true;
                    if a.value != "on" {
                        let mut d = cx.diagnostic(
                            &META,
                            go.range.clone(),
                            format!(
                                "`GO111MODULE={}` can turn module mode off for this go command; go.mod may be ignored",
                                a.value
                            ),
                        );
                        d.fix = Some(Fix::unsafe_(
                            "Set GO111MODULE=on",
                            vec![Edit::replace(a.range.clone(), "GO111MODULE=on")],
                        ));
                        out.push(d);
                    }
                }
            }
            let stage_value = first_ins.state.env.get("GO111MODULE").or_else(|| {
                first_ins
                    .state
                    .args
                    .get("GO111MODULE")
                    .and_then(|v| v.as_ref())
            });
            match stage_value {
                Some(v) if v == "on" => {}
                Some(v) => {
                    // Point at (and fix) the ENV/ARG of this stage that sets it last, if there
                    // is one: the one in effect (an earlier one would change nothing).
                    let setter = (stage.body.start..first_idx).rev().find_map(|i| {
                        let ins = &cx.df.instructions[i];
                        if !matches!(ins.kind, Kind::Env | Kind::Arg) {
                            return None;
                        }
                        ins.pairs
                            .iter()
                            .rfind(|p| p.name == "GO111MODULE")
                            .map(|p| (ins, p))
                    });
                    let range =
                        setter.map_or(first_ins.range.clone(), |(ins, _)| ins.range.clone());
                    let mut d = cx.diagnostic(
                        &META,
                        range,
                        format!("`GO111MODULE={v}` is in effect where the go command builds a module; go.mod may be ignored"),
                    );
                    if let Some((ins, pair)) = setter
                        && !ins.near_error
                        && let Some(r) = pair.value_range.clone()
                    {
                        d.fix = Some(Fix::unsafe_(
                            "Set GO111MODULE=on",
                            vec![Edit::replace(r, "on")],
                        ));
                    }
                    out.push(d);
                }
                None if !explicit && !cx.ancestor_runs_go(stage) => {
                    let from = &cx.df.instructions[stage.from];
                    if from.near_error {
                        continue;
                    }
                    let mut d = cx.diagnostic(
                        &META,
                        from.range.clone(),
                        "this stage runs the go command without `GO111MODULE=on`".into(),
                    );
                    d.fix = Some(Fix::safe(
                        "Add `ENV GO111MODULE=on` to the stage",
                        vec![cx.add_env_to_stage(stage, "GO111MODULE", "on")],
                    ));
                    out.push(d);
                }
                None => {}
            }
        }
    }
}
