use super::{Diagnostic, RuleContext, RuleMeta, Violation};
use crate::fix::Edit;
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

/// GM100's findings (the engine reports them: see `rules::check`). Shown by `tests/cli.rs`
/// and `fixtures/GM100/`.
enum Finding {
    /// A suppression that silenced nothing (`codes`: its codes, when it names some); the fix
    /// removes it. Fixtures: `pos_unused_code`, `pos_bare_ignore_unused`.
    Unused { codes: Vec<String> },
    /// Some of the suppression's `codes` silenced nothing, others did (no fix). Fixtures:
    /// `pos_partly_used`.
    PartlyUnused { codes: Vec<String> },
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::Unused { codes } if codes.is_empty() => {
                "this suppression silences nothing".to_string()
            }
            Finding::Unused { codes } => format!(
                "this suppression silences nothing ({} not reported here)",
                codes.join(", ")
            ),
            Finding::PartlyUnused { codes } => {
                format!("{} in this suppression silence nothing", codes.join(", "))
            }
        }
    }

    fn fix_title(&self) -> Option<String> {
        match self {
            Finding::Unused { .. } => Some("Remove the unused suppression".into()),
            Finding::PartlyUnused { .. } => None,
        }
    }
}

/// The finding for a suppression; `whole` when it silenced nothing at all.
pub fn diagnostic(
    cx: &RuleContext,
    s: &Suppression,
    unused: &[&String],
    whole: bool,
) -> Diagnostic {
    let codes: Vec<String> = unused.iter().map(|c| c.to_string()).collect();
    let finding = if whole {
        Finding::Unused { codes }
    } else {
        Finding::PartlyUnused { codes }
    };
    let mut d = cx.report(&finding, s.range.clone());
    if whole {
        d.fix = Some(finding.safe_fix(vec![Edit::delete(cx.df.whole_lines(s.range.clone()))]));
    }
    d
}
