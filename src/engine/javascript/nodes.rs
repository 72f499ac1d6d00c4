//! Small questions about syntax nodes: functions (their bodies, names and
//! returned expressions), statements, call arguments, object properties and
//! member expressions.

use super::Cx;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use tree_sitter::Node;

pub(super) fn is_function(n: Node) -> bool {
    matches!(
        n.kind_name(),
        "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
            | "generator_function"
    )
}

pub(super) fn is_statement(n: Node) -> bool {
    n.kind_name().ends_with("_statement")
        || n.kind_name() == "lexical_declaration"
        || n.kind_name() == "variable_declaration"
}

pub(super) fn enclosing_function<'t>(cx: &Cx<'t>, n: Node<'t>) -> Option<Node<'t>> {
    let mut p = cx.up(n);
    while let Some(x) = p {
        if is_function(x) {
            return Some(x);
        }
        p = cx.up(x);
    }
    None
}

pub(super) fn function_body(n: Node) -> Option<Node> {
    if is_function(n) {
        n.field("body")
    } else {
        None
    }
}

/// A function's name: its own, or the variable/property it is assigned to.
pub(super) fn function_name(cx: &Cx, n: Node, src: &str) -> Option<String> {
    if !is_function(n) {
        return None;
    }
    if let Some(name) = n.field("name") {
        return Some(text(name, src).to_string());
    }
    name_from_parent(cx.up(n)?, src)
}

/// The name an anonymous function gets from its parent `p`.
pub(super) fn name_from_parent(p: Node, src: &str) -> Option<String> {
    match p.kind_name() {
        "variable_declarator" => p.field("name").map(|x| text(x, src).to_string()),
        "pair" => p.field("key").map(|x| text(x, src).to_string()),
        "assignment_expression" => p
            .field("left")
            .map(|x| text(x, src).rsplit('.').next().unwrap_or("").to_string()),
        _ => None,
    }
}

/// The expression a function body returns first (for header builders).
pub(super) fn returned_expr(body: Node) -> Option<Node> {
    if body.kind_name() != "statement_block" {
        return Some(body); // arrow with expression body
    }
    named_children(body)
        .find(|s| s.kind_name() == "return_statement")
        .and_then(|r| r.named_child(0))
}

/// Strips parentheses, `await`, TypeScript `as`/`satisfies`/non-null wrappers.
pub(super) fn unwrap_expr(mut n: Node) -> Node {
    loop {
        match n.kind_name() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression"
            | "type_assertion"
            | "await_expression" => match n.named_child(0) {
                Some(c) => n = c,
                None => return n,
            },
            _ => return n,
        }
    }
}

/// `obj.prop` as (object, property), when `n` is a member expression.
pub(super) fn member(n: Option<Node>) -> Option<(Option<Node>, Option<Node>)> {
    n.filter(|n| n.kind_name() == "member_expression")
        .map(|m| (m.field("object"), m.field("property")))
}

pub(super) fn args_of(node: Node) -> Vec<Node> {
    node.field("arguments")
        .map(|a| {
            named_children(a)
                .filter(|c| c.kind_name() != "comment")
                .collect()
        })
        .unwrap_or_default()
}

/// The `pair` of `obj` whose key is `name`.
pub(super) fn pair<'t>(cx: &Cx<'t>, obj: Node<'t>, name: &str) -> Option<Node<'t>> {
    named_children(obj).find(|p| {
        p.kind_name() == "pair"
            && p.field("key").and_then(|k| cx.key_name(k)).as_deref() == Some(name)
    })
}

pub(super) fn shorthand<'t>(cx: &Cx<'t>, obj: Node<'t>, name: &str) -> Option<Node<'t>> {
    named_children(obj)
        .find(|p| p.kind_name() == "shorthand_property_identifier" && text(*p, cx.src) == name)
}

impl<'a> Cx<'a> {
    pub(super) fn key_name(&self, key: Node) -> Option<String> {
        match key.kind_name() {
            "property_identifier" => Some(text(key, self.src).to_string()),
            "string" => string_value(key, self.src),
            "computed_property_name" => {
                let inner = key.named_child(0)?;
                match inner.kind_name() {
                    "string" | "template_string" => string_value(inner, self.src),
                    "identifier" => {
                        let v = self.resolve_local(text(inner, self.src), inner)?;
                        string_value(v, self.src)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}
