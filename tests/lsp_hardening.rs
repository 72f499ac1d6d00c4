//! End-to-end tests of `authlint lsp` against hostile input: request ids
//! tower-lsp-server cannot hold, malformed framing, and documents too big
//! to lint as the user types. The real binary over pipes, as in `lsp.rs`.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};

/// A handler whose 401 has no challenge and no log line.
const HANDLER: &str = "export function handler(req: Request): Response {
  if (!req.headers.get(\"authorization\")) {
    return new Response('no', { status: 401 });
  }
  return new Response('ok');
}
";

fn raw_frame(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// A hover request with id `id` (JSON text, sent as it is).
fn hover_body(id: &str) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"textDocument/hover","params":{{"textDocument":{{"uri":"file:///tmp/authlint-lsp-hardening/none.ts"}},"position":{{"line":0,"character":0}}}}}}"#
    )
}

/// A request the server must answer (`null`: no such document).
fn still_serving(c: &mut LspClient) {
    let unknown = json!({ "textDocument": { "uri": "file:///tmp/authlint-lsp-hardening/none.ts" }, "position": { "line": 0, "character": 0 } });
    assert_eq!(c.request_ok("textDocument/hover", unknown), Value::Null);
}

/// The text of a response's top-level `id`, as written: serde_json would
/// read `2^70` as a float.
fn raw_id(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let value: Value = serde_json::from_str(text).ok()?;
    if value.get("method").is_some() {
        return None;
    }
    let at = text.find("\"id\"")? + 4;
    let rest = text[at..].trim_start().strip_prefix(':')?.trim_start();
    let end = rest
        .find(|c: char| c == ',' || c == '}' || c.is_whitespace())
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

#[test]
fn requests_with_ids_tower_lsp_server_cannot_hold_get_an_error_with_that_id() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    c.record_frames();
    for id in ["1.5", "1180591620717411303424", "-9223372036854775809"] {
        c.send_raw(&raw_frame(&hover_body(id)));
        let answer = c.wait_for(&format!("the answer to id {id}"), |m| {
            m.get("method").is_none() && m["id"].is_number() && m.get("error").is_some()
        });
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        let frames = c.take_frames();
        let ids: Vec<String> = frames.iter().filter_map(|f| raw_id(&f.body)).collect();
        assert!(
            ids.iter().any(|i| i == id),
            "no response with id {id} exactly; ids: {ids:?}"
        );
        // The server goes on.
        still_serving(&mut c);
        assert!(c.is_running());
    }
    assert!(c.shutdown().success());
}

/// Each kind of broken frame, followed by good ones: the server reports it
/// (a parse error to the client, a line on stderr) and answers what follows.
#[test]
fn malformed_framing_is_reported_and_the_server_resynchronises() {
    let (mut c, _) = LspClient::start_capturing_stderr(capabilities(false, false), Value::Null);
    let lost = hover_body("1001");
    for bad in [
        "Content-Length: abc\r\n\r\n",
        "Content-Length: -5\r\n\r\n",
        "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
    ] {
        let mut input = format!("{bad}{lost}").into_bytes();
        // A good request right behind, in the same write.
        input.extend(raw_frame(&hover_body("1002")));
        c.send_raw(&input);
        let err = c.wait_for("a parse error", |m| m["error"]["code"] == -32700);
        assert_eq!(err["id"], Value::Null, "{bad:?}: {err}");
        let answer = c.wait_for("the answer to 1002", |m| m["id"] == 1002);
        assert_eq!(answer["result"], Value::Null, "{bad:?}: {answer}");
        still_serving(&mut c);
    }
    c.wait_stderr("malformed frame");
    c.wait_stderr("resynchronised");

    // A body shorter than announced, then the next frame: both answered.
    let short = hover_body("2001");
    let mut input = format!("Content-Length: {}\r\n\r\n{short}", short.len() + 50).into_bytes();
    input.extend(raw_frame(&hover_body("2002")));
    c.send_raw(&input);
    c.wait_for("the answer to 2001", |m| m["id"] == 2001);
    c.wait_for("the answer to 2002", |m| m["id"] == 2002);
    c.wait_stderr("ended after");
    // The same with a length far beyond anything that follows.
    let mut input = format!("Content-Length: 100000000\r\n\r\n{}", hover_body("3001")).into_bytes();
    input.extend(raw_frame(&hover_body("3002")));
    c.send_raw(&input);
    c.wait_for("the answer to 3001", |m| m["id"] == 3001);
    c.wait_for("the answer to 3002", |m| m["id"] == 3002);
    // A short body that is not JSON: a parse error, then the next frame.
    let mut input = b"Content-Length: 60\r\n\r\n{\"jsonrpc\"".to_vec();
    input.extend(raw_frame(&hover_body("4001")));
    c.send_raw(&input);
    c.wait_for("a parse error", |m| m["error"]["code"] == -32700);
    c.wait_for("the answer to 4001", |m| m["id"] == 4001);
    still_serving(&mut c);
    assert!(c.shutdown().success());
}

#[test]
fn a_frame_too_large_to_buffer_ends_the_server_with_a_reason() {
    let (mut c, _) = LspClient::start_capturing_stderr(capabilities(false, false), Value::Null);
    c.send_raw(b"Content-Length: 1073741824\r\n\r\n{}");
    // More input keeps coming; the server does not wait on it.
    c.send_raw(&raw_frame(&hover_body("5001")));
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(2));
    let stderr = c.wait_stderr("1073741824");
    assert!(stderr.contains("Content-Length"), "{stderr}");
}

/// Bundler output: one line of about 600 KB.
fn bundle() -> String {
    let unit = "app.get('/x',function(req,res){if(!req.user){return res.status(401).json({error:'no'})}res.json({ok:1})});";
    format!("{}\n", unit.repeat(600_000 / unit.len() + 1))
}

fn assert_notice(diags: &[Value], says: &str) {
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["severity"], 3, "Information: {d}");
    assert_eq!(d["source"], "authlint");
    assert_eq!(d["range"]["start"], json!({ "line": 0, "character": 0 }));
    let message = d["message"].as_str().unwrap_or("");
    assert!(message.contains(says), "{message}");
}

#[test]
fn a_document_with_a_huge_line_gets_one_notice_until_it_shrinks() {
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-oversized/bundle.js";
    let text = bundle();
    c.open(uri, "javascript", 1, &text);
    assert_notice(&c.diagnostics(uri, 1), "authlint lint");
    // Typing into it: the notice again, not a lint.
    let text = c.change(uri, 2, &text, 0, 0, "x");
    assert_notice(&c.diagnostics(uri, 2), "line 1 is");
    // The server still answers requests, about this document too.
    still_serving(&mut c);
    let hover =
        json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 5 } });
    assert_eq!(c.request_ok("textDocument/hover", hover), Value::Null);
    // Replace it with short lines: the notice goes, the findings come.
    c.change(uri, 3, &text, 0, text.len(), HANDLER);
    let diags = c.diagnostics(uri, 3);
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes.len(), diags.len(), "findings only: {diags:#?}");
    assert!(codes.contains(&"require-www-authenticate"), "{codes:?}");
    assert!(c.shutdown().success());
}

/// Pulled diagnostics carry the notice too, and a document over the CLI's
/// size limit gets one saying so.
#[test]
fn oversized_documents_get_the_notice_when_pulled() {
    let (mut c, _) = LspClient::start(capabilities(true, false), Value::Null);
    let pull = |c: &mut LspClient, uri: &str| -> Vec<Value> {
        let report = c.request_ok(
            "textDocument/diagnostic",
            json!({ "textDocument": { "uri": uri } }),
        );
        report["items"].as_array().cloned().unwrap_or_default()
    };
    let uri = "file:///tmp/authlint-lsp-oversized/pulled.js";
    c.open(uri, "javascript", 1, &bundle());
    assert_notice(&pull(&mut c, uri), "authlint lint");
    let big_uri = "file:///tmp/authlint-lsp-oversized/big.ts";
    let big = HANDLER.repeat(authlint::lint::MAX_FILE_BYTES / HANDLER.len() + 1);
    c.open(big_uri, "typescript", 1, &big);
    assert_notice(&pull(&mut c, big_uri), "-byte limit");
    // A normal document beside them is linted as ever.
    let small = "file:///tmp/authlint-lsp-oversized/small.ts";
    c.open(small, "typescript", 1, HANDLER);
    assert_eq!(pull(&mut c, small).len(), 2);
    assert!(c.shutdown().success());
}

/// An open document imports `./cors.ts`, which is a FIFO or a symlink to
/// `/dev/zero`: the server must not block or grow on it, and publishes.
#[test]
fn imports_of_fifos_and_devices_do_not_stall_the_server() {
    let main = "import { corsHeaders } from './cors.ts';\n\
                export default () => new Response('no', { status: 401, headers: { ...corsHeaders } });\n";
    for special in ["fifo", "device"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("main.ts");
        std::fs::write(&path, main).unwrap();
        let cors = dir.path().join("cors.ts");
        if special == "fifo" {
            let made = std::process::Command::new("mkfifo").arg(&cors).status();
            assert!(made.unwrap().success());
        } else {
            std::os::unix::fs::symlink("/dev/zero", &cors).unwrap();
        }
        let root = file_uri(dir.path());
        let (mut c, _) = LspClient::start_in(
            dir.path(),
            Some(&root),
            capabilities(false, false),
            Value::Null,
        );
        let uri = file_uri(&path);
        c.open(&uri, "typescript", 1, main);
        let diags = c.diagnostics(&uri, 1);
        let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
        // The spread headers are unknown, so only the silent 401 is reported.
        assert_eq!(codes, ["require-401-logging"], "{special}: {diags:#?}");
        still_serving(&mut c);
        assert!(c.shutdown().success(), "{special}");
    }
}

/// Fix-all on a file with a syntax error inserts each fix once, however
/// often it is asked for.
#[test]
fn fix_all_is_idempotent_on_a_file_with_a_syntax_error() {
    let text = "function h() {\n  return {\n    statusCode: 401,\n    body: f(!,\n  }\n}\n";
    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let uri = "file:///tmp/authlint-lsp-hardening/ni.js";
    let mut current = text.to_string();
    for version in 1..=3 {
        if version == 1 {
            c.open(uri, "javascript", 1, &current);
        } else {
            c.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": current }] }),
            );
        }
        c.diagnostics(uri, version);
        let everything = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } });
        let actions = c.request_ok(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": everything, "context": { "diagnostics": [], "only": ["source.fixAll"] } }),
        );
        if let Some(fix_all) = actions.as_array().and_then(|a| a.first()) {
            current = apply_edits(&current, &edits_for(&fix_all["edit"], uri), false);
        }
        assert!(
            current.matches("WWW-Authenticate").count() <= 1,
            "round {version}: {current}"
        );
    }
    assert!(c.shutdown().success());
}
