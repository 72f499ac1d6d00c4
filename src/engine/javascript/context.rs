//! Building [`Cx`], the per-file facts: the top-level statements and their
//! parents, each statement's [`StmtFacts`] (declared names, imports,
//! loggers), and the lookups over them (imports and `require`s, local
//! declarations, parameters, functions by name).

use super::nodes::{function_name, is_function};
use super::{incremental, Cx, NameSet, Recorder, StmtFacts, StmtScan, Tables};
use crate::engine::index::{Export, ProjectIndex};
use crate::engine::loggers;
use crate::engine::syntax::{self, named_children, string_value, text, NodeExt, Walk};
use crate::settings::Settings;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::Path;
use tree_sitter::{Node, Tree};

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
pub(super) fn binds(pattern: Node, name: &str, src: &str) -> bool {
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
pub(super) fn is_destructured(decl: Node) -> bool {
    decl.field("name")
        .is_some_and(|n| n.kind_name() != "identifier")
}

/// Imports, declared names and statement-end style in one top-level statement.
pub(super) fn stmt_facts(stmt: Node, src: &str) -> StmtFacts {
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

impl<'a> Cx<'a> {
    pub(super) fn new(
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
    pub(super) fn bare(
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
            requires_default: false,
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
    pub(super) fn after_imports(&mut self) {
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
        self.requires_default = super::packs::requires_default(self);
    }

    /// The parent of `n`: the named node whose named children hold `n`.
    pub(super) fn up(&self, n: Node<'a>) -> Option<Node<'a>> {
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
    pub(super) fn scan_stmt(
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
    pub(super) fn build_parents(&mut self, i: usize) {
        if !self.built[i] {
            let _ = self.scan_stmt(i, None, 0, usize::MAX);
        }
    }

    /// The top-level statement holding byte `at`, if any.
    pub(super) fn stmt_at(&self, at: usize) -> Option<usize> {
        let i = self.stmts.partition_point(|s| s.start_byte() <= at);
        (i > 0 && at <= self.stmts[i - 1].end_byte()).then(|| i - 1)
    }

    pub(super) fn read(&self, n: Node) {
        if self.rec.on {
            self.rec.reads.borrow_mut().push(n.start_byte());
        }
    }

    pub(super) fn read_everything(&self) {
        self.rec.global.set(true);
    }

    pub(super) fn is_declared(&self, name: &str) -> bool {
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
    pub(super) fn scan(&mut self) {
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
    pub(super) fn absorb<'f>(&mut self, facts: impl Iterator<Item = &'f StmtFacts>) {
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

    /// The export `name` of the module imported as `local` (relative, through
    /// an alias, or a workspace package), and the module that declares it.
    pub(super) fn imported(&self, local: &str) -> Option<(Export, std::path::PathBuf)> {
        let (spec, name) = self.imports.get(local)?;
        let target = self.index.resolve(self.path, spec)?;
        self.index.record_import(self.path, &target);
        let (export, declared_in) = self.index.export_of(&target, name)?;
        if declared_in != target {
            self.index.record_import(self.path, &declared_in);
        }
        Some((export, declared_in))
    }

    /// A `require('./x')` declarator: `const { corsHeaders } = require('../cors')`.
    pub(super) fn required(&self, decl: Node, name: &str) -> Option<Export> {
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

    /// The initializer of the variable `name` visible at `at`: declared in an
    /// enclosing block before `at`, or at the top level.
    pub(super) fn resolve_local(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        self.declarator_of(name, at)
            .filter(|d| !is_destructured(*d))
            .and_then(|d| d.field("value"))
    }

    pub(super) fn declarator_of(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
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
    pub(super) fn param_index(&self, func: Node, name: &str) -> Option<usize> {
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

    pub(in crate::engine) fn function_named(&self, name: &str) -> Option<Node<'a>> {
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
}
