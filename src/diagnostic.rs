//! The language-neutral result of linting: diagnostics, their fixes and evidence.
//!
//! All ranges are byte offsets into the linted text. Front ends convert them to
//! line/column in whatever encoding they need (see [`crate::source::LineMap`]).

use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::Arc;

/// How loudly a finding is reported. `Off` rules never run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// How strong a finding's evidence is. Findings below the run's minimum
/// (`--min-confidence`, `min-confidence` in `authlint.toml`; `medium` by
/// default) are not reported.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// A guess from words (a message, a name) with nothing in the code's
    /// behaviour to confirm it.
    Low,
    /// The code's shape supports the finding, but something on the path
    /// could not be seen (a helper in another module, a wrapper).
    Medium,
    /// The code shows it: the status, the missing header, the credential check.
    #[default]
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Confidence> {
        [Confidence::Low, Confidence::Medium, Confidence::High]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One text replacement. `range` is a byte range of the original text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    /// Shared: the language server copies findings on every keystroke.
    pub replacement: Arc<str>,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<Arc<str>>) -> Self {
        Edit {
            range: at..at,
            replacement: text.into(),
        }
    }
    pub fn replace(range: Range<usize>, text: impl Into<Arc<str>>) -> Self {
        Edit {
            range,
            replacement: text.into(),
        }
    }
}

/// A fix: a set of edits applied together. `safe` fixes keep the program's
/// meaning apart from the intended correction and are applied by `--fix` and
/// fix-all; unsafe ones change behaviour a client can observe (e.g. 401↔403).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub title: Arc<str>,
    pub safe: bool,
    pub edits: Vec<Edit>,
}

/// Evidence that explains a finding (the guarding condition, an earlier
/// `res.set(...)`, a helper's definition). `path` is `None` for the same file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub path: Option<std::path::PathBuf>,
    pub range: Range<usize>,
    pub message: Arc<str>,
}

/// Why a finding was silenced, kept for audit views (`--show-suppressed`, SARIF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    pub reason: String,
    /// `true` for `authlint-ignore-file`, `false` for a line suppression.
    pub file_level: bool,
    /// Byte range of the suppression comment.
    pub comment: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `require-www-authenticate`.
    pub rule: &'static str,
    pub severity: Severity,
    /// How strong the evidence is.
    pub confidence: Confidence,
    /// The text parts of a finding are shared rather than owned: the
    /// language server copies every finding on every keystroke.
    pub message: Arc<str>,
    pub range: Range<usize>,
    /// Shared too, so copying a finding allocates nothing.
    pub fixes: Arc<[Fix]>,
    pub related: Arc<[Related]>,
    /// Set when a suppression comment silenced this finding.
    pub suppressed: Option<Suppressed>,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        range: Range<usize>,
        message: impl Into<Arc<str>>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            confidence: Confidence::High,
            message: message.into(),
            range,
            fixes: Arc::new([]),
            related: Arc::new([]),
            suppressed: None,
        }
    }
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = confidence;
        self
    }
    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes = appended(&self.fixes, fix);
        self
    }
    pub fn with_related(mut self, range: Range<usize>, message: impl Into<Arc<str>>) -> Self {
        self.related = appended(
            &self.related,
            Related {
                path: None,
                range,
                message: message.into(),
            },
        );
        self
    }
}

/// `items` with `item` after them (a finding has a handful of fixes and
/// related locations, added while it is built).
pub fn appended<T: Clone>(items: &[T], item: T) -> Arc<[T]> {
    items.iter().cloned().chain(std::iter::once(item)).collect()
}
