//! The analysis engine: parse a file, find where responses are built, and
//! describe each one in a language-neutral [`model::ResponseSite`].
//!
//! Queries live in `queries/<language>/*.scm` and are compiled once per
//! process. Language-specific extraction lives in [`javascript`] and
//! [`python`]; everything downstream (rules, suppressions, front ends)
//! works on the model only.

pub mod aliases;
pub mod clues;
pub mod credential;
mod eval;
pub mod index;
pub mod javascript;
pub mod limits;
pub mod loggers;
pub mod middleware;
pub mod model;
pub mod project;
pub mod python;
pub mod query;
pub mod statements;
pub mod syntax;
pub mod workspaces;

use std::path::Path;
use tree_sitter::{Parser, Tree};

pub use index::{FsSource, ModuleSource, ProjectIndex};

/// A language authlint understands, chosen by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// `.js .jsx .mjs .cjs` (the JavaScript grammar parses JSX).
    JavaScript,
    /// `.ts .mts .cts`
    TypeScript,
    /// `.tsx`
    Tsx,
    /// `.py .pyi`
    Python,
}

impl Language {
    pub fn from_path(path: &Path) -> Option<Language> {
        let ext = path.extension()?.to_str()?;
        Some(match ext {
            "js" | "jsx" | "mjs" | "cjs" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "py" | "pyi" => Language::Python,
            _ => return None,
        })
    }

    /// The LSP language ids this language answers to.
    pub fn from_language_id(id: &str) -> Option<Language> {
        Some(match id {
            "javascript" | "javascriptreact" => Language::JavaScript,
            "typescript" => Language::TypeScript,
            "typescriptreact" => Language::Tsx,
            "python" => Language::Python,
            _ => return None,
        })
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
        }
    }

    /// The language framework packs are written for.
    pub fn pack_language(self) -> crate::packs::PackLanguage {
        if self.is_python() {
            crate::packs::PackLanguage::Python
        } else {
            crate::packs::PackLanguage::Javascript
        }
    }

    pub fn is_python(self) -> bool {
        self == Language::Python
    }

    /// The line-comment leader used for suppression comments.
    pub fn comment_prefix(self) -> &'static str {
        if self.is_python() {
            "#"
        } else {
            "//"
        }
    }
}

/// Parses `text`, reusing `old` (already `edit`ed) for an incremental parse.
/// Returns `None` only if tree-sitter gives up (it is error-tolerant).
pub fn parse(lang: Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
    thread_local! {
        static PARSERS: std::cell::RefCell<Vec<(Language, Parser)>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let idx = match parsers.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                let mut p = Parser::new();
                p.set_language(&lang.grammar()).ok()?;
                parsers.push((lang, p));
                parsers.len() - 1
            }
        };
        parsers[idx].1.parse(text, old)
    })
}

use crate::settings::Settings;
use model::FileModel;
use std::path::PathBuf;

/// What one extraction leaves for the next extraction of the same document
/// (see [`extract_reusing`]).
pub struct Analysis {
    lang: Language,
    path: PathBuf,
    settings: Settings,
    stamp: index::DependencyStamp,
    js: Option<javascript::State>,
    py: Option<python::incremental::State>,
}

impl Analysis {
    /// (top-level statements re-extracted, top-level statements), when the
    /// language keeps per-statement results.
    pub fn extracted(&self) -> Option<(usize, usize)> {
        match (&self.js, &self.py) {
            (Some(s), _) => Some((s.extracted(), s.statements())),
            (None, Some(s)) => Some((s.extracted(), s.statements())),
            (None, None) => None,
        }
    }
}

/// A previous extraction to reuse: its [`Analysis`] and its tree, `edit`ed
/// with every change made to the text since (the tree passed to the
/// incremental parse).
#[derive(Clone, Copy)]
pub struct Reuse<'a> {
    pub analysis: &'a Analysis,
    pub old_tree: &'a Tree,
}

/// [`extract`], reusing what `prev` found in the parts of the file the
/// edits did not touch. The model is the one `extract` gives for this text.
/// Both languages keep results per top-level statement (see
/// `javascript::incremental` and `python::incremental`). `None` when the
/// tree is nested deeper than [`limits::MAX_TREE_DEPTH`] (checked
/// there, where unchanged statements need no walk).
pub fn extract_reusing(
    path: &Path,
    text: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
    prev: Option<Reuse<'_>>,
) -> Option<(FileModel, Analysis)> {
    let limit = limits::MAX_TREE_DEPTH;
    let before = index.stamp(path);
    let current = prev.filter(|p| {
        let a = p.analysis;
        a.lang == lang
            && a.path == path
            && a.settings == *settings
            && ProjectIndex::stamp_covers(&before, &a.stamp)
    });
    let prev_js = current.and_then(|p| p.analysis.js.as_ref().map(|s| (s, p.old_tree)));
    let prev_py = current.and_then(|p| p.analysis.py.as_ref().map(|s| (s, p.old_tree)));
    let (model, js, py) = if lang.is_python() {
        let (model, state) =
            python::incremental::extract(path, text, tree, settings, index, prev_py, limit)?;
        (model, None, Some(state))
    } else {
        let mode = javascript::incremental::Mode {
            keep: true,
            depth_limit: Some(limit),
        };
        let (model, js) = javascript::incremental::extract(
            path, text, lang, tree, settings, index, prev_js, mode,
        )
        .ok()?;
        (model, js, None)
    };
    let after = index.stamp(path);
    // An imported module changed while this ran: keep nothing.
    let unchanged = ProjectIndex::stamp_covers(&after, &before);
    let js = js.filter(|_| unchanged);
    let py = py.filter(|_| unchanged);
    let analysis = Analysis {
        lang,
        path: path.to_path_buf(),
        settings: settings.clone(),
        stamp: after,
        js,
        py,
    };
    Some((model, analysis))
}

/// Builds the file model: every response site with its evidence.
pub fn extract(
    path: &Path,
    text: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
) -> FileModel {
    extract_within(path, text, lang, tree, settings, index, usize::MAX).unwrap_or_default()
}

/// [`extract`], or `None` when the tree is nested deeper than `limit`
/// (checked before anything recurses on it).
pub fn extract_within(
    path: &Path,
    text: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
    limit: usize,
) -> Option<FileModel> {
    if lang.is_python() {
        if syntax::depth_exceeds(tree, limit) {
            return None;
        }
        Some(python::extract(path, text, tree, settings, index))
    } else {
        javascript::extract(path, text, lang, tree, settings, index, Some(limit))
    }
}

/// Summarises what a module exports (constants, header objects, helpers).
pub fn summarize_module(
    path: &Path,
    text: &str,
    lang: Language,
    index: &ProjectIndex,
) -> Option<index::ModuleSummary> {
    if !syntax::may_export_response_facts(text, lang.is_python()) {
        // Nothing it could export matters here: skip the parse. A barrel
        // module's re-exports are read from its text (`export * from './errors'`).
        return Some(index::ModuleSummary {
            reexports: match lang.is_python() {
                true => python::text_reexports(path, text, index),
                false => javascript::text_reexports(path, text, index),
            },
            ..Default::default()
        });
    }
    let tree = parse(lang, text, None)?;
    if syntax::depth_exceeds(&tree, limits::MAX_TREE_DEPTH) {
        return None;
    }
    Some(if lang.is_python() {
        index::ModuleSummary {
            reexports: python::text_reexports(path, text, index),
            ..python::summarize(path, text, &tree)
        }
    } else {
        javascript::summarize(path, text, &tree, index)
    })
}

/// Every JavaScript, TypeScript and Python file under `tests/` and
/// `examples/`, parsed as its extension says: for tests that compare two
/// ways of reading trees.
#[cfg(test)]
pub(crate) fn test_sources() -> Vec<(PathBuf, Language, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, Language, String)>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if let Some(lang) = Language::from_path(&p) {
                if let Ok(src) = std::fs::read_to_string(&p) {
                    out.push((p, lang, src));
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("tests"), &mut out);
    walk(&root.join("examples"), &mut out);
    assert!(out.len() > 50, "found {} files", out.len());
    out
}
