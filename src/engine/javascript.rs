//! JavaScript and TypeScript extraction: turns the captures of
//! `queries/javascript/responses.scm` into [`ResponseSite`]s.
//!
//! This file holds the entry points ([`extract`], [`summarize`],
//! [`incremental`]), the query and its kind table, and the per-file facts
//! [`Cx`]. The rest, in the order extraction uses it:
//! - `context`: building [`Cx`] (statement scan, parents, imports, lookups);
//!   `nodes`: small questions about syntax nodes.
//! - `candidates`: the query's captures classified into kinds of site; the
//!   builders per kind: `web` (`new Response`, `Response.json`), `chains`
//!   (Express/Fastify/Koa/Hono method chains), `objects` (status
//!   assignments, Lambda result objects), `errors` (Hono, NestJS,
//!   http-errors, errors with a status), `packs` (framework packs).
//! - `status` and `headers`: evaluating a status code and the headers (the
//!   `WWW-Authenticate` challenge) of a site.
//! - `site`: a recognised response becomes a [`ResponseSite`], with its
//!   `guards` (the condition it answers), `logging`, and `site_context`
//!   (condition splits, middleware).
//! - `helpers`: same-file response helpers and their call sites;
//!   `summary`: what other files see of this one.

use super::eval::HeaderEval;
use super::index::{HelperSig, ProjectIndex};
use super::model::*;
use super::query::KindTable;
use super::syntax::{self, named_children, string_value, text, NodeExt};
use super::Language;
use crate::settings::Settings;
use std::cell::{Cell, RefCell};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;
use tree_sitter::{Node, Query, Tree};

mod candidates;
mod central;
mod chains;
mod context;
mod error_answer;
mod error_classes;
mod errors;
mod guards;
mod headers;
mod helpers;
pub(super) mod incremental;
mod logging;
mod nodes;
mod objects;
mod packs;
mod site;
mod site_context;
mod status;
mod summary;
mod web;
pub use incremental::State;
pub use summary::{summarize, text_reexports};

/// A set of names, shared with the statements that declare them (rebuilt
/// from every statement's share on every keystroke in the language server).
type NameSet = rustc_hash::FxHashSet<std::sync::Arc<str>>;

const QUERY_SOURCE: &str = include_str!("../../queries/javascript/responses.scm");

/// The response query as a table from node kind to capture, when it has
/// that shape (see [`super::query`]), and the kind id of string literals.
pub(super) struct Tables {
    kinds: Option<KindTable>,
    string: u16,
}

impl Tables {
    /// The kind table, unless a test asks for the query engine.
    fn kinds(&self) -> Option<&KindTable> {
        #[cfg(test)]
        if QUERY_ENGINE_ONLY.with(Cell::get) {
            return None;
        }
        self.kinds.as_ref()
    }
}

#[cfg(test)]
thread_local! {
    /// Run the response query with tree-sitter's query engine, as for a
    /// query that is not a kind table.
    static QUERY_ENGINE_ONLY: Cell<bool> = const { Cell::new(false) };
}

pub(super) fn tables(lang: Language) -> &'static Tables {
    static JS: OnceLock<Tables> = OnceLock::new();
    static TS: OnceLock<Tables> = OnceLock::new();
    static TSX: OnceLock<Tables> = OnceLock::new();
    let cell = match lang {
        Language::TypeScript => &TS,
        Language::Tsx => &TSX,
        _ => &JS,
    };
    cell.get_or_init(|| {
        let grammar = lang.grammar();
        Tables {
            kinds: KindTable::new(&grammar, QUERY_SOURCE, "site."),
            string: grammar.id_for_node_kind("string", true),
        }
    })
}

/// What one walk over a top-level statement found ([`Cx::scan_stmt`]).
pub(super) struct StmtScan<'t> {
    /// The opening quotes of its first string literals.
    pub quotes: Vec<u8>,
    /// The nodes the response query captures, by capture name, in document
    /// order; `None` when the query is not a kind table (it is run with a
    /// query cursor instead).
    pub captures: Option<Vec<(&'static str, Node<'t>)>>,
}

fn query(lang: Language) -> Option<&'static Query> {
    static JS: OnceLock<Option<Query>> = OnceLock::new();
    static TS: OnceLock<Option<Query>> = OnceLock::new();
    static TSX: OnceLock<Option<Query>> = OnceLock::new();
    let cell = match lang {
        Language::TypeScript => &TS,
        Language::Tsx => &TSX,
        _ => &JS,
    };
    cell.get_or_init(|| Query::new(&lang.grammar(), QUERY_SOURCE).ok())
        .as_ref()
}

/// How deep value resolution (spreads of spreads, constants of constants) goes.
const MAX_RESOLVE_DEPTH: usize = 6;

/// Per-file facts, computed once.
struct Cx<'a> {
    path: &'a Path,
    src: &'a str,
    root: Node<'a>,
    settings: &'a Settings,
    index: &'a ProjectIndex,
    /// local name -> (module specifier, imported name or "default" or "*")
    imports: HashMap<String, (String, String)>,
    /// Names declared anywhere in the file (imports, variables, params, functions).
    declared: NameSet,
    /// Functions (by name) whose body logs.
    logging_fns: HashSet<String>,
    /// Same-file response helpers.
    helpers: HashMap<String, HelperSig>,
    quote: char,
    semicolons: bool,
    newline: &'static str,
    is_test_file: bool,
    /// The file imports or requires `express`: its `res.set` may be used.
    express: bool,
    /// The file `require`s a package whose default export a pack describes
    /// (`const createError = require('http-errors')`): any name it binds may be that.
    requires_default: bool,
    /// The loggers the file calls (`logger.warn`, `request.log.info`), in
    /// order, for fixes (from the statements' facts).
    file_loggers: Vec<String>,
    /// Node id -> parent. `Node::parent` walks down from the root on every
    /// call, which is quadratic over a file; this map is filled one
    /// top-level statement at a time ([`Cx::build_parents`]).
    parents: syntax::IdMap<Node<'a>>,
    /// The top-level statements (named children of the root), and whether
    /// each one's parents are in `parents`.
    stmts: Vec<Node<'a>>,
    built: Vec<bool>,
    /// Top-level declarators by the names they bind.
    top_decls: HashMap<String, Node<'a>>,
    /// Every name bound at the top level, in file order (duplicates too).
    top_order: Vec<String>,
    /// What extraction read outside the statement it works on (for reuse
    /// by [`incremental`]).
    rec: Recorder,
}

/// Reads of file-wide state, recorded while one statement is extracted.
#[derive(Default)]
struct Recorder {
    on: bool,
    /// Start bytes of nodes read in other top-level statements (constants,
    /// header builders, helpers).
    reads: RefCell<Vec<usize>>,
    /// The statement read the whole file (a site outside any function).
    global: Cell<bool>,
    /// Names looked up in `declared`.
    queried: RefCell<Vec<String>>,
}

/// One top-level statement's share of the file-wide facts.
#[derive(Debug, Clone, Default, PartialEq)]
struct StmtFacts {
    declared: Vec<std::sync::Arc<str>>,
    /// Receivers of log calls in the statement (`req.log`, `logger`).
    loggers: Vec<String>,
    imports: Vec<(String, (String, String))>,
    stmts: usize,
    stmts_with_semi: usize,
}

/// The file model, or `None` when a node lies deeper than `depth_limit` in
/// the tree (checked in the first walk over each statement, before anything
/// recurses on it).
pub fn extract(
    path: &Path,
    src: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
    depth_limit: Option<usize>,
) -> Option<FileModel> {
    let mode = incremental::Mode {
        keep: false,
        depth_limit,
    };
    incremental::extract(path, src, lang, tree, settings, index, None, mode)
        .ok()
        .map(|(model, _)| model)
}

impl<'a> Cx<'a> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind table and tree-sitter's query engine give the same model
    /// for every fixture, one-off and per statement.
    #[test]
    fn kind_table_and_query_engine_give_the_same_model() {
        let settings = Settings::default();
        let index = ProjectIndex::new(std::sync::Arc::new(crate::engine::index::FsSource));
        let mut sites = 0;
        for (p, lang, src) in crate::engine::test_sources() {
            if lang.is_python() {
                continue;
            }
            let tree = crate::engine::parse(lang, &src, None).expect("parsed");
            let run = |query_engine: bool| {
                QUERY_ENGINE_ONLY.with(|c| c.set(query_engine));
                let model = extract(&p, &src, lang, &tree, &settings, &index, None)
                    .expect("within the depth limit");
                let summary = summarize(&p, &src, &tree, &index);
                QUERY_ENGINE_ONLY.with(|c| c.set(false));
                let mut exports: Vec<String> = summary
                    .exports
                    .iter()
                    .map(|(name, e)| format!("{name}: {e:?}"))
                    .collect();
                exports.sort();
                exports.push(format!("{:?}", summary.default_export));
                (format!("{model:?}"), exports, model.sites.len())
            };
            let (a, b) = (run(false), run(true));
            assert_eq!(a, b, "{}", p.display());
            sites += a.2;
        }
        assert!(sites > 500, "only {sites} sites");
    }
}
