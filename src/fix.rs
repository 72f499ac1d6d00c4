//! Applying fixes to text: non-overlapping edits, in one pass.
//!
//! Callers that want every fix applied loop: apply, re-lint, apply again,
//! until nothing changes (edits that overlapped an earlier one in the same
//! pass are left for the next pass, never dropped).

use crate::diagnostic::{Diagnostic, Edit, Fix};
use std::collections::HashSet;
use std::sync::Arc;

/// Which fixes to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    SafeOnly,
    IncludeUnsafe,
}

/// The outcome of one pass.
#[derive(Debug, Default)]
pub struct Applied {
    pub text: String,
    /// Number of fixes applied in this pass.
    pub applied: usize,
    /// Fixes skipped because they overlapped one applied earlier in the pass.
    pub deferred: usize,
    /// The indices (in the diagnostics given) of the findings fixed.
    pub fixed: Vec<usize>,
}

/// Applies the first eligible fix of every unsuppressed diagnostic whose
/// edits do not overlap those already chosen.
pub fn apply_fixes(text: &str, diagnostics: &[Diagnostic], mode: FixMode) -> Applied {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut deferred = 0;
    let mut fixed = Vec::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if d.suppressed.is_some() {
            continue;
        }
        let Some(fix) = first_fix(d, mode) else {
            continue;
        };
        let valid = fix.edits.iter().all(|e| {
            e.range.start <= e.range.end
                && e.range.end <= text.len()
                && text.is_char_boundary(e.range.start)
                && text.is_char_boundary(e.range.end)
        });
        if !valid {
            continue;
        }
        let clashes = fix
            .edits
            .iter()
            .any(|e| chosen.iter().any(|c| overlaps(&c.range, &e.range)));
        if clashes {
            deferred += 1;
            continue;
        }
        chosen.extend(fix.edits.iter());
        applied += 1;
        fixed.push(i);
    }
    Applied {
        text: apply_edits(text, chosen),
        applied,
        deferred,
        fixed,
    }
}

/// What [`fix_until_stable`] reached.
#[derive(Debug)]
pub struct Fixed<E> {
    pub text: String,
    /// Fixes applied over all passes.
    pub applied: usize,
    /// The findings on `text` (the last re-lint's).
    pub remaining: Vec<Diagnostic>,
    /// The re-lint that failed, if one did (`text` is the last good text).
    pub failed: Option<E>,
}

/// A fix as text: its rule and what its edits insert. Positions change from
/// pass to pass; what a fix writes does not.
type FixKey = (&'static str, Vec<Arc<str>>);

fn key(d: &Diagnostic, f: &Fix) -> FixKey {
    (
        d.rule,
        f.edits.iter().map(|e| e.replacement.clone()).collect(),
    )
}

fn first_fix(d: &Diagnostic, mode: FixMode) -> Option<&Fix> {
    d.fixes
        .iter()
        .find(|f| f.safe || mode == FixMode::IncludeUnsafe)
}

/// Applies fixes pass after pass, re-linting between passes (`relint`),
/// until nothing changes or `passes` run out.
///
/// A fix that is offered again after a pass applied it did not take: the
/// code around it is not what the rule understood (a syntax error, usually).
/// It is not applied a second time, so fixing is idempotent: running again
/// never repeats an insertion.
pub fn fix_until_stable<E>(
    text: &str,
    first: Vec<Diagnostic>,
    mode: FixMode,
    passes: usize,
    mut relint: impl FnMut(&str) -> Result<Vec<Diagnostic>, E>,
) -> Fixed<E> {
    let mut out = Fixed {
        text: text.to_string(),
        applied: 0,
        remaining: first,
        failed: None,
    };
    let mut done: HashSet<FixKey> = HashSet::new();
    for _ in 0..passes {
        let fresh: Vec<Diagnostic> = out
            .remaining
            .iter()
            .filter(|d| first_fix(d, mode).is_some_and(|f| !done.contains(&key(d, f))))
            .cloned()
            .collect();
        let pass = apply_fixes(&out.text, &fresh, mode);
        if pass.applied == 0 || pass.text == out.text {
            break;
        }
        done.extend(pass.fixed.iter().filter_map(|&i| {
            let d = &fresh[i];
            Some(key(d, first_fix(d, mode)?))
        }));
        match relint(&pass.text) {
            Ok(diags) => {
                out.applied += pass.applied;
                out.text = pass.text;
                out.remaining = diags;
            }
            Err(e) => {
                out.failed = Some(e);
                break;
            }
        }
    }
    out
}

fn overlaps(a: &std::ops::Range<usize>, b: &std::ops::Range<usize>) -> bool {
    // Two insertions at the same point clash too: their order would be arbitrary.
    if a.start == b.start {
        return true;
    }
    a.start < b.end && b.start < a.end
}

/// Applies non-overlapping edits (in any order) to `text`.
pub fn apply_edits<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>) -> String {
    let mut edits: Vec<&Edit> = edits.into_iter().collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut pos = 0;
    for e in edits {
        if e.range.start < pos {
            continue;
        }
        out.push_str(&text[pos..e.range.start]);
        out.push_str(&e.replacement);
        pos = e.range.end;
    }
    out.push_str(&text[pos..]);
    out
}
