"""A FastAPI service. authlint: the hand-rolled API-key check raises 403
"Not authenticated" (FastAPI's old default, now a 401); the credentials
exception is raised without a log line; the owner check raises 401 for a user
who is already known; the scope check answers 403 without saying which scope
is missing. OAuth2PasswordBearer itself challenges correctly."""
import logging
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

logger = logging.getLogger(__name__)
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")
app = FastAPI()
SECRET_KEY = "change-me"
NOTES = {1: {"owner": "alice", "text": "hi"}}


def current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    try:
        return jwt.decode(token, SECRET_KEY, algorithms=["HS256"])["sub"]
    except jwt.InvalidTokenError:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


def api_key(x_api_key: Annotated[str | None, Header()] = None) -> str:
    if x_api_key is None:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not authenticated")
    return x_api_key


@app.get("/notes/{note_id}")
def read_note(note_id: int, user: Annotated[str, Depends(current_user)]):
    note = NOTES.get(note_id)
    if note is None:
        raise HTTPException(status_code=404, detail="No such note")
    if note["owner"] != user:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Not your note")
    return note


@app.get("/usage")
def usage(key: Annotated[str, Depends(api_key)]):
    logger.info("usage for key ending %s", key[-4:])
    return {"calls": 42}


@app.delete("/notes/{note_id}")
def delete_note(note_id: int, token: Annotated[str, Depends(oauth2_scheme)]):
    scopes = jwt.decode(token, SECRET_KEY, algorithms=["HS256"]).get("scope", "").split()
    if "notes:delete" not in scopes:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Not enough permissions")
    NOTES.pop(note_id, None)
