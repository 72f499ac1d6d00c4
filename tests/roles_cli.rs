//! File roles and confidence, as a user runs them: real processes in temp dirs.

mod cli_support;
use cli_support::*;

/// A 401 with no challenge and no log line: `require-www-authenticate` and,
/// in application code, `require-401-logging`.
const BARE_401: &str = r#"export function handler(req: Request): Response {
  if (!req.headers.get('authorization')) {
    return new Response('no', { status: 401 })
  }
  return new Response('ok')
}
"#;

fn rules_by_path(out: &Output) -> Vec<(String, String)> {
    let mut v = paths_and_rules(&out.json());
    v.sort();
    v
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The repository of a project that has its own `.git`: roles are read from
/// paths below it.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let p = project(files);
    std::fs::create_dir_all(p.path().join(".git")).unwrap();
    p
}

#[test]
fn tests_generated_code_and_docs_get_the_rules_of_their_role() {
    let minified = format!(
        "{}\n",
        "function h(r){if(!r.u)return new Response('x',{status:401})};".repeat(100)
    );
    let p = repository(&[
        ("src/auth.ts", BARE_401),
        ("src/auth.test.ts", BARE_401),
        ("tests/helpers.ts", BARE_401),
        ("docs/snippets/auth.ts", BARE_401),
        ("public/vendor/sdk.js", BARE_401),
        ("static/app.js", &minified),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(out.code, 1, "{out:?}");
    // Application code gets every rule; docs get the challenge but not the
    // logging advice; tests, vendored and minified code get nothing.
    assert_eq!(
        rules_by_path(&out),
        pairs(&[
            ("docs/snippets/auth.ts", "require-www-authenticate"),
            ("src/auth.ts", "require-401-logging"),
            ("src/auth.ts", "require-www-authenticate"),
        ]),
        "{out:?}"
    );
}

#[test]
fn show_roles_says_which_role_each_file_got_and_why() {
    let p = repository(&[
        ("src/auth.ts", BARE_401),
        ("src/auth.test.ts", BARE_401),
        ("docs/snippets/auth.ts", BARE_401),
        (
            "packages/auth/package.json",
            r#"{"name":"@acme/auth","main":"index.js","peerDependencies":{"express":"*"}}"#,
        ),
        ("packages/auth/index.js", BARE_401),
    ]);
    let out = run(p.path(), &["lint", "--show-roles"]);
    assert_eq!(out.code, 0, "{out:?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{out:?}");
    assert!(
        lines[0].starts_with("docs/snippets/auth.ts: docs (under a `docs/` folder)"),
        "{out:?}"
    );
    assert!(
        lines[1].starts_with("packages/auth/index.js: library (`package.json` publishes"),
        "{out:?}"
    );
    assert!(
        lines[2].starts_with("src/auth.test.ts: test (the file name has `.test.`)"),
        "{out:?}"
    );
    assert!(lines[3].starts_with("src/auth.ts: app ("), "{out:?}");
}

#[test]
fn a_library_that_implements_authentication_is_not_asked_to_log() {
    let p = repository(&[
        (
            "package.json",
            r#"{"name":"acme-auth","exports":"./index.js","keywords":["auth","middleware"]}"#,
        ),
        ("index.js", BARE_401),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(
        rules_by_path(&out),
        pairs(&[("index.js", "require-www-authenticate")]),
        "{out:?}"
    );
}

#[test]
fn roles_in_the_config_override_the_detection() {
    let p = repository(&[
        (
            "authlint.toml",
            "[roles]\napp = [\"examples/**\", \"e2e/**\"]\ntest = [\"src/legacy/**\"]\n",
        ),
        ("examples/auth.ts", BARE_401),
        ("src/legacy/auth.ts", BARE_401),
        // A test server the project wants linted as application code.
        ("e2e/server.test.ts", BARE_401),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(
        rules_by_path(&out),
        pairs(&[
            ("e2e/server.test.ts", "require-401-logging"),
            ("e2e/server.test.ts", "require-www-authenticate"),
            ("examples/auth.ts", "require-401-logging"),
            ("examples/auth.ts", "require-www-authenticate"),
        ]),
        "{out:?}"
    );
    let out = run(p.path(), &["lint", "--show-roles", "examples/auth.ts"]);
    assert_eq!(
        out.stdout.trim(),
        "examples/auth.ts: app (set by `[roles]` in the configuration)",
        "{out:?}"
    );
}

#[test]
fn unknown_roles_and_confidence_levels_in_the_config_are_errors() {
    let p = project(&[
        ("authlint.toml", "[roles]\nfrontend = [\"web/**\"]\n"),
        ("a.ts", BARE_401),
    ]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("unknown role `frontend`"), "{out:?}");
    let p = project(&[
        ("authlint.toml", "min-confidence = \"sure\"\n"),
        ("a.ts", BARE_401),
    ]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains("invalid min-confidence `sure`"),
        "{out:?}"
    );
}

/// A 403 whose only evidence is the word `token` in a condition that tests
/// something else too: a guess, reported at low confidence.
const GUESS_403: &str = r#"import express from 'express'
const app = express()
app.post('/join', (req, res) => {
  if (!req.body.inviteToken && !openSignups()) {
    return res.status(403).json({ error: 'Closed' })
  }
  res.json({ ok: true })
})
"#;

#[test]
fn low_confidence_findings_are_hidden_unless_asked_for() {
    let p = project(&[("join.js", GUESS_403)]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(rules_by_path(&out).is_empty(), "{out:?}");
    let out = run(
        p.path(),
        &["lint", "--format", "json", "--min-confidence", "low"],
    );
    let j = out.json();
    let d = &j["diagnostics"][0];
    assert_eq!(d["rule"], "prefer-401-for-authentication", "{out:?}");
    assert_eq!(d["confidence"], "low", "{out:?}");
    // The pretty report says so under the finding, and the setting works too.
    let p = project(&[
        ("join.js", GUESS_403),
        ("authlint.toml", "min-confidence = \"low\"\n"),
    ]);
    let out = run(p.path(), &["lint"]);
    assert!(
        out.stdout
            .contains("low confidence: the evidence is partial"),
        "{out:?}"
    );
    let out = run(p.path(), &["lint", "--format", "sarif"]);
    let j = out.json();
    let r = &j["runs"][0]["results"][0];
    assert_eq!(r["rank"], 30.0, "{out:?}");
    assert_eq!(r["properties"]["confidence"], "low", "{out:?}");
}
