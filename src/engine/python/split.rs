//! Whether a site's `if a or b: <exit>` can be split by a fix (see
//! [`ConditionSplit`]): the body a lone `raise`/`return` holding the site, no
//! `elif`/`else`, the `if` on its own line in a block.

use super::nodes::{is_scope, is_statement};
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
        if matches!(n.kind_name(), "return_statement" | "raise_statement") {
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
    let block = cx.up(stmt).filter(|b| b.kind_name() == "block")?;
    if named_children(block).count() != 1 {
        return None;
    }
    let if_stmt = cx.up(block).filter(|i| i.kind_name() == "if_statement")?;
    let cons = block;
    if if_stmt.field("consequence").map(|c| c.id()) != Some(block.id())
        || if_stmt.field("alternative").is_some()
    {
        return None;
    }
    let outer = cx.up(if_stmt)?;
    if !matches!(outer.kind_name(), "block" | "module")
        || !syntax::starts_line(cx.src, if_stmt.start_byte())
    {
        return None;
    }
    let cond = if_stmt.field("condition")?;
    syntax::condition_split(
        cx.src,
        cx.newline,
        if_stmt,
        cons,
        stmt,
        cond,
        ("boolean_operator", "or"),
    )
}
