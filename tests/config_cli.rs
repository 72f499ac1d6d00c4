//! `authlint.toml` as the CLI uses it: discovery, errors, filters, overrides.

mod cli_support;
use cli_support::*;

#[test]
fn nearest_config_wins() {
    let p = project(&[
        (
            "authlint.toml",
            "[rules]\nrequire-www-authenticate = \"warning\"\n",
        ),
        ("a.ts", MISSING_CHALLENGE),
        (
            "legacy/authlint.toml",
            "[rules]\nrequire-www-authenticate = \"off\"\n",
        ),
        ("legacy/b.ts", MISSING_CHALLENGE),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    assert_eq!(out.code, 0, "{out:?}");
    let j = out.json();
    let rww: Vec<&serde_json::Value> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "require-www-authenticate")
        .collect();
    assert_eq!(rww.len(), 1, "{out:?}");
    assert_eq!(rww[0]["path"], "a.ts");
    assert_eq!(rww[0]["severity"], "warning");
    // Linting from inside a subdirectory finds the config above it.
    let out = run(
        &p.path().join("legacy"),
        &["lint", "--format", "json", "../a.ts"],
    );
    assert_eq!(
        out.json()["diagnostics"][0]["severity"],
        "warning",
        "{out:?}"
    );
}

#[test]
fn unknown_key_exits_2_pointing_at_line_and_column() {
    let p = project(&[
        ("authlint.toml", "[rules]\nrequire-401-logging = \"off\"\n\n[logging]\nloggers = [\"audit\"]\ncolour = true\n"),
        ("a.ts", MISSING_CHALLENGE),
    ]);
    let out = run(p.path(), &["lint"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr
            .contains("authlint: authlint.toml:6:1: unknown key `colour`"),
        "{out:?}"
    );
    assert!(
        out.stdout.is_empty(),
        "no report after a config error: {out:?}"
    );
}

#[test]
fn bad_values_exit_2() {
    for (toml, needle) in [
        (
            "[rules]\nrequire-www-auth = \"off\"\n",
            "authlint.toml:2:1: unknown rule `require-www-auth`",
        ),
        (
            "[rules]\nrequire-401-logging = \"loud\"\n",
            "authlint.toml:2:",
        ),
        (
            "[rules.require-401-logging]\nlevel = \"off\"\nreason = \"x\"\n",
            "unknown key `reason`",
        ),
        ("include = \"src\"\n", "authlint.toml:1:"),
        ("exclude = [\"[\"]\n", "authlint.toml:1:12: invalid glob"),
        (
            "[challenge]\nvalue = \"Bearer\"\nscheme = \"Basic\"\n",
            "authlint.toml:3:",
        ),
        (
            "[[helpers]]\nname = \"jsonError\"\n",
            "missing key `status`",
        ),
        (
            "[[overrides]]\nfiles = [\"x/**\"]\nrules = { nope = \"off\" }\n",
            "unknown rule `nope`",
        ),
        (
            "extends = \"base.toml\"\n",
            "authlint.toml:1:11: `extends` file not found",
        ),
        ("rules = [", "authlint.toml:1:"),
    ] {
        let p = project(&[("authlint.toml", toml), ("a.ts", CLEAN)]);
        let out = run(p.path(), &["lint"]);
        assert_eq!(out.code, 2, "{toml}: {out:?}");
        assert!(
            out.stderr.contains(needle),
            "{toml}: expected {needle:?} in {out:?}"
        );
    }
}

#[test]
fn explicit_config_overrides_discovery() {
    let p = project(&[
        (
            "authlint.toml",
            "[rules]\nrequire-www-authenticate = \"off\"\n",
        ),
        (
            "ci/strict.toml",
            "[rules]\nrequire-www-authenticate = \"error\"\n",
        ),
        ("a.ts", MISSING_CHALLENGE),
    ]);
    assert_eq!(run(p.path(), &["lint"]).code, 0);
    let out = run(p.path(), &["lint", "--config", "ci/strict.toml"]);
    assert_eq!(out.code, 1, "{out:?}");
    let missing = run(p.path(), &["lint", "--config", "nope.toml"]);
    assert_eq!(missing.code, 2, "{missing:?}");
    assert!(missing.stderr.contains("nope.toml"), "{missing:?}");
    write(p.path(), "ci/broken.toml", "[rules]\nfoo = 1\n");
    let broken = run(p.path(), &["lint", "--config", "ci/broken.toml"]);
    assert_eq!(broken.code, 2, "{broken:?}");
    assert!(broken.stderr.contains("ci/broken.toml:2:"), "{broken:?}");
}

#[test]
fn include_exclude_and_force_exclude() {
    let p = project(&[
        (
            "authlint.toml",
            "include = [\"supabase/functions/**\"]\nexclude = [\"**/*.test.ts\", \"supabase/functions/legacy/**\"]\n",
        ),
        ("supabase/functions/a/index.ts", MISSING_CHALLENGE),
        ("supabase/functions/a/index.test.ts", MISSING_CHALLENGE),
        ("supabase/functions/legacy/index.ts", MISSING_CHALLENGE),
        ("scripts/tool.ts", MISSING_CHALLENGE),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    let j = out.json();
    let mut paths: Vec<&str> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    paths.dedup();
    assert_eq!(paths, ["supabase/functions/a/index.ts"], "{out:?}");
    assert_eq!(j["summary"]["files"], 1, "{out:?}");
    // Named on the command line, an excluded file is linted…
    let named = run(p.path(), &["lint", "--format", "json", "scripts/tool.ts"]);
    assert_eq!(named.json()["summary"]["files"], 1, "{named:?}");
    // …unless --force-exclude (what the pre-commit hook uses).
    let forced = run(
        p.path(),
        &[
            "lint",
            "--format",
            "json",
            "--force-exclude",
            "scripts/tool.ts",
        ],
    );
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(forced.json()["summary"]["files"], 0, "{forced:?}");
}

#[test]
fn overrides_apply_per_path() {
    let p = project(&[
        (
            "authlint.toml",
            "[[overrides]]\nfiles = [\"legacy/**\"]\nrules = { prefer-403-for-authorization = \"off\" }\n",
        ),
        ("legacy/a.js", AUTHZ_401),
        ("src/a.js", AUTHZ_401),
    ]);
    let j = run(p.path(), &["lint", "--format", "json"]).json();
    let paths: Vec<&str> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "prefer-403-for-authorization")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["src/a.js"]);
}

#[test]
fn challenge_setting_shapes_the_fix() {
    let p = project(&[
        (
            "authlint.toml",
            "[challenge]\nscheme = \"Basic\"\nrealm = \"admin\"\n",
        ),
        ("a.ts", MISSING_CHALLENGE),
    ]);
    let out = run(p.path(), &["lint", "--fix"]);
    let text = read(p.path(), "a.ts");
    assert!(text.contains("Basic realm"), "{out:?}\n{text}");
    assert!(text.contains("admin"), "{text}");
}

#[test]
fn extends_inherits() {
    let p = project(&[
        ("base.toml", "[rules]\nrequire-www-authenticate = \"off\"\n"),
        ("app/authlint.toml", "extends = \"../base.toml\"\n"),
        ("app/a.ts", MISSING_CHALLENGE),
    ]);
    let out = run(p.path(), &["lint", "app"]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn stdin_uses_the_config_for_its_name() {
    let p = project(&[(
        "fns/authlint.toml",
        "[rules]\nrequire-www-authenticate = \"off\"\n",
    )]);
    let out = run_stdin(
        p.path(),
        &["lint", "--stdin-filename", "fns/a.ts"],
        MISSING_CHALLENGE,
    );
    assert_eq!(out.code, 0, "{out:?}");
    let out = run_stdin(
        p.path(),
        &["lint", "--stdin-filename", "other/a.ts"],
        MISSING_CHALLENGE,
    );
    assert_eq!(out.code, 1, "{out:?}");
}
