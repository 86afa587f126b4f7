use super::{Diagnostic, RuleContext, RuleMeta, Violation};

/// Go settings commonly passed as build args.
const GO_ARGS: &[&str] = &[
    "GOPROXY",
    "GOFLAGS",
    "GOPRIVATE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOINSECURE",
    "GOTOOLCHAIN",
];

declare_rule! {
    pub struct BuildArgNotDeclared;
    code: "GM023",
    name: "build-arg-not-declared",
    summary: "A GO* build arg is passed (or declared before FROM) but not declared in the stage that runs go",
    severity: Warning,
    fix: Safe,
    doc: r#"## What it does
Finds GOPROXY, GOFLAGS, GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE and GOTOOLCHAIN passed as
build args (compose `build.args`, bake `args`) or declared only before the first FROM, and not
declared in a stage that runs the go command; adds `ARG NAME` right after that stage's FROM.

## Why is this bad?
A build arg reaches a stage only if the stage declares it with `ARG NAME`; an ARG before the
first FROM is visible to FROM lines only. A GOPROXY passed with `--build-arg` but not declared
does nothing: the build silently goes to the default proxy (and fails behind a firewall, or for
private modules).

## Example
```dockerfile
ARG GOPROXY=https://proxy.example.com
FROM golang:1.22
RUN go mod download
```

## Use instead
```dockerfile
ARG GOPROXY=https://proxy.example.com
FROM golang:1.22
ARG GOPROXY
RUN go mod download
```

## Fix safety
Safe: the arg was meant for the build; declaring it only lets it through.

## Context needed
Build args from compose/bake files, when any."#,
}

/// GM023's finding: build args (`missing`) passed but not declared in the stage; `referenced`,
/// the values that read them. Fixtures: `pos_global_arg_not_redeclared`,
/// `pos_global_arg_read_under_another_name` (with `referenced`).
struct ArgNotDeclared {
    missing: Vec<String>,
    referenced: Vec<String>,
}

impl Violation for ArgNotDeclared {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        let mut message = format!(
            "{} passed to the build but not declared in this stage: the go command never sees it",
            self.missing.join(", ")
        );
        if !self.referenced.is_empty() {
            message.push_str(&format!(
                " (`{}` expands to nothing: an ARG before FROM is visible only to FROM lines)",
                self.referenced.join(" ")
            ));
        }
        message
    }

    fn fix_title(&self) -> Option<String> {
        let lines: Vec<String> = self.missing.iter().map(|n| format!("ARG {n}")).collect();
        Some(format!("Declare {}", lines.join(", ")))
    }
}

impl BuildArgNotDeclared {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let passed = |name: &str| {
            cx.ctx.is_some_and(|c| c.build_args.contains_key(name))
                || cx.df.global_args.contains_key(name)
        };
        for stage in &cx.df.stages {
            let gos = cx.go_commands(stage);
            let Some(&(_, first, _)) = gos.first() else {
                continue;
            };
            let mut missing: Vec<&str> = GO_ARGS
                .iter()
                .copied()
                .filter(|n| {
                    passed(n)
                        && !first.state.args.contains_key(*n)
                        && !first.state.env.contains_key(*n)
                })
                .collect();
            // Build args a go command reads under other names (`GOARCH=$ARCH go build` with
            // `ARG ARCH` declared only before FROM): undeclared in the stage, they expand to
            // nothing.
            let mut referenced: Vec<String> = Vec::new();
            for (_, ins, go) in &gos {
                for a in &go.assignments {
                    for name in referenced_names(&a.value) {
                        let global = cx.df.global_args.get_key_value(name.as_str());
                        if let Some((key, _)) = global
                            && !ins.state.args.contains_key(key.as_str())
                            && !ins.state.env.contains_key(key.as_str())
                            && !missing.contains(&key.as_str())
                        {
                            missing.push(key.as_str());
                            referenced.push(format!("{}={}", a.name, a.value));
                        }
                    }
                }
            }
            if missing.is_empty() {
                continue;
            }
            let from = &cx.df.instructions[stage.from];
            let finding = ArgNotDeclared {
                missing: missing.iter().map(|n| n.to_string()).collect(),
                referenced: referenced.iter().map(|r| r.to_string()).collect(),
            };
            let mut d = cx.report(&finding, from.range.clone());
            if !from.near_error {
                let lines: Vec<String> = missing.iter().map(|n| format!("ARG {n}")).collect();
                d.fix = Some(finding.safe_fix(vec![cx.insert_lines_after(from, &lines)]));
            }
            out.push(d);
        }
    }
}

/// The variable names a shell value reads: `$NAME` and `${NAME…}`.
fn referenced_names(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        rest = &rest[i + 1..];
        let braced = rest.starts_with('{');
        let body = if braced { &rest[1..] } else { rest };
        let len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        if len > 0 {
            out.push(body[..len].to_string());
        }
    }
    out
}
