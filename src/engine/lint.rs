//! Checking and fixing one Dockerfile's text in one build context (or none): parse, run the
//! rules, run the fix loop.

use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::fix::{self, FixOutcome, NotConverged};
use crate::rules::{self, Settings};
use crate::syntax::{Dockerfile, ParseOptions};
use tree_sitter::Tree;

/// Parse options that follow from a context (its build args) and the settings (the image
/// repositories that count as golang).
pub fn parse_options(ctx: Option<&Context>, settings: &Settings) -> ParseOptions {
    ParseOptions {
        build_args: ctx.map(|c| c.build_args.clone()).unwrap_or_default(),
        golang_images: settings.golang_images.clone(),
    }
}

/// Check one Dockerfile's text: its diagnostics.
pub fn check(source: &str, ctx: Option<&Context>, settings: &Settings) -> Vec<Diagnostic> {
    let df = Dockerfile::parse_with(source, &parse_options(ctx, settings));
    rules::check(&df, ctx, settings)
}

/// Check and fix one Dockerfile's text.
pub struct Linted {
    pub dockerfile: Dockerfile,
    pub diagnostics: Vec<Diagnostic>,
    pub fixed: Result<FixOutcome, NotConverged>,
}

/// Check a Dockerfile without computing fixes: the fixed text is the input.
pub fn check_only(source: &str, ctx: Option<&Context>, settings: &Settings) -> Linted {
    check_only_parsed(source, None, ctx, settings)
}

/// [`check_only`] of text whose tree may already be parsed (`tree`).
pub fn check_only_parsed(
    source: &str,
    tree: Option<Tree>,
    ctx: Option<&Context>,
    settings: &Settings,
) -> Linted {
    let dockerfile = Dockerfile::parse_with_tree(source, tree, &parse_options(ctx, settings));
    let diagnostics = rules::check(&dockerfile, ctx, settings);
    Linted {
        dockerfile,
        fixed: Ok(FixOutcome {
            output: source.to_string(),
            diagnostics: diagnostics.clone(),
            ..Default::default()
        }),
        diagnostics,
    }
}

/// Check a Dockerfile and compute its fixed text and the context files the fixes change
/// (nothing is written).
pub fn lint(
    source: &str,
    ctx: Option<&Context>,
    settings: &Settings,
    unsafe_fixes: bool,
) -> Linted {
    lint_parsed(source, None, ctx, settings, unsafe_fixes)
}

/// [`lint`] of text whose tree may already be parsed (`tree`): a Dockerfile checked in several
/// build contexts is parsed once.
pub fn lint_parsed(
    source: &str,
    tree: Option<Tree>,
    ctx: Option<&Context>,
    settings: &Settings,
    unsafe_fixes: bool,
) -> Linted {
    let options = parse_options(ctx, settings);
    let dockerfile = Dockerfile::parse_with_tree(source, tree, &options);
    let diagnostics = rules::check(&dockerfile, ctx, settings);
    let fixed = if diagnostics.iter().any(|d| d.fix.is_some()) {
        fix::fix_checked(
            source,
            Some((&dockerfile, diagnostics.clone())),
            unsafe_fixes,
            |df, side| match ctx {
                Some(c) if !side.is_empty() => {
                    let updated = c.with_edited_files(side);
                    rules::check(df, Some(&updated), settings)
                }
                _ => rules::check(df, ctx, settings),
            },
            |text, tree| Dockerfile::parse_with_tree(text, tree, &options),
            |path| ctx.map(|c| c.file_text(path)).unwrap_or_default(),
        )
    } else {
        Ok(FixOutcome {
            output: source.to_string(),
            diagnostics: diagnostics.clone(),
            ..Default::default()
        })
    };
    Linted {
        dockerfile,
        diagnostics,
        fixed,
    }
}
