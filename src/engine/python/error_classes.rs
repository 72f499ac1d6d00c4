//! Error classes that stand for a response: the file's own exception
//! classes with a status (or those imported from another module), and the
//! `raise` sites of them and of exceptions assigned to a name first.

use super::candidates::in_test_code;
use super::constructors::assigned_name;
use super::headers::{headers_value_insertion, kwarg_insertion};
use super::nodes::{
    assignment_in, enclosing_function, find_node, is_function, param_index, params, unwrap_expr,
    Args,
};
use super::site::Raw;
use super::status::known_indirect;
use super::{packs, ClassStatus, Cx, ErrorClass, Name, Origin};
use crate::engine::eval::StatusEval;
use crate::engine::index::{ErrorClassSig, Export};
use crate::engine::model::*;
use crate::engine::syntax::{named_children, text, NodeExt};
use rustc_hash::FxHashMap as HashMap;
use tree_sitter::Node;

/// An exception assigned to a variable and raised later yields one site per `raise`.
pub(super) fn expand_raised<'t>(cx: &Cx<'t>, raw: Raw<'t>) -> Vec<Raw<'t>> {
    let mut raw = raw;
    if !raw.exception {
        return vec![raw];
    }
    let Some(var) = assigned_name(cx, raw.node, cx.src) else {
        return vec![raw];
    };
    let scope = enclosing_function(cx, raw.node).unwrap_or(cx.root);
    let mut raises = Vec::new();
    let mut stack = vec![scope];
    while let Some(n) = stack.pop() {
        if n.id() != scope.id() && is_function(n) && scope.id() != cx.root.id() {
            continue;
        }
        if n.kind_name() == "raise_statement"
            && n.named_child(0)
                .is_some_and(|e| e.kind_name() == "identifier" && text(e, cx.src) == var)
            && !in_test_code(cx, n, cx.src)
        {
            raises.push(n);
        }
        stack.extend(named_children(n).rev());
    }
    // One site, the exception itself; its path is judged at the raises: the
    // first one with no log before it (else the first one) anchors logging,
    // and the guards of all of them say when it is raised.
    if let Some(first) = raises.first().copied() {
        raw.anchor = raises
            .iter()
            .copied()
            .find(|r| cx.logged_before(*r).is_none())
            .unwrap_or(first);
        raw.raises = raises;
    }
    vec![raw]
}

/// `raise Unauthorized` / `raise AuthError` / a pack's `raise PermissionDenied` (no call).
pub(super) fn raise_name<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let stmt = cx.up(node)?;
    if stmt.field("cause").is_some_and(|c| c.id() == node.id()) {
        return None;
    }
    let name = match node.kind_name() {
        "identifier" => text(node, cx.src),
        _ => text(node.field("attribute")?, cx.src),
    };
    if let Some(class) = cx.error_classes.get(name) {
        return class_site(cx, class, node, None, name);
    }
    if node.kind_name() == "identifier" {
        if let Some(class) = imported_class(cx, name) {
            return class_site(cx, &class, node, None, name);
        }
    }
    let origin = cx.origin(node);
    let hint_ok = |fw| matches!(origin, Origin::Framework(_)) || cx.framework_hint == Some(fw);
    let (framework, code) = match name {
        "Unauthorized" if hint_ok(Framework::Flask) => (Framework::Flask, 401),
        "Forbidden" if hint_ok(Framework::Flask) => (Framework::Flask, 403),
        _ => return packs::raise_site(cx, node),
    };
    if matches!(origin, Origin::Project | Origin::Foreign) {
        return None;
    }
    let mut raw = Raw::new(framework, node, known_indirect(code, node));
    raw.anchor = stmt;
    raw.exception = true;
    Some(raw)
}

pub(super) fn imported_class<'t>(cx: &Cx<'t>, name: &str) -> Option<ErrorClass<'t>> {
    let (Export::ErrorClass(sig), target) = cx.imported_through_reexports(name)? else {
        return None;
    };
    Some(from_sig(&sig, target, true))
}

/// An exception class another module defines, from its summary; `raised`
/// when it is raised here (its challenge's evidence is in that module),
/// rather than a base of a class of this file.
pub(super) fn from_sig<'t>(
    sig: &ErrorClassSig,
    target: std::path::PathBuf,
    raised: bool,
) -> ErrorClass<'t> {
    let status = match sig.ctor.as_ref().and_then(|c| c.status.clone()) {
        Some((index, name)) => ClassStatus::Param {
            index,
            name,
            default: Some(sig.code),
        },
        None => ClassStatus::Fixed(sig.code),
    };
    ErrorClass {
        framework: sig.framework,
        status,
        challenge: sig.challenge.clone().map(|lit| ChallengeHeader {
            value_range: 0..0,
            literal: lit,
            evidence: raised.then(|| {
                crate::engine::index::evidence_in(
                    &target,
                    sig.definition.clone(),
                    "`WWW-Authenticate` is set by this class",
                )
            }),
            shared: raised,
        }),
        headers_opaque: false,
        headers_param: sig.ctor.as_ref().and_then(|c| c.headers.clone()),
        message: sig.message.clone(),
        detail_param: sig.ctor.as_ref().and_then(|c| c.detail.clone()),
        super_call: None,
        definition: sig.definition.clone(),
        defined_in: Some(target),
        lineage: sig.lineage.clone(),
        response: sig.response,
    }
}

/// A site for raising/creating a project exception class: `raise AuthError("…")`.
pub(super) fn class_site<'t>(
    cx: &Cx<'t>,
    class: &ErrorClass<'t>,
    node: Node<'t>,
    call: Option<Node<'t>>,
    name: &str,
) -> Option<Raw<'t>> {
    // A class of the project's own lineage is a response only where the
    // application registers a handler that answers with its status.
    let answering = if class.lineage.is_empty() {
        None
    } else {
        let found = super::central::answering_handler(cx.index, cx.path, &class.lineage)?;
        if let Some(p) = &found.definition.path {
            cx.index.record_import(cx.path, p);
        }
        Some(found)
    };
    let args = call.map(|c| Args::of(c, cx.src));
    let at = call.and_then(|c| c.field("function")).unwrap_or(node);
    let status = match &class.status {
        ClassStatus::Fixed(code) => known_indirect(*code, at),
        ClassStatus::Param {
            index,
            name: pname,
            default,
        } => match args.as_ref().and_then(|a| a.get(pname, Some(*index))) {
            Some(arg) => cx.eval_status(arg, 0),
            None => default.map_or(StatusEval::Unknown, |c| known_indirect(c, at)),
        },
    };
    if matches!(status, StatusEval::Known(ref v) if v.iter().all(|v| v.code == 0)) {
        return None;
    }
    let framework = match &answering {
        Some(h) if h.flask => Framework::Flask,
        Some(_) => Framework::FastApi,
        None => class.framework,
    };
    let mut raw = Raw::new(framework, node, status);
    raw.exception = !class.response;
    if class.response {
        // The response may get its header after it is built (`r['WWW-Authenticate'] = …`).
        let func = enclosing_function(cx, node).unwrap_or(cx.root);
        if text(func, cx.src)
            .to_ascii_lowercase()
            .contains("www-authenticate")
        {
            raw.headers.opaque = true;
        }
    }
    raw.lineage = class.lineage.clone();
    if node.kind_name() != "call" {
        raw.anchor = cx.up(node).unwrap_or(node);
    }
    raw.message_text = class.message.clone();
    if let (Some((i, pname)), Some(a)) = (&class.detail_param, args.as_ref()) {
        raw.message_node = a.get(pname, Some(*i));
    }
    raw.headers.challenge = class.challenge.clone().map(|mut c| {
        if c.evidence.is_none() {
            c.evidence = Some(Evidence {
                path: class.defined_in.clone(),
                range: class.definition.clone(),
                note: format!("`{name}` sets `WWW-Authenticate`").into(),
            });
        }
        if class.defined_in.is_some() {
            c.value_range = 0..0;
        }
        c
    });
    raw.headers.opaque |= class.headers_opaque;
    let passed_headers = match (&class.headers_param, args.as_ref()) {
        (Some((i, pname)), Some(a)) => a.get(pname, Some(*i)),
        _ => None,
    };
    if let Some(h) = passed_headers {
        let eval = cx.eval_headers(h, node, 0);
        raw.insertion = headers_value_insertion(cx, h, &eval);
        raw.headers.merge(eval);
    } else if let (None, Some(a), Framework::Pack) =
        (&class.headers_param, args.as_ref(), class.framework)
    {
        // A pack class's subclass from another module: its headers keyword
        // is not known there (the packs' classes all take `headers=`).
        if a.splat || a.has("headers") {
            raw.headers.opaque = true;
        }
    } else if let (Some((_, pname)), Some(a)) = (&class.headers_param, args.as_ref()) {
        if a.splat {
            raw.headers.opaque = true;
        } else {
            raw.insertion = kwarg_insertion(
                cx,
                a,
                &format!("{pname}={{$NAME: $VALUE}}"),
                "pass `headers` with `WWW-Authenticate`",
            );
        }
    } else if let Some(sup) = class.super_call.filter(|_| class.defined_in.is_none()) {
        // Add the header where the class builds its response (every raise benefits).
        let sargs = Args::of(sup, cx.src);
        let shift = usize::from(
            !sup.field("function")
                .is_some_and(|f| text(f, cx.src).starts_with("super(")),
        );
        if class.framework == Framework::FastApi {
            match sargs.get("headers", Some(2 + shift)) {
                Some(h) => {
                    let eval = cx.eval_headers(h, sup, 0);
                    raw.insertion = headers_value_insertion(cx, h, &eval);
                }
                None if !sargs.splat => {
                    raw.insertion = kwarg_insertion(
                        cx,
                        &sargs,
                        "headers={$NAME: $VALUE}",
                        "add `headers` with `WWW-Authenticate` to the exception class",
                    );
                }
                None => {}
            }
        }
    }
    if answering.as_ref().is_some_and(|h| h.challenge) {
        // The handler names `WWW-Authenticate` itself.
        raw.headers.opaque = true;
    }
    if class.defined_in.is_some() || class.super_call.is_some() {
        raw.via = Some(Evidence {
            path: class.defined_in.clone(),
            range: class.definition.clone(),
            note: format!("`{name}` is defined here").into(),
        });
    }
    Some(raw)
}

impl<'a> Cx<'a> {
    /// Project exception classes defined in this file that become responses.
    pub(super) fn collect_error_classes(&self) -> HashMap<String, ErrorClass<'a>> {
        let mut out: HashMap<String, ErrorClass<'a>> = HashMap::default();
        // Bases may be defined after subclasses: a few rounds to a fixpoint.
        for _ in 0..4 {
            let mut changed = false;
            let mut names: Vec<&Name> = self.classes.keys().collect();
            names.sort();
            for name in names {
                if out.contains_key(&**name) {
                    continue;
                }
                let class = self.classes[name];
                if let Some(c) = self.error_class(class, &out) {
                    out.insert(name.to_string(), c);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        out
    }

    /// `class HttpResponseUnauthorized(HttpResponse): status_code = 401`:
    /// a framework's response class with the status fixed in the class
    /// body. A class that names `WWW-Authenticate` sets it itself.
    fn response_class(
        &self,
        class: Node<'a>,
        supers: Node<'a>,
        body: Node<'a>,
    ) -> Option<ErrorClass<'a>> {
        let framework = named_children(supers).find_map(|b| {
            let t = text(b, self.src);
            let last = t.rsplit('.').next().unwrap_or(t);
            if b.kind_name() == "keyword_argument" || !last.ends_with("Response") {
                return None;
            }
            // A response class of this file over the framework's
            // (`class Response(SimpleTemplateResponse)`).
            let local_response = || {
                self.classes.get(last).is_some_and(|c| {
                    c.field("superclasses").is_some_and(|s| {
                        named_children(s).any(|b| text(b, self.src).ends_with("Response"))
                    })
                })
            };
            match self.origin(b) {
                Origin::Framework(fw) => Some(fw),
                _ if local_response() => Some(Framework::Django),
                Origin::Project => None,
                _ if last.starts_with("Http") || last.ends_with("TemplateResponse") => {
                    Some(Framework::Django)
                }
                _ => None,
            }
        })?;
        let code = named_children(body)
            .filter_map(assignment_in)
            .find_map(|a| {
                let (l, r) = (a.field("left")?, a.field("right")?);
                if text(l, self.src) != "status_code" {
                    return None;
                }
                match self.eval_status(r, 0) {
                    StatusEval::Known(v) => v.first().map(|v| v.code),
                    _ => None,
                }
            })?;
        if !matches!(code, 401 | 403) {
            return None;
        }
        let mut c = ErrorClass::bare(framework, ClassStatus::Fixed(code), class.byte_range());
        c.response = true;
        c.headers_opaque = text(class, self.src)
            .to_ascii_lowercase()
            .contains("www-authenticate");
        Some(c)
    }

    fn error_class(
        &self,
        class: Node<'a>,
        known: &HashMap<String, ErrorClass<'a>>,
    ) -> Option<ErrorClass<'a>> {
        let supers = class.field("superclasses")?;
        let body = class.field("body")?;
        // What the base gives.
        let mut base: Option<ErrorClass<'a>> = None;
        let mut base_kind: Option<&'static str> = None;
        for b in named_children(supers) {
            if b.kind_name() == "keyword_argument" {
                continue;
            }
            let t = text(b, self.src);
            let last = t.rsplit('.').next().unwrap_or(t);
            if let Some(c) = known.get(t) {
                base = Some(c.clone());
                break;
            }
            if b.kind_name() == "identifier" {
                if let Some((Export::ErrorClass(sig), target)) = self.imported_through_reexports(t)
                {
                    base = Some(from_sig(&sig, target, false));
                    break;
                }
            }
            // A framework pack's raised class (`class LoginRequired(web.HTTPUnauthorized)`).
            if let Some((code, headers)) = packs::raised_class(self, b) {
                let mut c = ErrorClass::bare(
                    Framework::Pack,
                    ClassStatus::Fixed(code),
                    class.byte_range(),
                );
                c.headers_param = headers.map(|k| (usize::MAX, k));
                base = Some(c);
                break;
            }
            let origin = self.origin(b);
            if matches!(origin, Origin::Project) {
                continue;
            }
            base_kind = match last {
                "HTTPException" | "StarletteHTTPException" => {
                    if matches!(origin, Origin::Framework(Framework::Flask)) {
                        Some("werkzeug")
                    } else {
                        Some("fastapi")
                    }
                }
                "Unauthorized" => Some("unauthorized"),
                "Forbidden" => Some("forbidden"),
                "PermissionDenied" => Some("permission_denied"),
                "APIException" => Some("api_exception"),
                _ => None,
            };
            if base_kind.is_some() {
                break;
            }
        }
        let class_name = class
            .field("name")
            .map(|n| text(n, self.src).to_string())
            .unwrap_or_default();
        // A project class that derives from no framework exception but keeps
        // a status: the root of a lineage ([`ErrorClass::lineage`]).
        let mut root = false;
        let mut class_info = match (base, base_kind) {
            (Some(mut b), _) => {
                b.definition = class.byte_range();
                b.defined_in = None;
                b.super_call = None;
                if !b.lineage.is_empty() {
                    b.lineage.insert(0, class_name.clone());
                }
                b
            }
            (None, Some(kind)) => {
                let (framework, status) = match kind {
                    "fastapi" => (Framework::FastApi, None),
                    "werkzeug" => (Framework::Flask, None),
                    "unauthorized" => (Framework::Flask, Some(401)),
                    "forbidden" => (Framework::Flask, Some(403)),
                    "permission_denied" => (Framework::Django, Some(403)),
                    _ => (Framework::Django, None),
                };
                ErrorClass::bare(
                    framework,
                    ClassStatus::Fixed(status.unwrap_or(0)),
                    class.byte_range(),
                )
            }
            (None, None) => {
                let exception_base = named_children(supers).any(|b| {
                    let t = text(b, self.src);
                    let last = t.rsplit('.').next().unwrap_or(t);
                    b.kind_name() != "keyword_argument"
                        && (last.ends_with("Error") || last.ends_with("Exception"))
                });
                if !exception_base {
                    return self.response_class(class, supers, body);
                }
                root = true;
                ErrorClass {
                    lineage: vec![class_name.clone()],
                    ..ErrorClass::bare(
                        Framework::StatusError,
                        ClassStatus::Fixed(0),
                        class.byte_range(),
                    )
                }
            }
        };
        // Class attributes: `status_code = 401`, `code = 401`, `detail = "..."`.
        for stmt in named_children(body) {
            let Some(a) = assignment_in(stmt) else {
                continue;
            };
            let (Some(l), Some(r)) = (a.field("left"), a.field("right")) else {
                continue;
            };
            match text(l, self.src) {
                "status_code" | "code" => {
                    if let StatusEval::Known(v) = self.eval_status(r, 0) {
                        if let Some(v) = v.first() {
                            class_info.status = ClassStatus::Fixed(v.code);
                        }
                    }
                }
                "detail" | "description" | "default_detail" | "message" => {
                    if let Some(s) = self.string_literal(unwrap_expr(r)) {
                        class_info.message = Some(s);
                    }
                }
                _ => {}
            }
        }
        // `def __init__(...): super().__init__(status_code=401, detail=..., headers=...)`
        let init = named_children(body)
            .map(|s| {
                if s.kind_name() == "decorated_definition" {
                    s.field("definition").unwrap_or(s)
                } else {
                    s
                }
            })
            .find(|s| {
                s.kind_name() == "function_definition"
                    && s.field("name")
                        .is_some_and(|n| text(n, self.src) == "__init__")
            });
        if let (true, Some(init)) = (root, init) {
            self.root_init(init, &mut class_info);
        } else if let Some(init) = init {
            let init_params = params(init, self.src);
            let sup = find_node(init, |n| {
                n.kind_name() == "call"
                    && n.field("function").is_some_and(|f| {
                        let t = text(f, self.src);
                        t.ends_with(".__init__")
                    })
            });
            if let Some(sup) = sup {
                let ftext = sup
                    .field("function")
                    .map(|f| text(f, self.src))
                    .unwrap_or("");
                // `Base.__init__(self, ...)` passes self explicitly.
                let shift = usize::from(!ftext.starts_with("super("));
                let args = Args::of(sup, self.src);
                let fastapi_like = class_info.framework == Framework::FastApi;
                // Where the base's `__init__` takes the status, the message
                // and the headers: a project base says; else the framework's.
                type At = Option<(String, Option<usize>)>;
                let base_ctor = class_info.ctor();
                let at = |p: &Option<(usize, String)>| -> At {
                    p.clone().map(|(i, n)| (n, Some(i + shift)))
                };
                let kw = |k: &str, i: Option<usize>| -> At { Some((k.to_string(), i)) };
                let (status_at, detail_at, headers_at): (At, At, At) = match &base_ctor {
                    Some(c) => (at(&c.status), at(&c.detail), at(&c.headers)),
                    None if fastapi_like => (
                        kw("status_code", Some(shift)),
                        kw("detail", Some(1 + shift)),
                        kw("headers", Some(2 + shift)),
                    ),
                    None => (
                        kw("code", None),
                        kw("description", Some(shift)),
                        kw("www_authenticate", Some(2 + shift)),
                    ),
                };
                let arg = |at: &At| at.as_ref().and_then(|(k, i)| args.get(k, *i));
                let dict_headers = fastapi_like || base_ctor.is_some();
                let status_arg = arg(&status_at);
                if status_arg.is_none() && base_ctor.is_some() {
                    if let ClassStatus::Param { default, .. } = class_info.status {
                        // Not passed on: the base's default.
                        class_info.status = ClassStatus::Fixed(default.unwrap_or(0));
                    }
                }
                if let Some(s) = status_arg {
                    match self.eval_status(s, 0) {
                        StatusEval::Known(v) => {
                            if let Some(v) = v.first() {
                                class_info.status = ClassStatus::Fixed(v.code);
                            }
                        }
                        StatusEval::Param(i) => {
                            let p = init_params.get(i);
                            let default = p.and_then(|p| p.default).and_then(|d| {
                                match self.eval_status(d, 0) {
                                    StatusEval::Known(v) => v.first().map(|v| v.code),
                                    _ => None,
                                }
                            });
                            class_info.status = ClassStatus::Param {
                                index: i.saturating_sub(1),
                                name: p.map(|p| p.name.clone()).unwrap_or_default(),
                                default,
                            };
                        }
                        _ => {}
                    }
                }
                if let Some(d) = arg(&detail_at) {
                    let d = unwrap_expr(d);
                    if let Some(s) = self.string_literal(d) {
                        class_info.message = Some(s);
                    } else if d.kind_name() == "identifier" {
                        let name = text(d, self.src);
                        if let Some(i) = param_index(init, name, self.src) {
                            class_info.detail_param = Some((i.saturating_sub(1), name.to_string()));
                            if let Some(s) = init_params
                                .get(i)
                                .and_then(|p| p.default)
                                .and_then(|d| self.string_literal(unwrap_expr(d)))
                            {
                                class_info.message = Some(s);
                            }
                        }
                    }
                }
                match arg(&headers_at) {
                    Some(h) => {
                        let hu = unwrap_expr(h);
                        if !dict_headers {
                            // werkzeug `www_authenticate=`: any value is a challenge.
                            if hu.kind_name() != "none" {
                                class_info.challenge = Some(ChallengeHeader {
                                    value_range: hu.byte_range(),
                                    literal: None,
                                    evidence: None,
                                    shared: false,
                                });
                            }
                        } else if hu.kind_name() == "identifier"
                            && param_index(init, text(hu, self.src), self.src).is_some()
                        {
                            let name = text(hu, self.src);
                            let i = param_index(init, name, self.src).unwrap_or(0);
                            class_info.headers_param =
                                Some((i.saturating_sub(1), name.to_string()));
                        } else {
                            let h = self.eval_headers(hu, hu, 0);
                            class_info.challenge = h.challenge;
                            class_info.headers_opaque = h.opaque;
                        }
                    }
                    None => {
                        if args.splat {
                            class_info.headers_opaque = true;
                        }
                    }
                }
                class_info.super_call = Some(sup);
            }
        }
        match class_info.status {
            // A lineage class is kept whatever its status: its subclasses
            // set one.
            // A root without a status has none to give.
            ClassStatus::Fixed(0) if root || class_info.lineage.is_empty() => None,
            _ => Some(class_info),
        }
    }

    /// A lineage root's `__init__`: `self.status_code = status_code` (a
    /// parameter or a status), `self.headers = headers`, `self.message = …`.
    fn root_init(&self, init: Node<'a>, class_info: &mut ErrorClass<'a>) {
        let init_params = params(init, self.src);
        let param = |n: Node| -> Option<(usize, String)> {
            let n = unwrap_expr(n);
            (n.kind_name() == "identifier")
                .then(|| text(n, self.src))
                .and_then(|name| {
                    param_index(init, name, self.src)
                        .map(|i| (i.saturating_sub(1), name.to_string()))
                })
        };
        let mut stack = vec![init.field("body")];
        while let Some(Some(n)) = stack.pop() {
            if matches!(
                n.kind_name(),
                "function_definition" | "class_definition" | "lambda"
            ) {
                continue;
            }
            stack.extend(named_children(n).map(Some));
            let (Some(l), Some(r)) = (
                (n.kind_name() == "assignment")
                    .then(|| n.field("left"))
                    .flatten(),
                n.field("right"),
            ) else {
                continue;
            };
            let Some(attr) = l
                .field("object")
                .filter(|o| text(*o, self.src) == "self")
                .and_then(|_| l.field("attribute"))
            else {
                continue;
            };
            match text(attr, self.src) {
                "status_code" | "status" | "http_status" | "code" => {
                    if let Some((index, name)) = param(r) {
                        // `code=None` in the signature keeps the class's own
                        // `code = 500` when the argument is left out.
                        let class_code = match class_info.status {
                            ClassStatus::Fixed(c) if c != 0 => Some(c),
                            _ => None,
                        };
                        let default = init_params
                            .get(index + 1)
                            .and_then(|p| p.default)
                            .and_then(|d| match self.eval_status(d, 0) {
                                StatusEval::Known(v) => v.first().map(|v| v.code),
                                _ => None,
                            })
                            .or(class_code);
                        class_info.status = ClassStatus::Param {
                            index,
                            name,
                            default,
                        };
                    } else if let StatusEval::Known(v) = self.eval_status(r, 0) {
                        if let Some(v) = v.first() {
                            class_info.status = ClassStatus::Fixed(v.code);
                        }
                    }
                }
                "headers" => {
                    if let Some(p) = param(r) {
                        class_info.headers_param = Some(p);
                    } else {
                        let h = self.eval_headers(unwrap_expr(r), r, 0);
                        class_info.challenge = h.challenge;
                        class_info.headers_opaque = h.opaque;
                    }
                }
                "message" | "detail" | "description" | "msg" => {
                    if let Some(p) = param(r) {
                        class_info.detail_param = Some(p);
                    } else if let Some(m) = self.string_literal(unwrap_expr(r)) {
                        class_info.message = Some(m);
                    }
                }
                _ => {}
            }
        }
    }
}
