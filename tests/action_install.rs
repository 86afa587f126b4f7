//! The GitHub Action's install step (`action/install.sh`) against fake release assets served on
//! 127.0.0.1: the asset of the runner's OS/arch and the action's version is chosen, its SHA-256
//! is checked (a wrong one is refused), and only a missing asset (404) or a non-release ref
//! falls back to compiling (stubbed here with a command that records that it ran).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use tempfile::TempDir;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/action/install.sh");

/// Release assets by URL path, and the paths requested.
struct Release {
    url: String,
    requests: Arc<Mutex<Vec<String>>>,
    _server: Arc<tiny_http::Server>,
}

fn serve(assets: HashMap<String, Vec<u8>>) -> Release {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (s, log) = (server.clone(), requests.clone());
    std::thread::spawn(move || {
        for req in s.incoming_requests() {
            let path = req.url().to_string();
            log.lock().unwrap().push(path.clone());
            let _ = match assets.get(&path) {
                Some(body) => req.respond(tiny_http::Response::from_data(body.clone())),
                None => {
                    req.respond(tiny_http::Response::from_string("Not Found").with_status_code(404))
                }
            };
        }
    });
    Release {
        url,
        requests,
        _server: server,
    }
}

/// cargo-dist's archive of one target: `gomodfix-<target>/gomodfix` in a .tar.xz, or
/// `gomodfix.exe` at the root of a .zip; the "binary" is a script naming its target.
fn archive(work: &Path, target: &str) -> (String, Vec<u8>) {
    let windows = target.contains("windows");
    let (name, exe) = if windows {
        (format!("gomodfix-{target}.zip"), "gomodfix.exe")
    } else {
        (format!("gomodfix-{target}.tar.xz"), "gomodfix")
    };
    let out = work.join(&name);
    let script = r##"
import io, sys, tarfile, zipfile
out, target, exe, windows = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
body = f"#!/bin/sh\necho fake gomodfix for {target}\n".encode()
if windows:
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(exe, body)
        z.writestr("README.md", "readme")
else:
    with tarfile.open(out, "w:xz") as t:
        for name, data, mode in [(f"gomodfix-{target}/{exe}", body, 0o755),
                                 (f"gomodfix-{target}/README.md", b"readme", 0o644)]:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            t.addfile(info, io.BytesIO(data))
"##;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&out)
        .args([target, exe, if windows { "1" } else { "0" }])
        .status()
        .unwrap();
    assert!(status.success());
    (name, fs::read(&out).unwrap())
}

fn sha256(path_or_bytes: &[u8], work: &Path) -> String {
    let f = work.join("hash-me");
    fs::write(&f, path_or_bytes).unwrap();
    let out = Command::new("sha256sum").arg(&f).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// Every target's asset and its cargo-dist `.sha256` (`<hash> *<name>`) under `/v0.1.0/`.
fn release_assets(work: &Path) -> HashMap<String, Vec<u8>> {
    let mut assets = HashMap::new();
    for target in TARGETS {
        let (name, bytes) = archive(work, target);
        let sum = format!("{}  *{name}\n", sha256(&bytes, work));
        assets.insert(format!("/v0.1.0/{name}.sha256"), sum.into_bytes());
        assets.insert(format!("/v0.1.0/{name}"), bytes);
    }
    assets
}

struct Run {
    out: Output,
    install_dir: PathBuf,
    compiled: bool,
    github_path: String,
}

fn install(release: &Release, work: &Path, r#ref: &str, os: &str, arch: &str) -> Run {
    let install_dir = work.join(format!("bin-{os}-{arch}-{ref}", ref = r#ref.replace('/', "_")));
    let marker = work.join("compiled");
    let _ = fs::remove_file(&marker);
    let github_path = work.join("github_path");
    let _ = fs::remove_file(&github_path);
    let out = Command::new("bash")
        .arg(SCRIPT)
        .env("GOMODFIX_REF", r#ref)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("GOMODFIX_RELEASE_URL", &release.url)
        .env("GOMODFIX_INSTALL_DIR", &install_dir)
        .env("GITHUB_PATH", &github_path)
        .env(
            "GOMODFIX_COMPILE_CMD",
            format!("echo compiled > '{}'", marker.display()),
        )
        .output()
        .unwrap();
    Run {
        out,
        install_dir,
        compiled: marker.exists(),
        github_path: fs::read_to_string(&github_path).unwrap_or_default(),
    }
}

fn stderr(run: &Run) -> String {
    String::from_utf8_lossy(&run.out.stderr).into_owned()
}

#[test]
fn the_runners_asset_is_chosen_verified_and_installed() {
    let work = TempDir::new().unwrap();
    let release = serve(release_assets(work.path()));
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
    ] {
        let run = install(&release, work.path(), "v0.1.0", os, arch);
        assert!(run.out.status.success(), "{os}/{arch}: {}", stderr(&run));
        assert!(!run.compiled, "{os}/{arch} compiled instead of downloading");
        let exe = if os == "Windows" {
            "gomodfix.exe"
        } else {
            "gomodfix"
        };
        let bin = run.install_dir.join(exe);
        let printed = Command::new("sh").arg(&bin).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&printed.stdout),
            format!("fake gomodfix for {target}\n"),
            "{os}/{arch}"
        );
        assert_eq!(run.github_path, format!("{}\n", run.install_dir.display()));
        assert!(stderr(&run).contains(&format!("installed gomodfix v0.1.0 ({target}")));
    }
    let requests = release.requests.lock().unwrap().clone();
    assert_eq!(
        requests.len(),
        10,
        "asset and checksum per target: {requests:?}"
    );
    assert!(requests.contains(&"/v0.1.0/gomodfix-aarch64-apple-darwin.tar.xz".to_string()));
    assert!(requests.contains(&"/v0.1.0/gomodfix-x86_64-pc-windows-msvc.zip.sha256".to_string()));

    // A ref without the v also names the release.
    let run = install(&release, work.path(), "0.1.0", "Linux", "X64");
    assert!(run.out.status.success(), "{}", stderr(&run));
    assert!(!run.compiled);
}

#[test]
fn a_wrong_checksum_is_refused() {
    let work = TempDir::new().unwrap();
    let mut assets = release_assets(work.path());
    let name = "gomodfix-x86_64-unknown-linux-musl.tar.xz";
    assets.insert(
        format!("/v0.1.0/{name}.sha256"),
        format!("{}  *{name}\n", "0".repeat(64)).into_bytes(),
    );
    let release = serve(assets);
    let run = install(&release, work.path(), "v0.1.0", "Linux", "X64");
    assert_eq!(run.out.status.code(), Some(1), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains(&format!(
            "checksum mismatch for {name}: expected {}",
            "0".repeat(64)
        )),
        "{err}"
    );
    assert!(err.contains("refusing to install it"), "{err}");
    assert!(!run.install_dir.join("gomodfix").exists());
    assert!(
        !run.compiled,
        "a bad checksum must not fall back to compiling"
    );
    assert_eq!(run.github_path, "");

    // A checksum file that is missing is an error too, not a reason to skip the check.
    let mut assets = release_assets(work.path());
    assets.remove(&format!("/v0.1.0/{name}.sha256"));
    let release = serve(assets);
    let run = install(&release, work.path(), "v0.1.0", "Linux", "X64");
    assert_eq!(run.out.status.code(), Some(1));
    assert!(
        stderr(&run).contains("not installing an unverified binary"),
        "{}",
        stderr(&run)
    );
    assert!(!run.compiled);
}

#[test]
fn no_asset_or_no_release_falls_back_to_compiling() {
    let work = TempDir::new().unwrap();
    let release = serve(release_assets(work.path()));

    // A release without this version (404).
    let run = install(&release, work.path(), "v9.9.9", "Linux", "X64");
    assert!(run.out.status.success(), "{}", stderr(&run));
    assert!(run.compiled);
    assert!(stderr(&run).contains("404"), "{}", stderr(&run));
    assert!(!run.install_dir.join("gomodfix").exists());

    // A runner with no prebuilt binary (Windows on ARM).
    let run = install(&release, work.path(), "v0.1.0", "Windows", "ARM64");
    assert!(run.out.status.success(), "{}", stderr(&run));
    assert!(run.compiled);

    // The action used at a branch or a commit: that code is compiled.
    for r in ["main", "3f2eb2611d0bbcdd3f2eb2611d0bbcdd3f2eb261"] {
        let run = install(&release, work.path(), r, "Linux", "X64");
        assert!(run.out.status.success(), "{}", stderr(&run));
        assert!(run.compiled, "{r}");
        assert!(stderr(&run).contains("not a release tag"));
    }
    let requests = release.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        vec!["/v9.9.9/gomodfix-x86_64-unknown-linux-musl.tar.xz"]
    );
}

#[test]
fn action_yml_runs_the_install_script() {
    let action = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    assert!(action.contains("bash \"${{ github.action_path }}/action/install.sh\""));
    assert!(action.contains("GOMODFIX_REF: ${{ github.action_ref }}"));
    assert!(
        !action.contains("cargo install"),
        "compiling is the script's fallback only"
    );
}

/// The names the install script downloads are the ones cargo-dist publishes: `dist plan` over
/// dist-workspace.toml lists, for each runner target, `gomodfix-<target>.<tar.xz|zip>` with the
/// binary and a `.sha256` beside it; and .github/workflows/release.yml is what `dist generate`
/// makes of that config. Skipped when `dist` is missing; `.ci/run` installs it and sets
/// GOMODFIX_REQUIRE_DIST=1.
#[test]
fn install_script_names_match_cargo_dist_artifacts() {
    if Command::new("dist").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("GOMODFIX_REQUIRE_DIST").is_none(),
            "dist (cargo-dist) is required here but missing"
        );
        eprintln!("skipping: dist is not installed (cargo install cargo-dist --locked)");
        return;
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let check = Command::new("dist")
        .args(["generate", "--check"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "release.yml is not what `dist generate` makes of dist-workspace.toml: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let plan = Command::new("dist")
        .args(["plan", "--output-format=json", "--no-local-paths"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        plan.status.success(),
        "{}",
        String::from_utf8_lossy(&plan.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&plan.stdout).unwrap();
    let artifacts = plan["artifacts"].as_object().unwrap();
    for target in TARGETS {
        let windows = target.contains("windows");
        let (name, exe) = if windows {
            (format!("gomodfix-{target}.zip"), "gomodfix.exe")
        } else {
            (format!("gomodfix-{target}.tar.xz"), "gomodfix")
        };
        let artifact = artifacts
            .get(&name)
            .unwrap_or_else(|| panic!("dist publishes no {name}: {:?}", artifacts.keys()));
        assert_eq!(artifact["target_triples"][0], target);
        assert_eq!(artifact["checksum"], format!("{name}.sha256"));
        assert!(artifacts.contains_key(&format!("{name}.sha256")));
        let assets = artifact["assets"].as_array().unwrap();
        assert!(
            assets
                .iter()
                .any(|a| a["kind"] == "executable" && a["path"] == exe),
            "{name}: {assets:?}"
        );
    }
    let targets = artifacts
        .values()
        .filter(|a| a["kind"] == "executable-zip")
        .count();
    assert_eq!(
        targets,
        TARGETS.len(),
        "a target the install script does not know"
    );
}
