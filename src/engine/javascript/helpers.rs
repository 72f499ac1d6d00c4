//! Same-file response helpers (`function deny(res, status) { res.status(status)… }`):
//! their signatures ([`HelperSig`]) and the sites at their call sites.

use super::candidates::in_assertion;
use super::nodes::{args_of, function_body, function_name, pair, unwrap_expr};
use super::site::{build_site, Raw};
use super::Cx;
use crate::engine::eval::{HeaderEval, StatusEval};
use crate::engine::index::{Export, HelperSig};
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use tree_sitter::Node;

/// Same-file response helpers (see [`helper_of`]).
pub(super) fn collect_helpers(cx: &Cx, raw: &[Raw]) -> HashMap<String, HelperSig> {
    let mut helpers = HashMap::default();
    for (name, sig) in raw.iter().filter_map(|r| helper_of(cx, r)) {
        helpers.entry(name).or_insert(sig);
    }
    helpers
}

/// The response helper a candidate makes its function, with its name: a
/// function whose response status is a parameter (`jsonError(msg, status)`),
/// or one that always answers 401 or 403 (`unauthorized()`) with no
/// condition of its own.
pub(super) fn helper_of(cx: &Cx, r: &Raw) -> Option<(String, HelperSig)> {
    let func = r.function?;
    match &r.status {
        StatusEval::Param(i) => {
            let name = function_name(cx, func, cx.src)?;
            Some((name, helper_sig(cx, func, *i, r)))
        }
        StatusEval::Known(vs) => {
            let [v] = vs.as_slice() else { return None };
            if !matches!(v.code, 401 | 403)
                || cx.guard(r.node).is_some()
                || returns_before(func, r.node)
            {
                return None;
            }
            let name = function_name(cx, func, cx.src)?;
            let mut sig = helper_sig(cx, func, usize::MAX, r);
            sig.fixed_status = Some(v.code);
            Some((name, sig))
        }
        _ => None,
    }
}

/// Whether the function returns before `site` on some path (`if
/// (allowed) return;` … `throw new TRPCError(…)`): its answer then depends
/// on its own checks, and a call of it is not an answer.
fn returns_before(func: Node, site: Node) -> bool {
    let Some(body) = func.field("body") else {
        return false;
    };
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        if n.start_byte() >= site.start_byte() {
            continue;
        }
        // Not the `return` that answers (`return Response.json(…)`).
        if n.kind_name() == "return_statement" && !n.byte_range().contains(&site.start_byte()) {
            return true;
        }
        if n.id() != body.id() && super::nodes::is_function(n) {
            continue;
        }
        stack.extend(named_children(n));
    }
    false
}

fn helper_sig(cx: &Cx, func: Node, status_param: usize, raw: &Raw) -> HelperSig {
    let param_name = |p: Node| {
        text(p, cx.src)
            .split([':', '=', '?'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let params: Vec<Node> = func
        .field("parameters")
        .map(named_children)
        .map(|c| c.collect())
        .unwrap_or_default();
    let message_param = raw
        .message_node
        .and_then(|m| {
            let mt = text(m, cx.src);
            params.iter().enumerate().find_map(|(i, p)| {
                let name = param_name(*p);
                (i != status_param && !name.is_empty() && mt.contains(name.as_str())).then_some(i)
            })
        })
        .or_else(|| {
            // A builder whose message is not recognised as one
            // (`createError(401, message)`): a parameter named for a message
            // and passed to it.
            let args = args_of(raw.node);
            params.iter().enumerate().find_map(|(i, p)| {
                let name = param_name(*p);
                let is_message = matches!(
                    name.as_str(),
                    "message" | "msg" | "detail" | "reason" | "description"
                );
                (i != status_param && is_message && args.iter().any(|a| text(*a, cx.src) == name))
                    .then_some(i)
            })
        });
    let logs = function_body(func)
        .and_then(|b| cx.first_log_in(b, raw.node.start_byte()))
        .is_some();
    // A parameter spread into the headers object: the caller supplies those headers.
    let headers_param = headers_object_of(cx, raw.node).and_then(|obj| {
        named_children(obj)
            .filter(|c| c.kind_name() == "spread_element")
            .find_map(|sp| {
                let arg = sp.named_child(0)?;
                params
                    .iter()
                    .position(|p| param_name(*p) == text(arg, cx.src))
            })
    });
    let opaque_beyond_param = raw.headers.opaque && headers_param.is_none();
    let challenge = match &raw.headers.challenge {
        Some(c) => Some(c.literal.clone()),
        // Unknown headers: treat as carrying whatever is needed.
        None if opaque_beyond_param => Some(None),
        None => None,
    };
    HelperSig {
        status_param,
        message_param,
        challenge,
        logs,
        definition: func.byte_range(),
        headers_param,
        fixed_status: None,
        throws: super::site::thrown(cx, raw.node),
    }
}

/// The headers object literal of a response site (`{ headers: {…} }` in a
/// Lambda result or a `Response` init).
fn headers_object_of<'t>(cx: &Cx<'t>, site: Node<'t>) -> Option<Node<'t>> {
    let init = match site.kind_name() {
        "object" => site,
        _ => args_of(site)
            .get(1)
            .copied()
            .map(unwrap_expr)
            .filter(|a| a.kind_name() == "object")?,
    };
    pair(cx, init, "headers")
        .and_then(|p| p.field("value"))
        .map(unwrap_expr)
        .filter(|v| v.kind_name() == "object")
}

/// Calls to response helpers: same file, relative imports, or configured.
pub(super) fn helper_call_sites<'t>(cx: &Cx<'t>, calls: &[Node<'t>]) -> Vec<ResponseSite> {
    let mut out = Vec::new();
    if cx.is_test_file {
        return out;
    }
    let mut seen = HashSet::default();
    for &node in calls {
        if !seen.insert(node.id()) {
            continue;
        }
        let constructed = node.kind_name() == "new_expression";
        let Some(f) = node.field("function").or_else(|| node.field("constructor")) else {
            continue;
        };
        let name = text(f, cx.src);
        if constructed {
            // Only classes the configuration declares build responses when constructed.
            let Some(spec) = cx
                .settings
                .helpers
                .iter()
                .find(|h| h.constructor && h.name == name)
            else {
                continue;
            };
            let sig = HelperSig::configured(spec);
            if let Some(site) = helper_call_site(cx, node, name, sig, None) {
                out.push(site);
            }
            continue;
        }
        let (sig, defined_in): (HelperSig, Option<std::path::PathBuf>) =
            if let Some(s) = cx.helpers.get(name) {
                // Calls inside the helper itself are not call sites.
                if s.definition.contains(&node.start_byte()) {
                    continue;
                }
                if cx.rec.on {
                    cx.rec.reads.borrow_mut().push(s.definition.start);
                }
                (s.clone(), None)
            } else if let Some(spec) = cx
                .settings
                .helpers
                .iter()
                .find(|h| !h.constructor && h.name == name)
            {
                (HelperSig::configured(spec), None)
            } else if let Some((Export::Helper(s), target)) = cx
                .imports
                .contains_key(name)
                .then(|| cx.imported(name))
                .flatten()
            {
                (s, Some(target))
            } else {
                continue;
            };
        if let Some(site) = helper_call_site(cx, node, name, sig, defined_in) {
            out.push(site);
        }
    }
    out
}

/// The site a call (or a configured construction) of a response helper
/// makes, with `sig` the helper's signature and `defined_in` its module when
/// imported.
fn helper_call_site<'t>(
    cx: &Cx<'t>,
    node: Node<'t>,
    name: &str,
    sig: HelperSig,
    defined_in: Option<std::path::PathBuf>,
) -> Option<ResponseSite> {
    if in_assertion(cx, node, cx.src) {
        return None;
    }
    let args = args_of(node);
    let status = if let Some(code) = sig.fixed_status {
        Status::Known(
            vec![StatusValue {
                code,
                range: node.byte_range(),
                literal: false,
                branch_condition: None,
            }]
            .into(),
        )
    } else {
        let status_arg = args.get(sig.status_param)?;
        match cx.eval_status(*status_arg, 0) {
            StatusEval::Known(v) => Status::Known(v.into()),
            StatusEval::Forwarded(r, s) => Status::Forwarded {
                range: r,
                source: s,
            },
            _ => return None,
        }
    };
    let message_node = sig.message_param.and_then(|i| args.get(i).copied());
    let mut headers = HeaderEval {
        challenge: sig.challenge.clone().map(|lit| ChallengeHeader {
            value_range: 0..0,
            literal: lit,
            evidence: None,
            shared: false,
        }),
        opaque: false,
    };
    // Headers the caller passes in: `json(401, body, { 'WWW-Authenticate': … })`.
    if let Some(arg) = sig.headers_param.and_then(|i| args.get(i)) {
        headers.merge(cx.eval_headers(*arg, node, 0));
    }
    let mut site = build_site(
        cx,
        Framework::Helper,
        node,
        status,
        headers,
        None,
        message_node,
    );
    if sig.logs && site.logged.is_none() {
        site.logged = Some(sig.definition.clone());
    }
    site.via_helper = Some(Evidence {
        path: defined_in,
        range: sig.definition.clone(),
        note: format!("`{name}` builds the response here").into(),
    });
    site.status_from_helper = sig.fixed_status.is_some();
    if sig.throws {
        site.logged_elsewhere = super::site::logged_by_error_handler(cx, &site);
    }
    Some(site)
}
