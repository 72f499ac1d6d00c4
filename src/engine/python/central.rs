//! Error handlers the application registers for every request, in any of
//! its modules: FastAPI's and Starlette's `@app.exception_handler(HTTPException)`
//! or `app.add_exception_handler(…)`, Flask's `@app.errorhandler(401)` or
//! `app.register_error_handler(…)`. When such a handler logs, every error it
//! handles is logged where it becomes a response, so a `raise` of one needs
//! no log line of its own.
//!
//! Finding them means reading the project, not the file's imports (the
//! module that registers them imports the routes, not the other way
//! round). The project is scanned once, the first time a raised 401 with no
//! log line of its own asks, and only files naming a registration are parsed.

use super::logging::loggerish;
use crate::engine::index::{evidence_in, ModuleSource, ProjectIndex};
use crate::engine::model::Evidence;
use crate::engine::syntax::{named_children, text, NodeExt};
use crate::engine::{parse, Language};
use std::path::Path;
use tree_sitter::Node;

/// The registration methods and decorators, by name.
const REGISTRATIONS: &[&str] = &[
    "exception_handler",
    "add_exception_handler",
    "errorhandler",
    "app_errorhandler",
    "register_error_handler",
];

/// Handlers that log, by what they are registered for (`HTTPException`,
/// `401`, a class's own name).
#[derive(Debug, Default)]
pub(super) struct LoggingHandlers {
    handlers: Vec<(String, Evidence)>,
}

impl LoggingHandlers {
    /// The handler that logs an error registered as one of `keys`.
    fn find(&self, keys: &[&str]) -> Option<&Evidence> {
        self.handlers
            .iter()
            .find(|(k, _)| keys.contains(&k.as_str()))
            .map(|(_, e)| e)
    }
}

/// The logging handler that takes a raised error: one registered for its
/// class (`raised`), for its status, or for the framework's base class.
/// Flask sends an `HTTPException` to a handler of `Exception` too; Starlette
/// does not (that handler answers only the 500s).
pub(super) fn handler_for(
    index: &ProjectIndex,
    file: &Path,
    raised: &str,
    code: u16,
    flask: bool,
) -> Option<Evidence> {
    let root = ProjectIndex::project_root(file)?;
    let handlers = index.project_fact(&root, "python-logging-handlers", |src| scan(&root, src))?;
    let code = code.to_string();
    let mut keys = vec![raised, code.as_str(), "HTTPException"];
    if flask {
        keys.push("Exception");
    } else {
        keys.push("StarletteHTTPException");
    }
    let found = handlers.find(&keys)?;
    Some(found.clone())
}

fn scan(root: &Path, src: &dyn ModuleSource) -> LoggingHandlers {
    let mut out = LoggingHandlers::default();
    let finder = memchr::memmem::Finder::new("handler(");
    let finder2 = memchr::memmem::Finder::new("errorhandler");
    for path in crate::engine::project::files(root, &["py"]) {
        let Some(text) = src.read(&path) else {
            continue;
        };
        let b = text.as_bytes();
        if finder.find(b).is_none() && finder2.find(b).is_none() {
            continue;
        }
        let Some(tree) = parse(Language::Python, &text, None) else {
            continue;
        };
        registrations(&path, &text, tree.root_node(), &mut out);
    }
    out
}

/// Every registration in a module whose handler logs.
fn registrations(path: &Path, src: &str, root: Node, out: &mut LoggingHandlers) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            // @app.exception_handler(HTTPException)
            "decorated_definition" => {
                let def = n.field("definition");
                for d in named_children(n).filter(|c| c.kind_name() == "decorator") {
                    let Some((key, _)) = d.named_child(0).and_then(|c| registration(c, src)) else {
                        continue;
                    };
                    if let Some(log) = def.and_then(|f| handler_log(f, src)) {
                        out.handlers.push((key, evidence(path, log)));
                    }
                }
            }
            // app.add_exception_handler(HTTPException, handler)
            "call" => {
                if let Some((key, Some(handler))) = registration(n, src) {
                    let log = function_named(root, text(handler, src), src)
                        .and_then(|f| handler_log(f, src));
                    if let Some(log) = log {
                        out.handlers.push((key, evidence(path, log)));
                    }
                }
            }
            _ => {}
        }
        stack.extend(named_children(n));
    }
}

fn evidence(path: &Path, log: Node) -> Evidence {
    evidence_in(
        path,
        log.byte_range(),
        "the application's error handler logs here",
    )
}

/// `x.exception_handler(Key)` or `x.register_error_handler(Key, handler)`:
/// the key's last name (or status), and the handler argument if any.
fn registration<'t>(call: Node<'t>, src: &str) -> Option<(String, Option<Node<'t>>)> {
    if call.kind_name() != "call" {
        return None;
    }
    let f = call.field("function")?;
    let method = f
        .field("attribute")
        .filter(|_| f.kind_name() == "attribute")?;
    if !REGISTRATIONS.contains(&text(method, src)) {
        return None;
    }
    let mut args = named_children(call.field("arguments")?).filter(|a| a.kind_name() != "comment");
    let key = args.next()?;
    let key = text(key, src).rsplit('.').next()?.trim().to_string();
    Some((key, args.next()))
}

/// A function definition named `name` anywhere in the module.
fn function_named<'t>(root: Node<'t>, name: &str, src: &str) -> Option<Node<'t>> {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "function_definition"
            && n.field("name").is_some_and(|id| text(id, src) == name)
        {
            return Some(n);
        }
        stack.extend(named_children(n));
    }
    None
}

/// A log call of the handler that runs for every error it takes: not one
/// under a condition on the status (`if exc.status_code >= 500:`).
fn handler_log<'t>(def: Node<'t>, src: &str) -> Option<Node<'t>> {
    if def.kind_name() != "function_definition" {
        return None;
    }
    let mut stack = vec![def.field("body")?];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            "function_definition" | "class_definition" | "lambda" => continue,
            "if_statement" | "elif_clause"
                if n.field("condition")
                    .is_some_and(|c| names_server_errors(c, src)) =>
            {
                continue
            }
            "call" if is_log_call(n, src) => return Some(n),
            _ => {}
        }
        stack.extend(named_children(n));
    }
    None
}

/// A condition on server errors only: it names a 5xx status.
fn names_server_errors(cond: Node, src: &str) -> bool {
    let t = text(cond, src);
    ["500", "499", "INTERNAL_SERVER_ERROR"]
        .iter()
        .any(|s| t.contains(s))
}

/// `logger.error(…)`, `logging.warning(…)`, `log.info(…)`.
fn is_log_call(call: Node, src: &str) -> bool {
    let Some(f) = call
        .field("function")
        .filter(|f| f.kind_name() == "attribute")
    else {
        return false;
    };
    let (Some(obj), Some(method)) = (f.field("object"), f.field("attribute")) else {
        return false;
    };
    let obj = text(obj, src);
    let last = obj.rsplit('.').next().unwrap_or(obj);
    loggerish(last)
        && matches!(
            text(method, src),
            "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
        )
}
