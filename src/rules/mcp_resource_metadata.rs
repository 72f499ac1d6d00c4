//! `mcp-resource-metadata`: an MCP server's 401 names its protected resource metadata.
//! Documentation and examples: `mcp_resource_metadata.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::engine::model::ResponseSite;

pub static RULE: Rule = Rule {
    id: "mcp-resource-metadata",
    name: "McpResourceMetadata",
    default_severity: Severity::Warning,
    fix: FixKind::Safe,
    summary: "An MCP server's 401 challenge does not name its protected resource metadata (`resource_metadata`, RFC 9728 §5.1), so MCP clients cannot find its authorization server.",
    doc: include_str!("mcp_resource_metadata.md"),
    cwe: &[287],
    security_severity: 2.0,
    check,
    roles: super::SHIPPED,
    once_per_range: true,
};

/// Sites sharing a challenge report it once: see [`Rule::once_per_range`].
/// A 401 with no challenge at all is `require-www-authenticate`'s, whose
/// fix in an MCP server names the metadata.
fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    let Some(ch) = &site.headers.challenge else {
        return;
    };
    // The value as written: a template built at run time counts too.
    let Some(source) = evidence::challenge_source(site, ctx.text) else {
        return;
    };
    if ch.value_range.is_empty()
        || ch.evidence.as_ref().is_some_and(|e| e.path.is_some())
        || source.contains("resource_metadata")
        // A value a function builds says nothing; a template does.
        || (ch.literal.is_none() && !evidence::challenge_is_template(ch, ctx.text))
        || ch
            .literal
            .as_deref()
            .is_some_and(|v| crate::rules::valid_www_authenticate_check(v).is_err())
    {
        return;
    }
    let Some(mcp) = ctx.file_credentials().mcp() else {
        return;
    };
    // An authorization server's own endpoints (token, registration) are
    // not the protected resource.
    if evidence::from_authorization_server(site)
        || evidence::authentication_401(ctx, site).is_none()
    {
        return;
    }
    let mut d = match &mcp.metadata_url {
        Some(url) => Diagnostic::new(
            RULE.id,
            severity,
            ch.value_range.clone(),
            format!("this MCP server's 401 does not name its protected resource metadata: MCP clients read `resource_metadata` from the challenge to find the authorization server (RFC 9728 §5.1); add `resource_metadata=\"{url}\"`"),
        ),
        None => Diagnostic::new(
            RULE.id,
            severity,
            ch.value_range.clone(),
            "this MCP server's 401 does not name its protected resource metadata: MCP clients read `resource_metadata` from the challenge to find the authorization server (RFC 9728 §5.1); add `resource_metadata=\"https://<your server>/.well-known/oauth-protected-resource\"` with the absolute URL where the metadata is served",
        ),
    };
    let value = ch.literal.as_deref().unwrap_or("");
    let one_bearer = crate::rules::is_one_bearer_challenge(value);
    if let (Some(url), true, false) = (&mcp.metadata_url, one_bearer, ch.shared) {
        if let Some(edit) =
            fixes::append_param(ctx.text, ch, value, &format!("resource_metadata=\"{url}\""))
        {
            d = d.with_fix(Fix {
                title: "Add `resource_metadata` to the challenge".into(),
                safe: true,
                edits: vec![edit],
            });
        }
    }
    out.push(d);
}
