//! What a lint run produced, independent of how it is printed.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{Encoding, LineMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The column unit of every report: Unicode scalar values (characters).
pub const COLUMN_ENCODING: Encoding = Encoding::Utf32;

/// A 1-based line/column pair, columns in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A 1-based range; `end` is exclusive (the position just after the last character).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

/// Where `range` is in another file a finding points into (an imported
/// module, the settings), read once per run; `None` when the file cannot
/// be read as text or the range is only a placeholder.
pub fn span_in(path: &Path, range: &Range<usize>) -> Option<Span> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    type Files = Mutex<HashMap<PathBuf, Option<Arc<FileReport>>>>;
    static FILES: OnceLock<Files> = OnceLock::new();
    if range.end == 0 {
        return None;
    }
    let files = FILES.get_or_init(Default::default);
    let file = {
        let mut files = files.lock().ok()?;
        files
            .entry(path.to_path_buf())
            .or_insert_with(|| {
                let bytes = crate::fsio::read_regular(path, crate::lint::MAX_FILE_BYTES).ok()?;
                let text = String::from_utf8(bytes).ok()?;
                Some(Arc::new(FileReport::new(
                    path.to_path_buf(),
                    text,
                    Vec::new(),
                )))
            })
            .clone()?
    };
    (range.end <= file.text.len()
        && file.text.is_char_boundary(range.start)
        && file.text.is_char_boundary(range.end))
    .then(|| file.span(range))
}

/// One linted file: its (possibly fixed) text and every diagnostic on it,
/// suppressed ones included.
pub struct FileReport {
    /// The path as shown to users (relative to the working directory).
    pub path: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    lines: LineMap,
}

impl FileReport {
    pub fn new(path: PathBuf, text: String, diagnostics: Vec<Diagnostic>) -> Self {
        let lines = LineMap::new(&text);
        FileReport {
            path,
            text,
            diagnostics,
            lines,
        }
    }

    pub fn pos(&self, offset: usize) -> Pos {
        let p = self.lines.position(&self.text, offset, COLUMN_ENCODING);
        Pos {
            line: p.line as usize + 1,
            column: p.column as usize + 1,
        }
    }

    pub fn span(&self, range: &Range<usize>) -> Span {
        Span {
            start: self.pos(range.start),
            end: self.pos(range.end.max(range.start)),
        }
    }

    /// How many lines the text has, a final line break not starting another.
    pub fn line_count(&self) -> usize {
        let n = self.lines.line_count() as usize;
        if self.text.is_empty() || self.text.ends_with('\n') {
            n - 1
        } else {
            n
        }
    }

    /// The byte offset at which 1-based `line` starts (the text's length
    /// past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        let pos = crate::source::Position {
            line: line.saturating_sub(1).min(u32::MAX as usize) as u32,
            column: 0,
        };
        self.lines
            .offset(&self.text, pos, Encoding::Utf8)
            .unwrap_or(self.text.len())
    }

    /// The byte range of the line containing `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let (start, end) = self.lines.line_bounds(&self.text, offset);
        let bytes = self.text.as_bytes();
        let mut end = end.min(bytes.len());
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end.max(start)
    }
}

/// `offset` clamped to the text and moved forward to a character boundary.
pub fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while !text.is_char_boundary(o) {
        o += 1;
    }
    o
}

/// `offset` clamped to the text and moved back to a character boundary.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut o = offset.min(text.len());
    while o > 0 && !text.is_char_boundary(o) {
        o -= 1;
    }
    o
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeLevel {
    /// Worth knowing (a file analysed only where its syntax allowed).
    Info,
    /// The file was skipped on purpose (too large, binary…): reported, not fatal.
    Warning,
    /// Something went wrong (unreadable path): the run exits 2.
    Error,
}

impl Notice {
    /// A notice about `path`.
    pub fn about(path: &Path, message: impl Into<String>, level: NoticeLevel) -> Notice {
        Notice {
            path: Some(super::paths::display_path(path)),
            message: message.into(),
            level,
            skipped: false,
        }
    }

    /// A notice that `path` was not analysed (or only in part): at `level`,
    /// or an error when such files fail the run (`--fail-on-skipped`).
    pub fn skipped(
        path: &Path,
        message: impl Into<String>,
        level: NoticeLevel,
        fatal: bool,
    ) -> Notice {
        let level = if fatal { NoticeLevel::Error } else { level };
        Notice {
            skipped: true,
            ..Notice::about(path, message, level)
        }
    }
}

impl NoticeLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeLevel::Info => "info",
            NoticeLevel::Warning => "warning",
            NoticeLevel::Error => "error",
        }
    }
}

/// A message about the run rather than about code.
#[derive(Debug, Clone)]
pub struct Notice {
    pub path: Option<PathBuf>,
    pub message: String,
    pub level: NoticeLevel,
    /// The file named by `path` was not analysed, or only in part: a
    /// finding in it could have gone unreported.
    pub skipped: bool,
}

/// Which diagnostics are shown and how fixes are described.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    pub show_suppressed: bool,
    pub quiet: bool,
}

/// Counts over the diagnostics a report shows (suppressed ones excluded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub suppressed: usize,
    /// Findings with a safe fix.
    pub safe_fixable: usize,
    /// Findings whose only fixes are unsafe.
    pub unsafe_fixable: usize,
}

pub struct Report {
    /// Files with at least one diagnostic, sorted by path.
    pub files: Vec<FileReport>,
    /// How many files were analysed.
    pub files_checked: usize,
    pub notices: Vec<Notice>,
    /// Fixes written (or shown by --diff), and in how many files.
    pub fixes_applied: usize,
    pub files_fixed: usize,
    pub options: ReportOptions,
    /// Findings left out because the `--baseline` file records them.
    pub baselined: usize,
}

impl Report {
    /// Whether `d` is reported at all under the options (quiet hides non-errors).
    pub fn is_reported(&self, d: &Diagnostic) -> bool {
        !self.options.quiet || d.severity == Severity::Error
    }

    /// Whether `d` is listed by the pretty/json/github reporters.
    pub fn is_listed(&self, d: &Diagnostic) -> bool {
        self.is_reported(d) && (d.suppressed.is_none() || self.options.show_suppressed)
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.files {
            for d in f.diagnostics.iter().filter(|d| self.is_reported(d)) {
                if d.suppressed.is_some() {
                    c.suppressed += 1;
                    continue;
                }
                match d.severity {
                    Severity::Error => c.errors += 1,
                    Severity::Warning => c.warnings += 1,
                    Severity::Info => c.infos += 1,
                }
                if d.fixes.iter().any(|f| f.safe) {
                    c.safe_fixable += 1;
                } else if !d.fixes.is_empty() {
                    c.unsafe_fixable += 1;
                }
            }
        }
        c
    }

    pub fn has_errors(&self) -> bool {
        self.notices.iter().any(|n| n.level == NoticeLevel::Error)
    }
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The closing line of the pretty report.
pub fn summary_line(report: &Report) -> String {
    let c = report.counts();
    let files = plural(report.files_checked, "file");
    let mut out = String::new();
    if report.fixes_applied > 0 {
        out.push_str(&format!(
            "Fixed {} in {}.\n",
            plural(report.fixes_applied, "problem"),
            plural(report.files_fixed, "file")
        ));
    }
    let mut parts = Vec::new();
    if c.errors > 0 {
        parts.push(plural(c.errors, "error"));
    }
    if c.warnings > 0 {
        parts.push(plural(c.warnings, "warning"));
    }
    if c.infos > 0 {
        parts.push(plural(c.infos, "info"));
    }
    let unreadable = report
        .notices
        .iter()
        .filter(|n| n.level == NoticeLevel::Error && !n.skipped)
        .count();
    if parts.is_empty() && unreadable > 0 && report.files_checked == 0 {
        // Nothing was linted: "no problems" would read as a clean run.
        out.push_str(&format!(
            "Nothing linted: {} could not be read (see the messages above).",
            plural(unreadable, "path")
        ));
    } else if parts.is_empty() {
        out.push_str(&format!("No problems found in {files}."));
    } else {
        let list = match parts.len() {
            1 => parts[0].clone(),
            2 => format!("{} and {}", parts[0], parts[1]),
            _ => format!("{}, {} and {}", parts[0], parts[1], parts[2]),
        };
        out.push_str(&format!("Found {list} in {files}"));
        let mut fix = Vec::new();
        if c.safe_fixable > 0 {
            fix.push(format!("{} fixable with --fix", c.safe_fixable));
        }
        if c.unsafe_fixable > 0 {
            fix.push(format!("{} with --unsafe-fixes", c.unsafe_fixable));
        }
        if !fix.is_empty() {
            out.push_str(&format!(" ({})", fix.join(", ")));
        }
        out.push('.');
    }
    if unreadable > 0 && report.files_checked > 0 {
        out.push_str(&format!(
            " {} could not be read (see the messages above).",
            plural(unreadable, "path")
        ));
    }
    if report.baselined > 0 {
        out.push_str(&format!(
            " {} in the baseline not shown.",
            plural(report.baselined, "finding")
        ));
    }
    let skipped = report.notices.iter().filter(|n| n.skipped).count();
    if skipped > 0 {
        out.push_str(&format!(
            " {} not analysed in full (see the messages above).",
            plural(skipped, "file")
        ));
    }
    if c.suppressed > 0 && !report.options.show_suppressed {
        out.push_str(&format!(
            " {} suppressed (--show-suppressed lists {}).",
            plural(c.suppressed, "finding"),
            if c.suppressed == 1 { "it" } else { "them" }
        ));
    } else if c.suppressed > 0 {
        out.push_str(&format!(" {} suppressed.", plural(c.suppressed, "finding")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(diags: Vec<Diagnostic>, files: usize) -> Report {
        Report {
            files: vec![FileReport::new("a.ts".into(), "x\n".repeat(10), diags)],
            files_checked: files,
            notices: vec![],
            fixes_applied: 0,
            files_fixed: 0,
            options: ReportOptions::default(),
            baselined: 0,
        }
    }

    #[test]
    fn summary_wording() {
        assert_eq!(
            summary_line(&report(vec![], 10)),
            "No problems found in 10 files."
        );
        let e = Diagnostic::new("require-www-authenticate", Severity::Error, 0..1, "m").with_fix(
            crate::Fix {
                title: "t".into(),
                safe: true,
                edits: vec![],
            },
        );
        let w = Diagnostic::new("prefer-403-for-authorization", Severity::Warning, 2..3, "m")
            .with_fix(crate::Fix {
                title: "t".into(),
                safe: false,
                edits: vec![],
            });
        let w2 = Diagnostic::new("require-401-logging", Severity::Warning, 4..5, "m");
        assert_eq!(
            summary_line(&report(vec![e.clone(), w, w2], 1)),
            "Found 1 error and 2 warnings in 1 file (1 fixable with --fix, 1 with --unsafe-fixes)."
        );
        let mut s = e.clone();
        s.suppressed = Some(crate::diagnostic::Suppressed {
            reason: "r".into(),
            file_level: false,
            comment: 0..0,
        });
        assert_eq!(
            summary_line(&report(vec![s], 2)),
            "No problems found in 2 files. 1 finding suppressed (--show-suppressed lists it)."
        );
    }

    #[test]
    fn positions_are_one_based_characters() {
        let f = FileReport::new("a.ts".into(), "é = 1;\r\nfoo\n".into(), vec![]);
        assert_eq!(f.pos(0), Pos { line: 1, column: 1 });
        assert_eq!(f.pos(2), Pos { line: 1, column: 2 });
        assert_eq!(f.pos(9), Pos { line: 2, column: 1 });
        assert_eq!(f.line_range(3), 0..7);
        assert_eq!(f.line_range(10), 9..12);
        // Offsets inside a character or past the end do not panic.
        assert_eq!(f.line_range(1), 0..7);
        assert_eq!(f.line_range(999), 13..13);
    }
}
