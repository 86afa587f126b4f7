//! The pull request's title and body, and the commit message: a summary table, each rule's
//! short explanation with a link to its documentation, the unsafe fixes not applied, and the diff
//! in a collapsed block truncated to stay inside GitHub's body limit.

use std::collections::BTreeSet;

use crate::fix::Applicability;
use crate::render::rule_url;
use crate::rules;

/// GitHub refuses bodies over 65,536 characters; stay well below.
pub const MAX_BODY: usize = 60_000;

#[derive(Debug, Default)]
pub struct PrContent {
    /// (file, code, fix title, applicability) of every fix applied.
    pub applied: Vec<(String, &'static str, String, Applicability)>,
    /// (file, code, fix title) of fixes left for a human (unsafe, not applied).
    pub not_applied: Vec<(String, &'static str, String)>,
    pub diff: String,
    pub unsafe_fixes: bool,
    /// `--verify`: the builds before and after the fixes, and the command that ran them.
    pub verified: Vec<super::verify::Verified>,
    pub verified_with: String,
}

impl PrContent {
    fn codes(&self) -> BTreeSet<&'static str> {
        self.applied.iter().map(|(_, c, _, _)| *c).collect()
    }

    pub fn title(&self) -> String {
        let codes: Vec<&str> = self.codes().into_iter().collect();
        format!("Fix Go builds in Dockerfiles ({})", codes.join(", "))
    }

    pub fn commit_message(&self) -> String {
        let mut m = format!("{}\n\nApplied by gomodfix:\n", self.title());
        for code in self.codes() {
            let name = rules::find(code).map_or("", |r| r.meta().name);
            let n = self
                .applied
                .iter()
                .filter(|(_, c, _, _)| *c == code)
                .count();
            m.push_str(&format!(
                "- {code} {name} ({n} fix{})\n",
                if n == 1 { "" } else { "es" }
            ));
        }
        if !self.verified.is_empty() {
            // Git trailers: the last paragraph, `Key: value`.
            m.push_str(&format!("\nVerified-with: {}\n", self.verified_with));
            for v in &self.verified {
                m.push_str(&format!(
                    "Build-verified: {} ({})\n",
                    v.dockerfile,
                    v.outcome()
                ));
            }
        }
        m
    }
}

/// The pull request's title and markdown body.
pub fn render(c: &PrContent) -> (String, String) {
    let mut b = String::from(
        "gomodfix found Dockerfile mistakes that break or slow Go builds and fixed them.\n\n",
    );
    b.push_str("| file | code | rule | fix | safety |\n|---|---|---|---|---|\n");
    for (file, code, title, app) in &c.applied {
        let name = rules::find(code).map_or("", |r| r.meta().name);
        let safety = if *app == Applicability::Safe {
            "safe"
        } else {
            "unsafe"
        };
        b.push_str(&format!(
            "| `{file}` | [{code}]({}) | {name} | {} | {safety} |\n",
            rule_url(code),
            title.replace('|', "\\|")
        ));
    }
    b.push_str("\n### Why\n\n");
    for code in c.codes() {
        if let Some(r) = rules::find(code) {
            let m = r.meta();
            b.push_str(&format!(
                "- **[{code} {}]({})**: {}.\n",
                m.name,
                rule_url(code),
                m.summary
            ));
        }
    }
    if !c.not_applied.is_empty() {
        b.push_str("\n### Not applied\n\nThese fixes are unsafe (they may change what the build does) and were left for review; run `gomodfix --write --unsafe-fixes` to apply them:\n\n");
        for (file, code, title) in &c.not_applied {
            b.push_str(&format!(
                "- `{file}`: [{code}]({}) {title}\n",
                rule_url(code)
            ));
        }
    }
    if !c.verified.is_empty() {
        b.push_str(&format!(
            "\n### Builds verified\n\nEach changed Dockerfile was built before and after the fixes with `{}`:\n\n| Dockerfile | before | after |\n|---|---|---|\n",
            c.verified_with
        ));
        let word = |ok: bool| if ok { "builds" } else { "fails" };
        for v in &c.verified {
            b.push_str(&format!(
                "| `{}` | {} | {} |\n",
                v.dockerfile,
                word(v.before),
                word(v.after)
            ));
        }
    }
    b.push_str("\n<details><summary>Diff</summary>\n\n```diff\n");
    let room = MAX_BODY.saturating_sub(b.len() + 200);
    if c.diff.len() > room {
        let mut cut = room;
        while !c.diff.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = c.diff[..cut].rfind('\n').map_or(cut, |p| p + 1);
        b.push_str(&c.diff[..cut]);
        b.push_str("```\n\n(diff truncated; the commit has all changes)\n");
    } else {
        b.push_str(&c.diff);
        b.push_str("```\n");
    }
    b.push_str("\n</details>\n");
    (c.title(), b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_truncated_under_the_limit() {
        let c = PrContent {
            applied: vec![(
                "Dockerfile".into(),
                "GM003",
                "Add cache mounts".into(),
                Applicability::Safe,
            )],
            diff: "+x\n".repeat(40_000),
            ..Default::default()
        };
        let (title, body) = render(&c);
        assert_eq!(title, "Fix Go builds in Dockerfiles (GM003)");
        assert!(body.len() < MAX_BODY, "{}", body.len());
        assert!(body.contains("(diff truncated"));
    }
}
