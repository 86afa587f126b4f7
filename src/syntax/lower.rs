//! Lowering: Dockerfile text → tree-sitter tree → the model ([`Dockerfile::parse_with`]). Reads
//! each instruction's flags, pairs, words, RUN commands and COPY, and carries the state (WORKDIR,
//! ENV, ARG, USER) from one instruction to the next.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::{Node, Parser, QueryCursor, StreamingIterator, Tree};

use super::go::GoCommand;
use super::model::{
    Copy, Dockerfile, Flag, Image, Instruction, Kind, Mount, Pair, ParseOptions, Run, RunForm,
    Stage, image_name,
};
use super::queries;
use super::shell::{self, Word};
use super::state::State;
use super::text::{join_path, logical_line_end};

thread_local! {
    static PARSER: RefCell<Parser> = RefCell::new({
        let mut p = Parser::new();
        p.set_language(&queries::language()).expect("grammar matches tree-sitter version");
        p
    });
}

/// Parse Dockerfile text into a tree-sitter tree.
pub fn parse_tree(source: &str) -> Tree {
    let masked = mask_hashes_in_paths(source);
    PARSER.with(|p| {
        p.borrow_mut()
            .parse(masked.as_ref(), None)
            .expect("parser has a language and no timeout")
    })
}

/// The grammar reads a `#` anywhere as the start of a comment, but Docker only treats a `#` at
/// the start of a line as one: in `COPY a#b/go.mod ./` it is part of the path. The parser is
/// given a copy where such a `#` on a COPY/ADD line reads `x` (same length, so every byte range
/// still points into the real text, which is what the model reads its words from).
fn mask_hashes_in_paths(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.contains('#') {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out: Option<Vec<u8>> = None;
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let keyword = trimmed
            .split(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        if (keyword.eq_ignore_ascii_case("copy") || keyword.eq_ignore_ascii_case("add"))
            && line.contains('#')
        {
            let body = start + (line.len() - trimmed.len()) + keyword.len();
            let bytes = out.get_or_insert_with(|| source.as_bytes().to_vec());
            for (i, b) in line.bytes().enumerate() {
                if b == b'#' && start + i > body {
                    bytes[start + i] = b'x';
                }
            }
        }
        start += line.len();
    }
    match out {
        // Only ASCII `#` bytes were replaced by ASCII: still UTF-8.
        Some(bytes) => std::borrow::Cow::Owned(String::from_utf8(bytes).expect("ASCII swap")),
        None => std::borrow::Cow::Borrowed(source),
    }
}

/// Number of ERROR and MISSING nodes in a tree: the measure "parses worse" is judged by.
pub fn error_count(tree: &Tree) -> usize {
    error_ranges(tree).len()
}

fn error_ranges(tree: &Tree) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    if !tree.root_node().has_error() {
        return out;
    }
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            out.push(node.byte_range());
            continue;
        }
        if node.has_error() {
            stack.extend(node.children(&mut cursor));
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

impl Kind {
    fn from_capture(name: &str) -> Option<Kind> {
        Some(match name {
            "from" => Kind::From,
            "run" => Kind::Run,
            "copy" => Kind::Copy,
            "add" => Kind::Add,
            "env" => Kind::Env,
            "arg" => Kind::Arg,
            "workdir" => Kind::Workdir,
            "user" => Kind::User,
            "shell" => Kind::Shell,
            "onbuild" => Kind::Onbuild,
            _ => return None,
        })
    }
}

/// The parser directive `# escape=` at the top of the file, if any.
fn escape_directive(source: &str) -> char {
    for line in source.lines() {
        let line = line.trim_start_matches('\u{feff}').trim();
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().to_ascii_lowercase();
        if key == "escape" {
            if value.trim() == "`" {
                return '`';
            }
            return '\\';
        }
        if key != "syntax" && key != "check" {
            break;
        }
    }
    '\\'
}

fn text<'a>(src: &'a str, node: Node) -> &'a str {
    &src[node.byte_range()]
}

/// Remove one level of quotes from a grammar string node (`"a"`, `'a'`, `a`).
fn unquote(raw: &str) -> String {
    let raw = raw.trim();
    if raw.len() >= 2
        && ((raw.starts_with('"') && raw.ends_with('"'))
            || (raw.starts_with('\'') && raw.ends_with('\'')))
    {
        let inner = &raw[1..raw.len() - 1];
        if raw.starts_with('"') {
            return inner.replace("\\\"", "\"");
        }
        return inner.to_string();
    }
    raw.to_string()
}

impl Dockerfile {
    pub fn parse(source: impl Into<String>) -> Dockerfile {
        Self::parse_with(source, &ParseOptions::default())
    }

    pub fn parse_with(source: impl Into<String>, options: &ParseOptions) -> Dockerfile {
        Self::parse_with_tree(source, None, options)
    }

    /// Build the model, reusing `tree` when the caller already parsed exactly this text.
    pub fn parse_with_tree(
        source: impl Into<String>,
        tree: Option<Tree>,
        options: &ParseOptions,
    ) -> Dockerfile {
        let source = source.into();
        let tree = tree.unwrap_or_else(|| parse_tree(&source));
        let escape = escape_directive(&source);
        let newline = if source.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let error_ranges = error_ranges(&tree);
        let mut df = Dockerfile {
            instructions: Vec::new(),
            stages: Vec::new(),
            global_args: BTreeMap::new(),
            escape,
            newline,
            error_ranges,
            golang_images: options.golang_images.clone(),
            tree,
            source,
        };
        df.build_model(options);
        df
    }

    fn build_model(&mut self, options: &ParseOptions) {
        let q = queries::queries();
        let src = self.source.clone();
        let root = self.tree.root_node();
        let mut cursor = QueryCursor::new();
        // Instructions are children of the root: no need to descend into them.
        cursor.set_max_start_depth(Some(0));
        let mut nodes: Vec<(Kind, Node)> = Vec::new();
        let mut matches = cursor.matches(&q.instructions, root, src.as_bytes());
        while let Some(m) = matches.next() {
            for c in m.captures {
                let name = q.instructions.capture_names()[c.index as usize];
                if let Some(kind) = Kind::from_capture(name) {
                    nodes.push((kind, c.node));
                }
            }
        }
        nodes.sort_by_key(|(_, n)| n.start_byte());

        // Shell-form RUNs the Dockerfile grammar trips over (quoting it does not model, like a
        // backtick inside double quotes) but that are one well-formed instruction whose body
        // parses as shell: (node start, shell body, whole instruction).
        let repaired: Vec<(usize, Range<usize>, Range<usize>)> = if self.error_ranges.is_empty() {
            Vec::new()
        } else {
            nodes
                .iter()
                .filter(|(k, _)| *k == Kind::Run)
                .filter_map(|(_, n)| self.repair_run(&src, *n))
                .collect()
        };
        let forgiven = |e: &Range<usize>| {
            repaired
                .iter()
                .any(|(_, body, _)| body.start <= e.start && e.end <= body.end)
        };

        let mut state = State::default();
        let mut stage_idx: Option<usize> = None;
        for (kind, node) in nodes {
            let repair = repaired
                .iter()
                .find(|(start, _, _)| *start == node.start_byte());
            let range = match repair {
                Some((_, _, whole)) => whole.clone(),
                None => node.byte_range(),
            };
            let near_error = (node.has_error() && repair.is_none())
                || self
                    .error_ranges
                    .iter()
                    .any(|e| e.start <= range.end + 1 && range.start <= e.end + 1 && !forgiven(e));
            let mut ins = Instruction {
                kind,
                range: trim_end_range(&src, range.clone()),
                flags: Vec::new(),
                mounts: Vec::new(),
                pairs: Vec::new(),
                args: Vec::new(),
                run: None,
                copy: None,
                stage: stage_idx,
                state: state.clone(),
                near_error,
            };
            self.read_flags(&src, node, &mut ins);
            match kind {
                Kind::From => {
                    let index = self.stages.len();
                    if let Some(prev) = stage_idx {
                        self.stages[prev].end_state = state.clone();
                        self.stages[prev].body.end = self.instructions.len();
                    }
                    let stage = self.read_from(&src, node, index, &ins);
                    state = self.initial_state(&stage, options);
                    ins.stage = Some(index);
                    stage_idx = Some(index);
                    self.stages.push(stage);
                    let body_start = self.instructions.len() + 1;
                    self.stages[index].body = body_start..body_start;
                }
                Kind::Env | Kind::Arg => {
                    self.read_pairs(&src, node, &mut ins);
                    for p in &ins.pairs {
                        match (kind, stage_idx) {
                            (Kind::Arg, None) => {
                                let v = options.build_args.get(&p.name).cloned().or_else(|| {
                                    p.value
                                        .as_ref()
                                        .map(|v| self.expand_global(v).unwrap_or_else(|| v.clone()))
                                });
                                self.global_args.insert(p.name.clone(), v);
                            }
                            (Kind::Arg, Some(_)) => {
                                // `ARG NAME` re-declares a global ARG and takes its value.
                                let v = options
                                    .build_args
                                    .get(&p.name)
                                    .cloned()
                                    .or_else(|| p.value.as_ref().and_then(|v| state.expand(v)))
                                    .or_else(|| self.global_args.get(&p.name).cloned().flatten());
                                state.args.insert_mut(p.name.clone(), v);
                            }
                            (_, _) => {
                                let v = p.value.clone().unwrap_or_default();
                                let v = state.expand(&v).unwrap_or(v);
                                state.env.insert_mut(p.name.clone(), v);
                            }
                        }
                    }
                }
                Kind::Workdir => {
                    ins.args = path_words(&src, node);
                    if let Some(w) = ins.args.first() {
                        state.workdir = match (&state.workdir, state.expand(&w.text)) {
                            (_, Some(p)) if p.starts_with('/') => Some(join_path("/", &p)),
                            (Some(base), Some(p)) => Some(join_path(base, &p)),
                            _ => None,
                        };
                    }
                }
                Kind::User => {
                    let raw = text(&src, node);
                    let user = raw.split_whitespace().nth(1).map(str::to_string);
                    if let Some(u) = &user {
                        ins.args.push(Word {
                            text: u.clone(),
                            range: range.clone(),
                        });
                    }
                    state.user = user.map(|u| state.expand(&u).unwrap_or(u));
                }
                Kind::Run => ins.run = Some(self.read_run(&src, node, repair.map(|r| r.1.clone()))),
                Kind::Copy | Kind::Add => ins.copy = Some(read_copy(&src, node, &ins.flags)),
                Kind::Shell | Kind::Onbuild | Kind::Cmd | Kind::Entrypoint => {}
            }
            self.instructions.push(ins);
        }
        if let Some(prev) = stage_idx {
            self.stages[prev].end_state = state;
            self.stages[prev].body.end = self.instructions.len();
        }
        self.read_runtime_go(&src);
    }

    /// The go commands a stage's container runs (`CMD ["go", "run", "."]`, `ENTRYPOINT go test`):
    /// the last ENTRYPOINT's, else the last CMD's, else those of the stage it is FROM.
    fn read_runtime_go(&mut self, src: &str) {
        let root = self.tree.root_node();
        let mut cursor = root.walk();
        // (stage, is entrypoint, the instruction with its go commands) in source order.
        let mut found: Vec<(usize, bool, Instruction)> = Vec::new();
        for node in root.named_children(&mut cursor) {
            let entrypoint = match node.kind() {
                "cmd_instruction" => false,
                "entrypoint_instruction" => true,
                _ => continue,
            };
            let Some(stage) = self
                .stages
                .iter()
                .rev()
                .find(|s| self.instructions[s.from].range.start < node.start_byte())
                .map(|s| s.index)
            else {
                continue;
            };
            let mut run = if node.has_error() {
                None
            } else {
                Some(self.read_run(src, node, None))
            };
            for g in run.iter_mut().flat_map(|r| r.go.iter_mut()) {
                g.runtime = true;
            }
            let ins = Instruction {
                kind: if entrypoint {
                    Kind::Entrypoint
                } else {
                    Kind::Cmd
                },
                range: node.start_byte()..node.end_byte(),
                flags: Vec::new(),
                mounts: Vec::new(),
                pairs: Vec::new(),
                args: Vec::new(),
                run,
                copy: None,
                stage: Some(stage),
                state: self.stages[stage].end_state.clone(),
                near_error: node.has_error(),
            };
            found.push((stage, entrypoint, ins));
        }
        for i in 0..self.stages.len() {
            let own = found
                .iter()
                .rev()
                .find(|(s, e, _)| *s == i && *e)
                .or_else(|| found.iter().rev().find(|(s, _, _)| *s == i));
            let ins = match (own, self.stages[i].parent) {
                (Some((_, _, ins)), _) => Some(Box::new(ins.clone())),
                (None, Some(p)) => self.stages[p].runtime_ins.clone(),
                (None, None) => None,
            };
            self.stages[i].runtime_go = ins
                .as_ref()
                .and_then(|i| i.run.as_ref())
                .map(|r| r.go.clone())
                .unwrap_or_default();
            self.stages[i].runtime_ins = ins;
        }
    }

    fn read_flags(&self, src: &str, node: Node, ins: &mut Instruction) {
        let q = queries::queries();
        let mut cursor = QueryCursor::new();
        // Flags are children of the instruction; an ONBUILD trigger's own flags are deeper.
        cursor.set_max_start_depth(Some(1));
        let mut caps = cursor.captures(&q.flags, node, src.as_bytes());
        while let Some((m, i)) = caps.next() {
            let c = m.captures[*i];
            if c.node.parent().map(|p| p.id()) != Some(node.id()) {
                continue;
            }
            let raw = text(src, c.node);
            let body = raw.trim_start_matches('-');
            let (name, value) = body.split_once('=').unwrap_or((body, ""));
            if q.flags.capture_names()[c.index as usize] == "mount" {
                let options = value
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap_or((kv, "true"));
                        (k.trim().to_ascii_lowercase(), unquote(v))
                    })
                    .collect();
                ins.mounts.push(Mount {
                    options,
                    range: c.node.byte_range(),
                });
            } else {
                ins.flags.push(Flag {
                    name: name.to_ascii_lowercase(),
                    value: unquote(value),
                    range: c.node.byte_range(),
                });
            }
        }
    }

    fn read_pairs(&self, src: &str, node: Node, ins: &mut Instruction) {
        let q = queries::queries();
        let mut cursor = QueryCursor::new();
        cursor.set_max_start_depth(Some(1));
        let mut matches = cursor.matches(&q.env_pairs, node, src.as_bytes());
        let names = q.env_pairs.capture_names();
        while let Some(m) = matches.next() {
            let mut pair: Option<Node> = None;
            let mut name: Option<Node> = None;
            let mut value: Option<Range<usize>> = None;
            for c in m.captures {
                match names[c.index as usize] {
                    "pair" => pair = Some(c.node),
                    "name" => name = Some(c.node),
                    "value" => {
                        let r = c.node.byte_range();
                        value = Some(match value {
                            Some(v) => v.start.min(r.start)..v.end.max(r.end),
                            None => r,
                        });
                    }
                    _ => {}
                }
            }
            let (Some(pair), Some(name)) = (pair, name) else {
                continue;
            };
            if pair.parent().map(|p| p.id()) != Some(node.id()) {
                continue;
            }
            let legacy = !text(src, pair).contains('=')
                || src[name.end_byte()..pair.end_byte()]
                    .chars()
                    .next()
                    .is_some_and(char::is_whitespace);
            ins.pairs.push(Pair {
                name: text(src, name).to_string(),
                value: value.clone().map(|r| unquote(&src[r])),
                range: pair.byte_range(),
                value_range: value,
                legacy,
            });
        }
        ins.pairs.sort_by_key(|p| p.range.start);
        ins.pairs.dedup_by_key(|p| p.range.start);
    }

    fn read_from(&self, src: &str, node: Node, index: usize, ins: &Instruction) -> Stage {
        let q = queries::queries();
        let mut cursor = QueryCursor::new();
        cursor.set_max_start_depth(Some(0));
        let mut image = Image::default();
        let mut alias = None;
        let mut matches = cursor.matches(&q.from, node, src.as_bytes());
        let names = q.from.capture_names();
        while let Some(m) = matches.next() {
            for c in m.captures {
                let t = text(src, c.node).to_string();
                match names[c.index as usize] {
                    "image" => {
                        image.raw = t;
                        image.range = c.node.byte_range();
                    }
                    "image.name" => image.name = t,
                    "image.tag" => {
                        image.tag = Some(t.trim_start_matches(':').to_string());
                        image.tag_range = Some(c.node.start_byte() + 1..c.node.end_byte());
                    }
                    "image.digest" => image.digest = Some(t.trim_start_matches('@').to_string()),
                    "alias" => alias = Some(t),
                    _ => {}
                }
            }
        }
        image.expanded = self.expand_global(&image.raw);
        let parent = image
            .expanded
            .as_deref()
            .and_then(|e| self.stage_by_ref(e, index))
            .filter(|_| !image.raw.contains(':') && !image.raw.contains('@'));
        let golang = match parent {
            Some(p) => self.stages[p].golang,
            None => image
                .expanded
                .as_deref()
                .is_some_and(|e| self.is_golang_image(image_name(e))),
        };
        let windows = match parent {
            Some(p) => self.stages[p].windows,
            None => image.expanded.as_deref().is_some_and(|e| {
                let e = e.to_ascii_lowercase();
                e.contains("windowsservercore")
                    || e.contains("nanoserver")
                    || e.contains("/windows/")
            }),
        };
        Stage {
            index,
            windows,
            from: self.instructions.len(),
            image,
            alias,
            parent,
            body: 0..0,
            golang,
            platform: ins.flag("platform").map(|f| f.value.clone()),
            end_state: State::default(),
            runtime_go: Vec::new(),
            runtime_ins: None,
        }
    }

    /// A shell-form RUN with parse errors that is still one instruction whose body is good
    /// shell: (node start, body, instruction range). Every error from its shell text to the end
    /// of its logical line must lie in the body, and tree-sitter-bash must parse the body.
    fn repair_run(&self, src: &str, node: Node) -> Option<(usize, Range<usize>, Range<usize>)> {
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        if children.iter().any(|c| {
            matches!(
                c.kind(),
                "json_string_array" | "heredoc_block" | "heredoc_marker"
            )
        }) {
            return None;
        }
        let shell = children.iter().find(|c| c.kind() == "shell_command")?;
        let end = logical_line_end(src, node.start_byte(), self.escape);
        let body = shell.start_byte()..end;
        let touching: Vec<&Range<usize>> = self
            .error_ranges
            .iter()
            .filter(|e| node.start_byte() <= e.start && e.start <= end)
            .collect();
        if touching.is_empty()
            || !touching
                .iter()
                .all(|e| body.start <= e.start && e.end <= body.end)
            || !shell::parses_cleanly(
                src,
                body.clone(),
                shell::Mode::Dockerfile {
                    escape: self.escape,
                },
            )
        {
            return None;
        }
        Some((node.start_byte(), body, node.start_byte()..end))
    }

    fn read_run(&self, src: &str, node: Node, repaired_body: Option<Range<usize>>) -> Run {
        if let Some(body) = repaired_body {
            let commands = shell::split_commands(
                src,
                body,
                shell::Mode::Dockerfile {
                    escape: self.escape,
                },
            );
            return finish_run(RunForm::Shell, commands);
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.named_children(&mut cursor).collect();
        let mut commands = Vec::new();
        let mut form = RunForm::Shell;
        for child in &children {
            match child.kind() {
                "json_string_array" => {
                    form = RunForm::Exec;
                    let mut c2 = child.walk();
                    let words: Vec<Word> = child
                        .named_children(&mut c2)
                        .filter(|n| n.kind() == "json_string")
                        .map(|n| Word {
                            text: json_unquote(text(src, n)),
                            range: n.byte_range(),
                        })
                        .collect();
                    if !words.is_empty() {
                        // `["sh", "-c", "script"]`: the script is shell.
                        if words.len() >= 3
                            && matches!(
                                words[0].text.as_str(),
                                "sh" | "/bin/sh" | "bash" | "/bin/bash"
                            )
                            && words[1].text == "-c"
                        {
                            let w = &words[2];
                            let inner = (w.range.start + 1)..(w.range.end - 1);
                            commands.extend(shell::split_commands(src, inner, shell::Mode::Json));
                        } else {
                            commands.push(shell::Command {
                                assignments: Vec::new(),
                                range: words[0].range.start..words[words.len() - 1].range.end,
                                words,
                                conditional: false,
                            });
                        }
                    }
                }
                "shell_command" => {
                    let range = child.byte_range();
                    let is_heredoc_marker = {
                        let mut c3 = child.walk();
                        child
                            .named_children(&mut c3)
                            .any(|n| n.kind() == "heredoc_marker")
                    };
                    if !is_heredoc_marker {
                        commands.extend(shell::split_commands(
                            src,
                            range,
                            shell::Mode::Dockerfile {
                                escape: self.escape,
                            },
                        ));
                    }
                }
                "heredoc_block" => {
                    form = RunForm::Heredoc;
                    let mut c3 = child.walk();
                    for content in child
                        .named_children(&mut c3)
                        .filter(|n| n.kind() == "heredoc_content")
                    {
                        commands.extend(shell::split_commands(
                            src,
                            content.byte_range(),
                            shell::Mode::Script,
                        ));
                    }
                }
                _ => {}
            }
        }
        finish_run(form, commands)
    }
}

/// The RUN model from its commands: follow `cd DIR` so each go command knows where it runs.
fn finish_run(form: RunForm, commands: Vec<shell::Command>) -> Run {
    {
        let mut cd: Option<String> = None;
        let mut go = Vec::new();
        for c in &commands {
            if c.words.first().is_some_and(|w| w.text == "cd") {
                let target = c.words.get(1).map_or("~", |w| w.text.as_str());
                cd = Some(match (&cd, target.starts_with('/')) {
                    (Some(prev), false) => format!("{}/{target}", prev.trim_end_matches('/')),
                    _ => target.to_string(),
                });
                continue;
            }
            go.extend(GoCommand::from_command(c, cd.as_deref()));
        }
        Run { form, commands, go }
    }
}

fn json_unquote(raw: &str) -> String {
    serde_json::from_str::<String>(raw).unwrap_or_else(|_| unquote(raw))
}

fn trim_end_range(src: &str, range: Range<usize>) -> Range<usize> {
    let t = src[range.clone()].trim_end_matches(['\r', '\n']);
    range.start..range.start + t.len()
}

fn path_words(src: &str, node: Node) -> Vec<Word> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| n.kind() == "path")
        .map(|n| Word {
            text: unquote(text(src, n)),
            range: n.byte_range(),
        })
        .collect()
}

/// The one place COPY/ADD words are read: shell-form paths, JSON-form strings and heredocs; the
/// last word is the destination. Everything else asks the resulting [`Copy`].
fn read_copy(src: &str, node: Node, flags: &[Flag]) -> Copy {
    let mut cursor = node.walk();
    let mut words: Vec<Word> = Vec::new();
    let mut heredoc = false;
    for n in node.named_children(&mut cursor) {
        match n.kind() {
            "path" => {
                let t = text(src, n);
                if t.starts_with("<<") {
                    heredoc = true;
                }
                words.push(Word {
                    text: unquote(t),
                    range: n.byte_range(),
                });
            }
            "json_string_array" => {
                let mut c2 = n.walk();
                words.extend(
                    n.named_children(&mut c2)
                        .filter(|s| s.kind() == "json_string")
                        .map(|s| Word {
                            text: json_unquote(text(src, s)),
                            range: s.byte_range(),
                        }),
                );
            }
            "heredoc_block" => heredoc = true,
            _ => {}
        }
    }
    let dest = words.pop();
    Copy {
        from: flags
            .iter()
            .find(|f| f.name == "from")
            .map(|f| f.value.clone()),
        sources: words,
        dest,
        heredoc,
        parents: flags.iter().any(|f| f.name == "parents"),
    }
}
