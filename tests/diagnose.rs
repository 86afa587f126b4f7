//! `gomodfix diagnose`: build logs of every shape (real BuildKit 0.8 output from the e2e suite,
//! newer BuildKit with colours and CRLF, parallel stages, a truncated tail, rawjson, podman,
//! tty output, GitHub Actions and GitLab job logs, the classic builder) against the Dockerfiles
//! they came from. Each case is a folder of tests/diagnose/ with the build context and its
//! `build.log`.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

fn case_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/diagnose")
        .join(name)
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// A copy of the case (so that `--write` does not touch the repository).
fn case(name: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    copy_tree(&case_dir(name), dir.path());
    dir
}

fn gomodfix(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("gomodfix").unwrap();
    c.current_dir(dir).env_remove("NO_COLOR").arg("diagnose");
    c
}

/// `gomodfix diagnose build.log --output-format json`: the exit code and the JSON.
fn json(name: &str, extra: &[&str]) -> (i32, Value) {
    let dir = case(name);
    let out = gomodfix(dir.path())
        .args(["build.log", "--output-format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

/// The failure kind, the explaining rule and the failing line a case's log leads to.
fn explains(name: &str, extra: &[&str], kind: &str, rule: &str, line: Option<u64>) -> Value {
    let (code, v) = json(name, extra);
    let d = &v["diagnose"];
    assert_eq!(d["failure"]["kind"], kind, "{name}: {d:#}");
    assert_eq!(d["explained_by"], rule, "{name}: {d:#}");
    assert_eq!(d["line"].as_u64(), line, "{name}: {d:#}");
    assert_eq!(code, 1, "{name}: a cause was found");
    // The explaining finding is the first one and the only one marked.
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags[0]["code"], rule);
    assert_eq!(diags[0]["explains_failure"], true);
    assert!(diags[1..].iter().all(|d| d["explains_failure"] == false));
    v
}

#[test]
fn real_buildkit_0_8_log_go_mod_missing() {
    let v = explains(
        "real-missing-go-mod",
        &[],
        "go-mod-not-found",
        "GM010",
        Some(4),
    );
    assert_eq!(
        v["diagnose"]["step"]["label"],
        "[build 4/4] RUN CGO_ENABLED=0 go build -o /app ."
    );
    assert!(
        v["diagnose"]["error"]
            .as_str()
            .unwrap()
            .starts_with("executor failed running")
    );
}

#[test]
fn real_buildkit_0_8_log_copy_of_a_missing_go_sum() {
    let v = explains(
        "real-copy-go-sum",
        &[],
        "copy-source-not-found",
        "GM013",
        Some(3),
    );
    assert_eq!(v["diagnose"]["failure"]["detail"], "/go.sum");
}

#[test]
fn colours_crlf_and_the_dockerfile_excerpt() {
    let v = explains("ansi-crlf-go-version", &[], "go-version", "GM016", Some(4));
    assert_eq!(v["diagnose"]["failure"]["detail"], "go >= 1.23");
    assert!(
        v["diagnose"]["error"]
            .as_str()
            .unwrap()
            .starts_with("ERROR: failed to solve")
    );
}

#[test]
fn interleaved_parallel_stages() {
    let v = explains("parallel-replace", &[], "replace-target", "GM025", Some(9));
    assert_eq!(v["diagnose"]["step"]["stage"], "build");
}

#[test]
fn truncated_log_without_an_error_line() {
    let v = explains("truncated-go-sum", &[], "missing-go-sum", "GM010", Some(5));
    assert_eq!(v["diagnose"]["error"], Value::Null);
}

#[test]
fn rawjson_progress() {
    let v = explains("rawjson-go-work", &[], "workspace-member", "GM015", Some(5));
    assert_eq!(
        v["diagnose"]["step"]["instruction"],
        "RUN cd api && CGO_ENABLED=0 go build -o /app ."
    );
}

#[test]
fn podman_build_log() {
    explains(
        "podman-dockerignore",
        &[],
        "copy-source-not-found",
        "GM014",
        Some(3),
    );
}

#[test]
fn classic_builder_log() {
    let v = explains(
        "classic-builder",
        &[],
        "copy-source-not-found",
        "GM014",
        Some(3),
    );
    assert_eq!(v["diagnose"]["failure"]["detail"], "/go.sum");
    assert_eq!(
        v["diagnose"]["step"]["instruction"],
        "COPY go.mod go.sum ./"
    );
}

#[test]
fn github_actions_log_names_the_dockerfile_with_dash_f() {
    let v = explains(
        "github-actions-exec-format",
        &["--context", "."],
        "exec-format",
        "GM026",
        None,
    );
    assert_eq!(v["diagnose"]["dockerfile"], "deploy/api.Dockerfile");
}

#[test]
fn tty_output_saved_to_a_file() {
    explains("tty-go-get", &[], "go-get-install", "GM020", Some(5));
}

#[test]
fn gitlab_log_private_module() {
    explains("gitlab-private", &[], "private-module", "GM024", Some(4));
}

#[test]
fn unrecognised_failure_exits_zero_and_says_so() {
    let dir = case("unrecognised");
    let out = gomodfix(dir.path())
        .args(["build.log", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[build 4/6] RUN make"), "{text}");
    assert!(
        text.contains("did not recognise a Go build failure"),
        "{text}"
    );
    let (code, v) = json("unrecognised", &[]);
    assert_eq!(code, 0);
    assert_eq!(v["diagnose"]["failure"], Value::Null);
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
}

#[test]
fn recognised_but_not_explained_is_said_plainly() {
    let (code, v) = json("not-explained", &[]);
    assert_eq!(code, 0);
    assert_eq!(v["diagnose"]["failure"]["kind"], "missing-go-sum");
    assert_eq!(v["diagnose"]["explained_by"], Value::Null);
    assert_eq!(v["diagnose"]["line"], 7);
    let dir = case("not-explained");
    let out = gomodfix(dir.path())
        .args(["build.log", "--color", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("gomodfix has no rule that explains this failure in Dockerfile, so it has no fix for it."),
        "{text}"
    );
    assert!(!text.contains("This is why"), "{text}");
}

#[test]
fn text_output_shows_the_cause_first_with_its_fix() {
    let dir = case("real-missing-go-mod");
    let out = gomodfix(dir.path())
        .args([
            "build.log",
            "--color",
            "never",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let why = text
        .find("This is why the build failed:\nDockerfile:4:1: GM010")
        .expect(&text);
    // The cause comes before any other finding.
    if let Some(others) = text.find("Other findings:") {
        assert!(why < others, "{text}");
    }
    assert!(text.contains("+COPY go.mod go.sum ./"), "{text}");
    assert!(
        text.contains("Fix: `gomodfix diagnose build.log --write`"),
        "{text}"
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let dir = case("truncated-go-sum");
    let log = fs::read(dir.path().join("build.log")).unwrap();
    gomodfix(dir.path())
        .args(["-", "--output-format", "concise", "--color", "never"])
        .write_stdin(log)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "This is why the build failed:\nDockerfile:3:1: GM010",
        ));
}

#[test]
fn diff_prints_only_the_patch_and_write_fixes_the_cause() {
    let dir = case("ansi-crlf-go-version");
    let out = gomodfix(dir.path())
        .args(["build.log", "--diff", "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let patch = String::from_utf8(out.stdout).unwrap();
    assert!(patch.starts_with("--- a/Dockerfile\n"), "{patch}");
    assert!(patch.contains("+FROM golang:1.23 AS build"), "{patch}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("This is why the build failed: GM016"), "{err}");

    gomodfix(dir.path())
        .args(["build.log", "--write", "--color", "never"])
        .assert()
        .code(1);
    let fixed = fs::read_to_string(dir.path().join("Dockerfile")).unwrap();
    assert!(fixed.starts_with("FROM golang:1.23 AS build\n"), "{fixed}");
    // Diagnosing the same log again: the Dockerfile no longer has that cause.
    let (code, v) = json_in(dir.path());
    assert_eq!(code, 0);
    assert_eq!(v["diagnose"]["explained_by"], Value::Null);
}

fn json_in(dir: &Path) -> (i32, Value) {
    let out = gomodfix(dir)
        .args(["build.log", "--output-format", "json"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn github_annotations_put_the_cause_on_the_failing_line() {
    let dir = case("real-missing-go-mod");
    let out = gomodfix(dir.path())
        .args(["build.log", "--output-format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=Dockerfile,line=4,col=1,"),
        "{text}"
    );
    assert!(
        first.contains("This is why the build failed (`go: go.mod file not found"),
        "{first}"
    );

    let dir = case("not-explained");
    let out = gomodfix(dir.path())
        .args(["build.log", "--output-format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("::error file=Dockerfile,line=7,endLine=7,title=gomodfix diagnose::"),
        "{text}"
    );
    assert!(text.contains("has no fix for it"), "{text}");
}

#[test]
fn sarif_output_is_valid_and_marks_the_cause() {
    let dir = case("parallel-replace");
    let out = gomodfix(dir.path())
        .args(["build.log", "--output-format", "sarif"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    // A copy of the OASIS SARIF 2.1.0 schema.
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(case_dir("../schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run = &v["runs"][0];
    assert_eq!(run["results"][0]["ruleId"], "GM025");
    assert_eq!(run["results"][0]["properties"]["explainsFailure"], true);
    assert_eq!(
        run["properties"]["gomodfixDiagnose"]["failure"]["kind"],
        "replace-target"
    );
}

#[test]
fn checkstyle_output_says_which_finding_is_the_cause() {
    let dir = case("podman-dockerignore");
    let out = gomodfix(dir.path())
        .args(["build.log", "--output-format", "checkstyle"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let first_error = text.find("<error ").unwrap();
    assert!(
        text[first_error..].starts_with("<error line=\"3\""),
        "{text}"
    );
    assert!(text.contains("This is why the build failed"), "{text}");
}

#[test]
fn missing_log_and_missing_dockerfile_are_errors() {
    let dir = TempDir::new().unwrap();
    gomodfix(dir.path()).arg("nope.log").assert().code(2);
    fs::copy(
        case_dir("truncated-go-sum").join("build.log"),
        dir.path().join("build.log"),
    )
    .unwrap();
    gomodfix(dir.path())
        .args(["build.log", "--color", "never"])
        .assert()
        .code(2)
        .stdout(predicates::str::contains("missing go.sum entry"))
        .stderr(predicates::str::contains("name it with --dockerfile"));
}

#[test]
fn dockerfile_found_below_the_current_folder() {
    // The log names `Dockerfile`; the one below the current folder that has the failing step
    // is checked.
    let dir = TempDir::new().unwrap();
    copy_tree(&case_dir("real-missing-go-mod"), &dir.path().join("svc"));
    fs::create_dir_all(dir.path().join("other")).unwrap();
    fs::write(
        dir.path().join("other/Dockerfile"),
        "FROM alpine\nRUN true\n",
    )
    .unwrap();
    fs::rename(
        dir.path().join("svc/build.log"),
        dir.path().join("build.log"),
    )
    .unwrap();
    let (code, v) = json_in(dir.path());
    assert_eq!(code, 1);
    assert_eq!(v["diagnose"]["dockerfile"], "svc/Dockerfile");
    assert_eq!(v["diagnose"]["explained_by"], "GM010");
}
