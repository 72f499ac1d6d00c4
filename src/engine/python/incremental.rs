//! Python extraction that keeps the previous sites of the top-level
//! statements an edit cannot have affected.
//!
//! The file-wide facts ([`Cx`]) are built from every statement's share
//! ([`facts`]): an unchanged statement's share is kept, its nodes found
//! again in the new tree, and so is whether each of its functions logs on
//! its own. Beyond that, what is saved is finding and describing the sites
//! (the query, and everything [`Raw::into_site`] reads).
//!
//! A statement's sites depend on its own text, on values of the whole file
//! (imports, the logger, the framework, quote and newline style, whether it
//! is a test file), and on other statements only through names: a function,
//! class or module-level value it looks up, a name it asks whether the file
//! binds. So after an edit:
//!
//! 1. Statements whose text and syntax are unchanged are matched to their
//!    previous selves ([`statements::match_stmts`]).
//! 2. If a file-wide value differs, every statement is extracted afresh.
//! 3. Otherwise the *changed names* are the names the unmatched statements
//!    define (before and after the edit), the names the file binds now but
//!    did not (or the reverse), and the logging functions and exception
//!    classes that came or went. A matched statement that mentions a
//!    changed name is extracted afresh, and the names it defines are changed
//!    too (a class whose base changed, a function calling a helper that
//!    changed), until nothing more is added.
//! 4. Code outside functions and classes that has sites is always extracted
//!    afresh (its sites read the statements around it; whether it has any
//!    depends only on its own text and the names it mentions).
//! 5. The rest keep their previous sites, moved by the edit ([`Shift`]).
//!
//! The helpers a call can reach are found in the statements being extracted
//! and in those that defined helpers last time under a name the extracted
//! ones mention, so a fresh site calling a kept helper sees it. Past
//! [`MAX_CHANGED_NAMES`] changed names, everything is extracted afresh
//! (looking each up would cost more). `tests/lsp_differential.rs` compares
//! every edit's model with a fresh extraction.

use super::facts;
use super::*;
use crate::engine::statements::{self, Shift};
use std::sync::Arc;

/// Beyond this many changed names (a large paste, a file-wide rename), no
/// statement is kept: each name is looked for in the whole text.
const MAX_CHANGED_NAMES: usize = 256;

/// What one extraction of a file leaves for the next.
pub struct State {
    stmts: Vec<StmtState>,
    imports: HashMap<Name, (Name, Name)>,
    declared: HashSet<Name>,
    logging_fns: HashSet<String>,
    error_classes: HashSet<String>,
    logger: Option<Name>,
    framework_hint: Option<Framework>,
    quote: char,
    /// How much of the text finding the quote style read.
    quote_read: usize,
    newline: &'static str,
    is_test_file: bool,
}

struct StmtState {
    range: Range<usize>,
    kind: u16,
    hash: u64,
    /// Its share of the file's facts.
    facts: Arc<facts::Kept>,
    /// The names it defines for other statements ([`facts::Kept::defines`]).
    defines: Arc<Vec<String>>,
    sites: Arc<Vec<ResponseSite>>,
    /// It holds a function whose status is a parameter (a helper).
    helper: bool,
    /// Its functions looked at on their own for logging ([`Cx::new_with`]):
    /// offset from the statement's start, and whether each logs.
    logs_alone: Arc<Vec<(usize, bool)>>,
    /// Extracted in this round (for statistics).
    fresh: bool,
}

impl State {
    /// How many top-level statements were extracted afresh (not reused) to
    /// produce this state.
    pub fn extracted(&self) -> usize {
        self.stmts.iter().filter(|s| s.fresh).count()
    }

    pub fn statements(&self) -> usize {
        self.stmts.len()
    }
}

/// Extracts the file, reusing `prev` (the previous extraction's state and
/// its tree, `edit`ed to the current text) where it can. `None` when a
/// statement that changed is nested deeper than `depth_limit` (unchanged
/// ones were checked when they were extracted).
pub(in crate::engine) fn extract(
    path: &Path,
    src: &str,
    tree: &Tree,
    settings: &Settings,
    index: &ProjectIndex,
    prev: Option<(&State, &Tree)>,
    depth_limit: usize,
) -> Option<(FileModel, State)> {
    let root = tree.root_node();
    let stmts: Vec<Node> = named_children(root).collect();
    let n = stmts.len();
    let hashes: Vec<u64> = stmts
        .iter()
        .map(|s| statements::stmt_hash(src, *s))
        .collect();
    let matched = match prev {
        Some((st, old)) => {
            statements::match_stmts(&stmts, &hashes, old, tree, st.stmts.len(), |k| {
                let s = &st.stmts[k];
                (s.range.len(), s.kind, s.hash)
            })
        }
        None => vec![None; n],
    };
    // The root is at depth 0, its statements at 1.
    let below = depth_limit.saturating_sub(1);
    if (0..n).any(|i| matched[i].is_none() && syntax::node_depth_exceeds(stmts[i], below)) {
        return None;
    }
    let old = |i: usize| -> Option<&StmtState> { Some(&prev?.0.stmts[matched[i]?]) };

    // Whether a function logs on its own is kept with its statement, while
    // the imports are the same and no name it reads changed being bound.
    let alone_valid: std::cell::OnceCell<Vec<bool>> = std::cell::OnceCell::new();
    let known = |cx: &Cx, def: Node| -> Option<bool> {
        let (st, _) = prev?;
        let valid = alone_valid.get_or_init(|| {
            let differ: Vec<&Name> = st.declared.symmetric_difference(&cx.declared).collect();
            if st.imports != cx.imports || differ.len() > MAX_CHANGED_NAMES {
                return vec![false; n];
            }
            let mut ok = vec![true; n];
            for name in differ {
                mentions(src, &stmts, name, |i| ok[i] = false);
            }
            ok
        });
        let at = def.start_byte();
        let i = statements::holding(&stmts, at).filter(|i| valid[*i])?;
        let rel = at - stmts[i].start_byte();
        let o = &st.stmts[matched[i]?].logs_alone;
        let k = o.binary_search_by_key(&rel, |(off, _)| *off).ok()?;
        Some(o[k].1)
    };
    let share = |i: usize, stmt| old(i).and_then(|o| o.facts.resolve(stmt));
    // The quote style, while every statement holding text it was read from
    // (every string lies in one) is unchanged and unmoved.
    let quote = prev.and_then(|(st, _)| {
        let read = st.quote_read;
        let before = |start: usize| start < read;
        let now = stmts.iter().take_while(|s| before(s.start_byte())).count();
        let then = st
            .stmts
            .iter()
            .take_while(|s| before(s.range.start))
            .count();
        let same = now == then
            && (0..now).all(|i| {
                matched[i].is_some_and(|k| st.stmts[k].range.start == stmts[i].start_byte())
            });
        same.then_some((st.quote, read))
    });
    let earlier: Earlier = Earlier {
        share: &share,
        logs: &known,
        keep: true,
        quote,
    };
    let mut cx = Cx::new_with(path, src, tree, settings, index, stmts.clone(), &earlier);
    // Each statement's share of the facts: kept, or walked just now.
    let mut facts: Vec<Option<Arc<facts::Kept>>> =
        (0..n).map(|i| old(i).map(|o| o.facts.clone())).collect();
    for (i, kept) in std::mem::take(&mut cx.walked) {
        facts[i] = Some(Arc::new(kept));
    }
    let quote = cx.quote;
    let error_classes: HashSet<String> = cx.error_classes.keys().cloned().collect();
    let same_file = prev.is_some_and(|(st, _)| {
        st.imports == cx.imports
            && st.logger == cx.logger
            && st.framework_hint == cx.framework_hint
            && st.quote == cx.quote
            && st.newline == cx.newline
            && st.is_test_file == cx.is_test_file
    });
    let defines: Vec<Arc<Vec<String>>> = (0..n)
        .map(|i| match (old(i), &facts[i]) {
            (Some(o), _) => o.defines.clone(),
            (None, Some(f)) => Arc::new(f.defines()),
            (None, None) => Arc::default(),
        })
        .collect();
    let mut fresh: Vec<bool> = (0..n)
        .map(|i| match old(i) {
            Some(o) => !same_file || (!o.sites.is_empty() && !is_self_contained(stmts[i])),
            None => true,
        })
        .collect();

    // Sites of the statements that stay, moved; a statement whose sites
    // point into a changed one is extracted afresh.
    let mut moved: Vec<Option<Vec<ResponseSite>>> = (0..n).map(|_| None).collect();
    if let (Some((st, _)), true) = (prev, same_file) {
        let shift = Shift::new(st.stmts.iter().map(|s| s.range.clone()), &matched, &stmts);
        let mut changed = changed_names(st, &cx, &error_classes, &matched, &defines);
        loop {
            spread(src, &stmts, &defines, &mut fresh, &mut changed);
            let mut more = false;
            for i in 0..n {
                if fresh[i] || moved[i].is_some() {
                    continue;
                }
                match old(i).and_then(|o| shift.sites(&o.sites)) {
                    Some(s) => moved[i] = Some(s),
                    None => {
                        fresh[i] = true;
                        changed.pending.extend(defines[i].iter().cloned());
                        more = true;
                    }
                }
            }
            if !more {
                break;
            }
        }
    }

    // The fresh statements, and the statements holding helpers they name
    // (a call reaches a helper by name).
    let mut fresh_sites: Vec<Vec<ResponseSite>> = (0..n).map(|_| Vec::new()).collect();
    let mut helper = vec![false; n];
    if !cx.is_test_file {
        let named: HashSet<&str> = (0..n)
            .filter(|&i| fresh[i])
            .flat_map(|i| syntax::words(text(stmts[i], src)))
            .collect();
        let searched: Vec<usize> = (0..n)
            .filter(|&i| {
                fresh[i]
                    || old(i).is_some_and(|o| {
                        o.helper && o.defines.iter().any(|d| named.contains(d.as_str()))
                    })
            })
            .collect();
        let nodes: Vec<Node> = searched.iter().map(|&i| stmts[i]).collect();
        let (raw, calls) = candidates(&cx, Some(&nodes));
        let at = |offset: usize| statements::holding(&stmts, offset);
        for r in &raw {
            if matches!(r.status, StatusEval::Param(_)) {
                if let Some(i) = at(r.anchor.start_byte()) {
                    helper[i] = true;
                }
            }
        }
        cx.helpers = collect_helpers(&cx, &raw);
        let in_fresh = |offset: usize| at(offset).is_some_and(|i| fresh[i]);
        let raw: Vec<Raw> = raw
            .into_iter()
            .filter(|r| in_fresh(r.node.start_byte()))
            .collect();
        let calls: Vec<Node> = calls
            .into_iter()
            .filter(|c| in_fresh(c.start_byte()))
            .collect();
        for site in finish_sites(&cx, raw, &calls) {
            if let Some(i) = at(site.range.start) {
                fresh_sites[i].push(site);
            }
        }
    }
    // A kept statement still defines the helpers it did.
    for i in 0..n {
        if !fresh[i] {
            helper[i] = old(i).is_some_and(|o| o.helper);
        }
    }

    // The model: every statement's sites in order, each kept one with the
    // previous model's index of it.
    let first_of_old: Vec<usize> = prev.map_or_else(Vec::new, |(st, _)| {
        statements::first_indices(st.stmts.iter().map(|s| s.sites.len()))
    });
    let mut alone = cx.logs_alone.iter().peekable();
    let mut stmt_states = Vec::with_capacity(n);
    // About as many sites as last time: growing the list would copy every
    // site several times.
    let expected = prev.map_or(0, |(st, _)| st.stmts.iter().map(|s| s.sites.len()).sum());
    let mut sites = Vec::with_capacity(expected);
    let mut origin = Vec::with_capacity(expected);
    let mut moved = moved.into_iter();
    let mut fresh_sites = fresh_sites.into_iter();
    for i in 0..n {
        let kept = moved.next().flatten();
        let new = fresh_sites.next().unwrap_or_default();
        let list = match (kept, fresh[i]) {
            (Some(k), false) => {
                let first = matched[i].map_or(0, |k| first_of_old[k]);
                origin.extend((first..first + k.len()).map(Some));
                k
            }
            _ => {
                origin.extend(new.iter().map(|_| None));
                new
            }
        };
        sites.extend(list.iter().cloned());
        let (start, end) = (stmts[i].start_byte(), stmts[i].end_byte());
        while alone.next_if(|(at, _)| *at < start).is_some() {}
        let mut logs_alone = Vec::new();
        while let Some((at, logs)) = alone.next_if(|(at, _)| *at < end) {
            logs_alone.push((at - start, *logs));
        }
        stmt_states.push(StmtState {
            range: stmts[i].byte_range(),
            kind: stmts[i].kind_id(),
            hash: hashes[i],
            facts: facts[i]
                .clone()
                .unwrap_or_else(|| Arc::new(facts::Kept::default())),
            defines: defines[i].clone(),
            sites: Arc::new(list),
            helper: helper[i],
            logs_alone: Arc::new(logs_alone),
            fresh: fresh[i],
        });
    }
    if prev.is_none() {
        origin.clear();
    }
    let model = FileModel {
        sites,
        origin,
        quote,
        semicolons: false,
    };
    let state = State {
        stmts: stmt_states,
        imports: std::mem::take(&mut cx.imports),
        declared: std::mem::take(&mut cx.declared),
        logging_fns: std::mem::take(&mut cx.logging_fns),
        error_classes,
        logger: cx.logger.take(),
        framework_hint: cx.framework_hint,
        quote,
        quote_read: cx.quote_read,
        newline: cx.newline,
        is_test_file: cx.is_test_file,
    };
    Some((model, state))
}

/// Whether a statement's sites read only its own text and names: a
/// function, a class, an import or a comment (code outside them reads the
/// statements around it).
fn is_self_contained(stmt: Node) -> bool {
    matches!(
        stmt.kind_name(),
        "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "comment"
            | "import_statement"
            | "import_from_statement"
            | "future_import_statement"
    )
}

/// Names whose meaning may differ from the previous extraction's.
struct Changed {
    /// Not yet looked for in the kept statements.
    pending: Vec<String>,
    done: HashSet<String>,
}

/// The first changed names: those the unmatched statements define, now or
/// before, and those the file-wide name sets gained or lost.
fn changed_names(
    st: &State,
    cx: &Cx,
    error_classes: &HashSet<String>,
    matched: &[Option<usize>],
    defines: &[Arc<Vec<String>>],
) -> Changed {
    let mut pending: Vec<String> = Vec::new();
    let mut kept_old = vec![false; st.stmts.len()];
    for (i, m) in matched.iter().enumerate() {
        match m {
            Some(k) => kept_old[*k] = true,
            None => pending.extend(defines[i].iter().cloned()),
        }
    }
    for (k, s) in st.stmts.iter().enumerate() {
        if !kept_old[k] {
            pending.extend(s.defines.iter().cloned());
        }
    }
    pending.extend(differ(&st.declared, &cx.declared));
    pending.extend(differ(&st.logging_fns, &cx.logging_fns));
    pending.extend(differ(&st.error_classes, error_classes));
    Changed {
        pending,
        done: HashSet::default(),
    }
}

/// The names in one of `a` and `b` but not both.
fn differ<'s, T>(a: &'s HashSet<T>, b: &'s HashSet<T>) -> impl Iterator<Item = String> + 's
where
    T: std::ops::Deref<Target = str> + Eq + std::hash::Hash,
{
    a.symmetric_difference(b).map(|n| n.to_string())
}

/// Marks fresh every statement that mentions a changed name, adding the
/// names it defines, until no new name is added.
fn spread(
    src: &str,
    stmts: &[Node],
    defines: &[Arc<Vec<String>>],
    fresh: &mut [bool],
    changed: &mut Changed,
) {
    while let Some(name) = changed.pending.pop() {
        if name.is_empty() || !changed.done.insert(name.clone()) {
            continue;
        }
        if changed.done.len() > MAX_CHANGED_NAMES {
            fresh.fill(true);
        }
        if fresh.iter().all(|f| *f) {
            return;
        }
        mentions(src, stmts, &name, |i| {
            if !fresh[i] {
                fresh[i] = true;
                changed.pending.extend(defines[i].iter().cloned());
            }
        });
    }
}

/// Calls `found` with the index of each statement whose text mentions
/// `name` (once per mention). Part of a longer identifier is not a mention;
/// anything else, a non-ASCII neighbour included, is taken as one.
fn mentions(src: &str, stmts: &[Node], name: &str, mut found: impl FnMut(usize)) {
    let bytes = src.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if name.is_empty() {
        return;
    }
    for at in memchr::memmem::find_iter(bytes, name.as_bytes()) {
        let end = at + name.len();
        if (at > 0 && word(bytes[at - 1])) || bytes.get(end).is_some_and(|b| word(*b)) {
            continue;
        }
        if let Some(i) = statements::holding(stmts, at) {
            found(i);
        }
    }
}
