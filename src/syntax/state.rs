//! The state in effect at each instruction (WORKDIR, ENV, ARG, USER, and the go directories that
//! follow from them), where a stage's state starts, and `$VAR` expansion.

use super::model::{Dockerfile, ParseOptions, Stage, image_name};

/// A persistent (structurally shared) map: every instruction keeps the state in effect at it, and
/// cloning a persistent map is O(1), so a file with thousands of ENV lines stays linear.
pub type EnvMap<V> = rpds::RedBlackTreeMapSync<String, V>;

/// The state in effect when an instruction runs.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// Absolute working directory, `None` when it cannot be known (unknown base image).
    pub workdir: Option<String>,
    /// Environment from the base image (when known) and ENV instructions.
    pub env: EnvMap<String>,
    /// ARGs declared in this stage, with their default (or value from build args).
    pub args: EnvMap<Option<String>>,
    /// USER in effect; `None` means the image default (root for every image gomodfix knows).
    pub user: Option<String>,
    /// Whether the base image's environment is known (golang, scratch, or a stage of this file).
    pub base_known: bool,
}

impl State {
    /// Expand `$NAME` and `${NAME}` (with `:-`/`-` defaults) from ENV and ARG; `None` if a
    /// referenced variable is unknown.
    pub fn expand(&self, text: &str) -> Option<String> {
        expand_with(text, &|name| {
            self.env
                .get(name)
                .cloned()
                .or_else(|| self.args.get(name).cloned().flatten())
        })
    }

    pub fn is_root(&self) -> bool {
        match self.user.as_deref() {
            None => true,
            Some(u) => {
                let user = u.split(':').next().unwrap_or(u);
                user == "root" || user == "0"
            }
        }
    }

    /// HOME as the go command sees it: ENV HOME, or /root for root on a known image.
    pub fn home(&self) -> Option<String> {
        if let Some(h) = self.env.get("HOME") {
            return Some(h.clone());
        }
        (self.base_known && self.is_root()).then(|| "/root".to_string())
    }

    /// An environment variable as the go command reads it: empty is the same as unset.
    fn go_env(&self, name: &str) -> Option<&String> {
        self.env.get(name).filter(|v| !v.is_empty())
    }

    /// The module cache directory (GOMODCACHE, or $GOPATH/pkg/mod; GOPATH defaults to $HOME/go).
    pub fn gomodcache(&self) -> Option<String> {
        if let Some(c) = self.go_env("GOMODCACHE") {
            return Some(c.clone());
        }
        let gopath = match self.go_env("GOPATH") {
            Some(p) => p.split(':').next()?.to_string(),
            None => format!("{}/go", self.home()?.trim_end_matches('/')),
        };
        Some(format!("{}/pkg/mod", gopath.trim_end_matches('/')))
    }

    /// The build cache directory (GOCACHE, or $HOME/.cache/go-build; XDG_CACHE_HOME wins over HOME).
    pub fn gocache(&self) -> Option<String> {
        if let Some(c) = self.go_env("GOCACHE") {
            return Some(c.clone());
        }
        if let Some(x) = self.go_env("XDG_CACHE_HOME") {
            return Some(format!("{}/go-build", x.trim_end_matches('/')));
        }
        Some(format!(
            "{}/.cache/go-build",
            self.home()?.trim_end_matches('/')
        ))
    }
}

/// `$NAME`/`${NAME}`/`${NAME:-default}` expansion with a lookup; `None` when a name is unknown.
pub fn expand_with(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            let close = inner.find('}')?;
            let expr = &inner[..close];
            let (name, default) = match expr.find(":-").or_else(|| expr.find('-')) {
                Some(i) => {
                    let skip = if expr[i..].starts_with(":-") { 2 } else { 1 };
                    (&expr[..i], Some(&expr[i + skip..]))
                }
                None => (expr, None),
            };
            match (lookup(name), default) {
                (Some(v), _) if !v.is_empty() => out.push_str(&v),
                (_, Some(d)) => out.push_str(d),
                (Some(v), None) => out.push_str(&v),
                (None, None) => return None,
            }
            rest = &inner[close + 1..];
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&lookup(&after[..len])?);
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

impl Dockerfile {
    pub(super) fn expand_global(&self, text: &str) -> Option<String> {
        expand_with(text, &|name| self.global_args.get(name).cloned().flatten())
    }

    /// The state a stage starts with: its parent stage's end state (without its ARGs), or what
    /// a known base image (scratch, golang) sets.
    pub(super) fn initial_state(&self, stage: &Stage, options: &ParseOptions) -> State {
        if let Some(parent) = stage.parent {
            let mut s = self.stages[parent].end_state.clone();
            s.args = EnvMap::new_sync();
            return s;
        }
        let mut s = State::default();
        let name = stage.image.expanded.as_deref().map(image_name);
        match name {
            Some(n) if n.eq_ignore_ascii_case("scratch") => {
                s.workdir = Some("/".into());
                s.base_known = true;
            }
            Some(n) if self.is_golang_image(n) => {
                s.workdir = Some("/go".into());
                s.base_known = true;
                s.env.insert_mut("GOPATH".into(), "/go".into());
                s.env.insert_mut("GOTOOLCHAIN".into(), "local".into());
                s.env.insert_mut(
                    "PATH".into(),
                    "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
                );
            }
            _ => {}
        }
        let _ = options;
        s
    }
}
