//! The corpus (`corpus/<repo>/`): realistic repositories in the shapes real Go projects use.
//! Every Dockerfile is checked in the contexts gomodfix detects for it (compose/bake files, or its
//! own folder), and: nothing panics, fixes are idempotent in both modes, no fix leaves more parse
//! errors than the input, and every finding and fix is snapshotted for review.

use std::collections::BTreeMap;
use std::path::Path;

use gomodfix::context::Context;
use gomodfix::engine::{ContextCache, discover};
use gomodfix::fix::FixOutcome;
use gomodfix::render::diff::unified;
use gomodfix::rules::Settings;
use gomodfix::syntax::{error_count, line_col, parse_tree};

fn fix(source: &str, ctx: Option<&Context>, unsafe_fixes: bool) -> FixOutcome {
    gomodfix::lint(source, ctx, &Settings::default(), unsafe_fixes)
        .fixed
        .expect("fixes converge")
}

#[test]
fn corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut repos: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    assert!(repos.len() >= 40, "corpus has {} repositories", repos.len());
    let mut dockerfiles = 0;
    for repo in repos {
        let name = repo.file_name().unwrap().to_string_lossy().into_owned();
        let cache = ContextCache::default();
        let (files, errors) = discover(std::slice::from_ref(&repo), &[]);
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let mut report = String::new();
        for file in files {
            dockerfiles += 1;
            let rel = file
                .strip_prefix(&repo)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(&file).unwrap();
            let contexts: Vec<Option<Context>> = cache
                .prepare_contexts(&file, &source, None, None, None)
                .into_iter()
                .map(|c| c.ok())
                .collect();
            for ctx in contexts {
                let origin = ctx
                    .as_ref()
                    .map_or("none".to_string(), |c| match &c.origin {
                        gomodfix::context::Origin::File { path, entry, .. } => {
                            format!("{} ({entry})", path.file_name().unwrap().to_string_lossy())
                        }
                        o => o.to_string(),
                    });
                report.push_str(&format!("== {rel} [context: {origin}]\n"));
                let linted = gomodfix::lint(&source, ctx.as_ref(), &Settings::default(), false);
                for d in &linted.diagnostics {
                    let (l, c) = line_col(&source, d.range.start);
                    let fix = d
                        .fix
                        .as_ref()
                        .map_or(String::new(), |f| format!(" [{:?}]", f.applicability));
                    report.push_str(&format!("{l}:{c} {} {}{fix}\n", d.code, d.message));
                }
                let before = error_count(&parse_tree(&source));
                for unsafe_fixes in [false, true] {
                    let out = fix(&source, ctx.as_ref(), unsafe_fixes);
                    let side: BTreeMap<String, String> = out
                        .side_files
                        .iter()
                        .map(|(k, (_, n))| (k.clone(), n.clone()))
                        .collect();
                    let after_ctx = ctx.as_ref().map(|c| c.with_edited_files(&side));
                    let again = fix(&out.output, after_ctx.as_ref(), unsafe_fixes);
                    assert_eq!(
                        again.output, out.output,
                        "{name}/{rel}: not idempotent (unsafe={unsafe_fixes})"
                    );
                    assert!(
                        again.side_files.is_empty(),
                        "{name}/{rel}: context files not idempotent"
                    );
                    assert!(
                        error_count(&parse_tree(&out.output)) <= before,
                        "{name}/{rel}: parses worse (unsafe={unsafe_fixes})"
                    );
                    report.push_str(if unsafe_fixes {
                        "-- with unsafe fixes\n"
                    } else {
                        "-- safe fixes\n"
                    });
                    report.push_str(&unified(&rel, &source, &out.output));
                    for (p, (o, n)) in &out.side_files {
                        report.push_str(&unified(p, o, n));
                    }
                }
            }
        }
        insta::assert_snapshot!(format!("corpus__{name}"), report);
    }
    assert!(dockerfiles >= 40);
}
