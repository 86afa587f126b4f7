//! Finishing one checked file: its text output, its write, its tallies. Runs on the thread that
//! checked the file, so a run keeps each file's output rather than its texts.

use super::{CheckArgs, Counts, with_bom};
use crate::engine::{FileReport, side_proposals, write_atomic};
use crate::render;
use crate::render::text::{Style, diagnostic_line};
use crate::rules::{self, Diagnostic};
use std::path::PathBuf;

/// What a run keeps of one file until it prints.
pub struct FileOutput {
    pub shown: String,
    pub stdout: String,
    pub stderr: String,
    pub counts: Counts,
    pub had_error: bool,
    /// Context files its fixes edit: (path, old text, new text), merged across files later.
    pub side_files: Vec<(PathBuf, String, String)>,
    /// For the machine formats: the text and the diagnostics that stand.
    pub machine: Option<MachineResult>,
}

pub struct MachineResult {
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
    pub error: Option<String>,
}

/// Render (and with `--write`, write) one file's result.
pub fn finish(
    r: FileReport,
    args: &CheckArgs,
    style: Style,
    stdin_mode: bool,
    text_format: bool,
) -> FileOutput {
    let machine_format = !text_format && !args.diff;
    let mut o = FileOutput {
        shown: r.shown.clone(),
        stdout: String::new(),
        stderr: String::new(),
        counts: Counts::default(),
        had_error: false,
        side_files: side_proposals(&r),
        machine: None,
    };
    if let Some(e) = &r.error {
        o.had_error = true;
        o.stderr.push_str(&format!("gomodfix: {}: {e}\n", r.shown));
        if machine_format {
            o.machine = Some(MachineResult {
                source: r.source,
                diagnostics: Vec::new(),
                error: r.error,
            });
        }
        return o;
    }
    for w in &r.warnings {
        o.stderr.push_str(&format!("gomodfix: {}: {w}\n", r.shown));
    }
    let Some(outcome) = &r.fixed else {
        return o;
    };
    let show = |d: &Diagnostic, source: &str| match args.output_format {
        super::OutputFormat::Full => render::text::diagnostic_full(style, &r.shown, source, d),
        _ => diagnostic_line(style, &r.shown, source, d),
    };
    for d in &outcome.discarded {
        o.stderr.push_str(&format!(
            "gomodfix: {}: fix {} ({}) discarded: {}\n",
            r.shown, d.code, d.title, d.reason
        ));
    }
    let changed = outcome.output != r.source;
    let n = &mut o.counts;
    n.found += r.diagnostics.len();
    let allowed = |d: &&Diagnostic| {
        d.fix
            .as_ref()
            .is_some_and(|f| rules::fix_allowed(f, r.unsafe_fixes))
    };
    n.fixable += r.diagnostics.iter().filter(allowed).count();
    n.unsafe_only += r
        .diagnostics
        .iter()
        .filter(|d| d.fix.is_some() && !allowed(d))
        .count();
    // Fixes that only appear once earlier fixes are in (GM003 mounting the `go mod download`
    // GM001 inserts): listed, so the patch holds no edit the report did not announce.
    let follow_ups = follow_up_fixes(outcome, &r.diagnostics);
    let follow_up_note = (!follow_ups.is_empty() && changed).then(|| {
        let mut note = format!(
            "{}: the fixes also make {} change(s) that only arise once the others are in:\n",
            r.shown,
            follow_ups.len()
        );
        for a in &follow_ups {
            note.push_str(&format!("  {} {}\n", a.code, a.title));
        }
        note
    });
    if args.diff {
        if let Some(note) = &follow_up_note {
            o.stderr.push_str(note);
        }
        if changed {
            n.changed_files += 1;
            o.stdout
                .push_str(&render::diff::unified(&r.shown, &r.source, &outcome.output));
        }
        return o;
    }
    if args.write {
        let mut standing = (outcome.output.clone(), r.remaining.clone());
        if stdin_mode {
            o.stdout.push_str(&with_bom(r.bom, &outcome.output));
            n.fixed_count += outcome.applied.len();
        } else if changed {
            let old = with_bom(r.bom, &r.source);
            let new = with_bom(r.bom, &outcome.output);
            match write_atomic(&r.path, old.as_bytes(), new.as_bytes()) {
                Ok(()) => {
                    n.fixed_count += outcome.applied.len();
                    n.fixed_files += 1;
                }
                Err(e) => {
                    o.had_error = true;
                    o.stderr.push_str(&format!("gomodfix: {}: {e}\n", r.shown));
                    standing = (r.source.clone(), r.diagnostics.clone());
                }
            }
        } else if !outcome.side_files.is_empty() {
            // Only context files change (.dockerignore); the caller writes them and counts the
            // files, the fixes are counted here.
            n.fixed_count += outcome.applied.len();
        }
        n.remaining += standing.1.len();
        if text_format {
            let sink = if stdin_mode {
                &mut o.stderr
            } else {
                &mut o.stdout
            };
            for d in &standing.1 {
                sink.push_str(&show(d, &standing.0));
            }
        } else {
            o.machine = Some(MachineResult {
                source: standing.0,
                diagnostics: standing.1,
                error: None,
            });
        }
        return o;
    }
    if text_format {
        for d in &r.diagnostics {
            o.stdout.push_str(&show(d, &r.source));
        }
        if let Some(note) = &follow_up_note {
            o.stdout.push_str(note);
        }
        if changed {
            let diff = render::diff::unified(&r.shown, &r.source, &outcome.output);
            o.stdout.push_str(&if style.color {
                render::diff::colorize(&diff)
            } else {
                diff
            });
        }
    } else {
        o.machine = Some(MachineResult {
            source: r.source,
            diagnostics: r.diagnostics,
            error: None,
        });
    }
    o
}

/// The applied fixes that no diagnostic of the first check offered: what a later pass of the
/// fix loop found once the earlier fixes were in.
fn follow_up_fixes<'a>(
    outcome: &'a crate::fix::FixOutcome,
    diagnostics: &[Diagnostic],
) -> Vec<&'a crate::fix::Applied> {
    let mut offered: Vec<(&str, &str)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d.code, f.title.as_str())))
        .collect();
    let mut out = Vec::new();
    for a in &outcome.applied {
        match offered
            .iter()
            .position(|(c, t)| *c == a.code && *t == a.title)
        {
            Some(i) => {
                offered.swap_remove(i);
            }
            None => out.push(a),
        }
    }
    out
}

/// Every rule as the machine formats list them (SARIF's rule list), in the registry's order.
pub fn rule_infos() -> Vec<render::RuleInfo<'static>> {
    rules::registry()
        .iter()
        .map(|r| {
            let m = r.meta();
            render::RuleInfo {
                code: m.code,
                name: m.name,
                summary: m.summary,
                doc: m.doc,
                severity: m.severity,
            }
        })
        .collect()
}
