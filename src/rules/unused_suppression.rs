//! `unused-suppression`: suppression comments that are malformed or silence nothing.
//! The check lives in `crate::suppress`, which sees every finding; this file
//! holds the rule's metadata. Documentation: `unused_suppression.md`.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::ResponseSite;

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
    roles: super::SHIPPED,
    once_per_range: false,
};

/// Reported by the suppression pass, which sees every finding.
fn check(_ctx: &Context, _site: &ResponseSite, _severity: Severity, _out: &mut Vec<Diagnostic>) {}
