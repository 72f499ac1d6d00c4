//! Tests of configuration: parsing, extends chains, include/exclude,
//! overrides, editor JSON and the starter file.

use super::*;
use crate::diagnostic::Confidence;
use crate::settings::{HelperSpec, Level, Settings};

fn load_str(dir: &Path, text: &str) -> Result<ResolvedConfig, ConfigError> {
    let p = dir.join(CONFIG_FILE);
    std::fs::write(&p, text).unwrap();
    ResolvedConfig::load(&p, None)
}

#[test]
fn starter_config_parses_to_defaults() {
    let d = tempfile::tempdir().unwrap();
    let c = load_str(d.path(), STARTER_CONFIG).unwrap();
    assert_eq!(c.settings, Settings::default());
}

#[test]
fn full_config() {
    let d = tempfile::tempdir().unwrap();
    let c = load_str(
        d.path(),
        r#"
exclude = ["*.test.ts"]
[rules]
require-401-logging = "off"
[rules.require-www-authenticate]
level = "warning"
[challenge]
scheme = "Basic"
realm = 'a "b"'
[logging]
loggers = ["audit", "this.telemetry"]
print = true
[[helpers]]
name = "jsonError"
status = 1
message = 0
[[overrides]]
files = ["legacy/**"]
rules = { prefer-403-for-authorization = "off" }
"#,
    )
    .unwrap();
    let s = &c.settings;
    assert_eq!(s.level("require-401-logging"), Level::Off);
    assert_eq!(s.level("require-www-authenticate"), Level::Warning);
    assert_eq!(s.challenge, r#"Basic realm="a \"b\"""#);
    assert!(s.challenge_configured);
    assert_eq!(s.loggers, vec!["audit", "this.telemetry"]);
    assert!(s.print_is_logging);
    assert_eq!(
        s.helpers,
        vec![HelperSpec {
            name: "jsonError".into(),
            status_arg: 1,
            message_arg: Some(0),
            constructor: false,
        }]
    );
    let root = absolute(d.path());
    assert!(c.is_included(&root.join("a/b.ts")));
    assert!(!c.is_included(&root.join("a/b.test.ts")));
    assert!(!c.is_included(&root.join("node_modules/x/b.ts")));
    let legacy = c.settings_for(&root.join("legacy/x/y.ts"));
    assert_eq!(legacy.level("prefer-403-for-authorization"), Level::Off);
    assert!(c.is_excluded_dir(&root.join("node_modules")));
    let other = c.settings_for(&root.join("src/y.ts"));
    assert_eq!(other.level("prefer-403-for-authorization"), Level::Warning);
}

#[test]
fn include_and_dir_pruning() {
    let d = tempfile::tempdir().unwrap();
    let c = load_str(
        d.path(),
        "include = [\"supabase/functions/**\"]\nexclude = [\"legacy/**\"]\n",
    )
    .unwrap();
    let root = absolute(d.path());
    assert!(c.is_included(&root.join("supabase/functions/hello/index.ts")));
    assert!(!c.is_included(&root.join("src/index.ts")));
    assert!(c.is_excluded_dir(&root.join("legacy")));
    assert!(!c.is_excluded_dir(&root.join("legacyx")));
}

#[test]
fn unknown_key_points_at_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    let e = load_str(
        d.path(),
        "[rules]\nrequire-401-logging = \"off\"\n\n[logging]\n  colour = 1\n",
    )
    .unwrap_err();
    assert_eq!((e.line, e.column), (Some(5), Some(3)), "{e}");
    assert!(e.message.starts_with("unknown key `colour`"), "{e}");
    assert!(
        e.to_string()
            .contains("authlint.toml:5:3: unknown key `colour`"),
        "{e}"
    );
}

#[test]
fn unknown_rule_and_bad_level() {
    let d = tempfile::tempdir().unwrap();
    let e = load_str(d.path(), "[rules]\nno-such-rule = \"off\"\n").unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(1)));
    assert!(e.message.contains("unknown rule `no-such-rule`"), "{e}");
    let e = load_str(d.path(), "[rules]\nrequire-401-logging = \"loud\"\n").unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.message.contains("invalid level `loud`"), "{e}");
    let e = load_str(
        d.path(),
        "[rules.require-401-logging]\nlevel = \"off\"\nsilly = 1\n",
    )
    .unwrap_err();
    assert!(e.message.contains("unknown key `silly`"), "{e}");
    let e = load_str(d.path(), "[challenge]\nscheme = \"Bad Scheme\"\n").unwrap_err();
    assert_eq!((e.line, e.column), (Some(2), Some(10)), "{e}");
    let e = load_str(d.path(), "[[helpers]]\nname = \"f\"\nstatus = -1\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn extends_merges_and_detects_cycles() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("base.toml"),
        "[rules]\nrequire-401-logging = \"off\"\nno-forwarded-401 = \"error\"\n[challenge]\nrealm = \"base\"\n",
    )
    .unwrap();
    let c = load_str(
        d.path(),
        "extends = \"base.toml\"\n[rules]\nno-forwarded-401 = \"info\"\n",
    )
    .unwrap();
    assert_eq!(c.settings.level("require-401-logging"), Level::Off);
    assert_eq!(c.settings.level("no-forwarded-401"), Level::Info);
    assert_eq!(c.settings.challenge, r#"Bearer realm="base""#);
    assert!(c.settings.challenge_configured);
    assert_eq!(c.sources.len(), 2);
    let plain = load_str(d.path(), "[rules]\n").unwrap();
    assert!(!plain.settings.challenge_configured);

    std::fs::write(d.path().join("base.toml"), "extends = \"authlint.toml\"\n").unwrap();
    let e = load_str(d.path(), "extends = \"base.toml\"\n").unwrap_err();
    assert!(e.message.contains("cycle"), "{e}");
    let e = load_str(d.path(), "extends = \"missing.toml\"\n").unwrap_err();
    assert_eq!(e.line, Some(1), "{e}");
}

#[test]
fn resolver_nearest_wins_and_caches() {
    let d = tempfile::tempdir().unwrap();
    let root = absolute(d.path());
    std::fs::create_dir_all(root.join("a/b")).unwrap();
    std::fs::write(
        root.join(CONFIG_FILE),
        "[rules]\nrequire-401-logging = \"off\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("a/b").join(CONFIG_FILE),
        "[rules]\nno-forwarded-401 = \"off\"\n",
    )
    .unwrap();
    let r = ConfigResolver::new(None);
    let top = r.resolve(&root.join("x.ts")).unwrap();
    assert_eq!(top.settings.level("require-401-logging"), Level::Off);
    let deep = r.resolve(&root.join("a/b/c/x.ts")).unwrap();
    assert_eq!(deep.settings.level("require-401-logging"), Level::Warning);
    assert_eq!(deep.settings.level("no-forwarded-401"), Level::Off);
    let mid = r.resolve(&root.join("a/x.ts")).unwrap();
    assert!(Arc::ptr_eq(&mid, &top));
    std::fs::write(root.join("a/b").join(CONFIG_FILE), "bogus = 1\n").unwrap();
    assert!(r.resolve(&root.join("a/b/x.ts")).is_ok(), "cached");
    r.clear();
    assert!(r.resolve(&root.join("a/b/x.ts")).is_err());
}

#[test]
fn json_settings() {
    let base = Settings::default();
    let s = settings_from_json(
        &base,
        &serde_json::json!({"rules": {"require-401-logging": "off"}, "challenge": "Basic", "loggers": ["audit"]}),
    )
    .unwrap();
    assert_eq!(s.level("require-401-logging"), Level::Off);
    assert_eq!(s.challenge, "Basic");
    assert!(s.challenge_configured);
    assert_eq!(s.loggers, vec!["audit"]);
    assert!(settings_from_json(&base, &serde_json::json!({"rules": {"nope": "off"}})).is_err());
    assert!(settings_from_json(
        &base,
        &serde_json::json!({"rules": {"require-401-logging": "loud"}})
    )
    .is_err());
    // Editor-only keys are not linter settings.
    assert!(settings_from_json(
        &base,
        &serde_json::json!({"enable": true, "configPath": null})
    )
    .is_ok());
    assert!(settings_from_json(&base, &serde_json::json!({"loggers": "audit"})).is_err());
    let low = settings_from_json(&base, &serde_json::json!({"minConfidence": "low"})).unwrap();
    assert_eq!(low.min_confidence, Confidence::Low);
    assert!(settings_from_json(&base, &serde_json::json!({"minConfidence": "sure"})).is_err());
    let warn = settings_from_json(
        &base,
        &serde_json::json!({"rules": {"require-401-logging": "Warn"}}),
    )
    .unwrap();
    assert_eq!(warn.level("require-401-logging"), Level::Warning);
    assert_eq!(
        settings_from_json(&base, &serde_json::Value::Null).unwrap(),
        base
    );
}
