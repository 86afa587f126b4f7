//! The command line: argument parsing, the repository walk, per-file processing, output and
//! exit codes.

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, OnceLock};

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::context::discovery::{self, BuildSpec};
use crate::context::{self, Context, ContextTree, Origin};
use crate::fix::FixOutcome;
use crate::render;
use crate::render::text::{Style, diagnostic_line};
use crate::rules::{self, Diagnostic, Settings};

/// Exit codes, as ruff and hadolint use them.
pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Files larger than this are refused.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

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

/// Whether a file name is a Dockerfile by convention.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
}

/// Find the Dockerfiles under the given paths, in a stable order.
pub fn discover(paths: &[PathBuf], include: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let extra = {
        let mut b = globset::GlobSetBuilder::new();
        for g in include {
            match globset::Glob::new(g) {
                Ok(g) => {
                    b.add(g);
                }
                Err(e) => errors.push(format!("--include {g}: {e}")),
            }
        }
        b.build().unwrap_or_else(|_| globset::GlobSet::empty())
    };
    for root in paths {
        let meta = std::fs::symlink_metadata(root);
        match meta {
            Err(e) => {
                errors.push(format!("{}: {e}", root.display()));
                continue;
            }
            Ok(_) if !root.is_dir() => {
                files.push(root.clone());
                continue;
            }
            Ok(_) => {}
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        let mut found = Vec::new();
        for entry in walker {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_some_and(|t| t.is_file() || t.is_symlink()) {
                        continue;
                    }
                    let name = e.file_name().to_string_lossy();
                    let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                    if is_dockerfile_name(&name)
                        || extra.is_match(rel)
                        || extra.is_match(name.as_ref())
                    {
                        found.push(clean_path(e.path()));
                    }
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        found.sort();
        files.extend(found);
    }
    files.dedup();
    (files, errors)
}

fn clean_path(p: &Path) -> PathBuf {
    p.strip_prefix("./")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// A path as shown to the user and in diff headers: relative to the current directory when it
/// lies below it.
pub fn display_path(p: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = match (p.is_absolute(), &cwd) {
        (true, Some(cwd)) => p
            .strip_prefix(cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf()),
        _ => clean_path(p),
    };
    let shown = shown.to_string_lossy().replace('\\', "/");
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown
    }
}

/// Values computed once per path and shared between threads; a second thread asking for the same
/// path waits for the first instead of computing again.
pub struct OnceMap<V> {
    map: Mutex<HashMap<PathBuf, Arc<OnceLock<V>>>>,
}

impl<V> Default for OnceMap<V> {
    fn default() -> Self {
        OnceMap {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> OnceMap<V> {
    pub fn get_or_init(&self, key: &Path, init: impl FnOnce() -> V) -> V {
        let cell = {
            let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key.to_path_buf()).or_default().clone()
        };
        cell.get_or_init(init).clone()
    }

    /// Every value computed so far.
    pub fn values(&self) -> Vec<V> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.values().filter_map(|c| c.get().cloned()).collect()
    }
}

/// Loads each context directory and each compose/bake file once per run, shared between threads.
#[derive(Default)]
pub struct ContextCache {
    trees: OnceMap<Arc<ContextTree>>,
    build_files: OnceMap<Arc<Result<Vec<BuildSpec>, String>>>,
}

/// The folder compose/bake files are searched up to: the enclosing git checkout's root, else the
/// current directory when the Dockerfile is below it, else the Dockerfile's own folder.
fn search_top(dockerfile_dir: &Path) -> PathBuf {
    let mut dir = Some(dockerfile_dir);
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    match std::env::current_dir()
        .ok()
        .and_then(|c| c.canonicalize().ok())
    {
        Some(cwd) if dockerfile_dir.starts_with(&cwd) => cwd,
        _ => dockerfile_dir.to_path_buf(),
    }
}

impl ContextCache {
    pub fn tree(&self, root: &Path) -> Arc<ContextTree> {
        self.trees
            .get_or_init(root, || Arc::new(ContextTree::load(root)))
    }

    fn build_file(&self, path: &Path) -> Arc<Result<Vec<BuildSpec>, String>> {
        self.build_files.get_or_init(path, || {
            Arc::new(
                discovery::parse_file(path)
                    .map_err(|e| e.replacen(&path.display().to_string(), &display_path(path), 1)),
            )
        })
    }

    /// Compose/bake files that could not be read, each once, sorted.
    pub fn build_file_errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self
            .build_files
            .values()
            .iter()
            .filter_map(|r| r.as_ref().as_ref().err().cloned())
            .collect();
        errors.sort();
        errors
    }

    /// The builds of a Dockerfile that compose and bake files describe.
    pub fn specs_for(&self, dockerfile: &Path) -> Vec<BuildSpec> {
        let Ok(abs) = dockerfile.canonicalize() else {
            return Vec::new();
        };
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let mut out = Vec::new();
        for file in discovery::candidate_files(dir, &search_top(dir)) {
            if let Ok(specs) = self.build_file(&file).as_ref() {
                out.extend(
                    specs
                        .iter()
                        .filter(|s| s.dockerfile.canonicalize().is_ok_and(|p| p == abs))
                        .cloned(),
                );
            }
        }
        out
    }

    /// Every context a Dockerfile is checked in: `--context`, else those compose/bake files
    /// name, else its own folder.
    pub fn contexts_for(
        &self,
        dockerfile: &Path,
        flag: Option<&Path>,
        target: Option<&str>,
    ) -> Vec<Result<Context, String>> {
        if let Some(dir) = flag {
            return vec![self.context_at(dockerfile, dir, Origin::Flag, target)];
        }
        let specs = self.specs_for(dockerfile);
        if specs.is_empty() {
            let dir = dockerfile
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            return vec![self.context_at(dockerfile, dir, Origin::DockerfileDir, target)];
        }
        specs
            .into_iter()
            .map(|spec| {
                let origin = Origin::File {
                    path: PathBuf::from(display_path(&spec.file)),
                    entry: spec.entry.clone(),
                };
                let target = target.map(str::to_string).or(spec.target.clone());
                let mut ctx =
                    self.context_at(dockerfile, &spec.context, origin, target.as_deref())?;
                ctx.build_args = spec.args;
                ctx.platforms = spec.platforms;
                Ok(ctx)
            })
            .collect()
    }

    /// [`Self::contexts_for`], with what only the Dockerfile's text tells added: for a default
    /// context, a folder above it that has the COPY sources it lacks.
    pub fn prepare_contexts(
        &self,
        dockerfile: &Path,
        source: &str,
        flag: Option<&Path>,
        target: Option<&str>,
    ) -> Vec<Result<Context, String>> {
        let mut contexts = self.contexts_for(dockerfile, flag, target);
        for ctx in contexts.iter_mut().flatten() {
            if ctx.origin == Origin::DockerfileDir {
                ctx.better_context = better_context(dockerfile, source, ctx);
            }
        }
        contexts
    }

    fn context_at(
        &self,
        dockerfile: &Path,
        root: &Path,
        origin: Origin,
        target: Option<&str>,
    ) -> Result<Context, String> {
        let root = root
            .canonicalize()
            .map_err(|e| format!("context {}: {e}", root.display()))?;
        if !root.is_dir() {
            return Err(format!("context {} is not a directory", root.display()));
        }
        let abs_df = dockerfile
            .canonicalize()
            .unwrap_or_else(|_| dockerfile.to_path_buf());
        let mut ctx = Context::new(self.tree(&root), origin);
        ctx.dockerfile = abs_df
            .strip_prefix(&root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        ctx.target = target.map(str::to_string);
        match context::load_dockerignore(&root, &abs_df) {
            Some(Ok(d)) => ctx.dockerignore = Some(d),
            Some(Err(e)) => return Err(e),
            None => {}
        }
        Ok(ctx)
    }
}

/// What happened to one file.
pub struct FileReport {
    pub path: PathBuf,
    pub shown: String,
    pub source: String,
    /// A UTF-8 byte-order mark was stripped before parsing and is put back on write.
    pub bom: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub fixed: Option<FixOutcome>,
    /// Diagnostics left after the fixes (only computed with `--write`).
    pub remaining: Vec<Diagnostic>,
    pub error: Option<String>,
    /// Errors about the file's context that did not stop the check (a malformed go.mod).
    pub warnings: Vec<String>,
    /// Root of the (first) build context, to place the context files fixes edit.
    pub context_root: Option<PathBuf>,
}

/// Read a Dockerfile, refusing what cannot be one.
pub fn read_dockerfile(path: &Path) -> Result<(String, bool), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
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
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
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

fn process(path: &Path, args: &CheckArgs, cache: &ContextCache) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        shown: display_path(path),
        source: String::new(),
        bom: false,
        diagnostics: Vec::new(),
        fixed: None,
        remaining: Vec::new(),
        error: None,
        warnings: Vec::new(),
        context_root: None,
    };
    match read_dockerfile(path) {
        Ok((s, bom)) => {
            report.source = s;
            report.bom = bom;
        }
        Err(e) => {
            report.error = Some(e);
            return report;
        }
    }
    let mut contexts: Vec<Option<Context>> = Vec::new();
    for c in cache.prepare_contexts(
        path,
        &report.source,
        args.context.as_deref(),
        args.target.as_deref(),
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
    let results: Vec<(Option<Context>, Settings, crate::Linted)> = contexts
        .into_iter()
        .map(|ctx| {
            let settings = Settings {
                target: ctx
                    .as_ref()
                    .and_then(|c| c.target.clone())
                    .or(args.target.clone()),
            };
            let linted = crate::lint(&report.source, ctx.as_ref(), &settings, args.unsafe_fixes);
            (ctx, settings, linted)
        })
        .collect();
    let outputs: Vec<Result<&FixOutcome, String>> = results
        .iter()
        .map(|(_, _, l)| l.fixed.as_ref().map_err(|e| e.to_string()))
        .collect();
    if let Some(Err(e)) = outputs.iter().find(|o| o.is_err()) {
        report.error = Some(e.clone());
        return report;
    }
    let outcomes: Vec<&FixOutcome> = outputs.into_iter().flatten().collect();
    let agree = outcomes
        .windows(2)
        .all(|w| w[0].output == w[1].output && w[0].side_files == w[1].side_files);
    report.diagnostics = merge_diagnostics(&results, agree);
    let (ctx, settings) = (&results[0].0, &results[0].1);
    report.context_root = ctx.as_ref().map(|c| c.tree.root.clone());
    let outcome = if agree {
        outcomes[0].clone()
    } else {
        let names: Vec<String> = results
            .iter()
            .filter_map(|(c, _, _)| c.as_ref().map(|c| c.origin.to_string()))
            .collect();
        report.warnings.push(format!(
            "fixes differ between its build contexts ({}); none applied",
            names.join(", ")
        ));
        FixOutcome {
            output: report.source.clone(),
            ..Default::default()
        }
    };
    report.remaining = if args.write && outcome.output != report.source {
        crate::rules::check(
            &crate::syntax::Dockerfile::parse_with(
                &outcome.output,
                &crate::parse_options(ctx.as_ref(), &[]),
            ),
            ctx.as_ref(),
            settings,
        )
    } else {
        report.diagnostics.clone()
    };
    report.fixed = Some(outcome);
    report
}

/// For a Dockerfile checked in its own folder whose COPY sources are missing there: the nearest
/// folder above (up to the repository root) where they all exist.
fn better_context(
    dockerfile: &Path,
    source: &str,
    ctx: &Context,
) -> Option<context::BetterContext> {
    let df = crate::syntax::Dockerfile::parse(source);
    let missing = crate::rules::gm028_context_mismatch::missing_sources(&df, ctx);
    if missing.is_empty() {
        return None;
    }
    let top = search_top(&ctx.tree.root);
    let mut dir = ctx.tree.root.parent();
    while let Some(d) = dir {
        if !d.starts_with(&top) {
            break;
        }
        if missing
            .iter()
            .all(|(_, s)| d.join(context::context_rel(s)).exists())
        {
            let abs_df = dockerfile.canonicalize().ok()?;
            return Some(context::BetterContext {
                dir: display_path(d),
                dockerfile: display_path(&abs_df),
            });
        }
        dir = d.parent();
    }
    None
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
    results: &[(Option<Context>, Settings, crate::Linted)],
    agree: bool,
) -> Vec<Diagnostic> {
    if results.len() == 1 {
        return results[0].2.diagnostics.clone();
    }
    let key = |d: &Diagnostic| (d.code, d.range.start, d.message.clone());
    let mut out: Vec<Diagnostic> = Vec::new();
    for (_, _, linted) in results {
        for d in &linted.diagnostics {
            if out.iter().any(|o| key(o) == key(d)) {
                continue;
            }
            let holders: Vec<String> = results
                .iter()
                .filter(|(_, _, l)| l.diagnostics.iter().any(|x| key(x) == key(d)))
                .filter_map(|(c, _, _)| c.as_ref().map(|c| c.origin.to_string()))
                .collect();
            let mut d = d.clone();
            if holders.len() < results.len() {
                d.message = format!("{} (only in context {})", d.message, holders.join(", "));
            }
            if !agree {
                d.fix = None;
            }
            out.push(d);
        }
    }
    out.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(a.code.cmp(b.code)));
    out
}

/// The context files (.dockerignore) that fixes of several Dockerfiles edit, merged: identical
/// proposals are one; proposals that only append lines are combined (each new line once);
/// anything else is a conflict and is not written.
pub fn merge_side_files(
    reports: &[FileReport],
) -> (BTreeMap<PathBuf, (String, String)>, Vec<String>) {
    let mut proposals: BTreeMap<PathBuf, (String, Vec<String>)> = BTreeMap::new();
    for r in reports {
        let (Some(outcome), Some(root)) = (&r.fixed, &r.context_root) else {
            continue;
        };
        for (rel, (old, new)) in &outcome.side_files {
            let entry = proposals
                .entry(root.join(rel))
                .or_insert_with(|| (old.clone(), Vec::new()));
            entry.1.push(new.clone());
        }
    }
    let mut merged = BTreeMap::new();
    let mut errors = Vec::new();
    for (path, (old, news)) in proposals {
        if news.iter().all(|n| n == &news[0]) {
            merged.insert(path, (old, news[0].clone()));
        } else if news.iter().all(|n| n.starts_with(&old)) {
            let mut out = old.clone();
            let mut added: Vec<&str> = Vec::new();
            for n in &news {
                for line in n[old.len()..].lines() {
                    if !added.contains(&line) {
                        added.push(line);
                    }
                }
            }
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            for line in added {
                out.push_str(line);
                out.push('\n');
            }
            merged.insert(path, (old, out));
        } else {
            errors.push(format!(
                "{}: fixes of several Dockerfiles edit it differently; not changed",
                display_path(&path)
            ));
        }
    }
    (merged, errors)
}

/// Write a context file a fix edited: atomically over the old one, or as a new file.
fn write_context_file(path: &Path, old: &str, new: &str) -> Result<(), String> {
    if path.exists() {
        return write_atomic(path, old.as_bytes(), new.as_bytes());
    }
    if !old.is_empty() {
        return Err("file disappeared since it was read; not written".into());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
    tmp.write_all(new.as_bytes()).map_err(|e| e.to_string())?;
    tmp.as_file().sync_all().map_err(|e| e.to_string())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| e.to_string())?;
    }
    tmp.persist_noclobber(path)
        .map_err(|e| e.error.to_string())?;
    Ok(())
}

/// Write a file atomically: a temporary file in the same directory, fsync, rename over the
/// original (through a symlink to its target), keeping the original's permissions. Refuses when
/// the file changed on disk since it was read.
pub fn write_atomic(path: &Path, expected_old: &[u8], new: &[u8]) -> Result<(), String> {
    let target = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    let current = std::fs::read(&target).map_err(|e| e.to_string())?;
    if current != expected_old {
        return Err("file changed on disk since it was read; not overwritten".into());
    }
    let meta = std::fs::metadata(&target).map_err(|e| e.to_string())?;
    if meta.permissions().readonly() {
        return Err("file is read-only; not overwritten".into());
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    tmp.write_all(new).map_err(|e| e.to_string())?;
    tmp.as_file().sync_all().map_err(|e| e.to_string())?;
    std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(|e| e.to_string())?;
    tmp.persist(&target).map_err(|e| e.error.to_string())?;
    Ok(())
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
