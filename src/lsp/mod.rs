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
//! See `docs/lsp.md` for the capabilities and settings.

pub mod actions;
mod config_watch;
pub mod diagnostics;
pub mod document;
pub mod framing;
pub mod hover;
pub mod ids;
pub mod input;
pub mod output;
pub mod oversized;
pub mod settings;

use crate::diagnostic::Diagnostic;
use crate::engine::{self, Language};
use crate::lint::{Linter, Skip, MAX_FILE_BYTES};
use crate::settings::Settings;
use crate::source::{Encoding, LineMap};
use document::{
    lock, to_offset, to_range, uri_to_path, BufferSource, Computed, Document, SharedStore, Store,
};
use serde_json::{json, Value};
use settings::{ConfigProblem, ConfigProvider, EditorSettings, CONFIG_FILE};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::lsp_types::{self as lsp, Uri};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

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

    fn snapshot(&self, doc: &Document) -> Snapshot {
        Snapshot {
            seq: doc.seq,
            version: doc.version,
            path: doc.path.clone(),
            lang: doc.lang,
            text: doc.text.clone(),
            line_map: doc.line_map.clone(),
            tree: doc.tree.clone(),
            analysis: doc.analysis.clone(),
            bracket_bound: doc.bracket_bound,
        }
    }

    /// The linter for `path`, or why it is not linted. Problems found on the
    /// way are returned as messages to show (each only once).
    fn plan_for(&self, path: &Path) -> (Plan, Vec<(lsp::MessageType, String)>) {
        let mut cfg = mlock(&self.config);
        let mut notes = Vec::new();
        if !cfg.editor.enable {
            return (Plan::Off, notes);
        }
        let base = match cfg.provider.config_for(path) {
            Ok(fc) if !fc.included => return (Plan::Off, notes),
            Ok(fc) => fc.settings,
            Err(problem) => {
                let msg =
                    format!("authlint: {problem} (using the default settings until it is fixed)");
                if cfg.shown.insert(msg.clone()) {
                    notes.push((lsp::MessageType::ERROR, msg));
                }
                Settings::default()
            }
        };
        let settings = match settings::apply_editor_json(&base, &cfg.editor.raw) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("authlint: invalid editor settings: {e}");
                if cfg.shown.insert(msg.clone()) {
                    notes.push((lsp::MessageType::WARNING, msg));
                }
                base
            }
        };
        if let Some((_, l)) = cfg.linters.iter().find(|(s, _)| *s == settings) {
            return (Plan::Lint(l.clone()), notes);
        }
        let linter = Arc::new(Linter::with_source(
            settings.clone(),
            Arc::new(BufferSource::new(self.store.clone(), self.disk.clone())),
        ));
        cfg.linters.push((settings, linter.clone()));
        (Plan::Lint(linter), notes)
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

    /// Diagnostics for the document's current state: cached when nothing
    /// changed, else linted on the blocking pool. With `only_seq`, returns
    /// `None` without work when the document moved past that sequence.
    async fn compute(self: &Arc<Self>, uri: &Uri, only_seq: Option<u64>) -> Option<Computed> {
        let snap = {
            let store = lock(&self.store);
            let doc = store.docs.get(uri)?;
            if only_seq.is_some_and(|s| s != doc.seq) {
                return None;
            }
            if let Some(c) = &doc.cache {
                if c.seq == doc.seq {
                    return Some(c.clone());
                }
            }
            self.snapshot(doc)
        };
        let is_config = snap.path.file_name().is_some_and(|n| n == CONFIG_FILE);
        let mut extra = Vec::new();
        let mut diags = Vec::new();
        let mut tree = None;
        let mut analysis = None;
        let mut bracket_bound = None;
        if is_config {
            extra = self.config_file_diagnostics(&snap);
        } else if snap.lang.is_some() {
            let (plan, notes) = self.plan_for(&snap.path);
            self.show(notes);
            let too_big = match plan {
                Plan::Lint(_) => oversized::check(&snap.text),
                Plan::Off => None,
            };
            if let Some(why) = too_big {
                extra.push(oversized::notice(&why, &snap.path));
            } else if let Plan::Lint(linter) = plan {
                let text = snap.text.clone();
                let path = snap.path.clone();
                let lang = snap.lang;
                let old = snap.tree.clone();
                let prev = snap.analysis.clone();
                let mut bound = snap.bracket_bound;
                let joined = tokio::task::spawn_blocking(move || {
                    let linted = lint_text(
                        &linter,
                        &path,
                        &text,
                        lang,
                        old.as_ref(),
                        prev.as_deref(),
                        &mut bound,
                    );
                    (linted, bound)
                })
                .await
                .map(|(linted, bound)| {
                    bracket_bound = Some(bound);
                    linted
                });
                match joined {
                    Ok((t, a, Ok(d))) => {
                        tree = t;
                        analysis = a;
                        diags = d;
                    }
                    Ok((t, _, Err(skip))) => {
                        tree = t;
                        if mlock(&self.skipped).insert(uri.clone()) {
                            let client = self.client.clone();
                            let msg =
                                format!("authlint: {} not analysed: {skip}", snap.path.display());
                            tokio::spawn(async move {
                                client.log_message(lsp::MessageType::INFO, msg).await
                            });
                        }
                    }
                    Err(e) => {
                        let client = self.client.clone();
                        let msg = format!(
                            "authlint: internal error while linting {}: {e}",
                            snap.path.display()
                        );
                        tokio::spawn(async move {
                            client.log_message(lsp::MessageType::ERROR, msg).await
                        });
                    }
                }
            }
        }
        let computed = Computed {
            seq: snap.seq,
            version: snap.version,
            text: snap.text.clone(),
            line_map: snap.line_map.clone(),
            diags: Arc::new(diags),
            extra: Arc::new(extra),
        };
        let mut retired = (None, None, None);
        {
            let mut store = lock(&self.store);
            if let Some(doc) = store.docs.get_mut(uri) {
                // Same text object: the reparsed tree is current.
                if Arc::ptr_eq(&doc.text, &snap.text) {
                    if let Some(b) = bracket_bound {
                        doc.bracket_bound = b;
                    }
                    if let Some(t) = tree {
                        retired.0 = doc.tree.replace(t);
                        retired.1 = std::mem::replace(&mut doc.analysis, analysis.map(Arc::new));
                    }
                }
                if doc.seq == snap.seq {
                    retired.2 = doc.cache.replace(computed.clone());
                }
            }
        }
        // Freeing the previous results of a big file takes a while (every
        // site, finding and per-statement record): not on the way to
        // publishing the new ones.
        if retired.1.is_some() || retired.2.is_some() {
            tokio::task::spawn_blocking(move || drop((retired, snap)));
        }
        Some(computed)
    }

    /// A broken `authlint.toml`, shown on the file itself.
    fn config_file_diagnostics(&self, snap: &Snapshot) -> Vec<lsp::Diagnostic> {
        let result = {
            let cfg = mlock(&self.config);
            cfg.provider.config_for(&snap.path)
        };
        match result {
            // Problem paths may be relative to the working directory.
            Err(problem) if crate::config::absolute(&problem.path) == snap.path => {
                vec![self.problem_diagnostic(&problem, &snap.text, &snap.line_map)]
            }
            _ => Vec::new(),
        }
    }

    fn problem_diagnostic(
        &self,
        problem: &ConfigProblem,
        text: &str,
        map: &LineMap,
    ) -> lsp::Diagnostic {
        let enc = self.caps().encoding;
        let line = problem.line.saturating_sub(1) as u32;
        let start = to_offset(
            text,
            map,
            lsp::Position { line, character: 0 },
            Encoding::Utf8,
        );
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line_end = if text[..line_end].ends_with('\r') {
            line_end - 1
        } else {
            line_end
        };
        let col = text[start..line_end]
            .char_indices()
            .nth(problem.column.saturating_sub(1))
            .map_or(line_end, |(i, _)| start + i);
        let range = if problem.line == 0 {
            0..0
        } else {
            col..line_end.max(col)
        };
        lsp::Diagnostic {
            range: to_range(text, map, &range, enc),
            severity: Some(lsp::DiagnosticSeverity::ERROR),
            source: Some(SOURCE.into()),
            message: problem.message.clone(),
            ..Default::default()
        }
    }

    /// The LSP diagnostics to show for a computed state.
    fn to_lsp(&self, uri: &Uri, c: &Computed) -> Vec<lsp::Diagnostic> {
        let views = self.views(uri, c);
        let mut out: Vec<lsp::Diagnostic> = c.extra.iter().cloned().collect();
        out.extend(views.iter().map(diagnostics::View::to_lsp));
        out
    }

    /// The linter's findings in a computed state, as LSP describes them.
    fn views<'a>(&self, uri: &'a Uri, c: &'a Computed) -> Vec<diagnostics::View<'a>> {
        diagnostics::views(uri, c, self.caps().encoding, |p| self.module_text(p))
    }

    /// Marks `uris` for relinting; pushes fresh diagnostics (push mode) or
    /// asks the client to pull again (pull mode, when `refresh`).
    fn schedule(self: &Arc<Self>, uris: Vec<Uri>, refresh: bool) {
        let mut targets = Vec::new();
        {
            let mut store = lock(&self.store);
            for uri in uris {
                if let Some(doc) = store.docs.get_mut(&uri) {
                    doc.seq = self.next_seq();
                    targets.push((uri, doc.seq));
                }
            }
        }
        if targets.is_empty() {
            return;
        }
        let caps = self.caps();
        if caps.pull {
            if refresh && caps.refresh {
                let client = self.client.clone();
                tokio::spawn(async move {
                    let _ = client.workspace_diagnostic_refresh().await;
                });
            }
            return;
        }
        for (uri, _) in targets {
            let inner = self.clone();
            tokio::spawn(async move { inner.lint_and_publish(uri).await });
        }
    }

    /// Lints and publishes the document's latest state. At most one such
    /// task runs per document: a change arriving meanwhile only bumps `seq`,
    /// and the running task lints again when it finishes, so fast typing on
    /// a big file never piles up lints of intermediate versions.
    async fn lint_and_publish(self: Arc<Self>, uri: Uri) {
        {
            let mut store = lock(&self.store);
            let Some(doc) = store.docs.get_mut(&uri) else {
                return;
            };
            if doc.linting {
                return;
            }
            doc.linting = true;
        }
        // Clears the flag if this task ends early (a panic included).
        struct Guard<'a>(&'a Inner, &'a Uri, std::cell::Cell<bool>);
        impl Drop for Guard<'_> {
            fn drop(&mut self) {
                if self.2.get() {
                    if let Some(doc) = lock(&self.0.store).docs.get_mut(self.1) {
                        doc.linting = false;
                    }
                }
            }
        }
        let guard = Guard(&self, &uri, std::cell::Cell::new(true));
        loop {
            let Some(seq) = lock(&self.store).docs.get(&uri).map(|d| d.seq) else {
                return;
            };
            self.publish_latest(&uri, seq).await;
            // Check for newer changes and release the flag in one step, so a
            // change arriving now either sees the flag or is seen here.
            let mut store = lock(&self.store);
            let Some(doc) = store.docs.get_mut(&uri) else {
                return;
            };
            if doc.seq == seq {
                doc.linting = false;
                guard.2.set(false);
                return;
            }
        }
    }

    async fn publish_latest(self: &Arc<Self>, uri: &Uri, seq: u64) {
        let t0 = std::time::Instant::now();
        let Some(c) = self.compute(uri, Some(seq)).await else {
            return;
        };
        let t1 = std::time::Instant::now();
        let views = self.views(uri, &c);
        let n = c.extra.len() + views.len();
        let t2 = std::time::Instant::now();
        // The last notification's JSON, lent for this one (one publishing
        // task runs per document at a time).
        let mut last = lock(&self.store)
            .docs
            .get_mut(uri)
            .map(|d| std::mem::take(&mut d.published))
            .unwrap_or_default();
        let body = diagnostics::publish_body(uri, &c.extra, &views, Some(c.version), &mut last);
        if let Some(doc) = lock(&self.store).docs.get_mut(uri) {
            doc.published = last;
        }
        drop(views);
        let t3 = std::time::Instant::now();
        let _guard = self.publish.lock().await;
        let (current, changed_at) = lock(&self.store)
            .docs
            .get(uri)
            .map_or((None, None), |d| (Some(d.seq), d.changed_at));
        if current != Some(c.seq) {
            return; // a newer change or setting superseded this result
        }
        self.send_body(body);
        if timing() {
            let since = |t: std::time::Instant| (t3 - t).as_secs_f64() * 1e3;
            eprintln!(
                "authlint lsp timing: v{} wait {:.2} ms, compute {:.2} ms, convert {:.2} ms, serialize {:.2} ms, publish {:.2} ms, {n} diagnostics",
                c.version,
                // A change that arrived during the lint is not waited for.
                changed_at.map_or(0.0, |t| (since(t) - since(t0)).max(0.0)),
                (t1 - t0).as_secs_f64() * 1e3,
                (t2 - t1).as_secs_f64() * 1e3,
                (t3 - t2).as_secs_f64() * 1e3,
                t3.elapsed().as_secs_f64() * 1e3
            );
        }
    }

    /// Sends a `publishDiagnostics` body from [`diagnostics::publish_body`] (see
    /// [`output`]). Called with `publish` held, so publications keep the
    /// order in which their results were checked to be current.
    fn send_body(&self, body: Option<Vec<u8>>) {
        if self.flags.exit.load(Ordering::SeqCst) {
            return;
        }
        if let Some(body) = body {
            self.output.send_body(body);
        }
    }

    fn open_uris(&self) -> Vec<Uri> {
        lock(&self.store).docs.keys().cloned().collect()
    }

    /// `path` changed (buffer edit, close, or on disk): forget its summary
    /// and relint the open documents that import it.
    fn invalidate_dependents(self: &Arc<Self>, path: &Path) {
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
    fn reload_if_config_changed(self: &Arc<Self>, path: &Path) {
        if !self.caps().watch_dynamic && self.config_stamps.changed(path) {
            self.reload(None);
        }
    }

    /// Settings or `authlint.toml` changed: drop every cached result.
    fn reload(self: &Arc<Self>, provider: Option<Box<dyn ConfigProvider>>) {
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
    fn apply_editor_json(self: &Arc<Self>, value: Option<&Value>, merge_with_init: bool) {
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

    async fn fetch_configuration(self: Arc<Self>) {
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

    async fn register(self: Arc<Self>) {
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

/// `{"authlint": {...}}` -> `{...}`; anything else unchanged.
fn unwrap_section(v: &Value) -> &Value {
    match v.get("authlint") {
        Some(inner) if inner.is_object() => inner,
        _ => v,
    }
}

/// `AUTHLINT_LSP_TIMING=1` prints per-phase timings to stderr.
fn timing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("AUTHLINT_LSP_TIMING").is_some_and(|v| v != "0"))
}

/// Parses (incrementally from `old`) and lints, reusing `prev` (the
/// analysis of `old` before its edits) for the statements the edits did not
/// touch. Returns the new tree when the text was parsed, and its analysis
/// when it was linted.
fn lint_text(
    linter: &Linter,
    path: &Path,
    text: &str,
    lang: Option<Language>,
    old: Option<&tree_sitter::Tree>,
    prev: Option<&crate::lint::Analysis>,
    bracket_bound: &mut usize,
) -> (
    Option<tree_sitter::Tree>,
    Option<crate::lint::Analysis>,
    std::result::Result<Vec<Diagnostic>, Skip>,
) {
    let Some(lang) = lang else {
        return (None, None, Err(Skip::NotSupported));
    };
    if text.len() > MAX_FILE_BYTES {
        return (None, None, Err(Skip::TooLarge(text.len())));
    }
    if !linter.can_hold_finding(path, text, lang) {
        return (None, None, Ok(Vec::new()));
    }
    // The same guard as `Linter::lint_as`: deep nesting is skipped before
    // the parser (and the tree walks after it) can recurse on it. The text
    // is scanned only when the bound kept through the edits allows too much.
    if *bracket_bound > crate::lint::MAX_BRACKET_DEPTH {
        *bracket_bound = engine::syntax::bracket_depth(text);
        if *bracket_bound > crate::lint::MAX_BRACKET_DEPTH {
            return (None, None, Err(Skip::TooDeep));
        }
    }
    let t0 = std::time::Instant::now();
    let Some(tree) = engine::parse(lang, text, old) else {
        return (None, None, Err(Skip::ParseFailed));
    };
    let t1 = std::time::Instant::now();
    let reuse = match (old, prev) {
        (Some(old_tree), Some(analysis)) => Some(crate::lint::Reuse { analysis, old_tree }),
        _ => None,
    };
    let result = linter.lint_tree_reusing(path, text, lang, &tree, reuse);
    if timing() {
        let extracted = match &result {
            Ok((_, a)) => {
                let (kept, sites) = a.kept();
                a.extracted().map_or(String::new(), |(e, n)| {
                    format!(", {e}/{n} statements extracted, {kept}/{sites} sites' findings kept")
                })
            }
            Err(_) => String::new(),
        };
        eprintln!(
            "authlint lsp timing: parse {:.2} ms ({}), lint {:.2} ms{extracted}",
            (t1 - t0).as_secs_f64() * 1e3,
            if old.is_some() { "incremental" } else { "full" },
            t1.elapsed().as_secs_f64() * 1e3
        );
    }
    match result {
        Ok((diags, analysis)) => (Some(tree), Some(analysis), Ok(diags)),
        Err(skip) => (Some(tree), None, Err(skip)),
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
