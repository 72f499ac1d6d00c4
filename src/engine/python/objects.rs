//! Statuses written as values: Flask's `return body, 401` tuples,
//! assignments (`response.status_code = 401`), and AWS Lambda result dicts
//! (`{"statusCode": 401, "headers": …}`).

use super::candidates::callee_name;
use super::constructors::assigned_name;
use super::headers::{entry_insertion, headers_value_insertion};
use super::nodes::{enclosing_function, find_node, params, unwrap_expr};
use super::site::Raw;
use super::{Cx, Origin};
use crate::engine::eval::StatusEval;
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use tree_sitter::Node;

/// `return body, 401` / `return body, 401, headers` / `return (body, 401)` (Flask).
pub(super) fn flask_tuple<'t>(cx: &Cx<'t>, tuple: Node<'t>) -> Option<Raw<'t>> {
    let elems: Vec<Node> = named_children(tuple)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    if !(2..=3).contains(&elems.len()) {
        return None;
    }
    let body = elems[0];
    if matches!(
        unwrap_expr(body).kind_name(),
        "integer" | "float" | "true" | "false" | "none"
    ) {
        return None;
    }
    let status_node = elems[1];
    if !matches!(
        unwrap_expr(status_node).kind_name(),
        "integer" | "identifier" | "attribute" | "conditional_expression" | "call"
    ) {
        return None;
    }
    let status = cx.eval_status(status_node, 0);
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    let mut raw = Raw::new(Framework::Flask, tuple, status);
    raw.message_node = Some(body);
    match elems.get(2) {
        Some(h) => {
            let eval = cx.eval_headers(*h, tuple, 0);
            raw.insertion = headers_value_insertion(cx, *h, &eval);
            raw.headers.merge(eval);
            raw.headers_node = Some(*h);
        }
        None => {
            raw.insertion = Some(HeaderInsertion {
                at: status_node.end_byte(),
                replace_len: 0,
                template: ", {$NAME: $VALUE}".into(),
                how: "add a headers element to the returned tuple",
            });
        }
    }
    // A response object returned in the tuple may carry the header already.
    let b = unwrap_expr(body);
    if b.kind_name() == "identifier" && raw.headers.challenge.is_none() {
        let scope = enclosing_function(cx, tuple).unwrap_or(cx.root);
        if let Some(ch) = cx.header_set_on(scope, text(b, cx.src), true, Some(tuple.start_byte())) {
            raw.headers.challenge = Some(ch);
        }
    }
    Some(raw)
}

/// `response.status_code = 401` on a framework response object.
pub(super) fn status_assignment<'t>(cx: &Cx<'t>, assign: Node<'t>) -> Option<Raw<'t>> {
    let left = assign.field("left")?;
    let recv = left.field("object")?;
    if recv.kind_name() != "identifier" {
        return None;
    }
    let name = text(recv, cx.src);
    let func = enclosing_function(cx, assign);
    // The receiver must be a response this code builds or was handed.
    let mut framework = cx.framework_hint.unwrap_or(Framework::FastApi);
    let ok = if let Some(v) = cx.resolve_local(name, assign).map(unwrap_expr) {
        v.kind_name() == "call"
            && callee_name(v, cx.src).is_some_and(|(n, f)| {
                let known = matches!(
                    n,
                    "Response"
                        | "JSONResponse"
                        | "PlainTextResponse"
                        | "HTMLResponse"
                        | "HttpResponse"
                        | "JsonResponse"
                        | "make_response"
                        | "jsonify"
                        | "render_template"
                );
                known && !matches!(cx.origin(f), Origin::Foreign | Origin::Project)
            })
    } else if let Some(def) = func {
        params(def, cx.src).iter().any(|p| p.name == name) && {
            // FastAPI's injected `response: Response`
            let annotated = def
                .field("parameters")
                .map(|ps| {
                    named_children(ps).any(|p| {
                        text(p, cx.src).starts_with(name)
                            && p.field("type")
                                .is_some_and(|t| text(t, cx.src).ends_with("Response"))
                    })
                })
                .unwrap_or(false);
            if annotated {
                framework = Framework::FastApi;
            }
            annotated || matches!(name, "response" | "resp")
        }
    } else {
        false
    };
    if !ok {
        return None;
    }
    let status = cx.eval_status(assign.field("right")?, 0);
    let mut raw = Raw::new(framework, assign, status);
    let scope = func.unwrap_or(cx.root);
    raw.headers.challenge = cx.header_set_on(scope, name, true, None);
    if let Some(ins) = cx.statement_insertion(assign).filter(|i| i.wrap.is_none()) {
        let target = if framework == Framework::Django {
            format!("{name}[$NAME]")
        } else {
            format!("{name}.headers[$NAME]")
        };
        raw.insertion = Some(HeaderInsertion {
            at: ins.line_start,
            replace_len: 0,
            template: format!("{}{target} = $VALUE{}", ins.indent, ins.newline).into(),
            how: "set the header on the response first",
        });
    }
    Some(raw)
}

/// `return {"statusCode": 401, "headers": {...}, "body": ...}` (AWS Lambda).
pub(super) fn lambda_dict<'t>(cx: &Cx<'t>, dict: Node<'t>) -> Option<Raw<'t>> {
    // Only dicts that are returned (directly or through a variable).
    let mut p = cx.up(dict);
    let mut returned = false;
    while let Some(x) = p {
        match x.kind_name() {
            "parenthesized_expression" => {}
            "return_statement" => {
                returned = true;
                break;
            }
            "assignment" => {
                if let Some(var) = assigned_name(cx, dict, cx.src) {
                    let scope = enclosing_function(cx, x).unwrap_or(cx.root);
                    returned = find_node(scope, |n| {
                        n.kind_name() == "return_statement"
                            && n.named_child(0).is_some_and(|v| {
                                v.kind_name() == "identifier" && text(v, cx.src) == var
                            })
                    })
                    .is_some();
                }
                break;
            }
            _ => break,
        }
        p = cx.up(x);
    }
    if !returned {
        return None;
    }
    let pair = |key: &str| {
        named_children(dict).find(|c| {
            c.kind_name() == "pair"
                && c.field("key").and_then(|k| cx.key_name(k)).as_deref() == Some(key)
        })
    };
    let status_node = pair("statusCode")?.field("value")?;
    let status = cx.eval_status(status_node, 0);
    let mut raw = Raw::new(Framework::Lambda, dict, status);
    raw.message_node = pair("body").and_then(|p| p.field("value"));
    let q = cx.quote;
    match pair("headers").and_then(|p| p.field("value")) {
        Some(h) => {
            let eval = cx.eval_headers(h, dict, 0);
            raw.insertion = headers_value_insertion(cx, h, &eval);
            raw.headers.merge(eval);
            raw.headers_node = Some(h);
        }
        None => {
            if named_children(dict).any(|c| c.kind_name() == "dictionary_splat") {
                raw.headers.opaque = true;
            } else {
                raw.insertion = entry_insertion(
                    cx,
                    dict,
                    &format!("{q}headers{q}: {{$NAME: $VALUE}}"),
                    "add `headers` with `WWW-Authenticate`",
                );
            }
        }
    }
    if raw.headers.challenge.is_none() {
        if let Some(mv) = pair("multiValueHeaders").and_then(|p| p.field("value")) {
            let mv = cx.eval_headers(mv, dict, 0);
            raw.headers.challenge = mv.challenge;
            raw.headers.opaque |= mv.opaque;
        }
    }
    Some(raw)
}
