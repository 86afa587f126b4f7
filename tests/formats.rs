//! Output formats, the config file, suppressions and stdin, through the real binary.
//! `fixtures/formats/` is a two-Dockerfile repository with findings of many rules.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats")
}

fn gomodfix(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .args(
            if matches!(args.first(), Some(&("rules" | "config" | "explain"))) {
                &[][..]
            } else {
                &["--color", "never"][..]
            },
        )
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn format(name: &str) -> String {
    // With the hardening profile, so GM004 gives the fixture an info finding (`::notice`).
    let (code, stdout, _) = gomodfix(&fixture(), &["--hardening", "--output-format", name]);
    assert_eq!(code, 1, "{name}: findings exit 1");
    stdout
}

#[test]
fn text_formats_snapshot() {
    insta::assert_snapshot!("format_full", format("full"));
    insta::assert_snapshot!("format_concise", format("concise"));
}

#[test]
fn json_is_versioned_and_carries_fixes_as_edits() {
    let out = format("json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.len() >= 10);
    let gm001 = diags.iter().find(|d| d["code"] == "GM001").unwrap();
    assert_eq!(gm001["path"], "Dockerfile");
    assert_eq!(gm001["start"]["line"], 4);
    assert_eq!(gm001["fix"]["applicability"], "safe");
    assert!(
        gm001["fix"]["edits"][0]["content"]
            .as_str()
            .unwrap()
            .contains("COPY go.mod go.sum ./")
    );
    insta::assert_snapshot!("format_json", out);
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let out = format("sarif");
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&schema_path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    insta::assert_snapshot!("format_sarif", out);
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // What GitHub code scanning reads.
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| {
        r["helpUri"].as_str().unwrap().starts_with("https://")
            && r["help"]["text"]
                .as_str()
                .unwrap()
                .contains("## What it does")
    }));
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "GM001")
        .unwrap();
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert!(
        result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
            .as_str()
            .unwrap()
            .contains("go mod download")
    );
    // A broken document must not validate: the test can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("catastrophic");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn github_workflow_commands() {
    let out = format("github");
    insta::assert_snapshot!("format_github", out);
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines.iter().all(|l| l.starts_with("::error ")
            || l.starts_with("::warning ")
            || l.starts_with("::notice ")),
        "{out}"
    );
    assert!(out.contains("::warning file=Dockerfile,line=4,col=1,endLine=4,endColumn=9,title=gomodfix GM001 (module-files-first)::GM001 sources are copied"));
    assert!(out.contains("::error file=Dockerfile,line=2,"));
    assert!(out.contains("::notice file=Dockerfile,line=9,"));
}

#[test]
fn checkstyle_is_well_formed_xml() {
    let out = format("checkstyle");
    let mut reader = quick_xml::Reader::from_str(&out);
    let mut errors = 0;
    let mut files = 0;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    "error" => errors += 1,
                    "file" => files += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    assert_eq!(files, 2);
    assert!(errors >= 10);
    insta::assert_snapshot!("format_checkstyle", out);
}

#[test]
fn rules_list_as_json() {
    let (code, out, _) = gomodfix(&fixture(), &["rules", "--output-format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), gomodfix::rules::registry().len());
    assert!(list.iter().any(|r| r["code"] == "GM003"
        && r["fix"] == "safe"
        && r["doc"].as_str().unwrap().contains("Fix safety")));
}

/// A repository with a config at the root and another in a subfolder.
fn config_repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    let df = "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /app .\n";
    for sub in ["", "svc"] {
        let d = dir.path().join(sub);
        fs::create_dir_all(&d).unwrap();
        fs::write(
            d.join("go.mod"),
            "module example.com/a\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
        )
        .unwrap();
        fs::write(d.join("go.sum"), "github.com/google/uuid v1.6.0 h1:x=\n").unwrap();
        fs::write(d.join("Dockerfile"), df).unwrap();
    }
    fs::write(
        dir.path().join(".gomodfix.yaml"),
        "ignore: [GM004]\nseverity:\n  GM003: error\nhardening: true\n",
    )
    .unwrap();
    fs::write(dir.path().join("svc/.gomodfix.yml"), "select: [GM003]\n").unwrap();
    dir
}

fn codes(out: &str) -> Vec<String> {
    let mut c: Vec<String> = out
        .lines()
        .filter_map(|l| {
            l.split_whitespace()
                .nth(1)
                .filter(|w| w.starts_with("GM"))
                .map(str::to_string)
        })
        .collect();
    c.sort();
    c.dedup();
    c
}

#[test]
fn config_is_found_upward_and_the_nearest_wins() {
    let repo = config_repo();
    let (_, out, _) = gomodfix(repo.path(), &["--output-format", "concise", "Dockerfile"]);
    assert_eq!(codes(&out), ["GM002", "GM003"]);
    assert!(out.contains("GM003 error:"), "severity override: {out}");
    // svc/ has its own file: only GM003, at its default severity.
    let (_, out, _) = gomodfix(&repo.path().join("svc"), &["--output-format", "concise"]);
    assert_eq!(codes(&out), ["GM003"]);
    assert!(out.contains("GM003 warning:"), "{out}");
}

#[test]
fn command_line_wins_over_config() {
    let repo = config_repo();
    let (_, out, _) = gomodfix(
        repo.path(),
        &[
            "--output-format",
            "concise",
            "--select",
            "GM004,GM002",
            "Dockerfile",
        ],
    );
    // select from the command line; ignore: [GM004] from the config still applies.
    assert_eq!(codes(&out), ["GM002"]);
    let (_, out, _) = gomodfix(
        repo.path(),
        &[
            "--output-format",
            "concise",
            "--extend-select",
            "GM004",
            "--ignore",
            "GM002",
            "svc/Dockerfile",
        ],
    );
    assert_eq!(codes(&out), ["GM003", "GM004"]);
    // --config replaces discovery.
    fs::write(repo.path().join("other.yaml"), "select: [GM004]\n").unwrap();
    let (_, out, _) = gomodfix(
        repo.path(),
        &[
            "--output-format",
            "concise",
            "--config",
            "other.yaml",
            "svc/Dockerfile",
        ],
    );
    assert_eq!(codes(&out), ["GM004"]);
}

#[test]
fn bad_config_is_an_error_naming_file_line_and_key() {
    let repo = config_repo();
    fs::write(
        repo.path().join(".gomodfix.yaml"),
        "ignore: [GM004]\nseverty:\n  GM003: error\n",
    )
    .unwrap();
    let (code, _, err) = gomodfix(repo.path(), &["Dockerfile"]);
    assert_eq!(code, 2);
    assert!(err.contains(".gomodfix.yaml"), "{err}");
    assert!(err.contains("severty"), "{err}");
    assert!(err.contains("line 2"), "{err}");
    let (code, _, err) = gomodfix(repo.path(), &["config", "--show"]);
    assert_eq!(code, 2);
    assert!(err.contains("severty"));
}

#[test]
fn config_show_prints_the_merged_settings() {
    let repo = config_repo();
    let (code, out, _) = gomodfix(&repo.path().join("svc"), &["config", "--show"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["select"][0], "GM003");
    assert!(
        v["config_file"]
            .as_str()
            .unwrap()
            .ends_with("svc/.gomodfix.yml")
    );
}

#[test]
fn config_contexts_and_golang_image_mirrors() {
    let dir = TempDir::new().unwrap();
    let api = dir.path().join("services/api");
    fs::create_dir_all(&api).unwrap();
    fs::write(
        api.join("go.mod"),
        "module example.com/api\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
    )
    .unwrap();
    fs::write(api.join("go.sum"), "x\n").unwrap();
    fs::write(api.join("Dockerfile"), "FROM registry.example.com/library/golang:1.22\nWORKDIR /src\nCOPY services/api/ ./\nRUN go build -o /app .\n").unwrap();
    fs::write(
        dir.path().join(".gomodfix.yaml"),
        "contexts:\n  - dockerfile: services/*/Dockerfile\n    context: .\nrules:\n  golang-images: [registry.example.com/library/golang]\n",
    )
    .unwrap();
    let (_, out, _) = gomodfix(dir.path(), &["--show-contexts"]);
    assert!(out.contains("services/api/Dockerfile: context . from .gomodfix.yaml (contexts: services/*/Dockerfile)"), "{out}");
    let (_, out, _) = gomodfix(dir.path(), &["--diff"]);
    assert!(
        out.contains("+COPY services/api/go.mod services/api/go.sum ./"),
        "{out}"
    );
    // The mirror counts as golang: cache mounts with the official image's paths.
    assert!(
        out.contains("--mount=type=cache,target=/go/pkg/mod"),
        "{out}"
    );
    // rules.cache-targets replaces the derived mount targets.
    fs::write(
        dir.path().join(".gomodfix.yaml"),
        "contexts:\n  - dockerfile: services/*/Dockerfile\n    context: .\nrules:\n  golang-images: [registry.example.com/library/golang]\n  cache-targets: {module: /cache/mod, build: /cache/build}\n",
    )
    .unwrap();
    let (_, custom, _) = gomodfix(dir.path(), &["--diff"]);
    assert!(
        custom.contains(
            "--mount=type=cache,target=/cache/mod --mount=type=cache,target=/cache/build go build"
        ),
        "{custom}"
    );
}

#[test]
fn suppressions_silence_report_unused_and_leave_hadolint_alone() {
    let dir = TempDir::new().unwrap();
    for entry in fs::read_dir(fixture()).unwrap().flatten() {
        if entry.path().is_file() {
            fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    let (_, out, _) = gomodfix(dir.path(), &["--output-format", "concise", "Dockerfile"]);
    // The RUN under `# gomodfix: ignore[GM003]` is not reported.
    assert!(!out.contains("Dockerfile:7:1: GM003"), "{out}");
    // An unused suppression is reported and removed; the hadolint pragma stays.
    let df = dir.path().join("Dockerfile");
    let text = fs::read_to_string(&df)
        .unwrap()
        .replace("# gomodfix: ignore[GM003]\n", "# gomodfix: ignore[GM021]\n");
    fs::write(&df, &text).unwrap();
    let (_, out, _) = gomodfix(dir.path(), &["--output-format", "concise", "Dockerfile"]);
    assert!(out.contains("Dockerfile:6:1: GM100 warning: this suppression silences nothing (GM021 not reported here)"), "{out}");
    gomodfix(dir.path(), &["--write", "Dockerfile"]);
    let fixed = fs::read_to_string(&df).unwrap();
    assert!(!fixed.contains("gomodfix: ignore"), "{fixed}");
    assert!(fixed.contains("# hadolint ignore=DL3059\n"), "{fixed}");
    // ignore-file at the top silences a code everywhere.
    fs::write(&df, format!("# gomodfix: ignore-file[GM003,GM004]\n{text}")).unwrap();
    let (_, out, _) = gomodfix(dir.path(), &["--output-format", "concise", "Dockerfile"]);
    let found = codes(&out);
    assert!(
        !found.contains(&"GM003".to_string()) && !found.contains(&"GM004".to_string()),
        "{out}"
    );
    assert!(found.contains(&"GM001".to_string()), "{out}");
}

#[test]
fn stdin_with_and_without_a_filename() {
    let src = fs::read_to_string(fixture().join("Dockerfile")).unwrap();
    // Without --stdin-filename: checked as ./Dockerfile of the current folder.
    let empty = TempDir::new().unwrap();
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(empty.path())
        .args(["-", "--output-format", "concise", "--color", "never"])
        .write_stdin(src.clone())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    // The current folder is the context, and it has no go.mod.
    assert!(stdout.contains("Dockerfile:7:1: GM010"), "{stdout}");
    assert!(!stdout.contains("GM001"), "{stdout}");
    // With --stdin-filename the context and config of that path apply.
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(fixture())
        .args([
            "-",
            "--stdin-filename",
            "Dockerfile",
            "--output-format",
            "concise",
            "--color",
            "never",
        ])
        .write_stdin(src.clone())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("Dockerfile:4:1: GM001"), "{stdout}");
    // --write prints the fixed Dockerfile on stdout, findings on stderr.
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(fixture())
        .args([
            "-",
            "--stdin-filename",
            "Dockerfile",
            "--write",
            "--color",
            "never",
        ])
        .write_stdin(src.clone())
        .output()
        .unwrap();
    let fixed = String::from_utf8(out.stdout).unwrap();
    assert!(
        fixed.starts_with("# Build stage\nFROM golang:1.22 AS build\n"),
        "{fixed}"
    );
    assert!(fixed.contains("COPY go.mod go.sum ./\n"));
    assert_eq!(
        fs::read_to_string(fixture().join("Dockerfile")).unwrap(),
        src,
        "the file on disk is untouched"
    );
    // --diff gives the patch.
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(fixture())
        .args(["-", "--stdin-filename", "Dockerfile", "--diff"])
        .write_stdin(src)
        .output()
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n")
    );
}
