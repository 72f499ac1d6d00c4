//! Where a project answers thrown errors with their own status: an error
//! middleware or helper that reads the status off the error it is given and
//! answers with it.
//!
//! ```ts
//! app.use((err, req, res, next) => res.status(err.status ?? 500).json(…))
//! export const routeError = async ({ err }) => {
//!   const status = err.status || 500
//!   return Response.json(body, { status })
//! }
//! ```
//!
//! With one in the project, `throw new UnauthorizedError()` of a class that
//! fixes its status (see [`super::error_classes`]) is an answer with that
//! status even where no `catch` of the throwing function is in sight. The
//! project is scanned once, the first time such a throw asks; only files
//! naming an error's status (`err.status`, `error.statusCode`…) are parsed.

use super::context::binds;
use super::error_classes::STATUS_FIELDS;
use crate::engine::index::{evidence_in, ModuleSource, ProjectIndex};
use crate::engine::model::Evidence;
use crate::engine::syntax::{named_children, text, NodeExt};
use crate::engine::{parse, Language};
use crate::roles::Role;
use aho_corasick::AhoCorasick;
use std::path::Path;
use std::sync::OnceLock;
use tree_sitter::Node;

const EXTENSIONS: &[&str] = &["ts", "js", "mjs", "cjs", "mts", "cts"];

/// How the error parameter of such a handler is usually named.
const ERROR_NAMES: &[&str] = &["err", "error", "e", "ex", "exception", "exc"];

/// Where the project `file` is in answers a thrown error with its status.
pub(super) fn error_status_answer(index: &ProjectIndex, file: &Path) -> Option<Evidence> {
    let root = ProjectIndex::project_root(file)?;
    let found = index.project_fact(&root, "javascript-error-status-answer", |src| {
        scan(&root, src)
    })?;
    found.as_ref().clone()
}

fn needles() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        let mut pats = Vec::new();
        for n in ERROR_NAMES {
            for dot in [".", "?."] {
                for f in ["status", "httpStatus", "httpCode"] {
                    pats.push(format!("{n}{dot}{f}"));
                }
            }
        }
        AhoCorasick::new(pats).expect("literal patterns")
    })
}

fn scan(root: &Path, src: &dyn ModuleSource) -> Option<Evidence> {
    for path in crate::engine::project::files(root, EXTENSIONS) {
        if test_like(path.strip_prefix(root).unwrap_or(&path)) {
            continue;
        }
        let Some(text_) = src.read(&path) else {
            continue;
        };
        if !may_answer(&text_) {
            continue;
        }
        let Some(lang) = Language::from_path(&path) else {
            continue;
        };
        let Some(tree) = parse(lang, &text_, None) else {
            continue;
        };
        let mut stack = vec![tree.root_node()];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "member_expression" && answers_with(n, &text_) {
                return Some(evidence_in(
                    &path,
                    n.byte_range(),
                    "the application answers a thrown error with its own status here",
                ));
            }
            stack.extend(named_children(n));
        }
    }
    None
}

/// A line reads an error's status beside what makes it an answer's status
/// (`.status(`, `status:`, `status =`…): only such files are parsed.
fn may_answer(text_: &str) -> bool {
    const USES: &[&str] = &[
        ".status(",
        ".code(",
        "writeHead(",
        "sendStatus(",
        ".json(",
        ".text(",
        "status:",
        "statusCode:",
        "status =",
        "statusCode =",
        "status=",
    ];
    needles().find_iter(text_.as_bytes()).any(|m| {
        let start = text_[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text_[m.end()..]
            .find('\n')
            .map_or(text_.len(), |i| m.end() + i);
        let line = &text_[start..end];
        USES.iter().any(|u| line.contains(u))
    })
}

/// Tests, mocks and fixtures do not answer the application's requests
/// (`path` is below the project root: the folders above it do not count).
fn test_like(path: &Path) -> bool {
    crate::roles::from_path_and_text(path, "").is_some_and(|a| a.role == Role::Test)
}

/// `err.status` where `err` is the error a handler is given (a parameter,
/// or a `catch` around `await next()`), used as the answer's status.
fn answers_with(member: Node, src: &str) -> bool {
    let (Some(obj), Some(prop)) = (member.field("object"), member.field("property")) else {
        return false;
    };
    if obj.kind_name() != "identifier" || !STATUS_FIELDS.contains(&text(prop, src)) {
        return false;
    }
    let name = text(obj, src);
    ERROR_NAMES.contains(&name) && handed_error(member, name, src) && used_as_status(member, src)
}

/// The read's value becomes a response status: `res.status(err.status)`,
/// `{ status: err.status }`, `ctx.status = err.status`,
/// `const status = err.status || 500`.
fn used_as_status(member: Node, src: &str) -> bool {
    let mut n = member;
    let mut p = member.parent();
    while let Some(x) = p {
        match x.kind_name() {
            "binary_expression"
            | "parenthesized_expression"
            | "ternary_expression"
            | "as_expression"
            | "non_null_expression" => {
                n = x;
                p = x.parent();
            }
            _ => break,
        }
    }
    let Some(p) = p else {
        return false;
    };
    let is_status = |k: Node| {
        let t = text(k, src).trim_matches(['\'', '"']);
        matches!(t, "status" | "statusCode")
    };
    match p.kind_name() {
        "arguments" => p
            .parent()
            .and_then(|call| call.field("function"))
            .and_then(|f| f.field("property"))
            .is_some_and(|prop| {
                matches!(
                    text(prop, src),
                    "status" | "code" | "sendStatus" | "writeHead" | "json" | "text"
                )
            }),
        // The options of a response (`Response.json(body, { status })`),
        // not a field of its body (`res.json({ status: err.status })`).
        "pair" => {
            p.field("value").is_some_and(|v| v.id() == n.id())
                && p.field("key").is_some_and(is_status)
                && p.parent().is_some_and(|obj| {
                    obj.parent().is_some_and(|args| {
                        args.kind_name() == "arguments"
                            && named_children(args)
                                .filter(|a| a.kind_name() != "comment")
                                .position(|a| a.id() == obj.id())
                                .is_some_and(|i| i > 0)
                    })
                })
        }
        "assignment_expression" => p
            .field("left")
            .and_then(|l| l.field("property"))
            .is_some_and(is_status),
        "variable_declarator" => p.field("name").is_some_and(is_status),
        _ => false,
    }
}

/// `name` is a parameter of the function around `at` (plain or
/// destructured: `({ err }) =>`), or the error of a `catch` whose `try`
/// calls the next middleware.
fn handed_error(at: Node, name: &str, src: &str) -> bool {
    let mut p = at.parent();
    while let Some(x) = p {
        match x.kind_name() {
            "catch_clause" => {
                let caught = x.field("parameter").is_some_and(|c| text(c, src) == name);
                let try_calls_next = x
                    .parent()
                    .and_then(|t| t.field("body"))
                    .is_some_and(|b| text(b, src).contains("next("));
                if caught {
                    return try_calls_next;
                }
            }
            "arrow_function"
            | "function_expression"
            | "function_declaration"
            | "function"
            | "method_definition" => {
                return x
                    .field("parameters")
                    .or_else(|| x.field("parameter"))
                    .is_some_and(|ps| declares(ps, name, src));
            }
            _ => {}
        }
        p = x.parent();
    }
    false
}

/// A parameter list (or a lone arrow parameter) binds `name`.
fn declares(params: Node, name: &str, src: &str) -> bool {
    if params.kind_name() == "identifier" {
        return binds(params, name, src);
    }
    // A TypeScript parameter holds its pattern beside its type.
    named_children(params).any(|p| binds(p.field("pattern").unwrap_or(p), name, src))
}
