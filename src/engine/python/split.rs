//! Whether a site's `if a or b: <exit>` can be split by a fix (see
//! [`ConditionSplit`]): the body a lone `raise`/`return` holding the site, no
//! `elif`/`else`, the `if` on its own line in a block.

use super::*;

/// Fills in `split` on every site that has the shape.
pub(super) fn annotate(cx: &Cx, sites: &mut [ResponseSite]) {
    for site in sites.iter_mut() {
        if site.split.is_some() {
            continue;
        }
        if let Some(node) = cx
            .root
            .descendant_for_byte_range(site.range.start, site.range.end)
        {
            site.split = split(cx, node);
        }
    }
}

fn split(cx: &Cx, site: Node) -> Option<ConditionSplit> {
    let mut n = site;
    let stmt = loop {
        if matches!(n.kind(), "return_statement" | "raise_statement") {
            break n;
        }
        if is_statement(n) {
            return None;
        }
        let p = cx.up(n)?;
        if is_scope(p) {
            return None;
        }
        n = p;
    };
    let block = cx.up(stmt).filter(|b| b.kind() == "block")?;
    if named_children(block).count() != 1 {
        return None;
    }
    let if_stmt = cx.up(block).filter(|i| i.kind() == "if_statement")?;
    let cons = block;
    if if_stmt.child_by_field_name("consequence").map(|c| c.id()) != Some(block.id())
        || if_stmt.child_by_field_name("alternative").is_some()
    {
        return None;
    }
    let outer = cx.up(if_stmt)?;
    if !matches!(outer.kind(), "block" | "module")
        || !syntax::starts_line(cx.src, if_stmt.start_byte())
    {
        return None;
    }
    let cond = if_stmt.child_by_field_name("condition")?;
    let mut parts = Vec::new();
    flatten_or(cx, cond, &mut parts);
    if parts.len() < 2 {
        return None;
    }
    for w in parts.windows(2) {
        if cx.src[w[0].end_byte()..w[1].start_byte()].trim() != "or" {
            return None;
        }
    }
    let (line_start, indent) = syntax::line_indent(cx.src, if_stmt.start_byte());
    Some(ConditionSplit {
        // Up to the end of the body: a trailing comment stays with the original.
        statement: if_stmt.start_byte()..end_without_comments(cons),
        disjuncts: parts
            .iter()
            .map(|p| (p.byte_range(), text(*p, cx.src).to_string()))
            .collect(),
        body: stmt.start_byte()..end_without_comments(stmt),
        before: StatementInsertion {
            line_start,
            indent,
            wrap: None,
            newline: cx.newline,
        },
    })
}

/// The operands of a left-nested `a or b or c`.
fn flatten_or<'t>(cx: &Cx<'t>, n: Node<'t>, out: &mut Vec<Node<'t>>) {
    if n.kind() == "boolean_operator"
        && n.child_by_field_name("operator")
            .is_some_and(|o| text(o, cx.src) == "or")
    {
        if let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) {
            flatten_or(cx, l, out);
            out.push(r);
            return;
        }
    }
    out.push(n);
}

/// Where `n` ends, not counting a trailing comment (a statement without a
/// semicolon can take the comment that follows it on its line).
fn end_without_comments(n: Node) -> usize {
    let mut end = n.start_byte();
    let mut c = n.walk();
    for child in n.children(&mut c) {
        if child.kind() != "comment" {
            end = child.end_byte();
        }
    }
    if n.child_count() == 0 {
        n.end_byte()
    } else {
        end
    }
}
