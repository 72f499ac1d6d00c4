//! A file's top-level statements across two versions of its text: which
//! are unchanged, and how the offsets of the unchanged ones moved. Both
//! languages' incremental extractions (`javascript::incremental`,
//! `python::incremental`) reuse a statement's previous results only when
//! [`match_stmts`] pairs it with its previous self, and move them with a
//! [`Shift`].

use super::model::{OffsetMap, ResponseSite};
use super::syntax;
use std::ops::Range;
use tree_sitter::{Node, Tree};

/// The hash of a statement's text from the start of its first line (its
/// indentation is part of what fixes are built from).
///
/// Fixes look for a line's start at most [`syntax::LONG_LINE`] bytes back
/// ([`syntax::line_indent`]). When the line starts further back than that
/// (a minified bundle), nothing before the statement changes what is built
/// from it, and only the statement is hashed: hashing from the line's start
/// made every keystroke on a one-line bundle quadratic.
pub fn stmt_hash(src: &str, stmt: Node) -> u64 {
    let bytes = src.as_bytes();
    let start = stmt.start_byte().min(bytes.len());
    let end = stmt.end_byte().clamp(start, bytes.len());
    let lo = start.saturating_sub(syntax::LONG_LINE);
    let line_start = match memchr::memrchr(b'\n', &bytes[lo..start]) {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        // Whitespace running back to a far line start still decides
        // whether the statement starts its line: hash from there.
        None if bytes[lo..start].iter().all(|b| b.is_ascii_whitespace()) => src
            .get(..start)
            .and_then(|s| s.rfind('\n'))
            .map_or(0, |i| i + 1),
        None => return syntax::fast_hash(&bytes[start..end]) ^ FAR_LINE_START,
    };
    syntax::fast_hash(&bytes[line_start..end])
}

/// Mixed into the hash of a statement whose line starts out of reach.
const FAR_LINE_START: u64 = 0x9e37_79b9_7f4a_7c15;

/// For each current statement (`stmts`, the root's named children, with
/// their [`stmt_hash`]es), the previous statement it is identical to.
/// `old` is the previous tree, `edit`ed to the current text; `prev(k)` is
/// the length, kind and hash of previous statement `k` (of `prev_len`).
///
/// A pair must agree on position, length, kind and text, and the edited
/// old tree must not mark it changed (`has_changes`: an edit within it or
/// within the bytes its parse looked ahead at).
///
/// When either tree has a syntax error, the reparse must not have touched
/// it either (`changed_ranges`). Without errors that adds nothing: a
/// statement at the root is parsed from the same state wherever it sits,
/// so the same text with the same lookahead is the same subtree. Only
/// error recovery, which depends on what came before, can parse it
/// differently. Comparing the trees walks both (about a tenth of a
/// keystroke's work in a 6,000-line file), so it is done only then.
pub fn match_stmts(
    stmts: &[Node],
    hashes: &[u64],
    old: &Tree,
    new: &Tree,
    prev_len: usize,
    prev: impl Fn(usize) -> (usize, u16, u64),
) -> Vec<Option<usize>> {
    let mut matched = vec![None; stmts.len()];
    let old_stmts: Vec<Node> = syntax::named_children(old.root_node()).collect();
    if old_stmts.len() != prev_len {
        return matched;
    }
    let changed: Vec<Range<usize>> = if old.root_node().has_error() || new.root_node().has_error() {
        old.changed_ranges(new)
            .map(|r| r.start_byte..r.end_byte)
            .collect()
    } else {
        Vec::new()
    };
    let mut j = 0;
    for (i, s) in stmts.iter().enumerate() {
        let (start, end) = (s.start_byte(), s.end_byte());
        while j < old_stmts.len() && old_stmts[j].start_byte() < start {
            j += 1;
        }
        let Some(o) = old_stmts.get(j) else { break };
        let (len, kind, hash) = prev(j);
        let same = o.start_byte() == start
            && o.end_byte() == end
            && !o.has_changes()
            && o.kind_id() == s.kind_id()
            && kind == s.kind_id()
            && len == end - start
            && hash == hashes[i]
            && !changed.iter().any(|c| c.start <= end && start <= c.end);
        if same {
            matched[i] = Some(j);
            j += 1;
        }
    }
    matched
}

/// The statement of `stmts` (in order, not overlapping) holding offset
/// `at` (its start included, its end not).
pub fn holding(stmts: &[Node], at: usize) -> Option<usize> {
    let i = stmts.partition_point(|s| s.end_byte() <= at);
    (i < stmts.len() && stmts[i].start_byte() <= at).then_some(i)
}

/// Where each statement's first site is in a model that lists every
/// statement's sites in order, given how many each has.
pub fn first_indices(counts: impl Iterator<Item = usize>) -> Vec<usize> {
    counts
        .scan(0, |at, len| {
            let first = *at;
            *at += len;
            Some(first)
        })
        .collect()
}

/// Maps byte offsets of the previous text to the current one, for the
/// statements that did not change (and the gap before each of them).
pub struct Shift {
    starts: Vec<usize>,
    ends: Vec<usize>,
    delta: Vec<Option<isize>>,
    /// The statement the last offset was found in.
    last: std::cell::Cell<usize>,
}

impl Shift {
    /// From the previous statements' ranges and the current statements
    /// they are matched to (`matched[i]`: the previous statement of `stmts[i]`).
    pub fn new(
        prev: impl Iterator<Item = Range<usize>>,
        matched: &[Option<usize>],
        stmts: &[Node],
    ) -> Shift {
        let (starts, ends): (Vec<usize>, Vec<usize>) = prev.map(|r| (r.start, r.end)).unzip();
        let mut delta = vec![None; starts.len()];
        for (i, m) in matched.iter().enumerate() {
            if let Some(k) = m {
                delta[*k] = Some(stmts[i].start_byte() as isize - starts[*k] as isize);
            }
        }
        Shift {
            starts,
            ends,
            delta,
            last: std::cell::Cell::new(0),
        }
    }

    /// The end of the unchanged start of the text: offsets up to here are
    /// the same in both texts.
    pub fn unmoved_prefix(&self) -> Option<usize> {
        let mut end = None;
        for (k, d) in self.delta.iter().enumerate() {
            if *d != Some(0) {
                break;
            }
            end = Some(self.ends[k]);
        }
        end
    }

    /// The statement an offset belongs to (the gap before a statement
    /// belongs to it), if that statement is unchanged, and its delta.
    fn locate(&self, at: usize) -> Option<(usize, isize)> {
        // Offsets come in runs from one statement: try the last one first.
        let last = self.last.get();
        if last < self.starts.len()
            && self.starts[last] <= at
            && at <= self.ends[last]
            && self.starts.get(last + 1).map_or(true, |next| *next > at)
        {
            return Some((last, self.delta[last]?));
        }
        let k = self.starts.partition_point(|s| *s <= at);
        let k = if k > 0 && at <= self.ends[k - 1] {
            k - 1
        } else if k < self.starts.len() {
            k
        } else {
            return None;
        };
        self.last.set(k);
        Some((k, self.delta[k]?))
    }

    /// `sites` with their offsets moved, or `None` if one does not map.
    pub fn sites(&self, sites: &[ResponseSite]) -> Option<Vec<ResponseSite>> {
        sites.iter().map(|s| self.site(s)).collect()
    }
}

impl OffsetMap for Shift {
    fn offset(&self, at: usize) -> Option<usize> {
        let (_, d) = self.locate(at)?;
        usize::try_from(at as isize + d).ok()
    }

    fn range(&self, r: &Range<usize>) -> Option<Range<usize>> {
        if r.start == 0 && r.end == 0 {
            return Some(0..0); // "no range" (helpers defined elsewhere)
        }
        let (a, da) = self.locate(r.start)?;
        let (b, db) = self.locate(r.end)?;
        if a != b {
            return None;
        }
        Some(
            usize::try_from(r.start as isize + da).ok()?
                ..usize::try_from(r.end as isize + db).ok()?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{parse, Language};

    /// The hash of the last statement of `text`.
    fn last_hash(text: &str) -> u64 {
        let tree = parse(Language::JavaScript, text, None).unwrap();
        let last = syntax::named_children(tree.root_node()).last().unwrap();
        stmt_hash(text, last)
    }

    #[test]
    fn statements_far_along_a_line_hash_their_own_text() {
        let stmt = "f(401);";
        let far = "g();".repeat(2000);
        let other = "h();".repeat(2000);
        // Out of reach of the line's start: what came before does not count.
        assert_eq!(
            last_hash(&format!("{far}{stmt}")),
            last_hash(&format!("{other}{stmt}"))
        );
        // Within reach it does (the indentation fixes are built from).
        assert_ne!(
            last_hash(&format!("g();{stmt}")),
            last_hash(&format!("h();{stmt}"))
        );
        assert_ne!(
            last_hash(&format!("\n  {stmt}")),
            last_hash(&format!("\n    {stmt}"))
        );
        // Whitespace all the way back to a far line start still counts.
        let pad = " ".repeat(5000);
        assert_ne!(
            last_hash(&format!("g();\n{pad}{stmt}")),
            last_hash(&format!("g();{pad}{stmt}"))
        );
    }
}
