//! Evidence shared by the 401-vs-403 rules: is a site about *who* the caller
//! is (authentication, 401) or about *what* they may do (authorization, 403)?
//!
//! A verdict needs clear evidence from the message, the guarding condition or
//! the authentication state. A bare "Unauthorized" message is no evidence.

use crate::diagnostic::Confidence;
use crate::engine::middleware::Failure;
use crate::engine::model::{MiddlewareRelation, ResponseSite, StatusValue};

mod condition;
mod normalize;
mod record;
mod vocabulary;
use condition::*;
pub use condition::{
    changes_own_password, condition_tests, innermost_condition, innermost_tests_credential,
    refresh_token_missing, requires_a_way_of_signing_in,
};
use normalize::negations;
pub use normalize::norm_condition;
pub use record::{only_ids_missing, record_missing_after_identity};
pub use vocabulary::CREDENTIAL_WORDS;
use vocabulary::{
    AUTHN_CALLEE, AUTHN_MESSAGE, AUTHZ_GUARD, AUTHZ_MESSAGE, FORGERY, VERIFICATION_ERRORS,
};

/// The name of what a site calls or constructs (`InvalidTokenError` in
/// `raise InvalidTokenError("…")`, `AuthError` in `throw AuthError()`),
/// lower-cased: its last dotted segment.
fn callee(site: &ResponseSite, text: &str) -> String {
    let end = site.range.end.min(site.range.start.saturating_add(200));
    let Some(src) = text
        .get(site.range.start..end)
        .or_else(|| text.get(site.range.clone()))
    else {
        return String::new();
    };
    let mut src = src.trim_start();
    for kw in ["throw ", "raise ", "return ", "await ", "new "] {
        src = src.strip_prefix(kw).unwrap_or(src).trim_start();
    }
    let path: &str = &src[..src
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '$' | '.')))
        .unwrap_or(src.len())];
    path.rsplit('.').next().unwrap_or("").to_ascii_lowercase()
}

#[derive(Debug, Default, Clone)]
pub struct Verdict {
    /// Why this looks like an authorization failure (403).
    pub authz: Option<String>,
    /// Why this looks like an authentication failure (401).
    pub authn: Option<String>,
    /// The guard mixes both, joined by `||` (`!session || session.role !== 'admin'`).
    pub mixed_or: bool,
    /// How strong the evidence behind `authn` is.
    pub authn_confidence: Confidence,
    /// How strong the evidence behind `authz` is.
    pub authz_confidence: Confidence,
}

/// A Python `except` clause in the guard that names a verification error,
/// as written there.
fn verification_error(guard: &str) -> Option<&str> {
    let g = guard.to_ascii_lowercase();
    if !g.contains("except") {
        return None;
    }
    VERIFICATION_ERRORS.iter().find_map(|e| {
        let i = g.find(e)?;
        guard.get(i..i + e.len())
    })
}

/// A message with the words that hold a substitution left out: `Invalid
/// v{version} token` reads as "invalid token", `${kind} token expired` as
/// "token expired".
fn without_placeholder_words(m: &str) -> String {
    if !m.contains('{') {
        return m.to_string();
    }
    m.split(' ')
        .filter(|w| !(w.contains('{') && w.contains('}')))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a Python `except` clause in the guard names a verification error.
pub fn names_verification_error(guard: &str) -> bool {
    verification_error(guard).is_some()
}

/// The challenge's value as the code writes it (a literal, or a template
/// with its substitutions), lower-cased, when the site has one.
pub fn challenge_source(site: &ResponseSite, text: &str) -> Option<String> {
    let ch = site.headers.challenge.as_ref()?;
    let raw = text.get(ch.value_range.clone()).filter(|r| !r.is_empty());
    Some(
        raw.or(ch.literal.as_deref())
            .unwrap_or("")
            .to_ascii_lowercase(),
    )
}

/// The challenge is a template literal or an f-string: its text is in
/// sight, though its value is known only at run time.
pub fn challenge_is_template(ch: &crate::engine::model::ChallengeHeader, text: &str) -> bool {
    let raw = text.get(ch.value_range.clone()).unwrap_or("").trim_start();
    raw.starts_with('`') || raw.starts_with("f\"") || raw.starts_with("f'")
}

/// The 401 or 403 answers an OAuth authorization server's endpoint (token,
/// revocation, registration): its error codes say so (RFC 6749 §5.2).
pub fn from_authorization_server(site: &ResponseSite) -> bool {
    let m = site.message.as_deref().unwrap_or("").to_ascii_lowercase();
    [
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
    ]
    .iter()
    .any(|c| m.contains(c))
}

/// Classifies one status value of a site; `text` is the file's text.
pub fn classify(site: &ResponseSite, value: &StatusValue, text: &str) -> Verdict {
    let mut v = classify_by_evidence(site, value, text);
    // A 401 built by an error named for a failed authentication is not
    // recast as a permission failure on a condition's words alone: the
    // author named what failed (an SSO sign-in refused, a token of the wrong
    // kind).
    let name = callee(site, text);
    if value.code == 401 && v.authn.is_none() && find(&name, AUTHN_CALLEE).is_some() {
        v.authn = Some(format!(
            "the error `{name}` is named for a failed authentication"
        ));
    }
    v
}

fn classify_by_evidence(site: &ResponseSite, value: &StatusValue, text: &str) -> Verdict {
    let mut v = Verdict::default();
    // A caller already authenticated gave the wrong current password while
    // changing it: the change is refused, the session stays good.
    if value.code == 401
        && site.identity_established.is_some()
        && changes_own_password(site, text, true)
    {
        v.authz = Some(
            "a caller who is already signed in gave the wrong current password: the change is refused, the session stays valid"
                .to_string(),
        );
        return v;
    }
    let mut message =
        without_placeholder_words(&site.message.as_deref().unwrap_or("").to_lowercase());
    if value.code == 403 {
        // "Forbidden" on a 403 is only the reason phrase: no evidence either way.
        message = message.replace("forbidden", "");
    }
    // A conditional status decides by its own branch: in `session ? 401 : 403`
    // the 401 runs when the session exists (the caller is known).
    if let Some(branch) = &value.branch_condition {
        let b = norm_condition(branch);
        let negated = b.starts_with("!(") || b.starts_with('!');
        let about_identity = IDENTITY.iter().any(|k| b.contains(k)) && !record_owner_field(&b);
        if about_identity {
            if negated {
                v.authn = Some(format!(
                    "this branch runs when `{}` is false: the caller is not authenticated",
                    branch.trim_start_matches("!(").trim_end_matches(')')
                ));
                return v;
            }
            let guard = site
                .guard
                .as_ref()
                .map(|g| norm_condition(&g.text))
                .unwrap_or_default();
            if let Some(k) = find(&guard, AUTHZ_GUARD).or_else(|| find(&message, AUTHZ_MESSAGE)) {
                v.authz = Some(format!("this branch runs when `{branch}` holds, so the caller is known, and the check is about `{k}`"));
                return v;
            }
            if value.code == 401 {
                v.authz = Some(format!(
                    "this branch runs when `{branch}` holds: the caller is already known"
                ));
                return v;
            }
        }
    }
    let mut cond = String::new();
    if let Some(g) = &site.guard {
        if !g.in_catch {
            cond.push_str(&g.text);
        }
    }
    if let Some(b) = &value.branch_condition {
        cond.push_str(" && ");
        cond.push_str(b);
    }
    // A path in the condition (`pathname.startsWith(`${base}/admin`)`) says
    // where the request goes, not who may make it.
    let cond = without_paths(&cond);
    let cond_raw = cond.to_lowercase();
    let cond_n = negations(&norm_condition(&cond));
    // CSRF tokens are not credentials, whether the condition, the message or
    // the error's name says it is an anti-forgery check.
    let csrf = find(&cond_n, FORGERY)
        .or_else(|| find(&message, FORGERY))
        .or_else(|| find(&callee(site, text), FORGERY))
        .is_some();
    let cond_spaced = negations(&cond_raw.replace("not ", "!"));

    if let Some(k) = find(&message, AUTHZ_MESSAGE) {
        v.authz = Some(format!("the message mentions \"{k}\""));
    }
    if let Some(k) =
        find(&message, AUTHN_MESSAGE).filter(|k| !csrf && !signed_in_a_way(&message, k))
    {
        v.authn = Some(format!("the message says \"{k}\""));
    }
    // Python's `not org_id` is `!org_id` only in the spaced form.
    let guard_authz = find(&without_missing_ids(&cond_n), AUTHZ_GUARD)
        .filter(|_| find(&without_missing_ids(&cond_spaced), AUTHZ_GUARD).is_some())
        .or_else(|| ownership(&cond_n))
        .filter(|_| !cond_n.is_empty());
    // A page token (a cursor) pages results; it is no credential.
    let paging = crate::engine::syntax::names_page_token(&cond_raw);
    let guard_authn =
        authn_in_guard(&cond_n, &cond_spaced).filter(|_| !cond_n.is_empty() && !csrf && !paging);
    // The credential words are only in a test that the credential is there
    // (`if (c.body.idToken) { … }` around the site).
    let presence_only = guard_authn.is_some() && {
        let core = without_credential_presence(&cond);
        let core_n = negations(&norm_condition(&core));
        let core_spaced = negations(&core.to_lowercase().replace("not ", "!"));
        authn_in_guard(&core_n, &core_spaced).is_none()
    };
    if let Some(k) = guard_authz {
        v.authz.get_or_insert(format!("the condition checks `{k}`"));
    } else if let Some(p) = permission_predicate(&cond) {
        v.authz
            .get_or_insert(format!("the condition asks the permission check `{p}`"));
        // A predicate may also say no to a caller nobody authenticated.
        if site.identity_established.is_none() {
            v.authz_confidence = Confidence::Medium;
        }
    }
    let message_authn = v.authn.is_some();
    // The exception an `except` names says most; else the verifying call.
    // Not when the branch right above the site picks an authorization
    // failure out of what the verification threw (`error instanceof
    // InsufficientScopeError`).
    let caught = site
        .guard
        .as_ref()
        .filter(|g| g.in_catch || g.verified_by.is_some())
        .filter(|g| {
            let branch = text.get(g.range.clone()).unwrap_or("").to_ascii_lowercase();
            !["scope", "forbidden", "permission", "denied"]
                .iter()
                .any(|w| branch.contains(w))
        })
        .and_then(|g| verification_error(&g.text).or(g.verified_by.as_deref()))
        // An anti-forgery token's verification is not the caller's credential.
        .filter(|_| !csrf);
    v.authn_confidence = match (guard_authn, caught) {
        (_, Some(e)) => {
            v.authn = Some(format!(
                "it handles a failed credential verification, `{e}`"
            ));
            Confidence::High
        }
        (Some((k, c)), None) => {
            // The condition is the evidence; a message only confirms it.
            v.authn = Some(format!(
                "the condition checks `{}`",
                k.trim_start_matches('!')
            ));
            if !only_auth_conjuncts(&cond) {
                // The credential test is one condition among others.
                Confidence::Low
            } else {
                // A message that says the same thing confirms a weaker guard.
                match (c, message_authn) {
                    (Confidence::Low, true) => Confidence::Medium,
                    (Confidence::Medium, true) => Confidence::High,
                    (c, _) => c,
                }
            }
        }
        // The message alone: a tie-breaker, never certain.
        (None, None) => Confidence::Medium,
    };
    // `not request.user.is_authenticated` alone decides who is refused; a
    // message saying "you do not have permission" only words the refusal.
    if guard_authz.is_none()
        && v.authz
            .as_deref()
            .is_some_and(|a| a.starts_with("the message"))
        && guard_authn.is_some_and(|(k, c)| {
            // A probe for a missing identity, not a credential named in passing.
            c == Confidence::High
                && (k.starts_with('!')
                    || k.contains("none")
                    || k.contains("anonymous")
                    || k.contains("authenticated"))
        })
        && permission_predicate(&cond).is_none()
        && only_auth_conjuncts(&cond)
        && site.identity_established.is_none()
        && tests_absence(&cond)
    {
        v.authz = None;
        v.authn_confidence = Confidence::High;
    }
    // `restrictedToken.teamId !== teamId`: a credential that was accepted,
    // compared for the tenant it belongs to, is a permission.
    if guard_authz.is_some() && guard_authn.is_some() && credential_scoped(&cond_n) {
        v.authn = None;
        v.authz = Some(format!(
            "the condition compares what the presented credential belongs to (`{}`)",
            guard_authz.unwrap_or("team")
        ));
        return v;
    }
    if guard_authz.is_some() && guard_authn.is_some() {
        v.mixed_or = cond_raw.contains("||") || cond_raw.contains(" or ");
        // `!user || user.role !== 'admin'`: the same name's permissions are
        // checked, so it is the caller's identity, not a looked-up record.
        let identity_checked = guard_authn.is_some_and(|(k, _)| {
            let name = k
                .trim_start_matches('!')
                .trim_start_matches("not ")
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or("");
            !name.is_empty()
                && (cond_n.contains(&format!("{name}.")) || cond_n.contains(&format!("{name}?.")))
        });
        if v.mixed_or && identity_checked {
            v.authn_confidence = v.authn_confidence.max(Confidence::Medium);
        }
        // One test touching both words (`scope not in token_data.scopes`) is not
        // two checks: let an authorization message decide.
        let message_authz =
            find(&message, AUTHZ_MESSAGE).is_some() && find(&message, AUTHN_MESSAGE).is_none();
        if !v.mixed_or && message_authz {
            v.authn = None;
        }
    }
    // A credential that is there is no evidence that authenticating failed:
    // when something else says the refusal is a permission's, that decides.
    if presence_only && !message_authn && caught.is_none() && v.authz.is_some() {
        v.authn = None;
    }
    // A 401 after the identity was established: the guard is about the user's attributes.
    if v.authz.is_none()
        && v.authn.is_none()
        && site.identity_established.is_some()
        && !cond.is_empty()
        && site.guard.as_ref().is_some_and(|g| !g.in_catch)
    {
        let c = cond_n.as_str();
        let about_identity = [
            "user.",
            "user?.",
            "user[",
            "profile",
            "session.user",
            "claims.",
            "payload.",
            "decoded.",
            "current_user.",
            "request.user.",
        ]
        .iter()
        .any(|k| caller_path(c, k));
        if about_identity {
            v.authz = Some("the caller was already authenticated by an earlier check, and this condition tests their attributes".into());
        }
    }
    v
}

/// Whether the site answers 401 for the server's own misconfiguration.
pub fn is_server_error(site: &ResponseSite) -> bool {
    site.guard.as_ref().is_some_and(|g| g.missing_config)
}

/// Whether a 401 value is really an authorization failure (reported by
/// `prefer-403-for-authorization` alone).
pub fn is_really_403(site: &ResponseSite, value: &StatusValue, text: &str) -> bool {
    let v = classify(site, value, text);
    value.code == 401 && v.authz.is_some() && v.authn.is_none()
}

/// The 401 a site answers as a plain authentication failure: not the
/// server's own error (`no-401-for-server-error`), not sent for a reason
/// unrelated to credentials (`no-401-for-non-credential-error`, when
/// enabled) and not really a 403
/// (`prefer-403-for-authorization`, when enabled). The header and logging
/// rules report only these, so one site gets one report.
pub fn authentication_401<'a>(
    ctx: &super::Context,
    site: &'a ResponseSite,
) -> Option<&'a StatusValue> {
    if is_server_error(site) || record_missing_after_identity(site, ctx.text) {
        return None;
    }
    let wrong_reason_on = ctx
        .settings
        .level(super::no_401_for_non_credential_error::RULE.id)
        .severity()
        .is_some();
    if wrong_reason_on && super::reasons::non_credential(site, ctx.text).is_some() {
        return None;
    }
    let prefer_403_on = ctx
        .settings
        .level(super::prefer_403_for_authorization::RULE.id)
        .severity()
        .is_some();
    site.codes()
        .find(|v| v.code == 401 && !(prefer_403_on && is_really_403(site, v, ctx.text)))
}

/// What the authentication middleware around a 401 site means for its
/// missing challenge, as a clause to append to a message, with a note for
/// the place the middleware shows. `None` when the middleware changes nothing.
pub fn middleware_note(site: &ResponseSite) -> Option<(String, String)> {
    let fact = site.middleware.as_ref()?;
    let m = fact.middleware;
    let name = m.name;
    let how = m.on_failure;
    let clause = match (fact.relation, m.failure) {
        (MiddlewareRelation::InGuard, _) => format!(
            "in this guard, {name} {how}: Nest sends the exception with no headers, so set `WWW-Authenticate` on the response (`context.switchToHttp().getResponse()`) before throwing, or in an exception filter"
        ),
        (MiddlewareRelation::HandlesFailure, Failure::ForwardsError) => format!(
            "{name} {how}, so this error handler's response is the one clients get, and it must carry the challenge"
        ),
        (MiddlewareRelation::HandlesFailure, Failure::ThrowsError) => {
            if site.codes().all(|v| !v.literal) {
                format!("{name}: {how}, and this `catch` sends the error on as it is")
            } else {
                format!("{name}: {how}, and this `catch` answers with a 401 of its own that has none either")
            }
        }
        (MiddlewareRelation::HandlesFailure, Failure::Challenges) => format!(
            "{name} {how}, but this error handler replaces that response: return `err.getResponse()` for the middleware's errors to keep its challenge, or add the header here"
        ),
        // A pack's note (Hono's `HTTPException` takes no headers) says how to add one.
        (MiddlewareRelation::Behind, Failure::Challenges) => format!(
            "this file mounts {name}, whose own 401s carry a challenge, but this response is the handler's own and has none"
        ),
        _ => return None,
    };
    Some((clause, format!("{name} is used here")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_holding_a_substitution_are_left_out_of_a_message() {
        assert_eq!(
            without_placeholder_words("invalid v{version} token"),
            "invalid token"
        );
        assert_eq!(
            without_placeholder_words("${kind} token expired"),
            "token expired"
        );
        assert_eq!(without_placeholder_words("missing token"), "missing token");
    }

    #[test]
    fn signing_in_a_particular_way_is_a_policy() {
        let m = "you must be signed in through sso for this organization to enforce it.";
        assert!(signed_in_a_way(m, "must be signed in"));
        assert!(!signed_in_a_way(
            "you must be signed in to do that",
            "must be signed in"
        ));
        assert!(record_owner_field("!assetprofile?.userid"));
        assert!(!record_owner_field("!req.userid"));
        assert!(!record_owner_field("!session.user_id"));
    }

    #[test]
    fn the_callers_own_path() {
        assert!(caller_path("!req.user.email", "user."));
        assert!(caller_path("user.role!='admin'", "user."));
        assert!(caller_path("!currentuser.id", "user."));
        assert!(!caller_path("!linkinguserinfo.user.email", "user."));
        assert_eq!(
            without_credential_presence("c.body.idtoken && x === false"),
            "x === false"
        );
        assert_eq!(without_credential_presence("apikey"), "apikey");
        assert_eq!(wrapped("(!a && b)"), Some("!a && b"));
        assert_eq!(wrapped("(a) && (b)"), None);
        assert!(contains_bounded("!session?.user.id", "!session"));
        assert!(contains_bounded("!session.user", "!session"));
        assert!(credential_scoped("restrictedtoken.teamid!=teamid"));
        assert!(credential_scoped("apikey?.orgid!=org.id"));
        assert!(!credential_scoped("!token||token.teamid!=teamid"));
        assert!(!credential_scoped("post.teamid!=teamid"));
        assert_eq!(without_missing_ids("!teamid||!user"), "||!user");
        assert_eq!(without_missing_ids("!user.teamid"), "!user.teamid");
        assert_eq!(without_missing_ids("!license_payload.tenant_id"), "");
        assert_eq!(without_missing_ids("!ismember"), "!ismember");
        assert!(credential_header("!(c.req.header(\"x-openstatus-key\"))"));
        assert!(credential_header("!request.headers.get('x-api-token')"));
        assert!(!credential_header("!(c.req.header(\"x-request-id\"))"));
        assert!(!credential_header("c.req.header(\"x-api-key\")===x"));
        assert!(!contains_bounded("algnotinself._allowed_algs", "allowed"));
        assert!(contains_bounded("ipnotinallowed_ips", "allowed"));
        assert!(!contains_bounded("!session.user.isadmin", "!session"));
        assert!(!contains_bounded("!user.isadmin", "!user"));
        assert_eq!(ownership("authheader!=`bearer${x}`"), None);
        assert_eq!(ownership("authorization!=x"), None);
        assert_eq!(ownership("post.author!=user.id"), Some("ownership"));
        assert_eq!(without_credential_presence("!token && x"), "!token && x");
    }

    #[test]
    fn conjuncts_split_at_the_top_level_only() {
        assert_eq!(conjuncts("!token && (a && b)"), ["!token", "(a && b)"]);
        assert_eq!(conjuncts("not user and é == 'ü'"), ["not user", "é == 'ü'"]);
        assert_eq!(conjuncts("é&&ü"), ["é", "ü"]);
    }

    #[test]
    fn is_authenticated_counts_only_when_negated() {
        assert!(negated(
            "!request.user.is_authenticated",
            "is_authenticated"
        ));
        assert!(negated("req.isauthenticated()==false", "isauthenticated"));
        assert!(!negated(
            "!settings.open||request.user.is_authenticated",
            "is_authenticated"
        ));
        // A character of several bytes just before the path.
        assert!(negated("x→!user.is_authenticated", "is_authenticated"));
        assert!(!negated("€user.is_authenticated", "is_authenticated"));
    }
}
