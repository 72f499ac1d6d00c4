import logging

from tornado import web

log = logging.getLogger(__name__)


class ExportHandler(web.RequestHandler):
    def get(self):
        if not self.request.headers.get("Authorization"):
            log.info("export requested without a token")
            self.set_status(401)
            self.set_header("WWW-Authenticate", 'Bearer realm="exports"')
            self.finish({"error": "missing token"})
            return
        self.write(build_export())
