//! Every rule's documentation shows an Example that the rule reports and a "Use instead" that it
//! does not: both are checked here, in a build context made for them (go.mod, go.sum, main.go;
//! a `# go.mod says: go 1.23` comment in the example sets go.mod's go line).

use std::fs;

use gomodfix::engine::ContextCache;
use gomodfix::rules::{Settings, registry};

/// The first ```dockerfile block after `heading` in a rule's documentation.
fn block<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let after = &doc[doc.find(heading)? + heading.len()..];
    let start = after.find("```dockerfile\n")? + "```dockerfile\n".len();
    let end = after[start..].find("```")?;
    Some(&after[start..start + end])
}

/// A documentation fragment (`RUN go env -w …`) as a whole Dockerfile: on a golang image.
fn with_from(block: &str) -> String {
    if block
        .lines()
        .any(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
    {
        block.to_string()
    } else {
        format!("FROM golang:1.22\n{block}")
    }
}

/// Codes whose Example needs a context this test does not make (a .dockerignore, vendor/, a
/// go.work with members, a compose file, private modules, a Makefile): their fixtures cover them.
const NEEDS_OWN_CONTEXT: &[&str] = &[
    "GM005", "GM013", "GM014", "GM015", "GM024", "GM025", "GM027", "GM028", "GM100",
];

fn findings(code: &str, dockerfile: &str) -> Vec<String> {
    let dir = tempfile::TempDir::new().unwrap();
    let go_line = dockerfile
        .lines()
        .find_map(|l| l.trim().strip_prefix("# go.mod says: "))
        .unwrap_or("go 1.22");
    fs::write(
        dir.path().join("go.mod"),
        format!("module example.com/app\n\n{go_line}\n\nrequire github.com/google/uuid v1.6.0\n"),
    )
    .unwrap();
    fs::write(
        dir.path().join("go.sum"),
        "github.com/google/uuid v1.6.0 h1:x=\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("main.go"),
        "package main\n\nfunc main() {}\n",
    )
    .unwrap();
    let df = dir.path().join("Dockerfile");
    fs::write(&df, dockerfile).unwrap();
    let cache = ContextCache::default();
    let ctx = cache
        .prepare_contexts(&df, dockerfile, None, Some(dir.path()), None)
        .remove(0)
        .unwrap();
    let settings = Settings {
        select: vec![code.to_string()],
        ..Default::default()
    };
    gomodfix::check(dockerfile, Some(&ctx), &settings)
        .into_iter()
        .map(|d| d.code.to_string())
        .collect()
}

#[test]
fn rule_examples_trigger_and_their_fixes_do_not() {
    let mut failures = Vec::new();
    for rule in registry() {
        let meta = rule.meta();
        if NEEDS_OWN_CONTEXT.contains(&meta.code) {
            continue;
        }
        let Some(example) = block(meta.doc, "## Example") else {
            failures.push(format!("{}: no dockerfile Example block", meta.code));
            continue;
        };
        // "Use instead: nothing" (remove the line) is the base image alone.
        let instead = block(meta.doc, "## Use instead").unwrap_or("");
        let (example, instead) = (with_from(example), with_from(instead));
        if !findings(meta.code, &example).iter().any(|c| c == meta.code) {
            failures.push(format!("{}: the Example is not reported", meta.code));
        }
        if findings(meta.code, &instead).iter().any(|c| c == meta.code) {
            failures.push(format!("{}: the Use instead is reported", meta.code));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
