//! Printing a diagnosis in the check's output formats. The finding that explains the failure
//! comes first; JSON marks it (`explains_failure`) and adds a `diagnose` object, SARIF puts the
//! same in property bags, GitHub and Checkstyle say it in the message.

use serde_json::{Value, json};

use super::failures::Recognised;
use super::{DiagnoseArgs, Reading};
use crate::cli::OutputFormat;
use crate::diagnostics::{Diagnostic, Severity};
use crate::engine::FileReport;
use crate::render::{self, FileResult, text::Style};

/// A recognised failure matched against its Dockerfile.
pub struct Outcome<'a> {
    pub reading: &'a Reading,
    pub failure: &'a Recognised,
    pub report: &'a FileReport,
    /// Lines of the failing instruction.
    pub span: Option<(usize, usize)>,
    /// Index of the explaining finding in `report.diagnostics`.
    pub cause: Option<usize>,
}

impl Outcome<'_> {
    /// The diagnostics with the explaining one first.
    fn ordered(&self) -> Vec<Diagnostic> {
        let mut v = self.report.diagnostics.clone();
        if let Some(i) = self.cause {
            let d = v.remove(i);
            v.insert(0, d);
        }
        v
    }

    fn cause(&self) -> Option<&Diagnostic> {
        self.cause.map(|i| &self.report.diagnostics[i])
    }
}

fn style(args: &DiagnoseArgs) -> Style {
    use std::io::IsTerminal;
    Style {
        color: match args.color {
            crate::cli::ColorChoice::Always => true,
            crate::cli::ColorChoice::Never => false,
            crate::cli::ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        },
    }
}

/// The `diagnose` object of the JSON output (and of SARIF's run properties).
fn summary(
    reading: &Reading,
    failure: Option<&Recognised>,
    dockerfile: Option<&str>,
    span: Option<(usize, usize)>,
    cause: Option<&Diagnostic>,
) -> Value {
    json!({
        "failure": failure.map(|f| json!({
            "kind": f.kind,
            "title": f.kind.title(),
            "message": f.message,
            "detail": f.detail,
            "rules": f.kind.rules(),
        })),
        "step": reading.step.as_ref().map(|s| json!({
            "label": s.label(),
            "stage": s.stage,
            "index": s.index.map(|(i, _)| i),
            "of": s.index.map(|(_, n)| n),
            "instruction": s.instruction,
        })),
        "error": reading.log.error,
        "dockerfile": dockerfile,
        "line": span.map(|s| s.0),
        "end_line": span.map(|s| s.1),
        "explained_by": cause.map(|d| d.code),
    })
}

/// The text lines that say what failed.
fn header(reading: &Reading, failure: Option<&Recognised>, at: Option<String>) -> String {
    let mut out = String::new();
    match &reading.step {
        Some(step) => {
            out.push_str(&format!("The build failed at step {}", step.label()));
            if let Some(at) = at {
                out.push_str(&format!(" ({at})"));
            }
            out.push('\n');
        }
        None => {
            out.push_str("The build (or its image) failed");
            if let Some(at) = at {
                out.push_str(&format!(" ({at})"));
            }
            out.push_str(":\n");
        }
    }
    if let Some(f) = failure {
        out.push_str(&format!("  {}\n", f.message));
        out.push_str(&format!("Recognised: {} [{}]\n", f.kind.title(), kebab(f)));
    } else if let Some(e) = &reading.log.error {
        out.push_str(&format!("  {e}\n"));
    }
    out
}

fn kebab(f: &Recognised) -> String {
    serde_json::to_value(f.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Nothing recognised.
pub fn unrecognised(args: &DiagnoseArgs, reading: &Reading) {
    match args.output_format {
        OutputFormat::Json | OutputFormat::Sarif => {
            machine(args, reading, None, None, None, &[], "")
        }
        OutputFormat::Github => {
            println!(
                "::notice title=gomodfix diagnose::{}",
                data("gomodfix did not recognise a Go build failure in the log")
            );
        }
        OutputFormat::Checkstyle => machine(args, reading, None, None, None, &[], ""),
        _ => {
            if reading.step.is_some() || reading.log.error.is_some() {
                print!("{}", header(reading, None, None));
            }
            println!(
                "gomodfix did not recognise a Go build failure in the log (see `gomodfix explain` \
                 for the failures its rules are about); it has nothing to say about its cause."
            );
        }
    }
}

/// A failure recognised, but its Dockerfile not found.
pub fn failure_only(args: &DiagnoseArgs, reading: &Reading, failure: &Recognised) {
    match args.output_format {
        OutputFormat::Full | OutputFormat::Concise => {
            print!("{}", header(reading, Some(failure), None));
        }
        OutputFormat::Github => println!(
            "::error title=gomodfix diagnose::{}",
            data(&format!("{}: {}", failure.kind.title(), failure.message))
        ),
        _ => machine(args, reading, Some(failure), None, None, &[], ""),
    }
}

/// With `--diff`/`--write`: the explanation on stderr, the check's own output on stdout.
pub fn explanation_to_stderr(args: &DiagnoseArgs, o: &Outcome) {
    let _ = args;
    let mut s = header(o.reading, Some(o.failure), at(o));
    match o.cause() {
        Some(d) => s.push_str(&format!(
            "This is why the build failed: {} {} ({})\n",
            d.code, d.message, o.report.shown
        )),
        None => s.push_str(&no_rule(o)),
    }
    eprint!("{s}");
}

fn at(o: &Outcome) -> Option<String> {
    o.span.map(|(a, _)| format!("{}:{a}", o.report.shown))
}

fn no_rule(o: &Outcome) -> String {
    format!(
        "gomodfix has no rule that explains this failure in {}, so it has no fix for it.\n",
        o.report.shown
    )
}

/// Print the diagnosis (no `--diff`/`--write`).
pub fn print(args: &DiagnoseArgs, o: &Outcome) {
    let ordered = o.ordered();
    match args.output_format {
        OutputFormat::Full | OutputFormat::Concise => print!("{}", text(args, o, &ordered)),
        OutputFormat::Github => print!("{}", github(o, &ordered)),
        _ => machine(
            args,
            o.reading,
            Some(o.failure),
            Some(o),
            o.cause().map(|d| d.code),
            &ordered,
            &o.report.source,
        ),
    }
}

fn text(args: &DiagnoseArgs, o: &Outcome, ordered: &[Diagnostic]) -> String {
    let style = style(args);
    let r = o.report;
    let show = |d: &Diagnostic| match args.output_format {
        OutputFormat::Full => render::text::diagnostic_full(style, &r.shown, &r.source, d),
        _ => render::text::diagnostic_line(style, &r.shown, &r.source, d),
    };
    let mut out = header(o.reading, Some(o.failure), at(o));
    let rest = if let Some(d) = o.cause() {
        out.push_str("\nThis is why the build failed:\n");
        out.push_str(&show(d));
        &ordered[1..]
    } else {
        out.push('\n');
        out.push_str(&no_rule(o));
        ordered
    };
    if !rest.is_empty() {
        out.push_str(if o.cause.is_some() {
            "\nOther findings:\n"
        } else {
            "\nOther findings (gomodfix does not see them as the cause of this failure):\n"
        });
        for d in rest {
            out.push_str(&show(d));
        }
    }
    // The fixes, as a check shows them.
    if let Some(outcome) = &r.fixed {
        let mut diffs = String::new();
        if outcome.output != r.source {
            diffs.push_str(&render::diff::unified(&r.shown, &r.source, &outcome.output));
        }
        let (side, _) = crate::engine::merge_side_files(crate::engine::side_proposals(r));
        for (path, (old, new)) in &side {
            diffs.push_str(&render::diff::unified(
                &crate::engine::display_path(path),
                old,
                new,
            ));
        }
        if !diffs.is_empty() {
            out.push('\n');
            out.push_str(&if style.color {
                render::diff::colorize(&diffs)
            } else {
                diffs
            });
        }
    }
    if let Some(d) = o.cause() {
        let log = args.log.display();
        out.push('\n');
        out.push_str(&match &d.fix {
            Some(f) if crate::rules::fix_allowed(f, r.unsafe_fixes) => format!(
                "Fix: `gomodfix diagnose {log} --write` (or `gomodfix --write {}`).\n",
                r.shown
            ),
            Some(_) => format!(
                "Fix (unsafe, review it): `gomodfix diagnose {log} --write --unsafe-fixes`.\n"
            ),
            None => format!(
                "{} has no automatic fix; `gomodfix explain {}` says what to change.\n",
                d.code, d.code
            ),
        });
    }
    out
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

fn github(o: &Outcome, ordered: &[Diagnostic]) -> String {
    let r = o.report;
    let mut ordered = ordered.to_vec();
    let mut out = String::new();
    if o.cause.is_some() {
        let d = &mut ordered[0];
        d.severity = Severity::Error;
        d.message = format!(
            "This is why the build failed (`{}`): {}",
            o.failure.message, d.message
        );
    } else {
        let mut loc = format!("file={}", property(&r.shown));
        if let Some((a, b)) = o.span {
            loc.push_str(&format!(",line={a},endLine={b}"));
        }
        out.push_str(&format!(
            "::error {loc},title=gomodfix diagnose::{}\n",
            data(&format!(
                "The build failed with `{}` ({}). gomodfix has no rule that explains it, so it has no fix for it.",
                o.failure.message,
                o.failure.kind.title()
            ))
        ));
    }
    out.push_str(&render::github::render(&[FileResult {
        path: &r.shown,
        source: &r.source,
        diagnostics: &ordered,
        error: None,
    }]));
    out
}

/// JSON, SARIF and Checkstyle.
fn machine(
    args: &DiagnoseArgs,
    reading: &Reading,
    failure: Option<&Recognised>,
    o: Option<&Outcome>,
    cause: Option<&str>,
    ordered: &[Diagnostic],
    source: &str,
) {
    let shown = o.map(|o| o.report.shown.as_str());
    let sum = summary(
        reading,
        failure,
        shown,
        o.and_then(|o| o.span),
        o.and_then(|o| o.cause()),
    );
    let files: Vec<FileResult> = shown
        .map(|p| FileResult {
            path: p,
            source,
            diagnostics: ordered,
            error: None,
        })
        .into_iter()
        .collect();
    let out = match args.output_format {
        OutputFormat::Json => {
            let mut v: Value =
                serde_json::from_str(&render::json::render(&files)).expect("our own JSON");
            if let Some(list) = v["diagnostics"].as_array_mut() {
                for (i, d) in list.iter_mut().enumerate() {
                    d["explains_failure"] = json!(i == 0 && cause.is_some());
                }
            }
            v["diagnose"] = sum;
            format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("serialisable")
            )
        }
        OutputFormat::Sarif => {
            let mut v: Value =
                serde_json::from_str(&render::sarif::render(&files, &crate::cli::rule_infos()))
                    .expect("our own JSON");
            if let Some(run) = v["runs"].get_mut(0) {
                if let Some(results) = run["results"].as_array_mut() {
                    for (i, r) in results.iter_mut().enumerate() {
                        r["properties"] = json!({"explainsFailure": i == 0 && cause.is_some()});
                    }
                }
                run["properties"] = json!({"gomodfixDiagnose": sum});
            }
            format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("serialisable")
            )
        }
        _ => {
            let mut list = ordered.to_vec();
            if cause.is_some()
                && let (Some(d), Some(f)) = (list.first_mut(), failure)
            {
                d.severity = Severity::Error;
                d.message = format!(
                    "This is why the build failed (`{}`): {}",
                    f.message, d.message
                );
            }
            let files: Vec<FileResult> = shown
                .map(|p| FileResult {
                    path: p,
                    source,
                    diagnostics: &list,
                    error: None,
                })
                .into_iter()
                .collect();
            render::checkstyle::render(&files)
        }
    };
    print!("{out}");
}
