//! The language-neutral model of a response site.
//!
//! Extraction ([`super::javascript`], [`super::python`]) fills these in;
//! rules read them. Every range is a byte range in the linted file. Text
//! is shared (`Arc<str>`): the language server copies every site on every
//! keystroke.

use std::ops::Range;
use std::sync::Arc;

/// The framework idiom a site was recognised as. It decides how fixes are
/// written (a header object entry, an Express `.set(...)`, a Python kwarg…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framework {
    /// `new Response(...)`, `Response.json(...)` (Deno, Supabase, Workers, Bun).
    WebResponse,
    /// `NextResponse.json(...)`, `new NextResponse(...)`.
    Next,
    /// `res.status(401)...`, `res.sendStatus(401)`, `res.statusCode = 401`.
    Express,
    /// Node `http`: `res.writeHead(401, headers)`.
    NodeHttp,
    /// `reply.code(401)`, `reply.status(401)`.
    Fastify,
    /// `ctx.status = 401`, `ctx.throw(401, ...)`.
    Koa,
    /// `c.json(body, 401)`, `c.text(...)`, `c.status(401)` (its `HTTPException` is a pack's).
    Hono,
    /// `return { statusCode: 401, headers, body }` (JS or Python).
    Lambda,
    /// A call to a response helper: `jsonError('Missing token', 401)`.
    Helper,
    /// An error named by its status: `new APIError('UNAUTHORIZED', …)`,
    /// `new TRPCError({ code: 'FORBIDDEN' })`, thrown or returned.
    StatusError,
    /// FastAPI / Starlette: `HTTPException`, `JSONResponse(status_code=...)`.
    FastApi,
    /// Flask / Werkzeug: `abort(401)`, `return body, 401`, `Unauthorized()`.
    Flask,
    /// Django: `HttpResponse(status=401)`, `JsonResponse(...)`.
    Django,
    /// A result a caller turns into the response:
    /// `return { ok: false, status: 401, error: 'Invalid API key' }`.
    Result,
    /// A framework described by a pack (`packs/*.toml` or the user's):
    /// [`ResponseSite::pack`] says which.
    Pack,
}

impl Framework {
    pub fn label(self) -> &'static str {
        match self {
            Framework::WebResponse => "Response",
            Framework::Next => "NextResponse",
            Framework::Express => "Express",
            Framework::NodeHttp => "Node http",
            Framework::Fastify => "Fastify",
            Framework::Koa => "Koa",
            Framework::Hono => "Hono",
            Framework::Lambda => "Lambda",
            Framework::Helper => "response helper",
            Framework::StatusError => "error class",
            Framework::FastApi => "FastAPI",
            Framework::Flask => "Flask",
            Framework::Django => "Django",
            Framework::Result => "result object",
            Framework::Pack => "framework pack",
        }
    }
}

/// One possible status of a site, with the source range that produces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusValue {
    pub code: u16,
    /// The expression that yields this code (the `401` literal, the
    /// `Status.Unauthorized` member, one branch of a conditional).
    pub range: Range<usize>,
    /// The code was written literally at `range` (so a fix may rewrite it).
    /// `false` when it came through a constant or an enum member defined elsewhere.
    pub literal: bool,
    /// The guard that selects this branch of a conditional (`user ? 403 : 401`
    /// gives the 401 branch the condition `!user`), as source text.
    pub branch_condition: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// One or more known codes (several for a conditional expression).
    Known(Arc<[StatusValue]>),
    /// A status copied from another response (`upstream.status`,
    /// `resp.status_code`): `source` is the expression's text.
    Forwarded { range: Range<usize>, source: String },
    /// Anything else (a parameter, a computed value).
    Unknown,
}

/// A `WWW-Authenticate` header found for a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeHeader {
    /// Range of the value expression.
    pub value_range: Range<usize>,
    /// The value when it is a string literal (or a constant resolving to one).
    pub literal: Option<Arc<str>>,
    /// Where it was found when that is not inside the site itself
    /// (an earlier `res.set(...)`, a spread object in another file).
    pub evidence: Option<Evidence>,
    /// The value is a named constant (`value_range` is its definition), so
    /// other responses may use it too: edits to it are not local to this site.
    pub shared: bool,
}

/// A place elsewhere that explains a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub path: Option<std::path::PathBuf>,
    pub range: Range<usize>,
    pub note: Arc<str>,
}

/// How a fix adds a header to this site. `template` contains `$NAME` and
/// `$VALUE`, to be replaced by quoted string literals in the file's style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderInsertion {
    pub at: usize,
    /// Bytes at `at` that the template replaces (0 for a pure insertion).
    pub replace_len: usize,
    pub template: Arc<str>,
    /// A human description for the fix title ("add a `headers` entry").
    pub how: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers {
    /// The `WWW-Authenticate` header, if one is set anywhere we can see.
    pub challenge: Option<ChallengeHeader>,
    /// Headers come from somewhere we cannot see into (a parameter, an
    /// unresolvable call): rules must not claim the header is missing.
    pub opaque: bool,
    /// How to add a header, when a clean edit exists.
    pub insertion: Option<HeaderInsertion>,
}

/// The condition under which the site runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// Source text of the condition, normalised so the site runs when it is
    /// true (an `else` branch gets `!(cond)`).
    pub text: Arc<str>,
    pub range: Range<usize>,
    /// The site is in a `catch`/`except` block (text is the caught name).
    pub in_catch: bool,
    /// The condition tests for a missing server secret or environment
    /// variable (`!Deno.env.get('JWT_SECRET')`): the server's own failure.
    pub missing_config: bool,
    /// In a `catch` whose `try` verifies a credential, or under a condition
    /// that such a verification failed (`!auth.valid` after `const auth =
    /// await verifyKey(req.headers.authorization)`): the verifying call
    /// (`jwt.verify`, `request.jwtVerify`). Python's `except` clauses name
    /// their exceptions in `text` instead.
    pub verified_by: Option<Arc<str>>,
}

/// How a fix inserts a statement before the site's statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementInsertion {
    /// Byte offset of the start of the statement's line.
    pub line_start: usize,
    /// The statement's indentation.
    pub indent: Arc<str>,
    /// The statement is the lone body of a brace-less `if`/`else`: inserting
    /// needs braces (`wrap` holds the statement's range to wrap).
    pub wrap: Option<Range<usize>>,
    /// The text's newline (`\n` or `\r\n`).
    pub newline: &'static str,
}

/// One place where a response with a status is produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSite {
    pub framework: Framework,
    /// The whole response expression or statement.
    pub range: Range<usize>,
    pub status: Status,
    pub headers: Headers,
    /// String literals of the body/message/detail, joined by " | ".
    pub message: Option<Arc<str>>,
    /// Range of the message expression, if any.
    pub message_range: Option<Range<usize>>,
    pub guard: Option<Guard>,
    /// The enclosing function (handler, middleware, callback).
    pub handler: Option<Range<usize>>,
    /// A log call on the path before the site, within the handler.
    pub logged: Option<Range<usize>>,
    /// An error handler the application registers elsewhere takes this
    /// raised error and logs it (FastAPI's `@app.exception_handler`).
    pub logged_elsewhere: Option<Evidence>,
    /// Where a log statement could be inserted.
    pub log_insertion: Option<StatementInsertion>,
    /// The name of a logger in scope (`logger`, `log`, `console`) for fixes.
    pub logger_in_scope: Option<Arc<str>>,
    /// An earlier check in the same handler already rejected
    /// unauthenticated callers: the identity is known here (the range is that check).
    pub identity_established: Option<Range<usize>>,
    /// The body echoes a caught error (`e.message`, `str(e)`); the range is that expression.
    pub echoes_error: Option<Range<usize>>,
    /// A helper call site: the helper's definition, for related information.
    pub via_helper: Option<Evidence>,
    /// The site is the lone exit of an `if` whose condition is a top-level
    /// `||`/`or`: how that condition could be split.
    pub split: Option<ConditionSplit>,
    /// Authentication middleware this site sits behind, handles the failure
    /// of, or belongs to (see [`super::middleware`]).
    pub middleware: Option<MiddlewareFact>,
    /// A call of a helper that always answers one status (`unauthorized()`):
    /// what the response carries (its headers, logging) is judged once, where
    /// the helper builds it; this site is judged for why it is called.
    pub status_from_helper: bool,
    /// The pack row that recognised the site (for [`Framework::Pack`]).
    pub pack: Option<PackSite>,
}

/// Which pack row recognised a site, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSite {
    /// `aiohttp#0`: the pack's name and the row's index.
    pub row: Arc<str>,
    /// What to do when the framework gives no way to add the header here.
    pub note: Option<Arc<str>>,
}

/// An `if (a || b) <exit>` around a site, in a shape a fix can split into
/// `if (a) <exit>` followed by `if (b) <exit>`: no `else`, the body a single
/// `return`/`throw`/`raise` holding the site, and the `if` starting its line
/// in a plain block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionSplit {
    /// The `if` statement, from `if` to the end of its body (a comment
    /// trailing the body is not included).
    pub statement: Range<usize>,
    /// The top-level operands of the condition, in source order (at least two).
    /// Only whitespace and the operator lie between consecutive operands.
    pub disjuncts: Vec<(Range<usize>, String)>,
    /// The body's lone statement, which holds the site and leaves the handler.
    pub body: Range<usize>,
    /// Where a statement goes before the `if` (its line, indentation, newline).
    pub before: StatementInsertion,
}

/// How a site relates to an authentication middleware the file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MiddlewareRelation {
    /// The site's handler runs behind the middleware (the file mounts it).
    Behind,
    /// The site answers the middleware's failure: an error handler for its
    /// error, a `catch` around its verify call, an `onError` hook.
    HandlesFailure,
    /// The site is in the guard itself (a NestJS guard class).
    InGuard,
}

/// An authentication middleware the site depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MiddlewareFact {
    pub middleware: &'static super::middleware::Middleware,
    pub relation: MiddlewareRelation,
    /// Where the file shows it: the mount, the verify call, or the import.
    pub range: Range<usize>,
}

impl MiddlewareFact {
    /// The middleware answers its own 401s with a `WWW-Authenticate` challenge.
    pub fn challenges(&self) -> bool {
        self.middleware.challenges()
    }
}

impl ResponseSite {
    pub fn codes(&self) -> impl Iterator<Item = &StatusValue> {
        match &self.status {
            Status::Known(v) => v.iter(),
            _ => [].iter(),
        }
    }

    pub fn has_code(&self, code: u16) -> bool {
        self.codes().any(|v| v.code == code)
    }

    /// The text of the enclosing handler, when there is one.
    pub fn handler_text<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.handler.as_ref().and_then(|h| text.get(h.clone()))
    }
}

/// Everything the rules need to know about one file.
#[derive(Debug, Clone, Default)]
pub struct FileModel {
    pub sites: Vec<ResponseSite>,
    /// From an extraction that reused a previous one (the language server's,
    /// after an edit): for each site, the index of the previous extraction's
    /// site it is, with its offsets moved by the edit, when it is exactly
    /// that. Empty otherwise; `None` for a site extracted afresh.
    pub origin: Vec<Option<usize>>,
    /// Preferred string quote in this file (`'` or `"`).
    pub quote: char,
    /// The file uses semicolons at statement ends (JS).
    pub semicolons: bool,
}

/// Maps every offset to itself, recording the lowest and the highest seen:
/// which offsets a site holds.
pub struct Extremes(std::cell::Cell<(usize, usize)>);

impl Default for Extremes {
    fn default() -> Self {
        Extremes(std::cell::Cell::new((usize::MAX, 0)))
    }
}

impl Extremes {
    /// The lowest and highest offset seen (`(0, 0)` when none was).
    pub fn get(&self) -> (usize, usize) {
        let (lo, hi) = self.0.get();
        (lo.min(hi), hi)
    }
}

impl OffsetMap for Extremes {
    fn offset(&self, at: usize) -> Option<usize> {
        let (lo, hi) = self.0.get();
        self.0.set((lo.min(at), hi.max(at)));
        Some(at)
    }
}

/// Moves the byte offsets a site holds from a previous text to the current
/// one (after an edit). `None` means an offset does not map: it lay in text
/// that changed. Implementors give `offset` (and `range`, when a range maps
/// differently from its two ends); what a site holds is walked here once.
pub trait OffsetMap {
    fn offset(&self, at: usize) -> Option<usize>;

    fn range(&self, r: &Range<usize>) -> Option<Range<usize>> {
        Some(self.offset(r.start)?..self.offset(r.end)?)
    }

    fn opt(&self, r: &mut Option<Range<usize>>) -> Option<()> {
        if let Some(x) = r {
            *x = self.range(x)?;
        }
        Some(())
    }

    fn evidence(&self, e: &mut Evidence) -> Option<()> {
        let Evidence {
            path,
            range,
            note: _,
        } = e;
        if path.is_none() {
            *range = self.range(range)?;
        }
        Some(())
    }

    fn insertion(&self, ins: &mut StatementInsertion) -> Option<()> {
        let StatementInsertion {
            line_start,
            indent: _,
            wrap,
            newline: _,
        } = ins;
        *line_start = self.offset(*line_start)?;
        self.opt(wrap)
    }

    /// `site` with every offset mapped, or `None` if one does not map.
    fn site(&self, site: &ResponseSite) -> Option<ResponseSite> {
        let mut site = site.clone();
        let ResponseSite {
            framework: _,
            range,
            status,
            headers,
            message: _,
            message_range,
            guard,
            handler,
            logged,
            logged_elsewhere: _,
            log_insertion,
            logger_in_scope: _,
            identity_established,
            echoes_error,
            via_helper,
            split,
            middleware,
            status_from_helper: _,
            pack: _,
        } = &mut site;
        *range = self.range(range)?;
        match status {
            Status::Known(values) => {
                *values = values
                    .iter()
                    .map(|v| {
                        Some(StatusValue {
                            range: self.range(&v.range)?,
                            ..v.clone()
                        })
                    })
                    .collect::<Option<_>>()?;
            }
            Status::Forwarded { range, source: _ } => *range = self.range(range)?,
            Status::Unknown => {}
        }
        let Headers {
            challenge,
            opaque: _,
            insertion,
        } = headers;
        if let Some(c) = challenge {
            let ChallengeHeader {
                value_range,
                literal: _,
                evidence,
                shared: _,
            } = c;
            *value_range = self.range(value_range)?;
            if let Some(e) = evidence {
                self.evidence(e)?;
            }
        }
        if let Some(ins) = insertion {
            let HeaderInsertion {
                at,
                replace_len,
                template: _,
                how: _,
            } = ins;
            *at = self.range(&(*at..*at + *replace_len))?.start;
        }
        self.opt(message_range)?;
        if let Some(g) = guard {
            let Guard {
                text: _,
                range,
                in_catch: _,
                missing_config: _,
                verified_by: _,
            } = g;
            *range = self.range(range)?;
        }
        self.opt(handler)?;
        self.opt(logged)?;
        if let Some(ins) = log_insertion {
            self.insertion(ins)?;
        }
        self.opt(identity_established)?;
        self.opt(echoes_error)?;
        if let Some(e) = via_helper {
            self.evidence(e)?;
        }
        if let Some(sp) = split {
            let ConditionSplit {
                statement,
                disjuncts,
                body,
                before,
            } = sp;
            *statement = self.range(statement)?;
            for (r, _) in disjuncts {
                *r = self.range(r)?;
            }
            *body = self.range(body)?;
            self.insertion(before)?;
        }
        if let Some(m) = middleware {
            let MiddlewareFact {
                middleware: _,
                relation: _,
                range,
            } = m;
            *range = self.range(range)?;
        }
        Some(site)
    }
}
