//! `--format json`: the stable machine-readable report.
//!
//! ```json
//! {"version": 1,
//!  "diagnostics": [{"path", "rule", "severity", "confidence", "message",
//!                   "range": {"start": {"line", "column"}, "end": {...}},
//!                   "fixes": [{"title", "safe", "edits": [{"range", "text"}]}],
//!                   "related": [...], "suppressed": {...}}],
//!  "notices": [{"path", "level", "message", "skipped"}],
//!  "summary": {"files", "skipped", "errors", "warnings", "infos", "suppressed"}}
//! ```
//! Lines and columns are 1-based; columns count Unicode scalar values
//! (characters); `end` is exclusive. `related` is present when there is
//! evidence to show, `suppressed` only with `--show-suppressed`. A notice
//! with `skipped` names a file that was not analysed, or only in part (a
//! finding in it may be missing); `path` is absent for notices about the run.

use super::paths::{display_path, slash_path};
use super::report::{FileReport, Report, Span};
use serde::Serialize;

#[derive(Serialize)]
struct JsonPos {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPos,
    end: JsonPos,
}

impl From<Span> for JsonRange {
    fn from(s: Span) -> Self {
        JsonRange {
            start: JsonPos {
                line: s.start.line,
                column: s.start.column,
            },
            end: JsonPos {
                line: s.end.line,
                column: s.end.column,
            },
        }
    }
}

#[derive(Serialize)]
struct JsonEdit {
    range: JsonRange,
    text: String,
}

#[derive(Serialize)]
struct JsonFix {
    title: String,
    safe: bool,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonRelated {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<JsonRange>,
    message: String,
}

#[derive(Serialize)]
struct JsonSuppressed {
    reason: String,
    #[serde(rename = "fileLevel")]
    file_level: bool,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    path: String,
    rule: &'static str,
    severity: &'static str,
    /// `high`, `medium` or `low`: how strong the finding's evidence is.
    confidence: &'static str,
    message: String,
    range: JsonRange,
    fixes: Vec<JsonFix>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<JsonSuppressed>,
}

#[derive(Serialize)]
struct JsonNotice {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    level: &'static str,
    message: String,
    /// The file was not analysed, or only in part.
    skipped: bool,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    /// Files not analysed, or only in part (see `notices`).
    skipped: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
    /// Findings left out because the `--baseline` file records them.
    baselined: usize,
}

#[derive(Serialize)]
struct JsonReport {
    version: u32,
    diagnostics: Vec<JsonDiagnostic>,
    /// Messages about the run: files skipped or analysed in part, paths
    /// that could not be read.
    notices: Vec<JsonNotice>,
    summary: JsonSummary,
}

fn diagnostic(file: &FileReport, d: &crate::Diagnostic) -> JsonDiagnostic {
    let path = slash_path(&file.path);
    JsonDiagnostic {
        path: path.clone(),
        rule: d.rule,
        severity: d.severity.as_str(),
        confidence: d.confidence.as_str(),
        message: d.message.to_string(),
        range: file.span(&d.range).into(),
        fixes: d
            .fixes
            .iter()
            .map(|f| JsonFix {
                title: f.title.to_string(),
                safe: f.safe,
                edits: f
                    .edits
                    .iter()
                    .map(|e| JsonEdit {
                        range: file.span(&e.range).into(),
                        text: e.replacement.to_string(),
                    })
                    .collect(),
            })
            .collect(),
        related: d
            .related
            .iter()
            .map(|r| match &r.path {
                // A range in another file, when that file can be read.
                Some(p) => JsonRelated {
                    path: slash_path(&display_path(p)),
                    range: super::report::span_in(p, &r.range).map(Into::into),
                    message: r.message.to_string(),
                },
                None => JsonRelated {
                    path: path.clone(),
                    range: Some(file.span(&r.range).into()),
                    message: r.message.to_string(),
                },
            })
            .collect(),
        suppressed: d.suppressed.as_ref().map(|s| JsonSuppressed {
            reason: s.reason.clone(),
            file_level: s.file_level,
        }),
    }
}

fn summary(report: &Report) -> JsonSummary {
    let c = report.counts();
    JsonSummary {
        files: report.files_checked,
        skipped: report.notices.iter().filter(|n| n.skipped).count(),
        errors: c.errors,
        warnings: c.warnings,
        infos: c.infos,
        suppressed: c.suppressed,
        baselined: report.baselined,
    }
}

/// The report's `summary` object, for the other JSON outputs.
pub(super) fn summary_value(report: &Report) -> serde_json::Value {
    serde_json::to_value(summary(report)).unwrap_or_default()
}

pub fn render(report: &Report) -> String {
    let out = JsonReport {
        version: 1,
        diagnostics: report
            .files
            .iter()
            .flat_map(|f| {
                f.diagnostics
                    .iter()
                    .filter(|d| report.is_listed(d))
                    .map(move |d| diagnostic(f, d))
            })
            .collect(),
        notices: report
            .notices
            .iter()
            .map(|n| JsonNotice {
                path: n.path.as_deref().map(slash_path),
                level: n.level.as_str(),
                message: n.message.clone(),
                skipped: n.skipped,
            })
            .collect(),
        summary: summary(report),
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
