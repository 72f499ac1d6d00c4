//! `authlint.toml`: finding, parsing, merging and applying configuration.
//!
//! The CLI and the language server share this module:
//! - [`ConfigResolver::resolve`] finds the nearest `authlint.toml` above a file
//!   (or the one forced with `--config`), follows `extends`, and caches the
//!   result per directory;
//! - [`ResolvedConfig::is_included`] applies `include`/`exclude`;
//! - [`ResolvedConfig::settings_for`] applies `[[overrides]]` for one file;
//! - [`settings_from_json`] applies editor (LSP) settings on top.
//!
//! The format is documented in `docs/configuration.md` and in the file that
//! `authlint init` writes ([`STARTER_CONFIG`]).
//!
//! This file holds [`ConfigResolver`] and [`ConfigError`]; the rest is in
//! `raw` (the TOML model and parsing), `layer` (one file of an `extends`
//! chain applied over the settings below it), `filter` (path globs),
//! `resolved` ([`ResolvedConfig`]), `editor` (editor JSON) and `starter`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod editor;
mod filter;
mod layer;
mod raw;
mod resolved;
mod starter;
pub use editor::settings_from_json;
pub use raw::parse_level;
pub use resolved::ResolvedConfig;
pub use starter::STARTER_CONFIG;

/// The file name looked for in every directory from a file up to the root.
pub const CONFIG_FILE: &str = "authlint.toml";

/// How many `extends` hops are followed before giving up.
const MAX_EXTENDS_DEPTH: usize = 16;

/// A configuration problem, pointing at the file (absolute path; and where
/// known, the line and column, both 1-based, columns in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    /// `path:line:col: message`, the path relative to the working directory
    /// when it lies below it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", display_path(&self.path).display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    fn new(path: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    fn at(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_col(text, offset);
        ConfigError {
            path: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message: message.into(),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// `path` relative to the working directory when it lies below it.
fn display_path(path: &Path) -> PathBuf {
    if let Some(cwd) = working_dir() {
        if let Ok(rel) = path.strip_prefix(cwd) {
            if !rel.as_os_str().is_empty() {
                return rel.to_path_buf();
            }
        }
    }
    path.to_path_buf()
}

pub use crate::paths::{absolute, working_dir};

type CacheEntry = Result<Arc<ResolvedConfig>, ConfigError>;

/// Finds the configuration for each file: the nearest `authlint.toml` at or
/// above the file's directory (or one forced file), cached per directory.
/// Shareable across threads.
pub struct ConfigResolver {
    explicit: Option<PathBuf>,
    cache: Mutex<rustc_hash::FxHashMap<PathBuf, CacheEntry>>,
}

impl ConfigResolver {
    /// `explicit` forces one config file for every path (`--config`); its
    /// relative globs then resolve against the working directory.
    pub fn new(explicit: Option<PathBuf>) -> Self {
        ConfigResolver {
            explicit: explicit.map(|p| absolute(&p)),
            cache: Mutex::new(rustc_hash::FxHashMap::default()),
        }
    }

    /// Drops every cached configuration (call after an `authlint.toml` changes).
    pub fn clear(&self) {
        if let Ok(mut c) = self.cache.lock() {
            c.clear();
        }
    }

    /// The configuration in force for `file`.
    pub fn resolve(&self, file: &Path) -> Result<Arc<ResolvedConfig>, ConfigError> {
        let file = absolute(file);
        if let Some(explicit) = &self.explicit {
            let key = explicit.clone();
            if let Some(hit) = self.cached(&key) {
                return hit;
            }
            let root = working_dir().map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
            let result = ResolvedConfig::load(explicit, Some(&root)).map(Arc::new);
            self.store(vec![key], result.clone());
            return result;
        }
        let start = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut visited = Vec::new();
        let mut dir = Some(start.as_path());
        while let Some(d) = dir {
            if let Some(hit) = self.cached(d) {
                self.store(visited, hit.clone());
                return hit;
            }
            visited.push(d.to_path_buf());
            let candidate = d.join(CONFIG_FILE);
            // A config file that exists but is not a regular file is an
            // error, not something to walk past.
            if std::fs::symlink_metadata(&candidate).is_ok() {
                let result = ResolvedConfig::load(&candidate, None).map(Arc::new);
                self.store(visited, result.clone());
                return result;
            }
            dir = d.parent();
        }
        let result: CacheEntry = Ok(Arc::new(ResolvedConfig::defaults(&start)));
        self.store(visited, result.clone());
        result
    }

    fn cached(&self, dir: &Path) -> Option<CacheEntry> {
        self.cache.lock().ok()?.get(dir).cloned()
    }

    fn store(&self, dirs: Vec<PathBuf>, entry: CacheEntry) {
        if let Ok(mut c) = self.cache.lock() {
            for d in dirs {
                c.insert(d, entry.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests;
