"""FastAPI API-key dependency copied from the era when FastAPI's security
classes answered missing credentials with 403 "Not authenticated". Both a
missing and a wrong key are authentication failures (401)."""
from fastapi import FastAPI, HTTPException, Security, status
from fastapi.security import APIKeyHeader

API_KEYS = {"k_live_123", "k_live_456"}

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
app = FastAPI()


async def get_api_key(api_key: str | None = Security(api_key_header)) -> str:
    if api_key is None:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not authenticated")  # expect: prefer-401-for-authentication
    if api_key not in API_KEYS:
        raise HTTPException(
            status_code=403,  # expect: prefer-401-for-authentication
            detail="Could not validate API key",
        )
    return api_key


@app.get("/usage")
async def usage(api_key: str = Security(get_api_key)):
    return {"key": api_key[-4:], "calls": 42}
