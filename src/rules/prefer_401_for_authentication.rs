//! `prefer-401-for-authentication`: see `prefer_401_for_authentication.md` beside this file.
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "prefer-401-for-authentication",
    name: "Prefer401ForAuthentication",
    default_severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "TODO",
    doc: include_str!("prefer_401_for_authentication.md"),
    cwe: &[],
    security_severity: 5.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
