from litestar import Request, Response, get
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException


@get("/me")
async def me(request: Request) -> Response:
    token = request.headers.get("authorization")
    if not token:
        raise NotAuthorizedException("missing bearer token")
    user = await resolve(token)
    if user is None:
        raise HTTPException(status_code=401, detail="invalid token")
    if not user.email_verified:
        return Response({"error": "verify your e-mail"}, status_code=401)
    if user.role != "admin":
        raise PermissionDeniedException("admins only")
    return Response({"id": user.id})
