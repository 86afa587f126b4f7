//! `gomodfix pr --verify`: each changed Dockerfile is built before and after its fixes (here by a
//! stand-in for docker that fails where a real engine would); a fix that breaks a build that
//! succeeded before is not committed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A stand-in for docker without buildx: `build` fails like Go does when the Dockerfile copies
/// no go.mod, and (with FAKE_NO_CACHE_MOUNTS) like an engine without cache mounts. Each build's
/// Dockerfile and DOCKER_BUILDKIT are logged.
const FAKE_DOCKER: &str = r##"#!/bin/sh
if [ "$1" = buildx ]; then echo "docker: 'buildx' is not a docker command." >&2; exit 1; fi
[ "$1" = build ] || exit 3
while [ $# -gt 0 ]; do case "$1" in -f) df="$2"; shift;; esac; ctx="$1"; shift; done
echo "build $df buildkit=$DOCKER_BUILDKIT ctx=$ctx" >> "$FAKE_LOG"
if [ -n "$FAKE_NO_CACHE_MOUNTS" ] && grep -q -- '--mount=type=cache' "$df"; then
  echo "#8 ERROR: the --mount option requires BuildKit" >&2; exit 1
fi
if ! grep -q 'COPY go.mod' "$df"; then
  echo "#8 0.071 go: go.mod file not found in current directory or any parent directory; see 'go help modules'" >&2; exit 1
fi
echo "#9 DONE 0.1s"
"##;

fn repo(dockerfile: &str) -> (TempDir, PathBuf, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let work = tmp.path().join("work");
    git(
        tmp.path(),
        &["init", "-q", "-b", "main", work.to_str().unwrap()],
    );
    for (k, v) in [("user.name", "Dev"), ("user.email", "dev@example.com")] {
        git(&work, &["config", k, v]);
    }
    fs::write(work.join("go.mod"), "module example.com/app\n\ngo 1.22\n").unwrap();
    fs::write(work.join("main.go"), "package main\nfunc main() {}\n").unwrap();
    fs::write(work.join("Dockerfile"), dockerfile).unwrap();
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "init"]);
    let docker = tmp.path().join("docker");
    fs::write(&docker, FAKE_DOCKER).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&docker, fs::Permissions::from_mode(0o755)).unwrap();
    }
    (tmp, work, docker)
}

fn pr(work: &Path, docker: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let log = work.parent().unwrap().join("builds.log");
    let out = Command::new(env!("CARGO_BIN_EXE_gomodfix"))
        .arg("pr")
        .args(args)
        .current_dir(work)
        .env("GOMODFIX_DOCKER", docker)
        .env("FAKE_LOG", &log)
        .env_remove("FAKE_NO_CACHE_MOUNTS")
        .env_remove("GOMODFIX_VERIFY_ARGS")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const NO_GO_MOD: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY *.go ./\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\n";

#[test]
fn a_fix_that_repairs_the_build_is_verified_in_body_and_trailer() {
    let (tmp, work, docker) = repo(NO_GO_MOD);
    let (code, out, err) = pr(&work, &docker, &["--dry-run", "--verify"], &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    let engine = format!("{} build", docker.display());
    assert!(
        out.contains(&format!("\nVerified-with: {engine}\n")),
        "{out}"
    );
    assert!(
        out.contains("Build-verified: Dockerfile (failed before, builds now)"),
        "{out}"
    );
    assert!(out.contains("### Builds verified"), "{out}");
    assert!(out.contains("| `Dockerfile` | fails | builds |"), "{out}");
    // Before in the checkout, after in a copy; `docker build` with BuildKit on (no buildx).
    let builds = fs::read_to_string(tmp.path().join("builds.log")).unwrap();
    let lines: Vec<&str> = builds.lines().collect();
    assert_eq!(lines.len(), 2, "{builds}");
    assert!(
        lines[0].contains(&format!("{}/Dockerfile", work.display())),
        "{builds}"
    );
    assert!(!lines[1].contains(&work.display().to_string()), "{builds}");
    assert!(lines.iter().all(|l| l.contains("buildkit=1")), "{builds}");
    // Nothing in the checkout changed.
    assert_eq!(
        fs::read_to_string(work.join("Dockerfile")).unwrap(),
        NO_GO_MOD
    );
}

#[test]
fn a_fix_that_breaks_a_working_build_is_not_committed() {
    let builds = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod ./\nCOPY *.go ./\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\n";
    let (_tmp, work, docker) = repo(builds);
    let head = git(&work, &["rev-parse", "HEAD"]);
    let (code, out, err) = pr(
        &work,
        &docker,
        &["--verify"],
        &[
            ("FAKE_NO_CACHE_MOUNTS", "1"),
            ("GITHUB_REPOSITORY", "acme/app"),
        ],
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("the fixes break the build of Dockerfile, which built before"),
        "{err}"
    );
    assert!(err.contains("nothing committed"), "{err}");
    assert!(
        err.contains("the --mount option requires BuildKit"),
        "{err}"
    );
    // No commit, no branch, no change.
    assert_eq!(git(&work, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(&work, &["branch", "--list", "gomodfix/fix"]), "");
    assert_eq!(git(&work, &["status", "--porcelain"]), "");
}

#[test]
fn without_verify_nothing_is_built() {
    let (tmp, work, docker) = repo(NO_GO_MOD);
    let (code, out, _) = pr(&work, &docker, &["--dry-run"], &[]);
    assert_eq!(code, 0);
    assert!(!out.contains("Verified-with"), "{out}");
    assert!(!tmp.path().join("builds.log").exists());
}
