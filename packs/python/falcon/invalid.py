import falcon


class Orders:
    def on_get(self, req, resp):
        token = req.get_header("Authorization")
        if token is None:
            raise falcon.HTTPUnauthorized(title="Unauthorized", description="missing token")
        if not verify(token):
            resp.status = falcon.HTTP_401
            resp.media = {"error": "invalid token"}
            return
        if not can_read(token):
            raise falcon.HTTPForbidden(description="not allowed to read orders")
        resp.media = list_orders()
