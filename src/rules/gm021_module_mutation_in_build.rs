use super::{Diagnostic, FixAvailability, Rule, RuleContext, RuleMeta, Severity};

pub struct ModuleMutationInBuild;

static META: RuleMeta = RuleMeta {
    code: "GM021",
    name: "module-mutation-in-build",
    summary: "`go mod init` or `go mod tidy` runs inside the image build",
    severity: Severity::Warning,
    fix: FixAvailability::None,
    doc: r#"## What it does
Reports `go mod init` and `go mod tidy` in RUN instructions.

## Why is this bad?
`go mod init` in a Dockerfile invents a module on the fly and hides a missing go.mod: every
dependency then resolves to whatever is newest on the day of the build. `go mod tidy` rewrites
go.mod and go.sum at build time, needs the network, and makes the image depend on the day it was
built rather than on the repository; run before the sources are copied it even removes every
requirement. Both belong in the repository, run by a developer, with the result committed.

## Example
```dockerfile
COPY . .
RUN go mod init example.com/app && go mod tidy && go build -o /app .
```

## Use instead
```dockerfile
# go.mod and go.sum committed to the repository
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app .
```

## Fix safety
No fix: the repository has to change.

## Context needed
None."#,
};

impl Rule for ModuleMutationInBuild {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            for (_, ins, go) in cx.go_commands(stage) {
                let why = match go.sub.as_str() {
                    "mod init" => {
                        "`go mod init` in the build invents a module and hides a missing go.mod: commit go.mod instead"
                    }
                    "mod tidy" => {
                        "`go mod tidy` rewrites go.mod at build time, needs the network and makes builds irreproducible: run it in the repository"
                    }
                    _ => continue,
                };
                out.push(cx.diagnostic(&META, ins.range.clone(), why.into()));
            }
        }
    }
}
