//! `no-forwarded-401`: see `no_forwarded_401.md` beside this file.
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "no-forwarded-401",
    name: "NoForwarded401",
    default_severity: Severity::Warning,
    fix: FixKind::None,
    summary: "TODO",
    doc: include_str!("no_forwarded_401.md"),
    cwe: &[],
    security_severity: 5.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
