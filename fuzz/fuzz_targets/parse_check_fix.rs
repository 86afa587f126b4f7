//! parse → check → fix on arbitrary input, in a context with a module, a go.sum and vendor/:
//! nothing may panic, fixing the output again changes nothing, and the output never parses
//! worse than the input.
#![no_main]

use std::sync::Arc;

use gomodfix::context::{Context, ContextTree, DockerIgnore, Origin};
use gomodfix::rules::Settings;
use gomodfix::syntax::{error_count, parse_tree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let tree = ContextTree::from_files([
        ("go.mod", "module example.com/app\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n\nreplace example.com/lib => ./lib\n"),
        ("go.sum", "x\n"),
        ("main.go", "package main\n"),
        ("lib/go.mod", "module example.com/lib\n"),
        ("vendor/modules.txt", "# github.com/google/uuid v1.6.0\n"),
        ("go.work", "go 1.22\n\nuse .\n"),
    ]);
    let mut ctx = Context::new(Arc::new(tree), Origin::Flag);
    ctx.dockerignore = DockerIgnore::parse("*.sum\n!go.sum\nvendor\n", ".dockerignore").ok();
    let settings = Settings::default();
    for unsafe_fixes in [false, true] {
        let linted = gomodfix::lint(text, Some(&ctx), &settings, unsafe_fixes);
        let Ok(outcome) = linted.fixed else { continue };
        let side = outcome.side_files.iter().map(|(k, (_, v))| (k.clone(), v.clone())).collect();
        let after = ctx.with_edited_files(&side);
        let again = gomodfix::lint(&outcome.output, Some(&after), &settings, unsafe_fixes);
        if let Ok(again) = again.fixed {
            assert_eq!(again.output, outcome.output, "not idempotent");
        }
        assert!(error_count(&parse_tree(&outcome.output)) <= error_count(&parse_tree(text)), "parses worse");
    }
});
