//! `gomodfix diagnose [LOG|-]`: read the output of a failed build, find the failing step and the
//! Go failure, check the Dockerfile it belongs to, and show the finding that explains the
//! failure first, with its fix.
//!
//! [`log`] normalises the log (CI prefixes, colours, rawjson), [`steps`] finds the steps and the
//! failing one, [`failures`] recognises the failure, [`matching`] finds the instruction and the
//! explaining finding, [`report`] prints it in the check's output formats.

pub mod failures;
pub mod log;
pub mod matching;
pub mod report;
pub mod steps;

use std::path::{Path, PathBuf};

pub use crate::cli::DiagnoseArgs;
use crate::cli::{ColorChoice, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use failures::Recognised;
use steps::{BuildLog, Step};

/// What the log says went wrong.
#[derive(Debug, Default)]
pub struct Reading {
    pub log: BuildLog,
    /// The recognised failure, if any.
    pub failure: Option<Recognised>,
    /// The failing step (from an error line, or the step of the failure's line).
    pub step: Option<Step>,
}

/// Read a normalised log: its steps, the failing one, the failure.
pub fn read(lines: &[String]) -> Reading {
    let log = steps::parse(lines);
    let found: Vec<(usize, Recognised, Option<usize>)> = log
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| failures::recognise(&l.text).map(|r| (i, r, l.vertex)))
        .collect();
    // When a step is known to have failed: its lines and the lines of no step (the engine's
    // final error, `docker run` output), not what other steps printed. Among them the most
    // specific kind, then the earliest.
    let failed = log.failed_vertex;
    let pick = found
        .iter()
        .filter(|(_, _, v)| failed.is_none() || v.is_none() || *v == failed)
        .min_by_key(|(i, r, _)| (r.kind, *i));
    let step = log.failing_step().cloned().or_else(|| {
        pick.and_then(|(_, _, v)| v.as_ref())
            .and_then(|v| log.steps.get(v))
            .cloned()
    });
    let failure = pick.map(|(_, r, _)| r.clone());
    Reading { log, failure, step }
}

/// Run `gomodfix diagnose`; returns the exit code.
pub fn run(args: &DiagnoseArgs) -> u8 {
    let bytes = match read_log(&args.log) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("gomodfix diagnose: {}: {e}", args.log.display());
            return EXIT_ERROR;
        }
    };
    let reading = read(&log::normalise(&bytes));
    let Some(failure) = reading.failure.clone() else {
        report::unrecognised(args, &reading);
        return EXIT_CLEAN;
    };
    let dockerfile = match find_dockerfile(args, &reading) {
        Ok(p) => p,
        Err(e) => {
            report::failure_only(args, &reading, &failure);
            eprintln!("gomodfix diagnose: {e}");
            return EXIT_ERROR;
        }
    };
    let check = match check_args(args, &dockerfile, false, false) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gomodfix diagnose: {e}");
            return EXIT_ERROR;
        }
    };
    let cache = crate::engine::ContextCache::new(args.config.clone());
    let checked = crate::engine::process_file(&dockerfile, &check.options(), &cache);
    let config_errors = cache.config_errors();
    if let Some(e) = &checked.error {
        for c in &config_errors {
            eprintln!("gomodfix: {c}");
        }
        eprintln!("gomodfix diagnose: {}: {e}", checked.shown);
        return EXIT_ERROR;
    }
    for w in &checked.warnings {
        eprintln!("gomodfix: {}: {w}", checked.shown);
    }
    let same_file = reading
        .log
        .dockerfile_name
        .as_deref()
        .is_none_or(|n| Path::new(n).file_name() == dockerfile.file_name());
    let excerpt_line = reading.log.dockerfile_line.filter(|_| same_file);
    let span = matching::locate(&checked.source, reading.step.as_ref(), excerpt_line);
    let cause = matching::explaining(&checked.diagnostics, &checked.source, failure.kind, span);
    let result = report::Outcome {
        reading: &reading,
        failure: &failure,
        report: &checked,
        span,
        cause,
    };
    if args.diff || args.write {
        // The explanation, then the fixes exactly as a check applies them.
        report::explanation_to_stderr(args, &result);
        let fix = match check_args(args, &dockerfile, args.diff, args.write) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("gomodfix diagnose: {e}");
                return EXIT_ERROR;
            }
        };
        if crate::cli::run_check(&fix) == EXIT_ERROR {
            return EXIT_ERROR;
        }
    } else {
        report::print(args, &result);
    }
    if cause.is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn read_log(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() {
            return Err(std::io::Error::other(
                "no log given: name the saved build output, or pipe it in",
            ));
        }
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    // The end of a log is where the error is.
    if bytes.len() > log::MAX_LOG_BYTES {
        bytes.drain(..bytes.len() - log::MAX_LOG_BYTES);
    }
    Ok(bytes)
}

/// The check's arguments for the Dockerfile, parsed as the command line would be (so that the
/// check's defaults apply).
fn check_args(
    args: &DiagnoseArgs,
    dockerfile: &Path,
    diff: bool,
    write: bool,
) -> Result<crate::cli::CheckArgs, String> {
    let mut argv: Vec<std::ffi::OsString> = vec!["gomodfix".into()];
    let color = match args.color {
        ColorChoice::Always => "always",
        ColorChoice::Never => "never",
        ColorChoice::Auto => "auto",
    };
    argv.extend(["--color".into(), color.into()]);
    if let Some(c) = &args.context {
        argv.extend(["--context".into(), c.clone().into_os_string()]);
    }
    if let Some(t) = &args.target {
        argv.extend(["--target".into(), t.into()]);
    }
    if let Some(c) = &args.config {
        argv.extend(["--config".into(), c.clone().into_os_string()]);
    }
    if args.unsafe_fixes {
        argv.push("--unsafe-fixes".into());
    }
    if diff {
        argv.push("--diff".into());
    }
    if write {
        argv.push("--write".into());
    }
    argv.push("--".into());
    argv.push(dockerfile.as_os_str().to_owned());
    use clap::Parser;
    crate::cli::Cli::try_parse_from(argv)
        .map(|c| c.check)
        .map_err(|e| e.to_string())
}

/// The Dockerfile the log belongs to: `--dockerfile`, else a `-f` in the log, else the name
/// BuildKit shows (looked up in the context, the current folder, then below it), else
/// `Dockerfile`.
fn find_dockerfile(args: &DiagnoseArgs, reading: &Reading) -> Result<PathBuf, String> {
    if let Some(p) = &args.dockerfile {
        return if p.is_file() {
            Ok(p.clone())
        } else {
            Err(format!("{}: no such Dockerfile", p.display()))
        };
    }
    if let Some(f) = &reading.log.file_flag {
        let p = PathBuf::from(f);
        if p.is_file() {
            return Ok(p);
        }
    }
    let name = reading
        .log
        .dockerfile_name
        .clone()
        .unwrap_or_else(|| "Dockerfile".to_string());
    let roots: Vec<PathBuf> = args
        .context
        .iter()
        .cloned()
        .chain(std::iter::once(PathBuf::from(".")))
        .collect();
    for root in &roots {
        let p = root.join(&name);
        if p.is_file() {
            return Ok(clean(p));
        }
    }
    // Below the current folder: the files with that name; the one with the failing step wins.
    let base = Path::new(&name).file_name().map(|b| b.to_os_string());
    let (files, _) = crate::engine::discover(&roots[roots.len() - 1..], &[]);
    let named: Vec<PathBuf> = files
        .into_iter()
        .filter(|f| f.file_name().map(|b| b.to_os_string()) == base)
        .collect();
    let fits = |p: &PathBuf| {
        std::fs::read_to_string(p)
            .is_ok_and(|s| matching::locate(&s, reading.step.as_ref(), None).is_some())
    };
    named
        .iter()
        .find(|p| fits(p))
        .or(named.first())
        .cloned()
        .map(clean)
        .ok_or_else(|| {
            format!("the log's Dockerfile (`{name}`) was not found here; name it with --dockerfile")
        })
}

fn clean(p: PathBuf) -> PathBuf {
    p.strip_prefix(".").map(Path::to_path_buf).unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(log: &str) -> Reading {
        read(&log::normalise(log.as_bytes()))
    }

    #[test]
    fn the_failing_steps_error_wins_over_other_steps_output() {
        let r = reading(
            "#10 [tools 2/3] RUN go env
#10 0.1 go: warning: ignoring go.mod in $GOPATH /go
#12 [build 3/5] RUN go build -o /app .
#12 0.2 main.go:3:8: missing go.sum entry for module providing package example.com/greet (imported by example.com/app); to add:
#12 ERROR: process \"/bin/sh -c go build -o /app .\" did not complete successfully: exit code: 1
",
        );
        let f = r.failure.unwrap();
        assert_eq!(f.kind, failures::FailureKind::MissingGoSum);
        assert_eq!(r.step.unwrap().stage.as_deref(), Some("build"));
    }

    #[test]
    fn go_get_outside_a_module_is_not_a_missing_go_mod() {
        let r = reading(
            "#7 [build 3/4] RUN go get github.com/acme/tool
#7 0.3 go: go.mod file not found in current directory or any parent directory.
#7 0.3 \t'go get' is no longer supported outside a module.
#7 ERROR: process \"/bin/sh -c go get github.com/acme/tool\" did not complete successfully: exit code: 1
",
        );
        assert_eq!(r.failure.unwrap().kind, failures::FailureKind::GoGetInstall);
    }

    #[test]
    fn a_truncated_log_takes_the_step_of_the_error_line() {
        let r = reading(
            "#9 [build 4/6] RUN go mod download
#9 0.4 go: go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)
",
        );
        assert_eq!(r.failure.unwrap().kind, failures::FailureKind::GoVersion);
        assert_eq!(r.step.unwrap().index, Some((4, 6)));
    }

    #[test]
    fn another_steps_warning_is_not_the_cause_of_a_failure() {
        let r = reading(
            "#10 [tools 2/3] RUN go env GOPATH
#10 0.1 go: warning: ignoring go.mod in $GOPATH /go
#12 [build 3/5] RUN make
#12 0.2 make: *** No rule to make target 'all'.  Stop.
#12 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2
",
        );
        assert!(r.failure.is_none());
        assert_eq!(r.step.unwrap().instruction, "RUN make");
    }

    #[test]
    fn nothing_to_recognise() {
        let r = reading("#5 [build 2/2] RUN make\n#5 0.1 make: *** No rule to make target\n");
        assert!(r.failure.is_none());
    }
}
