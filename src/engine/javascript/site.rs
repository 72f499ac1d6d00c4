//! A recognised response ([`Raw`]) becomes a [`ResponseSite`]: its message
//! strings, an echoed caught error, its guard, logging and the insertion
//! point of a fix's log line.

use super::nodes::{enclosing_function, is_function, is_statement};
use super::Cx;
use crate::engine::eval::{HeaderEval, StatusEval};
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, string_value, text, NodeExt, Walk};
use std::ops::Range;
use tree_sitter::Node;

/// A candidate site before it is turned into the model.
pub(super) struct Raw<'t> {
    pub(super) framework: Framework,
    pub(super) node: Node<'t>,
    pub(super) status: StatusEval,
    /// The status argument or property value node (for ranges).
    pub(super) headers: HeaderEval,
    pub(super) insertion: Option<HeaderInsertion>,
    pub(super) message_node: Option<Node<'t>>,
    pub(super) function: Option<Node<'t>>,
    /// The pack row that recognised it.
    pub(super) pack: Option<PackSite>,
    /// The whole response passed to an error (Hono's `res`, inline or a
    /// local's value): what the client gets, so the message states the
    /// reason but is not sent, and that response is no site of its own.
    pub(super) wraps: Option<Range<usize>>,
}

impl<'t> Raw<'t> {
    pub(super) fn into_site(self, cx: &Cx<'t>) -> Option<ResponseSite> {
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
        if self.wraps.is_some() {
            site.echoes_error = None;
        }
        if thrown(cx, self.node) {
            site.logged_elsewhere = logged_by_error_handler(cx, &site);
        }
        Some(site)
    }
}

/// What holds an expression once parentheses, `await` and `as` are
/// looked through: the `throw`, `return` or arguments it stands in.
pub(super) fn holder<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Node<'t>> {
    let mut p = cx.up(node)?;
    while matches!(
        p.kind_name(),
        "parenthesized_expression" | "await_expression" | "as_expression" | "satisfies_expression"
    ) {
        p = cx.up(p)?;
    }
    Some(p)
}

/// `throw <site>` (through parentheses and `await`).
pub(super) fn thrown(cx: &Cx, node: Node) -> bool {
    holder(cx, node).is_some_and(|p| p.kind_name() == "throw_statement")
}

/// `throw new Response(body, { status })` inside a `try` whose `catch`
/// keeps it (only logs): the response never leaves the function.
pub(super) fn thrown_and_caught(cx: &Cx, node: Node) -> bool {
    holder(cx, node).is_some_and(|p| {
        p.kind_name() == "throw_statement" && super::errors::caught_in_function(cx, p)
    })
}

/// A 401 the application's `onError` handler logs, in any module
/// ([`super::central`]): only asked when nothing on the path logs.
pub(super) fn logged_by_error_handler(cx: &Cx, site: &ResponseSite) -> Option<Evidence> {
    if site.logged.is_some() || !site.has_code(401) {
        return None;
    }
    let found = super::central::on_error_log(cx.index, cx.path)?;
    if let Some(p) = &found.path {
        // The language server re-lints this file when that one changes.
        cx.index.record_import(cx.path, p);
    }
    Some(found)
}

pub(super) fn build_site<'t>(
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
        logged_elsewhere: None,
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

impl<'a> Cx<'a> {
    /// Where to insert a statement before the one containing `site`.
    pub(super) fn statement_insertion(&self, site: Node) -> Option<StatementInsertion> {
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
                // `ERROR_CODES.USER_IS_NOT_A_MEMBER`: the constant's name says it.
                "member_expression"
                    if !self
                        .up(n)
                        .is_some_and(|p| p.field("function").is_some_and(|f| f.id() == n.id())) =>
                {
                    match n
                        .field("property")
                        .and_then(|p| syntax::constant_words(text(p, self.src)))
                    {
                        Some(words) => parts.push(words),
                        None => return Walk::Descend,
                    }
                }
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
