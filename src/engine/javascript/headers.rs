//! What headers a response sets ([`HeaderEval`]) and the `WWW-Authenticate`
//! challenge among them: header objects, `Headers` instances, imported
//! header builders, and `res.set(…)`/`headers.set(…)` calls before a site.

use super::context::is_destructured;
use super::nodes::{args_of, enclosing_function, function_body, returned_expr, unwrap_expr};
use super::{Cx, MAX_RESOLVE_DEPTH};
use crate::engine::eval::{is_challenge_name, HeaderEval};
use crate::engine::index::{evidence_in, Export};
use crate::engine::model::*;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use std::path::Path;
use tree_sitter::Node;

fn export_headers(e: Export, target: Option<&Path>) -> HeaderEval {
    match e {
        Export::Headers { challenge, opaque } | Export::HeaderBuilder { challenge, opaque } => {
            HeaderEval {
                challenge: challenge.map(|lit| ChallengeHeader {
                    value_range: 0..0,
                    literal: lit,
                    evidence: target
                        .map(|t| evidence_in(t, 0..0, "`WWW-Authenticate` comes from this module")),
                    shared: true,
                }),
                opaque,
            }
        }
        _ => HeaderEval::opaque(),
    }
}

/// `ctx.response` and `ctx` set headers on the same response.
pub(super) fn normalize_receiver(s: &str) -> &str {
    s.strip_suffix(".response")
        .or_else(|| s.strip_suffix(".res"))
        .unwrap_or(s)
}

impl<'a> Cx<'a> {
    /// Evaluates headers given as an expression.
    pub(super) fn eval_headers(&self, node: Node<'a>, at: Node<'a>, depth: usize) -> HeaderEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return HeaderEval::opaque();
        }
        match node.kind_name() {
            "object" => {
                let mut out = HeaderEval::default();
                for child in named_children(node) {
                    match child.kind_name() {
                        "pair" => {
                            let key = child.field("key");
                            if key
                                .and_then(|k| self.key_name(k))
                                .is_some_and(|k| is_challenge_name(&k))
                            {
                                if let Some(v) = child.field("value") {
                                    out.challenge.get_or_insert(self.challenge_value(v, None));
                                }
                            } else if key.is_some_and(|k| {
                                k.kind_name() == "computed_property_name"
                                    && self.key_name(k).is_none()
                            }) {
                                out.opaque = true;
                            }
                        }
                        "spread_element" => {
                            if let Some(arg) = child.named_child(0) {
                                out.merge(self.eval_headers(arg, at, depth + 1));
                            }
                        }
                        _ => {}
                    }
                }
                out
            }
            "new_expression" => {
                let ctor = node
                    .field("constructor")
                    .map(|c| text(c, self.src))
                    .unwrap_or("");
                if ctor == "Headers" {
                    match node.field("arguments").and_then(|a| a.named_child(0)) {
                        Some(arg) => self.eval_headers(arg, at, depth + 1),
                        None => HeaderEval::default(),
                    }
                } else {
                    HeaderEval::opaque()
                }
            }
            "identifier" | "shorthand_property_identifier" => {
                let name = text(node, self.src);
                let mut out = if let Some(d) = self.declarator_of(name, node) {
                    if is_destructured(d) {
                        // `const { corsHeaders } = require('./cors')`
                        match self.required(d, name) {
                            Some(e) => export_headers(e, None),
                            None => HeaderEval::opaque(),
                        }
                    } else {
                        match d.field("value") {
                            Some(v) => self.eval_headers(v, at, depth + 1),
                            None => HeaderEval::default(),
                        }
                    }
                } else if let Some((export, target)) = self.imported(name) {
                    export_headers(export, Some(&target))
                } else if self
                    .imports
                    .get(name)
                    .is_some_and(|(spec, imported)| cors_only(spec, imported))
                {
                    // Supabase's CORS headers: no challenge among them.
                    HeaderEval::default()
                } else {
                    // A parameter or a global: we cannot see inside.
                    HeaderEval::opaque()
                };
                // `headers.set('WWW-Authenticate', …)` before the site.
                if out.challenge.is_none() {
                    if let Some(func) = enclosing_function(self, at).or(Some(self.root)) {
                        if let Some(ch) = self.header_set_on(func, name, at.start_byte(), false) {
                            out.challenge = Some(ch);
                        }
                    }
                }
                out
            }
            "call_expression" => {
                let f = node.field("function");
                let fname = f.map(|f| text(f, self.src)).unwrap_or("");
                if fname == "Object.assign" {
                    let mut out = HeaderEval::default();
                    if let Some(args) = node.field("arguments") {
                        for a in named_children(args) {
                            out.merge(self.eval_headers(a, at, depth + 1));
                        }
                    }
                    return out;
                }
                // A header builder in this file: `function authHeaders() { return {...} }`
                if let Some(body) = self.function_named(fname).and_then(function_body) {
                    if let Some(ret) = returned_expr(body) {
                        return self.eval_headers(ret, at, depth + 1);
                    }
                }
                if f.is_some_and(|f| f.kind_name() == "identifier") {
                    if let Some((e, target)) = self.imported(fname) {
                        return export_headers(e, Some(&target));
                    }
                }
                HeaderEval::opaque()
            }
            "undefined" | "null" => HeaderEval::default(),
            _ => HeaderEval::opaque(),
        }
    }

    pub(super) fn challenge_value(
        &self,
        v: Node<'a>,
        evidence: Option<Evidence>,
    ) -> ChallengeHeader {
        let v = unwrap_expr(v);
        match v.kind_name() {
            "identifier" => {
                let name = text(v, self.src);
                // A constant in this file: point at its definition, once for all uses.
                if let Some(lit) = self
                    .resolve_local(name, v)
                    .map(unwrap_expr)
                    .filter(|d| matches!(d.kind_name(), "string" | "template_string"))
                {
                    return ChallengeHeader {
                        value_range: lit.byte_range(),
                        literal: string_value(lit, self.src).map(Into::into),
                        evidence,
                        shared: true,
                    };
                }
                if let Some((Export::Str(s), target)) = self.imported(name) {
                    let evidence = Some(evidence_in(
                        &target,
                        0..0,
                        format!("`{name}` is defined in this module"),
                    ));
                    return ChallengeHeader {
                        value_range: v.byte_range(),
                        literal: Some(s.into()),
                        evidence,
                        shared: true,
                    };
                }
                ChallengeHeader {
                    value_range: v.byte_range(),
                    literal: None,
                    evidence,
                    shared: false,
                }
            }
            _ => ChallengeHeader {
                value_range: v.byte_range(),
                literal: string_value(v, self.src).map(Into::into),
                evidence,
                shared: false,
            },
        }
    }

    /// What a header-setting call (`res.set(name, value)`, `res.set({…})`,
    /// `headers.append(…)`) does to `WWW-Authenticate`: sets it (with the value
    /// when known), or may set it (arguments authlint cannot see into).
    pub(super) fn challenge_set_by(&self, call: Node<'a>, method: &str) -> Option<ChallengeHeader> {
        let args = args_of(call);
        let first = *args.first()?;
        let evidence = |what: &str| {
            Some(Evidence {
                path: None,
                range: call.byte_range(),
                note: format!("`WWW-Authenticate` {what} with `.{method}(…)`").into(),
            })
        };
        let name = match first.kind_name() {
            "string" | "template_string" => string_value(first, self.src),
            "identifier" => self
                .resolve_local(text(first, self.src), first)
                .and_then(|v| string_value(unwrap_expr(v), self.src)),
            _ => None,
        };
        if let Some(name) = name {
            return match args.get(1) {
                Some(v) if is_challenge_name(&name) => {
                    Some(self.challenge_value(*v, evidence("set here")))
                }
                _ => None,
            };
        }
        if args.len() >= 2 {
            // `res.set(HEADER_NAME, value)` with a name we cannot resolve.
            return Some(ChallengeHeader {
                value_range: 0..0,
                literal: None,
                evidence: evidence("may be set here"),
                shared: false,
            });
        }
        // `res.set(headersObject)`
        let h = self.eval_headers(first, first, 1);
        match h.challenge {
            Some(mut ch) => {
                ch.evidence = evidence("set here");
                Some(ch)
            }
            None if h.opaque => Some(ChallengeHeader {
                value_range: 0..0,
                literal: None,
                evidence: evidence("may be set here"),
                shared: false,
            }),
            None => None,
        }
    }

    /// A `recv.set('WWW-Authenticate', v)`-style call on `recv` inside `scope`
    /// (before `before` unless `anywhere`).
    pub(super) fn header_set_on(
        &self,
        scope: Node<'a>,
        recv: &str,
        before: usize,
        anywhere: bool,
    ) -> Option<ChallengeHeader> {
        if scope.id() == self.root.id() {
            self.read_everything();
        }
        let recv_norm = normalize_receiver(recv);
        let mut stack = vec![scope];
        while let Some(n) = stack.pop() {
            if !anywhere && n.start_byte() >= before {
                continue;
            }
            if n.kind_name() == "call_expression" {
                if let Some(f) = n
                    .field("function")
                    .filter(|f| f.kind_name() == "member_expression")
                {
                    let obj = f.field("object").map(|o| text(o, self.src)).unwrap_or("");
                    let method = f.field("property").map(|p| text(p, self.src)).unwrap_or("");
                    let obj_norm = normalize_receiver(obj.strip_suffix(".headers").unwrap_or(obj));
                    let on_path = anywhere || {
                        // The call's innermost block must also contain `before`: it runs on the way there.
                        let mut b = self.up(n);
                        while let Some(x) =
                            b.filter(|x| !matches!(x.kind_name(), "statement_block" | "program"))
                        {
                            b = self.up(x);
                        }
                        b.is_some_and(|b| b.byte_range().contains(&before))
                    };
                    if on_path
                        && obj_norm == recv_norm
                        && matches!(
                            method,
                            "set" | "header" | "setHeader" | "append" | "appendHeader" | "headers"
                        )
                    {
                        if let Some(ch) = self.challenge_set_by(n, method) {
                            return Some(ch);
                        }
                    }
                }
            }
            stack.extend(named_children(n));
        }
        None
    }

    // ----- guards and paths -----------------------------------------------
}

/// A package's export that holds only CORS headers:
/// `import { corsHeaders } from 'jsr:@supabase/supabase-js@2/cors'`.
fn cors_only(spec: &str, imported: &str) -> bool {
    imported == "corsHeaders" && crate::packs::module_path(spec) == "@supabase/supabase-js/cors"
}
