from aiohttp import web


async def profile(request: web.Request) -> web.Response:
    token = request.headers.get("Authorization")
    if not token:
        raise web.HTTPUnauthorized(text="missing token")
    user = await lookup(token)
    if user is None:
        return web.json_response({"error": "invalid token"}, status=401)
    if not user.is_admin:
        raise web.HTTPUnauthorized(text="admins only")
    if user.suspended:
        return web.Response(text="suspended", status=401)
    return web.json_response({"id": user.id})


async def settings(request: web.Request) -> web.Response:
    if not request.headers.get("Authorization"):
        raise web.HTTPForbidden(text="missing credentials")
    return web.json_response({})


from aiohttp.web_exceptions import HTTPUnauthorized as Deny  # noqa: E402


async def export(request: web.Request) -> web.Response:
    # An alias, and the module aiohttp.web re-exports it from.
    if "Authorization" not in request.headers:
        raise Deny(text="sign in first")
    return web.json_response({})
