//! The rules: pure functions from a [`FileModel`] to diagnostics.
//!
//! One rule, one file: `src/rules/<rule_id>.rs` holds the check and its
//! metadata; `src/rules/<rule_id>.md` beside it holds the documentation with
//! the valid/invalid examples that `tests/rule_docs.rs` runs and that
//! `authlint explain <rule>` prints.

use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::model::FileModel;
use crate::engine::Language;
use crate::settings::Settings;

pub mod evidence;
pub mod fixes;

mod bearer_error_code;
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
    /// The check. `severity` is the level in force for this run.
    pub check: fn(&Context, Severity) -> Vec<Diagnostic>,
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

/// Every rule, in the order they are documented.
pub static RULES: &[&Rule] = &[
    &require_www_authenticate::RULE,
    &require_401_logging::RULE,
    &prefer_403_for_authorization::RULE,
    &prefer_401_for_authentication::RULE,
    &valid_www_authenticate::RULE,
    &no_forwarded_401::RULE,
    &no_401_for_server_error::RULE,
    &no_error_detail_in_401::RULE,
    &bearer_error_code::RULE,
    &unused_suppression::RULE,
];

/// Validates a `WWW-Authenticate` value (RFC 9110 §11.6.1).
pub fn valid_www_authenticate_check(value: &str) -> Result<(), String> {
    valid_www_authenticate::validate(value)
}

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// Runs every enabled rule over `ctx`.
pub fn run(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in RULES {
        if rule.id == unused_suppression::RULE.id {
            continue; // reported by the suppression pass, which sees all findings
        }
        if let Some(sev) = ctx.settings.level(rule.id).severity() {
            out.extend((rule.check)(ctx, sev));
        }
    }
    out
}
