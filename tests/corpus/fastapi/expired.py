"""FastAPI dependency separating expired from invalid tokens with PyJWT. The
expired branch logs and challenges, but its Bearer challenge lacks
error="invalid_token"; the invalid branch is correct."""
import logging

import jwt
from fastapi import Header, HTTPException, status

logger = logging.getLogger(__name__)
PUBLIC_KEY = open("/etc/keys/jwt.pub").read()


def claims(authorization: str = Header(...)) -> dict:
    token = authorization.removeprefix("Bearer ")
    try:
        return jwt.decode(token, PUBLIC_KEY, algorithms=["RS256"])
    except jwt.ExpiredSignatureError:
        logger.info("expired token")
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Token has expired",
            headers={"WWW-Authenticate": "Bearer"},  # expect: bearer-error-code
        )
    except jwt.InvalidTokenError:
        logger.info("invalid token")
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
