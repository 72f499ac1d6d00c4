//! Fingerprints: what identifies a finding across unrelated edits. SARIF's
//! `partialFingerprints`, GitLab's `fingerprint` and the baseline file all
//! use these, so a finding keeps one identity in every report.

use super::paths::slash_path;
use super::report::FileReport;
use crate::diagnostic::Diagnostic;
use std::collections::HashMap;

/// A stable 64-bit FNV-1a hash (std's hasher may change between releases).
/// FNV-1a over parts, each followed by a 0xff separator.
#[derive(Clone, Copy)]
pub(super) struct Fnv(pub(super) u64);

impl Fnv {
    pub(super) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(super) fn feed(mut self, part: &[u8]) -> Self {
        for b in part.iter().chain(std::iter::once(&0xffu8)) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self
    }
}

/// Fingerprints for `diags` (some of a file's diagnostics, in the file's
/// order), in order: rule + path + trimmed text
/// of the flagged line + how many earlier lines have the same text + how many
/// earlier findings of the rule sit on that same line.
pub(super) fn fingerprints(file: &FileReport, diags: &[&Diagnostic]) -> Vec<String> {
    let path = slash_path(&file.path);
    let mut line_seen: HashMap<&str, usize> = HashMap::new();
    let mut occurrence_of_line: HashMap<usize, usize> = HashMap::new();
    let mut offset = 0;
    for line in file.text.split_inclusive('\n') {
        let t = line.trim();
        let n = line_seen.entry(t).or_insert(0);
        occurrence_of_line.insert(offset, *n);
        *n += 1;
        offset += line.len();
    }
    let mut same_spot: HashMap<(&str, usize), (Fnv, usize)> = HashMap::new();
    diags
        .iter()
        .map(|d| {
            let lr = file.line_range(d.range.start);
            let occurrence = occurrence_of_line.get(&lr.start).copied().unwrap_or(0);
            // The line is hashed once per rule, not once per finding: a
            // bundle's one long line can hold thousands of them.
            let (prefix, nth) = same_spot.entry((d.rule, lr.start)).or_insert_with(|| {
                let text = file.text[lr.clone()].trim();
                let h = Fnv::new()
                    .feed(d.rule.as_bytes())
                    .feed(path.as_bytes())
                    .feed(text.as_bytes());
                (h, 0)
            });
            let h = prefix
                .feed(occurrence.to_string().as_bytes())
                .feed(nth.to_string().as_bytes());
            *nth += 1;
            format!("{:016x}", h.0)
        })
        .collect()
}

/// Fingerprints for every diagnostic of `file`, suppressed ones included,
/// in order (what SARIF computes when `--quiet` hides nothing).
pub(super) fn all(file: &FileReport) -> Vec<String> {
    let diags: Vec<&Diagnostic> = file.diagnostics.iter().collect();
    fingerprints(file, &diags)
}
