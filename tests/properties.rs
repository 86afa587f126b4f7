//! Property tests over generated Dockerfiles (mixtures of real instructions, continuations,
//! comments, heredocs, CRLF, escape directives and junk lines): no panic; fixing twice equals
//! fixing once; the output never parses worse; comments and untouched instructions survive; and
//! `--diff` applied with `git apply` equals `--write`.

use std::sync::Arc;

use gomodfix::context::{Context, ContextTree, Origin};
use gomodfix::fix::{Edit, apply_edits};
use gomodfix::rules::Settings;
use gomodfix::syntax::{error_count, parse_tree};
use proptest::prelude::*;

fn context() -> Context {
    let tree = ContextTree::from_files([
        (
            "go.mod",
            "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgit.acme.corp/lib v1.0.0\n)\n",
        ),
        (".dockerignore", "*.md\n"),
        ("go.sum", "x\n"),
        ("main.go", "package main\n"),
        ("cmd/app/main.go", "package main\n"),
    ]);
    Context::new(Arc::new(tree), Origin::Flag)
}

/// One line (or block) of a Dockerfile: real instructions in many shapes, and junk.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FROM golang:1.22 AS build".to_string()),
        Just("FROM golang:1.21-alpine".to_string()),
        Just("FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS b".to_string()),
        Just("FROM scratch".to_string()),
        Just("FROM build".to_string()),
        Just("ARG GO_VERSION=1.22".to_string()),
        Just("WORKDIR /src".to_string()),
        Just("WORKDIR app".to_string()),
        Just("COPY . .".to_string()),
        Just("COPY go.mod go.sum ./".to_string()),
        Just("COPY --from=build /app /app".to_string()),
        Just("COPY [\"main.go\", \"./\"]".to_string()),
        Just("ENV CGO_ENABLED=0".to_string()),
        Just("ENV GOFLAGS=-mod=vendor GO111MODULE=off".to_string()),
        Just("ENV GOPATH /gopath".to_string()),
        Just("USER 1000:1000".to_string()),
        Just("RUN go mod download".to_string()),
        Just("RUN go build -o /app .".to_string()),
        Just("RUN --mount=type=cache,target=/go/pkg/mod go build -mod=vendor ./...".to_string()),
        Just("RUN [\"go\", \"test\", \"./...\"]".to_string()),
        Just("RUN go env -w GOPROXY=direct && go install ./cmd/app".to_string()),
        Just("RUN go get github.com/google/uuid/cmd/x".to_string()),
        Just("RUN apt-get update && \\\n    # a comment inside\n    go build -o /x .".to_string()),
        Just("RUN <<EOF\nset -e\ngo build ./...\nEOF".to_string()),
        Just("RUN <<EOF\ngo vet ./...".to_string()),
        Just("RUN [ \"$X\" = 1 ] && go build .".to_string()),
        Just("# a comment".to_string()),
        Just("# gomodfix: ignore[GM003]".to_string()),
        Just("# hadolint ignore=DL3008".to_string()),
        Just("".to_string()),
        Just("ONBUILD RUN go build".to_string()),
        // Bind mounts (the shape of Docker's Go guide) and private modules over SSH.
        Just("RUN --mount=type=bind,source=go.mod,target=go.mod --mount=type=bind,source=go.sum,target=go.sum go mod download".to_string()),
        Just("RUN --mount=type=bind,target=. --mount=type=cache,target=/root/.cache/go-build go build -o /app .".to_string()),
        Just("RUN git config --global url.\"git@git.acme.corp:\".insteadOf \"https://git.acme.corp/\"".to_string()),
        Just("RUN --mount=type=ssh go mod download".to_string()),
        Just("ENV GOPRIVATE=git.acme.corp".to_string()),
        Just("ENV GO111MODULE=off".to_string()),
        Just("RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=${TARGETARCH} go build -o /app .".to_string()),
        Just("ARG TARGETOS TARGETARCH".to_string()),
        Just("COPY --from=lib . /monorepo/lib".to_string()),
        Just("ENV GOPATH=\"\"".to_string()),
        Just("ENTRYPOINT [\"/app\"".to_string()),
        "[ -~]{0,30}".prop_map(|s| s),
    ]
}

fn dockerfile() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(line(), 0..25),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, escape, final_newline)| {
            let mut s = String::new();
            if escape {
                s.push_str("# escape=`\n");
            }
            s.push_str(&lines.join("\n"));
            if final_newline {
                s.push('\n');
            }
            if crlf { s.replace('\n', "\r\n") } else { s }
        })
}

fn fix(text: &str, ctx: &Context, unsafe_fixes: bool) -> String {
    gomodfix::lint(text, Some(ctx), &Settings::default(), unsafe_fixes)
        .fixed
        .expect("fixes converge")
        .output
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn fixing_is_idempotent_and_never_parses_worse(text in dockerfile(), unsafe_fixes in any::<bool>()) {
        let ctx = context();
        let once = fix(&text, &ctx, unsafe_fixes);
        let twice = fix(&once, &ctx, unsafe_fixes);
        prop_assert_eq!(&twice, &once);
        prop_assert!(error_count(&parse_tree(&once)) <= error_count(&parse_tree(&text)));
        // Line endings: a CRLF file stays CRLF; the final newline stays as it was.
        if text.contains("\r\n") {
            prop_assert_eq!(once.matches('\n').count(), once.matches("\r\n").count());
        }
        // (A fix that empties the file, GM100 removing its only line, leaves no line to end.)
        prop_assert!(once.is_empty() || text.ends_with('\n') == once.ends_with('\n'));
        // Comments (other than gomodfix suppressions, which GM100 may remove) survive.
        for l in text.lines().filter(|l| l.trim_start().starts_with('#') && !l.contains("gomodfix:")) {
            prop_assert!(once.contains(l.trim_end_matches('\r')), "comment lost: {l:?}");
        }
    }

    #[test]
    fn bytes_outside_edits_are_unchanged(text in "[ -~\n]{0,200}", cuts in prop::collection::vec((0usize..200, 0usize..5, "[a-z]{0,4}"), 0..6)) {
        // The edit primitive the engine applies: whatever is not in an edit's range is kept.
        let mut edits: Vec<Edit> = Vec::new();
        let mut last = 0;
        let mut sorted = cuts.clone();
        sorted.sort();
        for (at, len, t) in sorted {
            let start = at.max(last).min(text.len());
            let end = (start + len).min(text.len());
            if start < last { continue; }
            edits.push(Edit::replace(start..end, t));
            last = end + 1;
        }
        let out = apply_edits(&text, &edits);
        let mut pos_in = 0;
        let mut pos_out = 0;
        for e in &edits {
            prop_assert_eq!(&text[pos_in..e.range.start], &out[pos_out..pos_out + (e.range.start - pos_in)]);
            pos_out += e.range.start - pos_in + e.text.len();
            pos_in = e.range.end;
        }
        prop_assert_eq!(&text[pos_in..], &out[pos_out..]);
    }
}

proptest! {
    // Each case runs the binary and git: fewer cases.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn diff_applied_with_git_equals_write(text in dockerfile()) {
        use std::fs;
        use std::process::Command;
        let dir = tempfile::TempDir::new().unwrap();
        let copy = tempfile::TempDir::new().unwrap();
        for d in [dir.path(), copy.path()] {
            fs::write(d.join("go.mod"), "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n").unwrap();
            fs::write(d.join("go.sum"), "x\n").unwrap();
            fs::write(d.join("Dockerfile"), &text).unwrap();
        }
        let bin = env!("CARGO_BIN_EXE_gomodfix");
        let diff = Command::new(bin).args(["--diff", "Dockerfile"]).current_dir(copy.path()).output().unwrap();
        Command::new(bin).args(["--write", "Dockerfile"]).current_dir(dir.path()).output().unwrap();
        let written = fs::read(dir.path().join("Dockerfile")).unwrap();
        if !diff.stdout.is_empty() {
            fs::write(copy.path().join("fix.patch"), &diff.stdout).unwrap();
            let status = Command::new("git").args(["apply", "-p1", "fix.patch"]).current_dir(copy.path()).status().unwrap();
            prop_assert!(status.success(), "git apply failed for:\n{}", String::from_utf8_lossy(&diff.stdout));
        }
        prop_assert_eq!(fs::read(copy.path().join("Dockerfile")).unwrap(), written);
    }
}

/// Found by the property test: removing the last line of a file without a final newline used to
/// leave the newline before it, so the file gained one.
#[test]
fn regression_deleting_the_last_line_keeps_the_file_ending() {
    let ctx = context();
    for text in [
        "FROM golang:1.22 AS build\n# gomodfix: ignore[GM003]",
        "# escape=`\r\n# gomodfix: ignore[GM003]",
    ] {
        let out = fix(text, &ctx, false);
        assert!(!out.ends_with('\n'), "{out:?}");
        assert!(!out.contains("gomodfix: ignore"), "{out:?}");
    }
}
