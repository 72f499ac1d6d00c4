//! Documents too big to lint as the user types.
//!
//! Linting a document whose lines run to hundreds of kilobytes (a minified
//! bundle, generated data) takes time that grows faster than the line:
//! every statement on an edited line is extracted again, and on a 520 KB
//! one-line file that took seconds per keystroke. Such a document, or one
//! over the linter's [`MAX_FILE_BYTES`], is not linted in the editor. It
//! gets one Information diagnostic at its start saying why ([`notice`]),
//! replaced by the findings as soon as an edit brings it back under both
//! limits. Checking the limits costs one pass over the text for the line
//! breaks (memchr), done only for documents longer than [`MAX_LINE_BYTES`].

use super::diagnostics::SOURCE;
use crate::lint::MAX_FILE_BYTES;
use std::path::Path;
use tower_lsp_server::lsp_types as lsp;

/// Documents with a line longer than this (in bytes, without its line
/// break) are not linted in the editor.
pub const MAX_LINE_BYTES: usize = 20_000;

/// Why a document is not linted in the editor.
#[derive(Debug, PartialEq, Eq)]
pub enum TooBig {
    /// Its line `line` (0-based) is `bytes` long.
    Line { line: usize, bytes: usize },
    /// It is this many bytes long, over [`MAX_FILE_BYTES`].
    File(usize),
}

/// Whether `text` is over a limit, and which.
pub fn check(text: &str) -> Option<TooBig> {
    if text.len() > MAX_FILE_BYTES {
        return Some(TooBig::File(text.len()));
    }
    if text.len() <= MAX_LINE_BYTES {
        return None;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (line, end) in ends.enumerate() {
        let len = if end > start && bytes[end - 1] == b'\r' {
            end - 1 - start
        } else {
            end - start
        };
        if len > MAX_LINE_BYTES {
            return Some(TooBig::Line { line, bytes: len });
        }
        start = end + 1;
    }
    None
}

/// The diagnostic shown, at the start of the document, instead of the
/// findings.
pub fn notice(why: &TooBig, path: &Path) -> lsp::Diagnostic {
    let message = match why {
        TooBig::Line { line, bytes } => format!(
            "authlint does not analyse this file as you type: line {} is {bytes} bytes \
             long, over the {MAX_LINE_BYTES}-byte limit for the editor (minified or \
             generated code?). Run `authlint lint {}` to check it.",
            line + 1,
            path.display()
        ),
        TooBig::File(bytes) => format!(
            "authlint does not analyse this file: it is {bytes} bytes, over the \
             {MAX_FILE_BYTES}-byte limit (`authlint lint` skips it too)."
        ),
    };
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.into()),
        message,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        let long = "x".repeat(MAX_LINE_BYTES + 1);
        let fits = "x".repeat(MAX_LINE_BYTES);
        assert_eq!(check(&fits), None);
        assert_eq!(check(&format!("{fits}\r\n{fits}\n{fits}")), None);
        assert_eq!(
            check(&format!("a\n{fits}\n{long}\nb")),
            Some(TooBig::Line {
                line: 2,
                bytes: MAX_LINE_BYTES + 1
            })
        );
        assert_eq!(
            check(&format!("a\n{long}")),
            Some(TooBig::Line {
                line: 1,
                bytes: MAX_LINE_BYTES + 1
            })
        );
        let many = "short line\n".repeat(MAX_FILE_BYTES / 11 + 1);
        assert_eq!(check(&many), Some(TooBig::File(many.len())));
    }

    #[test]
    fn the_notice_names_the_line_and_the_command() {
        let d = notice(
            &TooBig::Line {
                line: 0,
                bytes: 600_000,
            },
            Path::new("/w/dist/app.js"),
        );
        assert_eq!(d.severity, Some(lsp::DiagnosticSeverity::INFORMATION));
        assert_eq!(d.range, lsp::Range::default());
        assert!(
            d.message.contains("line 1 is 600000 bytes"),
            "{}",
            d.message
        );
        assert!(d.message.contains("`authlint lint /w/dist/app.js`"));
    }
}
