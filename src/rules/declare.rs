//! [`declare_rule!`]: a rule's unit struct, its `static META` and its `impl Rule`, written once.

/// Declares a rule: the unit struct, `pub(crate) static META: RuleMeta` and the `impl Rule`
/// whose `meta()` returns it and whose `check()` calls the struct's own (inherent)
/// `fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>)`, which the rule file writes:
///
/// ```ignore
/// declare_rule! {
///     /// Doc comment of the struct (optional).
///     pub struct MyRule;
///     code: "GM0NN",
///     name: "my-rule",
///     summary: "One line: what the rule finds",
///     severity: Warning,  // a `Severity` variant
///     fix: Safe,          // a `FixAvailability` variant
///     doc: r#"## What it does ..."#,
/// }
///
/// impl MyRule {
///     fn check(&self, cx: &RuleContext, out: &mut Vec<Diagnostic>) { ... }
/// }
/// ```
macro_rules! declare_rule {
    (
        $(#[$attr:meta])*
        pub struct $rule:ident;
        code: $code:literal,
        name: $name:literal,
        summary: $summary:literal,
        severity: $severity:ident,
        fix: $fix:ident,
        doc: $doc:literal $(,)?
    ) => {
        $(#[$attr])*
        pub struct $rule;

        pub(crate) static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            code: $code,
            name: $name,
            summary: $summary,
            severity: $crate::rules::Severity::$severity,
            fix: $crate::rules::FixAvailability::$fix,
            doc: $doc,
        };

        impl $crate::rules::Rule for $rule {
            fn meta(&self) -> &'static $crate::rules::RuleMeta {
                &META
            }

            fn check(
                &self,
                cx: &$crate::rules::RuleContext,
                out: &mut Vec<$crate::rules::Diagnostic>,
            ) {
                // The inherent `check` of the rule file (inherent items win over trait items).
                $rule::check(self, cx, out)
            }
        }
    };
}
