//! A recognised response ([`Raw`]) becomes a [`ResponseSite`]: its message
//! strings, an echoed caught error, its guard, logging and the insertion
//! point of a fix's log line.

use super::nodes::{enclosing_function, except_alias, is_scope, is_statement};
use super::{Cx, MAX_PARENT_WALK};
use crate::engine::eval::{HeaderEval, StatusEval};
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, text, NodeExt};
use std::ops::Range;
use tree_sitter::Node;

/// A candidate site before it is turned into the model.
pub(super) struct Raw<'t> {
    pub(super) framework: Framework,
    /// The response expression (its range is the site's range).
    pub(super) node: Node<'t>,
    /// Where the response is produced (guards, logging, insertion): usually `node`,
    /// the `raise` statement for an exception raised through a variable.
    pub(super) anchor: Node<'t>,
    pub(super) status: StatusEval,
    pub(super) headers: HeaderEval,
    pub(super) insertion: Option<HeaderInsertion>,
    pub(super) message_node: Option<Node<'t>>,
    pub(super) message_text: Option<String>,
    /// The raised object is an exception (may be assigned and raised later).
    pub(super) exception: bool,
    pub(super) via: Option<Evidence>,
    /// The response is built by a helper that logs first (its definition).
    pub(super) logged_in: Option<Range<usize>>,
    /// The headers expression passed to the response, if any.
    pub(super) headers_node: Option<Node<'t>>,
    /// For an exception object raised through a variable: every `raise` of it.
    pub(super) raises: Vec<Node<'t>>,
    /// The pack row that recognised it.
    pub(super) pack: Option<PackSite>,
    /// A project exception class's lineage ([`super::ErrorClass::lineage`]).
    pub(super) lineage: Vec<String>,
}

impl<'t> Raw<'t> {
    pub(super) fn new(framework: Framework, node: Node<'t>, status: StatusEval) -> Self {
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
            lineage: Vec::new(),
        }
    }

    pub(super) fn into_site(self, cx: &Cx<'t>) -> Option<ResponseSite> {
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
        let logged = cx.logged_before(self.anchor).or(self.logged_in);
        let logged_elsewhere = match logged {
            None if self.exception => {
                central_log(cx, self.framework, self.node, &status, &self.lineage)
            }
            _ => None,
        };
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
            logged,
            logged_elsewhere,
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

/// A raised 401 the application's own error handler logs, in another
/// module ([`super::central`]).
fn central_log(
    cx: &Cx,
    framework: Framework,
    node: Node,
    status: &Status,
    lineage: &[String],
) -> Option<Evidence> {
    let flask = match framework {
        Framework::Flask => true,
        Framework::FastApi => false,
        _ => return None,
    };
    let code = match status {
        Status::Known(v) if v.iter().any(|v| v.code == 401) => 401,
        _ => return None,
    };
    let callee = node.field("function").map(|f| text(f, cx.src))?;
    let raised = callee.rsplit('.').next().unwrap_or(callee);
    let mut names = vec![raised];
    names.extend(lineage.iter().map(String::as_str));
    let found = super::central::handler_for(cx.index, cx.path, &names, code, flask)?;
    if let Some(p) = &found.path {
        // The language server re-lints this file when that one changes.
        cx.index.record_import(cx.path, p);
    }
    Some(found)
}

impl<'a> Cx<'a> {
    /// Where to insert a statement before the one containing `site`.
    pub(super) fn statement_insertion(&self, site: Node) -> Option<StatementInsertion> {
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
    /// A bare name (`detail=msg`) is read where it was last assigned a
    /// string in the same function (`msg = "User not found or password invalid"`).
    fn strings_in(&self, node: Node<'a>) -> Option<String> {
        let node = match node.kind_name() {
            "identifier" => self
                .resolve_local(text(node, self.src), node)
                .filter(|v| matches!(v.kind_name(), "string" | "concatenated_string"))
                .unwrap_or(node),
            _ => node,
        };
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
                // `ERROR_MESSAGES.ACCESS_PROHIBITED`: the constant's name says it.
                "attribute"
                    if !self
                        .up(n)
                        .is_some_and(|p| p.field("function").is_some_and(|f| f.id() == n.id())) =>
                {
                    match n
                        .field("attribute")
                        .and_then(|a| crate::engine::syntax::constant_words(text(a, self.src)))
                    {
                        Some(words) => parts.push(words),
                        None => stack.extend(named_children(n).rev()),
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
}
