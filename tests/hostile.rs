//! Hostile and broken input: each gets one clear error line (or is handled), the run goes on
//! with the other files, and the exit code says something failed.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use tempfile::TempDir;

const GOOD: &str = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\n";

fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::create_dir(dir.path().join("good")).unwrap();
    fs::write(
        dir.path().join("good/go.mod"),
        "module example.com/a\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
    )
    .unwrap();
    fs::write(dir.path().join("good/go.sum"), "x\n").unwrap();
    fs::write(dir.path().join("good/Dockerfile"), GOOD).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("gomodfix")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .args(["--color", "never", "--output-format", "concise"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

/// A broken file next to a good one: one error line for it, the good one still checked.
fn assert_one_error(setup: impl Fn(&Path), expect: &str) {
    let dir = repo();
    setup(dir.path());
    let (code, out, err) = run(dir.path(), &[]);
    assert_eq!(code, 2, "{out}\n{err}");
    let lines: Vec<&str> = err.lines().filter(|l| l.contains("bad")).collect();
    assert_eq!(lines.len(), 1, "one line for the bad file: {err}");
    assert!(lines[0].contains(expect), "{err}");
    assert!(
        out.contains("good/Dockerfile:"),
        "the good file is still checked: {out}"
    );
}

#[test]
fn binary_invalid_utf8_and_nul_bytes() {
    assert_one_error(
        |d| put(d, "bad/Dockerfile", &[0x7f, b'E', b'L', b'F', 0, 1, 2, 3]),
        "binary file",
    );
    assert_one_error(
        |d| put(d, "bad/Dockerfile", b"FROM golang\nLABEL x=\xff\xfe\n"),
        "not UTF-8",
    );
    assert_one_error(
        |d| put(d, "bad/Dockerfile", b"FROM golang\0:1.22\n"),
        "binary file",
    );
}

#[test]
fn huge_file_is_refused_with_the_limit_named() {
    assert_one_error(
        |d| {
            let mut big = String::from("FROM golang:1.22\n");
            while big.len() < 50 * 1024 * 1024 {
                big.push_str(
                    "RUN echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
                );
            }
            put(d, "bad/Dockerfile", big.as_bytes());
        },
        "larger than the 2097152 byte limit",
    );
}

#[test]
fn directory_named_dockerfile_and_symlink_loop() {
    let dir = repo();
    fs::create_dir_all(dir.path().join("bad/Dockerfile")).unwrap();
    let (code, out, err) = run(dir.path(), &["bad/Dockerfile", "good/Dockerfile"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad/Dockerfile: is a directory"), "{err}");
    assert!(out.contains("good/Dockerfile:"));
    #[cfg(unix)]
    {
        let d = repo();
        fs::create_dir(d.path().join("bad")).unwrap();
        std::os::unix::fs::symlink(
            d.path().join("bad/b.Dockerfile"),
            d.path().join("bad/a.Dockerfile"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            d.path().join("bad/a.Dockerfile"),
            d.path().join("bad/b.Dockerfile"),
        )
        .unwrap();
        let (code, out, err) = run(d.path(), &[]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("a.Dockerfile") && err.contains("b.Dockerfile"),
            "{err}"
        );
        assert!(out.contains("good/Dockerfile:"));
    }
}

#[test]
fn strange_but_valid_texts_are_checked_without_errors() {
    let cases: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("only-comments", b"# just a comment\n# another\n"),
        (
            "bom",
            "\u{feff}FROM golang:1.22\nRUN go build .\n".as_bytes(),
        ),
        (
            "unterminated-heredoc",
            b"FROM golang:1.22\nRUN <<EOF\ngo build .\n",
        ),
        (
            "unterminated-json",
            b"FROM golang:1.22\nRUN [\"go\", \"build\"\nCMD [\"/app\"\n",
        ),
        (
            "junk",
            b"FROM golang:1.22\n}}} {{{ \\\n@@@\nRUN go build .\n\\\n",
        ),
    ];
    for (name, text) in cases {
        let dir = repo();
        put(dir.path(), &format!("{name}/Dockerfile"), text);
        let (code, out, err) = run(dir.path(), &[]);
        assert!(code == 0 || code == 1, "{name}: {code}\n{out}\n{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        // --write must not make it parse worse or fail.
        let before = gomodfix::syntax::error_count(&gomodfix::syntax::parse_tree(
            &String::from_utf8_lossy(text),
        ));
        let (code, _, err) = run(dir.path(), &["--write"]);
        assert!(code == 0 || code == 1, "{name}: {err}");
        let after = fs::read(dir.path().join(name).join("Dockerfile")).unwrap();
        let after_errors = gomodfix::syntax::error_count(&gomodfix::syntax::parse_tree(
            &String::from_utf8_lossy(&after),
        ));
        assert!(after_errors <= before, "{name}: parses worse after --write");
    }
}

#[test]
fn ten_thousand_continuation_lines() {
    let dir = repo();
    let mut text = String::from("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN true");
    for i in 0..10_000 {
        text.push_str(&format!(" \\\n    && echo {i}"));
    }
    text.push_str(" \\\n    && go build -o /app .\n");
    put(dir.path(), "long/Dockerfile", text.as_bytes());
    fs::copy(
        dir.path().join("good/go.mod"),
        dir.path().join("long/go.mod"),
    )
    .unwrap();
    let (code, out, err) = run(dir.path(), &["long"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("long/Dockerfile:4:1: GM003"),
        "the go build at the end is found: {out}"
    );
}

#[test]
fn read_only_file_is_not_overwritten() {
    let dir = repo();
    let df = dir.path().join("good/Dockerfile");
    let mut perms = fs::metadata(&df).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&df, perms).unwrap();
    let (code, _, err) = run(dir.path(), &["--write"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("good/Dockerfile: file is read-only; not overwritten"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&df).unwrap(), GOOD);
}

#[test]
fn a_file_changed_since_it_was_read_is_not_overwritten() {
    let dir = repo();
    let df = dir.path().join("good/Dockerfile");
    let err = gomodfix::engine::write_atomic(&df, b"FROM something else\n", b"new").unwrap_err();
    assert!(err.contains("changed on disk"), "{err}");
    assert_eq!(fs::read_to_string(&df).unwrap(), GOOD);
    // And a successful write leaves no temporary file behind.
    gomodfix::engine::write_atomic(&df, GOOD.as_bytes(), b"FROM x\n").unwrap();
    let names: Vec<_> = fs::read_dir(dir.path().join("good"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn malformed_context_files_get_one_error_each() {
    // go.mod that does not parse: a warning for the file, rules that need it stay silent.
    let dir = repo();
    fs::write(dir.path().join("good/go.mod"), "module x\nrequire (\n").unwrap();
    let (_, out, err) = run(dir.path(), &[]);
    assert!(
        err.contains("go.mod unreadable") && err.contains("not closed"),
        "{err}"
    );
    assert!(!out.contains("GM001"), "{out}");
    // .dockerignore with a bad pattern: the context is unknown for that Dockerfile.
    let dir = repo();
    fs::write(dir.path().join("good/.dockerignore"), "[a-\n").unwrap();
    let (_, _, err) = run(dir.path(), &[]);
    assert!(err.contains(".dockerignore:1: bad pattern"), "{err}");
    // go.work that does not parse.
    let dir = repo();
    fs::write(dir.path().join("good/go.work"), "use (\n").unwrap();
    let (_, out, _) = run(dir.path(), &[]);
    assert!(out.contains("good/Dockerfile:"), "{out}");
    // Compose YAML alias bomb and broken bake HCL: one error each, the run goes on, exit 2.
    let dir = repo();
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = "a".to_string();
    for n in ["b", "c", "d", "e", "f", "g", "h", "i"] {
        bomb.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n.to_string();
    }
    bomb.push_str("services:\n  x:\n    build: .\n");
    fs::write(dir.path().join("good/compose.yaml"), bomb).unwrap();
    fs::write(
        dir.path().join("good/docker-bake.hcl"),
        "target \"x\" {\n  context = \n",
    )
    .unwrap();
    let (code, out, err) = run(dir.path(), &[]);
    assert_eq!(code, 2);
    assert_eq!(
        err.lines().filter(|l| l.contains("compose.yaml")).count(),
        1,
        "{err}"
    );
    assert_eq!(
        err.lines()
            .filter(|l| l.contains("docker-bake.hcl"))
            .count(),
        1,
        "{err}"
    );
    assert!(out.contains("good/Dockerfile:"), "{out}");
}
