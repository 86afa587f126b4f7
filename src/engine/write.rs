//! Writing fixes: atomic replacement of files, and the context files several Dockerfiles edit.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{FileReport, display_path};

/// The context files a report's fixes edit: (path, old text, new text).
pub fn side_proposals(r: &FileReport) -> Vec<(PathBuf, String, String)> {
    let (Some(outcome), Some(root)) = (&r.fixed, &r.context_root) else {
        return Vec::new();
    };
    outcome
        .side_files
        .iter()
        .map(|(rel, (old, new))| (root.join(rel), old.clone(), new.clone()))
        .collect()
}

/// The context files (.dockerignore) that fixes of several Dockerfiles edit, merged: identical
/// proposals are one; proposals that only append lines are combined (each new line once);
/// anything else is a conflict and is not written.
pub fn merge_side_files(
    proposed: impl IntoIterator<Item = (PathBuf, String, String)>,
) -> (BTreeMap<PathBuf, (String, String)>, Vec<String>) {
    let mut proposals: BTreeMap<PathBuf, (String, Vec<String>)> = BTreeMap::new();
    for (path, old, new) in proposed {
        proposals
            .entry(path)
            .or_insert_with(|| (old, Vec::new()))
            .1
            .push(new);
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
pub fn write_context_file(path: &Path, old: &str, new: &str) -> Result<(), String> {
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
