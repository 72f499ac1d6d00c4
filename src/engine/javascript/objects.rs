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
use crate::engine::syntax::{text, NodeExt};
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
    })
}
