//! Evidence shared by the 401-vs-403 rules: is a site about *who* the caller
//! is (authentication, 401) or about *what* they may do (authorization, 403)?
//!
//! A verdict needs clear evidence from the message, the guarding condition or
//! the authentication state. A bare "Unauthorized" message is no evidence.

use crate::diagnostic::Confidence;
use crate::engine::middleware::Failure;
use crate::engine::model::{MiddlewareRelation, ResponseSite, StatusValue};

mod vocabulary;
pub use vocabulary::CREDENTIAL_WORDS;
use vocabulary::{
    AUTHN_CALLEE, AUTHN_GUARD_MEDIUM, AUTHN_GUARD_STRONG, AUTHN_GUARD_WEAK, AUTHN_MESSAGE,
    AUTHZ_GUARD, AUTHZ_MESSAGE, FORGERY, VERIFICATION_ERRORS,
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

/// The authentication evidence in a normalised condition, with its strength:
/// the fragment found and how sure it makes a verdict.
fn authn_in_guard(cond_n: &str, cond_spaced: &str) -> Option<(&'static str, Confidence)> {
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
}

/// `key` (`user.`, `claims.`) occurs in `cond` as the caller's own path: at
/// the start of a path or under the request's holders of the caller
/// (`req.user.role`, `ctx.state.user.id`), not inside another record
/// (`linkingUserInfo.user.email` is a provider's answer).
fn caller_path(cond: &str, key: &str) -> bool {
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
fn negated(cond: &str, word: &str) -> bool {
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

/// Whether a Python `except` clause in the guard names a verification error.
pub fn names_verification_error(guard: &str) -> bool {
    verification_error(guard).is_some()
}

/// The top-level operands of a conjunction (`a && b`, `a and b`), or the
/// whole condition.
fn conjuncts(cond: &str) -> Vec<&str> {
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
fn only_auth_conjuncts(cond: &str) -> bool {
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
fn without_credential_presence(cond: &str) -> String {
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
fn tests_absence(cond: &str) -> bool {
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
fn setting_flag(cond: &str) -> bool {
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
fn scopes_the_route(cond: &str) -> bool {
    let c = cond.to_ascii_lowercase();
    ["path", "method", "url", "route"]
        .iter()
        .any(|k| c.contains(k))
}

fn find<'a>(hay: &str, needles: &'a [&'a str]) -> Option<&'a str> {
    needles.iter().copied().find(|n| contains_bounded(hay, n))
}

/// `hay` contains `needle`; a negation probe like `!user` must not continue
/// into a member access (`!user.isAdmin` tests an attribute, not presence).
fn contains_bounded(hay: &str, needle: &str) -> bool {
    if needle == "authorization" {
        return hay
            .match_indices(needle)
            .any(|(i, _)| !names_a_record(&hay[i + needle.len()..]));
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
fn identity_path(rest: &str) -> bool {
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
fn names_a_credential(rest: &str) -> bool {
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

/// Python spells negation `not x`, and a handler's own attribute is
/// `self.x` or `this.x`: `not self.current_user` is `!current_user` to the
/// probes, as `not user` is `!user`.
fn negations(n: &str) -> String {
    n.replace("notself.", "!")
        .replace("!self.", "!")
        .replace("!this.", "!")
        .replace("notuser", "!user")
        .replace("notsession", "!session")
        .replace("nottoken", "!token")
        .replace("notcurrent_user", "!current_user")
}

/// `cond` with the text of every string literal that holds a `/` (a path
/// or a URL) emptied.
fn without_paths(cond: &str) -> String {
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
fn names_a_record(rest: &str) -> bool {
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

/// Normalises condition text for keyword matching: lower-case, no spaces.
fn norm_condition(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace("===", "==")
        .replace("!==", "!=")
        .replace("not(", "!(")
        .replace("isnone", "is none")
}

/// Classifies one status value of a site; `text` is the file's text.
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
    let mut message = site.message.as_deref().unwrap_or("").to_lowercase();
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
    let guard_authz = find(&cond_n, AUTHZ_GUARD)
        .or_else(|| ownership(&cond_n))
        .filter(|_| !cond_n.is_empty());
    let guard_authn = authn_in_guard(&cond_n, &cond_spaced).filter(|_| !cond_n.is_empty() && !csrf);
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
        .and_then(|g| verification_error(&g.text).or(g.verified_by.as_deref()));
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
fn permission_predicate(cond: &str) -> Option<&str> {
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
const IDENTITY: &[&str] = &["user", "session", "auth", "token", "claims", "principal"];

/// "You must be signed in through SSO to …": the caller is signed in, and
/// the requirement is the way they signed in (a policy on a known caller).
fn signed_in_a_way(message: &str, phrase: &str) -> bool {
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
fn record_owner_field(cond: &str) -> bool {
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
fn ownership(cond: &str) -> Option<&'static str> {
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
    (cond.contains("!=") && keys.iter().any(|k| cond.contains(k))).then_some("ownership")
}

/// Whether the site answers 401 for the server's own misconfiguration.
pub fn is_server_error(site: &ResponseSite) -> bool {
    site.guard.as_ref().is_some_and(|g| g.missing_config)
}

/// Whether the innermost condition around the site, on its own, tests the
/// request's credential (`else if (!authorizationHeader)`, `!apiKey`) and
/// nothing about permissions: the conditions of the branches around it
/// (a route's special cases, an `else if` chain) do not change what it
/// refuses.
pub fn innermost_tests_credential(site: &ResponseSite, text: &str) -> bool {
    let Some(g) = site.guard.as_ref().filter(|g| !g.in_catch) else {
        return false;
    };
    let Some(cond) = text.get(g.range.clone()) else {
        return false;
    };
    let mut cond = without_paths(cond.trim());
    while let Some(inner) = wrapped(&cond) {
        cond = inner.trim().to_string();
    }
    let n = negations(&norm_condition(&cond));
    let spaced = negations(&cond.to_lowercase().replace("not ", "!"));
    let authz = find(&n, AUTHZ_GUARD).or_else(|| ownership(&n)).is_some();
    !authz
        && !n.contains("csrf")
        && !n.contains("xsrf")
        && tests_absence(&cond)
        && authn_in_guard(&n, &spaced).is_some_and(|(_, c)| c == Confidence::High)
}

/// The inside of a condition wrapped whole in parentheses: `(a && b)`,
/// not `(a) && (b)`.
fn wrapped(cond: &str) -> Option<&str> {
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

/// Whether a 401 value is really an authorization failure (reported by
/// `prefer-403-for-authorization` alone).
pub fn is_really_403(site: &ResponseSite, value: &StatusValue, text: &str) -> bool {
    let v = classify(site, value, text);
    value.code == 401 && v.authz.is_some() && v.authn.is_none()
}

/// A 401 whose only condition is that a record exists (`if not chat:`,
/// `!project`), in a handler whose caller an earlier check, dependency or
/// decorator already authenticated: the credentials were accepted, so the
/// 401 is not about them, and asking it for a challenge or a log line is
/// noise. (The status is wrong; what is right, 403 or 404, the code does not say.)
pub fn record_missing_after_identity(site: &ResponseSite) -> bool {
    let Some(g) = site.guard.as_ref() else {
        return false;
    };
    // A record's test is short; a long condition is something else (and is
    // not worth unwrapping).
    if site.identity_established.is_none()
        || g.in_catch
        || g.verified_by.is_some()
        || g.text.len() > 200
    {
        return false;
    }
    let mut c = g.text.trim().to_ascii_lowercase();
    // The tests of absence, down to the name tested.
    loop {
        let before = c.clone();
        for (from, to) in [("!(", "("), ("not (", "(")] {
            if let Some(rest) = c.strip_prefix(from) {
                c = to.to_string() + rest;
            }
        }
        if c.starts_with('(') && c.ends_with(')') {
            c = c[1..c.len() - 1].trim().to_string();
        }
        for p in ["!", "not "] {
            if let Some(rest) = c.strip_prefix(p) {
                c = rest.trim().to_string();
            }
        }
        for suffix in [
            " is none",
            " is not none",
            " == none",
            " === null",
            " == null",
            " === undefined",
            " == undefined",
            " !== null",
            " != null",
            " !== undefined",
        ] {
            if let Some(rest) = c.strip_suffix(suffix) {
                c = rest.trim().to_string();
            }
        }
        if c == before {
            break;
        }
    }
    let plain = !c.is_empty()
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '?'));
    // A name that may hold a credential or a verification's outcome is not a record.
    const NOT_A_RECORD: &[&str] = &[
        "valid",
        "verif",
        "match",
        "ok",
        "pass",
        "hash",
        "compare",
        "check",
        "allow",
        "success",
        "result",
        "claims",
        "payload",
        "decoded",
        "member",
        "role",
        "permission",
        "admin",
        "owner",
        "access",
        "can",
        "is_",
        "has",
        // `if (error)` after verifying a token: the verification's outcome.
        "err",
    ];
    // A message that speaks of credentials says the record was one.
    let message = site.message.as_deref().unwrap_or("").to_ascii_lowercase();
    const CREDENTIAL_MESSAGE: &[&str] = &[
        "token",
        "auth",
        "credential",
        "password",
        "session",
        "key",
        "jwt",
        "bearer",
        "cookie",
        "log in",
        "login",
        "sign in",
        "signature",
        "secret",
        "expired",
    ];
    plain
        && !CREDENTIAL_WORDS
            .iter()
            .chain(NOT_A_RECORD)
            .any(|w| c.contains(w))
        && !CREDENTIAL_MESSAGE.iter().any(|w| message.contains(w))
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
    if is_server_error(site) || record_missing_after_identity(site) {
        return None;
    }
    let wrong_reason_on = ctx
        .settings
        .level(super::no_401_for_non_credential_error::RULE.id)
        .severity()
        .is_some();
    if wrong_reason_on && super::reasons::non_credential(site).is_some() {
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
