//! A small JSON-RPC client that drives the real `authlint lsp` process over
//! pipes, the way an editor does: Content-Length framing, requests matched
//! to responses by id, server-to-client requests answered automatically.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long to wait for any one message before declaring the server hung.
/// Not a timing assertion: a healthy server answers in milliseconds.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub struct LspClient {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    rx: Receiver<Value>,
    /// Messages received but not yet consumed by a `wait_*` call.
    pub buffer: VecDeque<Value>,
    next_id: i64,
    /// The `authlint` section returned to `workspace/configuration`.
    pub configuration: Arc<Mutex<Value>>,
    /// Every request the server sent to the client, in order.
    pub server_requests: Arc<Mutex<Vec<Value>>>,
    /// Whether positions are UTF-8 (negotiated) rather than UTF-16.
    pub utf8: bool,
    /// Every frame received, raw, while recording ([`LspClient::record_frames`]).
    frames: Arc<Mutex<Option<Vec<Frame>>>>,
    /// What the server wrote to stderr, when captured
    /// ([`LspClient::start_capturing_stderr`]).
    stderr: Option<Arc<Mutex<Vec<u8>>>>,
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_authlint")
}

fn write_frame(stdin: &Mutex<Option<ChildStdin>>, body: &[u8]) {
    let mut guard = stdin.lock().unwrap();
    if let Some(w) = guard.as_mut() {
        let _ = write!(w, "Content-Length: {}\r\n\r\n", body.len());
        let _ = w.write_all(body);
        let _ = w.flush();
    }
}

/// A message body as it arrived, with the moment its last byte was read.
pub struct Frame {
    pub arrived: Instant,
    pub body: Vec<u8>,
}

/// Reads one framed message; `None` at end of stream.
fn read_frame(r: &mut impl BufRead) -> Option<Frame> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    Some(Frame {
        arrived: Instant::now(),
        body,
    })
}

impl LspClient {
    /// Starts `authlint lsp` with a working directory.
    pub fn spawn_in(dir: &std::path::Path) -> Self {
        Self::spawn_with(dir, false)
    }

    /// Starts `authlint lsp`; with `capture_stderr`, keeps what it writes to
    /// stderr for [`LspClient::stderr_text`] instead of passing it through.
    pub fn spawn_with(dir: &std::path::Path, capture_stderr: bool) -> Self {
        let mut child = Command::new(binary())
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if capture_stderr {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("start authlint lsp");
        let stderr = child.stderr.take().map(|mut pipe| {
            let kept = Arc::new(Mutex::new(Vec::new()));
            let sink = kept.clone();
            std::thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = std::io::Read::read(&mut pipe, &mut chunk) {
                    if n == 0 {
                        break;
                    }
                    sink.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            });
            kept
        });
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        let configuration = Arc::new(Mutex::new(Value::Null));
        let server_requests = Arc::new(Mutex::new(Vec::new()));
        let frames: Arc<Mutex<Option<Vec<Frame>>>> = Arc::new(Mutex::new(None));
        {
            let stdin = stdin.clone();
            let configuration = configuration.clone();
            let server_requests = server_requests.clone();
            let frames = frames.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(stdout);
                while let Some(frame) = read_frame(&mut r) {
                    let Ok(msg) = serde_json::from_slice::<Value>(&frame.body) else {
                        break;
                    };
                    if let Some(kept) = frames.lock().unwrap().as_mut() {
                        kept.push(frame);
                    }
                    let is_request = msg.get("method").is_some() && msg.get("id").is_some();
                    if is_request {
                        server_requests.lock().unwrap().push(msg.clone());
                        let result = match msg["method"].as_str().unwrap_or("") {
                            "workspace/configuration" => {
                                let n = msg["params"]["items"].as_array().map_or(1, |a| a.len());
                                let v = configuration.lock().unwrap().clone();
                                Value::Array(vec![v; n])
                            }
                            "workspace/applyEdit" => json!({ "applied": true }),
                            _ => Value::Null,
                        };
                        let reply = json!({ "jsonrpc": "2.0", "id": msg["id"], "result": result });
                        write_frame(&stdin, reply.to_string().as_bytes());
                    }
                    if tx.send(msg).is_err() {
                        break;
                    }
                }
            });
        }
        LspClient {
            child,
            stdin,
            rx,
            buffer: VecDeque::new(),
            next_id: 0,
            configuration,
            server_requests,
            utf8: false,
            frames,
            stderr,
        }
    }

    /// What the server wrote to stderr so far (empty unless captured).
    pub fn stderr_text(&self) -> String {
        self.stderr.as_ref().map_or(String::new(), |s| {
            String::from_utf8_lossy(&s.lock().unwrap()).into_owned()
        })
    }

    /// Waits (up to [`PATIENCE`]) until the captured stderr contains `needle`.
    pub fn wait_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.stderr_text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "no {needle:?} on the server's stderr: {text:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// From now on, keeps every frame received as raw bytes with its time
    /// of arrival (for the latency benchmark), until [`LspClient::take_frames`].
    pub fn record_frames(&self) {
        *self.frames.lock().unwrap() = Some(Vec::new());
    }

    /// The frames kept since recording started or since the last call.
    pub fn take_frames(&self) -> Vec<Frame> {
        self.frames
            .lock()
            .unwrap()
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    pub fn spawn() -> Self {
        Self::spawn_in(&std::env::temp_dir())
    }

    /// Spawns and runs `initialize` + `initialized` with the given client
    /// capabilities and initialization options. Returns the initialize result.
    pub fn start(capabilities: Value, options: Value) -> (Self, Value) {
        Self::start_in(&std::env::temp_dir(), None, capabilities, options)
    }

    /// [`LspClient::start`], keeping the server's stderr.
    pub fn start_capturing_stderr(capabilities: Value, options: Value) -> (Self, Value) {
        let c = Self::spawn_with(&std::env::temp_dir(), true);
        c.initialize(None, capabilities, options)
    }

    pub fn start_in(
        dir: &std::path::Path,
        root: Option<&str>,
        capabilities: Value,
        options: Value,
    ) -> (Self, Value) {
        Self::spawn_in(dir).initialize(root, capabilities, options)
    }

    /// Runs `initialize` + `initialized`; returns the initialize result.
    fn initialize(
        mut self,
        root: Option<&str>,
        capabilities: Value,
        options: Value,
    ) -> (Self, Value) {
        let result = self.request_ok(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.utf8 = result["capabilities"]["positionEncoding"] == "utf-8";
        self.notify("initialized", json!({}));
        (self, result)
    }

    pub fn send(&self, msg: &Value) {
        write_frame(&self.stdin, msg.to_string().as_bytes());
    }

    pub fn send_raw(&self, bytes: &[u8]) {
        let mut guard = self.stdin.lock().unwrap();
        if let Some(w) = guard.as_mut() {
            let _ = w.write_all(bytes);
            let _ = w.flush();
        }
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its id without waiting.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    /// Sends a request, waits, and returns `result` (panics on an error).
    pub fn request_ok(&mut self, method: &str, params: Value) -> Value {
        let resp = self.request(method, params);
        assert!(resp.get("error").is_none(), "{method} failed: {resp}");
        resp["result"].clone()
    }

    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m.get("method").is_none() && m["id"] == json!(id)
        })
    }

    /// Removes and returns the first message (buffered or arriving) that
    /// satisfies `pred`.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.buffer.iter().position(&pred) {
            return self.buffer.remove(i).unwrap();
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(m) => self.buffer.push_back(m),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} from the server; received: {:#?}", self.buffer)
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "server closed its output while waiting for {what}; received: {:#?}",
                        self.buffer
                    )
                }
            }
        }
    }

    /// Moves everything already received into the buffer.
    pub fn drain(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            self.buffer.push_back(m);
        }
    }

    /// Waits for `publishDiagnostics` of `uri` at `version` and returns its
    /// diagnostics. Earlier publications for the URI are discarded.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let msg = self.wait_for(&format!("diagnostics for {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == json!(version)
        });
        self.buffer.retain(|m| {
            !(m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"]
                    .as_i64()
                    .is_some_and(|v| v <= version))
        });
        match msg {
            Value::Object(mut m) => match m.remove("params") {
                Some(Value::Object(mut p)) => match p.remove("diagnostics") {
                    Some(Value::Array(d)) => d,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Waits for the next `publishDiagnostics` of `uri` (any version).
    pub fn next_diagnostics(&mut self, uri: &str) -> Value {
        self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })["params"]
            .clone()
    }

    pub fn open(&self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": version, "text": text } }),
        );
    }

    /// Sends one incremental change replacing byte range `start..end` of
    /// `text` (converted to the negotiated encoding) with `new`; returns the
    /// new text.
    pub fn change(
        &self,
        uri: &str,
        version: i64,
        text: &str,
        start: usize,
        end: usize,
        new: &str,
    ) -> String {
        let range = json!({
            "start": position(text, start, self.utf8),
            "end": position(text, end, self.utf8),
        });
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": range, "text": new }],
            }),
        );
        let mut out = text.to_string();
        out.replace_range(start..end, new);
        out
    }

    /// The server's own view of a document (text, version, trees).
    pub fn debug_document(&mut self, uri: &str) -> Value {
        self.request_ok("authlint/debugDocument", json!({ "uri": uri }))
    }

    /// `shutdown`, `exit`, and the exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        self.request_ok("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn close_stdin(&self) {
        self.stdin.lock().unwrap().take();
    }

    /// Waits (up to [`PATIENCE`]) for the process to end.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for LspClient {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The LSP position of byte `offset` (UTF-16 or UTF-8 columns).
pub fn position(text: &str, offset: usize, utf8: bool) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col_text = &text[line_start..offset];
    let character = if utf8 {
        col_text.len()
    } else {
        col_text.encode_utf16().count()
    };
    json!({ "line": line, "character": character })
}

/// The byte offset of an LSP position (the inverse of [`position`]).
pub fn offset(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_text = &text[start..end];
    if utf8 {
        return start + character.min(line_text.len());
    }
    let mut units = 0;
    for (i, ch) in line_text.char_indices() {
        if units >= character {
            return start + i;
        }
        units += ch.len_utf16();
    }
    end
}

/// Applies LSP `TextEdit`s (all relative to `text`) and returns the result.
pub fn apply_edits(text: &str, edits: &[Value], utf8: bool) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"], utf8),
                offset(text, &e["range"]["end"], utf8),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    let mut out = text.to_string();
    for (s, e, new) in spans.into_iter().rev() {
        out.replace_range(s..e, &new);
    }
    out
}

/// The edits of `uri` in a `WorkspaceEdit`.
pub fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
    if let Some(v) = edit["changes"][uri].as_array() {
        return v.clone();
    }
    edit["documentChanges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["textDocument"]["uri"] == uri)
        .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// Client capabilities of a typical editor. `pull` adds pull diagnostics,
/// `utf8` offers UTF-8 positions.
pub fn capabilities(pull: bool, utf8: bool) -> Value {
    let mut caps = json!({
        "general": { "positionEncodings": if utf8 { json!(["utf-8", "utf-16"]) } else { json!(["utf-16"]) } },
        "workspace": {
            "configuration": true,
            "didChangeConfiguration": { "dynamicRegistration": true },
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "diagnostic": { "refreshSupport": true },
            "applyEdit": true,
        },
        "textDocument": {
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
            "codeAction": {
                "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "source", "source.fixAll"] } },
                "isPreferredSupport": true,
            },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
        },
    });
    if pull {
        caps["textDocument"]["diagnostic"] = json!({ "dynamicRegistration": false });
    }
    caps
}

/// A `file://` URI for a path.
pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}
