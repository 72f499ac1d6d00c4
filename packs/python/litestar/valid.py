import logging

from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException

logger = logging.getLogger(__name__)


@get("/me")
async def me(request: Request) -> Response:
    token = request.headers.get("authorization")
    if not token:
        logger.info("me: no bearer token")
        raise NotAuthorizedException(
            "missing bearer token", headers={"WWW-Authenticate": 'Bearer realm="api"'}
        )
    return Response({"ok": True})
