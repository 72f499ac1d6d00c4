//! Python extraction: FastAPI/Starlette, Flask/Werkzeug, Django and AWS
//! Lambda handlers. Turns the captures of `queries/python/responses.scm`
//! into [`ResponseSite`]s, the same model the JavaScript extractor fills.
//!
//! Everything here walks the tree iteratively (explicit stacks, bounded
//! parent walks) and resolves values at most [`MAX_RESOLVE_DEPTH`] levels
//! deep, so no input can overflow the stack.
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

use super::eval::{is_challenge_name, HeaderEval, StatusEval};
use super::index::{ErrorClassSig, Export, HelperSig, ModuleSummary, ProjectIndex};
use super::model::*;
use super::syntax::{self, named_children, string_value, text, NodeExt};
use super::Language;
use crate::settings::Settings;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor, Tree};

/// A name from the source, shared by the statements' kept facts and the
/// file's tables (rebuilt from them on every keystroke in the language server).
type Name = std::sync::Arc<str>;

mod facts;
pub mod incremental;
mod packs;
mod split;

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

/// The framework a module belongs to, from its import path.
fn module_framework(module: &str) -> Option<Framework> {
    match module.split('.').next().unwrap_or("") {
        "fastapi" | "starlette" => Some(Framework::FastApi),
        "flask" | "werkzeug" | "quart" => Some(Framework::Flask),
        "django" | "rest_framework" | "ninja" => Some(Framework::Django),
        _ => None,
    }
}

/// Statuses named by `HTTPStatus` members.
fn named_status(name: &str) -> Option<u16> {
    Some(match name.to_ascii_uppercase().as_str() {
        "OK" => 200,
        "CREATED" => 201,
        "NO_CONTENT" => 204,
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "PAYMENT_REQUIRED" => 402,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "CONFLICT" => 409,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "BAD_GATEWAY" => 502,
        "SERVICE_UNAVAILABLE" => 503,
        _ => return None,
    })
}

/// `HTTP_401_UNAUTHORIZED` → 401 (Starlette / DRF `status` constants).
fn status_constant(name: &str) -> Option<u16> {
    let rest = name.strip_prefix("HTTP_")?;
    let digits = rest.get(..3)?;
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if rest.len() > 3 && !rest[3..].starts_with('_') {
        return None;
    }
    digits.parse().ok().filter(|c| (100..=599).contains(c))
}

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

impl<'a> Cx<'a> {
    fn new(
        path: &'a Path,
        src: &'a str,
        tree: &'a Tree,
        settings: &'a Settings,
        index: &'a ProjectIndex,
    ) -> Self {
        let none = Earlier {
            share: &|_, _| None,
            logs: &|_, _| None,
            keep: false,
            quote: None,
        };
        let stmts = named_children(tree.root_node()).collect();
        Cx::new_with(path, src, tree, settings, index, stmts, &none)
    }

    /// [`Cx::new`], given the root's named children (`stmts`, which the
    /// caller has listed already) and what an earlier extraction found.
    fn new_with(
        path: &'a Path,
        src: &'a str,
        tree: &'a Tree,
        settings: &'a Settings,
        index: &'a ProjectIndex,
        stmts: Vec<Node<'a>>,
        earlier: &Earlier<'_, 'a>,
    ) -> Self {
        let mut cx = Cx {
            path,
            src,
            root: tree.root_node(),
            settings,
            index,
            imports: HashMap::default(),
            declared: HashSet::default(),
            module_values: HashMap::default(),
            module_assigns: HashMap::default(),
            functions: HashMap::default(),
            classes: HashMap::default(),
            logging_fns: HashSet::default(),
            helpers: HashMap::default(),
            error_classes: HashMap::default(),
            logger: None,
            framework_hint: None,
            quote: '\'',
            newline: syntax::newline(src),
            // Test files are a role ([`crate::roles`]), which `[roles]` can change.
            is_test_file: settings.role == Some(crate::roles::Role::Test),
            modules: std::cell::RefCell::new(HashMap::default()),
            block_logs: std::cell::RefCell::new(syntax::IdMap::default()),
            parents: std::cell::RefCell::new(syntax::IdMap::default()),
            mapped: std::cell::RefCell::new(vec![false; stmts.len()]),
            stmts,
            logs_alone: Vec::new(),
            walked: Vec::new(),
            fn_words: syntax::IdMap::default(),
            quote_read: 0,
        };
        (cx.quote, cx.quote_read) = match earlier.quote {
            Some(known) => known,
            None => {
                let (marks, read) = syntax::quote_sample(cx.root, src, syntax::QUOTE_SAMPLE);
                (syntax::quote_from_marks(marks.into_iter()), read)
            }
        };
        cx.scan(earlier);
        cx.logger = cx.find_logger().map(Into::into);
        cx.error_classes = cx.collect_error_classes();
        cx
    }

    /// The parent of `n` (a named node). The parents of a top-level
    /// statement's nodes are mapped the first time one is asked for.
    fn up<'n>(&self, n: Node<'n>) -> Option<Node<'n>>
    where
        'a: 'n,
    {
        if let Some(p) = self.parents.borrow().get(&n.id()) {
            return Some(*p);
        }
        // The statement holding `n` (either of two that touch, for an empty node).
        let at = n.start_byte();
        let first = self.stmts.partition_point(|s| s.end_byte() < at);
        for i in first..(first + 2).min(self.stmts.len()) {
            let stmt = self.stmts[i];
            if stmt.id() == n.id() {
                return Some(self.root);
            }
            if stmt.start_byte() > at || std::mem::replace(&mut self.mapped.borrow_mut()[i], true) {
                continue;
            }
            let mut parents = self.parents.borrow_mut();
            let mut stack = vec![stmt];
            while let Some(node) = stack.pop() {
                let from = stack.len();
                syntax::push_named_children_reversed(node, &mut stack);
                for c in &stack[from..] {
                    parents.insert(c.id(), node);
                }
            }
            if let Some(p) = parents.get(&n.id()) {
                return Some(*p);
            }
        }
        None
    }

    /// Imports, bindings, functions and classes, from each statement's share
    /// (kept from an earlier extraction, or walked now); then the framework
    /// and the functions that log.
    fn scan(&mut self, earlier: &Earlier<'_, 'a>) {
        for i in 0..self.stmts.len() {
            let stmt = self.stmts[i];
            let share = (earlier.share)(i, stmt).unwrap_or_else(|| {
                let share = facts::Share::scan(stmt, self.src);
                if earlier.keep {
                    self.walked.push((i, share.keep(stmt)));
                }
                share
            });
            self.absorb(share);
        }
        // The framework this file is written for, from its imports.
        let mut hint = None;
        for (module, _) in self.imports.values() {
            match module_framework(module) {
                Some(Framework::Flask) => {
                    hint = Some(Framework::Flask);
                    break;
                }
                Some(fw) if hint.is_none() => hint = Some(fw),
                _ => {}
            }
        }
        self.framework_hint = hint;
        let mut alone = Vec::with_capacity(self.functions.len());
        let logging: Vec<String> = self
            .functions
            .iter()
            .filter_map(|(n, def)| {
                let logs = (earlier.logs)(self, *def).unwrap_or_else(|| {
                    def.field("body").is_some_and(|b| self.logs_then_returns(b))
                });
                alone.push((def.start_byte(), logs));
                logs.then(|| n.to_string())
            })
            .collect();
        alone.sort_unstable();
        self.logs_alone = alone;
        // Functions calling logging functions log too (a few rounds, bounded).
        // Only a function naming one of the last round's can join the next.
        let mut added = logging;
        self.logging_fns.extend(added.iter().cloned());
        for _ in 0..3 {
            if added.is_empty() {
                break;
            }
            let names: HashSet<u64> = added
                .iter()
                .map(|n| syntax::fast_hash(n.as_bytes()))
                .collect();
            added = self
                .functions
                .iter()
                .filter(|(n, def)| {
                    !self.logging_fns.contains(&***n)
                        && self.may_name(**def, &names)
                        && def.field("body").is_some_and(|b| self.logs_then_returns(b))
                })
                .map(|(n, _)| n.to_string())
                .collect();
            self.logging_fns.extend(added.iter().cloned());
        }
    }

    /// Whether the text of function `def` has a word among `names` (by
    /// [`syntax::fast_hash`]; a collision only costs a closer look).
    fn may_name(&self, def: Node, names: &HashSet<u64>) -> bool {
        match self.fn_words.get(&def.start_byte()) {
            Some(words) => words.iter().any(|w| names.contains(w)),
            None => syntax::words(text(def, self.src))
                .any(|w| names.contains(&syntax::fast_hash(w.as_bytes()))),
        }
    }

    /// The export `name` of a project module, resolved through the index:
    /// relative (`from .errors import X`) or absolute within the project
    /// (`from app.errors import X`, found in the file's directory or one of
    /// its ancestors, up to [`super::index::MAX_PACKAGE_DEPTH`] levels up).
    fn module_export(&self, module: &str, name: &str) -> Option<(Export, PathBuf)> {
        if module.is_empty() || module_framework(module).is_some() {
            return None;
        }
        let cached = self.modules.borrow().get(module).cloned();
        let resolved = match cached {
            Some(r) => r,
            None => {
                let target = self.index.resolve_python_anywhere(self.path, module);
                let r = target.and_then(|target| {
                    self.index.record_import(self.path, &target);
                    self.index.summary(&target).map(|s| (target, s))
                });
                self.modules
                    .borrow_mut()
                    .insert(module.to_string(), r.clone());
                r
            }
        };
        let (target, summary) = resolved?;
        summary.exports.get(name).cloned().map(|e| (e, target))
    }

    /// What the local name `local` (imported from a relative module) is.
    fn imported(&self, local: &str) -> Option<(Export, PathBuf)> {
        let (module, name) = self.imports.get(local)?;
        if &**name == "*" {
            return None;
        }
        self.module_export(module, name)
    }

    /// `mod.NAME` where `mod` was imported as a relative module (`from . import constants`).
    fn imported_member(&self, obj: &str, member: &str) -> Option<(Export, PathBuf)> {
        let (module, name) = self.imports.get(obj)?;
        let full = if &**name == "*" {
            module.to_string()
        } else if module.ends_with('.') {
            format!("{module}{name}")
        } else {
            format!("{module}.{name}")
        };
        self.module_export(&full, member)
    }

    /// Where the function `f` of a call comes from.
    fn origin(&self, f: Node) -> Origin {
        match f.kind_name() {
            "identifier" => {
                let n = text(f, self.src);
                if let Some((m, _)) = self.imports.get(n) {
                    if m.starts_with('.') {
                        Origin::Project
                    } else if let Some(fw) = module_framework(m) {
                        Origin::Framework(fw)
                    } else {
                        Origin::Foreign
                    }
                } else if self.functions.contains_key(n) || self.classes.contains_key(n) {
                    Origin::Project
                } else if self.declared.contains(n) {
                    Origin::Foreign
                } else {
                    Origin::Unknown
                }
            }
            "attribute" => {
                let Some(root) = leftmost(f) else {
                    return Origin::Foreign;
                };
                let r = text(root, self.src);
                if let Some((m, name)) = self.imports.get(r) {
                    if m.starts_with('.') {
                        return Origin::Project;
                    }
                    let full: &str = if &**name == "*" { m } else { name };
                    return module_framework(m)
                        .or_else(|| module_framework(full))
                        .map(Origin::Framework)
                        .unwrap_or(Origin::Foreign);
                }
                module_framework(r)
                    .map(Origin::Framework)
                    .unwrap_or(Origin::Foreign)
            }
            _ => Origin::Foreign,
        }
    }

    // ----- logging -------------------------------------------------------

    /// Whether `call` is a log call with a logger this file defines or imports.
    fn is_log_call(&self, call: Node) -> bool {
        let Some(f) = call.field("function") else {
            return false;
        };
        let ftext = text(f, self.src);
        for extra in &self.settings.loggers {
            if ftext == extra
                || ftext
                    .strip_prefix(extra.as_str())
                    .is_some_and(|r| r.starts_with('.'))
            {
                return true;
            }
        }
        match f.kind_name() {
            "identifier" => ftext == "print" && self.settings.print_is_logging,
            "attribute" => {
                let (Some(obj), Some(method)) = (f.field("object"), f.field("attribute")) else {
                    return false;
                };
                let method = text(method, self.src);
                if text(obj, self.src) == "sentry_sdk" {
                    return method.starts_with("capture_") && self.declared.contains("sentry_sdk");
                }
                let level = matches!(
                    method,
                    "debug"
                        | "info"
                        | "warning"
                        | "warn"
                        | "error"
                        | "exception"
                        | "critical"
                        | "fatal"
                        | "log"
                        | "msg"
                        | "success"
                        | "trace"
                );
                level && self.is_logger_expr(obj)
            }
            _ => false,
        }
    }

    /// `logger`, `log`, `logging`, `self.logger`, `app.logger`,
    /// `logger.bind(...)`, `logging.getLogger(__name__)`, `structlog.get_logger()`.
    fn is_logger_expr(&self, obj: Node) -> bool {
        let mut n = obj;
        for _ in 0..6 {
            match n.kind_name() {
                "identifier" => {
                    let t = text(n, self.src);
                    return loggerish(t) && self.declared.contains(t);
                }
                "attribute" => {
                    let t = text(n, self.src);
                    let last = t.rsplit('.').next().unwrap_or(t);
                    if !loggerish(last) {
                        return false;
                    }
                    return match leftmost(n) {
                        Some(root) => {
                            let r = text(root, self.src);
                            matches!(r, "self" | "cls") || self.declared.contains(r)
                        }
                        None => false,
                    };
                }
                "call" => {
                    // `logger.bind(x=1)`, `logging.getLogger(__name__)`, `structlog.get_logger()`
                    let Some(f) = n.field("function") else {
                        return false;
                    };
                    let ft = text(f, self.src);
                    let last = ft.rsplit('.').next().unwrap_or(ft);
                    if matches!(last, "getLogger" | "get_logger" | "getlogger") {
                        return leftmost(f).is_some_and(|r| {
                            let r = text(r, self.src);
                            self.declared.contains(r)
                        });
                    }
                    if f.kind_name() == "attribute"
                        && matches!(last, "bind" | "opt" | "new" | "patch" | "bind_contextvars")
                    {
                        match f.field("object") {
                            Some(o) => n = o,
                            None => return false,
                        }
                        continue;
                    }
                    return false;
                }
                _ => return false,
            }
        }
        false
    }

    /// Calls a same-file function (or an imported helper) that logs.
    fn calls_logging_fn(&self, call: Node) -> bool {
        let Some(f) = call.field("function") else {
            return false;
        };
        match f.kind_name() {
            "identifier" => {
                let name = text(f, self.src);
                self.logging_fns.contains(name)
                    || matches!(
                        self.imported(name),
                        Some((Export::Helper(HelperSig { logs: true, .. }), _))
                    )
            }
            "attribute" => {
                let obj = f.field("object").map(|o| text(o, self.src));
                let attr = f
                    .field("attribute")
                    .map(|a| text(a, self.src))
                    .unwrap_or("");
                matches!(obj, Some("self" | "cls")) && self.logging_fns.contains(attr)
            }
            _ => false,
        }
    }

    /// The first log call in `node` (not in nested functions) starting before `before`.
    fn first_log_in(&self, node: Node, before: usize) -> Option<Range<usize>> {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.start_byte() >= before {
                continue;
            }
            if n.id() != node.id() && is_scope(n) {
                continue;
            }
            if n.kind_name() == "call" && (self.is_log_call(n) || self.calls_logging_fn(n)) {
                return Some(n.byte_range());
            }
            stack.extend(named_children(n).rev());
        }
        None
    }

    /// Whether a function body logs on a path that returns to its caller: a
    /// log in a block that ends by raising (`app.logger.info(...); raise
    /// Unauthorized()`) explains that exception, not what the caller does next.
    fn logs_then_returns(&self, body: Node) -> bool {
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.id() != body.id() && is_scope(n) {
                continue;
            }
            if n.kind_name() == "block" && block_raises(n, self.src) {
                continue;
            }
            if n.kind_name() == "call" && (self.is_log_call(n) || self.calls_logging_fn(n)) {
                return true;
            }
            stack.extend(named_children(n).rev());
        }
        false
    }

    /// A log call in `stmt` that runs whenever `stmt` runs.
    fn unconditional_log(&self, stmt: Node) -> Option<Range<usize>> {
        if !matches!(stmt.kind_name(), "expression_statement") {
            return None;
        }
        let mut stack = vec![stmt];
        while let Some(n) = stack.pop() {
            if is_scope(n) || matches!(n.kind_name(), "conditional_expression" | "boolean_operator")
            {
                continue;
            }
            if n.kind_name() == "call" && (self.is_log_call(n) || self.calls_logging_fn(n)) {
                return Some(n.byte_range());
            }
            stack.extend(named_children(n));
        }
        None
    }

    /// A log call on the path before `site`: earlier sibling statements of every
    /// enclosing block up to the function, and the conditions that led here.
    fn logged_before(&self, site: Node) -> Option<Range<usize>> {
        let mut node = site;
        for _ in 0..MAX_PARENT_WALK {
            let Some(parent) = self.up(node) else { break };
            if is_scope(parent) {
                break;
            }
            match parent.kind_name() {
                "block" | "module" => {
                    // The unconditional logs of each block are found once and cached:
                    // a module of many sites would otherwise rescan it per site.
                    let mut cache = self.block_logs.borrow_mut();
                    let logs = cache.entry(parent.id()).or_insert_with(|| {
                        named_children(parent)
                            .filter_map(|sib| {
                                self.unconditional_log(sib).map(|r| (sib.start_byte(), r))
                            })
                            .collect()
                    });
                    if let Some((_, r)) = logs.iter().find(|(start, _)| *start < node.start_byte())
                    {
                        return Some(r.clone());
                    }
                }
                "if_statement" | "elif_clause" | "while_statement" => {
                    for cond in conditions_before(parent, node) {
                        if let Some(r) = self.first_log_in(cond, usize::MAX) {
                            return Some(r);
                        }
                    }
                }
                _ => {}
            }
            node = parent;
        }
        None
    }

    /// The logger a fix may call: a module-level logger, else `logging` if
    /// imported, else Flask's `app.logger` / `current_app.logger`.
    fn find_logger(&self) -> Option<String> {
        let mut best: Option<(u8, String)> = None;
        for (name, value) in &self.module_values {
            if value.kind_name() != "call" || !loggerish(name) {
                continue;
            }
            if self.is_logger_expr(*value) || {
                let f = value
                    .field("function")
                    .map(|f| text(f, self.src))
                    .unwrap_or("");
                f.ends_with("getLogger") || f.ends_with("get_logger")
            } {
                let rank = match &**name {
                    "logger" => 0,
                    "log" => 1,
                    _ => 2,
                };
                let better = match &best {
                    None => true,
                    Some((r, n)) => (rank, &**name) < (*r, n.as_str()),
                };
                if better {
                    best = Some((rank, name.to_string()));
                }
            }
        }
        if let Some((_, n)) = best {
            return Some(n);
        }
        for local in ["logger", "log", "LOGGER", "LOG"] {
            if let Some((m, _)) = self.imports.get(local) {
                if &**m == "loguru" || m.starts_with('.') || m.contains("log") {
                    return Some(local.to_string());
                }
            }
        }
        if self
            .imports
            .get("logging")
            .is_some_and(|(m, n)| &**m == "logging" && &**n == "*")
        {
            return Some("logging".into());
        }
        if let Some(app) = self.module_values.get("app") {
            if app.kind_name() == "call"
                && app
                    .field("function")
                    .is_some_and(|f| matches!(text(f, self.src), "Flask" | "flask.Flask" | "Quart"))
            {
                return Some("app.logger".into());
            }
        }
        if self
            .imports
            .get("current_app")
            .is_some_and(|(m, _)| &**m == "flask")
        {
            return Some("current_app.logger".into());
        }
        None
    }

    // ----- value resolution ---------------------------------------------

    /// The value last assigned to `name` before `at` in an enclosing block,
    /// else at module level.
    fn resolve_local(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        self.assignment_of(name, at).and_then(|a| a.field("right"))
    }

    fn assignment_of(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        let is_target = |a: Node| {
            a.field("left")
                .is_some_and(|l| l.kind_name() == "identifier" && text(l, self.src) == name)
        };
        let mut scope = self.up(at);
        let mut steps = 0;
        while let Some(s) = scope {
            steps += 1;
            if steps > MAX_PARENT_WALK {
                return None;
            }
            match s.kind_name() {
                "block" => {
                    let mut found = None;
                    for stmt in named_children(s) {
                        if stmt.start_byte() >= at.start_byte() {
                            break;
                        }
                        if let Some(a) = assignment_in(stmt).filter(|a| is_target(*a)) {
                            if a.end_byte() <= at.start_byte() {
                                found = Some(a);
                            }
                        }
                    }
                    if found.is_some() {
                        return found;
                    }
                }
                "module" => {
                    // Module constants: the last assignment before `at`, else the first after.
                    let mut before = None;
                    let mut after = None;
                    let assigns = self.module_assigns.get(name).map(Vec::as_slice);
                    for a in assigns.unwrap_or_default().iter().copied() {
                        {
                            if a.end_byte() <= at.start_byte() {
                                before = Some(a);
                            } else if after.is_none() && a.start_byte() > at.end_byte() {
                                after = Some(a);
                            }
                        }
                    }
                    return before.or(after);
                }
                "function_definition" | "lambda" => {
                    // Python locals are function-wide: one assignment in a nested
                    // block (`with ... as client: resp = ...`) still names the value.
                    if let Some(a) = self.only_assignment_in(s, name, at) {
                        return Some(a);
                    }
                    // Locals of enclosing functions are not followed: go to module level.
                    scope = Some(self.root);
                    continue;
                }
                _ => {}
            }
            scope = self.up(s);
        }
        None
    }

    /// The single assignment to `name` in `func` (outside nested scopes) that
    /// ends before `at`; `None` when there are none or several (`if`/`else`).
    fn only_assignment_in(&self, func: Node<'a>, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        let body = func.field("body")?;
        let mut found = None;
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.start_byte() >= at.start_byte() || (n.id() != body.id() && is_scope(n)) {
                continue;
            }
            if n.kind_name() == "assignment"
                && n.end_byte() <= at.start_byte()
                && n.field("left")
                    .is_some_and(|l| l.kind_name() == "identifier" && text(l, self.src) == name)
            {
                if found.is_some() {
                    return None;
                }
                found = Some(n);
            }
            stack.extend(named_children(n));
        }
        found
    }

    /// Evaluates a status expression.
    fn eval_status(&self, node: Node<'a>, depth: usize) -> StatusEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return StatusEval::Unknown;
        }
        match node.kind_name() {
            "integer" => match text(node, self.src).parse::<u16>() {
                Ok(code) if (100..=599).contains(&code) => StatusEval::Known(vec![StatusValue {
                    code,
                    range: node.byte_range(),
                    literal: true,
                    branch_condition: None,
                }]),
                _ => StatusEval::Unknown,
            },
            "conditional_expression" => {
                let parts: Vec<Node> = named_children(node).collect();
                let [cons, cond, alt] = parts.as_slice() else {
                    return StatusEval::Unknown;
                };
                let cond = text(*cond, self.src).to_string();
                let mut values = Vec::new();
                for (branch, negate) in [(*cons, false), (*alt, true)] {
                    if let StatusEval::Known(vs) = self.eval_status(branch, depth + 1) {
                        for mut v in vs {
                            let c = if negate {
                                format!("not ({cond})")
                            } else {
                                cond.clone()
                            };
                            v.branch_condition = Some(match v.branch_condition.take() {
                                Some(inner) => format!("{c} and {inner}").into(),
                                None => c.into(),
                            });
                            values.push(v);
                        }
                    }
                }
                if values.is_empty() {
                    StatusEval::Unknown
                } else {
                    StatusEval::Known(values)
                }
            }
            "boolean_operator" => {
                // `upstream.status_code or 502`
                let left = node.field("left").map(|l| self.eval_status(l, depth + 1));
                let right = node.field("right").map(|r| self.eval_status(r, depth + 1));
                match (left, right) {
                    (Some(StatusEval::Forwarded(r, s)), _) => StatusEval::Forwarded(r, s),
                    (Some(StatusEval::Known(mut a)), Some(StatusEval::Known(b))) => {
                        a.extend(b);
                        StatusEval::Known(a)
                    }
                    (Some(StatusEval::Known(a)), _) | (_, Some(StatusEval::Known(a))) => {
                        StatusEval::Known(a)
                    }
                    _ => StatusEval::Unknown,
                }
            }
            "identifier" => {
                let name = text(node, self.src);
                if let Some(func) = enclosing_function(self, node) {
                    if let Some(i) = param_index(func, name, self.src) {
                        // A status parameter with a default is still a parameter.
                        return StatusEval::Param(i);
                    }
                }
                if let Some(v) = self.resolve_local(name, node) {
                    return match self.eval_status(v, depth + 1) {
                        StatusEval::Known(vs) => StatusEval::Known(
                            vs.into_iter()
                                .map(|mut v| {
                                    v.range = node.byte_range();
                                    v.literal = false;
                                    v
                                })
                                .collect(),
                        ),
                        other => other,
                    };
                }
                if let Some((_, orig)) = self.imports.get(name) {
                    if let Some((Export::Number(code), _)) = self.imported(name) {
                        return known_indirect(code, node);
                    }
                    if let Some(code) = status_constant(orig) {
                        // `from starlette.status import HTTP_401_UNAUTHORIZED`
                        return known_indirect(code, node);
                    }
                }
                StatusEval::Unknown
            }
            "attribute" => {
                let obj = node.field("object");
                let attr = node
                    .field("attribute")
                    .map(|a| text(a, self.src))
                    .unwrap_or("");
                let obj_text = obj.map(|o| text(o, self.src)).unwrap_or("");
                let obj_last = obj_text.rsplit('.').next().unwrap_or(obj_text);
                if let Some(code) = status_constant(attr) {
                    return StatusEval::Known(vec![StatusValue {
                        code,
                        range: node.byte_range(),
                        literal: true,
                        branch_condition: None,
                    }]);
                }
                if matches!(obj_last, "HTTPStatus" | "HTTPStatusCode" | "HttpStatus") {
                    if let Some(code) = named_status(attr) {
                        return StatusEval::Known(vec![StatusValue {
                            code,
                            range: node.byte_range(),
                            literal: true,
                            branch_condition: None,
                        }]);
                    }
                }
                if attr == "value" {
                    if let Some(o) = obj {
                        if let StatusEval::Known(vs) = self.eval_status(o, depth + 1) {
                            return StatusEval::Known(vs);
                        }
                    }
                }
                if matches!(attr, "status_code" | "status") {
                    if let Some(o) = obj {
                        if self.looks_upstream(o, attr) {
                            return StatusEval::Forwarded(
                                node.byte_range(),
                                text(node, self.src).to_string(),
                            );
                        }
                    }
                }
                if let Some(o) = obj.filter(|o| o.kind_name() == "identifier") {
                    if let Some((Export::Number(code), _)) =
                        self.imported_member(text(o, self.src), attr)
                    {
                        return known_indirect(code, node);
                    }
                }
                StatusEval::Unknown
            }
            "call" => {
                // `int(HTTPStatus.UNAUTHORIZED)`, `HTTPStatus(401)`
                let f = node
                    .field("function")
                    .map(|f| text(f, self.src))
                    .unwrap_or("");
                if matches!(f, "int" | "HTTPStatus" | "http.HTTPStatus") {
                    if let Some(a) = node
                        .field("arguments")
                        .and_then(|a| named_children(a).find(|c| c.kind_name() != "comment"))
                    {
                        return self.eval_status(a, depth + 1);
                    }
                }
                StatusEval::Unknown
            }
            _ => StatusEval::Unknown,
        }
    }

    /// Whether `obj` (in `obj.status_code`) is a response received from another service.
    fn looks_upstream(&self, obj: Node<'a>, attr: &str) -> bool {
        let obj = unwrap_expr(obj);
        let t = text(obj, self.src);
        if t.to_ascii_lowercase().contains("upstream") {
            return true;
        }
        match obj.kind_name() {
            // `e.response.status_code` (requests HTTPError, httpx HTTPStatusError)
            "attribute" => t.ends_with(".response") && !t.starts_with("self."),
            "call" => self.is_client_call(obj),
            "identifier" => {
                if let Some(v) = self.resolve_local(t, obj) {
                    return self.is_client_call(unwrap_expr(v));
                }
                // `async with session.get(url) as resp:`
                if let Some(call) = self.with_target_value(t, obj) {
                    return self.is_client_call(call);
                }
                let _ = attr;
                false
            }
            _ => false,
        }
    }

    /// The value of `with X as name:` enclosing `at`.
    fn with_target_value(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        let mut p = self.up(at);
        let mut steps = 0;
        while let Some(n) = p {
            steps += 1;
            if steps > MAX_PARENT_WALK || is_scope(n) {
                return None;
            }
            if n.kind_name() == "with_statement" {
                let mut stack = vec![n];
                while let Some(x) = stack.pop() {
                    if x.kind_name() == "as_pattern" {
                        let alias = x
                            .field("alias")
                            .map(|a| text(a, self.src).trim().to_string());
                        if alias.as_deref() == Some(name) {
                            return x.named_child(0).map(unwrap_expr);
                        }
                    }
                    if x.kind_name() != "block" {
                        stack.extend(named_children(x));
                    }
                }
            }
            p = self.up(n);
        }
        None
    }

    /// A call to an HTTP client: `requests.get(...)`, `await client.post(...)`,
    /// `httpx.request(...)`, `session.get(...)`, `urlopen(...)`.
    fn is_client_call(&self, v: Node) -> bool {
        if v.kind_name() != "call" {
            return false;
        }
        let Some(f) = v.field("function") else {
            return false;
        };
        let ft = text(f, self.src);
        let root = leftmost(f).map(|r| text(r, self.src)).unwrap_or(ft);
        let module = self.imports.get(root).map(|(m, _)| &**m).unwrap_or("");
        let client_module = |m: &str| {
            matches!(
                m.split('.').next().unwrap_or(""),
                "requests" | "httpx" | "aiohttp" | "urllib" | "urllib3" | "httplib2" | "niquests"
            )
        };
        if client_module(module) || client_module(root) {
            return true;
        }
        let method = ft.rsplit('.').next().unwrap_or(ft);
        let verb = matches!(
            method,
            "get"
                | "post"
                | "put"
                | "patch"
                | "delete"
                | "head"
                | "options"
                | "request"
                | "send"
                | "fetch"
        ) || method == "urlopen";
        let lower = ft.to_ascii_lowercase();
        verb && (lower.contains("client") || lower.contains("session") || lower.contains("http"))
    }

    /// Evaluates a headers expression.
    fn eval_headers(&self, node: Node<'a>, at: Node<'a>, depth: usize) -> HeaderEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return HeaderEval::opaque();
        }
        match node.kind_name() {
            "dictionary" => {
                let mut out = HeaderEval::default();
                for child in named_children(node) {
                    match child.kind_name() {
                        "pair" => {
                            let Some(key) = child.field("key") else {
                                continue;
                            };
                            match self.key_name(key) {
                                Some(k) if is_challenge_name(&k) => {
                                    if let Some(v) = child.field("value") {
                                        out.challenge.get_or_insert(self.challenge_value(v, None));
                                    }
                                }
                                Some(_) => {}
                                None => out.opaque = true,
                            }
                        }
                        "dictionary_splat" => {
                            if let Some(arg) = child.named_child(0) {
                                out.merge(self.eval_headers(arg, at, depth + 1));
                            }
                        }
                        _ => {}
                    }
                }
                out
            }
            "list" | "tuple" => {
                // `[("WWW-Authenticate", "Bearer")]` (Flask/Werkzeug header lists)
                let mut out = HeaderEval::default();
                for item in named_children(node) {
                    let item = unwrap_expr(item);
                    if item.kind_name() != "tuple" {
                        out.opaque |= item.kind_name() != "comment";
                        continue;
                    }
                    let parts: Vec<Node> = named_children(item).collect();
                    if let [k, v] = parts.as_slice() {
                        if self.key_name(*k).is_some_and(|k| is_challenge_name(&k)) {
                            out.challenge.get_or_insert(self.challenge_value(*v, None));
                        }
                    }
                }
                out
            }
            "none" => HeaderEval::default(),
            "identifier" => {
                let name = text(node, self.src);
                let is_param = enclosing_function(self, node)
                    .is_some_and(|f| param_index(f, name, self.src).is_some());
                let mut out = if is_param {
                    HeaderEval::opaque()
                } else if let Some(v) = self.resolve_local(name, node) {
                    self.eval_headers(v, at, depth + 1)
                } else if let Some((export, target)) = self.imported(name) {
                    export_headers(export, Some(&target))
                } else {
                    HeaderEval::opaque()
                };
                if out.challenge.is_none() {
                    let scope = enclosing_function(self, at).unwrap_or(self.root);
                    if let Some(ch) = self.header_set_on(scope, name, false, Some(at.start_byte()))
                    {
                        out.challenge = Some(ch);
                    }
                }
                out
            }
            "call" => {
                let f = node.field("function");
                let fname = f.map(|f| text(f, self.src)).unwrap_or("");
                // A header builder in this file: `def auth_headers(): return {...}`
                if let Some(def) = self.functions.get(fname) {
                    if let Some(ret) = returned_value(*def) {
                        return self.eval_headers(ret, at, depth + 1);
                    }
                }
                if f.is_some_and(|f| f.kind_name() == "identifier") {
                    if let Some((e, target)) = self.imported(fname) {
                        return export_headers(e, Some(&target));
                    }
                }
                HeaderEval::opaque()
            }
            _ => HeaderEval::opaque(),
        }
    }

    fn key_name(&self, key: Node<'a>) -> Option<String> {
        let key = unwrap_expr(key);
        match key.kind_name() {
            "string" | "concatenated_string" => self.string_literal(key),
            "identifier" => {
                let name = text(key, self.src);
                match self.resolve_local(name, key) {
                    Some(v) => self.string_literal(unwrap_expr(v)),
                    None => match self.imported(name) {
                        Some((Export::Str(s), _)) => Some(s),
                        _ => None,
                    },
                }
            }
            _ => None,
        }
    }

    /// A string literal's value (implicit concatenation joined; f-strings refused).
    fn string_literal(&self, n: Node) -> Option<String> {
        match n.kind_name() {
            "string" => string_value(n, self.src),
            "concatenated_string" => {
                let mut out = String::new();
                for part in named_children(n) {
                    out.push_str(&string_value(part, self.src)?);
                }
                Some(out)
            }
            _ => None,
        }
    }

    fn challenge_value(&self, v: Node<'a>, evidence: Option<Evidence>) -> ChallengeHeader {
        let v = unwrap_expr(v);
        if v.kind_name() == "identifier" {
            let name = text(v, self.src);
            // A constant in this file: point at its definition, once for all uses.
            if let Some(lit) = self
                .resolve_local(name, v)
                .map(unwrap_expr)
                .filter(|d| matches!(d.kind_name(), "string" | "concatenated_string"))
            {
                return ChallengeHeader {
                    value_range: lit.byte_range(),
                    literal: self.string_literal(lit).map(Into::into),
                    evidence,
                    shared: true,
                };
            }
            if let Some((Export::Str(s), target)) = self.imported(name) {
                return ChallengeHeader {
                    value_range: v.byte_range(),
                    literal: Some(s.into()),
                    evidence: Some(super::index::evidence_in(
                        &target,
                        0..0,
                        format!("`{name}` is defined in this module"),
                    )),
                    shared: true,
                };
            }
        }
        ChallengeHeader {
            value_range: v.byte_range(),
            literal: match v.kind_name() {
                "string" | "concatenated_string" => self.string_literal(v).map(Into::into),
                _ => None,
            },
            evidence,
            shared: false,
        }
    }

    /// `recv["WWW-Authenticate"] = v`, `recv.headers["WWW-Authenticate"] = v`,
    /// `recv.headers.update({...})`, `recv.www_authenticate = ...` inside `scope`
    /// (before `before` when given). `on_response` accepts `recv.headers…` forms.
    fn header_set_on(
        &self,
        scope: Node<'a>,
        recv: &str,
        on_response: bool,
        before: Option<usize>,
    ) -> Option<ChallengeHeader> {
        let mut stack = vec![scope];
        while let Some(n) = stack.pop() {
            if before.is_some_and(|b| n.start_byte() >= b) {
                continue;
            }
            if n.id() != scope.id() && is_scope(n) {
                continue;
            }
            match n.kind_name() {
                "assignment" => {
                    if let (Some(left), Some(right)) = (n.field("left"), n.field("right")) {
                        if left.kind_name() == "subscript" {
                            let target =
                                left.field("value").map(|v| text(v, self.src)).unwrap_or("");
                            let target_ok = target == recv
                                || on_response && target.strip_suffix(".headers") == Some(recv);
                            if target_ok
                                && left
                                    .field("subscript")
                                    .and_then(|s| self.key_name(s))
                                    .is_some_and(|k| is_challenge_name(&k))
                            {
                                return Some(self.challenge_value(
                                    right,
                                    Some(Evidence {
                                        path: None,
                                        range: n.byte_range(),
                                        note: "`WWW-Authenticate` set here".into(),
                                    }),
                                ));
                            }
                        }
                        if on_response && text(left, self.src) == format!("{recv}.www_authenticate")
                        {
                            return Some(ChallengeHeader {
                                value_range: right.byte_range(),
                                literal: None,
                                evidence: Some(Evidence {
                                    path: None,
                                    range: n.byte_range(),
                                    note: "`WWW-Authenticate` set here".into(),
                                }),
                                shared: false,
                            });
                        }
                    }
                }
                "call" => {
                    if let Some(f) = n.field("function").filter(|f| f.kind_name() == "attribute") {
                        let obj = f.field("object").map(|o| text(o, self.src)).unwrap_or("");
                        let method = f
                            .field("attribute")
                            .map(|a| text(a, self.src))
                            .unwrap_or("");
                        let ev = Evidence {
                            path: None,
                            range: n.byte_range(),
                            note: format!("`WWW-Authenticate` set here with `.{method}(…)`").into(),
                        };
                        if on_response && obj == format!("{recv}.www_authenticate") {
                            // werkzeug: `resp.www_authenticate.set_basic()`
                            return Some(ChallengeHeader {
                                value_range: n.byte_range(),
                                literal: None,
                                evidence: Some(ev),
                                shared: false,
                            });
                        }
                        let obj_ok = obj == recv
                            || on_response && obj.strip_suffix(".headers") == Some(recv);
                        if obj_ok {
                            let args: Vec<Node> = n
                                .field("arguments")
                                .map(|a| {
                                    named_children(a)
                                        .filter(|c| c.kind_name() != "comment")
                                        .collect()
                                })
                                .unwrap_or_default();
                            match method {
                                "setdefault" | "add" | "set" | "append" | "add_header"
                                | "__setitem__" => {
                                    if let (Some(k), Some(v)) = (args.first(), args.get(1)) {
                                        if self.key_name(*k).is_some_and(|k| is_challenge_name(&k))
                                        {
                                            return Some(self.challenge_value(*v, Some(ev)));
                                        }
                                    }
                                }
                                "update" | "extend" => {
                                    if let Some(a) = args.first() {
                                        if let Some(mut ch) = self.eval_headers(*a, *a, 1).challenge
                                        {
                                            ch.evidence = Some(ev);
                                            return Some(ch);
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
            stack.extend(named_children(n).rev());
        }
        None
    }

    // ----- guards and paths -----------------------------------------------

    /// The conditions under which `site` runs, innermost first, up to its function.
    fn guard(&self, site: Node<'a>) -> Option<Guard> {
        let mut node = site;
        let mut parts: Vec<String> = Vec::new();
        let mut innermost: Option<Range<usize>> = None;
        let mut in_catch = false;
        let mut verified_by = None;
        for _ in 0..MAX_PARENT_WALK {
            let Some(parent) = self.up(node) else { break };
            if is_scope(parent) {
                break;
            }
            match parent.kind_name() {
                "if_statement" | "elif_clause" => {
                    let own = parent.field("condition");
                    let in_cond = own.is_some_and(|c| c.byte_range().contains(&node.start_byte()));
                    if !in_cond {
                        let in_body = parent
                            .field("consequence")
                            .is_some_and(|c| c.id() == node.id());
                        if in_body {
                            if let Some(c) = own {
                                parts.push(self.cond_text(c));
                                innermost.get_or_insert(c.byte_range());
                            }
                        } else if parent.kind_name() == "if_statement" {
                            // In an `elif`/`else` clause: every earlier condition was false.
                            for c in conditions_before(parent, node) {
                                parts.push(format!("not ({})", self.cond_text(c)));
                                innermost.get_or_insert(c.byte_range());
                            }
                        }
                    }
                }
                "except_clause" => {
                    let header = text(parent, self.src)
                        .split(':')
                        .next()
                        .unwrap_or("except")
                        .trim()
                        .to_string();
                    parts.push(header);
                    let s = parent.start_byte();
                    innermost.get_or_insert(s..(s + 6).min(parent.end_byte()));
                    in_catch = true;
                    if verified_by.is_none() {
                        verified_by = self.verify_call_in_try(parent);
                    }
                }
                "conditional_expression" => {
                    let kids: Vec<Node> = named_children(parent).collect();
                    if let [cons, cond, alt] = kids.as_slice() {
                        let c = strip_parens(text(*cond, self.src));
                        if cons.id() == node.id() {
                            parts.push(c.to_string());
                            innermost.get_or_insert(cond.byte_range());
                        } else if alt.id() == node.id() {
                            parts.push(format!("not ({c})"));
                            innermost.get_or_insert(cond.byte_range());
                        }
                    }
                }
                "boolean_operator" => {
                    // `token or abort(401)`
                    if let (Some(l), Some(op)) = (parent.field("left"), parent.field("operator")) {
                        if l.end_byte() <= node.start_byte() {
                            let c = text(l, self.src);
                            parts.push(if text(op, self.src) == "or" {
                                format!("not ({c})")
                            } else {
                                c.to_string()
                            });
                            innermost.get_or_insert(l.byte_range());
                        }
                    }
                }
                _ => {}
            }
            node = parent;
        }
        let range = innermost?;
        Some(Guard {
            text: parts.join(" and ").into(),
            range,
            in_catch,
            missing_config: self.tests_missing_config(site),
            verified_by,
        })
    }

    /// The call that verifies a credential in the `try` of `except_clause`
    /// (`jwt.decode(…)`, `verify_token(…)`), as its callee's text.
    fn verify_call_in_try(&self, except_clause: Node<'a>) -> Option<std::sync::Arc<str>> {
        let body = self
            .up(except_clause)
            .filter(|t| t.kind_name() == "try_statement")?
            .field("body")?;
        syntax::verifying_call(body, self.src, "call", is_scope)
    }

    /// A condition's text, with locals that hold a credential read from the
    /// request spelled out: `header is None` where `header =
    /// request.META.get("HTTP_AUTHORIZATION")` reads as that call `is None`,
    /// so the evidence sees what is tested.
    fn cond_text(&self, cond: Node<'a>) -> String {
        let mut out = strip_parens(text(cond, self.src)).to_string();
        let mut done: HashSet<&str> = HashSet::default();
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "identifier" {
                let name = text(n, self.src);
                let field = self.up(n).is_some_and(|p| {
                    p.kind_name() == "attribute"
                        && p.field("attribute").is_some_and(|a| a.id() == n.id())
                });
                if field || !done.insert(name) {
                    continue;
                }
                let Some(v) = self.resolve_local(name, n).map(unwrap_expr) else {
                    continue;
                };
                let vt = text(v, self.src);
                let lower = vt.to_ascii_lowercase();
                let credential = lower.contains("headers")
                    || lower.contains("meta")
                    || lower.contains("cookies")
                    || lower.contains("authorization");
                if credential && vt.len() <= 120 && !vt.contains('\n') {
                    let value = if matches!(v.kind_name(), "call" | "attribute" | "subscript") {
                        vt.to_string()
                    } else {
                        format!("({vt})")
                    };
                    out = syntax::replace_word(&out, name, &value);
                }
                continue;
            }
            stack.extend(named_children(n));
        }
        out
    }

    /// The guard of an exception raised in several places: any of their
    /// conditions (`(a) or (b)`), pointing at the one at `anchor`.
    fn combined_guard(&self, raises: &[Node<'a>], anchor: Node<'a>) -> Option<Guard> {
        let guards: Vec<(Node, Option<Guard>)> =
            raises.iter().map(|r| (*r, self.guard(*r))).collect();
        let texts: Vec<std::sync::Arc<str>> = guards
            .iter()
            .filter_map(|(_, g)| g.as_ref().map(|g| g.text.clone()))
            .collect();
        let range = guards
            .iter()
            .find(|(r, _)| r.id() == anchor.id())
            .and_then(|(_, g)| g.as_ref())
            .or_else(|| guards.iter().find_map(|(_, g)| g.as_ref()))?
            .range
            .clone();
        // Raised unconditionally somewhere: no condition selects it.
        let text = if texts.len() < guards.len() {
            String::new()
        } else {
            texts
                .iter()
                .map(|t| format!("({t})"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        Some(Guard {
            text: text.into(),
            range,
            in_catch: guards
                .iter()
                .any(|(_, g)| g.as_ref().is_some_and(|g| g.in_catch)),
            missing_config: guards
                .iter()
                .all(|(_, g)| g.as_ref().is_some_and(|g| g.missing_config)),
            verified_by: None,
        })
    }

    /// Whether the innermost `if` around `site` tests for a missing secret or
    /// environment variable: `not os.environ.get("JWT_SECRET")`,
    /// `os.getenv("KEY") is None`, `not SECRET` where `SECRET = os.getenv(...)`,
    /// `not settings.JWT_SECRET`.
    fn tests_missing_config(&self, site: Node<'a>) -> bool {
        let mut node = site;
        let mut cond = None;
        for _ in 0..MAX_PARENT_WALK {
            let Some(p) = self.up(node) else { return false };
            if is_scope(p) {
                return false;
            }
            if matches!(p.kind_name(), "if_statement" | "elif_clause")
                && p.field("consequence").is_some_and(|c| c.id() == node.id())
            {
                cond = p.field("condition");
                break;
            }
            node = p;
        }
        let Some(cond) = cond else { return false };
        let is_config = |t: &str| {
            // os.environ / os.getenv, Flask's app.config, Django's settings.X
            // `os.environ`, not a variable named `environment`.
            (t.match_indices("environ").any(|(i, w)| {
                !t[i + w.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            }) || t.contains("getenv")
                || t.contains("env.get(")
                || t.contains("config.get(")
                || t.contains(".config["))
                && !t.contains("request")
                || t.strip_prefix("settings.").is_some_and(|k| {
                    !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                })
        };
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            let tested = match n.kind_name() {
                "not_operator" => n.field("argument"),
                "comparison_operator" if text(n, self.src).ends_with("is None") => n.named_child(0),
                _ => None,
            };
            if let Some(arg) = tested.map(unwrap_expr) {
                let t = text(arg, self.src);
                if is_config(t) {
                    return true;
                }
                if arg.kind_name() == "identifier" {
                    if let Some(v) = self.resolve_local(t, arg) {
                        if is_config(text(v, self.src)) {
                            return true;
                        }
                    }
                }
            }
            stack.extend(named_children(n));
        }
        false
    }

    /// An earlier check, dependency or decorator that rejected callers with no identity.
    fn identity_established(&self, site: Node<'a>) -> Option<Range<usize>> {
        let func = enclosing_function(self, site)?;
        let mut found = None;
        if let Some(body) = func.field("body") {
            let mut stack = vec![body];
            while let Some(n) = stack.pop() {
                if n.start_byte() >= site.start_byte() || (n.id() != body.id() && is_scope(n)) {
                    continue;
                }
                if n.kind_name() == "if_statement" && n.end_byte() <= site.start_byte() {
                    if let (Some(cond), Some(cons)) = (n.field("condition"), n.field("consequence"))
                    {
                        if block_exits(cons, self.src)
                            && rejects_missing_identity(text(cond, self.src))
                        {
                            found = Some(cond.byte_range());
                        }
                    }
                }
                stack.extend(named_children(n));
            }
        }
        if found.is_some() {
            return found;
        }
        // `user: User = Depends(get_current_user)` (FastAPI dependency injection)
        if let Some(ps) = func.field("parameters") {
            for p in named_children(ps) {
                let Some(value) = p.field("value") else {
                    continue;
                };
                let v = text(value, self.src);
                if !(v.starts_with("Depends(") || v.starts_with("Security(")) {
                    continue;
                }
                let name = p
                    .field("name")
                    .map(|n| text(n, self.src))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let dep = v.to_ascii_lowercase();
                let identity = [
                    "user",
                    "principal",
                    "identity",
                    "account",
                    "claims",
                    "current",
                ];
                if identity.iter().any(|k| name.contains(k) || dep.contains(k))
                    && !name.contains("token")
                {
                    return Some(p.byte_range());
                }
            }
        }
        // `@login_required`, `@jwt_required()`, `@requires_auth`
        if let Some(dec) = self
            .up(func)
            .filter(|p| p.kind_name() == "decorated_definition")
        {
            for d in named_children(dec).filter(|d| d.kind_name() == "decorator") {
                let t = text(d, self.src).trim_start_matches('@');
                let head = t.split('(').next().unwrap_or(t);
                let last = head.rsplit('.').next().unwrap_or(head).to_ascii_lowercase();
                if last.contains("login_required")
                    || last.contains("auth_required")
                    || last.contains("jwt_required")
                    || last.contains("token_required")
                    || last.contains("requires_auth")
                    || last == "authenticated"
                {
                    return Some(d.byte_range());
                }
            }
        }
        None
    }

    /// Flask-HTTPAuth adds `WWW-Authenticate` to what an `@auth.error_handler`
    /// function returns: a site inside one has its challenge.
    fn httpauth_challenge(&self, site: Node<'a>) -> Option<ChallengeHeader> {
        if !self
            .imports
            .values()
            .any(|(m, _)| m.split('.').next() == Some("flask_httpauth"))
        {
            return None;
        }
        let func = enclosing_function(self, site)?;
        let dec = self
            .up(func)
            .filter(|p| p.kind_name() == "decorated_definition")?;
        let d = named_children(dec).find(|d| {
            d.kind_name() == "decorator" && {
                let t = text(*d, self.src).trim_start_matches('@');
                let head = t.split('(').next().unwrap_or(t).trim();
                head.ends_with(".error_handler")
            }
        })?;
        Some(ChallengeHeader {
            value_range: 0..0,
            literal: None,
            evidence: Some(Evidence {
                path: None,
                range: d.byte_range(),
                note: "Flask-HTTPAuth adds `WWW-Authenticate` to this error handler's response"
                    .into(),
            }),
            shared: false,
        })
    }

    /// Where to insert a statement before the one containing `site`.
    fn statement_insertion(&self, site: Node) -> Option<StatementInsertion> {
        let mut node = site;
        for _ in 0..MAX_PARENT_WALK {
            let parent = self.up(node)?;
            if is_scope(parent) {
                return None;
            }
            if is_statement(node) && matches!(parent.kind_name(), "block" | "module") {
                if syntax::starts_line(self.src, node.start_byte()) {
                    let (line_start, indent) = syntax::line_indent(self.src, node.start_byte());
                    return Some(StatementInsertion {
                        line_start,
                        indent: indent.into(),
                        wrap: None,
                        newline: self.newline,
                    });
                }
                // `if not user: raise ...` on one line: the fix moves the body down.
                let first = named_children(parent)
                    .find(|c| c.kind_name() != "comment")
                    .is_some_and(|c| c.id() == node.id());
                let owner_ok = self.up(parent).is_some_and(|o| {
                    matches!(
                        o.kind_name(),
                        "if_statement"
                            | "elif_clause"
                            | "else_clause"
                            | "for_statement"
                            | "while_statement"
                            | "with_statement"
                            | "except_clause"
                            | "try_statement"
                            | "finally_clause"
                    )
                });
                if parent.kind_name() == "block" && first && owner_ok {
                    let (line_start, indent) = syntax::line_indent(self.src, node.start_byte());
                    return Some(StatementInsertion {
                        line_start,
                        indent: indent.into(),
                        wrap: Some(node.byte_range()),
                        newline: self.newline,
                    });
                }
                return None;
            }
            node = parent;
        }
        None
    }

    /// String literals inside `node` (not dict keys), joined by " | ".
    fn strings_in(&self, node: Node) -> Option<String> {
        let mut parts = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match n.kind_name() {
                "string" | "concatenated_string" => {
                    if self.up(n).is_some_and(|p| {
                        p.kind_name() == "pair" && p.field("key").is_some_and(|k| k.id() == n.id())
                    }) {
                        continue;
                    }
                    match self.string_literal(n) {
                        Some(s) => parts.push(s),
                        None => {
                            // f-string: keep its literal text.
                            let mut s = String::new();
                            let mut inner = vec![n];
                            while let Some(x) = inner.pop() {
                                match x.kind_name() {
                                    "string_content" => s.push_str(text(x, self.src)),
                                    "interpolation" => s.push_str(text(x, self.src)),
                                    _ => {
                                        inner.extend(named_children(x).rev());
                                    }
                                }
                            }
                            parts.push(s);
                        }
                    }
                }
                _ => {
                    stack.extend(named_children(n).rev());
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join(" | "))
    }

    /// An expression in `node` that echoes a caught exception (`str(e)`, `f"{e}"`, `e.args`).
    fn echoed_error(&self, node: Node, site: Node) -> Option<Range<usize>> {
        let mut caught: Vec<String> = Vec::new();
        let mut p = self.up(site);
        let mut steps = 0;
        while let Some(n) = p {
            steps += 1;
            if steps > MAX_PARENT_WALK || is_scope(n) {
                break;
            }
            if n.kind_name() == "except_clause" {
                if let Some(alias) = except_alias(n) {
                    caught.push(text(alias, self.src).to_string());
                }
            }
            p = self.up(n);
        }
        if caught.is_empty() {
            return None;
        }
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            let is_name = n.kind_name() == "identifier"
                && caught.iter().any(|c| c == text(n, self.src))
                && !self.up(n).is_some_and(|p| {
                    (p.kind_name() == "attribute"
                        && p.field("attribute").is_some_and(|a| a.id() == n.id()))
                        || (p.kind_name() == "keyword_argument"
                            && p.field("name").is_some_and(|a| a.id() == n.id()))
                });
            if is_name {
                let mut top = n;
                for _ in 0..8 {
                    let Some(par) = self.up(top) else { break };
                    match par.kind_name() {
                        "attribute" | "subscript" | "interpolation" => top = par,
                        "call" if par.field("function").is_some_and(|f| f.id() == top.id()) => {
                            top = par
                        }
                        "argument_list" => {
                            let call = self.up(par);
                            let f = call
                                .and_then(|c| c.field("function"))
                                .map(|f| text(f, self.src))
                                .unwrap_or("");
                            if matches!(f, "str" | "repr" | "format") {
                                if let Some(c) = call {
                                    top = c;
                                }
                            }
                            break;
                        }
                        _ => break,
                    }
                }
                return Some(top.byte_range());
            }
            stack.extend(named_children(n));
        }
        None
    }

    // ----- exception classes --------------------------------------------

    /// Project exception classes defined in this file that become responses.
    fn collect_error_classes(&self) -> HashMap<String, ErrorClass<'a>> {
        let mut out: HashMap<String, ErrorClass<'a>> = HashMap::default();
        // Bases may be defined after subclasses: a few rounds to a fixpoint.
        for _ in 0..4 {
            let mut changed = false;
            let mut names: Vec<&Name> = self.classes.keys().collect();
            names.sort();
            for name in names {
                if out.contains_key(&**name) {
                    continue;
                }
                let class = self.classes[name];
                if let Some(c) = self.error_class(class, &out) {
                    out.insert(name.to_string(), c);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        out
    }

    fn error_class(
        &self,
        class: Node<'a>,
        known: &HashMap<String, ErrorClass<'a>>,
    ) -> Option<ErrorClass<'a>> {
        let supers = class.field("superclasses")?;
        let body = class.field("body")?;
        // What the base gives.
        let mut base: Option<ErrorClass<'a>> = None;
        let mut base_kind: Option<&'static str> = None;
        for b in named_children(supers) {
            if b.kind_name() == "keyword_argument" {
                continue;
            }
            let t = text(b, self.src);
            let last = t.rsplit('.').next().unwrap_or(t);
            if let Some(c) = known.get(t) {
                base = Some(c.clone());
                break;
            }
            if b.kind_name() == "identifier" {
                if let Some((Export::ErrorClass(sig), target)) = self.imported(t) {
                    base = Some(ErrorClass {
                        framework: sig.framework,
                        status: ClassStatus::Fixed(sig.code),
                        challenge: sig.challenge.clone().map(|lit| ChallengeHeader {
                            value_range: 0..0,
                            literal: lit,
                            evidence: None,
                            shared: false,
                        }),
                        headers_opaque: false,
                        headers_param: None,
                        message: sig.message.clone(),
                        detail_param: None,
                        super_call: None,
                        definition: sig.definition.clone(),
                        defined_in: Some(target),
                    });
                    break;
                }
            }
            let origin = self.origin(b);
            if matches!(origin, Origin::Project) {
                continue;
            }
            base_kind = match last {
                "HTTPException" | "StarletteHTTPException" => {
                    if matches!(origin, Origin::Framework(Framework::Flask)) {
                        Some("werkzeug")
                    } else {
                        Some("fastapi")
                    }
                }
                "Unauthorized" => Some("unauthorized"),
                "Forbidden" => Some("forbidden"),
                "PermissionDenied" => Some("permission_denied"),
                "APIException" => Some("api_exception"),
                _ => None,
            };
            if base_kind.is_some() {
                break;
            }
        }
        let mut class_info = match (base, base_kind) {
            (Some(mut b), _) => {
                b.definition = class.byte_range();
                b.defined_in = None;
                b.super_call = None;
                b
            }
            (None, Some(kind)) => {
                let (framework, status) = match kind {
                    "fastapi" => (Framework::FastApi, None),
                    "werkzeug" => (Framework::Flask, None),
                    "unauthorized" => (Framework::Flask, Some(401)),
                    "forbidden" => (Framework::Flask, Some(403)),
                    "permission_denied" => (Framework::Django, Some(403)),
                    _ => (Framework::Django, None),
                };
                ErrorClass {
                    framework,
                    status: ClassStatus::Fixed(status.unwrap_or(0)),
                    challenge: None,
                    headers_opaque: false,
                    headers_param: None,
                    message: None,
                    detail_param: None,
                    super_call: None,
                    definition: class.byte_range(),
                    defined_in: None,
                }
            }
            (None, None) => return None,
        };
        // Class attributes: `status_code = 401`, `code = 401`, `detail = "..."`.
        for stmt in named_children(body) {
            let Some(a) = assignment_in(stmt) else {
                continue;
            };
            let (Some(l), Some(r)) = (a.field("left"), a.field("right")) else {
                continue;
            };
            match text(l, self.src) {
                "status_code" | "code" => {
                    if let StatusEval::Known(v) = self.eval_status(r, 0) {
                        if let Some(v) = v.first() {
                            class_info.status = ClassStatus::Fixed(v.code);
                        }
                    }
                }
                "detail" | "description" | "default_detail" | "message" => {
                    if let Some(s) = self.string_literal(unwrap_expr(r)) {
                        class_info.message = Some(s);
                    }
                }
                _ => {}
            }
        }
        // `def __init__(...): super().__init__(status_code=401, detail=..., headers=...)`
        let init = named_children(body)
            .map(|s| {
                if s.kind_name() == "decorated_definition" {
                    s.field("definition").unwrap_or(s)
                } else {
                    s
                }
            })
            .find(|s| {
                s.kind_name() == "function_definition"
                    && s.field("name")
                        .is_some_and(|n| text(n, self.src) == "__init__")
            });
        if let Some(init) = init {
            let init_params = params(init, self.src);
            let sup = find_node(init, |n| {
                n.kind_name() == "call"
                    && n.field("function").is_some_and(|f| {
                        let t = text(f, self.src);
                        t.ends_with(".__init__")
                    })
            });
            if let Some(sup) = sup {
                let ftext = sup
                    .field("function")
                    .map(|f| text(f, self.src))
                    .unwrap_or("");
                // `Base.__init__(self, ...)` passes self explicitly.
                let shift = usize::from(!ftext.starts_with("super("));
                let args = Args::of(sup, self.src);
                let fastapi_like = class_info.framework == Framework::FastApi;
                let (status_kw, detail_kw, headers_kw, detail_pos, headers_pos) = if fastapi_like {
                    ("status_code", "detail", "headers", 1, 2)
                } else {
                    ("code", "description", "www_authenticate", 0, 2)
                };
                let status_arg = args.get(status_kw, if fastapi_like { Some(shift) } else { None });
                if let Some(s) = status_arg {
                    match self.eval_status(s, 0) {
                        StatusEval::Known(v) => {
                            if let Some(v) = v.first() {
                                class_info.status = ClassStatus::Fixed(v.code);
                            }
                        }
                        StatusEval::Param(i) => {
                            let p = init_params.get(i);
                            let default = p.and_then(|p| p.default).and_then(|d| {
                                match self.eval_status(d, 0) {
                                    StatusEval::Known(v) => v.first().map(|v| v.code),
                                    _ => None,
                                }
                            });
                            class_info.status = ClassStatus::Param {
                                index: i.saturating_sub(1),
                                name: p.map(|p| p.name.clone()).unwrap_or_default(),
                                default,
                            };
                        }
                        _ => {}
                    }
                }
                if let Some(d) = args.get(detail_kw, Some(detail_pos + shift)) {
                    let d = unwrap_expr(d);
                    if let Some(s) = self.string_literal(d) {
                        class_info.message = Some(s);
                    } else if d.kind_name() == "identifier" {
                        let name = text(d, self.src);
                        if let Some(i) = param_index(init, name, self.src) {
                            class_info.detail_param = Some((i.saturating_sub(1), name.to_string()));
                            if let Some(s) = init_params
                                .get(i)
                                .and_then(|p| p.default)
                                .and_then(|d| self.string_literal(unwrap_expr(d)))
                            {
                                class_info.message = Some(s);
                            }
                        }
                    }
                }
                match args.get(headers_kw, Some(headers_pos + shift)) {
                    Some(h) => {
                        let hu = unwrap_expr(h);
                        if !fastapi_like {
                            // werkzeug `www_authenticate=`: any value is a challenge.
                            if hu.kind_name() != "none" {
                                class_info.challenge = Some(ChallengeHeader {
                                    value_range: hu.byte_range(),
                                    literal: None,
                                    evidence: None,
                                    shared: false,
                                });
                            }
                        } else if hu.kind_name() == "identifier"
                            && param_index(init, text(hu, self.src), self.src).is_some()
                        {
                            let name = text(hu, self.src);
                            let i = param_index(init, name, self.src).unwrap_or(0);
                            class_info.headers_param =
                                Some((i.saturating_sub(1), name.to_string()));
                        } else {
                            let h = self.eval_headers(hu, hu, 0);
                            class_info.challenge = h.challenge;
                            class_info.headers_opaque = h.opaque;
                        }
                    }
                    None => {
                        if args.splat {
                            class_info.headers_opaque = true;
                        }
                    }
                }
                class_info.super_call = Some(sup);
            }
        }
        match class_info.status {
            ClassStatus::Fixed(0) => None,
            _ => Some(class_info),
        }
    }
}

// ----- small syntax helpers --------------------------------------------------

/// Functions, lambdas and classes start a new scope for paths and guards.
fn is_scope(n: Node) -> bool {
    matches!(
        n.kind_name(),
        "function_definition" | "lambda" | "class_definition"
    )
}

fn is_function(n: Node) -> bool {
    matches!(n.kind_name(), "function_definition" | "lambda")
}

fn is_statement(n: Node) -> bool {
    n.kind_name().ends_with("_statement") || n.kind_name() == "decorated_definition"
}

fn enclosing_function<'t>(cx: &Cx<'t>, n: Node<'t>) -> Option<Node<'t>> {
    let mut p = cx.up(n);
    let mut steps = 0;
    while let Some(x) = p {
        steps += 1;
        if steps > MAX_PARENT_WALK * 4 {
            return None;
        }
        if is_function(x) {
            return Some(x);
        }
        p = cx.up(x);
    }
    None
}

/// The leftmost identifier of `a.b.c` / `a.b().c`.
fn leftmost(n: Node) -> Option<Node> {
    let mut x = n;
    for _ in 0..64 {
        match x.kind_name() {
            "identifier" => return Some(x),
            "attribute" => x = x.field("object")?,
            "call" => x = x.field("function")?,
            "subscript" => x = x.field("value")?,
            _ => return None,
        }
    }
    None
}

/// `logger`, `log`, `LOGGER`, `_logger`, `audit_log`, `logging`, `structlog`.
fn loggerish(name: &str) -> bool {
    let l = name.trim_start_matches('_').to_ascii_lowercase();
    l == "log"
        || l == "logging"
        || l == "structlog"
        || l == "loguru"
        || l.ends_with("logger")
        || l.ends_with("_log")
        || (l.ends_with("log") && l.len() <= 8 && l != "catalog" && l != "blog" && l != "dialog")
}

/// The assignment in a statement: `x = ...` (possibly annotated).
fn assignment_in(stmt: Node) -> Option<Node> {
    if stmt.kind_name() != "expression_statement" {
        return None;
    }
    stmt.named_child(0)
        .filter(|a| a.kind_name() == "assignment")
}

/// Strips parentheses and `await`.
fn unwrap_expr(mut n: Node) -> Node {
    for _ in 0..64 {
        match n.kind_name() {
            "parenthesized_expression" | "await" => match n.named_child(0) {
                Some(c) if c.kind_name() != "comment" => n = c,
                _ => return n,
            },
            _ => return n,
        }
    }
    n
}

fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// The parameters of a `def`, in order (`self` included).
fn params<'a>(def: Node<'a>, src: &str) -> Vec<Param<'a>> {
    let Some(ps) = def.field("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut kw_only = false;
    for p in named_children(ps) {
        let (name, default, splat) = match p.kind_name() {
            "identifier" => (Some(text(p, src)), None, false),
            "typed_parameter" => (
                named_children(p)
                    .find(|c| c.kind_name() == "identifier")
                    .map(|c| text(c, src)),
                None,
                named_children(p).any(|c| c.kind_name().ends_with("splat_pattern")),
            ),
            "default_parameter" | "typed_default_parameter" => (
                p.field("name").map(|n| text(n, src)),
                p.field("value"),
                false,
            ),
            "list_splat_pattern" | "dictionary_splat_pattern" => {
                (named_children(p).next().map(|c| text(c, src)), None, true)
            }
            "keyword_separator" => {
                kw_only = true;
                continue;
            }
            _ => continue,
        };
        let Some(name) = name else { continue };
        let list_splat = p.kind_name() == "list_splat_pattern"
            || (p.kind_name() == "typed_parameter"
                && named_children(p).any(|c| c.kind_name() == "list_splat_pattern"));
        out.push(Param {
            name: name.trim_start_matches('*').to_string(),
            default,
            kw_only,
            splat,
        });
        if list_splat {
            kw_only = true;
        }
    }
    out
}

fn param_index(def: Node, name: &str, src: &str) -> Option<usize> {
    params(def, src)
        .iter()
        .position(|p| p.name == name && !p.splat)
}

/// The arguments of a call.
struct Args<'a> {
    positional: Vec<Node<'a>>,
    keywords: Vec<(String, Node<'a>)>,
    /// `*args` or `**kwargs` present: anything may be passed.
    splat: bool,
    list: Option<Node<'a>>,
}

impl<'a> Args<'a> {
    fn of(call: Node<'a>, src: &str) -> Self {
        let mut out = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
            splat: false,
            list: None,
        };
        let Some(list) = call
            .field("arguments")
            .filter(|a| a.kind_name() == "argument_list")
        else {
            return out;
        };
        out.list = Some(list);
        for a in named_children(list) {
            match a.kind_name() {
                "comment" => {}
                "keyword_argument" => {
                    if let (Some(n), Some(v)) = (a.field("name"), a.field("value")) {
                        out.keywords.push((text(n, src).to_string(), v));
                    }
                }
                "list_splat" | "dictionary_splat" => out.splat = true,
                _ => out.positional.push(a),
            }
        }
        out
    }

    /// The argument passed as keyword `kw`, else at position `pos`.
    fn get(&self, kw: &str, pos: Option<usize>) -> Option<Node<'a>> {
        self.keywords
            .iter()
            .find(|(n, _)| n == kw)
            .map(|(_, v)| *v)
            .or_else(|| pos.and_then(|p| self.positional.get(p).copied()))
    }

    fn has(&self, kw: &str) -> bool {
        self.keywords.iter().any(|(n, _)| n == kw)
    }
}

/// The conditions evaluated before control reaches `child` of `parent`
/// (an `if`, `elif` or `while`): its own condition when `child` is the body,
/// the `if` and earlier `elif` conditions when `child` is an `elif`/`else`.
fn conditions_before<'t>(parent: Node<'t>, child: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let Some(cond) = parent.field("condition") else {
        return out;
    };
    if cond.byte_range().contains(&child.start_byte()) {
        return out;
    }
    if parent
        .field("consequence")
        .or_else(|| parent.field("body"))
        .is_some_and(|c| c.id() == child.id())
    {
        out.push(cond);
        return out;
    }
    if parent.kind_name() == "if_statement"
        && matches!(child.kind_name(), "elif_clause" | "else_clause")
    {
        out.push(cond);
        for alt in named_children(parent) {
            if alt.start_byte() >= child.start_byte() {
                break;
            }
            if alt.kind_name() == "elif_clause" {
                if let Some(c) = alt.field("condition") {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Replaces whole-word occurrences of `word` (not after a `.`) in `hay`.
/// Whether a block ends by raising: `raise ...` or Flask's `abort(...)`.
fn block_raises(block: Node, src: &str) -> bool {
    named_children(block)
        .rev()
        .find(|s| s.kind_name() != "comment")
        .is_some_and(|s| match s.kind_name() {
            "raise_statement" => true,
            "expression_statement" => {
                let t = text(s, src);
                t.starts_with("abort(") || t.starts_with("flask.abort(")
            }
            _ => false,
        })
}

/// Whether a block ends the request: `raise`, `return`, `abort(...)`.
fn block_exits(block: Node, src: &str) -> bool {
    named_children(block).any(|s| match s.kind_name() {
        "raise_statement" | "return_statement" => true,
        "expression_statement" => {
            let t = text(s, src);
            t.starts_with("abort(") || t.contains(".abort(")
        }
        _ => false,
    })
}

/// `not user`, `user is None`, `not request.user.is_authenticated`, `not current_user`.
fn rejects_missing_identity(cond: &str) -> bool {
    let c: String = cond.split_whitespace().collect::<Vec<_>>().join(" ");
    if c.contains("is_anonymous") || (c.contains("not ") && c.contains(".is_authenticated")) {
        return true;
    }
    const NAMES: &[&str] = &[
        "user",
        "current_user",
        "request.user",
        "g.user",
        "session",
        "claims",
        "payload",
        "decoded",
        "principal",
        "identity",
        "user_id",
        "token_data",
        "account",
    ];
    let bounded = |hay: &str, needle: &str| {
        hay.match_indices(needle).any(|(i, _)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + needle.len()..].chars().next();
            !matches!(before, Some(ch) if ch.is_alphanumeric() || ch == '_' || ch == '.')
                && !matches!(after, Some(ch) if ch.is_alphanumeric() || ch == '_' || ch == '.' || ch == '[' || ch == '(')
        })
    };
    NAMES.iter().any(|n| {
        bounded(&c, &format!("not {n}"))
            || bounded(&c, &format!("{n} is None"))
            || bounded(&c, &format!("{n} == None"))
    })
}

fn except_alias(clause: Node) -> Option<Node> {
    if let Some(a) = clause.field("alias") {
        return Some(a);
    }
    let value = clause.field("value")?;
    let mut stack = vec![value];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "as_pattern_target" {
            return n.named_child(0).or(Some(n));
        }
        stack.extend(named_children(n));
    }
    None
}

/// The first node under `root` (not in nested scopes) matching `pred`.
fn find_node<'t>(root: Node<'t>, pred: impl Fn(Node<'t>) -> bool) -> Option<Node<'t>> {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.id() != root.id() && is_scope(n) {
            continue;
        }
        if pred(n) {
            return Some(n);
        }
        stack.extend(named_children(n).rev());
    }
    None
}

/// The value a function returns first (for header builders).
fn returned_value(def: Node) -> Option<Node> {
    let body = def.field("body")?;
    let ret = find_node(body, |n| n.kind_name() == "return_statement")?;
    ret.named_child(0)
}

fn known_indirect(code: u16, node: Node) -> StatusEval {
    StatusEval::Known(vec![StatusValue {
        code,
        range: node.byte_range(),
        literal: false,
        branch_condition: None,
    }])
}

fn export_headers(e: Export, target: Option<&Path>) -> HeaderEval {
    match e {
        Export::Headers { challenge, opaque } | Export::HeaderBuilder { challenge, opaque } => {
            HeaderEval {
                challenge: challenge.map(|lit| ChallengeHeader {
                    value_range: 0..0,
                    literal: lit,
                    evidence: target.map(|t| {
                        super::index::evidence_in(
                            t,
                            0..0,
                            "`WWW-Authenticate` comes from this module",
                        )
                    }),
                    shared: true,
                }),
                opaque,
            }
        }
        _ => HeaderEval::opaque(),
    }
}

/// Whether `n` sits in a test assertion or a test function.
fn in_test_code<'t>(cx: &Cx<'t>, n: Node<'t>, src: &str) -> bool {
    let mut p = cx.up(n);
    let mut steps = 0;
    while let Some(x) = p {
        steps += 1;
        if steps > MAX_PARENT_WALK * 4 {
            return false;
        }
        match x.kind_name() {
            "assert_statement" => return true,
            "call" => {
                let f = x.field("function").map(|f| text(f, src)).unwrap_or("");
                let last = f.rsplit('.').next().unwrap_or(f);
                if last.starts_with("assert") || f.starts_with("pytest.") || f.starts_with("mock.")
                {
                    return true;
                }
            }
            "function_definition"
                if x.field("name")
                    .is_some_and(|nm| text(nm, src).starts_with("test_")) =>
            {
                return true;
            }
            _ => {}
        }
        p = cx.up(x);
    }
    false
}

// ----- insertions --------------------------------------------------------------

/// How to add an entry (`$NAME: $VALUE`, a tuple…) to a dict or list literal, in its layout.
fn entry_insertion(
    cx: &Cx,
    container: Node,
    entry: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let entries: Vec<Node> = named_children(container)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    let Some(last) = entries.last() else {
        let (open, close) = match container.kind_name() {
            "list" => ('[', ']'),
            _ => ('{', '}'),
        };
        return Some(HeaderInsertion {
            at: container.start_byte(),
            replace_len: container.end_byte() - container.start_byte(),
            template: format!("{open}{entry}{close}").into(),
            how,
        });
    };
    if cx.src[last.end_byte()..container.end_byte()].contains('#') {
        return None; // a trailing comment: no clean edit
    }
    after_last_entry(cx, *last, container.end_byte(), entry, how)
}

/// Inserts `entry` after `last` (the last element before `close`).
fn after_last_entry(
    cx: &Cx,
    last: Node,
    close: usize,
    entry: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let after_last = cx.src.get(last.end_byte()..close)?;
    let has_trailing_comma = after_last.trim_start().starts_with(',');
    if syntax::starts_line(cx.src, last.start_byte()) {
        let (_, indent) = syntax::line_indent(cx.src, last.start_byte());
        if has_trailing_comma {
            let comma = last.end_byte() + after_last.find(',').unwrap_or(0) + 1;
            Some(HeaderInsertion {
                at: comma,
                replace_len: 0,
                template: format!("{}{indent}{entry},", cx.newline).into(),
                how,
            })
        } else {
            Some(HeaderInsertion {
                at: last.end_byte(),
                replace_len: 0,
                template: format!(",{}{indent}{entry}", cx.newline).into(),
                how,
            })
        }
    } else {
        Some(HeaderInsertion {
            at: last.end_byte(),
            replace_len: 0,
            template: format!(", {entry}").into(),
            how,
        })
    }
}

/// How to add the keyword argument `kwarg` (a template) to a call.
fn kwarg_insertion(
    cx: &Cx,
    args: &Args,
    kwarg: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let list = args.list?;
    let entries: Vec<Node> = named_children(list)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    match entries.last() {
        None => {
            let inner = cx
                .src
                .get(list.start_byte() + 1..list.end_byte().saturating_sub(1))?;
            if inner.contains('#') {
                return None;
            }
            Some(HeaderInsertion {
                at: list.start_byte() + 1,
                replace_len: inner.len(),
                template: kwarg.into(),
                how,
            })
        }
        Some(last) => {
            if cx.src[last.end_byte()..list.end_byte()].contains('#') {
                return None;
            }
            after_last_entry(cx, *last, list.end_byte(), kwarg, how)
        }
    }
}

/// How to add a challenge to a headers expression that is already there.
fn headers_value_insertion<'t>(
    cx: &Cx<'t>,
    h: Node<'t>,
    eval: &HeaderEval,
) -> Option<HeaderInsertion> {
    let hu = unwrap_expr(h);
    match hu.kind_name() {
        "dictionary" => entry_insertion(
            cx,
            hu,
            "$NAME: $VALUE",
            "add a `WWW-Authenticate` entry to `headers`",
        ),
        "list" => entry_insertion(
            cx,
            hu,
            "($NAME, $VALUE)",
            "add a `WWW-Authenticate` entry to the header list",
        ),
        "none" => Some(HeaderInsertion {
            at: hu.start_byte(),
            replace_len: hu.end_byte() - hu.start_byte(),
            template: "{$NAME: $VALUE}".into(),
            how: "pass `headers` with `WWW-Authenticate`",
        }),
        "identifier" | "attribute" if !eval.opaque => {
            // Only when it is known to be a dict (a list would break `**`).
            let is_dict = hu.kind_name() == "identifier" && {
                let name = text(hu, cx.src);
                match cx.resolve_local(name, hu).map(unwrap_expr) {
                    Some(r) => r.kind_name() == "dictionary",
                    None => matches!(cx.imported(name), Some((Export::Headers { .. }, _))),
                }
            };
            if is_dict {
                Some(HeaderInsertion {
                    at: h.start_byte(),
                    replace_len: h.end_byte() - h.start_byte(),
                    template: format!("{{**{}, $NAME: $VALUE}}", text(h, cx.src)).into(),
                    how: "merge `WWW-Authenticate` into the headers",
                })
            } else {
                None
            }
        }
        _ => None,
    }
}

// ----- candidates ------------------------------------------------------------

/// A candidate site before it is turned into the model.
struct Raw<'t> {
    framework: Framework,
    /// The response expression (its range is the site's range).
    node: Node<'t>,
    /// Where the response is produced (guards, logging, insertion): usually `node`,
    /// the `raise` statement for an exception raised through a variable.
    anchor: Node<'t>,
    status: StatusEval,
    headers: HeaderEval,
    insertion: Option<HeaderInsertion>,
    message_node: Option<Node<'t>>,
    message_text: Option<String>,
    /// The raised object is an exception (may be assigned and raised later).
    exception: bool,
    via: Option<Evidence>,
    /// The response is built by a helper that logs first (its definition).
    logged_in: Option<Range<usize>>,
    /// The headers expression passed to the response, if any.
    headers_node: Option<Node<'t>>,
    /// For an exception object raised through a variable: every `raise` of it.
    raises: Vec<Node<'t>>,
    /// The pack row that recognised it.
    pack: Option<PackSite>,
}

impl<'t> Raw<'t> {
    fn new(framework: Framework, node: Node<'t>, status: StatusEval) -> Self {
        Raw {
            framework,
            node,
            anchor: node,
            status,
            headers: HeaderEval::default(),
            insertion: None,
            message_node: None,
            message_text: None,
            exception: false,
            via: None,
            logged_in: None,
            headers_node: None,
            raises: Vec::new(),
            pack: None,
        }
    }

    fn into_site(self, cx: &Cx<'t>) -> Option<ResponseSite> {
        let status = match self.status {
            StatusEval::Known(v) => Status::Known(v.into()),
            StatusEval::Forwarded(r, s) => Status::Forwarded {
                range: r,
                source: s,
            },
            _ => return None,
        };
        let message = self
            .message_node
            .and_then(|m| cx.strings_in(m))
            .or(self.message_text);
        let echoes_error = self
            .message_node
            .and_then(|m| cx.echoed_error(m, self.anchor));
        let log_insertion = cx
            .logger
            .as_ref()
            .and_then(|_| cx.statement_insertion(self.anchor));
        let mut headers = self.headers;
        if headers.challenge.is_none() {
            headers.challenge = cx.httpauth_challenge(self.anchor);
        }
        Some(ResponseSite {
            framework: self.framework,
            range: self.node.byte_range(),
            status,
            headers: Headers {
                challenge: headers.challenge,
                opaque: headers.opaque,
                insertion: self.insertion,
            },
            message: message.map(Into::into),
            message_range: self.message_node.map(|m| m.byte_range()),
            guard: if self.raises.len() > 1 {
                cx.combined_guard(&self.raises, self.anchor)
            } else {
                cx.guard(self.anchor)
            },
            handler: enclosing_function(cx, self.anchor).map(|f| f.byte_range()),
            logged: cx.logged_before(self.anchor).or(self.logged_in),
            log_insertion,
            logger_in_scope: cx.logger.clone(),
            identity_established: cx.identity_established(self.anchor),
            echoes_error,
            via_helper: self.via,
            split: None,
            middleware: None,
            status_from_helper: false,
            pack: self.pack,
        })
    }
}

/// Candidate sites, and the calls that may be helper or exception-class
/// calls (judged later, once the file's helpers are known). One query pass
/// over the file, or over each node of `within` (the query's patterns are
/// single nodes, so running it from a statement finds what a run over the
/// file finds in that statement, without stepping through the others).
fn candidates<'t>(cx: &Cx<'t>, within: Option<&[Node<'t>]>) -> (Vec<Raw<'t>>, Vec<Node<'t>>) {
    let mut calls = Vec::new();
    let mut out: Vec<Raw<'t>> = Vec::new();
    let Some(q) = query() else {
        return (out, calls);
    };
    match within {
        Some(nodes) => {
            for node in nodes {
                candidates_within(cx, q, *node, &mut out, &mut calls);
            }
        }
        None => candidates_within(cx, q, cx.root, &mut out, &mut calls),
    }
    calls.sort_by_key(|n| n.start_byte());
    calls.dedup_by_key(|n| n.id());
    (out, calls)
}

fn candidates_within<'t>(
    cx: &Cx<'t>,
    q: &Query,
    within: Node<'t>,
    out: &mut Vec<Raw<'t>>,
    calls: &mut Vec<Node<'t>>,
) {
    let names = q.capture_names();
    let mut qc = QueryCursor::new();
    let mut matches = qc.matches(q, within, cx.src.as_bytes());
    while let Some(m) = matches.next() {
        for cap in m.captures {
            let Some(kind) = names[cap.index as usize].strip_prefix("site.") else {
                continue;
            };
            let node = cap.node;
            for (candidate, node) in classify(cx, kind, node) {
                if candidate == Candidate::HelperCall {
                    calls.push(node);
                    continue;
                }
                if in_test_code(cx, node, cx.src) {
                    continue;
                }
                match candidate {
                    Candidate::Constructor => {
                        if let Some(r) =
                            constructor_call(cx, node).or_else(|| packs::call_site(cx, node))
                        {
                            out.extend(expand_raised(cx, r));
                        }
                    }
                    Candidate::RaiseName => out.extend(raise_name(cx, node)),
                    // A returned tuple is a response in Flask only (FastAPI would
                    // serialise it as a JSON list with status 200).
                    Candidate::Tuple
                        if matches!(cx.framework_hint, None | Some(Framework::Flask)) =>
                    {
                        out.extend(flask_tuple(cx, node))
                    }
                    Candidate::Tuple | Candidate::HelperCall => {}
                    // A pack's row is specific (its receiver, in a file
                    // importing its framework): it wins.
                    Candidate::Assignment => out.extend(
                        packs::assign_site(cx, node).or_else(|| status_assignment(cx, node)),
                    ),
                    Candidate::Lambda => out.extend(lambda_dict(cx, node)),
                }
            }
        }
    }
}

/// What a captured node may be: the shape checks behind each `@site.<kind>`
/// of `queries/python/responses.scm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    /// A known framework constructor or call (`HTTPException(…)`, `abort(401)`).
    Constructor,
    /// `name(…)` or `self.name(…)`: maybe a helper or a project exception class.
    HelperCall,
    /// The name or attribute a `raise` names (`raise credentials_exception`).
    RaiseName,
    /// A returned tuple (`return body, 401`).
    Tuple,
    /// `response.status_code = 401`.
    Assignment,
    /// `{"statusCode": 401, …}` (AWS Lambda).
    Lambda,
}

/// The candidates a captured node stands for, each with the node to read.
fn classify<'t>(cx: &Cx<'t>, kind: &str, node: Node<'t>) -> Vec<(Candidate, Node<'t>)> {
    let src = cx.src;
    let named = |n: Node<'t>, kinds: &[&str]| -> Vec<Node<'t>> {
        named_children(n)
            .filter(|c| kinds.contains(&c.kind_name()))
            .collect()
    };
    let mut out = Vec::new();
    match kind {
        "call" => {
            let f = node.field("function");
            if callee_name(node, src).is_some_and(|(name, _)| {
                CONSTRUCTORS.contains(&name) || packs::may_be_call(cx, name)
            }) {
                out.push((Candidate::Constructor, node));
            }
            let plain = f.is_some_and(|f| {
                f.kind_name() == "identifier"
                    || f.kind_name() == "attribute"
                        && f.field("object").is_some_and(|o| {
                            o.kind_name() == "identifier" && matches!(text(o, src), "self" | "cls")
                        })
            });
            let args = node
                .field("arguments")
                .is_some_and(|a| a.kind_name() == "argument_list");
            if plain && args {
                out.push((Candidate::HelperCall, node));
            }
        }
        "raise" => {
            for n in named(node, &["identifier", "attribute"]) {
                out.push((Candidate::RaiseName, n));
            }
        }
        "return" => {
            for n in named(node, &["expression_list", "tuple"]) {
                out.push((Candidate::Tuple, n));
            }
        }
        "assignment" => {
            let status_code = node
                .field("left")
                .filter(|l| l.kind_name() == "attribute")
                .and_then(|l| l.field("attribute"))
                .is_some_and(|a| {
                    a.kind_name() == "identifier"
                        && (text(a, src) == "status_code" || packs::may_be_assign(cx, text(a, src)))
                });
            if status_code {
                out.push((Candidate::Assignment, node));
            }
        }
        "dictionary" => {
            let status_key = named(node, &["pair"]).into_iter().any(|p| {
                p.field("key").is_some_and(|k| {
                    k.kind_name() == "string"
                        && matches!(text(k, src), "'statusCode'" | "\"statusCode\"")
                })
            });
            if status_key {
                out.push((Candidate::Lambda, node));
            }
        }
        _ => {}
    }
    out
}

/// The name called: `HTTPException` in `fastapi.HTTPException(...)`.
fn callee_name<'t>(call: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
    let f = call.field("function")?;
    let name = match f.kind_name() {
        "identifier" => text(f, src),
        "attribute" => text(f.field("attribute")?, src),
        _ => return None,
    };
    Some((name, f))
}

/// Known framework constructors and calls.
/// The callee names `classify` takes for framework constructors.
const CONSTRUCTORS: &[&str] = &[
    "HTTPException",
    "StarletteHTTPException",
    "Response",
    "JSONResponse",
    "PlainTextResponse",
    "HTMLResponse",
    "ORJSONResponse",
    "UJSONResponse",
    "StreamingResponse",
    "HttpResponse",
    "JsonResponse",
    "HttpResponseForbidden",
    "StreamingHttpResponse",
    "abort",
    "make_response",
    "Unauthorized",
    "Forbidden",
    "PermissionDenied",
];

/// The framework name behind an aliased import: `HE` in
/// `from fastapi import HTTPException as HE`.
fn aliased_constructor<'t>(cx: &Cx<'t>, f: Node<'t>) -> Option<&'t str> {
    if f.kind_name() != "identifier" {
        return None;
    }
    let local = text(f, cx.src);
    let (module, orig) = cx.imports.get(local)?;
    let orig = CONSTRUCTORS.iter().copied().find(|c| *c == &**orig)?;
    (orig != local && module_framework(module).is_some()).then_some(orig)
}

fn constructor_call<'t>(cx: &Cx<'t>, call: Node<'t>) -> Option<Raw<'t>> {
    let (name, f) = callee_name(call, cx.src)?;
    let name = aliased_constructor(cx, f).unwrap_or(name);
    let origin = cx.origin(f);
    let module_fw = match origin {
        Origin::Framework(fw) => Some(fw),
        Origin::Unknown => None,
        Origin::Project | Origin::Foreign => return None,
    };
    let args = Args::of(call, cx.src);
    let fw_hint = module_fw.or(cx.framework_hint);
    let mut raw;
    // (status keyword, status position, headers keyword, headers position, body keyword, body position)
    struct Shape {
        status_kw: &'static str,
        status_pos: Option<usize>,
        headers_kw: &'static str,
        headers_pos: Option<usize>,
        body_kw: &'static str,
        body_pos: Option<usize>,
    }
    let shape = |status_kw, status_pos, headers_pos, body_kw| Shape {
        status_kw,
        status_pos,
        headers_kw: "headers",
        headers_pos,
        body_kw,
        body_pos: Some(0),
    };
    let (framework, shape, exception) = match name {
        "HTTPException" | "StarletteHTTPException" => {
            if module_fw == Some(Framework::Flask) {
                return None; // werkzeug's HTTPException has no status argument
            }
            (
                Framework::FastApi,
                Shape {
                    status_kw: "status_code",
                    status_pos: Some(0),
                    headers_kw: "headers",
                    headers_pos: Some(2),
                    body_kw: "detail",
                    body_pos: Some(1),
                },
                true,
            )
        }
        "JSONResponse" | "PlainTextResponse" | "HTMLResponse" | "ORJSONResponse"
        | "UJSONResponse" | "StreamingResponse" => (
            Framework::FastApi,
            shape("status_code", Some(1), Some(2), "content"),
            false,
        ),
        "Response" => {
            let fw = if args.has("status_code") {
                Framework::FastApi
            } else if args.has("status") {
                match fw_hint {
                    Some(Framework::Django) => Framework::Django,
                    _ => Framework::Flask,
                }
            } else {
                fw_hint.unwrap_or(Framework::FastApi)
            };
            match fw {
                Framework::FastApi => {
                    (fw, shape("status_code", Some(1), Some(2), "content"), false)
                }
                Framework::Django => (fw, shape("status", Some(1), Some(3), "data"), false),
                _ => (fw, shape("status", Some(1), Some(2), "response"), false),
            }
        }
        "HttpResponse" | "JsonResponse" | "StreamingHttpResponse" => (
            Framework::Django,
            shape(
                "status",
                None,
                None,
                if name == "JsonResponse" {
                    "data"
                } else {
                    "content"
                },
            ),
            false,
        ),
        "HttpResponseForbidden" => {
            raw = Raw::new(
                Framework::Django,
                call,
                known_indirect(403, f.field("attribute").unwrap_or(f)),
            );
            if let Some(s) = args.get("status", None) {
                raw.status = cx.eval_status(s, 0);
            }
            raw.message_node = args.get("content", Some(0));
            fill_headers(cx, &mut raw, &args, "headers", None, call);
            return Some(raw);
        }
        "abort" => {
            if module_fw.is_none() && cx.framework_hint != Some(Framework::Flask) {
                return None;
            }
            let status_node = args
                .get("code", Some(0))
                .or_else(|| args.get("status", None))?;
            let status = cx.eval_status(status_node, 0);
            raw = Raw::new(Framework::Flask, call, status);
            raw.message_node = args.get("description", Some(1));
            raw.exception = true;
            werkzeug_challenge(cx, &mut raw, &args, None);
            return Some(raw);
        }
        "make_response" => {
            if let Some(t) = args
                .positional
                .first()
                .map(|a| unwrap_expr(*a))
                .filter(|a| a.kind_name() == "tuple" && args.positional.len() == 1)
            {
                let mut r = flask_tuple(cx, t)?;
                r.node = call;
                r.anchor = call;
                return Some(r);
            }
            (
                Framework::Flask,
                shape("status", Some(1), Some(2), "response"),
                false,
            )
        }
        "Unauthorized" | "Forbidden" => {
            if module_fw.is_none() && cx.framework_hint != Some(Framework::Flask) {
                return None;
            }
            let code = if name == "Unauthorized" { 401 } else { 403 };
            raw = Raw::new(
                Framework::Flask,
                call,
                known_indirect(code, f.field("attribute").unwrap_or(f)),
            );
            raw.message_node = args.get("description", Some(0));
            raw.exception = true;
            if args.get("response", Some(1)).is_some() {
                raw.headers.opaque = true; // a full response replaces the default one
            }
            if code == 401 {
                werkzeug_challenge(cx, &mut raw, &args, Some(2));
            }
            return Some(raw);
        }
        "PermissionDenied" => {
            if module_fw.is_none() && cx.framework_hint != Some(Framework::Django) {
                return None;
            }
            raw = Raw::new(
                Framework::Django,
                call,
                known_indirect(403, f.field("attribute").unwrap_or(f)),
            );
            raw.message_node = args.positional.first().copied();
            raw.exception = true;
            return Some(raw);
        }
        _ => return None,
    };
    let status_node = args.get(shape.status_kw, shape.status_pos)?;
    let status = cx.eval_status(status_node, 0);
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    raw = Raw::new(framework, call, status);
    raw.exception = exception;
    raw.message_node = args.get(shape.body_kw, shape.body_pos);
    fill_headers(
        cx,
        &mut raw,
        &args,
        shape.headers_kw,
        shape.headers_pos,
        call,
    );
    if name == "make_response" && args.get("headers", Some(2)).is_none() {
        // `make_response(*args)` takes no keywords: headers go third.
        raw.insertion =
            (args.positional.len() == 2 && args.keywords.is_empty()).then(|| HeaderInsertion {
                at: status_node.end_byte(),
                replace_len: 0,
                template: ", {$NAME: $VALUE}".into(),
                how: "pass headers to `make_response`",
            });
    }
    if !exception {
        // `resp = HttpResponse(status=401); resp["WWW-Authenticate"] = "Bearer"; return resp`
        if let Some(var) = assigned_name(cx, call, cx.src) {
            let scope = enclosing_function(cx, call).unwrap_or(cx.root);
            if raw.headers.challenge.is_none() {
                if let Some(ch) = cx.header_set_on(scope, var, true, None) {
                    raw.headers.challenge = Some(ch);
                }
            }
        }
    }
    Some(raw)
}

/// The variable a call is assigned to: `resp = HttpResponse(...)`.
fn assigned_name<'t>(cx: &Cx<'t>, call: Node<'t>, src: &'t str) -> Option<&'t str> {
    let p = cx.up(call)?;
    if p.kind_name() != "assignment" || p.field("right")?.id() != call.id() {
        return None;
    }
    let l = p.field("left")?;
    (l.kind_name() == "identifier").then(|| text(l, src))
}

/// Reads the headers argument of a call and says how to add one.
fn fill_headers<'t>(
    cx: &Cx<'t>,
    raw: &mut Raw<'t>,
    args: &Args<'t>,
    kw: &str,
    pos: Option<usize>,
    call: Node<'t>,
) {
    match args.get(kw, pos) {
        Some(h) => {
            let eval = cx.eval_headers(h, call, 0);
            raw.insertion = headers_value_insertion(cx, h, &eval);
            raw.headers.merge(eval);
            raw.headers_node = Some(h);
        }
        None => {
            if args.splat {
                raw.headers.opaque = true;
            } else {
                raw.insertion = kwarg_insertion(
                    cx,
                    args,
                    &format!("{kw}={{$NAME: $VALUE}}"),
                    "pass `headers` with `WWW-Authenticate`",
                );
            }
        }
    }
}

/// `www_authenticate=` on Werkzeug's `Unauthorized` / Flask's `abort`: any value is a challenge.
fn werkzeug_challenge<'t>(cx: &Cx<'t>, raw: &mut Raw<'t>, args: &Args<'t>, pos: Option<usize>) {
    if let Some(v) = args.get("www_authenticate", pos) {
        let v = unwrap_expr(v);
        if v.kind_name() != "none" {
            raw.headers.challenge = Some(ChallengeHeader {
                value_range: v.byte_range(),
                literal: cx.string_literal(v).map(Into::into),
                evidence: None,
                shared: false,
            });
        }
    } else if args.splat {
        raw.headers.opaque = true;
    }
}

/// An exception assigned to a variable and raised later yields one site per `raise`.
fn expand_raised<'t>(cx: &Cx<'t>, raw: Raw<'t>) -> Vec<Raw<'t>> {
    let mut raw = raw;
    if !raw.exception {
        return vec![raw];
    }
    let Some(var) = assigned_name(cx, raw.node, cx.src) else {
        return vec![raw];
    };
    let scope = enclosing_function(cx, raw.node).unwrap_or(cx.root);
    let mut raises = Vec::new();
    let mut stack = vec![scope];
    while let Some(n) = stack.pop() {
        if n.id() != scope.id() && is_function(n) && scope.id() != cx.root.id() {
            continue;
        }
        if n.kind_name() == "raise_statement"
            && n.named_child(0)
                .is_some_and(|e| e.kind_name() == "identifier" && text(e, cx.src) == var)
            && !in_test_code(cx, n, cx.src)
        {
            raises.push(n);
        }
        stack.extend(named_children(n).rev());
    }
    // One site, the exception itself; its path is judged at the raises: the
    // first one with no log before it (else the first one) anchors logging,
    // and the guards of all of them say when it is raised.
    if let Some(first) = raises.first().copied() {
        raw.anchor = raises
            .iter()
            .copied()
            .find(|r| cx.logged_before(*r).is_none())
            .unwrap_or(first);
        raw.raises = raises;
    }
    vec![raw]
}

/// `raise Unauthorized` / `raise PermissionDenied` / `raise AuthError` (no call).
fn raise_name<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let stmt = cx.up(node)?;
    if stmt.field("cause").is_some_and(|c| c.id() == node.id()) {
        return None;
    }
    let name = match node.kind_name() {
        "identifier" => text(node, cx.src),
        _ => text(node.field("attribute")?, cx.src),
    };
    if let Some(class) = cx.error_classes.get(name) {
        return Some(class_site(cx, class, node, None, name));
    }
    if node.kind_name() == "identifier" {
        if let Some(class) = imported_class(cx, name) {
            return Some(class_site(cx, &class, node, None, name));
        }
    }
    let origin = cx.origin(node);
    let hint_ok = |fw| matches!(origin, Origin::Framework(_)) || cx.framework_hint == Some(fw);
    let (framework, code) = match name {
        "Unauthorized" if hint_ok(Framework::Flask) => (Framework::Flask, 401),
        "Forbidden" if hint_ok(Framework::Flask) => (Framework::Flask, 403),
        "PermissionDenied" if hint_ok(Framework::Django) => (Framework::Django, 403),
        _ => return packs::raise_site(cx, node),
    };
    if matches!(origin, Origin::Project | Origin::Foreign) {
        return None;
    }
    let mut raw = Raw::new(framework, node, known_indirect(code, node));
    raw.anchor = stmt;
    raw.exception = true;
    Some(raw)
}

fn imported_class<'t>(cx: &Cx<'t>, name: &str) -> Option<ErrorClass<'t>> {
    let (Export::ErrorClass(sig), target) = cx.imported(name)? else {
        return None;
    };
    Some(ErrorClass {
        framework: sig.framework,
        status: ClassStatus::Fixed(sig.code),
        challenge: sig.challenge.map(|lit| ChallengeHeader {
            value_range: 0..0,
            literal: lit,
            evidence: Some(super::index::evidence_in(
                &target,
                sig.definition.clone(),
                "`WWW-Authenticate` is set by this class",
            )),
            shared: true,
        }),
        headers_opaque: false,
        headers_param: None,
        message: sig.message,
        detail_param: None,
        super_call: None,
        definition: sig.definition,
        defined_in: Some(target),
    })
}

/// A site for raising/creating a project exception class: `raise AuthError("…")`.
fn class_site<'t>(
    cx: &Cx<'t>,
    class: &ErrorClass<'t>,
    node: Node<'t>,
    call: Option<Node<'t>>,
    name: &str,
) -> Raw<'t> {
    let args = call.map(|c| Args::of(c, cx.src));
    let at = call.and_then(|c| c.field("function")).unwrap_or(node);
    let status = match &class.status {
        ClassStatus::Fixed(code) => known_indirect(*code, at),
        ClassStatus::Param {
            index,
            name: pname,
            default,
        } => match args.as_ref().and_then(|a| a.get(pname, Some(*index))) {
            Some(arg) => cx.eval_status(arg, 0),
            None => default.map_or(StatusEval::Unknown, |c| known_indirect(c, at)),
        },
    };
    let mut raw = Raw::new(class.framework, node, status);
    raw.exception = true;
    if node.kind_name() != "call" {
        raw.anchor = cx.up(node).unwrap_or(node);
    }
    raw.message_text = class.message.clone();
    if let (Some((i, pname)), Some(a)) = (&class.detail_param, args.as_ref()) {
        raw.message_node = a.get(pname, Some(*i));
    }
    raw.headers.challenge = class.challenge.clone().map(|mut c| {
        if c.evidence.is_none() {
            c.evidence = Some(Evidence {
                path: class.defined_in.clone(),
                range: class.definition.clone(),
                note: format!("`{name}` sets `WWW-Authenticate`").into(),
            });
        }
        if class.defined_in.is_some() {
            c.value_range = 0..0;
        }
        c
    });
    raw.headers.opaque = class.headers_opaque;
    let passed_headers = match (&class.headers_param, args.as_ref()) {
        (Some((i, pname)), Some(a)) => a.get(pname, Some(*i)),
        _ => None,
    };
    if let Some(h) = passed_headers {
        let eval = cx.eval_headers(h, node, 0);
        raw.insertion = headers_value_insertion(cx, h, &eval);
        raw.headers.merge(eval);
    } else if let (Some((_, pname)), Some(a)) = (&class.headers_param, args.as_ref()) {
        if a.splat {
            raw.headers.opaque = true;
        } else {
            raw.insertion = kwarg_insertion(
                cx,
                a,
                &format!("{pname}={{$NAME: $VALUE}}"),
                "pass `headers` with `WWW-Authenticate`",
            );
        }
    } else if let Some(sup) = class.super_call.filter(|_| class.defined_in.is_none()) {
        // Add the header where the class builds its response (every raise benefits).
        let sargs = Args::of(sup, cx.src);
        let shift = usize::from(
            !sup.field("function")
                .is_some_and(|f| text(f, cx.src).starts_with("super(")),
        );
        if class.framework == Framework::FastApi {
            match sargs.get("headers", Some(2 + shift)) {
                Some(h) => {
                    let eval = cx.eval_headers(h, sup, 0);
                    raw.insertion = headers_value_insertion(cx, h, &eval);
                }
                None if !sargs.splat => {
                    raw.insertion = kwarg_insertion(
                        cx,
                        &sargs,
                        "headers={$NAME: $VALUE}",
                        "add `headers` with `WWW-Authenticate` to the exception class",
                    );
                }
                None => {}
            }
        }
    }
    if class.defined_in.is_some() || class.super_call.is_some() {
        raw.via = Some(Evidence {
            path: class.defined_in.clone(),
            range: class.definition.clone(),
            note: format!("`{name}` is defined here").into(),
        });
    }
    raw
}

/// `return body, 401` / `return body, 401, headers` / `return (body, 401)` (Flask).
fn flask_tuple<'t>(cx: &Cx<'t>, tuple: Node<'t>) -> Option<Raw<'t>> {
    let elems: Vec<Node> = named_children(tuple)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    if !(2..=3).contains(&elems.len()) {
        return None;
    }
    let body = elems[0];
    if matches!(
        unwrap_expr(body).kind_name(),
        "integer" | "float" | "true" | "false" | "none"
    ) {
        return None;
    }
    let status_node = elems[1];
    if !matches!(
        unwrap_expr(status_node).kind_name(),
        "integer" | "identifier" | "attribute" | "conditional_expression" | "call"
    ) {
        return None;
    }
    let status = cx.eval_status(status_node, 0);
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    let mut raw = Raw::new(Framework::Flask, tuple, status);
    raw.message_node = Some(body);
    match elems.get(2) {
        Some(h) => {
            let eval = cx.eval_headers(*h, tuple, 0);
            raw.insertion = headers_value_insertion(cx, *h, &eval);
            raw.headers.merge(eval);
            raw.headers_node = Some(*h);
        }
        None => {
            raw.insertion = Some(HeaderInsertion {
                at: status_node.end_byte(),
                replace_len: 0,
                template: ", {$NAME: $VALUE}".into(),
                how: "add a headers element to the returned tuple",
            });
        }
    }
    // A response object returned in the tuple may carry the header already.
    let b = unwrap_expr(body);
    if b.kind_name() == "identifier" && raw.headers.challenge.is_none() {
        let scope = enclosing_function(cx, tuple).unwrap_or(cx.root);
        if let Some(ch) = cx.header_set_on(scope, text(b, cx.src), true, Some(tuple.start_byte())) {
            raw.headers.challenge = Some(ch);
        }
    }
    Some(raw)
}

/// `response.status_code = 401` on a framework response object.
fn status_assignment<'t>(cx: &Cx<'t>, assign: Node<'t>) -> Option<Raw<'t>> {
    let left = assign.field("left")?;
    let recv = left.field("object")?;
    if recv.kind_name() != "identifier" {
        return None;
    }
    let name = text(recv, cx.src);
    let func = enclosing_function(cx, assign);
    // The receiver must be a response this code builds or was handed.
    let mut framework = cx.framework_hint.unwrap_or(Framework::FastApi);
    let ok = if let Some(v) = cx.resolve_local(name, assign).map(unwrap_expr) {
        v.kind_name() == "call"
            && callee_name(v, cx.src).is_some_and(|(n, f)| {
                let known = matches!(
                    n,
                    "Response"
                        | "JSONResponse"
                        | "PlainTextResponse"
                        | "HTMLResponse"
                        | "HttpResponse"
                        | "JsonResponse"
                        | "make_response"
                        | "jsonify"
                        | "render_template"
                );
                known && !matches!(cx.origin(f), Origin::Foreign | Origin::Project)
            })
    } else if let Some(def) = func {
        params(def, cx.src).iter().any(|p| p.name == name) && {
            // FastAPI's injected `response: Response`
            let annotated = def
                .field("parameters")
                .map(|ps| {
                    named_children(ps).any(|p| {
                        text(p, cx.src).starts_with(name)
                            && p.field("type")
                                .is_some_and(|t| text(t, cx.src).ends_with("Response"))
                    })
                })
                .unwrap_or(false);
            if annotated {
                framework = Framework::FastApi;
            }
            annotated || matches!(name, "response" | "resp")
        }
    } else {
        false
    };
    if !ok {
        return None;
    }
    let status = cx.eval_status(assign.field("right")?, 0);
    let mut raw = Raw::new(framework, assign, status);
    let scope = func.unwrap_or(cx.root);
    raw.headers.challenge = cx.header_set_on(scope, name, true, None);
    if let Some(ins) = cx.statement_insertion(assign).filter(|i| i.wrap.is_none()) {
        let target = if framework == Framework::Django {
            format!("{name}[$NAME]")
        } else {
            format!("{name}.headers[$NAME]")
        };
        raw.insertion = Some(HeaderInsertion {
            at: ins.line_start,
            replace_len: 0,
            template: format!("{}{target} = $VALUE{}", ins.indent, ins.newline).into(),
            how: "set the header on the response first",
        });
    }
    Some(raw)
}

/// `return {"statusCode": 401, "headers": {...}, "body": ...}` (AWS Lambda).
fn lambda_dict<'t>(cx: &Cx<'t>, dict: Node<'t>) -> Option<Raw<'t>> {
    // Only dicts that are returned (directly or through a variable).
    let mut p = cx.up(dict);
    let mut returned = false;
    while let Some(x) = p {
        match x.kind_name() {
            "parenthesized_expression" => {}
            "return_statement" => {
                returned = true;
                break;
            }
            "assignment" => {
                if let Some(var) = assigned_name(cx, dict, cx.src) {
                    let scope = enclosing_function(cx, x).unwrap_or(cx.root);
                    returned = find_node(scope, |n| {
                        n.kind_name() == "return_statement"
                            && n.named_child(0).is_some_and(|v| {
                                v.kind_name() == "identifier" && text(v, cx.src) == var
                            })
                    })
                    .is_some();
                }
                break;
            }
            _ => break,
        }
        p = cx.up(x);
    }
    if !returned {
        return None;
    }
    let pair = |key: &str| {
        named_children(dict).find(|c| {
            c.kind_name() == "pair"
                && c.field("key").and_then(|k| cx.key_name(k)).as_deref() == Some(key)
        })
    };
    let status_node = pair("statusCode")?.field("value")?;
    let status = cx.eval_status(status_node, 0);
    let mut raw = Raw::new(Framework::Lambda, dict, status);
    raw.message_node = pair("body").and_then(|p| p.field("value"));
    let q = cx.quote;
    match pair("headers").and_then(|p| p.field("value")) {
        Some(h) => {
            let eval = cx.eval_headers(h, dict, 0);
            raw.insertion = headers_value_insertion(cx, h, &eval);
            raw.headers.merge(eval);
            raw.headers_node = Some(h);
        }
        None => {
            if named_children(dict).any(|c| c.kind_name() == "dictionary_splat") {
                raw.headers.opaque = true;
            } else {
                raw.insertion = entry_insertion(
                    cx,
                    dict,
                    &format!("{q}headers{q}: {{$NAME: $VALUE}}"),
                    "add `headers` with `WWW-Authenticate`",
                );
            }
        }
    }
    if raw.headers.challenge.is_none() {
        if let Some(mv) = pair("multiValueHeaders").and_then(|p| p.field("value")) {
            let mv = cx.eval_headers(mv, dict, 0);
            raw.headers.challenge = mv.challenge;
            raw.headers.opaque |= mv.opaque;
        }
    }
    Some(raw)
}

// ----- helpers -----------------------------------------------------------------

/// Same-file functions whose status is a parameter.
fn collect_helpers<'t>(cx: &Cx<'t>, raw: &[Raw<'t>]) -> HashMap<String, LocalHelper<'t>> {
    let mut out = HashMap::default();
    for r in raw {
        let StatusEval::Param(i) = r.status else {
            continue;
        };
        let Some(def) =
            enclosing_function(cx, r.anchor).filter(|f| f.kind_name() == "function_definition")
        else {
            continue;
        };
        let Some(name) = def.field("name").map(|n| text(n, cx.src).to_string()) else {
            continue;
        };
        out.entry(name).or_insert_with(|| LocalHelper {
            sig: helper_sig(cx, def, i, r),
            def,
        });
    }
    out
}

fn helper_sig(cx: &Cx, def: Node, status_param: usize, raw: &Raw) -> HelperSig {
    let ps = params(def, cx.src);
    let message_param = raw.message_node.and_then(|m| {
        let mt = text(m, cx.src);
        ps.iter().enumerate().find_map(|(i, p)| {
            let bounded = mt.match_indices(p.name.as_str()).any(|(j, _)| {
                let before = mt[..j].chars().next_back();
                let after = mt[j + p.name.len()..].chars().next();
                !matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == '.')
                    && !matches!(after, Some(c) if c.is_alphanumeric() || c == '_')
            });
            (i != status_param && !p.splat && bounded).then_some(i)
        })
    });
    let logs = def
        .field("body")
        .and_then(|b| cx.first_log_in(b, raw.anchor.start_byte()))
        .is_some();
    // A parameter passed as (or spread into) the headers: each call decides.
    let headers_param = raw.headers_node.map(unwrap_expr).and_then(|h| {
        let param_of = |n: Node| {
            (n.kind_name() == "identifier")
                .then(|| param_index(def, text(n, cx.src), cx.src))
                .flatten()
        };
        match h.kind_name() {
            "identifier" => param_of(h),
            "dictionary" => named_children(h)
                .filter(|c| c.kind_name() == "dictionary_splat")
                .find_map(|sp| sp.named_child(0).and_then(param_of)),
            _ => None,
        }
    });
    let challenge = match &raw.headers.challenge {
        Some(c) => Some(c.literal.clone()),
        // Unknown headers: assume whatever is needed.
        None if raw.headers.opaque && headers_param.is_none() => Some(None),
        None => None,
    };
    HelperSig {
        status_param,
        message_param,
        challenge,
        logs,
        definition: def.byte_range(),
        headers_param,
        fixed_status: None,
    }
}

/// Calls to response helpers and project exception classes.
fn call_sites<'t>(cx: &Cx<'t>, calls: &[Node<'t>]) -> Vec<ResponseSite> {
    let mut out = Vec::new();
    for &node in calls {
        if in_test_code(cx, node, cx.src) {
            continue;
        }
        for raw in call_site(cx, node) {
            out.extend(raw.into_site(cx));
        }
    }
    out
}

fn call_site<'t>(cx: &Cx<'t>, call: Node<'t>) -> Vec<Raw<'t>> {
    let Some(f) = call.field("function") else {
        return Vec::new();
    };
    let ftext = text(f, cx.src);
    let (name, via_self) = match f.kind_name() {
        "identifier" => (ftext, false),
        _ => match f.field("attribute") {
            Some(a) => (text(a, cx.src), true),
            None => return Vec::new(),
        },
    };
    // Framework constructors imported under another name.
    if !via_self && !CONSTRUCTORS.contains(&name) && aliased_constructor(cx, f).is_some() {
        return constructor_call(cx, call)
            .map(|r| expand_raised(cx, r))
            .unwrap_or_default();
    }
    // Project exception classes.
    if !via_self {
        if let Some(class) = cx.error_classes.get(name) {
            if class.definition.contains(&call.start_byte()) {
                return Vec::new();
            }
            let r = class_site(cx, class, call, Some(call), name);
            return expand_raised(cx, r);
        }
        if let Some(class) = imported_class(cx, name) {
            let r = class_site(cx, &class, call, Some(call), name);
            return expand_raised(cx, r);
        }
    }
    // Response helpers.
    let args = Args::of(call, cx.src);
    let (sig, def, defined_in) = if let Some(h) = cx.helpers.get(name) {
        if h.sig.definition.contains(&call.start_byte()) {
            return Vec::new();
        }
        (h.sig.clone(), Some(h.def), None)
    } else if let Some(spec) = cx.settings.helpers.iter().find(|h| h.name == ftext) {
        (HelperSig::configured(spec), None, None)
    } else if let Some((Export::Helper(s), target)) =
        (!via_self).then(|| cx.imported(name)).flatten()
    {
        (s, None, Some(target))
    } else {
        return Vec::new();
    };
    // Bind the status argument: by keyword (same-file helpers), by position, or the default.
    let ps = def.map(|d| params(d, cx.src)).unwrap_or_default();
    let is_method = ps
        .first()
        .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
    if via_self && !is_method {
        return Vec::new();
    }
    let shift = usize::from(is_method);
    let bind = |i: usize| -> Option<Node<'t>> {
        let p = ps.get(i);
        let by_kw = p.and_then(|p| args.get(&p.name, None));
        let positional = p
            .map(|p| !p.kw_only)
            .unwrap_or(true)
            .then(|| {
                i.checked_sub(shift)
                    .and_then(|j| args.positional.get(j).copied())
            })
            .flatten();
        by_kw.or(positional).or_else(|| p.and_then(|p| p.default))
    };
    let Some(status_arg) = bind(sig.status_param) else {
        return Vec::new();
    };
    let status = cx.eval_status(status_arg, 0);
    if !matches!(status, StatusEval::Known(_) | StatusEval::Forwarded(..)) {
        return Vec::new();
    }
    let mut raw = Raw::new(Framework::Helper, call, status);
    raw.message_node = sig
        .message_param
        .and_then(bind)
        .filter(|m| m.start_byte() >= call.start_byte() && m.end_byte() <= call.end_byte());
    raw.headers.challenge = sig.challenge.clone().map(|lit| ChallengeHeader {
        value_range: 0..0,
        literal: lit,
        evidence: None,
        shared: false,
    });
    // Headers the caller passes in: `error("Missing token", 401, headers=CHALLENGE)`.
    if let Some(arg) = sig.headers_param.and_then(bind) {
        let eval = cx.eval_headers(arg, call, 0);
        raw.headers.merge(eval);
    }
    raw.via = Some(Evidence {
        path: defined_in,
        range: sig.definition.clone(),
        note: format!("`{name}` builds the response here").into(),
    });
    if sig.logs {
        raw.logged_in = Some(sig.definition.clone());
    }
    vec![raw]
}

// ----- module summaries ------------------------------------------------------

struct NoSource;
impl super::index::ModuleSource for NoSource {
    fn read(&self, _: &Path) -> Option<String> {
        None
    }
}

/// What a module offers importers: status constants, header dicts, header
/// builders, response helpers and exception classes.
pub fn summarize(path: &Path, src: &str, tree: &Tree) -> ModuleSummary {
    let index = ProjectIndex::new(std::sync::Arc::new(NoSource));
    let settings = Settings::default();
    let mut cx = Cx::new(path, src, tree, &settings, &index);
    cx.is_test_file = false;
    let (raw, _) = candidates(&cx, None);
    cx.helpers = collect_helpers(&cx, &raw);
    let mut summary = ModuleSummary::default();
    for stmt in named_children(cx.root) {
        let def = if stmt.kind_name() == "decorated_definition" {
            stmt.field("definition").unwrap_or(stmt)
        } else {
            stmt
        };
        match def.kind_name() {
            "expression_statement" => {
                let Some(a) = assignment_in(def) else {
                    continue;
                };
                let (Some(l), Some(r)) = (a.field("left"), a.field("right")) else {
                    continue;
                };
                if l.kind_name() != "identifier" {
                    continue;
                }
                let name = text(l, src).to_string();
                let r = unwrap_expr(r);
                let export = match r.kind_name() {
                    "string" | "concatenated_string" => cx.string_literal(r).map(Export::Str),
                    "dictionary" => {
                        let h = cx.eval_headers(r, r, 0);
                        Some(Export::Headers {
                            challenge: h.challenge.map(|c| c.literal),
                            opaque: h.opaque,
                        })
                    }
                    _ => match cx.eval_status(r, 0) {
                        StatusEval::Known(v) if v.len() == 1 => Some(Export::Number(v[0].code)),
                        _ => None,
                    },
                };
                if let Some(e) = export {
                    summary.exports.insert(name, e);
                }
            }
            "function_definition" => {
                let Some(name) = def.field("name").map(|n| text(n, src).to_string()) else {
                    continue;
                };
                if let Some(h) = cx.helpers.get(&name) {
                    summary.exports.insert(name, Export::Helper(h.sig.clone()));
                } else if let Some(ret) = returned_value(def).map(unwrap_expr) {
                    if ret.kind_name() == "dictionary" {
                        let h = cx.eval_headers(ret, ret, 0);
                        summary.exports.insert(
                            name,
                            Export::HeaderBuilder {
                                challenge: h.challenge.map(|c| c.literal),
                                opaque: h.opaque,
                            },
                        );
                    }
                }
            }
            "class_definition" => {
                let Some(name) = def.field("name").map(|n| text(n, src).to_string()) else {
                    continue;
                };
                if let Some(c) = cx.error_classes.get(&name) {
                    let code = match c.status {
                        ClassStatus::Fixed(code) => Some(code),
                        ClassStatus::Param { default, .. } => default,
                    };
                    if let Some(code) = code {
                        summary.exports.insert(
                            name,
                            Export::ErrorClass(ErrorClassSig {
                                code,
                                framework: c.framework,
                                message: c.message.clone(),
                                challenge: if c.headers_opaque && c.challenge.is_none() {
                                    Some(None)
                                } else {
                                    c.challenge.as_ref().map(|ch| ch.literal.clone())
                                },
                                definition: c.definition.clone(),
                            }),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn model_with(path: &str, src: &str, settings: &Settings) -> FileModel {
        let tree = super::super::parse(Language::Python, src, None).expect("parse");
        let index = ProjectIndex::new(Arc::new(NoSource));
        extract(Path::new(path), src, &tree, settings, &index)
    }

    fn model(src: &str) -> FileModel {
        model_with("app.py", src, &Settings::default())
    }

    fn only(src: &str) -> ResponseSite {
        let m = model(src);
        assert_eq!(m.sites.len(), 1, "{:#?}", m.sites);
        m.sites.into_iter().next().unwrap()
    }

    fn codes(site: &ResponseSite) -> Vec<u16> {
        site.codes().map(|v| v.code).collect()
    }

    #[test]
    fn query_compiles() {
        assert!(
            query().is_some(),
            "queries/python/responses.scm must compile"
        );
    }

    #[test]
    fn status_constants() {
        assert_eq!(status_constant("HTTP_401_UNAUTHORIZED"), Some(401));
        assert_eq!(status_constant("HTTP_403_FORBIDDEN"), Some(403));
        assert_eq!(status_constant("HTTP_4011"), None);
        assert_eq!(status_constant("HTTPX"), None);
    }

    #[test]
    fn identity_conditions() {
        assert!(rejects_missing_identity("not user"));
        assert!(rejects_missing_identity("user is None"));
        assert!(rejects_missing_identity(
            "not request.user.is_authenticated"
        ));
        assert!(!rejects_missing_identity("not user.is_admin"));
        assert!(!rejects_missing_identity("not username"));
    }

    #[test]
    fn statuses_in_every_spelling() {
        let src = r#"
from http import HTTPStatus
from fastapi import HTTPException, status
from starlette.status import HTTP_403_FORBIDDEN
LIMIT = 401
def a(x):
    if x == 1:
        raise HTTPException(401)
    if x == 2:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)
    if x == 3:
        raise HTTPException(status_code=HTTPStatus.UNAUTHORIZED.value)
    if x == 4:
        raise HTTPException(status_code=LIMIT)
    if x == 5:
        raise HTTPException(status_code=HTTP_403_FORBIDDEN)
    raise HTTPException(status_code=401 if x else 403)
"#;
        let m = model(src);
        let all: Vec<Vec<u16>> = m.sites.iter().map(codes).collect();
        assert_eq!(
            all,
            vec![
                vec![401],
                vec![401],
                vec![401],
                vec![401],
                vec![403],
                vec![401, 403]
            ]
        );
        let literal: Vec<bool> = m
            .sites
            .iter()
            .map(|s| s.codes().next().unwrap().literal)
            .collect();
        assert_eq!(literal, vec![true, true, true, false, false, true]);
        let cond = m.sites[5].codes().nth(1).unwrap().branch_condition.clone();
        assert_eq!(cond.as_deref(), Some("not (x)"));
    }

    #[test]
    fn guards_follow_elif_else_and_except() {
        let src = r#"
from fastapi import HTTPException
def f(token, user):
    if not token:
        pass
    elif user is None:
        raise HTTPException(401, "a")
    else:
        raise HTTPException(403, "b")
    try:
        check(token)
    except ValueError as e:
        raise HTTPException(401, detail=f"bad: {e}")
"#;
        let m = model(src);
        let g: Vec<String> = m
            .sites
            .iter()
            .map(|s| s.guard.as_ref().unwrap().text.to_string())
            .collect();
        assert_eq!(g[0], "user is None and not (not token)");
        assert_eq!(g[1], "not (not token) and not (user is None)");
        assert!(g[2].starts_with("except ValueError"));
        assert!(m.sites[2].guard.as_ref().unwrap().in_catch);
        let echo = m.sites[2].echoes_error.clone().unwrap();
        assert_eq!(&src[echo], "{e}");
    }

    #[test]
    fn logging_needs_a_known_logger_on_the_path() {
        let src = r#"
import logging
from fastapi import HTTPException
logger = logging.getLogger(__name__)
def audit(msg):
    logger.info(msg)
def f(token):
    if not token:
        logger.warning("no token")
        raise HTTPException(401)
    if token == "a":
        audit("a")
        raise HTTPException(401)
    if token == "b":
        log.warning("not ours")
        raise HTTPException(401)
    if token == "c":
        print("printed")
        raise HTTPException(401)
"#;
        let m = model(src);
        let logged: Vec<bool> = m.sites.iter().map(|s| s.logged.is_some()).collect();
        assert_eq!(logged, vec![true, true, false, false]);
        assert_eq!(m.sites[0].logger_in_scope.as_deref(), Some("logger"));
        let settings = Settings {
            print_is_logging: true,
            ..Settings::default()
        };
        let m = model_with("app.py", src, &settings);
        assert!(m.sites[3].logged.is_some());
    }

    #[test]
    fn no_logger_no_log_fix() {
        let site = only("from fastapi import HTTPException\ndef f(t):\n    if not t:\n        raise HTTPException(401)\n");
        assert!(site.logger_in_scope.is_none());
        assert!(site.log_insertion.is_none());
        let site = only("import logging\nfrom fastapi import HTTPException\ndef f(t):\n    if not t: raise HTTPException(401)\n");
        assert_eq!(site.logger_in_scope.as_deref(), Some("logging"));
        assert!(site.log_insertion.unwrap().wrap.is_some());
    }

    #[test]
    fn helpers_bind_keywords_defaults_and_methods() {
        let src = r#"
from fastapi.responses import JSONResponse
def error(message, status=401):
    return JSONResponse({"error": message}, status_code=status)
class View:
    def deny(self, message, code):
        return JSONResponse({"error": message}, status_code=code)
    def get(self):
        return self.deny("Missing token", 401)
def a():
    return error("Missing token")
def b():
    return error(status=403, message="Admins only")
"#;
        let m = model(src);
        let helper_sites: Vec<(Vec<u16>, Option<String>)> = m
            .sites
            .iter()
            .filter(|s| s.framework == Framework::Helper)
            .map(|s| (codes(s), s.message.as_deref().map(String::from)))
            .collect();
        assert_eq!(
            helper_sites,
            vec![
                (vec![401], Some("Missing token".to_string())),
                (vec![401], Some("Missing token".to_string())),
                (vec![403], Some("Admins only".to_string())),
            ]
        );
    }

    #[test]
    fn helper_headers_come_from_the_caller() {
        let src = r#"
from fastapi.responses import JSONResponse
CHALLENGE = {"WWW-Authenticate": "Bearer"}
def error(message, status, headers=None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)
def a():
    return error("Missing token", 401, headers=CHALLENGE)
def b():
    return error("Missing token", 401)
"#;
        let m = model(src);
        let challenged: Vec<bool> = m
            .sites
            .iter()
            .filter(|s| s.framework == Framework::Helper)
            .map(|s| s.headers.challenge.is_some() || s.headers.opaque)
            .collect();
        assert_eq!(challenged, vec![true, false]);
    }

    #[test]
    fn exception_classes_and_raised_variables() {
        let src = r#"
import logging
from fastapi import HTTPException
logger = logging.getLogger(__name__)
class AuthError(HTTPException):
    def __init__(self, detail="Not authenticated", status_code=401):
        super().__init__(status_code=status_code, detail=detail)
def f(a, b):
    exc = HTTPException(status_code=401, detail="Could not validate credentials")
    if not a:
        logger.info("no a")
        raise exc
    try:
        check(b)
    except ValueError:
        raise exc
    raise AuthError(status_code=403)
"#;
        let m = model(src);
        let summary: Vec<(Vec<u16>, &str)> = m
            .sites
            .iter()
            .map(|s| (codes(s), src[s.range.clone()].lines().next().unwrap_or("")))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    vec![401],
                    "HTTPException(status_code=401, detail=\"Could not validate credentials\")"
                ),
                (vec![403], "AuthError(status_code=403)"),
            ]
        );
        // One site for the exception object; its path is judged at the raises:
        // the unlogged one in the `except` anchors logging and the fix.
        let exc = &m.sites[0];
        assert!(exc.codes().next().unwrap().literal);
        assert!(exc.logged.is_none());
        let guard = exc.guard.as_ref().unwrap();
        assert_eq!(guard.text, "(not a) or (except ValueError)".into());
        assert!(guard.in_catch);
        let ins = exc.log_insertion.as_ref().unwrap();
        assert!(src[ins.line_start..].trim_start().starts_with("raise exc"));
        assert!(src[..ins.line_start].ends_with("except ValueError:\n"));
        assert_eq!(m.sites[1].message.as_deref(), Some("Not authenticated"));
    }

    #[test]
    fn functions_that_log_then_raise_do_not_log_for_their_callers() {
        let src = r#"
import logging
from fastapi import HTTPException
logger = logging.getLogger(__name__)
def require_token(t):
    if not t:
        logger.info("no token")
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    return t
def audit(msg):
    logger.info(msg)
def f(t):
    token = require_token(t)
    if expired(token):
        raise HTTPException(401, "Token expired", {"WWW-Authenticate": "Bearer"})
def g(t):
    audit("checking")
    if expired(t):
        raise HTTPException(401, "Token expired", {"WWW-Authenticate": "Bearer"})
"#;
        let logged: Vec<bool> = model(src)
            .sites
            .iter()
            .map(|s| s.logged.is_some())
            .collect();
        assert_eq!(logged, vec![true, false, true]);
    }

    #[test]
    fn locals_read_from_the_request_are_spelled_out_in_guards() {
        let src = r#"
from django.http import HttpResponse
def view(request):
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return HttpResponse(status=403)
"#;
        let site = only(src);
        assert_eq!(
            site.guard.unwrap().text,
            "request.META.get(\"HTTP_AUTHORIZATION\") is None".into()
        );
    }

    #[test]
    fn aliases_and_flask_httpauth() {
        let site =
            only("from fastapi import HTTPException as HE\ndef f():\n    raise HE(401, 'x')\n");
        assert_eq!(site.framework, Framework::FastApi);
        let src = r#"
from flask import jsonify, make_response
from flask_httpauth import HTTPTokenAuth
auth = HTTPTokenAuth(scheme="Bearer")
@auth.error_handler
def unauthorized(status):
    return make_response(jsonify(error="Unauthorized"), 401)
"#;
        assert!(only(src).headers.challenge.is_some());
    }

    #[test]
    fn returned_tuples_are_responses_in_flask_only() {
        let body = "def f(t):\n    if not t:\n        return {'error': 'x'}, 401\n";
        assert_eq!(
            model(&format!("from flask import Flask\n{body}"))
                .sites
                .len(),
            1
        );
        assert_eq!(model(body).sites.len(), 1);
        assert!(model(&format!("from fastapi import FastAPI\n{body}"))
            .sites
            .is_empty());
        // Status first, or two numbers: not a Flask response.
        assert!(model("def f():\n    return 401, {'detail': 'x'}\n")
            .sites
            .is_empty());
        assert!(model("def f():\n    return 200, 401\n").sites.is_empty());
    }

    #[test]
    fn forwarded_statuses() {
        let src = r#"
import aiohttp
from flask import Response
async def proxy(session):
    async with session.get("https://x") as resp:
        return Response(await resp.text(), status=resp.status)
def handler(exc, response):
    return Response("x", status=exc.status_code)
"#;
        let m = model(src);
        assert_eq!(m.sites.len(), 1);
        assert!(
            matches!(&m.sites[0].status, Status::Forwarded { source, .. } if source == "resp.status")
        );
    }

    #[test]
    fn never_in_tests_or_client_code() {
        let src = "from fastapi import HTTPException\ndef f():\n    raise HTTPException(401)\n";
        // Test files are the `test` role (see `crate::roles`, which names these).
        let test_role = Settings {
            role: Some(crate::roles::Role::Test),
            ..Settings::default()
        };
        for name in ["test_app.py", "app_test.py", "conftest.py", "tests.py"] {
            assert!(model_with(name, src, &test_role).sites.is_empty(), "{name}");
            assert_eq!(
                crate::roles::from_path_and_text(std::path::Path::new(name), src).map(|a| a.role),
                Some(crate::roles::Role::Test),
                "{name}"
            );
        }
        let client = r#"
import httpx
from fastapi.responses import JSONResponse
def test_me(client):
    assert client.get("/me").status_code == 401
    assert JSONResponse({}, status_code=401).status_code == 401
def fake():
    return httpx.Response(401)
"#;
        assert!(model(client).sites.is_empty());
    }

    #[test]
    fn identity_from_dependencies_and_decorators() {
        let src = r#"
from fastapi import Depends, HTTPException
from flask_login import login_required
from flask import abort
def a(user = Depends(get_current_user)):
    if user.plan != "pro":
        raise HTTPException(401)
@login_required
def b():
    abort(401)
"#;
        let m = model(src);
        assert!(m.sites.iter().all(|s| s.identity_established.is_some()));
    }

    /// A tiny deterministic fuzzer: random Python-ish token soup must never panic.
    #[test]
    fn never_panics_on_token_soup() {
        const TOKENS: &[&str] = &[
            "raise ",
            "HTTPException(",
            "status_code=",
            "401",
            "403",
            ",",
            ")",
            "(",
            "\n",
            "    ",
            "if ",
            "elif ",
            "else",
            "not ",
            "user",
            ":",
            "return ",
            "{",
            "}",
            "\"statusCode\"",
            "abort(",
            "logger.warning(",
            "'x'",
            "except ",
            " as e",
            "def f(",
            "class A(HTTPException):",
            "super().__init__(",
            "headers=",
            "[",
            "]",
            " = ",
            "resp",
            ".status_code",
            "**",
            "*",
            "lambda: ",
            "f\"{e}\"",
            "try:",
            "status.HTTP_401_UNAUTHORIZED",
            "from .x import y\n",
            "import logging\n",
            "JSONResponse(",
            "make_response(",
            "HttpResponseForbidden(",
            "@auth.error_handler\n",
            "self.",
            "Depends(",
            "with s.get(u) as r:",
            "\"WWW-Authenticate\"",
            "#",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..400 {
            let len = (next() % 120) as usize;
            let mut src = String::new();
            for _ in 0..len {
                src.push_str(TOKENS[(next() % TOKENS.len() as u64) as usize]);
            }
            let m = model(&src);
            for s in &m.sites {
                assert!(s.range.end <= src.len());
            }
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let depth = 400;
        let src = format!(
            "from fastapi import HTTPException\ndef f():\n    raise HTTPException({}401{})\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let m = model(&src);
        assert!(m.sites.len() <= 1);
    }
}
