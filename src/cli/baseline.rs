//! Baselines: `--write-baseline FILE` records the findings a run has today;
//! `--baseline FILE` leaves those out of later reports, so only new
//! findings are shown and fail the run.
//!
//! A finding is known by its fingerprint (the one SARIF's
//! `partialFingerprints` and GitLab's `fingerprint` carry): the rule, the
//! path as shown, the flagged line's trimmed text and how many identical
//! lines come before it. Moving code up or down, or editing other lines,
//! keeps it; editing the flagged line, renaming the file or running from
//! another directory does not. The file (see `docs/baseline.md`):
//!
//! ```json
//! {"version": 1, "tool": "authlint",
//!  "findings": [{"fingerprint", "rule", "path", "line", "message"}]}
//! ```
//! Only `fingerprint` is matched; the rest is there for people reading it.

use super::fingerprint;
use super::paths::slash_path;
use super::report::Report;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::Path;

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    #[serde(default)]
    tool: String,
    findings: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    fingerprint: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    line: usize,
    #[serde(default)]
    message: String,
}

/// Writes every unsuppressed finding of `report` to `path`; returns how many.
pub fn write(path: &Path, report: &Report) -> Result<usize, String> {
    let mut findings = Vec::new();
    for file in &report.files {
        let fps = fingerprint::all(file);
        for (d, fp) in file.diagnostics.iter().zip(fps) {
            if d.suppressed.is_some() {
                continue;
            }
            findings.push(Entry {
                fingerprint: fp,
                rule: d.rule.to_string(),
                path: slash_path(&file.path),
                line: file.pos(d.range.start).line,
                message: d.message.to_string(),
            });
        }
    }
    let n = findings.len();
    let file = BaselineFile {
        version: VERSION,
        tool: "authlint".to_string(),
        findings,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    text.push('\n');
    super::write::write_report(path, text.as_bytes())
        .map_err(|e| format!("{}: cannot write the baseline: {e}", path.display()))?;
    Ok(n)
}

/// The fingerprints recorded in the baseline at `path`.
pub fn load(path: &Path) -> Result<HashSet<String>, String> {
    let bytes = crate::fsio::read_regular(path, 64 * 1024 * 1024)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let file: BaselineFile = serde_json::from_slice(&bytes).map_err(|e| {
        format!(
            "{}: not an authlint baseline ({e}); write one with --write-baseline",
            path.display()
        )
    })?;
    if file.version != VERSION {
        return Err(format!(
            "{}: baseline version {} is not supported (this authlint reads version {VERSION})",
            path.display(),
            file.version
        ));
    }
    Ok(file.findings.into_iter().map(|e| e.fingerprint).collect())
}

/// Removes the findings `known` records from `report` (suppressed ones stay,
/// for `--show-suppressed`), counting them in `report.baselined`.
pub fn apply(report: &mut Report, known: &HashSet<String>) {
    let mut dropped = 0;
    for file in &mut report.files {
        let fps = fingerprint::all(file);
        let mut keep = fps.iter().map(|fp| !known.contains(fp));
        let before = file.diagnostics.len();
        file.diagnostics
            .retain(|d| keep.next().unwrap_or(true) || d.suppressed.is_some());
        dropped += before - file.diagnostics.len();
    }
    report.files.retain(|f| !f.diagnostics.is_empty());
    report.baselined += dropped;
}
