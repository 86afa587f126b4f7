//! The Dockerfile model: the types every rule reads (a [`Dockerfile`] of [`Stage`]s and
//! [`Instruction`]s, each with its flags, mounts, ENV/ARG pairs, RUN and COPY), and the lookups
//! over them (stages by name, the final stage). Built by [`super::lower`].

use std::collections::BTreeMap;
use std::ops::Range;

use tree_sitter::Tree;

use super::go::GoCommand;
use super::shell::{self, Word};
use super::state::State;

/// The instructions the model reads (LABEL, EXPOSE… are not kept; CMD and ENTRYPOINT only as
/// [`Stage::runtime_ins`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    From,
    Run,
    Copy,
    Add,
    Env,
    Arg,
    Workdir,
    User,
    Shell,
    Onbuild,
    /// Only in [`Stage::runtime_ins`], never in [`Dockerfile::instructions`].
    Cmd,
    Entrypoint,
}

/// `--name=value` on an instruction.
#[derive(Debug, Clone)]
pub struct Flag {
    pub name: String,
    pub value: String,
    pub range: Range<usize>,
}

/// `--mount=type=cache,target=/go/pkg/mod,…` on a RUN.
#[derive(Debug, Clone)]
pub struct Mount {
    pub options: Vec<(String, String)>,
    pub range: Range<usize>,
}

impl Mount {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// The mount type; BuildKit's default is `bind`.
    pub fn kind(&self) -> &str {
        self.get("type").unwrap_or("bind")
    }
    pub fn target(&self) -> Option<&str> {
        self.get("target")
            .or_else(|| self.get("dst"))
            .or_else(|| self.get("destination"))
    }
}

/// A `NAME=value` (or legacy `NAME value`) pair of ENV or ARG.
#[derive(Debug, Clone)]
pub struct Pair {
    pub name: String,
    /// The value with quotes removed; `None` for `ARG NAME` without default.
    pub value: Option<String>,
    pub range: Range<usize>,
    pub value_range: Option<Range<usize>>,
    /// `ENV key value` (space form), which cannot hold a second pair.
    pub legacy: bool,
}

/// How a RUN gives its commands: shell form, JSON exec form, or a heredoc script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunForm {
    Shell,
    Exec,
    Heredoc,
}

/// What a RUN executes.
#[derive(Debug, Clone)]
pub struct Run {
    pub form: RunForm,
    pub commands: Vec<shell::Command>,
    pub go: Vec<GoCommand>,
}

/// A COPY or ADD, parsed once when the model is built (shell and JSON forms, heredocs): every
/// reader of COPY sources, destinations and `--from` goes through this, not the text.
#[derive(Debug, Clone)]
pub struct Copy {
    /// `--from=` value: another stage or an image. `None` copies from the build context.
    pub from: Option<String>,
    /// The sources as written (quotes removed, variables not expanded), each with its range.
    pub sources: Vec<Word>,
    /// The last word: where the sources go. `None` when the instruction has no words.
    pub dest: Option<Word>,
    /// Sources are given inline as a heredoc (`COPY <<EOF /file`).
    pub heredoc: bool,
    /// `--parents`: each source keeps its context path under the destination.
    pub parents: bool,
}

impl Copy {
    /// Whether the sources come from the build context (no `--from`, not a heredoc).
    pub fn from_context(&self) -> bool {
        self.from.is_none() && !self.heredoc
    }

    /// The sources taken from the build context and named literally: no variable, glob, brace
    /// or URL, so each is one context path as written.
    pub fn literal_sources(&self) -> impl Iterator<Item = &Word> {
        self.sources
            .iter()
            .filter(|w| self.from_context() && is_literal_path(&w.text))
    }

    /// Whether the destination is a folder the sources go into (`./`, `.`, `dir/.`, or several
    /// sources), rather than the path of the one file copied.
    pub fn dest_is_dir(&self) -> bool {
        self.dest.as_ref().is_some_and(|dest| {
            dest.text.ends_with('/')
                || self.sources.len() > 1
                || dest.text == "."
                || dest.text.ends_with("/.")
        })
    }
}

/// A COPY source that names one path as written: no variable, glob, brace or URL.
pub fn is_literal_path(text: &str) -> bool {
    !(text.contains(['$', '*', '?', '[', '{']) || text.contains("://"))
}

/// One instruction of the file.
#[derive(Debug, Clone)]
pub struct Instruction {
    pub kind: Kind,
    /// Byte range of the instruction (without the final line ending).
    pub range: Range<usize>,
    pub flags: Vec<Flag>,
    pub mounts: Vec<Mount>,
    /// ENV/ARG pairs.
    pub pairs: Vec<Pair>,
    /// Plain arguments (WORKDIR path, USER, SHELL…), quotes removed.
    pub args: Vec<Word>,
    pub run: Option<Run>,
    pub copy: Option<Copy>,
    /// Index of the stage, `None` for ARGs before the first FROM.
    pub stage: Option<usize>,
    /// State just before this instruction runs.
    pub state: State,
    /// The instruction contains or touches a parse error: rules must not edit it.
    pub near_error: bool,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }
}

/// An image reference of a FROM line.
#[derive(Debug, Clone, Default)]
pub struct Image {
    /// As written.
    pub raw: String,
    /// After expanding ARGs declared before the first FROM; `None` if an ARG has no default.
    pub expanded: Option<String>,
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
    pub range: Range<usize>,
    pub tag_range: Option<Range<usize>>,
}

/// One build stage.
#[derive(Debug, Clone)]
pub struct Stage {
    pub index: usize,
    /// Index of the FROM instruction in `Dockerfile::instructions`.
    pub from: usize,
    pub image: Image,
    pub alias: Option<String>,
    /// The stage this one is FROM, when it names an earlier stage.
    pub parent: Option<usize>,
    /// Instruction indices of the stage, FROM excluded.
    pub body: Range<usize>,
    /// Whether the base is an official-style golang image (directly or through `parent`).
    pub golang: bool,
    /// `--platform=` on the FROM line.
    pub platform: Option<String>,
    /// A Windows base image (servercore, nanoserver): Linux-specific advice does not apply.
    pub windows: bool,
    /// The state after the stage's last instruction.
    pub end_state: State,
    /// Go commands the stage's container runs at run time (CMD/ENTRYPOINT), each with
    /// `runtime` set: a module cache mounted only at build time is absent there, and GOENV,
    /// GOFLAGS and friends come from the image's ENV alone. Not part of any RUN.
    pub runtime_go: Vec<GoCommand>,
    /// The CMD or ENTRYPOINT that [`Self::runtime_go`] comes from, as an instruction whose
    /// state is the one the container starts with (the stage's final state) and whose RUN
    /// model holds those go commands. Not in [`Dockerfile::instructions`]: rules see it only
    /// when they ask for start-time go commands.
    pub runtime_ins: Option<Box<Instruction>>,
}

/// A parsed Dockerfile with its model.
#[derive(Debug, Clone)]
pub struct Dockerfile {
    pub source: String,
    pub tree: Tree,
    pub escape: char,
    /// `"\r\n"` when the file uses CRLF line endings, else `"\n"`.
    pub newline: &'static str,
    pub instructions: Vec<Instruction>,
    pub stages: Vec<Stage>,
    /// ARGs declared before the first FROM (visible only to FROM lines).
    pub global_args: BTreeMap<String, Option<String>>,
    pub error_ranges: Vec<Range<usize>>,
    /// Image repositories treated as official golang images (the last path component `golang`
    /// always is).
    pub golang_images: Vec<String>,
}

/// Settings that change how the model is built.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Values of build args (from compose/bake/config), which override ARG defaults.
    pub build_args: BTreeMap<String, String>,
    /// Extra image repositories to treat as golang images (mirrors).
    pub golang_images: Vec<String>,
}

impl Dockerfile {
    pub fn error_count(&self) -> usize {
        self.error_ranges.len()
    }

    /// A stage, then the stage it is FROM, and so on up to the one built on an image.
    pub fn stage_chain<'a>(&'a self, stage: &'a Stage) -> impl Iterator<Item = &'a Stage> + 'a {
        std::iter::successors(Some(stage), |s| s.parent.map(|p| &self.stages[p]))
    }

    /// The stage a name (alias) or index refers to, as `--from=` and `FROM` use them.
    pub fn stage_by_ref(&self, reference: &str, before: usize) -> Option<usize> {
        let lower = reference.to_ascii_lowercase();
        self.stages[..before.min(self.stages.len())]
            .iter()
            .rev()
            .find(|s| s.alias.as_deref().map(str::to_ascii_lowercase) == Some(lower.clone()))
            .map(|s| s.index)
            .or_else(|| {
                reference
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i < before.min(self.stages.len()))
            })
    }

    /// The final stage: the one named by `target` or the last.
    pub fn final_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(t) => self
                .stage_by_ref(t, self.stages.len())
                .map(|i| &self.stages[i]),
            None => self.stages.last(),
        }
    }

    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        &self.instructions[stage.body.clone()]
    }

    /// Whether any stage runs the go command.
    pub fn runs_go(&self) -> bool {
        self.instructions
            .iter()
            .any(|i| i.run.as_ref().is_some_and(|r| !r.go.is_empty()))
    }

    pub(super) fn is_golang_image(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        name.rsplit('/').next() == Some("golang") || self.golang_images.contains(&name)
    }
}

/// Image repository without registry-port confusion: `golang` of `docker.io/library/golang:1.22`.
pub fn image_name(reference: &str) -> &str {
    let no_digest = reference.split('@').next().unwrap_or(reference);
    let last_slash = no_digest.rfind('/').map_or(0, |p| p + 1);
    match no_digest[last_slash..].find(':') {
        Some(c) => &no_digest[..last_slash + c],
        None => no_digest,
    }
}
