//! `gomodfix pr --verify`: build each changed Dockerfile before and after its fixes with the real
//! engine (`docker buildx build`, else `DOCKER_BUILDKIT=1 docker build`). The "after" build runs
//! in a temporary copy of the build context with the fixes written into it, so the checkout is
//! never touched. A fix that breaks a build that succeeded before is not committed.
//!
//! Environment: `GOMODFIX_DOCKER` (the docker program, default `docker`), `GOMODFIX_VERIFY_ARGS`
//! (more build arguments, split on whitespace, e.g. `--network=none`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One Dockerfile built before and after the fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Path relative to the repository root.
    pub dockerfile: String,
    pub before: bool,
    pub after: bool,
    /// The end of the "after" build's output, when it failed.
    pub after_log: String,
}

impl Verified {
    pub fn outcome(&self) -> &'static str {
        match (self.before, self.after) {
            (false, true) => "failed before, builds now",
            (true, true) => "built before, still builds",
            (false, false) => "failed before, still fails",
            (true, false) => "built before, FAILS after the fixes",
        }
    }

    pub fn is_regression(&self) -> bool {
        self.before && !self.after
    }
}

/// The engine: the program and whether it has buildx.
pub struct Engine {
    program: String,
    buildx: bool,
    extra: Vec<String>,
}

impl Engine {
    pub fn detect() -> Engine {
        let program = std::env::var("GOMODFIX_DOCKER")
            .ok()
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "docker".into());
        let buildx = Command::new(&program)
            .args(["buildx", "version"])
            .output()
            .is_ok_and(|o| o.status.success());
        let extra = std::env::var("GOMODFIX_VERIFY_ARGS")
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        Engine {
            program,
            buildx,
            extra,
        }
    }

    /// `docker buildx build` or `docker build`, as the PR body names it.
    pub fn name(&self) -> String {
        format!(
            "{} {}",
            self.program,
            if self.buildx { "buildx build" } else { "build" }
        )
    }

    /// Build; (success, combined output).
    fn build(&self, dockerfile: &Path, context: &Path) -> Result<(bool, String), String> {
        let mut cmd = Command::new(&self.program);
        if self.buildx {
            cmd.args(["buildx", "build"]);
        } else {
            cmd.arg("build").env("DOCKER_BUILDKIT", "1");
        }
        cmd.arg("--progress=plain")
            .args(&self.extra)
            .arg("-f")
            .arg(dockerfile)
            .arg(context);
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run `{}`: {e}", self.name()))?;
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Ok((out.status.success(), text))
    }
}

/// Build every (Dockerfile, context) before and after `writes` (path → (old, new)).
pub fn verify(
    engine: &Engine,
    root: &Path,
    targets: &[(PathBuf, PathBuf)],
    writes: &BTreeMap<PathBuf, (String, String)>,
) -> Result<Vec<Verified>, String> {
    let mut out = Vec::new();
    for (dockerfile, context) in targets {
        let (before, _) = engine.build(dockerfile, context)?;
        let tmp = tempfile::TempDir::new().map_err(|e| e.to_string())?;
        let copy = tmp.path().join("context");
        copy_tree(context, &copy).map_err(|e| format!("copying {}: {e}", context.display()))?;
        for (path, (_, new)) in writes {
            if let Ok(rel) = path.strip_prefix(context) {
                std::fs::write(copy.join(rel), new).map_err(|e| e.to_string())?;
            }
        }
        let fixed_df = match dockerfile.strip_prefix(context) {
            Ok(rel) => copy.join(rel),
            Err(_) => {
                let p = tmp.path().join("Dockerfile");
                let text = match writes.get(dockerfile) {
                    Some((_, new)) => new.clone(),
                    None => std::fs::read_to_string(dockerfile).map_err(|e| e.to_string())?,
                };
                std::fs::write(&p, text).map_err(|e| e.to_string())?;
                p
            }
        };
        let (after, log) = engine.build(&fixed_df, &copy)?;
        let tail: Vec<&str> = log.lines().rev().take(25).collect();
        out.push(Verified {
            dockerfile: dockerfile
                .strip_prefix(root)
                .unwrap_or(dockerfile)
                .to_string_lossy()
                .replace('\\', "/"),
            before,
            after,
            after_log: if after {
                String::new()
            } else {
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            },
        });
    }
    Ok(out)
}

/// Copy a build context, without `.git`.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        if e.file_name() == ".git" {
            continue;
        }
        let dest = to.join(e.file_name());
        let t = e.file_type()?;
        if t.is_dir() {
            copy_tree(&e.path(), &dest)?;
        } else if t.is_symlink() {
            let target = std::fs::read_link(e.path())?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(target, dest)?;
            #[cfg(not(unix))]
            let _ = target;
        } else {
            std::fs::copy(e.path(), dest)?;
        }
    }
    Ok(())
}
