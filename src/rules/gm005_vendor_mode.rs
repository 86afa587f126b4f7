use std::ops::Range;

use super::{Diagnostic, RuleContext, RuleMeta, Severity, Violation, mod_mode, with_leading_space};
use crate::context::{Context, join_rel};
use crate::fix::Edit;
use crate::image_fs::StageFiles;
use crate::syntax::{GoCommand, Instruction, Kind, Pair, RunForm, Stage};

declare_rule! {
    pub struct VendorMode;
    code: "GM005",
    name: "vendor-mode",
    summary: "Vendoring and -mod=vendor do not match what reaches the stage",
    severity: Warning,
    fix: Mixed,
    doc: r#"## What it does
Checks that the go commands of a stage agree with the vendor/ directory the build really has:

- vendor/modules.txt is in the build context and a COPY brings it into the stage: makes
  `-mod=vendor` explicit on `go build|install|test|run|vet|list` (as a flag after the subcommand,
  or inside `ENV GOFLAGS` when the stage already sets GOFLAGS), and offers to drop a
  `RUN go mod download` that only downloads what vendor/ already has (unsafe: it removes a step).
  A `-mod=mod` or `-mod=readonly` there contradicts vendor/ and is reported.
- `-mod=vendor` (flag or GOFLAGS) where vendor/ does not reach the stage (not in the context,
  hidden by .dockerignore, or never copied): the build fails with `inconsistent vendoring` or
  `cannot find module providing package`; the unsafe fix drops `-mod=vendor`.
- `go mod vendor` run before the sources are copied writes an incomplete vendor/: the unsafe fix
  moves that RUN after the first COPY of the sources.

Making `-mod=vendor` explicit is reported by default only where it changes the build: go.mod
says go < 1.14 (or the image is older), where the go command does not pick vendor/ by itself.
With go >= 1.14 and vendor/modules.txt present vendor mode is already the default; the hardening
profile (`--hardening`) still asks for the explicit flag there. A `-mod=mod`/`-mod=readonly` on
`go list` (module queries such as `go list -m -u all`, which cannot run in vendor mode) is not
reported.

vendor/modules.txt that does not match go.mod (a requirement not vendored, vendored at another
version or without its `## explicit` mark, or an explicit module go.mod dropped) is reported where
a go command builds in vendor mode: Go 1.14+ stops with `inconsistent vendoring`. For a go.mod
before `go 1.14` Go's check is relaxed, as is this one: only a requirement vendored at another
version counts. No fix: run `go mod vendor` in the repository and commit vendor/.

## Why is this bad?
With vendor/modules.txt present and go.mod's `go` ≥ 1.14 the go command already defaults to
`-mod=vendor`; below 1.14, or with a GOFLAGS from the builder's environment, it does not, and the
build silently downloads modules instead of using the vendored copies. Forcing `-mod=vendor`
when vendor/ is missing or hidden is the most common cause of `inconsistent vendoring` in Docker
builds.

## Example
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .
```
(with vendor/modules.txt in the repository)

## Use instead
```dockerfile
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -mod=vendor -o /app .
```

## Fix safety
Making `-mod=vendor` explicit where vendor/ reaches the stage is safe: it is what the go command
does by default for modern modules. Removing a step (`go mod download`), dropping `-mod=vendor`,
and moving `go mod vendor` are unsafe: each changes what the build does.

## Context needed
The build context (vendor/modules.txt, .dockerignore) and a go.mod that the go command finds.
Silent when the context is unknown or a COPY cannot be resolved."#,
}

/// GM005's findings.
enum Finding {
    /// vendor/modules.txt does not match go.mod (`why`) where `go {sub}` builds in vendor mode
    /// (reported as an error). Fixtures: `pos_vendor_out_of_date`,
    /// `pos_vendor_missing_requirement`, `pos_vendor_not_marked_explicit`,
    /// `pos_vendor_explicit_not_required`.
    OutOfDate { why: Inconsistency, sub: String },
    /// `-mod={mode}` (not vendor) where vendor/ reaches the stage. Fixtures:
    /// `pos_contradicting_mod_flag`.
    ContradictingModFlag { mode: String },
    /// vendor/ reaches the stage and the stage's `ENV GOFLAGS` lacks `-mod=vendor`. Fixtures:
    /// `pos_hardening_goflags_env_extended`.
    GoflagsWithoutVendor,
    /// vendor/ reaches the stage and `go {sub}` does not say `-mod=vendor`. Fixtures:
    /// `pos_vendor_made_explicit`, `pos_go113_module_needs_explicit_vendor`,
    /// `pos_hardening_exec_form_flag`.
    ImplicitVendor { sub: String },
    /// `go mod download` where vendor/ reaches the stage. Fixtures: `pos_vendor_made_explicit`.
    DownloadWithVendor,
    /// A `-mod=vendor` flag where vendor/ does not reach the stage (an error). Fixtures:
    /// `pos_flag_alone_on_continuation_line`, `pos_vendor_hidden_by_dockerignore`.
    VendorFlagWithoutVendor { why: VendorAbsent },
    /// GOFLAGS says `-mod=vendor` where vendor/ does not reach the stage (an error; the fix
    /// edits the stage's `ENV GOFLAGS`, none when GOFLAGS comes from elsewhere). Fixtures:
    /// `pos_goflags_vendor_without_vendor`, `pos_vendor_not_copied`,
    /// `pos_make_exports_goflags_vendor`.
    GoflagsVendorWithoutVendor { why: VendorAbsent },
    /// `go mod vendor` before the sources are copied. Fixtures: `pos_mod_vendor_before_sources`.
    VendorBeforeSources,
}

impl Violation for Finding {
    const RULE: &'static RuleMeta = &META;

    fn message(&self) -> String {
        match self {
            Finding::OutOfDate { why, sub } => format!(
                "vendor/modules.txt does not match go.mod ({why}): `go {sub}` stops with `inconsistent vendoring`; run `go mod vendor` in the repository and commit vendor/"
            ),
            Finding::ContradictingModFlag { mode } => {
                format!("`-mod={mode}` contradicts the vendor/ directory copied into this stage")
            }
            Finding::GoflagsWithoutVendor => {
                "vendor/ reaches this stage but GOFLAGS does not say `-mod=vendor`".into()
            }
            Finding::ImplicitVendor { sub } => {
                format!("vendor/ reaches this stage; make `-mod=vendor` explicit on `go {sub}`")
            }
            Finding::DownloadWithVendor => {
                "`go mod download` downloads what vendor/ already has".into()
            }
            Finding::VendorFlagWithoutVendor { why } => {
                format!("`-mod=vendor` fails with `inconsistent vendoring`: {why}")
            }
            Finding::GoflagsVendorWithoutVendor { why } => format!(
                "GOFLAGS sets `-mod=vendor` but {why}; the build fails with `inconsistent vendoring`"
            ),
            Finding::VendorBeforeSources => "`go mod vendor` runs before the sources are copied: vendor/ will miss the packages they import".into(),
        }
    }

    fn fix_title(&self) -> Option<String> {
        Some(match self {
            Finding::OutOfDate { .. } | Finding::ContradictingModFlag { .. } => return None,
            Finding::GoflagsWithoutVendor => "Add -mod=vendor to GOFLAGS".into(),
            Finding::ImplicitVendor { sub } => format!("Add -mod=vendor to `go {sub}`"),
            Finding::DownloadWithVendor => "Remove the `go mod download` step".into(),
            Finding::VendorFlagWithoutVendor { .. } => "Remove -mod=vendor".into(),
            Finding::GoflagsVendorWithoutVendor { .. } => "Remove -mod=vendor from GOFLAGS".into(),
            Finding::VendorBeforeSources => "Move `go mod vendor` after the source COPY".into(),
        })
    }
}

/// Why vendor/ does not reach a stage (in GM005's findings).
enum VendorAbsent {
    /// Fixtures: `pos_goflags_vendor_without_vendor`, `pos_flag_alone_on_continuation_line`.
    NotInContext,
    /// Fixtures: `pos_vendor_hidden_by_dockerignore`.
    Hidden { pattern: String },
    /// Fixtures: `pos_vendor_not_copied`.
    NotCopied,
}

impl std::fmt::Display for VendorAbsent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VendorAbsent::NotInContext => f.write_str("vendor/ is not in the build context"),
            VendorAbsent::Hidden { pattern } => {
                write!(f, ".dockerignore hides vendor/ (pattern `{pattern}`)")
            }
            VendorAbsent::NotCopied => f.write_str("no COPY brings vendor/ into this stage"),
        }
    }
}

/// How vendor/modules.txt differs from go.mod: the first difference Go's vendoring check
/// reports (in [`Finding::OutOfDate`]).
enum Inconsistency {
    /// A requirement not in vendor/modules.txt. Fixtures: `pos_vendor_missing_requirement`.
    NotVendored { path: String, version: String },
    /// A requirement vendored at another version. Fixtures: `pos_vendor_out_of_date`.
    OtherVersion {
        path: String,
        version: String,
        vendored: String,
    },
    /// A requirement vendored without its `## explicit` mark. Fixtures:
    /// `pos_vendor_not_marked_explicit`.
    NotExplicit { path: String, version: String },
    /// An `## explicit` module go.mod no longer requires. Fixtures:
    /// `pos_vendor_explicit_not_required`.
    NotRequired { path: String, version: String },
}

impl std::fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Inconsistency::NotVendored { path, version } => {
                write!(f, "{path}@{version} is required but not vendored")
            }
            Inconsistency::OtherVersion {
                path,
                version,
                vendored,
            } => write!(f, "{path}@{version} is required, vendor/ has {vendored}"),
            Inconsistency::NotExplicit { path, version } => write!(
                f,
                "{path}@{version} is required but not marked explicit in vendor/modules.txt"
            ),
            Inconsistency::NotRequired { path, version } => write!(
                f,
                "{path}@{version} is vendored as explicit but go.mod does not require it"
            ),
        }
    }
}

impl VendorMode {
    fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) {
        let Some(ctx) = cx.ctx else { return };
        for stage in &cx.df.stages {
            check_stage(cx, ctx, stage, out);
        }
    }
}

fn check_stage(cx: &RuleContext, ctx: &Context, stage: &Stage, out: &mut Vec<Diagnostic>) {
    let gos = cx.go_commands(stage);
    let Some(&(first_idx, first_ins, first_go)) = gos
        .iter()
        .find(|(_, _, g)| g.takes_mod_flag() || g.sub.starts_with("mod "))
    else {
        return;
    };
    let files = cx.files(stage, ctx);
    let Some(workdir) = first_go.workdir(first_ins.state.workdir.as_deref()) else {
        return;
    };
    let Some((mod_dir, _)) = files.module_for(ctx, &workdir, first_idx) else {
        return;
    };
    let vendor_rel = join_rel(&mod_dir, "vendor/modules.txt");
    // Go 1.14+ builds in vendor mode by default when go.mod says go >= 1.14 and
    // vendor/modules.txt is there: an explicit `-mod=vendor` changes nothing then (hardening).
    let vendor_is_default = !cx.settings.hardening
        && ctx
            .go_mod(&mod_dir)
            .and_then(|m| m.go.as_deref())
            .and_then(crate::context::gomod::go_version)
            .is_some_and(|v| (v.0, v.1) >= (1, 14))
        && !crate::rules::golang_image::stage_go(cx.df, stage).older_than(1, 14);
    let mut reported_env: Vec<usize> = Vec::new();
    let mut vendored_in_image = false;
    let mut consistency_checked = false;
    for &(idx, ins, go) in &gos {
        let reaches = vendored_in_image || files.landing(ctx, &vendor_rel, idx).is_some();
        // The vendor/ the repository commits must match go.mod, or every build in vendor mode
        // stops with `inconsistent vendoring` (Go 1.14+ checks the `## explicit` marks).
        let go_mod_go = ctx
            .go_mod(&mod_dir)
            .and_then(|m| m.go.as_deref())
            .and_then(crate::context::gomod::go_version);
        let vendor_mode = match mod_mode(ins, go).as_deref() {
            Some("vendor") => true,
            Some(_) => false,
            None => go_mod_go.is_some_and(|v| (v.0, v.1) >= (1, 14)),
        };
        if reaches
            && !vendored_in_image
            && !consistency_checked
            && go.takes_mod_flag()
            && vendor_mode
            && !crate::rules::golang_image::stage_go(cx.df, stage).older_than(1, 14)
            && let (Some(go_mod), Some(list)) =
                (ctx.go_mod(&mod_dir), ctx.tree.vendored.get(&mod_dir))
        {
            consistency_checked = true;
            // A go.mod before `go 1.14` (or without a go line) gets Go's relaxed check: its
            // modules.txt has no `## explicit` marks, only versions are compared.
            let pre114 = go_mod_go.is_none_or(|v| (v.0, v.1) < (1, 14));
            if let Some(why) = vendor_inconsistency(go_mod, list, pre114) {
                let finding = Finding::OutOfDate {
                    why,
                    sub: go.sub.clone(),
                };
                let mut d = cx.report(&finding, ins.range.clone());
                d.severity = Severity::Error;
                out.push(d);
            }
        }
        if go.sub == "mod vendor" {
            check_vendor_before_sources(cx, files, stage, idx, ins, out);
            vendored_in_image = true;
            continue;
        }
        if reaches {
            if go.takes_mod_flag() {
                match mod_mode(ins, go).as_deref() {
                    Some("vendor") => {}
                    // `go list -m …` (module queries such as `-u -m all`) cannot run in vendor
                    // mode: `-mod=mod`/`readonly` there is required, not a contradiction.
                    Some(_) if go.sub == "list" => {}
                    Some(other) => out.push(cx.report(
                        &Finding::ContradictingModFlag {
                            mode: other.to_string(),
                        },
                        ins.range.clone(),
                    )),
                    None if vendor_is_default => {}
                    None => {
                        let setter = goflags_setter(cx, stage, idx);
                        if let Some((env_idx, env_ins, pair)) = setter {
                            if reported_env.contains(&env_idx) {
                                continue;
                            }
                            reported_env.push(env_idx);
                            let value = pair.value.clone().unwrap_or_default();
                            let new = format!("{} -mod=vendor", value.trim()).trim().to_string();
                            let finding = Finding::GoflagsWithoutVendor;
                            let mut d = cx.report(&finding, env_ins.range.clone());
                            d.fix = Some(finding.safe_fix(vec![replace_pair_value(pair, &new)]));
                            out.push(d);
                        } else {
                            let finding = Finding::ImplicitVendor {
                                sub: go.sub.clone(),
                            };
                            let mut d = cx.report(&finding, ins.range.clone());
                            d.fix = Some(finding.safe_fix(vec![insert_flag(cx, ins, go)]));
                            out.push(d);
                        }
                    }
                }
            } else if go.sub == "mod download" {
                let run = ins.run.as_ref().expect("go commands come from RUNs");
                let finding = Finding::DownloadWithVendor;
                let mut d = cx.report(&finding, ins.range.clone());
                if run.commands.len() == 1 {
                    d.fix = Some(finding.unsafe_fix(vec![Edit::delete(cx.whole_lines(ins))]));
                }
                out.push(d);
            }
            continue;
        }
        if !ctx.complete() || files.uncertain {
            continue;
        }
        let why = if ctx.tree.kind(&vendor_rel).is_none() {
            VendorAbsent::NotInContext
        } else if let Some(p) = ctx
            .dockerignore
            .as_ref()
            .and_then(|d| d.excluding_pattern(&vendor_rel))
        {
            VendorAbsent::Hidden {
                pattern: p.to_string(),
            }
        } else {
            VendorAbsent::NotCopied
        };
        if let Some((_, flag_range)) = go.mod_flag().filter(|(m, _)| *m == "vendor") {
            let finding = Finding::VendorFlagWithoutVendor { why };
            let mut d = cx.report(&finding, ins.range.clone());
            d.severity = Severity::Error;
            d.fix = Some(finding.unsafe_fix(vec![remove_word(cx, ins, flag_range)]));
            out.push(d);
        } else if go.takes_mod_flag() && mod_mode(ins, go).as_deref() == Some("vendor") {
            let setter = goflags_setter(cx, stage, idx);
            let (range, edit) = match setter {
                Some((env_idx, env_ins, pair)) => {
                    if reported_env.contains(&env_idx) {
                        continue;
                    }
                    reported_env.push(env_idx);
                    (
                        env_ins.range.clone(),
                        Some(remove_from_goflags(cx, env_ins, pair)),
                    )
                }
                None => (ins.range.clone(), None),
            };
            let finding = Finding::GoflagsVendorWithoutVendor { why };
            let mut d = cx.report(&finding, range);
            d.severity = Severity::Error;
            d.fix = edit.map(|e| finding.unsafe_fix(vec![e]));
            out.push(d);
        }
    }
}

/// `go mod vendor` before any source COPY of the stage vendors nothing but go.mod's view.
fn check_vendor_before_sources(
    cx: &RuleContext,
    files: &StageFiles,
    stage: &Stage,
    idx: usize,
    ins: &Instruction,
    out: &mut Vec<Diagnostic>,
) {
    if files.first_source_copy(stage.body.start..idx).is_some() {
        return;
    }
    let Some(later) = files.first_source_copy(idx + 1..stage.body.end) else {
        return;
    };
    let target = &cx.df.instructions[later.instruction];
    if target.near_error {
        return;
    }
    let finding = Finding::VendorBeforeSources;
    let mut d = cx.report(&finding, ins.range.clone());
    let text = cx.df.source[ins.range.clone()].to_string();
    d.fix = Some(finding.unsafe_fix(vec![
        Edit::delete(cx.whole_lines(ins)),
        cx.insert_lines_after(target, &[text]),
    ]));
    out.push(d);
}

/// The ENV of this stage (before `before`) that sets GOFLAGS, if any.
fn goflags_setter<'a>(
    cx: &RuleContext<'a>,
    stage: &Stage,
    before: usize,
) -> Option<(usize, &'a Instruction, &'a Pair)> {
    (stage.body.start..before).rev().find_map(|i| {
        let ins = &cx.df.instructions[i];
        if ins.kind != Kind::Env || ins.near_error {
            return None;
        }
        ins.pairs
            .iter()
            .find(|p| p.name == "GOFLAGS" && p.value_range.is_some())
            .map(|p| (i, ins, p))
    })
}

fn replace_pair_value(pair: &Pair, value: &str) -> Edit {
    let range = pair.value_range.clone().expect("setter has a value");
    let text = if value.contains(char::is_whitespace) || value.is_empty() {
        format!("\"{value}\"")
    } else {
        value.to_string()
    };
    Edit::replace(range, text)
}

/// The edit that drops `-mod=vendor` from a GOFLAGS setter (the whole ENV when nothing is left).
fn remove_from_goflags(cx: &RuleContext, ins: &Instruction, pair: &Pair) -> Edit {
    let value = pair.value.clone().unwrap_or_default();
    let rest: Vec<&str> = value
        .split_whitespace()
        .filter(|f| f.trim_start_matches('-') != "mod=vendor")
        .collect();
    if !rest.is_empty() {
        replace_pair_value(pair, &rest.join(" "))
    } else if ins.pairs.len() == 1 {
        Edit::delete(cx.whole_lines(ins))
    } else {
        Edit::delete(with_leading_space(&cx.df.source, pair.range.clone()))
    }
}

/// Insert `-mod=vendor` right after `go <sub>`.
fn insert_flag(cx: &RuleContext, ins: &Instruction, go: &GoCommand) -> Edit {
    let head = &go.words[go.head_len - 1];
    let exec = ins.run.as_ref().is_some_and(|r| r.form == RunForm::Exec)
        && cx.df.source[head.range.clone()].starts_with('"');
    if exec {
        Edit::insert(head.range.end, ", \"-mod=vendor\"")
    } else {
        Edit::insert(head.range.end, " -mod=vendor")
    }
}

/// Delete a flag word with the separator in front of it (a space, or `, ` in JSON form).
fn remove_word(cx: &RuleContext, ins: &Instruction, range: Range<usize>) -> Edit {
    let src = &cx.df.source;
    let exec = ins.run.as_ref().is_some_and(|r| r.form == RunForm::Exec)
        && src[range.clone()].starts_with('"');
    let widened = with_leading_space(src, range.clone());
    let mut start = widened.start;
    if exec && start > 0 && src.as_bytes()[start - 1] == b',' {
        start -= 1;
    }
    // A flag alone on a continuation line goes with its line (no bare `\` left behind).
    Edit::delete(start..widened.end.max(range.end))
}

/// The first difference Go's vendoring check reports between go.mod's requirements and
/// vendor/modules.txt (Go 1.14+): a requirement not vendored, vendored at another version or not
/// marked `## explicit`, or an `## explicit` module go.mod no longer requires. With `pre114`
/// (go.mod before `go 1.14`) Go checks only that a vendored requirement has go.mod's version
/// (cmd/go/internal/modload/vendor.go).
fn vendor_inconsistency(
    go_mod: &crate::context::GoMod,
    list: &crate::context::gomod::VendorList,
    pre114: bool,
) -> Option<Inconsistency> {
    for (path, version, _) in &go_mod.requires {
        let (path, version) = (path.clone(), version.clone());
        let vendored = list.modules.iter().find(|m| m.path == path);
        if pre114 && vendored.is_none_or(|m| m.version == version) {
            continue;
        }
        return Some(match vendored {
            None => Inconsistency::NotVendored { path, version },
            Some(m) if m.version != version => Inconsistency::OtherVersion {
                path,
                version,
                vendored: m.version.clone(),
            },
            Some(m) if !m.explicit => Inconsistency::NotExplicit { path, version },
            Some(_) => continue,
        });
    }
    list.modules
        .iter()
        .find(|m| m.explicit && !go_mod.requires.iter().any(|(p, _, _)| p == &m.path))
        .map(|m| Inconsistency::NotRequired {
            path: m.path.clone(),
            version: m.version.clone(),
        })
}
