//! Keeping a site's findings from one lint of a document to the next.
//!
//! The language server lints after every keystroke, and most sites are
//! unchanged (only moved, when the edit came before them). A site's findings
//! ([`super::run_site`]) depend on the site, the settings, a few file-wide
//! facts (the [`Key`]) and the text inside the top-level statements holding
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
use crate::diagnostic::Diagnostic;
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
}

impl Key {
    fn of(ctx: &Context) -> Key {
        Key {
            language: ctx.language,
            quote: ctx.model.quote,
            semicolons: ctx.model.semicolons,
            indent: crate::engine::syntax::indent_unit(ctx.text),
            settings: ctx.settings.clone(),
        }
    }
}

/// One lint's sites and their findings, for the next lint.
pub struct Cache {
    key: Key,
    text: String,
    sites: Vec<ResponseSite>,
    found: Vec<Arc<Vec<Diagnostic>>>,
    /// Sites whose findings were kept from the previous lint.
    pub kept: usize,
}

/// Offsets of the previous text mapped to the current one, outside the dirty span.
struct Map {
    /// Offsets of the previous text before `lo` and after `hi` map.
    lo: usize,
    hi: usize,
    delta: isize,
}

impl Map {
    fn new(old: &str, new: &str, tree: &tree_sitter::Tree) -> Map {
        let (o, n) = (old.as_bytes(), new.as_bytes());
        let prefix = o.iter().zip(n).take_while(|(a, b)| a == b).count();
        let max_suffix = o.len().min(n.len()) - prefix;
        let suffix = o
            .iter()
            .rev()
            .zip(n.iter().rev())
            .take(max_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        // The changed bytes, in the current text.
        let (start, end) = (prefix, n.len() - suffix);
        // Widened to the top-level statements touching them, then to whole lines.
        let mut lo = start;
        let mut hi = end;
        let mut cursor = tree.root_node().walk();
        for stmt in tree.root_node().named_children(&mut cursor) {
            let (s, e) = (stmt.start_byte(), stmt.end_byte());
            if s <= end && start <= e {
                lo = lo.min(s);
                hi = hi.max(e);
            }
        }
        let lo = memchr::memrchr(b'\n', &n[..lo.min(n.len())]).map_or(0, |i| i + 1);
        let hi = memchr::memchr(b'\n', &n[hi.min(n.len())..]).map_or(n.len(), |i| hi + i + 1);
        let delta = n.len() as isize - o.len() as isize;
        // In the previous text's offsets: `lo` is before every change.
        Map {
            lo,
            hi: usize::try_from(hi as isize - delta).unwrap_or(0),
            delta,
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
            let mut d = d.clone();
            let Diagnostic {
                rule: _,
                severity: _,
                message: _,
                range,
                fixes,
                related,
                suppressed,
            } = &mut d;
            if suppressed.is_some() {
                return None; // set later, by the suppression pass
            }
            unmoved &= self.before(range);
            *range = self.range(range)?;
            for f in fixes {
                for e in &mut f.edits {
                    unmoved &= self.before(&e.range);
                    e.range = self.range(&e.range)?;
                }
            }
            for r in related {
                if r.path.is_none() {
                    unmoved &= self.before(&r.range);
                    r.range = self.range(&r.range)?;
                }
            }
            out.push(d);
        }
        Some((out, unmoved))
    }
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
    let key = Key::of(ctx);
    let prev = prev.filter(|p| p.key == key);
    let map = prev.map(|p| Map::new(&p.text, ctx.text, tree));
    let mut found: Vec<Arc<Vec<Diagnostic>>> = Vec::with_capacity(ctx.model.sites.len());
    let mut kept = 0;
    for site in &ctx.model.sites {
        let reused = match (prev, &map) {
            (Some(p), Some(m)) => keep(p, m, site),
            _ => None,
        };
        kept += usize::from(reused.is_some());
        found.push(reused.unwrap_or_else(|| Arc::new(super::run_site(ctx, site))));
    }
    let diags = super::combine(found.iter().map(|f| f.as_slice()));
    let cache = Cache {
        key,
        text: ctx.text.to_string(),
        sites: Vec::new(),
        found,
        kept,
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
            self.found.clear(); // not the same sites: keep nothing
        }
        self
    }
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
