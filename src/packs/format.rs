//! The pack file format (`packs/<language>/<framework>.toml`, or a user's
//! pack named in `authlint.toml`). `docs/packs.md` describes it for users.

use serde::Deserialize;

/// One framework's pack, as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackFile {
    /// Shown in messages and `authlint lint --show-sites`.
    pub name: String,
    pub language: PackLanguage,
    /// The packages whose import shows that a file uses the framework
    /// (`aiohttp`, `@sveltejs/kit`). Rows only match names imported from them.
    pub modules: Vec<String>,
    /// Names the framework makes available without an import (Nuxt's
    /// auto-imported `createError`). They count as imported from the first
    /// module, but only in files that call one of `ambient-if`.
    #[serde(default)]
    pub ambient_if: Vec<String>,
    /// Where the framework documents these APIs.
    #[serde(default)]
    pub docs: Option<String>,
    #[serde(default)]
    pub response: Vec<ResponseRow>,
    #[serde(default)]
    pub header: Vec<HeaderRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PackLanguage {
    /// TypeScript and JavaScript.
    Javascript,
    Python,
}

/// Where a response is built, and where its parts are.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ResponseRow {
    /// A call (or `new`, or a `raise` of the bare class) of this qualified
    /// name: `aiohttp.web.HTTPUnauthorized`, `@sveltejs/kit.error`; or of
    /// any of a list of them (the same function exported by several packages).
    #[serde(default)]
    pub call: Option<Names>,
    /// A method call on `receiver`: `self.set_status(401)`.
    #[serde(default)]
    pub method: Option<String>,
    /// An assignment to a property of `receiver`: `set.status = 401`.
    #[serde(default)]
    pub assign: Option<String>,
    /// JavaScript: a `return` of this value (`false`) in a method named
    /// `in-method` (NestJS's `canActivate`) answers with the row's status.
    #[serde(default)]
    pub returns: Option<String>,
    #[serde(default)]
    pub in_method: Option<String>,
    /// JavaScript: the `call` names may also come from the handler's
    /// context, destructured from a parameter (Elysia's `({ status }) =>
    /// status(401)`), in a file that imports one of `modules`.
    #[serde(default)]
    pub context: bool,
    /// The receiver's spelling for `method` and `assign` (`self`, `set`).
    #[serde(default)]
    pub receiver: Option<String>,
    pub status: StatusSpec,
    #[serde(default)]
    pub headers: Option<Arg>,
    #[serde(default)]
    pub message: Option<Arg>,
    /// JavaScript: an argument that is itself a whole response (Hono's
    /// `new HTTPException(401, { res })`). The answer carries that
    /// response's headers, and a response built there is part of this
    /// site, not a second one.
    #[serde(default)]
    pub response: Option<Arg>,
    /// An argument that sets the challenge itself (Sanic's `scheme=`,
    /// Falcon's `challenges=`), or `"framework"` when the framework adds
    /// one on its own.
    #[serde(default)]
    pub challenge: Option<ChallengeSpec>,
    /// The call builds an exception that is raised or thrown. In
    /// JavaScript it is a response only where it leaves its function: not
    /// when a `catch` of the same function takes it, nor when an arrow
    /// only builds it (`() => new APIError('UNAUTHORIZED')`).
    #[serde(default)]
    pub raises: bool,
    /// A statement that sets the header, inserted before the site's
    /// statement: `self.set_header($NAME, $VALUE)`. `$ARG0`… are the site's
    /// arguments as written.
    #[serde(default)]
    pub fix_before: Option<String>,
    /// Offer `fix-before` only where this name is imported or declared.
    #[serde(default)]
    pub fix_needs: Option<String>,
    /// Said with a missing challenge when no fix can be written.
    #[serde(default)]
    pub note: Option<String>,
    /// Headers set by a `[[header]]` row earlier on the path, or after the
    /// site in the same block until the handler returns, reach this
    /// response (Tornado's `HTTPError` clears them; `set_status` keeps them).
    #[serde(default)]
    pub keeps_earlier_headers: bool,
}

/// One qualified name, or several.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Names {
    One(String),
    Many(Vec<String>),
}

impl Names {
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (one, many): (Option<&str>, &[String]) = match self {
            Names::One(s) => (Some(s), &[]),
            Names::Many(v) => (None, v),
        };
        one.into_iter().chain(many.iter().map(String::as_str))
    }
}

/// A status fixed by the name (`401`) or read from an argument.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum StatusSpec {
    Fixed(u16),
    Arg(Arg),
}

/// An argument: by keyword (Python), by position, and then, when `field`
/// is given and the argument is an object or dict literal, its entry
/// (`statusCode|status`: the first entry present). A status whose argument
/// is not an object literal is read from the argument itself
/// (Remix's `json(data, 401)`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arg {
    #[serde(default)]
    pub position: Option<usize>,
    #[serde(default)]
    pub keyword: Option<String>,
    #[serde(default)]
    pub field: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum ChallengeSpec {
    /// `"framework"`.
    Word(String),
    Arg(Arg),
}

/// A call that sets a header on the response being built, earlier on the
/// same path: `setResponseHeader(event, 'WWW-Authenticate', …)`,
/// `self.set_header(…)`; or (`assign`) an item assignment
/// `set.headers['WWW-Authenticate'] = …`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HeaderRow {
    #[serde(default)]
    pub call: Option<Names>,
    #[serde(default)]
    pub method: Option<String>,
    /// `receiver.<assign>[name] = value`.
    #[serde(default)]
    pub assign: Option<String>,
    #[serde(default)]
    pub receiver: Option<String>,
    /// The header name's argument (not for `assign`).
    #[serde(default)]
    pub name: Option<Arg>,
    /// The value's argument (not for `assign`).
    #[serde(default)]
    pub value: Option<Arg>,
}
