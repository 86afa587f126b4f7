use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::syntax::Kind;

/// Settings read by a Go program at run time, not at build time.
const RUNTIME_VARS: &[&str] = &[
    "GODEBUG",
    "GOMAXPROCS",
    "GOMEMLIMIT",
    "GOGC",
    "TZ",
    "ZONEINFO",
];

declare_rule! {
    pub struct BuilderEnvNotInFinal;
    code: "GM018",
    name: "builder-env-not-in-final",
    summary: "Runtime settings (GODEBUG, GOMAXPROCS, GOMEMLIMIT, GOGC, TZ, ZONEINFO) are set only in a build stage",
    severity: Warning,
    fix: Unsafe,
    doc: r#"## What it does
Finds ENV settings that a Go program reads at run time (GODEBUG, GOMAXPROCS, GOMEMLIMIT, GOGC, TZ,
ZONEINFO) set in a build stage whose output the final stage copies, but not in the final stage,
and offers to copy them into the final stage's ENV.

## Why is this bad?
Every stage starts from its own base image's configuration: ENV of a build stage never reaches
the final image. The setting was written for the program, but the program never sees it.

## Example
```dockerfile
FROM golang:1.22 AS build
ENV GOMEMLIMIT=512MiB TZ=Europe/Berlin
RUN go build -o /app .

FROM gcr.io/distroless/static-debian12
COPY --from=build /app /app
```

## Use instead
```dockerfile
FROM gcr.io/distroless/static-debian12
ENV GOMEMLIMIT=512MiB TZ=Europe/Berlin
COPY --from=build /app /app
```

## Fix safety
Unsafe: the program's behaviour at run time changes (that is the point, but someone may have
meant the value for the build only, e.g. a GODEBUG for a go command).

## Context needed
None."#,
}

/// GM018's finding: runtime settings (`names`) set only in a build stage. Fixtures:
/// `pos_runtime_env_in_builder`.
struct RuntimeEnvOnlyInBuilder {
    names: String,
}

impl Violation for RuntimeEnvOnlyInBuilder {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        format!(
            "{} set only in a build stage never reach the final image",
            self.names
        )
    }

    fn fix_title(&self) -> Option<String> {
        Some(format!("Set {} in the final stage", self.names))
    }
}

impl BuilderEnvNotInFinal {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(final_stage) = cx.final_stage() else {
            return;
        };
        let mut sources: Vec<usize> = final_stage
            .body
            .clone()
            .filter_map(|i| cx.df.instructions[i].copy.as_ref()?.from.as_deref())
            .filter_map(|f| cx.df.stage_by_ref(f, final_stage.index))
            .collect();
        sources.sort();
        sources.dedup();
        let final_env = &final_stage.end_state.env;
        let mut wanted: Vec<(String, String)> = Vec::new();
        let mut at = None;
        for src in sources {
            let stage = &cx.df.stages[src];
            // The final stage is built on that stage: it inherits its ENV.
            let inherits = cx
                .df
                .stage_chain(final_stage)
                .skip(1)
                .any(|s| s.index == src);
            if inherits || cx.go_commands(stage).is_empty() {
                continue;
            }
            for ins in &cx.df.instructions[stage.body.clone()] {
                if ins.kind != Kind::Env || ins.near_error {
                    continue;
                }
                for p in &ins.pairs {
                    let Some(v) = &p.value else { continue };
                    if RUNTIME_VARS.contains(&p.name.as_str())
                        && !final_env.contains_key(&p.name)
                        && !wanted.iter().any(|(k, _)| k == &p.name)
                        && !v.contains('$')
                    {
                        wanted.push((
                            p.name.clone(),
                            cx.df.source[p.value_range.clone().unwrap_or(0..0)].to_string(),
                        ));
                        at.get_or_insert(ins.range.clone());
                    }
                }
            }
        }
        let Some(range) = at else { return };
        let names: Vec<&str> = wanted.iter().map(|(k, _)| k.as_str()).collect();
        let finding = RuntimeEnvOnlyInBuilder {
            names: names.join(", "),
        };
        let mut d = cx.report(&finding, range);
        if !cx.df.instructions[final_stage.from].near_error {
            let line = format!(
                "ENV {}",
                wanted
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            d.fix = Some(finding.unsafe_fix(vec![
                cx.insert_lines_after(&cx.df.instructions[final_stage.from], &[line]),
            ]));
        }
        out.push(d);
    }
}
