//! A real editor's LSP client: headless Neovim opens a Dockerfile with `gomodfix lsp`, receives
//! diagnostics, applies the "fix all" code action and saves; the file must then equal the CLI's
//! `--write` output. Needs `nvim` (Debian's neovim; `.ci/run` installs it and sets
//! GOMODFIX_REQUIRE_NVIM=1 so that a missing editor fails the run instead of skipping).

use std::fs;
use std::process::Command;

mod common;
use common::{BROKEN, project};

#[test]
fn neovim_applies_the_fix_all_action() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("GOMODFIX_REQUIRE_NVIM").is_none(),
            "nvim is required here but missing"
        );
        eprintln!("skipping: nvim is not installed (apt-get install neovim)");
        return;
    }
    let dir = project(BROKEN);
    let df = dir.path().join("Dockerfile");
    let report = dir.path().join("report.txt");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/nvim/lsp_fix.lua");
    let status = Command::new("nvim")
        .args([
            "--headless",
            "--clean",
            "-n",
            "-c",
            &format!("luafile {script}"),
        ])
        .env("GOMODFIX_BIN", env!("CARGO_BIN_EXE_gomodfix"))
        .env("GOMODFIX_FILE", &df)
        .env("GOMODFIX_OUT", &report)
        .current_dir(dir.path())
        .status()
        .unwrap();
    let report = fs::read_to_string(&report).unwrap_or_default();
    assert!(status.success(), "nvim failed: {report}");
    assert!(
        report.contains("diagnostics: GM001,GM003,GM017"),
        "{report}"
    );
    assert!(report.contains("applied: 1"), "{report}");
    let fixed_by_editor = fs::read_to_string(&df).unwrap();

    let copy = project(BROKEN);
    let out = Command::new(env!("CARGO_BIN_EXE_gomodfix"))
        .arg("--write")
        .arg("Dockerfile")
        .current_dir(copy.path())
        .output()
        .unwrap();
    assert!(out.status.code().is_some());
    assert_eq!(
        fixed_by_editor,
        fs::read_to_string(copy.path().join("Dockerfile")).unwrap()
    );
}
