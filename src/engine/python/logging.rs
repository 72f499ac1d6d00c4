//! Logging: which calls log, which functions log, whether a site is logged
//! before it responds, and which logger a fix's log line should call.

use super::guards::conditions_before;
use super::nodes::{block_raises, is_scope, leftmost};
use super::{Cx, MAX_PARENT_WALK};
use crate::engine::index::{Export, HelperSig};
use crate::engine::syntax::{named_children, text, NodeExt};
use std::ops::Range;
use tree_sitter::Node;

/// `logger`, `log`, `LOGGER`, `_logger`, `audit_log`, `logging`, `structlog`.
pub(super) fn loggerish(name: &str) -> bool {
    let l = name.trim_start_matches('_').to_ascii_lowercase();
    l == "log"
        || l == "logging"
        || l == "structlog"
        || l == "loguru"
        || l.ends_with("logger")
        || l.ends_with("_log")
        || (l.ends_with("log") && l.len() <= 8 && l != "catalog" && l != "blog" && l != "dialog")
}

impl<'a> Cx<'a> {
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
            // `capture_exception(e)` imported from `sentry_sdk`.
            "identifier" => {
                (ftext == "print" && self.settings.print_is_logging)
                    || (matches!(
                        ftext,
                        "capture_exception" | "capture_message" | "capture_event"
                    ) && self.declared.contains(ftext))
            }
            "attribute" => {
                let (Some(obj), Some(method)) = (f.field("object"), f.field("attribute")) else {
                    return false;
                };
                let method = text(method, self.src);
                let obj_text = text(obj, self.src);
                let last = obj_text.rsplit('.').next().unwrap_or(obj_text);
                if crate::engine::loggers::is_audit_log(last, method) {
                    return true;
                }
                if obj_text == "sentry_sdk" {
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
    pub(super) fn first_log_in(&self, node: Node, before: usize) -> Option<Range<usize>> {
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
    pub(super) fn logs_then_returns(&self, body: Node) -> bool {
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
    pub(super) fn logged_before(&self, site: Node) -> Option<Range<usize>> {
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
    pub(super) fn find_logger(&self) -> Option<String> {
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
}
