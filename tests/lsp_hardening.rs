//! End-to-end tests of `authlint lsp` against hostile input: request ids
//! tower-lsp-server cannot hold. The real binary over pipes, as in `lsp.rs`.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};

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
