//! The rules: pure functions from a [`FileModel`] to diagnostics.
//!
//! One rule, one file: `src/rules/<rule_id>.rs` holds the check and its
//! metadata; `src/rules/<rule_id>.md` beside it holds the documentation with
//! the valid/invalid examples that `tests/rule_docs.rs` runs and that
//! `authlint explain <rule>` prints.

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::{FileModel, ResponseSite};
use crate::engine::Language;
use crate::roles::Role;
use crate::settings::Settings;

pub mod evidence;
pub mod fixes;
mod log_line;
pub mod reasons;
pub mod reuse;

mod bearer_error_code;
mod bearer_insufficient_scope;
mod mcp_resource_metadata;
mod no_401_for_non_credential_error;
mod no_401_for_server_error;
mod no_error_detail_in_401;
mod no_forwarded_401;
mod prefer_401_for_authentication;
mod prefer_403_for_authorization;
mod require_401_logging;
mod require_www_authenticate;
mod unused_suppression;
mod valid_www_authenticate;

/// Whether a rule can fix what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    None,
    /// A fix is offered and is safe to apply automatically.
    Safe,
    /// A fix is offered, but it changes behaviour a client can see.
    Unsafe,
}

impl FixKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Safe => "safe",
            FixKind::Unsafe => "unsafe",
        }
    }
}

/// What a rule sees: the file's model, the settings and the text.
pub struct Context<'a> {
    pub model: &'a FileModel,
    pub settings: &'a Settings,
    pub text: &'a str,
    pub language: Language,
    /// The file's indentation unit, found once ([`Context::indent_unit`]).
    pub indent: std::cell::OnceCell<String>,
    /// What the file reads about credentials, found once
    /// ([`Context::file_credentials`]).
    credentials: std::cell::OnceCell<crate::engine::credential::FileCredentials>,
    /// Helpers whose every call in the file logs first ([`Context::logged_by_callers`]).
    logged_by_callers: std::cell::OnceCell<Vec<std::ops::Range<usize>>>,
}

impl<'a> Context<'a> {
    pub fn new(
        model: &'a FileModel,
        settings: &'a Settings,
        text: &'a str,
        language: Language,
    ) -> Self {
        Context {
            model,
            settings,
            text,
            language,
            indent: std::cell::OnceCell::new(),
            credentials: std::cell::OnceCell::new(),
            logged_by_callers: std::cell::OnceCell::new(),
        }
    }

    /// The definitions (function ranges) of this file's fixed-status
    /// response helpers that are called in the file, each call with a log
    /// on its path first: the callers record why, so the helper need not.
    /// Sorted. A file-wide fact ([`reuse`] compares it).
    pub fn logged_by_callers(&self) -> &[std::ops::Range<usize>] {
        self.logged_by_callers.get_or_init(|| {
            let mut by_helper: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
            for site in &self.model.sites {
                let Some(h) = site.via_helper.as_ref().filter(|h| h.path.is_none()) else {
                    continue;
                };
                if !site.status_from_helper {
                    continue;
                }
                let logged = site.logged.is_some();
                match by_helper.iter_mut().find(|(r, _)| *r == h.range) {
                    Some((_, all)) => *all &= logged,
                    None => by_helper.push((h.range.clone(), logged)),
                }
            }
            let mut out: Vec<_> = by_helper
                .into_iter()
                .filter(|(_, all)| *all)
                .map(|(r, _)| r)
                .collect();
            out.sort_by_key(|r| (r.start, r.end));
            out
        })
    }

    /// What the whole file reads about credentials (a file-wide fact: the
    /// language server's reuse of findings compares it, see [`reuse`]).
    pub fn file_credentials(&self) -> &crate::engine::credential::FileCredentials {
        self.credentials
            .get_or_init(|| crate::engine::credential::FileCredentials::new(self.text))
    }

    /// The file's indentation unit (two spaces, four, a tab…), for fixes
    /// that add lines. Found once per file, not once per fix.
    pub fn indent_unit(&self) -> &str {
        self.indent
            .get_or_init(|| crate::engine::syntax::indent_scan(self.text).0)
    }
}

pub struct Rule {
    /// Stable kebab-case id. Never rename one.
    pub id: &'static str,
    /// PascalCase name, as SARIF wants.
    pub name: &'static str,
    pub default_severity: Severity,
    pub fix: FixKind,
    /// One sentence: what the rule flags.
    pub summary: &'static str,
    /// The rule's Markdown page (from the `.md` beside its source).
    pub doc: &'static str,
    /// CWE ids the finding maps to.
    pub cwe: &'static [u32],
    /// GitHub code scanning's 0.0–10.0 ranking.
    pub security_severity: f32,
    /// The check of one site, appending to `out`. `severity` is the level
    /// in force for this run.
    ///
    /// A check sees one site at a time, so that the language server can keep
    /// a site's findings while the site is unchanged ([`reuse`]). It reads
    /// the site, the settings, the file-wide facts named in [`reuse`]'s key
    /// (the model's quote and semicolon style, the indentation unit, the
    /// language), and the text only within the top-level statements that hold
    /// the site's ranges.
    pub check: fn(&Context, &ResponseSite, Severity, &mut Vec<Diagnostic>),
    /// The file roles the rule applies to ([`crate::roles`]); in files of
    /// other roles it is off.
    pub roles: &'static [Role],
    /// Several sites can produce the same finding (one challenge constant
    /// serves several responses): only the first site's finding at a given
    /// range is reported.
    pub once_per_range: bool,
}

impl Rule {
    pub fn help_uri(&self) -> String {
        format!(
            "{}/blob/main/docs/rules/{}.md",
            env!("CARGO_PKG_REPOSITORY"),
            self.id
        )
    }
}

/// Code that runs or is copied: the application's, a library's, a doc's.
pub const SHIPPED: &[Role] = &[Role::App, Role::Library, Role::Docs];
/// The application's own code only.
pub const APP: &[Role] = &[Role::App];
/// The application's code and the examples people copy into theirs.
pub const APP_AND_DOCS: &[Role] = &[Role::App, Role::Docs];

/// Every rule, in the order they are documented.
pub static RULES: &[&Rule] = &[
    &require_www_authenticate::RULE,
    &require_401_logging::RULE,
    &prefer_403_for_authorization::RULE,
    &prefer_401_for_authentication::RULE,
    &valid_www_authenticate::RULE,
    &no_forwarded_401::RULE,
    &no_401_for_server_error::RULE,
    &no_401_for_non_credential_error::RULE,
    &no_error_detail_in_401::RULE,
    &bearer_error_code::RULE,
    &bearer_insufficient_scope::RULE,
    &mcp_resource_metadata::RULE,
    &unused_suppression::RULE,
];

/// Validates a `WWW-Authenticate` value (RFC 9110 §11.6.1).
pub fn valid_www_authenticate_check(value: &str) -> Result<(), String> {
    valid_www_authenticate::validate(value)
}

/// Whether a `WWW-Authenticate` value is exactly one valid challenge, of
/// the Bearer scheme: a parameter added at its end belongs to Bearer (with
/// two challenges it would land in the last one).
pub fn is_one_bearer_challenge(value: &str) -> bool {
    valid_www_authenticate::schemes(value)
        .is_ok_and(|s| matches!(s[..], [scheme] if scheme.eq_ignore_ascii_case("bearer")))
}

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// Runs every enabled rule over `ctx`.
pub fn run(ctx: &Context) -> Vec<Diagnostic> {
    let per_site: Vec<Vec<Diagnostic>> = ctx
        .model
        .sites
        .iter()
        .map(|site| run_site(ctx, site))
        .collect();
    combine(per_site.iter().map(Vec::as_slice))
}

/// Every enabled rule's findings for one site, before [`combine`].
pub fn run_site(ctx: &Context, site: &ResponseSite) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        if rule.id == unused_suppression::RULE.id {
            continue; // reported by the suppression pass, which sees all findings
        }
        if let Some(sev) = ctx.settings.level(rule.id).severity() {
            (rule.check)(ctx, site, sev, &mut out);
        }
    }
    out
}

/// The file's findings from every site's ([`run_site`], in site order):
/// a [`Rule::once_per_range`] rule's finding is kept only the first time its
/// range appears.
pub fn combine<'a>(per_site: impl Iterator<Item = &'a [Diagnostic]>) -> Vec<Diagnostic> {
    // A site has about one finding.
    let mut out = Vec::with_capacity(per_site.size_hint().0);
    let mut seen: rustc_hash::FxHashSet<(&'static str, std::ops::Range<usize>)> =
        Default::default();
    for found in per_site {
        for d in found {
            let once = find(d.rule).is_some_and(|r| r.once_per_range);
            if once && !seen.insert((d.rule, d.range.clone())) {
                continue;
            }
            out.push(d.clone());
        }
    }
    out
}
