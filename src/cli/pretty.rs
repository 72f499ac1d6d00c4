//! The human report: `path:line:col: severity[rule] message`, a code frame,
//! the fixes on offer, and a closing summary.

use super::paths::slash_path;
use super::report::{ceil_char_boundary, floor_char_boundary, summary_line, FileReport, Report};
use crate::diagnostic::{Diagnostic, Severity};
use annotate_snippets::renderer::{AnsiColor, Style};
use annotate_snippets::{Level, Renderer, Snippet};
use std::fmt::Write;

struct Styles {
    path: Style,
    error: Style,
    warning: Style,
    info: Style,
    dim: Style,
    ok: Style,
}

impl Styles {
    fn new(color: bool) -> Self {
        if !color {
            let s = Style::new();
            return Styles {
                path: s,
                error: s,
                warning: s,
                info: s,
                dim: s,
                ok: s,
            };
        }
        Styles {
            path: Style::new().bold(),
            error: AnsiColor::BrightRed.on_default().bold(),
            warning: AnsiColor::BrightYellow.on_default().bold(),
            info: AnsiColor::BrightBlue.on_default().bold(),
            dim: Style::new().dimmed(),
            ok: AnsiColor::BrightGreen.on_default().bold(),
        }
    }

    fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }
}

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Renders the whole report. `color` adds ANSI styles (the caller's stream
/// strips them when the terminal does not want them).
///
/// Findings whose ranges overlap (several rules about one response) share
/// one code frame: each finding keeps its header line, the frame labels each
/// span with the rules that fired there, and fixes and suppressions name
/// their rule.
pub fn render(report: &Report, color: bool) -> String {
    let st = Styles::new(color);
    let mut out = String::new();
    for file in &report.files {
        let listed: Vec<&Diagnostic> = file
            .diagnostics
            .iter()
            .filter(|d| report.is_listed(d))
            .collect();
        for group in sites(&listed) {
            render_site(&mut out, file, &group, &st, color);
        }
    }
    let summary = summary_line(report);
    let c = report.counts();
    let style = if c.errors > 0 {
        st.error
    } else if c.warnings > 0 {
        st.warning
    } else {
        st.ok
    };
    for line in summary.lines() {
        let _ = writeln!(out, "{}", paint(style, line));
    }
    out
}

/// Groups a file's findings (in position order) into sites: runs whose
/// ranges overlap, or are the same empty range. Within a site the most
/// severe come first; otherwise the order is kept.
fn sites<'a>(diags: &[&'a Diagnostic]) -> Vec<Vec<&'a Diagnostic>> {
    let mut out: Vec<Vec<&Diagnostic>> = Vec::new();
    let mut end = 0usize;
    for &d in diags {
        let (lo, hi) = (d.range.start, d.range.end.max(d.range.start));
        let joins = match out.last() {
            Some(g) => lo < end || g.iter().any(|o| o.range == d.range),
            None => false,
        };
        if joins {
            out.last_mut().expect("a group").push(d);
            end = end.max(hi);
        } else {
            out.push(vec![d]);
            end = hi;
        }
    }
    for g in &mut out {
        g.sort_by_key(|d| std::cmp::Reverse(d.severity));
    }
    out
}

/// A header line per finding, one frame, then the fixes, evidence and
/// suppressions of them all (the same line once).
fn render_site(
    out: &mut String,
    file: &FileReport,
    group: &[&Diagnostic],
    st: &Styles,
    color: bool,
) {
    let path = slash_path(&file.path);
    for d in group {
        let span = file.span(&d.range);
        let _ = writeln!(
            out,
            "{}: {}{} {}",
            paint(
                st.path,
                &format!("{path}:{}:{}", span.start.line, span.start.column)
            ),
            paint(st.severity(d.severity), d.severity.as_str()),
            paint(st.dim, &format!("[{}]", d.rule)),
            d.message
        );
        if d.confidence != crate::diagnostic::Confidence::High {
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    st.dim,
                    &format!(
                        "{} confidence: the evidence is partial",
                        d.confidence.as_str()
                    )
                )
            );
        }
    }
    out.push_str(&frame(file, group, color));
    // Name the rule beside a fix or suppression only when the site's fixes
    // (or suppressions) come from more than one rule.
    let fixing: Vec<&str> = group
        .iter()
        .filter(|d| !d.fixes.is_empty())
        .map(|d| d.rule)
        .collect();
    let reasons: Vec<(&str, bool)> = group
        .iter()
        .filter_map(|d| d.suppressed.as_ref())
        .map(|s| (s.reason.as_str(), s.file_level))
        .collect();
    let tag_fixes = fixing.len() > 1;
    let tag_suppressions = reasons.windows(2).any(|w| w[0] != w[1]);
    let tag = |d: &Diagnostic, on: bool| {
        if on {
            format!(" [{}]", d.rule)
        } else {
            String::new()
        }
    };
    let mut lines: Vec<String> = Vec::new();
    let mut push = |line: String| {
        if !lines.contains(&line) {
            lines.push(line);
        }
    };
    for d in group {
        for fix in d.fixes.iter() {
            let kind = if fix.safe { "safe" } else { "unsafe" };
            push(format!(
                "  {} {} ({kind})",
                paint(st.info, &format!("= fix{}:", tag(d, tag_fixes))),
                fix.title
            ));
        }
    }
    for d in group {
        for r in d.related.iter() {
            let loc = match &r.path {
                Some(p) => {
                    let shown = slash_path(&super::paths::display_path(p));
                    match super::report::span_in(p, &r.range) {
                        Some(s) => format!("{shown}:{}:{}", s.start.line, s.start.column),
                        None => shown,
                    }
                }
                None => {
                    let p = file.pos(r.range.start);
                    format!("{path}:{}:{}", p.line, p.column)
                }
            };
            push(format!(
                "  {} {loc}: {}",
                paint(st.dim, "= note:"),
                r.message
            ));
        }
    }
    for d in group {
        if let Some(s) = &d.suppressed {
            let what = if s.file_level {
                "suppressed for the file"
            } else {
                "suppressed"
            };
            push(format!(
                "  {} {}",
                paint(
                    st.warning,
                    &format!("= {what}{}:", tag(d, tag_suppressions))
                ),
                s.reason
            ));
        }
    }
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
}

/// How many bytes of a long line are shown before a finding (half of it) and
/// after it; shorter lines are shown whole.
const LONG_LINE_CONTEXT: usize = 160;

/// The code frame for a site, rendered by annotate-snippets: one annotation
/// per distinct range, labelled with its rules when the site has several.
fn frame(file: &FileReport, group: &[&Diagnostic], color: bool) -> String {
    let text = &file.text;
    let clamp = |d: &Diagnostic| {
        let s = floor_char_boundary(text, d.range.start);
        (s, floor_char_boundary(text, d.range.end.max(s)))
    };
    let start = group.iter().map(|d| clamp(d).0).min().unwrap_or(0);
    let end = group.iter().map(|d| clamp(d).1).max().unwrap_or(start);
    let first = file.line_range(start);
    let last = file.line_range(end);
    // On a long line (a minified bundle) show a window around the finding:
    // rendering the whole line for every finding costs the line's length
    // each time, and the terminal would cut it anyway.
    let from = if start - first.start > LONG_LINE_CONTEXT {
        ceil_char_boundary(text, start - LONG_LINE_CONTEXT / 2)
    } else {
        first.start
    };
    let to = if last.end.max(first.start).saturating_sub(end) > LONG_LINE_CONTEXT {
        floor_char_boundary(text, end + LONG_LINE_CONTEXT / 2)
    } else {
        last.end.max(first.start)
    };
    let mut clipped = String::new();
    if from > first.start {
        clipped.push_str("...");
    }
    let shift = clipped.len();
    clipped.push_str(&text[from..to]);
    if to < last.end {
        clipped.push_str("...");
    }
    let source = clipped.as_str();
    // Distinct ranges in order, each with its most severe level and rules.
    let mut spans: Vec<(usize, usize, Severity, Vec<&str>)> = Vec::new();
    for d in group {
        let (s, e) = clamp(d);
        let mut lo = s - from + shift;
        let mut hi = (e - from + shift).min(source.len());
        if lo == hi {
            // Point at one character rather than nothing.
            if let Some(ch) = source[lo..].chars().next() {
                hi = lo + ch.len_utf8();
            } else if lo > 0 {
                lo = source[..lo]
                    .char_indices()
                    .next_back()
                    .map(|(i, _)| i)
                    .unwrap_or(0);
            }
        }
        match spans.iter_mut().find(|(l, h, _, _)| (*l, *h) == (lo, hi)) {
            Some(span) => {
                span.2 = span.2.max(d.severity);
                if !span.3.contains(&d.rule) {
                    span.3.push(d.rule);
                }
            }
            None => spans.push((lo, hi, d.severity, vec![d.rule])),
        }
    }
    let labels: Vec<String> = spans.iter().map(|s| s.3.join(", ")).collect();
    let level_of = |s: Severity| match s {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    };
    let top = group
        .iter()
        .map(|d| d.severity)
        .max()
        .unwrap_or(Severity::Info);
    let line_start = file.pos(start).line;
    let mut snippet = Snippet::source(source).line_start(line_start).fold(true);
    for ((lo, hi, sev, _), label) in spans.iter().zip(&labels) {
        let mut a = level_of(*sev).span(*lo..*hi);
        if group.len() > 1 {
            a = a.label(label);
        }
        snippet = snippet.annotation(a);
    }
    let msg = level_of(top).title("").snippet(snippet);
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let rendered = renderer.render(msg).to_string();
    // Drop the title line: the header above already says what it would.
    let body = match rendered.split_once('\n') {
        Some((_, rest)) => rest,
        None => "",
    };
    let mut s = body.trim_end_matches('\n').to_string();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::report::ReportOptions;

    fn render_one_diag(text: &str, range: std::ops::Range<usize>) -> String {
        let d = Diagnostic::new("require-www-authenticate", Severity::Error, range, "msg");
        let report = Report {
            files: vec![FileReport::new("a.ts".into(), text.into(), vec![d])],
            files_checked: 1,
            notices: vec![],
            fixes_applied: 0,
            files_fixed: 0,
            options: ReportOptions::default(),
            baselined: 0,
        };
        render(&report, false)
    }

    #[test]
    fn odd_ranges_do_not_panic() {
        let text = "const é = 1;\r\nfoo();";
        #[allow(clippy::reversed_empty_ranges)]
        let ranges = [7..7, 7..8, 0..999, 999..999, 5..2, text.len()..text.len()];
        for range in ranges {
            let out = render_one_diag(text, range.clone());
            assert!(out.contains("a.ts:"), "{range:?}: {out}");
        }
        assert!(render_one_diag("", 0..0).contains("a.ts:1:1: error"));
    }

    #[test]
    fn header_and_frame() {
        let out = render_one_diag("let a = 1;\nreturn x;\n", 11..17);
        assert!(
            out.starts_with("a.ts:2:1: error[require-www-authenticate] msg\n"),
            "{out}"
        );
        assert!(out.contains("2 | return x;"), "{out}");
        assert!(out.contains("^^^^^^"), "{out}");
    }

    #[test]
    fn long_lines_show_a_window_around_the_finding() {
        let pad = "x;".repeat(5000);
        let text = format!("{pad}return é401;{pad}\n");
        let at = pad.len() + "return ".len();
        let out = render_one_diag(&text, at..at + "é401".len());
        assert!(out.starts_with("a.ts:1:10008: error"), "{out}");
        assert!(out.contains("1 | ...;x;x;"), "{out}");
        assert!(out.contains("^^^^\n"), "{out}");
        assert!(out.contains("return é401;"), "{out}");
        assert!(out.len() < 1000, "{} bytes: {out}", out.len());
        // Near the start of the line nothing is cut before the finding.
        let out = render_one_diag(&text, 0..2);
        assert!(out.contains("1 | x;x;"), "{out}");
    }
}
