//! Byte offsets to line/column, in UTF-8 or UTF-16 code units.

use line_index::{LineIndex, TextSize, WideEncoding, WideLineCol};

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

/// Maps byte offsets of one text to positions and back.
pub struct LineMap {
    index: LineIndex,
    len: usize,
}

impl LineMap {
    pub fn new(text: &str) -> Self {
        LineMap {
            index: LineIndex::new(text),
            len: text.len(),
        }
    }

    fn clamp(&self, text: &str, mut offset: usize) -> usize {
        offset = offset.min(self.len);
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    /// The position of `offset` (clamped to the text and to a char boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let offset = self.clamp(text, offset);
        let lc = self.index.line_col(TextSize::new(offset as u32));
        let column = match enc {
            Encoding::Utf8 => lc.col,
            Encoding::Utf16 => self
                .index
                .to_wide(WideEncoding::Utf16, lc)
                .map(|w| w.col)
                .unwrap_or(lc.col),
            Encoding::Utf32 => self
                .index
                .to_wide(WideEncoding::Utf32, lc)
                .map(|w| w.col)
                .unwrap_or(lc.col),
        };
        Position {
            line: lc.line,
            column,
        }
    }

    /// The byte offset of `pos`, or `None` when the line is past the end.
    /// A column past the end of its line clamps to the line's end.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> Option<usize> {
        let line_range = self.index.line(pos.line)?;
        let line_start: usize = line_range.start().into();
        let line_end: usize = line_range.end().into();
        let line_text = &text[line_start..line_end];
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
            Encoding::Utf16 | Encoding::Utf32 => {
                let wide = match enc {
                    Encoding::Utf16 => WideEncoding::Utf16,
                    _ => WideEncoding::Utf32,
                };
                let lc = self.index.to_utf8(
                    wide,
                    WideLineCol {
                        line: pos.line,
                        col: pos.column,
                    },
                );
                match lc {
                    Some(lc) => (lc.col as usize).min(line_text.len()),
                    None => line_text.len(),
                }
            }
        };
        Some(line_start + byte_col)
    }

    /// Number of lines (a trailing newline starts an empty last line).
    pub fn line_count(&self) -> u32 {
        self.index.line_col(TextSize::new(self.len as u32)).line + 1
    }
}
