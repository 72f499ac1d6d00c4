//! `require-www-authenticate`: see `require_www_authenticate.md` beside this file.
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "require-www-authenticate",
    name: "RequireWwwAuthenticate",
    default_severity: Severity::Error,
    fix: FixKind::Safe,
    summary: "TODO",
    doc: include_str!("require_www_authenticate.md"),
    cwe: &[],
    security_severity: 5.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
