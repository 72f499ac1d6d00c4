//! `no-forwarded-401`: don't pass an upstream status straight through.
//! Documentation and examples: `no_forwarded_401.md` beside this file.

use super::{Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::{ResponseSite, Status};

pub static RULE: Rule = Rule {
    id: "no-forwarded-401",
    name: "NoForwarded401",
    default_severity: Severity::Warning,
    fix: FixKind::None,
    summary: "An upstream service's status is passed straight through, turning a third party's 401 into your own.",
    doc: include_str!("no_forwarded_401.md"),
    cwe: &[287],
    security_severity: 3.0,
    check,
    roles: super::APP_AND_DOCS,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    if let Status::Forwarded { range, source } = &site.status {
        let credential = outbound_credential(ctx.text, site);
        // `return fetch(…)`: the upstream's answer, as it is. Only the
        // server's own credential makes its 401 a wrong one.
        let returned_whole = ctx
            .text
            .get(site.range.clone())
            .is_some_and(|t| t.trim_start().starts_with("return"));
        if returned_whole && credential != Some(Credential::Server) {
            return;
        }
        // A proxy relaying the upstream's answer on the caller's credential,
        // or on none at all from an address the caller chose (a public file
        // streamed back).
        let proxied = match credential {
            Some(Credential::Caller) => true,
            Some(Credential::Server) => false,
            None => callers_public_upstream(ctx.text, site),
        };
        if proxied && relays_whole_response(ctx.text, site, source) {
            return;
        }
        if errors_answered_before(ctx.text, site, source) {
            return;
        }
        out.push(Diagnostic::new(
            RULE.id,
            severity,
            range.clone(),
            format!("`{source}` passes an upstream status straight through: when that service answers 401, your client is told to re-authenticate with you; map upstream auth failures to 502 or 500 (and log them)"),
        ));
    }
}

/// The site sends on the upstream's body or headers too (`new
/// Response(upstream.body, { status: upstream.status, … })`): a proxy whose
/// job is to relay the upstream's answer as it is, 401 included.
fn relays_whole_response(text: &str, site: &ResponseSite, source: &str) -> bool {
    let root = source
        .split(['.', '?', '['])
        .next()
        .unwrap_or(source)
        .trim_start_matches('(')
        .trim();
    if root.is_empty()
        || !root
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return false;
    }
    let Some(site_text) = text.get(site.range.clone()) else {
        return false;
    };
    [
        ".body",
        ".headers",
        ".raw",
        ".content",
        // httpx's and requests' streamed bodies, as they came.
        ".aiter_raw(",
        ".iter_raw(",
        ".aiter_bytes(",
        ".iter_bytes(",
        ".iter_content(",
    ]
    .iter()
    .any(|part| {
        site_text
            .match_indices(&format!("{root}{part}"))
            .any(|(i, _)| {
                // `root` starts a name here, not the tail of a longer one.
                !site_text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$' || c == '.')
            })
    })
}

/// The handler already answered the upstream's error statuses before the
/// site (`r.raise_for_status()`, `if not r.ok: raise …`, `if (r.status >=
/// 400) return …`, `if (r.status !== 200) ctx.throw(…)`): what the site passes on is a success. Not in a
/// `catch`/`except`, where the status is the error's, nor in the error
/// branch itself.
fn errors_answered_before(text: &str, site: &ResponseSite, source: &str) -> bool {
    let root = source.split(['.', '[']).next().unwrap_or(source).trim();
    if root.is_empty()
        || !root
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return false;
    }
    if site.guard.as_ref().is_some_and(|g| g.in_catch) {
        return false;
    }
    let Some(handler) = site.handler.clone() else {
        return false;
    };
    let Some(before) = text.get(handler.start..site.range.start.max(handler.start)) else {
        return false;
    };
    let checks = [
        format!("{root}.raise_for_status()"),
        format!("not {root}.ok"),
        format!("!{root}.ok"),
        format!("{root}.status >= 400"),
        format!("{root}.status_code >= 400"),
        format!("{root}.status >= 300"),
        format!("{root}.status_code >= 300"),
        format!("{root}.status !== 200"),
        format!("{root}.status != 200"),
        format!("{root}.status_code != 200"),
    ];
    // `if (result?.success) { … status: res.status }`: the upstream said it worked.
    let success_branch = site.guard.as_ref().is_some_and(|g| {
        let t = g.text.replace(' ', "");
        t.contains(".success") && !t.contains("!") && !t.contains("not")
    });
    if success_branch {
        return true;
    }
    let checked = checks.iter().any(|c| before.contains(c.as_str()));
    // The site in the error branch: `if not r.ok:` above it is its own condition.
    let in_error_branch = site.guard.as_ref().is_some_and(|g| {
        checks.iter().any(|c| {
            let negated =
                g.text.contains(&format!("!({c}")) || g.text.contains(&format!("not ({c}"));
            g.text.contains(c.as_str()) && !negated
        })
    });
    checked && !in_error_branch
}

#[derive(Debug, PartialEq, Eq)]
enum Credential {
    /// The server's own: an environment variable or an upper-case constant.
    Server,
    /// Anything else: the caller's token, or one derived from the caller.
    Caller,
}

/// Whose credential the handler puts in an outbound `Authorization` header.
/// With the server's own, the upstream's 401 is about that credential, never
/// the caller's, even when the whole answer is relayed; with the caller's, a
/// relay is a proxy doing its job.
fn outbound_credential(text: &str, site: &ResponseSite) -> Option<Credential> {
    let handler = site.handler_text(text)?;
    let lower = handler.to_ascii_lowercase();
    let mut found = None;
    for (i, _) in lower.match_indices("authorization") {
        let end = handler[i..].find('\n').map_or(handler.len(), |n| i + n);
        let value = &handler[i..end];
        let v = value.to_ascii_lowercase();
        if v.contains("env")
            || v.contains("config.")
            || v.contains("settings.")
            || upper_case_secret(value)
            || from_env(handler, value)
        {
            return Some(Credential::Server);
        }
        // `Authorization: req.headers.get('Authorization')`: the caller's, as it came.
        if v.contains("req.headers") || v.contains("request.headers") {
            found = Some(Credential::Caller);
            continue;
        }
        if value.contains("${") || value.contains('{') || value.contains('+') {
            found = Some(Credential::Caller);
        }
    }
    // Every header of the request passed on (`headers=dict(request.headers)`):
    // the caller's credential, whatever it is.
    found.or_else(|| {
        [
            "dict(request.headers",
            "new Headers(request.headers)",
            "new Headers(req.headers)",
            "request.headers.items()",
            "...req.headers",
            "...request.headers",
            "headers: req.headers",
            "headers: request.headers",
            "headers=request.headers",
        ]
        .iter()
        .any(|k| handler.contains(k))
        .then_some(Credential::Caller)
    })
}

/// The handler names no credential at all (a header, a key, a token, a
/// secret, besides the `Authorization` headers [`outbound_credential`]
/// reads), and no address of its own (a URL literal, the environment, its
/// settings): the upstream is a public one the caller named. A fixed
/// upstream that answers 401 to a request without a credential wants one
/// from the server, which the caller cannot give.
fn callers_public_upstream(text: &str, site: &ResponseSite) -> bool {
    let Some(handler) = site.handler_text(text) else {
        return false;
    };
    let lower = handler.to_ascii_lowercase();
    ![
        "://",
        "environ",
        "getenv",
        "env.",
        "env[",
        "settings.",
        "config.",
        "authorization",
        "api_key",
        "apikey",
        "api-key",
        "token",
        "secret",
        "password",
        "credential",
        "cookie",
        "auth=",
        "auth:",
    ]
    .iter()
    .any(|k| lower.contains(k))
}

/// A name used in `value` is a local the handler reads from the environment
/// (`const apiKey = Deno.env.get('OPENAI_API_KEY')`, `key = os.environ[…]`).
fn from_env(handler: &str, value: &str) -> bool {
    value
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| w.len() > 1 && !w.eq_ignore_ascii_case("authorization"))
        .any(|name| {
            handler.lines().any(|line| {
                let Some(at) = line.find(name) else {
                    return false;
                };
                let rest = line[at + name.len()..].trim_start();
                let bounded = !line[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
                bounded
                    && rest.starts_with('=')
                    && !rest.starts_with("==")
                    && rest.to_ascii_lowercase().contains("env")
            })
        })
}

/// An identifier like `SERVICE_TOKEN` or `PARTNER_API_KEY` in `s`.
fn upper_case_secret(s: &str) -> bool {
    s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| {
            w.len() >= 4
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && ["TOKEN", "KEY", "SECRET"].iter().any(|k| w.contains(k))
        })
}
