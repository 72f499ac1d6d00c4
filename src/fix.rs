//! Applying fixes to text: non-overlapping edits, in one pass.
//!
//! Callers that want every fix applied loop: apply, re-lint, apply again,
//! until nothing changes (edits that overlapped an earlier one in the same
//! pass are left for the next pass, never dropped).

use crate::diagnostic::{Diagnostic, Edit};

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
}

/// Applies the first eligible fix of every unsuppressed diagnostic whose
/// edits do not overlap those already chosen.
pub fn apply_fixes(text: &str, diagnostics: &[Diagnostic], mode: FixMode) -> Applied {
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    let mut deferred = 0;
    for d in diagnostics.iter().filter(|d| d.suppressed.is_none()) {
        let Some(fix) = d
            .fixes
            .iter()
            .find(|f| f.safe || mode == FixMode::IncludeUnsafe)
        else {
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
    }
    Applied {
        text: apply_edits(text, chosen),
        applied,
        deferred,
    }
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
