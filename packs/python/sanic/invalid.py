from sanic import Sanic
from sanic.exceptions import Forbidden, Unauthorized
from sanic.response import empty, json

app = Sanic("inventory")


@app.get("/items")
async def items(request):
    token = request.token
    if not token:
        raise Unauthorized("missing token")
    if not await verify(token):
        return json({"error": "invalid token"}, status=401)
    if request.ctx.user.banned:
        return empty(status=401)
    return json(await list_items())


@app.delete("/items/<item_id>")
async def delete_item(request, item_id):
    if not request.token:
        raise Forbidden("missing credentials")
    return empty()
