//! Finding Dockerfiles: the repository walk and how paths are shown.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Extensions of files whose names start like a Dockerfile's but that are something else:
/// documentation, Go sources and tests (`dockerfile_parser_test.go`), data, scripts, templates
/// that are rendered into a Dockerfile before any build (`Dockerfile.tmpl`, `Dockerfile.in`),
/// and editor or patch leftovers.
const NOT_DOCKERFILE_EXTENSIONS: &[&str] = &[
    "md",
    "markdown",
    "txt",
    "rst",
    "adoc",
    "html",
    "go",
    "rs",
    "py",
    "js",
    "ts",
    "sh",
    "bash",
    "json",
    "yaml",
    "yml",
    "toml",
    "xml",
    "lock",
    "sum",
    "mod",
    "tmpl",
    "tpl",
    "template",
    "j2",
    "jinja",
    "jinja2",
    "erb",
    "in",
    "orig",
    "rej",
    "bak",
    "swp",
    "patch",
    "diff",
    "log",
    "png",
    "svg",
    "jpg",
    "pdf",
    "dockerignore",
];

/// Folders the walk skips unless named on the command line: other people's code and test data,
/// never built by this repository's Dockerfiles and never to be rewritten.
pub const SKIPPED_DIRS: &[&str] = &[
    "vendor",
    "testdata",
    "node_modules",
    "third_party",
    "third-party",
];

/// Whether a file name is a Dockerfile by convention.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower
        .rsplit_once('.')
        .is_some_and(|(_, ext)| NOT_DOCKERFILE_EXTENSIONS.contains(&ext))
    {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || ["dockerfile", "containerfile"].iter().any(|stem| {
            lower
                .strip_prefix(stem)
                .is_some_and(|rest| rest.starts_with(['.', '-', '_']))
        })
}

/// Find the Dockerfiles under the given paths, in a stable order.
pub fn discover(paths: &[PathBuf], include: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let (found, errors) = discover_with(paths, include, |_| ());
    (found.into_iter().map(|(p, ())| p).collect(), errors)
}

/// Find the Dockerfiles under the given paths and run `visit` on each as soon as it is found, on
/// the walker's threads, so that reading folders overlaps with checking files. Results come back
/// in the same stable order as [`discover`]: the paths in the order given, the files found under
/// a folder sorted; errors sorted.
pub fn discover_with<T: Send>(
    paths: &[PathBuf],
    include: &[String],
    visit: impl Fn(&Path) -> T + Sync,
) -> (Vec<(PathBuf, T)>, Vec<String>) {
    let mut files: Vec<(PathBuf, T)> = Vec::new();
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
            // A file, or a folder named on the command line as if it were a Dockerfile (which
            // then gets its "is a directory" error instead of a silent walk).
            Ok(_)
                if !root.is_dir()
                    || root
                        .file_name()
                        .is_some_and(|n| is_dockerfile_name(&n.to_string_lossy())) =>
            {
                let value = visit(root);
                files.push((root.clone(), value));
                continue;
            }
            Ok(_) => {}
        }
        let found = Mutex::new(Vec::new());
        let walk_errors = Mutex::new(Vec::new());
        ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .filter_entry(|e| {
                let name = e.file_name();
                name != ".git"
                    && !(e.depth() > 0
                        && e.file_type().is_some_and(|t| t.is_dir())
                        && SKIPPED_DIRS.iter().any(|d| name == *d))
            })
            .threads(rayon::current_num_threads())
            .build_parallel()
            .run(|| {
                Box::new(|entry| {
                    match entry {
                        Ok(e) => {
                            if !e.file_type().is_some_and(|t| t.is_file() || t.is_symlink()) {
                                return ignore::WalkState::Continue;
                            }
                            let name = e.file_name().to_string_lossy();
                            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                            if is_dockerfile_name(&name)
                                || extra.is_match(rel)
                                || extra.is_match(name.as_ref())
                            {
                                let path = clean_path(e.path());
                                let value = visit(&path);
                                lock(&found).push((path, value));
                            }
                        }
                        Err(e) => lock(&walk_errors).push(e.to_string()),
                    }
                    ignore::WalkState::Continue
                })
            });
        let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        found.sort_by(|a, b| a.0.cmp(&b.0));
        files.extend(found);
        let mut walk_errors = walk_errors.into_inner().unwrap_or_else(|e| e.into_inner());
        walk_errors.sort();
        errors.extend(walk_errors);
    }
    files.dedup_by(|a, b| a.0 == b.0);
    (files, errors)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn clean_path(p: &Path) -> PathBuf {
    p.strip_prefix("./")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

/// A path as shown to the user and in diff headers: relative to the current directory when it
/// lies below it.
pub fn display_path(p: &Path) -> String {
    let cwd = || std::env::current_dir().ok();
    let shown = match p.is_absolute().then(cwd).flatten() {
        Some(cwd) => p
            .strip_prefix(cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf()),
        None => clean_path(p),
    };
    let shown = shown.to_string_lossy().replace('\\', "/");
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for yes in [
            "Dockerfile",
            "Containerfile",
            "dockerfile",
            "Dockerfile.dev",
            "Dockerfile.alpine-3.19",
            "Dockerfile-arm64",
            "Dockerfile_build",
            "api.Dockerfile",
            "x.containerfile",
        ] {
            assert!(is_dockerfile_name(yes), "{yes}");
        }
        for no in [
            "dockerfile_parser_test.go",
            "Dockerfile_test.go",
            "Dockerfile.md",
            "Dockerfile.txt",
            "Dockerfile.tmpl",
            "Dockerfile.in",
            "Dockerfile.dockerignore",
            "Dockerfile.yaml",
            "dockerfiles.go",
            "README.md",
        ] {
            assert!(!is_dockerfile_name(no), "{no}");
        }
    }
}
