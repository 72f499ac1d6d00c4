//! Finding response candidates: the query's captures (or the kind table's),
//! classified into the kinds of site the builders in the sibling modules
//! read; candidates that are unreachable or inside an assertion are dropped.

use super::chains::method_call;
use super::errors::{status_error, status_name_arg};
use super::nodes::{is_function, member};
use super::objects::{lambda_object, result_object, status_assignment};
use super::site::Raw;
use super::web::web_response;
use super::{packs, query, tables, Cx};
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use crate::engine::Language;
use std::ops::Range;
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, QueryCursor};

/// `throw new HTTPException(401, { res: new Response(…) })` is one response,
/// not two: a response built in the arguments of a pack's error class, or
/// held in the local passed there (`{ res }`), is that error's answer (its
/// row's `response` argument).
pub(super) fn drop_wrapped_responses(raw: &mut Vec<Raw>) {
    let exceptions: Vec<(Range<usize>, Option<Range<usize>>)> = raw
        .iter()
        .filter(|r| r.framework == Framework::Pack && r.node.kind_name() == "new_expression")
        .map(|r| (r.node.byte_range(), r.wraps.clone()))
        .collect();
    if exceptions.is_empty() {
        return;
    }
    raw.retain(|r| {
        let n = r.node.byte_range();
        !(r.framework == Framework::WebResponse
            && exceptions.iter().any(|(e, wraps)| {
                (e.start < n.start && n.end <= e.end) || wraps.as_ref() == Some(&n)
            }))
    });
}

const AVA_ASSERTIONS: &[&str] = &[
    "is",
    "not",
    "deepEqual",
    "notDeepEqual",
    "like",
    "true",
    "false",
    "truthy",
    "falsy",
    "assert",
    "throws",
    "throwsAsync",
    "notThrows",
    "notThrowsAsync",
    "regex",
    "notRegex",
    "snapshot",
    "pass",
    "fail",
];

/// Whether `n` sits inside a test assertion (`expect(...)`, `assert…(...)`).
pub(super) fn in_assertion(cx: &Cx, n: Node, src: &str) -> bool {
    let mut p = cx.up(n);
    while let Some(x) = p {
        if x.kind_name() == "call_expression" {
            let f = x.field("function").map(|f| text(f, src)).unwrap_or("");
            let head = f.split(['.', '(']).next().unwrap_or("");
            // ava's assertions are methods of `t`; tRPC's builder is also
            // spelled `t` (`t.middleware(…)`, `t.procedure.use(…)`).
            let ava = head == "t"
                && f.strip_prefix("t.")
                    .is_some_and(|m| AVA_ASSERTIONS.contains(&m));
            if matches!(
                head,
                "expect" | "assert" | "should" | "chai" | "it" | "test" | "describe"
            ) && f != head
                || ava
                || matches!(head, "expect" | "assert")
            {
                return true;
            }
            if f.ends_with(".toEqual")
                || f.ends_with(".toBe")
                || f.ends_with(".toMatchObject")
                || f.ends_with(".toStrictEqual")
                || f.ends_with(".deepEqual")
                || f.ends_with(".equal")
            {
                return true;
            }
        }
        if is_function(x) {
            // still look further: `it('…', () => { expect(...) })` is handled by the call check
        }
        p = cx.up(x);
    }
    false
}

/// One pass of the query: the response candidates, and the plain calls
/// (`name(...)`) that may be response-helper call sites.
pub(super) fn candidates<'t>(cx: &Cx<'t>, lang: Language) -> (Vec<Raw<'t>>, Vec<Node<'t>>) {
    let captures = match tables(lang).kinds() {
        Some(kinds) => kinds.captures(cx.root),
        None => query_captures(cx, lang, None),
    };
    let mut out: Vec<Raw<'t>> = Vec::new();
    let mut calls: Vec<Node<'t>> = Vec::new();
    for (kind, node) in captures {
        let class = classify(cx, kind, node);
        if class.helper_call {
            calls.push(node);
        }
        let Some(site) = class.site else {
            continue;
        };
        out.extend(raw_candidate(cx, site, node));
    }
    (out, calls)
}

/// The response query's captures under the root, or within `range`, run
/// with tree-sitter's query engine (for a query that is not a kind table).
pub(super) fn query_captures<'t>(
    cx: &Cx<'t>,
    lang: Language,
    range: Option<Range<usize>>,
) -> Vec<(&'static str, Node<'t>)> {
    let Some(q) = query(lang) else {
        return Vec::new();
    };
    let names = q.capture_names();
    let mut qc = QueryCursor::new();
    if let Some(r) = range {
        qc.set_byte_range(r);
    }
    let mut out = Vec::new();
    let mut matches = qc.matches(q, cx.root, cx.src.as_bytes());
    while let Some(m) = matches.next() {
        for cap in m.captures {
            if let Some(kind) = names[cap.index as usize].strip_prefix("site.") {
                out.push((kind, cap.node));
            }
        }
    }
    out
}

/// What a node the query captured may be: the shape checks behind each
/// `@site.<kind>` of `queries/javascript/responses.scm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Candidate {
    /// `new Response(…)`, `Response.json(…)`, and the Next.js spellings.
    WebResponse { json: bool },
    /// `res.status(401)`, `reply.code(401)`, `c.json(body, 401)` and the like.
    Method,
    /// `res.statusCode = 401`, `ctx.status = 401`.
    Assignment,
    /// `{ statusCode: 401, … }` (AWS Lambda).
    Lambda,
    /// `return { ok: false, status: 401, error }`: a result a caller answers with.
    Result,
    /// `return fetch(…)`, `return res` after `const res = await fetch(…)`:
    /// a handler answering with the upstream's whole response.
    Relay,
    /// `throw new APIError('UNAUTHORIZED', …)`, `new TRPCError({ code: 'FORBIDDEN' })`.
    StatusError,
    /// `throw new UnauthorizedError()` of a class that fixes its status.
    ErrorClass,
    /// A call or `new` a framework pack may describe (`error(401, …)` from SvelteKit).
    Pack,
    /// `return false` in a method a pack names (NestJS's `canActivate`).
    PackReturn,
}

pub(super) struct Classified {
    pub(super) site: Option<Candidate>,
    /// `name(args…)`: a call that may go to a response helper.
    pub(super) helper_call: bool,
}

const RESPONSE_CLASSES: &[&str] = &["Response", "NextResponse"];

const STATUS_METHODS: &[&str] = &[
    "status",
    "sendStatus",
    // Express 3's `res.send(401)` / `res.send(401, body)` (deprecated in 4).
    "send",
    "code",
    "writeHead",
    "throw",
    "json",
    "text",
    "body",
    "html",
    "newResponse",
];

pub(super) fn classify(cx: &Cx, kind: &str, node: Node) -> Classified {
    let src = cx.src;
    // A name a framework pack knows (`error` from `@sveltejs/kit`).
    let pack_name = |n: Option<Node>| {
        n.and_then(|n| match n.kind_name() {
            "identifier" => Some(n),
            "member_expression" => n.field("property"),
            _ => None,
        })
        .is_some_and(|n| packs::may_be_call(cx, text(n, src)))
    };
    let is = |n: Option<Node>, node_kind: &str, names: &[&str]| {
        n.is_some_and(|n| n.kind_name() == node_kind && names.contains(&text(n, src)))
    };
    let has_args = || {
        node.field("arguments")
            .is_some_and(|a| a.named_child_count() > 0)
    };
    let none = Classified {
        site: None,
        helper_call: false,
    };
    let site = |c: Candidate| Classified {
        site: Some(c),
        helper_call: false,
    };
    match kind {
        "new" => {
            let ctor = node.field("constructor");
            if is(ctor, "identifier", RESPONSE_CLASSES) {
                site(Candidate::WebResponse { json: false })
            } else if ctor.is_some_and(|c| c.kind_name() == "identifier") && pack_name(ctor) {
                // A framework pack's error class (NestJS's `UnauthorizedException`),
                // or a class the configuration declares as a helper.
                Classified {
                    site: Some(Candidate::Pack),
                    helper_call: has_args(),
                }
            } else if ctor.is_some_and(|c| is_error_class(c, src))
                && status_name_arg(node, src).is_some()
            {
                site(Candidate::StatusError)
            } else if ctor.is_some_and(|c| super::error_classes::fixed_class(cx, c).is_some()) {
                Classified {
                    site: Some(Candidate::ErrorClass),
                    helper_call: has_args(),
                }
            } else {
                // `new ApiError('Unknown key', 403)`: a class the
                // configuration may declare as a helper (`name = "new ApiError"`).
                Classified {
                    site: pack_name(ctor).then_some(Candidate::Pack),
                    helper_call: ctor.is_some_and(|c| c.kind_name() == "identifier") && has_args(),
                }
            }
        }
        "call" => {
            let f = node.field("function");
            if f.is_some_and(|f| f.kind_name() == "identifier") {
                // Any plain call may be a helper's: `jsonError('x', 401)`, or
                // `unauthorized()` for a helper that fixes its status.
                return Classified {
                    site: pack_name(f).then_some(Candidate::Pack),
                    helper_call: true,
                };
            }
            let Some((obj, prop)) = member(f) else {
                return none;
            };
            if is(obj, "identifier", RESPONSE_CLASSES) && is(prop, "property_identifier", &["json"])
            {
                site(Candidate::WebResponse { json: true })
            } else if is(prop, "property_identifier", STATUS_METHODS) && has_args() {
                site(Candidate::Method)
            } else if pack_name(f) {
                site(Candidate::Pack)
            } else {
                none
            }
        }
        "assignment" => {
            let left = member(node.field("left"));
            if left.is_some_and(|(_, p)| {
                is(p, "property_identifier", &["statusCode", "status"])
                    || p.is_some_and(|p| packs::may_be_assign(cx, text(p, src)))
            }) {
                site(Candidate::Assignment)
            } else {
                none
            }
        }
        "return" => {
            let arg = node.named_child(0).map(super::nodes::unwrap_expr);
            let fetched = |n: Node| {
                let n = super::nodes::unwrap_expr(n);
                n.kind_name() == "call_expression"
                    && n.field("function").is_some_and(|f| text(f, src) == "fetch")
            };
            let relay = arg.is_some_and(|a| match a.kind_name() {
                "call_expression" => fetched(a),
                "identifier" => cx
                    .declarator_of(text(a, src), a)
                    .and_then(|d| d.field("value"))
                    .is_some_and(fetched),
                _ => false,
            });
            if relay {
                site(Candidate::Relay)
            } else if arg.is_some_and(|a| packs::may_be_return(cx, text(a, src))) {
                site(Candidate::PackReturn)
            } else {
                none
            }
        }
        "object" => {
            let status_key = named_children(node).any(|c| match c.kind_name() {
                "pair" => c.field("key").is_some_and(|k| {
                    matches!(k.kind_name(), "property_identifier" | "string")
                        && matches!(
                            text(k, src),
                            "statusCode" | "'statusCode'" | "\"statusCode\""
                        )
                }),
                "shorthand_property_identifier" => text(c, src) == "statusCode",
                _ => false,
            });
            // `{ ok: false, status: 401, error }` a caller answers with.
            let result_status = || {
                named_children(node).any(|c| {
                    c.kind_name() == "pair"
                        && c.field("key").is_some_and(|k| {
                            k.kind_name() == "property_identifier" && text(k, src) == "status"
                        })
                        && c.field("value").is_some_and(|v| {
                            let v = text(v, src);
                            v.starts_with("401") || v.starts_with("403")
                        })
                })
            };
            if status_key {
                site(Candidate::Lambda)
            } else if result_status() {
                site(Candidate::Result)
            } else {
                none
            }
        }
        _ => none,
    }
}

/// A class named as an error (`APIError`, `RequestError`, `AuthException`).
fn is_error_class(ctor: Node, src: &str) -> bool {
    let name = text(ctor, src);
    ctor.kind_name() == "identifier" && (name.ends_with("Error") || name.ends_with("Exception"))
}

/// The candidate a classified capture stands for (`None` in test code and
/// assertions, or when it turns out not to be a response).
pub(super) fn raw_candidate<'t>(cx: &Cx<'t>, site: Candidate, node: Node<'t>) -> Option<Raw<'t>> {
    if cx.is_test_file
        || in_assertion(cx, node, cx.src)
        || unreachable(cx, node)
        || in_socket_hook(cx, node)
    {
        return None;
    }
    match site {
        Candidate::WebResponse { json } => web_response(cx, node, json),
        // A pack's row wins where the same spelling means its framework
        // (`json(…)` from `@sveltejs/kit`, `createError` from `h3`).
        Candidate::Pack => packs::call_site(cx, node).or_else(|| {
            // A pack's class name imported from elsewhere may still name
            // its status (`new APIError('UNAUTHORIZED')` from an in-house module).
            // Or fix it in its class (`class UnauthorizedError … super(…, 401)`).
            let ctor = node.field("constructor")?;
            is_error_class(ctor, cx.src)
                .then(|| status_error(cx, node))
                .flatten()
                .or_else(|| super::error_classes::error_class_site(cx, node))
        }),
        Candidate::Method => packs::call_site(cx, node).or_else(|| method_call(cx, node)),
        Candidate::Assignment => {
            packs::assign_site(cx, node).or_else(|| status_assignment(cx, node))
        }
        Candidate::Lambda => lambda_object(cx, node),
        Candidate::Result => result_object(cx, node),
        Candidate::Relay => super::web::relay(cx, node),
        Candidate::PackReturn => packs::return_site(cx, node),
        Candidate::StatusError => status_error(cx, node),
        Candidate::ErrorClass => super::error_classes::error_class_site(cx, node),
    }
}

/// The site is in a WebSocket connection hook (Hocuspocus's
/// `onAuthenticate`, a Nest gateway's `handleConnection`, socket.io's
/// `onConnection`): an exception thrown there rejects the socket, and no
/// HTTP status or header reaches the client.
fn in_socket_hook(cx: &Cx, node: Node) -> bool {
    let Some(f) = super::nodes::enclosing_function(cx, node) else {
        return false;
    };
    let name = f
        .field("name")
        .or_else(|| {
            // `onAuthenticate: async (data) => { … }`
            cx.up(f)
                .filter(|p| p.kind_name() == "pair")
                .and_then(|p| p.field("key"))
        })
        .map_or("", |n| text(n, cx.src));
    matches!(
        name,
        "onAuthenticate" | "onConnect" | "handleConnection" | "onConnection" | "onWebSocketConnect"
    )
}

/// The site is in a branch the type checker proves never runs: one of
/// the few statements before it in its block is an exhaustiveness check
/// (`auth satisfies never`, `const _exhaustive: never = auth`).
fn unreachable(cx: &Cx, node: Node) -> bool {
    if without_next(cx, node) {
        return true;
    }
    let mut n = node;
    for _ in 0..64 {
        let Some(p) = cx.up(n) else {
            return false;
        };
        if is_function(p) {
            return false;
        }
        if matches!(
            p.kind_name(),
            "statement_block" | "switch_default" | "switch_case"
        ) {
            let before: Vec<Node> = named_children(p)
                .take_while(|c| c.end_byte() <= n.start_byte())
                .collect();
            return before.iter().rev().take(3).any(|c| {
                let t = text(*c, cx.src);
                t.len() <= 200 && (t.contains("satisfies never") || t.contains(": never ="))
            });
        }
        n = p;
    }
    false
}

/// `next ? next(err) : res.status(401).json(err)`: the answer for a call
/// without Express's `next`, which Express always passes to a route or
/// middleware; the error goes to the error handler instead.
fn without_next(cx: &Cx, node: Node) -> bool {
    let is_next = |c: Node| {
        let c = super::nodes::unwrap_expr(c);
        c.kind_name() == "identifier" && text(c, cx.src) == "next"
    };
    let not_next = |c: Node| {
        let c = super::nodes::unwrap_expr(c);
        c.kind_name() == "unary_expression"
            && c.field("operator").is_some_and(|o| text(o, cx.src) == "!")
            && c.field("argument").is_some_and(is_next)
    };
    let inside = |outer: Option<Node>, n: Node| {
        outer.is_some_and(|o| o.byte_range().contains(&n.start_byte()))
    };
    let mut n = node;
    while let Some(p) = cx.up(n) {
        if is_function(p) {
            return false;
        }
        let cond = p.field("condition");
        let (yes, no) = match p.kind_name() {
            "ternary_expression" => (p.field("consequence"), p.field("alternative")),
            "if_statement" => (p.field("consequence"), p.field("alternative")),
            _ => (None, None),
        };
        if let Some(c) = cond {
            if (is_next(c) && inside(no, n)) || (not_next(c) && inside(yes, n)) {
                return true;
            }
        }
        n = p;
    }
    false
}
