//! Build contexts of a run: each context folder and compose/bake file read once, shared between
//! threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::display_path;
use crate::config::{self, LoadedConfig};
use crate::context::discovery::{self, BuildSpec};
use crate::context::{self, Context, ContextTree, Origin};

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
    /// `--config PATH`: the one config file for every Dockerfile.
    pub config_override: Option<PathBuf>,
    configs: OnceMap<Arc<Result<LoadedConfig, String>>>,
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
    /// A cache for one run; `config_override` is `--config`.
    pub fn new(config_override: Option<PathBuf>) -> ContextCache {
        ContextCache {
            config_override,
            ..Default::default()
        }
    }

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
        // The config file's `contexts:` entries come next.
        if let Ok(Some(cfg)) = self.config_for(dockerfile)
            && let Some(entry) = config_context(&cfg, dockerfile)
        {
            let origin = Origin::File {
                path: PathBuf::from(display_path(&cfg.path)),
                entry: format!("contexts: {}", entry.dockerfile),
            };
            let target = target.map(str::to_string).or(entry.target.clone());
            return vec![
                self.context_at(
                    dockerfile,
                    &cfg.dir().join(&entry.context),
                    origin,
                    target.as_deref(),
                )
                .map(|mut c| {
                    c.build_args = entry.args.clone();
                    c
                }),
            ];
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

    /// The config file that governs a Dockerfile: `--config`, else the nearest `.gomodfix.yaml`
    /// at or above its folder. Each file is read once.
    pub fn config_for(&self, dockerfile: &Path) -> Result<Option<LoadedConfig>, String> {
        let path = match &self.config_override {
            Some(p) => p.clone(),
            None => {
                let abs = dockerfile
                    .canonicalize()
                    .unwrap_or_else(|_| dockerfile.to_path_buf());
                let dir = abs.parent().unwrap_or(Path::new("/"));
                match config::find(dir) {
                    Some(p) => p,
                    None => return Ok(None),
                }
            }
        };
        let loaded = self.configs.get_or_init(&path, || {
            Arc::new(
                config::load(&path)
                    .map_err(|e| e.replacen(&path.display().to_string(), &display_path(&path), 1)),
            )
        });
        loaded.as_ref().clone().map(Some)
    }

    /// Config files that could not be read, each once.
    pub fn config_errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self
            .configs
            .values()
            .iter()
            .filter_map(|r| r.as_ref().as_ref().err().cloned())
            .collect();
        errors.sort();
        errors
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

/// The config's `contexts:` entry whose glob matches a Dockerfile (relative to the config file).
fn config_context<'a>(
    cfg: &'a LoadedConfig,
    dockerfile: &Path,
) -> Option<&'a config::ContextEntry> {
    let abs = dockerfile.canonicalize().ok()?;
    let dir = cfg.dir().canonicalize().ok()?;
    let rel = abs
        .strip_prefix(&dir)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    cfg.config.contexts.as_ref()?.iter().find(|e| {
        globset::GlobBuilder::new(&e.dockerfile)
            .literal_separator(true)
            .build()
            .is_ok_and(|g| g.compile_matcher().is_match(&rel))
    })
}
