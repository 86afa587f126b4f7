//! Finding the steps of a build in its (normalised) log, which one failed, and the Dockerfile it
//! ran: BuildKit plain progress (`#12 [build 5/7] RUN …`, `#12 ERROR: …`, the ` > [build 5/7] …:`
//! summary and the `Dockerfile:12` excerpt), BuildKit tty output saved to a file (`=> ERROR
//! [build 5/7] …`), and podman/buildah (`STEP 5/7: RUN …`, `Error: building at STEP "…": …`).

use std::collections::HashMap;

/// One build step as the log names it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Step {
    /// Stage name (`build`, `stage-0`) when the log gives it.
    pub stage: Option<String>,
    /// Position in its stage, `(5, 7)` for `5/7` (FROM is 1).
    pub index: Option<(usize, usize)>,
    /// The instruction text, `RUN go build -o /app .`.
    pub instruction: String,
}

impl Step {
    /// `[build 5/7] RUN go build -o /app .`
    pub fn label(&self) -> String {
        let mut head = String::new();
        if let Some(s) = &self.stage {
            head.push_str(s);
        }
        if let Some((i, n)) = self.index {
            if !head.is_empty() {
                head.push(' ');
            }
            head.push_str(&format!("{i}/{n}"));
        }
        if head.is_empty() {
            self.instruction.clone()
        } else {
            format!("[{head}] {}", self.instruction)
        }
    }
}

/// A line of output with the step it belongs to.
#[derive(Debug, Clone)]
pub struct LogLine {
    /// Without the `#N 0.123 ` prefix.
    pub text: String,
    /// The BuildKit vertex number (or a podman step number) it belongs to.
    pub vertex: Option<usize>,
}

/// What the log says about the build.
#[derive(Debug, Default)]
pub struct BuildLog {
    pub lines: Vec<LogLine>,
    /// Vertex number → the step it is.
    pub steps: HashMap<usize, Step>,
    /// The vertex that failed (not merely cancelled).
    pub failed_vertex: Option<usize>,
    /// A failed step named without a vertex (tty output, the summary, podman).
    pub failed_step: Option<Step>,
    /// The final error line (`ERROR: failed to solve: …`, `Error: building at STEP …`).
    pub error: Option<String>,
    /// The Dockerfile's name as BuildKit shows it (`Dockerfile`, `Dockerfile.dev`).
    pub dockerfile_name: Option<String>,
    /// The failing line, from BuildKit's `Dockerfile:12` excerpt.
    pub dockerfile_line: Option<usize>,
    /// A `-f`/`--file` argument of a build command printed in the log.
    pub file_flag: Option<String>,
}

impl BuildLog {
    /// The failing step, if the log names one.
    pub fn failing_step(&self) -> Option<&Step> {
        self.failed_vertex
            .and_then(|v| self.steps.get(&v))
            .or(self.failed_step.as_ref())
    }
}

const PODMAN_BASE: usize = 1_000_000;

/// Read the steps out of normalised lines.
pub fn parse(lines: &[String]) -> BuildLog {
    let mut log = BuildLog::default();
    // Inside BuildKit's ` > [step]:` … `------` summary: the vertex its lines belong to.
    let mut summary: Option<Option<usize>> = None;
    let mut podman_step: Option<usize> = None;
    let mut podman_stage: Option<String> = None;
    let mut podman_count = 0;
    let mut podman_steps: Vec<(usize, Step)> = Vec::new();
    for raw in lines {
        let line = raw.as_str();
        let trimmed = line.trim();
        if log.file_flag.is_none() {
            log.file_flag = file_flag(trimmed);
        }
        // `#12 …`
        if let Some((n, rest)) = vertex_prefix(trimmed) {
            if let Some(body) = rest.strip_prefix('[') {
                if let Some(step) = parse_bracket(body) {
                    log.steps.entry(n).or_insert(step);
                } else if let Some(name) = rest.split("load build definition from ").nth(1) {
                    log.dockerfile_name
                        .get_or_insert_with(|| name.trim().to_string());
                }
                continue;
            }
            let text =
                if let Some(err) = rest.strip_prefix("ERROR:").or(rest.strip_prefix("ERROR ")) {
                    let err = err.trim();
                    if !is_cancel(err) && log.failed_vertex.is_none() {
                        log.failed_vertex = Some(n);
                    }
                    err.to_string()
                } else {
                    strip_time(rest).to_string()
                };
            log.lines.push(LogLine {
                text,
                vertex: Some(n),
            });
            continue;
        }
        // tty: `=> ERROR [build 4/4] RUN go build -o /app .   0.3s`
        if let Some(rest) = trimmed.strip_prefix("=> ERROR [") {
            if let Some(step) = parse_bracket(strip_duration(rest)) {
                log.failed_step.get_or_insert(step);
            }
            continue;
        }
        if trimmed.starts_with("=> ") {
            continue;
        }
        // The summary: ` > [build 4/4] RUN go build -o /app .:`
        if let Some(rest) = trimmed.strip_prefix("> [")
            && let Some(step) = parse_bracket(rest.strip_suffix(':').unwrap_or(rest))
        {
            let v = log.steps.iter().find(|(_, s)| **s == step).map(|(n, _)| *n);
            if log.failed_vertex.is_none() && v.is_some() {
                log.failed_vertex = v;
            }
            log.failed_step.get_or_insert(step);
            summary = Some(v);
            continue;
        }
        if trimmed.starts_with("------") || trimmed.starts_with("--------------------") {
            summary = None;
            continue;
        }
        // `Dockerfile:12`, then `  12 | >>> RUN …`
        if let Some((name, n)) = excerpt_header(trimmed) {
            log.dockerfile_name = Some(name.to_string());
            log.dockerfile_line = Some(n);
            continue;
        }
        if let Some((n, _)) = trimmed.split_once(" | >>>")
            && let Ok(n) = n.trim().parse::<usize>()
        {
            log.dockerfile_line.get_or_insert(n);
            continue;
        }
        // podman / buildah: `[1/2] STEP 5/7: RUN …` or `STEP 5/7: RUN …`.
        let podman = trimmed
            .strip_prefix('[')
            .and_then(|r| r.split_once("] "))
            .map_or(trimmed, |(_, r)| r);
        if let Some(rest) = podman.strip_prefix("STEP ")
            && let Some((pos, instruction)) = rest.split_once(": ")
        {
            let index = pos
                .split_once('/')
                .and_then(|(i, n)| Some((i.parse().ok()?, n.parse().ok()?)));
            let instruction = instruction.trim().to_string();
            if instruction.to_ascii_uppercase().starts_with("FROM ") {
                let words: Vec<&str> = instruction.split_whitespace().collect();
                podman_stage = words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case("as"))
                    .and_then(|i| words.get(i + 1))
                    .map(|s| s.to_string());
            }
            podman_count += 1;
            let n = PODMAN_BASE + podman_count;
            let step = Step {
                stage: podman_stage.clone(),
                index,
                instruction,
            };
            podman_steps.push((n, step.clone()));
            log.steps.insert(n, step);
            podman_step = Some(n);
            continue;
        }
        // The classic builder (DOCKER_BUILDKIT=0): `Step 4/7 : RUN …` numbers every stage's
        // instructions together, so only the text identifies the instruction.
        if let Some(rest) = trimmed.strip_prefix("Step ")
            && let Some((pos, instruction)) = rest.split_once(" : ")
            && pos
                .split_once('/')
                .is_some_and(|(i, n)| i.parse::<usize>().is_ok() && n.parse::<usize>().is_ok())
        {
            podman_count += 1;
            let n = PODMAN_BASE + podman_count;
            log.steps.insert(
                n,
                Step {
                    stage: None,
                    index: None,
                    instruction: instruction.trim().to_string(),
                },
            );
            podman_step = Some(n);
            continue;
        }
        if (trimmed.starts_with("The command '") && trimmed.contains("' returned a non-zero code"))
            || trimmed.starts_with("COPY failed:")
            || trimmed.starts_with("ADD failed:")
        {
            log.error.get_or_insert_with(|| trimmed.to_string());
            if log.failed_vertex.is_none() {
                log.failed_vertex = podman_step;
            }
        }
        if let Some(rest) = trimmed.strip_prefix("Error: building at STEP \"") {
            log.error = Some(trimmed.to_string());
            if let Some((instruction, _)) = rest.split_once("\": ") {
                let found = podman_steps
                    .iter()
                    .rev()
                    .find(|(_, s)| s.instruction == instruction);
                match found {
                    Some((n, _)) => log.failed_vertex = log.failed_vertex.or(Some(*n)),
                    None => {
                        log.failed_step.get_or_insert(Step {
                            instruction: instruction.to_string(),
                            ..Step::default()
                        });
                    }
                }
            }
            log.lines.push(LogLine {
                text: trimmed.to_string(),
                vertex: podman_step,
            });
            continue;
        }
        if is_final_error(trimmed) {
            log.error.get_or_insert_with(|| trimmed.to_string());
        }
        let vertex = match summary {
            Some(v) => v,
            None => podman_step,
        };
        log.lines.push(LogLine {
            text: strip_time(trimmed).to_string(),
            vertex,
        });
    }
    log
}

/// `#12 rest` → (12, rest).
fn vertex_prefix(line: &str) -> Option<(usize, &str)> {
    let rest = line.strip_prefix('#')?;
    let end = rest.find(|c: char| !c.is_ascii_digit())?;
    if end == 0 || !rest[end..].starts_with(' ') {
        return None;
    }
    Some((rest[..end].parse().ok()?, rest[end + 1..].trim_start()))
}

/// `build 5/7] RUN …` (after the `[`) → the step; `internal] …` and others → None.
pub fn parse_bracket(body: &str) -> Option<Step> {
    let (head, instruction) = body.split_once("] ")?;
    let words: Vec<&str> = head.split_whitespace().collect();
    let last = words.last()?;
    let (i, n) = last.split_once('/')?;
    let index = (i.parse().ok()?, n.parse().ok()?);
    // `[linux/arm64 build 3/5]`: a platform comes first.
    let mut names: Vec<&str> = words[..words.len() - 1].to_vec();
    if names.len() > 1 && names[0].contains('/') {
        names.remove(0);
    }
    let stage = (!names.is_empty()).then(|| names.join(" "));
    Some(Step {
        stage,
        index: Some(index),
        instruction: instruction.trim().to_string(),
    })
}

/// `0.345 go: …` → `go: …` (BuildKit's seconds since the step started).
fn strip_time(s: &str) -> &str {
    if let Some((t, rest)) = s.split_once(' ')
        && t.contains('.')
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return rest;
    }
    s
}

/// `RUN go build .   0.3s` → `RUN go build .` (the tty view's duration column).
fn strip_duration(s: &str) -> &str {
    let t = s.trim_end();
    if let Some((head, last)) = t.rsplit_once(' ')
        && let Some(num) = last.strip_suffix('s')
        && !num.is_empty()
        && num.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return head.trim_end();
    }
    t
}

fn is_cancel(err: &str) -> bool {
    err.contains("context canceled") || err.trim() == "canceled" || err.contains("CANCELED")
}

fn is_final_error(l: &str) -> bool {
    l.starts_with("ERROR: failed to solve")
        || l.starts_with("ERROR: failed to build")
        || l.starts_with("failed to solve")
        || l.starts_with("error: failed to solve")
        || l.starts_with("executor failed running")
        || l.starts_with("failed to compute cache key")
        || l.starts_with("ERROR: process ")
}

/// BuildKit's excerpt header: `Dockerfile:12`, `Dockerfile.dev:3`, `services/api/Dockerfile:7`.
fn excerpt_header(l: &str) -> Option<(&str, usize)> {
    let (name, n) = l.rsplit_once(':')?;
    let n: usize = n.parse().ok()?;
    let lower = name.to_ascii_lowercase();
    if name.contains(' ') || !(lower.contains("dockerfile") || lower.contains("containerfile")) {
        return None;
    }
    Some((name, n))
}

/// The `-f FILE` / `--file FILE` / `--file=FILE` of a `docker build`, `docker buildx build`,
/// `podman build` or `buildah bud` command line printed in the log.
fn file_flag(l: &str) -> Option<String> {
    let words: Vec<&str> = l.split_whitespace().collect();
    let tool = words.iter().position(|w| {
        let base = w.rsplit('/').next().unwrap_or(w);
        matches!(base, "docker" | "podman" | "buildah" | "nerdctl")
    })?;
    let rest = &words[tool + 1..];
    if !rest
        .iter()
        .any(|w| matches!(*w, "build" | "bud" | "buildx"))
    {
        return None;
    }
    let unquote = |s: &str| s.trim_matches(|c| c == '"' || c == '\'').to_string();
    for (i, w) in rest.iter().enumerate() {
        if matches!(*w, "-f" | "--file") {
            return rest.get(i + 1).map(|s| unquote(s));
        }
        if let Some(v) = w.strip_prefix("--file=").or(w.strip_prefix("-f=")) {
            return Some(unquote(v));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn buildkit_plain_progress() {
        let log = parse(&lines(
            "#1 [internal] load build definition from Dockerfile.api
#1 transferring dockerfile: 234B done
#8 [build 4/4] RUN CGO_ENABLED=0 go build -o /app .
#8 0.301 go: go.mod file not found in current directory or any parent directory; see 'go help modules'
#8 ERROR: process \"/bin/sh -c CGO_ENABLED=0 go build -o /app .\" did not complete successfully: exit code: 1
------
 > [build 4/4] RUN CGO_ENABLED=0 go build -o /app .:
0.301 go: go.mod file not found in current directory or any parent directory; see 'go help modules'
------
Dockerfile.api:4
--------------------
   2 |     WORKDIR /src
   3 |     COPY *.go ./
   4 | >>> RUN CGO_ENABLED=0 go build -o /app .
   5 |
--------------------
ERROR: failed to solve: process \"/bin/sh -c CGO_ENABLED=0 go build -o /app .\" did not complete successfully: exit code: 1",
        ));
        let step = log.failing_step().unwrap();
        assert_eq!(step.stage.as_deref(), Some("build"));
        assert_eq!(step.index, Some((4, 4)));
        assert_eq!(step.instruction, "RUN CGO_ENABLED=0 go build -o /app .");
        assert_eq!(log.dockerfile_name.as_deref(), Some("Dockerfile.api"));
        assert_eq!(log.dockerfile_line, Some(4));
        assert!(log.error.unwrap().starts_with("ERROR: failed to solve"));
        let go: Vec<_> = log
            .lines
            .iter()
            .filter(|l| l.text.starts_with("go: go.mod"))
            .collect();
        assert_eq!(go.len(), 2);
        assert!(go.iter().all(|l| l.vertex == Some(8)));
    }

    #[test]
    fn cancelled_parallel_steps_are_not_the_failure() {
        let log = parse(&lines(
            "#12 [build 3/5] RUN go mod download
#13 [tools 2/4] RUN go install example.com/tool@v1
#13 ERROR: context canceled
#12 0.2 go: inconsistent vendoring in /src:
#12 ERROR: process \"/bin/sh -c go mod download\" did not complete successfully: exit code: 1",
        ));
        assert_eq!(log.failed_vertex, Some(12));
        assert_eq!(log.failing_step().unwrap().stage.as_deref(), Some("build"));
    }

    #[test]
    fn tty_output() {
        let log = parse(&lines(
            " => [build 3/4] COPY *.go ./                                      0.0s
 => ERROR [build 4/4] RUN go build -o /app .                         0.3s",
        ));
        assert_eq!(
            log.failing_step().unwrap().label(),
            "[build 4/4] RUN go build -o /app ."
        );
    }

    #[test]
    fn podman_steps() {
        let log = parse(&lines(
            "[1/2] STEP 1/4: FROM golang:1.22 AS build
[1/2] STEP 2/4: WORKDIR /src
[1/2] STEP 3/4: COPY *.go ./
[1/2] STEP 4/4: RUN go build -o /app .
go: go.mod file not found in current directory or any parent directory; see 'go help modules'
Error: building at STEP \"RUN go build -o /app .\": while running runtime: exit status 1",
        ));
        let step = log.failing_step().unwrap();
        assert_eq!(step.stage.as_deref(), Some("build"));
        assert_eq!(step.index, Some((4, 4)));
        let go = log
            .lines
            .iter()
            .find(|l| l.text.starts_with("go: go.mod"))
            .unwrap();
        assert_eq!(go.vertex, log.failed_vertex);
    }

    #[test]
    fn classic_builder() {
        let log = parse(&lines(
            "Step 3/7 : COPY *.go ./
 ---> 1f2e3d4c5b6a
Step 4/7 : RUN go build -o /app .
 ---> Running in 9a8b7c6d5e4f
go: go.mod file not found in current directory or any parent directory; see 'go help modules'
The command '/bin/sh -c go build -o /app .' returned a non-zero code: 1",
        ));
        let step = log.failing_step().unwrap();
        assert_eq!(step.instruction, "RUN go build -o /app .");
        assert_eq!(step.index, None);
        let go = log
            .lines
            .iter()
            .find(|l| l.text.starts_with("go: go.mod"))
            .unwrap();
        assert_eq!(go.vertex, log.failed_vertex);
        assert!(
            log.error
                .unwrap()
                .starts_with("The command '/bin/sh -c go build")
        );
    }

    #[test]
    fn file_flag_of_a_build_command() {
        assert_eq!(
            file_flag("+ docker build --progress=plain -f services/api/Dockerfile -t x ."),
            Some("services/api/Dockerfile".into())
        );
        assert_eq!(
            file_flag("docker buildx build --file=build/Dockerfile ."),
            Some("build/Dockerfile".into())
        );
        assert_eq!(
            file_flag("podman build -f Containerfile ."),
            Some("Containerfile".into())
        );
        assert_eq!(file_flag("ls -f x"), None);
    }

    #[test]
    fn platform_in_the_bracket() {
        let s = parse_bracket("linux/arm64 build 3/5] RUN go build .").unwrap();
        assert_eq!(s.stage.as_deref(), Some("build"));
        assert_eq!(s.index, Some((3, 5)));
        assert_eq!(parse_bracket("internal] load metadata"), None);
        assert_eq!(parse_bracket("3/5] RUN x").unwrap().stage, None);
    }
}
