//! `no-forwarded-401`: don't pass an upstream status straight through.
//! Documentation and examples: `no_forwarded_401.md` beside this file.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::{ResponseSite, Status};

pub static RULE: Rule = Rule {
    id: "no-forwarded-401",
    name: "NoForwarded401",
    default_severity: Severity::Warning,
    fix: FixKind::None,
    summary: "An upstream service's status is passed straight through, turning a third party's 401 into your own.",
    doc: include_str!("no_forwarded_401.md"),
    cwe: &[287],
    security_severity: 3.0,
    check,
    roles: super::APP_AND_DOCS,
    once_per_range: false,
};

fn check(_ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    if let Status::Forwarded { range, source } = &site.status {
        out.push(Diagnostic::new(
            RULE.id,
            severity,
            range.clone(),
            format!("`{source}` passes an upstream status straight through: when that service answers 401, your client is told to re-authenticate with you; map upstream auth failures to 502 or 500 (and log them)"),
        ));
    }
}
