//! `prefer-401-for-authentication`: missing or bad credentials get 401.
//! Documentation and examples: `prefer_401_for_authentication.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::{ConditionSplit, ResponseSite};

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
    roles: super::SHIPPED,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    // A 403 whose challenge says `insufficient_scope` refuses a valid token
    // for its scope (RFC 6750 §3.1): authorization, said the standard way.
    if evidence::challenge_source(site, ctx.text).is_some_and(|c| c.contains("insufficient_scope"))
    {
        return;
    }
    if dead_login_check(site)
        || evidence::changes_own_password(site, ctx.text, false)
        || site
            .message
            .as_deref()
            .is_some_and(evidence::requires_a_way_of_signing_in)
    {
        return;
    }
    // An OAuth `state` that fails to decode is a forged or stale round trip,
    // not the caller's credential: 403 (or 400) is right.
    if site
        .message
        .as_deref()
        .is_some_and(super::reasons::names_oauth_state)
    {
        return;
    }
    for value in site.codes().filter(|v| v.code == 403) {
        let verdict = evidence::classify(site, value, ctx.text);
        let Some(why) = &verdict.authn else { continue };
        if kind_of_credential_required(site, why) || webhook_integrity(site, why, ctx.text) {
            continue;
        }
        let message = if verdict.authz.is_none() {
            format!("403 used for an authentication failure ({why}): missing, invalid or expired credentials should get 401 so the client knows to authenticate or refresh")
        } else if verdict.mixed_or {
            "this condition mixes \"not logged in\" with \"not allowed\": callers with no credentials should get 401 (split the check and return 401 for the unauthenticated branch)".to_string()
        } else {
            continue;
        };
        let mut d = Diagnostic::new(RULE.id, severity, value.range.clone(), message)
            .with_confidence(verdict.authn_confidence);
        if let Some(g) = &site.guard {
            d = d.with_related(g.range.clone(), "the credential check");
        }
        // Where the 403 comes from when the code says otherwise (a
        // framework's setting that turns the 401 into a 403).
        if let Some(h) = site.via_helper.as_ref().filter(|h| h.path.is_some()) {
            d.related = crate::diagnostic::appended(
                &d.related,
                crate::diagnostic::Related {
                    path: h.path.clone(),
                    range: h.range.clone(),
                    message: h.note.clone(),
                },
            );
        }
        if verdict.authz.is_none() {
            if let Some(fix) = fixes::swap_status(value, 401, ctx.text) {
                d = d.with_fix(fix);
            }
        } else if let Some(fix) = site
            .split
            .as_ref()
            .filter(|s| splits_cleanly(s))
            .and_then(|s| {
                fixes::split_condition(site, value, s, &ctx.settings.challenge, ctx.model, ctx.text)
            })
        {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
}

/// A webhook receiver refusing a call whose signature or shared token is
/// missing or wrong (`X-Hub-Signature`, `X-Gitlab-Token`): the sending
/// platform has no challenge to answer, and 403 is as right as 401.
fn webhook_integrity(site: &ResponseSite, why: &str, text: &str) -> bool {
    if !why.starts_with("the condition") {
        return false;
    }
    if why.contains("`signature`") {
        return true;
    }
    let handler = site.handler_text(text).unwrap_or("").to_ascii_lowercase();
    let guard = site
        .guard
        .as_ref()
        .map(|g| g.text.to_ascii_lowercase())
        .unwrap_or_default();
    // An API key or a bearer token is the caller's credential, webhook or not.
    let callers = ["authorization", "bearer", "api_key", "apikey", "api-key"]
        .iter()
        .any(|k| guard.contains(k));
    handler.contains("webhook") && !callers
}

/// The first operand is a credential check and nothing else
/// (`!session`, `not user`); every later one is about permissions
/// (`session.role !== 'admin'`). Only then is `if (first) 401; if (rest) 403`
/// the same program with the right status: the operands are still
/// evaluated in their original order.
/// The caller was already authenticated (a dependency, a decorator, an
/// earlier check) and the condition compares how (`auth_type != 'jwt'`,
/// `claims.typ != 'session'`): a route that wants another kind of
/// credential refuses a known caller, which is 403.
fn kind_of_credential_required(site: &ResponseSite, why: &str) -> bool {
    let Some(g) = site.guard.as_ref().filter(|g| !g.in_catch) else {
        return false;
    };
    if tests_credential_kind(&g.text) && !why.starts_with("the message") {
        return true;
    }
    let compares_to_literal = ["!= '", "!= \"", "!== '", "!== \"", "!== `"]
        .iter()
        .any(|op| g.text.contains(op));
    // `not user or user.role != 'admin'` still tests for a missing caller.
    let t = g.text.to_ascii_lowercase();
    let absence = t.contains("not ")
        || t.contains("is none")
        || t.contains("null")
        || t.contains("undefined")
        || t.as_bytes()
            .windows(2)
            .any(|w| w[0] == b'!' && w[1] != b'=');
    site.identity_established.is_some()
        && why.starts_with("the condition")
        && compares_to_literal
        && !absence
}

/// The condition asks which kind of credential the caller presented: a
/// kind or method field compared (`auth.authType !== 'jwt'`,
/// `parsed?.kind !== TokenKind.API`, `context.method in {API_KEY, …}`) or a
/// predicate naming one (`current_auth_is_api_key()`), or where it came
/// from (`req.tokenSource !== 'cookie'`: a consent form that refuses a
/// bearer token). A credential of the wrong kind or the wrong transport is
/// not missing or invalid: the route's policy refuses it.
fn tests_credential_kind(cond: &str) -> bool {
    let t = evidence::norm_condition(cond);
    const KIND: &[&str] = &[
        "authtype",
        "auth_type",
        "authmethod",
        "auth_method",
        ".method",
        ".kind",
        "tokenkind",
        "token_kind",
        "tokentype",
        "token_type",
        "tokensource",
        "token_source",
        "authsource",
        "auth_source",
        ".typ'",
        ".typ\"",
        "'typ'",
        "\"typ\"",
    ];
    let compared = KIND.iter().any(|k| {
        t.match_indices(k).any(|(i, _)| {
            // The comparison follows the accessor (a call's or a
            // subscript's closing bracket and a default may come between).
            // `req.method` is the HTTP method.
            let object = t[..i]
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next();
            if *k == ".method" && matches!(object, Some("req" | "request" | "event")) {
                return false;
            }
            let mut rest = &t[i + k.len()..];
            // Between them: a closing bracket or quote, a default (`, None)`).
            loop {
                let before = rest;
                rest = rest.trim_start_matches(['\'', '"', ')', ']', ',']);
                for default in ["none", "null", "undefined"] {
                    rest = rest.strip_prefix(default).unwrap_or(rest);
                }
                if rest == before {
                    break;
                }
            }
            ["!=", "==", "in{", "in[", "in(", "notin"]
                .iter()
                .any(|op| rest.starts_with(op))
        })
    });
    let predicate = [
        "is_api_key",
        "isapikey",
        "via_api_key",
        "viaapikey",
        "is_apikey",
    ]
    .iter()
    .any(|k| t.contains(k));
    compared || predicate
}

/// `if not request.user.is_authenticated: return HttpResponseForbidden()`
/// under `@login_required` (or after an earlier check that rejected
/// anonymous callers): the decorator already answered them, so this check
/// never runs, and its status does not matter.
fn dead_login_check(site: &ResponseSite) -> bool {
    let Some(g) = site.guard.as_ref().filter(|g| !g.in_catch) else {
        return false;
    };
    let t = g.text.trim().to_ascii_lowercase();
    let single = !["&&", "||", " and ", " or "]
        .iter()
        .any(|op| t.contains(op));
    // `!req.user`, `!this.request.user`, `!user`: no user at all.
    let no_user = t.starts_with('!')
        && (t == "!user" || t.ends_with(".user"))
        && t[1..]
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
    site.identity_established.is_some()
        && single
        && ((t.starts_with("not ") && t.ends_with(".is_authenticated"))
            || t.ends_with(".is_anonymous")
            || no_user)
}

fn splits_cleanly(split: &ConditionSplit) -> bool {
    let mut parts = split
        .disjuncts
        .iter()
        .map(|(_, t)| evidence::condition_tests(t));
    parts.next() == Some((true, false)) && parts.all(|(_, authz)| authz)
}

#[cfg(test)]
mod tests {
    use super::tests_credential_kind;

    #[test]
    fn a_credential_kind_is_a_policy() {
        assert!(tests_credential_kind(
            "auth.authType !== 'jwt' || !auth.userId"
        ));
        assert!(tests_credential_kind(
            "parsedToken?.kind !== AuthorizationTokenKind.API_TOKEN"
        ));
        assert!(tests_credential_kind(
            "context is None or context.method in {AUTH_METHOD_API_KEY, X}"
        ));
        assert!(tests_credential_kind("current_auth_is_api_key()"));
        assert!(tests_credential_kind(
            "getattr(request.state, 'auth_type', None) != 'jwt'"
        ));
        assert!(!tests_credential_kind("!token"));
        assert!(!tests_credential_kind("req.method !== 'GET' && !apiKey"));
        assert!(!tests_credential_kind("!req.headers.authorization"));
    }
}
