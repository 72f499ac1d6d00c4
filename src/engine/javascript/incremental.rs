//! Extraction one top-level statement at a time, reusing the previous
//! result for statements an edit cannot have affected.
//!
//! A site's description depends on its own top-level statement, on
//! file-wide facts (imports, declared names, logging functions, helpers,
//! top-level names, quoting and semicolon style), and on a few reads of
//! other statements (a top-level constant, a header builder, a helper's
//! definition), which are recorded per statement. After an edit:
//!
//! 1. Statements whose text and syntax are unchanged are *matched* to their
//!    previous selves (the edited old tree's `has_changes`, its
//!    `changed_ranges` against the new tree, and a hash of the text).
//! 2. The file-wide facts are recomputed from per-statement shares (only
//!    unmatched statements are walked). If a fact the previous sites relied
//!    on differs, everything is extracted afresh.
//! 3. A matched statement keeps its sites (shifted by the edit's byte
//!    delta) unless it read the whole file, read a statement that is
//!    re-extracted, or holds a range that does not map to the new text.
//! 4. The rest is extracted with the query restricted to those statements.
//!
//! Every path ends in the same model a fresh extraction gives
//! (`tests/lsp_differential.rs` checks it edit by edit).

// Per-statement data lives in parallel vectors indexed by statement.
#![allow(clippy::needless_range_loop)]

use super::candidates::{classify, drop_wrapped_responses, query_captures, raw_candidate};
use super::context::stmt_facts;
use super::helpers::{helper_call_sites, helper_of};
use super::nodes::{is_function, name_from_parent};
use super::site::Raw;
use super::*;
use crate::engine::statements::{self, stmt_hash, Shift};
use std::sync::Arc;

/// A reused statement's sites and helpers, shifted to the current text.
type Moved = (Vec<ResponseSite>, Vec<(String, HelperSig)>);

/// What one extraction of a file leaves for the next.
pub struct State {
    stmts: Vec<StmtState>,
    /// For each statement's site (all statements' sites, in order): its
    /// place in the model, unless annotating the model changed it there.
    model_index: Vec<Option<usize>>,
    imports: HashMap<String, (String, String)>,
    declared: NameSet,
    logging_fns: HashSet<String>,
    quote: char,
    semicolons: bool,
    newline: &'static str,
    is_test_file: bool,
    express: bool,
    requires_default: bool,
    file_loggers: Vec<String>,
    top_order: Vec<String>,
    fn_order: Vec<String>,
    helper_order: Vec<String>,
}

impl State {
    /// How many top-level statements were re-extracted (not reused) to
    /// produce this state.
    pub fn extracted(&self) -> usize {
        self.stmts.iter().filter(|s| s.fresh).count()
    }

    pub fn statements(&self) -> usize {
        self.stmts.len()
    }
}

/// One top-level statement: its share of the file facts and its sites.
struct StmtState {
    range: Range<usize>,
    kind: u16,
    hash: u64,
    facts: Arc<StmtFacts>,
    /// The opening quotes of its first string literals.
    quotes: Arc<Vec<u8>>,
    /// Functions in the statement that log, and the hash of the set of
    /// logging functions found before the statement when they were computed.
    logging: Arc<Vec<String>>,
    log_before: u64,
    /// Names looked up in `declared` while finding the logging functions.
    log_queried: Arc<Vec<String>>,
    helpers: Arc<Vec<(String, HelperSig)>>,
    sites: Arc<Vec<ResponseSite>>,
    /// The last offset the sites and helpers refer to.
    last_offset: usize,
    /// Other statements (indices) whose content the sites depend on.
    deps: Vec<usize>,
    /// The sites depend on the whole file.
    global: bool,
    /// Names looked up in `declared` while extracting the sites.
    site_queried: Arc<Vec<String>>,
    /// Extracted in this round (for statistics).
    fresh: bool,
}

/// The tree is nested deeper than the limit asked for.
pub(in crate::engine) struct TooDeep;

/// How one extraction should run.
#[derive(Clone, Copy)]
pub(in crate::engine) struct Mode {
    /// Return the state for the next extraction.
    pub keep: bool,
    /// Check first that the tree is not nested deeper than this (only the
    /// statements that changed are walked).
    pub depth_limit: Option<usize>,
}

/// Extracts the file, reusing `prev` (the state of the previous extraction
/// and that extraction's tree, `edit`ed to the current text) where it can.
#[allow(clippy::too_many_arguments)]
pub(in crate::engine) fn extract(
    path: &Path,
    src: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
    prev: Option<(&State, &Tree)>,
    mode: Mode,
) -> Result<(FileModel, Option<State>), TooDeep> {
    match extract_with(path, src, lang, tree, settings, index, prev, mode)? {
        Some(done) => Ok(done),
        // A file-wide fact changed: nothing is reused.
        None => Ok(
            extract_with(path, src, lang, tree, settings, index, None, mode)?.unwrap_or_default(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn extract_with(
    path: &Path,
    src: &str,
    lang: Language,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
    prev: Option<(&State, &Tree)>,
    mode: Mode,
) -> Result<Option<(FileModel, Option<State>)>, TooDeep> {
    let keep = mode.keep;
    let mut cx = Cx::bare(path, src, tree, settings, index, keep);
    let n = cx.stmts.len();
    let (matched, hashes) = match prev {
        Some((st, old)) => match_stmts(&cx, st, old, tree),
        None => (
            vec![None; n],
            if keep {
                cx.stmts.iter().map(|s| stmt_hash(src, *s)).collect()
            } else {
                Vec::new()
            },
        ),
    };
    // One walk over each statement that is not matched to its previous self
    // (an unchanged statement was within the depth limit last time).
    let tables = tables(lang);
    let limit = mode.depth_limit.unwrap_or(usize::MAX);
    let mut scans: Vec<Option<StmtScan>> = (0..n).map(|_| None).collect();
    let mut sampled = 0;
    for i in 0..n {
        if matched[i].is_none() {
            // Kept states sample every statement (an earlier one may lose
            // strings); a one-off extraction stops at the sample size.
            let cap = if keep {
                syntax::QUOTE_SAMPLE
            } else {
                syntax::QUOTE_SAMPLE.saturating_sub(sampled)
            };
            let scan = cx.scan_stmt(i, Some(tables), cap, limit)?;
            sampled += scan.quotes.len();
            scans[i] = Some(scan);
        }
    }
    Ok(reuse_or_extract(
        cx, src, lang, prev, keep, matched, hashes, scans,
    ))
}

/// Everything after matching: facts, logging functions, reuse, extraction.
#[allow(clippy::too_many_arguments)]
fn reuse_or_extract<'t>(
    mut cx: Cx<'t>,
    src: &str,
    lang: Language,
    prev: Option<(&State, &Tree)>,
    keep: bool,
    matched: Vec<Option<usize>>,
    hashes: Vec<u64>,
    mut scans: Vec<Option<StmtScan<'t>>>,
) -> Option<(FileModel, Option<State>)> {
    let n = cx.stmts.len();
    let old = |i: usize| -> Option<&StmtState> { Some(&prev?.0.stmts[matched[i]?]) };

    // File-wide facts, from per-statement shares.
    let facts: Vec<Arc<StmtFacts>> = (0..n)
        .map(|i| match old(i) {
            Some(o) => o.facts.clone(),
            None => Arc::new(stmt_facts(cx.stmts[i], src)),
        })
        .collect();
    if let Some((st, _)) = prev {
        cx.declared.reserve(st.declared.len());
    }
    cx.absorb(facts.iter().map(|f| &**f));
    // The quote style, from the first strings in the file.
    let quotes: Vec<Arc<Vec<u8>>> = (0..n)
        .map(|i| match old(i) {
            Some(o) => o.quotes.clone(),
            None => Arc::new(
                scans[i]
                    .as_mut()
                    .map(|s| std::mem::take(&mut s.quotes))
                    .unwrap_or_default(),
            ),
        })
        .collect();
    cx.quote = syntax::quote_from_marks(quotes.iter().flat_map(|q| q.iter().copied()));
    cx.after_imports();
    let fn_order = if keep || prev.is_some() {
        fn_order(&cx)
    } else {
        Vec::new()
    };
    if let Some((st, _)) = prev {
        if cx.imports != st.imports
            || cx.quote != st.quote
            || cx.semicolons != st.semicolons
            || cx.newline != st.newline
            || cx.is_test_file != st.is_test_file
            || cx.express != st.express
            || cx.requires_default != st.requires_default
            || cx.file_loggers != st.file_loggers
            || cx.top_order != st.top_order
            || fn_order != st.fn_order
        {
            return None;
        }
    }
    // A result computed with the previous names holds if every name it
    // looked up is declared now exactly when it was then.
    let same_answers = |declared: &NameSet, queried: &[String]| -> bool {
        let Some((st, _)) = prev else { return false };
        queried
            .iter()
            .all(|q| declared.contains(q.as_str()) == st.declared.contains(q.as_str()))
    };

    // Logging functions, in file order (a call to one found earlier counts).
    let mut logging = Vec::with_capacity(n);
    let mut log_before = Vec::with_capacity(n);
    let mut log_queried = Vec::with_capacity(n);
    let mut seen_logging: HashSet<String> = HashSet::default();
    let mut acc = 0u64;
    for i in 0..n {
        log_before.push(acc);
        let reuse =
            old(i).filter(|o| o.log_before == acc && same_answers(&cx.declared, &o.log_queried));
        let (names, queried) = match reuse {
            Some(o) => {
                cx.logging_fns.extend(o.logging.iter().cloned());
                (o.logging.clone(), o.log_queried.clone())
            }
            None => {
                cx.rec.queried.borrow_mut().clear();
                let names = cx.logging_in(cx.stmts[i]);
                (Arc::new(names), Arc::new(take_queried(&cx)))
            }
        };
        for name in names.iter() {
            if seen_logging.insert(name.clone()) {
                acc ^= syntax::fast_hash(name.as_bytes()) | 1;
            }
        }
        logging.push(names);
        log_queried.push(queried);
    }
    if prev.is_some_and(|(st, _)| cx.logging_fns != st.logging_fns) {
        return None;
    }

    // Which statements keep their sites.
    let shift = prev.map(|(st, _)| {
        Shift::new(
            st.stmts.iter().map(|s| s.range.clone()),
            &matched,
            &cx.stmts,
        )
    });
    let mut reuse: Vec<bool> = (0..n)
        .map(|i| old(i).is_some_and(|o| !o.global && same_answers(&cx.declared, &o.site_queried)))
        .collect();
    let mut moved: Vec<Option<Moved>> = (0..n).map(|_| None).collect();
    if let Some(shift) = &shift {
        let unmoved = shift.unmoved_prefix();
        for i in 0..n {
            if !reuse[i] {
                continue;
            }
            let o = old(i)?;
            if unmoved.is_some_and(|end| o.last_offset <= end) {
                continue; // nothing it refers to moved: shared as it is
            }
            let sites = shift.sites(&o.sites);
            let helpers: Option<Vec<(String, HelperSig)>> = o
                .helpers
                .iter()
                .map(|(name, sig)| Some((name.clone(), map_sig(shift, sig)?)))
                .collect();
            match (sites, helpers) {
                (Some(s), Some(h)) => moved[i] = Some((s, h)),
                _ => reuse[i] = false,
            }
        }
        // A statement that read a re-extracted one is re-extracted too.
        loop {
            let mut clean = vec![false; prev?.0.stmts.len()];
            for i in 0..n {
                if reuse[i] {
                    clean[matched[i]?] = true;
                }
            }
            let mut changed = false;
            for i in 0..n {
                if reuse[i] && old(i)?.deps.iter().any(|d| !clean[*d]) {
                    reuse[i] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    // Candidates in the statements to extract.
    let dirty: Vec<usize> = (0..n).filter(|i| !reuse[*i]).collect();
    for &i in &dirty {
        if scans[i].is_none() {
            scans[i] = cx.scan_stmt(i, Some(tables(lang)), 0, usize::MAX).ok();
        }
    }
    cx.rec.reads.borrow_mut().clear();
    cx.rec.global.set(false);
    cx.rec.queried.borrow_mut().clear();
    let captures = match tables(lang).kinds() {
        Some(_) => dirty
            .iter()
            .map(|&i| {
                let caps = scans[i].as_mut().and_then(|s| s.captures.take());
                (i, caps.unwrap_or_default())
            })
            .collect(),
        None => capture_in(&cx, lang, &dirty),
    };
    let mut raws: Vec<Vec<Raw>> = (0..n).map(|_| Vec::new()).collect();
    let mut calls: Vec<Vec<Node>> = (0..n).map(|_| Vec::new()).collect();
    let mut reads: Vec<Vec<usize>> = (0..n).map(|_| Vec::new()).collect();
    let mut global = vec![false; n];
    let mut queried: Vec<Vec<String>> = (0..n).map(|_| Vec::new()).collect();
    let mut fresh_helpers: Vec<Vec<(String, HelperSig)>> = (0..n).map(|_| Vec::new()).collect();
    for (i, caps) in captures {
        for (kind, node) in caps {
            let class = classify(&cx, kind, node);
            if class.helper_call {
                calls[i].push(node);
            }
            if let Some(site) = class.site {
                raws[i].extend(raw_candidate(&cx, site, node));
            }
        }
        drop_wrapped_responses(&mut raws[i]);
        // Helpers: functions in this statement that build a response.
        fresh_helpers[i].extend(raws[i].iter().filter_map(|r| helper_of(&cx, r)));
        drain(&cx, &mut reads[i], &mut global[i], &mut queried[i]);
    }
    let mut helper_order = Vec::new();
    for i in 0..n {
        let list: &[(String, HelperSig)] = if reuse[i] {
            match &moved[i] {
                Some((_, h)) => h,
                None => &old(i)?.helpers,
            }
        } else {
            &fresh_helpers[i]
        };
        for (name, sig) in list {
            helper_order.push(name.clone());
            cx.helpers
                .entry(name.clone())
                .or_insert_with(|| sig.clone());
        }
    }
    if prev.is_some_and(|(st, _)| helper_order != st.helper_order) {
        return None;
    }

    // Sites.
    let mut fresh_sites: Vec<Vec<ResponseSite>> = (0..n).map(|_| Vec::new()).collect();
    let mut raws = raws.into_iter();
    for i in 0..n {
        let r = raws.next().unwrap_or_default();
        if reuse[i] {
            continue;
        }
        let mut sites: Vec<ResponseSite> = r.into_iter().filter_map(|r| r.into_site(&cx)).collect();
        sites.extend(helper_call_sites(&cx, &calls[i]));
        sites.sort_by_key(|s| (s.range.start, s.range.end));
        sites.dedup_by(|a, b| a.range == b.range && a.status == b.status);
        drain(&cx, &mut reads[i], &mut global[i], &mut queried[i]);
        fresh_sites[i] = sites;
    }
    // Splits are facts of the site's own statement: kept with it.
    for i in 0..n {
        for site in &mut fresh_sites[i] {
            super::site_context::fill_split(&cx, site);
        }
    }

    // Every statement's sites, in order; for a kept statement's, the site
    // of the previous model each one is (see `State::model_index`).
    let first_of_old: Vec<usize> = prev.map_or_else(Vec::new, |(st, _)| {
        statements::first_indices(st.stmts.iter().map(|s| s.sites.len()))
    });
    let sites_of = |i: usize| -> Option<&[ResponseSite]> {
        Some(if !reuse[i] {
            &fresh_sites[i]
        } else if let Some((s, _)) = &moved[i] {
            s
        } else {
            &old(i)?.sites
        })
    };
    // Sized up front: growing it would copy every site several times.
    let total = (0..n).map(|i| sites_of(i).map_or(0, |s| s.len())).sum();
    let mut all = Vec::with_capacity(total);
    let mut was: Vec<Option<usize>> = Vec::with_capacity(if prev.is_some() { total } else { 0 });
    for i in 0..n {
        let sites = sites_of(i)?;
        all.extend(sites.iter().cloned());
        // Only an extraction that reuses a previous one gives origins.
        match (reuse[i], prev) {
            (true, Some((st, _))) => {
                let first = first_of_old[matched[i]?];
                was.extend(
                    (first..first + sites.len()).map(|c| st.model_index.get(c).copied().flatten()),
                );
            }
            (false, Some(_)) => was.extend(sites.iter().map(|_| None)),
            (_, None) => {}
        }
    }
    // Middleware facts are judged on the whole file's sites every time (they
    // are not kept in the state: a mount elsewhere in the file changes what a
    // site depends on).
    let given = all.len();
    let placed = super::site_context::annotate(&cx, &mut all);
    // A site keeps its origin when annotating left it as its statement had it.
    let origin: Vec<Option<usize>> = if prev.is_some() {
        placed
            .iter()
            .map(|&(i, touched)| {
                if touched {
                    None
                } else {
                    was.get(i).copied().flatten()
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    // Where the next extraction finds each statement's site (kept states only).
    let mut model_index = vec![None; if keep { given } else { 0 }];
    for (p, &(i, touched)) in placed.iter().enumerate() {
        if let Some(slot) = model_index.get_mut(i).filter(|_| !touched) {
            *slot = Some(p);
        }
    }
    let model = FileModel {
        sites: all,
        origin,
        quote: cx.quote,
        semicolons: cx.semicolons,
    };
    if !keep {
        return Some((model, None));
    }

    // The state for the next round.
    let mut old_to_new = prev.map_or_else(Vec::new, |(st, _)| vec![usize::MAX; st.stmts.len()]);
    for (i, m) in matched.iter().enumerate() {
        if let Some(k) = m {
            old_to_new[*k] = i;
        }
    }
    let mut stmts = Vec::with_capacity(n);
    let mut moved = moved.into_iter();
    let mut fresh_helpers = fresh_helpers.into_iter();
    let mut fresh_sites = fresh_sites.into_iter();
    for i in 0..n {
        let node = cx.stmts[i];
        let moved_i = moved.next().flatten();
        let helpers_i = fresh_helpers.next().unwrap_or_default();
        let sites_i = fresh_sites.next().unwrap_or_default();
        let (helpers, sites, deps, global_i, site_queried, last) = if reuse[i] {
            let o = old(i)?;
            let deps = o.deps.iter().map(|d| old_to_new[*d]).collect();
            match moved_i {
                Some((s, h)) => {
                    // Offsets keep their order: the last one moved with the rest.
                    let last = shift
                        .as_ref()
                        .and_then(|m| m.offset(o.last_offset))
                        .unwrap_or_else(|| last_offset(&s, &h));
                    (
                        Arc::new(h),
                        Arc::new(s),
                        deps,
                        false,
                        o.site_queried.clone(),
                        last,
                    )
                }
                None => (
                    o.helpers.clone(),
                    o.sites.clone(),
                    deps,
                    false,
                    o.site_queried.clone(),
                    o.last_offset,
                ),
            }
        } else {
            let mut deps: Vec<usize> = reads[i]
                .iter()
                .filter_map(|at| cx.stmt_at(*at))
                .filter(|d| *d != i)
                .collect();
            deps.sort_unstable();
            deps.dedup();
            let mut q = std::mem::take(&mut queried[i]);
            q.sort_unstable();
            q.dedup();
            let last = last_offset(&sites_i, &helpers_i);
            (
                Arc::new(helpers_i),
                Arc::new(sites_i),
                deps,
                global[i],
                Arc::new(q),
                last,
            )
        };
        stmts.push(StmtState {
            range: node.byte_range(),
            kind: node.kind_id(),
            hash: hashes[i],
            facts: facts[i].clone(),
            quotes: quotes[i].clone(),
            logging: logging[i].clone(),
            log_before: log_before[i],
            log_queried: log_queried[i].clone(),
            helpers,
            sites,
            last_offset: last,
            deps,
            global: global_i,
            site_queried,
            fresh: !reuse[i],
        });
    }
    let state = State {
        stmts,
        model_index,
        // The extraction is done with `cx`: its sets move to the state.
        imports: std::mem::take(&mut cx.imports),
        declared: std::mem::take(&mut cx.declared),
        logging_fns: std::mem::take(&mut cx.logging_fns),
        quote: cx.quote,
        semicolons: cx.semicolons,
        newline: cx.newline,
        is_test_file: cx.is_test_file,
        express: cx.express,
        requires_default: cx.requires_default,
        file_loggers: std::mem::take(&mut cx.file_loggers),
        top_order: std::mem::take(&mut cx.top_order),
        fn_order,
        helper_order,
    };
    Some((model, Some(state)))
}

/// Moves what the recorder collected into one statement's lists.
fn drain(cx: &Cx, reads: &mut Vec<usize>, global: &mut bool, queried: &mut Vec<String>) {
    reads.append(&mut cx.rec.reads.borrow_mut());
    *global |= cx.rec.global.replace(false);
    queried.append(&mut cx.rec.queried.borrow_mut());
}

fn take_queried(cx: &Cx) -> Vec<String> {
    let mut q = std::mem::take(&mut *cx.rec.queried.borrow_mut());
    q.sort_unstable();
    q.dedup();
    q
}

/// For each current statement, the previous one it is identical to, and
/// every current statement's text hash.
fn match_stmts(cx: &Cx, st: &State, old: &Tree, new: &Tree) -> (Vec<Option<usize>>, Vec<u64>) {
    let hashes: Vec<u64> = cx.stmts.iter().map(|s| stmt_hash(cx.src, *s)).collect();
    let prev = |k: usize| {
        let s = &st.stmts[k];
        (s.range.len(), s.kind, s.hash)
    };
    let matched = statements::match_stmts(&cx.stmts, &hashes, old, new, st.stmts.len(), prev);
    (matched, hashes)
}

/// The names `Cx::function_named` can find, in the order it looks.
fn fn_order(cx: &Cx) -> Vec<String> {
    let mut out = Vec::new();
    // Starting from the root's children (`cx.stmts`), pushed in order as
    // the root's would be: the last is looked at first.
    let mut stack: Vec<(Node, Option<Node>)> =
        cx.stmts.iter().map(|s| (*s, Some(cx.root))).collect();
    while let Some((n, parent)) = stack.pop() {
        if is_function(n) {
            let name = match n.field("name") {
                Some(name) => Some(text(name, cx.src).to_string()),
                None => parent.and_then(|p| name_from_parent(p, cx.src)),
            };
            out.extend(name);
            continue;
        }
        if matches!(
            n.kind_name(),
            "program"
                | "export_statement"
                | "lexical_declaration"
                | "variable_declaration"
                | "variable_declarator"
        ) {
            stack.extend(named_children(n).map(|c| (c, Some(n))));
        }
    }
    out
}

/// The query's captures in the statements `which`, by statement, in match
/// order, run with tree-sitter's query engine (for a query that is not a
/// kind table).
fn capture_in<'t>(
    cx: &Cx<'t>,
    lang: Language,
    which: &[usize],
) -> Vec<(usize, Vec<(&'static str, Node<'t>)>)> {
    which
        .iter()
        .map(|&i| {
            let caps = query_captures(cx, lang, Some(cx.stmts[i].byte_range()))
                .into_iter()
                .filter(|(_, n)| cx.stmt_at(n.start_byte()) == Some(i))
                .collect();
            (i, caps)
        })
        .collect()
}

/// The last offset `sites` and `helpers` refer to.
fn last_offset(sites: &[ResponseSite], helpers: &[(String, HelperSig)]) -> usize {
    let rec = Extremes::default();
    for s in sites {
        rec.site(s);
    }
    for (_, h) in helpers {
        map_sig(&rec, h);
    }
    rec.get().1
}

/// `sig` with its offsets mapped, or `None` if one does not map.
fn map_sig(map: &impl OffsetMap, sig: &HelperSig) -> Option<HelperSig> {
    let mut sig = sig.clone();
    let HelperSig {
        status_param: _,
        message_param: _,
        challenge: _,
        logs: _,
        definition,
        headers_param: _,
        fixed_status: _,
        throws: _,
    } = &mut sig;
    *definition = map.range(definition)?;
    Some(sig)
}
