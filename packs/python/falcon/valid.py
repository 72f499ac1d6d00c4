import logging

import falcon

logger = logging.getLogger(__name__)


class Orders:
    def on_get(self, req, resp):
        token = req.get_header("Authorization")
        if token is None:
            logger.info("orders: no Authorization header")
            raise falcon.HTTPUnauthorized(
                title="Unauthorized", challenges=['Bearer realm="orders"']
            )
        if not verify(token):
            logger.info("orders: token rejected")
            resp.set_header("WWW-Authenticate", 'Bearer error="invalid_token"')
            resp.status = falcon.HTTP_401
            return
        if not can_read(token):
            raise falcon.HTTPForbidden(description="not allowed to read orders")
        resp.media = list_orders()
