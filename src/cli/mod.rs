//! The command line: argument parsing, the repository walk, per-file processing, output and
//! exit codes.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::render;
use crate::render::text::Style;
use crate::rules;

/// Exit codes, as ruff and hadolint use them.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

mod contexts;
mod output;
mod process;
mod walk;
mod write;

pub use contexts::{ContextCache, OnceMap};
use output::FileOutput;
use process::process;
pub use process::process as process_file;
pub use process::{FileReport, decode, process_source, read_dockerfile};
pub use walk::{discover, discover_with, display_path, is_dockerfile_name};
use write::write_context_file;
pub use write::{merge_side_files, side_proposals, write_atomic};

#[derive(Debug, Parser)]
#[command(
    name = "gomodfix",
    version = crate::project::LONG_VERSION,
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
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        output_format: RulesFormat,
    },
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
    /// Fix the checkout and open or update one pull request with the fixes (GitHub).
    Pr(crate::bot::PrArgs),
    /// Read a failed build's log, find the failing step and show the finding that explains it.
    Diagnose(crate::diagnose::DiagnoseArgs),
    /// Show the configuration in force for a folder or Dockerfile (default: the current folder).
    Config {
        /// Print the merged configuration.
        #[arg(long)]
        show: bool,
        /// A config file to use instead of the nearest `.gomodfix.yaml`.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        path: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Each finding with its source line underlined, then the diff of the fixes.
    Full,
    /// One line per finding, then the diff of the fixes.
    Concise,
    /// The versioned JSON schema of the README, fixes included as edits.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…`).
    Github,
    /// Checkstyle XML.
    Checkstyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Text,
    Json,
}

impl CheckArgs {
    /// The command-line part of the settings merge.
    pub fn overrides(&self) -> crate::config::CliOverrides {
        crate::config::CliOverrides {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            unsafe_fixes: self.unsafe_fixes,
            hardening: self.hardening,
            target: self.target.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, clap::Args)]
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
    /// Hardening profile: also ask for `GO111MODULE=on` in every module stage and `GOENV=off`
    /// in every final image, where they change nothing today.
    #[arg(long)]
    pub hardening: bool,
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
    /// Rule codes or prefixes to run, comma-separated (`ALL` for all); replaces the config's
    /// `select`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Option<Vec<String>>,
    /// Codes or prefixes to run in addition to those selected.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub extend_select: Vec<String>,
    /// Codes or prefixes never to run (added to the config's `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Use this config file for every Dockerfile instead of the nearest `.gomodfix.yaml`.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// How to print findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,
    /// With `-` as path: where the Dockerfile read from stdin lives (for its context and config).
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,
    /// Only diagnostics, no fixes computed (the language server asks for fixes on demand).
    #[arg(skip)]
    pub diagnostics_only: bool,
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
        Some(Command::Rules {
            output_format: RulesFormat::Json,
        }) => {
            let list: Vec<&rules::RuleMeta> = rules::registry().iter().map(|r| r.meta()).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("serialisable")
            );
            ExitCode::from(EXIT_CLEAN)
        }
        Some(Command::Pr(pr)) => ExitCode::from(crate::bot::run(&pr)),
        Some(Command::Diagnose(d)) => ExitCode::from(crate::diagnose::run(&d)),
        Some(Command::Lsp) => match crate::lsp::run() {
            Ok(()) => ExitCode::from(EXIT_CLEAN),
            Err(e) => {
                eprintln!("gomodfix lsp: {e}");
                ExitCode::from(EXIT_ERROR)
            }
        },
        Some(Command::Config {
            show: _,
            config,
            path,
        }) => show_config(config, path),
        Some(Command::Rules { .. }) => {
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
    let cache = ContextCache::new(args.config.clone());
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
        (vec![finish(read_stdin(args, &cache))], Vec::new())
    } else {
        let (found, errors) = discover_with(&args.paths, &args.include, |p| {
            finish(process(p, args, &cache))
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
            OutputFormat::Sarif => render::sarif::render(&files),
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
fn read_stdin(args: &CheckArgs, cache: &ContextCache) -> FileReport {
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
        Ok((source, bom)) => process::process_source(&path, source, bom, args, cache),
        Err(e) => {
            let mut r = process::process_source(&path, String::new(), false, args, cache);
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

/// `gomodfix config --show`: the merged settings for a folder or Dockerfile, as YAML-ish JSON.
fn show_config(config: Option<PathBuf>, path: Option<PathBuf>) -> ExitCode {
    let target = path.unwrap_or_else(|| PathBuf::from("."));
    let probe = if target.is_dir() {
        target.join("Dockerfile")
    } else {
        target.clone()
    };
    let cache = ContextCache::new(config);
    let dir = probe
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let lookup = if probe.exists() {
        probe.clone()
    } else {
        dir.canonicalize().unwrap_or(dir).join("Dockerfile")
    };
    match cache.config_for(&lookup) {
        Ok(cfg) => {
            let eff = crate::config::Effective::merge(cfg.as_ref(), &Default::default());
            println!(
                "{}",
                serde_json::to_string_pretty(&eff).expect("serialisable")
            );
            ExitCode::from(EXIT_CLEAN)
        }
        Err(e) => {
            eprintln!("gomodfix: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
