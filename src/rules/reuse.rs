//! Keeping a site's findings from one lint of a document to the next.
//!
//! The language server lints after every keystroke, and most sites are
//! unchanged (only moved, when the edit came before them). A site's findings
//! ([`super::run_site`]) depend on the site, the settings, a few file-wide
//! facts (the [`Key`], among them what the file reads about credentials)
//! and the text inside the top-level statements holding
//! the site's ranges (see [`super::Rule::check`]). So a previous site's
//! findings are kept, with their offsets moved, when:
//!
//! - the file-wide facts and the settings are the same,
//! - the current site equals the previous one with its offsets moved, and
//! - none of those offsets, nor any offset in its findings, lies in the
//!   *dirty span*: the lines of the top-level statements that touch the text
//!   that changed (found by comparing the two texts' common prefix and
//!   suffix, so any number of edits is covered).
//!
//! Everywhere else the text is the same as before, byte for byte, so the
//! rules would read exactly what they read last time.
//! `tests/lsp_differential.rs` checks the result against a fresh lint after
//! every edit.

use super::Context;
use crate::diagnostic::{Diagnostic, Edit, Fix, Related};
use crate::engine::credential::FileCredentials;
use crate::engine::model::*;
use crate::engine::Language;
use crate::settings::Settings;
use std::ops::Range;
use std::sync::Arc;

/// File-wide facts the rules read.
#[derive(Clone, PartialEq)]
struct Key {
    language: Language,
    quote: char,
    semicolons: bool,
    indent: String,
    settings: Settings,
    /// What the file reads about credentials (read only when it has sites).
    credentials: Option<FileCredentials>,
    /// Helpers whose callers all log first (a helper's finding depends on
    /// its callers, which may be in other statements).
    logged_by_callers: Vec<Range<usize>>,
}

impl Key {
    fn of(ctx: &Context, indent: String) -> Key {
        Key {
            language: ctx.language,
            quote: ctx.model.quote,
            semicolons: ctx.model.semicolons,
            indent,
            settings: ctx.settings.clone(),
            credentials: None,
            logged_by_callers: ctx.logged_by_callers().to_vec(),
        }
    }
}

/// One lint's sites and their findings, for the next lint.
pub struct Cache {
    key: Key,
    text: String,
    sites: Vec<ResponseSite>,
    found: Vec<Arc<Vec<Diagnostic>>>,
    /// The lowest and highest offset each site holds (in this file).
    spans: Vec<Span>,
    /// Sites whose findings were kept from the previous lint.
    pub kept: usize,
    /// How much of `text` finding the indentation unit read.
    indent_read: usize,
}

/// Offsets of the previous text mapped to the current one, outside the dirty span.
struct Map {
    /// Offsets of the previous text before `lo` and after `hi` map.
    lo: usize,
    hi: usize,
    delta: isize,
    /// The bytes that changed: from `start` to `old_end` in the previous
    /// text, to `new_end` in the current one.
    start: usize,
    old_end: usize,
    new_end: usize,
}

impl Map {
    fn new(old: &str, new: &str, tree: &tree_sitter::Tree) -> Map {
        let (o, n) = (old.as_bytes(), new.as_bytes());
        let prefix = common_prefix(o, n);
        let max_suffix = o.len().min(n.len()) - prefix;
        let suffix = common_suffix(&o[o.len() - max_suffix..], &n[n.len() - max_suffix..]);
        // The changed bytes, in the current text.
        let (start, end) = (prefix, n.len() - suffix);
        // Widened to the top-level statements touching them (a run of the
        // root's children, from the first that ends at or after `start`),
        // then to whole lines.
        let mut lo = start;
        let mut hi = end;
        let mut stmt = tree
            .root_node()
            .first_named_child_for_byte(start.saturating_sub(1));
        while let Some(s) = stmt {
            if s.start_byte() > end {
                break;
            }
            if start <= s.end_byte() {
                lo = lo.min(s.start_byte());
                hi = hi.max(s.end_byte());
            }
            stmt = s.next_named_sibling();
        }
        let lo = memchr::memrchr(b'\n', &n[..lo.min(n.len())]).map_or(0, |i| i + 1);
        let hi = memchr::memchr(b'\n', &n[hi.min(n.len())..]).map_or(n.len(), |i| hi + i + 1);
        let delta = n.len() as isize - o.len() as isize;
        // In the previous text's offsets: `lo` is before every change.
        Map {
            lo,
            hi: usize::try_from(hi as isize - delta).unwrap_or(0),
            delta,
            start,
            old_end: o.len() - suffix,
            new_end: end,
        }
    }

    /// Whether every offset in `range` is before the dirty span (unmoved).
    fn before(&self, r: &Range<usize>) -> bool {
        r.start < self.lo && r.end < self.lo
    }

    /// Whether every offset in `found` is before the dirty span (unmoved).
    fn found_before(&self, found: &[Diagnostic]) -> bool {
        found.iter().all(|d| {
            d.suppressed.is_none()
                && self.before(&d.range)
                && d.fixes
                    .iter()
                    .all(|f| f.edits.iter().all(|e| self.before(&e.range)))
                && d.related
                    .iter()
                    .all(|r| r.path.is_some() || self.before(&r.range))
        })
    }

    /// Findings with every offset mapped (`None` if one does not map), and
    /// whether none of them moved.
    fn found(&self, found: &[Diagnostic]) -> Option<(Vec<Diagnostic>, bool)> {
        let mut unmoved = true;
        let mut out = Vec::with_capacity(found.len());
        for d in found {
            if d.suppressed.is_some() {
                return None; // set later, by the suppression pass
            }
            // The fixes and related locations are shared, and copied only
            // when an offset in them moves.
            let mut d = d.clone();
            unmoved &= self.before(&d.range);
            d.range = self.range(&d.range)?;
            if !d
                .fixes
                .iter()
                .all(|f| f.edits.iter().all(|e| self.before(&e.range)))
            {
                unmoved = false;
                d.fixes = each(&d.fixes, |f| {
                    Some(Fix {
                        title: f.title.clone(),
                        safe: f.safe,
                        edits: f
                            .edits
                            .iter()
                            .map(|e| {
                                Some(Edit::replace(self.range(&e.range)?, e.replacement.clone()))
                            })
                            .collect::<Option<_>>()?,
                    })
                })?;
            }
            // Related locations in other files do not move.
            let here = |r: &Related| r.path.is_none();
            if !d.related.iter().all(|r| !here(r) || self.before(&r.range)) {
                unmoved = false;
                d.related = each(&d.related, |r| {
                    Some(Related {
                        path: r.path.clone(),
                        range: if here(r) {
                            self.range(&r.range)?
                        } else {
                            r.range.clone()
                        },
                        message: r.message.clone(),
                    })
                })?;
            }
            out.push(d);
        }
        Some((out, unmoved))
    }
}

/// Whether what the file reads about credentials may differ between `old`
/// and `new` (whose changed bytes `map` knows): whether the scan's events
/// ([`credential::events`]) differ in the text around the change. The window
/// reaches twice [`credential::EVENT_REACH`] past the changed bytes, so every
/// event that reads them is whole in it; events farther away read the same
/// text in both.
fn edit_may_change_credentials(map: &Map, old: &str, new: &str) -> bool {
    use crate::engine::credential;
    use crate::engine::syntax::floor_boundary;
    let margin = 2 * credential::EVENT_REACH + 64;
    let around = |t: &str, end: usize| {
        let lo = floor_boundary(t, map.start.saturating_sub(margin));
        let hi = floor_boundary(t, (end + margin).min(t.len()));
        credential::events(&t[lo..hi])
    };
    around(old, map.old_end) != around(new, map.new_end)
}

/// `items`, each moved by `moved`, or `None` if one does not map.
fn each<T>(items: &[T], moved: impl Fn(&T) -> Option<T>) -> Option<Arc<[T]>> {
    items.iter().map(moved).collect()
}

/// How many bytes `a` and `b` share at the start, compared a block at a
/// time (a keystroke in a big file compares the whole text).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 128;
    let len = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= len && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..len]
        .iter()
        .zip(&b[i..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` (of the same length) share at the end.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 128;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut n = 0;
    while n + BLOCK <= len && a[len - n - BLOCK..len - n] == b[len - n - BLOCK..len - n] {
        n += BLOCK;
    }
    n + a[..len - n]
        .iter()
        .rev()
        .zip(b[..len - n].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

impl OffsetMap for Map {
    fn offset(&self, at: usize) -> Option<usize> {
        if at < self.lo {
            Some(at)
        } else if at > self.hi {
            usize::try_from(at as isize + self.delta).ok()
        } else {
            None
        }
    }
}

/// Every site's findings ([`super::run_site`]), reusing `prev`'s for sites
/// that did not change (see the module documentation), and the cache for
/// the next lint (to [`Cache::finish`] with the sites). `tree` is the
/// syntax tree of `ctx.text`.
pub fn run(
    ctx: &Context,
    tree: &tree_sitter::Tree,
    prev: Option<&Cache>,
) -> (Vec<Diagnostic>, Cache) {
    let map = prev.map(|p| Map::new(&p.text, ctx.text, tree));
    // The indentation unit is found from the first lines: when the text
    // changed only after those, it is the same as before.
    let (indent, indent_read) = match (prev, &map) {
        (Some(p), Some(m)) if p.indent_read < m.lo => (p.key.indent.clone(), p.indent_read),
        _ => crate::engine::syntax::indent_scan(ctx.text),
    };
    let _ = ctx.indent.set(indent.clone());
    let mut key = Key::of(ctx, indent);
    // What the file reads about credentials (a scan of the whole file):
    // read again only when the scan's events around the edit differ.
    if !ctx.model.sites.is_empty() {
        let kept = match (prev, &map) {
            (Some(p), Some(m)) => p
                .key
                .credentials
                .as_ref()
                .filter(|_| !edit_may_change_credentials(m, &p.text, ctx.text)),
            _ => None,
        };
        let credentials = match kept {
            Some(c) => {
                let _ = ctx.credentials.set(c.clone());
                c.clone()
            }
            None => ctx.file_credentials().clone(),
        };
        key.credentials = Some(credentials);
    }
    let prev = prev.filter(|p| p.key == key);
    let map = map.filter(|_| prev.is_some());
    let n = ctx.model.sites.len();
    let mut found: Vec<Arc<Vec<Diagnostic>>> = Vec::with_capacity(n);
    let mut spans = Vec::with_capacity(n);
    let mut kept = 0;
    for (i, site) in ctx.model.sites.iter().enumerate() {
        let origin = ctx.model.origin.get(i).copied().flatten();
        let reused = match (prev, &map) {
            (Some(p), Some(m)) => match origin.and_then(|k| keep_origin(p, m, site, k)) {
                Some((f, span)) => Some((f, Some(span))),
                None => keep(p, m, site).map(|f| (f, None)),
            },
            _ => None,
        };
        kept += usize::from(reused.is_some());
        let (f, span) = match reused {
            Some(r) => r,
            None => (Arc::new(super::run_site(ctx, site)), None),
        };
        found.push(f);
        spans.push(span.unwrap_or_else(|| span_of(site)));
    }
    let diags = super::combine(found.iter().map(|f| f.as_slice()));
    let cache = Cache {
        key,
        text: ctx.text.to_string(),
        sites: Vec::new(),
        found,
        spans,
        kept,
        indent_read,
    };
    (diags, cache)
}

impl Cache {
    pub fn sites(&self) -> usize {
        self.sites.len()
    }

    /// The cache with the sites its findings are for (`ctx.model.sites` of
    /// the [`run`] that made it, handed over once the model is done with).
    pub fn finish(mut self, sites: Vec<ResponseSite>) -> Cache {
        if sites.len() == self.found.len() {
            self.sites = sites;
        } else {
            // Not the same sites: keep nothing.
            self.found.clear();
            self.spans.clear();
        }
        self
    }
}

/// The previous findings of previous site `k`, moved, with the site's span,
/// when the extraction says `site` is site `k` moved by the edit
/// ([`FileModel::origin`]): then the site need not be compared, only its
/// span checked against the dirty span. `None` when the span reaches into
/// the dirty span (or straddles it: [`keep`] then looks offset by offset).
fn keep_origin(
    prev: &Cache,
    map: &Map,
    site: &ResponseSite,
    k: usize,
) -> Option<(Arc<Vec<Diagnostic>>, Span)> {
    let (lo, hi) = *prev.spans.get(k)?;
    let found = prev.found.get(k)?;
    let span = if hi < map.lo {
        (lo, hi)
    } else if lo > map.hi {
        (map.offset(lo)?, map.offset(hi)?)
    } else {
        return None;
    };
    debug_assert_eq!(
        map.site(&prev.sites[k]).as_ref(),
        Some(site),
        "the extraction's origin for a site is that site, moved"
    );
    if map.found_before(found) {
        return Some((found.clone(), span));
    }
    let (moved, unmoved) = map.found(found)?;
    let found = if unmoved {
        found.clone()
    } else {
        Arc::new(moved)
    };
    Some((found, span))
}

/// The lowest and highest offset a site holds in its own file.
type Span = (usize, usize);

/// The lowest and highest offset `site` holds in its own file.
fn span_of(site: &ResponseSite) -> Span {
    let rec = Extremes::default();
    rec.site(site);
    rec.get()
}

/// The previous findings of the previous site that `site` is, moved.
fn keep(prev: &Cache, map: &Map, site: &ResponseSite) -> Option<Arc<Vec<Diagnostic>>> {
    // The previous site's start, if it mapped.
    let start = if site.range.start < map.lo {
        site.range.start
    } else {
        usize::try_from(site.range.start as isize - map.delta).ok()?
    };
    let first = prev.sites.partition_point(|s| s.range.start < start);
    for p in first..prev.sites.len() {
        let old = &prev.sites[p];
        if old.range.start != start {
            break;
        }
        let same = if old == site {
            // Unmoved: no copy needed, but every offset must be before the dirty span.
            Before(map.lo).site(old).is_some()
        } else {
            map.site(old).as_ref() == Some(site)
        };
        if !same {
            continue;
        }
        if map.found_before(&prev.found[p]) {
            return Some(prev.found[p].clone());
        }
        let (moved, unmoved) = map.found(&prev.found[p])?;
        return Some(if unmoved {
            prev.found[p].clone()
        } else {
            Arc::new(moved)
        });
    }
    None
}

/// Maps only offsets before `0`, to themselves: a site maps under it when
/// every offset it holds lies before the dirty span.
struct Before(usize);

impl OffsetMap for Before {
    fn offset(&self, at: usize) -> Option<usize> {
        (at < self.0).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_ends_match_a_byte_by_byte_comparison() {
        let base: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for at in [0, 1, 127, 128, 129, 500, 998, 999] {
            let mut other = base.clone();
            other[at] ^= 1;
            assert_eq!(common_prefix(&base, &other), at, "prefix, change at {at}");
            assert_eq!(
                common_suffix(&base, &other),
                base.len() - at - 1,
                "suffix, change at {at}"
            );
        }
        assert_eq!(common_prefix(&base, &base), base.len());
        assert_eq!(common_prefix(&base[..300], &base), 300);
        assert_eq!(common_suffix(&base, &base), base.len());
        assert_eq!(common_prefix(b"", &base), 0);
    }
}
