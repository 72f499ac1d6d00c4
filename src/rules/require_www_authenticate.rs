//! `require-www-authenticate`: a 401 response must carry a challenge.
//! Documentation and examples: `require_www_authenticate.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::engine::credential;
use crate::engine::middleware::Failure;
use crate::engine::model::{Framework, MiddlewareRelation, ResponseSite};

pub static RULE: Rule = Rule {
    id: "require-www-authenticate",
    name: "RequireWwwAuthenticate",
    default_severity: Severity::Error,
    fix: FixKind::Safe,
    summary: "A 401 response has no `WWW-Authenticate` header (RFC 9110 §15.5.2 requires at least one challenge).",
    doc: include_str!("require_www_authenticate.md"),
    cwe: &[287],
    security_severity: 4.0,
    check,
    roles: super::SHIPPED,
    once_per_range: false,
};

/// What to do when the handler authenticates with a session cookie, for
/// which no registered scheme exists (so no fix invents one).
const COOKIE_NOTE: &str = "the handler reads a session cookie, which no registered scheme describes: \
    send the challenge of a token the endpoint also accepts, redirect browsers to the login page instead, \
    or configure the challenge your clients expect (`[challenge]` in authlint.toml)";

/// What to do when the handler checks a password posted in the body.
const FORM_NOTE: &str = "the handler checks a password posted in the request body, which no authentication scheme carries: \
    a login form is better answered with the form and its error (or 400, as OAuth's password grant answers `invalid_grant`, RFC 6749 §5.2), \
    or configure the challenge your clients expect (`[challenge]` in authlint.toml)";

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    // A fixed-status helper's headers are reported once, where it builds them.
    if site.headers.challenge.is_some() || site.headers.opaque || site.status_from_helper {
        return;
    }
    let Some(value) = evidence::authentication_401(ctx, site) else {
        return;
    };
    let base = "401 response has no `WWW-Authenticate` header: RFC 9110 §15.5.2 requires a 401 to send at least one challenge so the client knows how to authenticate";
    let note = evidence::middleware_note(site);
    let message = match &note {
        Some((clause, _)) => format!("{base}; {clause}"),
        None => base.to_string(),
    };
    // A status known only from middleware knowledge (`reply.send(err)` after `jwtVerify()`).
    let status_note = match &site.middleware {
        Some(m) if !value.literal && m.middleware.failure == Failure::ThrowsError => {
            format!(
                "this error comes from {} with status 401",
                m.middleware.name
            )
        }
        _ => "the 401 status is set here".to_string(),
    };
    let mut d = Diagnostic::new(RULE.id, severity, site.range.clone(), message)
        .with_related(value.range.clone(), status_note);
    if matches!(site.framework, Framework::StatusError | Framework::Result) {
        // Where a thrown error becomes a response is not in sight: a handler
        // there could add the challenge, and such errors are often thrown
        // for a status that is itself wrong (a permission, a parameter).
        // Unless the condition tests the request's credential itself (its
        // header, a Bearer token, a key): then the status is right, and an
        // error handler that adds a challenge is rare.
        let verdict = evidence::classify(site, value, ctx.text);
        let credential_tested = verdict.authz.is_none()
            && verdict.authn.is_some()
            && (verdict.authn_confidence == Confidence::High
                || evidence::innermost_tests_credential(site, ctx.text));
        if !credential_tested {
            d = d.with_confidence(Confidence::Low);
        }
    }
    if let (Some((_, related)), Some(fact)) = (&note, &site.middleware) {
        d = d.with_related(fact.range.clone(), related.clone());
    }
    if let Some(h) = &site.via_helper {
        d.related = crate::diagnostic::appended(
            &d.related,
            crate::diagnostic::Related {
                path: h.path.clone(),
                range: h.range.clone(),
                message: format!("{}; add the header there or pass a challenge", h.note).into(),
            },
        );
    }
    if site.headers.insertion.is_none() {
        // The framework's pack says what to do where no header can be added.
        if let Some(note) = site.pack.as_ref().and_then(|p| p.note.as_deref()) {
            d.message = format!("{}; {note}", d.message).into();
        }
    }
    if let Some(ins) = &site.headers.insertion {
        // Answering Hono `basicAuth`'s failure: the challenge must stay `Basic`.
        let middleware_scheme = match &site.middleware {
            Some(m)
                if m.relation == MiddlewareRelation::HandlesFailure
                    && !m.middleware.scheme.is_empty() =>
            {
                Some(m.middleware.scheme)
            }
            _ => None,
        };
        // Otherwise the scheme follows the credential the handler reads.
        // RFC 6749 §5.2: a failed client authentication at the token
        // endpoint challenges with the scheme clients use, Basic.
        let read = if middleware_scheme.is_some() {
            None
        } else if site
            .message
            .as_deref()
            .is_some_and(|m| m.contains("invalid_client"))
        {
            Some(credential::Credential::Basic)
        } else {
            credential::read_before(ctx.text, site, ctx.file_credentials())
        };
        let challenge = match middleware_scheme {
            Some(scheme) => Some(credential::with_scheme(&ctx.settings.challenge, scheme)),
            None => credential::challenge_for(
                read.as_ref(),
                &ctx.settings.challenge,
                ctx.settings.challenge_configured,
            ),
        };
        // An MCP server names its protected resource metadata (RFC 9728).
        let mcp = ctx
            .file_credentials()
            .mcp()
            .filter(|_| !evidence::from_authorization_server(site));
        let challenge = match (challenge, mcp.and_then(|m| m.metadata_url.as_deref())) {
            (Some(c), Some(url)) if crate::rules::is_one_bearer_challenge(&c) => {
                let sep = if c.contains(' ') { ", " } else { " " };
                Some(format!("{c}{sep}resource_metadata=\"{url}\""))
            }
            (c, _) => c,
        };
        if mcp.is_some_and(|m| m.metadata_url.is_none()) {
            d.message = format!("{}; an MCP server's challenge also names its protected resource metadata (`resource_metadata=\"https://…/.well-known/oauth-protected-resource\"`)", d.message).into();
        }
        match challenge {
            Some(c) => d = d.with_fix(fixes::add_challenge(ins, &c, ctx.model)),
            None => {
                let note = match read {
                    Some(credential::Credential::Form) => FORM_NOTE,
                    _ => COOKIE_NOTE,
                };
                d.message = format!("{}; {note}", d.message).into();
            }
        }
    }
    out.push(d);
}
