//! Small questions about syntax nodes: scopes, functions and their
//! parameters, statements, call arguments ([`Args`]), dictionary keys and
//! string literals.

use super::{Cx, Param, MAX_PARENT_WALK};
use crate::engine::index::Export;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use tree_sitter::Node;

/// Functions, lambdas and classes start a new scope for paths and guards.
pub(super) fn is_scope(n: Node) -> bool {
    matches!(
        n.kind_name(),
        "function_definition" | "lambda" | "class_definition"
    )
}

pub(super) fn is_function(n: Node) -> bool {
    matches!(n.kind_name(), "function_definition" | "lambda")
}

pub(super) fn is_statement(n: Node) -> bool {
    n.kind_name().ends_with("_statement") || n.kind_name() == "decorated_definition"
}

pub(super) fn enclosing_function<'t>(cx: &Cx<'t>, n: Node<'t>) -> Option<Node<'t>> {
    let mut p = cx.up(n);
    let mut steps = 0;
    while let Some(x) = p {
        steps += 1;
        if steps > MAX_PARENT_WALK * 4 {
            return None;
        }
        if is_function(x) {
            return Some(x);
        }
        p = cx.up(x);
    }
    None
}

/// The leftmost identifier of `a.b.c` / `a.b().c`.
pub(super) fn leftmost(n: Node) -> Option<Node> {
    let mut x = n;
    for _ in 0..64 {
        match x.kind_name() {
            "identifier" => return Some(x),
            "attribute" => x = x.field("object")?,
            "call" => x = x.field("function")?,
            "subscript" => x = x.field("value")?,
            _ => return None,
        }
    }
    None
}

/// The assignment in a statement: `x = ...` (possibly annotated).
pub(super) fn assignment_in(stmt: Node) -> Option<Node> {
    if stmt.kind_name() != "expression_statement" {
        return None;
    }
    stmt.named_child(0)
        .filter(|a| a.kind_name() == "assignment")
}

/// Strips parentheses and `await`.
pub(super) fn unwrap_expr(mut n: Node) -> Node {
    for _ in 0..64 {
        match n.kind_name() {
            "parenthesized_expression" | "await" => match n.named_child(0) {
                Some(c) if c.kind_name() != "comment" => n = c,
                _ => return n,
            },
            _ => return n,
        }
    }
    n
}

pub(super) fn strip_parens(s: &str) -> &str {
    let t = s.trim();
    if t.starts_with('(') && t.ends_with(')') {
        &t[1..t.len() - 1]
    } else {
        t
    }
}

/// The parameters of a `def`, in order (`self` included).
pub(super) fn params<'a>(def: Node<'a>, src: &str) -> Vec<Param<'a>> {
    let Some(ps) = def.field("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut kw_only = false;
    for p in named_children(ps) {
        let (name, default, splat) = match p.kind_name() {
            "identifier" => (Some(text(p, src)), None, false),
            "typed_parameter" => (
                named_children(p)
                    .find(|c| c.kind_name() == "identifier")
                    .map(|c| text(c, src)),
                None,
                named_children(p).any(|c| c.kind_name().ends_with("splat_pattern")),
            ),
            "default_parameter" | "typed_default_parameter" => (
                p.field("name").map(|n| text(n, src)),
                p.field("value"),
                false,
            ),
            "list_splat_pattern" | "dictionary_splat_pattern" => {
                (named_children(p).next().map(|c| text(c, src)), None, true)
            }
            "keyword_separator" => {
                kw_only = true;
                continue;
            }
            _ => continue,
        };
        let Some(name) = name else { continue };
        let list_splat = p.kind_name() == "list_splat_pattern"
            || (p.kind_name() == "typed_parameter"
                && named_children(p).any(|c| c.kind_name() == "list_splat_pattern"));
        out.push(Param {
            name: name.trim_start_matches('*').to_string(),
            default,
            kw_only,
            splat,
        });
        if list_splat {
            kw_only = true;
        }
    }
    out
}

pub(super) fn param_index(def: Node, name: &str, src: &str) -> Option<usize> {
    params(def, src)
        .iter()
        .position(|p| p.name == name && !p.splat)
}

/// The arguments of a call.
pub(super) struct Args<'a> {
    pub(super) positional: Vec<Node<'a>>,
    pub(super) keywords: Vec<(String, Node<'a>)>,
    /// `*args` or `**kwargs` present: anything may be passed.
    pub(super) splat: bool,
    pub(super) list: Option<Node<'a>>,
}

impl<'a> Args<'a> {
    pub(super) fn of(call: Node<'a>, src: &str) -> Self {
        let mut out = Args {
            positional: Vec::new(),
            keywords: Vec::new(),
            splat: false,
            list: None,
        };
        let Some(list) = call
            .field("arguments")
            .filter(|a| a.kind_name() == "argument_list")
        else {
            return out;
        };
        out.list = Some(list);
        for a in named_children(list) {
            match a.kind_name() {
                "comment" => {}
                "keyword_argument" => {
                    if let (Some(n), Some(v)) = (a.field("name"), a.field("value")) {
                        out.keywords.push((text(n, src).to_string(), v));
                    }
                }
                "list_splat" | "dictionary_splat" => out.splat = true,
                _ => out.positional.push(a),
            }
        }
        out
    }

    /// The argument passed as keyword `kw`, else at position `pos`.
    pub(super) fn get(&self, kw: &str, pos: Option<usize>) -> Option<Node<'a>> {
        self.keywords
            .iter()
            .find(|(n, _)| n == kw)
            .map(|(_, v)| *v)
            .or_else(|| pos.and_then(|p| self.positional.get(p).copied()))
    }

    pub(super) fn has(&self, kw: &str) -> bool {
        self.keywords.iter().any(|(n, _)| n == kw)
    }
}

/// Replaces whole-word occurrences of `word` (not after a `.`) in `hay`.
/// Whether a block ends by raising: `raise ...` or Flask's `abort(...)`.
pub(super) fn block_raises(block: Node, src: &str) -> bool {
    named_children(block)
        .rev()
        .find(|s| s.kind_name() != "comment")
        .is_some_and(|s| match s.kind_name() {
            "raise_statement" => true,
            "expression_statement" => {
                let t = text(s, src);
                t.starts_with("abort(") || t.starts_with("flask.abort(")
            }
            _ => false,
        })
}

pub(super) fn except_alias(clause: Node) -> Option<Node> {
    if let Some(a) = clause.field("alias") {
        return Some(a);
    }
    let value = clause.field("value")?;
    let mut stack = vec![value];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "as_pattern_target" {
            return n.named_child(0).or(Some(n));
        }
        stack.extend(named_children(n));
    }
    None
}

/// The first node under `root` (not in nested scopes) matching `pred`.
pub(super) fn find_node<'t>(root: Node<'t>, pred: impl Fn(Node<'t>) -> bool) -> Option<Node<'t>> {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.id() != root.id() && is_scope(n) {
            continue;
        }
        if pred(n) {
            return Some(n);
        }
        stack.extend(named_children(n).rev());
    }
    None
}

/// The value a function returns first (for header builders).
pub(super) fn returned_value(def: Node) -> Option<Node> {
    let body = def.field("body")?;
    let ret = find_node(body, |n| n.kind_name() == "return_statement")?;
    ret.named_child(0)
}

impl<'a> Cx<'a> {
    pub(super) fn key_name(&self, key: Node<'a>) -> Option<String> {
        let key = unwrap_expr(key);
        match key.kind_name() {
            "string" | "concatenated_string" => self.string_literal(key),
            "identifier" => {
                let name = text(key, self.src);
                match self.resolve_local(name, key) {
                    Some(v) => self.string_literal(unwrap_expr(v)),
                    None => match self.imported(name) {
                        Some((Export::Str(s), _)) => Some(s),
                        _ => None,
                    },
                }
            }
            _ => None,
        }
    }

    /// A string literal's value (implicit concatenation joined; f-strings refused).
    pub(super) fn string_literal(&self, n: Node) -> Option<String> {
        match n.kind_name() {
            "string" => string_value(n, self.src),
            "concatenated_string" => {
                let mut out = String::new();
                for part in named_children(n) {
                    out.push_str(&string_value(part, self.src)?);
                }
                Some(out)
            }
            _ => None,
        }
    }
}
