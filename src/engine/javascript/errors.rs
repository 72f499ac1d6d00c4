//! Thrown errors that become responses without a pack saying so: errors
//! carrying a status name or a `status`/`statusCode` (`new APIError('UNAUTHORIZED')`,
//! `new TRPCError({ code: 'FORBIDDEN' })`).

use super::logging::in_log_call;
use super::nodes::{args_of, enclosing_function, is_function, pair};
use super::site::Raw;
use super::status::known_indirect;
use super::Cx;
use crate::engine::eval::HeaderEval;
use crate::engine::model::*;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use tree_sitter::Node;

/// The status an error's constructor names: a first argument `'UNAUTHORIZED'`
/// or `'FORBIDDEN'` (any case), or an options object whose `code` is one.
/// Returns the code and the string that names it.
pub(super) fn status_name_arg<'t>(node: Node<'t>, src: &str) -> Option<(u16, Node<'t>)> {
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
        // An enum member named so: `new AppError(AppErrorCode.UNAUTHORIZED, …)`.
        "member_expression" => first.field("property").and_then(|p| match text(p, src) {
            "UNAUTHORIZED" => Some((401, first)),
            "FORBIDDEN" => Some((403, first)),
            _ => None,
        }),
        "object" => {
            let entry = |keys: &[&str]| {
                named_children(first)
                    .filter(|p| p.kind_name() == "pair")
                    .find(|p| p.field("key").is_some_and(|k| keys.contains(&text(k, src))))
                    .and_then(|p| p.field("value"))
            };
            // `{ code: 'UNAUTHORIZED' }`, or a status number:
            // `new RequestError({ code: 'auth.unauthorized', status: 401 })`.
            entry(&["code"]).and_then(|v| named(v, true)).or_else(|| {
                let v = entry(&["status", "statusCode", "httpStatus"])?;
                match text(v, src) {
                    "401" => Some((401, v)),
                    "403" => Some((403, v)),
                    _ => None,
                }
            })
        }
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
pub(super) fn status_error<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let mut p = cx.up(node)?;
    while matches!(
        p.kind_name(),
        "parenthesized_expression" | "await_expression" | "as_expression"
    ) {
        p = cx.up(p)?;
    }
    // `assertThat(cond, new RequestError({ status: 401 }))` throws it.
    let asserted = p.kind_name() == "arguments" && cx.asserted_condition(p, node).is_some();
    if !asserted && !matches!(p.kind_name(), "throw_statement" | "return_statement") {
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
pub(super) fn caught_in_function(cx: &Cx, throw_stmt: Node) -> bool {
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
