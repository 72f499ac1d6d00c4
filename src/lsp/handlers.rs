//! The LSP requests and notifications ([`LanguageServer`] for [`Backend`]):
//! document sync, pull diagnostics, code actions, commands (fix all, the
//! the debug dump) and hover.

use super::diagnostics::SOURCE;
use super::document::{lock, to_offset, to_range, uri_to_path, Document};
use super::reload::unwrap_section;
use super::settings::{EditorSettings, CONFIG_FILE};
use super::{
    actions, diagnostics, hover, mlock, negotiate, settings, workspace_root, Backend, Inner, Plan,
    FIX_ALL_COMMAND,
};
use crate::diagnostic::Diagnostic;
use crate::engine::Language;
use crate::source::Encoding;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::LanguageServer;

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let caps = negotiate(&params);
        *mlock(&self.inner.caps) = caps;
        {
            let mut cfg = mlock(&self.inner.config);
            cfg.root = workspace_root(&params);
            let init = params
                .initialization_options
                .as_ref()
                .map(unwrap_section)
                .filter(|v| v.is_object())
                .cloned()
                .unwrap_or(Value::Null);
            cfg.editor = EditorSettings::from_json(Some(&init), cfg.root.as_deref());
            cfg.provider = settings::provider(cfg.editor.config_path.clone());
            cfg.init_json = init;
        }
        let encoding = match caps.encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            _ => lsp::PositionEncodingKind::UTF16,
        };
        let capabilities = lsp::ServerCapabilities {
            position_encoding: Some(encoding),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::SaveOptions(
                        lsp::SaveOptions {
                            include_text: Some(false),
                        },
                    )),
                    ..Default::default()
                },
            )),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![
                        lsp::CodeActionKind::QUICKFIX,
                        lsp::CodeActionKind::new(actions::FIX_ALL_KIND),
                    ]),
                    resolve_provider: Some(caps.resolve_edit),
                    work_done_progress_options: Default::default(),
                },
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            execute_command_provider: Some(lsp::ExecuteCommandOptions {
                commands: vec![FIX_ALL_COMMAND.into()],
                work_done_progress_options: Default::default(),
            }),
            diagnostic_provider: caps.pull.then(|| {
                lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                    identifier: Some(SOURCE.into()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: false,
                    work_done_progress_options: Default::default(),
                })
            }),
            ..Default::default()
        };
        Ok(lsp::InitializeResult {
            capabilities,
            server_info: Some(lsp::ServerInfo {
                name: SOURCE.into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let caps = self.inner.caps();
        tokio::spawn(self.inner.clone().register());
        if caps.configuration {
            tokio::spawn(self.inner.clone().fetch_configuration());
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.inner.flags.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        self.inner.disk.clear();
        let item = params.text_document;
        let path = uri_to_path(&item.uri);
        let lang =
            Language::from_language_id(&item.language_id).or_else(|| Language::from_path(&path));
        self.inner.reload_if_config_changed(&path);
        let uri = item.uri.clone();
        {
            let mut doc = Document::new(item.uri, path.clone(), lang, item.text, item.version);
            doc.seq = self.inner.next_seq();
            lock(&self.inner.store).docs.insert(uri.clone(), doc);
        }
        self.inner.schedule(vec![uri], false);
        self.inner.invalidate_dependents(&path);
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let received = std::time::Instant::now();
        let enc = self.inner.caps().encoding;
        let uri = params.text_document.uri;
        let path = {
            let mut store = lock(&self.inner.store);
            let Some(doc) = store.docs.get_mut(&uri) else {
                return;
            };
            for change in &params.content_changes {
                doc.apply_change(change.range, &change.text, enc);
            }
            doc.version = params.text_document.version;
            doc.changed_at = Some(received);
            doc.path.clone()
        };
        self.inner.schedule(vec![uri], false);
        self.inner.invalidate_dependents(&path);
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        self.inner.disk.clear();
        let path = uri_to_path(&params.text_document.uri);
        if path.file_name().is_some_and(|n| n == CONFIG_FILE) {
            self.inner.config_stamps.changed(&path);
            self.inner.reload(None);
        } else {
            self.inner.reload_if_config_changed(&path);
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        self.inner.disk.clear();
        let uri = params.text_document.uri;
        let removed = lock(&self.inner.store).docs.remove(&uri);
        mlock(&self.inner.skipped).remove(&uri);
        let Some(doc) = removed else {
            return;
        };
        if !self.inner.caps().pull {
            let _guard = self.inner.publish.lock().await;
            if !lock(&self.inner.store).docs.contains_key(&uri) {
                self.inner.send_body(diagnostics::publish_body(
                    &uri,
                    &[],
                    &[],
                    None,
                    &mut Default::default(),
                ));
            }
        }
        // Importers now read this module from disk again.
        self.inner.invalidate_dependents(&doc.path);
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        if self.inner.caps().configuration {
            tokio::spawn(self.inner.clone().fetch_configuration());
        } else {
            let settings = (!params.settings.is_null()).then_some(&params.settings);
            self.inner.apply_editor_json(settings, true);
        }
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        self.inner.disk.clear();
        let mut config_changed = false;
        for change in params.changes {
            let path = uri_to_path(&change.uri);
            if path.file_name().is_some_and(|n| n == CONFIG_FILE) {
                config_changed = true;
                continue;
            }
            // An open buffer is authoritative over the disk.
            if lock(&self.inner.store).by_path(&path).is_none() {
                self.inner.invalidate_dependents(&path);
            }
        }
        if config_changed {
            self.inner.reload(None);
        }
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let items = match self.inner.compute(&uri, None).await {
            Some(c) => self.inner.to_lsp(&uri, &c),
            None => Vec::new(),
        };
        Ok(lsp::DocumentDiagnosticReportResult::Report(
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some(c) = self.inner.compute(&uri, None).await else {
            return Ok(None);
        };
        let Some(lang) = lock(&self.inner.store).docs.get(&uri).and_then(|d| d.lang) else {
            return Ok(None);
        };
        let caps = self.inner.caps();
        let enc = caps.encoding;
        let only: Option<Vec<String>> = params
            .context
            .only
            .as_ref()
            .map(|o| o.iter().map(|k| k.as_str().to_string()).collect());
        let only = only.as_deref();
        let start = to_offset(&c.text, &c.line_map, params.range.start, enc);
        let end = to_offset(&c.text, &c.line_map, params.range.end, enc).max(start);
        let lsp_all = self.inner.to_lsp(&uri, &c);
        let shown: Vec<&Diagnostic> = c.diags.iter().filter(|d| d.suppressed.is_none()).collect();
        // `shown[i]` and `lsp_all[extra + i]` describe the same finding.
        let lsp_of = |d: &Diagnostic| -> Option<lsp::Diagnostic> {
            let i = shown.iter().position(|x| std::ptr::eq(*x, d))?;
            lsp_all.get(c.extra.len() + i).cloned()
        };
        let in_range: Vec<&Diagnostic> = shown
            .iter()
            .copied()
            .filter(|d| d.range.start <= end && start <= d.range.end)
            .collect();
        let mut out: Vec<lsp::CodeActionOrCommand> = Vec::new();
        let workspace_edit = |edits: Vec<lsp::TextEdit>| lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        };
        if actions::kind_allowed(only, "quickfix") {
            for p in actions::plan(&c.text, lang, &in_range) {
                let edits = p
                    .edits
                    .iter()
                    .map(|e| lsp::TextEdit {
                        range: to_range(&c.text, &c.line_map, &e.range, enc),
                        new_text: e.replacement.to_string(),
                    })
                    .collect();
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: p.title,
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: lsp_of(in_range[p.diagnostic]).map(|d| vec![d]),
                    edit: Some(workspace_edit(edits)),
                    is_preferred: p.preferred.then_some(true),
                    ..Default::default()
                }));
            }
        }
        if actions::kind_allowed(only, actions::FIX_ALL_KIND) && actions::has_safe_fix(&c.diags) {
            // Asked for explicitly (on save, "Fix all"): compute now. Offered
            // in the light bulb: let the client resolve it when chosen.
            let explicit = only.is_some();
            let edit = if explicit || !caps.resolve_edit {
                match self.inner.fix_all_edits(&uri).await {
                    Some(edits) if !edits.is_empty() => Some(workspace_edit(edits)),
                    _ => None,
                }
            } else {
                None
            };
            if edit.is_some() || (!explicit && caps.resolve_edit) {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: "Fix all safely fixable authlint problems".into(),
                    kind: Some(lsp::CodeActionKind::new(actions::FIX_ALL_KIND)),
                    data: edit
                        .is_none()
                        .then(|| json!({ "uri": uri.as_str(), "version": c.version })),
                    edit,
                    ..Default::default()
                }));
            }
        }
        Ok(Some(out))
    }

    async fn code_action_resolve(&self, mut action: lsp::CodeAction) -> Result<lsp::CodeAction> {
        if action.edit.is_some() {
            return Ok(action);
        }
        let uri = action
            .data
            .as_ref()
            .and_then(|d| d.get("uri"))
            .and_then(Value::as_str)
            .and_then(|s| Uri::from_str(s).ok())
            .ok_or_else(|| jsonrpc::Error::invalid_params("code action without a document"))?;
        let edits = self
            .inner
            .fix_all_edits(&uri)
            .await
            .ok_or_else(|| jsonrpc::Error::invalid_params("unknown document"))?;
        action.edit = Some(lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri, edits)])),
            ..Default::default()
        });
        Ok(action)
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != FIX_ALL_COMMAND {
            return Err(jsonrpc::Error::invalid_params(format!(
                "unknown command {}",
                params.command
            )));
        }
        let uri = params
            .arguments
            .first()
            .and_then(|a| a.as_str().or_else(|| a.get("uri").and_then(Value::as_str)))
            .and_then(|s| Uri::from_str(s).ok())
            .ok_or_else(|| jsonrpc::Error::invalid_params("expected a document URI argument"))?;
        let edits = self
            .inner
            .fix_all_edits(&uri)
            .await
            .ok_or_else(|| jsonrpc::Error::invalid_params("unknown document"))?;
        if !edits.is_empty() {
            let edit = lsp::WorkspaceEdit {
                changes: Some(HashMap::from([(uri, edits)])),
                ..Default::default()
            };
            let client = self.inner.client.clone();
            tokio::spawn(async move {
                let _ = client.apply_edit(edit).await;
            });
        }
        Ok(None)
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let uri = params.text_document_position_params.text_document.uri;
        let Some(c) = self.inner.compute(&uri, None).await else {
            return Ok(None);
        };
        if !mlock(&self.inner.config).editor.enable {
            return Ok(None);
        }
        let enc = self.inner.caps().encoding;
        let offset = to_offset(
            &c.text,
            &c.line_map,
            params.text_document_position_params.position,
            enc,
        );
        let Some((rules, range)) = hover::rules_at(&c.text, offset, &c.diags) else {
            return Ok(None);
        };
        let value = rules
            .iter()
            .map(|r| hover::markdown(r))
            .collect::<Vec<_>>()
            .join("\n\n---\n\n");
        Ok(Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value,
            }),
            range: Some(to_range(&c.text, &c.line_map, &range, enc)),
        }))
    }
}

impl Inner {
    /// The safe-fix-all edits for a document's current state.
    async fn fix_all_edits(self: &Arc<Self>, uri: &Uri) -> Option<Vec<lsp::TextEdit>> {
        let c = self.compute(uri, None).await?;
        let (path, lang) = {
            let store = lock(&self.store);
            let doc = store.docs.get(uri)?;
            (doc.path.clone(), doc.lang?)
        };
        if !actions::has_safe_fix(&c.diags) {
            return Some(Vec::new());
        }
        let Plan::Lint(linter) = self.plan_for(&path).0 else {
            return Some(Vec::new());
        };
        let text = c.text.clone();
        let diags = c.diags.clone();
        let fixed = tokio::task::spawn_blocking(move || {
            let fixed = actions::fix_all(&linter, &path, lang, &text, Some(&diags));
            actions::minimal_edits(&text, &fixed)
        })
        .await
        .ok()?;
        let enc = self.caps().encoding;
        Some(
            fixed
                .iter()
                .map(|e| lsp::TextEdit {
                    range: to_range(&c.text, &c.line_map, &e.range, enc),
                    new_text: e.replacement.to_string(),
                })
                .collect(),
        )
    }
}
