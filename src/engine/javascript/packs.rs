//! TypeScript/JavaScript sites described by framework packs
//! ([`crate::packs`]): calls of a name imported from the pack's package
//! (`error(401, …)` from `@sveltejs/kit`, `kit.json(…)`), `new` of one,
//! method calls and assignments on the receiver the pack names
//! (`set.status = 401` in a file that imports `elysia`).

use super::nodes::{args_of, enclosing_function, is_function, pair, shorthand, unwrap_expr};
use super::site::Raw;
use super::status::known_indirect;
use super::web::{headers_in_init, property_insertion};
use super::{string_value, text, Cx};
use crate::engine::eval::{is_challenge_name, HeaderEval, StatusEval};
use crate::engine::model::{ChallengeHeader, Evidence, Framework, HeaderInsertion, PackSite};
use crate::engine::syntax::{self, NodeExt};
use crate::packs::{self, Arg, ChallengeSpec, Pack, PackLanguage, Row, Shape, StatusSpec};
use tree_sitter::Node;

const LANG: PackLanguage = PackLanguage::Javascript;

/// Whether a call spelled `name(…)` or `x.name(…)` may be a pack's (the
/// imported name under an alias counts).
pub(super) fn may_be_call(cx: &Cx, name: &str) -> bool {
    let imported = cx.imports.get(name).map(|(_, o)| o.as_str());
    let packs = &cx.settings.packs;
    packs.may_call(LANG, name, imported) || (imported.is_none() && cx.requires_default)
}

/// Whether the file `require`s a package a pack names the default export
/// of (`call = "http-errors.default"`).
pub(super) fn requires_default(cx: &Cx) -> bool {
    let packs = &cx.settings.packs;
    packs.has_default(LANG)
        && packs.packs().iter().any(|p| {
            p.file.language == LANG
                && p.file.response.iter().any(|r| {
                    r.call
                        .as_ref()
                        .is_some_and(|c| c.iter().any(|q| q.ends_with(".default")))
                })
                && p.file.modules.iter().any(|m| {
                    ["require('", "require(\""].iter().any(|r| {
                        memchr::memmem::find(cx.src.as_bytes(), format!("{r}{m}").as_bytes())
                            .is_some()
                    })
                })
        })
}

/// Whether `return <value>` may be a pack's (`return false` in a guard).
pub(super) fn may_be_return(cx: &Cx, value: &str) -> bool {
    value.len() <= 16 && cx.settings.packs.returns_value(LANG, value)
}

/// `return false` in the method a `returns` row names, in a file that
/// imports the pack's package.
pub(super) fn return_site<'t>(cx: &Cx<'t>, ret: Node<'t>) -> Option<Raw<'t>> {
    let value = unwrap_expr(ret.named_child(0)?);
    let mut f = cx.up(ret)?;
    while !is_function(f) {
        f = cx.up(f)?;
    }
    if f.kind_name() != "method_definition" {
        return None;
    }
    let method = text(f.field("name")?, cx.src);
    let v = text(value, cx.src);
    let row = cx
        .settings
        .packs
        .rows(LANG, Shape::Return, method)
        .into_iter()
        .find(|r| r.row.returns.as_deref() == Some(v) && file_uses(cx, r.pack))?;
    build(cx, row, ret, value, &[], None)
}

/// Whether `x.name = …` may be a pack's status assignment.
pub(super) fn may_be_assign(cx: &Cx, name: &str) -> bool {
    cx.settings.packs.has(LANG, Shape::Assign, name)
}

/// The module and name a callee resolves to through the file's imports,
/// or through a pack's ambient names (Nuxt's auto-imports).
fn resolve(cx: &Cx, f: Node) -> Option<(String, String)> {
    match f.kind_name() {
        "identifier" => {
            let local = text(f, cx.src);
            // A default import is the name `default` (`call = "pkg.default"`).
            if let Some((spec, name)) = cx.imports.get(local) {
                return (name != "*").then(|| (spec.clone(), name.clone()));
            }
            if let Some(found) = required(cx, f, local) {
                return Some(found);
            }
            if cx.is_declared(local) {
                return None;
            }
            ambient(cx, local).map(|m| (m.to_string(), local.to_string()))
        }
        "member_expression" => {
            let obj = f.field("object")?;
            let local = text(obj, cx.src);
            let (spec, name) = match cx.imports.get(local) {
                Some(found) => found.clone(),
                None if obj.kind_name() == "identifier" => required(cx, obj, local)?,
                None => return None,
            };
            let prop = text(f.field("property")?, cx.src);
            if name == "*" || name == "default" {
                return Some((spec, prop.to_string()));
            }
            // A static member of an imported class (`APIError.from(…)`):
            // the row's name is `pkg.APIError.from`.
            Some((format!("{spec}.{name}"), prop.to_string()))
        }
        _ => None,
    }
}

/// The imported class a static member call is made on (`APIError` in
/// `APIError.from(…)`), when the object is a named import.
fn static_class<'c>(cx: &'c Cx, f: Node) -> Option<&'c str> {
    let obj = f
        .field("object")
        .filter(|_| f.kind_name() == "member_expression")?;
    let (_, name) = cx.imports.get(text(obj, cx.src))?;
    (name != "*" && name != "default").then_some(name.as_str())
}

/// CommonJS: `local` is bound by `const local = require('pkg')` (the
/// module's `default`) or `const { name: local } = require('pkg')`.
fn required(cx: &Cx, at: Node, local: &str) -> Option<(String, String)> {
    let decl = cx.declarator_of(local, at)?;
    let value = decl.field("value")?;
    let callee = value.field("function")?;
    if value.kind_name() != "call_expression" || text(callee, cx.src) != "require" {
        return None;
    }
    let spec = string_value(value.field("arguments")?.named_child(0)?, cx.src)?;
    let pattern = decl.field("name")?;
    match pattern.kind_name() {
        "identifier" => Some((spec, "default".to_string())),
        "object_pattern" => super::named_children(pattern).find_map(|p| match p.kind_name() {
            "shorthand_property_identifier_pattern" if text(p, cx.src) == local => {
                Some((spec.clone(), local.to_string()))
            }
            "pair_pattern" if p.field("value").is_some_and(|v| text(v, cx.src) == local) => {
                Some((spec.clone(), text(p.field("key")?, cx.src).to_string()))
            }
            _ => None,
        }),
        _ => None,
    }
}

/// The module an undeclared name is auto-imported from: a pack with
/// `ambient-if` whose marker the file calls, and that has a row by that name.
fn ambient<'c>(cx: &'c Cx, name: &str) -> Option<&'c str> {
    cx.settings.packs.packs().iter().find_map(|p| {
        let f = &p.file;
        (f.language == LANG
            && !f.ambient_if.is_empty()
            && knows(p, name)
            && f.ambient_if.iter().any(|m| calls_marker(cx, m)))
        .then(|| f.modules[0].as_str())
    })
}

fn knows(p: &Pack, name: &str) -> bool {
    let rows = p.file.response.iter().filter_map(|r| r.call.as_ref());
    let headers = p.file.header.iter().filter_map(|h| h.call.as_ref());
    rows.chain(headers)
        .flat_map(|n| n.iter())
        .any(|q| packs::split_qualified(q).is_some_and(|(_, n)| n == name))
}

/// The file calls `marker(` and does not declare it.
fn calls_marker(cx: &Cx, marker: &str) -> bool {
    cx.read_everything();
    !cx.is_declared(marker)
        && cx
            .src
            .match_indices(marker)
            .any(|(i, _)| cx.src[i + marker.len()..].starts_with('('))
}

/// The file imports something from one of the pack's packages (with
/// `import`, or `require('pkg…')` anywhere in its text).
fn file_uses(cx: &Cx, pack: &Pack) -> bool {
    let imported = cx.imports.values().map(|(spec, _)| spec.as_str());
    if packs::uses(LANG, pack, imported) {
        return true;
    }
    // The answer depends on the whole text, for the language server's reuse.
    cx.read_everything();
    pack.file.modules.iter().any(|m| {
        ["require('", "require(\""]
            .iter()
            .any(|r| cx.src.contains(&format!("{r}{m}")))
    })
}

fn row_for<'c>(cx: &'c Cx, f: Node) -> Option<Row<'c>> {
    let packs = &cx.settings.packs;
    if let Some((module, name)) = resolve(cx, f) {
        if let Some(row) = packs.call_row(LANG, &module, &name) {
            // A static member must be the row's class's, not just the package's.
            let class_ok = match static_class(cx, f) {
                Some(class) => row.module.rsplit_once('.').is_some_and(|(_, c)| c == class),
                None => true,
            };
            if class_ok {
                return Some(row);
            }
        }
    } else if f.kind_name() == "identifier" && !cx.imports.contains_key(text(f, cx.src)) {
        // `({ status }) => status(401)`: a name the handler's context gives.
        let name = text(f, cx.src);
        if let Some(row) = packs
            .rows(LANG, Shape::Call, name)
            .into_iter()
            .find(|r| r.row.context && file_uses(cx, r.pack) && from_context(cx, f, name))
        {
            return Some(row);
        }
    }
    if f.kind_name() != "member_expression" {
        return None;
    }
    let recv = text(f.field("object")?, cx.src);
    let name = text(f.field("property")?, cx.src);
    packs.receiver_row(LANG, Shape::Method, recv, name, |p| file_uses(cx, p))
}

/// `name` is bound by a destructuring parameter of a function around `at`.
fn from_context(cx: &Cx, at: Node, name: &str) -> bool {
    let mut n = at;
    for _ in 0..256 {
        let Some(p) = cx.up(n) else {
            return false;
        };
        if is_function(p) {
            let params = p.field("parameters").or_else(|| p.field("parameter"));
            if params.is_some_and(|ps| destructures(cx, ps, name)) {
                return true;
            }
        }
        n = p;
    }
    false
}

fn destructures(cx: &Cx, n: Node, name: &str) -> bool {
    match n.kind_name() {
        "shorthand_property_identifier_pattern" => text(n, cx.src) == name,
        "pair_pattern" => n
            .field("value")
            .is_some_and(|v| v.kind_name() == "identifier" && text(v, cx.src) == name),
        "identifier" | "type_annotation" => false,
        _ => super::named_children(n).any(|c| destructures(cx, c, name)),
    }
}

/// A call or `new` a pack describes.
pub(super) fn call_site<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let f = node
        .field("function")
        .or_else(|| node.field("constructor"))?;
    let row = row_for(cx, f)?;
    if row.row.raises && !raised_here(cx, node) {
        return None;
    }
    if !row.row.raises && super::site::thrown_and_caught(cx, node) {
        return None;
    }
    let args = args_of(node);
    let name_node = f.field("property").unwrap_or(f);
    build(cx, row, node, name_node, &args, None)
}

/// An exception a `raises` row builds is a response where it leaves its
/// function: not when a `catch` of the same function takes it (and does not
/// pass it on), nor when an arrow only builds it for a caller to throw.
fn raised_here(cx: &Cx, node: Node) -> bool {
    let Some(p) = cx.up(node) else {
        return true;
    };
    if p.kind_name() == "arrow_function" {
        return false;
    }
    let mut stmt = node;
    while let Some(up) = cx.up(stmt) {
        if up.kind_name() == "throw_statement" {
            return !super::errors::caught_in_function(cx, up);
        }
        if is_function(up) || up.kind_name().ends_with("statement") {
            break;
        }
        stmt = up;
    }
    true
}

/// `set.status = 401`: an `assign` row on its receiver.
pub(super) fn assign_site<'t>(cx: &Cx<'t>, assign: Node<'t>) -> Option<Raw<'t>> {
    let left = assign
        .field("left")
        .filter(|l| l.kind_name() == "member_expression")?;
    let recv = text(left.field("object")?, cx.src);
    let name = text(left.field("property")?, cx.src);
    let row = cx
        .settings
        .packs
        .receiver_row(LANG, Shape::Assign, recv, name, |p| file_uses(cx, p))?;
    let value = assign.field("right")?;
    build(cx, row, assign, left, &[], Some(value))
}

/// The argument at `a.position`, then its `field` entry when it is an
/// object literal. `whole` keeps an argument that is not an object
/// (Remix's `json(data, 401)`).
fn arg<'t>(cx: &Cx<'t>, args: &[Node<'t>], a: &Arg, whole: bool) -> Option<Node<'t>> {
    let n = *args.get(a.position?)?;
    let Some(field) = &a.field else {
        return Some(n);
    };
    let n = unwrap_expr(n);
    if n.kind_name() != "object" {
        return whole.then_some(n);
    }
    field.split('|').find_map(|f| {
        pair(cx, n, f)
            .and_then(|p| p.field("value"))
            .or_else(|| shorthand(cx, n, f))
    })
}

fn build<'t>(
    cx: &Cx<'t>,
    row: Row,
    node: Node<'t>,
    name_node: Node<'t>,
    args: &[Node<'t>],
    assigned: Option<Node<'t>>,
) -> Option<Raw<'t>> {
    let spec = row.row;
    let status = match &spec.status {
        StatusSpec::Fixed(code) => known_indirect(*code, name_node),
        StatusSpec::Arg(a) => {
            let n = match assigned {
                Some(v) => v,
                None => arg(cx, args, a, true)?,
            };
            match status_name(cx, n) {
                Some(code) => known_indirect(code, n),
                None => cx.eval_status(n, 0),
            }
        }
    };
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    let mut headers = HeaderEval::default();
    let mut insertion = None;
    if let Some(h) = &spec.headers {
        let init = h
            .position
            .and_then(|p| args.get(p).copied())
            .map(unwrap_expr);
        match (init, &h.field) {
            // The headers are an entry of an options object: read it, or add one.
            (Some(obj), Some(field)) if obj.kind_name() == "object" && field == "headers" => {
                (headers, insertion) = headers_in_init(cx, obj, node);
            }
            (Some(obj), Some(field)) if obj.kind_name() == "object" => {
                match arg(cx, args, h, false) {
                    Some(v) => headers = cx.eval_headers(v, node, 0),
                    None => {
                        insertion = property_insertion(
                            cx,
                            obj,
                            &format!("{field}: {{ $NAME: $VALUE }}"),
                            "add the header to the options",
                        )
                    }
                }
            }
            (Some(v), None) => headers = cx.eval_headers(v, node, 0),
            // `json(data, 401)`: the status stands for the whole options
            // object, so there are no headers; the fix spells the object out.
            (Some(v), Some(field)) if status_is_whole_arg(spec, h.position) && is_literal(v) => {
                let status_field = match &spec.status {
                    StatusSpec::Arg(Arg { field: Some(f), .. }) => f.split('|').next(),
                    _ => None,
                };
                insertion = status_field.map(|sf| HeaderInsertion {
                    at: v.start_byte(),
                    replace_len: v.end_byte() - v.start_byte(),
                    template: format!(
                        "{{ {sf}: {}, {field}: {{ $NAME: $VALUE }} }}",
                        text(v, cx.src)
                    )
                    .into(),
                    how: "pass the status and the header in the options",
                });
            }
            // Options we cannot see into.
            (Some(_), Some(_)) => headers.opaque = true,
            // No options yet: pass them after the last argument.
            (None, Some(field)) if h.position == Some(args.len()) && !args.is_empty() => {
                insertion = Some(HeaderInsertion {
                    at: args[args.len() - 1].end_byte(),
                    replace_len: 0,
                    template: format!(", {{ {field}: {{ $NAME: $VALUE }} }}").into(),
                    how: "pass the header in the options",
                });
            }
            // No headers yet, and they are the next positional argument.
            (None, None) if h.position == Some(args.len()) && !args.is_empty() => {
                insertion = Some(HeaderInsertion {
                    at: args[args.len() - 1].end_byte(),
                    replace_len: 0,
                    template: ", { $NAME: $VALUE }".into(),
                    how: "pass the header",
                });
            }
            (None, _) => {}
        }
    }
    let mut wraps = None;
    if let Some(a) = &spec.response {
        if let Some(res) = arg(cx, args, a, false) {
            let res = passed_response(cx, res);
            // The fix adds the header to that response.
            headers = match super::web::web_response(cx, res, false) {
                Some(r) => {
                    insertion = insertion.or(r.insertion);
                    r.headers
                }
                None => HeaderEval::opaque(),
            };
            wraps = Some(res.byte_range());
        }
    }
    if args.iter().any(|a| a.kind_name() == "spread_element") {
        headers.opaque = true;
    }
    match &spec.challenge {
        Some(ChallengeSpec::Word(_)) => headers.opaque = true,
        Some(ChallengeSpec::Arg(a)) => {
            if let Some(v) = arg(cx, args, a, false) {
                headers.challenge = Some(cx.challenge_value(v, None));
            }
        }
        None => {}
    }
    if spec.keeps_earlier_headers && headers.challenge.is_none() {
        headers.challenge = earlier_header(cx, node, row.pack);
    }
    if insertion.is_none() {
        if let Some(t) = &spec.fix_before {
            // The name the fix calls must be in scope at the site.
            let needs_ok = spec.fix_needs.as_deref().map_or(true, |n| {
                cx.imports.contains_key(n)
                    || cx.top_decls.contains_key(n)
                    || from_context(cx, node, n)
                    || ambient(cx, n).is_some()
            });
            if needs_ok {
                insertion = before(cx, node, t, args);
            }
        }
    }
    Some(Raw {
        framework: Framework::Pack,
        node,
        status,
        headers,
        insertion,
        message_node: spec.message.as_ref().and_then(|m| arg(cx, args, m, false)),
        function: enclosing_function(cx, node),
        pack: Some(PackSite {
            row: row.id(),
            note: spec.note.as_deref().map(Into::into),
        }),
        wraps,
    })
}

/// The whole response passed to the site (`res: new Response(…)`, or the
/// value of a local holding one); its headers are opaque when it is not one
/// authlint can read.
fn passed_response<'t>(cx: &Cx<'t>, res: Node<'t>) -> Node<'t> {
    let res = unwrap_expr(res);
    if matches!(
        res.kind_name(),
        "identifier" | "shorthand_property_identifier"
    ) {
        if let Some(init) = cx.resolve_local(text(res, cx.src), res) {
            return unwrap_expr(init);
        }
    }
    res
}

/// A `[[header]]` row setting `WWW-Authenticate` on the response `site`
/// answers with: before it in its function, or after it in the same block
/// until the handler returns.
fn earlier_header<'t>(cx: &Cx<'t>, site: Node<'t>, pack: &Pack) -> Option<ChallengeHeader> {
    let rows = pack.file.header.as_slice();
    if rows.is_empty() {
        return None;
    }
    let scope = enclosing_function(cx, site).unwrap_or(cx.root);
    cx.read(scope);
    let found = header_in(cx, scope, rows, |n| n.start_byte() < site.start_byte());
    found.or_else(|| {
        // After it in the same block, until the handler returns
        // (`set.status = 401; set.headers['WWW-Authenticate'] = …; return …`).
        const KINDS: syntax::BlockKinds = syntax::BlockKinds {
            blocks: &["statement_block", "program"],
            exits: &["return_statement", "throw_statement"],
        };
        syntax::statements_after(site, |n| cx.up(n), &KINDS, is_function)
            .into_iter()
            .find_map(|n| header_in(cx, n, rows, |_| true))
    })
}

/// A header row's call or assignment under `top` (not in a nested
/// function) at a node `keep` accepts.
fn header_in<'t>(
    cx: &Cx<'t>,
    top: Node<'t>,
    rows: &[packs::HeaderRow],
    keep: impl Fn(Node) -> bool,
) -> Option<ChallengeHeader> {
    let mut stack = vec![top];
    while let Some(n) = stack.pop() {
        if !keep(n) || n.id() != top.id() && is_function(n) {
            continue;
        }
        let found = match n.kind_name() {
            "call_expression" => header_call(cx, n, rows),
            "assignment_expression" => header_assign(cx, n, rows),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        syntax::push_named_children_reversed(n, &mut stack);
    }
    None
}

fn evidence(n: Node) -> Option<Evidence> {
    Some(Evidence {
        path: None,
        range: n.byte_range(),
        note: "`WWW-Authenticate` set here".into(),
    })
}

fn header_call<'t>(
    cx: &Cx<'t>,
    call: Node<'t>,
    rows: &[packs::HeaderRow],
) -> Option<ChallengeHeader> {
    let f = call.field("function")?;
    let resolved = resolve(cx, f);
    let row = rows.iter().find(|h| match (&h.call, &h.method) {
        (Some(_), _) => resolved
            .as_ref()
            .is_some_and(|(m, n)| packs::header_call_is(LANG, h, m, n)),
        (None, Some(method)) => {
            f.kind_name() == "member_expression"
                && f.field("property")
                    .is_some_and(|p| text(p, cx.src) == method)
                && f.field("object").map(|o| text(o, cx.src)) == h.receiver.as_deref()
        }
        _ => false,
    })?;
    let args = args_of(call);
    let name = arg(cx, &args, row.name.as_ref()?, false)?;
    if !string_value(name, cx.src).is_some_and(|k| is_challenge_name(&k)) {
        return None;
    }
    let value = arg(cx, &args, row.value.as_ref()?, false)?;
    Some(cx.challenge_value(value, evidence(call)))
}

/// `set.headers['WWW-Authenticate'] = v` for a row `assign = "headers"`,
/// `receiver = "set"`.
fn header_assign<'t>(
    cx: &Cx<'t>,
    assign: Node<'t>,
    rows: &[packs::HeaderRow],
) -> Option<ChallengeHeader> {
    let left = assign.field("left")?;
    let (target, key) = match left.kind_name() {
        "subscript_expression" => (
            left.field("object")?,
            string_value(left.field("index")?, cx.src)?,
        ),
        "member_expression" => (
            left.field("object")?,
            text(left.field("property")?, cx.src).to_string(),
        ),
        _ => return None,
    };
    if !is_challenge_name(&key) || target.kind_name() != "member_expression" {
        return None;
    }
    let recv = text(target.field("object")?, cx.src);
    let prop = text(target.field("property")?, cx.src);
    if !rows
        .iter()
        .any(|h| h.assign.as_deref() == Some(prop) && h.receiver.as_deref() == Some(recv))
    {
        return None;
    }
    Some(cx.challenge_value(assign.field("right")?, evidence(assign)))
}

/// A statement from `template` inserted before the site's statement.
fn before(cx: &Cx, site: Node, template: &str, args: &[Node]) -> Option<HeaderInsertion> {
    let at = cx.statement_insertion(site).filter(|s| s.wrap.is_none())?;
    let mut stmt = template.to_string();
    for (i, a) in args.iter().enumerate() {
        stmt = stmt.replace(&format!("$ARG{i}"), text(*a, cx.src));
    }
    if stmt.contains("$ARG") {
        return None;
    }
    let semi = if cx.semicolons { ";" } else { "" };
    Some(HeaderInsertion {
        at: at.line_start,
        replace_len: 0,
        template: format!("{}{stmt}{semi}{}", at.indent, at.newline).into(),
        how: "set the header before the status",
    })
}

/// A status written as its upper-case name where a status goes:
/// better-call's `new APIError('UNAUTHORIZED')`.
pub(super) fn status_name(cx: &Cx, n: Node) -> Option<u16> {
    let v = string_value(n, cx.src)?;
    match v.as_str() {
        "UNAUTHORIZED" => Some(401),
        "FORBIDDEN" => Some(403),
        _ => None,
    }
}

/// The row reads the status from the argument at `position` itself when it
/// is not an options object.
fn status_is_whole_arg(spec: &crate::packs::ResponseRow, position: Option<usize>) -> bool {
    matches!(&spec.status, StatusSpec::Arg(a) if a.field.is_some() && a.position == position)
}

fn is_literal(n: Node) -> bool {
    matches!(n.kind_name(), "number" | "member_expression")
}
