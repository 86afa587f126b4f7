//! The check command line: its flags ([`args`]) become the engine's [`Options`], every
//! Dockerfile found is checked and finished on the walker's threads ([`output`]), then the
//! context files are written, the summary and the machine formats printed, and the exit code
//! chosen. [`info`] holds the informational subcommands (`explain`, `rules`, `config`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::engine::{
    ContextCache, FileReport, Fixes, MAX_FILE_BYTES, Options, Overrides, decode, discover,
    discover_with, display_path, merge_side_files, process_file, process_source,
    write_context_file,
};
use crate::render;
use crate::render::text::Style;

/// Exit codes, as ruff and hadolint use them.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub mod args;
pub mod info;
mod output;

pub use args::{
    CheckArgs, Cli, ColorChoice, Command, DiagnoseArgs, ForgeArg, OutputFormat, PrArgs, RulesFormat,
};
use output::FileOutput;
pub use output::rule_infos;

impl CheckArgs {
    /// What the engine is asked: the flags that choose rules, fixes, context and stage.
    pub fn options(&self) -> Options {
        Options {
            overrides: Overrides {
                select: self.select.clone(),
                extend_select: self.extend_select.clone(),
                ignore: self.ignore.clone(),
                unsafe_fixes: self.unsafe_fixes,
                hardening: self.hardening,
            },
            context: self.context.clone(),
            target: self.target.clone(),
            fixes: if self.write {
                Fixes::Apply
            } else {
                Fixes::Compute
            },
        }
    }
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

/// Check (and maybe fix) every Dockerfile under the paths; print; return the exit code.
pub fn run_check(args: &CheckArgs) -> u8 {
    let style = Style {
        color: use_color(args.color),
    };
    let cache = ContextCache::new(args.config.clone());
    let options = args.options();
    let stdin_mode = args.paths.len() == 1 && args.paths[0].as_os_str() == "-";
    if args.show_contexts {
        let (files, walk_errors) = discover(&args.paths, &args.include);
        for e in &walk_errors {
            eprintln!("gomodfix: {e}");
        }
        return show_contexts(&files, args, &cache);
    }
    let text_format = matches!(
        args.output_format,
        OutputFormat::Full | OutputFormat::Concise
    );
    // Each file is finished (rendered, written) on the thread that checked it, so that only its
    // output, not its texts, is kept until the end.
    let finish = |r: FileReport| {
        let mut o = output::finish(r, args, style, stdin_mode, text_format);
        // Kept until the walk ends: without the slack a growing string leaves.
        o.stdout.shrink_to_fit();
        o
    };
    let (outputs, walk_errors): (Vec<FileOutput>, Vec<String>) = if stdin_mode {
        (vec![finish(read_stdin(args, &options, &cache))], Vec::new())
    } else {
        let (found, errors) = discover_with(&args.paths, &args.include, |p| {
            finish(process_file(p, &options, &cache))
        });
        (found.into_iter().map(|(_, o)| o).collect(), errors)
    };
    let (side_files, side_errors) =
        merge_side_files(outputs.iter().flat_map(|o| o.side_files.iter().cloned()));

    let mut stderr = String::new();
    let mut had_error = !walk_errors.is_empty();
    for e in &walk_errors {
        stderr.push_str(&format!("gomodfix: {e}\n"));
    }
    for e in cache
        .config_errors()
        .into_iter()
        .chain(cache.build_file_errors())
        .chain(side_errors)
    {
        had_error = true;
        stderr.push_str(&format!("gomodfix: {e}\n"));
    }
    let mut n = Counts::default();
    for o in &outputs {
        had_error |= o.had_error;
        n.add(&o.counts);
    }

    // Context files the fixes edit (.dockerignore), merged across Dockerfiles, each once.
    let mut side_out = String::new();
    for (path, (old, new)) in &side_files {
        let diff = render::diff::unified(&display_path(path), old, new);
        if args.diff {
            n.changed_files += 1;
            side_out.push_str(&diff);
        } else if args.write {
            match write_context_file(path, old, new) {
                Ok(()) => n.fixed_files += 1,
                Err(e) => {
                    had_error = true;
                    stderr.push_str(&format!("gomodfix: {}: {e}\n", display_path(path)));
                }
            }
        } else if text_format {
            side_out.push_str(&if style.color {
                render::diff::colorize(&diff)
            } else {
                diff
            });
        }
    }

    let mut summary = n.summary(args, outputs.len());
    let failed = outputs.iter().filter(|o| o.had_error).count();
    if had_error && n.found == 0 && !args.diff && !args.write {
        // Never "All checks passed" when something could not be checked.
        summary = format!(
            "No problems found in the Dockerfiles that could be checked; {} could not be (see the errors above).",
            if failed > 0 {
                format!("{failed} Dockerfile(s)")
            } else {
                "some files".to_string()
            }
        );
    }
    // The machine formats need every file's text and diagnostics at once.
    let machine = (!text_format && !args.diff).then(|| {
        let files: Vec<render::FileResult> = outputs
            .iter()
            .map(|o| {
                let m = o.machine.as_ref();
                render::FileResult {
                    path: &o.shown,
                    source: m.map_or("", |m| m.source.as_str()),
                    diagnostics: m.map_or(&[][..], |m| m.diagnostics.as_slice()),
                    error: m.and_then(|m| m.error.as_deref()),
                }
            })
            .collect();
        match args.output_format {
            OutputFormat::Json => render::json::render(&files),
            OutputFormat::Sarif => render::sarif::render(&files, &output::rule_infos()),
            OutputFormat::Github => render::github::render(&files),
            _ => render::checkstyle::render(&files),
        }
    });
    {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let mut err = std::io::BufWriter::new(std::io::stderr().lock());
        let _ = err.write_all(stderr.as_bytes());
        for o in &outputs {
            let _ = out.write_all(o.stdout.as_bytes());
            let _ = err.write_all(o.stderr.as_bytes());
        }
        let _ = out.write_all(side_out.as_bytes());
        let (tail_out, tail_err) = match machine {
            Some(rendered) if args.write && stdin_mode => (String::new(), rendered),
            Some(rendered) => (rendered, String::new()),
            None if args.diff || (args.write && stdin_mode) => {
                (String::new(), format!("{summary}\n"))
            }
            None => (format!("{summary}\n"), String::new()),
        };
        let _ = out.write_all(tail_out.as_bytes());
        let _ = err.write_all(tail_err.as_bytes());
    }

    if had_error {
        EXIT_ERROR
    } else if (args.diff && n.changed_files > 0)
        || (args.write && n.remaining > 0)
        || (!args.diff && !args.write && n.found > 0)
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// Tallies for the summary line.
#[derive(Default)]
pub struct Counts {
    found: usize,
    fixable: usize,
    unsafe_only: usize,
    fixed_count: usize,
    fixed_files: usize,
    remaining: usize,
    changed_files: usize,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.found += o.found;
        self.fixable += o.fixable;
        self.unsafe_only += o.unsafe_only;
        self.fixed_count += o.fixed_count;
        self.fixed_files += o.fixed_files;
        self.remaining += o.remaining;
        self.changed_files += o.changed_files;
    }

    fn summary(&self, args: &CheckArgs, files: usize) -> String {
        if args.diff {
            return format!(
                "Would fix {} file(s) ({} fixable problem(s)).",
                self.changed_files, self.fixable
            );
        }
        if args.write {
            return format!(
                "Fixed {} problem(s) in {} file(s); {} remaining.",
                self.fixed_count, self.fixed_files, self.remaining
            );
        }
        if self.found == 0 {
            return format!("All checks passed ({files} Dockerfile(s)).");
        }
        let mut s = format!("Found {} problem(s) in {files} Dockerfile(s)", self.found);
        if self.fixable > 0 {
            s.push_str(&format!("; {} fixable with `--write`", self.fixable));
        }
        if self.unsafe_only > 0 {
            s.push_str(&format!(
                "; {} more with `--write --unsafe-fixes`",
                self.unsafe_only
            ));
        }
        s.push('.');
        s
    }
}

/// `gomodfix -`: the Dockerfile comes from stdin; `--stdin-filename` says where it lives.
fn read_stdin(args: &CheckArgs, options: &Options, cache: &ContextCache) -> FileReport {
    use std::io::Read;
    let path = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("Dockerfile"));
    let mut bytes = Vec::new();
    let read = std::io::stdin()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())
        .and_then(|_| {
            if bytes.len() as u64 > MAX_FILE_BYTES {
                Err(format!(
                    "input is larger than the {MAX_FILE_BYTES} byte limit"
                ))
            } else {
                decode(bytes)
            }
        });
    match read {
        Ok((source, bom)) => process_source(&path, source, bom, options, cache),
        Err(e) => {
            let mut r = process_source(&path, String::new(), false, options, cache);
            r.error = Some(e);
            r
        }
    }
}

/// `--show-contexts`: one line per Dockerfile and context.
fn show_contexts(files: &[PathBuf], args: &CheckArgs, cache: &ContextCache) -> u8 {
    let mut code = EXIT_CLEAN;
    for f in files {
        // The contexts as a check uses them: with the one inferred from the Dockerfile's COPY
        // sources where nothing names a context (an unreadable file shows the plain ones).
        let contexts = match std::fs::read_to_string(f) {
            Ok(source) => cache.prepare_contexts(
                f,
                &source,
                None,
                args.context.as_deref(),
                args.target.as_deref(),
            ),
            Err(_) => cache.contexts_for(f, args.context.as_deref(), args.target.as_deref()),
        };
        for c in contexts {
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
                        match &ctx.platforms_from {
                            Some(from) if *from != ctx.origin.to_string() => {
                                line.push_str(&format!(" from {from}"));
                            }
                            _ => {}
                        }
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
