//! What authentication middleware does when a request fails, in one table.
//!
//! The extractors look middleware up here by import (module and exported
//! name) and record a [`super::model::MiddlewareFact`] on the sites that
//! depend on it; rules read the fact and the entry's wording. Each entry
//! states what the library itself sends, taken from its source:
//!
//! - Hono `bearerAuth`, `basicAuth`, `jwt` and `jwk` throw an `HTTPException`
//!   whose `res` already carries `WWW-Authenticate` (Bearer with `error=…`, or
//!   `Basic realm=…`); `err.getResponse()` returns that response.
//! - express-jwt sends nothing: it calls `next(err)` with an `UnauthorizedError`
//!   (`name` `'UnauthorizedError'`, `status` 401), so the app's error handler
//!   writes the response.
//! - @fastify/jwt's `request.jwtVerify()` throws `@fastify/error` errors with
//!   `statusCode` 401 (`FST_JWT_NO_AUTHORIZATION_IN_HEADER`, `…_TOKEN_EXPIRED`,
//!   `…_TOKEN_INVALID`, …) and no headers.
//! - @fastify/bearer-auth answers `reply.code(401).send(errorResponse(err))`
//!   with no `WWW-Authenticate` header.
//! - @fastify/auth passes the failing strategy's error on (401 unless it has a
//!   status of its own) without adding a challenge.
//! - NestJS: `AuthGuard` from @nestjs/passport throws `UnauthorizedException`
//!   when the strategy fails, dropping any challenge the strategy computed;
//!   Nest answers `{ statusCode: 401, message: 'Unauthorized' }` with no
//!   `WWW-Authenticate`. A guard (`CanActivate`) that returns `false` gets
//!   403 `Forbidden resource` instead.

/// What the middleware does when authentication fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Answers 401 itself, with a `WWW-Authenticate` challenge.
    Challenges,
    /// Answers 401 itself, without a challenge.
    AnswersWithoutChallenge,
    /// Passes an error with status 401 to `next(err)` and sends nothing.
    ForwardsError,
    /// Throws an error with `statusCode` 401 and no headers.
    ThrowsError,
    /// Throws NestJS's `UnauthorizedException` (401, no headers).
    ThrowsUnauthorizedException,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Middleware {
    /// How messages name it: "Hono `bearerAuth`".
    pub name: &'static str,
    /// Module specifiers it is imported from.
    pub modules: &'static [&'static str],
    /// Exported names that are the middleware (`default` for a default
    /// import or a plain `require`).
    pub exports: &'static [&'static str],
    pub failure: Failure,
    /// The authentication scheme its challenge uses (`Basic`, `Bearer`), so a
    /// fix in code answering its failures uses the same one.
    pub scheme: &'static str,
    /// What it sends on failure, as a clause for messages.
    pub on_failure: &'static str,
}

impl Middleware {
    /// The middleware's own 401 carries a `WWW-Authenticate` challenge.
    pub fn challenges(&self) -> bool {
        self.failure == Failure::Challenges
    }
}

pub static MIDDLEWARE: &[Middleware] = &[
    Middleware {
        name: "Hono `bearerAuth`",
        modules: &["hono/bearer-auth"],
        exports: &["bearerAuth"],
        failure: Failure::Challenges,
        scheme: "Bearer",
        on_failure: "throws an `HTTPException` whose response carries `WWW-Authenticate: Bearer …`",
    },
    Middleware {
        name: "Hono `basicAuth`",
        modules: &["hono/basic-auth"],
        exports: &["basicAuth"],
        failure: Failure::Challenges,
        scheme: "Basic",
        on_failure: "throws an `HTTPException` whose response carries `WWW-Authenticate: Basic realm=…`",
    },
    Middleware {
        name: "Hono `jwt`",
        modules: &["hono/jwt"],
        exports: &["jwt"],
        failure: Failure::Challenges,
        scheme: "Bearer",
        on_failure: "throws an `HTTPException` whose response carries `WWW-Authenticate: Bearer …, error=\"invalid_token\"`",
    },
    Middleware {
        name: "Hono `jwk`",
        modules: &["hono/jwk"],
        exports: &["jwk"],
        failure: Failure::Challenges,
        scheme: "Bearer",
        on_failure: "throws an `HTTPException` whose response carries `WWW-Authenticate: Bearer …, error=\"invalid_token\"`",
    },
    Middleware {
        name: "express-jwt",
        modules: &["express-jwt"],
        exports: &["expressjwt", "default"],
        failure: Failure::ForwardsError,
        scheme: "Bearer",
        on_failure: "sends nothing itself: it passes an `UnauthorizedError` (status 401) to `next(err)`",
    },
    Middleware {
        name: "@fastify/jwt",
        modules: &["@fastify/jwt", "fastify-jwt"],
        exports: &["default", "fastifyJwt"],
        failure: Failure::ThrowsError,
        scheme: "Bearer",
        on_failure: "`request.jwtVerify()` throws errors with `statusCode` 401 and no `WWW-Authenticate` header",
    },
    Middleware {
        name: "@fastify/bearer-auth",
        modules: &["@fastify/bearer-auth", "fastify-bearer-auth"],
        exports: &["default", "fastifyBearerAuth"],
        failure: Failure::AnswersWithoutChallenge,
        scheme: "Bearer",
        on_failure: "answers `reply.code(401).send(errorResponse(err))` with no `WWW-Authenticate` header",
    },
    Middleware {
        name: "@fastify/auth",
        modules: &["@fastify/auth"],
        exports: &["default", "fastifyAuth"],
        failure: Failure::AnswersWithoutChallenge,
        scheme: "",
        on_failure: "passes the failing strategy's error on (as 401 unless it has its own status) without a challenge",
    },
    Middleware {
        name: "@nestjs/passport `AuthGuard`",
        modules: &["@nestjs/passport"],
        exports: &["AuthGuard"],
        failure: Failure::ThrowsUnauthorizedException,
        scheme: "",
        on_failure: "throws `UnauthorizedException` when the strategy fails, dropping the strategy's challenge",
    },
    Middleware {
        name: "a NestJS guard",
        modules: &["@nestjs/common"],
        exports: &["CanActivate"],
        failure: Failure::ThrowsUnauthorizedException,
        scheme: "",
        on_failure: "turns a thrown `UnauthorizedException` into a 401 with no `WWW-Authenticate` (and a `false` return into 403)",
    },
];

/// The middleware exported as `export` by `module`, if it is one we know.
pub fn lookup(module: &str, export: &str) -> Option<&'static Middleware> {
    MIDDLEWARE
        .iter()
        .find(|m| m.modules.contains(&module) && m.exports.contains(&export))
}

/// Whether `src` mentions a module of a known middleware, or `jwtVerify`
/// (most files do not, and skip the walk that looks for middleware). This
/// runs on every keystroke in the editor, so a few short needles that every
/// name contains are looked for first ([`COARSE`]), and the names only
/// when one is found.
pub fn mentioned_in(src: &str) -> bool {
    use memchr::memmem::Finder;
    use std::sync::OnceLock;
    static FINDERS: OnceLock<(Vec<Finder<'static>>, Vec<Finder<'static>>)> = OnceLock::new();
    let (coarse, exact) = FINDERS.get_or_init(|| {
        let finders = |needles: &[&'static str]| -> Vec<Finder<'static>> {
            needles.iter().map(|n| Finder::new(n.as_bytes())).collect()
        };
        (finders(COARSE), finders(&needles()))
    });
    let bytes = src.as_bytes();
    coarse.iter().any(|f| f.find(bytes).is_some()) && exact.iter().any(|f| f.find(bytes).is_some())
}

/// Every module name of [`MIDDLEWARE`], and `jwtVerify`.
fn needles() -> Vec<&'static str> {
    let mut needles: Vec<&'static str> = MIDDLEWARE
        .iter()
        .flat_map(|m| m.modules.iter().copied())
        .collect();
    needles.push("jwtVerify");
    needles
}

/// Each of [`needles`] contains one of these (a test checks it).
const COARSE: &[&str] = &["hono/", "jwt", "fastify", "@nestjs/"];

/// The entry named `name` (for extractors that recognise a middleware by
/// its call, such as `request.jwtVerify()`).
pub fn named(name: &str) -> Option<&'static Middleware> {
    MIDDLEWARE.iter().find(|m| m.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_matches_module_and_export() {
        assert_eq!(
            lookup("hono/bearer-auth", "bearerAuth").map(|m| m.name),
            Some("Hono `bearerAuth`")
        );
        assert!(lookup("hono/jwt", "verify").is_none());
        assert!(lookup("express-jwt", "default").is_some_and(|m| !m.challenges()));
        assert!(named("@fastify/jwt").is_some());
    }

    #[test]
    fn every_needle_contains_a_coarse_one() {
        for n in needles() {
            assert!(COARSE.iter().any(|c| n.contains(c)), "{n}");
        }
    }

    #[test]
    fn mentions_are_module_names_or_jwt_verify() {
        assert!(mentioned_in(
            "import { bearerAuth } from 'hono/bearer-auth'"
        ));
        assert!(mentioned_in("await request.jwtVerify()"));
        assert!(!mentioned_in("import { Hono } from 'hono'"));
        assert!(!mentioned_in(
            "import { cors } from 'hono/cors'; jwt.sign()"
        ));
        assert!(mentioned_in("const jwt = require('express-jwt')"));
        assert!(!mentioned_in(""));
    }
}
