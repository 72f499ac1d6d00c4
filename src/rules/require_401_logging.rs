//! `require-401-logging`: see `require_401_logging.md` beside this file.
use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "require-401-logging",
    name: "Require401Logging",
    default_severity: Severity::Warning,
    fix: FixKind::Safe,
    summary: "TODO",
    doc: include_str!("require_401_logging.md"),
    cwe: &[],
    security_severity: 5.0,
    check,
};

fn check(_ctx: &Context, _severity: Severity) -> Vec<Diagnostic> {
    Vec::new()
}
