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

// ----- engine level: every edit, reusing the previous analysis ----------------

/// A file whose sites read across top-level statements: constants, a
/// header object and a header builder, a same-file helper, logging
/// functions, imports, a site outside any function, a suppression.
const CROSS: &str = "import { corsHeaders } from './cors.ts'
import { logger } from './log.ts'

const CHALLENGE = 'Bearer realm=\"api\"'
const UNAUTHORIZED = 401
const authHeaders = { 'WWW-Authenticate': CHALLENGE }

function audit(msg) {
  console.warn(msg)
}

function jsonError(message, status) {
  return new Response(JSON.stringify({ error: message }), { status, headers: { ...corsHeaders } })
}

function challengeHeaders() {
  return { 'WWW-Authenticate': 'Basic' }
}

export async function GET(req) {
  if (!req.headers.get('Authorization')) {
    return jsonError('missing token', 401)
  }
  if (!isAdmin(req)) {
    audit('not admin')
    return new Response('forbidden', { status: UNAUTHORIZED, headers: authHeaders })
  }
  return new Response('ok', { status: 401, headers: challengeHeaders() })
}

app.get('/me', (req, res) => {
  if (!req.user) {
    logger.error('no user')
    return res.status(401).json({ error: 'not authenticated' })
  }
  // authlint-ignore prefer-403-for-authorization: tested
  res.status(401).send('admin only')
})

res.statusCode = 401

hono.get('/x', async (c) => {
  try {
    await check(c)
  } catch (e) {
    return c.json({ error: e.message }, 401)
  }
  throw new HTTPException(401, { res: new Response('no', { status: 401 }) })
})
";

/// Edits that change file-wide facts, or span statements.
const CROSS_SNIPPETS: &[&str] = &[
    "\nconst CHALLENGE = 'Basic'\n",
    "\nconst UNAUTHORIZED = 403\n",
    "\nimport { audit } from './audit.ts'\n",
    "\nimport { jsonError } from './errors.ts'\n",
    "\nfunction audit(m) {\n  logger.info(m)\n}\n",
    "\nfunction deny(message, status) {\n  console.error(message)\n  return new Response(message, { status })\n}\n",
    "\nfunction challengeHeaders() {\n  return {}\n}\n",
    "\nconst logger = console\n",
    "\nexport function h(req) {\n",
    "}\n\n",
    "deny('no', 401)\n",
    "jsonError('x', 403)\n",
    "audit('y')\n",
    "console.error('x')\n",
    "return new Response('no', { status: 401, headers: authHeaders })\n",
    "CHALLENGE",
    "UNAUTHORIZED",
    "authHeaders",
    "challengeHeaders()",
    "'Bearer'",
    "401",
    "403",
    " ",
    "\n",
    "{",
    "}",
    "(",
    ")",
    ";",
    "'",
    "// authlint-ignore require-www-authenticate: ok\n",
    "/*",
    "*/",
];

fn point(text: &str, offset: usize) -> tree_sitter::Point {
    let before = &text[..offset];
    let row = before.matches('\n').count();
    let column = offset - before.rfind('\n').map_or(0, |i| i + 1);
    tree_sitter::Point { row, column }
}

/// A document edited in process, linted after every edit reusing the
/// previous analysis, and compared with a fresh lint of the same text.
struct Session {
    lang: authlint::Language,
    path: &'static std::path::Path,
    linter: authlint::Linter,
    text: String,
    tree: tree_sitter::Tree,
    analysis: authlint::lint::Analysis,
    reused: usize,
    /// Sites whose findings were kept from the previous lint.
    kept: usize,
    findings: usize,
}

impl Session {
    fn new(text: &str) -> Session {
        Session::of(
            authlint::Language::TypeScript,
            "/tmp/authlint-incremental/index.ts",
            text,
        )
    }

    fn python(text: &str) -> Session {
        Session::of(
            authlint::Language::Python,
            "/tmp/authlint-incremental/app.py",
            text,
        )
    }

    fn of(lang: authlint::Language, path: &'static str, text: &str) -> Session {
        let path = std::path::Path::new(path);
        let linter = authlint::Linter::new(authlint::Settings::default());
        let tree = authlint::engine::parse(lang, text, None).unwrap();
        let (_, analysis) = linter
            .lint_tree_reusing(path, text, lang, &tree, None)
            .unwrap();
        Session {
            lang,
            path,
            linter,
            text: text.to_string(),
            tree,
            analysis,
            reused: 0,
            kept: 0,
            findings: 0,
        }
    }

    fn edit(&mut self, start: usize, end: usize, insert: &str, what: &str) {
        use authlint::engine;
        use authlint::lint::Reuse;
        let (path, lang) = (self.path, self.lang);
        let text = &mut self.text;
        let edit = tree_sitter::InputEdit {
            start_byte: start,
            old_end_byte: end,
            new_end_byte: start + insert.len(),
            start_position: point(text, start),
            old_end_position: point(text, end),
            new_end_position: {
                let mut t = text[..start].to_string();
                t.push_str(insert);
                point(&t, t.len())
            },
        };
        text.replace_range(start..end, insert);
        self.tree.edit(&edit);
        let new_tree = engine::parse(lang, text, Some(&self.tree)).unwrap();
        let prev = Reuse {
            analysis: &self.analysis,
            old_tree: &self.tree,
        };
        let (diags, next) = self
            .linter
            .lint_tree_reusing(path, text, lang, &new_tree, Some(prev))
            .unwrap();
        let fresh_tree = engine::parse(lang, text, None).unwrap();
        let fresh = self
            .linter
            .lint_tree(path, text, lang, &fresh_tree)
            .unwrap();
        assert_eq!(diags, fresh, "{what}, text:\n{text}");
        // A document that was not analysed (nothing in it could be found)
        // leaves no extraction to compare.
        if let Some(analysis) = self.analysis.engine.as_ref() {
            let (model, _) = engine::extract_reusing(
                path,
                text,
                lang,
                &new_tree,
                &self.linter.settings,
                &self.linter.index,
                Some(engine::Reuse {
                    analysis,
                    old_tree: &self.tree,
                }),
            )
            .unwrap();
            let full = engine::extract(
                path,
                text,
                lang,
                &fresh_tree,
                &self.linter.settings,
                &self.linter.index,
            );
            assert_eq!(model.sites, full.sites, "{what}, text:\n{text}");
        }
        let (extracted, statements) = next.extracted().unwrap_or((0, 0));
        self.reused += statements - extracted;
        self.kept += next.kept().0;
        self.findings += usize::from(!fresh.is_empty());
        self.analysis = next;
        self.tree = new_tree;
    }

    /// Replaces the first `find` (after `after`) with `replace`.
    fn replace(&mut self, after: &str, find: &str, replace: &str) {
        let base = self
            .text
            .find(after)
            .unwrap_or_else(|| panic!("no {after:?}"));
        let at = base
            + self.text[base..]
                .find(find)
                .unwrap_or_else(|| panic!("no {find:?}"));
        self.edit(
            at,
            at + find.len(),
            replace,
            &format!("{find:?} -> {replace:?}"),
        );
    }
}

fn engine_run(seed: u64, edits: usize) -> (usize, usize, usize) {
    random_session(Session::new(CROSS), seed, edits, CROSS_SNIPPETS, SNIPPETS)
}

/// `edits` random edits of `s`'s text, each checked against a fresh lint:
/// (statements reused, edits leaving findings, sites' findings kept).
fn random_session(
    mut s: Session,
    seed: u64,
    edits: usize,
    cross: &[&str],
    snippets: &[&str],
) -> (usize, usize, usize) {
    let mut rng = Rng(seed);
    for done in 0..edits {
        let text = &s.text;
        // Half the edits start at a line start (top-level declarations).
        let mut start = boundary(&mut rng, text);
        if rng.below(2) == 0 {
            start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        }
        let end = match rng.below(3) {
            0 => start,
            // Up to 80 bytes: sometimes across two statements.
            _ => {
                let mut e = (start + rng.below(80)).min(text.len());
                while !text.is_char_boundary(e) {
                    e += 1;
                }
                e
            }
        };
        let insert = match rng.below(5) {
            0 => "",
            1 | 2 => cross[rng.below(cross.len())],
            _ => snippets[rng.below(snippets.len())],
        };
        s.edit(
            start,
            end,
            insert,
            &format!("seed {seed}, after {} edits", done + 1),
        );
    }
    (s.reused, s.findings, s.kept)
}

/// Each edit changes something that sites in other, untouched statements
/// read: a constant, a header object, a header builder, a helper, a
/// logging function, an import, the file's quote style.
#[test]
fn edits_read_from_other_statements_match_a_fresh_lint() {
    let mut s = Session::new(CROSS);
    // A constant a header object uses, read by a handler further down.
    s.replace("const CHALLENGE", "'Bearer realm=\"api\"'", "'Bearer,,'");
    s.replace("const CHALLENGE", "'Bearer,,'", "'Basic realm=\"x\"'");
    // A status constant.
    s.replace("const UNAUTHORIZED", "401", "403");
    s.replace("const UNAUTHORIZED", "403", "401");
    // The header object itself.
    s.replace("const authHeaders", "'WWW-Authenticate'", "'X-Other'");
    // A header builder.
    s.replace(
        "function challengeHeaders",
        "'WWW-Authenticate'",
        "'X-Nope'",
    );
    s.replace(
        "function challengeHeaders",
        "'X-Nope'",
        "'WWW-Authenticate'",
    );
    // A helper: its response gains a challenge, then loses its status parameter.
    s.replace(
        "function jsonError",
        "...corsHeaders",
        "'WWW-Authenticate': 'Bearer'",
    );
    s.replace("function jsonError", "{ status,", "{ status: 500,");
    s.replace("function jsonError", "{ status: 500,", "{ status,");
    // A logging function stops logging, then logs again.
    s.replace("function audit", "console.warn(msg)", "void msg");
    s.replace("function audit", "void msg", "console.warn(msg)");
    // An import that declares the logger goes away and comes back.
    s.replace("import { logger }", "logger", "log2");
    // With no `logger` in the file, `logger.error` is not logging until a
    // function elsewhere declares one (no file-wide fact but the names).
    s.replace("hono.get", "await check(c)", "const logger = getLogger()");
    s.replace("hono.get", "const logger = getLogger()", "await check(c)");
    s.replace("import { log2 }", "log2", "logger");
    // A site outside any function reads the statements before it (here
    // ones far from it: its own statement is untouched).
    s.replace("import { logger }", "\n", "\nconsole.error('top')\n");
    s.replace(
        "import { logger }",
        "\n",
        "\nres.set('WWW-Authenticate', 'Bearer')\n",
    );
    s.replace("console.error('top')", "console.error('top')", "void 0");
    // A new top-level declaration, a helper, and a function, then typing in them.
    let end = s.text.len();
    s.edit(
        end,
        end,
        "\nfunction deny(message, status) {\n  return new Response(message, { status })\n}\n",
        "add a helper",
    );
    s.replace(
        "function deny",
        "message, { status }",
        "message, { status, headers: authHeaders }",
    );
    let end = s.text.len();
    s.edit(
        end,
        end,
        "\nexport function late(req) {\n  return deny('late', 401)\n}\n",
        "call the helper",
    );
    s.replace("function deny", "headers: authHeaders", "headers: {}");
    // An edit across two top-level statements.
    let at = s.text.find("\n}\n\nfunction challengeHeaders").unwrap();
    s.edit(
        at,
        at + 12,
        "\n}\nfunction challenge",
        "join two statements",
    );
    // Quote style: many double-quoted strings.
    let end = s.text.len();
    s.edit(
        end,
        end,
        &"const q = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]\n".repeat(8),
        "double quotes",
    );
    // Typing inside a handler, the common case: most statements are reused.
    let (before, kept) = (s.reused, s.kept);
    for _ in 0..5 {
        s.replace("json({ error: 'no", "authenticated", "xauthenticated");
    }
    assert!(s.reused > before, "typing in a handler reused nothing");
    assert!(s.kept > kept, "typing in a handler kept no site's findings");
}
/// Middleware facts are judged on the whole file: mounting, unmounting and
/// renaming a middleware changes what handlers in other, untouched
/// statements sit behind, though those statements are reused.
#[test]
fn middleware_edits_elsewhere_match_a_fresh_lint() {
    let mut s = Session::new(
        "import { Hono } from 'hono'
import { bearerAuth } from 'hono/bearer-auth'

const app = new Hono()
app.use('/api/*', bearerAuth({ token: 'secret' }))

app.get('/api/items', (c) => {
  if (!c.req.header('X-Key')) {
    return c.json({ error: 'unauthorized' }, 401)
  }
  return c.json([])
})

app.onError((err, c) => {
  return c.json({ error: 'no token' }, 401)
})
",
    );
    let mount = "app.use('/api/*', bearerAuth({ token: 'secret' }))";
    s.replace("const app", mount, "void 0");
    s.replace("const app", "void 0", mount);
    s.replace(
        "import { bearerAuth }",
        "hono/bearer-auth",
        "hono/basic-auth",
    );
    s.replace(
        "import { bearerAuth }",
        "hono/basic-auth",
        "hono/bearer-auth",
    );
    s.replace("import { bearerAuth }", "bearerAuth }", "other }");
    s.replace("import { other }", "other }", "bearerAuth }");
    let kept = s.kept;
    s.replace("app.get", "'unauthorized'", "'unauthorizedx'");
    assert!(s.kept > kept, "typing in a handler kept no site's findings");
}

/// The indentation unit a fix indents with is read from a file's first
/// 2,000 lines: an edit after them keeps it, an edit among them can change
/// it (here, for the block a one-line `if` is wrapped in to log first).
#[test]
fn indentation_edits_in_a_long_file_match_a_fresh_lint() {
    let mut text = String::from("function pad() {\n    return 1\n}\n");
    text.push_str(&"const filler = 1\n".repeat(2100));
    text.push_str(
        "export function GET(req) {\n    if (!req.headers.get('authorization')) return new Response('no', { status: 401 })\n    return new Response('ok')\n}\n",
    );
    let mut s = Session::new(&text);
    // After the first 2,000 lines: the unit is kept.
    s.replace("export function GET", "'no'", "'nope'");
    // Among them: the unit goes from four spaces to two, and back.
    s.replace("function pad", "    return 1", "  return 1");
    s.replace("export function GET", "'nope'", "'no'");
    s.replace("function pad", "  return 1", "    return 1");
    s.replace("export function GET", "'no'", "'nope'");
}

#[test]
fn every_edit_reusing_the_previous_analysis_matches_a_fresh_lint() {
    let (mut reused, mut findings, mut kept) = (0, 0, 0);
    for seed in [7u64, 11, 0x9e37_79b9_7f4a_7c15, 0xd1b5_4a32_d192_ed03] {
        let (r, f, k) = engine_run(seed, 300);
        reused += r;
        findings += f;
        kept += k;
    }
    // Findings kept from the previous lint (`rules::reuse`) were compared too.
    assert!(kept > 200, "only {kept} sites' findings kept");
    // The comparison is only worth something if statements were reused
    // and there were findings to get wrong.
    assert!(reused > 1000, "only {reused} statements reused");
    assert!(findings > 100, "only {findings} edits left findings");
}

// ----- Python: the same checks on a file whose sites read other statements ---

/// A FastAPI file whose sites read across top-level statements: constants,
/// a header dict and a header builder, a helper, a logging function, an
/// exception class and its subclass, a module-level exception raised in a
/// function, code outside any function, a suppression.
const PY_CROSS: &str = r#"import logging
from fastapi import FastAPI, HTTPException, Depends
from fastapi.responses import JSONResponse

logger = logging.getLogger(__name__)
app = FastAPI()
CHALLENGE = 'Bearer realm="api"'
UNAUTHORIZED = 401
AUTH_HEADERS = {"WWW-Authenticate": CHALLENGE}
credentials_exception = HTTPException(status_code=401, detail="Could not validate credentials")


def audit(msg):
    logger.warning(msg)


def deny(message, status):
    return JSONResponse({"error": message}, status_code=status)


def challenge_headers():
    return {"WWW-Authenticate": "Basic"}


class AuthError(HTTPException):
    def __init__(self):
        super().__init__(status_code=401, detail="not signed in")


class TokenExpired(AuthError):
    pass


def current_user(token: str):
    if not token:
        raise credentials_exception
    if token == "old":
        raise TokenExpired()
    return token


@app.get("/me")
async def me(request, user=Depends(current_user)):
    if not request.headers.get("Authorization"):
        return deny("missing token", 401)
    if not user.is_admin:
        audit("not admin")
        raise HTTPException(status_code=UNAUTHORIZED, detail="admin only", headers=AUTH_HEADERS)
    raise HTTPException(status_code=401, detail="nope", headers=challenge_headers())


@app.get("/items")
def items(request):
    try:
        check(request)
    except ValueError as e:
        raise HTTPException(status_code=401, detail=str(e))
    # authlint-ignore prefer-403-for-authorization: tested
    raise HTTPException(status_code=401, detail="forbidden")


if not CHALLENGE:
    raise HTTPException(status_code=401)
"#;

/// Python edits that change what other statements read, or span statements.
const PY_CROSS_SNIPPETS: &[&str] = &[
    "\nCHALLENGE = 'Basic'\n",
    "\nUNAUTHORIZED = 403\n",
    "\nAUTH_HEADERS = {}\n",
    "\nfrom audit import audit\n",
    "\nfrom errors import deny\n",
    "\nfrom flask import abort\n",
    "\ndef audit(m):\n    print(m)\n",
    "\ndef deny(message, status):\n    logger.error(message)\n    return JSONResponse(message, status_code=status)\n",
    "\ndef challenge_headers():\n    return {}\n",
    "\nclass AuthError(Exception):\n    pass\n",
    "\nlogger = None\n",
    "\ndef h(request):\n",
    "\n\n",
    "    deny('no', 401)\n",
    "    deny('x', 403)\n",
    "    audit('y')\n",
    "    logger.error('x')\n",
    "    raise credentials_exception\n",
    "    raise AuthError()\n",
    "    raise HTTPException(status_code=401, headers=AUTH_HEADERS)\n",
    "CHALLENGE",
    "UNAUTHORIZED",
    "AUTH_HEADERS",
    "challenge_headers()",
    "token",
    "user",
    "'Bearer'",
    "401",
    "403",
    " ",
    "    ",
    "\n",
    ":",
    "(",
    ")",
    "'",
    "\"\"\"",
    "# authlint-ignore require-www-authenticate: ok\n",
];

const PY_SNIPPETS: &[&str] = &[
    "401",
    "403",
    "200",
    " ",
    "\n",
    "é",
    "😀",
    "x",
    "    if not user:\n        raise HTTPException(status_code=401, detail='🔒')\n",
    "    logger.info('denied')\n",
    "headers={'WWW-Authenticate': 'Bearer'}, ",
    "status_code=403",
];

/// Each edit changes something that sites in other, untouched statements
/// read (most are made, then undone).
#[test]
fn python_edits_read_from_other_statements_match_a_fresh_lint() {
    let mut s = Session::python(PY_CROSS);
    let edits: &[(&str, &str, &str)] = &[
        // A constant the header dict uses, read by a handler further down.
        ("CHALLENGE =", "'Bearer realm=\"api\"'", "'Bearer,,'"),
        // A status constant.
        ("UNAUTHORIZED =", "401", "403"),
        // The header dict itself, and the header builder.
        ("AUTH_HEADERS =", "\"WWW-Authenticate\"", "\"X-Other\""),
        (
            "def challenge_headers",
            "\"WWW-Authenticate\"",
            "\"X-Other\"",
        ),
        // The helper logs; the helper stops being one.
        (
            "def deny",
            "    return",
            "    logger.error(message)\n    return",
        ),
        ("def deny", "status_code=status", "status_code=500"),
        // The logging function stops logging.
        ("def audit", "logger.warning(msg)", "print(msg)"),
        // The base class's status and base, read through the subclass.
        ("class AuthError", "status_code=401", "status_code=403"),
        ("class AuthError", "(HTTPException)", "(Exception)"),
        // The module-level exception, raised in a function.
        (
            "credentials_exception =",
            "status_code=401",
            "status_code=403",
        ),
        // The logger; the logger's name (the logging function's logger is
        // no longer bound).
        ("logger =", "logging.getLogger(__name__)", "None"),
        ("import logging", "logger = logging", "log2 = logging"),
        // An import, then the framework.
        ("from fastapi import", "Depends", "Depends, status"),
        (
            "import logging",
            "import logging",
            "import logging\nfrom flask import abort",
        ),
        // A name bound in one function, looked up in another.
        (
            "def current_user",
            "    return token",
            "    check = token\n    return token",
        ),
        // A log before a raise of the module-level exception: the
        // exception's site (in its assignment) is judged at the raise.
        (
            "def current_user",
            "        raise credentials_exception",
            "        logger.error(\"no token\")\n        raise credentials_exception",
        ),
        // A log at module level, right before code outside any function.
        (
            "def items",
            "if not CHALLENGE",
            "logger.error(\"no challenge\")\nif not CHALLENGE",
        ),
    ];
    for (after, find, replace) in edits {
        s.replace(after, find, replace);
        s.replace(after, replace, find);
    }
    // A log at module level two statements before code outside any function.
    s.replace(
        "def items",
        "\n\n\nif not CHALLENGE",
        "\n\n\nprint(\"starting\")\nDEBUG = 1\nif not CHALLENGE",
    );
    s.replace(
        "def items",
        "print(\"starting\")",
        "logger.info(\"starting\")",
    );
    s.replace(
        "def items",
        "logger.info(\"starting\")",
        "print(\"starting\")",
    );
    // A helper that logs through another function, then that function
    // stops logging (the helper stops with it), and back.
    s.replace("def deny", "    return", "    audit(message)\n    return");
    s.replace("def audit", "logger.warning(msg)", "print(msg)");
    s.replace("def audit", "print(msg)", "logger.warning(msg)");
    s.replace("def deny", "    audit(message)\n    return", "    return");
    // A new definition of a name the handlers call.
    s.replace(
        "def challenge_headers",
        "def challenge_headers",
        "def deny(message, status):\n    return None\n\n\ndef challenge_headers",
    );
    // Edits in a handler, which should leave the rest reused.
    s.replace("def items", "\"forbidden\"", "\"forbidden!\"");
    s.replace("def items", "str(e)", "'bad'");
    assert!(s.reused > 100, "only {} statements reused", s.reused);
}

#[test]
fn python_random_edits_reusing_the_previous_analysis_match_a_fresh_lint() {
    let (mut reused, mut findings, mut kept) = (0, 0, 0);
    for seed in [3u64, 0x2545_f491_4f6c_dd1d, 0x9e37_79b9_7f4a_7c15] {
        let (r, f, k) = random_session(
            Session::python(PY_CROSS),
            seed,
            300,
            PY_CROSS_SNIPPETS,
            PY_SNIPPETS,
        );
        reused += r;
        findings += f;
        kept += k;
    }
    assert!(kept > 200, "only {kept} sites' findings kept");
    assert!(reused > 1000, "only {reused} statements reused");
    assert!(findings > 100, "only {findings} edits left findings");
}

/// The quote style fixes are written in follows the file's strings: it is
/// read again when an edit reaches the statements it was read from.
#[test]
fn python_quote_style_follows_the_edits() {
    let mut s = Session::python(
        "from fastapi import HTTPException\n\n\ndef a():\n    raise HTTPException(status_code=401, detail=\"x\")\n\n\ndef b():\n    return 1\n",
    );
    s.replace("def a", "\"x\"", "'x'");
    s.replace("def b", "return 1", "return 2");
    s.replace("def a", "'x'", "\"x\"");
    s.replace("def b", "return 2", "return 'y'");
}

/// The challenge a fix writes depends on what the whole file reads (a
/// reader declared at its top, the one scheme it uses), and the log line on
/// the loggers other statements call: edits to those, far from the 401,
/// and edits far from them all, match a fresh lint.
#[test]
fn edits_to_what_the_file_reads_about_credentials_match_a_fresh_lint() {
    let filler = "# padding so the reader sits far from the handler\n".repeat(30);
    let py = format!(
        "from fastapi import Depends, FastAPI, HTTPException\n\
         from fastapi.security import HTTPBasic\n\n\
         security = HTTPBasic()\n\
         app = FastAPI()\n\n{filler}\n\
         @app.get(\"/admin\")\n\
         def admin(creds=Depends(security)):\n    \
             if creds.password != \"x\":\n        \
                 raise HTTPException(status_code=401, detail=\"Wrong password\")\n    \
             return {{}}\n"
    );
    let mut s = Session::python(&py);
    s.replace("# padding", "padding", "filling");
    s.replace("security = ", "HTTPBasic()", "HTTPBearer()");
    s.replace(
        "security = ",
        "HTTPBearer()",
        "APIKeyHeader(name=\"X-Key\")",
    );
    s.replace("security = ", "security", "other");

    let ts = format!(
        "import express from 'express'\n\
         const app = express()\n\
         app.get('/health', (request, res) => {{\n  request.log.info('ok')\n  res.end()\n}})\n\
         {}\n\
         app.get('/me', (request, res) => {{\n  \
           if (!request.headers['x-api-key']) {{\n    \
             return res.status(401).json({{ error: 'no key' }})\n  }}\n  res.end()\n}})\n",
        "// padding so the other handler sits far away\n".repeat(30)
    );
    let mut s = Session::new(&ts);
    s.replace("// padding", "padding", "filling");
    s.replace("request.log.info", "request.log", "request.logger");
    s.replace("app.get('/me'", "x-api-key", "x-auth-token");
    s.replace("import express", "express'", "express' // 'Basic '");
}
