//! Python extraction: FastAPI/Starlette, Flask/Werkzeug, Django and AWS
//! Lambda handlers. Turns the captures of `queries/python/responses.scm`
//! into [`ResponseSite`]s, the same model the JavaScript extractor fills.
//!
//! Everything here walks the tree iteratively (explicit stacks, bounded
//! parent walks) and resolves values at most [`MAX_RESOLVE_DEPTH`] levels
//! deep, so no input can overflow the stack.
//!
//! This file holds the entry points ([`extract`], [`summarize`],
//! [`incremental`]), the query, the per-file facts [`Cx`] and the types the
//! child modules share. The rest, in the order extraction uses it:
//! - `facts` (one statement's share of the file's facts) and `context`
//!   (building [`Cx`], imports, lookups); `nodes`: small questions about
//!   syntax nodes.
//! - `candidates`: the query's captures classified into kinds of site; the
//!   builders per kind: `constructors` (FastAPI/Starlette, Flask/Werkzeug,
//!   Django), `objects` (Flask tuples, status assignments, Lambda dicts),
//!   `error_classes` (exception classes with a status and their `raise`s),
//!   `packs` (framework packs).
//! - `status` and `headers`: evaluating a status code and the headers (the
//!   `WWW-Authenticate` challenge) of a site.
//! - `site`: a recognised response becomes a [`ResponseSite`], with its
//!   `guards` (the condition it answers), `logging` and `split` (condition
//!   splits).
//! - `helpers`: same-file response helpers and their call sites;
//!   `summary`: what other files see of this one.
//!
//! Decisions worth knowing:
//! - A log fix is only offered when a logger is really in scope (a
//!   module-level `logger = logging.getLogger(...)`, an imported `logging`,
//!   Flask's `app.logger`…); otherwise `log_insertion` is `None` so the fix
//!   never inserts a call to a name the file does not define.
//! - `abort(401)` and `raise Unauthorized()` have no plain-string header
//!   argument (Werkzeug wants a `WWWAuthenticate` object), so they get no
//!   header fix.
//! - An exception object assigned to a variable and raised later
//!   (`credentials_exception = HTTPException(...)`, FastAPI's tutorial
//!   pattern) yields one site per `raise`, so guards and logging are judged
//!   where the response is really produced.

use super::eval::StatusEval;
use super::index::{ErrorCtor, HelperSig, ModuleSummary, ProjectIndex};
use super::model::*;
use super::syntax::{self, named_children, text, NodeExt};
use super::Language;
use crate::settings::Settings;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tree_sitter::{Node, Query, Tree};

mod candidates;
mod central;
mod constructors;
mod context;
mod drf;
mod error_classes;
mod facts;
mod guards;
mod headers;
mod helpers;
pub mod incremental;
mod logging;
mod nodes;
mod objects;
mod packs;
mod site;
mod split;
mod status;
mod summary;
use candidates::candidates;
use helpers::{call_sites, collect_helpers};
use site::Raw;
pub use summary::{summarize, text_reexports};

/// A name from the source, shared by the statements' kept facts and the
/// file's tables (rebuilt from them on every keystroke in the language server).
type Name = std::sync::Arc<str>;

const QUERY_SOURCE: &str = include_str!("../../queries/python/responses.scm");

fn query() -> Option<&'static Query> {
    static Q: OnceLock<Option<Query>> = OnceLock::new();
    Q.get_or_init(|| Query::new(&Language::Python.grammar(), QUERY_SOURCE).ok())
        .as_ref()
}

/// How deep value resolution (constants of constants, `**spreads`) goes.
const MAX_RESOLVE_DEPTH: usize = 6;
/// How many ancestors a parent walk visits at most.
const MAX_PARENT_WALK: usize = 512;

/// Where a called name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Imported from (or spelled through) a web framework module.
    Framework(Framework),
    /// Not imported, not defined here (a star import, a global).
    Unknown,
    /// Defined in this project (this file or a relative import).
    Project,
    /// Imported from some other library (`httpx`, `requests`, `unittest.mock`…).
    Foreign,
}

/// A parameter of a `def`.
#[derive(Debug, Clone)]
struct Param<'a> {
    name: String,
    default: Option<Node<'a>>,
    /// After `*` or `*args`: can only be passed by keyword.
    kw_only: bool,
    /// `*args` / `**kwargs`.
    splat: bool,
}

/// A response helper defined in this file.
#[derive(Debug, Clone)]
struct LocalHelper<'a> {
    sig: HelperSig,
    def: Node<'a>,
}

/// How a project exception class gets its status.
#[derive(Debug, Clone)]
enum ClassStatus {
    Fixed(u16),
    /// An `__init__` parameter (index without `self`), with its default.
    Param {
        index: usize,
        name: String,
        default: Option<u16>,
    },
}

/// A project exception class that becomes a response when raised.
#[derive(Debug, Clone)]
struct ErrorClass<'a> {
    framework: Framework,
    status: ClassStatus,
    challenge: Option<ChallengeHeader>,
    headers_opaque: bool,
    /// `headers` is an `__init__` parameter (index without `self`, name).
    headers_param: Option<(usize, String)>,
    message: Option<String>,
    detail_param: Option<(usize, String)>,
    /// The `super().__init__(...)` call, where a header fix goes (same file only).
    super_call: Option<Node<'a>>,
    definition: Range<usize>,
    /// Defined in another file (evidence path).
    defined_in: Option<PathBuf>,
    /// For a project class that is no framework's exception: its name and
    /// its project bases' names, nearest first (`ErrorClassSig::lineage`).
    lineage: Vec<String>,
    /// A response class with a fixed status (`ErrorClassSig::response`).
    response: bool,
}

impl ErrorClass<'_> {
    /// A class of `framework` with `status`, defined at `definition`, and
    /// nothing else known yet.
    fn bare(framework: Framework, status: ClassStatus, definition: Range<usize>) -> Self {
        ErrorClass {
            framework,
            status,
            challenge: None,
            headers_opaque: false,
            headers_param: None,
            message: None,
            detail_param: None,
            super_call: None,
            definition,
            defined_in: None,
            lineage: Vec::new(),
            response: false,
        }
    }

    /// Which `__init__` parameters carry the status, message and headers,
    /// for a class of the project's own lineage (subclasses map their
    /// `super().__init__` arguments through it).
    fn ctor(&self) -> Option<ErrorCtor> {
        (!self.lineage.is_empty()).then(|| ErrorCtor {
            status: match &self.status {
                ClassStatus::Param { index, name, .. } => Some((*index, name.clone())),
                ClassStatus::Fixed(_) => None,
            },
            detail: self.detail_param.clone(),
            headers: self.headers_param.clone(),
        })
    }
}

/// A statement's start and the unconditional log call in it.
type BlockLog = (usize, Range<usize>);

/// A relative module resolved to its file and summary.
type ResolvedModule = (PathBuf, std::sync::Arc<ModuleSummary>);

/// What an earlier extraction of the file lets [`Cx::new_with`] skip.
struct Earlier<'h, 'a> {
    /// Statement `i`'s share of the facts, when it is unchanged.
    share: &'h dyn Fn(usize, Node<'a>) -> Option<facts::Share<'a>>,
    /// Whether function `def` logs on its own (the first round of finding
    /// the logging functions, before calls to others count), when known.
    logs: &'h dyn Fn(&Cx<'a>, Node<'a>) -> Option<bool>,
    /// Keep the shares of the statements walked (`Cx::walked`).
    keep: bool,
    /// The quote style and how much text finding it read, when the text
    /// has not changed that far.
    quote: Option<(char, usize)>,
}

/// Per-file facts, computed once.
struct Cx<'a> {
    path: &'a Path,
    src: &'a str,
    root: Node<'a>,
    settings: &'a Settings,
    index: &'a ProjectIndex,
    /// local name -> (module, imported name; `*` for `import module`)
    imports: HashMap<Name, (Name, Name)>,
    /// Names bound anywhere in the file.
    declared: HashSet<Name>,
    /// Module-level `NAME = value`.
    module_values: HashMap<Name, Node<'a>>,
    /// Module-level `NAME = ...` assignments by name, in source order.
    module_assigns: HashMap<Name, Vec<Node<'a>>>,
    /// `def`s by name (first definition wins).
    functions: HashMap<Name, Node<'a>>,
    /// `class`es by name.
    classes: HashMap<Name, Node<'a>>,
    logging_fns: HashSet<String>,
    helpers: HashMap<String, LocalHelper<'a>>,
    error_classes: HashMap<String, ErrorClass<'a>>,
    logger: Option<Name>,
    framework_hint: Option<Framework>,
    quote: char,
    newline: &'static str,
    is_test_file: bool,
    /// Named node id -> parent (`Node::parent` walks down from the root each
    /// call), filled one top-level statement at a time, when first asked.
    parents: std::cell::RefCell<syntax::IdMap<Node<'a>>>,
    /// The root's named children, and which have their parents mapped.
    stmts: Vec<Node<'a>>,
    mapped: std::cell::RefCell<Vec<bool>>,
    /// Each function looked at in the first round of finding the logging
    /// functions (by start offset, in order), and whether it logs on its own.
    logs_alone: Vec<(usize, bool)>,
    /// The statements walked for their share of the facts (not given by an
    /// earlier extraction), with the share to keep, when asked to keep them.
    walked: Vec<(usize, facts::Kept)>,
    /// The words of each function's text (by the function's start), to
    /// find quickly which functions may call one of a few names.
    fn_words: syntax::IdMap<facts::Words>,
    /// How much of the text finding the quote style read.
    quote_read: usize,
    /// Per block (by node id): its statements' unconditional logs (statement start, log range).
    block_logs: std::cell::RefCell<syntax::IdMap<Vec<BlockLog>>>,
    /// Relative modules already resolved (each is read from disk once per file).
    modules: std::cell::RefCell<HashMap<String, Option<ResolvedModule>>>,
}

pub fn extract(
    path: &Path,
    src: &str,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
) -> FileModel {
    let mut cx = Cx::new(path, src, tree, settings, index);
    let quote = cx.quote;
    if cx.is_test_file {
        return FileModel {
            sites: Vec::new(),
            origin: Vec::new(),
            quote,
            semicolons: false,
        };
    }
    let (raw, calls) = candidates(&cx, None);
    cx.helpers = collect_helpers(&cx, &raw);
    let sites = finish_sites(&cx, raw, &calls);
    FileModel {
        sites,
        origin: Vec::new(),
        quote,
        semicolons: false,
    }
}

/// The sites `raw` and the helper and class calls `calls` give, in order
/// (a site once), with their splits.
fn finish_sites<'t>(cx: &Cx<'t>, raw: Vec<Raw<'t>>, calls: &[Node<'t>]) -> Vec<ResponseSite> {
    let mut sites: Vec<ResponseSite> = raw.into_iter().filter_map(|r| r.into_site(cx)).collect();
    sites.extend(call_sites(cx, calls));
    sites.sort_by_key(|s| (s.range.start, s.range.end));
    sites.dedup_by(|a, b| a.range == b.range && a.status == b.status);
    split::annotate(cx, &mut sites);
    sites
}

impl<'a> Cx<'a> {}

#[cfg(test)]
mod tests;
