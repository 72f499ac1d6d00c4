"""FastAPI GitHub webhook receiver. A missing secret is a server configuration
error reported as 401; a bad signature is logged but not challenged."""
import hashlib
import hmac
import logging
import os

from fastapi import FastAPI, Header, HTTPException, Request

logger = logging.getLogger(__name__)
app = FastAPI()


@app.post("/webhooks/github")
async def github_webhook(request: Request, x_hub_signature_256: str | None = Header(default=None)):
    secret = os.environ.get("GITHUB_WEBHOOK_SECRET")
    if not secret:
        logger.error("GITHUB_WEBHOOK_SECRET is not configured")
        raise HTTPException(status_code=401, detail="Webhook not configured")  # expect: no-401-for-server-error
    body = await request.body()
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, x_hub_signature_256 or ""):
        logger.warning("bad webhook signature")
        raise HTTPException(status_code=401, detail="Bad signature")  # expect: require-www-authenticate
    return {"ok": True}
