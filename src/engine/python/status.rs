//! What status code an expression evaluates to ([`StatusEval`]): literals,
//! `status.HTTP_401_UNAUTHORIZED`/`HTTPStatus` constants, local and imported
//! bindings, and statuses forwarded from an upstream response.

use super::nodes::{enclosing_function, is_scope, leftmost, param_index, unwrap_expr};
use super::{Cx, MAX_PARENT_WALK, MAX_RESOLVE_DEPTH};
use crate::engine::eval::StatusEval;
use crate::engine::index::Export;
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use tree_sitter::Node;

/// Statuses named by `HTTPStatus` members.
fn named_status(name: &str) -> Option<u16> {
    Some(match name.to_ascii_uppercase().as_str() {
        "OK" => 200,
        "CREATED" => 201,
        "NO_CONTENT" => 204,
        "BAD_REQUEST" => 400,
        "UNAUTHORIZED" => 401,
        "PAYMENT_REQUIRED" => 402,
        "FORBIDDEN" => 403,
        "NOT_FOUND" => 404,
        "CONFLICT" => 409,
        "TOO_MANY_REQUESTS" => 429,
        "INTERNAL_SERVER_ERROR" => 500,
        "BAD_GATEWAY" => 502,
        "SERVICE_UNAVAILABLE" => 503,
        _ => return None,
    })
}

/// `HTTP_401_UNAUTHORIZED` → 401 (Starlette / DRF `status` constants).
pub(super) fn status_constant(name: &str) -> Option<u16> {
    let rest = name.strip_prefix("HTTP_")?;
    let digits = rest.get(..3)?;
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if rest.len() > 3 && !rest[3..].starts_with('_') {
        return None;
    }
    digits.parse().ok().filter(|c| (100..=599).contains(c))
}

pub(super) fn known_indirect(code: u16, node: Node) -> StatusEval {
    StatusEval::Known(vec![StatusValue {
        code,
        range: node.byte_range(),
        literal: false,
        branch_condition: None,
    }])
}

impl<'a> Cx<'a> {
    /// Evaluates a status expression.
    pub(super) fn eval_status(&self, node: Node<'a>, depth: usize) -> StatusEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return StatusEval::Unknown;
        }
        match node.kind_name() {
            "integer" => match text(node, self.src).parse::<u16>() {
                Ok(code) if (100..=599).contains(&code) => StatusEval::Known(vec![StatusValue {
                    code,
                    range: node.byte_range(),
                    literal: true,
                    branch_condition: None,
                }]),
                _ => StatusEval::Unknown,
            },
            "conditional_expression" => {
                let parts: Vec<Node> = named_children(node).collect();
                let [cons, cond, alt] = parts.as_slice() else {
                    return StatusEval::Unknown;
                };
                let cond = text(*cond, self.src).to_string();
                let mut values = Vec::new();
                for (branch, negate) in [(*cons, false), (*alt, true)] {
                    let eval = self.eval_status(branch, depth + 1);
                    // `r.status if r else 500`: the upstream's status when there is one.
                    if let StatusEval::Forwarded(r, s) = eval {
                        return StatusEval::Forwarded(r, s);
                    }
                    if let StatusEval::Known(vs) = eval {
                        for mut v in vs {
                            let c = if negate {
                                format!("not ({cond})")
                            } else {
                                cond.clone()
                            };
                            v.branch_condition = Some(match v.branch_condition.take() {
                                Some(inner) => format!("{c} and {inner}").into(),
                                None => c.into(),
                            });
                            values.push(v);
                        }
                    }
                }
                if values.is_empty() {
                    StatusEval::Unknown
                } else {
                    StatusEval::Known(values)
                }
            }
            "boolean_operator" => {
                // `upstream.status_code or 502`
                let left = node.field("left").map(|l| self.eval_status(l, depth + 1));
                let right = node.field("right").map(|r| self.eval_status(r, depth + 1));
                match (left, right) {
                    (Some(StatusEval::Forwarded(r, s)), _) => StatusEval::Forwarded(r, s),
                    (Some(StatusEval::Known(mut a)), Some(StatusEval::Known(b))) => {
                        a.extend(b);
                        StatusEval::Known(a)
                    }
                    (Some(StatusEval::Known(a)), _) | (_, Some(StatusEval::Known(a))) => {
                        StatusEval::Known(a)
                    }
                    _ => StatusEval::Unknown,
                }
            }
            "identifier" => {
                let name = text(node, self.src);
                if let Some(func) = enclosing_function(self, node) {
                    if let Some(i) = param_index(func, name, self.src) {
                        // A status parameter with a default is still a parameter.
                        return StatusEval::Param(i);
                    }
                }
                if let Some(v) = self.resolve_local(name, node) {
                    return match self.eval_status(v, depth + 1) {
                        StatusEval::Known(vs) => StatusEval::Known(
                            vs.into_iter()
                                .map(|mut v| {
                                    v.range = node.byte_range();
                                    v.literal = false;
                                    v
                                })
                                .collect(),
                        ),
                        other => other,
                    };
                }
                if let Some((_, orig)) = self.imports.get(name) {
                    if let Some((Export::Number(code), _)) = self.imported(name) {
                        return known_indirect(code, node);
                    }
                    if let Some(code) = status_constant(orig) {
                        // `from starlette.status import HTTP_401_UNAUTHORIZED`
                        return known_indirect(code, node);
                    }
                }
                StatusEval::Unknown
            }
            "attribute" => {
                let obj = node.field("object");
                let attr = node
                    .field("attribute")
                    .map(|a| text(a, self.src))
                    .unwrap_or("");
                let obj_text = obj.map(|o| text(o, self.src)).unwrap_or("");
                let obj_last = obj_text.rsplit('.').next().unwrap_or(obj_text);
                if let Some(code) = status_constant(attr) {
                    return StatusEval::Known(vec![StatusValue {
                        code,
                        range: node.byte_range(),
                        literal: true,
                        branch_condition: None,
                    }]);
                }
                if matches!(obj_last, "HTTPStatus" | "HTTPStatusCode" | "HttpStatus") {
                    if let Some(code) = named_status(attr) {
                        return StatusEval::Known(vec![StatusValue {
                            code,
                            range: node.byte_range(),
                            literal: true,
                            branch_condition: None,
                        }]);
                    }
                }
                if attr == "value" {
                    if let Some(o) = obj {
                        if let StatusEval::Known(vs) = self.eval_status(o, depth + 1) {
                            return StatusEval::Known(vs);
                        }
                    }
                }
                if matches!(attr, "status_code" | "status") {
                    if let Some(o) = obj {
                        if self.looks_upstream(o, attr) {
                            return StatusEval::Forwarded(
                                node.byte_range(),
                                text(node, self.src).to_string(),
                            );
                        }
                    }
                }
                if let Some(o) = obj.filter(|o| o.kind_name() == "identifier") {
                    if let Some((Export::Number(code), _)) =
                        self.imported_member(text(o, self.src), attr)
                    {
                        return known_indirect(code, node);
                    }
                    // `RetCode.UNAUTHORIZED` of an enumeration imported by name.
                    if let Some((module, name)) = self.imports.get(text(o, self.src)) {
                        if let Some((Export::Number(code), _)) =
                            self.module_export(module, &format!("{name}.{attr}"))
                        {
                            return known_indirect(code, node);
                        }
                    }
                }
                StatusEval::Unknown
            }
            "call" => {
                // `int(HTTPStatus.UNAUTHORIZED)`, `HTTPStatus(401)`
                let f = node
                    .field("function")
                    .map(|f| text(f, self.src))
                    .unwrap_or("");
                if matches!(f, "int" | "HTTPStatus" | "http.HTTPStatus") {
                    if let Some(a) = node
                        .field("arguments")
                        .and_then(|a| named_children(a).find(|c| c.kind_name() != "comment"))
                    {
                        return self.eval_status(a, depth + 1);
                    }
                }
                StatusEval::Unknown
            }
            _ => StatusEval::Unknown,
        }
    }

    /// Whether `obj` (in `obj.status_code`) is a response received from another service.
    fn looks_upstream(&self, obj: Node<'a>, attr: &str) -> bool {
        let obj = unwrap_expr(obj);
        let t = text(obj, self.src);
        if t.to_ascii_lowercase().contains("upstream") {
            return true;
        }
        match obj.kind_name() {
            // `e.response.status_code` (requests HTTPError, httpx HTTPStatusError)
            "attribute" => t.ends_with(".response") && !t.starts_with("self."),
            "call" => self.is_client_call(obj),
            "identifier" => {
                if let Some(v) = self.resolve_local(t, obj) {
                    if self.is_client_call(unwrap_expr(v)) {
                        return true;
                    }
                }
                // `r = None` first, then `r = await session.post(…)` in a
                // `try` whose `except` reads `r.status`.
                if self.assigned_client_call(t, obj) {
                    return true;
                }
                // `async with session.get(url) as resp:`
                if let Some(call) = self.with_target_value(t, obj) {
                    return self.is_client_call(call);
                }
                let _ = attr;
                false
            }
            _ => false,
        }
    }

    /// Whether the function around `at` assigns `name` an outbound call's
    /// result anywhere before `at` (`name = await session.post(…)`).
    fn assigned_client_call(&self, name: &str, at: Node<'a>) -> bool {
        let Some(func) = enclosing_function(self, at) else {
            return false;
        };
        let mut stack = vec![func];
        while let Some(n) = stack.pop() {
            if n.start_byte() >= at.start_byte() || (n.id() != func.id() && is_scope(n)) {
                continue;
            }
            if n.kind_name() == "assignment"
                && n.field("left").is_some_and(|l| text(l, self.src) == name)
                && n.field("right")
                    .is_some_and(|r| self.is_client_call(unwrap_expr(r)))
            {
                return true;
            }
            // `async with session.post(…) as response:` before an `except` reading it.
            if self
                .as_binding(n, name)
                .is_some_and(|v| self.is_client_call(v))
            {
                return true;
            }
            stack.extend(named_children(n));
        }
        false
    }

    /// The value `x` binds when it is `X as name` (a `with` item).
    fn as_binding(&self, x: Node<'a>, name: &str) -> Option<Node<'a>> {
        (x.kind_name() == "as_pattern"
            && x.field("alias")
                .is_some_and(|a| text(a, self.src).trim() == name))
        .then(|| x.named_child(0).map(unwrap_expr))
        .flatten()
    }

    /// The value of `with X as name:` enclosing `at`.
    fn with_target_value(&self, name: &str, at: Node<'a>) -> Option<Node<'a>> {
        let mut p = self.up(at);
        let mut steps = 0;
        while let Some(n) = p {
            steps += 1;
            if steps > MAX_PARENT_WALK || is_scope(n) {
                return None;
            }
            if n.kind_name() == "with_statement" {
                let mut stack = vec![n];
                while let Some(x) = stack.pop() {
                    if let Some(v) = self.as_binding(x, name) {
                        return Some(v);
                    }
                    if x.kind_name() != "block" {
                        stack.extend(named_children(x));
                    }
                }
            }
            p = self.up(n);
        }
        None
    }

    /// A call to an HTTP client: `requests.get(...)`, `await client.post(...)`,
    /// `httpx.request(...)`, `session.get(...)`, `urlopen(...)`.
    fn is_client_call(&self, v: Node) -> bool {
        if v.kind_name() != "call" {
            return false;
        }
        let Some(f) = v.field("function") else {
            return false;
        };
        let ft = text(f, self.src);
        let root = leftmost(f).map(|r| text(r, self.src)).unwrap_or(ft);
        let module = self.imports.get(root).map(|(m, _)| &**m).unwrap_or("");
        let client_module = |m: &str| {
            matches!(
                m.split('.').next().unwrap_or(""),
                "requests" | "httpx" | "aiohttp" | "urllib" | "urllib3" | "httplib2" | "niquests"
            )
        };
        if client_module(module) || client_module(root) {
            return true;
        }
        let method = ft.rsplit('.').next().unwrap_or(ft);
        let verb = matches!(
            method,
            "get"
                | "post"
                | "put"
                | "patch"
                | "delete"
                | "head"
                | "options"
                | "request"
                | "send"
                | "fetch"
        ) || method == "urlopen";
        let lower = ft.to_ascii_lowercase();
        verb && (lower.contains("client") || lower.contains("session") || lower.contains("http"))
    }
}
