//! Go commands a RUN runs through `make` or a shell script from the build context.
//!
//! Between the model ([`crate::syntax`]) and the rules: it reads the Makefiles and scripts the
//! stage copied from the context (so it depends on [`crate::context`] and [`crate::image_fs`],
//! which the model does not).
//!
//! `RUN make build` (also `make -C dir X`, `make` for the default goal, `$(MAKE) X` inside a
//! recipe) reads the Makefile the stage copied or bind-mounted (makefile-lossless parses it),
//! expands the target's prerequisites and recipe lines with the Makefile's variables (`=`, `:=`,
//! `?=`, `+=`, `$(VAR)`, `${VAR}`, `$@`), and splits the lines with tree-sitter-bash.
//! `RUN ./build.sh`, `RUN sh scripts/build.sh`, `RUN bash -c ./hack/build.sh` read the script
//! the same way. Each go command found becomes a [`GoCommand`] of the RUN with `via` saying
//! where it came from; its ranges are those of the `make`/script command in the Dockerfile, so
//! diagnostics point at the RUN and fixes that edit the RUN (its flags) stay right.
//!
//! What cannot be followed stays silent: a program that is not in the context, a Makefile that
//! did not land in the stage, a recipe line whose go command depends on a variable defined in a
//! conditional or on a make function (`$(shell …)`), targets defined by patterns.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::context::Context;
use crate::image_fs::StageFiles;
use crate::syntax::shell::{self, Command, Mode, Word};
use crate::syntax::{Dockerfile, GoCommand, Kind};

/// How deep make and scripts are followed into one another.
const MAX_DEPTH: usize = 6;
/// Larger files are not read.
const MAX_FILE: u64 = 512 * 1024;
/// Marks the text of a make expansion that could not be evaluated.
const UNKNOWN: char = '\u{1}';

/// The model with the go commands found through make and scripts added to their RUNs, or `None`
/// when no RUN runs make or a context script (the common case: nothing is cloned).
pub fn follow(df: &Dockerfile, ctx: &Context) -> Option<Dockerfile> {
    let mut found: Vec<(usize, Vec<GoCommand>)> = Vec::new();
    for stage in &df.stages {
        if stage.windows {
            continue;
        }
        let mut files: Option<StageFiles> = None;
        for idx in stage.body.clone() {
            let ins = &df.instructions[idx];
            if ins.near_error || ins.kind != Kind::Run {
                continue;
            }
            let Some(run) = &ins.run else { continue };
            if !run.commands.iter().any(might_follow) {
                continue;
            }
            let files = files.get_or_insert_with(|| StageFiles::new(df, stage, ctx));
            let Some(workdir) = ins.state.workdir.as_deref() else {
                continue;
            };
            let mut f = Follower {
                ctx,
                files,
                at: idx,
                env: &ins.state.env,
                out: Vec::new(),
                visited: BTreeSet::new(),
            };
            let mut cd: Option<String> = None;
            for c in &run.commands {
                if c.words.first().is_some_and(|w| w.text == "cd") {
                    cd = Some(join_cd(
                        cd.as_deref(),
                        c.words.get(1).map_or("~", |w| w.text.as_str()),
                    ));
                    continue;
                }
                let dir = match &cd {
                    Some(d) => crate::syntax::join_path(workdir, d),
                    None => workdir.to_string(),
                };
                let invocation = Invocation {
                    range: c.range.clone(),
                    cd: cd.clone(),
                    dir,
                    assignments: c.assignments.clone(),
                };
                f.command(&invocation, &texts(&c.words), 0);
            }
            if !f.out.is_empty() {
                found.push((idx, f.out));
            }
        }
    }
    if found.is_empty() {
        return None;
    }
    let mut out = df.clone();
    for (idx, gos) in found {
        if let Some(run) = &mut out.instructions[idx].run {
            run.go.extend(gos);
        }
    }
    Some(out)
}

/// A command that could be `make` or a script.
fn might_follow(c: &Command) -> bool {
    let Some(first) = c.words.first() else {
        return false;
    };
    let name = first.text.rsplit('/').next().unwrap_or(&first.text);
    matches!(name, "make" | "gmake" | "sh" | "bash" | "dash" | "ash")
        || first.text.contains('/')
        || first.text.ends_with(".sh")
}

fn texts(words: &[Word]) -> Vec<String> {
    words.iter().map(|w| w.text.clone()).collect()
}

fn join_cd(prev: Option<&str>, target: &str) -> String {
    match (prev, target.starts_with('/')) {
        (Some(p), false) => format!("{}/{target}", p.trim_end_matches('/')),
        _ => target.to_string(),
    }
}

/// The Dockerfile command that started it all, and where the current command runs.
#[derive(Clone)]
struct Invocation {
    /// The `make`/script command in the Dockerfile.
    range: Range<usize>,
    /// Directory relative to the RUN's WORKDIR (as GoCommand::cd), `None` for the WORKDIR.
    cd: Option<String>,
    /// Absolute directory.
    dir: String,
    /// `K=V` in front of the Dockerfile command: the environment of everything it runs.
    assignments: Vec<shell::Assignment>,
}

impl Invocation {
    fn moved(&self, dir: &str) -> Invocation {
        let mut next = self.clone();
        next.cd = Some(join_cd(self.cd.as_deref(), dir));
        next.dir = crate::syntax::join_path(&self.dir, dir);
        next
    }
}

struct Follower<'a> {
    ctx: &'a Context,
    files: &'a StageFiles,
    at: usize,
    env: &'a crate::syntax::EnvMap<String>,
    out: Vec<GoCommand>,
    /// (file, target) pairs already followed: recursion and repeated prerequisites.
    visited: BTreeSet<(String, String)>,
}

impl Follower<'_> {
    /// The context file at an image path, read, when the stage has it at this RUN.
    fn read(&self, image_path: &str) -> Option<(String, String)> {
        let rel = self.files.context_path(self.ctx, image_path, self.at)?;
        let path = self.ctx.tree.root.join(&rel);
        if std::fs::metadata(&path).ok()?.len() > MAX_FILE {
            return None;
        }
        Some((rel, std::fs::read_to_string(path).ok()?))
    }

    /// Follow one command (its words, unquoted) run in `inv.dir`.
    fn command(&mut self, inv: &Invocation, words: &[String], depth: usize) {
        if depth > MAX_DEPTH || words.is_empty() {
            return;
        }
        let name = words[0].rsplit('/').next().unwrap_or(&words[0]);
        match name {
            "make" | "gmake" => self.make(inv, &words[1..], depth),
            "sh" | "bash" | "dash" | "ash" => {
                let mut rest = &words[1..];
                while let Some(w) = rest.first() {
                    if w == "-c" {
                        // `bash -c "./hack/build.sh"`: the string is a command line.
                        if let Some(script) = rest.get(1) {
                            for c in shell::split_commands(script, 0..script.len(), Mode::Script) {
                                self.command(inv, &texts(&c.words), depth + 1);
                            }
                        }
                        return;
                    }
                    if !w.starts_with('-') && !w.starts_with('+') {
                        break;
                    }
                    rest = &rest[1..];
                }
                if let Some(script) = rest.first() {
                    self.script(inv, script, depth);
                }
            }
            _ if words[0].contains('/') || words[0].ends_with(".sh") => {
                self.script(inv, &words[0], depth)
            }
            _ => {}
        }
    }

    fn script(&mut self, inv: &Invocation, path: &str, depth: usize) {
        if path.contains('$') {
            return;
        }
        let image_path = crate::syntax::join_path(&inv.dir, path);
        if !self.visited.insert((image_path.clone(), String::new())) {
            return;
        }
        let Some((rel, text)) = self.read(&image_path) else {
            return;
        };
        if !is_shell_script(&text) {
            return;
        }
        for (here, c) in commands_with_cd(&text, inv) {
            let line = crate::syntax::line_number(&text, c.range.start);
            self.found(&here, &c, &format!("via {rel}:{line}"), depth);
        }
    }

    /// A command of a recipe or script: a go command to record, or more to follow.
    fn found(&mut self, inv: &Invocation, c: &Command, via: &str, depth: usize) {
        let mut assignments = inv.assignments.clone();
        for a in &c.assignments {
            assignments.retain(|b| b.name != a.name);
            assignments.push(shell::Assignment {
                name: a.name.clone(),
                value: a.value.clone(),
                range: inv.range.clone(),
            });
        }
        let words: Vec<Word> = c
            .words
            .iter()
            .map(|w| Word {
                text: w.text.clone(),
                range: inv.range.clone(),
            })
            .collect();
        let cmd = Command {
            assignments: assignments.clone(),
            words,
            range: inv.range.clone(),
            conditional: c.conditional,
        };
        if let Some(mut go) = GoCommand::from_command(&cmd, inv.cd.as_deref()) {
            if unknown_in_go_command(&go) {
                return;
            }
            for w in &mut go.words {
                w.text.retain(|ch| ch != UNKNOWN);
            }
            go.via = Some(via.to_string());
            self.out.push(go);
            return;
        }
        if c.words.iter().any(|w| w.text.contains(UNKNOWN)) {
            return;
        }
        let mut next = inv.clone();
        next.assignments = assignments;
        self.command(&next, &texts(&c.words), depth + 1);
    }

    fn make(&mut self, inv: &Invocation, args: &[String], depth: usize) {
        let mut dir = inv.clone();
        let mut file: Option<String> = None;
        let mut goals: Vec<String> = Vec::new();
        let mut overrides: BTreeMap<String, String> = BTreeMap::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            let value = |i: &mut usize, short: &str, long: &str| -> Option<Option<String>> {
                if a == short || a == long {
                    *i += 1;
                    return Some(args.get(*i).cloned());
                }
                if let Some(v) = a.strip_prefix(&format!("{long}=")) {
                    return Some(Some(v.to_string()));
                }
                a.strip_prefix(short)
                    .filter(|v| !v.is_empty())
                    .map(|v| Some(v.to_string()))
            };
            if let Some(v) = value(&mut i, "-C", "--directory") {
                let Some(v) = v else { return };
                dir = dir.moved(&v);
            } else if let Some(v) = value(&mut i, "-f", "--file") {
                file = v;
                if file.is_none() {
                    return;
                }
            } else if a == "-o" || a == "-W" || a == "-I" {
                // Options with a separate argument that changes nothing here.
                i += 1;
            } else if (a == "-j" || a == "-l")
                && args.get(i + 1).is_some_and(|n| n.parse::<f64>().is_ok())
            {
                // `-j 4`; a bare `-j` takes no argument.
                i += 1;
            } else if a.starts_with('-') {
            } else if let Some((k, v)) = shell::assignment(a) {
                overrides.insert(k.to_string(), v.to_string());
            } else {
                goals.push(a.clone());
            }
            i += 1;
        }
        let candidates: Vec<String> = match &file {
            Some(f) => vec![f.clone()],
            None => ["GNUmakefile", "makefile", "Makefile"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        let Some((rel, text)) = candidates
            .iter()
            .find_map(|f| self.read(&crate::syntax::join_path(&dir.dir, f)))
        else {
            return;
        };
        let makefile = Makefile::new(&text, self.env, &inv.assignments, overrides);
        if goals.is_empty() {
            match makefile.default_goal() {
                Some(g) => goals.push(g),
                None => return,
            }
        }
        for goal in goals {
            self.target(&dir, &rel, &text, &makefile, &goal, depth);
        }
    }

    fn target(
        &mut self,
        inv: &Invocation,
        rel: &str,
        text: &str,
        makefile: &Makefile,
        goal: &str,
        depth: usize,
    ) {
        if depth > MAX_DEPTH || !self.visited.insert((rel.to_string(), goal.to_string())) {
            return;
        }
        let Some(rule) = makefile.rule(goal) else {
            return;
        };
        for pre in &rule.prerequisites {
            if let Some(p) = makefile.expand(pre, goal).filter(|p| !p.contains(UNKNOWN)) {
                for p in p.split_whitespace() {
                    self.target(inv, rel, text, makefile, p, depth + 1);
                }
            }
        }
        for (offset, line) in &rule.recipe {
            let Some(expanded) = makefile.expand(line, goal) else {
                continue;
            };
            let line_no = crate::syntax::line_number(text, *offset);
            let via = format!("via make {goal}, {rel}:{line_no}");
            // Each recipe line runs in its own shell, in the make directory, with the exported
            // variables in its environment (they win over the environment make started with).
            let mut env = inv.clone();
            for name in &makefile.exports {
                let value = match makefile.vars.get(name) {
                    Some(Some(v)) => makefile.expand(v, goal),
                    _ => None,
                };
                let known = value.as_ref().is_some_and(|v| !v.contains(UNKNOWN));
                // An unknown GO*/CGO_* value hides how the go command runs: leave it in so the
                // command is dropped. Other unknown exports do not matter here.
                if !known && !name.starts_with("GO") && !name.starts_with("CGO_") {
                    continue;
                }
                env.assignments.retain(|a| &a.name != name);
                env.assignments.push(shell::Assignment {
                    name: name.clone(),
                    value: value.unwrap_or_else(|| UNKNOWN.to_string()),
                    range: inv.range.clone(),
                });
            }
            for (here, c) in commands_with_cd(&expanded, &env) {
                // `$(MAKE) other` / `make other`: the same Makefile unless -C/-f say otherwise.
                self.found(&here, &c, &via, depth + 1);
            }
        }
    }
}

/// The commands of a script or recipe, each with the invocation it runs in: a `cd` moves the
/// ones after it (and is not itself a command to follow).
fn commands_with_cd(text: &str, inv: &Invocation) -> Vec<(Invocation, Command)> {
    let mut cd: Option<String> = None;
    let mut out = Vec::new();
    for c in shell::split_commands(text, 0..text.len(), Mode::Script) {
        if c.words.first().is_some_and(|w| w.text == "cd") {
            cd = Some(join_cd(
                cd.as_deref(),
                c.words.get(1).map_or("~", |w| w.text.as_str()),
            ));
            continue;
        }
        let here = match &cd {
            Some(d) => inv.moved(d),
            None => inv.clone(),
        };
        out.push((here, c));
    }
    out
}

/// A script without a `#!` line runs under sh; with one, only shell interpreters are read.
fn is_shell_script(text: &str) -> bool {
    let Some(line) = text.strip_prefix("#!").and_then(|t| t.lines().next()) else {
        return true;
    };
    let mut parts = line.split_whitespace();
    let mut program = parts.next().unwrap_or("");
    if program.ends_with("/env") {
        program = parts.find(|p| !p.starts_with('-')).unwrap_or("");
    }
    matches!(
        program.rsplit('/').next().unwrap_or(program),
        "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh"
    )
}

/// Unknown make expansions are tolerated in flag values that do not change what gomodfix
/// checks (`-ldflags "-X main.version=$(VERSION)"`, `-o $(BIN)`); anywhere else in a go
/// command they hide too much.
fn unknown_in_go_command(go: &GoCommand) -> bool {
    let harmless = ["ldflags", "gcflags", "asmflags", "o"];
    let mut prev_harmless = false;
    for (i, w) in go.words.iter().enumerate() {
        let name = w
            .text
            .trim_start_matches('-')
            .split('=')
            .next()
            .unwrap_or("");
        let is_flag = w.text.starts_with('-');
        if w.text.contains(UNKNOWN) {
            let ok = i >= go.head_len
                && (prev_harmless || (is_flag && harmless.contains(&name) && w.text.contains('=')));
            if !ok {
                return true;
            }
        }
        prev_harmless = is_flag && harmless.contains(&name) && !w.text.contains('=');
    }
    go.assignments.iter().any(|a| a.value.contains(UNKNOWN))
}

/// A target's prerequisites and recipe lines (with their offsets in the Makefile).
struct MakeRule {
    prerequisites: Vec<String>,
    recipe: Vec<(usize, String)>,
}

/// The parts of a Makefile gomodfix evaluates: top-level variables and explicit rules.
struct Makefile {
    vars: BTreeMap<String, Option<String>>,
    /// Variables `export`ed to the recipes' environment.
    exports: BTreeSet<String>,
    rules: Vec<(Vec<String>, MakeRule)>,
}

impl Makefile {
    fn new(
        text: &str,
        env: &crate::syntax::EnvMap<String>,
        command_env: &[shell::Assignment],
        overrides: BTreeMap<String, String>,
    ) -> Makefile {
        let (parsed, _errors) = makefile_lossless::Makefile::from_str_relaxed(text);
        let mut vars: BTreeMap<String, Option<String>> = BTreeMap::new();
        let mut exports = BTreeSet::new();
        // The environment is where make starts; the Makefile's `=`/`:=` override it.
        for (k, v) in env.iter() {
            vars.insert(k.clone(), Some(v.clone()));
        }
        // `ARCH=$TARGETARCH make build`: the command's own environment, which `?=` keeps.
        for a in command_env {
            vars.insert(a.name.clone(), Some(a.value.clone()));
        }
        vars.insert("MAKE".into(), Some("make".into()));
        vars.insert("SHELL".into(), Some("/bin/sh".into()));
        for def in parsed.variable_definitions() {
            let Some(name) = def.name() else { continue };
            if def.parent().is_none() && def.is_export() && !def.is_unexport() {
                exports.insert(name.clone());
            }
            let op = def.assignment_operator().unwrap_or_else(|| "=".into());
            let value = def.raw_value().unwrap_or_default().trim().to_string();
            // A definition inside a conditional, or `define`/`undefine`: not evaluated.
            if def.parent().is_some() || def.is_define() || def.is_undefine() {
                vars.insert(name, None);
                continue;
            }
            match op.as_str() {
                "?=" => {
                    vars.entry(name).or_insert(Some(value));
                }
                "+=" => {
                    let prev = vars.get(&name).cloned().flatten();
                    vars.insert(
                        name,
                        prev.map(|p| format!("{p} {value}").trim().to_string()),
                    );
                }
                "=" | ":=" | "::=" | ":::=" => {
                    vars.insert(name, Some(value));
                }
                _ => {
                    vars.insert(name, None);
                }
            }
        }
        for (k, v) in overrides {
            vars.insert(k, Some(v));
        }
        let mut rules = Vec::new();
        for rule in parsed.rules() {
            let targets: Vec<String> = rule.targets().collect();
            let recipe = rule
                .recipe_nodes()
                .map(|r| {
                    let offset = r.line_ranges().next().map_or(0, |t| usize::from(t.start()));
                    (
                        offset,
                        r.shell_text()
                            .trim_start_matches(['@', '-', '+', ' ', '\t'])
                            .to_string(),
                    )
                })
                .collect();
            rules.push((
                targets,
                MakeRule {
                    prerequisites: rule.prerequisites().collect(),
                    recipe,
                },
            ));
        }
        Makefile {
            vars,
            exports,
            rules,
        }
    }

    /// The first target that does not start with `.` (GNU make's default goal).
    fn default_goal(&self) -> Option<String> {
        if let Some(Some(g)) = self.vars.get(".DEFAULT_GOAL") {
            return Some(g.clone());
        }
        self.rules
            .iter()
            .flat_map(|(t, _)| t.iter())
            .find(|t| !t.starts_with('.') && !t.contains('%') && !t.contains('$'))
            .cloned()
    }

    fn rule(&self, target: &str) -> Option<&MakeRule> {
        self.rules
            .iter()
            .find(|(t, r)| t.iter().any(|x| x == target) && !r.recipe.is_empty())
            .or_else(|| {
                self.rules
                    .iter()
                    .find(|(t, _)| t.iter().any(|x| x == target))
            })
            .map(|(_, r)| r)
    }

    /// Expand make references; what cannot be evaluated is kept, wrapped in [`UNKNOWN`].
    fn expand(&self, text: &str, target: &str) -> Option<String> {
        self.expand_depth(text, target, 0)
    }

    fn expand_depth(&self, text: &str, target: &str, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            out.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            let mut chars = after.chars();
            match chars.next() {
                Some('$') => {
                    out.push('$');
                    rest = &after[1..];
                }
                Some(open @ ('(' | '{')) => {
                    let close = if open == '(' { ')' } else { '}' };
                    let mut level = 0usize;
                    let mut end = None;
                    for (i, ch) in after.char_indices() {
                        if ch == open {
                            level += 1;
                        } else if ch == close {
                            level -= 1;
                            if level == 0 {
                                end = Some(i);
                                break;
                            }
                        }
                    }
                    let end = end?;
                    let inner = &after[1..end];
                    let whole = &rest[pos..pos + 1 + end + 1];
                    let is_name = !inner.is_empty()
                        && inner
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
                    match self.vars.get(inner).filter(|_| is_name) {
                        Some(Some(v)) => out.push_str(&self.expand_depth(v, target, depth + 1)?),
                        // Undefined in make is empty, but an unknown environment is not.
                        _ => {
                            out.push(UNKNOWN);
                            out.push_str(whole);
                            out.push(UNKNOWN);
                        }
                    }
                    rest = &after[end + 1..];
                }
                Some('@') => {
                    out.push_str(target);
                    rest = &after[1..];
                }
                Some(c) => {
                    out.push(UNKNOWN);
                    out.push('$');
                    out.push(c);
                    out.push(UNKNOWN);
                    rest = &after[c.len_utf8()..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mk(text: &str) -> Makefile {
        Makefile::new(
            text,
            &crate::syntax::EnvMap::new_sync(),
            &[],
            BTreeMap::new(),
        )
    }

    #[test]
    fn variables_and_rules() {
        let m = mk(
            "GO ?= go\nGOFLAGS := -mod=vendor\nBIN = bin/$(NAME)\nNAME = app\nLDFLAGS += -s\n\n.PHONY: build\nbuild: gen\n\tCGO_ENABLED=0 $(GO) build ${GOFLAGS} -o $(BIN) .\n\ngen:\n\t@$(GO) generate ./...\n",
        );
        assert_eq!(m.default_goal().as_deref(), Some("build"));
        let r = m.rule("build").unwrap();
        assert_eq!(r.prerequisites, vec!["gen"]);
        assert_eq!(
            m.expand(&r.recipe[0].1, "build").unwrap(),
            "CGO_ENABLED=0 go build -mod=vendor -o bin/app ."
        );
        assert_eq!(
            m.expand(&m.rule("gen").unwrap().recipe[0].1, "gen")
                .unwrap(),
            "go generate ./..."
        );
        assert_eq!(
            m.expand("go build -ldflags \"$(shell git describe)\" $@", "x")
                .unwrap(),
            "go build -ldflags \"\u{1}$(shell git describe)\u{1}\" x"
        );
    }

    #[test]
    fn only_shell_scripts_are_read() {
        assert!(is_shell_script("go build .\n"));
        assert!(is_shell_script("#!/bin/sh\ngo build .\n"));
        assert!(is_shell_script("#!/usr/bin/env bash\nset -e\n"));
        assert!(!is_shell_script(
            "#!/usr/bin/env python3\nprint('go build')\n"
        ));
    }

    #[test]
    fn exported_variables() {
        let m =
            mk("export GOFLAGS := -mod=vendor\nexport CGO_ENABLED = 0\nunexport X = 1\nY = 2\n");
        assert_eq!(
            m.exports.iter().map(String::as_str).collect::<Vec<_>>(),
            ["CGO_ENABLED", "GOFLAGS"]
        );
        assert_eq!(
            m.vars.get("GOFLAGS"),
            Some(&Some("-mod=vendor".to_string()))
        );
    }

    #[test]
    fn conditionals_leave_variables_unknown() {
        let m = mk(
            "ifeq ($(OS),Windows_NT)\nGO = go.exe\nelse\nGO = go\nendif\nall:\n\t$(GO) build .\n",
        );
        let line = &m.rule("all").unwrap().recipe[0].1;
        assert!(m.expand(line, "all").unwrap().contains(UNKNOWN));
    }

    #[test]
    fn a_kubebuilder_style_makefile() {
        let text = "# Image URL to use all building/pushing image targets\nIMG ?= controller:latest\nENVTEST_K8S_VERSION = 1.29.0\n\n# Get the currently used golang install path\nifeq (,$(shell go env GOBIN))\nGOBIN=$(shell go env GOPATH)/bin\nelse\nGOBIN=$(shell go env GOBIN)\nendif\n\nSHELL = /usr/bin/env bash -o pipefail\n.SHELLFLAGS = -ec\n\n.PHONY: all\nall: build\n\n##@ General\n\n.PHONY: help\nhelp: ## Display this help.\n\t@awk 'BEGIN {FS = \":.*##\"; printf \"\\nUsage:\\n  make \\033[36m<target>\\033[0m\\n\"} /^[a-zA-Z_0-9-]+:.*?##/ { printf \"  \\033[36m%-15s\\033[0m %s\\n\", $$1, $$2 }' $(MAKEFILE_LIST)\n\n.PHONY: fmt\nfmt: ## Run go fmt against code.\n\tgo fmt ./...\n\n.PHONY: vet\nvet: ## Run go vet against code.\n\tgo vet ./...\n\n.PHONY: build\nbuild: fmt vet ## Build manager binary.\n\tgo build -o bin/manager cmd/main.go\n\ndefine go-install-tool\n@[ -f $(1) ] || { \\\nset -e; \\\nGOBIN=$(LOCALBIN) go install $${package} ;\\\n}\nendef\n";
        let m = mk(text);
        assert_eq!(m.default_goal().as_deref(), Some("all"));
        let build = m.rule("build").unwrap();
        assert_eq!(build.prerequisites, vec!["fmt", "vet"]);
        assert_eq!(
            m.expand(&build.recipe[0].1, "build").unwrap(),
            "go build -o bin/manager cmd/main.go"
        );
        assert_eq!(m.vars.get("GOBIN"), Some(&None));
        assert_eq!(
            m.vars.get("IMG"),
            Some(&Some("controller:latest".to_string()))
        );
        let line = crate::syntax::line_number(text, build.recipe[0].0);
        assert_eq!(
            text.lines().nth(line - 1).unwrap(),
            "\tgo build -o bin/manager cmd/main.go"
        );
    }
}
