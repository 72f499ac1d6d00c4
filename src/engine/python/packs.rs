//! Python sites described by framework packs ([`crate::packs`]): calls of
//! a name imported from the pack's package (`web.HTTPUnauthorized()`,
//! `raise HttpError(401, …)`), method calls and assignments on the
//! receiver the pack names (`self.set_status(401)`, `resp.status = …`).

use super::constructors::{argument_challenge, assigned_name, fill_headers};
use super::nodes::{enclosing_function, is_scope, unwrap_expr, Args};
use super::site::Raw;
use super::status::known_indirect;
use super::{named_children, text, Cx};
use crate::engine::eval::{is_challenge_name, StatusEval};
use crate::engine::model::{ChallengeHeader, Evidence, Framework, HeaderInsertion, PackSite};
use crate::engine::syntax::{self, NodeExt};
use crate::packs::{self, Arg, ChallengeSpec, Pack, PackLanguage, Row, Shape, StatusSpec};
use tree_sitter::Node;

const LANG: PackLanguage = PackLanguage::Python;

/// Whether a call spelled `name(…)` or `x.name(…)` may be a pack's (the
/// imported name under an alias counts).
pub(super) fn may_be_call(cx: &Cx, name: &str) -> bool {
    let imported = cx.imports.get(name).map(|(_, o)| &**o);
    cx.settings.packs.may_call(LANG, name, imported)
}

/// Whether `x.name = …` may be a pack's status assignment.
pub(super) fn may_be_assign(cx: &Cx, name: &str) -> bool {
    cx.settings.packs.has(LANG, Shape::Assign, name)
}

/// The module path an identifier or attribute chain stands for:
/// `aiohttp.web` for `web` after `from aiohttp import web`.
fn module_path(cx: &Cx, n: Node) -> Option<String> {
    match n.kind_name() {
        "identifier" => {
            let (m, name) = cx.imports.get(text(n, cx.src))?;
            if m.starts_with('.') {
                return None;
            }
            Some(if &**name == "*" {
                m.to_string()
            } else {
                format!("{m}.{name}")
            })
        }
        "attribute" => Some(format!(
            "{}.{}",
            module_path(cx, n.field("object")?)?,
            text(n.field("attribute")?, cx.src)
        )),
        _ => None,
    }
}

/// The module and name a called expression resolves to through imports.
fn resolve(cx: &Cx, f: Node) -> Option<(String, String)> {
    match f.kind_name() {
        "identifier" => {
            let (m, name) = cx.imports.get(text(f, cx.src))?;
            (&**name != "*" && !m.starts_with('.')).then(|| (m.to_string(), name.to_string()))
        }
        "attribute" => Some((
            module_path(cx, f.field("object")?)?,
            text(f.field("attribute")?, cx.src).to_string(),
        )),
        _ => None,
    }
}

/// The file imports something from one of the pack's packages.
fn file_uses(cx: &Cx, pack: &Pack) -> bool {
    packs::uses(LANG, pack, cx.imports.values().map(|(m, _)| &**m))
}

/// The row for a callee: a `call` row its import resolves to, else a
/// `method` row on its receiver in a file that uses the pack.
fn row_for<'c>(cx: &'c Cx, f: Node) -> Option<Row<'c>> {
    let packs = &cx.settings.packs;
    if let Some((module, name)) = resolve(cx, f) {
        if let Some(row) = packs.call_row(LANG, &module, &name) {
            return Some(row);
        }
    }
    if f.kind_name() != "attribute" {
        return None;
    }
    let recv = text(f.field("object")?, cx.src);
    let name = text(f.field("attribute")?, cx.src);
    packs.receiver_row(LANG, Shape::Method, recv, name, |p| file_uses(cx, p))
}

/// A call a pack describes.
pub(super) fn call_site<'t>(cx: &Cx<'t>, call: Node<'t>) -> Option<Raw<'t>> {
    let f = call.field("function")?;
    let row = row_for(cx, f)?;
    let args = Args::of(call, cx.src);
    let name_node = f.field("attribute").unwrap_or(f);
    build(cx, row, call, name_node, Some(&args), None)
}

/// `raise web.HTTPUnauthorized` (the class, not called): a `call` row whose
/// name gives the status.
pub(super) fn raise_site<'t>(cx: &Cx<'t>, node: Node<'t>) -> Option<Raw<'t>> {
    let row = row_for(cx, node)?;
    if !matches!(row.row.status, StatusSpec::Fixed(_)) || row.row.call.is_none() {
        return None;
    }
    let mut raw = build(
        cx,
        row,
        node,
        node.field("attribute").unwrap_or(node),
        None,
        None,
    )?;
    raw.anchor = cx.up(node)?;
    Some(raw)
}

/// The status a pack's raised class fixes (`web.HTTPUnauthorized`,
/// litestar's `NotAuthorizedException`), when `base` names one, and the
/// keyword its headers go in: a project class deriving from it answers so.
/// Not a class whose challenge the framework adds itself (DRF's
/// `AuthenticationFailed`): that depends on the view, not the class.
pub(super) fn raised_class(cx: &Cx, base: Node) -> Option<(u16, Option<String>)> {
    let row = row_for(cx, base)?;
    let spec = row.row;
    if spec.call.is_none() || !spec.raises || matches!(spec.challenge, Some(ChallengeSpec::Word(_)))
    {
        return None;
    }
    let StatusSpec::Fixed(code) = spec.status else {
        return None;
    };
    let headers = spec.headers.as_ref().and_then(|h| h.keyword.clone());
    Some((code, headers))
}

/// `resp.status = falcon.HTTP_401`: an `assign` row on its receiver.
pub(super) fn assign_site<'t>(cx: &Cx<'t>, assign: Node<'t>) -> Option<Raw<'t>> {
    let left = assign
        .field("left")
        .filter(|l| l.kind_name() == "attribute")?;
    let recv = text(left.field("object")?, cx.src);
    let name = text(left.field("attribute")?, cx.src);
    let row = cx
        .settings
        .packs
        .receiver_row(LANG, Shape::Assign, recv, name, |p| file_uses(cx, p))?;
    let value = assign.field("right")?;
    build(cx, row, assign, left, None, Some(value))
}

/// The argument `a` names, and then its `field` entry when it is a dict.
/// `whole` keeps an argument that is not a dict (a status passed as is).
fn arg<'t>(cx: &Cx<'t>, args: &Args<'t>, a: &Arg, whole: bool) -> Option<Node<'t>> {
    let n = args.get(a.keyword.as_deref().unwrap_or(""), a.position)?;
    let Some(field) = &a.field else {
        return Some(n);
    };
    let n = unwrap_expr(n);
    if n.kind_name() != "dictionary" {
        return whole.then_some(n);
    }
    field.split('|').find_map(|f| {
        named_children(n).find_map(|p| {
            (p.kind_name() == "pair"
                && p.field("key").and_then(|k| cx.key_name(k)).as_deref() == Some(f))
            .then(|| p.field("value"))
            .flatten()
        })
    })
}

fn build<'t>(
    cx: &Cx<'t>,
    row: Row,
    node: Node<'t>,
    name_node: Node<'t>,
    args: Option<&Args<'t>>,
    assigned: Option<Node<'t>>,
) -> Option<Raw<'t>> {
    let spec = row.row;
    let status = match &spec.status {
        StatusSpec::Fixed(code) => known_indirect(*code, name_node),
        StatusSpec::Arg(a) => {
            let n = match assigned {
                Some(v) => v,
                None => arg(cx, args?, a, true)?,
            };
            cx.eval_status(n, 0)
        }
    };
    if matches!(status, StatusEval::Unknown) {
        return None;
    }
    let mut raw = Raw::new(Framework::Pack, node, status);
    raw.exception = spec.raises;
    if let Some(args) = args {
        raw.message_node = spec.message.as_ref().and_then(|m| arg(cx, args, m, false));
        match &spec.headers {
            Some(Arg {
                keyword: Some(kw),
                position,
                field: None,
            }) => fill_headers(cx, &mut raw, args, kw, *position, node),
            Some(h) => {
                if let Some(h) = arg(cx, args, h, false) {
                    let eval = cx.eval_headers(h, node, 0);
                    raw.headers.merge(eval);
                    raw.headers_node = Some(h);
                }
            }
            None => {}
        }
        if args.splat {
            raw.headers.opaque = true;
        }
        if let Some(ChallengeSpec::Arg(a)) = &spec.challenge {
            if let Some(ch) = arg(cx, args, a, false).and_then(|v| argument_challenge(cx, v)) {
                raw.headers.challenge = Some(ch);
            }
        }
    }
    if let Some(ChallengeSpec::Word(_)) = &spec.challenge {
        // The framework adds the challenge itself (DRF's exception handler),
        // or answers 403 when it has none to add.
        raw.headers.opaque = true;
        if super::drf::swallowed_by_authenticate(cx, node) {
            return None;
        }
        if let Some(why) = super::drf::answered_as_403(cx, node) {
            raw.status = known_indirect(403, name_node);
            raw.via = Some(why);
        }
    }
    if !spec.raises && raw.headers.challenge.is_none() {
        // `resp = HttpResponse(status=401); resp["WWW-Authenticate"] = …; return resp`
        if let Some(var) = assigned_name(cx, node, cx.src) {
            let scope = enclosing_function(cx, node).unwrap_or(cx.root);
            raw.headers.challenge = cx.header_set_on(scope, var, true, None);
        }
    }
    if spec.keeps_earlier_headers && raw.headers.challenge.is_none() {
        raw.headers.challenge = earlier_header(cx, node, row.pack);
    }
    if raw.insertion.is_none() {
        if let Some(t) = &spec.fix_before {
            raw.insertion = before(cx, node, t, args);
        }
    }
    raw.framework = Framework::Pack;
    raw.pack = Some(PackSite {
        row: row.id(),
        note: spec.note.as_deref().map(Into::into),
    });
    Some(raw)
}

/// A `[[header]]` row's call setting `WWW-Authenticate` on the response
/// `site` sets the status of: before it in its function, or after it in
/// the same block until the handler returns (`self.set_status(401)`,
/// `self.set_header(…)`, `self.finish()`).
fn earlier_header<'t>(cx: &Cx<'t>, site: Node<'t>, pack: &Pack) -> Option<ChallengeHeader> {
    let scope = enclosing_function(cx, site).unwrap_or(cx.root);
    let rows = pack.file.header.as_slice();
    if rows.is_empty() {
        return None;
    }
    let found = header_in(cx, scope, rows, |n| n.start_byte() < site.start_byte());
    found.or_else(|| {
        const KINDS: syntax::BlockKinds = syntax::BlockKinds {
            blocks: &["block", "module"],
            exits: &["return_statement", "raise_statement"],
        };
        syntax::statements_after(site, |n| cx.up(n), &KINDS, is_scope)
            .into_iter()
            .find_map(|n| header_in(cx, n, rows, |_| true))
    })
}

/// A header row's call under `top` (not in a nested function) at a node `keep` accepts.
fn header_in<'t>(
    cx: &Cx<'t>,
    top: Node<'t>,
    rows: &[packs::HeaderRow],
    keep: impl Fn(Node) -> bool,
) -> Option<ChallengeHeader> {
    let mut stack = vec![top];
    while let Some(n) = stack.pop() {
        if !keep(n) || n.id() != top.id() && is_scope(n) {
            continue;
        }
        if n.kind_name() == "call" {
            if let Some(found) = header_call(cx, n, rows) {
                return Some(found);
            }
        }
        syntax::push_named_children_reversed(n, &mut stack);
    }
    None
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
            f.kind_name() == "attribute"
                && f.field("attribute")
                    .is_some_and(|a| text(a, cx.src) == method)
                && f.field("object").map(|o| text(o, cx.src)) == h.receiver.as_deref()
        }
        _ => false,
    })?;
    let args = Args::of(call, cx.src);
    let name = arg(cx, &args, row.name.as_ref()?, false)?;
    if !cx
        .string_literal(name)
        .is_some_and(|k| is_challenge_name(&k))
    {
        return None;
    }
    let value = arg(cx, &args, row.value.as_ref()?, false)?;
    Some(cx.challenge_value(
        value,
        Some(Evidence {
            path: None,
            range: call.byte_range(),
            note: "`WWW-Authenticate` set here".into(),
        }),
    ))
}

/// A statement from `template` inserted before the site's statement.
fn before(cx: &Cx, site: Node, template: &str, args: Option<&Args>) -> Option<HeaderInsertion> {
    let at = cx.statement_insertion(site).filter(|s| s.wrap.is_none())?;
    let mut text = template.to_string();
    for (i, a) in args
        .map(|a| a.positional.as_slice())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        text = text.replace(&format!("$ARG{i}"), super::text(*a, cx.src));
    }
    if text.contains("$ARG") {
        return None;
    }
    Some(HeaderInsertion {
        at: at.line_start,
        replace_len: 0,
        template: format!("{}{text}{}", at.indent, at.newline).into(),
        how: "set the header before the status",
    })
}
