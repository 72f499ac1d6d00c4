//! JavaScript and TypeScript extraction: turns the captures of
//! `queries/javascript/responses.scm` into [`ResponseSite`]s.

use super::eval::{is_challenge_name, HeaderEval, StatusEval};
use super::index::{evidence_in, Export, HelperSig, ModuleSummary, ProjectIndex};
use super::loggers;
use super::model::*;
use super::query::KindTable;
use super::syntax::{self, named_children, string_value, text, NodeExt, Walk};
use super::Language;
use crate::settings::Settings;
use std::cell::{Cell, RefCell};

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::ops::Range;
use std::path::Path;
use std::sync::OnceLock;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor, Tree};

pub(super) mod incremental;
mod packs;
mod site_context;
pub use incremental::State;

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

/// Statuses named by well-known enums: `StatusCodes.UNAUTHORIZED`, `Status.Unauthorized`…
fn named_status(name: &str) -> Option<u16> {
    let norm: String = name
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match norm.as_str() {
        "ok" => 200,
        "created" => 201,
        "nocontent" => 204,
        "badrequest" => 400,
        "unauthorized" => 401,
        "paymentrequired" => 402,
        "forbidden" => 403,
        "notfound" => 404,
        "conflict" => 409,
        "toomanyrequests" => 429,
        "internalservererror" => 500,
        "serviceunavailable" => 503,
        _ => return None,
    })
}

/// Objects whose members are HTTP status enums.
const STATUS_ENUMS: &[&str] = &[
    "STATUS_CODE",
    "Status",
    "StatusCodes",
    "HttpStatus",
    "HttpStatusCode",
    "HTTP_STATUS",
    "httpStatus",
    "HTTPStatus",
    "StatusCode",
];

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

/// `throw new HTTPException(401, { res: new Response(…) })` is one response, not two.
fn drop_wrapped_responses(raw: &mut Vec<Raw>) {
    let exceptions: Vec<Range<usize>> = raw
        .iter()
        .filter(|r| r.framework == Framework::Hono && r.node.kind_name() == "new_expression")
        .map(|r| r.node.byte_range())
        .collect();
    if exceptions.is_empty() {
        return;
    }
    raw.retain(|r| {
        !(r.framework == Framework::WebResponse
            && exceptions
                .iter()
                .any(|e| e.start < r.node.start_byte() && r.node.end_byte() <= e.end))
    });
}

impl<'a> Cx<'a> {
    fn new(
        path: &'a Path,
        src: &'a str,
        tree: &'a Tree,
        settings: &'a Settings,
        index: &'a ProjectIndex,
    ) -> Self {
        let mut cx = Cx::bare(path, src, tree, settings, index, false);
        cx.quote = syntax::preferred_quote(tree, src);
        cx.scan();
        cx.after_imports();
        cx
    }

    /// A context with the per-file basics only: no names, imports, quote
    /// or logging functions yet.
    fn bare(
        path: &'a Path,
        src: &'a str,
        tree: &'a Tree,
        settings: &'a Settings,
        index: &'a ProjectIndex,
        record: bool,
    ) -> Self {
        let root = tree.root_node();
        let stmts: Vec<Node<'a>> = named_children(root).collect();
        let mut cx = Cx {
            path,
            src,
            root,
            settings,
            index,
            imports: HashMap::default(),
            declared: NameSet::default(),
            logging_fns: HashSet::default(),
            helpers: HashMap::default(),
            quote: '\'',
            semicolons: true,
            newline: syntax::newline(src),
            // Test files are a role ([`crate::roles`]), which `[roles]` can change.
            is_test_file: settings.role == Some(crate::roles::Role::Test),
            express: false,
            file_loggers: Vec::new(),
            parents: syntax::IdMap::default(),
            built: vec![false; stmts.len()],
            stmts,
            top_decls: HashMap::default(),
            top_order: Vec::new(),
            rec: Recorder {
                on: record,
                ..Recorder::default()
            },
        };
        cx.index_top_level();
        cx
    }

    /// Facts that follow from the imports.
    fn after_imports(&mut self) {
        // Mock Service Worker handlers are client-side test doubles.
        if self
            .imports
            .values()
            .any(|(spec, _)| spec == "msw" || spec.starts_with("msw/") || spec.starts_with("msw-"))
        {
            self.is_test_file = true;
        }
        self.express = self
            .imports
            .values()
            .any(|(spec, _)| spec == "express" || spec.starts_with("express/"))
            || ["require('express')", "require(\"express\")"]
                .iter()
                .any(|r| memchr::memmem::find(self.src.as_bytes(), r.as_bytes()).is_some());
    }

    /// The parent of `n`: the named node whose named children hold `n`.
    fn up(&self, n: Node<'a>) -> Option<Node<'a>> {
        if let Some(p) = self.parents.get(&n.id()) {
            return Some(*p);
        }
        if n.id() == self.root.id() || !n.is_named() {
            return None;
        }
        // A statement whose parents are not in the map (the incremental
        // path reads few nodes outside the statements it extracts): ask the
        // tree, which is slower but gives the same answer.
        let i = self
            .stmts
            .partition_point(|s| s.start_byte() <= n.start_byte());
        if (i.saturating_sub(2)..i).all(|i| self.built[i]) && i > 0 {
            return None;
        }
        n.parent().filter(|p| p.is_named())
    }

    /// Walks top-level statement `i` once: fills its entries of `parents`
    /// and returns the nodes the response query captures and the opening
    /// quotes of its first `quote_cap` string literals. Fails when a node
    /// lies deeper than `depth_limit` in the tree (the root is at depth 0,
    /// as in [`syntax::depth_exceeds`]), before anything recurses on it.
    fn scan_stmt(
        &mut self,
        i: usize,
        tables: Option<&Tables>,
        quote_cap: usize,
        depth_limit: usize,
    ) -> Result<StmtScan<'a>, incremental::TooDeep> {
        let kinds = tables.and_then(Tables::kinds);
        let string = tables.map_or(0, |t| t.string);
        let stmt = self.stmts[i];
        let fill = !self.built[i];
        self.built[i] = true;
        if fill {
            self.parents.insert(stmt.id(), self.root);
        }
        let mut scan = StmtScan {
            quotes: Vec::new(),
            captures: kinds.map(|_| Vec::new()),
        };
        // Named nodes in pre-order, with their depth in the tree. Anonymous
        // nodes are leaves: one counts as a level below its parent.
        let mut stack: Vec<(Node<'a>, usize)> = vec![(stmt, 1)];
        let mut children: Vec<Node<'a>> = Vec::new();
        while let Some((node, depth)) = stack.pop() {
            let leaf_depth = depth + usize::from(node.child_count() > node.named_child_count());
            if leaf_depth > depth_limit {
                return Err(incremental::TooDeep);
            }
            if let (Some(kinds), Some(out)) = (kinds, &mut scan.captures) {
                if let Some(name) = kinds.get(node) {
                    out.push((name, node));
                }
            }
            if scan.quotes.len() < quote_cap && node.kind_id() == string {
                scan.quotes.push(syntax::quote_mark(node, self.src));
            }
            children.clear();
            syntax::push_named_children_reversed(node, &mut children);
            if fill {
                for c in &children {
                    self.parents.insert(c.id(), node);
                }
            }
            stack.extend(children.iter().map(|c| (*c, depth + 1)));
        }
        Ok(scan)
    }

    /// Fills `parents` for the subtree of top-level statement `i`.
    fn build_parents(&mut self, i: usize) {
        if !self.built[i] {
            let _ = self.scan_stmt(i, None, 0, usize::MAX);
        }
    }

    /// The top-level statement holding byte `at`, if any.
    fn stmt_at(&self, at: usize) -> Option<usize> {
        let i = self.stmts.partition_point(|s| s.start_byte() <= at);
        (i > 0 && at <= self.stmts[i - 1].end_byte()).then(|| i - 1)
    }

    fn read(&self, n: Node) {
        if self.rec.on {
            self.rec.reads.borrow_mut().push(n.start_byte());
        }
    }

    fn read_everything(&self) {
        self.rec.global.set(true);
    }

    fn is_declared(&self, name: &str) -> bool {
        if self.rec.on {
            self.rec.queried.borrow_mut().push(name.to_string());
        }
        self.declared.contains(name)
    }

    fn index_top_level(&mut self) {
        // `stmts` are the root's named children (listing them again costs:
        // the root of a big file has hundreds).
        for i in 0..self.stmts.len() {
            let stmt = self.stmts[i];
            let decl = if stmt.kind_name() == "export_statement" {
                stmt.field("declaration").unwrap_or(stmt)
            } else {
                stmt
            };
            if matches!(
                decl.kind_name(),
                "lexical_declaration" | "variable_declaration"
            ) {
                for d in named_children(decl).filter(|d| d.kind_name() == "variable_declarator") {
                    let mut names = Vec::new();
                    if let Some(n) = d.field("name") {
                        collect_bound_names(n, self.src, &mut names);
                    }
                    for name in names {
                        self.top_order.push(name.clone());
                        self.top_decls.entry(name).or_insert(d);
                    }
                }
            }
        }
    }

    /// Collects imports, declared names and logging functions, one
    /// top-level statement at a time.
    fn scan(&mut self) {
        for i in 0..self.stmts.len() {
            self.build_parents(i);
        }
        let facts: Vec<StmtFacts> = self
            .stmts
            .iter()
            .map(|s| stmt_facts(*s, self.src))
            .collect();
        self.absorb(facts.iter());
        // Functions that log (after `declared` is complete: loggers must exist).
        for i in 0..self.stmts.len() {
            self.logging_in(self.stmts[i]);
        }
    }

    /// Merges statements' facts, in file order.
    fn absorb<'f>(&mut self, facts: impl Iterator<Item = &'f StmtFacts>) {
        let mut stmts_with_semi = 0usize;
        let mut stmts = 0usize;
        for f in facts {
            self.declared.extend(f.declared.iter().cloned());
            for (local, import) in &f.imports {
                self.imports.insert(local.clone(), import.clone());
            }
            for l in &f.loggers {
                if !self.file_loggers.contains(l) {
                    self.file_loggers.push(l.clone());
                }
            }
            stmts += f.stmts;
            stmts_with_semi += f.stmts_with_semi;
        }
        self.semicolons = stmts == 0 || stmts_with_semi * 2 >= stmts;
    }

    /// Adds the functions in `stmt` whose body logs to `logging_fns` (in
    /// walk order: a call to a function found earlier counts) and returns them.
    fn logging_in(&mut self, stmt: Node<'a>) -> Vec<String> {
        let mut found = Vec::new();
        syntax::walk_named(stmt, |node| {
            if let Some(body) = function_body(node) {
                if let Some(name) = function_name(self, node, self.src) {
                    if self.first_log_in(body, usize::MAX).is_some() {
                        self.logging_fns.insert(name.clone());
                        found.push(name);
                    }
                }
            }
            Walk::Descend
        });
        found
    }

    /// The export `name` of the module imported as `local`, if it is a relative import.
    fn imported(&self, local: &str) -> Option<(Export, std::path::PathBuf)> {
        let (spec, name) = self.imports.get(local)?;
        let target = self.index.resolve(self.path, spec)?;
        self.index.record_import(self.path, &target);
        let summary = self.index.summary(&target)?;
        let export = if name == "default" {
            summary.default_export.clone()
        } else {
            summary.exports.get(name).cloned()
        }?;
        Some((export, target))
    }

    /// A `require('./x')` declarator: `const { corsHeaders } = require('../cors')`.
    fn required(&self, decl: Node, name: &str) -> Option<Export> {
        let value = decl.field("value")?;
        if value.kind_name() != "call_expression" {
            return None;
        }
        let f = value.field("function")?;
        if text(f, self.src) != "require" {
            return None;
        }
        let arg = value.field("arguments")?.named_child(0)?;
        let spec = string_value(arg, self.src)?;
        let target = self.index.resolve(self.path, &spec)?;
        self.index.record_import(self.path, &target);
        self.index.summary(&target)?.exports.get(name).cloned()
    }

    // ----- logging -------------------------------------------------------

    /// Whether `call` (a call_expression) is a log call.
    fn is_log_call(&self, call: Node) -> bool {
        let Some(f) = call.field("function") else {
            return false;
        };
        let ftext = text(f, self.src);
        for extra in &self.settings.loggers {
            if ftext
                .strip_prefix(extra.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            {
                return true;
            }
        }
        match f.kind_name() {
            "member_expression" => {
                let Some(obj) = f.field("object") else {
                    return false;
                };
                let Some(prop) = f.field("property") else {
                    return false;
                };
                let method = text(prop, self.src);
                let obj_text = text(obj, self.src);
                let root = obj_text.split(['.', '(']).next().unwrap_or("");
                if obj_text == "console" {
                    return matches!(
                        method,
                        "log" | "error" | "warn" | "info" | "debug" | "trace"
                    );
                }
                if obj_text == "Sentry" || obj_text.ends_with(".Sentry") {
                    return method.starts_with("capture") && self.declared_or_global(root);
                }
                let last = obj_text.rsplit('.').next().unwrap_or(obj_text);
                let loggerish = {
                    let l = last.to_ascii_lowercase();
                    l == "log"
                        || l.ends_with("logger")
                        || l == "logging"
                        || l.ends_with("log") && l.len() <= 8
                };
                let level = matches!(
                    method,
                    "error"
                        | "warn"
                        | "warning"
                        | "info"
                        | "debug"
                        | "trace"
                        | "fatal"
                        | "log"
                        | "critical"
                        | "notice"
                        | "alert"
                );
                if loggerish && level {
                    // `logger.error` with no `logger` in the file is not logging (issue: undefined loggers).
                    return root == "this"
                        || obj_text.contains('.')
                        || self.declared_or_global(root);
                }
                false
            }
            // A logging function of the project's own: `log({ level, … })`,
            // `logWarning(…)`, imported or defined in the file.
            "identifier" => {
                let loggerish = ftext == "log"
                    || ftext == "logger"
                    || ftext
                        .strip_prefix("log")
                        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
                loggerish && self.is_declared(ftext)
            }
            _ => false,
        }
    }

    fn declared_or_global(&self, name: &str) -> bool {
        name == "console" || name == "this" || self.is_declared(name)
    }

    /// The first log call in `node` (not inside nested functions) that starts before `before`.
    /// Calls to same-file functions that log count too.
    fn first_log_in(&self, node: Node, before: usize) -> Option<Range<usize>> {
        let mut found = None;
        syntax::walk_named(node, |n| {
            if n.start_byte() >= before || (n.id() != node.id() && is_function(n)) {
                return Walk::Skip;
            }
            if n.kind_name() == "call_expression" && self.logs_here(n) {
                found = Some(n.byte_range());
                return Walk::Stop;
            }
            // A callback passed to a call logs on the path: `jwt.verify(t, s, (err) => { console.error(err) … })`
            Walk::Descend
        });
        found
    }

    /// Whether `call` logs: a log call, or a call to a function that logs
    /// (in this file or an imported helper).
    fn logs_here(&self, call: Node) -> bool {
        if self.is_log_call(call) {
            return true;
        }
        let Some(f) = call.field("function") else {
            return false;
        };
        let name = text(f, self.src);
        if self.logging_fns.contains(name) {
            return true;
        }
        matches!(
            f.kind_name()
                .eq("identifier")
                .then(|| self.imported(name))
                .flatten(),
            Some((Export::Helper(sig), _)) if sig.logs
        )
    }

    /// A log call on the path before `site`: in earlier sibling statements of
    /// every enclosing block up to the function, and in enclosing conditions.
    fn logged_before(&self, site: Node) -> Option<Range<usize>> {
        let mut node = site;
        while let Some(parent) = self.up(node) {
            if is_function(parent) {
                break;
            }
            match parent.kind_name() {
                "statement_block" | "program" | "switch_case" | "switch_default" => {
                    if parent.kind_name() == "program" {
                        self.read_everything();
                    }
                    for sib in named_children(parent) {
                        if sib.start_byte() >= node.start_byte() {
                            break;
                        }
                        if let Some(r) = self.unconditional_log(sib) {
                            return Some(r);
                        }
                    }
                }
                "if_statement" | "while_statement" => {
                    if let Some(cond) = parent.field("condition") {
                        if cond.end_byte() <= node.start_byte() {
                            if let Some(r) = self.first_log_in(cond, usize::MAX) {
                                return Some(r);
                            }
                        }
                    }
                }
                _ => {}
            }
            node = parent;
        }
        None
    }

    /// A log call in `stmt` that runs whenever `stmt` runs (not inside a
    /// nested `if`, loop or function).
    fn unconditional_log(&self, stmt: Node) -> Option<Range<usize>> {
        match stmt.kind_name() {
            "expression_statement" | "lexical_declaration" | "variable_declaration" => {
                let mut stack = vec![stmt];
                while let Some(n) = stack.pop() {
                    if is_function(n) && !self.is_immediate_callback_logging(n) {
                        continue;
                    }
                    if matches!(n.kind_name(), "ternary_expression") {
                        continue;
                    }
                    if n.kind_name() == "call_expression" {
                        if let Some(r) = self
                            .first_log_in(n, usize::MAX)
                            .filter(|_| self.is_log_call(n) || self.calls_logging_fn(n))
                        {
                            return Some(r);
                        }
                    }
                    stack.extend(named_children(n));
                }
                None
            }
            _ => None,
        }
    }

    fn calls_logging_fn(&self, call: Node) -> bool {
        call.field("function")
            .map(|f| {
                let name = text(f, self.src);
                self.logging_fns.contains(name)
                    || (f.kind_name() == "identifier"
                        && matches!(
                            self.imported(name),
                            Some((Export::Helper(HelperSig { logs: true, .. }), _))
                        ))
            })
            .unwrap_or(false)
    }

    fn is_immediate_callback_logging(&self, _n: Node) -> bool {
        false
    }

    // ----- value resolution ---------------------------------------------

    /// The initializer of the variable `name` visible at `at`: declared in an
    /// enclosing block before `at`, or at the top level.
    fn resolve_local(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        self.declarator_of(name, at)
            .filter(|d| !is_destructured(*d))
            .and_then(|d| d.field("value"))
    }

    fn declarator_of(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        let mut scope = self.up(at);
        while let Some(s) = scope {
            if s.kind_name() == "program" {
                let d = self.top_decls.get(name).copied();
                if let Some(d) = d {
                    self.read(d);
                }
                return d;
            }
            if matches!(s.kind_name(), "statement_block" | "switch_case") {
                for stmt in named_children(s) {
                    if stmt.start_byte() > at.start_byte() {
                        break;
                    }
                    if let Some(d) = declarator_in(stmt, name, self.src) {
                        return Some(d);
                    }
                }
            }
            scope = self.up(s);
        }
        None
    }

    /// Whether `name` is a parameter of `func`; returns its index.
    fn param_index(&self, func: Node, name: &str) -> Option<usize> {
        let params = func
            .field("parameters")
            .or_else(|| func.field("parameter"))?;
        if params.kind_name() == "identifier" {
            return (text(params, self.src) == name).then_some(0);
        }
        for (i, p) in named_children(params).enumerate() {
            let id = match p.kind_name() {
                "identifier" => Some(p),
                "required_parameter" | "optional_parameter" => p.field("pattern"),
                "assignment_pattern" => p.field("left"),
                _ => None,
            };
            let id = id.map(|n| {
                if n.kind_name() == "assignment_pattern" {
                    n.field("left").unwrap_or(n)
                } else {
                    n
                }
            });
            if let Some(id) = id {
                if text(id, self.src) == name {
                    return Some(i);
                }
                if id.kind_name() == "assignment_pattern" {
                    if let Some(l) = id.field("left") {
                        if text(l, self.src) == name {
                            return Some(i);
                        }
                    }
                }
            }
        }
        None
    }

    /// Evaluates a status expression.
    fn eval_status(&self, node: Node<'a>, depth: usize) -> StatusEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return StatusEval::Unknown;
        }
        match node.kind_name() {
            "number" => match text(node, self.src).parse::<u16>() {
                Ok(code) if (100..=599).contains(&code) => StatusEval::Known(vec![StatusValue {
                    code,
                    range: node.byte_range(),
                    literal: true,
                    branch_condition: None,
                }]),
                _ => StatusEval::Unknown,
            },
            "ternary_expression" => {
                let cond = node
                    .field("condition")
                    .map(|c| text(c, self.src).to_string())
                    .unwrap_or_default();
                let mut values = Vec::new();
                for (field, negate) in [("consequence", false), ("alternative", true)] {
                    if let Some(branch) = node.field(field) {
                        if let StatusEval::Known(vs) = self.eval_status(branch, depth + 1) {
                            for mut v in vs {
                                let c = if negate {
                                    format!("!({cond})")
                                } else {
                                    cond.clone()
                                };
                                v.branch_condition = Some(match v.branch_condition.take() {
                                    Some(inner) => format!("{c} && {inner}").into(),
                                    None => c.into(),
                                });
                                values.push(v);
                            }
                        }
                    }
                }
                if values.is_empty() {
                    StatusEval::Unknown
                } else {
                    StatusEval::Known(values)
                }
            }
            "binary_expression" => {
                // `upstream.status || 500`, `err.status ?? 401`
                let op = node
                    .field("operator")
                    .map(|o| text(o, self.src))
                    .unwrap_or("");
                if matches!(op, "||" | "??") {
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
                } else {
                    StatusEval::Unknown
                }
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = text(node, self.src);
                if let Some(func) = enclosing_function(self, node) {
                    if let Some(i) = self.param_index(func, name) {
                        return StatusEval::Param(i);
                    }
                }
                if let Some(d) = self.declarator_of(name, node) {
                    if is_destructured(d) {
                        if let Some(Export::Number(code)) = self.required(d, name) {
                            return known_indirect(code, node);
                        }
                        // `const { status } = await axios.get(…)`: the upstream's status.
                        let from_upstream = d
                            .field("value")
                            .is_some_and(|v| is_upstream_call(text(v, self.src)));
                        if from_upstream && matches!(name, "status" | "statusCode" | "status_code")
                        {
                            return StatusEval::Forwarded(node.byte_range(), name.to_string());
                        }
                        return StatusEval::Unknown;
                    }
                    if let Some(v) = d.field("value") {
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
                    if let Some(Export::Number(code)) = self.required(d, name) {
                        return known_indirect(code, node);
                    }
                }
                if let Some((Export::Number(code), _)) = self.imported(name) {
                    return known_indirect(code, node);
                }
                StatusEval::Unknown
            }
            "member_expression" => {
                let obj = node.field("object");
                let prop = node
                    .field("property")
                    .map(|p| text(p, self.src))
                    .unwrap_or("");
                let obj_text = obj.map(|o| text(o, self.src)).unwrap_or("");
                let obj_last = obj_text.rsplit('.').next().unwrap_or(obj_text);
                if STATUS_ENUMS.contains(&obj_last) || obj_text.ends_with("STATUS_CODE") {
                    if let Some(code) = named_status(prop) {
                        return StatusEval::Known(vec![StatusValue {
                            code,
                            range: node.byte_range(),
                            literal: true,
                            branch_condition: None,
                        }]);
                    }
                }
                // `UNAUTHORIZED` imported from a module of constants: `codes.UNAUTHORIZED`
                if matches!(prop, "status" | "statusCode" | "status_code") {
                    if let Some(o) = obj {
                        if self.looks_upstream(o) && !self.proxies_caller_credentials(node) {
                            return StatusEval::Forwarded(
                                node.byte_range(),
                                text(node, self.src).to_string(),
                            );
                        }
                    }
                }
                StatusEval::Unknown
            }
            _ => StatusEval::Unknown,
        }
    }

    /// A transparent proxy: the handler sends the caller's own request headers
    /// upstream, so the upstream's 401 is about the caller's credentials and
    /// passing it through is correct.
    fn proxies_caller_credentials(&self, at: Node<'a>) -> bool {
        let Some(func) = enclosing_function(self, at) else {
            return false;
        };
        // The outermost handler: the proxy call often sits in a callback.
        let mut outer = func;
        while let Some(f) = enclosing_function(self, outer) {
            outer = f;
        }
        let t: String = text(outer, self.src)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        [
            "headers:req.headers",
            "headers:request.headers",
            "headers:c.req.raw.headers",
            "headers:req.raw.headers",
            "headers:event.headers",
            "headers:{...req.headers",
            "headers:{...request.headers",
        ]
        .iter()
        .any(|k| t.contains(k))
    }

    /// Whether `obj` (the object of `x.status`) is a response received from elsewhere.
    pub(super) fn looks_upstream(&self, obj: Node<'a>) -> bool {
        let obj = unwrap_expr(obj);
        let t = text(obj, self.src);
        if obj.kind_name() == "member_expression" {
            // axios errors: `err.response.status`
            return t.ends_with(".response") && !t.starts_with("ctx") && !t.starts_with("this");
        }
        if obj.kind_name() != "identifier" {
            return obj.kind_name() == "await_expression" || obj.kind_name() == "call_expression";
        }
        if let Some(d) = self.declarator_of(t, obj) {
            // Only a value received from an outbound call is upstream: a
            // response-like name alone (`const response = await getUsers()`,
            // an in-process controller's result) is not.
            return d
                .field("value")
                .is_some_and(|v| is_upstream_call(text(v, self.src)));
        }
        // A callback's parameter: `fetch(u).then((r) => …)`,
        // `http.request(options, (proxyRes) => …)`.
        let mut f = enclosing_function(self, obj);
        while let Some(func) = f {
            if self.param_index(func, t).is_some() {
                let call = func
                    .parent()
                    .filter(|a| a.kind_name() == "arguments")
                    .and_then(|a| a.parent())
                    .filter(|c| c.kind_name() == "call_expression");
                return call
                    .and_then(|c| c.field("function"))
                    .is_some_and(|callee| {
                        is_upstream_call(&format!("{}(", text(callee, self.src)))
                    });
            }
            f = enclosing_function(self, func);
        }
        false
    }

    /// Evaluates headers given as an expression.
    fn eval_headers(&self, node: Node<'a>, at: Node<'a>, depth: usize) -> HeaderEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return HeaderEval::opaque();
        }
        match node.kind_name() {
            "object" => {
                let mut out = HeaderEval::default();
                for child in named_children(node) {
                    match child.kind_name() {
                        "pair" => {
                            let key = child.field("key");
                            if key
                                .and_then(|k| self.key_name(k))
                                .is_some_and(|k| is_challenge_name(&k))
                            {
                                if let Some(v) = child.field("value") {
                                    out.challenge.get_or_insert(self.challenge_value(v, None));
                                }
                            } else if key.is_some_and(|k| {
                                k.kind_name() == "computed_property_name"
                                    && self.key_name(k).is_none()
                            }) {
                                out.opaque = true;
                            }
                        }
                        "spread_element" => {
                            if let Some(arg) = child.named_child(0) {
                                out.merge(self.eval_headers(arg, at, depth + 1));
                            }
                        }
                        _ => {}
                    }
                }
                out
            }
            "new_expression" => {
                let ctor = node
                    .field("constructor")
                    .map(|c| text(c, self.src))
                    .unwrap_or("");
                if ctor == "Headers" {
                    match node.field("arguments").and_then(|a| a.named_child(0)) {
                        Some(arg) => self.eval_headers(arg, at, depth + 1),
                        None => HeaderEval::default(),
                    }
                } else {
                    HeaderEval::opaque()
                }
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = text(node, self.src);
                let mut out = if let Some(d) = self.declarator_of(name, node) {
                    if is_destructured(d) {
                        // `const { corsHeaders } = require('./cors')`
                        match self.required(d, name) {
                            Some(e) => export_headers(e, None),
                            None => HeaderEval::opaque(),
                        }
                    } else {
                        match d.field("value") {
                            Some(v) => self.eval_headers(v, at, depth + 1),
                            None => HeaderEval::default(),
                        }
                    }
                } else if let Some((export, target)) = self.imported(name) {
                    export_headers(export, Some(&target))
                } else {
                    // A parameter or a global: we cannot see inside.
                    HeaderEval::opaque()
                };
                // `headers.set('WWW-Authenticate', …)` before the site.
                if out.challenge.is_none() {
                    if let Some(func) = enclosing_function(self, at).or(Some(self.root)) {
                        if let Some(ch) = self.header_set_on(func, name, at.start_byte(), false) {
                            out.challenge = Some(ch);
                        }
                    }
                }
                out
            }
            "call_expression" => {
                let f = node.field("function");
                let fname = f.map(|f| text(f, self.src)).unwrap_or("");
                if fname == "Object.assign" {
                    let mut out = HeaderEval::default();
                    if let Some(args) = node.field("arguments") {
                        for a in named_children(args) {
                            out.merge(self.eval_headers(a, at, depth + 1));
                        }
                    }
                    return out;
                }
                // A header builder in this file: `function authHeaders() { return {...} }`
                if let Some(body) = self.function_named(fname).and_then(function_body) {
                    if let Some(ret) = returned_expr(body) {
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
            "undefined" | "null" => HeaderEval::default(),
            _ => HeaderEval::opaque(),
        }
    }

    pub(super) fn function_named(&self, name: &str) -> Option<Node<'a>> {
        if name.is_empty() || name.contains('.') {
            return None;
        }
        let mut stack = vec![self.root];
        while let Some(n) = stack.pop() {
            if is_function(n) && function_name(self, n, self.src).as_deref() == Some(name) {
                self.read(n);
                return Some(n);
            }
            if n.kind_name() == "program"
                || n.kind_name() == "export_statement"
                || n.kind_name() == "lexical_declaration"
                || n.kind_name() == "variable_declaration"
                || n.kind_name() == "variable_declarator"
            {
                stack.extend(named_children(n));
            }
        }
        None
    }

    fn key_name(&self, key: Node) -> Option<String> {
        match key.kind_name() {
            "property_identifier" => Some(text(key, self.src).to_string()),
            "string" => string_value(key, self.src),
            "computed_property_name" => {
                let inner = key.named_child(0)?;
                match inner.kind_name() {
                    "string" | "template_string" => string_value(inner, self.src),
                    "identifier" => {
                        let v = self.resolve_local(text(inner, self.src), inner)?;
                        string_value(v, self.src)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn challenge_value(&self, v: Node<'a>, evidence: Option<Evidence>) -> ChallengeHeader {
        let v = unwrap_expr(v);
        match v.kind_name() {
            "identifier" => {
                let name = text(v, self.src);
                // A constant in this file: point at its definition, once for all uses.
                if let Some(lit) = self
                    .resolve_local(name, v)
                    .map(unwrap_expr)
                    .filter(|d| matches!(d.kind_name(), "string" | "template_string"))
                {
                    return ChallengeHeader {
                        value_range: lit.byte_range(),
                        literal: string_value(lit, self.src).map(Into::into),
                        evidence,
                        shared: true,
                    };
                }
                if let Some((Export::Str(s), target)) = self.imported(name) {
                    let evidence = Some(evidence_in(
                        &target,
                        0..0,
                        format!("`{name}` is defined in this module"),
                    ));
                    return ChallengeHeader {
                        value_range: v.byte_range(),
                        literal: Some(s.into()),
                        evidence,
                        shared: true,
                    };
                }
                ChallengeHeader {
                    value_range: v.byte_range(),
                    literal: None,
                    evidence,
                    shared: false,
                }
            }
            _ => ChallengeHeader {
                value_range: v.byte_range(),
                literal: string_value(v, self.src).map(Into::into),
                evidence,
                shared: false,
            },
        }
    }

    /// What a header-setting call (`res.set(name, value)`, `res.set({…})`,
    /// `headers.append(…)`) does to `WWW-Authenticate`: sets it (with the value
    /// when known), or may set it (arguments authlint cannot see into).
    fn challenge_set_by(&self, call: Node<'a>, method: &str) -> Option<ChallengeHeader> {
        let args = args_of(call);
        let first = *args.first()?;
        let evidence = |what: &str| {
            Some(Evidence {
                path: None,
                range: call.byte_range(),
                note: format!("`WWW-Authenticate` {what} with `.{method}(…)`").into(),
            })
        };
        let name = match first.kind_name() {
            "string" | "template_string" => string_value(first, self.src),
            "identifier" => self
                .resolve_local(text(first, self.src), first)
                .and_then(|v| string_value(unwrap_expr(v), self.src)),
            _ => None,
        };
        if let Some(name) = name {
            return match args.get(1) {
                Some(v) if is_challenge_name(&name) => {
                    Some(self.challenge_value(*v, evidence("set here")))
                }
                _ => None,
            };
        }
        if args.len() >= 2 {
            // `res.set(HEADER_NAME, value)` with a name we cannot resolve.
            return Some(ChallengeHeader {
                value_range: 0..0,
                literal: None,
                evidence: evidence("may be set here"),
                shared: false,
            });
        }
        // `res.set(headersObject)`
        let h = self.eval_headers(first, first, 1);
        match h.challenge {
            Some(mut ch) => {
                ch.evidence = evidence("set here");
                Some(ch)
            }
            None if h.opaque => Some(ChallengeHeader {
                value_range: 0..0,
                literal: None,
                evidence: evidence("may be set here"),
                shared: false,
            }),
            None => None,
        }
    }

    /// A `recv.set('WWW-Authenticate', v)`-style call on `recv` inside `scope`
    /// (before `before` unless `anywhere`).
    fn header_set_on(
        &self,
        scope: Node<'a>,
        recv: &str,
        before: usize,
        anywhere: bool,
    ) -> Option<ChallengeHeader> {
        if scope.id() == self.root.id() {
            self.read_everything();
        }
        let recv_norm = normalize_receiver(recv);
        let mut stack = vec![scope];
        while let Some(n) = stack.pop() {
            if !anywhere && n.start_byte() >= before {
                continue;
            }
            if n.kind_name() == "call_expression" {
                if let Some(f) = n
                    .field("function")
                    .filter(|f| f.kind_name() == "member_expression")
                {
                    let obj = f.field("object").map(|o| text(o, self.src)).unwrap_or("");
                    let method = f.field("property").map(|p| text(p, self.src)).unwrap_or("");
                    let obj_norm = normalize_receiver(obj.strip_suffix(".headers").unwrap_or(obj));
                    let on_path = anywhere || {
                        // The call's innermost block must also contain `before`: it runs on the way there.
                        let mut b = self.up(n);
                        while let Some(x) =
                            b.filter(|x| !matches!(x.kind_name(), "statement_block" | "program"))
                        {
                            b = self.up(x);
                        }
                        b.is_some_and(|b| b.byte_range().contains(&before))
                    };
                    if on_path
                        && obj_norm == recv_norm
                        && matches!(
                            method,
                            "set" | "header" | "setHeader" | "append" | "appendHeader" | "headers"
                        )
                    {
                        if let Some(ch) = self.challenge_set_by(n, method) {
                            return Some(ch);
                        }
                    }
                }
            }
            stack.extend(named_children(n));
        }
        None
    }

    // ----- guards and paths -----------------------------------------------

    /// A condition's text, with locals that hold a credential read from the
    /// request spelled out: `!token` where `const token =
    /// req.headers['x-token']` reads as `!(req.headers['x-token'])`, so the
    /// evidence sees what is tested.
    fn cond_text(&self, cond: Node<'a>) -> String {
        let mut out = strip_parens(text(cond, self.src)).to_string();
        let mut done: HashSet<&str> = HashSet::default();
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            if n.kind_name() != "identifier" {
                stack.extend(named_children(n));
                continue;
            }
            let name = text(n, self.src);
            if !done.insert(name) {
                continue;
            }
            let Some(v) = self
                .declarator_of(name, n)
                .filter(|d| !is_destructured(*d))
                .and_then(|d| d.field("value"))
            else {
                continue;
            };
            let vt = text(v, self.src);
            let lower = vt.to_ascii_lowercase();
            // The raw credential, not what a verification made of it.
            let credential = ["headers", "header(", "cookie", "authorization"]
                .iter()
                .any(|k| lower.contains(k))
                && !["await", "verify", "decode", "decrypt"]
                    .iter()
                    .any(|k| lower.contains(k));
            if credential && vt.len() <= 120 && !vt.contains('\n') {
                out = syntax::replace_word(&out, name, &format!("({vt})"));
            }
        }
        out
    }

    /// The conditions under which `site` runs, innermost first, up to its function.
    fn guard(&self, site: Node) -> Option<Guard> {
        let mut node = site;
        let mut parts: Vec<String> = Vec::new();
        let mut innermost: Option<Range<usize>> = None;
        let mut in_catch = false;
        let mut verified_by = None;
        while let Some(parent) = self.up(node) {
            if is_function(parent) {
                break;
            }
            match parent.kind_name() {
                "if_statement" => {
                    if let Some(cond) = parent.field("condition") {
                        let c = self.cond_text(cond);
                        let in_else = parent
                            .field("alternative")
                            .is_some_and(|a| a.byte_range().contains(&node.start_byte()));
                        let in_cond = cond.byte_range().contains(&node.start_byte());
                        if !in_cond {
                            parts.push(if in_else {
                                format!("!({c})")
                            } else {
                                c.to_string()
                            });
                            innermost.get_or_insert(cond.byte_range());
                        }
                    }
                }
                "catch_clause" => {
                    let p = parent
                        .field("parameter")
                        .map(|p| text(p, self.src))
                        .unwrap_or("error");
                    parts.push(format!("catch ({p})"));
                    innermost
                        .get_or_insert(parent.byte_range().start..parent.byte_range().start + 5);
                    in_catch = true;
                    if verified_by.is_none() {
                        verified_by = self.verify_call_in_try(parent);
                    }
                }
                "ternary_expression" => {
                    if let Some(cond) = parent.field("condition") {
                        if !cond.byte_range().contains(&node.start_byte()) {
                            let c = strip_parens(text(cond, self.src));
                            let in_alt = parent
                                .field("alternative")
                                .is_some_and(|a| a.byte_range().contains(&node.start_byte()));
                            parts.push(if in_alt {
                                format!("!({c})")
                            } else {
                                c.to_string()
                            });
                            innermost.get_or_insert(cond.byte_range());
                        }
                    }
                }
                "binary_expression" => {
                    // `!token && res.status(401)…`
                    if let (Some(l), Some(op)) = (parent.field("left"), parent.field("operator")) {
                        if l.end_byte() <= node.start_byte()
                            && matches!(text(op, self.src), "&&" | "||")
                        {
                            let c = text(l, self.src);
                            parts.push(if text(op, self.src) == "||" {
                                format!("!({c})")
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
        let missing_config = self.tests_missing_config(site);
        Some(Guard {
            text: parts.join(" && ").into(),
            range,
            in_catch,
            missing_config,
            verified_by,
        })
    }

    /// The call that verifies a credential in the `try` of `catch_clause`
    /// (`jwt.verify(…)`, `await request.jwtVerify()`, `jwtVerify(…)`), as
    /// its callee's text.
    fn verify_call_in_try(&self, catch_clause: Node<'a>) -> Option<std::sync::Arc<str>> {
        let body = self
            .up(catch_clause)
            .filter(|t| t.kind_name() == "try_statement")?
            .field("body")?;
        syntax::verifying_call(body, self.src, "call_expression", is_function)
    }

    /// Whether the innermost `if` around `site` tests for a missing secret or
    /// environment variable: `!process.env.X`, `!env.API_KEY`, `!secret` where
    /// `const secret = Deno.env.get('…')`.
    fn tests_missing_config(&self, site: Node<'a>) -> bool {
        let mut node = site;
        let cond = loop {
            let Some(p) = self.up(node) else { return false };
            if is_function(p) {
                return false;
            }
            if p.kind_name() == "if_statement" {
                break p.field("condition");
            }
            node = p;
        };
        let Some(cond) = cond else { return false };
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "unary_expression" && text(n, self.src).starts_with('!') {
                if let Some(arg) = n.named_child(0).map(unwrap_expr) {
                    if is_env_read(arg, self.src) {
                        return true;
                    }
                    if arg.kind_name() == "identifier" {
                        let init = self
                            .resolve_local(text(arg, self.src), arg)
                            .map(unwrap_expr);
                        if init.is_some_and(|v| is_env_read(v, self.src)) {
                            return true;
                        }
                    }
                }
            }
            stack.extend(named_children(n));
        }
        false
    }

    /// An earlier check in the same function that rejected callers with no identity.
    fn identity_established(&self, site: Node) -> Option<Range<usize>> {
        let func = enclosing_function(self, site)?;
        let body = function_body(func)?;
        let mut found = None;
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.start_byte() >= site.start_byte() || (n.id() != body.id() && is_function(n)) {
                continue;
            }
            if n.kind_name() == "if_statement" && n.end_byte() <= site.start_byte() {
                if let (Some(cond), Some(cons)) = (n.field("condition"), n.field("consequence")) {
                    let c = text(cond, self.src);
                    let exits = {
                        let t = text(cons, self.src);
                        t.contains("return") || t.contains("throw") || t.contains("next(")
                    };
                    if exits && rejects_missing_identity(c) {
                        found = Some(cond.byte_range());
                    }
                }
            }
            stack.extend(named_children(n));
        }
        found
    }

    /// Where to insert a statement before the one containing `site`.
    fn statement_insertion(&self, site: Node) -> Option<StatementInsertion> {
        let mut node = site;
        loop {
            let parent = self.up(node)?;
            if is_function(parent) {
                return None; // expression-bodied arrow: no statement to put a log before
            }
            if is_statement(node) {
                let wrap = match parent.kind_name() {
                    "statement_block" | "program" | "switch_case" | "switch_default" => None,
                    "if_statement" | "else_clause" | "while_statement" | "for_statement"
                    | "for_in_statement" => Some(node.byte_range()),
                    _ => return None,
                };
                if wrap.is_none() && !syntax::starts_line(self.src, node.start_byte()) {
                    return None;
                }
                let (line_start, indent) = syntax::line_indent(self.src, node.start_byte());
                return Some(StatementInsertion {
                    line_start,
                    indent: indent.into(),
                    wrap,
                    newline: self.newline,
                });
            }
            node = parent;
        }
    }

    /// The logger a fix's log line uses at `node`: one called near it in
    /// its top-level statement (the last before it, else the first after),
    /// else one the file calls through a top-level name, else a `logger` or
    /// `log` in scope.
    fn logger_in_scope(&self, node: Node) -> Option<String> {
        const NEAR: usize = 8 * 1024;
        let at = node.start_byte();
        let i = self.stmts.partition_point(|s| s.end_byte() < at);
        if let Some(stmt) = self.stmts.get(i).filter(|s| s.start_byte() <= at) {
            let lo =
                syntax::floor_boundary(self.src, stmt.start_byte().max(at.saturating_sub(NEAR)));
            let hi = syntax::floor_boundary(self.src, stmt.end_byte().min(node.end_byte() + NEAR));
            let near = loggers::receivers(&self.src[lo..hi]);
            let in_scope = |r: &&(usize, String)| {
                let root = loggers::root(&r.1);
                root == "this" || self.is_declared(root)
            };
            let before = near
                .iter()
                .filter(in_scope)
                .filter(|(p, _)| lo + p < at)
                .last();
            if let Some((_, r)) = before.or_else(|| near.iter().find(in_scope)) {
                return Some(r.clone());
            }
        }
        // One the file calls elsewhere: through a parameter this handler
        // has too (`request.log` in another Fastify route), else through a
        // name of the module.
        let params = self.enclosing_params(node);
        let through_param = self
            .file_loggers
            .iter()
            .find(|r| params.iter().any(|p| *p == loggers::root(r)));
        let module = || {
            self.file_loggers.iter().find(|r| {
                let root = loggers::root(r);
                self.top_decls.contains_key(root) || self.imports.contains_key(root)
            })
        };
        if let Some(r) = through_param.or_else(module) {
            return Some(r.clone());
        }
        ["logger", "log"]
            .iter()
            .find(|n| {
                self.is_declared(n) && !self.imports.get(**n).is_some_and(|(s, _)| s == "console")
            })
            .map(|s| s.to_string())
    }

    /// The parameter names of the functions around `node`.
    fn enclosing_params(&self, node: Node) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut p = self.up(node);
        while let Some(f) = p {
            if is_function(f) {
                for field in ["parameters", "parameter"] {
                    if let Some(ps) = f.field(field) {
                        syntax::walk_named(ps, |n| {
                            if n.kind_name() == "identifier" {
                                out.push(text(n, self.src));
                            }
                            Walk::Descend
                        });
                    }
                }
            }
            p = self.up(f);
        }
        out
    }

    /// String literals inside `node` (not object keys), joined by " | ".
    fn strings_in(&self, node: Node) -> Option<String> {
        let mut parts = Vec::new();
        syntax::walk_named(node, |n| {
            match n.kind_name() {
                "string" if self.up(n).is_some_and(|p| p.kind_name() == "jsx_attribute") => {}
                "string" => {
                    // Skip object keys.
                    let key = self.up(n).is_some_and(|p| {
                        p.kind_name() == "pair" && p.field("key").is_some_and(|k| k.id() == n.id())
                    });
                    if let Some(s) = string_value(n, self.src).filter(|_| !key) {
                        parts.push(s);
                    }
                }
                "template_string" => parts.push(text(n, self.src).trim_matches('`').to_string()),
                _ => return Walk::Descend,
            }
            Walk::Skip
        });
        (!parts.is_empty()).then(|| parts.join(" | "))
    }

    /// An expression in `node` that echoes a caught error (`e.message`, `String(err)`).
    fn echoed_error(&self, node: Node, site: Node) -> Option<Range<usize>> {
        let mut caught: Vec<String> = Vec::new();
        let mut p = self.up(site);
        while let Some(n) = p {
            if n.kind_name() == "catch_clause" {
                if let Some(param) = n.field("parameter") {
                    caught.push(text(param, self.src).to_string());
                }
            }
            if is_function(n) {
                // callback `(err) => …` parameters named like errors, unless
                // their declared type says otherwise (`error?: Record<…>`)
                if let Some(p) = n.field("parameter") {
                    let id = text(p, self.src);
                    if matches!(id, "err" | "error" | "e") {
                        caught.push(id.to_string());
                    }
                }
                for param in n.field("parameters").into_iter().flat_map(named_children) {
                    let id = param.field("pattern").unwrap_or(param);
                    let name = text(id, self.src);
                    let typed_otherwise = param.field("type").is_some_and(|t| {
                        let t = text(t, self.src).trim_start_matches(':').trim();
                        !(t.contains("Error") || t == "unknown" || t == "any")
                    });
                    if matches!(name, "err" | "error" | "e") && !typed_otherwise {
                        caught.push(name.to_string());
                    }
                }
            }
            p = self.up(n);
        }
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            let name = text(n, self.src);
            // `error.message` from `const { error } = await …` echoes an error too.
            let l = name.to_ascii_lowercase();
            let errorish = (l == "error" || l == "err" || l.ends_with("error"))
                && self.up(n).is_some_and(|p| {
                    p.kind_name() == "member_expression"
                        && p.field("property").is_some_and(|pr| {
                            matches!(
                                text(pr, self.src),
                                "message" | "stack" | "details" | "toString"
                            )
                        })
                });
            if n.kind_name() == "identifier" && (caught.iter().any(|c| c == name) || errorish) {
                // the error itself or a member/method of it
                let mut top = n;
                while let Some(par) = self.up(top) {
                    if matches!(
                        par.kind_name(),
                        "member_expression"
                            | "call_expression"
                            | "template_substitution"
                            | "parenthesized_expression"
                            | "as_expression"
                            | "non_null_expression"
                    ) {
                        top = par;
                    } else if par.kind_name() == "arguments"
                        && self
                            .up(par)
                            .and_then(|c| c.field("function"))
                            .is_some_and(|f| {
                                matches!(
                                    text(f, self.src),
                                    "String"
                                        | "JSON.stringify"
                                        | "inspect"
                                        | "util.inspect"
                                        | "util.format"
                                )
                            })
                    {
                        // `String(error)`: the conversion is the echo.
                        top = self.up(par).unwrap_or(par);
                    } else {
                        break;
                    }
                }
                return Some(top.byte_range());
            }
            // A caught error that only selects a message (`err instanceof X ? 'a' : 'b'`,
            // `err.name === 'TokenExpiredError'`) reveals nothing: skip conditions.
            match n.kind_name() {
                "ternary_expression" => {
                    stack.extend(
                        ["consequence", "alternative"]
                            .iter()
                            .filter_map(|f| n.field(f)),
                    );
                    continue;
                }
                "binary_expression" => {
                    let op = n.field("operator").map(|o| text(o, self.src)).unwrap_or("");
                    if matches!(
                        op,
                        "instanceof" | "===" | "!==" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "in"
                    ) {
                        continue;
                    }
                }
                _ => {}
            }
            stack.extend(named_children(n));
        }
        None
    }
}

/// Whether `n` reads one environment variable: `process.env.JWT_SECRET`,
/// `Deno.env.get('JWT_SECRET')`, `env.API_KEY` / `c.env.API_KEY` (Workers,
/// Hono), `import.meta.env.SECRET`, optionally with a `?? ''` default. A KV
/// lookup (`env.KEYS.get(key)`) or a call that merely passes a secret is not.
fn is_env_read(n: Node, src: &str) -> bool {
    let n = unwrap_expr(n);
    match n.kind_name() {
        "binary_expression" => {
            let op = n.field("operator").map(|o| text(o, src)).unwrap_or("");
            matches!(op, "??" | "||") && n.field("left").is_some_and(|l| is_env_read(l, src))
        }
        "member_expression" | "subscript_expression" => {
            let obj = n.field("object").map(|o| text(o, src)).unwrap_or("");
            let env_object = obj == "process.env"
                || obj == "env"
                || obj.ends_with(".env")
                || obj == "import.meta.env";
            let prop = n
                .field("property")
                .or_else(|| n.field("index"))
                .map(|p| text(p, src))
                .unwrap_or("");
            let prop = prop.trim_matches(['\'', '"', '`']);
            env_object
                && !prop.is_empty()
                && prop
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        "call_expression" => {
            let f = n.field("function").map(|f| text(f, src)).unwrap_or("");
            matches!(
                f,
                "Deno.env.get" | "process.env.get" | "getenv" | "Bun.env.get"
            )
        }
        _ => false,
    }
}

/// Whether an initializer calls another service: `fetch(…)`, axios, got, ky.
fn is_upstream_call(init: &str) -> bool {
    [
        "fetch(", "axios", "got(", "got.", "ky.", "ky(", "request(", "upstream", "undici",
        "$fetch(",
    ]
    .iter()
    .any(|k| init.contains(k))
}

/// The declarator in `stmt` (a declaration, possibly exported) that binds
/// `name`, directly or by destructuring (`const { status } = await …`).
fn declarator_in<'t>(stmt: Node<'t>, name: &str, src: &str) -> Option<Node<'t>> {
    let decl = if stmt.kind_name() == "export_statement" {
        stmt.field("declaration")?
    } else {
        stmt
    };
    if !matches!(
        decl.kind_name(),
        "lexical_declaration" | "variable_declaration"
    ) {
        return None;
    }
    named_children(decl)
        .filter(|d| d.kind_name() == "variable_declarator")
        .find(|d| d.field("name").is_some_and(|n| binds(n, name, src)))
}

/// Whether a binding pattern binds `name`.
fn binds(pattern: Node, name: &str, src: &str) -> bool {
    match pattern.kind_name() {
        "identifier" | "shorthand_property_identifier_pattern" => text(pattern, src) == name,
        "object_pattern" | "array_pattern" => named_children(pattern).any(|c| binds(c, name, src)),
        "pair_pattern" => pattern.field("value").is_some_and(|v| binds(v, name, src)),
        "assignment_pattern" | "object_assignment_pattern" => {
            pattern.field("left").is_some_and(|l| binds(l, name, src))
        }
        _ => false,
    }
}

fn collect_bound_names(pattern: Node, src: &str, out: &mut Vec<String>) {
    match pattern.kind_name() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(text(pattern, src).to_string())
        }
        "pair_pattern" => {
            if let Some(v) = pattern.field("value") {
                collect_bound_names(v, src, out);
            }
        }
        "assignment_pattern" | "object_assignment_pattern" => {
            if let Some(l) = pattern.field("left") {
                collect_bound_names(l, src, out);
            }
        }
        _ => {
            for c in named_children(pattern) {
                collect_bound_names(c, src, out);
            }
        }
    }
}

/// Whether the declarator binds `name` through destructuring (not `const name = …`).
fn is_destructured(decl: Node) -> bool {
    decl.field("name")
        .is_some_and(|n| n.kind_name() != "identifier")
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
                    evidence: target
                        .map(|t| evidence_in(t, 0..0, "`WWW-Authenticate` comes from this module")),
                    shared: true,
                }),
                opaque,
            }
        }
        _ => HeaderEval::opaque(),
    }
}

/// `ctx.response` and `ctx` set headers on the same response.
fn normalize_receiver(s: &str) -> &str {
    s.strip_suffix(".response")
        .or_else(|| s.strip_suffix(".res"))
        .unwrap_or(s)
}

fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// A condition that rejects callers with no identity: `!user`, `error || !user`,
/// `!req.session.userId`, `user == null`, Python `not user`.
pub(crate) fn rejects_missing_identity(cond: &str) -> bool {
    const IDENTITY: &[&str] = &[
        "user",
        "session",
        "userid",
        "user_id",
        "claims",
        "payload",
        "decoded",
        "currentuser",
        "current_user",
        "auth",
        "principal",
        "identity",
        "token",
        "jwt",
        "sub",
    ];
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let c = c.replace("not", "!");
    for (i, _) in c.match_indices('!') {
        if c[i + 1..].starts_with('=') {
            continue;
        }
        let path: String = c[i + 1..]
            .chars()
            .take_while(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | '?'))
            .collect();
        let last = path
            .trim_end_matches(['.', '?'])
            .rsplit(['.', '?'])
            .next()
            .unwrap_or("");
        let rest = &c[i + 1 + path.len()..];
        if IDENTITY.contains(&last) && !rest.starts_with(['(', '[']) && !path.ends_with('.') {
            return true;
        }
    }
    IDENTITY.iter().any(|k| {
        c.contains(&format!("{k}==null"))
            || c.contains(&format!("{k}===undefined"))
            || c.contains(&format!("{k}is!e"))
    })
}

fn is_function(n: Node) -> bool {
    matches!(
        n.kind_name(),
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
    )
}

fn is_statement(n: Node) -> bool {
    n.kind_name().ends_with("_statement")
        || n.kind_name() == "lexical_declaration"
        || n.kind_name() == "variable_declaration"
}

fn enclosing_function<'t>(cx: &Cx<'t>, n: Node<'t>) -> Option<Node<'t>> {
    let mut p = cx.up(n);
    while let Some(x) = p {
        if is_function(x) {
            return Some(x);
        }
        p = cx.up(x);
    }
    None
}

fn function_body(n: Node) -> Option<Node> {
    if is_function(n) {
        n.field("body")
    } else {
        None
    }
}

/// A function's name: its own, or the variable/property it is assigned to.
fn function_name(cx: &Cx, n: Node, src: &str) -> Option<String> {
    if !is_function(n) {
        return None;
    }
    if let Some(name) = n.field("name") {
        return Some(text(name, src).to_string());
    }
    name_from_parent(cx.up(n)?, src)
}

/// The name an anonymous function gets from its parent `p`.
fn name_from_parent(p: Node, src: &str) -> Option<String> {
    match p.kind_name() {
        "variable_declarator" => p.field("name").map(|x| text(x, src).to_string()),
        "pair" => p.field("key").map(|x| text(x, src).to_string()),
        "assignment_expression" => p
            .field("left")
            .map(|x| text(x, src).rsplit('.').next().unwrap_or("").to_string()),
        _ => None,
    }
}

/// The expression a function body returns first (for header builders).
fn returned_expr(body: Node) -> Option<Node> {
    if body.kind_name() != "statement_block" {
        return Some(body); // arrow with expression body
    }
    named_children(body)
        .find(|s| s.kind_name() == "return_statement")
        .and_then(|r| r.named_child(0))
}

/// Strips parentheses, `await`, TypeScript `as`/`satisfies`/non-null wrappers.
fn unwrap_expr(mut n: Node) -> Node {
    loop {
        match n.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion"
            | "await_expression" => match n.named_child(0) {
                Some(c) => n = c,
                None => return n,
            },
            _ => return n,
        }
    }
}

/// Whether `n` sits inside a test assertion (`expect(...)`, `assert…(...)`).
fn in_assertion(cx: &Cx, n: Node, src: &str) -> bool {
    let mut p = cx.up(n);
    while let Some(x) = p {
        if x.kind_name() == "call_expression" {
            let f = x.field("function").map(|f| text(f, src)).unwrap_or("");
            let head = f.split(['.', '(']).next().unwrap_or("");
            if matches!(
                head,
                "expect" | "assert" | "should" | "chai" | "t" | "it" | "test" | "describe"
            ) && f != head
                || matches!(head, "expect" | "assert")
            {
                return true;
            }
            if f.ends_with(".toEqual")
                || f.ends_with(".toBe")
                || f.ends_with(".toMatchObject")
                || f.ends_with(".toStrictEqual")
                || f.ends_with(".deepEqual")
                || f.ends_with(".equal")
            {
                return true;
            }
        }
        if is_function(x) {
            // still look further: `it('…', () => { expect(...) })` is handled by the call check
        }
        p = cx.up(x);
    }
    false
}

// ----- per-statement facts ---------------------------------------------------

/// Imports, declared names and statement-end style in one top-level statement.
fn stmt_facts(stmt: Node, src: &str) -> StmtFacts {
    let mut f = StmtFacts {
        loggers: loggers::receivers(text(stmt, src))
            .into_iter()
            .map(|(_, r)| r)
            .collect(),
        ..StmtFacts::default()
    };
    syntax::walk_named(stmt, |node| {
        match node.kind_name() {
            "import_statement" => scan_import(node, src, &mut f),
            "variable_declarator" => {
                if let Some(n) = node.field("name") {
                    declare_pattern(n, src, &mut f.declared);
                }
            }
            "function_declaration" | "generator_function_declaration" | "class_declaration" => {
                if let Some(n) = node.field("name") {
                    f.declared.push(text(n, src).into());
                }
            }
            "formal_parameters" => {
                for p in named_children(node) {
                    declare_pattern(p, src, &mut f.declared);
                }
            }
            "arrow_function" => {
                if let Some(p) = node.field("parameter") {
                    declare_pattern(p, src, &mut f.declared);
                }
            }
            "catch_clause" => {
                if let Some(p) = node.field("parameter") {
                    declare_pattern(p, src, &mut f.declared);
                }
            }
            "expression_statement" | "return_statement" | "lexical_declaration" => {
                f.stmts += 1;
                if text(node, src).trim_end().ends_with(';') {
                    f.stmts_with_semi += 1;
                }
            }
            _ => {}
        }
        Walk::Descend
    });
    f
}

fn declare_pattern(n: Node, src: &str, out: &mut Vec<std::sync::Arc<str>>) {
    match n.kind_name() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(text(n, src).into());
        }
        _ => {
            for c in named_children(n) {
                if c.kind_name() != "property_identifier" {
                    declare_pattern(c, src, out);
                } else if n.kind_name() == "pair_pattern" {
                    // `{ a: b }` declares b, the value side.
                }
            }
            if n.kind_name() == "required_parameter" || n.kind_name() == "optional_parameter" {
                if let Some(p) = n.field("pattern") {
                    declare_pattern(p, src, out);
                }
            }
        }
    }
}

fn scan_import(node: Node, src: &str, f: &mut StmtFacts) {
    let Some(source) = node.field("source") else {
        return;
    };
    let Some(spec) = string_value(source, src) else {
        return;
    };
    let mut stack: Vec<Node> = named_children(node).collect();
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "import_clause" | "named_imports" => stack.extend(named_children(n)),
            "identifier" => {
                // default import
                let local = text(n, src).to_string();
                f.declared.push(local.as_str().into());
                f.imports.push((local, (spec.clone(), "default".into())));
            }
            "namespace_import" => {
                if let Some(id) = named_children(n).find(|c| c.kind_name() == "identifier") {
                    let local = text(id, src).to_string();
                    f.declared.push(local.as_str().into());
                    f.imports.push((local, (spec.clone(), "*".into())));
                }
            }
            "import_specifier" => {
                let name = n.field("name").map(|x| text(x, src).to_string());
                let alias = n.field("alias").map(|x| text(x, src).to_string());
                if let Some(name) = name {
                    let local = alias.unwrap_or_else(|| name.clone());
                    f.declared.push(local.as_str().into());
                    f.imports.push((local, (spec.clone(), name)));
                }
            }
            _ => {}
        }
    }
    // CommonJS `const { x } = require('./y')` is handled by resolve_import_of_declarator.
}

// ----- candidates ------------------------------------------------------------

/// A candidate site before it is turned into the model.
struct Raw<'t> {
    framework: Framework,
    node: Node<'t>,
    status: StatusEval,
    /// The status argument or property value node (for ranges).
    headers: HeaderEval,
    insertion: Option<HeaderInsertion>,
    message_node: Option<Node<'t>>,
    function: Option<Node<'t>>,
    /// The pack row that recognised it.
    pack: Option<PackSite>,
}

impl<'t> Raw<'t> {
    fn into_site(self, cx: &Cx<'t>) -> Option<ResponseSite> {
        let status = match self.status {
            StatusEval::Known(v) => Status::Known(v.into()),
            StatusEval::Forwarded(r, s) => Status::Forwarded {
                range: r,
                source: s,
            },
            _ => return None,
        };
        let mut site = build_site(
            cx,
            self.framework,
            self.node,
            status,
            self.headers,
            self.insertion,
            self.message_node,
        );
        site.pack = self.pack;
        Some(site)
    }
}

fn build_site<'t>(
    cx: &Cx<'t>,
    framework: Framework,
    node: Node<'t>,
    status: Status,
    headers: HeaderEval,
    insertion: Option<HeaderInsertion>,
    message_node: Option<Node<'t>>,
) -> ResponseSite {
    let message = message_node.and_then(|m| cx.strings_in(m));
    let echoes_error = message_node.and_then(|m| cx.echoed_error(m, node));
    ResponseSite {
        framework,
        range: node.byte_range(),
        status,
        headers: Headers {
            challenge: headers.challenge,
            opaque: headers.opaque,
            insertion,
        },
        message: message.map(Into::into),
        message_range: message_node.map(|m| m.byte_range()),
        guard: cx.guard(node),
        handler: match enclosing_function(cx, node) {
            Some(f) => Some(f.byte_range()),
            None => {
                cx.read_everything();
                None
            }
        },
        logged: cx.logged_before(node),
        log_insertion: cx.statement_insertion(node),
        logger_in_scope: cx.logger_in_scope(node).map(Into::into),
        identity_established: cx.identity_established(node),
        echoes_error,
        via_helper: None,
        split: None,
        middleware: None,
        status_from_helper: false,
        pack: None,
    }
}

/// One pass of the query: the response candidates, and the plain calls
/// (`name(...)`) that may be response-helper call sites.
fn candidates<'t>(cx: &Cx<'t>, lang: Language) -> (Vec<Raw<'t>>, Vec<Node<'t>>) {
    let captures = match tables(lang).kinds() {
        Some(kinds) => kinds.captures(cx.root),
        None => query_captures(cx, lang, None),
    };
    let mut out: Vec<Raw<'t>> = Vec::new();
    let mut calls: Vec<Node<'t>> = Vec::new();
    for (kind, node) in captures {
        let class = classify(cx, kind, node);
        if class.helper_call {
            calls.push(node);
        }
        let Some(site) = class.site else {
            continue;
        };
        out.extend(raw_candidate(cx, site, node));
    }
    (out, calls)
}

/// The response query's captures under the root, or within `range`, run
/// with tree-sitter's query engine (for a query that is not a kind table).
fn query_captures<'t>(
    cx: &Cx<'t>,
    lang: Language,
    range: Option<Range<usize>>,
) -> Vec<(&'static str, Node<'t>)> {
    let Some(q) = query(lang) else {
        return Vec::new();
    };
    let names = q.capture_names();
    let mut qc = QueryCursor::new();
    if let Some(r) = range {
        qc.set_byte_range(r);
    }
    let mut out = Vec::new();
    let mut matches = qc.matches(q, cx.root, cx.src.as_bytes());
    while let Some(m) = matches.next() {
        for cap in m.captures {
            if let Some(kind) = names[cap.index as usize].strip_prefix("site.") {
                out.push((kind, cap.node));
            }
        }
    }
    out
}

/// What a node the query captured may be: the shape checks behind each
/// `@site.<kind>` of `queries/javascript/responses.scm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    /// `new Response(…)`, `Response.json(…)`, and the Next.js spellings.
    WebResponse { json: bool },
    /// `new HTTPException(401, …)` (Hono).
    HonoException,
    /// `res.status(401)`, `reply.code(401)`, `c.json(body, 401)` and the like.
    Method,
    /// `res.statusCode = 401`, `ctx.status = 401`.
    Assignment,
    /// `{ statusCode: 401, … }` (AWS Lambda).
    Lambda,
    /// `new UnauthorizedException()` and friends (NestJS).
    NestException,
    /// `createError(401)` or, `named`, `createError.Unauthorized()` (http-errors).
    HttpError { named: bool },
    /// `throw new APIError('UNAUTHORIZED', …)`, `new TRPCError({ code: 'FORBIDDEN' })`.
    StatusError,
    /// A call or `new` a framework pack may describe (`error(401, …)` from SvelteKit).
    Pack,
}

struct Classified {
    site: Option<Candidate>,
    /// `name(args…)`: a call that may go to a response helper.
    helper_call: bool,
}

const RESPONSE_CLASSES: &[&str] = &["Response", "NextResponse"];
const NEST_EXCEPTIONS: &[&str] = &[
    "UnauthorizedException",
    "ForbiddenException",
    "HttpException",
];
const HTTP_ERROR_FNS: &[&str] = &["createError", "createHttpError", "httpError", "httpErrors"];
const HTTP_ERROR_NAMESPACES: &[&str] = &["createError", "createHttpError", "httpErrors"];
const HTTP_ERROR_NAMES: &[&str] = &["Unauthorized", "Forbidden"];
const STATUS_METHODS: &[&str] = &[
    "status",
    "sendStatus",
    // Express 3's `res.send(401)` / `res.send(401, body)` (deprecated in 4).
    "send",
    "code",
    "writeHead",
    "throw",
    "json",
    "text",
    "body",
    "html",
    "newResponse",
];

/// `obj.prop` as (object, property), when `n` is a member expression.
fn member(n: Option<Node>) -> Option<(Option<Node>, Option<Node>)> {
    n.filter(|n| n.kind_name() == "member_expression")
        .map(|m| (m.field("object"), m.field("property")))
}

fn classify(cx: &Cx, kind: &str, node: Node) -> Classified {
    let src = cx.src;
    // A name a framework pack knows (`error` from `@sveltejs/kit`).
    let pack_name = |n: Option<Node>| {
        n.and_then(|n| match n.kind_name() {
            "identifier" => Some(n),
            "member_expression" => n.field("property"),
            _ => None,
        })
        .is_some_and(|n| packs::may_be_call(cx, text(n, src)))
    };
    let is = |n: Option<Node>, node_kind: &str, names: &[&str]| {
        n.is_some_and(|n| n.kind_name() == node_kind && names.contains(&text(n, src)))
    };
    let has_args = || {
        node.field("arguments")
            .is_some_and(|a| a.named_child_count() > 0)
    };
    let none = Classified {
        site: None,
        helper_call: false,
    };
    let site = |c: Candidate| Classified {
        site: Some(c),
        helper_call: false,
    };
    match kind {
        "new" => {
            let ctor = node.field("constructor");
            if is(ctor, "identifier", RESPONSE_CLASSES) {
                site(Candidate::WebResponse { json: false })
            } else if is(ctor, "identifier", &["HTTPException"]) {
                site(Candidate::HonoException)
            } else if is(ctor, "identifier", NEST_EXCEPTIONS) {
                site(Candidate::NestException)
            } else if member(ctor).is_some_and(|(o, p)| {
                is(o, "identifier", HTTP_ERROR_NAMESPACES)
                    && is(p, "property_identifier", HTTP_ERROR_NAMES)
            }) {
                site(Candidate::HttpError { named: true })
            } else if ctor.is_some_and(|c| {
                c.kind_name() == "identifier" && {
                    let name = text(c, src);
                    name.ends_with("Error") || name.ends_with("Exception")
                }
            }) && status_name_arg(node, src).is_some()
            {
                site(Candidate::StatusError)
            } else {
                // `new ApiError('Unknown key', 403)`: a class the
                // configuration may declare as a helper (`name = "new ApiError"`).
                Classified {
                    site: pack_name(ctor).then_some(Candidate::Pack),
                    helper_call: ctor.is_some_and(|c| c.kind_name() == "identifier") && has_args(),
                }
            }
        }
        "call" => {
            let f = node.field("function");
            if f.is_some_and(|f| f.kind_name() == "identifier") {
                // Any plain call may be a helper's: `jsonError('x', 401)`, or
                // `unauthorized()` for a helper that fixes its status.
                return Classified {
                    site: if has_args() && is(f, "identifier", HTTP_ERROR_FNS) {
                        Some(Candidate::HttpError { named: false })
                    } else {
                        pack_name(f).then_some(Candidate::Pack)
                    },
                    helper_call: true,
                };
            }
            let Some((obj, prop)) = member(f) else {
                return none;
            };
            if is(obj, "identifier", RESPONSE_CLASSES) && is(prop, "property_identifier", &["json"])
            {
                site(Candidate::WebResponse { json: true })
            } else if is(prop, "property_identifier", STATUS_METHODS) && has_args() {
                site(Candidate::Method)
            } else if is(obj, "identifier", HTTP_ERROR_NAMESPACES)
                && is(prop, "property_identifier", HTTP_ERROR_NAMES)
            {
                site(Candidate::HttpError { named: true })
            } else if pack_name(f) {
                site(Candidate::Pack)
            } else {
                none
            }
        }
        "assignment" => {
            let left = member(node.field("left"));
            if left.is_some_and(|(_, p)| {
                is(p, "property_identifier", &["statusCode", "status"])
                    || p.is_some_and(|p| packs::may_be_assign(cx, text(p, src)))
            }) {
                site(Candidate::Assignment)
            } else {
                none
            }
        }
        "object" => {
            let status_key = named_children(node).any(|c| match c.kind_name() {
                "pair" => c.field("key").is_some_and(|k| {
                    matches!(k.kind_name(), "property_identifier" | "string")
                        && matches!(
                            text(k, src),
                            "statusCode" | "'statusCode'" | "\"statusCode\""
                        )
                }),
                "shorthand_property_identifier" => text(c, src) == "statusCode",
                _ => false,
            });
            if status_key {
                site(Candidate::Lambda)
            } else {
                none
            }
        }
        _ => none,
    }
}

/// The candidate a classified capture stands for (`None` in test code and
/// assertions, or when it turns out not to be a response).
fn raw_candidate<'t>(cx: &Cx<'t>, site: Candidate, node: Node<'t>) -> Option<Raw<'t>> {
    if cx.is_test_file || in_assertion(cx, node, cx.src) || unreachable(cx, node) {
        return None;
    }
    match site {
        Candidate::WebResponse { json } => web_response(cx, node, json),
        Candidate::HonoException => hono_exception(cx, node),
        // A pack's row wins where the same spelling means its framework
        // (`json(…)` from `@sveltejs/kit`, `createError` from `h3`).
        Candidate::Pack => packs::call_site(cx, node),
        Candidate::Method => packs::call_site(cx, node).or_else(|| method_call(cx, node)),
        Candidate::Assignment => {
            packs::assign_site(cx, node).or_else(|| status_assignment(cx, node))
        }
        Candidate::Lambda => lambda_object(cx, node),
        Candidate::NestException => nest_exception(cx, node),
        Candidate::StatusError => status_error(cx, node),
        Candidate::HttpError { named } => {
            packs::call_site(cx, node).or_else(|| http_error(cx, node, named))
        }
    }
}

/// The site is in a branch the type checker proves never runs: one of
/// the few statements before it in its block is an exhaustiveness check
/// (`auth satisfies never`, `const _exhaustive: never = auth`).
fn unreachable(cx: &Cx, node: Node) -> bool {
    let mut n = node;
    for _ in 0..64 {
        let Some(p) = cx.up(n) else {
            return false;
        };
        if is_function(p) {
            return false;
        }
        if matches!(
            p.kind_name(),
            "statement_block" | "switch_default" | "switch_case"
        ) {
            let before: Vec<Node> = named_children(p)
                .take_while(|c| c.end_byte() <= n.start_byte())
                .collect();
            return before.iter().rev().take(3).any(|c| {
                let t = text(*c, cx.src);
                t.len() <= 200 && (t.contains("satisfies never") || t.contains(": never ="))
            });
        }
        n = p;
    }
    false
}

fn args_of(node: Node) -> Vec<Node> {
    node.field("arguments")
        .map(|a| {
            named_children(a)
                .filter(|c| c.kind_name() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// The `pair` of `obj` whose key is `name`.
fn pair<'t>(cx: &Cx<'t>, obj: Node<'t>, name: &str) -> Option<Node<'t>> {
    named_children(obj).find(|p| {
        p.kind_name() == "pair"
            && p.field("key").and_then(|k| cx.key_name(k)).as_deref() == Some(name)
    })
}

fn shorthand<'t>(cx: &Cx<'t>, obj: Node<'t>, name: &str) -> Option<Node<'t>> {
    named_children(obj)
        .find(|p| p.kind_name() == "shorthand_property_identifier" && text(*p, cx.src) == name)
}

/// `new Response(body, { status, headers })`, `Response.json(body, init)`.
fn web_response<'t>(cx: &Cx<'t>, node: Node<'t>, is_json: bool) -> Option<Raw<'t>> {
    let ctor_text = text(node, cx.src);
    let framework = if ctor_text.contains("NextResponse") {
        Framework::Next
    } else {
        Framework::WebResponse
    };
    let args = args_of(node);
    let body = args.first().copied();
    let init = args.get(1).copied().map(unwrap_expr)?;
    let init_obj = match init.kind_name() {
        "object" => init,
        "identifier" => {
            // `new Response(upstream.body, upstream)`: the whole upstream response, status included.
            if cx.looks_upstream(init) {
                let status =
                    StatusEval::Forwarded(init.byte_range(), text(init, cx.src).to_string());
                return Some(Raw {
                    framework,
                    node,
                    status,
                    headers: HeaderEval::opaque(),
                    insertion: None,
                    message_node: body,
                    function: enclosing_function(cx, node),
                    pack: None,
                });
            }
            cx.resolve_local(text(init, cx.src), init)
                .map(unwrap_expr)
                .filter(|v| v.kind_name() == "object")?
        }
        _ => return None,
    };
    let status_node = pair(cx, init_obj, "status")
        .and_then(|p| p.field("value"))
        .or_else(|| shorthand(cx, init_obj, "status"))?;
    let status = cx.eval_status(status_node, 0);
    let (mut headers, insertion) = headers_in_init(cx, init_obj, node);
    let _ = is_json;
    // `const res = NextResponse.json(…); res.headers.set('WWW-Authenticate', …); return res`
    if headers.challenge.is_none() {
        if let Some(name) = bound_name(cx, node) {
            let scope = enclosing_function(cx, node).unwrap_or(cx.root);
            headers.challenge = cx.header_set_on(scope, &name, node.start_byte(), true);
        }
    }
    Some(Raw {
        framework,
        node,
        status,
        headers,
        insertion,
        message_node: body,
        function: enclosing_function(cx, node),
        pack: None,
    })
}

/// The variable a response expression is assigned to: `const res = new Response(…)`.
fn bound_name(cx: &Cx, node: Node) -> Option<String> {
    let mut n = node;
    while let Some(p) = cx.up(n) {
        match p.kind_name() {
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "satisfies_expression" => n = p,
            "variable_declarator" => {
                return p
                    .field("name")
                    .filter(|x| x.kind_name() == "identifier")
                    .map(|x| text(x, cx.src).to_string())
            }
            "assignment_expression" => {
                return p
                    .field("left")
                    .filter(|x| x.kind_name() == "identifier")
                    .map(|x| text(x, cx.src).to_string())
            }
            _ => return None,
        }
    }
    None
}

/// What a headers expression holds, so a fix can extend it without losing
/// entries: a plain object is spread (`{ ...h, … }`), a `Headers` instance
/// is copied (`new Headers([...h, […]])`), anything else gets no fix.
fn extend_headers(cx: &Cx, v: Node) -> Option<String> {
    let name = text(v, cx.src);
    let holds = match v.kind_name() {
        "identifier" | "shorthand_property_identifier" => match cx
            .declarator_of(name, v)
            .filter(|d| !is_destructured(*d))
            .and_then(|d| d.field("value"))
            .map(unwrap_expr)
        {
            Some(init) if init.kind_name() == "object" => "object",
            Some(init)
                if init.kind_name() == "new_expression"
                    && init
                        .field("constructor")
                        .is_some_and(|c| text(c, cx.src) == "Headers") =>
            {
                "headers"
            }
            Some(_) => return None,
            // Imported shared headers (`corsHeaders`) are object literals in practice.
            None if cx.imports.contains_key(name) => "object",
            None => return None,
        },
        "call_expression" => {
            let f = v.field("function").map(|f| text(f, cx.src)).unwrap_or("");
            let body = cx.function_named(f).and_then(function_body)?;
            if returned_expr(body).map(unwrap_expr)?.kind_name() != "object" {
                return None;
            }
            "object"
        }
        _ => return None,
    };
    Some(match holds {
        "object" => format!("{{ ...{name}, $NAME: $VALUE }}"),
        _ => format!("new Headers([...{name}, [$NAME, $VALUE]])"),
    })
}

/// Reads `headers` from an init/result object and says how to add one.
fn headers_in_init<'t>(
    cx: &Cx<'t>,
    obj: Node<'t>,
    site: Node<'t>,
) -> (HeaderEval, Option<HeaderInsertion>) {
    if let Some(p) = pair(cx, obj, "headers") {
        let Some(v) = p.field("value") else {
            return (HeaderEval::opaque(), None);
        };
        let h = cx.eval_headers(v, site, 0);
        let v_inner = unwrap_expr(v);
        let ins = match v_inner.kind_name() {
            "object" => {
                object_insertion(cx, v_inner, "add a `WWW-Authenticate` entry to `headers`")
            }
            "new_expression" => args_of(v_inner)
                .first()
                .filter(|a| a.kind_name() == "object")
                .and_then(|o| {
                    object_insertion(
                        cx,
                        *o,
                        "add a `WWW-Authenticate` entry to `new Headers({…})`",
                    )
                }),
            "identifier" | "member_expression" | "call_expression" => extend_headers(cx, v_inner)
                .map(|template| HeaderInsertion {
                    at: v.start_byte(),
                    replace_len: v.end_byte() - v.start_byte(),
                    template: template.into(),
                    how: "extend the headers with `WWW-Authenticate`",
                }),
            _ => None,
        };
        return (h, ins);
    }
    if let Some(s) = shorthand(cx, obj, "headers") {
        let h = cx.eval_headers(s, site, 0);
        let ins = extend_headers(cx, s).map(|value| HeaderInsertion {
            at: s.start_byte(),
            replace_len: s.end_byte() - s.start_byte(),
            template: format!("headers: {value}").into(),
            how: "extend the headers with `WWW-Authenticate`",
        });
        return (h, ins);
    }
    if named_children(obj).any(|c| c.kind_name() == "spread_element") {
        return (HeaderEval::opaque(), None);
    }
    (
        HeaderEval::default(),
        property_insertion(
            cx,
            obj,
            "headers: { $NAME: $VALUE }",
            "add `headers` with `WWW-Authenticate`",
        ),
    )
}

/// How to add `$NAME: $VALUE` to an object literal, in its layout.
fn object_insertion(cx: &Cx, obj: Node, how: &'static str) -> Option<HeaderInsertion> {
    property_insertion(cx, obj, "$NAME: $VALUE", how)
}

/// How to add the property `prop` (a template) to an object literal.
fn property_insertion(
    cx: &Cx,
    obj: Node,
    prop: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let entries: Vec<Node> = named_children(obj)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    let Some(last) = entries.last() else {
        // `{}` → `{ prop }`
        return Some(HeaderInsertion {
            at: obj.start_byte(),
            replace_len: obj.end_byte() - obj.start_byte(),
            template: format!("{{ {prop} }}").into(),
            how,
        });
    };
    let after_last = &cx.src[last.end_byte()..obj.end_byte()];
    let has_trailing_comma = after_last.trim_start().starts_with(',');
    let multiline = syntax::starts_line(cx.src, last.start_byte());
    if multiline {
        let (_, indent) = syntax::line_indent(cx.src, last.start_byte());
        if has_trailing_comma {
            let comma = last.end_byte() + after_last.find(',').unwrap_or(0) + 1;
            Some(HeaderInsertion {
                at: comma,
                replace_len: 0,
                template: format!("{}{indent}{prop},", cx.newline).into(),
                how,
            })
        } else {
            Some(HeaderInsertion {
                at: last.end_byte(),
                replace_len: 0,
                template: format!(",{}{indent}{prop}", cx.newline).into(),
                how,
            })
        }
    } else {
        Some(HeaderInsertion {
            at: last.end_byte(),
            replace_len: 0,
            template: format!(", {prop}").into(),
            how,
        })
    }
}

/// `throw new HTTPException(401, { message })` (Hono). No header option exists.
fn hono_exception<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let args = args_of(node);
    let status = cx.eval_status(*args.first()?, 0);
    let opts = args.get(1).copied();
    // `res: new Response(…, { headers })` carries the real response.
    let obj = opts.filter(|o| o.kind_name() == "object");
    let headers = match obj
        .and_then(|o| pair(cx, o, "res"))
        .and_then(|p| p.field("value"))
        .or_else(|| obj.and_then(|o| shorthand(cx, o, "res")))
    {
        Some(res) => {
            let mut res = unwrap_expr(res);
            // `{ res }` / `{ res: response }`: the local's initializer.
            if matches!(
                res.kind_name(),
                "identifier" | "shorthand_property_identifier"
            ) {
                if let Some(init) = cx.resolve_local(text(res, cx.src), res) {
                    res = unwrap_expr(init);
                }
            }
            match web_response(cx, res, false) {
                Some(r) => r.headers,
                None => HeaderEval::opaque(),
            }
        }
        None => HeaderEval::default(),
    };
    Some(Raw {
        framework: Framework::Hono,
        node,
        status,
        headers,
        insertion: None,
        message_node: opts,
        function: enclosing_function(cx, node),
        pack: None,
    })
}

/// NestJS: `new UnauthorizedException(msg)`, `new ForbiddenException(msg)`,
/// `new HttpException(body, status)`. Nest exceptions cannot carry headers.
fn nest_exception<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let ctor = node
        .field("constructor")
        .map(|c| text(c, cx.src))
        .unwrap_or("");
    let args = args_of(node);
    let status = match ctor {
        "UnauthorizedException" => known_indirect(401, node.field("constructor")?),
        "ForbiddenException" => known_indirect(403, node.field("constructor")?),
        _ => cx.eval_status(*args.get(1)?, 0),
    };
    Some(Raw {
        framework: Framework::Nest,
        node,
        status,
        headers: HeaderEval::default(),
        insertion: None,
        message_node: args.first().copied(),
        function: enclosing_function(cx, node),
        pack: None,
    })
}

/// The status an error's constructor names: a first argument `'UNAUTHORIZED'`
/// or `'FORBIDDEN'` (any case), or an options object whose `code` is one.
/// Returns the code and the string that names it.
fn status_name_arg<'t>(node: Node<'t>, src: &str) -> Option<(u16, Node<'t>)> {
    // JavaScript's own errors carry messages, never statuses:
    // `new Error('Unauthorized')` is not a 401.
    let ctor = node
        .field("constructor")
        .map(|c| text(c, src))
        .unwrap_or("");
    if BUILTIN_ERRORS.contains(&ctor) {
        return None;
    }
    let first = *args_of(node).first()?;
    let named = |n: Node<'t>, any_case: bool| -> Option<(u16, Node<'t>)> {
        let v = string_value(n, src)?;
        let v = v.trim();
        let upper = v.to_ascii_uppercase();
        if !any_case && v != upper {
            return None;
        }
        match upper.as_str() {
            "UNAUTHORIZED" => Some((401, n)),
            "FORBIDDEN" => Some((403, n)),
            _ => None,
        }
    };
    match first.kind_name() {
        // A positional status name is written as a code (`'UNAUTHORIZED'`);
        // `'Unauthorized'` is more often a message.
        "string" => named(first, false),
        "object" => named_children(first)
            .filter(|p| p.kind_name() == "pair")
            .find(|p| p.field("key").is_some_and(|k| text(k, src) == "code"))
            .and_then(|p| p.field("value"))
            .and_then(|v| named(v, true)),
        _ => None,
    }
}

const BUILTIN_ERRORS: &[&str] = &[
    "Error",
    "TypeError",
    "RangeError",
    "SyntaxError",
    "ReferenceError",
    "EvalError",
    "URIError",
    "AggregateError",
    "DOMException",
];

/// `throw new APIError('UNAUTHORIZED', body, headers)`, `new
/// TRPCError({ code: 'FORBIDDEN', message })`: an error that names its
/// status, thrown or returned (one only built here is not yet a response).
fn status_error<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let mut p = cx.up(node)?;
    while matches!(
        p.kind_name(),
        "parenthesized_expression" | "await_expression" | "as_expression"
    ) {
        p = cx.up(p)?;
    }
    if !matches!(p.kind_name(), "throw_statement" | "return_statement") {
        return None;
    }
    if p.kind_name() == "throw_statement" && caught_in_function(cx, p) {
        return None; // a `catch` of the same function decides what is sent
    }
    let (code, name) = status_name_arg(node, cx.src)?;
    let args = args_of(node);
    let first = *args.first()?;
    let mut headers = HeaderEval::default();
    let message_node = if first.kind_name() == "object" {
        if let Some(h) = pair(cx, first, "headers").and_then(|p| p.field("value")) {
            headers.merge(cx.eval_headers(h, node, 0));
        }
        pair(cx, first, "message").and_then(|p| p.field("value"))
    } else {
        // `(status, body, headers)`: headers the caller passes are evaluated;
        // anything but an object literal may carry a challenge.
        if let Some(h) = args.get(2) {
            headers.merge(cx.eval_headers(*h, node, 0));
        }
        args.get(1).copied()
    };
    Some(Raw {
        framework: Framework::StatusError,
        node,
        status: known_indirect(code, name),
        headers,
        insertion: None,
        message_node,
        function: enclosing_function(cx, node),
        pack: None,
    })
}

/// Whether `throw_stmt` sits in the block of a `try` whose `catch` does not
/// throw again, within its own function: the error is caught there, not sent
/// as it is.
fn caught_in_function(cx: &Cx, throw_stmt: Node) -> bool {
    let mut node = throw_stmt;
    while let Some(p) = cx.up(node) {
        if is_function(p) {
            return false;
        }
        if p.kind_name() == "try_statement" && p.field("body").is_some_and(|b| b.id() == node.id())
        {
            // A `catch` that throws again (`if (e instanceof APIError) throw e`)
            // or makes something of the error besides a log line
            // (`return handleErrorResponse(e)`, `handleApiError({ error: e })`)
            // lets the error through.
            let Some(handler) = p.field("handler") else {
                return false;
            };
            let param = handler.field("parameter").map(|x| text(x, cx.src));
            let passes_on = text(handler, cx.src).contains("throw")
                || param.is_some_and(|e| {
                    let mut stack: Vec<Node> = handler.field("body").into_iter().collect();
                    while let Some(n) = stack.pop() {
                        if n.kind_name() == "identifier"
                            && text(n, cx.src) == e
                            && !in_log_call(cx, n, handler)
                        {
                            return true;
                        }
                        stack.extend(named_children(n));
                    }
                    false
                });
            return !passes_on;
        }
        node = p;
    }
    false
}

/// Whether `n` is an argument of a logging call (`console.error(e)`,
/// `logger.warn(…)`) below `within`.
fn in_log_call(cx: &Cx, n: Node, within: Node) -> bool {
    let mut p = cx.up(n);
    while let Some(x) = p {
        if x.id() == within.id() {
            return false;
        }
        if x.kind_name() == "call_expression" {
            let callee = x.field("function").map(|f| text(f, cx.src)).unwrap_or("");
            let head = callee.split('.').next().unwrap_or("").to_ascii_lowercase();
            return head == "console" || head.contains("log");
        }
        p = cx.up(x);
    }
    false
}

/// http-errors: `createError(401, 'msg', { headers })`, `createError.Unauthorized('msg')`.
/// Express's final handler and Koa send the error's `headers`.
fn http_error<'t>(cx: &Cx<'t>, node: Node<'t>, named: bool) -> Option<Raw<'t>> {
    let args = args_of(node);
    let (status, message_node) = if named {
        let f = node
            .field("function")
            .or_else(|| node.field("constructor"))?;
        let prop = f.field("property")?;
        let code = if text(prop, cx.src) == "Unauthorized" {
            401
        } else {
            403
        };
        (known_indirect(code, prop), args.first().copied())
    } else {
        let status_node = args
            .iter()
            .find(|a| !matches!(a.kind_name(), "string" | "template_string" | "object"))?;
        (
            cx.eval_status(*status_node, 0),
            args.iter()
                .find(|a| matches!(a.kind_name(), "string" | "template_string"))
                .copied(),
        )
    };
    let mut headers = HeaderEval::default();
    let insertion = match args.iter().find(|a| a.kind_name() == "object") {
        Some(props) => match pair(cx, *props, "headers").and_then(|p| p.field("value")) {
            Some(h) => {
                headers.merge(cx.eval_headers(h, node, 0));
                (h.kind_name() == "object")
                    .then(|| {
                        object_insertion(
                            cx,
                            h,
                            "add a `WWW-Authenticate` entry to the error's headers",
                        )
                    })
                    .flatten()
            }
            None => property_insertion(
                cx,
                *props,
                "headers: { $NAME: $VALUE }",
                "add `headers` to the error",
            ),
        },
        None => {
            let at = args
                .last()
                .map(|a| a.end_byte())
                .unwrap_or(node.field("arguments")?.start_byte() + 1);
            let sep = if args.is_empty() { "" } else { ", " };
            Some(HeaderInsertion {
                at,
                replace_len: 0,
                template: format!("{sep}{{ headers: {{ $NAME: $VALUE }} }}").into(),
                how: "pass `headers` to the error",
            })
        }
    };
    Some(Raw {
        framework: Framework::HttpError,
        node,
        status,
        headers,
        insertion,
        message_node,
        function: enclosing_function(cx, node),
        pack: None,
    })
}

/// Receivers that are never a response (test helpers, clients).
fn non_response_receiver(recv: &str) -> bool {
    let head = recv.split(['.', '(']).next().unwrap_or("");
    matches!(
        head,
        "expect"
            | "assert"
            | "should"
            | "chai"
            | "request"
            | "supertest"
            | "agent"
            | "axios"
            | "fetch"
            | "http"
            | "nock"
            | "mock"
            | "sinon"
            | "jest"
            | "vi"
            | "cy"
            | "console"
            | "Response"
            | "NextResponse"
            | "JSON"
            | "Promise"
            | "Object"
            | "Array"
            | "Math"
    ) || recv.contains("expect(")
        // chai: `res.should.have.status(401)`, `expect(res).to.have.status(401)`
        || recv.split('.').any(|seg| matches!(seg, "should" | "to" | "have" | "be" | "been" | "and"))
}

/// Calls on a response object: Express, Fastify, Koa, Hono, Node http.
fn method_call<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let f = node.field("function")?;
    let recv = f.field("object")?;
    let method = text(f.field("property")?, cx.src);
    if method == "send" && !legacy_send(cx, node) {
        return None;
    }
    let recv_text = text(recv, cx.src);
    if non_response_receiver(recv_text)
        || !matches!(
            unwrap_expr(recv).kind_name(),
            "identifier" | "member_expression" | "this" | "call_expression"
        )
    {
        return None;
    }
    let args = args_of(node);
    let first = *args.first()?;
    // The receiver of the chain, e.g. `res` in `res.status(401).json()`.
    let base = chain_base(recv);
    let base_text = text(base, cx.src);
    if non_response_receiver(base_text) {
        return None;
    }
    let function = enclosing_function(cx, node);
    let top = chain_top(cx, node);
    let scope = function.unwrap_or(cx.root);
    let (framework, status_node, message_node) = match method {
        "status" | "code" => {
            let fw = if method == "code" {
                Framework::Fastify
            } else if matches!(base_text, "c" | "context") && !is_express_like(cx, top) {
                Framework::Hono
            } else if base_text.contains("reply") {
                Framework::Fastify
            } else {
                Framework::Express
            };
            (fw, first, chain_message(cx, top))
        }
        "sendStatus" => (Framework::Express, first, None),
        "send" => (Framework::Express, first, args.get(1).copied()),
        "writeHead" => (Framework::NodeHttp, first, None),
        "throw" => (Framework::Koa, first, args.get(1).copied()),
        "json" | "text" | "body" | "html" | "newResponse" => {
            let second = *args.get(1)?;
            // `c.json(body, { status: 401, headers })`: a ResponseInit.
            let init = unwrap_expr(second);
            if init.kind_name() == "object" {
                let status_node = pair(cx, init, "status")
                    .and_then(|p| p.field("value"))
                    .or_else(|| shorthand(cx, init, "status"))?;
                let status = cx.eval_status(status_node, 0);
                if matches!(status, StatusEval::Unknown) {
                    return None;
                }
                let (mut headers, insertion) = headers_in_init(cx, init, node);
                if headers.challenge.is_none() {
                    headers.challenge =
                        cx.header_set_on(scope, base_text, node.start_byte(), false);
                }
                return Some(Raw {
                    framework: Framework::Hono,
                    node,
                    status,
                    headers,
                    insertion,
                    message_node: Some(first),
                    function,
                    pack: None,
                });
            }
            (Framework::Hono, second, Some(first))
        }
        _ => return None,
    };
    let status = cx.eval_status(status_node, 0);
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    // Headers: in the chain, in the call, or set on the receiver.
    let mut headers = HeaderEval::default();
    let mut insertion = None;
    let sends = chain_sends(cx, top);
    if let Some(ch) = chain_challenge(cx, top) {
        headers.challenge = Some(ch);
    }
    match framework {
        Framework::Hono if method != "status" => {
            if let Some(h) = args.get(2) {
                headers.merge(cx.eval_headers(*h, node, 0));
                if h.kind_name() == "object" {
                    insertion = object_insertion(
                        cx,
                        *h,
                        "add a `WWW-Authenticate` entry to the headers argument",
                    );
                }
            } else {
                let close = node.field("arguments")?.end_byte() - 1;
                let after_last = args.last().map(|a| a.end_byte()).unwrap_or(close);
                insertion = Some(HeaderInsertion {
                    at: after_last,
                    replace_len: 0,
                    template: ", { $NAME: $VALUE }".into(),
                    how: "pass headers with `WWW-Authenticate`",
                });
            }
            if headers.challenge.is_none() {
                headers.challenge = cx.header_set_on(scope, base_text, node.start_byte(), false);
            }
        }
        Framework::NodeHttp => {
            let h = args
                .iter()
                .skip(1)
                .find(|a| !matches!(a.kind_name(), "string" | "template_string"))
                .copied();
            match h {
                Some(h) => {
                    headers.merge(cx.eval_headers(h, node, 0));
                    if h.kind_name() == "object" {
                        insertion = object_insertion(
                            cx,
                            h,
                            "add a `WWW-Authenticate` entry to `writeHead`'s headers",
                        );
                    }
                }
                None => {
                    insertion = Some(HeaderInsertion {
                        at: args.last()?.end_byte(),
                        replace_len: 0,
                        template: ", { $NAME: $VALUE }".into(),
                        how: "pass headers to `writeHead`",
                    });
                }
            }
            if headers.challenge.is_none() {
                headers.challenge = cx.header_set_on(scope, base_text, node.start_byte(), false);
            }
        }
        Framework::Koa => {
            if let Some(o) = args.iter().skip(1).find(|a| a.kind_name() == "object") {
                if let Some(h) = pair(cx, *o, "headers").and_then(|p| p.field("value")) {
                    headers.merge(cx.eval_headers(h, node, 0));
                    if h.kind_name() == "object" {
                        insertion = object_insertion(
                            cx,
                            h,
                            "add a `WWW-Authenticate` entry to the error's headers",
                        );
                    }
                } else {
                    insertion = property_insertion(
                        cx,
                        *o,
                        "headers: { $NAME: $VALUE }",
                        "add `headers` to the error",
                    );
                }
            } else {
                insertion = Some(HeaderInsertion {
                    at: args.last()?.end_byte(),
                    replace_len: 0,
                    template: ", { headers: { $NAME: $VALUE } }".into(),
                    how: "pass `headers` to `ctx.throw`",
                });
            }
            if headers.challenge.is_none() {
                // Koa's error handler removes headers set before `ctx.throw`; only the error's own count.
            }
        }
        _ => {
            if headers.challenge.is_none() {
                headers.challenge = cx.header_set_on(scope, base_text, node.start_byte(), !sends);
            }
            if is_receiver_simple(base) {
                let (method_name, how) = match framework {
                    Framework::Hono => ("header", "call `c.header(…)` first"),
                    Framework::Fastify => ("header", "add `.header(…)` to the chain"),
                    // `res.set` is Express's own; Next.js pages (`NextApiResponse`),
                    // Vercel functions and other Node responses with a `status()`
                    // have only Node's `setHeader` (which also returns `res`).
                    _ if cx.express || method == "sendStatus" => {
                        ("set", "add `.set(…)` to the chain")
                    }
                    _ => ("setHeader", "add `.setHeader(…)` to the chain"),
                };
                if framework == Framework::Hono {
                    // `c.status(401)` is a statement: add `c.header(...)` before it.
                    if let Some(ins) = cx.statement_insertion(node).filter(|i| i.wrap.is_none()) {
                        let semi = if cx.semicolons { ";" } else { "" };
                        insertion = Some(HeaderInsertion {
                            at: ins.line_start,
                            replace_len: 0,
                            template: format!(
                                "{}{base_text}.header($NAME, $VALUE){semi}{}",
                                ins.indent, ins.newline
                            )
                            .into(),
                            how,
                        });
                    }
                } else {
                    // A chain written one call per line gets the new call on its own line.
                    let rest = &cx.src[node.end_byte()..];
                    let ws = rest.len() - rest.trim_start().len();
                    let link = if rest[..ws].contains('\n') && rest[ws..].starts_with('.') {
                        let (_, indent) = syntax::line_indent(cx.src, node.end_byte() + ws);
                        format!("{}{indent}.{method_name}($NAME, $VALUE)", cx.newline)
                    } else {
                        format!(".{method_name}($NAME, $VALUE)")
                    };
                    insertion = Some(HeaderInsertion {
                        at: node.end_byte(),
                        replace_len: 0,
                        template: link.into(),
                        how,
                    });
                    // These send the response: the header goes before them.
                    if matches!(method, "sendStatus" | "send") {
                        insertion = Some(HeaderInsertion {
                            at: base.end_byte(),
                            replace_len: 0,
                            template: format!(".{method_name}($NAME, $VALUE)").into(),
                            how,
                        });
                    }
                }
            }
        }
    }
    Some(Raw {
        framework,
        node: if top.kind_name() == "call_expression" {
            top
        } else {
            node
        },
        status,
        headers,
        insertion,
        message_node,
        function,
        pack: None,
    })
}

/// `res.send(401)` or `res.send(401, body)` in an Express file: the
/// status-first signature of Express 3 (deprecated, still honoured by 4).
fn legacy_send(cx: &Cx, call: Node) -> bool {
    let args = args_of(call);
    cx.express
        && (1..=2).contains(&args.len())
        && args[0].kind_name() == "number"
        && text(args[0], cx.src)
            .parse::<u16>()
            .is_ok_and(|c| (400..=599).contains(&c))
}

fn is_express_like(cx: &Cx, top: Node) -> bool {
    let t = text(top, cx.src);
    t.contains(".send(") || t.contains(".end(") || t.contains(".sendStatus(")
}

fn is_receiver_simple(n: Node) -> bool {
    matches!(n.kind_name(), "identifier" | "member_expression" | "this")
}

/// The innermost object of a call chain: `res` in `res.status(401).json()`.
fn chain_base(mut n: Node) -> Node {
    loop {
        match n.kind_name() {
            "call_expression" => match n.field("function") {
                Some(f) if f.kind_name() == "member_expression" => n = f,
                _ => return n,
            },
            "member_expression" => match n.field("object") {
                Some(o) if o.kind_name() == "call_expression" => n = o,
                Some(o) => return o,
                None => return n,
            },
            _ => return n,
        }
    }
}

/// The outermost call of the chain containing `call`.
fn chain_top<'t>(cx: &Cx<'t>, call: Node<'t>) -> Node<'t> {
    let mut top = call;
    while let Some(p) = cx.up(top) {
        if p.kind_name() == "member_expression"
            && p.field("object").is_some_and(|o| o.id() == top.id())
        {
            if let Some(pp) = cx.up(p).filter(|pp| pp.kind_name() == "call_expression") {
                top = pp;
                continue;
            }
        }
        break;
    }
    top
}

/// The calls of a chain, outermost first: (method name, call node).
fn chain_calls<'t>(cx: &Cx<'t>, top: Node<'t>) -> Vec<(&'t str, Node<'t>)> {
    let mut out = Vec::new();
    let mut n = top;
    while n.kind_name() == "call_expression" {
        let Some(f) = n
            .field("function")
            .filter(|f| f.kind_name() == "member_expression")
        else {
            break;
        };
        let m = f.field("property").map(|p| text(p, cx.src)).unwrap_or("");
        out.push((m, n));
        match f.field("object") {
            Some(o) => n = o,
            None => break,
        }
    }
    out
}

fn chain_sends(cx: &Cx, top: Node) -> bool {
    chain_calls(cx, top).iter().any(|(m, _)| {
        matches!(
            *m,
            "json" | "send" | "end" | "sendStatus" | "render" | "redirect" | "jsonp"
        )
    })
}

fn chain_message<'t>(cx: &Cx<'t>, top: Node<'t>) -> Option<Node<'t>> {
    chain_calls(cx, top)
        .into_iter()
        .find(|(m, _)| matches!(*m, "json" | "send" | "end" | "jsonp"))
        .and_then(|(_, c)| args_of(c).first().copied())
}

fn chain_challenge<'t>(cx: &Cx<'t>, top: Node<'t>) -> Option<ChallengeHeader> {
    chain_calls(cx, top)
        .into_iter()
        .filter(|(m, _)| matches!(*m, "set" | "header" | "setHeader" | "append" | "headers"))
        .find_map(|(m, call)| cx.challenge_set_by(call, m))
}

/// `res.statusCode = 401`, `ctx.status = 401`.
fn status_assignment<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let left = node.field("left")?;
    let obj = left.field("object")?;
    let recv = text(obj, cx.src);
    let recv_norm = normalize_receiver(recv);
    let last = recv_norm.rsplit('.').next().unwrap_or(recv_norm);
    if !matches!(
        last,
        "res" | "response" | "resp" | "reply" | "ctx" | "context" | "rep"
    ) {
        return None;
    }
    let prop = text(left.field("property")?, cx.src);
    let framework = if prop == "status" {
        Framework::Koa
    } else if recv.contains("res") {
        Framework::Express
    } else {
        Framework::NodeHttp
    };
    let status = cx.eval_status(node.field("right")?, 0);
    let function = enclosing_function(cx, node);
    let scope = function.unwrap_or(cx.root);
    let challenge = cx.header_set_on(scope, recv, node.start_byte(), true);
    let mut insertion = None;
    if let Some(ins) = cx.statement_insertion(node).filter(|i| i.wrap.is_none()) {
        // oak (Deno) has `ctx.response.headers.set`; Koa has `ctx.set`.
        let is_oak = cx.imports.values().any(|(spec, _)| spec.contains("oak"));
        let method = if framework == Framework::Koa && is_oak && recv.ends_with(".response") {
            "headers.set"
        } else if framework == Framework::Koa {
            "set"
        } else {
            "setHeader"
        };
        let semi = if cx.semicolons { ";" } else { "" };
        insertion = Some(HeaderInsertion {
            at: ins.line_start,
            replace_len: 0,
            template: format!(
                "{}{recv}.{method}($NAME, $VALUE){semi}{}",
                ins.indent, ins.newline
            )
            .into(),
            how: if framework == Framework::Koa {
                "call `ctx.set(…)` first"
            } else {
                "call `res.setHeader(…)` first"
            },
        });
    }
    // The body usually follows: `ctx.body = {...}` / `res.end('…')`.
    let message_node = node
        .parent()
        .and_then(|stmt| stmt.next_named_sibling())
        .filter(|s| {
            let t = text(*s, cx.src);
            t.contains(".body")
                || t.contains(".end(")
                || t.contains(".json(")
                || t.contains(".send(")
        });
    Some(Raw {
        framework,
        node,
        status,
        headers: HeaderEval {
            challenge,
            opaque: false,
        },
        insertion,
        message_node,
        function,
        pack: None,
    })
}

/// `return { statusCode: 401, headers, body }`.
fn lambda_object<'t>(cx: &Cx<'t>, obj: Node<'t>) -> Option<Raw<'t>> {
    // Only objects that are returned, resolved or passed to a callback.
    let ctx_ok = {
        let mut p = cx.up(obj);
        let mut ok = false;
        while let Some(x) = p {
            match x.kind_name() {
                "parenthesized_expression" | "as_expression" | "satisfies_expression" => {}
                "return_statement" | "arrow_function" => {
                    ok = true;
                    break;
                }
                "arguments" => {
                    let call = cx.up(x);
                    let f = call
                        .and_then(|c| c.field("function"))
                        .map(|f| text(f, cx.src))
                        .unwrap_or("");
                    ok = matches!(f, "callback" | "cb" | "done" | "resolve");
                    break;
                }
                "variable_declarator" => {
                    // `const response = { statusCode: 401 }; return response;`
                    let name = x.field("name").map(|n| text(n, cx.src)).unwrap_or("");
                    let func = enclosing_function(cx, x).and_then(function_body);
                    ok = func.is_some_and(|b| text(b, cx.src).contains(&format!("return {name}")));
                    break;
                }
                _ => break,
            }
            p = cx.up(x);
        }
        ok
    };
    if !ctx_ok {
        return None;
    }
    let status_node = pair(cx, obj, "statusCode")
        .and_then(|p| p.field("value"))
        .or_else(|| shorthand(cx, obj, "statusCode"))?;
    let status = cx.eval_status(status_node, 0);
    let (headers, insertion) = headers_in_init(cx, obj, obj);
    let message_node = pair(cx, obj, "body").and_then(|p| p.field("value"));
    Some(Raw {
        framework: Framework::Lambda,
        node: obj,
        status,
        headers,
        insertion,
        message_node,
        function: enclosing_function(cx, obj),
        pack: None,
    })
}

// ----- helpers -----------------------------------------------------------------

/// Same-file response helpers (see [`helper_of`]).
fn collect_helpers(cx: &Cx, raw: &[Raw]) -> HashMap<String, HelperSig> {
    let mut helpers = HashMap::default();
    for (name, sig) in raw.iter().filter_map(|r| helper_of(cx, r)) {
        helpers.entry(name).or_insert(sig);
    }
    helpers
}

/// The response helper a candidate makes its function, with its name: a
/// function whose response status is a parameter (`jsonError(msg, status)`),
/// or one that always answers 401 or 403 (`unauthorized()`) with no
/// condition of its own.
fn helper_of(cx: &Cx, r: &Raw) -> Option<(String, HelperSig)> {
    let func = r.function?;
    match &r.status {
        StatusEval::Param(i) => {
            let name = function_name(cx, func, cx.src)?;
            Some((name, helper_sig(cx, func, *i, r)))
        }
        StatusEval::Known(vs) => {
            let [v] = vs.as_slice() else { return None };
            if !matches!(v.code, 401 | 403) || cx.guard(r.node).is_some() {
                return None;
            }
            let name = function_name(cx, func, cx.src)?;
            let mut sig = helper_sig(cx, func, usize::MAX, r);
            sig.fixed_status = Some(v.code);
            Some((name, sig))
        }
        _ => None,
    }
}

fn helper_sig(cx: &Cx, func: Node, status_param: usize, raw: &Raw) -> HelperSig {
    let param_name = |p: Node| {
        text(p, cx.src)
            .split([':', '=', '?'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let params: Vec<Node> = func
        .field("parameters")
        .map(named_children)
        .map(|c| c.collect())
        .unwrap_or_default();
    let message_param = raw
        .message_node
        .and_then(|m| {
            let mt = text(m, cx.src);
            params.iter().enumerate().find_map(|(i, p)| {
                let name = param_name(*p);
                (i != status_param && !name.is_empty() && mt.contains(name.as_str())).then_some(i)
            })
        })
        .or_else(|| {
            // A builder whose message is not recognised as one
            // (`createError(401, message)`): a parameter named for a message
            // and passed to it.
            let args = args_of(raw.node);
            params.iter().enumerate().find_map(|(i, p)| {
                let name = param_name(*p);
                let is_message = matches!(
                    name.as_str(),
                    "message" | "msg" | "detail" | "reason" | "description"
                );
                (i != status_param && is_message && args.iter().any(|a| text(*a, cx.src) == name))
                    .then_some(i)
            })
        });
    let logs = function_body(func)
        .and_then(|b| cx.first_log_in(b, raw.node.start_byte()))
        .is_some();
    // A parameter spread into the headers object: the caller supplies those headers.
    let headers_param = headers_object_of(cx, raw.node).and_then(|obj| {
        named_children(obj)
            .filter(|c| c.kind_name() == "spread_element")
            .find_map(|sp| {
                let arg = sp.named_child(0)?;
                params
                    .iter()
                    .position(|p| param_name(*p) == text(arg, cx.src))
            })
    });
    let opaque_beyond_param = raw.headers.opaque && headers_param.is_none();
    let challenge = match &raw.headers.challenge {
        Some(c) => Some(c.literal.clone()),
        // Unknown headers: treat as carrying whatever is needed.
        None if opaque_beyond_param => Some(None),
        None => None,
    };
    HelperSig {
        status_param,
        message_param,
        challenge,
        logs,
        definition: func.byte_range(),
        headers_param,
        fixed_status: None,
    }
}

/// The headers object literal of a response site (`{ headers: {…} }` in a
/// Lambda result or a `Response` init).
fn headers_object_of<'t>(cx: &Cx<'t>, site: Node<'t>) -> Option<Node<'t>> {
    let init = match site.kind_name() {
        "object" => site,
        _ => args_of(site)
            .get(1)
            .copied()
            .map(unwrap_expr)
            .filter(|a| a.kind_name() == "object")?,
    };
    pair(cx, init, "headers")
        .and_then(|p| p.field("value"))
        .map(unwrap_expr)
        .filter(|v| v.kind_name() == "object")
}

/// Calls to response helpers: same file, relative imports, or configured.
fn helper_call_sites<'t>(cx: &Cx<'t>, calls: &[Node<'t>]) -> Vec<ResponseSite> {
    let mut out = Vec::new();
    if cx.is_test_file {
        return out;
    }
    let mut seen = HashSet::default();
    for &node in calls {
        if !seen.insert(node.id()) {
            continue;
        }
        let constructed = node.kind_name() == "new_expression";
        let Some(f) = node.field("function").or_else(|| node.field("constructor")) else {
            continue;
        };
        let name = text(f, cx.src);
        if constructed {
            // Only classes the configuration declares build responses when constructed.
            let Some(spec) = cx
                .settings
                .helpers
                .iter()
                .find(|h| h.constructor && h.name == name)
            else {
                continue;
            };
            let sig = HelperSig::configured(spec);
            if let Some(site) = helper_call_site(cx, node, name, sig, None) {
                out.push(site);
            }
            continue;
        }
        let (sig, defined_in): (HelperSig, Option<std::path::PathBuf>) =
            if let Some(s) = cx.helpers.get(name) {
                // Calls inside the helper itself are not call sites.
                if s.definition.contains(&node.start_byte()) {
                    continue;
                }
                if cx.rec.on {
                    cx.rec.reads.borrow_mut().push(s.definition.start);
                }
                (s.clone(), None)
            } else if let Some(spec) = cx
                .settings
                .helpers
                .iter()
                .find(|h| !h.constructor && h.name == name)
            {
                (HelperSig::configured(spec), None)
            } else if let Some((Export::Helper(s), target)) = cx
                .imports
                .contains_key(name)
                .then(|| cx.imported(name))
                .flatten()
            {
                (s, Some(target))
            } else {
                continue;
            };
        if let Some(site) = helper_call_site(cx, node, name, sig, defined_in) {
            out.push(site);
        }
    }
    out
}

/// The site a call (or a configured construction) of a response helper
/// makes, with `sig` the helper's signature and `defined_in` its module when
/// imported.
fn helper_call_site<'t>(
    cx: &Cx<'t>,
    node: Node<'t>,
    name: &str,
    sig: HelperSig,
    defined_in: Option<std::path::PathBuf>,
) -> Option<ResponseSite> {
    if in_assertion(cx, node, cx.src) {
        return None;
    }
    let args = args_of(node);
    let status = if let Some(code) = sig.fixed_status {
        Status::Known(
            vec![StatusValue {
                code,
                range: node.byte_range(),
                literal: false,
                branch_condition: None,
            }]
            .into(),
        )
    } else {
        let status_arg = args.get(sig.status_param)?;
        match cx.eval_status(*status_arg, 0) {
            StatusEval::Known(v) => Status::Known(v.into()),
            StatusEval::Forwarded(r, s) => Status::Forwarded {
                range: r,
                source: s,
            },
            _ => return None,
        }
    };
    let message_node = sig.message_param.and_then(|i| args.get(i).copied());
    let mut headers = HeaderEval {
        challenge: sig.challenge.clone().map(|lit| ChallengeHeader {
            value_range: 0..0,
            literal: lit,
            evidence: None,
            shared: false,
        }),
        opaque: false,
    };
    // Headers the caller passes in: `json(401, body, { 'WWW-Authenticate': … })`.
    if let Some(arg) = sig.headers_param.and_then(|i| args.get(i)) {
        headers.merge(cx.eval_headers(*arg, node, 0));
    }
    let mut site = build_site(
        cx,
        Framework::Helper,
        node,
        status,
        headers,
        None,
        message_node,
    );
    if sig.logs && site.logged.is_none() {
        site.logged = Some(sig.definition.clone());
    }
    site.via_helper = Some(Evidence {
        path: defined_in,
        range: sig.definition.clone(),
        note: format!("`{name}` builds the response here").into(),
    });
    site.status_from_helper = sig.fixed_status.is_some();
    Some(site)
}

// ----- module summaries ------------------------------------------------------

/// What a module exports, for importers: status constants, header objects,
/// header builders and response helpers.
pub fn summarize(path: &Path, src: &str, tree: &Tree, index: &ProjectIndex) -> ModuleSummary {
    let lang = Language::from_path(path).unwrap_or(Language::TypeScript);
    let settings = Settings::default();
    let mut cx = Cx::new(path, src, tree, &settings, index);
    let (raw, _) = candidates(&cx, lang);
    cx.helpers = collect_helpers(&cx, &raw);
    let mut summary = ModuleSummary::default();
    let root = tree.root_node();
    for stmt in named_children(root) {
        if stmt.kind_name() == "export_statement" {
            let is_default = text(stmt, src).trim_start().starts_with("export default");
            if let Some(decl) = stmt.field("declaration") {
                for (name, export) in declared_exports(&cx, decl) {
                    summary.exports.insert(name, export);
                }
            } else if let Some(value) = stmt.field("value").filter(|_| is_default) {
                if let Some(e) = value_export(&cx, value, None) {
                    summary.default_export = Some(e);
                }
            } else {
                // `export { a, b as c }`
                for clause in named_children(stmt).filter(|c| c.kind_name() == "export_clause") {
                    for spec in named_children(clause) {
                        let name = spec.field("name").map(|n| text(n, src).to_string());
                        let alias = spec.field("alias").map(|n| text(n, src).to_string());
                        if let Some(name) = name {
                            if let Some(e) = local_export(&cx, root, &name) {
                                summary.exports.insert(alias.unwrap_or(name), e);
                            }
                        }
                    }
                }
            }
        }
        // CommonJS: `module.exports = { a, b }`
        if stmt.kind_name() == "expression_statement" {
            if let Some(a) = stmt
                .named_child(0)
                .filter(|a| a.kind_name() == "assignment_expression")
            {
                let left = a.field("left").map(|l| text(l, src)).unwrap_or("");
                if left == "module.exports" {
                    if let Some(obj) = a.field("right").filter(|r| r.kind_name() == "object") {
                        for c in named_children(obj) {
                            let (name, local) = match c.kind_name() {
                                "shorthand_property_identifier" => {
                                    (text(c, src).to_string(), text(c, src).to_string())
                                }
                                "pair" => (
                                    c.field("key")
                                        .map(|k| text(k, src).to_string())
                                        .unwrap_or_default(),
                                    c.field("value")
                                        .map(|v| text(v, src).to_string())
                                        .unwrap_or_default(),
                                ),
                                _ => continue,
                            };
                            if let Some(e) = local_export(&cx, root, &local) {
                                summary.exports.insert(name, e);
                            }
                        }
                    }
                } else if let Some(name) = left
                    .strip_prefix("exports.")
                    .or_else(|| left.strip_prefix("module.exports."))
                {
                    if let Some(v) = a.field("right") {
                        if let Some(e) = value_export(&cx, v, Some(name)) {
                            summary.exports.insert(name.to_string(), e);
                        }
                    }
                }
            }
        }
    }
    summary
}

fn declared_exports(cx: &Cx, decl: Node) -> Vec<(String, Export)> {
    let mut out = Vec::new();
    match decl.kind_name() {
        "lexical_declaration" | "variable_declaration" => {
            for d in named_children(decl).filter(|d| d.kind_name() == "variable_declarator") {
                let Some(name) = d.field("name").map(|n| text(n, cx.src).to_string()) else {
                    continue;
                };
                if let Some(v) = d.field("value") {
                    if let Some(e) = value_export(cx, v, Some(&name)) {
                        out.push((name, e));
                    }
                }
            }
        }
        "function_declaration" => {
            if let Some(name) = function_name(cx, decl, cx.src) {
                if let Some(e) = function_export(cx, decl, &name) {
                    out.push((name, e));
                }
            }
        }
        _ => {}
    }
    out
}

fn local_export(cx: &Cx, root: Node, name: &str) -> Option<Export> {
    for stmt in named_children(root) {
        let decl = if stmt.kind_name() == "export_statement" {
            stmt.field("declaration")?
        } else {
            stmt
        };
        match decl.kind_name() {
            "lexical_declaration" | "variable_declaration" => {
                for d in named_children(decl).filter(|d| d.kind_name() == "variable_declarator") {
                    if d.field("name").map(|n| text(n, cx.src)) == Some(name) {
                        return d
                            .field("value")
                            .and_then(|v| value_export(cx, v, Some(name)));
                    }
                }
            }
            "function_declaration" if function_name(cx, decl, cx.src).as_deref() == Some(name) => {
                return function_export(cx, decl, name)
            }
            _ => {}
        }
    }
    None
}

fn value_export(cx: &Cx, v: Node, name: Option<&str>) -> Option<Export> {
    let v = unwrap_expr(v);
    match v.kind_name() {
        "number" => text(v, cx.src).parse::<u16>().ok().map(Export::Number),
        "string" | "template_string" => string_value(v, cx.src).map(Export::Str),
        "object" | "new_expression" => {
            let h = cx.eval_headers(v, v, 0);
            Some(Export::Headers {
                challenge: h.challenge.map(|c| c.literal),
                opaque: h.opaque,
            })
        }
        "arrow_function" | "function_expression" | "function" => {
            name.and_then(|n| function_export(cx, v, n))
        }
        _ => None,
    }
}

fn function_export(cx: &Cx, func: Node, name: &str) -> Option<Export> {
    if let Some(sig) = cx.helpers.get(name) {
        return Some(Export::Helper(sig.clone()));
    }
    let body = function_body(func)?;
    let ret = returned_expr(body)?;
    let ret = unwrap_expr(ret);
    if ret.kind_name() == "object"
        || (ret.kind_name() == "new_expression" && text(ret, cx.src).starts_with("new Headers"))
    {
        let h = cx.eval_headers(ret, ret, 0);
        return Some(Export::HeaderBuilder {
            challenge: h.challenge.map(|c| c.literal),
            opaque: h.opaque,
        });
    }
    None
}

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
