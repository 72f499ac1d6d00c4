//! `--statistics`: how many findings each rule has, and how many of them
//! `--fix` (or `--unsafe-fixes`) would fix, instead of the findings.

use super::report::{summary_line, Report};
use crate::diagnostic::Severity;
use serde::Serialize;
use std::fmt::Write;

#[derive(Debug, Serialize)]
struct RuleStat {
    rule: &'static str,
    severity: &'static str,
    count: usize,
    /// Findings with a safe fix (`--fix` fixes them).
    fixable: usize,
    /// Findings whose only fixes are unsafe (`--fix --unsafe-fixes`).
    #[serde(rename = "unsafeFixable")]
    unsafe_fixable: usize,
}

/// Per-rule counts over the listed, unsuppressed findings: most frequent
/// first, then by rule id.
fn collect(report: &Report) -> Vec<RuleStat> {
    let mut stats: Vec<RuleStat> = Vec::new();
    for file in &report.files {
        for d in file
            .diagnostics
            .iter()
            .filter(|d| report.is_reported(d) && d.suppressed.is_none())
        {
            let i = match stats.iter().position(|s| s.rule == d.rule) {
                Some(i) => i,
                None => {
                    stats.push(RuleStat {
                        rule: d.rule,
                        severity: Severity::Info.as_str(),
                        count: 0,
                        fixable: 0,
                        unsafe_fixable: 0,
                    });
                    stats.len() - 1
                }
            };
            let s = &mut stats[i];
            s.count += 1;
            // A rule's findings share its level; keep the highest if not.
            if severity_rank(d.severity.as_str()) > severity_rank(s.severity) {
                s.severity = d.severity.as_str();
            }
            if d.fixes.iter().any(|f| f.safe) {
                s.fixable += 1;
            } else if !d.fixes.is_empty() {
                s.unsafe_fixable += 1;
            }
        }
    }
    stats.sort_by(|a, b| b.count.cmp(&a.count).then(a.rule.cmp(b.rule)));
    stats
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "error" => 2,
        "warning" => 1,
        _ => 0,
    }
}

/// The table, then the usual closing summary.
pub fn render_text(report: &Report) -> String {
    let stats = collect(report);
    let mut out = String::new();
    if !stats.is_empty() {
        let width = stats.iter().map(|s| s.rule.len()).max().unwrap_or(4).max(4);
        let _ = writeln!(
            out,
            "{:>5}  {:<width$}  {:<8}  fixable",
            "count", "rule", "severity"
        );
        for s in &stats {
            let mut fix = Vec::new();
            if s.fixable > 0 {
                fix.push(format!("{} with --fix", s.fixable));
            }
            if s.unsafe_fixable > 0 {
                fix.push(format!("{} with --unsafe-fixes", s.unsafe_fixable));
            }
            let fix = if fix.is_empty() {
                "-".to_string()
            } else {
                fix.join(", ")
            };
            let _ = writeln!(
                out,
                "{:>5}  {:<width$}  {:<8}  {fix}",
                s.count, s.rule, s.severity
            );
        }
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// `{"version": 1, "statistics": [...], "summary": {...}}`.
pub fn render_json(report: &Report) -> String {
    let v = serde_json::json!({
        "version": 1,
        "statistics": collect(report),
        "summary": super::json::summary_value(report),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
