//! `cargo bench`: parse, check and fix of small, typical and large Dockerfiles (in memory; no
//! disk in the loop). The scale benchmark against hadolint is `python3 bench/scale.py`.

use criterion::{BenchmarkId, Criterion, criterion_group};
use std::hint::black_box;
use std::sync::Arc;

use gomodfix::context::{Context, ContextTree, Origin};
use gomodfix::rules::Settings;
use gomodfix::syntax::Dockerfile;

const SMALL: &str = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";

fn typical() -> String {
    "# syntax=docker/dockerfile:1\nARG GO_VERSION=1.22\nFROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS build\nARG TARGETOS TARGETARCH\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN apk add --no-cache git make && \\\n    # build it\n    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nUSER nonroot:nonroot\nENTRYPOINT [\"/app\"]\n".to_string()
}

fn large(lines: usize) -> String {
    let mut s = String::from(
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n",
    );
    let mut i = 0;
    while s.lines().count() < lines {
        s.push_str(&format!(
            "RUN go build -o /out/app{i} ./cmd/app{i}\nENV STEP{i}=done\n"
        ));
        i += 1;
    }
    s.push_str("FROM scratch\nCOPY --from=build /out/app0 /app\n");
    s
}

fn context() -> Context {
    let tree = ContextTree::from_files([
        (
            "go.mod",
            "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
        ),
        ("go.sum", "x\n"),
        ("main.go", "package main\n"),
        ("cmd/app/main.go", "package main\n"),
    ]);
    Context::new(Arc::new(tree), Origin::Flag)
}

fn bench(c: &mut Criterion) {
    let ctx = context();
    let settings = Settings::default();
    let inputs = [
        ("small", SMALL.to_string()),
        ("typical", typical()),
        ("large-2000", large(2000)),
        ("large-20000", large(20000)),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for (name, text) in &inputs {
        group.bench_with_input(BenchmarkId::new("parse", name), text, |b, t| {
            b.iter(|| Dockerfile::parse(black_box(t.as_str())))
        });
        group.bench_with_input(BenchmarkId::new("check", name), text, |b, t| {
            b.iter(|| gomodfix::check(black_box(t), Some(&ctx), &settings))
        });
        group.bench_with_input(BenchmarkId::new("fix", name), text, |b, t| {
            b.iter(|| gomodfix::lint(black_box(t), Some(&ctx), &settings, false))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
// The allocators the binary uses (src/main.rs), so the figures are the shipped ones.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // SAFETY: first thing in main; no tree-sitter object exists yet.
    unsafe { gomodfix::alloc::tree_sitter_uses_mimalloc() };
    benches();
    Criterion::default().configure_from_args().final_summary();
}
