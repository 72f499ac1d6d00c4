//! What headers a response sets ([`HeaderEval`]) and the `WWW-Authenticate`
//! challenge among them (dict literals, variables, imported builders,
//! `response.headers[…] = …`, Flask-HTTPAuth's challenge), and where a fix
//! inserts the header.

use super::nodes::{enclosing_function, is_scope, param_index, returned_value, unwrap_expr, Args};
use super::{Cx, MAX_RESOLVE_DEPTH};
use crate::engine::eval::{is_challenge_name, HeaderEval};
use crate::engine::index::Export;
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, text, NodeExt};
use std::path::Path;
use tree_sitter::Node;

fn export_headers(e: Export, target: Option<&Path>) -> HeaderEval {
    match e {
        Export::Headers { challenge, opaque } | Export::HeaderBuilder { challenge, opaque } => {
            HeaderEval {
                challenge: challenge.map(|lit| ChallengeHeader {
                    value_range: 0..0,
                    literal: lit,
                    evidence: target.map(|t| {
                        crate::engine::index::evidence_in(
                            t,
                            0..0,
                            "`WWW-Authenticate` comes from this module",
                        )
                    }),
                    shared: true,
                }),
                opaque,
            }
        }
        _ => HeaderEval::opaque(),
    }
}

/// How to add an entry (`$NAME: $VALUE`, a tuple…) to a dict or list literal, in its layout.
pub(super) fn entry_insertion(
    cx: &Cx,
    container: Node,
    entry: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let entries: Vec<Node> = named_children(container)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    let Some(last) = entries.last() else {
        let (open, close) = match container.kind_name() {
            "list" => ('[', ']'),
            _ => ('{', '}'),
        };
        return Some(HeaderInsertion {
            at: container.start_byte(),
            replace_len: container.end_byte() - container.start_byte(),
            template: format!("{open}{entry}{close}").into(),
            how,
        });
    };
    if cx.src[last.end_byte()..container.end_byte()].contains('#') {
        return None; // a trailing comment: no clean edit
    }
    after_last_entry(cx, *last, container.end_byte(), entry, how)
}

/// Inserts `entry` after `last` (the last element before `close`).
fn after_last_entry(
    cx: &Cx,
    last: Node,
    close: usize,
    entry: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let after_last = cx.src.get(last.end_byte()..close)?;
    let has_trailing_comma = after_last.trim_start().starts_with(',');
    if syntax::starts_line(cx.src, last.start_byte()) {
        let (_, indent) = syntax::line_indent(cx.src, last.start_byte());
        if has_trailing_comma {
            let comma = last.end_byte() + after_last.find(',').unwrap_or(0) + 1;
            Some(HeaderInsertion {
                at: comma,
                replace_len: 0,
                template: format!("{}{indent}{entry},", cx.newline).into(),
                how,
            })
        } else {
            Some(HeaderInsertion {
                at: last.end_byte(),
                replace_len: 0,
                template: format!(",{}{indent}{entry}", cx.newline).into(),
                how,
            })
        }
    } else {
        Some(HeaderInsertion {
            at: last.end_byte(),
            replace_len: 0,
            template: format!(", {entry}").into(),
            how,
        })
    }
}

/// How to add the keyword argument `kwarg` (a template) to a call.
pub(super) fn kwarg_insertion(
    cx: &Cx,
    args: &Args,
    kwarg: &str,
    how: &'static str,
) -> Option<HeaderInsertion> {
    let list = args.list?;
    let entries: Vec<Node> = named_children(list)
        .filter(|c| c.kind_name() != "comment")
        .collect();
    match entries.last() {
        None => {
            let inner = cx
                .src
                .get(list.start_byte() + 1..list.end_byte().saturating_sub(1))?;
            if inner.contains('#') {
                return None;
            }
            Some(HeaderInsertion {
                at: list.start_byte() + 1,
                replace_len: inner.len(),
                template: kwarg.into(),
                how,
            })
        }
        Some(last) => {
            if cx.src[last.end_byte()..list.end_byte()].contains('#') {
                return None;
            }
            after_last_entry(cx, *last, list.end_byte(), kwarg, how)
        }
    }
}

/// How to add a challenge to a headers expression that is already there.
pub(super) fn headers_value_insertion<'t>(
    cx: &Cx<'t>,
    h: Node<'t>,
    eval: &HeaderEval,
) -> Option<HeaderInsertion> {
    let hu = unwrap_expr(h);
    match hu.kind_name() {
        "dictionary" => entry_insertion(
            cx,
            hu,
            "$NAME: $VALUE",
            "add a `WWW-Authenticate` entry to `headers`",
        ),
        "list" => entry_insertion(
            cx,
            hu,
            "($NAME, $VALUE)",
            "add a `WWW-Authenticate` entry to the header list",
        ),
        "none" => Some(HeaderInsertion {
            at: hu.start_byte(),
            replace_len: hu.end_byte() - hu.start_byte(),
            template: "{$NAME: $VALUE}".into(),
            how: "pass `headers` with `WWW-Authenticate`",
        }),
        "identifier" | "attribute" if !eval.opaque => {
            // Only when it is known to be a dict (a list would break `**`).
            let is_dict = hu.kind_name() == "identifier" && {
                let name = text(hu, cx.src);
                match cx.resolve_local(name, hu).map(unwrap_expr) {
                    Some(r) => r.kind_name() == "dictionary",
                    None => matches!(cx.imported(name), Some((Export::Headers { .. }, _))),
                }
            };
            if is_dict {
                Some(HeaderInsertion {
                    at: h.start_byte(),
                    replace_len: h.end_byte() - h.start_byte(),
                    template: format!("{{**{}, $NAME: $VALUE}}", text(h, cx.src)).into(),
                    how: "merge `WWW-Authenticate` into the headers",
                })
            } else {
                None
            }
        }
        _ => None,
    }
}

impl<'a> Cx<'a> {
    /// Evaluates a headers expression.
    pub(super) fn eval_headers(&self, node: Node<'a>, at: Node<'a>, depth: usize) -> HeaderEval {
        let node = unwrap_expr(node);
        if depth > MAX_RESOLVE_DEPTH {
            return HeaderEval::opaque();
        }
        match node.kind_name() {
            "dictionary" => {
                let mut out = HeaderEval::default();
                for child in named_children(node) {
                    match child.kind_name() {
                        "pair" => {
                            let Some(key) = child.field("key") else {
                                continue;
                            };
                            match self.key_name(key) {
                                Some(k) if is_challenge_name(&k) => {
                                    if let Some(v) = child.field("value") {
                                        out.challenge.get_or_insert(self.challenge_value(v, None));
                                    }
                                }
                                Some(_) => {}
                                None => out.opaque = true,
                            }
                        }
                        "dictionary_splat" => {
                            if let Some(arg) = child.named_child(0) {
                                out.merge(self.eval_headers(arg, at, depth + 1));
                            }
                        }
                        _ => {}
                    }
                }
                out
            }
            "list" | "tuple" => {
                // `[("WWW-Authenticate", "Bearer")]` (Flask/Werkzeug header lists)
                let mut out = HeaderEval::default();
                for item in named_children(node) {
                    let item = unwrap_expr(item);
                    if item.kind_name() != "tuple" {
                        out.opaque |= item.kind_name() != "comment";
                        continue;
                    }
                    let parts: Vec<Node> = named_children(item).collect();
                    if let [k, v] = parts.as_slice() {
                        if self.key_name(*k).is_some_and(|k| is_challenge_name(&k)) {
                            out.challenge.get_or_insert(self.challenge_value(*v, None));
                        }
                    }
                }
                out
            }
            "none" => HeaderEval::default(),
            "identifier" => {
                let name = text(node, self.src);
                let is_param = enclosing_function(self, node)
                    .is_some_and(|f| param_index(f, name, self.src).is_some());
                let mut out = if is_param {
                    HeaderEval::opaque()
                } else if let Some(v) = self.resolve_local(name, node) {
                    self.eval_headers(v, at, depth + 1)
                } else if let Some((export, target)) = self.imported(name) {
                    export_headers(export, Some(&target))
                } else {
                    HeaderEval::opaque()
                };
                if out.challenge.is_none() {
                    let scope = enclosing_function(self, at).unwrap_or(self.root);
                    if let Some(ch) = self.header_set_on(scope, name, false, Some(at.start_byte()))
                    {
                        out.challenge = Some(ch);
                    }
                }
                out
            }
            "call" => {
                let f = node.field("function");
                let fname = f.map(|f| text(f, self.src)).unwrap_or("");
                // A header builder in this file: `def auth_headers(): return {...}`
                if let Some(def) = self.functions.get(fname) {
                    if let Some(ret) = returned_value(*def) {
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
            _ => HeaderEval::opaque(),
        }
    }

    pub(super) fn challenge_value(
        &self,
        v: Node<'a>,
        evidence: Option<Evidence>,
    ) -> ChallengeHeader {
        let v = unwrap_expr(v);
        if v.kind_name() == "identifier" {
            let name = text(v, self.src);
            // A constant in this file: point at its definition, once for all uses.
            if let Some(lit) = self
                .resolve_local(name, v)
                .map(unwrap_expr)
                .filter(|d| matches!(d.kind_name(), "string" | "concatenated_string"))
            {
                return ChallengeHeader {
                    value_range: lit.byte_range(),
                    literal: self.string_literal(lit).map(Into::into),
                    evidence,
                    shared: true,
                };
            }
            if let Some((Export::Str(s), target)) = self.imported(name) {
                return ChallengeHeader {
                    value_range: v.byte_range(),
                    literal: Some(s.into()),
                    evidence: Some(crate::engine::index::evidence_in(
                        &target,
                        0..0,
                        format!("`{name}` is defined in this module"),
                    )),
                    shared: true,
                };
            }
        }
        ChallengeHeader {
            value_range: v.byte_range(),
            literal: match v.kind_name() {
                "string" | "concatenated_string" => self.string_literal(v).map(Into::into),
                _ => None,
            },
            evidence,
            shared: false,
        }
    }

    /// `recv["WWW-Authenticate"] = v`, `recv.headers["WWW-Authenticate"] = v`,
    /// `recv.headers.update({...})`, `recv.www_authenticate = ...` inside `scope`
    /// (before `before` when given). `on_response` accepts `recv.headers…` forms.
    pub(super) fn header_set_on(
        &self,
        scope: Node<'a>,
        recv: &str,
        on_response: bool,
        before: Option<usize>,
    ) -> Option<ChallengeHeader> {
        let mut stack = vec![scope];
        while let Some(n) = stack.pop() {
            if before.is_some_and(|b| n.start_byte() >= b) {
                continue;
            }
            if n.id() != scope.id() && is_scope(n) {
                continue;
            }
            match n.kind_name() {
                "assignment" => {
                    if let (Some(left), Some(right)) = (n.field("left"), n.field("right")) {
                        if left.kind_name() == "subscript" {
                            let target =
                                left.field("value").map(|v| text(v, self.src)).unwrap_or("");
                            let target_ok = target == recv
                                || on_response && target.strip_suffix(".headers") == Some(recv);
                            if target_ok
                                && left
                                    .field("subscript")
                                    .and_then(|s| self.key_name(s))
                                    .is_some_and(|k| is_challenge_name(&k))
                            {
                                return Some(self.challenge_value(
                                    right,
                                    Some(Evidence {
                                        path: None,
                                        range: n.byte_range(),
                                        note: "`WWW-Authenticate` set here".into(),
                                    }),
                                ));
                            }
                        }
                        if on_response && text(left, self.src) == format!("{recv}.www_authenticate")
                        {
                            return Some(ChallengeHeader {
                                value_range: right.byte_range(),
                                literal: None,
                                evidence: Some(Evidence {
                                    path: None,
                                    range: n.byte_range(),
                                    note: "`WWW-Authenticate` set here".into(),
                                }),
                                shared: false,
                            });
                        }
                    }
                }
                "call" => {
                    if let Some(f) = n.field("function").filter(|f| f.kind_name() == "attribute") {
                        let obj = f.field("object").map(|o| text(o, self.src)).unwrap_or("");
                        let method = f
                            .field("attribute")
                            .map(|a| text(a, self.src))
                            .unwrap_or("");
                        let ev = Evidence {
                            path: None,
                            range: n.byte_range(),
                            note: format!("`WWW-Authenticate` set here with `.{method}(…)`").into(),
                        };
                        if on_response && obj == format!("{recv}.www_authenticate") {
                            // werkzeug: `resp.www_authenticate.set_basic()`
                            return Some(ChallengeHeader {
                                value_range: n.byte_range(),
                                literal: None,
                                evidence: Some(ev),
                                shared: false,
                            });
                        }
                        let obj_ok = obj == recv
                            || on_response && obj.strip_suffix(".headers") == Some(recv);
                        if obj_ok {
                            let args: Vec<Node> = n
                                .field("arguments")
                                .map(|a| {
                                    named_children(a)
                                        .filter(|c| c.kind_name() != "comment")
                                        .collect()
                                })
                                .unwrap_or_default();
                            match method {
                                "setdefault" | "add" | "set" | "append" | "add_header"
                                | "__setitem__" => {
                                    if let (Some(k), Some(v)) = (args.first(), args.get(1)) {
                                        if self.key_name(*k).is_some_and(|k| is_challenge_name(&k))
                                        {
                                            return Some(self.challenge_value(*v, Some(ev)));
                                        }
                                    }
                                }
                                "update" | "extend" => {
                                    if let Some(a) = args.first() {
                                        if let Some(mut ch) = self.eval_headers(*a, *a, 1).challenge
                                        {
                                            ch.evidence = Some(ev);
                                            return Some(ch);
                                        }
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
            stack.extend(named_children(n).rev());
        }
        None
    }

    // ----- guards and paths -----------------------------------------------

    /// Flask-HTTPAuth adds `WWW-Authenticate` to what an `@auth.error_handler`
    /// function returns: a site inside one has its challenge.
    pub(super) fn httpauth_challenge(&self, site: Node<'a>) -> Option<ChallengeHeader> {
        if !self
            .imports
            .values()
            .any(|(m, _)| m.split('.').next() == Some("flask_httpauth"))
        {
            return None;
        }
        let func = enclosing_function(self, site)?;
        let dec = self
            .up(func)
            .filter(|p| p.kind_name() == "decorated_definition")?;
        let d = named_children(dec).find(|d| {
            d.kind_name() == "decorator" && {
                let t = text(*d, self.src).trim_start_matches('@');
                let head = t.split('(').next().unwrap_or(t).trim();
                head.ends_with(".error_handler")
            }
        })?;
        Some(ChallengeHeader {
            value_range: 0..0,
            literal: None,
            evidence: Some(Evidence {
                path: None,
                range: d.byte_range(),
                note: "Flask-HTTPAuth adds `WWW-Authenticate` to this error handler's response"
                    .into(),
            }),
            shared: false,
        })
    }
}
