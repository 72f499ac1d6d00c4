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
use super::nodes::params;
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

/// The application's registered error handlers, by what they are
/// registered for (`HTTPException`, `401`, a class's own name).
#[derive(Debug, Default)]
pub(super) struct Handlers {
    handlers: Vec<Registration>,
}

/// One registration of an error handler.
#[derive(Debug, Clone)]
pub(super) struct Registration {
    /// What it is registered for: a class's last name, or a status.
    key: String,
    /// Flask's registration (`errorhandler`), else FastAPI's or Starlette's.
    pub flask: bool,
    /// The handler's log call, when it logs every error it takes.
    pub logs: Option<Evidence>,
    /// The handler answers with the error's own status (`exc.status_code`).
    pub answers_from_error: bool,
    /// The handler names `WWW-Authenticate` itself.
    pub challenge: bool,
    /// Where the handler is defined.
    pub definition: Evidence,
}

impl Handlers {
    /// The log line of the handler that takes an error registered as one of
    /// `keys`.
    /// Keys in order, most specific first: the framework calls the handler of
    /// the most specific one registered (Flask and Starlette look the raised
    /// class's bases up in order), so a handler for `ApiError` that does not
    /// log hides one for `Exception` that does.
    fn logging(&self, keys: &[&str]) -> Option<&Evidence> {
        keys.iter().find_map(|k| {
            let registered: Vec<&Registration> =
                self.handlers.iter().filter(|r| r.key == *k).collect();
            (!registered.is_empty()).then(|| registered.iter().find_map(|r| r.logs.as_ref()))
        })?
    }
}

fn handlers(index: &ProjectIndex, file: &Path) -> Option<std::sync::Arc<Handlers>> {
    let root = ProjectIndex::project_root(file)?;
    index.project_fact(&root, "python-error-handlers", |src| scan(&root, src))
}

/// The logging handler that takes a raised error: one registered for its
/// class or one of its project bases (`raised`), for its status, or for the
/// framework's base class. Flask sends an `HTTPException` to a handler of
/// `Exception` too; Starlette does not (that handler answers only the 500s).
pub(super) fn handler_for(
    index: &ProjectIndex,
    file: &Path,
    raised: &[&str],
    code: u16,
    flask: bool,
) -> Option<Evidence> {
    let handlers = handlers(index, file)?;
    let code = code.to_string();
    let mut keys = raised.to_vec();
    keys.extend([code.as_str(), "HTTPException"]);
    if flask {
        keys.push("Exception");
    } else {
        keys.push("StarletteHTTPException");
    }
    handlers.logging(&keys).cloned()
}

/// The handler registered for a project exception class (or one of its
/// project bases, `lineage`, nearest first) that answers with the error's own
/// status: what makes raising the class a response.
pub(super) fn answering_handler(
    index: &ProjectIndex,
    file: &Path,
    lineage: &[String],
) -> Option<Registration> {
    let handlers = handlers(index, file)?;
    lineage.iter().find_map(|name| {
        handlers
            .handlers
            .iter()
            .find(|r| r.answers_from_error && &r.key == name)
            .cloned()
    })
}

fn scan(root: &Path, src: &dyn ModuleSource) -> Handlers {
    let mut out = Handlers::default();
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

/// Every registration of an error handler in a module.
fn registrations(path: &Path, src: &str, root: Node, out: &mut Handlers) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match n.kind_name() {
            // @app.exception_handler(HTTPException)
            "decorated_definition" => {
                let def = n.field("definition");
                for d in named_children(n).filter(|c| c.kind_name() == "decorator") {
                    let Some((key, flask, _)) = d.named_child(0).and_then(|c| registration(c, src))
                    else {
                        continue;
                    };
                    if let Some(def) = def {
                        out.handlers
                            .push(describe(path, src, root, key, flask, def));
                    }
                }
            }
            // app.add_exception_handler(HTTPException, handler)
            "call" => {
                if let Some((key, flask, Some(handler))) = registration(n, src) {
                    if let Some(def) = function_named(root, text(handler, src), src) {
                        out.handlers
                            .push(describe(path, src, root, key, flask, def));
                    }
                }
            }
            _ => {}
        }
        stack.extend(named_children(n));
    }
}

/// What a registered handler does with the errors it takes.
fn describe(
    path: &Path,
    src: &str,
    root: Node,
    key: String,
    flask: bool,
    def: Node,
) -> Registration {
    // Or it calls a function of the module that does (`return _error_response(exc)`).
    let log = handler_log(def, src).or_else(|| {
        let mut stack = vec![def.field("body")?];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "call" {
                let callee = n
                    .field("function")
                    .filter(|f| f.kind_name() == "identifier")
                    .and_then(|f| function_named(root, text(f, src), src))
                    .filter(|f| f.id() != def.id());
                if let Some(log) = callee.and_then(|f| handler_log(f, src)) {
                    return Some(log);
                }
            }
            if !matches!(n.kind_name(), "function_definition" | "lambda") {
                stack.extend(named_children(n));
            }
        }
        None
    });
    Registration {
        key,
        flask,
        logs: log.map(|log| {
            evidence_in(
                path,
                log.byte_range(),
                "the application's error handler logs here",
            )
        }),
        answers_from_error: answers_from_error(def, src),
        challenge: text(def, src)
            .to_ascii_lowercase()
            .contains("www-authenticate"),
        definition: evidence_in(
            path,
            def.byte_range(),
            "the application's error handler answers with the error's status here",
        ),
    }
}

/// The handler reads the status off the error it takes: `exc.status_code`,
/// `e.code`, `error.status` (its last parameter is the error).
fn answers_from_error(def: Node, src: &str) -> bool {
    if def.kind_name() != "function_definition" {
        return false;
    }
    let Some(exc) = params(def, src).pop().map(|p| p.name) else {
        return false;
    };
    let Some(body) = def.field("body") else {
        return false;
    };
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        if n.kind_name() == "attribute"
            && n.field("object").is_some_and(|o| text(o, src) == exc)
            && n.field("attribute").is_some_and(|a| {
                matches!(
                    text(a, src),
                    "status_code" | "status" | "code" | "http_status" | "status_int"
                )
            })
        {
            return true;
        }
        stack.extend(named_children(n));
    }
    false
}

/// `x.exception_handler(Key)` or `x.register_error_handler(Key, handler)`:
/// the key's last name (or status), whether it is Flask's, and the handler
/// argument if any.
fn registration<'t>(call: Node<'t>, src: &str) -> Option<(String, bool, Option<Node<'t>>)> {
    if call.kind_name() != "call" {
        return None;
    }
    let f = call.field("function")?;
    let method = f
        .field("attribute")
        .filter(|_| f.kind_name() == "attribute")?;
    let method = text(method, src);
    if !REGISTRATIONS.contains(&method) {
        return None;
    }
    let flask = method.contains("error");
    let mut args = named_children(call.field("arguments")?).filter(|a| a.kind_name() != "comment");
    let key = args.next()?;
    let key = status_key(text(key, src).rsplit('.').next()?.trim());
    Some((key, flask, args.next()))
}

/// A status constant registered for stands for its code:
/// `status.HTTP_401_UNAUTHORIZED` and `HTTPStatus.UNAUTHORIZED` are `401`.
fn status_key(key: &str) -> String {
    let digits = key
        .strip_prefix("HTTP_")
        .and_then(|k| k.get(..3))
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
    match (digits, key) {
        (Some(d), _) => d.to_string(),
        (None, "UNAUTHORIZED") => "401".to_string(),
        (None, "FORBIDDEN") => "403".to_string(),
        _ => key.to_string(),
    }
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
