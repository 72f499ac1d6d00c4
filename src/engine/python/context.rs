//! Building [`Cx`], the per-file facts, from the statements' shares
//! ([`facts`](super::facts)), and the lookups over them: imports and the
//! modules they resolve to, where a called name comes from ([`Origin`]),
//! and a local name's assignment.

use super::nodes::{assignment_in, is_scope, leftmost};
use super::{facts, Cx, Earlier, Origin, MAX_PARENT_WALK};
use crate::engine::index::{Export, ProjectIndex};
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, text, NodeExt};
use crate::settings::Settings;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};
use tree_sitter::{Node, Tree};

/// The framework a module belongs to, from its import path.
pub(super) fn module_framework(module: &str) -> Option<Framework> {
    match module.split('.').next().unwrap_or("") {
        "fastapi" | "starlette" => Some(Framework::FastApi),
        "flask" | "werkzeug" | "quart" => Some(Framework::Flask),
        "django" | "rest_framework" | "ninja" => Some(Framework::Django),
        _ => None,
    }
}

impl<'a> Cx<'a> {
    pub(super) fn new(
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
    pub(super) fn new_with(
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
    pub(super) fn up<'n>(&self, n: Node<'n>) -> Option<Node<'n>>
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
    /// its ancestors, up to [`crate::engine::index::MAX_PACKAGE_DEPTH`] levels up).
    pub(super) fn module_export(&self, module: &str, name: &str) -> Option<(Export, PathBuf)> {
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
    pub(super) fn imported(&self, local: &str) -> Option<(Export, PathBuf)> {
        let (module, name) = self.imports.get(local)?;
        if &**name == "*" {
            return None;
        }
        self.module_export(module, name)
    }

    /// [`Cx::imported`], and else the name followed through the modules
    /// that pass it on (`from core.base import AppError` where
    /// `core/base/__init__.py` star-imports the module declaring it): for
    /// error classes, which packages gather in their `__init__.py`.
    pub(super) fn imported_through_reexports(&self, local: &str) -> Option<(Export, PathBuf)> {
        if let Some(found) = self.imported(local) {
            return Some(found);
        }
        let (module, name) = self.imports.get(local)?;
        if &**name == "*" || module.is_empty() || module_framework(module).is_some() {
            return None;
        }
        let target = self.index.resolve_python_anywhere(self.path, module)?;
        let (export, declared_in) = self.index.export_of(&target, name)?;
        self.index.record_import(self.path, &target);
        self.index.record_import(self.path, &declared_in);
        Some((export, declared_in))
    }

    /// `mod.NAME` where `mod` was imported as a relative module (`from . import constants`).
    pub(super) fn imported_member(&self, obj: &str, member: &str) -> Option<(Export, PathBuf)> {
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
    pub(super) fn origin(&self, f: Node) -> Origin {
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

    /// The value last assigned to `name` before `at` in an enclosing block,
    /// else at module level.
    pub(super) fn resolve_local(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
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
}
