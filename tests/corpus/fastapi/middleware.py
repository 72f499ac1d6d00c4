"""Starlette-style API-key middleware in a FastAPI app. A missing key gets a
bare JSONResponse 401; a wrong key is logged and challenged."""
import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

from .config import settings

logger = logging.getLogger("api.auth")


class APIKeyMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path.startswith("/public"):
            return await call_next(request)
        key = request.headers.get("x-api-key")
        if key is None:
            return JSONResponse({"detail": "Missing API key"}, status_code=401)  # expect: require-www-authenticate, require-401-logging
        if key != settings.api_key:
            logger.warning("invalid api key from %s", request.client.host)
            return JSONResponse(
                {"detail": "Invalid API key"},
                status_code=401,
                headers={"WWW-Authenticate": 'ApiKey realm="api"'},
            )
        return await call_next(request)


app = FastAPI()
app.add_middleware(APIKeyMiddleware)
