//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning.
//!
//! - `tool.driver` lists every rule with its documentation, help URI,
//!   default level, `security-severity` and CWE tags;
//! - locations are relative URIs against `%SRCROOT%` (the working directory),
//!   regions carry start and end line and column (Unicode code points);
//! - fixes become `artifactChanges`;
//! - `partialFingerprints` hash the rule, the path, the flagged line's text and
//!   how many identical lines precede it, so they survive unrelated edits;
//! - suppressed findings are reported with `suppressions`, never dropped.

use super::fingerprint::fingerprints;
use super::paths::{cwd, display_path, file_uri, slash_path, uri_path};
use super::report::{
    ceil_char_boundary, floor_char_boundary, FileReport, NoticeLevel, Report, Span,
};
use crate::diagnostic::{Confidence, Diagnostic, Severity};
use crate::rules::{Rule, RULES};
use serde_json::{json, Value};
use std::ops::Range;
use std::path::Path;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF wants messages to be sentences.
fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// The first prose paragraph of a rule's Markdown page.
pub fn first_paragraph(doc: &str) -> Option<String> {
    let mut para: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in doc.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_fence = !in_fence;
            if !para.is_empty() {
                break;
            }
            continue;
        }
        if in_fence {
            continue;
        }
        if t.is_empty() || t.starts_with('#') {
            if !para.is_empty() {
                break;
            }
            continue;
        }
        para.push(t);
    }
    if para.is_empty() {
        None
    } else {
        Some(para.join(" "))
    }
}

fn rule_descriptor(rule: &Rule) -> Value {
    let full = first_paragraph(rule.doc).unwrap_or_else(|| rule.summary.to_string());
    let mut tags = vec!["security".to_string()];
    for cwe in rule.cwe {
        tags.push(format!("external/cwe/cwe-{cwe}"));
    }
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": sentence(rule.summary) },
        "fullDescription": { "text": sentence(&full) },
        "help": { "text": rule.doc, "markdown": rule.doc },
        "helpUri": rule.help_uri(),
        "defaultConfiguration": { "level": level(rule.default_severity) },
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": match rule.default_severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "recommendation",
            },
            "security-severity": format!("{:.1}", rule.security_severity),
        }
    })
}

fn artifact_location(path: &Path) -> Value {
    if path.is_absolute() {
        json!({ "uri": file_uri(path, false) })
    } else {
        json!({ "uri": uri_path(&slash_path(path)), "uriBaseId": SRCROOT })
    }
}

fn region(span: Span) -> Value {
    json!({
        "startLine": span.start.line,
        "startColumn": span.start.column,
        "endLine": span.end.line,
        "endColumn": span.end.column,
    })
}

/// Whole lines around a finding (two before, two after) with their text;
/// on long lines (a minified bundle) a window of the finding's own line.
fn context_region(file: &FileReport, range: &Range<usize>, span: Span) -> Value {
    let lo = span.start.line.saturating_sub(2).max(1);
    let whole_lines = file.line_count();
    let hi = (span.end.line + 2).min(whole_lines);
    let from = file.line_start(lo);
    let to = file.line_start(hi + 1);
    if to.saturating_sub(from) > LONG_CONTEXT {
        let first = file.line_range(range.start);
        let last = file.line_range(range.end);
        let from = ceil_char_boundary(&file.text, range.start.saturating_sub(80)).max(first.start);
        let to = floor_char_boundary(&file.text, range.end.saturating_add(80)).min(last.end);
        let to = to.max(from);
        let mut v = region(file.span(&(from..to)));
        v["snippet"] = json!({ "text": &file.text[from..to] });
        return v;
    }
    let text = file.text.get(from..to.max(from)).unwrap_or("");
    json!({ "startLine": lo, "endLine": hi.max(lo), "snippet": { "text": text } })
}

/// Context regions and snippets are cut to a window beyond this many bytes.
const LONG_CONTEXT: usize = 4096;

fn result(file: &FileReport, d: &Diagnostic, fingerprint: String) -> Value {
    let rule_index = RULES.iter().position(|r| r.id == d.rule);
    let mut span = file.span(&d.range);
    if span.start == span.end {
        // An empty region would read as an insertion point; show one character.
        span.end.column += 1;
    }
    let mut region_v = region(span);
    if let Some(text) = file.text.get(d.range.clone()) {
        if !text.is_empty() && text.len() <= LONG_CONTEXT {
            region_v["snippet"] = json!({ "text": text });
        }
    }
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": { "text": sentence(&d.message) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(&file.path),
                "region": region_v,
                "contextRegion": context_region(file, &d.range, span),
            }
        }],
        "partialFingerprints": { "authlint/v1": fingerprint },
        // SARIF's rank orders results by how likely they are to be right
        // (0–100); the property names authlint's own confidence.
        "rank": match d.confidence {
            Confidence::High => 90.0,
            Confidence::Medium => 60.0,
            Confidence::Low => 30.0,
        },
        "properties": { "confidence": d.confidence.as_str() },
    });
    if let Some(i) = rule_index {
        r["ruleIndex"] = json!(i);
    }
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                let physical = match &rel.path {
                    Some(p) => match super::report::span_in(p, &rel.range) {
                        Some(span) => json!({
                            "artifactLocation": artifact_location(&display_path(p)),
                            "region": region(span),
                        }),
                        None => json!({ "artifactLocation": artifact_location(&display_path(p)) }),
                    },
                    None => json!({
                        "artifactLocation": artifact_location(&file.path),
                        "region": region(file.span(&rel.range)),
                    }),
                };
                json!({
                    "id": i + 1,
                    "physicalLocation": physical,
                    "message": { "text": sentence(&rel.message) },
                })
            })
            .collect();
        r["relatedLocations"] = json!(related);
    }
    if !d.fixes.is_empty() {
        let fixes: Vec<Value> = d
            .fixes
            .iter()
            .map(|f| {
                let replacements: Vec<Value> = f
                    .edits
                    .iter()
                    .map(|e| {
                        json!({
                            "deletedRegion": region(file.span(&e.range)),
                            "insertedContent": { "text": e.replacement },
                        })
                    })
                    .collect();
                let kind = if f.safe { "safe" } else { "unsafe" };
                json!({
                    "description": { "text": sentence(&format!("{} ({kind} fix)", f.title)) },
                    "artifactChanges": [{
                        "artifactLocation": artifact_location(&file.path),
                        "replacements": replacements,
                    }],
                })
            })
            .collect();
        r["fixes"] = json!(fixes);
    }
    if let Some(s) = &d.suppressed {
        r["suppressions"] = json!([{
            "kind": "inSource",
            "status": "accepted",
            "justification": s.reason,
        }]);
    }
    r
}

pub fn render(report: &Report) -> String {
    let mut results = Vec::new();
    for file in &report.files {
        let diags: Vec<&Diagnostic> = file
            .diagnostics
            .iter()
            .filter(|d| report.is_reported(d))
            .collect();
        let fps = fingerprints(file, &diags);
        for (d, fp) in diags.into_iter().zip(fps) {
            results.push(result(file, d, fp));
        }
    }
    let notifications: Vec<Value> = report
        .notices
        .iter()
        .map(|n| {
            let mut v = json!({
                "level": match n.level {
                    NoticeLevel::Error => "error",
                    NoticeLevel::Warning => "warning",
                    NoticeLevel::Info => "note",
                },
                "message": { "text": sentence(&n.message) },
            });
            if let Some(p) = &n.path {
                v["locations"] =
                    json!([{ "physicalLocation": { "artifactLocation": artifact_location(p) } }]);
            }
            v
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": !report.has_errors() });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = json!(notifications);
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "authlint",
                    "fullName": "authlint: 401/403 handling linter",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": env!("CARGO_PKG_HOMEPAGE"),
                    "rules": RULES.iter().map(|r| rule_descriptor(r)).collect::<Vec<_>>(),
                }
            },
            "invocations": [invocation],
            "originalUriBaseIds": {
                SRCROOT: { "uri": file_uri(&cwd(), true) }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::super::fingerprint::Fnv;
    use super::*;

    #[test]
    fn paragraph_extraction() {
        let doc = "# x\n\n## What it flags\n\nA 401 without\na challenge.\n\n## Why\nmore";
        assert_eq!(
            first_paragraph(doc).as_deref(),
            Some("A 401 without a challenge.")
        );
        assert_eq!(first_paragraph("# x\n"), None);
    }

    #[test]
    fn fingerprints_ignore_line_numbers() {
        let d = Diagnostic::new("require-www-authenticate", Severity::Error, 0..3, "m");
        let a = FileReport::new("a.ts".into(), "foo();\n".into(), vec![]);
        let mut d2 = d.clone();
        d2.range = 10..13;
        let b = FileReport::new("a.ts".into(), "// hello\n\n  foo();\n".into(), vec![]);
        assert_eq!(fingerprints(&a, &[&d]), fingerprints(&b, &[&d2]));
        // A second identical line is a different finding.
        let c = FileReport::new("a.ts".into(), "foo();\nfoo();\n".into(), vec![]);
        let mut d3 = d.clone();
        d3.range = 7..10;
        let fp = fingerprints(&c, &[&d, &d3]);
        assert_ne!(fp[0], fp[1]);
        assert_eq!(fp[0], fingerprints(&a, &[&d])[0]);
    }

    #[test]
    fn long_lines_get_a_windowed_context_and_the_same_fingerprints() {
        let pad = "x;".repeat(5000);
        let text = format!("a\n{pad}return 401;{pad}\n");
        let at = 2 + pad.len() + "return ".len();
        let d = Diagnostic::new("require-www-authenticate", Severity::Error, at..at + 3, "m");
        let f = FileReport::new("a.ts".into(), text.clone(), vec![]);
        let ctx = context_region(&f, &d.range, f.span(&d.range));
        assert_eq!(ctx["startLine"], 2);
        assert_eq!(ctx["startColumn"], json!(pad.len() + 8 - 80));
        let snippet = ctx["snippet"]["text"].as_str().unwrap();
        assert!(
            snippet.contains("return 401;") && snippet.len() <= 163,
            "{snippet}"
        );
        // Short lines keep whole-line context.
        let g = FileReport::new("a.ts".into(), "a\nb\nc\nd\n".into(), vec![]);
        let e = Diagnostic::new("require-www-authenticate", Severity::Error, 2..3, "m");
        let ctx = context_region(&g, &e.range, g.span(&e.range));
        assert_eq!(
            ctx,
            json!({"startLine": 1, "endLine": 4, "snippet": {"text": "a\nb\nc\nd\n"}})
        );
        // Hashing each line once per rule gives what hashing per finding gave.
        let mut d2 = d.clone();
        d2.range = at + 3..at + 4;
        let fp = fingerprints(&f, &[&d, &d2]);
        assert_ne!(fp[0], fp[1]);
        let line = format!("{pad}return 401;{pad}");
        let expect = Fnv::new()
            .feed(b"require-www-authenticate")
            .feed(b"a.ts")
            .feed(line.as_bytes())
            .feed(b"0")
            .feed(b"1");
        assert_eq!(fp[1], format!("{:016x}", expect.0));
    }
}
