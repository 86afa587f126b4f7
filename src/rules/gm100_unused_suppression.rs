use super::{Diagnostic, RuleContext};
use crate::fix::{Edit, Fix};
use crate::suppress::Suppression;

declare_rule! {
    /// Reported by the engine after the other rules ran (see `rules::check`), like ruff's RUF100.
    pub struct UnusedSuppression;
    code: "GM100",
    name: "unused-suppression",
    summary: "A `# gomodfix: ignore[…]` comment silences nothing",
    severity: Warning,
    fix: Safe,
    doc: r#"## What it does
Reports `# gomodfix: ignore[CODE]` (and `ignore-file[CODE]`, and a bare `ignore`) comments that
silence no finding, and removes the comment. A comment that silences some of its codes but not
others is reported with the unused codes, without a fix.

## Why is this bad?
A suppression outlives the problem it was written for: once the Dockerfile is fixed, the
comment only hides the next real finding on that instruction.

## Example
```dockerfile
# gomodfix: ignore[GM003]
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .
```

## Use instead
```dockerfile
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .
```

## Fix safety
Safe: the comment silences nothing. hadolint's `# hadolint ignore=` comments are never touched.

## Context needed
None."#,
}

impl UnusedSuppression {
    fn check(&self, _: &RuleContext, _: &mut Vec<Diagnostic>) {}
}

/// The finding for a suppression; `whole` when it silenced nothing at all.
pub fn diagnostic(
    cx: &RuleContext,
    s: &Suppression,
    unused: &[&String],
    whole: bool,
) -> Diagnostic {
    let names: Vec<&str> = unused.iter().map(|c| c.as_str()).collect();
    let message = if whole {
        if names.is_empty() {
            "this suppression silences nothing".to_string()
        } else {
            format!(
                "this suppression silences nothing ({} not reported here)",
                names.join(", ")
            )
        }
    } else {
        format!("{} in this suppression silence nothing", names.join(", "))
    };
    let mut d = cx.diagnostic(&META, s.range.clone(), message);
    if whole {
        d.fix = Some(Fix::safe(
            "Remove the unused suppression",
            vec![Edit::delete(cx.df.whole_lines(s.range.clone()))],
        ));
    }
    d
}
