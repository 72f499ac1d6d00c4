//! An error handler the application registers for every request, in any of
//! its modules: Hono's `app.onError(handler)`. Errors a route throws reach
//! it; when it logs, a thrown 401 needs no log line of its own.
//!
//! The handler may be written inline, named, or built by a factory
//! (`app.onError(onError('api'))`), in the same module or imported. The
//! project is scanned once, the first time a thrown 401 with no log line of
//! its own asks, and only files naming `.onError(` are parsed.

use super::logging::loggerish_function;
use crate::engine::index::{evidence_in, ModuleSource, ProjectIndex};
use crate::engine::model::Evidence;
use crate::engine::syntax::{named_children, string_value, text, NodeExt};
use crate::engine::{parse, Language};
use std::path::Path;
use tree_sitter::Node;

const EXTENSIONS: &[&str] = &["ts", "tsx", "js", "mjs", "cjs", "mts", "cts"];

/// The log line of a logging `onError` handler of the project `file` is in.
pub(super) fn on_error_log(index: &ProjectIndex, file: &Path) -> Option<Evidence> {
    let root = ProjectIndex::project_root(file)?;
    let found = index.project_fact(&root, "javascript-logging-on-error", |src| {
        scan(&root, src, index)
    })?;
    found.as_ref().clone()
}

fn scan(root: &Path, src: &dyn ModuleSource, index: &ProjectIndex) -> Option<Evidence> {
    let finder = memchr::memmem::Finder::new(".onError(");
    for path in crate::engine::project::files(root, EXTENSIONS) {
        let Some(text) = src.read(&path) else {
            continue;
        };
        if finder.find(text.as_bytes()).is_none() {
            continue;
        }
        let Some(lang) = Language::from_path(&path) else {
            continue;
        };
        let Some(tree) = parse(lang, &text, None) else {
            continue;
        };
        let root_node = tree.root_node();
        let mut stack = vec![root_node];
        while let Some(n) = stack.pop() {
            if let Some(handler) = registration(n, &text) {
                if let Some(found) = handler_log(index, src, &path, &text, root_node, handler) {
                    return Some(found);
                }
            }
            stack.extend(named_children(n));
        }
    }
    None
}

/// `x.onError(handler)`: the handler.
fn registration<'t>(call: Node<'t>, src: &str) -> Option<Node<'t>> {
    if call.kind_name() != "call_expression" {
        return None;
    }
    let f = call
        .field("function")
        .filter(|f| f.kind_name() == "member_expression")?;
    if text(f.field("property")?, src) != "onError" {
        return None;
    }
    named_children(call.field("arguments")?).find(|a| a.kind_name() != "comment")
}

/// Where the handler logs: inline, a function of the module, or one it
/// imports (one module away); a factory's call stands for what it returns.
fn handler_log(
    index: &ProjectIndex,
    src: &dyn ModuleSource,
    path: &Path,
    text_: &str,
    root: Node,
    handler: Node,
) -> Option<Evidence> {
    let named = match handler.kind_name() {
        "arrow_function" | "function_expression" | "function" => {
            return log_in(handler, text_).map(|l| evidence(path, l));
        }
        "identifier" => text(handler, text_),
        "call_expression" => {
            let f = handler.field("function")?;
            (f.kind_name() == "identifier").then(|| text(f, text_))?
        }
        _ => return None,
    };
    if let Some(def) = function_named(root, named, text_) {
        return log_in(def, text_).map(|l| evidence(path, l));
    }
    let spec = import_of(root, named, text_)?;
    let target = index.resolve(path, &spec)?;
    let module = src.read(&target)?;
    let lang = Language::from_path(&target)?;
    let tree = parse(lang, &module, None)?;
    let def = function_named(tree.root_node(), named, &module)?;
    log_in(def, &module).map(|l| evidence(&target, l))
}

fn evidence(path: &Path, log: std::ops::Range<usize>) -> Evidence {
    evidence_in(path, log, "the application's error handler logs here")
}

/// A function declaration, or a variable bound to a function, named `name`.
fn function_named<'t>(root: Node<'t>, name: &str, src: &str) -> Option<Node<'t>> {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "function_declaration" if n.field("name").is_some_and(|i| text(i, src) == name) => {
                return Some(n);
            }
            "variable_declarator" if n.field("name").is_some_and(|i| text(i, src) == name) => {
                if let Some(v) = n.field("value").filter(|v| {
                    matches!(
                        v.kind_name(),
                        "arrow_function" | "function_expression" | "function"
                    )
                }) {
                    return Some(v);
                }
            }
            _ => {}
        }
        stack.extend(named_children(n));
    }
    None
}

/// The module `name` is imported from (`import { name } from 'spec'`).
fn import_of(root: Node, name: &str, src: &str) -> Option<String> {
    named_children(root)
        .filter(|s| s.kind_name() == "import_statement")
        .find(|s| {
            let mut stack = vec![*s];
            while let Some(n) = stack.pop() {
                if n.kind_name() == "identifier" && text(n, src) == name {
                    return true;
                }
                stack.extend(named_children(n));
            }
            false
        })
        .and_then(|s| string_value(s.field("source")?, src))
}

/// The first log call in a function (nested functions included: a factory
/// logs in the handler it returns) on the path an HTTP error takes: none
/// after `if (err instanceof HTTPException) return err.getResponse()`, which
/// answers a thrown 401 before the log line.
fn log_in(func: Node, src: &str) -> Option<std::ops::Range<usize>> {
    match first_log(func, src, 0) {
        ErrorPath::Logs(r) => Some(r),
        ErrorPath::Answered | ErrorPath::Nothing => None,
    }
}

enum ErrorPath {
    Logs(std::ops::Range<usize>),
    /// An HTTP error was answered before any log.
    Answered,
    Nothing,
}

fn first_log(n: Node, src: &str, depth: usize) -> ErrorPath {
    if depth > 200 {
        return ErrorPath::Nothing;
    }
    if n.kind_name() == "call_expression" && is_log_call(n, src) {
        return ErrorPath::Logs(n.byte_range());
    }
    for child in named_children(n) {
        match first_log(child, src, depth + 1) {
            ErrorPath::Nothing => {}
            found => return found,
        }
        if n.kind_name() == "statement_block" && answers_http_errors(child, src) {
            return ErrorPath::Answered;
        }
    }
    ErrorPath::Nothing
}

/// `if (err instanceof HTTPException) { return err.getResponse() }`: an
/// `if` on the error being an HTTP one whose branch leaves.
fn answers_http_errors(stmt: Node, src: &str) -> bool {
    if stmt.kind_name() != "if_statement" || stmt.field("alternative").is_some() {
        return false;
    }
    let (Some(cond), Some(branch)) = (stmt.field("condition"), stmt.field("consequence")) else {
        return false;
    };
    let c = text(cond, src).to_ascii_lowercase();
    let http = ["httpexception", "httperror", "instanceof http"]
        .iter()
        .any(|k| c.contains(k))
        && !c.contains('!');
    let b = text(branch, src);
    http && (b.contains("return") || b.contains("throw"))
}

fn is_log_call(call: Node, src: &str) -> bool {
    let Some(f) = call.field("function") else {
        return false;
    };
    match f.kind_name() {
        "identifier" => loggerish_function(text(f, src)),
        "member_expression" => {
            let (Some(obj), Some(prop)) = (f.field("object"), f.field("property")) else {
                return false;
            };
            let obj = text(obj, src);
            let last = obj.rsplit('.').next().unwrap_or(obj).to_ascii_lowercase();
            let level = matches!(
                text(prop, src),
                "log" | "error" | "warn" | "warning" | "info" | "debug" | "fatal"
            );
            level && (obj == "console" || last == "log" || last.ends_with("logger"))
        }
        _ => false,
    }
}
