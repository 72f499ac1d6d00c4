//! Per-rule fixtures: `tests/fixtures/<rule-id>/<name>.{invalid,valid}.<ext>`.
//!
//! Each fixture is linted with default settings (or, when it says
//! `authlint-fixture: min-confidence low`, with every confidence shown); the rule's diagnostics and
//! the text after applying its fixes (safe and unsafe, one pass) are
//! snapshotted with insta. `*.invalid.*` files must produce at least one
//! diagnostic of their rule and `*.valid.*` files none.

use authlint::fix::{apply_fixes, FixMode};
use authlint::source::{Encoding, LineMap};
use authlint::{Linter, Settings};
use std::fmt::Write;
use std::path::Path;

fn render(path: &Path, rule: &str) -> (String, usize) {
    let text = std::fs::read_to_string(path).unwrap();
    // A fixture whose findings are hidden by default says so on a line of
    // its own: `authlint-fixture: min-confidence low`.
    let min_confidence = if text.contains("authlint-fixture: min-confidence low") {
        authlint::diagnostic::Confidence::Low
    } else {
        Settings::default().min_confidence
    };
    // The fixtures live under `tests/`, which would make them all test code:
    // their role comes from the file's own name and text (`x.test.ts` is a
    // test, an `msw` import a mock), else application code.
    let name = Path::new(path.file_name().unwrap());
    let role = authlint::roles::from_path_and_text(name, &text)
        .map_or(authlint::roles::Role::App, |a| a.role);
    let linter = Linter::new(Settings {
        role: Some(role),
        min_confidence,
        ..Settings::default()
    });
    let diags: Vec<_> = linter
        .lint(path, &text)
        .unwrap()
        .into_iter()
        .filter(|d| d.rule == rule && d.suppressed.is_none())
        .collect();
    let map = LineMap::new(&text);
    let mut out = String::new();
    writeln!(out, "--- diagnostics ---").unwrap();
    for d in &diags {
        let s = map.position(&text, d.range.start, Encoding::Utf32);
        let e = map.position(&text, d.range.end, Encoding::Utf32);
        // Confidence is shown when it is not high, so a change to it shows.
        let confidence = match d.confidence {
            authlint::diagnostic::Confidence::High => String::new(),
            c => format!(" ({} confidence)", c.as_str()),
        };
        writeln!(
            out,
            "{}:{}-{}:{} {} {}: {}{confidence}",
            s.line + 1,
            s.column + 1,
            e.line + 1,
            e.column + 1,
            d.severity.as_str(),
            d.rule,
            d.message
        )
        .unwrap();
        for f in d.fixes.iter() {
            writeln!(
                out,
                "  fix ({}): {}",
                if f.safe { "safe" } else { "unsafe" },
                f.title
            )
            .unwrap();
        }
    }
    let fixed = apply_fixes(&text, &diags, FixMode::IncludeUnsafe);
    if fixed.applied > 0 {
        writeln!(out, "--- fixed ---\n{}", fixed.text).unwrap();
        // A fix must never break the file.
        let lang = authlint::Language::from_path(path).unwrap();
        let before = authlint::engine::parse(lang, &text, None).unwrap();
        let after = authlint::engine::parse(lang, &fixed.text, None).unwrap();
        assert!(
            before.root_node().has_error() || !after.root_node().has_error(),
            "{}: fixed text no longer parses:\n{}",
            path.display(),
            fixed.text
        );
    }
    (out, diags.len())
}

#[test]
fn rule_fixtures() {
    insta::glob!("fixtures/[a-z]*/*.*", |path| {
        let rule = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            authlint::rules::find(rule).is_some(),
            "{}: no rule `{rule}`",
            path.display()
        );
        let name = path.file_name().unwrap().to_str().unwrap();
        let (out, count) = render(path, rule);
        if name.contains(".invalid.") {
            assert!(
                count > 0,
                "{}: expected `{rule}` to fire\n{out}",
                path.display()
            );
        } else if name.contains(".valid.") {
            assert_eq!(
                count,
                0,
                "{}: expected no `{rule}` findings\n{out}",
                path.display()
            );
        } else {
            panic!(
                "{}: fixture names must contain `.valid.` or `.invalid.`",
                path.display()
            );
        }
        insta::assert_snapshot!(out);
    });
}
