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

use crate::diagnostic::Confidence;
use crate::roles::Role;
use crate::settings::{HelperSpec, Level, Settings};
use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toml::Spanned;

/// The file name looked for in every directory from a file up to the root.
pub const CONFIG_FILE: &str = "authlint.toml";

/// How many `extends` hops are followed before giving up.
const MAX_EXTENDS_DEPTH: usize = 16;
/// Config files are small: anything bigger is a mistake, not a config.
const MAX_CONFIG_BYTES: usize = 1024 * 1024;

/// A config file's text: a regular UTF-8 file of a sane size.
fn read_config_text(path: &Path) -> Result<String, String> {
    let bytes = crate::fsio::read_regular(path, MAX_CONFIG_BYTES).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())
}

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

// ---------------------------------------------------------------------------
// The TOML shape
// ---------------------------------------------------------------------------

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    extends: Option<Spanned<String>>,
    include: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<RuleSetting>>,
    challenge: Option<RawChallenge>,
    logging: Option<RawLogging>,
    #[serde(default)]
    helpers: Vec<Spanned<RawHelper>>,
    #[serde(default)]
    overrides: Vec<Spanned<RawOverride>>,
    /// `[roles]`: role name → globs of files that play it.
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(rename = "min-confidence")]
    min_confidence: Option<Spanned<String>>,
    /// Framework packs of the repository's own (paths relative to this file).
    #[serde(default)]
    packs: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawChallenge {
    scheme: Option<Spanned<String>>,
    realm: Option<Spanned<String>>,
    value: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLogging {
    loggers: Option<Vec<Spanned<String>>>,
    print: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHelper {
    name: Spanned<String>,
    status: usize,
    message: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    files: Vec<Spanned<String>>,
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<RuleSetting>>,
}

/// A rule's entry: `"warning"` or `{ level = "warning" }`.
#[derive(Debug, Clone, Copy)]
struct RuleSetting {
    level: Level,
}

const LEVELS: &str = "`off`, `info`, `warning` or `error`";

/// Parses a level name as written in config files and editor settings.
pub fn parse_level(s: &str) -> Option<Level> {
    Some(match s {
        "off" => Level::Off,
        "info" => Level::Info,
        "warning" => Level::Warning,
        "error" => Level::Error,
        _ => return None,
    })
}

impl<'de> Deserialize<'de> for RuleSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Clone, Copy)]
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RuleSetting;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a level ({LEVELS}) or a table with `level`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RuleSetting, E> {
                parse_level(v)
                    .map(|level| RuleSetting { level })
                    .ok_or_else(|| E::custom(format!("invalid level `{v}`, expected {LEVELS}")))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RuleSetting, A::Error> {
                let mut level = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "level" => {
                            let s: String = map.next_value()?;
                            level = Some(self.visit_str::<A::Error>(&s)?.level);
                        }
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown key `{other}`, expected `level`"
                            )))
                        }
                    }
                }
                let level = level.ok_or_else(|| de::Error::custom("missing key `level`"))?;
                Ok(RuleSetting { level })
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------
// Path filters
// ---------------------------------------------------------------------------

/// Globs relative to a base directory. A pattern without `/` matches at any
/// depth; a path matches when it or any of its parent directories does.
#[derive(Debug, Clone)]
struct PathFilter {
    base: PathBuf,
    set: GlobSet,
}

impl PathFilter {
    fn matches(&self, file: &Path) -> bool {
        let Ok(rel) = file.strip_prefix(&self.base) else {
            return false;
        };
        let mut p: Option<&Path> = Some(rel);
        while let Some(cur) = p {
            if cur.as_os_str().is_empty() {
                break;
            }
            if self.set.is_match(cur) {
                return true;
            }
            p = cur.parent();
        }
        false
    }
}

fn build_glob(pattern: &str) -> Result<Vec<Glob>, String> {
    let mut pat = pattern.trim().to_string();
    if let Some(rest) = pat.strip_prefix("./") {
        pat = rest.to_string();
    }
    if pat.is_empty() {
        return Err("empty glob pattern".to_string());
    }
    let pat = pat.trim_end_matches('/').to_string();
    let pat = if pat.starts_with('/') {
        pat.trim_start_matches('/').to_string()
    } else if !pat.contains('/') && !pat.starts_with("**") {
        format!("**/{pat}")
    } else {
        pat
    };
    let mut variants = vec![pat.clone()];
    // `dir/**` also names the directory itself, so walks can prune it.
    if let Some(dir) = pat.strip_suffix("/**") {
        if !dir.is_empty() && dir != "**" {
            variants.push(dir.to_string());
        }
    }
    variants
        .iter()
        .map(|p| {
            GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid glob `{pattern}`: {}", e.kind()))
        })
        .collect()
}

fn compile_filter(
    base: &Path,
    patterns: &[Spanned<String>],
    file: &Path,
    text: &str,
) -> Result<PathFilter, ConfigError> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let globs =
            build_glob(p.get_ref()).map_err(|m| ConfigError::at(file, text, p.span().start, m))?;
        for g in globs {
            b.add(g);
        }
    }
    let set = b
        .build()
        .map_err(|e| ConfigError::new(file, format!("invalid glob set: {e}")))?;
    Ok(PathFilter {
        base: base.to_path_buf(),
        set,
    })
}

#[derive(Debug, Clone)]
struct Override {
    files: PathFilter,
    rules: BTreeMap<String, Level>,
}

// ---------------------------------------------------------------------------
// Resolved configuration
// ---------------------------------------------------------------------------

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
    include: Option<PathFilter>,
    exclude: Vec<PathFilter>,
    overrides: Vec<Override>,
    /// `[roles]`, in order: the first whose globs match a file gives its role.
    roles: Vec<(Role, PathFilter)>,
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

#[derive(Debug, Default, Clone)]
struct ChallengeParts {
    scheme: Option<String>,
    realm: Option<String>,
    value: Option<String>,
}

impl ChallengeParts {
    fn build(&self) -> String {
        if let Some(v) = &self.value {
            return v.clone();
        }
        let scheme = self.scheme.as_deref().unwrap_or("Bearer");
        let realm = self.realm.as_deref().unwrap_or("api");
        if realm.is_empty() {
            scheme.to_string()
        } else {
            let escaped = realm.replace('\\', "\\\\").replace('"', "\\\"");
            format!("{scheme} realm=\"{escaped}\"")
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// One parsed file of an `extends` chain.
struct Layer {
    path: PathBuf,
    text: String,
    raw: RawConfig,
}

impl Layer {
    fn read(path: &Path, child: Option<&Layer>) -> Result<Layer, ConfigError> {
        let text = read_config_text(path).map_err(|e| match child {
            Some(c) => ConfigError::new(
                &c.path,
                format!("cannot read extended config {}: {e}", path.display()),
            ),
            None => ConfigError::new(path, format!("cannot read config: {e}")),
        })?;
        let raw = parse_raw(path, &text)?;
        Ok(Layer {
            path: path.to_path_buf(),
            text,
            raw,
        })
    }

    fn rule_map(
        &self,
        rules: &BTreeMap<Spanned<String>, Spanned<RuleSetting>>,
    ) -> Result<BTreeMap<String, Level>, ConfigError> {
        let mut out = BTreeMap::new();
        for (id, setting) in rules {
            if crate::rules::find(id.get_ref()).is_none() {
                return Err(ConfigError::at(
                    &self.path,
                    &self.text,
                    id.span().start,
                    format!(
                        "unknown rule `{}`{} (known rules: {})",
                        id.get_ref(),
                        crate::suggest::rule_hint(id.get_ref()),
                        known_rules()
                    ),
                ));
            }
            out.insert(id.get_ref().clone(), setting.get_ref().level);
        }
        Ok(out)
    }

    /// Reads the packs `packs = [...]` names; they add to inherited ones (a
    /// pack named twice is read once).
    fn load_packs(&self, base: &Path, out: &mut ResolvedConfig) -> Result<(), ConfigError> {
        let (path, text) = (&self.path, &self.text);
        let mut user: Vec<crate::packs::Pack> = out.settings.packs.user().cloned().collect();
        for p in &self.raw.packs {
            let file = base.join(p.get_ref());
            let fail = |reason: String| {
                ConfigError::at(
                    path,
                    text,
                    p.span().start,
                    format!("pack `{}`: {reason}", p.get_ref()),
                )
            };
            let pack_text = read_config_text(&file).map_err(fail)?;
            let pack = crate::packs::parse(
                &display_path(&file).display().to_string(),
                &pack_text,
                Some(&file),
            )
            .map_err(|e| fail(e.reason))?;
            user.retain(|u| u.path != pack.path);
            user.push(pack);
        }
        out.settings.packs = std::sync::Arc::new(crate::packs::Packs::with_user(user));
        Ok(())
    }

    fn apply(
        &self,
        base: &Path,
        out: &mut ResolvedConfig,
        challenge: &mut ChallengeParts,
    ) -> Result<(), ConfigError> {
        let raw = &self.raw;
        let (path, text) = (&self.path, &self.text);
        if let Some(inc) = &raw.include {
            out.include = Some(compile_filter(base, inc, path, text)?);
        }
        if let Some(exc) = &raw.exclude {
            out.exclude.push(compile_filter(base, exc, path, text)?);
        }
        out.settings.rules.extend(self.rule_map(&raw.rules)?);
        if !raw.packs.is_empty() {
            self.load_packs(base, out)?;
        }
        if let Some(c) = &raw.challenge {
            if let Some(v) = &c.value {
                if let Some(other) = c.scheme.as_ref().or(c.realm.as_ref()) {
                    return Err(ConfigError::at(
                        path,
                        text,
                        other.span().start,
                        "`value` cannot be combined with `scheme` or `realm`",
                    ));
                }
                let scheme = v.get_ref().split([' ', ',']).next().unwrap_or("");
                if !is_token(scheme) {
                    return Err(ConfigError::at(
                        path,
                        text,
                        v.span().start,
                        format!(
                            "invalid challenge `{}`: it must start with an auth scheme such as `Bearer`",
                            v.get_ref()
                        ),
                    ));
                }
                *challenge = ChallengeParts {
                    value: Some(v.get_ref().clone()),
                    ..Default::default()
                };
            } else {
                if let Some(s) = &c.scheme {
                    if !is_token(s.get_ref()) {
                        return Err(ConfigError::at(
                            path,
                            text,
                            s.span().start,
                            format!(
                                "invalid scheme `{}`: expected a token such as `Bearer`",
                                s.get_ref()
                            ),
                        ));
                    }
                    challenge.scheme = Some(s.get_ref().clone());
                    challenge.value = None;
                }
                if let Some(r) = &c.realm {
                    if r.get_ref().contains(['\r', '\n']) {
                        return Err(ConfigError::at(
                            path,
                            text,
                            r.span().start,
                            "realm cannot contain line breaks",
                        ));
                    }
                    challenge.realm = Some(r.get_ref().clone());
                    challenge.value = None;
                }
            }
        }
        if let Some(l) = &raw.logging {
            if let Some(loggers) = &l.loggers {
                let mut names = Vec::new();
                for name in loggers {
                    let valid = !name.get_ref().is_empty()
                        && name.get_ref().split('.').all(|part| {
                            !part.is_empty()
                                && part
                                    .chars()
                                    .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
                        });
                    if !valid {
                        return Err(ConfigError::at(
                            path,
                            text,
                            name.span().start,
                            format!(
                                "invalid logger `{}`: expected an identifier or dotted path such as `audit` or `this.telemetry`",
                                name.get_ref()
                            ),
                        ));
                    }
                    names.push(name.get_ref().clone());
                }
                out.settings.loggers = names;
            }
            if let Some(p) = l.print {
                out.settings.print_is_logging = p;
            }
        }
        for h in &raw.helpers {
            let helper = h.get_ref();
            // `new ApiError`: a class whose construction builds the response.
            let (constructor, name) = match helper.name.get_ref().strip_prefix("new ") {
                Some(class) => (true, &class.trim().to_string()),
                None => (false, helper.name.get_ref()),
            };
            let valid = !name.is_empty()
                && name.split('.').all(|part| {
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
                });
            if !valid {
                return Err(ConfigError::at(
                    path,
                    text,
                    helper.name.span().start,
                    format!("invalid helper name `{name}`: expected a function name such as `jsonError`"),
                ));
            }
            if helper.message == Some(helper.status) {
                return Err(ConfigError::at(
                    path,
                    text,
                    h.span().start,
                    "`status` and `message` must be different arguments",
                ));
            }
            out.settings.helpers.retain(|x| &x.name != name);
            out.settings.helpers.push(HelperSpec {
                name: name.clone(),
                status_arg: helper.status,
                message_arg: helper.message,
                constructor,
            });
        }
        if let Some(c) = &raw.min_confidence {
            out.settings.min_confidence = Confidence::parse(c.get_ref()).ok_or_else(|| {
                ConfigError::at(
                    path,
                    text,
                    c.span().start,
                    format!(
                        "invalid min-confidence `{}`: expected `high`, `medium` or `low`",
                        c.get_ref()
                    ),
                )
            })?;
        }
        if !raw.roles.is_empty() {
            // A child's `[roles]` replaces the inherited one, whose globs are
            // relative to another folder.
            out.roles.clear();
            let mut listed: Vec<_> = raw.roles.iter().collect();
            listed.sort_by_key(|(name, _)| name.span().start);
            for (name, globs) in listed {
                let Some(role) = Role::parse(name.get_ref()) else {
                    return Err(ConfigError::at(
                        path,
                        text,
                        name.span().start,
                        format!(
                            "unknown role `{}`: expected `app`, `library`, `docs`, `test` or `generated`",
                            name.get_ref()
                        ),
                    ));
                };
                out.roles
                    .push((role, compile_filter(base, globs, path, text)?));
            }
        }
        for o in &raw.overrides {
            let ov = o.get_ref();
            if ov.files.is_empty() {
                return Err(ConfigError::at(
                    path,
                    text,
                    o.span().start,
                    "`files` must list at least one glob",
                ));
            }
            out.overrides.push(Override {
                files: compile_filter(base, &ov.files, path, text)?,
                rules: self.rule_map(&ov.rules)?,
            });
        }
        Ok(())
    }
}

fn known_rules() -> String {
    crate::rules::RULES
        .iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_raw(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    toml::from_str::<RawConfig>(text).map_err(|e| {
        let message = tidy_toml_message(e.message());
        match e.span() {
            Some(span) => ConfigError::at(path, text, span.start, message),
            None => ConfigError::new(path, message),
        }
    })
}

/// toml/serde say "unknown field"; users write keys.
fn tidy_toml_message(msg: &str) -> String {
    let msg = msg.trim();
    let msg = msg.replace("unknown field", "unknown key");
    let msg = msg.replace("missing field", "missing key");
    let msg = msg.replace("expected a map", "expected a table");
    let msg = msg.replace("expected a sequence", "expected an array");
    // Keep the first line: serde's "expected one of" list is useful, the rest is noise.
    msg.lines().next().unwrap_or("").to_string()
}

// ---------------------------------------------------------------------------
// Discovery and caching
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Editor settings
// ---------------------------------------------------------------------------

/// Applies editor (LSP) settings on top of `base` (the file's `authlint.toml`):
/// `{ "rules": {"<id>": "off|info|warning|error"}, "challenge": "Bearer realm=\"x\"",
///    "loggers": ["audit"], "print": true, "minConfidence": "low" }`. Every key is optional and `null`
/// means unset. `loggers` are added to the configured ones. Keys that are not
/// linter settings (`enable`, `configPath`, `trace`, newer ones) are ignored so
/// newer editors keep working; unknown rule ids and bad values are errors.
pub fn settings_from_json(base: &Settings, value: &serde_json::Value) -> Result<Settings, String> {
    use serde_json::Value;
    let mut s = base.clone();
    let Some(obj) = value.as_object() else {
        return Ok(s);
    };
    for (key, v) in obj {
        if v.is_null() {
            continue;
        }
        match key.as_str() {
            "rules" => {
                let rules = v
                    .as_object()
                    .ok_or("`rules` must be an object of rule ids to levels")?;
                for (id, level) in rules {
                    if crate::rules::find(id).is_none() {
                        return Err(format!(
                            "unknown rule `{id}` in `rules`{} (known rules: {})",
                            crate::suggest::rule_hint(id),
                            known_rules()
                        ));
                    }
                    let name = match level {
                        Value::String(s) => s.as_str(),
                        Value::Object(o) => o.get("level").and_then(Value::as_str).unwrap_or(""),
                        _ => "",
                    };
                    let name = name.trim().to_ascii_lowercase();
                    let name = if name == "warn" {
                        "warning".to_string()
                    } else {
                        name
                    };
                    let lvl = parse_level(&name)
                        .ok_or_else(|| format!("`rules.{id}` must be one of {LEVELS}"))?;
                    s.rules.insert(id.clone(), lvl);
                }
            }
            "challenge" => {
                let c = v.as_str().map(str::trim).unwrap_or("");
                let scheme = c.split([' ', ',']).next().unwrap_or("");
                if !is_token(scheme) {
                    return Err(format!(
                        "`challenge` must be a challenge such as `Bearer realm=\"api\"`, not {v}"
                    ));
                }
                s.challenge = c.to_string();
                s.challenge_configured = true;
            }
            "loggers" => {
                let arr = v.as_array().ok_or("`loggers` must be an array of names")?;
                for item in arr {
                    let name = item
                        .as_str()
                        .map(str::trim)
                        .filter(|n| !n.is_empty())
                        .ok_or("`loggers` must be an array of names")?;
                    if !s.loggers.iter().any(|l| l == name) {
                        s.loggers.push(name.to_string());
                    }
                }
            }
            "print" => {
                s.print_is_logging = v.as_bool().ok_or("`print` must be true or false")?;
            }
            "minConfidence" => {
                s.min_confidence = v
                    .as_str()
                    .and_then(|c| Confidence::parse(c.trim()))
                    .ok_or("`minConfidence` must be \"high\", \"medium\" or \"low\"")?;
            }
            _ => {}
        }
    }
    Ok(s)
}

/// The commented configuration `authlint init` writes.
pub const STARTER_CONFIG: &str = r#"# authlint.toml: configuration for authlint (https://github.com/authlint/authlint)
#
# authlint looks for this file in the directory of each linted file and then in
# every parent directory; the nearest one wins. `authlint lint --config PATH`
# forces one file. Every key is optional. Unknown keys or values stop the run.

# Inherit another config; keys here win over the inherited ones.
# extends = "../authlint.toml"

# Lint only these paths (globs relative to this file's directory; a pattern
# without `/` matches at any depth).
# include = ["supabase/functions/**", "src/**"]

# Never lint these. node_modules and .gitignored files are always skipped.
# exclude = ["**/*.test.ts", "**/__tests__/**"]

# Per-rule level: "off", "info", "warning" or "error".
[rules]
# require-www-authenticate = "error"
# require-401-logging = "warning"
# prefer-403-for-authorization = "warning"
# prefer-401-for-authentication = "warning"
# valid-www-authenticate = "error"
# no-forwarded-401 = "warning"
# no-401-for-server-error = "warning"
# no-401-for-non-credential-error = "warning"
# no-error-detail-in-401 = "warning"
# bearer-error-code = "info"
# bearer-insufficient-scope = "info"
# mcp-resource-metadata = "warning"
# unused-suppression = "warning"
#
# The table form is the same thing:
# [rules.require-401-logging]
# level = "off"

# The challenge the require-www-authenticate fix inserts.
# The default is `Bearer realm="api"`; set `realm = ""` for a bare scheme.
[challenge]
# scheme = "Bearer"
# realm = "api"
# or the whole header value at once (not with scheme/realm):
# value = 'Basic realm="admin", charset="UTF-8"'

# What counts as logging for require-401-logging, besides console.*, logger,
# log, Sentry.capture* and Python's logging.
[logging]
# loggers = ["audit", "this.telemetry"]
# print = false   # Python: does print() count as logging?

# Your own response helpers, so `jsonError("Missing token", 401)` is checked
# where it is called. `status` and `message` are 0-based argument indexes.
# A class whose construction builds the response is named `new ApiError`.
# [[helpers]]
# name = "jsonError"
# status = 1
# message = 0

# Different rule levels for some paths (globs relative to this file).
# [[overrides]]
# files = ["legacy/**"]
# rules = { prefer-403-for-authorization = "off" }

# Report only findings at least this sure: "high", "medium" (the default) or
# "low" (everything, including guesses from words alone).
# min-confidence = "medium"

# Your own framework packs: an in-house response helper, error class or
# framework described as data (see docs/packs.md).
# packs = ["authlint/acme-http.toml"]

# What part files play, when the built-in detection (test and docs folders,
# generated code, published packages) gets it wrong. Globs relative to this
# file; the first role listed whose globs match wins. Roles: app, library,
# docs, test, generated. Each rule's page says which roles it applies to.
# [roles]
# app = ["examples/**"]
# library = ["packages/auth/**"]
"#;

#[cfg(test)]
mod tests {
    use super::*;

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
}
