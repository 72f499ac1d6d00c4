//! Tests of the Python extractor: the query, statuses, guards, headers and
//! the sites of each framework, on small sources.

use super::guards::rejects_missing_identity;
use super::status::status_constant;
use super::summary::NoSource;
use super::*;
use std::sync::Arc;

fn model_with(path: &str, src: &str, settings: &Settings) -> FileModel {
    let tree = super::super::parse(Language::Python, src, None).expect("parse");
    let index = ProjectIndex::new(Arc::new(NoSource));
    extract(Path::new(path), src, &tree, settings, &index)
}

fn model(src: &str) -> FileModel {
    model_with("app.py", src, &Settings::default())
}

fn only(src: &str) -> ResponseSite {
    let m = model(src);
    assert_eq!(m.sites.len(), 1, "{:#?}", m.sites);
    m.sites.into_iter().next().unwrap()
}

fn codes(site: &ResponseSite) -> Vec<u16> {
    site.codes().map(|v| v.code).collect()
}

#[test]
fn query_compiles() {
    assert!(
        query().is_some(),
        "queries/python/responses.scm must compile"
    );
}

#[test]
fn status_constants() {
    assert_eq!(status_constant("HTTP_401_UNAUTHORIZED"), Some(401));
    assert_eq!(status_constant("HTTP_403_FORBIDDEN"), Some(403));
    assert_eq!(status_constant("HTTP_4011"), None);
    assert_eq!(status_constant("HTTPX"), None);
}

#[test]
fn identity_conditions() {
    assert!(rejects_missing_identity("not user"));
    assert!(rejects_missing_identity("user is None"));
    assert!(rejects_missing_identity(
        "not request.user.is_authenticated"
    ));
    assert!(!rejects_missing_identity("not user.is_admin"));
    assert!(!rejects_missing_identity("not username"));
}

#[test]
fn statuses_in_every_spelling() {
    let src = r#"
from http import HTTPStatus
from fastapi import HTTPException, status
from starlette.status import HTTP_403_FORBIDDEN
LIMIT = 401
def a(x):
    if x == 1:
        raise HTTPException(401)
    if x == 2:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)
    if x == 3:
        raise HTTPException(status_code=HTTPStatus.UNAUTHORIZED.value)
    if x == 4:
        raise HTTPException(status_code=LIMIT)
    if x == 5:
        raise HTTPException(status_code=HTTP_403_FORBIDDEN)
    raise HTTPException(status_code=401 if x else 403)
"#;
    let m = model(src);
    let all: Vec<Vec<u16>> = m.sites.iter().map(codes).collect();
    assert_eq!(
        all,
        vec![
            vec![401],
            vec![401],
            vec![401],
            vec![401],
            vec![403],
            vec![401, 403]
        ]
    );
    let literal: Vec<bool> = m
        .sites
        .iter()
        .map(|s| s.codes().next().unwrap().literal)
        .collect();
    assert_eq!(literal, vec![true, true, true, false, false, true]);
    let cond = m.sites[5].codes().nth(1).unwrap().branch_condition.clone();
    assert_eq!(cond.as_deref(), Some("not (x)"));
}

#[test]
fn guards_follow_elif_else_and_except() {
    let src = r#"
from fastapi import HTTPException
def f(token, user):
    if not token:
        pass
    elif user is None:
        raise HTTPException(401, "a")
    else:
        raise HTTPException(403, "b")
    try:
        check(token)
    except ValueError as e:
        raise HTTPException(401, detail=f"bad: {e}")
"#;
    let m = model(src);
    let g: Vec<String> = m
        .sites
        .iter()
        .map(|s| s.guard.as_ref().unwrap().text.to_string())
        .collect();
    assert_eq!(g[0], "user is None and not (not token)");
    assert_eq!(g[1], "not (not token) and not (user is None)");
    assert!(g[2].starts_with("except ValueError"));
    assert!(m.sites[2].guard.as_ref().unwrap().in_catch);
    let echo = m.sites[2].echoes_error.clone().unwrap();
    assert_eq!(&src[echo], "{e}");
}

#[test]
fn logging_needs_a_known_logger_on_the_path() {
    let src = r#"
import logging
from fastapi import HTTPException
logger = logging.getLogger(__name__)
def audit(msg):
    logger.info(msg)
def f(token):
    if not token:
        logger.warning("no token")
        raise HTTPException(401)
    if token == "a":
        audit("a")
        raise HTTPException(401)
    if token == "b":
        log.warning("not ours")
        raise HTTPException(401)
    if token == "c":
        print("printed")
        raise HTTPException(401)
"#;
    let m = model(src);
    let logged: Vec<bool> = m.sites.iter().map(|s| s.logged.is_some()).collect();
    assert_eq!(logged, vec![true, true, false, false]);
    assert_eq!(m.sites[0].logger_in_scope.as_deref(), Some("logger"));
    let settings = Settings {
        print_is_logging: true,
        ..Settings::default()
    };
    let m = model_with("app.py", src, &settings);
    assert!(m.sites[3].logged.is_some());
}

#[test]
fn no_logger_no_log_fix() {
    let site = only("from fastapi import HTTPException\ndef f(t):\n    if not t:\n        raise HTTPException(401)\n");
    assert!(site.logger_in_scope.is_none());
    assert!(site.log_insertion.is_none());
    let site = only("import logging\nfrom fastapi import HTTPException\ndef f(t):\n    if not t: raise HTTPException(401)\n");
    assert_eq!(site.logger_in_scope.as_deref(), Some("logging"));
    assert!(site.log_insertion.unwrap().wrap.is_some());
}

#[test]
fn helpers_bind_keywords_defaults_and_methods() {
    let src = r#"
from fastapi.responses import JSONResponse
def error(message, status=401):
    return JSONResponse({"error": message}, status_code=status)
class View:
    def deny(self, message, code):
        return JSONResponse({"error": message}, status_code=code)
    def get(self):
        return self.deny("Missing token", 401)
def a():
    return error("Missing token")
def b():
    return error(status=403, message="Admins only")
"#;
    let m = model(src);
    let helper_sites: Vec<(Vec<u16>, Option<String>)> = m
        .sites
        .iter()
        .filter(|s| s.framework == Framework::Helper)
        .map(|s| (codes(s), s.message.as_deref().map(String::from)))
        .collect();
    assert_eq!(
        helper_sites,
        vec![
            (vec![401], Some("Missing token".to_string())),
            (vec![401], Some("Missing token".to_string())),
            (vec![403], Some("Admins only".to_string())),
        ]
    );
}

#[test]
fn helper_headers_come_from_the_caller() {
    let src = r#"
from fastapi.responses import JSONResponse
CHALLENGE = {"WWW-Authenticate": "Bearer"}
def error(message, status, headers=None):
    return JSONResponse({"error": message}, status_code=status, headers=headers)
def a():
    return error("Missing token", 401, headers=CHALLENGE)
def b():
    return error("Missing token", 401)
"#;
    let m = model(src);
    let challenged: Vec<bool> = m
        .sites
        .iter()
        .filter(|s| s.framework == Framework::Helper)
        .map(|s| s.headers.challenge.is_some() || s.headers.opaque)
        .collect();
    assert_eq!(challenged, vec![true, false]);
}

#[test]
fn exception_classes_and_raised_variables() {
    let src = r#"
import logging
from fastapi import HTTPException
logger = logging.getLogger(__name__)
class AuthError(HTTPException):
    def __init__(self, detail="Not authenticated", status_code=401):
        super().__init__(status_code=status_code, detail=detail)
def f(a, b):
    exc = HTTPException(status_code=401, detail="Could not validate credentials")
    if not a:
        logger.info("no a")
        raise exc
    try:
        check(b)
    except ValueError:
        raise exc
    raise AuthError(status_code=403)
"#;
    let m = model(src);
    let summary: Vec<(Vec<u16>, &str)> = m
        .sites
        .iter()
        .map(|s| (codes(s), src[s.range.clone()].lines().next().unwrap_or("")))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                vec![401],
                "HTTPException(status_code=401, detail=\"Could not validate credentials\")"
            ),
            (vec![403], "AuthError(status_code=403)"),
        ]
    );
    // One site for the exception object; its path is judged at the raises:
    // the unlogged one in the `except` anchors logging and the fix.
    let exc = &m.sites[0];
    assert!(exc.codes().next().unwrap().literal);
    assert!(exc.logged.is_none());
    let guard = exc.guard.as_ref().unwrap();
    assert_eq!(guard.text, "(not a) or (except ValueError)".into());
    assert!(guard.in_catch);
    let ins = exc.log_insertion.as_ref().unwrap();
    assert!(src[ins.line_start..].trim_start().starts_with("raise exc"));
    assert!(src[..ins.line_start].ends_with("except ValueError:\n"));
    assert_eq!(m.sites[1].message.as_deref(), Some("Not authenticated"));
}

#[test]
fn functions_that_log_then_raise_do_not_log_for_their_callers() {
    let src = r#"
import logging
from fastapi import HTTPException
logger = logging.getLogger(__name__)
def require_token(t):
    if not t:
        logger.info("no token")
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    return t
def audit(msg):
    logger.info(msg)
def f(t):
    token = require_token(t)
    if expired(token):
        raise HTTPException(401, "Token expired", {"WWW-Authenticate": "Bearer"})
def g(t):
    audit("checking")
    if expired(t):
        raise HTTPException(401, "Token expired", {"WWW-Authenticate": "Bearer"})
"#;
    let logged: Vec<bool> = model(src)
        .sites
        .iter()
        .map(|s| s.logged.is_some())
        .collect();
    assert_eq!(logged, vec![true, false, true]);
}

#[test]
fn locals_read_from_the_request_are_spelled_out_in_guards() {
    let src = r#"
from django.http import HttpResponse
def view(request):
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        return HttpResponse(status=403)
"#;
    let site = only(src);
    assert_eq!(
        site.guard.unwrap().text,
        "request.META.get(\"HTTP_AUTHORIZATION\") is None".into()
    );
}

#[test]
fn aliases_and_flask_httpauth() {
    let site = only("from fastapi import HTTPException as HE\ndef f():\n    raise HE(401, 'x')\n");
    assert_eq!(site.framework, Framework::FastApi);
    let src = r#"
from flask import jsonify, make_response
from flask_httpauth import HTTPTokenAuth
auth = HTTPTokenAuth(scheme="Bearer")
@auth.error_handler
def unauthorized(status):
    return make_response(jsonify(error="Unauthorized"), 401)
"#;
    assert!(only(src).headers.challenge.is_some());
}

#[test]
fn returned_tuples_are_responses_in_flask_only() {
    let body = "def f(t):\n    if not t:\n        return {'error': 'x'}, 401\n";
    assert_eq!(
        model(&format!("from flask import Flask\n{body}"))
            .sites
            .len(),
        1
    );
    assert_eq!(model(body).sites.len(), 1);
    assert!(model(&format!("from fastapi import FastAPI\n{body}"))
        .sites
        .is_empty());
    // Status first, or two numbers: not a Flask response.
    assert!(model("def f():\n    return 401, {'detail': 'x'}\n")
        .sites
        .is_empty());
    assert!(model("def f():\n    return 200, 401\n").sites.is_empty());
}

#[test]
fn forwarded_statuses() {
    let src = r#"
import aiohttp
from flask import Response
async def proxy(session):
    async with session.get("https://x") as resp:
        return Response(await resp.text(), status=resp.status)
def handler(exc, response):
    return Response("x", status=exc.status_code)
"#;
    let m = model(src);
    assert_eq!(m.sites.len(), 1);
    assert!(
        matches!(&m.sites[0].status, Status::Forwarded { source, .. } if source == "resp.status")
    );
}

#[test]
fn never_in_tests_or_client_code() {
    let src = "from fastapi import HTTPException\ndef f():\n    raise HTTPException(401)\n";
    // Test files are the `test` role (see `crate::roles`, which names these).
    let test_role = Settings {
        role: Some(crate::roles::Role::Test),
        ..Settings::default()
    };
    for name in ["test_app.py", "app_test.py", "conftest.py", "tests.py"] {
        assert!(model_with(name, src, &test_role).sites.is_empty(), "{name}");
        assert_eq!(
            crate::roles::from_path_and_text(std::path::Path::new(name), src).map(|a| a.role),
            Some(crate::roles::Role::Test),
            "{name}"
        );
    }
    let client = r#"
import httpx
from fastapi.responses import JSONResponse
def test_me(client):
    assert client.get("/me").status_code == 401
    assert JSONResponse({}, status_code=401).status_code == 401
def fake():
    return httpx.Response(401)
"#;
    assert!(model(client).sites.is_empty());
}

#[test]
fn identity_from_dependencies_and_decorators() {
    let src = r#"
from fastapi import Depends, HTTPException
from flask_login import login_required
from flask import abort
def a(user = Depends(get_current_user)):
    if user.plan != "pro":
        raise HTTPException(401)
@login_required
def b():
    abort(401)
"#;
    let m = model(src);
    assert!(m.sites.iter().all(|s| s.identity_established.is_some()));
}

/// A tiny deterministic fuzzer: random Python-ish token soup must never panic.
#[test]
fn never_panics_on_token_soup() {
    const TOKENS: &[&str] = &[
        "raise ",
        "HTTPException(",
        "status_code=",
        "401",
        "403",
        ",",
        ")",
        "(",
        "\n",
        "    ",
        "if ",
        "elif ",
        "else",
        "not ",
        "user",
        ":",
        "return ",
        "{",
        "}",
        "\"statusCode\"",
        "abort(",
        "logger.warning(",
        "'x'",
        "except ",
        " as e",
        "def f(",
        "class A(HTTPException):",
        "super().__init__(",
        "headers=",
        "[",
        "]",
        " = ",
        "resp",
        ".status_code",
        "**",
        "*",
        "lambda: ",
        "f\"{e}\"",
        "try:",
        "status.HTTP_401_UNAUTHORIZED",
        "from .x import y\n",
        "import logging\n",
        "JSONResponse(",
        "make_response(",
        "HttpResponseForbidden(",
        "@auth.error_handler\n",
        "self.",
        "Depends(",
        "with s.get(u) as r:",
        "\"WWW-Authenticate\"",
        "#",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..400 {
        let len = (next() % 120) as usize;
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(TOKENS[(next() % TOKENS.len() as u64) as usize]);
        }
        let m = model(&src);
        for s in &m.sites {
            assert!(s.range.end <= src.len());
        }
    }
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 400;
    let src = format!(
        "from fastapi import HTTPException\ndef f():\n    raise HTTPException({}401{})\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let m = model(&src);
    assert!(m.sites.len() <= 1);
}
