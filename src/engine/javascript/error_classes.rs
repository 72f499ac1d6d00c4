//! Error classes that fix their status, declared in the file or exported by
//! a module it imports (through re-exports and workspace packages):
//!
//! ```ts
//! class UnauthorizedError extends BaseError {
//!   constructor(message = 'Unauthorized') { super('UnauthorizedError', 401, message) }
//! }
//! ```
//!
//! and `this.status = 401` in the constructor, or a field `statusCode = 401`.
//! `throw new UnauthorizedError(…)` is then a response site where the
//! `catch` of the same function answers from the error (and so sends that
//! status). Only classes named as errors (`…Error`, `…Exception`) are looked at.

use super::errors::{answered_in_function, caught_in_function};
use super::nodes::{args_of, enclosing_function, unwrap_expr};
use super::site::Raw;
use super::status::known_indirect;
use super::Cx;
use crate::engine::eval::HeaderEval;
use crate::engine::index::{ErrorClassSig, Export};
use crate::engine::model::Framework;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use tree_sitter::Node;

/// Fields whose value is the error's HTTP status.
pub(super) const STATUS_FIELDS: &[&str] = &[
    "status",
    "statusCode",
    "httpCode",
    "httpStatus",
    "httpStatusCode",
];

/// How many `extends` of classes in the same file are followed.
const MAX_EXTENDS: usize = 3;

/// The fixed status of the class `new` builds, if it is one.
pub(super) fn fixed_class(cx: &Cx, ctor: Node) -> Option<ErrorClassSig> {
    if ctor.kind_name() != "identifier" {
        return None;
    }
    let name = text(ctor, cx.src);
    // `UnauthorizedError`, `AuthException`; or a class named for what it
    // answers (`AuthenticationRequired`, `Forbidden`).
    let named_for_auth = [
        "Unauthorized",
        "Unauthenticated",
        "NotAuthenticated",
        "AuthenticationRequired",
        "Forbidden",
        "PermissionDenied",
        "AccessDenied",
    ]
    .iter()
    .any(|w| name.contains(w));
    if !(name.ends_with("Error") || name.ends_with("Exception") || named_for_auth) {
        return None;
    }
    if cx.imports.contains_key(name) {
        return match cx.imported(name)? {
            (Export::ErrorClass(sig), _) => Some(sig),
            _ => None,
        };
    }
    let class = local_class(cx, name)?;
    cx.read(class);
    class_sig(cx, class, 0)
}

/// A class declared at the top level of the file (exported or not).
pub(super) fn local_class<'t>(cx: &Cx<'t>, name: &str) -> Option<Node<'t>> {
    cx.stmts.iter().find_map(|s| {
        let decl = match s.kind_name() {
            "export_statement" => s.field("declaration")?,
            _ => *s,
        };
        (matches!(
            decl.kind_name(),
            "class_declaration" | "abstract_class_declaration"
        ) && decl.field("name").is_some_and(|n| text(n, cx.src) == name))
        .then_some(decl)
    })
}

/// What a class declaration fixes: its status, and a default message.
pub(super) fn class_sig(cx: &Cx, class: Node, depth: usize) -> Option<ErrorClassSig> {
    let body = class.field("body")?;
    let mut message = None;
    let mut code = None;
    for member in named_children(body) {
        match member.kind_name() {
            // `statusCode = 401`, `readonly status = 401`
            "public_field_definition" | "field_definition" => {
                let key = member.field("name").or_else(|| member.field("property"));
                if key.is_some_and(|k| STATUS_FIELDS.contains(&text(k, cx.src))) {
                    code = code.or_else(|| member.field("value").and_then(|v| status_of(cx, v)));
                }
            }
            "method_definition"
                if member
                    .field("name")
                    .is_some_and(|n| text(n, cx.src) == "constructor") =>
            {
                if let Some(b) = member.field("body") {
                    let (c, m) = constructor_status(cx, b);
                    code = code.or(c);
                    message = message.or(m);
                }
            }
            _ => {}
        }
    }
    let code = match code {
        Some(c) => c,
        // `class TokenExpiredError extends UnauthorizedError {}`
        None if depth < MAX_EXTENDS => {
            let parent = superclass(class, cx.src)?;
            let parent = local_class(cx, parent)?;
            cx.read(parent);
            return class_sig(cx, parent, depth + 1);
        }
        None => return None,
    };
    Some(ErrorClassSig {
        code,
        framework: Framework::StatusError,
        message,
        challenge: None,
        definition: class.byte_range(),
        lineage: Vec::new(),
        ctor: None,
        response: false,
    })
}

fn superclass<'s>(class: Node, src: &'s str) -> Option<&'s str> {
    let heritage = named_children(class).find(|c| c.kind_name() == "class_heritage")?;
    let mut stack = vec![heritage];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "identifier" {
            return Some(text(n, src));
        }
        stack.extend(named_children(n));
    }
    None
}

/// `super('Unauthorized', 401, message)`, `super({ status: 401 })` or
/// `this.status = 401` in a constructor; the first string `super` gets is
/// the default message.
fn constructor_status(cx: &Cx, body: Node) -> (Option<u16>, Option<String>) {
    let mut code = None;
    let mut message = None;
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "call_expression"
                if n.field("function")
                    .is_some_and(|f| f.kind_name() == "super") =>
            {
                for a in args_of(n) {
                    let a = unwrap_expr(a);
                    match a.kind_name() {
                        "object" => {
                            code = code.or_else(|| object_status(cx, a));
                        }
                        "string" | "template_string" => {
                            message = message.or_else(|| string_value(a, cx.src));
                        }
                        _ => code = code.or_else(|| status_of(cx, a)),
                    }
                }
            }
            "assignment_expression" => {
                let left = n
                    .field("left")
                    .filter(|l| l.kind_name() == "member_expression");
                let this_status = left.is_some_and(|l| {
                    l.field("object").is_some_and(|o| o.kind_name() == "this")
                        && l.field("property")
                            .is_some_and(|p| STATUS_FIELDS.contains(&text(p, cx.src)))
                });
                if this_status {
                    code = code.or_else(|| n.field("right").and_then(|v| status_of(cx, v)));
                }
            }
            "function_expression" | "arrow_function" | "class" => continue,
            _ => {}
        }
        stack.extend(named_children(n));
    }
    (code, message)
}

fn object_status(cx: &Cx, obj: Node) -> Option<u16> {
    named_children(obj).find_map(|p| {
        let key = p.field("key").filter(|_| p.kind_name() == "pair")?;
        let key = text(key, cx.src).trim_matches(['\'', '"']);
        (STATUS_FIELDS.contains(&key) || key == "code")
            .then(|| p.field("value").and_then(|v| status_of(cx, v)))
            .flatten()
    })
}

/// 401 or 403 written as a number, a status constant member
/// (`HttpStatus.UNAUTHORIZED`) or its upper-case name (`'FORBIDDEN'`).
fn status_of(cx: &Cx, v: Node) -> Option<u16> {
    let v = unwrap_expr(v);
    let t = text(v, cx.src);
    let code = match v.kind_name() {
        "number" => t.parse().ok()?,
        "string" => super::packs::status_name(cx, v)?,
        "member_expression" => match text(v.field("property")?, cx.src) {
            "UNAUTHORIZED" | "Unauthorized" => 401,
            "FORBIDDEN" | "Forbidden" => 403,
            _ => return None,
        },
        _ => return None,
    };
    matches!(code, 401 | 403).then_some(code)
}

/// `throw new UnauthorizedError(…)` (or returned, or passed to an
/// assertion) of a class with a fixed status.
pub(super) fn error_class_site<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let ctor = node.field("constructor")?;
    let sig = fixed_class(cx, ctor)?;
    let p = super::site::holder(cx, node)?;
    // Where such an error becomes a response is rarely in sight: a Next.js
    // page or server component that throws it renders an error page, a
    // route handler's uncaught throw is a 500. It is a 401 or 403 when the
    // same function's `catch` answers from it, or when no `catch` of the
    // function takes it and the project answers thrown errors with their
    // own status ([`super::error_answer`]); not in a component's file.
    if p.kind_name() != "throw_statement" {
        return None;
    }
    if !answered_in_function(cx, p) {
        let component = cx
            .path
            .extension()
            .is_some_and(|e| e == "tsx" || e == "jsx");
        if component
            || caught_in_function(cx, p)
            || in_route_entry(cx, p)
            || super::error_answer::error_status_answer(cx.index, cx.path).is_none()
        {
            return None;
        }
    }
    let class = ctor.field("property").unwrap_or(ctor);
    if super::errors::class_answered_in_catch(cx, p, text(class, cx.src)) {
        return None;
    }
    let message_node = args_of(node)
        .first()
        .copied()
        .filter(|a| matches!(a.kind_name(), "string" | "template_string"));
    Some(Raw {
        framework: Framework::StatusError,
        node,
        status: known_indirect(sig.code, ctor),
        headers: HeaderEval::default(),
        insertion: None,
        message_node,
        function: enclosing_function(cx, node),
        pack: None,
        wraps: None,
    })
}

/// Whether `node` is written directly in a route handler the framework
/// calls itself (Next.js's `export async function GET` in `route.ts`, a
/// `pages/api` default export, SvelteKit's `+server.ts`): an error thrown
/// there and not caught is a 500, whatever its class says.
fn in_route_entry(cx: &Cx, node: Node) -> bool {
    let path = cx.path.to_string_lossy().replace('\\', "/");
    let stem = cx
        .path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let pages_api = path.contains("/pages/api/");
    if !(stem == "route" || stem == "+server" || pages_api) {
        return false;
    }
    let Some(top) = cx
        .stmts
        .iter()
        .find(|s| s.byte_range().contains(&node.start_byte()))
    else {
        return false;
    };
    if top.kind_name() != "export_statement" {
        return false;
    }
    // `export default function handler`, `export default withAuth(…)`.
    let default = text(*top, cx.src).starts_with("export default");
    let Some(decl) = top.field("declaration").or_else(|| top.field("value")) else {
        return false;
    };
    let handler = |name: &str| {
        matches!(
            name,
            "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS"
        ) || default && pages_api
    };
    match decl.kind_name() {
        "function_declaration" | "function_expression" | "arrow_function" | "function" => decl
            .field("name")
            .map_or(default && pages_api, |n| handler(text(n, cx.src))),
        "lexical_declaration" | "variable_declaration" => named_children(decl).any(|d| {
            d.kind_name() == "variable_declarator"
                && d.field("name").is_some_and(|n| handler(text(n, cx.src)))
                && d.field("value").is_some_and(|v| {
                    matches!(
                        unwrap_expr(v).kind_name(),
                        "arrow_function" | "function_expression" | "function"
                    ) && v.byte_range().contains(&node.start_byte())
                })
        }),
        _ => false,
    }
}
