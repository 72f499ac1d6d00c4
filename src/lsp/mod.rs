//! The language server front end: `authlint lsp`.
//!
//! One [`Backend`] serves every request over stdio (tower-lsp-server on
//! tokio). The design in three rules:
//!
//! 1. Document edits are applied synchronously, before any `.await`, to a
//!    store behind a `std::sync::Mutex` ([`document::Store`]), so edits are
//!    applied in the order the client sent them even though handlers run
//!    concurrently. Each edit keeps the syntax tree in step (`Tree::edit`),
//!    and the next lint reparses incrementally.
//! 2. Every change (and every event that invalidates results: settings,
//!    `authlint.toml`, an imported file) gives the document a new sequence
//!    number. Linting runs on the blocking pool; a result is published only
//!    if its sequence number is still the document's latest, checked and
//!    sent under one lock, so stale diagnostics never overwrite fresh ones.
//! 3. Clients that can pull diagnostics (`textDocument/diagnostic`) and
//!    accept `workspace/diagnostic/refresh` get pull only (refreshed when
//!    other files or settings change); the others get `publishDiagnostics`. Doing both
//!    would show every finding twice in VS Code and Neovim.
//!
//! This file holds the server's state ([`Backend`], `Inner`), its start
//! and capability negotiation; the rest is in `handlers` (the LSP methods),
//! `compute` (linting a document), `publish` (scheduling and sending
//! results) and `reload` (configuration and dependency changes), beside the
//! smaller modules below.
//!
//! See `docs/lsp.md` for the capabilities and settings.

pub mod actions;
mod compute;
mod config_watch;
pub mod diagnostics;
pub mod document;
pub mod framing;
mod handlers;
pub mod hover;
pub mod ids;
pub mod input;
pub mod output;
pub mod oversized;
mod publish;
mod reload;
pub mod settings;

use crate::engine::{self, Language};
use crate::lint::Linter;
use crate::settings::Settings;
use crate::source::{Encoding, LineMap};
use document::{lock, uri_to_path, BufferSource, SharedStore, Store};
use serde_json::{json, Value};
use settings::{ConfigProvider, EditorSettings, CONFIG_FILE};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LspService, Server};

/// The server's name in `serverInfo` and the `source` of its diagnostics.
pub use diagnostics::SOURCE;

/// `workspace/executeCommand` command applying every safe fix to a document.
pub const FIX_ALL_COMMAND: &str = "authlint.server.fixAll";

/// Runs the language server on stdin/stdout until `exit` or end of input.
/// Returns the process exit code: 0, 1 for `exit` without `shutdown`, or 2
/// when the input could not be read on (see [`framing`]).
pub fn run_stdio() -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("authlint lsp: cannot start the async runtime: {e}");
            return 2;
        }
    };
    let flags = Arc::new(Flags::default());
    let service_flags = flags.clone();
    output::widen_stdout_pipe();
    let out = output::Output::spawn(std::io::stdout());
    let service_out = out.clone();
    let (input, input_failed) = input::spawn(std::io::stdin(), out.clone());
    runtime.block_on(async move {
        let (service, socket) = LspService::build(|client| {
            Backend::new(client, service_flags.clone(), service_out.clone())
        })
        .custom_method("authlint/debugDocument", Backend::debug_document)
        .custom_method(input::PARSE_ERROR_METHOD, Backend::parse_error)
        .custom_method(input::INVALID_REQUEST_METHOD, Backend::invalid_request)
        .finish();
        let service = exit::ExitWatch::new(service, service_flags);
        Server::new(input, service_out.writer(), socket)
            .concurrency_level(32)
            .serve(service)
            .await;
    });
    // Lints still running on the blocking pool must not keep the process
    // alive (stdin is read on a plain thread that process exit ends).
    runtime.shutdown_background();
    // Everything written so far reaches stdout before the process ends.
    out.close();
    if input_failed.load(Ordering::SeqCst) {
        2
    } else if flags.exit.load(Ordering::SeqCst) && !flags.shutdown.load(Ordering::SeqCst) {
        1
    } else {
        0
    }
}

#[derive(Default)]
struct Flags {
    shutdown: AtomicBool,
    exit: AtomicBool,
}

mod exit {
    //! Notes the `exit` notification on its way to the service.
    use super::Flags;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use tower_lsp_server::jsonrpc::Request;
    use tower_service::Service;

    pub struct ExitWatch<S> {
        inner: S,
        flags: Arc<Flags>,
    }

    impl<S> ExitWatch<S> {
        pub fn new(inner: S, flags: Arc<Flags>) -> Self {
            ExitWatch { inner, flags }
        }
    }

    impl<S: Service<Request>> Service<Request> for ExitWatch<S> {
        type Response = S::Response;
        type Error = S::Error;
        type Future = S::Future;

        fn poll_ready(
            &mut self,
            cx: &mut Context<'_>,
        ) -> Poll<std::result::Result<(), Self::Error>> {
            self.inner.poll_ready(cx)
        }

        fn call(&mut self, req: Request) -> Self::Future {
            if req.method() == "exit" {
                self.flags.exit.store(true, Ordering::SeqCst);
            }
            self.inner.call(req)
        }
    }
}

/// What the client can do, decided at `initialize`.
#[derive(Debug, Clone, Copy)]
struct Caps {
    encoding: Encoding,
    /// Serve `textDocument/diagnostic` instead of pushing.
    pull: bool,
    /// `workspace/diagnostic/refresh` is supported.
    refresh: bool,
    /// `workspace/configuration` is supported.
    configuration: bool,
    watch_dynamic: bool,
    config_dynamic: bool,
    /// `codeAction/resolve` can fill in `edit` lazily.
    resolve_edit: bool,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            encoding: Encoding::Utf16,
            pull: false,
            refresh: false,
            configuration: false,
            watch_dynamic: false,
            config_dynamic: false,
            resolve_edit: false,
        }
    }
}

struct ConfigState {
    /// `initializationOptions` merged with the last `workspace/configuration`.
    init_json: Value,
    editor: EditorSettings,
    provider: Box<dyn ConfigProvider>,
    /// One linter (with its own import index) per distinct settings value.
    linters: Vec<(Settings, Arc<Linter>)>,
    /// Messages already shown with `window/showMessage`, not to repeat them
    /// on every keystroke. Cleared when the configuration reloads.
    shown: HashSet<String>,
    root: Option<PathBuf>,
}

enum Plan {
    Off,
    Lint(Arc<Linter>),
}

struct Inner {
    client: Client,
    store: SharedStore,
    config: Mutex<ConfigState>,
    caps: Mutex<Caps>,
    /// Held while checking a result is current and sending it.
    publish: tokio::sync::Mutex<()>,
    /// Where `publishDiagnostics` is written directly (see [`output`]).
    output: output::Output,
    seq: AtomicU64,
    flags: Arc<Flags>,
    /// Disk reads shared by every linter's import resolution.
    disk: Arc<document::DiskCache>,
    /// URIs whose "not analysed" reason was already logged.
    skipped: Mutex<HashSet<Uri>>,
    /// Config files on disk, for clients that cannot watch them.
    config_stamps: config_watch::ConfigStamps,
}

/// The language server.
pub struct Backend {
    inner: Arc<Inner>,
}

fn mlock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A document's state captured for linting outside the store lock.
struct Snapshot {
    seq: u64,
    version: i32,
    path: PathBuf,
    lang: Option<Language>,
    text: Arc<String>,
    line_map: Arc<LineMap>,
    tree: Option<tree_sitter::Tree>,
    analysis: Option<Arc<crate::lint::Analysis>>,
    bracket_bound: usize,
}

impl Backend {
    fn new(client: Client, flags: Arc<Flags>, output: output::Output) -> Self {
        let store: SharedStore = Arc::new(Mutex::new(Store::default()));
        Backend {
            inner: Arc::new(Inner {
                client,
                store,
                config: Mutex::new(ConfigState {
                    init_json: Value::Null,
                    editor: EditorSettings::default(),
                    provider: settings::provider(None),
                    linters: Vec::new(),
                    shown: HashSet::new(),
                    root: None,
                }),
                caps: Mutex::new(Caps::default()),
                publish: tokio::sync::Mutex::new(()),
                output,
                seq: AtomicU64::new(1),
                flags,
                disk: Arc::new(document::DiskCache::default()),
                skipped: Mutex::new(HashSet::new()),
                config_stamps: config_watch::ConfigStamps::default(),
            }),
        }
    }

    /// Answers a frame whose body was not JSON (see [`input`]).
    async fn parse_error(&self) -> Result<()> {
        Err(jsonrpc::Error::parse_error())
    }

    /// Answers JSON that was not a JSON-RPC message (see [`input`]).
    async fn invalid_request(&self) -> Result<()> {
        Err(jsonrpc::Error::invalid_request())
    }

    /// `authlint/debugDocument`: the server's view of a document, for tests.
    /// Returns the text, the version, and the syntax tree reached by
    /// incremental reparsing next to a fresh parse of the same text.
    async fn debug_document(&self, params: lsp::TextDocumentIdentifier) -> Result<Value> {
        let snap = {
            let store = lock(&self.inner.store);
            let Some(doc) = store.docs.get(&params.uri) else {
                return Err(jsonrpc::Error::invalid_params("unknown document"));
            };
            self.inner.snapshot(doc)
        };
        let result = tokio::task::spawn_blocking(move || {
            let (tree, fresh) = match snap.lang {
                Some(lang) => (
                    engine::parse(lang, &snap.text, snap.tree.as_ref()).map(|t| dump_tree(&t)),
                    engine::parse(lang, &snap.text, None).map(|t| dump_tree(&t)),
                ),
                None => (None, None),
            };
            json!({
                "version": snap.version,
                "text": snap.text.as_str(),
                "hadTree": snap.tree.is_some(),
                "tree": tree,
                "freshTree": fresh,
            })
        })
        .await
        .map_err(|_| jsonrpc::Error::internal_error())?;
        Ok(result)
    }
}

impl Inner {
    fn caps(&self) -> Caps {
        *mlock(&self.caps)
    }

    /// A module's text: its open buffer, or the file on disk.
    fn module_text(&self, path: &Path) -> Option<String> {
        use crate::engine::ModuleSource;
        BufferSource::new(self.store.clone(), self.disk.clone()).read(path)
    }

    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn show(self: &Arc<Self>, notes: Vec<(lsp::MessageType, String)>) {
        for (typ, msg) in notes {
            let client = self.client.clone();
            tokio::spawn(async move {
                client.log_message(typ, &msg).await;
                client.show_message(typ, msg).await;
            });
        }
    }
}

/// Every node of `tree` with its byte range and row/column points, one per
/// line, indented by depth (for `authlint/debugDocument`).
fn dump_tree(tree: &tree_sitter::Tree) -> String {
    let mut out = String::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let n = cursor.node();
        let (s, e) = (n.start_position(), n.end_position());
        out.push_str(&format!(
            "{:indent$}{}{} {}..{} {}:{}-{}:{}\n",
            "",
            n.kind(),
            if n.is_missing() { " MISSING" } else { "" },
            n.start_byte(),
            n.end_byte(),
            s.row,
            s.column,
            e.row,
            e.column,
            indent = depth
        ));
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            depth -= 1;
        }
    }
}

fn negotiate(params: &lsp::InitializeParams) -> Caps {
    let c = &params.capabilities;
    let offered = c
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    let encoding = match offered {
        Some(list) if list.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    };
    let td = c.text_document.as_ref();
    let ws = c.workspace.as_ref();
    let refresh = ws
        .and_then(|w| w.diagnostic.as_ref())
        .and_then(|d| d.refresh_support)
        .unwrap_or(false);
    Caps {
        encoding,
        // Pull only when the server can also ask for a re-pull: without
        // `refreshSupport` (Neovim 0.11), a settings or imported-file change
        // would never reach the editor, so such clients get push.
        pull: refresh && td.is_some_and(|t| t.diagnostic.is_some()),
        refresh,
        configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
        watch_dynamic: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        config_dynamic: ws
            .and_then(|w| w.did_change_configuration.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        resolve_edit: td
            .and_then(|t| t.code_action.as_ref())
            .and_then(|a| a.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
    }
}

fn workspace_root(params: &lsp::InitializeParams) -> Option<PathBuf> {
    if let Some(f) = params.workspace_folders.as_ref().and_then(|f| f.first()) {
        return Some(uri_to_path(&f.uri));
    }
    #[allow(deprecated)]
    params.root_uri.as_ref().map(uri_to_path)
}
