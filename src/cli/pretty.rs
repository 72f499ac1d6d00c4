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
pub fn render(report: &Report, color: bool) -> String {
    let st = Styles::new(color);
    let mut out = String::new();
    for file in &report.files {
        for d in file.diagnostics.iter().filter(|d| report.is_listed(d)) {
            render_one(&mut out, file, d, &st, color);
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

fn render_one(out: &mut String, file: &FileReport, d: &Diagnostic, st: &Styles, color: bool) {
    let span = file.span(&d.range);
    let path = slash_path(&file.path);
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
    out.push_str(&frame(file, d, color));
    for fix in d.fixes.iter() {
        let kind = if fix.safe { "safe" } else { "unsafe" };
        let _ = writeln!(out, "  {} {} ({kind})", paint(st.info, "= fix:"), fix.title);
    }
    for r in d.related.iter() {
        let loc = match &r.path {
            Some(p) => slash_path(&super::paths::display_path(p)),
            None => {
                let p = file.pos(r.range.start);
                format!("{path}:{}:{}", p.line, p.column)
            }
        };
        let _ = writeln!(out, "  {} {loc}: {}", paint(st.dim, "= note:"), r.message);
    }
    if let Some(s) = &d.suppressed {
        let what = if s.file_level {
            "suppressed for the file"
        } else {
            "suppressed"
        };
        let _ = writeln!(
            out,
            "  {} {}",
            paint(st.warning, &format!("= {what}:")),
            s.reason
        );
    }
    out.push('\n');
}

/// How many bytes of a long line are shown before a finding (half of it) and
/// after it; shorter lines are shown whole.
const LONG_LINE_CONTEXT: usize = 160;

/// The code frame for `d`, rendered by annotate-snippets.
fn frame(file: &FileReport, d: &Diagnostic, color: bool) -> String {
    let text = &file.text;
    let start = floor_char_boundary(text, d.range.start);
    let end = floor_char_boundary(text, d.range.end.max(start));
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
    let mut lo = start - from + shift;
    let mut hi = (end - from + shift).min(source.len());
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
    let level = match d.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    };
    let line_start = file.pos(start).line;
    let msg = level.title("").snippet(
        Snippet::source(source)
            .line_start(line_start)
            .fold(true)
            .annotation(level.span(lo..hi)),
    );
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
