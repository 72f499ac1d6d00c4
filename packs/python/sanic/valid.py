import logging

from sanic import Sanic
from sanic.exceptions import Unauthorized
from sanic.response import json, text

logger = logging.getLogger(__name__)
app = Sanic("inventory")


@app.get("/items")
async def items(request):
    token = request.token
    if not token:
        logger.info("items: no token")
        raise Unauthorized("missing token", scheme="Bearer", realm="inventory")
    if not await verify(token):
        logger.info("items: token rejected")
        return text("invalid token", status=401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return json(await list_items())
