//! `bearer-error-code`: a Bearer challenge for a bad token says `error="invalid_token"`.
//! Documentation and examples: `bearer_error_code.md` beside this file.

use super::{fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "bearer-error-code",
    name: "BearerErrorCode",
    default_severity: Severity::Info,
    fix: FixKind::Safe,
    summary: "A Bearer challenge on a 401 for a bad or expired token lacks `error=\"invalid_token\"` (RFC 6750 §3.1).",
    doc: include_str!("bearer_error_code.md"),
    cwe: &[],
    security_severity: 1.0,
    check,
    roles: super::SHIPPED,
    once_per_range: true,
};

/// The 401 is about a token that was sent but is bad or expired.
fn bad_token(site: &ResponseSite) -> bool {
    let msg = site.message.as_deref().unwrap_or("").to_lowercase();
    let guard = site
        .guard
        .as_ref()
        .map(|g| g.text.to_lowercase())
        .unwrap_or_default();
    // A `catch` around verifying the token, not around parsing the header
    // (`except ValueError` after splitting it): RFC 6750 answers a
    // malformed request with `invalid_request`, not `invalid_token`.
    let in_catch = site.guard.as_ref().is_some_and(|g| {
        g.in_catch
            && (g.verified_by.is_some() || super::evidence::names_verification_error(&g.text))
    });
    let says_bad = [
        "invalid token",
        "expired",
        "invalid jwt",
        "jwt malformed",
        "token is invalid",
        "bad token",
        "invalid or expired",
        "invalid session",
        "invalid_token",
        "verification failed",
    ]
    .iter()
    .any(|k| msg.contains(k));
    // A condition that also holds when no credential was sent
    // (`!token || !verify(token)`): RFC 6750 §3.1 says a request without
    // one gets no error code.
    let absent_disjunct = guard.split("||").flat_map(|d| d.split(" or ")).any(|d| {
        let d = d.trim().trim_start_matches('(');
        (d.starts_with('!') || d.starts_with("not "))
            && ["authorization", "header", "token", "cookie"]
                .iter()
                .any(|w| d.contains(w))
            && !["verif", "valid", "decode", "check", "expire"]
                .iter()
                .any(|w| d.contains(w))
    });
    let missing = guard.contains("!token")
        || guard.contains("!authheader")
        || guard.contains("not token")
        || absent_disjunct
        || msg.contains("missing")
        || msg.contains("header format");
    (says_bad || in_catch || guard.contains("expired") || guard.contains("verify")) && !missing
}

/// Sites sharing a challenge report it once: see [`Rule::once_per_range`].
fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    if site.has_code(401) && bad_token(site) {
        let Some(ch) = &site.headers.challenge else {
            return;
        };
        let Some(value) = &ch.literal else { return };
        // A shared constant also serves other responses (a missing-token 401
        // must not say `invalid_token`): editing it is not this site's fix.
        if ch.shared
            || ch.value_range.is_empty()
            || ch.evidence.as_ref().is_some_and(|e| e.path.is_some())
        {
            return;
        }
        let lower = value.to_ascii_lowercase();
        let one_bearer = crate::rules::is_one_bearer_challenge(value);
        if !one_bearer || lower.contains("error=") {
            return;
        }
        let Some(edit) = fixes::append_param(ctx.text, ch, value, r#"error="invalid_token""#)
        else {
            return;
        };
        out.push(
            Diagnostic::new(
                RULE.id,
                severity,
                ch.value_range.clone(),
                "this 401 rejects a bad or expired token: add `error=\"invalid_token\"` to the Bearer challenge (RFC 6750 §3.1) so clients know to refresh rather than ask the user to log in",
            )
            .with_fix(Fix { title: "Add `error=\"invalid_token\"` to the challenge".into(), safe: true, edits: vec![edit] }),
        );
    }
}
