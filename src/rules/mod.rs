//! The rules: one file per rule, each a pure function of (model, context, settings) to
//! diagnostics with optional fixes, and the registry that lists them in code order.

#[macro_use]
mod declare;
mod cgo;
mod gm001_module_files_first;
mod gm002_go111module_on;
mod gm003_go_cache_mounts;
mod gm004_final_stage_goenv_off;
mod gm005_vendor_mode;
mod gm010_missing_go_mod;
mod gm011_gopath_root_module;
mod gm012_workdir_mismatch;
mod gm013_copy_missing_module_file;
mod gm014_dockerignore_hides_module_files;
mod gm015_go_work_in_context;
mod gm016_go_version_mismatch;
mod gm017_cgo_binary_in_minimal_image;
mod gm018_builder_env_not_in_final;
mod gm019_go_env_write;
mod gm020_go_get_install;
mod gm021_module_mutation_in_build;
mod gm022_goroot_override;
mod gm023_build_arg_not_declared;
mod gm024_private_module_auth;
mod gm025_replace_target_not_copied;
mod gm026_hardcoded_target_platform;
mod gm027_cgo_required_but_disabled;
pub mod gm028_context_mismatch;
mod gm100_unused_suppression;
pub mod golang_image;
pub mod packages;
mod violation;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde::Serialize;

use crate::context::Context;
pub use crate::diagnostics::{Diagnostic, Severity};
use crate::fix::{Applicability, Edit, Fix};
use crate::image_fs::StageFiles;
use crate::syntax::{Dockerfile, GoCommand, Instruction, Kind, Stage};
pub use violation::Violation;

/// What kind of fix a rule can offer, for the rule table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixAvailability {
    None,
    Safe,
    Unsafe,
    /// Safe for some findings, unsafe for others.
    Mixed,
}

/// A rule's identity and documentation.
#[derive(Debug, Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    /// One line: what the rule finds.
    pub summary: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Markdown in ruff's sections: What it does, Why is this bad?, Example, Use instead, Fix
    /// safety, Context needed.
    pub doc: &'static str,
}

/// Settings rules read.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The stage built last (`--target`); `None` for the last stage.
    pub target: Option<String>,
    /// Codes or code prefixes to run (`GM0`, `GM003`, `ALL`); empty means every rule.
    pub select: Vec<String>,
    /// Codes or prefixes never to run; wins over `select`.
    pub ignore: Vec<String>,
    /// The hardening profile: GM002 and GM004 also report where the explicit setting changes
    /// nothing today (module mode already on, no go command in the final image).
    pub hardening: bool,
    /// Severity overrides by code.
    pub severity: BTreeMap<String, Severity>,
    /// Module path patterns that are private (GM024), `github.com/acme/*` style.
    pub private: Vec<String>,
    /// More hosts whose modules are public (GM024), added to `data/public_module_hosts.txt`.
    pub public_hosts: Vec<String>,
    /// The WORKDIR GM011 inserts (default `/src`).
    pub module_workdir: Option<String>,
    /// More image repositories treated as official golang images (mirrors).
    pub golang_images: Vec<String>,
    /// Cache-mount targets for GM003 instead of the derived GOMODCACHE / GOCACHE.
    pub module_cache: Option<String>,
    pub build_cache: Option<String>,
}

impl Settings {
    /// Whether `code` itself is in `select` (not through a prefix or `ALL`): rules kept for the
    /// hardening profile run then too, as the user asked for them by name.
    pub fn explicitly_selected(&self, code: &str) -> bool {
        self.select.iter().any(|p| p.eq_ignore_ascii_case(code))
    }

    /// Whether a rule runs under select/ignore.
    pub fn enabled(&self, code: &str) -> bool {
        let matches =
            |p: &String| p.eq_ignore_ascii_case("ALL") || code.starts_with(&p.to_ascii_uppercase());
        (self.select.is_empty() || self.select.iter().any(matches))
            && !self.ignore.iter().any(matches)
    }
}

/// Everything a rule may look at.
pub struct RuleContext<'a> {
    pub df: &'a Dockerfile,
    pub ctx: Option<&'a Context>,
    pub settings: &'a Settings,
    stage_files: Vec<OnceLock<StageFiles>>,
    /// [`Self::main_module`] per stage: most rules ask for it.
    main_modules: Vec<OnceLock<Option<StageModule<'a>>>>,
}

impl<'a> RuleContext<'a> {
    pub fn new(df: &'a Dockerfile, ctx: Option<&'a Context>, settings: &'a Settings) -> Self {
        RuleContext {
            df,
            ctx,
            settings,
            stage_files: (0..df.stages.len()).map(|_| OnceLock::new()).collect(),
            main_modules: (0..df.stages.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The context files a stage has copied (computed once per stage).
    pub fn files(&self, stage: &Stage, ctx: &Context) -> &StageFiles {
        self.stage_files[stage.index].get_or_init(|| StageFiles::new(self.df, stage, ctx))
    }

    /// Go commands of a stage, with their instruction index, in order (RUNs near a parse error
    /// are left out).
    pub fn go_commands(&self, stage: &Stage) -> Vec<(usize, &'a Instruction, &'a GoCommand)> {
        let mut out = Vec::new();
        // Windows images: no BuildKit cache mounts, other paths; gomodfix's advice is for Linux.
        if stage.windows {
            return out;
        }
        for idx in stage.body.clone() {
            let ins = &self.df.instructions[idx];
            if ins.near_error {
                continue;
            }
            if let Some(run) = &ins.run {
                out.extend(run.go.iter().map(|g| (idx, ins, g)));
            }
        }
        out
    }

    /// The module the stage's go commands build: the go.mod found by the first go command that
    /// needs one and finds one.
    pub fn main_module(&self, stage: &Stage) -> Option<StageModule<'a>> {
        self.main_modules[stage.index]
            .get_or_init(|| self.find_main_module(stage))
            .clone()
    }

    /// The go commands a stage's container runs when it starts (`CMD ["go", "run", "."]`),
    /// with the CMD/ENTRYPOINT they come from ([`Stage::runtime_ins`], whose state is the one
    /// the container starts with). Their index is the end of the stage's body — everything the
    /// stage copies has landed — and is *not* an index into `df.instructions`.
    pub fn start_go_commands(&self, stage: &Stage) -> Vec<(usize, &'a Instruction, &'a GoCommand)> {
        let stage = &self.df.stages[stage.index];
        let Some(ins) = stage.runtime_ins.as_deref() else {
            return Vec::new();
        };
        if stage.windows || ins.near_error {
            return Vec::new();
        }
        let at = stage.body.end;
        ins.run
            .iter()
            .flat_map(|r| r.go.iter())
            .map(|g| (at, ins, g))
            .collect()
    }

    /// The module a stage's container builds when it starts, for a stage where no RUN builds
    /// one ([`Self::main_module`] is `None`): a dev image's `CMD ["go", "run", "."]`. Rules that
    /// check what a go command needs (a go.mod, go.sum, a new enough Go) use it; rules about
    /// build speed do not.
    pub fn start_module(&self, stage: &Stage) -> Option<StageModule<'a>> {
        if self.main_module(stage).is_some() {
            return None;
        }
        self.module_of(stage, self.start_go_commands(stage))
    }

    /// The module a RUN builds, else the one the container builds when it starts: what rules
    /// about what a go command needs (a go.mod, go.sum, a new enough Go) look at.
    pub fn built_module(&self, stage: &Stage) -> Option<StageModule<'a>> {
        self.main_module(stage).or_else(|| self.start_module(stage))
    }

    /// The stage's go commands, and when none of them needs a module, those its container runs
    /// when it starts (a dev image's `CMD ["go", "run", "."]`).
    pub fn module_go_commands(
        &self,
        stage: &Stage,
    ) -> Vec<(usize, &'a Instruction, &'a GoCommand)> {
        let mut gos = self.go_commands(stage);
        if !gos.iter().any(|(_, _, g)| g.needs_module()) {
            gos.extend(self.start_go_commands(stage));
        }
        gos
    }

    fn find_main_module(&self, stage: &Stage) -> Option<StageModule<'a>> {
        self.module_of(stage, self.go_commands(stage))
    }

    /// The go.mod found by the first of `gos` that needs one and finds one.
    fn module_of(
        &self,
        stage: &Stage,
        gos: Vec<(usize, &'a Instruction, &'a GoCommand)>,
    ) -> Option<StageModule<'a>> {
        let ctx = self.ctx?;
        let files = self.files(stage, ctx);
        gos.into_iter()
            .filter(|(_, _, g)| g.needs_module())
            .find_map(|(go_idx, ins, go)| {
                let workdir = go.workdir(ins.state.workdir.as_deref())?;
                let (dir, image_dir) = files.module_for(ctx, &workdir, go_idx)?;
                Some(StageModule {
                    go_mod: ctx.go_mod(&dir),
                    dir,
                    image_dir,
                    go_idx,
                    ins,
                    go,
                })
            })
    }

    /// The context directory of the module a stage means to build: the module the go command
    /// finds, or else the nearest go.mod at or above the first copied sources (even when
    /// .dockerignore hides it). With the index of the first go command that needs a module.
    pub fn intended_module(&self, stage: &Stage) -> Option<(String, usize)> {
        if let Some(m) = self.main_module(stage) {
            return Some((m.dir, m.go_idx));
        }
        let ctx = self.ctx?;
        let (go_idx, _, _) = self
            .go_commands(stage)
            .into_iter()
            .find(|(_, _, g)| g.needs_module())?;
        let files = self.files(stage, ctx);
        // A go.mod the stage copies by name (even if hidden), else the first copied sources.
        if let Some(m) = files.mappings.iter().find(|m| {
            m.visible_at(go_idx)
                && !m.dir
                && crate::context::split_dir(&m.context_path).1 == "go.mod"
        }) {
            return Some((
                crate::context::split_dir(&m.context_path).0.to_string(),
                go_idx,
            ));
        }
        let source = files.first_source_copy(stage.body.start..go_idx)?;
        let mut dir = if source.dir {
            source.context_path.clone()
        } else {
            crate::context::split_dir(&source.context_path)
                .0
                .to_string()
        };
        loop {
            if ctx.tree.modules.contains_key(&dir) {
                return Some((dir, go_idx));
            }
            if dir.is_empty() {
                return None;
            }
            dir = crate::context::split_dir(&dir).0.to_string();
        }
    }

    /// An edit appending lines to the build context's .dockerignore (created when missing), in
    /// the file's own line-ending style.
    pub fn append_to_dockerignore(&self, ctx: &Context, lines: &[String]) -> Edit {
        let text = ctx
            .dockerignore
            .as_ref()
            .map(|d| d.text.as_str())
            .unwrap_or("");
        let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut add = String::new();
        if !text.is_empty() && !text.ends_with('\n') {
            add.push_str(nl);
        }
        for l in lines {
            add.push_str(l);
            add.push_str(nl);
        }
        Edit::in_file(ctx.dockerignore_file(), text.len()..text.len(), add)
    }

    /// Whether a stage or a stage it is FROM runs the go command.
    pub fn ancestor_runs_go(&self, stage: &Stage) -> bool {
        let mut cur = stage.parent;
        while let Some(p) = cur {
            if !self.go_commands(&self.df.stages[p]).is_empty() {
                return true;
            }
            cur = self.df.stages[p].parent;
        }
        false
    }

    /// The final stage per settings.
    pub fn final_stage(&self) -> Option<&'a Stage> {
        self.df.final_stage(self.settings.target.as_deref())
    }

    // --- helpers for building edits in the file's own style ---

    /// Insert whole lines before the instruction at `ins` (same indentation, file's newline).
    /// Comments directly above the instruction stay with it: the lines go above them.
    pub fn insert_lines_before(&self, ins: &Instruction, lines: &[String]) -> Edit {
        let indent = self.df.indent_at(ins.range.start);
        let mut at = self.df.line_start(ins.range.start);
        while at > 0 {
            let prev = self.df.line_start(at - 1);
            if self.df.source[prev..at].trim_start().starts_with('#')
                && !self.is_parser_directive(prev)
            {
                at = prev;
            } else {
                break;
            }
        }
        let mut text = String::new();
        for l in lines {
            text.push_str(indent);
            text.push_str(l);
            text.push_str(self.df.newline);
        }
        Edit::insert(at, text)
    }

    /// Whether the line at `offset` is one of the parser directives at the top of the file.
    fn is_parser_directive(&self, offset: usize) -> bool {
        let before = &self.df.source[..offset];
        before.lines().all(|l| l.trim_start().starts_with('#'))
            && self.df.source[offset..].lines().next().is_some_and(|l| {
                let l = l.trim_start_matches('#').trim().to_ascii_lowercase();
                l.starts_with("syntax=") || l.starts_with("escape=") || l.starts_with("check=")
            })
    }

    /// Insert whole lines after the instruction `ins` (works without a final newline too).
    pub fn insert_lines_after(&self, ins: &Instruction, lines: &[String]) -> Edit {
        let indent = self.df.indent_at(ins.range.start);
        let mut text = String::new();
        for l in lines {
            text.push_str(self.df.newline);
            text.push_str(indent);
            text.push_str(l);
        }
        Edit::insert(ins.range.end, text)
    }

    /// The byte range of an instruction's whole lines, newline included: what to delete to
    /// remove it.
    pub fn whole_lines(&self, ins: &Instruction) -> Range<usize> {
        self.df.whole_lines(ins.range.clone())
    }

    /// Add `NAME=value` to the environment of a stage: merged into an ENV that directly follows
    /// the FROM line, else a new `ENV` line after FROM.
    pub fn add_env_to_stage(&self, stage: &Stage, name: &str, value: &str) -> Edit {
        let from = &self.df.instructions[stage.from];
        if let Some(first) = self.df.instructions.get(stage.body.start)
            && stage.body.start < stage.body.end
            && first.kind == Kind::Env
            && !first.near_error
            && let Some(last) = first.pairs.last()
            && !first.pairs.iter().any(|p| p.legacy)
            && self.df.source[from.range.end..first.range.start]
                .trim()
                .is_empty()
        {
            return Edit::insert(last.range.end, format!(" {name}={value}"));
        }
        self.insert_lines_after(from, &[format!("ENV {name}={value}")])
    }

    /// The diagnostic for a finding at `range`, without a fix (set one with
    /// [`Violation::safe_fix`] / [`Violation::unsafe_fix`]).
    pub fn report<V: Violation>(&self, v: &V, range: Range<usize>) -> Diagnostic {
        Diagnostic {
            code: V::RULE.code,
            name: V::RULE.name,
            severity: V::RULE.severity,
            message: v.message(),
            range,
            fix: None,
        }
    }
}

/// The module a stage builds, as [`RuleContext::main_module`] finds it.
#[derive(Clone)]
pub struct StageModule<'a> {
    /// Context-relative directory of the module (`""` for the context root).
    pub dir: String,
    /// Where that directory is in the image.
    pub image_dir: String,
    /// The parsed go.mod (`None` when it does not parse).
    pub go_mod: Option<&'a crate::context::GoMod>,
    /// The first go command that needs the module, and its RUN.
    pub go_idx: usize,
    pub ins: &'a Instruction,
    pub go: &'a GoCommand,
}

/// The value of an environment variable as a go command sees it: a `K=V` prefix, then ENV, then
/// ARG (ARG values are in the environment of RUN).
pub fn effective_env(ins: &Instruction, go: &GoCommand, name: &str) -> Option<String> {
    go.assignments
        .iter()
        .rev()
        .find(|a| a.name == name)
        .map(|a| a.value.clone())
        .or_else(|| ins.state.env.get(name).cloned())
        .or_else(|| ins.state.args.get(name).cloned().flatten())
}

/// The `-mod=` mode in effect for a go command: its flag, else GOFLAGS.
pub fn mod_mode(ins: &Instruction, go: &GoCommand) -> Option<String> {
    if let Some((v, _)) = go.mod_flag() {
        return Some(v.to_string());
    }
    let goflags = effective_env(ins, go, "GOFLAGS")?;
    goflags.split_whitespace().find_map(|f| {
        f.trim_start_matches('-')
            .strip_prefix("mod=")
            .map(str::to_string)
    })
}

/// Where new flags of an instruction go: after its last flag or mount, else after the keyword.
pub fn flags_end(ins: &Instruction) -> usize {
    ins.flags
        .iter()
        .map(|f| f.range.end)
        .chain(ins.mounts.iter().map(|m| m.range.end))
        .max()
        .unwrap_or(ins.range.start + 3)
}

/// A range extended over the spaces and tabs before it: what to delete to remove a word. A word
/// alone on a continuation line (`    -mod=vendor \`) takes its whole line, so no bare `\` is
/// left behind.
pub fn with_leading_space(src: &str, range: Range<usize>) -> Range<usize> {
    let bytes = src.as_bytes();
    let mut start = range.start;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let line_start = start == 0 || bytes[start - 1] == b'\n';
    if line_start {
        let rest = &src[range.end..];
        let line_end = rest.find('\n').map_or(src.len(), |p| range.end + p + 1);
        let tail = src[range.end..line_end]
            .trim_end_matches(['\n', '\r'])
            .trim();
        if tail == "\\" || tail == "`" {
            return start..line_end;
        }
    }
    start..range.end
}

/// Quote a path for a shell-form COPY when it needs it.
pub fn copy_line(sources: &[String], dest: &str) -> String {
    if sources
        .iter()
        .chain(std::iter::once(&dest.to_string()))
        .any(|s| s.contains(char::is_whitespace))
    {
        let items: Vec<String> = sources
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .chain(std::iter::once(
                serde_json::to_string(dest).unwrap_or_default(),
            ))
            .collect();
        format!("COPY [{}]", items.join(", "))
    } else {
        format!("COPY {} {}", sources.join(" "), dest)
    }
}

/// A COPY destination for `dir`: `./` when it is the working directory, else the absolute path.
pub fn relative_dest(workdir: &str, dir: &str) -> String {
    if dir == workdir {
        "./".into()
    } else {
        format!("{}/", dir.trim_end_matches('/'))
    }
}

/// A rule: metadata plus a check.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>);
}

/// Every rule, in code order (the order fixes are applied in).
pub fn registry() -> &'static [&'static dyn Rule] {
    &[
        &gm001_module_files_first::ModuleFilesFirst,
        &gm002_go111module_on::Go111ModuleOn,
        &gm003_go_cache_mounts::GoCacheMounts,
        &gm004_final_stage_goenv_off::FinalStageGoenvOff,
        &gm005_vendor_mode::VendorMode,
        &gm010_missing_go_mod::MissingGoMod,
        &gm011_gopath_root_module::GopathRootModule,
        &gm012_workdir_mismatch::WorkdirMismatch,
        &gm013_copy_missing_module_file::CopyMissingModuleFile,
        &gm014_dockerignore_hides_module_files::DockerignoreHidesModuleFiles,
        &gm015_go_work_in_context::GoWorkInContext,
        &gm016_go_version_mismatch::GoVersionMismatch,
        &gm017_cgo_binary_in_minimal_image::CgoBinaryInMinimalImage,
        &gm018_builder_env_not_in_final::BuilderEnvNotInFinal,
        &gm019_go_env_write::GoEnvWrite,
        &gm020_go_get_install::GoGetInstall,
        &gm021_module_mutation_in_build::ModuleMutationInBuild,
        &gm022_goroot_override::GorootOverride,
        &gm023_build_arg_not_declared::BuildArgNotDeclared,
        &gm024_private_module_auth::PrivateModuleAuth,
        &gm025_replace_target_not_copied::ReplaceTargetNotCopied,
        &gm026_hardcoded_target_platform::HardcodedTargetPlatform,
        &gm027_cgo_required_but_disabled::CgoRequiredButDisabled,
        &gm028_context_mismatch::ContextMismatch,
        &gm100_unused_suppression::UnusedSuppression,
    ]
}

/// Find a rule by code (case-insensitive) or name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Rule> {
    registry()
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(code_or_name) || r.meta().name == code_or_name)
}

/// Run every rule on a parsed Dockerfile.
pub fn check(df: &Dockerfile, ctx: Option<&Context>, settings: &Settings) -> Vec<Diagnostic> {
    // The go commands RUNs run through make and context scripts join the model.
    let followed = ctx.and_then(|c| crate::follow::follow(df, c));
    let df = followed.as_ref().unwrap_or(df);
    let cx = RuleContext::new(df, ctx, settings);
    let mut out = Vec::new();
    for rule in registry() {
        if settings.enabled(rule.meta().code) {
            rule.check(&cx, &mut out);
        }
    }
    if followed.is_some() {
        explain_followed(df, &mut out);
    }
    for d in &mut out {
        if let Some(s) = settings.severity.get(d.code) {
            d.severity = *s;
        }
    }
    apply_suppressions(&cx, &mut out);
    out.sort_by(|a, b| a.range.start.cmp(&b.range.start).then(a.code.cmp(b.code)));
    out
}

/// Diagnostics about go commands found through make or a script: the message says where the
/// command came from, and fixes that would edit the `make`/script command's own text (it is not
/// the go command) are dropped; fixes elsewhere (the RUN's flags, other lines) stay.
fn explain_followed(df: &Dockerfile, out: &mut [Diagnostic]) {
    // (followed go command, whether its RUN runs go commands of its own too)
    let followed: Vec<(&GoCommand, bool)> = df
        .instructions
        .iter()
        .filter_map(|i| i.run.as_ref())
        .flat_map(|r| {
            let own = r.go.iter().any(|g| g.via.is_none());
            r.go.iter()
                .filter(|g| g.via.is_some())
                .map(move |g| (g, own))
        })
        .collect();
    for d in out.iter_mut() {
        let mut explained = false;
        for (g, own) in &followed {
            let Some(via) = &g.via else { continue };
            let inside = g.range.start <= d.range.start && d.range.end <= g.range.end;
            let overlaps = d.range.start <= g.range.end && g.range.start <= d.range.end;
            let mentioned = d.message.contains(&format!("`go {}", g.sub));
            if !explained
                && (inside || (overlaps && (!own || mentioned)))
                && !d.message.contains(via.as_str())
            {
                d.message.push_str(&format!(" ({via})"));
                explained = true;
            }
            let touches = d.fix.as_ref().is_some_and(|f| {
                f.edits.iter().any(|e| {
                    // Overlapping, or an insertion strictly inside the command.
                    e.file.is_none() && e.range.start < g.range.end && g.range.start < e.range.end
                })
            });
            if touches {
                d.fix = None;
            }
        }
    }
}

/// Drop suppressed diagnostics; report suppressions that silenced nothing (GM100).
fn apply_suppressions(cx: &RuleContext, out: &mut Vec<Diagnostic>) {
    let sups = crate::suppress::suppressions(cx.df);
    if sups.is_empty() {
        return;
    }
    let mut used: Vec<Vec<&'static str>> = vec![Vec::new(); sups.len()];
    out.retain(
        |d| match sups.iter().position(|s| s.covers(d.code, d.range.start)) {
            Some(i) => {
                used[i].push(d.code);
                false
            }
            None => true,
        },
    );
    if !cx.settings.enabled(gm100_unused_suppression::META.code) {
        return;
    }
    for (s, used) in sups.iter().zip(used) {
        if s.codes.is_empty() {
            if used.is_empty() {
                out.push(gm100_unused_suppression::diagnostic(cx, s, &[], true));
            }
            continue;
        }
        let unused: Vec<&String> = s
            .codes
            .iter()
            .filter(|c| cx.settings.enabled(c) && !used.iter().any(|u| u.eq_ignore_ascii_case(c)))
            .collect();
        if !unused.is_empty() {
            out.push(gm100_unused_suppression::diagnostic(
                cx,
                s,
                &unused,
                used.is_empty(),
            ));
        }
    }
}

/// Whether a fix of this applicability is applied under the given flag.
pub fn fix_allowed(fix: &Fix, unsafe_fixes: bool) -> bool {
    unsafe_fixes || fix.applicability == Applicability::Safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_sorted_and_documented() {
        let codes: Vec<_> = registry().iter().map(|r| r.meta().code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for r in registry() {
            let m = r.meta();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Fix safety",
            ] {
                assert!(m.doc.contains(section), "{} lacks {section}", m.code);
            }
        }
    }

    #[test]
    fn relative_destinations() {
        assert_eq!(relative_dest("/src", "/src"), "./");
        assert_eq!(relative_dest("/src", "/src/api"), "/src/api/");
        assert_eq!(relative_dest("/src", "/app"), "/app/");
    }
}
