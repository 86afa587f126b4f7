//! The scale benchmark script must keep working: run it on 100 files (without hadolint, which
//! needs a download) and check it prints its table.

use std::process::Command;

#[test]
fn scale_benchmark_runs_on_100_files() {
    let work = tempfile::TempDir::new().unwrap();
    let out = Command::new("python3")
        .args([
            concat!(env!("CARGO_MANIFEST_DIR"), "/bench/scale.py"),
            "--files",
            "100",
            "--runs",
            "1",
            "--skip-hadolint",
            "--work",
        ])
        .arg(work.path())
        .args(["--bin", env!("CARGO_BIN_EXE_gomodfix")])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("100 Dockerfiles"), "{stdout}");
    assert!(stdout.contains("| gomodfix (check) |"), "{stdout}");
    assert!(stdout.contains("LSP round trip"), "{stdout}");
}
