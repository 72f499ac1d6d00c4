//! Linting one document: which configuration applies ([`Plan`]), linting
//! on the blocking pool (incrementally, from the previous tree and
//! analysis), and the LSP diagnostics of the result and of a broken
//! `authlint.toml`.

use super::diagnostics::SOURCE;
use super::document::{lock, to_offset, to_range, BufferSource, Computed, Document};
use super::settings::{ConfigProblem, CONFIG_FILE};
use super::{diagnostics, mlock, oversized, settings, Inner, Plan, Snapshot};
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Language};
use crate::lint::{Linter, Skip, MAX_FILE_BYTES};
use crate::settings::Settings;
use crate::source::{Encoding, LineMap};
use std::path::Path;
use std::sync::Arc;
use tower_lsp_server::lsp_types::{self as lsp, Uri};

/// `AUTHLINT_LSP_TIMING=1` prints per-phase timings to stderr.
pub(super) fn timing() -> bool {
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

impl Inner {
    pub(super) fn snapshot(&self, doc: &Document) -> Snapshot {
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
    pub(super) fn plan_for(&self, path: &Path) -> (Plan, Vec<(lsp::MessageType, String)>) {
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

    /// Diagnostics for the document's current state: cached when nothing
    /// changed, else linted on the blocking pool. With `only_seq`, returns
    /// `None` without work when the document moved past that sequence.
    pub(super) async fn compute(
        self: &Arc<Self>,
        uri: &Uri,
        only_seq: Option<u64>,
    ) -> Option<Computed> {
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
    pub(super) fn to_lsp(&self, uri: &Uri, c: &Computed) -> Vec<lsp::Diagnostic> {
        let views = self.views(uri, c);
        let mut out: Vec<lsp::Diagnostic> = c.extra.iter().cloned().collect();
        out.extend(views.iter().map(diagnostics::View::to_lsp));
        out
    }

    /// The linter's findings in a computed state, as LSP describes them.
    pub(super) fn views<'a>(&self, uri: &'a Uri, c: &'a Computed) -> Vec<diagnostics::View<'a>> {
        diagnostics::views(uri, c, self.caps().encoding, |p| self.module_text(p))
    }
}
