//! Build contexts of a run: each context folder and compose/bake file read once, shared between
//! threads.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::display_path;
use crate::config::{self, LoadedConfig};
use crate::context::discovery::{self, BuildSpec};
use crate::context::{self, Context, ContextTree, EntryType, Listing, Origin, ci};

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
    dirs: OnceMap<Arc<DirInfo>>,
    canonical: OnceMap<Option<PathBuf>>,
    cwd: OnceLock<Option<PathBuf>>,
    /// `--config PATH`: the one config file for every Dockerfile.
    pub config_override: Option<PathBuf>,
    configs: OnceMap<Arc<Result<LoadedConfig, String>>>,
    trees: OnceMap<Arc<ContextTree>>,
    build_files: OnceMap<Arc<Result<Vec<BuildSpec>, String>>>,
    ci_files: OnceMap<Arc<Vec<BuildSpec>>>,
    dockerignores: OnceMap<Option<Arc<Result<context::DockerIgnore, String>>>>,
}

/// The folder compose/bake files are searched up to: the enclosing git checkout's root, else the
/// current directory when the Dockerfile is below it, else the Dockerfile's own folder.
/// What gomodfix looks for in a folder, read once per folder per run: compose and bake files (in
/// their order of preference), the config file, and whether it is a git checkout's root.
#[derive(Debug, Default)]
pub struct DirInfo {
    /// The folder could be read.
    pub is_dir: bool,
    pub build_files: Vec<PathBuf>,
    /// Makefiles (`Makefile`, `GNUmakefile`, `makefile`, `*.mk`), sorted.
    pub makefiles: Vec<PathBuf>,
    /// `.gitlab-ci.yml` and goreleaser configurations (read where the repository's root is).
    pub ci_files: Vec<PathBuf>,
    /// Compose files under other names (`docker-compose.dev.yml`, `compose.ci.yaml`): read like
    /// CI files, evidence below the compose and bake files Docker Compose picks itself.
    pub compose_variants: Vec<PathBuf>,
    /// `*.sh`, `*.yml` and `*.yaml` files (for `scripts/`, `hack/`, `build/` and
    /// `.github/workflows/`), sorted.
    pub scripts: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub git: bool,
    /// Its entries: a context rooted here starts from them, and paths below it are made
    /// canonical from them.
    pub listing: Listing,
}

/// CI and release configurations read at the repository's root.
const CI_FILES: &[&str] = &[
    ".gitlab-ci.yml",
    ".goreleaser.yml",
    ".goreleaser.yaml",
    "goreleaser.yml",
    "goreleaser.yaml",
];

/// Folders below the repository's root whose shell scripts are read for build commands.
const SCRIPT_DIRS: &[&str] = &["scripts", "hack", "build"];

fn read_dir_info(dir: &Path) -> DirInfo {
    let mut info = DirInfo::default();
    let Some(listing) = Listing::read(dir) else {
        return info;
    };
    info.is_dir = true;
    let wanted: Vec<&str> = discovery::COMPOSE_FILES
        .iter()
        .chain(discovery::BAKE_FILES)
        .copied()
        .collect();
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    let mut config: Option<(usize, PathBuf)> = None;
    for (name, kind) in &listing.entries {
        // CI, make and script files: plain files, or links to them (checked below); no stat
        // for the others.
        let maybe_file = matches!(kind, EntryType::File | EntryType::Symlink);
        if name == ".git" {
            info.git = true;
        } else if let Some(i) = wanted.iter().position(|w| w == name) {
            found.push((i, dir.join(name)));
        } else if maybe_file {
            let list = if matches!(name.as_str(), "Makefile" | "GNUmakefile" | "makefile")
                || name.ends_with(".mk")
            {
                Some(&mut info.makefiles)
            } else if CI_FILES.contains(&name.as_str()) {
                Some(&mut info.ci_files)
            } else if discovery::is_compose_variant(name) {
                Some(&mut info.compose_variants)
            } else if name.ends_with(".sh") || name.ends_with(".yml") || name.ends_with(".yaml") {
                Some(&mut info.scripts)
            } else {
                None
            };
            if let Some(list) = list {
                list.push(dir.join(name));
            }
        }
        if let Some(i) = config::CONFIG_FILES.iter().position(|c| c == name)
            && config.as_ref().is_none_or(|(j, _)| i < *j)
        {
            config = Some((i, dir.join(name)));
        }
    }
    found.sort();
    info.build_files = found
        .into_iter()
        .filter(|(_, p)| p.is_file())
        .map(|(_, p)| p)
        .collect();
    info.config = config.map(|(_, p)| p).filter(|p| p.is_file());
    for list in [
        &mut info.makefiles,
        &mut info.ci_files,
        &mut info.compose_variants,
        &mut info.scripts,
    ] {
        list.retain(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            match name.and_then(|n| listing.get(&n)) {
                Some(EntryType::File) => true,
                _ => p.is_file(),
            }
        });
        list.sort();
    }
    info.listing = listing;
    info
}

/// Where a build is described, as `--show-contexts` and messages name it.
fn spec_origin(spec: &BuildSpec) -> Origin {
    Origin::File {
        path: PathBuf::from(display_path(&spec.file)),
        lines: spec.line.into_iter().collect(),
        entry: spec.entry.clone(),
    }
}

/// One origin for builds checked together: the first one's file with the lines and entries of
/// every build from that file (`docker-bake.hcl:8,11 (api, worker)`); other files follow after
/// `; also`.
fn group_origin(members: &[&BuildSpec]) -> Origin {
    let first = members[0];
    let mut lines: Vec<usize> = Vec::new();
    let mut entries: Vec<String> = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for m in members {
        if m.file == first.file {
            if let Some(l) = m.line
                && !lines.contains(&l)
            {
                lines.push(l);
            }
            if !entries.contains(&m.entry) {
                entries.push(m.entry.clone());
            }
        } else {
            let o = spec_origin(m).to_string();
            if !others.contains(&o) {
                others.push(o);
            }
        }
    }
    let mut entry = entries.join(", ");
    for o in others {
        entry.push_str(&format!("; also {o}"));
    }
    Origin::File {
        path: PathBuf::from(display_path(&first.file)),
        lines,
        entry,
    }
}

impl ContextCache {
    /// `Path::canonicalize`, once per path per run.
    pub fn canonical(&self, p: &Path) -> Option<PathBuf> {
        self.canonical.get_or_init(p, || self.resolve(p))
    }

    /// A canonical path from its folder's canonical path and listing, when the listing shows a
    /// plain file or folder (no link to follow); else from the file system.
    fn resolve(&self, p: &Path) -> Option<PathBuf> {
        use std::path::Component;
        let plain = p
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::RootDir));
        let (Some(parent), Some(name), true) = (p.parent(), p.file_name(), plain) else {
            return p.canonicalize().ok();
        };
        let parent = if parent.as_os_str().is_empty() {
            self.cwd()?.clone()
        } else {
            self.canonical(parent)?
        };
        match self.dir_info(&parent).listing.get(&name.to_string_lossy()) {
            Some(EntryType::File | EntryType::Dir) => Some(parent.join(name)),
            _ => p.canonicalize().ok(),
        }
    }

    fn cwd(&self) -> Option<&PathBuf> {
        self.cwd
            .get_or_init(|| {
                std::env::current_dir()
                    .ok()
                    .and_then(|c| c.canonicalize().ok())
            })
            .as_ref()
    }

    fn dir_info(&self, dir: &Path) -> Arc<DirInfo> {
        self.dirs.get_or_init(dir, || Arc::new(read_dir_info(dir)))
    }

    /// The folder compose/bake files are searched up to: the enclosing git checkout's root, else
    /// the current directory when the Dockerfile is below it, else the Dockerfile's own folder.
    fn search_top(&self, dockerfile_dir: &Path) -> PathBuf {
        let mut dir = Some(dockerfile_dir);
        while let Some(d) = dir {
            if self.dir_info(d).git {
                return d.to_path_buf();
            }
            dir = d.parent();
        }
        match self.cwd() {
            Some(cwd) if dockerfile_dir.starts_with(cwd) => cwd.clone(),
            _ => dockerfile_dir.to_path_buf(),
        }
    }

    /// Compose and bake files in a folder and the folders above it, up to `top`.
    fn candidate_files(&self, dockerfile_dir: &Path, top: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut dir = Some(dockerfile_dir);
        while let Some(d) = dir {
            out.extend(self.dir_info(d).build_files.iter().cloned());
            if d == top {
                break;
            }
            dir = d.parent();
        }
        out
    }

    /// A cache for one run; `config_override` is `--config`.
    pub fn new(config_override: Option<PathBuf>) -> ContextCache {
        ContextCache {
            config_override,
            ..Default::default()
        }
    }

    pub fn tree(&self, root: &Path) -> Arc<ContextTree> {
        self.trees.get_or_init(root, || {
            let info = self.dir_info(root);
            Arc::new(ContextTree::load_from(
                root,
                info.is_dir.then_some(&info.listing),
            ))
        })
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
        load_errors(&self.build_files)
    }

    /// CI, release, make and script files that may build a Dockerfile in `dockerfile_dir`, in
    /// its folder and each folder above it up to `top`: Makefiles, `.github/workflows/*.yml`,
    /// `.gitlab-ci.yml`, goreleaser configurations and `scripts/`, `hack/`, `build/` shell
    /// scripts. Each comes with the folder its paths are relative to (the one holding it, or
    /// holding `.github` or the scripts folder).
    fn ci_candidates(&self, dockerfile_dir: &Path, top: &Path) -> Vec<(PathBuf, PathBuf)> {
        let mut out = Vec::new();
        let mut dir = Some(dockerfile_dir);
        while let Some(d) = dir {
            let info = self.dir_info(d);
            let here = |p: &PathBuf| (p.clone(), d.to_path_buf());
            out.extend(info.makefiles.iter().map(here));
            out.extend(info.ci_files.iter().map(here));
            out.extend(info.compose_variants.iter().map(here));
            if info.listing.get(".github") == Some(EntryType::Dir) {
                let wf = d.join(".github/workflows");
                out.extend(
                    self.dir_info(&wf)
                        .scripts
                        .iter()
                        .filter(|p| !p.to_string_lossy().ends_with(".sh"))
                        .map(here),
                );
            }
            for sub in SCRIPT_DIRS {
                if info.listing.get(sub) == Some(EntryType::Dir) {
                    out.extend(
                        self.dir_info(&d.join(sub))
                            .scripts
                            .iter()
                            .filter(|p| p.to_string_lossy().ends_with(".sh"))
                            .map(here),
                    );
                }
            }
            if d == top {
                break;
            }
            dir = d.parent();
        }
        out
    }

    /// The builds a CI, release, make or script file describes (nothing when it cannot be
    /// read or parsed), once per file per run; `top` is the folder its paths start from.
    fn ci_file(&self, path: &Path, top: &Path) -> Arc<Vec<BuildSpec>> {
        self.ci_files.get_or_init(path, || {
            let Ok(meta) = std::fs::metadata(path) else {
                return Arc::default();
            };
            if meta.len() > 4 * 1024 * 1024 {
                return Arc::default();
            }
            let Ok(text) = std::fs::read_to_string(path) else {
                return Arc::default();
            };
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let in_workflows = path
                .parent()
                .is_some_and(|p| p.ends_with(".github/workflows"));
            Arc::new(if discovery::is_compose_variant(&name) {
                // Not the file Compose reads by default: a malformed one says nothing.
                discovery::parse_compose(path, &text)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mut spec| {
                        spec.source = discovery::SpecSource::ComposeVariant;
                        spec
                    })
                    .collect()
            } else if name == ".gitlab-ci.yml" {
                ci::parse_gitlab(path, &text, top)
            } else if name.contains("goreleaser") {
                ci::parse_goreleaser(path, &text, top)
            } else if in_workflows {
                ci::parse_workflow(path, &text, top)
            } else if name.ends_with(".sh") {
                ci::parse_script(path, &text, top)
            } else {
                ci::parse_makefile(path, &text, top)
            })
        })
    }

    /// The builds of a Dockerfile that compose, bake, CI, release, make and script files
    /// describe.
    pub fn specs_for(&self, dockerfile: &Path) -> Vec<BuildSpec> {
        let Some(abs) = self.canonical(dockerfile) else {
            return Vec::new();
        };
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let top = self.search_top(dir);
        let is_this = |s: &BuildSpec| self.canonical(&s.dockerfile).is_some_and(|p| p == abs);
        let mut out = Vec::new();
        for file in self.candidate_files(dir, &top) {
            if let Ok(specs) = self.build_file(&file).as_ref() {
                out.extend(specs.iter().filter(|s| is_this(s)).cloned());
            }
        }
        for (file, root) in self.ci_candidates(dir, &top) {
            out.extend(
                self.ci_file(&file, &root)
                    .iter()
                    .filter(|s| is_this(s))
                    .cloned(),
            );
        }
        out
    }

    /// Every context a Dockerfile is checked in: `--context`, else the config's `contexts:`
    /// entry, else those compose/bake files name, else those CI jobs, Makefiles and scripts
    /// name, else its own folder. Platforms any of them build for (goreleaser's included) are
    /// added to contexts that do not name their own.
    pub fn contexts_for(
        &self,
        dockerfile: &Path,
        flag: Option<&Path>,
        target: Option<&str>,
    ) -> Vec<Result<Context, String>> {
        let specs = self.specs_for(dockerfile);
        let mut contexts = self.contexts_from(dockerfile, flag, target, &specs);
        // The widest platform list any build of the file names, with where it comes from.
        if let Some(spec) = specs
            .iter()
            .filter(|s| !s.platforms.is_empty())
            .max_by_key(|s| (s.platforms.len(), std::cmp::Reverse(s.source)))
        {
            for ctx in contexts.iter_mut().flatten() {
                if ctx.platforms.is_empty() {
                    ctx.platforms = spec.platforms.clone();
                    ctx.platforms_from = Some(spec_origin(spec).to_string());
                }
            }
        }
        contexts
    }

    fn contexts_from(
        &self,
        dockerfile: &Path,
        flag: Option<&Path>,
        target: Option<&str>,
        specs: &[BuildSpec],
    ) -> Vec<Result<Context, String>> {
        if let Some(dir) = flag {
            return vec![self.context_at(dockerfile, dir, Origin::Flag, target)];
        }
        // The config file's `contexts:` entries come next.
        if let Ok(Some(cfg)) = self.config_for(dockerfile)
            && let Some(entry) = config_context(self, &cfg, dockerfile)
        {
            let origin = Origin::File {
                path: PathBuf::from(display_path(&cfg.path)),
                lines: Vec::new(),
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
        // Compose/bake first; CI, make and script files when those say nothing. Builds without
        // a folder of the repository (goreleaser) only bring platforms.
        // A CI, make or script build whose folder does not exist (a stale script, a path
        // built in an earlier step) says nothing; a compose or bake entry's missing folder is
        // reported, as before.
        let with_context = |definition: bool| -> Vec<&BuildSpec> {
            specs
                .iter()
                .filter(|s| s.source.is_build_definition() == definition)
                .filter(|s| {
                    s.context.as_deref().is_some_and(|c| {
                        definition || self.canonical(c).is_some_and(|c| self.dir_info(&c).is_dir)
                    })
                })
                .collect()
        };
        let mut chosen = with_context(true);
        if chosen.is_empty() {
            chosen = with_context(false);
        }
        if chosen.is_empty() {
            let dir = dockerfile
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            return vec![self.context_at(dockerfile, dir, Origin::DockerfileDir, target)];
        }
        // Builds that are the same for the checks (one Dockerfile, several bake targets or CI
        // jobs with the same context, stage, args and platforms) are checked once, under all
        // their names.
        let mut groups: Vec<(&BuildSpec, Vec<&BuildSpec>)> = Vec::new();
        for spec in chosen {
            let same = |a: &BuildSpec| {
                a.context == spec.context
                    && a.target == spec.target
                    && a.args == spec.args
                    && a.platforms == spec.platforms
            };
            match groups.iter_mut().find(|(first, _)| same(first)) {
                Some((_, members)) => members.push(spec),
                None => groups.push((spec, vec![spec])),
            }
        }
        groups
            .into_iter()
            .map(|(spec, members)| {
                let origin = group_origin(&members);
                let target = target.map(str::to_string).or(spec.target.clone());
                let root = spec.context.as_deref().expect("filtered above");
                let mut ctx = self.context_at(dockerfile, root, origin, target.as_deref())?;
                ctx.build_args = spec.args.clone();
                ctx.prepared_by = members
                    .iter()
                    .flat_map(|m| m.prepared_by.iter().cloned())
                    .collect();
                if !spec.platforms.is_empty() {
                    ctx.platforms = spec.platforms.clone();
                    ctx.platforms_from = Some(spec_origin(spec).to_string());
                }
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
                let abs = self
                    .canonical(dockerfile)
                    .unwrap_or_else(|| dockerfile.to_path_buf());
                let dir = abs.parent().unwrap_or(Path::new("/"));
                let mut found = None;
                let mut d = Some(dir);
                while let Some(x) = d {
                    if let Some(c) = &self.dir_info(x).config {
                        found = Some(c.clone());
                        break;
                    }
                    d = x.parent();
                }
                match found {
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

    /// Config files that could not be read, each once, sorted.
    pub fn config_errors(&self) -> Vec<String> {
        load_errors(&self.configs)
    }

    /// [`Self::contexts_for`], with what only the Dockerfile's text tells added: for a default
    /// context, a folder above it that has the COPY sources it lacks.
    pub fn prepare_contexts(
        &self,
        dockerfile: &Path,
        source: &str,
        tree: Option<&tree_sitter::Tree>,
        flag: Option<&Path>,
        target: Option<&str>,
    ) -> Vec<Result<Context, String>> {
        let mut contexts = self.contexts_for(dockerfile, flag, target);
        for slot in contexts.iter_mut() {
            let Ok(ctx) = slot else { continue };
            if ctx.origin != Origin::DockerfileDir {
                continue;
            }
            let Some(better) = better_context(self, dockerfile, source, tree, ctx) else {
                continue;
            };
            // Nothing names a context and the Dockerfile is written for a folder above its own:
            // check it there (GM028 says so, as information).
            match self.context_at(dockerfile, &better.root, Origin::Inferred, target) {
                Ok(mut inferred) => {
                    inferred.inferred = Some(better);
                    *slot = Ok(inferred);
                }
                Err(_) => ctx.better_context = Some(better),
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
        let root = self
            .canonical(root)
            .ok_or_else(|| format!("context {}: no such directory", root.display()))?;
        if !self.dir_info(&root).is_dir {
            return Err(format!("context {} is not a directory", root.display()));
        }
        let abs_df = self
            .canonical(dockerfile)
            .unwrap_or_else(|| dockerfile.to_path_buf());
        let tree = self.tree(&root);
        let dockerignore = context::dockerignore_for(&tree, &abs_df).and_then(|(path, label)| {
            // Read and compiled once per file; the label is per context.
            let loaded = self.dockerignores.get_or_init(&path, || {
                context::read_dockerignore(&path, &label).map(Arc::new)
            })?;
            Some(loaded.as_ref().clone().map(|mut d| {
                d.file = label;
                d
            }))
        });
        let mut ctx = Context::new(tree, origin);
        ctx.dockerfile = abs_df
            .strip_prefix(&root)
            .ok()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        ctx.target = target.map(str::to_string);
        match dockerignore {
            Some(Ok(d)) => ctx.dockerignore = Some(d),
            Some(Err(e)) => return Err(e),
            None => {}
        }
        Ok(ctx)
    }
}

/// For a Dockerfile checked in its own folder whose COPY sources are missing there, or that runs
/// go commands where the folder has no go.mod: the nearest folder above (up to the repository
/// root) where all its COPY sources exist and, in the second case, a go.mod too.
fn better_context(
    cache: &ContextCache,
    dockerfile: &Path,
    source: &str,
    tree: Option<&tree_sitter::Tree>,
    ctx: &Context,
) -> Option<context::BetterContext> {
    let maybe_missing = may_miss_sources(source, ctx);
    let needs_module = ctx.tree.modules.is_empty() && !ctx.tree.truncated && runs_go(source);
    if !maybe_missing && !needs_module {
        return None;
    }
    // Default parse options on purpose: only literal COPY sources count here, which neither the
    // run's build args nor its golang images can change.
    let df = crate::syntax::Dockerfile::parse_with_tree(source, tree.cloned(), &Default::default());
    let missing = context::sources::missing_sources(&df, ctx);
    if missing.is_empty() && !needs_module {
        return None;
    }
    let sources = context::sources::literal_sources(&df);
    // Nothing copied from the context: the go commands work on something else (a `git clone`).
    if sources.is_empty() {
        return None;
    }
    let top = cache.search_top(&ctx.tree.root);
    let mut dir = ctx.tree.root.parent();
    while let Some(d) = dir {
        if !d.starts_with(&top) {
            break;
        }
        let has_sources = sources
            .iter()
            .all(|s| d.join(context::context_rel(s)).exists());
        let has_module = !missing.is_empty() || d.join("go.mod").is_file();
        if has_sources && has_module {
            let abs_df = cache.canonical(dockerfile)?;
            return Some(context::BetterContext {
                dir: display_path(d),
                root: d.to_path_buf(),
                dockerfile: display_path(&abs_df),
                missing: missing.into_iter().map(|(_, s)| s).collect(),
            });
        }
        dir = d.parent();
    }
    None
}

/// Whether a Dockerfile's text runs a go command that needs a module.
fn runs_go(source: &str) -> bool {
    [
        "go build",
        "go install",
        "go mod download",
        "go test",
        "go vet",
        "go generate",
        "go run",
        "go mod vendor",
    ]
    .iter()
    .any(|c| source.contains(c))
}

/// The config's `contexts:` entry whose glob matches a Dockerfile (relative to the config file).
fn config_context<'a>(
    cache: &ContextCache,
    cfg: &'a LoadedConfig,
    dockerfile: &Path,
) -> Option<&'a config::ContextEntry> {
    let abs = cache.canonical(dockerfile)?;
    let dir = cache.canonical(cfg.dir())?;
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

/// A quick look at the text before parsing it: could some literal COPY/ADD source be missing from
/// the context? `false` only when every such source of simple one-line COPYs exists.
fn may_miss_sources(source: &str, ctx: &Context) -> bool {
    for line in source.lines() {
        let t = line.trim();
        let Some(keyword) = t.get(..4) else { continue };
        let is_copy = keyword.eq_ignore_ascii_case("COPY")
            || (keyword.len() >= 3 && t[..3].eq_ignore_ascii_case("ADD"));
        if !is_copy {
            continue;
        }
        if t.ends_with('\\') || t.ends_with('`') || t.contains('[') || t.contains("<<") {
            return true;
        }
        let words: Vec<&str> = t
            .split_whitespace()
            .skip(1)
            .filter(|w| !w.starts_with("--"))
            .collect();
        if t.contains("--from") || words.len() < 2 {
            continue;
        }
        for w in &words[..words.len() - 1] {
            if w.contains(['$', '*', '?', '{']) || w.contains("://") {
                continue;
            }
            if ctx.tree.kind(&context::context_rel(w)).is_none() {
                return true;
            }
        }
    }
    false
}

/// The errors among files a run loaded once each, sorted.
fn load_errors<T>(loaded: &OnceMap<Arc<Result<T, String>>>) -> Vec<String> {
    let mut errors: Vec<String> = loaded
        .values()
        .iter()
        .filter_map(|r| r.as_ref().as_ref().err().cloned())
        .collect();
    errors.sort();
    errors
}
