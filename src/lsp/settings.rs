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
//! The `authlint.toml` reader here is a stand-in with the same shape as the
//! CLI's `crate::config::ConfigResolver`; swapping it in only touches
//! [`provider`] and [`apply_editor_json`].

use crate::settings::{Level, Settings};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The name of the configuration file looked up from each linted file.
pub const CONFIG_FILE: &str = "authlint.toml";

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
pub fn provider(explicit: Option<PathBuf>) -> Box<dyn ConfigProvider> {
    Box::new(TomlProvider::new(explicit))
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

fn parse_level(s: &str) -> Option<Level> {
    Some(match s.to_ascii_lowercase().as_str() {
        "off" => Level::Off,
        "info" => Level::Info,
        "warning" | "warn" => Level::Warning,
        "error" => Level::Error,
        _ => return None,
    })
}

/// Applies the editor settings JSON to `base`. Keys that are not linter
/// settings (`enable`, `configPath`, `trace`, unknown ones) are ignored so
/// newer editors keep working with older servers; bad values are errors.
pub fn settings_from_json(base: &Settings, value: &serde_json::Value) -> Result<Settings, String> {
    let mut out = base.clone();
    let Some(obj) = value.as_object() else {
        return Ok(out);
    };
    match obj.get("rules") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Object(rules)) => {
            for (id, level) in rules {
                if crate::rules::find(id).is_none() {
                    return Err(format!("unknown rule `{id}` in `rules`"));
                }
                let level = level.as_str().and_then(parse_level).ok_or_else(|| {
                    format!("`rules.{id}` must be one of \"off\", \"info\", \"warning\", \"error\"")
                })?;
                out.rules.insert(id.clone(), level);
            }
        }
        Some(_) => return Err("`rules` must be an object of rule ids to levels".into()),
    }
    match obj.get("challenge") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
            out.challenge = s.trim().to_string()
        }
        Some(_) => return Err("`challenge` must be a non-empty string".into()),
    }
    match obj.get("loggers") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Array(items)) => {
            let mut loggers = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str() {
                    Some(s) if !s.trim().is_empty() => loggers.push(s.trim().to_string()),
                    _ => return Err("`loggers` must be an array of names".into()),
                }
            }
            for l in loggers {
                if !out.loggers.contains(&l) {
                    out.loggers.push(l);
                }
            }
        }
        Some(_) => return Err("`loggers` must be an array of names".into()),
    }
    Ok(out)
}

/// Stand-in `authlint.toml` reader: nearest file walking up from the linted
/// file (or the explicit one), top-level `challenge`, `loggers`,
/// `print-is-logging` and a `[rules]` table. Other keys are left to the CLI's
/// full reader and ignored here.
struct TomlProvider {
    explicit: Option<PathBuf>,
    /// Config file path -> parsed result.
    files: Mutex<HashMap<PathBuf, Result<Settings, ConfigProblem>>>,
    /// Directory -> nearest config file (None: none up to the root).
    dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

impl TomlProvider {
    fn new(explicit: Option<PathBuf>) -> Self {
        TomlProvider {
            explicit,
            files: Mutex::new(HashMap::new()),
            dirs: Mutex::new(HashMap::new()),
        }
    }

    fn find(&self, file: &Path) -> Option<PathBuf> {
        if let Some(p) = &self.explicit {
            return Some(p.clone());
        }
        let dir = file.parent()?.to_path_buf();
        if let Some(hit) = lock(&self.dirs).get(&dir) {
            return hit.clone();
        }
        let found = dir
            .ancestors()
            .map(|d| d.join(CONFIG_FILE))
            .find(|p| p.is_file());
        lock(&self.dirs).insert(dir, found.clone());
        found
    }

    fn load(&self, path: &Path) -> Result<Settings, ConfigProblem> {
        if let Some(hit) = lock(&self.files).get(path) {
            return hit.clone();
        }
        let result = read_toml(path);
        lock(&self.files).insert(path.to_path_buf(), result.clone());
        result
    }
}

impl ConfigProvider for TomlProvider {
    fn config_for(&self, file: &Path) -> Result<FileConfig, ConfigProblem> {
        match self.find(file) {
            None => Ok(FileConfig {
                settings: Settings::default(),
                path: None,
                included: true,
            }),
            Some(path) => self.load(&path).map(|settings| FileConfig {
                settings,
                path: Some(path),
                included: true,
            }),
        }
    }

    fn clear(&self) {
        lock(&self.files).clear();
        lock(&self.dirs).clear();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn read_toml(path: &Path) -> Result<Settings, ConfigProblem> {
    let problem = |line, column, message: String| ConfigProblem {
        path: path.to_path_buf(),
        line,
        column,
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| problem(0, 0, e.to_string()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(&text, s.start)).unwrap_or((0, 0));
        problem(line, column, e.message().trim().to_string())
    })?;
    // Locations of values, for error messages: find `key` at a line start.
    let locate = |key: &str| -> (usize, usize) {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            let rest = trimmed
                .strip_prefix(key)
                .or_else(|| trimmed.strip_prefix(&format!("\"{key}\"")));
            if let Some(rest) = rest {
                if rest.trim_start().starts_with('=') {
                    return line_col(&text, offset + (line.len() - trimmed.len()));
                }
            }
            offset += line.len();
        }
        (0, 0)
    };
    let mut settings = Settings::default();
    if let Some(v) = table.get("challenge") {
        match v.as_str() {
            Some(s) if !s.trim().is_empty() => settings.challenge = s.trim().to_string(),
            _ => {
                let (l, c) = locate("challenge");
                return Err(problem(
                    l,
                    c,
                    "`challenge` must be a non-empty string".into(),
                ));
            }
        }
    }
    if let Some(v) = table.get("loggers") {
        let names: Option<Vec<String>> = v
            .as_array()
            .map(|a| a.iter().map(|i| i.as_str().map(str::to_string)).collect())
            .unwrap_or(None);
        match names {
            Some(n) => settings.loggers = n,
            None => {
                let (l, c) = locate("loggers");
                return Err(problem(
                    l,
                    c,
                    "`loggers` must be an array of strings".into(),
                ));
            }
        }
    }
    if let Some(v) = table.get("print-is-logging") {
        match v.as_bool() {
            Some(b) => settings.print_is_logging = b,
            None => {
                let (l, c) = locate("print-is-logging");
                return Err(problem(
                    l,
                    c,
                    "`print-is-logging` must be true or false".into(),
                ));
            }
        }
    }
    if let Some(v) = table.get("rules") {
        let Some(rules) = v.as_table() else {
            let (l, c) = locate("rules");
            return Err(problem(l, c, "`rules` must be a table".into()));
        };
        for (id, level) in rules {
            let (l, c) = locate(id);
            if crate::rules::find(id).is_none() {
                return Err(problem(l, c, format!("unknown rule `{id}`")));
            }
            let level = level.as_str().and_then(parse_level).ok_or_else(|| {
                problem(
                    l,
                    c,
                    format!(
                        "`rules.{id}` must be one of \"off\", \"info\", \"warning\", \"error\""
                    ),
                )
            })?;
            settings.rules.insert(id.clone(), level);
        }
    }
    Ok(settings)
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn toml_errors_point_at_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(
            &path,
            "challenge = \"Bearer\"\n[rules]\nrequire-401-logging = \"loud\"\n",
        )
        .unwrap();
        let p = TomlProvider::new(None);
        let err = p.config_for(&dir.path().join("a.ts")).unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.path, path);
        std::fs::write(&path, "challenge = \n").unwrap();
        p.clear();
        let err = p.config_for(&dir.path().join("a.ts")).unwrap_err();
        assert_eq!(err.line, 1);
        std::fs::write(&path, "[rules]\nrequire-401-logging = \"off\"\n").unwrap();
        p.clear();
        let ok = p.config_for(&dir.path().join("sub/a.ts")).unwrap();
        assert_eq!(ok.settings.level("require-401-logging"), Level::Off);
        assert_eq!(ok.path, Some(path));
    }
}
