//! Thrown errors that become responses without a pack saying so: errors
//! carrying a status name or a `status`/`statusCode` (`new APIError('UNAUTHORIZED')`,
//! `new TRPCError({ code: 'FORBIDDEN' })`).

use super::logging::in_log_call;
use super::nodes::{args_of, enclosing_function, is_function, pair, unwrap_expr};
use super::site::Raw;
use super::status::known_indirect;
use super::Cx;
use crate::engine::eval::HeaderEval;
use crate::engine::model::*;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use tree_sitter::Node;

/// The status an error's constructor names: a first argument `'UNAUTHORIZED'`
/// or `'FORBIDDEN'` (any case), an options object whose `code` is one, or
/// the number itself among its first three arguments (`new
/// HttpError(401, msg)`, `new SafeError(msg, 401)`). Returns the code and
/// the node that names it.
pub(super) fn status_name_arg<'t>(node: Node<'t>, src: &str) -> Option<(u16, Node<'t>)> {
    // JavaScript's own errors carry messages, never statuses:
    // `new Error('Unauthorized')` is not a 401.
    let ctor = node
        .field("constructor")
        .map(|c| text(c, src))
        .unwrap_or("");
    if BUILTIN_ERRORS.contains(&ctor) {
        return None;
    }
    let args = args_of(node);
    let first = *args.first()?;
    // A project's error class given its status: what else would a literal
    // 401 or 403 passed to it be?
    let number = args.iter().take(3).find_map(|a| match text(*a, src) {
        "401" if a.kind_name() == "number" => Some((401, *a)),
        "403" if a.kind_name() == "number" => Some((403, *a)),
        _ => None,
    });
    let named = |n: Node<'t>, any_case: bool| -> Option<(u16, Node<'t>)> {
        let v = string_value(n, src)?;
        let v = v.trim();
        let upper = v.to_ascii_uppercase();
        if !any_case && v != upper {
            return None;
        }
        match upper.as_str() {
            "UNAUTHORIZED" => Some((401, n)),
            "FORBIDDEN" => Some((403, n)),
            _ => None,
        }
    };
    match first.kind_name() {
        // A positional status name is written as a code (`'UNAUTHORIZED'`);
        // `'Unauthorized'` is more often a message.
        "string" => named(first, false).or(number),
        // An enum member named so: `new AppError(AppErrorCode.UNAUTHORIZED, …)`.
        "member_expression" => first.field("property").and_then(|p| match text(p, src) {
            "UNAUTHORIZED" => Some((401, first)),
            "FORBIDDEN" => Some((403, first)),
            _ => None,
        }),
        "object" => {
            let entry = |keys: &[&str]| {
                named_children(first)
                    .filter(|p| p.kind_name() == "pair")
                    .find(|p| p.field("key").is_some_and(|k| keys.contains(&text(k, src))))
                    .and_then(|p| p.field("value"))
            };
            // `{ code: 'UNAUTHORIZED' }`, or a status number:
            // `new RequestError({ code: 'auth.unauthorized', status: 401 })`.
            entry(&["code"]).and_then(|v| named(v, true)).or_else(|| {
                let v = entry(&["status", "statusCode", "httpStatus"])?;
                match text(v, src) {
                    "401" => Some((401, v)),
                    "403" => Some((403, v)),
                    _ => None,
                }
            })
        }
        _ => number,
    }
}

const BUILTIN_ERRORS: &[&str] = &[
    "Error",
    "TypeError",
    "RangeError",
    "SyntaxError",
    "ReferenceError",
    "EvalError",
    "URIError",
    "AggregateError",
    "DOMException",
];

/// `throw new APIError('UNAUTHORIZED', body, headers)`, `new
/// TRPCError({ code: 'FORBIDDEN', message })`: an error that names its
/// status, thrown or returned (one only built here is not yet a response).
pub(super) fn status_error<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let p = super::site::holder(cx, node)?;
    // `assertThat(cond, new RequestError({ status: 401 }))` throws it.
    let asserted = p.kind_name() == "arguments" && cx.asserted_condition(p, node).is_some();
    if !asserted && !matches!(p.kind_name(), "throw_statement" | "return_statement") {
        return None;
    }
    if p.kind_name() == "throw_statement" && caught_in_function(cx, p) {
        return None; // a `catch` of the same function decides what is sent
    }
    let (code, name) = status_name_arg(node, cx.src)?;
    let args = args_of(node);
    let first = *args.first()?;
    let mut headers = HeaderEval::default();
    let message_node = if first.kind_name() == "object" {
        if let Some(h) = pair(cx, first, "headers").and_then(|p| p.field("value")) {
            headers.merge(cx.eval_headers(h, node, 0));
        }
        // An OAuth error body says it as `error_description` and `error`.
        ["message", "error", "error_description"]
            .iter()
            .find_map(|k| pair(cx, first, k).and_then(|p| p.field("value")))
    } else if name.kind_name() == "number" {
        // `new SafeError('Missing API key', 401)`, `new AppError('CODE', 401,
        // 'A sentence')`: the message is a string argument, the sentence if
        // there is one. An error that carries a whole response (`{ res }`)
        // answers with that response, a site of its own.
        let carries_response = args.iter().any(|a| {
            a.kind_name() == "object"
                && (pair(cx, *a, "res").is_some() || pair(cx, *a, "response").is_some())
        });
        if carries_response {
            return None;
        }
        let strings: Vec<Node> = args
            .iter()
            .copied()
            .filter(|a| matches!(a.kind_name(), "string" | "template_string"))
            .collect();
        strings
            .iter()
            .copied()
            .find(|a| text(*a, cx.src).contains(' '))
            .or(strings.first().copied())
    } else {
        // `(status, body, headers)`: headers the caller passes are evaluated;
        // anything but an object literal may carry a challenge.
        if let Some(h) = args.get(2) {
            headers.merge(cx.eval_headers(*h, node, 0));
        }
        args.get(1).copied()
    };
    Some(Raw {
        framework: Framework::StatusError,
        node,
        status: known_indirect(code, name),
        headers,
        insertion: None,
        message_node,
        function: enclosing_function(cx, node),
        pack: None,
        wraps: None,
    })
}

/// Whether `throw_stmt` sits in the block of a `try` whose `catch` does not
/// let the error through, within its own function: the error is caught
/// there, not sent as it is.
///
/// A catch that only reads the error to choose a log message (`if
/// (error?.status === 401) message = 'bad key'; logger.error(message)`)
/// keeps it: it must also answer (return, send a status or a response) or
/// hand the error itself to a call (`handleError(res, e)`, `next(e)`).
pub(super) fn caught_in_function(cx: &Cx, throw_stmt: Node) -> bool {
    catch_of(cx, throw_stmt).is_some_and(|h| {
        let u = catch_use(cx, h);
        !(u.rethrows || u.passes_error || (u.uses_error && answers(cx, h)))
    })
}

/// Whether a `catch` clause returns a value or sends something.
fn answers(cx: &Cx, handler: Node) -> bool {
    let body = handler.field("body").map_or("", |b| text(b, cx.src));
    [
        "return ",
        ".status(",
        "Response",
        ".json(",
        ".send(",
        ".end(",
        "redirect(",
    ]
    .iter()
    .any(|w| body.contains(w))
}

/// Whether the `catch` around `throw_stmt` in its function answers from
/// the error: it uses the error (not only to log it or wrap it in another
/// thrown error) and speaks of a status or a response
/// (`res.status(error.httpCode)`, `return errorResponse(e)`).
pub(super) fn answered_in_function(cx: &Cx, throw_stmt: Node) -> bool {
    catch_of(cx, throw_stmt).is_some_and(|h| {
        let body = text(h, cx.src);
        catch_use(cx, h).uses_error
            && ["status", "Status", "httpCode", "Response", "json("]
                .iter()
                .any(|w| body.contains(w))
    })
}

/// Whether the `catch` around `throw_stmt` answers an error of class
/// `class` with a status of its own (`if (error instanceof AuthError)
/// return json(…, 401)`): that answer is the response, and a site of its
/// own, so the thrown error is not another one.
pub(super) fn class_answered_in_catch(cx: &Cx, throw_stmt: Node, class: &str) -> bool {
    let Some(h) = catch_of(cx, throw_stmt) else {
        return false;
    };
    let body = text(h, cx.src);
    let probe = format!("instanceof {class}");
    body.match_indices(&probe).any(|(i, _)| {
        let after = &body[i + probe.len()..];
        // Not a longer name (`instanceof AuthErrorBase`).
        if after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
        {
            return false;
        }
        // This branch: up to the next class test.
        let branch = &after[..after.find("instanceof").unwrap_or(after.len())];
        ["401", "403"].iter().any(|code| {
            branch.match_indices(code).any(|(j, _)| {
                let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
                !digit(branch[..j].chars().next_back()) && !digit(branch[j + 3..].chars().next())
            })
        })
    })
}

/// The `catch` clause of the nearest `try` around `throw_stmt` in its function.
fn catch_of<'t>(cx: &Cx<'t>, throw_stmt: Node<'t>) -> Option<Node<'t>> {
    let mut node = throw_stmt;
    while let Some(p) = cx.up(node) {
        if is_function(p) {
            return None;
        }
        if p.kind_name() == "try_statement" && p.field("body").is_some_and(|b| b.id() == node.id())
        {
            return p.field("handler");
        }
        node = p;
    }
    None
}

struct CatchUse {
    /// It throws the error again, or something that is not a new error
    /// (`throw e`, `if (e instanceof APIError) throw e`, `throw wrap(e)`).
    rethrows: bool,
    /// It makes something of the error besides a log line or a new thrown
    /// error (`return handleErrorResponse(e)`, `handleApiError({ error: e })`).
    uses_error: bool,
    /// It hands the error itself on: an argument, a returned value, an
    /// object's value (`next(e)`, `return e`, `{ error: e }`).
    passes_error: bool,
}

fn catch_use(cx: &Cx, handler: Node) -> CatchUse {
    let param = handler.field("parameter").map(|x| text(x, cx.src));
    let mut u = CatchUse {
        rethrows: false,
        uses_error: false,
        passes_error: false,
    };
    let mut stack: Vec<(Node, bool)> = handler
        .field("body")
        .map(|b| (b, false))
        .into_iter()
        .collect();
    while let Some((n, in_new_throw)) = stack.pop() {
        let mut inside = in_new_throw;
        match n.kind_name() {
            "throw_statement" => {
                let arg = n.named_child(0).map(unwrap_expr);
                if arg.is_some_and(|a| a.kind_name() == "new_expression") {
                    inside = true;
                } else {
                    u.rethrows = true;
                }
            }
            "identifier"
                if !in_new_throw
                    && Some(text(n, cx.src)) == param
                    && !in_log_call(cx, n, handler) =>
            {
                u.uses_error = true;
                u.passes_error |= cx.up(n).is_some_and(|p| {
                    matches!(
                        p.kind_name(),
                        "arguments" | "pair" | "return_statement" | "array" | "spread_element"
                    )
                });
            }
            _ => {}
        }
        stack.extend(named_children(n).map(|c| (c, inside)));
    }
    u
}
