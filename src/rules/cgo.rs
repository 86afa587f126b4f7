//! What the rules know about cgo: which modules need it, which final images cannot run a
//! cgo-linked (glibc) binary, and whether a build stage needs cgo.

use super::{RuleContext, effective_env};
use crate::context::GoMod;
use crate::syntax::{Stage, image_name};

/// Modules that only work with cgo, from `data/cgo_modules.txt`.
pub fn cgo_only_modules() -> impl Iterator<Item = &'static str> {
    include_str!("../../data/cgo_modules.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The cgo-only modules a go.mod requires.
pub fn cgo_requirements(go_mod: &GoMod) -> Vec<&'static str> {
    cgo_only_modules()
        .filter(|m| go_mod.requires_module(m).is_some())
        .collect()
}

/// Final images without glibc: a cgo-linked binary from a Debian builder fails there with
/// `exec /app: no such file or directory`. (distroless `base`, `base-nossl` and `cc` have glibc.)
pub fn is_minimal_image(reference: &str) -> bool {
    let name = image_name(reference).to_ascii_lowercase();
    let last = name.rsplit('/').next().unwrap_or(&name);
    name == "scratch" || last == "alpine" || last == "busybox" || name.contains("distroless/static")
}

/// Whether a Debian-based golang stage builds with cgo on: no `CGO_ENABLED=0` in effect on its
/// go build/install commands. `None` when the stage does not build a binary.
pub fn builds_with_cgo(cx: &RuleContext, stage: &Stage) -> Option<bool> {
    let builds: Vec<_> = cx
        .go_commands(stage)
        .into_iter()
        .filter(|(_, _, g)| g.sub == "build" || g.sub == "install")
        .collect();
    if builds.is_empty() {
        return None;
    }
    Some(
        builds
            .iter()
            .any(|(_, ins, g)| effective_env(ins, g, "CGO_ENABLED").as_deref() != Some("0")),
    )
}

/// Signs that a stage means to build with cgo: CGO_ENABLED=1, a C toolchain installed, an
/// external linker.
pub fn needs_cgo(cx: &RuleContext, stage: &Stage) -> bool {
    for st in cx.df.stage_chain(stage) {
        for ins in &cx.df.instructions[st.body.clone()] {
            if ins.state.env.get("CGO_ENABLED").is_some_and(|v| v == "1") {
                return true;
            }
            if let Some(run) = &ins.run {
                for c in &run.commands {
                    let words: Vec<&str> = c.words.iter().map(|w| w.text.as_str()).collect();
                    let installs = words.first().is_some_and(|w| {
                        matches!(*w, "apt-get" | "apt" | "apk" | "yum" | "dnf" | "microdnf")
                    });
                    if installs
                        && words.iter().any(|w| {
                            matches!(
                                *w,
                                "gcc"
                                    | "musl-dev"
                                    | "build-essential"
                                    | "libc-dev"
                                    | "libc6-dev"
                                    | "g++"
                                    | "clang"
                            )
                        })
                    {
                        return true;
                    }
                    if c.assignments
                        .iter()
                        .any(|a| a.name == "CGO_ENABLED" && a.value == "1")
                    {
                        return true;
                    }
                    if words.iter().any(|w| {
                        w.contains("-linkmode external") || w.contains("-linkmode=external")
                    }) {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Whether a golang stage's image is an `-alpine` variant (no gcc: cgo is off by default).
pub fn alpine_builder(cx: &RuleContext, stage: &Stage) -> bool {
    let s = cx.df.stage_chain(stage).last().unwrap_or(stage);
    s.image
        .expanded
        .as_deref()
        .is_some_and(|e| e.contains("alpine"))
}
