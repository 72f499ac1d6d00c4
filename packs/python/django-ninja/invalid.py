from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError

api = NinjaAPI()


@api.get("/orders")
def orders(request):
    key = request.headers.get("X-API-Key")
    if not key:
        raise HttpError(401, "API key required")
    account = find_account(key)
    if account is None:
        raise AuthenticationError("unknown key")
    if account.plan != "pro":
        raise HttpError(403, "upgrade your plan")
    return list_orders(account)
