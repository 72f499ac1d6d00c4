"""FastAPI gateway relaying an internal service. Both handlers hand the
upstream status to the client: a 401 from the service's own credentials would
look like the caller's failure."""
import httpx
from fastapi import FastAPI, HTTPException
from fastapi.responses import Response

UPSTREAM = "http://inventory.internal"
SERVICE_TOKEN = "svc-token"

app = FastAPI()


@app.get("/inventory/{path:path}")
async def relay(path: str):
    async with httpx.AsyncClient() as client:
        resp = await client.get(f"{UPSTREAM}/{path}", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    return Response(
        content=resp.content,
        status_code=resp.status_code,  # expect: no-forwarded-401
        media_type=resp.headers.get("content-type"),
    )


@app.post("/orders")
async def create_order(order: dict):
    async with httpx.AsyncClient() as client:
        resp = await client.post(f"{UPSTREAM}/orders", json=order)
    if resp.is_error:
        raise HTTPException(status_code=resp.status_code, detail="inventory rejected the order")  # expect: no-forwarded-401
    return resp.json()
