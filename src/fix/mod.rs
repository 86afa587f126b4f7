//! Edits, fixes and the fix-until-stable loop.
//!
//! Order (documented in the README): in each pass the rules run on the current text; a fix that
//! moves where files land (a WORKDIR, [`Fix::alone`]) is applied first and alone, as the others
//! were computed for the old layout; otherwise fixes
//! are taken in rule-code order, then by position in the file; a fix is accepted when none of its
//! edits overlaps or touches an edit already accepted in this pass (the rest wait for the next
//! pass, when they are recomputed on the new text). The accepted edits are applied together, the
//! result is re-parsed, and a pass that would leave more parse errors than its input falls back
//! to the fixes that keep the parse as good on their own. Passes repeat until no fix applies,
//! at most [`MAX_PASSES`] times.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diagnostics::Diagnostic;
pub use crate::diagnostics::{Applicability, Edit, Fix};
use crate::syntax::{Dockerfile, error_count};
use tree_sitter::Tree;

/// Apply non-overlapping edits to `source`.
pub fn apply_edits(source: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(source.len() + 64);
    let mut pos = 0;
    for e in sorted {
        if e.range.start < pos {
            continue;
        }
        out.push_str(&source[pos..e.range.start]);
        out.push_str(&e.text);
        pos = e.range.end;
    }
    out.push_str(&source[pos..]);
    out
}

/// The ranges accepted edits cover in one pass, per file: O(log n) to ask whether a new edit
/// overlaps or touches one of them. Accepted ranges never touch each other, so ordered by start
/// they are ordered by end too, and only the last one starting at or before a new edit's end can
/// reach it.
#[derive(Default)]
struct Occupied {
    ranges: BTreeMap<(Option<String>, usize), usize>,
}

impl Occupied {
    fn clashes(&self, e: &Edit) -> bool {
        self.ranges
            .range((e.file.clone(), 0)..=(e.file.clone(), e.range.end))
            .next_back()
            .is_some_and(|(_, &end)| end >= e.range.start)
    }

    fn add(&mut self, e: &Edit) {
        self.ranges
            .insert((e.file.clone(), e.range.start), e.range.end);
    }
}

/// Most passes of the fix loop before it gives up.
pub const MAX_PASSES: usize = 10;

/// One fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    pub code: &'static str,
    pub title: String,
    pub applicability: Applicability,
}

/// A fix that was thrown away because its result parsed worse than its input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Discarded {
    pub code: &'static str,
    pub title: String,
    pub reason: &'static str,
}

/// The result of fixing a file.
#[derive(Debug, Clone, Default)]
pub struct FixOutcome {
    pub output: String,
    /// Other files of the build context the fixes changed: path → (old text, new text).
    pub side_files: BTreeMap<String, (String, String)>,
    pub applied: Vec<Applied>,
    pub discarded: Vec<Discarded>,
    /// The diagnostics of `output`, from the loop's last check (with the context files as the
    /// fixes left them), so that what stands after the fixes needs no check of its own.
    pub diagnostics: Vec<Diagnostic>,
}

/// The loop did not settle: these rules kept producing fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotConverged {
    pub rules: Vec<&'static str>,
}

impl std::fmt::Display for NotConverged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fixes did not converge after {MAX_PASSES} passes (rules still fixing: {})",
            self.rules.join(", ")
        )
    }
}

/// The texts of the files a fix pass works on: the Dockerfile and the context files edited.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Texts {
    dockerfile: String,
    side: BTreeMap<String, String>,
}

impl Texts {
    /// Apply edits; side files not yet loaded start from `original(path)`.
    fn apply(&self, edits: &[Edit], original: &mut impl FnMut(&str) -> String) -> Texts {
        let mut out = self.clone();
        let own: Vec<Edit> = edits.iter().filter(|e| e.file.is_none()).cloned().collect();
        out.dockerfile = apply_edits(&self.dockerfile, &own);
        let mut files: Vec<&String> = edits.iter().filter_map(|e| e.file.as_ref()).collect();
        files.sort();
        files.dedup();
        for f in files {
            let current = out.side.get(f).cloned().unwrap_or_else(|| original(f));
            let mine: Vec<Edit> = edits
                .iter()
                .filter(|e| e.file.as_ref() == Some(f))
                .cloned()
                .collect();
            out.side.insert(f.clone(), apply_edits(&current, &mine));
        }
        out
    }
}

/// Run `check` on the text and apply its fixes until nothing changes. `check` gets the current
/// texts of the context files edited so far (path → text); `original` reads a context file
/// before its first edit (empty when it does not exist).
pub fn fix_until_stable(
    source: &str,
    unsafe_fixes: bool,
    check: impl FnMut(&Dockerfile, &BTreeMap<String, String>) -> Vec<Diagnostic>,
    parse: impl FnMut(&str, Option<Tree>) -> Dockerfile,
    original: impl FnMut(&str) -> String,
) -> Result<FixOutcome, NotConverged> {
    fix_checked(source, None, unsafe_fixes, check, parse, original)
}

/// [`fix_until_stable`] for a text already parsed and checked: `checked` is its model and
/// diagnostics, which the first pass uses instead of parsing and checking again.
pub fn fix_checked(
    source: &str,
    mut checked: Option<(&Dockerfile, Vec<Diagnostic>)>,
    unsafe_fixes: bool,
    mut check: impl FnMut(&Dockerfile, &BTreeMap<String, String>) -> Vec<Diagnostic>,
    mut parse: impl FnMut(&str, Option<Tree>) -> Dockerfile,
    mut original: impl FnMut(&str) -> String,
) -> Result<FixOutcome, NotConverged> {
    let mut texts = Texts {
        dockerfile: source.to_string(),
        side: BTreeMap::new(),
    };
    let mut applied = Vec::new();
    let mut discarded: Vec<Discarded> = Vec::new();
    let mut seen = vec![texts.clone()];
    let allowed = |f: &Fix| unsafe_fixes || f.applicability == Applicability::Safe;
    // The tree of the text a pass starts from, when the previous pass already parsed it.
    let mut tree: Option<Tree> = None;
    for _ in 0..MAX_PASSES {
        let parsed;
        let (df, diagnostics) = match checked.take() {
            Some((df, diagnostics)) => (df, diagnostics),
            None => {
                parsed = parse(&texts.dockerfile, tree.take());
                let diagnostics = check(&parsed, &texts.side);
                (&parsed, diagnostics)
            }
        };
        let usable = |code: &str, f: &Fix| {
            // A fix that would leave the text as it is (a rule's oversight) fixes nothing.
            allowed(f)
                && f.edits.iter().any(|e| changes(&texts, e))
                && !discarded
                    .iter()
                    .any(|x| x.code == code && x.title == f.title)
        };
        if !diagnostics
            .iter()
            .any(|d| d.fix.as_ref().is_some_and(|f| usable(d.code, f)))
        {
            return Ok(outcome(
                texts,
                applied,
                discarded,
                diagnostics,
                &mut original,
            ));
        }
        let mut candidates: Vec<(&'static str, Fix)> = diagnostics
            .into_iter()
            .filter_map(|d| d.fix.map(|f| (d.code, f)))
            .filter(|(code, f)| usable(code, f))
            .collect();
        candidates.sort_by(|(ca, fa), (cb, fb)| {
            let sa = fa.edits.iter().map(|e| e.range.start).min();
            let sb = fb.edits.iter().map(|e| e.range.start).min();
            ca.cmp(cb).then(sa.cmp(&sb))
        });
        // A fix that moves the layout goes first and alone; the others are recomputed after it.
        if let Some(i) = candidates.iter().position(|(_, f)| f.alone) {
            candidates = vec![candidates.swap_remove(i)];
        }
        let mut accepted: Vec<(&'static str, Fix)> = Vec::new();
        let mut occupied = Occupied::default();
        for (code, fix) in candidates {
            // A fix whose own edits overlap cannot be applied at all.
            let self_overlap = fix.edits.iter().enumerate().any(|(i, a)| {
                fix.edits[i + 1..].iter().any(|b| {
                    a.file == b.file
                        && (a.range.start < b.range.end && b.range.start < a.range.end
                            || a.range == b.range)
                })
            });
            if self_overlap {
                discarded.push(Discarded {
                    code,
                    title: fix.title.clone(),
                    reason: "its edits overlap each other",
                });
                continue;
            }
            if !fix.edits.iter().any(|e| occupied.clashes(e)) {
                for e in &fix.edits {
                    occupied.add(e);
                }
                accepted.push((code, fix));
            }
        }
        let before_errors = df.error_count();
        let parses_worse =
            |t: &Texts| error_count(&crate::syntax::parse_tree(&t.dockerfile)) > before_errors;
        let all: Vec<Edit> = accepted
            .iter()
            .flat_map(|(_, f)| f.edits.iter().cloned())
            .collect();
        let mut next = texts.apply(&all, &mut original);
        let mut next_tree = crate::syntax::parse_tree(&next.dockerfile);
        if error_count(&next_tree) > before_errors {
            // Keep only the fixes that are harmless on their own; report the others.
            let mut good = Vec::new();
            for (code, fix) in accepted {
                if parses_worse(&texts.apply(&fix.edits, &mut original)) {
                    discarded.push(Discarded {
                        code,
                        title: fix.title.clone(),
                        reason: "its result parses worse than the input",
                    });
                } else {
                    good.push((code, fix));
                }
            }
            let edits: Vec<Edit> = good
                .iter()
                .flat_map(|(_, f)| f.edits.iter().cloned())
                .collect();
            next = texts.apply(&edits, &mut original);
            if parses_worse(&next) {
                good.truncate(1);
                next = texts.apply(&good[0].1.edits, &mut original);
            }
            next_tree = crate::syntax::parse_tree(&next.dockerfile);
            accepted = good;
        }
        if accepted.is_empty() {
            continue;
        }
        if seen.contains(&next) {
            return Err(NotConverged {
                rules: dedup_codes(&accepted),
            });
        }
        applied.extend(accepted.iter().map(|(code, f)| Applied {
            code,
            title: f.title.clone(),
            applicability: f.applicability,
        }));
        seen.push(next.clone());
        texts = next;
        tree = Some(next_tree);
    }
    let df = parse(&texts.dockerfile, tree.take());
    let diagnostics = check(&df, &texts.side);
    let still: Vec<(&'static str, Fix)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.clone().map(|f| (d.code, f)))
        .filter(|(_, f)| allowed(f))
        .collect();
    if still.is_empty() {
        return Ok(outcome(
            texts,
            applied,
            discarded,
            diagnostics,
            &mut original,
        ));
    }
    Err(NotConverged {
        rules: dedup_codes(&still),
    })
}

/// Whether an edit changes the text it applies to (an edit of a context file always counts).
fn changes(texts: &Texts, e: &Edit) -> bool {
    e.file.is_some()
        || texts
            .dockerfile
            .get(e.range.clone())
            .is_none_or(|old| old != e.text)
}

fn outcome(
    texts: Texts,
    applied: Vec<Applied>,
    discarded: Vec<Discarded>,
    diagnostics: Vec<Diagnostic>,
    original: &mut impl FnMut(&str) -> String,
) -> FixOutcome {
    let side_files = texts
        .side
        .into_iter()
        .filter_map(|(path, new)| {
            let old = original(&path);
            (old != new).then_some((path, (old, new)))
        })
        .collect();
    FixOutcome {
        output: texts.dockerfile,
        side_files,
        applied,
        discarded,
        diagnostics,
    }
}

fn dedup_codes(fixes: &[(&'static str, Fix)]) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = fixes.iter().map(|(c, _)| *c).collect();
    codes.sort();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_position_order() {
        let out = apply_edits(
            "abcdef",
            &[
                Edit::replace(4..5, "E"),
                Edit::insert(0, ">"),
                Edit::delete(1..2),
            ],
        );
        assert_eq!(out, ">acdEf");
    }

    use crate::diagnostics::Severity;

    fn diag(code: &'static str, fix: Fix) -> Diagnostic {
        Diagnostic {
            code,
            name: "test",
            severity: Severity::Warning,
            message: String::new(),
            range: 0..0,
            fix: Some(fix),
        }
    }

    #[test]
    fn a_fix_that_moves_the_layout_goes_first_and_alone() {
        // GM900's fix depends on whether GM911 has run; GM911's fix is `alone`. Were both applied
        // in one pass, GM900's text would be the one computed for the old layout.
        let src = "FROM golang:1.22\nRUN go build\n";
        let out = fix_until_stable(
            src,
            false,
            |df, _| {
                let moved = df.source.contains("WORKDIR /src");
                let mut d = Vec::new();
                if !df.source.contains("ENV AT=") {
                    let at = if moved { "src" } else { "go" };
                    d.push(diag(
                        "GM900",
                        Fix::safe("env", vec![Edit::insert(17, format!("ENV AT={at}\n"))]),
                    ));
                }
                if !moved {
                    d.push(diag(
                        "GM911",
                        Fix::safe("workdir", vec![Edit::insert(src.len(), "WORKDIR /src\n")])
                            .alone(),
                    ));
                }
                d
            },
            |t, _| Dockerfile::parse(t),
            |_| String::new(),
        )
        .unwrap();
        assert_eq!(
            out.output,
            "FROM golang:1.22\nENV AT=src\nRUN go build\nWORKDIR /src\n"
        );
        let order: Vec<&str> = out.applied.iter().map(|a| a.code).collect();
        assert_eq!(order, ["GM911", "GM900"]);
    }

    #[test]
    fn a_fix_that_changes_nothing_is_no_fix() {
        // Offered on every pass; were it taken for a change, the loop would never settle.
        let src = "FROM golang:1.22\n";
        let out = fix_until_stable(
            src,
            false,
            |_, _| {
                vec![diag(
                    "GM900",
                    Fix::safe("same", vec![Edit::replace(0..4, "FROM")]),
                )]
            },
            |t, _| Dockerfile::parse(t),
            |_| String::new(),
        )
        .unwrap();
        assert_eq!(out.output, src);
        assert!(out.applied.is_empty());
    }

    #[test]
    fn fix_that_parses_worse_is_discarded_and_good_ones_kept() {
        let src = "FROM golang:1.22\nRUN go build\n";
        let out = fix_until_stable(
            src,
            false,
            |df, _| {
                let mut d = Vec::new();
                if !df.source.contains("ENV A=1") {
                    d.push(diag(
                        "GM900",
                        Fix::safe("good", vec![Edit::insert(17, "ENV A=1\n")]),
                    ));
                }
                // Breaks the FROM line into garbage every time it is offered.
                d.push(diag(
                    "GM901",
                    Fix::safe("bad", vec![Edit::replace(0..4, "FROM --=\"[")]),
                ));
                d
            },
            |t, _| Dockerfile::parse(t),
            |_| String::new(),
        )
        .unwrap();
        assert_eq!(out.output, "FROM golang:1.22\nENV A=1\nRUN go build\n");
        assert_eq!(out.discarded.len(), 1);
        assert_eq!(out.discarded[0].code, "GM901");
        assert_eq!(out.applied.len(), 1);
    }

    #[test]
    fn endless_fixes_do_not_converge_and_name_the_rule() {
        let err = fix_until_stable(
            "FROM a\n",
            false,
            |df, _| {
                vec![diag(
                    "GM902",
                    Fix::safe("grow", vec![Edit::insert(df.source.len(), "ENV X=1\n")]),
                )]
            },
            |t, _| Dockerfile::parse(t),
            |_| String::new(),
        )
        .unwrap_err();
        assert_eq!(err.rules, vec!["GM902"]);
        assert!(err.to_string().contains("GM902"));
    }

    #[test]
    fn unsafe_fixes_wait_for_the_flag_and_overlaps_wait_a_pass() {
        let check = |df: &Dockerfile, _: &BTreeMap<String, String>| {
            let mut d = Vec::new();
            if !df.source.contains("ENV A=1") {
                d.push(diag(
                    "GM001",
                    Fix::safe("a", vec![Edit::insert(7, "ENV A=1\n")]),
                ));
            }
            if !df.source.contains("ENV B=1") {
                d.push(diag(
                    "GM002",
                    Fix::unsafe_("b", vec![Edit::insert(7, "ENV B=1\n")]),
                ));
            }
            d
        };
        let safe = fix_until_stable(
            "FROM a\n",
            false,
            check,
            |t, _| Dockerfile::parse(t),
            |_| String::new(),
        )
        .unwrap();
        assert_eq!(safe.output, "FROM a\nENV A=1\n");
        let all = fix_until_stable(
            "FROM a\n",
            true,
            check,
            |t, _| Dockerfile::parse(t),
            |_| String::new(),
        )
        .unwrap();
        // GM001 wins the first pass (code order); GM002 applies in the second.
        assert_eq!(all.output, "FROM a\nENV B=1\nENV A=1\n");
        assert_eq!(all.applied.len(), 2);
    }

    #[test]
    fn fixes_edit_context_files_and_see_their_new_text() {
        let out = fix_until_stable(
            "FROM a\n",
            false,
            |_, side| {
                // Re-include go.sum until the (simulated) .dockerignore has the line.
                let text = side
                    .get(".dockerignore")
                    .map(String::as_str)
                    .unwrap_or("*.sum\n");
                if text.contains("!go.sum") {
                    return Vec::new();
                }
                vec![diag(
                    "GM014",
                    Fix::safe(
                        "re-include",
                        vec![Edit::in_file(
                            ".dockerignore",
                            text.len()..text.len(),
                            "!go.sum\n",
                        )],
                    ),
                )]
            },
            |t, _| Dockerfile::parse(t),
            |path| {
                if path == ".dockerignore" {
                    "*.sum\n".into()
                } else {
                    String::new()
                }
            },
        )
        .unwrap();
        assert_eq!(out.output, "FROM a\n");
        assert_eq!(
            out.side_files.get(".dockerignore"),
            Some(&("*.sum\n".to_string(), "*.sum\n!go.sum\n".to_string()))
        );
    }

    #[test]
    fn touching_edits_conflict() {
        let mut o = Occupied::default();
        o.add(&Edit::replace(1..3, "x"));
        o.add(&Edit::replace(10..20, "x"));
        assert!(o.clashes(&Edit::insert(3, "y")), "touching the end");
        assert!(o.clashes(&Edit::insert(1, "y")), "touching the start");
        assert!(o.clashes(&Edit::replace(0..30, "y")), "covering");
        assert!(o.clashes(&Edit::insert(15, "y")), "inside");
        assert!(!o.clashes(&Edit::insert(4, "y")));
        assert!(!o.clashes(&Edit::replace(5..9, "y")));
        assert!(
            !o.clashes(&Edit::in_file(".dockerignore", 1..3, "y")),
            "other file"
        );
    }
}
