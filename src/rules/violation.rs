//! [`Violation`]: one kind of finding of a rule, its message and its fix title written in one
//! place (ruff's `Violation`), so a rule's logic says *which* finding it made, not its wording.

use super::RuleMeta;
use crate::fix::{Edit, Fix};

/// One distinct finding of a rule. Each rule declares an enum (or a struct) of its findings next
/// to its `declare_rule!`, implements this for it, and reports through
/// [`RuleContext::report`](super::RuleContext::report); each kind's doc comment names the
/// `fixtures/GMxxx/` cases that show it.
pub trait Violation {
    /// The rule that reports it (its `META`).
    const RULE: &'static RuleMeta;

    /// The diagnostic's message.
    fn message(&self) -> String;

    /// The title of the fix this finding offers; `None` when it never offers one.
    fn fix_title(&self) -> Option<String> {
        None
    }

    /// A safe fix with [`Self::fix_title`].
    fn safe_fix(&self, edits: Vec<Edit>) -> Fix {
        Fix::safe(title(self), edits)
    }

    /// An unsafe fix with [`Self::fix_title`].
    fn unsafe_fix(&self, edits: Vec<Edit>) -> Fix {
        Fix::unsafe_(title(self), edits)
    }
}

fn title<V: Violation + ?Sized>(v: &V) -> String {
    let title = v.fix_title();
    debug_assert!(
        title.is_some(),
        "{}: a fix for a finding without a fix title",
        V::RULE.code
    );
    title.unwrap_or_default()
}
