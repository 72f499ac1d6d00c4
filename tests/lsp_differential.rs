//! Differential test: hundreds of random incremental edits, sent the way an
//! editor sends them, must leave the server with exactly the text, the
//! syntax tree and the diagnostics that opening the final text fresh gives.

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};

/// xorshift64*: a tiny seeded generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const BASE: &str = "import { corsHeaders } from './cors.ts'

// Edge function: 401 without a challenge, no log. ✨
Deno.serve(async (req) => {
  const auth = req.headers.get('Authorization')
  if (!auth) {
    return new Response(JSON.stringify({ error: 'Missing authorization header 🙅' }), {
      headers: { ...corsHeaders, 'Content-Type': 'application/json' },
      status: 401,
    })
  }
  if (!isAdmin(auth)) {
    console.error('not an admin')
    return new Response('admin only — forbidden', { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } })
  }
  return new Response('ok')
})

app.get('/me', (req, res) => {
  if (!req.user) {
    return res.status(401).json({ error: 'not authenticated — é' })
  }
  res.json(req.user)
})

export async function GET(request) {
  const upstream = await fetch('https://api.example.com')
  // authlint-ignore require-401-logging: the proxy logs
  return new Response(upstream.body, { status: upstream.status })
}
";

const SNIPPETS: &[&str] = &[
    "401",
    "403",
    "200",
    " ",
    "\n",
    "é",
    "😀",
    "'",
    "{",
    "}",
    "(",
    ")",
    ",",
    "console.error('denied')\n",
    "return new Response('no', { status: 401 })\n",
    "headers: { 'WWW-Authenticate': 'Bearer realm=\"api\"' }, ",
    "// authlint-ignore require-www-authenticate: tested\n",
    "if (!user) {\n  return res.status(401).send('🔒')\n}\n",
    "status: 403",
    "'WWW-Authenticate': 'true', ",
];

/// A random byte offset on a character boundary that does not split `\r\n`.
fn boundary(rng: &mut Rng, text: &str) -> usize {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    if splits_crlf(text, at) {
        at -= 1;
    }
    at
}

fn splits_crlf(text: &str, at: usize) -> bool {
    let b = text.as_bytes();
    at > 0 && at < b.len() && b[at - 1] == b'\r' && b[at] == b'\n'
}

/// Diagnostics reduced to what must match (related locations by range,
/// since the fresh copy has another URI).
fn essence(diags: &[Value]) -> Vec<Value> {
    let mut v: Vec<Value> = diags
        .iter()
        .map(|d| {
            let related: Vec<Value> = d["relatedInformation"]
                .as_array()
                .map(|r| {
                    r.iter()
                        .map(|i| json!([i["location"]["range"], i["message"]]))
                        .collect()
                })
                .unwrap_or_default();
            json!([d["range"], d["code"], d["severity"], d["message"], related])
        })
        .collect();
    v.sort_by_key(|a| a.to_string());
    v
}

fn run(seed: u64, utf8: bool, crlf: bool, edits: usize) {
    let mut rng = Rng(seed);
    let (mut c, _) = LspClient::start(capabilities(false, utf8), Value::Null);
    assert_eq!(c.utf8, utf8);
    let dir = format!("/tmp/authlint-lsp-differential-{seed}");
    let uri = format!("file://{dir}/index.ts");
    let newline = if crlf { "\r\n" } else { "\n" };
    let mut text = BASE.replace('\n', newline);
    let mut version = 1;
    c.open(&uri, "typescript", version, &text);
    let mut checks = 0;
    let mut with_findings = 0;
    let mut done = 0;
    while done < edits {
        // One notification carries 1-3 changes, each relative to the text
        // left by the previous one (as the protocol says).
        let batch = 1 + rng.below(3).min(edits - done - 1);
        let mut changes = Vec::new();
        for _ in 0..batch {
            let start = boundary(&mut rng, &text);
            let end = match rng.below(3) {
                0 => start,
                _ => {
                    let span = rng.below(24);
                    let mut e = (start + span).min(text.len());
                    while !text.is_char_boundary(e) {
                        e += 1;
                    }
                    if splits_crlf(&text, e) {
                        e += 1;
                    }
                    e
                }
            };
            let insert = if rng.below(4) == 0 {
                String::new()
            } else {
                SNIPPETS[rng.below(SNIPPETS.len())].replace('\n', newline)
            };
            changes.push(json!({
                "range": { "start": position(&text, start, utf8), "end": position(&text, end, utf8) },
                "text": insert,
            }));
            text.replace_range(start..end, &insert);
            done += 1;
        }
        version += 1;
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
        if done % 40 < batch || done == edits {
            // Compare with a fresh open of the same text, in the same folder.
            let incremental = c.diagnostics(&uri, version);
            checks += 1;
            let fresh_uri = format!("file://{dir}/fresh{checks}.ts");
            c.open(&fresh_uri, "typescript", 1, &text);
            let fresh = c.diagnostics(&fresh_uri, 1);
            c.notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": fresh_uri } }),
            );
            assert_eq!(
                essence(&incremental),
                essence(&fresh),
                "seed {seed}, after {done} edits, text:\n{text}"
            );
            with_findings += usize::from(!fresh.is_empty());
            let view = c.debug_document(&uri);
            assert_eq!(
                view["text"],
                text.as_str(),
                "seed {seed}, after {done} edits"
            );
            assert_eq!(view["version"], version);
            assert_eq!(view["hadTree"], true);
            assert_eq!(
                view["tree"], view["freshTree"],
                "seed {seed}, after {done} edits: incremental parse differs from a fresh one"
            );
        }
    }
    assert!(checks >= edits / 40, "{checks} checks");
    assert!(
        with_findings > 0,
        "the edits never produced a finding to compare"
    );
    assert!(c.shutdown().success());
}

#[test]
fn random_edits_utf16_lf() {
    run(0x9e37_79b9_7f4a_7c15, false, false, 400);
}

#[test]
fn random_edits_utf8_crlf() {
    run(0xd1b5_4a32_d192_ed03, true, true, 400);
}

#[test]
fn random_edits_more_seeds() {
    for seed in [1u64, 2, 3, 0xdead_beef] {
        run(seed, seed % 2 == 0, seed % 3 == 0, 200);
    }
}
