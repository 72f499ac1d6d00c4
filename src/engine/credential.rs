//! Which credential a handler reads before it answers 401: the challenge a
//! fix adds must name that scheme. A `Bearer` challenge on an endpoint that
//! reads Basic credentials takes the browser's login prompt away.
//!
//! The evidence is textual and language-neutral: the handler's text before
//! the site (at most [`WINDOW`] bytes of it, so the cost per site is
//! bounded), read for the scheme names, header names and session reads that
//! TypeScript, JavaScript and Python code spell the same way.

use crate::engine::model::ResponseSite;
use crate::engine::syntax::floor_boundary;
use std::ops::Range;

/// How far back from a site its handler is read.
pub const WINDOW: usize = 8 * 1024;

/// A credential read on the way to a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// `Authorization: Basic …` (RFC 7617): a `'Basic '` prefix, Werkzeug's
    /// `request.authorization`, FastAPI's `HTTPBasic`, base64 decoding of
    /// the `Authorization` header.
    Basic,
    /// `Authorization: Bearer …` (RFC 6750).
    Bearer,
    /// Both schemes are read: the endpoint accepts either.
    BasicOrBearer,
    /// An API key in a request header, by the header's name as written.
    ApiKey(String),
    /// A session cookie: no registered scheme fits.
    Cookie,
    /// A password posted in the request body (a login form, OAuth's
    /// password grant): no scheme carries it.
    Form,
}

/// What a file reads once, for every site in it: the names bound at the
/// top level to a scheme's reader (`basic = HTTPBasic()`,
/// `api_key = APIKeyHeader(name="X-API-Key")`), which handlers name in
/// their parameters, and the one scheme the whole file reads, if only one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FileCredentials {
    declared: Vec<(String, Credential)>,
    only: Option<Credential>,
    /// The file is (part of) an MCP server: see [`FileCredentials::mcp`].
    mcp: Option<Mcp>,
    /// The file handles tokens (`token`, `jwt`, `claims`, `bearer`, `oauth`).
    tokens: bool,
}

/// An MCP server's protected resource, as its file shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mcp {
    /// The absolute URL of its protected resource metadata
    /// (`https://…/.well-known/oauth-protected-resource…`), when the file
    /// writes it as a literal.
    pub metadata_url: Option<String>,
}

/// What marks an MCP server: its SDKs' server modules and classes, and the
/// protected resource metadata route (RFC 9728) MCP authorization serves.
const MCP_SERVER_MARKS: &[&str] = &[
    "@modelcontextprotocol/sdk/server",
    "McpServer",
    "StreamableHTTPServerTransport",
    "SSEServerTransport",
    "FastMCP",
    "from mcp.server",
    "import mcp.server",
    "oauth-protected-resource",
];

const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

impl FileCredentials {
    pub fn new(text: &str) -> Self {
        Self::from_events(&events(text))
    }

    fn from_events(events: &[Event]) -> Self {
        let e = Evidence::from_events(events);
        let only = match (e.basic, e.bearer, e.api_key) {
            (true, false, None) => Some(Credential::Basic),
            (false, true, None) => Some(Credential::Bearer),
            (false, false, Some(h)) => Some(Credential::ApiKey(h)),
            _ => None,
        };
        let declared = events
            .iter()
            .filter_map(|e| match e {
                Event::Declared(n, c) => Some((n.clone(), c.clone())),
                _ => None,
            })
            .collect();
        let mcp = events.contains(&Event::Mcp).then(|| Mcp {
            metadata_url: events.iter().find_map(|e| match e {
                Event::MetadataUrl(u) => Some(u.clone()),
                _ => None,
            }),
        });
        FileCredentials {
            declared,
            only,
            mcp,
            tokens: e.tokens,
        }
    }

    /// The MCP server this file is part of, if it is one.
    pub fn mcp(&self) -> Option<&Mcp> {
        self.mcp.as_ref()
    }
}

type Declarer = (&'static str, fn(&str) -> Option<Credential>);

/// Classes whose instances read a credential, by what they read (FastAPI
/// and Starlette security schemes).
const DECLARERS: &[Declarer] = &[
    ("HTTPBasic(", |_| Some(Credential::Basic)),
    ("HTTPBearer(", |_| Some(Credential::Bearer)),
    ("OAuth2PasswordBearer(", |_| Some(Credential::Bearer)),
    ("OAuth2AuthorizationCodeBearer(", |_| {
        Some(Credential::Bearer)
    }),
    ("APIKeyHeader(", |call| {
        let name = call.split_once("name=")?.1.trim_start();
        let q = name.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
        let value = &name[1..];
        let header = &value[..value.find(q)?];
        is_header_name(header).then(|| Credential::ApiKey(header.to_string()))
    }),
];

/// The credential read in `site`'s handler before `site`, if the text shows
/// one. The condition guarding the site speaks first: after
/// `if (!h.startsWith('Basic '))` the endpoint wants Basic, whatever else
/// its handler read before. A handler that shows no credential of its own
/// may name a reader declared at the top of the file, or sit in a file that
/// reads only one scheme.
pub fn read_before(text: &str, site: &ResponseSite, file: &FileCredentials) -> Option<Credential> {
    let guarded = site
        .guard
        .as_ref()
        .and_then(|g| Evidence::of(&g.text).credential())
        .filter(|c| !matches!(c, Credential::Cookie | Credential::Form));
    if guarded.is_some() {
        return guarded;
    }
    let window = text.get(window(text, site))?;
    let e = Evidence::of(window);
    if let Some(c) = e.credential() {
        return Some(c);
    }
    if e.authorization {
        // The header is read, its scheme not named: the configured one.
        return None;
    }
    let named = file
        .declared
        .iter()
        .find(|(name, _)| has_word(window, name));
    named.map(|(_, c)| c.clone()).or_else(|| file.only.clone())
}

/// Whether the site's handler authenticates with a Bearer token: the
/// credential read is Bearer, or no other scheme shows and the file handles
/// tokens (`token`, `jwt`, `claims`, `bearer`, `oauth`).
pub fn bearer_protected(text: &str, site: &ResponseSite, file: &FileCredentials) -> bool {
    match read_before(text, site, file) {
        Some(Credential::Bearer | Credential::BasicOrBearer) => true,
        Some(_) => false,
        None => file.tokens,
    }
}

const TOKEN_WORDS: &[&str] = &["token", "jwt", "claims", "bearer", "oauth"];

/// What [`read_before`] reads: the handler before the site, at most
/// [`WINDOW`] bytes back.
fn window(text: &str, site: &ResponseSite) -> Range<usize> {
    let end = site.range.start.min(text.len());
    let start = site.handler.as_ref().map_or(end, |h| h.start);
    floor_boundary(text, start.max(end.saturating_sub(WINDOW)).min(end))..end
}

/// `word` in `text` with no identifier character on either side.
fn has_word(text: &str, word: &str) -> bool {
    let ident = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_');
    text.match_indices(word).any(|(i, _)| {
        !ident(text[..i].bytes().next_back()) && !ident(text[i + word.len()..].bytes().next())
    })
}

/// How far from its match what an [`Event`] says is read (a quote, a
/// header name's literal and the text before it, a declaration's line, a
/// metadata URL's literal).
pub const EVENT_REACH: usize = 256;

/// What one match of the file scan says, worked out from the text within
/// [`EVENT_REACH`] of it. A file's [`FileCredentials`] follows from its
/// events in order, so two texts whose events around an edit are the same
/// have the same credentials (see [`events`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A word that counts by being there.
    Word(Pat),
    /// `basic` (`true`) or `bearer` at the start of a string.
    QuotedScheme(bool),
    /// A header name holding a key or token, read from the headers.
    Key(String),
    /// A reader class assigned to a name.
    Declared(String, Credential),
    /// An MCP server's mark.
    Mcp,
    /// An absolute URL of protected resource metadata, as a literal.
    MetadataUrl(String),
}

/// The events of `text` (a whole file, or a window of one), in order.
pub fn events(text: &str) -> Vec<Event> {
    let (ac, pats) = file_scanner();
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    for m in ac.find_overlapping_iter(text) {
        let (start, end) = (m.start(), m.end());
        let event = match pats[m.pattern().as_usize()] {
            Pat::Scheme(basic) if quoted_at(bytes, start, end - start) => {
                Some(Event::QuotedScheme(basic))
            }
            Pat::Scheme(false) => Some(Event::Word(Pat::Token)),
            Pat::Scheme(true) => None,
            Pat::Key => api_key_at(text, start).map(Event::Key),
            // Class names are case-sensitive (`HTTPBasic(`, not `httpbasic(`).
            Pat::Declarer(i) if text[start..end] == *DECLARERS[i].0 => declared_at(text, i, start),
            Pat::Declarer(_) => None,
            Pat::Mcp if MCP_SERVER_MARKS.iter().any(|k| text[start..end] == **k) => {
                Some(Event::Mcp)
            }
            Pat::Mcp => None,
            Pat::Metadata => metadata_url_at(text, start).map(Event::MetadataUrl),
            p => Some(Event::Word(p)),
        };
        out.extend(event);
    }
    out
}

/// `<name> = <Class>(` at the start of a line, within [`EVENT_REACH`].
fn declared_at(text: &str, i: usize, at: usize) -> Option<Event> {
    let lo = floor_boundary(text, at.saturating_sub(EVENT_REACH / 2));
    let line = text[lo..at].rfind('\n').map_or(lo, |n| lo + n + 1);
    let name = text[line..at]
        .trim_end()
        .strip_suffix('=')
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))?;
    let call = &text[at..floor_boundary(text, (at + EVENT_REACH / 2).min(text.len()))];
    let c = (DECLARERS[i].1)(call)?;
    Some(Event::Declared(name.to_string(), c))
}

/// The absolute URL in the string literal around the metadata path at `at`.
fn metadata_url_at(text: &str, at: usize) -> Option<String> {
    let lo = floor_boundary(text, at.saturating_sub(EVENT_REACH / 2));
    let open = lo + text[lo..at].rfind(['\'', '"', '`', '\n'])?;
    let q = text[open..].chars().next()?;
    let hi = floor_boundary(text, (at + EVENT_REACH / 2).min(text.len()));
    let close = at + text[at..hi].find([q, '\n'])?;
    let url = &text[open + 1..close];
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let plain = !url.contains(['$', '{', '}', ' ', '"', '\\']);
    (q != '\n' && text[close..].starts_with(q) && absolute && plain).then(|| url.to_string())
}

/// What a pattern of the file scan stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pat {
    /// `basic` or `bearer`, counted when quoted.
    Scheme(bool),
    BasicWord,
    BearerWord,
    RequestAuthorization,
    DotToken,
    Authorization,
    Base64,
    Token,
    Key,
    /// An MCP server's mark ([`MCP_SERVER_MARKS`]).
    Mcp,
    /// A reader class ([`DECLARERS`], by index).
    Declarer(usize),
    /// [`METADATA_PATH`].
    Metadata,
    /// A session read ([`SESSION_WORDS`]).
    Session,
    /// A posted body ([`FORM_WORDS`]).
    FormWord,
    Password,
}

fn file_scanner() -> &'static (aho_corasick::AhoCorasick, Vec<Pat>) {
    static SCANNER: std::sync::OnceLock<(aho_corasick::AhoCorasick, Vec<Pat>)> =
        std::sync::OnceLock::new();
    SCANNER.get_or_init(|| {
        let mut pats: Vec<(&str, Pat)> = vec![
            ("basic", Pat::Scheme(true)),
            ("bearer", Pat::Scheme(false)),
            ("request.authorization", Pat::RequestAuthorization),
            (".token", Pat::DotToken),
            ("authorization", Pat::Authorization),
        ];
        pats.extend(BASIC_WORDS.iter().map(|w| (*w, Pat::BasicWord)));
        pats.extend(BEARER_WORDS.iter().map(|w| (*w, Pat::BearerWord)));
        pats.extend(["base64", "atob(", "b64decode"].map(|w| (w, Pat::Base64)));
        pats.extend(TOKEN_WORDS.iter().map(|w| (*w, Pat::Token)));
        pats.extend(KEY_NEEDLES.iter().map(|w| (*w, Pat::Key)));
        pats.extend(MCP_SERVER_MARKS.iter().map(|w| (*w, Pat::Mcp)));
        pats.extend(
            DECLARERS
                .iter()
                .enumerate()
                .map(|(i, (w, _))| (*w, Pat::Declarer(i))),
        );
        pats.push((METADATA_PATH, Pat::Metadata));
        pats.extend(SESSION_WORDS.iter().map(|w| (*w, Pat::Session)));
        pats.extend(FORM_WORDS.iter().map(|w| (*w, Pat::FormWord)));
        pats.push(("password", Pat::Password));
        // A DFA: the overlapping search of the default automaton was the
        // slowest part of a keystroke in the language server.
        let ac = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(pats.iter().map(|(w, _)| w))
            .expect("fixed patterns");
        (ac, pats.into_iter().map(|(_, p)| p).collect())
    })
}

/// What a piece of code shows about credentials.
#[derive(Debug, Default)]
struct Evidence {
    basic: bool,
    bearer: bool,
    api_key: Option<String>,
    /// The `Authorization` header is read.
    authorization: bool,
    session: bool,
    /// A password is read from a posted body.
    form: bool,
    /// Tokens are handled ([`TOKEN_WORDS`]).
    tokens: bool,
}

impl Evidence {
    fn of(code: &str) -> Self {
        Self::from_events(&events(code))
    }

    fn from_events(events: &[Event]) -> Self {
        let has = |p: Pat| events.contains(&Event::Word(p));
        let quoted = |basic: bool| events.contains(&Event::QuotedScheme(basic));
        let bearer = quoted(false)
            || has(Pat::BearerWord)
            // Werkzeug >= 2.3 parses Bearer too: `request.authorization.token`.
            || (has(Pat::RequestAuthorization) && has(Pat::DotToken));
        let basic = quoted(true)
            || has(Pat::BasicWord)
            || (has(Pat::RequestAuthorization) && !bearer)
            || (has(Pat::Authorization) && has(Pat::Base64));
        Evidence {
            basic,
            bearer,
            // The last one in the text.
            api_key: events.iter().rev().find_map(|e| match e {
                Event::Key(k) => Some(k.clone()),
                _ => None,
            }),
            authorization: has(Pat::Authorization),
            session: has(Pat::Session),
            form: has(Pat::Password) && has(Pat::FormWord),
            tokens: has(Pat::Token) || has(Pat::BearerWord),
        }
    }

    /// Schemes first, then an API-key header, then a session.
    fn credential(&self) -> Option<Credential> {
        match (self.basic, self.bearer) {
            (true, true) => return Some(Credential::BasicOrBearer),
            (true, false) => return Some(Credential::Basic),
            (false, true) => return Some(Credential::Bearer),
            _ => {}
        }
        if self.authorization {
            return None;
        }
        if let Some(h) = &self.api_key {
            return Some(Credential::ApiKey(h.clone()));
        }
        if self.form {
            return Some(Credential::Form);
        }
        self.session.then_some(Credential::Cookie)
    }
}

const BASIC_WORDS: &[&str] = &["httpbasic", "basicauth", "basic_auth"];
const BEARER_WORDS: &[&str] = &[
    "httpbearer",
    "oauth2passwordbearer",
    "oauth2authorizationcodebearer",
    "bearerauth",
    "bearer_auth",
];
const FORM_WORDS: &[&str] = &[
    "req.body",
    "request.body",
    "request.form",
    "request.post",
    "formdata",
    "form_data",
    "oauth2passwordrequestform",
];
const SESSION_WORDS: &[&str] = &[
    "cookies",
    "req.session",
    "request.session",
    "ctx.session",
    "getserversession(",
    "getsession(",
    "session.get(",
    "session[",
];

/// The credential `code` reads, on its own.
#[cfg(test)]
fn from_text(code: &str) -> Option<Credential> {
    Evidence::of(code).credential()
}

/// The word at `i..i + len` of `text` starts a string literal or a regular
/// expression (`'Bearer '`, `/^Bearer /`).
fn quoted_at(text: &[u8], i: usize, len: usize) -> bool {
    let before = text[..i].last();
    let after = text.get(i + len);
    matches!(before, Some(b'\'' | b'"' | b'`' | b'^' | b'/'))
        && matches!(after, Some(b' ' | b'\'' | b'"' | b'`' | b'\\'))
}

/// Words inside a header name that holds a key or token.
const KEY_NEEDLES: &[&str] = &["api-key", "apikey", "-token", "-auth", "-key"];

/// The name of a request header holding an API key or token, as the code
/// writes it, from a key-like word at `at`: the string literal around it
/// (`'x-api-key'`), read from the headers (`headers['x-api-key']`,
/// `headers.get("X-API-Key")`, `APIKeyHeader(name="X-API-Key")`).
/// Environment variables (`API_KEY`) and query parameters are not headers.
fn api_key_at(code: &str, at: usize) -> Option<String> {
    let lo = floor_boundary(code, at.saturating_sub(64));
    let open = lo + code[lo..at].rfind(['\'', '"'])?;
    let q = code.as_bytes()[open] as char;
    let hi = floor_boundary(code, (at + 64).min(code.len()));
    let close = at + code[at..hi].find(q)?;
    let name = &code[open + 1..close];
    if !is_header_name(name) || !keyish(name) {
        return None;
    }
    let before = code[floor_boundary(code, open.saturating_sub(40))..open].to_ascii_lowercase();
    let from_headers = before.contains("header")
        || ["req.get(", "request.get(", "ctx.get("]
            .iter()
            .any(|g| before.ends_with(g));
    from_headers.then(|| name.to_string())
}

/// `api-key` in `name`, `name` is `apikey` or ends with `-apikey`, or it
/// is a custom `X-…-Token`, `X-…-Auth` or `X-…-Key` header, in any case
/// (without allocating).
fn keyish(name: &str) -> bool {
    let b = name.as_bytes();
    let has = |needle: &[u8]| {
        b.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    let ends =
        |tail: &[u8]| b.len() > tail.len() && b[b.len() - tail.len()..].eq_ignore_ascii_case(tail);
    has(b"api-key")
        || name.eq_ignore_ascii_case("apikey")
        || ends(b"-apikey")
        // A custom header of its own: `X-Auth-Token`, `X-Tableau-Auth`.
        || (b.len() > 2 && b[..2].eq_ignore_ascii_case(b"x-") && (ends(b"-token") || ends(b"-auth") || ends(b"-key")))
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The challenge for `credential`, built from the configured one
/// (`Bearer realm="api"`): its parameters are kept and its scheme follows
/// the credential. For a cookie session, which no registered scheme
/// describes, only a challenge the user configured (`explicit`) is used.
pub fn challenge_for(
    credential: Option<&Credential>,
    configured: &str,
    explicit: bool,
) -> Option<String> {
    let params = configured
        .trim()
        .split_once(' ')
        .map_or("", |(_, p)| p.trim());
    let realm = realm_of(params);
    Some(match credential {
        None | Some(Credential::Bearer) => configured.to_string(),
        Some(Credential::Basic) => with_scheme(configured, "Basic"),
        Some(Credential::BasicOrBearer) => format!(
            "{}, {}",
            with_scheme(configured, "Basic"),
            with_scheme(configured, "Bearer")
        ),
        Some(Credential::ApiKey(header)) => {
            let realm = realm.map(|r| format!("{r}, ")).unwrap_or_default();
            format!("ApiKey {realm}header=\"{header}\"")
        }
        Some(Credential::Cookie | Credential::Form) if explicit => configured.to_string(),
        Some(Credential::Cookie | Credential::Form) => return None,
    })
}

/// `realm="…"` among `params`, as written.
fn realm_of(params: &str) -> Option<&str> {
    let at = params.to_ascii_lowercase().find("realm=")?;
    let rest = &params[at..];
    let value = &rest["realm=".len()..];
    let len = if let Some(v) = value.strip_prefix('"') {
        v.find('"').map(|e| e + 2)?
    } else {
        value.find([',', ' ']).unwrap_or(value.len())
    };
    Some(&rest[.."realm=".len() + len])
}

/// `challenge` with its auth scheme replaced by `scheme` (keeping the
/// parameters, such as the realm): `Bearer realm="api"` → `Basic realm="api"`.
pub fn with_scheme(challenge: &str, scheme: &str) -> String {
    let (current, params) = challenge
        .trim()
        .split_once(' ')
        .unwrap_or((challenge.trim(), ""));
    if current.eq_ignore_ascii_case(scheme) {
        return challenge.to_string();
    }
    if params.is_empty() {
        scheme.to_string()
    } else {
        format!("{scheme} {params}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_follow_what_the_code_reads() {
        use Credential::*;
        let cases: &[(&str, Option<Credential>)] = &[
            ("if (!header.startsWith('Basic ')) {", Some(Basic)),
            (
                "auth = request.authorization\nif not auth or auth.password != pw:",
                Some(Basic),
            ),
            (
                "creds: HTTPBasicCredentials = Depends(security)",
                Some(Basic),
            ),
            (
                "const [u, p] = Buffer.from(req.headers.authorization.slice(6), 'base64')",
                Some(Basic),
            ),
            (
                "const token = req.headers.authorization?.replace('Bearer ', '')",
                Some(Bearer),
            ),
            (
                "token: str = Depends(oauth2_scheme) # OAuth2PasswordBearer",
                Some(Bearer),
            ),
            (
                "if (h.startsWith('Basic ')) {} else if (h.startsWith('Bearer ')) {",
                Some(BasicOrBearer),
            ),
            (
                "const key = req.headers['x-api-key']",
                Some(ApiKey("x-api-key".into())),
            ),
            (
                "key = request.headers.get(\"X-API-Key\")",
                Some(ApiKey("X-API-Key".into())),
            ),
            ("const t = (h || '').replace(/^Bearer /, '')", Some(Bearer)),
            (
                "auth = request.authorization\nif auth is None or auth.token is None:",
                Some(Bearer),
            ),
            (
                "const key = req.get('X-Api-Key')",
                Some(ApiKey("X-Api-Key".into())),
            ),
            ("if (!req.session.user) {", Some(Cookie)),
            (
                "const token = req.headers['x-auth-token']",
                Some(ApiKey("x-auth-token".into())),
            ),
            (
                "const { email, password } = req.body\nif (!user) {",
                Some(Form),
            ),
            (
                "form: OAuth2PasswordRequestForm = Depends()\nif not verify(form.password):",
                Some(Form),
            ),
            ("const sid = cookies().get('sid')", Some(Cookie)),
            // Not a header: an environment variable, a query parameter.
            ("if (key !== Deno.env.get('INTERNAL_API_KEY')) {", None),
            ("const key = req.query['api-key']", None),
            // Only the header: the configured challenge.
            ("const token = req.headers.authorization", None),
            // A word, not a scheme.
            ("// basic checks first\nif (!user) {", None),
        ];
        for (code, want) in cases {
            assert_eq!(from_text(code).as_ref(), want.as_ref(), "{code}");
        }
    }

    #[test]
    fn the_file_scan_agrees_with_the_window_reading() {
        for code in [
            "if (!h.startsWith('Basic ')) {} else if (h.startsWith(\"BEARER \")) {}",
            "auth = request.authorization\nif auth.token is None: pass",
            "const k = req.headers['X-Api-Key'] // a jwt elsewhere",
            "Buffer.from(req.headers.authorization, 'base64')",
            "security = HTTPBasic()",
            "nothing here",
        ] {
            // The file's one scheme is the window's when the window reads one.
            let (f, e) = (FileCredentials::new(code), Evidence::of(code));
            let expected = match (e.basic, e.bearer, e.api_key) {
                (true, false, None) => Some(Credential::Basic),
                (false, true, None) => Some(Credential::Bearer),
                (false, false, Some(h)) => Some(Credential::ApiKey(h)),
                _ => None,
            };
            assert_eq!(f.only, expected, "{code}");
        }
        assert!(FileCredentials::new("a jwt").tokens && !FileCredentials::new("a cookie").tokens);
    }

    #[test]
    fn events_around_an_edit_decide_whether_the_file_reads_the_same() {
        let base = "const padding = 1\n".repeat(40);
        let a = format!("{base}const k = req.headers['x-api-key']\n{base}");
        let b = format!("{base}const k = req.headers['x-api-token']\n{base}");
        assert_ne!(events(&a), events(&b));
        assert_ne!(FileCredentials::new(&a), FileCredentials::new(&b));
        let c = format!("{base}// not authenticated\n{base}");
        let d = format!("{base}// not authenticatedx\n{base}");
        assert_eq!(events(&c), events(&d));
    }

    #[test]
    fn readers_declared_at_the_top_of_the_file_are_found_by_name() {
        let text =
            "basic = HTTPBasic()\napi_key = APIKeyHeader(name=\"X-API-Key\", auto_error=False)\n\
                    oauth2_scheme = OAuth2PasswordBearer(tokenUrl=\"token\")\nx = f(HTTPBasic())\n";
        let f = FileCredentials::new(text);
        assert_eq!(
            f.declared,
            [
                ("basic".to_string(), Credential::Basic),
                (
                    "api_key".to_string(),
                    Credential::ApiKey("X-API-Key".into())
                ),
                ("oauth2_scheme".to_string(), Credential::Bearer),
            ]
        );
        // Three schemes: the file as a whole says nothing.
        assert_eq!(f.only, None);
        assert_eq!(
            FileCredentials::new("security = HTTPBasic()\n").only,
            Some(Credential::Basic)
        );
        assert!(has_word("Depends(basic)", "basic") && !has_word("Depends(basic_x)", "basic"));
    }

    #[test]
    fn mcp_servers_and_their_metadata_url() {
        let server = "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'\n\
                      const META = 'https://mcp.example.com/.well-known/oauth-protected-resource'\n";
        assert_eq!(
            FileCredentials::new(server)
                .mcp()
                .unwrap()
                .metadata_url
                .as_deref(),
            Some("https://mcp.example.com/.well-known/oauth-protected-resource")
        );
        // A template: the URL is not a literal.
        let templated = "app.get('/.well-known/oauth-protected-resource', h)\n\
                         const url = `${base}/.well-known/oauth-protected-resource`\n";
        assert_eq!(
            FileCredentials::new(templated).mcp(),
            Some(&Mcp { metadata_url: None })
        );
        assert_eq!(
            FileCredentials::new("import { Client } from '@modelcontextprotocol/sdk/client'").mcp(),
            None
        );
    }

    #[test]
    fn challenges_keep_the_configured_parameters() {
        let conf = r#"Bearer realm="api""#;
        assert_eq!(challenge_for(None, conf, false).unwrap(), conf);
        assert_eq!(
            challenge_for(Some(&Credential::Basic), conf, false).unwrap(),
            r#"Basic realm="api""#
        );
        assert_eq!(
            challenge_for(Some(&Credential::BasicOrBearer), conf, false).unwrap(),
            r#"Basic realm="api", Bearer realm="api""#
        );
        assert_eq!(
            challenge_for(Some(&Credential::ApiKey("X-API-Key".into())), conf, false).unwrap(),
            r#"ApiKey realm="api", header="X-API-Key""#
        );
        assert_eq!(
            challenge_for(
                Some(&Credential::ApiKey("x-api-key".into())),
                "Bearer",
                false
            )
            .unwrap(),
            r#"ApiKey header="x-api-key""#
        );
        assert_eq!(challenge_for(Some(&Credential::Cookie), conf, false), None);
        assert_eq!(
            challenge_for(Some(&Credential::Cookie), "Session", true).unwrap(),
            "Session"
        );
        assert_eq!(with_scheme("Bearer", "Basic"), "Basic");
        assert_eq!(with_scheme(conf, "bearer"), conf);
    }
}
