//! `unused-suppression`: suppression comments that are malformed or silence nothing.
//! The check lives in `crate::suppress`, which sees every finding; this file
//! holds the rule's metadata. Documentation: `unused_suppression.md`.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    name: "UnusedSuppression",
    default_severity: Severity::Warning,
    fix: FixKind::Safe,
    summary:
        "An `authlint-ignore` comment has no reason, names an unknown rule, or suppresses nothing.",
    doc: include_str!("unused_suppression.md"),
    cwe: &[],
    security_severity: 1.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
