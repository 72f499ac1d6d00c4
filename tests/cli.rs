//! `authlint` as a user runs it: real processes in temp dirs.

mod cli_support;
use cli_support::*;

// --- exit codes and the pretty report -------------------------------------

#[test]
fn clean_tree_exits_0_with_summary() {
    let p = project(&[
        ("src/ok.ts", CLEAN),
        ("src/util.js", "export const x = 1;\n"),
    ]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout.trim(),
        "No problems found in 2 files.",
        "{out:?}"
    );
}

#[test]
fn error_finding_exits_1_with_code_frame() {
    let p = project(&[("functions/hello/index.ts", MISSING_CHALLENGE)]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains(
            "functions/hello/index.ts:1:22: error[require-www-authenticate] 401 response has no `WWW-Authenticate` header"
        ),
        "{out:?}"
    );
    // The code frame: the line and a caret underline.
    assert!(
        out.stdout.contains("1 | export default () => new Response"),
        "{out:?}"
    );
    assert!(out.stdout.contains("^^^^"), "{out:?}");
    assert!(
        out.stdout.contains("= fix: Add `WWW-Authenticate"),
        "{out:?}"
    );
    assert!(out.stdout.contains("(safe)"), "{out:?}");
    let last = out.stdout.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("Found 1 error")
            && last.contains("in 1 file (")
            && last.contains("fixable with --fix"),
        "{last}"
    );
    // No colour when stdout is not a terminal.
    assert!(!out.stdout.contains('\x1b'), "{out:?}");
}

#[test]
fn warnings_only_exit_0_unless_over_max_warnings() {
    let p = project(&[("a.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("warning[prefer-403-for-authorization]"),
        "{out:?}"
    );
    assert!(out.stdout.contains("(unsafe)"), "{out:?}");
    assert!(out.stdout.contains("1 with --unsafe-fixes"), "{out:?}");
    assert_eq!(run(p.path(), &["lint", "--max-warnings", "1"]).code, 0);
    let over = run(p.path(), &["lint", "--max-warnings", "0"]);
    assert_eq!(over.code, 1, "{over:?}");
    assert!(over.stderr.contains("--max-warnings 0"), "{over:?}");
}

#[test]
fn quiet_reports_errors_only() {
    let p = project(&[("a.js", AUTHZ_401), ("b.ts", MISSING_CHALLENGE)]);
    let out = run(p.path(), &["lint", "--quiet", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let rules = rules_of(&out.json());
    assert!(
        rules.iter().all(|r| r == "require-www-authenticate"),
        "{rules:?}"
    );
    assert!(!rules.is_empty());
    assert_eq!(out.json()["summary"]["warnings"], 0);
    // Quiet on a tree with warnings only: nothing fails.
    let p = project(&[("a.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint", "-q", "--max-warnings", "0"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("prefer-403"), "{out:?}");
}

#[test]
fn usage_errors_exit_2() {
    let p = project(&[("a.ts", CLEAN)]);
    for args in [
        vec!["lint", "--bogus"],
        vec!["lint", "--format", "xml"],
        vec!["lint", "--max-warnings", "many"],
        vec!["frobnicate"],
        vec![],
        vec!["lint", "--select", "no-such-rule"],
        vec!["lint", "--ignore", "require-401-logging,nope"],
        vec!["explain"],
    ] {
        let out = run(p.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: {out:?}");
    }
    let help = run(p.path(), &["lint", "--help"]);
    assert_eq!(help.code, 0, "{help:?}");
    assert!(help.stdout.contains("--unsafe-fixes"));
    let version = run(p.path(), &["--version"]);
    assert_eq!(version.code, 0);
    assert!(version.stdout.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn missing_path_is_an_io_error_but_the_run_continues() {
    let p = project(&[("b.ts", MISSING_CHALLENGE)]);
    let out = run(p.path(), &["lint", "nope.ts", "b.ts"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("authlint: nope.ts: no such file or directory"),
        "{out:?}"
    );
    // b.ts was still linted.
    assert!(
        out.stdout
            .contains("b.ts:1:22: error[require-www-authenticate]"),
        "{out:?}"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file_is_reported_and_exits_2() {
    use std::os::unix::fs::PermissionsExt;
    let p = project(&[("a.ts", MISSING_CHALLENGE), ("z.ts", CLEAN)]);
    let locked = p.path().join("a.ts");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        return; // running as root: permissions are not enforced
    }
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("authlint: a.ts: permission denied"),
        "{out:?}"
    );
    assert!(out.stdout.contains("in 1 file"), "{out:?}");
}

#[test]
fn skipped_files_warn_without_failing() {
    let p = project(&[("ok.ts", CLEAN)]);
    std::fs::write(p.path().join("blob.js"), b"const a = 1;\0\0\0binary").unwrap();
    std::fs::write(p.path().join("latin1.ts"), b"const s = '\xe9';\n").unwrap();
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("authlint: blob.js: file looks binary"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("authlint: latin1.ts: file is not valid UTF-8"),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("No problems found in 1 file."),
        "{out:?}"
    );
}

#[test]
fn walk_respects_gitignore_and_only_lints_known_languages() {
    let p = project(&[
        (".gitignore", "ignored/\n"),
        ("ignored/a.ts", MISSING_CHALLENGE),
        ("node_modules/pkg/index.js", MISSING_CHALLENGE),
        ("notes.txt", "new Response('x', { status: 401 })"),
        ("src/b.ts", MISSING_CHALLENGE),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let j = out.json();
    assert_eq!(j["summary"]["files"], 1, "{out:?}");
    let paths: Vec<&str> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(paths.iter().all(|p| *p == "src/b.ts"), "{paths:?}");
    // Named explicitly, an ignored file is linted.
    let out = run(p.path(), &["lint", "ignored/a.ts", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.json()["diagnostics"][0]["path"], "ignored/a.ts");
    // A directory argument is walked; paths stay relative to the working directory.
    let out = run(p.path(), &["lint", "./src", "--format", "json"]);
    assert_eq!(out.json()["diagnostics"][0]["path"], "src/b.ts", "{out:?}");
}

#[test]
fn output_is_sorted_by_path_and_deterministic() {
    let mut files = Vec::new();
    let names: Vec<String> = (0..40).map(|i| format!("d{}/f{i:02}.ts", i % 7)).collect();
    for n in &names {
        files.push((n.as_str(), MISSING_CHALLENGE));
    }
    let p = project(&files);
    let a = run(p.path(), &["lint", "--format", "json"]);
    let b = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    let paths: Vec<String> = a.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(a.json()["summary"]["files"], 40);
}

#[test]
fn color_flags() {
    let p = project(&[("a.ts", MISSING_CHALLENGE)]);
    let out = run(p.path(), &["lint", "--color", "always"]);
    assert!(out.stdout.contains("\x1b["), "{out:?}");
    let out = run(p.path(), &["lint", "--color", "never"]);
    assert!(!out.stdout.contains('\x1b'), "{out:?}");
    let mut c = command(p.path(), &["lint"]);
    c.env("NO_COLOR", "1");
    let out = run_cmd(c, None);
    assert!(!out.stdout.contains('\x1b'), "{out:?}");
}

// --- formats ---------------------------------------------------------------

#[test]
fn json_shape() {
    let src = format!("// é\n{MISSING_CHALLENGE}");
    let p = project(&[("fn/index.ts", src.as_str())]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    let j = out.json();
    assert_eq!(j["version"], 1);
    let keys: Vec<&String> = j.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["version", "diagnostics", "notices", "summary"]);
    let d = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "require-www-authenticate")
        .expect("require-www-authenticate");
    assert_eq!(d["path"], "fn/index.ts");
    assert_eq!(d["severity"], "error");
    assert!(d["message"].as_str().unwrap().contains("WWW-Authenticate"));
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 2, "column": 22})
    );
    assert_eq!(d["range"]["end"]["line"], 2);
    let fix = &d["fixes"][0];
    assert_eq!(fix["safe"], true);
    assert!(fix["title"].as_str().unwrap().contains("WWW-Authenticate"));
    let edit = &fix["edits"][0];
    assert!(edit["range"]["start"]["line"].is_u64());
    assert!(edit["text"].as_str().unwrap().contains("WWW-Authenticate"));
    assert_eq!(j["summary"]["files"], 1);
    assert_eq!(j["summary"]["errors"], 1);
    assert!(j["summary"]["warnings"].is_u64());
}

#[test]
fn json_columns_count_characters() {
    // Two 2-byte characters before the response on the same line.
    let src = "const é = 1; const ü = () => new Response(\"no\", { status: 401 });\n";
    let p = project(&[("a.ts", src)]);
    let j = run(p.path(), &["lint", "--format", "json"]).json();
    let d = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "require-www-authenticate")
        .unwrap()
        .clone();
    let col = src.find("new Response").unwrap();
    let chars = src[..col].chars().count();
    assert_eq!(d["range"]["start"]["column"], chars + 1);
}

#[test]
fn github_annotations() {
    let p = project(&[("src/a,b.ts", MISSING_CHALLENGE), ("c.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint", "--format", "github"]);
    assert_eq!(out.code, 1, "{out:?}");
    let err = out
        .stdout
        .lines()
        .find(|l| l.contains("title=require-www-authenticate"))
        .expect("error annotation");
    assert!(
        err.starts_with("::error file=src/a%2Cb.ts,line=1,col=22,endLine=1,endColumn="),
        "{err}"
    );
    assert!(
        err.contains("::401 response has no `WWW-Authenticate` header"),
        "{err}"
    );
    // Line breaks in the message are escaped, so each annotation is one line.
    assert!(err.contains("%0AFix (safe): "), "{err}");
    let warn = out
        .stdout
        .lines()
        .find(|l| l.contains("title=prefer-403-for-authorization"))
        .expect("warning annotation");
    assert!(
        warn.starts_with("::warning file=c.js,line=6,col="),
        "{warn}"
    );
    assert!(out.stdout.lines().all(|l| l.starts_with("::")), "{out:?}");
}

#[test]
fn output_file_writes_format_and_terminal_gets_pretty() {
    let p = project(&[("a.ts", MISSING_CHALLENGE)]);
    let out = run(
        p.path(),
        &[
            "lint",
            "--format",
            "sarif",
            "--output-file",
            "out/report.sarif",
        ],
    );
    // The directory does not exist: an I/O error.
    assert_eq!(out.code, 2, "{out:?}");
    std::fs::create_dir(p.path().join("out")).unwrap();
    let out = run(
        p.path(),
        &[
            "lint",
            "--format",
            "sarif",
            "--output-file",
            "out/report.sarif",
        ],
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.contains("error[require-www-authenticate]"),
        "{out:?}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&read(p.path(), "out/report.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let out = run(p.path(), &["lint", "--format", "json", "-o", "r.json"]);
    let j: serde_json::Value = serde_json::from_str(&read(p.path(), "r.json")).unwrap();
    assert_eq!(j["summary"]["errors"], 1, "{out:?}");
}

// --- fixes -----------------------------------------------------------------

#[test]
fn fix_applies_safe_fixes_reports_the_rest_and_is_idempotent() {
    let p = project(&[("a.ts", MISSING_CHALLENGE), ("b.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint", "--fix"]);
    assert!(out.stdout.contains("Fixed "), "{out:?}");
    let fixed = read(p.path(), "a.ts");
    assert!(fixed.contains("WWW-Authenticate"), "{fixed}");
    // Unsafe fix not applied without --unsafe-fixes.
    assert!(read(p.path(), "b.js").contains("status(401)"));
    assert!(
        out.stdout.contains("prefer-403-for-authorization"),
        "{out:?}"
    );
    assert!(
        !out.stdout.contains("error[require-www-authenticate]"),
        "{out:?}"
    );
    assert_eq!(out.code, 0, "{out:?}");
    // A second run changes nothing.
    let before_a = read(p.path(), "a.ts");
    let again = run(p.path(), &["lint", "--fix"]);
    assert!(!again.stdout.contains("Fixed "), "{again:?}");
    assert_eq!(read(p.path(), "a.ts"), before_a);
    let diff = run(p.path(), &["lint", "--diff"]);
    assert_eq!(diff.code, 0, "{diff:?}");
    assert!(diff.stdout.is_empty(), "{diff:?}");
}

#[test]
fn unsafe_fixes_apply_with_flag() {
    let p = project(&[("b.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint", "--fix", "--unsafe-fixes"]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = read(p.path(), "b.js");
    assert!(text.contains("res.status(403)"), "{text}");
    assert_eq!(text, AUTHZ_401.replace("status(401)", "status(403)"));
    assert!(out.stdout.contains("No problems found"), "{out:?}");
    let again = run(p.path(), &["lint", "--fix", "--unsafe-fixes"]);
    assert_eq!(read(p.path(), "b.js"), text, "{again:?}");
}

#[test]
fn unsafe_fixes_finish_in_one_run() {
    // The 403 for a missing session becomes a 401 and gains a log line in
    // the first pass; in a later one it needs the same challenge the other
    // 401 got in the first.
    let src = "const express = require('express');\nconst app = express();\n\
               app.get('/a', (req, res) => {\n  \
               if (!req.headers.authorization) return res.status(401).json({});\n  \
               if (!req.session) return res.status(403).json({ error: 'Not authenticated' });\n  res.json({});\n});\n";
    let p = project(&[("a.js", src)]);
    run(p.path(), &["lint", "--fix", "--unsafe-fixes"]);
    let once = read(p.path(), "a.js");
    assert_eq!(once.matches("WWW-Authenticate").count(), 2, "{once}");
    run(p.path(), &["lint", "--fix", "--unsafe-fixes"]);
    assert_eq!(read(p.path(), "a.js"), once);
}

#[test]
fn a_fix_the_rule_cannot_see_in_broken_code_is_not_kept() {
    // The import is cut off: the rule does not see a log line inserted
    // before the return, and would ask for one again on every run. The
    // challenge, which it does see, is kept.
    let src = "import { check } from './check.js) {\n    console.log('no session')\n    \
               return c.json({ error: 'Unauthorized' }, 401)\n";
    let p = project(&[("a.ts", src)]);
    run(p.path(), &["lint", "--fix"]);
    let once = read(p.path(), "a.ts");
    assert!(once.contains("WWW-Authenticate"), "{once}");
    assert!(!once.contains("console.error"), "{once}");
    run(p.path(), &["lint", "--fix"]);
    assert_eq!(read(p.path(), "a.ts"), once);
}

#[test]
fn diff_shows_changes_without_writing_and_exits_1() {
    let p = project(&[("a.ts", MISSING_CHALLENGE), ("b.js", AUTHZ_401)]);
    let out = run(p.path(), &["lint", "--diff"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout.starts_with("--- a/a.ts\n+++ b/a.ts\n@@"),
        "{out:?}"
    );
    assert!(out.stdout.contains("\n-export default"), "{out:?}");
    assert!(out.stdout.contains("\n+export default"), "{out:?}");
    assert!(
        !out.stdout.contains("b.js"),
        "unsafe fix shown without --unsafe-fixes: {out:?}"
    );
    assert!(
        out.stderr.contains("Would fix 1 problem in 1 file."),
        "{out:?}"
    );
    assert_eq!(read(p.path(), "a.ts"), MISSING_CHALLENGE);
    let out = run(p.path(), &["lint", "--diff", "--unsafe-fixes"]);
    assert!(out.stdout.contains("+++ b/b.js"), "{out:?}");
    assert!(
        out.stdout.contains("+    return res.status(403)"),
        "{out:?}"
    );
    assert_eq!(read(p.path(), "b.js"), AUTHZ_401);
}

#[test]
fn fix_preserves_bom_and_crlf() {
    let crlf = format!(
        "\u{feff}// header\r\n{}",
        MISSING_CHALLENGE.replace('\n', "\r\n")
    );
    let p = project(&[("a.ts", crlf.as_str())]);
    let out = run(p.path(), &["lint", "--fix"]);
    let bytes = std::fs::read(p.path().join("a.ts")).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with('\u{feff}'), "{out:?}");
    assert!(text.contains("WWW-Authenticate"), "{out:?}");
    assert_eq!(
        text.matches("\r\n").count(),
        text.matches('\n').count(),
        "{text:?}"
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_permissions_and_leaves_no_temp_files() {
    use std::os::unix::fs::PermissionsExt;
    let p = project(&[("bin/a.ts", MISSING_CHALLENGE)]);
    let f = p.path().join("bin/a.ts");
    std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = run(p.path(), &["lint", "--fix"]);
    assert!(
        read(p.path(), "bin/a.ts").contains("WWW-Authenticate"),
        "{out:?}"
    );
    let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o755);
    let names: Vec<String> = std::fs::read_dir(p.path().join("bin"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.ts"]);
}

// --- stdin -----------------------------------------------------------------

#[test]
fn stdin_lints_as_the_given_name() {
    let p = project(&[]);
    let out = run_stdin(
        p.path(),
        &[
            "lint",
            "--stdin-filename",
            "functions/x/index.ts",
            "--format",
            "json",
        ],
        MISSING_CHALLENGE,
    );
    assert_eq!(out.code, 1, "{out:?}");
    let j = out.json();
    assert_eq!(j["diagnostics"][0]["path"], "functions/x/index.ts");
    assert!(rules_of(&j).contains(&"require-www-authenticate".to_string()));
    // Python by name: no TS rule fires on TS text parsed as Python garbage… but it must not crash.
    let out = run_stdin(p.path(), &["lint", "--stdin-filename", "x.py"], "def f(:\n");
    assert!(out.code == 0 || out.code == 1, "{out:?}");
}

#[test]
fn stdin_fix_prints_fixed_text() {
    let p = project(&[]);
    let out = run_stdin(
        p.path(),
        &["lint", "--stdin-filename", "a.ts", "--fix"],
        MISSING_CHALLENGE,
    );
    assert!(out.stdout.contains("WWW-Authenticate"), "{out:?}");
    assert!(out.stdout.starts_with("export default"), "{out:?}");
    assert!(
        !out.stdout.contains("Fixed"),
        "report must go to stderr: {out:?}"
    );
    assert!(out.stderr.contains("Fixed 1 problem"), "{out:?}");
    // Nothing written to disk.
    assert!(!p.path().join("a.ts").exists());
    // Clean input comes back unchanged.
    let out = run_stdin(
        p.path(),
        &["lint", "--stdin-filename", "a.ts", "--fix"],
        CLEAN,
    );
    assert_eq!(out.stdout, CLEAN);
    assert_eq!(out.code, 0);
    // --diff on stdin.
    let out = run_stdin(
        p.path(),
        &["lint", "--stdin-filename", "a.ts", "--diff"],
        MISSING_CHALLENGE,
    );
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stdout.starts_with("--- a/a.ts"), "{out:?}");
}

#[test]
fn stdin_with_paths_is_a_usage_error() {
    let p = project(&[("a.ts", CLEAN)]);
    let out = run_stdin(
        p.path(),
        &["lint", "--stdin-filename", "x.ts", "a.ts"],
        CLEAN,
    );
    assert_eq!(out.code, 2, "{out:?}");
}

// --- rule selection ----------------------------------------------------------

#[test]
fn select_and_ignore() {
    let p = project(&[("a.ts", MISSING_CHALLENGE), ("b.js", AUTHZ_401)]);
    let only = run(
        p.path(),
        &[
            "lint",
            "--select",
            "prefer-403-for-authorization",
            "--format",
            "json",
        ],
    );
    assert_eq!(only.code, 0, "{only:?}");
    let rules = rules_of(&only.json());
    assert!(!rules.is_empty());
    assert!(
        rules.iter().all(|r| r == "prefer-403-for-authorization"),
        "{rules:?}"
    );
    let ignored = run(
        p.path(),
        &[
            "lint",
            "--ignore",
            "require-www-authenticate",
            "--format",
            "json",
        ],
    );
    assert_eq!(ignored.code, 0, "{ignored:?}");
    assert!(!rules_of(&ignored.json()).contains(&"require-www-authenticate".to_string()));
    let both = run(
        p.path(),
        &[
            "lint",
            "--select",
            "require-www-authenticate,prefer-403-for-authorization",
            "--ignore",
            "prefer-403-for-authorization",
            "--format",
            "json",
        ],
    );
    let rules = rules_of(&both.json());
    assert!(
        rules.iter().all(|r| r == "require-www-authenticate"),
        "{rules:?}"
    );
    assert_eq!(both.code, 1);
}

// --- suppressions ------------------------------------------------------------

const SUPPRESSED: &str = r#"export default () => {
  // authlint-ignore require-www-authenticate, require-401-logging: internal probe endpoint, clients never authenticate
  return new Response("no", { status: 401 });
};
"#;

#[test]
fn suppressed_findings_are_hidden_unless_asked() {
    let p = project(&[("a.ts", SUPPRESSED)]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("error["), "{out:?}");
    assert!(
        out.stdout.contains("suppressed (--show-suppressed"),
        "{out:?}"
    );
    let shown = run(p.path(), &["lint", "--show-suppressed"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    assert!(
        shown.stdout.contains("error[require-www-authenticate]"),
        "{shown:?}"
    );
    assert!(
        shown
            .stdout
            .contains("= suppressed: internal probe endpoint, clients never authenticate"),
        "{shown:?}"
    );
    let j = run(p.path(), &["lint", "--show-suppressed", "--format", "json"]).json();
    let d = &j["diagnostics"][0];
    assert_eq!(
        d["suppressed"]["reason"],
        "internal probe endpoint, clients never authenticate"
    );
    assert_eq!(j["summary"]["errors"], 0);
    let hidden = run(p.path(), &["lint", "--format", "json"]).json();
    assert_eq!(hidden["diagnostics"].as_array().unwrap().len(), 0);
    assert!(hidden["summary"]["suppressed"].as_u64().unwrap() >= 1);
}

#[test]
fn unused_suppression_is_reported_and_fixable() {
    let src = "// authlint-ignore require-www-authenticate: nothing here\nexport const x = 1;\n";
    let p = project(&[("a.ts", src)]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert!(
        rules_of(&out.json()).contains(&"unused-suppression".to_string()),
        "{out:?}"
    );
    let fixed = run(p.path(), &["lint", "--fix"]);
    assert!(
        !read(p.path(), "a.ts").contains("authlint-ignore"),
        "{fixed:?}"
    );
}

// --- other commands ----------------------------------------------------------

#[test]
fn rules_lists_every_rule() {
    let p = project(&[]);
    let out = run(p.path(), &["rules"]);
    assert_eq!(out.code, 0);
    for r in authlint::rules::RULES {
        let line = out
            .stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(r.id))
            .unwrap_or_else(|| panic!("{} missing: {out:?}", r.id));
        assert!(line.contains(r.default_severity.as_str()), "{line}");
        assert!(line.contains(r.fix.as_str()), "{line}");
    }
    let j: serde_json::Value =
        serde_json::from_str(&run(p.path(), &["rules", "--json"]).stdout).unwrap();
    assert_eq!(j.as_array().unwrap().len(), authlint::rules::RULES.len());
}

#[test]
fn explain_prints_the_rule_page() {
    let p = project(&[]);
    let out = run(p.path(), &["explain", "require-www-authenticate"]);
    assert_eq!(out.code, 0, "{out:?}");
    let doc = authlint::rules::find("require-www-authenticate")
        .unwrap()
        .doc;
    for line in doc.lines().filter(|l| !l.trim().is_empty()).take(20) {
        assert!(
            out.stdout.contains(line.trim()),
            "missing {line:?}: {out:?}"
        );
    }
    let bad = run(p.path(), &["explain", "require-www-auth"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("unknown rule `require-www-auth`"),
        "{bad:?}"
    );
    assert!(bad.stderr.contains("require-www-authenticate"), "{bad:?}");
}

#[test]
fn init_writes_a_config_once() {
    let p = project(&[("a.ts", MISSING_CHALLENGE)]);
    let out = run(p.path(), &["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = read(p.path(), "authlint.toml");
    assert!(
        text.contains("[rules]") && text.contains("# require-401-logging"),
        "{text}"
    );
    // The starter config is valid and changes nothing.
    let lint = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(lint.code, 1, "{lint:?}");
    let again = run(p.path(), &["init"]);
    assert_eq!(again.code, 2, "{again:?}");
    assert!(again.stderr.contains("already exists"), "{again:?}");
    assert_eq!(read(p.path(), "authlint.toml"), text);
}

#[test]
fn lsp_subcommand_exists() {
    let p = project(&[]);
    let out = run(p.path(), &["lsp", "--help"]);
    assert_eq!(out.code, 0, "{out:?}");
}

// --- snapshots of whole reports -----------------------------------------------

const SNAPSHOT_PROJECT: &[(&str, &str)] = &[
    ("functions/hello/index.ts", MISSING_CHALLENGE),
    ("api/admin.js", AUTHZ_401),
    (
        "functions/probe/index.ts",
        "export default () => {\n  // authlint-ignore require-www-authenticate, require-401-logging: health probe, never authenticated\n  return new Response('no', { status: 401 });\n};\n",
    ),
    ("clean.ts", CLEAN),
];

#[test]
fn json_report_snapshot() {
    let p = project(SNAPSHOT_PROJECT);
    let out = run(p.path(), &["lint", "--format", "json", "--show-suppressed"]);
    assert_eq!(out.code, 1, "{out:?}");
    insta::assert_json_snapshot!("json_report", out.json());
}

#[test]
fn pretty_report_snapshot() {
    let p = project(SNAPSHOT_PROJECT);
    let out = run(p.path(), &["lint", "--color", "never", "--show-suppressed"]);
    assert_eq!(out.code, 1, "{out:?}");
    insta::assert_snapshot!("pretty_report", out.stdout);
}
