//! Same-file response helpers (`def deny(status): raise HTTPException(status)`):
//! their signatures ([`HelperSig`]) and the sites at their call sites.

use super::candidates::in_test_code;
use super::constructors::{aliased_constructor, constructor_call, CONSTRUCTORS};
use super::error_classes::{class_site, expand_raised, from_sig, imported_class};
use super::nodes::{enclosing_function, param_index, params, unwrap_expr, Args};
use super::site::Raw;
use super::{Cx, LocalHelper};
use crate::engine::eval::StatusEval;
use crate::engine::index::{Export, HelperSig};
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::Node;

/// Same-file functions whose status is a parameter.
pub(super) fn collect_helpers<'t>(
    cx: &Cx<'t>,
    raw: &[Raw<'t>],
) -> HashMap<String, LocalHelper<'t>> {
    let mut out = HashMap::default();
    for r in raw {
        let StatusEval::Param(i) = r.status else {
            continue;
        };
        let Some(def) =
            enclosing_function(cx, r.anchor).filter(|f| f.kind_name() == "function_definition")
        else {
            continue;
        };
        let Some(name) = def.field("name").map(|n| text(n, cx.src).to_string()) else {
            continue;
        };
        out.entry(name).or_insert_with(|| LocalHelper {
            sig: helper_sig(cx, def, i, r),
            def,
        });
    }
    out
}

fn helper_sig(cx: &Cx, def: Node, status_param: usize, raw: &Raw) -> HelperSig {
    let ps = params(def, cx.src);
    let message_param = raw.message_node.and_then(|m| {
        let mt = text(m, cx.src);
        ps.iter().enumerate().find_map(|(i, p)| {
            let bounded = mt.match_indices(p.name.as_str()).any(|(j, _)| {
                let before = mt[..j].chars().next_back();
                let after = mt[j + p.name.len()..].chars().next();
                !matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == '.')
                    && !matches!(after, Some(c) if c.is_alphanumeric() || c == '_')
            });
            (i != status_param && !p.splat && bounded).then_some(i)
        })
    });
    let logs = def
        .field("body")
        .and_then(|b| cx.first_log_in(b, raw.anchor.start_byte()))
        .is_some();
    // A parameter passed as (or spread into) the headers: each call decides.
    let headers_param = raw.headers_node.map(unwrap_expr).and_then(|h| {
        let param_of = |n: Node| {
            (n.kind_name() == "identifier")
                .then(|| param_index(def, text(n, cx.src), cx.src))
                .flatten()
        };
        match h.kind_name() {
            "identifier" => param_of(h),
            "dictionary" => named_children(h)
                .filter(|c| c.kind_name() == "dictionary_splat")
                .find_map(|sp| sp.named_child(0).and_then(param_of)),
            _ => None,
        }
    });
    let challenge = match &raw.headers.challenge {
        Some(c) => Some(c.literal.clone()),
        // Unknown headers: assume whatever is needed.
        None if raw.headers.opaque && headers_param.is_none() => Some(None),
        None => None,
    };
    HelperSig {
        status_param,
        message_param,
        challenge,
        logs,
        definition: def.byte_range(),
        headers_param,
        fixed_status: None,
        throws: false,
    }
}

/// Calls to response helpers and project exception classes.
pub(super) fn call_sites<'t>(cx: &Cx<'t>, calls: &[Node<'t>]) -> Vec<ResponseSite> {
    let mut out = Vec::new();
    for &node in calls {
        if in_test_code(cx, node, cx.src) {
            continue;
        }
        // A project's error raised where an `except` of the same function
        // takes it and does not raise it again.
        let callee = node.field("function").map(|f| text(f, cx.src));
        let name = callee.map(|c| c.rsplit('.').next().unwrap_or(c));
        if super::candidates::swallowed(cx, node, name) {
            continue;
        }
        for raw in call_site(cx, node) {
            out.extend(raw.into_site(cx));
        }
    }
    out
}

pub(super) fn call_site<'t>(cx: &Cx<'t>, call: Node<'t>) -> Vec<Raw<'t>> {
    let Some(f) = call.field("function") else {
        return Vec::new();
    };
    let ftext = text(f, cx.src);
    let (name, via_self) = match f.kind_name() {
        "identifier" => (ftext, false),
        _ => match f.field("attribute") {
            Some(a) => (text(a, cx.src), true),
            None => return Vec::new(),
        },
    };
    // Framework constructors imported under another name.
    if !via_self && !CONSTRUCTORS.contains(&name) && aliased_constructor(cx, f).is_some() {
        return constructor_call(cx, call)
            .map(|r| expand_raised(cx, r))
            .unwrap_or_default();
    }
    // Project exception classes.
    if !via_self {
        if let Some(class) = cx.error_classes.get(name) {
            if class.definition.contains(&call.start_byte()) {
                return Vec::new();
            }
            return class_site(cx, class, call, Some(call), name)
                .map(|r| expand_raised(cx, r))
                .unwrap_or_default();
        }
        if let Some(class) = imported_class(cx, name) {
            return class_site(cx, &class, call, Some(call), name)
                .map(|r| expand_raised(cx, r))
                .unwrap_or_default();
        }
    }
    // `response.Unauthorized()`: a response class of a project module.
    if via_self {
        let module = f
            .field("object")
            .filter(|o| o.kind_name() == "identifier")
            .map(|o| text(o, cx.src));
        if let Some((Export::ErrorClass(sig), target)) =
            module.and_then(|m| cx.imported_member(m, name))
        {
            if sig.response {
                let class = from_sig(&sig, target, true);
                return class_site(cx, &class, call, Some(call), name)
                    .into_iter()
                    .collect();
            }
        }
    }
    // Response helpers.
    let args = Args::of(call, cx.src);
    let (sig, def, defined_in) = if let Some(h) = cx.helpers.get(name) {
        if h.sig.definition.contains(&call.start_byte()) {
            return Vec::new();
        }
        (h.sig.clone(), Some(h.def), None)
    } else if let Some(spec) = cx.settings.helpers.iter().find(|h| h.name == ftext) {
        (HelperSig::configured(spec), None, None)
    } else if let Some((Export::Helper(s), target)) =
        (!via_self).then(|| cx.imported(name)).flatten()
    {
        (s, None, Some(target))
    } else {
        return Vec::new();
    };
    // Bind the status argument: by keyword (same-file helpers), by position, or the default.
    let ps = def.map(|d| params(d, cx.src)).unwrap_or_default();
    let is_method = ps
        .first()
        .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
    if via_self && !is_method {
        return Vec::new();
    }
    let shift = usize::from(is_method);
    let bind = |i: usize| -> Option<Node<'t>> {
        let p = ps.get(i);
        let by_kw = p.and_then(|p| args.get(&p.name, None));
        let positional = p
            .map(|p| !p.kw_only)
            .unwrap_or(true)
            .then(|| {
                i.checked_sub(shift)
                    .and_then(|j| args.positional.get(j).copied())
            })
            .flatten();
        by_kw.or(positional).or_else(|| p.and_then(|p| p.default))
    };
    let Some(status_arg) = bind(sig.status_param) else {
        return Vec::new();
    };
    let status = cx.eval_status(status_arg, 0);
    if !matches!(status, StatusEval::Known(_) | StatusEval::Forwarded(..)) {
        return Vec::new();
    }
    let mut raw = Raw::new(Framework::Helper, call, status);
    raw.message_node = sig
        .message_param
        .and_then(bind)
        .filter(|m| m.start_byte() >= call.start_byte() && m.end_byte() <= call.end_byte());
    raw.headers.challenge = sig.challenge.clone().map(|lit| ChallengeHeader {
        value_range: 0..0,
        literal: lit,
        evidence: None,
        shared: false,
    });
    // Headers the caller passes in: `error("Missing token", 401, headers=CHALLENGE)`.
    if let Some(arg) = sig.headers_param.and_then(bind) {
        let eval = cx.eval_headers(arg, call, 0);
        raw.headers.merge(eval);
    }
    raw.via = Some(Evidence {
        path: defined_in,
        range: sig.definition.clone(),
        note: format!("`{name}` builds the response here").into(),
    });
    if sig.logs {
        raw.logged_in = Some(sig.definition.clone());
    }
    vec![raw]
}
