//! Suppression comments.
//!
//! - `// authlint-ignore <rule>[, <rule>]: <reason>` on its own line covers
//!   the statement that starts on the next code line; at the end of a line it
//!   covers the statement on that line.
//! - `// authlint-ignore-file <rule>[, <rule>]: <reason>` covers the file.
//! - Python uses `#`. Block comments (`/* … */`) work too.
//!
//! A reason is required. A suppression without one, naming an unknown rule,
//! or silencing nothing is reported as `unused-suppression`, with a fix that
//! removes it. Silenced findings stay in the list, marked `suppressed`, so
//! audit views and SARIF can show them with their reason.

use crate::diagnostic::{Diagnostic, Edit, Fix, Suppressed};
use crate::engine::Language;
use crate::rules;
use crate::settings::Settings;
use std::ops::Range;
use tree_sitter::{Node, Tree};

const MARKER: &str = "authlint-ignore";

#[derive(Debug)]
struct Directive {
    /// The comment node's range.
    comment: Range<usize>,
    file_level: bool,
    rules: Vec<String>,
    reason: Option<String>,
    /// Bytes this directive covers (the whole file for file-level ones).
    covers: Range<usize>,
    used: Vec<bool>,
}

/// Marks suppressed diagnostics and appends `unused-suppression` findings.
pub fn apply(
    text: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    diags: &mut Vec<Diagnostic>,
) {
    let mut directives = find_directives(text, lang, tree);
    if directives.is_empty() {
        return;
    }
    for d in diags.iter_mut() {
        if d.suppressed.is_some() {
            continue;
        }
        for dir in directives.iter_mut() {
            if dir.reason.is_none() {
                continue;
            }
            let Some(i) = dir.rules.iter().position(|r| r == d.rule) else {
                continue;
            };
            if dir.file_level || dir.covers.contains(&d.range.start) {
                dir.used[i] = true;
                d.suppressed = Some(Suppressed {
                    reason: dir.reason.clone().unwrap_or_default(),
                    file_level: dir.file_level,
                    comment: dir.comment.clone(),
                });
                break;
            }
        }
    }
    let Some(severity) = settings
        .level(
            rules::find("unused-suppression")
                .map(|r| r.id)
                .unwrap_or("unused-suppression"),
        )
        .severity()
    else {
        return;
    };
    let id = "unused-suppression";
    for dir in &directives {
        let remove = removal_fix(text, &dir.comment);
        let problem = if dir.rules.is_empty() {
            Some("names no rule (write `authlint-ignore <rule>: <reason>`)".to_string())
        } else if let Some(unknown) = dir.rules.iter().find(|r| rules::find(r).is_none()) {
            Some(format!(
                "names `{unknown}`, which is not an authlint rule (see `authlint rules`)"
            ))
        } else if dir.reason.is_none() {
            Some("has no reason: write why after a colon, e.g. `authlint-ignore require-401-logging: logged by the gateway`".to_string())
        } else {
            let unused: Vec<&str> = dir
                .rules
                .iter()
                .zip(&dir.used)
                .filter(|(r, used)| !**used && settings.level(r).severity().is_some())
                .map(|(r, _)| r.as_str())
                .collect();
            if unused.is_empty() {
                None
            } else if unused.len() == dir.rules.len() {
                Some(format!(
                    "suppresses nothing: no `{}` finding is {}",
                    unused.join("`, `"),
                    if dir.file_level {
                        "in this file"
                    } else {
                        "on the line it covers"
                    }
                ))
            } else {
                // Some rules are used: no removal fix, just name the stale ones.
                diags.push(Diagnostic::new(
                    id,
                    severity,
                    dir.comment.clone(),
                    format!(
                        "`{}` is suppressed here but has no finding to suppress",
                        unused.join("`, `")
                    ),
                ));
                None
            }
        };
        if let Some(problem) = problem {
            diags.push(
                Diagnostic::new(
                    id,
                    severity,
                    dir.comment.clone(),
                    format!("This suppression {problem}"),
                )
                .with_fix(remove.clone()),
            );
        }
    }
}

fn removal_fix(text: &str, comment: &Range<usize>) -> Fix {
    let line_start = text[..comment.start]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let line_end = text[comment.end..]
        .find('\n')
        .map(|i| comment.end + i + 1)
        .unwrap_or(text.len());
    let before = &text[line_start..comment.start];
    let after = &text[comment.end..line_end];
    let range = if before.trim().is_empty() && after.trim().is_empty() {
        line_start..line_end // the whole line
    } else {
        let trimmed_start = comment.start - (before.len() - before.trim_end().len());
        trimmed_start..comment.end
    };
    Fix {
        title: "Remove this suppression comment".into(),
        safe: true,
        edits: vec![Edit::replace(range, "")],
    }
}

fn find_directives(text: &str, lang: Language, tree: &Tree) -> Vec<Directive> {
    let root = tree.root_node();
    let mut out: Vec<Directive> = Vec::new();
    // This scans the whole file on every keystroke: memchr's SIMD search
    // costs a small part of `str::match_indices`.
    for off in memchr::memmem::find_iter(text.as_bytes(), MARKER) {
        let Some(node) = root.descendant_for_byte_range(off, off + MARKER.len()) else {
            continue;
        };
        let comment = if node.kind() == "comment" {
            node
        } else {
            continue;
        };
        if out.iter().any(|d| d.comment == comment.byte_range()) {
            continue;
        }
        let Some(mut dir) = parse(text, comment, lang) else {
            continue;
        };
        dir.covers = if dir.file_level {
            0..text.len()
        } else {
            coverage(text, root, comment)
        };
        dir.used = vec![false; dir.rules.len()];
        out.push(dir);
    }
    out
}

/// Parses the directive in a comment, or `None` if the comment only mentions the marker in prose.
fn parse(text: &str, comment: Node, _lang: Language) -> Option<Directive> {
    let raw = &text[comment.byte_range()];
    let body = raw
        .trim_start_matches("//")
        .trim_start_matches("/*")
        .trim_start_matches('#')
        .trim_end_matches("*/")
        .trim();
    let rest = body.strip_prefix(MARKER)?;
    let (file_level, rest) = match rest.strip_prefix("-file") {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t', ':'])) {
        return None; // e.g. `authlint-ignored` in prose
    }
    let (rules_part, reason) = match rest.split_once(':') {
        Some((r, reason)) => (r, Some(reason.trim().to_string()).filter(|s| !s.is_empty())),
        None => (rest, None),
    };
    let rules: Vec<String> = rules_part
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    Some(Directive {
        comment: comment.byte_range(),
        file_level,
        rules,
        reason,
        covers: 0..0,
        used: Vec::new(),
    })
}

/// What a line directive covers: the statement on its own line when the
/// comment trails code, else the statement starting on the next code line.
fn coverage(text: &str, root: Node, comment: Node) -> Range<usize> {
    let line_start = text[..comment.start_byte()]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let trailing = !text[line_start..comment.start_byte()].trim().is_empty();
    let target = if trailing {
        line_start + (text[line_start..].len() - text[line_start..].trim_start().len())
    } else {
        // The first following line with code that is not itself a comment.
        let mut pos = text[comment.end_byte()..]
            .find('\n')
            .map(|i| comment.end_byte() + i + 1)
            .unwrap_or(text.len());
        loop {
            if pos >= text.len() {
                return comment.end_byte()..comment.end_byte();
            }
            let line_end = text[pos..]
                .find('\n')
                .map(|i| pos + i)
                .unwrap_or(text.len());
            let line = &text[pos..line_end];
            let first = pos + (line.len() - line.trim_start().len());
            let is_comment = root
                .descendant_for_byte_range(first, first)
                .is_some_and(|n| n.kind() == "comment");
            if !line.trim().is_empty() && !is_comment {
                break first;
            }
            pos = line_end + 1;
        }
    };
    let line_end = text[target..]
        .find('\n')
        .map(|i| target + i)
        .unwrap_or(text.len());
    // The outermost node that starts at `target`: the statement.
    let mut node = match root.descendant_for_byte_range(target, target) {
        Some(n) => n,
        None => return target..line_end,
    };
    while let Some(p) = node.parent() {
        if p.start_byte() != target || p.id() == root.id() {
            break;
        }
        node = p;
    }
    target.min(node.start_byte())..node.end_byte().max(line_end)
}
