//! Finding response candidates: the query's captures, under the root or
//! within some statements, classified into the kinds of site the builders in
//! the sibling modules read; candidates in test code are dropped.

use super::constructors::{constructor_call, CONSTRUCTORS};
use super::error_classes::{expand_raised, raise_name};
use super::nodes::is_scope;
use super::objects::{flask_tuple, lambda_dict, status_assignment};
use super::site::Raw;
use super::{packs, query, Cx, MAX_PARENT_WALK};
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Query, QueryCursor};

/// Whether `n` sits in a test assertion or a test function.
pub(super) fn in_test_code<'t>(cx: &Cx<'t>, n: Node<'t>, src: &str) -> bool {
    let mut p = cx.up(n);
    let mut steps = 0;
    while let Some(x) = p {
        steps += 1;
        if steps > MAX_PARENT_WALK * 4 {
            return false;
        }
        match x.kind_name() {
            "assert_statement" => return true,
            "call" => {
                let f = x.field("function").map(|f| text(f, src)).unwrap_or("");
                let last = f.rsplit('.').next().unwrap_or(f);
                if last.starts_with("assert") || f.starts_with("pytest.") || f.starts_with("mock.")
                {
                    return true;
                }
            }
            "function_definition"
                if x.field("name")
                    .is_some_and(|nm| text(nm, src).starts_with("test_")) =>
            {
                return true;
            }
            _ => {}
        }
        p = cx.up(x);
    }
    false
}

/// Candidate sites, and the calls that may be helper or exception-class
/// calls (judged later, once the file's helpers are known). One query pass
/// over the file, or over each node of `within` (the query's patterns are
/// single nodes, so running it from a statement finds what a run over the
/// file finds in that statement, without stepping through the others).
pub(super) fn candidates<'t>(
    cx: &Cx<'t>,
    within: Option<&[Node<'t>]>,
) -> (Vec<Raw<'t>>, Vec<Node<'t>>) {
    let mut calls = Vec::new();
    let mut out: Vec<Raw<'t>> = Vec::new();
    let Some(q) = query() else {
        return (out, calls);
    };
    match within {
        Some(nodes) => {
            for node in nodes {
                candidates_within(cx, q, *node, &mut out, &mut calls);
            }
        }
        None => candidates_within(cx, q, cx.root, &mut out, &mut calls),
    }
    calls.sort_by_key(|n| n.start_byte());
    calls.dedup_by_key(|n| n.id());
    (out, calls)
}

fn candidates_within<'t>(
    cx: &Cx<'t>,
    q: &Query,
    within: Node<'t>,
    out: &mut Vec<Raw<'t>>,
    calls: &mut Vec<Node<'t>>,
) {
    let names = q.capture_names();
    let mut qc = QueryCursor::new();
    let mut matches = qc.matches(q, within, cx.src.as_bytes());
    while let Some(m) = matches.next() {
        for cap in m.captures {
            let Some(kind) = names[cap.index as usize].strip_prefix("site.") else {
                continue;
            };
            let node = cap.node;
            for (candidate, node) in classify(cx, kind, node) {
                if candidate == Candidate::HelperCall {
                    calls.push(node);
                    continue;
                }
                if in_test_code(cx, node, cx.src) {
                    continue;
                }
                match candidate {
                    Candidate::Constructor => {
                        if swallowed(cx, node, None) {
                            continue;
                        }
                        // A pack's row is keyed by the name the import
                        // resolves to: it wins over a name's spelling.
                        if let Some(r) =
                            packs::call_site(cx, node).or_else(|| constructor_call(cx, node))
                        {
                            out.extend(expand_raised(cx, r));
                        }
                    }
                    Candidate::RaiseName => out.extend(raise_name(cx, node)),
                    // A returned tuple is a response in Flask only (FastAPI would
                    // serialise it as a JSON list with status 200).
                    Candidate::Tuple
                        if matches!(cx.framework_hint, None | Some(Framework::Flask)) =>
                    {
                        out.extend(flask_tuple(cx, node))
                    }
                    Candidate::Tuple | Candidate::HelperCall => {}
                    // A pack's row is specific (its receiver, in a file
                    // importing its framework): it wins.
                    Candidate::Assignment => out.extend(
                        packs::assign_site(cx, node).or_else(|| status_assignment(cx, node)),
                    ),
                    Candidate::Lambda => out.extend(lambda_dict(cx, node)),
                }
            }
        }
    }
}

/// `raise HTTPException(401)` in a `try` of the same function whose first
/// `except` that catches it (bare, `Exception`, `HTTPException`, or the
/// raised class `class`…) does not raise it again: the handler turns it
/// into something else (a redirect, a 500, a fallback), and this 401 is
/// never sent.
pub(super) fn swallowed(cx: &Cx, call: Node, class: Option<&str>) -> bool {
    let Some(raise) = cx.up(call).filter(|p| p.kind_name() == "raise_statement") else {
        return false;
    };
    let mut node = raise;
    while let Some(p) = cx.up(node) {
        if is_scope(p) {
            return false;
        }
        if p.kind_name() == "try_statement" && p.field("body").is_some_and(|b| b.id() == node.id())
        {
            let catching = named_children(p)
                .filter(|c| c.kind_name() == "except_clause")
                .find(|c| catches_http_exception(*c, cx.src, class));
            if let Some(clause) = catching {
                if !reraises(clause, cx.src) {
                    return true;
                }
            }
        }
        node = p;
    }
    false
}

/// An `except` clause with no type, or naming `Exception`, `BaseException`,
/// `HTTPException` or `class` (alone, qualified, or in a tuple).
fn catches_http_exception(clause: Node, src: &str, class: Option<&str>) -> bool {
    let typ =
        named_children(clause).find(|c| c.kind_name() != "block" && c.kind_name() != "comment");
    match typ {
        None => true,
        Some(t) => {
            let t = text(t, src);
            let t = t.split(" as ").next().unwrap_or(t);
            t.split(|c: char| matches!(c, '(' | ')' | ',') || c.is_whitespace())
                .map(|name| name.rsplit('.').next().unwrap_or(name))
                .any(|name| {
                    matches!(
                        name,
                        "Exception" | "BaseException" | "HTTPException" | "StarletteHTTPException"
                    ) || class == Some(name)
                })
        }
    }
}

/// The clause raises again: a bare `raise`, or `raise e` of its own name.
fn reraises(clause: Node, src: &str) -> bool {
    let alias = text(clause, src)
        .split_once(" as ")
        .map(|(_, rest)| rest.split(':').next().unwrap_or("").trim().to_string());
    let mut stack: Vec<Node> = named_children(clause).collect();
    while let Some(n) = stack.pop() {
        if is_scope(n) {
            continue;
        }
        if n.kind_name() == "raise_statement" {
            match n.named_child(0) {
                None => return true,
                Some(e) if alias.as_deref() == Some(text(e, src)) => return true,
                _ => {}
            }
        }
        stack.extend(named_children(n));
    }
    false
}

/// What a captured node may be: the shape checks behind each `@site.<kind>`
/// of `queries/python/responses.scm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Candidate {
    /// A known framework constructor or call (`HTTPException(…)`, `abort(401)`).
    Constructor,
    /// `name(…)` or `self.name(…)`: maybe a helper or a project exception class.
    HelperCall,
    /// The name or attribute a `raise` names (`raise credentials_exception`).
    RaiseName,
    /// A returned tuple (`return body, 401`).
    Tuple,
    /// `response.status_code = 401`.
    Assignment,
    /// `{"statusCode": 401, …}` (AWS Lambda).
    Lambda,
}

/// The candidates a captured node stands for, each with the node to read.
pub(super) fn classify<'t>(cx: &Cx<'t>, kind: &str, node: Node<'t>) -> Vec<(Candidate, Node<'t>)> {
    let src = cx.src;
    let named = |n: Node<'t>, kinds: &[&str]| -> Vec<Node<'t>> {
        named_children(n)
            .filter(|c| kinds.contains(&c.kind_name()))
            .collect()
    };
    let mut out = Vec::new();
    match kind {
        "call" => {
            let f = node.field("function");
            if callee_name(node, src).is_some_and(|(name, _)| {
                CONSTRUCTORS.contains(&name) || packs::may_be_call(cx, name)
            }) {
                out.push((Candidate::Constructor, node));
            }
            let plain = f.is_some_and(|f| {
                f.kind_name() == "identifier"
                    || f.kind_name() == "attribute"
                        && f.field("object").is_some_and(|o| {
                            o.kind_name() == "identifier" && matches!(text(o, src), "self" | "cls")
                        })
            });
            // `response.Unauthorized()`: a class of an imported project module.
            let module_class = f.is_some_and(|f| {
                f.kind_name() == "attribute"
                    && f.field("object").is_some_and(|o| {
                        o.kind_name() == "identifier" && cx.imports.contains_key(text(o, src))
                    })
                    && f.field("attribute")
                        .is_some_and(|a| text(a, src).starts_with(|c: char| c.is_ascii_uppercase()))
            });
            let plain = plain || module_class;
            let args = node
                .field("arguments")
                .is_some_and(|a| a.kind_name() == "argument_list");
            if plain && args {
                out.push((Candidate::HelperCall, node));
            }
        }
        "raise" => {
            for n in named(node, &["identifier", "attribute"]) {
                out.push((Candidate::RaiseName, n));
            }
        }
        "return" => {
            for n in named(node, &["expression_list", "tuple"]) {
                out.push((Candidate::Tuple, n));
            }
        }
        "assignment" => {
            let status_code = node
                .field("left")
                .filter(|l| l.kind_name() == "attribute")
                .and_then(|l| l.field("attribute"))
                .is_some_and(|a| {
                    a.kind_name() == "identifier"
                        && (text(a, src) == "status_code" || packs::may_be_assign(cx, text(a, src)))
                });
            if status_code {
                out.push((Candidate::Assignment, node));
            }
        }
        "dictionary" => {
            let status_key = named(node, &["pair"]).into_iter().any(|p| {
                p.field("key").is_some_and(|k| {
                    k.kind_name() == "string"
                        && matches!(text(k, src), "'statusCode'" | "\"statusCode\"")
                })
            });
            if status_key {
                out.push((Candidate::Lambda, node));
            }
        }
        _ => {}
    }
    out
}

/// The name called: `HTTPException` in `fastapi.HTTPException(...)`.
pub(super) fn callee_name<'t>(call: Node<'t>, src: &'t str) -> Option<(&'t str, Node<'t>)> {
    let f = call.field("function")?;
    let name = match f.kind_name() {
        "identifier" => text(f, src),
        "attribute" => text(f.field("attribute")?, src),
        _ => return None,
    };
    Some((name, f))
}
