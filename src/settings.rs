//! The resolved settings the engine and rules consume.
//!
//! Where they come from (an `authlint.toml`, CLI flags, LSP
//! `initializationOptions`) is the front ends' business; the engine only
//! sees this struct.

use crate::diagnostic::{Confidence, Severity};
use crate::roles::Role;
use std::collections::BTreeMap;

/// Severity chosen for a rule: a level, or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Info => Level::Info,
            Severity::Warning => Level::Warning,
            Severity::Error => Level::Error,
        }
    }
}

/// A user-declared response helper: `name(args…)` where the argument at
/// `status_arg` (0-based) is the HTTP status and `message_arg` the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelperSpec {
    pub name: String,
    pub status_arg: usize,
    pub message_arg: Option<usize>,
    /// Declared as `new Name` (JavaScript): `new Name(…)` builds the response.
    pub constructor: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Per-rule level overrides; rules absent here use their default.
    pub rules: BTreeMap<String, Level>,
    /// The challenge inserted by fixes, e.g. `Bearer realm="api"`.
    pub challenge: String,
    /// `challenge` was configured, not the default: it is used even where
    /// the code shows no scheme of its own (a session cookie).
    pub challenge_configured: bool,
    /// Extra identifiers (objects or functions) whose calls count as logging,
    /// beyond the built-in `console`, `logger`, `log`, `Sentry`, `logging`….
    pub loggers: Vec<String>,
    /// Python: whether `print(...)` counts as logging.
    pub print_is_logging: bool,
    /// Extra response helpers declared by the user.
    pub helpers: Vec<HelperSpec>,
    /// The role of the file being linted: given by the configuration
    /// (`[roles]`), or set by the linter once it has detected it. `None`
    /// means not known yet: every rule applies.
    pub role: Option<Role>,
    /// Findings below this confidence are not reported.
    pub min_confidence: Confidence,
    /// The framework packs in force: the built-in ones and the user's.
    pub packs: std::sync::Arc<crate::packs::Packs>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rules: BTreeMap::new(),
            challenge: r#"Bearer realm="api""#.to_string(),
            challenge_configured: false,
            loggers: Vec::new(),
            print_is_logging: false,
            helpers: Vec::new(),
            role: None,
            min_confidence: Confidence::Medium,
            packs: crate::packs::Packs::builtin(),
        }
    }
}

impl Settings {
    /// The level in force for `rule`, falling back to the rule's default; off
    /// when the rule does not apply to the file's [`Role`].
    pub fn level(&self, rule: &str) -> Level {
        let found = crate::rules::find(rule);
        if let (Some(role), Some(r)) = (self.role, found) {
            if !r.roles.contains(&role) {
                return Level::Off;
            }
        }
        if let Some(l) = self.rules.get(rule) {
            return *l;
        }
        found
            .map(|r| Level::from(r.default_severity))
            .unwrap_or(Level::Off)
    }
}
