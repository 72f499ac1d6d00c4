//! `--format junit`: JUnit XML, for CI systems that show test reports
//! (GitLab's `artifacts:reports:junit`, Jenkins, Azure Pipelines…).
//!
//! One `<testsuite>` per file with findings, one failing `<testcase>` per
//! finding (name: the rule id and position; classname: the path). A run
//! with no findings gives one passing test case, so the report is never
//! empty. Suppressed findings are left out.

use super::paths::slash_path;
use super::report::Report;
use std::fmt::Write;

/// Text for an XML attribute or element: escaped, and without the
/// characters XML 1.0 cannot carry at all.
fn xml(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
        })
        .collect();
    quick_xml::escape::escape(clean.as_str()).into_owned()
}

pub fn render(report: &Report) -> String {
    let mut suites = String::new();
    let mut total = 0usize;
    for file in &report.files {
        let path = slash_path(&file.path);
        let mut cases = String::new();
        let mut n = 0usize;
        for d in file
            .diagnostics
            .iter()
            .filter(|d| report.is_listed(d) && d.suppressed.is_none())
        {
            n += 1;
            let at = file.pos(d.range.start);
            let body = format!(
                "{}:{}:{}: {}[{}] {}",
                path,
                at.line,
                at.column,
                d.severity.as_str(),
                d.rule,
                d.message
            );
            let _ = write!(
                cases,
                "    <testcase name=\"{}\" classname=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>\n",
                xml(&format!("{} at {}:{}", d.rule, at.line, at.column)),
                xml(&path),
                d.severity.as_str(),
                xml(&d.message),
                xml(&body),
            );
        }
        if n == 0 {
            continue;
        }
        total += n;
        let _ = write!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">\n{cases}  </testsuite>\n",
            xml(&path)
        );
    }
    let mut tests = total;
    if total == 0 {
        tests = 1;
        let _ = write!(
            suites,
            "  <testsuite name=\"authlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n    <testcase name=\"{}\" classname=\"authlint\"/>\n  </testsuite>\n",
            xml(&format!(
                "no problems in {}",
                super::report::plural(report.files_checked, "file")
            ))
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"authlint\" tests=\"{tests}\" failures=\"{total}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}
