"""FastAPI app defining HTTPException subclasses with fixed statuses. AuthError
always challenges; findings belong to the raise sites: one raise is not logged,
and one uses AuthError (401) for an admin-only check. The tenant check is a
correct 403."""
import structlog
from fastapi import FastAPI, HTTPException, Request

log = structlog.get_logger()
app = FastAPI()


class AuthError(HTTPException):
    def __init__(self, detail: str = "Not authenticated") -> None:
        super().__init__(status_code=401, detail=detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class PermissionDeniedError(HTTPException):
    def __init__(self, detail: str = "Forbidden") -> None:
        super().__init__(status_code=403, detail=detail)


def verify(token: str) -> dict | None:
    return {"sub": "alice", "tenant": "acme", "admin": False} if token.startswith("Bearer ") else None


@app.get("/me")
async def me(request: Request):
    if request.cookies.get("session") is None and "authorization" not in request.headers:
        log.info("no credentials on request", path=request.url.path)
        raise AuthError("Sign in required")
    token = request.headers.get("authorization")
    if not token:
        raise AuthError("Missing bearer token")  # expect: require-401-logging
    claims = verify(token) or {}
    if claims.get("tenant") != request.headers.get("x-tenant"):
        raise PermissionDeniedError("Wrong tenant")
    if request.query_params.get("all") and not claims.get("admin"):
        raise AuthError("Admin only")  # expect: prefer-403-for-authorization
    return claims
