//! Checking one file: read it, find its contexts, lint it in each, merge the results.

use std::path::{Path, PathBuf};

use super::{ContextCache, Fixes, MAX_FILE_BYTES, Options, display_path};
use crate::config::Effective;
use crate::context::Context;
use crate::diagnostics::Diagnostic;
use crate::fix::FixOutcome;
use crate::rules::Settings;

/// What happened to one file.
pub struct FileReport {
    pub path: PathBuf,
    pub shown: String,
    pub source: String,
    /// A UTF-8 byte-order mark was stripped before parsing and is put back on write.
    pub bom: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub fixed: Option<FixOutcome>,
    /// Diagnostics left after the fixes (only computed with [`Fixes::Apply`]).
    pub remaining: Vec<Diagnostic>,
    pub error: Option<String>,
    /// Errors about the file's context that did not stop the check (a malformed go.mod).
    pub warnings: Vec<String>,
    /// Root of the (first) build context, to place the context files fixes edit.
    pub context_root: Option<PathBuf>,
    /// Whether unsafe fixes were applied for this file (flag or config).
    pub unsafe_fixes: bool,
}

/// Read a Dockerfile, refusing what cannot be one.
pub fn read_dockerfile(path: &Path) -> Result<(String, bool), String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let meta = file.metadata().map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} bytes, larger than the {} byte limit",
            meta.len(),
            MAX_FILE_BYTES
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    // The limit holds even for a file that grows while it is read.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "file is larger than the {} byte limit",
            MAX_FILE_BYTES
        ));
    }
    decode(bytes)
}

/// Text of a Dockerfile from bytes: UTF-8, no NUL bytes; a BOM is stripped and reported.
pub fn decode(bytes: Vec<u8>) -> Result<(String, bool), String> {
    if bytes.contains(&0) {
        return Err("binary file (contains NUL bytes)".into());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    match text.strip_prefix('\u{feff}') {
        Some(rest) => Ok((rest.to_string(), true)),
        None => Ok((text, false)),
    }
}

/// Check one Dockerfile on disk.
pub fn process_file(path: &Path, options: &Options, cache: &ContextCache) -> FileReport {
    match read_dockerfile(path) {
        Ok((source, bom)) => process_source(path, source, bom, options, cache),
        Err(e) => {
            let mut report = FileReport::new(path, String::new(), false);
            report.error = Some(e);
            report
        }
    }
}

impl FileReport {
    fn new(path: &Path, source: String, bom: bool) -> FileReport {
        FileReport {
            path: path.to_path_buf(),
            shown: display_path(path),
            source,
            bom,
            diagnostics: Vec::new(),
            fixed: None,
            remaining: Vec::new(),
            error: None,
            warnings: Vec::new(),
            context_root: None,
            unsafe_fixes: false,
        }
    }
}

/// Check Dockerfile text that lives (or would live) at `path`: its config and contexts follow
/// from that path, so text from stdin is checked like the file.
pub fn process_source(
    path: &Path,
    source: String,
    bom: bool,
    options: &Options,
    cache: &ContextCache,
) -> FileReport {
    let mut report = FileReport::new(path, source, bom);
    let effective = match cache.config_for(path) {
        Ok(cfg) => Effective::merge(cfg.as_ref(), &options.overrides),
        Err(_) => {
            report.error = Some("not checked: its config file is invalid (see above)".into());
            return report;
        }
    };
    report.unsafe_fixes = effective.unsafe_fixes;
    // Parsed once, whatever number of contexts it is checked in.
    let tree = crate::syntax::parse_tree(&report.source);
    let mut contexts: Vec<Option<Context>> = Vec::new();
    for c in cache.prepare_contexts(
        path,
        &report.source,
        Some(&tree),
        options.context.as_deref(),
        options.target.as_deref(),
    ) {
        match c {
            Ok(ctx) => {
                report.warnings.extend(module_errors(&ctx));
                contexts.push(Some(ctx));
            }
            Err(e) => report.warnings.push(format!("build context unknown: {e}")),
        }
    }
    if contexts.is_empty() {
        contexts.push(None);
    }
    let results: Vec<(Option<Context>, Settings, super::Linted)> = contexts
        .into_iter()
        .map(|ctx| {
            let mut settings = effective.settings();
            settings.target = ctx
                .as_ref()
                .and_then(|c| c.target.clone())
                .or(options.target.clone());
            let tree = Some(tree.clone());
            let linted = if options.fixes == Fixes::None {
                super::check_only_parsed(&report.source, tree, ctx.as_ref(), &settings)
            } else {
                super::lint_parsed(
                    &report.source,
                    tree,
                    ctx.as_ref(),
                    &settings,
                    effective.unsafe_fixes,
                )
            };
            (ctx, settings, linted)
        })
        .collect();
    if let Some(Err(e)) = results
        .iter()
        .map(|(_, _, l)| &l.fixed)
        .find(|f| f.is_err())
    {
        report.error = Some(e.to_string());
        return report;
    }
    let outcomes: Vec<&FixOutcome> = results
        .iter()
        .filter_map(|(_, _, l)| l.fixed.as_ref().ok())
        .collect();
    let agree = outcomes
        .windows(2)
        .all(|w| w[0].output == w[1].output && w[0].side_files == w[1].side_files);
    report.diagnostics = merge_diagnostics(&results, agree);
    let ctx = &results[0].0;
    report.context_root = ctx.as_ref().map(|c| c.tree.root.clone());
    let outcome = if agree {
        outcomes[0].clone()
    } else {
        let names: Vec<String> = results
            .iter()
            .filter_map(|(c, _, _)| c.as_ref().map(|c| c.origin.to_string()))
            .collect();
        let common = common_fixes(&report.source, &results, effective.unsafe_fixes);
        report.warnings.push(format!(
            "fixes differ between its build contexts ({}); {}",
            names.join(", "),
            if common.output == report.source {
                "none applied"
            } else {
                "only those they all agree on applied"
            }
        ));
        common
    };
    // What stands once the fixes are written: the fix loop's last check, of the fixed text in
    // the context as the fixes left it (an edited .dockerignore included). Without writing
    // nothing is changed and `diagnostics` stands.
    report.remaining = if options.fixes == Fixes::Apply {
        outcome.diagnostics.clone()
    } else {
        Vec::new()
    };
    report.fixed = Some(outcome);
    report
}

/// Parse errors of the go.mod files that govern a Dockerfile (its folder and those above it).
fn module_errors(ctx: &Context) -> Vec<String> {
    let df_dir = ctx.dockerfile_dir().unwrap_or("");
    ctx.tree
        .modules
        .iter()
        .filter(|(dir, _)| {
            dir.is_empty() || df_dir == dir.as_str() || df_dir.starts_with(&format!("{dir}/"))
        })
        .filter_map(|(_, m)| m.as_ref().err())
        .map(|e| format!("go.mod unreadable, rules that need it are skipped: {e}"))
        .collect()
}

/// One list of diagnostics for a Dockerfile checked in several contexts: a finding that only
/// some contexts have says which; fixes stay only when every context's fixes agree.
fn merge_diagnostics(
    results: &[(Option<Context>, Settings, super::Linted)],
    agree: bool,
) -> Vec<Diagnostic> {
    if results.len() == 1 {
        return results[0].2.diagnostics.clone();
    }
    let key = |d: &Diagnostic| (d.code, d.range.start, d.message.clone());
    let mut out: Vec<Diagnostic> = Vec::new();
    // Keys of the findings already taken (their messages may have got an "only in" note).
    let mut seen = Vec::new();
    for (_, _, linted) in results {
        for d in &linted.diagnostics {
            if seen.contains(&key(d)) {
                continue;
            }
            seen.push(key(d));
            let holders: Vec<String> = results
                .iter()
                .filter(|(_, _, l)| l.diagnostics.iter().any(|x| key(x) == key(d)))
                .filter_map(|(c, _, _)| c.as_ref().map(|c| c.origin.to_string()))
                .collect();
            let mut d = d.clone();
            if holders.len() < results.len() {
                d.message = format!("{} (only in context {})", d.message, holders.join(", "));
            }
            // A fix stays when every context has this finding with this very fix.
            if !agree && !same_fix_everywhere(results, &d) {
                d.fix = None;
            }
            out.push(d);
        }
    }
    out.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(a.code.cmp(b.code)));
    out
}

/// Whether every context reports this finding with the same fix, editing the Dockerfile only.
fn same_fix_everywhere(
    results: &[(Option<Context>, Settings, super::Linted)],
    d: &Diagnostic,
) -> bool {
    let Some(fix) = &d.fix else { return false };
    fix.edits.iter().all(|e| e.file.is_none())
        && results.iter().all(|(_, _, l)| {
            l.diagnostics
                .iter()
                .any(|x| x.code == d.code && x.range == d.range && x.fix.as_ref() == Some(fix))
        })
}

/// For a Dockerfile whose contexts want different fixes: the fixes every context agrees on
/// (same finding, same edits, in the Dockerfile only), applied until nothing changes. A
/// context that differs does not block what the others all want, and nothing one context
/// alone asks for is applied.
fn common_fixes(
    source: &str,
    results: &[(Option<Context>, Settings, super::Linted)],
    unsafe_fixes: bool,
) -> FixOutcome {
    let parse = |text: &str, ctx: Option<&Context>, settings: &Settings| {
        crate::syntax::Dockerfile::parse_with(text, &super::parse_options(ctx, settings))
    };
    // The first context's diagnostics of the text last checked: those of the fixed text.
    let mut last_first = Vec::new();
    let check = |df: &crate::syntax::Dockerfile, _: &std::collections::BTreeMap<String, String>| {
        let mut per_context: Vec<Vec<Diagnostic>> = results
            .iter()
            .map(|(ctx, settings, _)| {
                let parsed = parse(&df.source, ctx.as_ref(), settings);
                crate::rules::check(&parsed, ctx.as_ref(), settings)
            })
            .collect();
        let first = per_context.remove(0);
        let agreed = first
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| f.edits.iter().all(|e| e.file.is_none()))
                    && per_context.iter().all(|other| {
                        other
                            .iter()
                            .any(|x| x.code == d.code && x.range == d.range && x.fix == d.fix)
                    })
            })
            .cloned()
            .collect();
        last_first = first;
        agreed
    };
    let (ctx0, settings0, linted0) = &results[0];
    match crate::fix::fix_until_stable(
        source,
        unsafe_fixes,
        check,
        |text, _| parse(text, ctx0.as_ref(), settings0),
        |_| String::new(),
    ) {
        Ok(outcome) => FixOutcome {
            diagnostics: last_first,
            ..outcome
        },
        Err(_) => FixOutcome {
            output: source.to_string(),
            diagnostics: linted0.diagnostics.clone(),
            ..Default::default()
        },
    }
}
