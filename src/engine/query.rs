//! Running the queries of `queries/<language>/*.scm`.
//!
//! The response queries name node kinds only (`(new_expression) @site.new`;
//! each file says why). A query of that shape needs none of tree-sitter's
//! query machinery: which capture a node gets depends on its kind alone, so
//! it is one table lookup per node, made during the walk the engine does
//! over every statement anyway (for the parent map and the quote style).
//! Compiling the TypeScript query also cost about 7 ms per run, and the
//! query cursor's own walk was an eighth of all the work of `authlint lint`.
//!
//! [`KindTable::new`] reads a query of that shape into a table from node
//! kind to capture name. A query with any other pattern (a field, a
//! predicate, a child, a wildcard) gets `None`, and the engine compiles it
//! with [`tree_sitter::Query`] and runs a `QueryCursor` instead. The tests
//! below check that both ways capture the same nodes.

use tree_sitter::{Language, Node};

/// Which capture (with a given prefix, stripped) each node kind gets.
pub struct KindTable {
    by_id: Vec<Option<&'static str>>,
}

impl KindTable {
    /// The table for `source` on `grammar`, keeping the captures named
    /// `<prefix><name>` (as `name`). `None` unless every pattern is a lone
    /// named node kind with one capture, and every kind exists.
    pub fn new(grammar: &Language, source: &'static str, prefix: &str) -> Option<KindTable> {
        let patterns = simple_patterns(source)?;
        let mut by_id = vec![None; grammar.node_kind_count()];
        for (kind, capture) in patterns {
            let id = grammar.id_for_node_kind(kind, true);
            if id == 0 || !grammar.node_kind_is_named(id) {
                return None;
            }
            let Some(name) = capture.strip_prefix(prefix) else {
                continue;
            };
            // Two patterns on one kind would be two matches per node: not
            // this shape.
            let slot = by_id.get_mut(usize::from(id))?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(name);
        }
        Some(KindTable { by_id })
    }

    /// The capture a node of this kind gets.
    pub fn get(&self, node: Node) -> Option<&'static str> {
        if !node.is_named() {
            return None;
        }
        self.by_id
            .get(usize::from(node.kind_id()))
            .copied()
            .flatten()
    }
}

impl KindTable {
    /// The captures under `root` (included), in document order.
    pub fn captures<'t>(&self, root: Node<'t>) -> Vec<(&'static str, Node<'t>)> {
        let mut out = Vec::new();
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            if let Some(name) = self.get(node) {
                out.push((name, node));
            }
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return out;
                }
            }
        }
    }
}

/// `(kind) @capture` patterns, in order; `None` if the source has anything
/// else outside comments.
fn simple_patterns(source: &'static str) -> Option<Vec<(&'static str, &'static str)>> {
    let mut out = Vec::new();
    for line in source.lines() {
        // Our simple shape has no strings, so `;` always starts a comment.
        let code = line.split(';').next().unwrap_or("");
        let mut rest = code.trim();
        while !rest.is_empty() {
            let inner = rest.strip_prefix('(')?;
            let close = inner.find(')')?;
            let kind = inner[..close].trim();
            if !is_identifier(kind) {
                return None;
            }
            let after = inner[close + 1..].trim_start().strip_prefix('@')?;
            let end = after
                .find(|c: char| c.is_whitespace() || c == '(')
                .unwrap_or(after.len());
            let capture = &after[..end];
            if capture.is_empty()
                || !capture
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
            {
                return None;
            }
            out.push((kind, capture));
            rest = after[end..].trim_start();
        }
    }
    (!out.is_empty()).then_some(out)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s != "_" && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Language as Lang;
    use streaming_iterator::StreamingIterator;
    use tree_sitter::{Query, QueryCursor};

    const JS: &str = include_str!("../../queries/javascript/responses.scm");
    const PY: &str = include_str!("../../queries/python/responses.scm");

    fn by_query(source: &str, lang: Lang, root: Node, src: &str) -> Vec<(String, usize, usize)> {
        let q = Query::new(&lang.grammar(), source).expect("the query compiles");
        let names = q.capture_names();
        let mut qc = QueryCursor::new();
        let mut out = Vec::new();
        let mut matches = qc.matches(&q, root, src.as_bytes());
        while let Some(m) = matches.next() {
            for cap in m.captures {
                if let Some(name) = names[cap.index as usize].strip_prefix("site.") {
                    out.push((name.to_string(), cap.node.start_byte(), cap.node.end_byte()));
                }
            }
        }
        out
    }

    #[test]
    fn the_response_queries_are_kind_tables() {
        for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
            assert!(KindTable::new(&lang.grammar(), JS, "site.").is_some());
        }
        assert!(KindTable::new(&Lang::Python.grammar(), PY, "site.").is_some());
    }

    #[test]
    fn other_shapes_fall_back_to_the_query() {
        let g = Lang::TypeScript.grammar();
        for q in [
            "(call_expression function: (identifier)) @c",
            "(call_expression) @c (#eq? @c \"x\")",
            "(_) @c",
            "((call_expression) @c)",
            "(call_expression)",
            "(no_such_kind) @c",
            "(call_expression) @c (call_expression) @d",
            "",
        ] {
            assert!(KindTable::new(&g, q, "").is_none(), "{q}");
        }
        let t = KindTable::new(
            &g,
            "; a comment\n(call_expression) @x.call ; trailing\n(object)   @x.obj",
            "x.",
        )
        .expect("simple");
        assert_eq!(t.by_id.iter().flatten().count(), 2);
    }

    /// Over every fixture and example, the table captures exactly what
    /// tree-sitter's query engine captures, in the same order.
    #[test]
    fn tables_capture_what_the_queries_capture() {
        let mut captured = 0;
        for (p, lang, src) in crate::engine::test_sources() {
            let source = if lang.is_python() { PY } else { JS };
            let table = KindTable::new(&lang.grammar(), source, "site.").expect("simple");
            let tree = crate::engine::parse(lang, &src, None).expect("parsed");
            let a = table.captures(tree.root_node());
            let b = by_query(source, lang, tree.root_node(), &src);
            let a: Vec<(String, usize, usize)> = a
                .into_iter()
                .map(|(name, n)| (name.to_string(), n.start_byte(), n.end_byte()))
                .collect();
            assert_eq!(a, b, "{}", p.display());
            captured += a.len();
        }
        assert!(captured > 1000, "only {captured} captures");
    }
}
