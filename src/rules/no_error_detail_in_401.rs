//! `no-error-detail-in-401`: don't tell an attacker why verification failed.
//! Documentation and examples: `no_error_detail_in_401.md` beside this file.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
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
        .with_related(value.range.clone(), format!("the {} status is set here", value.code)),
    );
}
