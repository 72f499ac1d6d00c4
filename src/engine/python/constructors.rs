//! Response and exception constructors: FastAPI/Starlette's
//! `HTTPException(401, …)`, `JSONResponse(…, status_code=401)`, Flask's
//! `abort(401)` and `make_response`, Werkzeug's `Unauthorized()`, and the
//! headers passed to them. Django's and Django REST framework's are packs
//! (`packs/python/django.toml`, `django-rest-framework.toml`).

use super::candidates::callee_name;
use super::context::module_framework;
use super::headers::{headers_value_insertion, kwarg_insertion};
use super::nodes::{enclosing_function, unwrap_expr, Args};
use super::objects::flask_tuple;
use super::site::Raw;
use super::status::known_indirect;
use super::{Cx, Origin};
use crate::engine::eval::StatusEval;
use crate::engine::model::*;
use crate::engine::syntax::{text, NodeExt};
use tree_sitter::Node;

/// Known framework constructors and calls.
/// The callee names `classify` takes for framework constructors.
pub(super) const CONSTRUCTORS: &[&str] = &[
    "HTTPException",
    "StarletteHTTPException",
    "Response",
    "JSONResponse",
    "PlainTextResponse",
    "HTMLResponse",
    "ORJSONResponse",
    "UJSONResponse",
    "StreamingResponse",
    "abort",
    "make_response",
    "Unauthorized",
    "Forbidden",
];

/// The framework name behind an aliased import: `HE` in
/// `from fastapi import HTTPException as HE`.
pub(super) fn aliased_constructor<'t>(cx: &Cx<'t>, f: Node<'t>) -> Option<&'t str> {
    if f.kind_name() != "identifier" {
        return None;
    }
    let local = text(f, cx.src);
    let (module, orig) = cx.imports.get(local)?;
    let orig = CONSTRUCTORS.iter().copied().find(|c| *c == &**orig)?;
    (orig != local && module_framework(module).is_some()).then_some(orig)
}

pub(super) fn constructor_call<'t>(cx: &Cx<'t>, call: Node<'t>) -> Option<Raw<'t>> {
    let (name, f) = callee_name(call, cx.src)?;
    let name = aliased_constructor(cx, f).unwrap_or(name);
    let origin = cx.origin(f);
    let module_fw = match origin {
        Origin::Framework(fw) => Some(fw),
        Origin::Unknown => None,
        Origin::Project | Origin::Foreign => return None,
    };
    let args = Args::of(call, cx.src);
    let fw_hint = module_fw.or(cx.framework_hint);
    let mut raw;
    // (status keyword, status position, headers keyword, headers position, body keyword, body position)
    struct Shape {
        status_kw: &'static str,
        status_pos: Option<usize>,
        headers_kw: &'static str,
        headers_pos: Option<usize>,
        body_kw: &'static str,
        body_pos: Option<usize>,
    }
    let shape = |status_kw, status_pos, headers_pos, body_kw| Shape {
        status_kw,
        status_pos,
        headers_kw: "headers",
        headers_pos,
        body_kw,
        body_pos: Some(0),
    };
    let (framework, shape, exception) = match name {
        "HTTPException" | "StarletteHTTPException" => {
            if module_fw == Some(Framework::Flask) {
                return None; // werkzeug's HTTPException has no status argument
            }
            (
                Framework::FastApi,
                Shape {
                    status_kw: "status_code",
                    status_pos: Some(0),
                    headers_kw: "headers",
                    headers_pos: Some(2),
                    body_kw: "detail",
                    body_pos: Some(1),
                },
                true,
            )
        }
        "JSONResponse" | "PlainTextResponse" | "HTMLResponse" | "ORJSONResponse"
        | "UJSONResponse" | "StreamingResponse" => (
            Framework::FastApi,
            shape("status_code", Some(1), Some(2), "content"),
            false,
        ),
        "Response" => {
            let fw = if args.has("status_code") {
                Framework::FastApi
            } else if args.has("status") {
                if fw_hint == Some(Framework::Django) {
                    return None; // Django REST framework's, a pack's
                }
                Framework::Flask
            } else {
                fw_hint.unwrap_or(Framework::FastApi)
            };
            match fw {
                Framework::FastApi => {
                    (fw, shape("status_code", Some(1), Some(2), "content"), false)
                }
                Framework::Django => return None,
                _ => (fw, shape("status", Some(1), Some(2), "response"), false),
            }
        }
        "abort" => {
            if module_fw.is_none() && cx.framework_hint != Some(Framework::Flask) {
                return None;
            }
            let status_node = args
                .get("code", Some(0))
                .or_else(|| args.get("status", None))?;
            let status = cx.eval_status(status_node, 0);
            raw = Raw::new(Framework::Flask, call, status);
            raw.message_node = args.get("description", Some(1));
            raw.exception = true;
            werkzeug_challenge(cx, &mut raw, &args, None);
            return Some(raw);
        }
        "make_response" => {
            if let Some(t) = args
                .positional
                .first()
                .map(|a| unwrap_expr(*a))
                .filter(|a| a.kind_name() == "tuple" && args.positional.len() == 1)
            {
                let mut r = flask_tuple(cx, t)?;
                r.node = call;
                r.anchor = call;
                return Some(r);
            }
            (
                Framework::Flask,
                shape("status", Some(1), Some(2), "response"),
                false,
            )
        }
        "Unauthorized" | "Forbidden" => {
            if module_fw.is_none() && cx.framework_hint != Some(Framework::Flask) {
                return None;
            }
            let code = if name == "Unauthorized" { 401 } else { 403 };
            raw = Raw::new(
                Framework::Flask,
                call,
                known_indirect(code, f.field("attribute").unwrap_or(f)),
            );
            raw.message_node = args.get("description", Some(0));
            raw.exception = true;
            if args.get("response", Some(1)).is_some() {
                raw.headers.opaque = true; // a full response replaces the default one
            }
            if code == 401 {
                werkzeug_challenge(cx, &mut raw, &args, Some(2));
            }
            return Some(raw);
        }
        _ => return None,
    };
    let status_node = args.get(shape.status_kw, shape.status_pos)?;
    let status = cx.eval_status(status_node, 0);
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    raw = Raw::new(framework, call, status);
    raw.exception = exception;
    raw.message_node = args.get(shape.body_kw, shape.body_pos);
    fill_headers(
        cx,
        &mut raw,
        &args,
        shape.headers_kw,
        shape.headers_pos,
        call,
    );
    if name == "make_response" && args.get("headers", Some(2)).is_none() {
        // `make_response(*args)` takes no keywords: headers go third.
        raw.insertion =
            (args.positional.len() == 2 && args.keywords.is_empty()).then(|| HeaderInsertion {
                at: status_node.end_byte(),
                replace_len: 0,
                template: ", {$NAME: $VALUE}".into(),
                how: "pass headers to `make_response`",
            });
    }
    if !exception {
        // `resp = HttpResponse(status=401); resp["WWW-Authenticate"] = "Bearer"; return resp`
        if let Some(var) = assigned_name(cx, call, cx.src) {
            let scope = enclosing_function(cx, call).unwrap_or(cx.root);
            if raw.headers.challenge.is_none() {
                if let Some(ch) = cx.header_set_on(scope, var, true, None) {
                    raw.headers.challenge = Some(ch);
                }
            }
        }
    }
    Some(raw)
}

/// The variable a call is assigned to: `resp = HttpResponse(...)`.
pub(super) fn assigned_name<'t>(cx: &Cx<'t>, call: Node<'t>, src: &'t str) -> Option<&'t str> {
    let p = cx.up(call)?;
    if p.kind_name() != "assignment" || p.field("right")?.id() != call.id() {
        return None;
    }
    let l = p.field("left")?;
    (l.kind_name() == "identifier").then(|| text(l, src))
}

/// Reads the headers argument of a call and says how to add one.
pub(super) fn fill_headers<'t>(
    cx: &Cx<'t>,
    raw: &mut Raw<'t>,
    args: &Args<'t>,
    kw: &str,
    pos: Option<usize>,
    call: Node<'t>,
) {
    match args.get(kw, pos) {
        Some(h) => {
            let eval = cx.eval_headers(h, call, 0);
            raw.insertion = headers_value_insertion(cx, h, &eval);
            raw.headers.merge(eval);
            raw.headers_node = Some(h);
        }
        None => {
            if args.splat {
                raw.headers.opaque = true;
            } else {
                raw.insertion = kwarg_insertion(
                    cx,
                    args,
                    &format!("{kw}={{$NAME: $VALUE}}"),
                    "pass `headers` with `WWW-Authenticate`",
                );
            }
        }
    }
}

/// `www_authenticate=` on Werkzeug's `Unauthorized` / Flask's `abort`: any value is a challenge.
fn werkzeug_challenge<'t>(cx: &Cx<'t>, raw: &mut Raw<'t>, args: &Args<'t>, pos: Option<usize>) {
    if let Some(v) = args.get("www_authenticate", pos) {
        if let Some(ch) = argument_challenge(cx, v) {
            raw.headers.challenge = Some(ch);
        }
    } else if args.splat {
        raw.headers.opaque = true;
    }
}

/// An argument that makes the framework send a challenge (Werkzeug's
/// `www_authenticate=`, Sanic's `scheme=`): any value but `None` is one.
pub(super) fn argument_challenge(cx: &Cx, v: Node) -> Option<ChallengeHeader> {
    let v = unwrap_expr(v);
    (v.kind_name() != "none").then(|| ChallengeHeader {
        value_range: v.byte_range(),
        literal: cx.string_literal(v).map(Into::into),
        evidence: None,
        shared: false,
    })
}
