//! What several integration tests share: a small Go project with a Dockerfile that has findings
//! of several rules.
#![allow(dead_code)] // each test binary uses part of it

use std::fs;

use tempfile::TempDir;

pub const GO_MOD: &str =
    "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n";
pub const GO_SUM: &str =
    "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n";
/// GM001, GM002, GM003, GM004 and GM017 fire on it.
pub const BROKEN: &str = "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n\nFROM scratch\nCOPY --from=build /app /app\n";

/// A temporary build context: go.mod with a requirement, go.sum, main.go and this Dockerfile.
pub fn project(dockerfile: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::write(dir.path().join("go.mod"), GO_MOD).unwrap();
    fs::write(dir.path().join("go.sum"), GO_SUM).unwrap();
    fs::write(dir.path().join("main.go"), "package main\nfunc main() {}\n").unwrap();
    fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}
