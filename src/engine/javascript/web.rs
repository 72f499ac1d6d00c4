//! Web-standard responses: `new Response(…)`, `Response.json(…)`,
//! `NextResponse.json(…)`, and the headers in their init object (literal,
//! spread, `new Headers(…)`, a variable bound earlier).

use super::context::is_destructured;
use super::nodes::{
    args_of, enclosing_function, function_body, pair, returned_expr, shorthand, unwrap_expr,
};
use super::site::Raw;
use super::Cx;
use crate::engine::eval::{HeaderEval, StatusEval};
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, text, NodeExt};
use tree_sitter::Node;

/// `return fetch(…)` or `return res` (`res` from `await fetch(…)`) in a
/// request handler: the upstream's whole answer, its status included.
pub(super) fn relay<'t>(cx: &Cx<'t>, ret: Node<'t>) -> Option<Raw<'t>> {
    let func = enclosing_function(cx, ret)?;
    if !is_request_handler(cx, func) {
        return None;
    }
    let arg = unwrap_expr(ret.named_child(0)?);
    let source = match arg.kind_name() {
        "identifier" => text(arg, cx.src).to_string(),
        _ => "fetch(…)".to_string(),
    };
    Some(Raw {
        framework: Framework::WebResponse,
        node: ret,
        status: StatusEval::Forwarded(arg.byte_range(), source),
        headers: HeaderEval::opaque(),
        insertion: None,
        message_node: None,
        function: Some(func),
        pack: None,
        wraps: None,
    })
}

/// A function that answers requests: passed to `serve(…)` (`Deno.serve`,
/// `Bun.serve`'s `fetch`), named as an HTTP method (`export async function
/// GET`) or `fetch`, or taking the request first (`req`, `request`, Hono's
/// `c`, Koa's `ctx`, h3's `event`).
fn is_request_handler(cx: &Cx, func: Node) -> bool {
    if ["req", "request", "c", "ctx", "event"]
        .iter()
        .any(|n| cx.param_index(func, n) == Some(0))
    {
        return true;
    }
    let name = func.field("name").map(|n| text(n, cx.src)).unwrap_or("");
    if matches!(name, "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "fetch") {
        return true;
    }
    // `Deno.serve(async (r) => …)`
    cx.up(func)
        .filter(|a| a.kind_name() == "arguments")
        .and_then(|a| cx.up(a))
        .and_then(|call| call.field("function"))
        .is_some_and(|f| text(f, cx.src).ends_with("serve"))
}

/// `new Response(body, { status, headers })`, `Response.json(body, init)`.
pub(super) fn web_response<'t>(cx: &Cx<'t>, node: Node<'t>, is_json: bool) -> Option<Raw<'t>> {
    if super::site::thrown_and_caught(cx, node) {
        return None;
    }
    let ctor_text = text(node, cx.src);
    let framework = if ctor_text.contains("NextResponse") {
        Framework::Next
    } else {
        Framework::WebResponse
    };
    let args = args_of(node);
    let body = args.first().copied();
    let init = args.get(1).copied().map(unwrap_expr)?;
    let init_obj = match init.kind_name() {
        "object" => init,
        "identifier" => {
            // `new Response(upstream.body, upstream)`: the whole upstream response, status included.
            if cx.looks_upstream(init) {
                let status =
                    StatusEval::Forwarded(init.byte_range(), text(init, cx.src).to_string());
                return Some(Raw {
                    framework,
                    node,
                    status,
                    headers: HeaderEval::opaque(),
                    insertion: None,
                    message_node: body,
                    function: enclosing_function(cx, node),
                    pack: None,
                    wraps: None,
                });
            }
            cx.resolve_local(text(init, cx.src), init)
                .map(unwrap_expr)
                .filter(|v| v.kind_name() == "object")?
        }
        _ => return None,
    };
    let status_node = pair(cx, init_obj, "status")
        .and_then(|p| p.field("value"))
        .or_else(|| shorthand(cx, init_obj, "status"))?;
    let status = cx.eval_status(status_node, 0);
    let (mut headers, insertion) = headers_in_init(cx, init_obj, node);
    let _ = is_json;
    // `const res = NextResponse.json(…); res.headers.set('WWW-Authenticate', …); return res`
    if headers.challenge.is_none() {
        if let Some(name) = bound_name(cx, node) {
            let scope = enclosing_function(cx, node).unwrap_or(cx.root);
            headers.challenge = cx.header_set_on(scope, &name, node.start_byte(), true);
        }
    }
    Some(Raw {
        framework,
        node,
        status,
        headers,
        insertion,
        message_node: body,
        function: enclosing_function(cx, node),
        pack: None,
        wraps: None,
    })
}

/// The variable a response expression is assigned to: `const res = new Response(…)`.
fn bound_name(cx: &Cx, node: Node) -> Option<String> {
    let mut n = node;
    while let Some(p) = cx.up(n) {
        match p.kind_name() {
            "parenthesized_expression"
            | "await_expression"
            | "as_expression"
            | "satisfies_expression" => n = p,
            "variable_declarator" => {
                return p
                    .field("name")
                    .filter(|x| x.kind_name() == "identifier")
                    .map(|x| text(x, cx.src).to_string())
            }
            "assignment_expression" => {
                return p
                    .field("left")
                    .filter(|x| x.kind_name() == "identifier")
                    .map(|x| text(x, cx.src).to_string())
            }
            _ => return None,
        }
    }
    None
}

/// What a headers expression holds, so a fix can extend it without losing
/// entries: a plain object is spread (`{ ...h, … }`), a `Headers` instance
/// is copied (`new Headers([...h, […]])`), anything else gets no fix.
fn extend_headers(cx: &Cx, v: Node) -> Option<String> {
    let name = text(v, cx.src);
    let holds = match v.kind_name() {
        "identifier" | "shorthand_property_identifier" => match cx
            .declarator_of(name, v)
            .filter(|d| !is_destructured(*d))
            .and_then(|d| d.field("value"))
            .map(unwrap_expr)
        {
            Some(init) if init.kind_name() == "object" => "object",
            Some(init)
                if init.kind_name() == "new_expression"
                    && init
                        .field("constructor")
                        .is_some_and(|c| text(c, cx.src) == "Headers") =>
            {
                "headers"
            }
            Some(_) => return None,
            // Imported shared headers (`corsHeaders`) are object literals in practice.
            None if cx.imports.contains_key(name) => "object",
            None => return None,
        },
        "call_expression" => {
            let f = v.field("function").map(|f| text(f, cx.src)).unwrap_or("");
            let body = cx.function_named(f).and_then(function_body)?;
            if returned_expr(body).map(unwrap_expr)?.kind_name() != "object" {
                return None;
            }
            "object"
        }
        _ => return None,
    };
    Some(match holds {
        "object" => format!("{{ ...{name}, $NAME: $VALUE }}"),
        _ => format!("new Headers([...{name}, [$NAME, $VALUE]])"),
    })
}

/// Reads `headers` from an init/result object and says how to add one.
pub(super) fn headers_in_init<'t>(
    cx: &Cx<'t>,
    obj: Node<'t>,
    site: Node<'t>,
) -> (HeaderEval, Option<HeaderInsertion>) {
    if let Some(p) = pair(cx, obj, "headers") {
        let Some(v) = p.field("value") else {
            return (HeaderEval::opaque(), None);
        };
        let h = cx.eval_headers(v, site, 0);
        let v_inner = unwrap_expr(v);
        let ins = match v_inner.kind_name() {
            "object" => {
                object_insertion(cx, v_inner, "add a `WWW-Authenticate` entry to `headers`")
            }
            "new_expression" => args_of(v_inner)
                .first()
                .filter(|a| a.kind_name() == "object")
                .and_then(|o| {
                    object_insertion(
                        cx,
                        *o,
                        "add a `WWW-Authenticate` entry to `new Headers({…})`",
                    )
                }),
            "identifier" | "member_expression" | "call_expression" => extend_headers(cx, v_inner)
                .map(|template| HeaderInsertion {
                    at: v.start_byte(),
                    replace_len: v.end_byte() - v.start_byte(),
                    template: template.into(),
                    how: "extend the headers with `WWW-Authenticate`",
                }),
            _ => None,
        };
        return (h, ins);
    }
    if let Some(s) = shorthand(cx, obj, "headers") {
        let h = cx.eval_headers(s, site, 0);
        let ins = extend_headers(cx, s).map(|value| HeaderInsertion {
            at: s.start_byte(),
            replace_len: s.end_byte() - s.start_byte(),
            template: format!("headers: {value}").into(),
            how: "extend the headers with `WWW-Authenticate`",
        });
        return (h, ins);
    }
    if named_children(obj).any(|c| c.kind_name() == "spread_element") {
        return (HeaderEval::opaque(), None);
    }
    (
        HeaderEval::default(),
        property_insertion(
            cx,
            obj,
            "headers: { $NAME: $VALUE }",
            "add `headers` with `WWW-Authenticate`",
        ),
    )
}

/// How to add `$NAME: $VALUE` to an object literal, in its layout.
pub(super) fn object_insertion(cx: &Cx, obj: Node, how: &'static str) -> Option<HeaderInsertion> {
    property_insertion(cx, obj, "$NAME: $VALUE", how)
}

/// How to add the property `prop` (a template) to an object literal.
pub(super) fn property_insertion(
    cx: &Cx,
    obj: Node,
    prop: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let entries: Vec<Node> = named_children(obj)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    let Some(last) = entries.last() else {
        // `{}` → `{ prop }`
        return Some(HeaderInsertion {
            at: obj.start_byte(),
            replace_len: obj.end_byte() - obj.start_byte(),
            template: format!("{{ {prop} }}").into(),
            how,
        });
    };
    let after_last = &cx.src[last.end_byte()..obj.end_byte()];
    let has_trailing_comma = after_last.trim_start().starts_with(',');
    let multiline = syntax::starts_line(cx.src, last.start_byte());
    if multiline {
        let (_, indent) = syntax::line_indent(cx.src, last.start_byte());
        if has_trailing_comma {
            let comma = last.end_byte() + after_last.find(',').unwrap_or(0) + 1;
            Some(HeaderInsertion {
                at: comma,
                replace_len: 0,
                template: format!("{}{indent}{prop},", cx.newline).into(),
                how,
            })
        } else {
            Some(HeaderInsertion {
                at: last.end_byte(),
                replace_len: 0,
                template: format!(",{}{indent}{prop}", cx.newline).into(),
                how,
            })
        }
    } else {
        Some(HeaderInsertion {
            at: last.end_byte(),
            replace_len: 0,
            template: format!(", {prop}").into(),
            how,
        })
    }
}
