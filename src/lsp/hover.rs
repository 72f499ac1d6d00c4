//! Hover: the rule's explanation on a flagged range or a suppression comment.

use crate::diagnostic::Diagnostic;
use crate::rules::{self, Rule};
use std::ops::Range;

/// What to explain at `offset`: the rules, and the byte range the hover covers.
pub fn rules_at(
    text: &str,
    offset: usize,
    diags: &[Diagnostic],
) -> Option<(Vec<&'static Rule>, Range<usize>)> {
    let mut found: Vec<&'static Rule> = Vec::new();
    let mut range: Option<Range<usize>> = None;
    for d in diags.iter().filter(|d| d.suppressed.is_none()) {
        let hit = if d.range.is_empty() {
            d.range.start == offset
        } else {
            d.range.start <= offset && offset <= d.range.end
        };
        if !hit {
            continue;
        }
        if let Some(rule) = rules::find(d.rule) {
            if !found.iter().any(|r| r.id == rule.id) {
                found.push(rule);
            }
            // The narrowest flagged range wins.
            if range.as_ref().map_or(true, |r| d.range.len() < r.len()) {
                range = Some(d.range.clone());
            }
        }
    }
    if let Some(range) = range {
        return Some((found, range));
    }
    suppression_at(text, offset)
}

/// The rules named by an `authlint-ignore`/`authlint-ignore-file` comment on
/// the line holding `offset`: the one under the cursor, or all of them.
fn suppression_at(text: &str, offset: usize) -> Option<(Vec<&'static Rule>, Range<usize>)> {
    let offset = offset.min(text.len());
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let at = line.find("authlint-ignore")?;
    let marker_start = line_start + at;
    let mut rest_start = marker_start + "authlint-ignore".len();
    if text[rest_start..line_end].starts_with("-file") {
        rest_start += "-file".len();
    }
    let list_end = text[rest_start..line_end]
        .find(':')
        .map_or(line_end, |i| rest_start + i);
    let comment_end = text[..line_end].trim_end().len().max(marker_start);
    // Each listed id with its byte range.
    let mut listed: Vec<(&'static Rule, Range<usize>)> = Vec::new();
    let mut pos = rest_start;
    for part in text[rest_start..list_end].split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        let start = pos + lead;
        if let Some(rule) = rules::find(id) {
            listed.push((rule, start..start + id.len()));
        }
        pos += part.len() + 1;
    }
    if listed.is_empty() {
        return None;
    }
    if offset < marker_start.saturating_sub(3) || offset > comment_end {
        return None;
    }
    if let Some((rule, range)) = listed
        .iter()
        .find(|(_, r)| r.start <= offset && offset <= r.end)
    {
        return Some((vec![*rule], range.clone()));
    }
    let mut rules: Vec<&'static Rule> = Vec::new();
    for (r, _) in &listed {
        if !rules.iter().any(|x| x.id == r.id) {
            rules.push(r);
        }
    }
    Some((rules, marker_start..comment_end))
}

/// The Markdown shown for one rule: id, default level, summary, its page
/// without the title and the long examples section, and a link to the page.
pub fn markdown(rule: &Rule) -> String {
    let mut out = format!(
        "**{}** ({} by default{})\n\n{}\n",
        rule.id,
        rule.default_severity.as_str(),
        match rule.fix {
            rules::FixKind::None => "",
            rules::FixKind::Safe => ", safe fix available",
            rules::FixKind::Unsafe => ", fix available (unsafe)",
        },
        rule.summary.trim()
    );
    let body = trim_doc(rule.doc);
    if !body.is_empty() {
        out.push('\n');
        out.push_str(&body);
        out.push('\n');
    }
    out.push_str(&format!("\n[Full documentation]({})", rule.help_uri()));
    out
}

/// Drops the `# title` line and the `## Examples` section (the full page
/// has them), and trims blank lines.
fn trim_doc(doc: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut skipping = false;
    let mut in_fence = false;
    for line in doc.lines() {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence || t.starts_with("```") {
            if t.starts_with("# ") && out.is_empty() {
                continue;
            }
            if let Some(h) = t.strip_prefix("## ") {
                skipping = h.trim().eq_ignore_ascii_case("examples");
                if skipping {
                    continue;
                }
            }
        }
        if !skipping {
            out.push(line);
        }
    }
    out.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_title_and_examples() {
        let doc = "# r\n\nIntro.\n\n## Why\nBecause.\n\n## Examples\n```ts invalid\n## not a heading\n```\n\n## Fix\nDo it.\n";
        assert_eq!(
            trim_doc(doc),
            "Intro.\n\n## Why\nBecause.\n\n## Fix\nDo it."
        );
    }

    #[test]
    fn suppression_comment_names_rules() {
        let text =
            "x\n  // authlint-ignore require-401-logging, require-www-authenticate: legacy\ny";
        let on_second = text.find("require-www").unwrap() + 3;
        let (rules, range) = rules_at(text, on_second, &[]).unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].id, "require-www-authenticate");
        assert_eq!(&text[range], "require-www-authenticate");
        let on_reason = text.find("legacy").unwrap();
        let (rules, range) = rules_at(text, on_reason, &[]).unwrap();
        assert_eq!(rules.len(), 2);
        assert!(text[range].starts_with("authlint-ignore"));
        assert!(rules_at(text, 0, &[]).is_none());
        assert!(rules_at(text, text.len(), &[]).is_none());
        let file = "# authlint-ignore-file no-forwarded-401: proxy\n";
        let (rules, _) = rules_at(file, 5, &[]).unwrap();
        assert_eq!(rules[0].id, "no-forwarded-401");
    }
}
