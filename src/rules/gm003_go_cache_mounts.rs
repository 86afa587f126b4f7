use super::{Diagnostic, FixAvailability, Rule, RuleContext, RuleMeta, Severity};
use crate::fix::{Edit, Fix};
use crate::syntax::Instruction;

pub struct GoCacheMounts;

static META: RuleMeta = RuleMeta {
    code: "GM003",
    name: "go-cache-mounts",
    summary: "A RUN that downloads or builds Go code has no BuildKit cache mounts",
    severity: Severity::Warning,
    fix: FixAvailability::Safe,
    doc: r#"## What it does
Finds RUN instructions that run `go mod download`, `go mod vendor`, `go build`, `go install`,
`go test` or `go generate` without BuildKit cache mounts for the module cache (GOMODCACHE) and the build cache
(GOCACHE), and adds the missing ones to **every** such RUN of the stage:

    RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build …

Targets follow the stage: GOMODCACHE, else `$GOPATH/pkg/mod`; GOCACHE, else
`$XDG_CACHE_HOME/go-build`, else `$HOME/.cache/go-build`. A RUN that only downloads or vendors
modules (`go mod download`, `go mod vendor`) compiles nothing, so it gets the module cache only,
as Docker's own Go guide writes it. Mounts the RUN already has are kept.
For a numeric non-root `USER uid[:gid]` the mounts get `uid=`/`gid=` so the user can write them.
Shell-form, exec-form (JSON) and heredoc RUNs are all handled: the flags go after `RUN`.

## Why is this bad?
Without cache mounts every build recompiles the standard library and every dependency, and every
change to go.mod downloads every module again. Cache mounts keep both caches between builds on the
same builder. They are not part of the image, so a download cached in a mount is invisible to a
later RUN without the mount: that RUN downloads again. That is why every go RUN of the stage
needs the same mounts.

## Example
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -o /app .
```

## Use instead
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .
```

## Fix safety
Safe: the build produces the same files; only where downloads and compiled packages are kept
changes. BuildKit (Docker ≥ 18.09 with BuildKit, the default since 23.0), Podman and Buildah accept
the syntax. A `# syntax=` line is not added.

## Context needed
No build context; the stage's image must be known (an official `golang` image, a stage of the same
file, or an ENV that sets GOMODCACHE/GOPATH and GOCACHE/HOME). Silent otherwise. For a named
non-root USER whose uid is unknown, the finding has no fix."#,
};

impl Rule for GoCacheMounts {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        for stage in &cx.df.stages {
            let mut seen = None;
            for (idx, ins, go) in cx.go_commands(stage) {
                if !go.wants_cache() || seen == Some(idx) {
                    continue;
                }
                seen = Some(idx);
                let modcache = cx
                    .settings
                    .module_cache
                    .clone()
                    .or_else(|| ins.state.gomodcache());
                let gocache = cx
                    .settings
                    .build_cache
                    .clone()
                    .or_else(|| ins.state.gocache());
                let (Some(modcache), Some(gocache)) = (modcache, gocache) else {
                    continue;
                };
                let env_says = ins.state.env.contains_key("GOMODCACHE")
                    || ins.state.env.contains_key("GOPATH");
                if !(stage.golang || env_says) {
                    continue;
                }
                // A RUN that only downloads modules never compiles: the build cache is no use there.
                let run = ins.run.as_ref().expect("go commands come from RUNs");
                let compiles = run
                    .go
                    .iter()
                    .any(|g| g.wants_cache() && !g.sub.starts_with("mod "));
                let wanted: Vec<&String> = if compiles {
                    vec![&modcache, &gocache]
                } else {
                    vec![&modcache]
                };
                let missing: Vec<&String> = wanted
                    .into_iter()
                    .filter(|t| !has_cache_mount(ins, t))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                let mut d = cx.diagnostic(
                    &META,
                    ins.range.clone(),
                    format!(
                        "`go {}` runs without a cache mount for {}",
                        go.sub,
                        names.join(" and ")
                    ),
                );
                match owner_options(ins) {
                    Some(owner) => {
                        let text: String = missing
                            .iter()
                            .map(|t| format!(" --mount=type=cache,target={t}{owner}"))
                            .collect();
                        d.fix = Some(Fix::safe(
                            format!("Add cache mounts for {}", names.join(" and ")),
                            vec![Edit::insert(super::flags_end(ins), text)],
                        ));
                    }
                    None => {
                        d.message.push_str(" (no fix: the USER's uid is unknown, add `uid=` to the mounts by hand)");
                    }
                }
                out.push(d);
            }
        }
    }
}

fn has_cache_mount(ins: &Instruction, target: &str) -> bool {
    ins.mounts.iter().any(|m| {
        m.kind() == "cache"
            && m.target()
                .and_then(|t| ins.state.expand(t))
                .is_some_and(|t| t.trim_end_matches('/') == target.trim_end_matches('/'))
    })
}

/// `,uid=…,gid=…` for a numeric non-root USER; empty for root; `None` when unknown.
fn owner_options(ins: &Instruction) -> Option<String> {
    if ins.state.is_root() {
        return Some(String::new());
    }
    let user = ins.state.user.as_deref()?;
    let (uid, gid) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    if !uid.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut s = format!(",uid={uid}");
    if let Some(g) = gid.filter(|g| g.chars().all(|c| c.is_ascii_digit())) {
        s.push_str(&format!(",gid={g}"));
    }
    Some(s)
}
