//! Facts about a site's surroundings that need the whole file: whether its
//! `if (a || b)` can be split ([`ConditionSplit`]), and which authentication
//! middleware it depends on ([`MiddlewareFact`], from the table in
//! [`crate::engine::middleware`]). Also the sites only middleware knowledge
//! reveals: `reply.send(err)` forwarding an `@fastify/jwt` verification error.

use super::nodes::{
    args_of, enclosing_function, function_body, is_function, is_statement, unwrap_expr,
};
use super::site::build_site;
use super::*;
use crate::engine::middleware::{self, Middleware};

/// Fills in `split` and `middleware` on every site, and adds the sites that
/// forward a middleware's failure.
///
/// `sites` have been through [`fill_split`] already (with their statement:
/// a kept statement keeps its sites' splits); the sites added here get it here.
///
/// Returns, for each site in its final (sorted) place, where it was in
/// `sites` before (the added sites come after the given ones) and whether
/// this wrote to it: an untouched given site is as its statement left it.
pub(super) fn annotate<'a>(cx: &Cx<'a>, sites: &mut Vec<ResponseSite>) -> Vec<(usize, bool)> {
    let mw = Middlewares::scan(cx);
    let given = sites.len();
    sites.extend(mw.forwarded_failures(cx));
    let any_middleware = !mw.is_empty();
    let mut touched = vec![false; sites.len()];
    for (i, site) in sites.iter_mut().enumerate() {
        // Only a 403 can want its condition split (`prefer-401-for-authentication`).
        let wants_split = i >= given && wants_split(site);
        let wants_middleware = site.middleware.is_none() && any_middleware;
        if !wants_split && !wants_middleware {
            continue;
        }
        let Some(node) = cx
            .root
            .descendant_for_byte_range(site.range.start, site.range.end)
        else {
            continue;
        };
        touched[i] = true;
        if wants_split {
            site.split = split(cx, node);
        }
        if wants_middleware {
            site.middleware = mw.fact_for(node);
        }
        // A guard can set the header on the response before it throws.
        if site.headers.challenge.is_none()
            && site
                .middleware
                .as_ref()
                .is_some_and(|m| m.relation == MiddlewareRelation::InGuard)
        {
            site.headers.challenge = challenge_set_before(cx, node);
        }
    }
    // Sorted as `sort_by_key` would (stable), keeping track of where each was.
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by_key(|&i| (sites[i].range.start, sites[i].range.end));
    if order.iter().enumerate().any(|(p, &i)| p != i) {
        let mut taken: Vec<Option<ResponseSite>> = sites.drain(..).map(Some).collect();
        sites.extend(order.iter().filter_map(|&i| taken[i].take()));
    }
    order.into_iter().map(|i| (i, touched[i])).collect()
}

// ----- split conditions ------------------------------------------------------

fn wants_split(site: &ResponseSite) -> bool {
    site.split.is_none() && site.codes().any(|v| v.code == 403)
}

/// Fills in how a 403 site's condition could be split. It depends only on
/// the site's own top-level statement (the walk stops at the enclosing
/// function or statement list), so the incremental extraction finds it when
/// the statement is extracted and keeps it with the statement's sites.
pub(super) fn fill_split(cx: &Cx, site: &mut ResponseSite) {
    if !wants_split(site) {
        return;
    }
    if let Some(node) = cx
        .root
        .descendant_for_byte_range(site.range.start, site.range.end)
    {
        site.split = split(cx, node);
    }
}

/// `if (a || b) return …` / `if (a || b) { throw … }`, in a shape a fix can split.
fn split(cx: &Cx, site: Node) -> Option<ConditionSplit> {
    let mut n = site;
    let stmt = loop {
        if matches!(n.kind_name(), "return_statement" | "throw_statement") {
            break n;
        }
        if is_statement(n) {
            return None;
        }
        let p = cx.up(n)?;
        if is_function(p) {
            return None;
        }
        n = p;
    };
    let mut parent = cx.up(stmt)?;
    if parent.kind_name() == "statement_block" {
        if named_children(parent).count() != 1 {
            return None;
        }
        parent = cx.up(parent)?;
    }
    let if_stmt = parent;
    if if_stmt.kind_name() != "if_statement" || if_stmt.field("alternative").is_some() {
        return None;
    }
    let cons = if_stmt.field("consequence")?;
    if !(cons.id() == stmt.id() || cx.up(stmt).is_some_and(|b| b.id() == cons.id())) {
        return None;
    }
    let outer = cx.up(if_stmt)?;
    if !matches!(
        outer.kind_name(),
        "statement_block" | "program" | "switch_case" | "switch_default"
    ) || !syntax::starts_line(cx.src, if_stmt.start_byte())
    {
        return None;
    }
    let cond = if_stmt.field("condition")?;
    let inner = if cond.kind_name() == "parenthesized_expression" {
        if cond.named_child_count() != 1 {
            return None;
        }
        cond.named_child(0)?
    } else {
        cond
    };
    syntax::condition_split(
        cx.src,
        cx.newline,
        if_stmt,
        cons,
        stmt,
        inner,
        ("binary_expression", "||"),
    )
}

// ----- middleware ------------------------------------------------------------

/// The authentication middleware one file uses, and where.
#[derive(Default)]
struct Middlewares {
    /// Middleware the file mounts or registers, with the first mount's range.
    used: Vec<(&'static Middleware, Range<usize>)>,
    /// Functions that answer a middleware's failure.
    failure_handlers: Vec<(Range<usize>, &'static Middleware, Range<usize>)>,
    /// Guard classes (`extends AuthGuard('jwt')`, `implements CanActivate`).
    guards: Vec<(Range<usize>, &'static Middleware, Range<usize>)>,
}

impl Middlewares {
    fn is_empty(&self) -> bool {
        self.used.is_empty() && self.failure_handlers.is_empty() && self.guards.is_empty()
    }
}

impl Middlewares {
    fn scan(cx: &Cx) -> Middlewares {
        let mut out = Middlewares::default();
        // Most files import no authentication middleware: skip the walk.
        if !middleware::mentioned_in(cx.src) {
            return out;
        }
        // Local names bound to known middleware: ES imports, then `require`s.
        let mut locals: HashMap<String, &'static Middleware> = cx
            .imports
            .iter()
            .filter_map(|(local, (spec, name))| {
                middleware::lookup(spec, name).map(|m| (local.clone(), m))
            })
            .collect();
        let mut imported: Vec<(&'static Middleware, Range<usize>)> = Vec::new();
        let mut stack = vec![cx.root];
        let mut calls = Vec::new();
        let mut error_handlers = Vec::new();
        let mut classes = Vec::new();
        let mut catches = Vec::new();
        while let Some(n) = stack.pop() {
            match n.kind_name() {
                "import_statement" => {
                    if let Some(spec) = n.field("source").and_then(|s| string_value(s, cx.src)) {
                        for m in middleware::MIDDLEWARE
                            .iter()
                            .filter(|m| m.modules.contains(&spec.as_str()))
                        {
                            imported.push((m, n.byte_range()));
                        }
                    }
                }
                "variable_declarator" => {
                    if let (Some(name), Some(spec)) = (
                        n.field("name"),
                        n.field("value").and_then(|v| required_spec(cx, v)),
                    ) {
                        // `const jwt = require('express-jwt')` binds the default export;
                        // `const { expressjwt } = require('express-jwt')` binds by name.
                        let bound: Vec<(String, String)> = if name.kind_name() == "identifier" {
                            vec![(text(name, cx.src).to_string(), "default".to_string())]
                        } else {
                            object_pattern_bindings(cx, name)
                        };
                        for (local, export) in bound {
                            if let Some(m) = middleware::lookup(&spec, &export) {
                                locals.insert(local, m);
                                imported.push((m, n.byte_range()));
                            }
                        }
                    }
                }
                "call_expression" => calls.push(n),
                "class_declaration" | "class" => classes.push(n),
                "catch_clause" => catches.push(n),
                _ => {}
            }
            if is_function(n) && error_handler_arity(cx, n) {
                error_handlers.push(n);
            }
            stack.extend(named_children(n));
        }
        let mut used = |m: &'static Middleware, r: Range<usize>| {
            if !out.used.iter().any(|(x, _)| std::ptr::eq(*x, m)) {
                out.used.push((m, r));
            }
        };
        let mut on_error: Vec<Node> = Vec::new();
        for call in &calls {
            let Some(f) = call.field("function") else {
                continue;
            };
            match f.kind_name() {
                // `bearerAuth({ token })`, `expressjwt({ … })`, `AuthGuard('jwt')`
                "identifier" => {
                    if let Some(m) = locals.get(text(f, cx.src)) {
                        used(m, call.byte_range());
                    }
                    if text(f, cx.src) == "require" {
                        // `fastify.register(require('@fastify/jwt'), …)`
                        if let Some(m) =
                            required_spec(cx, *call).and_then(|s| middleware::lookup(&s, "default"))
                        {
                            used(m, call.byte_range());
                        }
                    }
                }
                "member_expression" => {
                    let method = f.field("property").map(|p| text(p, cx.src)).unwrap_or("");
                    match method {
                        // `fastify.register(fastifyJwt, { secret })`
                        "register" | "use" => {
                            for a in args_of(*call) {
                                if let Some(m) = locals.get(text(a, cx.src)) {
                                    used(m, call.byte_range());
                                }
                            }
                        }
                        "onError" => {
                            on_error.extend(args_of(*call).into_iter().filter(|a| is_function(*a)))
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        // Guards used only in types or decorators still count as used where imported.
        for (m, r) in &imported {
            if m.failure == middleware::Failure::ThrowsUnauthorizedException {
                used(m, r.clone());
            }
        }
        // Express error handlers answer express-jwt's `next(err)`.
        if let Some((m, r)) = out
            .used
            .iter()
            .find(|(m, _)| m.failure == middleware::Failure::ForwardsError)
            .cloned()
        {
            for h in &error_handlers {
                out.failure_handlers.push((h.byte_range(), m, r.clone()));
            }
        }
        // Hono's `app.onError` replaces the response the middleware built.
        if let Some((m, r)) = out.used.iter().find(|(m, _)| m.challenges()).cloned() {
            for h in &on_error {
                out.failure_handlers.push((h.byte_range(), m, r.clone()));
            }
        }
        // `try { await request.jwtVerify() } catch (err) { … }`
        if let Some(fjwt) = middleware::named("@fastify/jwt") {
            for c in &catches {
                let Some(tr) = cx.up(*c).filter(|t| t.kind_name() == "try_statement") else {
                    continue;
                };
                let Some(body) = tr.field("body") else {
                    continue;
                };
                let Some(verify) = calls.iter().find(|call| {
                    body.byte_range().contains(&call.start_byte())
                        && is_fastify_jwt_verify(cx, **call)
                }) else {
                    continue;
                };
                out.failure_handlers
                    .push((c.byte_range(), fjwt, verify.byte_range()));
            }
        }
        // Guard classes.
        for class in &classes {
            let heritage = named_children(*class).find(|c| c.kind_name() == "class_heritage");
            let Some(h) = heritage else { continue };
            let mut stack = vec![h];
            let mut found: Option<&'static Middleware> = None;
            while let Some(n) = stack.pop() {
                if matches!(n.kind_name(), "identifier" | "type_identifier") {
                    if let Some(m) = locals.get(text(n, cx.src)) {
                        found = Some(m);
                        break;
                    }
                }
                stack.extend(named_children(n));
            }
            if let Some(m) = found {
                out.guards.push((class.byte_range(), m, h.byte_range()));
            }
        }
        out
    }

    /// The middleware fact for a site at `node`.
    fn fact_for(&self, node: Node) -> Option<MiddlewareFact> {
        let at = node.start_byte();
        let innermost = |v: &[(Range<usize>, &'static Middleware, Range<usize>)]| {
            v.iter()
                .filter(|(scope, _, _)| scope.contains(&at))
                .min_by_key(|(scope, _, _)| scope.len())
                .map(|(_, m, r)| (*m, r.clone()))
        };
        if let Some((m, r)) = innermost(&self.guards) {
            return Some(fact(m, MiddlewareRelation::InGuard, r));
        }
        if let Some((m, r)) = innermost(&self.failure_handlers) {
            return Some(fact(m, MiddlewareRelation::HandlesFailure, r));
        }
        self.used
            .iter()
            .find(|(m, _)| m.failure != middleware::Failure::ThrowsUnauthorizedException)
            .map(|(m, r)| fact(m, MiddlewareRelation::Behind, r.clone()))
    }

    /// `reply.send(err)` in the `catch` after `request.jwtVerify()`: the
    /// error's `statusCode` (401) and no challenge go out as they are.
    fn forwarded_failures<'a>(&self, cx: &Cx<'a>) -> Vec<ResponseSite> {
        let mut out = Vec::new();
        for (clause, m, verify) in &self.failure_handlers {
            if m.failure != middleware::Failure::ThrowsError {
                continue;
            }
            let Some(c) = cx.root.descendant_for_byte_range(clause.start, clause.end) else {
                continue;
            };
            let Some(param) = c
                .field("parameter")
                .filter(|p| p.kind_name() == "identifier")
                .map(|p| text(p, cx.src))
            else {
                continue;
            };
            let Some(body) = c.field("body") else {
                continue;
            };
            let mut stack = vec![body];
            while let Some(n) = stack.pop() {
                if is_function(n) {
                    continue;
                }
                stack.extend(named_children(n));
                if n.kind_name() != "call_expression" {
                    continue;
                }
                let Some(f) = n
                    .field("function")
                    .filter(|f| f.kind_name() == "member_expression")
                else {
                    continue;
                };
                let (Some(recv), Some(prop)) = (f.field("object"), f.field("property")) else {
                    continue;
                };
                let args = args_of(n);
                if recv.kind_name() != "identifier"
                    || text(prop, cx.src) != "send"
                    || args.len() != 1
                    || text(args[0], cx.src) != param
                {
                    continue;
                }
                let recv_text = text(recv, cx.src);
                let scope = enclosing_function(cx, n).unwrap_or(cx.root);
                let challenge = cx.header_set_on(scope, recv_text, n.start_byte(), false);
                let headers = HeaderEval {
                    challenge,
                    opaque: false,
                };
                let status = Status::Known(
                    [StatusValue {
                        code: 401,
                        range: args[0].byte_range(),
                        literal: false,
                        branch_condition: None,
                    }]
                    .into(),
                );
                let insertion = Some(HeaderInsertion {
                    at: recv.end_byte(),
                    replace_len: 0,
                    template: ".header($NAME, $VALUE)".into(),
                    how: "add `.header(…)` before `.send(err)`",
                });
                let mut site =
                    build_site(cx, Framework::Fastify, n, status, headers, insertion, None);
                site.middleware = Some(fact(m, MiddlewareRelation::HandlesFailure, verify.clone()));
                out.push(site);
            }
        }
        out
    }
}

fn fact(
    m: &'static Middleware,
    relation: MiddlewareRelation,
    range: Range<usize>,
) -> MiddlewareFact {
    MiddlewareFact {
        middleware: m,
        relation,
        range,
    }
}

/// A `….setHeader('WWW-Authenticate', …)` (or `.header`, `.set`, `.append`)
/// call on any receiver, in the site's function, on the way to the site.
fn challenge_set_before<'a>(cx: &Cx<'a>, site: Node<'a>) -> Option<ChallengeHeader> {
    let body = enclosing_function(cx, site).and_then(function_body)?;
    let before = site.start_byte();
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        if n.start_byte() >= before || (n.id() != body.id() && is_function(n)) {
            continue;
        }
        stack.extend(named_children(n));
        if n.kind_name() != "call_expression" {
            continue;
        }
        let Some(method) = n
            .field("function")
            .filter(|f| f.kind_name() == "member_expression")
            .and_then(|f| f.field("property"))
            .map(|p| text(p, cx.src))
        else {
            continue;
        };
        if !matches!(method, "setHeader" | "header" | "set" | "append") {
            continue;
        }
        // The call's innermost block must also hold the site: it runs on the way there.
        let mut b = cx.up(n);
        while let Some(x) = b.filter(|x| x.kind_name() != "statement_block") {
            b = cx.up(x);
        }
        if !b.is_some_and(|b| b.byte_range().contains(&before)) {
            continue;
        }
        if let Some(ch) = cx.challenge_set_by(n, method) {
            return Some(ch);
        }
    }
    None
}

/// `{ expressjwt: jwt, UnauthorizedError }` → (local, exported) pairs.
fn object_pattern_bindings(cx: &Cx, pattern: Node) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if pattern.kind_name() != "object_pattern" {
        return out;
    }
    for c in named_children(pattern) {
        match c.kind_name() {
            "shorthand_property_identifier_pattern" => {
                let n = text(c, cx.src).to_string();
                out.push((n.clone(), n));
            }
            "pair_pattern" => {
                if let (Some(k), Some(v)) = (c.field("key"), c.field("value")) {
                    if v.kind_name() == "identifier" {
                        out.push((text(v, cx.src).to_string(), text(k, cx.src).to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `require('spec')` → `spec`.
fn required_spec(cx: &Cx, v: Node) -> Option<String> {
    let v = unwrap_expr(v);
    if v.kind_name() != "call_expression" {
        return None;
    }
    let f = v.field("function")?;
    if text(f, cx.src) != "require" {
        return None;
    }
    let arg = v.field("arguments")?.named_child(0)?;
    string_value(arg, cx.src)
}

/// An Express error handler: `(err, req, res, next) => …`: four parameters,
/// the first named like an error.
fn error_handler_arity(cx: &Cx, f: Node) -> bool {
    let Some(params) = f.field("parameters") else {
        return false;
    };
    let params: Vec<Node> = named_children(params)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    params.len() == 4 && {
        let first = text(params[0], cx.src);
        let name = first.split(':').next().unwrap_or("").trim().to_lowercase();
        matches!(
            name.as_str(),
            "err" | "error" | "e" | "ex" | "exception" | "_err"
        )
    }
}

/// `request.jwtVerify()` / `req.jwtVerify({ onlyCookie: true })` (@fastify/jwt),
/// not jose's `jose.jwtVerify(token, key)`.
fn is_fastify_jwt_verify(cx: &Cx, call: Node) -> bool {
    let Some(f) = call
        .field("function")
        .filter(|f| f.kind_name() == "member_expression")
    else {
        return false;
    };
    let prop = f.field("property").map(|p| text(p, cx.src));
    let obj = f.field("object").map(|o| text(o, cx.src));
    prop == Some("jwtVerify") && obj != Some("jose") && args_of(call).len() <= 1
}
