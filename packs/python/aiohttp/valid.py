import logging

from aiohttp import web

logger = logging.getLogger(__name__)
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


async def profile(request: web.Request) -> web.Response:
    token = request.headers.get("Authorization")
    if not token:
        logger.warning("rejecting request: no Authorization header")
        raise web.HTTPUnauthorized(text="missing token", headers=CHALLENGE)
    user = await lookup(token)
    if user is None:
        logger.warning("rejecting request: unknown token")
        return web.json_response(
            {"error": "invalid token"},
            status=401,
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    if not user.is_admin:
        raise web.HTTPForbidden(text="admins only")
    return web.json_response({"id": user.id})
