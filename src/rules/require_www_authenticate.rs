//! `require-www-authenticate`: a 401 response must carry a challenge.
//! Documentation and examples: `require_www_authenticate.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Severity};

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
};

fn check(ctx: &Context, severity: Severity) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for site in &ctx.model.sites {
        if site.headers.challenge.is_some() || site.headers.opaque {
            continue;
        }
        let Some(value) = evidence::authentication_401(ctx, site) else {
            continue;
        };
        let mut d = Diagnostic::new(
            RULE.id,
            severity,
            site.range.clone(),
            "401 response has no `WWW-Authenticate` header: RFC 9110 §15.5.2 requires a 401 to send at least one challenge so the client knows how to authenticate",
        )
        .with_related(value.range.clone(), "the 401 status is set here");
        if let Some(h) = &site.via_helper {
            d.related.push(crate::diagnostic::Related {
                path: h.path.clone(),
                range: h.range.clone(),
                message: format!("{}; add the header there or pass a challenge", h.note),
            });
        }
        if let Some(ins) = &site.headers.insertion {
            d = d.with_fix(fixes::add_challenge(
                ins,
                &ctx.settings.challenge,
                ctx.model,
            ));
        }
        out.push(d);
    }
    out
}
