//! The condition a site answers ([`Guard`]): the `if` around it or the
//! `except` it sits in, the conditions of an exception raised in several
//! places, whether the condition tests missing configuration, and whether an
//! identity was already established before it.

use super::nodes::{enclosing_function, is_scope, strip_parens, unwrap_expr};
use super::{Cx, MAX_PARENT_WALK};
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, text, NodeExt};
use rustc_hash::FxHashSet as HashSet;
use std::ops::Range;
use tree_sitter::Node;

/// The conditions evaluated before control reaches `child` of `parent`
/// (an `if`, `elif` or `while`): its own condition when `child` is the body,
/// the `if` and earlier `elif` conditions when `child` is an `elif`/`else`.
pub(super) fn conditions_before<'t>(parent: Node<'t>, child: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    let Some(cond) = parent.field("condition") else {
        return out;
    };
    if cond.byte_range().contains(&child.start_byte()) {
        return out;
    }
    if parent
        .field("consequence")
        .or_else(|| parent.field("body"))
        .is_some_and(|c| c.id() == child.id())
    {
        out.push(cond);
        return out;
    }
    if parent.kind_name() == "if_statement"
        && matches!(child.kind_name(), "elif_clause" | "else_clause")
    {
        out.push(cond);
        for alt in named_children(parent) {
            if alt.start_byte() >= child.start_byte() {
                break;
            }
            if alt.kind_name() == "elif_clause" {
                if let Some(c) = alt.field("condition") {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// Whether a block ends the request: `raise`, `return`, `abort(...)`.
fn block_exits(block: Node, src: &str) -> bool {
    named_children(block).any(|s| match s.kind_name() {
        "raise_statement" | "return_statement" => true,
        "expression_statement" => {
            let t = text(s, src);
            t.starts_with("abort(") || t.contains(".abort(")
        }
        _ => false,
    })
}

/// `not user`, `user is None`, `not request.user.is_authenticated`, `not current_user`.
pub(super) fn rejects_missing_identity(cond: &str) -> bool {
    let c: String = cond.split_whitespace().collect::<Vec<_>>().join(" ");
    if c.contains("is_anonymous") || (c.contains("not ") && c.contains(".is_authenticated")) {
        return true;
    }
    const NAMES: &[&str] = &[
        "user",
        "current_user",
        "request.user",
        "g.user",
        "session",
        "claims",
        "payload",
        "decoded",
        "principal",
        "identity",
        "user_id",
        "token_data",
        "account",
    ];
    let bounded = |hay: &str, needle: &str| {
        hay.match_indices(needle).any(|(i, _)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + needle.len()..].chars().next();
            !matches!(before, Some(ch) if ch.is_alphanumeric() || ch == '_' || ch == '.')
                && !matches!(after, Some(ch) if ch.is_alphanumeric() || ch == '_' || ch == '.' || ch == '[' || ch == '(')
        })
    };
    NAMES.iter().any(|n| {
        bounded(&c, &format!("not {n}"))
            || bounded(&c, &format!("{n} is None"))
            || bounded(&c, &format!("{n} == None"))
    })
}

impl<'a> Cx<'a> {
    /// The conditions under which `site` runs, innermost first, up to its function.
    pub(super) fn guard(&self, site: Node<'a>) -> Option<Guard> {
        let mut node = site;
        let mut parts: Vec<String> = Vec::new();
        let mut innermost: Option<Range<usize>> = None;
        let mut in_catch = false;
        let mut verified_by = None;
        for _ in 0..MAX_PARENT_WALK {
            let Some(parent) = self.up(node) else { break };
            if is_scope(parent) {
                break;
            }
            match parent.kind_name() {
                "if_statement" | "elif_clause" => {
                    let own = parent.field("condition");
                    let in_cond = own.is_some_and(|c| c.byte_range().contains(&node.start_byte()));
                    if !in_cond {
                        let in_body = parent
                            .field("consequence")
                            .is_some_and(|c| c.id() == node.id());
                        if in_body {
                            if let Some(c) = own {
                                parts.push(self.cond_text(c));
                                innermost.get_or_insert(c.byte_range());
                            }
                        } else if parent.kind_name() == "if_statement" {
                            // In an `elif`/`else` clause: every earlier condition was false.
                            for c in conditions_before(parent, node) {
                                parts.push(format!("not ({})", self.cond_text(c)));
                                innermost.get_or_insert(c.byte_range());
                            }
                        }
                    }
                }
                "except_clause" => {
                    // What failed in a `try` that reads a page token (a
                    // cursor) is the request's paging, not its credential,
                    // whatever the error is called (`InvalidTokenError`).
                    let paging = self
                        .up(parent)
                        .and_then(|t| t.field("body"))
                        .is_some_and(|b| syntax::names_page_token(text(b, self.src)));
                    let header = if paging {
                        "except".to_string()
                    } else {
                        text(parent, self.src)
                            .split(':')
                            .next()
                            .unwrap_or("except")
                            .trim()
                            .to_string()
                    };
                    parts.push(header);
                    let s = parent.start_byte();
                    innermost.get_or_insert(s..(s + 6).min(parent.end_byte()));
                    in_catch = true;
                    if verified_by.is_none() && !paging {
                        verified_by = self.verify_call_in_try(parent);
                    }
                }
                "conditional_expression" => {
                    let kids: Vec<Node> = named_children(parent).collect();
                    if let [cons, cond, alt] = kids.as_slice() {
                        let c = strip_parens(text(*cond, self.src));
                        if cons.id() == node.id() {
                            parts.push(c.to_string());
                            innermost.get_or_insert(cond.byte_range());
                        } else if alt.id() == node.id() {
                            parts.push(format!("not ({c})"));
                            innermost.get_or_insert(cond.byte_range());
                        }
                    }
                }
                "boolean_operator" => {
                    // `token or abort(401)`
                    if let (Some(l), Some(op)) = (parent.field("left"), parent.field("operator")) {
                        if l.end_byte() <= node.start_byte() {
                            let c = text(l, self.src);
                            parts.push(if text(op, self.src) == "or" {
                                format!("not ({c})")
                            } else {
                                c.to_string()
                            });
                            innermost.get_or_insert(l.byte_range());
                        }
                    }
                }
                _ => {}
            }
            node = parent;
        }
        let range = innermost?;
        Some(Guard {
            text: parts.join(" and ").into(),
            range,
            in_catch,
            missing_config: self.tests_missing_config(site),
            verified_by,
        })
    }

    /// The call that verifies a credential in the `try` of `except_clause`
    /// (`jwt.decode(…)`, `verify_token(…)`), as its callee's text.
    fn verify_call_in_try(&self, except_clause: Node<'a>) -> Option<std::sync::Arc<str>> {
        let body = self
            .up(except_clause)
            .filter(|t| t.kind_name() == "try_statement")?
            .field("body")?;
        let lookups = syntax::names_token_error(text(except_clause, self.src));
        syntax::verifying_call(body, self.src, "call", is_scope, lookups)
    }

    /// A condition's text, with locals that hold a credential read from the
    /// request spelled out: `header is None` where `header =
    /// request.META.get("HTTP_AUTHORIZATION")` reads as that call `is None`,
    /// so the evidence sees what is tested.
    fn cond_text(&self, cond: Node<'a>) -> String {
        let mut out = strip_parens(text(cond, self.src)).to_string();
        let mut done: HashSet<&str> = HashSet::default();
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "identifier" {
                let name = text(n, self.src);
                let field = self.up(n).is_some_and(|p| {
                    p.kind_name() == "attribute"
                        && p.field("attribute").is_some_and(|a| a.id() == n.id())
                });
                if field || !done.insert(name) {
                    continue;
                }
                let Some(v) = self.resolve_local(name, n).map(unwrap_expr) else {
                    continue;
                };
                let vt = text(v, self.src);
                let lower = vt.to_ascii_lowercase();
                // The caller's identity as the framework holds it, copied
                // into a local (`user = self.current_user`), when the local
                // is the whole condition (`if user is None`, `if not user`):
                // beside other tests its fields read as its attributes.
                let whole = strip_parens(text(cond, self.src));
                let whole = whole == format!("{name} is None") || whole == format!("not {name}");
                let session_identity = whole && current_user_source(&lower);
                let credential = lower.contains("headers")
                    || lower.contains("meta")
                    || lower.contains("cookies")
                    || lower.contains("authorization")
                    || session_identity;
                if credential && vt.len() <= 120 && !vt.contains('\n') {
                    let value = if matches!(v.kind_name(), "call" | "attribute" | "subscript") {
                        vt.to_string()
                    } else {
                        format!("({vt})")
                    };
                    out = syntax::replace_word(&out, name, &value);
                }
                continue;
            }
            stack.extend(named_children(n));
        }
        out
    }

    /// The guard of an exception raised in several places: any of their
    /// conditions (`(a) or (b)`), pointing at the one at `anchor`.
    pub(super) fn combined_guard(&self, raises: &[Node<'a>], anchor: Node<'a>) -> Option<Guard> {
        let guards: Vec<(Node, Option<Guard>)> =
            raises.iter().map(|r| (*r, self.guard(*r))).collect();
        let texts: Vec<std::sync::Arc<str>> = guards
            .iter()
            .filter_map(|(_, g)| g.as_ref().map(|g| g.text.clone()))
            .collect();
        let range = guards
            .iter()
            .find(|(r, _)| r.id() == anchor.id())
            .and_then(|(_, g)| g.as_ref())
            .or_else(|| guards.iter().find_map(|(_, g)| g.as_ref()))?
            .range
            .clone();
        // Raised unconditionally somewhere: no condition selects it.
        let text = if texts.len() < guards.len() {
            String::new()
        } else {
            texts
                .iter()
                .map(|t| format!("({t})"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        Some(Guard {
            text: text.into(),
            range,
            in_catch: guards
                .iter()
                .any(|(_, g)| g.as_ref().is_some_and(|g| g.in_catch)),
            missing_config: guards
                .iter()
                .all(|(_, g)| g.as_ref().is_some_and(|g| g.missing_config)),
            verified_by: None,
        })
    }

    /// Whether the innermost `if` around `site` tests for a missing secret or
    /// environment variable: `not os.environ.get("JWT_SECRET")`,
    /// `os.getenv("KEY") is None`, `not SECRET` where `SECRET = os.getenv(...)`,
    /// `not settings.JWT_SECRET`.
    fn tests_missing_config(&self, site: Node<'a>) -> bool {
        let mut node = site;
        let mut cond = None;
        for _ in 0..MAX_PARENT_WALK {
            let Some(p) = self.up(node) else { return false };
            if is_scope(p) {
                return false;
            }
            if matches!(p.kind_name(), "if_statement" | "elif_clause")
                && p.field("consequence").is_some_and(|c| c.id() == node.id())
            {
                cond = p.field("condition");
                break;
            }
            node = p;
        }
        let Some(cond) = cond else { return false };
        let is_config = |t: &str| {
            // os.environ / os.getenv, Flask's app.config, Django's settings.X
            // `os.environ`, not a variable named `environment`.
            (t.match_indices("environ").any(|(i, w)| {
                !t[i + w.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            }) || t.contains("getenv")
                || t.contains("env.get(")
                || t.contains("config.get(")
                || t.contains(".config["))
                && !t.contains("request")
                || t.strip_prefix("settings.").is_some_and(|k| {
                    !k.is_empty()
                        && k.chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                })
        };
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            let tested = match n.kind_name() {
                "not_operator" => n.field("argument"),
                "comparison_operator" if text(n, self.src).ends_with("is None") => n.named_child(0),
                _ => None,
            };
            if let Some(arg) = tested.map(unwrap_expr) {
                let t = text(arg, self.src);
                if is_config(t) {
                    return true;
                }
                if arg.kind_name() == "identifier" {
                    // `SUPER_CLOUD_API_KEY` imported from `app.configs.app_configs`.
                    // A secret, not a feature switch (`ENABLE_ADMIN_EXPORT`).
                    let setting = t
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                        && ["KEY", "SECRET", "TOKEN", "PASSWORD", "CREDENTIAL"]
                            .iter()
                            .any(|w| t.contains(w));
                    let from_config = self.imports.get(t).is_some_and(|(m, _)| {
                        let m = m.to_ascii_lowercase();
                        m.contains("config") || m.contains("settings")
                    });
                    if setting && from_config {
                        return true;
                    }
                    if let Some(v) = self.resolve_local(t, arg) {
                        if is_config(text(v, self.src)) {
                            return true;
                        }
                    }
                }
            }
            stack.extend(named_children(n));
        }
        false
    }

    /// An earlier check, dependency or decorator that rejected callers with no identity.
    pub(super) fn identity_established(&self, site: Node<'a>) -> Option<Range<usize>> {
        let func = enclosing_function(self, site)?;
        let mut found = None;
        if let Some(body) = func.field("body") {
            let mut stack = vec![body];
            while let Some(n) = stack.pop() {
                if n.start_byte() >= site.start_byte() || (n.id() != body.id() && is_scope(n)) {
                    continue;
                }
                if n.kind_name() == "if_statement" && n.end_byte() <= site.start_byte() {
                    if let (Some(cond), Some(cons)) = (n.field("condition"), n.field("consequence"))
                    {
                        if block_exits(cons, self.src)
                            && rejects_missing_identity(text(cond, self.src))
                        {
                            found = Some(cond.byte_range());
                        }
                    }
                }
                stack.extend(named_children(n));
            }
        }
        if found.is_some() {
            return found;
        }
        // `user: User = Depends(get_current_user)` (FastAPI dependency injection)
        if let Some(ps) = func.field("parameters") {
            for p in named_children(ps) {
                let Some(value) = p.field("value") else {
                    continue;
                };
                let v = text(value, self.src);
                if !(v.starts_with("Depends(") || v.starts_with("Security(")) {
                    continue;
                }
                let name = p
                    .field("name")
                    .map(|n| text(n, self.src))
                    .unwrap_or("")
                    .to_ascii_lowercase();
                let dep = v.to_ascii_lowercase();
                let identity = [
                    "user",
                    "principal",
                    "identity",
                    "account",
                    "claims",
                    "current",
                ];
                if identity.iter().any(|k| name.contains(k) || dep.contains(k))
                    && !name.contains("token")
                {
                    return Some(p.byte_range());
                }
            }
        }
        // `@login_required`, `@jwt_required()`, `@requires_auth`
        if let Some(dec) = self
            .up(func)
            .filter(|p| p.kind_name() == "decorated_definition")
        {
            for d in named_children(dec).filter(|d| d.kind_name() == "decorator") {
                let t = text(d, self.src).trim_start_matches('@');
                let head = t.split('(').next().unwrap_or(t);
                let last = head.rsplit('.').next().unwrap_or(head).to_ascii_lowercase();
                if last.contains("login_required")
                    || last.contains("auth_required")
                    || last.contains("jwt_required")
                    || last.contains("token_required")
                    || last.contains("requires_auth")
                    || last == "authenticated"
                {
                    return Some(d.byte_range());
                }
            }
        }
        None
    }
}

/// Where a framework keeps the request's authenticated caller:
/// Tornado's `self.current_user` (or `get_current_user()`), Flask-Login's
/// `current_user`, Django's `request.user`, Flask's `g.user`.
fn current_user_source(lower: &str) -> bool {
    let v = lower.strip_prefix("await ").unwrap_or(lower);
    let v = v.strip_suffix("()").unwrap_or(v);
    let last2: Vec<&str> = v.rsplit('.').take(2).collect();
    match last2.as_slice() {
        [last, ..] if matches!(*last, "current_user" | "get_current_user") => true,
        ["user", owner] => matches!(*owner, "request" | "g"),
        _ => false,
    }
}
