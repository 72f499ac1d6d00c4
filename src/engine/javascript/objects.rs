//! Statuses written as properties: assignments (`res.statusCode = 401`,
//! `ctx.status = 401`) and AWS Lambda result objects
//! (`return { statusCode: 401, headers }`).

use super::headers::normalize_receiver;
use super::nodes::{enclosing_function, function_body, pair, shorthand};
use super::site::Raw;
use super::web::headers_in_init;
use super::Cx;
use crate::engine::eval::HeaderEval;
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use tree_sitter::Node;

/// `res.statusCode = 401`, `ctx.status = 401`.
pub(super) fn status_assignment<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
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
        wraps: None,
    })
}

/// `return { statusCode: 401, headers, body }`.
pub(super) fn lambda_object<'t>(cx: &Cx<'t>, obj: Node<'t>) -> Option<Raw<'t>> {
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
        wraps: None,
    })
}

/// The keys of a result object that carry its message, first found first.
const RESULT_MESSAGE_KEYS: &[&str] = &[
    "response", "message", "error", "msg", "detail", "reason", "body",
];

/// `return { ok: false, status: 401, error: 'Invalid API key' }`: a result
/// that a caller turns into the response (`res.status(result.status)`),
/// often in another file. Only a literal 401 or 403, in an object a
/// function returns as it is; not a `Response`-like value (a fetch stub has
/// `json` or `statusText`), and not one returned because an upstream answer
/// had that status (the condition above it reads a `status` or `ok`).
pub(super) fn result_object<'t>(cx: &Cx<'t>, obj: Node<'t>) -> Option<Raw<'t>> {
    let p = super::site::holder(cx, obj)?;
    // Returned as it is (an arrow's body is what it returns).
    if !matches!(p.kind_name(), "return_statement" | "arrow_function") {
        return None;
    }
    let response_like = ["json", "text", "statusText", "statusCode"]
        .iter()
        .any(|k| pair(cx, obj, k).is_some() || shorthand(cx, obj, k).is_some());
    if response_like {
        return None;
    }
    let status_node = pair(cx, obj, "status")?.field("value")?;
    let literal = super::nodes::unwrap_expr(status_node);
    if literal.kind_name() != "number" || !matches!(text(literal, cx.src), "401" | "403") {
        return None;
    }
    if relays_upstream(cx, obj) {
        return None;
    }
    let status = cx.eval_status(status_node, 0);
    let (mut headers, _) = headers_in_init(cx, obj, obj);
    // `{ status: 401, wwwAuthenticate: 'Basic realm="api"' }`: the caller sets it.
    let challenge_key = named_children(obj).any(|c| {
        let key = match c.kind_name() {
            "pair" => c.field("key").and_then(|k| cx.key_name(k)),
            "shorthand_property_identifier" => Some(text(c, cx.src).to_string()),
            _ => None,
        };
        key.is_some_and(|k| {
            let k = k.to_ascii_lowercase().replace(['_', '-'], "");
            k.contains("wwwauthenticate") || k == "challenge"
        })
    });
    if challenge_key {
        headers = HeaderEval::opaque();
    }
    let message_node = RESULT_MESSAGE_KEYS
        .iter()
        .find_map(|k| pair(cx, obj, k))
        .and_then(|p| p.field("value"));
    Some(Raw {
        framework: Framework::Result,
        node: obj,
        status,
        headers,
        insertion: None,
        message_node,
        function: enclosing_function(cx, obj),
        pack: None,
        wraps: None,
    })
}

/// The condition right above `node` reads a status or an `ok` flag
/// (`if (res.status === 401) return { status: 401 }`): the result passes
/// on what another answer said.
fn relays_upstream(cx: &Cx, node: Node) -> bool {
    let mut n = node;
    while let Some(p) = cx.up(n) {
        if super::nodes::is_function(p) {
            return false;
        }
        if p.kind_name() == "if_statement" {
            if let Some(cond) = p.field("condition") {
                if !cond.byte_range().contains(&node.start_byte()) {
                    let c = text(cond, cx.src);
                    return c.contains("status") || c.contains(".ok");
                }
            }
        }
        n = p;
    }
    false
}
