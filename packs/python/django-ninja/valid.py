import logging

from ninja import NinjaAPI
from ninja.errors import HttpError

logger = logging.getLogger(__name__)
api = NinjaAPI()


@api.get("/orders")
def orders(request):
    account = request.auth
    if not account.can_read_orders:
        raise HttpError(403, "not allowed to read orders")
    return list_orders(account)
