use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::context::split_dir;
use crate::fix::Edit;
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

/// GM012's finding: go.mod was copied to `module_dir` but `go {sub}` runs in `workdir`.
/// Fixtures: `pos_go_mod_elsewhere` ([`WorkdirFix::Change`]),
/// `pos_workdir_set_before_go_command` ([`WorkdirFix::Set`]).
struct GoModElsewhere {
    module_dir: String,
    sub: String,
    workdir: String,
    fix: WorkdirFix,
}

/// How a [`GoModElsewhere`] is fixed.
enum WorkdirFix {
    None,
    /// The WORKDIR that moved the stage away points at the module instead.
    Change,
    /// A WORKDIR inserted before the go command.
    Set,
}

impl Violation for GoModElsewhere {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        format!(
            "go.mod was copied to {} but `go {}` runs in {}, where the go command cannot find it",
            self.module_dir, self.sub, self.workdir
        )
    }

    fn fix_title(&self) -> Option<String> {
        match self.fix {
            WorkdirFix::None => None,
            WorkdirFix::Change => Some(format!("Change the WORKDIR to {}", self.module_dir)),
            WorkdirFix::Set => Some(format!(
                "Set `WORKDIR {}` before the go command",
                self.module_dir
            )),
        }
    }
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
            // The finding, and the same finding with the fix it gets.
            let finding = |fix| GoModElsewhere {
                module_dir: module_dir.to_string(),
                sub: go.sub.clone(),
                workdir: workdir.clone(),
                fix,
            };
            let mut d = cx.report(&finding(WorkdirFix::None), go_ins.range.clone());
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
                        finding(WorkdirFix::Change)
                            .unsafe_fix(vec![Edit::replace(path.range.clone(), module_dir)])
                            .alone(),
                    );
                }
                None if in_workdir && !cx.df.instructions[go_idx].near_error => {
                    d.fix = Some(
                        finding(WorkdirFix::Set)
                            .unsafe_fix(vec![cx.insert_lines_before(
                                &cx.df.instructions[go_idx],
                                &[format!("WORKDIR {module_dir}")],
                            )])
                            .alone(),
                    );
                }
                None => {}
            }
            out.push(d);
        }
    }
}
