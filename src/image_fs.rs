//! Which context files a stage's COPY/ADD instructions bring into the image, and where; and which
//! a RUN's `--mount=type=bind` (from the context) shows to that RUN alone.
//!
//! Built from the model and the context listing (both pure), so rules can ask "is go.mod in this
//! RUN's working directory?" or "where does vendor/ land?" without touching the disk.

use crate::context::{Context, EntryKind, context_rel, join_rel, split_dir};
use crate::syntax::{Dockerfile, Kind, Stage, join_path};

/// One COPY'd path: context path → image path.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// Index of the COPY/ADD instruction in `Dockerfile::instructions`.
    pub instruction: usize,
    /// Context-relative source (`""` for the whole context).
    pub context_path: String,
    /// Absolute destination in the image.
    pub image_path: String,
    /// A directory whose contents are copied into `image_path`.
    pub dir: bool,
    /// A RUN's bind mount: there for that RUN only, and not in the image.
    pub mount: bool,
}

impl Mapping {
    /// Whether the mapping is in place when instruction `at` runs.
    pub fn visible_at(&self, at: usize) -> bool {
        if self.mount {
            self.instruction == at
        } else {
            self.instruction < at
        }
    }
}

/// The context files a stage (and the stages it is FROM) copied, in order.
#[derive(Debug, Clone, Default)]
pub struct StageFiles {
    pub mappings: Vec<Mapping>,
    /// Some COPY could not be resolved (unknown WORKDIR, variables, unknown sources): absence
    /// of a file proves nothing.
    pub uncertain: bool,
    /// Destinations of `COPY --from=…` (another stage, an image, a named build context):
    /// (instruction, absolute image path). What lands there is not known.
    pub foreign: Vec<(usize, String)>,
}

impl StageFiles {
    pub fn new(df: &Dockerfile, stage: &Stage, ctx: &Context) -> StageFiles {
        let mut files = match stage.parent {
            Some(p) => StageFiles::new(df, &df.stages[p], ctx),
            None => StageFiles::default(),
        };
        for idx in stage.body.clone() {
            let ins = &df.instructions[idx];
            if ins.kind == Kind::Run {
                files.add_bind_mounts(idx, ins, ctx);
                continue;
            }
            if !matches!(ins.kind, Kind::Copy | Kind::Add) {
                continue;
            }
            let Some(copy) = &ins.copy else { continue };
            if copy.heredoc {
                continue;
            }
            let Some(dest) = &copy.dest else { continue };
            let dest_abs = match (&ins.state.workdir, ins.state.expand(&dest.text)) {
                // Normalised: `/go/src/app/` and `/go/src/app` are one folder.
                (_, Some(d)) if d.starts_with('/') => join_path("/", &d),
                (Some(w), Some(d)) => join_path(w, &d),
                _ => {
                    files.uncertain |= copy.from.is_none();
                    continue;
                }
            };
            if copy.from.is_some() {
                files.foreign.push((idx, dest_abs));
                continue;
            }
            let dest_is_dir = copy.dest_is_dir();
            let parents = copy.parents;
            for src in &copy.sources {
                let Some(expanded) = ins.state.expand(&src.text) else {
                    files.uncertain = true;
                    continue;
                };
                if expanded.contains("://") {
                    continue;
                }
                let rel = context_rel(&expanded);
                let is_glob = rel.contains(['*', '?', '[']);
                let sources: Vec<(String, EntryKind)> = if is_glob {
                    ctx.tree
                        .glob(&rel)
                        .into_iter()
                        .map(|(p, k)| (p.to_string(), k))
                        .collect()
                } else {
                    match ctx.tree.kind(&rel) {
                        Some(k) => vec![(rel.clone(), k)],
                        None => {
                            files.uncertain |= !ctx.complete();
                            Vec::new()
                        }
                    }
                };
                for (path, kind) in sources {
                    let image_path = if parents {
                        join_path(&dest_abs, &path)
                    } else if kind == EntryKind::Dir {
                        dest_abs.clone()
                    } else if dest_is_dir || is_glob {
                        join_path(&dest_abs, split_dir(&path).1)
                    } else {
                        dest_abs.clone()
                    };
                    files.mappings.push(Mapping {
                        instruction: idx,
                        context_path: path,
                        image_path,
                        dir: kind == EntryKind::Dir,
                        mount: false,
                    });
                }
            }
        }
        files
    }

    /// `RUN --mount=type=bind[,source=…],target=…` without `from=`: the context (or a path in it)
    /// at the target (relative to WORKDIR) while this RUN runs.
    fn add_bind_mounts(&mut self, idx: usize, ins: &crate::syntax::Instruction, ctx: &Context) {
        for m in ins.mounts.iter().filter(|m| m.kind() == "bind") {
            if m.get("from").is_some() {
                continue;
            }
            let Some(target) = m.target().and_then(|t| ins.state.expand(t)) else {
                self.uncertain |= m.target().is_some();
                continue;
            };
            let image_path = match &ins.state.workdir {
                _ if target.starts_with('/') => join_path("/", &target),
                Some(w) => join_path(w, &target),
                None => {
                    self.uncertain = true;
                    continue;
                }
            };
            let source = m.get("source").or_else(|| m.get("src")).unwrap_or(".");
            let Some(source) = ins.state.expand(source) else {
                self.uncertain = true;
                continue;
            };
            let rel = context_rel(&source);
            let Some(kind) = ctx.tree.kind(&rel) else {
                self.uncertain |= !ctx.complete();
                continue;
            };
            self.mappings.push(Mapping {
                instruction: idx,
                context_path: rel,
                image_path,
                dir: kind == EntryKind::Dir,
                mount: true,
            });
        }
    }

    /// The context path of an image path, from the last COPY before instruction `before` that
    /// put something there, when the context sends it (not hidden by `.dockerignore`).
    pub fn context_path(&self, ctx: &Context, image_path: &str, before: usize) -> Option<String> {
        self.mappings
            .iter()
            .rev()
            .filter(|m| m.visible_at(before))
            .find_map(|m| {
                let candidate = if m.image_path == image_path {
                    if m.dir {
                        return None;
                    }
                    m.context_path.clone()
                } else if m.dir {
                    let rest = image_path.strip_prefix(&m.image_path)?;
                    let rest = rest
                        .strip_prefix('/')
                        .or_else(|| (m.image_path == "/").then_some(rest))?;
                    join_rel(&m.context_path, rest)
                } else {
                    return None;
                };
                ctx.sends(&candidate).then_some(candidate)
            })
    }

    /// Where (and by which instruction) a context file lands, if a COPY before `before` brings it.
    pub fn landing(&self, ctx: &Context, rel: &str, before: usize) -> Option<(usize, String)> {
        if !ctx.sends(rel) {
            return None;
        }
        self.mappings
            .iter()
            .rev()
            .filter(|m| m.visible_at(before))
            .find_map(|m| {
                if m.context_path == rel && !m.dir {
                    return Some((m.instruction, m.image_path.clone()));
                }
                if m.dir {
                    let rest = if m.context_path.is_empty() {
                        rel
                    } else {
                        rel.strip_prefix(&m.context_path)?.strip_prefix('/')?
                    };
                    return Some((m.instruction, join_path(&m.image_path, rest)));
                }
                None
            })
    }

    /// The go.mod the go command finds from `workdir` (it or a parent), as
    /// `(context dir of the module, image dir of the module)`.
    pub fn module_for(
        &self,
        ctx: &Context,
        workdir: &str,
        before: usize,
    ) -> Option<(String, String)> {
        let mut dir = workdir.to_string();
        loop {
            let candidate = join_path(&dir, "go.mod");
            if let Some(rel) = self.context_path(ctx, &candidate, before) {
                return Some((split_dir(&rel).0.to_string(), dir));
            }
            if dir == "/" {
                return None;
            }
            dir = join_path(&dir, "..");
        }
    }

    /// Whether a `COPY --from=…` before `before` may have put something at or below `image_path`.
    pub fn filled_from_elsewhere(&self, image_path: &str, before: usize) -> bool {
        let under = |a: &str, b: &str| {
            a == b || b == "/" || a.strip_prefix(b).is_some_and(|r| r.starts_with('/'))
        };
        self.foreign
            .iter()
            .any(|(i, dest)| *i < before && (under(image_path, dest) || under(dest, image_path)))
    }

    /// The first COPY in `range` that copies Go sources (anything other than module files).
    pub fn first_source_copy(&self, range: std::ops::Range<usize>) -> Option<&Mapping> {
        self.copies()
            .filter(|m| range.contains(&m.instruction))
            .find(|m| m.dir || !is_module_file(&m.context_path))
    }
}

impl StageFiles {
    /// What COPY/ADD instructions brought into the image (no bind mounts).
    pub fn copies(&self) -> impl DoubleEndedIterator<Item = &Mapping> {
        self.mappings.iter().filter(|m| !m.mount)
    }
}

/// go.mod, go.sum, go.work and go.work.sum: the files that describe dependencies.
pub fn is_module_file(path: &str) -> bool {
    matches!(
        split_dir(path).1,
        "go.mod" | "go.sum" | "go.work" | "go.work.sum"
    )
}
