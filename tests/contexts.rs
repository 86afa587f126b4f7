//! Build contexts found from compose and bake files, driven through the CLI from inside each
//! `fixtures/contexts/<case>/` folder: `--show-contexts` and the check's output are snapshotted.

use std::path::Path;

use assert_cmd::Command;

fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .args(["--color", "never", "--output-format", "concise"])
        .output()
        .unwrap();
    format!(
        "$ gomodfix {}\nexit: {}\n-- stdout\n{}-- stderr\n{}",
        args.join(" "),
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn context_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let mut text = run(&case, &["--show-contexts"]);
        text.push_str(&run(&case, &[]));
        insta::assert_snapshot!(format!("contexts__{name}"), text);
    }
}

#[test]
fn compose_context_decides_copy_paths() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/compose_repo_root_context");
    let out = run(&case, &["--diff"]);
    assert!(
        out.contains("+COPY services/api/go.mod services/api/go.sum ./"),
        "{out}"
    );
}

#[test]
fn context_flag_overrides_compose() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/compose_repo_root_context");
    let out = run(&case, &["--show-contexts", "--context", "services/api"]);
    assert!(out.contains("from --context"), "{out}");
}

#[test]
fn two_contexts_that_disagree_get_no_fix() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/one_dockerfile_two_contexts");
    let out = run(&case, &["--diff"]);
    assert!(out.contains("-- stdout\n-- stderr"), "{out}");
    assert!(
        out.contains("fixes differ between its build contexts"),
        "{out}"
    );
}

/// A context's go.mod and .dockerignore are read once per run, however many Dockerfiles use the
/// context: files changed on disk after the first Dockerfile was checked are not read again.
#[test]
fn context_files_are_read_once_per_run() {
    use gomodfix::cli::ContextCache;
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    std::fs::write(root.join("go.mod"), "module example.com/one\n\ngo 1.22\n").unwrap();
    std::fs::write(root.join(".dockerignore"), "vendor\n").unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(root.join(sub)).unwrap();
        std::fs::write(root.join(sub).join("Dockerfile"), "FROM scratch\n").unwrap();
    }
    let cache = ContextCache::default();
    let context_of = |sub: &str| {
        let mut found = cache.contexts_for(&root.join(sub).join("Dockerfile"), Some(root), None);
        assert_eq!(found.len(), 1);
        found.remove(0).unwrap()
    };
    let first = context_of("a");
    assert_eq!(first.dockerignore.as_ref().unwrap().text, "vendor\n");
    assert_eq!(
        first.go_mod("").unwrap().module.as_deref(),
        Some("example.com/one")
    );
    std::fs::write(root.join("go.mod"), "module example.com/two\n\ngo 1.22\n").unwrap();
    std::fs::write(root.join(".dockerignore"), "other\n").unwrap();
    let second = context_of("b");
    assert_eq!(second.dockerignore.as_ref().unwrap().text, "vendor\n");
    assert_eq!(second.dockerignore.as_ref().unwrap().file, ".dockerignore");
    assert_eq!(
        second.go_mod("").unwrap().module.as_deref(),
        Some("example.com/one")
    );
    // A new run reads them again.
    let fresh = ContextCache::default()
        .contexts_for(&root.join("b/Dockerfile"), Some(root), None)
        .remove(0)
        .unwrap();
    assert_eq!(fresh.dockerignore.as_ref().unwrap().text, "other\n");
    assert_eq!(
        fresh.go_mod("").unwrap().module.as_deref(),
        Some("example.com/two")
    );
}
