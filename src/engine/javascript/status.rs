//! What status code an expression evaluates to ([`StatusEval`]): literals,
//! named constants and status enums, local and imported bindings, and
//! statuses forwarded from an upstream response.

use super::context::is_destructured;
use super::nodes::{enclosing_function, unwrap_expr};
use super::{Cx, MAX_RESOLVE_DEPTH};
use crate::engine::eval::StatusEval;
use crate::engine::index::Export;
use crate::engine::model::*;
use crate::engine::syntax::{text, NodeExt};
use tree_sitter::Node;

/// Statuses named by well-known enums: `StatusCodes.UNAUTHORIZED`, `Status.Unauthorized`…
fn named_status(name: &str) -> Option<u16> {
    let norm: String = name
        .chars()
        .filter(|c| *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match norm.as_str() {
        "ok" => 200,
        "created" => 201,
        "nocontent" => 204,
        "badrequest" => 400,
        "unauthorized" => 401,
        "paymentrequired" => 402,
        "forbidden" => 403,
        "notfound" => 404,
        "conflict" => 409,
        "toomanyrequests" => 429,
        "internalservererror" => 500,
        "serviceunavailable" => 503,
        _ => return None,
    })
}

/// Objects whose members are HTTP status enums.
const STATUS_ENUMS: &[&str] = &[
    "STATUS_CODE",
    "Status",
    "StatusCodes",
    "HttpStatus",
    "HttpStatusCode",
    "HTTP_STATUS",
    "httpStatus",
    "HTTPStatus",
    "StatusCode",
];

/// Whether `n` reads one environment variable: `process.env.JWT_SECRET`,
/// `Deno.env.get('JWT_SECRET')`, `env.API_KEY` / `c.env.API_KEY` (Workers,
/// Hono), `import.meta.env.SECRET`, optionally with a `?? ''` default. A KV
/// lookup (`env.KEYS.get(key)`) or a call that merely passes a secret is not.
pub(super) fn is_env_read(n: Node, src: &str) -> bool {
    let n = unwrap_expr(n);
    match n.kind_name() {
        "binary_expression" => {
            let op = n.field("operator").map(|o| text(o, src)).unwrap_or("");
            matches!(op, "??" | "||") && n.field("left").is_some_and(|l| is_env_read(l, src))
        }
        "member_expression" | "subscript_expression" => {
            let obj = n.field("object").map(|o| text(o, src)).unwrap_or("");
            let env_object = obj == "process.env"
                || obj == "env"
                || obj.ends_with(".env")
                || obj == "import.meta.env";
            let prop = n
                .field("property")
                .or_else(|| n.field("index"))
                .map(|p| text(p, src))
                .unwrap_or("");
            let prop = prop.trim_matches(['\'', '"', '`']);
            env_object
                && !prop.is_empty()
                && prop
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        }
        "call_expression" => {
            let f = n.field("function").map(|f| text(f, src)).unwrap_or("");
            matches!(
                f,
                "Deno.env.get" | "process.env.get" | "getenv" | "Bun.env.get"
            )
        }
        _ => false,
    }
}

/// Whether an initializer calls another service: `fetch(…)`, axios, got, ky.
fn is_upstream_call(init: &str) -> bool {
    [
        "fetch(", "Fetch(", "axios", "Axios", "got(", "got.", "ky.", "ky(", "request(", "upstream",
        "undici", "$fetch(",
    ]
    .iter()
    .any(|k| init.contains(k))
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
            "number" => match text(node, self.src).parse::<u16>() {
                Ok(code) if (100..=599).contains(&code) => StatusEval::Known(vec![StatusValue {
                    code,
                    range: node.byte_range(),
                    literal: true,
                    branch_condition: None,
                }]),
                _ => StatusEval::Unknown,
            },
            "ternary_expression" => {
                let cond = node
                    .field("condition")
                    .map(|c| text(c, self.src).to_string())
                    .unwrap_or_default();
                let mut values = Vec::new();
                for (field, negate) in [("consequence", false), ("alternative", true)] {
                    if let Some(branch) = node.field(field) {
                        if let StatusEval::Known(vs) = self.eval_status(branch, depth + 1) {
                            for mut v in vs {
                                let c = if negate {
                                    format!("!({cond})")
                                } else {
                                    cond.clone()
                                };
                                v.branch_condition = Some(match v.branch_condition.take() {
                                    Some(inner) => format!("{c} && {inner}").into(),
                                    None => c.into(),
                                });
                                values.push(v);
                            }
                        }
                    }
                }
                if values.is_empty() {
                    StatusEval::Unknown
                } else {
                    StatusEval::Known(values)
                }
            }
            "binary_expression" => {
                // `upstream.status || 500`, `err.status ?? 401`
                let op = node
                    .field("operator")
                    .map(|o| text(o, self.src))
                    .unwrap_or("");
                if matches!(op, "||" | "??") {
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
                } else {
                    StatusEval::Unknown
                }
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = text(node, self.src);
                if let Some(func) = enclosing_function(self, node) {
                    if let Some(i) = self.param_index(func, name) {
                        return StatusEval::Param(i);
                    }
                }
                if let Some(d) = self.declarator_of(name, node) {
                    if is_destructured(d) {
                        if let Some(Export::Number(code)) = self.required(d, name) {
                            return known_indirect(code, node);
                        }
                        // `const { status } = await axios.get(…)`: the upstream's status.
                        let from_upstream = d
                            .field("value")
                            .is_some_and(|v| is_upstream_call(text(v, self.src)));
                        if from_upstream && matches!(name, "status" | "statusCode" | "status_code")
                        {
                            return StatusEval::Forwarded(node.byte_range(), name.to_string());
                        }
                        return StatusEval::Unknown;
                    }
                    if let Some(v) = d.field("value") {
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
                    if let Some(Export::Number(code)) = self.required(d, name) {
                        return known_indirect(code, node);
                    }
                }
                if let Some((Export::Number(code), _)) = self.imported(name) {
                    return known_indirect(code, node);
                }
                StatusEval::Unknown
            }
            "member_expression" => {
                let obj = node.field("object");
                let prop = node
                    .field("property")
                    .map(|p| text(p, self.src))
                    .unwrap_or("");
                let obj_text = obj.map(|o| text(o, self.src)).unwrap_or("");
                let obj_last = obj_text.rsplit('.').next().unwrap_or(obj_text);
                if STATUS_ENUMS.contains(&obj_last) || obj_text.ends_with("STATUS_CODE") {
                    if let Some(code) = named_status(prop) {
                        return StatusEval::Known(vec![StatusValue {
                            code,
                            range: node.byte_range(),
                            literal: true,
                            branch_condition: None,
                        }]);
                    }
                }
                // `const error = new UnauthorizedError(…); res.status(error.statusCode)`:
                // the status the error's class fixes.
                if let Some(code) = obj.and_then(|o| self.built_error_status(o, prop)) {
                    return known_indirect(code, node);
                }
                // `UNAUTHORIZED` imported from a module of constants: `codes.UNAUTHORIZED`
                if matches!(prop, "status" | "statusCode" | "status_code") {
                    if let Some(o) = obj {
                        if self.looks_upstream(o) && !self.proxies_caller_credentials(node) {
                            return StatusEval::Forwarded(
                                node.byte_range(),
                                text(node, self.src).to_string(),
                            );
                        }
                    }
                }
                StatusEval::Unknown
            }
            _ => StatusEval::Unknown,
        }
    }

    /// `error.statusCode` where `error` is a local built by `new` of an
    /// error class with a fixed status (in this file or imported).
    fn built_error_status(&self, obj: Node<'a>, prop: &str) -> Option<u16> {
        if !super::error_classes::STATUS_FIELDS.contains(&prop) || obj.kind_name() != "identifier" {
            return None;
        }
        let value = self
            .declarator_of(text(obj, self.src), obj)?
            .field("value")
            .map(unwrap_expr)
            .filter(|v| v.kind_name() == "new_expression")?;
        let sig = super::error_classes::fixed_class(self, value.field("constructor")?)?;
        Some(sig.code)
    }

    /// A transparent proxy: the handler sends the caller's own request headers
    /// upstream, so the upstream's 401 is about the caller's credentials and
    /// passing it through is correct.
    fn proxies_caller_credentials(&self, at: Node<'a>) -> bool {
        let Some(func) = enclosing_function(self, at) else {
            return false;
        };
        // The outermost handler: the proxy call often sits in a callback.
        let mut outer = func;
        while let Some(f) = enclosing_function(self, outer) {
            outer = f;
        }
        let t: String = text(outer, self.src)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        [
            "headers:req.headers",
            "headers:request.headers",
            "headers:c.req.raw.headers",
            "headers:req.raw.headers",
            "headers:event.headers",
            "headers:{...req.headers",
            "headers:{...request.headers",
        ]
        .iter()
        .any(|k| t.contains(k))
    }

    /// Whether `obj` (the object of `x.status`) is a response received from elsewhere.
    pub(in crate::engine) fn looks_upstream(&self, obj: Node<'a>) -> bool {
        let obj = unwrap_expr(obj);
        let t = text(obj, self.src);
        if obj.kind_name() == "member_expression" {
            // axios errors: `err.response.status`
            return t.ends_with(".response") && !t.starts_with("ctx") && !t.starts_with("this");
        }
        if obj.kind_name() != "identifier" {
            return obj.kind_name() == "await_expression" || obj.kind_name() == "call_expression";
        }
        if let Some(d) = self.declarator_of(t, obj) {
            // Only a value received from an outbound call is upstream: a
            // response-like name alone (`const response = await getUsers()`,
            // an in-process controller's result) is not.
            return d
                .field("value")
                .is_some_and(|v| is_upstream_call(text(v, self.src)));
        }
        // A callback's parameter: `fetch(u).then((r) => …)`,
        // `http.request(options, (proxyRes) => …)`.
        let mut f = enclosing_function(self, obj);
        while let Some(func) = f {
            if self.param_index(func, t).is_some() {
                let call = func
                    .parent()
                    .filter(|a| a.kind_name() == "arguments")
                    .and_then(|a| a.parent())
                    .filter(|c| c.kind_name() == "call_expression");
                return call
                    .and_then(|c| c.field("function"))
                    .is_some_and(|callee| {
                        is_upstream_call(&format!("{}(", text(callee, self.src)))
                    });
            }
            f = enclosing_function(self, func);
        }
        false
    }
}
