import logging

from aiohttp import web

logger = logging.getLogger(__name__)


class LoginRequired(web.HTTPUnauthorized):
    """Raised by every view that needs a signed-in caller."""


async def settings(request: web.Request) -> web.Response:
    if "Authorization" not in request.headers:
        logger.info("settings requested without credentials")
        raise LoginRequired(text="sign in first")
    return web.json_response(await load_settings(request))
