//! `--format gitlab`: a GitLab Code Quality report (a subset of the Code
//! Climate issue format; GitLab does not read SARIF for Code Quality).
//!
//! An array of `{description, check_name, fingerprint, severity, location:
//! {path, positions: {begin: {line, column}, end: {line, column}}}}`.
//! Severities: error → `major`, warning → `minor`, info → `info`.
//! Fingerprints are the ones SARIF and the baseline use. Suppressed
//! findings are left out: the merge request widget has no place for them.

use super::fingerprint;
use super::paths::slash_path;
use super::report::Report;
use crate::diagnostic::Severity;
use serde_json::{json, Value};

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(report: &Report) -> String {
    let mut issues: Vec<Value> = Vec::new();
    for file in &report.files {
        let path = slash_path(&file.path);
        let fps = fingerprint::all(file);
        for (d, fp) in file.diagnostics.iter().zip(fps) {
            if !report.is_listed(d) || d.suppressed.is_some() {
                continue;
            }
            let span = file.span(&d.range);
            issues.push(json!({
                "type": "issue",
                "description": d.message.to_string(),
                "check_name": d.rule,
                "fingerprint": fp,
                "severity": severity(d.severity),
                "categories": ["Security"],
                "location": {
                    "path": path,
                    "positions": {
                        "begin": { "line": span.start.line, "column": span.start.column },
                        "end": { "line": span.end.line, "column": span.end.column },
                    },
                },
            }));
        }
    }
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}
