//! Which of a Dockerfile's COPY/ADD sources a build context has. Context discovery asks it
//! whether a folder above the Dockerfile's is the context it is written for; GM028 reports what
//! the context lacks.

use std::ops::Range;

use super::{Context, context_rel};
use crate::syntax::{Copy, Dockerfile};

/// Literal COPY/ADD sources taken from the context (no `--from`, no variables or globs).
pub fn literal_sources(df: &Dockerfile) -> Vec<String> {
    df.instructions
        .iter()
        .filter_map(|ins| ins.copy.as_ref())
        .flat_map(Copy::literal_sources)
        .map(|w| w.text.clone())
        .collect()
}

/// Literal COPY/ADD sources (from the context) that the context does not have and git does not
/// ignore, each with the range of its instruction.
pub fn missing_sources(df: &Dockerfile, ctx: &Context) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for ins in &df.instructions {
        let Some(copy) = &ins.copy else { continue };
        for w in copy.literal_sources() {
            let rel = context_rel(&w.text);
            // `.git` is not in gomodfix's listing of a context but is in every checkout.
            if rel == ".git" || rel.starts_with(".git/") {
                continue;
            }
            // What git ignores is made on the host before the build (`make dist/app`), not
            // missing from a checkout: not ours to report.
            if ctx.tree.kind(&rel).is_none() && !ctx.tree.git_ignores(&rel) {
                out.push((ins.range.clone(), w.text.clone()));
            }
        }
    }
    out
}
