//! Applying fixes to text: non-overlapping edits, in one pass.
//!
//! Callers that want every fix applied loop: apply, re-lint, apply again,
//! until nothing changes (edits that overlapped an earlier one in the same
//! pass are left for the next pass, never dropped).

use crate::diagnostic::{Diagnostic, Edit, Fix};
use std::ops::Range;
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
/// A fix offered again, at the same finding, right after the pass that
/// applied it did not take: the code around it is not what the rule
/// understood (a syntax error, usually). That pass is redone without it, and
/// it is not tried again, so fixing is idempotent: running again never
/// repeats an insertion. A fix offered again after later passes changed
/// the code near it is not applied a second time either. The same fix at another finding
/// (the challenge every 401 in a file gets) is applied, even when that 401
/// appeared only in a later pass.
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
    // What each applied fix wrote, and where its finding lies in `out.text`.
    let mut done: Vec<(FixKey, Range<usize>)> = Vec::new();
    for _ in 0..passes {
        let fresh: Vec<Diagnostic> = out
            .remaining
            .iter()
            .filter(|d| {
                first_fix(d, mode).is_some_and(|f| {
                    let k = key(d, f);
                    !done
                        .iter()
                        .any(|(dk, at)| *dk == k && touches(at, &d.range))
                })
            })
            .cloned()
            .collect();
        let pass = apply_fixes(&out.text, &fresh, mode);
        if pass.applied == 0 || pass.text == out.text {
            break;
        }
        let mut edits: Vec<&Edit> = pass
            .fixed
            .iter()
            .filter_map(|&i| first_fix(&fresh[i], mode))
            .flat_map(|f| f.edits.iter())
            .collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        let diags = match relint(&pass.text) {
            Ok(diags) => diags,
            Err(e) => {
                out.failed = Some(e);
                break;
            }
        };
        // A fix whose finding offers the very same fix again did not take:
        // the pass is redone without it, so the text never keeps an edit
        // that changes nothing the rule sees (a run after this one would
        // add it again).
        let stuck: Vec<usize> = pass
            .fixed
            .iter()
            .copied()
            .filter(|&i| {
                let d = &fresh[i];
                let Some(f) = first_fix(d, mode) else {
                    return false;
                };
                let (k, at) = (key(d, f), map_range(&d.range, &edits));
                diags.iter().any(|n| {
                    first_fix(n, mode).is_some_and(|g| key(n, g) == k && touches(&at, &n.range))
                })
            })
            .collect();
        if !stuck.is_empty() {
            done.extend(stuck.iter().filter_map(|&i| {
                let d = &fresh[i];
                Some((key(d, first_fix(d, mode)?), d.range.clone()))
            }));
            continue;
        }
        for (_, at) in done.iter_mut() {
            *at = map_range(at, &edits);
        }
        done.extend(pass.fixed.iter().filter_map(|&i| {
            let d = &fresh[i];
            Some((key(d, first_fix(d, mode)?), map_range(&d.range, &edits)))
        }));
        out.applied += pass.applied;
        out.text = pass.text;
        out.remaining = diags;
    }
    out
}

/// Whether two ranges overlap or meet (a finding re-offered after its fix
/// may have grown or shrunk by the fix's text).
fn touches(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start <= b.end && b.start <= a.end
}

/// Where `r` lies after `edits` (sorted, non-overlapping) are applied. Text
/// inserted at either end of `r` is taken into it; an end inside a replaced
/// range moves to that replacement's edge.
fn map_range(r: &Range<usize>, edits: &[&Edit]) -> Range<usize> {
    let mut start = r.start as isize;
    let mut end = r.end as isize;
    for e in edits {
        let delta = e.replacement.len() as isize - e.range.len() as isize;
        if e.range.end < r.start || (e.range.end == r.start && !e.range.is_empty()) {
            start += delta;
        } else if e.range.start < r.start {
            start -= (r.start - e.range.start) as isize;
        }
        if e.range.end <= r.end {
            end += delta;
        } else if e.range.start < r.end {
            end += (e.range.start + e.replacement.len()) as isize - r.end as isize;
        }
    }
    start.max(0) as usize..end.max(start).max(0) as usize
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    /// A toy rule: every `401` not followed by `!` wants a `!` after it,
    /// and every `403` is (unsafely) a `401`.
    fn lint(text: &str) -> Result<Vec<Diagnostic>, ()> {
        let mut out = Vec::new();
        for (at, _) in text.match_indices("40") {
            let (code, rest) = (&text[at..at + 3], &text[at + 3..]);
            let d = Diagnostic::new("toy", Severity::Error, at..at + 3, "toy");
            if code == "401" && !rest.starts_with('!') {
                out.push(d.with_fix(Fix {
                    title: "bang".into(),
                    safe: true,
                    edits: vec![Edit::insert(at + 3, "!")],
                }));
            } else if code == "403" {
                out.push(d.with_fix(Fix {
                    title: "swap".into(),
                    safe: false,
                    edits: vec![Edit::replace(at..at + 3, "401")],
                }));
            }
        }
        Ok(out)
    }

    fn fix(text: &str, lint: fn(&str) -> Result<Vec<Diagnostic>, ()>) -> String {
        let first = lint(text).unwrap();
        fix_until_stable(text, first, FixMode::IncludeUnsafe, 10, lint).text
    }

    #[test]
    fn the_same_fix_at_a_finding_that_appears_later_is_applied() {
        // The 403 becomes a 401 in the first pass and wants the `!` the
        // other 401 got then: the same fix, at another finding.
        let once = fix("401 403", lint);
        assert_eq!(once, "401! 401!");
        assert_eq!(fix(&once, lint), once);
    }

    #[test]
    fn a_fix_that_does_not_take_is_not_kept() {
        // A rule that does not see its own fix (as in broken code): it asks
        // for the `!` again at the same 401. Keeping the `!` would make the
        // next run add another.
        fn blind(text: &str) -> Result<Vec<Diagnostic>, ()> {
            lint(&text.replace('!', " "))
        }
        let first = blind("x 401 y 401").unwrap();
        let run = fix_until_stable("x 401 y 401", first, FixMode::IncludeUnsafe, 10, blind);
        assert_eq!((run.text.as_str(), run.applied), ("x 401 y 401", 0));
        // The other fixes of that pass are kept.
        fn half_blind(text: &str) -> Result<Vec<Diagnostic>, ()> {
            lint(&text.replace("x 401!", "x 401 "))
        }
        assert_eq!(fix("x 401 y 401", half_blind), "x 401 y 401!");
        assert_eq!(fix("x 401 y 401!", half_blind), "x 401 y 401!");
    }

    #[test]
    fn ranges_follow_edits_and_take_in_text_at_their_ends() {
        let edits = [
            Edit::insert(2, "ab"),
            Edit::replace(4..6, "x"),
            Edit::insert(8, "cd"),
        ];
        let edits: Vec<&Edit> = edits.iter().collect();
        // Insertions at either end are taken in; the replacement before
        // the range shifts it.
        assert_eq!(map_range(&(2..8), &edits), 2..11);
        // An end inside a replacement moves to the replacement's edge.
        assert_eq!(map_range(&(0..5), &edits), 0..7);
        assert_eq!(map_range(&(5..9), &edits), 6..12);
    }
}
