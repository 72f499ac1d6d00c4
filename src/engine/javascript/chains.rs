//! Method-chain responses on a response object: Express's
//! `res.status(401).json(…)`, `res.sendStatus(401)`, Fastify's
//! `reply.code(401).send(…)`, Koa's `ctx.throw(401)`, Hono's
//! `c.json(…, 401)`; and the headers set in the same chain.

use super::nodes::{args_of, enclosing_function, pair, shorthand, unwrap_expr};
use super::site::Raw;
use super::web::{headers_in_init, object_insertion, property_insertion};
use super::Cx;
use crate::engine::eval::{HeaderEval, StatusEval};
use crate::engine::model::*;
use crate::engine::syntax::{self, text, NodeExt};
use tree_sitter::Node;

/// Receivers that are never a response (test helpers, clients).
fn non_response_receiver(recv: &str) -> bool {
    let head = recv.split(['.', '(']).next().unwrap_or("");
    matches!(
        head,
        "expect"
            | "assert"
            | "should"
            | "chai"
            | "request"
            | "supertest"
            | "agent"
            | "axios"
            | "fetch"
            | "http"
            | "nock"
            | "mock"
            | "sinon"
            | "jest"
            | "vi"
            | "cy"
            | "console"
            | "Response"
            | "NextResponse"
            | "JSON"
            | "Promise"
            | "Object"
            | "Array"
            | "Math"
    ) || recv.contains("expect(")
        // chai: `res.should.have.status(401)`, `expect(res).to.have.status(401)`
        || recv.split('.').any(|seg| matches!(seg, "should" | "to" | "have" | "be" | "been" | "and"))
}

/// Calls on a response object: Express, Fastify, Koa, Hono, Node http.
pub(super) fn method_call<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let f = node.field("function")?;
    let recv = f.field("object")?;
    let method = text(f.field("property")?, cx.src);
    if method == "send" && !legacy_send(cx, node) {
        return None;
    }
    let recv_text = text(recv, cx.src);
    if non_response_receiver(recv_text)
        || !matches!(
            unwrap_expr(recv).kind_name(),
            "identifier" | "member_expression" | "this" | "call_expression"
        )
    {
        return None;
    }
    let args = args_of(node);
    let first = *args.first()?;
    // The receiver of the chain, e.g. `res` in `res.status(401).json()`.
    let base = chain_base(recv);
    let base_text = text(base, cx.src);
    if non_response_receiver(base_text) {
        return None;
    }
    let function = enclosing_function(cx, node);
    let top = chain_top(cx, node);
    let scope = function.unwrap_or(cx.root);
    // `res.status(401).redirect('/login')`: Express's `redirect(url)` sets
    // 302 itself, so what is sent is a redirect, not the status set before.
    if method == "status"
        && chain_calls(cx, top)
            .iter()
            .any(|(m, c)| *m == "redirect" && args_of(*c).len() == 1)
    {
        return None;
    }
    let (framework, status_node, message_node) = match method {
        "status" | "code" => {
            let fw = if method == "code" {
                Framework::Fastify
            } else if matches!(base_text, "c" | "context") && !is_express_like(cx, top) {
                Framework::Hono
            } else if base_text.contains("reply") {
                Framework::Fastify
            } else {
                Framework::Express
            };
            (fw, first, chain_message(cx, top))
        }
        "sendStatus" => (Framework::Express, first, None),
        "send" => (Framework::Express, first, args.get(1).copied()),
        "writeHead" => (Framework::NodeHttp, first, None),
        "throw" => (Framework::Koa, first, args.get(1).copied()),
        "json" | "text" | "body" | "html" | "newResponse" => {
            let second = *args.get(1)?;
            // `c.json(body, { status: 401, headers })`: a ResponseInit.
            let init = unwrap_expr(second);
            if init.kind_name() == "object" {
                let status_node = pair(cx, init, "status")
                    .and_then(|p| p.field("value"))
                    .or_else(|| shorthand(cx, init, "status"))?;
                let status = cx.eval_status(status_node, 0);
                if matches!(status, StatusEval::Unknown) {
                    return None;
                }
                let (mut headers, insertion) = headers_in_init(cx, init, node);
                if headers.challenge.is_none() {
                    headers.challenge =
                        cx.header_set_on(scope, base_text, node.start_byte(), false);
                }
                return Some(Raw {
                    framework: Framework::Hono,
                    node,
                    status,
                    headers,
                    insertion,
                    message_node: Some(first),
                    function,
                    pack: None,
                    wraps: None,
                });
            }
            (Framework::Hono, second, Some(first))
        }
        _ => return None,
    };
    let status = cx.eval_status(status_node, 0);
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    // Headers: in the chain, in the call, or set on the receiver.
    let mut headers = HeaderEval::default();
    let mut insertion = None;
    let sends = chain_sends(cx, top);
    if let Some(ch) = chain_challenge(cx, top) {
        headers.challenge = Some(ch);
    }
    match framework {
        Framework::Hono if method != "status" => {
            if let Some(h) = args.get(2) {
                headers.merge(cx.eval_headers(*h, node, 0));
                if h.kind_name() == "object" {
                    insertion = object_insertion(
                        cx,
                        *h,
                        "add a `WWW-Authenticate` entry to the headers argument",
                    );
                }
            } else {
                let close = node.field("arguments")?.end_byte() - 1;
                let after_last = args.last().map(|a| a.end_byte()).unwrap_or(close);
                insertion = Some(HeaderInsertion {
                    at: after_last,
                    replace_len: 0,
                    template: ", { $NAME: $VALUE }".into(),
                    how: "pass headers with `WWW-Authenticate`",
                });
            }
            if headers.challenge.is_none() {
                headers.challenge = cx.header_set_on(scope, base_text, node.start_byte(), false);
            }
        }
        Framework::NodeHttp => {
            let h = args
                .iter()
                .skip(1)
                .find(|a| !matches!(a.kind_name(), "string" | "template_string"))
                .copied();
            match h {
                Some(h) => {
                    headers.merge(cx.eval_headers(h, node, 0));
                    if h.kind_name() == "object" {
                        insertion = object_insertion(
                            cx,
                            h,
                            "add a `WWW-Authenticate` entry to `writeHead`'s headers",
                        );
                    }
                }
                None => {
                    insertion = Some(HeaderInsertion {
                        at: args.last()?.end_byte(),
                        replace_len: 0,
                        template: ", { $NAME: $VALUE }".into(),
                        how: "pass headers to `writeHead`",
                    });
                }
            }
            if headers.challenge.is_none() {
                headers.challenge = cx.header_set_on(scope, base_text, node.start_byte(), false);
            }
        }
        Framework::Koa => {
            if let Some(o) = args.iter().skip(1).find(|a| a.kind_name() == "object") {
                if let Some(h) = pair(cx, *o, "headers").and_then(|p| p.field("value")) {
                    headers.merge(cx.eval_headers(h, node, 0));
                    if h.kind_name() == "object" {
                        insertion = object_insertion(
                            cx,
                            h,
                            "add a `WWW-Authenticate` entry to the error's headers",
                        );
                    }
                } else {
                    insertion = property_insertion(
                        cx,
                        *o,
                        "headers: { $NAME: $VALUE }",
                        "add `headers` to the error",
                    );
                }
            } else {
                insertion = Some(HeaderInsertion {
                    at: args.last()?.end_byte(),
                    replace_len: 0,
                    template: ", { headers: { $NAME: $VALUE } }".into(),
                    how: "pass `headers` to `ctx.throw`",
                });
            }
            if headers.challenge.is_none() {
                // Koa's error handler removes headers set before `ctx.throw`; only the error's own count.
            }
        }
        _ => {
            if headers.challenge.is_none() {
                headers.challenge = cx.header_set_on(scope, base_text, node.start_byte(), !sends);
            }
            if is_receiver_simple(base) {
                let (method_name, how) = match framework {
                    Framework::Hono => ("header", "call `c.header(…)` first"),
                    Framework::Fastify => ("header", "add `.header(…)` to the chain"),
                    // `res.set` is Express's own; Next.js pages (`NextApiResponse`),
                    // Vercel functions and other Node responses with a `status()`
                    // have only Node's `setHeader` (which also returns `res`).
                    _ if cx.express || method == "sendStatus" => {
                        ("set", "add `.set(…)` to the chain")
                    }
                    _ => ("setHeader", "add `.setHeader(…)` to the chain"),
                };
                if framework == Framework::Hono {
                    // `c.status(401)` is a statement: add `c.header(...)` before it.
                    if let Some(ins) = cx.statement_insertion(node).filter(|i| i.wrap.is_none()) {
                        let semi = if cx.semicolons { ";" } else { "" };
                        insertion = Some(HeaderInsertion {
                            at: ins.line_start,
                            replace_len: 0,
                            template: format!(
                                "{}{base_text}.header($NAME, $VALUE){semi}{}",
                                ins.indent, ins.newline
                            )
                            .into(),
                            how,
                        });
                    }
                } else {
                    // A chain written one call per line gets the new call on its own line.
                    let rest = &cx.src[node.end_byte()..];
                    let ws = rest.len() - rest.trim_start().len();
                    let link = if rest[..ws].contains('\n') && rest[ws..].starts_with('.') {
                        let (_, indent) = syntax::line_indent(cx.src, node.end_byte() + ws);
                        format!("{}{indent}.{method_name}($NAME, $VALUE)", cx.newline)
                    } else {
                        format!(".{method_name}($NAME, $VALUE)")
                    };
                    insertion = Some(HeaderInsertion {
                        at: node.end_byte(),
                        replace_len: 0,
                        template: link.into(),
                        how,
                    });
                    // These send the response: the header goes before them.
                    if matches!(method, "sendStatus" | "send") {
                        insertion = Some(HeaderInsertion {
                            at: base.end_byte(),
                            replace_len: 0,
                            template: format!(".{method_name}($NAME, $VALUE)").into(),
                            how,
                        });
                    }
                }
            }
        }
    }
    Some(Raw {
        framework,
        node: if top.kind_name() == "call_expression" {
            top
        } else {
            node
        },
        status,
        headers,
        insertion,
        message_node,
        function,
        pack: None,
        wraps: None,
    })
}

/// `res.send(401)` or `res.send(401, body)` in an Express file: the
/// status-first signature of Express 3 (deprecated, still honoured by 4).
fn legacy_send(cx: &Cx, call: Node) -> bool {
    let args = args_of(call);
    cx.express
        && (1..=2).contains(&args.len())
        && args[0].kind_name() == "number"
        && text(args[0], cx.src)
            .parse::<u16>()
            .is_ok_and(|c| (400..=599).contains(&c))
}

fn is_express_like(cx: &Cx, top: Node) -> bool {
    let t = text(top, cx.src);
    t.contains(".send(") || t.contains(".end(") || t.contains(".sendStatus(")
}

fn is_receiver_simple(n: Node) -> bool {
    matches!(n.kind_name(), "identifier" | "member_expression" | "this")
}

/// The innermost object of a call chain: `res` in `res.status(401).json()`.
fn chain_base(mut n: Node) -> Node {
    loop {
        match n.kind_name() {
            "call_expression" => match n.field("function") {
                Some(f) if f.kind_name() == "member_expression" => n = f,
                _ => return n,
            },
            "member_expression" => match n.field("object") {
                Some(o) if o.kind_name() == "call_expression" => n = o,
                Some(o) => return o,
                None => return n,
            },
            _ => return n,
        }
    }
}

/// The outermost call of the chain containing `call`.
fn chain_top<'t>(cx: &Cx<'t>, call: Node<'t>) -> Node<'t> {
    let mut top = call;
    while let Some(p) = cx.up(top) {
        if p.kind_name() == "member_expression"
            && p.field("object").is_some_and(|o| o.id() == top.id())
        {
            if let Some(pp) = cx.up(p).filter(|pp| pp.kind_name() == "call_expression") {
                top = pp;
                continue;
            }
        }
        break;
    }
    top
}

/// The calls of a chain, outermost first: (method name, call node).
fn chain_calls<'t>(cx: &Cx<'t>, top: Node<'t>) -> Vec<(&'t str, Node<'t>)> {
    let mut out = Vec::new();
    let mut n = top;
    while n.kind_name() == "call_expression" {
        let Some(f) = n
            .field("function")
            .filter(|f| f.kind_name() == "member_expression")
        else {
            break;
        };
        let m = f.field("property").map(|p| text(p, cx.src)).unwrap_or("");
        out.push((m, n));
        match f.field("object") {
            Some(o) => n = o,
            None => break,
        }
    }
    out
}

fn chain_sends(cx: &Cx, top: Node) -> bool {
    chain_calls(cx, top).iter().any(|(m, _)| {
        matches!(
            *m,
            "json" | "send" | "end" | "sendStatus" | "render" | "redirect" | "jsonp"
        )
    })
}

fn chain_message<'t>(cx: &Cx<'t>, top: Node<'t>) -> Option<Node<'t>> {
    chain_calls(cx, top)
        .into_iter()
        .find(|(m, _)| matches!(*m, "json" | "send" | "end" | "jsonp"))
        .and_then(|(_, c)| args_of(c).first().copied())
}

fn chain_challenge<'t>(cx: &Cx<'t>, top: Node<'t>) -> Option<ChallengeHeader> {
    chain_calls(cx, top)
        .into_iter()
        .filter(|(m, _)| matches!(*m, "set" | "header" | "setHeader" | "append" | "headers"))
        .find_map(|(m, call)| cx.challenge_set_by(call, m))
}
