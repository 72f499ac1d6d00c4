//! Why a 401 was sent, when the reason is plainly not the request's
//! credentials: a bad parameter, a missing record, the account's state, a
//! plan or a rate limit. `no-401-for-non-credential-error` reports these,
//! and the rules that would ask such a 401 to carry a challenge or a log
//! line stay silent on it.
//!
//! The evidence is the message, confirmed by the condition: a message that
//! also speaks of credentials (a token, a password, a session, a key) or a
//! condition that tests them is no evidence, and the site is left alone.

mod conditions;

use super::evidence;
use crate::diagnostic::Confidence;
use crate::engine::model::ResponseSite;
use conditions::{compares_oauth_state, server_licence, server_mode};

/// A reason that is not about credentials, and the status that says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// "a missing or invalid request parameter"…
    pub what: &'static str,
    pub status: u16,
    pub status_name: &'static str,
    pub confidence: Confidence,
}

struct Category {
    what: &'static str,
    status: u16,
    status_name: &'static str,
    phrases: &'static [&'static str],
    /// Words of [`evidence::CREDENTIAL_WORDS`] the reason's own phrases use
    /// ("user", "account" in "account is disabled"), which do not make the
    /// message speak of credentials.
    names: &'static [&'static str],
}

const CATEGORIES: &[Category] = &[
    Category {
        what: "a rate limit",
        status: 429,
        status_name: "Too Many Requests",
        phrases: &[
            "rate limit",
            "too many requests",
            "slow down",
            "too many failed attempts",
            "too many attempts",
            "too many login attempts",
        ],
        names: &[],
    },
    Category {
        what: "an account that has not verified its e-mail",
        status: 403,
        status_name: "Forbidden",
        phrases: &[
            "verify your email",
            "verify your e-mail",
            "email not verified",
            "email is not verified",
            "email address is not verified",
            "unverified email",
            "email_not_verified",
        ],
        names: &[],
    },
    Category {
        what: "a plan, subscription or quota limit",
        status: 403,
        status_name: "Forbidden",
        phrases: &[
            "not a subscriber",
            "subscription",
            "upgrade your plan",
            "payment required",
            "plan limit",
            "limit reached",
            "reached the limit",
            "quota",
        ],
        names: &[],
    },
    Category {
        what: "a request that conflicts with one already in progress",
        status: 409,
        status_name: "Conflict",
        phrases: &["already running", "already in progress"],
        names: &[],
    },
    Category {
        what: "a missing or invalid request parameter",
        status: 400,
        status_name: "Bad Request",
        phrases: &[
            "missing format",
            "invalid format",
            "missing id",
            "invalid id",
            "choose a valid",
            "please select",
            "please choose",
            "required field",
            "invalid input",
            "invalid parameter",
            "missing parameter",
            "invalid request body",
            "validation failed",
            "bad request",
            "invalid url",
            "id not provided",
            "id is required",
            "id is missing",
            "parameter is required",
        ],
        names: &[],
    },
    Category {
        what: "a record that does not exist",
        status: 404,
        status_name: "Not Found",
        phrases: &["not found", "not available", "does not exist", "no such"],
        names: &[],
    },
    Category {
        what: "an account that is not active",
        status: 403,
        status_name: "Forbidden",
        phrases: &[
            "not activated",
            "not yet activated",
            "account is disabled",
            "account disabled",
            "user is disabled",
            "account is deactivated",
            "account deactivated",
            "account is inactive",
            "user is inactive",
            "inactive user",
            "inactive account",
        ],
        names: &["user", "account"],
    },
];

/// An OAuth token-endpoint error code that RFC 6749 §5.2 (and RFC 6750
/// §3.1 for `invalid_request`) answers with 400, named in the message or
/// the body: `invalid_grant` for a code or refresh token that is invalid,
/// expired or issued to another client, `invalid_request` for a missing
/// or repeated parameter (a PKCE `code_verifier`).
fn oauth_request_error(message: &str) -> Option<&'static str> {
    [
        (
            "invalid_grant",
            "an OAuth `invalid_grant` (a bad authorization code, refresh token or PKCE verifier)",
        ),
        (
            "invalid_request",
            "an OAuth `invalid_request` (a missing, repeated or malformed parameter)",
        ),
        (
            "unsupported_grant_type",
            "an OAuth `unsupported_grant_type`",
        ),
        ("invalid_scope", "an OAuth `invalid_scope`"),
        (
            "unauthorized_client",
            "an OAuth `unauthorized_client` (a grant this client may not use)",
        ),
    ]
    .into_iter()
    .find(|(code, _)| {
        message.match_indices(code).any(|(i, _)| {
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(message[..i].chars().next_back())
                && !word(message[i + code.len()..].chars().next())
        })
    })
    .map(|(_, what)| what)
}

/// "Invalid state", "no state", "state mismatch": the message is about an
/// OAuth `state` parameter, the client's anti-forgery round trip, not the
/// caller's credential (RFC 6749 §10.12). Whole words only: "statement" and
/// "estate" are not it.
pub fn names_oauth_state(message: &str) -> bool {
    let words: Vec<String> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.len() > 6 {
        return false; // a sentence about something else that mentions a state
    }
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    w.windows(2).any(|p| {
        matches!(
            p,
            [
                "invalid" | "no" | "missing" | "bad" | "unknown" | "expired" | "oauth",
                "state"
            ] | ["state", "mismatch" | "parameter" | "param"]
        )
    })
}

fn oauth_state() -> Reason {
    Reason {
        what: "a missing or invalid OAuth `state` parameter",
        status: 400,
        status_name: "Bad Request, or 403 for a state issued to someone else",
        confidence: Confidence::High,
    }
}

/// "No organization found", "no project was found": a record that is not there.
fn no_such_record(message: &str) -> bool {
    let words: Vec<&str> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).any(|w| w[0] == "no" && w[2] == "found")
        || words
            .windows(4)
            .any(|w| w[0] == "no" && matches!(w[2], "was" | "is") && w[3] == "found")
}

fn mentions_credentials(text: &str, except: &[&str]) -> bool {
    let t = text.to_lowercase();
    evidence::CREDENTIAL_WORDS
        .iter()
        .filter(|w| !except.contains(w))
        .any(|w| t.contains(w))
}

/// Messages that say the server failed at its own work.
const SERVER_FAILURE: &[&str] = &[
    "failed to create",
    "failed to save",
    "failed to update",
    "failed to insert",
    "failed to store",
    "could not create",
    "could not save",
    "unable to create",
    "unable to save",
    "error creating",
    "error saving",
    "database error",
    "internal server error",
];

/// The non-credential reason a site's 401 is sent for, when its message
/// says so and neither the message nor the condition speaks of credentials;
/// else, at medium confidence, a missing record after the caller was
/// authenticated.
pub fn non_credential(site: &ResponseSite, text: &str) -> Option<Reason> {
    if !site.has_code(401) || evidence::is_server_error(site) {
        return None;
    }
    by_evidence(site, text)
        .or_else(|| oauth2orize_exchange(site, text))
        .or_else(|| {
            // `user=Depends(get_verified_user)`, then `if not chat: raise 401`:
            // the credentials were accepted; the record is what is missing.
            if !evidence::record_missing_after_identity(site, text) {
                return None;
            }
            // `!teamId`: a request parameter that was not sent.
            if evidence::only_ids_missing(site, text) {
                return Some(Reason {
                    what: "a missing request parameter after the caller was authenticated",
                    status: 400,
                    status_name: "Bad Request",
                    confidence: Confidence::Medium,
                });
            }
            Some(Reason {
            what:
                "a record that is missing (or not the caller's) after the caller was authenticated",
            status: 404,
            status_name: "Not Found, or 403 Forbidden when the record exists but is not theirs",
            confidence: Confidence::Medium,
        })
        })
}

/// The site's own message gives a reason that is not a permission ("Invalid
/// URL.", "Rate limit exceeded") while the only sign of a permission check
/// is in the conditions around it: the message is the author's statement of
/// what failed, so `no-401-for-non-credential-error` reports it rather than
/// `prefer-403-for-authorization`.
/// `verdict` is the site's [`evidence::classify`], `reason` its
/// [`non_credential`] reason: the callers have both already.
pub fn stated_reason_wins(verdict: &evidence::Verdict, reason: Option<&Reason>) -> bool {
    let from_message = verdict
        .authz
        .as_deref()
        .is_some_and(|w| w.starts_with("the message"));
    !from_message && reason.is_some_and(|r| r.status != 403 && r.confidence == Confidence::High)
}

/// A request the server made to another service failed: 502.
fn upstream_failure(confidence: Confidence) -> Reason {
    Reason {
        what: "a failed request to another service",
        status: 502,
        status_name: "Bad Gateway",
        confidence,
    }
}

/// An error handed to `done` in an oauth2orize exchange callback
/// (`exchange.code((client, code, redirectUri, done) => …)`): the client
/// was authenticated before the callback runs, so what failed is the grant
/// (the code, the refresh token, the redirect URI), which RFC 6749 §5.2
/// answers 400 `invalid_grant`.
fn oauth2orize_exchange(site: &ResponseSite, text: &str) -> Option<Reason> {
    // The nearest `(client, …, done)` parameter list above the site (the
    // callback may wrap the site in a transaction's own function).
    let before = text
        .get(site.range.start.saturating_sub(4000)..site.range.start)
        .filter(|b| b.contains("(client"))?;
    let exchange = before.rmatch_indices("(client").take(8).any(|(at, _)| {
        let Some(list) = before[at + 1..].split(')').next() else {
            return false;
        };
        let params: Vec<&str> = list
            .split(',')
            .map(|p| p.trim().split(':').next().unwrap_or("").trim())
            .filter(|p| !p.is_empty())
            .collect();
        params.len() >= 3 && params.first() == Some(&"client") && params.last() == Some(&"done")
    }) && text.contains("oauth2orize");
    exchange.then_some(Reason {
        what: "an OAuth grant error in a token exchange (the client was already authenticated)",
        status: 400,
        status_name: "Bad Request with `invalid_grant` (RFC 6749 §5.2)",
        confidence: Confidence::High,
    })
}

/// The message says a way of signing in (or of signing up) is disabled,
/// and the condition reads a setting: no credential could succeed.
fn switched_off_by_settings(site: &ResponseSite, message: &str) -> bool {
    let disabled = [
        "has been disabled",
        "is disabled",
        "are disabled",
        "not enabled",
    ]
    .iter()
    .any(|p| message.contains(p));
    let sign_in = [
        "login",
        "log in",
        "sign in",
        "sign-in",
        "signin",
        "sign up",
        "signup",
        "registration",
    ]
    .iter()
    .any(|p| message.contains(p));
    let setting = site.guard.as_ref().is_some_and(|g| {
        let t = g.text.to_ascii_lowercase();
        !g.in_catch
            && ["config", "setting", "enabled", "feature"]
                .iter()
                .any(|w| t.contains(w))
            && !["user", "account", "member"].iter().any(|w| t.contains(w))
    });
    disabled && sign_in && setting && !message.contains("account")
}

/// The reason a message, a catch clause or a guard gives.
fn by_evidence(site: &ResponseSite, text: &str) -> Option<Reason> {
    if let Some(g) = site.guard.as_ref().filter(|g| g.in_catch) {
        // `except PermissionError: raise HTTPException(401)`: the operating
        // system refused the server, not the client's credentials.
        let header = g.text.to_ascii_lowercase();
        if [
            "permissionerror",
            "oserror",
            "ioerror",
            "filenotfounderror",
            "eacces",
        ]
        .iter()
        .any(|e| header.contains(e))
            && !header.contains("auth")
        {
            return Some(Reason {
                what: "the server's own file-system error",
                status: 403,
                status_name: "Forbidden, as web servers answer a file they may not read; or 500",
                confidence: Confidence::High,
            });
        }
    }
    let message = site.message.as_deref().unwrap_or("").to_lowercase();
    // "Please reconnect your account": a third-party account the user
    // linked (its token expired or was revoked), not this request's
    // credential. Signing in again here changes nothing.
    if [
        "reconnect your",
        "re-connect your",
        "reauthorize the",
        "re-authorize the",
        "reconnect the integration",
    ]
    .iter()
    .any(|p| message.contains(p))
    {
        return Some(Reason {
            what: "a third-party account the user linked, whose token no longer works",
            status: 403,
            status_name: "Forbidden (or 409), with a message asking to reconnect the account",
            confidence: Confidence::High,
        });
    }
    // `except RequestFailed: raise AppError(401)`: a request the server made
    // to another service failed, and the message speaks of no credential.
    if let Some(g) = site.guard.as_ref().filter(|g| g.in_catch) {
        let header = g.text.to_ascii_lowercase();
        let outbound = [
            "requestfailed",
            "httpstatuserror",
            "clientresponseerror",
            "requestexception",
            "connecterror",
            "connectionerror",
        ]
        .iter()
        .any(|e| header.contains(e));
        if outbound && !mentions_credentials(&message, &[]) {
            // With no message, the request may have been the one that
            // checks the caller's token with its issuer: less sure.
            let confidence = if message.is_empty() {
                Confidence::Medium
            } else {
                Confidence::High
            };
            return Some(upstream_failure(confidence));
        }
    }
    // "Unauthorized" is only the status's reason phrase.
    let said = message
        .replace("unauthorized", "")
        .replace("unauthorised", "");
    // The condition right above the site (not a `catch`): the reasons a
    // condition gives on its own ([`conditions`]).
    let cond = site
        .guard
        .as_ref()
        .filter(|g| !g.in_catch)
        .and_then(|_| evidence::innermost_condition(site, text));
    if let Some(cond) = cond.filter(|_| !mentions_credentials(&said, &[])) {
        // `if (!identityManager.isLicenseValid())` right above: the server's
        // own licence, which no credential of the caller's can change.
        if server_licence(cond) {
            return Some(Reason {
                what: "the server's own licence or plan",
                status: 403,
                status_name: "Forbidden (or 402 Payment Required)",
                confidence: Confidence::High,
            });
        }
        // `if (!multiUserMode(response)) return res.sendStatus(401)`: a mode
        // the server runs in, the same for every caller.
        if server_mode(cond) {
            return Some(Reason {
                what: "a mode or setting of the server, not the caller's credential",
                status: 403,
                status_name: "Forbidden (or 404 for a feature that is switched off)",
                confidence: Confidence::High,
            });
        }
    }
    // `if (!state || state !== storedState) throw new HTTPException(401)`:
    // the OAuth callback's anti-forgery round trip, with nothing said.
    if said.trim_matches(|c: char| !c.is_alphanumeric()).is_empty()
        && cond.is_some_and(|c| compares_oauth_state(c, site.handler_text(text).unwrap_or("")))
    {
        return Some(oauth_state());
    }
    if message.is_empty() {
        return None;
    }
    // "Authentication failed with the LLM model provider": the server's key
    // (or one it stores for the user) was refused by another service.
    if message.contains("provider")
        && [
            "llm",
            "model provider",
            "upstream",
            "third-party",
            "third party",
        ]
        .iter()
        .any(|w| message.contains(w))
    {
        return Some(upstream_failure(Confidence::High));
    }
    // "Request did not pass CSRF verification": an anti-forgery check, which
    // frameworks answer with 403 (Django, csurf); the caller's credential
    // may be fine.
    if message
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "csrf" | "xsrf" | "forgery"))
    {
        return Some(Reason {
            what: "a failed anti-forgery (CSRF) check",
            status: 403,
            status_name: "Forbidden",
            confidence: Confidence::High,
        });
    }
    // RFC 6750 reuses `invalid_request` at a resource server, where a
    // missing access token is a 401 (with the wrong code): that is left to
    // the challenge rules.
    let resource_server = |code: &str| {
        code.contains("invalid_request")
            && site.guard.as_ref().is_some_and(|g| {
                let t = g.text.to_ascii_lowercase();
                [
                    "accesstoken",
                    "access_token",
                    "bearer",
                    "authorization",
                    "apikey",
                    "api_key",
                ]
                .iter()
                .any(|k| t.contains(k))
            })
    };
    if let Some(code) = oauth_request_error(&message).filter(|c| !resource_server(c)) {
        // The error code is the author's own statement of what failed, and
        // RFC 6749 §5.2 gives it its status, whatever the condition tests.
        return Some(Reason {
            what: code,
            status: 400,
            status_name: "Bad Request (RFC 6749 §5.2: only `invalid_client` is a 401)",
            confidence: Confidence::High,
        });
    }
    if names_oauth_state(&message) {
        // Checked before the catch clause below: a `state` that fails to
        // decode is still a bad parameter, however the decoding failed.
        return Some(oauth_state());
    }
    // The server failed to do its part ("failed to create session"): a 500,
    // whatever the thing it failed on, and whatever the condition tested.
    if SERVER_FAILURE.iter().any(|p| message.contains(p)) {
        return Some(Reason {
            what: "a failure on the server's side",
            status: 500,
            status_name: "Internal Server Error",
            confidence: Confidence::High,
        });
    }
    // "Password login has been disabled" under `if (!config.passwordLogin.enabled)`:
    // the server's settings switched a way of signing in off, for everyone.
    if switched_off_by_settings(site, &message) {
        return Some(Reason {
            what: "a way of signing in that the server's settings switch off",
            status: 403,
            status_name: "Forbidden",
            confidence: Confidence::High,
        });
    }
    // The cheap test first: most messages name none of these reasons.
    let category = CATEGORIES
        .iter()
        .find(|c| c.phrases.iter().any(|p| message.contains(p)))
        .or_else(|| {
            no_such_record(&message)
                .then(|| CATEGORIES.iter().find(|c| c.status == 404))
                .flatten()
        })?;
    if mentions_credentials(&message, category.names) {
        return None;
    }
    if let Some(g) = &site.guard {
        // The condition's own credential evidence, as the 401/403 rules read
        // it (`!token`, `!req.user`, an Authorization header), or a password,
        // secret or one-time code compared.
        let (authn, _) = evidence::condition_tests(&g.text);
        // Upper-case names are the server's settings (`STRIPE_SECRET_KEY`),
        // not what the request presented.
        let secret = g
            .text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| w.chars().any(|c| c.is_lowercase()))
            .any(|w| {
                let w = w.to_lowercase();
                ["password", "passwd", "secret", "otp", "credential"]
                    .iter()
                    .any(|k| w.contains(k))
            });
        if g.in_catch || authn || secret {
            return None;
        }
    }
    Some(Reason {
        what: category.what,
        status: category.status,
        status_name: category.status_name,
        confidence: Confidence::High,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_words_keep_the_401() {
        for m in [
            "User not found",
            "API key not found",
            "Session not found",
            "Token is required",
            "Invalid code",
        ] {
            assert!(mentions_credentials(m, &[]), "{m}");
        }
        for m in [
            "Missing format",
            "Please choose a valid link.",
            "Rate limit exceeded",
        ] {
            assert!(!mentions_credentials(m, &[]), "{m}");
        }
    }

    #[test]
    fn oauth_request_errors_are_whole_codes() {
        assert!(oauth_request_error("invalid_grant").is_some());
        assert!(oauth_request_error("{error: invalid_request}").is_some());
        assert!(oauth_request_error("invalid_client").is_none());
        assert!(oauth_request_error("invalid_grant_type_x").is_none());
        assert!(oauth_request_error("my_invalid_scope").is_none());
    }

    #[test]
    fn an_oauth_state_is_named_in_whole_words() {
        for m in [
            "Invalid state",
            "No state",
            "OAuth state mismatch",
            "missing state parameter",
        ] {
            assert!(names_oauth_state(m), "{m}");
        }
        for m in [
            "Invalid statement",
            "Real estate only",
            "Invalid token",
            "The session is in an invalid state because the user was removed from the organisation",
        ] {
            assert!(!names_oauth_state(m), "{m}");
        }
    }
}
