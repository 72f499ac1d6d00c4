//! Recall and precision of every rule on the annotated corpus in `tests/corpus/`.
//!
//! Each corpus file marks the findings a careful reviewer expects with a
//! comment at the end of the offending line:
//!
//! ```text
//! status: 401, // expect: require-www-authenticate, require-401-logging
//! ```
//!
//! or, when the line cannot take a trailing comment, on the line above:
//!
//! ```text
//! // expect-next-line: valid-www-authenticate
//! ```
//!
//! (`#` instead of `//` in Python.) A diagnostic matches an expectation of the
//! same rule when the annotated line lies within the diagnostic's line span;
//! matching is one-to-one. The test prints a table per rule and every false
//! positive / false negative, and fails when an implemented rule falls below
//! recall 0.9 or precision 0.95. Rules that are not implemented yet are listed
//! as such and do not fail the run.
//!
//! Run with `cargo test --test corpus -- --nocapture`.

use authlint::engine::{self, Language};
use authlint::source::{Encoding, LineMap};
use authlint::{Linter, Settings};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MIN_RECALL: f64 = 0.9;
const MIN_PRECISION: f64 = 0.95;

/// Every rule id an annotation may name: the rules of issue 2, the
/// suppression rule, and the three rules of issue 7 (implemented later).
const KNOWN_RULES: &[&str] = &[
    "require-www-authenticate",
    "require-401-logging",
    "prefer-403-for-authorization",
    "prefer-401-for-authentication",
    "valid-www-authenticate",
    "no-forwarded-401",
    "no-401-for-server-error",
    "no-error-detail-in-401",
    "bearer-error-code",
    "bearer-insufficient-scope",
    "mcp-resource-metadata",
    "unused-suppression",
];

/// One expected finding: `rule` on 1-based `line` of `path`.
#[derive(Debug, Clone)]
struct Expectation {
    path: PathBuf,
    line: u32,
    rule: String,
}

/// One reported finding, as a 1-based inclusive line span.
#[derive(Debug, Clone)]
struct Finding {
    path: PathBuf,
    first_line: u32,
    last_line: u32,
    rule: String,
    message: String,
}

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("corpus")
}

fn display(path: &Path) -> String {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// All corpus files authlint can lint, sorted for a stable report.
fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            corpus_files(&path, out);
        } else if Language::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

/// Parses the `expect:` / `expect-next-line:` annotations of one file.
/// Returns an error message for malformed annotations or unknown rule ids.
fn parse_annotations(path: &Path, text: &str) -> Result<Vec<Expectation>, String> {
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        let line_no = idx as u32 + 1;
        for leader in ["//", "#"] {
            let mut rest = line;
            while let Some(pos) = rest.find(leader) {
                let after = rest[pos + leader.len()..].trim_start();
                rest = &rest[pos + leader.len()..];
                let (target, list) = if let Some(l) = after.strip_prefix("expect-next-line:") {
                    (line_no + 1, l)
                } else if let Some(l) = after.strip_prefix("expect:") {
                    (line_no, l)
                } else {
                    continue;
                };
                // The list ends at the end of the line or at a closing `*/`.
                let list = list.split("*/").next().unwrap_or("");
                let mut any = false;
                for rule in list.split(',').map(str::trim).filter(|r| !r.is_empty()) {
                    if !KNOWN_RULES.contains(&rule) {
                        return Err(format!(
                            "{}:{line_no}: unknown rule id `{rule}` in annotation",
                            display(path)
                        ));
                    }
                    any = true;
                    out.push(Expectation {
                        path: path.to_path_buf(),
                        line: target,
                        rule: rule.to_string(),
                    });
                }
                if !any {
                    return Err(format!(
                        "{}:{line_no}: annotation names no rule",
                        display(path)
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Kuhn's augmenting-path matching between expectations and findings that
/// share a file (the caller groups by rule). `adj[e]` lists the findings
/// expectation `e` may match. Returns `matched_finding[f] = Some(e)`.
fn max_matching(adj: &[Vec<usize>], findings: usize) -> Vec<Option<usize>> {
    fn augment(
        e: usize,
        adj: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &f in &adj[e] {
            if seen[f] {
                continue;
            }
            seen[f] = true;
            let free = match owner[f] {
                None => true,
                Some(other) => augment(other, adj, seen, owner),
            };
            if free {
                owner[f] = Some(e);
                return true;
            }
        }
        false
    }
    let mut owner = vec![None; findings];
    for e in 0..adj.len() {
        let mut seen = vec![false; findings];
        augment(e, adj, &mut seen, &mut owner);
    }
    owner
}

/// What linting a set of files produced.
struct Linted {
    /// Files that could not be decoded, parsed cleanly, annotated or linted.
    problems: Vec<String>,
    expectations: Vec<Expectation>,
    /// Unsuppressed diagnostics.
    findings: Vec<Finding>,
}

/// Lints `files` one by one (imports resolve from disk) and collects
/// annotations and unsuppressed findings.
fn lint_all(files: &[PathBuf]) -> Linted {
    let linter = Linter::new(Settings {
        // The fixtures live under `tests/`, which would make them test code.
        role: Some(authlint::roles::Role::App),
        ..Settings::default()
    });
    let mut problems = Vec::new();
    let mut expectations = Vec::new();
    let mut findings = Vec::new();

    for path in files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let text = match linter.decode(&bytes) {
            Ok(t) => t,
            Err(skip) => {
                problems.push(format!("{}: not decodable: {skip}", display(path)));
                continue;
            }
        };
        // The corpus itself must be valid code, or the figures mean nothing.
        let lang = Language::from_path(path).expect("filtered by corpus_files");
        match engine::parse(lang, text, None) {
            Some(tree) if !tree.root_node().has_error() => {}
            _ => problems.push(format!("{}: does not parse cleanly", display(path))),
        }
        match parse_annotations(path, text) {
            Ok(mut e) => expectations.append(&mut e),
            Err(msg) => problems.push(msg),
        }
        let diags = match linter.lint(path, text) {
            Ok(d) => d,
            Err(skip) => {
                problems.push(format!("{}: skipped by the linter: {skip}", display(path)));
                continue;
            }
        };
        let map = LineMap::new(text);
        for d in diags.iter().filter(|d| d.suppressed.is_none()) {
            let start = map.position(text, d.range.start, Encoding::Utf8);
            let end = map.position(text, d.range.end, Encoding::Utf8);
            // A range ending at the start of a line does not cover that line.
            let last = if end.line > start.line && end.column == 0 {
                end.line - 1
            } else {
                end.line
            };
            findings.push(Finding {
                path: path.clone(),
                first_line: start.line + 1,
                last_line: last.max(start.line) + 1,
                rule: d.rule.to_string(),
                message: d.message.to_string(),
            });
        }
    }

    Linted {
        problems,
        expectations,
        findings,
    }
}

#[derive(Default)]
struct RuleStats {
    expected: usize,
    found: usize,
    true_positives: usize,
    false_negatives: Vec<Expectation>,
    false_positives: Vec<Finding>,
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.3}"))
        .unwrap_or_else(|| "-".to_string())
}

#[test]
fn corpus_recall_and_precision() {
    let root = corpus_root();
    let mut files = Vec::new();
    corpus_files(&root, &mut files);
    assert!(
        files.len() >= 60,
        "the corpus should hold at least 60 files, found {}",
        files.len()
    );

    let Linted {
        problems,
        expectations,
        findings,
    } = lint_all(&files);

    // Group by rule, then match one-to-one within each file.
    let rules: BTreeSet<String> = KNOWN_RULES
        .iter()
        .map(|r| r.to_string())
        .chain(findings.iter().map(|f| f.rule.clone()))
        .collect();
    let mut stats: BTreeMap<String, RuleStats> = BTreeMap::new();
    for rule in &rules {
        let exp: Vec<&Expectation> = expectations.iter().filter(|e| &e.rule == rule).collect();
        let found: Vec<&Finding> = findings.iter().filter(|f| &f.rule == rule).collect();
        let adj: Vec<Vec<usize>> = exp
            .iter()
            .map(|e| {
                found
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        f.path == e.path && f.first_line <= e.line && e.line <= f.last_line
                    })
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        let owner = max_matching(&adj, found.len());
        let matched_exp: BTreeSet<usize> = owner.iter().flatten().copied().collect();
        let s = stats.entry(rule.clone()).or_default();
        s.expected = exp.len();
        s.found = found.len();
        s.true_positives = matched_exp.len();
        s.false_negatives = exp
            .iter()
            .enumerate()
            .filter(|(i, _)| !matched_exp.contains(i))
            .map(|(_, e)| (*e).clone())
            .collect();
        s.false_positives = found
            .iter()
            .zip(&owner)
            .filter(|(_, o)| o.is_none())
            .map(|(f, _)| (*f).clone())
            .collect();
    }

    // Report.
    println!();
    println!(
        "authlint corpus: {} files, {} expected findings, {} reported",
        files.len(),
        expectations.len(),
        findings.len()
    );
    println!();
    println!(
        "{:<31} {:>8} {:>6} {:>4} {:>7} {:>9}  status",
        "rule", "expected", "found", "tp", "recall", "precision"
    );
    let mut failures = Vec::new();
    for (rule, s) in &stats {
        let implemented = authlint::rules::find(rule).is_some();
        let recall = ratio(s.true_positives, s.expected);
        let precision = ratio(s.true_positives, s.found);
        let status = if !implemented {
            "not implemented".to_string()
        } else {
            let mut bad = Vec::new();
            if recall.is_some_and(|r| r < MIN_RECALL) {
                bad.push(format!("recall < {MIN_RECALL}"));
            }
            if precision.is_some_and(|p| p < MIN_PRECISION) {
                bad.push(format!("precision < {MIN_PRECISION}"));
            }
            if bad.is_empty() {
                "ok".to_string()
            } else {
                failures.push(format!("{rule}: {}", bad.join(", ")));
                format!("FAIL ({})", bad.join(", "))
            }
        };
        println!(
            "{:<31} {:>8} {:>6} {:>4} {:>7} {:>9}  {}",
            rule,
            s.expected,
            s.found,
            s.true_positives,
            fmt_ratio(recall),
            fmt_ratio(precision),
            status
        );
    }
    for (rule, s) in &stats {
        if s.false_negatives.is_empty() && s.false_positives.is_empty() {
            continue;
        }
        println!();
        println!("== {rule}");
        for e in &s.false_negatives {
            println!(
                "  false negative  {}:{} {}",
                display(&e.path),
                e.line,
                e.rule
            );
        }
        for f in &s.false_positives {
            let span = if f.first_line == f.last_line {
                f.first_line.to_string()
            } else {
                format!("{}-{}", f.first_line, f.last_line)
            };
            println!(
                "  false positive  {}:{} {}  ({})",
                display(&f.path),
                span,
                f.rule,
                f.message
            );
        }
    }
    println!();

    assert!(
        problems.is_empty(),
        "corpus problems:\n  {}",
        problems.join("\n  ")
    );
    assert!(
        failures.is_empty(),
        "rules below the bar (recall >= {MIN_RECALL}, precision >= {MIN_PRECISION}):\n  {}",
        failures.join("\n  ")
    );
}

#[test]
fn annotations_parse() {
    let p = Path::new("x.ts");
    let text = "a // expect: require-www-authenticate, require-401-logging\n\
                // expect-next-line: valid-www-authenticate\n\
                b\n";
    let e = parse_annotations(p, text).expect("valid annotations");
    let got: Vec<(u32, &str)> = e.iter().map(|e| (e.line, e.rule.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (1, "require-www-authenticate"),
            (1, "require-401-logging"),
            (3, "valid-www-authenticate"),
        ]
    );
    let py = "raise HTTPException(401)  # expect: require-401-logging\n";
    let e = parse_annotations(Path::new("x.py"), py).expect("valid annotations");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].line, 1);
    assert!(parse_annotations(p, "x // expect: require-www-authenticat\n").is_err());
    assert!(parse_annotations(p, "x // expect:\n").is_err());
}

#[test]
fn matching_is_one_to_one_and_maximal() {
    // Expectation 0 can match findings 0 and 1; expectation 1 only finding 0.
    // A greedy pass would give finding 0 to expectation 0 and leave 1 unmatched.
    let adj = vec![vec![0, 1], vec![0]];
    let owner = max_matching(&adj, 2);
    assert_eq!(owner, vec![Some(1), Some(0)]);
    // Two expectations on one finding: only one is matched.
    let owner = max_matching(&[vec![0], vec![0]], 1);
    assert_eq!(owner.iter().flatten().count(), 1);
}

/// The README's first command is `authlint lint examples`: the demo must show
/// every implemented rule, stay silent on the files that model correct code,
/// and use its one suppression.
#[test]
fn examples_show_every_rule() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files = Vec::new();
    corpus_files(&root, &mut files);
    assert!(
        !files.is_empty(),
        "no example files under {}",
        root.display()
    );
    let Linted {
        problems, findings, ..
    } = lint_all(&files);

    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &findings {
        *per_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    println!();
    println!(
        "authlint examples: {} files, {} findings",
        files.len(),
        findings.len()
    );
    for (rule, n) in &per_rule {
        println!("  {rule:<31} {n}");
    }

    let missing: Vec<&str> = authlint::rules::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| *id != "unused-suppression" && !per_rule.contains_key(id))
        .collect();

    const CLEAN: &[&str] = &[
        "supabase/functions/hello-user/index.ts",
        "supabase/functions/_shared/cors.ts",
    ];
    let noisy: Vec<String> = findings
        .iter()
        .filter(|f| f.rule == "unused-suppression" || CLEAN.iter().any(|c| f.path.ends_with(c)))
        .map(|f| format!("{}:{} {}", display(&f.path), f.first_line, f.rule))
        .collect();

    assert!(
        problems.is_empty(),
        "example problems:\n  {}",
        problems.join("\n  ")
    );
    assert!(
        missing.is_empty(),
        "implemented rules the examples never show: {}",
        missing.join(", ")
    );
    assert!(
        noisy.is_empty(),
        "findings where the examples model correct code:\n  {}",
        noisy.join("\n  ")
    );
}
