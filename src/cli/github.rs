//! `--format github`: GitHub Actions workflow commands, which annotate the
//! pull request's diff with no upload step.
//!
//! `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=<rule>::message`

use super::paths::slash_path;
use super::report::{NoticeLevel, Report};
use crate::diagnostic::Severity;
use std::fmt::Write;

/// Escapes a command's message (data): `%`, `\r`, `\n`.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: the data escapes plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    // Files not analysed are annotated too: a finding in them may be missing.
    for n in &report.notices {
        let command = match n.level {
            NoticeLevel::Error => "error",
            NoticeLevel::Warning => "warning",
            NoticeLevel::Info => "notice",
        };
        let file = match &n.path {
            Some(p) => format!(" file={},", escape_property(&slash_path(p))),
            None => " ".to_string(),
        };
        let _ = writeln!(
            out,
            "::{command}{file}title=authlint::{}",
            escape_data(&n.message)
        );
    }
    for file in &report.files {
        let path = escape_property(&slash_path(&file.path));
        for d in file
            .diagnostics
            .iter()
            .filter(|d| report.is_listed(d) && d.suppressed.is_none())
        {
            let span = file.span(&d.range);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = d.message.to_string();
            if d.confidence != crate::diagnostic::Confidence::High {
                message.push_str(&format!(" ({} confidence)", d.confidence.as_str()));
            }
            if let Some(fix) = d.fixes.first() {
                let kind = if fix.safe { "safe" } else { "unsafe" };
                message.push_str(&format!("\nFix ({kind}): {}", fix.title));
            }
            let _ = writeln!(
                out,
                "::{command} file={path},line={},col={},endLine={},endColumn={},title={}::{}",
                span.start.line,
                span.start.column,
                span.end.line,
                span.end.column,
                escape_property(d.rule),
                escape_data(&message)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
