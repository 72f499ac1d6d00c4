//! [`ResolvedConfig`]: one configuration with its `extends` chain merged,
//! which files it includes and the settings (with overrides) for one file.

use super::filter::PathFilter;
use super::layer::{ChallengeParts, Layer};
use super::{display_path, ConfigError, MAX_EXTENDS_DEPTH};
use crate::paths::absolute;
use crate::roles::Role;
use crate::settings::{Level, Settings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub(super) struct Override {
    pub(super) files: PathFilter,
    pub(super) rules: BTreeMap<String, Level>,
}

/// A configuration ready to use: the settings for files it covers, the file it
/// came from, and the filters and overrides that depend on a file's path.
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    /// Settings before any `[[overrides]]` (use [`Self::settings_for`] per file).
    pub settings: Settings,
    /// The `authlint.toml` this came from; `None` for built-in defaults.
    pub path: Option<PathBuf>,
    /// The directory relative globs are resolved against.
    pub root: PathBuf,
    pub(super) include: Option<PathFilter>,
    pub(super) exclude: Vec<PathFilter>,
    pub(super) overrides: Vec<Override>,
    /// `[roles]`, in order: the first whose globs match a file gives its role.
    pub(super) roles: Vec<(Role, PathFilter)>,
    /// Every file read to build this (the config and what it extends).
    pub sources: Vec<PathBuf>,
}

impl ResolvedConfig {
    /// Built-in defaults, with relative globs resolved against `root`.
    pub fn defaults(root: &Path) -> Self {
        ResolvedConfig {
            settings: Settings::default(),
            path: None,
            root: root.to_path_buf(),
            include: None,
            exclude: Vec::new(),
            overrides: Vec::new(),
            roles: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// Loads `path` and whatever it `extends`. Relative globs in `path` are
    /// resolved against `root` (normally the file's own directory).
    pub fn load(path: &Path, root: Option<&Path>) -> Result<Self, ConfigError> {
        let path = absolute(path);
        let mut chain: Vec<Layer> = Vec::new();
        let mut next = Some(path.clone());
        while let Some(p) = next.take() {
            if chain.iter().any(|l| l.path == p) {
                let last = chain.last().map(|l| l.path.as_path()).unwrap_or(&p);
                return Err(ConfigError::new(
                    last,
                    format!("`extends` cycle through {}", display_path(&p).display()),
                ));
            }
            if chain.len() >= MAX_EXTENDS_DEPTH {
                return Err(ConfigError::new(&p, "`extends` chain is too long"));
            }
            let layer = Layer::read(&p, chain.last())?;
            if let Some(ext) = &layer.raw.extends {
                let dir = layer.path.parent().unwrap_or(Path::new("/"));
                let target = absolute(&dir.join(ext.get_ref()));
                if !target.exists() {
                    return Err(ConfigError::at(
                        &layer.path,
                        &layer.text,
                        ext.span().start,
                        format!("`extends` file not found: {}", ext.get_ref()),
                    ));
                }
                next = Some(target);
            }
            chain.push(layer);
        }
        let top_root = match root {
            Some(r) => absolute(r),
            None => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        };
        let mut out = ResolvedConfig::defaults(&top_root);
        out.path = Some(path.clone());
        let mut challenge = ChallengeParts::default();
        // Apply the most distant parent first, so children win.
        for (i, layer) in chain.iter().enumerate().rev() {
            let base = if i == 0 {
                top_root.clone()
            } else {
                layer
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default()
            };
            layer.apply(&base, &mut out, &mut challenge)?;
        }
        out.settings.challenge = challenge.build();
        out.settings.challenge_configured =
            challenge.scheme.is_some() || challenge.realm.is_some() || challenge.value.is_some();
        out.sources = chain.iter().map(|l| l.path.clone()).collect();
        Ok(out)
    }

    /// Whether `file` is linted under this configuration: it matches
    /// `include` (when set) and no `exclude`. `node_modules` is always excluded.
    pub fn is_included(&self, file: &Path) -> bool {
        let file = absolute(file);
        if file
            .components()
            .any(|c| c.as_os_str() == "node_modules" || c.as_os_str() == ".git")
        {
            return false;
        }
        if let Some(inc) = &self.include {
            if !inc.matches(&file) {
                return false;
            }
        }
        !self.exclude.iter().any(|f| f.matches(&file))
    }

    /// Whether a directory (and so everything below it) is excluded, so that
    /// a walk can skip it without listing it.
    pub fn is_excluded_dir(&self, dir: &Path) -> bool {
        let dir = absolute(dir);
        if dir.file_name().is_some_and(|n| n == "node_modules") {
            return true;
        }
        self.exclude.iter().any(|f| f.matches(&dir))
    }

    /// Indexes of the `[[overrides]]` that apply to `file`, in order.
    pub fn overrides_for(&self, file: &Path) -> Vec<usize> {
        if self.overrides.is_empty() {
            return Vec::new();
        }
        let file = absolute(file);
        self.overrides
            .iter()
            .enumerate()
            .filter(|(_, o)| o.files.matches(&file))
            .map(|(i, _)| i)
            .collect()
    }

    /// The role `[roles]` gives `file`, if any.
    pub fn role_for(&self, file: &Path) -> Option<Role> {
        if self.roles.is_empty() {
            return None;
        }
        let file = absolute(file);
        self.roles
            .iter()
            .find(|(_, f)| f.matches(&file))
            .map(|(r, _)| *r)
    }

    /// The settings for one file: the base settings with every matching
    /// `[[overrides]]` applied in order (later ones win), and its `[roles]` role.
    pub fn settings_for(&self, file: &Path) -> Settings {
        let mut s = self.settings.clone();
        s.role = self.role_for(file);
        for i in self.overrides_for(file) {
            for (rule, level) in &self.overrides[i].rules {
                s.rules.insert(rule.clone(), *level);
            }
        }
        s
    }
}
