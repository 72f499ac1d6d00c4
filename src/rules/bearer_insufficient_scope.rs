//! `bearer-insufficient-scope`: a 403 for a missing OAuth scope says so in a Bearer challenge.
//! Documentation and examples: `bearer_insufficient_scope.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::engine::credential;
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "bearer-insufficient-scope",
    name: "BearerInsufficientScope",
    default_severity: Severity::Info,
    fix: FixKind::Safe,
    summary: "A 403 for a token that lacks a scope has no `WWW-Authenticate: Bearer error=\"insufficient_scope\"` challenge naming the scope (RFC 6750 §3.1).",
    doc: include_str!("bearer_insufficient_scope.md"),
    cwe: &[],
    security_severity: 1.0,
    check,
    roles: super::SHIPPED,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    if !site.has_code(403) || site.has_code(401) || site.status_from_helper {
        return;
    }
    // The condition right above the 403 (not an outer one: a scope check
    // around an ownership check does not make the ownership 403 about scope).
    let guard = site
        .guard
        .as_ref()
        .and_then(|g| ctx.text.get(g.range.clone()))
        .unwrap_or("");
    let message = site.message.as_deref().unwrap_or("");
    let about_scope = oauth_scope_test(guard) || oauth_scope_message(message);
    if evidence::challenge_source(site, ctx.text).is_some_and(|c| c.contains("insufficient_scope"))
    {
        return;
    }
    if !about_scope
        || !credential::bearer_protected(ctx.text, site, ctx.file_credentials())
        || another_scheme_last(ctx.text, site)
    {
        return;
    }
    let scopes = scopes_in(guard);
    let mut param = String::from(r#"error="insufficient_scope""#);
    if !scopes.is_empty() {
        param.push_str(&format!(r#", scope="{}""#, scopes.join(" ")));
    }
    let fix = match &site.headers.challenge {
        None => site
            .headers
            .insertion
            .as_ref()
            .map(|ins| fixes::add_challenge(ins, &format!("Bearer {param}"), ctx.model)),
        Some(ch) => {
            // A template built at run time, whose text shows no error code:
            // reported, with no fix. A value a function builds says nothing.
            let Some(value) = ch.literal.as_deref() else {
                if evidence::challenge_is_template(ch, ctx.text) {
                    out.push(Diagnostic::new(
                        RULE.id,
                        severity,
                        site.range.clone(),
                        message_for(&param),
                    ));
                }
                return;
            };
            let lower = value.to_ascii_lowercase();
            if lower.contains("insufficient_scope") {
                return;
            }
            let one_bearer = crate::rules::is_one_bearer_challenge(value);
            let local = !ch.shared && !ch.evidence.as_ref().is_some_and(|e| e.path.is_some());
            (one_bearer && local && !lower.contains("error="))
                .then(|| fixes::append_param(ctx.text, ch, value, &param))
                .flatten()
                .map(|edit| Fix {
                    title: format!("Add `{param}` to the challenge").into(),
                    safe: true,
                    edits: vec![edit],
                })
        }
    };
    let mut d = Diagnostic::new(RULE.id, severity, site.range.clone(), message_for(&param));
    if let Some(fix) = fix {
        d = d.with_fix(fix);
    }
    out.push(d);
}

/// The condition tests a token's OAuth scopes: a list of scopes, a scope
/// string split or searched, a scope predicate, or a scope compared with a
/// scope name. Not a record's "scope" (`canManageRoleBindingScope(…)`, a
/// `scope.accessLevel` field), which is the application's own word.
fn oauth_scope_test(guard: &str) -> bool {
    let g = evidence::norm_condition(guard);
    if !g.contains("scope") {
        return false;
    }
    let strong = [
        "scopes",
        "hasscope",
        "has_scope",
        "requiredscope",
        "required_scope",
        "scope.split",
        "scope.includes",
        "scope.has(",
        "scope.indexof",
        "insufficient_scope",
        "\"scope\"",
        "'scope'",
    ]
    .iter()
    .any(|k| g.contains(k));
    // A scope object's field (`auth.scope.accessLevel`) is not a scope.
    let field_of_scope = g.match_indices("scope.").any(|(i, _)| {
        !["split", "includes", "has(", "indexof"]
            .iter()
            .any(|m| g[i + 6..].starts_with(m))
    });
    // Otherwise the word itself (not `scope_type` or `canManageRoleBindingScope`)
    // beside a scope name.
    let word = g.match_indices("scope").any(|(i, _)| {
        let wordy = |c: char| c.is_ascii_alphanumeric() || c == '_';
        !g[..i].chars().next_back().is_some_and(wordy)
            && !g[i + 5..].trim_start_matches('s').starts_with(wordy)
    });
    strong || (word && !field_of_scope && !scopes_in(guard).is_empty())
}

/// The message speaks of a missing scope ("insufficient scope", "missing
/// scope: write", "requires the admin scope"), not of something scoped.
fn oauth_scope_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    let words: Vec<&str> = m
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words.contains(&"insufficient_scope")
        || words.iter().enumerate().any(|(i, w)| {
            matches!(*w, "scope" | "scopes")
                && (words[..i].iter().rev().take(3).any(|p| {
                    matches!(
                        *p,
                        "insufficient"
                            | "missing"
                            | "required"
                            | "requires"
                            | "require"
                            | "lacks"
                            | "oauth"
                            | "token"
                    )
                }) || words
                    .get(i + 1)
                    .is_some_and(|n| matches!(*n, "required" | "missing" | "insufficient")))
        })
}

fn message_for(param: &str) -> String {
    format!("this 403 refuses a token that lacks a scope: say so with `WWW-Authenticate: Bearer {param}` (RFC 6750 §3.1), so the client can ask for a token with that scope instead of giving up")
}

/// The scope names a condition tests: its string literals that are scope
/// tokens (RFC 6749 §3.3: no spaces, quotes or backslashes), at most three.
fn scopes_in(guard: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = guard;
    while let Some(open) = rest.find(['\'', '"', '`']) {
        let q = rest[open..].chars().next().unwrap_or('\'');
        let after = &rest[open + 1..];
        let Some(close) = after.find(q) else { break };
        let lit = &after[..close];
        let is_scope = !lit.is_empty()
            && lit.len() <= 64
            && lit.chars().any(|c| c.is_ascii_alphabetic())
            && lit
                .bytes()
                .all(|b| (0x21..=0x7e).contains(&b) && b != b'"' && b != b'\\' && b != b'$');
        // Not a key (`claims["scopes"]`) or the name of the field.
        let key = rest[..open].ends_with('[') && after[close + 1..].starts_with(']');
        let is_scope = is_scope && !key && !lit.to_ascii_lowercase().contains("scope");
        if is_scope && !out.iter().any(|s| s == lit) {
            out.push(lit.to_string());
        }
        rest = &after[close + 1..];
    }
    if out.len() > 3 {
        out.clear();
    }
    out
}

/// In a handler that tries several schemes in turn, the branch the site is
/// in authenticated something else: the last scheme named before it is an
/// API key, Basic credentials or a proxy's user header, not a Bearer token.
fn another_scheme_last(text: &str, site: &ResponseSite) -> bool {
    let start = site
        .handler
        .as_ref()
        .map_or(site.range.start.saturating_sub(3000), |h| h.start);
    let Some(before) = text.get(start.min(site.range.start)..site.range.start) else {
        return false;
    };
    let lower = before.to_ascii_lowercase();
    let last = |words: &[&str]| words.iter().filter_map(|w| lower.rfind(w)).max();
    let bearer = last(&["bearer", "jwt", "access_token", "accesstoken"]);
    // Reads of another scheme's credential, not names that merely mention
    // keys (`c.env.API_KEYS`, a key store).
    let other = last(&[
        "x-api-key",
        "'api-key'",
        "\"api-key\"",
        "'key ",
        "\"key ",
        "basic ",
        "proxy_user",
        "proxy-user",
        "remote-user",
        "remote_user",
    ]);
    match (bearer, other) {
        (Some(b), Some(o)) => o > b,
        (None, Some(_)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{oauth_scope_message, oauth_scope_test, scopes_in};

    #[test]
    fn only_oauth_scopes_count() {
        assert!(oauth_scope_test(
            "!claims.scope.split(' ').includes('notes:write')"
        ));
        assert!(oauth_scope_test("'read' not in token.scopes"));
        assert!(oauth_scope_test("!hasScope(user, 'write')"));
        assert!(oauth_scope_test("token.scope !== 'admin'"));
        assert!(!oauth_scope_test(
            "!(await canManageRoleBindingScope(c, db, binding))"
        ));
        assert!(!oauth_scope_test(
            "authCheck.scope.accessLevel !== \"project\" || !authCheck.scope.projectId"
        ));
        assert!(oauth_scope_message("Insufficient scope"));
        assert!(oauth_scope_message("missing scope: notes:write"));
        assert!(oauth_scope_message("The token requires the admin scope"));
        assert!(!oauth_scope_message(
            "Tenant-scoped manual skill sync requires platform credential access"
        ));
        assert!(!oauth_scope_message("Forbidden - Admin rights required"));
    }

    #[test]
    fn scope_names_come_from_the_condition() {
        assert_eq!(
            scopes_in("!claims.scope.split(' ').includes('notes:write')"),
            ["notes:write"]
        );
        assert_eq!(scopes_in("'read' not in token.scopes"), ["read"]);
        assert_eq!(
            scopes_in("\"reports:read\" not in claims[\"scp\"]"),
            ["reports:read"]
        );
        assert_eq!(scopes_in("'a:b' not in claims.get('scopes', [])"), ["a:b"]);
        assert!(scopes_in("!hasScope(user)").is_empty());
        assert!(scopes_in("!['a', 'b', 'c', 'd'].every(s => scopes.has(s))").is_empty());
    }
}
