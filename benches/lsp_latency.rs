//! Keystroke-to-diagnostics latency of `authlint lsp`, measured through the
//! real server over pipes: a generated ~6,000-line TypeScript (or, with
//! `--python`, FastAPI) file with many handlers is opened, then ~200
//! keystrokes are typed one at a time; each is timed from sending
//! `didChange` to the arrival of the last byte of `publishDiagnostics` for
//! its version.
//!
//! What the editor then spends parsing that message depends on the editor,
//! so it is measured apart, on every message: into typed `lsp-types`
//! structs (as Rust clients such as Zed do) and into a `serde_json::Value`
//! (as this test client does; the crate's `preserve_order` feature makes
//! that slower than it would be elsewhere).
//!
//! Run: `cargo bench --bench lsp_latency` (options after `--`:
//! `--lines N`, `--keys N`, `--python` for a FastAPI file instead,
//! `--one-line` for a file of one-line functions (no finding at all),
//! `--one-line-401` for the same with one function in eight answering 401,
//! `--bundle` for a minified bundle of `--lines` handlers on one line (the
//! server does not lint a line that long as you type: use `--in-process`),
//! `--emit
//! PATH` to only write the generated file,
//! `--in-process` to do the server's work for each keystroke without the
//! server, for profiling).

// The allocator the server uses (src/main.rs), for `--in-process`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use lsp_client::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tower_lsp_server::lsp_types::PublishDiagnosticsParams;

/// A `publishDiagnostics` notification, parsed the way a typed client does.
#[derive(serde::Deserialize)]
struct Publish {
    params: PublishDiagnosticsParams,
}

/// One handler in one of several styles; about 30 lines each.
fn handler(i: usize) -> String {
    match i % 5 {
        0 => format!(
            "// Supabase edge function {i}
export async function edge{i}(req: Request): Promise<Response> {{
  const auth = req.headers.get('Authorization')
  if (!auth) {{
    return new Response(JSON.stringify({{ error: 'Missing authorization header' }}), {{
      headers: {{ ...corsHeaders, 'Content-Type': 'application/json' }},
      status: 401,
    }})
  }}
  const user = await verify(auth)
  if (!user) {{
    console.error('Returning 401 - reason: invalid token {i}')
    return new Response('invalid token', {{ status: 401, headers: {{ 'WWW-Authenticate': 'Bearer realm=\"api\"' }} }})
  }}
  if (!user.roles.includes('admin')) {{
    return new Response('admin only', {{ status: 401 }})
  }}
  const rows = await db.query('select * from items where owner = $1', [user.id])
  const total = rows.reduce((acc, r) => acc + r.amount, 0)
  return Response.json({{ rows, total }}, {{ status: 200 }})
}}

"
        ),
        1 => format!(
            "// Express route {i}
app.get('/items/{i}', async (req, res) => {{
  if (!req.headers.authorization) {{
    return res.status(401).json({{ error: 'not authenticated' }})
  }}
  const token = req.headers.authorization.slice(7)
  const claims = decode(token)
  if (!claims) {{
    logger.warn('bad token on /items/{i}')
    return res.status(401).set('WWW-Authenticate', 'Bearer').send('bad token')
  }}
  if (claims.scope !== 'items:read') {{
    return res.status(403).json({{ error: 'forbidden' }})
  }}
  const items = await store.list(claims.sub)
  res.json(items.map((it) => ({{ id: it.id, name: it.name }})))
}})

"
        ),
        2 => format!(
            "// Hono route {i}
hono.get('/v{i}/profile', async (c) => {{
  const session = await getSession(c)
  if (!session) {{
    return c.json({{ message: 'Unauthorized' }}, 401)
  }}
  if (session.expired) {{
    console.warn('expired session {i}')
    return c.json({{ message: 'token expired' }}, 403)
  }}
  const profile = await profiles.get(session.userId)
  return c.json(profile)
}})

"
        ),
        3 => format!(
            "// Next.js route handler {i}
export async function POST{i}(request: Request) {{
  const body = await request.json()
  if (!body.apiKey) {{
    return NextResponse.json({{ error: 'missing api key' }}, {{ status: 401 }})
  }}
  const upstream = await fetch('https://upstream.example.com/{i}', {{ method: 'POST', body: JSON.stringify(body) }})
  if (!upstream.ok) {{
    return new Response(await upstream.text(), {{ status: upstream.status }})
  }}
  return NextResponse.json(await upstream.json())
}}

"
        ),
        _ => format!(
            "// Plain helpers {i}
function sum{i}(values: number[]): number {{
  let total = 0
  for (const v of values) {{
    total += v
  }}
  return total
}}

const table{i} = [
  {{ name: 'alpha', size: {i} }},
  {{ name: 'beta', size: {} }},
]

",
            i * 2
        ),
    }
}

/// One Python handler, helper or class in one of several FastAPI styles;
/// 10 to 20 lines each.
fn py_handler(i: usize) -> String {
    match i % 4 {
        0 => format!(
            r#"@app.get("/items/{i}")
async def read_items_{i}(request: Request, user: str = Depends(current_user)):
    auth = request.headers.get("Authorization")
    if not auth:
        raise HTTPException(status_code=401, detail="Missing authorization header")
    claims = decode(auth)
    if claims is None:
        logger.warning("invalid token on /items/{i}")
        raise HTTPException(status_code=401, detail="invalid token", headers={{"WWW-Authenticate": 'Bearer error="invalid_token"'}})
    if "admin" not in claims.get("roles", []):
        raise HTTPException(status_code=401, detail="admin only")
    rows = await db.fetch("select * from items where owner = $1", claims["sub"])
    total = sum(r["amount"] for r in rows)
    return {{"rows": rows, "total": total}}


"#
        ),
        1 => format!(
            r#"@app.post("/upload/{i}")
def upload_{i}(request: Request, key: str = Depends(api_key)):
    if key is None:
        raise HTTPException(status_code=403, detail="token expired")
    upstream = client.post("https://upstream.example.com/{i}", json=request.json())
    if upstream.status_code != 200:
        raise HTTPException(status_code=upstream.status_code, detail=upstream.text)
    return upstream.json()


"#
        ),
        2 => format!(
            r#"def deny_{i}(message, status):
    return JSONResponse({{"error": message}}, status_code=status)


@app.get("/profile/{i}")
def profile_{i}(request: Request):
    session = sessions.get(request.cookies.get("sid"))
    if session is None:
        return deny_{i}("not signed in", 401)
    if session.expired:
        logger.info("expired session {i}")
        return JSONResponse({{"error": "session expired"}}, status_code=401, headers=AUTH_HEADERS)
    return profiles.get(session.user_id)


"#
        ),
        _ => format!(
            r#"class Report{i}:
    def __init__(self, rows):
        self.rows = rows

    def total(self):
        total = 0
        for r in self.rows:
            total += r.amount
        return total

    def names(self):
        return [r.name for r in self.rows if r.name]


TABLE_{i} = [
    {{"name": "alpha", "size": {i}}},
    {{"name": "beta", "size": {}}},
]


"#,
            i * 2
        ),
    }
}

/// Shapes of the generated document.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Handlers,
    /// `lines` one-line functions; with `true`, one in eight answers 401.
    OneLine(bool),
    /// A minified bundle: `lines` handlers answering 401, all on one line.
    Bundle,
}

fn shape() -> Shape {
    let has = |a: &str| std::env::args().any(|x| x == a);
    if has("--bundle") {
        Shape::Bundle
    } else if has("--one-line-401") {
        Shape::OneLine(true)
    } else if has("--one-line") {
        Shape::OneLine(false)
    } else {
        Shape::Handlers
    }
}

/// `lines` one-line TypeScript functions, each holding a string to type in.
/// Names are spelt in letters: `f401` would read as a status to the
/// pre-parse filter.
fn one_line_functions(lines: usize, with_401: bool) -> String {
    let letters = |mut i: usize| {
        let mut s = String::new();
        loop {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
            if i == 0 {
                return s;
            }
        }
    };
    (0..lines)
        .map(|n| {
            let i = letters(n);
            if with_401 && n % 8 == 0 {
                format!("export function f{i}(r: any) {{ if (!r.u) return new Response('no {i}', {{ status: 401 }}); return 'v{i}' + r.q }}\n")
            } else {
                format!("export function f{i}(r: any) {{ return 'v{i}' + r.q }}\n")
            }
        })
        .collect()
}

fn generate(lines: usize, python: bool) -> String {
    match shape() {
        Shape::OneLine(with_401) => return one_line_functions(lines, with_401),
        Shape::Bundle => {
            return (0..lines)
                .map(|i| {
                    format!(
                        "function h{i}(r){{if(!r.u)return new Response('v{i}',{{status:401}})}}"
                    )
                })
                .collect::<Vec<_>>()
                .join(";")
                + "\n"
        }
        Shape::Handlers => {}
    }
    let mut text = String::from(if python {
        "import logging\nfrom fastapi import Depends, FastAPI, HTTPException, Request\nfrom fastapi.responses import JSONResponse\nfrom deps import api_key, client, current_user, db, decode, profiles, sessions\n\nlogger = logging.getLogger(__name__)\napp = FastAPI()\nAUTH_HEADERS = {\"WWW-Authenticate\": 'Bearer realm=\"api\"'}\n\n\n"
    } else {
        "import { corsHeaders } from './cors.ts'\nimport { verify, decode, db, store, profiles, getSession, logger } from './deps.ts'\n\n"
    });
    let mut i = 0;
    while text.lines().count() < lines {
        text.push_str(&if python { py_handler(i) } else { handler(i) });
        i += 1;
    }
    text
}

/// The language, file name and language id of the bench's document, and
/// the text the keystrokes are typed after (in a string near the middle).
fn document(python: bool) -> (authlint::Language, &'static str, &'static str, &'static str) {
    if python {
        (
            authlint::Language::Python,
            "routes.py",
            "python",
            "\"Missing authorization",
        )
    } else if shape() != Shape::Handlers {
        (
            authlint::Language::TypeScript,
            "functions.ts",
            "typescript",
            "'v",
        )
    } else {
        (
            authlint::Language::TypeScript,
            "routes.ts",
            "typescript",
            "'not authenticated",
        )
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The server's work for each keystroke without the server: apply the
/// change, reparse incrementally, lint reusing the previous analysis. For
/// profiling: `valgrind --tool=callgrind` on `--in-process --keys 0` and
/// `--keys 100`, and the difference over 100 is one keystroke's instructions.
fn in_process(text: String, keys: usize, python: bool) {
    use authlint::engine;
    use authlint::lsp::document::{to_position, Document};
    use authlint::source::Encoding;
    use std::str::FromStr;
    use tower_lsp_server::lsp_types::{Range, Uri};

    let (lang, name, _, anchor) = document(python);
    let path = std::path::PathBuf::from(format!("/tmp/authlint-lsp-bench/{name}"));
    let uri = Uri::from_str(&format!("file:///tmp/authlint-lsp-bench/{name}")).unwrap();
    // A bundle reads as generated code, which no rule runs on: lint it as
    // the application's own, as `[roles] app = […]` would.
    let role = (shape() == Shape::Bundle).then_some(authlint::roles::Role::App);
    let linter = authlint::Linter::new(authlint::Settings {
        role,
        ..authlint::Settings::default()
    });
    let first_key = text[..text.len() / 2].rfind(anchor).unwrap() + 1;
    let mut doc = Document::new(uri, path.clone(), Some(lang), text, 1);
    let tree = engine::parse(lang, &doc.text, None).unwrap();
    let (first, mut analysis) = linter
        .lint_tree_reusing(&path, &doc.text, lang, &tree, None)
        .unwrap();
    doc.tree = Some(tree);
    let (mut parse, mut lint, mut publish) = (Vec::new(), Vec::new(), Vec::new());
    // The open's diagnostics are published too (as the server does).
    let mut published = authlint::lsp::diagnostics::Serialized::default();
    publish_once(&doc, first.clone(), &mut published);
    for cursor in first_key..first_key + keys {
        let p = to_position(&doc.text, &doc.line_map, cursor, Encoding::Utf16);
        let t0 = Instant::now();
        doc.apply_change(Some(Range::new(p, p)), "x", Encoding::Utf16);
        let old = doc.tree.take().unwrap();
        let tree = engine::parse(lang, &doc.text, Some(&old)).unwrap();
        let t1 = Instant::now();
        let reuse = authlint::lint::Reuse {
            analysis: &analysis,
            old_tree: &old,
        };
        let (diags, next) = linter
            .lint_tree_reusing(&path, &doc.text, lang, &tree, Some(reuse))
            .unwrap();
        lint.push(t1.elapsed());
        parse.push(t1 - t0);
        assert_eq!(
            diags.len(),
            first.len(),
            "every keystroke keeps the findings"
        );
        analysis = next;
        doc.tree = Some(tree);
        // What the server then does to publish them.
        let t2 = Instant::now();
        let body = publish_once(&doc, diags, &mut published);
        assert!(body > 1000 || first.is_empty());
        publish.push(t2.elapsed());
    }
    if keys > 0 {
        println!(
            "in process, {keys} keystrokes: apply + reparse median {}, lint median {}, describe + serialize median {}",
            ms(median(&parse)),
            ms(median(&lint)),
            ms(median(&publish))
        );
    }
}

/// Describes `diags` in LSP terms and serializes them as the server does for
/// `publishDiagnostics`; returns the message's length.
fn publish_once(
    doc: &authlint::lsp::document::Document,
    diags: Vec<authlint::Diagnostic>,
    published: &mut authlint::lsp::diagnostics::Serialized,
) -> usize {
    use authlint::lsp::diagnostics;
    let computed = authlint::lsp::document::Computed {
        seq: 0,
        version: 0,
        text: doc.text.clone(),
        line_map: doc.line_map.clone(),
        diags: std::sync::Arc::new(diags),
        extra: Default::default(),
    };
    let enc = authlint::source::Encoding::Utf16;
    let views = diagnostics::views(&doc.uri, &computed, enc, |_| None);
    diagnostics::publish_body(&doc.uri, &[], &views, Some(0), published).map_or(0, |b| b.len())
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    percentile(&sorted, 0.5)
}

/// Median, p90, p99, worst and best of a set of samples.
fn summary(samples: &[Duration]) -> String {
    let mut sorted = samples.to_vec();
    sorted.sort();
    format!(
        "median {}, p90 {}, p99 {}, worst {}, best {}",
        ms(percentile(&sorted, 0.5)),
        ms(percentile(&sorted, 0.9)),
        ms(percentile(&sorted, 0.99)),
        ms(*sorted.last().unwrap()),
        ms(sorted[0])
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing
    // special: keep that run short.
    let benching = std::env::args().any(|a| a == "--bench");
    let lines = arg("--lines", 6000);
    let keys = arg("--keys", if benching { 200 } else { 10 });
    let python = std::env::args().any(|a| a == "--python");
    let text = generate(lines, python);
    let (_, name, language_id, anchor) = document(python);
    if let Some(i) = std::env::args().position(|a| a == "--emit") {
        // Write the generated file (to profile the linter on it) and stop.
        let path = std::env::args().nth(i + 1).expect("--emit PATH");
        std::fs::write(&path, &text).expect("write the generated file");
        println!("wrote {} lines to {path}", text.lines().count());
        return;
    }
    if std::env::args().any(|a| a == "--in-process") {
        in_process(text, keys, python);
        return;
    }
    let dir = std::env::temp_dir().join("authlint-lsp-bench");
    let uri = format!("file://{}/{name}", dir.display());

    let (mut c, _) = LspClient::start(capabilities(false, false), Value::Null);
    let t0 = Instant::now();
    c.open(&uri, language_id, 1, &text);
    let first = c.diagnostics(&uri, 1);
    let open_time = t0.elapsed();

    // Type into a string near the middle of the file (the file keeps its
    // findings); each keystroke waits for its diagnostics before the next.
    let mut text = text;
    let mut version = 1;
    let mut received = Vec::with_capacity(keys);
    let mut typed_parse = Vec::with_capacity(keys);
    let mut with_typed = Vec::with_capacity(keys);
    let mut with_value = Vec::with_capacity(keys);
    let mut counts = Vec::new();
    let mut cursor = text[..text.len() / 2].rfind(anchor).unwrap() + 1;
    c.record_frames();
    for _ in 0..keys {
        version += 1;
        let start = Instant::now();
        text = c.change(&uri, version, &text, cursor, cursor, "x");
        let diags = c.diagnostics(&uri, version);
        with_value.push(start.elapsed());
        // The frame that carried them: the last publication received.
        let frame = c
            .take_frames()
            .into_iter()
            .rev()
            .find(|f| contains(&f.body, b"textDocument/publishDiagnostics"))
            .expect("the publication's frame was recorded");
        let parse_start = Instant::now();
        let parsed: Publish = serde_json::from_slice(&frame.body).expect("a typed publication");
        let parse = parse_start.elapsed();
        assert_eq!(parsed.params.version, Some(version as i32));
        assert_eq!(parsed.params.diagnostics.len(), diags.len());
        received.push(frame.arrived - start);
        typed_parse.push(parse);
        with_typed.push(frame.arrived - start + parse);
        counts.push(diags.len());
        cursor += 1;
    }
    let _ = c.take_frames();
    // A burst: 50 keystrokes sent without waiting; time to the final result.
    let burst_start = Instant::now();
    for _ in 0..50 {
        version += 1;
        text = c.change(&uri, version, &text, cursor, cursor, "y");
        cursor += 1;
    }
    let last = c.diagnostics(&uri, version);
    let burst = burst_start.elapsed();
    let payload = serde_json::to_string(&json!({ "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": { "uri": uri, "version": version, "diagnostics": last } })).unwrap();
    let check = c.debug_document(&uri);
    assert_eq!(check["text"], json!(text));
    assert!(c.shutdown().success());

    println!(
        "lsp_latency: {} lines, {} bytes, {} findings on open",
        text.lines().count(),
        text.len(),
        first.len()
    );
    println!("  open (full parse + lint):        {}", ms(open_time));
    println!(
        "  {} keystrokes, each typed after the previous one's diagnostics:",
        keys
    );
    println!(
        "    keystroke -> publishDiagnostics received: {}",
        summary(&received)
    );
    println!(
        "    ... parsed into lsp-types structs:        {} (the parse alone: median {})",
        summary(&with_typed),
        ms(median(&typed_parse))
    );
    println!(
        "    ... parsed into serde_json::Value:        {}",
        summary(&with_value)
    );
    println!(
        "  burst of 50 keystrokes -> final diagnostics: {}",
        ms(burst)
    );
    println!("  publishDiagnostics payload: {} KB", payload.len() / 1024);
    assert!(
        counts.iter().all(|n| *n == first.len()),
        "every keystroke kept the findings"
    );
}
