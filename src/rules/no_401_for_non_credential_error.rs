//! `no-401-for-non-credential-error`: a 401 for something that is not about credentials.
//! Documentation and examples: `no_401_for_non_credential_error.md` beside this file.

use super::{evidence, fixes, reasons, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "no-401-for-non-credential-error",
    name: "No401ForNonCredentialError",
    default_severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "A 401 is sent for something other than missing or invalid credentials (a bad parameter, a missing record, an unverified e-mail, a plan limit, a rate limit).",
    doc: include_str!("no_401_for_non_credential_error.md"),
    cwe: &[703],
    security_severity: 2.0,
    check,
    roles: super::SHIPPED,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    let Some(reason) = reasons::non_credential(site, ctx.text) else {
        return;
    };
    let prefer_403_on = ctx
        .settings
        .level(super::prefer_403_for_authorization::RULE.id)
        .severity()
        .is_some();
    for value in site.codes().filter(|v| v.code == 401) {
        if prefer_403_on
            && evidence::is_really_403(site, value, ctx.text)
            && !reasons::stated_reason_wins(
                &evidence::classify(site, value, ctx.text),
                Some(&reason),
            )
        {
            continue; // `prefer-403-for-authorization` says the same
        }
        let mut d = Diagnostic::new(
            RULE.id,
            severity,
            value.range.clone(),
            format!(
                "401 sent for {}: a 401 tells the client its credentials are missing or invalid, so it signs the user in again; answer {} ({})",
                reason.what, reason.status, reason.status_name
            ),
        )
        .with_confidence(reason.confidence);
        if let Some(r) = &site.message_range {
            d = d.with_related(r.clone(), "the message gives the reason");
        } else if let Some(g) = &site.guard {
            d = d.with_related(g.range.clone(), "the condition that leads to this 401");
        }
        if let Some(fix) = fixes::swap_status(value, reason.status, ctx.text) {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
}
