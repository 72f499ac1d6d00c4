//! Zed extension for authlint: launches `authlint lsp` for TypeScript, TSX,
//! JavaScript and Python, and hands Zed's `lsp.authlint` settings to the
//! server in its own shape.
//!
//! The decisions (which executable, which settings) are plain functions in
//! [`config`], unit-tested natively with `cargo test --no-default-features`;
//! the glue in [`extension`] (feature `zed`, on by default) only gathers their
//! inputs from Zed.

pub mod config {
    use serde_json::{json, Map, Value};

    pub const SERVER_NAME: &str = "authlint";
    pub const LEVELS: [&str; 4] = ["off", "info", "warning", "error"];

    /// The command Zed runs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Launch {
        pub command: String,
        pub args: Vec<String>,
        pub env: Vec<(String, String)>,
    }

    /// `lsp.authlint.binary` from Zed's settings.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Binary {
        pub path: Option<String>,
        pub arguments: Option<Vec<String>>,
        pub env: Vec<(String, String)>,
    }

    /// Picks the executable: `lsp.authlint.binary.path` if set, else
    /// `authlint` found on the worktree's PATH (`on_path`). Arguments default
    /// to `lsp`. `shell_env` (the worktree's environment) comes first so the
    /// configured `env` overrides it.
    pub fn launch(
        binary: Option<Binary>,
        on_path: Option<String>,
        shell_env: Vec<(String, String)>,
    ) -> Result<Launch, String> {
        let binary = binary.unwrap_or_default();
        let configured = binary.path.filter(|p| !p.trim().is_empty());
        let command = match (configured, on_path) {
            (Some(path), _) => path,
            (None, Some(path)) => path,
            (None, None) => {
                return Err("authlint: no `authlint` executable on PATH. Install authlint, or set \
                     \"lsp\": { \"authlint\": { \"binary\": { \"path\": \"/path/to/authlint\" } } } \
                     in Zed's settings.json."
                    .to_string())
            }
        };
        let args = binary.arguments.unwrap_or_else(|| vec!["lsp".to_string()]);
        let mut env = shell_env;
        for (k, v) in binary.env {
            env.retain(|(key, _)| key != &k);
            env.push((k, v));
        }
        Ok(Launch { command, args, env })
    }

    /// The server's settings JSON (`enable`, `rules`, `challenge`, `loggers`,
    /// `configPath`) from what the user wrote under `lsp.authlint.settings`
    /// (or `initialization_options`). Accepts the settings flat or nested
    /// under `"authlint"`; ignores values of the wrong type. The server layers
    /// these over the project's `authlint.toml`, so unset values stay null/empty.
    pub fn server_settings(user: Option<&Value>) -> Value {
        let user = match user {
            Some(Value::Object(m)) => match m.get("authlint") {
                Some(Value::Object(inner)) => inner.clone(),
                _ => m.clone(),
            },
            _ => Map::new(),
        };
        let enable = user.get("enable").and_then(Value::as_bool).unwrap_or(true);
        let mut rules = Map::new();
        if let Some(Value::Object(r)) = user.get("rules") {
            for (id, level) in r {
                let level = level.as_str().map(|l| l.trim().to_ascii_lowercase());
                let level = match level.as_deref() {
                    Some("warn") => Some("warning".to_string()),
                    Some("information" | "hint") => Some("info".to_string()),
                    Some(l) if LEVELS.contains(&l) => Some(l.to_string()),
                    _ => None,
                };
                if let Some(level) = level {
                    rules.insert(id.clone(), Value::String(level));
                }
            }
        }
        // None (null): the challenge from authlint.toml, else DEFAULT_CHALLENGE.
        let challenge = user
            .get("challenge")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let mut loggers: Vec<String> = Vec::new();
        if let Some(Value::Array(list)) = user.get("loggers") {
            for name in list.iter().filter_map(Value::as_str).map(str::trim) {
                if !name.is_empty() && !loggers.iter().any(|l| l == name) {
                    loggers.push(name.to_string());
                }
            }
        }
        let config_path = user
            .get("configPath")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|p| !p.is_empty());
        json!({
            "enable": enable,
            "rules": rules,
            "challenge": challenge,
            "loggers": loggers,
            "configPath": config_path,
        })
    }

    /// What Zed answers `workspace/configuration` from (Zed looks the
    /// requested section up in it) and sends in `didChangeConfiguration`.
    pub fn workspace_configuration(user: Option<&Value>) -> Value {
        json!({ SERVER_NAME: server_settings(user) })
    }
}

#[cfg(feature = "zed")]
mod extension {
    use super::config;
    use zed_extension_api::{
        self as zed, settings::LspSettings, LanguageServerId, Result, Worktree,
    };

    struct AuthlintExtension;

    fn user_settings(settings: &LspSettings) -> Option<&serde_json::Value> {
        settings
            .settings
            .as_ref()
            .or(settings.initialization_options.as_ref())
    }

    impl zed::Extension for AuthlintExtension {
        fn new() -> Self {
            AuthlintExtension
        }

        fn language_server_command(
            &mut self,
            _language_server_id: &LanguageServerId,
            worktree: &Worktree,
        ) -> Result<zed::Command> {
            let binary = LspSettings::for_worktree(config::SERVER_NAME, worktree)
                .ok()
                .and_then(|s| s.binary)
                .map(|b| config::Binary {
                    path: b.path,
                    arguments: b.arguments,
                    env: b.env.map(|e| e.into_iter().collect()).unwrap_or_default(),
                });
            let launch = config::launch(
                binary,
                worktree.which(config::SERVER_NAME),
                worktree.shell_env(),
            )?;
            Ok(zed::Command {
                command: launch.command,
                args: launch.args,
                env: launch.env,
            })
        }

        fn language_server_initialization_options(
            &mut self,
            _language_server_id: &LanguageServerId,
            worktree: &Worktree,
        ) -> Result<Option<serde_json::Value>> {
            let settings =
                LspSettings::for_worktree(config::SERVER_NAME, worktree).unwrap_or_default();
            Ok(Some(config::server_settings(user_settings(&settings))))
        }

        fn language_server_workspace_configuration(
            &mut self,
            _language_server_id: &LanguageServerId,
            worktree: &Worktree,
        ) -> Result<Option<serde_json::Value>> {
            let settings =
                LspSettings::for_worktree(config::SERVER_NAME, worktree).unwrap_or_default();
            Ok(Some(config::workspace_configuration(user_settings(
                &settings,
            ))))
        }
    }

    zed::register_extension!(AuthlintExtension);
}

#[cfg(test)]
mod tests {
    use crate::config::*;
    use serde_json::json;

    #[test]
    fn configured_path_wins_over_path() {
        let l = launch(
            Some(Binary {
                path: Some("/opt/authlint/bin/authlint".into()),
                ..Binary::default()
            }),
            Some("/usr/bin/authlint".into()),
            vec![],
        )
        .unwrap();
        assert_eq!(l.command, "/opt/authlint/bin/authlint");
        assert_eq!(l.args, vec!["lsp"]);
    }

    #[test]
    fn falls_back_to_path_and_default_args() {
        let l = launch(None, Some("/usr/local/bin/authlint".into()), vec![]).unwrap();
        assert_eq!(l.command, "/usr/local/bin/authlint");
        assert_eq!(l.args, vec!["lsp"]);
        // A blank configured path counts as unset.
        let l = launch(
            Some(Binary {
                path: Some("  ".into()),
                ..Binary::default()
            }),
            Some("/usr/local/bin/authlint".into()),
            vec![],
        )
        .unwrap();
        assert_eq!(l.command, "/usr/local/bin/authlint");
    }

    #[test]
    fn missing_executable_says_how_to_fix_it() {
        let err = launch(None, None, vec![]).unwrap_err();
        assert!(err.contains("no `authlint` executable on PATH"), "{err}");
        assert!(err.contains("\"binary\""), "{err}");
    }

    #[test]
    fn arguments_and_env_from_settings() {
        let l = launch(
            Some(Binary {
                path: None,
                arguments: Some(vec!["lsp".into(), "--log".into(), "debug".into()]),
                env: vec![
                    ("RUST_LOG".into(), "debug".into()),
                    ("PATH".into(), "/custom".into()),
                ],
            }),
            Some("/usr/bin/authlint".into()),
            vec![
                ("PATH".into(), "/usr/bin".into()),
                ("HOME".into(), "/home/u".into()),
            ],
        )
        .unwrap();
        assert_eq!(l.args, vec!["lsp", "--log", "debug"]);
        assert_eq!(
            l.env,
            vec![
                ("HOME".to_string(), "/home/u".to_string()),
                ("RUST_LOG".to_string(), "debug".to_string()),
                ("PATH".to_string(), "/custom".to_string()),
            ]
        );
    }

    #[test]
    fn defaults_have_the_server_shape() {
        assert_eq!(
            server_settings(None),
            json!({
                "enable": true,
                "rules": {},
                "challenge": null,
                "loggers": [],
                "configPath": null,
            })
        );
    }

    #[test]
    fn user_settings_are_mapped_and_cleaned() {
        let user = json!({
            "enable": false,
            "rules": { "require-401-logging": "OFF", "no-forwarded-401": "warn", "valid-www-authenticate": "loud" },
            "challenge": " Basic realm=\"admin\" ",
            "loggers": ["audit", "audit", "", 3, "pino"],
            "configPath": "/etc/authlint.toml",
            "unknown": 1,
        });
        assert_eq!(
            server_settings(Some(&user)),
            json!({
                "enable": false,
                "rules": { "no-forwarded-401": "warning", "require-401-logging": "off" },
                "challenge": "Basic realm=\"admin\"",
                "loggers": ["audit", "pino"],
                "configPath": "/etc/authlint.toml",
            })
        );
    }

    #[test]
    fn settings_nested_under_authlint_are_accepted() {
        let user = json!({ "authlint": { "loggers": ["audit"] } });
        assert_eq!(server_settings(Some(&user))["loggers"], json!(["audit"]));
    }

    #[test]
    fn workspace_configuration_is_keyed_by_section() {
        let user = json!({ "rules": { "require-www-authenticate": "error" } });
        let conf = workspace_configuration(Some(&user));
        assert_eq!(conf["authlint"], server_settings(Some(&user)));
        assert_eq!(conf.as_object().unwrap().len(), 1);
    }
}
