//! Splitting the server's input into LSP frames, and what happens when the
//! framing is wrong.
//!
//! A frame is a header block (`Name: value` lines ended by an empty line)
//! and a body of exactly `Content-Length` bytes. A malformed frame is never
//! passed over in silence: each is reported on stderr, and the reader either
//! **resynchronises** or **stops**:
//!
//! - **Bad headers** (no `Content-Length`, one that is not a non-negative
//!   integer, two that disagree, a line that is not `Name: value`, a line
//!   over 8 KiB): the reader reports [`Event::Malformed`] (the client gets a
//!   `-32700` parse error with id `null`) and skips to the next
//!   `Content-Length:` (any case), looking from just after the start of the
//!   bad line (or from the end of a block without a length), and reads
//!   headers again there. Until a frame reads well, further bad headers are
//!   skipped the same way without another report; the first good frame's
//!   note says how many bytes were skipped.
//! - **A body shorter than announced, followed by the next frame**: as soon
//!   as the bytes read for the body are a complete JSON object or array
//!   followed by `Content-Length:`, the body ends there (it is served
//!   normally, with a note) and the next frame starts at that header. This
//!   never splits a well-formed body: inside a JSON text `Content-Length:`
//!   can only be part of a string, and no prefix ending inside a string is a
//!   complete value. A short body that is not JSON is read to its announced
//!   length; if those bytes hold `Content-Length:`, the body ends there (the
//!   client gets a parse error for it) and the rest is read again as the
//!   next frame. Such a body announcing more than ever arrives is waited
//!   for, as any frame is.
//! - **A `Content-Length` over 512 MiB** (or too big for a number) where a
//!   frame was expected is fatal ([`Event::Fatal`]): the body cannot be
//!   buffered, and skipping it would mean guessing where it ends, inside
//!   what may be a document's text. The server says why on stderr and exits
//!   with status 2. Met while resynchronising, it is one more bad header.
//!
//! Resynchronising trusts the first `Content-Length:` it finds, so text in a
//! skipped body can be taken for a header. In a JSON body that "header"
//! fails: JSON strings hold no raw line breaks, so its line runs on to the
//! next real one and its value is no number; the search goes on just after
//! it, and the next real frame is still found.

use std::io::Read;

/// Header lines longer than this are garbage, not headers.
pub const MAX_HEADER_LINE: usize = 8 * 1024;
/// Bodies larger than this are refused rather than buffered.
pub const MAX_BODY: usize = 512 * 1024 * 1024;

const HEADER: &[u8] = b"content-length:";

/// What the reader found next.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    /// A message body (not checked to be JSON), with a note for stderr when
    /// its frame was malformed but could be recovered.
    Body(Vec<u8>, Option<String>),
    /// A frame whose headers were malformed; the reader skipped ahead.
    Malformed(String),
    /// The input cannot be read on; the session must end.
    Fatal(String),
    /// End of input, with a note when it came inside a frame.
    End(Option<String>),
}

/// Reads frames from `input`.
pub struct Framer<R> {
    input: R,
    buf: Vec<u8>,
    /// Where the unread bytes of `buf` start.
    pos: usize,
    /// Bytes skipped since a bad header block (`Some` while resynchronising).
    skipped: Option<usize>,
    /// Where to look for the next header, once the bad block is reported.
    resume: Option<usize>,
}

enum Headers {
    /// Headers read; the body of this many bytes starts at this offset.
    Complete {
        body: usize,
        length: usize,
    },
    /// Malformed; the search for the next header resumes at this offset.
    Bad(String, usize),
    /// A length over [`MAX_BODY`]; as for `Bad`.
    TooLarge(String, usize),
    NeedMore,
}

impl<R: Read> Framer<R> {
    pub fn new(input: R) -> Self {
        Framer {
            input,
            buf: Vec::new(),
            pos: 0,
            skipped: None,
            resume: None,
        }
    }

    /// Reads more input into `buf`; `false` at end of input (or on error).
    fn fill(&mut self) -> bool {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + 64 * 1024, 0);
        let n = loop {
            match self.input.read(&mut self.buf[old..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Ok(n) => break n,
                Err(_) => break 0,
            }
        };
        self.buf.truncate(old + n);
        n > 0
    }

    /// The next frame, or what went wrong instead.
    pub fn next_event(&mut self) -> Event {
        if let Some(from) = self.resume.take() {
            self.resync(from);
        }
        loop {
            match self.headers() {
                Headers::NeedMore => {
                    if !self.fill() {
                        let rest = self.buf.len() - self.pos;
                        let only_blank =
                            self.buf[self.pos..].iter().all(|b| b.is_ascii_whitespace());
                        return Event::End((!only_blank && self.skipped.is_none()).then(|| {
                            format!("input ended inside a frame's headers ({rest} bytes)")
                        }));
                    }
                }
                Headers::Complete { body, length } => return self.body(body, length),
                Headers::TooLarge(reason, _) if self.skipped.is_none() => {
                    return Event::Fatal(format!(
                        "{reason}; the input cannot be read on, so the server stops"
                    ));
                }
                Headers::Bad(reason, from) | Headers::TooLarge(reason, from) => {
                    if self.skipped.is_some() {
                        self.resync(from);
                        continue;
                    }
                    // Reported before skipping, which may wait for input.
                    self.skipped = Some(0);
                    self.resume = Some(from);
                    return Event::Malformed(format!(
                        "malformed frame ({reason}); skipping to the next Content-Length header"
                    ));
                }
            }
        }
    }

    /// Skips to the first `Content-Length:` at or after `from` (and after
    /// `pos`), reading more input as needed.
    fn resync(&mut self, from: usize) {
        let mut skipped = 0;
        let mut from = from.max(self.pos + 1).min(self.buf.len());
        loop {
            if let Some(k) = find_header(&self.buf[from..]) {
                skipped += from + k - self.pos;
                self.pos = from + k;
                break;
            }
            // Nothing before the last few bytes starts a header; they may
            // hold the start of one cut in two.
            let keep = self.buf.len().saturating_sub(HEADER.len() - 1).max(from);
            skipped += keep - self.pos;
            self.pos = keep;
            if !self.fill() {
                skipped += self.buf.len() - self.pos;
                self.pos = self.buf.len();
                break;
            }
            // `fill` may have moved the unread bytes to the front.
            from = self.pos;
        }
        *self.skipped.get_or_insert(0) += skipped;
    }

    /// Parses the header block at `pos`, skipping blank lines before it.
    /// A bad line resumes the search for a header just after its own start
    /// (the next frame's header may follow garbage on the same line); a
    /// block without a length, after its end.
    fn headers(&mut self) -> Headers {
        let mut i = self.pos;
        let mut seen = false;
        let mut length: Option<usize> = None;
        loop {
            let line_start = i;
            let bad = |reason: String| Headers::Bad(reason, line_start + 1);
            let rest = &self.buf[i..];
            let nl = memchr::memchr(b'\n', rest);
            if nl.map_or(rest.len(), |n| n) > MAX_HEADER_LINE {
                return bad(format!("a header line over {MAX_HEADER_LINE} bytes"));
            }
            let Some(nl) = nl else {
                return Headers::NeedMore;
            };
            let line = rest[..nl].strip_suffix(b"\r").unwrap_or(&rest[..nl]);
            i += nl + 1;
            if line.is_empty() {
                if !seen {
                    self.pos = i; // a blank line between frames
                    continue;
                }
                return match length {
                    Some(length) => Headers::Complete { body: i, length },
                    None => Headers::Bad("no Content-Length header".into(), i),
                };
            }
            seen = true;
            let shown = |b: &[u8]| String::from_utf8_lossy(&b[..b.len().min(60)]).into_owned();
            let not_a_header = || {
                bad(format!(
                    "header line {:?} is not `Name: value`",
                    shown(line)
                ))
            };
            let Some(colon) = memchr::memchr(b':', line) else {
                return not_a_header();
            };
            let name = line[..colon].trim_ascii();
            if name.is_empty() || !name.iter().all(u8::is_ascii_graphic) {
                return not_a_header();
            }
            if !name.eq_ignore_ascii_case(&HEADER[..HEADER.len() - 1]) {
                continue; // Content-Type and the like
            }
            let value = line[colon + 1..].trim_ascii();
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                return bad(format!(
                    "Content-Length {:?} is not a non-negative integer",
                    shown(value)
                ));
            }
            let n = match std::str::from_utf8(value).ok().and_then(|v| v.parse().ok()) {
                Some(n) if n <= MAX_BODY => n,
                _ => {
                    return Headers::TooLarge(
                        format!(
                            "a frame announces {} bytes (Content-Length), over the {MAX_BODY}-byte limit",
                            shown(value)
                        ),
                        line_start + 1,
                    )
                }
            };
            if length.is_some_and(|l| l != n) {
                return bad("two Content-Length headers that disagree".into());
            }
            length = Some(n);
        }
    }

    /// Reads the body of `length` bytes starting at `start`.
    fn body(&mut self, mut start: usize, length: usize) -> Event {
        let resynced = self
            .skipped
            .take()
            .map(|n| format!("resynchronised at a Content-Length header after skipping {n} bytes"));
        // Body offsets before which every header start was looked at.
        let mut searched = 0;
        let mut first_header = None;
        loop {
            let have = (self.buf.len() - start).min(length);
            while let Some(k) = find_header(&self.buf[start + searched..start + have]) {
                let k = searched + k;
                first_header.get_or_insert(k);
                if complete_json(&self.buf[start..start + k]) {
                    self.pos = start + k;
                    let note = format!(
                        "a frame announced {length} bytes but its message ended after {k}, \
                         where the next frame's header starts"
                    );
                    return self.take(start, k, join(resynced, note));
                }
                searched = k + 1;
            }
            searched = searched.max(have.saturating_sub(HEADER.len() - 1));
            if have == length {
                break;
            }
            let before = self.pos;
            if !self.fill() {
                return Event::End(Some(format!(
                    "input ended inside a frame ({have} of {length} bytes)"
                )));
            }
            // `fill` may have moved the unread bytes to the front.
            start -= before - self.pos;
        }
        if let Some(k) = first_header {
            if serde_json::from_slice::<serde::de::IgnoredAny>(&self.buf[start..start + length])
                .is_err()
            {
                self.pos = start + k;
                let note = format!(
                    "a frame's body is not JSON and holds a Content-Length header at byte {k}; \
                     reading on from there"
                );
                return self.take(start, k, join(resynced, note));
            }
        }
        self.pos = start + length;
        self.take(start, length, resynced)
    }

    fn take(&self, start: usize, len: usize, note: Option<String>) -> Event {
        Event::Body(self.buf[start..start + len].to_vec(), note)
    }
}

fn join(a: Option<String>, b: String) -> Option<String> {
    Some(match a {
        Some(a) => format!("{a}; {b}"),
        None => b,
    })
}

/// Where `Content-Length:` (any case) first starts in `bytes`.
fn find_header(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2_iter(b'c', b'C', bytes).find(|&i| {
        bytes
            .get(i..i + HEADER.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(HEADER))
    })
}

/// Whether `bytes` is one whole JSON object or array (whitespace around it
/// allowed). Only such values are message bodies.
fn complete_json(bytes: &[u8]) -> bool {
    let end = bytes.trim_ascii_end();
    matches!(end.last(), Some(b'}' | b']'))
        && serde_json::from_slice::<serde::de::IgnoredAny>(end).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out its input a few bytes at a time, as a pipe may.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(self.1).min(out.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn events(input: &[u8]) -> Vec<Event> {
        let mut all = Vec::new();
        for step in [1, 7, 1 << 20] {
            let mut f = Framer::new(Trickle(input, step));
            let mut out = Vec::new();
            loop {
                let e = f.next_event();
                let end = matches!(e, Event::End(_) | Event::Fatal(_));
                out.push(e);
                if end {
                    break;
                }
            }
            if step > 1 {
                assert_eq!(out, all, "read {step} bytes at a time");
            }
            all = out;
        }
        all
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    fn bodies(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Body(b, _) => Some(String::from_utf8_lossy(b).into_owned()),
                _ => None,
            })
            .collect()
    }

    const A: &str = r#"{"jsonrpc":"2.0","id":1,"method":"a"}"#;
    const B: &str = r#"{"jsonrpc":"2.0","id":2,"method":"b"}"#;

    #[test]
    fn good_frames_with_blank_lines_and_other_headers() {
        let input = format!(
            "{}\r\n{}Content-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: {}\r\n\r\n{B}",
            frame(A),
            frame(A),
            B.len()
        );
        let e = events(input.as_bytes());
        assert_eq!(bodies(&e), [A, A, B]);
        assert!(e
            .iter()
            .all(|e| matches!(e, Event::Body(_, None) | Event::End(None))));
    }

    #[test]
    fn bad_lengths_resynchronise_at_the_next_frame() {
        for bad in [
            "Content-Length: abc\r\n\r\n",
            "Content-Length: -5\r\n\r\n",
            "Content-Length: \r\n\r\n",
            "Content-Type: x\r\n\r\n",
            "Content-Length: 5\r\nContent-Length: 6\r\n\r\n",
            "garbage\r\n\r\n",
        ] {
            // The bad frame's body mentions the header inside a string, as
            // a document about HTTP would.
            let junk = r#"{"text":"Content-Length: 12\\r\\n\\r\\nhello"}"#;
            let input = format!("{bad}{junk}{}", frame(B));
            let e = events(input.as_bytes());
            assert!(matches!(&e[0], Event::Malformed(_)), "{bad:?}: {e:?}");
            assert_eq!(bodies(&e), [B], "{bad:?}: {e:?}");
            let Event::Body(_, Some(note)) = &e[1] else {
                panic!("{e:?}")
            };
            assert!(note.contains("resynchronised"), "{note}");
            assert_eq!(e.len(), 3, "{bad:?}: {e:?}");
        }
    }

    #[test]
    fn a_short_body_ends_where_the_next_frame_starts() {
        // Announced longer than it is, with the next frames after it.
        let input = format!(
            "Content-Length: {}\r\n\r\n{A}\r\n{}{}",
            A.len() + 30,
            frame(B),
            frame(A)
        );
        let e = events(input.as_bytes());
        assert_eq!(bodies(&e), [&format!("{A}\r\n"), B, A]);
        assert!(matches!(&e[0], Event::Body(_, Some(n)) if n.contains("ended after")));
        // Announced far longer than the input holds: not waited for.
        let input = format!("Content-Length: 100000000\r\n\r\n{A}{}", frame(B));
        assert_eq!(bodies(&events(input.as_bytes())), [A, B]);
        // A short body that is not JSON: read to its length, then the rest
        // again.
        let input = format!("Content-Length: 40\r\n\r\n{{\"jsonrpc\"{}", frame(B));
        let e = events(input.as_bytes());
        assert_eq!(bodies(&e), ["{\"jsonrpc\"", B]);
        // A body holding the header inside a string is left whole.
        let tricky = r#"{"jsonrpc":"2.0","method":"x","params":{"t":"}Content-Length: 3"}}"#;
        assert_eq!(
            bodies(&events(format!("{}{}", frame(tricky), frame(B)).as_bytes())),
            [tricky, B]
        );
    }

    #[test]
    fn huge_lengths_are_fatal_unless_met_while_resynchronising() {
        for huge in ["536870913", "99999999999999999999999999"] {
            let input = format!("Content-Length: {huge}\r\n\r\n{A}{}", frame(B));
            let e = events(input.as_bytes());
            assert_eq!(e.len(), 1, "{e:?}");
            assert!(
                matches!(&e[0], Event::Fatal(m) if m.contains(huge)),
                "{e:?}"
            );
        }
        let input = format!(
            "Content-Length: x\r\n\r\nContent-Length: 99999999999\r\n\r\n{A}{}",
            frame(B)
        );
        assert_eq!(bodies(&events(input.as_bytes())), [B]);
    }

    #[test]
    fn truncated_input_ends_with_a_note() {
        let e = events(b"Content-Length: 50\r\n\r\n{\"jsonrpc\"");
        assert!(
            matches!(&e[..], [Event::End(Some(n))] if n.contains("10 of 50")),
            "{e:?}"
        );
        assert_eq!(events(b""), [Event::End(None)]);
        assert_eq!(events(b"\r\n\r\n"), [Event::End(None)]);
        let e = events(b"Content-Len");
        assert!(matches!(&e[..], [Event::End(Some(_))]), "{e:?}");
    }

    #[test]
    fn overlong_header_lines_are_skipped() {
        let input = format!("{}\r\n{}", "x".repeat(MAX_HEADER_LINE + 10), frame(A));
        let e = events(input.as_bytes());
        assert!(
            matches!(&e[0], Event::Malformed(m) if m.contains("over")),
            "{e:?}"
        );
        assert_eq!(bodies(&e), [A]);
    }
}
