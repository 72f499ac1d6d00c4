//! The module summary other files' extraction reads ([`ModuleSummary`]):
//! exported constants, header builders, functions and response helpers.

use super::candidates::candidates;
use super::helpers::collect_helpers;
use super::nodes::{function_body, function_name, returned_expr, unwrap_expr};
use super::Cx;
use crate::engine::index::{export_specifiers, Export, ModuleSummary, ProjectIndex, Reexport};
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use crate::engine::Language;
use crate::settings::Settings;
use std::path::Path;
use tree_sitter::{Node, Tree};

/// What a module exports, for importers: status constants, header objects,
/// header builders and response helpers.
pub fn summarize(path: &Path, src: &str, tree: &Tree, index: &ProjectIndex) -> ModuleSummary {
    let lang = Language::from_path(path).unwrap_or(Language::TypeScript);
    let settings = Settings::default();
    let mut cx = Cx::new(path, src, tree, &settings, index);
    let (raw, _) = candidates(&cx, lang);
    cx.helpers = collect_helpers(&cx, &raw);
    let mut summary = ModuleSummary::default();
    let root = tree.root_node();
    for stmt in named_children(root) {
        if stmt.kind_name() == "export_statement" {
            let is_default = text(stmt, src).trim_start().starts_with("export default");
            if let Some(source) = stmt.field("source") {
                if let Some(r) = reexport(stmt, source, path, src, index) {
                    summary.reexports.push(r);
                }
            } else if let Some(decl) = stmt.field("declaration") {
                for (name, export) in declared_exports(&cx, decl) {
                    // `export default class UnauthorizedError …`
                    if is_default && summary.default_export.is_none() {
                        summary.default_export = Some(export.clone());
                    }
                    summary.exports.insert(name, export);
                }
            } else if let Some(value) = stmt.field("value").filter(|_| is_default) {
                // `export default UnauthorizedError;` names a class declared
                // above (not `export default app`, an application object).
                let named = unwrap_expr(value);
                let e = if named.kind_name() == "identifier" {
                    local_export(&cx, root, text(named, src))
                        .filter(|e| matches!(e, Export::ErrorClass(_)))
                } else {
                    None
                };
                if let Some(e) = e.or_else(|| value_export(&cx, value, None)) {
                    summary.default_export = Some(e);
                }
            } else {
                // `export { a, b as c }`
                for clause in named_children(stmt).filter(|c| c.kind_name() == "export_clause") {
                    for spec in named_children(clause) {
                        let name = spec.field("name").map(|n| text(n, src).to_string());
                        let alias = spec.field("alias").map(|n| text(n, src).to_string());
                        if let Some(name) = name {
                            if let Some(e) = local_export(&cx, root, &name) {
                                summary.exports.insert(alias.unwrap_or(name), e);
                            }
                        }
                    }
                }
            }
        }
        // CommonJS: `module.exports = { a, b }`
        if stmt.kind_name() == "expression_statement" {
            if let Some(a) = stmt
                .named_child(0)
                .filter(|a| a.kind_name() == "assignment_expression")
            {
                let left = a.field("left").map(|l| text(l, src)).unwrap_or("");
                if left == "module.exports" {
                    if let Some(obj) = a.field("right").filter(|r| r.kind_name() == "object") {
                        for c in named_children(obj) {
                            let (name, local) = match c.kind_name() {
                                "shorthand_property_identifier" => {
                                    (text(c, src).to_string(), text(c, src).to_string())
                                }
                                "pair" => (
                                    c.field("key")
                                        .map(|k| text(k, src).to_string())
                                        .unwrap_or_default(),
                                    c.field("value")
                                        .map(|v| text(v, src).to_string())
                                        .unwrap_or_default(),
                                ),
                                _ => continue,
                            };
                            if let Some(e) = local_export(&cx, root, &local) {
                                summary.exports.insert(name, e);
                            }
                        }
                    }
                } else if let Some(name) = left
                    .strip_prefix("exports.")
                    .or_else(|| left.strip_prefix("module.exports."))
                {
                    if let Some(v) = a.field("right") {
                        if let Some(e) = value_export(&cx, v, Some(name)) {
                            summary.exports.insert(name.to_string(), e);
                        }
                    }
                }
            }
        }
    }
    summary
}

/// `export * from './errors'`, `export { A, B as C } from './errors'`
/// (not `export * as errors from …`, a namespace).
fn reexport(
    stmt: Node,
    source: Node,
    path: &Path,
    src: &str,
    index: &ProjectIndex,
) -> Option<Reexport> {
    let from = index.resolve(path, &string_value(source, src)?)?;
    let clause = named_children(stmt).find(|c| c.kind_name() == "export_clause");
    let names = match clause {
        None if named_children(stmt).any(|c| c.kind_name() == "namespace_export") => return None,
        None => None,
        Some(clause) => Some(
            named_children(clause)
                .filter_map(|spec| {
                    let name = text(spec.field("name")?, src).to_string();
                    let alias = spec
                        .field("alias")
                        .map_or_else(|| name.clone(), |a| text(a, src).to_string());
                    Some((name, alias))
                })
                .collect(),
        ),
    };
    Some(Reexport { from, names })
}

fn declared_exports(cx: &Cx, decl: Node) -> Vec<(String, Export)> {
    let mut out = Vec::new();
    match decl.kind_name() {
        "lexical_declaration" | "variable_declaration" => {
            for d in named_children(decl).filter(|d| d.kind_name() == "variable_declarator") {
                let Some(name) = d.field("name").map(|n| text(n, cx.src).to_string()) else {
                    continue;
                };
                if let Some(v) = d.field("value") {
                    if let Some(e) = value_export(cx, v, Some(&name)) {
                        out.push((name, e));
                    }
                }
            }
        }
        "function_declaration" => {
            if let Some(name) = function_name(cx, decl, cx.src) {
                if let Some(e) = function_export(cx, decl, &name) {
                    out.push((name, e));
                }
            }
        }
        "class_declaration" | "abstract_class_declaration" => {
            if let Some((name, e)) = class_export(cx, decl) {
                out.push((name, e));
            }
        }
        _ => {}
    }
    out
}

/// An error class with a fixed status ([`super::error_classes`]).
fn class_export(cx: &Cx, decl: Node) -> Option<(String, Export)> {
    let name = text(decl.field("name")?, cx.src).to_string();
    let sig = super::error_classes::class_sig(cx, decl, 0)?;
    Some((name, Export::ErrorClass(sig)))
}

fn local_export(cx: &Cx, root: Node, name: &str) -> Option<Export> {
    for stmt in named_children(root) {
        let decl = if stmt.kind_name() == "export_statement" {
            let Some(decl) = stmt.field("declaration") else {
                continue; // `export { a }`, `export default a`
            };
            decl
        } else {
            stmt
        };
        match decl.kind_name() {
            "lexical_declaration" | "variable_declaration" => {
                for d in named_children(decl).filter(|d| d.kind_name() == "variable_declarator") {
                    if d.field("name").map(|n| text(n, cx.src)) == Some(name) {
                        return d
                            .field("value")
                            .and_then(|v| value_export(cx, v, Some(name)));
                    }
                }
            }
            "function_declaration" if function_name(cx, decl, cx.src).as_deref() == Some(name) => {
                return function_export(cx, decl, name)
            }
            "class_declaration" | "abstract_class_declaration"
                if decl.field("name").is_some_and(|n| text(n, cx.src) == name) =>
            {
                return class_export(cx, decl).map(|(_, e)| e)
            }
            _ => {}
        }
    }
    None
}

fn value_export(cx: &Cx, v: Node, name: Option<&str>) -> Option<Export> {
    let v = unwrap_expr(v);
    match v.kind_name() {
        "number" => text(v, cx.src).parse::<u16>().ok().map(Export::Number),
        "string" | "template_string" => string_value(v, cx.src).map(Export::Str),
        "object" | "new_expression" => {
            let h = cx.eval_headers(v, v, 0);
            Some(Export::Headers {
                challenge: h.challenge.map(|c| c.literal),
                opaque: h.opaque,
            })
        }
        "arrow_function" | "function_expression" | "function" => {
            name.and_then(|n| function_export(cx, v, n))
        }
        _ => None,
    }
}

fn function_export(cx: &Cx, func: Node, name: &str) -> Option<Export> {
    if let Some(sig) = cx.helpers.get(name) {
        return Some(Export::Helper(sig.clone()));
    }
    let body = function_body(func)?;
    let ret = returned_expr(body)?;
    let ret = unwrap_expr(ret);
    if ret.kind_name() == "object"
        || (ret.kind_name() == "new_expression" && text(ret, cx.src).starts_with("new Headers"))
    {
        let h = cx.eval_headers(ret, ret, 0);
        return Some(Export::HeaderBuilder {
            challenge: h.challenge.map(|c| c.literal),
            opaque: h.opaque,
        });
    }
    // `isValidApiKey(headers, logger)` logging each rejection.
    cx.logs_then_rejects(body).then_some(Export::Logs)
}

/// The re-exports of a module read from its text, without parsing it:
/// `export * from './a'` and `export { A, B as C } from './b'` at the start
/// of a line (for a barrel module that names no status of its own).
pub fn text_reexports(path: &Path, src: &str, index: &ProjectIndex) -> Vec<Reexport> {
    let mut out = Vec::new();
    for (at, _) in src.match_indices("export ") {
        let line_start = src[..at].rfind('\n').map_or(0, |i| i + 1);
        if !src[line_start..at].trim().is_empty() {
            continue;
        }
        let after = src[at + "export ".len()..].trim_start();
        let (names, tail) = if let Some(t) = after.strip_prefix('*') {
            let t = t.trim_start();
            if !t.starts_with("from") {
                continue; // `export * as ns from …`
            }
            (None, t)
        } else if let Some(t) = after.strip_prefix('{') {
            let Some(close) = t.find('}').filter(|c| *c <= 4000) else {
                continue;
            };
            let names = export_specifiers(&t[..close]);
            (Some(names), t[close + 1..].trim_start())
        } else {
            continue;
        };
        let Some(spec) = tail.strip_prefix("from").map(str::trim_start) else {
            continue;
        };
        let Some(quote) = spec.chars().next().filter(|q| *q == '\'' || *q == '"') else {
            continue;
        };
        let Some(end) = spec[1..].find(quote) else {
            continue;
        };
        if let Some(from) = index.resolve(path, &spec[1..1 + end]) {
            out.push(Reexport { from, names });
        }
    }
    out
}
