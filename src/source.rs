//! Byte offsets to line/column, in UTF-8 or UTF-16 code units.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A 0-based position: `line` and `column` in the chosen encoding's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    /// Unicode scalar values, as SARIF and most terminals count columns.
    Utf32,
}

/// Maps byte offsets of one text to positions and back: the offset at
/// which each line starts. Columns in UTF-16 or UTF-32 units are counted on
/// the line itself when asked for (lines are short, and mostly ASCII, where
/// a byte is a unit), so the map is a plain list that an edit can update in
/// place ([`LineMap::edit`]) instead of rebuilding it for the whole text.
/// A line ends after `\n`; a `\r` before it belongs to the line.
pub struct LineMap {
    /// `starts[0]` is 0; the rest follow each `\n`.
    starts: Vec<usize>,
    len: usize,
    /// The text is all ASCII, where every unit is a byte: columns need no
    /// counting. (Counting a long line from its start for every position
    /// made reports on one-line bundles quadratic.)
    ascii: bool,
    /// The line [`LineMap::line_of`] found last.
    last: AtomicUsize,
    /// The last column counted on a non-ASCII text: positions are mostly
    /// asked for in order, so the next one on the same line counts on from
    /// here instead of from the line's start.
    mark: Mutex<Option<ColumnMark>>,
}

/// `units` units of `enc` lie between `line_start` and `offset`.
#[derive(Clone, Copy)]
struct ColumnMark {
    line_start: usize,
    offset: usize,
    units: usize,
    enc: Encoding,
}

impl Clone for LineMap {
    fn clone(&self) -> Self {
        LineMap {
            starts: self.starts.clone(),
            len: self.len,
            ascii: self.ascii,
            last: AtomicUsize::new(0),
            mark: Mutex::new(None),
        }
    }
}

/// The offsets just after each `\n` in `bytes`, moved by `base`.
fn line_starts(bytes: &[u8], base: usize) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', bytes).map(move |i| base + i + 1)
}

impl LineMap {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(line_starts(text.as_bytes(), 0));
        LineMap {
            starts,
            len: text.len(),
            ascii: text.is_ascii(),
            last: AtomicUsize::new(0),
            mark: Mutex::new(None),
        }
    }

    /// Updates the map for replacing the bytes `start..end` of its text by
    /// `inserted` (`start..end` on char boundaries, as the edit itself needs).
    pub fn edit(&mut self, start: usize, end: usize, inserted: &str) {
        let (start, end) = (
            start.min(self.len),
            end.clamp(start.min(self.len), self.len),
        );
        // Line starts after a byte in `start..end` went with those bytes.
        let first = self.starts.partition_point(|s| *s <= start);
        let after = self.starts.partition_point(|s| *s <= end);
        let delta = inserted.len() as isize - (end - start) as isize;
        for s in &mut self.starts[after..] {
            *s = (*s as isize + delta) as usize;
        }
        self.starts
            .splice(first..after, line_starts(inserted.as_bytes(), start));
        self.len = (self.len as isize + delta) as usize;
        // Removing the last non-ASCII character is not noticed: columns
        // are then counted, as they would be anyway.
        self.ascii &= inserted.is_ascii();
        *self.mark.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn clamp(&self, text: &str, mut offset: usize) -> usize {
        offset = offset.min(self.len);
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The line holding `offset` (at most the text's length) and its start.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        // Offsets are mostly asked for in order (findings sorted by place):
        // try the last line found, and the one after it, first.
        let hint = self.last.load(Ordering::Relaxed);
        for line in [hint, hint + 1] {
            if let Some(&start) = self.starts.get(line) {
                if start <= offset
                    && self
                        .starts
                        .get(line + 1)
                        .map_or(true, |next| *next > offset)
                {
                    self.last.store(line, Ordering::Relaxed);
                    return (line, start);
                }
            }
        }
        let line = self.starts.partition_point(|s| *s <= offset).max(1) - 1;
        self.last.store(line, Ordering::Relaxed);
        (line, self.starts[line])
    }

    /// The byte range of the line holding `offset`, from its first byte to
    /// just after its `\n` (or the end of the text).
    pub fn line_bounds(&self, text: &str, offset: usize) -> (usize, usize) {
        let (line, start) = self.line_of(self.clamp(text, offset));
        let end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        (start, end)
    }

    /// The position of `offset` (clamped to the text and to a char boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = self.clamp(text, offset);
        let (line, start) = self.line_of(offset);
        let column = if self.ascii || enc == Encoding::Utf8 {
            offset - start
        } else {
            self.count_units(text, start, offset, enc)
        };
        Position {
            line: line as u32,
            column: column as u32,
        }
    }

    /// Units of `enc` from `line_start` to `offset`, counted on from the
    /// last mark when it lies on the same line before `offset`.
    fn count_units(&self, text: &str, line_start: usize, offset: usize, enc: Encoding) -> usize {
        let mut mark = self.mark.lock().unwrap_or_else(|e| e.into_inner());
        let count = |a: usize, b: usize| units(text.get(a..b).unwrap_or(""), enc);
        let n = match *mark {
            Some(m) if m.line_start == line_start && m.enc == enc && m.offset <= offset => {
                m.units + count(m.offset, offset)
            }
            // A little way back (a related location before its finding).
            Some(m)
                if m.line_start == line_start
                    && m.enc == enc
                    && m.offset - offset < offset - line_start =>
            {
                m.units - count(offset, m.offset)
            }
            _ => count(line_start, offset),
        };
        *mark = Some(ColumnMark {
            line_start,
            offset,
            units: n,
            enc,
        });
        n
    }

    /// The byte offset of `pos`, or `None` when the line is past the end.
    /// A column past the end of its line clamps to the line's end, and one
    /// inside a character to that character's start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> Option<usize> {
        let line = pos.line as usize;
        let line_start = *self.starts.get(line)?;
        let line_end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let line_text = text.get(line_start..line_end.min(text.len()))?;
        let line_text = line_text.strip_suffix('\n').unwrap_or(line_text);
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let col = pos.column as usize;
        let byte_col = match enc {
            Encoding::Utf8 => {
                let mut c = col.min(line_text.len());
                while c > 0 && !line_text.is_char_boundary(c) {
                    c -= 1;
                }
                c
            }
            Encoding::Utf16 | Encoding::Utf32 if line_text.is_ascii() => col.min(line_text.len()),
            Encoding::Utf16 | Encoding::Utf32 => {
                let mut seen = 0;
                let mut at = line_text.len();
                for (i, ch) in line_text.char_indices() {
                    let width = char_units(ch, enc);
                    if seen + width > col {
                        at = i;
                        break;
                    }
                    seen += width;
                }
                at
            }
        };
        Some(line_start + byte_col)
    }

    /// Number of lines (a trailing newline starts an empty last line).
    pub fn line_count(&self) -> u32 {
        self.starts.len() as u32
    }
}

/// How many units of `enc` `s` takes.
fn units(s: &str, enc: Encoding) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    match enc {
        Encoding::Utf8 => s.len(),
        Encoding::Utf16 => s.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => s.chars().count(),
    }
}

/// How many units of `enc` `ch` takes.
fn char_units(ch: char, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => ch.len_utf8(),
        Encoding::Utf16 => ch.len_utf16(),
        Encoding::Utf32 => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions by walking the text from its start, in every encoding.
    fn naive(text: &str, offset: usize, enc: Encoding) -> Position {
        let (mut line, mut column) = (0, 0);
        for (i, ch) in text.char_indices() {
            if i >= offset {
                break;
            }
            if ch == '\n' {
                line += 1;
                column = 0;
            } else {
                column += char_units(ch, enc) as u32;
            }
        }
        Position { line, column }
    }

    /// A small deterministic generator (no dependency for one test).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    const PIECES: &[&str] = &["a", "bc", "\n", "\r\n", "é", "“", "😀", " ", "\t", "x\n\n"];

    fn random_text(rng: &mut Rng, pieces: usize) -> String {
        (0..pieces)
            .map(|_| PIECES[rng.below(PIECES.len())])
            .collect()
    }

    fn check(text: &str, map: &LineMap) {
        let fresh = LineMap::new(text);
        assert_eq!(map.starts, fresh.starts, "{text:?}");
        assert_eq!(map.line_count() as usize, text.matches('\n').count() + 1);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
                let p = map.position(text, offset, enc);
                assert_eq!(p, naive(text, offset, enc), "{text:?} at {offset}");
                // Back again, except between the `\r` and `\n` of a line
                // end, where no offset is (the line's end is before `\r`).
                if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                    continue;
                }
                assert_eq!(map.offset(text, p, enc), Some(offset), "{text:?} {p:?}");
            }
        }
    }

    #[test]
    fn positions_match_a_walk_from_the_start() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200 {
            let pieces = rng.below(30);
            let text = random_text(&mut rng, pieces);
            check(&text, &LineMap::new(&text));
        }
    }

    #[test]
    fn positions_asked_out_of_order_match_a_walk() {
        // Columns count on from the last one asked for: back, forward, on
        // other lines and in other encodings, each must still be right.
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..100 {
            let pieces = rng.below(60);
            let text = random_text(&mut rng, pieces);
            let map = LineMap::new(&text);
            for _ in 0..200 {
                let mut offset = rng.below(text.len() + 1);
                while !text.is_char_boundary(offset) {
                    offset -= 1;
                }
                let enc = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][rng.below(3)];
                assert_eq!(
                    map.position(&text, offset, enc),
                    naive(&text, offset, enc),
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn edits_match_a_fresh_map() {
        let mut rng = Rng(0xd1b5_4a32_d192_ed03);
        let mut text = random_text(&mut rng, 40);
        let mut map = LineMap::new(&text);
        for _ in 0..500 {
            let boundary = |rng: &mut Rng, text: &str| {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            };
            let a = boundary(&mut rng, &text);
            let b = boundary(&mut rng, &text);
            let (start, end) = (a.min(b), a.max(b));
            let pieces = rng.below(4);
            let inserted = random_text(&mut rng, pieces);
            text.replace_range(start..end, &inserted);
            map.edit(start, end, &inserted);
            check(&text, &map);
        }
    }

    #[test]
    fn columns_past_a_line_or_inside_a_character_clamp() {
        let text = "a😀b\r\nc";
        let map = LineMap::new(text);
        let at = |line, column, enc| map.offset(text, Position { line, column }, enc);
        // Past the end of the first line: before its `\r\n`.
        assert_eq!(at(0, 99, Encoding::Utf16), Some(6));
        assert_eq!(at(0, 99, Encoding::Utf8), Some(6));
        // Between the two UTF-16 units of the emoji: at its start.
        assert_eq!(at(0, 2, Encoding::Utf16), Some(1));
        // Inside its UTF-8 bytes: at its start too.
        assert_eq!(at(0, 3, Encoding::Utf8), Some(1));
        assert_eq!(at(1, 0, Encoding::Utf16), Some(8));
        assert_eq!(at(2, 0, Encoding::Utf16), None);
        // An offset inside a character counts from the character's start.
        assert_eq!(
            map.position(text, 3, Encoding::Utf16),
            Position { line: 0, column: 1 }
        );
    }
}
