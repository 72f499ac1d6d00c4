//! Reacting to what invalidates results: an imported file or an
//! `authlint.toml` changing, the editor's settings (`workspace/configuration`,
//! `didChangeConfiguration`), and registering the file watchers.

use super::document::lock;
use super::settings::{ConfigProvider, EditorSettings, CONFIG_FILE};
use super::{mlock, settings, Inner};
use crate::lint::Linter;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

/// `{"authlint": {...}}` -> `{...}`; anything else unchanged.
pub(super) fn unwrap_section(v: &Value) -> &Value {
    match v.get("authlint") {
        Some(inner) if inner.is_object() => inner,
        _ => v,
    }
}

impl Inner {
    /// `path` changed (buffer edit, close, or on disk): forget its summary
    /// and relint the open documents that import it.
    pub(super) fn invalidate_dependents(self: &Arc<Self>, path: &Path) {
        let linters: Vec<Arc<Linter>> = mlock(&self.config)
            .linters
            .iter()
            .map(|(_, l)| l.clone())
            .collect();
        let mut dependents: HashSet<PathBuf> = HashSet::new();
        for l in &linters {
            l.index.invalidate(path);
            dependents.extend(l.index.dependents(path));
        }
        if dependents.is_empty() {
            return;
        }
        let uris: Vec<Uri> = {
            let store = lock(&self.store);
            store
                .docs
                .values()
                .filter(|d| d.path != path && dependents.contains(&d.path))
                .map(|d| d.uri.clone())
                .collect()
        };
        self.schedule(uris, true);
    }

    /// Without file watchers, reloads when an `authlint.toml` that applies
    /// to `path` changed on disk since the server last looked.
    pub(super) fn reload_if_config_changed(self: &Arc<Self>, path: &Path) {
        if !self.caps().watch_dynamic && self.config_stamps.changed(path) {
            self.reload(None);
        }
    }

    /// Settings or `authlint.toml` changed: drop every cached result.
    pub(super) fn reload(self: &Arc<Self>, provider: Option<Box<dyn ConfigProvider>>) {
        {
            let mut cfg = mlock(&self.config);
            if let Some(p) = provider {
                cfg.provider = p;
            } else {
                cfg.provider.clear();
            }
            cfg.linters.clear();
            cfg.shown.clear();
        }
        self.schedule(self.open_uris(), true);
    }

    /// Applies a new editor settings object (from `initializationOptions`,
    /// `workspace/configuration` or `didChangeConfiguration`).
    pub(super) fn apply_editor_json(
        self: &Arc<Self>,
        value: Option<&Value>,
        merge_with_init: bool,
    ) {
        let (changed, provider) = {
            let mut cfg = mlock(&self.config);
            let mut merged = if merge_with_init {
                cfg.init_json.clone()
            } else {
                Value::Null
            };
            let incoming = value.map(unwrap_section);
            match (merged.as_object_mut(), incoming) {
                (Some(base), Some(Value::Object(new))) => {
                    for (k, v) in new {
                        base.insert(k.clone(), v.clone());
                    }
                }
                (_, Some(v @ Value::Object(_))) => merged = v.clone(),
                _ => {}
            }
            let editor = EditorSettings::from_json(Some(&merged), cfg.root.as_deref());
            let changed = editor != cfg.editor;
            let provider = (editor.config_path != cfg.editor.config_path)
                .then(|| settings::provider(editor.config_path.clone()));
            cfg.editor = editor;
            (changed, provider)
        };
        if changed {
            self.reload(provider);
        }
    }

    pub(super) async fn fetch_configuration(self: Arc<Self>) {
        let item = lsp::ConfigurationItem {
            scope_uri: None,
            section: Some("authlint".into()),
        };
        match self.client.configuration(vec![item]).await {
            Ok(values) => {
                let v = values.into_iter().next().filter(|v| v.is_object());
                self.apply_editor_json(v.as_ref(), true);
            }
            Err(e) => {
                self.client
                    .log_message(
                        lsp::MessageType::WARNING,
                        format!("authlint: workspace/configuration failed: {e}"),
                    )
                    .await;
            }
        }
    }

    pub(super) async fn register(self: Arc<Self>) {
        let caps = self.caps();
        let mut registrations = Vec::new();
        if caps.watch_dynamic {
            let watchers = [
                format!("**/{CONFIG_FILE}"),
                "**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}".to_string(),
            ]
            .into_iter()
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(glob),
                kind: None,
            })
            .collect();
            registrations.push(lsp::Registration {
                id: "authlint-watch".into(),
                method: "workspace/didChangeWatchedFiles".into(),
                register_options: serde_json::to_value(
                    lsp::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            });
        }
        if caps.config_dynamic {
            registrations.push(lsp::Registration {
                id: "authlint-configuration".into(),
                method: "workspace/didChangeConfiguration".into(),
                register_options: Some(json!({ "section": "authlint" })),
            });
        }
        if !registrations.is_empty() {
            if let Err(e) = self.client.register_capability(registrations).await {
                self.client
                    .log_message(
                        lsp::MessageType::WARNING,
                        format!("authlint: could not register watchers: {e}"),
                    )
                    .await;
            }
        }
    }
}
