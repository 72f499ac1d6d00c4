//! `prefer-403-for-authorization`: see `prefer_403_for_authorization.md` beside this file.
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "prefer-403-for-authorization",
    name: "Prefer403ForAuthorization",
    default_severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "TODO",
    doc: include_str!("prefer_403_for_authorization.md"),
    cwe: &[],
    security_severity: 5.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
