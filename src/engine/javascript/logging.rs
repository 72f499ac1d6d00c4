//! Logging: which calls log, which functions log, whether a site is logged
//! before it responds, and which logger a fix's log line should call.

use super::nodes::{function_body, function_name, is_function};
use super::Cx;
use crate::engine::index::{Export, HelperSig};
use crate::engine::loggers;
use crate::engine::syntax::{self, named_children, text, NodeExt, Walk};
use std::ops::Range;
use tree_sitter::Node;

/// Whether `n` is an argument of a logging call (`console.error(e)`,
/// `logger.warn(…)`) below `within`.
pub(super) fn in_log_call(cx: &Cx, n: Node, within: Node) -> bool {
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

impl<'a> Cx<'a> {
    /// Adds the functions in `stmt` whose body logs to `logging_fns` (in
    /// walk order: a call to a function found earlier counts) and returns them.
    pub(super) fn logging_in(&mut self, stmt: Node<'a>) -> Vec<String> {
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
                if crate::engine::loggers::is_audit_log(last, method) {
                    return true;
                }
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
                    // `logger.error` with no `logger` in the file is not
                    // logging; a `logger` parameter is the caller's logger.
                    return root == "this"
                        || obj_text.contains('.')
                        || self.declared_or_global(root)
                        || self.enclosing_params(call).contains(&root);
                }
                false
            }
            // A logging function of the project's own: `log({ level, … })`,
            // `logWarning(…)`, imported or defined in the file.
            // `captureException(err)` imported from Sentry (or a project
            // wrapper of it): the event reaches the error tracker.
            "identifier" => {
                (loggerish_function(ftext) || is_error_report(ftext)) && self.is_declared(ftext)
            }
            _ => false,
        }
    }

    fn declared_or_global(&self, name: &str) -> bool {
        name == "console" || name == "this" || self.is_declared(name)
    }

    /// The first log call in `node` (not inside nested functions) that starts before `before`.
    /// Calls to same-file functions that log count too.
    pub(super) fn first_log_in(&self, node: Node, before: usize) -> Option<Range<usize>> {
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

    /// Whether the function body `body` logs and then rejects: a log call
    /// followed in its block by `return false` (`null`, `undefined`, a bare
    /// `return`) or a `throw` (`logger.error('Invalid API key'); return
    /// false`). A log in a `catch`, or one followed by anything else, says
    /// why something unexpected failed, not why a caller was refused.
    pub(super) fn logs_then_rejects(&self, body: Node) -> bool {
        let mut found = false;
        syntax::walk_named(body, |n| {
            if found || (n.id() != body.id() && is_function(n)) || n.kind_name() == "catch_clause" {
                return Walk::Skip;
            }
            if n.kind_name() == "expression_statement"
                && n.named_child(0)
                    .is_some_and(|c| c.kind_name() == "call_expression" && self.is_log_call(c))
            {
                let mut next = n.next_named_sibling();
                while let Some(s) = next.filter(|s| s.kind_name() == "comment") {
                    next = s.next_named_sibling();
                }
                found = next.is_some_and(|s| match s.kind_name() {
                    "throw_statement" => true,
                    "return_statement" => s.named_child(0).map_or(true, |v| {
                        matches!(text(v, self.src), "false" | "null" | "undefined")
                    }),
                    _ => false,
                });
                return Walk::Skip;
            }
            Walk::Descend
        });
        found
    }

    /// Whether `call` logs: a log call, or a call to a function that logs
    /// (in this file or an imported helper).
    fn logs_here(&self, call: Node) -> bool {
        self.is_log_call(call) || self.calls_logging_fn(call)
    }

    /// A log call on the path before `site`: in earlier sibling statements of
    /// every enclosing block up to the function, and in enclosing conditions.
    pub(super) fn logged_before(&self, site: Node) -> Option<Range<usize>> {
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
                            Some((
                                Export::Helper(HelperSig { logs: true, .. }) | Export::Logs,
                                _
                            ))
                        ))
            })
            .unwrap_or(false)
    }

    fn is_immediate_callback_logging(&self, _n: Node) -> bool {
        false
    }

    // ----- value resolution ---------------------------------------------

    /// The logger a fix's log line uses at `node`: one called near it in
    /// its top-level statement (the last before it, else the first after),
    /// else one the file calls through a top-level name, else a `logger` or
    /// `log` in scope.
    pub(super) fn logger_in_scope(&self, node: Node) -> Option<String> {
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
}

/// An error tracker's reporting function called by its own name
/// (Sentry's `captureException`, `captureMessage`, `captureEvent`).
pub(super) fn is_error_report(name: &str) -> bool {
    matches!(name, "captureException" | "captureMessage" | "captureEvent")
}

/// A function named for logging: `log`, `logger`, `logWarning`, `auditLog`,
/// `cloudlog`, `cloudlogErr`, `log_error`; not `catalog`, `getLogs`, `login`.
pub(super) fn loggerish_function(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    for (i, c) in name.char_indices() {
        if c == '_' || c == '$' {
            words.push(String::new());
        } else if c.is_ascii_uppercase() && i > 0 {
            words.push(c.to_ascii_lowercase().to_string());
        } else {
            match words.last_mut() {
                Some(w) => w.push(c.to_ascii_lowercase()),
                None => words.push(c.to_ascii_lowercase().to_string()),
            }
        }
    }
    words.retain(|w| !w.is_empty());
    const NOT_LOGS: &[&str] = &[
        "catalog",
        "blog",
        "dialog",
        "backlog",
        "changelog",
        "prolog",
        "analog",
    ];
    const READS: &[&str] = &[
        "get", "fetch", "read", "list", "clear", "delete", "parse", "format", "show", "open",
    ];
    if words.first().is_some_and(|w| READS.contains(&w.as_str())) {
        return false;
    }
    words.iter().enumerate().any(|(i, w)| {
        matches!(w.as_str(), "log" | "logger" | "logging")
            || (i == 0 && w.ends_with("log") && !NOT_LOGS.contains(&w.as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::loggerish_function as l;

    #[test]
    fn functions_named_for_logging() {
        for n in [
            "log",
            "logger",
            "logWarning",
            "auditLog",
            "cloudlog",
            "cloudlogErr",
            "log_error",
            "writeLog",
        ] {
            assert!(l(n), "{n}");
        }
        for n in [
            "catalog",
            "getLogs",
            "login",
            "dialogOpen",
            "blogPost",
            "logout",
            "clearLog",
        ] {
            assert!(!l(n), "{n}");
        }
    }
}
