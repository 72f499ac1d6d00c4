//! `require-401-logging`: log why before returning a 401.
//! Documentation and examples: `require_401_logging.md` beside this file.

use super::{evidence, fixes, Context, FixKind, Rule};
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::engine::model::{Framework, ResponseSite};

pub static RULE: Rule = Rule {
    id: "require-401-logging",
    name: "Require401Logging",
    default_severity: Severity::Warning,
    fix: FixKind::Safe,
    summary: "A 401 is returned with no log call on its path, so production 401s leave no trace.",
    doc: include_str!("require_401_logging.md"),
    cwe: &[778],
    security_severity: 2.0,
    check,
    roles: super::APP,
    once_per_range: false,
};

fn check(ctx: &Context, site: &ResponseSite, severity: Severity, out: &mut Vec<Diagnostic>) {
    // A fixed-status helper is reported once, where it builds the response,
    // and not when every call of it in the file logs the reason first.
    let callers_log = site
        .handler
        .as_ref()
        .is_some_and(|h| ctx.logged_by_callers().contains(h));
    if site.logged.is_some()
        || site.logged_elsewhere.is_some()
        || site.status_from_helper
        || callers_log
    {
        return;
    }
    let Some(value) = evidence::authentication_401(ctx, site) else {
        return;
    };
    let mut d = Diagnostic::new(
        RULE.id,
        severity,
        site.range.clone(),
        "401 returned without logging the reason: when it happens in production nothing records why (log it right before returning)",
    )
    .with_related(value.range.clone(), "the 401 status is set here");
    if matches!(site.framework, Framework::StatusError | Framework::Result)
        || evidence::refresh_token_missing(site, ctx.text)
    {
        // A thrown error is most often logged where it becomes a response,
        // which is not in sight here.
        d = d.with_confidence(Confidence::Low);
    }
    if let Some(g) = &site.guard {
        d = d.with_related(g.range.clone(), "the condition that leads to this 401");
    }
    if let Some(ins) = &site.log_insertion {
        d = d.with_fix(fixes::add_log(
            site,
            ins,
            401,
            ctx.model,
            ctx.language,
            ctx.text,
            ctx.indent_unit(),
        ));
    }
    out.push(d);
}
