//! Request ids that tower-lsp-server cannot hold.
//!
//! JSON-RPC 2.0 lets an id be a string, a number or null. tower-lsp-server's
//! `Id` holds strings and `i64` numbers only, and it stops serving at the
//! first frame it cannot decode, so a message whose id is `1.5`, `1e3` or an
//! integer outside the `i64` range (`2^70`, `-2^63-1`) must not reach it.
//! [`super::input`] answers such a message itself, with an "invalid request"
//! error ([`answer`]) carrying the id exactly as the client wrote it, and
//! the server carries on.
//!
//! The id's text is taken from the raw body: serde_json, without its
//! `arbitrary_precision` feature (which this crate does not enable), reads
//! `1180591620717411303424` as a float and would write it back as
//! `1.1805916207174113e21`, an id the client never sent.

use serde_json::Value;

/// JSON-RPC's "Invalid Request" error code.
pub const INVALID_REQUEST: i64 = -32600;

/// Whether tower-lsp-server can hold `id`, a message's parsed id.
pub fn supported(id: &Value) -> bool {
    match id {
        // `as_i64` is `None` for floats and for integers past `i64`.
        Value::Number(n) => n.as_i64().is_some(),
        _ => true,
    }
}

/// The error response for `body`, a message (valid JSON) whose id is not
/// [`supported`], echoing its id's text. `None` when `body` has no
/// top-level `id`.
pub fn answer(body: &[u8]) -> Option<Vec<u8>> {
    let id = member(body, "id")?;
    let mut out = Vec::with_capacity(id.len() + 200);
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    out.extend_from_slice(id);
    out.extend_from_slice(b",\"error\":{\"code\":");
    out.extend_from_slice(INVALID_REQUEST.to_string().as_bytes());
    out.extend_from_slice(
        b",\"message\":\"unsupported request id: authlint takes string ids and \
          integer ids from -2^63 to 2^63-1\"}}",
    );
    Some(out)
}

/// The raw text of the top-level member `name` of `body`, a JSON text
/// already known to be valid. The last one wins when `name` appears more
/// than once, as in serde_json's maps.
fn member<'a>(body: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let mut i = skip_ws(body, 0);
    if body.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    let mut found = None;
    loop {
        i = skip_ws(body, i);
        match body.get(i)? {
            b'}' => return found,
            b',' => {
                i += 1;
                continue;
            }
            b'"' => {}
            _ => return None,
        }
        let key_end = skip_string(body, i)?;
        // Keys may be written with escapes (`"\u0069d"`).
        let key: String = serde_json::from_slice(&body[i..key_end]).ok()?;
        i = skip_ws(body, key_end);
        if body.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(body, i + 1);
        let end = skip_value(body, i)?;
        if key == name {
            found = Some(&body[i..end]);
        }
        i = end;
    }
}

fn skip_ws(body: &[u8], mut i: usize) -> usize {
    while body.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
        i += 1;
    }
    i
}

/// The end of the string starting at `i` (just past its closing quote).
fn skip_string(body: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match body.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// The end of the value starting at `i`.
fn skip_value(body: &[u8], i: usize) -> Option<usize> {
    match body.get(i)? {
        b'"' => skip_string(body, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match body.get(j)? {
                    b'"' => {
                        j = skip_string(body, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        // A number, `true`, `false` or `null`.
        _ => {
            let mut j = i;
            while body.get(j).is_some_and(|b| !b",}] \t\r\n".contains(b)) {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_of(body: &str) -> Option<&str> {
        member(body.as_bytes(), "id").map(|b| std::str::from_utf8(b).unwrap())
    }

    #[test]
    fn the_id_is_found_as_written() {
        assert_eq!(
            id_of(r#"{"jsonrpc":"2.0","id":1180591620717411303424,"method":"x"}"#),
            Some("1180591620717411303424")
        );
        assert_eq!(
            id_of(r#"{ "params": {"id": 3, "a": ["}", "\"id\""]}, "id" : -9223372036854775809 }"#),
            Some("-9223372036854775809")
        );
        assert_eq!(id_of(r#"{"\u0069d":1.5e0}"#), Some("1.5e0"));
        assert_eq!(id_of(r#"{"id":1,"id":2.5}"#), Some("2.5"));
        assert_eq!(id_of(r#"{"method":"x"}"#), None);
        assert_eq!(id_of(r#"[{"id":1.5}]"#), None);
    }

    #[test]
    fn answers_echo_the_id_and_are_json() {
        let body = br#"{"jsonrpc":"2.0","id":-0.0e5,"method":"shutdown"}"#;
        let a = answer(body).unwrap();
        let text = String::from_utf8(a.clone()).unwrap();
        assert!(text.starts_with(r#"{"jsonrpc":"2.0","id":-0.0e5,"error""#));
        let v: Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(v["error"]["code"], INVALID_REQUEST);
    }

    #[test]
    fn supported_ids_are_those_tower_lsp_server_holds() {
        for (text, ok) in [
            ("1", true),
            ("-9223372036854775808", true),
            ("9223372036854775807", true),
            ("9223372036854775808", false),
            ("-9223372036854775809", false),
            ("1.5", false),
            ("1.0", false),
            ("\"a\"", true),
            ("null", true),
        ] {
            let v: Value = serde_json::from_str(text).unwrap();
            assert_eq!(supported(&v), ok, "{text}");
            let id: std::result::Result<tower_lsp_server::jsonrpc::Id, _> =
                serde_json::from_value(v);
            assert_eq!(id.is_ok(), ok, "{text}");
        }
    }
}
