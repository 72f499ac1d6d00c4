//! The module summary other files' extraction reads ([`ModuleSummary`]):
//! exported constants, header builders, error classes and response helpers.

use super::candidates::candidates;
use super::helpers::collect_helpers;
use super::nodes::{assignment_in, returned_value, unwrap_expr};
use super::{ClassStatus, Cx};
use crate::engine::eval::StatusEval;
use crate::engine::index::{ErrorClassSig, Export, ModuleSummary, ProjectIndex, Reexport};
use crate::engine::syntax::{named_children, text, NodeExt};
use crate::settings::Settings;
use std::path::Path;
use tree_sitter::Tree;

pub(super) struct NoSource;

impl crate::engine::index::ModuleSource for NoSource {
    fn read(&self, _: &Path) -> Option<String> {
        None
    }
}

/// What a module offers importers: status constants, header dicts, header
/// builders, response helpers and exception classes.
pub fn summarize(path: &Path, src: &str, tree: &Tree) -> ModuleSummary {
    let index = ProjectIndex::new(std::sync::Arc::new(NoSource));
    let settings = Settings::default();
    let mut cx = Cx::new(path, src, tree, &settings, &index);
    cx.is_test_file = false;
    let (raw, _) = candidates(&cx, None);
    cx.helpers = collect_helpers(&cx, &raw);
    let mut summary = ModuleSummary::default();
    for stmt in named_children(cx.root) {
        let def = if stmt.kind_name() == "decorated_definition" {
            stmt.field("definition").unwrap_or(stmt)
        } else {
            stmt
        };
        match def.kind_name() {
            "expression_statement" => {
                let Some(a) = assignment_in(def) else {
                    continue;
                };
                let (Some(l), Some(r)) = (a.field("left"), a.field("right")) else {
                    continue;
                };
                if l.kind_name() != "identifier" {
                    continue;
                }
                let name = text(l, src).to_string();
                let r = unwrap_expr(r);
                let export = match r.kind_name() {
                    "string" | "concatenated_string" => cx.string_literal(r).map(Export::Str),
                    "dictionary" => {
                        let h = cx.eval_headers(r, r, 0);
                        Some(Export::Headers {
                            challenge: h.challenge.map(|c| c.literal),
                            opaque: h.opaque,
                        })
                    }
                    _ => match cx.eval_status(r, 0) {
                        StatusEval::Known(v) if v.len() == 1 => Some(Export::Number(v[0].code)),
                        _ => None,
                    },
                };
                if let Some(e) = export {
                    summary.exports.insert(name, e);
                }
            }
            "function_definition" => {
                let Some(name) = def.field("name").map(|n| text(n, src).to_string()) else {
                    continue;
                };
                if let Some(h) = cx.helpers.get(&name) {
                    summary.exports.insert(name, Export::Helper(h.sig.clone()));
                } else if let Some(ret) = returned_value(def).map(unwrap_expr) {
                    if ret.kind_name() == "dictionary" {
                        let h = cx.eval_headers(ret, ret, 0);
                        summary.exports.insert(
                            name,
                            Export::HeaderBuilder {
                                challenge: h.challenge.map(|c| c.literal),
                                opaque: h.opaque,
                            },
                        );
                    }
                }
            }
            "class_definition" => {
                let Some(name) = def.field("name").map(|n| text(n, src).to_string()) else {
                    continue;
                };
                // `class RetCode(IntEnum): UNAUTHORIZED = 401`: a member a
                // handler returns as its status (`RetCode.UNAUTHORIZED`).
                for (member, code) in status_members(def, src) {
                    summary
                        .exports
                        .insert(format!("{name}.{member}"), Export::Number(code));
                }
                if let Some(c) = cx.error_classes.get(&name) {
                    let code = match c.status {
                        ClassStatus::Fixed(code) => code,
                        // A status every raise passes (`def __init__(self,
                        // message, status_code)`): none of the class's own.
                        ClassStatus::Param { default, .. } => default.unwrap_or(0),
                    };
                    summary.exports.insert(
                        name,
                        Export::ErrorClass(ErrorClassSig {
                            code,
                            framework: c.framework,
                            message: c.message.clone(),
                            challenge: if c.headers_opaque && c.challenge.is_none() {
                                Some(None)
                            } else {
                                c.challenge.as_ref().map(|ch| ch.literal.clone())
                            },
                            definition: c.definition.clone(),
                            lineage: c.lineage.clone(),
                            ctor: c.ctor(),
                            response: c.response,
                        }),
                    );
                }
            }
            _ => {}
        }
    }
    summary
}

/// The members of an enumeration class that are 401 or 403 written as
/// numbers (`UNAUTHORIZED = 401` in `class RetCode(IntEnum)`).
fn status_members(class: tree_sitter::Node, src: &str) -> Vec<(String, u16)> {
    let enum_like = class
        .field("superclasses")
        .is_some_and(|b| text(b, src).contains("Enum"));
    let Some(body) = class.field("body").filter(|_| enum_like) else {
        return Vec::new();
    };
    named_children(body)
        .filter_map(assignment_in)
        .filter_map(|a| {
            let (l, r) = (a.field("left")?, a.field("right")?);
            let code: u16 = (l.kind_name() == "identifier" && r.kind_name() == "integer")
                .then(|| text(r, src).parse().ok())
                .flatten()?;
            matches!(code, 401 | 403).then(|| (text(l, src).to_string(), code))
        })
        .collect()
}

/// The names a package's `__init__.py` passes on from other modules of the
/// project, read from its text without parsing it: `from .exception import
/// AppError` and `from .abstractions import *` at the start of a line.
/// Other modules' imports are their own (only packages gather names).
pub fn text_reexports(path: &Path, src: &str, index: &ProjectIndex) -> Vec<Reexport> {
    let mut out = Vec::new();
    if !path.file_name().is_some_and(|n| n == "__init__.py") {
        return out;
    }
    for (at, _) in src.match_indices("from ") {
        if at > 0 && src.as_bytes()[at - 1] != b'\n' {
            continue;
        }
        let line_end = src[at..].find('\n').map_or(src.len(), |i| at + i);
        let line = &src[at + "from ".len()..line_end];
        let Some((module, names)) = line.split_once(" import ") else {
            continue;
        };
        let module = module.trim();
        if module.is_empty() || module.contains(char::is_whitespace) {
            continue;
        }
        let names = names.split('#').next().unwrap_or("").trim();
        let names = if names == "*" {
            None
        } else {
            // `from .x import (A,\n B)` spans lines: read to the `)`.
            let list = match names.strip_prefix('(') {
                Some(_) => {
                    let open = at + "from ".len() + line.find('(').unwrap_or(0) + 1;
                    let close = src[open..].find(')').filter(|c| *c <= 4000);
                    match close {
                        Some(c) => &src[open..open + c],
                        None => continue,
                    }
                }
                None => names,
            };
            let pairs: Vec<(String, String)> = list
                .split(',')
                .map(|n| n.split('#').next().unwrap_or("").trim())
                .filter(|n| !n.is_empty())
                .map(|n| match n.split_once(" as ") {
                    Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
                    None => (n.to_string(), n.to_string()),
                })
                .collect();
            Some(pairs)
        };
        if let Some(from) = index.resolve_python_anywhere(path, module) {
            if from != path {
                out.push(Reexport { from, names });
            }
        }
    }
    out
}
