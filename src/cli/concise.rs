//! `--format concise`: one line per finding, then the summary.
//!
//! `path:line:col: severity[rule] message`, with ` (suppressed: reason)`
//! after a suppressed finding listed by `--show-suppressed`.

use super::paths::slash_path;
use super::report::{summary_line, Report};
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for file in &report.files {
        let path = slash_path(&file.path);
        for d in file.diagnostics.iter().filter(|d| report.is_listed(d)) {
            let at = file.pos(d.range.start);
            let _ = write!(
                out,
                "{path}:{}:{}: {}[{}] {}",
                at.line,
                at.column,
                d.severity.as_str(),
                d.rule,
                one_line(&d.message)
            );
            if let Some(s) = &d.suppressed {
                let _ = write!(out, " (suppressed: {})", one_line(&s.reason));
            }
            out.push('\n');
        }
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// Line breaks in a message would split a finding over several lines.
fn one_line(s: &str) -> String {
    if s.contains(['\n', '\r']) {
        s.split(['\n', '\r'])
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        s.to_string()
    }
}
