//! The command line: argument parsing, the repository walk, per-file processing, output and
//! exit codes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::render;
use crate::render::text::{Style, diagnostic_line};
use crate::rules;

/// Exit codes, as ruff and hadolint use them.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

mod contexts;
mod process;
mod walk;
mod write;

pub use contexts::{ContextCache, OnceMap};
use process::process;
pub use process::{FileReport, decode, read_dockerfile};
pub use walk::{discover, display_path, is_dockerfile_name};
use write::write_context_file;
pub use write::{merge_side_files, write_atomic};

#[derive(Debug, Parser)]
#[command(
    name = "gomodfix",
    version,
    about = "Find and fix the Dockerfile mistakes that break Go builds",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a rule's documentation (what, why, example, fix safety).
    Explain {
        /// Rule code (GM003) or name (go-cache-mounts).
        code: String,
    },
    /// List every rule.
    Rules,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (directories are walked, honouring .gitignore).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Print only the patch of the fixes (unified diff), nothing else on stdout.
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Apply the fixes to the files.
    #[arg(long)]
    pub write: bool,
    /// Also apply fixes marked unsafe.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Build context directory for every Dockerfile (default: each Dockerfile's folder).
    #[arg(long, value_name = "DIR")]
    pub context: Option<PathBuf>,
    /// The stage that is built (`docker build --target`); default: the last stage.
    #[arg(long)]
    pub target: Option<String>,
    /// Also treat files matching this glob as Dockerfiles (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Print each Dockerfile's build context(s) and where they were found, then exit.
    #[arg(long)]
    pub show_contexts: bool,
    /// When to colour output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn with_bom(bom: bool, text: &str) -> String {
    if bom {
        format!("\u{feff}{text}")
    } else {
        text.to_string()
    }
}

/// Run the CLI; returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Some(Command::Explain { code }) => explain(&code),
        Some(Command::Rules) => {
            for r in rules::registry() {
                let m = r.meta();
                println!(
                    "{}  {:<32} {:<7} {}",
                    m.code,
                    m.name,
                    fix_label(m.fix),
                    m.summary
                );
            }
            ExitCode::from(EXIT_CLEAN)
        }
        None => ExitCode::from(run_check(&cli.check)),
    }
}

fn fix_label(f: rules::FixAvailability) -> &'static str {
    match f {
        rules::FixAvailability::None => "none",
        rules::FixAvailability::Safe => "safe",
        rules::FixAvailability::Unsafe => "unsafe",
        rules::FixAvailability::Mixed => "mixed",
    }
}

fn explain(code: &str) -> ExitCode {
    match rules::find(code) {
        Some(r) => {
            let m = r.meta();
            println!(
                "# {} {}\n\n{}\n\nFix: {}. Default severity: {}.\n\n{}",
                m.code,
                m.name,
                m.summary,
                fix_label(m.fix),
                m.severity,
                m.doc
            );
            ExitCode::from(EXIT_CLEAN)
        }
        None => {
            eprintln!("gomodfix: unknown rule `{code}` (see `gomodfix rules`)");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Check (and maybe fix) every Dockerfile under the paths; print; return the exit code.
pub fn run_check(args: &CheckArgs) -> u8 {
    let style = Style {
        color: use_color(args.color),
    };
    let (files, walk_errors) = discover(&args.paths, &args.include);
    let cache = ContextCache::default();
    if args.show_contexts {
        return show_contexts(&files, args, &cache);
    }
    let reports: Vec<FileReport> = files.par_iter().map(|p| process(p, args, &cache)).collect();
    let (side_files, side_errors) = merge_side_files(&reports);

    let mut stdout = String::new();
    let mut stderr = String::new();
    let mut had_error = !walk_errors.is_empty();
    for e in &walk_errors {
        stderr.push_str(&format!("gomodfix: {e}\n"));
    }
    for e in cache.build_file_errors().into_iter().chain(side_errors) {
        had_error = true;
        stderr.push_str(&format!("gomodfix: {e}\n"));
    }
    let (
        mut found,
        mut fixable,
        mut unsafe_only,
        mut fixed_count,
        mut fixed_files,
        mut remaining,
        mut changed_files,
    ) = (0usize, 0usize, 0usize, 0usize, 0usize, 0usize, 0usize);
    for r in &reports {
        if let Some(e) = &r.error {
            had_error = true;
            stderr.push_str(&format!("gomodfix: {}: {e}\n", r.shown));
            continue;
        }
        for w in &r.warnings {
            stderr.push_str(&format!("gomodfix: {}: {w}\n", r.shown));
        }
        let Some(outcome) = &r.fixed else { continue };
        for d in &outcome.discarded {
            stderr.push_str(&format!(
                "gomodfix: {}: fix {} ({}) discarded: {}\n",
                r.shown, d.code, d.title, d.reason
            ));
        }
        let changed = outcome.output != r.source;
        found += r.diagnostics.len();
        fixable += r
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| rules::fix_allowed(f, args.unsafe_fixes))
            })
            .count();
        unsafe_only += r
            .diagnostics
            .iter()
            .filter(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| !rules::fix_allowed(f, args.unsafe_fixes))
            })
            .count();
        let diff = render::diff::unified(&r.shown, &r.source, &outcome.output);
        if args.diff {
            if changed {
                changed_files += 1;
                stdout.push_str(&diff);
            }
            continue;
        }
        if args.write {
            if changed {
                let old = with_bom(r.bom, &r.source);
                let new = with_bom(r.bom, &outcome.output);
                match write_atomic(&r.path, old.as_bytes(), new.as_bytes()) {
                    Ok(()) => {
                        fixed_count += outcome.applied.len();
                        fixed_files += 1;
                    }
                    Err(e) => {
                        had_error = true;
                        stderr.push_str(&format!("gomodfix: {}: {e}\n", r.shown));
                        for d in &r.diagnostics {
                            stdout.push_str(&diagnostic_line(style, &r.shown, &r.source, d));
                        }
                        remaining += r.diagnostics.len();
                        continue;
                    }
                }
            }
            for d in &r.remaining {
                stdout.push_str(&diagnostic_line(style, &r.shown, &outcome.output, d));
            }
            remaining += r.remaining.len();
            continue;
        }
        for d in &r.diagnostics {
            stdout.push_str(&diagnostic_line(style, &r.shown, &r.source, d));
        }
        if changed {
            stdout.push_str(&if style.color {
                render::diff::colorize(&diff)
            } else {
                diff
            });
        }
    }

    // Context files the fixes edit (.dockerignore), merged across Dockerfiles, each once.
    for (path, (old, new)) in &side_files {
        let diff = render::diff::unified(&display_path(path), old, new);
        if args.diff {
            changed_files += 1;
            stdout.push_str(&diff);
        } else if args.write {
            match write_context_file(path, old, new) {
                Ok(()) => fixed_files += 1,
                Err(e) => {
                    had_error = true;
                    stderr.push_str(&format!("gomodfix: {}: {e}\n", display_path(path)));
                }
            }
        } else {
            stdout.push_str(&if style.color {
                render::diff::colorize(&diff)
            } else {
                diff
            });
        }
    }

    let summary = if args.diff {
        format!(
            "Would fix {} file(s) ({} fixable problem(s)).",
            changed_files, fixable
        )
    } else if args.write {
        format!("Fixed {fixed_count} problem(s) in {fixed_files} file(s); {remaining} remaining.")
    } else if found == 0 {
        format!("All checks passed ({} Dockerfile(s)).", reports.len())
    } else {
        let mut s = format!(
            "Found {found} problem(s) in {} Dockerfile(s)",
            reports.len()
        );
        if fixable > 0 {
            s.push_str(&format!("; {fixable} fixable with `--write`"));
        }
        if unsafe_only > 0 && !args.unsafe_fixes {
            s.push_str(&format!(
                "; {unsafe_only} more with `--write --unsafe-fixes`"
            ));
        }
        s.push('.');
        s
    };
    if args.diff {
        stderr.push_str(&summary);
        stderr.push('\n');
    } else {
        stdout.push_str(&summary);
        stdout.push('\n');
    }
    let _ = std::io::stdout().write_all(stdout.as_bytes());
    let _ = std::io::stderr().write_all(stderr.as_bytes());

    if had_error {
        EXIT_ERROR
    } else if (args.diff && changed_files > 0)
        || (args.write && remaining > 0)
        || (!args.diff && !args.write && found > 0)
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// `--show-contexts`: one line per Dockerfile and context.
fn show_contexts(files: &[PathBuf], args: &CheckArgs, cache: &ContextCache) -> u8 {
    let mut code = EXIT_CLEAN;
    for f in files {
        for c in cache.contexts_for(f, args.context.as_deref(), args.target.as_deref()) {
            match c {
                Ok(ctx) => {
                    let mut line = format!(
                        "{}: context {} from {}",
                        display_path(f),
                        display_path(&ctx.tree.root),
                        ctx.origin
                    );
                    if let Some(t) = &ctx.target {
                        line.push_str(&format!(", target {t}"));
                    }
                    if !ctx.build_args.is_empty() {
                        let a: Vec<String> = ctx
                            .build_args
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect();
                        line.push_str(&format!(", args {}", a.join(" ")));
                    }
                    if !ctx.platforms.is_empty() {
                        line.push_str(&format!(", platforms {}", ctx.platforms.join(",")));
                    }
                    println!("{line}");
                }
                Err(e) => {
                    code = EXIT_ERROR;
                    eprintln!("gomodfix: {}: {e}", display_path(f));
                }
            }
        }
    }
    for e in cache.build_file_errors() {
        code = EXIT_ERROR;
        eprintln!("gomodfix: {e}");
    }
    code
}
