//! What other modules of a project say about a response (helpers, the
//! application's error handlers), as a user runs authlint: real processes.

mod cli_support;
use cli_support::*;

const RESPONSE_HELPERS: &str = r#"export function unauthorized(extra?: Record<string, string>) {
  return Response.json({ error: 'Unauthorized', ...extra }, { status: 401 })
}
"#;

const ROUTE: &str = r#"import { unauthorized } from '@/lib/response'

export async function GET(request: Request) {
  const session = await getSession(request)
  if (!session) {
    return unauthorized()
  }
  if (!(await canViewReport(session, 'r1'))) {
    return unauthorized()
  }
  return Response.json({ ok: true })
}
"#;

#[test]
fn a_fixed_status_helper_imported_through_a_tsconfig_alias_is_judged_at_each_call() {
    let p = project(&[
        (
            "tsconfig.json",
            "{\n  // the project's aliases\n  \"compilerOptions\": { \"paths\": { \"@/*\": [\"./src/*\"], }, },\n}\n",
        ),
        ("src/lib/response.ts", RESPONSE_HELPERS),
        ("src/app/api/reports/route.ts", ROUTE),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    let j = out.json();
    let found: Vec<(String, u64, String)> = j["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The helper's own response lacks a challenge and a log line: reported
    // once, at the helper. The call after the permission check is a 403; the
    // call for a missing session is right.
    assert_eq!(
        found,
        vec![
            (
                "src/app/api/reports/route.ts".to_string(),
                9,
                "prefer-403-for-authorization".to_string()
            ),
            (
                "src/lib/response.ts".to_string(),
                2,
                "require-401-logging".to_string()
            ),
            (
                "src/lib/response.ts".to_string(),
                2,
                "require-www-authenticate".to_string()
            ),
        ],
        "{out:?}"
    );
    // Without the alias the import cannot be resolved, and the calls are not judged.
    std::fs::remove_file(p.path().join("tsconfig.json")).unwrap();
    let out = run(p.path(), &["lint", "--format", "json"]);
    let judged_calls = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "prefer-403-for-authorization")
        .count();
    assert_eq!(judged_calls, 0, "{out:?}");
}

#[test]
fn a_class_declared_as_a_helper_is_judged_where_it_is_constructed() {
    let route = r#"export function handler(req: Request) {
  const key = req.headers.get('x-api-key')
  if (!key) {
    throw new ApiError('Unknown key', 403)
  }
  if (!isAdmin(key)) {
    throw new Other('Nope', 403)
  }
}
"#;
    let p = project(&[
        (
            "authlint.toml",
            "[[helpers]]\nname = \"new ApiError\"\nstatus = 1\nmessage = 0\n",
        ),
        ("src/route.ts", route),
    ]);
    let out = run(p.path(), &["lint", "--format", "json"]);
    let found: Vec<(u64, String)> = out.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    // The declared class is a response with status 403 for a missing key;
    // the undeclared one is not a response at all.
    assert_eq!(
        found,
        vec![(4, "prefer-401-for-authentication".to_string())],
        "{out:?}"
    );
}

const FASTAPI_ROUTES: &str = r#"from fastapi import APIRouter, Header, HTTPException

router = APIRouter()


@router.get("/reports")
def reports(authorization: str | None = Header(default=None)):
    if authorization is None:
        raise HTTPException(
            status_code=401,
            detail="missing bearer token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return {"ok": True}
"#;

/// The findings of `authlint lint` in `dir`, as (path, rule).
fn findings(dir: &std::path::Path) -> Vec<(String, String)> {
    paths_and_rules(&run(dir, &["lint", "--format", "json"]).json())
}

#[test]
fn a_raised_401_is_logged_by_the_applications_error_handler_in_another_module() {
    let main = r#"import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse

from app.routes import router

log = logging.getLogger(__name__)


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def on_http_error(request: Request, exc: HTTPException):
        log.warning("%s %s: %s", request.url.path, exc.status_code, exc.detail)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


app = FastAPI()
install(app)
app.include_router(router)
"#;
    let p = python_app(&[("app/main.py", main), ("app/routes.py", FASTAPI_ROUTES)]);
    assert_eq!(
        findings(p.path()),
        vec![],
        "the handler logs every HTTPException"
    );

    // A handler that logs only server errors leaves the 401 silent.
    let only_500s = main.replace(
        "        log.warning(",
        "        if exc.status_code >= 500:\n            log.warning(",
    );
    write(p.path(), "app/main.py", &only_500s);
    assert_eq!(
        findings(p.path()),
        vec![(
            "app/routes.py".to_string(),
            "require-401-logging".to_string()
        )]
    );
}

#[test]
fn a_handler_registered_for_the_401_status_constant_logs_through_a_helper_of_its_module() {
    // Registered for `status.HTTP_401_UNAUTHORIZED`, not `HTTPException`,
    // and logging in a helper the handler calls.
    let main = r#"import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from app.routes import router

log = logging.getLogger(__name__)


def _error_response(exc) -> JSONResponse:
    log.warning("refused: %s", exc.detail)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)


def on_http_error(request: Request, exc) -> JSONResponse:
    return _error_response(exc)


app = FastAPI()
app.add_exception_handler(status.HTTP_401_UNAUTHORIZED, on_http_error)
app.include_router(router)
"#;
    let p = python_app(&[("app/main.py", main), ("app/routes.py", FASTAPI_ROUTES)]);
    assert_eq!(
        findings(p.path()),
        vec![],
        "the 401 handler logs through its helper"
    );

    // Registered for the 403 constant only: the 401 is not logged there.
    let for_403 = main.replace("HTTP_401_UNAUTHORIZED", "HTTP_403_FORBIDDEN");
    write(p.path(), "app/main.py", &for_403);
    assert_eq!(
        findings(p.path()),
        vec![(
            "app/routes.py".to_string(),
            "require-401-logging".to_string()
        )]
    );
}

#[test]
fn flask_sends_http_errors_to_a_handler_of_exception_registered_elsewhere() {
    let routes = r#"from flask import Blueprint, abort, request

bp = Blueprint("reports", __name__)


@bp.get("/reports")
def reports():
    if "Authorization" not in request.headers:
        abort(401, www_authenticate="Bearer")
    return {"ok": True}
"#;
    let errors = r#"import logging

log = logging.getLogger("svc")


def on_error(err):
    log.info("request failed: %s", err)
    return {"error": str(err)}, getattr(err, "code", 500)


def register(app):
    app.register_error_handler(Exception, on_error)
"#;
    let p = project(&[
        ("setup.cfg", "[metadata]\nname = svc\n"),
        ("svc/__init__.py", ""),
        ("svc/errors.py", errors),
        ("svc/reports.py", routes),
    ]);
    assert_eq!(findings(p.path()), vec![]);

    // The same handler in a FastAPI application takes only the 500s.
    let fastapi = errors.replace(
        "def register(app):\n    app.register_error_handler(",
        "def register(app):\n    app.add_exception_handler(",
    );
    write(p.path(), "svc/errors.py", &fastapi);
    write(p.path(), "svc/reports.py", FASTAPI_ROUTES);
    assert_eq!(
        findings(p.path()),
        vec![(
            "svc/reports.py".to_string(),
            "require-401-logging".to_string()
        )]
    );
}

#[test]
fn an_error_class_from_a_workspace_package_is_found_through_its_barrel() {
    let route = r#"import { UnauthorizedError } from '@acme/shared';

export async function POST(req: Request) {
  try {
    const auth = await verifyAuthHeader(req.headers.get('authorization'));
    if (!auth.validKey) {
      console.warn('ingest: key rejected');
      throw new UnauthorizedError(auth.error);
    }
    return Response.json(await ingest(req, auth));
  } catch (error) {
    if (error instanceof Error && 'httpCode' in error) {
      return Response.json({ message: error.message }, { status: error.httpCode as number });
    }
    throw error;
  }
}
"#;
    let class = r#"export class UnauthorizedError extends Error {
  httpCode = 401;
}
"#;
    let p = project(&[
        (
            "package.json",
            r#"{ "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
        ),
        (
            "packages/shared/package.json",
            r#"{ "name": "@acme/shared", "exports": { ".": { "import": "./dist/index.js" } } }"#,
        ),
        (
            "packages/shared/src/index.ts",
            "export * from './errors';\n",
        ),
        (
            "packages/shared/src/errors/index.ts",
            "export { UnauthorizedError } from './unauthorized';\n",
        ),
        ("packages/shared/src/errors/unauthorized.ts", class),
        ("apps/web/package.json", r#"{ "name": "web" }"#),
        ("apps/web/src/ingest.ts", route),
    ]);
    assert_eq!(
        findings(p.path()),
        vec![(
            "apps/web/src/ingest.ts".to_string(),
            "require-www-authenticate".to_string()
        )]
    );
    // A package the workspace does not hold is not looked for.
    write(
        p.path(),
        "apps/web/src/ingest.ts",
        &route.replace("@acme/shared", "@other/shared"),
    );
    assert_eq!(findings(p.path()), vec![]);
}

#[test]
fn a_thrown_401_is_logged_by_a_hono_on_error_handler_built_in_another_module() {
    let errors = r#"import { HTTPException } from 'hono/http-exception';

export function fail(status: number, message: string): never {
  throw new HTTPException(status as 401, { message });
}
"#;
    let on_error = r#"import type { Context } from 'hono';

export function onError(service: string) {
  return (err: Error, c: Context) => {
    console.warn(`${service}: ${c.req.method} ${c.req.path}: ${err.message}`);
    return c.json({ error: err.message }, 500);
  };
}
"#;
    let app = r#"import { Hono } from 'hono';
import { onError } from './on_error';
import { reports } from './reports';

const app = new Hono();
app.onError(onError('api'));
app.route('/reports', reports);
export default app;
"#;
    let reports = r#"import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { fail } from './errors';

export const reports = new Hono();

reports.get('/', (c) => {
  if (!c.req.header('authorization')) {
    fail(401, 'missing token');
  }
  if (!c.req.header('x-api-key')) {
    throw new HTTPException(401, { message: 'missing api key' });
  }
  return c.json({ ok: true });
});
"#;
    let p = project(&[
        ("package.json", r#"{ "name": "api", "private": true }"#),
        ("src/errors.ts", errors),
        ("src/on_error.ts", on_error),
        ("src/app.ts", app),
        ("src/reports.ts", reports),
    ]);
    let logging = |found: Vec<(String, String)>| {
        found
            .into_iter()
            .filter(|(_, rule)| rule == "require-401-logging")
            .count()
    };
    assert_eq!(logging(findings(p.path())), 0, "onError logs both");
    // A handler that only answers leaves both silent.
    write(
        p.path(),
        "src/on_error.ts",
        &on_error.replace(
            "    console.warn(`${service}: ${c.req.method} ${c.req.path}: ${err.message}`);\n",
            "",
        ),
    );
    assert_eq!(logging(findings(p.path())), 2);
    // One that answers HTTP errors before its log line logs neither.
    write(
        p.path(),
        "src/on_error.ts",
        &on_error.replace(
            "    console.warn(",
            "    if (err instanceof HTTPException) {\n      return err.getResponse();\n    }\n    console.warn(",
        ),
    );
    assert_eq!(logging(findings(p.path())), 2);
}

#[test]
fn a_project_error_class_answered_by_a_registered_handler_is_a_response() {
    let exceptions = r#"class ShopError(Exception):
    def __init__(self, message: str, status_code: int = 500, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.headers = headers


class Unauthorized(ShopError):
    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message, 401, headers={"WWW-Authenticate": 'Bearer realm="shop"'})


class LinkExpired(ShopError):
    def __init__(self) -> None:
        super().__init__("This sign-in link has expired.", status_code=401)
"#;
    let handlers = r#"from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shop.exceptions import ShopError


async def on_shop_error(request: Request, exc: ShopError) -> JSONResponse:
    return JSONResponse({"detail": exc.message}, status_code=exc.status_code, headers=exc.headers)


def add_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShopError, on_shop_error)
"#;
    // A nested package also called `shop` (a client for another shop) must
    // not capture `shop.exceptions`: Python resolves it from the import root.
    let routes = r#"from fastapi import APIRouter, Header

from shop.exceptions import LinkExpired, Unauthorized

router = APIRouter()


@router.post("/hooks")
async def hook(x_signature: str | None = Header(None)):
    if x_signature is None:
        raise Unauthorized()
    return {}


@router.post("/sign-in/link")
async def sign_in_with_link(token: str):
    if not await consume_link(token):
        raise LinkExpired()
    return {}
"#;
    let p = project(&[
        ("pyproject.toml", "[project]\nname = \"shop\"\n"),
        ("shop/__init__.py", ""),
        ("shop/exceptions.py", exceptions),
        ("shop/exception_handlers.py", handlers),
        ("shop/integrations/__init__.py", ""),
        ("shop/integrations/shop/__init__.py", ""),
        (
            "shop/integrations/shop/exceptions.py",
            "class ClientError(Exception): ...\n",
        ),
        ("shop/integrations/hooks.py", routes),
    ]);
    let hooks = "shop/integrations/hooks.py".to_string();
    assert_eq!(
        findings(p.path()),
        vec![
            (hooks.clone(), "require-401-logging".to_string()),
            (hooks.clone(), "require-401-logging".to_string()),
            (hooks.clone(), "require-www-authenticate".to_string()),
        ],
        "both raises are 401s through the handler; only the class without a challenge lacks one"
    );

    // Without a registered handler the exceptions are 500s, not 401s.
    write(p.path(), "shop/exception_handlers.py", "");
    assert_eq!(findings(p.path()), vec![]);
}

#[test]
fn the_status_of_an_error_built_from_a_default_exported_class_is_read_from_its_field() {
    let error = "class UnauthorizedError extends Error {\n    statusCode = 401;\n}\n\nexport default UnauthorizedError;\n";
    let middleware = r#"import type { NextFunction, Request, Response } from 'express';
import UnauthorizedError from '../errors/unauthorized-error.js';

export const requireUser = (req: Request & { user?: unknown }, res: Response, next: NextFunction) => {
    if (req.user) {
        return next();
    }
    const error = new UnauthorizedError('You must log in.');
    console.warn('no user on', req.path);
    return res.status(error.statusCode).json(error);
};
"#;
    let p = project(&[
        ("package.json", r#"{"name":"svc","private":true}"#),
        ("src/errors/unauthorized-error.ts", error),
        ("src/middleware/require-user.ts", middleware),
    ]);
    assert_eq!(
        findings(p.path()),
        vec![(
            "src/middleware/require-user.ts".to_string(),
            "require-www-authenticate".to_string()
        )]
    );
    // The same class as a default declaration.
    write(
        p.path(),
        "src/errors/unauthorized-error.ts",
        "export default class UnauthorizedError extends Error {\n    statusCode = 401;\n}\n",
    );
    assert_eq!(findings(p.path()).len(), 1);
}

/// A Python project with these files under `app/` (and its package marker).
fn python_app(files: &[(&str, &str)]) -> tempfile::TempDir {
    let mut all = vec![
        ("pyproject.toml", "[project]\nname = \"svc\"\n"),
        ("app/__init__.py", ""),
    ];
    all.extend_from_slice(files);
    project(&all)
}

/// Whether `rule` reports something in `path` of the project `dir`.
fn reports_in(dir: &std::path::Path, path: &str, rule: &str) -> bool {
    findings(dir).contains(&(path.to_string(), rule.to_string()))
}

#[test]
fn a_response_class_of_another_module_fixes_its_status() {
    let responses = r#"from django.http import HttpResponse


class HttpResponseUnauthorized(HttpResponse):
    status_code = 401
"#;
    let views = r#"from django.http import HttpResponse

from app import responses


def reports(request):
    if not request.META.get("HTTP_AUTHORIZATION"):
        return responses.HttpResponseUnauthorized()
    return HttpResponse("ok")
"#;
    let p = python_app(&[("app/responses.py", responses), ("app/views.py", views)]);
    assert!(reports_in(
        p.path(),
        "app/views.py",
        "require-www-authenticate"
    ));

    // A class that sets the challenge itself is a complete 401.
    let with_challenge = responses.replace(
        "    status_code = 401\n",
        "    status_code = 401\n\n    def __init__(self):\n        super().__init__()\n        self[\"WWW-Authenticate\"] = 'Bearer realm=\"api\"'\n",
    );
    write(p.path(), "app/responses.py", &with_challenge);
    assert!(!reports_in(
        p.path(),
        "app/views.py",
        "require-www-authenticate"
    ));
}

#[test]
fn an_error_class_whose_status_argument_defaults_to_the_class_code_is_a_401_where_raised_with_one()
{
    // `code=None` in the signature keeps the class's own `code = 500`; a
    // raise with 401 is a 401, answered by the registered handler.
    let errors = r#"from flask import current_app, jsonify


class BaseError(Exception):
    code = 500

    def __init__(self, message, code=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class ApiError(BaseError):
    pass


def handle_api_error(error):
    if error.code >= 500:
        current_app.logger.exception(error)
    return jsonify(status="error", message=error.message), error.code


def handle_exception(error):
    current_app.logger.exception(error)
    return jsonify(status="error"), 500


def register(app):
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(Exception, handle_exception)
"#;
    let views = r#"from flask import Blueprint, request

from app.errors import ApiError

bp = Blueprint("api", __name__)


@bp.get("/alerts")
def alerts():
    key = request.headers.get("X-API-Key")
    if not verify_key(key):
        raise ApiError("API key is invalid", 401)
    return {"ok": True}
"#;
    let p = python_app(&[("app/errors.py", errors), ("app/views.py", views)]);
    assert!(reports_in(
        p.path(),
        "app/views.py",
        "require-www-authenticate"
    ));
    // Flask calls the most specific handler: `ApiError`'s, which logs only
    // server errors, not the one for `Exception`.
    assert!(reports_in(p.path(), "app/views.py", "require-401-logging"));
}

#[test]
fn a_check_imported_from_another_module_that_logs_its_rejection_logs_the_401() {
    let checks = r#"import type { Logger } from './logger'

export const isValidKey = (headers: Headers, logger: Logger): boolean => {
  if (headers.get('x-api-key') !== process.env.API_KEY) {
    logger.warn('invalid API key')
    return false
  }
  return true
}

// Logs only what failed unexpectedly: not why a caller was refused.
export async function loadSession(headers: Headers) {
  try {
    return await lookup(headers.get('cookie'))
  } catch (e) {
    console.error('session store down', e)
  }
  return null
}

async function lookup(_cookie: string | null) {
  return null
}
"#;
    let route = |call: &str| {
        format!(
            "import {{ isValidKey, loadSession }} from '../lib/checks'\n\n\
             export async function POST(request: Request) {{\n  \
             if (!({call})) {{\n    \
             return Response.json({{ error: 'unauthorized' }}, {{ status: 401, headers: {{ 'WWW-Authenticate': 'ApiKey' }} }})\n  \
             }}\n  return Response.json({{ ok: true }})\n}}\n"
        )
    };
    let p = project(&[
        ("src/lib/checks.ts", checks),
        (
            "src/api/key.ts",
            &route("isValidKey(request.headers, console)"),
        ),
        (
            "src/api/session.ts",
            &route("await loadSession(request.headers)"),
        ),
    ]);
    assert_eq!(
        findings(p.path()),
        vec![(
            "src/api/session.ts".to_string(),
            "require-401-logging".to_string()
        )]
    );
}

/// A project error class whose status argument has no default.
const SERVICE_ERROR: &str = r#"class ServiceError(Exception):
    def __init__(self, message, status_code):
        self.message = message
        self.status_code = status_code
        super().__init__(message)
"#;

/// A FastAPI application raising `ServiceError` imported from `module`,
/// answered by its handler, with `extra` code after its route.
fn service_main(module: &str, extra: &str) -> String {
    format!(
        r#"from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from {module} import ServiceError

app = FastAPI()


@app.exception_handler(ServiceError)
async def service_error(request: Request, exc: ServiceError):
    return JSONResponse(status_code=exc.status_code, content={{"message": exc.message}})


@app.get("/me")
async def me(authorization: str | None = None):
    if not authorization:
        raise ServiceError("No credentials provided", 401)
    return {{}}
{extra}"#
    )
}

#[test]
fn an_error_class_whose_status_argument_is_required_is_a_response_where_raised_with_401() {
    let main = service_main("app.errors", "");
    let p = python_app(&[("app/errors.py", SERVICE_ERROR), ("app/main.py", &main)]);
    assert!(
        reports_in(p.path(), "app/main.py", "require-www-authenticate"),
        "{:?}",
        findings(p.path())
    );
}

#[test]
fn an_error_class_gathered_by_a_package_through_star_imports_is_found_where_raised() {
    // Taken by the same function's `except`, which falls back: never sent.
    let swallowed = r#"

async def current_user(token: str):
    try:
        if not token.startswith("ey"):
            raise ServiceError("Could not validate credentials", 401)
        return {"user": token}
    except Exception:
        return None
"#;
    let main = service_main("app.base", swallowed);
    // `app.base` gathers `app.base.abstractions`, which passes on the
    // class from `app.shared.errors` by name.
    let p = python_app(&[
        ("app/base/__init__.py", "from .abstractions import *\n"),
        (
            "app/base/abstractions/__init__.py",
            "from app.shared.errors import (\n    ServiceError,\n)\n",
        ),
        ("app/shared/__init__.py", ""),
        ("app/shared/errors.py", SERVICE_ERROR),
        ("app/main.py", &main),
    ]);
    let found = findings(p.path());
    let challenges = found
        .iter()
        .filter(|(path, rule)| path == "app/main.py" && rule == "require-www-authenticate")
        .count();
    assert_eq!(challenges, 1, "{found:?}");
}
