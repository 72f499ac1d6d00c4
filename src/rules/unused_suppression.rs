//! `unused-suppression`: see `unused_suppression.md` beside this file.
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    name: "UnusedSuppression",
    default_severity: Severity::Warning,
    fix: FixKind::Safe,
    summary: "TODO",
    doc: include_str!("unused_suppression.md"),
    cwe: &[],
    security_severity: 5.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
