//! Small helpers over tree-sitter nodes shared by the extractors.

use memchr::memmem::Finder;
use std::sync::OnceLock;
use tree_sitter::{Node, Tree};

/// Byte-string searchers, built once per process by each pre-parse filter
/// below (they run on every file walked).
type Finders = Vec<Finder<'static>>;

fn finders(needles: &[&'static str]) -> Finders {
    needles.iter().map(|n| Finder::new(n.as_bytes())).collect()
}

/// Whether any of `finders` occurs in `bytes`.
fn any_in(finders: &[Finder], bytes: &[u8]) -> bool {
    finders.iter().any(|f| f.find(bytes).is_some())
}

/// Cheap pre-parse filter: a file with none of these byte strings cannot
/// hold a response site, a forwarded status, or a suppression comment
/// (except through an import: see [`super::clues`]). A status read off
/// something (`.status`, `status_code`) matters only beside a call to
/// another service, whose status it may pass on: most such reads are a
/// record's field (`order.status`).
/// Runs on every file walked, so the searchers are built once per process.
pub fn may_contain_response(text: &str, python: bool) -> bool {
    const NEEDLES: &[&str] = &[
        "authlint-",
        // `reply.send(err)` after @fastify/jwt's `request.jwtVerify()` answers 401
        // without the status being written anywhere.
        "jwtVerify",
    ];
    static FINDERS: OnceLock<[Finders; 2]> = OnceLock::new();
    let [needles, reads] =
        FINDERS.get_or_init(|| [finders(NEEDLES), finders(&[".status", "status_code"])]);
    let bytes = text.as_bytes();
    has_status_clue(text)
        || any_in(needles, bytes)
        || (any_in(reads, bytes) && calls_out(bytes, python))
        || relays_with_credential(text)
}

/// Whether the text may call another service: the clients whose answers
/// [`crate::engine`]'s status evaluation knows as upstream ones (`fetch`,
/// axios, got, ky, undici; requests, httpx, aiohttp, urllib, or a
/// `client`, `session` or `http` object's request method).
fn calls_out(bytes: &[u8], python: bool) -> bool {
    const JAVASCRIPT: &[&str] = &[
        "fetch(", "Fetch(", "axios", "Axios", "got(", "got.", "ky.", "ky(", "request(", "upstream",
        "undici",
    ];
    const PYTHON: &[&str] = &[
        "requests", "httpx", "aiohttp", "urllib", "httplib2", "niquests", "urlopen", "upstream",
    ];
    static FINDERS: OnceLock<[Finders; 2]> = OnceLock::new();
    let [js, py] = FINDERS.get_or_init(|| [finders(JAVASCRIPT), finders(PYTHON)]);
    if !python {
        return any_in(js, bytes);
    }
    any_in(py, bytes) || python_client_call(bytes)
}

/// `self.client.get(`, `session.post(`, `http.request(`: a request method
/// called on an object named for a client, a session or HTTP.
fn python_client_call(bytes: &[u8]) -> bool {
    const VERBS: &[&[u8]] = &[
        b"get(",
        b"post(",
        b"put(",
        b"patch(",
        b"delete(",
        b"head(",
        b"options(",
        b"request(",
        b"send(",
        b"fetch(",
        b"stream(",
    ];
    memchr::memchr_iter(b'.', bytes).any(|dot| {
        let rest = &bytes[dot + 1..];
        if !VERBS.iter().any(|v| rest.starts_with(v)) {
            return false;
        }
        let start = bytes[..dot]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .map_or(0, |i| i + 1);
        let name = bytes[start..dot].to_ascii_lowercase();
        [&b"client"[..], b"session", b"http"]
            .iter()
            .any(|k| name.windows(k.len()).any(|w| w == *k))
    })
}

/// A handler may return an outbound call's whole answer (`return
/// fetch(…)`) made with a credential of its own: no status is written.
fn relays_with_credential(text: &str) -> bool {
    static FINDERS: OnceLock<[Finder<'static>; 3]> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| {
        [
            Finder::new("fetch("),
            Finder::new("return"),
            Finder::new("uthorization"),
        ]
    });
    finders.iter().all(|f| f.find(text.as_bytes()).is_some())
}

/// Whether `text` names a 401 or 403 itself: the number, a status word, or
/// an exception that stands for one.
pub fn has_status_clue(text: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "nauthorized",
        "NAUTHORIZED",
        "orbidden",
        "ORBIDDEN",
        // Django's 403 exception, raised without any status written.
        "PermissionDenied",
    ];
    static FINDERS: OnceLock<(Finder<'static>, Finders)> = OnceLock::new();
    let (forty, needles) = FINDERS.get_or_init(|| (Finder::new("40"), finders(NEEDLES)));
    let bytes = text.as_bytes();
    status_number(forty, bytes) || any_in(needles, bytes)
}

/// Cheap filter for an imported module: a module with none of these byte
/// strings exports no status constant, response helper, error class, header
/// object, challenge string or logging function, so its summary is empty
/// without parsing it. Python adds the names its helpers and error classes
/// are built from.
pub fn may_export_response_facts(text: &str, python: bool) -> bool {
    const NEEDLES: &[&str] = &[
        "40",
        "tatus",
        "nauthorized",
        "NAUTHORIZED",
        "orbidden",
        "ORBIDDEN",
        "eaders",
        "EADERS",
        "uthenticate",
        "ccess-Control",
        "ccess-control",
        "realm",
        "Bearer",
        "Basic",
    ];
    const JAVASCRIPT: &[&str] = &[];
    const PYTHON: &[&str] = &[
        "PermissionDenied",
        "Exception",
        // `Response`, `JSONResponse`, `make_response`
        "esponse",
        "abort",
        "jsonify",
    ];
    static FINDERS: OnceLock<[Finders; 3]> = OnceLock::new();
    let [common, js, py] =
        FINDERS.get_or_init(|| [finders(NEEDLES), finders(JAVASCRIPT), finders(PYTHON)]);
    let bytes = text.as_bytes();
    let own = if python { py } else { js };
    any_in(common, bytes) || any_in(own, bytes) || (!python && may_log_then_reject(bytes))
}

/// A JavaScript module that may hold a check logging why it refused
/// (`logger.warn(…); return false`): a log call and a rejecting exit.
fn may_log_then_reject(bytes: &[u8]) -> bool {
    const LOGS: &[&str] = &["ogger.", "log.", "console.", "captureException"];
    const REJECTS: &[&str] = &[
        "return false",
        "return null",
        "return undefined",
        "return;",
        "throw ",
    ];
    static FINDERS: OnceLock<[Finders; 2]> = OnceLock::new();
    let [logs, rejects] = FINDERS.get_or_init(|| [finders(LOGS), finders(REJECTS)]);
    any_in(logs, bytes) && any_in(rejects, bytes)
}

/// Whether 401 or 403 occurs as a number of its own: `401`, `HTTP_401_…`,
/// `'403'`, but not inside `4010` or `listItems1403`. `forty` finds "40".
fn status_number(forty: &Finder, bytes: &[u8]) -> bool {
    forty.find_iter(bytes).any(|at| {
        let digit = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(u8::is_ascii_digit);
        matches!(bytes.get(at + 2), Some(b'1' | b'3'))
            && !digit(at.checked_sub(1))
            && !digit(Some(at + 3))
    })
}

/// Whether any node of `tree` is nested deeper than `limit` (iterative walk).
pub fn depth_exceeds(tree: &Tree, limit: usize) -> bool {
    node_depth_exceeds(tree.root_node(), limit)
}

/// Whether `node`'s subtree is nested deeper than `limit` below it.
pub fn node_depth_exceeds(node: Node, limit: usize) -> bool {
    let mut cursor = node.walk();
    let mut depth = 0usize;
    loop {
        if depth > limit {
            return true;
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
            depth -= 1;
        }
    }
}

/// The source text of `node`.
pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    src.get(node.byte_range()).unwrap_or("")
}

/// The indentation (leading spaces/tabs) of the line containing `offset`,
/// and that line's start offset.
/// The first call in `body` (not inside a nested scope) whose callee names a
/// credential verification: `jwt.verify`, `jwtVerify`, `jwt.decode`,
/// `decode_token`; with `lookups`, also one that looks a token or key up by
/// the one it is given (`getUserIdForToken(token)`, `find_by_api_key(key)`).
/// Returns the callee's text. `call_kind` is the grammar's call node;
/// `is_scope` tells nested functions, which run elsewhere.
pub fn verifying_call(
    body: Node,
    src: &str,
    call_kind: &str,
    is_scope: impl Fn(Node) -> bool,
    lookups: bool,
) -> Option<std::sync::Arc<str>> {
    let mut stack = vec![body];
    let mut seen = 0;
    while let Some(n) = stack.pop() {
        seen += 1;
        if seen > 400 {
            return None;
        }
        if n.kind_name() == call_kind {
            if let Some(f) = n.field("function") {
                let callee = text(f, src);
                let name = callee.rsplit('.').next().unwrap_or(callee);
                let lower = name.to_ascii_lowercase();
                let credential = |t: &str| {
                    let t = t.to_ascii_lowercase();
                    ["token", "apikey", "api_key", "credential"]
                        .iter()
                        .any(|k| t.contains(k))
                };
                // The token is the argument: not `createToken(user)`,
                // `setAuthTokens(tokens)`.
                let looks_up = lookups
                    && credential(name)
                    && ![
                        "create", "issue", "sign", "generate", "revoke", "delete", "refresh",
                        "set", "save", "store", "update", "write", "cache",
                    ]
                    .iter()
                    .any(|w| lower.contains(w))
                    && n.field("arguments").is_some_and(|a| {
                        let a = text(a, src);
                        credential(a) || a.to_ascii_lowercase().contains("key")
                    });
                let verifies = lower.contains("verify")
                    || lower == "decode"
                    || lower.starts_with("decode_")
                    || looks_up;
                if callee.len() <= 60 && verifies && !names_page_token(text(n, src)) {
                    return Some(callee.into());
                }
            }
        }
        if n.id() != body.id() && is_scope(n) {
            continue;
        }
        stack.extend(named_children(n));
    }
    None
}

/// How a language spells the statements [`statements_after`] walks.
pub struct BlockKinds {
    /// A list of statements (`statement_block`, `block`, the module).
    pub blocks: &'static [&'static str],
    /// A statement that leaves the function (`return_statement`…).
    pub exits: &'static [&'static str],
}

/// The statements after the one holding `site` in its block, up to and
/// including the first that leaves the function, none that is a scope of
/// its own; empty when a scope boundary comes before a block. `up` is the
/// file's parent lookup.
pub fn statements_after<'t>(
    site: Node<'t>,
    up: impl Fn(Node<'t>) -> Option<Node<'t>>,
    kinds: &BlockKinds,
    is_scope: impl Fn(Node) -> bool,
) -> Vec<Node<'t>> {
    let mut stmt = site;
    while let Some(p) = up(stmt) {
        if kinds.blocks.contains(&p.kind_name()) {
            break;
        }
        if is_scope(p) {
            return Vec::new();
        }
        stmt = p;
    }
    let mut out = Vec::new();
    let mut next = stmt.next_named_sibling();
    while let Some(n) = next {
        if !is_scope(n) {
            out.push(n);
        }
        if kinds.exits.contains(&n.kind_name()) {
            break;
        }
        next = n.next_named_sibling();
    }
    out
}

/// Whether `code` reads a pagination token or cursor (`page_token`,
/// `nextPageToken`, `cursor`): a token that pages results, not a credential.
pub fn names_page_token(code: &str) -> bool {
    let squashed: String = code
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    [
        "pagetoken",
        "nexttoken",
        "continuationtoken",
        "cursor",
        "pagination",
    ]
    .iter()
    .any(|k| squashed.contains(k))
}

/// Whether `clause` (a `catch` or `except` clause's text) names an error
/// class for a token that is not valid (`TokenNotValidError`,
/// `InvalidTokenError`, `ExpiredTokenException`): its `try` checked the
/// caller's token, whatever the call there is named.
pub fn names_token_error(clause: &str) -> bool {
    words(clause).any(|w| {
        let l = w.to_ascii_lowercase();
        l.contains("token")
            && (l.contains("error") || l.contains("exception"))
            && [
                "invalid",
                "notvalid",
                "expired",
                "malformed",
                "unknown",
                "notfound",
            ]
            .iter()
            .any(|k| l.contains(k))
    })
}

/// `hay` with every whole-word `word` (not part of a longer name or a
/// member access) replaced by `with`.
pub fn replace_word(hay: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(hay.len() + with.len());
    let mut last = 0;
    for (i, _) in hay.match_indices(word) {
        let before = hay[..i].chars().next_back();
        let after = hay[i + word.len()..].chars().next();
        let bounded = !matches!(before, Some(c) if c.is_alphanumeric() || c == '_' || c == '.')
            && !matches!(after, Some(c) if c.is_alphanumeric() || c == '_');
        if bounded && i >= last {
            out.push_str(&hay[last..i]);
            out.push_str(with);
            last = i + word.len();
        }
    }
    out.push_str(&hay[last..]);
    out
}

/// The start of the line holding `offset`, and that line's indentation.
///
/// A line is looked back along for at most [`LONG_LINE`] bytes: further
/// back than that (minified code), its start is far and its indentation
/// irrelevant, and the answer is `offset` with no indentation. Looking back
/// to the start of a one-line bundle for every site made linting quadratic.
pub fn line_indent(src: &str, offset: usize) -> (usize, String) {
    let offset = offset.min(src.len());
    let bytes = src.as_bytes();
    let lo = offset.saturating_sub(LONG_LINE);
    let start = match memchr::memrchr(b'\n', &bytes[lo..offset]) {
        Some(i) => lo + i + 1,
        None if lo == 0 => 0,
        None => return (offset, String::new()),
    };
    let n = bytes[start..]
        .iter()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    (start, src[start..start + n].to_string())
}

/// How far back [`line_indent`] looks for the start of a line.
pub const LONG_LINE: usize = 4096;

/// Whether only whitespace precedes `offset` on its line (found by looking
/// back over that whitespace only).
pub fn starts_line(src: &str, offset: usize) -> bool {
    let offset = offset.min(src.len());
    let bytes = src.as_bytes();
    let blank = bytes[..offset]
        .iter()
        .rev()
        .take_while(|b| **b == b' ' || **b == b'\t')
        .count();
    let at = offset - blank;
    at == 0 || bytes[at - 1] == b'\n'
}

/// The file's newline style.
pub fn newline(src: &str) -> &'static str {
    if memchr::memmem::find(src.as_bytes(), b"\r\n").is_some() {
        "\r\n"
    } else {
        "\n"
    }
}

/// One indentation unit as the file uses it (a tab, or 2/4 spaces).
pub fn indent_unit(src: &str) -> String {
    indent_scan(src).0
}

/// [`indent_unit`], and how far into `src` it read: the unit is the same
/// for any text that starts with those bytes.
pub fn indent_scan(src: &str) -> (String, usize) {
    let mut best = usize::MAX;
    let mut read = 0;
    for line in src.split_inclusive('\n').take(2000) {
        read += line.len();
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with('\t') {
            return ("\t".into(), read);
        }
        let n = line.bytes().take_while(|c| *c == b' ').count();
        if n > 0 && n < best && line.len() > n {
            best = n;
        }
    }
    let unit = if best == usize::MAX || best > 8 {
        "  ".into()
    } else {
        " ".repeat(best)
    };
    (unit, read)
}

/// Decodes a string literal's contents (JS or Python) when it has no
/// interpolation. Returns `None` for template literals with `${}`, f-strings…
pub fn string_value(node: Node, src: &str) -> Option<String> {
    let raw = text(node, src);
    match node.kind_name() {
        "string" | "template_string" => {
            if node.kind_name() == "template_string" && raw.contains("${") {
                return None;
            }
            // Python: strip prefixes (r, b, u) but refuse f-strings.
            let body = raw.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let prefix = &raw[..raw.len() - body.len()];
            if prefix.contains(['f', 'F']) {
                return None;
            }
            let q = body.chars().next()?;
            let body = if body.starts_with("\"\"\"") || body.starts_with("'''") {
                body.get(3..body.len().saturating_sub(3))?
            } else {
                body.get(q.len_utf8()..body.len().saturating_sub(q.len_utf8()))?
            };
            Some(unescape(body))
        }
        _ => None,
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Quotes `s` as a string literal, preferring `q` but switching to the other
/// quote when that avoids escaping (`"Bearer realm=\"api\""` becomes
/// `'Bearer realm="api"'`).
pub fn quote(s: &str, q: char) -> String {
    let other = if q == '"' { '\'' } else { '"' };
    let q = if s.contains(q) && !s.contains(other) {
        other
    } else {
        q
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        if c == q || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(q);
    out
}

/// The preferred quote of a file: whichever of `'` or `"` starts more strings.
pub fn preferred_quote(tree: &Tree, src: &str) -> char {
    quote_from_marks(quote_marks(tree.root_node(), src, QUOTE_SAMPLE).into_iter())
}

/// How many string literals [`preferred_quote`] looks at.
pub const QUOTE_SAMPLE: usize = 201;

/// The opening quote of a string literal: `'`, `"`, or `?` for anything
/// else (a Python prefix such as `f` or `rb` is skipped).
pub fn quote_mark(node: Node, src: &str) -> u8 {
    let t = text(node, src).trim_start_matches(|c: char| c.is_ascii_alphabetic());
    match t.as_bytes().first() {
        Some(b'\'') => b'\'',
        Some(b'"') => b'"',
        _ => b'?',
    }
}

/// The opening quote (`'`, `"`, or `?` for anything else) of the first
/// `cap` string literals under `node`, in document order.
pub fn quote_marks(node: Node, src: &str, cap: usize) -> Vec<u8> {
    quote_sample(node, src, cap).0
}

/// [`quote_marks`], and the offset up to which the text was read: the end
/// of the last string taken when `cap` was reached, else the end of `node`.
pub fn quote_sample(node: Node, src: &str, cap: usize) -> (Vec<u8>, usize) {
    let mut marks = Vec::new();
    if cap == 0 {
        return (marks, node.start_byte());
    }
    let mut cursor = node.walk();
    'walk: loop {
        let node = cursor.node();
        if node.kind_name() == "string" {
            marks.push(quote_mark(node, src));
            if marks.len() >= cap {
                return (marks, node.end_byte());
            }
        }
        if node.kind_name() != "string" && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    (marks, node.end_byte())
}

/// The preferred quote given the quote marks of a file's strings, in order.
pub fn quote_from_marks(marks: impl Iterator<Item = u8>) -> char {
    let (mut single, mut double) = (0usize, 0usize);
    for m in marks.take(QUOTE_SAMPLE) {
        match m {
            b'\'' => single += 1,
            b'"' => double += 1,
            _ => {}
        }
    }
    if single >= double && single > 0 {
        '\''
    } else if double > 0 {
        '"'
    } else {
        '\''
    }
}

/// `node`'s named children, in order. Uses a cursor: indexing children one by
/// one (`named_child(i)`) is linear per call, quadratic over a wide node.
pub fn named_children<'t>(node: Node<'t>) -> std::vec::IntoIter<Node<'t>> {
    let count = node.named_child_count();
    if count <= SMALL_CHILD_COUNT {
        // `named_child(i)` walks from the first child, so this is quadratic in
        // the count, but each step is far cheaper than a tree cursor's (which
        // is also allocated per call): most nodes have a handful of children.
        return (0..count)
            .filter_map(|i| node.named_child(i))
            .collect::<Vec<_>>()
            .into_iter();
    }
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .collect::<Vec<_>>()
        .into_iter()
}

/// Up to this many named children, [`named_children`] indexes instead of
/// walking a cursor.
const SMALL_CHILD_COUNT: usize = 12;

/// Whether brackets nest deeper than `limit` anywhere in `text`. A linear
/// pre-parse check: pathological nesting makes parsing itself slow.
pub fn bracket_depth_exceeds(text: &str, limit: usize) -> bool {
    bracket_walk(text, limit) > limit
}

/// How deep brackets nest in `text`, at most (a closing bracket with
/// nothing open is ignored).
///
/// After an edit, the new text nests at most as deep as the old one, plus
/// the closing brackets the edit removed, plus how deep the inserted text
/// nests on its own: the language server keeps that bound, and scans the
/// whole text again only when the bound passes the limit.
pub fn bracket_depth(text: &str) -> usize {
    bracket_walk(text, usize::MAX)
}

/// The closing brackets in `text`.
pub fn closing_brackets(text: &str) -> usize {
    text.bytes()
        .filter(|b| matches!(b, b')' | b']' | b'}'))
        .count()
}

/// The deepest nesting in `text`, or the first depth past `stop`.
fn bracket_walk(text: &str, stop: usize) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    if deepest > stop {
                        break;
                    }
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The words a constant's name spells, when it is written in
/// SCREAMING_SNAKE_CASE of at least two words (`USER_IS_NOT_A_MEMBER` →
/// "user is not a member"): error-code tables name their messages so.
pub fn constant_words(name: &str) -> Option<String> {
    let ok = name.len() >= 5
        && name.contains('_')
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    ok.then(|| {
        name.split('_')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    })
}

/// The identifier-like words of `text`: runs of ASCII letters, digits and
/// `_`, and of non-ASCII characters (which identifiers may contain).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    // Byte by byte: every byte of a non-ASCII character is a word byte, so
    // a word never starts or ends inside one.
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || !b.is_ascii();
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !word(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && word(bytes[i]) {
            i += 1;
        }
        (i > start).then(|| &text[start..i])
    })
}

/// A map keyed by node ids (addresses): FxHash is enough, and much cheaper
/// than SipHash for the parent maps built over whole files.
pub type IdMap<V> = rustc_hash::FxHashMap<usize, V>;

/// A fast, non-cryptographic 64-bit hash of `bytes` (to notice changed text).
pub fn fast_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// The split of `if (a || b) <exit>` (or Python's `if a or b: <exit>`) a
/// fix can make, given the `if`, its consequence, the exit statement and the
/// condition with parentheses removed. `binary` and `op` are the grammar's
/// node kind and operator for the disjunction. `None` when the condition has
/// one operand, or a comment sits between two.
pub fn condition_split(
    src: &str,
    newline: &'static str,
    if_stmt: Node,
    consequence: Node,
    exit: Node,
    condition: Node,
    (binary, op): (&str, &str),
) -> Option<crate::engine::model::ConditionSplit> {
    let mut parts = Vec::new();
    flatten_binary(condition, src, binary, op, &mut parts);
    if parts.len() < 2 {
        return None;
    }
    for w in parts.windows(2) {
        if src[w[0].end_byte()..w[1].start_byte()].trim() != op {
            return None; // a comment between operands
        }
    }
    let (line_start, indent) = line_indent(src, if_stmt.start_byte());
    Some(crate::engine::model::ConditionSplit {
        // Up to the end of the body: a trailing comment stays with the original.
        statement: if_stmt.start_byte()..end_without_comments(consequence),
        disjuncts: parts
            .iter()
            .map(|p| (p.byte_range(), text(*p, src).to_string()))
            .collect(),
        body: exit.start_byte()..end_without_comments(exit),
        before: crate::engine::model::StatementInsertion {
            line_start,
            indent: indent.into(),
            wrap: None,
            newline,
        },
    })
}

/// The operands of a left-nested `a OP b OP c`.
fn flatten_binary<'t>(n: Node<'t>, src: &str, binary: &str, op: &str, out: &mut Vec<Node<'t>>) {
    if n.kind_name() == binary && n.field("operator").is_some_and(|o| text(o, src) == op) {
        if let (Some(l), Some(r)) = (n.field("left"), n.field("right")) {
            flatten_binary(l, src, binary, op, out);
            out.push(r);
            return;
        }
    }
    out.push(n);
}

/// Where `n` ends, not counting a trailing comment (a statement without a
/// semicolon can take the comment that follows it on its line).
fn end_without_comments(n: Node) -> usize {
    let mut end = n.start_byte();
    let mut c = n.walk();
    for child in n.children(&mut c) {
        if child.kind_name() != "comment" {
            end = child.end_byte();
        }
    }
    if n.child_count() == 0 {
        n.end_byte()
    } else {
        end
    }
}

/// What [`walk_named`] does after visiting a node.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Go on into the node's children.
    Descend,
    /// Go on past the node's subtree.
    Skip,
    /// End the walk.
    Stop,
}

/// Visits `root` and its named descendants in document order (pre-order),
/// reached through named nodes only: a stack of [`named_children`] pushed
/// in reverse, without a vector per node. (Indexing children is cheaper
/// than moving a tree cursor for the small nodes that make up most trees.)
pub fn walk_named<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> Walk) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match visit(node) {
            Walk::Stop => return,
            Walk::Skip => {}
            Walk::Descend => push_named_children_reversed(node, &mut stack),
        }
    }
}

/// Pushes `node`'s named children onto `stack`, last first.
pub fn push_named_children_reversed<'t>(node: Node<'t>, stack: &mut Vec<Node<'t>>) {
    let count = node.named_child_count();
    if count <= SMALL_CHILD_COUNT {
        stack.extend((0..count).rev().filter_map(|i| node.named_child(i)));
    } else {
        let start = stack.len();
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
        stack[start..].reverse();
    }
}

/// Node kinds and field lookups by id, read once per grammar.
/// `Node::kind` looks the name up and checks it is UTF-8 on every call, and
/// `Node::child_by_field_name` compares the name with each of the grammar's
/// field names in turn; the extraction calls both hundreds of thousands of
/// times over a large project.
pub trait NodeExt<'t> {
    /// [`Node::kind`].
    fn kind_name(&self) -> &'static str;
    /// [`Node::child_by_field_name`].
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

struct GrammarNames {
    grammar: tree_sitter::Language,
    kinds: Vec<&'static str>,
    fields: rustc_hash::FxHashMap<&'static str, u16>,
}

fn grammar_names(node: &Node) -> Option<&'static GrammarNames> {
    static ALL: std::sync::OnceLock<Vec<GrammarNames>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        use super::Language as L;
        [L::JavaScript, L::TypeScript, L::Tsx, L::Python]
            .into_iter()
            .map(|l| {
                let grammar = l.grammar();
                let kinds = (0..grammar.node_kind_count())
                    .map(|id| {
                        u16::try_from(id)
                            .ok()
                            .and_then(|id| grammar.node_kind_for_id(id))
                            .unwrap_or("")
                    })
                    .collect();
                let fields = (1..=grammar.field_count())
                    .filter_map(|id| {
                        let id = u16::try_from(id).ok()?;
                        Some((grammar.field_name_for_id(id)?, id))
                    })
                    .collect();
                GrammarNames {
                    grammar,
                    kinds,
                    fields,
                }
            })
            .collect()
    });
    let lang = node.language();
    all.iter().find(|g| g.grammar == *lang)
}

impl<'t> NodeExt<'t> for Node<'t> {
    fn kind_name(&self) -> &'static str {
        let id = self.kind_id();
        match grammar_names(self).and_then(|g| g.kinds.get(usize::from(id))) {
            Some(name) if !name.is_empty() => name,
            // ERROR and other built-in kinds sit outside the table.
            _ => self.kind(),
        }
    }

    fn field(&self, name: &str) -> Option<Node<'t>> {
        match grammar_names(self) {
            Some(g) => self.child_by_field_id(*g.fields.get(name)?),
            None => self.child_by_field_name(name),
        }
    }
}

/// The largest char boundary of `text` at or before `i` (`i` past the end
/// gives the end).
pub fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests;
