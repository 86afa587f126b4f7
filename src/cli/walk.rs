//! Finding Dockerfiles: the repository walk and how paths are shown.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
            .filter_entry(|e| e.file_name() != ".git")
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
