import tornado.web
from tornado.web import HTTPError


class AccountHandler(tornado.web.RequestHandler):
    def get(self):
        token = self.request.headers.get("Authorization")
        if not token:
            self.set_status(401)
            self.finish({"error": "missing token"})
            return
        account = load(token)
        if account is None:
            raise HTTPError(401, "unknown token %s", token)
        if account.locked:
            self.send_error(401)
            return
        self.write(account.to_json())
