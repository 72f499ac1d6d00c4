"""FastAPI router with a hand-rolled token dependency, a module status constant
and http.HTTPStatus. The missing-token 401 has no challenge or log; the decode
failure logs and challenges but returns the exception text to the client; the
owner check raises 401 for an authenticated caller."""
import logging
from http import HTTPStatus

from fastapi import APIRouter, Depends, Header, HTTPException

from ..security import decode_token

logger = logging.getLogger(__name__)

UNAUTHORIZED = 401
ITEMS = {1: {"owner": "alice", "name": "lamp"}}

router = APIRouter(prefix="/items")


def current_user(authorization: str | None = Header(default=None)) -> dict:
    if not authorization:
        raise HTTPException(UNAUTHORIZED, "Missing token")  # expect: require-www-authenticate, require-401-logging
    try:
        return decode_token(authorization.removeprefix("Bearer "))
    except Exception as e:
        logger.warning("token rejected: %s", e)
        raise HTTPException(
            status_code=HTTPStatus.UNAUTHORIZED,
            detail=str(e),  # expect: no-error-detail-in-401
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


@router.delete("/{item_id}")
def delete_item(item_id: int, user: dict = Depends(current_user)):
    item = ITEMS.get(item_id)
    if item is None:
        raise HTTPException(status_code=HTTPStatus.NOT_FOUND, detail="No such item")
    if item["owner"] != user["sub"]:
        raise HTTPException(status_code=HTTPStatus.UNAUTHORIZED, detail="Not the owner")  # expect: prefer-403-for-authorization
    del ITEMS[item_id]
    return {"deleted": item_id}
