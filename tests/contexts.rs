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

/// Two contexts that want different fixes: what both want (GOENV) is applied (the cache mounts
/// differ: the vendored context needs the build cache only); what only one wants (GM001's `COPY go.mod go.sum` in `a`, `-mod=vendor` in `b`) is not.
#[test]
fn two_contexts_that_disagree_get_only_the_fixes_they_share() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/one_dockerfile_two_contexts");
    // GM004's GOENV (a hardening rule) is the fix both contexts want.
    let out = run(&case, &["--diff", "--hardening"]);
    assert!(out.contains("GOENV=off"), "{out}");
    assert!(!out.contains("+COPY go.mod"), "{out}");
    assert!(!out.contains("-mod=vendor"), "{out}");
    assert!(
        out.contains("fixes differ between its build contexts (compose.yaml:3 (a), compose.yaml:7 (b)); only those they all agree on applied"),
        "{out}"
    );
}

/// Bake targets that share a Dockerfile and build it alike are one context, named once with all
/// their names; a template target (`_common`, only inherited) is not a build; a target with
/// another context does not stop the fixes the others agree on.
#[test]
fn bake_targets_sharing_a_dockerfile_are_checked_once() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contexts/bake_targets_share_dockerfile");
    let out = run(&case, &["--show-contexts"]);
    assert!(
        out.contains("Dockerfile: context . from docker-bake.hcl:8,11 (api, worker)\nDockerfile: context vendored from docker-bake.hcl:14 (debug)\n"),
        "{out}"
    );
    let out = run(&case, &[]);
    assert_eq!(out.matches("GM001").count(), 1, "{out}");
    // The vendored target wants the build cache only, the others both caches: reported in each,
    // applied in none (the contexts disagree on the mounts).
    assert!(out.contains("GM003"), "{out}");
}

/// A GitHub Actions workflow's build-push-action step decides the context of a subfolder
/// Dockerfile written for the repository root, and `--show-contexts` names the step's line.
#[test]
fn workflow_step_decides_context() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/workflow_build_push_action");
    let out = run(&case, &["--show-contexts"]);
    assert!(
        out.contains("build/Dockerfile: context . from .github/workflows/docker.yml:9 (docker/build-push-action), args GOFLAGS=-trimpath\n"),
        "{out}"
    );
    let out = run(&case, &[]);
    assert!(!out.contains("GM028"), "{out}");
    // --context still wins.
    let out = run(&case, &["--show-contexts", "--context", "build"]);
    assert!(out.contains("context build from --context"), "{out}");
}

/// The platforms a CI step builds for reach GM026, which names the file and line.
/// `file: services/${{ matrix.service }}/Dockerfile`: each matrix combination is a build, so each
/// service's Dockerfile gets the workflow's context (before: inferred from its COPY sources).
#[test]
fn workflow_matrix_names_each_dockerfile() {
    let case =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/workflow_matrix_dockerfiles");
    let out = run(&case, &["--show-contexts"]);
    for service in ["api", "worker"] {
        assert!(
            out.contains(&format!(
                "services/{service}/Dockerfile: context . from .github/workflows/images.yml:11 (docker/build-push-action)"
            )),
            "{out}"
        );
    }
    assert!(!out.contains("inferred"), "{out}");
}

/// A compose file under another name (`docker-compose.integration-test.yml`) names the
/// context; a malformed one beside it says nothing and is no error.
#[test]
fn compose_variant_names_the_context() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/compose_variant_file");
    let out = run(&case, &["--show-contexts"]);
    assert!(
        out.contains(
            "deploy/Dockerfile: context . from deploy/docker-compose.integration-test.yml:3 (app)"
        ),
        "{out}"
    );
    assert!(
        !out.contains("gomodfix:"),
        "no error for the malformed variant: {out}"
    );
}

#[test]
fn workflow_platforms_reach_gm026() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/contexts/workflow_platforms_target_arch");
    let out = run(&case, &[]);
    assert!(
        out.contains(
            "built for linux/amd64,linux/arm64 by .github/workflows/release.yml:13 (docker buildx build)"
        ),
        "{out}"
    );
    // `ARG TARGETOS=linux` is right for every platform asked for: not reported.
    assert!(!out.contains("GM026 warning: `ARG TARGETOS"), "{out}");
}

/// Compose values are interpolated as compose does, with the `.env` beside the compose file;
/// the process environment wins over `.env`; `${VAR:?…}` unset leaves that service out.
#[test]
fn compose_reads_dotenv_and_environment() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/contexts/compose_dotenv");
    let out = run(&case, &["--show-contexts"]);
    assert!(
        out.contains("services/api/Dockerfile: context . from compose.yaml:3 (api), args GOPROXY=https://proxy.example.com PRICE=$5\n"),
        "{out}"
    );
    assert!(!out.contains("worker"), "{out}");
    let env_wins = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(&case)
        .env("GOPROXY_URL", "off")
        .args(["--show-contexts"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&env_wins.stdout).contains("GOPROXY=off"),
        "{env_wins:?}"
    );
}

/// A context's go.mod and .dockerignore are read once per run, however many Dockerfiles use the
/// context: files changed on disk after the first Dockerfile was checked are not read again.
#[test]
fn context_files_are_read_once_per_run() {
    use gomodfix::engine::ContextCache;
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

/// Two bake targets build different stages of one Dockerfile from the same context: a COPY
/// source that context lacks is one GM028 finding (naming the bake file), not one per target.
#[test]
fn bake_targets_with_different_stages_share_one_gm028() {
    let dir = tempfile::TempDir::new().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).unwrap();
    std::fs::write(
        root.join("Dockerfile"),
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY svc/go.mod svc/go.sum ./\nRUN go mod download\nFROM build AS test\nRUN go test ./...\nFROM build AS bin\nRUN go build -o /app .\n",
    )
    .unwrap();
    std::fs::write(
        root.join("docker-bake.hcl"),
        "target \"test\" {\n  target = \"test\"\n}\ntarget \"bin\" {\n  target = \"bin\"\n}\n",
    )
    .unwrap();
    let out = run(root, &[]);
    assert_eq!(out.matches("GM028").count(), 1, "{out}");
    assert!(
        out.contains("not found in the build context that docker-bake.hcl names"),
        "{out}"
    );
}
