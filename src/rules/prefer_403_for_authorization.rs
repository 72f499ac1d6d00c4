//! `prefer-403-for-authorization`: a known caller who is not allowed gets 403.
//! Documentation and examples: `prefer_403_for_authorization.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "prefer-403-for-authorization",
    name: "Prefer403ForAuthorization",
    default_severity: Severity::Warning,
    fix: FixKind::Unsafe,
    summary: "401 is used where the caller is authenticated but not permitted; that is 403.",
    doc: include_str!("prefer_403_for_authorization.md"),
    cwe: &[285],
    security_severity: 3.0,
    check,
    roles: super::SHIPPED,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    for value in site.codes().filter(|v| v.code == 401) {
        let verdict = evidence::classify(site, value, ctx.text);
        let (Some(why), None) = (&verdict.authz, &verdict.authn) else {
            continue;
        };
        let non_credential_on = ctx
            .settings
            .level(super::no_401_for_non_credential_error::RULE.id)
            .severity()
            .is_some();
        if non_credential_on
            && super::reasons::stated_reason_wins(
                &verdict,
                super::reasons::non_credential(site, ctx.text).as_ref(),
            )
        {
            continue; // its message names another reason
        }
        let mut d = Diagnostic::new(
            RULE.id,
            severity,
            value.range.clone(),
            format!("401 used for an authorization failure ({why}): a caller who is authenticated but not allowed should get 403, or clients will try to log in again"),
        )
        .with_confidence(verdict.authz_confidence);
        if let Some(g) = &site.guard {
            d = d.with_related(g.range.clone(), "the permission check");
        }
        if let Some(r) = &site.identity_established {
            d = d.with_related(r.clone(), "the caller was authenticated here");
        }
        if let Some(fix) = fixes::swap_status(value, 403, ctx.text) {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
}
