"""Plain Starlette app. The homepage's "challenge" is an empty string (not a
valid WWW-Authenticate value) and nothing is logged; the admin endpoint is a
correct 403 with an insufficient_scope challenge."""
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


async def homepage(request):
    if not request.user.is_authenticated:
        return PlainTextResponse(
            "Login required",
            status_code=401,  # expect: require-401-logging
            headers={"WWW-Authenticate": ""},  # expect: valid-www-authenticate
        )
    return PlainTextResponse(f"Hello, {request.user.display_name}")


async def admin(request):
    if "admin" not in request.auth.scopes:
        return JSONResponse(
            {"error": "insufficient scope"},
            status_code=403,
            headers={"WWW-Authenticate": 'Bearer error="insufficient_scope", scope="admin"'},
        )
    return JSONResponse({"users": []})


app = Starlette(routes=[Route("/", homepage), Route("/admin", admin)])
