//! Where the server's settings come from: `authlint.toml` files (through a
//! [`ConfigProvider`]) with the editor's settings (`initializationOptions`,
//! `workspace/configuration`) layered on top.
//!
//! The editor settings JSON is a fixed contract shared with the editor
//! integrations (see `docs/lsp.md`):
//!
//! ```json
//! { "enable": true, "rules": {"<rule-id>": "off|info|warning|error"},
//!   "challenge": "Bearer realm=\"api\"", "loggers": ["audit"], "configPath": null }
//! ```
//!
//! `authlint.toml` files are found and read by the CLI's
//! [`crate::config::ConfigResolver`], behind the small [`ConfigProvider`]
//! trait; editor JSON goes through [`crate::config::settings_from_json`].

use crate::config::ConfigResolver;
use crate::settings::Settings;
use std::path::{Path, PathBuf};

/// The name of the configuration file looked up from each linted file.
pub use crate::config::CONFIG_FILE;

/// A configuration file that could not be used, with the place it went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub path: PathBuf,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column (in characters), 0 when unknown.
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column.max(1),
                self.message
            )
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

/// The configuration in force for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileConfig {
    pub settings: Settings,
    /// The `authlint.toml` the settings came from, if any.
    pub path: Option<PathBuf>,
    /// `false` when the configuration excludes the file from linting.
    pub included: bool,
}

/// Resolves `authlint.toml` settings per file.
pub trait ConfigProvider: Send + Sync {
    fn config_for(&self, file: &Path) -> Result<FileConfig, ConfigProblem>;
    /// Forgets cached files (one of them changed on disk).
    fn clear(&self);
}

/// The provider used by the server. `explicit` is the editor's `configPath`.
/// `authlint.toml` resolution is the CLI's [`ConfigResolver`] (it implements
/// [`ConfigProvider`] here): the nearest file walking up from each
/// linted file (or the `configPath` one), with `extends`, include/exclude
/// and per-path overrides.
pub fn provider(explicit: Option<PathBuf>) -> Box<dyn ConfigProvider> {
    Box::new(ConfigResolver::new(explicit))
}

/// The language server's view of the CLI's configuration resolver.
impl ConfigProvider for ConfigResolver {
    fn config_for(&self, file: &Path) -> Result<FileConfig, ConfigProblem> {
        let c = self.resolve(file).map_err(|e| ConfigProblem {
            path: e.path,
            line: e.line.unwrap_or(0),
            column: e.column.unwrap_or(0),
            message: e.message,
        })?;
        Ok(FileConfig {
            settings: c.settings_for(file),
            path: c.path.clone(),
            included: c.is_included(file),
        })
    }

    fn clear(&self) {
        ConfigResolver::clear(self);
    }
}

/// Editor settings over `base` (the file's `authlint.toml` settings).
pub fn apply_editor_json(base: &Settings, value: &serde_json::Value) -> Result<Settings, String> {
    settings_from_json(base, value)
}

/// The editor-level switches that are not linter settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EditorSettings {
    pub enable: bool,
    pub config_path: Option<PathBuf>,
    /// The whole settings object, applied per file with [`apply_editor_json`].
    pub raw: serde_json::Value,
}

impl Default for EditorSettings {
    fn default() -> Self {
        EditorSettings {
            enable: true,
            config_path: None,
            raw: serde_json::Value::Object(Default::default()),
        }
    }
}

impl EditorSettings {
    /// Reads the settings object an editor sent. Accepts the object itself
    /// or one wrapped as `{"authlint": {...}}`. `root` resolves a relative
    /// `configPath`. Anything that is not an object gives the defaults.
    pub fn from_json(value: Option<&serde_json::Value>, root: Option<&Path>) -> Self {
        let Some(mut value) = value else {
            return EditorSettings::default();
        };
        if let Some(inner) = value.get("authlint").filter(|v| v.is_object()) {
            value = inner;
        }
        let Some(obj) = value.as_object() else {
            return EditorSettings::default();
        };
        let enable = obj
            .get("enable")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true);
        let config_path = obj
            .get("configPath")
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                let p = PathBuf::from(s.trim());
                match root {
                    Some(root) if p.is_relative() => root.join(p),
                    _ => p,
                }
            });
        EditorSettings {
            enable,
            config_path,
            raw: value.clone(),
        }
    }
}

/// Applies the linter part of the editor settings JSON to `base` (keys that
/// are not linter settings, such as `enable`, `configPath` or an editor's
/// `trace`, are ignored).
pub fn settings_from_json(base: &Settings, value: &serde_json::Value) -> Result<Settings, String> {
    crate::config::settings_from_json(base, value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Level;
    use serde_json::json;

    #[test]
    fn editor_json_overrides_base() {
        let mut base = Settings::default();
        base.rules
            .insert("require-401-logging".into(), Level::Warning);
        let s = settings_from_json(
            &base,
            &json!({"enable": true, "rules": {"require-401-logging": "off"},
                    "challenge": "Basic realm=\"x\"", "loggers": ["audit"], "configPath": null}),
        )
        .unwrap();
        assert_eq!(s.level("require-401-logging"), Level::Off);
        assert_eq!(s.challenge, "Basic realm=\"x\"");
        assert_eq!(s.loggers, vec!["audit".to_string()]);
    }

    #[test]
    fn editor_json_rejects_bad_values() {
        let base = Settings::default();
        assert!(settings_from_json(&base, &json!({"rules": {"nope": "off"}})).is_err());
        assert!(settings_from_json(
            &base,
            &json!({"rules": {"require-www-authenticate": "loud"}})
        )
        .is_err());
        assert!(settings_from_json(&base, &json!({"loggers": "audit"})).is_err());
        // Keys that are not linter settings are the server's, not errors.
        assert!(settings_from_json(&base, &json!({"trace": {"server": "verbose"}})).is_ok());
    }

    #[test]
    fn resolver_problems_have_absolute_paths_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "[rules]\nrequire-401-logging = \"loud\"\n").unwrap();
        let p = provider(None);
        let err = p.config_for(&dir.path().join("a.ts")).unwrap_err();
        assert_eq!(crate::config::absolute(&err.path), path);
        assert!(err.line >= 1, "{err:?}");
        std::fs::write(&path, "[rules]\nrequire-401-logging = \"off\"\n").unwrap();
        p.clear();
        let ok = p.config_for(&dir.path().join("sub/a.ts")).unwrap();
        assert_eq!(ok.settings.level("require-401-logging"), Level::Off);
        assert_eq!(ok.path, Some(path));
    }

    #[test]
    fn editor_settings_switches() {
        let root = Path::new("/ws");
        let e = EditorSettings::from_json(
            Some(&json!({"authlint": {"enable": false, "configPath": "conf/authlint.toml"}})),
            Some(root),
        );
        assert!(!e.enable);
        assert_eq!(e.config_path, Some(PathBuf::from("/ws/conf/authlint.toml")));
        let d = EditorSettings::from_json(Some(&json!(null)), None);
        assert!(d.enable);
        assert_eq!(d.config_path, None);
    }

    #[test]
    fn serves_the_language_server() {
        let d = tempfile::tempdir().unwrap();
        let root = crate::config::absolute(d.path());
        std::fs::write(
            root.join(CONFIG_FILE),
            "exclude = [\"gen/**\"]\n[[overrides]]\nfiles = [\"old/**\"]\nrules = { require-401-logging = \"off\" }\n",
        )
        .unwrap();
        let r = ConfigResolver::new(None);
        let c = r.config_for(&root.join("old/a.ts")).unwrap();
        assert!(c.included);
        assert_eq!(c.path.as_deref(), Some(root.join(CONFIG_FILE).as_path()));
        assert_eq!(c.settings.level("require-401-logging"), Level::Off);
        assert!(!r.config_for(&root.join("gen/a.ts")).unwrap().included);
        std::fs::write(root.join(CONFIG_FILE), "[rules]\nx = \"off\"\n").unwrap();
        ConfigProvider::clear(&r);
        let e = r.config_for(&root.join("a.ts")).unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert_eq!(e.path, root.join(CONFIG_FILE));
    }
}
