//! The file as written: the TOML model [`RawConfig`] (and its sections),
//! rule levels, and parsing with messages that name known rules.

use super::ConfigError;
use crate::settings::Level;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use toml::Spanned;

/// Config files are small: anything bigger is a mistake, not a config.
const MAX_CONFIG_BYTES: usize = 1024 * 1024;

/// A config file's text: a regular UTF-8 file of a sane size.
pub(super) fn read_config_text(path: &Path) -> Result<String, String> {
    let bytes = crate::fsio::read_regular(path, MAX_CONFIG_BYTES).map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) extends: Option<Spanned<String>>,
    pub(super) include: Option<Vec<Spanned<String>>>,
    pub(super) exclude: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub(super) rules: BTreeMap<Spanned<String>, Spanned<RuleSetting>>,
    pub(super) challenge: Option<RawChallenge>,
    pub(super) logging: Option<RawLogging>,
    #[serde(default)]
    pub(super) helpers: Vec<Spanned<RawHelper>>,
    #[serde(default)]
    pub(super) overrides: Vec<Spanned<RawOverride>>,
    /// `[roles]`: role name → globs of files that play it.
    #[serde(default)]
    pub(super) roles: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(rename = "min-confidence")]
    pub(super) min_confidence: Option<Spanned<String>>,
    /// Framework packs of the repository's own (paths relative to this file).
    #[serde(default)]
    pub(super) packs: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawChallenge {
    pub(super) scheme: Option<Spanned<String>>,
    pub(super) realm: Option<Spanned<String>>,
    pub(super) value: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLogging {
    pub(super) loggers: Option<Vec<Spanned<String>>>,
    pub(super) print: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHelper {
    pub(super) name: Spanned<String>,
    pub(super) status: usize,
    pub(super) message: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOverride {
    pub(super) files: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) rules: BTreeMap<Spanned<String>, Spanned<RuleSetting>>,
}

/// A rule's entry: `"warning"` or `{ level = "warning" }`.
#[derive(Debug, Clone, Copy)]
pub(super) struct RuleSetting {
    pub(super) level: Level,
}

pub(super) const LEVELS: &str = "`off`, `info`, `warning` or `error`";

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

pub(super) fn known_rules() -> String {
    crate::rules::RULES
        .iter()
        .map(|r| r.id)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn parse_raw(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
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
