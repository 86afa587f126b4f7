//! Records the git commit the binary is built from, for `gomodfix --version`. Outside a git
//! checkout (the packaged crate from crates.io, a source tarball) or without git it is
//! `unknown`; `GOMODFIX_COMMIT` in the environment wins (for builds from an exported tree).

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=GOMODFIX_COMMIT");
    let commit = std::env::var("GOMODFIX_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| {
            // `cargo package` verifies the packaged copy in the same target directory, where it
            // shares this script's output with the checkout's own build. Cargo.toml.orig exists
            // only in a packaged crate: watching it makes the checkout's next build (where it is
            // missing) run this script again instead of keeping "unknown".
            println!("cargo:rerun-if-changed=Cargo.toml.orig");
            "unknown".into()
        });
    println!("cargo:rustc-env=GOMODFIX_COMMIT={}", commit.trim());
}

fn git_commit() -> Option<String> {
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    // Only the repository this crate is the root of: a packaged crate unpacked inside some
    // other checkout (cargo's registry cache in a repository) must not report that commit.
    let top = git(&dir, &["rev-parse", "--show-toplevel"])?;
    if std::fs::canonicalize(top.trim()).ok()? != std::fs::canonicalize(&dir).ok()? {
        return None;
    }
    // Rebuild when HEAD moves (a commit, a checkout); the paths come from git, so worktrees
    // and submodules work.
    for name in ["HEAD", "logs/HEAD"] {
        if let Some(path) = git(&dir, &["rev-parse", "--git-path", name]) {
            let path = dir.join(path.trim());
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    let hash = git(&dir, &["rev-parse", "--short", "HEAD"])?;
    let hash = hash.trim();
    (!hash.is_empty()).then(|| hash.to_string())
}

fn git(dir: &std::path::Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
