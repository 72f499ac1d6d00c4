//! A 401 whose only condition is that a record is missing, after the
//! caller was already authenticated: the credentials were accepted, so the
//! 401 is not about them.

use super::vocabulary::CREDENTIAL_WORDS;
use crate::engine::model::ResponseSite;

/// A 401 whose only condition is that a record exists (`if not chat:`,
/// `!project`), in a handler whose caller an earlier check, dependency or
/// decorator already authenticated: the credentials were accepted, so the
/// 401 is not about them, and asking it for a challenge or a log line is
/// noise. (The status is wrong; what is right, 403 or 404, the code does not say.)
pub fn record_missing_after_identity(site: &ResponseSite, text: &str) -> bool {
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
    // The innermost condition decides; the branches around it (`else if
    // (req.method === "POST")`) may not test a credential.
    let innermost = super::condition::innermost_condition(site, text)
        .filter(|t| g.text.contains(*t))
        .unwrap_or(&g.text);
    let outer = g.text.replacen(innermost, "", 1).to_ascii_lowercase();
    if CREDENTIAL_WORDS.iter().any(|w| outer.contains(w)) {
        return false;
    }
    // `!teamId || !agreementId`: every part tests that a name is missing.
    let names: Vec<String> = innermost
        .replace(" or ", " || ")
        .split("||")
        .map(absent_name)
        .collect();
    let plain = |c: &str| {
        !c.is_empty()
            && c.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | '?'))
    };
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
    // "Unauthorized" is only the reason phrase.
    let message = site
        .message
        .as_deref()
        .unwrap_or("")
        .to_ascii_lowercase()
        .replace("unauthorized", "")
        .replace("unauthorised", "");
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
    names.iter().all(|c| {
        plain(c)
            && !CREDENTIAL_WORDS
                .iter()
                .chain(NOT_A_RECORD)
                .any(|w| c.contains(w))
    }) && !CREDENTIAL_MESSAGE.iter().any(|w| message.contains(w))
}

/// Whether the missing names of such a 401 are all bare identifiers of
/// something (`!teamId || !agreementId`): request parameters, whose absence
/// is a bad request (400) rather than a missing record.
pub fn only_ids_missing(site: &ResponseSite, text: &str) -> bool {
    let Some(t) = super::condition::innermost_condition(site, text) else {
        return false;
    };
    t.replace(" or ", " || ").split("||").all(|part| {
        let n = absent_name(part);
        n.len() > 2 && n.ends_with("id") && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A test that a name is missing (`!x`, `not x`, `x is None`, `x === null`),
/// down to the name tested.
fn absent_name(part: &str) -> String {
    let mut c = part.trim().to_ascii_lowercase();
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
    c
}
