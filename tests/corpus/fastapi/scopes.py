"""FastAPI OAuth2 scopes, following the tutorial's "Not enough permissions"
branch: a valid token without the scope is answered 401, where RFC 6750 wants
403 insufficient_scope. The credentials exception is raised unlogged, and its
challenge (built in a variable) carries no error code."""
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Security, status
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from jwt.exceptions import InvalidTokenError
from pydantic import BaseModel, ValidationError

SECRET_KEY = "change-me"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "Read me", "items": "Read items"})


class TokenData(BaseModel):
    username: str | None = None
    scopes: list[str] = []


async def get_current_user(security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2_scheme)]):
    if security_scopes.scopes:
        authenticate_value = f'Bearer scope="{security_scopes.scope_str}"'
    else:
        authenticate_value = "Bearer"
    credentials_exception = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,  # expect: require-401-logging
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": authenticate_value},  # expect: bearer-error-code
    )
    try:
        payload = jwt.decode(token, SECRET_KEY, algorithms=["HS256"])
        username = payload.get("sub")
        if username is None:
            raise credentials_exception
        token_data = TokenData(scopes=payload.get("scopes", []), username=username)
    except (InvalidTokenError, ValidationError):
        raise credentials_exception
    for scope in security_scopes.scopes:
        if scope not in token_data.scopes:
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED,  # expect: prefer-403-for-authorization
                detail="Not enough permissions",
                headers={"WWW-Authenticate": authenticate_value},
            )
    return token_data


async def get_items_reader(user: Annotated[TokenData, Security(get_current_user, scopes=["items"])]):
    return user
