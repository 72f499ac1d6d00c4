//! Code actions: each finding's fixes, suppression comments, and fix-all.

use crate::diagnostic::{Diagnostic, Edit};
use crate::engine::Language;
use crate::fix::FixMode;
use crate::lint::Linter;
use std::collections::HashSet;
use std::path::Path;

/// The fix-all code action kind the server offers.
pub const FIX_ALL_KIND: &str = "source.fixAll.authlint";
/// Placeholder the user replaces with the reason a finding is ignored.
pub const REASON_PLACEHOLDER: &str = "<reason>";

/// Whether an action of kind `kind` passes the client's `only` filter:
/// a requested kind matches itself and every kind nested under it
/// (`source` matches `source.fixAll.authlint`).
pub fn kind_allowed(only: Option<&[String]>, kind: &str) -> bool {
    match only {
        None => true,
        Some(only) => only.iter().any(|k| {
            k.is_empty()
                || kind == k
                || (kind.starts_with(k.as_str()) && kind[k.len()..].starts_with('.'))
        }),
    }
}

/// One planned action, before conversion to LSP types.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub title: String,
    /// Index of the diagnostic it addresses in the slice given to [`plan`].
    pub diagnostic: usize,
    pub edits: Vec<Edit>,
    pub preferred: bool,
}

/// The quick fixes for `diags` (already filtered to the requested range and
/// to unsuppressed findings): every fix of every finding (the first safe
/// one preferred), then "ignore for this line" and "ignore for this file",
/// once per rule and line.
pub fn plan(text: &str, lang: Language, diags: &[&Diagnostic]) -> Vec<Planned> {
    let mut out = Vec::new();
    for (i, d) in diags.iter().enumerate() {
        let mut preferred_given = false;
        for fix in d.fixes.iter() {
            let valid = !fix.edits.is_empty()
                && fix.edits.iter().all(|e| {
                    e.range.start <= e.range.end
                        && e.range.end <= text.len()
                        && text.is_char_boundary(e.range.start)
                        && text.is_char_boundary(e.range.end)
                });
            if !valid {
                continue;
            }
            let preferred = fix.safe && !preferred_given;
            preferred_given |= preferred;
            out.push(Planned {
                title: fix.title.to_string(),
                diagnostic: i,
                edits: fix.edits.clone(),
                preferred,
            });
        }
    }
    let mut lines = HashSet::new();
    let mut files = HashSet::new();
    for (i, d) in diags.iter().enumerate() {
        let start = d.range.start.min(text.len());
        let line_start = line_start(text, start);
        if lines.insert((d.rule, line_start)) {
            out.push(Planned {
                title: format!("Ignore {} for this line", d.rule),
                diagnostic: i,
                edits: vec![ignore_line_edit(text, lang, start, d.rule)],
                preferred: false,
            });
        }
    }
    for (i, d) in diags.iter().enumerate() {
        if files.insert(d.rule) {
            out.push(Planned {
                title: format!("Ignore {} for this file", d.rule),
                diagnostic: i,
                edits: vec![ignore_file_edit(text, lang, d.rule)],
                preferred: false,
            });
        }
    }
    out
}

/// Start of the line holding byte `offset` (any offset, boundary or not).
fn line_start(text: &str, offset: usize) -> usize {
    let b = text.as_bytes();
    memchr::memrchr(b'\n', &b[..offset.min(b.len())]).map_or(0, |i| i + 1)
}

/// End of the line holding byte `offset`, before its `\n`.
fn line_end(text: &str, offset: usize) -> usize {
    let b = text.as_bytes();
    let offset = offset.min(b.len());
    memchr::memchr(b'\n', &b[offset..]).map_or(b.len(), |i| offset + i)
}

fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// Inserts `<prefix> authlint-ignore <rule>: <reason>` on its own line above
/// the line holding `offset`, indented like it. When the line above already
/// is a line suppression, the rule is added to its list instead.
pub fn ignore_line_edit(text: &str, lang: Language, offset: usize, rule: &str) -> Edit {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|o| text.is_char_boundary(*o))
        .unwrap_or(0);
    let start = line_start(text, offset);
    let prefix = lang.comment_prefix();
    if start > 0 {
        let prev_start = line_start(text, start - 1);
        let prev = &text[prev_start..start];
        let trimmed = prev.trim_start();
        let marker = format!("{prefix} authlint-ignore ");
        if let Some(rest) = trimmed.strip_prefix(&marker) {
            if let Some(colon) = rest.find(':') {
                let listed: Vec<&str> = rest[..colon].split(',').map(str::trim).collect();
                if !listed.contains(&rule) {
                    let at = prev_start + (prev.len() - trimmed.len()) + marker.len() + colon;
                    let at = at - (rest[..colon].len() - rest[..colon].trim_end().len());
                    return Edit::insert(at, format!(", {rule}"));
                }
            }
        }
    }
    let line = &text[start..line_end(text, start)];
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    Edit::insert(
        start,
        format!(
            "{indent}{prefix} authlint-ignore {rule}: {REASON_PLACEHOLDER}{}",
            newline(text)
        ),
    )
}

/// Inserts `<prefix> authlint-ignore-file <rule>: <reason>` at the top of
/// the file, after a byte-order mark, a shebang line and (Python) an
/// encoding declaration.
pub fn ignore_file_edit(text: &str, lang: Language, rule: &str) -> Edit {
    let mut at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let next_line = |from: usize| -> usize {
        let end = line_end(text, from);
        (end + 1).min(text.len())
    };
    if text[at..].starts_with("#!") {
        at = next_line(at);
    }
    if lang.is_python() {
        let line = &text[at..line_end(text, at)];
        if line.starts_with('#') && line.contains("coding") {
            at = next_line(at);
        }
    }
    let mut insert = format!(
        "{} authlint-ignore-file {rule}: {REASON_PLACEHOLDER}{}",
        lang.comment_prefix(),
        newline(text)
    );
    // A shebang with no newline after it: start a new line first.
    if at == text.len() && at > 0 && !text.ends_with('\n') {
        insert.insert_str(0, newline(text));
    }
    Edit::insert(at, insert)
}

/// Whether any unsuppressed finding has a safe fix.
pub fn has_safe_fix(diags: &[Diagnostic]) -> bool {
    diags
        .iter()
        .any(|d| d.suppressed.is_none() && d.fixes.iter().any(|f| f.safe))
}

/// Applies safe fixes until none is left (at most 10 passes), relinting in
/// memory between passes. `first` are the diagnostics of `text`, if known.
pub fn fix_all(
    linter: &Linter,
    path: &Path,
    lang: Language,
    text: &str,
    first: Option<&[Diagnostic]>,
) -> String {
    let first = match first {
        Some(d) => d.to_vec(),
        None => match linter.lint_as(path, text, lang) {
            Ok(d) => d,
            Err(_) => return text.to_string(),
        },
    };
    // The same loop as `authlint lint --fix`: a fix whose text is already
    // there is never applied twice, even where a syntax error hides it.
    crate::fix::fix_until_stable(text, first, FixMode::SafeOnly, 10, |t| {
        linter.lint_as(path, t, lang)
    })
    .text
}

/// Line-granular edits (byte ranges of `old`) that turn `old` into `new`.
pub fn minimal_edits(old: &str, new: &str) -> Vec<Edit> {
    if old == new {
        return Vec::new();
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut old_starts = Vec::with_capacity(old_lines.len() + 1);
    let mut acc = 0;
    for l in &old_lines {
        old_starts.push(acc);
        acc += l.len();
    }
    old_starts.push(acc);
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .timeout(std::time::Duration::from_millis(200))
        .diff_slices(&old_lines, &new_lines);
    let mut edits: Vec<Edit> = Vec::new();
    for op in diff.ops() {
        if let similar::DiffOp::Equal { .. } = op {
            continue;
        }
        let o = op.old_range();
        let n = op.new_range();
        let range = old_starts[o.start]..old_starts[o.end];
        let replacement: String = new_lines[n].concat();
        // Merge with the previous edit when they touch.
        if let Some(last) = edits.last_mut() {
            if last.range.end == range.start {
                last.range.end = range.end;
                last.replacement = format!("{}{replacement}", last.replacement).into();
                continue;
            }
        }
        edits.push(Edit::replace(range, replacement));
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Severity};
    use crate::fix::apply_edits;

    #[test]
    fn only_filter_matches_kind_hierarchy() {
        let only = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(kind_allowed(None, FIX_ALL_KIND));
        assert!(kind_allowed(Some(&only(&["source"])), FIX_ALL_KIND));
        assert!(kind_allowed(Some(&only(&["source.fixAll"])), FIX_ALL_KIND));
        assert!(!kind_allowed(Some(&only(&["source.fix"])), FIX_ALL_KIND));
        assert!(!kind_allowed(Some(&only(&["quickfix"])), FIX_ALL_KIND));
        assert!(kind_allowed(Some(&only(&["quickfix"])), "quickfix"));
        assert!(!kind_allowed(
            Some(&only(&["source.organizeImports"])),
            "quickfix"
        ));
    }

    #[test]
    fn ignore_line_keeps_indentation_and_comment_style() {
        let text = "def f():\n    return Response(status_code=401)\n";
        let at = text.find("return").unwrap();
        let e = ignore_line_edit(text, Language::Python, at, "require-401-logging");
        assert_eq!(
            apply_edits(text, [&e]),
            "def f():\n    # authlint-ignore require-401-logging: <reason>\n    return Response(status_code=401)\n"
        );
        let ts = "if (x) {\r\n\treturn new Response('', { status: 401 });\r\n}";
        let at = ts.find("new").unwrap();
        let e = ignore_line_edit(ts, Language::TypeScript, at, "require-www-authenticate");
        assert_eq!(
            apply_edits(ts, [&e]),
            "if (x) {\r\n\t// authlint-ignore require-www-authenticate: <reason>\r\n\treturn new Response('', { status: 401 });\r\n}"
        );
    }

    #[test]
    fn ignore_line_extends_an_existing_suppression() {
        let text = "  // authlint-ignore require-401-logging : legacy\n  return x;\n";
        let at = text.find("return").unwrap();
        let e = ignore_line_edit(text, Language::TypeScript, at, "require-www-authenticate");
        assert_eq!(
            apply_edits(text, [&e]),
            "  // authlint-ignore require-401-logging, require-www-authenticate : legacy\n  return x;\n"
        );
    }

    #[test]
    fn ignore_file_goes_after_shebang_and_coding() {
        let e = ignore_file_edit("#!/usr/bin/env node\nfoo()\n", Language::JavaScript, "r");
        assert_eq!(e.range, 20..20);
        assert_eq!(
            e.replacement,
            "// authlint-ignore-file r: <reason>\n".into()
        );
        let py = "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\nx = 1\n";
        let e = ignore_file_edit(py, Language::Python, "r");
        assert_eq!(&py[e.range.start..], "x = 1\n");
        assert_eq!(e.replacement, "# authlint-ignore-file r: <reason>\n".into());
        let e = ignore_file_edit("#!/bin/sh", Language::Python, "r");
        assert_eq!(
            e.replacement,
            "\n# authlint-ignore-file r: <reason>\n".into()
        );
        let e = ignore_file_edit("", Language::TypeScript, "r");
        assert_eq!(e.range, 0..0);
    }

    #[test]
    fn one_preferred_fix_per_diagnostic() {
        let text = "return new Response('no', { status: 401 });\n";
        let mut d = Diagnostic::new("require-www-authenticate", Severity::Error, 7..42, "m");
        for (title, safe) in [("unsafe", false), ("safe a", true), ("safe b", true)] {
            d = d.with_fix(Fix {
                title: title.into(),
                safe,
                edits: vec![Edit::insert(40, " ")],
            });
        }
        let planned = plan(text, Language::TypeScript, &[&d]);
        let preferred: Vec<_> = planned.iter().filter(|p| p.preferred).collect();
        assert_eq!(preferred.len(), 1);
        assert_eq!(preferred[0].title, "safe a");
        assert_eq!(planned.len(), 5);
    }

    #[test]
    fn minimal_edits_reproduce_the_new_text() {
        let old = "a\nb\nc\nd\ne";
        for new in [
            "a\nb\nX\nd\ne",
            "Z\na\nb\nc\nd\ne\nY",
            "",
            "a\ne",
            "a\nb\nc\nd\ne\n",
        ] {
            let edits = minimal_edits(old, new);
            assert_eq!(apply_edits(old, edits.iter()), new, "{new:?}");
        }
        let edits = minimal_edits("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(edits, vec![Edit::replace(2..4, "B\n")]);
    }
}
