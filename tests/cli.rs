//! The command line as users and CI meet it: exit codes, `--diff` that `git apply` accepts,
//! `--write` producing the same bytes, the directory walk, and one clear error per bad file.

use std::fs;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::TempDir;

mod common;
use common::{BROKEN, GO_MOD, GO_SUM, project};

const CLEAN: &str = "FROM golang:1.22 AS build
ENV GO111MODULE=on CGO_ENABLED=0
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go build -o /app .

FROM scratch
ENV GOENV=off
COPY --from=build /app /app
";

fn gomodfix(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("gomodfix").unwrap();
    c.current_dir(dir).env_remove("NO_COLOR");
    c
}

#[test]
fn clean_file_exits_zero() {
    let dir = project(CLEAN);
    gomodfix(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("All checks passed"));
}

#[test]
fn findings_exit_one_with_locations_and_diff() {
    let dir = project(BROKEN);
    gomodfix(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Dockerfile:3:1: GM001 warning:"))
        .stdout(predicate::str::contains(
            "--- a/Dockerfile\n+++ b/Dockerfile\n",
        ))
        .stdout(predicate::str::contains("fixable with `--write`"))
        // Not a terminal: no colour codes.
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn color_always_colours_and_no_color_env_is_respected_in_auto() {
    let dir = project(BROKEN);
    gomodfix(dir.path())
        .arg("--color=always")
        .assert()
        .stdout(predicate::str::contains("\x1b["));
    gomodfix(dir.path())
        .env("NO_COLOR", "1")
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn diff_applies_with_git_and_equals_write() {
    let dir = project(BROKEN);
    let out = gomodfix(dir.path())
        .arg("--diff")
        .assert()
        .code(1)
        .get_output()
        .clone();
    let patch = String::from_utf8(out.stdout).unwrap();
    assert!(patch.starts_with("--- a/Dockerfile\n"), "{patch}");

    // Apply the patch to a copy with git apply -p1.
    let copy = project(BROKEN);
    fs::write(copy.path().join("fix.patch"), &patch).unwrap();
    let status = Process::new("git")
        .args(["apply", "-p1", "fix.patch"])
        .current_dir(copy.path())
        .status()
        .unwrap();
    assert!(status.success());

    // --write on the original gives the same bytes.
    gomodfix(dir.path()).arg("--write").assert().code(0);
    assert_eq!(
        fs::read(dir.path().join("Dockerfile")).unwrap(),
        fs::read(copy.path().join("Dockerfile")).unwrap()
    );
    // And now there is nothing left to do.
    gomodfix(dir.path())
        .arg("--diff")
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn diff_paths_are_relative_to_the_current_directory() {
    let root = TempDir::new().unwrap();
    let sub = root.path().join("svc");
    fs::create_dir(&sub).unwrap();
    for (name, text) in [
        ("go.mod", GO_MOD),
        ("go.sum", GO_SUM),
        ("Dockerfile", BROKEN),
    ] {
        fs::write(sub.join(name), text).unwrap();
    }
    let out = gomodfix(root.path())
        .args(["--diff", "svc"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let patch = String::from_utf8(out.stdout).unwrap();
    assert!(
        patch.starts_with("--- a/svc/Dockerfile\n+++ b/svc/Dockerfile\n"),
        "{patch}"
    );
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let df = "FROM golang:1.22\nENV GO111MODULE=off GOENV=off\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build go mod download\n";
    let dir = project(df);
    gomodfix(dir.path())
        .arg("--write")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[unsafe fix]"));
    assert!(
        fs::read_to_string(dir.path().join("Dockerfile"))
            .unwrap()
            .contains("GO111MODULE=off")
    );
    gomodfix(dir.path())
        .args(["--write", "--unsafe-fixes"])
        .assert()
        .code(0);
    assert!(
        fs::read_to_string(dir.path().join("Dockerfile"))
            .unwrap()
            .contains("GO111MODULE=on")
    );
}

#[test]
fn walk_honours_gitignore_and_finds_dockerfile_names() {
    let dir = project(BROKEN);
    fs::write(dir.path().join(".gitignore"), "ignored/\n").unwrap();
    for sub in ["ignored", "deploy", "more"] {
        fs::create_dir(dir.path().join(sub)).unwrap();
    }
    fs::write(dir.path().join("ignored/Dockerfile"), BROKEN).unwrap();
    fs::write(dir.path().join("deploy/api.Dockerfile"), BROKEN).unwrap();
    fs::write(dir.path().join("deploy/Dockerfile.dev"), BROKEN).unwrap();
    fs::write(dir.path().join("deploy/Dockerfile-for-worker"), BROKEN).unwrap();
    fs::write(dir.path().join("deploy/Dockerfile.dockerignore"), "x\n").unwrap();
    fs::write(dir.path().join("more/Containerfile"), BROKEN).unwrap();
    fs::write(dir.path().join("more/build.docker"), BROKEN).unwrap();
    let out = gomodfix(dir.path()).assert().code(1).get_output().clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("deploy/api.Dockerfile:"));
    assert!(stdout.contains("deploy/Dockerfile.dev:"));
    assert!(stdout.contains("more/Containerfile:"));
    assert!(stdout.contains("deploy/Dockerfile-for-worker:"));
    assert!(!stdout.contains("ignored/"));
    assert!(!stdout.contains("Dockerfile.dockerignore"));
    assert!(!stdout.contains("build.docker"));
    assert!(stdout.contains("in 5 Dockerfile(s)"), "{stdout}");
    // --include adds other names.
    let out = gomodfix(dir.path())
        .args(["--include", "*.docker"])
        .assert()
        .get_output()
        .clone();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("more/build.docker:")
    );
}

/// Files named like a Dockerfile that are not one (Go tests, docs, templates) are not checked,
/// and vendored/test-data/third-party trees are not walked; naming them on the command line
/// still checks them.
#[test]
fn walk_skips_other_peoples_trees_and_non_dockerfiles() {
    let dir = project(BROKEN);
    for sub in [
        "vendor/github.com/x/y",
        "testdata",
        "node_modules/pkg",
        "third_party/lib",
        "third-party/lib",
        "internal/parser",
        "docs",
    ] {
        fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    for f in [
        "vendor/github.com/x/y/Dockerfile",
        "testdata/Dockerfile",
        "node_modules/pkg/Dockerfile",
        "third_party/lib/Dockerfile",
        "third-party/lib/Dockerfile",
    ] {
        fs::write(dir.path().join(f), BROKEN).unwrap();
    }
    fs::write(
        dir.path().join("internal/parser/dockerfile_parser_test.go"),
        "package parser\n",
    )
    .unwrap();
    fs::write(dir.path().join("docs/Dockerfile.md"), "# Dockerfile\n").unwrap();
    fs::write(dir.path().join("Dockerfile.tmpl"), "FROM {{ .Image }}\n").unwrap();
    let out = gomodfix(dir.path()).assert().code(1).get_output().clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stdout.contains("in 1 Dockerfile(s)"), "{stdout}");
    for name in [
        "vendor/",
        "testdata/",
        "node_modules/",
        "third_party/",
        "third-party/",
        "_test.go",
        "Dockerfile.md",
        "Dockerfile.tmpl",
    ] {
        assert!(!stdout.contains(name), "{name}: {stdout}");
        assert!(!stderr.contains(name), "{name}: {stderr}");
    }
    // Named on the command line: checked.
    let out = gomodfix(dir.path())
        .args(["testdata", "vendor/github.com/x/y/Dockerfile"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("testdata/Dockerfile:"), "{stdout}");
    assert!(
        stdout.contains("vendor/github.com/x/y/Dockerfile:"),
        "{stdout}"
    );
}

/// Files are checked on the walker's threads as they are found; what is printed must not
/// depend on which thread finished first: sorted by path, and the same bytes every run.
#[test]
fn output_order_is_sorted_and_the_same_every_run() {
    let dir = project(BROKEN);
    let mut expected = vec!["Dockerfile".to_string()];
    for team in ["b", "a", "c"] {
        for svc in 0..12 {
            let sub = format!("{team}/svc{svc:02}");
            fs::create_dir_all(dir.path().join(&sub)).unwrap();
            for (name, text) in [
                ("Dockerfile", BROKEN),
                ("go.mod", GO_MOD),
                ("go.sum", GO_SUM),
            ] {
                fs::write(dir.path().join(&sub).join(name), text).unwrap();
            }
            expected.push(format!("{sub}/Dockerfile"));
        }
    }
    expected.sort();
    let run = |args: &[&str]| {
        let out = gomodfix(dir.path()).args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    for args in [&["--output-format", "concise"][..], &["--diff"][..]] {
        let first = run(args);
        let files: Vec<String> = first
            .lines()
            .filter_map(|l| l.strip_prefix("--- a/"))
            .map(str::to_string)
            .collect();
        assert_eq!(files, expected, "{args:?}");
        for _ in 0..3 {
            assert_eq!(run(args), first, "{args:?}");
        }
    }
}

#[test]
fn context_flag_makes_subfolder_paths_context_relative() {
    let root = TempDir::new().unwrap();
    let api = root.path().join("services/api");
    fs::create_dir_all(&api).unwrap();
    fs::write(api.join("go.mod"), GO_MOD).unwrap();
    fs::write(api.join("go.sum"), GO_SUM).unwrap();
    fs::write(
        api.join("Dockerfile"),
        "FROM golang:1.22\nWORKDIR /src\nCOPY services/api/ ./\nRUN go build -o /app .\n",
    )
    .unwrap();
    let out = gomodfix(root.path())
        .args(["--diff", "--context", ".", "services/api/Dockerfile"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let patch = String::from_utf8(out.stdout).unwrap();
    assert!(
        patch.contains("+COPY services/api/go.mod services/api/go.sum ./\n"),
        "{patch}"
    );
}

#[test]
fn bad_files_get_one_line_errors_and_the_run_continues() {
    let dir = project(BROKEN);
    fs::create_dir(dir.path().join("bin")).unwrap();
    fs::write(dir.path().join("bin/Dockerfile"), b"FROM a\0\x01\x02").unwrap();
    fs::create_dir(dir.path().join("latin1")).unwrap();
    fs::write(
        dir.path().join("latin1/Dockerfile"),
        b"FROM golang\nLABEL a=\xe9\n",
    )
    .unwrap();
    let out = gomodfix(dir.path()).assert().code(2).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("bin/Dockerfile: binary file"), "{stderr}");
    assert!(stderr.contains("latin1/Dockerfile: not UTF-8"), "{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    // The good file was still checked.
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("Dockerfile:3:1: GM001")
    );
}

#[test]
fn missing_path_is_an_error() {
    let dir = project(CLEAN);
    gomodfix(dir.path())
        .arg("does-not-exist")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does-not-exist"));
}

#[test]
fn bad_usage_exits_two() {
    let dir = project(CLEAN);
    gomodfix(dir.path()).arg("--no-such-flag").assert().code(2);
    gomodfix(dir.path())
        .args(["--diff", "--write"])
        .assert()
        .code(2);
}

#[test]
fn crlf_bom_and_missing_final_newline_survive_write() {
    let src = "\u{feff}FROM golang:1.22 AS build\r\nWORKDIR /src\r\nCOPY . .\r\nRUN go build -o /app .\r\nFROM scratch\r\nCOPY --from=build /app /app";
    let dir = project(src);
    gomodfix(dir.path()).arg("--write").assert().code(0);
    let out = fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(out.starts_with('\u{feff}'));
    assert_eq!(
        out.matches('\n').count(),
        out.matches("\r\n").count(),
        "{out:?}"
    );
    assert!(out.ends_with("COPY --from=build /app /app"));
    assert!(out.contains("COPY go.mod go.sum ./\r\n"));
}

#[cfg(unix)]
#[test]
fn write_keeps_mode_and_follows_symlinks() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(BROKEN);
    let real = dir.path().join("Dockerfile");
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    fs::create_dir(dir.path().join("link")).unwrap();
    std::os::unix::fs::symlink(&real, dir.path().join("link/Dockerfile")).unwrap();
    gomodfix(dir.path())
        .args(["--write", "--context", ".", "link/Dockerfile"])
        .assert()
        .code(0);
    assert!(
        fs::symlink_metadata(dir.path().join("link/Dockerfile"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .contains("go mod download")
    );
    assert_eq!(
        fs::metadata(&real).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn explain_and_rules() {
    let dir = project(CLEAN);
    gomodfix(dir.path())
        .args(["explain", "GM003"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("go-cache-mounts"))
        .stdout(predicate::str::contains("## Fix safety"));
    gomodfix(dir.path())
        .args(["explain", "vendor-mode"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("GM005"));
    gomodfix(dir.path())
        .args(["explain", "GM999"])
        .assert()
        .code(2);
    let out = gomodfix(dir.path())
        .arg("rules")
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    for code in ["GM001", "GM002", "GM003", "GM004", "GM005"] {
        assert!(text.contains(code));
    }
}

/// GM015 asks git's index, not only .gitignore: a go.work that .gitignore names is a developer's
/// local file (reported) until it is tracked (`git add -f`), when it is the project's own.
#[test]
fn git_ignored_go_work_is_local_until_git_tracks_it() {
    let dir = project("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n");
    fs::write(dir.path().join(".gitignore"), "go.work\ngo.work.sum\n").unwrap();
    fs::write(dir.path().join("go.work"), "go 1.22\n\nuse .\n").unwrap();
    let check = || {
        let out = gomodfix(dir.path())
            .args(["--select", "GM015", "--output-format", "concise"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let out = check();
    assert!(out.contains("go.work is ignored by git"), "{out}");
    let git = |args: &[&str]| {
        let ok = Process::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    let out = check();
    assert!(
        out.contains("go.work is ignored by git"),
        "untracked: {out}"
    );
    // Copied by name: the author wants the workspace, and .dockerignore-ing it would make that
    // COPY fail.
    let df = dir.path().join("Dockerfile");
    let original = fs::read_to_string(&df).unwrap();
    fs::write(
        &df,
        "FROM golang:1.22\nWORKDIR /src\nCOPY go.work go.mod go.sum ./\nCOPY . .\nRUN go build -o /app .\n",
    )
    .unwrap();
    let out = check();
    assert!(!out.contains("GM015"), "copied by name: {out}");
    fs::write(&df, original).unwrap();
    git(&["add", "-f", "go.work"]);
    let out = check();
    assert!(!out.contains("GM015"), "tracked go.work: {out}");
}

/// `--version` names the version and the commit the binary was built from (build.rs): the
/// checkout's `git rev-parse --short HEAD`, or `unknown` outside a git checkout.
#[test]
fn version_names_the_commit() {
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let head = Process::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(root)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = match (std::env::var("GOMODFIX_COMMIT"), head) {
        (Ok(c), _) if !c.trim().is_empty() => c.trim().to_string(),
        (_, Some(h)) if Path::new(root).join(".git").exists() => h,
        _ => "unknown".to_string(),
    };
    assert_eq!(
        stdout,
        format!("gomodfix {} ({commit})\n", env!("CARGO_PKG_VERSION"))
    );
    assert!(commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()));
}

/// A fix that only arises once earlier fixes are in (GM003 mounting the `go mod download` that
/// GM001 inserts) is announced, so the patch holds no edit the report did not list.
#[test]
fn second_pass_fixes_are_announced() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/GM001/pos_copy_all_first");
    let out = gomodfix(&fixture)
        .args(["--diff", "--select", "GM001,GM003"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("+RUN --mount=type=cache,target=/go/pkg/mod go mod download"),
        "{stdout}"
    );
    assert!(
        stderr.contains("only arise once the others are in")
            && stderr.contains("GM003 Add cache mounts for /go/pkg/mod"),
        "{stderr}"
    );
}

/// A reader that stops early (`| head`) ends gomodfix quietly: no panic on the closed pipe.
#[cfg(unix)]
#[test]
fn closed_stdout_is_not_a_panic() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let out = Process::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' --show-contexts . | head -1",
            env!("CARGO_BIN_EXE_gomodfix")
        ))
        .current_dir(&corpus)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

/// A fix that edits only .dockerignore (GM014) leaves nothing remaining after `--write`: the
/// summary and the exit code come from the check of the fixed files, the edited .dockerignore
/// included, not from the context as it was first read.
#[test]
fn write_counts_a_fixed_dockerignore_as_fixed() {
    let dir = project(CLEAN);
    fs::write(dir.path().join(".dockerignore"), "*.sum\n").unwrap();
    gomodfix(dir.path())
        .args(["--write", "--select", "GM014", "."])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "Fixed 1 problem(s) in 1 file(s); 0 remaining.",
        ));
    assert!(
        fs::read_to_string(dir.path().join(".dockerignore"))
            .unwrap()
            .contains("!go.sum")
    );
    gomodfix(dir.path())
        .args(["--select", "GM014", "."])
        .assert()
        .code(0);
}
