//! The condition a site answers ([`Guard`]): the `if` around it or the
//! `catch` it sits in, whether that condition tests missing configuration,
//! and whether an identity was already established before it.

use super::context::is_destructured;
use super::nodes::{enclosing_function, function_body, is_function, unwrap_expr};
use super::status::is_env_read;
use super::Cx;
use crate::engine::model::*;
use crate::engine::syntax::{self, named_children, text, NodeExt};
use rustc_hash::FxHashSet as HashSet;
use std::ops::Range;
use tree_sitter::Node;

fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// A condition that rejects callers with no identity: `!user`, `error || !user`,
/// `!req.session.userId`, `user == null`, Python `not user`.
pub(crate) fn rejects_missing_identity(cond: &str) -> bool {
    const IDENTITY: &[&str] = &[
        "user",
        "session",
        "userid",
        "user_id",
        "claims",
        "payload",
        "decoded",
        "currentuser",
        "current_user",
        "auth",
        "principal",
        "identity",
        "token",
        "jwt",
        "sub",
    ];
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let c = c.replace("not", "!");
    for (i, _) in c.match_indices('!') {
        if c[i + 1..].starts_with('=') {
            continue;
        }
        let path: String = c[i + 1..]
            .chars()
            .take_while(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '.' | '?'))
            .collect();
        let last = path
            .trim_end_matches(['.', '?'])
            .rsplit(['.', '?'])
            .next()
            .unwrap_or("");
        let rest = &c[i + 1 + path.len()..];
        if IDENTITY.contains(&last) && !rest.starts_with(['(', '[']) && !path.ends_with('.') {
            return true;
        }
    }
    IDENTITY.iter().any(|k| {
        c.contains(&format!("{k}==null"))
            || c.contains(&format!("{k}===undefined"))
            || c.contains(&format!("{k}is!e"))
    })
}

impl<'a> Cx<'a> {
    /// A condition's text, with locals that hold a credential read from the
    /// request spelled out: `!token` where `const token =
    /// req.headers['x-token']` reads as `!(req.headers['x-token'])`, so the
    /// evidence sees what is tested.
    fn cond_text(&self, cond: Node<'a>) -> String {
        let mut out = strip_parens(text(cond, self.src)).to_string();
        let mut done: HashSet<&str> = HashSet::default();
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            if n.kind_name() != "identifier" {
                stack.extend(named_children(n));
                continue;
            }
            let name = text(n, self.src);
            if !done.insert(name) {
                continue;
            }
            let Some(v) = self
                .declarator_of(name, n)
                .filter(|d| !is_destructured(*d))
                .and_then(|d| d.field("value"))
            else {
                continue;
            };
            let vt = text(v, self.src);
            let lower = vt.to_ascii_lowercase();
            // The raw credential, not what a verification made of it; or
            // the caller's identity as the session holds it
            // (`const userId = session?.user?.id`).
            // Only as the whole condition (`if (!userId)`): beside other
            // tests the identity's fields read as its attributes.
            let whole = strip_parens(text(cond, self.src)) == format!("!{name}");
            let session_identity = whole
                && lower.starts_with("session")
                && (lower.contains(".user") || lower.contains("?.user"));
            let credential = (["headers", "header(", "cookie", "authorization"]
                .iter()
                .any(|k| lower.contains(k))
                || session_identity)
                && !["await", "verify", "decode", "decrypt"]
                    .iter()
                    .any(|k| lower.contains(k));
            if credential && vt.len() <= 120 && !vt.contains('\n') {
                // A member chain needs no parentheses: `!session?.user?.id`.
                let chain = vt
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '.' | '?'));
                let with = if chain {
                    vt.to_string()
                } else {
                    format!("({vt})")
                };
                out = syntax::replace_word(&out, name, &with);
            }
        }
        out
    }

    /// The conditions under which `site` runs, innermost first, up to its function.
    pub(super) fn guard(&self, site: Node) -> Option<Guard> {
        let mut node = site;
        let mut parts: Vec<String> = Vec::new();
        let mut innermost: Option<Range<usize>> = None;
        let mut in_catch = false;
        let mut verified_by = None;
        while let Some(parent) = self.up(node) {
            if is_function(parent) {
                break;
            }
            match parent.kind_name() {
                "if_statement" => {
                    if let Some(cond) = parent.field("condition") {
                        let c = self.cond_text(cond);
                        let in_else = parent
                            .field("alternative")
                            .is_some_and(|a| a.byte_range().contains(&node.start_byte()));
                        let in_cond = cond.byte_range().contains(&node.start_byte());
                        if !in_cond {
                            if innermost.is_none() && !in_else && verified_by.is_none() {
                                verified_by = self.failed_verification(cond);
                            }
                            parts.push(if in_else {
                                format!("!({c})")
                            } else {
                                c.to_string()
                            });
                            innermost.get_or_insert(cond.byte_range());
                        }
                    }
                }
                // `assertThat(!user.suspended, new RequestError(…))`: the
                // error is thrown when the asserted condition is false.
                "arguments" => {
                    if let Some(first) = self.asserted_condition(parent, node) {
                        let c = self.cond_text(first);
                        // `assertThat(!user.isSuspended, …)` throws when `user.isSuspended`.
                        parts.push(match c.strip_prefix('!') {
                            Some(rest) if !rest.starts_with('=') => strip_parens(rest).to_string(),
                            _ => format!("!({c})"),
                        });
                        innermost.get_or_insert(first.byte_range());
                    }
                }
                "catch_clause" => {
                    let p = parent
                        .field("parameter")
                        .map(|p| text(p, self.src))
                        .unwrap_or("error");
                    parts.push(format!("catch ({p})"));
                    innermost
                        .get_or_insert(parent.byte_range().start..parent.byte_range().start + 5);
                    in_catch = true;
                    if verified_by.is_none() {
                        verified_by = self.verify_call_in_try(parent);
                    }
                }
                "ternary_expression" => {
                    if let Some(cond) = parent.field("condition") {
                        if !cond.byte_range().contains(&node.start_byte()) {
                            let c = strip_parens(text(cond, self.src));
                            let in_alt = parent
                                .field("alternative")
                                .is_some_and(|a| a.byte_range().contains(&node.start_byte()));
                            parts.push(if in_alt {
                                format!("!({c})")
                            } else {
                                c.to_string()
                            });
                            innermost.get_or_insert(cond.byte_range());
                        }
                    }
                }
                "binary_expression" => {
                    // `!token && res.status(401)…`
                    if let (Some(l), Some(op)) = (parent.field("left"), parent.field("operator")) {
                        if l.end_byte() <= node.start_byte()
                            && matches!(text(op, self.src), "&&" | "||")
                        {
                            let c = text(l, self.src);
                            parts.push(if text(op, self.src) == "||" {
                                format!("!({c})")
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
        if innermost.is_none() {
            // `if (allowed.includes(user.role)) { next(); return } return
            // res.sendStatus(401)`: the site runs when the check right
            // before it failed.
            if let Some(cond) = self.exited_check_before(site) {
                parts.push(format!("!({})", self.cond_text(cond)));
                innermost = Some(cond.byte_range());
            }
        }
        let range = innermost?;
        let missing_config = self.tests_missing_config(site);
        Some(Guard {
            text: parts.join(" && ").into(),
            range,
            in_catch,
            missing_config,
            verified_by,
        })
    }

    /// The condition of the `if` right before the statement holding `site`
    /// in its block, when that `if` has no `else` and its branch passes the
    /// request on and leaves (`next(); return`): middleware that lets the
    /// allowed through and refuses the rest, so past it the condition is
    /// false.
    fn exited_check_before(&self, site: Node<'a>) -> Option<Node<'a>> {
        let mut stmt = site;
        loop {
            let parent = self.up(stmt)?;
            if is_function(parent) {
                return None;
            }
            if parent.kind_name() == "statement_block" {
                break;
            }
            stmt = parent;
        }
        // Past comments, declarations and calls (a log line) between them.
        let mut prev = stmt.prev_named_sibling();
        while let Some(p) = prev.filter(|p| {
            matches!(
                p.kind_name(),
                "comment" | "expression_statement" | "lexical_declaration" | "variable_declaration"
            )
        }) {
            prev = p.prev_named_sibling();
        }
        let prev = prev.filter(|p| p.kind_name() == "if_statement")?;
        if prev.field("alternative").is_some() {
            return None;
        }
        let branch = prev.field("consequence")?;
        let last = if branch.kind_name() == "statement_block" {
            let mut c = branch.named_child(branch.named_child_count().checked_sub(1)?);
            while let Some(x) = c.filter(|x| x.kind_name() == "comment") {
                c = x.prev_named_sibling();
            }
            c?
        } else {
            branch
        };
        let passes_on = text(branch, self.src).contains("next(");
        (passes_on && matches!(last.kind_name(), "return_statement" | "throw_statement"))
            .then(|| prev.field("condition"))
            .flatten()
    }

    /// `!auth.valid` where `const auth = await verifyKey(req.headers.authorization)`:
    /// the condition is that verifying the request's credential failed; the
    /// verifying call's callee.
    fn failed_verification(&self, cond: Node<'a>) -> Option<std::sync::Arc<str>> {
        const VALIDITY: &[&str] = &[
            "valid",
            "validKey",
            "isValid",
            "ok",
            "success",
            "authenticated",
        ];
        let c = strip_parens(text(cond, self.src));
        // `!result.valid || !result.ownerId`: the first test decides.
        let c = match c.split_once("||") {
            Some((first, _)) if !first.contains('(') => first.trim(),
            _ => c,
        };
        // `if (error)` where `const { error } = await verifyKey(key)`.
        let tested = match c.strip_prefix('!') {
            Some(t) => t.trim(),
            None if matches!(c, "error" | "err") => c,
            None => return None,
        };
        let (name, field) = match tested.split_once('.') {
            Some((n, f)) => (n, Some(f.trim_start_matches('?').trim_start_matches('.'))),
            None => (tested, None),
        };
        if field.is_some_and(|f| !VALIDITY.contains(&f))
            || !name
                .chars()
                .all(|ch| ch.is_alphanumeric() || ch == '_' || ch == '$')
        {
            return None;
        }
        let mut v = self.declarator_of(name, cond)?.field("value")?;
        while matches!(
            v.kind_name(),
            "await_expression" | "parenthesized_expression"
        ) {
            v = v.named_child(0)?;
        }
        if v.kind_name() != "call_expression" {
            return None;
        }
        let args = text(v.field("arguments")?, self.src).to_ascii_lowercase();
        let reads_credential = [
            "authorization",
            "headers",
            "header(",
            "cookie",
            "token",
            "apikey",
            "api_key",
        ]
        .iter()
        .any(|k| args.contains(k));
        // The call's own name says it verifies (`verifyAuthHeader`,
        // `validateSession`), not that it looks something up or decides a
        // permission (`findFirst`, `resourcePrivileges`, `canAccess`).
        let f = v.field("function").map_or("", |f| text(f, self.src));
        let callee = f.rsplit(['.', ')']).next().unwrap_or(f);
        let lower = callee.to_ascii_lowercase();
        let verifies = [
            "verify",
            "validate",
            "authenticat",
            "auth",
            "session",
            "token",
            "jwt",
            "credential",
        ]
        .iter()
        .any(|w| lower.contains(w))
            && !["privilege", "permission", "allow", "role"]
                .iter()
                .any(|w| lower.contains(w))
            && !lower.starts_with("can");
        // `validateKey(key)`, `verifyToken(t)`: the name says what it verifies.
        let names_credential = (lower.contains("verify") || lower.contains("validate"))
            && ["key", "token", "session", "credential", "jwt"]
                .iter()
                .any(|w| lower.contains(w));
        ((reads_credential || names_credential) && verifies).then(|| callee.into())
    }

    /// The call that verifies a credential in the `try` of `catch_clause`
    /// (`jwt.verify(…)`, `await request.jwtVerify()`, `jwtVerify(…)`), as
    /// its callee's text.
    fn verify_call_in_try(&self, catch_clause: Node<'a>) -> Option<std::sync::Arc<str>> {
        let body = self
            .up(catch_clause)
            .filter(|t| t.kind_name() == "try_statement")?
            .field("body")?;
        let lookups = syntax::names_token_error(text(catch_clause, self.src));
        syntax::verifying_call(body, self.src, "call_expression", is_function, lookups)
    }

    /// Whether the innermost `if` around `site` tests for a missing secret or
    /// environment variable: `!process.env.X`, `!env.API_KEY`, `!secret` where
    /// `const secret = Deno.env.get('…')`.
    fn tests_missing_config(&self, site: Node<'a>) -> bool {
        let mut node = site;
        let cond = loop {
            let Some(p) = self.up(node) else { return false };
            if is_function(p) {
                return false;
            }
            if p.kind_name() == "if_statement" {
                break p.field("condition");
            }
            node = p;
        };
        let Some(cond) = cond else { return false };
        let mut stack = vec![cond];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "unary_expression" && text(n, self.src).starts_with('!') {
                if let Some(arg) = n.named_child(0).map(unwrap_expr) {
                    if is_env_read(arg, self.src) || config_secret(arg, self.src) {
                        return true;
                    }
                    if arg.kind_name() == "identifier" {
                        let init = self
                            .resolve_local(text(arg, self.src), arg)
                            .map(unwrap_expr);
                        if init.is_some_and(|v| is_env_read(v, self.src)) {
                            return true;
                        }
                    }
                }
            }
            stack.extend(named_children(n));
        }
        false
    }

    /// An earlier check in the same function that rejected callers with no identity.
    pub(super) fn identity_established(&self, site: Node) -> Option<Range<usize>> {
        let func = enclosing_function(self, site)?;
        let body = function_body(func)?;
        let mut found = None;
        let mut stack = vec![body];
        while let Some(n) = stack.pop() {
            if n.start_byte() >= site.start_byte() || (n.id() != body.id() && is_function(n)) {
                continue;
            }
            if n.kind_name() == "if_statement" && n.end_byte() <= site.start_byte() {
                if let (Some(cond), Some(cons)) = (n.field("condition"), n.field("consequence")) {
                    let c = text(cond, self.src);
                    let exits = {
                        let t = text(cons, self.src);
                        t.contains("return") || t.contains("throw") || t.contains("next(")
                    };
                    if exits && rejects_missing_identity(c) {
                        found = Some(cond.byte_range());
                    }
                }
            }
            stack.extend(named_children(n));
        }
        found
            .or_else(|| self.auth_guard_decorator(func))
            .or_else(|| self.protected_procedure(func))
    }

    /// `protectedProcedure.input(…).mutation(async ({ ctx }) => …)`: a tRPC
    /// procedure built on one that checked the session (create-t3-app's
    /// `protectedProcedure`, an `authedProcedure`): the caller is known.
    fn protected_procedure(&self, func: Node) -> Option<Range<usize>> {
        let args = self.up(func).filter(|a| a.kind_name() == "arguments")?;
        let call = self
            .up(args)
            .filter(|c| c.kind_name() == "call_expression")?;
        let callee = call
            .field("function")
            .filter(|f| f.kind_name() == "member_expression")?;
        let method = text(callee.field("property")?, self.src);
        if !matches!(method, "query" | "mutation" | "subscription") {
            return None;
        }
        // Down the chain to the procedure it starts from.
        let mut n = callee.field("object")?;
        for _ in 0..16 {
            match n.kind_name() {
                "call_expression" => n = n.field("function")?,
                "member_expression" => n = n.field("object")?,
                "identifier" => break,
                _ => return None,
            }
        }
        let name = text(n, self.src).to_ascii_lowercase();
        let authed = ["protected", "authed", "private", "auth"]
            .iter()
            .any(|w| name.contains(w));
        (name.ends_with("procedure") && authed).then(|| n.byte_range())
    }

    /// `@UseGuards(AuthGuard('jwt'))` on a NestJS method or on its class:
    /// Nest rejects a caller with no identity before the method runs.
    fn auth_guard_decorator(&self, func: Node) -> Option<Range<usize>> {
        if func.kind_name() != "method_definition" {
            return None;
        }
        let body = self.up(func)?;
        // A method's decorators are the class body's children just before it.
        let mut decorators = Vec::new();
        for c in named_children(body) {
            if c.id() == func.id() {
                break;
            }
            if c.kind_name() == "decorator" {
                decorators.push(c);
            } else {
                decorators.clear();
            }
        }
        let class = self.up(body);
        for owner in [class, class.and_then(|c| self.up(c))]
            .into_iter()
            .flatten()
        {
            decorators.extend(named_children(owner).filter(|c| c.kind_name() == "decorator"));
        }
        decorators
            .into_iter()
            .find(|d| {
                let t = text(*d, self.src);
                t.contains("UseGuards(")
                    && [
                        "AuthGuard",
                        "JwtGuard",
                        "AuthenticatedGuard",
                        "SessionGuard",
                    ]
                    .iter()
                    .any(|g| t.contains(g))
            })
            .map(|d| d.byte_range())
    }
}

impl<'a> Cx<'a> {
    /// The condition of an assertion that throws `arg` when it is false:
    /// `args` are the arguments of `assertThat(cond, error)`,
    /// `assert(cond, error)`, `invariant(cond, error)` or
    /// `assert.ok(cond, error)`, and `arg` comes after `cond`.
    pub(super) fn asserted_condition(&self, args: Node<'a>, arg: Node) -> Option<Node<'a>> {
        let call = self
            .up(args)
            .filter(|c| c.kind_name() == "call_expression")?;
        let callee = call.field("function").map(|f| text(f, self.src))?;
        if !matches!(callee, "assertThat" | "assert" | "invariant" | "assert.ok") {
            return None;
        }
        args.named_child(0)
            .filter(|first| first.end_byte() <= arg.start_byte())
    }
}

/// `serverConfig.baiduApiKey`, `settings.stripeSecret`: a secret of the
/// server's configuration object (a getter's result, read once).
fn config_secret(n: Node, src: &str) -> bool {
    if n.kind_name() != "member_expression" {
        return false;
    }
    let (Some(obj), Some(prop)) = (n.field("object"), n.field("property")) else {
        return false;
    };
    let obj = text(obj, src).to_ascii_lowercase();
    let prop = text(prop, src).to_ascii_lowercase();
    let holder = obj.rsplit('.').next().unwrap_or(&obj);
    (holder.ends_with("config") || holder.ends_with("settings"))
        && !holder.contains("user")
        && ["key", "secret", "token", "password"]
            .iter()
            .any(|w| prop.contains(w))
}
