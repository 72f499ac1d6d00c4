//! Scheduling lints and sending their results: pushed
//! (`publishDiagnostics`) only while the document is still at the linted
//! sequence number, or a pull client asked to refresh.

use super::compute::timing;
use super::document::lock;
use super::{diagnostics, Inner};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tower_lsp_server::lsp_types::Uri;

impl Inner {
    /// Marks `uris` for relinting; pushes fresh diagnostics (push mode) or
    /// asks the client to pull again (pull mode, when `refresh`).
    pub(super) fn schedule(self: &Arc<Self>, uris: Vec<Uri>, refresh: bool) {
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

    /// Sends a `publishDiagnostics` body from [`diagnostics::publish_body`]
    /// (see [`output`](super::output)). Called with `publish` held, so
    /// publications keep the order in which their results were checked to be
    /// current.
    pub(super) fn send_body(&self, body: Option<Vec<u8>>) {
        if self.flags.exit.load(Ordering::SeqCst) {
            return;
        }
        if let Some(body) = body {
            self.output.send_body(body);
        }
    }

    pub(super) fn open_uris(&self) -> Vec<Uri> {
        lock(&self.store).docs.keys().cloned().collect()
    }
}
