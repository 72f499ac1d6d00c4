//! What a guarding condition tests, read from its text: the credential
//! (`!token`, `!req.user`, an `Authorization` header), a permission (a
//! role, a scope, an owner compared), the deployment's settings, or only
//! that a credential is there. Words are matched on a normalised,
//! lower-cased condition, bounded so that `!user.isAdmin` is an attribute
//! and `authorization` is not an `author` field.

use super::normalize::{negations, norm_condition};
use super::vocabulary::{
    AUTHN_GUARD_MEDIUM, AUTHN_GUARD_STRONG, AUTHN_GUARD_WEAK, AUTHN_MESSAGE, AUTHZ_GUARD,
};
use crate::diagnostic::Confidence;
use crate::engine::model::ResponseSite;

/// The authentication evidence in a normalised condition, with its strength:
/// the fragment found and how sure it makes a verdict.
pub(super) fn authn_in_guard(
    cond_n: &str,
    cond_spaced: &str,
) -> Option<(&'static str, Confidence)> {
    let tiers = [
        (AUTHN_GUARD_STRONG, Confidence::High),
        (AUTHN_GUARD_MEDIUM, Confidence::Medium),
        (AUTHN_GUARD_WEAK, Confidence::Low),
    ];
    // A word like `token` or `session` next to a read of the request's
    // headers or cookies is the request's credential.
    let reads_request = ["headers", "header(", "cookie", "meta"]
        .iter()
        .any(|k| cond_n.contains(k));
    for (words, confidence) in tiers {
        if let Some(k) = find(cond_n, words).or_else(|| find(cond_spaced, words)) {
            let confidence = if reads_request {
                Confidence::High
            } else {
                confidence
            };
            return Some((k, confidence));
        }
    }
    // `is_authenticated` is about credentials when it is tested false; a
    // 403 *because* the caller is signed in (a sign-up page) is not.
    ["is_authenticated", "isauthenticated"]
        .into_iter()
        .find(|w| negated(cond_n, w) || negated(cond_spaced, w))
        .map(|w| (w, Confidence::High))
        .or_else(|| credential_header(cond_n).then_some(("a credential header", Confidence::High)))
}

/// A read of a request header named for a credential tested for absence
/// (`!req.header("x-openstatus-key")`, `not request.headers.get("x-api-token")`):
/// the header is the credential, whatever the product calls it.
pub(super) fn credential_header(cond_n: &str) -> bool {
    let negated_read = ["!(", "!"].iter().any(|p| {
        ["header(", "headers.get(", "headers[", "get_header("]
            .iter()
            .any(|r| {
                cond_n.match_indices(r).any(|(i, _)| {
                    let before = &cond_n[..i];
                    let start = before
                        .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '?')))
                        .map_or(0, |j| j + 1);
                    cond_n[..start].ends_with(p)
                })
            })
    });
    if !negated_read {
        return false;
    }
    // The header's name: the first quoted literal after the read.
    let Some(q) = cond_n.find(['"', '\'']) else {
        return false;
    };
    let rest = &cond_n[q + 1..];
    let name = &rest[..rest.find(['"', '\'']).unwrap_or(rest.len())];
    name.starts_with("x-")
        && ["key", "token", "auth", "secret"]
            .iter()
            .any(|w| name.contains(w))
}

/// `key` (`user.`, `claims.`) occurs in `cond` as the caller's own path: at
/// the start of a path or under the request's holders of the caller
/// (`req.user.role`, `ctx.state.user.id`), not inside another record
/// (`linkingUserInfo.user.email` is a provider's answer).
pub(super) fn caller_path(cond: &str, key: &str) -> bool {
    const HOLDERS: &[&str] = &[
        "req", "request", "ctx", "context", "c", "state", "locals", "res", "session", "auth",
        "this", "self", "g", "var", "event",
    ];
    cond.match_indices(key).any(|(i, _)| {
        let start = cond[..i]
            .char_indices()
            .rev()
            .find(|&(_, ch)| !(ch.is_alphanumeric() || matches!(ch, '_' | '.' | '?' | '$')))
            .map_or(0, |(j, ch)| j + ch.len_utf8());
        let prefix = &cond[start..i];
        // A name ending just before the key (`currentuser.`) is the key's own word.
        let glued = prefix
            .chars()
            .last()
            .is_some_and(|ch| ch.is_alphanumeric() || ch == '_');
        glued
            || prefix
                .split(['.', '?'])
                .filter(|s| !s.is_empty())
                .all(|s| HOLDERS.contains(&s))
    })
}

/// `word` occurs in `cond` as (part of) a path that is negated:
/// `!request.user.is_authenticated`, `is_authenticated==false`.
pub(super) fn negated(cond: &str, word: &str) -> bool {
    cond.match_indices(word).any(|(i, _)| {
        let start = cond[..i]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '?')))
            .map_or(0, |(j, c)| j + c.len_utf8());
        let after = &cond[i + word.len()..];
        let after = after.strip_prefix("()").unwrap_or(after);
        // `!request.user.is_authenticated`, or the `else` of a positive
        // check, which reads `!(request.user.is_authenticated)`.
        let before = &cond[..start];
        before.ends_with('!')
            || (before.ends_with("!(") && after.starts_with(')'))
            || after.starts_with("==false")
            || after.starts_with("isfalse")
            || after.starts_with("===false")
    })
}

/// The top-level operands of a conjunction (`a && b`, `a and b`), or the
/// whole condition.
pub(super) fn conjuncts(cond: &str) -> Vec<&str> {
    let bytes = cond.as_bytes();
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ if depth == 0 => {
                let op = if bytes[i..].starts_with(b"&&") {
                    2
                } else if bytes[i..].starts_with(b" and ") {
                    5
                } else {
                    0
                };
                if op > 0 {
                    out.push(cond[start..i].trim());
                    start = i + op;
                    i += op;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push(cond[start..].trim());
    out.retain(|c| !c.is_empty());
    out
}

/// Whether every operand of the condition's conjunction is about credentials
/// or permissions: `!token && format === 'x'` is not a 403 *for* the missing
/// token, only when something else also holds.
pub(super) fn only_auth_conjuncts(cond: &str) -> bool {
    let parts = conjuncts(cond);
    // One condition: it is the credential test itself.
    if parts.len() < 2 {
        return true;
    }
    parts.iter().all(|c| {
        let (authn, authz) = condition_tests(c);
        authn || authz || scopes_the_route(c) || setting_flag(c)
    })
}

/// The condition without the operands that only say a credential is
/// present (`if (c.body.idToken) { … }` around the site): a credential that
/// is there is no evidence that authenticating failed, and what the site
/// refuses is said by the other operands. A lone operand stays.
pub(super) fn without_credential_presence(cond: &str) -> String {
    let parts = conjuncts(cond);
    let presence = |c: &&str| {
        let t = c.trim();
        let plain = !t.is_empty()
            && t.chars()
                .all(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | '?' | '$'));
        let lower = t.to_ascii_lowercase();
        plain
            && [
                "token",
                "session",
                "credential",
                "apikey",
                "api_key",
                "authorization",
            ]
            .iter()
            .any(|w| lower.contains(w))
    };
    if parts.len() < 2 || parts.iter().all(presence) {
        return cond.to_string();
    }
    parts
        .into_iter()
        .filter(|c| !presence(c))
        .collect::<Vec<_>>()
        .join(" && ")
}

/// Every part of the condition tests that something is missing (`!x`,
/// `not x.is_authenticated`, `x is None`), none compares values.
pub(super) fn tests_absence(cond: &str) -> bool {
    conjuncts(cond).iter().all(|c| {
        let t = c.trim().to_ascii_lowercase();
        let compares = ["==", "!=", "<", ">", " in "]
            .iter()
            .any(|op| t.contains(op));
        setting_flag(c)
            || (!compares && (t.starts_with('!') || t.starts_with("not ")))
            || t.ends_with(" is none")
    })
}

/// A conjunct that reads the deployment's settings (`settings.LOGIN_REQUIRED`,
/// `config.auth_enabled`, `AUTH_REQUIRED`): whether the check is on at all,
/// not why it fails.
pub(super) fn setting_flag(cond: &str) -> bool {
    let c = cond
        .trim()
        .trim_start_matches('!')
        .trim_start_matches("not ")
        .trim();
    let lower = c.to_ascii_lowercase();
    let plain = !c.is_empty()
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.'));
    plain
        && (lower.starts_with("settings.")
            || lower.starts_with("config.")
            || lower.starts_with("app.config")
            || c.rsplit('.').next().is_some_and(|last| {
                last.len() > 2 && last.chars().all(|ch| ch.is_ascii_uppercase() || ch == '_')
            }))
}

/// A condition that picks which requests a check covers (`req.path`,
/// `request.method`, `url.pathname`) rather than why it fails.
pub(super) fn scopes_the_route(cond: &str) -> bool {
    let c = cond.to_ascii_lowercase();
    ["path", "method", "url", "route"]
        .iter()
        .any(|k| c.contains(k))
}

pub(super) fn find<'a>(hay: &str, needles: &'a [&'a str]) -> Option<&'a str> {
    needles.iter().copied().find(|n| contains_bounded(hay, n))
}

/// `hay` contains `needle`; a negation probe like `!user` must not continue
/// into a member access (`!user.isAdmin` tests an attribute, not presence).
pub(super) fn contains_bounded(hay: &str, needle: &str) -> bool {
    if needle == "authorization" {
        return hay.match_indices(needle).any(|(i, _)| {
            !names_a_record(&hay[i + needle.len()..]) && !authorization_predicate(hay, i)
        });
    }
    if needle.contains("admin") || needle.ends_with("access") {
        // `admin access token`, `adminApiKey`: the name of a credential.
        return hay
            .match_indices(needle)
            .any(|(i, _)| !names_a_credential(&hay[i + needle.len()..]));
    }
    if needle.starts_with("allow") {
        // `alg not in ALLOWED_ALGS`: the token's signing algorithm, which
        // makes the token invalid, not the caller unwelcome.
        return hay.match_indices(needle).any(|(i, _)| {
            !hay[i + needle.len()..]
                .trim_start_matches('_')
                .starts_with("alg")
        });
    }
    if !needle.starts_with('!') {
        return hay.contains(needle);
    }
    hay.match_indices(needle).any(|(i, _)| {
        let rest = &hay[i + needle.len()..];
        let next = rest.chars().next();
        !matches!(next, Some(c) if c.is_alphanumeric() || c == '_' || c == '.' || c == '?' || c == '[')
            // Only where nothing is compared: in `!session.user || session.user.id != me.id`
            // the session is a record whose owner is checked.
            || (identity_path(rest) && !hay.contains("!=") && !hay.contains("=="))
    })
}

/// What follows a negated name only walks to the identity it holds
/// (`!session?.user.id`, `!session.user`): still a test that nobody is
/// signed in, unlike an attribute (`!user.isAdmin`).
pub(super) fn identity_path(rest: &str) -> bool {
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '?')))
        .unwrap_or(rest.len());
    let path = &rest[..end];
    if !(path.starts_with('.') || path.starts_with("?.")) {
        return false;
    }
    let segments: Vec<&str> = path.split(['.', '?']).filter(|s| !s.is_empty()).collect();
    !segments.is_empty()
        && segments
            .iter()
            .all(|s| matches!(*s, "user" | "id" | "userid" | "user_id" | "uid" | "sub"))
}

/// What follows a word names a credential: `…_token`, ` access token`,
/// `apikey`, `authresult`.
pub(super) fn names_a_credential(rest: &str) -> bool {
    let r = rest.trim_start_matches([' ', '_', '-', '.']);
    let r = r.strip_prefix("access").unwrap_or(r);
    let r = r.trim_start_matches([' ', '_', '-', '.']);
    [
        "token",
        "key",
        "apikey",
        "api_key",
        "api key",
        "secret",
        "password",
        "cookie",
        "credential",
        "auth",
    ]
    .iter()
    .any(|c| r.starts_with(c))
}

/// `cond` with the text of every string literal that holds a `/` (a path
/// or a URL) emptied.
pub(super) fn without_paths(cond: &str) -> String {
    let mut out = String::with_capacity(cond.len());
    let mut rest = cond;
    while let Some(i) = rest.find(['\'', '"', '`']) {
        let q = rest.as_bytes()[i] as char;
        out.push_str(&rest[..=i]);
        let body = &rest[i + 1..];
        let Some(end) = body.find(q) else {
            out.push_str(body);
            return out;
        };
        if !body[..end].contains('/') {
            out.push_str(&body[..end]);
        }
        out.push(q);
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

/// After a name, `rest` reads a member that no header value has
/// (`authorization.action`): the name is a record of the code's own (a
/// route's permission rule), not the `Authorization` header.
/// `validate_user_prompt_authorization(user, prompt)`: a predicate on what
/// the caller may do with a record, named in three words or more, not the
/// `Authorization` header.
fn authorization_predicate(hay: &str, at: usize) -> bool {
    let end = at + "authorization".len();
    if !hay[end..].starts_with('(') {
        return false;
    }
    let name = hay[..end]
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("");
    name.split('_').filter(|w| !w.is_empty()).count() >= 3
}

pub(super) fn names_a_record(rest: &str) -> bool {
    let Some(member) = rest.strip_prefix('.').or_else(|| rest.strip_prefix("?.")) else {
        return false;
    };
    let word: String = member
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    const STRING_MEMBERS: &[&str] = &[
        "startswith",
        "endswith",
        "split",
        "replace",
        "slice",
        "substring",
        "substr",
        "trim",
        "length",
        "tolowercase",
        "touppercase",
        "includes",
        "match",
        "indexof",
        "lower",
        "upper",
        "strip",
        "removeprefix",
        "partition",
        "encode",
        "value",
        "get",
    ];
    !word.is_empty() && !STRING_MEMBERS.contains(&word.as_str())
}

/// What one operand of a split condition tests: (about credentials, about permissions).
/// `!session` is (true, false); `session.role !== 'admin'` is (false, true).
pub fn condition_tests(cond: &str) -> (bool, bool) {
    let cond = &without_paths(cond);
    let raw = cond.to_lowercase();
    let n = negations(&norm_condition(cond));
    if n.contains("csrf") || n.contains("xsrf") {
        return (false, false);
    }
    let spaced = negations(&raw.replace("not ", "!"));
    let authn = authn_in_guard(&n, &spaced).is_some();
    let authz = find(&n, AUTHZ_GUARD).or_else(|| ownership(&n)).is_some();
    (authn, authz)
}

/// A call of a permission predicate in the condition: `canViewWebsite(…)`,
/// `can_edit(…)`, `mayDelete(…)`, `isAllowed(…)`, `hasPermission(…)`.
pub(super) fn permission_predicate(cond: &str) -> Option<&str> {
    let bytes = cond.as_bytes();
    let mut start = None;
    for (i, c) in cond
        .char_indices()
        .chain(std::iter::once((cond.len(), ' ')))
    {
        let word_char = c.is_alphanumeric() || c == '_' || c == '$';
        match (start, word_char) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                start = None;
                let name = &cond[s..i];
                // Only a call, and only a name, not a member (`user.canEdit` is fine too).
                if bytes.get(i) != Some(&b'(') {
                    continue;
                }
                let after = |p: &str| {
                    name.strip_prefix(p)
                        .and_then(|r| r.chars().next())
                        .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
                };
                if after("can")
                    || after("may")
                    || matches!(
                        name,
                        "isAllowed"
                            | "is_allowed"
                            | "hasPermission"
                            | "has_permission"
                            | "authorize"
                            | "checkPermission"
                    )
                {
                    return Some(name);
                }
            }
            _ => {}
        }
    }
    None
}

/// Words that name the caller's identity in a condition (`!session`,
/// `user?.id`, `!token`).
pub(super) const IDENTITY: &[&str] = &["user", "session", "auth", "token", "claims", "principal"];

/// "You must be signed in through SSO to …": the caller is signed in, and
/// the requirement is the way they signed in (a policy on a known caller).
pub(super) fn signed_in_a_way(message: &str, phrase: &str) -> bool {
    message.match_indices(phrase).any(|(i, _)| {
        let rest = &message[i + phrase.len()..];
        [
            " through ",
            " via ",
            " using ",
            " with sso",
            " with your organization",
            " with an api key",
            " with api key",
            " with a session",
            " with a user session",
            " interactively",
        ]
        .iter()
        .any(|w| rest.starts_with(w))
    })
}

/// The message says how the caller must be signed in ("not authenticated
/// with an API key", "you must be signed in through SSO"): a policy about
/// a known caller's way of signing in, not missing credentials.
pub fn requires_a_way_of_signing_in(message: &str) -> bool {
    let m = message.to_lowercase();
    AUTHN_MESSAGE
        .iter()
        .any(|k| m.contains(k) && signed_in_a_way(&m, k))
}

/// `assetProfile?.userId`, `doc.user_id`: a record's owner field, not the
/// caller's identity (`req.userId`, `session.user_id` are the caller's).
pub(super) fn record_owner_field(cond: &str) -> bool {
    let c = cond.trim_start_matches(['!', '(']).trim_end_matches(')');
    let Some((object, field)) = c.rsplit_once('.') else {
        return false;
    };
    let object = object.trim_end_matches('?').to_lowercase();
    let field = field.to_lowercase();
    let id_field = field.ends_with("id") && field.len() > 2;
    // The request's holders of the caller, besides the identity words.
    let holders = ["req", "ctx", "context", "locals", "state"];
    id_field
        && !object.is_empty()
        && object
            .chars()
            .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '.')
        && !IDENTITY.iter().chain(&holders).any(|k| object.contains(k))
}

/// An ownership comparison: `order.userId !== req.session.userId`, `doc.owner_id != user.id`.
pub(super) fn ownership(cond: &str) -> Option<&'static str> {
    // `authorization` is the header, not an `author` field.
    let cond = &cond.replace("authoriz", "").replace("authoris", "");
    let keys = [
        "userid",
        "user_id",
        "user.id",
        "author",
        "createdby",
        "created_by",
    ];
    if cond.contains("!=") && keys.iter().any(|k| cond.contains(k)) {
        return Some("ownership");
    }
    // `workspaceId !== req.user?.activeWorkspaceId`: a value compared with
    // an attribute of the signed-in caller (not with nothing).
    let caller = [
        "req.user.",
        "req.user?.",
        "request.user.",
        "session.user.",
        "session?.user?.",
        "current_user.",
    ];
    let compared = cond.split("&&").flat_map(|c| c.split("||")).any(|c| {
        let Some((l, r)) = c.split_once("!=") else {
            return false;
        };
        let r = r.trim_start_matches('=').trim();
        let nothing = ["null", "undefined", "none", "''", "\"\""]
            .iter()
            .any(|n| r.starts_with(n) || l.trim().ends_with(n));
        !nothing && caller.iter().any(|k| c.contains(k))
    });
    compared.then_some("ownership")
}

/// Whether the innermost condition around the site, on its own, tests the
/// request's credential (`else if (!authorizationHeader)`, `!apiKey`) and
/// nothing about permissions: the conditions of the branches around it
/// (a route's special cases, an `else if` chain) do not change what it
/// refuses.
pub fn innermost_tests_credential(site: &ResponseSite, text: &str) -> bool {
    if !site.guard.as_ref().is_some_and(|g| !g.in_catch) {
        return false;
    }
    let Some(cond) = innermost_condition(site, text) else {
        return false;
    };
    let cond = without_paths(cond);
    let n = negations(&norm_condition(&cond));
    let spaced = negations(&cond.to_lowercase().replace("not ", "!"));
    let authz = find(&n, AUTHZ_GUARD).or_else(|| ownership(&n)).is_some();
    !authz
        && !n.contains("csrf")
        && !n.contains("xsrf")
        && tests_absence(&cond)
        && authn_in_guard(&n, &spaced).is_some_and(|(_, c)| c == Confidence::High)
}

/// The source of the condition right above the site (the innermost one
/// its guard joins), without the parentheses around all of it.
pub fn innermost_condition<'t>(site: &ResponseSite, text: &'t str) -> Option<&'t str> {
    let mut cond = text.get(site.guard.as_ref()?.range.clone())?.trim();
    while let Some(inner) = wrapped(cond) {
        cond = inner.trim();
    }
    Some(cond)
}

/// The inside of a condition wrapped whole in parentheses: `(a && b)`,
/// not `(a) && (b)`.
pub(super) fn wrapped(cond: &str) -> Option<&str> {
    let inner = cond.strip_prefix('(')?.strip_suffix(')')?;
    let mut depth = 0i32;
    for b in inner.bytes() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return None;
        }
    }
    (depth == 0).then_some(inner)
}

/// The condition without the tests that a bare identifier is missing
/// (`!teamId`, `!org_id`): a missing route parameter is a bad request, not
/// a membership check, whatever the parameter is called. So is a field
/// missing from a token's claims (`!payload.tenant_id`).
pub(super) fn without_missing_ids(cond_n: &str) -> String {
    let mut out = String::with_capacity(cond_n.len());
    let mut rest = cond_n;
    while let Some(i) = rest.find('!') {
        let after = &rest[i + 1..];
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let mut name = &after[..end];
        let mut end = end;
        // `!payload.tenant_id`: a field missing from a verified token's
        // claims is a malformed credential, not a membership.
        if ["payload", "claims", "decoded", "token", "jwt"]
            .iter()
            .any(|w| name.contains(w))
            && after[end..].starts_with('.')
        {
            let field_end = after[end + 1..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(after.len(), |e| end + 1 + e);
            name = &after[end + 1..field_end];
            end = field_end;
        }
        let next = after[end..].chars().next();
        let bare_id = name.len() > 2
            && name.ends_with("id")
            && !matches!(next, Some('.' | '?' | '(' | '[' | '='));
        out.push_str(&rest[..i]);
        if bare_id {
            rest = &after[end..];
        } else {
            out.push('!');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The whole condition is one comparison of a credential's tenant field
/// with another value: `restrictedToken.teamId !== teamId`,
/// `apiKey.orgId != org.id`. The credential was accepted; what it may
/// reach is the question.
pub(super) fn credential_scoped(cond_n: &str) -> bool {
    if ["&&", "||", " and ", " or "]
        .iter()
        .any(|op| cond_n.contains(op))
    {
        return false;
    }
    let Some((left, _)) = cond_n.split_once("!=") else {
        return false;
    };
    let Some((object, field)) = left.trim().rsplit_once('.') else {
        return false;
    };
    let object = object.trim_end_matches('?');
    ["token", "key", "credential"]
        .iter()
        .any(|w| object.contains(w))
        && [
            "teamid",
            "team_id",
            "orgid",
            "org_id",
            "organizationid",
            "organization_id",
            "tenantid",
            "tenant_id",
            "workspaceid",
            "workspace_id",
            "projectid",
            "project_id",
        ]
        .contains(&field)
}

/// A signed-in caller changing their password gave the wrong current one:
/// a 401 there would sign them out of the session they are using, so 403
/// (or 400) is the better answer. Seen in the function's name
/// (`update_password`, `changePassword`) or in the condition
/// (`current_password`, `oldPassword`; when `strict`, only where the
/// condition checks it: `verify_password(body.current_password, …)`, not a
/// stored password named `currentPassword`).
pub fn changes_own_password(site: &ResponseSite, text: &str, strict: bool) -> bool {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let head = site
        .handler_text(text)
        .and_then(|h| h.lines().next())
        .map(squash)
        .unwrap_or_default();
    let guard = site
        .guard
        .as_ref()
        .map(|g| squash(&g.text))
        .unwrap_or_default();
    ["changepassword", "updatepassword", "setpassword"]
        .iter()
        .any(|k| head.contains(k))
        || ["currentpassword", "oldpassword"]
            .iter()
            .any(|k| guard.contains(k))
            && (!strict
                || ["verify", "compare", "check", "match", "valid"]
                    .iter()
                    .any(|k| guard.contains(k)))
}

/// The condition right above the site only finds the refresh token missing
/// (`!refreshToken`, `not request.cookies.get("refresh_token")`): the
/// routine state of a client whose session ended, which asks to sign in
/// again rather than for an investigation.
pub fn refresh_token_missing(site: &ResponseSite, text: &str) -> bool {
    // Read from the request (a cookie, a header, the body), not looked up:
    // an unknown refresh token is another matter.
    let from_request = |s: &str| {
        let s = s.to_ascii_lowercase();
        ["cookie", "header", "body", "request", "req."]
            .iter()
            .any(|w| s.contains(w))
    };
    let handler = site.handler_text(text).unwrap_or("");
    innermost_condition(site, text).is_some_and(|c| {
        let lower = c.to_ascii_lowercase();
        if !lower.contains("refresh") || !tests_absence(c) {
            return false;
        }
        let name = c
            .trim_start_matches(['!', '(', ' '])
            .trim_start_matches("not ")
            .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
            .next()
            .unwrap_or("");
        from_request(c)
            || (!name.is_empty()
                && handler.lines().any(|l| {
                    l.contains(&format!("{name} =")) && from_request(l)
                        || l.contains(&format!("{name} :=")) && from_request(l)
                }))
    })
}
