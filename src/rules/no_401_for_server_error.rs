//! `no-401-for-server-error`: a missing secret is the server's failure, not the caller's.
//! Documentation and examples: `no_401_for_server_error.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "no-401-for-server-error",
    name: "No401ForServerError",
    default_severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "A 401 answers the server's own failure (a missing secret or environment variable); that is a 500.",
    doc: include_str!("no_401_for_server_error.md"),
    cwe: &[755],
    security_severity: 3.0,
    check,
    roles: super::SHIPPED,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    if evidence::is_server_error(site) {
        for value in site.codes().filter(|v| v.code == 401) {
            let mut d = Diagnostic::new(
                RULE.id,
                severity,
                value.range.clone(),
                "401 returned because the server is misconfigured (a secret or environment variable is missing): the caller's credentials are not the problem, so answer 500 and log it",
            );
            if let Some(g) = &site.guard {
                d = d.with_related(
                    g.range.clone(),
                    "this checks the server's configuration, not the request",
                );
            }
            if let Some(fix) = fixes::swap_status(value, 500, ctx.text) {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
}
