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
        .with_confidence(confidence(ctx, site, text)),
    );
}

/// How sure it is that the echoed error says why *verification* failed:
/// - high in a `catch`/`except` whose `try` verifies a credential (or that
///   names a verification error);
/// - medium in an error handler that receives the error as a parameter (it
///   sees every error, a verifier's included), unless the condition picks an
///   error class that is not a verifier's (`err instanceof ServiceError`);
/// - low otherwise: a `catch` around anything else, or an `error` that is a
///   result the code built itself, whose messages are most often the
///   application's own, written for the client.
fn confidence(ctx: &Context, site: &ResponseSite, echo: &str) -> Confidence {
    // `exc.detail` of an HTTP error (DRF's `AuthenticationFailed`,
    // Starlette's `HTTPException`) is the text written for the client.
    if echo.trim_end().ends_with(".detail") {
        return Confidence::Low;
    }
    // The handler picks a known application error by its message or code
    // (`error.message?.startsWith(DOMAIN_NOT_ALLOWED)`, `err.code === …`):
    // its text is the application's own.
    let picks_app_error = site.guard.as_ref().is_some_and(|g| {
        let t = g.text.replace(' ', "");
        [
            ".startsWith(",
            ".code===",
            ".code==",
            ".name===",
            ".includes(",
        ]
        .iter()
        .any(|k| t.contains(k))
    });
    let is_401 = site.codes().any(|v| v.code == 401);
    match &site.guard {
        Some(g) if g.in_catch => {
            if g.verified_by.is_some() || evidence::names_verification_error(&g.text) {
                Confidence::High
            } else {
                Confidence::Low
            }
        }
        guard => {
            let root = echo
                .trim_start_matches(['(', '`', '$', '{'])
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .next()
                .unwrap_or("");
            let app_error_class = guard.as_ref().is_some_and(|g| {
                g.text.split("instanceof").skip(1).any(|rest| {
                    let class = rest.trim_start().to_ascii_lowercase();
                    !["jwt", "token", "verif", "signature", "jose", "auth"]
                        .iter()
                        .any(|k| {
                            class
                                .split(|c: char| !c.is_alphanumeric())
                                .next()
                                .unwrap_or("")
                                .contains(k)
                        })
                })
            });
            let from_verifier = is_handler_param(ctx.text, site, root)
                || destructured_from_verifier(ctx.text, site, root);
            // A 403 in a handler that sees every error is most often a
            // permission refusal in the application's own words.
            if !app_error_class && !picks_app_error && is_401 && from_verifier {
                Confidence::Medium
            } else {
                Confidence::Low
            }
        }
    }
}

/// Whether `name` is destructured from a call to an authentication API
/// (`const { data, error } = await supabase.auth.getUser(token)`,
/// `verifyToken(…)`), whose error says why verification failed; not from
/// the application's own function returning fixed messages.
fn destructured_from_verifier(text: &str, site: &ResponseSite, name: &str) -> bool {
    let Some(handler) = site.handler_text(text) else {
        return false;
    };
    handler.lines().any(|line| {
        let Some((pattern, value)) = line.split_once('=') else {
            return false;
        };
        let names_it = pattern.contains('{')
            && pattern
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .any(|w| w == name);
        let v = value.to_ascii_lowercase();
        names_it && (v.contains(".auth.") || v.contains("verify") || v.contains("jwt"))
    })
}

/// Whether `name` is a parameter of the site's enclosing function (what
/// its text says before the body opens).
fn is_handler_param(text: &str, site: &ResponseSite, name: &str) -> bool {
    let Some(handler) = site.handler_text(text) else {
        return false;
    };
    let head = handler.split(['{', '\n']).next().unwrap_or("");
    !name.is_empty()
        && head
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .any(|w| w == name)
}
