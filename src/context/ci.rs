//! Build facts from CI and release configurations: GitHub Actions workflows, GitLab CI, goreleaser,
//! Makefiles and shell scripts that run `docker build` (or `docker buildx build`, `podman build`,
//! `buildah bud`, kaniko's executor).
//!
//! YAML is read with serde-saphyr (with the line of each step), command lines are split into words
//! with shell-words (quotes and escapes as a POSIX shell reads them). Anything that depends on a
//! variable gomodfix cannot know (`$(IMG)`, `${{ matrix.dockerfile }}`, `$DOCKERFILE`) leaves that
//! fact unknown: a build whose context or Dockerfile is unknown is left out, an unknown platform
//! list or target is left empty, an unknown build arg is dropped. The repository root is known:
//! `${{ github.workspace }}`, `$GITHUB_WORKSPACE` and `$CI_PROJECT_DIR`.
//!
//! A file that cannot be parsed gives no facts and no error: these files are not gomodfix's to
//! judge, and a workflow gomodfix cannot read does not make a Dockerfile wrong.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::discovery::{BuildSpec, SpecSource};

/// Where a command runs from: a known folder, or unknown after a `cd` gomodfix cannot follow.
type Cwd = Option<PathBuf>;

/// One build command found in a script line.
#[derive(Debug, Default, PartialEq)]
struct BuildCommand {
    context: Option<String>,
    file: Option<String>,
    /// `--file` is relative to the context (kaniko), not to the working directory.
    file_in_context: bool,
    /// `--file` was given with a value gomodfix cannot know.
    file_unknown: bool,
    /// What runs the build, as `--show-contexts` names it (`docker build`, `podman build`,
    /// `kaniko`).
    tool: String,
    platforms: Option<Vec<String>>,
    args: BTreeMap<String, String>,
    target: Option<String>,
}

/// Options of docker/podman/buildah/kaniko build commands that take a value (so that the value
/// is not taken for the context argument).
const VALUE_OPTIONS: &[&str] = &[
    "--add-host",
    "--allow",
    "--annotation",
    "--arch",
    "--attest",
    "--authfile",
    "--build-arg",
    "--build-arg-file",
    "--build-context",
    "--builder",
    "--cache-from",
    "--cache-repo",
    "--cache-to",
    "--call",
    "--cert-dir",
    "--cgroup-parent",
    "--context",
    "--cpu-period",
    "--cpu-quota",
    "--cpu-shares",
    "--cpuset-cpus",
    "--cpuset-mems",
    "--creds",
    "--custom-platform",
    "--destination",
    "--dockerfile",
    "--env",
    "--file",
    "--format",
    "--from",
    "--iidfile",
    "--isolation",
    "--jobs",
    "--label",
    "--layers",
    "--logfile",
    "--manifest",
    "--memory",
    "--memory-swap",
    "--metadata-file",
    "--network",
    "--no-cache-filter",
    "--os",
    "--output",
    "--platform",
    "--progress",
    "--provenance",
    "--sbom",
    "--secret",
    "--security-opt",
    "--shm-size",
    "--ssh",
    "--tag",
    "--target",
    "--timestamp",
    "--ulimit",
    "--variant",
    "--volume",
    "-c",
    "-d",
    "-f",
    "-m",
    "-o",
    "-t",
    "-v",
];

/// The words after the program that make a build command, and whether `--file` is relative to
/// the context.
fn build_words(words: &[String]) -> Option<(usize, bool, String)> {
    // Leading `sudo` and `VAR=value` assignments.
    let mut i = 0;
    while i < words.len()
        && (words[i] == "sudo"
            || words[i] == "exec"
            || (words[i].contains('=') && !words[i].starts_with('-')))
    {
        i += 1;
    }
    let program = words.get(i)?;
    let base = program.rsplit('/').next().unwrap_or(program);
    let rest = &words[i + 1..];
    let is = |w: &[&str]| rest.len() >= w.len() && rest.iter().zip(w).all(|(a, b)| a == b);
    // `$(CONTAINER_TOOL) build`, `${DOCKER} build`: a variable naming the container engine.
    let engine_variable = program.starts_with('$') && {
        let upper = program.to_ascii_uppercase();
        [
            "DOCKER",
            "PODMAN",
            "CONTAINER",
            "ENGINE",
            "OCI_BIN",
            "BUILDER",
        ]
        .iter()
        .any(|n| upper.contains(n))
    };
    let (start, kaniko) = match base {
        "docker" | "podman" | "nerdctl" => {
            if is(&["build"]) {
                (i + 2, false)
            } else if is(&["buildx", "build"]) || is(&["image", "build"]) {
                (i + 3, false)
            } else {
                return None;
            }
        }
        "buildah" if is(&["bud"]) || is(&["build"]) => (i + 2, false),
        "executor" if program.contains("kaniko") => (i + 1, true),
        _ if engine_variable && is(&["build"]) => (i + 2, false),
        _ if engine_variable && is(&["buildx", "build"]) => (i + 3, false),
        _ => return None,
    };
    let shown = if engine_variable { program } else { base };
    let tool = if kaniko {
        "kaniko".to_string()
    } else {
        format!("{shown} {}", words[i + 1..start].join(" "))
    };
    Some((start, kaniko, tool))
}

/// Read a build command's options. Values with variables the caller could not resolve stay
/// unknown (`None`).
fn parse_build(words: &[String]) -> Option<BuildCommand> {
    let (start, kaniko, tool) = build_words(words)?;
    let mut cmd = BuildCommand {
        file_in_context: kaniko,
        tool,
        ..Default::default()
    };
    let mut positional = Vec::new();
    let mut platforms_unknown = false;
    let mut i = start;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w == "--" {
            positional.extend(words[i..].iter().cloned());
            break;
        }
        // A redirection ends the command's own words (`docker build - < Dockerfile`).
        if w.starts_with(['<', '>']) || w.starts_with("2>") || w.starts_with("&>") {
            break;
        }
        if !w.starts_with('-') || w == "-" {
            positional.push(w.clone());
            continue;
        }
        let (name, value) = match w.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ if w.starts_with("-f") && w.len() > 2 && !w.starts_with("--") => {
                ("-f".to_string(), Some(w[2..].to_string()))
            }
            _ => (w.clone(), None),
        };
        let value = match value {
            Some(v) => v,
            None if VALUE_OPTIONS.contains(&name.as_str()) => {
                let Some(v) = words.get(i) else { break };
                i += 1;
                v.clone()
            }
            // A flag without a value (`--push`, `--no-cache`, `-q`).
            None => continue,
        };
        let known = !value.contains('$') && !value.contains("{{");
        match name.as_str() {
            "-f" | "--file" | "--dockerfile" => {
                cmd.file_unknown = !known;
                cmd.file = known.then_some(value);
            }
            "--context" | "-c" if kaniko => {
                let v = value.strip_prefix("dir://").unwrap_or(&value).to_string();
                cmd.context = (!v.contains('$')).then_some(v);
                positional.clear();
            }
            "--platform" | "--custom-platform" => {
                if known {
                    cmd.platforms
                        .get_or_insert_with(Vec::new)
                        .extend(split_list(&value));
                } else {
                    platforms_unknown = true;
                }
            }
            "--build-arg" => {
                if let Some((k, v)) = value.split_once('=')
                    && !k.contains('$')
                    && !v.contains('$')
                    && !v.contains("{{")
                {
                    cmd.args.insert(k.to_string(), v.to_string());
                }
            }
            "--target" => cmd.target = known.then_some(value),
            _ => {}
        }
    }
    if platforms_unknown {
        cmd.platforms = None;
    }
    if !kaniko {
        // The context is the one positional argument; `-` (stdin) and URLs are not folders.
        let ctx = positional.last()?;
        if ctx == "-"
            || ctx.contains("://")
            || ctx.starts_with("git@")
            || ctx.contains('$')
            || ctx.contains("{{")
            || ctx.contains("}}")
        {
            return None;
        }
        cmd.context = Some(ctx.clone());
    } else if cmd.context.is_none() {
        return None;
    }
    Some(cmd)
}

fn split_list(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Lexically normalised `base/rel` (`..` and `.` removed), or `rel` when it is absolute.
fn join(base: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(rel).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Replace what names the repository root; `None` when another variable is left.
fn root_variables(text: &str, root: &Path) -> String {
    let r = root.to_string_lossy();
    let mut s = text.to_string();
    for v in [
        "${{ github.workspace }}",
        "${{github.workspace}}",
        "${GITHUB_WORKSPACE}",
        "$GITHUB_WORKSPACE",
        "${CI_PROJECT_DIR}",
        "$CI_PROJECT_DIR",
        "$(git rev-parse --show-toplevel)",
    ] {
        s = s.replace(v, &r);
    }
    s
}

/// The logical lines of a script (`\` continuations joined), each with the line number of its
/// first physical line (1-based, counted from `first_line`).
fn logical_lines(script: &str, first_line: usize) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, raw) in script.lines().enumerate() {
        let line = raw.trim_end();
        let (start, mut text) = current.take().unwrap_or((first_line + n, String::new()));
        let (body, continued) = match line.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (line, false),
        };
        text.push_str(body.trim_start());
        text.push(' ');
        if continued {
            current = Some((start, text));
        } else {
            out.push((start, text));
        }
    }
    out.extend(current);
    out
}

/// Command substitutions and expressions that hold spaces (`$(shell git describe --tags)`,
/// `${{ matrix.dockerfile }}`, `` `date +%s` ``) become one unknown word, so that splitting the
/// line does not turn their pieces into arguments.
fn collapse_substitutions(line: &str) -> String {
    const UNKNOWN: &str = "$__GOMODFIX_UNKNOWN__";
    let bytes = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let open = match bytes[i] {
            b'$' if rest.starts_with("$(") => Some((b'(', b')')),
            b'$' if rest.starts_with("${") => Some((b'{', b'}')),
            b'`' => Some((b'`', b'`')),
            _ => None,
        };
        let Some((o, c)) = open else {
            let ch = rest.chars().next().expect("not at the end");
            out.push(ch);
            i += ch.len_utf8();
            continue;
        };
        // The matching close, counting nested opens (not for backquotes).
        let start = if o == b'`' { i + 1 } else { i + 2 };
        let mut depth = 1;
        let mut end = None;
        for (j, &b) in bytes.iter().enumerate().skip(start) {
            if b == c {
                depth -= 1;
                if depth == 0 {
                    end = Some(j);
                    break;
                }
            } else if b == o && o != b'`' {
                depth += 1;
            }
        }
        let Some(end) = end else {
            out.push_str(UNKNOWN);
            break;
        };
        let whole = &line[i..=end];
        if whole.contains(char::is_whitespace) || o == b'`' {
            out.push_str(UNKNOWN);
        } else {
            out.push_str(whole);
        }
        i = end + 1;
    }
    out
}

/// Split a line into shell commands (`&&`, `||`, `;`, `|`), each as words.
fn commands(line: &str) -> Vec<Vec<String>> {
    let line = collapse_substitutions(line);
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return Vec::new();
    }
    // Make's recipe prefixes.
    let trimmed = trimmed.trim_start_matches(['@', '-', '+']);
    let Ok(words) = shell_words::split(trimmed) else {
        return Vec::new();
    };
    let mut out = vec![Vec::new()];
    for w in words {
        if matches!(
            w.as_str(),
            "&&" | "||" | ";" | "|" | "(" | ")" | "then" | "do"
        ) {
            out.push(Vec::new());
        } else if let Some(head) = w.strip_suffix(';') {
            out.last_mut().expect("never empty").push(head.to_string());
            out.push(Vec::new());
        } else {
            out.last_mut().expect("never empty").push(w);
        }
    }
    out.retain(|c| !c.is_empty());
    out
}

/// What a script says about builds. `cwd` is where it starts; `cd` is followed across lines
/// when `cd_carries` (a shell script, a CI `run:`), within a line only otherwise (a Makefile
/// recipe runs each line in its own shell).
struct ScriptReader<'a> {
    file: &'a Path,
    root: &'a Path,
    /// What the file is, for `--show-contexts` (`docker build`, `build-push-action`).
    source: SpecSource,
    out: Vec<BuildSpec>,
}

impl ScriptReader<'_> {
    /// Read a script; returns the folder it ends in.
    fn read(&mut self, script: &str, first_line: usize, start: Cwd, cd_carries: bool) -> Cwd {
        let mut cwd = start.clone();
        for (line_no, line) in logical_lines(script, first_line) {
            if !cd_carries {
                cwd = start.clone();
            }
            let line = root_variables(&line, self.root);
            for words in commands(&line) {
                if words.first().is_some_and(|w| w == "cd" || w == "pushd") {
                    cwd = match (words.get(1), &cwd) {
                        (Some(dir), Some(c)) if !dir.contains('$') && dir != "-" => {
                            Some(join(c, dir))
                        }
                        (Some(dir), _) if dir.starts_with('/') && !dir.contains('$') => {
                            Some(PathBuf::from(dir))
                        }
                        _ => None,
                    };
                    continue;
                }
                let Some(cmd) = parse_build(&words) else {
                    continue;
                };
                let Some(base) = &cwd else { continue };
                self.push(cmd, base, line_no);
            }
        }
        cwd
    }

    fn push(&mut self, cmd: BuildCommand, base: &Path, line: usize) {
        let Some(ctx) = &cmd.context else { return };
        let context = join(base, ctx);
        let dockerfile = match &cmd.file {
            Some(f) if cmd.file_in_context => join(&context, f),
            Some(f) => join(base, f),
            None if cmd.file_unknown => return,
            None => join(&context, "Dockerfile"),
        };
        self.out.push(BuildSpec {
            prepared_by: Vec::new(),
            file: self.file.to_path_buf(),
            line: Some(line),
            entry: cmd.tool.clone(),
            source: self.source,
            context: Some(context),
            dockerfile,
            target: cmd.target,
            args: cmd.args,
            platforms: cmd.platforms.unwrap_or_default(),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

#[derive(Debug, Deserialize)]
struct Workflow {
    #[serde(default)]
    jobs: BTreeMap<String, Job>,
}

#[derive(Debug, Default, Deserialize)]
struct Job {
    #[serde(default)]
    steps: Vec<Step>,
    #[serde(default)]
    defaults: Option<Defaults>,
    #[serde(default)]
    strategy: Option<Strategy>,
}

#[derive(Debug, Default, Deserialize)]
struct Strategy {
    /// Kept as a value: it may be an expression (`${{ fromJson(…) }}`), which gives no combinations.
    matrix: Option<serde_json::Value>,
}

/// Most matrix combinations read from one job.
const MAX_COMBINATIONS: usize = 64;

/// The combinations of a job's `strategy.matrix` (GitHub's rules, simplified): the product of
/// its lists of scalars, each `include` entry extending the combinations it matches or added as
/// one of its own, `exclude` ignored. One empty combination when there is no matrix.
fn matrix_combinations(matrix: Option<&serde_json::Value>) -> Vec<BTreeMap<String, String>> {
    let Some(serde_json::Value::Object(m)) = matrix else {
        return vec![BTreeMap::new()];
    };
    let mut combos = vec![BTreeMap::new()];
    for (k, v) in m {
        if k == "include" || k == "exclude" {
            continue;
        }
        let Some(values) = v.as_array() else { continue };
        let values: Vec<String> = values.iter().filter_map(yaml_scalar).collect();
        if values.is_empty() {
            continue;
        }
        let mut next = Vec::new();
        for c in &combos {
            for value in &values {
                let mut c: BTreeMap<String, String> = c.clone();
                c.insert(k.clone(), value.clone());
                next.push(c);
            }
        }
        combos = next;
        combos.truncate(MAX_COMBINATIONS);
    }
    let base_keys: Vec<String> = combos[0].keys().cloned().collect();
    if let Some(serde_json::Value::Array(includes)) = m.get("include") {
        for inc in includes {
            let Some(inc) = inc.as_object() else { continue };
            let inc: BTreeMap<String, String> = inc
                .iter()
                .filter_map(|(k, v)| yaml_scalar(v).map(|v| (k.clone(), v)))
                .collect();
            // Matches a combination when it agrees on every key the matrix lists.
            let matches = |c: &BTreeMap<String, String>| {
                inc.iter()
                    .all(|(k, v)| !base_keys.contains(k) || c.get(k) == Some(v))
            };
            let mut extended = false;
            if !base_keys.is_empty() {
                for c in combos.iter_mut().filter(|c| matches(c)) {
                    for (k, v) in &inc {
                        c.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    extended = true;
                }
            }
            if !extended && combos.len() < MAX_COMBINATIONS {
                if base_keys.is_empty() && combos.len() == 1 && combos[0].is_empty() {
                    combos.clear();
                }
                combos.push(inc);
            }
        }
    }
    combos
}

/// `${{ matrix.KEY }}` (with or without the spaces) replaced by the combination's values.
fn matrix_values(text: &str, combo: &BTreeMap<String, String>) -> String {
    let mut s = text.to_string();
    for (k, v) in combo {
        for pattern in [
            format!("${{{{ matrix.{k} }}}}"),
            format!("${{{{matrix.{k}}}}}"),
        ] {
            s = s.replace(&pattern, v);
        }
    }
    s
}

#[derive(Debug, Default, Deserialize)]
struct Defaults {
    run: Option<RunDefaults>,
}

#[derive(Debug, Default, Deserialize)]
struct RunDefaults {
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Step {
    uses: Option<Spanned<String>>,
    #[serde(default)]
    with: BTreeMap<String, serde_json::Value>,
    run: Option<Spanned<String>>,
    #[serde(rename = "working-directory")]
    working_directory: Option<String>,
}

fn yaml_scalar(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The line the script of a `run:` starts on: the line after `run: |`, else the `run:` line.
fn script_start(text: &str, value_line: usize) -> usize {
    let line = text.lines().nth(value_line.saturating_sub(1)).unwrap_or("");
    let after = line.split_once("run:").map_or(line, |(_, a)| a).trim();
    if after.starts_with('|') || after.starts_with('>') || after.is_empty() {
        value_line + 1
    } else {
        value_line
    }
}

/// Builds in a GitHub Actions workflow; paths are relative to the repository root.
pub fn parse_workflow(path: &Path, text: &str, root: &Path) -> Vec<BuildSpec> {
    let Ok(wf) = serde_saphyr::from_str::<Workflow>(text) else {
        return Vec::new();
    };
    let mut reader = ScriptReader {
        file: path,
        root,
        source: SpecSource::Run,
        out: Vec::new(),
    };
    for job in wf.jobs.values() {
        let job_dir = job
            .defaults
            .as_ref()
            .and_then(|d| d.run.as_ref())
            .and_then(|r| r.working_directory.clone());
        // Each combination of the job's matrix is a build of its own
        // (`file: ${{ matrix.dockerfile }}`).
        let combos = matrix_combinations(job.strategy.as_ref().and_then(|s| s.matrix.as_ref()));
        for combo in &combos {
            for step in &job.steps {
                if let Some(uses) = &step.uses
                    && uses.value.starts_with("docker/build-push-action@")
                {
                    let line = uses.referenced.line();
                    if let Some(spec) = build_push_action(path, root, step, line, combo) {
                        reader.out.push(spec);
                    }
                    continue;
                }
                let Some(run) = &step.run else { continue };
                let dir = step.working_directory.clone().or(job_dir.clone());
                let cwd = match dir {
                    None => Some(root.to_path_buf()),
                    Some(d) => {
                        let d = root_variables(&matrix_values(&d, combo), root);
                        (!d.contains('$')).then(|| join(root, &d))
                    }
                };
                let start = script_start(text, run.referenced.line() as usize);
                reader.read(&matrix_values(&run.value, combo), start, cwd, true);
            }
        }
    }
    // The same build from several combinations (a matrix over Go versions) is one.
    let mut out: Vec<BuildSpec> = Vec::new();
    for spec in reader.out {
        if !out.contains(&spec) {
            out.push(spec);
        }
    }
    out
}

fn build_push_action(
    path: &Path,
    root: &Path,
    step: &Step,
    line: u64,
    combo: &BTreeMap<String, String>,
) -> Option<BuildSpec> {
    let get = |k: &str| {
        step.with
            .get(k)
            .and_then(yaml_scalar)
            .map(|v| root_variables(&matrix_values(&v, combo), root))
    };
    let unknown = |v: &str| v.contains('$') || v.contains("{{");
    // Without `context` the action builds the Git context: the repository at the workflow's
    // commit, that is its root.
    let context = get("context").unwrap_or_else(|| ".".into());
    if unknown(&context) || context.contains("://") {
        return None;
    }
    let context = join(root, &context);
    let dockerfile = match get("file") {
        Some(f) if unknown(&f) => return None,
        Some(f) => join(root, &f),
        None => context.join("Dockerfile"),
    };
    let platforms = match get("platforms") {
        Some(p) if !unknown(&p) => split_list(&p).collect(),
        _ => Vec::new(),
    };
    let mut args = BTreeMap::new();
    if let Some(a) = get("build-args") {
        for l in a.lines() {
            if let Some((k, v)) = l.trim().split_once('=')
                && !unknown(k)
                && !unknown(v)
            {
                args.insert(k.to_string(), v.to_string());
            }
        }
    }
    Some(BuildSpec {
        prepared_by: Vec::new(),
        file: path.to_path_buf(),
        line: Some(line as usize),
        entry: SpecSource::BuildPushAction.to_string(),
        source: SpecSource::BuildPushAction,
        context: Some(context),
        dockerfile,
        target: get("target").filter(|t| !unknown(t)),
        args,
        platforms,
    })
}

// ---------------------------------------------------------------------------------------------
// GitLab CI

/// A top-level value of .gitlab-ci.yml: a job's scripts, or anything else (ignored).
#[derive(Debug, Default)]
struct GitlabEntry {
    scripts: Vec<Spanned<serde_json::Value>>,
}

impl<'de> Deserialize<'de> for GitlabEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = GitlabEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a GitLab CI entry")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<GitlabEntry, A::Error> {
                let mut e = GitlabEntry::default();
                while let Some(key) = map.next_key::<String>()? {
                    if matches!(key.as_str(), "before_script" | "script") {
                        let s: Scripts = map.next_value()?;
                        e.scripts.extend(s.0);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(e)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<GitlabEntry, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(GitlabEntry::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<GitlabEntry, E> {
                Ok(GitlabEntry::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<GitlabEntry, E> {
                Ok(GitlabEntry::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<GitlabEntry, E> {
                Ok(GitlabEntry::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<GitlabEntry, E> {
                Ok(GitlabEntry::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<GitlabEntry, E> {
                Ok(GitlabEntry::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<GitlabEntry, E> {
                Ok(GitlabEntry::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// `script:` as a list of lines (with their lines in the file), or one string (whose line is
/// unknown, so left out).
struct Scripts(Vec<Spanned<serde_json::Value>>);

impl<'de> Deserialize<'de> for Scripts {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scripts;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a script list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scripts, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Spanned<serde_json::Value>>()? {
                    out.push(v);
                }
                Ok(Scripts(out))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Scripts, E> {
                Ok(Scripts(Vec::new()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scripts, E> {
                Ok(Scripts(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Builds in .gitlab-ci.yml; jobs run in the repository root (`$CI_PROJECT_DIR`).
pub fn parse_gitlab(path: &Path, text: &str, root: &Path) -> Vec<BuildSpec> {
    let Ok(file) = serde_saphyr::from_str::<BTreeMap<String, GitlabEntry>>(text) else {
        return Vec::new();
    };
    let mut reader = ScriptReader {
        file: path,
        root,
        source: SpecSource::Run,
        out: Vec::new(),
    };
    for entry in file.values() {
        // Each job starts in the project folder, and a `cd` in one script item holds for the
        // next ones (they run in one shell).
        let mut cwd = Some(root.to_path_buf());
        for s in &entry.scripts {
            if let Some(script) = yaml_scalar(&s.value) {
                // A block scalar item (`- |`) starts on the line after its indicator.
                let line = s.referenced.line() as usize;
                let indicator = text
                    .lines()
                    .nth(line.saturating_sub(1))
                    .map(|l| l.trim_start().trim_start_matches('-').trim())
                    .is_some_and(|rest| rest.starts_with('|') || rest.starts_with('>'));
                let start = if indicator { line + 1 } else { line };
                cwd = reader.read(&script, start, cwd, true);
            }
        }
    }
    reader.out
}

// ---------------------------------------------------------------------------------------------
// goreleaser

#[derive(Debug, Deserialize)]
struct Goreleaser {
    #[serde(default)]
    dockers: Vec<Spanned<GoreleaserDocker>>,
    #[serde(default)]
    dockers_v2: Vec<Spanned<GoreleaserDockerV2>>,
}

#[derive(Debug, Deserialize)]
struct GoreleaserDocker {
    dockerfile: Option<String>,
    goos: Option<String>,
    goarch: Option<String>,
    goarm: Option<serde_json::Value>,
    #[serde(default)]
    build_flag_templates: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct GoreleaserDockerV2 {
    dockerfile: Option<String>,
    #[serde(default)]
    platforms: Vec<String>,
}

/// Platforms goreleaser builds each Dockerfile for. goreleaser builds in a temporary folder
/// holding the built binaries and `extra_files`, not in the repository, so the build context is
/// not known: these facts carry platforms only (`context: None`).
pub fn parse_goreleaser(path: &Path, text: &str, root: &Path) -> Vec<BuildSpec> {
    let Ok(file) = serde_saphyr::from_str::<Goreleaser>(text) else {
        return Vec::new();
    };
    // Dockerfile → (first line, platforms); one `dockers` entry per platform is the usual shape.
    let mut by_file: BTreeMap<PathBuf, (usize, Vec<String>, bool)> = BTreeMap::new();
    let mut add = |dockerfile: Option<&String>, line: u64, platforms: Option<Vec<String>>| {
        let df = dockerfile.cloned().unwrap_or_else(|| "Dockerfile".into());
        if df.contains("{{") || df.contains('$') {
            return;
        }
        let e = by_file
            .entry(join(root, &df))
            .or_insert((line as usize, Vec::new(), false));
        match platforms {
            Some(ps) => {
                for p in ps {
                    if !e.1.contains(&p) {
                        e.1.push(p);
                    }
                }
            }
            None => e.2 = true,
        }
    };
    for d in &file.dockers {
        let v = &d.value;
        let mut platform = None;
        let mut flags = vec!["docker".to_string(), "build".to_string()];
        flags.extend(v.build_flag_templates.iter().cloned());
        flags.push(".".into());
        if let Some(cmd) = parse_build(&flags) {
            platform = cmd.platforms;
        }
        let platforms = match platform {
            Some(p) => Some(p),
            None => {
                let os = v.goos.clone().unwrap_or_else(|| "linux".into());
                let arch = v.goarch.clone().unwrap_or_else(|| "amd64".into());
                let variant = match (&v.goarm, arch.as_str()) {
                    (Some(a), "arm") => yaml_scalar(a).map(|a| format!("/v{a}")),
                    _ => None,
                }
                .unwrap_or_default();
                (!os.contains("{{") && !arch.contains("{{"))
                    .then(|| vec![format!("{os}/{arch}{variant}")])
            }
        };
        add(v.dockerfile.as_ref(), d.referenced.line(), platforms);
    }
    for d in &file.dockers_v2 {
        let v = &d.value;
        let known = !v.platforms.is_empty() && v.platforms.iter().all(|p| !p.contains("{{"));
        add(
            v.dockerfile.as_ref(),
            d.referenced.line(),
            known.then(|| v.platforms.clone()),
        );
    }
    by_file
        .into_iter()
        .filter(|(_, (_, _, unknown))| !unknown)
        .map(|(dockerfile, (line, platforms, _))| BuildSpec {
            prepared_by: Vec::new(),
            file: path.to_path_buf(),
            line: Some(line),
            entry: SpecSource::Goreleaser.to_string(),
            source: SpecSource::Goreleaser,
            context: None,
            dockerfile,
            target: None,
            args: BTreeMap::new(),
            platforms,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Makefiles and shell scripts

/// Builds in a Makefile: each recipe line runs in its own shell from the Makefile's folder.
/// `$(CURDIR)` is that folder and `$$` a `$`; other make variables are unknown.
pub fn parse_makefile(path: &Path, text: &str, root: &Path) -> Vec<BuildSpec> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let d = dir.to_string_lossy();
    let mut text = text.replace("$(CURDIR)", &d).replace("${CURDIR}", &d);
    // A variable set once in the file to a literal (`PLATFORMS ?= linux/amd64,linux/arm64`,
    // `DOCKERFILE := build/Dockerfile`) has that value when make runs without overrides.
    for (name, value) in make_literals(&text) {
        text = text
            .replace(&format!("$({name})"), &value)
            .replace(&format!("${{{name}}}"), &value);
    }
    let text = text.replace("$$", "$");
    let mut reader = ScriptReader {
        file: path,
        root,
        source: SpecSource::Command,
        out: Vec::new(),
    };
    reader.read(&text, 1, Some(dir.to_path_buf()), false);
    for spec in &mut reader.out {
        spec.prepared_by = spec
            .line
            .map(|l| make_target_prepares(&text, l))
            .unwrap_or_default();
    }
    reader.out
}

/// What the make target whose recipe holds line `line` (1-based) runs first: its prerequisites'
/// names (`image: build`) and the words of its recipe lines before that one.
fn make_target_prepares(text: &str, line: usize) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = line.saturating_sub(1).min(lines.len());
    let mut words = Vec::new();
    while i > 0 {
        i -= 1;
        let l = lines[i];
        if l.starts_with('\t') {
            if !l.trim_start().starts_with('#') {
                words.extend(l.split_whitespace().map(str::to_string));
            }
            continue;
        }
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        // The rule's header: `target …: prerequisites`.
        if let Some((_, prereqs)) = l.split_once(':')
            && !prereqs.starts_with('=')
        {
            let prereqs = prereqs.split(';').next().unwrap_or("");
            words.extend(prereqs.split_whitespace().map(str::to_string));
        }
        break;
    }
    words
}

/// Variables a Makefile assigns exactly once (`=`, `:=`, `::=`, `?=`), to a value without
/// variables; a name assigned twice, appended to (`+=`) or exported from elsewhere is left out.
fn make_literals(text: &str) -> Vec<(String, String)> {
    let mut seen: BTreeMap<String, Option<String>> = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('\t') || line.trim_start().starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some(eq) = line.find('=') else { continue };
        let (lhs, value) = (&line[..eq], line[eq + 1..].trim());
        let (name, op) = match lhs.trim_end() {
            l if l.ends_with("::") => (&l[..l.len() - 2], ":="),
            l if l.ends_with(':') || l.ends_with('?') || l.ends_with('+') || l.ends_with('!') => {
                (&l[..l.len() - 1], &l[l.len() - 1..])
            }
            l => (l, "="),
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let literal = (op != "+" && op != "!" && !value.contains('$') && !value.contains('#'))
            .then(|| value.to_string());
        seen.entry(name.to_string())
            .and_modify(|v| *v = None)
            .or_insert(literal);
    }
    seen.into_iter()
        .filter_map(|(k, v)| Some((k, v?)))
        .collect()
}

/// Builds in a shell script. It is taken to run from the repository root (as CI and people
/// call `./hack/build.sh`), unless it changes to its own folder first
/// (`cd "$(dirname "$0")/.."`), which is followed.
pub fn parse_script(path: &Path, text: &str, root: &Path) -> Vec<BuildSpec> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let d = dir.to_string_lossy();
    let mut text = text.to_string();
    for v in [
        "$(dirname \"$0\")",
        "$(dirname $0)",
        "$(dirname \"${BASH_SOURCE[0]}\")",
        "$(dirname \"${BASH_SOURCE}\")",
        "$(dirname ${BASH_SOURCE[0]})",
    ] {
        text = text.replace(v, &d);
    }
    let mut reader = ScriptReader {
        file: path,
        root,
        source: SpecSource::Command,
        out: Vec::new(),
    };
    reader.read(&text, 1, Some(root.to_path_buf()), true);
    reader.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        shell_words::split(s).unwrap()
    }

    #[test]
    fn build_command_options() {
        let c = parse_build(&words(
            "docker buildx build --platform linux/amd64,linux/arm64 -f deploy/Dockerfile --build-arg GOPROXY=off --build-arg V=$(VERSION) -t x:$(TAG) --target run --push .",
        ))
        .unwrap();
        assert_eq!(c.context.as_deref(), Some("."));
        assert_eq!(c.file.as_deref(), Some("deploy/Dockerfile"));
        assert_eq!(c.platforms.unwrap(), ["linux/amd64", "linux/arm64"]);
        assert_eq!(c.args.len(), 1);
        assert_eq!(c.target.as_deref(), Some("run"));
        assert_eq!(c.tool, "docker buildx build");
        let c = parse_build(&words("podman build --file=Containerfile ctx")).unwrap();
        assert_eq!(c.tool, "podman build");
        assert_eq!(c.file.as_deref(), Some("Containerfile"));
        assert_eq!(c.context.as_deref(), Some("ctx"));
        assert!(parse_build(&words("docker build -t x $(CTX)")).is_none());
        assert!(parse_build(&words("docker build - < Dockerfile")).is_none());
        assert!(parse_build(&words("docker run --rm x")).is_none());
        let c = parse_build(&words("$(CONTAINER_TOOL) build -t ${IMG} .")).unwrap();
        assert_eq!(c.context.as_deref(), Some("."));
        let c = parse_build(&words(
            "buildah bud --platform $(PLATFORMS) -f Dockerfile .",
        ))
        .unwrap();
        assert_eq!(c.platforms, None);
        let c = parse_build(&words(
            "/kaniko/executor --context /repo --dockerfile build/Dockerfile --destination x",
        ))
        .unwrap();
        assert!(c.file_in_context);
        assert_eq!(c.context.as_deref(), Some("/repo"));
    }

    #[test]
    fn substitutions_with_spaces_stay_one_unknown_word() {
        let line = "docker build . -t app:$(shell git describe --tags) --build-arg V=`date +%s`";
        let cmds = commands(line);
        let c = parse_build(&cmds[0]).unwrap();
        assert_eq!(c.context.as_deref(), Some("."));
        assert!(c.args.is_empty());
        let cmds = commands("docker build -t x ${{ matrix.context }}");
        assert!(parse_build(&cmds[0]).is_none());
        let cmds = commands("docker build -f ${{ matrix.dockerfile }} .");
        assert!(parse_build(&cmds[0]).unwrap().file_unknown);
    }

    #[test]
    fn makefile_paths_are_relative_to_its_folder() {
        let mk = "IMG ?= app\n\
docker-build:\n\
\tdocker build -f deploy/Dockerfile \\\n\
\t  --platform=linux/amd64 -t $(IMG) .\n\
sub:\n\
\tcd tools && docker build -t t .\n\
other:\n\
\t$(MAKE) -C x\n";
        let specs = parse_makefile(Path::new("/r/svc/Makefile"), mk, Path::new("/r"));
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].line, Some(3));
        assert_eq!(specs[0].dockerfile, Path::new("/r/svc/deploy/Dockerfile"));
        assert_eq!(specs[0].context.as_deref(), Some(Path::new("/r/svc")));
        assert_eq!(specs[0].platforms, ["linux/amd64"]);
        assert_eq!(specs[1].dockerfile, Path::new("/r/svc/tools/Dockerfile"));
    }

    #[test]
    fn makefile_literal_variables() {
        let mk = "PLATFORMS ?= linux/arm64,linux/amd64\n\
DOCKERFILE := build/Dockerfile\n\
TAG = $(shell git describe)\n\
TWICE = a\n\
TWICE = b\n\
image:\n\
\tdocker buildx build --platform=$(PLATFORMS) -f ${DOCKERFILE} -t x:$(TAG) .\n\
other:\n\
\tdocker build -f $(TWICE)/Dockerfile .\n";
        let specs = parse_makefile(Path::new("/r/Makefile"), mk, Path::new("/r"));
        assert_eq!(specs.len(), 1, "{specs:#?}");
        assert_eq!(specs[0].dockerfile, Path::new("/r/build/Dockerfile"));
        assert_eq!(specs[0].platforms, ["linux/arm64", "linux/amd64"]);
    }

    #[test]
    fn workflow_matrix_combinations() {
        let wf = r#"on: push
jobs:
  images:
    strategy:
      matrix:
        go: ["1.22", "1.23"]
        service: [api, worker]
        include:
          - service: api
            dockerfile: services/api/Dockerfile
          - service: worker
            dockerfile: services/worker/Dockerfile
          - service: tools
            dockerfile: tools/Dockerfile
    steps:
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: ${{ matrix.dockerfile }}
          build-args: GO_VERSION=${{ matrix.go }}
      - run: docker build -f ${{matrix.dockerfile}} --build-arg GO_VERSION=${{ matrix.go }} .
"#;
        let specs = parse_workflow(
            Path::new("/r/.github/workflows/images.yml"),
            wf,
            Path::new("/r"),
        );
        let files: std::collections::BTreeSet<_> =
            specs.iter().map(|s| s.dockerfile.clone()).collect();
        assert_eq!(
            files.into_iter().collect::<Vec<_>>(),
            [
                Path::new("/r/services/api/Dockerfile"),
                Path::new("/r/services/worker/Dockerfile"),
                Path::new("/r/tools/Dockerfile"),
            ]
        );
        // api and worker twice (two Go versions), each by the action and by the run step;
        // tools (an include of its own, no go version) once each.
        assert_eq!(specs.len(), 10, "{specs:#?}");
        assert!(
            specs
                .iter()
                .all(|s| s.context.as_deref() == Some(Path::new("/r")))
        );
        assert!(
            specs
                .iter()
                .any(|s| s.args.get("GO_VERSION").map(String::as_str) == Some("1.23"))
        );
        // A matrix given as an expression gives no combination: nothing is guessed.
        let wf = "jobs:\n  x:\n    strategy:\n      matrix: ${{ fromJson(needs.a.outputs.m) }}\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          file: ${{ matrix.dockerfile }}\n";
        assert!(parse_workflow(Path::new("/r/w.yml"), wf, Path::new("/r")).is_empty());
    }

    #[test]
    fn workflow_steps() {
        let wf = r#"on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: build/Dockerfile
          platforms: linux/amd64,linux/arm64
          build-args: |
            GOPROXY=https://proxy.example
            VERSION=${{ github.sha }}
          target: run
      - uses: docker/build-push-action@v6
        with:
          file: ${{ matrix.dockerfile }}
      - name: script
        run: |
          echo hi
          docker build \
            -f ${{ github.workspace }}/tools/Dockerfile \
            ${{ github.workspace }}/tools
      - run: docker build -f x/Dockerfile x
        working-directory: sub
"#;
        let specs = parse_workflow(
            Path::new("/r/.github/workflows/docker.yml"),
            wf,
            Path::new("/r"),
        );
        assert_eq!(specs.len(), 3, "{specs:#?}");
        let a = &specs[0];
        assert_eq!(a.line, Some(7));
        assert_eq!(a.context.as_deref(), Some(Path::new("/r")));
        assert_eq!(a.dockerfile, Path::new("/r/build/Dockerfile"));
        assert_eq!(a.platforms, ["linux/amd64", "linux/arm64"]);
        assert_eq!(a.args.len(), 1);
        assert_eq!(a.target.as_deref(), Some("run"));
        let b = &specs[1];
        assert_eq!(b.line, Some(22));
        assert_eq!(b.dockerfile, Path::new("/r/tools/Dockerfile"));
        assert_eq!(specs[2].dockerfile, Path::new("/r/sub/x/Dockerfile"));
    }

    #[test]
    fn gitlab_scripts() {
        let ci = r#"stages: [build]
variables:
  X: y
build:
  stage: build
  script:
    - cd services/api
    - docker build --platform linux/arm64 -t $CI_REGISTRY_IMAGE .
kaniko:
  script:
    - /kaniko/executor --context $CI_PROJECT_DIR --dockerfile deploy/Dockerfile --destination x
block:
  script:
    - |
      echo building
      docker build \
        -f tools/Dockerfile tools
"#;
        let specs = parse_gitlab(Path::new("/r/.gitlab-ci.yml"), ci, Path::new("/r"));
        assert_eq!(specs.len(), 3, "{specs:#?}");
        let tools = specs
            .iter()
            .find(|s| s.dockerfile == Path::new("/r/tools/Dockerfile"))
            .unwrap();
        assert_eq!(tools.line, Some(16));
        let specs: Vec<_> = specs.into_iter().filter(|s| s.line != Some(16)).collect();
        assert_eq!(specs[0].line, Some(8));
        assert_eq!(specs[0].dockerfile, Path::new("/r/services/api/Dockerfile"));
        assert_eq!(specs[1].dockerfile, Path::new("/r/deploy/Dockerfile"));
        assert_eq!(specs[1].context.as_deref(), Some(Path::new("/r")));
    }

    #[test]
    fn goreleaser_platforms_only() {
        let g = r#"dockers:
  - image_templates: ["x:{{ .Tag }}-amd64"]
    use: buildx
    build_flag_templates: ["--platform=linux/amd64"]
  - image_templates: ["x:{{ .Tag }}-arm64"]
    goarch: arm64
    build_flag_templates: ["--platform=linux/arm64", "--label=x={{ .Tag }}"]
  - dockerfile: other.Dockerfile
    goarch: arm
    goarm: 7
dockers_v2:
  - dockerfile: v2.Dockerfile
    platforms: [linux/amd64, linux/s390x]
"#;
        let specs = parse_goreleaser(Path::new("/r/.goreleaser.yaml"), g, Path::new("/r"));
        assert_eq!(specs.len(), 3);
        let main = specs
            .iter()
            .find(|s| s.dockerfile == Path::new("/r/Dockerfile"))
            .unwrap();
        assert_eq!(main.platforms, ["linux/amd64", "linux/arm64"]);
        assert_eq!(main.context, None);
        assert_eq!(main.line, Some(2));
        let other = specs
            .iter()
            .find(|s| s.dockerfile == Path::new("/r/other.Dockerfile"))
            .unwrap();
        assert_eq!(other.platforms, ["linux/arm/v7"]);
    }

    #[test]
    fn scripts_follow_cd_to_their_folder() {
        let sh =
            "#!/bin/sh\nset -e\ncd \"$(dirname \"$0\")/..\"\ndocker build -f build/Dockerfile .\n";
        let specs = parse_script(Path::new("/r/hack/build.sh"), sh, Path::new("/r"));
        assert_eq!(specs[0].dockerfile, Path::new("/r/build/Dockerfile"));
        assert_eq!(specs[0].line, Some(4));
        let sh = "cd $WORKDIR\ndocker build .\n";
        assert!(parse_script(Path::new("/r/hack/b.sh"), sh, Path::new("/r")).is_empty());
    }
}
