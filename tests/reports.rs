//! The adoption tools, run as a user runs them: `--format concise|gitlab|junit`,
//! one code frame per response site, `--statistics`, baselines, GitHub
//! annotations under GitHub Actions, standard input, completions and
//! suggestions. GitLab output is validated against `tests/schemas/gitlab-code-quality.json`
//! and JUnit output against Jenkins' `tests/schemas/junit-10.xsd` (with
//! `xmllint`; see `junit_validates_against_the_xsd`).

mod cli_support;
use cli_support::*;
use serde_json::Value;
use std::path::Path;

const PROJECT: &[(&str, &str)] = &[
    ("functions/hello/index.ts", MISSING_CHALLENGE),
    ("api/admin.js", AUTHZ_401),
    ("clean.ts", CLEAN),
];

// --- concise and pretty ---------------------------------------------------

#[test]
fn concise_prints_one_line_per_finding() {
    let p = project(PROJECT);
    let out = run(p.path(), &["lint", "--format", "concise"]);
    assert_eq!(out.code, 1, "{out:?}");
    insta::assert_snapshot!("concise_report", out.stdout);
    let json = run(p.path(), &["lint", "--format", "json"]).json();
    let findings = out.stdout.lines().filter(|l| l.contains("]")).count();
    assert_eq!(findings, json["diagnostics"].as_array().unwrap().len());
}

#[test]
fn pretty_shows_one_frame_per_response_site() {
    let p = project(&[("functions/hello/index.ts", MISSING_CHALLENGE)]);
    let out = run(p.path(), &["lint", "--color", "never"]);
    assert_eq!(out.code, 1, "{out:?}");
    // Two rules fired on the one response: two headers, the error first…
    let headers: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("functions/hello/index.ts:1:22: "))
        .collect();
    assert_eq!(headers.len(), 2, "{out:?}");
    assert!(
        headers[0].contains("error[require-www-authenticate]"),
        "{out:?}"
    );
    assert!(
        headers[1].contains("warning[require-401-logging]"),
        "{out:?}"
    );
    // …one frame, its span labelled with both rules, and the shared note once.
    assert_eq!(
        out.stdout.matches("1 | export default").count(),
        1,
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("^ require-www-authenticate, require-401-logging"),
        "{out:?}"
    );
    assert_eq!(
        out.stdout.matches("the 401 status is set here").count(),
        1,
        "{out:?}"
    );
    assert!(
        out.stdout.contains("= fix: Add `WWW-Authenticate"),
        "{out:?}"
    );
}

// --- statistics -------------------------------------------------------------

#[test]
fn statistics_count_findings_per_rule() {
    let p = project(PROJECT);
    let out = run(p.path(), &["lint", "--statistics"]);
    assert_eq!(out.code, 1, "{out:?}");
    insta::assert_snapshot!("statistics", out.stdout);

    let v = run(p.path(), &["lint", "--statistics", "--format", "json"]).json();
    let stats = v["statistics"].as_array().unwrap();
    let total: u64 = stats.iter().map(|s| s["count"].as_u64().unwrap()).sum();
    let s = &v["summary"];
    assert_eq!(
        total,
        s["errors"].as_u64().unwrap()
            + s["warnings"].as_u64().unwrap()
            + s["infos"].as_u64().unwrap()
    );
    let www = stats
        .iter()
        .find(|s| s["rule"] == "require-www-authenticate")
        .unwrap();
    assert_eq!(
        (www["count"].as_u64(), www["fixable"].as_u64()),
        (Some(1), Some(1))
    );
    let authz = stats
        .iter()
        .find(|s| s["rule"] == "prefer-403-for-authorization")
        .unwrap();
    assert_eq!(authz["unsafeFixable"], 1);

    let bad = run(p.path(), &["lint", "--statistics", "--format", "sarif"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("--statistics"), "{bad:?}");
}

// --- baseline ---------------------------------------------------------------

fn sarif_fingerprints(dir: &Path) -> Vec<String> {
    let v = run(dir, &["lint", "--format", "sarif"]).json();
    v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["authlint/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn baseline_hides_known_findings_and_survives_line_moves() {
    let p = project(PROJECT);
    let w = run(
        p.path(),
        &["lint", "--write-baseline", "authlint-baseline.json"],
    );
    assert_eq!(w.code, 0, "{w:?}");
    assert!(w.stderr.contains("Wrote 3 findings"), "{w:?}");
    let file: Value = serde_json::from_str(&read(p.path(), "authlint-baseline.json")).unwrap();
    assert_eq!(file["version"], 1);
    let mut recorded: Vec<String> = file["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    // The baseline's fingerprints are SARIF's.
    let mut sarif = sarif_fingerprints(p.path());
    recorded.sort();
    sarif.sort();
    assert_eq!(recorded, sarif);

    let base = ["lint", "--baseline", "authlint-baseline.json"];
    let out = run(p.path(), &base);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("No problems found in 3 files. 3 findings in the baseline not shown."),
        "{out:?}"
    );

    // Unrelated edits move the findings down: still known.
    let moved = format!("// a comment\n\n{MISSING_CHALLENGE}");
    write(p.path(), "functions/hello/index.ts", &moved);
    let admin = format!("// header\n{AUTHZ_401}");
    write(p.path(), "api/admin.js", &admin);
    let out = run(p.path(), &base);
    assert_eq!(out.code, 0, "{out:?}");

    // A new finding is reported, and fails the run.
    write(p.path(), "functions/new/index.ts", MISSING_CHALLENGE);
    let out = run(
        p.path(),
        &[
            "lint",
            "--baseline",
            "authlint-baseline.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    let v = out.json();
    let paths: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["functions/new/index.ts"; 2], "{out:?}");
    assert_eq!(v["summary"]["baselined"], 3);
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let p = project(PROJECT);
    let out = run(p.path(), &["lint", "--baseline", "missing.json"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("baseline file not found"), "{out:?}");
    write(p.path(), "b.json", "{\"findings\": 3}");
    let out = run(p.path(), &["lint", "--baseline", "b.json"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("not an authlint baseline"), "{out:?}");
}

// --- GitLab -----------------------------------------------------------------

fn gitlab_schema_errors(instance: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(include_str!("schemas/gitlab-code-quality.json")).unwrap();
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect()
}

#[test]
fn gitlab_report_validates_and_shares_sarif_fingerprints() {
    let p = project(PROJECT);
    let out = run(p.path(), &["lint", "--format", "gitlab"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!out.stdout.starts_with('\u{feff}'));
    let v = out.json();
    let errors = gitlab_schema_errors(&v);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let issues = v.as_array().unwrap();
    assert_eq!(issues.len(), 3, "{out:?}");
    let mut fps: Vec<String> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap().to_string())
        .collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), 3, "fingerprints are unique");
    let mut sarif = sarif_fingerprints(p.path());
    sarif.sort();
    assert_eq!(fps, sarif);
    let www = issues
        .iter()
        .find(|i| i["check_name"] == "require-www-authenticate")
        .unwrap();
    assert_eq!(www["severity"], "major");
    assert_eq!(www["location"]["path"], "functions/hello/index.ts");
    assert_eq!(www["location"]["positions"]["begin"]["line"], 1);
    // A clean run is an empty array, which is valid too.
    let clean = project(&[("clean.ts", CLEAN)]);
    let v = run(clean.path(), &["lint", "--format", "gitlab"]).json();
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn gitlab_schema_check_is_not_vacuous() {
    let bad = serde_json::json!([
        {"description": "d", "check_name": "c", "fingerprint": "f", "severity": "fatal",
         "location": {"path": "a.ts"}},
        {"description": "d", "check_name": "c", "severity": "info",
         "location": {"path": "a.ts", "lines": {"begin": 0}}}
    ]);
    assert!(
        gitlab_schema_errors(&bad).len() >= 3,
        "{:?}",
        gitlab_schema_errors(&bad)
    );
}

// --- JUnit ------------------------------------------------------------------

/// `xmllint` from libxml2 (AUTHLINT_XMLLINT, else on PATH). Missing, the
/// XSD check is skipped unless AUTHLINT_REQUIRE_XMLLINT is set (CI sets it).
fn xmllint() -> Option<String> {
    let bin = std::env::var("AUTHLINT_XMLLINT").unwrap_or_else(|_| "xmllint".to_string());
    let found = std::process::Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("AUTHLINT_REQUIRE_XMLLINT").is_some() {
        panic!("AUTHLINT_REQUIRE_XMLLINT is set but `{bin}` does not run");
    }
    found.then_some(bin)
}

fn xsd_check(bin: &str, xml: &str) -> Output {
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "report.xml", xml);
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/junit-10.xsd");
    let mut c = std::process::Command::new(bin);
    c.arg("--noout").arg("--schema").arg(xsd).arg(f);
    run_cmd(c, None)
}

const TRICKY: &str =
    "export default () => new Response(\"<no & \\\"way\\\">\", { status: 401 });\n";

#[test]
fn junit_report_has_a_failing_case_per_finding() {
    let p = project(&[("a <&>.ts", TRICKY), ("api/admin.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint", "--format", "junit"]);
    assert_eq!(out.code, 1, "{out:?}");
    let x = &out.stdout;
    assert!(
        x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "),
        "{x}"
    );
    assert!(
        x.contains("<testsuites name=\"authlint\" tests=\"3\" failures=\"3\""),
        "{x}"
    );
    assert_eq!(x.matches("<testcase ").count(), 3, "{x}");
    assert_eq!(x.matches("<failure ").count(), 3, "{x}");
    assert!(x.contains("<testsuite name=\"a &lt;&amp;&gt;.ts\""), "{x}");
    assert!(!x.contains("a <&>"), "{x}");
    let clean = project(&[("clean.ts", CLEAN)]);
    let out = run(clean.path(), &["lint", "--format", "junit"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out.stdout.contains("tests=\"1\" failures=\"0\""), "{out:?}");
    assert!(!out.stdout.contains("<failure"), "{out:?}");
}

#[test]
fn junit_validates_against_the_xsd() {
    let Some(bin) = xmllint() else {
        eprintln!("skipped: xmllint not found (install libxml2-utils)");
        return;
    };
    let p = project(&[("a <&>.ts", TRICKY), ("api/admin.js", AUTHZ_401)]);
    for dir in [
        p.path().to_path_buf(),
        project(&[("clean.ts", CLEAN)]).keep(),
    ] {
        let out = run(&dir, &["lint", "--format", "junit"]);
        let check = xsd_check(&bin, &out.stdout);
        assert_eq!(check.code, 0, "{check:?}\n{}", out.stdout);
    }
    // Not vacuous: a suite without its required counts is refused.
    let check = xsd_check(&bin, "<testsuites><testsuite name=\"x\"/></testsuites>");
    assert_ne!(check.code, 0, "{check:?}");
}

// --- GitHub Actions -----------------------------------------------------------

fn in_actions(dir: &Path, args: &[&str]) -> Output {
    let mut c = command(dir, args);
    c.env("GITHUB_ACTIONS", "true");
    run_cmd(c, None)
}

#[test]
fn github_actions_adds_annotations_to_human_output_only() {
    let p = project(PROJECT);
    let out = in_actions(p.path(), &["lint"]);
    assert_eq!(out.code, 1, "{out:?}");
    let summary = out.stdout.find("Found 1 error").expect("pretty summary");
    let annotation = out
        .stdout
        .find("::error file=functions/hello/index.ts,line=1,col=22")
        .expect("annotation");
    assert!(summary < annotation, "{out:?}");
    assert_eq!(out.stdout.matches("\n::").count(), 3, "{out:?}");
    let concise = in_actions(p.path(), &["lint", "--format", "concise"]);
    assert!(
        concise.stdout.contains("::warning file=api/admin.js"),
        "{concise:?}"
    );
    // Machine formats stay what they are.
    for format in ["json", "sarif", "gitlab"] {
        let out = in_actions(p.path(), &["lint", "--format", format]);
        assert!(!out.stdout.contains("::error"), "{format}: {out:?}");
        out.json();
    }
    let out = in_actions(p.path(), &["lint", "--format", "github"]);
    assert_eq!(out.stdout.matches("::error file=").count(), 1, "{out:?}");
    // Without the variable, no annotations.
    assert!(!run(p.path(), &["lint"]).stdout.contains("::"));
}

// --- standard input, missing paths, --diff ------------------------------------

#[test]
fn dash_reads_standard_input() {
    let d = project(&[]);
    let out = run_stdin(
        d.path(),
        &["lint", "-", "--format", "concise"],
        MISSING_CHALLENGE,
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.starts_with("stdin.ts:1:22: "), "{out:?}");
    let py =
        "from fastapi import HTTPException\n\ndef f():\n    raise HTTPException(status_code=401)\n";
    let out = run_stdin(d.path(), &["lint", "-", "--format", "concise"], py);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("stdin.py:4:11: error[require-www-authenticate]"),
        "{out:?}"
    );
    let out = run_stdin(d.path(), &["lint", "-", "src"], MISSING_CHALLENGE);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("`-` reads standard input"), "{out:?}");
}

#[test]
fn a_missing_path_is_not_reported_as_clean() {
    let p = project(&[("clean.ts", CLEAN)]);
    let out = run(p.path(), &["lint", "nope"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("nope"), "{out:?}");
    assert!(!out.stdout.contains("No problems found"), "{out:?}");
    let out = run(p.path(), &["lint", "nope", "clean.ts"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stdout
            .contains("No problems found in 1 file. 1 path could not be read"),
        "{out:?}"
    );
}

#[test]
fn diff_is_coloured_only_when_asked_or_on_a_terminal() {
    let p = project(&[("a.ts", MISSING_CHALLENGE)]);
    let plain = run(p.path(), &["lint", "--diff"]);
    assert_eq!(plain.code, 1, "{plain:?}");
    assert!(plain.stdout.contains("\n+"), "{plain:?}");
    assert!(!plain.stdout.contains('\x1b'), "{plain:?}");
    let colour = run(p.path(), &["lint", "--diff", "--color", "always"]);
    assert!(colour.stdout.contains("\x1b[32m+"), "{colour:?}");
    assert!(colour.stdout.contains("\x1b[31m-"), "{colour:?}");
    let stripped = colour
        .stdout
        .replace("\x1b[32m", "")
        .replace("\x1b[31m", "");
    assert!(stripped.contains("export default"), "{colour:?}");
}

// --- suggestions, completions, init -------------------------------------------

#[test]
fn mistyped_names_get_a_suggestion() {
    let p = project(&[("clean.ts", CLEAN)]);
    let out = run(p.path(), &["lint", "--select", "require-www-authentcate"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("did you mean `require-www-authenticate`?"),
        "{out:?}"
    );
    let out = run(p.path(), &["explain", "prefer-403"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("did you mean `prefer-403-for-authorization`?"),
        "{out:?}"
    );
    write(
        p.path(),
        "authlint.toml",
        "[rules]\nrequire-401-loging = \"off\"\n",
    );
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("did you mean `require-401-logging`?"),
        "{out:?}"
    );
    let out = run(p.path(), &["lnit"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("'lint'"), "{out:?}");
}

#[test]
fn completions_for_each_shell() {
    let d = project(&[]);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(d.path(), &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {out:?}");
        assert!(out.stdout.contains("authlint"), "{shell}");
        assert!(out.stdout.contains("write-baseline"), "{shell}");
    }
    assert_eq!(run(d.path(), &["completions", "tcsh"]).code, 2);
}

#[test]
fn init_lists_every_rule_at_its_default_level() {
    let d = project(&[]);
    let out = run(d.path(), &["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = read(d.path(), "authlint.toml");
    for rule in authlint::rules::RULES {
        let line = format!("# {} = \"{}\"\n", rule.id, rule.default_severity.as_str());
        assert!(text.contains(&line), "authlint init does not list `{line}`");
    }
}
