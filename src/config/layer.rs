//! One file of an `extends` chain ([`Layer`]): reading it, following
//! `extends`, and applying its sections (rules, challenge, logging, helpers,
//! roles) over the settings below it.

use super::filter::compile_filter;
use super::raw::{known_rules, parse_raw, read_config_text, RawConfig, RuleSetting};
use super::resolved::{Override, ResolvedConfig};
use super::{display_path, ConfigError};
use crate::diagnostic::Confidence;
use crate::roles::Role;
use crate::settings::{HelperSpec, Level};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Default, Clone)]
pub(super) struct ChallengeParts {
    pub(super) scheme: Option<String>,
    pub(super) realm: Option<String>,
    pub(super) value: Option<String>,
}

impl ChallengeParts {
    pub(super) fn build(&self) -> String {
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

pub(super) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// One parsed file of an `extends` chain.
pub(super) struct Layer {
    pub(super) path: PathBuf,
    pub(super) text: String,
    pub(super) raw: RawConfig,
}

impl Layer {
    pub(super) fn read(path: &Path, child: Option<&Layer>) -> Result<Layer, ConfigError> {
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

    pub(super) fn apply(
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
