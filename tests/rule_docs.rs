//! Rule documentation stays true:
//! (a) `docs/rules/` is generated from each rule's `doc` (regenerate with
//!     `UPDATE_DOCS=1 cargo test --test rule_docs`);
//! (b) every fenced example in a rule page (info string `<lang> invalid|valid`,
//!     lang ts/tsx/js/py) is linted as `example.<lang>` with default settings:
//!     invalid examples must produce the rule, valid ones must not.

use authlint::cli::docs::{examples, index_page, rule_page};
use authlint::rules::RULES;
use authlint::{Linter, Settings};
use std::path::{Path, PathBuf};

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules")
}

fn expected_pages() -> Vec<(PathBuf, String)> {
    let dir = docs_dir();
    let mut pages = vec![(dir.join("README.md"), index_page())];
    for r in RULES {
        pages.push((dir.join(format!("{}.md", r.id)), rule_page(r)));
    }
    pages
}

#[test]
fn docs_rules_is_up_to_date() {
    let pages = expected_pages();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(docs_dir()).unwrap();
        for (path, text) in &pages {
            std::fs::write(path, text).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (path, text) in &pages {
        match std::fs::read_to_string(path) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => stale.push(format!("{} differs", path.display())),
            Err(_) => stale.push(format!("{} is missing", path.display())),
        }
    }
    // Pages for rules that no longer exist.
    if let Ok(entries) = std::fs::read_dir(docs_dir()) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "md") && !pages.iter().any(|(q, _)| q == &p) {
                stale.push(format!("{} belongs to no rule", p.display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs/rules is out of date; run `UPDATE_DOCS=1 cargo test --test rule_docs`:\n  {}",
        stale.join("\n  ")
    );
}

#[test]
fn documented_examples_behave_as_documented() {
    // The examples are application code. (Left to detection, their role
    // would come from this repository's own manifests: the root
    // `pyproject.toml` that packages the binary as a wheel makes a library.)
    let linter = Linter::new(Settings {
        role: Some(authlint::roles::Role::App),
        ..Settings::default()
    });
    let mut failures = Vec::new();
    let mut checked = 0;
    for rule in RULES {
        let exs = examples(rule.doc);
        let doc = format!("src/rules/{}.md", rule.id.replace('-', "_"));
        if !exs.iter().any(|e| !e.valid) {
            failures.push(format!("{doc}: no `<lang> invalid` example"));
        }
        if !exs.iter().any(|e| e.valid) {
            failures.push(format!("{doc}: no `<lang> valid` example"));
        }
        for ex in exs {
            checked += 1;
            let path = PathBuf::from(format!("example.{}", ex.lang));
            let kind = if ex.valid { "valid" } else { "invalid" };
            let place = if ex.heading.is_empty() {
                format!("{doc}:{} ({kind} {})", ex.line, ex.lang)
            } else {
                format!(
                    "{doc}:{} ({kind} {}, under \"{}\")",
                    ex.line, ex.lang, ex.heading
                )
            };
            let diags = match linter.lint(&path, &ex.code) {
                Ok(d) => d,
                Err(skip) => {
                    failures.push(format!("{place}: not analysed: {skip}"));
                    continue;
                }
            };
            let hits: Vec<String> = diags
                .iter()
                .filter(|d| d.rule == rule.id && d.suppressed.is_none())
                .map(|d| d.message.to_string())
                .collect();
            if ex.valid && !hits.is_empty() {
                failures.push(format!(
                    "{place}: valid example is flagged by {}: {}",
                    rule.id,
                    hits.join(" | ")
                ));
            }
            if !ex.valid && hits.is_empty() {
                let others: Vec<&str> = diags.iter().map(|d| d.rule).collect();
                failures.push(format!(
                    "{place}: invalid example is not flagged by {} (other findings: {:?})",
                    rule.id, others
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} documented examples (or rule pages) are wrong:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}
