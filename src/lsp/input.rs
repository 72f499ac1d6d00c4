//! The server's input: LSP frames read from stdin on a plain thread, checked,
//! and handed to tower-lsp-server through an [`AsyncRead`].
//!
//! tower-lsp-server stops serving at the first frame it cannot decode (its
//! framed reader ends after a codec error), so a single malformed message
//! would end the session. Here every frame is checked first: a body that
//! is not JSON becomes a request (id `null`) for `authlint/parseError`, and
//! JSON that is not a JSON-RPC message becomes one for
//! `authlint/invalidRequest` with the message's id, so the client gets the
//! error responses JSON-RPC prescribes and the server keeps going. A message
//! whose id tower-lsp-server cannot hold (`1.5`, `2^70`) is answered here,
//! directly on the output, with that id as written (see [`super::ids`]).
//!
//! Malformed framing (a bad `Content-Length`, a body shorter than announced)
//! is reported on stderr and resynchronised, or, for a length too large to
//! buffer, ends the session with exit status 2: see [`super::framing`].
//!
//! Reading on a thread of our own also means a blocked read never delays
//! the process's exit.

use super::framing::{Event, Framer};
use super::ids;
use super::output::Output;
use serde_json::{json, Value};
use std::io::Read;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc;

/// Method answered with a JSON-RPC parse error (-32700).
pub const PARSE_ERROR_METHOD: &str = "authlint/parseError";
/// Method answered with a JSON-RPC invalid request error (-32600).
pub const INVALID_REQUEST_METHOD: &str = "authlint/invalidRequest";

/// Starts reading `input` on its own thread. Answers that bypass
/// tower-lsp-server go to `output`. The flag is set when the input could
/// not be read on (the reason is on stderr); the reader then reports end of
/// input.
pub fn spawn<R: Read + Send + 'static>(
    input: R,
    output: Output,
) -> (ChannelReader, Arc<AtomicBool>) {
    let (tx, rx) = mpsc::channel::<Vec<u8>>(64);
    let fatal = Arc::new(AtomicBool::new(false));
    let flag = fatal.clone();
    std::thread::Builder::new()
        .name("authlint-lsp-stdin".into())
        .spawn(move || {
            let answer = |body| output.send_body(body);
            if let Err(reason) = read_frames(input, &tx, &answer) {
                eprintln!("authlint lsp: {reason}");
                flag.store(true, Ordering::SeqCst);
            }
        })
        .ok();
    let reader = ChannelReader {
        rx,
        chunk: Vec::new(),
        pos: 0,
    };
    (reader, fatal)
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn stand_in(method: &str, id: Value) -> Vec<u8> {
    frame(
        json!({ "jsonrpc": "2.0", "id": id, "method": method })
            .to_string()
            .as_bytes(),
    )
}

/// What to do with one received body.
#[derive(Debug)]
pub enum Checked {
    /// A frame for tower-lsp-server.
    Pass(Vec<u8>),
    /// A response body to send the client directly.
    Answer(Vec<u8>),
}

/// What to do with one received body.
pub fn check(body: &[u8]) -> Checked {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Checked::Pass(stand_in(PARSE_ERROR_METHOD, Value::Null));
    };
    if value.get("id").is_some_and(|id| !ids::supported(id)) {
        return match ids::answer(body) {
            Some(answer) => Checked::Answer(answer),
            // Not reached: `id` came from the body's top level.
            None => Checked::Pass(stand_in(INVALID_REQUEST_METHOD, Value::Null)),
        };
    }
    // Decoded from the bytes, as tower-lsp-server's codec does: a `Value`
    // has already dropped a repeated key, which the codec rejects.
    let is_message = serde_json::from_slice::<jsonrpc::Request>(body).is_ok()
        || serde_json::from_slice::<jsonrpc::Response>(body).is_ok();
    if is_message {
        return Checked::Pass(frame(body));
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Checked::Pass(stand_in(INVALID_REQUEST_METHOD, id))
}

/// Reads frames until end of input (`Ok`) or until the input cannot be
/// read on (`Err`, with the reason), passing frames to `tx` and direct
/// answers to `answer`. Recovered framing errors are reported on stderr.
fn read_frames<R: Read>(
    input: R,
    tx: &mpsc::Sender<Vec<u8>>,
    answer: &dyn Fn(Vec<u8>),
) -> Result<(), String> {
    let mut framer = Framer::new(input);
    loop {
        let out = match framer.next_event() {
            Event::Body(body, note) => {
                if let Some(note) = note {
                    eprintln!("authlint lsp: {note}");
                }
                match check(&body) {
                    Checked::Pass(frame) => frame,
                    Checked::Answer(body) => {
                        answer(body);
                        continue;
                    }
                }
            }
            Event::Malformed(reason) => {
                eprintln!("authlint lsp: {reason}");
                stand_in(PARSE_ERROR_METHOD, Value::Null)
            }
            Event::Fatal(reason) => return Err(reason),
            Event::End(note) => {
                if let Some(note) = note {
                    eprintln!("authlint lsp: {note}");
                }
                return Ok(());
            }
        };
        if tx.blocking_send(out).is_err() {
            return Ok(());
        }
    }
}

/// An [`AsyncRead`] over the frames the reader thread produces.
pub struct ChannelReader {
    rx: mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl AsyncRead for ChannelReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if this.pos >= this.chunk.len() {
            match this.rx.poll_recv(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(Ok(())), // EOF
                Poll::Ready(Some(chunk)) => {
                    this.chunk = chunk;
                    this.pos = 0;
                }
            }
        }
        let n = buf.remaining().min(this.chunk.len() - this.pos);
        buf.put_slice(&this.chunk[this.pos..this.pos + n]);
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// The frames passed on, the answers sent directly, and how it ended.
    fn run(input: &[u8]) -> (Vec<Value>, Vec<String>, Result<(), String>) {
        let (tx, mut rx) = mpsc::channel(64);
        let answers = RefCell::new(Vec::new());
        let answer = |b: Vec<u8>| answers.borrow_mut().push(String::from_utf8(b).unwrap());
        let end = read_frames(input, &tx, &answer);
        drop(tx);
        let mut out = Vec::new();
        while let Ok(f) = rx.try_recv() {
            let s = String::from_utf8(f).unwrap();
            let (head, body) = s.split_once("\r\n\r\n").unwrap();
            assert_eq!(head, format!("Content-Length: {}", body.len()));
            out.push(serde_json::from_str(body).unwrap());
        }
        (out, answers.into_inner(), end)
    }

    #[test]
    fn good_frames_pass_and_bad_ones_become_error_requests() {
        let good = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{good}\
             Content-Length: 9\r\nContent-Type: x\r\n\r\n{{not json\
             Content-Length: 11\r\n\r\n{{\"id\": \"a\"}}\
             X-Nothing: 1\r\n\r\n\
             content-length: {}\r\n\r\n{good}",
            good.len(),
            good.len()
        );
        let (out, answers, end) = run(input.as_bytes());
        assert_eq!(out.len(), 5, "{out:#?}");
        assert_eq!(out[0]["method"], "shutdown");
        assert_eq!(
            out[1],
            json!({"jsonrpc": "2.0", "id": null, "method": PARSE_ERROR_METHOD})
        );
        assert_eq!(out[2]["method"], INVALID_REQUEST_METHOD);
        assert_eq!(out[2]["id"], "a");
        assert_eq!(out[3]["method"], PARSE_ERROR_METHOD);
        assert_eq!(out[4]["method"], "shutdown");
        assert!(answers.is_empty());
        assert_eq!(end, Ok(()));
    }

    #[test]
    fn a_repeated_key_makes_an_invalid_request() {
        // A JSON value keeps the last of two `params`; the server's decoder
        // rejects the message, which would end the session.
        let body = r#"{"jsonrpc":"2.0","id":4,"params":"x","params":{}}"#;
        let (out, answers, _) =
            run(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
        assert!(answers.is_empty());
        assert_eq!(
            out,
            [json!({"jsonrpc": "2.0", "id": 4, "method": INVALID_REQUEST_METHOD})]
        );
    }

    #[test]
    fn ids_tower_lsp_server_cannot_hold_are_answered_directly() {
        let mut input = String::new();
        for id in ["1.5", "1180591620717411303424", "-9223372036854775809"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"shutdown"}}"#);
            input += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
        }
        // Not a message either, with such an id.
        input += "Content-Length: 11\r\n\r\n{\"id\": 2.5}";
        let (out, answers, _) = run(input.as_bytes());
        assert!(out.is_empty(), "{out:#?}");
        let ids: Vec<&str> = answers
            .iter()
            .map(|a| {
                let rest = a.strip_prefix(r#"{"jsonrpc":"2.0","id":"#).unwrap();
                &rest[..rest.find(',').unwrap()]
            })
            .collect();
        assert_eq!(
            ids,
            [
                "1.5",
                "1180591620717411303424",
                "-9223372036854775809",
                "2.5"
            ]
        );
    }

    #[test]
    fn truncated_input_ends_cleanly_and_a_huge_length_is_fatal() {
        assert!(run(b"Content-Length: 50\r\n\r\n{\"jsonrpc\"").0.is_empty());
        assert!(run(b"").0.is_empty());
        let (out, _, end) = run(b"Content-Length: 600000000\r\n\r\n{}");
        assert!(out.is_empty());
        assert!(end.unwrap_err().contains("600000000"));
    }
}
