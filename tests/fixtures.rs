//! Every fixture under `fixtures/<CODE>/<case>/` is a build context. Each Dockerfile in it is
//! checked as `docker build -f <Dockerfile> <case dir>` would build it, and:
//! - the diagnostics and the diffs of the safe and the unsafe fixes are snapshotted;
//! - `pos_*` cases must produce the rule's code, `neg_*` cases must not;
//! - fixing is idempotent and never parses worse than the input, in both fix modes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gomodfix::context::Context;
use gomodfix::engine::{ContextCache, discover, is_dockerfile_name};
use gomodfix::fix::FixOutcome;
use gomodfix::render::diff::unified;
use gomodfix::rules::Settings;
use gomodfix::syntax::{error_count, parse_tree};

fn fixture_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

struct Case {
    code: String,
    name: String,
    dir: PathBuf,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    for code in std::fs::read_dir(fixture_root()).unwrap().flatten() {
        // Only rule folders; fixtures/contexts/ is driven through the CLI (tests/contexts.rs).
        if !code.path().is_dir() || !code.file_name().to_string_lossy().starts_with("GM") {
            continue;
        }
        for case in std::fs::read_dir(code.path()).unwrap().flatten() {
            if case.path().is_dir() {
                out.push(Case {
                    code: code.file_name().to_string_lossy().into_owned(),
                    name: case.file_name().to_string_lossy().into_owned(),
                    dir: case.path(),
                });
            }
        }
    }
    out.sort_by(|a, b| (&a.code, &a.name).cmp(&(&b.code, &b.name)));
    out
}

/// The context a case is checked in: the case folder (as `--context <case>`), or, when the
/// case has a `CONTEXT-DEFAULT` marker file, the Dockerfile's own folder (the CLI's default).
fn context_for(case_dir: &Path, dockerfile: &Path, source: &str) -> Context {
    let cache = ContextCache::default();
    let flag = (!case_dir.join("CONTEXT-DEFAULT").exists()).then_some(case_dir);
    let mut contexts = cache.prepare_contexts(dockerfile, source, None, flag, None);
    contexts.remove(0).expect("fixture context loads")
}

fn fix(source: &str, ctx: &Context, settings: &Settings, unsafe_fixes: bool) -> FixOutcome {
    let linted = gomodfix::lint(source, Some(ctx), settings, unsafe_fixes);
    linted.fixed.expect("fixes converge")
}

/// The context after a fix changed some of its files.
fn after(ctx: &Context, out: &FixOutcome) -> Context {
    let side: BTreeMap<String, String> = out
        .side_files
        .iter()
        .map(|(k, (_, new))| (k.clone(), new.clone()))
        .collect();
    ctx.with_edited_files(&side)
}

/// One fixture: its diagnostics and fixes snapshotted, its pos_/neg_ promise kept, its fixes
/// idempotent and never parsing worse.
fn run_case(case: &Case) {
    let settings = case_settings(case);
    {
        let (files, errors) = discover(std::slice::from_ref(&case.dir), &[]);
        assert!(errors.is_empty(), "{errors:?}");
        let files: Vec<PathBuf> = files
            .into_iter()
            .filter(|f| {
                f.file_name()
                    .is_some_and(|n| is_dockerfile_name(&n.to_string_lossy()))
            })
            .collect();
        assert!(
            !files.is_empty(),
            "{}/{} has no Dockerfile",
            case.code,
            case.name
        );
        let mut report = String::new();
        let mut codes_seen = Vec::new();
        for file in &files {
            let rel = file
                .strip_prefix(&case.dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(file).unwrap();
            let ctx = context_for(&case.dir, file, &source);
            let linted = gomodfix::lint(&source, Some(&ctx), &settings, false);
            report.push_str(&format!("== {rel}\n-- diagnostics\n"));
            for d in &linted.diagnostics {
                let (line, col) = gomodfix::syntax::line_col(&source, d.range.start);
                let fix = match &d.fix {
                    Some(f) => format!(" [{:?} fix: {}]", f.applicability, f.title),
                    None => String::new(),
                };
                report.push_str(&format!(
                    "{line}:{col} {} {}: {}{fix}\n",
                    d.code, d.severity, d.message
                ));
                codes_seen.push(d.code);
            }
            let safe = fix(&source, &ctx, &settings, false);
            let unsafe_ = fix(&source, &ctx, &settings, true);
            let show = |out: &FixOutcome| {
                let mut text = unified(&rel, &source, &out.output);
                for (path, (old, new)) in &out.side_files {
                    text.push_str(&unified(path, old, new));
                }
                text
            };
            report.push_str("-- safe fixes\n");
            report.push_str(&show(&safe));
            if unsafe_.output != safe.output || unsafe_.side_files != safe.side_files {
                report.push_str("-- with unsafe fixes\n");
                report.push_str(&show(&unsafe_));
            }
            let before = error_count(&parse_tree(&source));
            for (mode, outcome, flag) in [("safe", &safe, false), ("unsafe", &unsafe_, true)] {
                let out = &outcome.output;
                let again = fix(out, &after(&ctx, outcome), &settings, flag);
                assert!(
                    &again.output == out && again.side_files.is_empty(),
                    "{}/{}/{rel}: {mode} fixes are not idempotent",
                    case.code,
                    case.name
                );
                assert!(
                    error_count(&parse_tree(out)) <= before,
                    "{}/{}/{rel}: {mode} fixes parse worse",
                    case.code,
                    case.name
                );
                // Line endings are kept: a CRLF file gets no bare LF.
                if source.contains("\r\n") {
                    assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
                }
                // A file without a final newline stays without one.
                assert_eq!(source.ends_with('\n'), out.ends_with('\n'));
            }
        }
        if case.name.starts_with("pos_") {
            assert!(
                codes_seen.contains(&case.code.as_str()),
                "{}/{} should report {}:\n{report}",
                case.code,
                case.name,
                case.code
            );
        } else if case.name.starts_with("neg_") {
            assert!(
                !codes_seen.contains(&case.code.as_str()),
                "{}/{} must not report {}:\n{report}",
                case.code,
                case.name,
                case.code
            );
        }
        insta::assert_snapshot!(format!("{}__{}", case.code, case.name), report);
    }
}

fn recommended_shape_has_no_findings_at_all() {
    let dir = fixture_root().join("GM001/neg_recommended_shape");
    let file = dir.join("Dockerfile");
    let source = std::fs::read_to_string(&file).unwrap();
    let ctx = context_for(&dir, &file, &source);
    let d = gomodfix::check(&source, Some(&ctx), &Settings::default());
    assert!(d.is_empty(), "{d:#?}");
}

/// The settings a case runs with: only its own rule selected (so a case shows that rule alone and
/// a change to another rule never rewrites it), plus what a `.gomodfix.yaml` in the case folder
/// says (`extend-select`, `hardening`, rule options), as the CLI would read it there.
fn case_settings(case: &Case) -> Settings {
    let config = case.dir.join(".gomodfix.yaml");
    let loaded = config
        .exists()
        .then(|| gomodfix::config::load(&config).expect("fixture config parses"));
    let cli = gomodfix::config::Overrides {
        select: Some(vec![case.code.clone()]),
        ..Default::default()
    };
    gomodfix::config::Effective::merge(loaded.as_ref(), &cli).settings()
}

fn main() {
    let args = libtest_mimic::Arguments::from_args();
    let cases = cases();
    assert!(cases.len() > 20, "fixtures found: {}", cases.len());
    let mut trials: Vec<libtest_mimic::Trial> = cases
        .into_iter()
        .map(|case| {
            libtest_mimic::Trial::test(format!("{}::{}", case.code, case.name), move || {
                run_case(&case);
                Ok(())
            })
        })
        .collect();
    trials.push(libtest_mimic::Trial::test(
        "recommended_shape_has_no_findings_at_all",
        || {
            recommended_shape_has_no_findings_at_all();
            Ok(())
        },
    ));
    libtest_mimic::run(&args, trials).exit();
}
