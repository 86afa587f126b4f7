//! The go commands a RUN invokes: `go build`, `go mod download`, `go env -w`, …

use std::ops::Range;

use super::shell::{Assignment, Command, Word};

/// One invocation of the go command.
#[derive(Debug, Clone)]
pub struct GoCommand {
    /// The subcommand, with its second word for `mod`, `env`-less families: `build`,
    /// `mod download`, `work sync`, `env`.
    pub sub: String,
    /// `K=V` assignments in front of the command (`CGO_ENABLED=0 go build`).
    pub assignments: Vec<Assignment>,
    /// All words, `go` included.
    pub words: Vec<Word>,
    /// Number of words that make up `go <sub>` (2 or 3).
    pub head_len: usize,
    /// The directory a `cd` earlier in the same RUN moved to (as written, maybe relative).
    pub cd: Option<String>,
    pub range: Range<usize>,
    /// Where a go command found through make or a script comes from (`via make build,
    /// Makefile:12`, `via scripts/build.sh:7`); `None` when the RUN itself runs it. The ranges of
    /// such a command are those of the `make`/script command in the Dockerfile.
    pub via: Option<String>,
    /// Run by the container (CMD/ENTRYPOINT, in `Stage::runtime_go`), not while building.
    pub runtime: bool,
    /// Runs only under a condition (`if [ ! -f app ]; then go build …; fi`, `… || go build`).
    pub conditional: bool,
}

impl GoCommand {
    /// Recognise `go …` (also `/usr/local/go/bin/go …`) in a simple command.
    pub fn from_command(cmd: &Command, cd: Option<&str>) -> Option<GoCommand> {
        let first = cmd.words.first()?;
        if first.text != "go" && !first.text.ends_with("/go") {
            return None;
        }
        let second = cmd.words.get(1)?;
        let (sub, head_len) = match second.text.as_str() {
            "mod" | "work" | "tool" => match cmd.words.get(2) {
                Some(w) if !w.text.starts_with('-') => (format!("{} {}", second.text, w.text), 3),
                _ => (second.text.clone(), 2),
            },
            s => (s.to_string(), 2),
        };
        Some(GoCommand {
            sub,
            assignments: cmd.assignments.clone(),
            words: cmd.words.clone(),
            head_len,
            cd: cd.map(str::to_string),
            range: cmd.range.clone(),
            via: None,
            runtime: false,
            conditional: cmd.conditional,
        })
    }

    /// The working directory of this command: the RUN's WORKDIR moved by any `cd` before it.
    pub fn workdir(&self, workdir: Option<&str>) -> Option<String> {
        match (&self.cd, workdir) {
            (None, w) => w.map(str::to_string),
            (Some(cd), _) if cd.starts_with('/') => Some(super::join_path("/", cd)),
            (Some(cd), Some(w)) => Some(super::join_path(w, cd)),
            (Some(_), None) => None,
        }
    }

    /// Words after `go <sub>`.
    pub fn rest(&self) -> &[Word] {
        &self.words[self.head_len.min(self.words.len())..]
    }

    /// The value of a flag given as `-name=value` or `-name value` (one or two dashes).
    pub fn flag_value(&self, name: &str) -> Option<(&str, Range<usize>)> {
        let rest = self.rest();
        for (i, w) in rest.iter().enumerate() {
            let t = w.text.trim_start_matches('-');
            if !w.text.starts_with('-') {
                continue;
            }
            if let Some(v) = t.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
                return Some((v, w.range.clone()));
            }
            if t == name
                && let Some(next) = rest.get(i + 1)
            {
                return Some((&next.text, w.range.start..next.range.end));
            }
        }
        None
    }

    /// The `-mod=` mode given on the command line.
    pub fn mod_flag(&self) -> Option<(&str, Range<usize>)> {
        self.flag_value("mod")
    }

    /// Whether this command loads the main module's dependencies (and so needs go.mod).
    /// `go mod download module@version` fetches named modules and needs none.
    pub fn needs_module(&self) -> bool {
        if self.sub == "mod download"
            && self
                .rest()
                .iter()
                .any(|w| !w.text.starts_with('-') && w.text.contains('@'))
        {
            return false;
        }
        matches!(
            self.sub.as_str(),
            "build"
                | "install"
                | "test"
                | "run"
                | "vet"
                | "generate"
                | "list"
                | "mod download"
                | "mod vendor"
                | "mod tidy"
                | "mod verify"
                | "mod graph"
                | "mod why"
                | "get"
        ) && !self.is_install_at_version()
    }

    /// `go install pkg@version` runs outside the main module.
    pub fn is_install_at_version(&self) -> bool {
        (self.sub == "install" || self.sub == "run")
            && self
                .rest()
                .iter()
                .any(|w| !w.text.starts_with('-') && w.text.contains('@'))
    }

    /// Commands that benefit from the module and build cache mounts.
    pub fn wants_cache(&self) -> bool {
        matches!(
            self.sub.as_str(),
            "mod download" | "mod vendor" | "build" | "install" | "test" | "generate"
        )
    }

    /// Commands that honour `-mod=`.
    pub fn takes_mod_flag(&self) -> bool {
        matches!(
            self.sub.as_str(),
            "build" | "install" | "test" | "run" | "vet" | "list"
        ) && !self.is_install_at_version()
    }
}
