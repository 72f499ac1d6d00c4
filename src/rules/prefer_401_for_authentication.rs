//! `prefer-401-for-authentication`: missing or bad credentials get 401.
//! Documentation and examples: `prefer_401_for_authentication.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "prefer-401-for-authentication",
    name: "Prefer401ForAuthentication",
    default_severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "403 is used for missing, invalid or expired credentials; that is 401, so the client can authenticate or refresh.",
    doc: include_str!("prefer_401_for_authentication.md"),
    cwe: &[287],
    security_severity: 2.0,
    check,
};

fn check(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for site in &ctx.model.sites {
        for value in site.codes().filter(|v| v.code == 403) {
            let verdict = evidence::classify(site, value);
            let Some(why) = &verdict.authn else { continue };
            let message = if verdict.authz.is_none() {
                format!("403 used for an authentication failure ({why}): missing, invalid or expired credentials should get 401 so the client knows to authenticate or refresh")
            } else if verdict.mixed_or {
                "this condition mixes \"not logged in\" with \"not allowed\": callers with no credentials should get 401 (split the check and return 401 for the unauthenticated branch)".to_string()
            } else {
                continue;
            };
            let mut d = Diagnostic::new(RULE.id, severity, value.range.clone(), message);
            if let Some(g) = &site.guard {
                d = d.with_related(g.range.clone(), "the credential check");
            }
            if verdict.authz.is_none() {
                if let Some(fix) = fixes::swap_status(value, 401, ctx.text) {
                    d = d.with_fix(fix);
                }
            }
            out.push(d);
        }
    }
    out
}
