//! `no-error-detail-in-401`: don't tell an attacker why verification failed.
//! Documentation and examples: `no_error_detail_in_401.md` beside this file.

use super::{evidence, Context, FixKind, Rule};
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "no-error-detail-in-401",
    name: "NoErrorDetailIn401",
    default_severity: Severity::Warning,
    fix: FixKind::None,
    summary: "A 401/403 body echoes the caught exception, telling an attacker why verification failed (CWE-209).",
    doc: include_str!("no_error_detail_in_401.md"),
    cwe: &[209],
    security_severity: 5.0,
    check,
    roles: super::SHIPPED,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    let Some(echo) = &site.echoes_error else {
        return;
    };
    let Some(value) = site.codes().find(|v| v.code == 401 || v.code == 403) else {
        return;
    };
    let text = ctx.text.get(echo.clone()).unwrap_or("the error");
    out.push(
        Diagnostic::new(
            RULE.id,
            severity,
            echo.clone(),
            format!("the {} body echoes `{text}`: error details tell an attacker why verification failed (CWE-209); log them and return a generic message", value.code),
        )
        .with_related(value.range.clone(), format!("the {} status is set here", value.code))
        .with_confidence(confidence(site)),
    );
}

/// How sure it is that the echoed error says why *verification* failed: high
/// in a `catch`/`except` whose `try` verifies a credential (or names a
/// verification error); medium in an error handler, which sees every error,
/// a verifier's included; low in a `catch` around anything else, whose
/// errors are most often the application's own, written for the client.
fn confidence(site: &ResponseSite) -> Confidence {
    match &site.guard {
        Some(g) if g.in_catch => {
            if g.verified_by.is_some() || evidence::names_verification_error(&g.text) {
                Confidence::High
            } else {
                Confidence::Low
            }
        }
        _ => Confidence::Medium,
    }
}
