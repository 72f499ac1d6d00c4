//! Editor (language server) settings JSON applied over a file's settings.

use super::layer::is_token;
use super::raw::{known_rules, parse_level, LEVELS};
use crate::diagnostic::Confidence;
use crate::settings::Settings;

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
