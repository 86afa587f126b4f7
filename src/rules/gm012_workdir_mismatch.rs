use super::{Diagnostic, RuleContext};
use crate::context::split_dir;
use crate::fix::{Edit, Fix};
use crate::syntax::Kind;

declare_rule! {
    pub struct WorkdirMismatch;
    code: "GM012",
    name: "workdir-mismatch",
    summary: "go.mod is copied to one directory and the go command runs in another",
    severity: Error,
    fix: Unsafe,
    doc: r#"## What it does
Finds go commands whose working directory is not the directory go.mod was copied to (nor inside
it), and offers to set the WORKDIR to the module's directory before that command.

## Why is this bad?
The go command looks for go.mod in its working directory and the directories above it. A module
copied to `/app` is invisible from `/src`: the build fails with `go.mod file not found` or
falls back to GOPATH mode.

## Example
```dockerfile
FROM golang:1.22
COPY go.mod go.sum /app/
RUN cd /app && go mod download
WORKDIR /src
COPY *.go ./
RUN go build -o /out/app .
```

## Use instead
```dockerfile
FROM golang:1.22
COPY go.mod go.sum /app/
RUN cd /app && go mod download
WORKDIR /app
COPY *.go ./
RUN go build -o /out/app .
```

## Fix safety
Unsafe: instructions after the new WORKDIR see a different working directory, so relative paths
in them change meaning.

## Context needed
The build context listing; silent when a COPY cannot be resolved."#,
}

impl WorkdirMismatch {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        for stage in &cx.df.stages {
            let files = cx.files(stage, ctx);
            let gos = cx.go_commands(stage);
            // The first go command that cannot find a go.mod although one was copied.
            let found = gos.iter().find_map(|&(go_idx, go_ins, go)| {
                if !go.needs_module() {
                    return None;
                }
                let workdir = go.workdir(go_ins.state.workdir.as_deref())?;
                if files.module_for(ctx, &workdir, go_idx).is_some() {
                    return None;
                }
                let landed = files.mappings.iter().rev().find(|m| {
                    m.visible_at(go_idx)
                        && !m.dir
                        && m.context_path.ends_with("go.mod")
                        && ctx.sends(&m.context_path)
                })?;
                Some((go_idx, go_ins, go, workdir, landed))
            });
            let Some((go_idx, go_ins, go, workdir, m)) = found else {
                continue;
            };
            let module_dir = split_dir(&m.image_path).0;
            let module_dir = if module_dir.is_empty() {
                "/"
            } else {
                module_dir
            };
            let mut d = cx.diagnostic(
                &META,
                go_ins.range.clone(),
                format!("go.mod was copied to {module_dir} but `go {}` runs in {workdir}, where the go command cannot find it", go.sub),
            );
            // The WORKDIR that moved the stage away from the module: point it at the module.
            // Not when a `cd` in the RUN takes the go command elsewhere: no WORKDIR fixes that.
            let moved = (m.instruction + 1..go_idx)
                .rev()
                .map(|i| &cx.df.instructions[i])
                .find(|i| i.kind == Kind::Workdir && !i.near_error);
            let in_workdir = go_ins.state.workdir.as_deref() == Some(workdir.as_str());
            match moved.and_then(|w| w.args.first()).filter(|_| in_workdir) {
                Some(path) => {
                    d.fix = Some(
                        Fix::unsafe_(
                            format!("Change the WORKDIR to {module_dir}"),
                            vec![Edit::replace(path.range.clone(), module_dir)],
                        )
                        .alone(),
                    );
                }
                None if in_workdir && !cx.df.instructions[go_idx].near_error => {
                    d.fix = Some(
                        Fix::unsafe_(
                            format!("Set `WORKDIR {module_dir}` before the go command"),
                            vec![cx.insert_lines_before(
                                &cx.df.instructions[go_idx],
                                &[format!("WORKDIR {module_dir}")],
                            )],
                        )
                        .alone(),
                    );
                }
                None => {}
            }
            out.push(d);
        }
    }
}
