import logging

import tornado.web

logger = logging.getLogger(__name__)


class AccountHandler(tornado.web.RequestHandler):
    def get(self):
        token = self.request.headers.get("Authorization")
        if not token:
            logger.info("account: no Authorization header")
            self.set_header("WWW-Authenticate", 'Bearer realm="accounts"')
            self.set_status(401)
            self.finish({"error": "missing token"})
            return
        account = load(token)
        if not account.can_view:
            raise tornado.web.HTTPError(403, "not allowed")
        self.write(account.to_json())
