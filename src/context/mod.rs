//! The build context: where it is, how it was found, and the Go facts it holds.
//!
//! All file-system access for contexts happens here, once per context per run; rules only see
//! the resulting [`Context`], so the CLI, the language server and tests run the same rules. One
//! exception, on purpose: the import lines of Go files ([`ContextTree::go_imports`]) are read
//! when a rule asks, which it does only when `.dockerignore` hides a Go package.

pub mod ci;
pub mod discovery;
pub mod dockerignore;
pub mod gomod;
pub mod imports;
pub mod sources;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use dockerignore::DockerIgnore;
pub use gomod::{GoMod, GoWork};

/// How a Dockerfile's context was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// No other information: the Dockerfile's own folder, as `docker build .` beside it.
    DockerfileDir,
    /// `--context DIR` on the command line.
    Flag,
    /// Nothing names a context, and the Dockerfile's own folder lacks its COPY sources (or the
    /// go.mod its go commands need) while a folder above has them all: the Dockerfile is written
    /// for that folder, so it is checked there.
    Inferred,
    /// A compose, bake, CI, make or config file named it: the file, the lines when known (one
    /// per entry that builds it alike), and the services, targets or commands in it.
    File {
        path: PathBuf,
        lines: Vec<usize>,
        entry: String,
    },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::DockerfileDir => write!(f, "the Dockerfile's folder (default)"),
            Origin::Flag => write!(f, "--context"),
            Origin::Inferred => write!(
                f,
                "the COPY sources (inferred: the Dockerfile's folder lacks them or go.mod, this folder has them)"
            ),
            Origin::File { path, lines, entry } => {
                write!(f, "{}", path.display())?;
                for (i, l) in lines.iter().enumerate() {
                    write!(f, "{}{l}", if i == 0 { ":" } else { "," })?;
                }
                write!(f, " ({entry})")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
}

/// Most entries read from one context; a larger tree is treated as unknown.
pub const MAX_ENTRIES: usize = 200_000;

/// A listing of a context directory with its go.mod and go.work files parsed.
#[derive(Debug, Default)]
pub struct ContextTree {
    pub root: PathBuf,
    entries: BTreeMap<String, EntryKind>,
    /// go.mod files by their directory (`""` is the context root). Boxed: a map node holds
    /// eleven values, and most contexts have one go.mod.
    pub modules: BTreeMap<String, Result<Box<GoMod>, String>>,
    /// go.work files by their directory.
    pub works: BTreeMap<String, Result<GoWork, String>>,
    /// `vendor/modules.txt` of each module that has one, by the module's directory.
    pub vendored: BTreeMap<String, gomod::VendorList>,
    /// The listing stopped at [`MAX_ENTRIES`]: absence of a file proves nothing.
    pub truncated: bool,
    /// go.work files that the context root's `.gitignore` ignores (a developer's local file).
    pub git_ignored: std::collections::BTreeSet<String>,
    /// The text of `.go` files of an in-memory tree ([`ContextTree::from_files`]); a tree read
    /// from disk reads them there when asked ([`ContextTree::go_imports`]).
    go_sources: BTreeMap<String, String>,
    /// The .gitignore files of the context root and the folders above it up to the repository
    /// root, each rooted where it lies: what git ignores is made on the host, not checked out.
    git_ignores: Vec<ignore::gitignore::Gitignore>,
}

/// What `read_dir` says an entry is, without following links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    Other,
}

/// One folder's entries, as one `read_dir` gives them, sorted by name.
#[derive(Debug, Default)]
pub struct Listing {
    pub entries: Vec<(String, EntryType)>,
}

impl Listing {
    /// `None` when the folder cannot be read.
    pub fn read(dir: &Path) -> Option<Listing> {
        let entries = std::fs::read_dir(dir).ok()?;
        let mut entries: Vec<(String, EntryType)> = entries
            .flatten()
            .map(|e| {
                let kind = match e.file_type() {
                    Ok(t) if t.is_dir() => EntryType::Dir,
                    Ok(t) if t.is_file() => EntryType::File,
                    Ok(t) if t.is_symlink() => EntryType::Symlink,
                    _ => EntryType::Other,
                };
                (e.file_name().to_string_lossy().into_owned(), kind)
            })
            .collect();
        // Sorted, so that a folder of thousands of Dockerfiles is not searched linearly per file.
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Some(Listing { entries })
    }

    pub fn get(&self, name: &str) -> Option<EntryType> {
        self.entries
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.entries[i].1)
    }
}

impl ContextTree {
    /// Read a context directory (without `.git`).
    pub fn load(root: &Path) -> ContextTree {
        ContextTree::load_from(root, Listing::read(root).as_ref())
    }

    /// Read a context directory whose top folder was already listed.
    pub fn load_from(root: &Path, top: Option<&Listing>) -> ContextTree {
        let mut tree = ContextTree {
            root: root.to_path_buf(),
            git_ignores: gitignores_up_to_repository(root),
            ..Default::default()
        };
        // Plain read_dir, depth first, without following links: everything the engine would send
        // (`.git` aside), which .dockerignore then filters.
        let mut stack = vec![(root.to_path_buf(), String::new())];
        let mut first = true;
        'walk: while let Some((dir, prefix)) = stack.pop() {
            let read;
            let listing = if std::mem::take(&mut first) {
                top
            } else {
                read = Listing::read(&dir);
                read.as_ref()
            };
            let Some(listing) = listing else {
                continue;
            };
            for (name, kind) in &listing.entries {
                if name == ".git" {
                    continue;
                }
                if tree.entries.len() >= MAX_ENTRIES {
                    tree.truncated = true;
                    break 'walk;
                }
                let rel = join_rel(&prefix, name);
                let is_dir = *kind == EntryType::Dir;
                if is_dir {
                    stack.push((dir.join(name), rel.clone()));
                }
                tree.entries.insert(
                    rel,
                    if is_dir {
                        EntryKind::Dir
                    } else {
                        EntryKind::File
                    },
                );
            }
        }
        let files: Vec<String> = tree
            .entries
            .iter()
            .filter(|(p, k)| {
                **k == EntryKind::File && (p.ends_with("go.mod") || p.ends_with("go.work"))
            })
            .map(|(p, _)| p.clone())
            .collect();
        // Only go.work files are checked against .gitignore: build the matcher only for them.
        let gitignore = files
            .iter()
            .any(|f| f.ends_with("go.work"))
            .then(|| {
                let mut b = ignore::gitignore::GitignoreBuilder::new(root);
                b.add(root.join(".gitignore"));
                b.build().ok()
            })
            .flatten();
        for rel in files {
            if let Some(g) = &gitignore
                && rel.ends_with("go.work")
                && g.matched_path_or_any_parents(&rel, false).is_ignore()
                && !git_tracks(root, &rel)
            {
                tree.git_ignored.insert(rel.clone());
            }
            let (dir, name) = split_dir(&rel);
            if name != "go.mod" && name != "go.work" {
                continue;
            }
            let text = std::fs::read_to_string(root.join(&rel)).map_err(|e| e.to_string());
            if name == "go.mod" {
                let m = text.and_then(|t| {
                    gomod::parse_go_mod(&t)
                        .map(Box::new)
                        .map_err(|e| format!("{rel}: {e}"))
                });
                tree.modules.insert(dir.to_string(), m);
            } else {
                let w =
                    text.and_then(|t| gomod::parse_go_work(&t).map_err(|e| format!("{rel}: {e}")));
                tree.works.insert(dir.to_string(), w);
            }
        }
        // vendor/modules.txt beside each module, for the vendoring consistency check (GM005).
        let module_dirs: Vec<String> = tree.modules.keys().cloned().collect();
        for dir in module_dirs {
            let rel = join_rel(&dir, "vendor/modules.txt");
            if tree.entries.get(&rel) == Some(&EntryKind::File)
                && let Ok(text) = std::fs::read_to_string(root.join(&rel))
            {
                tree.vendored.insert(dir, gomod::parse_modules_txt(&text));
            }
        }
        tree
    }

    /// Build a tree from in-memory files (tests, stdin).
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> ContextTree {
        let mut tree = ContextTree::default();
        for (path, text) in files {
            let mut dir = split_dir(path).0;
            while !dir.is_empty() {
                tree.entries.insert(dir.to_string(), EntryKind::Dir);
                dir = split_dir(dir).0;
            }
            tree.entries.insert(path.to_string(), EntryKind::File);
            let (dir, name) = split_dir(path);
            if name == "go.mod" {
                tree.modules.insert(
                    dir.to_string(),
                    gomod::parse_go_mod(text)
                        .map(Box::new)
                        .map_err(|e| e.to_string()),
                );
            } else if name == "go.work" {
                tree.works.insert(
                    dir.to_string(),
                    gomod::parse_go_work(text).map_err(|e| e.to_string()),
                );
            } else if name.ends_with(".go") {
                tree.go_sources.insert(path.to_string(), text.to_string());
            }
        }
        tree
    }

    pub fn kind(&self, rel: &str) -> Option<EntryKind> {
        if rel.is_empty() {
            return Some(EntryKind::Dir);
        }
        self.entries.get(rel).copied()
    }

    /// Whether git ignores a context path (a .gitignore of the context root or a folder above
    /// it up to the repository root says so): a file made on the host, such as `dist/app` built
    /// by `make` before `docker build`, or a `.env` each developer writes.
    pub fn git_ignores(&self, rel: &str) -> bool {
        let path = self.root.join(rel);
        // The path is missing, so whether it is a folder is unknown: `dist/` matches folders.
        self.git_ignores.iter().any(|g| {
            [false, true]
                .into_iter()
                .any(|dir| g.matched_path_or_any_parents(&path, dir).is_ignore())
        })
    }

    /// The import paths of a `.go` file of the context (read from disk for a loaded tree).
    pub fn go_imports(&self, rel: &str) -> Vec<String> {
        self.go_head(rel)
            .map(|t| imports::parse_imports(&t))
            .unwrap_or_default()
    }

    /// The imports and build constraint of a `.go` file of the context.
    pub fn go_file(&self, rel: &str) -> Option<imports::GoFile> {
        self.go_head(rel).map(|t| imports::parse_file(&t))
    }

    fn go_head(&self, rel: &str) -> Option<String> {
        match self.go_sources.get(rel) {
            Some(text) => Some(text.clone()),
            None if !self.root.as_os_str().is_empty() => imports::read_head(&self.root.join(rel)),
            None => None,
        }
    }

    /// Entries directly or indirectly below `dir` (`""` for all).
    pub fn below<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, EntryKind)> + 'a {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.entries
            .range(prefix.clone()..)
            .take_while(move |(p, _)| p.starts_with(&prefix))
            .map(|(p, k)| (p.as_str(), *k))
    }

    /// Files matching a COPY glob source (context-relative, `*` does not cross `/`).
    pub fn glob(&self, pattern: &str) -> Vec<(&str, EntryKind)> {
        let Ok(g) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        else {
            return Vec::new();
        };
        let m = g.compile_matcher();
        self.entries
            .iter()
            .filter(|(p, _)| m.is_match(p.as_str()))
            .map(|(p, k)| (p.as_str(), *k))
            .collect()
    }
}

/// `("a/b", "go.mod")` for `"a/b/go.mod"`, `("", "go.mod")` for `"go.mod"`.
pub fn split_dir(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(p) => (&path[..p], &path[p + 1..]),
        None => ("", path),
    }
}

/// `dir/name`, or `name` at the root.
pub fn join_rel(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if name.is_empty() {
        dir.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A COPY source as a context-relative path: leading `/` and `./` removed, `..` clamped at the
/// root (BuildKit never leaves the context).
pub fn context_rel(source: &str) -> String {
    crate::syntax::join_path("/", source)
        .trim_start_matches('/')
        .to_string()
}

/// `rel` (a path written in a go.mod or go.work in context directory `dir`) as a
/// context-relative path; `None` when it leaves the context (`../lib` from the root).
pub fn resolve_in_context(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        return None;
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// One Dockerfile's build context with everything rules need to know about it.
#[derive(Debug, Clone)]
pub struct Context {
    pub tree: Arc<ContextTree>,
    pub dockerignore: Option<DockerIgnore>,
    /// The Dockerfile's path relative to the context root, when it lies inside it.
    pub dockerfile: Option<String>,
    pub origin: Origin,
    pub target: Option<String>,
    pub build_args: BTreeMap<String, String>,
    /// Platforms the file builds for (compose/bake `platforms`, CI `--platform`, goreleaser).
    pub platforms: Vec<String>,
    /// Which file says so (`.github/workflows/release.yml:42`), for messages.
    pub platforms_from: Option<String>,
    /// A folder above the context where the Dockerfile's missing COPY sources exist (found by
    /// the loader for default contexts only).
    pub better_context: Option<BetterContext>,
    /// For an [`Origin::Inferred`] context: why (what the Dockerfile's own folder lacked).
    pub inferred: Option<BetterContext>,
    /// What the file that names this context runs before the build (a Makefile target's
    /// prerequisites, earlier recipe words): sources it names may be made by then.
    pub prepared_by: Vec<String>,
}

/// A context that would work for a Dockerfile, as paths to show the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BetterContext {
    /// The folder, relative to the current directory.
    pub dir: String,
    /// The same folder, absolute.
    pub root: PathBuf,
    /// The Dockerfile, relative to the current directory.
    pub dockerfile: String,
    /// The sources the context lacks; empty when what it lacks is go.mod (the COPY sources are
    /// all there, but the go commands have no module; the folder has one).
    pub missing: Vec<String>,
}

impl Context {
    pub fn new(tree: Arc<ContextTree>, origin: Origin) -> Context {
        Context {
            tree,
            dockerignore: None,
            dockerfile: None,
            origin,
            target: None,
            build_args: BTreeMap::new(),
            platforms: Vec::new(),
            platforms_from: None,
            better_context: None,
            inferred: None,
            prepared_by: Vec::new(),
        }
    }

    /// Whether absence in the listing means absence on disk.
    pub fn complete(&self) -> bool {
        !self.tree.truncated
    }

    pub fn excluded(&self, rel: &str) -> bool {
        self.dockerignore.as_ref().is_some_and(|d| d.excludes(rel))
    }

    /// The path exists in the context and `.dockerignore` lets it through.
    pub fn sends(&self, rel: &str) -> bool {
        self.tree.kind(rel).is_some() && !self.excluded(rel)
    }

    pub fn is_dir(&self, rel: &str) -> bool {
        self.tree.kind(rel) == Some(EntryKind::Dir)
    }

    /// The parsed go.mod of a directory, when it exists and parses.
    pub fn go_mod(&self, dir: &str) -> Option<&GoMod> {
        self.tree.modules.get(dir).and_then(|r| r.as_deref().ok())
    }

    /// The text of a context file a fix may edit (`.dockerignore`), empty when it does not exist.
    pub fn file_text(&self, rel: &str) -> String {
        match &self.dockerignore {
            Some(d) if d.file == rel => d.text.clone(),
            _ => std::fs::read_to_string(self.tree.root.join(rel)).unwrap_or_default(),
        }
    }

    /// This context as it is after fixes edited some of its files (path → new text).
    pub fn with_edited_files(&self, files: &BTreeMap<String, String>) -> Context {
        let mut c = self.clone();
        let ignore_file = c
            .dockerignore
            .as_ref()
            .map_or(".dockerignore".to_string(), |d| d.file.clone());
        if let Some(text) = files.get(&ignore_file)
            && let Ok(d) = DockerIgnore::parse(text, &ignore_file)
        {
            c.dockerignore = Some(d);
        }
        c
    }

    /// The context-relative path of the .dockerignore that applies (`.dockerignore` when there
    /// is none yet).
    pub fn dockerignore_file(&self) -> String {
        self.dockerignore
            .as_ref()
            .map_or(".dockerignore".to_string(), |d| d.file.clone())
    }

    /// The Dockerfile's folder, relative to the context.
    pub fn dockerfile_dir(&self) -> Option<&str> {
        self.dockerfile.as_deref().map(|p| split_dir(p).0)
    }
}

/// The `.dockerignore` that applies to a Dockerfile, with its context-relative path:
/// `<Dockerfile>.dockerignore` beside it wins over the context root's `.dockerignore`. Files the
/// context's listing does not have are not looked for on disk.
pub fn dockerignore_for(tree: &ContextTree, dockerfile: &Path) -> Option<(PathBuf, String)> {
    let context_root = tree.root.as_path();
    let mut specific = dockerfile.as_os_str().to_owned();
    specific.push(".dockerignore");
    let candidates = [PathBuf::from(specific), context_root.join(".dockerignore")];
    candidates.into_iter().find_map(|path| {
        let rel = path
            .strip_prefix(context_root)
            .ok()
            .map(|r| r.to_string_lossy().replace('\\', "/"));
        let listed = match &rel {
            Some(rel) if !tree.truncated => tree.kind(rel) == Some(EntryKind::File),
            _ => path.is_file(),
        };
        listed.then(|| {
            let label = rel.unwrap_or_else(|| path.to_string_lossy().replace('\\', "/"));
            (path, label)
        })
    })
}

/// Read and compile a `.dockerignore` (`None` when it is not there after all: a dangling link).
/// Its `file` is `label`.
pub fn read_dockerignore(path: &Path, label: &str) -> Option<Result<DockerIgnore, String>> {
    let bytes = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        other => other,
    };
    Some(
        bytes
            .map_err(|e| format!("{}: {e}", path.display()))
            .and_then(|b| {
                String::from_utf8(b).map_err(|_| format!("{}: not UTF-8", path.display()))
            })
            .and_then(|t| {
                DockerIgnore::parse(&t, label)
                    .map_err(|e| format!("{}:{}: {}", path.display(), e.line, e.message))
            }),
    )
}

/// Whether git's index holds `rel` (below `root`): a file added with `git add -f` is tracked
/// however `.gitignore` reads. False outside a git checkout or without git.
/// The .gitignore matchers of `root` and the folders above it, up to the one holding `.git`
/// (none above when `root` is not in a repository: then only its own).
fn gitignores_up_to_repository(root: &Path) -> Vec<ignore::gitignore::Gitignore> {
    let mut out = Vec::new();
    let mut dir = Some(root);
    for _ in 0..16 {
        let Some(d) = dir else { break };
        if d.join(".gitignore").is_file() {
            let mut b = ignore::gitignore::GitignoreBuilder::new(d);
            b.add(d.join(".gitignore"));
            if let Ok(g) = b.build() {
                out.push(g);
            }
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    if !root.join(".git").exists() && !root.ancestors().any(|a| a.join(".git").exists()) {
        out.truncate(usize::from(root.join(".gitignore").is_file()));
    }
    out
}

fn git_tracks(root: &Path, rel: &str) -> bool {
    std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["ls-files", "--error-unmatch", "--", rel])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
